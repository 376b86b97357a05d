// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvme_admin: a minimal user-space NVMe admin client driving an emulated
 * QEMU nvme controller through VFIO, as a real client would.
 *
 * It binds the device, opens it through the group/container API, maps the
 * admin queues and a data buffer for DMA, enables bus mastering through the
 * config region, maps the register page of BAR0, resets and enables the
 * controller, wires MSI-X vector 0 to an eventfd and then runs a series of
 * admin commands (Identify Controller, Identify active namespace list, Get
 * Features / Number of Queues, Get Log Page / SMART).  Every command must
 * complete with status 0, correct data and exactly one interrupt.
 *
 * It also checks that the MSI-X table inside BAR0 is hidden from
 * pread/pwrite (reads give 0xff bytes, writes are dropped), and that MSI-X
 * can be disabled (no interrupts, completions still posted) and enabled
 * again.  Every wait is bounded: a dead device gives "not ok", never a hang.
 *
 * With --io N it then creates one I/O queue pair (its completion queue on
 * MSI-X vector 0, shared with the admin queue), writes N blocks of
 * namespace 1 with a pattern of each block's own, reads them back and
 * compares; every I/O command must complete with one interrupt.
 *
 * With --reset it then resets the device (VFIO_DEVICE_RESET), which must
 * leave the controller disabled, enables it again and runs a batch.
 *
 * With --expect-dead the controller must never become ready (CSTS.CFS or
 * a timeout on enable): how an SR-IOV VF whose secondary controller is
 * offline behaves, on any driver that does not online it.  "ok .../dead"
 * then, and nothing more is tried.
 *
 * Usage: nvme_admin --driver NAME [--count N] [--serial SN] [--vector V]
 *                   [--io N [--lba L]] [--reset] [--expect-dead] BDF
 * --vector wires the eventfd to another MSI-X vector than the admin
 * queue's 0: the interrupt checks must then fail (a self-test).
 * --serial "" skips the serial check (VFs have their own serials).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vfpci_test.h"

/* Controller registers (offsets into BAR0) and their fields. */
#define NVME_REG_CAP		0x00
#define NVME_REG_VS		0x08
#define NVME_REG_INTMS		0x0c
#define NVME_REG_INTMC		0x10
#define NVME_REG_CC		0x14
#define NVME_REG_CSTS		0x1c
#define NVME_REG_AQA		0x24
#define NVME_REG_ASQ		0x28
#define NVME_REG_ACQ		0x30
#define NVME_REG_DBS		0x1000

#define NVME_CAP_MQES(c)	((unsigned int)((c) & 0xffff))
#define NVME_CAP_TO(c)		((unsigned int)(((c) >> 24) & 0xff))
#define NVME_CAP_DSTRD(c)	((unsigned int)(((c) >> 32) & 0xf))
#define NVME_CAP_CSS_NVM(c)	(((c) >> 37) & 1)
#define NVME_CAP_MPSMIN(c)	((unsigned int)(((c) >> 48) & 0xf))

#define NVME_CC_EN		(1u << 0)
#define NVME_CC_IOSQES		(6u << 16)	/* 64-byte SQ entries */
#define NVME_CC_IOCQES		(4u << 20)	/* 16-byte CQ entries */
#define NVME_CSTS_RDY		(1u << 0)
#define NVME_CSTS_CFS		(1u << 1)

/* Admin opcodes and the parameters used here. */
#define NVME_ADM_CREATE_SQ	0x01
#define NVME_ADM_GET_LOG	0x02
#define NVME_ADM_DELETE_CQ	0x04
#define NVME_ADM_CREATE_CQ	0x05
#define NVME_ADM_DELETE_SQ	0x00
#define NVME_IO_WRITE		0x01
#define NVME_IO_READ		0x02
#define NVME_CNS_NS		0x00
#define NVME_ADM_IDENTIFY	0x06
#define NVME_ADM_GET_FEATURES	0x0a
#define NVME_CNS_CTRL		0x01
#define NVME_CNS_NS_LIST	0x02
#define NVME_FEAT_NUM_QUEUES	0x07
#define NVME_LOG_SMART		0x02
#define NVME_NSID_ALL		0xffffffffu

#define QEMU_NVME_VID		0x1b36
#define QEMU_NVME_MODEL		"QEMU NVMe Ctrl"

/* Queue geometry: one page per queue, 4 KiB memory pages (CC.MPS 0). */
#define PAGE			4096
#define QDEPTH			64	/* fills the SQ page: 64 x 64 B */
#define IOVA_SQ			0x100000ull
#define IOVA_CQ			0x200000ull
#define IOVA_DATA		0x300000ull
#define IOVA_IOSQ		0x400000ull
#define IOVA_IOCQ		0x500000ull
#define IOVA_IOBUF		0x600000ull
#define IO_QID			1
#define REG_MAP_LEN		0x2000	/* registers + doorbell page */

#define IRQ_WAIT_MS		2000
#define CQE_WAIT_MS		2000
#define MAX_TIMEOUTS		3	/* then the device is deemed dead */

struct nvme_sqe {
	uint32_t cdw0;		/* opcode, flags, command id */
	uint32_t nsid;
	uint32_t rsvd[2];
	uint64_t mptr;
	uint64_t prp1;
	uint64_t prp2;
	uint32_t cdw10[6];	/* cdw10 .. cdw15 */
};

struct nvme_cqe {
	uint32_t result;
	uint32_t rsvd;
	uint16_t sqhd;
	uint16_t sqid;
	uint16_t cid;
	uint16_t status;	/* bit 0 phase, bits 15:1 status */
};

_Static_assert(sizeof(struct nvme_sqe) == 64, "SQ entry is 64 bytes");
_Static_assert(sizeof(struct nvme_cqe) == 16, "CQ entry is 16 bytes");

/* One admin command kind of the run: how to build it and check its data. */
enum cmd_kind { CMD_ID_CTRL, CMD_NS_LIST, CMD_NUM_QUEUES, CMD_SMART,
		CMD_KINDS };

static const char *const kind_name[CMD_KINDS] = {
	"identify_ctrl", "identify_ns_list", "get_features_nq", "smart_log",
};

struct nvme {
	struct vt_dev d;
	volatile uint8_t *bar;	/* REG_MAP_LEN bytes of BAR0 */
	struct nvme_sqe *sq;
	volatile struct nvme_cqe *cq;
	uint8_t *data;
	bool sq_mapped, cq_mapped, data_mapped;
	int efd;
	unsigned int dstrd, timeout_ms;
	uint16_t sq_tail, cq_head, next_cid;
	uint8_t phase;
	int timeouts;
	/* MSI-X capability as read from config space */
	unsigned int msix_pos, msix_bir, msix_off, msix_entries;
	/* The I/O queue pair of --io */
	struct nvme_sqe *iosq;
	volatile struct nvme_cqe *iocq;
	uint8_t *iobuf;
	bool iosq_mapped, iocq_mapped, iobuf_mapped;
	uint16_t io_tail, io_head;
	uint8_t io_phase;
	unsigned int lba_size;
	uint64_t nsze;
};

/* Tallies of one batch of commands. */
struct batch {
	int sent, completions, interrupts, good_data;
	int kind_good[CMD_KINDS];
	char why[256];		/* first problem seen */
};

static const char *drv;
static const char *serial;
static unsigned int vector;
static bool expect_dead;
static char tname[160];

static const char *t(const char *what)
{
	snprintf(tname, sizeof(tname), "nvme_admin/%s/%s", drv, what);
	return tname;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- register access through the BAR0 mapping ---- */

static uint32_t rd32(struct nvme *n, unsigned int off)
{
	uint64_t v = ~0ull;

	if (vt_mmio_read(n->bar + off, 4, &v))
		return ~0u;
	return v;
}

static int wr32(struct nvme *n, unsigned int off, uint32_t val)
{
	return vt_mmio_write(n->bar + off, 4, val);
}

/* 64-bit registers as two dwords, low first: no 8-byte MMIO needed. */
static uint64_t rd64(struct nvme *n, unsigned int off)
{
	return rd32(n, off) | (uint64_t)rd32(n, off + 4) << 32;
}

static int wr64(struct nvme *n, unsigned int off, uint64_t val)
{
	int ret = wr32(n, off, (uint32_t)val);

	return ret ? ret : wr32(n, off + 4, val >> 32);
}

static int ring(struct nvme *n, unsigned int qid, bool cq, uint16_t val)
{
	unsigned int stride = 4u << n->dstrd;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* entries before bell */
	return wr32(n, NVME_REG_DBS + (2 * qid + cq) * stride, val);
}

/* Wait until CSTS.RDY reads @rdy; false on timeout or fatal status. */
static bool wait_ready(struct nvme *n, bool rdy, uint32_t *csts)
{
	uint64_t end = now_ms() + n->timeout_ms;

	for (;;) {
		*csts = rd32(n, NVME_REG_CSTS);
		if (*csts != ~0u && !!(*csts & NVME_CSTS_RDY) == rdy)
			return true;
		if (rdy && *csts != ~0u && (*csts & NVME_CSTS_CFS))
			return false;
		if (now_ms() > end)
			return false;
		usleep(1000);
	}
}

/* ---- setup ---- */

/* Position of capability @id in the standard list, 0 when absent. */
static unsigned int find_cap(struct vt_dev *d, uint8_t id)
{
	uint64_t v = 0, status = 0;
	unsigned int pos, hops;

	if (vt_cfg_read(d, 0x06, 2, &status) != 2 || !(status & 0x10))
		return 0;
	if (vt_cfg_read(d, 0x34, 1, &v) != 1)
		return 0;
	pos = v & 0xfc;
	for (hops = 0; pos >= 0x40 && hops < 48; hops++) {
		if (vt_cfg_read(d, pos, 2, &v) != 2)
			return 0;
		if ((v & 0xff) == id)
			return pos;
		pos = (v >> 8) & 0xfc;
	}
	return 0;
}

static bool read_msix_cap(struct nvme *n)
{
	uint64_t ctrl = 0, table = 0;
	struct vfio_irq_info ii;
	int ret;

	n->msix_pos = find_cap(&n->d, 0x11);
	if (!n->msix_pos ||
	    vt_cfg_read(&n->d, n->msix_pos + 2, 2, &ctrl) != 2 ||
	    vt_cfg_read(&n->d, n->msix_pos + 4, 4, &table) != 4)
		return tap_result(false, t("msix_cap"), "no MSI-X capability");
	n->msix_entries = (ctrl & 0x7ff) + 1;
	n->msix_bir = table & 7;
	n->msix_off = table & ~7u;
	tap_diag("%s: MSI-X at 0x%x: %u vectors, table in BAR%u at 0x%x",
		 drv, n->msix_pos, n->msix_entries, n->msix_bir, n->msix_off);

	ret = vt_irq_info(n->d.fd, VFIO_PCI_MSIX_IRQ_INDEX, &ii);
	return tap_result(!ret && ii.count == n->msix_entries &&
			  (ii.flags & VFIO_IRQ_INFO_EVENTFD),
			  t("msix_irq_info"),
			  "ret %d count %u (table has %u) flags 0x%x", ret,
			  ii.count, n->msix_entries, ii.flags);
}

static bool map_dma(struct nvme *n)
{
	void *sq = NULL, *cq = NULL, *data = NULL;
	int r1, r2 = -EINVAL, r3 = -EINVAL;

	r1 = vt_dma_map(&n->d, IOVA_SQ, PAGE, &sq);
	if (!r1)
		r2 = vt_dma_map(&n->d, IOVA_CQ, PAGE, &cq);
	if (!r2)
		r3 = vt_dma_map(&n->d, IOVA_DATA, PAGE, &data);
	n->sq = sq;
	n->cq = cq;
	n->data = data;
	n->sq_mapped = !r1;
	n->cq_mapped = !r2;
	n->data_mapped = !r3;
	return tap_result(!r1 && !r2 && !r3, t("dma_map"),
			  "MAP_DMA sq %d cq %d data %d", r1, r2, r3);
}

/* Memory decoding and bus mastering: DMA and MSI-X need both. */
static bool set_command(struct nvme *n, bool master)
{
	uint64_t cmd = 0, back = 0;
	ssize_t r;

	r = vt_cfg_read(&n->d, 0x04, 2, &cmd);
	if (r == 2) {
		cmd = master ? cmd | 0x6 : cmd & ~0x4ull;
		r = vt_cfg_write(&n->d, 0x04, 2, cmd);
	}
	if (r == 2)
		r = vt_cfg_read(&n->d, 0x04, 2, &back);
	return tap_result(r == 2 && (back & 0x4) == (master ? 0x4 : 0),
			  t(master ? "bus_master_on" : "bus_master_off"),
			  "config COMMAND: ret %zd, reads 0x%llx", r,
			  (unsigned long long)back);
}

static bool map_bar(struct nvme *n)
{
	struct vfio_region_info *ri = NULL;
	size_t len = 0;
	int ret;

	ret = vt_region_info(n->d.fd, VFIO_PCI_BAR0_REGION_INDEX, &ri);
	if (!tap_result(!ret && ri->size >= REG_MAP_LEN &&
			(ri->flags & VFIO_REGION_INFO_FLAG_MMAP),
			t("bar0_info"), "ret %d size 0x%llx flags 0x%x", ret,
			ret ? 0ull : (unsigned long long)ri->size,
			ret ? 0 : ri->flags)) {
		free(ri);
		return false;
	}
	free(ri);
	n->bar = vt_mmap_region(&n->d, VFIO_PCI_BAR0_REGION_INDEX,
				REG_MAP_LEN, &len);
	return tap_result(n->bar != NULL, t("bar0_mmap"), "mmap: %s",
			  strerror(errno));
}

static bool read_caps(struct nvme *n)
{
	uint64_t cap = rd64(n, NVME_REG_CAP);
	uint32_t vs = rd32(n, NVME_REG_VS);

	n->dstrd = NVME_CAP_DSTRD(cap);
	/* CAP.TO counts 500 ms units; cap the wait to keep runs bounded. */
	n->timeout_ms = NVME_CAP_TO(cap) * 500;
	if (n->timeout_ms < 500 || n->timeout_ms > 10000)
		n->timeout_ms = 10000;
	bool usable = cap != ~0ull && vs != ~0u && vs >= 0x10000 &&
		      NVME_CAP_MQES(cap) + 1 >= QDEPTH &&
		      NVME_CAP_CSS_NVM(cap) && NVME_CAP_MPSMIN(cap) == 0;

	tap_diag("%s: CAP 0x%016llx VS 0x%08x (MQES %u DSTRD %u TO %u)", drv,
		 (unsigned long long)cap, vs, NVME_CAP_MQES(cap), n->dstrd,
		 NVME_CAP_TO(cap));
	/* QEMU shows an offline secondary controller with zero registers. */
	if (expect_dead && !usable) {
		tap_ok("%s", t("dead"));
		return false;
	}
	return tap_result(usable, t("registers"), "CAP 0x%llx VS 0x%x unusable",
			  (unsigned long long)cap, vs);
}

static bool disable_ctrl(struct nvme *n, const char *name)
{
	uint32_t cc = rd32(n, NVME_REG_CC), csts = 0;
	bool ok;

	ok = !wr32(n, NVME_REG_CC, cc & ~NVME_CC_EN) &&
	     wait_ready(n, false, &csts);
	return tap_result(ok, t(name), "CC 0x%x, CSTS 0x%x after %u ms", cc,
			  csts, n->timeout_ms);
}

static bool enable_ctrl(struct nvme *n)
{
	uint32_t aqa = (QDEPTH - 1) << 16 | (QDEPTH - 1), csts = 0;
	bool ok;

	n->sq_tail = n->cq_head = 0;
	n->phase = 1;
	memset(n->sq, 0, PAGE);
	memset((void *)n->cq, 0, PAGE);
	ok = !wr32(n, NVME_REG_AQA, aqa) && !wr64(n, NVME_REG_ASQ, IOVA_SQ) &&
	     !wr64(n, NVME_REG_ACQ, IOVA_CQ);
	if (!tap_result(ok && rd32(n, NVME_REG_AQA) == aqa &&
			rd64(n, NVME_REG_ASQ) == IOVA_SQ &&
			rd64(n, NVME_REG_ACQ) == IOVA_CQ, t("admin_queues"),
			"AQA 0x%x ASQ 0x%llx ACQ 0x%llx do not read back",
			rd32(n, NVME_REG_AQA),
			(unsigned long long)rd64(n, NVME_REG_ASQ),
			(unsigned long long)rd64(n, NVME_REG_ACQ)))
		return false;
	ok = !wr32(n, NVME_REG_CC, NVME_CC_IOSQES | NVME_CC_IOCQES |
		   NVME_CC_EN) && wait_ready(n, true, &csts);
	if (expect_dead) {
		tap_diag("%s: enable: CSTS 0x%x", drv, csts);
		tap_result(!ok, t("dead"),
			   "controller became ready (CSTS 0x%x): not offline",
			   csts);
		return false;
	}
	return tap_result(ok, t("enable"), "CSTS 0x%x (CC 0x%x)", csts,
			  rd32(n, NVME_REG_CC));
}

static bool msix_on(struct nvme *n, const char *name)
{
	int ret = vt_irq_set_eventfds(n->d.fd, VFIO_PCI_MSIX_IRQ_INDEX,
				      vector, 1, &n->efd);

	return tap_result(!ret, t(name), "SET_IRQS MSI-X eventfd: %s",
			  strerror(-ret));
}

static bool msix_off(struct nvme *n, const char *name)
{
	int ret = vt_irq_disable(n->d.fd, VFIO_PCI_MSIX_IRQ_INDEX);

	return tap_result(!ret, t(name), "SET_IRQS MSI-X DATA_NONE: %s",
			  strerror(-ret));
}

/* ---- commands ---- */

static void build_cmd(struct nvme *n, enum cmd_kind k, struct nvme_sqe *e,
		      uint16_t cid)
{
	memset(e, 0, sizeof(*e));
	e->prp1 = IOVA_DATA;
	switch (k) {
	case CMD_ID_CTRL:
		e->cdw0 = NVME_ADM_IDENTIFY;
		e->cdw10[0] = NVME_CNS_CTRL;
		break;
	case CMD_NS_LIST:
		e->cdw0 = NVME_ADM_IDENTIFY;
		e->cdw10[0] = NVME_CNS_NS_LIST;	/* NSID 0: from the start */
		break;
	case CMD_NUM_QUEUES:
		e->cdw0 = NVME_ADM_GET_FEATURES;
		e->cdw10[0] = NVME_FEAT_NUM_QUEUES;
		e->prp1 = 0;
		break;
	default:
		e->cdw0 = NVME_ADM_GET_LOG;
		e->nsid = NVME_NSID_ALL;
		/* 512 bytes: NUMDL is a 0's based dword count */
		e->cdw10[0] = NVME_LOG_SMART | (512 / 4 - 1) << 16;
		break;
	}
	e->cdw0 |= (uint32_t)cid << 16;
	/* Stale bytes must not pass the data checks: fill with a pattern. */
	memset(n->data, 0xa5, PAGE);
}

static bool check_id_ctrl(struct nvme *n, char *why, size_t len)
{
	const uint8_t *p = n->data;
	uint16_t vid = p[0] | p[1] << 8;
	char mn[41], sn[21];
	size_t i, sl;

	memcpy(sn, p + 4, 20);
	sn[20] = '\0';
	memcpy(mn, p + 24, 40);
	mn[40] = '\0';
	if (vid != QEMU_NVME_VID) {
		snprintf(why, len, "identify: VID 0x%04x", vid);
		return false;
	}
	/* Model and serial are space padded ASCII. */
	sl = strlen(QEMU_NVME_MODEL);
	for (i = sl; i < 40 && mn[i] == ' '; i++)
		;
	if (memcmp(mn, QEMU_NVME_MODEL, sl) || i != 40) {
		snprintf(why, len, "identify: model '%s'", mn);
		return false;
	}
	if (serial && *serial && (strncmp(sn, serial, strlen(serial)) ||
		       (strlen(serial) < 20 && sn[strlen(serial)] != ' '))) {
		snprintf(why, len, "identify: serial '%s', want '%s'", sn,
			 serial);
		return false;
	}
	return true;
}

/* Active namespace IDs ascend, then zeros fill the rest of the page. */
static bool check_ns_list(struct nvme *n, char *why, size_t len)
{
	const uint32_t *ids = (const uint32_t *)n->data;
	uint32_t last = 0;
	unsigned int i;
	bool end = false;

	for (i = 0; i < PAGE / 4; i++) {
		if (end ? ids[i] != 0 : ids[i] && ids[i] <= last) {
			snprintf(why, len, "ns list: entry %u is 0x%x", i,
				 ids[i]);
			return false;
		}
		end = end || !ids[i];
		last = ids[i];
	}
	return true;
}

static bool check_smart(struct nvme *n, char *why, size_t len)
{
	const uint8_t *p = n->data;
	unsigned int kelvin = p[1] | p[2] << 8;

	/* Composite temperature in Kelvin; the reserved tail reads 0. */
	if (kelvin < 273 || kelvin > 373 || p[511] != 0 || p[512] != 0xa5) {
		snprintf(why, len,
			 "smart: temperature %u K, byte 511 0x%x, byte 512 0x%x",
			 kelvin, p[511], p[512]);
		return false;
	}
	return true;
}

static bool check_data(struct nvme *n, enum cmd_kind k, uint32_t result,
		       char *why, size_t len)
{
	switch (k) {
	case CMD_ID_CTRL:
		return check_id_ctrl(n, why, len);
	case CMD_NS_LIST:
		return check_ns_list(n, why, len);
	case CMD_NUM_QUEUES:
		/* 0's based counts of I/O SQs and CQs: QEMU grants pairs. */
		if ((result & 0xffff) == result >> 16 && result != ~0u)
			return true;
		snprintf(why, len, "number of queues: dw0 0x%08x", result);
		return false;
	default:
		return check_smart(n, why, len);
	}
}

/* Wait for the next CQ entry to carry the current phase. */
static bool wait_cqe(struct nvme *n, struct nvme_cqe *out, int ms)
{
	volatile struct nvme_cqe *e = &n->cq[n->cq_head];
	uint64_t end = now_ms() + ms;

	for (;;) {
		if ((e->status & 1) == n->phase) {
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			out->result = e->result;
			out->sqhd = e->sqhd;
			out->sqid = e->sqid;
			out->cid = e->cid;
			out->status = e->status;
			return true;
		}
		if (now_ms() > end)
			return false;
		usleep(50);
	}
}

static void note(struct batch *b, const char *fmt, const char *what)
{
	if (!b->why[0])
		snprintf(b->why, sizeof(b->why), fmt, what);
}

/*
 * Submit one command and wait for it.  With @irq the MSI-X eventfd must
 * fire; without, it must stay quiet.  Returns false when the device
 * looks dead (too many timeouts in a row).
 */
static bool run_one(struct nvme *n, enum cmd_kind k, bool irq,
		    struct batch *b)
{
	uint16_t cid = n->next_cid++;
	struct nvme_cqe c;
	char why[200] = "";
	int64_t ev;
	bool done;

	build_cmd(n, k, &n->sq[n->sq_tail], cid);
	n->sq_tail = (n->sq_tail + 1) % QDEPTH;
	b->sent++;
	if (ring(n, 0, false, n->sq_tail)) {
		note(b, "%s: doorbell write faulted", kind_name[k]);
		return false;
	}

	ev = vt_eventfd_wait(n->efd, irq ? IRQ_WAIT_MS : 20);
	if (ev > 0)
		b->interrupts += ev;
	else if (irq)
		note(b, "%s: no interrupt", kind_name[k]);

	/* The entry is written before the interrupt: a short wait will do. */
	done = wait_cqe(n, &c, ev > 0 ? 200 : CQE_WAIT_MS);
	if (!done) {
		note(b, "%s: no completion", kind_name[k]);
		/* Resync the SQ with the device by resetting it later. */
		return ++n->timeouts < MAX_TIMEOUTS;
	}
	n->timeouts = 0;
	b->completions++;
	if (++n->cq_head == QDEPTH) {
		n->cq_head = 0;
		n->phase ^= 1;
	}
	ring(n, 0, true, n->cq_head);

	if (c.cid != cid || c.sqid != 0 || c.sqhd != n->sq_tail ||
	    c.status >> 1) {
		snprintf(why, sizeof(why),
			 "cqe cid %u (want %u) sqid %u sqhd %u (want %u) status 0x%x",
			 c.cid, cid, c.sqid, c.sqhd, n->sq_tail, c.status >> 1);
	} else if (check_data(n, k, c.result, why, sizeof(why))) {
		b->good_data++;
		b->kind_good[k]++;
		return true;
	}
	if (!b->why[0])
		snprintf(b->why, sizeof(b->why), "%s: %s", kind_name[k], why);
	return true;
}

/* Run @count commands cycling over every kind; then catch stray irqs. */
static void run_batch(struct nvme *n, int count, bool irq, struct batch *b)
{
	int i;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < count; i++)
		if (!run_one(n, i % CMD_KINDS, irq, b))
			break;
	usleep(20000);
	b->interrupts += vt_eventfd_drain(n->efd);
}

/* Commands of kind @k among @count sent round-robin. */
static int kind_due(int count, int k)
{
	return (count - k + CMD_KINDS - 1) / CMD_KINDS;
}

static void report_batch(const char *name, int count, bool irq,
			 bool per_kind, struct batch *b)
{
	int want_irq = irq ? count : 0;
	char what[96];
	int k;

	snprintf(what, sizeof(what), "%s/completions %d/%d", name,
		 b->completions, count);
	tap_result(b->completions == count, t(what), "%s", b->why);
	snprintf(what, sizeof(what), "%s/interrupts %d/%d", name,
		 b->interrupts, want_irq);
	tap_result(b->interrupts == want_irq, t(what), "%s",
		   b->why[0] ? b->why : "interrupt count differs");
	if (!per_kind) {
		snprintf(what, sizeof(what), "%s/data %d/%d", name,
			 b->good_data, count);
		tap_result(b->good_data == count, t(what), "%s", b->why);
		return;
	}
	for (k = 0; k < CMD_KINDS; k++) {
		snprintf(what, sizeof(what), "%s/%s %d/%d", name,
			 kind_name[k], b->kind_good[k], kind_due(count, k));
		tap_result(b->kind_good[k] == kind_due(count, k), t(what),
			   "%s", b->why);
	}
}

/* ---- MSI-X table hidden from the region ---- */

static bool read_table_dwords(struct nvme *n, bool *all_ff, uint64_t *bad)
{
	unsigned int i, len = n->msix_entries * 16;
	uint64_t v = 0;

	*all_ff = true;
	for (i = 0; i < len; i += 4) {
		if (vt_region_read(&n->d, n->msix_bir, n->msix_off + i, 4,
				   &v) != 4)
			return false;
		if (v != 0xffffffffull && *all_ff) {
			*all_ff = false;
			*bad = i;
		}
	}
	return true;
}

static void check_table_pread(struct nvme *n)
{
	uint64_t v = 0, lo = 0, bad = 0;
	bool all_ff = false, ok;
	ssize_t r;

	ok = read_table_dwords(n, &all_ff, &bad);
	tap_result(ok && all_ff, t("msix_table_pread_ff"),
		   ok ? "table dword at +0x%llx is not 0xffffffff" :
		   "pread failed at +0x%llx", (unsigned long long)bad);

	r = vt_region_read(&n->d, n->msix_bir, n->msix_off, 8, &v);
	tap_result(r == 8 && v == ~0ull, t("msix_table_pread8_ff"),
		   "8-byte pread ret %zd value 0x%llx", r,
		   (unsigned long long)v);

	/* A read across the table start: the part before it is real. */
	if (n->msix_off < 4)
		return;
	r = vt_region_read(&n->d, n->msix_bir, n->msix_off - 4, 4, &lo);
	if (r == 4)
		r = vt_region_read(&n->d, n->msix_bir, n->msix_off - 4, 8, &v);
	tap_result(r == 8 && v == (lo | 0xffffffff00000000ull),
		   t("msix_table_pread_straddle"),
		   "ret %zd value 0x%llx, want 0xffffffff%08llx", r,
		   (unsigned long long)v, (unsigned long long)lo);
}

/*
 * Writes into the table must be dropped: masking vector 0 this way would
 * silence the interrupts of the following batch.
 */
static void check_table_pwrite(struct nvme *n, int count)
{
	struct batch b;
	ssize_t r;

	r = vt_region_write(&n->d, n->msix_bir, n->msix_off + 12, 4, 1);
	tap_result(r == 4, t("msix_table_pwrite"), "pwrite ret %zd", r);
	run_batch(n, count, true, &b);
	report_batch("after_table_write", count, true, false, &b);
}

/* ---- one I/O queue pair (--io) ---- */

/*
 * One admin command outside the batches, on the same queue: its status,
 * or -1 when it never completed.  The result dword into *@result.
 */
static int admin_sync(struct nvme *n, struct nvme_sqe *e, uint32_t *result)
{
	uint16_t cid = n->next_cid++;
	struct nvme_cqe c;

	e->cdw0 = (e->cdw0 & 0xffff) | (uint32_t)cid << 16;
	n->sq[n->sq_tail] = *e;
	n->sq_tail = (n->sq_tail + 1) % QDEPTH;
	if (ring(n, 0, false, n->sq_tail))
		return -1;
	vt_eventfd_wait(n->efd, IRQ_WAIT_MS);
	if (!wait_cqe(n, &c, CQE_WAIT_MS) || c.cid != cid)
		return -1;
	if (++n->cq_head == QDEPTH) {
		n->cq_head = 0;
		n->phase ^= 1;
	}
	ring(n, 0, true, n->cq_head);
	if (result)
		*result = c.result;
	return c.status >> 1;
}

static bool map_io(struct nvme *n)
{
	void *sq = NULL, *cq = NULL, *buf = NULL;
	int r1, r2 = -EINVAL, r3 = -EINVAL;

	r1 = vt_dma_map(&n->d, IOVA_IOSQ, PAGE, &sq);
	if (!r1)
		r2 = vt_dma_map(&n->d, IOVA_IOCQ, PAGE, &cq);
	if (!r2)
		r3 = vt_dma_map(&n->d, IOVA_IOBUF, PAGE, &buf);
	n->iosq = sq;
	n->iocq = cq;
	n->iobuf = buf;
	n->iosq_mapped = !r1;
	n->iocq_mapped = !r2;
	n->iobuf_mapped = !r3;
	return tap_result(!r1 && !r2 && !r3, t("io/dma_map"),
			  "MAP_DMA sq %d cq %d buf %d", r1, r2, r3);
}

/* Namespace 1: its size and block size (the LBA format in use). */
static bool identify_ns(struct nvme *n)
{
	struct nvme_sqe e = { .cdw0 = NVME_ADM_IDENTIFY, .nsid = 1,
			      .prp1 = IOVA_DATA, .cdw10 = { NVME_CNS_NS } };
	unsigned int lbads = 0;
	int st;

	memset(n->data, 0, PAGE);
	st = admin_sync(n, &e, NULL);
	if (!st) {
		memcpy(&n->nsze, n->data, 8);
		lbads = n->data[128 + 4 * (n->data[26] & 0xf) + 2];
		n->lba_size = 1u << (lbads & 31);
	}
	tap_diag("%s: namespace 1: %llu blocks of %u bytes", drv,
		 (unsigned long long)n->nsze, n->lba_size);
	return tap_result(!st && n->nsze && lbads >= 9 && lbads <= 12,
			  t("io/identify_ns"), "status %d, NSZE %llu, LBADS %u",
			  st, (unsigned long long)n->nsze, lbads);
}

static bool create_io_queues(struct nvme *n)
{
	/* Completion queue on vector 0 (IV 0, IEN, physically contiguous). */
	struct nvme_sqe cq = { .cdw0 = NVME_ADM_CREATE_CQ, .prp1 = IOVA_IOCQ,
			       .cdw10 = { (QDEPTH - 1) << 16 | IO_QID, 0x3 } };
	struct nvme_sqe sq = { .cdw0 = NVME_ADM_CREATE_SQ, .prp1 = IOVA_IOSQ,
			       .cdw10 = { (QDEPTH - 1) << 16 | IO_QID,
					  IO_QID << 16 | 0x1 } };
	int s1, s2 = -1;

	memset(n->iosq, 0, PAGE);
	memset((void *)n->iocq, 0, PAGE);
	n->io_tail = n->io_head = 0;
	n->io_phase = 1;
	s1 = admin_sync(n, &cq, NULL);
	if (!s1)
		s2 = admin_sync(n, &sq, NULL);
	return tap_result(!s1 && !s2, t("io/create_queues"),
			  "create CQ status %d, create SQ status %d", s1, s2);
}

static void delete_io_queues(struct nvme *n)
{
	struct nvme_sqe sq = { .cdw0 = NVME_ADM_DELETE_SQ,
			       .cdw10 = { IO_QID } };
	struct nvme_sqe cq = { .cdw0 = NVME_ADM_DELETE_CQ,
			       .cdw10 = { IO_QID } };
	int s1 = admin_sync(n, &sq, NULL), s2 = admin_sync(n, &cq, NULL);

	tap_result(!s1 && !s2, t("io/delete_queues"),
		   "delete SQ status %d, delete CQ status %d", s1, s2);
}

/* One block at @lba between the device and iobuf; false with @why. */
static bool io_cmd(struct nvme *n, uint8_t op, uint64_t lba, int *irqs,
		   char *why, size_t len)
{
	struct nvme_sqe *e = &n->iosq[n->io_tail];
	volatile struct nvme_cqe *c = &n->iocq[n->io_head];
	uint16_t cid = n->next_cid++;
	uint64_t end;
	int64_t ev;

	memset(e, 0, sizeof(*e));
	e->cdw0 = op | (uint32_t)cid << 16;
	e->nsid = 1;
	e->prp1 = IOVA_IOBUF;
	e->cdw10[0] = (uint32_t)lba;
	e->cdw10[1] = lba >> 32;	/* cdw12 NLB 0: one block */
	n->io_tail = (n->io_tail + 1) % QDEPTH;
	if (ring(n, IO_QID, false, n->io_tail)) {
		snprintf(why, len, "lba %llu: doorbell faulted",
			 (unsigned long long)lba);
		return false;
	}
	ev = vt_eventfd_wait(n->efd, IRQ_WAIT_MS);
	if (ev > 0)
		(*irqs)++;
	end = now_ms() + (ev > 0 ? 200 : CQE_WAIT_MS);
	while ((c->status & 1) != n->io_phase) {
		if (now_ms() > end) {
			snprintf(why, len, "lba %llu: no completion",
				 (unsigned long long)lba);
			return false;
		}
		usleep(50);
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (++n->io_head == QDEPTH) {
		n->io_head = 0;
		n->io_phase ^= 1;
	}
	ring(n, IO_QID, true, n->io_head);
	if (c->cid != cid || c->sqid != IO_QID || c->status >> 1) {
		snprintf(why, len, "lba %llu: cid %u (want %u) sqid %u status 0x%x",
			 (unsigned long long)lba, c->cid, cid, c->sqid,
			 c->status >> 1);
		return false;
	}
	return true;
}

/* A pattern of the block's own: stale data from another LBA cannot pass. */
static void fill(struct nvme *n, uint64_t lba, unsigned int seed)
{
	unsigned int i;

	for (i = 0; i < n->lba_size; i++)
		n->iobuf[i] = (uint8_t)(lba * 131 + i * 7 + seed + i / 256);
}

static void run_io(struct nvme *n, int blocks, uint64_t base)
{
	unsigned int seed = (unsigned int)time(NULL) ^ (unsigned int)getpid();
	int i, written = 0, good = 0, irqs = 0, j;
	char why[160] = "", what[64];

	if (!map_io(n) || !identify_ns(n))
		return;
	if (!tap_result(base + blocks <= n->nsze, t("io/range"),
			"blocks %llu..%llu beyond the namespace's %llu",
			(unsigned long long)base,
			(unsigned long long)base + blocks,
			(unsigned long long)n->nsze) ||
	    !create_io_queues(n))
		return;
	for (i = 0; i < blocks; i++) {
		fill(n, base + i, seed);
		if (!io_cmd(n, NVME_IO_WRITE, base + i, &irqs, why,
			    sizeof(why)))
			break;
		written++;
	}
	for (i = 0; i < written; i++) {
		memset(n->iobuf, 0, PAGE);
		if (!io_cmd(n, NVME_IO_READ, base + i, &irqs, why,
			    sizeof(why)))
			break;
		memcpy(n->data, n->iobuf, n->lba_size);
		fill(n, base + i, seed);
		for (j = 0; j < (int)n->lba_size; j++)
			if (n->data[j] != n->iobuf[j])
				break;
		if (j == (int)n->lba_size)
			good++;
		else if (!why[0])
			snprintf(why, sizeof(why),
				 "lba %llu byte %d: read 0x%02x, wrote 0x%02x",
				 (unsigned long long)base + i, j, n->data[j],
				 n->iobuf[j]);
	}
	snprintf(what, sizeof(what), "io/write %d/%d", written, blocks);
	tap_result(written == blocks, t(what), "%s", why);
	snprintf(what, sizeof(what), "io/readback %d/%d", good, blocks);
	tap_result(good == blocks, t(what), "%s", why);
	snprintf(what, sizeof(what), "io/interrupts %d/%d", irqs, 2 * blocks);
	tap_result(irqs == 2 * blocks, t(what), "%s",
		   why[0] ? why : "an I/O completion without its interrupt");
	delete_io_queues(n);
}

/* ---- VFIO_DEVICE_RESET (--reset) ---- */

static void reset_and_rerun(struct nvme *n, int count)
{
	struct batch b;
	uint32_t cc;
	int ret;

	ret = ioctl(n->d.fd, VFIO_DEVICE_RESET);
	if (!tap_result(!ret, t("reset"), "VFIO_DEVICE_RESET: %s",
			strerror(errno)))
		return;
	cc = rd32(n, NVME_REG_CC);
	tap_result(!(cc & NVME_CC_EN), t("reset/controller_reset"),
		   "CC 0x%x after the reset", cc);
	/* The function reset cleared COMMAND as a real FLR does. */
	if (!set_command(n, true) || !enable_ctrl(n))
		return;
	run_batch(n, count, true, &b);
	report_batch("after_reset", count, true, false, &b);
}

/* ---- teardown ---- */

static void teardown(struct nvme *n)
{
	int r1 = 0, r2 = 0, r3 = 0;

	if (n->bar) {
		if (n->sq_mapped && n->cq_mapped)
			disable_ctrl(n, "final_disable");
		munmap((void *)n->bar, REG_MAP_LEN);
	}
	if (n->d.fd >= 0)
		vt_irq_disable(n->d.fd, VFIO_PCI_MSIX_IRQ_INDEX);
	if (n->bar)
		set_command(n, false);
	if (n->sq_mapped)
		r1 = vt_dma_unmap(&n->d, IOVA_SQ, PAGE);
	if (n->cq_mapped)
		r2 = vt_dma_unmap(&n->d, IOVA_CQ, PAGE);
	if (n->data_mapped)
		r3 = vt_dma_unmap(&n->d, IOVA_DATA, PAGE);
	if (n->iosq_mapped)
		r1 = r1 ? r1 : vt_dma_unmap(&n->d, IOVA_IOSQ, PAGE);
	if (n->iocq_mapped)
		r2 = r2 ? r2 : vt_dma_unmap(&n->d, IOVA_IOCQ, PAGE);
	if (n->iobuf_mapped)
		r3 = r3 ? r3 : vt_dma_unmap(&n->d, IOVA_IOBUF, PAGE);
	if (n->sq_mapped || n->cq_mapped || n->data_mapped)
		tap_result(!r1 && !r2 && !r3, t("dma_unmap"),
			   "UNMAP_DMA sq %d cq %d data %d", r1, r2, r3);
	if (n->sq)
		munmap(n->sq, PAGE);
	if (n->cq)
		munmap((void *)n->cq, PAGE);
	if (n->data)
		munmap(n->data, PAGE);
	if (n->iosq)
		munmap(n->iosq, PAGE);
	if (n->iocq)
		munmap((void *)n->iocq, PAGE);
	if (n->iobuf)
		munmap(n->iobuf, PAGE);
	if (n->efd >= 0)
		close(n->efd);
	vt_close(&n->d);
}

static void run(struct nvme *n, int count, int io_blocks, uint64_t lba,
		bool reset)
{
	int quiet = count / 10 < 4 ? 4 : count / 10;
	struct batch b;
	uint64_t start;

	if (!read_msix_cap(n) || !map_dma(n) || !set_command(n, true) ||
	    !map_bar(n) || !read_caps(n) || !disable_ctrl(n, "disable"))
		return;
	/*
	 * MSI-X first: some QEMU nvme versions claim a completion queue's
	 * vector only if MSI-X is already on when the queue is created.
	 */
	if (!msix_on(n, "msix_enable") || !enable_ctrl(n))
		return;

	start = now_ms();
	run_batch(n, count, true, &b);
	tap_diag("%s: %d admin commands in %llu ms", drv, count,
		 (unsigned long long)(now_ms() - start));
	report_batch("admin", count, true, true, &b);
	if (b.completions != count)
		return;

	check_table_pread(n);
	check_table_pwrite(n, quiet);

	/*
	 * Without MSI-X the controller would fall back to INTx, which nobody
	 * handles: mask it (INTMS) while polling, unmask before MSI-X is back.
	 */
	if (!msix_off(n, "msix_disable"))
		return;
	wr32(n, NVME_REG_INTMS, 1);
	run_batch(n, quiet, false, &b);
	report_batch("msix_off", quiet, false, false, &b);
	wr32(n, NVME_REG_INTMC, 1);
	vt_eventfd_drain(n->efd);
	if (b.completions != quiet || !msix_on(n, "msix_reenable"))
		return;
	run_batch(n, quiet * 2, true, &b);
	report_batch("msix_reenabled", quiet * 2, true, false, &b);
	if (io_blocks && b.completions == quiet * 2)
		run_io(n, io_blocks, lba);
	if (reset && b.completions == quiet * 2)
		reset_and_rerun(n, quiet);
}

#define ARGS_HELP "--driver NAME [--count N] [--serial SN] [--vector V] " \
	"[--io N [--lba L]] [--reset] [--expect-dead] BDF"

static void print_usage(const char *prog)
{
	fprintf(stderr, "usage: %s %s\n", prog, ARGS_HELP);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "driver", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "serial", required_argument, NULL, 's' },
		{ "vector", required_argument, NULL, 'v' },
		{ "io", required_argument, NULL, 'i' },
		{ "lba", required_argument, NULL, 'l' },
		{ "expect-dead", no_argument, NULL, 'x' },
		{ "reset", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret, count = 100, io_blocks = 0;
	uint64_t lba = 0;
	bool reset = false;
	struct nvme n;

	while ((c = getopt_long(argc, argv, "d:c:s:v:i:l:xr", opts, NULL)) != -1) {
		if (c == 'd')
			drv = optarg;
		else if (c == 'c')
			count = atoi(optarg);
		else if (c == 's')
			serial = optarg;
		else if (c == 'v')
			vector = atoi(optarg);
		else if (c == 'i')
			io_blocks = atoi(optarg);
		else if (c == 'l')
			lba = strtoull(optarg, NULL, 0);
		else if (c == 'x')
			expect_dead = true;
		else if (c == 'r')
			reset = true;
		else
			print_usage(argv[0]);
	}
	if (!drv || optind != argc - 1 || count < CMD_KINDS || count > 10000 ||
	    io_blocks < 0 || io_blocks > 4096)
		print_usage(argv[0]);

	memset(&n, 0, sizeof(n));
	n.efd = -1;
	ret = pci_bind(argv[optind], drv);
	if (!tap_result(!ret, t("bind"), "bind %s to %s: %s", argv[optind],
			drv, strerror(-ret)))
		return tap_summary();
	ret = vt_open(&n.d, argv[optind]);
	if (!tap_result(!ret, t("open"), "open %s: %s", argv[optind],
			strerror(-ret)))
		return tap_summary();
	n.efd = vt_eventfd();
	if (tap_result(n.efd >= 0, t("eventfd"), "%s", strerror(-n.efd)))
		run(&n, count, io_blocks, lba, reset);
	teardown(&n);
	return tap_summary();
}
