// SPDX-License-Identifier: GPL-2.0-only
/*
 * Mediated devices.  A PCI function on an mdev parent driver (such as
 * vfpci_edu_mdev) is not a VFIO device itself: it hosts instances, each a
 * VFIO device named by its UUID under /sys/bus/mdev/devices, created from
 * one of the parent's types (mdev_supported_types/<type>/create).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfpcictl.h"

#define MDEV_BUS	"/sys/bus/mdev/devices"

bool mdev_is_parent(const char *bdf)
{
	return sfs_exists("/sys/bus/pci/devices/%s/mdev_supported_types", bdf);
}

/* A UUID (8-4-4-4-12 hex digits) that names an existing instance. */
bool mdev_is_instance(const char *name)
{
	static const int dash[] = { 8, 13, 18, 23 };
	size_t i, d = 0;

	if (strlen(name) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (d < 4 && (int)i == dash[d]) {
			if (name[i] != '-')
				return false;
			d++;
		} else if (!strchr("0123456789abcdefABCDEF", name[i])) {
			return false;
		}
	}
	return sfs_exists(MDEV_BUS "/%s", name);
}

/* Is instance @uuid hosted by PCI function @bdf? */
static bool mdev_on(const char *uuid, const char *bdf)
{
	char target[PATH_MAX], want[PCI_BDF_LEN + 2];

	if (sfs_link_target(target, sizeof(target), MDEV_BUS "/%s", uuid))
		return false;
	snprintf(want, sizeof(want), "/%s/", bdf);
	return strstr(target, want) != NULL;
}

int mdev_count(const char *bdf)
{
	char **uuids;
	int n, i, count = 0;

	n = sfs_list(&uuids, MDEV_BUS);
	for (i = 0; i < n; i++)
		count += mdev_on(uuids[i], bdf);
	sfs_free_list(uuids, n);
	return count;
}

/* Instances of @type on @bdf, printed or as JSON strings. */
static void show_instances(const char *bdf, const char *type)
{
	char **uuids, t[128];
	int n, i;

	n = sfs_list(&uuids, MDEV_BUS);
	for (i = 0; i < n; i++) {
		if (!mdev_on(uuids[i], bdf) ||
		    sfs_link_name(t, sizeof(t), MDEV_BUS "/%s/mdev_type",
				  uuids[i]) || strcmp(t, type))
			continue;
		if (opt.json)
			js_str(NULL, uuids[i]);
		else
			printf("    instance %s\n", uuids[i]);
	}
	sfs_free_list(uuids, n);
}

/* "info" on a parent: its types, what each has room for, its instances. */
int mdev_show_parent(const struct pcifn *f)
{
	char **types, desc[256], api[32];
	unsigned long avail;
	int n, i;

	n = sfs_list(&types, "/sys/bus/pci/devices/%s/mdev_supported_types",
		     f->bdf);
	if (n < 0)
		return fail_sys(EX_SYS, n, "cannot list mdev types");
	if (opt.json) {
		js_obj(NULL);
		js_str("bdf", f->bdf);
		js_str("driver", f->driver);
		js_str("role", "mdev_parent");
		js_int("instances", mdev_count(f->bdf));
		js_arr("mdev_types");
	} else {
		printf("%s on %s: mdev parent, %d instance(s); open an instance: vfpcictl info UUID\n",
		       f->bdf, f->driver, mdev_count(f->bdf));
	}
	for (i = 0; i < n; i++) {
		const char *t = types[i];

		if (sfs_read_ulong(&avail,
				   "/sys/bus/pci/devices/%s/mdev_supported_types/%s/available_instances",
				   f->bdf, t))
			avail = 0;
		if (sfs_read(desc, sizeof(desc),
			     "/sys/bus/pci/devices/%s/mdev_supported_types/%s/description",
			     f->bdf, t))
			desc[0] = '\0';
		if (sfs_read(api, sizeof(api),
			     "/sys/bus/pci/devices/%s/mdev_supported_types/%s/device_api",
			     f->bdf, t))
			api[0] = '\0';
		if (opt.json) {
			js_obj(NULL);
			js_str("type", t);
			js_int("available_instances", avail);
			js_str("device_api", api);
			js_str("description", desc);
			js_arr("instances");
			show_instances(f->bdf, t);
			js_end_arr();
			js_end_obj();
		} else {
			printf("  type %s (%s): %lu more available; %s\n", t,
			       api, avail, desc);
			show_instances(f->bdf, t);
		}
	}
	if (opt.json) {
		js_end_arr();
		js_end_obj();
		js_done();
	}
	sfs_free_list(types, n);
	return EX_OK;
}

/* An instance's driver and IOMMU group, for "info UUID". */
int mdev_instance_load(const char *uuid, char *driver, size_t len,
		       int *group)
{
	char g[32];

	if (sfs_link_name(driver, len, MDEV_BUS "/%s/driver", uuid))
		driver[0] = '\0';
	if (sfs_link_name(g, sizeof(g), MDEV_BUS "/%s/iommu_group", uuid))
		return -ENOENT;
	*group = atoi(g);
	return 0;
}
