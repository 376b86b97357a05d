// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfpci_bench: time the VFIO uAPI paths of two twin edu devices, one
 * metric at a time, alternating between the devices so that both see the
 * same machine load.  It measures whatever drivers the devices are bound
 * to; bench/run binds them (vfio-pci against vfpci, or vfio-pci against
 * itself for the noise floor) and turns the samples into ratios.
 *
 * Usage: vfpci_bench [--tag T] [--rounds N] [--window-ms MS] [--samples N]
 *                    [--only M1,M2,...] [--nvme BDF_C,BDF_D] [--list]
 *                    [--mix-profile REPS] BDF_A BDF_B
 *
 * --nvme names twin NVMe controllers bound like A and B (C with A's
 * driver, D with B's): the 4 KiB config read and the guest boot mix use
 * them beside the edus, and are skipped without them.  --mix-profile
 * (with --nvme) prints the mean time of each access of both boot mixes
 * over REPS replays instead of running the metrics.
 *
 * Output, one line per sample (plus "#" comments):
 *   M <metric> <unit> <higher|lower>            once per metric
 *   R <tag> <round> <metric> <bdf> <driver> <value>
 * Throughput metrics give operations per second over a time window;
 * latency metrics give the median of --samples timed operations, in us.
 * Run it pinned to one CPU (taskset -c 0) on a guest booted with
 * irqaffinity=0, so interrupts and the waiting thread share that CPU.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "vfpci_test.h"

#define EDU_ID		0x00
#define EDU_LIVENESS	0x04
#define EDU_RAISE	0x60
#define EDU_ACK		0x64
#define EDU_IRQ_BIT	0x1

#define PAGE		4096
#define IRQ_WAIT_MS	2000
#define IOEFD_DATA	0x5aa5c33cu
#define MAX_SAMPLES	1000
#define MIX_MAX		512

/* One config access of the guest boot mix. */
struct cfg_op {
	uint16_t pos;
	uint8_t len;
	bool write;
	bool toggle;	/* a COMMAND write switching decode or mastering */
	uint32_t val;
};

/* The config accesses of a Linux guest enumerating one device. */
struct mix {
	struct cfg_op op[MIX_MAX];
	int n;
	uint32_t cmd;	/* COMMAND as the mix leaves it so far */
};

struct bdev {
	struct vt_dev d;
	uint64_t bar0;		/* file offset of BAR0 */
	uint64_t bar0_size;
	uint32_t cap;		/* config offset of the first capability */
	volatile uint32_t *map;	/* BAR0 mapping of the current metric */
	size_t map_len;
	int efd;		/* interrupt eventfd of the current metric */
	int ioefd;		/* registered ioeventfd */
	uint32_t seq;
	struct bdev *nvme;	/* twin NVMe bound like this edu, or NULL */
	struct mix *mix;	/* its boot mix, built by the metric's setup */
};

enum kind { THROUGHPUT, LATENCY };

struct metric {
	const char *name;
	enum kind kind;
	int batch;		/* throughput: ops between clock reads */
	int (*setup)(struct bdev *b);
	/* One operation: 0 or -errno; latency ops return their time. */
	int (*op)(struct bdev *b, uint64_t *ns);
	void (*teardown)(struct bdev *b);
	const char *what;
	bool nvme;		/* needs --nvme */
};

static unsigned int window_ms = 60;
static unsigned int samples = 31;
static unsigned int rounds = 15;
static const char *tag = "run";

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* ---- small device helpers ---- */

static int cfg_rd16(struct bdev *b, uint32_t pos, uint16_t *v)
{
	return pread(b->d.fd, v, 2, b->d.cfg_off + pos) == 2 ? 0 : -errno;
}

static int cfg_wr16(struct bdev *b, uint32_t pos, uint16_t v)
{
	return pwrite(b->d.fd, &v, 2, b->d.cfg_off + pos) == 2 ? 0 : -errno;
}

/* Set @on and clear @off in the COMMAND register. */
static int cmd_update(struct bdev *b, uint16_t on, uint16_t off)
{
	uint16_t cmd;
	int ret = cfg_rd16(b, PCI_COMMAND, &cmd);

	if (ret)
		return ret;
	return cfg_wr16(b, PCI_COMMAND, (cmd | on) & ~off);
}

static int map_bar0(struct bdev *b, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       b->d.fd, b->bar0);

	if (p == MAP_FAILED)
		return -errno;
	b->map = p;
	b->map_len = len;
	return 0;
}

static void unmap_bar0(struct bdev *b)
{
	if (b->map)
		munmap((void *)b->map, b->map_len);
	b->map = NULL;
}

static int irq_set(struct bdev *b, uint32_t index, uint32_t flags,
		   uint32_t count, int32_t data)
{
	struct {
		struct vfio_irq_set s;
		int32_t data;
	} set = {
		.s = {
			.argsz = sizeof(set.s),
			.flags = flags,
			.index = index,
			.count = count,
		},
		.data = data,	/* a bool is its first byte: little endian */
	};

	if (flags & VFIO_IRQ_SET_DATA_EVENTFD)
		set.s.argsz += count * sizeof(int32_t);
	else if (flags & VFIO_IRQ_SET_DATA_BOOL)
		set.s.argsz += count;
	return ioctl(b->d.fd, VFIO_DEVICE_SET_IRQS, &set) < 0 ? -errno : 0;
}

/* Wait for the eventfd of the metric and consume it. */
static int wait_efd(struct bdev *b)
{
	struct pollfd p = { .fd = b->efd, .events = POLLIN };
	uint64_t v;
	int n = poll(&p, 1, IRQ_WAIT_MS);

	if (n < 0)
		return -errno;
	if (n == 0)
		return -ETIMEDOUT;
	return read(b->efd, &v, sizeof(v)) == sizeof(v) ? 0 : -errno;
}

static int new_efd(struct bdev *b)
{
	b->efd = vt_eventfd();
	return b->efd < 0 ? b->efd : 0;
}

static void close_efd(struct bdev *b)
{
	if (b->efd >= 0)
		close(b->efd);
	b->efd = -1;
}

/* ---- 1. config space ---- */

/*
 * A zero-length read: system call, VFS and VFIO dispatch down to the
 * driver's read op, which returns at once.  The fixed cost every region
 * access pays before any driver work: the baseline for the ratios.
 */
static int op_null_rd(struct bdev *b, uint64_t *ns)
{
	uint32_t v;

	(void)ns;
	return pread(b->d.fd, &v, 0, b->d.cfg_off) == 0 ? 0 : -errno;
}

static int op_cfg_rd_hdr(struct bdev *b, uint64_t *ns)
{
	uint32_t v;

	(void)ns;
	return pread(b->d.fd, &v, 4, b->d.cfg_off) == 4 ? 0 : -errno;
}

static int op_cfg_rd_cap(struct bdev *b, uint64_t *ns)
{
	uint32_t v;

	(void)ns;
	return pread(b->d.fd, &v, 4, b->d.cfg_off + b->cap) == 4 ? 0 : -errno;
}

/* The whole config space of the edu (256 B) in one read. */
static int op_cfg_rd_256(struct bdev *b, uint64_t *ns)
{
	uint8_t v[256];

	(void)ns;
	return pread(b->d.fd, v, sizeof(v), b->d.cfg_off) == sizeof(v) ?
	       0 : -errno;
}

/* What QEMU reads at start-up: the whole 4 KiB of a PCIe device. */
static int op_cfg_rd_4k(struct bdev *b, uint64_t *ns)
{
	struct bdev *n = b->nvme;
	uint8_t v[4096];

	(void)ns;
	if (n->d.cfg_size != sizeof(v))
		return -EINVAL;
	return pread(n->d.fd, v, sizeof(v), n->d.cfg_off) == sizeof(v) ?
	       0 : -errno;
}

/* ---- the guest boot mix ---- */

/*
 * Reconstructed from drivers/pci/probe.c and its callers as of 6.1: what
 * a Linux guest reads and writes while it enumerates a device and its
 * driver enables it.  QEMU forwards to the device fd every access that
 * touches bits it does not emulate and every write; the mix sends them
 * all, so it is the most a guest can ask of the fd.  Writes put back
 * what was read (BAR sizing writes ~0 first), so replaying it changes
 * nothing.
 */
static uint64_t mix_val(struct vt_dev *d, unsigned int pos, int len)
{
	uint64_t v = 0;

	vt_cfg_read(d, pos, len, &v);
	return v;
}

static void mix_add(struct mix *m, struct vt_dev *d, unsigned int pos,
		    int len, bool write, uint32_t val)
{
	if (m->n >= MIX_MAX)
		return;
	bool toggle = write && pos == PCI_COMMAND &&
		      ((val ^ m->cmd) & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
					 PCI_COMMAND_MASTER));

	if (!write)
		val = mix_val(d, pos, len);
	if (write && pos == PCI_COMMAND)
		m->cmd = val;
	m->op[m->n++] = (struct cfg_op){ pos, len, write, toggle, val };
}

static void mix_rd(struct mix *m, struct vt_dev *d, unsigned int pos,
		   int len)
{
	mix_add(m, d, pos, len, false, 0);
}

static void mix_wr(struct mix *m, struct vt_dev *d, unsigned int pos,
		   int len, uint32_t val)
{
	mix_add(m, d, pos, len, true, val);
}

/* pci_find_capability(): status, the list head, then id+next words. */
static unsigned int mix_find_cap(struct mix *m, struct vt_dev *d, int id)
{
	unsigned int pos, loops = 48;

	mix_rd(m, d, PCI_STATUS, 2);
	if (!(mix_val(d, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return 0;
	mix_rd(m, d, PCI_CAPABILITY_LIST, 1);
	pos = mix_val(d, PCI_CAPABILITY_LIST, 1) & ~3u;
	while (pos >= 0x40 && loops--) {
		uint64_t ent = mix_val(d, pos, 2);

		mix_rd(m, d, pos, 2);
		if ((ent & 0xff) == (uint64_t)id)
			return pos;
		pos = (ent >> 8) & ~3u;
	}
	return 0;
}

/* pci_find_ext_capability(): a dword per capability from 0x100. */
static void mix_find_ecap(struct mix *m, struct vt_dev *d, int id)
{
	unsigned int pos = 0x100, loops = (4096 - 256) / 8;

	if (d->cfg_size <= 0x100)
		return;
	while (pos >= 0x100 && loops--) {
		uint64_t hdr = mix_val(d, pos, 4);

		mix_rd(m, d, pos, 4);
		if (!hdr || (hdr & 0xffff) == (uint64_t)id)
			return;
		pos = (hdr >> 20) & 0xffc;
	}
}

/* __pci_read_base() for every BAR and the ROM, decode off around it. */
static void mix_bars(struct mix *m, struct vt_dev *d)
{
	uint32_t cmd = mix_val(d, PCI_COMMAND, 2);
	unsigned int pos;

	mix_rd(m, d, PCI_COMMAND, 2);
	mix_wr(m, d, PCI_COMMAND, 2,
	       cmd & ~(PCI_COMMAND_MEMORY | PCI_COMMAND_IO));
	for (pos = PCI_BASE_ADDRESS_0; pos <= PCI_ROM_ADDRESS; pos += 4) {
		uint32_t v;

		if (pos > PCI_BASE_ADDRESS_5 && pos != PCI_ROM_ADDRESS)
			continue;
		v = mix_val(d, pos, 4);
		mix_rd(m, d, pos, 4);
		mix_wr(m, d, pos, 4, pos == PCI_ROM_ADDRESS ?
		       (uint32_t)PCI_ROM_ADDRESS_MASK : 0xffffffffu);
		mix_add(m, d, pos, 4, false, 0);
		mix_wr(m, d, pos, 4, v);
	}
	mix_wr(m, d, PCI_COMMAND, 2, cmd);
}

static void mix_build(struct mix *m, struct vt_dev *d)
{
	static const int ecaps[] = { 0x0e, 0x10, 0x0f, 0x13, 0x1b, 0x0d,
				     0x1f, 0x01, 0x1d, 0x1e, 0x03 };
	unsigned int exp, pm, msi, msix;
	uint32_t cmd;
	size_t i;

	m->n = 0;
	m->cmd = mix_val(d, PCI_COMMAND, 2);
	/* pci_scan_device(), pci_setup_device() */
	mix_rd(m, d, PCI_VENDOR_ID, 4);
	mix_rd(m, d, PCI_HEADER_TYPE, 1);
	mix_rd(m, d, PCI_CLASS_REVISION, 4);
	exp = mix_find_cap(m, d, PCI_CAP_ID_EXP);
	if (exp)
		mix_rd(m, d, exp + PCI_EXP_FLAGS, 2);
	if (d->cfg_size > 0x100)	/* pci_cfg_space_size() */
		mix_rd(m, d, 0x100, 4);
	mix_rd(m, d, PCI_INTERRUPT_PIN, 1);
	mix_rd(m, d, PCI_INTERRUPT_LINE, 1);
	mix_bars(m, d);
	mix_rd(m, d, PCI_SUBSYSTEM_VENDOR_ID, 2);
	mix_rd(m, d, PCI_SUBSYSTEM_ID, 2);
	/* pci_init_capabilities() */
	mix_find_cap(m, d, PCI_CAP_ID_EA);
	msi = mix_find_cap(m, d, PCI_CAP_ID_MSI);
	if (msi)
		mix_rd(m, d, msi + PCI_MSI_FLAGS, 2);
	msix = mix_find_cap(m, d, PCI_CAP_ID_MSIX);
	if (msix)
		mix_rd(m, d, msix + PCI_MSIX_FLAGS, 2);
	pm = mix_find_cap(m, d, PCI_CAP_ID_PM);
	if (pm) {
		mix_rd(m, d, pm + PCI_PM_PMC, 2);
		mix_rd(m, d, pm + PCI_PM_CTRL, 2);
	}
	mix_find_cap(m, d, PCI_CAP_ID_VPD);
	mix_find_cap(m, d, PCI_CAP_ID_AF);
	if (exp) {
		/* pci_configure_device(): MPS, MRRS, extended tags, LTR */
		mix_rd(m, d, exp + PCI_EXP_DEVCAP, 4);
		mix_rd(m, d, exp + PCI_EXP_DEVCTL, 2);
		mix_wr(m, d, exp + PCI_EXP_DEVCTL, 2,
		       mix_val(d, exp + PCI_EXP_DEVCTL, 2));
		mix_rd(m, d, exp + PCI_EXP_LNKCAP, 4);
		mix_rd(m, d, exp + PCI_EXP_LNKSTA, 2);
		mix_rd(m, d, exp + PCI_EXP_DEVCAP2, 4);
		mix_rd(m, d, exp + PCI_EXP_DEVCTL2, 2);
		for (i = 0; i < sizeof(ecaps) / sizeof(ecaps[0]); i++)
			mix_find_ecap(m, d, ecaps[i]);
	}
	/* the driver: pci_enable_device(), pci_set_master(), back again */
	cmd = mix_val(d, PCI_COMMAND, 2);
	mix_rd(m, d, PCI_COMMAND, 2);
	mix_wr(m, d, PCI_COMMAND, 2, cmd | PCI_COMMAND_MEMORY);
	mix_rd(m, d, PCI_COMMAND, 2);
	mix_wr(m, d, PCI_COMMAND, 2,
	       cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	if (msi)
		mix_rd(m, d, msi + PCI_MSI_FLAGS, 2);
	if (msix)
		mix_rd(m, d, msix + PCI_MSIX_FLAGS, 2);
	mix_wr(m, d, PCI_COMMAND, 2, cmd);
}

/* Replay @m on @d; @rest leaves out the toggles (COMMAND stays as is). */
static int mix_run(struct mix *m, struct vt_dev *d, bool rest)
{
	int i;

	for (i = 0; i < m->n; i++) {
		struct cfg_op *o = &m->op[i];
		uint32_t v = o->val;
		ssize_t n;

		if (rest && o->toggle)
			continue;
		if (o->write)
			n = pwrite(d->fd, &v, o->len, d->cfg_off + o->pos);
		else
			n = pread(d->fd, &v, o->len, d->cfg_off + o->pos);
		if (n != o->len)
			return n < 0 ? -errno : -EIO;
	}
	return 0;
}

/*
 * --mix-profile: the mean time of every access of @m over @reps replays,
 * one line each ("P <tag> <bdf> <driver> <i> <r|w> <pos> <len> <value>
 * <ns>"; a read's value is what it gave when the mix was built),
 * to see where the mix spends its time.
 */
static void mix_profile(struct mix *m, struct bdev *b, struct vt_dev *d,
			int reps)
{
	static uint64_t ns[MIX_MAX];
	int r, i;

	memset(ns, 0, sizeof(ns));
	for (r = 0; r < reps; r++) {
		for (i = 0; i < m->n; i++) {
			struct cfg_op *o = &m->op[i];
			uint32_t v = o->val;
			uint64_t t0 = now_ns();

			if (o->write)
				(void)!pwrite(d->fd, &v, o->len,
					      d->cfg_off + o->pos);
			else
				(void)!pread(d->fd, &v, o->len,
					     d->cfg_off + o->pos);
			ns[i] += now_ns() - t0;
		}
	}
	for (i = 0; i < m->n; i++)
		printf("P %s %s %s %d %c %#x %d %#x %.0f\n", tag, b->d.bdf,
		       d->driver, i, m->op[i].write ? 'w' : 'r', m->op[i].pos,
		       m->op[i].len, m->op[i].val, (double)ns[i] / reps);
}

static int mix_toggles(const struct mix *m)
{
	int i, n = 0;

	for (i = 0; i < m->n; i++)
		n += m->op[i].toggle;
	return n;
}

static int setup_boot(struct bdev *b)
{
	if (!b->mix) {
		b->mix = calloc(2, sizeof(*b->mix));
		if (!b->mix)
			return -ENOMEM;
		mix_build(&b->mix[0], &b->d);
		mix_build(&b->mix[1], &b->nvme->d);
		printf("# %s: boot mix of %d + %d config accesses (edu + nvme), %d + %d of them decode/bus master switches\n",
		       b->d.bdf, b->mix[0].n, b->mix[1].n,
		       mix_toggles(&b->mix[0]), mix_toggles(&b->mix[1]));
	}
	return 0;
}

/* One guest's enumeration of the edu and the nvme. */
static int op_cfg_boot(struct bdev *b, uint64_t *ns)
{
	int ret = mix_run(&b->mix[0], &b->d, false);

	(void)ns;
	return ret ? ret : mix_run(&b->mix[1], &b->nvme->d, false);
}

/*
 * The same without the COMMAND writes that switch decode or bus
 * mastering: QEMU rebuilds its memory map for each of those, whichever
 * driver passes them on, so this is the part a driver can speed up.
 */
static int op_cfg_boot_rest(struct bdev *b, uint64_t *ns)
{
	int ret = mix_run(&b->mix[0], &b->d, true);

	(void)ns;
	return ret ? ret : mix_run(&b->mix[1], &b->nvme->d, true);
}

static uint16_t cmd_value;

static int setup_cfg_wr(struct bdev *b)
{
	int ret = cmd_update(b, PCI_COMMAND_MEMORY, 0);

	return ret ? ret : cfg_rd16(b, PCI_COMMAND, &cmd_value);
}

/* Rewrite COMMAND with what it holds: the virtualized write path. */
static int op_cfg_wr_cmd(struct bdev *b, uint64_t *ns)
{
	(void)ns;
	return cfg_wr16(b, PCI_COMMAND, cmd_value);
}

static uint16_t msi_flags;

static int setup_cfg_wr_msi(struct bdev *b)
{
	return cfg_rd16(b, b->cap + PCI_MSI_FLAGS, &msi_flags);
}

/* Rewrite MSI's flags with what they hold (MSI stays off). */
static int op_cfg_wr_msi(struct bdev *b, uint64_t *ns)
{
	(void)ns;
	return cfg_wr16(b, b->cap + PCI_MSI_FLAGS, msi_flags);
}

/* ---- 2. trapped BAR access ---- */

static int setup_mem(struct bdev *b)
{
	return cmd_update(b, PCI_COMMAND_MEMORY, 0);
}

static int op_bar_rd(struct bdev *b, uint64_t *ns)
{
	uint32_t v;

	(void)ns;
	return pread(b->d.fd, &v, 4, b->bar0 + EDU_ID) == 4 ? 0 : -errno;
}

static int op_bar_wr(struct bdev *b, uint64_t *ns)
{
	uint32_t v = b->seq++;

	(void)ns;
	return pwrite(b->d.fd, &v, 4, b->bar0 + EDU_LIVENESS) == 4 ? 0 : -errno;
}

/* ---- 3. mmap ---- */

static int setup_map_page(struct bdev *b)
{
	int ret = setup_mem(b);

	return ret ? ret : map_bar0(b, PAGE);
}

static int setup_map_bar(struct bdev *b)
{
	int ret = setup_mem(b);

	return ret ? ret : map_bar0(b, b->bar0_size);
}

/*
 * Decode off revokes the mapping, decode on allows it again: the next
 * access faults the BAR back in.  Only that access is timed.
 */
static int op_mmap_fault(struct bdev *b, uint64_t *ns)
{
	uint64_t t0;
	uint32_t v;
	int ret;

	ret = cmd_update(b, 0, PCI_COMMAND_MEMORY);
	if (!ret)
		ret = cmd_update(b, PCI_COMMAND_MEMORY, 0);
	if (ret)
		return ret;
	t0 = now_ns();
	v = b->map[EDU_ID / 4];
	*ns = now_ns() - t0;
	return v == 0xffffffff ? -EIO : 0;
}

static int op_mmap_rd(struct bdev *b, uint64_t *ns)
{
	(void)ns;
	return b->map[EDU_ID / 4] == 0xffffffff ? -EIO : 0;
}

/* ---- 4. interrupts ---- */

static int setup_msi(struct bdev *b)
{
	int ret = cmd_update(b, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 0);

	if (!ret)
		ret = new_efd(b);
	if (!ret)
		ret = irq_set(b, VFIO_PCI_MSI_IRQ_INDEX,
			      VFIO_IRQ_SET_DATA_EVENTFD |
			      VFIO_IRQ_SET_ACTION_TRIGGER, 1, b->efd);
	if (!ret)
		ret = map_bar0(b, PAGE);
	return ret;
}

static void teardown_msi(struct bdev *b)
{
	vt_irq_disable(b->d.fd, VFIO_PCI_MSI_IRQ_INDEX);
	unmap_bar0(b);
	close_efd(b);
}

/* edu raises its MSI; the eventfd fires; the user acks. */
static int op_msi_rtt(struct bdev *b, uint64_t *ns)
{
	uint64_t t0 = now_ns();
	int ret;

	b->map[EDU_RAISE / 4] = EDU_IRQ_BIT;
	ret = wait_efd(b);
	b->map[EDU_ACK / 4] = EDU_IRQ_BIT;
	*ns = now_ns() - t0;
	return ret;
}

static int setup_intx(struct bdev *b)
{
	int ret = cmd_update(b, PCI_COMMAND_MEMORY,
			     PCI_COMMAND_INTX_DISABLE | PCI_COMMAND_MASTER);

	if (!ret)
		ret = new_efd(b);
	if (!ret)
		ret = irq_set(b, VFIO_PCI_INTX_IRQ_INDEX,
			      VFIO_IRQ_SET_DATA_EVENTFD |
			      VFIO_IRQ_SET_ACTION_TRIGGER, 1, b->efd);
	if (!ret)
		ret = map_bar0(b, PAGE);
	return ret;
}

static void teardown_intx(struct bdev *b)
{
	vt_irq_disable(b->d.fd, VFIO_PCI_INTX_IRQ_INDEX);
	unmap_bar0(b);
	close_efd(b);
}

/* Level-triggered: raise, eventfd, lower the line, unmask. */
static int op_intx_rtt(struct bdev *b, uint64_t *ns)
{
	uint64_t t0 = now_ns();
	int ret;

	b->map[EDU_RAISE / 4] = EDU_IRQ_BIT;
	ret = wait_efd(b);
	b->map[EDU_ACK / 4] = EDU_IRQ_BIT;
	if (!ret)
		ret = irq_set(b, VFIO_PCI_INTX_IRQ_INDEX,
			      VFIO_IRQ_SET_DATA_NONE |
			      VFIO_IRQ_SET_ACTION_UNMASK, 1, 0);
	*ns = now_ns() - t0;
	return ret;
}

static int op_loop_none(struct bdev *b, uint64_t *ns)
{
	uint64_t t0 = now_ns();
	int ret;

	ret = irq_set(b, VFIO_PCI_MSI_IRQ_INDEX,
		      VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		      1, 0);
	if (!ret)
		ret = wait_efd(b);
	*ns = now_ns() - t0;
	return ret;
}

static int op_loop_bool(struct bdev *b, uint64_t *ns)
{
	uint64_t t0 = now_ns();
	int ret;

	ret = irq_set(b, VFIO_PCI_MSI_IRQ_INDEX,
		      VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER,
		      1, 1);
	if (!ret)
		ret = wait_efd(b);
	*ns = now_ns() - t0;
	return ret;
}

/* ---- 5. ioeventfd ---- */

static int ioefd_set(struct bdev *b, int fd)
{
	struct vfio_device_ioeventfd io = {
		.argsz = sizeof(io),
		.flags = VFIO_DEVICE_IOEVENTFD_32,
		.offset = b->bar0 + EDU_LIVENESS,
		.data = IOEFD_DATA,
		.fd = fd,
	};

	return ioctl(b->d.fd, VFIO_DEVICE_IOEVENTFD, &io) < 0 ? -errno : 0;
}

static int setup_ioefd(struct bdev *b)
{
	int ret = setup_mem(b);

	if (ret)
		return ret;
	b->ioefd = eventfd(0, EFD_CLOEXEC);
	if (b->ioefd < 0)
		return -errno;
	return ioefd_set(b, b->ioefd);
}

/* Unregister, and check that the writes really reached the device. */
static void teardown_ioefd(struct bdev *b)
{
	uint32_t v = 0;

	if (pread(b->d.fd, &v, 4, b->bar0 + EDU_LIVENESS) != 4 ||
	    v != ~IOEFD_DATA)
		printf("# %s: ioeventfd writes did not reach the device (liveness %#x)\n",
		       b->d.bdf, v);
	ioefd_set(b, -1);
	close(b->ioefd);
	b->ioefd = -1;
}

static int op_ioefd(struct bdev *b, uint64_t *ns)
{
	(void)ns;
	return eventfd_write(b->ioefd, 1) ? -errno : 0;
}

/* ---- 6. life cycle ---- */

/* Close the long-lived device fd: every open below is a first open. */
static int setup_open(struct bdev *b)
{
	close(b->d.fd);
	b->d.fd = -1;
	return 0;
}

static void teardown_open(struct bdev *b)
{
	b->d.fd = ioctl(b->d.group, VFIO_GROUP_GET_DEVICE_FD, b->d.bdf);
	if (b->d.fd < 0) {
		printf("# %s: reopen: %s\n", b->d.bdf, strerror(errno));
		exit(1);
	}
}

static int op_open_close(struct bdev *b, uint64_t *ns)
{
	int fd = ioctl(b->d.group, VFIO_GROUP_GET_DEVICE_FD, b->d.bdf);

	(void)ns;
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int setup_efd(struct bdev *b)
{
	return new_efd(b);
}

static int op_msi_en_dis(struct bdev *b, uint64_t *ns)
{
	int ret;

	(void)ns;
	ret = irq_set(b, VFIO_PCI_MSI_IRQ_INDEX,
		      VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
		      1, b->efd);
	if (ret)
		return ret;
	return vt_irq_disable(b->d.fd, VFIO_PCI_MSI_IRQ_INDEX);
}

static const struct metric metrics[] = {
	{ "null_rd", THROUGHPUT, 16, NULL, op_null_rd, NULL,
	  "pread of 0 bytes (dispatch baseline)", false },
	{ "cfg_rd_hdr", THROUGHPUT, 16, NULL, op_cfg_rd_hdr, NULL,
	  "config pread 4 B at 0x00", false },
	{ "cfg_rd_cap", THROUGHPUT, 16, NULL, op_cfg_rd_cap, NULL,
	  "config pread 4 B of the first capability", false },
	{ "cfg_rd_256", THROUGHPUT, 16, NULL, op_cfg_rd_256, NULL,
	  "config pread 256 B at 0x00 (the edu's whole space)", false },
	{ "cfg_rd_4k", THROUGHPUT, 4, NULL, op_cfg_rd_4k, NULL,
	  "config pread 4 KiB at 0x00 of the nvme", true },
	{ "cfg_boot", THROUGHPUT, 1, setup_boot, op_cfg_boot, NULL,
	  "config accesses of a guest enumerating edu + nvme", true },
	{ "cfg_boot_rest", THROUGHPUT, 1, setup_boot, op_cfg_boot_rest, NULL,
	  "the boot mix without its decode/bus master switches", true },
	{ "cfg_wr_cmd", THROUGHPUT, 16, setup_cfg_wr, op_cfg_wr_cmd, NULL,
	  "config pwrite of COMMAND (same value)", false },
	{ "cfg_wr_msi", THROUGHPUT, 16, setup_cfg_wr_msi, op_cfg_wr_msi, NULL,
	  "config pwrite of the MSI flags (same value)", false },
	{ "bar_rd", THROUGHPUT, 16, setup_mem, op_bar_rd, NULL,
	  "BAR0 pread 4 B", false },
	{ "bar_wr", THROUGHPUT, 16, setup_mem, op_bar_wr, NULL,
	  "BAR0 pwrite 4 B (liveness)", false },
	{ "mmap_fault", LATENCY, 0, setup_map_page, op_mmap_fault, unmap_bar0,
	  "fault-in after decode off/on, 4 KiB mapping", false },
	{ "mmap_fault_bar", LATENCY, 0, setup_map_bar, op_mmap_fault,
	  unmap_bar0, "fault-in after decode off/on, whole-BAR mapping", false },
	{ "mmap_rd", THROUGHPUT, 64, setup_map_page, op_mmap_rd, unmap_bar0,
	  "4 B reads through the mapping", false },
	{ "msi_rtt", LATENCY, 0, setup_msi, op_msi_rtt, teardown_msi,
	  "edu raises MSI -> eventfd -> ack", false },
	{ "intx_rtt", LATENCY, 0, setup_intx, op_intx_rtt, teardown_intx,
	  "edu raises INTx -> eventfd -> ack -> unmask", false },
	{ "loop_none", LATENCY, 0, setup_msi, op_loop_none, teardown_msi,
	  "SET_IRQS trigger DATA_NONE -> eventfd", false },
	{ "loop_bool", LATENCY, 0, setup_msi, op_loop_bool, teardown_msi,
	  "SET_IRQS trigger DATA_BOOL -> eventfd", false },
	{ "ioefd_wr", THROUGHPUT, 16, setup_ioefd, op_ioefd, teardown_ioefd,
	  "eventfd_write to a BAR0 ioeventfd", false },
	{ "open_close", THROUGHPUT, 1, setup_open, op_open_close,
	  teardown_open, "device fd open + close", false },
	{ "msi_en_dis", THROUGHPUT, 1, setup_efd, op_msi_en_dis, close_efd,
	  "SET_IRQS MSI enable + disable", false },
};

#define NMETRICS (sizeof(metrics) / sizeof(metrics[0]))

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Operations per second over one window; negative errno on failure. */
static double run_throughput(const struct metric *m, struct bdev *b)
{
	uint64_t t0, t, n = 0, win = window_ms * 1000000ull;
	int i, ret;

	for (i = 0; i < 4; i++) {	/* warm caches and mappings */
		ret = m->op(b, NULL);
		if (ret)
			return ret;
	}
	t0 = now_ns();
	do {
		for (i = 0; i < m->batch; i++) {
			ret = m->op(b, NULL);
			if (ret)
				return ret;
		}
		n += m->batch;
		t = now_ns();
	} while (t - t0 < win || n < 8);
	return n * 1e9 / (t - t0);
}

/* Median of @samples timed operations, in microseconds. */
static double run_latency(const struct metric *m, struct bdev *b)
{
	static uint64_t ns[MAX_SAMPLES];
	unsigned int i;
	int ret;

	ret = m->op(b, &ns[0]);		/* warm-up */
	if (ret)
		return ret;
	for (i = 0; i < samples; i++) {
		ret = m->op(b, &ns[i]);
		if (ret)
			return ret;
	}
	qsort(ns, samples, sizeof(ns[0]), cmp_u64);
	return ns[samples / 2] / 1000.0;
}

static double run_metric(const struct metric *m, struct bdev *b)
{
	double v;
	int ret = 0;

	b->efd = b->ioefd = -1;
	if (m->setup)
		ret = m->setup(b);
	if (ret)
		v = ret;
	else if (m->kind == THROUGHPUT)
		v = run_throughput(m, b);
	else
		v = run_latency(m, b);
	if (m->teardown)
		m->teardown(b);
	return v;
}

static int dev_init(struct bdev *b, const char *bdf)
{
	uint8_t ptr = 0;
	int ret;

	memset(b, 0, sizeof(*b));
	ret = vt_open(&b->d, bdf);
	if (ret)
		return ret;
	ret = vt_region_offset(b->d.fd, VFIO_PCI_BAR0_REGION_INDEX, &b->bar0,
			       &b->bar0_size);
	if (ret)
		return ret;
	if (pread(b->d.fd, &ptr, 1, b->d.cfg_off + PCI_CAPABILITY_LIST) != 1)
		return -errno;
	b->cap = ptr & ~3u;
	if (!b->cap)
		return -ENOENT;
	return 0;
}

static bool wanted(const char *only, const char *name)
{
	size_t n = strlen(name);
	const char *p = only;

	if (!only)
		return true;
	while ((p = strstr(p, name))) {
		if ((p == only || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

static bool runnable(const char *only, const char *nvme,
		     const struct metric *m)
{
	return wanted(only, m->name) && (nvme || !m->nvme);
}

/* --nvme C,D: open the twin controllers and pair them with A and B. */
static int nvme_init(const char *arg, struct bdev *dev, struct bdev *nv)
{
	char bdf[2][64];
	int k, ret;

	if (sscanf(arg, "%63[^,],%63s", bdf[0], bdf[1]) != 2) {
		printf("# --nvme wants BDF_C,BDF_D\n");
		return -EINVAL;
	}
	for (k = 0; k < 2; k++) {
		memset(&nv[k], 0, sizeof(nv[k]));
		ret = vt_open(&nv[k].d, bdf[k]);
		if (ret) {
			printf("# %s: open: %s\n", bdf[k], strerror(-ret));
			return ret;
		}
		if (strcmp(nv[k].d.driver, dev[k].d.driver))
			printf("# warning: %s on %s but %s on %s\n", bdf[k],
			       nv[k].d.driver, dev[k].d.bdf, dev[k].d.driver);
		printf("# %s bound to %s (nvme of %s)\n", nv[k].d.bdf,
		       nv[k].d.driver, dev[k].d.bdf);
		dev[k].nvme = &nv[k];
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: vfpci_bench [--tag T] [--rounds N] [--window-ms MS] [--samples N] [--only M,...] [--nvme BDF_C,BDF_D] [--list] BDF_A BDF_B\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tag", required_argument, NULL, 't' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "window-ms", required_argument, NULL, 'w' },
		{ "samples", required_argument, NULL, 's' },
		{ "only", required_argument, NULL, 'o' },
		{ "list", no_argument, NULL, 'l' },
		{ "nvme", required_argument, NULL, 'n' },
		{ "mix-profile", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *only = NULL, *nvme = NULL;
	int profile = 0;
	static struct bdev dev[2], nvdev[2];
	unsigned int r, k;
	size_t i;
	int c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': tag = optarg; break;
		case 'r': rounds = atoi(optarg); break;
		case 'w': window_ms = atoi(optarg); break;
		case 's': samples = atoi(optarg); break;
		case 'o': only = optarg; break;
		case 'n': nvme = optarg; break;
		case 'p': profile = atoi(optarg); break;
		case 'l':
			for (i = 0; i < NMETRICS; i++)
				printf("%-15s %s\n", metrics[i].name,
				       metrics[i].what);
			return 0;
		default: usage();
		}
	}
	if (argc - optind != 2 || !samples || samples > MAX_SAMPLES)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (k = 0; k < 2; k++) {
		ret = dev_init(&dev[k], argv[optind + k]);
		if (ret) {
			printf("# %s: open: %s\n", argv[optind + k],
			       strerror(-ret));
			return 1;
		}
		printf("# %s bound to %s\n", dev[k].d.bdf, dev[k].d.driver);
	}
	if (nvme && nvme_init(nvme, dev, nvdev))
		return 1;
	if (profile > 0 && nvme) {
		for (k = 0; k < 2; k++) {
			if (setup_boot(&dev[k]))
				return 1;
			mix_profile(&dev[k].mix[0], &dev[k], &dev[k].d, profile);
			mix_profile(&dev[k].mix[1], &dev[k], &dev[k].nvme->d,
				    profile);
		}
		return 0;
	}
	for (i = 0; i < NMETRICS; i++)
		if (runnable(only, nvme, &metrics[i]))
			printf("M %s %s %s\n", metrics[i].name,
			       metrics[i].kind == THROUGHPUT ? "ops/s" : "us",
			       metrics[i].kind == THROUGHPUT ? "higher" : "lower");
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < NMETRICS; i++) {
			const struct metric *m = &metrics[i];

			if (!runnable(only, nvme, m))
				continue;
			/* Alternate which device goes first. */
			for (k = 0; k < 2; k++) {
				struct bdev *b = &dev[(r + k) % 2];
				double v = run_metric(m, b);

				if (v < 0) {
					printf("# %s %s: %s\n", m->name,
					       b->d.bdf, strerror((int)-v));
					return 1;
				}
				printf("R %s %u %s %s %s %.3f\n", tag, r,
				       m->name, b->d.bdf, b->d.driver, v);
			}
		}
	}
	for (k = 0; k < 2; k++) {
		vt_close(&dev[k].d);
		free(dev[k].mix);
		if (nvme)
			vt_close(&nvdev[k].d);
	}
	return 0;
}
