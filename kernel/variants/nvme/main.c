// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfpci_nvme: an SR-IOV NVMe VF through VFIO, with its secondary
 * controller brought online for the user.  A VF's controller is offline
 * and has no queue or interrupt resources until its PF assigns them; a VF
 * on plain vfpci is therefore useless (CSTS.CFS on enable).  Here open
 * claims the VF's share of the PF's flexible resources and onlines it
 * through nvmepf, close takes it offline and gives the share back, and
 * VFIO_DEVICE_RESET resets the controller through the PF as well as the
 * function.  Everything else is vfpci_core.  See docs/nvme-pf-vf.md.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/vfio.h>

#include "nvme.h"

#define PCI_DEVICE_ID_REDHAT_NVME	0x0010

static int nvme_init_dev(struct vfio_device *vdev)
{
	mutex_init(&to_nvme(vdev)->reset_lock);
	return vfpci_core_init_dev(vdev);
}

static void nvme_release_dev(struct vfio_device *vdev)
{
	mutex_destroy(&to_nvme(vdev)->reset_lock);
	vfpci_core_release_dev(vdev);	/* frees nv */
}

static int nvme_open_device(struct vfio_device *vdev)
{
	struct vfpci_nvme_device *nv = to_nvme(vdev);
	int ret;

	/* The core resets the function first: online only after that. */
	ret = vfpci_core_enable(&nv->core);
	if (ret)
		return ret;
	ret = nvmepf_vf_claim(nv->pfvf);
	if (ret)
		goto err_disable;
	ret = nvmepf_vf_online(nv->pfvf);
	if (ret)
		goto err_unclaim;
	vfpci_core_finish_enable(&nv->core);
	return 0;

err_unclaim:
	nvmepf_vf_unclaim(nv->pfvf);
err_disable:
	vfpci_core_disable(&nv->core);
	return ret;
}

/* Offline first: that stops the controller's DMA before the core's reset. */
static void nvme_close_device(struct vfio_device *vdev)
{
	nvmepf_vf_unclaim(to_nvme(vdev)->pfvf);
	vfpci_core_close_device(vdev);
}

/*
 * A function reset leaves the secondary controller online (QEMU 7.2's
 * even loses its resources): offline it first, which resets the
 * controller and stops its DMA, and after the function reset assign the
 * share again and online it, even when the function reset failed, so the
 * VF stays usable.
 */
static long nvme_reset(struct vfpci_nvme_device *nv)
{
	long ret;
	int ret2;

	mutex_lock(&nv->reset_lock);
	ret = nvmepf_vf_offline(nv->pfvf);
	if (!ret)
		ret = vfpci_core_ioctl(&nv->core.vdev, VFIO_DEVICE_RESET, 0);
	ret2 = nvmepf_vf_assign(nv->pfvf);
	if (!ret2)
		ret2 = nvmepf_vf_online(nv->pfvf);
	mutex_unlock(&nv->reset_lock);
	if (ret == -ENODEV || ret2 == -ENODEV)
		return -EIO;	/* the PF's queue is dead, the VF is not gone */
	return ret ? ret : ret2;
}

static long nvme_ioctl(struct vfio_device *vdev, unsigned int cmd,
		       unsigned long arg)
{
	if (cmd == VFIO_DEVICE_RESET)
		return nvme_reset(to_nvme(vdev));
	return vfpci_core_ioctl(vdev, cmd, arg);
}

const struct vfio_device_ops vfpci_nvme_ops = {
	.name		= "vfpci_nvme",
	.init		= nvme_init_dev,
	.release	= nvme_release_dev,
	.open_device	= nvme_open_device,
	.close_device	= nvme_close_device,
	.ioctl		= nvme_ioctl,
	.device_feature	= vfpci_core_ioctl_feature,
	.read		= vfpci_core_read,
	.write		= vfpci_core_write,
	.mmap		= vfpci_core_mmap,
	.request	= vfpci_core_request,
	.match		= vfpci_core_match,
	VFPCI_COMPAT_IOMMUFD_OPS
};

/* ---- the VF half ---- */

static int vfpci_nvme_probe(struct pci_dev *pdev,
			    const struct pci_device_id *id)
{
	struct vfpci_nvme_pair *pair;
	bool fused;
	int ret;

	if (!pdev->is_virtfn) {
		pci_info(pdev, "not an SR-IOV VF: use vfpci\n");
		return -ENODEV;
	}
	pair = vfpci_nvme_pair_get(pdev, true);
	if (!pair)
		return -ENOMEM;
	mutex_lock(&pair->lock);
	pair->vf_bound = true;
	ret = vfpci_nvme_fuse(pair);
	if (ret)
		pair->vf_bound = false;
	fused = pair->nv;
	mutex_unlock(&pair->lock);
	if (ret)
		vfpci_nvme_pair_put(pair);
	else if (!fused)
		pci_info(pdev, "waiting for its PF's nvmepf.vfio_pci.%u\n",
			 pci_dev_id(pdev));
	return ret;	/* on success the pair's reference is this half's */
}

static void vfpci_nvme_remove(struct pci_dev *pdev)
{
	struct vfpci_nvme_pair *pair = vfpci_nvme_pair_get(pdev, false);

	if (!pair)
		return;
	mutex_lock(&pair->lock);
	vfpci_nvme_unfuse(pair);
	pair->vf_bound = false;
	mutex_unlock(&pair->lock);
	vfpci_nvme_pair_put(pair);	/* the lookup's */
	vfpci_nvme_pair_put(pair);	/* the half's */
}

/*
 * QEMU's NVMe: the PF and its VFs share an ID, and modules.alias cannot
 * tell a VF: probe refuses a PF, and vfpcictl proposes this driver only
 * for a VF whose PF is bound to nvmepf.
 */
static const struct pci_device_id vfpci_nvme_table[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_REDHAT,
					  PCI_DEVICE_ID_REDHAT_NVME) },
	{}
};
MODULE_DEVICE_TABLE(pci, vfpci_nvme_table);

static struct pci_driver vfpci_nvme_pci_driver = {
	.name			= "vfpci_nvme",
	.id_table		= vfpci_nvme_table,
	.probe			= vfpci_nvme_probe,
	.remove			= vfpci_nvme_remove,
	.err_handler		= &vfpci_core_err_handlers,
	.driver_managed_dma	= true,
};

/* ---- the PF half: nvmepf's auxiliary device for one VF ---- */

static int vfpci_nvme_aux_probe(struct auxiliary_device *adev,
				const struct auxiliary_device_id *id)
{
	struct pci_dev *vf = nvmepf_vf_pdev(nvmepf_vf_from_adev(adev));
	struct vfpci_nvme_pair *pair;
	int ret;

	pair = vfpci_nvme_pair_get(vf, true);
	if (!pair)
		return -ENOMEM;
	mutex_lock(&pair->lock);
	pair->adev = adev;
	ret = vfpci_nvme_fuse(pair);
	if (ret)
		pair->adev = NULL;
	mutex_unlock(&pair->lock);
	if (ret) {
		vfpci_nvme_pair_put(pair);
		return ret;
	}
	auxiliary_set_drvdata(adev, pair);
	return 0;
}

/* nvmepf deletes us before its VF or itself: wait for the VF's user. */
static void vfpci_nvme_aux_remove(struct auxiliary_device *adev)
{
	struct vfpci_nvme_pair *pair = auxiliary_get_drvdata(adev);

	mutex_lock(&pair->lock);
	vfpci_nvme_unfuse(pair);
	pair->adev = NULL;
	mutex_unlock(&pair->lock);
	vfpci_nvme_pair_put(pair);
}

static const struct auxiliary_device_id vfpci_nvme_aux_table[] = {
	{ .name = "nvmepf.vfio_pci" },
	{}
};
MODULE_DEVICE_TABLE(auxiliary, vfpci_nvme_aux_table);

static struct auxiliary_driver vfpci_nvme_aux_driver = {
	.id_table	= vfpci_nvme_aux_table,	/* named after the module */
	.probe		= vfpci_nvme_aux_probe,
	.remove		= vfpci_nvme_aux_remove,
};

static int __init vfpci_nvme_init(void)
{
	int ret;

	ret = auxiliary_driver_register(&vfpci_nvme_aux_driver);
	if (ret)
		return ret;
	ret = pci_register_driver(&vfpci_nvme_pci_driver);
	if (ret)
		auxiliary_driver_unregister(&vfpci_nvme_aux_driver);
	return ret;
}
module_init(vfpci_nvme_init);

static void __exit vfpci_nvme_exit(void)
{
	pci_unregister_driver(&vfpci_nvme_pci_driver);
	auxiliary_driver_unregister(&vfpci_nvme_aux_driver);
}
module_exit(vfpci_nvme_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vfpci_nvme: SR-IOV NVMe VFs through VFIO, their secondary controllers onlined through nvmepf");
