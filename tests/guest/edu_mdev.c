// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu_mdev: the mediated edu (vfpci_edu_mdev instances) through the VFIO
 * uAPI.  Each instance must look and behave like a whole QEMU edu of its
 * own: device, region and IRQ info, virtual config space, the BAR0
 * registers (id, liveness, factorial, interrupt raise/ack, the DMA engine
 * with its buffer window), INTx with automasking and MSI, the refusal of
 * bad DMA requests (VFPCI_EDU_DMA_ERROR, nothing moved, nothing raised),
 * VFIO_DEVICE_RESET, the EINVAL of bad arguments; with two or more
 * instances, isolation: none sees another's registers, buffer, DMA or
 * interrupts, also while all work at once.
 *
 * Instances run their factorials and DMA on the one physical edu, queued
 * round-robin, and QEMU's edu takes ~100 ms a transfer: every wait is
 * bounded (seconds), never infinite.
 *
 * Usage:
 *   edu_mdev [--tag T] [--twin BDF] UUID...
 *       every check on each instance, then isolation when there are two
 *       or more; --twin compares info and config with a physical edu
 *       (bound to vfio-pci here) where the two must agree
 *   edu_mdev [--tag T] --workload N UUID...
 *       N rounds of factorials and DMA round trips (data checked) on all
 *       instances at once; one result line and the counts per instance
 *   edu_mdev [--tag T] --never-ack UUID...
 *       enable interrupts, raise them, start work with interrupts, and
 *       exit without acking anything (the first instance on INTx, the
 *       others on MSI): others must be unaffected afterwards
 *   edu_mdev [--tag T] --hold-req FILE [--req-timeout S] UUID
 *       open, register the REQ eventfd, create FILE (ready), wait up to S
 *       seconds (60) for the REQ eventfd, report it, a second later
 *       write "closed" into FILE and close
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "vfpci_test.h"
#include "vfpci_edu_stream.h"

#define MAX_INST	16
#define EDU_ID_VALUE	0x010000edu
#define BAR0		VFIO_PCI_BAR0_REGION_INDEX
#define WAIT_MS		10000	/* one queued factorial or transfer */
#define WAIT_SLOW_MS	60000	/* 0xffffffff!: 4G multiplications */
#define QUIET_MS	500	/* how long "no interrupt" is watched */
#define DMA_IOVA	0x200000ULL	/* the same in every container */
#define DMA_SIZE	0x10000ULL	/* 16 pages */
#define UNMAPPED_IOVA	0x800000ULL	/* inside the 28-bit mask */
#define BUF		VFPCI_EDU_DMA_BUF_ADDR
#define BUFSZ		VFPCI_EDU_DMA_BUF_SIZE
#define PAGE		4096
#define FILL		0xee	/* RAM bytes no DMA should touch */
#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

struct inst {
	int idx;
	const char *uuid;
	char name[16];		/* short: the UUID's first group */
	struct vt_dev d;
	uint8_t *ram;		/* DMA_SIZE bytes at DMA_IOVA */
	int efd_intx, efd_msi, efd_req;
	int irq_index;		/* enabled: INTx, MSI or -1 */
	int io_err;		/* first failed BAR0 access (errno) */
	bool up;
};

static const char *tag = "edu_mdev";
static struct inst insts[MAX_INST];
static int ninst;

static const char *tn(struct inst *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A test name "TAG/INSTANCE/WHAT" (one buffer per thread). */
static const char *tn(struct inst *m, const char *fmt, ...)
{
	static __thread char name[256];
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(name, sizeof(name), "%s/%s/%s", tag, m ? m->name : "all",
		 what);
	return name;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/* n! mod 2^32, as edu computes it; 34! and above have 2^32 as a factor. */
static uint32_t fact32(uint32_t n)
{
	uint32_t r = 1, i;

	if (n >= 34)
		return 0;
	for (i = 2; i <= n; i++)
		r *= i;
	return r;
}

/* A byte of instance @i's pattern number @r at @k: differs per instance. */
static uint8_t pat(int i, int r, size_t k)
{
	return (uint8_t)(k * 131 + (k >> 8) * 0x5b + (i + 1) * 0x11 +
			 r * 0x3d + 1);
}

static void fill_pat(uint8_t *p, int i, int r, size_t len)
{
	size_t k;

	for (k = 0; k < len; k++)
		p[k] = pat(i, r, k);
}

/* First index where @p differs from pattern (@i, @r) from @from, or -1. */
static long diff_pat(const uint8_t *p, int i, int r, size_t from, size_t len)
{
	size_t k;

	for (k = 0; k < len; k++)
		if (p[k] != pat(i, r, from + k))
			return k;
	return -1;
}

static long diff_byte(const uint8_t *p, uint8_t b, size_t len)
{
	size_t k;

	for (k = 0; k < len; k++)
		if (p[k] != b)
			return k;
	return -1;
}

/* ---- register and config access ---- */

static uint32_t rd(struct inst *m, uint32_t off)
{
	uint64_t v = 0;
	ssize_t n = vt_region_read(&m->d, BAR0, off, 4, &v);

	if (n != 4) {
		if (!m->io_err)
			m->io_err = n < 0 ? -n : EIO;
		return 0xdeadbeef;
	}
	return v;
}

static void wr(struct inst *m, uint32_t off, uint32_t v)
{
	ssize_t n = vt_region_write(&m->d, BAR0, off, 4, v);

	if (n != 4 && !m->io_err)
		m->io_err = n < 0 ? -n : EIO;
}

static uint32_t cfg_rd(struct vt_dev *d, uint32_t pos, int w)
{
	uint64_t v = 0;

	if (vt_cfg_read(d, pos, w, &v) != w)
		return 0xdeadbeef;
	return v;
}

static bool cfg_wr(struct vt_dev *d, uint32_t pos, int w, uint32_t v)
{
	return vt_cfg_write(d, pos, w, v) == w;
}

/* Poll until (reg & mask) == 0; false on time out. */
static bool wait_clear(struct inst *m, uint32_t off, uint32_t mask,
		       int timeout_ms, uint32_t *last)
{
	uint64_t end = now_ms() + timeout_ms;
	uint32_t v;

	for (;;) {
		v = rd(m, off);
		if (last)
			*last = v;
		if (!(v & mask) && v != 0xdeadbeef)
			return true;
		if (now_ms() > end)
			return false;
		usleep(2000);
	}
}

static int irq_action(int fd, uint32_t index, uint32_t action)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | action,
		.index = index,
		.start = 0,
		.count = 1,
	};

	return ioctl(fd, VFIO_DEVICE_SET_IRQS, &set) < 0 ? -errno : 0;
}

static int efd_of(struct inst *m)
{
	if (m->irq_index == VFIO_PCI_INTX_IRQ_INDEX)
		return m->efd_intx;
	if (m->irq_index == VFIO_PCI_MSI_IRQ_INDEX)
		return m->efd_msi;
	return -1;
}

/* Enable exactly one of INTx and MSI (or none for -1). */
static int irq_use(struct inst *m, int index)
{
	int ret = 0;

	if (m->irq_index >= 0 && m->irq_index != index) {
		ret = vt_irq_disable(m->d.fd, m->irq_index);
		m->irq_index = -1;
	}
	if (ret || index < 0 || m->irq_index == index)
		return ret;
	ret = vt_irq_set_eventfds(m->d.fd, index, 0, 1,
				  index == VFIO_PCI_INTX_IRQ_INDEX ?
				  &m->efd_intx : &m->efd_msi);
	if (!ret)
		m->irq_index = index;
	vt_eventfd_drain(m->efd_intx);
	vt_eventfd_drain(m->efd_msi);
	return ret;
}

/* After an INTx: ack everything and unmask; no-op for MSI. */
static void irq_done(struct inst *m, uint32_t bits)
{
	wr(m, VFPCI_EDU_REG_IRQ_ACK, bits);
	if (m->irq_index == VFIO_PCI_INTX_IRQ_INDEX)
		irq_action(m->d.fd, VFIO_PCI_INTX_IRQ_INDEX,
			   VFIO_IRQ_SET_ACTION_UNMASK);
}

/* Program and start one transfer; the cmd register once START cleared. */
static uint32_t dma(struct inst *m, uint32_t src, uint32_t dst, uint32_t cnt,
		    uint32_t cmd, bool *timed_out)
{
	uint32_t last = 0;
	bool ok;

	wr(m, VFPCI_EDU_REG_DMA_SRC, src);
	wr(m, VFPCI_EDU_REG_DMA_DST, dst);
	wr(m, VFPCI_EDU_REG_DMA_CNT, cnt);
	wr(m, VFPCI_EDU_REG_DMA_CMD, cmd);
	ok = wait_clear(m, VFPCI_EDU_REG_DMA_CMD, VFPCI_EDU_DMA_START, WAIT_MS,
			&last);
	if (timed_out)
		*timed_out = !ok;
	return last;
}

static uint32_t iova(uint32_t off)
{
	return DMA_IOVA + off;
}

/* One factorial, polled; the result, *ok false on time out. */
static uint32_t fact(struct inst *m, uint32_t n, int timeout_ms, bool *ok)
{
	wr(m, VFPCI_EDU_REG_FACT, n);
	*ok = wait_clear(m, VFPCI_EDU_REG_STATUS, VFPCI_EDU_STATUS_BUSY,
			 timeout_ms, NULL);
	return rd(m, VFPCI_EDU_REG_FACT);
}

/* ---- open and close ---- */

static int inst_open(struct inst *m)
{
	int ret;

	m->irq_index = -1;
	m->efd_intx = vt_eventfd();
	m->efd_msi = vt_eventfd();
	m->efd_req = vt_eventfd();
	snprintf(m->name, sizeof(m->name), "%.8s", m->uuid);
	ret = vt_open(&m->d, m->uuid);
	if (ret)
		return ret;
	ret = vt_dma_map(&m->d, DMA_IOVA, DMA_SIZE, (void **)&m->ram);
	if (ret)
		return ret;
	/* Memory decode and bus mastering, as any driver would. */
	if (!cfg_wr(&m->d, PCI_COMMAND, 2, cfg_rd(&m->d, PCI_COMMAND, 2) |
		    PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER))
		return -EIO;
	m->up = true;
	return 0;
}

static void inst_close(struct inst *m)
{
	if (m->irq_index >= 0)
		vt_irq_disable(m->d.fd, m->irq_index);
	if (m->ram) {
		vt_dma_unmap(&m->d, DMA_IOVA, DMA_SIZE);
		munmap(m->ram, DMA_SIZE);
		m->ram = NULL;
	}
	vt_close(&m->d);
	close(m->efd_intx);
	close(m->efd_msi);
	close(m->efd_req);
	m->up = false;
}

/* ---- device, region and IRQ info ---- */

static void check_info(struct inst *m)
{
	static const uint32_t zero_regions[] = {
		VFIO_PCI_BAR1_REGION_INDEX, VFIO_PCI_BAR2_REGION_INDEX,
		VFIO_PCI_BAR3_REGION_INDEX, VFIO_PCI_BAR4_REGION_INDEX,
		VFIO_PCI_BAR5_REGION_INDEX, VFIO_PCI_ROM_REGION_INDEX,
		VFIO_PCI_VGA_REGION_INDEX,
	};
	const uint32_t rw = VFIO_REGION_INFO_FLAG_READ |
			    VFIO_REGION_INFO_FLAG_WRITE;
	struct vfio_device_info *di = &m->d.info;
	struct vfio_region_info *ri;
	struct vfio_irq_info ii;
	size_t k;
	int ret;

	tap_result(di->flags == (VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET),
		   tn(m, "device_flags"), "flags 0x%x, want PCI|RESET (0x%x)",
		   di->flags, VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET);
	tap_result(di->num_regions == VFIO_PCI_NUM_REGIONS &&
		   di->num_irqs == VFIO_PCI_NUM_IRQS, tn(m, "device_counts"),
		   "num_regions %u num_irqs %u, want %u and %u",
		   di->num_regions, di->num_irqs, VFIO_PCI_NUM_REGIONS,
		   VFIO_PCI_NUM_IRQS);

	ret = vt_region_info(m->d.fd, BAR0, &ri);
	tap_result(!ret && ri->size == 1 << 20 && ri->flags == rw,
		   tn(m, "region_bar0"),
		   "ret %d size 0x%llx flags 0x%x, want 1 MiB READ|WRITE (no mmap)",
		   ret, ret ? 0ULL : (unsigned long long)ri->size,
		   ret ? 0 : ri->flags);
	free(ri);
	for (k = 0; k < ARRAY_LEN(zero_regions); k++) {
		ret = vt_region_info(m->d.fd, zero_regions[k], &ri);
		/* vfio-pci refuses VGA outright on a device without it. */
		tap_result((!ret && ri->size == 0) ||
			   (ret == -EINVAL &&
			    zero_regions[k] == VFIO_PCI_VGA_REGION_INDEX),
			   tn(m, "region_%u_empty",
						      zero_regions[k]),
			   "ret %d size 0x%llx flags 0x%x", ret,
			   ret ? 0ULL : (unsigned long long)ri->size,
			   ret ? 0 : ri->flags);
		free(ri);
	}
	ret = vt_region_info(m->d.fd, VFIO_PCI_CONFIG_REGION_INDEX, &ri);
	tap_result(!ret && ri->size == 256 && ri->flags == rw,
		   tn(m, "region_config"),
		   "ret %d size 0x%llx flags 0x%x, want 256 READ|WRITE", ret,
		   ret ? 0ULL : (unsigned long long)ri->size,
		   ret ? 0 : ri->flags);
	free(ri);

	ret = vt_irq_info(m->d.fd, VFIO_PCI_INTX_IRQ_INDEX, &ii);
	tap_result(!ret && ii.count == 1 &&
		   ii.flags == (VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE |
				VFIO_IRQ_INFO_AUTOMASKED),
		   tn(m, "irq_intx"), "ret %d count %u flags 0x%x", ret,
		   ii.count, ii.flags);
	ret = vt_irq_info(m->d.fd, VFIO_PCI_MSI_IRQ_INDEX, &ii);
	tap_result(!ret && ii.count == 1 &&
		   ii.flags == (VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE),
		   tn(m, "irq_msi"), "ret %d count %u flags 0x%x", ret,
		   ii.count, ii.flags);
	ret = vt_irq_info(m->d.fd, VFIO_PCI_MSIX_IRQ_INDEX, &ii);
	tap_result(!ret && ii.count == 0, tn(m, "irq_msix"),
		   "ret %d count %u flags 0x%x", ret, ii.count, ii.flags);
	/* Count 0, or EINVAL as vfio-pci says on a conventional PCI device. */
	ret = vt_irq_info(m->d.fd, VFIO_PCI_ERR_IRQ_INDEX, &ii);
	tap_result((!ret && ii.count == 0) || ret == -EINVAL, tn(m, "irq_err"),
		   "ret %d count %u flags 0x%x", ret, ii.count, ii.flags);
	ret = vt_irq_info(m->d.fd, VFIO_PCI_REQ_IRQ_INDEX, &ii);
	tap_result(!ret && ii.count == 1 && (ii.flags & VFIO_IRQ_INFO_EVENTFD),
		   tn(m, "irq_req"), "ret %d count %u flags 0x%x", ret,
		   ii.count, ii.flags);
}

/* ---- config space ---- */

/* Capability IDs in list order into @ids; the count, -1 if malformed. */
static int cap_list(struct vt_dev *d, uint8_t *ids, int max, uint8_t *msi)
{
	uint32_t pos;
	int n = 0;

	*msi = 0;
	if (!(cfg_rd(d, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = cfg_rd(d, PCI_CAPABILITY_LIST, 1) & 0xfc;
	while (pos) {
		if (pos < 0x40 || pos > 0xfc || n == max)
			return -1;
		ids[n] = cfg_rd(d, pos, 1);
		if (ids[n] == PCI_CAP_ID_MSI && !*msi)
			*msi = pos;
		n++;
		pos = cfg_rd(d, pos + 1, 1) & 0xfc;
	}
	return n;
}

/* Write ~0 to a BAR (or the ROM) and read the size mask back; restores. */
static uint32_t bar_sizing(struct vt_dev *d, uint32_t pos)
{
	uint32_t orig = cfg_rd(d, pos, 4), v;

	cfg_wr(d, pos, 4, 0xffffffff);
	v = cfg_rd(d, pos, 4);
	cfg_wr(d, pos, 4, orig);
	return v;
}

static void check_config(struct inst *m)
{
	struct vt_dev *d = &m->d;
	uint8_t ids[48], all[256];
	uint32_t v, orig, pos;
	uint8_t msi;
	ssize_t n;
	int k, nc;

	v = cfg_rd(d, PCI_VENDOR_ID, 4);
	tap_result(v == 0x11e81234, tn(m, "cfg_ids"), "0x%08x, want 0x11e81234",
		   v);
	v = cfg_rd(d, PCI_CLASS_REVISION, 4);
	tap_result(v >> 8 == 0x00ff00, tn(m, "cfg_class"),
		   "class 0x%06x, want 0x00ff00", v >> 8);
	v = cfg_rd(d, PCI_HEADER_TYPE, 1);
	tap_result((v & 0x7f) == PCI_HEADER_TYPE_NORMAL, tn(m, "cfg_header_type"),
		   "0x%02x", v);
	v = cfg_rd(d, PCI_INTERRUPT_PIN, 1);
	tap_result(v == 1, tn(m, "cfg_interrupt_pin"), "pin %u, want 1 (INTA)",
		   v);
	nc = cap_list(d, ids, ARRAY_LEN(ids), &msi);
	tap_result(nc > 0 && msi, tn(m, "cfg_msi_cap"),
		   "%d capabilities, MSI at 0x%02x", nc, msi);
	if (msi) {
		v = cfg_rd(d, msi + PCI_MSI_FLAGS, 2);
		tap_result((v & PCI_MSI_FLAGS_64BIT) &&
			   !(v & PCI_MSI_FLAGS_QMASK) &&
			   !(v & PCI_MSI_FLAGS_ENABLE),
			   tn(m, "cfg_msi_flags"),
			   "flags 0x%04x, want 64-bit, one vector, disabled", v);
	}

	v = bar_sizing(d, PCI_BASE_ADDRESS_0);
	tap_result(v == 0xfff00000, tn(m, "cfg_bar0_sizing"),
		   "read 0x%08x after writing ~0, want 0xfff00000 (1 MiB, 32-bit memory)",
		   v);
	orig = cfg_rd(d, PCI_BASE_ADDRESS_0, 4);
	cfg_wr(d, PCI_BASE_ADDRESS_0, 4, 0xfeb00000);
	v = cfg_rd(d, PCI_BASE_ADDRESS_0, 4);
	cfg_wr(d, PCI_BASE_ADDRESS_0, 4, orig);
	tap_result(v == 0xfeb00000, tn(m, "cfg_bar0_address"),
		   "read 0x%08x after writing 0xfeb00000", v);
	for (pos = PCI_BASE_ADDRESS_1; pos <= PCI_BASE_ADDRESS_5; pos += 4) {
		v = bar_sizing(d, pos);
		tap_result(v == 0, tn(m, "cfg_bar%u_none",
				      (pos - PCI_BASE_ADDRESS_0) / 4),
			   "read 0x%08x after writing ~0", v);
	}
	v = bar_sizing(d, PCI_ROM_ADDRESS);
	tap_result(v == 0, tn(m, "cfg_rom_none"),
		   "read 0x%08x after writing ~0", v);

	/* Read-only fields ignore writes. */
	orig = cfg_rd(d, PCI_VENDOR_ID, 4);
	cfg_wr(d, PCI_VENDOR_ID, 2, 0xabcd);
	cfg_wr(d, PCI_DEVICE_ID, 2, 0xdcba);
	v = cfg_rd(d, PCI_VENDOR_ID, 4);
	tap_result(v == orig, tn(m, "cfg_ro_ids"), "0x%08x became 0x%08x",
		   orig, v);
	orig = cfg_rd(d, PCI_CLASS_REVISION, 4);
	cfg_wr(d, PCI_CLASS_REVISION, 4, 0x12345678);
	v = cfg_rd(d, PCI_CLASS_REVISION, 4);
	tap_result(v == orig, tn(m, "cfg_ro_class"), "0x%08x became 0x%08x",
		   orig, v);
	orig = cfg_rd(d, PCI_HEADER_TYPE, 1);
	cfg_wr(d, PCI_HEADER_TYPE, 1, 0xff);
	v = cfg_rd(d, PCI_HEADER_TYPE, 1);
	tap_result(v == orig, tn(m, "cfg_ro_header_type"),
		   "0x%02x became 0x%02x", orig, v);
	orig = cfg_rd(d, PCI_INTERRUPT_PIN, 1);
	cfg_wr(d, PCI_INTERRUPT_PIN, 1, 4);
	v = cfg_rd(d, PCI_INTERRUPT_PIN, 1);
	tap_result(v == orig, tn(m, "cfg_ro_pin"), "%u became %u", orig, v);
	orig = cfg_rd(d, PCI_CAPABILITY_LIST, 1);
	cfg_wr(d, PCI_CAPABILITY_LIST, 1, 0);
	v = cfg_rd(d, PCI_CAPABILITY_LIST, 1);
	tap_result(v == orig, tn(m, "cfg_ro_cap_ptr"), "0x%02x became 0x%02x",
		   orig, v);
	orig = cfg_rd(d, 0x2c, 4);
	cfg_wr(d, 0x2c, 4, 0x55aa55aa);
	v = cfg_rd(d, 0x2c, 4);
	tap_result(v == orig, tn(m, "cfg_ro_subsystem"),
		   "0x%08x became 0x%08x", orig, v);
	if (msi) {
		orig = cfg_rd(d, msi + PCI_MSI_FLAGS, 2);
		cfg_wr(d, msi + PCI_MSI_FLAGS, 2,
		       (orig & ~PCI_MSI_FLAGS_64BIT) | PCI_MSI_FLAGS_QMASK);
		v = cfg_rd(d, msi + PCI_MSI_FLAGS, 2);
		cfg_wr(d, msi + PCI_MSI_FLAGS, 2, orig);
		tap_result((v & (PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_QMASK)) ==
			   (orig & (PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_QMASK)),
			   tn(m, "cfg_ro_msi_flags"), "0x%04x became 0x%04x",
			   orig, v);
	}
	/* Writable ones take them. */
	orig = cfg_rd(d, PCI_INTERRUPT_LINE, 1);
	cfg_wr(d, PCI_INTERRUPT_LINE, 1, 0x5a);
	v = cfg_rd(d, PCI_INTERRUPT_LINE, 1);
	cfg_wr(d, PCI_INTERRUPT_LINE, 1, orig);
	tap_result(v == 0x5a, tn(m, "cfg_interrupt_line_rw"),
		   "read 0x%02x after writing 0x5a", v);
	v = cfg_rd(d, PCI_COMMAND, 2);
	tap_result((v & (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)) ==
		   (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER),
		   tn(m, "cfg_command_rw"), "COMMAND 0x%04x after setting MEMORY|MASTER",
		   v);
	/* The whole space in one read, and nothing past it. */
	n = pread(d->fd, all, sizeof(all), d->cfg_off);
	tap_result(n == 256 && all[0] == 0x34 && all[1] == 0x12,
		   tn(m, "cfg_read_256"), "pread returned %zd (%s)", n,
		   n < 0 ? strerror(errno) : "ok");
	n = pread(d->fd, all, 4, d->cfg_off + 256);
	tap_result(n <= 0, tn(m, "cfg_read_past_end"),
		   "pread at 256 returned %zd", n);
	for (k = 0; k < nc; k++)
		tap_diag("%s: capability 0x%02x", m->name, ids[k]);
}

/* ---- registers ---- */

static void check_regs(struct inst *m)
{
	static const uint32_t live[] = { 0, 0xffffffff, 0x12345678, 0xa5a55a5a };
	static const uint32_t ns[] = { 0, 1, 12, 20, 33, 34, 100, 0xffffffff };
	uint32_t v, last;
	bool ok;
	size_t k;

	v = rd(m, VFPCI_EDU_REG_ID);
	tap_result(v == EDU_ID_VALUE, tn(m, "reg_id"), "0x%08x, want 0x%08x",
		   v, EDU_ID_VALUE);
	for (k = 0; k < ARRAY_LEN(live); k++) {
		wr(m, VFPCI_EDU_REG_LIVENESS, live[k]);
		v = rd(m, VFPCI_EDU_REG_LIVENESS);
		tap_result(v == (uint32_t)~live[k],
			   tn(m, "reg_liveness_%08x", live[k]),
			   "read 0x%08x, want 0x%08x", v, ~live[k]);
	}
	wr(m, VFPCI_EDU_REG_STATUS, 0);
	for (k = 0; k < ARRAY_LEN(ns); k++) {
		uint64_t t0 = now_ms();

		v = fact(m, ns[k], ns[k] > 100 ? WAIT_SLOW_MS : WAIT_MS, &ok);
		tap_result(ok && v == fact32(ns[k]), tn(m, "fact_%u", ns[k]),
			   "%s, read 0x%08x, want 0x%08x (%llu ms)",
			   ok ? "done" : "status busy bit never cleared", v,
			   fact32(ns[k]), (unsigned long long)(now_ms() - t0));
	}
	ok = wait_clear(m, VFPCI_EDU_REG_STATUS, VFPCI_EDU_STATUS_BUSY, 10,
			&last);
	tap_result(ok && !(last & ~VFPCI_EDU_STATUS_IRQFACT),
		   tn(m, "status_idle"), "status 0x%08x", last);
	v = rd(m, VFPCI_EDU_REG_IRQ_STATUS);
	tap_result(v == 0, tn(m, "irq_status_quiet"),
		   "0x%08x without any raise", v);
	tap_result(!m->io_err, tn(m, "reg_access"), "a BAR0 access failed: %s",
		   strerror(m->io_err));
}

/* ---- interrupts ---- */

/* Expect an interrupt within WAIT_MS (@want) or none within QUIET_MS. */
static bool expect_irq(struct inst *m, bool want, const char *what)
{
	int64_t got = vt_eventfd_wait(efd_of(m), want ? WAIT_MS : QUIET_MS);

	return tap_result(want ? got > 0 : got == 0, tn(m, "%s", what),
			  "%s (eventfd %lld, irq status 0x%08x)",
			  want ? "no interrupt" : "unexpected interrupt",
			  (long long)got, rd(m, VFPCI_EDU_REG_IRQ_STATUS));
}

static void raise_irq(struct inst *m, uint32_t bits)
{
	wr(m, VFPCI_EDU_REG_IRQ_RAISE, bits);
}

static void check_status_is(struct inst *m, uint32_t want, const char *what)
{
	uint32_t v = rd(m, VFPCI_EDU_REG_IRQ_STATUS);

	tap_result(v == want, tn(m, "%s", what), "irq status 0x%08x, want 0x%08x",
		   v, want);
}

/* Factorial with its completion interrupt on the enabled index. */
static void check_fact_irq(struct inst *m, const char *kind)
{
	char what[64], st[64];
	uint32_t v;

	snprintf(what, sizeof(what), "%s_fact_irq", kind);
	snprintf(st, sizeof(st), "%s_fact_irq_status", kind);
	wr(m, VFPCI_EDU_REG_STATUS, VFPCI_EDU_STATUS_IRQFACT);
	wr(m, VFPCI_EDU_REG_FACT, 10);
	if (expect_irq(m, true, what)) {
		check_status_is(m, VFPCI_EDU_IRQ_FACT, st);
		v = rd(m, VFPCI_EDU_REG_FACT);
		tap_result(v == 3628800, tn(m, "%s_fact_irq_result", kind),
			   "read %u, want 3628800", v);
	}
	irq_done(m, ~0U);
	wr(m, VFPCI_EDU_REG_STATUS, 0);
	vt_eventfd_drain(efd_of(m));
}

/* A small valid transfer with its completion interrupt. */
static void check_dma_irq(struct inst *m, const char *kind)
{
	char what[64], st[64];
	uint32_t cmd;
	bool to;

	snprintf(what, sizeof(what), "%s_dma_irq", kind);
	snprintf(st, sizeof(st), "%s_dma_irq_status", kind);
	fill_pat(m->ram + 0xf000, m->idx, 7, 64);
	cmd = dma(m, iova(0xf000), BUF + 0xfc0, 64,
		  VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_IRQ, &to);
	tap_result(!to && !(cmd & VFPCI_EDU_DMA_ERROR), tn(m, "%s_dma_done", kind),
		   "cmd 0x%08x%s", cmd, to ? ", START never cleared" : "");
	if (expect_irq(m, true, what))
		check_status_is(m, VFPCI_EDU_IRQ_DMA, st);
	irq_done(m, ~0U);
	vt_eventfd_drain(efd_of(m));
}

static void check_intx(struct inst *m)
{
	int ret;

	ret = irq_use(m, VFIO_PCI_INTX_IRQ_INDEX);
	if (!tap_result(!ret, tn(m, "intx_enable"), "SET_IRQS: %s",
			strerror(-ret)))
		return;
	wr(m, VFPCI_EDU_REG_IRQ_ACK, ~0U);
	raise_irq(m, 0x1);
	expect_irq(m, true, "intx_raise");
	check_status_is(m, 0x1, "intx_raise_status");
	/* Automasked: the next one waits for the unmask. */
	raise_irq(m, 0x2);
	expect_irq(m, false, "intx_automasked");
	check_status_is(m, 0x3, "intx_automasked_status");
	wr(m, VFPCI_EDU_REG_IRQ_ACK, 0x3);
	check_status_is(m, 0, "intx_ack");
	irq_action(m->d.fd, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK);
	expect_irq(m, false, "intx_unmask_nothing_pending");
	raise_irq(m, 0x4);
	expect_irq(m, true, "intx_after_unmask");
	/* Still asserted when unmasked: delivered then (level). */
	wr(m, VFPCI_EDU_REG_IRQ_ACK, 0x4);
	raise_irq(m, 0x8);
	expect_irq(m, false, "intx_masked_again");
	irq_action(m->d.fd, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK);
	expect_irq(m, true, "intx_level_on_unmask");
	irq_done(m, ~0U);
	vt_eventfd_drain(m->efd_intx);
	/* Masked by the user. */
	ret = irq_action(m->d.fd, VFIO_PCI_INTX_IRQ_INDEX,
			 VFIO_IRQ_SET_ACTION_MASK);
	tap_result(!ret, tn(m, "intx_mask"), "%s", strerror(-ret));
	raise_irq(m, 0x10);
	expect_irq(m, false, "intx_user_masked");
	wr(m, VFPCI_EDU_REG_IRQ_ACK, ~0U);
	ret = irq_action(m->d.fd, VFIO_PCI_INTX_IRQ_INDEX,
			 VFIO_IRQ_SET_ACTION_UNMASK);
	tap_result(!ret, tn(m, "intx_unmask"), "%s", strerror(-ret));
	expect_irq(m, false, "intx_unmask_after_ack");
	raise_irq(m, 0x20);
	expect_irq(m, true, "intx_user_unmasked");
	irq_done(m, ~0U);
	vt_eventfd_drain(m->efd_intx);

	check_fact_irq(m, "intx");
	check_dma_irq(m, "intx");
	ret = irq_use(m, -1);
	tap_result(!ret, tn(m, "intx_disable"), "%s", strerror(-ret));
	raise_irq(m, 0x40);
	tap_result(vt_eventfd_wait(m->efd_intx, QUIET_MS) == 0,
		   tn(m, "intx_disabled_silent"), "eventfd fired after disable");
	wr(m, VFPCI_EDU_REG_IRQ_ACK, ~0U);
}

static void check_msi(struct inst *m)
{
	uint8_t ids[48], msi;
	uint32_t v;
	int ret;

	cap_list(&m->d, ids, ARRAY_LEN(ids), &msi);
	ret = irq_use(m, VFIO_PCI_MSI_IRQ_INDEX);
	if (!tap_result(!ret, tn(m, "msi_enable"), "SET_IRQS: %s",
			strerror(-ret)))
		return;
	if (msi) {
		/* As vfio-pci: the enable bit sticks once SET_IRQS has MSI on. */
		v = cfg_rd(&m->d, msi + PCI_MSI_FLAGS, 2);
		cfg_wr(&m->d, msi + PCI_MSI_FLAGS, 2, v | PCI_MSI_FLAGS_ENABLE);
		v = cfg_rd(&m->d, msi + PCI_MSI_FLAGS, 2);
		tap_result(v & PCI_MSI_FLAGS_ENABLE, tn(m, "msi_cfg_enabled"),
			   "MSI flags 0x%04x after SET_IRQS and enable", v);
	}
	wr(m, VFPCI_EDU_REG_IRQ_ACK, ~0U);
	raise_irq(m, 0x1);
	expect_irq(m, true, "msi_raise");
	/* Every raise is a message, acked or not. */
	raise_irq(m, 0x2);
	expect_irq(m, true, "msi_raise_again");
	check_status_is(m, 0x3, "msi_status");
	wr(m, VFPCI_EDU_REG_IRQ_ACK, 0x3);
	check_status_is(m, 0, "msi_ack");
	expect_irq(m, false, "msi_quiet_after_ack");
	check_fact_irq(m, "msi");
	check_dma_irq(m, "msi");
}

/* ---- DMA ---- */

static void check_dma(struct inst *m)
{
	uint8_t *p0 = m->ram, *p1 = m->ram + PAGE, *p2 = m->ram + 2 * PAGE;
	uint8_t *p3 = m->ram + 3 * PAGE, *p4 = m->ram + 4 * PAGE;
	uint32_t cmd;
	long at;
	bool to;

	fill_pat(p0, m->idx, 0, PAGE);
	cmd = dma(m, iova(0), BUF, BUFSZ, VFPCI_EDU_DMA_START, &to);
	tap_result(!to && cmd == 0, tn(m, "dma_to_buffer"), "cmd 0x%08x%s", cmd,
		   to ? ", START never cleared" : "");
	memset(p1, FILL, PAGE);
	cmd = dma(m, BUF, iova(PAGE), BUFSZ,
		  VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_TO_RAM, &to);
	at = diff_pat(p1, m->idx, 0, 0, PAGE);
	tap_result(!to && !(cmd & ~VFPCI_EDU_DMA_TO_RAM) && at < 0,
		   tn(m, "dma_to_ram"), "cmd 0x%08x%s, first wrong byte at %ld",
		   cmd, to ? ", START never cleared" : "", at);

	/* A piece, to an odd place: only those bytes move. */
	memset(p2, FILL, PAGE);
	cmd = dma(m, BUF + 0x123, iova(2 * PAGE + 0x10), 0x45,
		  VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_TO_RAM, &to);
	at = diff_pat(p2 + 0x10, m->idx, 0, 0x123, 0x45);
	tap_result(!to && !(cmd & VFPCI_EDU_DMA_ERROR) && at < 0 &&
		   diff_byte(p2, FILL, 0x10) < 0 &&
		   diff_byte(p2 + 0x55, FILL, PAGE - 0x55) < 0,
		   tn(m, "dma_to_ram_part"), "cmd 0x%08x, wrong byte at %ld or outside",
		   cmd, at);
	fill_pat(p3, m->idx, 1, PAGE);
	cmd = dma(m, iova(3 * PAGE), BUF + 0x800, 0x100, VFPCI_EDU_DMA_START,
		  &to);
	memset(p4, FILL, PAGE);
	if (!to)
		cmd |= dma(m, BUF, iova(4 * PAGE), BUFSZ,
			   VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_TO_RAM, &to);
	tap_result(!to && !(cmd & VFPCI_EDU_DMA_ERROR) &&
		   diff_pat(p4, m->idx, 0, 0, 0x800) < 0 &&
		   diff_pat(p4 + 0x800, m->idx, 1, 0, 0x100) < 0 &&
		   diff_pat(p4 + 0x900, m->idx, 0, 0x900, PAGE - 0x900) < 0,
		   tn(m, "dma_to_buffer_part"), "cmd 0x%08x%s", cmd,
		   to ? ", START never cleared" : "");
	cmd = dma(m, iova(0), BUF, 0, VFPCI_EDU_DMA_START, &to);
	tap_result(!to && cmd == 0, tn(m, "dma_count_0"), "cmd 0x%08x", cmd);
	tap_result(rd(m, VFPCI_EDU_REG_IRQ_STATUS) == 0,
		   tn(m, "dma_no_irq_without_bit"), "irq status 0x%08x",
		   rd(m, VFPCI_EDU_REG_IRQ_STATUS));
}

struct refusal {
	const char *name;
	uint32_t src, dst, cnt, cmd;
};

/* The buffer holds pattern 0 with pattern 1 at 0x800 (check_dma). */
static void check_dma_refused(struct inst *m)
{
	const struct refusal r[] = {
		{ "window_overflow", iova(0), BUF + 0xf00, 0x200, 0 },
		{ "window_below", iova(0), BUF - 0x10, 0x20, 0 },
		{ "window_above", iova(0), BUF + BUFSZ, 0x10, 0 },
		{ "count_too_big", iova(0), BUF, BUFSZ + 1, 0 },
		{ "count_huge", iova(0), BUF, 0xfffffff0, 0 },
		{ "to_ram_window_overflow", BUF + 0xff0, iova(0), 0x20,
		  VFPCI_EDU_DMA_TO_RAM },
		{ "unmapped_iova", UNMAPPED_IOVA, BUF, 0x40, 0 },
		{ "to_ram_unmapped_iova", BUF, UNMAPPED_IOVA, 0x40,
		  VFPCI_EDU_DMA_TO_RAM },
		{ "iova_past_mask", 0x10000000, BUF, 0x40, 0 },
		{ "iova_straddles_map_end", iova(DMA_SIZE - 0x20), BUF, 0x40, 0 },
	};
	uint8_t *p5 = m->ram + 5 * PAGE;
	uint32_t cmd, st;
	size_t k;
	bool to;

	irq_use(m, VFIO_PCI_MSI_IRQ_INDEX);
	wr(m, VFPCI_EDU_REG_IRQ_ACK, ~0U);
	vt_eventfd_drain(m->efd_msi);
	memset(m->ram, 0x77, PAGE);
	for (k = 0; k < ARRAY_LEN(r); k++) {
		cmd = dma(m, r[k].src, r[k].dst, r[k].cnt,
			  VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_IRQ | r[k].cmd,
			  &to);
		st = rd(m, VFPCI_EDU_REG_IRQ_STATUS);
		tap_result(!to && (cmd & VFPCI_EDU_DMA_ERROR) &&
			   !(cmd & VFPCI_EDU_DMA_START) && st == 0 &&
			   vt_eventfd_wait(m->efd_msi, QUIET_MS) == 0,
			   tn(m, "dma_refused_%s", r[k].name),
			   "src 0x%x dst 0x%x cnt 0x%x: cmd 0x%08x (want bit 31, no START), irq status 0x%08x%s",
			   r[k].src, r[k].dst, r[k].cnt, cmd, st,
			   to ? ", START never cleared" : "");
		wr(m, VFPCI_EDU_REG_IRQ_ACK, ~0U);
		vt_eventfd_drain(m->efd_msi);
	}
	tap_result(diff_byte(m->ram, 0x77, PAGE) < 0, tn(m, "dma_refused_ram_intact"),
		   "a refused transfer wrote RAM");
	/* Nothing moved into the buffer; the next good request runs clean. */
	memset(p5, FILL, PAGE);
	cmd = dma(m, BUF, iova(5 * PAGE), BUFSZ,
		  VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_TO_RAM, &to);
	tap_result(!to && !(cmd & VFPCI_EDU_DMA_ERROR),
		   tn(m, "dma_after_refusal"),
		   "cmd 0x%08x: the error bit stayed on a good request%s", cmd,
		   to ? ", START never cleared" : "");
	tap_result(diff_pat(p5, m->idx, 0, 0, 0x800) < 0 &&
		   diff_pat(p5 + 0x800, m->idx, 1, 0, 0x100) < 0 &&
		   diff_pat(p5 + 0x900, m->idx, 0, 0x900, PAGE - 0x900) < 0,
		   tn(m, "dma_refused_buffer_intact"),
		   "the buffer changed under refused requests");
}

/* ---- reset ---- */

static void check_reset(struct inst *m)
{
	uint8_t *p6 = m->ram + 6 * PAGE;
	uint32_t v, cmd;
	bool ok, to;
	int ret;

	/* State everywhere: registers, buffer, a pending interrupt. */
	irq_use(m, -1);
	wr(m, VFPCI_EDU_REG_LIVENESS, 0x1234);
	fact(m, 7, WAIT_MS, &ok);
	wr(m, VFPCI_EDU_REG_STATUS, VFPCI_EDU_STATUS_IRQFACT);
	fill_pat(m->ram, m->idx, 2, PAGE);
	dma(m, iova(0), BUF, BUFSZ, VFPCI_EDU_DMA_START, &to);
	wr(m, VFPCI_EDU_REG_DMA_SRC, 0x1000);
	wr(m, VFPCI_EDU_REG_DMA_DST, 0x2000);
	wr(m, VFPCI_EDU_REG_DMA_CNT, 0x30);
	raise_irq(m, 0x40);

	ret = ioctl(m->d.fd, VFIO_DEVICE_RESET);
	if (!tap_result(ret == 0, tn(m, "reset"), "VFIO_DEVICE_RESET: %s",
			strerror(errno)))
		return;
	v = cfg_rd(&m->d, PCI_COMMAND, 2);
	tap_diag("%s: COMMAND 0x%04x after reset", m->name, v);
	cfg_wr(&m->d, PCI_COMMAND, 2, v | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	v = rd(m, VFPCI_EDU_REG_ID);
	tap_result(v == EDU_ID_VALUE, tn(m, "reset_id"), "0x%08x", v);
	v = rd(m, VFPCI_EDU_REG_IRQ_STATUS);
	tap_result(v == 0, tn(m, "reset_irq_status"), "0x%08x", v);
	v = rd(m, VFPCI_EDU_REG_STATUS);
	tap_result(v == 0, tn(m, "reset_status"), "0x%08x", v);
	v = rd(m, VFPCI_EDU_REG_FACT);
	tap_result(v == 0, tn(m, "reset_fact"), "0x%08x", v);
	v = rd(m, VFPCI_EDU_REG_LIVENESS);
	/* QEMU's edu reads back its register as it was reset: 0. */
	tap_result(v == 0, tn(m, "reset_liveness"), "0x%08x", v);
	v = rd(m, VFPCI_EDU_REG_DMA_SRC) | rd(m, VFPCI_EDU_REG_DMA_DST) |
	    rd(m, VFPCI_EDU_REG_DMA_CNT) | rd(m, VFPCI_EDU_REG_DMA_CMD);
	tap_result(v == 0, tn(m, "reset_dma_regs"), "src|dst|cnt|cmd 0x%08x",
		   v);
	memset(p6, FILL, PAGE);
	cmd = dma(m, BUF, iova(6 * PAGE), BUFSZ,
		  VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_TO_RAM, &to);
	tap_result(!to && !(cmd & VFPCI_EDU_DMA_ERROR) &&
		   diff_byte(p6, 0, PAGE) < 0, tn(m, "reset_buffer_zero"),
		   "cmd 0x%08x%s, first nonzero byte at %ld", cmd,
		   to ? ", START never cleared" : "", diff_byte(p6, 0, PAGE));
	v = fact(m, 5, WAIT_MS, &ok);
	tap_result(ok && v == 120, tn(m, "reset_works_after"),
		   "factorial 5 read %u", v);
}

/* ---- bad arguments ---- */

struct probe_out {
	const char *name;
	int ret, err;
};

#define NPROBE 16

/* The bad-argument probes on @d, for this device and its twin alike. */
static int run_probes(struct vt_dev *d, struct probe_out *o)
{
	union {
		struct vfio_device_info di;
		struct vfio_region_info ri;
		struct vfio_irq_info ii;
		struct vfio_irq_set set;
		uint8_t raw[64];
	} u;
	int efd[2] = { vt_eventfd(), vt_eventfd() };
	uint64_t off = 0, v;
	int n = 0;
	void *p;

#define PROBE(nm, call) do {						\
		errno = 0;						\
		o[n].name = nm;						\
		o[n].ret = (call) < 0 ? -1 : 0;				\
		o[n].err = o[n].ret ? errno : 0;			\
		n++;							\
	} while (0)
#define SET_IRQS(idx, fl, st, cnt, sz) do {				\
		memset(&u, 0, sizeof(u));				\
		u.set.argsz = (sz);					\
		u.set.flags = (fl);					\
		u.set.index = (idx);					\
		u.set.start = (st);					\
		u.set.count = (cnt);					\
		memcpy(u.set.data, efd, sizeof(efd));			\
	} while (0)

	memset(&u, 0, sizeof(u));
	u.ri.argsz = sizeof(u.ri);
	u.ri.index = VFIO_PCI_NUM_REGIONS;
	PROBE("region_index_9", ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &u));
	u.ri.argsz = sizeof(u.ri);
	u.ri.index = 0x7fffffff;
	PROBE("region_index_huge", ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &u));
	u.ri.argsz = 8;
	u.ri.index = 0;
	PROBE("region_argsz", ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &u));
	memset(&u, 0, sizeof(u));
	u.ii.argsz = sizeof(u.ii);
	u.ii.index = VFIO_PCI_NUM_IRQS;
	PROBE("irq_index_5", ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &u));
	u.ii.argsz = 8;
	u.ii.index = 0;
	PROBE("irq_info_argsz", ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &u));
	memset(&u, 0, sizeof(u));
	u.di.argsz = 4;
	PROBE("device_info_argsz", ioctl(d->fd, VFIO_DEVICE_GET_INFO, &u));

	SET_IRQS(VFIO_PCI_MSIX_IRQ_INDEX, VFIO_IRQ_SET_DATA_EVENTFD |
		 VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, sizeof(u.set) + 4);
	PROBE("set_irqs_msix", ioctl(d->fd, VFIO_DEVICE_SET_IRQS, &u));
	SET_IRQS(VFIO_PCI_MSI_IRQ_INDEX, VFIO_IRQ_SET_DATA_EVENTFD |
		 VFIO_IRQ_SET_ACTION_TRIGGER, 0, 2, sizeof(u.set) + 8);
	PROBE("set_irqs_msi_count_2", ioctl(d->fd, VFIO_DEVICE_SET_IRQS, &u));
	SET_IRQS(VFIO_PCI_MSI_IRQ_INDEX, VFIO_IRQ_SET_DATA_EVENTFD |
		 VFIO_IRQ_SET_ACTION_TRIGGER, 1, 1, sizeof(u.set) + 4);
	PROBE("set_irqs_msi_start_1", ioctl(d->fd, VFIO_DEVICE_SET_IRQS, &u));
	SET_IRQS(VFIO_PCI_NUM_IRQS, VFIO_IRQ_SET_DATA_NONE |
		 VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, sizeof(u.set));
	PROBE("set_irqs_index_5", ioctl(d->fd, VFIO_DEVICE_SET_IRQS, &u));
	SET_IRQS(VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_DATA_NONE |
		 VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1,
		 sizeof(u.set) + 1);
	PROBE("set_irqs_two_data_types", ioctl(d->fd, VFIO_DEVICE_SET_IRQS, &u));
	SET_IRQS(VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_DATA_EVENTFD |
		 VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, sizeof(u.set));
	PROBE("set_irqs_no_room_for_data", ioctl(d->fd, VFIO_DEVICE_SET_IRQS, &u));
	SET_IRQS(VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_DATA_NONE |
		 VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, 8);
	PROBE("set_irqs_argsz", ioctl(d->fd, VFIO_DEVICE_SET_IRQS, &u));

	vt_region_offset(d->fd, BAR0, &off, NULL);
	PROBE("bar0_read_past_end", pread(d->fd, &v, 4, off + (1 << 20)));
	vt_region_offset(d->fd, VFIO_PCI_BAR1_REGION_INDEX, &off, NULL);
	PROBE("bar1_read", pread(d->fd, &v, 4, off));
	vt_region_offset(d->fd, BAR0, &off, NULL);
	PROBE("bar0_mmap", (p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				     MAP_SHARED, d->fd, off)) == MAP_FAILED ?
			   -1 : 0);
	if (p != MAP_FAILED)
		munmap(p, PAGE);
#undef PROBE
#undef SET_IRQS
	close(efd[0]);
	close(efd[1]);
	return n;
}

static void check_errors(struct inst *m, struct vt_dev *twin)
{
	struct probe_out o[NPROBE + 2], t[NPROBE + 2];
	int n, k;

	n = run_probes(&m->d, o);
	for (k = 0; k < n; k++)
		tap_result(o[k].ret == -1 && o[k].err == EINVAL,
			   tn(m, "einval_%s", o[k].name),
			   "returned %d, errno %d (%s), want EINVAL", o[k].ret,
			   o[k].err, strerror(o[k].err));
	if (!twin)
		return;
	run_probes(twin, t);
	for (k = 0; k < n; k++) {
		/* The physical twin's BAR0 may be mmapped: not compared. */
		if (!strcmp(o[k].name, "bar0_mmap"))
			continue;
		tap_result(o[k].ret == t[k].ret && o[k].err == t[k].err,
			   tn(m, "twin_%s", o[k].name),
			   "mdev %d/%s, vfio-pci %d/%s", o[k].ret,
			   strerror(o[k].err), t[k].ret, strerror(t[k].err));
	}
}

/* ---- twin: what a physical edu on vfio-pci shows ---- */

static void check_twin(struct inst *m, struct vt_dev *t)
{
	uint8_t ida[48], idb[48], ma, mb;
	struct vfio_region_info *ra, *rb;
	struct vfio_irq_info ia, ib;
	uint32_t a, b, k;
	int na, nb, ea, eb;

	tap_result(m->d.info.num_regions == t->info.num_regions &&
		   m->d.info.num_irqs == t->info.num_irqs &&
		   (m->d.info.flags & VFIO_DEVICE_FLAGS_PCI) ==
		   (t->info.flags & VFIO_DEVICE_FLAGS_PCI),
		   tn(m, "twin_device_info"),
		   "mdev flags 0x%x %u/%u, vfio-pci flags 0x%x %u/%u",
		   m->d.info.flags, m->d.info.num_regions, m->d.info.num_irqs,
		   t->info.flags, t->info.num_regions, t->info.num_irqs);
	for (k = 0; k < VFIO_PCI_NUM_REGIONS; k++) {
		uint32_t fa, fb, ign = 0;

		ea = vt_region_info(m->d.fd, k, &ra);
		eb = vt_region_info(t->fd, k, &rb);
		/* Only the physical BAR0 may be mapped. */
		if (k == BAR0)
			ign = VFIO_REGION_INFO_FLAG_MMAP |
			      VFIO_REGION_INFO_FLAG_CAPS;
		fa = ea ? 0 : ra->flags & ~ign;
		fb = eb ? 0 : rb->flags & ~ign;
		tap_result(ea == eb && (ea || (ra->size == rb->size && fa == fb)),
			   tn(m, "twin_region_%u", k),
			   "mdev %d size 0x%llx flags 0x%x, vfio-pci %d size 0x%llx flags 0x%x",
			   ea, ea ? 0ULL : (unsigned long long)ra->size, fa, eb,
			   eb ? 0ULL : (unsigned long long)rb->size, fb);
		free(ra);
		free(rb);
	}
	for (k = 0; k < VFIO_PCI_NUM_IRQS; k++) {
		ea = vt_irq_info(m->d.fd, k, &ia);
		eb = vt_irq_info(t->fd, k, &ib);
		tap_result(ea == eb && ia.count == ib.count && ia.flags == ib.flags,
			   tn(m, "twin_irq_%u", k),
			   "mdev %d count %u flags 0x%x, vfio-pci %d count %u flags 0x%x",
			   ea, ia.count, ia.flags, eb, ib.count, ib.flags);
	}
	{
		static const struct { const char *name; uint32_t pos; int w; } f[] = {
			{ "ids", PCI_VENDOR_ID, 4 },
			{ "class_revision", PCI_CLASS_REVISION, 4 },
			{ "subsystem", 0x2c, 4 },
			{ "header_type", PCI_HEADER_TYPE, 1 },
			{ "interrupt_pin", PCI_INTERRUPT_PIN, 1 },
			{ "status_caps", PCI_STATUS, 2 },
		};

		for (k = 0; k < ARRAY_LEN(f); k++) {
			a = cfg_rd(&m->d, f[k].pos, f[k].w);
			b = cfg_rd(t, f[k].pos, f[k].w);
			if (f[k].pos == PCI_STATUS) {
				a &= PCI_STATUS_CAP_LIST;
				b &= PCI_STATUS_CAP_LIST;
			}
			tap_result(a == b, tn(m, "twin_cfg_%s", f[k].name),
				   "mdev 0x%x, vfio-pci 0x%x", a, b);
		}
	}
	na = cap_list(&m->d, ida, ARRAY_LEN(ida), &ma);
	nb = cap_list(t, idb, ARRAY_LEN(idb), &mb);
	tap_result(na == nb && na >= 0 && !memcmp(ida, idb, na),
		   tn(m, "twin_cfg_capabilities"), "mdev %d, vfio-pci %d capabilities (or other IDs)",
		   na, nb);
	if (ma && mb) {
		a = cfg_rd(&m->d, ma + PCI_MSI_FLAGS, 2) & ~PCI_MSI_FLAGS_ENABLE;
		b = cfg_rd(t, mb + PCI_MSI_FLAGS, 2) & ~PCI_MSI_FLAGS_ENABLE;
		tap_result(a == b, tn(m, "twin_cfg_msi_flags"),
			   "mdev 0x%04x, vfio-pci 0x%04x", a, b);
	}
	a = bar_sizing(&m->d, PCI_BASE_ADDRESS_0);
	b = bar_sizing(t, PCI_BASE_ADDRESS_0);
	tap_result(a == b, tn(m, "twin_cfg_bar0_sizing"),
		   "mdev 0x%08x, vfio-pci 0x%08x", a, b);
	for (k = PCI_BASE_ADDRESS_1; k <= PCI_BASE_ADDRESS_5; k += 4) {
		a = bar_sizing(&m->d, k);
		b = bar_sizing(t, k);
		tap_result(a == b, tn(m, "twin_cfg_bar%u_sizing",
				      (k - PCI_BASE_ADDRESS_0) / 4),
			   "mdev 0x%08x, vfio-pci 0x%08x", a, b);
	}
}

/* ---- isolation ---- */

static void check_isolation_seq(void)
{
	uint32_t v, want;
	int i, j, bad;

	/* Registers: each keeps its own liveness. */
	for (i = 0; i < ninst; i++)
		wr(&insts[i], VFPCI_EDU_REG_LIVENESS, 0x1000 + i);
	for (i = 0; i < ninst; i++) {
		v = rd(&insts[i], VFPCI_EDU_REG_LIVENESS);
		tap_result(v == (uint32_t)~(0x1000 + i),
			   tn(&insts[i], "iso_liveness"),
			   "read 0x%08x, want 0x%08x", v, ~(0x1000 + i));
	}
	/* Factorials started on all, then collected. */
	for (i = 0; i < ninst; i++)
		wr(&insts[i], VFPCI_EDU_REG_FACT, 5 + i);
	for (i = 0; i < ninst; i++) {
		bool ok = wait_clear(&insts[i], VFPCI_EDU_REG_STATUS,
				     VFPCI_EDU_STATUS_BUSY, WAIT_MS, NULL);

		v = rd(&insts[i], VFPCI_EDU_REG_FACT);
		tap_result(ok && v == fact32(5 + i), tn(&insts[i], "iso_fact"),
			   "read %u, want %u%s", v, fact32(5 + i),
			   ok ? "" : " (busy never cleared)");
	}
	/* Interrupts: a raise on one reaches no other. */
	for (i = 0; i < ninst; i++) {
		irq_use(&insts[i], VFIO_PCI_MSI_IRQ_INDEX);
		wr(&insts[i], VFPCI_EDU_REG_IRQ_ACK, ~0U);
		vt_eventfd_drain(insts[i].efd_msi);
	}
	for (i = 0; i < ninst; i++) {
		raise_irq(&insts[i], 0x1000 << i);
		bad = 0;
		v = vt_eventfd_wait(insts[i].efd_msi, WAIT_MS) > 0;
		for (j = 0; j < ninst; j++) {
			want = j == i ? 0x1000u << i : 0;
			if (rd(&insts[j], VFPCI_EDU_REG_IRQ_STATUS) != want)
				bad |= 1 << j;
			if (j != i && vt_eventfd_wait(insts[j].efd_msi, 50) != 0)
				bad |= 0x10000 << j;
		}
		tap_result(v && !bad, tn(&insts[i], "iso_irq"),
			   "own interrupt %s, others' status/eventfd mask 0x%x",
			   v ? "came" : "missing", bad);
		wr(&insts[i], VFPCI_EDU_REG_IRQ_ACK, ~0U);
	}
	/* Buffers and DMA: the same IOVA in each container, own memory. */
	for (i = 0; i < ninst; i++) {
		fill_pat(insts[i].ram + 8 * PAGE, i + 8, 3, PAGE);
		dma(&insts[i], iova(8 * PAGE), BUF, BUFSZ, VFPCI_EDU_DMA_START,
		    NULL);
	}
	for (i = 0; i < ninst; i++) {
		long at;

		memset(insts[i].ram + 9 * PAGE, FILL, PAGE);
		v = dma(&insts[i], BUF, iova(9 * PAGE), BUFSZ,
			VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_TO_RAM, NULL);
		at = diff_pat(insts[i].ram + 9 * PAGE, i + 8, 3, 0, PAGE);
		tap_result(at < 0 && !(v & VFPCI_EDU_DMA_ERROR),
			   tn(&insts[i], "iso_buffer"),
			   "cmd 0x%08x, first byte not its own at %ld", v, at);
	}
}

struct iso_result {
	int rounds, fact_bad, dma_bad, irq_bad, live_bad, timeouts;
};

#define ISO_ROUNDS 4

/* One instance's share of the concurrent isolation run. */
static void *iso_thread(void *arg)
{
	struct inst *m = arg;
	struct iso_result *res = calloc(1, sizeof(*res));
	int r, i = m->idx;

	for (r = 0; r < ISO_ROUNDS; r++) {
		uint32_t n = (i * 5 + r * 3) % 21, v, cmd;
		uint8_t *src = m->ram + 10 * PAGE, *dst = m->ram + 11 * PAGE;
		int64_t got;
		bool to;

		wr(m, VFPCI_EDU_REG_LIVENESS, (i << 16) | r);
		/* Factorial with its interrupt. */
		wr(m, VFPCI_EDU_REG_STATUS, VFPCI_EDU_STATUS_IRQFACT);
		wr(m, VFPCI_EDU_REG_FACT, n);
		got = vt_eventfd_wait(m->efd_msi, WAIT_MS);
		v = rd(m, VFPCI_EDU_REG_FACT);
		if (got != 1 || rd(m, VFPCI_EDU_REG_IRQ_STATUS) != VFPCI_EDU_IRQ_FACT)
			res->irq_bad++;
		if (v != fact32(n))
			res->fact_bad++;
		wr(m, VFPCI_EDU_REG_IRQ_ACK, ~0U);
		wr(m, VFPCI_EDU_REG_STATUS, 0);
		/* DMA round trip with interrupts. */
		fill_pat(src, i, 10 + r, PAGE);
		memset(dst, FILL, PAGE);
		cmd = dma(m, iova(10 * PAGE), BUF, BUFSZ,
			  VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_IRQ, &to);
		res->timeouts += to;
		got = vt_eventfd_wait(m->efd_msi, WAIT_MS);
		if (got != 1 || rd(m, VFPCI_EDU_REG_IRQ_STATUS) != VFPCI_EDU_IRQ_DMA)
			res->irq_bad++;
		wr(m, VFPCI_EDU_REG_IRQ_ACK, ~0U);
		cmd |= dma(m, BUF, iova(11 * PAGE), BUFSZ, VFPCI_EDU_DMA_START |
			   VFPCI_EDU_DMA_TO_RAM | VFPCI_EDU_DMA_IRQ, &to);
		res->timeouts += to;
		got = vt_eventfd_wait(m->efd_msi, WAIT_MS);
		if (got != 1 || rd(m, VFPCI_EDU_REG_IRQ_STATUS) != VFPCI_EDU_IRQ_DMA)
			res->irq_bad++;
		wr(m, VFPCI_EDU_REG_IRQ_ACK, ~0U);
		if ((cmd & VFPCI_EDU_DMA_ERROR) ||
		    diff_pat(dst, i, 10 + r, 0, PAGE) >= 0)
			res->dma_bad++;
		if (rd(m, VFPCI_EDU_REG_LIVENESS) != (uint32_t)~((i << 16) | r))
			res->live_bad++;
		res->rounds++;
	}
	/* Nothing left over from anyone. */
	if (vt_eventfd_wait(m->efd_msi, QUIET_MS) != 0)
		res->irq_bad++;
	return res;
}

static void check_isolation_concurrent(void)
{
	pthread_t th[MAX_INST];
	struct iso_result *res;
	uint64_t t0 = now_ms();
	int i;

	for (i = 0; i < ninst; i++) {
		irq_use(&insts[i], VFIO_PCI_MSI_IRQ_INDEX);
		wr(&insts[i], VFPCI_EDU_REG_IRQ_ACK, ~0U);
		vt_eventfd_drain(insts[i].efd_msi);
		pthread_create(&th[i], NULL, iso_thread, &insts[i]);
	}
	for (i = 0; i < ninst; i++) {
		pthread_join(th[i], (void **)&res);
		tap_result(res->rounds == ISO_ROUNDS && !res->fact_bad &&
			   !res->dma_bad && !res->irq_bad && !res->live_bad &&
			   !res->timeouts, tn(&insts[i], "iso_concurrent"),
			   "%d rounds: %d wrong factorials, %d wrong DMA, %d wrong interrupts, %d wrong liveness, %d time outs",
			   res->rounds, res->fact_bad, res->dma_bad, res->irq_bad,
			   res->live_bad, res->timeouts);
		free(res);
	}
	tap_diag("concurrent isolation: %d instances x %d rounds in %llu ms",
		 ninst, ISO_ROUNDS, (unsigned long long)(now_ms() - t0));
}

/* ---- modes ---- */

struct wl {
	struct inst *m;
	int rounds;
	int facts, dmas, irqs, errors;
	char first[160];
	uint64_t ms;
};

static void wl_err(struct wl *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void wl_err(struct wl *w, const char *fmt, ...)
{
	va_list ap;

	if (!w->errors++) {
		va_start(ap, fmt);
		vsnprintf(w->first, sizeof(w->first), fmt, ap);
		va_end(ap);
	}
}

/* The demo's work: factorials and DMA round trips, completions by MSI. */
static void *wl_thread(void *arg)
{
	struct wl *w = arg;
	struct inst *m = w->m;
	uint64_t t0 = now_ms();
	int r;

	for (r = 0; r < w->rounds; r++) {
		uint32_t n = r % 21, v, cmd;
		uint8_t *src = m->ram + (r % 4) * PAGE;
		uint8_t *dst = m->ram + (4 + r % 4) * PAGE;
		bool to;

		wr(m, VFPCI_EDU_REG_STATUS, VFPCI_EDU_STATUS_IRQFACT);
		wr(m, VFPCI_EDU_REG_FACT, n);
		if (vt_eventfd_wait(m->efd_msi, WAIT_MS) > 0)
			w->irqs++;
		else
			wl_err(w, "round %d: no factorial interrupt", r);
		v = rd(m, VFPCI_EDU_REG_FACT);
		if (v == fact32(n))
			w->facts++;
		else
			wl_err(w, "round %d: %u! read %u", r, n, v);
		wr(m, VFPCI_EDU_REG_IRQ_ACK, ~0U);

		fill_pat(src, m->idx, r, PAGE);
		memset(dst, FILL, PAGE);
		cmd = dma(m, iova((r % 4) * PAGE), BUF, BUFSZ,
			  VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_IRQ, &to);
		if (vt_eventfd_wait(m->efd_msi, WAIT_MS) > 0)
			w->irqs++;
		else
			wl_err(w, "round %d: no DMA-in interrupt (cmd 0x%08x)",
			       r, cmd);
		wr(m, VFPCI_EDU_REG_IRQ_ACK, ~0U);
		cmd |= dma(m, BUF, iova((4 + r % 4) * PAGE), BUFSZ,
			   VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_TO_RAM |
			   VFPCI_EDU_DMA_IRQ, &to);
		if (vt_eventfd_wait(m->efd_msi, WAIT_MS) > 0)
			w->irqs++;
		else
			wl_err(w, "round %d: no DMA-out interrupt (cmd 0x%08x)",
			       r, cmd);
		wr(m, VFPCI_EDU_REG_IRQ_ACK, ~0U);
		if (!(cmd & VFPCI_EDU_DMA_ERROR) &&
		    diff_pat(dst, m->idx, r, 0, PAGE) < 0)
			w->dmas++;
		else
			wl_err(w, "round %d: DMA round trip wrong (cmd 0x%08x, byte %ld)",
			       r, cmd, diff_pat(dst, m->idx, r, 0, PAGE));
	}
	w->ms = now_ms() - t0;
	return NULL;
}

static int mode_workload(int rounds)
{
	pthread_t th[MAX_INST];
	struct wl w[MAX_INST];
	int i;

	memset(w, 0, sizeof(w));
	for (i = 0; i < ninst; i++) {
		w[i].m = &insts[i];
		w[i].rounds = rounds;
		irq_use(&insts[i], VFIO_PCI_MSI_IRQ_INDEX);
		wr(&insts[i], VFPCI_EDU_REG_IRQ_ACK, ~0U);
		vt_eventfd_drain(insts[i].efd_msi);
	}
	for (i = 0; i < ninst; i++)
		pthread_create(&th[i], NULL, wl_thread, &w[i]);
	for (i = 0; i < ninst; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < ninst; i++) {
		tap_diag("workload %s: %d rounds, %d factorials, %d DMA round trips, %d interrupts, %d errors, %llu ms",
			 insts[i].uuid, rounds, w[i].facts, w[i].dmas,
			 w[i].irqs, w[i].errors, (unsigned long long)w[i].ms);
		tap_result(!w[i].errors && w[i].facts == rounds &&
			   w[i].dmas == rounds && w[i].irqs == 3 * rounds,
			   tn(&insts[i], "workload"), "%d errors, first: %s",
			   w[i].errors, w[i].first);
	}
	return 0;
}

/* Leave interrupts raised, work pending, nothing acked, and go. */
static int mode_never_ack(void)
{
	int i, ret;

	for (i = 0; i < ninst; i++) {
		struct inst *m = &insts[i];

		ret = irq_use(m, i == 0 ? VFIO_PCI_INTX_IRQ_INDEX :
			      VFIO_PCI_MSI_IRQ_INDEX);
		wr(m, VFPCI_EDU_REG_STATUS, VFPCI_EDU_STATUS_IRQFACT);
		wr(m, VFPCI_EDU_REG_FACT, 12);
		raise_irq(m, 0x1);
		fill_pat(m->ram, i, 0, PAGE);
		wr(m, VFPCI_EDU_REG_DMA_SRC, iova(0));
		wr(m, VFPCI_EDU_REG_DMA_DST, BUF);
		wr(m, VFPCI_EDU_REG_DMA_CNT, BUFSZ);
		wr(m, VFPCI_EDU_REG_DMA_CMD,
		   VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_IRQ);
		tap_result(!ret && !m->io_err, tn(m, "never_ack"),
			   "SET_IRQS %s, BAR0 access %s", strerror(-ret),
			   strerror(m->io_err));
	}
	/* No close, no disable, no ack: exit() drops it all. */
	fflush(stdout);
	_exit(tap_failures() ? 1 : 0);
}

static int mode_hold_req(const char *ready, int secs)
{
	struct inst *m = &insts[0];
	uint64_t t0;
	int64_t got;
	int ret, fd;

	ret = vt_irq_set_eventfds(m->d.fd, VFIO_PCI_REQ_IRQ_INDEX, 0, 1,
				  &m->efd_req);
	if (!tap_result(!ret, tn(m, "req_enable"), "SET_IRQS REQ: %s",
			strerror(-ret)))
		return tap_summary();
	fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0)
		close(fd);
	t0 = now_ms();
	got = vt_eventfd_wait(m->efd_req, secs * 1000);
	tap_result(got > 0, tn(m, "req_fired"), "no REQ in %d s", secs);
	tap_diag("%s: REQ after %llu ms; closing in 1 s", m->name,
		 (unsigned long long)(now_ms() - t0));
	/* The remove must still wait for us. */
	sleep(1);
	/* Said before the close: the remove may return the moment it ends. */
	fd = open(ready, O_WRONLY | O_APPEND);
	if (fd >= 0) {
		if (write(fd, "closed\n", 7) != 7)
			tap_diag("cannot write %s", ready);
		close(fd);
	}
	inst_close(m);
	return tap_summary();
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tag", required_argument, NULL, 'T' },
		{ "twin", required_argument, NULL, 't' },
		{ "workload", required_argument, NULL, 'w' },
		{ "never-ack", no_argument, NULL, 'n' },
		{ "hold-req", required_argument, NULL, 'h' },
		{ "req-timeout", required_argument, NULL, 'r' },
		{}
	};
	const char *twin_bdf = NULL, *ready = NULL;
	int c, i, ret, rounds = 0, req_secs = 60;
	bool never_ack = false;
	struct vt_dev twin;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'T':
			tag = optarg;
			break;
		case 't':
			twin_bdf = optarg;
			break;
		case 'w':
			rounds = atoi(optarg);
			break;
		case 'n':
			never_ack = true;
			break;
		case 'h':
			ready = optarg;
			break;
		case 'r':
			req_secs = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind >= argc || argc - optind > MAX_INST)
		goto usage;
	setvbuf(stdout, NULL, _IOLBF, 0);
	ninst = argc - optind;
	for (i = 0; i < ninst; i++) {
		insts[i].idx = i;
		insts[i].uuid = argv[optind + i];
		ret = inst_open(&insts[i]);
		if (!tap_result(!ret, tn(&insts[i], "open"), "open %s: %s",
				insts[i].uuid, strerror(-ret)))
			return tap_summary();
	}
	if (ready)
		return mode_hold_req(ready, req_secs);
	if (never_ack)
		return mode_never_ack();
	if (rounds > 0) {
		mode_workload(rounds);
		goto out;
	}

	if (twin_bdf) {
		ret = vt_bind_open(&twin, twin_bdf, "vfio-pci");
		if (!tap_result(!ret, tn(NULL, "twin_open"), "%s on vfio-pci: %s",
				twin_bdf, strerror(-ret)))
			twin_bdf = NULL;
	}
	for (i = 0; i < ninst; i++) {
		struct inst *m = &insts[i];
		uint64_t t0 = now_ms();

		check_info(m);
		check_config(m);
		if (twin_bdf && i == 0)
			check_twin(m, &twin);
		check_regs(m);
		check_intx(m);
		check_msi(m);
		check_dma(m);
		check_dma_refused(m);
		check_errors(m, twin_bdf && i == 0 ? &twin : NULL);
		check_reset(m);
		tap_diag("%s (%s): %llu ms", m->name, m->uuid,
			 (unsigned long long)(now_ms() - t0));
	}
	if (twin_bdf)
		vt_close(&twin);
	if (ninst > 1) {
		check_isolation_seq();
		check_isolation_concurrent();
	}
out:
	for (i = 0; i < ninst; i++)
		inst_close(&insts[i]);
	return tap_summary();
usage:
	fprintf(stderr,
		"usage: edu_mdev [--tag T] [--twin BDF] UUID...\n"
		"       edu_mdev [--tag T] --workload N UUID...\n"
		"       edu_mdev [--tag T] --never-ack UUID...\n"
		"       edu_mdev [--tag T] --hold-req FILE [--req-timeout S] UUID\n");
	return 2;
}
