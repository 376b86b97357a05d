// SPDX-License-Identifier: GPL-2.0-only
/*
 * The legacy (virtio 0.9.5) register block of BAR0, emulated on the
 * device's modern structures.
 *
 * Access rules, as a user sees them:
 * - an access at or past the end of BAR0 fails with EINVAL; one running
 *   past the end is cut short, as the core does for real BARs;
 * - with the user's COMMAND.IO off, or the device in D3, it fails with EIO
 *   (the core's answer for a memory BAR with decode off);
 * - accesses are split into naturally aligned pieces of at most 4 bytes,
 *   as the core does for real BARs; in the register header a piece is
 *   decoded by its offset alone, whatever its width (a read is cut to the
 *   width, a write takes the bytes given), and an offset where no
 *   register starts reads all-ones and drops writes.  That is what QEMU's
 *   transitional devices do (the virtio-legacy suite compares the two);
 *   EINVAL would make a VMM log an error for every odd guest access;
 * - the device config window follows the header (at 20, or 24 while the
 *   user has MSI-X enabled through SET_IRQS) and is passed to the modern
 *   device config at any width; past the modern structure it reads
 *   all-ones, as QEMU's does past its config.
 *
 * Features: the legacy driver sees bits 0-31 of the modern device's
 * features without those whose legacy meaning differs (see
 * legacy_feature_mask()), plus ANY_LAYOUT, which every modern device
 * honours.  VERSION_1 is always acknowledged: the device is modern-only.
 * The legacy driver has no FEATURES_OK step: the driver sets it on the
 * modern side before the first queue goes live or at DRIVER_OK, whichever
 * comes first, and hides it from the legacy status.
 *
 * virtio-net: a legacy driver's packet header is VERSION_1's 12 bytes only
 * with MRG_RXBUF (probe requires the device to offer it).  A driver that
 * did not accept it is refused where its features become final, at the
 * first QUEUE_PFN or DRIVER_OK: that write fails with EINVAL, no queue
 * goes live, and STATUS shows NEEDS_RESET until the driver resets the
 * device.  Dropping it once features are final fails the same way and
 * stops the device.  Every other net feature of bits 0-23 means the same in both
 * interfaces but GSO (6), legacy-only, which no modern device offers.
 */
#include <linux/io.h>
#include <linux/pci.h>
#include <linux/uaccess.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>

#include "virtio.h"

static u32 all_ones(int size)
{
	return size == 4 ? ~0U : (1U << (size * 8)) - 1;
}

static bool msix_on(struct vfpci_virtio_device *vv)
{
	return READ_ONCE(vv->core.irq_type) == VFIO_PCI_MSIX_IRQ_INDEX;
}

static u32 devcfg_start(struct vfpci_virtio_device *vv)
{
	return VIRTIO_PCI_CONFIG_OFF(msix_on(vv));
}

/*
 * Bits 0-31 a legacy driver may see.  Device bits 0-23 pass except the
 * legacy-only ones a modern device would not mean the legacy way; of the
 * transport bits only the ring features keep their meaning.
 * NOTIFY_ON_EMPTY (24) has no modern equivalent and BAD_FEATURE (30)
 * exists only to be refused; ANY_LAYOUT (27) is added by host_features().
 */
static u32 legacy_feature_mask(struct vfpci_virtio_device *vv)
{
	u32 mask = GENMASK(23, 0) | BIT(VIRTIO_RING_F_INDIRECT_DESC) |
		   BIT(VIRTIO_RING_F_EVENT_IDX);

	if (vv->type == VIRTIO_ID_BLOCK)
		mask &= ~(BIT(VIRTIO_BLK_F_BARRIER) | BIT(VIRTIO_BLK_F_SCSI));
	if (vv->type == VIRTIO_ID_NET)
		mask &= ~BIT(VIRTIO_NET_F_GSO);
	return mask;
}

/* Modern accesses of the common structure, shorter to read. */
static u32 common_rd(struct vfpci_virtio_device *vv, u32 off, int size)
{
	return vfpci_virtio_rd(vv, &vv->common, off, size);
}

static void common_wr(struct vfpci_virtio_device *vv, u32 off, int size,
		      u32 val)
{
	vfpci_virtio_wr(vv, &vv->common, off, size, val);
}

static void select_queue(struct vfpci_virtio_device *vv, u16 q)
{
	common_wr(vv, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
}

static u32 host_features(struct vfpci_virtio_device *vv)
{
	u32 f;

	common_wr(vv, VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	f = common_rd(vv, VIRTIO_PCI_COMMON_DF, 4) & legacy_feature_mask(vv);
	return f | BIT(VIRTIO_F_ANY_LAYOUT);
}

/*
 * The high word: VERSION_1, and ACCESS_PLATFORM when offered, since a
 * device behind VFIO reaches memory through the IOMMU whatever it is told.
 */
static void write_features(struct vfpci_virtio_device *vv, u32 low)
{
	u32 high = BIT(VIRTIO_F_VERSION_1 - 32);

	common_wr(vv, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	high |= common_rd(vv, VIRTIO_PCI_COMMON_DF, 4) &
		BIT(VIRTIO_F_ACCESS_PLATFORM - 32);
	common_wr(vv, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	common_wr(vv, VIRTIO_PCI_COMMON_GF, 4,
		  low & ~BIT(VIRTIO_F_ANY_LAYOUT));
	common_wr(vv, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	common_wr(vv, VIRTIO_PCI_COMMON_GF, 4, high);
}

static u8 modern_status(struct vfpci_virtio_device *vv)
{
	return common_rd(vv, VIRTIO_PCI_COMMON_STATUS, 1);
}

/* Features whose absence we cannot bridge: none but net's MRG_RXBUF. */
static bool features_refused(struct vfpci_virtio_device *vv)
{
	if (vv->type != VIRTIO_ID_NET ||
	    vv->guest_features & BIT(VIRTIO_NET_F_MRG_RXBUF))
		return false;
	if (!vv->refused)
		dev_warn_ratelimited(&vv->core.pdev->dev,
				     "legacy virtio-net driver did not accept MRG_RXBUF (features %#x): its 10-byte packet header cannot be served; device stopped until reset\n",
				     vv->guest_features);
	vv->refused = true;
	return true;
}

/*
 * The legacy driver is done with features: tell the modern side, or
 * refuse (-EINVAL) features no modern device could serve.  Whether it was
 * done is read from the device, never cached, so a reset behind our back
 * (hot reset, FLR) cannot leave a stale answer.
 */
static int commit_features(struct vfpci_virtio_device *vv)
{
	u8 status = modern_status(vv);

	if (vv->refused || features_refused(vv))
		return -EINVAL;
	if (status & VIRTIO_CONFIG_S_FEATURES_OK)
		return 0;
	write_features(vv, vv->guest_features);
	common_wr(vv, VIRTIO_PCI_COMMON_STATUS, 1,
		  status | VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(modern_status(vv) & VIRTIO_CONFIG_S_FEATURES_OK))
		pci_info_ratelimited(vv->core.pdev,
				     "device refused legacy features %#x\n",
				     vv->guest_features);
	return 0;
}

void vfpci_virtio_legacy_reset(struct vfpci_virtio_device *vv)
{
	vv->guest_features = 0;
	vv->refused = false;
	vv->queue_sel = 0;
	vv->notify_q = -1;
}

static void device_reset(struct vfpci_virtio_device *vv)
{
	vfpci_virtio_modern_reset(vv);
	vfpci_virtio_legacy_reset(vv);
}

static u32 queue_pfn_read(struct vfpci_virtio_device *vv)
{
	u64 desc;

	select_queue(vv, vv->queue_sel);
	if (!common_rd(vv, VIRTIO_PCI_COMMON_Q_ENABLE, 2))
		return 0;
	desc = common_rd(vv, VIRTIO_PCI_COMMON_Q_DESCLO, 4) |
	       (u64)common_rd(vv, VIRTIO_PCI_COMMON_Q_DESCHI, 4) << 32;
	return desc >> VIRTIO_PCI_QUEUE_ADDR_SHIFT;
}

/*
 * A legacy ring is one block at pfn << 12: descriptors, the avail ring
 * right after them, the used ring at the next 4096 boundary.  PFN 0 resets
 * the whole device, as QEMU's legacy interface does.  A live queue is left
 * alone: a modern device may not be reprogrammed while enabled.
 */
static int queue_pfn_write(struct vfpci_virtio_device *vv, u32 pfn)
{
	u64 desc, avail, used;
	u16 num;

	if (!pfn) {
		device_reset(vv);
		return 0;
	}
	select_queue(vv, vv->queue_sel);
	num = common_rd(vv, VIRTIO_PCI_COMMON_Q_SIZE, 2);
	if (!num || common_rd(vv, VIRTIO_PCI_COMMON_Q_ENABLE, 2))
		return 0;
	if (commit_features(vv))
		return -EINVAL;
	select_queue(vv, vv->queue_sel);

	desc = (u64)pfn << VIRTIO_PCI_QUEUE_ADDR_SHIFT;
	avail = desc + num * sizeof(struct vring_desc);
	/* avail: flags, idx, ring[num], used_event; all 16 bits. */
	used = ALIGN(avail + sizeof(__virtio16) * (3 + num),
		     VIRTIO_PCI_VRING_ALIGN);

	/* A legacy ring has the device's maximum size: say so, as drivers do. */
	common_wr(vv, VIRTIO_PCI_COMMON_Q_SIZE, 2, num);
	common_wr(vv, VIRTIO_PCI_COMMON_Q_DESCLO, 4, lower_32_bits(desc));
	common_wr(vv, VIRTIO_PCI_COMMON_Q_DESCHI, 4, upper_32_bits(desc));
	common_wr(vv, VIRTIO_PCI_COMMON_Q_AVAILLO, 4, lower_32_bits(avail));
	common_wr(vv, VIRTIO_PCI_COMMON_Q_AVAILHI, 4, upper_32_bits(avail));
	common_wr(vv, VIRTIO_PCI_COMMON_Q_USEDLO, 4, lower_32_bits(used));
	common_wr(vv, VIRTIO_PCI_COMMON_Q_USEDHI, 4, upper_32_bits(used));
	common_wr(vv, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	return 0;
}

/*
 * The notify address of queue @q, or -1 for no such queue.  Queue count
 * and notify offsets are read-only in the modern interface: the last one
 * is kept, so a driver kicking one queue costs a single device write.
 */
static s64 notify_offset(struct vfpci_virtio_device *vv, u16 q)
{
	u64 off;

	if (vv->notify_q == q)
		return vv->notify_off;
	if (q >= common_rd(vv, VIRTIO_PCI_COMMON_NUMQ, 2))
		return -1;
	select_queue(vv, q);
	off = (u64)common_rd(vv, VIRTIO_PCI_COMMON_Q_NOFF, 2) *
	      vv->notify_mult;
	if (off + 2 > vv->notify.length)
		return -1;
	vv->notify_q = q;
	vv->notify_off = off;
	return off;
}

static void queue_notify(struct vfpci_virtio_device *vv, u16 q)
{
	s64 off = notify_offset(vv, q);

	if (off >= 0)
		vfpci_virtio_wr(vv, &vv->notify, off, 2, q);
}

/*
 * Status as a legacy driver knows it: no FEATURES_OK.  Refused features
 * keep DRIVER_OK from the device (the write fails with EINVAL).
 */
static int status_write(struct vfpci_virtio_device *vv, u8 val)
{
	int ret = 0;

	if (!val) {
		device_reset(vv);
		return 0;
	}
	if (val & VIRTIO_CONFIG_S_DRIVER_OK)
		ret = commit_features(vv);
	if (ret)
		val &= ~VIRTIO_CONFIG_S_DRIVER_OK;
	/* Once set, FEATURES_OK stays: the modern driver may not clear it. */
	val = (val & ~VIRTIO_CONFIG_S_FEATURES_OK) |
	      (modern_status(vv) & VIRTIO_CONFIG_S_FEATURES_OK);
	common_wr(vv, VIRTIO_PCI_COMMON_STATUS, 1, val);
	return ret;
}

/* The legacy STATUS: no FEATURES_OK; NEEDS_RESET once refused. */
static u32 status_read(struct vfpci_virtio_device *vv)
{
	u32 val = modern_status(vv) & ~VIRTIO_CONFIG_S_FEATURES_OK;

	return vv->refused ? val | VIRTIO_CONFIG_S_NEEDS_RESET : val;
}

/*
 * Written to the device at once too: the legacy driver may read them
 * back.  A net driver dropping MRG_RXBUF once features are final would
 * leave live queues with the wrong header size: the device is stopped.
 */
static int features_write(struct vfpci_virtio_device *vv, u32 val)
{
	vv->guest_features = val & host_features(vv);
	if ((modern_status(vv) & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    features_refused(vv)) {
		vfpci_virtio_modern_reset(vv);
		return -EINVAL;
	}
	write_features(vv, vv->guest_features);
	return 0;
}

/* The register starting at @off; false when none does. */
static bool header_read(struct vfpci_virtio_device *vv, u32 off, u32 *val)
{
	bool msix = msix_on(vv);

	switch (off) {
	case VIRTIO_PCI_HOST_FEATURES:
		*val = host_features(vv);
		return true;
	case VIRTIO_PCI_GUEST_FEATURES:
		*val = vv->guest_features;
		return true;
	case VIRTIO_PCI_QUEUE_PFN:
		*val = queue_pfn_read(vv);
		return true;
	case VIRTIO_PCI_QUEUE_NUM:
		select_queue(vv, vv->queue_sel);
		*val = common_rd(vv, VIRTIO_PCI_COMMON_Q_SIZE, 2);
		return true;
	case VIRTIO_PCI_QUEUE_SEL:
		*val = vv->queue_sel;
		return true;
	case VIRTIO_PCI_STATUS:
		*val = status_read(vv);
		return true;
	case VIRTIO_PCI_ISR:
		/* Reading the modern ISR clears it and lowers INTx. */
		*val = vfpci_virtio_rd(vv, &vv->isr, 0, 1);
		return true;
	case VIRTIO_MSI_CONFIG_VECTOR:
		if (!msix)
			return false;
		*val = common_rd(vv, VIRTIO_PCI_COMMON_MSIX, 2);
		return true;
	case VIRTIO_MSI_QUEUE_VECTOR:
		if (!msix)
			return false;
		select_queue(vv, vv->queue_sel);
		*val = common_rd(vv, VIRTIO_PCI_COMMON_Q_MSIX, 2);
		return true;
	}
	return false;
}

/* 0, or -EINVAL for a write the device refuses (see features_refused). */
static int header_write(struct vfpci_virtio_device *vv, u32 off, u32 val)
{
	bool msix = msix_on(vv);

	switch (off) {
	case VIRTIO_PCI_GUEST_FEATURES:
		return features_write(vv, val);
	case VIRTIO_PCI_QUEUE_PFN:
		return queue_pfn_write(vv, val);
	case VIRTIO_PCI_QUEUE_SEL:
		vv->queue_sel = val;
		break;
	case VIRTIO_PCI_QUEUE_NOTIFY:
		queue_notify(vv, val);
		break;
	case VIRTIO_PCI_STATUS:
		return status_write(vv, val);
	case VIRTIO_MSI_CONFIG_VECTOR:
		if (msix)
			common_wr(vv, VIRTIO_PCI_COMMON_MSIX, 2, val);
		break;
	case VIRTIO_MSI_QUEUE_VECTOR:
		if (!msix)
			break;
		select_queue(vv, vv->queue_sel);
		common_wr(vv, VIRTIO_PCI_COMMON_Q_MSIX, 2, val);
		break;
	}
	return 0;
}

/* The device config window: any width, all-ones past the modern one. */
static u32 devcfg_rw(struct vfpci_virtio_device *vv, u32 off, int size,
		     u32 val, bool iswrite)
{
	if (vv->devcfg.bar < 0 || off + size > vv->devcfg.length)
		return all_ones(size);
	if (iswrite)
		vfpci_virtio_wr(vv, &vv->devcfg, off, size, val);
	else
		val = vfpci_virtio_rd(vv, &vv->devcfg, off, size);
	return val;
}

/* One aligned piece, with the device's memory decode held on. */
static int piece_rw(struct vfpci_virtio_device *vv, u32 off, int size,
		    u32 *val, bool iswrite)
{
	u32 start = devcfg_start(vv);

	if (off >= start) {
		*val = devcfg_rw(vv, off - start, size, *val, iswrite);
		return 0;
	}
	if (iswrite)
		return header_write(vv, off, *val);
	if (!header_read(vv, off, val))
		*val = all_ones(size);
	return 0;
}

static int piece_size(u32 off, size_t left)
{
	if (left >= 4 && !(off & 3))
		return 4;
	if (left >= 2 && !(off & 1))
		return 2;
	return 1;
}

/* Can the user's access reach the device at all? */
static bool io_enabled(struct vfpci_virtio_device *vv)
{
	struct vfpci_core_device *core = &vv->core;

	return core->vconfig && !core->pm_runtime_engaged &&
	       core->pdev->current_state < PCI_D3hot &&
	       (get_unaligned_le16(core->vconfig + PCI_COMMAND) &
		PCI_COMMAND_IO);
}

/*
 * Our device accesses run under memory_lock with the device's memory
 * decode on.  While the user has decode on too (the usual case) a read
 * hold is enough, as for the core's own BAR accesses; otherwise the core
 * turns decode on for us and back off after, holding the lock for write.
 */
struct hw_hold {
	bool forced;
	u16 cmd;
};

static void hw_get(struct vfpci_virtio_device *vv, struct hw_hold *h)
{
	down_read(&vv->core.memory_lock);
	h->forced = !vfpci_core_memory_enabled(&vv->core);
	if (!h->forced)
		return;
	up_read(&vv->core.memory_lock);
	h->cmd = vfpci_core_memory_lock_and_enable(&vv->core);
}

static void hw_put(struct vfpci_virtio_device *vv, struct hw_hold *h)
{
	if (h->forced)
		vfpci_core_memory_unlock_and_restore(&vv->core, h->cmd);
	else
		up_read(&vv->core.memory_lock);
}

/*
 * User memory is copied outside memory_lock: a buffer that is a mapping
 * of one of the device's BARs faults in under that lock.
 */
static int do_piece(struct vfpci_virtio_device *vv, char __user *buf,
		    u32 off, int size, bool iswrite)
{
	u8 bytes[4] = { 0 };
	struct hw_hold hold;
	int ret = 0;
	u32 val;

	if (iswrite && copy_from_user(bytes, buf, size))
		return -EFAULT;
	val = get_unaligned_le32(bytes);	/* registers are little-endian */

	val &= all_ones(size);
	hw_get(vv, &hold);
	if (io_enabled(vv))
		ret = piece_rw(vv, off, size, &val, iswrite);
	else
		ret = -EIO;
	hw_put(vv, &hold);
	if (ret)
		return ret;

	put_unaligned_le32(val, bytes);
	if (!iswrite && copy_to_user(buf, bytes, size))
		return -EFAULT;
	return 0;
}

ssize_t vfpci_virtio_bar0_rw(struct vfpci_virtio_device *vv, char __user *buf,
			     size_t count, loff_t *ppos, bool iswrite)
{
	loff_t pos = *ppos & VFPCI_CORE_OFFSET_MASK;
	ssize_t done = 0;
	int ret = 0;

	if (pos >= vv->bar0_size)
		return -EINVAL;
	count = min_t(size_t, count, vv->bar0_size - pos);

	mutex_lock(&vv->lock);
	while (done < count) {
		int size = piece_size(pos + done, count - done);

		ret = do_piece(vv, buf + done, pos + done, size, iswrite);
		if (ret)
			break;
		done += size;
	}
	mutex_unlock(&vv->lock);

	if (!done)
		return ret;
	*ppos += done;
	return done;
}
