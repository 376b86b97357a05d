/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfpci-mig: a user-space client of the VFIO live migration protocol v2
 * (Linux 6.1 uAPI) and of device DMA logging.
 *
 * Devices are opened through the legacy group/container uAPI.  Several
 * devices may share one container (struct mig_ctx): they then see the same
 * IOVA mappings, which is what a same-host migration needs, since the
 * target continues DMA into the buffers the source used.
 *
 * Conventions: functions returning int give 0 (or a count) on success and
 * -errno on failure.  They print nothing; on failure mig_last_step() names
 * the step that failed (e.g. "VFIO_GROUP_SET_CONTAINER").
 */
#ifndef VFPCI_MIG_H
#define VFPCI_MIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/vfio.h>

/*
 * PRE_COPY (Linux 6.2 uAPI): defined here when the installed headers are
 * older (Debian 12's linux-libc-dev is 6.1).
 */
#ifndef VFIO_MIGRATION_PRE_COPY
#define VFIO_MIGRATION_PRE_COPY		(1 << 2)
#endif
#ifndef VFIO_MIG_GET_PRECOPY_INFO
struct vfio_precopy_info {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 initial_bytes;
	__aligned_u64 dirty_bytes;
};
#define VFIO_MIG_GET_PRECOPY_INFO	_IO(VFIO_TYPE, VFIO_BASE + 21)
#endif
/* enum vfio_device_mig_state values added in 6.2. */
#define MIG_STATE_PRE_COPY		6
#define MIG_STATE_PRE_COPY_P2P		7

#define MIG_BDF_LEN	40	/* a PCI address or an mdev UUID */
#define MIG_MAX_GROUPS	8

/* One container and the groups attached to it. */
struct mig_ctx {
	int container;
	bool iommu_set;
	int ngroups;
	struct {
		int num;
		int fd;
		int users;
	} groups[MIG_MAX_GROUPS];
};

struct mig_dev {
	char bdf[MIG_BDF_LEN];
	struct mig_ctx *ctx;
	int group;	/* index in ctx->groups */
	int fd;		/* the VFIO device fd */
};

/* Timings and sizes of one migration (mig_migrate). */
struct mig_stats {
	uint64_t stream_bytes;
	uint64_t downtime_us;	/* source enters STOP_COPY .. target RUNNING */
	uint64_t stop_copy_us;	/* the SET into STOP_COPY on the source */
	uint64_t transfer_us;	/* reading the stream and writing it back */
	uint64_t resume_us;	/* target RESUMING -> RUNNING */
	uint64_t precopy_bytes;	/* of stream_bytes, sent while running */
	uint64_t precopy_us;	/* the pre-copy phase (not downtime) */
};

/* Name of the step that failed last in this thread ("" if none). */
const char *mig_last_step(void);
/* "EINVAL"-style name of @err (positive or negative), never NULL. */
const char *mig_errname(int err);
/* "RUNNING", "STOP", ...; "state N" for unknown values. */
const char *mig_state_name(uint32_t state);
/* Parse a state name (any case) or number; -EINVAL if unknown. */
int mig_state_parse(const char *s, uint32_t *state);

/* ---- container, group and device ---- */

int mig_ctx_init(struct mig_ctx *ctx);
/* Closes the groups still open and the container. */
void mig_ctx_fini(struct mig_ctx *ctx);
/* Open @bdf in @ctx; the group joins the container if it is new. */
int mig_dev_open(struct mig_ctx *ctx, struct mig_dev *d, const char *bdf);
void mig_dev_close(struct mig_dev *d);
/* Map @size bytes at @buf to @iova in the container (type1). */
int mig_dma_map(struct mig_ctx *ctx, void *buf, uint64_t iova, size_t size);
int mig_dma_unmap(struct mig_ctx *ctx, uint64_t iova, size_t size);

/* ---- VFIO_DEVICE_FEATURE helpers ---- */

/*
 * Raw VFIO_DEVICE_FEATURE call: @flags is the whole flags word, @data and
 * @len the payload (copied in and back out).  @argsz overrides the size
 * given to the kernel when non-zero (for argsz tests).
 */
int mig_feature(int fd, uint32_t flags, void *data, size_t len,
		uint32_t argsz);
/* PROBE @feature with @ops (GET and/or SET bits, or 0). */
int mig_probe(int fd, uint32_t feature, uint32_t ops);
/* VFIO_DEVICE_FEATURE_MIGRATION GET: the migration flags. */
int mig_get_flags(int fd, uint64_t *flags);
int mig_get_state(int fd, uint32_t *state);
/*
 * SET the device state.  *@data_fd gets the new data fd or -1 (may be
 * NULL when no fd is expected; a returned fd is then closed).  On failure
 * *@data_fd is -1.
 */
int mig_set_state(int fd, uint32_t state, int *data_fd);

/* ---- the data stream ---- */

/* Read @data_fd until EOF into a malloc'ed buffer; the length or -errno. */
ssize_t mig_read_stream(int data_fd, void **buf);
/* Write all of @buf to @data_fd (restarting short writes); 0 or -errno. */
int mig_write_stream(int data_fd, const void *buf, size_t len);
/* Copy @in to @out until EOF, through a bounce buffer; bytes or -errno. */
ssize_t mig_pipe_stream(int in, int out);

/* Whole-file helpers for the CLI and tests. */
ssize_t mig_file_read(const char *path, void **buf);
int mig_file_write(const char *path, const void *buf, size_t len);

/*
 * Save: RUNNING -> STOP -> STOP_COPY, read the stream to EOF, -> STOP.
 * The device stays stopped.  *@buf is malloc'ed.  Returns the length.
 */
ssize_t mig_save(struct mig_dev *d, void **buf);
/* Load: -> STOP -> RESUMING, write the stream, -> STOP -> RUNNING. */
int mig_load(struct mig_dev *d, const void *buf, size_t len);
/*
 * Live-migrate @src to @dst: the target is put in RESUMING first, then the
 * source goes RUNNING -> STOP_COPY and its stream is piped straight into
 * the target, which is moved to RUNNING; the source is left in STOP.
 */
int mig_migrate(struct mig_dev *src, struct mig_dev *dst,
		struct mig_stats *st);
/*
 * The same with PRE_COPY when the source offers it: the source goes
 * RUNNING -> PRE_COPY and its stream flows to the target until the
 * temporary end (ENOMSG), then PRE_COPY -> STOP_COPY sends the rest.
 * Without PRE_COPY this is mig_migrate().
 */
int mig_migrate_precopy(struct mig_dev *src, struct mig_dev *dst,
			struct mig_stats *st);
/* VFIO_MIG_GET_PRECOPY_INFO on a data fd. */
int mig_precopy_info(int data_fd, uint64_t *initial, uint64_t *dirty);

/* ---- device DMA logging (dirty tracking) ---- */

/* START with @n ranges; *@page_size is the hint in, the granule out. */
int mig_log_start(int fd, const struct vfio_device_feature_dma_logging_range *r,
		  uint32_t n, uint64_t *page_size);
int mig_log_stop(int fd);
/* REPORT (read and clear) [@iova, @iova+@length) into @bitmap. */
int mig_log_report(int fd, uint64_t iova, uint64_t length,
		   uint64_t page_size, uint64_t *bitmap);

/* Monotonic microseconds. */
uint64_t mig_now_us(void);

#endif /* VFPCI_MIG_H */
