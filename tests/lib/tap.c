// SPDX-License-Identifier: GPL-2.0-only
/*
 * TAP-style reporting.  tests/check counts lines that start with "ok " or
 * "not ok ", so every result is exactly one line and reasons are kept on it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vfpci_test.h"

static int tap_passed, tap_failed, tap_skipped;

/* Results must stay on one line: fold any newline into a space. */
static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

bool tap_result(bool pass, const char *name, const char *fmt, ...)
{
	char why[512] = "";
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
		one_line(why);
	}
	if (pass) {
		tap_passed++;
		printf("ok %s\n", name);
	} else {
		tap_failed++;
		printf("not ok %s - %s\n", name, why[0] ? why : "failed");
	}
	fflush(stdout);
	return pass;
}

void tap_ok(const char *fmt, ...)
{
	char name[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	tap_result(true, name, NULL);
}

void tap_skip(const char *name, const char *why)
{
	tap_skipped++;
	printf("# skip %s - %s\n", name, why);
	fflush(stdout);
}

void tap_diag(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	one_line(msg);
	printf("# %s\n", msg);
	fflush(stdout);
}

int tap_failures(void)
{
	return tap_failed;
}

int tap_summary(void)
{
	printf("# %d passed, %d failed, %d skipped\n",
	       tap_passed, tap_failed, tap_skipped);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}
