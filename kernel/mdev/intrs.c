// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interrupts of a mediated function: INTx and one MSI vector delivered to
 * the user's eventfds, and the REQ eventfd.  VFIO_DEVICE_SET_IRQS follows
 * the uAPI as the in-kernel vfio-pci implements it, errnos included.
 *
 * INTx is a level: the driver asserts and deasserts it; while asserted,
 * enabled and unmasked, the user's eventfd fires once and the line masks
 * itself (AUTOMASKED) until the user unmasks it, when it fires again if
 * still asserted.  irq_lock orders that against the driver's raise/lower,
 * which may come from any thread; the setup itself changes under
 * state_lock.
 */
#include <linux/eventfd.h>
#include <linux/slab.h>
#include <linux/vfio.h>

#include "private.h"

#define VFPCI_MDEV_IRQ_NONE	(-1)

int vfpci_mdev_irq_count(struct vfpci_mdev *m, unsigned int index)
{
	switch (index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		return m->info->intx ? 1 : 0;
	case VFIO_PCI_MSI_IRQ_INDEX:
		return m->info->msi ? 1 : 0;
	case VFIO_PCI_REQ_IRQ_INDEX:
		return 1;
	}
	return 0;	/* no MSI-X; conventional PCI has no ERR */
}

/* With irq_lock held: deliver the line if nothing holds it back. */
static void intx_deliver(struct vfpci_mdev *m)
{
	if (m->irq_type != VFIO_PCI_INTX_IRQ_INDEX || !m->intx_trigger ||
	    !m->intx_level || m->intx_masked ||
	    vfpci_mdev_command(m, PCI_COMMAND_INTX_DISABLE))
		return;
	m->intx_masked = true;
	vfpci_compat_eventfd_signal(m->intx_trigger);
}

void vfpci_mdev_intx_update(struct vfpci_mdev *m)
{
	unsigned long flags;

	spin_lock_irqsave(&m->irq_lock, flags);
	intx_deliver(m);
	spin_unlock_irqrestore(&m->irq_lock, flags);
}

void vfpci_mdev_irq_raise(struct vfpci_mdev *m)
{
	unsigned long flags;

	spin_lock_irqsave(&m->irq_lock, flags);
	if (m->irq_type == VFIO_PCI_MSI_IRQ_INDEX) {
		/* A message is a memory write: it needs bus mastering. */
		if (m->msi_trigger && vfpci_mdev_command(m, PCI_COMMAND_MASTER))
			vfpci_compat_eventfd_signal(m->msi_trigger);
	} else {
		m->intx_level = true;
		intx_deliver(m);
	}
	spin_unlock_irqrestore(&m->irq_lock, flags);
}
EXPORT_SYMBOL_GPL(vfpci_mdev_irq_raise);

void vfpci_mdev_irq_lower(struct vfpci_mdev *m)
{
	unsigned long flags;

	spin_lock_irqsave(&m->irq_lock, flags);
	if (m->irq_type != VFIO_PCI_MSI_IRQ_INDEX)
		m->intx_level = false;
	spin_unlock_irqrestore(&m->irq_lock, flags);
}
EXPORT_SYMBOL_GPL(vfpci_mdev_irq_lower);

static void intx_mask(struct vfpci_mdev *m)
{
	unsigned long flags;

	spin_lock_irqsave(&m->irq_lock, flags);
	m->intx_masked = true;
	spin_unlock_irqrestore(&m->irq_lock, flags);
}

static void intx_unmask(struct vfpci_mdev *m)
{
	unsigned long flags;

	spin_lock_irqsave(&m->irq_lock, flags);
	m->intx_masked = false;
	intx_deliver(m);
	spin_unlock_irqrestore(&m->irq_lock, flags);
}

/* The unmask irqfd: signalling from its wakeup could recurse, so a thread. */
static int intx_unmask_handler(void *opaque, void *unused)
{
	return 1;
}

static void intx_unmask_thread(void *opaque, void *unused)
{
	intx_unmask(opaque);
}

/* Replace *@slot by the eventfd @fd (-1: none). */
static int trigger_set(struct vfpci_mdev *m, struct eventfd_ctx **slot,
		       int fd)
{
	struct eventfd_ctx *ctx = NULL, *old;
	unsigned long flags;

	if (fd >= 0) {
		ctx = eventfd_ctx_fdget(fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	}
	spin_lock_irqsave(&m->irq_lock, flags);
	old = *slot;
	*slot = ctx;
	spin_unlock_irqrestore(&m->irq_lock, flags);
	if (old)
		eventfd_ctx_put(old);
	return 0;
}

static void irq_type_set(struct vfpci_mdev *m, int type)
{
	unsigned long flags;

	spin_lock_irqsave(&m->irq_lock, flags);
	m->irq_type = type;
	m->intx_masked = false;
	spin_unlock_irqrestore(&m->irq_lock, flags);
}

static void intx_disable(struct vfpci_mdev *m)
{
	vfio_virqfd_disable(&m->intx_unmask);
	irq_type_set(m, VFPCI_MDEV_IRQ_NONE);
	trigger_set(m, &m->intx_trigger, -1);
}

static void msi_disable(struct vfpci_mdev *m)
{
	irq_type_set(m, VFPCI_MDEV_IRQ_NONE);
	trigger_set(m, &m->msi_trigger, -1);
	/* The enable bit follows SET_IRQS, as on a physical function. */
	if (m->msi_pos)
		m->vconfig[m->msi_pos + PCI_MSI_FLAGS] &= ~PCI_MSI_FLAGS_ENABLE;
}

void vfpci_mdev_irqs_off(struct vfpci_mdev *m)
{
	if (m->irq_type == VFIO_PCI_INTX_IRQ_INDEX)
		intx_disable(m);
	else if (m->irq_type == VFIO_PCI_MSI_IRQ_INDEX)
		msi_disable(m);
	trigger_set(m, &m->req_trigger, -1);
}

/* Loopback for DATA_NONE and DATA_BOOL: fire as the device would. */
static void loopback(struct vfpci_mdev *m, struct eventfd_ctx **slot,
		     u32 flags, const u8 *data)
{
	unsigned long irqflags;

	if ((flags & VFIO_IRQ_SET_DATA_BOOL) && !data[0])
		return;
	spin_lock_irqsave(&m->irq_lock, irqflags);
	if (*slot)
		vfpci_compat_eventfd_signal(*slot);
	spin_unlock_irqrestore(&m->irq_lock, irqflags);
}

static int intx_trigger(struct vfpci_mdev *m, struct vfio_irq_set *hdr,
			const u8 *data)
{
	bool is_intx = m->irq_type == VFIO_PCI_INTX_IRQ_INDEX;
	int ret;

	if (is_intx && !hdr->count && (hdr->flags & VFIO_IRQ_SET_DATA_NONE)) {
		intx_disable(m);
		return 0;
	}
	if (!(is_intx || m->irq_type == VFPCI_MDEV_IRQ_NONE) ||
	    hdr->start || hdr->count != 1)
		return -EINVAL;

	if (hdr->flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		s32 fd = *(const s32 *)data;

		if (fd < 0) {
			if (is_intx)
				intx_disable(m);
			return 0;
		}
		ret = trigger_set(m, &m->intx_trigger, fd);
		if (ret)
			return ret;
		if (!is_intx)
			irq_type_set(m, VFIO_PCI_INTX_IRQ_INDEX);
		/* A line already asserted fires now. */
		vfpci_mdev_intx_update(m);
		return 0;
	}

	if (!is_intx)
		return -EINVAL;
	loopback(m, &m->intx_trigger, hdr->flags, data);
	return 0;
}

static int intx_mask_unmask(struct vfpci_mdev *m, struct vfio_irq_set *hdr,
			    const u8 *data, bool unmask)
{
	if (m->irq_type != VFIO_PCI_INTX_IRQ_INDEX || hdr->start ||
	    hdr->count != 1)
		return -EINVAL;

	if (hdr->flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		s32 fd = *(const s32 *)data;

		if (!unmask)
			return -ENOTTY;	/* as vfio-pci: no mask irqfd */
		if (fd < 0) {
			vfio_virqfd_disable(&m->intx_unmask);
			return 0;
		}
		return vfio_virqfd_enable(m, intx_unmask_handler,
					  intx_unmask_thread, NULL,
					  &m->intx_unmask, fd);
	}
	if ((hdr->flags & VFIO_IRQ_SET_DATA_BOOL) && !data[0])
		return 0;
	if (unmask)
		intx_unmask(m);
	else
		intx_mask(m);
	return 0;
}

static int msi_trigger(struct vfpci_mdev *m, struct vfio_irq_set *hdr,
		       const u8 *data)
{
	bool is_msi = m->irq_type == VFIO_PCI_MSI_IRQ_INDEX;
	int ret;

	if (is_msi && !hdr->count && (hdr->flags & VFIO_IRQ_SET_DATA_NONE)) {
		msi_disable(m);
		return 0;
	}
	if (!(is_msi || m->irq_type == VFPCI_MDEV_IRQ_NONE))
		return -EINVAL;

	if (hdr->flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		/* One vector: validation left start 0 and count 1 here. */
		ret = trigger_set(m, &m->msi_trigger, *(const s32 *)data);
		if (ret) {
			if (!is_msi)
				msi_disable(m);
			return ret;
		}
		if (!is_msi)
			irq_type_set(m, VFIO_PCI_MSI_IRQ_INDEX);
		return 0;
	}

	if (!is_msi)
		return -EINVAL;
	if (hdr->count)
		loopback(m, &m->msi_trigger, hdr->flags, data);
	return 0;
}

static int req_trigger(struct vfpci_mdev *m, struct vfio_irq_set *hdr,
		       const u8 *data)
{
	if (hdr->flags & VFIO_IRQ_SET_DATA_NONE) {
		if (hdr->count)
			loopback(m, &m->req_trigger, hdr->flags, data);
		else
			trigger_set(m, &m->req_trigger, -1);
		return 0;
	}
	if (!hdr->count)
		return -EINVAL;
	if (hdr->flags & VFIO_IRQ_SET_DATA_BOOL) {
		loopback(m, &m->req_trigger, hdr->flags, data);
		return 0;
	}
	return trigger_set(m, &m->req_trigger, *(const s32 *)data);
}

static int set_irqs(struct vfpci_mdev *m, struct vfio_irq_set *hdr,
		    const u8 *data)
{
	u32 action = hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;

	switch (hdr->index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		if (action == VFIO_IRQ_SET_ACTION_TRIGGER)
			return intx_trigger(m, hdr, data);
		return intx_mask_unmask(m, hdr, data,
					action == VFIO_IRQ_SET_ACTION_UNMASK);
	case VFIO_PCI_MSI_IRQ_INDEX:
		if (action == VFIO_IRQ_SET_ACTION_TRIGGER)
			return msi_trigger(m, hdr, data);
		break;
	case VFIO_PCI_REQ_IRQ_INDEX:
		if (action == VFIO_IRQ_SET_ACTION_TRIGGER)
			return req_trigger(m, hdr, data);
		break;
	}
	return -ENOTTY;
}

int vfpci_mdev_set_irqs(struct vfpci_mdev *m, unsigned long arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	size_t data_size = 0;
	u8 *data = NULL;
	int count, ret;

	if (copy_from_user(&hdr, (void __user *)arg, minsz))
		return -EFAULT;
	count = hdr.index < VFIO_PCI_NUM_IRQS ?
		vfpci_mdev_irq_count(m, hdr.index) : 0;
	ret = vfio_set_irqs_validate_and_prepare(&hdr, count,
						 VFIO_PCI_NUM_IRQS, &data_size);
	if (ret)
		return ret;
	if (data_size) {
		data = memdup_user((void __user *)(arg + minsz), data_size);
		if (IS_ERR(data))
			return PTR_ERR(data);
	}

	mutex_lock(&m->state_lock);
	ret = set_irqs(m, &hdr, data);
	mutex_unlock(&m->state_lock);
	kfree(data);
	return ret;
}

bool vfpci_mdev_signal_req(struct vfpci_mdev *m)
{
	unsigned long flags;
	bool sent = false;

	spin_lock_irqsave(&m->irq_lock, flags);
	if (m->req_trigger) {
		vfpci_compat_eventfd_signal(m->req_trigger);
		sent = true;
	}
	spin_unlock_irqrestore(&m->irq_lock, flags);
	return sent;
}
