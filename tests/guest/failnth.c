// SPDX-License-Identifier: GPL-2.0-only
/*
 * failnth: walk the allocation-failure paths of the device-fd uAPI with
 * the kernel's fault injection (/proc/thread-self/fail-nth; needs
 * CONFIG_FAULT_INJECTION and FAILSLAB: the debug kernel of
 * scripts/build-kernel).
 *
 * For each operation, attempt N fails the N-th slab allocation of that one
 * system call, for N = 1, 2, ... until the call completes without using
 * its N-th allocation.  A failed attempt must return an error (or succeed
 * if the code has a fallback), leave no splat or leak (the harness checks
 * the log and kmemleak), and the same call without injection right after
 * must succeed.  After the walk the device must still work.
 *
 * Usage: failnth [-m] [-d DRIVER] BDF
 *   binds the device to DRIVER first (else uses the one it has); -m adds
 *   the vfpci_edu migration and DMA logging cases.
 * TAP lines: failnth/DRIVER/CASE, with the number of faults injected and
 * the errnos seen, so that runs on vfio-pci and on ours can be compared.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/pci_regs.h>
#include <unistd.h>

#include "vfpci_test.h"

#define MAX_NTH		4000
#define EDU_LIVENESS	0x04

static int nth_fd;
static struct vt_dev dev;
static int efd;
static int data_fd = -1;
static bool mig;

/* Arm the N-th allocation of the next system calls to fail. */
static void nth_arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(nth_fd, buf, len, 0) != len)
		abort();
}

/* Disarm; true when the armed fault was injected (the counter hit 0). */
static bool nth_disarm(void)
{
	char buf[16] = "";

	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) <= 0)
		abort();
	if (pwrite(nth_fd, "0", 1, 0) != 1)
		abort();
	return strtoul(buf, NULL, 10) == 0;
}

/*
 * One operation under test: @prep (optional, not under injection) sets
 * it up, @op returns 0 or -errno, @undo reverts both.
 */
struct fcase {
	const char *name;
	bool nvme;		/* needs MSI-X, sparse mmap, a reset method */
	bool mig;		/* vfpci_edu only */
	int (*op)(void);
	void (*undo)(void);
	int (*prep)(void);
};

static int sys(long ret)
{
	return ret < 0 ? -errno : 0;
}

/* ---- open: the first open enables the device ---- */

static int open_fd = -1;

/* Close the only device fd: the next open is a first open again. */
static int close_device_fd(void)
{
	close(dev.fd);
	dev.fd = -1;
	return 0;
}

static int op_open_first(void)
{
	dev.fd = ioctl(dev.group, VFIO_GROUP_GET_DEVICE_FD, dev.bdf);
	return sys(dev.fd);
}

static int op_open_second(void)
{
	open_fd = ioctl(dev.group, VFIO_GROUP_GET_DEVICE_FD, dev.bdf);
	return sys(open_fd);
}

static void undo_open_second(void)
{
	close(open_fd);
	open_fd = -1;
}

/* ---- information ---- */

static int op_region_info(void)
{
	struct vfio_region_info *info;
	int ret = vt_region_info(dev.fd, VFIO_PCI_BAR0_REGION_INDEX, &info);

	if (!ret)
		free(info);
	return ret;
}

static int op_hot_reset_info(void)
{
	struct {
		struct vfio_pci_hot_reset_info h;
		struct vfio_pci_dependent_device d[8];
	} info = { .h.argsz = sizeof(info) };

	return sys(ioctl(dev.fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &info));
}

static void undo_none(void)
{
}

/* ---- interrupts ---- */

static int set_irq(uint32_t index, uint32_t count)
{
	int fds[4] = { efd, efd, efd, efd };

	return vt_irq_set_eventfds(dev.fd, index, 0, count, fds);
}

static int op_intx(void)
{
	return set_irq(VFIO_PCI_INTX_IRQ_INDEX, 1);
}

static void undo_intx(void)
{
	vt_irq_disable(dev.fd, VFIO_PCI_INTX_IRQ_INDEX);
}

static int op_msi(void)
{
	return set_irq(VFIO_PCI_MSI_IRQ_INDEX, 1);
}

static void undo_msi(void)
{
	vt_irq_disable(dev.fd, VFIO_PCI_MSI_IRQ_INDEX);
}

static int op_msix(void)
{
	return set_irq(VFIO_PCI_MSIX_IRQ_INDEX, 4);
}

static void undo_msix(void)
{
	vt_irq_disable(dev.fd, VFIO_PCI_MSIX_IRQ_INDEX);
}

static int op_err(void)
{
	return set_irq(VFIO_PCI_ERR_IRQ_INDEX, 1);
}

static void undo_err(void)
{
	vt_irq_disable(dev.fd, VFIO_PCI_ERR_IRQ_INDEX);
}

/* ---- ioeventfd, mmap, reset ---- */

static int ioeventfd_set(int fd)
{
	struct vfio_device_ioeventfd io = {
		.argsz = sizeof(io),
		.flags = VFIO_DEVICE_IOEVENTFD_32,
		.data = 0x12345678,
		.fd = fd,
	};
	uint64_t off, size;
	int ret = vt_region_offset(dev.fd, VFIO_PCI_BAR0_REGION_INDEX, &off,
				   &size);

	if (ret)
		return ret;
	io.offset = off + EDU_LIVENESS;
	return sys(ioctl(dev.fd, VFIO_DEVICE_IOEVENTFD, &io));
}

static int op_ioeventfd(void)
{
	return ioeventfd_set(efd);
}

static void undo_ioeventfd(void)
{
	ioeventfd_set(-1);
}

static void *map;
static size_t map_len;

static int op_mmap(void)
{
	map = vt_mmap_region(&dev, VFIO_PCI_BAR0_REGION_INDEX, 4096, &map_len);
	return map ? 0 : -errno;
}

static void undo_mmap(void)
{
	munmap(map, map_len);
}

static int op_reset(void)
{
	return sys(ioctl(dev.fd, VFIO_DEVICE_RESET));
}

/* ---- vfpci_edu: migration and DMA logging ---- */

static int mig_state(uint32_t state, int *fd)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_mig_state s;
	} m = {
		.f.argsz = sizeof(m),
		.f.flags = VFIO_DEVICE_FEATURE_SET |
			   VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE,
		.s.device_state = state,
		.s.data_fd = -1,
	};
	int ret = sys(ioctl(dev.fd, VFIO_DEVICE_FEATURE, &m));

	if (fd)
		*fd = ret ? -1 : m.s.data_fd;
	return ret;
}

static int mig_get(void)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_mig_state s;
	} m = {
		.f.argsz = sizeof(m),
		.f.flags = VFIO_DEVICE_FEATURE_GET |
			   VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE,
	};
	int ret = sys(ioctl(dev.fd, VFIO_DEVICE_FEATURE, &m));

	return ret ? ret : (int)m.s.device_state;
}

/* Back to RUNNING whatever a failed arc left (ERROR needs a reset). */
static void mig_back_to_running(void)
{
	if (data_fd >= 0)
		close(data_fd);
	data_fd = -1;
	if (mig_state(VFIO_DEVICE_STATE_RUNNING, NULL))
		ioctl(dev.fd, VFIO_DEVICE_RESET);
}

static int op_stop_copy(void)
{
	return mig_state(VFIO_DEVICE_STATE_STOP_COPY, &data_fd);
}

static int op_resuming(void)
{
	return mig_state(VFIO_DEVICE_STATE_RESUMING, &data_fd);
}

static int op_stop_copy_read(void)
{
	char buf[8192];
	ssize_t n;

	do {
		n = read(data_fd, buf, sizeof(buf));
	} while (n > 0);
	return sys(n);
}

static int op_logging_start(void)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_dma_logging_control c;
	} m = {
		.f.argsz = sizeof(m),
		.f.flags = VFIO_DEVICE_FEATURE_SET |
			   VFIO_DEVICE_FEATURE_DMA_LOGGING_START,
		.c.page_size = 4096,
		.c.num_ranges = 1,
	};
	struct vfio_device_feature_dma_logging_range range = {
		.iova = 1 << 20,
		.length = 1 << 20,
	};

	m.c.ranges = (uintptr_t)&range;
	return sys(ioctl(dev.fd, VFIO_DEVICE_FEATURE, &m));
}

static void undo_logging(void)
{
	struct vfio_device_feature f = {
		.argsz = sizeof(f),
		.flags = VFIO_DEVICE_FEATURE_SET |
			 VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP,
	};

	ioctl(dev.fd, VFIO_DEVICE_FEATURE, &f);
}

static const struct fcase cases[] = {
	{ .name = "open_first", .prep = close_device_fd, .op = op_open_first,
	  .undo = undo_none },
	{ .name = "open_second", .op = op_open_second,
	  .undo = undo_open_second },
	{ .name = "region_info", .op = op_region_info, .undo = undo_none },
	{ .name = "hot_reset_info", .nvme = true, .op = op_hot_reset_info,
	  .undo = undo_none },
	{ .name = "set_irqs_intx", .op = op_intx, .undo = undo_intx },
	{ .name = "set_irqs_msi", .op = op_msi, .undo = undo_msi },
	{ .name = "set_irqs_msix", .nvme = true, .op = op_msix,
	  .undo = undo_msix },
	{ .name = "set_irqs_err", .nvme = true, .op = op_err,
	  .undo = undo_err },
	{ .name = "ioeventfd", .op = op_ioeventfd, .undo = undo_ioeventfd },
	{ .name = "mmap", .op = op_mmap, .undo = undo_mmap },
	{ .name = "reset", .nvme = true, .op = op_reset, .undo = undo_none },
	{ .name = "mig_stop_copy", .mig = true, .op = op_stop_copy,
	  .undo = mig_back_to_running },
	{ .name = "mig_stop_copy_read", .mig = true,
	  .prep = op_stop_copy, .op = op_stop_copy_read,
	  .undo = mig_back_to_running },
	{ .name = "mig_resuming", .mig = true, .op = op_resuming,
	  .undo = mig_back_to_running },
	{ .name = "dma_logging_start", .mig = true, .op = op_logging_start,
	  .undo = undo_logging },
};

/* After a failed attempt: a vfpci_edu arc may have left ERROR. */
static void after_failure(const struct fcase *c)
{
	if (c->mig)
		mig_back_to_running();
}

/* The device answers: identity through config space, BAR0 read back. */
static bool device_works(char *why, size_t len)
{
	uint64_t id = 0, v = 0;

	if (vt_cfg_read(&dev, 0, 4, &id) != 4 || id == 0xffffffff || !id) {
		snprintf(why, len, "config id %#llx", (unsigned long long)id);
		return false;
	}
	if (vt_region_read(&dev, VFIO_PCI_BAR0_REGION_INDEX, 0, 4, &v) != 4 ||
	    v == 0xffffffff) {
		snprintf(why, len, "BAR0 reads %#llx", (unsigned long long)v);
		return false;
	}
	if (mig && mig_get() != VFIO_DEVICE_STATE_RUNNING) {
		snprintf(why, len, "migration state %d, not RUNNING",
			 mig_get());
		return false;
	}
	if (dev.info.num_irqs > VFIO_PCI_MSI_IRQ_INDEX && !op_msi()) {
		struct vfio_irq_set trig = {
			.argsz = sizeof(trig),
			.flags = VFIO_IRQ_SET_DATA_NONE |
				 VFIO_IRQ_SET_ACTION_TRIGGER,
			.index = VFIO_PCI_MSI_IRQ_INDEX,
			.count = 1,
		};
		bool fired;

		vt_eventfd_drain(efd);
		ioctl(dev.fd, VFIO_DEVICE_SET_IRQS, &trig);
		fired = vt_eventfd_wait(efd, 1000) > 0;
		undo_msi();
		if (!fired) {
			snprintf(why, len, "MSI loopback trigger lost");
			return false;
		}
	}
	return true;
}

static void errno_add(char *list, size_t len, int err)
{
	char name[32];

	snprintf(name, sizeof(name), " %s", strerrorname_np(err) ?: "?");
	if (!strstr(list, name))
		strncat(list, name, len - strlen(list) - 1);
}

static void walk(const struct fcase *c)
{
	unsigned int n, injected = 0, tolerated = 0, bad = 0;
	char errs[128] = "", why[160] = "", name[96];
	bool done = false;
	int ret;

	snprintf(name, sizeof(name), "failnth/%s/%s", dev.driver, c->name);
	/* Only what works without injection has failure paths to walk. */
	ret = c->prep ? c->prep() : 0;
	ret = ret ? ret : c->op();
	if (ret) {
		after_failure(c);
		snprintf(why, sizeof(why), "not offered here: %s",
			 strerror(-ret));
		tap_skip(name, why);
		return;
	}
	c->undo();

	for (n = 1; n <= MAX_NTH && !done; n++) {
		ret = c->prep ? c->prep() : 0;
		if (ret) {
			snprintf(why, sizeof(why), "set-up failed: %s",
				 strerror(-ret));
			bad++;
			break;
		}
		nth_arm(n);
		ret = c->op();
		if (!nth_disarm()) {
			/* Fewer than n allocations: the walk is over. */
			done = true;
			if (ret && !bad++)
				snprintf(why, sizeof(why),
					 "uninjected call failed: %s",
					 strerror(-ret));
			if (!ret)
				c->undo();
			break;
		}
		injected++;
		if (ret) {
			errno_add(errs, sizeof(errs), -ret);
			after_failure(c);
		} else {
			/* A fallback absorbed the failure. */
			tolerated++;
			c->undo();
		}
		ret = c->prep ? c->prep() : 0;
		ret = ret ? ret : c->op();
		if (ret) {
			if (!bad++)
				snprintf(why, sizeof(why),
					 "retry after fault %u failed: %s", n,
					 strerror(-ret));
			after_failure(c);
		} else {
			c->undo();
		}
	}
	if (!done && !bad && !why[0] && ++bad)
		snprintf(why, sizeof(why), "still failing at fault %u", n);
	if (!bad && !device_works(why, sizeof(why)))
		bad++;
	tap_result(!bad, name, "%s", why);
	printf("# failnth/%s/%s: %u faults injected, %u absorbed, errnos:%s%s%s\n",
	       dev.driver, c->name, injected, tolerated,
	       errs[0] ? errs : " none", why[0] ? "; " : "", why);
}

int main(int argc, char **argv)
{
	const char *driver = NULL;
	uint64_t class = 0;
	bool nvme;
	unsigned int i;
	int ret, fd;

	while ((ret = getopt(argc, argv, "md:")) != -1) {
		if (ret == 'm')
			mig = true;
		else if (ret == 'd')
			driver = optarg;
		else
			return 2;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: %s [-m] [-d DRIVER] BDF\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (!tap_result(nth_fd >= 0, "failnth/available",
			"no fail-nth: %s (kernel without FAULT_INJECTION?)",
			strerror(errno)))
		return tap_summary();
	/* GFP_KERNEL allocations too; the faults stay quiet in the log. */
	fd = open("/sys/kernel/debug/failslab/ignore-gfp-wait", O_WRONLY);
	ret = fd >= 0 && write(fd, "N", 1) == 1;
	close(fd);
	fd = open("/sys/kernel/debug/failslab/verbose", O_WRONLY);
	ret = ret && fd >= 0 && write(fd, "0", 1) == 1;
	close(fd);
	if (!tap_result(ret, "failnth/failslab_setup", "debugfs failslab: %s",
			strerror(errno)))
		return tap_summary();

	efd = vt_eventfd();
	ret = driver ? vt_bind_open(&dev, argv[optind], driver) :
		       vt_open(&dev, argv[optind]);
	if (!tap_result(!ret, "failnth/open", "%s: %s", argv[optind],
			strerror(-ret)))
		return tap_summary();
	/* Class 01:08:02 (NVMe): MSI-X, ERR, a reset method, hot reset. */
	nvme = vt_cfg_read(&dev, PCI_CLASS_REVISION, 4, &class) == 4 &&
	       class >> 8 == 0x010802;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if ((cases[i].nvme && !nvme) || (cases[i].mig && !mig))
			continue;
		walk(&cases[i]);
	}
	vt_close(&dev);
	return tap_summary();
}
