// SPDX-License-Identifier: GPL-2.0-only
/*
 * NVMe virtualization through the primary controller: Identify (the
 * controller, its Primary Controller Capabilities, the Secondary
 * Controller List) and Virtualization Management, and on them the API
 * the VF side uses (include/nvmepf.h).  A secondary controller starts
 * offline without flexible resources; a claim assigns its share, online
 * and offline follow, an unclaim takes it offline and gives all back.
 */
#include <linux/module.h>

#include "compat.h"
#include "pf.h"

#define NVME_ADM_IDENTIFY	0x06
#define NVME_ADM_VIRT_MGMT	0x1c

#define CNS_CTRL		0x01
#define CNS_PRIMARY_CAPS	0x14
#define CNS_SECONDARY_LIST	0x15

#define VM_SEC_OFFLINE		0x7
#define VM_SEC_ASSIGN		0x8
#define VM_SEC_ONLINE		0x9
#define RT_VQ			0
#define RT_VI			1

/* Identify data into pf->buf. */
int nvmepf_identify(struct nvmepf *pf, u8 cns, u16 cntid)
{
	struct nvmepf_sqe cmd = {
		.cdw0 = cpu_to_le32(NVME_ADM_IDENTIFY),
		.prp1 = cpu_to_le64(pf->buf_dma),
		.cdw10[0] = cpu_to_le32(cns | (u32)cntid << 16),
	};

	memset(pf->buf, 0, PAGE_SIZE);
	return nvmepf_admin_cmd(pf, &cmd, NULL);
}

/*
 * Who we are and what the PF has to hand out.  QEMU 7.2 does not set
 * OACS's Virtualization Management bit although it has the command: the
 * Primary Controller Capabilities tell instead.
 */
int nvmepf_read_caps(struct nvmepf *pf)
{
	const u8 *p = pf->buf;
	int ret;

	ret = nvmepf_identify(pf, CNS_CTRL, 0);
	if (ret)
		return ret;
	pf->cntlid = get_unaligned_le16(p + 78);

	ret = nvmepf_identify(pf, CNS_PRIMARY_CAPS, pf->cntlid);
	if (ret || !(p[4] & 3)) {	/* CRT: VQ and VI flexible resources */
		pci_info(pf->pdev, "no flexible resources to share (CRT 0x%x)\n",
			 ret ? 0 : p[4]);
		return -ENODEV;
	}
	pf->vq_total = get_unaligned_le32(p + 32);	/* VQFRT */
	pf->vq_max = get_unaligned_le16(p + 44);	/* VQFRSM */
	pf->vi_total = get_unaligned_le32(p + 64);	/* VIFRT */
	pf->vi_max = get_unaligned_le16(p + 76);	/* VIFRSM */
	return 0;
}

/* Flexible resources currently assigned to secondary controllers. */
int nvmepf_flex_assigned(struct nvmepf *pf, u32 *vq, u32 *vi)
{
	const u8 *p = pf->buf;
	int ret;

	ret = nvmepf_identify(pf, CNS_PRIMARY_CAPS, pf->cntlid);
	if (ret)
		return ret;
	*vq = get_unaligned_le32(p + 36);	/* VQRFA */
	*vi = get_unaligned_le32(p + 68);	/* VIRFA */
	return 0;
}

/* The Secondary Controller List entry of VF number @vfn (1-based). */
int nvmepf_sec_entry(struct nvmepf *pf, u16 vfn, struct nvmepf_vf_state *st)
{
	const u8 *p = pf->buf, *e;
	int i, n, ret;

	ret = nvmepf_identify(pf, CNS_SECONDARY_LIST, 0);
	if (ret)
		return ret;
	n = min_t(int, p[0], PAGE_SIZE / 32 - 1);
	for (i = 0; i < n; i++) {
		e = p + 32 + 32 * i;
		if (get_unaligned_le16(e + 8) != vfn)
			continue;
		st->scid = get_unaligned_le16(e);
		st->online = e[4] & 1;
		st->nvq = get_unaligned_le16(e + 10);
		st->nvi = get_unaligned_le16(e + 12);
		return 0;
	}
	return -ENOENT;
}

static int nvmepf_virt_mgmt(struct nvmepf *pf, u16 scid, u8 act, u8 rt,
			    u16 nr)
{
	struct nvmepf_sqe cmd = {
		.cdw0 = cpu_to_le32(NVME_ADM_VIRT_MGMT),
		.cdw10[0] = cpu_to_le32(act | (u32)rt << 8 | (u32)scid << 16),
		.cdw10[1] = cpu_to_le32(nr),
	};

	return nvmepf_admin_cmd(pf, &cmd, NULL);
}

static int nvmepf_assign(struct nvmepf *pf, u16 scid, u16 nvq, u16 nvi)
{
	int ret = nvmepf_virt_mgmt(pf, scid, VM_SEC_ASSIGN, RT_VQ, nvq);

	return ret ? ret : nvmepf_virt_mgmt(pf, scid, VM_SEC_ASSIGN, RT_VI, nvi);
}

/* Offline with no resources: how every controller is left to the next. */
int nvmepf_vf_release_all(struct nvmepf *pf, struct nvmepf_vf *vf)
{
	int ret;

	lockdep_assert_held(&pf->lock);
	ret = nvmepf_virt_mgmt(pf, vf->scid, VM_SEC_OFFLINE, 0, 0);
	if (!ret)
		ret = nvmepf_assign(pf, vf->scid, 0, 0);
	if (ret)
		pci_warn(pf->pdev, "VF %u (controller %u): resources not released: %d\n",
			 vf->vfn, vf->scid, ret);
	return ret;
}

struct nvmepf_vf *nvmepf_vf_from_adev(struct auxiliary_device *adev)
{
	return container_of(adev, struct nvmepf_vf, adev);
}
EXPORT_SYMBOL_GPL(nvmepf_vf_from_adev);

struct pci_dev *nvmepf_vf_pdev(struct nvmepf_vf *vf)
{
	return vf->vf;
}
EXPORT_SYMBOL_GPL(nvmepf_vf_pdev);

int nvmepf_vf_claim(struct nvmepf_vf *vf)
{
	struct nvmepf *pf = vf->pf;
	int ret;

	mutex_lock(&pf->lock);
	if (vf->claimed) {
		ret = -EBUSY;
		goto out;
	}
	/* Someone may have left it online (nvme-cli through another PF driver). */
	ret = nvmepf_vf_release_all(pf, vf);
	if (!ret)
		ret = nvmepf_assign(pf, vf->scid, vf->vq_share, vf->vi_share);
	if (ret) {
		nvmepf_assign(pf, vf->scid, 0, 0);
		goto out;
	}
	vf->claimed = true;
out:
	mutex_unlock(&pf->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(nvmepf_vf_claim);

int nvmepf_vf_assign(struct nvmepf_vf *vf)
{
	struct nvmepf *pf = vf->pf;
	int ret = -EINVAL;

	mutex_lock(&pf->lock);
	if (vf->claimed) {
		ret = nvmepf_virt_mgmt(pf, vf->scid, VM_SEC_OFFLINE, 0, 0);
		if (!ret)
			ret = nvmepf_assign(pf, vf->scid, vf->vq_share,
					    vf->vi_share);
	}
	mutex_unlock(&pf->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(nvmepf_vf_assign);

void nvmepf_vf_unclaim(struct nvmepf_vf *vf)
{
	struct nvmepf *pf = vf->pf;

	mutex_lock(&pf->lock);
	if (vf->claimed)
		nvmepf_vf_release_all(pf, vf);
	vf->claimed = false;
	mutex_unlock(&pf->lock);
}
EXPORT_SYMBOL_GPL(nvmepf_vf_unclaim);

static int nvmepf_vf_set_state(struct nvmepf_vf *vf, u8 act)
{
	struct nvmepf *pf = vf->pf;
	int ret = -EINVAL;

	mutex_lock(&pf->lock);
	if (vf->claimed)
		ret = nvmepf_virt_mgmt(pf, vf->scid, act, 0, 0);
	mutex_unlock(&pf->lock);
	return ret;
}

int nvmepf_vf_online(struct nvmepf_vf *vf)
{
	return nvmepf_vf_set_state(vf, VM_SEC_ONLINE);
}
EXPORT_SYMBOL_GPL(nvmepf_vf_online);

int nvmepf_vf_offline(struct nvmepf_vf *vf)
{
	return nvmepf_vf_set_state(vf, VM_SEC_OFFLINE);
}
EXPORT_SYMBOL_GPL(nvmepf_vf_offline);

int nvmepf_vf_state(struct nvmepf_vf *vf, struct nvmepf_vf_state *st)
{
	struct nvmepf *pf = vf->pf;
	int ret;

	mutex_lock(&pf->lock);
	ret = nvmepf_sec_entry(pf, vf->vfn, st);
	mutex_unlock(&pf->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(nvmepf_vf_state);
