// SPDX-License-Identifier: GPL-2.0-only
/*
 * The real device's modern interface: the vendor capabilities that say
 * where the common, notify, ISR and device config structures live, and
 * raw accesses to them through the core's BAR mappings (shared with the
 * user's region accesses, so no second request of the same BARs).
 */
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/pci.h>
#include <linux/virtio_pci.h>

#include "virtio.h"

/* The smallest structures we can work with. */
static u32 min_length(u8 type)
{
	switch (type) {
	case VIRTIO_PCI_CAP_COMMON_CFG:
		return VIRTIO_PCI_COMMON_Q_USEDHI + 4;
	case VIRTIO_PCI_CAP_NOTIFY_CFG:
		return 2;
	case VIRTIO_PCI_CAP_ISR_CFG:
		return 1;
	default:
		return 0;
	}
}

static struct vfpci_virtio_loc *loc_of(struct vfpci_virtio_device *vv,
				       u8 type)
{
	switch (type) {
	case VIRTIO_PCI_CAP_COMMON_CFG:
		return &vv->common;
	case VIRTIO_PCI_CAP_NOTIFY_CFG:
		return &vv->notify;
	case VIRTIO_PCI_CAP_ISR_CFG:
		return &vv->isr;
	case VIRTIO_PCI_CAP_DEVICE_CFG:
		return &vv->devcfg;
	default:
		return NULL;
	}
}

/*
 * Take the first usable capability of each type, as the spec asks of a
 * driver; ones pointing outside a memory BAR are skipped.
 */
int vfpci_virtio_find_caps(struct vfpci_virtio_device *vv)
{
	struct pci_dev *pdev = vv->core.pdev;
	struct vfpci_virtio_loc *loc;
	u32 offset, length, mult = 0;
	u8 type, bar;
	int pos;

	vv->common.bar = -1;
	vv->notify.bar = -1;
	vv->isr.bar = -1;
	vv->devcfg.bar = -1;

	for (pos = pci_find_capability(pdev, PCI_CAP_ID_VNDR); pos;
	     pos = pci_find_next_capability(pdev, pos, PCI_CAP_ID_VNDR)) {
		pci_read_config_byte(pdev, pos + VIRTIO_PCI_CAP_CFG_TYPE, &type);
		pci_read_config_byte(pdev, pos + VIRTIO_PCI_CAP_BAR, &bar);
		pci_read_config_dword(pdev, pos + VIRTIO_PCI_CAP_OFFSET, &offset);
		pci_read_config_dword(pdev, pos + VIRTIO_PCI_CAP_LENGTH, &length);

		loc = loc_of(vv, type);
		if (!loc || loc->bar >= 0)
			continue;
		if (bar >= PCI_STD_NUM_BARS ||
		    !(pci_resource_flags(pdev, bar) & IORESOURCE_MEM) ||
		    length < min_length(type) ||
		    (u64)offset + length > pci_resource_len(pdev, bar))
			continue;
		if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
			pci_read_config_dword(pdev, pos + VIRTIO_PCI_NOTIFY_CAP_MULT,
					      &mult);
		loc->bar = bar;
		loc->offset = offset;
		loc->length = length;
	}

	if (vv->common.bar < 0 || vv->notify.bar < 0 || vv->isr.bar < 0) {
		pci_info(pdev, "no usable modern virtio common/notify/ISR structure\n");
		return -ENODEV;
	}
	vv->notify_mult = mult;
	return 0;
}

/* Map the BARs the structures live in (at open, after the core's enable). */
int vfpci_virtio_map(struct vfpci_virtio_device *vv)
{
	const struct vfpci_virtio_loc *locs[] = {
		&vv->common, &vv->notify, &vv->isr, &vv->devcfg,
	};
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(locs); i++) {
		if (locs[i]->bar < 0)
			continue;
		ret = vfpci_core_setup_barmap(&vv->core, locs[i]->bar);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Raw accesses: the caller holds memory_lock with decode on (see
 * vfpci_core_memory_lock_and_enable) and has checked @off + @size against
 * @loc->length.
 */
u32 vfpci_virtio_rd(struct vfpci_virtio_device *vv,
		    const struct vfpci_virtio_loc *loc, u32 off, int size)
{
	void __iomem *io = vv->core.barmap[loc->bar] + loc->offset + off;

	switch (size) {
	case 1:
		return ioread8(io);
	case 2:
		return ioread16(io);
	default:
		return ioread32(io);
	}
}

void vfpci_virtio_wr(struct vfpci_virtio_device *vv,
		     const struct vfpci_virtio_loc *loc, u32 off, int size,
		     u32 val)
{
	void __iomem *io = vv->core.barmap[loc->bar] + loc->offset + off;

	switch (size) {
	case 1:
		iowrite8(val, io);
		break;
	case 2:
		iowrite16(val, io);
		break;
	default:
		iowrite32(val, io);
		break;
	}
}

/*
 * The spec lets a device take its time to reset: the driver must wait for
 * device_status to read 0.  QEMU does it at once; give hardware 100 ms.
 */
int vfpci_virtio_modern_reset(struct vfpci_virtio_device *vv)
{
	int i;

	vfpci_virtio_wr(vv, &vv->common, VIRTIO_PCI_COMMON_STATUS, 1, 0);
	for (i = 0; i < 1000; i++) {
		if (!vfpci_virtio_rd(vv, &vv->common,
				     VIRTIO_PCI_COMMON_STATUS, 1))
			return 0;
		usleep_range(100, 200);
	}
	pci_warn(vv->core.pdev, "virtio device did not finish its reset\n");
	return -ETIMEDOUT;
}
