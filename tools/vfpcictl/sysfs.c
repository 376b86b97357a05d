// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sysfs layer of vfpcictl: file and link primitives under a root
 * prefix, and the PCI facts built on them.  Nothing here prints.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs.h"

static char sfs_rootdir[PATH_MAX];
static char sfs_failed[PATH_MAX + 64];

void sfs_set_root(const char *root)
{
	size_t n;

	snprintf(sfs_rootdir, sizeof(sfs_rootdir), "%s", root ? root : "");
	/* "/tmp/x/" + "/sys" must not give a double slash in messages. */
	n = strlen(sfs_rootdir);
	while (n > 0 && sfs_rootdir[n - 1] == '/')
		sfs_rootdir[--n] = '\0';
}

const char *sfs_root(void)
{
	return sfs_rootdir;
}

const char *sfs_last_path(void)
{
	return sfs_failed;
}

static int sfs_vpath(char *buf, size_t len, const char *fmt, va_list ap)
{
	size_t n = strlen(sfs_rootdir);
	int m;

	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(buf, sfs_rootdir, n);
	m = vsnprintf(buf + n, len - n, fmt, ap);
	if (m < 0 || (size_t)m >= len - n)
		return -ENAMETOOLONG;
	return 0;
}

int sfs_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = sfs_vpath(buf, len, fmt, ap);
	va_end(ap);
	return ret;
}

/* Remember @path as the culprit and pass @err through. */
static int sfs_fail(const char *path, int err)
{
	snprintf(sfs_failed, sizeof(sfs_failed), "%s", path);
	return err;
}

static int sfs_read_path(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if (len == 0)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sfs_fail(path, -errno);
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return sfs_fail(path, n);
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

int sfs_read(char *buf, size_t len, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = sfs_vpath(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (ret)
		return sfs_fail(fmt, ret);
	return sfs_read_path(path, buf, len);
}

int sfs_read_ulong(unsigned long *val, const char *fmt, ...)
{
	char path[PATH_MAX], buf[64], *end;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = sfs_vpath(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (ret)
		return sfs_fail(fmt, ret);
	ret = sfs_read_path(path, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	*val = strtoul(buf, &end, 0);
	if (errno || end == buf || *end)
		return sfs_fail(path, -EINVAL);
	return 0;
}

int sfs_write(const char *val, const char *fmt, ...)
{
	char path[PATH_MAX];
	size_t len = strlen(val);
	ssize_t n;
	va_list ap;
	int ret, fd;

	va_start(ap, fmt);
	ret = sfs_vpath(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (ret)
		return sfs_fail(fmt, ret);
	/* O_TRUNC is a no-op on sysfs but keeps fake trees exact. */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return sfs_fail(path, -errno);
	n = write(fd, val, len);
	ret = n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
	close(fd);
	return ret ? sfs_fail(path, ret) : 0;
}

int sfs_link_target(char *buf, size_t len, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	ssize_t n;
	int ret;

	va_start(ap, fmt);
	ret = sfs_vpath(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (ret)
		return sfs_fail(fmt, ret);
	n = readlink(path, buf, len);
	if (n < 0)
		return sfs_fail(path, -errno);
	if ((size_t)n >= len)
		return sfs_fail(path, -ENAMETOOLONG);
	buf[n] = '\0';
	return 0;
}

int sfs_link_name(char *buf, size_t len, const char *fmt, ...)
{
	char path[PATH_MAX], target[PATH_MAX], *base;
	va_list ap;
	ssize_t n;
	int ret;

	va_start(ap, fmt);
	ret = sfs_vpath(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (ret)
		return sfs_fail(fmt, ret);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return sfs_fail(path, -errno);
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return sfs_fail(path, -ENAMETOOLONG);
	strcpy(buf, base);
	return 0;
}

bool sfs_exists(const char *fmt, ...)
{
	char path[PATH_MAX];
	struct stat st;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = sfs_vpath(path, sizeof(path), fmt, ap);
	va_end(ap);
	return !ret && stat(path, &st) == 0;
}

static int sfs_cmp(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

void sfs_free_list(char **names, int n)
{
	int i;

	if (!names)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int sfs_list(char ***names, const char *fmt, ...)
{
	char path[PATH_MAX], **v = NULL, **nv;
	struct dirent *de;
	int n = 0, cap = 0, ret;
	va_list ap;
	DIR *d;

	*names = NULL;
	va_start(ap, fmt);
	ret = sfs_vpath(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (ret)
		return sfs_fail(fmt, ret);
	d = opendir(path);
	if (!d)
		return sfs_fail(path, -errno);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				goto nomem;
			v = nv;
		}
		v[n] = strdup(de->d_name);
		if (!v[n])
			goto nomem;
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), sfs_cmp);
	*names = v;
	return n;
nomem:
	closedir(d);
	sfs_free_list(v, n);
	return sfs_fail(path, -ENOMEM);
}

/* mkdir -p of the folder part of @path (which includes the root). */
static int sfs_mkdirs(const char *path)
{
	char tmp[PATH_MAX], *p;

	snprintf(tmp, sizeof(tmp), "%s", path);
	p = strrchr(tmp, '/');
	if (!p || p == tmp)
		return 0;
	*p = '\0';
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return sfs_fail(tmp, -errno);
		*p = '/';
	}
	if (mkdir(tmp, 0755) && errno != EEXIST)
		return sfs_fail(tmp, -errno);
	return 0;
}

int sfs_put_file(const char *text, const char *fmt, ...)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	size_t len = strlen(text);
	va_list ap;
	ssize_t n;
	int ret, fd;

	va_start(ap, fmt);
	ret = sfs_vpath(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (ret)
		return sfs_fail(fmt, ret);
	ret = sfs_mkdirs(path);
	if (ret)
		return ret;
	/* Write a temporary file and rename it: readers never see half. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return sfs_fail(tmp, -errno);
	n = write(fd, text, len);
	ret = n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return sfs_fail(path, ret);
	}
	return 0;
}

int sfs_unlink(const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = sfs_vpath(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (ret)
		return sfs_fail(fmt, ret);
	if (unlink(path))
		return sfs_fail(path, -errno);
	return 0;
}

/* ---- PCI ---- */

int pci_norm_bdf(const char *in, char *out, size_t len)
{
	unsigned int dom = 0, bus, dev, fn;
	char tail;

	/* sscanf's %x would take a "0x" prefix: allow hex digits only. */
	if (strspn(in, "0123456789abcdefABCDEF:.") != strlen(in))
		return -EINVAL;
	if (sscanf(in, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &tail) != 4) {
		dom = 0;
		if (sscanf(in, "%x:%x.%x%c", &bus, &dev, &fn, &tail) != 3)
			return -EINVAL;
	}
	if (dom > 0xffff || bus > 0xff || dev > 0x1f || fn > 7)
		return -EINVAL;
	if (snprintf(out, len, "%04x:%02x:%02x.%x", dom, bus, dev, fn) >=
	    (int)len)
		return -ENAMETOOLONG;
	return 0;
}

#define PCI_DEV "/sys/bus/pci/devices/%s"

static int pcifn_ids(struct pcifn *f)
{
	static const char * const names[] = {
		"vendor", "device", "subsystem_vendor", "subsystem_device",
		"class",
	};
	unsigned int *dst[] = {
		&f->vendor, &f->device, &f->subvendor, &f->subdevice, &f->class,
	};
	unsigned long v;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ret = sfs_read_ulong(&v, PCI_DEV "/%s", f->bdf, names[i]);
		if (ret)
			return ret;
		*dst[i] = v;
	}
	return 0;
}

/*
 * A function in D3cold (or gone) answers config reads with all ones; 6.1
 * has no power_state attribute to say so.  Missing file: not dead.
 */
static bool pci_cfg_dead(const char *bdf)
{
	unsigned char id[2];
	char path[PATH_MAX];
	bool dead = false;
	int fd;

	if (sfs_path(path, sizeof(path), PCI_DEV "/config", bdf))
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (pread(fd, id, sizeof(id), 0) == sizeof(id))
		dead = id[0] == 0xff && id[1] == 0xff;
	close(fd);
	return dead;
}

int pcifn_load(struct pcifn *f, const char *bdf)
{
	char buf[32];
	int ret;

	memset(f, 0, sizeof(*f));
	f->group = -1;
	ret = pci_norm_bdf(bdf, f->bdf, sizeof(f->bdf));
	if (ret)
		return ret;
	if (!sfs_exists(PCI_DEV, f->bdf)) {
		sfs_path(sfs_failed, sizeof(sfs_failed), PCI_DEV, f->bdf);
		return -ENODEV;
	}
	ret = pcifn_ids(f);
	if (ret)
		return ret;
	f->bridge = (f->class >> 16) == 0x06;
	if (!sfs_link_name(buf, sizeof(buf), PCI_DEV "/iommu_group", f->bdf))
		f->group = atoi(buf);
	sfs_link_name(f->driver, sizeof(f->driver), PCI_DEV "/driver",
		      f->bdf);
	if (sfs_read(f->override, sizeof(f->override),
		     PCI_DEV "/driver_override", f->bdf) ||
	    !strcmp(f->override, "(null)"))
		f->override[0] = '\0';
	sfs_read(f->reset, sizeof(f->reset), PCI_DEV "/reset_method", f->bdf);
	sfs_read(f->power, sizeof(f->power), PCI_DEV "/power_state", f->bdf);
	f->cfg_dead = pci_cfg_dead(f->bdf);
	return 0;
}

int pci_list(char ***bdfs)
{
	return sfs_list(bdfs, "/sys/bus/pci/devices");
}

int pci_group_members(int group, char ***bdfs)
{
	return sfs_list(bdfs, "/sys/kernel/iommu_groups/%d/devices", group);
}

int iommu_group_count(void)
{
	char **names;
	int n;

	n = sfs_list(&names, "/sys/kernel/iommu_groups");
	if (n < 0)
		return n == -ENOENT ? 0 : n;
	sfs_free_list(names, n);
	return n;
}

int pci_physfn(const char *bdf, char *pf, size_t len)
{
	return sfs_link_name(pf, len, PCI_DEV "/physfn", bdf);
}

int nvmepf_adev_name(const char *bdf, char *buf, size_t len)
{
	unsigned int dom, bus, dev, fn;

	if (sscanf(bdf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
		return -EINVAL;
	if (snprintf(buf, len, "nvmepf.vfio_pci.%u",
		     bus << 8 | dev << 3 | fn) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

void pci_vfio_modalias(const struct pcifn *f, char *buf, size_t len)
{
	snprintf(buf, len,
		 "vfio_pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X",
		 f->vendor, f->device, f->subvendor, f->subdevice,
		 (f->class >> 16) & 0xff, (f->class >> 8) & 0xff,
		 f->class & 0xff);
}

int pci_driver_module(const char *driver, char *buf, size_t len)
{
	int ret;

	if (!pci_driver_registered(driver)) {
		sfs_path(sfs_failed, sizeof(sfs_failed),
			 "/sys/bus/pci/drivers/%s", driver);
		return -ENOENT;
	}
	ret = sfs_link_name(buf, len, "/sys/bus/pci/drivers/%s/module",
			    driver);
	if (ret == -ENOENT) {
		buf[0] = '\0';	/* built into the kernel */
		return 0;
	}
	return ret;
}

bool pci_driver_registered(const char *driver)
{
	return driver[0] && !strchr(driver, '/') &&
	       sfs_exists("/sys/bus/pci/drivers/%s", driver);
}

int module_pci_driver(const char *module, char *buf, size_t len)
{
	char **names;
	int n, i, ret = -ENOENT;

	n = sfs_list(&names, "/sys/module/%s/drivers", module);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		if (strncmp(names[i], "pci:", 4))
			continue;
		ret = snprintf(buf, len, "%s", names[i] + 4) >= (int)len ?
		      -ENAMETOOLONG : 0;
		break;
	}
	if (ret == -ENOENT)
		sfs_path(sfs_failed, sizeof(sfs_failed),
			 "/sys/module/%s/drivers", module);
	sfs_free_list(names, n);
	return ret;
}

int pci_set_override(const char *bdf, const char *driver)
{
	/* A lone newline clears the override. */
	return sfs_write(driver[0] ? driver : "\n", PCI_DEV "/driver_override",
			 bdf);
}

int pci_unbind(const char *bdf, const char *driver)
{
	return sfs_write(bdf, "/sys/bus/pci/drivers/%s/unbind", driver);
}

int pci_probe(const char *bdf)
{
	return sfs_write(bdf, "/sys/bus/pci/drivers_probe");
}
