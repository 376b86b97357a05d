// SPDX-License-Identifier: GPL-2.0-only
#include "private.h"
ssize_t vfpci_rom_rw(struct vfpci_core_device *vdev, char __user *buf,
		     size_t count, loff_t *ppos, bool iswrite) { return -EINVAL; }
ssize_t vfpci_vga_rw(struct vfpci_core_device *vdev, char __user *buf,
		     size_t count, loff_t *ppos, bool iswrite) { return -EINVAL; }
int vfpci_io_write(struct vfpci_core_device *vdev, bool test_mem,
		   u64 val, void __iomem *io, int size) { return -EINVAL; }
int vfpci_io_read(struct vfpci_core_device *vdev, bool test_mem,
		  u64 *val, void __iomem *io, int size) { return -EINVAL; }
void vfpci_release_barmaps(struct vfpci_core_device *vdev) { }
int vfpci_core_setup_barmap(struct vfpci_core_device *vdev, int bar) { return -EINVAL; }
EXPORT_SYMBOL_GPL(vfpci_core_setup_barmap);
ssize_t vfpci_core_bar_rw(struct vfpci_core_device *vdev, char __user *buf,
			  size_t count, loff_t *ppos, bool iswrite) { return -EINVAL; }
EXPORT_SYMBOL_GPL(vfpci_core_bar_rw);
