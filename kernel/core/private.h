/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfpci_core internals shared between its files.  Drivers use only
 * include/vfpci_core.h.
 *
 * Lock order (outer first):
 *   vfio dev_set->lock > igate > memory_lock > ioeventfds_lock > irqlock
 * mmap faults run under the mm's mmap_lock and take memory_lock for read;
 * zapping happens under memory_lock held for write and never takes
 * mmap_lock, so the two orders cannot meet.
 */
#ifndef VFPCI_CORE_PRIVATE_H
#define VFPCI_CORE_PRIVATE_H

#include <vfpci_core.h>

#include "compat.h"

#define VFPCI_NUM_REGIONS	VFIO_PCI_NUM_REGIONS
#define VFPCI_IOEVENTFD_MAX	1000

/* main.c */
extern bool vfpci_nointxmask;
extern bool vfpci_disable_idle_d3;
extern bool vfpci_disable_vga;

/* config.c */
int vfpci_config_module_init(void);
void vfpci_config_module_exit(void);
int vfpci_config_init(struct vfpci_core_device *vdev);
void vfpci_config_free(struct vfpci_core_device *vdev);
ssize_t vfpci_config_rw(struct vfpci_core_device *vdev, char __user *buf,
			size_t count, loff_t *ppos, bool iswrite);
/*
 * A read served wholly from vconfig, without waking the device; -EAGAIN
 * when some byte needs the device (or runtime PM must see the access).
 */
ssize_t vfpci_config_read_virt(struct vfpci_core_device *vdev,
			       char __user *buf, size_t count, loff_t *ppos);
/* Reload the physical BARs from the user's view after a reset. */
void vfpci_config_restore_bars(struct vfpci_core_device *vdev);

/* intrs.c */
int vfpci_intrs_irq_count(struct vfpci_core_device *vdev, int index);
int vfpci_intrs_set_irqs(struct vfpci_core_device *vdev, u32 flags,
			 unsigned int index, unsigned int start,
			 unsigned int count, void *data);
void vfpci_intrs_release(struct vfpci_core_device *vdev);
void vfpci_intx_mask(struct vfpci_core_device *vdev);
void vfpci_intx_unmask(struct vfpci_core_device *vdev);
/* Signal the ERR / REQ eventfd if the user set one; false if none. */
bool vfpci_intrs_signal_err(struct vfpci_core_device *vdev);
bool vfpci_intrs_signal_req(struct vfpci_core_device *vdev);

/* rdwr.c */
ssize_t vfpci_rom_rw(struct vfpci_core_device *vdev, char __user *buf,
		     size_t count, loff_t *ppos, bool iswrite);
ssize_t vfpci_vga_rw(struct vfpci_core_device *vdev, char __user *buf,
		     size_t count, loff_t *ppos, bool iswrite);
void vfpci_release_barmaps(struct vfpci_core_device *vdev);

/* mmap.c */
int vfpci_mmap_dev_init(struct vfpci_core_device *vdev);
void vfpci_mmap_dev_exit(struct vfpci_core_device *vdev);
void vfpci_zap_bars(struct vfpci_core_device *vdev);
void vfpci_zap_and_down_write_memory_lock(struct vfpci_core_device *vdev);

/* ioeventfd.c */
long vfpci_ioeventfd(struct vfpci_core_device *vdev, loff_t offset, u64 data,
		     int count, int fd);
void vfpci_ioeventfd_release_all(struct vfpci_core_device *vdev);

/* reset.c */
int vfpci_ioctl_reset(struct vfpci_core_device *vdev);
long vfpci_ioctl_hot_reset_info(struct vfpci_core_device *vdev,
				void __user *arg);
long vfpci_ioctl_hot_reset(struct vfpci_core_device *vdev, void __user *arg);
/* On last close in a dev_set: reset the devices that need it if possible. */
void vfpci_dev_set_try_reset(struct vfio_device_set *dev_set);

/* pm.c */
int vfpci_set_power_state(struct vfpci_core_device *vdev, pci_power_t state);
int vfpci_pm_feature(struct vfpci_core_device *vdev, u32 flags, u32 feature,
		     void __user *arg, size_t argsz);
/* Leave the user's low power state (close path, before resuming). */
void vfpci_pm_runtime_exit(struct vfpci_core_device *vdev);
/* register_device installs these on the driver (also marks our devices). */
extern const struct dev_pm_ops vfpci_core_pm_ops;

/* sriov.c */
int vfpci_sriov_dev_init(struct vfpci_core_device *vdev);
void vfpci_sriov_dev_exit(struct vfpci_core_device *vdev);
/* A VF's open and close count as users of its PF's VF token. */
void vfpci_sriov_vf_open(struct vfpci_core_device *vdev);
void vfpci_sriov_vf_close(struct vfpci_core_device *vdev);
int vfpci_vf_token_feature(struct vfpci_core_device *vdev, u32 flags,
			   void __user *arg, size_t argsz);
int vfpci_vf_token_match(struct vfpci_core_device *vdev, bool vf_token,
			 uuid_t *uuid);

#endif /* VFPCI_CORE_PRIVATE_H */
