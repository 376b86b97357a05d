// SPDX-License-Identifier: GPL-2.0-only
/*
 * conformance: differential conformance suite.  Twin devices, one bound to
 * the reference driver (the in-kernel vfio-pci) and one to the driver under
 * test, run the same probes; every observation (return value, errno, value
 * read) must match.  Physical differences between the twins (BAR addresses,
 * interrupt line) are masked; see docs/differences.md.
 *
 * Usage: conformance [--ref DRV] [--test DRV] [--tag NAME]
 *                    EDU_A EDU_B [NVME_A NVME_B]
 * The _A devices are bound to the reference, the _B ones to the driver
 * under test; test names start with NAME (default "conformance").
 * Adding a case: write a probe (struct vt_dev *, long, struct vt_res *)
 * and add one line to cases[].
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vfpci_test.h"
#include "vfio_cdev.h"

#define EDU_ID		0x00
#define EDU_LIVENESS	0x04
#define EDU_IRQ_STATUS	0x24
#define EDU_IRQ_RAISE	0x60
#define EDU_IRQ_ACK	0x64

#define CFG_COMMAND	0x04
#define CFG_CMD_MEMORY	0x2
#define CFG_CMD_MASTER	0x4
#define CFG_BAR0	0x10
#define CFG_BAR_END	0x28
#define CFG_ROM		0x30
#define CFG_CAP_PTR	0x34
#define CFG_INT_LINE	0x3c

/* Which twin pairs a case runs on. */
#define ON_EDU		0x1
#define ON_NVME		0x2
#define ON_ALL		(ON_EDU | ON_NVME)

/* Prefix of every test name (--tag), e.g. for a run with swapped slots. */
static const char *tag = "conformance";

/* ---- helpers ---- */

/* Per-byte masks of config bits that differ between twins physically. */
static uint8_t *phys_mask_for(struct vt_dev *d)
{
	static struct { char bdf[VT_BDF_LEN]; uint8_t m[4096]; } cache[4];
	static int used;
	uint64_t bar;
	int i, slot;
	uint32_t pos;

	for (i = 0; i < used; i++)
		if (!strcmp(cache[i].bdf, d->bdf))
			return cache[i].m;
	slot = used < 4 ? used++ : 3;
	strcpy(cache[slot].bdf, d->bdf);
	memset(cache[slot].m, 0xff, sizeof(cache[slot].m));

	for (pos = CFG_BAR0; pos < CFG_BAR_END; pos += 4) {
		uint8_t *m = &cache[slot].m[pos];

		if (vt_cfg_read(d, pos, 4, &bar) != 4)
			bar = 0;
		/* Keep only the flag bits of a BAR: I/O 2, memory 4. */
		m[0] = (bar & 1) ? 0x03 : 0x0f;
		m[1] = m[2] = m[3] = 0;
		/* The upper half of a 64-bit BAR is all address. */
		if (!(bar & 1) && (bar & 0x6) == 0x4 && pos + 4 < CFG_BAR_END) {
			pos += 4;
			memset(&cache[slot].m[pos], 0, 4);
		}
	}
	memset(&cache[slot].m[CFG_ROM], 0, 4);
	cache[slot].m[CFG_ROM] = 0x01;
	cache[slot].m[CFG_INT_LINE] = 0;
	return cache[slot].m;
}

static uint64_t phys_mask(struct vt_dev *d, uint32_t pos, int width)
{
	uint8_t *m = phys_mask_for(d);
	uint64_t mask = 0;
	int i;

	for (i = 0; i < width; i++)
		if (pos + i < 4096)
			mask |= (uint64_t)m[pos + i] << (8 * i);
	return mask;
}

/* Capability offset of @id in the standard list, 0 if absent. */
static uint32_t find_cap(struct vt_dev *d, uint8_t id)
{
	uint64_t ptr = 0, hdr;
	int guard = 48;

	if (vt_cfg_read(d, CFG_CAP_PTR, 1, &ptr) != 1)
		return 0;
	while (ptr >= 0x40 && guard--) {
		if (vt_cfg_read(d, ptr & ~3u, 2, &hdr) != 2)
			return 0;
		if ((hdr & 0xff) == id)
			return ptr & ~3u;
		ptr = hdr >> 8;
	}
	return 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static long ioctl_obs(int fd, unsigned long req, void *arg, int *err)
{
	long ret = ioctl(fd, req, arg);

	*err = ret < 0 ? errno : 0;
	return ret;
}

/* ---- VFIO_DEVICE_GET_INFO ---- */

static void p_device_info(struct vt_dev *d, long arg, struct vt_res *r)
{
	struct vfio_device_info info;
	static const uint32_t sizes[] = { 0, 4, 12, 16, sizeof(info), 64 };
	unsigned int i;
	long ret;
	int err;

	(void)arg;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char big[64] = { 0 };
		struct vfio_device_info *p = (void *)big;

		p->argsz = sizes[i];
		ret = ioctl_obs(d->fd, VFIO_DEVICE_GET_INFO, p, &err);
		vt_res_add(r, ret, err, p->flags, "argsz=%u flags", sizes[i]);
		vt_res_add(r, ret, err, p->num_regions, "argsz=%u num_regions",
			   sizes[i]);
		vt_res_add(r, ret, err, p->num_irqs, "argsz=%u num_irqs",
			   sizes[i]);
		vt_res_add(r, ret, err, p->argsz, "argsz=%u argsz out",
			   sizes[i]);
	}
}

/* ---- VFIO_DEVICE_GET_REGION_INFO ---- */

static void record_caps(struct vfio_region_info *ri, uint32_t idx,
			struct vt_res *r)
{
	struct vfio_info_cap_header *h;
	uint32_t off = ri->cap_offset;
	int n = vt_region_cap_count(ri);

	vt_res_add(r, 0, 0, n, "region %u cap count", idx);
	if (n <= 0)
		return;
	while (off) {
		h = (void *)((char *)ri + off);
		vt_res_add(r, 0, 0, (uint64_t)h->id << 16 | h->version,
			   "region %u cap id/version", idx);
		if (h->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP) {
			struct vfio_region_info_cap_sparse_mmap *s = (void *)h;
			uint32_t a;

			vt_res_add(r, 0, 0, s->nr_areas,
				   "region %u sparse nr_areas", idx);
			for (a = 0; a < s->nr_areas && a < 16; a++) {
				vt_res_add(r, 0, 0, s->areas[a].offset,
					   "region %u sparse[%u].offset", idx, a);
				vt_res_add(r, 0, 0, s->areas[a].size,
					   "region %u sparse[%u].size", idx, a);
			}
		} else if (h->id == VFIO_REGION_INFO_CAP_TYPE) {
			struct vfio_region_info_cap_type *t = (void *)h;

			vt_res_add(r, 0, 0, (uint64_t)t->type << 32 | t->subtype,
				   "region %u type/subtype", idx);
		}
		off = h->next;
	}
}

static void p_region_info(struct vt_dev *d, long arg, struct vt_res *r)
{
	uint32_t idx, last = d->info.num_regions + 2;
	struct vfio_region_info *ri;
	int ret;

	(void)arg;
	for (idx = 0; idx <= last + 1; idx++) {
		/* The last probe is a huge index. */
		uint32_t i = idx <= last ? idx : 0xffffffffu;

		ret = vt_region_info(d->fd, i, &ri);
		vt_res_add(r, ret, -ret, ret ? 0 : ri->size,
			   "region %u size", i);
		if (ret)
			continue;
		vt_res_add(r, 0, 0, ri->flags, "region %u flags", i);
		vt_res_add(r, 0, 0, ri->offset, "region %u offset", i);
		vt_res_add(r, 0, 0, ri->argsz, "region %u argsz", i);
		record_caps(ri, i, r);
		free(ri);
	}
}

/* Bad and tight argsz values of GET_REGION_INFO on BAR0 and config. */
static void p_region_info_argsz(struct vt_dev *d, long arg, struct vt_res *r)
{
	static const uint32_t sizes[] = { 0, 8, 15, 16, 31, 32 };
	static const uint32_t idxs[] = { VFIO_PCI_BAR0_REGION_INDEX,
					 VFIO_PCI_CONFIG_REGION_INDEX };
	unsigned int i, j;

	(void)arg;
	for (j = 0; j < 2; j++) {
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			char buf[64] = { 0 };
			struct vfio_region_info *ri = (void *)buf;
			long ret;
			int err;

			ri->argsz = sizes[i];
			ri->index = idxs[j];
			ret = ioctl_obs(d->fd, VFIO_DEVICE_GET_REGION_INFO, ri,
					&err);
			vt_res_add(r, ret, err, ri->size,
				   "region %u argsz=%u size", idxs[j], sizes[i]);
			vt_res_add(r, ret, err, ri->argsz,
				   "region %u argsz=%u argsz out", idxs[j],
				   sizes[i]);
			vt_res_add(r, ret, err, ri->cap_offset,
				   "region %u argsz=%u cap_offset", idxs[j],
				   sizes[i]);
		}
	}
}

/* ---- VFIO_DEVICE_GET_IRQ_INFO ---- */

static void p_irq_info(struct vt_dev *d, long arg, struct vt_res *r)
{
	uint32_t idx, last = d->info.num_irqs + 1;
	struct vfio_irq_info ii;
	int ret;

	(void)arg;
	for (idx = 0; idx <= last + 1; idx++) {
		uint32_t i = idx <= last ? idx : 0xffffffffu;

		ret = vt_irq_info(d->fd, i, &ii);
		vt_res_add(r, ret, -ret, ii.flags, "irq %u flags", i);
		vt_res_add(r, ret, -ret, ii.count, "irq %u count", i);
	}
	/* argsz below the minimum */
	memset(&ii, 0, sizeof(ii));
	ii.argsz = 8;
	ret = ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii);
	VT_OBS(r, ret, ii.count, "irq argsz=8");
}

/* ---- config space ---- */

/* arg: access width.  Every offset of the config region, then past it. */
static void p_cfg_read(struct vt_dev *d, long width, struct vt_res *r)
{
	uint32_t pos;
	uint64_t v;
	ssize_t n;

	for (pos = 0; (uint64_t)(pos + width) <= d->cfg_size; pos++) {
		v = 0;
		n = vt_cfg_read(d, pos, width, &v);
		vt_res_add(r, n, n < 0 ? -n : 0, v & phys_mask(d, pos, width),
			   "cfg read%ld @0x%x", width * 8, pos);
	}
	for (pos = d->cfg_size - width + 1; pos <= d->cfg_size + 4; pos++) {
		v = 0;
		n = vt_cfg_read(d, pos, width, &v);
		vt_res_add(r, n, n < 0 ? -n : 0, 0,
			   "cfg read%ld past end @0x%x", width * 8, pos);
	}
}

/* p_cfg_write's argument: access width and how far to sweep (0: all). */
#define CFG_SWEEP(width, limit) ((width) | ((long)(limit) << 8))

/*
 * At every offset: write all ones, read back (sizing results compared in
 * full), write zero, read back, restore, read back.
 */
static void p_cfg_write(struct vt_dev *d, long arg, struct vt_res *r)
{
	long width = arg & 0xff;
	uint64_t ones = width == 8 ? ~0ULL : (1ULL << (8 * width)) - 1;
	uint64_t end = arg >> 8 ? (uint64_t)arg >> 8 : d->cfg_size;
	uint64_t orig, v;
	uint32_t pos;
	ssize_t n;

	if (end > d->cfg_size)
		end = d->cfg_size;
	for (pos = 0; (uint64_t)(pos + width) <= end; pos++) {
		orig = v = 0;
		vt_cfg_read(d, pos, width, &orig);

		n = vt_cfg_write(d, pos, width, ones);
		vt_res_add(r, n, n < 0 ? -n : 0, 0, "cfg write%ld ones @0x%x",
			   width * 8, pos);
		n = vt_cfg_read(d, pos, width, &v);
		vt_res_add(r, n, n < 0 ? -n : 0, v, "cfg read%ld after ones @0x%x",
			   width * 8, pos);

		n = vt_cfg_write(d, pos, width, 0);
		vt_res_add(r, n, n < 0 ? -n : 0, 0, "cfg write%ld zero @0x%x",
			   width * 8, pos);
		v = 0;
		n = vt_cfg_read(d, pos, width, &v);
		vt_res_add(r, n, n < 0 ? -n : 0, v, "cfg read%ld after zero @0x%x",
			   width * 8, pos);

		n = vt_cfg_write(d, pos, width, orig);
		v = 0;
		if (n == width)
			n = vt_cfg_read(d, pos, width, &v);
		vt_res_add(r, n, n < 0 ? -n : 0, v & phys_mask(d, pos, width),
			   "cfg restore%ld @0x%x", width * 8, pos);
	}
	n = vt_cfg_write(d, d->cfg_size, width, 0);
	vt_res_add(r, n, n < 0 ? -n : 0, 0, "cfg write%ld past end", width * 8);
}

/* The BAR sizing dance on each BAR dword and the ROM BAR. */
static void p_cfg_bar_sizing(struct vt_dev *d, long arg, struct vt_res *r)
{
	uint64_t orig, v;
	uint32_t pos;
	ssize_t n;

	(void)arg;
	for (pos = CFG_BAR0; pos <= CFG_ROM; pos += 4) {
		if (pos == CFG_BAR_END)
			pos = CFG_ROM;
		orig = v = 0;
		vt_cfg_read(d, pos, 4, &orig);
		vt_cfg_write(d, pos, 4, 0xffffffff);
		n = vt_cfg_read(d, pos, 4, &v);
		vt_res_add(r, n, n < 0 ? -n : 0, v, "sizing @0x%x", pos);
		vt_cfg_write(d, pos, 4, orig);
		v = 0;
		n = vt_cfg_read(d, pos, 4, &v);
		vt_res_add(r, n, n < 0 ? -n : 0, v == orig, "restored @0x%x",
			   pos);
	}
}

/* ---- BAR0 access (edu registers) ---- */

static void p_bar0_rw(struct vt_dev *d, long arg, struct vt_res *r)
{
	static const int widths[] = { 1, 2, 4, 8 };
	uint64_t v;
	unsigned int i;
	ssize_t n;

	(void)arg;
	/* A 64-bit read of the id also returns liveness: make it known. */
	vt_region_write(d, 0, EDU_LIVENESS, 4, 0x11111111);
	for (i = 0; i < 4; i++) {
		v = 0;
		n = vt_region_read(d, 0, EDU_ID, widths[i], &v);
		vt_res_add(r, n, n < 0 ? -n : 0, v, "read%d id", widths[i] * 8);
	}
	/* edu ignores non-32-bit writes below 0x80: still compare rets. */
	for (i = 0; i < 4; i++) {
		uint64_t x = 0x0f1e2d3c4b5a6978ULL + i;

		vt_region_write(d, 0, EDU_LIVENESS, 4, 0);
		n = vt_region_write(d, 0, widths[i] == 8 ? EDU_ID : EDU_LIVENESS,
				    widths[i], x);
		vt_res_add(r, n, n < 0 ? -n : 0, 0, "write%d liveness",
			   widths[i] * 8);
		v = 0;
		n = vt_region_read(d, 0, EDU_LIVENESS, 4, &v);
		vt_res_add(r, n, n < 0 ? -n : 0, v, "read32 after write%d",
			   widths[i] * 8);
		v = 0;
		n = vt_region_read(d, 0, EDU_LIVENESS, widths[i], &v);
		vt_res_add(r, n, n < 0 ? -n : 0, v, "read%d liveness",
			   widths[i] * 8);
	}
}

/*
 * Every dword of BAR0 through pread (nvme: registers, doorbells and the
 * MSI-X table and PBA, which the driver must not expose as is).
 */
static void p_bar0_sweep(struct vt_dev *d, long arg, struct vt_res *r)
{
	uint64_t off = 0, size = 0, pos, v;
	ssize_t n;

	(void)arg;
	vt_region_offset(d->fd, VFIO_PCI_BAR0_REGION_INDEX, &off, &size);
	vt_res_add(r, 0, 0, size, "bar0 size");
	/*
	 * The guest's nvme driver owned the device at boot and left its
	 * admin queue addresses (ASQ 0x28, ACQ 0x30) behind; a function reset
	 * keeps them.  Clear them (the controller is disabled) to compare.
	 */
	for (pos = 0x28; pos < 0x38; pos += 4)
		vt_write(d->fd, off + pos, 4, 0);
	for (pos = 0; pos < size && pos < 0x10000; pos += 4) {
		v = 0;
		n = vt_read(d->fd, off + pos, 4, &v);
		vt_res_add(r, n, n < 0 ? -n : 0, v, "bar0 read32 @0x%llx",
			   (unsigned long long)pos);
	}
}

/* What a function reset leaves behind in config space. */
static void p_reset_state(struct vt_dev *d, long arg, struct vt_res *r)
{
	static const uint32_t regs[] = { 0x00, 0x04, 0x10, 0x14, 0x3c };
	uint64_t cmd = 0, v;
	unsigned int i;
	long ret;

	(void)arg;
	vt_cfg_read(d, CFG_COMMAND, 2, &cmd);
	vt_cfg_write(d, CFG_COMMAND, 2, cmd | CFG_CMD_MASTER);
	ret = ioctl(d->fd, VFIO_DEVICE_RESET);
	VT_OBS(r, ret, 0, "VFIO_DEVICE_RESET");
	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		v = 0;
		ret = vt_cfg_read(d, regs[i], 4, &v);
		vt_res_add(r, ret, ret < 0 ? -ret : 0,
			   v & phys_mask(d, regs[i], 4), "cfg 0x%x after reset",
			   regs[i]);
	}
	v = 0;
	ret = vt_region_read(d, 0, 0x1c, 4, &v);	/* nvme CSTS */
	vt_res_add(r, ret, ret < 0 ? -ret : 0, v, "bar0 0x1c after reset");
	vt_cfg_write(d, CFG_COMMAND, 2, cmd);
}

/* Reads and writes at and past the end of BAR0, ROM, config, bad index. */
static void p_region_bounds(struct vt_dev *d, long arg, struct vt_res *r)
{
	uint64_t size = 0, off = 0, v, base;
	static const int64_t rel[] = { -8, -4, -2, -1, 0, 4, 4096 };
	unsigned int i;
	uint32_t idx;
	ssize_t n;

	(void)arg;
	vt_region_offset(d->fd, VFIO_PCI_BAR0_REGION_INDEX, &off, &size);
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		char buf[8] = { 0 };

		n = pread(d->fd, buf, 4, off + size + rel[i]);
		memcpy(&v, buf, sizeof(v));
		/* edu returns all ones above its registers: fine to compare */
		VT_OBS(r, n, n == 4 ? v : 0, "bar0 pread4 end%+lld",
		       (long long)rel[i]);
		if (rel[i] >= 0) {
			n = pwrite(d->fd, buf, 4, off + size + rel[i]);
			VT_OBS(r, n, 0, "bar0 pwrite4 end%+lld",
			       (long long)rel[i]);
		}
	}
	/* Every region index, including absent BARs, ROM, VGA and beyond. */
	for (idx = 0; idx <= d->info.num_regions + 1; idx++) {
		char buf[4] = { 0 };

		base = (uint64_t)idx << 40;
		if (!vt_region_offset(d->fd, idx, &off, &size))
			base = off;
		n = pread(d->fd, buf, 4, base);
		VT_OBS(r, n, 0, "region %u pread4 @0", idx);
		if (idx != VFIO_PCI_BAR0_REGION_INDEX &&
		    idx != VFIO_PCI_CONFIG_REGION_INDEX) {
			n = pwrite(d->fd, buf, 4, base);
			VT_OBS(r, n, 0, "region %u pwrite4 @0", idx);
		}
	}
	n = pread(d->fd, &v, 0, d->cfg_off);
	VT_OBS(r, n, 0, "config pread0");
	n = pread(d->fd, &v, 8, ~0ULL >> 1);
	VT_OBS(r, n, 0, "pread at huge offset");
}

/* mmap rules: which regions and ranges may be mapped. */
static void p_mmap_rules(struct vt_dev *d, long arg, struct vt_res *r)
{
	uint64_t off = 0, size = 0;
	uint32_t idx;
	void *p;

	(void)arg;
	for (idx = 0; idx < d->info.num_regions; idx++) {
		if (vt_region_offset(d->fd, idx, &off, &size))
			continue;
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
			 d->fd, off);
		vt_res_add(r, p == MAP_FAILED ? -1 : 0,
			   p == MAP_FAILED ? errno : 0, 0, "mmap region %u", idx);
		if (p != MAP_FAILED)
			munmap(p, 4096);
	}
	vt_region_offset(d->fd, VFIO_PCI_BAR0_REGION_INDEX, &off, &size);
	p = mmap(NULL, size + 4096, PROT_READ, MAP_SHARED, d->fd, off);
	vt_res_add(r, p == MAP_FAILED ? -1 : 0, p == MAP_FAILED ? errno : 0, 0,
		   "mmap bar0 past end");
	if (p != MAP_FAILED)
		munmap(p, size + 4096);
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, d->fd, off);
	vt_res_add(r, p == MAP_FAILED ? -1 : 0, p == MAP_FAILED ? errno : 0, 0,
		   "mmap bar0 private");
	if (p != MAP_FAILED)
		munmap(p, 4096);
}

/*
 * BAR0 through mmap and pread while COMMAND.MEMORY is cleared through the
 * config region: SIGBUS and EIO, then everything works again.
 */
static void p_mem_disable(struct vt_dev *d, long arg, struct vt_res *r)
{
	volatile uint8_t *bar;
	uint64_t cmd = 0, v;
	size_t len;
	ssize_t n;
	int ret;

	(void)arg;
	bar = vt_mmap_region(d, VFIO_PCI_BAR0_REGION_INDEX, 4096, &len);
	vt_res_add(r, bar ? 0 : -1, bar ? 0 : errno, 0, "mmap bar0");
	if (!bar)
		return;
	v = 0;
	ret = vt_mmio_read(bar + EDU_ID, 4, &v);
	vt_res_add(r, ret, -ret, v, "mmio id enabled");

	n = vt_cfg_read(d, CFG_COMMAND, 2, &cmd);
	vt_res_add(r, n, n < 0 ? -n : 0, cmd & CFG_CMD_MEMORY, "command");
	n = vt_cfg_write(d, CFG_COMMAND, 2, cmd & ~CFG_CMD_MEMORY);
	vt_res_add(r, n, n < 0 ? -n : 0, 0, "clear memory enable");

	v = 0;
	ret = vt_mmio_read(bar + EDU_ID, 4, &v);
	vt_res_add(r, ret, -ret, ret ? 0 : v, "mmio read disabled");
	ret = vt_mmio_write(bar + EDU_LIVENESS, 4, 1);
	vt_res_add(r, ret, -ret, 0, "mmio write disabled");
	v = 0;
	n = vt_region_read(d, 0, EDU_ID, 4, &v);
	vt_res_add(r, n, n < 0 ? -n : 0, n == 4 ? v : 0, "pread disabled");
	n = vt_region_write(d, 0, EDU_LIVENESS, 4, 1);
	vt_res_add(r, n, n < 0 ? -n : 0, 0, "pwrite disabled");

	n = vt_cfg_write(d, CFG_COMMAND, 2, cmd | CFG_CMD_MEMORY);
	vt_res_add(r, n, n < 0 ? -n : 0, 0, "set memory enable");
	v = 0;
	ret = vt_mmio_read(bar + EDU_ID, 4, &v);
	vt_res_add(r, ret, -ret, v, "mmio id re-enabled");
	v = 0;
	n = vt_region_read(d, 0, EDU_ID, 4, &v);
	vt_res_add(r, n, n < 0 ? -n : 0, v, "pread id re-enabled");
	vt_cfg_write(d, CFG_COMMAND, 2, cmd);
	munmap((void *)bar, len);
}

/* ---- reset ---- */

static void p_reset(struct vt_dev *d, long arg, struct vt_res *r)
{
	uint64_t v = 0;
	long ret;

	(void)arg;
	ret = ioctl(d->fd, VFIO_DEVICE_RESET);
	VT_OBS(r, ret, 0, "VFIO_DEVICE_RESET");
	ret = vt_cfg_read(d, 0, 4, &v);
	vt_res_add(r, ret, ret < 0 ? -ret : 0, v, "vendor/device after reset");
}

/*
 * Opened as a cdev, the info names devids, not groups (6.12 uAPI): the
 * caller's own entry carries the devid its bind returned; each other one
 * a devid of the same iommufd, OWNED (0) or NOT_OWNED (-1).  Ids differ
 * between twins, so what is recorded is which of those each entry is.
 */
static void hot_reset_devids(struct vt_dev *d,
			     struct vfio_pci_hot_reset_info *h,
			     struct vt_res *r)
{
	unsigned int seg, bus, slot, fn, i;

	if (sscanf(d->bdf, "%x:%x:%x.%x", &seg, &bus, &slot, &fn) != 4)
		return;
	for (i = 0; i < h->count && i < 20; i++) {
		struct vfio_pci_dependent_device *e = &h->devices[i];
		/* group_id shares a union with 6.12's devid */
		uint32_t devid = e->group_id;
		bool self = e->segment == seg && e->bus == bus &&
			    e->devfn == (slot << 3 | fn);
		long kind;

		/* 1 self, 2 another devid, 0 OWNED, -1 NOT_OWNED, -2 bad */
		if (self)
			kind = devid == d->devid ? 1 : -2;
		else if (devid == (uint32_t)VFIO_PCI_DEVID_NOT_OWNED)
			kind = -1;
		else
			kind = devid == VFIO_PCI_DEVID_OWNED ? 0 : 2;
		vt_res_add(r, 0, 0, kind, "devices[%u] devid kind", i);
	}
}

static void p_hot_reset_info(struct vt_dev *d, long arg, struct vt_res *r)
{
	static const uint32_t sizes[] = { 0, 8, 11, 12, 12 + 16, 12 + 160 };
	char buf[256];
	struct vfio_pci_hot_reset_info *h = (void *)buf;
	unsigned int i;
	long ret;
	int err;

	(void)arg;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(buf, 0, sizeof(buf));
		h->argsz = sizes[i];
		ret = ioctl_obs(d->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, h,
				&err);
		vt_res_add(r, ret, err, h->count, "argsz=%u count", sizes[i]);
		vt_res_add(r, ret, err, h->flags, "argsz=%u flags", sizes[i]);
	}
	if (d->cdev && ret == 0)
		hot_reset_devids(d, h, r);
	/*
	 * No group fds: refused on the group path; on a cdev the way to ask
	 * (6.12 uAPI), done when the iommufd owns every affected device.
	 */
	{
		struct vfio_pci_hot_reset hr = { .argsz = sizeof(hr) };

		ret = ioctl_obs(d->fd, VFIO_DEVICE_PCI_HOT_RESET, &hr, &err);
		vt_res_add(r, ret, err, 0, "PCI_HOT_RESET no groups");
		hr.argsz = 4;
		ret = ioctl_obs(d->fd, VFIO_DEVICE_PCI_HOT_RESET, &hr, &err);
		vt_res_add(r, ret, err, 0, "PCI_HOT_RESET argsz=4");
	}
}

/* ---- SET_IRQS argument checks ---- */

struct irqs_args {
	const char *what;
	uint32_t argsz_delta;	/* added to the header size; ARGSZ_SMALL */
	uint32_t flags;
	uint32_t index;
	uint32_t start;
	uint32_t count;
};

/* stands for the device's num_irqs */
#define IDX_NUM_IRQS 0xfffffffeu
/* argsz 8: below the header */
#define ARGSZ_SMALL 0xffffffffu
#define F_NONE_TRIG (VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER)
#define F_EFD_TRIG (VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER)
#define F_BOOL_TRIG (VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER)

static const struct irqs_args bad_irqs[] = {
	{ "argsz 8", ARGSZ_SMALL, F_NONE_TRIG, 0, 0, 0 },
	{ "two data types", 0,
	  VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_DATA_BOOL |
	  VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, 1 },
	{ "two actions", 0, VFIO_IRQ_SET_DATA_NONE |
	  VFIO_IRQ_SET_ACTION_MASK | VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, 1 },
	{ "no action", 0, VFIO_IRQ_SET_DATA_NONE, 0, 0, 1 },
	{ "no data type", 0, VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, 1 },
	{ "unknown flag", 0, F_NONE_TRIG | (1u << 31), 0, 0, 1 },
	{ "index num_irqs", 0, F_NONE_TRIG, IDX_NUM_IRQS, 0, 0 },
	{ "index huge", 0, F_NONE_TRIG, 0xffffffff, 0, 0 },
	{ "start+count overflow", 0, F_NONE_TRIG, 0, 0xffffffff, 2 },
	{ "count overflow", 0, F_NONE_TRIG, 0, 1, 0xffffffff },
	{ "intx count 2", 0, F_NONE_TRIG, 0, 0, 2 },
	{ "intx start 1", 0, F_NONE_TRIG, 0, 1, 1 },
	{ "msi count 2", 0, F_NONE_TRIG, 1, 0, 2 },
	{ "msix count 1 edu", 0, F_NONE_TRIG, 2, 0, 1 },
	{ "err count 1", 0, F_NONE_TRIG, 3, 0, 1 },
	{ "req count 2", 0, F_NONE_TRIG, 4, 0, 2 },
	{ "bool no data", 0, F_BOOL_TRIG, 0, 0, 1 },
	{ "eventfd no data", 0, F_EFD_TRIG, 0, 0, 1 },
	{ "eventfd short data", 2, F_EFD_TRIG, 0, 0, 1 },
	{ "eventfd bad fd", 4, F_EFD_TRIG, 1, 0, 1 },
	{ "intx unmask none", 0, VFIO_IRQ_SET_DATA_NONE |
	  VFIO_IRQ_SET_ACTION_UNMASK, 0, 0, 1 },
	{ "intx mask none", 0, VFIO_IRQ_SET_DATA_NONE |
	  VFIO_IRQ_SET_ACTION_MASK, 0, 0, 1 },
	{ "msi mask", 0, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK,
	  1, 0, 1 },
	{ "intx disable", 0, F_NONE_TRIG, 0, 0, 0 },
	{ "msi disable", 0, F_NONE_TRIG, 1, 0, 0 },
	{ "msix disable", 0, F_NONE_TRIG, 2, 0, 0 },
	{ "err disable", 0, F_NONE_TRIG, 3, 0, 0 },
	{ "req disable", 0, F_NONE_TRIG, 4, 0, 0 },
	{ "req count 1 none", 0, F_NONE_TRIG, 4, 0, 1 },
};

static void p_set_irqs_bad(struct vt_dev *d, long arg, struct vt_res *r)
{
	unsigned int i;

	(void)arg;
	for (i = 0; i < sizeof(bad_irqs) / sizeof(bad_irqs[0]); i++) {
		const struct irqs_args *a = &bad_irqs[i];
		char buf[sizeof(struct vfio_irq_set) + 16];
		struct vfio_irq_set *s = (void *)buf;
		int32_t bad_fd = 0x7ffffff0;
		long ret;
		int err;

		memset(buf, 0, sizeof(buf));
		s->argsz = a->argsz_delta == ARGSZ_SMALL ? 8 :
			   sizeof(*s) + a->argsz_delta;
		s->flags = a->flags;
		s->index = a->index == IDX_NUM_IRQS ? d->info.num_irqs : a->index;
		s->start = a->start;
		s->count = a->count;
		memcpy(s->data, &bad_fd, sizeof(bad_fd));
		ret = ioctl_obs(d->fd, VFIO_DEVICE_SET_IRQS, s, &err);
		vt_res_add(r, ret, err, 0, "%s", a->what);
	}
}

/* ---- interrupts delivered: INTx and MSI on edu ---- */

static void edu_raise(struct vt_dev *d, uint32_t bits)
{
	vt_region_write(d, 0, EDU_IRQ_RAISE, 4, bits);
}

static void edu_ack(struct vt_dev *d)
{
	uint64_t st = 0;

	vt_region_read(d, 0, EDU_IRQ_STATUS, 4, &st);
	vt_region_write(d, 0, EDU_IRQ_ACK, 4, st);
}

static void p_intx(struct vt_dev *d, long arg, struct vt_res *r)
{
	struct vfio_irq_set unmask = {
		.argsz = sizeof(unmask),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
		.index = VFIO_PCI_INTX_IRQ_INDEX, .count = 1,
	};
	int efd = vt_eventfd(), ret, round;
	int64_t got;

	(void)arg;
	ret = vt_irq_set_eventfds(d->fd, VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &efd);
	vt_res_add(r, ret, -ret, 0, "enable intx");
	for (round = 0; round < 2 && !ret; round++) {
		edu_raise(d, 1u << round);
		got = vt_eventfd_wait(efd, 2000);
		vt_res_add(r, 0, got < 0 ? -got : 0, got > 0,
			   "intx signalled round %d", round);
		edu_ack(d);
		/* the line is down now: a second wait must stay quiet */
		got = vt_eventfd_wait(efd, 50);
		vt_res_add(r, 0, got < 0 ? -got : 0, got > 0,
			   "intx quiet after ack round %d", round);
		ret = ioctl(d->fd, VFIO_DEVICE_SET_IRQS, &unmask);
		VT_OBS(r, ret, 0, "intx unmask round %d", round);
	}
	ret = vt_irq_disable(d->fd, VFIO_PCI_INTX_IRQ_INDEX);
	vt_res_add(r, ret, -ret, 0, "disable intx");
	close(efd);
}

static long intx_action(struct vt_dev *d, uint32_t action)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | action,
		.index = VFIO_PCI_INTX_IRQ_INDEX, .count = 1,
	};

	return ioctl(d->fd, VFIO_DEVICE_SET_IRQS, &set);
}

/* A masked INTx stays quiet; unmasking a still-asserted line signals. */
static void p_intx_mask(struct vt_dev *d, long arg, struct vt_res *r)
{
	int efd = vt_eventfd(), ret;
	int64_t got;

	(void)arg;
	ret = vt_irq_set_eventfds(d->fd, VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &efd);
	vt_res_add(r, ret, -ret, 0, "enable intx");
	if (ret)
		goto out;
	ret = intx_action(d, VFIO_IRQ_SET_ACTION_MASK);
	VT_OBS(r, ret, 0, "mask");
	edu_raise(d, 0x10);
	got = vt_eventfd_wait(efd, 200);
	vt_res_add(r, 0, got < 0 ? -got : 0, got > 0, "quiet while masked");
	ret = intx_action(d, VFIO_IRQ_SET_ACTION_UNMASK);
	VT_OBS(r, ret, 0, "unmask");
	got = vt_eventfd_wait(efd, 2000);
	vt_res_add(r, 0, got < 0 ? -got : 0, got > 0, "signalled on unmask");
	edu_ack(d);
	ret = intx_action(d, VFIO_IRQ_SET_ACTION_UNMASK);
	VT_OBS(r, ret, 0, "unmask after ack");
	got = vt_eventfd_wait(efd, 50);
	vt_res_add(r, 0, got < 0 ? -got : 0, got > 0, "quiet after ack");
	/* DATA_BOOL trigger fires the eventfd from software */
	{
		char buf[sizeof(struct vfio_irq_set) + 1];
		struct vfio_irq_set *s = (void *)buf;

		memset(buf, 0, sizeof(buf));
		s->argsz = sizeof(buf);
		s->flags = VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER;
		s->index = VFIO_PCI_INTX_IRQ_INDEX;
		s->count = 1;
		s->data[0] = 1;
		ret = ioctl(d->fd, VFIO_DEVICE_SET_IRQS, s);
		VT_OBS(r, ret, 0, "bool trigger");
		got = vt_eventfd_wait(efd, 500);
		vt_res_add(r, 0, got < 0 ? -got : 0, got > 0,
			   "signalled by bool trigger");
		intx_action(d, VFIO_IRQ_SET_ACTION_UNMASK);
	}
out:
	ret = vt_irq_disable(d->fd, VFIO_PCI_INTX_IRQ_INDEX);
	vt_res_add(r, ret, -ret, 0, "disable intx");
	close(efd);
}

/*
 * edu's DMA engine through the IOMMU: RAM -> edu buffer -> RAM.  Only
 * in-window values are ever programmed: anything else aborts QEMU.
 */
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_DMA_BUF	0x40000
#define EDU_DMA_LEN	0x100
#define DMA_IOVA	0x100000

static int edu_dma(struct vt_dev *d, uint64_t src, uint64_t dst, bool to_ram)
{
	uint64_t cmd = 1;
	int tries;

	vt_region_write(d, 0, EDU_DMA_SRC, 4, src);
	vt_region_write(d, 0, EDU_DMA_DST, 4, dst);
	vt_region_write(d, 0, EDU_DMA_CNT, 4, EDU_DMA_LEN);
	vt_region_write(d, 0, EDU_DMA_CMD, 4, to_ram ? 3 : 1);
	for (tries = 0; tries < 100 && (cmd & 1); tries++) {
		sleep_ms(10);
		vt_region_read(d, 0, EDU_DMA_CMD, 4, &cmd);
	}
	return (cmd & 1) ? -ETIMEDOUT : 0;
}

static void p_edu_dma(struct vt_dev *d, long arg, struct vt_res *r)
{
	uint64_t cmd = 0;
	uint8_t *buf;
	int ret, i;

	(void)arg;
	ret = vt_dma_map(d, DMA_IOVA, 0x2000, (void **)&buf);
	vt_res_add(r, ret, -ret, 0, "dma map");
	if (ret)
		return;
	for (i = 0; i < EDU_DMA_LEN; i++)
		buf[i] = i * 7 + 3;
	vt_cfg_read(d, CFG_COMMAND, 2, &cmd);
	vt_cfg_write(d, CFG_COMMAND, 2, cmd | CFG_CMD_MASTER);

	ret = edu_dma(d, DMA_IOVA, EDU_DMA_BUF, false);
	vt_res_add(r, ret, -ret, 0, "dma ram to device");
	ret = edu_dma(d, EDU_DMA_BUF, DMA_IOVA + 0x1000, true);
	vt_res_add(r, ret, -ret, 0, "dma device to ram");
	vt_res_add(r, 0, 0, !memcmp(buf, buf + 0x1000, EDU_DMA_LEN),
		   "data came back");

	vt_cfg_write(d, CFG_COMMAND, 2, cmd);
	ret = vt_dma_unmap(d, DMA_IOVA, 0x2000);
	vt_res_add(r, ret, -ret, 0, "dma unmap");
	munmap(buf, 0x2000);
}

static void p_msi(struct vt_dev *d, long arg, struct vt_res *r)
{
	uint32_t cap = find_cap(d, 0x05);
	uint64_t cmd = 0, flags = 0;
	int efd = vt_eventfd(), ret;
	int64_t got;

	(void)arg;
	vt_res_add(r, 0, 0, cap != 0, "msi capability present");
	vt_cfg_read(d, CFG_COMMAND, 2, &cmd);
	vt_cfg_write(d, CFG_COMMAND, 2, cmd | CFG_CMD_MASTER);
	ret = vt_irq_set_eventfds(d->fd, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, &efd);
	vt_res_add(r, ret, -ret, 0, "enable msi");
	if (cap) {
		vt_cfg_read(d, cap + 2, 2, &flags);
		vt_res_add(r, 0, 0, flags & 0x71, "msi flags (enable, qsize)");
	}
	if (!ret) {
		edu_raise(d, 0x4);
		got = vt_eventfd_wait(efd, 2000);
		vt_res_add(r, 0, got < 0 ? -got : 0, got > 0, "msi signalled");
		edu_ack(d);
	}
	/* a second enable with a new count while enabled */
	ret = vt_irq_set_eventfds(d->fd, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, &efd);
	vt_res_add(r, ret, -ret, 0, "re-enable msi same count");
	ret = vt_irq_set_eventfds(d->fd, VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &efd);
	vt_res_add(r, ret, -ret, 0, "intx while msi enabled");
	ret = vt_irq_disable(d->fd, VFIO_PCI_MSI_IRQ_INDEX);
	vt_res_add(r, ret, -ret, 0, "disable msi");
	if (cap) {
		vt_cfg_read(d, cap + 2, 2, &flags);
		vt_res_add(r, 0, 0, flags & 0x71, "msi flags after disable");
	}
	vt_cfg_write(d, CFG_COMMAND, 2, cmd);
	close(efd);
}

/* MSI-X: enable every vector with eventfds, then disable (nvme). */
static void p_msix(struct vt_dev *d, long arg, struct vt_res *r)
{
	struct vfio_irq_info ii;
	int efds[64], ret;
	uint32_t i, n;

	(void)arg;
	ret = vt_irq_info(d->fd, VFIO_PCI_MSIX_IRQ_INDEX, &ii);
	vt_res_add(r, ret, -ret, ii.count, "msix count");
	n = ii.count < 64 ? ii.count : 64;
	if (ret || !n)
		return;
	for (i = 0; i < n; i++)
		efds[i] = vt_eventfd();
	ret = vt_irq_set_eventfds(d->fd, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, efds);
	vt_res_add(r, ret, -ret, 0, "enable msix 1 vector");
	ret = vt_irq_set_eventfds(d->fd, VFIO_PCI_MSIX_IRQ_INDEX, 0, n, efds);
	vt_res_add(r, ret, -ret, 0, "grow msix to %u vectors", n);
	ret = vt_irq_set_eventfds(d->fd, VFIO_PCI_MSIX_IRQ_INDEX, n - 1, 2,
				  efds);
	vt_res_add(r, ret, -ret, 0, "msix past last vector");
	ret = vt_irq_set_eventfds(d->fd, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, efds);
	vt_res_add(r, ret, -ret, 0, "msi while msix enabled");
	ret = vt_irq_disable(d->fd, VFIO_PCI_MSIX_IRQ_INDEX);
	vt_res_add(r, ret, -ret, 0, "disable msix");
	for (i = 0; i < n; i++)
		close(efds[i]);
}

/* ---- VFIO_DEVICE_IOEVENTFD ---- */

struct ioev_case {
	const char *what;
	uint32_t argsz;		/* 0: full size */
	uint32_t flags;
	int region;		/* -1: raw offset below */
	uint64_t pos;
	int fd;			/* -2: a fresh eventfd, -3: a bad fd */
};

static const struct ioev_case ioev_bad[] = {
	{ "argsz 8", 8, VFIO_DEVICE_IOEVENTFD_32, 0, EDU_LIVENESS, -2 },
	{ "no size", 0, 0, 0, EDU_LIVENESS, -2 },
	{ "two sizes", 0, VFIO_DEVICE_IOEVENTFD_32 | VFIO_DEVICE_IOEVENTFD_16,
	  0, EDU_LIVENESS, -2 },
	{ "unknown flag", 0, VFIO_DEVICE_IOEVENTFD_32 | 0x100, 0,
	  EDU_LIVENESS, -2 },
	{ "config region", 0, VFIO_DEVICE_IOEVENTFD_32,
	  VFIO_PCI_CONFIG_REGION_INDEX, 4, -2 },
	{ "rom region", 0, VFIO_DEVICE_IOEVENTFD_32,
	  VFIO_PCI_ROM_REGION_INDEX, 0, -2 },
	{ "absent bar1", 0, VFIO_DEVICE_IOEVENTFD_32, 1, 0, -2 },
	{ "past bar0 end", 0, VFIO_DEVICE_IOEVENTFD_32, 0, 1 << 20, -2 },
	{ "straddles bar0 end", 0, VFIO_DEVICE_IOEVENTFD_32, 0,
	  (1 << 20) - 2, -2 },
	{ "index 255", 0, VFIO_DEVICE_IOEVENTFD_32, -1, 0xffULL << 40, -2 },
	/* offsets with bit 63 set: docs/differences.md D1, see xdiff_d1() */
	{ "bad fd", 0, VFIO_DEVICE_IOEVENTFD_32, 0, EDU_LIVENESS, -3 },
	{ "delete absent", 0, VFIO_DEVICE_IOEVENTFD_32, 0, EDU_LIVENESS, -1 },
	{ "fd -5", 0, VFIO_DEVICE_IOEVENTFD_32, 0, EDU_LIVENESS, -5 },
};

static long ioeventfd(struct vt_dev *d, uint32_t argsz, uint32_t flags,
		      uint64_t offset, uint64_t data, int fd, int *err)
{
	struct vfio_device_ioeventfd io = {
		.argsz = argsz ? argsz : sizeof(io), .flags = flags,
		.offset = offset, .data = data, .fd = fd,
	};

	return ioctl_obs(d->fd, VFIO_DEVICE_IOEVENTFD, &io, err);
}

static void p_ioeventfd_bad(struct vt_dev *d, long arg, struct vt_res *r)
{
	unsigned int i;

	(void)arg;
	for (i = 0; i < sizeof(ioev_bad) / sizeof(ioev_bad[0]); i++) {
		const struct ioev_case *c = &ioev_bad[i];
		uint64_t off = c->pos, size;
		int efd = vt_eventfd(), fd, err;
		long ret;

		if (c->region >= 0) {
			if (vt_region_offset(d->fd, c->region, &off, &size))
				off = (uint64_t)c->region << 40;
			off += c->pos;
		}
		fd = c->fd == -2 ? efd : c->fd == -3 ? 0x7ffffff0 : c->fd;
		ret = ioeventfd(d, c->argsz, c->flags, off, 0, fd, &err);
		vt_res_add(r, ret, err, 0, "%s", c->what);
		if (!ret) /* should not happen: do not leave it behind */
			ioeventfd(d, c->argsz, c->flags, off, 0, -1, &err);
		close(efd);
	}
}

/* A working ioeventfd: signalling it writes the liveness register. */
static void p_ioeventfd_live(struct vt_dev *d, long arg, struct vt_res *r)
{
	const uint32_t x = 0x600dcafe;
	uint64_t off = 0, v = 0;
	int efd = vt_eventfd(), err, tries;
	uint64_t one = 1;
	long ret;

	(void)arg;
	vt_region_offset(d->fd, VFIO_PCI_BAR0_REGION_INDEX, &off, NULL);
	vt_region_write(d, 0, EDU_LIVENESS, 4, 0);
	ret = ioeventfd(d, 0, VFIO_DEVICE_IOEVENTFD_32, off + EDU_LIVENESS, x,
			efd, &err);
	vt_res_add(r, ret, err, 0, "register");
	ret = ioeventfd(d, 0, VFIO_DEVICE_IOEVENTFD_32, off + EDU_LIVENESS, x,
			efd, &err);
	vt_res_add(r, ret, err, 0, "register duplicate");
	ret = ioeventfd(d, 0, VFIO_DEVICE_IOEVENTFD_32, off + EDU_LIVENESS,
			x + 1, efd, &err);
	vt_res_add(r, ret, err, 0, "register other data");
	if (write(efd, &one, sizeof(one)) != sizeof(one))
		vt_res_add(r, -1, errno, 0, "signal");
	for (tries = 0; tries < 50; tries++) {
		vt_region_read(d, 0, EDU_LIVENESS, 4, &v);
		if (v == (uint32_t)~x || v == (uint32_t)~(x + 1))
			break;
		sleep_ms(10);
	}
	/* Both were signalled: the last write wins; accept either one. */
	vt_res_add(r, 0, 0, v == (uint32_t)~x || v == (uint32_t)~(x + 1),
		   "device written");
	ret = ioeventfd(d, 0, VFIO_DEVICE_IOEVENTFD_32, off + EDU_LIVENESS, x,
			-1, &err);
	vt_res_add(r, ret, err, 0, "delete");
	ret = ioeventfd(d, 0, VFIO_DEVICE_IOEVENTFD_32, off + EDU_LIVENESS, x,
			-1, &err);
	vt_res_add(r, ret, err, 0, "delete again");
	ret = ioeventfd(d, 0, VFIO_DEVICE_IOEVENTFD_32, off + EDU_LIVENESS,
			x + 1, -1, &err);
	vt_res_add(r, ret, err, 0, "delete other");
	close(efd);
}

/* ---- VFIO_DEVICE_FEATURE ---- */

struct feat_case {
	const char *what;
	uint32_t argsz;		/* 0: header only */
	uint32_t flags;
};

static const struct feat_case feats[] = {
	{ "argsz 4", 4, VFIO_DEVICE_FEATURE_PROBE | 0xffff },
	{ "probe unknown get", 0, VFIO_DEVICE_FEATURE_PROBE |
	  VFIO_DEVICE_FEATURE_GET | 0xffff },
	{ "probe unknown set", 0, VFIO_DEVICE_FEATURE_PROBE |
	  VFIO_DEVICE_FEATURE_SET | 0x7fff },
	{ "unknown flag bit", 0, VFIO_DEVICE_FEATURE_PROBE | (1u << 20) | 3 },
	{ "get and set", 0, VFIO_DEVICE_FEATURE_GET |
	  VFIO_DEVICE_FEATURE_SET | 0xffff },
	{ "probe migration", 0, VFIO_DEVICE_FEATURE_PROBE |
	  VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIGRATION },
	{ "probe mig state", 0, VFIO_DEVICE_FEATURE_PROBE |
	  VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE },
	{ "probe vf token", 0, VFIO_DEVICE_FEATURE_PROBE |
	  VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_PCI_VF_TOKEN },
	{ "probe low power entry", 0, VFIO_DEVICE_FEATURE_PROBE |
	  VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY },
	{ "probe low power entry get", 0, VFIO_DEVICE_FEATURE_PROBE |
	  VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY },
	{ "probe low power wakeup", 0, VFIO_DEVICE_FEATURE_PROBE |
	  VFIO_DEVICE_FEATURE_SET |
	  VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP },
	{ "probe low power exit", 0, VFIO_DEVICE_FEATURE_PROBE |
	  VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_LOW_POWER_EXIT },
	{ "probe dma logging", 0, VFIO_DEVICE_FEATURE_PROBE |
	  VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_DMA_LOGGING_START },
	{ "get unknown", 0, VFIO_DEVICE_FEATURE_GET | 0xfffe },
};

static void p_feature(struct vt_dev *d, long arg, struct vt_res *r)
{
	unsigned int i;

	(void)arg;
	for (i = 0; i < sizeof(feats) / sizeof(feats[0]); i++) {
		char buf[sizeof(struct vfio_device_feature) + 64] = { 0 };
		struct vfio_device_feature *f = (void *)buf;
		long ret;
		int err;

		f->argsz = feats[i].argsz ? feats[i].argsz : sizeof(*f);
		f->flags = feats[i].flags;
		ret = ioctl_obs(d->fd, VFIO_DEVICE_FEATURE, f, &err);
		vt_res_add(r, ret, err, 0, "%s", feats[i].what);
	}
}

/* Unknown ioctl numbers on the device fd. */
static void p_unknown_ioctl(struct vt_dev *d, long arg, struct vt_res *r)
{
	static const unsigned long nrs[] = { 0, 1, 18, 19, 20, 21, 40 };
	char buf[64] = { 0 };
	unsigned int i;
	long ret;
	int err;

	(void)arg;
	for (i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
		ret = ioctl_obs(d->fd, _IO(VFIO_TYPE, VFIO_BASE + nrs[i]), buf,
				&err);
		vt_res_add(r, ret, err, 0, "ioctl VFIO_BASE+%lu", nrs[i]);
	}
}

/* ---- the case table ---- */

struct conf_case {
	const char *name;
	vt_probe_fn fn;
	long arg;
	unsigned int on;	/* ON_EDU / ON_NVME */
};

static const struct conf_case cases[] = {
	{ "device_info",	p_device_info,		0, ON_ALL },
	{ "region_info",	p_region_info,		0, ON_ALL },
	{ "region_info_argsz",	p_region_info_argsz,	0, ON_ALL },
	{ "irq_info",		p_irq_info,		0, ON_ALL },
	{ "cfg_read8",		p_cfg_read,		1, ON_ALL },
	{ "cfg_read16",		p_cfg_read,		2, ON_ALL },
	{ "cfg_read32",		p_cfg_read,		4, ON_ALL },
	{ "cfg_read64",		p_cfg_read,		8, ON_ALL },
	{ "cfg_bar_sizing",	p_cfg_bar_sizing,	0, ON_ALL },
	{ "cfg_write8",		p_cfg_write,	CFG_SWEEP(1, 0),	ON_EDU },
	{ "cfg_write16",	p_cfg_write,	CFG_SWEEP(2, 0),	ON_EDU },
	{ "cfg_write32",	p_cfg_write,	CFG_SWEEP(4, 0),	ON_EDU },
	{ "cfg_write32_std",	p_cfg_write,	CFG_SWEEP(4, 0x100),	ON_NVME },
	{ "bar0_sweep",		p_bar0_sweep,		0, ON_NVME },
	{ "reset_state",	p_reset_state,		0, ON_NVME },
	{ "bar0_rw",		p_bar0_rw,		0, ON_EDU },
	{ "region_bounds",	p_region_bounds,	0, ON_EDU },
	{ "mmap_rules",		p_mmap_rules,		0, ON_ALL },
	{ "mem_disable",	p_mem_disable,		0, ON_EDU },
	{ "reset",		p_reset,		0, ON_ALL },
	{ "hot_reset_info",	p_hot_reset_info,	0, ON_ALL },
	{ "set_irqs_bad",	p_set_irqs_bad,		0, ON_ALL },
	{ "intx",		p_intx,			0, ON_EDU },
	{ "intx_mask",		p_intx_mask,		0, ON_EDU },
	{ "msi",		p_msi,			0, ON_EDU },
	{ "edu_dma",		p_edu_dma,		0, ON_EDU },
	{ "msix",		p_msix,			0, ON_NVME },
	{ "ioeventfd_bad",	p_ioeventfd_bad,	0, ON_EDU },
	{ "ioeventfd_live",	p_ioeventfd_live,	0, ON_EDU },
	{ "feature",		p_feature,		0, ON_ALL },
	{ "unknown_ioctl",	p_unknown_ioctl,	0, ON_ALL },
};

/*
 * ---- deliberate differences (docs/differences.md) ----
 * Checked on the device under test only, and only when it is not the
 * reference driver: the reference's behaviour there is the defect.
 */

/* D1: an IOEVENTFD offset with bit 63 set is a bad region index. */
static bool xdiff_d1(struct vt_dev *d, char *why, size_t len)
{
	int efd = vt_eventfd(), err;
	long ret;

	ret = ioeventfd(d, 0, VFIO_DEVICE_IOEVENTFD_32, ~0ULL, 0, efd, &err);
	if (!ret)
		ioeventfd(d, 0, VFIO_DEVICE_IOEVENTFD_32, ~0ULL, 0, -1, &err);
	close(efd);
	snprintf(why, len, "ret %ld errno %d, want EINVAL", ret, err);
	return ret == -1 && err == EINVAL;
}

struct xdiff_case {
	const char *id;		/* row of docs/differences.md */
	const char *name;
	bool (*fn)(struct vt_dev *d, char *why, size_t len);
	unsigned int on;
};

static const struct xdiff_case xdiffs[] = {
	{ "D1", "ioeventfd_negative_offset", xdiff_d1, ON_EDU },
};

static void run_xdiffs(const char *kind, unsigned int on, struct vt_dev *b)
{
	char name[128], why[256];
	unsigned int i;

	for (i = 0; i < sizeof(xdiffs) / sizeof(xdiffs[0]); i++) {
		if (!(xdiffs[i].on & on))
			continue;
		snprintf(name, sizeof(name), "%s/%s/%s_%s", tag, kind,
			 xdiffs[i].id, xdiffs[i].name);
		why[0] = '\0';
		tap_result(xdiffs[i].fn(b, why, sizeof(why)), name, "%s", why);
	}
}

/* Open a twin pair; reports bind/open failures as failing cases. */
static bool open_pair(const char *kind, const char *a_bdf, const char *b_bdf,
		      const char *ref, const char *test, struct vt_dev *a,
		      struct vt_dev *b)
{
	char name[128];
	int ret;

	snprintf(name, sizeof(name), "%s/%s/open_%s", tag, kind, ref);
	ret = vt_bind_open(a, a_bdf, ref);
	if (!tap_result(!ret, name, "%s: %s", a_bdf, strerror(-ret)))
		return false;
	snprintf(name, sizeof(name), "%s/%s/open_%s", tag, kind, test);
	ret = vt_bind_open(b, b_bdf, test);
	if (!tap_result(!ret, name, "%s: %s", b_bdf, strerror(-ret))) {
		vt_close(a);
		return false;
	}
	return true;
}

static void run_pair(const char *kind, unsigned int on, const char *a_bdf,
		     const char *b_bdf, const char *ref, const char *test)
{
	struct vt_dev a, b;
	char name[128];
	unsigned int i;

	if (!open_pair(kind, a_bdf, b_bdf, ref, test, &a, &b)) {
		/* every case of the pair counts as failed, never hidden */
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			if (!(cases[i].on & on))
				continue;
			snprintf(name, sizeof(name), "%s/%s/%s", tag, kind,
				 cases[i].name);
			tap_result(false, name, "device pair not opened");
		}
		return;
	}
	/* Label the two sides clearly even when both use one driver. */
	snprintf(a.driver, sizeof(a.driver), "%.16s(%.12s)", ref, a.bdf + 5);
	snprintf(b.driver, sizeof(b.driver), "%.16s(%.12s)", test, b.bdf + 5);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!(cases[i].on & on))
			continue;
		snprintf(name, sizeof(name), "%s/%s/%s", tag, kind,
			 cases[i].name);
		vt_diff(name, &a, &b, cases[i].fn, cases[i].arg);
	}
	if (strcmp(ref, test))
		run_xdiffs(kind, on, &b);
	vt_close(&a);
	vt_close(&b);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ref", required_argument, NULL, 'r' },
		{ "test", required_argument, NULL, 't' },
		{ "tag", required_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ref = "vfio-pci", *test = "vfpci";
	int c, nargs;

	while ((c = getopt_long(argc, argv, "r:t:g:", opts, NULL)) != -1) {
		if (c == 'g') {
			tag = optarg;
		} else if (c == 'r') {
			ref = optarg;
		} else if (c == 't') {
			test = optarg;
		} else {
			fprintf(stderr, "usage: %s [--ref DRV] [--test DRV] [--tag NAME] "
				"EDU_A EDU_B [NVME_A NVME_B]\n", argv[0]);
			return 2;
		}
	}
	nargs = argc - optind;
	if (nargs != 2 && nargs != 4) {
		fprintf(stderr, "usage: %s [--ref DRV] [--test DRV] [--tag NAME] "
			"EDU_A EDU_B [NVME_A NVME_B]\n", argv[0]);
		return 2;
	}
	tap_diag("conformance: reference %s, under test %s", ref, test);
	run_pair("edu", ON_EDU, argv[optind], argv[optind + 1], ref, test);
	if (nargs == 4)
		run_pair("nvme", ON_NVME, argv[optind + 2], argv[optind + 3],
			 ref, test);
	return tap_summary();
}
