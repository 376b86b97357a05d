// SPDX-License-Identifier: GPL-2.0-only
/*
 * Migration v2 of a mediated device (STOP_COPY and P2P).  Its whole state
 * is in software, so the stream is one record the driver writes in STOP:
 *
 *   struct mdev_stream_hdr (magic, the function's ids, length, CRC-32)
 *   the driver's state, hdr.len bytes
 *
 * RUNNING -> RUNNING_P2P asks the driver to stop initiating anything (its
 * stop op waits for work in flight); STOP -> STOP_COPY saves; RESUMING ->
 * STOP checks the header and hands the state to the driver's load op;
 * RUNNING_P2P -> RUNNING lets it run again.  Data fds keep their own
 * buffer, so they outlive the device's state changes; a device leaving
 * the arc that made one disables it (reads and writes then fail ENODEV).
 */
#include <linux/anon_inodes.h>
#include <linux/crc32.h>
#include <linux/file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "private.h"

#define MDEV_STREAM_MAGIC	0x4d445056u	/* "VPDM" */

struct mdev_stream_hdr {
	__le32 magic;
	__le16 vendor;
	__le16 device;
	__le32 len;
	__le32 crc;			/* CRC-32 of the state bytes */
};

struct vfpci_mdev_file {
	struct file *filp;
	struct mutex lock;		/* guards all that follows */
	bool disabled;
	u8 *buf;
	size_t len;			/* bytes held */
	size_t cap;
};

static int mig_file_release(struct inode *inode, struct file *filp)
{
	struct vfpci_mdev_file *f = filp->private_data;

	mutex_destroy(&f->lock);
	kvfree(f->buf);
	kfree(f);
	return 0;
}

static ssize_t mig_save_read(struct file *filp, char __user *buf,
			     size_t count, loff_t *ppos)
{
	struct vfpci_mdev_file *f = filp->private_data;
	ssize_t ret;

	if (ppos)
		return -ESPIPE;
	mutex_lock(&f->lock);
	if (f->disabled) {
		ret = -ENODEV;
	} else {
		count = min_t(size_t, count, f->len - filp->f_pos);
		ret = copy_to_user(buf, f->buf + filp->f_pos, count) ?
		      -EFAULT : count;
		if (ret > 0)
			filp->f_pos += ret;
	}
	mutex_unlock(&f->lock);
	return ret;
}

static ssize_t mig_resume_write(struct file *filp, const char __user *buf,
				size_t count, loff_t *ppos)
{
	struct vfpci_mdev_file *f = filp->private_data;
	ssize_t ret;

	if (ppos)
		return -ESPIPE;
	mutex_lock(&f->lock);
	if (f->disabled)
		ret = -ENODEV;
	else if (count > f->cap - f->len)
		ret = -ENOSPC;		/* longer than any state we made */
	else if (copy_from_user(f->buf + f->len, buf, count))
		ret = -EFAULT;
	else
		ret = count;
	if (ret > 0)
		f->len += ret;
	mutex_unlock(&f->lock);
	return ret;
}

static const struct file_operations mig_save_fops = {
	.owner		= THIS_MODULE,
	.read		= mig_save_read,
	.release	= mig_file_release,
	.llseek		= VFPCI_COMPAT_NO_LLSEEK,
};

static const struct file_operations mig_resume_fops = {
	.owner		= THIS_MODULE,
	.write		= mig_resume_write,
	.release	= mig_file_release,
	.llseek		= VFPCI_COMPAT_NO_LLSEEK,
};

static struct vfpci_mdev_file *mig_file_new(struct vfpci_mdev *m, bool save)
{
	struct vfpci_mdev_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return ERR_PTR(-ENOMEM);
	f->cap = sizeof(struct mdev_stream_hdr) + m->ops->state_size;
	f->buf = kvzalloc(f->cap, GFP_KERNEL_ACCOUNT);
	if (!f->buf) {
		kfree(f);
		return ERR_PTR(-ENOMEM);
	}
	mutex_init(&f->lock);
	f->filp = anon_inode_getfile("vfpci_mdev_mig", save ? &mig_save_fops :
				     &mig_resume_fops, f,
				     save ? O_RDONLY : O_WRONLY);
	if (IS_ERR(f->filp)) {
		struct file *err = f->filp;

		mutex_destroy(&f->lock);
		kvfree(f->buf);
		kfree(f);
		return ERR_CAST(err);
	}
	stream_open(f->filp->f_inode, f->filp);
	return f;
}

/* Drop the device's reference; the user's fd, if any, reads ENODEV. */
static void mig_file_put(struct vfpci_mdev_file **slot)
{
	struct vfpci_mdev_file *f = *slot;

	if (!f)
		return;
	mutex_lock(&f->lock);
	f->disabled = true;
	mutex_unlock(&f->lock);
	fput(f->filp);
	*slot = NULL;
}

void vfpci_mdev_mig_reset(struct vfpci_mdev *m)
{
	mig_file_put(&m->saving);
	mig_file_put(&m->resuming);
	/* run is a no-op for a driver that was never stopped. */
	if (m->mig_state != VFIO_DEVICE_STATE_RUNNING && m->ops->run)
		m->ops->run(m);
	m->mig_state = VFIO_DEVICE_STATE_RUNNING;
}

static struct file *mig_save(struct vfpci_mdev *m)
{
	struct mdev_stream_hdr *hdr;
	struct vfpci_mdev_file *f;
	ssize_t len;

	f = mig_file_new(m, true);
	if (IS_ERR(f))
		return ERR_CAST(f);
	hdr = (struct mdev_stream_hdr *)f->buf;
	len = m->ops->save(m, hdr + 1, m->ops->state_size);
	if (len < 0 || len > m->ops->state_size) {
		fput(f->filp);
		return ERR_PTR(len < 0 ? len : -EIO);
	}
	hdr->magic = cpu_to_le32(MDEV_STREAM_MAGIC);
	hdr->vendor = cpu_to_le16(m->info->vendor);
	hdr->device = cpu_to_le16(m->info->device);
	hdr->len = cpu_to_le32(len);
	hdr->crc = cpu_to_le32(crc32_le(~0, (u8 *)(hdr + 1), len) ^ ~0);
	f->len = sizeof(*hdr) + len;

	get_file(f->filp);
	m->saving = f;
	return f->filp;
}

static struct file *mig_resume(struct vfpci_mdev *m)
{
	struct vfpci_mdev_file *f = mig_file_new(m, false);

	if (IS_ERR(f))
		return ERR_CAST(f);
	get_file(f->filp);
	m->resuming = f;
	return f->filp;
}

/* RESUMING -> STOP: the stream must be whole and for this function. */
static int mig_load(struct vfpci_mdev *m)
{
	struct vfpci_mdev_file *f = m->resuming;
	const struct mdev_stream_hdr *hdr = (const void *)f->buf;
	size_t len;
	int ret = -EINVAL;

	mutex_lock(&f->lock);
	if (f->len < sizeof(*hdr))
		goto out;
	len = le32_to_cpu(hdr->len);
	if (le32_to_cpu(hdr->magic) != MDEV_STREAM_MAGIC ||
	    le16_to_cpu(hdr->vendor) != m->info->vendor ||
	    le16_to_cpu(hdr->device) != m->info->device ||
	    len != f->len - sizeof(*hdr) ||
	    (crc32_le(~0, (const u8 *)(hdr + 1), len) ^ ~0) !=
	    le32_to_cpu(hdr->crc))
		goto out;
	ret = m->ops->load(m, hdr + 1, len);
out:
	mutex_unlock(&f->lock);
	if (!ret)
		mig_file_put(&m->resuming);
	return ret;
}

/* One arc of the FSM; vfio_mig_get_next_state() chose it. */
static struct file *mig_step(struct vfpci_mdev *m,
			     enum vfio_device_mig_state next)
{
	enum vfio_device_mig_state cur = m->mig_state;
	int ret = 0;

	if (cur == VFIO_DEVICE_STATE_RUNNING &&
	    next == VFIO_DEVICE_STATE_RUNNING_P2P)
		ret = m->ops->stop(m);
	else if (cur == VFIO_DEVICE_STATE_RUNNING_P2P &&
		 next == VFIO_DEVICE_STATE_RUNNING)
		m->ops->run(m);
	else if (cur == VFIO_DEVICE_STATE_STOP &&
		 next == VFIO_DEVICE_STATE_STOP_COPY)
		return mig_save(m);
	else if (cur == VFIO_DEVICE_STATE_STOP_COPY &&
		 next == VFIO_DEVICE_STATE_STOP)
		mig_file_put(&m->saving);
	else if (cur == VFIO_DEVICE_STATE_STOP &&
		 next == VFIO_DEVICE_STATE_RESUMING)
		return mig_resume(m);
	else if (cur == VFIO_DEVICE_STATE_RESUMING &&
		 next == VFIO_DEVICE_STATE_STOP)
		ret = mig_load(m);
	else if (!((cur == VFIO_DEVICE_STATE_RUNNING_P2P &&
		    next == VFIO_DEVICE_STATE_STOP) ||
		   (cur == VFIO_DEVICE_STATE_STOP &&
		    next == VFIO_DEVICE_STATE_RUNNING_P2P)))
		ret = -EINVAL;
	return ret ? ERR_PTR(ret) : NULL;
}

static struct file *mig_set_state(struct vfio_device *vdev,
				  enum vfio_device_mig_state new_state)
{
	struct vfpci_mdev *m = to_vfpci_mdev(vdev);
	enum vfio_device_mig_state next;
	struct file *res = NULL;
	int ret;

	mutex_lock(&m->state_lock);
	while (m->mig_state != new_state) {
		ret = vfio_mig_get_next_state(vdev, m->mig_state, new_state,
					      &next);
		if (ret) {
			res = ERR_PTR(ret);
			break;
		}
		res = mig_step(m, next);
		if (IS_ERR(res))
			break;
		m->mig_state = next;
		if (WARN_ON(res && new_state != next)) {
			fput(res);
			res = ERR_PTR(-EINVAL);
			break;
		}
	}
	mutex_unlock(&m->state_lock);
	return res;
}

static int mig_get_state(struct vfio_device *vdev,
			 enum vfio_device_mig_state *state)
{
	struct vfpci_mdev *m = to_vfpci_mdev(vdev);

	mutex_lock(&m->state_lock);
	*state = m->mig_state;
	mutex_unlock(&m->state_lock);
	return 0;
}

#ifdef VFPCI_HAVE_MIG_DATA_SIZE
static int mig_get_data_size(struct vfio_device *vdev, unsigned long *len)
{
	struct vfpci_mdev *m = to_vfpci_mdev(vdev);

	*len = sizeof(struct mdev_stream_hdr) + m->ops->state_size;
	return 0;
}
#endif

const struct vfio_migration_ops vfpci_mdev_mig_ops = {
	.migration_set_state = mig_set_state,
	.migration_get_state = mig_get_state,
#ifdef VFPCI_HAVE_MIG_DATA_SIZE
	.migration_get_data_size = mig_get_data_size,
#endif
};
