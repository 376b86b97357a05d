// SPDX-License-Identifier: GPL-2.0-only
/*
 * SR-IOV: VFs created by a vfpci PF, and the VF token (a UUID) that the
 * user of a PF and the users of its VFs share to show they cooperate.
 * Without it a VF user could not know its PF is driven by an untrusted
 * user, nor the PF user that its VFs are in use.
 */
#include <linux/pci.h>
#include <linux/pm_runtime.h>
#include <linux/uaccess.h>
#include <linux/uuid.h>

#include "private.h"

/* PFs that enabled SR-IOV through us; VFs find their PF here. */
static DEFINE_MUTEX(vfpci_sriov_pfs_lock);
static LIST_HEAD(vfpci_sriov_pfs);

/* New VFs of our PF get our driver as their driver_override. */
static int vfpci_pf_bus_notifier(struct notifier_block *nb,
				 unsigned long action, void *data)
{
	struct vfpci_core_device *vdev =
		container_of(nb, struct vfpci_core_device, nb);
	struct pci_dev *pdev = to_pci_dev(data);
	struct pci_driver *drv;

	if (!pdev->is_virtfn || pci_physfn(pdev) != vdev->pdev)
		return NOTIFY_DONE;

	if (action == BUS_NOTIFY_ADD_DEVICE) {
		pci_info(vdev->pdev, "Captured SR-IOV VF %s driver_override\n",
			 pci_name(pdev));
		vfpci_compat_set_driver_override(pdev, vdev->vdev.ops->name);
	} else if (action == BUS_NOTIFY_BOUND_DRIVER) {
		drv = pci_dev_driver(pdev);
		if (drv && drv != pci_dev_driver(vdev->pdev))
			pci_warn(vdev->pdev,
				 "VF %s bound to driver %s while PF bound to driver %s\n",
				 pci_name(pdev), drv->name,
				 pci_dev_driver(vdev->pdev)->name);
	}
	return NOTIFY_DONE;
}

int vfpci_sriov_dev_init(struct vfpci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	struct vfpci_core_device *pf;
	int ret;

	if (pdev->is_virtfn) {
		/* pci_disable_sriov() cannot remove our PF while we are bound. */
		mutex_lock(&vfpci_sriov_pfs_lock);
		list_for_each_entry(pf, &vfpci_sriov_pfs, sriov_pfs_item) {
			if (pf->pdev == pci_physfn(pdev)) {
				vdev->sriov_pf_core_dev = pf;
				break;
			}
		}
		mutex_unlock(&vfpci_sriov_pfs_lock);
		return 0;
	}
	if (!pdev->is_physfn)
		return 0;

	uuid_gen(&vdev->vf_token);
	vdev->nb.notifier_call = vfpci_pf_bus_notifier;
	ret = bus_register_notifier(&pci_bus_type, &vdev->nb);
	if (ret)
		return ret;
	vdev->is_sriov_pf = true;
	return 0;
}

void vfpci_sriov_dev_exit(struct vfpci_core_device *vdev)
{
	if (!vdev->is_sriov_pf)
		return;
	bus_unregister_notifier(&pci_bus_type, &vdev->nb);
	vdev->is_sriov_pf = false;
}

void vfpci_sriov_vf_open(struct vfpci_core_device *vdev)
{
	struct vfpci_core_device *pf = vdev->sriov_pf_core_dev;

	if (!pf)
		return;
	mutex_lock(&pf->vf_token_lock);
	pf->vf_token_users++;
	mutex_unlock(&pf->vf_token_lock);
}

void vfpci_sriov_vf_close(struct vfpci_core_device *vdev)
{
	struct vfpci_core_device *pf = vdev->sriov_pf_core_dev;

	if (!pf)
		return;
	mutex_lock(&pf->vf_token_lock);
	if (pf->vf_token_users > 0)
		pf->vf_token_users--;
	mutex_unlock(&pf->vf_token_lock);
}

/* VFIO_DEVICE_FEATURE_PCI_VF_TOKEN: SET only, never GET (a leak). */
int vfpci_vf_token_feature(struct vfpci_core_device *vdev, u32 flags,
			   void __user *arg, size_t argsz)
{
	uuid_t uuid;
	int ret;

	if (!vdev->is_sriov_pf)
		return -ENOTTY;
	ret = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_SET,
				 sizeof(uuid));
	if (ret != 1)
		return ret;
	if (copy_from_user(&uuid, arg, sizeof(uuid)))
		return -EFAULT;

	mutex_lock(&vdev->vf_token_lock);
	uuid_copy(&vdev->vf_token, &uuid);
	mutex_unlock(&vdev->vf_token_lock);
	return 0;
}

static int vfpci_vf_check_token(struct vfpci_core_device *vdev,
				bool have_token, uuid_t *uuid)
{
	struct vfpci_core_device *pf = vdev->sriov_pf_core_dev;
	bool match;

	if (!pf) {
		if (!have_token)
			return 0;
		pci_info_ratelimited(vdev->pdev,
				     "VF token incorrectly provided, PF not bound to vfio-pci\n");
		return -EINVAL;
	}
	if (!have_token) {
		pci_info_ratelimited(vdev->pdev,
				     "VF token required to access device\n");
		return -EACCES;
	}
	mutex_lock(&pf->vf_token_lock);
	match = uuid_equal(uuid, &pf->vf_token);
	mutex_unlock(&pf->vf_token_lock);
	if (!match) {
		pci_info_ratelimited(vdev->pdev,
				     "Incorrect VF token provided for device\n");
		return -EACCES;
	}
	return 0;
}

/* A PF with VFs in use demands their token; an idle PF takes a new one. */
static int vfpci_pf_check_token(struct vfpci_core_device *vdev,
				bool have_token, uuid_t *uuid)
{
	int ret = 0;

	mutex_lock(&vdev->vf_token_lock);
	if (vdev->vf_token_users) {
		if (!have_token) {
			pci_info_ratelimited(vdev->pdev,
					     "VF token required to access device\n");
			ret = -EACCES;
		} else if (!uuid_equal(uuid, &vdev->vf_token)) {
			pci_info_ratelimited(vdev->pdev,
					     "Incorrect VF token provided for device\n");
			ret = -EACCES;
		}
	} else if (have_token) {
		uuid_copy(&vdev->vf_token, uuid);
	}
	mutex_unlock(&vdev->vf_token_lock);
	return ret;
}

int vfpci_vf_token_match(struct vfpci_core_device *vdev, bool have_token,
			 uuid_t *uuid)
{
	if (vdev->pdev->is_virtfn)
		return vfpci_vf_check_token(vdev, have_token, uuid);
	if (vdev->is_sriov_pf)
		return vfpci_pf_check_token(vdev, have_token, uuid);
	if (have_token) {
		pci_info_ratelimited(vdev->pdev,
				     "VF token incorrectly provided, not a PF or VF\n");
		return -EINVAL;
	}
	return 0;
}

static void vfpci_sriov_pf_forget(struct vfpci_core_device *vdev)
{
	vdev->sriov_active = false;
	mutex_lock(&vfpci_sriov_pfs_lock);
	list_del_init(&vdev->sriov_pfs_item);
	mutex_unlock(&vfpci_sriov_pfs_lock);
}

/* sysfs sriov_numvfs, through the driver; called with the device lock. */
int vfpci_core_sriov_configure(struct vfpci_core_device *vdev, int nr_virtfn)
{
	struct pci_dev *pdev = vdev->pdev;
	int ret;

	device_lock_assert(&pdev->dev);

	if (!nr_virtfn) {
		if (pci_num_vf(pdev)) {
			pci_disable_sriov(pdev);
			pm_runtime_put(&pdev->dev);
		}
		vfpci_sriov_pf_forget(vdev);
		return 0;
	}

	/* Only one enable until the next disable. */
	mutex_lock(&vfpci_sriov_pfs_lock);
	if (!list_empty(&vdev->sriov_pfs_item)) {
		mutex_unlock(&vfpci_sriov_pfs_lock);
		return -EINVAL;
	}
	list_add_tail(&vdev->sriov_pfs_item, &vfpci_sriov_pfs);
	mutex_unlock(&vfpci_sriov_pfs_lock);

	/* VFs need their PF awake for as long as they exist. */
	ret = pm_runtime_resume_and_get(&pdev->dev);
	if (ret)
		goto err_forget;
	down_write(&vdev->memory_lock);
	vfpci_set_power_state(vdev, PCI_D0);
	vdev->sriov_active = true;
	up_write(&vdev->memory_lock);

	ret = pci_enable_sriov(pdev, nr_virtfn);
	if (ret) {
		pm_runtime_put(&pdev->dev);
		goto err_forget;
	}
	return nr_virtfn;

err_forget:
	vfpci_sriov_pf_forget(vdev);
	return ret;
}
EXPORT_SYMBOL_GPL(vfpci_core_sriov_configure);
