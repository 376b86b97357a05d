// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfpci-mig-demo: a workload on one edu device through vfpci_edu
 * (factorials, DMA into and out of the device, MSI interrupts) that is
 * live-migrated to a second edu in the middle of its work and goes on
 * there.  Everything is checked; the output says what happened in words.
 *
 * Usage: vfpci-mig-demo SRC DST   (PCI addresses of edus on vfpci_edu, or
 *                                  UUIDs of vfpci_edu_mdev instances)
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "mig.h"
#include <vfpci_edu_stream.h>

#define PAGE		4096
#define IOVA_BASE	0x200000ull
#define RAM_PAGES	4
#define ROUNDS_BEFORE	3
#define ROUNDS_AFTER	3

struct edu {
	const char *name;
	struct mig_dev d;
	uint64_t bar0, cfg;
	int efd;
	unsigned long irqs;	/* MSIs seen */
};

static uint8_t *ram;
static uint64_t seed;
static int failures;

static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "demo: %s: %s%s%s (%s)\n", what, mig_last_step(),
		mig_last_step()[0] ? ": " : "", strerror(-err),
		mig_errname(err));
	exit(1);
}

static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return;
	failures++;
	printf("   !! MISMATCH: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static uint32_t rd(struct edu *e, unsigned int off)
{
	uint32_t v = 0xffffffff;

	if (pread(e->d.fd, &v, 4, e->bar0 + off) != 4)
		die("BAR0 read", -errno);
	return v;
}

static void wr(struct edu *e, unsigned int off, uint32_t v)
{
	if (pwrite(e->d.fd, &v, 4, e->bar0 + off) != 4)
		die("BAR0 write", -errno);
}

static void wait_clear(struct edu *e, unsigned int off, uint32_t mask)
{
	int i;

	for (i = 0; i < 3000 && (rd(e, off) & mask); i++)
		usleep(1000);
}

/* Count the MSIs that arrived within @ms. */
static unsigned long irqs_within(struct edu *e, int ms)
{
	struct pollfd p = { .fd = e->efd, .events = POLLIN };
	uint64_t n = 0;

	if (poll(&p, 1, ms) == 1 && read(e->efd, &n, sizeof(n)) != sizeof(n))
		n = 0;
	e->irqs += n;
	return n;
}

static int region_off(int fd, uint32_t index, uint64_t *off)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = index };

	if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &ri) < 0)
		return -errno;
	*off = ri.offset;
	return 0;
}

/* Bus master on (edu's MSI needs it), one MSI vector to an eventfd. */
static int msi_on(struct edu *e)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (void *)buf;
	uint16_t cmd;

	if (pread(e->d.fd, &cmd, 2, e->cfg + 4) != 2)
		return -errno;
	cmd |= 0x4;
	if (pwrite(e->d.fd, &cmd, 2, e->cfg + 4) != 2)
		return -errno;
	e->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (e->efd < 0)
		return -errno;
	memset(buf, 0, sizeof(buf));
	set->argsz = sizeof(buf);
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_MSI_IRQ_INDEX;
	set->count = 1;
	memcpy(set->data, &e->efd, sizeof(int32_t));
	return ioctl(e->d.fd, VFIO_DEVICE_SET_IRQS, set) < 0 ? -errno : 0;
}

/* The driver of @name: a PCI function's, or an mdev instance's. */
static const char *driver_of(const char *name)
{
	static char link[PATH_MAX];
	char path[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", name);
	if (access(path, F_OK))
		snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/driver",
			 name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return "?";
	link[n] = '\0';
	return basename(link);
}

static void open_edu(struct mig_ctx *ctx, struct edu *e, const char *bdf)
{
	int ret = mig_dev_open(ctx, &e->d, bdf);

	if (!ret)
		ret = region_off(e->d.fd, VFIO_PCI_BAR0_REGION_INDEX, &e->bar0);
	if (!ret)
		ret = region_off(e->d.fd, VFIO_PCI_CONFIG_REGION_INDEX,
				 &e->cfg);
	if (!ret)
		ret = msi_on(e);
	if (ret)
		die(bdf, ret);
}

static uint32_t fact(uint32_t n)
{
	uint32_t r = 1;

	while (n > 1)
		r *= n--;
	return r;
}

static void dma(struct edu *e, uint64_t src, uint64_t dst, uint32_t cmd)
{
	wr(e, VFPCI_EDU_REG_DMA_SRC, src);
	wr(e, VFPCI_EDU_REG_DMA_DST, dst);
	wr(e, VFPCI_EDU_REG_DMA_CNT, PAGE);
	wr(e, VFPCI_EDU_REG_DMA_CMD, cmd | VFPCI_EDU_DMA_START);
	wait_clear(e, VFPCI_EDU_REG_DMA_CMD, VFPCI_EDU_DMA_START);
	check(!(rd(e, VFPCI_EDU_REG_DMA_CMD) & VFPCI_EDU_DMA_ERROR),
	      "DMA refused by the driver");
}

/* Start a factorial with its completion interrupt armed. */
static void fact_start(struct edu *e, uint32_t n)
{
	wr(e, VFPCI_EDU_REG_STATUS, VFPCI_EDU_STATUS_IRQFACT);
	wr(e, VFPCI_EDU_REG_FACT, n);
}

static uint32_t fact_finish(struct edu *e)
{
	wait_clear(e, VFPCI_EDU_REG_STATUS, VFPCI_EDU_STATUS_BUSY);
	return rd(e, VFPCI_EDU_REG_FACT);
}

/* Fill page 0 with a fresh pattern and DMA it into the device buffer. */
static void pattern_in(struct edu *e, uint8_t *pat)
{
	unsigned int i;

	for (i = 0; i < PAGE; i++)
		pat[i] = rnd();
	memcpy(ram, pat, PAGE);
	dma(e, IOVA_BASE, VFPCI_EDU_DMA_BUF_ADDR, 0);
	memset(ram, 0, PAGE);
}

/* DMA the device buffer out to page 1 (with its interrupt): equal? */
static bool pattern_out(struct edu *e, const uint8_t *pat)
{
	memset(ram + PAGE, 0, PAGE);
	dma(e, VFPCI_EDU_DMA_BUF_ADDR, IOVA_BASE + PAGE,
	    VFPCI_EDU_DMA_TO_RAM | VFPCI_EDU_DMA_IRQ);
	return !memcmp(ram + PAGE, pat, PAGE);
}

/* One whole round of work on @e, checked and told. */
static void round_on(struct edu *e, int r)
{
	uint8_t pat[PAGE];
	uint32_t n = 5 + rnd() % 8, got, live = rnd();
	unsigned long irq;
	bool same;

	wr(e, VFPCI_EDU_REG_LIVENESS, live);
	check(rd(e, VFPCI_EDU_REG_LIVENESS) == ~live, "liveness");
	fact_start(e, n);
	got = fact_finish(e);
	irq = irqs_within(e, 1000);
	wr(e, VFPCI_EDU_REG_IRQ_ACK, VFPCI_EDU_IRQ_FACT);
	pattern_in(e, pat);
	same = pattern_out(e, pat);
	irq += irqs_within(e, 1000);
	wr(e, VFPCI_EDU_REG_IRQ_ACK, VFPCI_EDU_IRQ_DMA);
	check(got == fact(n), "%u! read %u, want %u", n, got, fact(n));
	check(same, "the buffer DMA'd out differs from what went in");
	check(irq == 2, "%lu interrupts, want 2", irq);
	printf("   round %d on %s: %u! = %u %s; 4 KiB pattern DMA'd into the device and back out %s; %lu interrupts (factorial done, DMA done)\n",
	       r, e->name, n, got, got == fact(n) ? "(correct)" : "(WRONG)",
	       same ? "intact" : "CORRUPTED", irq);
}

int main(int argc, char **argv)
{
	struct edu a = { .name = "edu #1", .efd = -1 };
	struct edu b = { .name = "edu #2", .efd = -1 };
	uint32_t n, live, state, got;
	struct mig_stats st;
	struct mig_ctx ctx;
	uint8_t pat[PAGE];
	unsigned long irq;
	uint64_t flags;
	int ret, r;

	if (argc != 3) {
		fprintf(stderr, "usage: vfpci-mig-demo SRC DST\n");
		return 2;
	}
	seed = (uint64_t)time(NULL) * 2654435761u | 1;
	ret = mig_ctx_init(&ctx);
	if (ret)
		die("container", ret);
	open_edu(&ctx, &a, argv[1]);
	open_edu(&ctx, &b, argv[2]);
	ram = mmap(NULL, RAM_PAGES * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		die("mmap", -errno);
	ret = mig_dma_map(&ctx, ram, IOVA_BASE, RAM_PAGES * PAGE);
	if (ret)
		die("DMA map", ret);
	ret = mig_get_flags(a.d.fd, &flags);
	if (ret)
		die("migration flags", ret);
	printf("== %s is %s and %s is %s, both through %s, in one VFIO container\n",
	       a.name, argv[1], b.name, argv[2], driver_of(argv[1]));
	printf("   (one IOMMU address space: the workload's DMA buffers stay valid after the move)\n");
	printf("   migration support: %s%s\n",
	       flags & VFIO_MIGRATION_STOP_COPY ? "STOP_COPY" : "",
	       flags & VFIO_MIGRATION_P2P ? " + P2P" : "");

	printf("== the workload runs on %s\n", a.name);
	for (r = 1; r <= ROUNDS_BEFORE; r++)
		round_on(&a, r);

	/* Leave work behind in the device: registers, buffer, a factorial. */
	n = 10 + rnd() % 3;
	live = rnd();
	wr(&a, VFPCI_EDU_REG_LIVENESS, live);
	pattern_in(&a, pat);
	fact_start(&a, n);
	printf("== mid-work: %s holds a fresh 4 KiB pattern in its buffer, liveness value 0x%08x, and has just been asked for %u!\n",
	       a.name, live, n);

	printf("== live-migrating %s -> %s\n", a.name, b.name);
	ret = mig_migrate(&a.d, &b.d, &st);
	if (ret)
		die("migration", ret);
	printf("   the device state went over the VFIO data fd: %llu bytes\n",
	       (unsigned long long)st.stream_bytes);
	printf("   downtime (source stopped -> target running): %llu us (stop %llu, copy %llu, resume %llu)\n",
	       (unsigned long long)st.downtime_us,
	       (unsigned long long)st.stop_copy_us,
	       (unsigned long long)st.transfer_us,
	       (unsigned long long)st.resume_us);
	ret = mig_get_state(a.d.fd, &state);
	printf("   %s is now %s; ", a.name, ret ? "?" : mig_state_name(state));
	ret = mig_get_state(b.d.fd, &state);
	printf("%s is now %s\n", b.name, ret ? "?" : mig_state_name(state));

	printf("== %s picks up where %s left off\n", b.name, a.name);
	got = fact_finish(&b);
	irq = irqs_within(&b, 1000);
	check(got == fact(n), "%u! read %u on the target", n, got);
	printf("   the factorial asked of %s reads %u! = %u %s\n", a.name, n,
	       got, got == fact(n) ? "(correct)" : "(WRONG)");
	got = rd(&b, VFPCI_EDU_REG_LIVENESS);
	check(got == ~live, "liveness 0x%08x on the target", got);
	printf("   liveness reads 0x%08x, the inverse of 0x%08x %s\n", got, live,
	       got == ~live ? "(correct)" : "(WRONG)");
	wr(&b, VFPCI_EDU_REG_IRQ_ACK, 0xffffffff);
	irqs_within(&b, 10);
	if (pattern_out(&b, pat)) {
		printf("   the pattern written into %s's buffer comes out of %s intact\n",
		       a.name, b.name);
	} else {
		check(false, "the pattern did not survive the migration");
	}
	irq += irqs_within(&b, 1000);
	check(irq >= 1, "no interrupt from %s after the move", b.name);
	printf("   %s raised %lu interrupt(s) for that work\n", b.name, irq);
	wr(&b, VFPCI_EDU_REG_IRQ_ACK, 0xffffffff);

	printf("== the workload continues on %s\n", b.name);
	for (r = ROUNDS_BEFORE + 1; r <= ROUNDS_BEFORE + ROUNDS_AFTER; r++)
		round_on(&b, r);

	mig_dma_unmap(&ctx, IOVA_BASE, RAM_PAGES * PAGE);
	mig_dev_close(&a.d);
	mig_dev_close(&b.d);
	mig_ctx_fini(&ctx);
	if (failures) {
		printf("== FAILED: %d result(s) wrong\n", failures);
		return 1;
	}
	printf("== done: %d rounds, %lu interrupts, every result correct; migrated with a %llu-byte stream and %llu us of downtime\n",
	       ROUNDS_BEFORE + ROUNDS_AFTER + 1, a.irqs + b.irqs,
	       (unsigned long long)st.stream_bytes,
	       (unsigned long long)st.downtime_us);
	return 0;
}
