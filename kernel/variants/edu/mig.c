// SPDX-License-Identifier: GPL-2.0-only
/*
 * Migration (VFIO v2 protocol): the FSM arcs, the data fds and the
 * stream.  The whole device state is small, so STOP_COPY snapshots it in
 * one go into the data fd's own buffer, and RESUMING collects the stream
 * in the data fd's buffer until RESUMING -> STOP validates and loads it.
 *
 * A data fd only touches its own vfpci_edu_file: the device keeps a file
 * reference while the fd belongs to the current state and, when the state
 * is left (or on reset or close), marks the file disabled under the
 * file's lock and drops that reference.  Reads and writes never block on
 * the device, so nothing waits on them; the fd may outlive the device.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "edu.h"

struct vfpci_edu_file {
	struct file *filp;
	struct mutex lock;		/* disabled, len, buf and f_pos */
	bool disabled;			/* the state that owned it is gone */
	int err;			/* resuming: the stream was refused */
	size_t len;			/* bytes of buf that hold the stream */
	struct vfpci_edu_ident id;	/* the device, for early checks */
	u8 buf[VFPCI_EDU_STREAM_LEN];
};

bool vfpci_edu_running(struct vfpci_edu_device *edev)
{
	return edev->mig_state == VFIO_DEVICE_STATE_RUNNING;
}

static void edu_ident(struct pci_dev *pdev, struct vfpci_edu_ident *id)
{
	id->vendor = pdev->vendor;
	id->device = pdev->device;
	id->subsystem_vendor = pdev->subsystem_vendor;
	id->subsystem_device = pdev->subsystem_device;
	id->revision = pdev->revision;
}

static int edu_file_release(struct inode *inode, struct file *filp)
{
	struct vfpci_edu_file *migf = filp->private_data;

	mutex_destroy(&migf->lock);
	kfree(migf);
	return 0;
}

static ssize_t edu_save_read(struct file *filp, char __user *buf,
			     size_t len, loff_t *pos)
{
	struct vfpci_edu_file *migf = filp->private_data;
	ssize_t ret;

	if (pos)
		return -ESPIPE;
	pos = &filp->f_pos;

	mutex_lock(&migf->lock);
	if (migf->disabled) {
		ret = -ENODEV;
	} else if (*pos >= migf->len) {
		ret = 0;
	} else {
		len = min_t(size_t, len, migf->len - *pos);
		ret = copy_to_user(buf, migf->buf + *pos, len) ? -EFAULT : len;
		if (ret > 0)
			*pos += len;
	}
	mutex_unlock(&migf->lock);
	return ret;
}

/*
 * Collect the stream.  Bytes past the v1 length fail with -EFBIG, and a
 * header is refused as soon as it is complete; the rest is checked when
 * RESUMING is left.  A refusal sticks: later writes and RESUMING -> STOP
 * fail with the same errno.
 */
static ssize_t edu_resume_write(struct file *filp, const char __user *buf,
				size_t len, loff_t *pos)
{
	struct vfpci_edu_file *migf = filp->private_data;
	size_t hdr_len = sizeof(struct vfpci_edu_stream_hdr);
	ssize_t ret;
	loff_t end;

	if (pos)
		return -ESPIPE;
	pos = &filp->f_pos;

	mutex_lock(&migf->lock);
	if (migf->disabled) {
		ret = -ENODEV;
		goto out;
	}
	if (migf->err) {
		ret = migf->err;
		goto out;
	}
	if (*pos < 0 || *pos > migf->len ||
	    len > VFPCI_EDU_STREAM_LEN - *pos) {
		migf->err = -EFBIG;
		ret = migf->err;
		goto out;
	}
	if (copy_from_user(migf->buf + *pos, buf, len)) {
		ret = -EFAULT;
		goto out;
	}
	end = *pos + len;
	if (*pos < hdr_len && end >= hdr_len) {
		ret = vfpci_edu_stream_check_hdr((void *)migf->buf, &migf->id);
		if (ret) {
			migf->err = ret;
			goto out;
		}
	}
	*pos = end;
	migf->len = max_t(size_t, migf->len, end);
	ret = len;
out:
	mutex_unlock(&migf->lock);
	return ret;
}

static const struct file_operations edu_save_fops = {
	.owner		= THIS_MODULE,
	.read		= edu_save_read,
	.release	= edu_file_release,
	.llseek		= VFPCI_COMPAT_NO_LLSEEK,
};

static const struct file_operations edu_resume_fops = {
	.owner		= THIS_MODULE,
	.write		= edu_resume_write,
	.release	= edu_file_release,
	.llseek		= VFPCI_COMPAT_NO_LLSEEK,
};

static struct vfpci_edu_file *edu_file_new(struct vfpci_edu_device *edev,
					   const struct file_operations *fops,
					   int flags)
{
	struct vfpci_edu_file *migf;
	struct file *filp;

	migf = kzalloc(sizeof(*migf), GFP_KERNEL_ACCOUNT);
	if (!migf)
		return ERR_PTR(-ENOMEM);
	mutex_init(&migf->lock);
	edu_ident(edev->core.pdev, &migf->id);
	filp = anon_inode_getfile("vfpci_edu_mig", fops, migf, flags);
	if (IS_ERR(filp)) {
		mutex_destroy(&migf->lock);
		kfree(migf);
		return ERR_CAST(filp);
	}
	migf->filp = filp;
	stream_open(filp->f_inode, filp);
	return migf;
}

/* The state no longer owns the fd: it reads/writes -ENODEV from now on. */
static void edu_file_disable(struct vfpci_edu_file *migf)
{
	mutex_lock(&migf->lock);
	migf->disabled = true;
	mutex_unlock(&migf->lock);
	fput(migf->filp);
}

/* STOP -> STOP_COPY: snapshot the stopped device into a new data fd. */
static struct file *edu_save(struct vfpci_edu_device *edev)
{
	struct pci_dev *pdev = edev->core.pdev;
	struct vfpci_edu_stream_hdr *hdr;
	struct vfpci_edu_stream_state *st;
	struct vfpci_edu_file *migf;
	int ret;

	migf = edu_file_new(edev, &edu_save_fops, O_RDONLY);
	if (IS_ERR(migf))
		return ERR_CAST(migf);
	hdr = (void *)migf->buf;
	st = (void *)(hdr + 1);
	ret = vfpci_edu_dev_save(edev, st);
	if (ret) {
		fput(migf->filp);
		return ERR_PTR(ret);
	}
	hdr->magic = cpu_to_le32(VFPCI_EDU_STREAM_MAGIC);
	hdr->version = cpu_to_le16(VFPCI_EDU_STREAM_VERSION);
	hdr->hdr_len = cpu_to_le16(sizeof(*hdr));
	hdr->total_len = cpu_to_le32(VFPCI_EDU_STREAM_LEN);
	hdr->vendor = cpu_to_le16(pdev->vendor);
	hdr->device = cpu_to_le16(pdev->device);
	hdr->subsystem_vendor = cpu_to_le16(pdev->subsystem_vendor);
	hdr->subsystem_device = cpu_to_le16(pdev->subsystem_device);
	hdr->revision = pdev->revision;
	hdr->payload_crc = cpu_to_le32(vfpci_edu_crc32(st, sizeof(*st)));
	migf->len = VFPCI_EDU_STREAM_LEN;

	edev->saving = migf;
	get_file(migf->filp);	/* ours; the caller's goes to the user */
	return migf->filp;
}

/* STOP -> RESUMING: a new data fd to collect the stream. */
static struct file *edu_resume(struct vfpci_edu_device *edev)
{
	struct vfpci_edu_file *migf;

	migf = edu_file_new(edev, &edu_resume_fops, O_WRONLY);
	if (IS_ERR(migf))
		return ERR_CAST(migf);
	edev->resuming = migf;
	get_file(migf->filp);
	return migf->filp;
}

/* RESUMING -> STOP: trust nothing, then load.  Failure means ERROR. */
static int edu_load(struct vfpci_edu_device *edev)
{
	struct vfpci_edu_file *migf = edev->resuming;
	const struct vfpci_edu_stream_state *st;
	int ret;

	edev->resuming = NULL;
	/* Once disabled, the user cannot change buf under us any more. */
	mutex_lock(&migf->lock);
	migf->disabled = true;
	mutex_unlock(&migf->lock);

	ret = migf->err ?:
	      vfpci_edu_stream_validate(migf->buf, migf->len, &migf->id);
	if (!ret) {
		st = (void *)(migf->buf + sizeof(struct vfpci_edu_stream_hdr));
		ret = vfpci_edu_dev_load(edev, st);
	}
	fput(migf->filp);
	if (ret)
		pci_dbg(edev->core.pdev, "migration stream refused: %d\n",
			ret);
	return ret;
}

/* One arc of the FSM; the caller records the new state on success. */
static struct file *edu_step(struct vfpci_edu_device *edev,
			     enum vfio_device_mig_state next)
{
	enum vfio_device_mig_state cur = edev->mig_state;
	int ret = 0;

	if (cur == VFIO_DEVICE_STATE_RUNNING &&
	    next == VFIO_DEVICE_STATE_RUNNING_P2P) {
		/* The factorial in flight completes before we stop. */
		ret = vfpci_edu_quiesce(edev);
	} else if ((cur == VFIO_DEVICE_STATE_RUNNING_P2P &&
		    next == VFIO_DEVICE_STATE_STOP) ||
		   (cur == VFIO_DEVICE_STATE_STOP &&
		    next == VFIO_DEVICE_STATE_RUNNING_P2P) ||
		   (cur == VFIO_DEVICE_STATE_RUNNING_P2P &&
		    next == VFIO_DEVICE_STATE_RUNNING)) {
		/* Quiesced since RUNNING was left: nothing to do. */
	} else if (cur == VFIO_DEVICE_STATE_STOP &&
		   next == VFIO_DEVICE_STATE_STOP_COPY) {
		return edu_save(edev);
	} else if (cur == VFIO_DEVICE_STATE_STOP_COPY &&
		   next == VFIO_DEVICE_STATE_STOP) {
		edu_file_disable(edev->saving);
		edev->saving = NULL;
	} else if (cur == VFIO_DEVICE_STATE_STOP &&
		   next == VFIO_DEVICE_STATE_RESUMING) {
		return edu_resume(edev);
	} else if (cur == VFIO_DEVICE_STATE_RESUMING &&
		   next == VFIO_DEVICE_STATE_STOP) {
		ret = edu_load(edev);
		if (ret)
			edev->mig_state = VFIO_DEVICE_STATE_ERROR;
	} else {
		ret = -EINVAL;
	}
	return ret ? ERR_PTR(ret) : NULL;
}

static struct file *edu_set_state(struct vfio_device *vdev,
				  enum vfio_device_mig_state new)
{
	struct vfpci_edu_device *edev = to_edu(vdev);
	enum vfio_device_mig_state next;
	struct file *res = NULL;
	int ret;

	mutex_lock(&edev->state_mutex);
	/* Only VFIO_DEVICE_RESET leaves ERROR; the arc table has no way out. */
	if (edev->mig_state == VFIO_DEVICE_STATE_ERROR) {
		mutex_unlock(&edev->state_mutex);
		return ERR_PTR(-EINVAL);
	}
	while (edev->mig_state != new) {
		ret = vfio_mig_get_next_state(vdev, edev->mig_state, new,
					      &next);
		if (ret) {
			res = ERR_PTR(ret);
			break;
		}
		res = edu_step(edev, next);
		if (IS_ERR(res))
			break;
		edev->mig_state = next;
		if (next == VFIO_DEVICE_STATE_RUNNING)
			vfpci_edu_dev_resume(edev);
	}
	mutex_unlock(&edev->state_mutex);
	return res;
}

static int edu_get_state(struct vfio_device *vdev,
			 enum vfio_device_mig_state *state)
{
	struct vfpci_edu_device *edev = to_edu(vdev);

	mutex_lock(&edev->state_mutex);
	*state = edev->mig_state;
	mutex_unlock(&edev->state_mutex);
	return 0;
}

const struct vfio_migration_ops vfpci_edu_mig_ops = {
	.migration_set_state	= edu_set_state,
	.migration_get_state	= edu_get_state,
};

/* Reset or close: end any transfer session and go back to RUNNING. */
void vfpci_edu_mig_reset(struct vfpci_edu_device *edev)
{
	lockdep_assert_held(&edev->state_mutex);
	if (edev->saving)
		edu_file_disable(edev->saving);
	if (edev->resuming)
		edu_file_disable(edev->resuming);
	edev->saving = NULL;
	edev->resuming = NULL;
	edev->mig_state = VFIO_DEVICE_STATE_RUNNING;
}
