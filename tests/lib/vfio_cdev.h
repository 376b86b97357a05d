/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few VFIO cdev and iommufd uAPI definitions the tests need that the
 * host's 6.1 <linux/vfio.h> lacks (it has no <linux/iommufd.h> at all).
 * Values and layouts are those of the Linux 6.12 uAPI headers,
 * include/uapi/linux/vfio.h and include/uapi/linux/iommufd.h
 * (/usr/src/linux-headers-6.12.117+deb12-common/include/uapi/linux/).
 * Each definition is skipped when a newer system header already has it.
 */
#ifndef VFPCI_TEST_VFIO_CDEV_H
#define VFPCI_TEST_VFIO_CDEV_H

#include <linux/ioctl.h>
#include <linux/types.h>
#include <linux/vfio.h>

/* ---- vfio.h (6.5+): device cdev, /dev/vfio/devices/vfioN ---- */

#ifndef VFIO_DEVICE_BIND_IOMMUFD
struct vfio_device_bind_iommufd {
	__u32 argsz;
	__u32 flags;		/* must be 0 */
	__s32 iommufd;
	__u32 out_devid;
};
#define VFIO_DEVICE_BIND_IOMMUFD	_IO(VFIO_TYPE, VFIO_BASE + 18)

struct vfio_device_attach_iommufd_pt {
	__u32 argsz;
	__u32 flags;		/* must be 0 */
	__u32 pt_id;		/* IOAS or HWPT id in, attached id out */
};
#define VFIO_DEVICE_ATTACH_IOMMUFD_PT	_IO(VFIO_TYPE, VFIO_BASE + 19)

struct vfio_device_detach_iommufd_pt {
	__u32 argsz;
	__u32 flags;		/* must be 0 */
};
#define VFIO_DEVICE_DETACH_IOMMUFD_PT	_IO(VFIO_TYPE, VFIO_BASE + 20)
#endif

/*
 * Hot reset on a cdev-opened device: the info reports devids instead of
 * group ids (FLAG_DEV_ID), FLAG_DEV_ID_OWNED when the caller's iommufd
 * owns every affected device, and the reset takes an empty group fd array.
 */
#ifndef VFIO_PCI_HOT_RESET_FLAG_DEV_ID
#define VFIO_PCI_HOT_RESET_FLAG_DEV_ID		(1 << 0)
#define VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED	(1 << 1)
#define VFIO_PCI_DEVID_OWNED			0
#define VFIO_PCI_DEVID_NOT_OWNED		-1
#endif

/* ---- iommufd.h (6.2+): /dev/iommu ---- */

#ifndef IOMMUFD_TYPE
#define IOMMUFD_TYPE			(';')
#define IOMMUFD_CMD_DESTROY		0x80
#define IOMMUFD_CMD_IOAS_ALLOC		0x81
#define IOMMUFD_CMD_IOAS_MAP		0x85
#define IOMMUFD_CMD_IOAS_UNMAP		0x86

struct iommu_destroy {
	__u32 size;
	__u32 id;
};
#define IOMMU_DESTROY		_IO(IOMMUFD_TYPE, IOMMUFD_CMD_DESTROY)

struct iommu_ioas_alloc {
	__u32 size;
	__u32 flags;		/* must be 0 */
	__u32 out_ioas_id;
};
#define IOMMU_IOAS_ALLOC	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC)

#define IOMMU_IOAS_MAP_FIXED_IOVA	(1 << 0)
#define IOMMU_IOAS_MAP_WRITEABLE	(1 << 1)
#define IOMMU_IOAS_MAP_READABLE		(1 << 2)

struct iommu_ioas_map {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;	/* must be 0 */
	__aligned_u64 user_va;
	__aligned_u64 length;
	__aligned_u64 iova;	/* in with FIXED_IOVA, else chosen and out */
};
#define IOMMU_IOAS_MAP		_IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP)

struct iommu_ioas_unmap {
	__u32 size;
	__u32 ioas_id;
	__aligned_u64 iova;
	__aligned_u64 length;	/* in; out: bytes actually unmapped */
};
#define IOMMU_IOAS_UNMAP	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_UNMAP)
#endif

#endif /* VFPCI_TEST_VFIO_CDEV_H */
