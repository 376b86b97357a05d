/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfpci_mdev internals.
 *
 *   main.c    vfio_device_ops, device/region info, region dispatch, reset
 *   config.c  the virtual config space
 *   intrs.c   INTx, MSI and REQ over eventfds (SET_IRQS)
 *   mig.c     the migration v2 state machine and its data fds
 */
#ifndef VFPCI_MDEV_PRIVATE_H
#define VFPCI_MDEV_PRIVATE_H

#include <vfpci_core.h>
#include <vfpci_mdev.h>

#include "compat.h"

#define to_vfpci_mdev(v)	container_of(v, struct vfpci_mdev, vdev)

/* config.c */
int vfpci_mdev_config_init(struct vfpci_mdev *m);
ssize_t vfpci_mdev_config_rw(struct vfpci_mdev *m, char __user *buf,
			     size_t count, loff_t pos, bool write);

/* intrs.c */
int vfpci_mdev_irq_count(struct vfpci_mdev *m, unsigned int index);
int vfpci_mdev_set_irqs(struct vfpci_mdev *m, unsigned long arg);
void vfpci_mdev_irqs_off(struct vfpci_mdev *m);
void vfpci_mdev_intx_update(struct vfpci_mdev *m);
bool vfpci_mdev_signal_req(struct vfpci_mdev *m);

/* mig.c */
extern const struct vfio_migration_ops vfpci_mdev_mig_ops;
void vfpci_mdev_mig_reset(struct vfpci_mdev *m);

#endif /* VFPCI_MDEV_PRIVATE_H */
