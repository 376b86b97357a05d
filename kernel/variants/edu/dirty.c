// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device dirty tracking (vfio_log_ops).  The only DMA writes to guest
 * memory are the ones the driver itself performs for the emulated engine,
 * so the log is exact: the pages, at the page size chosen at start, that
 * a buffer-to-RAM transfer touched inside the logged ranges since start
 * or since they were last reported.  The vfio core checks the ranges
 * (alignment, overlap, overflow) but not the page size, nor whether
 * logging is on: both are checked here.
 */
#include <linux/interval_tree.h>
#include <linux/iova_bitmap.h>
#include <linux/log2.h>
#include <linux/slab.h>

#include "edu.h"

void vfpci_edu_log_init(struct vfpci_edu_device *edev)
{
	xa_init(&edev->log.pages);
}

/* Forget the log; state_mutex held. */
void vfpci_edu_log_release(struct vfpci_edu_device *edev)
{
	struct vfpci_edu_log *log = &edev->log;

	xa_destroy(&log->pages);
	kfree(log->ranges);
	log->ranges = NULL;
	log->nranges = 0;
	log->active = false;
	log->lost = false;
}

static int edu_log_start(struct vfio_device *vdev,
			 struct rb_root_cached *ranges, u32 nnodes,
			 u64 *page_size)
{
	struct vfpci_edu_device *edev = to_edu(vdev);
	struct vfpci_edu_log *log = &edev->log;
	struct interval_tree_node *node;
	u32 i = 0;
	int ret = 0;

	/*
	 * The size is a hint: track at the nearest power of two between
	 * 4 KiB and 1 GiB, and tell the user what we chose.
	 */
	if (*page_size >= SZ_1G)
		*page_size = SZ_1G;
	else
		*page_size = max_t(u64, SZ_4K,
				   roundup_pow_of_two(*page_size));

	mutex_lock(&edev->state_mutex);
	if (log->active) {
		ret = -EBUSY;
		goto out;
	}
	log->ranges = kmalloc_array(nnodes, sizeof(*log->ranges), GFP_KERNEL);
	if (!log->ranges) {
		ret = -ENOMEM;
		goto out;
	}
	for (node = interval_tree_iter_first(ranges, 0, ULONG_MAX);
	     node && i < nnodes;
	     node = interval_tree_iter_next(node, 0, ULONG_MAX), i++) {
		log->ranges[i].start = node->start;
		log->ranges[i].last = node->last;
	}
	log->nranges = i;
	log->pgshift = ilog2(*page_size);
	log->active = true;
out:
	mutex_unlock(&edev->state_mutex);
	return ret;
}

static int edu_log_stop(struct vfio_device *vdev)
{
	struct vfpci_edu_device *edev = to_edu(vdev);

	mutex_lock(&edev->state_mutex);
	vfpci_edu_log_release(edev);
	mutex_unlock(&edev->state_mutex);
	return 0;
}

static bool edu_log_covers(struct vfpci_edu_log *log, u64 first, u64 last)
{
	u32 i;

	for (i = 0; i < log->nranges; i++)
		if (log->ranges[i].start <= last && first <= log->ranges[i].last)
			return true;
	return false;
}

/* The emulated DMA wrote [@iova, @iova + @len); state_mutex held. */
void vfpci_edu_log_record(struct vfpci_edu_device *edev, u64 iova, u64 len)
{
	struct vfpci_edu_log *log = &edev->log;
	u64 pg, last_pg;

	if (!log->active || !len)
		return;
	last_pg = (iova + len - 1) >> log->pgshift;
	for (pg = iova >> log->pgshift; pg <= last_pg; pg++) {
		if (!edu_log_covers(log, pg << log->pgshift,
				    ((pg + 1) << log->pgshift) - 1))
			continue;
		/* Losing a page would lose data: report everything instead. */
		if (xa_err(xa_store(&log->pages, pg, xa_mk_value(1),
				    GFP_KERNEL)))
			log->lost = true;
	}
}

static int edu_log_read_and_clear(struct vfio_device *vdev,
				  unsigned long iova, unsigned long length,
				  struct iova_bitmap *dirty)
{
	struct vfpci_edu_device *edev = to_edu(vdev);
	struct vfpci_edu_log *log = &edev->log;
	unsigned long pg, end = iova + length;
	void *entry;

	if (!length)
		return 0;
	mutex_lock(&edev->state_mutex);
	if (!log->active) {
		mutex_unlock(&edev->state_mutex);
		return -EINVAL;
	}
	if (log->lost) {
		iova_bitmap_set(dirty, iova, length);
		mutex_unlock(&edev->state_mutex);
		return 0;
	}
	xa_for_each_range(&log->pages, pg, entry, iova >> log->pgshift,
			  (end - 1) >> log->pgshift) {
		unsigned long start = pg << log->pgshift;
		unsigned long stop = start + (1UL << log->pgshift);

		iova_bitmap_set(dirty, max(start, iova), min(stop, end) -
				max(start, iova));
		/* A page only partly asked for stays for the next report. */
		if (start >= iova && stop <= end)
			xa_erase(&log->pages, pg);
	}
	mutex_unlock(&edev->state_mutex);
	return 0;
}

const struct vfio_log_ops vfpci_edu_log_ops = {
	.log_start		= edu_log_start,
	.log_stop		= edu_log_stop,
	.log_read_and_clear	= edu_log_read_and_clear,
};
