// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfpci_edu: VFIO variant driver for QEMU's edu (1234:11e8) with live
 * migration and device dirty tracking.  It binds only through
 * driver_override.  BAR0 is trapped whole (no mmap) so the driver sees
 * every register access: dev.c mediates them, mig.c saves and restores
 * the device, dirty.c logs the pages its emulated DMA writes.  The rest
 * is vfpci_core.  See docs/edu-migration.md.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

#include "edu.h"

static int edu_init_dev(struct vfio_device *vdev)
{
	struct vfpci_edu_device *edev = to_edu(vdev);

	mutex_init(&edev->state_mutex);
	vfpci_edu_log_init(edev);
	vdev->migration_flags = VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P;
#ifdef VFPCI_HAVE_MIG_PRE_COPY
	vdev->migration_flags |= VFIO_MIGRATION_PRE_COPY;
#endif
	vdev->mig_ops = &vfpci_edu_mig_ops;
#ifdef VFPCI_HAVE_DMA_LOGGING
	vdev->log_ops = &vfpci_edu_log_ops;
#endif
	return vfpci_core_init_dev(vdev);
}

static void edu_release_dev(struct vfio_device *vdev)
{
	struct vfpci_edu_device *edev = to_edu(vdev);

	mutex_destroy(&edev->state_mutex);
	vfpci_core_release_dev(vdev);	/* frees edev */
}

static int edu_open_device(struct vfio_device *vdev)
{
	struct vfpci_edu_device *edev = to_edu(vdev);
	int ret;

	ret = vfpci_core_enable(&edev->core);
	if (ret)
		return ret;
	/* Our own register accesses need BAR0 mapped from the start. */
	ret = vfpci_core_setup_barmap(&edev->core, 0);
	if (ret) {
		vfpci_core_disable(&edev->core);
		return ret;
	}
	mutex_lock(&edev->state_mutex);
	edev->mig_state = VFIO_DEVICE_STATE_RUNNING;
	vfpci_edu_dev_reset(edev);
	mutex_unlock(&edev->state_mutex);
	vfpci_core_finish_enable(&edev->core);
	return 0;
}

static void edu_close_device(struct vfio_device *vdev)
{
	struct vfpci_edu_device *edev = to_edu(vdev);

	mutex_lock(&edev->state_mutex);
	vfpci_edu_mig_reset(edev);
	vfpci_edu_log_release(edev);
	mutex_unlock(&edev->state_mutex);
	vfpci_core_close_device(vdev);
}

/*
 * VFIO_DEVICE_RESET must bring the migration state back to RUNNING, also
 * from ERROR.  edu has no reset of its own (the core answers EINVAL):
 * then the driver-level reset alone answers, and GET_INFO says so.
 */
static int edu_reset(struct vfpci_edu_device *edev)
{
	int ret = 0;

	mutex_lock(&edev->state_mutex);
	if (edev->core.reset_works)
		ret = vfpci_core_ioctl(&edev->core.vdev, VFIO_DEVICE_RESET, 0);
	if (!ret) {
		vfpci_edu_mig_reset(edev);
		vfpci_edu_dev_reset(edev);
	}
	mutex_unlock(&edev->state_mutex);
	return ret;
}

static long edu_get_info(struct vfio_device *vdev, unsigned long arg)
{
	struct vfio_device_info __user *uinfo = (void __user *)arg;
	u32 flags;
	long ret;

	ret = vfpci_core_ioctl(vdev, VFIO_DEVICE_GET_INFO, arg);
	if (ret)
		return ret;
	if (get_user(flags, &uinfo->flags))
		return -EFAULT;
	return put_user(flags | VFIO_DEVICE_FLAGS_RESET, &uinfo->flags);
}

/* BAR0 is trapped: the core's answer without mmap (and so no caps). */
static long edu_get_region_info(struct vfio_device *vdev, unsigned long arg)
{
	struct vfio_region_info __user *uinfo = (void __user *)arg;
	size_t minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info;
	long ret;

	if (copy_from_user(&info, uinfo, minsz))
		return -EFAULT;
	ret = vfpci_core_ioctl(vdev, VFIO_DEVICE_GET_REGION_INFO, arg);
	if (ret || info.argsz < minsz ||
	    info.index != VFIO_PCI_BAR0_REGION_INDEX)
		return ret;
	/* Keep the user's argsz: without caps the fixed part is all. */
	ret = copy_from_user(&info.flags, &uinfo->flags,
			     minsz - offsetof(struct vfio_region_info, flags));
	if (ret)
		return -EFAULT;
	info.flags &= ~(VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS);
	info.cap_offset = 0;
	return copy_to_user(uinfo, &info, minsz) ? -EFAULT : 0;
}

/*
 * An ioeventfd writes the device directly, behind the mediation of BAR0
 * (a write of edu's DMA command would start the real engine): none on
 * BAR0.  Other regions go to the core, which checks everything else.
 */
static long edu_ioeventfd(struct vfio_device *vdev, unsigned long arg)
{
	size_t minsz = offsetofend(struct vfio_device_ioeventfd, fd);
	struct vfio_device_ioeventfd req;

	if (copy_from_user(&req, (void __user *)arg, minsz))
		return -EFAULT;
	if (req.argsz >= minsz && VFPCI_CORE_OFFSET_TO_INDEX(req.offset) ==
				  VFIO_PCI_BAR0_REGION_INDEX)
		return -EINVAL;
	return vfpci_core_ioctl(vdev, VFIO_DEVICE_IOEVENTFD, arg);
}

static long edu_ioctl(struct vfio_device *vdev, unsigned int cmd,
		      unsigned long arg)
{
	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return edu_get_info(vdev, arg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return edu_get_region_info(vdev, arg);
	case VFIO_DEVICE_RESET:
		return edu_reset(to_edu(vdev));
	case VFIO_DEVICE_IOEVENTFD:
		return edu_ioeventfd(vdev, arg);
	default:
		return vfpci_core_ioctl(vdev, cmd, arg);
	}
}

static bool edu_is_bar0(loff_t pos)
{
	return VFPCI_CORE_OFFSET_TO_INDEX(pos) == VFIO_PCI_BAR0_REGION_INDEX;
}

static ssize_t edu_read(struct vfio_device *vdev, char __user *buf,
			size_t count, loff_t *ppos)
{
	if (!edu_is_bar0(*ppos))
		return vfpci_core_read(vdev, buf, count, ppos);
	return vfpci_edu_bar0_rw(to_edu(vdev), buf, count, ppos, false);
}

static ssize_t edu_write(struct vfio_device *vdev, const char __user *buf,
			 size_t count, loff_t *ppos)
{
	if (!edu_is_bar0(*ppos))
		return vfpci_core_write(vdev, buf, count, ppos);
	return vfpci_edu_bar0_rw(to_edu(vdev), (char __user *)buf, count,
				 ppos, true);
}

static int edu_mmap(struct vfio_device *vdev, struct vm_area_struct *vma)
{
	u64 pos = (u64)vma->vm_pgoff << PAGE_SHIFT;

	if (edu_is_bar0(pos))
		return -EINVAL;
	return vfpci_core_mmap(vdev, vma);
}

static const struct vfio_device_ops vfpci_edu_ops = {
	.name		= "vfpci_edu",
	.init		= edu_init_dev,
	.release	= edu_release_dev,
	.open_device	= edu_open_device,
	.close_device	= edu_close_device,
	.ioctl		= edu_ioctl,
	.device_feature	= vfpci_core_ioctl_feature,
	.read		= edu_read,
	.write		= edu_write,
	.mmap		= edu_mmap,
	.request	= vfpci_core_request,
	.match		= vfpci_core_match,
	VFPCI_COMPAT_IOMMUFD_OPS
};

static int vfpci_edu_probe(struct pci_dev *pdev,
			   const struct pci_device_id *id)
{
	struct vfpci_edu_device *edev;
	int ret;

	edev = vfio_alloc_device(vfpci_edu_device, core.vdev, &pdev->dev,
				 &vfpci_edu_ops);
	if (IS_ERR(edev))
		return PTR_ERR(edev);

	dev_set_drvdata(&pdev->dev, &edev->core);
	ret = vfpci_core_register_device(&edev->core);
	if (ret) {
		vfio_put_device(&edev->core.vdev);
		return ret;
	}
	return 0;
}

static void vfpci_edu_remove(struct pci_dev *pdev)
{
	struct vfpci_core_device *vdev = dev_get_drvdata(&pdev->dev);

	vfpci_core_unregister_device(vdev);
	vfio_put_device(&vdev->vdev);
}

static const struct pci_device_id vfpci_edu_table[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(0x1234, 0x11e8) },	/* QEMU edu */
	{}
};
MODULE_DEVICE_TABLE(pci, vfpci_edu_table);

static struct pci_driver vfpci_edu_driver = {
	.name			= "vfpci_edu",
	.id_table		= vfpci_edu_table,
	.probe			= vfpci_edu_probe,
	.remove			= vfpci_edu_remove,
	.err_handler		= &vfpci_core_err_handlers,
	.driver_managed_dma	= true,
};
module_pci_driver(vfpci_edu_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vfpci_edu: VFIO variant driver for QEMU edu with live migration");
#ifdef VFPCI_HAVE_IOVA_BITMAP_NS
MODULE_IMPORT_NS(IOMMUFD);
#endif
