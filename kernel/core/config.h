/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Config space virtualization internals, shared by config.c (access engine,
 * per-device setup, standard header) and config_caps.c (capabilities).
 *
 * Every byte of config space belongs to one area recorded in vdev->cap_map:
 * the standard header, a capability (by id) or nothing.  Each area type has
 * a struct vfpci_perm_bits: per-bit masks of what is virtualized (kept in
 * vdev->vconfig) and what the user may write, plus read/write handlers.
 * The tables are built once at module load and shared by all devices; only
 * MSI, whose layout varies per device, gets a per-device table.
 */
#ifndef VFPCI_CONFIG_H
#define VFPCI_CONFIG_H

#include "private.h"

/* cap_map values that are not capability ids. */
#define VFPCI_MAP_HEADER	0x00	/* standard header, bytes 0..63 */
#define VFPCI_MAP_HIDDEN_ECAP	0xFD	/* anchor left for a hidden 1st ecap */
#define VFPCI_MAP_VIRT		0xFE	/* fully emulated in vconfig */
#define VFPCI_MAP_FREE		0xFF	/* outside any capability: raw */

/* One access: 1, 2 or 4 naturally aligned bytes inside one area. */
struct vfpci_cfg_access {
	int pos;			/* offset in config space */
	int off;			/* offset from the start of its area */
	int len;
	const struct vfpci_perm_bits *perm;
};

/*
 * Handlers take and return values in CPU order; they return 0 or a
 * negative errno.  A NULL write handler drops writes.
 */
struct vfpci_perm_bits {
	u8 *virt;			/* bits served from/stored to vconfig */
	u8 *wmask;			/* bits the user may change */
	unsigned int size;		/* bytes covered by the masks */
	int (*read)(struct vfpci_core_device *vdev,
		    const struct vfpci_cfg_access *acc, u32 *val);
	int (*write)(struct vfpci_core_device *vdev,
		     const struct vfpci_cfg_access *acc, u32 val);
};

/* Little-endian loads and stores of 1, 2 or 4 bytes. */
u32 vfpci_cfg_get(const u8 *p, int len);
void vfpci_cfg_put(u8 *p, int len, u32 val);

/* The user-visible config accessors (they honour cfg access blocking). */
int vfpci_cfg_hw_read(struct pci_dev *pdev, int pos, int len, u32 *val);
int vfpci_cfg_hw_write(struct pci_dev *pdev, int pos, int len, u32 val);

/* Generic handlers. */
int vfpci_cfg_default_read(struct vfpci_core_device *vdev,
			   const struct vfpci_cfg_access *acc, u32 *val);
int vfpci_cfg_default_write(struct vfpci_core_device *vdev,
			    const struct vfpci_cfg_access *acc, u32 val);
int vfpci_cfg_direct_read(struct vfpci_core_device *vdev,
			  const struct vfpci_cfg_access *acc, u32 *val);
int vfpci_cfg_raw_write(struct vfpci_core_device *vdev,
			const struct vfpci_cfg_access *acc, u32 val);

/* Standard header handlers (config.c). */
int vfpci_cfg_header_read(struct vfpci_core_device *vdev,
			  const struct vfpci_cfg_access *acc, u32 *val);
int vfpci_cfg_header_write(struct vfpci_core_device *vdev,
			   const struct vfpci_cfg_access *acc, u32 val);

/* Shared tables (config_caps.c). */
const struct vfpci_perm_bits *vfpci_cfg_std_perm(u8 id);
const struct vfpci_perm_bits *vfpci_cfg_ext_perm(u8 id);

/* Capability lengths: bytes, 0 to hide the capability, or -errno. */
int vfpci_cfg_std_cap_len(struct vfpci_core_device *vdev, u8 id, int pos);
int vfpci_cfg_ext_cap_len(struct vfpci_core_device *vdev, u16 id, int pos);

void vfpci_cfg_msi_perm_free(struct vfpci_core_device *vdev);

/* Start of the capability that owns config byte @pos. */
int vfpci_cfg_area_start(struct vfpci_core_device *vdev, int pos);

#endif /* VFPCI_CONFIG_H */
