// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO_DEVICE_IOEVENTFD: the user binds an eventfd to a fixed write of a
 * fixed value into a BAR, so that a hypervisor can turn a guest doorbell
 * write into an eventfd signal that the kernel completes without a trip
 * through user space.
 */
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/vfio.h>

#include "private.h"

struct vfpci_ioeventfd {
	struct list_head node;		/* in vdev->ioeventfds_list */
	struct vfpci_core_device *vdev;
	struct virqfd *virqfd;
	void __iomem *addr;		/* barmap[bar] + pos */
	u64 data;
	loff_t pos;
	int bar;
	int count;
	bool test_mem;			/* MMIO BAR: honour memory decode */
};

/*
 * The write itself; memory decode was checked by the caller.  vfpci_core_io_write()
 * splits 8 bytes in two as read()/write() do, but 6.1's ioeventfd does one
 * iowrite64_lo_hi(): a single 64-bit MMIO write (lo/hi halves for port I/O).
 */
static void vfpci_ioeventfd_do_write(struct vfpci_ioeventfd *ev)
{
	if (ev->count == 8)
		iowrite64_lo_hi(ev->data, ev->addr);
	else
		vfpci_core_io_write(ev->vdev, false, ev->data, ev->addr, ev->count);
}

/*
 * Runs from the eventfd wakeup, in atomic context.  Do the write here when
 * the memory lock is free; a return of 1 defers to the thread below.
 */
static int vfpci_ioeventfd_handler(void *opaque, void *unused)
{
	struct vfpci_ioeventfd *ev = opaque;
	struct vfpci_core_device *vdev = ev->vdev;

	if (!ev->test_mem) {
		vfpci_ioeventfd_do_write(ev);
		return 0;
	}

	if (!down_read_trylock(&vdev->memory_lock))
		return 1;
	/* Decode off or device in D3: the write is dropped, as on hardware. */
	if (vfpci_core_memory_enabled(vdev))
		vfpci_ioeventfd_do_write(ev);
	up_read(&vdev->memory_lock);
	return 0;
}

/* Process context, after the handler found the memory lock contended. */
static void vfpci_ioeventfd_thread(void *opaque, void *unused)
{
	struct vfpci_ioeventfd *ev = opaque;
	struct vfpci_core_device *vdev = ev->vdev;

	down_read(&vdev->memory_lock);
	if (vfpci_core_memory_enabled(vdev))
		vfpci_ioeventfd_do_write(ev);
	up_read(&vdev->memory_lock);
}

static void vfpci_ioeventfd_free(struct vfpci_core_device *vdev,
				 struct vfpci_ioeventfd *ev)
{
	vfio_virqfd_disable(&ev->virqfd);
	list_del(&ev->node);
	vdev->ioeventfds_nr--;
	kfree(ev);
}

/* Reject targets the region layout does not allow; 0 if acceptable. */
static int vfpci_ioeventfd_check(struct vfpci_core_device *vdev, int bar,
				 loff_t pos, int count)
{
	if (bar > VFIO_PCI_BAR5_REGION_INDEX)
		return -EINVAL;	/* ROM, config, VGA, device regions */

	if (pos + count > pci_resource_len(vdev->pdev, bar))
		return -EINVAL;

	/* The MSI-X table is virtualized: no writes may bypass that. */
	if (bar == vdev->msix_bar &&
	    pos + count > vdev->msix_offset &&
	    pos < vdev->msix_offset + vdev->msix_size)
		return -EINVAL;

	return 0;
}

static struct vfpci_ioeventfd *
vfpci_ioeventfd_find(struct vfpci_core_device *vdev, int bar, loff_t pos,
		     u64 data, int count)
{
	struct vfpci_ioeventfd *ev;

	list_for_each_entry(ev, &vdev->ioeventfds_list, node)
		if (ev->bar == bar && ev->pos == pos && ev->data == data &&
		    ev->count == count)
			return ev;
	return NULL;
}

static int vfpci_ioeventfd_add(struct vfpci_core_device *vdev, int bar,
			       loff_t pos, u64 data, int count, int fd)
{
	struct vfpci_ioeventfd *ev;
	int ret;

	if (vdev->ioeventfds_nr >= VFPCI_IOEVENTFD_MAX)
		return -ENOSPC;

	ev = kzalloc(sizeof(*ev), GFP_KERNEL_ACCOUNT);
	if (!ev)
		return -ENOMEM;

	ev->vdev = vdev;
	ev->addr = vdev->barmap[bar] + pos;
	ev->data = data;
	ev->pos = pos;
	ev->bar = bar;
	ev->count = count;
	ev->test_mem = !!(pci_resource_flags(vdev->pdev, bar) &
			  IORESOURCE_MEM);

	ret = vfio_virqfd_enable(ev, vfpci_ioeventfd_handler,
				 vfpci_ioeventfd_thread, NULL, &ev->virqfd, fd);
	if (ret) {
		kfree(ev);
		return ret;
	}

	list_add(&ev->node, &vdev->ioeventfds_list);
	vdev->ioeventfds_nr++;
	return 0;
}

/*
 * Add (fd >= 0) or remove (fd == -1) the ioeventfd writing @data of @count
 * bytes at region offset @offset.  The caller has checked the ioctl's
 * argsz, flags and that @count is a power of two.
 */
long vfpci_ioeventfd(struct vfpci_core_device *vdev, loff_t offset, u64 data,
		     int count, int fd)
{
	/* Unsigned: a huge user offset must not become a negative index. */
	int bar = VFPCI_CORE_OFFSET_TO_INDEX((u64)offset);
	loff_t pos = (u64)offset & VFPCI_CORE_OFFSET_MASK;
	struct vfpci_ioeventfd *ev;
	int ret;

	ret = vfpci_ioeventfd_check(vdev, bar, pos, count);
	if (ret)
		return ret;

	ret = vfpci_core_setup_barmap(vdev, bar);
	if (ret)
		return ret;

	mutex_lock(&vdev->ioeventfds_lock);
	ev = vfpci_ioeventfd_find(vdev, bar, pos, data, count);
	if (ev) {
		if (fd == -1) {
			vfpci_ioeventfd_free(vdev, ev);
			ret = 0;
		} else {
			ret = -EEXIST;
		}
	} else if (fd < 0) {
		ret = -ENODEV;	/* nothing to remove */
	} else {
		ret = vfpci_ioeventfd_add(vdev, bar, pos, data, count, fd);
	}
	mutex_unlock(&vdev->ioeventfds_lock);

	return ret;
}

/* Device close: drop every ioeventfd; none can be added concurrently. */
void vfpci_ioeventfd_release_all(struct vfpci_core_device *vdev)
{
	struct vfpci_ioeventfd *ev, *next;

	mutex_lock(&vdev->ioeventfds_lock);
	list_for_each_entry_safe(ev, next, &vdev->ioeventfds_list, node)
		vfpci_ioeventfd_free(vdev, ev);
	mutex_unlock(&vdev->ioeventfds_lock);
}
