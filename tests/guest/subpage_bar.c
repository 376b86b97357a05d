// SPDX-License-Identifier: GPL-2.0-only
/*
 * A BAR smaller than a page (pvpanic-pci: 16 bytes at a page start) is
 * mappable with the in-kernel vfio-pci, which reserves the rest of the
 * page.  Bind the same device to each driver in turn and compare region
 * info, mmap and a read through the mapping.
 *
 * Usage: subpage_bar BDF DRIVER_A DRIVER_B
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vfpci_test.h"

struct seen {
	int info_ret;
	uint32_t flags;
	uint64_t size;
	int mmap_errno;
	int read_ret;
	uint64_t val;
};

static void observe(const char *bdf, const char *driver, struct seen *s)
{
	struct vfio_region_info *info = NULL;
	struct vt_dev d;
	size_t mapped;
	void *map;

	memset(s, 0, sizeof(*s));
	if (vt_bind_open(&d, bdf, driver)) {
		s->info_ret = -ENODEV;
		return;
	}
	vt_cfg_write(&d, 0x04, 2, 0x2);		/* memory decode on */
	s->info_ret = vt_region_info(d.fd, 0, &info);
	if (!s->info_ret) {
		s->flags = info->flags;
		s->size = info->size;
	}
	map = vt_mmap_region(&d, 0, 4096, &mapped);
	if (!map) {
		s->mmap_errno = errno;
	} else {
		s->read_ret = vt_mmio_read(map, 1, &s->val);
		munmap(map, mapped);
	}
	free(info);
	vt_close(&d);
}

int main(int argc, char **argv)
{
	struct seen a, b;

	if (argc != 4) {
		fprintf(stderr, "usage: subpage_bar BDF DRIVER_A DRIVER_B\n");
		return 2;
	}
	observe(argv[1], argv[2], &a);
	observe(argv[1], argv[3], &b);
	tap_result(a.info_ret == 0 && b.info_ret == 0, "subpage_bar/open",
		   "%s: %d, %s: %d", argv[2], a.info_ret, argv[3], b.info_ret);
	tap_result(a.flags == b.flags && a.size == b.size,
		   "subpage_bar/region_info", "flags %#x/%#x size %llu/%llu",
		   a.flags, b.flags, (unsigned long long)a.size,
		   (unsigned long long)b.size);
	tap_result(a.mmap_errno == b.mmap_errno && a.read_ret == b.read_ret &&
		   a.val == b.val, "subpage_bar/mmap",
		   "mmap errno %d/%d, read %d/%d value %#llx/%#llx",
		   a.mmap_errno, b.mmap_errno, a.read_ret, b.read_ret,
		   (unsigned long long)a.val, (unsigned long long)b.val);
	tap_result(b.flags & VFIO_REGION_INFO_FLAG_MMAP, "subpage_bar/mappable",
		   "%s does not offer mmap of a 16-byte BAR", argv[3]);
	return tap_summary();
}
