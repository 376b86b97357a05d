/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfpci_core: the API a VFIO PCI driver builds on.
 *
 * A driver embeds struct vfpci_core_device in its own structure, allocates
 * it with vfio_alloc_device() naming vfpci_core_device.vdev, and plugs the
 * vfpci_core_* ops below into its struct vfio_device_ops.  It may put its
 * own function in front of any op and fall back to the core for the rest.
 */
#ifndef VFPCI_CORE_H
#define VFPCI_CORE_H

#include <linux/eventfd.h>
#include <linux/irqbypass.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/vfio.h>

struct vfpci_core_device;
struct vfpci_core_region;
struct vfpci_perm_bits;

/* A device-specific region beyond the fixed BAR/ROM/config/VGA indexes. */
struct vfpci_core_region_ops {
	ssize_t (*rw)(struct vfpci_core_device *vdev, char __user *buf,
		      size_t count, loff_t *ppos, bool iswrite);
	void (*release)(struct vfpci_core_device *vdev,
			struct vfpci_core_region *region);
	int (*mmap)(struct vfpci_core_device *vdev,
		    struct vfpci_core_region *region,
		    struct vm_area_struct *vma);
	int (*add_capability)(struct vfpci_core_device *vdev,
			      struct vfpci_core_region *region,
			      struct vfio_info_cap *caps);
};

struct vfpci_core_region {
	u32 type;
	u32 subtype;
	const struct vfpci_core_region_ops *ops;
	void *data;
	size_t size;
	u32 flags;
};

/* One interrupt vector as the user sees it (INTx is vector 0). */
struct vfpci_core_irq_ctx {
	struct eventfd_ctx *trigger;
	struct virqfd *unmask;
	struct virqfd *mask;
	char *name;
	bool masked;
	struct irq_bypass_producer producer;
};

struct vfpci_core_device {
	struct vfio_device vdev;
	struct pci_dev *pdev;

	/* Config space virtualization (config.c). */
	u8 *vconfig;			/* the user's view of config space */
	u8 *cap_map;			/* capability id owning each dword */
	unsigned long *cfg_live;	/* bytes whose reads need the device */
	struct vfpci_perm_bits *msi_perm;
	u32 bar_size_mask[PCI_STD_NUM_BARS + 1];  /* BARs, then the ROM */
	bool bar_dirty;			/* user wrote a BAR: sizing state */
	u32 rbar[PCI_STD_NUM_BARS + 1];	/* hw BARs at open, for restore */
	u8 msi_qmax;
	int msix_bar;
	u16 msix_size;
	u32 msix_offset;
	bool extended_caps;

	/* BAR access (rdwr.c, mmap.c). */
	void __iomem *barmap[PCI_STD_NUM_BARS];
	bool bar_mmap_supported[PCI_STD_NUM_BARS];
	struct rw_semaphore memory_lock; /* held write while decode is off */
	struct inode *inode;		/* owns every BAR mapping: zapped at once */
	struct resource *page_fill[PCI_STD_NUM_BARS]; /* rest of a sub-page BAR's page */

	/* Interrupts (intrs.c). */
	struct mutex igate;		/* serializes SET_IRQS and teardown */
	spinlock_t irqlock;		/* INTx masked state vs. handler */
	int irq_type;			/* VFIO_PCI_*_IRQ_INDEX or NONE */
	int num_ctx;
	struct vfpci_core_irq_ctx *ctx;
	struct eventfd_ctx *err_trigger;
	struct eventfd_ctx *req_trigger;
	bool pci_2_3;			/* INTx masking through DisINTx works */
	bool virq_disabled;		/* device may not use INTx at all */

	/* ioeventfd (ioeventfd.c). */
	struct mutex ioeventfds_lock;
	struct list_head ioeventfds_list;
	int ioeventfds_nr;

	/* Lifecycle, reset and power (core.c, reset.c, pm.c). */
	struct pci_saved_state *pci_saved_state;
	struct pci_saved_state *pm_save;
	bool reset_works;
	bool needs_reset;
	bool nointx;
	bool needs_pm_restore;
	bool has_vga;
	bool pm_runtime_engaged;
	bool pm_intx_masked;
	struct eventfd_ctx *pm_wake_eventfd_ctx;

	/* Extra regions registered by the driver. */
	struct vfpci_core_region *region;
	int num_regions;

	/* SR-IOV (sriov.c). */
	struct notifier_block nb;	/* catches our PF's new VFs */
	struct vfpci_core_device *sriov_pf_core_dev; /* a VF's vfpci PF */
	struct list_head sriov_pfs_item;	/* on the list of SR-IOV PFs */
	bool sriov_active;
	bool is_sriov_pf;		/* has a VF token */
	struct mutex vf_token_lock;	/* guards vf_token, vf_token_users */
	uuid_t vf_token;
	int vf_token_users;		/* opened VFs of this PF */
};

#define to_vfpci_core(v) container_of(v, struct vfpci_core_device, vdev)

/* Module parameters of the generic driver, shared by every vfpci device. */
void vfpci_core_set_params(bool nointxmask, bool disable_vga,
			   bool disable_idle_d3);

/* Lifecycle: call from the driver's probe/remove and vfio init/release. */
int vfpci_core_init_dev(struct vfio_device *core_vdev);
void vfpci_core_release_dev(struct vfio_device *core_vdev);
int vfpci_core_register_device(struct vfpci_core_device *vdev);
void vfpci_core_unregister_device(struct vfpci_core_device *vdev);

/* open_device helpers: enable, then (after driver setup) finish_enable. */
int vfpci_core_enable(struct vfpci_core_device *vdev);
void vfpci_core_finish_enable(struct vfpci_core_device *vdev);
void vfpci_core_disable(struct vfpci_core_device *vdev);

/* struct vfio_device_ops members. */
void vfpci_core_close_device(struct vfio_device *core_vdev);
long vfpci_core_ioctl(struct vfio_device *core_vdev, unsigned int cmd,
		      unsigned long arg);
int vfpci_core_ioctl_feature(struct vfio_device *device, u32 flags,
			     void __user *arg, size_t argsz);
ssize_t vfpci_core_read(struct vfio_device *core_vdev, char __user *buf,
			size_t count, loff_t *ppos);
ssize_t vfpci_core_write(struct vfio_device *core_vdev, const char __user *buf,
			 size_t count, loff_t *ppos);
int vfpci_core_mmap(struct vfio_device *core_vdev, struct vm_area_struct *vma);
void vfpci_core_request(struct vfio_device *core_vdev, unsigned int count);
int vfpci_core_match(struct vfio_device *core_vdev, char *buf);

/* PCI driver callbacks. */
int vfpci_core_sriov_configure(struct vfpci_core_device *vdev, int nr_virtfn);
extern const struct pci_error_handlers vfpci_core_err_handlers;

/* Extra regions, for variant drivers. */
int vfpci_core_register_dev_region(struct vfpci_core_device *vdev,
				   unsigned int type, unsigned int subtype,
				   const struct vfpci_core_region_ops *ops,
				   size_t size, u32 flags, void *data);

/* BAR helpers for drivers that intercept part of a BAR. */
int vfpci_core_setup_barmap(struct vfpci_core_device *vdev, int bar);
bool vfpci_core_memory_enabled(struct vfpci_core_device *vdev);
ssize_t vfpci_core_bar_rw(struct vfpci_core_device *vdev, char __user *buf,
			  size_t count, loff_t *ppos, bool iswrite);

/*
 * One device access of 1, 2, 4 or 8 bytes at @io (from barmap[]).  With
 * @test_mem it takes memory_lock for read and fails with -EIO while the
 * user's memory decode is off; without, the caller holds memory_lock.
 */
int vfpci_core_io_write(struct vfpci_core_device *vdev, bool test_mem,
			u64 val, void __iomem *io, int size);
int vfpci_core_io_read(struct vfpci_core_device *vdev, bool test_mem,
		       u64 *val, void __iomem *io, int size);

/*
 * For a driver's own accesses whatever the user did to COMMAND: takes
 * memory_lock for write and turns memory decode on in the device; the
 * returned value goes back to unlock_and_restore.
 */
u16 vfpci_core_memory_lock_and_enable(struct vfpci_core_device *vdev);
void vfpci_core_memory_unlock_and_restore(struct vfpci_core_device *vdev,
					  u16 cmd);

/*
 * Config space permission tables, shared with fully emulated functions
 * (vfpci_mdev): per byte, the bits that are virtualized and the bits a
 * user may write.  The standard header is id 0.
 */
struct vfpci_core_cfg_masks {
	const u8 *virt;
	const u8 *wmask;
	unsigned int size;		/* bytes the tables cover */
};

void vfpci_core_cfg_std_masks(u8 id, struct vfpci_core_cfg_masks *masks);
int vfpci_core_cfg_msi_masks(u16 flags, struct vfpci_core_cfg_masks *masks);
void vfpci_core_cfg_masks_free(struct vfpci_core_cfg_masks *masks);
int vfpci_core_cfg_msi_len(u16 flags);
u16 vfpci_core_cfg_msi_flags(u16 flags, bool msi_on, u8 qmax);
u32 vfpci_core_cfg_mask(const u8 *mask, unsigned int size, int off, int len);
void vfpci_core_cfg_store(u8 *p, int len, u32 val, u32 mask);

/* Offsets of regions in the device fd, as the uAPI expects them. */
#define VFPCI_CORE_OFFSET_SHIFT		40
#define VFPCI_CORE_OFFSET_TO_INDEX(off)	((off) >> VFPCI_CORE_OFFSET_SHIFT)
#define VFPCI_CORE_INDEX_TO_OFFSET(idx)	((u64)(idx) << VFPCI_CORE_OFFSET_SHIFT)
#define VFPCI_CORE_OFFSET_MASK		(((u64)1 << VFPCI_CORE_OFFSET_SHIFT) - 1)

#endif /* VFPCI_CORE_H */
