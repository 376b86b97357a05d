// SPDX-License-Identifier: GPL-2.0-only
/*
 * Power management: D-state changes on behalf of the user (PM capability
 * writes, close, reset), the low power device features built on runtime
 * PM, and the runtime PM callbacks every vfpci_core driver gets.
 *
 * pm_runtime_engaged and pm_wake_eventfd_ctx change only under
 * memory_lock held for write, so BAR access paths that hold it for read
 * see a stable power state.
 */
#include <linux/eventfd.h>
#include <linux/pm_runtime.h>
#include <linux/slab.h>
#include <linux/vfio.h>

#include "private.h"

/*
 * pci_set_power_state() for the user's device.  A device without
 * NoSoftRst in its PMCSR loses its config state on D3hot->D0: keep our own
 * copy across that trip (apart from pci_saved_state, which is the state
 * to restore at close, and from the PCI core's, which resets consume).
 */
int vfpci_set_power_state(struct vfpci_core_device *vdev, pci_power_t state)
{
	struct pci_dev *pdev = vdev->pdev;
	bool save = false, restore = false;
	int ret;

	if (state > PCI_D0) {
		lockdep_assert_held_write(&vdev->memory_lock);
		/* VFs may be in use elsewhere: keep their PF powered. */
		if (pci_num_vf(pdev))
			return -EBUSY;
	}

	if (vdev->needs_pm_restore) {
		save = pdev->current_state < PCI_D3hot && state >= PCI_D3hot;
		restore = pdev->current_state >= PCI_D3hot && state <= PCI_D0;
	}

	if (save)
		pci_save_state(pdev);

	ret = pci_set_power_state(pdev, state);
	if (ret)
		return ret;

	if (save && pdev->current_state >= PCI_D3hot) {
		/* A D0 return we were not told of may have left an old copy. */
		kfree(vdev->pm_save);
		vdev->pm_save = pci_store_saved_state(pdev);
	} else if (restore) {
		pci_load_and_free_saved_state(pdev, &vdev->pm_save);
		pci_restore_state(pdev);
	}
	return 0;
}

/*
 * Drop the usage count the open device holds, so runtime PM may suspend
 * it once the ioctl's own reference goes.  Mappings are zapped: a BAR
 * access must fault and find the device in low power.
 */
static int vfpci_pm_runtime_enter(struct vfpci_core_device *vdev,
				  struct eventfd_ctx *wake)
{
	vfpci_zap_and_down_write_memory_lock(vdev);
	if (vdev->pm_runtime_engaged) {
		up_write(&vdev->memory_lock);
		return -EINVAL;
	}
	vdev->pm_runtime_engaged = true;
	vdev->pm_wake_eventfd_ctx = wake;
	pm_runtime_put_noidle(&vdev->pdev->dev);
	up_write(&vdev->memory_lock);
	return 0;
}

/* Undo vfpci_pm_runtime_enter(); the caller holds memory_lock for write. */
static void vfpci_pm_runtime_exit_locked(struct vfpci_core_device *vdev)
{
	if (!vdev->pm_runtime_engaged)
		return;

	vdev->pm_runtime_engaged = false;
	pm_runtime_get_noresume(&vdev->pdev->dev);
	if (vdev->pm_wake_eventfd_ctx) {
		eventfd_ctx_put(vdev->pm_wake_eventfd_ctx);
		vdev->pm_wake_eventfd_ctx = NULL;
	}
}

/*
 * Leave the user's low power state, if entered.  Close calls this before
 * pm_runtime_resume() and its D0 transition.
 */
void vfpci_pm_runtime_exit(struct vfpci_core_device *vdev)
{
	down_write(&vdev->memory_lock);
	vfpci_pm_runtime_exit_locked(vdev);
	up_write(&vdev->memory_lock);
}

static int vfpci_pm_entry(struct vfpci_core_device *vdev, u32 flags,
			  size_t argsz)
{
	int ret = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_SET, 0);

	if (ret != 1)
		return ret;
	return vfpci_pm_runtime_enter(vdev, NULL);
}

static int vfpci_pm_entry_with_wakeup(struct vfpci_core_device *vdev,
				      u32 flags, void __user *arg,
				      size_t argsz)
{
	struct vfio_device_low_power_entry_with_wakeup entry;
	struct eventfd_ctx *wake;
	int ret;

	ret = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_SET,
				 sizeof(entry));
	if (ret != 1)
		return ret;

	if (copy_from_user(&entry, arg, sizeof(entry)))
		return -EFAULT;
	if (entry.wakeup_eventfd < 0)
		return -EINVAL;

	wake = eventfd_ctx_fdget(entry.wakeup_eventfd);
	if (IS_ERR(wake))
		return PTR_ERR(wake);

	ret = vfpci_pm_runtime_enter(vdev, wake);
	if (ret)
		eventfd_ctx_put(wake);
	return ret;
}

static int vfpci_pm_exit(struct vfpci_core_device *vdev, u32 flags,
			 size_t argsz)
{
	int ret = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_SET, 0);

	if (ret != 1)
		return ret;

	/*
	 * vfio core resumed the device around this ioctl; with a wake
	 * eventfd the resume callback already left the low power state, and
	 * a second exit is a no-op.
	 */
	vfpci_pm_runtime_exit(vdev);
	return 0;
}

/* The low power VFIO_DEVICE_FEATUREs; -ENOTTY for any other feature. */
int vfpci_pm_feature(struct vfpci_core_device *vdev, u32 flags, u32 feature,
		     void __user *arg, size_t argsz)
{
	switch (feature) {
	case VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY:
		return vfpci_pm_entry(vdev, flags, argsz);
	case VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP:
		return vfpci_pm_entry_with_wakeup(vdev, flags, arg, argsz);
	case VFIO_DEVICE_FEATURE_LOW_POWER_EXIT:
		return vfpci_pm_exit(vdev, flags, argsz);
	default:
		return -ENOTTY;
	}
}

#ifdef CONFIG_PM
/*
 * Mask INTx if the user has it enabled and unmasked, so a device that
 * keeps asserting it cannot storm while suspended.  True if we masked.
 * vfpci_intx_mask() does not say whether it changed anything, so look at
 * the mask first; the INTx handler masking in between only costs the user
 * a spurious unmask at resume.
 */
static bool vfpci_pm_mask_intx(struct vfpci_core_device *vdev)
{
	unsigned long flags;
	bool unmasked = false;

	/* igate keeps ctx[] in place while we look at it. */
	mutex_lock(&vdev->igate);
	if (vdev->irq_type == VFIO_PCI_INTX_IRQ_INDEX && vdev->ctx) {
		spin_lock_irqsave(&vdev->irqlock, flags);
		unmasked = !vdev->ctx[0].masked;
		spin_unlock_irqrestore(&vdev->irqlock, flags);
	}
	mutex_unlock(&vdev->igate);
	if (!unmasked)
		return false;

	vfpci_intx_mask(vdev);
	return true;
}

static int vfpci_core_runtime_suspend(struct device *dev)
{
	struct vfpci_core_device *vdev = dev_get_drvdata(dev);

	/*
	 * The user may have put the device in D3hot through the PM
	 * capability.  Bring it to D0 our way (restoring NoSoftRst- state)
	 * and let the PCI core pick the low power state from there.
	 */
	down_write(&vdev->memory_lock);
	vfpci_set_power_state(vdev, PCI_D0);
	up_write(&vdev->memory_lock);

	vdev->pm_intx_masked = vfpci_pm_mask_intx(vdev);
	return 0;
}

static int vfpci_core_runtime_resume(struct device *dev)
{
	struct vfpci_core_device *vdev = dev_get_drvdata(dev);

	/* A wakeup ends the low power state: tell the user, then leave it. */
	down_write(&vdev->memory_lock);
	if (vdev->pm_wake_eventfd_ctx) {
		vfpci_compat_eventfd_signal(vdev->pm_wake_eventfd_ctx);
		vfpci_pm_runtime_exit_locked(vdev);
	}
	up_write(&vdev->memory_lock);

	if (vdev->pm_intx_masked) {
		vdev->pm_intx_masked = false;
		vfpci_intx_unmask(vdev);
	}
	return 0;
}
#endif /* CONFIG_PM */

/*
 * Installed on the driver of every device registered with vfpci_core.
 * Only runtime PM: the PCI core saves and restores config state around
 * runtime suspend itself, so NoSoftRst- needs nothing more here.
 */
const struct dev_pm_ops vfpci_core_pm_ops = {
	SET_RUNTIME_PM_OPS(vfpci_core_runtime_suspend,
			   vfpci_core_runtime_resume, NULL)
};
