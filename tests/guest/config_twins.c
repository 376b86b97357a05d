// SPDX-License-Identifier: GPL-2.0-only
/*
 * config_twins: bind twin devices (same vendor:device) to vfio-pci and to
 * vfpci and compare their config regions as the user sees them: reads at
 * every offset and width, whole-space reads, out-of-range errors, BAR
 * sizing, then a write of several patterns to every byte (each followed by
 * reads of the surrounding dword) and finally the whole space again.
 * Multi-byte reads of many lengths at odd offsets are compared as they
 * are, with the function in D3hot and with memory decode off, and a
 * config read must wake a device in the user's low power state the same
 * way on both (vfpci serves reads that need no device from its copy).
 *
 * Usage: config_twins VENDOR:DEVICE [BDF_VFIO BDF_VFPCI]
 * Physical BAR addresses and the interrupt line legitimately differ between
 * twins: they are normalized (written to 0 on both) before comparing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vfpci_test.h"

static struct vt_dev ref, dut;
static char name[128];
static char prefix[64] = "config_twins";

/* Test names carry the device id: the suite runs this on several kinds. */
static const char *nm(const char *leaf)
{
	snprintf(name, sizeof(name), "%s/%s", prefix, leaf);
	return name;
}

static bool is_bar_byte(unsigned int pos)
{
	return (pos >= 0x10 && pos < 0x28) || (pos >= 0x30 && pos < 0x34);
}

/* Device serial number (from the MAC on NICs): differs between twins. */
static unsigned int dsn_pos;

static bool is_serial_byte(unsigned int pos)
{
	return dsn_pos && pos >= dsn_pos + 4 && pos < dsn_pos + 12;
}

static unsigned int find_ecap(struct vt_dev *d, uint16_t id)
{
	unsigned int pos = 0x100, loops = (4096 - 256) / 4;
	uint64_t v;

	if (d->cfg_size <= 0x100)
		return 0;
	while (pos >= 0x100 && loops--) {
		if (vt_cfg_read(d, pos, 4, &v) != 4 || !v)
			return 0;
		if ((v & 0xffff) == id)
			return pos;
		pos = (v >> 20) & 0xffc;
	}
	return 0;
}

/* Do writes at @pos reach something we must not poke? */
static bool skip_write(unsigned int pos, unsigned int pm, unsigned int exp)
{
	/* The PM state field is exercised separately. */
	if (pm && pos == pm + 4)
		return true;
	/* DEVCTL high byte holds initiate-FLR: tested separately. */
	if (exp && pos == exp + 9)
		return true;
	return false;
}

struct obs {
	ssize_t n;
	int err;
	uint64_t v;
};

static struct obs cfg_rd(struct vt_dev *d, unsigned int pos, int w)
{
	struct obs o = { 0 };

	o.n = vt_cfg_read(d, pos, w, &o.v);
	o.err = o.n < 0 ? (int)-o.n : 0;
	return o;
}

static bool same(struct obs a, struct obs b)
{
	return a.n == b.n && a.err == b.err && (a.n < 0 || a.v == b.v);
}

static unsigned int find_cap(struct vt_dev *d, uint8_t id)
{
	uint64_t v;
	unsigned int pos, loops = 48;

	if (vt_cfg_read(d, 0x06, 2, &v) != 2 || !(v & 0x10))
		return 0;
	vt_cfg_read(d, 0x34, 1, &v);
	pos = v;
	while (pos && loops--) {
		vt_cfg_read(d, pos, 1, &v);
		if (v == id)
			return pos;
		vt_cfg_read(d, pos + 1, 1, &v);
		pos = v;
	}
	return 0;
}

static void normalize(struct vt_dev *d)
{
	unsigned int pos;

	for (pos = 0x10; pos < 0x28; pos += 4)
		vt_cfg_write(d, pos, 4, 0);
	vt_cfg_write(d, 0x30, 4, 0);
	vt_cfg_write(d, 0x3c, 1, 0);
}

/* Every offset, every width; @mask_bars hides real BAR addresses. */
static void compare_reads(const char *phase, bool mask_bars)
{
	static const int widths[] = { 1, 2, 4, 8 };
	unsigned int size = ref.cfg_size, pos;
	int i;

	for (i = 0; i < 4; i++) {
		int w = widths[i];
		bool ok = true;
		char why[160] = "";

		for (pos = 0; pos + w <= size + 4 && ok; pos++) {
			struct obs a = cfg_rd(&ref, pos, w);
			struct obs b = cfg_rd(&dut, pos, w);

			if (a.n > 0 && b.n > 0) {
				int k;

				for (k = 0; k < w; k++) {
					if (is_serial_byte(pos + k) ||
					    (mask_bars && (is_bar_byte(pos + k) ||
							   pos + k == 0x3c))) {
						uint64_t m = 0xffULL << (8 * k);

						a.v &= ~m;
						b.v &= ~m;
					}
				}
			}
			if (!same(a, b)) {
				ok = false;
				snprintf(why, sizeof(why),
					 "@%#x w%d: vfio-pci %zd/%d/%#llx vfpci %zd/%d/%#llx",
					 pos, w, a.n, a.err,
					 (unsigned long long)a.v, b.n, b.err,
					 (unsigned long long)b.v);
			}
		}
		snprintf(name, sizeof(name), "%s/%s/read_w%d", prefix,
			 phase, w);
		tap_result(ok, name, "%s", why);
	}
}

/* One pread of the whole space, and reads that run past its end. */
static void compare_bulk(void)
{
	unsigned int size = ref.cfg_size;
	uint8_t *a = calloc(1, size), *b = calloc(1, size);
	ssize_t na, nb;
	unsigned int i;
	bool ok;

	na = pread(ref.fd, a, size, ref.cfg_off);
	nb = pread(dut.fd, b, size, dut.cfg_off);
	ok = na == nb;
	for (i = 0; ok && na > 0 && i < size; i++)
		ok = a[i] == b[i] || is_serial_byte(i);
	snprintf(name, sizeof(name), "%s/bulk_read", prefix);
	tap_result(ok, name, "n %zd vs %zd, first diff @%#x", na, nb, i - 1);

	errno = 0;
	na = pread(ref.fd, a, 8, ref.cfg_off + size - 4);
	int ea = errno;

	errno = 0;
	nb = pread(dut.fd, b, 8, dut.cfg_off + size - 4);
	snprintf(name, sizeof(name), "%s/read_past_end", prefix);
	tap_result(na == nb && ea == errno, name, "%zd/%d vs %zd/%d", na, ea,
		   nb, errno);
	free(a);
	free(b);
}

/* One pread of @len at @pos on both twins; false and @why on a difference. */
static bool multi_same(unsigned int pos, size_t len, char *why, size_t wlen)
{
	static uint8_t a[8192], b[8192];
	ssize_t na, nb;
	int ea, eb;
	size_t k;

	errno = 0;
	na = pread(ref.fd, a, len, ref.cfg_off + pos);
	ea = na < 0 ? errno : 0;
	errno = 0;
	nb = pread(dut.fd, b, len, dut.cfg_off + pos);
	eb = nb < 0 ? errno : 0;
	if (na != nb || ea != eb) {
		snprintf(why, wlen, "@%#x len %zu: %zd/%d vs %zd/%d", pos, len,
			 na, ea, nb, eb);
		return false;
	}
	for (k = 0; na > 0 && k < (size_t)na; k++) {
		if (a[k] == b[k] || is_serial_byte(pos + k))
			continue;
		snprintf(why, wlen, "@%#x len %zu: byte %#zx %#x vs %#x", pos,
			 len, pos + k, a[k], b[k]);
		return false;
	}
	return true;
}

/*
 * Reads of several bytes at a time, aligned or not, short and long, some
 * running past the end: each must give what the in-kernel driver gives.
 * Short lengths start at every offset, long ones every @step bytes.
 */
static void compare_multi(const char *phase, unsigned int step)
{
	static const size_t lens[] = { 2, 3, 5, 6, 7, 8, 12, 16, 33, 64, 100,
				       255, 256, 1000, 4096 };
	unsigned int size = ref.cfg_size, pos, i;
	char why[200] = "";
	bool ok = true;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]) && ok; i++) {
		unsigned int st = lens[i] <= 16 ? 1 : step;

		for (pos = 0; pos <= size + 4 && ok; pos += st)
			ok = multi_same(pos, lens[i], why, sizeof(why));
		/* The largest reads that fit, at every alignment. */
		for (pos = 0; pos < 8 && lens[i] < size && ok; pos++)
			ok = multi_same(size - lens[i] - pos, lens[i], why,
					sizeof(why));
	}
	snprintf(name, sizeof(name), "%s/multi_read_%s", prefix, phase);
	tap_result(ok, name, "%s", why);
}

/* The same reads with the function in D3hot, then back in D0. */
static void compare_multi_d3(void)
{
	unsigned int pm = find_cap(&ref, 0x01);

	if (!pm) {
		tap_skip(nm("multi_read_d3hot"), "no PM capability");
		return;
	}
	vt_cfg_write(&ref, pm + 4, 2, 3);
	vt_cfg_write(&dut, pm + 4, 2, 3);
	compare_multi("d3hot", 29);
	vt_cfg_write(&ref, pm + 4, 2, 0);
	vt_cfg_write(&dut, pm + 4, 2, 0);
	compare_multi("d0_after_d3hot", 29);
}

/* ... and with memory decode off (which zaps BAR mappings), then on. */
static void compare_multi_decode(void)
{
	uint64_t ca = 0, cb = 0;

	vt_cfg_read(&ref, 0x04, 2, &ca);
	vt_cfg_read(&dut, 0x04, 2, &cb);
	vt_cfg_write(&ref, 0x04, 2, (ca | 2) & ~3ULL);
	vt_cfg_write(&dut, 0x04, 2, (cb | 2) & ~3ULL);
	compare_multi("decode_off", 29);
	vt_cfg_write(&ref, 0x04, 2, ca | 2);
	vt_cfg_write(&dut, 0x04, 2, cb | 2);
	compare_multi("decode_on", 29);
	vt_cfg_write(&ref, 0x04, 2, ca);
	vt_cfg_write(&dut, 0x04, 2, cb);
}

static int lp_feature(struct vt_dev *d, uint32_t feat, int efd)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_low_power_entry_with_wakeup w;
	} arg = { .f = { .flags = VFIO_DEVICE_FEATURE_SET | feat } };

	arg.f.argsz = sizeof(arg.f);
	if (efd >= 0) {
		arg.w.wakeup_eventfd = efd;
		arg.f.argsz += sizeof(arg.w);
	}
	return ioctl(d->fd, VFIO_DEVICE_FEATURE, &arg) ? -errno : 0;
}

/*
 * Enter low power with a wake eventfd, then read @len bytes at @pos: the
 * read must wake the device and fire the eventfd, as any access does.
 */
static void lp_probe(struct vt_dev *d, unsigned int pos, size_t len,
		     int64_t out[4])
{
	uint8_t buf[256];
	int efd = vt_eventfd();

	out[0] = lp_feature(d, VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP,
			    efd);
	usleep(200000);
	out[1] = pread(d->fd, buf, len, d->cfg_off + pos);
	out[2] = vt_eventfd_wait(efd, 1000) > 0;
	out[3] = lp_feature(d, VFIO_DEVICE_FEATURE_LOW_POWER_EXIT, -1);
	close(efd);
}

static void compare_low_power(void)
{
	static const struct { unsigned int pos; size_t len; } r[] = {
		{ 0x00, 4 },	/* ids: served from vfpci's copy when awake */
		{ 0x04, 4 },	/* COMMAND/STATUS: needs the device */
		{ 0x00, 256 },
	};
	int64_t a[4], b[4];
	unsigned int i;
	bool ok = true;
	char why[160] = "";

	for (i = 0; i < sizeof(r) / sizeof(r[0]) && ok; i++) {
		lp_probe(&ref, r[i].pos, r[i].len, a);
		lp_probe(&dut, r[i].pos, r[i].len, b);
		if (memcmp(a, b, sizeof(a))) {
			ok = false;
			snprintf(why, sizeof(why),
				 "@%#x len %zu: %lld/%lld/%lld/%lld vs %lld/%lld/%lld/%lld",
				 r[i].pos, r[i].len, (long long)a[0],
				 (long long)a[1], (long long)a[2],
				 (long long)a[3], (long long)b[0],
				 (long long)b[1], (long long)b[2],
				 (long long)b[3]);
		}
	}
	tap_diag("low power: entry %lld, read %lld, woken %lld, exit %lld",
		 (long long)b[0], (long long)b[1], (long long)b[2],
		 (long long)b[3]);
	tap_result(ok, nm("low_power_read_wakes"), "%s", why);
}

static void sizing(void)
{
	unsigned int pos;
	bool ok = true;
	char why[128] = "";

	for (pos = 0x10; pos <= 0x30; pos += 4) {
		struct obs a, b;

		if (pos == 0x28 || pos == 0x2c)
			continue;
		vt_cfg_write(&ref, pos, 4, 0xffffffff);
		vt_cfg_write(&dut, pos, 4, 0xffffffff);
		a = cfg_rd(&ref, pos, 4);
		b = cfg_rd(&dut, pos, 4);
		if (!same(a, b) && ok) {
			ok = false;
			snprintf(why, sizeof(why), "@%#x %#llx vs %#llx", pos,
				 (unsigned long long)a.v,
				 (unsigned long long)b.v);
		}
	}
	tap_result(ok, nm("bar_sizing"), "%s", why);
	normalize(&ref);
	normalize(&dut);
}

/* Does a @w byte write at @pos touch a byte we must not poke? */
static bool skip_range(unsigned int pos, int w, unsigned int pm,
		       unsigned int exp)
{
	int k;

	for (k = 0; k < w; k++)
		if (skip_write(pos + k, pm, exp))
			return true;
	return false;
}

/* Write patterns of width @w everywhere; compare the dword around each. */
static void compare_writes(unsigned int from, unsigned int to, int w)
{
	static const uint8_t pat[] = { 0xff, 0x00, 0xa5, 0x5a };
	unsigned int pm = find_cap(&ref, 0x01), exp = find_cap(&ref, 0x10);
	unsigned int pos, p, d;
	bool ok = true;
	char why[200] = "";

	for (pos = from; pos < to && ok; pos += w) {
		struct obs oa = cfg_rd(&ref, pos, w);
		struct obs ob = cfg_rd(&dut, pos, w);

		if (skip_range(pos, w, pm, exp))
			continue;
		for (p = 0; p < sizeof(pat) && ok; p++) {
			uint64_t v = pat[p] * 0x0101010101010101ULL;
			ssize_t wa = vt_cfg_write(&ref, pos, w, v);
			ssize_t wb = vt_cfg_write(&dut, pos, w, v);

			if (wa != wb) {
				ok = false;
				snprintf(why, sizeof(why),
					 "write w%d %#x=%#x: %zd vs %zd", w,
					 pos, pat[p], wa, wb);
			}
			for (d = pos & ~3u; d < ((pos + w + 3) & ~3u) && ok;
			     d++) {
				struct obs a = cfg_rd(&ref, d, 1);
				struct obs b = cfg_rd(&dut, d, 1);

				if (!same(a, b) && !is_serial_byte(d)) {
					ok = false;
					snprintf(why, sizeof(why),
						 "after w%d %#x=%#x: @%#x %#llx vs %#llx",
						 w, pos, pat[p], d,
						 (unsigned long long)a.v,
						 (unsigned long long)b.v);
				}
			}
		}
		vt_cfg_write(&ref, pos, w, oa.v);
		vt_cfg_write(&dut, pos, w, ob.v);
	}
	snprintf(name, sizeof(name), "%s/write_w%d_%03x_%03x", prefix, w,
		 from, to);
	tap_result(ok, name, "%s", why);
}

static void compare_pm(void)
{
	unsigned int pm = find_cap(&ref, 0x01);
	struct obs a, b;
	bool ok = true;
	int st;

	if (!pm) {
		tap_skip(nm("pm_states"), "no PM capability");
		return;
	}
	for (st = 3; st >= 0; st--) {
		vt_cfg_write(&ref, pm + 4, 2, st);
		vt_cfg_write(&dut, pm + 4, 2, st);
		a = cfg_rd(&ref, pm + 4, 4);
		b = cfg_rd(&dut, pm + 4, 4);
		ok = ok && same(a, b);
	}
	tap_result(ok, nm("pm_states"), "last %#llx vs %#llx",
		   (unsigned long long)a.v, (unsigned long long)b.v);
}

static void compare_flr(void)
{
	unsigned int exp = find_cap(&ref, 0x10);
	struct obs a, b;

	if (!exp) {
		tap_skip(nm("flr"), "no PCIe capability");
		return;
	}
	vt_cfg_write(&ref, exp + 8, 2, 0x8000);
	vt_cfg_write(&dut, exp + 8, 2, 0x8000);
	a = cfg_rd(&ref, exp + 8, 4);
	b = cfg_rd(&dut, exp + 8, 4);
	tap_result(same(a, b), nm("flr"), "devctl %#llx vs %#llx",
		   (unsigned long long)a.v, (unsigned long long)b.v);
}

/* edu only: INTx is held back while the virtual INTx disable bit is set. */
static void intx_probe(struct vt_dev *d, int64_t out[4])
{
	uint64_t cmd = 0, st = 0;
	int efd = vt_eventfd();

	vt_cfg_read(d, 0x04, 2, &cmd);
	out[0] = vt_irq_set_eventfds(d->fd, VFIO_PCI_INTX_IRQ_INDEX, 0, 1,
				     &efd);
	vt_cfg_write(d, 0x04, 2, cmd | 0x400);
	vt_region_write(d, VFIO_PCI_BAR0_REGION_INDEX, 0x60, 4, 1);
	out[1] = vt_eventfd_wait(efd, 300);
	vt_cfg_write(d, 0x04, 2, cmd & ~0x400);
	out[2] = vt_eventfd_wait(efd, 2000);
	vt_region_read(d, VFIO_PCI_BAR0_REGION_INDEX, 0x24, 4, &st);
	out[3] = st;
	vt_region_write(d, VFIO_PCI_BAR0_REGION_INDEX, 0x64, 4, 1);
	vt_irq_disable(d->fd, VFIO_PCI_INTX_IRQ_INDEX);
	close(efd);
}

static void compare_intx(void)
{
	int64_t a[4], b[4];

	intx_probe(&ref, a);
	intx_probe(&dut, b);
	tap_diag("intx: set_irqs %lld, while disabled %lld, after %lld, status %#llx",
		 (long long)b[0], (long long)b[1], (long long)b[2],
		 (long long)b[3]);
	tap_result(!memcmp(a, b, sizeof(a)), nm("intx_disable_bit"),
		   "set %lld/%lld/%lld/%lld vs %lld/%lld/%lld/%lld",
		   (long long)a[0], (long long)a[1], (long long)a[2],
		   (long long)a[3], (long long)b[0], (long long)b[1],
		   (long long)b[2], (long long)b[3]);
}

/* BAR0 through pread and mmap with memory decode off, then on again. */
static void mem_probe(struct vt_dev *d, int64_t out[6])
{
	uint64_t cmd = 0, v = 0;
	volatile uint8_t *bar;
	size_t len = 0;

	vt_cfg_read(d, 0x04, 2, &cmd);
	bar = vt_mmap_region(d, VFIO_PCI_BAR0_REGION_INDEX, 0, &len);
	out[0] = vt_mmio_read(bar, 4, &v);
	vt_cfg_write(d, 0x04, 2, cmd & ~2ULL);
	out[1] = vt_region_read(d, VFIO_PCI_BAR0_REGION_INDEX, 0, 4, &v);
	out[2] = bar ? vt_mmio_read(bar, 4, &v) : -1;
	vt_cfg_read(d, 0x04, 2, &v);
	out[3] = v;
	vt_cfg_write(d, 0x04, 2, cmd);
	out[4] = vt_region_read(d, VFIO_PCI_BAR0_REGION_INDEX, 0, 4, &v);
	out[5] = bar ? vt_mmio_read(bar, 4, &v) : -1;
	if (bar)
		munmap((void *)bar, len);
}

static void compare_mem(void)
{
	int64_t a[6], b[6];

	mem_probe(&ref, a);
	mem_probe(&dut, b);
	tap_diag("mem: mmio %lld, off: pread %lld mmio %lld cmd %#llx, on: pread %lld mmio %lld",
		 (long long)b[0], (long long)b[1], (long long)b[2],
		 (long long)b[3], (long long)b[4], (long long)b[5]);
	tap_result(!memcmp(a, b, sizeof(a)), nm("memory_decode"),
		   "%lld/%lld/%lld/%#llx/%lld/%lld vs %lld/%lld/%lld/%#llx/%lld/%lld",
		   (long long)a[0], (long long)a[1], (long long)a[2],
		   (long long)a[3], (long long)a[4], (long long)a[5],
		   (long long)b[0], (long long)b[1], (long long)b[2],
		   (long long)b[3], (long long)b[4], (long long)b[5]);
}

/* The MSI or MSI-X capability while SET_IRQS enables and disables it. */
static void irq_cap_probe(struct vt_dev *d, unsigned int cap, int index,
			  uint64_t out[16])
{
	int efd = vt_eventfd(), i = 0;
	unsigned int k;

	out[i++] = vt_irq_set_eventfds(d->fd, index, 0, 1, &efd);
	for (k = 0; k < 12; k += 4)
		out[i++] = cfg_rd(d, cap + k, 4).v;
	/* Try to enable every vector through config space: not allowed. */
	vt_cfg_write(d, cap + 2, 1, 0xff);
	out[i++] = cfg_rd(d, cap, 4).v;
	vt_cfg_write(d, cap + 3, 1, 0xff);
	out[i++] = cfg_rd(d, cap, 4).v;
	out[i++] = vt_irq_disable(d->fd, index);
	for (k = 0; k < 12; k += 4)
		out[i++] = cfg_rd(d, cap + k, 4).v;
	vt_cfg_write(d, cap + 2, 2, 0);
	out[i++] = cfg_rd(d, cap, 4).v;
	while (i < 16)
		out[i++] = 0;
	close(efd);
}

static void compare_irq_caps(void)
{
	static const struct { uint8_t id; int index; const char *n; } c[] = {
		{ 0x05, VFIO_PCI_MSI_IRQ_INDEX, "msi_cap" },
		{ 0x11, VFIO_PCI_MSIX_IRQ_INDEX, "msix_cap" },
	};
	uint64_t a[16], b[16];
	unsigned int i, k, cap;

	for (i = 0; i < 2; i++) {
		cap = find_cap(&ref, c[i].id);
		if (!cap) {
			tap_skip(nm(c[i].n), "no such capability");
			continue;
		}
		irq_cap_probe(&ref, cap, c[i].index, a);
		irq_cap_probe(&dut, cap, c[i].index, b);
		for (k = 0; k < 16 && a[k] == b[k]; k++)
			;
		tap_result(k == 16, nm(c[i].n), "[%u] %#llx vs %#llx", k,
			   k < 16 ? (unsigned long long)a[k] : 0ULL,
			   k < 16 ? (unsigned long long)b[k] : 0ULL);
	}
}

int main(int argc, char **argv)
{
	char found[16][VT_BDF_LEN];
	unsigned int ven, dev;
	int n, ret;

	if (argc < 2 || sscanf(argv[1], "%x:%x", &ven, &dev) != 2) {
		fprintf(stderr, "usage: %s VENDOR:DEVICE [BDF BDF]\n", argv[0]);
		return 2;
	}
	if (argc >= 4) {
		snprintf(found[0], VT_BDF_LEN, "%s", argv[2]);
		snprintf(found[1], VT_BDF_LEN, "%s", argv[3]);
		n = 2;
	} else {
		n = pci_find(ven, dev, found, 16);
	}
	snprintf(prefix, sizeof(prefix), "config_twins/%04x:%04x/%s", ven, dev,
		 n >= 2 ? found[1] : "none");
	if (!tap_result(n >= 2, nm("find"), "%d devices", n))
		return tap_summary();

	ret = vt_bind_open(&ref, found[0], "vfio-pci");
	if (!tap_result(!ret, nm("open_vfio_pci"), "%s",
			strerror(-ret)))
		return tap_summary();
	ret = vt_bind_open(&dut, found[1], "vfpci");
	if (!tap_result(!ret, nm("open_vfpci"), "%s", strerror(-ret)))
		return tap_summary();
	tap_result(ref.cfg_size == dut.cfg_size, nm("cfg_size"),
		   "%llu vs %llu", (unsigned long long)ref.cfg_size,
		   (unsigned long long)dut.cfg_size);

	dsn_pos = find_ecap(&ref, 0x0003);
	if (dsn_pos)
		tap_diag("DSN at %#x: serial bytes not compared", dsn_pos);
	compare_reads("initial", true);
	normalize(&ref);
	normalize(&dut);
	compare_bulk();
	sizing();
	compare_reads("after_sizing", false);
	compare_multi("after_sizing", 13);
	compare_multi_d3();
	compare_multi_decode();
	compare_low_power();
	compare_writes(0, 0x40, 1);
	compare_writes(0x40, 0x100, 1);
	if (ref.cfg_size > 0x100)
		compare_writes(0x100, ref.cfg_size, 1);
	compare_writes(0, 0x100, 2);
	compare_writes(0, 0x100, 4);
	compare_writes(0, 0x100, 8);
	if (ref.cfg_size > 0x100)
		compare_writes(0x100, 0x200, 4);
	compare_pm();
	compare_flr();
	compare_mem();
	compare_irq_caps();
	if (ven == 0x1234 && dev == 0x11e8)
		compare_intx();
	compare_reads("final", false);
	compare_bulk();

	vt_close(&ref);
	vt_close(&dut);
	return tap_summary();
}
