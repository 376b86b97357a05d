// SPDX-License-Identifier: GPL-2.0-only
#include "private.h"
int vfpci_mmap_module_init(void) { return 0; }
void vfpci_mmap_module_exit(void) { }
int vfpci_mmap_dev_init(struct vfpci_core_device *vdev) { return 0; }
void vfpci_mmap_dev_exit(struct vfpci_core_device *vdev) { }
void vfpci_zap_bars(struct vfpci_core_device *vdev) { }
void vfpci_zap_and_down_write_memory_lock(struct vfpci_core_device *vdev) { down_write(&vdev->memory_lock); }
u16 vfpci_memory_lock_and_enable(struct vfpci_core_device *vdev) { down_write(&vdev->memory_lock); return 0; }
void vfpci_memory_unlock_and_restore(struct vfpci_core_device *vdev, u16 cmd) { up_write(&vdev->memory_lock); }
int vfpci_core_mmap(struct vfio_device *core_vdev, struct vm_area_struct *vma) { return -EINVAL; }
EXPORT_SYMBOL_GPL(vfpci_core_mmap);
