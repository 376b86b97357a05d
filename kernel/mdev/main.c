// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfpci_mdev: a library for mediated PCI devices (the VFIO_MDEV_CORE of the
 * vfio-pci split).  It owns the struct vfio_device_ops of every device a
 * driver creates with it; the driver supplies the function's description
 * and its BAR handlers.  See include/vfpci_mdev.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "private.h"

static int mdev_init_dev(struct vfio_device *vdev)
{
	struct vfpci_mdev *m = to_vfpci_mdev(vdev);

	mutex_init(&m->state_lock);
	spin_lock_init(&m->irq_lock);
	init_rwsem(&m->dma_sem);
	m->irq_type = -1;
	m->mig_state = VFIO_DEVICE_STATE_RUNNING;
	return 0;
}

static void mdev_release_dev(struct vfio_device *vdev)
{
	struct vfpci_mdev *m = to_vfpci_mdev(vdev);

	mutex_destroy(&m->state_lock);
	vfpci_compat_free_device(vdev);
}

/* Power-on: config space, interrupt line and the driver's device. */
static void mdev_reset_locked(struct vfpci_mdev *m)
{
	m->ops->reset(m);
	vfpci_mdev_irq_lower(m);
}

static int mdev_open_device(struct vfio_device *vdev)
{
	struct vfpci_mdev *m = to_vfpci_mdev(vdev);
	int ret;

	mutex_lock(&m->state_lock);
	ret = vfpci_mdev_config_init(m);
	if (!ret) {
		m->mig_state = VFIO_DEVICE_STATE_RUNNING;
		mdev_reset_locked(m);
	}
	mutex_unlock(&m->state_lock);
	return ret;
}

static void mdev_close_device(struct vfio_device *vdev)
{
	struct vfpci_mdev *m = to_vfpci_mdev(vdev);

	mutex_lock(&m->state_lock);
	/* The device stops using the user's memory before it goes away. */
	m->ops->close(m);
	vfpci_mdev_mig_reset(m);
	vfpci_mdev_irqs_off(m);
	mdev_reset_locked(m);
	mutex_unlock(&m->state_lock);
}

static int get_device_info(struct vfpci_mdev *m, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = VFIO_PCI_NUM_REGIONS;
	info.num_irqs = VFIO_PCI_NUM_IRQS;
	if (info.argsz >= offsetofend(struct vfio_device_info, cap_offset)) {
		minsz = offsetofend(struct vfio_device_info, cap_offset);
		info.cap_offset = 0;
	}
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static int get_region_info(struct vfpci_mdev *m, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	/* As vfio-pci for a function that is not a VGA device. */
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_REGIONS ||
	    info.index == VFIO_PCI_VGA_REGION_INDEX)
		return -EINVAL;

	info.offset = VFPCI_CORE_INDEX_TO_OFFSET(info.index);
	info.size = 0;
	info.flags = 0;
	if (info.index <= VFIO_PCI_BAR5_REGION_INDEX)
		info.size = m->info->bar_size[info.index];
	else if (info.index == VFIO_PCI_CONFIG_REGION_INDEX)
		info.size = PCI_CFG_SPACE_SIZE;
	if (info.size)
		info.flags = VFIO_REGION_INFO_FLAG_READ |
			     VFIO_REGION_INFO_FLAG_WRITE;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static int get_irq_info(struct vfpci_mdev *m, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	/* As vfio-pci: no ERR index on a conventional PCI function. */
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_IRQS ||
	    info.index == VFIO_PCI_ERR_IRQ_INDEX)
		return -EINVAL;

	info.count = vfpci_mdev_irq_count(m, info.index);
	info.flags = VFIO_IRQ_INFO_EVENTFD;
	if (info.index == VFIO_PCI_INTX_IRQ_INDEX)
		info.flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
	else
		info.flags |= VFIO_IRQ_INFO_NORESIZE;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static int mdev_reset(struct vfpci_mdev *m)
{
	mutex_lock(&m->state_lock);
	/* A reset ends any migration step, as on mlx5 and vfio-pci variants. */
	vfpci_mdev_mig_reset(m);
	mdev_reset_locked(m);
	mutex_unlock(&m->state_lock);
	return 0;
}

static long mdev_ioctl(struct vfio_device *vdev, unsigned int cmd,
		       unsigned long arg)
{
	struct vfpci_mdev *m = to_vfpci_mdev(vdev);
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return get_device_info(m, uarg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return get_region_info(m, uarg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return get_irq_info(m, uarg);
	case VFIO_DEVICE_SET_IRQS:
		return vfpci_mdev_set_irqs(m, arg);
	case VFIO_DEVICE_RESET:
		return mdev_reset(m);
	}
	return -ENOTTY;
}

/* Largest naturally aligned access, at most 8 bytes, that fits. */
static int bar_chunk(u64 pos, size_t count)
{
	int len = 8;

	while (len > 1 && ((pos & (len - 1)) || count < len))
		len >>= 1;
	return len;
}

static ssize_t bar_rw(struct vfpci_mdev *m, int bar, char __user *buf,
		      size_t count, u64 pos, bool write)
{
	u64 size = m->info->bar_size[bar];
	size_t done = 0;
	int len, ret;
	u64 val;

	if (!size || pos >= size)
		return -EINVAL;
	count = min_t(u64, count, size - pos);

	while (done < count) {
		/* As a physical function: no decode, no access. */
		if (!vfpci_mdev_command(m, PCI_COMMAND_MEMORY))
			return done ? done : -EIO;
		len = bar_chunk(pos, count - done);
		val = 0;
		if (write) {
			if (copy_from_user(&val, buf + done, len))
				return -EFAULT;
			ret = m->ops->bar_write(m, bar, pos, len,
						le64_to_cpu(val));
		} else {
			ret = m->ops->bar_read(m, bar, pos, len, &val);
			val = cpu_to_le64(val);
			if (!ret && copy_to_user(buf + done, &val, len))
				ret = -EFAULT;
		}
		if (ret)
			return done ? done : ret;
		done += len;
		pos += len;
	}
	return done;
}

static ssize_t mdev_rw(struct vfpci_mdev *m, char __user *buf, size_t count,
		       loff_t *ppos, bool write)
{
	unsigned int index = VFPCI_CORE_OFFSET_TO_INDEX(*ppos);
	u64 pos = *ppos & VFPCI_CORE_OFFSET_MASK;
	ssize_t ret;

	if (!count)
		return 0;
	if (index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;

	mutex_lock(&m->state_lock);
	if (index == VFIO_PCI_CONFIG_REGION_INDEX)
		ret = vfpci_mdev_config_rw(m, buf, count, pos, write);
	else if (index <= VFIO_PCI_BAR5_REGION_INDEX)
		ret = bar_rw(m, index, buf, count, pos, write);
	else
		ret = -EINVAL;
	mutex_unlock(&m->state_lock);

	if (ret > 0)
		*ppos += ret;
	return ret;
}

static ssize_t mdev_read(struct vfio_device *vdev, char __user *buf,
			 size_t count, loff_t *ppos)
{
	return mdev_rw(to_vfpci_mdev(vdev), buf, count, ppos, false);
}

static ssize_t mdev_write(struct vfio_device *vdev, const char __user *buf,
			  size_t count, loff_t *ppos)
{
	return mdev_rw(to_vfpci_mdev(vdev), (char __user *)buf, count, ppos,
		       true);
}

/* The instance is being removed: ask the user to close it. */
static void mdev_request(struct vfio_device *vdev, unsigned int count)
{
	struct vfpci_mdev *m = to_vfpci_mdev(vdev);

	if (vfpci_mdev_signal_req(m)) {
		if (!(count % 10))
			dev_notice_ratelimited(vdev->dev,
					       "Relaying device request to user (#%u)\n",
					       count);
	} else if (!count) {
		dev_warn(vdev->dev,
			 "No device request channel registered, blocked until released by user\n");
	}
}

static void mdev_dma_unmap(struct vfio_device *vdev, u64 iova, u64 length)
{
	struct vfpci_mdev *m = to_vfpci_mdev(vdev);

	/* No copy is in flight once we hold it: none sees the old mapping. */
	down_write(&m->dma_sem);
	up_write(&m->dma_sem);
	if (m->ops->dma_unmap)
		m->ops->dma_unmap(m, iova, length);
}

int vfpci_mdev_dma_rw(struct vfpci_mdev *m, dma_addr_t iova, void *buf,
		      size_t len, bool write)
{
	int ret;

	down_read(&m->dma_sem);
	ret = vfio_dma_rw(&m->vdev, iova, buf, len, write);
	up_read(&m->dma_sem);
	return ret;
}
EXPORT_SYMBOL_GPL(vfpci_mdev_dma_rw);

static const struct vfio_device_ops vfpci_mdev_vfio_ops = {
	.name		= "vfpci-mdev",
	.init		= mdev_init_dev,
	.release	= mdev_release_dev,
	.open_device	= mdev_open_device,
	.close_device	= mdev_close_device,
	.ioctl		= mdev_ioctl,
	.read		= mdev_read,
	.write		= mdev_write,
	.request	= mdev_request,
	.dma_unmap	= mdev_dma_unmap,
	VFPCI_COMPAT_IOMMUFD_EMULATED_OPS
};

struct vfpci_mdev *_vfpci_mdev_alloc(size_t size, struct mdev_device *mdev,
				     const struct vfpci_mdev_info *info,
				     const struct vfpci_mdev_ops *ops)
{
	struct vfio_device *vdev;
	struct vfpci_mdev *m;

	if (WARN_ON(!ops->bar_read || !ops->bar_write || !ops->reset ||
		    !ops->close))
		return ERR_PTR(-EINVAL);

	vdev = _vfio_alloc_device(size, &mdev->dev, &vfpci_mdev_vfio_ops);
	if (IS_ERR(vdev))
		return ERR_CAST(vdev);
	m = to_vfpci_mdev(vdev);
	m->mdev = mdev;
	m->info = info;
	m->ops = ops;
	if (ops->save && ops->load && ops->stop && ops->run &&
	    ops->state_size) {
		vdev->migration_flags = VFIO_MIGRATION_STOP_COPY |
					VFIO_MIGRATION_P2P;
		vdev->mig_ops = &vfpci_mdev_mig_ops;
	}
	return m;
}
EXPORT_SYMBOL_GPL(_vfpci_mdev_alloc);

int vfpci_mdev_register(struct vfpci_mdev *m)
{
	int ret = vfio_register_emulated_iommu_dev(&m->vdev);

	if (!ret)
		dev_set_drvdata(&m->mdev->dev, m);
	return ret;
}
EXPORT_SYMBOL_GPL(vfpci_mdev_register);

void vfpci_mdev_unregister(struct vfpci_mdev *m)
{
	vfio_unregister_group_dev(&m->vdev);
}
EXPORT_SYMBOL_GPL(vfpci_mdev_unregister);

void vfpci_mdev_put(struct vfpci_mdev *m)
{
	vfio_put_device(&m->vdev);
}
EXPORT_SYMBOL_GPL(vfpci_mdev_put);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vfpci_mdev: library for mediated VFIO PCI devices");
MODULE_SOFTDEP("pre: mdev");
