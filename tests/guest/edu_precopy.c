// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu_precopy: vfpci_edu's PRE_COPY (Linux 6.2+ uAPI) on two edus bound
 * to vfpci_edu: the pre-copy arcs, VFIO_MIG_GET_PRECOPY_INFO, ENOMSG at
 * the temporary end of the stream, a lossless migration while a workload
 * changes the device during PRE_COPY, and the downtime with and without
 * PRE_COPY (vfpci-mig's library).
 *
 * Usage: edu_precopy SRC_BDF DST_BDF
 * Before 6.2 (no PRE_COPY in the migration flags) it prints a skip line.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "mig.h"
#include "vfpci_edu_stream.h"
#include "vfpci_test.h"

#define PAGE		4096ULL
#define RAM_PAGES	8
#define IOVA_BASE	0x100000ULL
#define IOVA(p)		(IOVA_BASE + (p) * PAGE)
#define BUF		VFPCI_EDU_DMA_BUF_ADDR
/* Header and one BUF record of the whole buffer. */
#define INITIAL		(sizeof(struct vfpci_edu_stream_hdr) + \
			 sizeof(struct vfpci_edu_rec) + 4 + \
			 VFPCI_EDU_DMA_BUF_SIZE)

struct edu {
	struct mig_dev d;
	uint64_t bar0, cfg;
};

static struct mig_ctx ctx;
static uint8_t *ram;

static int wr(struct edu *e, unsigned int off, uint32_t v)
{
	return pwrite(e->d.fd, &v, 4, e->bar0 + off) == 4 ? 0 : -errno;
}

static uint32_t rd(struct edu *e, unsigned int off)
{
	uint32_t v = 0xdeadbeef;

	if (pread(e->d.fd, &v, 4, e->bar0 + off) != 4)
		return 0xdeadbeef;
	return v;
}

static uint32_t fact(uint32_t n)
{
	uint32_t r = 1;

	while (n > 1)
		r *= n--;
	return r;
}

/* One emulated DMA, synchronous in vfpci_edu; the final cmd. */
static uint32_t dma(struct edu *e, uint64_t src, uint64_t dst, uint32_t cnt,
		    uint32_t cmd)
{
	wr(e, VFPCI_EDU_REG_DMA_SRC, src);
	wr(e, VFPCI_EDU_REG_DMA_DST, dst);
	wr(e, VFPCI_EDU_REG_DMA_CNT, cnt);
	wr(e, VFPCI_EDU_REG_DMA_CMD, cmd);
	return rd(e, VFPCI_EDU_REG_DMA_CMD);
}

/* RAM page @pg (@n bytes) into the buffer at @off. */
static bool to_buf(struct edu *e, int pg, unsigned int off, uint32_t n)
{
	return dma(e, IOVA(pg), BUF + off, n, VFPCI_EDU_DMA_START) == 0;
}

/* The whole buffer out to RAM page @pg. */
static bool from_buf(struct edu *e, int pg)
{
	return dma(e, BUF, IOVA(pg), VFPCI_EDU_DMA_BUF_SIZE,
		   VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_TO_RAM) ==
	       VFPCI_EDU_DMA_TO_RAM;
}

static int edu_open(struct edu *e, const char *bdf)
{
	uint16_t cmd;
	int ret;

	ret = mig_dev_open(&ctx, &e->d, bdf);
	if (!ret)
		ret = vt_region_offset(e->d.fd, VFIO_PCI_CONFIG_REGION_INDEX,
				       &e->cfg, NULL);
	if (!ret)
		ret = vt_region_offset(e->d.fd, VFIO_PCI_BAR0_REGION_INDEX,
				       &e->bar0, NULL);
	if (ret)
		return ret;
	if (pread(e->d.fd, &cmd, 2, e->cfg + PCI_COMMAND) != 2)
		return -errno;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	return pwrite(e->d.fd, &cmd, 2, e->cfg + PCI_COMMAND) == 2 ? 0 : -errno;
}

static uint32_t state(struct edu *e)
{
	uint32_t s = ~0U;

	mig_get_state(e->d.fd, &s);
	return s;
}

/* Go to @s; true when it worked and a data fd came iff @want_fd. */
static bool go(struct edu *e, uint32_t s, bool want_fd, int *fd)
{
	int dfd = -1, ret;

	ret = mig_set_state(e->d.fd, s, &dfd);
	if (fd)
		*fd = dfd;
	else if (dfd >= 0)
		close(dfd);
	return !ret && (dfd >= 0) == want_fd && state(e) == s;
}

static void test_arcs(struct edu *a)
{
	uint32_t s;
	char c;
	int fd = -1, fd2 = -1, ret;

	tap_result(go(a, MIG_STATE_PRE_COPY, true, &fd),
		   "edu_precopy/arc_running_to_pre_copy", "fd %d", fd);
	tap_result(go(a, MIG_STATE_PRE_COPY_P2P, false, NULL),
		   "edu_precopy/arc_pre_copy_to_p2p", "state %s",
		   mig_state_name(state(a)));
	tap_result(go(a, MIG_STATE_PRE_COPY, false, NULL),
		   "edu_precopy/arc_p2p_to_pre_copy", "state %s",
		   mig_state_name(state(a)));
	tap_result(go(a, VFIO_DEVICE_STATE_RUNNING, false, NULL),
		   "edu_precopy/arc_pre_copy_to_running", "state %s",
		   mig_state_name(state(a)));
	ret = read(fd, &c, 1) < 0 ? -errno : 0;
	tap_result(ret == -ENODEV, "edu_precopy/session_ended",
		   "read after PRE_COPY -> RUNNING: %s", mig_errname(ret));
	close(fd);

	go(a, VFIO_DEVICE_STATE_RUNNING_P2P, false, NULL);
	tap_result(go(a, MIG_STATE_PRE_COPY_P2P, true, &fd2),
		   "edu_precopy/arc_running_p2p_to_pre_copy_p2p", "fd %d",
		   fd2);
	tap_result(go(a, VFIO_DEVICE_STATE_RUNNING_P2P, false, NULL),
		   "edu_precopy/arc_pre_copy_p2p_to_running_p2p", "state %s",
		   mig_state_name(state(a)));
	close(fd2);

	go(a, VFIO_DEVICE_STATE_STOP_COPY, true, &fd);
	ret = mig_set_state(a->d.fd, MIG_STATE_PRE_COPY, NULL);
	s = state(a);
	tap_result(ret == -EINVAL && s == VFIO_DEVICE_STATE_STOP_COPY,
		   "edu_precopy/stop_copy_to_pre_copy_refused", "%s, state %s",
		   mig_errname(ret), mig_state_name(s));
	close(fd);
	tap_result(go(a, VFIO_DEVICE_STATE_RUNNING, false, NULL),
		   "edu_precopy/back_to_running", "state %s",
		   mig_state_name(state(a)));
}

static void test_info(struct edu *a)
{
	struct vfio_precopy_info info = { .argsz = 8 };
	uint64_t init = 0, dirty = 0;
	uint8_t buf[8192];
	ssize_t n, total = 0;
	int fd, ret;

	if (!go(a, MIG_STATE_PRE_COPY, true, &fd)) {
		tap_result(false, "edu_precopy/info", "no PRE_COPY data fd");
		return;
	}
	ret = mig_precopy_info(fd, &init, &dirty);
	tap_result(!ret && init == INITIAL && !dirty,
		   "edu_precopy/info_initial", "%s, initial %llu (want %zu), dirty %llu",
		   mig_errname(ret), (unsigned long long)init, INITIAL,
		   (unsigned long long)dirty);
	ret = ioctl(fd, VFIO_MIG_GET_PRECOPY_INFO, &info) < 0 ? -errno : 0;
	tap_result(ret == -EINVAL, "edu_precopy/info_argsz", "%s",
		   mig_errname(ret));

	n = read(fd, buf, 1000);
	mig_precopy_info(fd, &init, &dirty);
	tap_result(n == 1000 && init == INITIAL - 1000,
		   "edu_precopy/info_initial_falls", "read %zd, initial %llu",
		   n, (unsigned long long)init);
	total = n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	ret = n < 0 ? -errno : 0;
	mig_precopy_info(fd, &init, &dirty);
	tap_result(ret == -ENOMSG && total == (ssize_t)INITIAL && !init &&
		   !dirty, "edu_precopy/enomsg_at_temporary_end",
		   "read %zd bytes then %s; initial %llu dirty %llu", total,
		   mig_errname(ret), (unsigned long long)init,
		   (unsigned long long)dirty);

	/* The running device changes 256 bytes of its buffer. */
	memset(ram + PAGE, 0x5a, PAGE);
	to_buf(a, 1, 0x100, 256);
	mig_precopy_info(fd, &init, &dirty);
	tap_result(!init && dirty >= 256, "edu_precopy/dirty_after_dma",
		   "initial %llu dirty %llu", (unsigned long long)init,
		   (unsigned long long)dirty);
	total = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	ret = n < 0 ? -errno : 0;
	mig_precopy_info(fd, &init, &dirty);
	tap_result(ret == -ENOMSG && total >= 256 && !dirty,
		   "edu_precopy/dirty_resent", "read %zd then %s, dirty %llu",
		   total, mig_errname(ret), (unsigned long long)dirty);

	go(a, VFIO_DEVICE_STATE_STOP_COPY, false, NULL);
	ret = mig_precopy_info(fd, &init, &dirty);
	tap_result(ret == -EINVAL, "edu_precopy/info_refused_in_stop_copy",
		   "%s", mig_errname(ret));
	total = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	tap_result(n == 0 && total > 0, "edu_precopy/stop_copy_ends",
		   "read %zd bytes then %zd", total, n);
	close(fd);
	go(a, VFIO_DEVICE_STATE_STOP, false, NULL);
	go(a, VFIO_DEVICE_STATE_RUNNING, false, NULL);
}

/* Pipe @in to @out until ENOMSG (or EOF when @to_eof). */
static ssize_t pipe_fd(int in, int out, bool to_eof)
{
	uint8_t buf[4096];
	ssize_t n, total = 0;

	for (;;) {
		n = read(in, buf, sizeof(buf));
		if (n < 0)
			return !to_eof && errno == ENOMSG ? total : -errno;
		if (!n)
			return to_eof ? total : -EPROTO;
		if (mig_write_stream(out, buf, n))
			return -EIO;
		total += n;
	}
}

/*
 * Source runs a workload while in PRE_COPY; the target must end with the
 * same buffer and registers.
 */
static void test_lossless(struct edu *a, struct edu *b)
{
	uint8_t want[VFPCI_EDU_DMA_BUF_SIZE];
	uint32_t live = 0x12345678, f, l;
	ssize_t n1, n2, n3;
	int sfd = -1, tfd = -1;
	bool ok;
	int i;

	for (i = 0; i < (int)PAGE; i++)
		ram[i] = i * 7 + 3;
	ok = to_buf(a, 0, 0, VFPCI_EDU_DMA_BUF_SIZE);
	memcpy(want, ram, sizeof(want));
	wr(a, VFPCI_EDU_REG_LIVENESS, live);

	ok = ok && go(b, VFIO_DEVICE_STATE_STOP, false, NULL) &&
	     go(b, VFIO_DEVICE_STATE_RESUMING, true, &tfd);
	ok = ok && go(a, MIG_STATE_PRE_COPY, true, &sfd);
	n1 = ok ? pipe_fd(sfd, tfd, false) : -1;

	/* Workload while running in PRE_COPY. */
	memset(ram + 2 * PAGE, 0xc3, PAGE);
	ok = ok && to_buf(a, 2, 0x200, 512);
	memset(want + 0x200, 0xc3, 512);
	wr(a, VFPCI_EDU_REG_FACT, 9);
	n2 = ok ? pipe_fd(sfd, tfd, false) : -1;
	/* And a change the pre-copy phase never sees. */
	memset(ram + 3 * PAGE, 0x3c, PAGE);
	ok = ok && to_buf(a, 3, 0xf00, 64);
	memset(want + 0xf00, 0x3c, 64);
	usleep(100000);		/* the factorial is done */

	ok = ok && go(a, VFIO_DEVICE_STATE_STOP_COPY, false, NULL);
	n3 = ok ? pipe_fd(sfd, tfd, true) : -1;
	close(tfd);
	ok = ok && n1 > 0 && n2 > 0 && n3 > 0 &&
	     go(b, VFIO_DEVICE_STATE_RUNNING, false, NULL);
	tap_result(ok, "edu_precopy/migrate_during_workload",
		   "pre-copy %zd + %zd bytes, stop-copy %zd bytes", n1, n2, n3);
	close(sfd);
	go(a, VFIO_DEVICE_STATE_STOP, false, NULL);
	go(a, VFIO_DEVICE_STATE_RUNNING, false, NULL);

	memset(ram + 5 * PAGE, 0, PAGE);
	from_buf(b, 5);
	tap_result(!memcmp(ram + 5 * PAGE, want, sizeof(want)),
		   "edu_precopy/buffer_lossless", "target buffer differs");
	f = rd(b, VFPCI_EDU_REG_FACT);
	l = rd(b, VFPCI_EDU_REG_LIVENESS);
	tap_result(f == fact(9) && l == ~live, "edu_precopy/registers_lossless",
		   "factorial 0x%x (want 0x%x), liveness 0x%x (want 0x%x)", f,
		   fact(9), l, ~live);
	tap_result(n3 < (ssize_t)VFPCI_EDU_STREAM_LEN / 4,
		   "edu_precopy/stop_copy_small",
		   "stop-copy part %zd bytes, a whole v1 stream is %zu", n3,
		   VFPCI_EDU_STREAM_LEN);
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* Median downtime of @rounds migrations back and forth. */
static void test_downtime(struct edu *a, struct edu *b, int rounds)
{
	uint64_t with[16], without[16];
	struct mig_stats st;
	int i, ret = 0;

	for (i = 0; i < rounds && !ret; i++) {
		ret = mig_migrate(i & 1 ? &b->d : &a->d, i & 1 ? &a->d : &b->d,
				  &st);
		go(i & 1 ? b : a, VFIO_DEVICE_STATE_RUNNING, false, NULL);
		without[i] = st.downtime_us;
	}
	for (i = 0; i < rounds && !ret; i++) {
		ret = mig_migrate_precopy(i & 1 ? &b->d : &a->d,
					  i & 1 ? &a->d : &b->d, &st);
		go(i & 1 ? b : a, VFIO_DEVICE_STATE_RUNNING, false, NULL);
		with[i] = st.downtime_us;
	}
	qsort(with, rounds, sizeof(with[0]), cmp_u64);
	qsort(without, rounds, sizeof(without[0]), cmp_u64);
	if (!ret)
		printf("# downtime (median of %d): %llu us without PRE_COPY, %llu us with PRE_COPY (stop-copy %llu of %llu bytes)\n",
		       rounds, (unsigned long long)without[rounds / 2],
		       (unsigned long long)with[rounds / 2],
		       (unsigned long long)(st.stream_bytes - st.precopy_bytes),
		       (unsigned long long)st.stream_bytes);
	tap_result(!ret, "edu_precopy/downtime", "%s: %s", mig_last_step(),
		   mig_errname(ret));
}

int main(int argc, char **argv)
{
	struct edu a, b;
	uint64_t flags = 0;
	int ret;

	if (argc != 3) {
		fprintf(stderr, "usage: %s SRC_BDF DST_BDF\n", argv[0]);
		return 2;
	}
	ret = mig_ctx_init(&ctx);
	if (!ret)
		ret = edu_open(&a, argv[1]);
	if (!ret)
		ret = edu_open(&b, argv[2]);
	ram = mmap(NULL, RAM_PAGES * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!ret && ram != MAP_FAILED)
		ret = mig_dma_map(&ctx, ram, IOVA_BASE, RAM_PAGES * PAGE);
	if (!ret)
		ret = mig_get_flags(a.d.fd, &flags);
	if (ret) {
		tap_result(false, "edu_precopy/setup", "%s: %s",
			   mig_last_step(), mig_errname(ret));
		return 1;
	}
	if (!(flags & VFIO_MIGRATION_PRE_COPY)) {
		printf("# skip edu_precopy: no PRE_COPY (flags 0x%llx; Linux 6.2+)\n",
		       (unsigned long long)flags);
		return 0;
	}
	tap_ok("edu_precopy/flags");
	test_arcs(&a);
	test_info(&a);
	test_lossless(&a, &b);
	test_downtime(&a, &b, 7);
	mig_dev_close(&b.d);
	mig_dev_close(&a.d);
	mig_ctx_fini(&ctx);
	return tap_summary();
}
