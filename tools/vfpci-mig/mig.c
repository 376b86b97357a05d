// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfpci-mig library: VFIO migration protocol v2 and DMA logging from user
 * space.  See mig.h for the conventions.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mig.h"

#define MIG_CHUNK	(64 * 1024)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static __thread const char *last_step = "";

/* Remember @what as the failing step and pass @err through. */
static int fail(const char *what, int err)
{
	last_step = what;
	return err;
}

const char *mig_last_step(void)
{
	return last_step;
}

const char *mig_errname(int err)
{
	const char *name;

	if (err < 0)
		err = -err;
	name = strerrorname_np(err);
	return name ? name : "E?";
}

static const char *const state_names[] = {
	[VFIO_DEVICE_STATE_ERROR] = "ERROR",
	[VFIO_DEVICE_STATE_STOP] = "STOP",
	[VFIO_DEVICE_STATE_RUNNING] = "RUNNING",
	[VFIO_DEVICE_STATE_STOP_COPY] = "STOP_COPY",
	[VFIO_DEVICE_STATE_RESUMING] = "RESUMING",
	[VFIO_DEVICE_STATE_RUNNING_P2P] = "RUNNING_P2P",
	[MIG_STATE_PRE_COPY] = "PRE_COPY",
	[MIG_STATE_PRE_COPY_P2P] = "PRE_COPY_P2P",
};

const char *mig_state_name(uint32_t state)
{
	static __thread char buf[32];

	if (state < ARRAY_SIZE(state_names))
		return state_names[state];
	snprintf(buf, sizeof(buf), "state %u", state);
	return buf;
}

int mig_state_parse(const char *s, uint32_t *state)
{
	char *end;
	unsigned long v;
	uint32_t i;

	for (i = 0; i < ARRAY_SIZE(state_names); i++) {
		if (!strcasecmp(s, state_names[i])) {
			*state = i;
			return 0;
		}
	}
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > UINT32_MAX)
		return -EINVAL;
	*state = v;
	return 0;
}

uint64_t mig_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- container, group and device ---- */

int mig_ctx_init(struct mig_ctx *ctx)
{
	int fd;

	memset(ctx, 0, sizeof(*ctx));
	fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail("open /dev/vfio/vfio", -errno);
	if (ioctl(fd, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		close(fd);
		return fail("VFIO_GET_API_VERSION", -EPROTO);
	}
	if (ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0) {
		close(fd);
		return fail("VFIO_CHECK_EXTENSION(TYPE1v2)", -EOPNOTSUPP);
	}
	ctx->container = fd;
	return 0;
}

void mig_ctx_fini(struct mig_ctx *ctx)
{
	int i;

	for (i = 0; i < ctx->ngroups; i++)
		if (ctx->groups[i].fd >= 0)
			close(ctx->groups[i].fd);
	ctx->ngroups = 0;
	if (ctx->container >= 0)
		close(ctx->container);
	ctx->container = -1;
}

/*
 * IOMMU group number of @name from its sysfs link: a PCI function by its
 * address, or a mediated device by its UUID.
 */
static int group_of(const char *name)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 name);
	if (access(path, F_OK))
		snprintf(path, sizeof(path),
			 "/sys/bus/mdev/devices/%s/iommu_group", name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return fail("readlink iommu_group", -errno);
	link[n] = '\0';
	return atoi(basename(link));
}

/* Index of @num's group in @ctx, opening it and joining it if new. */
static int ctx_group(struct mig_ctx *ctx, int num)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[64];
	int i, fd, err;

	for (i = 0; i < ctx->ngroups; i++)
		if (ctx->groups[i].num == num)
			return i;
	if (ctx->ngroups == MIG_MAX_GROUPS)
		return fail("too many groups", -ENOSPC);
	snprintf(path, sizeof(path), "/dev/vfio/%d", num);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail("open /dev/vfio/GROUP", -errno);
	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &st) < 0) {
		err = fail("VFIO_GROUP_GET_STATUS", -errno);
		goto out;
	}
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		err = fail("group not viable (unbound devices in it?)",
			   -EBUSY);
		goto out;
	}
	if (ioctl(fd, VFIO_GROUP_SET_CONTAINER, &ctx->container) < 0) {
		err = fail("VFIO_GROUP_SET_CONTAINER", -errno);
		goto out;
	}
	/* The IOMMU model is chosen once, after the first group joined. */
	if (!ctx->iommu_set) {
		if (ioctl(ctx->container, VFIO_SET_IOMMU,
			  VFIO_TYPE1v2_IOMMU) < 0) {
			err = fail("VFIO_SET_IOMMU", -errno);
			ioctl(fd, VFIO_GROUP_UNSET_CONTAINER);
			goto out;
		}
		ctx->iommu_set = true;
	}
	i = ctx->ngroups++;
	ctx->groups[i].num = num;
	ctx->groups[i].fd = fd;
	ctx->groups[i].users = 0;
	return i;
out:
	close(fd);
	return err;
}

int mig_dev_open(struct mig_ctx *ctx, struct mig_dev *d, const char *bdf)
{
	int num, gi, fd;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	d->group = -1;
	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	num = group_of(bdf);
	if (num < 0)
		return num;
	gi = ctx_group(ctx, num);
	if (gi < 0)
		return gi;
	fd = ioctl(ctx->groups[gi].fd, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (fd < 0)
		return fail("VFIO_GROUP_GET_DEVICE_FD", -errno);
	ctx->groups[gi].users++;
	d->ctx = ctx;
	d->group = gi;
	d->fd = fd;
	return 0;
}

void mig_dev_close(struct mig_dev *d)
{
	if (d->fd >= 0) {
		close(d->fd);
		d->ctx->groups[d->group].users--;
	}
	d->fd = -1;
}

int mig_dma_map(struct mig_ctx *ctx, void *buf, uint64_t iova, size_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)buf,
		.iova = iova,
		.size = size,
	};

	if (ioctl(ctx->container, VFIO_IOMMU_MAP_DMA, &map) < 0)
		return fail("VFIO_IOMMU_MAP_DMA", -errno);
	return 0;
}

int mig_dma_unmap(struct mig_ctx *ctx, uint64_t iova, size_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};

	if (ioctl(ctx->container, VFIO_IOMMU_UNMAP_DMA, &unmap) < 0)
		return fail("VFIO_IOMMU_UNMAP_DMA", -errno);
	return 0;
}

/* ---- VFIO_DEVICE_FEATURE ---- */

int mig_feature(int fd, uint32_t flags, void *data, size_t len,
		uint32_t argsz)
{
	struct vfio_device_feature *f;
	size_t total = sizeof(*f) + len;
	int ret = 0;

	f = calloc(1, total);
	if (!f)
		return fail("calloc", -ENOMEM);
	f->argsz = argsz ? argsz : total;
	f->flags = flags;
	if (len)
		memcpy(f->data, data, len);
	if (ioctl(fd, VFIO_DEVICE_FEATURE, f) < 0)
		ret = fail("VFIO_DEVICE_FEATURE", -errno);
	/* The kernel may write the payload back even on failure. */
	if (len)
		memcpy(data, f->data, len);
	free(f);
	return ret;
}

int mig_probe(int fd, uint32_t feature, uint32_t ops)
{
	return mig_feature(fd, feature | ops | VFIO_DEVICE_FEATURE_PROBE,
			   NULL, 0, 0);
}

int mig_get_flags(int fd, uint64_t *flags)
{
	struct vfio_device_feature_migration m = { 0 };
	int ret;

	ret = mig_feature(fd, VFIO_DEVICE_FEATURE_MIGRATION |
			  VFIO_DEVICE_FEATURE_GET, &m, sizeof(m), 0);
	if (ret)
		return fail("GET VFIO_DEVICE_FEATURE_MIGRATION", ret);
	*flags = m.flags;
	return 0;
}

int mig_get_state(int fd, uint32_t *state)
{
	struct vfio_device_feature_mig_state m = { .data_fd = -1 };
	int ret;

	ret = mig_feature(fd, VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE |
			  VFIO_DEVICE_FEATURE_GET, &m, sizeof(m), 0);
	if (ret)
		return fail("GET VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE", ret);
	*state = m.device_state;
	return 0;
}

int mig_set_state(int fd, uint32_t state, int *data_fd)
{
	struct vfio_device_feature_mig_state m = {
		.device_state = state, .data_fd = -1,
	};
	int ret;

	ret = mig_feature(fd, VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE |
			  VFIO_DEVICE_FEATURE_SET, &m, sizeof(m), 0);
	if (ret) {
		if (data_fd)
			*data_fd = -1;
		return fail("SET VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE", ret);
	}
	if (data_fd)
		*data_fd = m.data_fd;
	else if (m.data_fd >= 0)
		close(m.data_fd);
	return 0;
}

/* ---- the data stream ---- */

ssize_t mig_read_stream(int data_fd, void **buf)
{
	size_t len = 0, cap = 0;
	char *p = NULL, *bigger;
	ssize_t n;

	*buf = NULL;
	for (;;) {
		if (cap - len < MIG_CHUNK) {
			cap = cap ? cap * 2 : 2 * MIG_CHUNK;
			bigger = realloc(p, cap);
			if (!bigger) {
				free(p);
				return fail("realloc", -ENOMEM);
			}
			p = bigger;
		}
		n = read(data_fd, p + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = fail("read data fd", -errno);
			free(p);
			return n;
		}
		if (!n)
			break;
		len += n;
	}
	*buf = p;
	return len;
}

int mig_write_stream(int data_fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(data_fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail("write data fd", -errno);
		if (!n)
			return fail("write data fd (no progress)", -EIO);
		p += n;
		len -= n;
	}
	return 0;
}

ssize_t mig_pipe_stream(int in, int out)
{
	size_t total = 0;
	ssize_t n;
	char *buf;
	int ret;

	buf = malloc(MIG_CHUNK);
	if (!buf)
		return fail("malloc", -ENOMEM);
	for (;;) {
		n = read(in, buf, MIG_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = fail("read source data fd", -errno);
			break;
		}
		if (!n) {
			n = total;
			break;
		}
		ret = mig_write_stream(out, buf, n);
		if (ret) {
			n = fail("write target data fd", ret);
			break;
		}
		total += n;
	}
	free(buf);
	return n;
}

ssize_t mig_file_read(const char *path, void **buf)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("open stream file", -errno);
	n = mig_read_stream(fd, buf);
	close(fd);
	return n < 0 ? fail("read stream file", n) : n;
}

int mig_file_write(const char *path, const void *buf, size_t len)
{
	int fd, ret;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail("create stream file", -errno);
	ret = mig_write_stream(fd, buf, len);
	if (!ret && fsync(fd) < 0 && errno != EINVAL)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	return ret ? fail("write stream file", ret) : 0;
}

/* Move @d to STOP unless it is already stopped. */
static int to_stop(struct mig_dev *d)
{
	uint32_t cur;
	int ret;

	ret = mig_get_state(d->fd, &cur);
	if (ret)
		return ret;
	if (cur == VFIO_DEVICE_STATE_STOP)
		return 0;
	ret = mig_set_state(d->fd, VFIO_DEVICE_STATE_STOP, NULL);
	return ret ? fail("set STOP", ret) : 0;
}

ssize_t mig_save(struct mig_dev *d, void **buf)
{
	ssize_t len;
	int dfd, ret;

	*buf = NULL;
	ret = to_stop(d);
	if (ret)
		return ret;
	ret = mig_set_state(d->fd, VFIO_DEVICE_STATE_STOP_COPY, &dfd);
	if (ret)
		return fail("set STOP_COPY", ret);
	if (dfd < 0)
		return fail("STOP_COPY gave no data fd", -EBADF);
	len = mig_read_stream(dfd, buf);
	close(dfd);
	if (len < 0)
		return len;
	ret = mig_set_state(d->fd, VFIO_DEVICE_STATE_STOP, NULL);
	if (ret) {
		free(*buf);
		*buf = NULL;
		return fail("set STOP after STOP_COPY", ret);
	}
	return len;
}

int mig_load(struct mig_dev *d, const void *buf, size_t len)
{
	int dfd, ret;

	ret = to_stop(d);
	if (ret)
		return ret;
	ret = mig_set_state(d->fd, VFIO_DEVICE_STATE_RESUMING, &dfd);
	if (ret)
		return fail("set RESUMING", ret);
	if (dfd < 0)
		return fail("RESUMING gave no data fd", -EBADF);
	ret = mig_write_stream(dfd, buf, len);
	close(dfd);
	if (ret)
		return ret;
	/* The driver checks the whole stream when RESUMING is left. */
	ret = mig_set_state(d->fd, VFIO_DEVICE_STATE_STOP, NULL);
	if (ret)
		return fail("set STOP after RESUMING (stream refused)", ret);
	ret = mig_set_state(d->fd, VFIO_DEVICE_STATE_RUNNING, NULL);
	return ret ? fail("set RUNNING", ret) : 0;
}

int mig_migrate(struct mig_dev *src, struct mig_dev *dst,
		struct mig_stats *st)
{
	uint64_t t0, t1, t2, t3;
	int sfd = -1, tfd = -1, ret;
	ssize_t n;

	memset(st, 0, sizeof(*st));
	/* Get the target ready before the source stops. */
	ret = to_stop(dst);
	if (ret)
		return fail("target: set STOP", ret);
	ret = mig_set_state(dst->fd, VFIO_DEVICE_STATE_RESUMING, &tfd);
	if (ret)
		return fail("target: set RESUMING", ret);
	if (tfd < 0)
		return fail("target: RESUMING gave no data fd", -EBADF);

	/* Downtime starts here: RUNNING -> STOP_COPY in one request. */
	t0 = mig_now_us();
	ret = mig_set_state(src->fd, VFIO_DEVICE_STATE_STOP_COPY, &sfd);
	t1 = mig_now_us();
	if (ret) {
		ret = fail("source: set STOP_COPY", ret);
		goto out;
	}
	if (sfd < 0) {
		ret = fail("source: STOP_COPY gave no data fd", -EBADF);
		goto out;
	}
	n = mig_pipe_stream(sfd, tfd);
	t2 = mig_now_us();
	if (n < 0) {
		ret = n;
		goto out;
	}
	st->stream_bytes = n;
	close(tfd);
	tfd = -1;
	ret = mig_set_state(dst->fd, VFIO_DEVICE_STATE_RUNNING, NULL);
	t3 = mig_now_us();
	if (ret) {
		ret = fail("target: RESUMING -> RUNNING (stream refused?)",
			   ret);
		goto out;
	}
	st->downtime_us = t3 - t0;
	st->stop_copy_us = t1 - t0;
	st->transfer_us = t2 - t1;
	st->resume_us = t3 - t2;
	close(sfd);
	sfd = -1;
	ret = mig_set_state(src->fd, VFIO_DEVICE_STATE_STOP, NULL);
	if (ret)
		ret = fail("source: set STOP after STOP_COPY", ret);
out:
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	return ret;
}

int mig_precopy_info(int data_fd, uint64_t *initial, uint64_t *dirty)
{
	struct vfio_precopy_info info = { .argsz = sizeof(info) };

	if (ioctl(data_fd, VFIO_MIG_GET_PRECOPY_INFO, &info) < 0)
		return fail("VFIO_MIG_GET_PRECOPY_INFO", -errno);
	*initial = info.initial_bytes;
	*dirty = info.dirty_bytes;
	return 0;
}

/* Pipe what the source has now: up to ENOMSG (more may come later). */
static ssize_t pipe_precopy(int in, int out)
{
	size_t total = 0;
	char buf[MIG_CHUNK];
	ssize_t n;
	int ret;

	for (;;) {
		n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOMSG)
			return total;
		if (n < 0)
			return fail("read source data fd (PRE_COPY)", -errno);
		if (!n)
			return fail("end of stream in PRE_COPY", -EPROTO);
		ret = mig_write_stream(out, buf, n);
		if (ret)
			return fail("write target data fd", ret);
		total += n;
	}
}

int mig_migrate_precopy(struct mig_dev *src, struct mig_dev *dst,
			struct mig_stats *st)
{
	uint64_t flags, t0, t1, t2, t3, tp;
	int sfd = -1, tfd = -1, ret;
	ssize_t n;

	ret = mig_get_flags(src->fd, &flags);
	if (ret)
		return ret;
	if (!(flags & VFIO_MIGRATION_PRE_COPY))
		return mig_migrate(src, dst, st);

	memset(st, 0, sizeof(*st));
	ret = to_stop(dst);
	if (ret)
		return fail("target: set STOP", ret);
	ret = mig_set_state(dst->fd, VFIO_DEVICE_STATE_RESUMING, &tfd);
	if (ret)
		return fail("target: set RESUMING", ret);
	if (tfd < 0)
		return fail("target: RESUMING gave no data fd", -EBADF);

	/* The source keeps running while most of its state moves. */
	tp = mig_now_us();
	ret = mig_set_state(src->fd, MIG_STATE_PRE_COPY, &sfd);
	if (ret) {
		ret = fail("source: set PRE_COPY", ret);
		goto out;
	}
	if (sfd < 0) {
		ret = fail("source: PRE_COPY gave no data fd", -EBADF);
		goto out;
	}
	n = pipe_precopy(sfd, tfd);
	if (n < 0) {
		ret = n;
		goto out;
	}
	st->precopy_bytes = n;

	/* Downtime: what changed since, and the registers. */
	t0 = mig_now_us();
	st->precopy_us = t0 - tp;
	ret = mig_set_state(src->fd, VFIO_DEVICE_STATE_STOP_COPY, NULL);
	t1 = mig_now_us();
	if (ret) {
		ret = fail("source: PRE_COPY -> STOP_COPY", ret);
		goto out;
	}
	n = mig_pipe_stream(sfd, tfd);
	t2 = mig_now_us();
	if (n < 0) {
		ret = n;
		goto out;
	}
	st->stream_bytes = st->precopy_bytes + n;
	close(tfd);
	tfd = -1;
	ret = mig_set_state(dst->fd, VFIO_DEVICE_STATE_RUNNING, NULL);
	t3 = mig_now_us();
	if (ret) {
		ret = fail("target: RESUMING -> RUNNING (stream refused?)",
			   ret);
		goto out;
	}
	st->downtime_us = t3 - t0;
	st->stop_copy_us = t1 - t0;
	st->transfer_us = t2 - t1;
	st->resume_us = t3 - t2;
	close(sfd);
	sfd = -1;
	ret = mig_set_state(src->fd, VFIO_DEVICE_STATE_STOP, NULL);
	if (ret)
		ret = fail("source: set STOP after STOP_COPY", ret);
out:
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	return ret;
}

/* ---- DMA logging ---- */

int mig_log_start(int fd, const struct vfio_device_feature_dma_logging_range *r,
		  uint32_t n, uint64_t *page_size)
{
	struct vfio_device_feature_dma_logging_control c = {
		.page_size = *page_size,
		.num_ranges = n,
		.ranges = (uintptr_t)r,
	};
	int ret;

	ret = mig_feature(fd, VFIO_DEVICE_FEATURE_DMA_LOGGING_START |
			  VFIO_DEVICE_FEATURE_SET, &c, sizeof(c), 0);
	if (ret)
		return fail("SET VFIO_DEVICE_FEATURE_DMA_LOGGING_START", ret);
	*page_size = c.page_size;
	return 0;
}

int mig_log_stop(int fd)
{
	int ret;

	ret = mig_feature(fd, VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP |
			  VFIO_DEVICE_FEATURE_SET, NULL, 0, 0);
	return ret ? fail("SET VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP", ret) : 0;
}

int mig_log_report(int fd, uint64_t iova, uint64_t length,
		   uint64_t page_size, uint64_t *bitmap)
{
	struct vfio_device_feature_dma_logging_report r = {
		.iova = iova,
		.length = length,
		.page_size = page_size,
		.bitmap = (uintptr_t)bitmap,
	};
	int ret;

	ret = mig_feature(fd, VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT |
			  VFIO_DEVICE_FEATURE_GET, &r, sizeof(r), 0);
	return ret ? fail("GET VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT", ret) : 0;
}
