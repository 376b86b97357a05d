// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO access through the device cdev and iommufd (Linux 6.5+ with
 * CONFIG_VFIO_DEVICE_CDEV and CONFIG_IOMMUFD): the device's own node
 * /dev/vfio/devices/vfioN is bound to a private /dev/iommu context, and
 * DMA goes through one IOAS attached to it.  As on the group path, each
 * device gets its own context so tests open devices independently.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vfpci_test.h"
#include "vfio_cdev.h"

bool vt_cdev_mode(void)
{
	const char *v = getenv("VFPCI_TEST_IOMMUFD");

	return v && *v && strcmp(v, "0");
}

/*
 * /dev/vfio/devices/vfioN of @bdf: a vfio driver bound to the device
 * registers it under the device's vfio-dev directory in sysfs.
 */
static int cdev_path(const char *bdf, char *path, size_t len)
{
	char dir[128];
	struct dirent *e;
	DIR *dp;
	int ret = -ENODEV;

	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	dp = opendir(dir);
	if (!dp)
		return errno == ENOENT ? -ENODEV : -errno;
	while ((e = readdir(dp))) {
		if (strncmp(e->d_name, "vfio", 4) || !e->d_name[4])
			continue;
		snprintf(path, len, "/dev/vfio/devices/%s", e->d_name);
		ret = 0;
		break;
	}
	closedir(dp);
	return ret;
}

int vt_open_cdev(struct vt_dev *d, const char *bdf)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
	};
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	char path[300];	/* d_name is up to 255 bytes */
	int ret;

	d->cdev = true;
	ret = cdev_path(bdf, path, sizeof(path));
	if (ret)
		return ret;
	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0)
		return -errno;
	d->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (d->iommufd < 0)
		return -errno;

	/* Nothing else is allowed on the device fd before the bind. */
	bind.iommufd = d->iommufd;
	if (ioctl(d->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0)
		return -errno;
	d->devid = bind.out_devid;

	if (ioctl(d->iommufd, IOMMU_IOAS_ALLOC, &alloc) < 0)
		return -errno;
	d->ioas = alloc.out_ioas_id;

	/* Attaching an IOAS makes the kernel pick or create the HWPT. */
	attach.pt_id = d->ioas;
	if (ioctl(d->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) < 0)
		return -errno;
	return 0;
}

int vt_ioas_map(struct vt_dev *d, uint64_t iova, size_t size, void *buf)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = d->ioas,
		.user_va = (uintptr_t)buf,
		.length = size,
		.iova = iova,
	};

	return ioctl(d->iommufd, IOMMU_IOAS_MAP, &map) < 0 ? -errno : 0;
}

int vt_ioas_unmap(struct vt_dev *d, uint64_t iova, size_t size)
{
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.ioas_id = d->ioas,
		.iova = iova,
		.length = size,
	};

	if (ioctl(d->iommufd, IOMMU_IOAS_UNMAP, &unmap) < 0)
		return -errno;
	/* Less than asked came out: the range was not all mapped. */
	return unmap.length == size ? 0 : -EINVAL;
}
