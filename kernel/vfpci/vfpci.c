// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfpci: the generic VFIO PCI driver.  It binds any PCI function through
 * driver_override (or the ids= parameter) and hands everything to
 * vfpci_core.  kernel/dropin/Kbuild builds it a second time as the
 * drop-in vfio-pci (VFPCI_DROPIN), for tools that know only that name.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/vfio.h>

#include <vfpci_core.h>

#include "compat.h"

#ifdef VFPCI_DROPIN
#define VFPCI_DRIVER_NAME	"vfio-pci"
#else
#define VFPCI_DRIVER_NAME	"vfpci"
#endif

static char ids[1024] __initdata;
module_param_string(ids, ids, sizeof(ids), 0);
MODULE_PARM_DESC(ids, "PCI IDs to bind at load: vendor:device[:subvendor[:subdevice[:class[:class_mask]]]], comma separated");

static bool nointxmask;
module_param(nointxmask, bool, 0644);
MODULE_PARM_DESC(nointxmask, "Do not mask INTx through DisINTx: every INTx line is exclusive");

/* Like the kernel's vfio-pci: VGA and its parameter only with VFIO_PCI_VGA. */
#ifdef CONFIG_VFIO_PCI_VGA
static bool disable_vga;
module_param(disable_vga, bool, 0444);
MODULE_PARM_DESC(disable_vga, "Do not expose the VGA region of VGA devices");
#else
static const bool disable_vga = true;
#endif

static bool disable_idle_d3;
module_param(disable_idle_d3, bool, 0644);
MODULE_PARM_DESC(disable_idle_d3, "Keep unused devices in D0 instead of putting them in D3");

static bool enable_sriov;
module_param(enable_sriov, bool, 0644);
MODULE_PARM_DESC(enable_sriov, "Allow SR-IOV VFs to be created through sysfs (VF token required to use them)");

static bool disable_denylist;
module_param(disable_denylist, bool, 0444);
MODULE_PARM_DESC(disable_denylist, "Bind devices with known exploitable errata too");

/* Devices with errata that let a user harm the host; refused by default. */
static const struct pci_device_id vfpci_denylist[] = {
	{ PCI_VDEVICE(INTEL, PCI_DEVICE_ID_INTEL_QAT_C3XXX) },
	{ PCI_VDEVICE(INTEL, PCI_DEVICE_ID_INTEL_QAT_C3XXX_VF) },
	{ PCI_VDEVICE(INTEL, PCI_DEVICE_ID_INTEL_QAT_C62X) },
	{ PCI_VDEVICE(INTEL, PCI_DEVICE_ID_INTEL_QAT_C62X_VF) },
	{ PCI_VDEVICE(INTEL, PCI_DEVICE_ID_INTEL_QAT_DH895XCC) },
	{ PCI_VDEVICE(INTEL, PCI_DEVICE_ID_INTEL_QAT_DH895XCC_VF) },
	{ PCI_VDEVICE(INTEL, PCI_DEVICE_ID_INTEL_DSA_SPR0) },
	{ PCI_VDEVICE(INTEL, PCI_DEVICE_ID_INTEL_IAX_SPR0) },
	{}
};

static bool vfpci_denied(struct pci_dev *pdev)
{
	if (!pci_match_id(vfpci_denylist, pdev))
		return false;
	if (disable_denylist) {
		pci_warn(pdev, "device denylist disabled - allowing device %04x:%04x.\n",
			 pdev->vendor, pdev->device);
		return false;
	}
	pci_warn(pdev, "%04x:%04x exists in vfpci device denylist, driver probing disallowed.\n",
		 pdev->vendor, pdev->device);
	return true;
}

static int vfpci_open_device(struct vfio_device *core_vdev)
{
	struct vfpci_core_device *vdev = to_vfpci_core(core_vdev);
	int ret;

	ret = vfpci_core_enable(vdev);
	if (ret)
		return ret;
	vfpci_core_finish_enable(vdev);
	return 0;
}

static const struct vfio_device_ops vfpci_ops = {
	.name		= VFPCI_DRIVER_NAME,
	.init		= vfpci_core_init_dev,
	.release	= vfpci_core_release_dev,
	.open_device	= vfpci_open_device,
	.close_device	= vfpci_core_close_device,
	.ioctl		= vfpci_core_ioctl,
	.device_feature	= vfpci_core_ioctl_feature,
	.read		= vfpci_core_read,
	.write		= vfpci_core_write,
	.mmap		= vfpci_core_mmap,
	.request	= vfpci_core_request,
	.match		= vfpci_core_match,
	VFPCI_COMPAT_IOMMUFD_OPS
};

static int vfpci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct vfpci_core_device *vdev;
	int ret;

	if (vfpci_denied(pdev))
		return -EINVAL;

	vdev = vfio_alloc_device(vfpci_core_device, vdev, &pdev->dev,
				 &vfpci_ops);
	if (IS_ERR(vdev))
		return PTR_ERR(vdev);

	dev_set_drvdata(&pdev->dev, vdev);
	ret = vfpci_core_register_device(vdev);
	if (ret) {
		vfio_put_device(&vdev->vdev);
		return ret;
	}
	return 0;
}

static void vfpci_remove(struct pci_dev *pdev)
{
	struct vfpci_core_device *vdev = dev_get_drvdata(&pdev->dev);

	vfpci_core_unregister_device(vdev);
	vfio_put_device(&vdev->vdev);
}

static int vfpci_sriov_configure(struct pci_dev *pdev, int nr_virtfn)
{
	if (!enable_sriov)
		return -ENOENT;
	return vfpci_core_sriov_configure(dev_get_drvdata(&pdev->dev),
					  nr_virtfn);
}

static const struct pci_device_id vfpci_table[] = {
	/* Anything, but only when user space asks through driver_override. */
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_ANY_ID, PCI_ANY_ID) },
	{}
};
MODULE_DEVICE_TABLE(pci, vfpci_table);

static struct pci_driver vfpci_driver = {
	.name			= VFPCI_DRIVER_NAME,
	.id_table		= vfpci_table,
	.probe			= vfpci_probe,
	.remove			= vfpci_remove,
	.sriov_configure	= vfpci_sriov_configure,
	.err_handler		= &vfpci_core_err_handlers,
	.driver_managed_dma	= true,
};

static void __init vfpci_add_ids(void)
{
	char *p = ids, *id;

	while ((id = strsep(&p, ","))) {
		unsigned int vendor, device, subvendor = PCI_ANY_ID;
		unsigned int subdevice = PCI_ANY_ID, class = 0, class_mask = 0;
		int ret;

		if (!*id)
			continue;
		if (sscanf(id, "%x:%x:%x:%x:%x:%x", &vendor, &device,
			   &subvendor, &subdevice, &class, &class_mask) < 2) {
			pr_warn("invalid id string \"%s\"\n", id);
			continue;
		}
		ret = pci_add_dynid(&vfpci_driver, vendor, device, subvendor,
				    subdevice, class, class_mask, 0);
		if (ret)
			pr_warn("cannot add id %04x:%04x (%d)\n", vendor,
				device, ret);
		else
			pr_info("add [%04x:%04x[%04x:%04x]] class %#08x/%08x\n",
				vendor, device, subvendor, subdevice, class,
				class_mask);
	}
}

static int __init vfpci_init(void)
{
	int ret;

	vfpci_core_set_params(nointxmask, disable_vga, disable_idle_d3);
	ret = pci_register_driver(&vfpci_driver);
	if (ret)
		return ret;
	vfpci_add_ids();
	if (disable_denylist)
		pr_warn("device denylist disabled.\n");
	return 0;
}
module_init(vfpci_init);

static void __exit vfpci_exit(void)
{
	pci_unregister_driver(&vfpci_driver);
}
module_exit(vfpci_exit);

MODULE_LICENSE("GPL");
#ifdef VFPCI_DROPIN
MODULE_DESCRIPTION("vfpci drop-in: generic VFIO PCI driver on vfpci_core, as vfio-pci");
MODULE_VERSION(VFPCI_VERSION);
#else
MODULE_DESCRIPTION("vfpci: generic VFIO PCI driver on vfpci_core");
#endif
