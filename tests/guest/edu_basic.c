// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu_basic: bind one edu device (1234:11e8) to a VFIO driver, open it
 * through the group/container API and check its identification and
 * liveness registers through both pread/pwrite and an mmap of BAR0.
 *
 * Usage: edu_basic --driver vfio-pci|vfpci [BDF]
 * Without BDF the first edu that is unbound (or already bound to the
 * driver) is used.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vfpci_test.h"

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
#define EDU_ID		0x00
#define EDU_LIVENESS	0x04
#define EDU_ID_VALUE	0x010000edu

static const char *drv;
static char tname[128];

static const char *t(const char *what)
{
	snprintf(tname, sizeof(tname), "edu_basic/%s/%s", drv, what);
	return tname;
}

static int pick_edu(char *bdf)
{
	char found[16][VT_BDF_LEN], cur[64];
	int i, n;

	n = pci_find(EDU_VENDOR, EDU_DEVICE, found, 16);
	for (i = 0; i < n; i++) {
		if (pci_driver_of(found[i], cur, sizeof(cur)))
			continue;
		if (!cur[0] || !strcmp(cur, drv)) {
			strcpy(bdf, found[i]);
			return 0;
		}
	}
	return -ENODEV;
}

static void check_pread(struct vt_dev *d)
{
	uint32_t x = 0x5a3cc3a5;
	uint64_t v = 0;
	ssize_t n;

	n = vt_region_read(d, VFIO_PCI_BAR0_REGION_INDEX, EDU_ID, 4, &v);
	tap_result(n == 4 && v == EDU_ID_VALUE, t("pread_id"),
		   "pread returned %zd, value 0x%llx, want 0x%x", n,
		   (unsigned long long)v, EDU_ID_VALUE);

	n = vt_region_write(d, VFIO_PCI_BAR0_REGION_INDEX, EDU_LIVENESS, 4, x);
	if (n == 4)
		n = vt_region_read(d, VFIO_PCI_BAR0_REGION_INDEX,
				   EDU_LIVENESS, 4, &v);
	tap_result(n == 4 && v == (uint32_t)~x, t("pread_liveness"),
		   "rw returned %zd, read 0x%llx after writing 0x%x", n,
		   (unsigned long long)v, x);
}

static void check_mmap(struct vt_dev *d)
{
	uint32_t x = 0x12345678;
	volatile uint8_t *bar;
	uint64_t v = 0;
	size_t len;
	int ret;

	bar = vt_mmap_region(d, VFIO_PCI_BAR0_REGION_INDEX, 0, &len);
	if (!tap_result(bar != NULL, t("mmap"), "mmap BAR0: %s",
			strerror(errno))) {
		tap_result(false, t("mmap_id"), "no mapping");
		tap_result(false, t("mmap_liveness"), "no mapping");
		return;
	}
	ret = vt_mmio_read(bar + EDU_ID, 4, &v);
	tap_result(!ret && v == EDU_ID_VALUE, t("mmap_id"),
		   "access %d, value 0x%llx, want 0x%x", ret,
		   (unsigned long long)v, EDU_ID_VALUE);

	ret = vt_mmio_write(bar + EDU_LIVENESS, 4, x);
	if (!ret)
		ret = vt_mmio_read(bar + EDU_LIVENESS, 4, &v);
	tap_result(!ret && v == (uint32_t)~x, t("mmap_liveness"),
		   "access %d, read 0x%llx after writing 0x%x", ret,
		   (unsigned long long)v, x);
	munmap((void *)bar, len);
}

static void check_info(struct vt_dev *d)
{
	struct vfio_region_info *ri;
	uint32_t want = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			VFIO_REGION_INFO_FLAG_MMAP;
	int ret;

	tap_result((d->info.flags & VFIO_DEVICE_FLAGS_PCI) &&
		   d->info.num_regions >= VFIO_PCI_CONFIG_REGION_INDEX + 1,
		   t("device_info"), "flags 0x%x num_regions %u",
		   d->info.flags, d->info.num_regions);
	ret = vt_region_info(d->fd, VFIO_PCI_BAR0_REGION_INDEX, &ri);
	tap_result(!ret && ri->size == 1 << 20 && (ri->flags & want) == want,
		   t("bar0_info"), "ret %d size 0x%llx flags 0x%x", ret,
		   ret ? 0ULL : (unsigned long long)ri->size,
		   ret ? 0 : ri->flags);
	free(ri);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "driver", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	char bdf[VT_BDF_LEN];
	struct vt_dev d;
	int c, ret;

	while ((c = getopt_long(argc, argv, "d:", opts, NULL)) != -1) {
		if (c != 'd') {
			fprintf(stderr, "usage: %s --driver NAME [BDF]\n",
				argv[0]);
			return 2;
		}
		drv = optarg;
	}
	if (!drv) {
		fprintf(stderr, "usage: %s --driver NAME [BDF]\n", argv[0]);
		return 2;
	}
	if (optind < argc)
		snprintf(bdf, sizeof(bdf), "%s", argv[optind]);
	else if (pick_edu(bdf)) {
		tap_result(false, t("find"), "no free edu device");
		return tap_summary();
	}

	ret = pci_bind(bdf, drv);
	if (!tap_result(!ret, t("bind"), "bind %s to %s: %s", bdf, drv,
			strerror(-ret)))
		return tap_summary();
	ret = vt_open(&d, bdf);
	if (!tap_result(!ret, t("open"), "open %s: %s", bdf, strerror(-ret)))
		return tap_summary();

	check_info(&d);
	check_pread(&d);
	check_mmap(&d);
	vt_close(&d);
	return tap_summary();
}
