/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nvmepf: what the PF driver of an SR-IOV NVMe controller offers the driver
 * of one of its VFs.  nvmepf publishes one auxiliary device per VF, named
 * "nvmepf.vfio_pci.<VF routing id>"; the VF side binds it and calls these
 * functions only while bound to it: nvmepf deletes the auxiliary device
 * (so calls the VF side's remove) before the PF or the VF goes away.
 *
 * Every call goes through the PF's admin queue, serialized there, and may
 * sleep.  Errors: -EIO when the controller rejects or never completes a
 * command, -ENODEV once the PF's controller is dead.
 */
#ifndef NVMEPF_H
#define NVMEPF_H

#include <linux/auxiliary_bus.h>
#include <linux/pci.h>
#include <linux/types.h>

struct nvmepf_vf;

/* The secondary controller of a VF as the PF's controller lists it. */
struct nvmepf_vf_state {
	u16 scid;		/* secondary controller identifier */
	bool online;
	u16 nvq;		/* flexible queue resources assigned */
	u16 nvi;		/* flexible interrupt resources assigned */
};

/* The VF behind one of nvmepf's auxiliary devices. */
struct nvmepf_vf *nvmepf_vf_from_adev(struct auxiliary_device *adev);
struct pci_dev *nvmepf_vf_pdev(struct nvmepf_vf *vf);

/*
 * Claim the VF for a user: assign its VQ/VI share (sysfs vq_share and
 * vi_share) to its secondary controller, which must be offline.  Share
 * writes fail with -EBUSY until nvmepf_vf_unclaim().  -EBUSY if claimed.
 */
int nvmepf_vf_claim(struct nvmepf_vf *vf);
/* Take the controller offline and give its resources back to the PF. */
void nvmepf_vf_unclaim(struct nvmepf_vf *vf);
/*
 * Take a claimed VF's controller offline and assign its share again:
 * after a function reset, which may have taken the resources (QEMU 7.2).
 */
int nvmepf_vf_assign(struct nvmepf_vf *vf);

/* Secondary Online / Offline of a claimed VF's controller. */
int nvmepf_vf_online(struct nvmepf_vf *vf);
int nvmepf_vf_offline(struct nvmepf_vf *vf);

/* Read the Secondary Controller List entry of the VF. */
int nvmepf_vf_state(struct nvmepf_vf *vf, struct nvmepf_vf_state *st);

#endif /* NVMEPF_H */
