/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared declarations of the vfpcictl source files. */
#ifndef VFPCICTL_H
#define VFPCICTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sysfs.h"

/* Exit codes (documented in vfpcictl.8). */
enum {
	EX_OK = 0,
	EX_PROBLEMS = 1,	/* doctor found an error-level problem */
	EX_USAGE = 2,
	EX_NODEV = 3,		/* no such device, driver or module */
	EX_SYS = 4,		/* a file, ioctl or module load failed */
	EX_VERIFY = 5,		/* the device did not end on the driver */
};

struct opts {
	bool json;
	bool group;
	bool persist;
	const char *driver;		/* --driver */
	const char *moddir;		/* --moddir, VFPCICTL_MODDIR */
	const char *confdir;		/* --conf-dir, VFPCICTL_CONF_DIR */
	const char *statedir;		/* --state-dir, VFPCICTL_STATE_DIR */
	unsigned long long vm_mem;	/* --vm-mem, bytes */
};

extern struct opts opt;

/* Print "vfpcictl: WHAT: PATH: strerror(-err)"; returns @code. */
int fail_sys(int code, int err, const char *what);
int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- JSON writer (json.c): commas and escaping handled here ---- */
void js_obj(const char *key);
void js_end_obj(void);
void js_arr(const char *key);
void js_end_arr(void);
void js_str(const char *key, const char *val);
void js_int(const char *key, long long val);
void js_bool(const char *key, bool val);
void js_null(const char *key);
/* Ends the document with a newline. */
void js_done(void);

/* ---- drivers and modules (mods.c) ---- */

struct vfio_match {
	char module[64];
	char pattern[160];
	int specificity;	/* fields of the pattern without a '*' */
	bool in_tree;		/* shipped with the kernel (or built in) */
};

int mods_init(void);
void mods_exit(void);
/* Every vfio_pci: alias matching @f, best first; returns the count. */
int mods_matches(const struct pcifn *f, struct vfio_match *out, int max);
/* Whether @module is a module some vfio_pci: alias names. */
bool mods_is_vfio_module(const char *module);
/* A driver is a vfio driver if its module is (or its name says so). */
bool is_vfio_driver(const char *driver);
/* "installed", "builtin", "loaded" (insmod'ed, not installed), "missing" */
const char *mods_state(const char *module);
/* "in-kernel", "vfpci drop-in" or "none": whose vfio-pci modprobe loads. */
const char *mods_vfio_pci_kind(char *path, size_t len);
/* Load @module with its dependencies; 0 or -errno. */
int mods_load(const char *module);
/* Resolve --driver or a module name to a loaded PCI driver name. */
int mods_driver_for(const char *name, char *drv, size_t len, char *mod,
		    size_t mlen);
/* Whether @bdf is denylisted by vfio-pci style drivers. */
bool denylisted(const struct pcifn *f);

/* ---- commands ---- */
int cmd_list(void);
int cmd_bind(const char *bdf);
int cmd_unbind(const char *bdf);
int cmd_apply(const char *bdf);
int cmd_doctor(const char *bdf);
int cmd_info(const char *bdf);

/* pids holding /dev/vfio/@group open, into @pids; returns the count. */
int group_openers(int group, int *pids, int max);

/* Mediated devices (mdev.c). */
bool mdev_is_parent(const char *bdf);
bool mdev_is_instance(const char *name);
int mdev_count(const char *bdf);
int mdev_show_parent(const struct pcifn *f);
int mdev_instance_load(const char *uuid, char *driver, size_t len,
		       int *group);

#endif /* VFPCICTL_H */
