// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmepf: a PCI driver for the PF of an SR-IOV NVMe controller (QEMU's
 * nvme with sriov_max_vfs), in the role mlx5_core plays for
 * mlx5_vfio_pci: it owns the PF's admin queue, enables the VFs and
 * publishes one auxiliary device per VF through which a VF driver
 * (vfpci_nvme) brings the VF's secondary controller online.  It does no
 * I/O: the PF's namespaces are not the host's.  Bound only through
 * driver_override, so it never takes a controller from nvme.
 * See docs/nvme-pf-vf.md.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/pci.h>

#include "pf.h"

#define PCI_DEVICE_ID_REDHAT_NVME	0x0010

static int nvmepf_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct nvmepf *pf;
	int ret;

	if (pdev->is_virtfn || !pci_sriov_get_totalvfs(pdev))
		return -ENODEV;
	/* VFs enabled by someone else may be in use: we cannot track them. */
	if (pci_num_vf(pdev))
		return -EBUSY;

	pf = devm_kzalloc(&pdev->dev, sizeof(*pf), GFP_KERNEL);
	if (!pf)
		return -ENOMEM;
	pf->pdev = pdev;
	mutex_init(&pf->lock);

	ret = pci_enable_device_mem(pdev);
	if (ret)
		return ret;
	ret = pci_request_mem_regions(pdev, KBUILD_MODNAME);
	if (ret)
		goto err_disable;
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto err_release;
	pf->bar = pci_iomap(pdev, 0, 0);
	if (!pf->bar) {
		ret = -ENOMEM;
		goto err_release;
	}
	pci_set_master(pdev);

	ret = nvmepf_admin_init(pf);
	if (ret)
		goto err_unmap;
	mutex_lock(&pf->lock);
	ret = nvmepf_read_caps(pf);
	mutex_unlock(&pf->lock);
	if (ret)
		goto err_admin;

	pci_set_drvdata(pdev, pf);
	pci_info(pdev, "primary controller %u: %u flexible VQ and %u VI for up to %d VFs\n",
		 pf->cntlid, pf->vq_total, pf->vi_total,
		 pci_sriov_get_totalvfs(pdev));
	return 0;

err_admin:
	nvmepf_admin_exit(pf);
err_unmap:
	pci_clear_master(pdev);
	pci_iounmap(pdev, pf->bar);
err_release:
	pci_release_mem_regions(pdev);
err_disable:
	pci_disable_device(pdev);
	mutex_destroy(&pf->lock);
	return ret;
}

/* Waits for the users of its VFs, as an unbind of their driver would. */
static void nvmepf_sriov_disable(struct nvmepf *pf)
{
	nvmepf_vfs_del(pf);
	pci_disable_sriov(pf->pdev);
}

static void nvmepf_remove(struct pci_dev *pdev)
{
	struct nvmepf *pf = pci_get_drvdata(pdev);

	nvmepf_sriov_disable(pf);
	nvmepf_admin_exit(pf);
	pci_clear_master(pdev);
	pci_iounmap(pdev, pf->bar);
	pci_release_mem_regions(pdev);
	pci_disable_device(pdev);
	mutex_destroy(&pf->lock);
}

static int nvmepf_sriov_configure(struct pci_dev *pdev, int nr_virtfn)
{
	struct nvmepf *pf = pci_get_drvdata(pdev);
	int ret;

	if (!nr_virtfn) {
		nvmepf_sriov_disable(pf);
		return 0;
	}
	if (pci_num_vf(pdev))
		return -EBUSY;
	ret = pci_enable_sriov(pdev, nr_virtfn);
	if (ret)
		return ret;
	ret = nvmepf_vfs_add(pf, nr_virtfn);
	if (ret) {
		nvmepf_sriov_disable(pf);
		return ret;
	}
	return nr_virtfn;
}

/*
 * override_only: matched only through driver_override.  The flag is the
 * one the PCI core knows; without MODULE_DEVICE_TABLE no alias names it,
 * so nothing loads or proposes nvmepf for a device on its own.
 */
static const struct pci_device_id nvmepf_table[] = {
	{ PCI_DEVICE_DRIVER_OVERRIDE(PCI_VENDOR_ID_REDHAT,
				     PCI_DEVICE_ID_REDHAT_NVME,
				     PCI_ID_F_VFIO_DRIVER_OVERRIDE) },
	{}
};

static struct pci_driver nvmepf_driver = {
	.name			= "nvmepf",
	.id_table		= nvmepf_table,
	.probe			= nvmepf_probe,
	.remove			= nvmepf_remove,
	.sriov_configure	= nvmepf_sriov_configure,
	.dev_groups		= nvmepf_pf_groups,
};
module_pci_driver(nvmepf_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nvmepf: SR-IOV NVMe PF driver publishing its VFs' secondary controllers on the auxiliary bus");
