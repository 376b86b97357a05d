// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfpci_bench: time the VFIO uAPI paths of two twin edu devices, one
 * metric at a time, alternating between the devices so that both see the
 * same machine load.  It measures whatever drivers the devices are bound
 * to; bench/run binds them (vfio-pci against vfpci, or vfio-pci against
 * itself for the noise floor) and turns the samples into ratios.
 *
 * Usage: vfpci_bench [--tag T] [--rounds N] [--window-ms MS] [--samples N]
 *                    [--only M1,M2,...] [--list] BDF_A BDF_B
 *
 * Output, one line per sample (plus "#" comments):
 *   M <metric> <unit> <higher|lower>            once per metric
 *   R <tag> <round> <metric> <bdf> <driver> <value>
 * Throughput metrics give operations per second over a time window;
 * latency metrics give the median of --samples timed operations, in us.
 * Run it pinned to one CPU (taskset -c 0) on a guest booted with
 * irqaffinity=0, so interrupts and the waiting thread share that CPU.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "vfpci_test.h"

#define EDU_ID		0x00
#define EDU_LIVENESS	0x04
#define EDU_RAISE	0x60
#define EDU_ACK		0x64
#define EDU_IRQ_BIT	0x1

#define PAGE		4096
#define IRQ_WAIT_MS	2000
#define IOEFD_DATA	0x5aa5c33cu
#define MAX_SAMPLES	1000

struct bdev {
	struct vt_dev d;
	uint64_t bar0;		/* file offset of BAR0 */
	uint64_t bar0_size;
	uint32_t cap;		/* config offset of the first capability */
	volatile uint32_t *map;	/* BAR0 mapping of the current metric */
	size_t map_len;
	int efd;		/* interrupt eventfd of the current metric */
	int ioefd;		/* registered ioeventfd */
	uint32_t seq;
};

enum kind { THROUGHPUT, LATENCY };

struct metric {
	const char *name;
	enum kind kind;
	int batch;		/* throughput: ops between clock reads */
	int (*setup)(struct bdev *b);
	/* One operation: 0 or -errno; latency ops return their time. */
	int (*op)(struct bdev *b, uint64_t *ns);
	void (*teardown)(struct bdev *b);
	const char *what;
};

static unsigned int window_ms = 60;
static unsigned int samples = 31;
static unsigned int rounds = 15;
static const char *tag = "run";

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* ---- small device helpers ---- */

static int cfg_rd16(struct bdev *b, uint32_t pos, uint16_t *v)
{
	return pread(b->d.fd, v, 2, b->d.cfg_off + pos) == 2 ? 0 : -errno;
}

static int cfg_wr16(struct bdev *b, uint32_t pos, uint16_t v)
{
	return pwrite(b->d.fd, &v, 2, b->d.cfg_off + pos) == 2 ? 0 : -errno;
}

/* Set @on and clear @off in the COMMAND register. */
static int cmd_update(struct bdev *b, uint16_t on, uint16_t off)
{
	uint16_t cmd;
	int ret = cfg_rd16(b, PCI_COMMAND, &cmd);

	if (ret)
		return ret;
	return cfg_wr16(b, PCI_COMMAND, (cmd | on) & ~off);
}

static int map_bar0(struct bdev *b, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       b->d.fd, b->bar0);

	if (p == MAP_FAILED)
		return -errno;
	b->map = p;
	b->map_len = len;
	return 0;
}

static void unmap_bar0(struct bdev *b)
{
	if (b->map)
		munmap((void *)b->map, b->map_len);
	b->map = NULL;
}

static int irq_set(struct bdev *b, uint32_t index, uint32_t flags,
		   uint32_t count, int32_t data)
{
	struct {
		struct vfio_irq_set s;
		int32_t data;
	} set = {
		.s = {
			.argsz = sizeof(set.s),
			.flags = flags,
			.index = index,
			.count = count,
		},
		.data = data,	/* a bool is its first byte: little endian */
	};

	if (flags & VFIO_IRQ_SET_DATA_EVENTFD)
		set.s.argsz += count * sizeof(int32_t);
	else if (flags & VFIO_IRQ_SET_DATA_BOOL)
		set.s.argsz += count;
	return ioctl(b->d.fd, VFIO_DEVICE_SET_IRQS, &set) < 0 ? -errno : 0;
}

/* Wait for the eventfd of the metric and consume it. */
static int wait_efd(struct bdev *b)
{
	struct pollfd p = { .fd = b->efd, .events = POLLIN };
	uint64_t v;
	int n = poll(&p, 1, IRQ_WAIT_MS);

	if (n < 0)
		return -errno;
	if (n == 0)
		return -ETIMEDOUT;
	return read(b->efd, &v, sizeof(v)) == sizeof(v) ? 0 : -errno;
}

static int new_efd(struct bdev *b)
{
	b->efd = vt_eventfd();
	return b->efd < 0 ? b->efd : 0;
}

static void close_efd(struct bdev *b)
{
	if (b->efd >= 0)
		close(b->efd);
	b->efd = -1;
}

/* ---- 1. config space ---- */

/*
 * A zero-length read: system call, VFS and VFIO dispatch down to the
 * driver's read op, which returns at once.  The fixed cost every region
 * access pays before any driver work: the baseline for the ratios.
 */
static int op_null_rd(struct bdev *b, uint64_t *ns)
{
	uint32_t v;

	(void)ns;
	return pread(b->d.fd, &v, 0, b->d.cfg_off) == 0 ? 0 : -errno;
}

static int op_cfg_rd_hdr(struct bdev *b, uint64_t *ns)
{
	uint32_t v;

	(void)ns;
	return pread(b->d.fd, &v, 4, b->d.cfg_off) == 4 ? 0 : -errno;
}

static int op_cfg_rd_cap(struct bdev *b, uint64_t *ns)
{
	uint32_t v;

	(void)ns;
	return pread(b->d.fd, &v, 4, b->d.cfg_off + b->cap) == 4 ? 0 : -errno;
}

static uint16_t cmd_value;

static int setup_cfg_wr(struct bdev *b)
{
	int ret = cmd_update(b, PCI_COMMAND_MEMORY, 0);

	return ret ? ret : cfg_rd16(b, PCI_COMMAND, &cmd_value);
}

/* Rewrite COMMAND with what it holds: the virtualized write path. */
static int op_cfg_wr_cmd(struct bdev *b, uint64_t *ns)
{
	(void)ns;
	return cfg_wr16(b, PCI_COMMAND, cmd_value);
}

/* ---- 2. trapped BAR access ---- */

static int setup_mem(struct bdev *b)
{
	return cmd_update(b, PCI_COMMAND_MEMORY, 0);
}

static int op_bar_rd(struct bdev *b, uint64_t *ns)
{
	uint32_t v;

	(void)ns;
	return pread(b->d.fd, &v, 4, b->bar0 + EDU_ID) == 4 ? 0 : -errno;
}

static int op_bar_wr(struct bdev *b, uint64_t *ns)
{
	uint32_t v = b->seq++;

	(void)ns;
	return pwrite(b->d.fd, &v, 4, b->bar0 + EDU_LIVENESS) == 4 ? 0 : -errno;
}

/* ---- 3. mmap ---- */

static int setup_map_page(struct bdev *b)
{
	int ret = setup_mem(b);

	return ret ? ret : map_bar0(b, PAGE);
}

static int setup_map_bar(struct bdev *b)
{
	int ret = setup_mem(b);

	return ret ? ret : map_bar0(b, b->bar0_size);
}

/*
 * Decode off revokes the mapping, decode on allows it again: the next
 * access faults the BAR back in.  Only that access is timed.
 */
static int op_mmap_fault(struct bdev *b, uint64_t *ns)
{
	uint64_t t0;
	uint32_t v;
	int ret;

	ret = cmd_update(b, 0, PCI_COMMAND_MEMORY);
	if (!ret)
		ret = cmd_update(b, PCI_COMMAND_MEMORY, 0);
	if (ret)
		return ret;
	t0 = now_ns();
	v = b->map[EDU_ID / 4];
	*ns = now_ns() - t0;
	return v == 0xffffffff ? -EIO : 0;
}

static int op_mmap_rd(struct bdev *b, uint64_t *ns)
{
	(void)ns;
	return b->map[EDU_ID / 4] == 0xffffffff ? -EIO : 0;
}

/* ---- 4. interrupts ---- */

static int setup_msi(struct bdev *b)
{
	int ret = cmd_update(b, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 0);

	if (!ret)
		ret = new_efd(b);
	if (!ret)
		ret = irq_set(b, VFIO_PCI_MSI_IRQ_INDEX,
			      VFIO_IRQ_SET_DATA_EVENTFD |
			      VFIO_IRQ_SET_ACTION_TRIGGER, 1, b->efd);
	if (!ret)
		ret = map_bar0(b, PAGE);
	return ret;
}

static void teardown_msi(struct bdev *b)
{
	vt_irq_disable(b->d.fd, VFIO_PCI_MSI_IRQ_INDEX);
	unmap_bar0(b);
	close_efd(b);
}

/* edu raises its MSI; the eventfd fires; the user acks. */
static int op_msi_rtt(struct bdev *b, uint64_t *ns)
{
	uint64_t t0 = now_ns();
	int ret;

	b->map[EDU_RAISE / 4] = EDU_IRQ_BIT;
	ret = wait_efd(b);
	b->map[EDU_ACK / 4] = EDU_IRQ_BIT;
	*ns = now_ns() - t0;
	return ret;
}

static int setup_intx(struct bdev *b)
{
	int ret = cmd_update(b, PCI_COMMAND_MEMORY,
			     PCI_COMMAND_INTX_DISABLE | PCI_COMMAND_MASTER);

	if (!ret)
		ret = new_efd(b);
	if (!ret)
		ret = irq_set(b, VFIO_PCI_INTX_IRQ_INDEX,
			      VFIO_IRQ_SET_DATA_EVENTFD |
			      VFIO_IRQ_SET_ACTION_TRIGGER, 1, b->efd);
	if (!ret)
		ret = map_bar0(b, PAGE);
	return ret;
}

static void teardown_intx(struct bdev *b)
{
	vt_irq_disable(b->d.fd, VFIO_PCI_INTX_IRQ_INDEX);
	unmap_bar0(b);
	close_efd(b);
}

/* Level-triggered: raise, eventfd, lower the line, unmask. */
static int op_intx_rtt(struct bdev *b, uint64_t *ns)
{
	uint64_t t0 = now_ns();
	int ret;

	b->map[EDU_RAISE / 4] = EDU_IRQ_BIT;
	ret = wait_efd(b);
	b->map[EDU_ACK / 4] = EDU_IRQ_BIT;
	if (!ret)
		ret = irq_set(b, VFIO_PCI_INTX_IRQ_INDEX,
			      VFIO_IRQ_SET_DATA_NONE |
			      VFIO_IRQ_SET_ACTION_UNMASK, 1, 0);
	*ns = now_ns() - t0;
	return ret;
}

static int op_loop_none(struct bdev *b, uint64_t *ns)
{
	uint64_t t0 = now_ns();
	int ret;

	ret = irq_set(b, VFIO_PCI_MSI_IRQ_INDEX,
		      VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		      1, 0);
	if (!ret)
		ret = wait_efd(b);
	*ns = now_ns() - t0;
	return ret;
}

static int op_loop_bool(struct bdev *b, uint64_t *ns)
{
	uint64_t t0 = now_ns();
	int ret;

	ret = irq_set(b, VFIO_PCI_MSI_IRQ_INDEX,
		      VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER,
		      1, 1);
	if (!ret)
		ret = wait_efd(b);
	*ns = now_ns() - t0;
	return ret;
}

/* ---- 5. ioeventfd ---- */

static int ioefd_set(struct bdev *b, int fd)
{
	struct vfio_device_ioeventfd io = {
		.argsz = sizeof(io),
		.flags = VFIO_DEVICE_IOEVENTFD_32,
		.offset = b->bar0 + EDU_LIVENESS,
		.data = IOEFD_DATA,
		.fd = fd,
	};

	return ioctl(b->d.fd, VFIO_DEVICE_IOEVENTFD, &io) < 0 ? -errno : 0;
}

static int setup_ioefd(struct bdev *b)
{
	int ret = setup_mem(b);

	if (ret)
		return ret;
	b->ioefd = eventfd(0, EFD_CLOEXEC);
	if (b->ioefd < 0)
		return -errno;
	return ioefd_set(b, b->ioefd);
}

/* Unregister, and check that the writes really reached the device. */
static void teardown_ioefd(struct bdev *b)
{
	uint32_t v = 0;

	if (pread(b->d.fd, &v, 4, b->bar0 + EDU_LIVENESS) != 4 ||
	    v != ~IOEFD_DATA)
		printf("# %s: ioeventfd writes did not reach the device (liveness %#x)\n",
		       b->d.bdf, v);
	ioefd_set(b, -1);
	close(b->ioefd);
	b->ioefd = -1;
}

static int op_ioefd(struct bdev *b, uint64_t *ns)
{
	(void)ns;
	return eventfd_write(b->ioefd, 1) ? -errno : 0;
}

/* ---- 6. life cycle ---- */

/* Close the long-lived device fd: every open below is a first open. */
static int setup_open(struct bdev *b)
{
	close(b->d.fd);
	b->d.fd = -1;
	return 0;
}

static void teardown_open(struct bdev *b)
{
	b->d.fd = ioctl(b->d.group, VFIO_GROUP_GET_DEVICE_FD, b->d.bdf);
	if (b->d.fd < 0) {
		printf("# %s: reopen: %s\n", b->d.bdf, strerror(errno));
		exit(1);
	}
}

static int op_open_close(struct bdev *b, uint64_t *ns)
{
	int fd = ioctl(b->d.group, VFIO_GROUP_GET_DEVICE_FD, b->d.bdf);

	(void)ns;
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int setup_efd(struct bdev *b)
{
	return new_efd(b);
}

static int op_msi_en_dis(struct bdev *b, uint64_t *ns)
{
	int ret;

	(void)ns;
	ret = irq_set(b, VFIO_PCI_MSI_IRQ_INDEX,
		      VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
		      1, b->efd);
	if (ret)
		return ret;
	return vt_irq_disable(b->d.fd, VFIO_PCI_MSI_IRQ_INDEX);
}

static const struct metric metrics[] = {
	{ "null_rd", THROUGHPUT, 16, NULL, op_null_rd, NULL,
	  "pread of 0 bytes (dispatch baseline)" },
	{ "cfg_rd_hdr", THROUGHPUT, 16, NULL, op_cfg_rd_hdr, NULL,
	  "config pread 4 B at 0x00" },
	{ "cfg_rd_cap", THROUGHPUT, 16, NULL, op_cfg_rd_cap, NULL,
	  "config pread 4 B of the first capability" },
	{ "cfg_wr_cmd", THROUGHPUT, 16, setup_cfg_wr, op_cfg_wr_cmd, NULL,
	  "config pwrite of COMMAND (same value)" },
	{ "bar_rd", THROUGHPUT, 16, setup_mem, op_bar_rd, NULL,
	  "BAR0 pread 4 B" },
	{ "bar_wr", THROUGHPUT, 16, setup_mem, op_bar_wr, NULL,
	  "BAR0 pwrite 4 B (liveness)" },
	{ "mmap_fault", LATENCY, 0, setup_map_page, op_mmap_fault, unmap_bar0,
	  "fault-in after decode off/on, 4 KiB mapping" },
	{ "mmap_fault_bar", LATENCY, 0, setup_map_bar, op_mmap_fault,
	  unmap_bar0, "fault-in after decode off/on, whole-BAR mapping" },
	{ "mmap_rd", THROUGHPUT, 64, setup_map_page, op_mmap_rd, unmap_bar0,
	  "4 B reads through the mapping" },
	{ "msi_rtt", LATENCY, 0, setup_msi, op_msi_rtt, teardown_msi,
	  "edu raises MSI -> eventfd -> ack" },
	{ "intx_rtt", LATENCY, 0, setup_intx, op_intx_rtt, teardown_intx,
	  "edu raises INTx -> eventfd -> ack -> unmask" },
	{ "loop_none", LATENCY, 0, setup_msi, op_loop_none, teardown_msi,
	  "SET_IRQS trigger DATA_NONE -> eventfd" },
	{ "loop_bool", LATENCY, 0, setup_msi, op_loop_bool, teardown_msi,
	  "SET_IRQS trigger DATA_BOOL -> eventfd" },
	{ "ioefd_wr", THROUGHPUT, 16, setup_ioefd, op_ioefd, teardown_ioefd,
	  "eventfd_write to a BAR0 ioeventfd" },
	{ "open_close", THROUGHPUT, 1, setup_open, op_open_close,
	  teardown_open, "device fd open + close" },
	{ "msi_en_dis", THROUGHPUT, 1, setup_efd, op_msi_en_dis, close_efd,
	  "SET_IRQS MSI enable + disable" },
};

#define NMETRICS (sizeof(metrics) / sizeof(metrics[0]))

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Operations per second over one window; negative errno on failure. */
static double run_throughput(const struct metric *m, struct bdev *b)
{
	uint64_t t0, t, n = 0, win = window_ms * 1000000ull;
	int i, ret;

	for (i = 0; i < 4; i++) {	/* warm caches and mappings */
		ret = m->op(b, NULL);
		if (ret)
			return ret;
	}
	t0 = now_ns();
	do {
		for (i = 0; i < m->batch; i++) {
			ret = m->op(b, NULL);
			if (ret)
				return ret;
		}
		n += m->batch;
		t = now_ns();
	} while (t - t0 < win || n < 8);
	return n * 1e9 / (t - t0);
}

/* Median of @samples timed operations, in microseconds. */
static double run_latency(const struct metric *m, struct bdev *b)
{
	static uint64_t ns[MAX_SAMPLES];
	unsigned int i;
	int ret;

	ret = m->op(b, &ns[0]);		/* warm-up */
	if (ret)
		return ret;
	for (i = 0; i < samples; i++) {
		ret = m->op(b, &ns[i]);
		if (ret)
			return ret;
	}
	qsort(ns, samples, sizeof(ns[0]), cmp_u64);
	return ns[samples / 2] / 1000.0;
}

static double run_metric(const struct metric *m, struct bdev *b)
{
	double v;
	int ret = 0;

	b->efd = b->ioefd = -1;
	if (m->setup)
		ret = m->setup(b);
	if (ret)
		v = ret;
	else if (m->kind == THROUGHPUT)
		v = run_throughput(m, b);
	else
		v = run_latency(m, b);
	if (m->teardown)
		m->teardown(b);
	return v;
}

static int dev_init(struct bdev *b, const char *bdf)
{
	uint8_t ptr = 0;
	int ret;

	memset(b, 0, sizeof(*b));
	ret = vt_open(&b->d, bdf);
	if (ret)
		return ret;
	ret = vt_region_offset(b->d.fd, VFIO_PCI_BAR0_REGION_INDEX, &b->bar0,
			       &b->bar0_size);
	if (ret)
		return ret;
	if (pread(b->d.fd, &ptr, 1, b->d.cfg_off + PCI_CAPABILITY_LIST) != 1)
		return -errno;
	b->cap = ptr & ~3u;
	if (!b->cap)
		return -ENOENT;
	return 0;
}

static bool wanted(const char *only, const char *name)
{
	size_t n = strlen(name);
	const char *p = only;

	if (!only)
		return true;
	while ((p = strstr(p, name))) {
		if ((p == only || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

static void usage(void)
{
	fprintf(stderr, "usage: vfpci_bench [--tag T] [--rounds N] [--window-ms MS] [--samples N] [--only M,...] [--list] BDF_A BDF_B\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tag", required_argument, NULL, 't' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "window-ms", required_argument, NULL, 'w' },
		{ "samples", required_argument, NULL, 's' },
		{ "only", required_argument, NULL, 'o' },
		{ "list", no_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	const char *only = NULL;
	struct bdev dev[2];
	unsigned int r, k;
	size_t i;
	int c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': tag = optarg; break;
		case 'r': rounds = atoi(optarg); break;
		case 'w': window_ms = atoi(optarg); break;
		case 's': samples = atoi(optarg); break;
		case 'o': only = optarg; break;
		case 'l':
			for (i = 0; i < NMETRICS; i++)
				printf("%-15s %s\n", metrics[i].name,
				       metrics[i].what);
			return 0;
		default: usage();
		}
	}
	if (argc - optind != 2 || !samples || samples > MAX_SAMPLES)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (k = 0; k < 2; k++) {
		ret = dev_init(&dev[k], argv[optind + k]);
		if (ret) {
			printf("# %s: open: %s\n", argv[optind + k],
			       strerror(-ret));
			return 1;
		}
		printf("# %s bound to %s\n", dev[k].d.bdf, dev[k].d.driver);
	}
	for (i = 0; i < NMETRICS; i++)
		if (wanted(only, metrics[i].name))
			printf("M %s %s %s\n", metrics[i].name,
			       metrics[i].kind == THROUGHPUT ? "ops/s" : "us",
			       metrics[i].kind == THROUGHPUT ? "higher" : "lower");
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < NMETRICS; i++) {
			const struct metric *m = &metrics[i];

			if (!wanted(only, m->name))
				continue;
			/* Alternate which device goes first. */
			for (k = 0; k < 2; k++) {
				struct bdev *b = &dev[(r + k) % 2];
				double v = run_metric(m, b);

				if (v < 0) {
					printf("# %s %s: %s\n", m->name,
					       b->d.bdf, strerror((int)-v));
					return 1;
				}
				printf("R %s %u %s %s %s %.3f\n", tag, r,
				       m->name, b->d.bdf, b->d.driver, v);
			}
		}
	}
	for (k = 0; k < 2; k++)
		vt_close(&dev[k].d);
	return 0;
}
