/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfpci: every difference between the kernels we build for (Debian's 6.1
 * and 6.12), in one place.  Each entry names the release that changed it;
 * code elsewhere uses only the vfpci_compat_* names and VFPCI_HAVE_* flags.
 */
#ifndef VFPCI_COMPAT_H
#define VFPCI_COMPAT_H

#include <linux/eventfd.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/version.h>
#include <linux/vfio.h>

/* True when building for release maj.min or later. */
#define VFPCI_SINCE(maj, min)	\
	(LINUX_VERSION_CODE >= KERNEL_VERSION(maj, min, 0))

/* 6.12: <asm/unaligned.h> moved to <linux/unaligned.h>. */
#if VFPCI_SINCE(6, 12)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * 6.2: the vfio core frees the device itself after the release op; before,
 * the release op had to end with vfio_free_device().
 */
static inline void vfpci_compat_free_device(struct vfio_device *vdev)
{
#if !VFPCI_SINCE(6, 2)
	vfio_free_device(vdev);
#endif
}

/* 6.8: eventfd_signal() lost its count argument (it always added 1). */
static inline void vfpci_compat_eventfd_signal(struct eventfd_ctx *ctx)
{
#if VFPCI_SINCE(6, 8)
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

/*
 * 6.3: vma->vm_flags became read-only, changed through vm_flags_set()
 * (Debian's 6.1 does not have it).
 */
static inline void vfpci_compat_vm_flags_set(struct vm_area_struct *vma,
					     vm_flags_t flags)
{
#if VFPCI_SINCE(6, 3)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

/*
 * driver_override moved from struct pci_dev into struct device, set with
 * device_set_driver_override() (mainline 6.19, backported to 6.12.y as
 * Debian's 6.12.117 has it).  A version cannot tell, so kernel/Kbuild
 * looks for it in the headers and defines VFPCI_HAVE_DEV_DRIVER_OVERRIDE.
 */
static inline int vfpci_compat_set_driver_override(struct pci_dev *pdev,
						   const char *name)
{
#ifdef VFPCI_HAVE_DEV_DRIVER_OVERRIDE
	return device_set_driver_override(&pdev->dev, name);
#else
	char *s = kasprintf(GFP_KERNEL, "%s", name);

	if (!s)
		return -ENOMEM;
	kfree(pdev->driver_override);
	pdev->driver_override = s;
	return 0;
#endif
}

/* 6.8: PCI_IRQ_LEGACY was renamed PCI_IRQ_INTX (and later removed). */
#ifndef PCI_IRQ_INTX
#define PCI_IRQ_INTX	PCI_IRQ_LEGACY
#endif

/* 6.12: no_llseek is gone; a NULL llseek now means "not seekable". */
#if VFPCI_SINCE(6, 12)
#define VFPCI_COMPAT_NO_LLSEEK	NULL
#else
#define VFPCI_COMPAT_NO_LLSEEK	no_llseek
#endif

/*
 * 6.2: vfio_device_ops gained the iommufd binding ops; physical devices
 * plug the core's helpers (NULL stubs when CONFIG_IOMMUFD is off).
 */
#if VFPCI_SINCE(6, 2)
#define VFPCI_COMPAT_IOMMUFD_OPS					\
	.bind_iommufd	= vfio_iommufd_physical_bind,			\
	.unbind_iommufd	= vfio_iommufd_physical_unbind,			\
	.attach_ioas	= vfio_iommufd_physical_attach_ioas,		\
	.detach_ioas	= vfio_iommufd_physical_detach_ioas,
#else
#define VFPCI_COMPAT_IOMMUFD_OPS
#endif

/* The same for emulated-IOMMU (mediated) devices. */
#if VFPCI_SINCE(6, 2)
#define VFPCI_COMPAT_IOMMUFD_EMULATED_OPS				\
	.bind_iommufd	= vfio_iommufd_emulated_bind,			\
	.unbind_iommufd	= vfio_iommufd_emulated_unbind,			\
	.attach_ioas	= vfio_iommufd_emulated_attach_ioas,		\
	.detach_ioas	= vfio_iommufd_emulated_detach_ioas,
#else
#define VFPCI_COMPAT_IOMMUFD_EMULATED_OPS
#endif

/*
 * 6.10: the vfio core gives every device its own inode (vdev.inode) and
 * points each device fd's f_mapping at it on open, so BAR mappings can
 * be zapped together.  Before, all device fds shared one anon inode and
 * vfpci_core brings its own (kernel/core/mmap.c).
 */
#if VFPCI_SINCE(6, 10)
#define VFPCI_HAVE_VFIO_DEVICE_INODE
#endif

/*
 * 6.2: migration PRE_COPY (VFIO_MIGRATION_PRE_COPY, the PRE_COPY and
 * PRE_COPY_P2P states, VFIO_MIG_GET_PRECOPY_INFO on the data fd).
 */
#if VFPCI_SINCE(6, 2)
#define VFPCI_HAVE_MIG_PRE_COPY
#endif

/*
 * 6.3: vfio_migration_ops gained migration_get_data_size, which the core
 * calls without a NULL check once a driver has mig_ops.
 */
#if VFPCI_SINCE(6, 3)
#define VFPCI_HAVE_MIG_DATA_SIZE
#endif

/*
 * 6.7: iova_bitmap (how the vfio core hands dirty bitmaps to drivers)
 * moved into iommufd and is a stub failing with EOPNOTSUPP without
 * CONFIG_IOMMUFD_DRIVER, as in Debian's 6.12: no DMA logging there.
 */
#if !VFPCI_SINCE(6, 7) || IS_ENABLED(CONFIG_IOMMUFD_DRIVER)
#define VFPCI_HAVE_DMA_LOGGING
#endif

/*
 * ... and there its iova_bitmap_* exports are in the IOMMUFD symbol
 * namespace (so in 6.12's sources): the module that sets dirty bits
 * imports it, or modpost refuses it.
 */
#if VFPCI_SINCE(6, 7) && defined(VFPCI_HAVE_DMA_LOGGING)
#define VFPCI_HAVE_IOVA_BITMAP_NS
#endif

/*
 * What the in-kernel vfio-pci, our reference, does differently on the
 * newer kernel; vfpci_core follows the kernel it is built for.
 */

/*
 * 6.5: MSI-X vectors can be added while MSI-X is enabled (where the
 * platform allows, pci_msix_can_alloc_dyn()); GET_IRQ_INFO then drops
 * NORESIZE for MSI-X.  Loopback skips vectors that have no context.
 */
#if VFPCI_SINCE(6, 5)
#define VFPCI_HAVE_DYN_MSIX
static inline bool vfpci_compat_msix_dyn(struct pci_dev *pdev)
{
	return pci_msix_can_alloc_dyn(pdev);
}
#else
static inline bool vfpci_compat_msix_dyn(struct pci_dev *pdev)
{
	return false;
}
#endif

/*
 * 6.5: a zero-length group fd array in VFIO_DEVICE_PCI_HOT_RESET is how
 * cdev users ask; a group user passing none gets EINVAL before anything
 * else is checked.
 */
#define VFPCI_COMPAT_HOT_RESET_COUNT_FIRST	VFPCI_SINCE(6, 5)

/*
 * 6.5: a device opened through the VFIO cdev is owned through its iommufd
 * context: hot reset info names the affected devices by devid, and the
 * zero-length hot reset checks ownership by that context.
 */
struct iommufd_ctx;
#if VFPCI_SINCE(6, 5)
static inline bool vfpci_compat_cdev_opened(struct vfio_device *vdev)
{
	return vfio_device_cdev_opened(vdev);
}

static inline struct iommufd_ctx *vfpci_compat_ictx(struct vfio_device *vdev)
{
	return vfio_iommufd_device_ictx(vdev);
}

static inline int vfpci_compat_dev_id(struct vfio_device *vdev,
				      struct iommufd_ctx *ictx)
{
	return vfio_iommufd_get_dev_id(vdev, ictx);
}

static inline void vfpci_compat_set_devid(struct vfio_pci_dependent_device *dep,
					  u32 devid)
{
	dep->devid = devid;
}
#else
/* The uAPI of 6.5; never reported before, as no device is cdev-opened. */
#define VFIO_PCI_DEVID_OWNED			0
#define VFIO_PCI_DEVID_NOT_OWNED		-1
#define VFIO_PCI_HOT_RESET_FLAG_DEV_ID		BIT(0)
#define VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED	BIT(1)

/* 6.5 made group_id one member of a union with devid. */
static inline void vfpci_compat_set_devid(struct vfio_pci_dependent_device *dep,
					  u32 devid)
{
	dep->group_id = devid;
}

static inline bool vfpci_compat_cdev_opened(struct vfio_device *vdev)
{
	return false;
}

static inline struct iommufd_ctx *vfpci_compat_ictx(struct vfio_device *vdev)
{
	return NULL;
}

static inline int vfpci_compat_dev_id(struct vfio_device *vdev,
				      struct iommufd_ctx *ictx)
{
	return -ENODEV;
}
#endif

/*
 * 6.12 (observed on Debian's 6.12.117): an ERR or REQ eventfd below -1
 * is refused with EINVAL; 6.1 ignored it.
 */
#define VFPCI_COMPAT_TRIGGER_FD_STRICT	VFPCI_SINCE(6, 12)

/*
 * 6.9: read()/write() on a BAR make one 8-byte access where alignment and
 * length allow (before, two 4-byte ones); devices such as edu answer the
 * two differently.
 */
#define VFPCI_COMPAT_BAR_RW64	VFPCI_SINCE(6, 9)

#endif /* VFPCI_COMPAT_H */
