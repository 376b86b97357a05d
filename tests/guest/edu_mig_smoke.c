// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu_mig_smoke: the vfpci_edu variant driver on two edu devices.
 * BAR0 is trapped (no mmap), the emulated DMA engine moves data and
 * refuses bad requests, the dirty log reports exactly the written page,
 * and a RUNNING -> STOP_COPY -> STOP stream of the first edu, written to
 * the second through RESUMING -> STOP -> RUNNING, carries liveness,
 * factorial, status, interrupt status and the DMA buffer.  Bad streams
 * are refused and VFIO_DEVICE_RESET recovers from ERROR.
 *
 * Usage: edu_mig_smoke   (needs two edu devices)
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vfpci_test.h"
#include <vfpci_edu_stream.h>

#define DRV	"vfpci_edu"
#define BAR0	VFIO_PCI_BAR0_REGION_INDEX
#define IOVA	0x100000ULL
#define PG	4096

static uint32_t rd(struct vt_dev *d, uint32_t off)
{
	uint64_t v = ~0ULL;

	if (vt_region_read(d, BAR0, off, 4, &v) != 4)
		return 0xdeadbeef;
	return v;
}

static ssize_t wr(struct vt_dev *d, uint32_t off, uint32_t v)
{
	return vt_region_write(d, BAR0, off, 4, v);
}

static int feature(struct vt_dev *d, uint32_t flags, void *data, size_t len)
{
	uint64_t buf[64] = { 0 };
	struct vfio_device_feature *f = (void *)buf;
	int ret;

	f->argsz = sizeof(*f) + len;
	f->flags = flags;
	memcpy(f->data, data, len);
	ret = ioctl(d->fd, VFIO_DEVICE_FEATURE, f);
	memcpy(data, f->data, len);
	return ret < 0 ? -errno : 0;
}

/* Set the migration state; returns the data fd, -1 if none, or -errno. */
static int mig_set(struct vt_dev *d, uint32_t state)
{
	struct vfio_device_feature_mig_state m = { .device_state = state };
	int ret;

	ret = feature(d, VFIO_DEVICE_FEATURE_SET |
		      VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &m, sizeof(m));
	return ret ? ret : m.data_fd;
}

static uint32_t mig_get(struct vt_dev *d)
{
	struct vfio_device_feature_mig_state m = { 0 };

	if (feature(d, VFIO_DEVICE_FEATURE_GET |
		    VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &m, sizeof(m)))
		return 0xff;
	return m.device_state;
}

static void ident(struct vt_dev *d, struct vfpci_edu_ident *id)
{
	uint64_t v;

	vt_cfg_read(d, 0, 2, &v);
	id->vendor = v;
	vt_cfg_read(d, 2, 2, &v);
	id->device = v;
	vt_cfg_read(d, 8, 1, &v);
	id->revision = v;
	vt_cfg_read(d, 0x2c, 2, &v);
	id->subsystem_vendor = v;
	vt_cfg_read(d, 0x2e, 2, &v);
	id->subsystem_device = v;
}

/* Program one DMA; returns the cmd register read back afterwards. */
static uint32_t dma(struct vt_dev *d, uint64_t src, uint64_t dst,
		    uint32_t cnt, uint32_t cmd)
{
	wr(d, VFPCI_EDU_REG_DMA_SRC, src);
	wr(d, VFPCI_EDU_REG_DMA_DST, dst);
	wr(d, VFPCI_EDU_REG_DMA_CNT, cnt);
	wr(d, VFPCI_EDU_REG_DMA_CMD, cmd | VFPCI_EDU_DMA_START);
	return rd(d, VFPCI_EDU_REG_DMA_CMD);
}

static int wait_idle(struct vt_dev *d)
{
	int i;

	for (i = 0; i < 5000; i++) {
		if (!(rd(d, VFPCI_EDU_REG_STATUS) & VFPCI_EDU_STATUS_BUSY))
			return 0;
		usleep(1000);
	}
	return -1;
}

static void check_trap(struct vt_dev *d)
{
	struct vfio_region_info *ri = NULL;
	void *p;

	tap_result(!vt_region_info(d->fd, BAR0, &ri) &&
		   !(ri->flags & VFIO_REGION_INFO_FLAG_MMAP) &&
		   ri->size == 1 << 20, "edu_mig/bar0_no_mmap_flag",
		   "flags %#x", ri ? ri->flags : 0);
	free(ri);
	p = vt_mmap_region(d, BAR0, 4096, NULL);
	tap_result(!p && errno == EINVAL, "edu_mig/bar0_mmap_refused",
		   "mmap gave %p errno %d", p, errno);
	tap_result(rd(d, 0) == 0x010000ed, "edu_mig/id", "id %#x", rd(d, 0));
	tap_result(d->info.flags & VFIO_DEVICE_FLAGS_RESET,
		   "edu_mig/reset_flag", "flags %#x", d->info.flags);
}

static void check_dma(struct vt_dev *d, uint8_t *mem)
{
	uint32_t cmd;
	int i;

	for (i = 0; i < PG; i++)
		mem[i] = i * 13 + 1;
	cmd = dma(d, IOVA, VFPCI_EDU_DMA_BUF_ADDR, PG, 0);
	tap_result(cmd == 0, "edu_mig/dma_to_buffer", "cmd %#x", cmd);
	cmd = dma(d, VFPCI_EDU_DMA_BUF_ADDR, IOVA + PG, PG,
		  VFPCI_EDU_DMA_TO_RAM | VFPCI_EDU_DMA_IRQ);
	tap_result(cmd == (VFPCI_EDU_DMA_TO_RAM | VFPCI_EDU_DMA_IRQ) &&
		   !memcmp(mem, mem + PG, PG), "edu_mig/dma_roundtrip",
		   "cmd %#x", cmd);
	tap_result(rd(d, VFPCI_EDU_REG_IRQ_STATUS) & VFPCI_EDU_IRQ_DMA,
		   "edu_mig/dma_irq_status", "irq status %#x",
		   rd(d, VFPCI_EDU_REG_IRQ_STATUS));
	wr(d, VFPCI_EDU_REG_IRQ_ACK, VFPCI_EDU_IRQ_DMA);
}

static void check_bad_dma(struct vt_dev *d)
{
	static const struct { const char *name; uint64_t src, dst;
			      uint32_t cnt, cmd; } bad[] = {
		{ "too_long", IOVA, 0x40000, 4097, 0 },
		{ "window_end", IOVA, 0x40f00, 0x200, 0 },
		{ "window_below", IOVA, 0x3f000, 16, 0 },
		{ "window_src", 0x50000, IOVA, 16, VFPCI_EDU_DMA_TO_RAM },
		{ "iova_mask", 0x10000000, 0x40000, 16, 0 },
		{ "iova_mask_end", 0x0ffffff8, 0x40000, 16, 0 },
		{ "unmapped", 0x800000, 0x40000, 16, VFPCI_EDU_DMA_IRQ },
		{ "unmapped_to_ram", 0x40000, 0x800000, 16,
		  VFPCI_EDU_DMA_TO_RAM | VFPCI_EDU_DMA_IRQ },
		{ "wrap", 0x40000, 0xfffffff0, 0x20, VFPCI_EDU_DMA_TO_RAM },
	};
	char name[64];
	uint32_t cmd, irq;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cmd = dma(d, bad[i].src, bad[i].dst, bad[i].cnt, bad[i].cmd);
		irq = rd(d, VFPCI_EDU_REG_IRQ_STATUS);
		snprintf(name, sizeof(name), "edu_mig/bad_dma/%s", bad[i].name);
		tap_result(cmd == (bad[i].cmd | VFPCI_EDU_DMA_ERROR) &&
			   !(irq & VFPCI_EDU_IRQ_DMA), name,
			   "cmd %#x irq %#x", cmd, irq);
	}
}

static void check_dirty(struct vt_dev *d)
{
	struct vfio_device_feature_dma_logging_range range = {
		.iova = IOVA, .length = 4 * PG,
	};
	struct vfio_device_feature_dma_logging_control ctl = {
		.page_size = PG, .num_ranges = 1,
		.ranges = (uintptr_t)&range,
	};
	uint64_t bitmap = 0;
	struct vfio_device_feature_dma_logging_report rep = {
		.iova = IOVA, .length = 4 * PG, .page_size = PG,
		.bitmap = (uintptr_t)&bitmap,
	};
	int ret;

	/* No DMA logging where the kernel's iova_bitmap is a stub (6.12). */
	ret = feature(d, VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET |
		      VFIO_DEVICE_FEATURE_DMA_LOGGING_START, &ctl, 0);
	if (ret == -ENOTTY) {
		printf("# skip edu_mig/log_*: no DMA logging on this kernel\n");
		return;
	}
	ret = feature(d, VFIO_DEVICE_FEATURE_SET |
		      VFIO_DEVICE_FEATURE_DMA_LOGGING_START, &ctl, sizeof(ctl));
	tap_result(!ret, "edu_mig/log_start", "%d", ret);
	ret = feature(d, VFIO_DEVICE_FEATURE_SET |
		      VFIO_DEVICE_FEATURE_DMA_LOGGING_START, &ctl, sizeof(ctl));
	tap_result(ret == -EBUSY, "edu_mig/log_start_twice", "%d", ret);

	/* 100 bytes straddling pages 1 and 2; a read of RAM dirties none. */
	dma(d, VFPCI_EDU_DMA_BUF_ADDR, IOVA + 2 * PG - 50, 100,
	    VFPCI_EDU_DMA_TO_RAM);
	dma(d, IOVA + 3 * PG, VFPCI_EDU_DMA_BUF_ADDR, 100, 0);
	ret = feature(d, VFIO_DEVICE_FEATURE_GET |
		      VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT, &rep, sizeof(rep));
	tap_result(!ret && bitmap == 0x6, "edu_mig/log_report_exact",
		   "ret %d bitmap %#llx", ret, (unsigned long long)bitmap);
	bitmap = 0;
	ret = feature(d, VFIO_DEVICE_FEATURE_GET |
		      VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT, &rep, sizeof(rep));
	tap_result(!ret && bitmap == 0, "edu_mig/log_report_cleared",
		   "ret %d bitmap %#llx", ret, (unsigned long long)bitmap);
	ret = feature(d, VFIO_DEVICE_FEATURE_SET |
		      VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP, NULL, 0);
	tap_result(!ret, "edu_mig/log_stop", "%d", ret);
	ret = feature(d, VFIO_DEVICE_FEATURE_GET |
		      VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT, &rep, sizeof(rep));
	tap_result(ret == -EINVAL, "edu_mig/log_report_stopped", "%d", ret);
}

static ssize_t read_all(int fd, uint8_t *buf, size_t max)
{
	size_t got = 0;
	ssize_t n;

	/* Small reads on purpose: the fd is a stream. */
	while ((n = read(fd, buf + got, max - got < 1000 ? max - got : 1000)) > 0)
		got += n;
	return n < 0 ? -errno : (ssize_t)got;
}

/* RESUMING with @len bytes of @s, then STOP; the errno of the first failure. */
static int resume(struct vt_dev *d, const uint8_t *s, size_t len, int *werr)
{
	int fd = mig_set(d, VFIO_DEVICE_STATE_RESUMING);
	ssize_t n;
	int ret;

	*werr = 0;
	if (fd < 0)
		return fd;
	n = write(fd, s, len);
	if (n < 0)
		*werr = -errno;
	ret = mig_set(d, VFIO_DEVICE_STATE_STOP);
	close(fd);
	return ret < 0 ? ret : 0;
}

static void check_bad_streams(struct vt_dev *b, const uint8_t *good)
{
	static uint8_t s[VFPCI_EDU_STREAM_LEN + 8];
	struct vfpci_edu_stream_hdr *hdr = (void *)s;
	struct { const char *name; size_t len; int werr, err; } c;
	char name[64];
	int ret, werr, i;

	for (i = 0; i < 5; i++) {
		memcpy(s, good, VFPCI_EDU_STREAM_LEN);
		c.len = VFPCI_EDU_STREAM_LEN;
		c.werr = 0;
		switch (i) {
		case 0:
			c.name = "corrupted";
			s[2000] ^= 0x40;
			c.err = -EBADMSG;
			break;
		case 1:
			c.name = "truncated";
			c.len -= 1;
			c.err = -ENODATA;
			break;
		case 2:
			c.name = "too_long";
			c.len += 8;
			c.werr = -EFBIG;
			break;
		case 3:
			c.name = "version";
			hdr->version = htole16(VFPCI_EDU_STREAM_VERSION_PRECOPY + 1);
			c.werr = -EPROTONOSUPPORT;
			break;
		default:
			c.name = "device";
			hdr->device = htole16(0x11e9);
			c.werr = -ENODEV;
			break;
		}
		ret = resume(b, s, c.len, &werr);
		snprintf(name, sizeof(name), "edu_mig/refuse/%s", c.name);
		if (c.werr)
			c.err = c.werr;
		tap_result(ret == c.err && werr == c.werr &&
			   mig_get(b) == VFIO_DEVICE_STATE_ERROR,
			   name,
			   "stop %d write %d state %u", ret, werr, mig_get(b));
		ret = ioctl(b->fd, VFIO_DEVICE_RESET);
		tap_result(!ret && mig_get(b) == VFIO_DEVICE_STATE_RUNNING,
			   i ? "edu_mig/reset_again" : "edu_mig/reset_from_error",
			   "reset %d state %u", ret, mig_get(b));
	}
}

/* Completion interrupts come from the device, never while it is stopped. */
static void check_irqs(struct vt_dev *d)
{
	uint64_t cmd = 0;
	int64_t got;
	int efd = vt_eventfd();

	vt_cfg_read(d, 4, 2, &cmd);
	vt_cfg_write(d, 4, 2, cmd | 0x6);	/* memory + bus master */
	if (efd < 0 || vt_irq_set_eventfds(d->fd, VFIO_PCI_MSI_IRQ_INDEX, 0, 1,
					   &efd)) {
		tap_result(false, "edu_mig/msi_setup", "%m");
		return;
	}
	dma(d, VFPCI_EDU_DMA_BUF_ADDR, IOVA + PG, 64,
	    VFPCI_EDU_DMA_TO_RAM | VFPCI_EDU_DMA_IRQ);
	got = vt_eventfd_wait(efd, 2000);
	tap_result(got > 0, "edu_mig/dma_msi", "eventfd %lld", (long long)got);
	wr(d, VFPCI_EDU_REG_IRQ_ACK, ~0U);

	mig_set(d, VFIO_DEVICE_STATE_RUNNING_P2P);
	dma(d, VFPCI_EDU_DMA_BUF_ADDR, IOVA + PG, 64,
	    VFPCI_EDU_DMA_TO_RAM | VFPCI_EDU_DMA_IRQ);
	got = vt_eventfd_wait(efd, 300);
	tap_result(got == 0 && (rd(d, VFPCI_EDU_REG_DMA_CMD) &
				VFPCI_EDU_DMA_START),
		   "edu_mig/p2p_queues_dma_no_irq", "eventfd %lld",
		   (long long)got);
	mig_set(d, VFIO_DEVICE_STATE_RUNNING);
	got = vt_eventfd_wait(efd, 2000);
	tap_result(got > 0 && rd(d, VFPCI_EDU_REG_DMA_CMD) ==
		   (VFPCI_EDU_DMA_TO_RAM | VFPCI_EDU_DMA_IRQ),
		   "edu_mig/irq_after_running", "eventfd %lld",
		   (long long)got);
	wr(d, VFPCI_EDU_REG_IRQ_ACK, ~0U);
	vt_irq_disable(d->fd, VFIO_PCI_MSI_IRQ_INDEX);
	close(efd);
}

/* A factorial in flight completes before the device is STOP. */
static void check_fact_drain(struct vt_dev *d)
{
	uint32_t n = 30000000, want = 1, i, status;
	int ret;

	for (i = n; i; i--)
		want *= i;
	wr(d, VFPCI_EDU_REG_FACT, n);
	ret = mig_set(d, VFIO_DEVICE_STATE_STOP);
	status = rd(d, VFPCI_EDU_REG_STATUS);
	tap_result(ret == -1 && !(status & VFPCI_EDU_STATUS_BUSY) &&
		   rd(d, VFPCI_EDU_REG_FACT) == want, "edu_mig/fact_drained",
		   "stop %d status %#x fact %u want %u", ret, status,
		   rd(d, VFPCI_EDU_REG_FACT), want);
	mig_set(d, VFIO_DEVICE_STATE_RUNNING);
}

static void *reader(void *arg)
{
	int fd = *(int *)arg;
	char c;
	ssize_t n;

	while ((n = read(fd, &c, 1)) == 1)
		;
	*(int *)arg = n < 0 ? -errno : 0;
	return NULL;
}

/* Reset while another thread reads the data fd, many times. */
static void check_reset_race(struct vt_dev *d)
{
	int i, bad = 0, fd, res;
	pthread_t t;

	for (i = 0; i < 30; i++) {
		fd = mig_set(d, VFIO_DEVICE_STATE_STOP_COPY);
		if (fd < 0) {
			bad++;
			break;
		}
		res = fd;
		pthread_create(&t, NULL, reader, &res);
		if (i & 1)
			usleep(100);
		if (ioctl(d->fd, VFIO_DEVICE_RESET))
			bad++;
		pthread_join(t, NULL);
		if (res != 0 && res != -ENODEV)
			bad++;
		close(fd);
		if (mig_get(d) != VFIO_DEVICE_STATE_RUNNING)
			bad++;
	}
	tap_result(!bad, "edu_mig/reset_vs_reader", "%d bad rounds", bad);
}

static int unbind(const char *bdf)
{
	FILE *f = fopen("/sys/bus/pci/drivers/" DRV "/unbind", "w");
	int ret;

	if (!f)
		return -errno;
	ret = fputs(bdf, f) < 0 ? -EIO : 0;
	if (fclose(f))
		ret = -errno;
	return ret;
}

int main(void)
{
	char bdf[2][VT_BDF_LEN];
	static uint8_t stream[VFPCI_EDU_STREAM_LEN + 16];
	struct vfio_device_feature_migration mf = { 0 };
	struct vfpci_edu_ident id;
	struct vt_dev a, b;
	uint8_t *ma, *mb;
	uint32_t live = 0xa5a5f00d, irq_a;
	uint64_t scratch;
	ssize_t n;
	int fd, ret;

	if (pci_find(0x1234, 0x11e8, bdf, 2) < 2) {
		tap_skip("edu_mig", "needs two edu devices");
		return tap_summary();
	}
	if (vt_bind_open(&a, bdf[0], DRV) || vt_bind_open(&b, bdf[1], DRV)) {
		tap_result(false, "edu_mig/bind", "cannot bind/open %s", DRV);
		return tap_summary();
	}
	check_trap(&a);
	ret = feature(&a, VFIO_DEVICE_FEATURE_GET |
		      VFIO_DEVICE_FEATURE_MIGRATION, &mf, sizeof(mf));
	/* PRE_COPY (1 << 2) is there from Linux 6.2 on. */
	tap_result(!ret && (mf.flags & ~4ULL) == (VFIO_MIGRATION_STOP_COPY |
						  VFIO_MIGRATION_P2P),
		   "edu_mig/migration_flags", "ret %d flags %#llx", ret,
		   (unsigned long long)mf.flags);
	if (vt_dma_map(&a, IOVA, 4 * PG, (void **)&ma) ||
	    vt_dma_map(&b, IOVA, 4 * PG, (void **)&mb)) {
		tap_result(false, "edu_mig/dma_map", "%m");
		return tap_summary();
	}
	check_dma(&a, ma);
	check_bad_dma(&a);
	check_dirty(&a);

	/* State worth migrating on A; the buffer holds ma[0..4095]. */
	dma(&a, IOVA, VFPCI_EDU_DMA_BUF_ADDR, PG, 0);
	wr(&a, VFPCI_EDU_REG_LIVENESS, ~live);
	wr(&a, VFPCI_EDU_REG_STATUS, VFPCI_EDU_STATUS_IRQFACT);
	wr(&a, VFPCI_EDU_REG_FACT, 10);
	wait_idle(&a);
	tap_result(rd(&a, VFPCI_EDU_REG_FACT) == 3628800, "edu_mig/fact",
		   "10! read %u", rd(&a, VFPCI_EDU_REG_FACT));
	irq_a = rd(&a, VFPCI_EDU_REG_IRQ_STATUS);

	/* A: RUNNING -> STOP_COPY (through P2P and STOP), read, STOP. */
	fd = mig_set(&a, VFIO_DEVICE_STATE_STOP_COPY);
	tap_result(fd >= 0 && mig_get(&a) == VFIO_DEVICE_STATE_STOP_COPY,
		   "edu_mig/src_stop_copy", "fd %d", fd);
	tap_result(wr(&a, VFPCI_EDU_REG_LIVENESS, 1) == -EBUSY,
		   "edu_mig/write_refused_stopped", "write while stopped");
	n = fd >= 0 ? read_all(fd, stream, sizeof(stream)) : -EBADF;
	ident(&a, &id);
	tap_result(n == VFPCI_EDU_STREAM_LEN &&
		   !vfpci_edu_stream_validate(stream, n, &id),
		   "edu_mig/src_stream", "read %zd, validate %d", n,
		   vfpci_edu_stream_validate(stream, n > 0 ? n : 0, &id));
	ret = mig_set(&a, VFIO_DEVICE_STATE_STOP);
	tap_result(ret == -1, "edu_mig/src_stop", "%d", ret);
	n = fd >= 0 ? read(fd, &scratch, 8) : 0;
	tap_result(n < 0 && errno == ENODEV, "edu_mig/src_fd_ended",
		   "read after STOP %zd", n);
	if (fd >= 0)
		close(fd);

	/* B: RESUMING, write, then RUNNING (STOP, RUNNING_P2P, RUNNING). */
	fd = mig_set(&b, VFIO_DEVICE_STATE_RESUMING);
	n = fd >= 0 ? write(fd, stream, 10) : -1;
	if (n == 10)
		n += write(fd, stream + 10, VFPCI_EDU_STREAM_LEN - 10);
	tap_result(n == VFPCI_EDU_STREAM_LEN, "edu_mig/dst_write", "%zd", n);
	ret = mig_set(&b, VFIO_DEVICE_STATE_RUNNING);
	tap_result(ret == -1 && mig_get(&b) == VFIO_DEVICE_STATE_RUNNING,
		   "edu_mig/dst_running", "%d", ret);
	if (fd >= 0)
		close(fd);
	tap_result(rd(&b, VFPCI_EDU_REG_LIVENESS) == live,
		   "edu_mig/dst_liveness", "%#x", rd(&b, VFPCI_EDU_REG_LIVENESS));
	tap_result(rd(&b, VFPCI_EDU_REG_FACT) == 3628800, "edu_mig/dst_fact",
		   "%u", rd(&b, VFPCI_EDU_REG_FACT));
	tap_result((rd(&b, VFPCI_EDU_REG_STATUS) & 0x81) ==
		   VFPCI_EDU_STATUS_IRQFACT, "edu_mig/dst_status", "%#x",
		   rd(&b, VFPCI_EDU_REG_STATUS));
	tap_result(rd(&b, VFPCI_EDU_REG_IRQ_STATUS) == irq_a &&
		   (irq_a & VFPCI_EDU_IRQ_FACT), "edu_mig/dst_irq_status",
		   "%#x want %#x", rd(&b, VFPCI_EDU_REG_IRQ_STATUS), irq_a);
	dma(&b, VFPCI_EDU_DMA_BUF_ADDR, IOVA, PG, VFPCI_EDU_DMA_TO_RAM);
	tap_result(!memcmp(mb, ma, PG), "edu_mig/dst_buffer", "differs");

	/* A DMA queued in STOP runs when the device runs again. */
	mig_set(&b, VFIO_DEVICE_STATE_STOP);
	memset(mb + PG, 0, PG);
	ret = dma(&b, VFPCI_EDU_DMA_BUF_ADDR, IOVA + PG, PG,
		  VFPCI_EDU_DMA_TO_RAM);
	tap_result(ret == (VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_TO_RAM) &&
		   mb[PG + 1] == 0, "edu_mig/dma_queued_in_stop", "cmd %#x",
		   ret);
	mig_set(&b, VFIO_DEVICE_STATE_RUNNING);
	tap_result(rd(&b, VFPCI_EDU_REG_DMA_CMD) == VFPCI_EDU_DMA_TO_RAM &&
		   !memcmp(mb + PG, ma, PG), "edu_mig/dma_runs_on_running",
		   "cmd %#x", rd(&b, VFPCI_EDU_REG_DMA_CMD));

	check_bad_streams(&b, stream);
	check_irqs(&b);
	check_fact_drain(&b);
	check_reset_race(&b);

	/* Close with a session open: the fd outlives its state, safely. */
	fd = mig_set(&a, VFIO_DEVICE_STATE_STOP_COPY);
	vt_close(&a);
	n = fd >= 0 ? read(fd, &scratch, 8) : 0;
	tap_result(fd >= 0 && n < 0 && errno == ENODEV,
		   "edu_mig/fd_after_close", "fd %d read %zd", fd, n);
	if (fd >= 0)
		close(fd);

	/* Unbind while a data fd of the device is still open. */
	fd = mig_set(&b, VFIO_DEVICE_STATE_RESUMING);
	vt_close(&b);
	ret = unbind(bdf[1]);
	n = fd >= 0 ? write(fd, stream, 8) : 0;
	tap_result(fd >= 0 && !ret && n < 0 && errno == ENODEV,
		   "edu_mig/unbind_with_fd_open", "fd %d unbind %d write %zd",
		   fd, ret, n);
	if (fd >= 0)
		close(fd);
	return tap_summary();
}
