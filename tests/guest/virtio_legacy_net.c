// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio_legacy_net: the legacy virtio-net vfpci_virtio shows for a
 * modern-only virtio-net, checked register by register against a real
 * transitional virtio-net on vfio-pci, and proven with real packets: an
 * ARP request for QEMU's user-mode gateway (10.0.2.2) goes out through a
 * legacy transmit ring, its reply comes back through a legacy receive
 * ring, with INTx and then MSI-X.  A legacy driver that does not accept
 * MRG_RXBUF must be refused (EINVAL, NEEDS_RESET, nothing live), one
 * dropping it with queues live stops the device, and the device must work
 * again after a reset.
 *
 * Usage: virtio_legacy_net [-r REF_BDF] [-m NOMRG_BDF] [-a] BDF
 *   BDF  a virtio-net-pci,disable-legacy=on,iommu_platform=on on
 *        -netdev user, mac 52:54:00:12:34:77 (tests/suites/virtio-legacy);
 *   -r   a transitional virtio-net-pci with the same MAC: bound to
 *        vfio-pci, every legacy register read must match ours;
 *   -m   a modern-only virtio-net-pci,mrg_rxbuf=off: probe must refuse it;
 *   -a   after the fuzzer: only negotiation and traffic, named after_fuzz/.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>

#include "vfpci_test.h"

#define DRV		"vfpci_virtio"
#define BAR0		VFIO_PCI_BAR0_REGION_INDEX
#define HDR		12		/* struct virtio_net_hdr_mrg_rxbuf */
#define ARP_LEN		42

#define RING_IOVA	0x100000ull	/* queue q's ring at + q * RING_STEP */
#define RING_STEP	0x4000ull
#define RING_SIZE	0xc000ull
#define BUF_IOVA	0x200000ull	/* rx buffer; tx frame at +0x1000 */
#define BUF_SIZE	0x2000ull
#define RX_LEN		2048

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x77 };

struct loc {
	int bar;
	uint32_t off, len;
};

struct vq {
	uint8_t *ring;
	uint16_t num, avail, used_seen;
};

static struct vt_dev dev;
static struct loc common, isr, devcfg, notify;
static struct vq vqs[3];
static uint8_t *ring_mem, *bufs;
static uint32_t bar0_size;
static const char *prefix = "";
static char tname[128];

static const char *t(const char *what)
{
	snprintf(tname, sizeof(tname), "virtio_legacy_net/%s%s", prefix, what);
	return tname;
}

/* ---- register access ---- */

static uint64_t leg_rd(uint32_t off, int w)
{
	uint64_t v = ~0ull;

	if (vt_region_read(&dev, BAR0, off, w, &v) != w)
		return ~0ull;
	return v;
}

static ssize_t leg_wr(uint32_t off, int w, uint64_t v)
{
	return vt_region_write(&dev, BAR0, off, w, v);
}

static uint64_t mod_rd(const struct loc *l, uint32_t off, int w)
{
	uint64_t v = ~0ull;

	if (vt_region_read(&dev, l->bar, l->off + off, w, &v) != w)
		return ~0ull;
	return v;
}

static void mod_wr(const struct loc *l, uint32_t off, int w, uint64_t v)
{
	vt_region_write(&dev, l->bar, l->off + off, w, v);
}

static uint64_t mq_rd(uint16_t q, uint32_t off, int w)
{
	mod_wr(&common, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
	return mod_rd(&common, off, w);
}

static uint64_t mq_rd64(uint16_t q, uint32_t lo)
{
	return mq_rd(q, lo, 4) | mq_rd(q, lo + 4, 4) << 32;
}

static uint64_t cfg_rd(struct vt_dev *d, uint32_t pos, int w)
{
	uint64_t v = ~0ull;

	if (vt_cfg_read(d, pos, w, &v) != w)
		return ~0ull;
	return v;
}

static uint64_t mst(void)
{
	return mod_rd(&common, VIRTIO_PCI_COMMON_STATUS, 1);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

static int find_caps(void)
{
	unsigned int pos = cfg_rd(&dev, PCI_CAPABILITY_LIST, 1) & 0xfc;
	int guard = 48;

	common.bar = isr.bar = devcfg.bar = notify.bar = -1;
	for (; pos && guard--; pos = cfg_rd(&dev, pos + 1, 1) & 0xfc) {
		struct loc *l = NULL;

		if (cfg_rd(&dev, pos, 1) != PCI_CAP_ID_VNDR)
			continue;
		switch (cfg_rd(&dev, pos + VIRTIO_PCI_CAP_CFG_TYPE, 1)) {
		case VIRTIO_PCI_CAP_COMMON_CFG:
			l = &common;
			break;
		case VIRTIO_PCI_CAP_ISR_CFG:
			l = &isr;
			break;
		case VIRTIO_PCI_CAP_DEVICE_CFG:
			l = &devcfg;
			break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			l = &notify;
			break;
		}
		if (!l || l->bar >= 0)
			continue;
		l->bar = cfg_rd(&dev, pos + VIRTIO_PCI_CAP_BAR, 1);
		l->off = cfg_rd(&dev, pos + VIRTIO_PCI_CAP_OFFSET, 4);
		l->len = cfg_rd(&dev, pos + VIRTIO_PCI_CAP_LENGTH, 4);
	}
	return common.bar >= 0 && isr.bar >= 0 && devcfg.bar >= 0 &&
	       notify.bar >= 0 ? 0 : -ENOENT;
}

/* ---- header, BAR0 and every register read against the reference ---- */

static uint32_t size_bar0(struct vt_dev *d)
{
	uint32_t v;

	vt_cfg_write(d, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	v = cfg_rd(d, PCI_BASE_ADDRESS_0, 4);
	vt_cfg_write(d, PCI_BASE_ADDRESS_0, 4, 0);
	return v;
}

static void check_ids(void)
{
	uint64_t id32 = cfg_rd(&dev, 0, 4);
	uint64_t rev = cfg_rd(&dev, PCI_REVISION_ID, 1);
	uint64_t ssid = cfg_rd(&dev, PCI_SUBSYSTEM_ID, 2);
	struct vfio_region_info *ri = NULL;
	int ret;

	tap_result(id32 == 0x10001af4 && rev == 0 && ssid == 1, t("config_ids"),
		   "id %#llx rev %llu subsystem %#llx",
		   (unsigned long long)id32, (unsigned long long)rev,
		   (unsigned long long)ssid);
	ret = vt_region_info(dev.fd, BAR0, &ri);
	bar0_size = ri ? ri->size : 0;
	tap_result(!ret && bar0_size == 32, t("bar0_region_info"),
		   "ret %d size %u", ret, bar0_size);
	free(ri);
}

/* Reads of every width at every offset past the host features. */
static void ref_diff(struct vt_dev *ref, const char *name)
{
	static const int widths[] = { 1, 2, 4 };
	unsigned int off, i, bad = 0, n = 0;
	char first[160] = "";

	for (i = 0; i < 3; i++) {
		for (off = 4; off + widths[i] <= bar0_size; off++) {
			uint64_t a = ~0ull, b = ~0ull;
			ssize_t na, nb;

			na = vt_region_read(ref, BAR0, off, widths[i], &a);
			nb = vt_region_read(&dev, BAR0, off, widths[i], &b);
			n++;
			if (na == nb && a == b)
				continue;
			if (!bad++)
				snprintf(first, sizeof(first),
					 "%d@%u: transitional %zd/%#llx, ours %zd/%#llx",
					 widths[i], off, na,
					 (unsigned long long)a, nb,
					 (unsigned long long)b);
		}
	}
	tap_result(!bad && n, t(name), "%u of %u reads differ, first %s", bad,
		   n, first);
}

static void check_ref(const char *bdf)
{
	struct vfio_region_info *ri = NULL;
	uint64_t hf = ~0ull, rhf = ~0ull;
	uint32_t ours, theirs;
	struct vt_dev ref;
	int ret;

	ret = vt_bind_open(&ref, bdf, "vfio-pci");
	if (!tap_result(!ret, t("ref/open"), "%s: %s", bdf, strerror(-ret)))
		return;
	ours = size_bar0(&dev);
	theirs = size_bar0(&ref);
	tap_result(ours == theirs, t("ref/bar0_sizing_matches"),
		   "vfpci_virtio %#x, transitional %#x", ours, theirs);
	ret = vt_region_info(ref.fd, BAR0, &ri);
	tap_result(!ret && ri->size == bar0_size, t("ref/bar0_size_matches"),
		   "transitional %llu, ours %u",
		   ri ? (unsigned long long)ri->size : 0, bar0_size);
	free(ri);
	tap_result(cfg_rd(&ref, PCI_DEVICE_ID, 2) == cfg_rd(&dev, PCI_DEVICE_ID, 2) &&
		   cfg_rd(&ref, PCI_SUBSYSTEM_ID, 2) ==
		   cfg_rd(&dev, PCI_SUBSYSTEM_ID, 2), t("ref/ids_match"),
		   "transitional %#llx, ours %#llx",
		   (unsigned long long)cfg_rd(&ref, PCI_DEVICE_ID, 2),
		   (unsigned long long)cfg_rd(&dev, PCI_DEVICE_ID, 2));

	vt_cfg_write(&ref, PCI_COMMAND, 2, PCI_COMMAND_IO);
	vt_cfg_write(&dev, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	vt_region_write(&ref, BAR0, VIRTIO_PCI_STATUS, 1, 0);
	leg_wr(VIRTIO_PCI_STATUS, 1, 0);
	ref_diff(&ref, "ref/reads_match_transitional");

	/* Both offer MRG_RXBUF; what else differs is for the log. */
	vt_region_read(&ref, BAR0, VIRTIO_PCI_HOST_FEATURES, 4, &rhf);
	hf = leg_rd(VIRTIO_PCI_HOST_FEATURES, 4);
	tap_diag("host features: transitional %#llx, ours %#llx",
		 (unsigned long long)rhf, (unsigned long long)hf);
	tap_result(rhf & hf & 1u << VIRTIO_NET_F_MRG_RXBUF,
		   t("ref/both_offer_mrg_rxbuf"), "transitional %#llx ours %#llx",
		   (unsigned long long)rhf, (unsigned long long)hf);

	/* The same with MSI-X on: the config window moves to 24 on both. */
	{
		int e1 = vt_eventfd(), e2 = vt_eventfd();

		ret = vt_irq_set_eventfds(ref.fd, VFIO_PCI_MSIX_IRQ_INDEX, 0,
					  1, &e1);
		ret = ret ? ret : vt_irq_set_eventfds(dev.fd,
						      VFIO_PCI_MSIX_IRQ_INDEX,
						      0, 1, &e2);
		tap_result(!ret, t("ref/msix_enable"), "%s", strerror(-ret));
		ref_diff(&ref, "ref/reads_match_transitional_msix");
		vt_irq_disable(ref.fd, VFIO_PCI_MSIX_IRQ_INDEX);
		vt_irq_disable(dev.fd, VFIO_PCI_MSIX_IRQ_INDEX);
		close(e1);
		close(e2);
	}
	vt_close(&ref);
}

/* ---- features ---- */

static uint32_t legacy_mask(void)
{
	return (0xffffffu & ~(1u << VIRTIO_NET_F_GSO)) |
	       1u << VIRTIO_RING_F_INDIRECT_DESC | 1u << VIRTIO_RING_F_EVENT_IDX;
}

/* ACK, DRIVER, features @gf (no EVENT_IDX: every buffer interrupts). */
static uint32_t negotiate(const char *tag, bool mrg)
{
	uint32_t hf, df0, gf;
	char n[64];
	uint64_t v;

	leg_wr(VIRTIO_PCI_STATUS, 1, 0);
	leg_wr(VIRTIO_PCI_STATUS, 1, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	leg_wr(VIRTIO_PCI_STATUS, 1, VIRTIO_CONFIG_S_ACKNOWLEDGE |
	       VIRTIO_CONFIG_S_DRIVER);
	hf = leg_rd(VIRTIO_PCI_HOST_FEATURES, 4);
	mod_wr(&common, VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	df0 = mod_rd(&common, VIRTIO_PCI_COMMON_DF, 4);
	snprintf(n, sizeof(n), "%s/host_features", tag);
	tap_result(hf == ((df0 & legacy_mask()) | 1u << VIRTIO_F_ANY_LAYOUT) &&
		   hf & 1u << VIRTIO_NET_F_MRG_RXBUF &&
		   !(hf & 1u << VIRTIO_NET_F_GSO), t(n),
		   "legacy %#x, modern low word %#x", hf, df0);

	gf = hf & ~(1u << VIRTIO_RING_F_EVENT_IDX);
	if (!mrg)
		gf &= ~(1u << VIRTIO_NET_F_MRG_RXBUF);
	leg_wr(VIRTIO_PCI_GUEST_FEATURES, 4, gf);
	v = leg_rd(VIRTIO_PCI_GUEST_FEATURES, 4);
	snprintf(n, sizeof(n), "%s/guest_features", tag);
	tap_result(v == gf, t(n), "wrote %#x, reads %#llx", gf,
		   (unsigned long long)v);
	return gf;
}

static uint64_t used_off(unsigned int num)
{
	return (16ull * num + 2 * (3 + num) + 4095) & ~4095ull;
}

/* Queue @q's legacy ring; the PFN write's result. */
static ssize_t setup_queue(uint16_t q)
{
	struct vq *vq = &vqs[q];

	leg_wr(VIRTIO_PCI_QUEUE_SEL, 2, q);
	vq->num = leg_rd(VIRTIO_PCI_QUEUE_NUM, 2);
	vq->ring = ring_mem + q * RING_STEP;
	vq->avail = vq->used_seen = 0;
	memset(vq->ring, 0, RING_STEP);
	if (!vq->num || used_off(vq->num) + 6 + 8 * vq->num > RING_STEP)
		return -ENOSPC;
	return leg_wr(VIRTIO_PCI_QUEUE_PFN, 4, (RING_IOVA + q * RING_STEP) >> 12);
}

static bool queue_programmed(uint16_t q)
{
	uint64_t desc = RING_IOVA + q * RING_STEP;

	return mq_rd64(q, VIRTIO_PCI_COMMON_Q_DESCLO) == desc &&
	       mq_rd64(q, VIRTIO_PCI_COMMON_Q_AVAILLO) == desc + 16ull * vqs[q].num &&
	       mq_rd64(q, VIRTIO_PCI_COMMON_Q_USEDLO) == desc + used_off(vqs[q].num) &&
	       mq_rd(q, VIRTIO_PCI_COMMON_Q_ENABLE, 2) == 1;
}

/* rx 0, tx 1, control 2 (CTRL_VQ, no MQ), then DRIVER_OK. */
static bool start(const char *tag, uint32_t gf)
{
	uint16_t nq = gf & 1u << VIRTIO_NET_F_CTRL_VQ ? 3 : 2, q;
	bool ok = true;
	char n[64];

	for (q = 0; q < nq; q++) {
		ssize_t r = setup_queue(q);

		snprintf(n, sizeof(n), "%s/queue%u_programmed", tag, q);
		ok &= tap_result(r == 4 && queue_programmed(q), t(n),
				 "PFN write %zd, num %u, enable %llu", r,
				 vqs[q].num, (unsigned long long)
				 mq_rd(q, VIRTIO_PCI_COMMON_Q_ENABLE, 2));
	}
	leg_wr(VIRTIO_PCI_STATUS, 1, 3 | VIRTIO_CONFIG_S_DRIVER_OK);
	snprintf(n, sizeof(n), "%s/driver_ok", tag);
	ok &= tap_result(mst() == 0xf && leg_rd(VIRTIO_PCI_STATUS, 1) == 7, t(n),
			 "modern %#llx legacy %#llx", (unsigned long long)mst(),
			 (unsigned long long)leg_rd(VIRTIO_PCI_STATUS, 1));
	return ok;
}

/*
 * A driver without MRG_RXBUF: refused at its first queue (EINVAL, nothing
 * programmed) and at DRIVER_OK; STATUS shows NEEDS_RESET until status 0.
 */
static void check_refusal(void)
{
	uint32_t gf = negotiate("no_mrg", false);
	ssize_t r;
	uint64_t v;
	int rc;

	r = setup_queue(0);
	tap_result(r == -EINVAL && mq_rd(0, VIRTIO_PCI_COMMON_Q_ENABLE, 2) == 0 &&
		   !(mst() & VIRTIO_CONFIG_S_FEATURES_OK),
		   t("no_mrg/queue_pfn_einval"),
		   "PFN write %zd, enable %llu, modern status %#llx", r,
		   (unsigned long long)mq_rd(0, VIRTIO_PCI_COMMON_Q_ENABLE, 2),
		   (unsigned long long)mst());
	leg_wr(VIRTIO_PCI_QUEUE_SEL, 2, 0);
	tap_result(leg_rd(VIRTIO_PCI_QUEUE_PFN, 4) == 0,
		   t("no_mrg/queue_pfn_reads_0"), "PFN %#llx",
		   (unsigned long long)leg_rd(VIRTIO_PCI_QUEUE_PFN, 4));
	v = leg_rd(VIRTIO_PCI_STATUS, 1);
	tap_result(v == (3 | VIRTIO_CONFIG_S_NEEDS_RESET),
		   t("no_mrg/status_needs_reset"), "legacy status %#llx",
		   (unsigned long long)v);
	r = leg_wr(VIRTIO_PCI_STATUS, 1, 3 | VIRTIO_CONFIG_S_DRIVER_OK);
	tap_result(r == -EINVAL && !(mst() & (VIRTIO_CONFIG_S_DRIVER_OK |
					      VIRTIO_CONFIG_S_FEATURES_OK)),
		   t("no_mrg/driver_ok_einval"), "write %zd, modern status %#llx",
		   r, (unsigned long long)mst());
	/* Features accepted late do not undo the refusal: only a reset. */
	leg_wr(VIRTIO_PCI_GUEST_FEATURES, 4, gf | 1u << VIRTIO_NET_F_MRG_RXBUF);
	r = setup_queue(0);
	tap_result(r == -EINVAL, t("no_mrg/sticky_until_reset"),
		   "PFN write after MRG_RXBUF %zd", r);
	rc = system("dmesg | grep -q 'did not accept MRG_RXBUF'");
	tap_result(rc == 0, t("no_mrg/kernel_log"), "grep status %d", rc);

	leg_wr(VIRTIO_PCI_STATUS, 1, 0);
	v = leg_rd(VIRTIO_PCI_STATUS, 1);
	tap_result(v == 0 && mst() == 0, t("no_mrg/status_0_clears"),
		   "legacy %#llx modern %#llx", (unsigned long long)v,
		   (unsigned long long)mst());
}

/* A DRIVER_OK without any queue is refused too. */
static void check_refusal_driver_ok(void)
{
	ssize_t r;

	negotiate("no_mrg_no_queue", false);
	r = leg_wr(VIRTIO_PCI_STATUS, 1, 3 | VIRTIO_CONFIG_S_DRIVER_OK);
	tap_result(r == -EINVAL && mst() == 3 &&
		   leg_rd(VIRTIO_PCI_STATUS, 1) == (3 | VIRTIO_CONFIG_S_NEEDS_RESET),
		   t("no_mrg_no_queue/driver_ok_einval"),
		   "write %zd modern %#llx legacy %#llx", r,
		   (unsigned long long)mst(),
		   (unsigned long long)leg_rd(VIRTIO_PCI_STATUS, 1));
	leg_wr(VIRTIO_PCI_STATUS, 1, 0);
}

/* ---- packets ---- */

static void add_buf(uint16_t q, uint64_t iova, uint32_t len, bool write)
{
	struct vq *vq = &vqs[q];
	struct vring_desc *d = (struct vring_desc *)vq->ring;
	struct vring_avail *av = (struct vring_avail *)(vq->ring + 16 * vq->num);
	uint16_t slot = vq->avail % vq->num;

	d[slot] = (struct vring_desc){ iova, len,
				       write ? VRING_DESC_F_WRITE : 0, 0 };
	av->ring[slot] = slot;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	av->idx = ++vq->avail;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	leg_wr(VIRTIO_PCI_QUEUE_NOTIFY, 2, q);
}

/* The used length of queue @q's next buffer, or -1 after 3 s. */
static int64_t wait_used(uint16_t q)
{
	struct vq *vq = &vqs[q];
	struct vring_used *us = (struct vring_used *)(vq->ring + used_off(vq->num));
	uint64_t end = now_ms() + 3000;
	uint32_t len;

	while (*(volatile uint16_t *)&us->idx == vq->used_seen && now_ms() < end)
		usleep(1000);
	if (*(volatile uint16_t *)&us->idx == vq->used_seen)
		return -1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	len = us->ring[vq->used_seen % vq->num].len;
	vq->used_seen++;
	return len;
}

/* An ARP request from 10.0.2.15 for 10.0.2.2, after a zero header. */
static void put_arp(uint8_t *p)
{
	static const uint8_t arp[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0,
		0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
		0, 0, 0, 0, 0, 0, 10, 0, 2, 15,
		0, 0, 0, 0, 0, 0, 10, 0, 2, 2,
	};

	memset(p, 0, HDR);
	memcpy(p + HDR, arp, sizeof(arp));
	memcpy(p + HDR + 6, mac, 6);
	memcpy(p + HDR + 22, mac, 6);
}

/* Whether @p (header first) is the gateway's ARP reply to us. */
static bool is_arp_reply(const uint8_t *p, int64_t len, char *why, size_t wl)
{
	const struct virtio_net_hdr_mrg_rxbuf *h = (const void *)p;
	const uint8_t *f = p + HDR;
	static const uint8_t gw[4] = { 10, 0, 2, 2 };

	if (len < HDR + ARP_LEN || h->num_buffers != 1) {
		snprintf(why, wl, "len %lld num_buffers %u", (long long)len,
			 h->num_buffers);
		return false;
	}
	if (memcmp(f, mac, 6) || f[12] != 0x08 || f[13] != 0x06 ||
	    f[21] != 2 || memcmp(f + 28, gw, 4) || memcmp(f + 32, mac, 6)) {
		snprintf(why, wl, "frame: dst %02x:..:%02x type %02x%02x op %u sender ip %u.%u.%u.%u",
			 f[0], f[5], f[12], f[13], f[21], f[28], f[29],
			 f[30], f[31]);
		return false;
	}
	return true;
}

/* One ARP round trip; false with @why filled when it fails. */
static bool arp_round_trip(char *why, size_t wl)
{
	int64_t tx, rx;

	memset(bufs, 0xee, RX_LEN);
	add_buf(0, BUF_IOVA, RX_LEN, true);
	put_arp(bufs + 0x1000);
	add_buf(1, BUF_IOVA + 0x1000, HDR + ARP_LEN, false);
	tx = wait_used(1);
	rx = wait_used(0);
	if (tx < 0 || rx < 0) {
		snprintf(why, wl, "tx used %lld, rx used %lld, modern status %#llx",
			 (long long)tx, (long long)rx,
			 (unsigned long long)mst());
		return false;
	}
	return is_arp_reply(bufs, rx, why, wl);
}

static void check_mac_window(const char *tag, uint32_t at)
{
	uint8_t got[6];
	unsigned int i;
	uint64_t st;
	char n[64];

	for (i = 0; i < 6; i++)
		got[i] = leg_rd(at + i, 1);
	st = leg_rd(at + 6, 2);
	snprintf(n, sizeof(n), "%s/mac_status_at_%u", tag, at);
	tap_result(!memcmp(got, mac, 6) && st == VIRTIO_NET_S_LINK_UP &&
		   st == mod_rd(&devcfg, 6, 2), t(n),
		   "mac %02x:%02x:%02x:%02x:%02x:%02x status %#llx", got[0],
		   got[1], got[2], got[3], got[4], got[5],
		   (unsigned long long)st);
}

static void intx_unmask(void)
{
	struct vfio_irq_set s = {
		.argsz = sizeof(s), .index = VFIO_PCI_INTX_IRQ_INDEX,
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
		.start = 0, .count = 1,
	};

	ioctl(dev.fd, VFIO_DEVICE_SET_IRQS, &s);
}

static void check_traffic_intx(const char *tag)
{
	char why[160] = "", n[64];
	int efd = vt_eventfd();
	uint64_t i1, i2;
	int64_t got;
	int ret;

	ret = vt_irq_set_eventfds(dev.fd, VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &efd);
	snprintf(n, sizeof(n), "%s/intx_eventfd", tag);
	tap_result(!ret, t(n), "SET_IRQS: %s", strerror(-ret));
	snprintf(n, sizeof(n), "%s/arp_round_trip", tag);
	tap_result(arp_round_trip(why, sizeof(why)), t(n), "%s", why);
	got = vt_eventfd_wait(efd, 2000);
	i1 = leg_rd(VIRTIO_PCI_ISR, 1);
	i2 = leg_rd(VIRTIO_PCI_ISR, 1);
	snprintf(n, sizeof(n), "%s/intx_isr", tag);
	tap_result(got > 0 && (i1 & 1) && i2 == 0, t(n),
		   "eventfd %lld, ISR %#llx then %#llx", (long long)got,
		   (unsigned long long)i1, (unsigned long long)i2);
	intx_unmask();
	vt_irq_disable(dev.fd, VFIO_PCI_INTX_IRQ_INDEX);
	close(efd);
}

static void check_traffic_msix(void)
{
	int efd[3] = { vt_eventfd(), vt_eventfd(), vt_eventfd() };
	char why[160] = "";
	uint64_t v, mv;
	int64_t rxi;
	int ret;

	ret = vt_irq_set_eventfds(dev.fd, VFIO_PCI_MSIX_IRQ_INDEX, 0, 3, efd);
	tap_result(!ret, t("msix/enable"), "SET_IRQS: %s", strerror(-ret));
	check_mac_window("msix", VIRTIO_PCI_CONFIG_OFF(1));
	leg_wr(VIRTIO_MSI_CONFIG_VECTOR, 2, 0);
	leg_wr(VIRTIO_PCI_QUEUE_SEL, 2, 0);
	leg_wr(VIRTIO_MSI_QUEUE_VECTOR, 2, 1);
	v = leg_rd(VIRTIO_MSI_QUEUE_VECTOR, 2);
	mv = mq_rd(0, VIRTIO_PCI_COMMON_Q_MSIX, 2);
	leg_wr(VIRTIO_PCI_QUEUE_SEL, 2, 1);
	leg_wr(VIRTIO_MSI_QUEUE_VECTOR, 2, 2);
	tap_result(v == 1 && mv == 1 && mq_rd(1, VIRTIO_PCI_COMMON_Q_MSIX, 2) == 2 &&
		   mod_rd(&common, VIRTIO_PCI_COMMON_MSIX, 2) == 0,
		   t("msix/vectors"), "rx legacy %#llx modern %#llx",
		   (unsigned long long)v, (unsigned long long)mv);
	vt_eventfd_drain(efd[1]);
	vt_eventfd_drain(efd[2]);
	tap_result(arp_round_trip(why, sizeof(why)), t("msix/arp_round_trip"),
		   "%s", why);
	rxi = vt_eventfd_wait(efd[1], 2000);
	tap_result(rxi > 0 && vt_eventfd_wait(efd[2], 2000) > 0,
		   t("msix/rx_tx_vectors_fire"), "rx vector %lld",
		   (long long)rxi);
	vt_irq_disable(dev.fd, VFIO_PCI_MSIX_IRQ_INDEX);
	check_mac_window("msix_off", VIRTIO_PCI_CONFIG_OFF(0));
	close(efd[0]);
	close(efd[1]);
	close(efd[2]);
}

/* Status 0, then a device reset, each right after a kick: then it works. */
static void check_reset_mid_traffic(void)
{
	char why[160] = "";
	int ret;

	add_buf(0, BUF_IOVA, RX_LEN, true);
	put_arp(bufs + 0x1000);
	add_buf(1, BUF_IOVA + 0x1000, HDR + ARP_LEN, false);
	leg_wr(VIRTIO_PCI_STATUS, 1, 0);
	tap_result(mst() == 0 && !mq_rd(0, VIRTIO_PCI_COMMON_Q_ENABLE, 2) &&
		   !mq_rd(1, VIRTIO_PCI_COMMON_Q_ENABLE, 2),
		   t("reset_mid_traffic/status_0"), "modern status %#llx",
		   (unsigned long long)mst());
	start("after_status_0", negotiate("after_status_0", true));
	tap_result(arp_round_trip(why, sizeof(why)),
		   t("after_status_0/arp_round_trip"), "%s", why);

	add_buf(0, BUF_IOVA, RX_LEN, true);
	put_arp(bufs + 0x1000);
	add_buf(1, BUF_IOVA + 0x1000, HDR + ARP_LEN, false);
	ret = ioctl(dev.fd, VFIO_DEVICE_RESET);
	vt_cfg_write(&dev, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
		     PCI_COMMAND_MASTER);
	tap_result(!ret && leg_rd(VIRTIO_PCI_STATUS, 1) == 0 &&
		   leg_rd(VIRTIO_PCI_GUEST_FEATURES, 4) == 0,
		   t("reset_mid_traffic/device_reset"), "RESET %d (%s)", ret,
		   ret ? strerror(errno) : "ok");
	start("after_device_reset", negotiate("after_device_reset", true));
	tap_result(arp_round_trip(why, sizeof(why)),
		   t("after_device_reset/arp_round_trip"), "%s", why);
	leg_wr(VIRTIO_PCI_STATUS, 1, 0);
}

/* Dropping MRG_RXBUF with queues live stops the device. */
static void check_late_drop(void)
{
	uint32_t gf = negotiate("late_drop", true);
	char why[160] = "";
	ssize_t r;

	start("late_drop", gf);
	r = leg_wr(VIRTIO_PCI_GUEST_FEATURES, 4,
		   gf & ~(1u << VIRTIO_NET_F_MRG_RXBUF));
	tap_result(r == -EINVAL && mst() == 0 &&
		   !mq_rd(0, VIRTIO_PCI_COMMON_Q_ENABLE, 2) &&
		   leg_rd(VIRTIO_PCI_STATUS, 1) == VIRTIO_CONFIG_S_NEEDS_RESET,
		   t("late_drop/stops_device"),
		   "write %zd, modern status %#llx, legacy %#llx", r,
		   (unsigned long long)mst(),
		   (unsigned long long)leg_rd(VIRTIO_PCI_STATUS, 1));
	start("after_late_drop", negotiate("after_late_drop", true));
	tap_result(arp_round_trip(why, sizeof(why)),
		   t("after_late_drop/arp_round_trip"), "%s", why);
	leg_wr(VIRTIO_PCI_STATUS, 1, 0);
}

int main(int argc, char **argv)
{
	const char *ref = NULL, *nomrg = NULL, *bdf;
	bool after = false;
	uint32_t gf;
	void *p;
	int opt, ret;

	while ((opt = getopt(argc, argv, "r:m:a")) != -1) {
		if (opt == 'r')
			ref = optarg;
		else if (opt == 'm')
			nomrg = optarg;
		else if (opt == 'a')
			after = true;
		else
			return 2;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: %s [-r REF_BDF] [-m NOMRG_BDF] [-a] BDF\n",
			argv[0]);
		return 2;
	}
	bdf = argv[optind];
	if (after)
		prefix = "after_fuzz/";

	if (nomrg) {
		ret = pci_bind(nomrg, DRV);
		tap_result(ret == -ENODEV, t("refuses_device_without_mrg_rxbuf"),
			   "binding %s: %s", nomrg, ret ? strerror(-ret) : "bound");
	}
	ret = vt_bind_open(&dev, bdf, DRV);
	if (!tap_result(!ret, t("bind_open"), "%s: %s", bdf, strerror(-ret)))
		return tap_summary();
	if (!tap_result(!find_caps(), t("modern_caps_visible"), "missing"))
		return tap_summary();
	check_ids();
	if (ref)
		check_ref(ref);

	ret = vt_dma_map(&dev, RING_IOVA, RING_SIZE, &p);
	ring_mem = p;
	ret = ret ? ret : vt_dma_map(&dev, BUF_IOVA, BUF_SIZE, &p);
	bufs = p;
	if (!tap_result(!ret, t("dma_map"), "%s", strerror(-ret)))
		return tap_summary();
	vt_cfg_write(&dev, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
		     PCI_COMMAND_MASTER);

	if (!after) {
		check_mac_window("intx", VIRTIO_PCI_CONFIG_OFF(0));
		check_refusal();
		check_refusal_driver_ok();
	}
	gf = negotiate("first", true);
	tap_diag("negotiated legacy features %#x", gf);
	if (start("first", gf)) {
		check_traffic_intx("first");
		if (!after) {
			check_traffic_msix();
			check_reset_mid_traffic();
			check_late_drop();
		}
	}
	vt_close(&dev);
	return tap_summary();
}
