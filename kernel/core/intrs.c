// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interrupts of a vfpci_core device: INTx, MSI and MSI-X forwarded to the
 * user through eventfds, plus the ERR and REQ notification eventfds.
 *
 * vdev->igate serializes every change of the setup (irq_type, num_ctx,
 * ctx[] and the triggers).  The INTx masked state is also touched by the
 * hard interrupt handler and by the unmask irqfd, so it lives under
 * vdev->irqlock.  irq_type is VFIO_PCI_NUM_IRQS while nothing is enabled.
 */
#include <linux/eventfd.h>
#include <linux/interrupt.h>
#include <linux/msi.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/vfio.h>

#include "private.h"

#define VFPCI_IRQ_NONE	VFIO_PCI_NUM_IRQS

static bool vfpci_irq_is(struct vfpci_core_device *vdev, unsigned int index)
{
	return vdev->irq_type == index;
}

/* True while INTx, MSI or MSI-X delivery is set up. */
static bool vfpci_irq_busy(struct vfpci_core_device *vdev)
{
	return vfpci_irq_is(vdev, VFIO_PCI_INTX_IRQ_INDEX) ||
	       vfpci_irq_is(vdev, VFIO_PCI_MSI_IRQ_INDEX) ||
	       vfpci_irq_is(vdev, VFIO_PCI_MSIX_IRQ_INDEX);
}

int vfpci_intrs_irq_count(struct vfpci_core_device *vdev, int index)
{
	struct pci_dev *pdev = vdev->pdev;
	u16 ctrl;

	switch (index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		/* config.c clears the user's pin when INTx is unusable. */
		return vdev->vconfig && vdev->vconfig[PCI_INTERRUPT_PIN] ? 1 : 0;
	case VFIO_PCI_MSI_IRQ_INDEX:
		if (!pdev->msi_cap)
			return 0;
		pci_read_config_word(pdev, pdev->msi_cap + PCI_MSI_FLAGS, &ctrl);
		/* Multiple Message Capable is a log2 of the vector count. */
		return 1 << ((ctrl & PCI_MSI_FLAGS_QMASK) >> 1);
	case VFIO_PCI_MSIX_IRQ_INDEX:
		if (!pdev->msix_cap)
			return 0;
		pci_read_config_word(pdev, pdev->msix_cap + PCI_MSIX_FLAGS,
				     &ctrl);
		return (ctrl & PCI_MSIX_FLAGS_QSIZE) + 1;
	case VFIO_PCI_ERR_IRQ_INDEX:
		return pci_is_pcie(pdev) ? 1 : 0;
	case VFIO_PCI_REQ_IRQ_INDEX:
		return 1;
	}
	return 0;
}

/*
 * INTx
 */

/*
 * Pass one INTx event to the user.  Runs from the hard handler, from the
 * unmask irqfd's thread and for loopback; none of them can see ctx freed
 * because each is stopped before INTx is torn down.
 */
static void vfpci_intx_signal(void *opaque, void *unused)
{
	struct vfpci_core_device *vdev = opaque;
	struct eventfd_ctx *trigger;

	if (!vfpci_irq_is(vdev, VFIO_PCI_INTX_IRQ_INDEX) || vdev->virq_disabled)
		return;
	trigger = READ_ONCE(vdev->ctx[0].trigger);
	if (trigger)
		vfpci_compat_eventfd_signal(trigger);
}

/* Mask INTx; true if this call changed the state from unmasked. */
static bool vfpci_intx_mask_locked(struct vfpci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	bool changed = false;
	unsigned long flags;

	lockdep_assert_held(&vdev->igate);

	spin_lock_irqsave(&vdev->irqlock, flags);
	if (!vfpci_irq_is(vdev, VFIO_PCI_INTX_IRQ_INDEX)) {
		/* Not forwarding INTx: DisINTx just follows the user's bit. */
		if (vdev->pci_2_3)
			pci_intx(pdev, 0);
	} else if (!vdev->ctx[0].masked) {
		/* Mask unconditionally, whether or not INTx is pending. */
		if (vdev->pci_2_3)
			pci_intx(pdev, 0);
		else
			disable_irq_nosync(pdev->irq);
		vdev->ctx[0].masked = true;
		changed = true;
	}
	spin_unlock_irqrestore(&vdev->irqlock, flags);

	return changed;
}

/*
 * Unmask INTx.  Returns 1 when the device still asserts INTx: it stays
 * masked and the caller re-sends the event instead of taking a fresh
 * interrupt.  Also the handler of the unmask irqfd, which runs inside an
 * eventfd wakeup where signalling another eventfd is not allowed; hence
 * the caller, not this function, signals.
 */
static int vfpci_intx_unmask_fn(void *opaque, void *unused)
{
	struct vfpci_core_device *vdev = opaque;
	struct pci_dev *pdev = vdev->pdev;
	unsigned long flags;
	int resend = 0;

	spin_lock_irqsave(&vdev->irqlock, flags);
	if (!vfpci_irq_is(vdev, VFIO_PCI_INTX_IRQ_INDEX)) {
		if (vdev->pci_2_3)
			pci_intx(pdev, 1);
	} else if (vdev->ctx[0].masked && !vdev->virq_disabled) {
		if (!vdev->pci_2_3)
			enable_irq(pdev->irq);
		else if (!pci_check_and_unmask_intx(pdev))
			resend = 1;
		vdev->ctx[0].masked = resend;
	}
	spin_unlock_irqrestore(&vdev->irqlock, flags);

	return resend;
}

static void vfpci_intx_unmask_locked(struct vfpci_core_device *vdev)
{
	lockdep_assert_held(&vdev->igate);

	if (vfpci_intx_unmask_fn(vdev, NULL))
		vfpci_intx_signal(vdev, NULL);
}

/* Also called by config.c (user's INTx disable bit) and by PM code. */
void vfpci_intx_mask(struct vfpci_core_device *vdev)
{
	mutex_lock(&vdev->igate);
	vfpci_intx_mask_locked(vdev);
	mutex_unlock(&vdev->igate);
}

void vfpci_intx_unmask(struct vfpci_core_device *vdev)
{
	mutex_lock(&vdev->igate);
	vfpci_intx_unmask_locked(vdev);
	mutex_unlock(&vdev->igate);
}

static irqreturn_t vfpci_intx_isr(int irq, void *dev_id)
{
	struct vfpci_core_device *vdev = dev_id;
	bool ours = false;
	unsigned long flags;

	spin_lock_irqsave(&vdev->irqlock, flags);
	if (!vdev->pci_2_3) {
		/* Exclusive line: keep it off at the irqchip until unmask. */
		disable_irq_nosync(irq);
		ours = true;
	} else if (!vdev->ctx[0].masked) {
		/* The line may be shared: only claim it if we asserted it. */
		ours = pci_check_and_mask_intx(vdev->pdev);
	}
	if (ours)
		vdev->ctx[0].masked = true;
	spin_unlock_irqrestore(&vdev->irqlock, flags);

	if (!ours)
		return IRQ_NONE;
	vfpci_intx_signal(vdev, NULL);
	return IRQ_HANDLED;
}

static int vfpci_intx_enable(struct vfpci_core_device *vdev,
			     struct eventfd_ctx *trigger)
{
	struct pci_dev *pdev = vdev->pdev;
	struct vfpci_core_irq_ctx *ctx;
	unsigned long irqflags;
	int ret;

	if (vfpci_irq_busy(vdev))
		return -EINVAL;
	if (!pdev->irq || pdev->irq == IRQ_NOTCONNECTED)
		return -ENODEV;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return -ENOMEM;
	ctx->name = kasprintf(GFP_KERNEL_ACCOUNT, "vfpci-intx(%s)",
			      pci_name(pdev));
	if (!ctx->name) {
		kfree(ctx);
		return -ENOMEM;
	}
	ctx->trigger = trigger;

	/*
	 * Start masked if the user disabled INTx in COMMAND.  No handler or
	 * irqfd runs yet, so masked is stable here without irqlock.  With
	 * DisINTx the physical bit mirrors it; otherwise the line must be
	 * ours alone and is left disabled at the irqchip.
	 */
	ctx->masked = vdev->virq_disabled;
	if (vdev->pci_2_3) {
		pci_intx(pdev, !ctx->masked);
		irqflags = IRQF_SHARED;
	} else {
		irqflags = ctx->masked ? IRQF_NO_AUTOEN : 0;
	}

	/* The handler reads ctx and irq_type: publish them first. */
	vdev->ctx = ctx;
	vdev->num_ctx = 1;
	vdev->irq_type = VFIO_PCI_INTX_IRQ_INDEX;

	ret = request_irq(pdev->irq, vfpci_intx_isr, irqflags, ctx->name, vdev);
	if (ret) {
		vdev->irq_type = VFPCI_IRQ_NONE;
		vdev->num_ctx = 0;
		vdev->ctx = NULL;
		kfree(ctx->name);
		kfree(ctx);
	}
	return ret;
}

/* Replace the INTx eventfd (NULL: none) while INTx stays enabled. */
static void vfpci_intx_swap_trigger(struct vfpci_core_device *vdev,
				    struct eventfd_ctx *trigger)
{
	struct vfpci_core_irq_ctx *ctx = &vdev->ctx[0];
	struct eventfd_ctx *old = ctx->trigger;

	WRITE_ONCE(ctx->trigger, trigger);
	if (!old)
		return;
	/* The handler and the unmask thread may still hold the old one. */
	synchronize_irq(vdev->pdev->irq);
	vfio_virqfd_flush_thread(&ctx->unmask);
	eventfd_ctx_put(old);
}

static void vfpci_intx_disable(struct vfpci_core_device *vdev)
{
	struct vfpci_core_irq_ctx *ctx = vdev->ctx;

	/* Stop the irqfds first: they may call back into this device. */
	vfio_virqfd_disable(&ctx->unmask);
	vfio_virqfd_disable(&ctx->mask);
	free_irq(vdev->pdev->irq, vdev);

	if (ctx->trigger)
		eventfd_ctx_put(ctx->trigger);
	kfree(ctx->name);
	vdev->irq_type = VFPCI_IRQ_NONE;
	vdev->num_ctx = 0;
	vdev->ctx = NULL;
	kfree(ctx);
}

/*
 * MSI and MSI-X
 */

static irqreturn_t vfpci_msi_isr(int irq, void *arg)
{
	struct eventfd_ctx *trigger = arg;

	vfpci_compat_eventfd_signal(trigger);
	return IRQ_HANDLED;
}

/*
 * Remember, as log2, how many MSI vectors the user has: config.c caps
 * the Multiple Message Enable the user writes with it.
 */
static void vfpci_msi_set_qmax(struct vfpci_core_device *vdev, int nvec)
{
	vdev->msi_qmax = order_base_2(nvec);
}

/*
 * Allocate nvec vectors.  If the platform gives fewer, nothing is kept
 * and the count it could give is returned, as the user expects.
 */
static int vfpci_msi_enable(struct vfpci_core_device *vdev, int nvec,
			    bool msix)
{
	struct pci_dev *pdev = vdev->pdev;
	struct vfpci_core_irq_ctx *ctx;
	int got;
	u16 cmd;

	if (vfpci_irq_busy(vdev))
		return -EINVAL;

	ctx = kcalloc(nvec, sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return -ENOMEM;

	/* Enabling MSI-X writes its table: memory decode must be on. */
	cmd = vfpci_core_memory_lock_and_enable(vdev);
	got = pci_alloc_irq_vectors(pdev, 1, nvec,
				    msix ? PCI_IRQ_MSIX : PCI_IRQ_MSI);
	if (got > 0 && got < nvec)
		pci_free_irq_vectors(pdev);
	vfpci_core_memory_unlock_and_restore(vdev, cmd);

	if (got < nvec) {
		kfree(ctx);
		return got;
	}

	vdev->ctx = ctx;
	vdev->num_ctx = nvec;
	vdev->irq_type = msix ? VFIO_PCI_MSIX_IRQ_INDEX : VFIO_PCI_MSI_IRQ_INDEX;
	if (!msix)
		vfpci_msi_set_qmax(vdev, nvec);
	return 0;
}

static void vfpci_msi_vector_detach(struct vfpci_core_device *vdev,
				    unsigned int vec, int irq)
{
	struct vfpci_core_irq_ctx *ctx = &vdev->ctx[vec];
	u16 cmd;

	if (!ctx->trigger)
		return;

	irq_bypass_unregister_producer(&ctx->producer);
	/* Freeing masks the vector, in the MSI-X table for MSI-X. */
	cmd = vfpci_core_memory_lock_and_enable(vdev);
	free_irq(irq, ctx->trigger);
	vfpci_core_memory_unlock_and_restore(vdev, cmd);

	kfree(ctx->name);
	ctx->name = NULL;
	eventfd_ctx_put(ctx->trigger);
	ctx->trigger = NULL;
}

/* Offer the vector to a consumer such as KVM's posted interrupts. */
static void vfpci_msi_bypass_register(struct vfpci_core_device *vdev,
				      struct vfpci_core_irq_ctx *ctx, int irq)
{
	int ret;

	ctx->producer.token = ctx->trigger;
	ctx->producer.irq = irq;
	ret = irq_bypass_register_producer(&ctx->producer);
	if (ret) {
		/* Not fatal: delivery through the eventfd still works. */
		pci_info(vdev->pdev,
			 "irq bypass producer (token %p) registration fails: %d\n",
			 ctx->producer.token, ret);
		ctx->producer.token = NULL;
	}
}

static int vfpci_msi_vector_attach(struct vfpci_core_device *vdev,
				   unsigned int vec, int irq, int fd,
				   bool msix)
{
	struct vfpci_core_irq_ctx *ctx = &vdev->ctx[vec];
	struct pci_dev *pdev = vdev->pdev;
	struct eventfd_ctx *trigger;
	struct msi_msg msg;
	char *name;
	int ret;
	u16 cmd;

	name = kasprintf(GFP_KERNEL_ACCOUNT, "vfpci-msi%s[%u](%s)",
			 msix ? "x" : "", vec, pci_name(pdev));
	if (!name)
		return -ENOMEM;

	trigger = eventfd_ctx_fdget(fd);
	if (IS_ERR(trigger)) {
		kfree(name);
		return PTR_ERR(trigger);
	}

	cmd = vfpci_core_memory_lock_and_enable(vdev);
	if (msix) {
		/*
		 * A reset we did not see may have cleared the table entry,
		 * and the user cannot write it: restore the cached message.
		 */
		get_cached_msi_msg(irq, &msg);
		pci_write_msi_msg(irq, &msg);
	}
	ret = request_irq(irq, vfpci_msi_isr, 0, name, trigger);
	vfpci_core_memory_unlock_and_restore(vdev, cmd);
	if (ret) {
		kfree(name);
		eventfd_ctx_put(trigger);
		return ret;
	}

	ctx->name = name;
	ctx->trigger = trigger;
	vfpci_msi_bypass_register(vdev, ctx, irq);
	return 0;
}

#ifdef VFPCI_HAVE_DYN_MSIX
/* Unregister (@park) or register again every vector's bypass producer. */
static void vfpci_msi_bypass_park(struct vfpci_core_device *vdev, bool park)
{
	int i;

	for (i = 0; i < vdev->num_ctx; i++) {
		struct irq_bypass_producer *producer = &vdev->ctx[i].producer;

		if (!vdev->ctx[i].trigger || !producer->token)
			continue;
		if (park) {
			irq_bypass_unregister_producer(producer);
		} else if (irq_bypass_register_producer(producer)) {
			/* Delivery through the eventfd still works. */
			producer->token = NULL;
		}
	}
}

/*
 * A vector past those allocated at enable: with dynamic MSI-X it gets a
 * context and an interrupt (kept until MSI-X is disabled); an fd < 0
 * for it changes nothing.
 */
static int vfpci_msi_vector_grow(struct vfpci_core_device *vdev,
				 unsigned int vec, int fd, bool msix)
{
	struct vfpci_core_irq_ctx *ctx;
	struct msi_map map;
	u16 cmd;

	if (fd < 0)
		return 0;
	if (!msix || !vfpci_compat_msix_dyn(vdev->pdev))
		return -EINVAL;
	/*
	 * Registered bypass producers sit on irqbypass's global list by
	 * their embedded node: take them off while the array may move.
	 */
	vfpci_msi_bypass_park(vdev, true);
	ctx = krealloc_array(vdev->ctx, vec + 1, sizeof(*ctx),
			     GFP_KERNEL_ACCOUNT);
	if (ctx)
		vdev->ctx = ctx;
	vfpci_msi_bypass_park(vdev, false);
	if (!ctx)
		return -ENOMEM;
	memset(ctx + vdev->num_ctx, 0,
	       (vec + 1 - vdev->num_ctx) * sizeof(*ctx));
	cmd = vfpci_core_memory_lock_and_enable(vdev);
	map = pci_msix_alloc_irq_at(vdev->pdev, vec, NULL);
	vfpci_core_memory_unlock_and_restore(vdev, cmd);
	if (map.index < 0)
		return map.index;
	vdev->num_ctx = vec + 1;
	return 0;
}
#else
static int vfpci_msi_vector_grow(struct vfpci_core_device *vdev,
				 unsigned int vec, int fd, bool msix)
{
	return -EINVAL;
}
#endif

/* Point vector vec at eventfd fd, or at nothing when fd < 0. */
static int vfpci_msi_vector_set(struct vfpci_core_device *vdev,
				unsigned int vec, int fd, bool msix)
{
	int irq, ret;

	if (vec >= vdev->num_ctx) {
		ret = vfpci_msi_vector_grow(vdev, vec, fd, msix);
		if (ret || fd < 0)
			return ret;
	}

	irq = pci_irq_vector(vdev->pdev, vec);
	vfpci_msi_vector_detach(vdev, vec, irq);
	if (fd < 0)
		return 0;
	return vfpci_msi_vector_attach(vdev, vec, irq, fd, msix);
}

static int vfpci_msi_set_range(struct vfpci_core_device *vdev,
			       unsigned int start, unsigned int count,
			       const s32 *fds, bool msix)
{
	unsigned int i;
	int ret;

#ifndef VFPCI_HAVE_DYN_MSIX
	if (start >= vdev->num_ctx || start + count > vdev->num_ctx)
		return -EINVAL;
#endif

	for (i = 0; i < count; i++) {
		ret = vfpci_msi_vector_set(vdev, start + i, fds ? fds[i] : -1,
					   msix);
		if (ret) {
			/* All or nothing: detach what this call touched. */
			while (i--)
				vfpci_msi_vector_set(vdev, start + i, -1, msix);
			return ret;
		}
	}
	return 0;
}

static void vfpci_msi_disable(struct vfpci_core_device *vdev, bool msix)
{
	struct pci_dev *pdev = vdev->pdev;
	unsigned int i;
	u16 cmd;

	for (i = 0; i < vdev->num_ctx; i++)
		vfpci_msi_vector_set(vdev, i, -1, msix);

	cmd = vfpci_core_memory_lock_and_enable(vdev);
	pci_free_irq_vectors(pdev);
	vfpci_core_memory_unlock_and_restore(vdev, cmd);

	/* Freeing MSI re-enables INTx in COMMAND: not for no-INTx devices. */
	if (vdev->nointx)
		pci_intx(pdev, 0);

	vdev->irq_type = VFPCI_IRQ_NONE;
	vdev->num_ctx = 0;
	kfree(vdev->ctx);
	vdev->ctx = NULL;
}

/*
 * VFIO_DEVICE_SET_IRQS.  The header was validated by the caller, so the
 * data type is exactly one of NONE, BOOL and EVENTFD, and data holds count
 * elements of it (NULL for NONE or count 0).
 */

static u32 vfpci_data_type(u32 flags)
{
	return flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
}

/* For DATA_NONE, or DATA_BOOL with the first element set. */
static bool vfpci_data_true(u32 flags, const void *data)
{
	if (vfpci_data_type(flags) == VFIO_IRQ_SET_DATA_NONE)
		return true;
	return vfpci_data_type(flags) == VFIO_IRQ_SET_DATA_BOOL &&
	       *(const u8 *)data;
}

static int vfpci_set_intx_mask(struct vfpci_core_device *vdev,
			       unsigned int start, unsigned int count,
			       u32 flags, void *data)
{
	if (!vfpci_irq_is(vdev, VFIO_PCI_INTX_IRQ_INDEX) || start || count != 1)
		return -EINVAL;

	/* Masking through an eventfd is not supported. */
	if (vfpci_data_type(flags) == VFIO_IRQ_SET_DATA_EVENTFD)
		return -ENOTTY;
	if (vfpci_data_true(flags, data))
		vfpci_intx_mask_locked(vdev);
	return 0;
}

static int vfpci_set_intx_unmask(struct vfpci_core_device *vdev,
				 unsigned int start, unsigned int count,
				 u32 flags, void *data)
{
	struct vfpci_core_irq_ctx *ctx = vdev->ctx;
	s32 fd;

	if (!vfpci_irq_is(vdev, VFIO_PCI_INTX_IRQ_INDEX) || start || count != 1)
		return -EINVAL;

	if (vfpci_data_type(flags) != VFIO_IRQ_SET_DATA_EVENTFD) {
		if (vfpci_data_true(flags, data))
			vfpci_intx_unmask_locked(vdev);
		return 0;
	}

	/* An unmask eventfd: each write to it unmasks, as ioctl would. */
	fd = *(s32 *)data;
	if (fd >= 0)
		return vfio_virqfd_enable(vdev, vfpci_intx_unmask_fn,
					  vfpci_intx_signal, NULL,
					  &ctx[0].unmask, fd);
	vfio_virqfd_disable(&ctx[0].unmask);
	return 0;
}

static int vfpci_set_intx_trigger(struct vfpci_core_device *vdev,
				  unsigned int start, unsigned int count,
				  u32 flags, void *data)
{
	bool intx = vfpci_irq_is(vdev, VFIO_PCI_INTX_IRQ_INDEX);
	struct eventfd_ctx *trigger = NULL;
	s32 fd;
	int ret;

	if (intx && !count &&
	    vfpci_data_type(flags) == VFIO_IRQ_SET_DATA_NONE) {
		vfpci_intx_disable(vdev);
		return 0;
	}

	if ((!intx && vfpci_irq_busy(vdev)) || start || count != 1)
		return -EINVAL;

	if (vfpci_data_type(flags) != VFIO_IRQ_SET_DATA_EVENTFD) {
		/* Loopback: fire the user's eventfd as the device would. */
		if (!intx)
			return -EINVAL;
		if (vfpci_data_true(flags, data))
			vfpci_intx_signal(vdev, NULL);
		return 0;
	}

	/* A negative fd enables INTx (or keeps it) with no eventfd. */
	fd = *(s32 *)data;
	if (fd >= 0) {
		trigger = eventfd_ctx_fdget(fd);
		if (IS_ERR(trigger))
			return PTR_ERR(trigger);
	}

	if (intx) {
		vfpci_intx_swap_trigger(vdev, trigger);
		return 0;
	}
	ret = vfpci_intx_enable(vdev, trigger);
	if (ret && trigger)
		eventfd_ctx_put(trigger);
	return ret;
}

static int vfpci_set_msi_trigger(struct vfpci_core_device *vdev,
				 unsigned int index, unsigned int start,
				 unsigned int count, u32 flags, void *data)
{
	bool msix = index == VFIO_PCI_MSIX_IRQ_INDEX;
	bool active = vfpci_irq_is(vdev, index);
	const u8 *bools = data;
	unsigned int i;
	int ret;

	if (active && !count &&
	    vfpci_data_type(flags) == VFIO_IRQ_SET_DATA_NONE) {
		vfpci_msi_disable(vdev, msix);
		return 0;
	}

	if (!active && vfpci_irq_busy(vdev))
		return -EINVAL;

	if (vfpci_data_type(flags) == VFIO_IRQ_SET_DATA_EVENTFD) {
		if (active)
			return vfpci_msi_set_range(vdev, start, count, data,
						   msix);
		/* First use: vectors 0 .. start + count - 1 get allocated. */
		ret = vfpci_msi_enable(vdev, start + count, msix);
		if (ret)
			return ret;
		ret = vfpci_msi_set_range(vdev, start, count, data, msix);
		if (ret)
			vfpci_msi_disable(vdev, msix);
		return ret;
	}

	/* Loopback on the vectors that have an eventfd. */
	if (!active)
		return -EINVAL;
#ifndef VFPCI_HAVE_DYN_MSIX
	if (start + count > vdev->num_ctx)
		return -EINVAL;
#endif
	for (i = 0; i < count; i++) {
		struct eventfd_ctx *trigger;

		if (start + i >= vdev->num_ctx)
			break;
		trigger = vdev->ctx[start + i].trigger;

		if (!trigger)
			continue;
		if (vfpci_data_type(flags) == VFIO_IRQ_SET_DATA_NONE ||
		    bools[i])
			vfpci_compat_eventfd_signal(trigger);
	}
	return 0;
}

/* ERR and REQ: one eventfd each, that the user may also loop back. */
static int vfpci_set_single_trigger(struct eventfd_ctx **slot,
				    unsigned int start, unsigned int count,
				    u32 flags, void *data)
{
	struct eventfd_ctx *efd = NULL;
	s32 fd;

	if (start || count > 1)
		return -EINVAL;

	switch (vfpci_data_type(flags)) {
	case VFIO_IRQ_SET_DATA_NONE:
		/* count 1 fires the eventfd, count 0 drops it. */
		if (!*slot)
			return -EINVAL;
		if (count) {
			vfpci_compat_eventfd_signal(*slot);
		} else {
			eventfd_ctx_put(*slot);
			*slot = NULL;
		}
		return 0;
	case VFIO_IRQ_SET_DATA_BOOL:
		if (!count)
			return -EINVAL;
		if (*(u8 *)data && *slot)
			vfpci_compat_eventfd_signal(*slot);
		return 0;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		if (!count)
			return -EINVAL;
		fd = *(s32 *)data;
		/* -1 drops the eventfd; other negative fds change nothing. */
		if (fd < -1)
			return VFPCI_COMPAT_TRIGGER_FD_STRICT ? -EINVAL : 0;
		if (fd >= 0) {
			efd = eventfd_ctx_fdget(fd);
			if (IS_ERR(efd))
				return PTR_ERR(efd);
		}
		if (*slot)
			eventfd_ctx_put(*slot);
		*slot = efd;
		return 0;
	}
	return -EINVAL;
}

/* Caller holds vdev->igate. */
int vfpci_intrs_set_irqs(struct vfpci_core_device *vdev, u32 flags,
			 unsigned int index, unsigned int start,
			 unsigned int count, void *data)
{
	u32 action = flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;

	lockdep_assert_held(&vdev->igate);

	switch (index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		if (action == VFIO_IRQ_SET_ACTION_MASK)
			return vfpci_set_intx_mask(vdev, start, count, flags,
						   data);
		if (action == VFIO_IRQ_SET_ACTION_UNMASK)
			return vfpci_set_intx_unmask(vdev, start, count, flags,
						     data);
		if (action == VFIO_IRQ_SET_ACTION_TRIGGER)
			return vfpci_set_intx_trigger(vdev, start, count, flags,
						      data);
		break;
	case VFIO_PCI_MSI_IRQ_INDEX:
	case VFIO_PCI_MSIX_IRQ_INDEX:
		/* Per-vector masking is not offered. */
		if (action == VFIO_IRQ_SET_ACTION_TRIGGER)
			return vfpci_set_msi_trigger(vdev, index, start, count,
						     flags, data);
		break;
	case VFIO_PCI_ERR_IRQ_INDEX:
		if (action == VFIO_IRQ_SET_ACTION_TRIGGER &&
		    pci_is_pcie(vdev->pdev))
			return vfpci_set_single_trigger(&vdev->err_trigger,
							start, count, flags,
							data);
		break;
	case VFIO_PCI_REQ_IRQ_INDEX:
		if (action == VFIO_IRQ_SET_ACTION_TRIGGER)
			return vfpci_set_single_trigger(&vdev->req_trigger,
							start, count, flags,
							data);
		break;
	}
	return -ENOTTY;
}

/*
 * Tear down INTx/MSI/MSI-X delivery, as on close.  Takes igate, and
 * memory_lock inside it: the caller must hold neither.  The ERR and REQ
 * eventfds stay: the close path drops them after the device is reset, so
 * an error seen during that reset still reaches the user.  Safe to call
 * when nothing is set up, and more than once.
 */
void vfpci_intrs_release(struct vfpci_core_device *vdev)
{
	mutex_lock(&vdev->igate);
	if (vfpci_irq_is(vdev, VFIO_PCI_INTX_IRQ_INDEX))
		vfpci_intx_disable(vdev);
	else if (vfpci_irq_is(vdev, VFIO_PCI_MSI_IRQ_INDEX))
		vfpci_msi_disable(vdev, false);
	else if (vfpci_irq_is(vdev, VFIO_PCI_MSIX_IRQ_INDEX))
		vfpci_msi_disable(vdev, true);
	mutex_unlock(&vdev->igate);
}

static bool vfpci_signal_slot(struct vfpci_core_device *vdev,
			      struct eventfd_ctx **slot)
{
	bool set;

	mutex_lock(&vdev->igate);
	set = *slot;
	if (set)
		vfpci_compat_eventfd_signal(*slot);
	mutex_unlock(&vdev->igate);
	return set;
}

bool vfpci_intrs_signal_err(struct vfpci_core_device *vdev)
{
	return vfpci_signal_slot(vdev, &vdev->err_trigger);
}

bool vfpci_intrs_signal_req(struct vfpci_core_device *vdev)
{
	return vfpci_signal_slot(vdev, &vdev->req_trigger);
}
