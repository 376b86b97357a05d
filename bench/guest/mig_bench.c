// SPDX-License-Identifier: GPL-2.0-only
/*
 * mig_bench: live-migrate the state of one edu (bound to vfpci_edu) to a
 * twin and back, many times, through the vfpci-mig library; report the
 * stream size against the state it carries, and the downtime of each
 * migration (source enters STOP_COPY .. target RUNNING).
 *
 * Usage: mig_bench [--tag T] [--trials N] [--first N] [--warmup N]
 *                  [--precopy] BDF_A BDF_B
 *
 * --precopy migrates through PRE_COPY (mig_migrate_precopy: the state
 * flows while the source runs, the stop-copy part is what changed since);
 * the source must offer it.  --first numbers the trials from N, so that
 * several runs (blocks alternating with and without --precopy) append to
 * one file without two trials of one number; keep the block size even so
 * that each block starts on the same twin.  --warmup first runs N
 * migrations (rounded up to even) that are not reported: the first ones
 * of a process are several times slower under TCG (page faults, cold
 * code), which would weigh on short blocks.
 *
 * Output (plus "#" comments):
 *   S <state bytes> <header bytes>          layout of include/vfpci_edu_stream.h
 *   R <tag> <trial> <metric> <src bdf> vfpci_edu <value>
 * with metrics mig_downtime, mig_stop_copy, mig_transfer, mig_resume (us),
 * mig_stream (bytes, the whole stream), mig_stop_bytes (the part sent in
 * STOP_COPY, i.e. during the downtime) and, with --precopy,
 * mig_precopy_bytes and mig_precopy (us, the pre-copy phase, the device
 * running).  Each migration also checks that the device state went
 * along: a liveness value written on the source reads back inverted on the
 * target.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "mig.h"
#include <vfpci_edu_stream.h>

static int bar0_offset(int fd, uint64_t *off)
{
	struct vfio_region_info info = {
		.argsz = sizeof(info),
		.index = VFIO_PCI_BAR0_REGION_INDEX,
	};

	if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &info) < 0)
		return -errno;
	*off = info.offset;
	return 0;
}

static void die(const char *what, int err)
{
	printf("# mig_bench: %s: %s%s%s\n", what, mig_last_step(),
	       mig_last_step()[0] ? ": " : "", strerror(-err));
	exit(1);
}

/*
 * Trial @i: mark the source (twin i % 2), migrate it to the other twin,
 * check that the mark went along.  Exits on failure.
 */
static void migrate_once(struct mig_dev *dev, const uint64_t *bar0,
			 unsigned int i, bool precopy, struct mig_stats *st)
{
	struct mig_dev *src = &dev[i % 2], *dst = &dev[(i + 1) % 2];
	uint32_t mark = 0x1000 + i, v = 0;
	int ret;

	if (pwrite(src->fd, &mark, 4, bar0[i % 2] + 4) != 4)
		die("liveness write", -errno);
	if (precopy)
		ret = mig_migrate_precopy(src, dst, st);
	else
		ret = mig_migrate(src, dst, st);
	if (ret)
		die("migrate", ret);
	if (pread(dst->fd, &v, 4, bar0[(i + 1) % 2] + 4) != 4)
		die("liveness read", -errno);
	if (v != ~mark) {
		printf("# trial %u: state lost: liveness %#x, want %#x\n",
		       i, v, ~mark);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tag", required_argument, NULL, 't' },
		{ "trials", required_argument, NULL, 'n' },
		{ "first", required_argument, NULL, 'f' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "precopy", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *tag = "mig";
	unsigned int trials = 100, first = 0, warmup = 0, i;
	bool precopy = false;
	uint64_t flags;
	struct mig_stats st;
	struct mig_ctx ctx;
	struct mig_dev dev[2];
	uint64_t bar0[2];
	int c, k, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': tag = optarg; break;
		case 'n': trials = atoi(optarg); break;
		case 'f': first = atoi(optarg); break;
		case 'w': warmup = (atoi(optarg) + 1) & ~1; break;
		case 'p': precopy = true; break;
		default:
			fprintf(stderr, "usage: mig_bench [--tag T] [--trials N] [--first N] [--warmup N] [--precopy] BDF_A BDF_B\n");
			return 2;
		}
	}
	if (argc - optind != 2)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = mig_ctx_init(&ctx);
	if (ret)
		die("container", ret);
	for (k = 0; k < 2; k++) {
		ret = mig_dev_open(&ctx, &dev[k], argv[optind + k]);
		if (!ret)
			ret = bar0_offset(dev[k].fd, &bar0[k]);
		if (ret)
			die(argv[optind + k], ret);
		if (!precopy)
			continue;
		/* mig_migrate_precopy() would quietly fall back. */
		ret = mig_get_flags(dev[k].fd, &flags);
		if (ret)
			die(argv[optind + k], ret);
		if (!(flags & VFIO_MIGRATION_PRE_COPY)) {
			printf("# mig_bench: %s offers no PRE_COPY\n",
			       argv[optind + k]);
			return 1;
		}
	}
	printf("S %zu %zu\n", sizeof(struct vfpci_edu_stream_state),
	       sizeof(struct vfpci_edu_stream_hdr));
	for (i = 0; i < warmup; i++)
		migrate_once(dev, bar0, first + i, precopy, &st);
	for (i = first; i < first + trials; i++) {
		struct mig_dev *src = &dev[i % 2];

		migrate_once(dev, bar0, i, precopy, &st);
		printf("R %s %u mig_downtime %s vfpci_edu %llu\n", tag, i,
		       src->bdf, (unsigned long long)st.downtime_us);
		printf("R %s %u mig_stop_copy %s vfpci_edu %llu\n", tag, i,
		       src->bdf, (unsigned long long)st.stop_copy_us);
		printf("R %s %u mig_transfer %s vfpci_edu %llu\n", tag, i,
		       src->bdf, (unsigned long long)st.transfer_us);
		printf("R %s %u mig_resume %s vfpci_edu %llu\n", tag, i,
		       src->bdf, (unsigned long long)st.resume_us);
		printf("R %s %u mig_stream %s vfpci_edu %llu\n", tag, i,
		       src->bdf, (unsigned long long)st.stream_bytes);
		printf("R %s %u mig_stop_bytes %s vfpci_edu %llu\n", tag, i,
		       src->bdf, (unsigned long long)(st.stream_bytes -
						      st.precopy_bytes));
		if (!precopy)
			continue;
		printf("R %s %u mig_precopy_bytes %s vfpci_edu %llu\n", tag,
		       i, src->bdf, (unsigned long long)st.precopy_bytes);
		printf("R %s %u mig_precopy %s vfpci_edu %llu\n", tag, i,
		       src->bdf, (unsigned long long)st.precopy_us);
	}
	for (k = 0; k < 2; k++)
		mig_dev_close(&dev[k]);
	mig_ctx_fini(&ctx);
	return 0;
}
