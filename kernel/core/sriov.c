// SPDX-License-Identifier: GPL-2.0-only
#include "private.h"
int vfpci_sriov_dev_init(struct vfpci_core_device *vdev) { return 0; }
void vfpci_sriov_dev_exit(struct vfpci_core_device *vdev) { }
int vfpci_vf_token_feature(struct vfpci_core_device *vdev, u32 flags,
			   void __user *arg, size_t argsz) { return -ENOTTY; }
int vfpci_vf_token_match(struct vfpci_core_device *vdev, bool vf_token,
			 uuid_t *uuid) { return vf_token ? -EINVAL : 0; }
int vfpci_core_sriov_configure(struct vfpci_core_device *vdev, int nr_virtfn) { return -ENOSYS; }
EXPORT_SYMBOL_GPL(vfpci_core_sriov_configure);
