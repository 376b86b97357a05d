// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hold a device open, like a VM would, and report what the driver tells
 * its user: "event err" when the ERR eventfd fires (AER), "event req" when
 * the REQ eventfd fires (the device is being unbound or unplugged).  On REQ
 * the holder lets go of the device, as QEMU does, and exits.  BAR0 is kept
 * mapped and INTx or MSI enabled while holding, so the release paths have
 * something to tear down.
 *
 * Usage: hold_events --driver NAME [--seconds N] BDF
 * Prints "# ready" once everything is set up.  Exit 0 after a REQ, 1 on
 * error or when N seconds pass without one.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vfpci_test.h"

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* Wire one eventfd to @index if the device offers it; -1 if not. */
static int arm_eventfd(struct vt_dev *d, uint32_t index)
{
	struct vfio_irq_info info;
	int efd;

	if (vt_irq_info(d->fd, index, &info) || !info.count)
		return -1;
	efd = vt_eventfd();
	if (efd < 0 || vt_irq_set_eventfds(d->fd, index, 0, 1, &efd)) {
		if (efd >= 0)
			close(efd);
		return -1;
	}
	return efd;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "driver", required_argument, NULL, 'd' },
		{ "seconds", required_argument, NULL, 's' },
		{}
	};
	const char *driver = "vfpci";
	int seconds = 60, c, err_fd, req_fd, irq_fd, ret;
	struct pollfd p[2];
	size_t mapped = 0;
	struct vt_dev d;
	void *bar = NULL;
	uint64_t cmd;
	time_t end;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			driver = optarg;
		else if (c == 's')
			seconds = atoi(optarg);
		else
			return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: hold_events --driver NAME [--seconds N] BDF\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);

	ret = vt_bind_open(&d, argv[optind], driver);
	if (ret) {
		printf("# open %s with %s: %s\n", argv[optind], driver,
		       strerror(-ret));
		return 1;
	}
	err_fd = arm_eventfd(&d, VFIO_PCI_ERR_IRQ_INDEX);
	req_fd = arm_eventfd(&d, VFIO_PCI_REQ_IRQ_INDEX);
	if (req_fd < 0) {
		printf("# no REQ eventfd\n");
		return 1;
	}

	/* Memory decode and bus master on, a live mapping and a live IRQ. */
	if (vt_cfg_read(&d, 0x04, 2, &cmd) == 2)
		vt_cfg_write(&d, 0x04, 2, cmd | 0x6);
	bar = vt_mmap_region(&d, 0, 0, &mapped);
	irq_fd = arm_eventfd(&d, VFIO_PCI_MSI_IRQ_INDEX);
	if (irq_fd < 0)
		irq_fd = arm_eventfd(&d, VFIO_PCI_INTX_IRQ_INDEX);
	printf("# ready err=%s bar=%s irq=%s\n", err_fd >= 0 ? "yes" : "no",
	       bar ? "mapped" : "none", irq_fd >= 0 ? "yes" : "no");

	p[0] = (struct pollfd){ .fd = req_fd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = err_fd, .events = POLLIN };
	end = time(NULL) + seconds;
	ret = 1;
	while (!stop && time(NULL) < end) {
		if (poll(p, err_fd >= 0 ? 2 : 1, 200) <= 0)
			continue;
		if (err_fd >= 0 && (p[1].revents & POLLIN)) {
			vt_eventfd_drain(err_fd);
			printf("event err\n");
		}
		if (p[0].revents & POLLIN) {
			vt_eventfd_drain(req_fd);
			printf("event req\n");
			ret = 0;
			break;
		}
	}

	if (bar)
		munmap(bar, mapped);
	vt_close(&d);
	printf("# released\n");
	return ret;
}
