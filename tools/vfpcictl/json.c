// SPDX-License-Identifier: GPL-2.0-only
/*
 * A tiny JSON writer to stdout.  It tracks, per nesting level, whether a
 * comma is due, so callers only say what they emit.
 */
#include <stdio.h>

#include "vfpcictl.h"

#define JS_DEPTH 16

static bool js_more[JS_DEPTH];
static int js_depth;

static void js_string(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	putchar('"');
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* Comma and key before a value; @key is NULL inside arrays. */
static void js_key(const char *key)
{
	if (js_more[js_depth])
		putchar(',');
	js_more[js_depth] = true;
	if (key) {
		js_string(key);
		putchar(':');
	}
}

static void js_open(const char *key, char c)
{
	js_key(key);
	putchar(c);
	if (js_depth < JS_DEPTH - 1)
		js_depth++;
	js_more[js_depth] = false;
}

static void js_close(char c)
{
	putchar(c);
	if (js_depth > 0)
		js_depth--;
}

void js_obj(const char *key)
{
	js_open(key, '{');
}

void js_end_obj(void)
{
	js_close('}');
}

void js_arr(const char *key)
{
	js_open(key, '[');
}

void js_end_arr(void)
{
	js_close(']');
}

void js_str(const char *key, const char *val)
{
	js_key(key);
	js_string(val);
}

void js_int(const char *key, long long val)
{
	js_key(key);
	printf("%lld", val);
}

void js_bool(const char *key, bool val)
{
	js_key(key);
	fputs(val ? "true" : "false", stdout);
}

void js_null(const char *key)
{
	js_key(key);
	fputs("null", stdout);
}

void js_done(void)
{
	putchar('\n');
	js_depth = 0;
	js_more[0] = false;
}
