// SPDX-License-Identifier: GPL-2.0-only
/* AER: tell the user about device errors through the ERR eventfd. */
#include "private.h"

static pci_ers_result_t vfpci_core_error_detected(struct pci_dev *pdev,
						  pci_channel_state_t state)
{
	struct vfpci_core_device *vdev = dev_get_drvdata(&pdev->dev);

	if (!vdev)
		return PCI_ERS_RESULT_DISCONNECT;
	vfpci_intrs_signal_err(vdev);
	return PCI_ERS_RESULT_CAN_RECOVER;
}

const struct pci_error_handlers vfpci_core_err_handlers = {
	.error_detected = vfpci_core_error_detected,
};
EXPORT_SYMBOL_GPL(vfpci_core_err_handlers);
