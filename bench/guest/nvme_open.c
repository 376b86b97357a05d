// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvme_open: open every VFIO device given, as a VMM would (its own
 * container, group and device fd each), then close them all, and print
 * how long each half took: "open_ms X close_ms Y opened N of M".  With
 * vfpci_nvme an open includes assigning the VF's resources and bringing
 * its secondary controller online through the PF, a close the reverse.
 * With --during CMD, CMD runs (sh -c, not timed) while all are open.
 * Used by bench/guest/nvme-scale.  Exit 1 when any open failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vfpci_test.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	int i, n, opened = 0, first_err = 0, arg0 = 1;
	const char *during = NULL;
	double t0, t1, t2, t3;
	struct vt_dev *d;
	bool *ok;

	if (argc > 2 && !strcmp(argv[1], "--during")) {
		during = argv[2];
		arg0 = 3;
	}
	n = argc - arg0;
	if (n < 1) {
		fprintf(stderr, "usage: nvme_open [--during CMD] BDF...\n");
		return 2;
	}
	argv += arg0 - 1;
	d = calloc(n, sizeof(*d));
	ok = calloc(n, sizeof(*ok));
	if (!d || !ok)
		return 2;
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		int ret = vt_open(&d[i], argv[i + 1]);

		ok[i] = !ret;
		opened += ok[i];
		if (ret && !first_err) {
			first_err = ret;
			fprintf(stderr, "open %s: %s\n", argv[i + 1],
				strerror(-ret));
		}
	}
	t1 = now_ms();
	if (during && system(during))
		fprintf(stderr, "--during command failed\n");
	t2 = now_ms();
	for (i = 0; i < n; i++)
		if (ok[i])
			vt_close(&d[i]);
	t3 = now_ms();
	printf("open_ms %.1f close_ms %.1f opened %d of %d\n", t1 - t0,
	       t3 - t2, opened, n);
	free(ok);
	free(d);
	return opened == n ? 0 : 1;
}
