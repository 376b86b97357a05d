// SPDX-License-Identifier: GPL-2.0-only
/*
 * Life-cycle and locking tests, run the same way on a device bound to the
 * in-kernel vfio-pci and on its twin bound to vfpci:
 *
 *  - pread/pwrite whose user buffer is a mapping of the same BAR, while
 *    another thread keeps toggling memory decode (no deadlock allowed);
 *  - a bounded stress of threads mixing config writes (memory decode off
 *    and on), mmap faults, BAR pread/pwrite, SET_IRQS, reset, ioeventfd
 *    add/fire/remove and opening and closing more device fds; every call
 *    answers consistently, every add and open is undone, and the device
 *    and its ioeventfds still work afterwards;
 *  - unbind while the device is open: the REQ eventfd fires, and the
 *    unbind completes once the user closes the device.
 *
 * A watchdog (alarm) turns a hang into a failure instead of a stuck run.
 *
 * Usage: lifecycle --driver NAME [--seconds N] BDF
 */
#include <errno.h>
#include <fcntl.h>
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

#include "vfpci_test.h"

#define EDU_ID		0x00
#define EDU_LIVENESS	0x04
#define EDU_ID_VALUE	0x010000edu

static const char *driver = "vfpci";
static int stress_seconds = 5;
static char test_name[128];

/* ---- per-thread SIGBUS catching (the library's helper is global) ---- */

static __thread sigjmp_buf *volatile bus_jmp;

static void bus_handler(int sig)
{
	if (bus_jmp)
		siglongjmp(*bus_jmp, 1);
	printf("not ok %s - unexpected signal %d\n", test_name, sig);
	fflush(stdout);
	_exit(99);
}

/* Read a 32-bit register through a mapping; -EFAULT on SIGBUS. */
static int mapped_read32(volatile uint32_t *addr, uint32_t *val)
{
	sigjmp_buf jb;

	if (sigsetjmp(jb, 1)) {
		bus_jmp = NULL;
		return -EFAULT;
	}
	bus_jmp = &jb;
	__asm__ volatile("" ::: "memory");	/* armed before the load */
	*val = *addr;
	__asm__ volatile("" ::: "memory");
	bus_jmp = NULL;
	return 0;
}

static void watchdog(int sig)
{
	(void)sig;
	/* A hang is the failure this test exists to catch: say so, then die. */
	printf("not ok %s - timed out (deadlock or hung call)\n", test_name);
	fflush(stdout);
	_exit(1);
}

static void arm(const char *name, unsigned int seconds)
{
	snprintf(test_name, sizeof(test_name), "lifecycle/%s/%s", driver,
		 name);
	alarm(seconds);
}

static int set_memory(struct vt_dev *d, bool on)
{
	uint64_t cmd;

	if (vt_cfg_read(d, 0x04, 2, &cmd) != 2)
		return -EIO;
	cmd = on ? (cmd | 0x2) : (cmd & ~0x2ull);
	return vt_cfg_write(d, 0x04, 2, cmd) == 2 ? 0 : -EIO;
}

static bool device_alive(struct vt_dev *d)
{
	uint64_t id = 0, live = 0;

	if (set_memory(d, true))
		return false;
	if (vt_region_read(d, 0, EDU_ID, 4, &id) != 4 || id != EDU_ID_VALUE)
		return false;
	if (vt_region_write(d, 0, EDU_LIVENESS, 4, 0x5a5a1234) != 4)
		return false;
	return vt_region_read(d, 0, EDU_LIVENESS, 4, &live) == 4 &&
	       live == (uint32_t)~0x5a5a1234u;
}

/* ---- pread/pwrite into a mapping of the same BAR ---- */

struct toggler {
	struct vt_dev *d;
	atomic_bool stop;
	atomic_long toggles;
};

static void *toggle_memory(void *arg)
{
	struct toggler *t = arg;

	while (!atomic_load(&t->stop)) {
		set_memory(t->d, false);
		set_memory(t->d, true);
		atomic_fetch_add(&t->toggles, 1);
	}
	return NULL;
}

static void test_rw_into_own_mapping(struct vt_dev *d)
{
	struct toggler t = { .d = d };
	uint64_t bar0 = 0, size = 0;
	volatile uint32_t *map;
	long i, ok = 0, faulted = 0, other = 0;
	time_t deadline;
	pthread_t th;
	size_t mapped;

	arm("rw_into_own_mapping", 60);
	if (vt_region_offset(d->fd, 0, &bar0, &size) ||
	    set_memory(d, true)) {
		tap_result(false, test_name, "no BAR0");
		return;
	}
	map = vt_mmap_region(d, 0, 4096, &mapped);
	if (!map) {
		tap_result(false, test_name, "mmap: %s", strerror(errno));
		return;
	}

	/*
	 * Quiet first.  The kernel's user copy may move single bytes, which
	 * edu's 32-bit registers do not take: only the transfer is checked.
	 */
	if (pread(d->fd, (void *)(map + EDU_LIVENESS / 4), 4,
		  bar0 + EDU_ID) != 4 ||
	    pwrite(d->fd, (void *)(map + EDU_ID / 4), 4,
		   bar0 + EDU_LIVENESS) != 4) {
		tap_result(false, test_name, "quiet pread/pwrite: %s",
			   strerror(errno));
		goto out;
	}

	pthread_create(&th, NULL, toggle_memory, &t);
	/* Enough rounds that decode really flips under the copies. */
	deadline = time(NULL) + 20;
	for (i = 0; (i < 2000 || atomic_load(&t.toggles) < 50) &&
		    time(NULL) < deadline; i++) {
		ssize_t r = pread(d->fd, (void *)(map + EDU_LIVENESS / 4), 4,
				  bar0 + EDU_ID);

		if (r == 4)
			ok++;
		else if (r < 0 && (errno == EIO || errno == EFAULT))
			faulted++;
		else
			other++;
		r = pwrite(d->fd, (void *)(map + EDU_ID / 4), 4,
			   bar0 + EDU_LIVENESS);
		if (r < 0 && errno != EIO && errno != EFAULT)
			other++;
	}
	atomic_store(&t.stop, true);
	pthread_join(th, NULL);
	tap_result(other == 0 && ok > 0, test_name,
		   "%ld done, %ld refused (EIO/EFAULT), %ld unexpected, %ld toggles",
		   ok, faulted, other, atomic_load(&t.toggles));
	tap_diag("%s: %ld done, %ld refused, %ld toggles", test_name, ok,
		 faulted, atomic_load(&t.toggles));
out:
	munmap((void *)map, mapped);
	alarm(0);
}

/* ---- stress ---- */

enum { OP_CONFIG, OP_FAULT, OP_BAR, OP_IRQ, OP_RESET, OP_IOEVENTFD,
       OP_OPEN, OP_COUNT };

struct stress {
	struct vt_dev *d;
	volatile uint32_t *map;
	uint64_t bar0;		/* file offset of BAR0 */
	atomic_bool stop;
	atomic_long ops[OP_COUNT];
	atomic_long bad;
	/* Each success counted on both sides: they must match at the end. */
	atomic_long ioeventfd_added, ioeventfd_removed;
	atomic_long opened, closed;
};

static void *stress_config(void *arg)
{
	struct stress *s = arg;

	while (!atomic_load(&s->stop)) {
		if (set_memory(s->d, false) || set_memory(s->d, true))
			atomic_fetch_add(&s->bad, 1);
		atomic_fetch_add(&s->ops[OP_CONFIG], 1);
	}
	return NULL;
}

static void *stress_fault(void *arg)
{
	struct stress *s = arg;
	uint32_t v;

	while (!atomic_load(&s->stop)) {
		/* SIGBUS is fine while decode is off; a wrong value is not. */
		if (!mapped_read32(s->map + EDU_ID / 4, &v) &&
		    v != EDU_ID_VALUE && v != 0xffffffffu)
			atomic_fetch_add(&s->bad, 1);
		atomic_fetch_add(&s->ops[OP_FAULT], 1);
	}
	return NULL;
}

static void *stress_bar(void *arg)
{
	struct stress *s = arg;
	uint64_t v;

	while (!atomic_load(&s->stop)) {
		ssize_t r = vt_region_read(s->d, 0, EDU_ID, 4, &v);

		if (r != 4 && r != -EIO)
			atomic_fetch_add(&s->bad, 1);
		else if (r == 4 && v != EDU_ID_VALUE)
			atomic_fetch_add(&s->bad, 1);
		atomic_fetch_add(&s->ops[OP_BAR], 1);
	}
	return NULL;
}

static void *stress_irq(void *arg)
{
	struct stress *s = arg;
	int efd = vt_eventfd();

	while (!atomic_load(&s->stop)) {
		int r = vt_irq_set_eventfds(s->d->fd, VFIO_PCI_MSI_IRQ_INDEX,
					    0, 1, &efd);

		if (r && r != -EINVAL && r != -EBUSY)
			atomic_fetch_add(&s->bad, 1);
		vt_irq_disable(s->d->fd, VFIO_PCI_MSI_IRQ_INDEX);
		atomic_fetch_add(&s->ops[OP_IRQ], 1);
	}
	close(efd);
	return NULL;
}

static void *stress_reset(void *arg)
{
	struct stress *s = arg;

	while (!atomic_load(&s->stop)) {
		/* edu has no reset method: the answer must stay consistent. */
		if (ioctl(s->d->fd, VFIO_DEVICE_RESET) == 0 || errno != EINVAL)
			atomic_fetch_add(&s->bad, 1);
		atomic_fetch_add(&s->ops[OP_RESET], 1);
		usleep(1000);
	}
	return NULL;
}

/* Add (efd >= 0) or remove (efd == -1) a 32-bit ioeventfd on edu's liveness. */
static int ioeventfd_set(struct vt_dev *d, uint64_t bar0, int efd,
			 uint32_t data)
{
	struct vfio_device_ioeventfd ie = {
		.argsz = sizeof(ie),
		.flags = VFIO_DEVICE_IOEVENTFD_32,
		.offset = bar0 + EDU_LIVENESS,
		.data = data,
		.fd = efd,
	};

	return ioctl(d->fd, VFIO_DEVICE_IOEVENTFD, &ie) ? -errno : 0;
}

static void *stress_ioeventfd(void *arg)
{
	struct stress *s = arg;
	uint64_t one = 1;
	int efd = vt_eventfd();

	while (!atomic_load(&s->stop)) {
		/* Nobody else uses this (offset, data): add must succeed. */
		if (ioeventfd_set(s->d, s->bar0, efd, 0x1234)) {
			atomic_fetch_add(&s->bad, 1);
		} else {
			atomic_fetch_add(&s->ioeventfd_added, 1);
			if (write(efd, &one, sizeof(one)) != sizeof(one))
				atomic_fetch_add(&s->bad, 1);
			if (ioeventfd_set(s->d, s->bar0, -1, 0x1234))
				atomic_fetch_add(&s->bad, 1);
			else
				atomic_fetch_add(&s->ioeventfd_removed, 1);
		}
		atomic_fetch_add(&s->ops[OP_IOEVENTFD], 1);
	}
	close(efd);
	return NULL;
}

static void *stress_open(void *arg)
{
	struct stress *s = arg;

	/* More fds of an open device come from its group (cdev: not here). */
	while (!s->d->cdev && !atomic_load(&s->stop)) {
		struct vfio_device_info info = { .argsz = sizeof(info) };
		int fd = ioctl(s->d->group, VFIO_GROUP_GET_DEVICE_FD, s->d->bdf);

		if (fd < 0) {
			atomic_fetch_add(&s->bad, 1);
		} else {
			atomic_fetch_add(&s->opened, 1);
			if (ioctl(fd, VFIO_DEVICE_GET_INFO, &info) ||
			    info.num_regions != s->d->info.num_regions)
				atomic_fetch_add(&s->bad, 1);
			if (close(fd))
				atomic_fetch_add(&s->bad, 1);
			else
				atomic_fetch_add(&s->closed, 1);
		}
		atomic_fetch_add(&s->ops[OP_OPEN], 1);
	}
	return NULL;
}

/* After the stress, an ioeventfd still writes the device when signalled. */
static bool ioeventfd_works(struct stress *s)
{
	uint64_t one = 1, live = 0;
	int efd = vt_eventfd(), i;
	bool ok = false;

	if (ioeventfd_set(s->d, s->bar0, efd, 0xcafe0001))
		goto out;
	if (write(efd, &one, sizeof(one)) == sizeof(one)) {
		/* The write may be deferred to a worker: give it a second. */
		for (i = 0; i < 100 && !ok; i++) {
			ok = vt_region_read(s->d, 0, EDU_LIVENESS, 4, &live) == 4 &&
			     live == (uint32_t)~0xcafe0001u;
			if (!ok)
				usleep(10000);
		}
	}
	if (ioeventfd_set(s->d, s->bar0, -1, 0xcafe0001))
		ok = false;
out:
	close(efd);
	return ok;
}

static void test_stress(struct vt_dev *d)
{
	void *(*fns[OP_COUNT])(void *) = {
		[OP_CONFIG] = stress_config, [OP_FAULT] = stress_fault,
		[OP_BAR] = stress_bar, [OP_IRQ] = stress_irq,
		[OP_RESET] = stress_reset, [OP_IOEVENTFD] = stress_ioeventfd,
		[OP_OPEN] = stress_open,
	};
	struct stress s = { .d = d };
	pthread_t th[OP_COUNT];
	bool alive, balanced, ioeventfd_ok;
	uint64_t size;
	size_t mapped;
	unsigned int i;

	arm("stress", stress_seconds + 60);
	set_memory(d, true);
	if (vt_region_offset(d->fd, 0, &s.bar0, &size)) {
		tap_result(false, test_name, "BAR0 offset: %s", strerror(errno));
		return;
	}
	s.map = vt_mmap_region(d, 0, 4096, &mapped);
	if (!s.map) {
		tap_result(false, test_name, "mmap: %s", strerror(errno));
		return;
	}
	for (i = 0; i < OP_COUNT; i++)
		pthread_create(&th[i], NULL, fns[i], &s);
	sleep(stress_seconds);
	atomic_store(&s.stop, true);
	for (i = 0; i < OP_COUNT; i++)
		pthread_join(th[i], NULL);
	munmap((void *)s.map, mapped);

	alive = device_alive(d);
	ioeventfd_ok = ioeventfd_works(&s);
	balanced = atomic_load(&s.ioeventfd_added) ==
		   atomic_load(&s.ioeventfd_removed) &&
		   atomic_load(&s.opened) == atomic_load(&s.closed);
	tap_result(atomic_load(&s.bad) == 0 && alive && ioeventfd_ok &&
		   balanced, test_name,
		   "%ld inconsistent results; device %s; ioeventfd %s; ioeventfds added %ld removed %ld; fds opened %ld closed %ld",
		   atomic_load(&s.bad), alive ? "alive" : "dead",
		   ioeventfd_ok ? "works" : "broken",
		   atomic_load(&s.ioeventfd_added),
		   atomic_load(&s.ioeventfd_removed), atomic_load(&s.opened),
		   atomic_load(&s.closed));
	tap_diag("%s: %ds, config %ld, faults %ld, bar %ld, irq %ld, reset %ld, ioeventfd %ld, open/close %ld",
		 test_name, stress_seconds, atomic_load(&s.ops[OP_CONFIG]),
		 atomic_load(&s.ops[OP_FAULT]), atomic_load(&s.ops[OP_BAR]),
		 atomic_load(&s.ops[OP_IRQ]), atomic_load(&s.ops[OP_RESET]),
		 atomic_load(&s.ops[OP_IOEVENTFD]),
		 atomic_load(&s.ops[OP_OPEN]));
	alarm(0);
}

/* ---- unbind while open ---- */

struct unbinder {
	const char *bdf;
	int ret;
	atomic_bool done;
};

static void *do_unbind(void *arg)
{
	struct unbinder *u = arg;
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/unbind", driver);
	fd = open(path, O_WRONLY);
	if (fd < 0) {
		u->ret = -errno;
	} else {
		u->ret = write(fd, u->bdf, strlen(u->bdf)) < 0 ? -errno : 0;
		close(fd);
	}
	atomic_store(&u->done, true);
	return NULL;
}

static void test_unbind_while_open(struct vt_dev *d)
{
	struct unbinder u = { .bdf = d->bdf };
	char now[32] = "";
	pthread_t th;
	int64_t fired;
	int efd = vt_eventfd();
	int i;

	arm("unbind_while_open", 60);
	if (vt_irq_set_eventfds(d->fd, VFIO_PCI_REQ_IRQ_INDEX, 0, 1, &efd)) {
		tap_result(false, test_name, "cannot set the REQ eventfd");
		return;
	}
	pthread_create(&th, NULL, do_unbind, &u);

	fired = vt_eventfd_wait(efd, 10000);
	snprintf(test_name, sizeof(test_name),
		 "lifecycle/%s/unbind_req_fires", driver);
	tap_result(fired > 0, test_name, "REQ eventfd did not fire in 10 s");
	/* The unbind must wait for us. */
	usleep(200000);
	snprintf(test_name, sizeof(test_name),
		 "lifecycle/%s/unbind_waits_for_close", driver);
	tap_result(!atomic_load(&u.done), test_name,
		   "unbind returned while the device was still open");

	vt_close(d);
	close(efd);
	for (i = 0; i < 100 && !atomic_load(&u.done); i++)
		usleep(100000);
	pthread_join(th, NULL);
	pci_driver_of(u.bdf, now, sizeof(now));
	snprintf(test_name, sizeof(test_name),
		 "lifecycle/%s/unbind_completes_on_close", driver);
	tap_result(u.ret == 0 && now[0] == '\0', test_name,
		   "unbind returned %d, driver now '%s'", u.ret, now);
	alarm(0);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "driver", required_argument, NULL, 'd' },
		{ "seconds", required_argument, NULL, 's' },
		{}
	};
	struct sigaction sa = { .sa_handler = bus_handler };
	struct vt_dev d;
	const char *bdf;
	int c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			driver = optarg;
		else if (c == 's')
			stress_seconds = atoi(optarg);
		else
			return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: lifecycle --driver NAME [--seconds N] BDF\n");
		return 2;
	}
	bdf = argv[optind];
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, watchdog);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);

	arm("open", 30);
	ret = vt_bind_open(&d, bdf, driver);
	if (!tap_result(ret == 0, test_name, "%s", strerror(-ret)))
		return tap_summary();

	test_rw_into_own_mapping(&d);
	test_stress(&d);
	test_unbind_while_open(&d);
	return tap_summary();
}
