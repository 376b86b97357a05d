// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scheduler: instances queue jobs (at most one factorial and one DMA
 * each, as on the real device), one worker runs them on the physical edu
 * one at a time.  The next job is the queued one of the instance that has
 * used the least device time, weighted by its share (a type-8 instance's
 * nanosecond counts 8 units of its 1; a type-1 instance's counts 1 of 8):
 * busy instances get the device in proportion to their share whatever
 * their jobs cost.  An instance that was idle starts from the least time
 * of the others (min_vtime), so idling banks no credit.
 *
 * One job is bounded (edu_phys: a factorial is cut at 34, a transfer is at
 * most 4 KiB, and every command has a time limit), so no instance holds
 * the device long, whatever it writes.
 */
#include <linux/ktime.h>
#include <linux/sched.h>

#include "edu_mdev.h"

struct edu_job {
	bool dma;
	u32 n;				/* factorial input */
	u64 src, dst, cnt;		/* DMA request */
	u32 cmd;
};

/* With p->lock: the next job, its instance marked running. */
static struct edu_instance *edu_sched_pick(struct edu_parent *p,
					   struct edu_job *job)
{
	struct edu_instance *inst, *best = NULL;

	list_for_each_entry(inst, &p->instances, node) {
		if (inst->stopped || (!inst->fact_queued && !inst->dma_queued))
			continue;
		if (!best || inst->vtime < best->vtime)
			best = inst;
	}
	if (!best)
		return NULL;

	job->dma = best->dma_queued && (best->dma_next || !best->fact_queued);
	if (job->dma) {
		best->dma_queued = false;
		job->src = best->dma_src;
		job->dst = best->dma_dst;
		job->cnt = best->dma_cnt;
		job->cmd = best->dma_cmd;
	} else {
		best->fact_queued = false;
		job->n = best->fact;
	}
	best->dma_next = !job->dma;	/* both queued: take turns */
	best->running = true;
	p->min_vtime = max(p->min_vtime, best->vtime);
	return best;
}

static int edu_sched_dma(struct edu_parent *p, struct edu_instance *inst,
			 const struct edu_job *job)
{
	bool to_ram = job->cmd & VFPCI_EDU_DMA_TO_RAM;
	u64 win = to_ram ? job->src : job->dst;
	u64 iova = to_ram ? job->dst : job->src;

	if (!vfpci_edu_dma_valid(win, iova, job->cnt))
		return -EINVAL;
	/* Bus mastering off: the function cannot reach memory. */
	if (!vfpci_mdev_command(&inst->m, PCI_COMMAND_MASTER))
		return -EIO;
	if (!job->cnt)
		return 0;
	return edu_phys_dma(p, inst, to_ram, win - VFPCI_EDU_DMA_BUF_ADDR,
			    job->cnt, iova);
}

/* Post a finished job's result to its instance. */
static void edu_sched_done(struct edu_parent *p, struct edu_instance *inst,
			   const struct edu_job *job, u32 result, int ret,
			   u64 cost)
{
	u32 irq = 0;

	spin_lock(&p->lock);
	inst->vtime += div_u64(cost * EDU_MDEV_UNITS, inst->units);
	if (job->dma) {
		inst->dma_cmd &= ~VFPCI_EDU_DMA_START;
		if (ret)
			inst->dma_cmd |= VFPCI_EDU_DMA_ERROR;
		else if (inst->dma_cmd & VFPCI_EDU_DMA_IRQ)
			irq = VFPCI_EDU_IRQ_DMA;
	} else {
		inst->fact = result;
		inst->status &= ~VFPCI_EDU_STATUS_BUSY;
		/* As QEMU: the flag counts when the result is ready. */
		if (inst->status & VFPCI_EDU_STATUS_IRQFACT)
			irq = VFPCI_EDU_IRQ_FACT;
	}
	if (irq)
		edu_vedu_raise(inst, irq);
	inst->running = false;
	spin_unlock(&p->lock);
	wake_up(&inst->idle);
}

void edu_sched_work(struct work_struct *work)
{
	struct edu_parent *p = container_of(work, struct edu_parent, work);
	struct edu_instance *inst;
	struct edu_job job;
	u32 result = 0;
	u64 start;
	int ret;

	for (;;) {
		spin_lock(&p->lock);
		inst = edu_sched_pick(p, &job);
		spin_unlock(&p->lock);
		if (!inst)
			return;

		start = ktime_get_ns();
		if (job.dma)
			ret = edu_sched_dma(p, inst, &job);
		else
			result = edu_phys_factorial(p, job.n);
		if (job.dma && ret)
			pci_dbg(p->pdev, "instance DMA refused: cmd %#x src %#llx dst %#llx cnt %#llx: %d\n",
				job.cmd, job.src, job.dst, job.cnt, ret);
		edu_sched_done(p, inst, &job, result, job.dma ? ret : 0,
			       ktime_get_ns() - start);
		cond_resched();
	}
}

void edu_sched_kick(struct edu_parent *p)
{
	queue_work(p->wq, &p->work);
}

static bool edu_sched_idle(struct edu_instance *inst)
{
	bool idle;

	spin_lock(&inst->parent->lock);
	idle = !inst->running;
	spin_unlock(&inst->parent->lock);
	return idle;
}

/* Drop the instance's queued jobs and wait out the one on the device. */
void edu_sched_cancel(struct edu_instance *inst)
{
	spin_lock(&inst->parent->lock);
	inst->fact_queued = false;
	inst->dma_queued = false;
	spin_unlock(&inst->parent->lock);
	wait_event(inst->idle, edu_sched_idle(inst));
}

/* Migration: dispatch nothing more; queued jobs stay queued. */
void edu_sched_stop(struct edu_instance *inst)
{
	spin_lock(&inst->parent->lock);
	inst->stopped = true;
	spin_unlock(&inst->parent->lock);
	wait_event(inst->idle, edu_sched_idle(inst));
}

void edu_sched_run(struct edu_instance *inst)
{
	struct edu_parent *p = inst->parent;

	spin_lock(&p->lock);
	inst->stopped = false;
	inst->vtime = max(inst->vtime, p->min_vtime);
	if (inst->irq_deferred) {
		inst->irq_deferred = false;
		if (inst->irq_status)
			vfpci_mdev_irq_raise(&inst->m);
	}
	spin_unlock(&p->lock);
	edu_sched_kick(p);
}

/* The instance's buffer changed behind the device's back. */
void edu_sched_forget(struct edu_instance *inst)
{
	struct edu_parent *p = inst->parent;

	spin_lock(&p->lock);
	if (READ_ONCE(p->buf_owner) == inst)
		WRITE_ONCE(p->buf_owner, NULL);
	spin_unlock(&p->lock);
}
