// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfpci-mig: command-line client of the VFIO migration protocol v2.
 *
 *   vfpci-mig state BDF [STATE]    show (or set) the migration state
 *   vfpci-mig info BDF             migration flags and DMA logging support
 *   vfpci-mig save BDF FILE        stop the device and save its state
 *   vfpci-mig load BDF FILE        load a saved state and run the device
 *   vfpci-mig migrate SRC DST      live-migrate SRC to DST (one container)
 *
 * BDF names a PCI function, or a mediated device by its UUID.  The
 * device must be bound to a VFIO driver with migration support (e.g.
 * vfpci_edu, or an instance of vfpci_edu_mdev).  Closing a VFIO device may
 * reset it, so a state loaded by
 * "load" lives only as long as the device is not reopened by another
 * user; programs that go on using the device should link the library.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mig.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *prog = "vfpci-mig";

/* Print "vfpci-mig: WHAT: STEP: strerror (ENAME)"; returns 1. */
static int report(const char *what, int err)
{
	const char *step = mig_last_step();

	fprintf(stderr, "%s: %s: %s%s%s (%s)\n", prog, what, step,
		step[0] ? ": " : "", strerror(-err), mig_errname(err));
	return 1;
}

static int usage(FILE *f)
{
	fprintf(f,
		"Usage: %s COMMAND ARGS   (BDF: a PCI address or an mdev UUID)\n"
		"  state BDF [STATE]  show the migration state (or set it:\n"
		"                     RUNNING, STOP, RUNNING_P2P, ...)\n"
		"  info BDF           migration flags, DMA logging support\n"
		"  save BDF FILE      RUNNING -> STOP -> STOP_COPY, write the\n"
		"                     stream to FILE, -> STOP (device left stopped)\n"
		"  load BDF FILE      -> STOP -> RESUMING, write FILE, -> RUNNING\n"
		"  migrate [--no-precopy] SRC DST\n"
		"                     live-migrate SRC to DST in one container,\n"
		"                     through PRE_COPY when SRC offers it;\n"
		"                     prints stream size and downtime\n", prog);
	return f == stderr ? 2 : 0;
}

/* Open @bdf alone in @ctx; prints the error. */
static int open_one(struct mig_ctx *ctx, struct mig_dev *d, const char *bdf)
{
	char what[96];
	int ret;

	ret = mig_ctx_init(ctx);
	if (!ret)
		ret = mig_dev_open(ctx, d, bdf);
	if (ret) {
		snprintf(what, sizeof(what), "%s: open", bdf);
		report(what, ret);
		mig_ctx_fini(ctx);
	}
	return ret;
}

static void close_one(struct mig_ctx *ctx, struct mig_dev *d)
{
	mig_dev_close(d);
	mig_ctx_fini(ctx);
}

/* Explain the common case of a driver without migration support. */
static int check_migratable(struct mig_dev *d)
{
	uint64_t flags;
	char what[96];
	int ret;

	ret = mig_get_flags(d->fd, &flags);
	if (ret == -ENOTTY) {
		fprintf(stderr,
			"%s: %s: the bound driver does not support migration (VFIO_DEVICE_FEATURE_MIGRATION: %s (ENOTTY))\n",
			prog, d->bdf, strerror(ENOTTY));
		return ret;
	}
	if (ret) {
		snprintf(what, sizeof(what), "%s: migration flags", d->bdf);
		report(what, ret);
		return ret;
	}
	if (!(flags & VFIO_MIGRATION_STOP_COPY)) {
		fprintf(stderr, "%s: %s: migration flags 0x%llx lack STOP_COPY\n",
			prog, d->bdf, (unsigned long long)flags);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int cmd_state(int argc, char **argv)
{
	struct mig_ctx ctx;
	struct mig_dev d;
	uint32_t state;
	char what[96];
	int ret;

	if (argc < 1 || argc > 2)
		return usage(stderr);
	if (argc == 2 && mig_state_parse(argv[1], &state)) {
		fprintf(stderr, "%s: unknown state '%s'\n", prog, argv[1]);
		return 2;
	}
	if (open_one(&ctx, &d, argv[0]))
		return 1;
	if (argc == 2) {
		ret = mig_set_state(d.fd, state, NULL);
		if (ret) {
			snprintf(what, sizeof(what), "%s: set %s", d.bdf,
				 mig_state_name(state));
			close_one(&ctx, &d);
			return report(what, ret);
		}
	}
	ret = mig_get_state(d.fd, &state);
	if (ret) {
		snprintf(what, sizeof(what), "%s: get state", d.bdf);
		close_one(&ctx, &d);
		return report(what, ret);
	}
	printf("%s: %s\n", d.bdf, mig_state_name(state));
	close_one(&ctx, &d);
	return 0;
}

static const char *support(int ret)
{
	return ret ? mig_errname(ret) : "supported";
}

static int cmd_info(int argc, char **argv)
{
	struct mig_ctx ctx;
	struct mig_dev d;
	uint64_t flags;
	int ret;

	if (argc != 1)
		return usage(stderr);
	if (open_one(&ctx, &d, argv[0]))
		return 1;
	ret = mig_get_flags(d.fd, &flags);
	if (ret)
		printf("%s: migration: %s (%s)\n", d.bdf, strerror(-ret),
		       mig_errname(ret));
	else
		printf("%s: migration flags 0x%llx:%s%s%s\n", d.bdf,
		       (unsigned long long)flags,
		       flags & VFIO_MIGRATION_STOP_COPY ? " STOP_COPY" : "",
		       flags & VFIO_MIGRATION_P2P ? " P2P" : "",
		       flags & VFIO_MIGRATION_PRE_COPY ? " PRE_COPY" : "");
	printf("%s: DMA logging start/stop/report: %s/%s/%s\n", d.bdf,
	       support(mig_probe(d.fd, VFIO_DEVICE_FEATURE_DMA_LOGGING_START,
				 VFIO_DEVICE_FEATURE_SET)),
	       support(mig_probe(d.fd, VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP,
				 VFIO_DEVICE_FEATURE_SET)),
	       support(mig_probe(d.fd, VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT,
				 VFIO_DEVICE_FEATURE_GET)));
	close_one(&ctx, &d);
	return 0;
}

static int cmd_save(int argc, char **argv)
{
	struct mig_ctx ctx;
	struct mig_dev d;
	char what[96];
	void *buf;
	ssize_t n;
	int ret;

	if (argc != 2)
		return usage(stderr);
	if (open_one(&ctx, &d, argv[0]))
		return 1;
	if (check_migratable(&d)) {
		close_one(&ctx, &d);
		return 1;
	}
	n = mig_save(&d, &buf);
	if (n < 0) {
		snprintf(what, sizeof(what), "%s: save", d.bdf);
		close_one(&ctx, &d);
		return report(what, n);
	}
	ret = mig_file_write(argv[1], buf, n);
	free(buf);
	if (ret) {
		snprintf(what, sizeof(what), "%s: %s", d.bdf, argv[1]);
		close_one(&ctx, &d);
		return report(what, ret);
	}
	printf("%s: saved %zd bytes of device state to %s; device left in STOP\n",
	       d.bdf, n, argv[1]);
	close_one(&ctx, &d);
	return 0;
}

static int cmd_load(int argc, char **argv)
{
	struct mig_ctx ctx;
	struct mig_dev d;
	char what[96];
	void *buf;
	ssize_t n;
	int ret;

	if (argc != 2)
		return usage(stderr);
	n = mig_file_read(argv[1], &buf);
	if (n < 0) {
		snprintf(what, sizeof(what), "%s", argv[1]);
		return report(what, n);
	}
	if (open_one(&ctx, &d, argv[0])) {
		free(buf);
		return 1;
	}
	ret = check_migratable(&d);
	if (!ret) {
		ret = mig_load(&d, buf, n);
		if (ret) {
			snprintf(what, sizeof(what), "%s: load", d.bdf);
			report(what, ret);
		}
	}
	free(buf);
	if (!ret)
		printf("%s: loaded %zd bytes of device state from %s; device RUNNING\n",
		       d.bdf, n, argv[1]);
	close_one(&ctx, &d);
	return ret ? 1 : 0;
}

static int cmd_migrate(int argc, char **argv)
{
	struct mig_dev src, dst;
	struct mig_stats st;
	struct mig_ctx ctx;
	char what[96];
	bool precopy = true;
	int ret;

	if (argc == 3 && !strcmp(argv[0], "--no-precopy")) {
		precopy = false;
		argc--;
		argv++;
	}
	if (argc != 2)
		return usage(stderr);
	ret = mig_ctx_init(&ctx);
	if (ret)
		return report("open container", ret);
	ret = mig_dev_open(&ctx, &src, argv[0]);
	if (ret) {
		snprintf(what, sizeof(what), "%s: open source", argv[0]);
		mig_ctx_fini(&ctx);
		return report(what, ret);
	}
	ret = mig_dev_open(&ctx, &dst, argv[1]);
	if (ret) {
		snprintf(what, sizeof(what), "%s: open target", argv[1]);
		report(what, ret);
		goto out_src;
	}
	ret = check_migratable(&src);
	if (!ret)
		ret = check_migratable(&dst);
	if (ret)
		goto out;
	ret = precopy ? mig_migrate_precopy(&src, &dst, &st) :
			mig_migrate(&src, &dst, &st);
	if (ret) {
		snprintf(what, sizeof(what), "migrate %s -> %s", src.bdf,
			 dst.bdf);
		report(what, ret);
		goto out;
	}
	printf("migrated %s -> %s: stream %llu bytes, downtime %llu us\n",
	       src.bdf, dst.bdf, (unsigned long long)st.stream_bytes,
	       (unsigned long long)st.downtime_us);
	if (st.precopy_bytes)
		printf("  pre-copy: %llu bytes in %llu us while %s ran\n",
		       (unsigned long long)st.precopy_bytes,
		       (unsigned long long)st.precopy_us, src.bdf);
	printf("  (stop-copy %llu us, transfer %llu us, resume %llu us); %s is RUNNING, %s in STOP\n",
	       (unsigned long long)st.stop_copy_us,
	       (unsigned long long)st.transfer_us,
	       (unsigned long long)st.resume_us, dst.bdf, src.bdf);
out:
	mig_dev_close(&dst);
out_src:
	mig_dev_close(&src);
	mig_ctx_fini(&ctx);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "state", cmd_state },
		{ "info", cmd_info },
		{ "save", cmd_save },
		{ "load", cmd_load },
		{ "migrate", cmd_migrate },
	};
	size_t i;

	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return usage(stdout);
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 2, argv + 2);
	fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[1]);
	return usage(stderr);
}
