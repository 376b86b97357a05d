// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pairing registry.  The VF's pci_driver and nvmepf's auxiliary
 * device bind in either order and unbind at any time; whichever half
 * arrives second registers the VFIO device, whichever leaves first
 * unregisters it (the vfio core asks the user to let go through REQ and
 * waits).  So the VFIO device exists exactly while both halves do, and
 * every use of nvmepf's handle happens inside that window.
 */
#include <linux/slab.h>

#include "nvme.h"

static DEFINE_MUTEX(pairs_lock);
static LIST_HEAD(pairs);

/* A reference to the pair of @vf, created when @create; NULL if none. */
struct vfpci_nvme_pair *vfpci_nvme_pair_get(struct pci_dev *vf, bool create)
{
	struct vfpci_nvme_pair *pair;

	mutex_lock(&pairs_lock);
	list_for_each_entry(pair, &pairs, node) {
		if (pair->vf == vf) {
			kref_get(&pair->ref);
			goto out;
		}
	}
	pair = NULL;
	if (!create)
		goto out;
	pair = kzalloc(sizeof(*pair), GFP_KERNEL);
	if (!pair)
		goto out;
	kref_init(&pair->ref);
	mutex_init(&pair->lock);
	pair->vf = pci_dev_get(vf);
	list_add(&pair->node, &pairs);
out:
	mutex_unlock(&pairs_lock);
	return pair;
}

static void vfpci_nvme_pair_release(struct kref *ref)
	__releases(&pairs_lock)
{
	struct vfpci_nvme_pair *pair =
		container_of(ref, struct vfpci_nvme_pair, ref);

	list_del(&pair->node);
	mutex_unlock(&pairs_lock);
	pci_dev_put(pair->vf);
	mutex_destroy(&pair->lock);
	kfree(pair);
}

void vfpci_nvme_pair_put(struct vfpci_nvme_pair *pair)
{
	kref_put_mutex(&pair->ref, vfpci_nvme_pair_release, &pairs_lock);
}

/* With pair->lock: register the VFIO device once both halves are here. */
int vfpci_nvme_fuse(struct vfpci_nvme_pair *pair)
{
	struct vfpci_nvme_device *nv;
	int ret;

	lockdep_assert_held(&pair->lock);
	if (!pair->vf_bound || !pair->adev || pair->nv)
		return 0;

	nv = vfio_alloc_device(vfpci_nvme_device, core.vdev, &pair->vf->dev,
			       &vfpci_nvme_ops);
	if (IS_ERR(nv))
		return PTR_ERR(nv);
	nv->pfvf = nvmepf_vf_from_adev(pair->adev);
	/* The core's PCI callbacks (AER, PM) find the device here. */
	dev_set_drvdata(&pair->vf->dev, &nv->core);
	ret = vfpci_core_register_device(&nv->core);
	if (ret) {
		dev_set_drvdata(&pair->vf->dev, NULL);
		vfio_put_device(&nv->core.vdev);
		return ret;
	}
	pair->nv = nv;
	pci_info(pair->vf, "fused with %s\n", dev_name(&pair->adev->dev));
	return 0;
}

/* With pair->lock: unregister, waiting for the user to close. */
void vfpci_nvme_unfuse(struct vfpci_nvme_pair *pair)
{
	struct vfpci_nvme_device *nv = pair->nv;

	lockdep_assert_held(&pair->lock);
	if (!nv)
		return;
	vfpci_core_unregister_device(&nv->core);
	dev_set_drvdata(&pair->vf->dev, NULL);
	vfio_put_device(&nv->core.vdev);
	pair->nv = NULL;
	pci_info(pair->vf, "unfused\n");
}
