/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfpci_edu_mdev: one physical edu shared by up to eight mediated edus.
 *
 *   main.c   the pci_driver, the mdev parent and its types
 *   vedu.c   an instance: its registers, buffer and migration state
 *   sched.c  the fair scheduler running instances' jobs on the device
 *   phys.c   the physical edu: its interrupt, factorial and DMA commands
 *
 * Locking: parent->lock (a spinlock) guards every instance's registers
 * and job flags and the run queue; vfpci_mdev's state_lock is taken
 * before it.  The worker runs one job at a time without parent->lock.
 */
#ifndef VFPCI_EDU_MDEV_H
#define VFPCI_EDU_MDEV_H

#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/list.h>
#include <linux/mdev.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <vfpci_edu_stream.h>
#include <vfpci_mdev.h>

#include "compat.h"

#define EDU_MDEV_UNITS		8	/* a device's capacity */
#define EDU_MDEV_NR_TYPES	4	/* 1, 2, 4 or 8 instances */

struct edu_parent;

struct edu_mdev_type {
	struct mdev_type type;
	unsigned int units;		/* each instance's share */
};

struct edu_instance {
	struct vfpci_mdev m;		/* first: vfpci_mdev_alloc() */
	struct edu_parent *parent;
	struct list_head node;		/* on parent->instances */
	unsigned int units;

	/* Registers, as the user sees them (parent->lock). */
	u32 liveness;
	u32 fact;
	u32 status;
	u32 irq_status;
	u64 dma_src;
	u64 dma_dst;
	u64 dma_cnt;
	u32 dma_cmd;

	/* Jobs (parent->lock). */
	bool fact_queued;
	bool dma_queued;
	bool dma_next;			/* both queued: DMA goes first */
	bool running;			/* its job is on the device */
	bool stopped;			/* migration: nothing dispatched */
	bool irq_deferred;		/* raise once running again */
	u64 vtime;			/* device time used, weighted */
	wait_queue_head_t idle;		/* running went false */

	/* The buffer: only the worker (running) or an idle instance. */
	u8 buf[VFPCI_EDU_DMA_BUF_SIZE];
};

#define to_edu_instance(p) container_of(p, struct edu_instance, m)

struct edu_parent {
	struct pci_dev *pdev;
	void __iomem *bar;
	struct mdev_parent parent;
	struct edu_mdev_type types[EDU_MDEV_NR_TYPES];
	struct mdev_type *type_ptrs[EDU_MDEV_NR_TYPES];

	spinlock_t lock;		/* instances' registers, jobs, run queue */
	struct list_head instances;
	unsigned int free_units;
	u64 min_vtime;			/* floor for an instance waking up */

	/* The physical device (phys.c); only the worker issues commands. */
	struct workqueue_struct *wq;
	struct work_struct work;
	struct completion irq_done;
	int irq;
	void *bounce;
	dma_addr_t bounce_dma;
	struct edu_instance *buf_owner;	/* whose bytes the device buffer holds */
	DECLARE_BITMAP(buf_valid, VFPCI_EDU_DMA_BUF_SIZE);
};

/* vedu.c */
extern const struct vfpci_mdev_ops edu_vedu_ops;
extern const struct vfpci_mdev_info edu_vedu_info;
void edu_vedu_raise(struct edu_instance *inst, u32 bits);

/* sched.c */
void edu_sched_kick(struct edu_parent *p);
void edu_sched_work(struct work_struct *work);
void edu_sched_cancel(struct edu_instance *inst);
void edu_sched_stop(struct edu_instance *inst);
void edu_sched_run(struct edu_instance *inst);
void edu_sched_forget(struct edu_instance *inst);

/* phys.c */
int edu_phys_init(struct edu_parent *p);
void edu_phys_fini(struct edu_parent *p);
u32 edu_phys_factorial(struct edu_parent *p, u32 n);
int edu_phys_dma(struct edu_parent *p, struct edu_instance *inst,
		 bool to_ram, u32 off, u32 cnt, u64 iova);

#endif /* VFPCI_EDU_MDEV_H */
