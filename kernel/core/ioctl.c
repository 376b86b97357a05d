// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device fd's ioctls: argument checking and dispatch.  The work behind
 * each command lives in the file that owns its state.
 */
#include <linux/nospec.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

#include "private.h"

/* Copy the caps chain after the fixed struct, or report the size needed. */
static int vfpci_copy_caps(struct vfio_info_cap *caps, void __user *arg,
			   size_t fixed, u32 *argsz, u32 *cap_offset)
{
	if (*argsz < fixed + caps->size) {
		*argsz = fixed + caps->size;
		*cap_offset = 0;
		return 0;
	}
	vfio_info_cap_shift(caps, fixed);
	if (copy_to_user(arg + fixed, caps->buf, caps->size))
		return -EFAULT;
	*cap_offset = fixed;
	return 0;
}

static int vfpci_ioctl_get_info(struct vfpci_core_device *vdev,
				struct vfio_device_info __user *arg)
{
	size_t minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	/* Older users pass no room for cap_offset: answer what fits. */
	if (info.argsz >= offsetofend(struct vfio_device_info, cap_offset)) {
		minsz = offsetofend(struct vfio_device_info, cap_offset);
		info.cap_offset = 0;
	}

	info.flags = VFIO_DEVICE_FLAGS_PCI;
	if (vdev->reset_works)
		info.flags |= VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = VFPCI_NUM_REGIONS + vdev->num_regions;
	info.num_irqs = VFIO_PCI_NUM_IRQS;

	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/* Does the ROM answer at all?  pci_map_rom() needs memory decode on. */
static size_t vfpci_rom_probe(struct vfpci_core_device *vdev, u32 *flags)
{
	struct pci_dev *pdev = vdev->pdev;
	size_t size = pci_resource_len(pdev, PCI_ROM_RESOURCE);
	void __iomem *io;
	size_t rom_size;
	u16 cmd;

	*flags = 0;
	if (!size) {
		/* A shadowed ROM has no BAR but is readable. */
		if (!(pdev->resource[PCI_ROM_RESOURCE].flags &
		      IORESOURCE_ROM_SHADOW))
			return 0;
		size = 0x20000;
	}

	cmd = vfpci_core_memory_lock_and_enable(vdev);
	io = pci_map_rom(pdev, &rom_size);
	if (io) {
		*flags = VFIO_REGION_INFO_FLAG_READ;
		pci_unmap_rom(pdev, io);
	} else {
		size = 0;
	}
	vfpci_core_memory_unlock_and_restore(vdev, cmd);
	return size;
}

static int vfpci_region_info_fill(struct vfpci_core_device *vdev,
				  struct vfio_region_info *info,
				  struct vfio_info_cap *caps)
{
	struct pci_dev *pdev = vdev->pdev;
	struct vfpci_core_region *region;
	struct vfio_region_info_cap_type cap_type = {
		.header.id = VFIO_REGION_INFO_CAP_TYPE,
		.header.version = 1,
	};
	struct vfio_info_cap_header msix_cap = {
		.id = VFIO_REGION_INFO_CAP_MSIX_MAPPABLE,
		.version = 1,
	};
	unsigned int i;
	int ret;

	info->offset = VFPCI_CORE_INDEX_TO_OFFSET(info->index);
	info->flags = 0;

	switch (info->index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		info->size = pdev->cfg_size;
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_WRITE;
		return 0;
	case VFIO_PCI_BAR0_REGION_INDEX ... VFIO_PCI_BAR5_REGION_INDEX:
		info->size = pci_resource_len(pdev, info->index);
		if (!info->size)
			return 0;
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_WRITE;
		if (!vdev->bar_mmap_supported[info->index])
			return 0;
		info->flags |= VFIO_REGION_INFO_FLAG_MMAP;
		/* The whole BAR maps, MSI-X table included (IRQ remapping). */
		if (info->index == vdev->msix_bar)
			return vfio_info_add_capability(caps, &msix_cap,
							sizeof(msix_cap));
		return 0;
	case VFIO_PCI_ROM_REGION_INDEX:
		info->size = vfpci_rom_probe(vdev, &info->flags);
		return 0;
	case VFIO_PCI_VGA_REGION_INDEX:
		if (!vdev->has_vga)
			return -EINVAL;
		info->size = 0xc0000;
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_WRITE;
		return 0;
	}

	if (info->index >= VFPCI_NUM_REGIONS + vdev->num_regions)
		return -EINVAL;
	i = array_index_nospec(info->index - VFPCI_NUM_REGIONS,
			       vdev->num_regions);
	region = &vdev->region[i];
	info->size = region->size;
	info->flags = region->flags;
	cap_type.type = region->type;
	cap_type.subtype = region->subtype;
	ret = vfio_info_add_capability(caps, &cap_type.header,
				       sizeof(cap_type));
	if (ret || !region->ops->add_capability)
		return ret;
	return region->ops->add_capability(vdev, region, caps);
}

static int vfpci_ioctl_get_region_info(struct vfpci_core_device *vdev,
				       struct vfio_region_info __user *arg)
{
	size_t minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_info_cap caps = { .buf = NULL, .size = 0 };
	struct vfio_region_info info;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	ret = vfpci_region_info_fill(vdev, &info, &caps);
	if (!ret && caps.size) {
		info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
		ret = vfpci_copy_caps(&caps, arg, sizeof(info), &info.argsz,
				      &info.cap_offset);
	}
	kfree(caps.buf);
	if (ret)
		return ret;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static int vfpci_ioctl_get_irq_info(struct vfpci_core_device *vdev,
				    struct vfio_irq_info __user *arg)
{
	size_t minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	/* ERR exists only where AER can report something: PCIe. */
	if (info.index == VFIO_PCI_ERR_IRQ_INDEX && !pci_is_pcie(vdev->pdev))
		return -EINVAL;

	info.flags = VFIO_IRQ_INFO_EVENTFD;
	if (info.index == VFIO_PCI_INTX_IRQ_INDEX)
		info.flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
	else if (info.index != VFIO_PCI_MSIX_IRQ_INDEX ||
		 !vfpci_compat_msix_dyn(vdev->pdev))
		info.flags |= VFIO_IRQ_INFO_NORESIZE;
	info.count = vfpci_intrs_irq_count(vdev, info.index);

	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static int vfpci_ioctl_set_irqs(struct vfpci_core_device *vdev,
				struct vfio_irq_set __user *arg)
{
	size_t minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	size_t data_size = 0;
	void *data = NULL;
	int max, ret;

	if (copy_from_user(&hdr, arg, minsz))
		return -EFAULT;

	max = vfpci_intrs_irq_count(vdev, hdr.index);
	ret = vfio_set_irqs_validate_and_prepare(&hdr, max, VFIO_PCI_NUM_IRQS,
						 &data_size);
	if (ret)
		return ret;

	if (data_size) {
		data = memdup_user(&arg->data, data_size);
		if (IS_ERR(data))
			return PTR_ERR(data);
	}

	mutex_lock(&vdev->igate);
	ret = vfpci_intrs_set_irqs(vdev, hdr.flags, hdr.index, hdr.start,
				   hdr.count, data);
	mutex_unlock(&vdev->igate);
	kfree(data);
	return ret;
}

static int vfpci_ioctl_ioeventfd(struct vfpci_core_device *vdev,
				 struct vfio_device_ioeventfd __user *arg)
{
	size_t minsz = offsetofend(struct vfio_device_ioeventfd, fd);
	struct vfio_device_ioeventfd req;
	int size;

	if (copy_from_user(&req, arg, minsz))
		return -EFAULT;
	if (req.argsz < minsz)
		return -EINVAL;
	if (req.flags & ~VFIO_DEVICE_IOEVENTFD_SIZE_MASK)
		return -EINVAL;

	size = req.flags & VFIO_DEVICE_IOEVENTFD_SIZE_MASK;
	if (hweight8(size) != 1 || req.fd < -1)
		return -EINVAL;

	return vfpci_ioeventfd(vdev, req.offset, req.data, size, req.fd);
}

long vfpci_core_ioctl(struct vfio_device *core_vdev, unsigned int cmd,
		      unsigned long arg)
{
	struct vfpci_core_device *vdev = to_vfpci_core(core_vdev);
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return vfpci_ioctl_get_info(vdev, uarg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return vfpci_ioctl_get_region_info(vdev, uarg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return vfpci_ioctl_get_irq_info(vdev, uarg);
	case VFIO_DEVICE_SET_IRQS:
		return vfpci_ioctl_set_irqs(vdev, uarg);
	case VFIO_DEVICE_RESET:
		return vfpci_ioctl_reset(vdev);
	case VFIO_DEVICE_GET_PCI_HOT_RESET_INFO:
		return vfpci_ioctl_hot_reset_info(vdev, uarg);
	case VFIO_DEVICE_PCI_HOT_RESET:
		return vfpci_ioctl_hot_reset(vdev, uarg);
	case VFIO_DEVICE_IOEVENTFD:
		return vfpci_ioctl_ioeventfd(vdev, uarg);
	default:
		return -ENOTTY;
	}
}
EXPORT_SYMBOL_GPL(vfpci_core_ioctl);

int vfpci_core_ioctl_feature(struct vfio_device *device, u32 flags,
			     void __user *arg, size_t argsz)
{
	struct vfpci_core_device *vdev = to_vfpci_core(device);
	u32 feature = flags & VFIO_DEVICE_FEATURE_MASK;

	switch (feature) {
	case VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY:
	case VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP:
	case VFIO_DEVICE_FEATURE_LOW_POWER_EXIT:
		return vfpci_pm_feature(vdev, flags, feature, arg, argsz);
	case VFIO_DEVICE_FEATURE_PCI_VF_TOKEN:
		return vfpci_vf_token_feature(vdev, flags, arg, argsz);
	default:
		return -ENOTTY;
	}
}
EXPORT_SYMBOL_GPL(vfpci_core_ioctl_feature);

int vfpci_core_register_dev_region(struct vfpci_core_device *vdev,
				   unsigned int type, unsigned int subtype,
				   const struct vfpci_core_region_ops *ops,
				   size_t size, u32 flags, void *data)
{
	struct vfpci_core_region *region;

	region = krealloc(vdev->region,
			  (vdev->num_regions + 1) * sizeof(*region),
			  GFP_KERNEL_ACCOUNT);
	if (!region)
		return -ENOMEM;

	vdev->region = region;
	region += vdev->num_regions++;
	region->type = type;
	region->subtype = subtype;
	region->ops = ops;
	region->size = size;
	region->flags = flags;
	region->data = data;
	return 0;
}
EXPORT_SYMBOL_GPL(vfpci_core_register_dev_region);
