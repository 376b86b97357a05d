/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfpci_nvme: a VFIO variant driver for the VFs of an SR-IOV NVMe
 * controller whose PF is bound to nvmepf.  Like mlx5_vfio_pci it is two
 * drivers in one module: a pci_driver for the VF, which contributes the
 * struct pci_dev, and an auxiliary_driver for nvmepf's per-VF auxiliary
 * device, which contributes the way to the VF's secondary controller.
 *
 *   pair.c  the pairing registry: fuses the two halves into one VFIO
 *           device once both are bound, unregisters it when either goes
 *   main.c  vfio_device_ops (online on open, offline on close and reset)
 *           and both drivers
 *
 * Lock order: a device's lock (VF or auxiliary) > pair->lock > the vfio
 * core's locks.  No vfio callback takes pair->lock, so unregistering under
 * it may wait for the user to close.
 */
#ifndef VFPCI_NVME_H
#define VFPCI_NVME_H

#include <linux/auxiliary_bus.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>

#include <nvmepf.h>
#include <vfpci_core.h>

#include "compat.h"

struct vfpci_nvme_device {
	struct vfpci_core_device core;
	/* nvmepf's handle: valid while registered (both halves bound). */
	struct nvmepf_vf *pfvf;
	struct mutex reset_lock;	/* offline, reset, online as one */
};

#define to_nvme(v) container_of(v, struct vfpci_nvme_device, core.vdev)

/* The two halves of one VF, found by the VF's struct pci_dev. */
struct vfpci_nvme_pair {
	struct list_head node;		/* on the registry, under its lock */
	struct kref ref;		/* one per bound half, one per lookup */
	struct pci_dev *vf;		/* the key, referenced */
	struct mutex lock;		/* guards the three below */
	bool vf_bound;
	struct auxiliary_device *adev;
	struct vfpci_nvme_device *nv;	/* registered with the vfio core */
};

struct vfpci_nvme_pair *vfpci_nvme_pair_get(struct pci_dev *vf, bool create);
void vfpci_nvme_pair_put(struct vfpci_nvme_pair *pair);
int vfpci_nvme_fuse(struct vfpci_nvme_pair *pair);
void vfpci_nvme_unfuse(struct vfpci_nvme_pair *pair);

extern const struct vfio_device_ops vfpci_nvme_ops;

#endif /* VFPCI_NVME_H */
