// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO access through the legacy group/container uAPI: open a device,
 * query regions and IRQs, read and write regions, map BARs, wire eventfds
 * and map DMA.  Each device gets its own container so that tests can open
 * devices independently.  The cdev/iommufd way of opening a device and
 * mapping DMA lives in iommufd.c; everything past the open is shared.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vfpci_test.h"

static int vt_open_container(void)
{
	int fd, ret;

	fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = ioctl(fd, VFIO_GET_API_VERSION);
	if (ret != VFIO_API_VERSION) {
		close(fd);
		return -EPROTO;
	}
	if (ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0) {
		close(fd);
		return -EOPNOTSUPP;
	}
	return fd;
}

static int vt_open_group(const char *bdf, int container)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[64];
	int grp, fd;

	grp = pci_iommu_group(bdf);
	if (grp < 0)
		return grp;
	snprintf(path, sizeof(path), "/dev/vfio/%d", grp);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &st) < 0)
		goto fail;
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		errno = EBUSY;
		goto fail;
	}
	if (ioctl(fd, VFIO_GROUP_SET_CONTAINER, &container) < 0)
		goto fail;
	return fd;
fail:
	grp = -errno;
	close(fd);
	return grp;
}

static int vt_open_group_path(struct vt_dev *d, const char *bdf)
{
	int ret;

	ret = vt_open_container();
	if (ret < 0)
		return ret;
	d->container = ret;
	ret = vt_open_group(bdf, d->container);
	if (ret < 0)
		return ret;
	d->group = ret;
	/* An mdev's emulated IOMMU group may only offer the first type1. */
	if (ioctl(d->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0 &&
	    (!vt_is_mdev(bdf) ||
	     ioctl(d->container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU) < 0))
		return -errno;
	d->fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (d->fd < 0)
		return -errno;
	return 0;
}

int vt_open(struct vt_dev *d, const char *bdf)
{
	uint64_t off = 0, size = 0;
	int ret;

	memset(d, 0, sizeof(*d));
	d->container = d->group = d->fd = d->iommufd = -1;
	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	pci_driver_of(bdf, d->driver, sizeof(d->driver));

	if (vt_cdev_mode())
		ret = vt_open_cdev(d, bdf);
	else
		ret = vt_open_group_path(d, bdf);
	if (ret)
		goto fail;
	d->info.argsz = sizeof(d->info);
	if (ioctl(d->fd, VFIO_DEVICE_GET_INFO, &d->info) < 0) {
		ret = -errno;
		goto fail;
	}
	ret = vt_region_offset(d->fd, VFIO_PCI_CONFIG_REGION_INDEX, &off,
			       &size);
	if (ret)
		goto fail;
	d->cfg_off = off;
	d->cfg_size = size;
	return 0;
fail:
	vt_close(d);
	return ret;
}

void vt_close(struct vt_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	if (d->group >= 0)
		close(d->group);
	if (d->container >= 0)
		close(d->container);
	/* Tests that fill a vt_dev by hand leave cdev false. */
	if (d->cdev && d->iommufd >= 0)
		close(d->iommufd);
	d->fd = d->group = d->container = d->iommufd = -1;
}

int vt_bind_open(struct vt_dev *d, const char *bdf, const char *driver)
{
	int ret = pci_bind(bdf, driver);

	if (ret)
		return ret;
	return vt_open(d, bdf);
}

int vt_region_info(int fd, uint32_t index, struct vfio_region_info **out)
{
	struct vfio_region_info *info, *bigger;
	size_t sz = sizeof(*info);

	*out = NULL;
	info = calloc(1, sz);
	if (!info)
		return -ENOMEM;
	for (;;) {
		info->argsz = sz;
		info->index = index;
		if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, info) < 0) {
			int err = -errno;

			free(info);
			return err;
		}
		/* The kernel asks for more room when capabilities follow. */
		if (info->argsz <= sz)
			break;
		sz = info->argsz;
		bigger = realloc(info, sz);
		if (!bigger) {
			free(info);
			return -ENOMEM;
		}
		info = bigger;
		memset(info, 0, sz);
	}
	*out = info;
	return 0;
}

/* Walk the chain; calls back nothing, returns the @id entry or the count. */
static int cap_walk(struct vfio_region_info *info, uint16_t id,
		    struct vfio_info_cap_header **found)
{
	uint32_t off;
	int n = 0;

	if (!(info->flags & VFIO_REGION_INFO_FLAG_CAPS))
		return 0;
	off = info->cap_offset;
	while (off) {
		struct vfio_info_cap_header *h;

		/* A sane chain stays inside argsz and never repeats. */
		if (off < sizeof(*info) || off + sizeof(*h) > info->argsz ||
		    n > 64)
			return -1;
		h = (struct vfio_info_cap_header *)((char *)info + off);
		if (found && h->id == id) {
			*found = h;
			return n;
		}
		n++;
		if (h->next && h->next <= off)
			return -1;
		off = h->next;
	}
	return n;
}

struct vfio_info_cap_header *vt_region_cap(struct vfio_region_info *info,
					   uint16_t id)
{
	struct vfio_info_cap_header *h = NULL;

	cap_walk(info, id, &h);
	return h;
}

int vt_region_cap_count(struct vfio_region_info *info)
{
	return cap_walk(info, 0, NULL);
}

int vt_irq_info(int fd, uint32_t index, struct vfio_irq_info *out)
{
	memset(out, 0, sizeof(*out));
	out->argsz = sizeof(*out);
	out->index = index;
	if (ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, out) < 0)
		return -errno;
	return 0;
}

int vt_region_offset(int fd, uint32_t index, uint64_t *off, uint64_t *size)
{
	struct vfio_region_info info = {
		.argsz = sizeof(info), .index = index,
	};

	if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &info) < 0)
		return -errno;
	*off = info.offset;
	if (size)
		*size = info.size;
	return 0;
}

static bool width_ok(int width)
{
	return width == 1 || width == 2 || width == 4 || width == 8;
}

/* Little-endian host: the low @width bytes of a u64 are the value. */
ssize_t vt_read(int fd, uint64_t off, int width, uint64_t *val)
{
	uint64_t v = 0;
	ssize_t n;

	if (!width_ok(width))
		return -EINVAL;
	n = pread(fd, &v, width, off);
	if (n < 0)
		return -errno;
	*val = v;
	return n;
}

ssize_t vt_write(int fd, uint64_t off, int width, uint64_t val)
{
	ssize_t n;

	if (!width_ok(width))
		return -EINVAL;
	n = pwrite(fd, &val, width, off);
	return n < 0 ? -errno : n;
}

ssize_t vt_cfg_read(struct vt_dev *d, uint32_t pos, int width, uint64_t *val)
{
	return vt_read(d->fd, d->cfg_off + pos, width, val);
}

ssize_t vt_cfg_write(struct vt_dev *d, uint32_t pos, int width, uint64_t val)
{
	return vt_write(d->fd, d->cfg_off + pos, width, val);
}

ssize_t vt_region_read(struct vt_dev *d, uint32_t index, uint64_t pos,
		       int width, uint64_t *val)
{
	uint64_t off = 0;
	int ret;

	ret = vt_region_offset(d->fd, index, &off, NULL);
	if (ret)
		return ret;
	return vt_read(d->fd, off + pos, width, val);
}

ssize_t vt_region_write(struct vt_dev *d, uint32_t index, uint64_t pos,
			int width, uint64_t val)
{
	uint64_t off = 0;
	int ret;

	ret = vt_region_offset(d->fd, index, &off, NULL);
	if (ret)
		return ret;
	return vt_write(d->fd, off + pos, width, val);
}

void *vt_mmap_region(struct vt_dev *d, uint32_t index, size_t len,
		     size_t *mapped)
{
	uint64_t off = 0, size = 0;
	void *p;
	int ret;

	ret = vt_region_offset(d->fd, index, &off, &size);
	if (ret) {
		errno = -ret;
		return NULL;
	}
	if (!len)
		len = size;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, off);
	if (p == MAP_FAILED)
		return NULL;
	if (mapped)
		*mapped = len;
	return p;
}

/* ---- MMIO with SIGBUS caught ---- */

/* One access of @width bytes (1, 2, 4, else 8); the caller catches faults. */
void vt_mmio_rw(volatile void *addr, int width, uint64_t *val, bool write)
{
	switch (width) {
	case 1:
		if (write)
			*(volatile uint8_t *)addr = *val;
		else
			*val = *(volatile uint8_t *)addr;
		break;
	case 2:
		if (write)
			*(volatile uint16_t *)addr = *val;
		else
			*val = *(volatile uint16_t *)addr;
		break;
	case 4:
		if (write)
			*(volatile uint32_t *)addr = *val;
		else
			*val = *(volatile uint32_t *)addr;
		break;
	default:
		if (write)
			*(volatile uint64_t *)addr = *val;
		else
			*val = *(volatile uint64_t *)addr;
		break;
	}
}

static sigjmp_buf mmio_jmp;

static void mmio_fault(int sig)
{
	siglongjmp(mmio_jmp, sig);
}

static int mmio_access(volatile void *addr, int width, uint64_t *val,
		       bool write)
{
	struct sigaction sa = { .sa_handler = mmio_fault }, old_bus, old_segv;
	int ret = 0;

	if (!width_ok(width))
		return -EINVAL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	if (sigsetjmp(mmio_jmp, 1)) {
		ret = -EFAULT;
		goto out;
	}
	vt_mmio_rw(addr, width, val, write);
out:
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return ret;
}

int vt_mmio_read(volatile void *addr, int width, uint64_t *val)
{
	return mmio_access(addr, width, val, false);
}

int vt_mmio_write(volatile void *addr, int width, uint64_t val)
{
	return mmio_access(addr, width, &val, true);
}

/* ---- eventfds ---- */

int vt_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	return fd < 0 ? -errno : fd;
}

int64_t vt_eventfd_drain(int efd)
{
	uint64_t v;

	if (read(efd, &v, sizeof(v)) != sizeof(v))
		return errno == EAGAIN ? 0 : -errno;
	return v;
}

int64_t vt_eventfd_wait(int efd, int timeout_ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	int ret;

	do {
		ret = poll(&p, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return 0;
	return vt_eventfd_drain(efd);
}

int vt_irq_set_eventfds(int fd, uint32_t index, uint32_t start,
			uint32_t count, const int *efds)
{
	size_t sz = sizeof(struct vfio_irq_set) + count * sizeof(int32_t);
	struct vfio_irq_set *set;
	int ret = 0;

	set = calloc(1, sz);
	if (!set)
		return -ENOMEM;
	set->argsz = sz;
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = index;
	set->start = start;
	set->count = count;
	memcpy(set->data, efds, count * sizeof(int32_t));
	if (ioctl(fd, VFIO_DEVICE_SET_IRQS, set) < 0)
		ret = -errno;
	free(set);
	return ret;
}

int vt_irq_disable(int fd, uint32_t index)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = index,
	};

	return ioctl(fd, VFIO_DEVICE_SET_IRQS, &set) < 0 ? -errno : 0;
}

/* ---- DMA ---- */

int vt_dma_map(struct vt_dev *d, uint64_t iova, size_t size, void **buf)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = iova,
		.size = size,
	};
	void *p;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	memset(p, 0, size);
	map.vaddr = (uintptr_t)p;
	if (d->cdev) {
		int err = vt_ioas_map(d, iova, size, p);

		if (err) {
			munmap(p, size);
			return err;
		}
	} else if (ioctl(d->container, VFIO_IOMMU_MAP_DMA, &map) < 0) {
		int err = -errno;

		munmap(p, size);
		return err;
	}
	*buf = p;
	return 0;
}

int vt_dma_unmap(struct vt_dev *d, uint64_t iova, size_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};

	if (d->cdev)
		return vt_ioas_unmap(d, iova, size);
	return ioctl(d->container, VFIO_IOMMU_UNMAP_DMA, &unmap) < 0 ?
		-errno : 0;
}
