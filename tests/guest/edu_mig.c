// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu_mig: the VFIO migration protocol v2 and device DMA logging of
 * vfpci_edu, driven through the vfpci-mig library on two or three edu
 * devices that share one container (so the target sees the source's DMA
 * buffers, as in a same-host migration).
 *
 *   edu_mig [--driver NAME] [--seed N] A B [C]    the whole suite
 *   edu_mig [--driver NAME] --save DIR A          workload, save to DIR
 *   edu_mig [--driver NAME] --load DIR A          load from DIR, verify
 *
 * Sections: the FSM (every arc, invalid requests, argsz, PROBE), data fd
 * semantics, lossless migrations of a randomized workload, bad streams,
 * dirty tracking, and races (reset during a read, close mid-transfer,
 * unbind during a migration).  A watchdog turns any hang into a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vfpci_test.h"
#include "mig.h"
#include <vfpci_edu_stream.h>

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
#define EDU_ID_VALUE	0x010000edu
#define PAGE		4096
#define IOVA_BASE	0x100000ull
#define RAM_PAGES	32
#define IOVA(pg)	(IOVA_BASE + (uint64_t)(pg) * PAGE)
#define STREAM_LEN	VFPCI_EDU_STREAM_LEN
#define WATCHDOG_S	60
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define S_ERROR		VFIO_DEVICE_STATE_ERROR
#define S_STOP		VFIO_DEVICE_STATE_STOP
#define S_RUNNING	VFIO_DEVICE_STATE_RUNNING
#define S_STOP_COPY	VFIO_DEVICE_STATE_STOP_COPY
#define S_RESUMING	VFIO_DEVICE_STATE_RESUMING
#define S_P2P		VFIO_DEVICE_STATE_RUNNING_P2P

struct edu {
	const char *bdf;
	struct mig_dev d;
	struct vt_dev vt;	/* the same fds, for the test library */
	uint64_t bar0;		/* file offset of BAR0 */
	int efd;		/* MSI eventfd, -1 when MSI is off */
};

/* What a workload put in a device, and what it must read back. */
struct work {
	uint32_t live;		/* written to 0x04 */
	uint32_t n;		/* factorial input */
	uint32_t irqfact;	/* 0 or VFPCI_EDU_STATUS_IRQFACT */
	uint32_t raise;		/* bits raised through 0x60 */
	uint32_t in_page;	/* RAM page the pattern is DMA'd from */
	uint32_t out_page;	/* RAM page it is DMA'd back to */
	uint8_t pattern[PAGE];
};

static const char *driver = "vfpci_edu";
static struct mig_ctx ctx;
static struct edu edus[3];
static int nedu;
static uint8_t *ram;		/* RAM_PAGES pages at IOVA_BASE */
static uint64_t seed;
static uint64_t mig_flags;
static char cur_test[128] = "setup";
static void *good;		/* a valid stream saved from edus[0] */
static ssize_t good_len;

/* ---- small helpers ---- */

static void on_alarm(int sig)
{
	char msg[256];
	int n;

	(void)sig;
	n = snprintf(msg, sizeof(msg),
		     "not ok edu_mig/%s - watchdog: no progress in %d s\n",
		     cur_test, WATCHDOG_S);
	if (write(STDOUT_FILENO, msg, n) < 0)
		_exit(3);
	_exit(2);
}

/* Name the section the watchdog blames, and rearm it. */
static void section(const char *name)
{
	snprintf(cur_test, sizeof(cur_test), "%s", name);
	alarm(WATCHDOG_S);
}

static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static const char *tn(const char *fmt, ...)
{
	static char buf[8][160];
	static int i;
	char *p = buf[i++ & 7];
	va_list ap;
	int n;

	n = snprintf(p, 160, "edu_mig/");
	va_start(ap, fmt);
	vsnprintf(p + n, 160 - n, fmt, ap);
	va_end(ap);
	return p;
}

/* Does this kernel's vfpci_edu offer PRE_COPY (Linux 6.2+)? */
static bool pre_copy_kernel(void)
{
	struct utsname u;
	int a = 0, b = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &a, &b) != 2)
		return false;
	return a > 6 || (a == 6 && b >= 2);
}

static const char *en(int err)
{
	return err ? mig_errname(err) : "0";
}

static int rd(struct edu *e, unsigned int off, uint32_t *v)
{
	uint32_t x;

	if (pread(e->d.fd, &x, 4, e->bar0 + off) != 4)
		return -errno;
	*v = x;
	return 0;
}

static int wr(struct edu *e, unsigned int off, uint32_t v)
{
	return pwrite(e->d.fd, &v, 4, e->bar0 + off) == 4 ? 0 : -errno;
}

static uint32_t rdv(struct edu *e, unsigned int off)
{
	uint32_t v = 0xdeadbeef;

	rd(e, off, &v);
	return v;
}

static uint32_t fact(uint32_t n)
{
	uint32_t r = 1;

	while (n > 1)
		r *= n--;
	return r;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Wait until (reg & mask) == 0; 0, or -ETIMEDOUT / -errno. */
static int wait_clear(struct edu *e, unsigned int reg, uint32_t mask)
{
	uint32_t v = 0;
	int i, ret;

	for (i = 0; i < 2000; i++) {
		ret = rd(e, reg, &v);
		if (ret)
			return ret;
		if (!(v & mask))
			return 0;
		sleep_ms(1);
	}
	return -ETIMEDOUT;
}

/* Program one DMA and wait for it; returns the final cmd or -errno. */
static int64_t dma(struct edu *e, uint64_t src, uint64_t dst, uint32_t cnt,
		   uint32_t cmd)
{
	int ret;

	ret = wr(e, VFPCI_EDU_REG_DMA_SRC, src);
	if (!ret)
		ret = wr(e, VFPCI_EDU_REG_DMA_DST, dst);
	if (!ret)
		ret = wr(e, VFPCI_EDU_REG_DMA_CNT, cnt);
	if (!ret)
		ret = wr(e, VFPCI_EDU_REG_DMA_CMD, cmd);
	if (!ret)
		ret = wait_clear(e, VFPCI_EDU_REG_DMA_CMD, VFPCI_EDU_DMA_START);
	return ret ? ret : (int64_t)rdv(e, VFPCI_EDU_REG_DMA_CMD);
}

/* Liveness and a small factorial: the device answers as an edu. */
static bool works(struct edu *e, char *why, size_t len)
{
	uint32_t x = rnd(), v = 0;

	if (rd(e, VFPCI_EDU_REG_ID, &v) || v != EDU_ID_VALUE) {
		snprintf(why, len, "id 0x%x", v);
		return false;
	}
	if (wr(e, VFPCI_EDU_REG_LIVENESS, x) ||
	    rd(e, VFPCI_EDU_REG_LIVENESS, &v) || v != ~x) {
		snprintf(why, len, "liveness 0x%x after 0x%x", v, x);
		return false;
	}
	if (wr(e, VFPCI_EDU_REG_FACT, 7) ||
	    wait_clear(e, VFPCI_EDU_REG_STATUS, VFPCI_EDU_STATUS_BUSY) ||
	    rd(e, VFPCI_EDU_REG_FACT, &v) || v != 5040) {
		snprintf(why, len, "7! read 0x%x", v);
		return false;
	}
	return true;
}

static int state_of(struct edu *e)
{
	uint32_t s;
	int ret = mig_get_state(e->d.fd, &s);

	return ret ? ret : (int)s;
}

static const char *sname(int s)
{
	return s < 0 ? mig_errname(s) : mig_state_name(s);
}

static int dev_reset(struct edu *e)
{
	return ioctl(e->d.fd, VFIO_DEVICE_RESET) < 0 ? -errno : 0;
}

/* ---- opening and MSI ---- */

static int msi_on(struct edu *e)
{
	uint64_t cmd = 0;
	int ret;

	if (e->efd < 0) {
		e->efd = vt_eventfd();
		if (e->efd < 0)
			return e->efd;
	}
	/* edu's MSI needs bus mastering. */
	if (vt_cfg_read(&e->vt, 4, 2, &cmd) != 2 ||
	    vt_cfg_write(&e->vt, 4, 2, cmd | 0x4) != 2)
		return -EIO;
	ret = vt_irq_set_eventfds(e->d.fd, VFIO_PCI_MSI_IRQ_INDEX, 0, 1,
				  &e->efd);
	vt_eventfd_drain(e->efd);
	return ret;
}

static int edu_open(struct edu *e, const char *bdf)
{
	int ret;

	e->bdf = bdf;
	e->efd = -1;
	ret = pci_bind(bdf, driver);
	if (ret)
		return ret;
	ret = mig_dev_open(&ctx, &e->d, bdf);
	if (ret)
		return ret;
	memset(&e->vt, 0, sizeof(e->vt));
	snprintf(e->vt.bdf, sizeof(e->vt.bdf), "%s", bdf);
	e->vt.container = ctx.container;
	e->vt.group = ctx.groups[e->d.group].fd;
	e->vt.fd = e->d.fd;
	ret = vt_region_offset(e->d.fd, VFIO_PCI_CONFIG_REGION_INDEX,
			       &e->vt.cfg_off, &e->vt.cfg_size);
	if (!ret)
		ret = vt_region_offset(e->d.fd, VFIO_PCI_BAR0_REGION_INDEX,
				       &e->bar0, NULL);
	return ret;
}

static void edu_close(struct edu *e)
{
	if (e->efd >= 0) {
		vt_irq_disable(e->d.fd, VFIO_PCI_MSI_IRQ_INDEX);
		close(e->efd);
		e->efd = -1;
	}
	mig_dev_close(&e->d);
}

static int ram_map(void)
{
	ram = mmap(NULL, RAM_PAGES * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		return -errno;
	memset(ram, 0, RAM_PAGES * PAGE);
	return mig_dma_map(&ctx, ram, IOVA_BASE, RAM_PAGES * PAGE);
}

/* Open the devices in one fresh container and map the DMA area. */
static int setup(char **bdfs, int n)
{
	int i, ret;

	ret = mig_ctx_init(&ctx);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		ret = edu_open(&edus[i], bdfs[i]);
		if (ret) {
			tap_diag("open %s: %s: %s", bdfs[i], mig_last_step(),
				 mig_errname(ret));
			return ret;
		}
		nedu = i + 1;
		/* MSI from the start: a raised irq must never be INTx. */
		ret = msi_on(&edus[i]);
		if (ret) {
			tap_diag("MSI on %s: %s", bdfs[i], mig_errname(ret));
			return ret;
		}
	}
	return ram_map();
}

static void teardown(void)
{
	int i;

	for (i = 0; i < nedu; i++)
		edu_close(&edus[i]);
	nedu = 0;
	if (ram && ram != MAP_FAILED) {
		mig_dma_unmap(&ctx, IOVA_BASE, RAM_PAGES * PAGE);
		munmap(ram, RAM_PAGES * PAGE);
	}
	ram = NULL;
	mig_ctx_fini(&ctx);
}

/* ---- the workload ---- */

static void work_random(struct work *w)
{
	unsigned int i;

	w->live = rnd();
	w->n = 1 + rnd() % 20;
	w->irqfact = rnd() & 1 ? VFPCI_EDU_STATUS_IRQFACT : 0;
	/* Leave bits 0 and 8 to the factorial and the DMA. */
	w->raise = (rnd() & 0xfffffefe) | 0x10000;
	w->in_page = rnd() % (RAM_PAGES / 2);
	w->out_page = RAM_PAGES / 2 + rnd() % (RAM_PAGES / 2);
	for (i = 0; i < PAGE; i++)
		w->pattern[i] = rnd();
}

static uint32_t work_irq_status(const struct work *w)
{
	return w->raise | (w->irqfact ? VFPCI_EDU_IRQ_FACT : 0);
}

/*
 * Run @w on @e: liveness, a factorial, the pattern DMA'd from RAM into the
 * device buffer, irq bits raised.  With @inflight the last factorial is
 * started and not waited for.
 */
static bool work_run(struct edu *e, const struct work *w, bool inflight,
		     char *why, size_t len)
{
	int64_t cmd;

	if (wr(e, VFPCI_EDU_REG_IRQ_ACK, 0xffffffff) ||
	    wr(e, VFPCI_EDU_REG_LIVENESS, w->live) ||
	    wr(e, VFPCI_EDU_REG_STATUS, 0)) {
		snprintf(why, len, "register write: %s", strerror(errno));
		return false;
	}
	memcpy(ram + w->in_page * PAGE, w->pattern, PAGE);
	cmd = dma(e, IOVA(w->in_page), VFPCI_EDU_DMA_BUF_ADDR, PAGE,
		  VFPCI_EDU_DMA_START);
	if (cmd != 0) {
		snprintf(why, len, "DMA RAM->device: cmd %s0x%llx",
			 cmd < 0 ? "-" : "",
			 (unsigned long long)(cmd < 0 ? -cmd : cmd));
		return false;
	}
	/* Scribble over the RAM copy: only the device keeps the pattern. */
	memset(ram + w->in_page * PAGE, 0x5a, PAGE);
	if (wr(e, VFPCI_EDU_REG_IRQ_RAISE, w->raise) ||
	    wr(e, VFPCI_EDU_REG_STATUS, w->irqfact) ||
	    wr(e, VFPCI_EDU_REG_FACT, w->n)) {
		snprintf(why, len, "register write: %s", strerror(errno));
		return false;
	}
	if (!inflight &&
	    wait_clear(e, VFPCI_EDU_REG_STATUS, VFPCI_EDU_STATUS_BUSY)) {
		snprintf(why, len, "factorial never finished");
		return false;
	}
	return true;
}

/*
 * Check on @e everything @w left, then DMA the device buffer out to RAM
 * (with the completion irq) and compare with the pattern.
 */
static bool work_verify(struct edu *e, const struct work *w, char *why,
			size_t len)
{
	uint32_t want_irq = work_irq_status(w), v;
	uint8_t *out = ram + w->out_page * PAGE;
	int64_t cmd, msi;
	size_t i;

#define EXPECT(reg, want, what) do {					\
		v = rdv(e, reg);					\
		if (v != (uint32_t)(want)) {				\
			snprintf(why, len, "%s: 0x%x, want 0x%x", what,	\
				 v, (uint32_t)(want));			\
			return false;					\
		}							\
	} while (0)

	EXPECT(VFPCI_EDU_REG_ID, EDU_ID_VALUE, "id");
	EXPECT(VFPCI_EDU_REG_LIVENESS, ~w->live, "liveness");
	if (wait_clear(e, VFPCI_EDU_REG_STATUS, VFPCI_EDU_STATUS_BUSY)) {
		snprintf(why, len, "factorial busy for 2 s on the target");
		return false;
	}
	EXPECT(VFPCI_EDU_REG_FACT, fact(w->n), "factorial");
	EXPECT(VFPCI_EDU_REG_STATUS, w->irqfact, "status");
	EXPECT(VFPCI_EDU_REG_IRQ_STATUS, want_irq, "irq status");
	EXPECT(VFPCI_EDU_REG_DMA_SRC, IOVA(w->in_page), "dma src");
	EXPECT(VFPCI_EDU_REG_DMA_DST, VFPCI_EDU_DMA_BUF_ADDR, "dma dst");
	EXPECT(VFPCI_EDU_REG_DMA_CNT, PAGE, "dma count");
	EXPECT(VFPCI_EDU_REG_DMA_CMD, 0, "dma cmd");

	if (e->efd >= 0)
		vt_eventfd_drain(e->efd);
	memset(out, 0, PAGE);
	cmd = dma(e, VFPCI_EDU_DMA_BUF_ADDR, IOVA(w->out_page), PAGE,
		  VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_TO_RAM |
		  VFPCI_EDU_DMA_IRQ);
	if (cmd != (VFPCI_EDU_DMA_TO_RAM | VFPCI_EDU_DMA_IRQ)) {
		snprintf(why, len, "DMA device->RAM: cmd %lld", (long long)cmd);
		return false;
	}
	for (i = 0; i < PAGE && out[i] == w->pattern[i]; i++)
		;
	if (i < PAGE) {
		snprintf(why, len,
			 "buffer DMA'd out differs at byte %zu: 0x%02x, want 0x%02x",
			 i, out[i], w->pattern[i]);
		return false;
	}
	EXPECT(VFPCI_EDU_REG_IRQ_STATUS, want_irq | VFPCI_EDU_IRQ_DMA,
	       "irq status after DMA");
	if (e->efd >= 0) {
		msi = vt_eventfd_wait(e->efd, 2000);
		if (msi <= 0) {
			snprintf(why, len, "no MSI for the DMA completion (%lld)",
				 (long long)msi);
			return false;
		}
	}
	return true;
#undef EXPECT
}

/* ---- FSM ---- */

static void test_probe(struct edu *e)
{
	static const struct {
		const char *name;
		uint32_t feature, ops;
		int want;
	} p[] = {
		{ "migration/get", VFIO_DEVICE_FEATURE_MIGRATION,
		  VFIO_DEVICE_FEATURE_GET, 0 },
		{ "migration/set", VFIO_DEVICE_FEATURE_MIGRATION,
		  VFIO_DEVICE_FEATURE_SET, -EINVAL },
		{ "migration/none", VFIO_DEVICE_FEATURE_MIGRATION, 0, 0 },
		{ "mig_state/get_set", VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE,
		  VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET, 0 },
		{ "log_start/set", VFIO_DEVICE_FEATURE_DMA_LOGGING_START,
		  VFIO_DEVICE_FEATURE_SET, 0 },
		{ "log_start/get", VFIO_DEVICE_FEATURE_DMA_LOGGING_START,
		  VFIO_DEVICE_FEATURE_GET, -EINVAL },
		{ "log_stop/set", VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP,
		  VFIO_DEVICE_FEATURE_SET, 0 },
		{ "log_report/get", VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT,
		  VFIO_DEVICE_FEATURE_GET, 0 },
		{ "log_report/set", VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT,
		  VFIO_DEVICE_FEATURE_SET, -EINVAL },
	};
	uint64_t want_flags = VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P;
	/* Debian's 6.12: no DMA logging (docs/edu-migration.md). */
	bool nolog = mig_probe(e->d.fd, VFIO_DEVICE_FEATURE_DMA_LOGGING_START,
			       VFIO_DEVICE_FEATURE_SET) == -ENOTTY;
	unsigned int i;
	int ret, want;

	for (i = 0; i < ARRAY_SIZE(p); i++) {
		want = p[i].want;
		if (nolog && !strncmp(p[i].name, "log_", 4))
			want = -ENOTTY;
		ret = mig_probe(e->d.fd, p[i].feature, p[i].ops);
		tap_result(ret == want, tn("probe/%s", p[i].name),
			   "PROBE returned %s, want %s", en(ret), en(want));
	}
	/* PRE_COPY from Linux 6.2 on. */
	if (pre_copy_kernel())
		want_flags |= VFIO_MIGRATION_PRE_COPY;
	ret = mig_get_flags(e->d.fd, &mig_flags);
	tap_result(!ret && mig_flags == want_flags,
		   tn("flags"), "GET MIGRATION: %s, flags 0x%llx, want 0x%llx",
		   en(ret), (unsigned long long)mig_flags,
		   (unsigned long long)want_flags);
	ret = state_of(e);
	tap_result(ret == S_RUNNING, tn("state_initial"), "state %s",
		   sname(ret));
}

/* Malformed VFIO_DEVICE_FEATURE requests on the migration features. */
static void test_argsz(struct edu *e)
{
	struct vfio_device_feature_mig_state m = { S_STOP, -1 };
	uint32_t st = VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE;
	size_t hdr = sizeof(struct vfio_device_feature);
	struct vfio_device_feature_migration f;
	int ret;

	ret = mig_feature(e->d.fd, st | VFIO_DEVICE_FEATURE_GET, &m,
			  sizeof(m), hdr + sizeof(m) - 1);
	tap_result(ret == -EINVAL, tn("argsz/get_state_short"), "%s",
		   en(ret));
	ret = mig_feature(e->d.fd, st | VFIO_DEVICE_FEATURE_SET, &m,
			  sizeof(m), hdr + 4);
	tap_result(ret == -EINVAL, tn("argsz/set_state_short"), "%s",
		   en(ret));
	ret = mig_feature(e->d.fd, st | VFIO_DEVICE_FEATURE_GET, &m,
			  sizeof(m), hdr - 1);
	tap_result(ret == -EINVAL, tn("argsz/below_header"), "%s", en(ret));
	ret = mig_feature(e->d.fd, VFIO_DEVICE_FEATURE_MIGRATION |
			  VFIO_DEVICE_FEATURE_GET, &f, sizeof(f),
			  hdr + sizeof(f) - 1);
	tap_result(ret == -EINVAL, tn("argsz/get_flags_short"), "%s",
		   en(ret));
	ret = mig_feature(e->d.fd, st | VFIO_DEVICE_FEATURE_GET |
			  VFIO_DEVICE_FEATURE_SET, &m, sizeof(m), 0);
	tap_result(ret == -EINVAL, tn("argsz/get_and_set"), "%s", en(ret));
	ret = mig_feature(e->d.fd, st, &m, sizeof(m), 0);
	tap_result(ret == -EINVAL, tn("argsz/neither_get_nor_set"), "%s",
		   en(ret));
	ret = mig_feature(e->d.fd, st | VFIO_DEVICE_FEATURE_GET | (1u << 20),
			  &m, sizeof(m), 0);
	tap_result(ret == -EINVAL, tn("argsz/unknown_flag"), "%s", en(ret));
	/* A larger argsz is fine: user space may be newer. */
	ret = mig_feature(e->d.fd, st | VFIO_DEVICE_FEATURE_GET, &m,
			  sizeof(m), hdr + sizeof(m) + 64);
	tap_result(ret == -EFAULT || ret == 0, tn("argsz/get_state_long"),
		   "%s", en(ret));
	ret = state_of(e);
	tap_result(ret == S_RUNNING, tn("argsz/state_unchanged"), "state %s",
		   sname(ret));
}

static void test_invalid_states(struct edu *e)
{
	static const uint32_t bad[] = { S_ERROR, 6, 7, 8, 0x100, 0xffffffff };
	unsigned int i;
	int ret, dfd;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		/* PRE_COPY and PRE_COPY_P2P exist from 6.2 on. */
		if ((bad[i] == 6 || bad[i] == 7) && pre_copy_kernel())
			continue;
		ret = mig_set_state(e->d.fd, bad[i], &dfd);
		if (dfd >= 0)
			close(dfd);
		tap_result(ret == -EINVAL && state_of(e) == S_RUNNING,
			   tn("invalid_state/%u", bad[i]),
			   "SET %u: %s, state now %s", bad[i], en(ret),
			   sname(state_of(e)));
	}
	/* Without P2P, RUNNING_P2P is an arc the flags do not allow. */
	if (!(mig_flags & VFIO_MIGRATION_P2P)) {
		ret = mig_set_state(e->d.fd, S_P2P, NULL);
		tap_result(ret == -EINVAL, tn("invalid_state/p2p_unflagged"),
			   "SET RUNNING_P2P: %s", en(ret));
	}
}

/* The device's state machine as the test drives it. */
struct fsm {
	struct edu *e;
	int cur;
	int dfd;	/* data fd of the current session, -1 if none */
};

static bool needs_fd(int s)
{
	return s == S_STOP_COPY || s == S_RESUMING;
}

/* Move to @to; a RESUMING session is fed a good stream before leaving. */
static int fsm_go(struct fsm *f, int to, int *newfd)
{
	int ret, dfd;

	*newfd = -1;
	if (f->cur == S_RESUMING && to != S_RESUMING && f->dfd >= 0) {
		ret = mig_write_stream(f->dfd, good, good_len);
		if (ret)
			return ret;
	}
	ret = mig_set_state(f->e->d.fd, to, &dfd);
	if (ret)
		return ret;
	*newfd = dfd;
	if (f->cur != to) {
		if (f->dfd >= 0)
			close(f->dfd);
		f->dfd = dfd;
		f->cur = to;
	} else if (dfd >= 0) {
		close(dfd);	/* a same-state SET must not make one */
	}
	return 0;
}

static void test_arcs(struct edu *e)
{
	static const int st[] = { S_RUNNING, S_P2P, S_STOP, S_STOP_COPY,
				  S_RESUMING };
	struct fsm f = { e, S_RUNNING, -1 };
	unsigned int i, j, n = ARRAY_SIZE(st);
	int ret, dfd, got;
	bool fd_ok;

	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			const char *name = tn("arc/%s->%s",
					      mig_state_name(st[i]),
					      mig_state_name(st[j]));

			ret = fsm_go(&f, st[i], &dfd);
			if (ret) {
				tap_result(false, name, "reaching %s: %s",
					   mig_state_name(st[i]), en(ret));
				dev_reset(e);
				f.cur = state_of(e);
				continue;
			}
			ret = fsm_go(&f, st[j], &dfd);
			got = state_of(e);
			/* A new session, and a new fd, only on entry. */
			fd_ok = (dfd >= 0) == (needs_fd(st[j]) && i != j);
			tap_result(!ret && got == st[j] && fd_ok, name,
				   "SET: %s, state %s, data fd %d", en(ret),
				   sname(got), dfd);
			if (ret) {
				dev_reset(e);
				if (f.dfd >= 0)
					close(f.dfd);
				f.dfd = -1;
				f.cur = state_of(e);
			}
		}
	}
	ret = fsm_go(&f, S_RUNNING, &dfd);
	if (f.dfd >= 0)
		close(f.dfd);
	tap_result(!ret && state_of(e) == S_RUNNING, tn("arc/back_to_running"),
		   "%s", en(ret));
}

/* Read @fd in @chunk-byte reads to EOF; total bytes or -errno. */
static ssize_t read_chunks(int fd, size_t chunk, uint8_t *buf, size_t cap)
{
	size_t total = 0;
	ssize_t n;

	for (;;) {
		uint8_t tmp[4096];

		n = read(fd, tmp, chunk);
		if (n < 0)
			return -errno;
		if (!n)
			return total;
		if (total + n <= cap)
			memcpy(buf + total, tmp, n);
		total += n;
		if (total > 16 * STREAM_LEN)
			return -EFBIG;
	}
}

static void test_datafd(struct edu *e)
{
	uint8_t *a = calloc(1, 2 * STREAM_LEN), *b = calloc(1, 2 * STREAM_LEN);
	ssize_t n, m, r;
	int ret, dfd, dfd2, st = -1;
	char c;

	/* STOP_COPY: small reads to EOF, then EOF again; no writes. */
	ret = mig_set_state(e->d.fd, S_STOP_COPY, &dfd);
	tap_result(!ret && dfd >= 0, tn("datafd/stop_copy_from_running"),
		   "SET RUNNING->STOP_COPY: %s, fd %d", en(ret), dfd);
	if (ret || dfd < 0)
		goto out;
	r = write(dfd, "x", 1);
	tap_result(r < 0, tn("datafd/stop_copy_write_refused"),
		   "write returned %zd", r);
	n = read_chunks(dfd, 100, a, 2 * STREAM_LEN);
	tap_result(n == (ssize_t)STREAM_LEN, tn("datafd/read_to_eof"),
		   "read %zd bytes (%s), want %zu", n, n < 0 ? en(n) : "-",
		   (size_t)STREAM_LEN);
	r = read(dfd, &c, 1);
	tap_result(r == 0, tn("datafd/eof_stays"), "read after EOF: %zd",
		   r);
	close(dfd);
	/* A second session in the same stopped state gives the same bytes. */
	ret = mig_set_state(e->d.fd, S_STOP, NULL);
	if (!ret)
		ret = mig_set_state(e->d.fd, S_STOP_COPY, &dfd);
	m = ret ? ret : read_chunks(dfd, 4096, b, 2 * STREAM_LEN);
	tap_result(m == n && !memcmp(a, b, STREAM_LEN),
		   tn("datafd/second_session_same"),
		   "second stream %zd bytes, %s", m,
		   m == n && memcmp(a, b, STREAM_LEN) ? "differs" : "");
	if (!ret)
		close(dfd);

	/* Reading after leaving STOP_COPY must not give stream data. */
	ret = mig_set_state(e->d.fd, S_STOP, NULL);
	if (!ret)
		ret = mig_set_state(e->d.fd, S_STOP_COPY, &dfd);
	if (!ret) {
		r = read(dfd, a, 10);
		ret = mig_set_state(e->d.fd, S_STOP, NULL);
		errno = 0;
		r = read(dfd, a, 64);
		tap_result(!ret && r <= 0, tn("datafd/read_after_leaving"),
			   "leave: %s; read returned %zd (%s)", en(ret), r,
			   en(errno));
		close(dfd);
	}

	/* The fd of an ended session never reads a later session's data. */
	ret = mig_set_state(e->d.fd, S_STOP_COPY, &dfd);
	if (!ret) {
		ret = mig_set_state(e->d.fd, S_STOP, NULL);
		if (!ret)
			ret = mig_set_state(e->d.fd, S_STOP_COPY, &dfd2);
		errno = 0;
		r = read(dfd, a, 64);
		m = ret ? ret : read_chunks(dfd2, 4096, b, 2 * STREAM_LEN);
		tap_result(!ret && r <= 0 && m == (ssize_t)STREAM_LEN,
			   tn("datafd/old_fd_after_new_session"),
			   "%s; old fd read %zd (%s), new fd %zd bytes",
			   en(ret), r, en(errno), m);
		close(dfd);
		if (!ret)
			close(dfd2);
		mig_set_state(e->d.fd, S_STOP, NULL);
	}

	/* Closing mid-transfer: the session ends, the device goes on. */
	ret = mig_set_state(e->d.fd, S_STOP_COPY, &dfd);
	if (!ret) {
		r = read(dfd, a, 17);
		close(dfd);
		ret = mig_set_state(e->d.fd, S_RUNNING, NULL);
		st = state_of(e);
	}
	tap_result(!ret && st == S_RUNNING,
		   tn("datafd/close_mid_stop_copy"),
		   "STOP_COPY -> RUNNING after close: %s, state %s", en(ret),
		   sname(st));

	/* RESUMING: no reads; a stream written byte by byte is fine. */
	ret = mig_set_state(e->d.fd, S_RESUMING, &dfd);
	tap_result(!ret && dfd >= 0, tn("datafd/resuming_from_running"),
		   "SET RUNNING->RESUMING: %s, fd %d", en(ret), dfd);
	if (ret || dfd < 0)
		goto out;
	r = read(dfd, a, 1);
	tap_result(r < 0, tn("datafd/resuming_read_refused"),
		   "read returned %zd", r);
	for (n = 0; n < good_len; n++)
		if (write(dfd, (uint8_t *)good + n, 1) != 1)
			break;
	tap_result(n == good_len, tn("datafd/write_bytewise"),
		   "wrote %zd of %zd bytes: %s", n, good_len, strerror(errno));
	ret = mig_set_state(e->d.fd, S_STOP, NULL);
	tap_result(!ret, tn("datafd/bytewise_stream_accepted"),
		   "RESUMING -> STOP: %s", en(ret));
	errno = 0;
	r = write(dfd, good, 16);
	tap_result(r < 0, tn("datafd/write_after_leaving"),
		   "write returned %zd", r);
	close(dfd);

	/* A new RESUMING session, closed half-way: refused, then reset. */
	ret = mig_set_state(e->d.fd, S_RESUMING, &dfd2);
	if (!ret) {
		r = write(dfd2, good, good_len / 2);
		close(dfd2);
		ret = mig_set_state(e->d.fd, S_STOP, NULL);
		st = state_of(e);
		tap_result(ret < 0 && st == S_ERROR,
			   tn("datafd/close_mid_resuming_refused"),
			   "leaving RESUMING with half a stream: %s, state %s",
			   en(ret), sname(st));
	}
	ret = dev_reset(e);
	st = state_of(e);
	tap_result(!ret && st == S_RUNNING, tn("datafd/reset_to_running"),
		   "VFIO_DEVICE_RESET: %s, state %s", en(ret), sname(st));
out:
	free(a);
	free(b);
	if (state_of(e) != S_RUNNING)
		mig_set_state(e->d.fd, S_RUNNING, NULL);
}

/* ---- migrations ---- */

static void test_migrate(struct edu *src, struct edu *dst, const char *tag,
			 bool inflight)
{
	struct mig_stats st;
	struct work w;
	char why[256];
	int ret;

	work_random(&w);
	if (!tap_result(work_run(src, &w, inflight, why, sizeof(why)),
			tn("%s/workload", tag), "%s", why))
		return;
	ret = mig_migrate(&src->d, &dst->d, &st);
	if (!tap_result(!ret && st.stream_bytes == STREAM_LEN,
			tn("%s/migrate", tag),
			"%s: %s, stream %llu bytes", mig_last_step(), en(ret),
			(unsigned long long)st.stream_bytes))
		return;
	tap_diag("%s: %s -> %s: n=%u irqfact=%u raise=0x%x stream %llu bytes, downtime %llu us (stop-copy %llu, transfer %llu, resume %llu)",
		 tag, src->bdf, dst->bdf, w.n, !!w.irqfact, w.raise,
		 (unsigned long long)st.stream_bytes,
		 (unsigned long long)st.downtime_us,
		 (unsigned long long)st.stop_copy_us,
		 (unsigned long long)st.transfer_us,
		 (unsigned long long)st.resume_us);
	ret = state_of(src);
	tap_result(ret == S_STOP, tn("%s/source_stopped", tag), "state %s",
		   sname(ret));
	ret = state_of(dst);
	tap_result(ret == S_RUNNING, tn("%s/target_running", tag), "state %s",
		   sname(ret));
	tap_result(work_verify(dst, &w, why, sizeof(why)),
		   tn("%s/target_state", tag), "%s", why);
	/* The workload goes on: an interrupt raised by the target. */
	if (dst->efd >= 0) {
		vt_eventfd_drain(dst->efd);
		wr(dst, VFPCI_EDU_REG_IRQ_RAISE, 0x40);
		tap_result(vt_eventfd_wait(dst->efd, 2000) > 0,
			   tn("%s/target_msi", tag),
			   "no MSI from the target after raising 0x40");
	}
	tap_result(works(dst, why, sizeof(why)), tn("%s/target_works", tag),
		   "%s", why);
	/* The source is restarted for the next round. */
	mig_set_state(src->d.fd, S_RUNNING, NULL);
}

/*
 * A DMA programmed while the source is in STOP must not run there; it
 * travels in the stream and runs on the target once it is RUNNING.
 */
static void test_queued_dma(struct edu *src, struct edu *dst)
{
	uint8_t *out;
	struct mig_stats st;
	struct work w;
	char why[256];
	uint32_t cmd;
	int ret;

	work_random(&w);
	out = ram + w.out_page * PAGE;
	if (!tap_result(work_run(src, &w, false, why, sizeof(why)),
			tn("queued_dma/workload"), "%s", why))
		return;
	memset(out, 0, PAGE);
	ret = mig_set_state(src->d.fd, S_STOP, NULL);
	if (!ret)
		ret = dma(src, VFPCI_EDU_DMA_BUF_ADDR, IOVA(w.out_page), PAGE,
			  VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_TO_RAM |
			  VFPCI_EDU_DMA_IRQ) == -ETIMEDOUT ? 0 : -EPROTO;
	cmd = rdv(src, VFPCI_EDU_REG_DMA_CMD);
	tap_result(!ret && (cmd & VFPCI_EDU_DMA_START) && !out[0] &&
		   !memcmp(out, out + 1, PAGE - 1),
		   tn("queued_dma/not_run_in_stop"),
		   "%s, cmd 0x%x, RAM %s", en(ret), cmd,
		   out[0] || memcmp(out, out + 1, PAGE - 1) ? "written" :
		   "untouched");
	if (dst->efd >= 0)
		vt_eventfd_drain(dst->efd);
	ret = mig_migrate(&src->d, &dst->d, &st);
	if (!tap_result(!ret, tn("queued_dma/migrate"), "%s: %s",
			mig_last_step(), en(ret)))
		return;
	ret = wait_clear(dst, VFPCI_EDU_REG_DMA_CMD, VFPCI_EDU_DMA_START);
	tap_result(!ret && !memcmp(out, w.pattern, PAGE),
		   tn("queued_dma/ran_on_target"), "wait %s, RAM %s", en(ret),
		   memcmp(out, w.pattern, PAGE) ? "differs" : "matches");
	tap_result(dst->efd < 0 || vt_eventfd_wait(dst->efd, 2000) > 0,
		   tn("queued_dma/target_msi"), "no MSI for the queued DMA");
	mig_set_state(src->d.fd, S_RUNNING, NULL);
}

/* The checks tell devices apart: a state never migrated fails them. */
static void test_control(struct edu *a, struct edu *b)
{
	struct work w1, w2;
	char why[256];

	work_random(&w1);
	work_random(&w2);
	w2.in_page = w1.in_page;
	w2.out_page = w1.out_page;
	if (!work_run(a, &w1, false, why, sizeof(why)) ||
	    !work_run(b, &w2, false, why, sizeof(why))) {
		tap_result(false, tn("control/verify_discriminates"), "%s",
			   why);
		return;
	}
	tap_result(!work_verify(b, &w1, why, sizeof(why)),
		   tn("control/verify_discriminates"),
		   "a device that never got the state passed the checks");
	tap_diag("control: %s", why);
}

static void test_save_load(struct edu *a, struct edu *b)
{
	struct work w;
	char why[256];
	ssize_t n;
	void *buf;
	int ret;

	work_random(&w);
	if (!tap_result(work_run(a, &w, false, why, sizeof(why)),
			tn("save_load/workload"), "%s", why))
		return;
	n = mig_save(&a->d, &buf);
	tap_result(n == (ssize_t)STREAM_LEN && state_of(a) == S_STOP,
		   tn("save_load/save"), "%s: %s, state %s",
		   mig_last_step(), en(n < 0 ? n : 0), sname(state_of(a)));
	if (n < 0)
		return;
	ret = mig_load(&b->d, buf, n);
	tap_result(!ret && state_of(b) == S_RUNNING, tn("save_load/load"),
		   "%s: %s", mig_last_step(), en(ret));
	if (!ret)
		tap_result(work_verify(b, &w, why, sizeof(why)),
			   tn("save_load/verify"), "%s", why);
	/* Loading the same stream back into its source: a round trip. */
	ret = mig_load(&a->d, buf, n);
	tap_result(!ret && state_of(a) == S_RUNNING &&
		   work_verify(a, &w, why, sizeof(why)),
		   tn("save_load/back_into_source"), "load %s; %s", en(ret),
		   ret ? "" : why);
	free(buf);
}

/* ---- bad streams ---- */

static void hdr_crc(uint8_t *s)
{
	struct vfpci_edu_stream_hdr *h = (void *)s;

	h->payload_crc = htole32(vfpci_edu_crc32(s + sizeof(*h),
						 STREAM_LEN - sizeof(*h)));
}

/* Load @len bytes of @s into @e: expect a refusal and ERROR, then reset. */
static void bad_stream(struct edu *e, const char *name, const void *s,
		       size_t len)
{
	int ret, dfd, werr = 0, serr = 0, st;
	char why[128];

	ret = mig_set_state(e->d.fd, S_RESUMING, &dfd);
	if (ret || dfd < 0) {
		tap_result(false, tn("bad_stream/%s", name),
			   "entering RESUMING: %s", en(ret));
		goto reset;
	}
	if (len)
		werr = mig_write_stream(dfd, s, len);
	close(dfd);
	serr = mig_set_state(e->d.fd, S_STOP, NULL);
	st = state_of(e);
	tap_result((werr || serr) && st == S_ERROR, tn("bad_stream/%s", name),
		   "write %s, RESUMING -> STOP %s, state %s", en(werr),
		   en(serr), sname(st));
	tap_diag("bad_stream/%s: write %s, leave RESUMING %s", name,
		 en(werr), en(serr));
reset:
	ret = dev_reset(e);
	st = state_of(e);
	tap_result(!ret && st == S_RUNNING && works(e, why, sizeof(why)),
		   tn("bad_stream/%s/reset", name),
		   "reset %s, state %s, %s", en(ret), sname(st),
		   ret || st != S_RUNNING ? "" : why);
}

static void test_bad_streams(struct edu *e)
{
	uint8_t *s = malloc(STREAM_LEN + 64);
	struct vfpci_edu_stream_hdr *h = (void *)s;
	struct vfpci_edu_stream_state *p = (void *)(h + 1);
	struct work w;
	char why[256];
	int ret;

	if (!s || good_len != STREAM_LEN) {
		tap_result(false, tn("bad_stream"), "no good stream to vary");
		free(s);
		return;
	}
#define FRESH() memcpy(s, good, STREAM_LEN)
	FRESH();
	bad_stream(e, "empty", s, 0);
	bad_stream(e, "header_only", s, sizeof(*h));
	bad_stream(e, "truncated_half", s, STREAM_LEN / 2);
	bad_stream(e, "truncated_1", s, STREAM_LEN - 1);
	memset(s + STREAM_LEN, 0, 64);
	bad_stream(e, "too_long_1", s, STREAM_LEN + 1);
	bad_stream(e, "too_long_64", s, STREAM_LEN + 64);
	FRESH();
	s[sizeof(*h) + 100 + rnd() % 4000] ^= 0x10;
	bad_stream(e, "corrupt_payload_crc", s, STREAM_LEN);
	FRESH();
	h->payload_crc ^= htole32(1);
	bad_stream(e, "corrupt_crc_field", s, STREAM_LEN);
	FRESH();
	h->magic ^= htole32(0x100);
	bad_stream(e, "bad_magic", s, STREAM_LEN);
	FRESH();
	h->version = htole16(VFPCI_EDU_STREAM_VERSION_PRECOPY + 1);
	bad_stream(e, "other_version", s, STREAM_LEN);
	FRESH();
	h->device = htole16(EDU_DEVICE + 1);
	bad_stream(e, "other_device_id", s, STREAM_LEN);
	FRESH();
	h->revision ^= 0xff;
	bad_stream(e, "other_revision", s, STREAM_LEN);
	FRESH();
	h->total_len = htole32(STREAM_LEN + 4);
	bad_stream(e, "bad_total_len", s, STREAM_LEN);
	FRESH();
	h->reserved[3] = 1;
	bad_stream(e, "reserved_set", s, STREAM_LEN);
	/* Well-formed, right CRC, but values no driver writes. */
	FRESH();
	p->status = htole32(VFPCI_EDU_STATUS_BUSY | VFPCI_EDU_STATUS_IRQFACT);
	hdr_crc(s);
	bad_stream(e, "state_busy_status", s, STREAM_LEN);
	FRESH();
	p->dma_cmd = htole64(0x100);
	hdr_crc(s);
	bad_stream(e, "state_bad_dma_cmd", s, STREAM_LEN);
	FRESH();
	p->flags = htole32(0x80);
	hdr_crc(s);
	bad_stream(e, "state_bad_flags", s, STREAM_LEN);
#undef FRESH
	/* After all that, a good stream still loads. */
	work_random(&w);
	ret = work_run(&edus[0], &w, false, why, sizeof(why)) ? 0 : -EIO;
	if (!ret) {
		struct mig_stats st;

		ret = mig_migrate(&edus[0].d, &e->d, &st);
		mig_set_state(edus[0].d.fd, S_RUNNING, NULL);
		snprintf(why, sizeof(why), "%s: %s", mig_last_step(),
			 en(ret));
	}
	tap_result(!ret && work_verify(e, &w, why, sizeof(why)),
		   tn("bad_stream/good_after"), "%s", why);
	free(s);
}

/* ---- dirty tracking ---- */

static void test_bad_dma(struct edu *e, int logged);
static void test_page_hint(struct edu *e, uint64_t hint);

/* Whether @bm (for @npages pages) has exactly the bits of @want set. */
static bool bits_equal(const uint64_t *bm, const uint64_t *want, int npages,
		       char *why, size_t len)
{
	int i;

	for (i = 0; i < npages; i++) {
		bool got = bm[i / 64] >> (i % 64) & 1;
		bool exp = want[i / 64] >> (i % 64) & 1;

		if (got != exp) {
			snprintf(why, len, "page %d: dirty %d, want %d (bitmap 0x%llx)",
				 i, got, exp, (unsigned long long)bm[0]);
			return false;
		}
	}
	return true;
}

static void test_dirty(struct edu *e)
{
	struct vfio_device_feature_dma_logging_range r[3];
	uint64_t pgsz, bm[4], want[4];
	size_t hdr = sizeof(struct vfio_device_feature);
	struct vfio_device_feature_dma_logging_report rep;
	static const int pages[] = { 1, 3, 7, 20 };
	int ret, i, logged = 24;
	char why[256];
	int64_t cmd;

	/*
	 * Without CONFIG_IOMMUFD_DRIVER (Debian's 6.12) the VFIO core cannot
	 * hand out dirty bitmaps, so vfpci_edu offers no DMA logging.
	 */
	ret = mig_probe(e->d.fd, VFIO_DEVICE_FEATURE_DMA_LOGGING_START,
			VFIO_DEVICE_FEATURE_SET);
	if (ret == -ENOTTY) {
		printf("# skip dirty: no DMA logging on this kernel (its iova_bitmap is a stub)\n");
		test_bad_dma(e, 0);
		return;
	}

	memset(bm, 0, sizeof(bm));
	ret = mig_log_report(e->d.fd, IOVA_BASE, RAM_PAGES * PAGE, PAGE, bm);
	tap_result(ret < 0, tn("dirty/report_before_start"), "%s", en(ret));
	ret = mig_log_stop(e->d.fd);
	tap_diag("dirty: STOP before START: %s", en(ret));

	/* Requests the core refuses before the driver sees them. */
	pgsz = PAGE;
	ret = mig_log_start(e->d.fd, r, 0, &pgsz);
	tap_result(ret == -EINVAL, tn("dirty/start_no_ranges"), "%s", en(ret));
	r[0] = (struct vfio_device_feature_dma_logging_range){
		IOVA_BASE + 100, PAGE };
	ret = mig_log_start(e->d.fd, r, 1, &pgsz);
	tap_result(ret == -EINVAL, tn("dirty/start_unaligned"), "%s", en(ret));
	r[0] = (struct vfio_device_feature_dma_logging_range){
		IOVA_BASE, 4 * PAGE };
	r[1] = (struct vfio_device_feature_dma_logging_range){
		IOVA_BASE + 2 * PAGE, 4 * PAGE };
	ret = mig_log_start(e->d.fd, r, 2, &pgsz);
	tap_result(ret == -EINVAL, tn("dirty/start_overlap"), "%s", en(ret));
	r[0] = (struct vfio_device_feature_dma_logging_range){
		-(uint64_t)PAGE, 2 * PAGE };
	ret = mig_log_start(e->d.fd, r, 1, &pgsz);
	tap_result(ret == -EOVERFLOW, tn("dirty/start_wrap"), "%s", en(ret));
	{
		size_t many = PAGE / sizeof(r[0]) + 1;
		struct vfio_device_feature_dma_logging_range *big;

		big = calloc(many, sizeof(*big));
		for (i = 0; big && i < (int)many; i++)
			big[i] = (struct vfio_device_feature_dma_logging_range){
				IOVA_BASE + (uint64_t)i * PAGE, PAGE };
		ret = big ? mig_log_start(e->d.fd, big, many, &pgsz) : -ENOMEM;
		tap_result(ret == -E2BIG, tn("dirty/start_too_many"), "%s",
			   en(ret));
		free(big);
	}
	{
		struct vfio_device_feature_dma_logging_control c = {
			.page_size = PAGE, .num_ranges = 1,
			.ranges = (uintptr_t)r,
		};

		ret = mig_feature(e->d.fd, VFIO_DEVICE_FEATURE_DMA_LOGGING_START |
				  VFIO_DEVICE_FEATURE_SET, &c, sizeof(c),
				  hdr + sizeof(c) - 1);
		tap_result(ret == -EINVAL, tn("dirty/start_argsz"), "%s",
			   en(ret));
	}

	/* Log the first @logged pages, in two ranges. */
	r[0] = (struct vfio_device_feature_dma_logging_range){
		IOVA_BASE, 16 * PAGE };
	r[1] = (struct vfio_device_feature_dma_logging_range){
		IOVA_BASE + 16 * PAGE, (logged - 16) * PAGE };
	pgsz = PAGE;
	ret = mig_log_start(e->d.fd, r, 2, &pgsz);
	if (!tap_result(!ret && pgsz == PAGE, tn("dirty/start"),
			"%s, page size %llu", en(ret),
			(unsigned long long)pgsz))
		return;
	ret = mig_log_start(e->d.fd, r, 2, &pgsz);
	tap_result(ret < 0, tn("dirty/second_start_refused"), "%s", en(ret));

	/* Nothing written yet; then a read-only DMA (RAM -> device). */
	memset(bm, 0, sizeof(bm));
	memset(want, 0, sizeof(want));
	ret = mig_log_report(e->d.fd, IOVA_BASE, logged * PAGE, PAGE, bm);
	tap_result(!ret && bits_equal(bm, want, logged, why, sizeof(why)),
		   tn("dirty/clean_at_start"), "%s %s", en(ret), ret ? "" : why);
	cmd = dma(e, IOVA(5), VFPCI_EDU_DMA_BUF_ADDR, PAGE,
		  VFPCI_EDU_DMA_START);
	memset(bm, 0, sizeof(bm));
	ret = mig_log_report(e->d.fd, IOVA_BASE, logged * PAGE, PAGE, bm);
	tap_result(cmd == 0 && !ret &&
		   bits_equal(bm, want, logged, why, sizeof(why)),
		   tn("dirty/reads_not_logged"), "dma %lld, report %s %s",
		   (long long)cmd, en(ret), ret ? "" : why);

	/* Writes into known pages: whole pages and a part of one. */
	for (i = 0; i < (int)ARRAY_SIZE(pages); i++) {
		cmd = dma(e, VFPCI_EDU_DMA_BUF_ADDR, IOVA(pages[i]), PAGE,
			  VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_TO_RAM);
		want[0] |= 1ull << pages[i];
	}
	cmd |= dma(e, VFPCI_EDU_DMA_BUF_ADDR, IOVA(11) + 0x800, 0x100,
		   VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_TO_RAM);
	want[0] |= 1ull << 11;
	/* Straddling pages 13 and 14. */
	cmd |= dma(e, VFPCI_EDU_DMA_BUF_ADDR, IOVA(14) - 8, 16,
		   VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_TO_RAM);
	want[0] |= 3ull << 13;
	/* Outside the logged ranges (page 28): not reported. */
	cmd |= dma(e, VFPCI_EDU_DMA_BUF_ADDR, IOVA(28), PAGE,
		   VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_TO_RAM);
	memset(bm, 0, sizeof(bm));
	ret = mig_log_report(e->d.fd, IOVA_BASE, logged * PAGE, PAGE, bm);
	tap_result(cmd == VFPCI_EDU_DMA_TO_RAM && !ret &&
		   bits_equal(bm, want, logged, why, sizeof(why)),
		   tn("dirty/exact_pages"), "dma cmd 0x%llx, report %s %s",
		   (unsigned long long)cmd, en(ret), ret ? "" : why);
	memset(bm, 0, sizeof(bm));
	memset(want, 0, sizeof(want));
	ret = mig_log_report(e->d.fd, IOVA_BASE, logged * PAGE, PAGE, bm);
	tap_result(!ret && bits_equal(bm, want, logged, why, sizeof(why)),
		   tn("dirty/read_and_clear"), "%s %s", en(ret),
		   ret ? "" : why);

	/* Coarser reporting: 8 KiB bits cover page pairs. */
	dma(e, VFPCI_EDU_DMA_BUF_ADDR, IOVA(3), PAGE,
	    VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_TO_RAM);
	dma(e, VFPCI_EDU_DMA_BUF_ADDR, IOVA(8), PAGE,
	    VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_TO_RAM);
	memset(bm, 0, sizeof(bm));
	want[0] = 1ull << 1 | 1ull << 4;
	ret = mig_log_report(e->d.fd, IOVA_BASE, logged * PAGE, 2 * PAGE, bm);
	tap_result(!ret && bits_equal(bm, want, logged / 2, why, sizeof(why)),
		   tn("dirty/report_8k"), "%s %s", en(ret), ret ? "" : why);
	/* A sub-range report starting at page 8. */
	dma(e, VFPCI_EDU_DMA_BUF_ADDR, IOVA(9), PAGE,
	    VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_TO_RAM);
	memset(bm, 0, sizeof(bm));
	want[0] = 1ull << 1;
	ret = mig_log_report(e->d.fd, IOVA(8), 8 * PAGE, PAGE, bm);
	tap_result(!ret && bits_equal(bm, want, 8, why, sizeof(why)),
		   tn("dirty/report_subrange"), "%s %s", en(ret),
		   ret ? "" : why);

	/* Report arguments the core refuses. */
	ret = mig_log_report(e->d.fd, IOVA_BASE, logged * PAGE, 2048, bm);
	tap_result(ret == -EINVAL, tn("dirty/report_page_2k"), "%s", en(ret));
	ret = mig_log_report(e->d.fd, IOVA_BASE, logged * PAGE, 3 * PAGE, bm);
	tap_result(ret == -EINVAL, tn("dirty/report_page_not_pow2"), "%s",
		   en(ret));
	ret = mig_log_report(e->d.fd, -(uint64_t)PAGE, 2 * PAGE, PAGE, bm);
	tap_result(ret == -EOVERFLOW, tn("dirty/report_wrap"), "%s", en(ret));
	memset(&rep, 0, sizeof(rep));
	ret = mig_feature(e->d.fd, VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT |
			  VFIO_DEVICE_FEATURE_GET, &rep, sizeof(rep),
			  hdr + sizeof(rep) - 8);
	tap_result(ret == -EINVAL, tn("dirty/report_argsz"), "%s", en(ret));

	test_bad_dma(e, logged);
	ret = mig_log_stop(e->d.fd);
	tap_result(!ret, tn("dirty/stop"), "%s", en(ret));
	dma(e, VFPCI_EDU_DMA_BUF_ADDR, IOVA(2), PAGE,
	    VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_TO_RAM);
	memset(bm, 0, sizeof(bm));
	ret = mig_log_report(e->d.fd, IOVA_BASE, logged * PAGE, PAGE, bm);
	tap_result(ret < 0, tn("dirty/report_after_stop"), "%s", en(ret));
	/* Logging can start again after a stop. */
	pgsz = PAGE;
	ret = mig_log_start(e->d.fd, r, 1, &pgsz);
	if (!ret)
		ret = mig_log_stop(e->d.fd);
	tap_result(!ret, tn("dirty/restart"), "%s", en(ret));
	test_page_hint(e, 2048);
	test_page_hint(e, 3 * PAGE);
	test_page_hint(e, 1ull << 21);
}


/*
 * Registers a workload never wrote are device state too: after a reset
 * the factorial register still reads the last result, and the target
 * must read the same after a migration.
 */
static void test_fact_untouched(struct edu *src, struct edu *dst)
{
	struct mig_stats st;
	uint32_t x, y = 0, n;
	int ret;

	ret = dev_reset(src);
	x = rdv(src, VFPCI_EDU_REG_FACT);
	for (n = 3; n < 13 && fact(n) == x; n++)
		;
	wr(dst, VFPCI_EDU_REG_FACT, n);
	wait_clear(dst, VFPCI_EDU_REG_STATUS, VFPCI_EDU_STATUS_BUSY);
	if (!ret)
		ret = mig_migrate(&src->d, &dst->d, &st);
	if (!ret)
		y = rdv(dst, VFPCI_EDU_REG_FACT);
	tap_result(!ret && y == x, tn("lossless/fact_without_input"),
		   "%s; source 0x08 read 0x%x (no factorial written since reset), target reads 0x%x after migration (its own %u! = 0x%x)",
		   en(ret), x, y, n, fact(n));
	mig_set_state(src->d.fd, S_RUNNING, NULL);
}

/* Quiesced states: nothing moves, nothing is raised, nothing changes. */
static void test_quiesced(struct edu *e)
{
	uint8_t *out = ram + 30 * PAGE, pat[PAGE];
	uint32_t live = rnd(), v, cmd;
	int64_t msi;
	int ret, i;

	for (i = 0; i < PAGE; i++)
		pat[i] = rnd();
	memcpy(ram + 29 * PAGE, pat, PAGE);
	wr(e, VFPCI_EDU_REG_LIVENESS, live);
	dma(e, IOVA(29), VFPCI_EDU_DMA_BUF_ADDR, PAGE, VFPCI_EDU_DMA_START);
	memset(out, 0, PAGE);
	wr(e, VFPCI_EDU_REG_IRQ_ACK, ~0u);
	vt_eventfd_drain(e->efd);

	/* RUNNING_P2P: a DMA start is held, and so is its interrupt. */
	ret = mig_set_state(e->d.fd, S_P2P, NULL);
	if (!ret)
		ret = dma(e, VFPCI_EDU_DMA_BUF_ADDR, IOVA(30), PAGE,
			  VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_TO_RAM |
			  VFPCI_EDU_DMA_IRQ) == -ETIMEDOUT ? 0 : -EPROTO;
	cmd = rdv(e, VFPCI_EDU_REG_DMA_CMD);
	msi = vt_eventfd_wait(e->efd, 200);
	tap_result(!ret && (cmd & VFPCI_EDU_DMA_START) && !out[0] &&
		   !memcmp(out, out + 1, PAGE - 1) && msi == 0,
		   tn("quiesced/p2p_holds_dma"),
		   "%s, cmd 0x%x, RAM %s, MSI %lld", en(ret), cmd,
		   memcmp(out, out + 1, PAGE - 1) || out[0] ? "written" :
		   "untouched", (long long)msi);
	ret = mig_set_state(e->d.fd, S_RUNNING, NULL);
	if (!ret)
		ret = wait_clear(e, VFPCI_EDU_REG_DMA_CMD, VFPCI_EDU_DMA_START);
	msi = vt_eventfd_wait(e->efd, 2000);
	tap_result(!ret && !memcmp(out, pat, PAGE) && msi > 0,
		   tn("quiesced/runs_on_running"), "%s, RAM %s, MSI %lld",
		   en(ret), memcmp(out, pat, PAGE) ? "differs" : "matches",
		   (long long)msi);

	/* STOP: writes must not change the device; no interrupt comes. */
	wr(e, VFPCI_EDU_REG_IRQ_ACK, ~0u);
	vt_eventfd_drain(e->efd);
	ret = mig_set_state(e->d.fd, S_STOP, NULL);
	errno = 0;
	wr(e, VFPCI_EDU_REG_LIVENESS, ~live);
	tap_diag("quiesced: liveness write in STOP: %s", en(errno));
	wr(e, VFPCI_EDU_REG_IRQ_RAISE, 0x20);
	v = rdv(e, VFPCI_EDU_REG_LIVENESS);
	msi = vt_eventfd_wait(e->efd, 300);
	tap_result(!ret && v == ~live && msi == 0 &&
		   rdv(e, VFPCI_EDU_REG_IRQ_STATUS) == 0,
		   tn("quiesced/stop_no_change"),
		   "%s, liveness 0x%x want 0x%x, MSI %lld, irq status 0x%x",
		   en(ret), v, ~live, (long long)msi,
		   rdv(e, VFPCI_EDU_REG_IRQ_STATUS));
	mig_set_state(e->d.fd, S_RUNNING, NULL);
}

/* Requests the emulated engine must refuse: nothing moves or is logged. */
static void test_bad_dma(struct edu *e, int logged)
{
	static const struct {
		const char *name;
		uint64_t win, iova;
		uint32_t cnt;
	} bad[] = {
		{ "count_8k", VFPCI_EDU_DMA_BUF_ADDR, IOVA(1), 2 * PAGE },
		{ "past_window", VFPCI_EDU_DMA_BUF_ADDR + 0x800, IOVA(2), PAGE },
		{ "below_window", VFPCI_EDU_DMA_BUF_ADDR - 0x10, IOVA(3), 64 },
		{ "iova_over_28_bits", VFPCI_EDU_DMA_BUF_ADDR,
		  VFPCI_EDU_DMA_MASK + 1 - 64, 128 },
	};
	uint64_t bm[4], want[4] = { 0 };
	char why[256];
	unsigned int i;
	int64_t cmd;
	int ret;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(ram + PAGE, 0xee, 3 * PAGE);
		cmd = dma(e, bad[i].win, bad[i].iova, bad[i].cnt,
			  VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_TO_RAM);
		memset(bm, 0, sizeof(bm));
		ret = logged ? mig_log_report(e->d.fd, IOVA_BASE,
					      logged * PAGE, PAGE, bm) : 0;
		tap_result(cmd >= 0 && (cmd & VFPCI_EDU_DMA_ERROR) && !ret &&
			   bits_equal(bm, want, logged, why, sizeof(why)) &&
			   works(e, why, sizeof(why)),
			   tn("bad_dma/%s", bad[i].name),
			   "cmd %lld, report %s: %s", (long long)cmd, en(ret),
			   why);
	}
	/* From RAM into the device: a bad source is refused too. */
	cmd = dma(e, VFPCI_EDU_DMA_MASK + 1, VFPCI_EDU_DMA_BUF_ADDR, 64,
		  VFPCI_EDU_DMA_START);
	tap_result(cmd >= 0 && (cmd & VFPCI_EDU_DMA_ERROR),
		   tn("bad_dma/src_over_28_bits"), "cmd %lld", (long long)cmd);
	cmd = dma(e, 0x8000000, VFPCI_EDU_DMA_BUF_ADDR, 64,
		  VFPCI_EDU_DMA_START);
	tap_result(cmd >= 0 && (cmd & VFPCI_EDU_DMA_ERROR),
		   tn("bad_dma/src_unmapped"), "cmd %lld", (long long)cmd);
}

/* The uAPI calls START's page size a hint the driver may adjust. */
static void test_page_hint(struct edu *e, uint64_t hint)
{
	/* Aligned to any hint, so only the driver can object. */
	struct vfio_device_feature_dma_logging_range r = { 0, 16 * hint };
	uint64_t pgsz = hint;
	int ret;

	ret = mig_log_start(e->d.fd, &r, 1, &pgsz);
	tap_result(!ret && pgsz >= PAGE && !(pgsz & (pgsz - 1)),
		   tn("dirty/start_page_hint_%llu",
		      (unsigned long long)hint),
		   "START with page size hint %llu: %s (the uAPI lets the driver pick one), page size out %llu",
		   (unsigned long long)hint, en(ret),
		   (unsigned long long)pgsz);
	if (!ret)
		mig_log_stop(e->d.fd);
}

/* ---- races ---- */

struct reader {
	int fd;
	ssize_t total;
	int err;
};

static void *reader_fn(void *arg)
{
	struct reader *r = arg;
	char c;
	ssize_t n;

	for (;;) {
		n = read(r->fd, &c, 1);
		if (n <= 0) {
			r->err = n < 0 ? errno : 0;
			return NULL;
		}
		r->total += n;
		usleep(200);
	}
}

static void test_reset_during_read(struct edu *e)
{
	struct reader rd = { .fd = -1 };
	char why[256] = "";
	pthread_t t;
	int ret, st = -1;

	ret = mig_set_state(e->d.fd, S_STOP_COPY, &rd.fd);
	if (ret) {
		tap_result(false, tn("race/reset_during_read"),
			   "STOP_COPY: %s", en(ret));
		return;
	}
	pthread_create(&t, NULL, reader_fn, &rd);
	sleep_ms(5);
	ret = dev_reset(e);
	pthread_join(t, NULL);
	st = state_of(e);
	tap_result(!ret && st == S_RUNNING && works(e, why, sizeof(why)),
		   tn("race/reset_during_read"),
		   "reset %s, state %s, reader got %zd bytes then %s; %s",
		   en(ret), sname(st), rd.total, en(rd.err), why);
	tap_diag("reset during read: reader got %zd bytes, then %s",
		 rd.total, rd.err ? en(rd.err) : "EOF");
	close(rd.fd);

	/* The same while a RESUMING session is half written. */
	ret = mig_set_state(e->d.fd, S_RESUMING, &rd.fd);
	if (!ret) {
		mig_write_stream(rd.fd, good, good_len / 3);
		ret = dev_reset(e);
		errno = 0;
		rd.total = write(rd.fd, (uint8_t *)good + good_len / 3, 16);
		close(rd.fd);
		st = state_of(e);
	}
	tap_result(!ret && st == S_RUNNING && rd.total < 0 &&
		   works(e, why, sizeof(why)), tn("race/reset_during_resuming"),
		   "reset %s, state %s, write after reset %zd; %s", en(ret),
		   sname(st), rd.total, why);
}

struct unbinder {
	const char *bdf;
	int err;
};

static void *unbind_fn(void *arg)
{
	struct unbinder *u = arg;
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/unbind",
		 driver);
	fd = open(path, O_WRONLY);
	if (fd < 0) {
		u->err = errno;
		return NULL;
	}
	if (write(fd, u->bdf, strlen(u->bdf)) < 0)
		u->err = errno;
	close(fd);
	return NULL;
}

/*
 * Unbind while the device sits in STOP_COPY with its data fd open: the
 * unbind waits for the user; reading goes on or fails cleanly; once the
 * user lets go the unbind completes and a rebind gives a working device.
 * Runs in its own container: @bdf must not be open elsewhere.
 */
static void test_unbind(const char *bdf, bool close_dev_first)
{
	const char *tag = tn(close_dev_first ?
			     "race/unbind_after_device_close" :
			     "race/unbind_during_stop_copy");
	struct unbinder u = { .bdf = bdf };
	struct mig_ctx c2;
	struct mig_dev d;
	struct edu e2 = { 0 };
	char why[256] = "";
	uint8_t buf[256];
	pthread_t t;
	ssize_t n1, n2;
	int ret, dfd = -1, st;

	ret = pci_bind(bdf, driver);
	if (!ret)
		ret = mig_ctx_init(&c2);
	if (!ret) {
		ret = mig_dev_open(&c2, &d, bdf);
		if (ret)
			mig_ctx_fini(&c2);
	}
	if (ret) {
		tap_result(false, tag, "open: %s: %s", mig_last_step(),
			   en(ret));
		return;
	}
	ret = mig_set_state(d.fd, S_STOP_COPY, &dfd);
	n1 = ret ? ret : read(dfd, buf, 100);
	if (close_dev_first) {
		mig_dev_close(&d);
		mig_ctx_fini(&c2);
	}
	pthread_create(&t, NULL, unbind_fn, &u);
	sleep_ms(300);
	errno = 0;
	n2 = dfd >= 0 ? read(dfd, buf, sizeof(buf)) : -1;
	if (dfd >= 0)
		close(dfd);
	if (!close_dev_first) {
		mig_dev_close(&d);
		mig_ctx_fini(&c2);
	}
	pthread_join(t, NULL);
	tap_diag("%s: first read %zd, read during unbind %zd (%s), unbind %s",
		 tag, n1, n2, en(n2 < 0 ? errno : 0), en(u.err));
	/* Rebind and check the device from scratch. */
	ret = pci_bind(bdf, driver);
	if (!ret)
		ret = mig_ctx_init(&ctx);
	if (!ret) {
		ret = edu_open(&e2, bdf);
		st = ret ? ret : state_of(&e2);
		tap_result(!ret && st == S_RUNNING &&
			   works(&e2, why, sizeof(why)), tag,
			   "unbind %s, reopen %s, state %s; %s", en(u.err),
			   en(ret), sname(st), why);
		mig_dev_close(&e2.d);
		mig_ctx_fini(&ctx);
	} else {
		tap_result(false, tag, "rebind/reopen: %s", en(ret));
	}
}

/* ---- save/load across boots ---- */

static int save_to(const char *dir)
{
	char path[512], why[256];
	struct work w;
	ssize_t n;
	void *buf;
	int ret;

	work_random(&w);
	if (!tap_result(work_run(&edus[0], &w, false, why, sizeof(why)),
			tn("boot1/workload"), "%s", why))
		return 1;
	n = mig_save(&edus[0].d, &buf);
	if (!tap_result(n == (ssize_t)STREAM_LEN, tn("boot1/save"),
			"%s: %s", mig_last_step(), en(n < 0 ? n : 0)))
		return 1;
	snprintf(path, sizeof(path), "%s/edu.stream", dir);
	ret = mig_file_write(path, buf, n);
	free(buf);
	snprintf(path, sizeof(path), "%s/edu.work", dir);
	if (!ret)
		ret = mig_file_write(path, &w, sizeof(w));
	tap_result(!ret, tn("boot1/write_files"), "%s: %s", mig_last_step(),
		   en(ret));
	tap_diag("boot1: saved %zd bytes (n=%u, raise 0x%x) to %s", n, w.n,
		 w.raise, dir);
	return ret ? 1 : 0;
}

static int load_from(const char *dir)
{
	char path[512], why[256];
	void *buf, *wbuf;
	ssize_t n, wn;
	int ret;

	snprintf(path, sizeof(path), "%s/edu.stream", dir);
	n = mig_file_read(path, &buf);
	snprintf(path, sizeof(path), "%s/edu.work", dir);
	wn = mig_file_read(path, &wbuf);
	if (!tap_result(n == (ssize_t)STREAM_LEN &&
			wn == (ssize_t)sizeof(struct work),
			tn("boot2/read_files"), "stream %zd, work %zd (%s)", n,
			wn, dir))
		return 1;
	ret = mig_load(&edus[0].d, buf, n);
	tap_result(!ret && state_of(&edus[0]) == S_RUNNING, tn("boot2/load"),
		   "%s: %s", mig_last_step(), en(ret));
	if (!ret)
		tap_result(work_verify(&edus[0], wbuf, why, sizeof(why)),
			   tn("boot2/verify"), "%s", why);
	free(buf);
	free(wbuf);
	return tap_failures() ? 1 : 0;
}

/* ---- main ---- */

static int usage(void)
{
	fprintf(stderr,
		"usage: edu_mig [--driver NAME] [--seed N] A B [C]\n"
		"       edu_mig [--driver NAME] --save DIR|--load DIR A\n");
	return 2;
}

static void run_suite(char **bdfs, int n)
{
	struct edu *a = &edus[0], *b = &edus[1], *c = &edus[n > 2 ? 2 : 1];
	char why[256];

	section("fsm");
	test_probe(a);
	test_argsz(a);
	test_invalid_states(a);
	good_len = mig_save(&a->d, &good);
	tap_result(good_len == (ssize_t)STREAM_LEN, tn("good_stream"),
		   "save: %s: %s, %zd bytes", mig_last_step(),
		   en(good_len < 0 ? good_len : 0), good_len);
	mig_set_state(a->d.fd, S_RUNNING, NULL);
	if (good_len < 0)
		good_len = 0;
	section("arcs");
	test_arcs(a);
	section("datafd");
	test_datafd(a);

	section("migrate");
	test_migrate(a, b, "migrate1", false);
	section("migrate2");
	test_migrate(b, a, "migrate2_back", false);
	section("migrate3");
	test_migrate(a, c, "migrate3", true);
	section("migrate4");
	test_migrate(c, b, "migrate4_inflight", true);
	section("queued_dma");
	test_queued_dma(b, c);
	section("save_load");
	test_save_load(b, a);
	test_control(a, c);

	section("bad_stream");
	test_bad_streams(b);
	section("dirty");
	test_dirty(a);
	section("quiesced");
	test_quiesced(a);
	section("fact_untouched");
	test_fact_untouched(a, b);

	section("race");
	test_reset_during_read(a);
	tap_result(works(a, why, sizeof(why)), tn("race/device_after"), "%s",
		   why);
	teardown();
	section("unbind");
	test_unbind(bdfs[0], false);
	section("unbind2");
	test_unbind(bdfs[1], true);
	alarm(0);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "driver", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ "save", required_argument, NULL, 'S' },
		{ "load", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	const char *save_dir = NULL, *load_dir = NULL;
	int opt, n, ret;

	seed = (uint64_t)time(NULL) * 2654435761u ^ getpid();
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			driver = optarg;
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'S':
			save_dir = optarg;
			break;
		case 'L':
			load_dir = optarg;
			break;
		default:
			return usage();
		}
	}
	n = argc - optind;
	if ((save_dir || load_dir) ? n != 1 : (n < 2 || n > 3))
		return usage();
	if (!seed)
		seed = 1;
	tap_diag("edu_mig: driver %s, seed %llu", driver,
		 (unsigned long long)seed);
	signal(SIGALRM, on_alarm);
	section("setup");
	if (!pci_driver_exists(driver)) {
		tap_result(false, tn("driver"), "driver %s not registered",
			   driver);
		return 1;
	}
	ret = setup(argv + optind, n);
	if (!tap_result(!ret, tn(save_dir ? "boot1/open" : load_dir ?
				 "boot2/open" : "open"),
			"%s: %s", mig_last_step(), en(ret))) {
		teardown();
		return 1;
	}
	if (save_dir)
		ret = save_to(save_dir);
	else if (load_dir)
		ret = load_from(load_dir);
	else
		run_suite(argv + optind, n);
	teardown();
	free(good);
	alarm(0);
	return tap_summary();
}
