// SPDX-License-Identifier: GPL-2.0-only
/*
 * The config space of a mediated function: nothing behind it but this
 * copy.  Which bits a user may write comes from two tables ANDed at init:
 * vfpci_core's permission tables (what VFIO lets a user change in the
 * header and in MSI, the same tables as for a physical function) and the
 * bits the emulated function implements (its BARs' sizes, the COMMAND bits
 * that mean something here, MSI enable and vector count).  Everything else
 * reads as the driver's info made it and ignores writes.
 */
#include <linux/uaccess.h>

#include "private.h"

#define VFPCI_MDEV_MSI_POS	0x40	/* where QEMU puts a lone capability */

/* COMMAND bits the function implements (no I/O space, no VGA). */
#define VFPCI_MDEV_CMD_BITS	(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | \
				 PCI_COMMAND_PARITY | PCI_COMMAND_SERR | \
				 PCI_COMMAND_INTX_DISABLE)

/* MSI flags bits the function implements: enable and vectors enabled. */
#define VFPCI_MDEV_MSI_FLAG_BITS	(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE)

static u32 get_le(const u8 *p, int len)
{
	if (len == 4)
		return get_unaligned_le32(p);
	return len == 2 ? get_unaligned_le16(p) : *p;
}

static void put_le(u8 *p, int len, u32 v)
{
	if (len == 4)
		put_unaligned_le32(v, p);
	else if (len == 2)
		put_unaligned_le16(v, p);
	else
		*p = v;
}

static void put8(struct vfpci_mdev *m, int pos, u8 v)
{
	m->vconfig[pos] = v;
}

static void put16(struct vfpci_mdev *m, int pos, u16 v)
{
	put_unaligned_le16(v, m->vconfig + pos);
}

static void put32(struct vfpci_mdev *m, int pos, u32 v)
{
	put_unaligned_le32(v, m->vconfig + pos);
}

/* Device side: the bits of @len bytes at @pos the function implements. */
static void implement(struct vfpci_mdev *m, int pos, int len, u32 bits)
{
	put_le(m->wmask + pos, len, bits);
}

/* AND the user-side table @t (for the area at @base) into wmask. */
static void permit(struct vfpci_mdev *m, int base, int len,
		   const struct vfpci_core_cfg_masks *t)
{
	int off;

	for (off = 0; off < len; off++)
		m->wmask[base + off] &= vfpci_core_cfg_mask(t->wmask, t->size,
							    off, 1);
}

static void header_init(struct vfpci_mdev *m)
{
	const struct vfpci_mdev_info *info = m->info;
	struct vfpci_core_cfg_masks t;
	int i;

	put16(m, PCI_VENDOR_ID, info->vendor);
	put16(m, PCI_DEVICE_ID, info->device);
	put8(m, PCI_REVISION_ID, info->revision);
	put8(m, PCI_CLASS_PROG, info->class & 0xff);
	put16(m, PCI_CLASS_DEVICE, info->class >> 8);
	put16(m, PCI_SUBSYSTEM_VENDOR_ID, info->subsystem_vendor);
	put16(m, PCI_SUBSYSTEM_ID, info->subsystem_device);
	put8(m, PCI_INTERRUPT_PIN, info->intx ? 1 : 0);
	/*
	 * Memory decode on, as vfio-pci users find a function the host has
	 * enabled: users that only turn on bus mastering work here too.
	 */
	put16(m, PCI_COMMAND, PCI_COMMAND_MEMORY);

	implement(m, PCI_COMMAND, 2, VFPCI_MDEV_CMD_BITS);
	implement(m, PCI_CACHE_LINE_SIZE, 1, 0xff);
	implement(m, PCI_LATENCY_TIMER, 1, 0xff);
	implement(m, PCI_INTERRUPT_LINE, 1, 0xff);
	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		/* A 32-bit memory BAR: the size's alignment bits read 0. */
		m->bar_mask[i] = info->bar_size[i] ? ~(info->bar_size[i] - 1) : 0;
		implement(m, PCI_BASE_ADDRESS_0 + 4 * i, 4, m->bar_mask[i]);
	}

	vfpci_core_cfg_std_masks(0, &t);
	permit(m, 0, PCI_STD_HEADER_SIZEOF, &t);
}

static int msi_init(struct vfpci_mdev *m)
{
	u16 flags = PCI_MSI_FLAGS_64BIT;	/* one vector, no masking */
	struct vfpci_core_cfg_masks t;
	int pos = VFPCI_MDEV_MSI_POS, ret;

	ret = vfpci_core_cfg_msi_masks(flags, &t);
	if (ret)
		return ret;

	put16(m, PCI_STATUS, PCI_STATUS_CAP_LIST);
	put8(m, PCI_CAPABILITY_LIST, pos);
	put8(m, pos + PCI_CAP_LIST_ID, PCI_CAP_ID_MSI);
	put16(m, pos + PCI_MSI_FLAGS, flags);

	implement(m, pos + PCI_MSI_FLAGS, 2, VFPCI_MDEV_MSI_FLAG_BITS);
	implement(m, pos + PCI_MSI_ADDRESS_LO, 4, ~3U);	/* dword aligned */
	implement(m, pos + PCI_MSI_ADDRESS_HI, 4, ~0U);
	implement(m, pos + PCI_MSI_DATA_64, 2, 0xffff);
	permit(m, pos, vfpci_core_cfg_msi_len(flags), &t);

	vfpci_core_cfg_masks_free(&t);
	m->msi_pos = pos;
	return 0;
}

/* Power-on contents; the driver's info is fixed for the device's life. */
int vfpci_mdev_config_init(struct vfpci_mdev *m)
{
	memset(m->vconfig, 0, sizeof(m->vconfig));
	memset(m->wmask, 0, sizeof(m->wmask));
	m->msi_pos = 0;
	header_init(m);
	return m->info->msi ? msi_init(m) : 0;
}

bool vfpci_mdev_command(struct vfpci_mdev *m, u16 bit)
{
	return get_unaligned_le16(m->vconfig + PCI_COMMAND) & bit;
}
EXPORT_SYMBOL_GPL(vfpci_mdev_command);

/* STATUS shows the INTx line as the device drives it. */
static u8 config_byte(struct vfpci_mdev *m, int pos)
{
	u8 v = m->vconfig[pos];

	if (pos == PCI_STATUS && READ_ONCE(m->intx_level))
		v |= PCI_STATUS_INTERRUPT;
	return v;
}

/* Naturally aligned 1, 2 or 4 bytes: how real config cycles come. */
static int chunk_len(loff_t pos, size_t count)
{
	if (!(pos & 3) && count >= 4)
		return 4;
	if (!(pos & 1) && count >= 2)
		return 2;
	return 1;
}

static bool touches(int pos, int len, int start, int size)
{
	return pos < start + size && pos + len > start;
}

/* Side effects of a write the mask let through. */
static void config_written(struct vfpci_mdev *m, int pos, int len)
{
	int i;

	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		if (touches(pos, len, PCI_BASE_ADDRESS_0 + 4 * i, 4))
			put32(m, PCI_BASE_ADDRESS_0 + 4 * i,
			      get_unaligned_le32(m->vconfig +
						 PCI_BASE_ADDRESS_0 + 4 * i) &
			      m->bar_mask[i]);

	if (m->msi_pos && touches(pos, len, m->msi_pos + PCI_MSI_FLAGS, 2))
		put16(m, m->msi_pos + PCI_MSI_FLAGS,
		      vfpci_core_cfg_msi_flags(get_unaligned_le16(m->vconfig +
					m->msi_pos + PCI_MSI_FLAGS),
				m->irq_type == VFIO_PCI_MSI_IRQ_INDEX, 0));

	if (touches(pos, len, PCI_COMMAND, 2))
		vfpci_mdev_intx_update(m);
}

ssize_t vfpci_mdev_config_rw(struct vfpci_mdev *m, char __user *buf,
			     size_t count, loff_t pos, bool write)
{
	size_t done = 0;
	u8 bytes[4];
	int len, i;

	if (pos < 0 || pos >= PCI_CFG_SPACE_SIZE)
		return -EINVAL;
	count = min_t(size_t, count, PCI_CFG_SPACE_SIZE - pos);

	while (done < count) {
		len = chunk_len(pos, count - done);
		if (write) {
			if (copy_from_user(bytes, buf + done, len))
				return -EFAULT;
			vfpci_core_cfg_store(m->vconfig + pos, len,
					     get_le(bytes, len),
					     get_le(m->wmask + pos, len));
			config_written(m, pos, len);
		} else {
			for (i = 0; i < len; i++)
				bytes[i] = config_byte(m, pos + i);
			if (copy_to_user(buf + done, bytes, len))
				return -EFAULT;
		}
		done += len;
		pos += len;
	}
	return done;
}
