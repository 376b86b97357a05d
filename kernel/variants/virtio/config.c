// SPDX-License-Identifier: GPL-2.0-only
/*
 * The config header a transitional device would show, laid over the
 * core's view: transitional device ID, revision 0, the virtio type as
 * subsystem ID, and an I/O BAR0 (unused by the modern-only device) with
 * its sizing semantics.  COMMAND.IO reads as the user wrote it: the core
 * keeps the user's decode bits, and BAR0 accesses honour it.  Everything
 * else, the modern capabilities included, is the core's.
 */
#include <linux/pci.h>
#include <linux/uaccess.h>

#include "virtio.h"

#define BAR0_END	(PCI_BASE_ADDRESS_0 + 4)

/*
 * The bits of config byte @off we own (returned) and their value (*@val).
 * Called with lock held.
 */
static u8 overlay(struct vfpci_virtio_device *vv, unsigned int off, u8 *val)
{
	u16 cmd;

	switch (off) {
	case PCI_DEVICE_ID:
	case PCI_DEVICE_ID + 1:
		*val = vv->legacy_id >> (8 * (off - PCI_DEVICE_ID));
		return 0xff;
	case PCI_REVISION_ID:
		*val = 0;
		return 0xff;
	case PCI_BASE_ADDRESS_0 ... BAR0_END - 1:
		*val = vv->bar0 >> (8 * (off - PCI_BASE_ADDRESS_0));
		return 0xff;
	case PCI_SUBSYSTEM_ID:
	case PCI_SUBSYSTEM_ID + 1:
		*val = vv->type >> (8 * (off - PCI_SUBSYSTEM_ID));
		return 0xff;
	case PCI_COMMAND:
		cmd = get_unaligned_le16(vv->core.vconfig + PCI_COMMAND);
		*val = cmd & PCI_COMMAND_IO;
		return PCI_COMMAND_IO;
	}
	return 0;
}

ssize_t vfpci_virtio_config_read(struct vfpci_virtio_device *vv,
				 char __user *buf, size_t count, loff_t *ppos)
{
	loff_t pos = *ppos & VFPCI_CORE_OFFSET_MASK;
	ssize_t ret, i;

	ret = vfpci_core_read(&vv->core.vdev, buf, count, ppos);
	if (ret <= 0 || pos >= PCI_STD_HEADER_SIZEOF)
		return ret;

	mutex_lock(&vv->lock);
	for (i = 0; i < ret && pos + i < PCI_STD_HEADER_SIZEOF; i++) {
		u8 mask, val = 0, b;

		mask = overlay(vv, pos + i, &val);
		if (!mask)
			continue;
		if (get_user(b, buf + i) ||
		    put_user((u8)((b & ~mask) | (val & mask)), buf + i)) {
			ret = -EFAULT;
			break;
		}
	}
	mutex_unlock(&vv->lock);
	return ret;
}

/* Bytes of BAR0 the user writes: only address bits stick, type is I/O. */
static ssize_t bar0_write(struct vfpci_virtio_device *vv,
			  const char __user *buf, size_t count, loff_t pos)
{
	u8 bytes[4];
	size_t i;

	count = min_t(size_t, count, BAR0_END - pos);
	if (copy_from_user(bytes, buf, count))
		return -EFAULT;

	mutex_lock(&vv->lock);
	for (i = 0; i < count; i++) {
		unsigned int shift = 8 * (pos + i - PCI_BASE_ADDRESS_0);

		vv->bar0 = (vv->bar0 & ~(0xffU << shift)) |
			   (u32)bytes[i] << shift;
	}
	vv->bar0 = (vv->bar0 & ~(vv->bar0_size - 1)) |
		   PCI_BASE_ADDRESS_SPACE_IO;
	mutex_unlock(&vv->lock);
	return count;
}

/* The core takes everything but the BAR0 bytes. */
ssize_t vfpci_virtio_config_write(struct vfpci_virtio_device *vv,
				  const char __user *buf, size_t count,
				  loff_t *ppos)
{
	loff_t base = *ppos & ~(loff_t)VFPCI_CORE_OFFSET_MASK;
	loff_t pos = *ppos & VFPCI_CORE_OFFSET_MASK;
	size_t done = 0;
	ssize_t ret;

	while (done < count) {
		loff_t cur = pos + done;
		size_t left = count - done;

		if (cur >= PCI_BASE_ADDRESS_0 && cur < BAR0_END) {
			ret = bar0_write(vv, buf + done, left, cur);
		} else {
			loff_t at = base | cur;

			if (cur < PCI_BASE_ADDRESS_0)
				left = min_t(size_t, left,
					     PCI_BASE_ADDRESS_0 - cur);
			ret = vfpci_core_write(&vv->core.vdev, buf + done,
					       left, &at);
		}
		if (ret < 0)
			return done ? done : ret;
		if (!ret)
			break;
		done += ret;
	}
	*ppos += done;
	return done;
}
