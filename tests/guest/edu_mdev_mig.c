// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu_mdev_mig: live migration of a vfpci_edu_mdev instance through the
 * vfpci-mig library (the same code as the vfpci-mig tool), between two
 * instances in one container, normally on two different physical edus.
 *
 * Usage: edu_mdev_mig [--rounds N] SRC_UUID DST_UUID
 *
 * Each round gives the source a random state (liveness, a factorial
 * result, IRQFACT, raised interrupt bits, DMA registers, the whole 4 KiB
 * buffer by DMA) and, just before the migration, queues a factorial and a
 * transfer, which may be on the device, queued or done when the source
 * stops: the target must end with the results either way.  Then the roles
 * swap.  Also: the FSM refuses RUNNING -> STOP_COPY without the steps
 * between only as the uAPI says, a corrupted stream is refused with
 * EINVAL, and VFIO_DEVICE_RESET returns a device to RUNNING.
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vfpci_test.h"
#include "mig.h"
#include <vfpci_edu_stream.h>

#define BAR0_OFF	0ULL		/* region index 0 */
#define CFG_OFF		(7ULL << 40)
#define IOVA		0x200000ULL
#define PG		4096
#define WAIT_S		20

/* One TAP line named by @fmt. */
static bool __attribute__((format(printf, 2, 3)))
check(bool pass, const char *fmt, ...)
{
	char name[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	return tap_result(pass, name, "%s", "check failed");
}

static uint32_t rd(struct mig_dev *d, uint32_t off)
{
	uint32_t v = 0xdeadbeef;

	if (pread(d->fd, &v, 4, BAR0_OFF + off) != 4)
		return 0xdeadbeef;
	return v;
}

static void wr(struct mig_dev *d, uint32_t off, uint32_t v)
{
	if (pwrite(d->fd, &v, 4, BAR0_OFF + off) != 4)
		fprintf(stderr, "# write %#x failed: %s\n", off, strerror(errno));
}

static void wr64(struct mig_dev *d, uint32_t off, uint64_t v)
{
	if (pwrite(d->fd, &v, 8, BAR0_OFF + off) != 8)
		fprintf(stderr, "# write %#x failed: %s\n", off, strerror(errno));
}

static void enable(struct mig_dev *d)
{
	uint16_t cmd = 0x6;	/* memory decode and bus mastering */

	if (pwrite(d->fd, &cmd, 2, CFG_OFF + 4) != 2)
		fprintf(stderr, "# COMMAND write failed\n");
}

/* Wait until neither a factorial nor a transfer is pending. */
static int wait_idle(struct mig_dev *d)
{
	time_t end = time(NULL) + WAIT_S;

	while ((rd(d, VFPCI_EDU_REG_STATUS) & VFPCI_EDU_STATUS_BUSY) ||
	       (rd(d, VFPCI_EDU_REG_DMA_CMD) & VFPCI_EDU_DMA_START)) {
		if (time(NULL) > end)
			return -1;
		usleep(2000);
	}
	return 0;
}

static void dma(struct mig_dev *d, uint64_t src, uint64_t dst, uint32_t cnt,
		uint32_t cmd)
{
	wr64(d, VFPCI_EDU_REG_DMA_SRC, src);
	wr64(d, VFPCI_EDU_REG_DMA_DST, dst);
	wr64(d, VFPCI_EDU_REG_DMA_CNT, cnt);
	wr64(d, VFPCI_EDU_REG_DMA_CMD, cmd | VFPCI_EDU_DMA_START);
}

static uint32_t fact(uint32_t n)
{
	uint32_t r = 1;

	while (n > 1)
		r *= n--;
	return r;
}

/* Fill the device buffer with page @pg of @mem; the page gets @seed's. */
static int load_buffer(struct mig_dev *d, uint8_t *mem, int pg, unsigned int seed)
{
	int i;

	for (i = 0; i < PG; i++)
		mem[pg * PG + i] = (uint8_t)(rand_r(&seed) >> 3);
	dma(d, IOVA + pg * PG, VFPCI_EDU_DMA_BUF_ADDR, PG, 0);
	return wait_idle(d);
}

static void one_round(struct mig_dev *src, struct mig_dev *dst, uint8_t *mem,
		      int round)
{
	unsigned int seed = 1000 + round;
	uint32_t live = rand_r(&seed), n = 1 + rand_r(&seed) % 20;
	uint32_t n2 = 1 + rand_r(&seed) % 30, raise = 0x10 << (round % 4);
	struct mig_stats st;
	int ret;

	memset(mem + 2 * PG, 0, 2 * PG);
	check(!load_buffer(src, mem, 0, seed), "mig/r%d/setup_buffer", round);
	wr(src, VFPCI_EDU_REG_LIVENESS, live);
	wr(src, VFPCI_EDU_REG_FACT, n);
	check(!wait_idle(src) && rd(src, VFPCI_EDU_REG_FACT) == fact(n),
	      "mig/r%d/setup_fact", round);
	wr(src, VFPCI_EDU_REG_STATUS, VFPCI_EDU_STATUS_IRQFACT);
	wr(src, VFPCI_EDU_REG_IRQ_RAISE, raise);
	/* In flight at the stop, or queued, or done: all must carry over. */
	wr(src, VFPCI_EDU_REG_FACT, n2);
	dma(src, VFPCI_EDU_DMA_BUF_ADDR, IOVA + 2 * PG, PG,
	    VFPCI_EDU_DMA_TO_RAM);

	ret = mig_migrate(src, dst, &st);
	check(!ret, "mig/r%d/migrate (%s) stream %llu B downtime %llu us",
		 round, ret ? mig_errname(ret) : "ok",
		 (unsigned long long)st.stream_bytes,
		 (unsigned long long)st.downtime_us);
	if (ret)
		return;

	enable(dst);	/* config space is the VMM's to restore, not ours */
	check(!wait_idle(dst), "mig/r%d/target_finishes_jobs", round);
	check(rd(dst, VFPCI_EDU_REG_LIVENESS) == ~live,
	      "mig/r%d/liveness", round);
	check(rd(dst, VFPCI_EDU_REG_FACT) == fact(n2),
	      "mig/r%d/queued_fact %u! = %#x", round, n2,
		 rd(dst, VFPCI_EDU_REG_FACT));
	check((rd(dst, VFPCI_EDU_REG_IRQ_STATUS) & (raise | 1)) ==
		 (raise | 1), "mig/r%d/irq_status %#x", round,
		 rd(dst, VFPCI_EDU_REG_IRQ_STATUS));
	check(!memcmp(mem + 2 * PG, mem, PG),
	      "mig/r%d/queued_dma_landed", round);
	/* The whole buffer, read back through the target's device. */
	dma(dst, VFPCI_EDU_DMA_BUF_ADDR, IOVA + 3 * PG, PG,
	    VFPCI_EDU_DMA_TO_RAM);
	check(!wait_idle(dst) && !memcmp(mem + 3 * PG, mem, PG),
	      "mig/r%d/buffer", round);
	wr(dst, VFPCI_EDU_REG_IRQ_ACK, ~0U);
}

static void check_bad_stream(struct mig_dev *src, struct mig_dev *dst)
{
	uint8_t *buf = NULL;
	ssize_t len;
	int ret;

	len = mig_save(src, (void **)&buf);
	check(len > 0, "mig/save %zd bytes", len);
	if (len <= 0)
		return;
	buf[len / 2] ^= 0x5a;
	ret = mig_load(dst, buf, len);
	check(ret == -EINVAL, "mig/corrupt_stream_refused (%s)",
		 mig_errname(ret));
	buf[len / 2] ^= 0x5a;
	ret = mig_load(dst, buf, len - 1);
	check(ret == -EINVAL, "mig/short_stream_refused (%s)",
		 mig_errname(ret));
	ret = ioctl(dst->fd, VFIO_DEVICE_RESET);
	check(!ret, "mig/reset_after_refusal");
	ret = mig_load(dst, buf, len);
	check(!ret, "mig/good_stream_loads (%s)", mig_errname(ret));
	free(buf);
	ioctl(src->fd, VFIO_DEVICE_RESET);
}

static void check_fsm(struct mig_dev *d)
{
	uint32_t state = 0;
	uint64_t flags = 0;
	int fd = -1, ret;

	ret = mig_get_flags(d->fd, &flags);
	check(!ret && flags == (VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P),
	      "mig/flags %#llx", (unsigned long long)flags);
	check(!mig_set_state(d->fd, VFIO_DEVICE_STATE_STOP_COPY, &fd) &&
		 fd >= 0, "mig/running_to_stop_copy_gives_fd");
	if (fd >= 0)
		close(fd);
	check(mig_set_state(d->fd, VFIO_DEVICE_STATE_RESUMING, NULL) == 0,
	      "mig/stop_copy_to_resuming");
	check(!ioctl(d->fd, VFIO_DEVICE_RESET) &&
		 !mig_get_state(d->fd, &state) &&
		 state == VFIO_DEVICE_STATE_RUNNING, "mig/reset_to_running");
}

int main(int argc, char **argv)
{
	struct mig_dev a, b;
	struct mig_ctx ctx;
	int rounds = 4, opt, i, ret;
	uint8_t *mem;

	while ((opt = getopt(argc, argv, "r:")) != -1)
		rounds = atoi(optarg);
	if (argc - optind != 2) {
		fprintf(stderr, "usage: %s [-r ROUNDS] SRC_UUID DST_UUID\n",
			argv[0]);
		return 2;
	}
	mem = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ret = mig_ctx_init(&ctx);
	if (!ret)
		ret = mig_dev_open(&ctx, &a, argv[optind]);
	if (!ret)
		ret = mig_dev_open(&ctx, &b, argv[optind + 1]);
	if (!ret)
		ret = mig_dma_map(&ctx, mem, IOVA, 8 * PG);
	if (!check(!ret && mem != MAP_FAILED, "mig/open (%s)",
		      mig_errname(ret)))
		return tap_summary();

	enable(&a);
	enable(&b);
	check_fsm(&a);
	for (i = 0; i < rounds; i++) {
		if (i & 1)
			one_round(&b, &a, mem, i);
		else
			one_round(&a, &b, mem, i);
		enable(&a);
		enable(&b);
	}
	check_bad_stream(&a, &b);
	mig_dev_close(&a);
	mig_dev_close(&b);
	mig_ctx_fini(&ctx);
	return tap_summary();
}
