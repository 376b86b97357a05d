// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz: a seeded, reproducible fuzzer of the VFIO device fd.
 *
 * It binds one device to a driver, opens it, and runs random and
 * structure-aware operations on the device fd: every device ioctl with
 * edge values in argsz/flags/index/count/start/offset and bad pointers and
 * fds, pread/pwrite at random offsets and widths in every region (and past
 * and between them), mmap with random offsets, lengths and flags and
 * touches of the mappings (SIGBUS caught), config writes that toggle
 * memory decode, D-states and FLR, interrupts, ioeventfds, device features
 * (migration states, data fds fed with garbage and mutated streams, DMA
 * logging, low power, VF token) and unknown commands.  Afterwards the
 * device must still work.  The harness fails the VM run on any kernel
 * splat, so the kernel log is the main oracle; a few uAPI rules that hold
 * for every driver are checked on the way (see the callers of violation()).
 *
 * Device-model hazards (not driver bugs, see docs/threat-model.md): with
 * a driver that does not mediate edu (vfpci, vfio-pci) a bad DMA request
 * aborts QEMU, so BAR writes stay away from edu's DMA registers; with
 * vfpci_edu they aim at them on purpose.  nvme never gets CC.EN set, so
 * the controller never fetches commands from random addresses.  Known
 * crashes of the reference (docs/differences.md) are not sent to it.
 *
 * An mdev instance (BDF: its UUID, driver: its mdev driver) traps every
 * BAR access, so its edu DMA registers take random writes too: a bad
 * request that reaches the physical edu aborts QEMU, which is the bug.
 *
 * Usage: fuzz --driver NAME [--seed N] [--iterations N] [--seconds N]
 *             [--verbose] [--avoid BUG,...] BDF|UUID
 *   --verbose prints every operation before it runs (to find the one that
 *   crashed); --avoid steers clear of known bugs of vfpci_edu to fuzz past
 *   them: edu-ioeventfd-dma (an ioeventfd on the DMA registers writes the
 *   real device), edu-set-from-error (a state change requested in ERROR
 *   WARNs in vfio_mig_get_next_state()).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vfpci_test.h"
#include "vfpci_edu_stream.h"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))
#define ENDOF(t, f)	(offsetof(t, f) + sizeof(((t *)0)->f))
#define PG		4096UL
#define IDX_SHIFT	40
#define IDX_OFF(i)	((uint64_t)(i) << IDX_SHIFT)
#define ARENA_SIZE	(64 * 1024)
#define NEFD		8
#define NMAP		8
#define NDATA		4
#define DMA_IOVA	0x100000ULL
#define DMA_SIZE	0x10000ULL
#define EDU_ID_VALUE	0x010000edu
#define STREAM_MAX	8192
#define PCI_COMMAND_OFF	0x04

enum kind { K_OTHER, K_EDU, K_NVME };

/* Known bugs of our drivers, to fuzz past them (--avoid NAME,...). */
enum {
	AVOID_EDU_IOEVENTFD_DMA = 1 << 0,	/* ioeventfd on DMA regs */
	AVOID_EDU_SET_FROM_ERROR = 1 << 1,	/* SET state while ERROR */
};

static const char *const avoid_names[] = {
	"edu-ioeventfd-dma", "edu-set-from-error",
};

enum call {
	C_GET_INFO, C_REGION_INFO, C_IRQ_INFO, C_SET_IRQS, C_RESET,
	C_HOT_RESET_INFO, C_HOT_RESET, C_IOEVENTFD, C_FEATURE, C_UNKNOWN,
	C_PREAD, C_PWRITE, C_MMAP, C_MUNMAP, C_TOUCH, C_DATA_READ,
	C_DATA_WRITE, C_DATA_OTHER, C_SIGNAL, C_REOPEN, C_FD_OTHER, C_NR
};

static const char *const call_names[C_NR] = {
	"GET_INFO", "GET_REGION_INFO", "GET_IRQ_INFO", "SET_IRQS", "RESET",
	"GET_PCI_HOT_RESET_INFO", "PCI_HOT_RESET", "IOEVENTFD",
	"DEVICE_FEATURE", "unknown_ioctl", "pread", "pwrite", "mmap",
	"munmap", "mmio_touch", "data_read", "data_write", "data_other",
	"eventfd_signal", "reopen", "fd_other",
};

struct region {
	uint64_t off, size;
	uint32_t flags;
};

struct mapping {
	uint8_t *p;
	size_t len;		/* of the original mmap() */
	size_t live;		/* bytes from p still mapped */
	uint32_t idx;
	uint64_t pos;		/* region offset of p */
};

struct datafd {
	int fd;
	bool writer;		/* RESUMING (else STOP_COPY) */
	bool capture;		/* reads go into the captured stream */
	uint8_t *src;		/* RESUMING: what we feed it */
	size_t src_len, src_pos;
};

static struct {
	struct vt_dev d;
	const char *bdf, *driver;
	enum kind kind;
	bool mediated;		/* vfpci_edu: BAR0 trapped, DMA emulated */
	bool mdev;		/* an mdev instance: every BAR access trapped */
	bool ref;		/* the in-kernel vfio-pci */
	unsigned int avoid;	/* AVOID_*: known bugs not to hit */
	struct region reg[VFIO_PCI_NUM_REGIONS];
	uint32_t nreg, nirq;
	uint32_t irq_count[VFIO_PCI_NUM_IRQS];
	uint8_t cap_pm, cap_msi, cap_msix, cap_exp;
	bool flr;
	int efd[NEFD];
	int pipefd[2], nullfd;
	struct mapping map[NMAP];
	struct datafd data[NDATA];
	uint8_t stream[STREAM_MAX];
	size_t stream_len;
	bool stream_whole;
	uint8_t *dma;
	uint8_t *arena, *guard, *bitmap, *bitmap_end;
	uint32_t mig_state;
	bool mig_known;
} F;

static bool verbose;
static uint64_t rng;
static unsigned long op_nr;
static char op_desc[512];
static char tag[160];
static unsigned long calls[C_NR], total_calls;
static unsigned long errs[256];
static unsigned long violations, ref_oddities;
static char first_violation[900];
static unsigned long dma_checked, dma_refused, dma_done, aimed_said;

/* ---- random numbers (splitmix64: small, seedable, good enough) ---- */

static uint64_t rnd64(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

static bool chance(unsigned int pct)
{
	return rnd(100) < pct;
}

static const uint64_t edges[] = {
	0, 1, 2, 3, 4, 7, 8, 0xf, 0x10, 0x7f, 0x80, 0xff, 0x100, 0xfff,
	0x1000, 0x1001, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
	0xfffffffe, 0xffffffff, 0x100000000ULL, 0xffffffffffULL,
	0x10000000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
	0xfffffffffffffffeULL, 0xffffffffffffffffULL,
};

static uint64_t edge64(void)
{
	switch (rnd(5)) {
	case 0:
		return rnd64();
	case 1:
		return rnd(0x2000);
	default:
		return edges[rnd(ARRAY_LEN(edges))];
	}
}

static uint32_t edge32(void)
{
	return (uint32_t)edge64();
}

/* argsz of a struct whose mandatory part is @minsz and whole is @full. */
static uint32_t pick_argsz(uint32_t minsz, uint32_t full)
{
	switch (rnd(12)) {
	case 0:
		return 0;
	case 1:
		return minsz - 1;
	case 2:
		return edge32();
	case 3:
		return full + rnd(256);
	case 4:
		return minsz;
	case 5:
		return 0xffffffff;
	default:
		return full;
	}
}

/* An index: mostly a real one, sometimes just past the end, or an edge. */
static uint32_t pick_index(uint32_t n)
{
	switch (rnd(10)) {
	case 0:
		return edge32();
	case 1:
	case 2:
		return n + rnd(3);
	default:
		return rnd(n);
	}
}

/* A position in a region of @size bytes, biased to its edges. */
static uint64_t pick_pos(uint64_t size)
{
	switch (rnd(10)) {
	case 0:
		return edge64() & (IDX_OFF(1) - 1);
	case 1:
		return size;
	case 2:
		return size ? size - 1 - rnd(8) % size : 0;
	case 3:
		return size + rnd(0x2000);
	case 4:
		return rnd(0x100);
	default:
		return size ? rnd64() % size : rnd(16);
	}
}

static size_t pick_len(void)
{
	static const size_t lens[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12,
				       16, 64, 255, 256, 4095, 4096, 4097 };

	if (chance(5))
		return rnd(ARENA_SIZE);
	if (chance(30))
		return (size_t)1 << rnd(4);
	return lens[rnd(ARRAY_LEN(lens))];
}

/* ---- reporting ---- */

static void describe(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void describe(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(op_desc, sizeof(op_desc), fmt, ap);
	va_end(ap);
	if (verbose)
		printf("# op %lu: %s\n", op_nr, op_desc);
}

/* Account one call on the device (or one of its fds) and keep errno. */
static long done(enum call c, long ret)
{
	int e = ret < 0 ? errno : 0;

	calls[c]++;
	total_calls++;
	errs[e > 0 && e < 256 ? e : 0]++;
	if (verbose)
		printf("#   %s -> %ld %s\n", call_names[c], ret,
		       e ? strerrorname_np(e) : "");
	errno = e;
	return ret;
}

/*
 * A uAPI rule did not hold.  Ours must keep every rule; the reference
 * only gets a "#" line (docs/differences.md is where it is recorded).
 */
static void violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void violation(const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (F.ref) {
		if (ref_oddities++ < 20)
			printf("# reference: op %lu (%s): %s\n", op_nr,
			       op_desc, msg);
		return;
	}
	if (!violations)
		snprintf(first_violation, sizeof(first_violation),
			 "op %lu (%s): %s", op_nr, op_desc, msg);
	if (violations++ < 20)
		printf("# violation: op %lu (%s): %s\n", op_nr, op_desc, msg);
}

static void expect_errno(long ret, int want, const char *what)
{
	if (ret >= 0)
		violation("%s: succeeded, expected %s", what,
			  strerrorname_np(want));
	else if (errno != want)
		violation("%s: %s, expected %s", what, strerrorname_np(errno),
			  strerrorname_np(want));
}

/* ---- signals: SIGBUS from touched mappings, a watchdog for hangs ---- */

static sigjmp_buf *volatile fault_jmp;

static void on_fault(int sig)
{
	if (fault_jmp)
		siglongjmp(*fault_jmp, sig);
	printf("not ok %s - signal %d outside a guarded access, op %lu (%s)\n",
	       tag, sig, op_nr, op_desc);
	fflush(stdout);
	_exit(1);
}

static void on_alarm(int sig)
{
	(void)sig;
	printf("not ok %s - op %lu hung for 60 s (%s)\n", tag, op_nr, op_desc);
	fflush(stdout);
	_exit(1);
}

/* Access @width bytes at @p; 0, or -EFAULT when it raised SIGBUS/SEGV. */
static int guarded_access(volatile uint8_t *p, int width, uint64_t *val,
			  bool write)
{
	sigjmp_buf jb;

	if (sigsetjmp(jb, 1)) {
		fault_jmp = NULL;
		return -EFAULT;
	}
	fault_jmp = &jb;
	__asm__ volatile("" ::: "memory");
	vt_mmio_rw(p, width, val, write);
	__asm__ volatile("" ::: "memory");
	fault_jmp = NULL;
	return 0;
}

/* ---- user memory and fds handed to the kernel ---- */

/*
 * Every pointer given to the kernel points into our arena (which ends in
 * a PROT_NONE page) or is invalid by construction: the kernel may fault,
 * but it can never write over the fuzzer's own memory.
 */
static void *pick_ptr(void *good, size_t len, bool *normal)
{
	*normal = false;
	switch (rnd(40)) {
	case 0:
		return NULL;
	case 1:
		return (void *)1;
	case 2:
		return (void *)0xffffffff81000000UL;	/* kernel text */
	case 3:
		return F.guard;
	case 4:
		/* The struct runs into the guard page. */
		len = len > 1 ? 1 + rnd(len - 1) : 1;
		memmove(F.guard - len, good, len);
		return F.guard - len;
	default:
		*normal = true;
		return good;
	}
}

static void arena_fill(size_t len)
{
	size_t i;

	for (i = 0; i < len && i < ARENA_SIZE; i += 8) {
		uint64_t v = chance(50) ? 0 : rnd64();

		memcpy(F.arena + i, &v, len - i < 8 ? len - i : 8);
	}
}

/* An fd of any kind: our eventfds mostly, else bad, closed or foreign. */
static int pick_fd(void)
{
	switch (rnd(16)) {
	case 0:
		return -1;
	case 1:
		return chance(50) ? -2 : INT_MIN;
	case 2:
		return chance(50) ? INT_MAX : 999;	/* never opened */
	case 3:
		return F.pipefd[rnd(2)];
	case 4:
		return F.d.fd;
	case 5:
		return F.nullfd;
	case 6:
		return F.d.container;
	case 7:
		return F.d.group;
	default:
		return F.efd[rnd(NEFD)];
	}
}

/* ---- the device ---- */

/* Fill the region table (offsets are what every later op aims at). */
static void load_regions(void)
{
	uint32_t i;

	F.nreg = F.d.info.num_regions;
	F.nirq = F.d.info.num_irqs;
	memset(F.reg, 0, sizeof(F.reg));
	for (i = 0; i < F.nreg && i < VFIO_PCI_NUM_REGIONS; i++) {
		struct vfio_region_info ri = { .argsz = sizeof(ri), .index = i };

		if (ioctl(F.d.fd, VFIO_DEVICE_GET_REGION_INFO, &ri) == 0) {
			F.reg[i].off = ri.offset;
			F.reg[i].size = ri.size;
			F.reg[i].flags = ri.flags;
		}
	}
	for (i = 0; i < F.nirq && i < VFIO_PCI_NUM_IRQS; i++) {
		struct vfio_irq_info ii;

		if (!vt_irq_info(F.d.fd, i, &ii))
			F.irq_count[i] = ii.count;
	}
}

static uint32_t cfg_rd(uint32_t pos, int width)
{
	uint64_t v = 0;

	if (vt_cfg_read(&F.d, pos, width, &v) != width)
		return ~0U;
	return v;
}

static void find_caps(void)
{
	uint32_t pos = cfg_rd(0x34, 1) & 0xfc;
	int n = 0;

	while (pos >= 0x40 && pos < 0x100 && n++ < 48) {
		uint32_t id = cfg_rd(pos, 1);

		if (id == 0x01)
			F.cap_pm = pos;
		else if (id == 0x05)
			F.cap_msi = pos;
		else if (id == 0x11)
			F.cap_msix = pos;
		else if (id == 0x10)
			F.cap_exp = pos;
		pos = cfg_rd(pos + 1, 1) & 0xfc;
	}
	if (F.cap_exp)
		F.flr = cfg_rd(F.cap_exp + 4, 4) & (1U << 28);
}

/*
 * May a write of @len bytes at @pos of region @idx reach the device?
 * Fixes @buf where a safe variant exists; false means move the write.
 */
static bool bar_write_ok(uint32_t idx, uint64_t pos, size_t len,
			 uint8_t *buf)
{
	uint64_t end = pos + len;

	if (idx > VFIO_PCI_BAR5_REGION_INDEX || !len)
		return true;
	if (end < pos)
		return true;		/* wraps: refused before any access */
	switch (F.kind) {
	case K_EDU:
		/* Unmediated, edu's DMA engine would take anything. */
		if (F.mediated || F.mdev || idx != 0)
			return true;
		return end <= VFPCI_EDU_REG_DMA_SRC || pos >= 0xa0;
	case K_NVME:
		/* Never set CC.EN: no command fetch from random memory. */
		if (idx == 0 && pos <= 0x14 && end > 0x14 && buf)
			buf[0x14 - pos] &= ~1;
		return idx != 0 || !(pos <= 0x14 && end > 0x14) || buf;
	default:
		return false;
	}
}

/* A safe place for a write that bar_write_ok() refused. */
static uint64_t safe_pos(void)
{
	return F.kind == K_EDU ? 0x100 + rnd(0x100) : 0x40000 + rnd(0x100);
}

/* ---- operations: ioctls ---- */

static void op_get_info(void)
{
	struct vfio_device_info *i = (void *)F.arena;
	uint32_t minsz = ENDOF(struct vfio_device_info, num_irqs), argsz;
	bool normal;
	void *p;
	long ret;

	arena_fill(64);
	i->argsz = argsz = pick_argsz(minsz, sizeof(*i));
	p = pick_ptr(i, sizeof(*i), &normal);
	describe("GET_INFO argsz=%u ptr=%p", argsz, p);
	ret = done(C_GET_INFO, ioctl(F.d.fd, VFIO_DEVICE_GET_INFO, p));
	if (normal && argsz < minsz)
		expect_errno(ret, EINVAL, "argsz < minsz");
	if (normal && !ret && (i->num_regions != F.nreg ||
			       i->num_irqs != F.nirq))
		violation("regions/irqs changed: %u/%u", i->num_regions,
			  i->num_irqs);
}

static void op_region_info(void)
{
	struct vfio_region_info *r = (void *)F.arena;
	uint32_t minsz = ENDOF(struct vfio_region_info, offset), argsz, idx;
	bool normal;
	void *p;
	long ret;

	arena_fill(256);
	idx = pick_index(F.nreg);
	r->argsz = argsz = chance(30) ? 4096 : pick_argsz(minsz, sizeof(*r));
	r->index = idx;
	p = pick_ptr(r, sizeof(*r), &normal);
	describe("GET_REGION_INFO index=%u argsz=%u ptr=%p", idx, argsz, p);
	ret = done(C_REGION_INFO, ioctl(F.d.fd, VFIO_DEVICE_GET_REGION_INFO,
					p));
	if (!normal)
		return;
	if (argsz < minsz)
		expect_errno(ret, EINVAL, "argsz < minsz");
	else if (idx >= F.nreg)
		expect_errno(ret, EINVAL, "index >= num_regions");
	if (ret)
		return;
	if (idx < VFIO_PCI_NUM_REGIONS && r->offset != F.reg[idx].off)
		violation("region %u offset moved to 0x%llx", idx,
			  (unsigned long long)r->offset);
	if (F.mediated && idx == 0 && (r->flags & VFIO_REGION_INFO_FLAG_MMAP))
		violation("trapped BAR0 offers mmap");
	if ((r->flags & VFIO_REGION_INFO_FLAG_CAPS) && argsz >= r->argsz &&
	    argsz <= ARENA_SIZE && vt_region_cap_count(r) < 0)
		violation("malformed capability chain");
}

static void op_irq_info(void)
{
	struct vfio_irq_info *i = (void *)F.arena;
	uint32_t minsz = ENDOF(struct vfio_irq_info, count), argsz, idx;
	bool normal;
	void *p;
	long ret;

	arena_fill(64);
	idx = pick_index(F.nirq);
	i->argsz = argsz = pick_argsz(minsz, sizeof(*i));
	i->index = idx;
	p = pick_ptr(i, sizeof(*i), &normal);
	describe("GET_IRQ_INFO index=%u argsz=%u ptr=%p", idx, argsz, p);
	ret = done(C_IRQ_INFO, ioctl(F.d.fd, VFIO_DEVICE_GET_IRQ_INFO, p));
	if (!normal)
		return;
	if (argsz < minsz)
		expect_errno(ret, EINVAL, "argsz < minsz");
	else if (idx >= F.nirq)
		expect_errno(ret, EINVAL, "index >= num_irqs");
}

static void op_set_irqs(void)
{
	struct vfio_irq_set *s = (void *)F.arena;
	uint32_t minsz = ENDOF(struct vfio_irq_set, count), idx, n, i, max;
	uint32_t data, action, argsz, start, count;
	size_t elem = 0, room;
	bool normal;
	void *p;
	long ret;

	idx = pick_index(F.nirq);
	max = idx < VFIO_PCI_NUM_IRQS ? F.irq_count[idx] : 1;
	data = 1U << rnd(3);		/* NONE, BOOL, EVENTFD */
	action = (1U << rnd(3)) << 3;	/* MASK, UNMASK, TRIGGER */
	if (chance(8))
		data |= 1U << rnd(3);
	if (chance(8))
		action |= (1U << rnd(3)) << 3;
	s->flags = data | action;
	if (chance(5))
		s->flags ^= 1U << rnd(32);
	start = chance(80) ? rnd(max + 1) : edge32();
	switch (rnd(6)) {
	case 0:
		count = edge32();
		break;
	case 1:
		count = 0;
		break;
	case 2:
		count = max - start;	/* may wrap */
		break;
	default:
		count = 1 + rnd(max ? max : 1);
		break;
	}
	s->index = idx;
	s->start = start;
	s->count = count;
	if (s->flags & VFIO_IRQ_SET_DATA_BOOL)
		elem = 1;
	else if (s->flags & VFIO_IRQ_SET_DATA_EVENTFD)
		elem = 4;
	room = ARENA_SIZE - sizeof(*s);
	n = elem ? (count < room / elem ? count : room / elem) : 0;
	for (i = 0; i < n; i++) {
		if (elem == 1) {
			s->data[i] = chance(70) ? 1 : rnd(256);
		} else {
			int32_t fd = pick_fd();

			memcpy(s->data + 4 * i, &fd, 4);
		}
	}
	argsz = chance(75) ? minsz + n * elem : pick_argsz(minsz, minsz + n * elem);
	s->argsz = argsz;
	p = pick_ptr(s, minsz + n * elem, &normal);
	describe("SET_IRQS index=%u flags=0x%x start=%u count=%u argsz=%u%s",
		 idx, s->flags, start, count, argsz, normal ? "" : " badptr");
	ret = done(C_SET_IRQS, ioctl(F.d.fd, VFIO_DEVICE_SET_IRQS, p));
	if (!normal)
		return;
	if (argsz < minsz)
		expect_errno(ret, EINVAL, "argsz < minsz");
	else if (idx >= F.nirq)
		expect_errno(ret, EINVAL, "index >= num_irqs");
}

static void op_reset(void)
{
	describe("RESET");
	done(C_RESET, ioctl(F.d.fd, VFIO_DEVICE_RESET));
	F.mig_known = false;
}

static void op_hot_reset_info(void)
{
	struct vfio_pci_hot_reset_info *h = (void *)F.arena;
	uint32_t minsz = ENDOF(struct vfio_pci_hot_reset_info, count), argsz;
	bool normal;
	void *p;
	long ret;

	arena_fill(256);
	h->argsz = argsz = chance(40) ? 4096 : pick_argsz(minsz, sizeof(*h));
	h->flags = chance(80) ? 0 : edge32();
	p = pick_ptr(h, sizeof(*h), &normal);
	describe("GET_PCI_HOT_RESET_INFO argsz=%u ptr=%p", argsz, p);
	ret = done(C_HOT_RESET_INFO,
		   ioctl(F.d.fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, p));
	if (F.mdev)
		expect_errno(ret, ENOTTY, "no hot reset on an mdev");
	else if (normal && argsz < minsz)
		expect_errno(ret, EINVAL, "argsz < minsz");
}

static void op_hot_reset(void)
{
	struct vfio_pci_hot_reset *h = (void *)F.arena;
	uint32_t minsz = ENDOF(struct vfio_pci_hot_reset, count), i, n, count;
	bool normal;
	void *p;
	long ret;

	count = chance(70) ? rnd(4) : edge32();
	n = count < 64 ? count : 64;
	for (i = 0; i < n; i++)
		h->group_fds[i] = chance(50) ? F.d.group : pick_fd();
	h->flags = chance(85) ? 0 : edge32();
	h->count = count;
	h->argsz = chance(70) ? minsz + 4 * n : pick_argsz(minsz, minsz + 4 * n);
	p = pick_ptr(h, minsz + 4 * n, &normal);
	describe("PCI_HOT_RESET count=%u flags=0x%x argsz=%u fd0=%d ptr=%p",
		 count, h->flags, h->argsz, n ? h->group_fds[0] : -1, p);
	ret = done(C_HOT_RESET, ioctl(F.d.fd, VFIO_DEVICE_PCI_HOT_RESET, p));
	if (F.mdev)
		expect_errno(ret, ENOTTY, "no hot reset on an mdev");
	F.mig_known = false;
}

static void op_ioeventfd(void)
{
	struct vfio_device_ioeventfd *io = (void *)F.arena;
	uint32_t minsz = ENDOF(struct vfio_device_ioeventfd, fd), idx = 0;
	uint64_t pos = 0, off;
	uint8_t buf[8];
	bool normal, raw = chance(10);
	void *p;
	long ret;

	io->flags = chance(80) ? 1U << rnd(4) : edge32();
	if (raw) {
		off = edge64();
	} else {
		idx = pick_index(VFIO_PCI_BAR5_REGION_INDEX + 1);
		pos = idx < VFIO_PCI_NUM_REGIONS ? pick_pos(F.reg[idx].size) :
			rnd(0x100);
		if (F.mediated && idx == 0 && chance(40) &&
		    !(F.avoid & AVOID_EDU_IOEVENTFD_DMA))
			pos = VFPCI_EDU_REG_DMA_SRC + rnd(0x20);
		off = IDX_OFF(idx) + pos;
	}
	io->data = chance(50) ? edge64() : rnd64();
	/* Aimed: a well-formed doorbell on a DMA register (cmd: start). */
	if (F.mediated && !(F.avoid & AVOID_EDU_IOEVENTFD_DMA) && chance(15)) {
		off = IDX_OFF(0) + VFPCI_EDU_REG_DMA_SRC + 8 * rnd(4);
		io->flags = VFIO_DEVICE_IOEVENTFD_32;
		io->data = VFPCI_EDU_DMA_START | (rnd(4) << 1);
	}
	/* docs/differences.md D1: the reference oopses on bit 63. */
	if (F.ref)
		off &= ~(1ULL << 63);
	idx = off >> IDX_SHIFT;
	pos = off & (IDX_OFF(1) - 1);
	memcpy(buf, &io->data, 8);
	/* Signalled later, so it must be as safe as a write now. */
	if (!bar_write_ok(idx, pos, 8, buf) ||
	    (F.mediated && (F.avoid & AVOID_EDU_IOEVENTFD_DMA) && idx == 0 &&
	     pos < 0xa0 && pos + 8 > VFPCI_EDU_REG_DMA_SRC))
		off = IDX_OFF(idx) + safe_pos();
	memcpy(&io->data, buf, 8);
	io->offset = off;
	io->fd = chance(75) ? F.efd[rnd(NEFD)] : pick_fd();
	io->argsz = pick_argsz(minsz, sizeof(*io));
	p = pick_ptr(io, sizeof(*io), &normal);
	describe("IOEVENTFD argsz=%u flags=0x%x offset=0x%llx data=0x%llx fd=%d",
		 io->argsz, io->flags, (unsigned long long)io->offset,
		 (unsigned long long)io->data, io->fd);
	ret = done(C_IOEVENTFD, ioctl(F.d.fd, VFIO_DEVICE_IOEVENTFD, p));
	if (F.mediated && !ret && idx == 0 && pos < 0xa0 &&
	    pos + 8 > VFPCI_EDU_REG_DMA_SRC && !aimed_said++)
		tap_diag("op %lu: ioeventfd on edu DMA register 0x%llx accepted: if QEMU now aborts (EDU: DMA range), it wrote the device behind the mediation",
			 op_nr, (unsigned long long)pos);
	if (F.mdev)
		expect_errno(ret, ENOTTY, "no ioeventfd on an mdev");
	else if (normal && io->argsz < minsz)
		expect_errno(ret, EINVAL, "argsz < minsz");
	else if (normal && !ret && (idx > VFIO_PCI_BAR5_REGION_INDEX ||
				    (off >> 63)))
		violation("ioeventfd accepted outside any BAR");
}

/* ---- device features ---- */

static const char *const mig_names[] = {
	"ERROR", "STOP", "RUNNING", "STOP_COPY", "RESUMING", "RUNNING_P2P",
	"PRE_COPY", "PRE_COPY_P2P",
};

static const char *mig_name(uint32_t s)
{
	return s < ARRAY_LEN(mig_names) ? mig_names[s] : "bogus";
}

static void data_close(int i)
{
	if (F.data[i].fd >= 0)
		close(F.data[i].fd);
	free(F.data[i].src);
	memset(&F.data[i], 0, sizeof(F.data[i]));
	F.data[i].fd = -1;
}

/* What a RESUMING data fd will be fed: garbage or a mutated stream. */
static void make_resume_src(struct datafd *df)
{
	struct vfpci_edu_stream_hdr *h;
	struct vfpci_edu_stream_state *st;
	size_t len = STREAM_MAX, i;
	uint8_t *s = calloc(1, STREAM_MAX);

	df->src = s;
	if (!s)
		return;
	if (!F.stream_whole || chance(15)) {
		len = rnd(2) ? VFPCI_EDU_STREAM_LEN : rnd(STREAM_MAX);
		for (i = 0; i < len; i++)
			s[i] = rnd(256);
		if (chance(50))
			memcpy(s, "VEDU", 4);
		df->src_len = len;
		return;
	}
	memcpy(s, F.stream, F.stream_len);
	len = F.stream_len;
	h = (void *)s;
	st = (void *)(h + 1);
	switch (rnd(8)) {
	case 0:		/* flip bits: the CRC or the header catches it */
		for (i = 0; i < 1 + rnd(8); i++)
			s[rnd(len)] ^= 1U << rnd(8);
		break;
	case 1:		/* truncate or extend */
		len = chance(50) ? rnd(len) : len + 1 + rnd(STREAM_MAX - len);
		break;
	case 2:		/* header fields */
		h->version = rnd(3);
		h->hdr_len = edge32();
		h->total_len = chance(50) ? edge32() : h->total_len;
		h->reserved[rnd(7)] = rnd(2);
		break;
	case 3:		/* payload fields, CRC kept right */
	case 4:
	case 5:
		st->dma_src = chance(50) ? VFPCI_EDU_DMA_BUF_ADDR + rnd(0x1100) :
			chance(50) ? DMA_IOVA + rnd(DMA_SIZE + 0x1000) : edge64();
		st->dma_dst = chance(50) ? VFPCI_EDU_DMA_BUF_ADDR + rnd(0x1100) :
			chance(50) ? DMA_IOVA + rnd(DMA_SIZE + 0x1000) : edge64();
		st->dma_cnt = chance(70) ? rnd(0x1100) : edge64();
		st->dma_cmd = chance(80) ? VFPCI_EDU_DMA_START | (rnd(4) << 1) :
			edge64();
		if (chance(30))
			st->flags = edge32();
		if (chance(30))
			st->status = edge32();
		if (chance(30))
			st->irq_status = edge32();
		if (chance(30))
			st->fact_n = rnd(20);
		if (chance(20))
			st->fact_result = rnd64();
		h->payload_crc = vfpci_edu_crc32(st, sizeof(*st));
		break;
	default:	/* the stream as saved */
		break;
	}
	df->src_len = len;
}

static void data_add(int fd, uint32_t state)
{
	int i, slot = -1;

	for (i = 0; i < NDATA; i++)
		if (F.data[i].fd < 0 && slot < 0)
			slot = i;
	if (slot < 0) {
		slot = rnd(NDATA);
		data_close(slot);
	}
	F.data[slot].fd = fd;
	F.data[slot].writer = state == VFIO_DEVICE_STATE_RESUMING;
	if (F.data[slot].writer) {
		make_resume_src(&F.data[slot]);
	} else {
		/* A new save: it is the capture now. */
		for (i = 0; i < NDATA; i++)
			F.data[i].capture = false;
		F.data[slot].capture = true;
		F.stream_len = 0;
		F.stream_whole = false;
	}
}

static int mig_get(uint32_t *state);

/* --avoid edu-set-from-error: leave ERROR by reset before a SET. */
static void leave_error(void)
{
	uint32_t st;

	if (!F.mediated || !(F.avoid & AVOID_EDU_SET_FROM_ERROR))
		return;
	if (!mig_get(&st) && st == VFIO_DEVICE_STATE_ERROR) {
		done(C_RESET, ioctl(F.d.fd, VFIO_DEVICE_RESET));
		F.mig_known = false;
	}
}

/* SET MIG_DEVICE_STATE; returns the ioctl's result, tracks the data fd. */
static long mig_set(uint32_t state, uint32_t argsz)
{
	struct {
		struct vfio_device_feature h;
		struct vfio_device_feature_mig_state m;
	} *f = (void *)F.arena;
	long ret;

	leave_error();
	memset(f, 0, sizeof(*f));
	f->h.argsz = argsz;
	f->h.flags = VFIO_DEVICE_FEATURE_SET |
		VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE;
	f->m.device_state = state;
	f->m.data_fd = -1;
	ret = done(C_FEATURE, ioctl(F.d.fd, VFIO_DEVICE_FEATURE, f));
	if (ret) {
		F.mig_known = false;
		return ret;
	}
	F.mig_state = state;
	F.mig_known = true;
	if (f->m.data_fd >= 0)
		data_add(f->m.data_fd, state);
	else if (state == VFIO_DEVICE_STATE_STOP_COPY ||
		 state == VFIO_DEVICE_STATE_RESUMING)
		violation("%s without a data fd", mig_name(state));
	return 0;
}

static int mig_get(uint32_t *state)
{
	struct {
		struct vfio_device_feature h;
		struct vfio_device_feature_mig_state m;
	} f = {
		.h.argsz = sizeof(f),
		.h.flags = VFIO_DEVICE_FEATURE_GET |
			VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE,
	};

	if (done(C_FEATURE, ioctl(F.d.fd, VFIO_DEVICE_FEATURE, &f)))
		return -errno;
	*state = f.m.device_state;
	F.mig_state = *state;
	F.mig_known = true;
	return 0;
}

static uint32_t pick_feature(void)
{
	if (chance(10))
		return chance(50) ? 9 + rnd(0xfff0) : 0xffff;
	return rnd(9);
}

static uint32_t pick_feature_flags(void)
{
	static const uint32_t ok[] = {
		VFIO_DEVICE_FEATURE_GET, VFIO_DEVICE_FEATURE_SET,
		VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET,
		VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET,
		VFIO_DEVICE_FEATURE_PROBE,
		VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET |
			VFIO_DEVICE_FEATURE_SET,
	};

	switch (rnd(10)) {
	case 0:
		return VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET;
	case 1:
		return (edge32() | rnd64()) & ~VFIO_DEVICE_FEATURE_MASK;
	case 2:
		return 0;
	default:
		return ok[rnd(ARRAY_LEN(ok))];
	}
}

static bool feature_flags_valid(uint32_t flags)
{
	uint32_t gs = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET;

	if (flags & ~(gs | VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_MASK))
		return false;
	return (flags & VFIO_DEVICE_FEATURE_PROBE) || (flags & gs) != gs;
}

static uint32_t pick_mig_state(void)
{
	if (chance(10))
		return edge32();
	return rnd(8);
}

/* The payload of feature @feat; returns its size. */
static size_t feature_payload(uint32_t feat, uint8_t *d)
{
	struct vfio_device_feature_dma_logging_control *lc = (void *)d;
	struct vfio_device_feature_dma_logging_report *lr = (void *)d;
	struct vfio_device_feature_dma_logging_range *rg;
	struct vfio_device_low_power_entry_with_wakeup *lw = (void *)d;
	struct vfio_device_feature_mig_state *ms = (void *)d;
	uint32_t i, n;
	size_t bytes;

	switch (feat) {
	case VFIO_DEVICE_FEATURE_PCI_VF_TOKEN:
		for (i = 0; i < 16; i++)
			d[i] = rnd(256);
		return 16;
	case VFIO_DEVICE_FEATURE_MIGRATION:
		return sizeof(struct vfio_device_feature_migration);
	case VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE:
		ms->device_state = pick_mig_state();
		ms->data_fd = -1;
		return sizeof(*ms);
	case VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP:
		lw->wakeup_eventfd = pick_fd();
		lw->reserved = chance(90) ? 0 : edge32();
		return sizeof(*lw);
	case VFIO_DEVICE_FEATURE_DMA_LOGGING_START:
		rg = (void *)(F.arena + 1024);
		n = chance(80) ? 1 + rnd(4) : edge32();
		for (i = 0; i < (n < 64 ? n : 64); i++) {
			rg[i].iova = chance(70) ? DMA_IOVA + PG * rnd(16) : edge64();
			rg[i].length = chance(70) ? PG * (1 + rnd(16)) : edge64();
		}
		lc->page_size = chance(60) ? PG : edge64();
		lc->num_ranges = n;
		lc->__reserved = chance(90) ? 0 : edge32();
		lc->ranges = chance(90) ? (uintptr_t)rg :
			(uintptr_t)pick_ptr(rg, 16, &(bool){false});
		return sizeof(*lc);
	case VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT:
		lr->iova = chance(70) ? DMA_IOVA + PG * rnd(16) : edge64();
		lr->length = chance(70) ? PG * (1 + rnd(16)) : edge64();
		lr->page_size = chance(70) ? PG << rnd(3) : edge64();
		/* Ends at a guard page: an overrun faults, never corrupts. */
		bytes = chance(80) ? 8 * (1 + rnd(8)) : rnd(ARENA_SIZE);
		lr->bitmap = chance(90) ? (uintptr_t)(F.bitmap_end - bytes) :
			(uintptr_t)pick_ptr(F.bitmap_end - 8, 8, &(bool){false});
		return sizeof(*lr);
	case VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY:
	case VFIO_DEVICE_FEATURE_LOW_POWER_EXIT:
	case VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP:
		return 0;
	default:
		for (i = 0; i < 64; i++)
			d[i] = rnd(256);
		return rnd(64);
	}
}

static void op_feature(void)
{
	struct vfio_device_feature *h = (void *)F.arena;
	uint32_t feat = pick_feature(), flags = pick_feature_flags(), argsz;
	uint32_t minsz = sizeof(*h);
	size_t psz;
	bool normal;
	void *p;
	long ret;

	if (feat == VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE &&
	    (flags & VFIO_DEVICE_FEATURE_SET))
		leave_error();
	arena_fill(256);
	psz = feature_payload(feat, h->data);
	h->flags = flags | feat;
	h->argsz = argsz = chance(75) ? minsz + psz : pick_argsz(minsz, minsz + psz);
	p = pick_ptr(h, minsz + psz, &normal);
	describe("DEVICE_FEATURE feature=%u flags=0x%x argsz=%u ptr=%p",
		 feat, flags, argsz, p);
	ret = done(C_FEATURE, ioctl(F.d.fd, VFIO_DEVICE_FEATURE, p));
	if (feat == VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE && normal && !ret &&
	    (flags & VFIO_DEVICE_FEATURE_SET) &&
	    !(flags & VFIO_DEVICE_FEATURE_PROBE)) {
		struct vfio_device_feature_mig_state *ms = (void *)h->data;

		F.mig_state = ms->device_state;
		F.mig_known = true;
		if (ms->data_fd >= 0)
			data_add(ms->data_fd, ms->device_state);
	} else if (feat == VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE) {
		F.mig_known = false;
	}
	if (!normal)
		return;
	if (argsz < minsz)
		expect_errno(ret, EINVAL, "argsz < minsz");
	else if (!feature_flags_valid(h->flags))
		expect_errno(ret, EINVAL, "invalid flags");
	else if (feat > VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT)
		expect_errno(ret, ENOTTY, "unknown feature");
}

/* Data fd traffic: reads (captured), garbage or mutated stream writes. */
static void op_data(void)
{
	struct datafd *df;
	uint8_t buf[STREAM_MAX];
	size_t len;
	long ret;
	int i = rnd(NDATA);

	df = &F.data[i];
	if (df->fd < 0) {
		if (F.mediated || chance(10)) {
			uint32_t s = chance(50) ? VFIO_DEVICE_STATE_STOP_COPY :
				VFIO_DEVICE_STATE_RESUMING;

			describe("MIG_DEVICE_STATE -> STOP -> %s", mig_name(s));
			mig_set(VFIO_DEVICE_STATE_STOP, 16);
			mig_set(s, 16);
		}
		return;
	}
	len = chance(70) ? 1 + rnd(VFPCI_EDU_STREAM_LEN) : pick_len();
	if (len > sizeof(buf))
		len = sizeof(buf);
	switch (rnd(12)) {
	case 0:
		describe("data fd %d: close", df->fd);
		data_close(i);
		return;
	case 1:
		describe("data fd %d: pread/pwrite/lseek", df->fd);
		done(C_DATA_OTHER, pread(df->fd, buf, len, rnd(8192)));
		done(C_DATA_OTHER, pwrite(df->fd, buf, len, 0));
		done(C_DATA_OTHER, lseek(df->fd, edge64(), rnd(3)));
		return;
	case 2:
		describe("data fd %d: ioctl/mmap/poll", df->fd);
		done(C_DATA_OTHER, ioctl(df->fd, edge32(), F.arena));
		{
			void *m = mmap(NULL, PG, PROT_READ, MAP_SHARED, df->fd, 0);

			done(C_DATA_OTHER, m == MAP_FAILED ? -1 : 0);
			if (m != MAP_FAILED)
				munmap(m, PG);
		}
		{
			struct pollfd pf = { .fd = df->fd, .events = POLLIN | POLLOUT };

			done(C_DATA_OTHER, poll(&pf, 1, 0));
		}
		return;
	default:
		break;
	}
	if (!df->writer || chance(5)) {
		describe("data fd %d: read %zu", df->fd, len);
		ret = done(C_DATA_READ, read(df->fd, buf, len));
		if (ret > 0 && df->capture && !df->writer) {
			if (F.stream_len + ret <= STREAM_MAX) {
				memcpy(F.stream + F.stream_len, buf, ret);
				F.stream_len += ret;
			}
		} else if (ret == 0 && df->capture) {
			F.stream_whole = F.stream_len == VFPCI_EDU_STREAM_LEN;
			df->capture = false;
		}
		return;
	}
	if (df->src && df->src_pos < df->src_len) {
		if (len > df->src_len - df->src_pos)
			len = df->src_len - df->src_pos;
		memcpy(buf, df->src + df->src_pos, len);
	} else {
		for (size_t k = 0; k < len; k++)
			buf[k] = rnd(256);
	}
	describe("data fd %d: write %zu at stream pos %zu", df->fd, len,
		 df->src_pos);
	ret = done(C_DATA_WRITE, write(df->fd, buf, len));
	if (ret > 0)
		df->src_pos += ret;
}

/* ---- edu's DMA engine (vfpci_edu only: it must refuse bad requests) ---- */

static ssize_t bar0_rw(uint64_t pos, int width, uint64_t *val, bool write)
{
	if (write)
		return done(C_PWRITE, vt_write(F.d.fd, F.reg[0].off + pos,
						 width, *val) < 0 ? (errno = EIO, -1) : width);
	return done(C_PREAD, vt_read(F.d.fd, F.reg[0].off + pos, width, val) < 0 ?
		    (errno = EIO, -1) : width);
}

/* Would vfpci_edu run this request?  1 yes, 0 no, -1 cannot tell. */
static int dma_valid(uint64_t src, uint64_t dst, uint64_t cnt, uint64_t cmd)
{
	uint64_t dev = (cmd & VFPCI_EDU_DMA_TO_RAM) ? src : dst;
	uint64_t iova = (cmd & VFPCI_EDU_DMA_TO_RAM) ? dst : src;
	bool dev_ok, iova_ok;

	if (cnt == 0)
		return -1;
	if (cnt > VFPCI_EDU_DMA_BUF_SIZE)
		return 0;
	dev_ok = dev >= VFPCI_EDU_DMA_BUF_ADDR && dev + cnt >= dev &&
		dev + cnt <= VFPCI_EDU_DMA_BUF_ADDR + VFPCI_EDU_DMA_BUF_SIZE;
	if (!dev_ok)
		return 0;
	if (iova + cnt < iova || iova + cnt - 1 > VFPCI_EDU_DMA_MASK)
		return 0;
	iova_ok = iova >= DMA_IOVA && iova + cnt <= DMA_IOVA + DMA_SIZE;
	if (iova_ok)
		return 1;
	/* Entirely outside our only mapping: nothing there to reach. */
	return (iova + cnt <= DMA_IOVA || iova >= DMA_IOVA + DMA_SIZE) ? 0 : -1;
}

/* After a start in RUNNING: refused requests read back with bit 31. */
static void check_dma_outcome(uint64_t src, uint64_t dst, uint64_t cnt,
			      uint64_t cmd, const char *how)
{
	uint64_t got = 0;
	int valid = dma_valid(src, dst, cnt, cmd);

	if (bar0_rw(VFPCI_EDU_REG_DMA_CMD, 4, &got, false) != 4)
		return;
	dma_checked++;
	if (got & VFPCI_EDU_DMA_ERROR)
		dma_refused++;
	else
		dma_done++;
	if (got & VFPCI_EDU_DMA_START)
		violation("%s: cmd 0x%llx still busy in RUNNING", how,
			  (unsigned long long)got);
	else if (valid == 0 && !(got & VFPCI_EDU_DMA_ERROR))
		violation("%s: bad DMA src 0x%llx dst 0x%llx cnt 0x%llx cmd 0x%llx not refused (cmd reads 0x%llx)",
			  how, (unsigned long long)src, (unsigned long long)dst,
			  (unsigned long long)cnt, (unsigned long long)cmd,
			  (unsigned long long)got);
	else if (valid == 1 && (got & VFPCI_EDU_DMA_ERROR))
		violation("%s: good DMA src 0x%llx dst 0x%llx cnt 0x%llx refused",
			  how, (unsigned long long)src, (unsigned long long)dst,
			  (unsigned long long)cnt);
}

static uint64_t pick_dma_side(bool device)
{
	if (chance(45))
		return device ? VFPCI_EDU_DMA_BUF_ADDR + rnd(VFPCI_EDU_DMA_BUF_SIZE + 16) :
			DMA_IOVA + rnd(DMA_SIZE + 16);
	if (chance(30))
		return (uint32_t)edge64();
	return rnd64() & 0xffffffff;
}

static void op_edu_dma(void)
{
	uint64_t src, dst, cnt, cmd, st = 0, v;
	bool ok = true;

	if (!F.mediated)
		return;
	cmd = chance(85) ? VFPCI_EDU_DMA_START | (rnd(4) << 1) : edge32();
	src = pick_dma_side(cmd & VFPCI_EDU_DMA_TO_RAM);
	dst = pick_dma_side(!(cmd & VFPCI_EDU_DMA_TO_RAM));
	cnt = chance(80) ? rnd(VFPCI_EDU_DMA_BUF_SIZE + 2) : (uint32_t)edge64();
	describe("edu DMA src=0x%llx dst=0x%llx cnt=0x%llx cmd=0x%llx",
		 (unsigned long long)src, (unsigned long long)dst,
		 (unsigned long long)cnt, (unsigned long long)cmd);
	ok &= bar0_rw(VFPCI_EDU_REG_DMA_SRC, 4, &src, true) == 4;
	ok &= bar0_rw(VFPCI_EDU_REG_DMA_DST, 4, &dst, true) == 4;
	ok &= bar0_rw(VFPCI_EDU_REG_DMA_CNT, 4, &cnt, true) == 4;
	/* What the engine holds (a frozen engine ignores the writes). */
	ok &= bar0_rw(VFPCI_EDU_REG_DMA_SRC, 4, &src, false) == 4;
	ok &= bar0_rw(VFPCI_EDU_REG_DMA_DST, 4, &dst, false) == 4;
	ok &= bar0_rw(VFPCI_EDU_REG_DMA_CNT, 4, &cnt, false) == 4;
	if (!F.mig_known && mig_get((uint32_t *)&st) < 0)
		ok = false;
	v = cmd;
	ok &= bar0_rw(VFPCI_EDU_REG_DMA_CMD, 4, &v, true) == 4;
	if (ok && F.mig_known && F.mig_state == VFIO_DEVICE_STATE_RUNNING &&
	    (cmd & VFPCI_EDU_DMA_START))
		check_dma_outcome(src, dst, cnt, cmd, "BAR0 write");
}

/*
 * One whole save, mutate, load cycle (vfpci_edu): the structured path
 * into the stream validator and a queued DMA request from a stream.
 */
static void op_mig_cycle(void)
{
	struct vfpci_edu_stream_state *st;
	struct datafd *df = NULL;
	uint8_t buf[1024];
	long ret;
	int i, guard = 0;

	describe("migration cycle: STOP, STOP_COPY, read, RESUMING, write, STOP, RUNNING");
	if (mig_set(VFIO_DEVICE_STATE_STOP, 16) ||
	    mig_set(VFIO_DEVICE_STATE_STOP_COPY, 16))
		goto out;
	for (i = 0; i < NDATA; i++)
		if (F.data[i].capture)
			df = &F.data[i];
	while (df && guard++ < 64) {
		ret = done(C_DATA_READ, read(df->fd, buf, 1 + rnd(sizeof(buf))));
		if (ret <= 0)
			break;
		if (F.stream_len + ret <= STREAM_MAX) {
			memcpy(F.stream + F.stream_len, buf, ret);
			F.stream_len += ret;
		}
	}
	if (df) {
		F.stream_whole = F.stream_len == VFPCI_EDU_STREAM_LEN;
		df->capture = false;
	}
	if (mig_set(VFIO_DEVICE_STATE_STOP, 16) ||
	    mig_set(VFIO_DEVICE_STATE_RESUMING, 16))
		goto out;
	df = NULL;
	for (i = 0; i < NDATA; i++)
		if (F.data[i].writer && F.data[i].fd >= 0 && !F.data[i].src_pos)
			df = &F.data[i];
	guard = 0;
	while (df && df->src && df->src_pos < df->src_len && guard++ < 64) {
		size_t n = 1 + rnd(2048);

		if (n > df->src_len - df->src_pos)
			n = df->src_len - df->src_pos;
		ret = done(C_DATA_WRITE, write(df->fd, df->src + df->src_pos, n));
		if (ret <= 0)
			break;
		df->src_pos += ret;
	}
	if (mig_set(VFIO_DEVICE_STATE_STOP, 16))
		goto out;
	/* Loaded: a queued request runs, checked, on the way to RUNNING. */
	if (mig_set(VFIO_DEVICE_STATE_RUNNING, 16) || !df || !df->src ||
	    df->src_len != VFPCI_EDU_STREAM_LEN)
		goto out;
	st = (void *)(df->src + sizeof(struct vfpci_edu_stream_hdr));
	if (st->dma_cmd & VFPCI_EDU_DMA_START)
		check_dma_outcome(st->dma_src, st->dma_dst, st->dma_cnt,
				  st->dma_cmd, "queued DMA from a stream");
	return;
out:
	if (chance(50)) {
		done(C_RESET, ioctl(F.d.fd, VFIO_DEVICE_RESET));
		F.mig_known = false;
	}
}

/* ---- region access ---- */

static void op_rw(void)
{
	bool write = chance(45), raw = chance(8);
	uint32_t idx = pick_index(F.nreg);
	uint64_t size = idx < VFIO_PCI_NUM_REGIONS ? F.reg[idx].size : 0;
	uint64_t pos = pick_pos(size), off;
	size_t len = pick_len(), i;
	long ret;

	if (idx == VFIO_PCI_CONFIG_REGION_INDEX && chance(50))
		pos = rnd(size ? size : 256) & ~(uint64_t)(chance(80) ? 3 : 0);
	off = raw ? edge64() : IDX_OFF(idx) + pos;
	idx = off >> IDX_SHIFT;
	pos = off & (IDX_OFF(1) - 1);
	size = idx < VFIO_PCI_NUM_REGIONS ? F.reg[idx].size : 0;
	for (i = 0; i < len; i++)
		F.arena[i] = chance(30) ? 0xff : rnd(256);
	if (write && !bar_write_ok(idx, pos, len, F.arena)) {
		pos = safe_pos();
		off = IDX_OFF(idx) + pos;
	}
	describe("%s off=0x%llx (region %u + 0x%llx) len=%zu",
		 write ? "pwrite" : "pread", (unsigned long long)off, idx,
		 (unsigned long long)pos, len);
	if (write)
		ret = done(C_PWRITE, pwrite(F.d.fd, F.arena, len, off));
	else
		ret = done(C_PREAD, pread(F.d.fd, F.arena, len, off));
	if (ret > 0 && (off >> 63) == 0 && len &&
	    (idx >= F.nreg || (idx < VFIO_PCI_NUM_REGIONS && pos >= size)))
		violation("%s of %ld bytes outside region %u (size 0x%llx)",
			  write ? "write" : "read", ret, idx,
			  (unsigned long long)size);
}

/* Structured config writes: decode, bus master, D-states, FLR, MSI. */
static void op_config(void)
{
	uint32_t cmd = cfg_rd(PCI_COMMAND_OFF, 2), v;
	uint32_t pos = PCI_COMMAND_OFF, width = 2;

	switch (rnd(7)) {
	case 0:
		v = cmd ^ 0x2;			/* memory decode */
		break;
	case 1:
		v = cmd ^ (1U << rnd(11));	/* io, master, intx, ... */
		break;
	case 2:
		if (!F.cap_pm)
			return;
		pos = F.cap_pm + 4;
		v = rnd(4) | (chance(20) ? 0x8100 : 0);
		break;
	case 3:
		if (!F.cap_exp || !F.flr || chance(50))
			return;
		pos = F.cap_exp + 8;
		v = cfg_rd(pos, 2) | 0x8000;	/* initiate FLR */
		break;
	case 4:
		if (!F.cap_msi && !F.cap_msix)
			return;
		pos = (F.cap_msix && chance(50) ? F.cap_msix : F.cap_msi);
		if (!pos)
			return;
		pos += 2;
		v = cfg_rd(pos, 2) ^ (pos - 2 == F.cap_msix ?
				      (chance(50) ? 0x8000 : 0x4000) : 1);
		break;
	case 5:
		pos = 0x10 + 4 * rnd(7);	/* BARs and ROM sizing */
		width = 4;
		v = chance(50) ? ~0U : (uint32_t)rnd64();
		break;
	default:
		pos = rnd(F.d.cfg_size ? F.d.cfg_size : 256);
		width = 1U << rnd(3);
		pos &= ~(width - 1);
		v = rnd64();
		break;
	}
	describe("config write 0x%x width %u = 0x%x", pos, width, v);
	done(C_PWRITE, vt_cfg_write(&F.d, pos, width, v) < 0 ? -1 : 0);
}

/* Memory decode on and D0: so that BAR paths keep being reached. */
static void op_fixup(void)
{
	uint32_t cmd = cfg_rd(PCI_COMMAND_OFF, 2);

	describe("restore decode and D0");
	if (F.cap_pm)
		done(C_PWRITE, vt_cfg_write(&F.d, F.cap_pm + 4, 2, 0) < 0 ? -1 : 0);
	if (cmd != ~0U)
		done(C_PWRITE, vt_cfg_write(&F.d, PCI_COMMAND_OFF, 2,
					   cmd | 0x6) < 0 ? -1 : 0);
}

/* ---- mmap ---- */

static void map_drop(int i)
{
	if (F.map[i].p)
		munmap(F.map[i].p, F.map[i].len);
	memset(&F.map[i], 0, sizeof(F.map[i]));
}

static void op_mmap(void)
{
	static const int prots[] = {
		PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, PROT_READ,
		PROT_WRITE, PROT_NONE, PROT_READ | PROT_EXEC,
	};
	static const int flagsets[] = {
		MAP_SHARED, MAP_SHARED, MAP_SHARED, MAP_PRIVATE,
		MAP_SHARED | MAP_POPULATE, MAP_SHARED | MAP_NORESERVE,
		MAP_SHARED_VALIDATE, MAP_SHARED | MAP_LOCKED,
	};
	uint32_t idx = pick_index(F.nreg);
	uint64_t size = idx < VFIO_PCI_NUM_REGIONS ? F.reg[idx].size : 0;
	uint64_t span = (size + PG - 1) & ~(PG - 1), pos, off;
	size_t len;
	int prot = prots[rnd(ARRAY_LEN(prots))];
	int flags = flagsets[rnd(ARRAY_LEN(flagsets))];
	uint8_t *p;
	int i, slot = rnd(NMAP);

	/* Half the time a region that offers mmap, so mappings get used. */
	if (chance(50)) {
		for (i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
			uint32_t j = (idx + i) % VFIO_PCI_NUM_REGIONS;

			if (F.reg[j].flags & VFIO_REGION_INFO_FLAG_MMAP) {
				idx = j;
				size = F.reg[j].size;
				span = (size + PG - 1) & ~(PG - 1);
				break;
			}
		}
	}
	switch (rnd(6)) {
	case 0:
		pos = span;
		break;
	case 1:
		pos = rnd64() & (IDX_OFF(1) - 1);
		break;
	case 2:
		pos = rnd(0x1000);		/* misaligned */
		break;
	default:
		pos = span ? PG * rnd(span / PG) : 0;
		break;
	}
	switch (rnd(6)) {
	case 0:
		len = chance(50) ? 0 : 1ULL << (20 + rnd(24));
		break;
	case 1:
		len = span + PG;
		break;
	case 2:
		len = span > pos ? span - pos : PG;
		break;
	default:
		len = PG * (1 + rnd(4));
		break;
	}
	off = chance(5) ? edge64() : IDX_OFF(idx) + pos;
	idx = off >> IDX_SHIFT;
	pos = off & (IDX_OFF(1) - 1);
	size = idx < VFIO_PCI_NUM_REGIONS ? F.reg[idx].size : 0;
	span = (size + PG - 1) & ~(PG - 1);
	describe("mmap off=0x%llx len=0x%zx prot=%d flags=0x%x",
		 (unsigned long long)off, len, prot, flags);
	map_drop(slot);
	p = mmap(NULL, len, prot, flags, F.d.fd, off);
	done(C_MMAP, p == MAP_FAILED ? -1 : 0);
	if (p == MAP_FAILED)
		return;
	if (idx >= F.nreg || pos + len > span || (pos & (PG - 1)))
		violation("mmap of region %u + 0x%llx len 0x%zx (size 0x%llx) succeeded",
			  idx, (unsigned long long)pos, len,
			  (unsigned long long)size);
	if (F.mediated && idx == 0)
		violation("trapped BAR0 could be mapped");
	if (!(prot & PROT_READ) || len > (1UL << 24)) {
		munmap(p, len);
		return;
	}
	F.map[slot] = (struct mapping){ p, len, len, idx, pos };
	for (i = 0; i < 2; i++) {
		uint64_t v = 0;
		size_t o = rnd(len) & ~7UL;

		done(C_TOUCH, guarded_access(p + o, 4, &v, false) ? (errno = EFAULT, -1) : 0);
	}
}

static void op_touch(void)
{
	struct mapping *m = &F.map[rnd(NMAP)];
	bool write = chance(40);
	int width = 1 << rnd(4), ret;
	size_t o;
	uint64_t v = rnd64();
	uint8_t buf[8];

	if (!m->p || !m->live)
		return;
	o = (rnd(m->live) & ~(size_t)(width - 1));
	if (o + width > m->live)
		return;
	memcpy(buf, &v, 8);
	if (write && !bar_write_ok(m->idx, m->pos + o, width, buf))
		return;
	memcpy(&v, buf, 8);
	describe("mmio %s region %u + 0x%llx width %d", write ? "write" : "read",
		 m->idx, (unsigned long long)(m->pos + o), width);
	ret = guarded_access(m->p + o, width, &v, write);
	done(C_TOUCH, ret ? (errno = EFAULT, -1) : 0);
}

static void op_munmap(void)
{
	int i = rnd(NMAP);
	struct mapping *m = &F.map[i];

	if (!m->p)
		return;
	if (chance(50) && m->live > PG) {
		/* Split the VMA: the driver sees open/close of the pieces. */
		size_t keep = PG * (1 + rnd(m->live / PG - 1));

		describe("munmap tail of a mapping at 0x%zx", keep);
		done(C_MUNMAP, munmap(m->p + keep, m->live - keep));
		m->live = keep;
		return;
	}
	describe("munmap a mapping of region %u", m->idx);
	done(C_MUNMAP, munmap(m->p, m->len));
	memset(m, 0, sizeof(*m));
}

/* ---- the rest ---- */

static void op_signal(void)
{
	uint64_t one = 1;
	int i = rnd(NEFD);

	if (chance(15)) {
		describe("replace eventfd %d", F.efd[i]);
		close(F.efd[i]);
		F.efd[i] = vt_eventfd();
		return;
	}
	describe("signal eventfd %d", F.efd[i]);
	done(C_SIGNAL, write(F.efd[i], &one, 8));
	vt_eventfd_drain(F.efd[i]);
}

static void op_unknown(void)
{
	static const uint8_t deny[] = { 0, 'f', 'X', 'T', 0x94, 0x15, 'V' };
	uint32_t cmd, nr;
	bool vfs = false;
	size_t i;
	long ret;

	switch (rnd(4)) {
	case 0:		/* VFIO numbers that are not device ioctls */
		do {
			nr = chance(50) ? rnd(32) : rnd(256);
		} while (nr >= 7 && nr <= 17 && nr != 14 && nr != 15);
		cmd = _IO(VFIO_TYPE, VFIO_BASE + nr);
		break;
	case 1:		/* a device ioctl with size/direction bits */
		cmd = _IOC(1 + rnd(3), VFIO_TYPE, VFIO_BASE + 7 + rnd(11),
			   1 + rnd(64));
		break;
	default:
		cmd = rnd64();
		for (i = 0; i < ARRAY_LEN(deny); i++)
			vfs |= _IOC_TYPE(cmd) == deny[i];
		if (vfs)
			cmd = (cmd & ~(0xffU << 8)) | ('Q' << 8);
		break;
	}
	arena_fill(256);
	describe("unknown ioctl 0x%x", cmd);
	ret = done(C_UNKNOWN, ioctl(F.d.fd, cmd, F.arena));
	expect_errno(ret, ENOTTY, "unknown ioctl");
}

/* Plain file operations on the device fd. */
static void op_fd_misc(void)
{
	struct pollfd pf = { .fd = F.d.fd, .events = POLLIN | POLLOUT | POLLPRI };
	struct stat sb;
	int dup_fd;

	describe("device fd: read/write at f_pos, lseek, poll, fstat, dup, fcntl");
	done(C_FD_OTHER, lseek(F.d.fd, chance(50) ? edge64() :
			       F.reg[rnd(VFIO_PCI_NUM_REGIONS)].off, rnd(3)));
	done(C_FD_OTHER, read(F.d.fd, F.arena, rnd(16)));
	done(C_FD_OTHER, poll(&pf, 1, 0));
	done(C_FD_OTHER, fstat(F.d.fd, &sb));
	done(C_FD_OTHER, fcntl(F.d.fd, F_SETFL, chance(50) ? O_NONBLOCK : 0));
	dup_fd = dup(F.d.fd);
	done(C_FD_OTHER, dup_fd);
	if (dup_fd >= 0)
		close(dup_fd);
}

/* Close the device fd and open it again (mappings may still hold it). */
static void op_reopen(void)
{
	int fd;

	describe("close and reopen the device fd");
	close(F.d.fd);
	fd = ioctl(F.d.group, VFIO_GROUP_GET_DEVICE_FD, F.bdf);
	done(C_REOPEN, fd);
	if (fd < 0) {
		printf("not ok %s - reopen after op %lu: %s\n", tag, op_nr,
		       strerror(errno));
		fflush(stdout);
		exit(1);
	}
	F.d.fd = fd;
	F.mig_known = false;
}

struct op {
	void (*fn)(void);
	unsigned int weight;
};

static struct op ops[] = {
	{ op_rw, 180 }, { op_touch, 70 }, { op_mmap, 50 }, { op_munmap, 20 },
	{ op_config, 50 }, { op_fixup, 40 }, { op_get_info, 15 },
	{ op_region_info, 45 }, { op_irq_info, 25 }, { op_set_irqs, 90 },
	{ op_reset, 8 }, { op_hot_reset_info, 15 }, { op_hot_reset, 10 },
	{ op_ioeventfd, 60 }, { op_signal, 40 }, { op_feature, 90 },
	{ op_data, 35 }, { op_mig_cycle, 6 }, { op_edu_dma, 0 },
	{ op_unknown, 35 }, { op_fd_misc, 12 }, { op_reopen, 4 },
};

static void run_one(void)
{
	unsigned int total = 0, pick;
	size_t i;

	for (i = 0; i < ARRAY_LEN(ops); i++)
		total += ops[i].weight;
	pick = rnd(total);
	for (i = 0; i < ARRAY_LEN(ops); i++) {
		if (pick < ops[i].weight) {
			ops[i].fn();
			return;
		}
		pick -= ops[i].weight;
	}
}

static void set_weight(void (*fn)(void), unsigned int w)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(ops); i++)
		if (ops[i].fn == fn)
			ops[i].weight = w;
}

/* ---- setup, liveness, totals ---- */

static int setup(void)
{
	uint32_t id;
	int i, ret;

	ret = vt_bind_open(&F.d, F.bdf, F.driver);
	if (ret)
		return ret;
	load_regions();
	id = cfg_rd(0, 4);
	if (id == 0x11e81234)
		F.kind = K_EDU;
	else if (id == 0x00101b36)
		F.kind = K_NVME;
	find_caps();
	for (i = 0; i < NEFD; i++)
		F.efd[i] = vt_eventfd();
	for (i = 0; i < NDATA; i++)
		F.data[i].fd = -1;
	if (pipe(F.pipefd))
		return -errno;
	F.nullfd = open("/dev/null", O_RDWR);
	F.arena = mmap(NULL, ARENA_SIZE + PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	F.bitmap = mmap(NULL, ARENA_SIZE + PG, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (F.arena == MAP_FAILED || F.bitmap == MAP_FAILED)
		return -ENOMEM;
	F.guard = F.arena + ARENA_SIZE;
	F.bitmap_end = F.bitmap + ARENA_SIZE;
	mprotect(F.guard, PG, PROT_NONE);
	mprotect(F.bitmap_end, PG, PROT_NONE);
	/* Memory the test owns, for the device's DMA and dirty logging. */
	ret = vt_dma_map(&F.d, DMA_IOVA, DMA_SIZE, (void **)&F.dma);
	if (ret)
		return ret;
	if (F.mediated)
		set_weight(op_edu_dma, 60);
	if (F.mediated)
		set_weight(op_mig_cycle, 20);
	if (F.kind == K_NVME)
		set_weight(op_reset, 4);
	return 0;
}

static void teardown_user_state(void)
{
	int i;

	for (i = 0; i < NMAP; i++)
		map_drop(i);
	for (i = 0; i < NDATA; i++)
		data_close(i);
}

/* The device must still answer like itself after a fresh open. */
static bool device_alive(char *why, size_t len)
{
	uint64_t a = 0, b = 0, x = 0x5a5a1234 ^ (rng & 0xffff);
	int fd;

	teardown_user_state();
	close(F.d.fd);
	fd = ioctl(F.d.group, VFIO_GROUP_GET_DEVICE_FD, F.bdf);
	if (fd < 0) {
		snprintf(why, len, "cannot reopen: %s", strerror(errno));
		return false;
	}
	F.d.fd = fd;
	vt_cfg_write(&F.d, PCI_COMMAND_OFF, 2,
		     cfg_rd(PCI_COMMAND_OFF, 2) | 0x6);
	if (F.cap_pm)
		vt_cfg_write(&F.d, F.cap_pm + 4, 2, 0);
	if (cfg_rd(0, 4) == ~0U) {
		snprintf(why, len, "config space reads all ones");
		return false;
	}
	switch (F.kind) {
	case K_EDU:
		if (vt_region_read(&F.d, 0, VFPCI_EDU_REG_ID, 4, &a) != 4 ||
		    a != EDU_ID_VALUE) {
			snprintf(why, len, "id reads 0x%llx", (unsigned long long)a);
			return false;
		}
		if (vt_region_write(&F.d, 0, VFPCI_EDU_REG_LIVENESS, 4, x) != 4 ||
		    vt_region_read(&F.d, 0, VFPCI_EDU_REG_LIVENESS, 4, &b) != 4 ||
		    b != (~x & 0xffffffff)) {
			snprintf(why, len, "liveness: wrote 0x%llx, read 0x%llx",
				 (unsigned long long)x, (unsigned long long)b);
			return false;
		}
		return true;
	case K_NVME:
		if (vt_region_read(&F.d, 0, 0, 4, &a) != 4 ||
		    vt_region_read(&F.d, 0, 8, 4, &b) != 4 ||
		    a == 0 || a == 0xffffffff || b < 0x10000 || b == 0xffffffff) {
			snprintf(why, len, "CAP 0x%llx VS 0x%llx",
				 (unsigned long long)a, (unsigned long long)b);
			return false;
		}
		return true;
	default:
		return true;
	}
}

static void print_totals(double secs)
{
	char line[1024];
	size_t n = 0;
	int i;

	tap_diag("%s: %lu operations, %lu calls in %.1f s", tag, op_nr,
		 total_calls, secs);
	for (i = 0; i < C_NR; i++)
		if (calls[i])
			n += snprintf(line + n, sizeof(line) - n, " %s=%lu",
				      call_names[i], calls[i]);
	tap_diag("calls:%s", line);
	n = snprintf(line, sizeof(line), " OK=%lu", errs[0]);
	for (i = 1; i < 256 && n < sizeof(line); i++)
		if (errs[i])
			n += snprintf(line + n, sizeof(line) - n, " %s=%lu",
				      strerrorname_np(i), errs[i]);
	tap_diag("errnos:%s", line);
	if (F.mediated)
		tap_diag("edu DMA starts checked in RUNNING: %lu (%lu refused, %lu run)",
			 dma_checked, dma_refused, dma_done);
	if (F.ref)
		tap_diag("reference oddities (not failures): %lu", ref_oddities);
}

static int parse_avoid(char *list)
{
	char *name, *save = NULL;
	size_t i;

	for (name = strtok_r(list, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < ARRAY_LEN(avoid_names); i++)
			if (!strcmp(name, avoid_names[i]))
				break;
		if (i == ARRAY_LEN(avoid_names)) {
			fprintf(stderr, "fuzz: unknown --avoid %s\n", name);
			return -1;
		}
		F.avoid |= 1U << i;
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "driver", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ "iterations", required_argument, NULL, 'i' },
		{ "seconds", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "avoid", required_argument, NULL, 'a' },
		{}
	};
	struct sigaction sa = { .sa_handler = on_fault };
	unsigned long iterations = 0;
	double seconds = 0, t0;
	uint64_t seed = 0;
	bool seeded = false;
	char why[256] = "";
	int c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			F.driver = optarg;
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			seeded = true;
			break;
		case 'i':
			iterations = strtoul(optarg, NULL, 0);
			break;
		case 't':
			seconds = strtod(optarg, NULL);
			break;
		case 'v':
			verbose = true;
			break;
		case 'a':
			if (parse_avoid(optarg))
				return 2;
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc || !F.driver) {
		fprintf(stderr, "usage: fuzz --driver NAME [--seed N] [--iterations N] [--seconds N] [--verbose] [--avoid edu-ioeventfd-dma,edu-set-from-error] BDF\n");
		return 2;
	}
	if (!iterations && !seconds)
		iterations = 2000;
	if (!seeded)
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	rng = seed;
	F.bdf = argv[optind];
	F.ref = !strcmp(F.driver, "vfio-pci");
	F.mediated = !strcmp(F.driver, "vfpci_edu");
	F.mdev = vt_is_mdev(F.bdf);
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);

	snprintf(tag, sizeof(tag), "fuzz/%s/%s/open", F.driver, F.bdf);
	alarm(60);
	ret = setup();
	if (!tap_result(ret == 0, tag, "%s", strerror(-ret)))
		return tap_summary();
	snprintf(tag, sizeof(tag), "fuzz/%s/%s/seed-%llu", F.driver,
		 F.kind == K_EDU ? "edu" : F.kind == K_NVME ? "nvme" : "other",
		 (unsigned long long)seed);
	for (c = 0; c < (int)F.nreg && c < VFIO_PCI_NUM_REGIONS; c++)
		if (F.reg[c].size)
			tap_diag("region %d: offset 0x%llx size 0x%llx flags 0x%x",
				 c, (unsigned long long)F.reg[c].off,
				 (unsigned long long)F.reg[c].size, F.reg[c].flags);
	tap_diag("%s: seed %llu (replay: --seed %llu)%s", tag,
		 (unsigned long long)seed, (unsigned long long)seed,
		 F.ref ? ", reference: D1 inputs excluded" : "");
	t0 = now();
	for (op_nr = 0; (!iterations || op_nr < iterations) &&
	     (!seconds || now() - t0 < seconds); op_nr++) {
		alarm(60);
		run_one();
	}
	alarm(120);
	print_totals(now() - t0);
	tap_ok("%s %lu calls", tag, total_calls);
	*strrchr(tag, '/') = '\0';
	tap_result(!violations, strcat(tag, "/invariants"), "%lu violations, first: %s",
		   violations, first_violation);
	*strrchr(tag, '/') = '\0';
	strcat(tag, "/device_alive");
	tap_result(device_alive(why, sizeof(why)), tag, "%s", why);
	alarm(0);
	vt_close(&F.d);
	return tap_summary();
}
