// SPDX-License-Identifier: GPL-2.0-only
/*
 * One instance: a whole edu as QEMU's docs/specs/edu.rst describes it,
 * with registers and a 4 KiB buffer of its own.  Factorials and transfers
 * are queued for the physical device (sched.c); everything else is
 * answered here.  A transfer the device cannot do safely (outside the
 * buffer window, IOVA beyond 28 bits or not mapped) moves nothing, raises
 * nothing and sets VFPCI_EDU_DMA_ERROR in the command register, as
 * vfpci_edu does.
 *
 * Migration state is struct vfpci_edu_stream_state (the payload of a
 * vfpci_edu stream), with status BUSY meaning a factorial of fact_n is
 * queued and dma_cmd START a transfer: the target runs them.
 */
#include <linux/wait.h>

#include "edu_mdev.h"

#define EDU_ID		0x010000ed

const struct vfpci_mdev_info edu_vedu_info = {
	.vendor = 0x1234,
	.device = 0x11e8,
	.subsystem_vendor = PCI_SUBVENDOR_ID_REDHAT_QUMRANET,
	.subsystem_device = PCI_SUBDEVICE_ID_QEMU,
	.class = PCI_CLASS_OTHERS << 8,
	.revision = 0x10,
	.bar_size = { SZ_1M },
	.intx = true,
	.msi = true,
};

/* With parent->lock: set irq status bits and raise the line. */
void edu_vedu_raise(struct edu_instance *inst, u32 bits)
{
	inst->irq_status |= bits;
	if (inst->stopped)
		inst->irq_deferred = true;
	else
		vfpci_mdev_irq_raise(&inst->m);
}

static void edu_vedu_lower(struct edu_instance *inst, u32 bits)
{
	inst->irq_status &= ~bits;
	if (!inst->irq_status)
		vfpci_mdev_irq_lower(&inst->m);
}

/* The user's 4- or 8-byte access rules of QEMU's edu. */
static bool edu_vedu_size_ok(u64 off, int len)
{
	if (off < VFPCI_EDU_REG_DMA_SRC)
		return len == 4;
	return len == 4 || len == 8;
}

static int edu_vedu_read(struct vfpci_mdev *m, int bar, u64 off, int len,
			 u64 *val)
{
	struct edu_instance *inst = to_edu_instance(m);
	struct edu_parent *p = inst->parent;
	u64 v = ~0ULL;

	if (!edu_vedu_size_ok(off, len)) {
		*val = len == 8 ? ~0ULL : (1ULL << (len * 8)) - 1;
		return 0;
	}
	spin_lock(&p->lock);
	switch (off) {
	case VFPCI_EDU_REG_ID:
		v = EDU_ID;
		break;
	case VFPCI_EDU_REG_LIVENESS:
		v = inst->liveness;
		break;
	case VFPCI_EDU_REG_FACT:
		v = inst->fact;
		break;
	case VFPCI_EDU_REG_STATUS:
		v = inst->status;
		break;
	case VFPCI_EDU_REG_IRQ_STATUS:
		v = inst->irq_status;
		break;
	case VFPCI_EDU_REG_DMA_SRC:
		v = inst->dma_src;
		break;
	case VFPCI_EDU_REG_DMA_DST:
		v = inst->dma_dst;
		break;
	case VFPCI_EDU_REG_DMA_CNT:
		v = inst->dma_cnt;
		break;
	case VFPCI_EDU_REG_DMA_CMD:
		v = inst->dma_cmd;
		break;
	}
	spin_unlock(&p->lock);
	*val = len == 8 ? v : (u32)v;
	return 0;
}

/* With parent->lock: a job waits; it must not start with credit. */
static void edu_vedu_queue(struct edu_instance *inst, bool dma)
{
	if (dma)
		inst->dma_queued = true;
	else
		inst->fact_queued = true;
	inst->vtime = max(inst->vtime, inst->parent->min_vtime);
}

static int edu_vedu_write(struct vfpci_mdev *m, int bar, u64 off, int len,
			  u64 val)
{
	struct edu_instance *inst = to_edu_instance(m);
	struct edu_parent *p = inst->parent;
	bool kick = false;

	if (!edu_vedu_size_ok(off, len))
		return 0;		/* the device ignores it */
	if (len == 4)
		val = (u32)val;

	spin_lock(&p->lock);
	switch (off) {
	case VFPCI_EDU_REG_LIVENESS:
		inst->liveness = ~val;
		break;
	case VFPCI_EDU_REG_FACT:
		if (inst->status & VFPCI_EDU_STATUS_BUSY)
			break;
		inst->fact = val;
		inst->status |= VFPCI_EDU_STATUS_BUSY;
		edu_vedu_queue(inst, false);
		kick = true;
		break;
	case VFPCI_EDU_REG_STATUS:
		inst->status = (inst->status & ~VFPCI_EDU_STATUS_IRQFACT) |
			       (val & VFPCI_EDU_STATUS_IRQFACT);
		break;
	case VFPCI_EDU_REG_IRQ_RAISE:
		edu_vedu_raise(inst, val);
		break;
	case VFPCI_EDU_REG_IRQ_ACK:
		edu_vedu_lower(inst, val);
		break;
	case VFPCI_EDU_REG_DMA_SRC:
	case VFPCI_EDU_REG_DMA_DST:
	case VFPCI_EDU_REG_DMA_CNT:
	case VFPCI_EDU_REG_DMA_CMD:
		/* No change while a transfer is pending, as on the device. */
		if (inst->dma_cmd & VFPCI_EDU_DMA_START)
			break;
		if (off == VFPCI_EDU_REG_DMA_SRC) {
			inst->dma_src = val;
		} else if (off == VFPCI_EDU_REG_DMA_DST) {
			inst->dma_dst = val;
		} else if (off == VFPCI_EDU_REG_DMA_CNT) {
			inst->dma_cnt = val;
		} else if (val & VFPCI_EDU_DMA_START) {
			inst->dma_cmd = val & ~VFPCI_EDU_DMA_ERROR;
			edu_vedu_queue(inst, true);
			kick = true;
		}
		break;
	}
	spin_unlock(&p->lock);
	if (kick)
		edu_sched_kick(p);
	return 0;
}

/* Power-on state; nothing of the instance is left on the device. */
static void edu_vedu_reset(struct vfpci_mdev *m)
{
	struct edu_instance *inst = to_edu_instance(m);
	struct edu_parent *p = inst->parent;

	edu_sched_cancel(inst);
	spin_lock(&p->lock);
	inst->liveness = 0;
	inst->fact = 0;
	inst->status = 0;
	inst->irq_status = 0;
	inst->dma_src = 0;
	inst->dma_dst = 0;
	inst->dma_cnt = 0;
	inst->dma_cmd = 0;
	inst->irq_deferred = false;
	spin_unlock(&p->lock);
	memset(inst->buf, 0, sizeof(inst->buf));
	edu_sched_forget(inst);
}

static void edu_vedu_close(struct vfpci_mdev *m)
{
	edu_sched_cancel(to_edu_instance(m));
}

static int edu_vedu_stop(struct vfpci_mdev *m)
{
	edu_sched_stop(to_edu_instance(m));
	return 0;
}

static void edu_vedu_run(struct vfpci_mdev *m)
{
	edu_sched_run(to_edu_instance(m));
}

static ssize_t edu_vedu_save(struct vfpci_mdev *m, void *buf, size_t len)
{
	struct edu_instance *inst = to_edu_instance(m);
	struct vfpci_edu_stream_state *s = buf;

	if (len < sizeof(*s))
		return -ENOSPC;
	memset(s, 0, sizeof(*s));
	spin_lock(&inst->parent->lock);
	s->liveness = cpu_to_le32(inst->liveness);
	s->fact_n = cpu_to_le32(inst->fact);
	s->fact_result = cpu_to_le32(inst->fact);
	s->status = cpu_to_le32(inst->status);
	s->irq_status = cpu_to_le32(inst->irq_status);
	s->dma_src = cpu_to_le64(inst->dma_src);
	s->dma_dst = cpu_to_le64(inst->dma_dst);
	s->dma_cnt = cpu_to_le64(inst->dma_cnt);
	s->dma_cmd = cpu_to_le64(inst->dma_cmd);
	spin_unlock(&inst->parent->lock);
	/* Stopped and idle: the buffer is not moving. */
	memcpy(s->dma_buf, inst->buf, sizeof(s->dma_buf));
	return sizeof(*s);
}

static int edu_vedu_load(struct vfpci_mdev *m, const void *buf, size_t len)
{
	struct edu_instance *inst = to_edu_instance(m);
	const struct vfpci_edu_stream_state *s = buf;
	u32 status;
	u64 cmd;

	if (len != sizeof(*s))
		return -EINVAL;
	status = le32_to_cpu(s->status);
	cmd = le64_to_cpu(s->dma_cmd);
	if (status & ~(VFPCI_EDU_STATUS_BUSY | VFPCI_EDU_STATUS_IRQFACT) ||
	    cmd & ~(u64)VFPCI_EDU_DMA_CMD_MASK)
		return -EINVAL;

	edu_sched_cancel(inst);
	spin_lock(&inst->parent->lock);
	inst->liveness = le32_to_cpu(s->liveness);
	inst->fact = le32_to_cpu(s->fact_n);
	inst->status = status;
	inst->irq_status = le32_to_cpu(s->irq_status);
	inst->dma_src = le64_to_cpu(s->dma_src);
	inst->dma_dst = le64_to_cpu(s->dma_dst);
	inst->dma_cnt = le64_to_cpu(s->dma_cnt);
	inst->dma_cmd = cmd;
	/* Pending work runs when the device runs; so does a raised line. */
	inst->fact_queued = status & VFPCI_EDU_STATUS_BUSY;
	inst->dma_queued = cmd & VFPCI_EDU_DMA_START;
	inst->irq_deferred = inst->irq_status != 0;
	spin_unlock(&inst->parent->lock);
	memcpy(inst->buf, s->dma_buf, sizeof(inst->buf));
	edu_sched_forget(inst);
	return 0;
}

const struct vfpci_mdev_ops edu_vedu_ops = {
	.bar_read = edu_vedu_read,
	.bar_write = edu_vedu_write,
	.reset = edu_vedu_reset,
	.close = edu_vedu_close,
	.state_size = sizeof(struct vfpci_edu_stream_state),
	.stop = edu_vedu_stop,
	.run = edu_vedu_run,
	.save = edu_vedu_save,
	.load = edu_vedu_load,
};
