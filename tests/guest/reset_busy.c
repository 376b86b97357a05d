// SPDX-License-Identifier: GPL-2.0-only
/*
 * reset_busy: resets while the device is busy, compared between a
 * reference driver (vfio-pci) and the driver under test (vfpci) on twin
 * devices, each alone behind its own pcie-root-port.
 *
 * Usage: reset_busy [--ref vfio-pci] [--test vfpci] [--secs N]
 *                   EDU_A EDU_B NVME_A NVME_B
 *
 * 1. BAR0 mmap hammer: a thread reads an identity register (edu's id, the
 *    low dword of nvme's CAP) and writes a harmless one (edu's liveness,
 *    nvme's AQA with the controller disabled) through a mapping of BAR0,
 *    catching SIGBUS/SIGSEGV, while the main thread issues
 *    VFIO_DEVICE_RESET and VFIO_DEVICE_PCI_HOT_RESET (own group) in turn
 *    for a few seconds; then the same by pread/pwrite.  Compared: the outcome of each kind of reset,
 *    whether the hammer faulted, whether it ever read a wrong identity
 *    (the device seen mid-reset through a mapping that was not zapped),
 *    and the device's identity afterwards through config space, pread and
 *    the mapping.
 * 2. Interrupts: edu raises MSIs continuously (raise 0x60, ack 0x64 from
 *    a thread through the mapping) while the main thread resets; then an
 *    MSI must still arrive as is, and again after MSI is disabled and
 *    enabled anew.
 * 3. One MSI after each of 8 resets of each kind, with nothing else
 *    running: all must arrive.
 * The counts themselves depend on timing and are only printed: under
 * concurrent resets both drivers lose a few raises (0-10 %, varying from
 * run to run on either), so MSI counts are not compared.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "vfpci_test.h"

#define EDU_ID		0x00
#define EDU_LIVENESS	0x04
#define EDU_STATUS	0x24
#define EDU_RAISE	0x60
#define EDU_ACK		0x64

#define NVME_CAP	0x00
#define NVME_CSTS	0x1c
#define NVME_AQA	0x24

#define MAP_LEN		4096

enum kind { KIND_EDU, KIND_NVME };

static double busy_secs = 3.0;

/* ---- MMIO from any thread, SIGBUS/SIGSEGV counted ---- */

static __thread sigjmp_buf fault_jmp;
static __thread volatile sig_atomic_t fault_armed;

static void on_fault(int sig)
{
	if (!fault_armed) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	fault_armed = 0;
	siglongjmp(fault_jmp, sig);
}

static void install_fault_handler(void)
{
	struct sigaction sa = { .sa_handler = on_fault,
				.sa_flags = SA_NODEFER };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

/* 0, or -EFAULT when the access raised SIGBUS or SIGSEGV. */
static int mmio_rd32(volatile uint8_t *base, uint32_t off, uint32_t *val)
{
	if (sigsetjmp(fault_jmp, 0))
		return -EFAULT;
	fault_armed = 1;
	*val = *(volatile uint32_t *)(base + off);
	fault_armed = 0;
	return 0;
}

static int mmio_wr32(volatile uint8_t *base, uint32_t off, uint32_t val)
{
	if (sigsetjmp(fault_jmp, 0))
		return -EFAULT;
	fault_armed = 1;
	*(volatile uint32_t *)(base + off) = val;
	fault_armed = 0;
	return 0;
}

/* ---- the busy thread ---- */

struct busy {
	volatile uint8_t *bar;
	enum kind kind;
	bool raise_irqs;	/* edu: raise and ack MSIs instead */
	bool by_pread;		/* pread/pwrite on the region, no mapping */
	int fd;
	uint64_t bar_off;	/* file offset of BAR0 for by_pread */
	uint32_t expect;	/* identity register value */
	atomic_bool stop;
	unsigned long loops, faults, bad;
	uint32_t bad_val;
};

static uint32_t id_reg(enum kind kind)
{
	return kind == KIND_EDU ? EDU_ID : NVME_CAP;
}

/* 0, or -EFAULT (signal) / -EIO (failed pread or pwrite). */
static int busy_rd(struct busy *b, uint32_t off, uint32_t *val)
{
	uint64_t v = 0;

	if (!b->by_pread)
		return mmio_rd32(b->bar, off, val);
	if (vt_read(b->fd, b->bar_off + off, 4, &v) != 4)
		return -EIO;
	*val = v;
	return 0;
}

static int busy_wr(struct busy *b, uint32_t off, uint32_t val)
{
	if (!b->by_pread)
		return mmio_wr32(b->bar, off, val);
	return vt_write(b->fd, b->bar_off + off, 4, val) == 4 ? 0 : -EIO;
}

static void *hammer(void *arg)
{
	struct busy *b = arg;
	uint32_t v = 0, i = 0;
	int ret;

	while (!atomic_load(&b->stop)) {
		if (b->raise_irqs) {
			ret = busy_wr(b, EDU_RAISE, 1);
			if (!ret)
				ret = busy_wr(b, EDU_ACK, 1);
			if (ret)
				b->faults++;
			b->loops++;
			usleep(300);
			continue;
		}
		ret = busy_rd(b, id_reg(b->kind), &v);
		if (ret) {
			b->faults++;
		} else if (v != b->expect) {
			b->bad++;
			b->bad_val = v;
		}
		if (b->kind == KIND_EDU)
			ret = busy_wr(b, EDU_LIVENESS, i);
		else
			ret = busy_wr(b, NVME_AQA, 0x001f001f);
		if (ret)
			b->faults++;
		if (b->kind == KIND_NVME && busy_rd(b, NVME_CSTS, &v))
			b->faults++;
		b->loops++;
		/*
		 * Let the vCPU idle now and then: under TCG every access to
		 * an emulated device takes QEMU's global lock, and a thread
		 * that never lets go starves the other vCPU's timers (RCU
		 * stall reports with the CPU idle).
		 */
		if (!(++i & 31))
			usleep(100);
	}
	return NULL;
}

/* ---- resets ---- */

/*
 * What one kind of reset gave over many attempts: a set of results (bit 0
 * success, bit E errno E).  EBUSY is counted apart: both drivers' hot
 * resets take the memory locks with a trylock and give it when the busy
 * thread holds one in a fault, which is a matter of timing.
 */
struct outcome {
	unsigned int n, ok, busy;
	uint64_t seen;
	char log[160];		/* the first results, for the diagnostics */
};

static void note(struct outcome *o, int ret, int err)
{
	size_t len = strlen(o->log);

	o->n++;
	if (len < sizeof(o->log) - 8)
		snprintf(o->log + len, sizeof(o->log) - len, "%s%d",
			 len ? "," : "", ret ? err : 0);
	if (!ret) {
		o->ok++;
		o->seen |= 1;
	} else if (err == EBUSY) {
		o->busy++;
	} else {
		o->seen |= 1ull << (err > 0 && err < 64 ? err : 63);
	}
}

static int hot_reset_own(struct vt_dev *d)
{
	struct {
		struct vfio_pci_hot_reset hr;
		int32_t fd;
	} arg = {
		.hr.argsz = sizeof(struct vfio_pci_hot_reset) + sizeof(int32_t),
		.hr.count = 1,
		.fd = d->group,
	};

	return ioctl(d->fd, VFIO_DEVICE_PCI_HOT_RESET, &arg);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Reset in turn by VFIO_DEVICE_RESET and the hot reset for busy_secs;
 * @efd, when not negative, is drained between resets into *@irqs.
 */
static void reset_loop(struct vt_dev *d, struct outcome *fr,
		       struct outcome *hr, int efd, uint64_t *irqs)
{
	double end = now() + busy_secs;
	int64_t n;
	int ret;

	/* Past the time only until each ioctl gave more than EBUSY. */
	while (now() < end || ((!fr->seen || !hr->seen) &&
			       now() < end + 4 * busy_secs)) {
		ret = ioctl(d->fd, VFIO_DEVICE_RESET);
		note(fr, ret, ret ? errno : 0);
		ret = hot_reset_own(d);
		note(hr, ret, ret ? errno : 0);
		if (efd >= 0) {
			n = vt_eventfd_drain(efd);
			if (n > 0)
				*irqs += n;
		}
		usleep(20000);
	}
}

/*
 * A loaded host can starve every hot reset of the busy phase (all EBUSY,
 * seen with vfio-pci too): then one more once the busy thread has
 * stopped, so that the result set still says what a hot reset gives.
 */
static void hot_reset_settle(struct vt_dev *d, struct outcome *hr)
{
	int ret;

	if (hr->seen)
		return;
	tap_diag("%s %s: only EBUSY while busy; one hot reset more, idle",
		 d->driver, d->bdf);
	ret = hot_reset_own(d);
	note(hr, ret, ret ? errno : 0);
}

static void enable_cmd(struct vt_dev *d)
{
	uint64_t cmd = 0;

	vt_cfg_read(d, PCI_COMMAND, 2, &cmd);
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	vt_cfg_write(d, PCI_COMMAND, 2, cmd);
}

static void *map_bar0(struct vt_dev *d, struct vt_res *r)
{
	void *p = vt_mmap_region(d, VFIO_PCI_BAR0_REGION_INDEX, MAP_LEN, NULL);

	if (!p)
		snprintf(r->skip, sizeof(r->skip), "mmap BAR0: %s",
			 strerror(errno));
	return p;
}

/* Identity through config space, pread and the mapping. */
static void obs_alive(struct vt_dev *d, enum kind kind, volatile uint8_t *bar,
		      struct vt_res *r)
{
	uint64_t v = 0;
	uint32_t m = 0;
	ssize_t n;
	int ret;

	n = vt_cfg_read(d, PCI_VENDOR_ID, 4, &v);
	VT_OBS(r, n, v, "after: vendor/device");
	n = vt_region_read(d, VFIO_PCI_BAR0_REGION_INDEX, id_reg(kind), 4, &v);
	VT_OBS(r, n, v, "after: BAR0 identity by pread");
	ret = mmio_rd32(bar, id_reg(kind), &m);
	vt_res_add(r, ret, -ret, m, "after: BAR0 identity by mmap");
	if (kind == KIND_EDU) {
		vt_region_write(d, VFIO_PCI_BAR0_REGION_INDEX, EDU_LIVENESS, 4,
				0x2468ace0);
		n = vt_region_read(d, VFIO_PCI_BAR0_REGION_INDEX, EDU_LIVENESS,
				   4, &v);
		VT_OBS(r, n, v, "after: liveness");
	}
}

#define BY_PREAD	0x10

/*
 * 1. resets while a thread hammers BAR0 through its mapping (or by
 * pread/pwrite with BY_PREAD in @arg).
 */
static void probe_mmap_busy(struct vt_dev *d, long arg, struct vt_res *r)
{
	struct busy b = { .kind = arg & ~BY_PREAD, .fd = d->fd,
			  .by_pread = arg & BY_PREAD };
	struct outcome fr = { 0 }, hr = { 0 };
	pthread_t th;
	uint64_t v = 0;
	void *bar;

	enable_cmd(d);
	bar = map_bar0(d, r);
	if (!bar)
		return;
	b.bar = bar;
	vt_region_offset(d->fd, VFIO_PCI_BAR0_REGION_INDEX, &b.bar_off, NULL);
	vt_region_read(d, VFIO_PCI_BAR0_REGION_INDEX, id_reg(b.kind), 4, &v);
	b.expect = v;
	VT_OBS(r, 0, v, "before: identity");

	if (pthread_create(&th, NULL, hammer, &b)) {
		snprintf(r->skip, sizeof(r->skip), "pthread_create failed");
		munmap(bar, MAP_LEN);
		return;
	}
	reset_loop(d, &fr, &hr, -1, NULL);
	atomic_store(&b.stop, true);
	pthread_join(th, NULL);
	hot_reset_settle(d, &hr);

	tap_diag("%s %s: %u resets (%u ok: %s), %u hot resets (%u ok, %u EBUSY: %s), %lu loops, %lu faults or errors, %lu wrong reads (last 0x%x)",
		 d->driver, d->bdf, fr.n, fr.ok, fr.log, hr.n, hr.ok, hr.busy,
		 hr.log, b.loops, b.faults, b.bad, b.bad_val);
	vt_res_add(r, 0, 0, fr.seen, "VFIO_DEVICE_RESET results");
	vt_res_add(r, 0, 0, hr.seen, "hot reset results");
	vt_res_add(r, 0, 0, b.loops > 0, "hammer made progress");
	vt_res_add(r, 0, 0, b.faults > 0,
		   "hammer got SIGBUS/SIGSEGV or a failed pread/pwrite");
	vt_res_add(r, 0, 0, b.bad > 0, "hammer read a wrong identity");
	obs_alive(d, b.kind, bar, r);
	munmap(bar, MAP_LEN);
}

static void edu_raise_wait(struct vt_dev *d, int efd, struct vt_res *r,
			   const char *what)
{
	int64_t n;

	vt_eventfd_drain(efd);
	vt_region_write(d, VFIO_PCI_BAR0_REGION_INDEX, EDU_RAISE, 4, 1);
	n = vt_eventfd_wait(efd, 3000);
	vt_region_write(d, VFIO_PCI_BAR0_REGION_INDEX, EDU_ACK, 4, 1);
	vt_res_add(r, 0, 0, n > 0, "%s: MSI arrives", what);
}

/* 2. resets while edu raises MSIs continuously. */
static void probe_irq_busy(struct vt_dev *d, long arg, struct vt_res *r)
{
	struct busy b = { .kind = KIND_EDU, .raise_irqs = true };
	struct outcome fr = { 0 }, hr = { 0 };
	uint64_t irqs = 0, v = 0;
	pthread_t th;
	int efd, ret;
	void *bar;

	(void)arg;
	efd = vt_eventfd();
	if (efd < 0) {
		snprintf(r->skip, sizeof(r->skip), "no eventfd");
		return;
	}
	enable_cmd(d);
	bar = map_bar0(d, r);
	if (!bar)
		goto out_efd;
	b.bar = bar;
	ret = vt_irq_set_eventfds(d->fd, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, &efd);
	vt_res_add(r, ret, -ret, 0, "enable MSI");
	edu_raise_wait(d, efd, r, "before");

	if (pthread_create(&th, NULL, hammer, &b)) {
		snprintf(r->skip, sizeof(r->skip), "pthread_create failed");
		goto out_map;
	}
	reset_loop(d, &fr, &hr, efd, &irqs);
	atomic_store(&b.stop, true);
	pthread_join(th, NULL);
	hot_reset_settle(d, &hr);
	usleep(100000);
	v = vt_eventfd_drain(efd);
	irqs += v;

	tap_diag("%s %s: %u resets (%u ok: %s), %u hot resets (%u ok, %u EBUSY: %s), %lu raises, %llu MSIs, %lu faults",
		 d->driver, d->bdf, fr.n, fr.ok, fr.log, hr.n, hr.ok, hr.busy,
		 hr.log, b.loops, (unsigned long long)irqs, b.faults);
	vt_res_add(r, 0, 0, fr.seen, "VFIO_DEVICE_RESET results");
	vt_res_add(r, 0, 0, hr.seen, "hot reset results");
	vt_res_add(r, 0, 0, b.loops > 0, "raiser made progress");
	vt_res_add(r, 0, 0, irqs > 0, "MSIs during resets");
	vt_res_add(r, 0, 0, b.faults > 0, "raiser got SIGBUS/SIGSEGV");

	edu_raise_wait(d, efd, r, "after resets, as is");
	ret = vt_irq_disable(d->fd, VFIO_PCI_MSI_IRQ_INDEX);
	vt_res_add(r, ret, -ret, 0, "disable MSI");
	enable_cmd(d);
	ret = vt_irq_set_eventfds(d->fd, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, &efd);
	vt_res_add(r, ret, -ret, 0, "enable MSI again");
	edu_raise_wait(d, efd, r, "after re-enabling");
	ret = vt_irq_disable(d->fd, VFIO_PCI_MSI_IRQ_INDEX);
	vt_res_add(r, ret, -ret, 0, "disable MSI at the end");
	obs_alive(d, KIND_EDU, bar, r);
out_map:
	munmap(bar, MAP_LEN);
out_efd:
	close(efd);
}

/*
 * 3. one MSI after every reset, no other thread: each kind of reset in
 * turn, then a raise that must be delivered without re-enabling.
 */
#define EACH_RESETS	8

static void probe_irq_each(struct vt_dev *d, long arg, struct vt_res *r)
{
	unsigned int i, got[2] = { 0, 0 }, ok[2] = { 0, 0 };
	int efd, ret, k;
	int64_t n;

	(void)arg;
	efd = vt_eventfd();
	if (efd < 0) {
		snprintf(r->skip, sizeof(r->skip), "no eventfd");
		return;
	}
	enable_cmd(d);
	ret = vt_irq_set_eventfds(d->fd, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, &efd);
	vt_res_add(r, ret, -ret, 0, "enable MSI");
	for (i = 0; i < 2 * EACH_RESETS; i++) {
		k = i & 1;
		ret = k ? hot_reset_own(d) : ioctl(d->fd, VFIO_DEVICE_RESET);
		if (!ret)
			ok[k]++;
		vt_eventfd_drain(efd);
		vt_region_write(d, VFIO_PCI_BAR0_REGION_INDEX, EDU_RAISE, 4, 1);
		n = vt_eventfd_wait(efd, 1000);
		vt_region_write(d, VFIO_PCI_BAR0_REGION_INDEX, EDU_ACK, 4, 1);
		if (n > 0)
			got[k]++;
	}
	tap_diag("%s %s: MSI after %u of %u resets, after %u of %u hot resets",
		 d->driver, d->bdf, got[0], ok[0], got[1], ok[1]);
	vt_res_add(r, 0, 0, ok[0], "resets done");
	vt_res_add(r, 0, 0, ok[1], "hot resets done");
	vt_res_add(r, 0, 0, got[0], "MSI after reset");
	vt_res_add(r, 0, 0, got[1], "MSI after hot reset");
	ret = vt_irq_disable(d->fd, VFIO_PCI_MSI_IRQ_INDEX);
	vt_res_add(r, ret, -ret, 0, "disable MSI");
	close(efd);
}

/* ---- driver ---- */

static bool open_pair(const char *ref, const char *test, const char *bdf_a,
		      const char *bdf_b, struct vt_dev *a, struct vt_dev *b)
{
	char name[96];
	int ret;

	ret = vt_bind_open(a, bdf_a, ref);
	snprintf(name, sizeof(name), "reset_busy/open %s on %s", bdf_a, ref);
	if (!tap_result(!ret, name, "%s", strerror(-ret)))
		return false;
	ret = vt_bind_open(b, bdf_b, test);
	snprintf(name, sizeof(name), "reset_busy/open %s on %s", bdf_b, test);
	if (!tap_result(!ret, name, "%s", strerror(-ret))) {
		vt_close(a);
		return false;
	}
	return true;
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--ref D] [--test D] [--secs N] EDU_A EDU_B NVME_A NVME_B\n",
		prog);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ref", required_argument, NULL, 'r' },
		{ "test", required_argument, NULL, 't' },
		{ "secs", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ref = "vfio-pci", *test = "vfpci";
	struct vt_dev a, b;
	int c;

	while ((c = getopt_long(argc, argv, "r:t:s:", opts, NULL)) != -1) {
		if (c == 'r') {
			ref = optarg;
		} else if (c == 't') {
			test = optarg;
		} else if (c == 's') {
			busy_secs = atof(optarg);
		} else {
			usage(argv[0]);
			return 2;
		}
	}
	if (argc - optind != 4 || busy_secs <= 0) {
		usage(argv[0]);
		return 2;
	}
	install_fault_handler();

	if (open_pair(ref, test, argv[optind], argv[optind + 1], &a, &b)) {
		vt_diff("reset_busy/edu resets during mmap access", &a, &b,
			probe_mmap_busy, KIND_EDU);
		vt_diff("reset_busy/edu resets during pread/pwrite", &a, &b,
			probe_mmap_busy, KIND_EDU | BY_PREAD);
		vt_diff("reset_busy/edu resets during MSI delivery", &a, &b,
			probe_irq_busy, 0);
		vt_diff("reset_busy/edu MSI after every reset", &a, &b,
			probe_irq_each, 0);
		vt_close(&a);
		vt_close(&b);
	}
	if (open_pair(ref, test, argv[optind + 2], argv[optind + 3], &a, &b)) {
		vt_diff("reset_busy/nvme resets during mmap access", &a, &b,
			probe_mmap_busy, KIND_NVME);
		vt_diff("reset_busy/nvme resets during pread/pwrite", &a, &b,
			probe_mmap_busy, KIND_NVME | BY_PREAD);
		vt_close(&a);
		vt_close(&b);
	}
	return tap_summary();
}
