// SPDX-License-Identifier: GPL-2.0-only
/*
 * intrs_diff: compare the interrupt uAPI (VFIO_DEVICE_GET_IRQ_INFO and
 * VFIO_DEVICE_SET_IRQS) of two drivers on twin devices.
 *
 * Usage: intrs_diff [--ref DRV] [--test DRV] EDU_A EDU_B [NVME_A NVME_B]
 *
 * EDU_A and NVME_A go to the reference driver (default vfio-pci), EDU_B
 * and NVME_B to the driver under test (default vfpci).  Every probe runs
 * on both devices and must observe the same results; a few observations
 * also carry an expected value (an interrupt that must arrive, one that
 * must not), checked per driver, so that two equally broken drivers do
 * not pass.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "vfpci_test.h"

/* Is the running kernel release maj.min or later? */
static bool kernel_since(int maj, int min)
{
	struct utsname u;
	int a = 0, b = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &a, &b) != 2)
		return false;
	return a > maj || (a == maj && b >= min);
}

#define EDU_RAISE	0x60
#define EDU_ACK		0x64
#define EDU_STATUS	0x24

#define WAIT_YES_MS	2000	/* an interrupt that must come */
#define WAIT_NO_MS	150	/* how long one that must not come may take */

#define MAX_VEC		8

static const char *ref_drv = "vfio-pci";
static const char *test_drv = "vfpci";

/* Per-driver tally of failed expectations, by driver name. */
static struct {
	const char *drv;
	int bad;
} expect_tally[2];

static void expect_fail(const char *drv, const char *label, long got,
			long want)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (!expect_tally[i].drv || !strcmp(expect_tally[i].drv, drv)) {
			expect_tally[i].drv = drv;
			expect_tally[i].bad++;
			break;
		}
	}
	tap_diag("%s: %s: got %ld, want %ld", drv, label, got, want);
}

/* Record @val under @label and check it against @want for this driver. */
static void obs_expect(struct vt_res *r, struct vt_dev *d, long val,
		       long want, const char *label)
{
	vt_res_add(r, 0, 0, val, "%s", label);
	if (val != want)
		expect_fail(d->driver, label, val, want);
}

/* Record the result of an ioctl (ret, errno) and expect errno @want_err. */
static void obs_ioctl(struct vt_res *r, struct vt_dev *d, int ret,
		      int want_err, const char *label)
{
	int err = ret < 0 ? errno : 0;

	vt_res_add(r, ret, err, 0, "%s", label);
	if (err != want_err)
		expect_fail(d->driver, label, err, want_err);
}

/* VFIO_DEVICE_SET_IRQS with @count elements of @elem bytes at @data. */
static int set_irqs(int fd, uint32_t flags, uint32_t index, uint32_t start,
		    uint32_t count, const void *data, size_t elem)
{
	size_t len = sizeof(struct vfio_irq_set) + count * elem;
	struct vfio_irq_set *set = calloc(1, len);
	int ret, err;

	if (!set) {
		errno = ENOMEM;
		return -1;
	}
	set->argsz = len;
	set->flags = flags;
	set->index = index;
	set->start = start;
	set->count = count;
	if (data && count && elem)
		memcpy(set->data, data, count * elem);
	ret = ioctl(fd, VFIO_DEVICE_SET_IRQS, set);
	err = errno;
	free(set);
	errno = err;
	return ret;
}

static int set_none(int fd, uint32_t action, uint32_t index, uint32_t start,
		    uint32_t count)
{
	return set_irqs(fd, VFIO_IRQ_SET_DATA_NONE | action, index, start,
			count, NULL, 0);
}

static int set_bool(int fd, uint32_t action, uint32_t index, uint32_t start,
		    uint32_t count, const uint8_t *b)
{
	return set_irqs(fd, VFIO_IRQ_SET_DATA_BOOL | action, index, start,
			count, b, 1);
}

static int set_fds(int fd, uint32_t action, uint32_t index, uint32_t start,
		   uint32_t count, const int32_t *fds)
{
	return set_irqs(fd, VFIO_IRQ_SET_DATA_EVENTFD | action, index, start,
			count, fds, 4);
}

static int set_fd1(int fd, uint32_t action, uint32_t index, int32_t efd)
{
	return set_fds(fd, action, index, 0, 1, &efd);
}

/* Events seen on @efd within @ms (0 if none). */
static long events(int efd, int ms)
{
	int64_t v = vt_eventfd_wait(efd, ms);

	return v < 0 ? -1 : (long)v;
}

static void edu_write(struct vt_dev *d, uint32_t reg, uint32_t val)
{
	vt_region_write(d, VFIO_PCI_BAR0_REGION_INDEX, reg, 4, val);
}

/* Acknowledge every pending edu interrupt. */
static void edu_ack(struct vt_dev *d)
{
	uint64_t st = 0;

	if (vt_region_read(d, VFIO_PCI_BAR0_REGION_INDEX, EDU_STATUS, 4,
			   &st) == 4 && st)
		edu_write(d, EDU_ACK, (uint32_t)st);
}

/* Memory decode and bus master on, INTx not disabled, in the user's view. */
static void enable_cmd(struct vt_dev *d)
{
	uint64_t cmd = 0;

	vt_cfg_read(d, PCI_COMMAND, 2, &cmd);
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	cmd &= ~(uint64_t)PCI_COMMAND_INTX_DISABLE;
	vt_cfg_write(d, PCI_COMMAND, 2, cmd);
}

/* ---- probes ---- */

static void probe_irq_info(struct vt_dev *d, long arg, struct vt_res *r)
{
	uint32_t i;

	(void)arg;
	for (i = 0; i <= VFIO_PCI_NUM_IRQS; i++) {
		struct vfio_irq_info info = { .argsz = sizeof(info),
					      .index = i };
		int ret = ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &info);

		VT_OBS(r, ret, info.count, "index %u count", i);
		vt_res_add(r, 0, 0, ret ? 0 : info.flags, "index %u flags", i);
	}
}

/* INTx from the device: delivery, automask, unmask, loopback, disable. */
static void probe_edu_intx(struct vt_dev *d, long arg, struct vt_res *r)
{
	int efd = vt_eventfd(), ufd = vt_eventfd();
	uint8_t one = 1, zero = 0;
	uint64_t one64 = 1;

	(void)arg;
	enable_cmd(d);
	edu_ack(d);
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				VFIO_PCI_INTX_IRQ_INDEX, efd), 0, "enable");
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				VFIO_PCI_MSI_IRQ_INDEX, efd), EINVAL,
		  "msi while intx");

	edu_write(d, EDU_RAISE, 1);
	obs_expect(r, d, events(efd, WAIT_YES_MS), 1, "raise delivers");
	obs_expect(r, d, events(efd, WAIT_NO_MS), 0, "level stays masked");

	/* Still asserted: unmask re-sends at once and stays masked. */
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_UNMASK,
				 VFIO_PCI_INTX_IRQ_INDEX, 0, 1), 0,
		  "unmask pending");
	obs_expect(r, d, events(efd, WAIT_YES_MS), 1, "unmask resends");

	edu_ack(d);
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_UNMASK,
				 VFIO_PCI_INTX_IRQ_INDEX, 0, 1), 0,
		  "unmask acked");
	obs_expect(r, d, events(efd, WAIT_NO_MS), 0, "no event after ack");
	edu_write(d, EDU_RAISE, 1);
	obs_expect(r, d, events(efd, WAIT_YES_MS), 1, "second raise");
	edu_ack(d);

	/* Unmask through an eventfd. */
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_UNMASK,
				VFIO_PCI_INTX_IRQ_INDEX, ufd), 0,
		  "unmask eventfd");
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_UNMASK,
				VFIO_PCI_INTX_IRQ_INDEX, ufd), EBUSY,
		  "unmask eventfd twice");
	obs_expect(r, d, write(ufd, &one64, 8), 8, "write unmask eventfd");
	obs_expect(r, d, events(efd, WAIT_NO_MS), 0, "nothing pending");
	edu_write(d, EDU_RAISE, 1);
	obs_expect(r, d, events(efd, WAIT_YES_MS), 1, "raise after irqfd");
	/* Unmask by irqfd while still asserted: re-sent by its thread. */
	obs_expect(r, d, write(ufd, &one64, 8), 8, "irqfd unmask pending");
	obs_expect(r, d, events(efd, WAIT_YES_MS), 1, "irqfd resends");
	edu_ack(d);
	obs_expect(r, d, write(ufd, &one64, 8), 8, "irqfd unmask acked");
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_UNMASK,
				VFIO_PCI_INTX_IRQ_INDEX, -1), 0,
		  "unmask eventfd off");

	/* Explicit mask holds a raise back until unmask. */
	obs_ioctl(r, d, set_bool(d->fd, VFIO_IRQ_SET_ACTION_MASK,
				 VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &one), 0,
		  "mask bool");
	edu_write(d, EDU_RAISE, 1);
	obs_expect(r, d, events(efd, WAIT_NO_MS), 0, "masked raise held");
	obs_ioctl(r, d, set_bool(d->fd, VFIO_IRQ_SET_ACTION_UNMASK,
				 VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &zero), 0,
		  "unmask bool 0");
	obs_expect(r, d, events(efd, WAIT_NO_MS), 0, "bool 0 keeps mask");
	obs_ioctl(r, d, set_bool(d->fd, VFIO_IRQ_SET_ACTION_UNMASK,
				 VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &one), 0,
		  "unmask bool 1");
	obs_expect(r, d, events(efd, WAIT_YES_MS), 1, "held raise arrives");
	edu_ack(d);
	set_none(d->fd, VFIO_IRQ_SET_ACTION_UNMASK, VFIO_PCI_INTX_IRQ_INDEX,
		 0, 1);
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_MASK,
				VFIO_PCI_INTX_IRQ_INDEX, ufd), ENOTTY,
		  "mask eventfd");

	/* Loopback. */
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				 VFIO_PCI_INTX_IRQ_INDEX, 0, 1), 0,
		  "loopback none");
	obs_expect(r, d, events(efd, WAIT_YES_MS), 1, "loopback none fires");
	obs_ioctl(r, d, set_bool(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				 VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &zero), 0,
		  "loopback bool 0");
	obs_expect(r, d, events(efd, WAIT_NO_MS), 0, "bool 0 silent");
	obs_ioctl(r, d, set_bool(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				 VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &one), 0,
		  "loopback bool 1");
	obs_expect(r, d, events(efd, WAIT_YES_MS), 1, "bool 1 fires");

	/* Swap the eventfd, then drop it: INTx stays enabled. */
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				VFIO_PCI_INTX_IRQ_INDEX, ufd), 0, "swap fd");
	edu_write(d, EDU_RAISE, 1);
	obs_expect(r, d, events(ufd, WAIT_YES_MS), 1, "new fd gets raise");
	obs_expect(r, d, events(efd, WAIT_NO_MS), 0, "old fd silent");
	edu_ack(d);
	set_none(d->fd, VFIO_IRQ_SET_ACTION_UNMASK, VFIO_PCI_INTX_IRQ_INDEX,
		 0, 1);
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				VFIO_PCI_INTX_IRQ_INDEX, -1), 0, "fd -1");
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_UNMASK,
				 VFIO_PCI_INTX_IRQ_INDEX, 0, 1), 0,
		  "still intx");

	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				 VFIO_PCI_INTX_IRQ_INDEX, 0, 0), 0, "disable");
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				 VFIO_PCI_INTX_IRQ_INDEX, 0, 0), EINVAL,
		  "disable twice");
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_UNMASK,
				 VFIO_PCI_INTX_IRQ_INDEX, 0, 1), EINVAL,
		  "unmask disabled");
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_MASK,
				 VFIO_PCI_INTX_IRQ_INDEX, 0, 1), EINVAL,
		  "mask disabled");
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				 VFIO_PCI_INTX_IRQ_INDEX, 0, 1), EINVAL,
		  "loopback disabled");
	/* Enable with no eventfd at all, then disable. */
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				VFIO_PCI_INTX_IRQ_INDEX, -1), 0,
		  "enable without fd");
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				 VFIO_PCI_INTX_IRQ_INDEX, 0, 0), 0,
		  "disable again");
	edu_ack(d);
	close(efd);
	close(ufd);
}

/* INTx disabled by the user in COMMAND holds delivery back. */
static void probe_edu_intx_cmd(struct vt_dev *d, long arg, struct vt_res *r)
{
	int efd = vt_eventfd();
	uint64_t cmd = 0;

	(void)arg;
	enable_cmd(d);
	edu_ack(d);
	vt_cfg_read(d, PCI_COMMAND, 2, &cmd);
	vt_cfg_write(d, PCI_COMMAND, 2, cmd | PCI_COMMAND_INTX_DISABLE);
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				VFIO_PCI_INTX_IRQ_INDEX, efd), 0, "enable");
	edu_write(d, EDU_RAISE, 1);
	obs_expect(r, d, events(efd, WAIT_NO_MS), 0, "held by DisINTx");
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				 VFIO_PCI_INTX_IRQ_INDEX, 0, 1), 0,
		  "loopback");
	obs_expect(r, d, events(efd, WAIT_NO_MS), 0, "loopback held");
	vt_cfg_write(d, PCI_COMMAND, 2, cmd & ~(uint64_t)PCI_COMMAND_INTX_DISABLE);
	obs_expect(r, d, events(efd, WAIT_YES_MS), 1, "clear DisINTx fires");
	edu_ack(d);
	set_none(d->fd, VFIO_IRQ_SET_ACTION_UNMASK, VFIO_PCI_INTX_IRQ_INDEX,
		 0, 1);
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				 VFIO_PCI_INTX_IRQ_INDEX, 0, 0), 0, "disable");
	close(efd);
}

/* edu's one MSI vector. */
static void probe_edu_msi(struct vt_dev *d, long arg, struct vt_res *r)
{
	int efd = vt_eventfd(), efd2 = vt_eventfd();
	int32_t two[2] = { efd, efd2 };
	uint8_t b1 = 1, b0 = 0;

	(void)arg;
	enable_cmd(d);
	edu_ack(d);
	obs_ioctl(r, d, set_fds(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				VFIO_PCI_MSI_IRQ_INDEX, 0, 2, two), EINVAL,
		  "two vectors");
	obs_ioctl(r, d, set_fds(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				VFIO_PCI_MSI_IRQ_INDEX, 1, 1, two), EINVAL,
		  "start 1");
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				 VFIO_PCI_MSI_IRQ_INDEX, 0, 1), EINVAL,
		  "loopback before enable");
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				 VFIO_PCI_MSI_IRQ_INDEX, 0, 0), EINVAL,
		  "disable before enable");
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				VFIO_PCI_MSI_IRQ_INDEX, efd), 0, "enable");
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				VFIO_PCI_INTX_IRQ_INDEX, efd), EINVAL,
		  "intx while msi");
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_MASK,
				 VFIO_PCI_MSI_IRQ_INDEX, 0, 1), ENOTTY,
		  "mask msi");
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_UNMASK,
				 VFIO_PCI_MSI_IRQ_INDEX, 0, 1), ENOTTY,
		  "unmask msi");

	edu_write(d, EDU_RAISE, 1);
	obs_expect(r, d, events(efd, WAIT_YES_MS), 1, "raise delivers");
	edu_ack(d);
	edu_write(d, EDU_RAISE, 2);
	obs_expect(r, d, events(efd, WAIT_YES_MS), 1, "edge per raise");
	edu_ack(d);

	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				 VFIO_PCI_MSI_IRQ_INDEX, 0, 1), 0,
		  "loopback none");
	obs_expect(r, d, events(efd, WAIT_YES_MS), 1, "loopback fires");
	obs_ioctl(r, d, set_bool(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				 VFIO_PCI_MSI_IRQ_INDEX, 0, 1, &b0), 0,
		  "loopback bool 0");
	obs_expect(r, d, events(efd, WAIT_NO_MS), 0, "bool 0 silent");
	obs_ioctl(r, d, set_bool(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				 VFIO_PCI_MSI_IRQ_INDEX, 0, 1, &b1), 0,
		  "loopback bool 1");
	obs_expect(r, d, events(efd, WAIT_YES_MS), 1, "bool 1 fires");

	/* Move the vector to another eventfd, then to none. */
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				VFIO_PCI_MSI_IRQ_INDEX, efd2), 0, "swap fd");
	edu_write(d, EDU_RAISE, 1);
	obs_expect(r, d, events(efd2, WAIT_YES_MS), 1, "new fd gets it");
	obs_expect(r, d, events(efd, WAIT_NO_MS), 0, "old fd silent");
	edu_ack(d);
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				VFIO_PCI_MSI_IRQ_INDEX, -1), 0, "fd -1");
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				 VFIO_PCI_MSI_IRQ_INDEX, 0, 1), 0,
		  "loopback no fd");
	obs_expect(r, d, events(efd2, WAIT_NO_MS), 0, "no fd silent");
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				VFIO_PCI_MSI_IRQ_INDEX, 12345), EBADF,
		  "bad fd");
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				VFIO_PCI_MSI_IRQ_INDEX, d->fd), EINVAL,
		  "not an eventfd");
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				VFIO_PCI_MSI_IRQ_INDEX, efd), 0, "rearm");
	edu_write(d, EDU_RAISE, 1);
	obs_expect(r, d, events(efd, WAIT_YES_MS), 1, "rearmed delivers");
	edu_ack(d);

	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				 VFIO_PCI_MSI_IRQ_INDEX, 0, 0), 0, "disable");
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				 VFIO_PCI_MSI_IRQ_INDEX, 0, 0), EINVAL,
		  "disable twice");
	/* A failed first enable leaves MSI off. */
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				VFIO_PCI_MSI_IRQ_INDEX, 12345), EBADF,
		  "enable bad fd");
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				 VFIO_PCI_MSI_IRQ_INDEX, 0, 1), EINVAL,
		  "off after failure");
	/* Enabled with no eventfd, then INTx after disable. */
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				VFIO_PCI_MSI_IRQ_INDEX, -1), 0,
		  "enable no fd");
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				 VFIO_PCI_MSI_IRQ_INDEX, 0, 0), 0,
		  "disable again");
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				VFIO_PCI_INTX_IRQ_INDEX, efd), 0,
		  "intx after msi");
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				 VFIO_PCI_INTX_IRQ_INDEX, 0, 0), 0,
		  "intx off");
	close(efd);
	close(efd2);
}

/* ERR and REQ: single eventfds with loopback. @arg is the index. */
static void probe_single(struct vt_dev *d, long arg, struct vt_res *r)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = arg };
	int efd = vt_eventfd(), efd2 = vt_eventfd();
	uint8_t b1 = 1, b0 = 0;
	int32_t fds[2] = { efd, efd };
	uint32_t trig = VFIO_IRQ_SET_ACTION_TRIGGER;
	int fd = d->fd;

	if (ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, &info) || !info.count) {
		obs_ioctl(r, d, set_fd1(fd, trig, arg, efd), EINVAL,
			  "absent index");
		goto out;
	}
	obs_ioctl(r, d, set_none(fd, trig, arg, 0, 1), EINVAL,
		  "loopback unset");
	obs_ioctl(r, d, set_none(fd, trig, arg, 0, 0), EINVAL, "clear unset");
	obs_ioctl(r, d, set_bool(fd, trig, arg, 0, 1, &b1), 0,
		  "bool unset");
	obs_ioctl(r, d, set_fds(fd, trig, arg, 0, 2, fds), EINVAL, "count 2");
	obs_ioctl(r, d, set_fds(fd, trig, arg, 1, 1, fds), EINVAL, "start 1");
	obs_ioctl(r, d, set_fds(fd, trig, arg, 0, 0, NULL), EINVAL,
		  "eventfd count 0");
	obs_ioctl(r, d, set_bool(fd, trig, arg, 0, 0, NULL), EINVAL,
		  "bool count 0");
	obs_ioctl(r, d, set_none(fd, VFIO_IRQ_SET_ACTION_MASK, arg, 0, 1),
		  ENOTTY, "mask");
	obs_ioctl(r, d, set_none(fd, VFIO_IRQ_SET_ACTION_UNMASK, arg, 0, 1),
		  ENOTTY, "unmask");
	obs_ioctl(r, d, set_fd1(fd, trig, arg, 12345), EBADF, "bad fd");
	obs_ioctl(r, d, set_fd1(fd, trig, arg, fd), EINVAL, "not eventfd");

	obs_ioctl(r, d, set_fd1(fd, trig, arg, efd), 0, "set");
	obs_ioctl(r, d, set_none(fd, trig, arg, 0, 1), 0, "loopback none");
	obs_expect(r, d, events(efd, WAIT_YES_MS), 1, "none fires");
	obs_ioctl(r, d, set_bool(fd, trig, arg, 0, 1, &b0), 0, "bool 0");
	obs_expect(r, d, events(efd, WAIT_NO_MS), 0, "bool 0 silent");
	obs_ioctl(r, d, set_bool(fd, trig, arg, 0, 1, &b1), 0, "bool 1");
	obs_expect(r, d, events(efd, WAIT_YES_MS), 1, "bool 1 fires");
	/* Ignored up to 6.1, refused on 6.12. */
	obs_ioctl(r, d, set_fd1(fd, trig, arg, -2),
		  kernel_since(6, 12) ? EINVAL : 0, "fd -2");
	obs_ioctl(r, d, set_none(fd, trig, arg, 0, 1), 0, "still set");
	obs_expect(r, d, events(efd, WAIT_YES_MS), 1, "still fires");
	obs_ioctl(r, d, set_fd1(fd, trig, arg, 12345), EBADF,
		  "bad fd keeps old");
	obs_ioctl(r, d, set_none(fd, trig, arg, 0, 1), 0, "kept");
	obs_expect(r, d, events(efd, WAIT_YES_MS), 1, "kept fires");
	obs_ioctl(r, d, set_fd1(fd, trig, arg, efd2), 0, "replace");
	obs_ioctl(r, d, set_none(fd, trig, arg, 0, 1), 0, "loopback new");
	obs_expect(r, d, events(efd2, WAIT_YES_MS), 1, "new fires");
	obs_expect(r, d, events(efd, WAIT_NO_MS), 0, "old silent");
	obs_ioctl(r, d, set_fd1(fd, trig, arg, -1), 0, "clear");
	obs_ioctl(r, d, set_none(fd, trig, arg, 0, 1), EINVAL,
		  "loopback cleared");
	obs_ioctl(r, d, set_fd1(fd, trig, arg, efd), 0, "set again");
	obs_ioctl(r, d, set_none(fd, trig, arg, 0, 0), 0, "clear by none");
	obs_ioctl(r, d, set_none(fd, trig, arg, 0, 1), EINVAL,
		  "loopback after none clear");
	/* Leave one set: close must drop it. */
	obs_ioctl(r, d, set_fd1(fd, trig, arg, efd), 0, "left set");
out:
	close(efd);
	close(efd2);
}

/* Header errors the core rejects before any index-specific code. */
static void probe_bad_args(struct vt_dev *d, long arg, struct vt_res *r)
{
	struct vfio_irq_set set = { .argsz = sizeof(set), .count = 1 };
	struct vfio_irq_info info = { .argsz = 8, .index = 0 };
	int fd = d->fd, ret;

	(void)arg;
	set.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	set.index = VFIO_PCI_NUM_IRQS;
	obs_ioctl(r, d, ioctl(fd, VFIO_DEVICE_SET_IRQS, &set), EINVAL,
		  "index out of range");
	set.index = VFIO_PCI_INTX_IRQ_INDEX;
	set.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_DATA_BOOL |
		    VFIO_IRQ_SET_ACTION_TRIGGER;
	obs_ioctl(r, d, ioctl(fd, VFIO_DEVICE_SET_IRQS, &set), EINVAL,
		  "two data types");
	set.flags = VFIO_IRQ_SET_DATA_NONE;
	obs_ioctl(r, d, ioctl(fd, VFIO_DEVICE_SET_IRQS, &set), ENOTTY,
		  "no action");
	set.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK |
		    VFIO_IRQ_SET_ACTION_UNMASK;
	obs_ioctl(r, d, ioctl(fd, VFIO_DEVICE_SET_IRQS, &set), ENOTTY,
		  "two actions");
	set.flags = 1u << 9;
	obs_ioctl(r, d, ioctl(fd, VFIO_DEVICE_SET_IRQS, &set), EINVAL,
		  "unknown flag");
	set.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	set.argsz = 8;
	obs_ioctl(r, d, ioctl(fd, VFIO_DEVICE_SET_IRQS, &set), EINVAL,
		  "argsz short");
	set.argsz = sizeof(set);
	set.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	obs_ioctl(r, d, ioctl(fd, VFIO_DEVICE_SET_IRQS, &set), EINVAL,
		  "eventfd without data");
	set.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	set.start = 0;
	set.count = 2;
	obs_ioctl(r, d, ioctl(fd, VFIO_DEVICE_SET_IRQS, &set), EINVAL,
		  "intx count 2");
	set.count = 0xffffffff;
	set.start = 1;
	obs_ioctl(r, d, ioctl(fd, VFIO_DEVICE_SET_IRQS, &set), EINVAL,
		  "count overflow");
	set.start = 0;
	set.count = 1;
	set.index = VFIO_PCI_MSIX_IRQ_INDEX;
	ret = ioctl(fd, VFIO_DEVICE_SET_IRQS, &set);
	VT_OBS(r, ret, 0, "msix loopback off");
	ret = ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, &info);
	VT_OBS(r, ret, 0, "irq info argsz short");
}

/* MSI-X loopback on several vectors of an nvme (no device activity). */
static void probe_msix(struct vt_dev *d, long arg, struct vt_res *r)
{
	struct vfio_irq_info info = { .argsz = sizeof(info),
				      .index = VFIO_PCI_MSIX_IRQ_INDEX };
	uint32_t trig = VFIO_IRQ_SET_ACTION_TRIGGER;
	uint8_t pattern[MAX_VEC] = { 1, 0, 1, 0, 0, 1, 1, 0 };
	int32_t fds[MAX_VEC], bad[2];
	int efd[MAX_VEC], extra = vt_eventfd();
	unsigned int i, n;
	int fd = d->fd;
	bool dyn;

	(void)arg;
	if (ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, &info) || !info.count) {
		snprintf(r->skip, sizeof(r->skip), "no MSI-X");
		close(extra);
		return;
	}
	n = info.count < MAX_VEC ? info.count : MAX_VEC;
	for (i = 0; i < n; i++) {
		efd[i] = vt_eventfd();
		fds[i] = efd[i];
	}
	enable_cmd(d);

	/* Enabling vectors 2..n-1 allocates 0..n-1; 0 and 1 have no fd. */
	obs_ioctl(r, d, set_fds(fd, trig, VFIO_PCI_MSIX_IRQ_INDEX, 2, n - 2,
				fds + 2), 0, "enable 2..n");
	obs_ioctl(r, d, set_none(fd, trig, VFIO_PCI_MSIX_IRQ_INDEX, 0, n), 0,
		  "loopback all");
	for (i = 0; i < n; i++)
		obs_expect(r, d, events(efd[i], i < 2 ? WAIT_NO_MS :
					WAIT_YES_MS), i >= 2, "vector fires");
	obs_ioctl(r, d, set_fds(fd, trig, VFIO_PCI_MSIX_IRQ_INDEX, 0, n, fds),
		  0, "all fds");
	obs_ioctl(r, d, set_bool(fd, trig, VFIO_PCI_MSIX_IRQ_INDEX, 0, n,
				 pattern), 0, "loopback bool");
	for (i = 0; i < n; i++)
		obs_expect(r, d, events(efd[i], pattern[i] ? WAIT_YES_MS :
					WAIT_NO_MS), pattern[i], "bool vector");
	/*
	 * Linux 6.5+ grows MSI-X while enabled where the platform can (no
	 * NORESIZE); loopback skips vectors without a context.
	 */
	dyn = !(info.flags & VFIO_IRQ_INFO_NORESIZE);
	obs_ioctl(r, d, set_none(fd, trig, VFIO_PCI_MSIX_IRQ_INDEX, n, 1),
		  dyn ? 0 : EINVAL, "beyond allocation");
	obs_ioctl(r, d, set_fds(fd, trig, VFIO_PCI_MSIX_IRQ_INDEX, n - 1, 2,
				fds), dyn ? 0 : EINVAL, "grow while enabled");
	if (dyn) {
		/* Back to vectors 0..n-1 as they were, for what follows. */
		set_fds(fd, trig, VFIO_PCI_MSIX_IRQ_INDEX, n - 1, 1,
			fds + n - 1);
		bad[0] = -1;
		set_fds(fd, trig, VFIO_PCI_MSIX_IRQ_INDEX, n, 1, bad);
	}
	obs_ioctl(r, d, set_fds(fd, trig, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, fds),
		  EINVAL, "msi while msix");
	obs_ioctl(r, d, set_fd1(fd, trig, VFIO_PCI_INTX_IRQ_INDEX, fds[0]),
		  EINVAL, "intx while msix");

	/* Vector 1 to another fd, vector 2 to none. */
	obs_ioctl(r, d, set_fds(fd, trig, VFIO_PCI_MSIX_IRQ_INDEX, 1, 1,
				&extra), 0, "swap vector 1");
	bad[0] = -1;
	obs_ioctl(r, d, set_fds(fd, trig, VFIO_PCI_MSIX_IRQ_INDEX, 2, 1, bad),
		  0, "vector 2 off");
	obs_ioctl(r, d, set_none(fd, trig, VFIO_PCI_MSIX_IRQ_INDEX, 0, n), 0,
		  "loopback after swap");
	obs_expect(r, d, events(extra, WAIT_YES_MS), 1, "swapped fires");
	for (i = 0; i < n; i++)
		obs_expect(r, d, events(efd[i], i == 1 || i == 2 ? WAIT_NO_MS :
					WAIT_YES_MS), i != 1 && i != 2,
			   "after swap");

	/* A bad fd in a block undoes the whole block. */
	bad[0] = efd[0];
	bad[1] = 12345;
	obs_ioctl(r, d, set_fds(fd, trig, VFIO_PCI_MSIX_IRQ_INDEX, 0, 2, bad),
		  EBADF, "block with bad fd");
	obs_ioctl(r, d, set_none(fd, trig, VFIO_PCI_MSIX_IRQ_INDEX, 0, n), 0,
		  "loopback after bad block");
	for (i = 0; i < n; i++)
		obs_expect(r, d, events(efd[i], i < 3 ? WAIT_NO_MS :
					WAIT_YES_MS), i >= 3, "after undo");
	obs_expect(r, d, events(extra, WAIT_NO_MS), 0, "undo dropped swap");

	obs_ioctl(r, d, set_none(fd, trig, VFIO_PCI_MSIX_IRQ_INDEX, 0, 0), 0,
		  "disable");
	obs_ioctl(r, d, set_none(fd, trig, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1),
		  EINVAL, "loopback disabled");
	/* A bad fd on first enable: nothing stays enabled. */
	bad[0] = efd[0];
	bad[1] = 12345;
	obs_ioctl(r, d, set_fds(fd, trig, VFIO_PCI_MSIX_IRQ_INDEX, 0, 2, bad),
		  EBADF, "enable with bad fd");
	obs_ioctl(r, d, set_none(fd, trig, VFIO_PCI_MSIX_IRQ_INDEX, 0, 0),
		  EINVAL, "nothing enabled");
	/* Leave MSI-X on with eventfds: close must tear it down. */
	obs_ioctl(r, d, set_fds(fd, trig, VFIO_PCI_MSIX_IRQ_INDEX, 0, n, fds),
		  0, "left enabled");
	for (i = 0; i < n; i++)
		close(efd[i]);
	close(extra);
}

/* Leave INTx on with an unmask irqfd: close must tear both down. */
static void probe_leave_intx(struct vt_dev *d, long arg, struct vt_res *r)
{
	int efd = vt_eventfd(), ufd = vt_eventfd();

	(void)arg;
	enable_cmd(d);
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				VFIO_PCI_INTX_IRQ_INDEX, efd), 0, "enable");
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_UNMASK,
				VFIO_PCI_INTX_IRQ_INDEX, ufd), 0, "irqfd");
	edu_write(d, EDU_RAISE, 1);
	obs_expect(r, d, events(efd, WAIT_YES_MS), 1, "raise");
	close(efd);
	close(ufd);
}

static void probe_leave_msi(struct vt_dev *d, long arg, struct vt_res *r)
{
	int efd = vt_eventfd();

	(void)arg;
	enable_cmd(d);
	edu_ack(d);
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				VFIO_PCI_MSI_IRQ_INDEX, efd), 0, "enable");
	close(efd);
}

/* After a reopen the device must start from scratch. */
static void probe_after_reopen(struct vt_dev *d, long arg, struct vt_res *r)
{
	int efd = vt_eventfd();

	/* The edu left behind may still assert INTx. */
	enable_cmd(d);
	if (arg == VFIO_PCI_INTX_IRQ_INDEX)
		edu_ack(d);
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER, arg, 0,
				 0), EINVAL, "nothing enabled");
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				 VFIO_PCI_REQ_IRQ_INDEX, 0, 1), EINVAL,
		  "req dropped");
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER, arg, efd),
		  0, "enable again");
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER, arg, 0,
				 1), 0, "loopback");
	/*
	 * An exclusive INTx line closed while asserted may deliver one stale
	 * interrupt when requested again (both drivers do): count "some".
	 */
	obs_expect(r, d, events(efd, WAIT_YES_MS) > 0, 1, "fires");
	obs_ioctl(r, d, set_none(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER, arg, 0,
				 0), 0, "disable");
	close(efd);
}

/*
 * Unbinding the driver while the user holds the device: the driver asks
 * the user through the REQ eventfd and the unbind completes on close.
 */
static void probe_req_unbind(struct vt_dev *d, long arg, struct vt_res *r)
{
	char path[128];
	int efd = vt_eventfd(), status = 0;
	pid_t pid;

	(void)arg;
	obs_ioctl(r, d, set_fd1(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
				VFIO_PCI_REQ_IRQ_INDEX, efd), 0, "set req");
	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/unbind",
		 d->driver);
	pid = fork();
	if (pid == 0) {
		int fd;

		/* Our copies of the device fds would block the unbind. */
		vt_close(d);
		close(efd);
		fd = open(path, O_WRONLY);

		_exit(fd >= 0 && write(fd, d->bdf, strlen(d->bdf)) > 0 ? 0 : 1);
	}
	obs_expect(r, d, pid > 0, 1, "fork");
	obs_expect(r, d, events(efd, 5000) > 0, 1, "request relayed");
	vt_close(d);
	if (pid > 0)
		waitpid(pid, &status, 0);
	obs_expect(r, d, WIFEXITED(status) && !WEXITSTATUS(status), 1,
		   "unbind done");
	close(efd);
}

/* ---- concurrency: loopback and re-arming racing with each other ---- */

struct race {
	struct vt_dev *d;
	volatile int stop;
	long loops;
};

static void *race_loopback(void *p)
{
	struct race *rc = p;

	while (!rc->stop) {
		set_none(rc->d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
			 VFIO_PCI_MSIX_IRQ_INDEX, 0, 2);
		rc->loops++;
	}
	return NULL;
}

/* Stress: fd swaps and enable/disable while another thread loops back. */
static void probe_msix_race(struct vt_dev *d, long arg, struct vt_res *r)
{
	struct race rc = { .d = d };
	int efd = vt_eventfd();
	int32_t fds[2] = { efd, efd };
	pthread_t th;
	int i, bad = 0;

	(void)arg;
	if (pthread_create(&th, NULL, race_loopback, &rc)) {
		snprintf(r->skip, sizeof(r->skip), "pthread_create");
		close(efd);
		return;
	}
	for (i = 0; i < 200; i++) {
		if (set_fds(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
			    VFIO_PCI_MSIX_IRQ_INDEX, 0, 2, fds))
			bad++;
		if (i & 1)
			fds[1] = fds[1] == efd ? -1 : efd;
		if (i % 10 == 9 &&
		    set_none(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER,
			     VFIO_PCI_MSIX_IRQ_INDEX, 0, 0))
			bad++;
	}
	rc.stop = 1;
	pthread_join(th, NULL);
	set_none(d->fd, VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_MSIX_IRQ_INDEX,
		 0, 0);
	obs_expect(r, d, bad, 0, "all re-arms succeeded");
	tap_diag("%s: %ld loopbacks raced", d->driver, rc.loops);
	close(efd);
}

/* ---- driver ---- */

static int open_pair(struct vt_dev *a, struct vt_dev *b, const char *bdf_a,
		     const char *bdf_b)
{
	int ret;

	ret = vt_bind_open(a, bdf_a, ref_drv);
	if (ret) {
		tap_result(false, "intrs/open", "%s on %s: %s", bdf_a,
			   ref_drv, strerror(-ret));
		return ret;
	}
	ret = vt_bind_open(b, bdf_b, test_drv);
	if (ret) {
		tap_result(false, "intrs/open", "%s on %s: %s", bdf_b,
			   test_drv, strerror(-ret));
		vt_close(a);
	}
	return ret;
}

static void reopen(struct vt_dev *d)
{
	char bdf[VT_BDF_LEN];

	snprintf(bdf, sizeof(bdf), "%s", d->bdf);
	vt_close(d);
	if (vt_open(d, bdf))
		tap_diag("reopen %s failed", bdf);
}

static void run_edu(const char *bdf_a, const char *bdf_b)
{
	struct vt_dev a, b;

	if (open_pair(&a, &b, bdf_a, bdf_b))
		return;
	vt_diff("intrs/edu/irq_info", &a, &b, probe_irq_info, 0);
	vt_diff("intrs/edu/bad_args", &a, &b, probe_bad_args, 0);
	vt_diff("intrs/edu/intx", &a, &b, probe_edu_intx, 0);
	vt_diff("intrs/edu/intx_cmd_disable", &a, &b, probe_edu_intx_cmd, 0);
	vt_diff("intrs/edu/msi", &a, &b, probe_edu_msi, 0);
	vt_diff("intrs/edu/err", &a, &b, probe_single,
		VFIO_PCI_ERR_IRQ_INDEX);
	vt_diff("intrs/edu/req", &a, &b, probe_single,
		VFIO_PCI_REQ_IRQ_INDEX);
	vt_diff("intrs/edu/irq_info_after", &a, &b, probe_irq_info, 0);

	vt_diff("intrs/edu/leave_intx", &a, &b, probe_leave_intx, 0);
	reopen(&a);
	reopen(&b);
	vt_diff("intrs/edu/after_close_intx", &a, &b, probe_after_reopen,
		VFIO_PCI_INTX_IRQ_INDEX);
	vt_diff("intrs/edu/leave_msi", &a, &b, probe_leave_msi, 0);
	reopen(&a);
	reopen(&b);
	vt_diff("intrs/edu/after_close_msi", &a, &b, probe_after_reopen,
		VFIO_PCI_MSI_IRQ_INDEX);
	vt_diff("intrs/edu/req_unbind", &a, &b, probe_req_unbind, 0);
	vt_close(&a);
	vt_close(&b);
	/* Give the devices back to the drivers for whoever runs next. */
	pci_bind(bdf_a, ref_drv);
	pci_bind(bdf_b, test_drv);
}

static void run_nvme(const char *bdf_a, const char *bdf_b)
{
	struct vt_dev a, b;

	if (open_pair(&a, &b, bdf_a, bdf_b))
		return;
	vt_diff("intrs/nvme/irq_info", &a, &b, probe_irq_info, 0);
	vt_diff("intrs/nvme/bad_args", &a, &b, probe_bad_args, 0);
	vt_diff("intrs/nvme/msix", &a, &b, probe_msix, 0);
	vt_diff("intrs/nvme/msix_race", &a, &b, probe_msix_race, 0);
	vt_diff("intrs/nvme/err", &a, &b, probe_single,
		VFIO_PCI_ERR_IRQ_INDEX);
	vt_diff("intrs/nvme/req", &a, &b, probe_single,
		VFIO_PCI_REQ_IRQ_INDEX);
	reopen(&a);
	reopen(&b);
	vt_diff("intrs/nvme/after_close_msix", &a, &b, probe_after_reopen,
		VFIO_PCI_MSIX_IRQ_INDEX);
	vt_close(&a);
	vt_close(&b);
}

static void report_expectations(void)
{
	const char *drv[2] = { ref_drv, test_drv };
	int i, j, bad;

	for (i = 0; i < 2; i++) {
		bad = 0;
		for (j = 0; j < 2; j++)
			if (expect_tally[j].drv &&
			    !strcmp(expect_tally[j].drv, drv[i]))
				bad = expect_tally[j].bad;
		tap_result(!bad, i ? "intrs/expected/test" : "intrs/expected/ref",
			   "%s: %d observations differ from the expected value",
			   drv[i], bad);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ref", required_argument, NULL, 'r' },
		{ "test", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'r')
			ref_drv = optarg;
		else if (c == 't')
			test_drv = optarg;
		else
			return 2;
	}
	if (argc - optind != 2 && argc - optind != 4) {
		fprintf(stderr, "usage: %s [--ref DRV] [--test DRV] EDU_A EDU_B [NVME_A NVME_B]\n",
			argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	run_edu(argv[optind], argv[optind + 1]);
	if (argc - optind == 4)
		run_nvme(argv[optind + 2], argv[optind + 3]);
	report_expectations();
	return tap_summary();
}
