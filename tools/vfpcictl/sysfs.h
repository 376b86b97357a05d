/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfpcictl's only door to sysfs (and the few /proc, /dev and /run paths it
 * reads).  Every path is taken relative to a root prefix, so the host unit
 * test can run the same code against a fake tree in a temporary folder.
 *
 * Functions returning int give 0 (or a count) on success and -errno on
 * failure; after a failure sfs_last_path() names the file that failed.
 */
#ifndef VFPCICTL_SYSFS_H
#define VFPCICTL_SYSFS_H

#include <stdbool.h>
#include <stddef.h>

#define SFS_FMT(n) __attribute__((format(printf, n, n + 1)))

/* "" (the default) is the real system. */
void sfs_set_root(const char *root);
const char *sfs_root(void);
/* The path (with root) of the last access that failed. */
const char *sfs_last_path(void);

/* Build root + formatted path into @buf; -ENAMETOOLONG if it does not fit. */
int sfs_path(char *buf, size_t len, const char *fmt, ...) SFS_FMT(3);
/* Read a file, trailing newlines stripped. */
int sfs_read(char *buf, size_t len, const char *fmt, ...) SFS_FMT(3);
/* Read a number (0x prefix allowed). */
int sfs_read_ulong(unsigned long *val, const char *fmt, ...) SFS_FMT(2);
/* Write @val (no newline added) in one write(2). */
int sfs_write(const char *val, const char *fmt, ...) SFS_FMT(2);
/* Last component of a symlink's target ("" never: -ENOENT if no link). */
int sfs_link_name(char *buf, size_t len, const char *fmt, ...) SFS_FMT(3);
/* Full target of a symlink. */
int sfs_link_target(char *buf, size_t len, const char *fmt, ...) SFS_FMT(3);
bool sfs_exists(const char *fmt, ...) SFS_FMT(1);
/*
 * Sorted names in a directory, without "." and "..": *@names is malloc'ed
 * (free with sfs_free_list).  Returns the count or -errno.
 */
int sfs_list(char ***names, const char *fmt, ...) SFS_FMT(2);
void sfs_free_list(char **names, int n);
/* Create (mode 0644) or replace a file with @text; makes its folder. */
int sfs_put_file(const char *text, const char *fmt, ...) SFS_FMT(2);
int sfs_unlink(const char *fmt, ...) SFS_FMT(1);

/* ---- PCI functions ---- */

#define PCI_BDF_LEN 16

struct pcifn {
	char bdf[PCI_BDF_LEN];
	unsigned int vendor, device, subvendor, subdevice;
	unsigned int class;		/* 24 bits: base, sub, prog-if */
	int group;			/* IOMMU group, -1 if none */
	char driver[64];		/* "" when unbound */
	char override[64];		/* driver_override, "" when none */
	char reset[128];		/* reset_method, "" when none */
	char power[16];			/* power_state, "" if not shown */
	bool bridge;
	bool cfg_dead;			/* config space reads all ones */
};

/* "00:04.0" -> "0000:00:04.0"; -EINVAL if not a PCI address. */
int pci_norm_bdf(const char *in, char *out, size_t len);
/* Read one function; -ENODEV if @bdf does not exist. */
int pcifn_load(struct pcifn *f, const char *bdf);
/* Every PCI function, sorted; see sfs_list. */
int pci_list(char ***bdfs);
/* Members of IOMMU group @group, sorted. */
int pci_group_members(int group, char ***bdfs);
/* Number of IOMMU groups (0 when the IOMMU is off or the folder absent). */
int iommu_group_count(void);
/* The "vfio_pci:" modalias a vfio driver's id table matches. */
void pci_vfio_modalias(const struct pcifn *f, char *buf, size_t len);
/* Module of a registered PCI driver ("" if built in). */
int pci_driver_module(const char *driver, char *buf, size_t len);
bool pci_driver_registered(const char *driver);
/* PCI driver that module @module registers. */
int module_pci_driver(const char *module, char *buf, size_t len);

/* The PF of VF @bdf into @pf; -ENOENT when @bdf is not a VF. */
int pci_physfn(const char *bdf, char *pf, size_t len);
/* "nvmepf.vfio_pci.<routing id>": nvmepf's auxiliary device for VF @bdf. */
int nvmepf_adev_name(const char *bdf, char *buf, size_t len);

/* Bind steps; each is one sysfs write. */
int pci_set_override(const char *bdf, const char *driver);
int pci_unbind(const char *bdf, const char *driver);
int pci_probe(const char *bdf);

#endif /* VFPCICTL_SYSFS_H */
