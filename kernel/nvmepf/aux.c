// SPDX-License-Identifier: GPL-2.0-only
/*
 * One auxiliary device per enabled VF, "nvmepf.vfio_pci.<VF routing id>",
 * the handle a VF driver binds to reach the VF's secondary controller,
 * and the sysfs through which the admin sees and sizes it.  Deleting it
 * unbinds the VF side first, which waits until the VF's user is gone.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "pf.h"

#define to_pfvf(d)	nvmepf_vf_from_adev(to_auxiliary_dev(d))

static ssize_t vf_show(struct device *dev, struct device_attribute *attr,
		       char *buf)
{
	return sysfs_emit(buf, "%s\n", pci_name(to_pfvf(dev)->vf));
}
static DEVICE_ATTR_RO(vf);

static ssize_t scid_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%u\n", to_pfvf(dev)->scid);
}
static DEVICE_ATTR_RO(scid);

/* "online|offline vq N vi N claimed 0|1", read from the controller. */
static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct nvmepf_vf *vf = to_pfvf(dev);
	struct nvmepf_vf_state st;
	int ret;

	ret = nvmepf_vf_state(vf, &st);
	if (ret)
		return ret;
	return sysfs_emit(buf, "%s vq %u vi %u claimed %d\n",
			  st.online ? "online" : "offline", st.nvq, st.nvi,
			  READ_ONCE(vf->claimed));
}
static DEVICE_ATTR_RO(state);

/* The share a claim assigns; fixed while the VF is claimed (open). */
static ssize_t share_store(struct nvmepf_vf *vf, u16 *share, u16 max,
			   const char *buf, size_t count)
{
	u16 val;
	int ret;

	ret = kstrtou16(buf, 0, &val);
	if (ret)
		return ret;
	if (max && val > max)
		return -ERANGE;
	mutex_lock(&vf->pf->lock);
	if (vf->claimed)
		ret = -EBUSY;
	else
		*share = val;
	mutex_unlock(&vf->pf->lock);
	return ret ? ret : count;
}

static ssize_t vq_share_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(to_pfvf(dev)->vq_share));
}

static ssize_t vq_share_store(struct device *dev, struct device_attribute *attr,
			      const char *buf, size_t count)
{
	struct nvmepf_vf *vf = to_pfvf(dev);

	return share_store(vf, &vf->vq_share, vf->pf->vq_max, buf, count);
}
static DEVICE_ATTR_RW(vq_share);

static ssize_t vi_share_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(to_pfvf(dev)->vi_share));
}

static ssize_t vi_share_store(struct device *dev, struct device_attribute *attr,
			      const char *buf, size_t count)
{
	struct nvmepf_vf *vf = to_pfvf(dev);

	return share_store(vf, &vf->vi_share, vf->pf->vi_max, buf, count);
}
static DEVICE_ATTR_RW(vi_share);

static struct attribute *nvmepf_vf_attrs[] = {
	&dev_attr_vf.attr,
	&dev_attr_scid.attr,
	&dev_attr_state.attr,
	&dev_attr_vq_share.attr,
	&dev_attr_vi_share.attr,
	NULL
};
ATTRIBUTE_GROUPS(nvmepf_vf);

/* On the PF: "vq A/T vi A/T", flexible resources assigned of the total. */
static ssize_t resources_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct nvmepf *pf = dev_get_drvdata(dev);
	u32 vq, vi;
	int ret;

	mutex_lock(&pf->lock);
	ret = nvmepf_flex_assigned(pf, &vq, &vi);
	mutex_unlock(&pf->lock);
	if (ret)
		return ret;
	return sysfs_emit(buf, "vq %u/%u vi %u/%u\n", vq, pf->vq_total, vi,
			  pf->vi_total);
}
static DEVICE_ATTR_RO(resources);

static struct attribute *nvmepf_pf_attrs[] = {
	&dev_attr_resources.attr,
	NULL
};

static const struct attribute_group nvmepf_pf_group = {
	.name = "nvmepf",
	.attrs = nvmepf_pf_attrs,
};

const struct attribute_group *nvmepf_pf_groups[] = {
	&nvmepf_pf_group,
	NULL
};

static void nvmepf_vf_release(struct device *dev)
{
	struct nvmepf_vf *vf = to_pfvf(dev);

	pci_dev_put(vf->vf);
	kfree(vf);
}

/* VF @i of our PF (pci_iov_virtfn_bus() is not exported). */
static struct pci_dev *nvmepf_get_vf(struct pci_dev *pdev, int i)
{
	struct pci_dev *vf = NULL;

	while ((vf = pci_get_device(pdev->vendor, PCI_ANY_ID, vf))) {
		if (vf->is_virtfn && pci_physfn(vf) == pdev &&
		    pci_iov_vf_id(vf) == i)
			return vf;
	}
	return NULL;
}

static int nvmepf_vf_add(struct nvmepf *pf, int i)
{
	struct pci_dev *pdev = pf->pdev;
	struct nvmepf_vf_state st;
	struct nvmepf_vf *vf;
	int ret;

	vf = kzalloc(sizeof(*vf), GFP_KERNEL);
	if (!vf)
		return -ENOMEM;
	vf->pf = pf;
	vf->vfn = i + 1;
	vf->vf = nvmepf_get_vf(pdev, i);
	mutex_lock(&pf->lock);
	ret = vf->vf ? nvmepf_sec_entry(pf, vf->vfn, &st) : -ENODEV;
	mutex_unlock(&pf->lock);
	if (ret) {
		pci_err(pdev, "VF %d: no secondary controller: %d\n", vf->vfn,
			ret);
		pci_dev_put(vf->vf);
		kfree(vf);
		return ret;
	}
	vf->scid = st.scid;
	vf->vq_share = min_t(u16, 2, pf->vq_max);	/* admin + one I/O */
	vf->vi_share = min_t(u16, 1, pf->vi_max);

	vf->adev.name = "vfio_pci";
	vf->adev.id = pci_dev_id(vf->vf);
	vf->adev.dev.parent = &pdev->dev;
	vf->adev.dev.release = nvmepf_vf_release;
	vf->adev.dev.groups = nvmepf_vf_groups;
	ret = auxiliary_device_init(&vf->adev);
	if (ret) {
		nvmepf_vf_release(&vf->adev.dev);
		return ret;
	}
	ret = auxiliary_device_add(&vf->adev);
	if (ret) {
		auxiliary_device_uninit(&vf->adev);	/* releases vf */
		return ret;
	}
	pf->vfs[i] = vf;
	pf->num_vfs = i + 1;
	return 0;
}

int nvmepf_vfs_add(struct nvmepf *pf, int num_vfs)
{
	int i, ret;

	pf->vfs = kcalloc(num_vfs, sizeof(*pf->vfs), GFP_KERNEL);
	if (!pf->vfs)
		return -ENOMEM;
	for (i = 0; i < num_vfs; i++) {
		ret = nvmepf_vf_add(pf, i);
		if (ret)
			return ret;	/* the caller deletes those added */
	}
	return 0;
}

/*
 * Delete every VF's auxiliary device: the VF driver's remove returns only
 * once its user has closed the VF (it is asked to through REQ), so no VF
 * is claimed after this; then leave every controller offline and empty.
 */
void nvmepf_vfs_del(struct nvmepf *pf)
{
	struct nvmepf_vf *vf;
	int i;

	for (i = pf->num_vfs - 1; i >= 0; i--) {
		vf = pf->vfs[i];
		auxiliary_device_delete(&vf->adev);
		mutex_lock(&pf->lock);
		nvmepf_vf_release_all(pf, vf);
		vf->claimed = false;
		mutex_unlock(&pf->lock);
		auxiliary_device_uninit(&vf->adev);
	}
	kfree(pf->vfs);
	pf->vfs = NULL;
	pf->num_vfs = 0;
}
