// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdev_bench: what sharing an edu through vfpci_edu_mdev costs.  Both
 * modes drive the devices as a user-space driver would: through the VFIO
 * uAPI's region read/write (an mdev instance has no mmap), completions by
 * MSI eventfd, every result checked (a wrong one counts as an error, not
 * an operation).
 *
 *   fact op: write n (12) to 0x08 with STATUS IRQFACT, wait for the MSI,
 *            read and check n!, ack
 *   dma op:  a 4095-byte round trip: RAM to the device's buffer, the
 *            buffer back to another page (MSI after each), compared.
 *            Not 4096: QEMU 7.2's edu aborts the VM on a transfer that
 *            ends at the end of its buffer window (an off-by-one in its
 *            range check), and the physical edu here is QEMU's.
 *
 * Usage:
 *   mdev_bench cost [--rounds R] [--fact-ms MS] [--dma-ms MS] BDF UUID
 *       mediation cost: per round, a fact window then a dma window on the
 *       physical edu BDF (bound to vfio-pci) and on the instance UUID,
 *       the order alternating round by round
 *   mdev_bench fair [--loop fact|dma] [--ms MS] UUID...
 *       fairness: one thread per instance, all released together, each
 *       running the same loop until the window ends
 *
 * Output (plus "#" comments), <ms> the time the <ops> took (every op
 * started within the window counts, the last one may end after it):
 *   C <round> <fact|dma> <phys|mdev> <ops> <ms> <ops/s> <errors>
 *   F <ninst> <fact|dma> <k> <uuid> <ops> <ms> <errors>
 * Run it pinned to one CPU (taskset -c 0) on a guest booted with
 * irqaffinity=0, as vfpci_bench.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "vfpci_test.h"
#include "vfpci_edu_stream.h"

#define MAX_INST	8
#define BAR0		VFIO_PCI_BAR0_REGION_INDEX
#define IOVA		0x200000ULL
#define RAM_SIZE	0x2000ULL	/* source page, destination page */
#define PAGE		4096
#define WAIT_MS		10000
#define FACT_N		12
#define DMA_CNT		4095	/* see dma op above */

struct dev {
	const char *name;
	struct vt_dev d;
	uint8_t *ram;
	int efd;
	int io_err;
	/* one window's counts */
	long ops, errors;
	uint64_t ms;
	char first[128];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static uint32_t rd(struct dev *m, uint32_t off)
{
	uint64_t v = 0;

	if (vt_region_read(&m->d, BAR0, off, 4, &v) != 4) {
		m->io_err++;
		return 0xdeadbeef;
	}
	return v;
}

static void wr(struct dev *m, uint32_t off, uint32_t v)
{
	if (vt_region_write(&m->d, BAR0, off, 4, v) != 4)
		m->io_err++;
}

static void err(struct dev *m, const char *what)
{
	if (!m->errors++)
		snprintf(m->first, sizeof(m->first), "%s", what);
}

static int dev_open(struct dev *m, const char *name)
{
	uint64_t cmd = 0;
	int ret;

	memset(m, 0, sizeof(*m));
	m->name = name;
	ret = vt_open(&m->d, name);
	if (ret)
		return ret;
	ret = vt_dma_map(&m->d, IOVA, RAM_SIZE, (void **)&m->ram);
	if (ret)
		return ret;
	vt_cfg_read(&m->d, PCI_COMMAND, 2, &cmd);
	if (vt_cfg_write(&m->d, PCI_COMMAND, 2, cmd | PCI_COMMAND_MEMORY |
			 PCI_COMMAND_MASTER) != 2)
		return -EIO;
	m->efd = vt_eventfd();
	ret = vt_irq_set_eventfds(m->d.fd, VFIO_PCI_MSI_IRQ_INDEX, 0, 1,
				  &m->efd);
	if (ret)
		return ret;
	wr(m, VFPCI_EDU_REG_IRQ_ACK, ~0U);
	vt_eventfd_drain(m->efd);
	return 0;
}

static void dev_close(struct dev *m)
{
	vt_irq_disable(m->d.fd, VFIO_PCI_MSI_IRQ_INDEX);
	vt_dma_unmap(&m->d, IOVA, RAM_SIZE);
	munmap(m->ram, RAM_SIZE);
	vt_close(&m->d);
	close(m->efd);
}

static bool wait_irq(struct dev *m, const char *what)
{
	bool ok = vt_eventfd_wait(m->efd, WAIT_MS) > 0;

	if (!ok)
		err(m, what);
	wr(m, VFPCI_EDU_REG_IRQ_ACK, ~0U);
	return ok;
}

static bool fact_op(struct dev *m)
{
	static const uint32_t want = 479001600;	/* 12! */

	wr(m, VFPCI_EDU_REG_STATUS, VFPCI_EDU_STATUS_IRQFACT);
	wr(m, VFPCI_EDU_REG_FACT, FACT_N);
	if (!wait_irq(m, "no factorial interrupt"))
		return false;
	if (rd(m, VFPCI_EDU_REG_FACT) != want) {
		err(m, "wrong factorial");
		return false;
	}
	return true;
}

static bool xfer(struct dev *m, uint32_t src, uint32_t dst, uint32_t cmd)
{
	wr(m, VFPCI_EDU_REG_DMA_SRC, src);
	wr(m, VFPCI_EDU_REG_DMA_DST, dst);
	wr(m, VFPCI_EDU_REG_DMA_CNT, DMA_CNT);
	wr(m, VFPCI_EDU_REG_DMA_CMD, cmd | VFPCI_EDU_DMA_START |
	   VFPCI_EDU_DMA_IRQ);
	if (!wait_irq(m, "no DMA interrupt"))
		return false;
	if (rd(m, VFPCI_EDU_REG_DMA_CMD) &
	    (VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_ERROR)) {
		err(m, "DMA still busy or refused after its interrupt");
		return false;
	}
	return true;
}

static bool dma_op(struct dev *m, long seq)
{
	uint8_t *src = m->ram, *dst = m->ram + PAGE;
	size_t k;

	for (k = 0; k < PAGE; k++)
		src[k] = (uint8_t)(k * 7 + seq * 13 + (uintptr_t)m);
	memset(dst, 0, PAGE);
	if (!xfer(m, IOVA, VFPCI_EDU_DMA_BUF_ADDR, 0) ||
	    !xfer(m, VFPCI_EDU_DMA_BUF_ADDR, IOVA + PAGE,
		  VFPCI_EDU_DMA_TO_RAM))
		return false;
	if (memcmp(src, dst, DMA_CNT) || dst[DMA_CNT]) {
		err(m, "DMA round trip data wrong");
		return false;
	}
	return true;
}

/*
 * Run the loop on @m until @end (ms): every op started before @end counts,
 * and m->ms is the time they took, so ops / ms is the rate without the
 * truncation error of a window that ends mid-op (a DMA op is ~0.2 s).
 */
static void run_window(struct dev *m, bool dma, uint64_t end)
{
	uint64_t t0 = now_ms();

	m->ops = m->errors = 0;
	m->first[0] = 0;
	while (now_ms() < end) {
		if (dma ? dma_op(m, m->ops) : fact_op(m))
			m->ops++;
		if (m->errors > 5)
			break;
	}
	m->ms = now_ms() - t0;
}

static int mode_cost(int rounds, int fact_ms, int dma_ms, const char *bdf,
		     const char *uuid)
{
	struct dev dv[2];
	const char *kind[2] = { "phys", "mdev" };
	int r, l, j, ret = 0;

	if (dev_open(&dv[0], bdf) || dev_open(&dv[1], uuid)) {
		fprintf(stderr, "mdev_bench: cannot open %s and %s\n", bdf,
			uuid);
		return 1;
	}
	/* Warm-up: one op of each kind on both. */
	for (j = 0; j < 2; j++)
		if (!fact_op(&dv[j]) || !dma_op(&dv[j], 0))
			printf("# warm-up on %s failed: %s\n", kind[j],
			       dv[j].first);
	for (r = 0; r < rounds; r++) {
		for (l = 0; l < 2; l++) {
			int ms = l ? dma_ms : fact_ms;

			for (j = 0; j < 2; j++) {
				struct dev *m = &dv[(j + r) % 2];

				run_window(m, l, now_ms() + ms);
				printf("C %d %s %s %ld %llu %.2f %ld\n", r,
				       l ? "dma" : "fact",
				       kind[(j + r) % 2], m->ops,
				       (unsigned long long)m->ms,
				       m->ms ? m->ops * 1000.0 / m->ms : 0,
				       m->errors + m->io_err);
				if (m->errors || m->io_err) {
					printf("# %s: %s (%d I/O errors)\n",
					       kind[(j + r) % 2], m->first,
					       m->io_err);
					ret = 1;
				}
				fflush(stdout);
			}
		}
	}
	dev_close(&dv[0]);
	dev_close(&dv[1]);
	return ret;
}

struct fair_arg {
	struct dev *m;
	bool dma;
	pthread_barrier_t *bar;
	uint64_t *start;
	int ms;
};

static void *fair_thread(void *p)
{
	struct fair_arg *a = p;

	pthread_barrier_wait(a->bar);
	run_window(a->m, a->dma, *a->start + a->ms);
	return NULL;
}

static int mode_fair(bool dma, int ms, int n, char **uuids)
{
	static struct dev dv[MAX_INST];
	struct fair_arg args[MAX_INST];
	pthread_t th[MAX_INST];
	pthread_barrier_t bar;
	uint64_t start;
	int k, ret = 0;

	for (k = 0; k < n; k++) {
		if (dev_open(&dv[k], uuids[k])) {
			fprintf(stderr, "mdev_bench: cannot open %s\n",
				uuids[k]);
			return 1;
		}
		if (!(dma ? dma_op(&dv[k], 0) : fact_op(&dv[k])))
			printf("# warm-up on %s failed: %s\n", uuids[k],
			       dv[k].first);
	}
	pthread_barrier_init(&bar, NULL, n + 1);
	for (k = 0; k < n; k++) {
		args[k] = (struct fair_arg){ &dv[k], dma, &bar, &start, ms };
		pthread_create(&th[k], NULL, fair_thread, &args[k]);
	}
	start = now_ms();
	pthread_barrier_wait(&bar);
	for (k = 0; k < n; k++)
		pthread_join(th[k], NULL);
	for (k = 0; k < n; k++) {
		struct dev *m = &dv[k];

		printf("F %d %s %d %s %ld %llu %ld\n", n, dma ? "dma" : "fact",
		       k, m->name, m->ops, (unsigned long long)m->ms,
		       m->errors + m->io_err);
		if (m->errors || m->io_err) {
			printf("# %s: %s (%d I/O errors)\n", m->name, m->first,
			       m->io_err);
			ret = 1;
		}
		dev_close(m);
	}
	return ret;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mdev_bench cost [--rounds R] [--fact-ms MS] [--dma-ms MS] BDF UUID\n"
		"       mdev_bench fair [--loop fact|dma] [--ms MS] UUID...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "fact-ms", required_argument, NULL, 'f' },
		{ "dma-ms", required_argument, NULL, 'd' },
		{ "loop", required_argument, NULL, 'l' },
		{ "ms", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	int rounds = 5, fact_ms = 1000, dma_ms = 3000, ms = 5000, c;
	bool dma = false;
	const char *mode;

	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': rounds = atoi(optarg); break;
		case 'f': fact_ms = atoi(optarg); break;
		case 'd': dma_ms = atoi(optarg); break;
		case 'm': ms = atoi(optarg); break;
		case 'l': dma = !strcmp(optarg, "dma"); break;
		default: usage();
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "cost") && argc - optind == 2)
		return mode_cost(rounds, fact_ms, dma_ms, argv[optind],
				 argv[optind + 1]);
	if (!strcmp(mode, "fair") && argc - optind >= 1 &&
	    argc - optind <= MAX_INST)
		return mode_fair(dma, ms, argc - optind, argv + optind);
	usage();
	return 2;
}
