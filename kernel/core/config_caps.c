// SPDX-License-Identifier: GPL-2.0-only
/*
 * Config space virtualization: which capabilities the user sees, how long
 * they are, and the permission tables and handlers for each of them.
 *
 * A capability without its own table is read-only pass-through with its
 * list header virtualized.  Unknown or unsafe capabilities (length 0 here)
 * are unlinked from the list at open.
 */
#include <linux/slab.h>
#include "compat.h"

#include "config.h"

static struct vfpci_perm_bits std_perms[PCI_CAP_ID_MAX + 1];
static struct vfpci_perm_bits ext_perms[PCI_EXT_CAP_ID_MAX + 1];

const struct vfpci_perm_bits *vfpci_cfg_std_perm(u8 id)
{
	return &std_perms[min_t(u8, id, PCI_CAP_ID_MAX)];
}

const struct vfpci_perm_bits *vfpci_cfg_ext_perm(u8 id)
{
	return &ext_perms[min_t(u8, id, PCI_EXT_CAP_ID_MAX)];
}

/* ---- table construction helpers ---- */

static void perm_release(struct vfpci_perm_bits *p)
{
	kfree(p->virt);
	kfree(p->wmask);
	p->virt = NULL;
	p->wmask = NULL;
	p->size = 0;
}

/*
 * Masks start all-zero: everything readable from hardware, nothing
 * virtualized, nothing writable.  Sizes round up to a dword since
 * capabilities are dword aligned and accesses never cross a dword.
 */
static int perm_alloc(struct vfpci_perm_bits *p, unsigned int size, gfp_t gfp)
{
	size = round_up(size, 4);
	p->virt = kzalloc(size, gfp);
	p->wmask = kzalloc(size, gfp);
	if (!p->virt || !p->wmask) {
		perm_release(p);
		return -ENOMEM;
	}
	p->size = size;
	p->read = vfpci_cfg_default_read;
	p->write = vfpci_cfg_default_write;
	return 0;
}

static void perm_set(struct vfpci_perm_bits *p, int off, int len, u32 virt,
		     u32 wmask)
{
	vfpci_cfg_put(p->virt + off, len, virt);
	vfpci_cfg_put(p->wmask + off, len, wmask);
}

/* Next pointers stay ours so hidden capabilities can be skipped. */
static void perm_virt_next(struct vfpci_perm_bits *p)
{
	perm_set(p, PCI_CAP_LIST_NEXT, 1, 0xff, 0);
}

/* Extended headers (id, version, next) likewise. */
static void perm_virt_ext_header(struct vfpci_perm_bits *p)
{
	perm_set(p, 0, 4, ~0U, 0);
}

/* Start of the capability holding @acc, in vconfig. */
static u8 *cap_shadow(struct vfpci_core_device *vdev,
		      const struct vfpci_cfg_access *acc)
{
	return vdev->vconfig + acc->pos - acc->off;
}

/* Does the access touch config byte @off of its capability? */
static bool acc_covers(const struct vfpci_cfg_access *acc, int off)
{
	return acc->off <= off && off < acc->off + acc->len;
}

/* ---- standard header ---- */

static int header_perm_build(struct vfpci_perm_bits *p)
{
	int bar;

	if (perm_alloc(p, PCI_STD_HEADER_SIZEOF, GFP_KERNEL))
		return -ENOMEM;
	p->read = vfpci_cfg_header_read;
	p->write = vfpci_cfg_header_write;

	/* Ours, so VFs (which read ~0) show their real ids. */
	perm_set(p, PCI_VENDOR_ID, 2, 0xffff, 0);
	perm_set(p, PCI_DEVICE_ID, 2, 0xffff, 0);
	/* INTx disable is emulated: we use the real bit for masking. */
	perm_set(p, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE, 0xffff);
	/* The capability list bit goes if we hide every capability. */
	perm_set(p, PCI_STATUS, 2, PCI_STATUS_CAP_LIST, 0);
	perm_set(p, PCI_CACHE_LINE_SIZE, 1, 0, 0xff);
	perm_set(p, PCI_LATENCY_TIMER, 1, 0, 0xff);
	perm_set(p, PCI_BIST, 1, 0, 0xff);
	/* BARs are the user's view only; hardware keeps the host's. */
	for (bar = PCI_BASE_ADDRESS_0; bar <= PCI_BASE_ADDRESS_5; bar += 4)
		perm_set(p, bar, 4, ~0U, ~0U);
	perm_set(p, PCI_ROM_ADDRESS, 4, ~0U, ~0U);
	perm_set(p, PCI_CAPABILITY_LIST, 1, 0xff, 0);
	perm_set(p, PCI_INTERRUPT_LINE, 1, 0xff, 0xff);
	/* Ours, to hide INTx when the user may not have it. */
	perm_set(p, PCI_INTERRUPT_PIN, 1, 0xff, 0);
	return 0;
}

/* ---- power management ---- */

static pci_power_t pm_state_of(u32 ctrl)
{
	switch (ctrl & PCI_PM_CTRL_STATE_MASK) {
	case 0:
		return PCI_D0;
	case 1:
		return PCI_D1;
	case 2:
		return PCI_D2;
	default:
		return PCI_D3hot;
	}
}

/* D-state changes go through the PM core, with BAR mappings zapped. */
static int pm_write(struct vfpci_core_device *vdev,
		    const struct vfpci_cfg_access *acc, u32 val)
{
	pci_power_t state = pm_state_of(val);
	int ret;

	ret = vfpci_cfg_default_write(vdev, acc, val);
	if (ret || acc->off != PCI_PM_CTRL)
		return ret;

	if (state >= PCI_D3hot)
		vfpci_zap_and_down_write_memory_lock(vdev);
	else
		down_write(&vdev->memory_lock);
	vfpci_set_power_state(vdev, state);
	up_write(&vdev->memory_lock);
	return 0;
}

static int pm_perm_build(struct vfpci_perm_bits *p)
{
	const u32 pme = PCI_PM_CTRL_PME_ENABLE | PCI_PM_CTRL_PME_STATUS;

	if (perm_alloc(p, PCI_PM_SIZEOF, GFP_KERNEL))
		return -ENOMEM;
	p->write = pm_write;
	perm_virt_next(p);
	/* The user cannot handle PME: hide support, enable and status. */
	perm_set(p, PCI_PM_PMC, 2, PCI_PM_CAP_PME_MASK, 0);
	/* The state field is written by pm_write(), not passed through. */
	perm_set(p, PCI_PM_CTRL, 4, pme, ~(pme | PCI_PM_CTRL_STATE_MASK));
	return 0;
}

/* ---- vital product data ---- */

/*
 * Address and data are emulated: a write of the address's flag byte runs
 * the transfer through the VPD core and toggles the flag when done.  On a
 * failure the flag stays, which the user sees as a timeout.
 */
static int vpd_write(struct vfpci_core_device *vdev,
		     const struct vfpci_cfg_access *acc, u32 val)
{
	u8 *cap = cap_shadow(vdev, acc);
	u8 *data = cap + PCI_VPD_DATA;
	u8 buf[4] = { 0 };
	u16 addr;
	int ret;

	ret = vfpci_cfg_default_write(vdev, acc, val);
	if (ret || !acc_covers(acc, PCI_VPD_ADDR + 1))
		return ret;

	addr = get_unaligned_le16(cap + PCI_VPD_ADDR);
	if (addr & PCI_VPD_ADDR_F) {
		if (pci_write_vpd(vdev->pdev, addr & ~PCI_VPD_ADDR_F, 4,
				  data) != 4)
			return 0;
	} else {
		if (pci_read_vpd(vdev->pdev, addr, 4, buf) < 0)
			return 0;
		memcpy(data, buf, 4);
	}

	put_unaligned_le16(addr ^ PCI_VPD_ADDR_F, cap + PCI_VPD_ADDR);
	return 0;
}

static int vpd_perm_build(struct vfpci_perm_bits *p)
{
	if (perm_alloc(p, PCI_CAP_VPD_SIZEOF, GFP_KERNEL))
		return -ENOMEM;
	p->write = vpd_write;
	perm_virt_next(p);
	perm_set(p, PCI_VPD_ADDR, 2, 0xffff, 0xffff);
	perm_set(p, PCI_VPD_DATA, 4, ~0U, ~0U);
	return 0;
}

/* ---- PCI-X ---- */

static int pcix_perm_build(struct vfpci_perm_bits *p)
{
	if (perm_alloc(p, PCI_CAP_PCIX_SIZEOF_V2, GFP_KERNEL))
		return -ENOMEM;
	perm_virt_next(p);
	perm_set(p, PCI_X_CMD, 2, 0, 0xffff);
	perm_set(p, PCI_X_ECC_CSR, 4, 0, ~0U);
	return 0;
}

/* ---- function level reset, from PCIe or AF ---- */

static void flr_under_zap(struct vfpci_core_device *vdev)
{
	vfpci_zap_and_down_write_memory_lock(vdev);
	pci_try_reset_function(vdev->pdev);
	up_write(&vdev->memory_lock);
}

/* ---- PCI Express ---- */

/*
 * FLR is virtualized: it resets the function (by whatever method the PCI
 * core picks) if the device claims FLR and always reads back as 0.  MPS is
 * virtual (a system-wide setting); MRRS goes to hardware but never below
 * the real MPS so full TLPs still work.
 */
static int exp_write(struct vfpci_core_device *vdev,
		     const struct vfpci_cfg_access *acc, u32 val)
{
	u8 *cap = cap_shadow(vdev, acc);
	u8 *devctl = cap + PCI_EXP_DEVCTL;
	u16 old_rq = get_unaligned_le16(devctl) & PCI_EXP_DEVCTL_READRQ;
	u16 ctl;
	u32 devcap;
	int ret, rq;

	ret = vfpci_cfg_default_write(vdev, acc, val);
	if (ret)
		return ret;

	ctl = get_unaligned_le16(devctl);
	if (ctl & PCI_EXP_DEVCTL_BCR_FLR) {
		ctl &= ~PCI_EXP_DEVCTL_BCR_FLR;
		put_unaligned_le16(ctl, devctl);
		if (!pci_user_read_config_dword(vdev->pdev,
						acc->pos - acc->off +
						PCI_EXP_DEVCAP, &devcap) &&
		    (devcap & PCI_EXP_DEVCAP_FLR))
			flr_under_zap(vdev);
	}

	if ((ctl & PCI_EXP_DEVCTL_READRQ) != old_rq) {
		rq = 128 << ((ctl & PCI_EXP_DEVCTL_READRQ) >> 12);
		pcie_set_readrq(vdev->pdev,
				max(rq, pcie_get_mps(vdev->pdev)));
	}
	return 0;
}

static int exp_perm_build(struct vfpci_perm_bits *p)
{
	if (perm_alloc(p, PCI_CAP_EXP_ENDPOINT_SIZEOF_V2, GFP_KERNEL))
		return -ENOMEM;
	p->write = exp_write;
	perm_virt_next(p);
	/*
	 * Phantom functions would confuse the IOMMU; the ARI bit in DEVCTL2
	 * belongs to the PCI core.
	 */
	perm_set(p, PCI_EXP_DEVCTL, 2,
		 PCI_EXP_DEVCTL_BCR_FLR | PCI_EXP_DEVCTL_PAYLOAD |
		 PCI_EXP_DEVCTL_READRQ, (u16)~PCI_EXP_DEVCTL_PHANTOM);
	perm_set(p, PCI_EXP_DEVCTL2, 2, 0, (u16)~PCI_EXP_DEVCTL2_ARI);
	return 0;
}

/* ---- advanced features ---- */

static int af_write(struct vfpci_core_device *vdev,
		    const struct vfpci_cfg_access *acc, u32 val)
{
	u8 *ctrl = cap_shadow(vdev, acc) + PCI_AF_CTRL;
	u8 afcap;
	int ret;

	ret = vfpci_cfg_default_write(vdev, acc, val);
	if (ret || !(*ctrl & PCI_AF_CTRL_FLR))
		return ret;

	/* Virtual FLR bit, reads back 0; reset only if FLR is supported. */
	*ctrl &= ~PCI_AF_CTRL_FLR;
	if (!pci_user_read_config_byte(vdev->pdev,
				       acc->pos - acc->off + PCI_AF_CAP,
				       &afcap) &&
	    (afcap & PCI_AF_CAP_FLR) && (afcap & PCI_AF_CAP_TP))
		flr_under_zap(vdev);
	return 0;
}

static int af_perm_build(struct vfpci_perm_bits *p)
{
	if (perm_alloc(p, PCI_CAP_AF_SIZEOF, GFP_KERNEL))
		return -ENOMEM;
	p->write = af_write;
	perm_virt_next(p);
	perm_set(p, PCI_AF_CTRL, 1, PCI_AF_CTRL_FLR, PCI_AF_CTRL_FLR);
	return 0;
}

/* ---- vendor specific: the user may write them, we cannot know better ---- */

static int std_vndr_perm_build(struct vfpci_perm_bits *p)
{
	p->write = vfpci_cfg_raw_write;
	return 0;
}

static int ext_vndr_perm_build(struct vfpci_perm_bits *p)
{
	p->write = vfpci_cfg_raw_write;
	return 0;
}

/* ---- advanced error reporting ---- */

static int err_perm_build(struct vfpci_perm_bits *p)
{
	const u32 unc = PCI_ERR_UNC_UND | PCI_ERR_UNC_DLP |
			PCI_ERR_UNC_SURPDN | PCI_ERR_UNC_POISON_TLP |
			PCI_ERR_UNC_FCP | PCI_ERR_UNC_COMP_TIME |
			PCI_ERR_UNC_COMP_ABORT | PCI_ERR_UNC_UNX_COMP |
			PCI_ERR_UNC_RX_OVER | PCI_ERR_UNC_MALF_TLP |
			PCI_ERR_UNC_ECRC | PCI_ERR_UNC_UNSUP |
			PCI_ERR_UNC_ACSV | PCI_ERR_UNC_INTN |
			PCI_ERR_UNC_MCBTLP | PCI_ERR_UNC_ATOMEG |
			PCI_ERR_UNC_TLPPRE;
	const u32 cor = PCI_ERR_COR_RCVR | PCI_ERR_COR_BAD_TLP |
			PCI_ERR_COR_BAD_DLLP | PCI_ERR_COR_REP_ROLL |
			PCI_ERR_COR_REP_TIMER | PCI_ERR_COR_ADV_NFAT |
			PCI_ERR_COR_INTERNAL | PCI_ERR_COR_LOG_OVER;

	/* Endpoint part only: the root port registers start here. */
	if (perm_alloc(p, PCI_ERR_ROOT_COMMAND, GFP_KERNEL))
		return -ENOMEM;
	perm_virt_ext_header(p);
	perm_set(p, PCI_ERR_UNCOR_STATUS, 4, 0, unc);
	perm_set(p, PCI_ERR_UNCOR_MASK, 4, 0, unc);
	perm_set(p, PCI_ERR_UNCOR_SEVER, 4, 0, unc);
	perm_set(p, PCI_ERR_COR_STATUS, 4, 0, cor);
	perm_set(p, PCI_ERR_COR_MASK, 4, 0, cor);
	perm_set(p, PCI_ERR_CAP, 4, 0,
		 PCI_ERR_CAP_ECRC_GENE | PCI_ERR_CAP_ECRC_CHKE);
	return 0;
}

/* ---- power budgeting ---- */

static int pwr_perm_build(struct vfpci_perm_bits *p)
{
	if (perm_alloc(p, PCI_EXT_CAP_PWR_SIZEOF, GFP_KERNEL))
		return -ENOMEM;
	perm_virt_ext_header(p);
	/* Selecting which budget entry to read is harmless. */
	perm_set(p, PCI_PWR_DATA, 1, 0, 0xff);
	return 0;
}

/* ---- MSI: layout depends on the device, so one table per device ---- */

/*
 * Everything but the mask bits is emulated; the enable bit and vector
 * count reach hardware only as SET_IRQS configured them.
 */
static int msi_write(struct vfpci_core_device *vdev,
		     const struct vfpci_cfg_access *acc, u32 val)
{
	u8 *pflags = cap_shadow(vdev, acc) + PCI_MSI_FLAGS;
	u16 flags;
	int ret;

	ret = vfpci_cfg_default_write(vdev, acc, val);
	if (ret)
		return ret;

	/* Same window as the in-kernel driver, which also fires on off 0. */
	if (acc->off > PCI_MSI_FLAGS || acc->off + acc->len < PCI_MSI_FLAGS)
		return 0;

	flags = vfpci_core_cfg_msi_flags(get_unaligned_le16(pflags),
					 vdev->irq_type == VFIO_PCI_MSI_IRQ_INDEX,
					 vdev->msi_qmax);
	put_unaligned_le16(flags, pflags);

	return pci_user_write_config_word(vdev->pdev,
					  acc->pos - acc->off + PCI_MSI_FLAGS,
					  flags);
}

/*
 * The enable bit shows only while SET_IRQS has MSI on, and the vectors the
 * user enables are capped at what the device offers.
 */
u16 vfpci_core_cfg_msi_flags(u16 flags, bool msi_on, u8 qmax)
{
	if (!msi_on)
		flags &= ~PCI_MSI_FLAGS_ENABLE;
	if (((flags & PCI_MSI_FLAGS_QSIZE) >> 4) > qmax)
		flags = (flags & ~PCI_MSI_FLAGS_QSIZE) | (qmax << 4);
	return flags;
}
EXPORT_SYMBOL_GPL(vfpci_core_cfg_msi_flags);

int vfpci_core_cfg_msi_len(u16 flags)
{
	int len = 10;

	if (flags & PCI_MSI_FLAGS_64BIT)
		len += 4;
	if (flags & PCI_MSI_FLAGS_MASKBIT)
		len += 10;
	return len;
}
EXPORT_SYMBOL_GPL(vfpci_core_cfg_msi_len);

/* The bits of an MSI capability with @flags that are ours and writable. */
static void msi_masks_fill(struct vfpci_perm_bits *p, u16 flags)
{
	bool is64 = flags & PCI_MSI_FLAGS_64BIT;
	int data = is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32;
	int mask = is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32;

	perm_virt_next(p);
	/* The flags' upper byte is reserved: only the lower one is ours. */
	perm_set(p, PCI_MSI_FLAGS, 1, 0xff, 0xff);
	perm_set(p, PCI_MSI_ADDRESS_LO, 4, ~0U, ~0U);
	if (is64)
		perm_set(p, PCI_MSI_ADDRESS_HI, 4, ~0U, ~0U);
	perm_set(p, data, 2, 0xffff, 0xffff);
	if (flags & PCI_MSI_FLAGS_MASKBIT) {
		perm_set(p, mask, 4, 0, ~0U);
		perm_set(p, mask + 4, 4, 0, ~0U);	/* pending bits */
	}
}

static int msi_perm_build(struct vfpci_perm_bits *p, int len, u16 flags)
{
	if (perm_alloc(p, len, GFP_KERNEL_ACCOUNT))
		return -ENOMEM;
	/*
	 * Reads use the default handler: the in-kernel driver means to
	 * report msi_qmax in the flags but updates the wrong word, so what
	 * users actually see is the hardware's multiple message capable.
	 */
	p->write = msi_write;
	msi_masks_fill(p, flags);
	return 0;
}

/*
 * For a fully emulated function (vfpci_mdev): the virtualized and writable
 * bits of its MSI capability, as the tables of a physical one.  @masks
 * covers vfpci_core_cfg_msi_len(@flags) bytes, rounded up to a dword.
 */
int vfpci_core_cfg_msi_masks(u16 flags, struct vfpci_core_cfg_masks *masks)
{
	struct vfpci_perm_bits p;

	if (perm_alloc(&p, vfpci_core_cfg_msi_len(flags), GFP_KERNEL_ACCOUNT))
		return -ENOMEM;
	msi_masks_fill(&p, flags);
	masks->virt = p.virt;
	masks->wmask = p.wmask;
	masks->size = p.size;
	return 0;
}
EXPORT_SYMBOL_GPL(vfpci_core_cfg_msi_masks);

void vfpci_core_cfg_masks_free(struct vfpci_core_cfg_masks *masks)
{
	kfree(masks->virt);
	kfree(masks->wmask);
	masks->virt = NULL;
	masks->wmask = NULL;
	masks->size = 0;
}
EXPORT_SYMBOL_GPL(vfpci_core_cfg_masks_free);

/* The shared table of the standard header (@id 0) or a capability. */
void vfpci_core_cfg_std_masks(u8 id, struct vfpci_core_cfg_masks *masks)
{
	const struct vfpci_perm_bits *p = vfpci_cfg_std_perm(id);

	masks->virt = p->virt;
	masks->wmask = p->wmask;
	masks->size = p->size;
}
EXPORT_SYMBOL_GPL(vfpci_core_cfg_std_masks);

void vfpci_cfg_msi_perm_free(struct vfpci_core_device *vdev)
{
	if (!vdev->msi_perm)
		return;
	perm_release(vdev->msi_perm);
	kfree(vdev->msi_perm);
	vdev->msi_perm = NULL;
}

static int msi_cap_len(struct vfpci_core_device *vdev, int pos)
{
	struct vfpci_perm_bits *p;
	int len, ret;
	u16 flags;

	ret = pci_read_config_word(vdev->pdev, pos + PCI_MSI_FLAGS, &flags);
	if (ret)
		return pcibios_err_to_errno(ret);

	len = vfpci_core_cfg_msi_len(flags);
	if (vdev->msi_perm)
		return len;

	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	ret = msi_perm_build(p, len, flags);
	if (ret) {
		kfree(p);
		return ret;
	}
	vdev->msi_perm = p;
	return len;
}

/* ---- capability lengths ---- */

/* A PCIe or PCI-X 2.0 device may have extended capabilities. */
static void probe_extended_caps(struct vfpci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	u32 hdr = 0;

	if (pdev->cfg_size <= PCI_CFG_SPACE_SIZE)
		return;
	pci_read_config_dword(pdev, PCI_CFG_SPACE_SIZE, &hdr);
	vdev->extended_caps = hdr != 0;
}

static int read_cfg_byte(struct pci_dev *pdev, int pos, u8 *val)
{
	return pcibios_err_to_errno(pci_read_config_byte(pdev, pos, val));
}

static int read_cfg_word(struct pci_dev *pdev, int pos, u16 *val)
{
	return pcibios_err_to_errno(pci_read_config_word(pdev, pos, val));
}

static int read_cfg_dword(struct pci_dev *pdev, int pos, u32 *val)
{
	return pcibios_err_to_errno(pci_read_config_dword(pdev, pos, val));
}

static int pcix_cap_len(struct vfpci_core_device *vdev, int pos)
{
	u16 cmd;
	int ret;

	ret = read_cfg_word(vdev->pdev, pos + PCI_X_CMD, &cmd);
	if (ret)
		return ret;
	if (!PCI_X_CMD_VERSION(cmd))
		return PCI_CAP_PCIX_SIZEOF_V0;
	probe_extended_caps(vdev);
	return PCI_CAP_PCIX_SIZEOF_V2;
}

static int exp_cap_len(struct vfpci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	bool no_link = pci_pcie_type(pdev) == PCI_EXP_TYPE_RC_END;

	probe_extended_caps(vdev);
	if ((pcie_caps_reg(pdev) & PCI_EXP_FLAGS_VERS) == 1)
		return no_link ? PCI_CAP_EXP_RC_ENDPOINT_SIZEOF_V1 :
				 PCI_CAP_EXP_ENDPOINT_SIZEOF_V1;
	return no_link ? PCI_CAP_EXP_RC_ENDPOINT_SIZEOF_V2 :
			 PCI_CAP_EXP_ENDPOINT_SIZEOF_V2;
}

static int byte_based_len(struct pci_dev *pdev, int pos, int (*f)(u8 b))
{
	u8 b;
	int ret = read_cfg_byte(pdev, pos, &b);

	return ret ? ret : f(b);
}

static int ht_len(u8 b)
{
	return (b & HT_3BIT_CAP_MASK) ? HT_CAP_SIZEOF_SHORT :
					HT_CAP_SIZEOF_LONG;
}

static int sata_len(u8 b)
{
	return (b & PCI_SATA_REGS_MASK) == PCI_SATA_REGS_INLINE ?
		PCI_SATA_SIZEOF_LONG : PCI_SATA_SIZEOF_SHORT;
}

static int identity_len(u8 b)
{
	return b;
}

int vfpci_cfg_std_cap_len(struct vfpci_core_device *vdev, u8 id, int pos)
{
	struct pci_dev *pdev = vdev->pdev;

	switch (id) {
	case PCI_CAP_ID_PM:
		return PCI_PM_SIZEOF;
	case PCI_CAP_ID_AGP:
		return PCI_AGP_SIZEOF;
	case PCI_CAP_ID_VPD:
		return PCI_CAP_VPD_SIZEOF;
	case PCI_CAP_ID_MSIX:
		return PCI_CAP_MSIX_SIZEOF;
	case PCI_CAP_ID_AF:
		return PCI_CAP_AF_SIZEOF;
	case PCI_CAP_ID_MSI:
		return msi_cap_len(vdev, pos);
	case PCI_CAP_ID_PCIX:
		return pcix_cap_len(vdev, pos);
	case PCI_CAP_ID_EXP:
		return exp_cap_len(vdev);
	case PCI_CAP_ID_VNDR:	/* its length byte follows next */
		return byte_based_len(pdev, pos + PCI_CAP_FLAGS, identity_len);
	case PCI_CAP_ID_HT:
		return byte_based_len(pdev, pos + 3, ht_len);
	case PCI_CAP_ID_SATA:
		return byte_based_len(pdev, pos + PCI_SATA_REGS, sata_len);
	default:
		/* Bridge, hotplug, debug, CompactPCI, ...: not for users. */
		return 0;
	}
}

/* Virtual channel (and MFVC): base, per-VC blocks, arbitration table. */
static int vc_cap_len(struct pci_dev *pdev, int pos)
{
	int len = PCI_CAP_VC_BASE_SIZEOF, phases = 0, ret;
	u32 cap1, cap2;

	ret = read_cfg_dword(pdev, pos + PCI_VC_PORT_CAP1, &cap1);
	if (!ret)
		ret = read_cfg_dword(pdev, pos + PCI_VC_PORT_CAP2, &cap2);
	if (ret)
		return ret;

	if (cap2 & PCI_VC_CAP2_128_PHASE)
		phases = 128;
	else if (cap2 & PCI_VC_CAP2_64_PHASE)
		phases = 64;
	else if (cap2 & PCI_VC_CAP2_32_PHASE)
		phases = 32;

	len += (1 + (cap1 & PCI_VC_CAP1_EVCC)) * PCI_CAP_VC_PER_VC_SIZEOF;
	/* 4 bits per phase; the user never writes it, so size is enough. */
	if (phases)
		len = round_up(len, 16) + phases * 4 / 8;
	return len;
}

static int acs_cap_len(struct pci_dev *pdev, int pos)
{
	u8 cap, bits;
	int ret;

	ret = read_cfg_byte(pdev, pos + PCI_ACS_CAP, &cap);
	if (ret || !(cap & PCI_ACS_EC))
		return ret ? ret : 8;

	ret = read_cfg_byte(pdev, pos + PCI_ACS_EGRESS_BITS, &bits);
	if (ret)
		return ret;
	/* Egress control vector: 0 means 256 bits. */
	return 8 + (bits ? round_up(bits, 32) : 256) / 8;
}

static int tph_cap_len(struct pci_dev *pdev, int pos)
{
	u32 cap;
	int ret, entries;

	ret = read_cfg_dword(pdev, pos + PCI_TPH_CAP, &cap);
	if (ret)
		return ret;
	if ((cap & PCI_TPH_CAP_LOC_MASK) != PCI_TPH_LOC_CAP)
		return PCI_TPH_BASE_SIZEOF;
	entries = (cap & PCI_TPH_CAP_ST_MASK) >> PCI_TPH_CAP_ST_SHIFT;
	return PCI_TPH_BASE_SIZEOF + entries * 2 + 2;
}

static int rebar_len(u8 b)
{
	return 4 + ((b & PCI_REBAR_CTRL_NBAR_MASK) >>
		    PCI_REBAR_CTRL_NBAR_SHIFT) * 8;
}

static int dpa_len(u8 b)
{
	return PCI_DPA_BASE_SIZEOF + (b & PCI_DPA_CAP_SUBSTATE_MASK) + 1;
}

static int vsec_cap_len(struct pci_dev *pdev, int pos)
{
	u32 hdr;
	int ret = read_cfg_dword(pdev, pos + PCI_VSEC_HDR, &hdr);

	return ret ? ret : hdr >> PCI_VSEC_HDR_LEN_SHIFT;
}

int vfpci_cfg_ext_cap_len(struct vfpci_core_device *vdev, u16 id, int pos)
{
	struct pci_dev *pdev = vdev->pdev;

	switch (id) {
	case PCI_EXT_CAP_ID_ERR:
		return PCI_ERR_ROOT_COMMAND;
	case PCI_EXT_CAP_ID_DSN:
		return PCI_EXT_CAP_DSN_SIZEOF;
	case PCI_EXT_CAP_ID_PWR:
		return PCI_EXT_CAP_PWR_SIZEOF;
	case PCI_EXT_CAP_ID_ARI:
		return PCI_EXT_CAP_ARI_SIZEOF;
	case PCI_EXT_CAP_ID_ATS:
		return PCI_EXT_CAP_ATS_SIZEOF;
	case PCI_EXT_CAP_ID_SRIOV:
		return PCI_EXT_CAP_SRIOV_SIZEOF;
	case PCI_EXT_CAP_ID_MCAST:
		return PCI_EXT_CAP_MCAST_ENDPOINT_SIZEOF;
	case PCI_EXT_CAP_ID_PRI:
		return PCI_EXT_CAP_PRI_SIZEOF;
	case PCI_EXT_CAP_ID_LTR:
		return PCI_EXT_CAP_LTR_SIZEOF;
	case PCI_EXT_CAP_ID_VNDR:
		return vsec_cap_len(pdev, pos);
	case PCI_EXT_CAP_ID_VC:
	case PCI_EXT_CAP_ID_VC9:
	case PCI_EXT_CAP_ID_MFVC:
		return vc_cap_len(pdev, pos);
	case PCI_EXT_CAP_ID_ACS:
		return acs_cap_len(pdev, pos);
	case PCI_EXT_CAP_ID_REBAR:
		return byte_based_len(pdev, pos + PCI_REBAR_CTRL, rebar_len);
	case PCI_EXT_CAP_ID_DPA:
		return byte_based_len(pdev, pos + PCI_DPA_CAP, dpa_len);
	case PCI_EXT_CAP_ID_TPH:
		return tph_cap_len(pdev, pos);
	default:
		/* Root complex only, obsolete or not handled yet: hidden. */
		return 0;
	}
}

/* ---- module-wide tables ---- */

struct perm_builder {
	bool ext;
	u8 id;
	int (*build)(struct vfpci_perm_bits *p);
};

static const struct perm_builder perm_builders[] = {
	{ false, VFPCI_MAP_HEADER,	header_perm_build },
	{ false, PCI_CAP_ID_PM,		pm_perm_build },
	{ false, PCI_CAP_ID_VPD,	vpd_perm_build },
	{ false, PCI_CAP_ID_PCIX,	pcix_perm_build },
	{ false, PCI_CAP_ID_VNDR,	std_vndr_perm_build },
	{ false, PCI_CAP_ID_EXP,	exp_perm_build },
	{ false, PCI_CAP_ID_AF,		af_perm_build },
	{ true,  PCI_EXT_CAP_ID_ERR,	err_perm_build },
	{ true,  PCI_EXT_CAP_ID_PWR,	pwr_perm_build },
	{ true,  PCI_EXT_CAP_ID_VNDR,	ext_vndr_perm_build },
};

void vfpci_config_module_exit(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(std_perms); i++)
		perm_release(&std_perms[i]);
	for (i = 0; i < ARRAY_SIZE(ext_perms); i++)
		perm_release(&ext_perms[i]);
}

int vfpci_config_module_init(void)
{
	const struct perm_builder *b;
	int i, ret;

	/* Default: read-only pass-through with the list header ours. */
	for (i = 0; i < ARRAY_SIZE(std_perms); i++)
		std_perms[i] = (struct vfpci_perm_bits){
			.read = vfpci_cfg_direct_read };
	for (i = 0; i < ARRAY_SIZE(ext_perms); i++)
		ext_perms[i] = (struct vfpci_perm_bits){
			.read = vfpci_cfg_direct_read };

	for (b = perm_builders; b < perm_builders + ARRAY_SIZE(perm_builders);
	     b++) {
		ret = b->build(b->ext ? &ext_perms[b->id] : &std_perms[b->id]);
		if (ret) {
			vfpci_config_module_exit();
			return ret;
		}
	}
	return 0;
}
