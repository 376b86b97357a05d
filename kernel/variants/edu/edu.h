/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfpci_edu: a VFIO variant driver for QEMU's edu device with v2 live
 * migration and device dirty tracking, on top of vfpci_core.
 *
 *   main.c   vfio_device_ops, the pci_driver, BAR0 trapping
 *   dev.c    the mediated edu: register shadows and the emulated DMA engine
 *   mig.c    the migration FSM, the data fds and the stream
 *   dirty.c  vfio_log_ops: pages the emulated DMA wrote
 *
 * One mutex, state_mutex, guards everything below it in the structure.
 * Lock order: state_mutex > vfpci_core's memory_lock > a data fd's lock.
 */
#ifndef VFPCI_EDU_H
#define VFPCI_EDU_H

#include <linux/mutex.h>
#include <linux/xarray.h>

#include <vfpci_core.h>
#include <vfpci_edu_stream.h>

#include "compat.h"

struct vfpci_edu_file;

/* The interval of IOVA a dirty log covers. */
struct vfpci_edu_range {
	u64 start;
	u64 last;
};

struct vfpci_edu_log {
	bool active;
	bool lost;			/* a page could not be recorded */
	unsigned int pgshift;
	u32 nranges;
	struct vfpci_edu_range *ranges;
	struct xarray pages;		/* dirty page numbers (iova >> pgshift) */
};

struct vfpci_edu_device {
	struct vfpci_core_device core;
	struct mutex state_mutex;	/* guards all that follows */

	/* Migration (mig.c). */
	enum vfio_device_mig_state mig_state;
	struct vfpci_edu_file *saving;	/* saving group's data fd, referenced */
	struct vfpci_edu_file *resuming; /* RESUMING's data fd, referenced */

	/* The mediated device (dev.c). */
	u64 dma_src;
	u64 dma_dst;
	u64 dma_cnt;
	u32 dma_cmd;			/* VFPCI_EDU_DMA_* */
	u32 fact_n;			/* last factorial input forwarded */
	bool fact_valid;
	bool own_access;		/* driver's access: decode forced on */
	u32 irq_pending;		/* irq bits to raise back in RUNNING */
	u8 dma_buf[VFPCI_EDU_DMA_BUF_SIZE];

	/* Dirty tracking (dirty.c). */
	struct vfpci_edu_log log;
};

#define to_edu(v) container_of(v, struct vfpci_edu_device, core.vdev)

/* dev.c */
int vfpci_edu_reg_read(struct vfpci_edu_device *edev, unsigned int off,
		       u32 *val);
int vfpci_edu_reg_write(struct vfpci_edu_device *edev, unsigned int off,
			u32 val);
ssize_t vfpci_edu_bar0_rw(struct vfpci_edu_device *edev, char __user *buf,
			  size_t count, loff_t *ppos, bool iswrite);
int vfpci_edu_wait_idle(struct vfpci_edu_device *edev);
/* Let a running factorial finish, whatever the user's memory decode. */
int vfpci_edu_quiesce(struct vfpci_edu_device *edev);
void vfpci_edu_dev_resume(struct vfpci_edu_device *edev);
void vfpci_edu_dev_reset(struct vfpci_edu_device *edev);
int vfpci_edu_dev_save(struct vfpci_edu_device *edev,
		       struct vfpci_edu_stream_state *st);
int vfpci_edu_dev_load(struct vfpci_edu_device *edev,
		       const struct vfpci_edu_stream_state *st);

/* mig.c */
extern const struct vfio_migration_ops vfpci_edu_mig_ops;
void vfpci_edu_mig_reset(struct vfpci_edu_device *edev);
/* RUNNING or PRE_COPY: the device runs (and may DMA, interrupt). */
bool vfpci_edu_running(struct vfpci_edu_device *edev);
/* The state the device behaves as: PRE_COPY(_P2P) as RUNNING(_P2P). */
enum vfio_device_mig_state vfpci_edu_dev_state(struct vfpci_edu_device *edev);
/* A pre-copy session resends what the device changed in its buffer. */
void vfpci_edu_mig_buf_changed(struct vfpci_edu_device *edev,
			       unsigned int off, unsigned int len);

/* dirty.c */
extern const struct vfio_log_ops vfpci_edu_log_ops;
void vfpci_edu_log_init(struct vfpci_edu_device *edev);
void vfpci_edu_log_record(struct vfpci_edu_device *edev, u64 iova, u64 len);
void vfpci_edu_log_release(struct vfpci_edu_device *edev);

#endif /* VFPCI_EDU_H */
