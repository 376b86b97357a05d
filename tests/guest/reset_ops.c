// SPDX-License-Identifier: GPL-2.0-only
/*
 * reset_ops: compare the reset, hot reset, ioeventfd and low power uAPI of
 * a reference driver and the driver under test on twin devices.
 *
 * Usage: reset_ops [--ref vfio-pci] [--test vfpci] [-v] EDU_A EDU_B [NVME_A NVME_B]
 *        reset_ops --mixed EDU_FN0 EDU_FN1   (two functions of one slot)
 * The A device of each pair goes to the reference, B to the driver under
 * test.  For hot reset each edu should sit alone behind its own
 * pcie-root-port, e.g.
 *   -device pcie-root-port,id=rp1,chassis=1,slot=1 -device edu,bus=rp1
 * Observations that legitimately differ between twins (bus numbers, group
 * ids) are recorded as "matches this device" booleans.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "vfpci_test.h"

#define __unused	__attribute__((unused))

#define EDU_ID		0x00
#define EDU_LIVENESS	0x04
#define EDU_ID_VALUE	0x010000edu

static struct vt_dev *pair_a, *pair_b;

static struct vt_dev *twin_of(struct vt_dev *d)
{
	return d == pair_a ? pair_b : pair_a;
}

static uint64_t region_offset(struct vt_dev *d, uint32_t index)
{
	uint64_t off = 0, size = 0;

	vt_region_offset(d->fd, index, &off, &size);
	return off;
}

/* id register and liveness, as one observation each. */
static void obs_edu_alive(struct vt_dev *d, struct vt_res *r, const char *when)
{
	uint64_t v = 0;
	ssize_t n;

	n = vt_region_read(d, VFIO_PCI_BAR0_REGION_INDEX, EDU_ID, 4, &v);
	VT_OBS(r, n, v, "%s: id", when);
	n = vt_region_write(d, VFIO_PCI_BAR0_REGION_INDEX, EDU_LIVENESS, 4,
			    0x13572468);
	if (n == 4)
		n = vt_region_read(d, VFIO_PCI_BAR0_REGION_INDEX, EDU_LIVENESS,
				   4, &v);
	VT_OBS(r, n, v, "%s: liveness", when);
}

/* ---- VFIO_DEVICE_RESET ---- */

static void probe_reset(struct vt_dev *d, long arg, struct vt_res *r)
{
	uint64_t v = 0;
	ssize_t n;
	int ret;

	ret = ioctl(d->fd, VFIO_DEVICE_RESET);
	VT_OBS(r, ret, 0, "VFIO_DEVICE_RESET");
	VT_OBS(r, 0, !!(d->info.flags & VFIO_DEVICE_FLAGS_RESET),
	       "info RESET flag");
	if (arg) {
		obs_edu_alive(d, r, "after reset");
		return;
	}
	/* nvme: config identity and CAP register survive the FLR. */
	n = vt_cfg_read(d, PCI_VENDOR_ID, 4, &v);
	VT_OBS(r, n, v, "nvme vendor/device");
	n = vt_cfg_read(d, PCI_COMMAND, 2, &v);
	VT_OBS(r, n, v & PCI_COMMAND_MEMORY, "nvme command memory");
	n = vt_region_read(d, VFIO_PCI_BAR0_REGION_INDEX, 0, 4, &v);
	VT_OBS(r, n, v, "nvme CAP low");
}

/* ---- VFIO_DEVICE_GET_PCI_HOT_RESET_INFO ---- */

static int bus_of(const char *bdf)
{
	unsigned int dom, bus, dev, fn;

	if (sscanf(bdf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
		return -1;
	return bus;
}

static void probe_hot_reset_info(struct vt_dev *d, long arg __unused,
				 struct vt_res *r)
{
	struct vfio_pci_hot_reset_info *info;
	size_t hdr = sizeof(*info), full;
	uint32_t i, count;
	int ret, group;

	info = calloc(1, hdr + 16 * sizeof(info->devices[0]));
	if (!info) {
		snprintf(r->skip, sizeof(r->skip), "no memory");
		return;
	}

	info->argsz = offsetof(struct vfio_pci_hot_reset_info, count);
	ret = ioctl(d->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, info);
	VT_OBS(r, ret, 0, "argsz below minsz");

	memset(info, 0xa5, hdr);
	info->argsz = hdr;
	ret = ioctl(d->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, info);
	VT_OBS(r, ret, info->count, "header only: ENOSPC and count");
	VT_OBS(r, 0, info->flags, "header only: flags");
	count = info->count;
	if (ret < 0 && errno == ENODEV)
		goto out;
	if (count > 16)
		count = 16;

	/* One entry short of what it asked for. */
	if (count > 1) {
		info->argsz = hdr + (count - 1) * sizeof(info->devices[0]);
		ret = ioctl(d->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, info);
		VT_OBS(r, ret, info->count, "one entry short");
	}

	full = hdr + count * sizeof(info->devices[0]);
	info->argsz = full;
	ret = ioctl(d->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, info);
	VT_OBS(r, ret, info->count, "full buffer");
	VT_OBS(r, 0, info->argsz, "argsz unchanged");
	if (ret < 0)
		goto out;

	group = pci_iommu_group(d->bdf);
	for (i = 0; i < info->count && i < count; i++) {
		struct vfio_pci_dependent_device *dep = &info->devices[i];

		VT_OBS(r, 0, dep->segment, "dev %u segment", i);
		VT_OBS(r, 0, dep->bus == bus_of(d->bdf), "dev %u on our bus", i);
		VT_OBS(r, 0, dep->group_id == (uint32_t)group,
		       "dev %u in our group", i);
		VT_OBS(r, 0, dep->devfn, "dev %u devfn", i);
	}
out:
	free(info);
}

/* ---- VFIO_DEVICE_PCI_HOT_RESET ---- */

static int hot_reset(struct vt_dev *d, uint32_t argsz, uint32_t flags,
		     uint32_t count, const int32_t *fds, uint32_t nfds)
{
	struct vfio_pci_hot_reset *hr;
	int ret;

	hr = calloc(1, sizeof(*hr) + (nfds + 1) * sizeof(int32_t));
	if (!hr)
		return -1;
	hr->argsz = argsz ? argsz : sizeof(*hr) + nfds * sizeof(int32_t);
	hr->flags = flags;
	hr->count = count;
	memcpy(hr->group_fds, fds, nfds * sizeof(int32_t));
	ret = ioctl(d->fd, VFIO_DEVICE_PCI_HOT_RESET, hr);
	free(hr);
	return ret;
}

static void probe_hot_reset(struct vt_dev *d, long arg __unused,
			    struct vt_res *r)
{
	int32_t own = d->group, other = twin_of(d)->group;
	int32_t two[2] = { d->group, d->group };
	int32_t nonexist = 1000, notgroup = d->fd;
	int ret;

	ret = hot_reset(d, offsetof(struct vfio_pci_hot_reset, count), 0, 1,
			&own, 1);
	VT_OBS(r, ret, 0, "argsz below minsz");
	ret = hot_reset(d, 0, 1, 1, &own, 1);
	VT_OBS(r, ret, 0, "flags set");
	ret = hot_reset(d, 0, 0, 0, &own, 1);
	VT_OBS(r, ret, 0, "count 0");
	ret = hot_reset(d, 0, 0, 2, two, 2);
	VT_OBS(r, ret, 0, "count above affected");
	ret = hot_reset(d, 0, 0, 1, &nonexist, 1);
	VT_OBS(r, ret, 0, "closed fd");
	ret = hot_reset(d, 0, 0, 1, &notgroup, 1);
	VT_OBS(r, ret, 0, "device fd, not a group");
	ret = hot_reset(d, 0, 0, 1, &other, 1);
	VT_OBS(r, ret, 0, "the twin's group");
	obs_edu_alive(d, r, "after refused resets");

	ret = hot_reset(d, 0, 0, 1, &own, 1);
	VT_OBS(r, ret, 0, "own group");
	obs_edu_alive(d, r, "after hot reset");
	ret = hot_reset(d, 0, 0, 1, &own, 1);
	VT_OBS(r, ret, 0, "own group again");
	obs_edu_alive(d, r, "after second hot reset");
}

/* ---- VFIO_DEVICE_IOEVENTFD ---- */

static int ioeventfd(struct vt_dev *d, uint32_t index, uint64_t pos,
		     uint32_t size_flags, uint64_t data, int32_t fd)
{
	struct vfio_device_ioeventfd io = {
		.argsz = sizeof(io),
		.flags = size_flags,
		.offset = region_offset(d, index) + pos,
		.data = data,
		.fd = fd,
	};

	if (index > VFIO_PCI_NUM_REGIONS)	/* raw offset for huge values */
		io.offset = pos;
	return ioctl(d->fd, VFIO_DEVICE_IOEVENTFD, &io);
}

#define IOEV_4	VFIO_DEVICE_IOEVENTFD_32

static void liveness_after_signal(struct vt_dev *d, struct vt_res *r,
				  int efd, const char *what)
{
	uint64_t one = 1, v = 0;
	ssize_t n;

	/* Known value first, so a missed ioeventfd write is visible. */
	vt_region_write(d, VFIO_PCI_BAR0_REGION_INDEX, EDU_LIVENESS, 4, 0);
	if (write(efd, &one, sizeof(one)) != sizeof(one))
		VT_OBS(r, -1, 0, "%s: signal", what);
	usleep(100000);
	n = vt_region_read(d, VFIO_PCI_BAR0_REGION_INDEX, EDU_LIVENESS, 4, &v);
	VT_OBS(r, n, v, "%s: liveness", what);
}

static void probe_ioeventfd(struct vt_dev *d, long arg __unused,
			    struct vt_res *r)
{
	int efd = vt_eventfd(), nullfd = open("/dev/null", O_RDONLY);
	int ret;

	if (efd < 0 || nullfd < 0) {
		snprintf(r->skip, sizeof(r->skip), "no eventfd");
		goto out;
	}

	ret = ioeventfd(d, VFIO_PCI_BAR0_REGION_INDEX, 4, 3, 1, efd);
	VT_OBS(r, ret, 0, "size 3");
	ret = ioeventfd(d, VFIO_PCI_BAR0_REGION_INDEX, 4, 0, 1, efd);
	VT_OBS(r, ret, 0, "size 0");
	ret = ioeventfd(d, VFIO_PCI_BAR0_REGION_INDEX, 4, 0x10 | IOEV_4, 1,
			efd);
	VT_OBS(r, ret, 0, "unknown flag");
	ret = ioeventfd(d, VFIO_PCI_BAR0_REGION_INDEX, 4, IOEV_4, 1, -2);
	VT_OBS(r, ret, 0, "fd -2");
	ret = ioeventfd(d, VFIO_PCI_CONFIG_REGION_INDEX, 4, IOEV_4, 1, efd);
	VT_OBS(r, ret, 0, "config region");
	ret = ioeventfd(d, VFIO_PCI_ROM_REGION_INDEX, 0, IOEV_4, 1, efd);
	VT_OBS(r, ret, 0, "ROM region");
	ret = ioeventfd(d, VFIO_PCI_BAR1_REGION_INDEX, 0, IOEV_4, 1, efd);
	VT_OBS(r, ret, 0, "absent BAR1");
	ret = ioeventfd(d, VFIO_PCI_BAR0_REGION_INDEX, (1 << 20) - 2, IOEV_4,
			1, efd);
	VT_OBS(r, ret, 0, "straddles BAR0 end");
	ret = ioeventfd(d, VFIO_PCI_BAR0_REGION_INDEX, (1 << 20) - 4, IOEV_4,
			1, efd);
	VT_OBS(r, ret, 0, "last dword of BAR0");
	ret = ioeventfd(d, VFIO_PCI_BAR0_REGION_INDEX, (1 << 20) - 4, IOEV_4,
			1, -1);
	VT_OBS(r, ret, 0, "remove last dword");
	ret = ioeventfd(d, VFIO_PCI_BAR0_REGION_INDEX, 4, IOEV_4, 1, -1);
	VT_OBS(r, ret, 0, "remove absent");
	ret = ioeventfd(d, VFIO_PCI_BAR0_REGION_INDEX, 4, IOEV_4, 1, nullfd);
	VT_OBS(r, ret, 0, "not an eventfd");
	ret = ioeventfd(d, VFIO_PCI_BAR0_REGION_INDEX, 4, IOEV_4, 1, 999);
	VT_OBS(r, ret, 0, "closed fd");

	ret = ioeventfd(d, VFIO_PCI_BAR0_REGION_INDEX, 4, IOEV_4, 0xc0ffee,
			efd);
	VT_OBS(r, ret, 0, "add");
	ret = ioeventfd(d, VFIO_PCI_BAR0_REGION_INDEX, 4, IOEV_4, 0xc0ffee,
			efd);
	VT_OBS(r, ret, 0, "duplicate");
	ret = ioeventfd(d, VFIO_PCI_BAR0_REGION_INDEX, 4, IOEV_4, 0xc0ffee,
			nullfd);
	VT_OBS(r, ret, 0, "duplicate, other fd");
	liveness_after_signal(d, r, efd, "signalled");

	ret = ioeventfd(d, VFIO_PCI_BAR0_REGION_INDEX, 4, IOEV_4, 0xc0ffee,
			-1);
	VT_OBS(r, ret, 0, "remove");
	liveness_after_signal(d, r, efd, "after removal");
	ret = ioeventfd(d, VFIO_PCI_BAR0_REGION_INDEX, 4, IOEV_4, 0xc0ffee,
			-1);
	VT_OBS(r, ret, 0, "remove twice");

	/* 16-bit write into the low half of the liveness register. */
	ret = ioeventfd(d, VFIO_PCI_BAR0_REGION_INDEX, 4,
			VFIO_DEVICE_IOEVENTFD_16, 0x1234, efd);
	VT_OBS(r, ret, 0, "add 16-bit");
	liveness_after_signal(d, r, efd, "16-bit signalled");
	ret = ioeventfd(d, VFIO_PCI_BAR0_REGION_INDEX, 4,
			VFIO_DEVICE_IOEVENTFD_16, 0x1234, -1);
	VT_OBS(r, ret, 0, "remove 16-bit");

	/*
	 * 64-bit at 0: edu drops 8-byte writes below 0x80, so one 64-bit
	 * cycle leaves liveness alone while two dwords would write it.
	 */
	ret = ioeventfd(d, VFIO_PCI_BAR0_REGION_INDEX, 0,
			VFIO_DEVICE_IOEVENTFD_64, 0x0badcafe00000000ull, efd);
	VT_OBS(r, ret, 0, "add 64-bit");
	liveness_after_signal(d, r, efd, "64-bit signalled");
	ret = ioeventfd(d, VFIO_PCI_BAR0_REGION_INDEX, 0,
			VFIO_DEVICE_IOEVENTFD_64, 0x0badcafe00000000ull, -1);
	VT_OBS(r, ret, 0, "remove 64-bit");
out:
	if (efd >= 0)
		close(efd);
	if (nullfd >= 0)
		close(nullfd);
}

/*
 * An offset with bit 63 set.  6.1's vfio-pci takes it as BAR index -1,
 * accepts it and writes to a wild address when the eventfd fires (kernel
 * oops): never run this against the reference, only check ours refuses.
 */
static void check_ioeventfd_huge_offset(struct vt_dev *d)
{
	int efd = vt_eventfd(), ret;

	ret = ioeventfd(d, ~0u, ~0ull, IOEV_4, 1, efd);
	tap_result(ret < 0 && errno == EINVAL,
		   "reset_ops/ioeventfd offset all ones refused",
		   "%s: ret %d errno %d", d->driver, ret, errno);
	if (!ret)	/* do not fire it */
		ioeventfd(d, ~0u, ~0ull, IOEV_4, 1, -1);
	close(efd);
}

/* Config offset of capability @id, 0 if absent. */
static uint32_t find_cap(struct vt_dev *d, uint8_t id)
{
	uint64_t pos = 0, hdr = 0;
	int guard = 48;

	vt_cfg_read(d, PCI_CAPABILITY_LIST, 1, &pos);
	while (pos >= 0x40 && guard--) {
		if (vt_cfg_read(d, pos, 2, &hdr) != 2)
			return 0;
		if ((hdr & 0xff) == id)
			return pos;
		pos = (hdr >> 8) & 0xfc;
	}
	return 0;
}

/* nvme: ioeventfds may not cover the MSI-X table (it is virtualized). */
static void probe_ioeventfd_msix(struct vt_dev *d, long arg __unused,
				 struct vt_res *r)
{
	uint32_t cap = find_cap(d, PCI_CAP_ID_MSIX), bir, off;
	uint64_t tbl = 0;
	int efd, ret;

	if (!cap) {
		snprintf(r->skip, sizeof(r->skip), "no MSI-X capability");
		return;
	}
	vt_cfg_read(d, cap + PCI_MSIX_TABLE, 4, &tbl);
	bir = tbl & PCI_MSIX_TABLE_BIR;
	off = tbl & PCI_MSIX_TABLE_OFFSET;
	VT_OBS(r, 0, tbl, "MSI-X table BIR/offset");
	efd = vt_eventfd();
	ret = ioeventfd(d, bir, off, IOEV_4, 0, efd);
	VT_OBS(r, ret, 0, "table entry 0");
	ret = ioeventfd(d, bir, off + 12, IOEV_4, 0, efd);
	VT_OBS(r, ret, 0, "table entry 0 vector control");
	if (off >= 4) {
		ret = ioeventfd(d, bir, off - 4, IOEV_4, 0, efd);
		VT_OBS(r, ret, 0, "dword before the table");
		ret = ioeventfd(d, bir, off - 4, IOEV_4, 0, -1);
		VT_OBS(r, ret, 0, "remove it");
	}
	ret = ioeventfd(d, bir, off - 2, IOEV_4, 0, efd);
	VT_OBS(r, ret, 0, "straddles the table start");
	close(efd);
}

/* The table limit: VFIO allows 1000 per device. */
static void probe_ioeventfd_limit(struct vt_dev *d, long arg __unused,
				  struct vt_res *r)
{
	int efd = vt_eventfd(), i, ret = 0, added = 0;

	if (efd < 0) {
		snprintf(r->skip, sizeof(r->skip), "no eventfd");
		return;
	}
	for (i = 0; i < 1100; i++) {
		ret = ioeventfd(d, VFIO_PCI_BAR0_REGION_INDEX, 0x100,
				IOEV_4, i, efd);
		if (ret < 0)
			break;
		added++;
	}
	VT_OBS(r, ret, added, "adds until failure");
	ret = ioeventfd(d, VFIO_PCI_BAR0_REGION_INDEX, 0x100, IOEV_4, 7, -1);
	VT_OBS(r, ret, 0, "remove one");
	ret = ioeventfd(d, VFIO_PCI_BAR0_REGION_INDEX, 0x100, IOEV_4, 5000,
			efd);
	VT_OBS(r, ret, 0, "add after removal");
	/* The rest go with the device fd (close releases them all). */
	close(efd);
}

/* ---- low power device features ---- */

static int feature(struct vt_dev *d, uint32_t flags, const void *data,
		   size_t len)
{
	struct vfio_device_feature *f;
	int ret;

	f = calloc(1, sizeof(*f) + len + 8);
	if (!f)
		return -1;
	f->argsz = sizeof(*f) + len;
	f->flags = flags;
	if (len)
		memcpy(f->data, data, len);
	ret = ioctl(d->fd, VFIO_DEVICE_FEATURE, f);
	free(f);
	return ret;
}

static void probe_low_power(struct vt_dev *d, long arg __unused,
			    struct vt_res *r)
{
	static const uint32_t feats[] = {
		VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY,
		VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP,
		VFIO_DEVICE_FEATURE_LOW_POWER_EXIT,
	};
	struct vfio_device_low_power_entry_with_wakeup w = { 0 };
	int efd = vt_eventfd(), ret;
	unsigned int i;
	uint64_t v = 0;
	ssize_t n;

	for (i = 0; i < 3; i++) {
		ret = feature(d, VFIO_DEVICE_FEATURE_PROBE |
			      VFIO_DEVICE_FEATURE_SET | feats[i], NULL, 0);
		VT_OBS(r, ret, 0, "feature %u probe set", feats[i]);
		ret = feature(d, VFIO_DEVICE_FEATURE_PROBE |
			      VFIO_DEVICE_FEATURE_GET | feats[i], NULL, 0);
		VT_OBS(r, ret, 0, "feature %u probe get", feats[i]);
		ret = feature(d, VFIO_DEVICE_FEATURE_GET | feats[i], NULL, 0);
		VT_OBS(r, ret, 0, "feature %u get", feats[i]);
		ret = feature(d, feats[i], NULL, 0);
		VT_OBS(r, ret, 0, "feature %u neither get nor set", feats[i]);
	}

	/* Plain entry, a second entry, exit, exit again. */
	ret = feature(d, VFIO_DEVICE_FEATURE_SET |
		      VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY, NULL, 0);
	VT_OBS(r, ret, 0, "entry");
	ret = feature(d, VFIO_DEVICE_FEATURE_SET |
		      VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY, NULL, 0);
	VT_OBS(r, ret, 0, "entry again");
	ret = feature(d, VFIO_DEVICE_FEATURE_SET |
		      VFIO_DEVICE_FEATURE_LOW_POWER_EXIT, NULL, 0);
	VT_OBS(r, ret, 0, "exit");
	ret = feature(d, VFIO_DEVICE_FEATURE_SET |
		      VFIO_DEVICE_FEATURE_LOW_POWER_EXIT, NULL, 0);
	VT_OBS(r, ret, 0, "exit again");
	obs_edu_alive(d, r, "after low power");

	/* With wakeup: bad arguments, then a wakeup by the next ioctl. */
	ret = feature(d, VFIO_DEVICE_FEATURE_SET |
		      VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP, NULL, 0);
	VT_OBS(r, ret, 0, "wakeup entry without payload");
	w.wakeup_eventfd = -1;
	ret = feature(d, VFIO_DEVICE_FEATURE_SET |
		      VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP,
		      &w, sizeof(w));
	VT_OBS(r, ret, 0, "wakeup entry fd -1");
	w.wakeup_eventfd = 999;
	ret = feature(d, VFIO_DEVICE_FEATURE_SET |
		      VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP,
		      &w, sizeof(w));
	VT_OBS(r, ret, 0, "wakeup entry closed fd");
	w.wakeup_eventfd = efd;
	ret = feature(d, VFIO_DEVICE_FEATURE_SET |
		      VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP,
		      &w, sizeof(w));
	VT_OBS(r, ret, 0, "wakeup entry");
	usleep(200000);
	VT_OBS(r, 0, vt_eventfd_drain(efd), "wakeup before any access");
	/* Any ioctl resumes the device, which wakes the user and exits. */
	ret = feature(d, VFIO_DEVICE_FEATURE_SET |
		      VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY, NULL, 0);
	VT_OBS(r, ret, 0, "plain entry after wakeup entry");
	VT_OBS(r, 0, vt_eventfd_drain(efd), "wakeup signalled");
	ret = feature(d, VFIO_DEVICE_FEATURE_SET |
		      VFIO_DEVICE_FEATURE_LOW_POWER_EXIT, NULL, 0);
	VT_OBS(r, ret, 0, "final exit");
	n = vt_region_read(d, VFIO_PCI_BAR0_REGION_INDEX, EDU_ID, 4, &v);
	VT_OBS(r, n, v, "id after wakeup");
	if (efd >= 0)
		close(efd);
}

/*
 * --mixed: two functions of one multifunction slot (so one IOMMU group),
 * A bound to the reference, B to ours, both opened through the one group.
 * The vfio dev_set is keyed by the slot pointer, so both drivers' devices
 * land in one set: our side must refuse the hot reset it cannot
 * coordinate, and nothing may crash.
 */
static int open_shared(const char *ref, const char *test, const char *bdf_a,
		       const char *bdf_b, struct vt_dev *a, struct vt_dev *b)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[64];
	int ret;

	if (pci_bind(bdf_a, ref) || pci_bind(bdf_b, test))
		return -ENODEV;
	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	snprintf(a->bdf, sizeof(a->bdf), "%s", bdf_a);
	snprintf(b->bdf, sizeof(b->bdf), "%s", bdf_b);
	snprintf(a->driver, sizeof(a->driver), "%s", ref);
	snprintf(b->driver, sizeof(b->driver), "%s", test);
	if (pci_iommu_group(bdf_a) != pci_iommu_group(bdf_b))
		return -EXDEV;
	snprintf(path, sizeof(path), "/dev/vfio/%d", pci_iommu_group(bdf_a));
	a->container = open("/dev/vfio/vfio", O_RDWR);
	a->group = open(path, O_RDWR);
	if (a->container < 0 || a->group < 0)
		return -errno;
	if (ioctl(a->group, VFIO_GROUP_GET_STATUS, &st) ||
	    !(st.flags & VFIO_GROUP_FLAGS_VIABLE) ||
	    ioctl(a->group, VFIO_GROUP_SET_CONTAINER, &a->container) ||
	    ioctl(a->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return -errno ? -errno : -EBUSY;
	a->fd = ioctl(a->group, VFIO_GROUP_GET_DEVICE_FD, bdf_a);
	b->fd = ioctl(a->group, VFIO_GROUP_GET_DEVICE_FD, bdf_b);
	if (a->fd < 0 || b->fd < 0)
		return -errno;
	b->group = a->group;
	b->container = a->container;
	ret = vt_region_offset(b->fd, VFIO_PCI_CONFIG_REGION_INDEX,
			       &b->cfg_off, &b->cfg_size);
	return ret;
}

static void check_mixed(const char *ref, const char *test, const char *bdf_a,
			const char *bdf_b)
{
	struct vt_res r = { 0 };
	struct vt_dev a, b;
	int ret;

	ret = open_shared(ref, test, bdf_a, bdf_b, &a, &b);
	if (!tap_result(!ret, "reset_ops/mixed slot: open both",
			"%s", strerror(-ret)))
		return;
	ret = hot_reset(&b, 0, 0, 1, &b.group, 1);
	tap_result(ret < 0 && errno == EINVAL,
		   "reset_ops/mixed slot: ours refuses hot reset",
		   "ret %d errno %d", ret, errno);
	ret = hot_reset(&a, 0, 0, 1, &a.group, 1);
	tap_diag("mixed slot: %s hot reset gives %d errno %d", a.driver,
		 ret, ret < 0 ? errno : 0);
	obs_edu_alive(&b, &r, "mixed");
	tap_result(r.n == 2 && r.obs[0].val == EDU_ID_VALUE,
		   "reset_ops/mixed slot: ours still works", "id 0x%llx",
		   r.n ? (unsigned long long)r.obs[0].val : 0ULL);
	vt_res_free(&r);
	/* Close ours first: its last close tries the set's bus reset. */
	close(b.fd);
	close(a.fd);
	close(a.group);
	close(a.container);
	tap_ok("reset_ops/mixed slot: closed without incident");
}

/* ---- driver ---- */

static bool verbose;

/* vt_diff(), and with -v the observations of both sides as diagnostics. */
static void diff(const char *name, struct vt_dev *a, struct vt_dev *b,
		 vt_probe_fn fn, long arg)
{
	struct vt_dev *side[2] = { a, b };
	struct vt_res r;
	size_t i;
	int k;

	if (!verbose) {
		vt_diff(name, a, b, fn, arg);
		return;
	}
	/* Verbose runs each probe once per side and prints, no compare. */
	for (k = 0; k < 2; k++) {
		memset(&r, 0, sizeof(r));
		fn(side[k], arg, &r);
		for (i = 0; i < r.n; i++)
			tap_diag("%s %s: %s: ret=%ld errno=%d val=0x%llx", name,
				 side[k]->driver, r.obs[i].label, r.obs[i].ret,
				 r.obs[i].err, (unsigned long long)r.obs[i].val);
		vt_res_free(&r);
	}
}

static bool open_pair(const char *ref, const char *test, const char *bdf_a,
		      const char *bdf_b, struct vt_dev *a, struct vt_dev *b)
{
	char name[96];
	int ret;

	ret = vt_bind_open(a, bdf_a, ref);
	snprintf(name, sizeof(name), "reset_ops/open %s on %s", bdf_a, ref);
	if (!tap_result(!ret, name, "%s", strerror(-ret)))
		return false;
	ret = vt_bind_open(b, bdf_b, test);
	snprintf(name, sizeof(name), "reset_ops/open %s on %s", bdf_b, test);
	if (!tap_result(!ret, name, "%s", strerror(-ret))) {
		vt_close(a);
		return false;
	}
	pair_a = a;
	pair_b = b;
	return true;
}

static void close_pair(struct vt_dev *a, struct vt_dev *b)
{
	vt_close(a);
	vt_close(b);
	pair_a = pair_b = NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ref", required_argument, NULL, 'r' },
		{ "test", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "mixed", no_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ref = "vfio-pci", *test = "vfpci";
	bool mixed = false;
	struct vt_dev a, b;
	int c;

	while ((c = getopt_long(argc, argv, "r:t:vm", opts, NULL)) != -1) {
		if (c == 'r') {
			ref = optarg;
		} else if (c == 't') {
			test = optarg;
		} else if (c == 'v') {
			verbose = true;
		} else if (c == 'm') {
			mixed = true;
		} else {
			fprintf(stderr, "usage: %s [--ref D] [--test D] EDU_A EDU_B [NVME_A NVME_B]\n",
				argv[0]);
			return 2;
		}
	}
	if (argc - optind != 2 && argc - optind != 4) {
		fprintf(stderr, "usage: %s [--ref D] [--test D] EDU_A EDU_B [NVME_A NVME_B]\n",
			argv[0]);
		return 2;
	}

	if (mixed) {
		check_mixed(ref, test, argv[optind], argv[optind + 1]);
		return tap_summary();
	}

	if (open_pair(ref, test, argv[optind], argv[optind + 1], &a, &b)) {
		diff("reset_ops/edu reset", &a, &b, probe_reset, 1);
		diff("reset_ops/edu hot reset info", &a, &b,
			probe_hot_reset_info, 0);
		diff("reset_ops/edu hot reset", &a, &b, probe_hot_reset, 0);
		diff("reset_ops/edu ioeventfd", &a, &b, probe_ioeventfd, 0);
		diff("reset_ops/edu ioeventfd limit", &a, &b,
			probe_ioeventfd_limit, 0);
		diff("reset_ops/edu low power", &a, &b, probe_low_power, 0);
		check_ioeventfd_huge_offset(&b);
		/* Close while in low power: close must leave it for us. */
		feature(&a, VFIO_DEVICE_FEATURE_SET |
			VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY, NULL, 0);
		feature(&b, VFIO_DEVICE_FEATURE_SET |
			VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY, NULL, 0);
		close_pair(&a, &b);
	}
	/* Reopen: close released ioeventfds and low power, reset the device. */
	if (open_pair(ref, test, argv[optind], argv[optind + 1], &a, &b)) {
		diff("reset_ops/edu after reopen", &a, &b,
			probe_ioeventfd, 0);
		diff("reset_ops/edu low power after reopen", &a, &b,
		     probe_low_power, 0);
		close_pair(&a, &b);
	}

	if (argc - optind == 4 &&
	    open_pair(ref, test, argv[optind + 2], argv[optind + 3], &a, &b)) {
		diff("reset_ops/nvme reset", &a, &b, probe_reset, 0);
		diff("reset_ops/nvme hot reset info", &a, &b,
			probe_hot_reset_info, 0);
		diff("reset_ops/nvme ioeventfd vs MSI-X table", &a, &b,
		     probe_ioeventfd_msix, 0);
		close_pair(&a, &b);
	}
	return tap_summary();
}
