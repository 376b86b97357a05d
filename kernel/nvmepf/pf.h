/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nvmepf internals: the contract between admin.c (the admin queue),
 * virt.c (virtualization commands and the API of include/nvmepf.h),
 * aux.c (one auxiliary device per VF, its sysfs) and main.c (the PCI
 * driver and SR-IOV).
 */
#ifndef NVMEPF_PF_H
#define NVMEPF_PF_H

#include <linux/auxiliary_bus.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/types.h>

#include <nvmepf.h>

/* One submission queue entry and one completion queue entry. */
struct nvmepf_sqe {
	__le32 cdw0;		/* opcode, flags, command id */
	__le32 nsid;
	__le32 rsvd[2];
	__le64 mptr;
	__le64 prp1;
	__le64 prp2;
	__le32 cdw10[6];	/* cdw10 .. cdw15 */
};

struct nvmepf_cqe {
	__le32 result;
	__le32 rsvd;
	__le16 sqhd;
	__le16 sqid;
	__le16 cid;
	__le16 status;		/* bit 0 phase, bits 15:1 status */
};

#define NVMEPF_QDEPTH	16

struct nvmepf {
	struct pci_dev *pdev;
	void __iomem *bar;
	u32 dstrd;		/* doorbell stride, in bytes */
	u32 timeout_ms;		/* per command, from CAP.TO */

	/* The admin queue: everything below, under lock. */
	struct mutex lock;
	struct nvmepf_sqe *sq;
	struct nvmepf_cqe *cq;
	void *buf;		/* one page for Identify data */
	dma_addr_t sq_dma, cq_dma, buf_dma;
	u16 sq_tail, cq_head, cid;
	u8 phase;
	bool dead;		/* a command timed out: stop using the queue */

	u16 cntlid;		/* of the primary controller */
	u32 vq_total, vi_total;	/* flexible resources of the whole PF */
	u16 vq_max, vi_max;	/* most that one secondary may have */

	/* One auxiliary device per enabled VF; changed under the device lock. */
	struct nvmepf_vf **vfs;
	int num_vfs;
};

struct nvmepf_vf {
	struct auxiliary_device adev;
	struct nvmepf *pf;
	struct pci_dev *vf;	/* referenced until adev's release */
	u16 vfn;		/* 1-based VF number */
	u16 scid;
	u16 vq_share, vi_share;	/* what a claim assigns; under pf->lock */
	bool claimed;		/* under pf->lock */
};

/* admin.c */
int nvmepf_admin_init(struct nvmepf *pf);
void nvmepf_admin_exit(struct nvmepf *pf);
int nvmepf_admin_cmd(struct nvmepf *pf, struct nvmepf_sqe *cmd, u32 *result);

/* virt.c: every function expects pf->lock held. */
int nvmepf_identify(struct nvmepf *pf, u8 cns, u16 cntid);
int nvmepf_read_caps(struct nvmepf *pf);
int nvmepf_sec_entry(struct nvmepf *pf, u16 vfn, struct nvmepf_vf_state *st);
int nvmepf_vf_release_all(struct nvmepf *pf, struct nvmepf_vf *vf);
int nvmepf_flex_assigned(struct nvmepf *pf, u32 *vq, u32 *vi);

/* aux.c */
int nvmepf_vfs_add(struct nvmepf *pf, int num_vfs);
void nvmepf_vfs_del(struct nvmepf *pf);
extern const struct attribute_group *nvmepf_pf_groups[];

#endif /* NVMEPF_PF_H */
