// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI sysfs helpers: find devices, read their driver and group, rebind.
 * A name that is no PCI address but a mediated device's UUID (under
 * /sys/bus/mdev/devices) works for the driver and group lookups too, so
 * that vt_open() and the programs on it can open an mdev instance.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vfpci_test.h"

#define PCI_SYSFS "/sys/bus/pci"
#define MDEV_SYSFS "/sys/bus/mdev/devices"

/* A mediated device: no PCI function of that name, an mdev of it. */
bool vt_is_mdev(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), PCI_SYSFS "/devices/%s", name);
	if (!stat(path, &st))
		return false;
	snprintf(path, sizeof(path), MDEV_SYSFS "/%s", name);
	return !stat(path, &st);
}

/* Attribute @attr of @name in sysfs: its PCI function's, else its mdev's. */
static void dev_attr(const char *name, const char *attr, char *buf,
		     size_t len)
{
	if (vt_is_mdev(name))
		snprintf(buf, len, MDEV_SYSFS "/%s/%s", name, attr);
	else
		snprintf(buf, len, PCI_SYSFS "/devices/%s/%s", name, attr);
}

static int sysfs_write(const char *path, const char *val)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	return 0;
}

static int sysfs_read_hex(const char *bdf, const char *attr, unsigned long *v)
{
	char path[PATH_MAX], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PCI_SYSFS "/devices/%s/%s", bdf, attr);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	*v = strtoul(buf, NULL, 16);
	return 0;
}

static int cmp_bdf(const void *a, const void *b)
{
	return strcmp(a, b);
}

int pci_find(uint16_t vendor, uint16_t device, char bdfs[][VT_BDF_LEN],
	     int max)
{
	struct dirent *de;
	unsigned long v, d;
	int n = 0;
	DIR *dir;

	dir = opendir(PCI_SYSFS "/devices");
	if (!dir)
		return -errno;
	while ((de = readdir(dir)) && n < max) {
		if (de->d_name[0] == '.')
			continue;
		if (sysfs_read_hex(de->d_name, "vendor", &v) ||
		    sysfs_read_hex(de->d_name, "device", &d))
			continue;
		if (v != vendor || d != device)
			continue;
		snprintf(bdfs[n++], VT_BDF_LEN, "%.31s", de->d_name);
	}
	closedir(dir);
	/* readdir order is arbitrary: sort so runs are repeatable. */
	qsort(bdfs, n, VT_BDF_LEN, cmp_bdf);
	return n;
}

int pci_driver_of(const char *bdf, char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	dev_attr(bdf, "driver", path, sizeof(path));
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0) {
		if (errno != ENOENT)
			return -errno;
		buf[0] = '\0';
		return 0;
	}
	target[n] = '\0';
	base = strrchr(target, '/');
	snprintf(buf, len, "%s", base ? base + 1 : target);
	return 0;
}

bool pci_driver_exists(const char *driver)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), PCI_SYSFS "/drivers/%s", driver);
	return stat(path, &st) == 0;
}

int pci_bind(const char *bdf, const char *driver)
{
	char path[PATH_MAX], cur[64];
	int ret;

	ret = pci_driver_of(bdf, cur, sizeof(cur));
	if (ret)
		return ret;
	if (!strcmp(cur, driver))
		return 0;
	/* An mdev comes bound to its parent's mdev driver, never rebound. */
	if (vt_is_mdev(bdf))
		return -ENODEV;
	if (!pci_driver_exists(driver))
		return -ENOENT;

	snprintf(path, sizeof(path), PCI_SYSFS "/devices/%s/driver_override",
		 bdf);
	ret = sysfs_write(path, driver);
	if (ret)
		return ret;
	if (cur[0]) {
		snprintf(path, sizeof(path), PCI_SYSFS "/drivers/%s/unbind",
			 cur);
		ret = sysfs_write(path, bdf);
		if (ret)
			return ret;
	}
	/* A failed probe shows up below as the wrong driver. */
	sysfs_write(PCI_SYSFS "/drivers_probe", bdf);

	ret = pci_driver_of(bdf, cur, sizeof(cur));
	if (ret)
		return ret;
	return strcmp(cur, driver) ? -ENODEV : 0;
}

int pci_iommu_group(const char *bdf)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	dev_attr(bdf, "iommu_group", path, sizeof(path));
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	return atoi(base ? base + 1 : target);
}
