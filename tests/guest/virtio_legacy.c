// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio_legacy: the legacy virtio interface vfpci_virtio shows for a
 * modern-only virtio-blk, checked register by register through the VFIO
 * uAPI, and proven by real virtio-blk requests through a legacy split ring
 * in DMA-mapped memory.
 *
 * Every translation is checked on both sides: what the legacy BAR0 says,
 * and what the modern common config (read through the modern BAR region,
 * which the core passes through) says the driver programmed.
 *
 * Usage: virtio_legacy [-r REF_BDF] [-n NET_BDF] BDF
 *   BDF  a virtio-blk-pci,disable-legacy=on whose disk holds the pattern
 *        of pattern() (tests/suites/virtio-legacy.suite);
 *   -r   a transitional virtio-blk-pci: bound to vfio-pci, its header and
 *        BAR0 must look like ours;
 *   -n   a device vfpci_virtio must refuse at probe (virtio-net without
 *        MRG_RXBUF: tests/guest/virtio_legacy_net does that);
 *   -q   the device's drive id: grow it to 2 MiB through QMP (tests/vm/qmp,
 *        under tests/vm/run only) for a config change interrupt.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>

#include "vfpci_test.h"

#define DRV		"vfpci_virtio"
#define BAR0		VFIO_PCI_BAR0_REGION_INDEX
#define SECTOR		512
#define DISK_SECTORS	2048		/* the suite's 1 MiB image */
#define BAD_FEATURE	30		/* legacy: never to be acked */

#define RING_IOVA	0x100000ull
#define RING_SIZE	0x10000ull
#define BUF_IOVA	0x200000ull	/* header, data at +0x1000, status +0x2000 */
#define BUF_SIZE	0x3000ull

struct loc {
	int bar;
	uint32_t off, len;
};

static struct vt_dev dev;
static struct loc common, isr, devcfg, notify;
static uint32_t bar0_size;
static uint8_t *ring, *bufs;
static uint16_t qnum, avail_idx, used_seen;
static uint64_t capacity = DISK_SECTORS;
static const char *resize_drive;
static char tname[128];

static const char *t(const char *what)
{
	snprintf(tname, sizeof(tname), "virtio_legacy/%s", what);
	return tname;
}

/* Byte @i of sector @s of the suite's disk image. */
static uint8_t pattern(uint64_t s, unsigned int i)
{
	return (s * 31 + i * 7 + 0x5a) & 0xff;
}

/* ---- register access ---- */

static uint64_t leg_rd(uint32_t off, int w)
{
	uint64_t v = ~0ull;

	if (vt_region_read(&dev, BAR0, off, w, &v) != w)
		return ~0ull;
	return v;
}

static int leg_wr(uint32_t off, int w, uint64_t v)
{
	ssize_t n = vt_region_write(&dev, BAR0, off, w, v);

	return n == w ? 0 : (n < 0 ? (int)n : -EIO);
}

static uint64_t mod_rd(const struct loc *l, uint32_t off, int w)
{
	uint64_t v = ~0ull;

	if (vt_region_read(&dev, l->bar, l->off + off, w, &v) != w)
		return ~0ull;
	return v;
}

static void mod_wr(const struct loc *l, uint32_t off, int w, uint64_t v)
{
	vt_region_write(&dev, l->bar, l->off + off, w, v);
}

/* "TAG/WHAT" into @n, for tests run more than once. */
static const char *tn(char *n, size_t len, const char *tag, const char *what)
{
	snprintf(n, len, "%s/%s", tag, what);
	return t(n);
}

static uint64_t cfg_rd(struct vt_dev *d, uint32_t pos, int w)
{
	uint64_t v = ~0ull;

	if (vt_cfg_read(d, pos, w, &v) != w)
		return ~0ull;
	return v;
}

/* The modern queue registers of queue @q. */
static uint64_t mq_rd(uint16_t q, uint32_t off, int w)
{
	mod_wr(&common, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
	return mod_rd(&common, off, w);
}

static uint64_t mq_rd64(uint16_t q, uint32_t lo)
{
	return mq_rd(q, lo, 4) | mq_rd(q, lo + 4, 4) << 32;
}

/* ---- capabilities, as any user would find them ---- */

static int find_caps(void)
{
	unsigned int pos = cfg_rd(&dev, PCI_CAPABILITY_LIST, 1) & 0xfc;
	int guard = 48;

	common.bar = isr.bar = devcfg.bar = notify.bar = -1;
	for (; pos && guard--; pos = cfg_rd(&dev, pos + 1, 1) & 0xfc) {
		struct loc *l = NULL;

		if (cfg_rd(&dev, pos, 1) != PCI_CAP_ID_VNDR)
			continue;
		switch (cfg_rd(&dev, pos + VIRTIO_PCI_CAP_CFG_TYPE, 1)) {
		case VIRTIO_PCI_CAP_COMMON_CFG:
			l = &common;
			break;
		case VIRTIO_PCI_CAP_ISR_CFG:
			l = &isr;
			break;
		case VIRTIO_PCI_CAP_DEVICE_CFG:
			l = &devcfg;
			break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			l = &notify;
			break;
		}
		if (!l || l->bar >= 0)
			continue;
		l->bar = cfg_rd(&dev, pos + VIRTIO_PCI_CAP_BAR, 1);
		l->off = cfg_rd(&dev, pos + VIRTIO_PCI_CAP_OFFSET, 4);
		l->len = cfg_rd(&dev, pos + VIRTIO_PCI_CAP_LENGTH, 4);
	}
	return common.bar >= 0 && isr.bar >= 0 && devcfg.bar >= 0 &&
	       notify.bar >= 0 ? 0 : -ENOENT;
}

/* ---- config header and BAR0 sizing ---- */

static void check_ids(struct vt_dev *d, const char *who, bool ours)
{
	char n[96];
	uint64_t did = cfg_rd(d, PCI_DEVICE_ID, 2);
	uint64_t rev = cfg_rd(d, PCI_REVISION_ID, 1);
	uint64_t ssid = cfg_rd(d, PCI_SUBSYSTEM_ID, 2);
	uint64_t ssvid = cfg_rd(d, PCI_SUBSYSTEM_VENDOR_ID, 2);
	uint64_t id32 = cfg_rd(d, 0, 4);

	snprintf(n, sizeof(n), "%s/config_ids", who);
	tap_result(cfg_rd(d, PCI_VENDOR_ID, 2) == 0x1af4 && did == 0x1001 &&
		   id32 == 0x10011af4 && rev == 0 && ssid == 2 &&
		   ssvid == 0x1af4, t(n),
		   "id %llx rev %llx subsystem %llx:%llx",
		   (unsigned long long)id32, (unsigned long long)rev,
		   (unsigned long long)ssvid, (unsigned long long)ssid);
	if (!ours)
		return;
	snprintf(n, sizeof(n), "%s/modern_caps_visible", who);
	tap_result(!find_caps(), t(n), "common %d isr %d device %d notify %d",
		   common.bar, isr.bar, devcfg.bar, notify.bar);
}

/* Sizing BAR0 the way firmware does; returns what it read back. */
static uint32_t size_bar0(struct vt_dev *d)
{
	uint64_t v = 0;

	vt_cfg_write(d, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	v = cfg_rd(d, PCI_BASE_ADDRESS_0, 4);
	vt_cfg_write(d, PCI_BASE_ADDRESS_0, 4, 0);
	return v;
}

static void check_bar0(void)
{
	struct vfio_region_info *ri = NULL;
	uint64_t v;
	uint32_t sized;
	void *p;
	int ret;

	ret = vt_region_info(dev.fd, BAR0, &ri);
	tap_result(!ret && ri->size == 128 && ri->flags ==
		   (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE) &&
		   ri->offset == 0 && ri->cap_offset == 0, t("bar0_region_info"),
		   "ret %d size %llu flags %#x", ret,
		   ri ? (unsigned long long)ri->size : 0, ri ? ri->flags : 0);
	bar0_size = ri ? ri->size : 128;
	free(ri);

	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, dev.fd, 0);
	tap_result(p == MAP_FAILED && errno == EINVAL, t("bar0_no_mmap"),
		   "mmap of BAR0 %s", p == MAP_FAILED ? strerror(errno) : "worked");
	if (p != MAP_FAILED)
		munmap(p, 4096);

	{
		struct vfio_device_ioeventfd ie = {
			.argsz = sizeof(ie), .flags = VFIO_DEVICE_IOEVENTFD_16,
			.offset = VIRTIO_PCI_QUEUE_NOTIFY, .data = 0,
			.fd = vt_eventfd(),
		};

		ret = ioctl(dev.fd, VFIO_DEVICE_IOEVENTFD, &ie);
		tap_result(ret < 0 && errno == EINVAL, t("bar0_no_ioeventfd"),
			   "ret %d errno %d", ret, errno);
		close(ie.fd);
	}

	v = cfg_rd(&dev, PCI_BASE_ADDRESS_0, 4);
	tap_result(v == PCI_BASE_ADDRESS_SPACE_IO, t("bar0_initial"),
		   "BAR0 reads %#llx at open", (unsigned long long)v);
	sized = size_bar0(&dev);
	tap_result(sized == ((~(bar0_size - 1)) | PCI_BASE_ADDRESS_SPACE_IO),
		   t("bar0_sizing"), "all-ones write reads back %#x", sized);
	vt_cfg_write(&dev, PCI_BASE_ADDRESS_0, 4, 0xc0ff);
	v = cfg_rd(&dev, PCI_BASE_ADDRESS_0, 4);
	tap_result(v == 0xc081, t("bar0_address"), "0xc0ff reads back %#llx",
		   (unsigned long long)v);
	vt_cfg_write(&dev, PCI_BASE_ADDRESS_0 + 1, 1, 0xd0);
	v = cfg_rd(&dev, PCI_BASE_ADDRESS_0, 4);
	tap_result(v == 0xd081, t("bar0_byte_write"), "reads %#llx",
		   (unsigned long long)v);
	/* One write over BAR0 and BAR1: each part goes where it belongs. */
	{
		uint64_t bar1 = cfg_rd(&dev, PCI_BASE_ADDRESS_1, 4), alone;
		uint32_t two[2] = { 0xe000, 0xffffffff };

		vt_cfg_write(&dev, PCI_BASE_ADDRESS_1, 4, 0xffffffff);
		alone = cfg_rd(&dev, PCI_BASE_ADDRESS_1, 4);
		vt_cfg_write(&dev, PCI_BASE_ADDRESS_1, 4, bar1);
		ret = pwrite(dev.fd, two, 8, dev.cfg_off + PCI_BASE_ADDRESS_0);
		v = cfg_rd(&dev, PCI_BASE_ADDRESS_0, 4);
		tap_result(ret == 8 && v == 0xe001 &&
			   cfg_rd(&dev, PCI_BASE_ADDRESS_1, 4) == alone,
			   t("config_write_across_bar0"),
			   "pwrite %d, BAR0 %#llx, BAR1 %#llx want %#llx", ret,
			   (unsigned long long)v,
			   (unsigned long long)cfg_rd(&dev, PCI_BASE_ADDRESS_1, 4),
			   (unsigned long long)alone);
		vt_cfg_write(&dev, PCI_BASE_ADDRESS_1, 4, bar1);
		vt_cfg_write(&dev, PCI_BASE_ADDRESS_0, 4, 0xd081);
	}
	/* The real BAR behind it stays the core's (BAR1 untouched). */
	v = cfg_rd(&dev, PCI_BASE_ADDRESS_1, 4);
	tap_result(v != 0xd081 && v != ~0ull, t("bar1_unaffected"),
		   "BAR1 %#llx", (unsigned long long)v);
}

/*
 * Every read of every width at every offset past the host features, on
 * both reset devices, must agree with the real transitional device (its
 * disk has the same size, so the device config is the same too).
 */
static void ref_diff(struct vt_dev *ref)
{
	static const int widths[] = { 1, 2, 4 };
	unsigned int off, i, bad = 0;
	char first[160] = "";

	vt_cfg_write(ref, PCI_COMMAND, 2, PCI_COMMAND_IO);
	vt_cfg_write(&dev, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	vt_region_write(ref, BAR0, VIRTIO_PCI_STATUS, 1, 0);
	leg_wr(VIRTIO_PCI_STATUS, 1, 0);
	for (i = 0; i < 3; i++) {
		for (off = 4; off + widths[i] <= bar0_size; off++) {
			uint64_t a = ~0ull, b = ~0ull;
			ssize_t na, nb;

			na = vt_region_read(ref, BAR0, off, widths[i], &a);
			nb = vt_region_read(&dev, BAR0, off, widths[i], &b);
			if (na == nb && a == b)
				continue;
			if (!bad++)
				snprintf(first, sizeof(first),
					 "%d@%u: transitional %zd/%#llx, ours %zd/%#llx",
					 widths[i], off, na,
					 (unsigned long long)a, nb,
					 (unsigned long long)b);
		}
	}
	tap_result(!bad, t("ref/reads_match_transitional"),
		   "%u reads differ, first %s", bad, first);
}

static void check_ref(const char *bdf)
{
	struct vfio_region_info *ri = NULL;
	struct vt_dev ref;
	uint32_t ours, theirs;
	int ret;

	ret = vt_bind_open(&ref, bdf, "vfio-pci");
	if (ret) {
		tap_result(false, t("ref/open"), "%s: %s", bdf, strerror(-ret));
		return;
	}
	check_ids(&ref, "ref", false);
	ours = size_bar0(&dev);
	theirs = size_bar0(&ref);
	tap_result(ours == theirs, t("ref/bar0_sizing_matches"),
		   "vfpci_virtio %#x, transitional device %#x", ours, theirs);
	ret = vt_region_info(ref.fd, BAR0, &ri);
	tap_result(!ret && ri->size == bar0_size, t("ref/bar0_size_matches"),
		   "transitional BAR0 %llu bytes, ours %u",
		   ri ? (unsigned long long)ri->size : 0, bar0_size);
	free(ri);
	/* A real transitional device: register header widths we mirror. */
	{
		uint64_t a = ~0ull;

		vt_cfg_write(&ref, PCI_COMMAND, 2, PCI_COMMAND_IO);
		vt_region_read(&ref, BAR0, VIRTIO_PCI_QUEUE_NOTIFY, 2, &a);
		tap_result(a == 0xffff, t("ref/notify_reads_ones"),
			   "transitional QUEUE_NOTIFY read %#llx",
			   (unsigned long long)a);
		ref_diff(&ref);
		/* What the real thing does with odd accesses, for the log. */
		{
			static const int probe[][2] = {
				{ 0, 1 }, { 1, 1 }, { 12, 4 }, { 18, 2 },
				{ 9, 1 }, { 20, 2 }, { 20, 4 }, { 21, 1 },
			};
			unsigned int i;

			for (i = 0; i < sizeof(probe) / sizeof(probe[0]); i++) {
				a = ~0ull;
				vt_region_read(&ref, BAR0, probe[i][0],
					       probe[i][1], &a);
				tap_diag("transitional BAR0 read %d@%d: %#llx",
					 probe[i][1], probe[i][0],
					 (unsigned long long)a);
			}
		}
	}
	vt_close(&ref);
}

static void check_refuse(const char *bdf)
{
	int ret = pci_bind(bdf, DRV);

	tap_result(ret == -ENODEV, t("refuses_device"),
		   "binding %s to " DRV ": %s", bdf,
		   ret ? strerror(-ret) : "bound");
}

/* ---- decode, status, features ---- */

static void check_io_decode(void)
{
	uint64_t v;
	ssize_t n;

	vt_cfg_write(&dev, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	n = vt_region_read(&dev, BAR0, VIRTIO_PCI_STATUS, 1, &v);
	tap_result(n == -EIO, t("io_off_read_eio"), "read gave %zd", n);
	n = vt_region_write(&dev, BAR0, VIRTIO_PCI_STATUS, 1, 1);
	tap_result(n == -EIO, t("io_off_write_eio"), "write gave %zd", n);
	v = cfg_rd(&dev, PCI_COMMAND, 2);
	tap_result(!(v & PCI_COMMAND_IO), t("io_off_command"), "COMMAND %#llx",
		   (unsigned long long)v);

	/* BAR0 needs only IO decode, whatever the user did to memory. */
	vt_cfg_write(&dev, PCI_COMMAND, 2, PCI_COMMAND_IO);
	n = vt_region_read(&dev, BAR0, VIRTIO_PCI_QUEUE_NUM, 2, &v);
	tap_result(n == 2 && v && v != 0xffff && !(v & (v - 1)) &&
		   (cfg_rd(&dev, PCI_COMMAND, 2) & 3) == PCI_COMMAND_IO,
		   t("io_on_memory_off"), "read %zd, QUEUE_NUM %#llx", n,
		   (unsigned long long)v);

	vt_cfg_write(&dev, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
		     PCI_COMMAND_MASTER);
	v = cfg_rd(&dev, PCI_COMMAND, 2);
	tap_result((v & 7) == 7, t("io_on_command"), "COMMAND %#llx",
		   (unsigned long long)v);
	/* Nothing written yet: the device was reset at open. */
	v = leg_rd(VIRTIO_PCI_STATUS, 1);
	tap_result(v == 0, t("status_zero_at_open"), "status %#llx",
		   (unsigned long long)v);
}

static uint32_t legacy_mask(void)
{
	uint32_t m = 0xffffff | 1u << VIRTIO_RING_F_INDIRECT_DESC |
		     1u << VIRTIO_RING_F_EVENT_IDX;

	return m & ~(1u << VIRTIO_BLK_F_BARRIER | 1u << VIRTIO_BLK_F_SCSI);
}

static uint32_t negotiate(const char *tag)
{
	uint32_t hf, df0, gf;
	char n[64];
	uint64_t v;

	leg_wr(VIRTIO_PCI_STATUS, 1, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	leg_wr(VIRTIO_PCI_STATUS, 1, VIRTIO_CONFIG_S_ACKNOWLEDGE |
	       VIRTIO_CONFIG_S_DRIVER);
	v = leg_rd(VIRTIO_PCI_STATUS, 1);
	tap_result(v == 3, tn(n, sizeof(n), tag, "status_ack_driver"), "status %#llx",
		   (unsigned long long)v);
	v = mod_rd(&common, VIRTIO_PCI_COMMON_STATUS, 1);
	tap_result(v == 3, tn(n, sizeof(n), tag, "modern_status_ack_driver"), "modern status %#llx",
		   (unsigned long long)v);

	hf = leg_rd(VIRTIO_PCI_HOST_FEATURES, 4);
	mod_wr(&common, VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	df0 = mod_rd(&common, VIRTIO_PCI_COMMON_DF, 4);
	tap_result(hf == ((df0 & legacy_mask()) | 1u << VIRTIO_F_ANY_LAYOUT),
		   tn(n, sizeof(n), tag, "host_features"), "legacy %#x, modern low word %#x", hf,
		   df0);
	tap_result(!(hf & (1u << VIRTIO_F_NOTIFY_ON_EMPTY |
			   1u << BAD_FEATURE)) &&
		   (hf & 1u << VIRTIO_BLK_F_SEG_MAX), tn(n, sizeof(n), tag, "host_features_masked"),
		   "legacy features %#x", hf);

	/* No EVENT_IDX: every used buffer interrupts.  Bit 30 not offered. */
	gf = hf & ~(1u << VIRTIO_RING_F_EVENT_IDX);
	leg_wr(VIRTIO_PCI_GUEST_FEATURES, 4, gf | 1u << BAD_FEATURE);
	v = leg_rd(VIRTIO_PCI_GUEST_FEATURES, 4);
	tap_result(v == gf, tn(n, sizeof(n), tag, "guest_features_readback"),
		   "wrote %#x, reads %#llx", gf, (unsigned long long)v);
	mod_wr(&common, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	v = mod_rd(&common, VIRTIO_PCI_COMMON_GF, 4);
	tap_result(v == (gf & ~(1u << VIRTIO_F_ANY_LAYOUT)),
		   tn(n, sizeof(n), tag, "modern_guest_features_low"), "modern %#llx, legacy %#x",
		   (unsigned long long)v, gf);
	mod_wr(&common, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	v = mod_rd(&common, VIRTIO_PCI_COMMON_GF, 4);
	tap_result(v & 1, tn(n, sizeof(n), tag, "modern_version_1"), "modern high word %#llx",
		   (unsigned long long)v);
	return gf;
}

/* ---- queues ---- */

static uint64_t used_addr(uint64_t desc, unsigned int num)
{
	uint64_t avail_end = desc + 16ull * num + 2 * (3 + num);

	return (avail_end + 4095) & ~4095ull;
}

static void setup_queue(const char *tag)
{
	uint64_t v, desc, avail, used;
	uint16_t numq;
	char n[64];

	leg_wr(VIRTIO_PCI_QUEUE_SEL, 2, 0);
	qnum = leg_rd(VIRTIO_PCI_QUEUE_NUM, 2);
	v = mq_rd(0, VIRTIO_PCI_COMMON_Q_SIZE, 2);
	snprintf(n, sizeof(n), "%s/queue_num", tag);
	tap_result(qnum && qnum == v && !(qnum & (qnum - 1)) &&
		   used_addr(0, qnum) + 6 + 8 * qnum <= RING_SIZE, t(n),
		   "legacy %u, modern %llu", qnum, (unsigned long long)v);

	numq = mod_rd(&common, VIRTIO_PCI_COMMON_NUMQ, 2);
	leg_wr(VIRTIO_PCI_QUEUE_SEL, 2, numq);
	v = leg_rd(VIRTIO_PCI_QUEUE_SEL, 2);
	snprintf(n, sizeof(n), "%s/queue_sel_past_end", tag);
	tap_result(v == numq && leg_rd(VIRTIO_PCI_QUEUE_NUM, 2) == 0, t(n),
		   "sel %llu of %u queues", (unsigned long long)v, numq);
	leg_wr(VIRTIO_PCI_QUEUE_SEL, 2, 0);

	v = mod_rd(&common, VIRTIO_PCI_COMMON_STATUS, 1);
	snprintf(n, sizeof(n), "%s/no_features_ok_before_queue", tag);
	tap_result(!(v & VIRTIO_CONFIG_S_FEATURES_OK), t(n), "modern status %#llx",
		   (unsigned long long)v);

	memset(ring, 0, RING_SIZE);
	avail_idx = used_seen = 0;
	leg_wr(VIRTIO_PCI_QUEUE_PFN, 4, RING_IOVA >> 12);
	v = leg_rd(VIRTIO_PCI_QUEUE_PFN, 4);
	snprintf(n, sizeof(n), "%s/queue_pfn_readback", tag);
	tap_result(v == RING_IOVA >> 12, t(n), "PFN reads %#llx",
		   (unsigned long long)v);

	desc = mq_rd64(0, VIRTIO_PCI_COMMON_Q_DESCLO);
	avail = mq_rd64(0, VIRTIO_PCI_COMMON_Q_AVAILLO);
	used = mq_rd64(0, VIRTIO_PCI_COMMON_Q_USEDLO);
	v = mq_rd(0, VIRTIO_PCI_COMMON_Q_ENABLE, 2);
	snprintf(n, sizeof(n), "%s/modern_queue_programmed", tag);
	tap_result(desc == RING_IOVA && avail == RING_IOVA + 16ull * qnum &&
		   used == used_addr(RING_IOVA, qnum) && v == 1, t(n),
		   "desc %#llx avail %#llx used %#llx enable %llu (num %u)",
		   (unsigned long long)desc, (unsigned long long)avail,
		   (unsigned long long)used, (unsigned long long)v, qnum);

	v = mod_rd(&common, VIRTIO_PCI_COMMON_STATUS, 1);
	snprintf(n, sizeof(n), "%s/features_ok_at_first_queue", tag);
	tap_result(v == (3 | VIRTIO_CONFIG_S_FEATURES_OK) &&
		   leg_rd(VIRTIO_PCI_STATUS, 1) == 3, t(n),
		   "modern status %#llx, legacy %#llx", (unsigned long long)v,
		   (unsigned long long)leg_rd(VIRTIO_PCI_STATUS, 1));
}

static void driver_ok(void)
{
	uint64_t v;

	leg_wr(VIRTIO_PCI_STATUS, 1, 3 | VIRTIO_CONFIG_S_DRIVER_OK);
	v = mod_rd(&common, VIRTIO_PCI_COMMON_STATUS, 1);
	tap_result(v == (3 | VIRTIO_CONFIG_S_FEATURES_OK |
			 VIRTIO_CONFIG_S_DRIVER_OK) &&
		   leg_rd(VIRTIO_PCI_STATUS, 1) == 7, t("driver_ok"),
		   "modern status %#llx", (unsigned long long)v);
}

/* ---- requests through the legacy ring ---- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

/*
 * One request of three descriptors (header, one sector, status); true
 * when the used ring took it with the right length and status 0.
 */
static bool blk_request(uint32_t type, uint64_t sector, char *why,
			size_t wlen)
{
	struct vring_desc *d = (struct vring_desc *)ring;
	struct vring_avail *av = (struct vring_avail *)(ring + 16 * qnum);
	struct vring_used *us = (struct vring_used *)
		(ring + used_addr(0, qnum));
	struct virtio_blk_outhdr *hdr = (struct virtio_blk_outhdr *)bufs;
	volatile uint8_t *status = bufs + 0x2000;
	uint16_t head = (avail_idx * 3) % qnum;
	bool in = type == VIRTIO_BLK_T_IN;
	uint64_t end;

	hdr->type = type;
	hdr->ioprio = 0;
	hdr->sector = sector;
	*status = 0xee;
	d[head] = (struct vring_desc){ BUF_IOVA, sizeof(*hdr),
				       VRING_DESC_F_NEXT, head + 1 };
	d[head + 1] = (struct vring_desc){ BUF_IOVA + 0x1000, SECTOR,
		VRING_DESC_F_NEXT | (in ? VRING_DESC_F_WRITE : 0), head + 2 };
	d[head + 2] = (struct vring_desc){ BUF_IOVA + 0x2000, 1,
					   VRING_DESC_F_WRITE, 0 };
	av->ring[avail_idx % qnum] = head;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	av->idx = ++avail_idx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	leg_wr(VIRTIO_PCI_QUEUE_NOTIFY, 2, 0);

	end = now_ms() + 3000;
	while (*(volatile uint16_t *)&us->idx == used_seen && now_ms() < end)
		usleep(1000);
	if (*(volatile uint16_t *)&us->idx == used_seen) {
		tap_diag("stuck: modern status %#llx enable %llu size %llu numq %llu isr %#llx",
			 (unsigned long long)mod_rd(&common, VIRTIO_PCI_COMMON_STATUS, 1),
			 (unsigned long long)mq_rd(0, VIRTIO_PCI_COMMON_Q_ENABLE, 2),
			 (unsigned long long)mq_rd(0, VIRTIO_PCI_COMMON_Q_SIZE, 2),
			 (unsigned long long)mod_rd(&common, VIRTIO_PCI_COMMON_NUMQ, 2),
			 (unsigned long long)mod_rd(&isr, 0, 1));
		tap_diag("cmd %#llx noff %llu", (unsigned long long)cfg_rd(&dev, PCI_COMMAND, 2),
			 (unsigned long long)mq_rd(0, VIRTIO_PCI_COMMON_Q_NOFF, 2));
		mod_wr(&notify, 0, 2, 0);
		usleep(500000);
		tap_diag("after direct notify: used idx %u",
			 *(volatile uint16_t *)&us->idx);
		snprintf(why, wlen, "used idx stays %u", used_seen);
		return false;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	{
		struct vring_used_elem *e = &us->ring[used_seen % qnum];
		uint32_t want = in ? SECTOR + 1 : 1;

		used_seen++;
		if (e->id != head || (e->len != want && e->len != SECTOR + 1) ||
		    *status != 0) {
			snprintf(why, wlen, "used id %u len %u status %u",
				 e->id, e->len, *status);
			return false;
		}
	}
	return true;
}

static bool sector_matches(uint64_t s, int salt)
{
	unsigned int i;

	for (i = 0; i < SECTOR; i++)
		if (bufs[0x1000 + i] != (uint8_t)(pattern(s, i) + salt))
			return false;
	return true;
}

static void intx_unmask(void)
{
	struct vfio_irq_set un = {
		.argsz = sizeof(un), .index = VFIO_PCI_INTX_IRQ_INDEX,
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
		.count = 1,
	};

	ioctl(dev.fd, VFIO_DEVICE_SET_IRQS, &un);
}

/*
 * A config change interrupt: QEMU grows the disk (QMP block_resize), the
 * device raises INTx with ISR bit 1, and the legacy config window shows
 * the new capacity.
 */
static void check_config_irq(int efd)
{
	char cmd[512];
	uint64_t isr1, isr2, lo;
	int64_t got;
	int rc;

	vt_eventfd_drain(efd);
	leg_rd(VIRTIO_PCI_ISR, 1);
	intx_unmask();
	snprintf(cmd, sizeof(cmd),
		 "%s/tests/vm/qmp hmp 'block_resize %s 2M' > /dev/null",
		 getenv("VFPCI_TOP") ? getenv("VFPCI_TOP") : ".", resize_drive);
	rc = system(cmd);
	tap_result(rc == 0, t("qmp_block_resize"), "%s: status %d", cmd, rc);
	got = vt_eventfd_wait(efd, 5000);
	isr1 = leg_rd(VIRTIO_PCI_ISR, 1);
	isr2 = leg_rd(VIRTIO_PCI_ISR, 1);
	tap_result(got > 0 && (isr1 & VIRTIO_PCI_ISR_CONFIG) && isr2 == 0,
		   t("config_irq_isr"), "eventfd %lld, ISR %#llx then %#llx",
		   (long long)got, (unsigned long long)isr1,
		   (unsigned long long)isr2);
	intx_unmask();
	capacity = 2 * DISK_SECTORS;
	lo = leg_rd(VIRTIO_PCI_CONFIG_OFF(0), 4);
	tap_result(lo == capacity, t("config_irq_new_capacity"),
		   "capacity %llu", (unsigned long long)lo);
}

static void check_requests_intx(void)
{
	char why[128] = "";
	int efd = vt_eventfd();
	int64_t got;
	uint64_t isr1, isr2;
	bool ok;
	int ret;

	ret = vt_irq_set_eventfds(dev.fd, VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &efd);
	tap_result(!ret, t("intx_eventfd"), "SET_IRQS: %s", strerror(-ret));

	memset(bufs + 0x1000, 0, SECTOR);
	ok = blk_request(VIRTIO_BLK_T_IN, 5, why, sizeof(why));
	tap_result(ok, t("read_request_completes"), "%s", why);
	tap_result(ok && sector_matches(5, 0), t("read_request_data"),
		   "sector 5 does not hold the image's pattern");

	got = vt_eventfd_wait(efd, 2000);
	tap_result(got > 0, t("intx_fires"), "eventfd wait gave %lld",
		   (long long)got);
	isr1 = leg_rd(VIRTIO_PCI_ISR, 1);
	isr2 = leg_rd(VIRTIO_PCI_ISR, 1);
	tap_result(isr1 == 1 && isr2 == 0, t("isr_clear_on_read"),
		   "ISR %#llx then %#llx", (unsigned long long)isr1,
		   (unsigned long long)isr2);
	intx_unmask();

	if (resize_drive)
		check_config_irq(efd);

	/* Write sector 9 with a salted pattern, read it back. */
	{
		unsigned int i;

		for (i = 0; i < SECTOR; i++)
			bufs[0x1000 + i] = pattern(9, i) + 1;
		ok = blk_request(VIRTIO_BLK_T_OUT, 9, why, sizeof(why));
		tap_result(ok, t("write_request_completes"), "%s", why);
		leg_rd(VIRTIO_PCI_ISR, 1);
		vt_eventfd_drain(efd);
		memset(bufs + 0x1000, 0, SECTOR);
		ok = ok && blk_request(VIRTIO_BLK_T_IN, 9, why, sizeof(why));
		tap_result(ok && sector_matches(9, 1), t("write_then_read_back"),
			   "%s", why[0] ? why : "data differs");
		/* Leave the image as the suite made it. */
		for (i = 0; i < SECTOR; i++)
			bufs[0x1000 + i] = pattern(9, i);
		blk_request(VIRTIO_BLK_T_OUT, 9, why, sizeof(why));
		leg_rd(VIRTIO_PCI_ISR, 1);
	}
	vt_irq_disable(dev.fd, VFIO_PCI_INTX_IRQ_INDEX);
	close(efd);
}

/* Device config at 20, or 24 with MSI-X: capacity must read the same. */
static void check_devcfg_window(const char *tag, uint32_t at)
{
	uint64_t lo = leg_rd(at, 4), hi = leg_rd(at + 4, 4);
	uint64_t mlo = mod_rd(&devcfg, 0, 4), mhi = mod_rd(&devcfg, 4, 4);
	char n[64];
	uint64_t b;

	snprintf(n, sizeof(n), "%s/capacity_at_%u", tag, at);
	tap_result(lo == capacity && hi == 0 && lo == mlo && hi == mhi,
		   t(n), "legacy %#llx:%#llx modern %#llx:%#llx",
		   (unsigned long long)hi, (unsigned long long)lo,
		   (unsigned long long)mhi, (unsigned long long)mlo);
	/* Byte reads of the window too (what Linux's legacy driver does). */
	b = leg_rd(at + 1, 1);
	snprintf(n, sizeof(n), "%s/capacity_byte_at_%u", tag, at + 1);
	tap_result(b == ((capacity >> 8) & 0xff), t(n), "byte %#llx",
		   (unsigned long long)b);
}

static void check_msix(void)
{
	char why[128] = "";
	int efd[2] = { vt_eventfd(), vt_eventfd() };
	uint64_t v, mv;
	int ret;
	bool ok;

	check_devcfg_window("intx", VIRTIO_PCI_CONFIG_OFF(0));
	ret = vt_irq_set_eventfds(dev.fd, VFIO_PCI_MSIX_IRQ_INDEX, 0, 2, efd);
	tap_result(!ret, t("msix_enable"), "SET_IRQS: %s", strerror(-ret));
	check_devcfg_window("msix", VIRTIO_PCI_CONFIG_OFF(1));

	leg_wr(VIRTIO_MSI_CONFIG_VECTOR, 2, 0);
	v = leg_rd(VIRTIO_MSI_CONFIG_VECTOR, 2);
	mv = mod_rd(&common, VIRTIO_PCI_COMMON_MSIX, 2);
	tap_result(v == 0 && mv == 0, t("msix_config_vector"),
		   "legacy %#llx modern %#llx", (unsigned long long)v,
		   (unsigned long long)mv);
	leg_wr(VIRTIO_PCI_QUEUE_SEL, 2, 0);
	leg_wr(VIRTIO_MSI_QUEUE_VECTOR, 2, 1);
	v = leg_rd(VIRTIO_MSI_QUEUE_VECTOR, 2);
	mv = mq_rd(0, VIRTIO_PCI_COMMON_Q_MSIX, 2);
	tap_result(v == 1 && mv == 1, t("msix_queue_vector"),
		   "legacy %#llx modern %#llx", (unsigned long long)v,
		   (unsigned long long)mv);

	vt_eventfd_drain(efd[0]);
	vt_eventfd_drain(efd[1]);
	memset(bufs + 0x1000, 0, SECTOR);
	ok = blk_request(VIRTIO_BLK_T_IN, 77, why, sizeof(why));
	tap_result(ok && sector_matches(77, 0), t("msix_read_request"), "%s",
		   why[0] ? why : "data differs");
	v = vt_eventfd_wait(efd[1], 2000);
	mv = vt_eventfd_drain(efd[0]);
	tap_result((int64_t)v > 0 && mv == 0, t("msix_queue_interrupt"),
		   "vector 1: %lld, vector 0: %lld", (long long)v,
		   (long long)mv);

	vt_irq_disable(dev.fd, VFIO_PCI_MSIX_IRQ_INDEX);
	check_devcfg_window("msix_off", VIRTIO_PCI_CONFIG_OFF(0));
	close(efd[0]);
	close(efd[1]);
}

/* ---- accesses that hit no register ---- */

static void check_bad_access(void)
{
	uint64_t v = 0, st, q;
	ssize_t n;
	uint8_t buf[8];

	/* Registers decode by offset, whatever the width (as QEMU's). */
	v = leg_rd(VIRTIO_PCI_HOST_FEATURES, 1);
	tap_result(v == (leg_rd(VIRTIO_PCI_HOST_FEATURES, 4) & 0xff),
		   t("byte_read_of_features"), "reads %#llx",
		   (unsigned long long)v);
	st = leg_rd(VIRTIO_PCI_STATUS, 1);
	v = leg_rd(VIRTIO_PCI_STATUS, 2);
	tap_result(v == st, t("word_read_of_status"), "%#llx, status %#llx",
		   (unsigned long long)v, (unsigned long long)st);
	v = leg_rd(VIRTIO_PCI_QUEUE_NUM, 4);
	tap_result(v == qnum, t("dword_read_of_queue_num"), "%#llx",
		   (unsigned long long)v);
	tap_result(leg_rd(VIRTIO_PCI_QUEUE_NOTIFY, 2) == 0xffff,
		   t("notify_reads_ones"), "QUEUE_NOTIFY read");
	tap_result(leg_rd(VIRTIO_PCI_QUEUE_PFN + 1, 1) == 0xff,
		   t("no_register_reads_ones"), "byte 9");

	leg_wr(VIRTIO_PCI_QUEUE_SEL, 1, 1);
	q = leg_rd(VIRTIO_PCI_QUEUE_SEL, 2);
	leg_wr(VIRTIO_PCI_QUEUE_SEL, 2, 0);
	tap_result(q == 1, t("byte_write_of_queue_sel"), "sel %#llx",
		   (unsigned long long)q);
	v = leg_rd(VIRTIO_PCI_QUEUE_PFN, 4);
	leg_wr(VIRTIO_PCI_QUEUE_PFN + 1, 1, 0);	/* no register there */
	leg_wr(VIRTIO_PCI_ISR, 1, 0xff);	/* read-only */
	leg_wr(VIRTIO_PCI_HOST_FEATURES, 4, 0);	/* read-only */
	tap_result(leg_rd(VIRTIO_PCI_STATUS, 1) == st && st &&
		   leg_rd(VIRTIO_PCI_QUEUE_PFN, 4) == v && v,
		   t("stray_writes_dropped"), "status %#llx pfn %#llx",
		   (unsigned long long)leg_rd(VIRTIO_PCI_STATUS, 1),
		   (unsigned long long)leg_rd(VIRTIO_PCI_QUEUE_PFN, 4));

	n = vt_region_read(&dev, BAR0, bar0_size, 1, &v);
	tap_result(n == -EINVAL, t("read_past_end_einval"), "gave %zd", n);
	n = vt_region_write(&dev, BAR0, bar0_size + 4, 4, 0);
	tap_result(n == -EINVAL, t("write_past_end_einval"), "gave %zd", n);
	n = pread(dev.fd, buf, 4, bar0_size - 2);
	tap_result(n == 2, t("read_across_end_truncated"), "gave %zd", n);
	/* 8 bytes at 0: host features, then guest features. */
	n = pread(dev.fd, buf, 8, 0);
	memcpy(&v, buf, 8);
	tap_result(n == 8 && (uint32_t)v == leg_rd(0, 4) &&
		   v >> 32 == leg_rd(4, 4), t("read_8_split"),
		   "gave %zd, %#llx", n, (unsigned long long)v);
}

/* ---- resets ---- */

static void check_status_reset(void)
{
	uint64_t st, mst, en, pfn, gf;

	leg_wr(VIRTIO_PCI_STATUS, 1, 0);
	st = leg_rd(VIRTIO_PCI_STATUS, 1);
	mst = mod_rd(&common, VIRTIO_PCI_COMMON_STATUS, 1);
	en = mq_rd(0, VIRTIO_PCI_COMMON_Q_ENABLE, 2);
	leg_wr(VIRTIO_PCI_QUEUE_SEL, 2, 0);
	pfn = leg_rd(VIRTIO_PCI_QUEUE_PFN, 4);
	gf = leg_rd(VIRTIO_PCI_GUEST_FEATURES, 4);
	tap_result(!st && !mst && !en && !pfn && !gf, t("status_0_resets"),
		   "status %llu modern %llu enable %llu pfn %llu gf %#llx",
		   (unsigned long long)st, (unsigned long long)mst,
		   (unsigned long long)en, (unsigned long long)pfn,
		   (unsigned long long)gf);

	/* Again, and a PFN 0 write resets it all as QEMU's legacy does. */
	negotiate("again");
	setup_queue("again");
	leg_wr(VIRTIO_PCI_QUEUE_PFN, 4, 0);
	mst = mod_rd(&common, VIRTIO_PCI_COMMON_STATUS, 1);
	en = mq_rd(0, VIRTIO_PCI_COMMON_Q_ENABLE, 2);
	tap_result(!mst && !en && !leg_rd(VIRTIO_PCI_STATUS, 1),
		   t("pfn_0_resets"), "modern status %llu enable %llu",
		   (unsigned long long)mst, (unsigned long long)en);

	/* DRIVER_OK without any queue still sets FEATURES_OK first. */
	leg_wr(VIRTIO_PCI_STATUS, 1, 3);
	leg_wr(VIRTIO_PCI_GUEST_FEATURES, 4, 0);
	leg_wr(VIRTIO_PCI_STATUS, 1, 7);
	mst = mod_rd(&common, VIRTIO_PCI_COMMON_STATUS, 1);
	tap_result(mst == 0xf, t("driver_ok_sets_features_ok"),
		   "modern status %#llx", (unsigned long long)mst);
}

static void check_device_reset(void)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	uint64_t st, gf;

	leg_wr(VIRTIO_PCI_STATUS, 1, 0);
	leg_wr(VIRTIO_PCI_STATUS, 1, 3);
	leg_wr(VIRTIO_PCI_GUEST_FEATURES, 4, 1u << VIRTIO_BLK_F_SEG_MAX);
	ioctl(dev.fd, VFIO_DEVICE_GET_INFO, &info);
	if (!(info.flags & VFIO_DEVICE_FLAGS_RESET)) {
		tap_skip(t("device_reset"), "no reset method");
		return;
	}
	if (ioctl(dev.fd, VFIO_DEVICE_RESET)) {
		tap_result(false, t("device_reset"), "RESET: %s",
			   strerror(errno));
		return;
	}
	/* An FLR also clears COMMAND; the core restores the user's view. */
	vt_cfg_write(&dev, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
		     PCI_COMMAND_MASTER);
	st = leg_rd(VIRTIO_PCI_STATUS, 1);
	gf = leg_rd(VIRTIO_PCI_GUEST_FEATURES, 4);
	tap_result(!st && !gf, t("device_reset"), "status %#llx gf %#llx",
		   (unsigned long long)st, (unsigned long long)gf);
}

/*
 * Random accesses of every width at every offset (writes of random values
 * included: rings at random addresses, random status and notifies) must
 * each give the size or EINVAL, leave no splat, and a reset must bring
 * the device back: a write and read-back through a fresh ring.  The seed
 * is printed; VFPCI_SEED=N replays it.
 */
static void check_random_access(void)
{
	static const int widths[] = { 1, 2, 4 };
	const char *env = getenv("VFPCI_SEED");
	unsigned int seed = env ? strtoul(env, NULL, 0) : (unsigned long)time(NULL);
	unsigned int i, bad = 0;
	char why[128] = "";
	bool ok;

	tap_diag("random access seed %u", seed);
	srandom(seed);
	for (i = 0; i < 3000; i++) {
		uint32_t off = random() % (bar0_size + 8);
		int w = widths[random() % 3];
		uint64_t v = (uint64_t)random() << 1 ^ random();
		ssize_t n, want;

		want = off < bar0_size ? (ssize_t)w : -EINVAL;
		if (want > 0 && off + w > bar0_size)
			want = bar0_size - off;
		if (random() & 1)
			n = vt_region_write(&dev, BAR0, off, w, v);
		else
			n = vt_region_read(&dev, BAR0, off, w, &v);
		if (n != want && !bad++)
			snprintf(why, sizeof(why), "%d@%u gave %zd", w, off,
				 n);
	}
	tap_result(!bad, t("random_access_results"), "%u bad, first %s", bad,
		   why);

	leg_wr(VIRTIO_PCI_STATUS, 1, 0);
	vt_irq_disable(dev.fd, VFIO_PCI_MSIX_IRQ_INDEX);
	negotiate("after_random");
	setup_queue("after_random");
	leg_wr(VIRTIO_PCI_STATUS, 1, 7);
	for (i = 0; i < SECTOR; i++)
		bufs[0x1000 + i] = pattern(11, i) ^ 0xa5;
	ok = blk_request(VIRTIO_BLK_T_OUT, 11, why, sizeof(why));
	memset(bufs + 0x1000, 0, SECTOR);
	ok = ok && blk_request(VIRTIO_BLK_T_IN, 11, why, sizeof(why));
	for (i = 0; ok && i < SECTOR; i++)
		ok = bufs[0x1000 + i] == (uint8_t)(pattern(11, i) ^ 0xa5);
	tap_result(ok, t("works_after_random_access"), "%s",
		   why[0] ? why : "data differs");
}

/* ---- concurrency ---- */

static volatile bool stop;

/* Config space traffic, IO decode toggles and MSI-X on/off meanwhile. */
static void *churn(void *arg)
{
	int efd = vt_eventfd();
	unsigned long n = 0;
	uint64_t v;

	(void)arg;
	while (!stop) {
		vt_cfg_read(&dev, 0, 4, &v);
		vt_cfg_read(&dev, PCI_BASE_ADDRESS_0, 4, &v);
		/* IO alone, IO and memory, memory alone (EIO). */
		vt_cfg_write(&dev, PCI_COMMAND, 2, (n % 3 == 2 ? 0 :
			     PCI_COMMAND_IO) | (n % 3 ? PCI_COMMAND_MEMORY : 0));
		if (n % 8 == 0)
			vt_irq_set_eventfds(dev.fd, VFIO_PCI_MSIX_IRQ_INDEX, 0,
					    1, &efd);
		else if (n % 8 == 4)
			vt_irq_disable(dev.fd, VFIO_PCI_MSIX_IRQ_INDEX);
		n++;
	}
	vt_irq_disable(dev.fd, VFIO_PCI_MSIX_IRQ_INDEX);
	close(efd);
	return NULL;
}

/*
 * Legacy registers from two threads while a third churns config space and
 * interrupts: every access gives its size or EIO (IO decode off), and
 * nothing deadlocks (the run has a time limit).
 */
static void check_concurrency(void)
{
	pthread_t th;
	uint64_t end = now_ms() + 3000;
	unsigned long done = 0, bad = 0;

	stop = false;
	pthread_create(&th, NULL, churn, NULL);
	while (now_ms() < end) {
		uint64_t v;
		ssize_t n;

		n = vt_region_read(&dev, BAR0, (done % 6) * 4, 4, &v);
		if (n != 4 && n != -EIO)
			bad++;
		n = vt_region_read(&dev, BAR0, 24 + done % 8, 1, &v);
		if (n != 1 && n != -EIO)
			bad++;
		n = vt_region_write(&dev, BAR0, VIRTIO_PCI_QUEUE_SEL, 2,
				    done & 1);
		if (n != 2 && n != -EIO)
			bad++;
		done++;
	}
	stop = true;
	pthread_join(th, NULL);
	vt_cfg_write(&dev, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
		     PCI_COMMAND_MASTER);
	tap_result(!bad && done > 10 && leg_rd(VIRTIO_PCI_STATUS, 1) != ~0ull,
		   t("concurrent_access"), "%lu rounds, %lu bad", done, bad);
}

static void check_reopen(const char *bdf)
{
	uint64_t st, bar;
	int ret;

	leg_wr(VIRTIO_PCI_STATUS, 1, 3);
	vt_cfg_write(&dev, PCI_BASE_ADDRESS_0, 4, 0xc000);
	vt_close(&dev);
	ret = vt_open(&dev, bdf);
	if (ret) {
		tap_result(false, t("reopen"), "%s", strerror(-ret));
		return;
	}
	vt_cfg_write(&dev, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	st = leg_rd(VIRTIO_PCI_STATUS, 1);
	bar = cfg_rd(&dev, PCI_BASE_ADDRESS_0, 4);
	tap_result(!st && bar == PCI_BASE_ADDRESS_SPACE_IO,
		   t("reopen_resets"), "status %#llx BAR0 %#llx",
		   (unsigned long long)st, (unsigned long long)bar);
}

int main(int argc, char **argv)
{
	const char *ref = NULL, *refuse = NULL, *bdf;
	int opt, ret;
	void *p;

	while ((opt = getopt(argc, argv, "r:n:q:")) != -1) {
		if (opt == 'q')
			resize_drive = optarg;
		else if (opt == 'r')
			ref = optarg;
		else if (opt == 'n')
			refuse = optarg;
		else
			return 2;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: %s [-r REF_BDF] [-n NET_BDF] [-q DRIVE] BDF\n",
			argv[0]);
		return 2;
	}
	bdf = argv[optind];

	if (refuse)
		check_refuse(refuse);

	ret = vt_bind_open(&dev, bdf, DRV);
	if (!tap_result(!ret, t("bind_open"), "%s: %s", bdf, strerror(-ret)))
		return tap_summary();
	check_ids(&dev, DRV, true);
	if (find_caps())
		return tap_summary();
	check_bar0();
	if (ref)
		check_ref(ref);

	ret = vt_dma_map(&dev, RING_IOVA, RING_SIZE, &p);
	ring = p;
	ret = ret ? ret : vt_dma_map(&dev, BUF_IOVA, BUF_SIZE, &p);
	bufs = p;
	if (!tap_result(!ret, t("dma_map"), "%s", strerror(-ret)))
		return tap_summary();

	check_io_decode();
	negotiate("first");
	setup_queue("first");
	driver_ok();
	check_requests_intx();
	check_msix();
	check_bad_access();
	check_status_reset();
	check_random_access();
	check_concurrency();
	check_device_reset();
	check_reopen(bdf);
	vt_close(&dev);
	return tap_summary();
}
