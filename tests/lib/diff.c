// SPDX-License-Identifier: GPL-2.0-only
/*
 * Differential runner: the same probe runs on two devices (one per driver)
 * and every observation it records must match, return value and errno
 * included.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfpci_test.h"

/* How many further mismatches a failing case lists. */
#define VT_DIFF_SHOW 8

void vt_res_add(struct vt_res *r, long ret, int err, uint64_t val,
		const char *fmt, ...)
{
	struct vt_obs *o;
	va_list ap;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct vt_obs *bigger = realloc(r->obs, cap * sizeof(*o));

		if (!bigger) {
			fprintf(stderr, "out of memory\n");
			exit(2);
		}
		r->obs = bigger;
		r->cap = cap;
	}
	o = &r->obs[r->n++];
	o->ret = ret;
	o->err = err;
	o->val = val;
	va_start(ap, fmt);
	vsnprintf(o->label, sizeof(o->label), fmt, ap);
	va_end(ap);
}

void vt_res_free(struct vt_res *r)
{
	free(r->obs);
	memset(r, 0, sizeof(*r));
}

static bool obs_equal(const struct vt_obs *x, const struct vt_obs *y)
{
	return x->ret == y->ret && x->err == y->err && x->val == y->val &&
	       !strcmp(x->label, y->label);
}

static void obs_fmt(char *buf, size_t len, const struct vt_obs *o)
{
	if (o->err)
		snprintf(buf, len, "ret=%ld errno=%d(%s) val=0x%llx", o->ret,
			 o->err, strerror(o->err), (unsigned long long)o->val);
	else
		snprintf(buf, len, "ret=%ld val=0x%llx", o->ret,
			 (unsigned long long)o->val);
}

static int first_mismatch(const struct vt_res *ra, const struct vt_res *rb,
			  size_t *count)
{
	size_t i, n = ra->n < rb->n ? ra->n : rb->n;
	int first = -1;

	*count = 0;
	for (i = 0; i < n; i++) {
		if (obs_equal(&ra->obs[i], &rb->obs[i]))
			continue;
		if (first < 0)
			first = i;
		(*count)++;
	}
	return first;
}

/* After the first mismatch, list a few more as diagnostics. */
static void show_more(struct vt_dev *a, struct vt_dev *b,
		      const struct vt_res *ra, const struct vt_res *rb,
		      size_t first)
{
	size_t i, n = ra->n < rb->n ? ra->n : rb->n;
	char sa[160], sb[160];
	int shown = 0;

	for (i = first + 1; i < n && shown < VT_DIFF_SHOW; i++) {
		if (obs_equal(&ra->obs[i], &rb->obs[i]))
			continue;
		obs_fmt(sa, sizeof(sa), &ra->obs[i]);
		obs_fmt(sb, sizeof(sb), &rb->obs[i]);
		tap_diag("  also %s: %s: %s | %s: %s", ra->obs[i].label,
			 a->driver, sa, b->driver, sb);
		shown++;
	}
}

static bool report(const char *name, struct vt_dev *a, struct vt_dev *b,
		   const struct vt_res *ra, const struct vt_res *rb)
{
	char sa[160], sb[160];
	size_t bad;
	int i;

	if (ra->skip[0] && rb->skip[0]) {
		tap_skip(name, ra->skip);
		return true;
	}
	if (ra->skip[0] || rb->skip[0])
		return tap_result(false, name, "%s: %s / %s: %s", a->driver,
				  ra->skip[0] ? ra->skip : "ran", b->driver,
				  rb->skip[0] ? rb->skip : "ran");

	i = first_mismatch(ra, rb, &bad);
	if (i >= 0) {
		obs_fmt(sa, sizeof(sa), &ra->obs[i]);
		obs_fmt(sb, sizeof(sb), &rb->obs[i]);
		tap_result(false, name,
			   "%s: %s: %s | %s: %s: %s (%zu of %zu differ)",
			   ra->obs[i].label, a->driver, sa,
			   rb->obs[i].label, b->driver, sb, bad, ra->n);
		show_more(a, b, ra, rb, i);
		return false;
	}
	if (ra->n != rb->n)
		return tap_result(false, name,
				  "%s made %zu observations, %s made %zu",
				  a->driver, ra->n, b->driver, rb->n);
	if (!ra->n)
		return tap_result(false, name, "probe recorded nothing");
	return tap_result(true, name, NULL);
}

/* VT_DUMP=1 in the environment lists what the reference side saw. */
static void dump(const char *name, const struct vt_res *r)
{
	const char *env = getenv("VT_DUMP");
	char s[160];
	size_t i;

	if (!env || strcmp(env, "1"))
		return;
	for (i = 0; i < r->n; i++) {
		obs_fmt(s, sizeof(s), &r->obs[i]);
		tap_diag("  %s: %s: %s", name, r->obs[i].label, s);
	}
}

bool vt_diff(const char *name, struct vt_dev *a, struct vt_dev *b,
	     vt_probe_fn fn, long arg)
{
	struct vt_res ra = { 0 }, rb = { 0 };
	bool pass;

	fn(a, arg, &ra);
	fn(b, arg, &rb);
	dump(name, &ra);
	pass = report(name, a, b, &ra, &rb);
	vt_res_free(&ra);
	vt_res_free(&rb);
	return pass;
}
