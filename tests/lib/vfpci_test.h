/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the guest test programs: TAP reporting, PCI sysfs
 * lookups and driver binding, VFIO group/container access, region and
 * eventfd helpers, and the differential runner that compares what two
 * drivers show user space for the same probe.
 *
 * Conventions: functions returning int give 0 (or a count) on success and
 * -errno on failure; they never print results themselves unless their name
 * starts with tap_ or vt_diff.
 */
#ifndef VFPCI_TEST_H
#define VFPCI_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/vfio.h>

#define VT_BDF_LEN 32

/* ---- TAP reporting (tap.c) ---- */

/* Print "ok NAME" or "not ok NAME - WHY"; returns @pass. */
bool tap_result(bool pass, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tap_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tap_skip(const char *name, const char *why);
/* Free-form diagnostics: printed as "# ..." lines. */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the totals as a comment; returns the process exit status. */
int tap_summary(void);
int tap_failures(void);

/* ---- PCI sysfs (pci.c) ---- */

/* Fill @bdfs with up to @max addresses of vendor:device; returns the count. */
int pci_find(uint16_t vendor, uint16_t device, char bdfs[][VT_BDF_LEN],
	     int max);
/* Current driver name of @bdf into @buf ("" if unbound); 0 or -errno. */
int pci_driver_of(const char *bdf, char *buf, size_t len);
/* Bind @bdf to @driver (override, unbind, reprobe) and verify. */
int pci_bind(const char *bdf, const char *driver);
/* IOMMU group number of @bdf, or -errno. */
int pci_iommu_group(const char *bdf);
/* Whether a driver of that name is registered in the guest. */
bool pci_driver_exists(const char *driver);
/*
 * Whether @name is a mediated device (a UUID in /sys/bus/mdev/devices)
 * rather than a PCI function.  pci_driver_of() and pci_iommu_group()
 * take such a name as well; pci_bind() only accepts the driver it is
 * already bound to (-ENODEV otherwise).
 */
bool vt_is_mdev(const char *name);

/* ---- VFIO device access (vfio.c) ---- */

struct vt_dev {
	char bdf[VT_BDF_LEN];
	char driver[32];
	int container;
	int group;
	int fd;
	/* Opened through the device cdev (vt_cdev_mode()): no container/group. */
	bool cdev;
	int iommufd;
	uint32_t devid;		/* from VFIO_DEVICE_BIND_IOMMUFD */
	uint32_t ioas;		/* the IOAS the device is attached to */
	struct vfio_device_info info;
	uint64_t cfg_off;	/* file offset of the config region */
	uint64_t cfg_size;
};

/*
 * Open @bdf (or an mdev's UUID) through its own container and group, or, when
 * VFPCI_TEST_IOMMUFD is set to anything but "0" in the environment,
 * through its cdev /dev/vfio/devices/vfioN bound to its own /dev/iommu
 * with a fresh IOAS attached (no fallback to the group path); 0 or -errno.
 */
int vt_open(struct vt_dev *d, const char *bdf);
/* Whether vt_open() takes the cdev/iommufd path. */
bool vt_cdev_mode(void);
/* cdev half of vt_open() (iommufd.c): fills d->fd, iommufd, devid, ioas. */
int vt_open_cdev(struct vt_dev *d, const char *bdf);
void vt_close(struct vt_dev *d);
/* Bind @bdf to @driver and open it; reports nothing. */
int vt_bind_open(struct vt_dev *d, const char *bdf, const char *driver);

/*
 * Region info with the capability chain: *@out is malloc'ed and sized to
 * hold every capability.  0 or -errno (the ioctl's errno).
 */
int vt_region_info(int fd, uint32_t index, struct vfio_region_info **out);
/* Find capability @id in @info's chain, or NULL.  Guards against loops. */
struct vfio_info_cap_header *vt_region_cap(struct vfio_region_info *info,
					   uint16_t id);
/* Number of capabilities in the chain, -1 if the chain is malformed. */
int vt_region_cap_count(struct vfio_region_info *info);
int vt_irq_info(int fd, uint32_t index, struct vfio_irq_info *out);

/* File offset of region @index (from VFIO_DEVICE_GET_REGION_INFO). */
int vt_region_offset(int fd, uint32_t index, uint64_t *off, uint64_t *size);

/*
 * pread/pwrite of exactly @width (1, 2, 4 or 8) bytes at @off.
 * Returns the byte count, or -errno.
 */
ssize_t vt_read(int fd, uint64_t off, int width, uint64_t *val);
ssize_t vt_write(int fd, uint64_t off, int width, uint64_t val);
/* Same within config space / region @index. */
ssize_t vt_cfg_read(struct vt_dev *d, uint32_t pos, int width, uint64_t *val);
ssize_t vt_cfg_write(struct vt_dev *d, uint32_t pos, int width, uint64_t val);
ssize_t vt_region_read(struct vt_dev *d, uint32_t index, uint64_t pos,
		       int width, uint64_t *val);
ssize_t vt_region_write(struct vt_dev *d, uint32_t index, uint64_t pos,
			int width, uint64_t val);

/* mmap region @index (whole size if @len is 0); NULL with errno set. */
void *vt_mmap_region(struct vt_dev *d, uint32_t index, size_t len,
		     size_t *mapped);

/*
 * Access MMIO through a mapping, catching SIGBUS: 0, or -EFAULT when the
 * access raised SIGBUS (or SIGSEGV).
 */
int vt_mmio_read(volatile void *addr, int width, uint64_t *val);
int vt_mmio_write(volatile void *addr, int width, uint64_t val);

/* One access of @width bytes (1, 2, 4, else 8), faults not caught. */
void vt_mmio_rw(volatile void *addr, int width, uint64_t *val, bool write);

/* ---- eventfds and DMA (vfio.c) ---- */

int vt_eventfd(void);
/* Wait up to @timeout_ms for @efd; the counter value, 0 on timeout, -errno. */
int64_t vt_eventfd_wait(int efd, int timeout_ms);
/* Non-blocking read of the counter: value, 0 when not signalled. */
int64_t vt_eventfd_drain(int efd);
/* Wire eventfds to IRQ @index vectors [start, start+count). */
int vt_irq_set_eventfds(int fd, uint32_t index, uint32_t start,
			uint32_t count, const int *efds);
int vt_irq_disable(int fd, uint32_t index);

/*
 * Map @size bytes of fresh anonymous memory at @iova; *@buf gets it.
 * Through the container (type1) or the device's IOAS (cdev).
 */
int vt_dma_map(struct vt_dev *d, uint64_t iova, size_t size, void **buf);
int vt_dma_unmap(struct vt_dev *d, uint64_t iova, size_t size);
/* The IOAS halves of those (iommufd.c); @buf is mapped by the caller. */
int vt_ioas_map(struct vt_dev *d, uint64_t iova, size_t size, void *buf);
int vt_ioas_unmap(struct vt_dev *d, uint64_t iova, size_t size);

/* ---- differential runner (diff.c) ---- */

/* One observation of a probe: return value, errno and an optional value. */
struct vt_obs {
	char label[64];
	long ret;
	int err;
	uint64_t val;
};

/* What a probe saw on one device: a list of observations. */
struct vt_res {
	struct vt_obs *obs;
	size_t n, cap;
	char skip[128];		/* set to skip the whole case */
};

/* Record one observation; @ret < 0 and @err 0 means take errno. */
void vt_res_add(struct vt_res *r, long ret, int err, uint64_t val,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Record the outcome of a syscall that returned @ret, with errno. */
#define VT_OBS(r, ret, val, ...) \
	vt_res_add((r), (ret), (ret) < 0 ? errno : 0, (val), __VA_ARGS__)
void vt_res_free(struct vt_res *r);

typedef void (*vt_probe_fn)(struct vt_dev *d, long arg, struct vt_res *r);

/*
 * Run @fn on @a then on @b and compare every observation (ret, errno,
 * value).  Prints one TAP line named @name; on mismatch it names the first
 * differing observation with both results.  Returns true on a match.
 */
bool vt_diff(const char *name, struct vt_dev *a, struct vt_dev *b,
	     vt_probe_fn fn, long arg);

#endif /* VFPCI_TEST_H */
