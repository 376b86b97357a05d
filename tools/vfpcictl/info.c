// SPDX-License-Identifier: GPL-2.0-only
/*
 * info: open the device the way a VMM does (container, group, device fd)
 * and print what the VFIO uAPI says about it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "vfpcictl.h"

/* Linux 6.2 added pre-copy; 6.1's header does not know it yet. */
#ifndef VFIO_MIGRATION_PRE_COPY
#define VFIO_MIGRATION_PRE_COPY (1 << 2)
#endif

struct vdev {
	int container, group, fd;
};

static int open_dev(const char *path, int *fd)
{
	char full[PATH_MAX];

	sfs_path(full, sizeof(full), "%s", path);
	*fd = open(full, O_RDWR | O_CLOEXEC);
	if (*fd < 0) {
		fprintf(stderr, "vfpcictl: cannot open %s: %s\n", full,
			strerror(errno));
		return -errno;
	}
	return 0;
}

/* Open device @name (a BDF or an mdev UUID) of IOMMU group @group. */
static int vdev_open(struct vdev *v, const char *name, int group)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[64];

	v->container = v->group = v->fd = -1;
	if (open_dev("/dev/vfio/vfio", &v->container))
		return EX_SYS;
	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	if (open_dev(path, &v->group))
		return EX_SYS;
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &st))
		return fail(EX_SYS, "VFIO_GROUP_GET_STATUS on %s: %s", path,
			    strerror(errno));
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE))
		return fail(EX_SYS,
			    "%s: group %d is not viable: another member is on a host driver (vfpcictl doctor %s)",
			    path, group, name);
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container))
		return fail(EX_SYS, "VFIO_GROUP_SET_CONTAINER on %s: %s", path,
			    strerror(errno));
	if (ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return fail(EX_SYS, "VFIO_SET_IOMMU on /dev/vfio/vfio: %s",
			    strerror(errno));
	v->fd = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, name);
	if (v->fd < 0)
		return fail(EX_SYS, "VFIO_GROUP_GET_DEVICE_FD %s on %s: %s",
			    name, path, strerror(errno));
	return EX_OK;
}

static void vdev_close(struct vdev *v)
{
	if (v->fd >= 0)
		close(v->fd);
	if (v->group >= 0)
		close(v->group);
	if (v->container >= 0)
		close(v->container);
}

static const char *region_name(unsigned int i)
{
	static const char * const names[] = {
		"BAR0", "BAR1", "BAR2", "BAR3", "BAR4", "BAR5", "ROM",
		"CONFIG", "VGA",
	};

	return i < sizeof(names) / sizeof(names[0]) ? names[i] : "device";
}

static const char *irq_name(unsigned int i)
{
	static const char * const names[] = {
		"INTX", "MSI", "MSIX", "ERR", "REQ",
	};

	return i < sizeof(names) / sizeof(names[0]) ? names[i] : "device";
}

static void show_region(int fd, unsigned int i)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = i };
	char fl[32];

	if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &ri)) {
		if (opt.json) {
			js_obj(NULL);
			js_int("index", i);
			js_str("error", strerror(errno));
			js_end_obj();
		} else if (errno != EINVAL) {	/* EINVAL: no such region */
			printf("  region %u %-6s error: %s\n", i, region_name(i),
			       strerror(errno));
		}
		return;
	}
	snprintf(fl, sizeof(fl), "%s%s%s%s",
		 ri.flags & VFIO_REGION_INFO_FLAG_READ ? "r" : "-",
		 ri.flags & VFIO_REGION_INFO_FLAG_WRITE ? "w" : "-",
		 ri.flags & VFIO_REGION_INFO_FLAG_MMAP ? "m" : "-",
		 ri.flags & VFIO_REGION_INFO_FLAG_CAPS ? "c" : "-");
	if (opt.json) {
		js_obj(NULL);
		js_int("index", i);
		js_str("name", region_name(i));
		js_int("size", ri.size);
		js_int("offset", ri.offset);
		js_bool("read", ri.flags & VFIO_REGION_INFO_FLAG_READ);
		js_bool("write", ri.flags & VFIO_REGION_INFO_FLAG_WRITE);
		js_bool("mmap", ri.flags & VFIO_REGION_INFO_FLAG_MMAP);
		js_bool("caps", ri.flags & VFIO_REGION_INFO_FLAG_CAPS);
		js_end_obj();
	} else if (ri.size) {
		printf("  region %u %-6s size 0x%llx offset 0x%llx %s\n", i,
		       region_name(i), (unsigned long long)ri.size,
		       (unsigned long long)ri.offset, fl);
	}
}

static void show_irq(int fd, unsigned int i)
{
	struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = i };

	if (ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, &ii)) {
		if (!opt.json && errno != EINVAL)
			printf("  irq %u %-5s error: %s\n", i, irq_name(i),
			       strerror(errno));
		return;
	}
	if (opt.json) {
		js_obj(NULL);
		js_int("index", i);
		js_str("name", irq_name(i));
		js_int("count", ii.count);
		js_bool("eventfd", ii.flags & VFIO_IRQ_INFO_EVENTFD);
		js_bool("maskable", ii.flags & VFIO_IRQ_INFO_MASKABLE);
		js_bool("automasked", ii.flags & VFIO_IRQ_INFO_AUTOMASKED);
		js_bool("noresize", ii.flags & VFIO_IRQ_INFO_NORESIZE);
		js_end_obj();
	} else if (ii.count) {
		printf("  irq %u %-5s count %u%s%s%s\n", i, irq_name(i),
		       ii.count,
		       ii.flags & VFIO_IRQ_INFO_MASKABLE ? " maskable" : "",
		       ii.flags & VFIO_IRQ_INFO_AUTOMASKED ? " automasked" : "",
		       ii.flags & VFIO_IRQ_INFO_NORESIZE ? " noresize" : "");
	}
}

/* Migration flags (GET), or -errno: ENOTTY means no migration. */
static long long migration_flags(int fd)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_migration m;
	} req = {};

	req.f.argsz = sizeof(req);
	req.f.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIGRATION;
	if (ioctl(fd, VFIO_DEVICE_FEATURE, &req))
		return -errno;
	return req.m.flags;
}

/* 0 when DMA_LOGGING_START is supported (PROBE only), else -errno. */
static int dirty_probe(int fd)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_dma_logging_control c;
	} req = {};

	req.f.argsz = sizeof(req);
	req.f.flags = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET |
		      VFIO_DEVICE_FEATURE_DMA_LOGGING_START;
	return ioctl(fd, VFIO_DEVICE_FEATURE, &req) ? -errno : 0;
}

static void show_features(const struct vfio_device_info *di, int fd)
{
	long long mig = migration_flags(fd);
	int dirty = dirty_probe(fd);
	bool reset = di->flags & VFIO_DEVICE_FLAGS_RESET;

	if (opt.json) {
		js_bool("reset", reset);
		js_obj("migration");
		js_bool("supported", mig >= 0);
		if (mig >= 0) {
			js_bool("stop_copy", mig & VFIO_MIGRATION_STOP_COPY);
			js_bool("p2p", mig & VFIO_MIGRATION_P2P);
			js_bool("pre_copy", mig & VFIO_MIGRATION_PRE_COPY);
		} else {
			js_str("errno", strerror(-mig));
		}
		js_end_obj();
		js_obj("dirty_tracking");
		js_bool("supported", dirty == 0);
		if (dirty)
			js_str("errno", strerror(-dirty));
		js_end_obj();
		return;
	}
	printf("  reset: %s\n", reset ? "yes (VFIO_DEVICE_FLAGS_RESET)" :
	       "no");
	if (mig >= 0)
		printf("  migration: v2%s%s%s\n",
		       mig & VFIO_MIGRATION_STOP_COPY ? " stop-copy" : "",
		       mig & VFIO_MIGRATION_P2P ? " p2p" : "",
		       mig & VFIO_MIGRATION_PRE_COPY ? " pre-copy" : "");
	else
		printf("  migration: no (%s)\n", strerror(-mig));
	printf("  dirty tracking: %s%s%s\n", dirty ? "no" : "yes",
	       dirty ? " - " : "", dirty ? strerror(-dirty) : "");
}

/* On vfpci_nvme: the VF's secondary controller, as nvmepf reads it. */
static void show_secondary(const struct pcifn *f)
{
	char a[64], st[128];

	if (strcmp(f->driver, "vfpci_nvme") ||
	    nvmepf_adev_name(f->bdf, a, sizeof(a)) ||
	    sfs_read(st, sizeof(st), "/sys/bus/auxiliary/devices/%s/state", a))
		return;
	if (opt.json)
		js_str("nvme_secondary", st);
	else
		printf("secondary controller (%s): %s\n", a, st);
}

/* What the uAPI says about device @name (BDF or UUID) on @driver. */
static int show_device(const char *name, const char *driver, int group,
		       const struct pcifn *f)
{
	struct vfio_device_info di = { .argsz = sizeof(di) };
	const char *kind = NULL;
	char path[PATH_MAX];
	struct vdev v;
	unsigned int i;
	int ret;

	ret = vdev_open(&v, name, group);
	if (ret)
		goto out;
	if (ioctl(v.fd, VFIO_DEVICE_GET_INFO, &di)) {
		ret = fail(EX_SYS, "VFIO_DEVICE_GET_INFO on %s: %s", name,
			   strerror(errno));
		goto out;
	}
	if (!strcmp(driver, "vfio-pci"))
		kind = mods_vfio_pci_kind(path, sizeof(path));
	if (opt.json) {
		js_obj(NULL);
		js_str(f ? "bdf" : "uuid", name);
		js_str("driver", driver);
		if (kind)
			js_str("vfio_pci", kind);
		js_int("iommu_group", group);
		js_int("flags", di.flags);
		js_arr("regions");
	} else {
		printf("%s on %s%s%s%s, group %d: %u regions, %u irq indexes\n",
		       name, driver, kind ? " (" : "", kind ? kind : "",
		       kind ? ")" : "", group, di.num_regions, di.num_irqs);
	}
	if (f)
		show_secondary(f);
	for (i = 0; i < di.num_regions; i++)
		show_region(v.fd, i);
	if (opt.json) {
		js_end_arr();
		js_arr("irqs");
	}
	for (i = 0; i < di.num_irqs; i++)
		show_irq(v.fd, i);
	if (opt.json)
		js_end_arr();
	show_features(&di, v.fd);
	if (opt.json) {
		js_end_obj();
		js_done();
	}
	ret = EX_OK;
out:
	vdev_close(&v);
	return ret;
}

int cmd_info(const char *bdf)
{
	char driver[64];
	struct pcifn f;
	int ret, group;

	if (mdev_is_instance(bdf)) {
		if (mdev_instance_load(bdf, driver, sizeof(driver), &group))
			return fail(EX_SYS, "mdev %s has no IOMMU group", bdf);
		if (!driver[0])
			return fail(EX_NODEV, "mdev %s has no driver", bdf);
		return show_device(bdf, driver, group, NULL);
	}
	ret = pcifn_load(&f, bdf);
	if (ret == -ENODEV || ret == -EINVAL)
		return fail(EX_NODEV, "no PCI device or mdev %s", bdf);
	if (ret)
		return fail_sys(EX_SYS, ret, "cannot read device");
	if (f.driver[0] && mdev_is_parent(f.bdf))
		return mdev_show_parent(&f);
	if (!is_vfio_driver(f.driver))
		return fail(EX_NODEV,
			    "%s is on %s, not a vfio driver: vfpcictl bind %s",
			    f.bdf, f.driver[0] ? f.driver : "no driver", f.bdf);
	if (f.group < 0)
		return fail(EX_SYS, "%s has no IOMMU group", f.bdf);
	return show_device(f.bdf, f.driver, f.group, &f);
}
