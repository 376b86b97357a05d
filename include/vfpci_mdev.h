/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfpci_mdev: the API of a mediated PCI device driver.
 *
 * A driver describes the PCI function it emulates (struct vfpci_mdev_info)
 * and its BAR handlers (struct vfpci_mdev_ops); the library does the rest
 * of what VFIO asks of a device: the vfio_device_ops, virtual config space
 * (with vfpci_core's permission tables), region info and read/write
 * dispatch, INTx/MSI/REQ over eventfds, reset, guest-memory access and the
 * migration v2 protocol.
 *
 * A driver embeds struct vfpci_mdev first in its own structure:
 *
 *	struct my_dev { struct vfpci_mdev m; ... };
 *	md = vfpci_mdev_alloc(struct my_dev, mdev, &info, &ops);
 *	... set up md ...
 *	ret = vfpci_mdev_register(&md->m);
 *
 * and in its mdev remove: vfpci_mdev_unregister(&md->m) (waits for the user
 * to close, asking through REQ), then vfpci_mdev_put(&md->m).
 *
 * Locking: the library calls every driver op under the device's state
 * mutex (m->state_lock), so ops need no lock against each other.  Work the
 * driver does elsewhere (a completion from hardware) raises interrupts
 * with vfpci_mdev_irq_raise()/_lower(), which take no mutex.
 */
#ifndef VFPCI_MDEV_H
#define VFPCI_MDEV_H

#include <linux/eventfd.h>
#include <linux/mdev.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/vfio.h>

struct vfpci_mdev;
struct vfpci_mdev_file;

/* The PCI function the library presents. */
struct vfpci_mdev_info {
	u16 vendor;
	u16 device;
	u16 subsystem_vendor;
	u16 subsystem_device;
	u32 class;			/* class code, prog-if in the low byte */
	u8 revision;
	/* 32-bit memory BARs, sizes powers of 2; size 0: no BAR there. */
	u32 bar_size[PCI_STD_NUM_BARS];
	bool intx;			/* INTx pin A */
	bool msi;			/* one-vector MSI capability, 64-bit */
};

struct vfpci_mdev_ops {
	/*
	 * One access of @len (1, 2, 4 or 8) bytes at @off in @bar, with the
	 * user's memory decode on.  Return 0 or -errno; a read fills @val.
	 */
	int (*bar_read)(struct vfpci_mdev *m, int bar, u64 off, int len,
			u64 *val);
	int (*bar_write)(struct vfpci_mdev *m, int bar, u64 off, int len,
			 u64 val);
	/* Device reset (VFIO_DEVICE_RESET, first open, last close). */
	void (*reset)(struct vfpci_mdev *m);
	/* The user closed the device: stop using its memory. */
	void (*close)(struct vfpci_mdev *m);
	/* Optional: the user unmapped IOVA [@iova, @iova + @len). */
	void (*dma_unmap)(struct vfpci_mdev *m, u64 iova, u64 len);

	/*
	 * Migration, all optional together.  stop: the device stops
	 * initiating anything (RUNNING -> STOP); run: it may again.  save
	 * writes the whole device state (at most state_size bytes) and
	 * returns its length; load takes one back (-EINVAL if malformed).
	 */
	size_t state_size;
	int (*stop)(struct vfpci_mdev *m);
	void (*run)(struct vfpci_mdev *m);
	ssize_t (*save)(struct vfpci_mdev *m, void *buf, size_t len);
	int (*load)(struct vfpci_mdev *m, const void *buf, size_t len);
};

struct vfpci_mdev {
	struct vfio_device vdev;	/* first: vfio_alloc_device() */
	struct mdev_device *mdev;
	const struct vfpci_mdev_info *info;
	const struct vfpci_mdev_ops *ops;
	struct mutex state_lock;	/* every op, config, SET_IRQS, FSM */

	/* Config space (config.c). */
	u8 vconfig[PCI_CFG_SPACE_SIZE];
	u8 wmask[PCI_CFG_SPACE_SIZE];	/* bits the user can change */
	u32 bar_mask[PCI_STD_NUM_BARS];
	u8 msi_pos;			/* 0: no MSI capability */

	/* Interrupts (intrs.c). */
	spinlock_t irq_lock;		/* line state vs. trigger changes */
	int irq_type;			/* VFIO_PCI_*_IRQ_INDEX or -1 */
	struct eventfd_ctx *intx_trigger;
	struct eventfd_ctx *msi_trigger;
	struct eventfd_ctx *req_trigger;
	struct virqfd *intx_unmask;
	bool intx_masked;		/* by the user or automasked */
	bool intx_level;		/* the device asserts its line */

	/* Guest memory: unmap waits for copies in flight (dma.c). */
	struct rw_semaphore dma_sem;

	/* Migration (mig.c). */
	enum vfio_device_mig_state mig_state;
	struct vfpci_mdev_file *saving;
	struct vfpci_mdev_file *resuming;
};

struct vfpci_mdev *_vfpci_mdev_alloc(size_t size, struct mdev_device *mdev,
				     const struct vfpci_mdev_info *info,
				     const struct vfpci_mdev_ops *ops);
/* @type embeds struct vfpci_mdev as its first member, m. */
#define vfpci_mdev_alloc(type, mdev, info, ops)				\
	container_of(_vfpci_mdev_alloc(sizeof(type) +			\
			BUILD_BUG_ON_ZERO(offsetof(type, m)),		\
			mdev, info, ops), type, m)

int vfpci_mdev_register(struct vfpci_mdev *m);
void vfpci_mdev_unregister(struct vfpci_mdev *m);
void vfpci_mdev_put(struct vfpci_mdev *m);

/* True while the user's COMMAND register has @bit (PCI_COMMAND_*) set. */
bool vfpci_mdev_command(struct vfpci_mdev *m, u16 bit);

/*
 * The device's interrupt, as a PCI function raises it: with MSI enabled
 * by the user each raise sends one message; otherwise raise asserts INTx
 * and lower deasserts it.  Any context but hard irq.
 */
void vfpci_mdev_irq_raise(struct vfpci_mdev *m);
void vfpci_mdev_irq_lower(struct vfpci_mdev *m);

/*
 * Copy to (@write) or from the user's IOVA.  Never pins a page beyond the
 * call; an unmap waits until copies in flight are done.  Needs an open
 * device; from a kernel thread or the user's own task.
 */
int vfpci_mdev_dma_rw(struct vfpci_mdev *m, dma_addr_t iova, void *buf,
		      size_t len, bool write);

#endif /* VFPCI_MDEV_H */
