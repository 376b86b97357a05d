/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfpci_virtio: a VFIO variant driver that shows a modern-only virtio PCI
 * device to user space as a transitional one, with a legacy I/O BAR0
 * emulated on top of the device's modern structures.
 *
 *   main.c    vfio_device_ops, the pci_driver, probe-time checks
 *   config.c  the virtualized config header (IDs, revision, BAR0)
 *   modern.c  finding and accessing the modern capabilities
 *   legacy.c  the legacy register block, translated to the modern one
 *
 * One mutex, lock, guards the legacy state and every access the driver
 * makes to the modern structures.  Lock order: lock > vfpci_core's
 * memory_lock.
 */
#ifndef VFPCI_VIRTIO_H
#define VFPCI_VIRTIO_H

#include <linux/mutex.h>

#include <vfpci_core.h>

#include "compat.h"

/* Where one modern structure lives: BAR and offset in it, and its size. */
struct vfpci_virtio_loc {
	int bar;			/* -1: the device has none */
	u32 offset;
	u32 length;
};

struct vfpci_virtio_device {
	struct vfpci_core_device core;

	/* Fixed at probe. */
	u16 type;			/* virtio device type (blk 2, ...) */
	u16 legacy_id;			/* transitional PCI device ID */
	u32 bar0_size;			/* legacy I/O BAR, a power of two */
	bool has_msix;
	struct vfpci_virtio_loc common, notify, isr, devcfg;
	u32 notify_mult;		/* notify_off_multiplier */

	struct mutex lock;		/* guards all that follows */
	u32 bar0;			/* the user's BAR0 register */
	u32 guest_features;		/* as the legacy driver wrote them */
	bool refused;			/* features refused: until reset */
	u16 queue_sel;
	int notify_q;			/* queue of notify_off, or -1 */
	u32 notify_off;
};

static inline struct vfpci_virtio_device *to_virtio(struct vfio_device *vdev)
{
	return container_of(vdev, struct vfpci_virtio_device, core.vdev);
}

/* modern.c */
int vfpci_virtio_find_caps(struct vfpci_virtio_device *vv);
int vfpci_virtio_map(struct vfpci_virtio_device *vv);
u32 vfpci_virtio_rd(struct vfpci_virtio_device *vv,
		    const struct vfpci_virtio_loc *loc, u32 off, int size);
void vfpci_virtio_wr(struct vfpci_virtio_device *vv,
		     const struct vfpci_virtio_loc *loc, u32 off, int size,
		     u32 val);
/* Write device_status 0 and wait until the device reads it back. */
int vfpci_virtio_modern_reset(struct vfpci_virtio_device *vv);

/* config.c */
ssize_t vfpci_virtio_config_read(struct vfpci_virtio_device *vv,
				 char __user *buf, size_t count, loff_t *ppos);
ssize_t vfpci_virtio_config_write(struct vfpci_virtio_device *vv,
				  const char __user *buf, size_t count,
				  loff_t *ppos);

/* legacy.c */
ssize_t vfpci_virtio_bar0_rw(struct vfpci_virtio_device *vv, char __user *buf,
			     size_t count, loff_t *ppos, bool iswrite);
/* Back to the state after a device reset; called with lock held. */
void vfpci_virtio_legacy_reset(struct vfpci_virtio_device *vv);

#endif /* VFPCI_VIRTIO_H */
