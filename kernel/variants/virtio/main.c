// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfpci_virtio: VFIO variant driver that hands a modern-only virtio PCI
 * device (1af4:1040-107f) to user space as a transitional one, so a guest
 * whose driver speaks only legacy virtio can drive it.  It binds only
 * through driver_override.  config.c shows the transitional header,
 * legacy.c emulates the legacy I/O BAR0 on the modern structures; the
 * rest, the modern BARs included, is vfpci_core.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <linux/virtio_pci.h>

#include "virtio.h"

#define MODERN_ID_BASE	0x1040

/*
 * Device types with a transitional PCI ID whose legacy interface differs
 * from the modern one only in the transport (net: once MRG_RXBUF is
 * negotiated, see legacy.c), and the device config size QEMU's
 * transitional twin has (it sizes BAR0 from it: blk shows 128 bytes, rng
 * 32, console, scsi and balloon 64; net's depends on the features:
 * net_config_len()).
 */
struct virtio_legacy_type {
	u16 type;
	u16 legacy_id;
	u16 config_len;
};

static const struct virtio_legacy_type legacy_types[] = {
	{ VIRTIO_ID_NET,	0x1000,	0 },
	{ VIRTIO_ID_BLOCK,	0x1001,	60 },
	{ VIRTIO_ID_BALLOON,	0x1002,	16 },
	{ VIRTIO_ID_CONSOLE,	0x1003,	12 },
	{ VIRTIO_ID_SCSI,	0x1004,	36 },
	{ VIRTIO_ID_RNG,	0x1005,	0 },
};

static int virtio_open_device(struct vfio_device *vdev)
{
	struct vfpci_virtio_device *vv = to_virtio(vdev);
	u16 cmd;
	int ret;

	ret = vfpci_core_enable(&vv->core);
	if (ret)
		return ret;
	ret = vfpci_virtio_map(vv);
	if (ret) {
		vfpci_core_disable(&vv->core);
		return ret;
	}

	/* A new user starts from a reset device and an unassigned BAR0. */
	mutex_lock(&vv->lock);
	vv->bar0 = PCI_BASE_ADDRESS_SPACE_IO;
	cmd = vfpci_core_memory_lock_and_enable(&vv->core);
	vfpci_virtio_modern_reset(vv);
	vfpci_core_memory_unlock_and_restore(&vv->core, cmd);
	vfpci_virtio_legacy_reset(vv);
	mutex_unlock(&vv->lock);

	vfpci_core_finish_enable(&vv->core);
	return 0;
}

/* Stop the device's DMA before the core lets go of it. */
static void virtio_close_device(struct vfio_device *vdev)
{
	struct vfpci_virtio_device *vv = to_virtio(vdev);
	u16 cmd;

	mutex_lock(&vv->lock);
	if (vv->core.pdev->current_state < PCI_D3hot) {
		cmd = vfpci_core_memory_lock_and_enable(&vv->core);
		vfpci_virtio_modern_reset(vv);
		vfpci_core_memory_unlock_and_restore(&vv->core, cmd);
	}
	vfpci_virtio_legacy_reset(vv);
	mutex_unlock(&vv->lock);
	vfpci_core_close_device(vdev);
}

static int virtio_init_dev(struct vfio_device *vdev)
{
	mutex_init(&to_virtio(vdev)->lock);
	return vfpci_core_init_dev(vdev);
}

static void virtio_release_dev(struct vfio_device *vdev)
{
	mutex_destroy(&to_virtio(vdev)->lock);
	vfpci_core_release_dev(vdev);	/* frees vv */
}

/* BAR0 is ours: an I/O BAR of bar0_size, read/write, never mmap. */
static long virtio_get_region_info(struct vfpci_virtio_device *vv,
				   unsigned long arg)
{
	struct vfio_region_info __user *uinfo = (void __user *)arg;
	size_t minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info;

	if (copy_from_user(&info, uinfo, minsz))
		return -EFAULT;
	if (info.index != VFIO_PCI_BAR0_REGION_INDEX)
		return vfpci_core_ioctl(&vv->core.vdev,
					VFIO_DEVICE_GET_REGION_INFO, arg);
	if (info.argsz < minsz)
		return -EINVAL;

	info.offset = VFPCI_CORE_INDEX_TO_OFFSET(VFIO_PCI_BAR0_REGION_INDEX);
	info.size = vv->bar0_size;
	info.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	info.cap_offset = 0;
	return copy_to_user(uinfo, &info, minsz) ? -EFAULT : 0;
}

/* The emulated BAR0 has no device address an ioeventfd could write. */
static long virtio_ioeventfd(struct vfpci_virtio_device *vv, unsigned long arg)
{
	size_t minsz = offsetofend(struct vfio_device_ioeventfd, fd);
	struct vfio_device_ioeventfd req;

	if (copy_from_user(&req, (void __user *)arg, minsz))
		return -EFAULT;
	if (req.argsz >= minsz && VFPCI_CORE_OFFSET_TO_INDEX(req.offset) ==
				  VFIO_PCI_BAR0_REGION_INDEX)
		return -EINVAL;
	return vfpci_core_ioctl(&vv->core.vdev, VFIO_DEVICE_IOEVENTFD, arg);
}

/* A device reset also resets the legacy view of it. */
static long virtio_reset(struct vfpci_virtio_device *vv)
{
	long ret = vfpci_core_ioctl(&vv->core.vdev, VFIO_DEVICE_RESET, 0);

	if (!ret) {
		mutex_lock(&vv->lock);
		vfpci_virtio_legacy_reset(vv);
		mutex_unlock(&vv->lock);
	}
	return ret;
}

static long virtio_ioctl(struct vfio_device *vdev, unsigned int cmd,
			 unsigned long arg)
{
	struct vfpci_virtio_device *vv = to_virtio(vdev);

	switch (cmd) {
	case VFIO_DEVICE_GET_REGION_INFO:
		return virtio_get_region_info(vv, arg);
	case VFIO_DEVICE_IOEVENTFD:
		return virtio_ioeventfd(vv, arg);
	case VFIO_DEVICE_RESET:
		return virtio_reset(vv);
	default:
		return vfpci_core_ioctl(vdev, cmd, arg);
	}
}

static ssize_t virtio_read(struct vfio_device *vdev, char __user *buf,
			   size_t count, loff_t *ppos)
{
	struct vfpci_virtio_device *vv = to_virtio(vdev);

	switch (VFPCI_CORE_OFFSET_TO_INDEX(*ppos)) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		return vfpci_virtio_config_read(vv, buf, count, ppos);
	case VFIO_PCI_BAR0_REGION_INDEX:
		return vfpci_virtio_bar0_rw(vv, buf, count, ppos, false);
	default:
		return vfpci_core_read(vdev, buf, count, ppos);
	}
}

static ssize_t virtio_write(struct vfio_device *vdev, const char __user *buf,
			    size_t count, loff_t *ppos)
{
	struct vfpci_virtio_device *vv = to_virtio(vdev);

	switch (VFPCI_CORE_OFFSET_TO_INDEX(*ppos)) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		return vfpci_virtio_config_write(vv, buf, count, ppos);
	case VFIO_PCI_BAR0_REGION_INDEX:
		return vfpci_virtio_bar0_rw(vv, (char __user *)buf, count,
					    ppos, true);
	default:
		return vfpci_core_write(vdev, buf, count, ppos);
	}
}

static int virtio_mmap(struct vfio_device *vdev, struct vm_area_struct *vma)
{
	u64 pos = (u64)vma->vm_pgoff << PAGE_SHIFT;

	if (VFPCI_CORE_OFFSET_TO_INDEX(pos) == VFIO_PCI_BAR0_REGION_INDEX)
		return -EINVAL;
	return vfpci_core_mmap(vdev, vma);
}

static const struct vfio_device_ops vfpci_virtio_ops = {
	.name		= "vfpci_virtio",
	.init		= virtio_init_dev,
	.release	= virtio_release_dev,
	.open_device	= virtio_open_device,
	.close_device	= virtio_close_device,
	.ioctl		= virtio_ioctl,
	.device_feature	= vfpci_core_ioctl_feature,
	.read		= virtio_read,
	.write		= virtio_write,
	.mmap		= virtio_mmap,
	.request	= vfpci_core_request,
	.match		= vfpci_core_match,
	VFPCI_COMPAT_IOMMUFD_OPS
};

/*
 * Why a device cannot have a legacy face; NULL when it can.  virtio-net
 * needs MRG_RXBUF (checked later, on the device: net_refusal()).
 */
static const char *legacy_refusal(struct pci_dev *pdev,
				  const struct virtio_legacy_type **lt)
{
	u16 type = pdev->device - MODERN_ID_BASE;
	int i;

	if (IS_ENABLED(CONFIG_CPU_BIG_ENDIAN))
		return "legacy virtio is guest-endian, modern little-endian";
	for (i = 0; i < ARRAY_SIZE(legacy_types); i++) {
		if (legacy_types[i].type == type) {
			*lt = &legacy_types[i];
			break;
		}
	}
	if (!*lt)
		return "no transitional ID for this virtio type";
	/* QEMU's modern-only devices leave BAR0 free; we need it. */
	if (pci_resource_len(pdev, 0))
		return "BAR0 is in use by the device";
	return NULL;
}

/*
 * The device's feature bits @word (0: 0-31, 1: 32-63), read from its
 * common structure with a mapping of our own: the core maps BARs only at
 * open.  ~0 when the device cannot be read.
 */
static u32 probe_features(struct vfpci_virtio_device *vv, u32 word)
{
	struct pci_dev *pdev = vv->core.pdev;
	void __iomem *common;
	u32 val = ~0U;

	if (pci_enable_device_mem(pdev))
		return val;
	common = pci_iomap_range(pdev, vv->common.bar, vv->common.offset,
				 vv->common.length);
	if (common) {
		iowrite32(word, common + VIRTIO_PCI_COMMON_DFSELECT);
		val = ioread32(common + VIRTIO_PCI_COMMON_DF);
		pci_iounmap(pdev, common);
	}
	pci_disable_device(pdev);
	return val;
}

/*
 * The end of the last virtio_net_config field the features make exist:
 * the size a transitional device (QEMU's) gives its legacy config.
 */
static u32 net_config_len(u64 features)
{
	if (features & (BIT_ULL(VIRTIO_NET_F_RSS) |
			BIT_ULL(VIRTIO_NET_F_HASH_REPORT)))
		return offsetofend(struct virtio_net_config,
				   supported_hash_types);
	if (features & BIT_ULL(VIRTIO_NET_F_SPEED_DUPLEX))
		return offsetofend(struct virtio_net_config, duplex);
	if (features & BIT_ULL(VIRTIO_NET_F_MTU))
		return offsetofend(struct virtio_net_config, mtu);
	if (features & BIT_ULL(VIRTIO_NET_F_MQ))
		return offsetofend(struct virtio_net_config,
				   max_virtqueue_pairs);
	if (features & BIT_ULL(VIRTIO_NET_F_STATUS))
		return offsetofend(struct virtio_net_config, status);
	return offsetofend(struct virtio_net_config, mac);
}

/*
 * A legacy virtio-net driver's packet header is 12 bytes, VERSION_1's
 * size, only with MRG_RXBUF: a device that cannot offer it, or that is
 * not a VERSION_1 device, cannot be served.  Else *@len is the legacy
 * config size.
 */
static const char *net_refusal(struct vfpci_virtio_device *vv, u32 *len)
{
	u32 low = probe_features(vv, 0), high = probe_features(vv, 1);

	if (low == ~0U || high == ~0U)
		return "cannot read the device's features";
	if (!(high & BIT(VIRTIO_F_VERSION_1 - 32)))
		return "the device does not offer VERSION_1";
	if (!(low & BIT(VIRTIO_NET_F_MRG_RXBUF)))
		return "no MRG_RXBUF: a legacy header (10 bytes) is not VERSION_1's (12)";
	*len = net_config_len((u64)high << 32 | low);
	return NULL;
}

static int vfpci_virtio_probe(struct pci_dev *pdev,
			      const struct pci_device_id *id)
{
	const struct virtio_legacy_type *lt = NULL;
	struct vfpci_virtio_device *vv;
	const char *why;
	u32 len, cfg_len;
	int ret;

	why = legacy_refusal(pdev, &lt);
	if (why) {
		pci_info(pdev, "virtio type %u: no legacy interface: %s\n",
			 pdev->device - MODERN_ID_BASE, why);
		return -ENODEV;
	}

	vv = vfio_alloc_device(vfpci_virtio_device, core.vdev, &pdev->dev,
			       &vfpci_virtio_ops);
	if (IS_ERR(vv))
		return PTR_ERR(vv);
	vv->type = lt->type;
	vv->legacy_id = lt->legacy_id;
	vv->has_msix = pdev->msix_cap;
	ret = vfpci_virtio_find_caps(vv);
	if (ret)
		goto out_put;
	cfg_len = lt->config_len;
	why = vv->type == VIRTIO_ID_NET ? net_refusal(vv, &cfg_len) : NULL;
	if (why) {
		pci_info(pdev, "virtio-net: no legacy interface: %s\n", why);
		ret = -ENODEV;
		goto out_put;
	}

	/* Sized as a transitional device: header with MSI-X fields, config. */
	len = VIRTIO_PCI_CONFIG_OFF(vv->has_msix) + cfg_len;
	vv->bar0_size = roundup_pow_of_two(len);
	vv->bar0 = PCI_BASE_ADDRESS_SPACE_IO;

	dev_set_drvdata(&pdev->dev, &vv->core);
	ret = vfpci_core_register_device(&vv->core);
	if (ret)
		goto out_put;
	pci_info(pdev, "legacy virtio interface as %04x:%04x, I/O BAR0 of %u bytes\n",
		 PCI_VENDOR_ID_REDHAT_QUMRANET, vv->legacy_id, vv->bar0_size);
	return 0;

out_put:
	vfio_put_device(&vv->core.vdev);
	return ret;
}

static void vfpci_virtio_remove(struct pci_dev *pdev)
{
	struct vfpci_core_device *vdev = dev_get_drvdata(&pdev->dev);

	vfpci_core_unregister_device(vdev);
	vfio_put_device(&vdev->vdev);
}

#define VIRTIO_MODERN(type) \
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_REDHAT_QUMRANET, \
					  MODERN_ID_BASE + (type)) }
/*
 * The types of legacy_types[]: modules.alias then names this driver only
 * for devices it can serve, so a tool choosing the most specific vfio_pci:
 * match (vfpcictl) falls back to vfio-pci for the others.  Bound through
 * driver_override anyway, probe still refuses (and refuses a virtio-net
 * without MRG_RXBUF).
 */
static const struct pci_device_id vfpci_virtio_table[] = {
	VIRTIO_MODERN(VIRTIO_ID_NET),
	VIRTIO_MODERN(VIRTIO_ID_BLOCK),
	VIRTIO_MODERN(VIRTIO_ID_BALLOON),
	VIRTIO_MODERN(VIRTIO_ID_CONSOLE),
	VIRTIO_MODERN(VIRTIO_ID_SCSI),
	VIRTIO_MODERN(VIRTIO_ID_RNG),
	{}
};
MODULE_DEVICE_TABLE(pci, vfpci_virtio_table);

static struct pci_driver vfpci_virtio_driver = {
	.name			= "vfpci_virtio",
	.id_table		= vfpci_virtio_table,
	.probe			= vfpci_virtio_probe,
	.remove			= vfpci_virtio_remove,
	.err_handler		= &vfpci_core_err_handlers,
	.driver_managed_dma	= true,
};
module_pci_driver(vfpci_virtio_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vfpci_virtio: transitional (legacy) virtio over a modern-only virtio PCI device");
