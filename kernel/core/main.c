// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfpci_core: turn a PCI function into a VFIO device.
 *
 * This file holds the device's life: init/release of the embedded
 * vfio_device, registration with VFIO, enable on first open and disable on
 * last close, the read/write dispatch by region, and the request/match ops.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>
#include <linux/slab.h>
#include <linux/uuid.h>
#include <linux/vfio.h>
#include <linux/vgaarb.h>

#include "private.h"

bool vfpci_nointxmask;
bool vfpci_disable_idle_d3;
bool vfpci_disable_vga;

/* The generic driver owns the module parameters; it hands them over here. */
void vfpci_core_set_params(bool nointxmask, bool disable_vga,
			   bool disable_idle_d3)
{
	vfpci_nointxmask = nointxmask;
	vfpci_disable_vga = disable_vga;
	vfpci_disable_idle_d3 = disable_idle_d3;
}
EXPORT_SYMBOL_GPL(vfpci_core_set_params);

int vfpci_core_init_dev(struct vfio_device *core_vdev)
{
	struct vfpci_core_device *vdev = to_vfpci_core(core_vdev);

	vdev->pdev = to_pci_dev(core_vdev->dev);
	vdev->irq_type = VFIO_PCI_NUM_IRQS;
	vdev->msix_bar = 0xff;
	mutex_init(&vdev->igate);
	spin_lock_init(&vdev->irqlock);
	mutex_init(&vdev->ioeventfds_lock);
	INIT_LIST_HEAD(&vdev->ioeventfds_list);
	init_rwsem(&vdev->memory_lock);
	mutex_init(&vdev->vf_token_lock);
	INIT_LIST_HEAD(&vdev->sriov_pfs_item);
	return vfpci_mmap_dev_init(vdev);
}
EXPORT_SYMBOL_GPL(vfpci_core_init_dev);

void vfpci_core_release_dev(struct vfio_device *core_vdev)
{
	struct vfpci_core_device *vdev = to_vfpci_core(core_vdev);

	vfpci_mmap_dev_exit(vdev);
	mutex_destroy(&vdev->igate);
	mutex_destroy(&vdev->ioeventfds_lock);
	mutex_destroy(&vdev->vf_token_lock);
	kfree(vdev->region);
	kfree(vdev->pm_save);
	/* Before 6.2 the release op frees the device itself. */
	vfpci_compat_free_device(core_vdev);
}
EXPORT_SYMBOL_GPL(vfpci_core_release_dev);

static bool vfpci_is_vga(struct pci_dev *pdev)
{
	return (pdev->class >> 8) == PCI_CLASS_DISPLAY_VGA;
}

/* VGA arbiter callback: which legacy ranges does this device decode? */
static unsigned int vfpci_vga_decode(struct pci_dev *pdev, bool single_vga)
{
	struct pci_dev *tmp = NULL;
	unsigned int decodes = VGA_RSRC_NORMAL_IO | VGA_RSRC_NORMAL_MEM;

	if (single_vga)
		return decodes | VGA_RSRC_LEGACY_IO | VGA_RSRC_LEGACY_MEM;

	/* Another VGA device on our bus needs our legacy decode. */
	while ((tmp = pci_get_class(PCI_CLASS_DISPLAY_VGA << 8, tmp))) {
		if (tmp != pdev && tmp->bus == pdev->bus) {
			pci_dev_put(tmp);
			return decodes | VGA_RSRC_LEGACY_IO |
			       VGA_RSRC_LEGACY_MEM;
		}
	}
	return decodes;
}

static int vfpci_vga_init(struct vfpci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	int ret;

	if (!vfpci_is_vga(pdev))
		return 0;
	ret = vga_client_register(pdev, vfpci_vga_decode);
	if (ret)
		return ret;
	vga_set_legacy_decoding(pdev, vfpci_vga_decode(pdev, false));
	return 0;
}

static void vfpci_vga_exit(struct vfpci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;

	if (!vfpci_is_vga(pdev))
		return;
	vga_client_unregister(pdev);
	vga_set_legacy_decoding(pdev, VGA_RSRC_NORMAL_IO | VGA_RSRC_NORMAL_MEM |
				VGA_RSRC_LEGACY_IO | VGA_RSRC_LEGACY_MEM);
}

/* Devices whose NoSoftRst bit is clear lose their state in D3hot. */
static void vfpci_probe_power_state(struct vfpci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	u16 pmcsr;

	if (!pdev->pm_cap)
		return;
	pci_read_config_word(pdev, pdev->pm_cap + PCI_PM_CTRL, &pmcsr);
	vdev->needs_pm_restore = !(pmcsr & PCI_PM_CTRL_NO_SOFT_RESET);
}

/*
 * Devices that can be reset together share a vfio device set: the slot
 * when it can be reset alone, else the whole bus.
 *
 * The set id is only a key.  We key on an address one byte into the slot
 * or bus, never the address itself: the in-kernel vfio-pci keys on the
 * plain pointer and treats every member of its sets as its own structure.
 * Separate keys keep its devices and ours in separate sets, and each
 * driver's hot reset then refuses to reset a device the other one owns.
 */
static void *vfpci_dev_set_key(void *obj)
{
	return (u8 *)obj + 1;
}

static int vfpci_assign_dev_set(struct vfpci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;

	if (pci_is_root_bus(pdev->bus) || pdev->is_virtfn)
		return vfio_assign_device_set(&vdev->vdev, vdev);
	if (!pci_probe_reset_slot(pdev->slot))
		return vfio_assign_device_set(&vdev->vdev,
					      vfpci_dev_set_key(pdev->slot));
	return vfio_assign_device_set(&vdev->vdev,
				      vfpci_dev_set_key(pdev->bus));
}

int vfpci_core_register_device(struct vfpci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	struct device *dev = &pdev->dev;
	const struct vfio_migration_ops *mig = vdev->vdev.mig_ops;
	const struct vfio_log_ops *log = vdev->vdev.log_ops;
	int ret;

	/* The PCI callbacks find the device through drvdata. */
	if (vdev != dev_get_drvdata(dev))
		return -EINVAL;
	if (pdev->hdr_type != PCI_HEADER_TYPE_NORMAL)
		return -EINVAL;
	if (mig && (!mig->migration_get_state || !mig->migration_set_state ||
		    !(vdev->vdev.migration_flags & VFIO_MIGRATION_STOP_COPY)))
		return -EINVAL;
	if (log && (!log->log_start || !log->log_stop ||
		    !log->log_read_and_clear))
		return -EINVAL;

	/* Existing VFs may be in use: we could never track their users. */
	if (pci_num_vf(pdev)) {
		pci_warn(pdev, "Cannot bind to PF with SR-IOV enabled\n");
		return -EBUSY;
	}

	ret = vfpci_assign_dev_set(vdev);
	if (ret)
		return ret;
	ret = vfpci_sriov_dev_init(vdev);
	if (ret)
		return ret;
	ret = vfpci_vga_init(vdev);
	if (ret)
		goto err_sriov;

	vfpci_probe_power_state(vdev);
	/* The PCI core leaves an unbound device in an unknown state. */
	vfpci_set_power_state(vdev, PCI_D0);

	/* Runtime PM callbacks; also how reset.c knows a set member is ours. */
	dev->driver->pm = &vfpci_core_pm_ops;
	pm_runtime_allow(dev);
	if (!vfpci_disable_idle_d3)
		pm_runtime_put(dev);

	ret = vfio_register_group_dev(&vdev->vdev);
	if (ret)
		goto err_pm;
	return 0;

err_pm:
	if (!vfpci_disable_idle_d3)
		pm_runtime_get_noresume(dev);
	pm_runtime_forbid(dev);
	vfpci_vga_exit(vdev);
err_sriov:
	vfpci_sriov_dev_exit(vdev);
	return ret;
}
EXPORT_SYMBOL_GPL(vfpci_core_register_device);

void vfpci_core_unregister_device(struct vfpci_core_device *vdev)
{
	struct device *dev = &vdev->pdev->dev;

	/*
	 * Only a PF has VFs to disable.  A variant may unregister a VF from
	 * another bus's remove (vfpci_nvme's auxiliary side), without the
	 * VF's device lock that sriov_configure expects.
	 */
	if (vdev->pdev->is_physfn)
		vfpci_core_sriov_configure(vdev, 0);
	vfio_unregister_group_dev(&vdev->vdev);
	vfpci_sriov_dev_exit(vdev);
	vfpci_vga_exit(vdev);
	if (!vfpci_disable_idle_d3)
		pm_runtime_get_noresume(dev);
	pm_runtime_forbid(dev);
}
EXPORT_SYMBOL_GPL(vfpci_core_unregister_device);

/* INTx of these devices cannot be masked reliably: hide it instead. */
static bool vfpci_intx_is_broken(struct pci_dev *pdev)
{
	if (pdev->vendor != PCI_VENDOR_ID_INTEL)
		return false;
	switch (pdev->device) {
	case 0x1572:
	case 0x1574:
	case 0x1580 ... 0x1581:
	case 0x1583 ... 0x158b:
	case 0x37d0 ... 0x37d2:
	case 0x1563:
		return true;
	}
	return false;
}

static void vfpci_setup_intx(struct vfpci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	u16 cmd;

	if (vfpci_nointxmask)
		return;
	if (vfpci_intx_is_broken(pdev)) {
		pci_info(pdev, "Masking broken INTx support\n");
		vdev->nointx = true;
		pci_intx(pdev, 0);
		return;
	}
	vdev->pci_2_3 = pci_intx_mask_supported(pdev);
	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	if (vdev->pci_2_3 && (cmd & PCI_COMMAND_INTX_DISABLE))
		pci_write_config_word(pdev, PCI_COMMAND,
				      cmd & ~PCI_COMMAND_INTX_DISABLE);
}

static void vfpci_probe_msix(struct vfpci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	u16 flags;
	u32 table;

	vdev->msix_bar = 0xff;
	if (!pdev->msix_cap)
		return;
	pci_read_config_word(pdev, pdev->msix_cap + PCI_MSIX_FLAGS, &flags);
	pci_read_config_dword(pdev, pdev->msix_cap + PCI_MSIX_TABLE, &table);
	vdev->msix_bar = table & PCI_MSIX_TABLE_BIR;
	vdev->msix_offset = table & PCI_MSIX_TABLE_OFFSET;
	vdev->msix_size = ((flags & PCI_MSIX_FLAGS_QSIZE) + 1) * 16;
}

int vfpci_core_enable(struct vfpci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	int ret;

	if (!vfpci_disable_idle_d3) {
		ret = pm_runtime_resume_and_get(&pdev->dev);
		if (ret < 0)
			return ret;
	}

	/* The state we restore on close must not have bus mastering on. */
	pci_clear_master(pdev);
	ret = pci_enable_device(pdev);
	if (ret)
		goto err_pm;

	/* Busy device lock: give up rather than open a half-reset device. */
	ret = pci_try_reset_function(pdev);
	if (ret == -EAGAIN)
		goto err_disable;
	vdev->reset_works = !ret;

	pci_save_state(pdev);
	vdev->pci_saved_state = pci_store_saved_state(pdev);
	if (!vdev->pci_saved_state)
		pci_dbg(pdev, "cannot store the saved state\n");

	vfpci_setup_intx(vdev);

	ret = vfpci_config_init(vdev);
	if (ret)
		goto err_state;

	vfpci_probe_msix(vdev);
	vdev->has_vga = !vfpci_disable_vga && vfpci_is_vga(pdev);
	return 0;

err_state:
	kfree(vdev->pci_saved_state);
	vdev->pci_saved_state = NULL;
err_disable:
	pci_disable_device(pdev);
err_pm:
	if (!vfpci_disable_idle_d3)
		pm_runtime_put(&pdev->dev);
	return ret;
}
EXPORT_SYMBOL_GPL(vfpci_core_enable);

/*
 * A BAR smaller than a page can still be mapped when it starts a page:
 * claim the rest of that page so that no other device's BAR is placed
 * there and exposed through the mapping.
 */
static bool vfpci_claim_page_fill(struct vfpci_core_device *vdev, int bar)
{
	struct resource *res = &vdev->pdev->resource[bar];
	struct resource *fill;

	if (res->start & ~PAGE_MASK)
		return false;
	fill = kzalloc(sizeof(*fill), GFP_KERNEL_ACCOUNT);
	if (!fill)
		return false;
	fill->name = "vfpci sub-page reserved";
	fill->start = res->end + 1;
	fill->end = res->start + PAGE_SIZE - 1;
	fill->flags = res->flags;
	if (request_resource(res->parent, fill)) {
		kfree(fill);
		return false;
	}
	vdev->page_fill[bar] = fill;
	return true;
}

static void vfpci_release_page_fills(struct vfpci_core_device *vdev)
{
	int bar;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		if (!vdev->page_fill[bar])
			continue;
		release_resource(vdev->page_fill[bar]);
		kfree(vdev->page_fill[bar]);
		vdev->page_fill[bar] = NULL;
	}
}

/* Which BARs may be mapped: memory BARs that own whole pages. */
static void vfpci_probe_mmaps(struct vfpci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	int bar;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		struct resource *res = &pdev->resource[bar];
		resource_size_t size = resource_size(res);

		if (!(res->flags & IORESOURCE_MEM) || !size)
			vdev->bar_mmap_supported[bar] = false;
		else if (size >= PAGE_SIZE)
			vdev->bar_mmap_supported[bar] = true;
		else
			vdev->bar_mmap_supported[bar] =
				vfpci_claim_page_fill(vdev, bar);
	}
}

void vfpci_core_finish_enable(struct vfpci_core_device *vdev)
{
	vfpci_probe_mmaps(vdev);
	vfpci_sriov_vf_open(vdev);
}
EXPORT_SYMBOL_GPL(vfpci_core_finish_enable);

static void vfpci_release_regions(struct vfpci_core_device *vdev)
{
	int i;

	for (i = 0; i < vdev->num_regions; i++)
		vdev->region[i].ops->release(vdev, &vdev->region[i]);
	vdev->num_regions = 0;
	kfree(vdev->region);
	vdev->region = NULL;
}

/* Give the device back in the state it had when we opened it. */
static void vfpci_restore_and_reset(struct vfpci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;

	vdev->needs_reset = true;
	if (pci_load_and_free_saved_state(pdev, &vdev->pci_saved_state)) {
		pci_info(pdev, "cannot reload the saved state\n");
		if (!vdev->reset_works)
			return;
		pci_save_state(pdev);
	}

	/* No interrupt may fire while the function resets. */
	pci_write_config_word(pdev, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE);

	/*
	 * Only a trylock: the device lock may be held by a remove that is
	 * waiting for us, and the "try" reset helpers would save over the
	 * state just restored.
	 */
	if (vdev->reset_works && pci_dev_trylock(pdev)) {
		if (!__pci_reset_function_locked(pdev))
			vdev->needs_reset = false;
		pci_dev_unlock(pdev);
	}
	pci_restore_state(pdev);
}

void vfpci_core_disable(struct vfpci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;

	lockdep_assert_held(&vdev->vdev.dev_set->lock);

	/* Low-power exit and any reset below need the device in D0. */
	vfpci_pm_runtime_exit(vdev);
	pm_runtime_resume(&pdev->dev);
	vfpci_set_power_state(vdev, PCI_D0);

	pci_clear_master(pdev);
	vfpci_intrs_release(vdev);
	vfpci_ioeventfd_release_all(vdev);
	vdev->virq_disabled = false;
	vfpci_release_regions(vdev);
	vfpci_config_free(vdev);
	vfpci_release_barmaps(vdev);
	vfpci_release_page_fills(vdev);

	vfpci_restore_and_reset(vdev);
	pci_disable_device(pdev);

	vfpci_dev_set_try_reset(vdev->vdev.dev_set);
	if (!vfpci_disable_idle_d3)
		pm_runtime_put(&pdev->dev);
}
EXPORT_SYMBOL_GPL(vfpci_core_disable);

void vfpci_core_close_device(struct vfio_device *core_vdev)
{
	struct vfpci_core_device *vdev = to_vfpci_core(core_vdev);

	vfpci_sriov_vf_close(vdev);
	vfpci_core_disable(vdev);

	mutex_lock(&vdev->igate);
	if (vdev->err_trigger) {
		eventfd_ctx_put(vdev->err_trigger);
		vdev->err_trigger = NULL;
	}
	if (vdev->req_trigger) {
		eventfd_ctx_put(vdev->req_trigger);
		vdev->req_trigger = NULL;
	}
	mutex_unlock(&vdev->igate);
}
EXPORT_SYMBOL_GPL(vfpci_core_close_device);

static ssize_t vfpci_rw(struct vfpci_core_device *vdev, char __user *buf,
			size_t count, loff_t *ppos, bool iswrite)
{
	unsigned int index = VFPCI_CORE_OFFSET_TO_INDEX(*ppos);
	ssize_t ret;

	if (index >= VFPCI_NUM_REGIONS + vdev->num_regions)
		return -EINVAL;

	/* A device in runtime suspend must wake up to be accessed. */
	ret = pm_runtime_resume_and_get(&vdev->pdev->dev);
	if (ret) {
		pci_info_ratelimited(vdev->pdev, "runtime resume failed %zd\n",
				     ret);
		return -EIO;
	}

	switch (index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		ret = vfpci_config_rw(vdev, buf, count, ppos, iswrite);
		break;
	case VFIO_PCI_BAR0_REGION_INDEX ... VFIO_PCI_BAR5_REGION_INDEX:
		ret = vfpci_core_bar_rw(vdev, buf, count, ppos, iswrite);
		break;
	case VFIO_PCI_ROM_REGION_INDEX:
		ret = iswrite ? -EINVAL :
		      vfpci_rom_rw(vdev, buf, count, ppos, false);
		break;
	case VFIO_PCI_VGA_REGION_INDEX:
		ret = vfpci_vga_rw(vdev, buf, count, ppos, iswrite);
		break;
	default:
		index -= VFPCI_NUM_REGIONS;
		ret = vdev->region[index].ops->rw(vdev, buf, count, ppos,
						  iswrite);
		break;
	}

	pm_runtime_put(&vdev->pdev->dev);
	return ret;
}

ssize_t vfpci_core_read(struct vfio_device *core_vdev, char __user *buf,
			size_t count, loff_t *ppos)
{
	struct vfpci_core_device *vdev = to_vfpci_core(core_vdev);
	ssize_t ret;

	if (!count)
		return 0;
	/* Config reads that need no device skip runtime PM and the engine. */
	if (VFPCI_CORE_OFFSET_TO_INDEX(*ppos) == VFIO_PCI_CONFIG_REGION_INDEX) {
		ret = vfpci_config_read_virt(vdev, buf, count, ppos);
		if (ret != -EAGAIN)
			return ret;
	}
	return vfpci_rw(vdev, buf, count, ppos, false);
}
EXPORT_SYMBOL_GPL(vfpci_core_read);

ssize_t vfpci_core_write(struct vfio_device *core_vdev, const char __user *buf,
			 size_t count, loff_t *ppos)
{
	if (!count)
		return 0;
	return vfpci_rw(to_vfpci_core(core_vdev), (char __user *)buf, count,
			ppos, true);
}
EXPORT_SYMBOL_GPL(vfpci_core_write);

/* The device is being removed: ask the user to let go of it. */
void vfpci_core_request(struct vfio_device *core_vdev, unsigned int count)
{
	struct vfpci_core_device *vdev = to_vfpci_core(core_vdev);
	struct pci_dev *pdev = vdev->pdev;

	if (vfpci_intrs_signal_req(vdev)) {
		if (!(count % 10))
			pci_notice_ratelimited(pdev,
					       "Relaying device request to user (#%u)\n",
					       count);
	} else if (!count) {
		pci_warn(pdev,
			 "No device request channel registered, blocked until released by user\n");
	}
}
EXPORT_SYMBOL_GPL(vfpci_core_request);

#define VFPCI_VF_TOKEN_ARG "vf_token="

/*
 * VFIO_GROUP_GET_DEVICE_FD names the device as "BDF [vf_token=UUID]".
 * Returns 1 on a match, 0 for another device, or an errno for bad options.
 */
int vfpci_core_match(struct vfio_device *core_vdev, char *buf)
{
	struct vfpci_core_device *vdev = to_vfpci_core(core_vdev);
	const char *name = pci_name(vdev->pdev);
	size_t len = strlen(name);
	bool have_token = false;
	uuid_t uuid;
	int ret;

	if (strncmp(name, buf, len))
		return 0;
	buf += len;
	if (*buf && *buf != ' ')
		return 0;

	while (*buf) {
		if (*buf == ' ') {
			buf++;
			continue;
		}
		if (have_token || strncmp(buf, VFPCI_VF_TOKEN_ARG,
					  strlen(VFPCI_VF_TOKEN_ARG)))
			return -EINVAL;
		buf += strlen(VFPCI_VF_TOKEN_ARG);
		if (strlen(buf) < UUID_STRING_LEN)
			return -EINVAL;
		ret = uuid_parse(buf, &uuid);
		if (ret)
			return ret;
		have_token = true;
		buf += UUID_STRING_LEN;
	}

	ret = vfpci_vf_token_match(vdev, have_token, &uuid);
	return ret ? ret : 1;
}
EXPORT_SYMBOL_GPL(vfpci_core_match);

static int __init vfpci_core_module_init(void)
{
	return vfpci_config_module_init();
}

static void __exit vfpci_core_module_exit(void)
{
	vfpci_config_module_exit();
}

module_init(vfpci_core_module_init);
module_exit(vfpci_core_module_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vfpci core: VFIO PCI device library");
