// SPDX-License-Identifier: GPL-2.0-only
/*
 * Migration (VFIO v2 protocol): the FSM arcs, the data fds and the
 * stream.  The whole device state is small, so STOP_COPY snapshots it in
 * one go into the data fd's own buffer, and RESUMING collects the stream
 * in the data fd's buffer until RESUMING -> STOP validates and loads it.
 *
 * With PRE_COPY (Linux 6.2+) the saving fd carries a version 2 stream:
 * the buffer is queued on RUNNING -> PRE_COPY and read while the device
 * runs; the driver mirrors every later change of the buffer into the
 * file (blocks marked dirty, sent again), and PRE_COPY_P2P -> STOP_COPY
 * adds the registers.  A receiver takes version 1 or 2 on any kernel.
 *
 * A data fd only touches its own vfpci_edu_file: the device keeps a file
 * reference while the fd belongs to the current state and, when the state
 * is left (or on reset or close), marks the file disabled under the
 * file's lock and drops that reference.  Reads and writes never block on
 * the device, so nothing waits on them; the fd may outlive the device.
 */
#include <linux/anon_inodes.h>
#include <linux/bitmap.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "edu.h"

/* Pre-copy tracks the buffer in blocks: a change resends its blocks. */
#define EDU_BLOCK		256
#define EDU_NBLOCKS		(VFPCI_EDU_DMA_BUF_SIZE / EDU_BLOCK)
#define EDU_REC_HDR		sizeof(struct vfpci_edu_rec)
/* Room for the header and every block in its own record, then REGS. */
#define EDU_PRE_QUEUE		(sizeof(struct vfpci_edu_stream_hdr) + \
				 EDU_NBLOCKS * (EDU_REC_HDR + 4) + \
				 VFPCI_EDU_DMA_BUF_SIZE + EDU_REC_HDR + \
				 VFPCI_EDU_REGS_LEN)

/* Saving side of a version 2 stream. */
struct edu_precopy {
	u8 shadow[VFPCI_EDU_DMA_BUF_SIZE];	/* the device's buffer */
	DECLARE_BITMAP(dirty, EDU_NBLOCKS);	/* changed since queued */
	bool final;			/* STOP_COPY: regs[] end the stream */
	bool regs_queued;
	u8 regs[VFPCI_EDU_REGS_LEN];
	size_t initial;			/* first copy of the buffer, unread */
	size_t qpos, qlen;		/* queue[qpos..qlen) is still unread */
	u8 queue[EDU_PRE_QUEUE];
};

/* Receiving side of a version 2 stream, after its header. */
struct edu_rx {
	bool done;			/* REGS came: the stream is complete */
	size_t have;			/* bytes of the current record */
	DECLARE_BITMAP(covered, VFPCI_EDU_DMA_BUF_SIZE); /* buffer bytes */
	u8 rec[VFPCI_EDU_REC_MAX];
};

struct vfpci_edu_file {
	struct file *filp;
	struct mutex lock;		/* all that follows, and f_pos */
	bool disabled;			/* the state that owned it is gone */
	int err;			/* resuming: the stream was refused */
	size_t len;			/* bytes of buf that hold the stream */
	struct vfpci_edu_ident id;	/* the device, for early checks */
	struct edu_precopy *pre;	/* saving a version 2 stream */
	struct edu_rx *rx;		/* resuming a version 2 stream */
	u8 buf[VFPCI_EDU_STREAM_LEN];	/* v1 stream; v2: rebuilt as v1 */
};

/* How the device behaves in its migration state. */
enum vfio_device_mig_state vfpci_edu_dev_state(struct vfpci_edu_device *edev)
{
#ifdef VFPCI_HAVE_MIG_PRE_COPY
	if (edev->mig_state == VFIO_DEVICE_STATE_PRE_COPY)
		return VFIO_DEVICE_STATE_RUNNING;
	if (edev->mig_state == VFIO_DEVICE_STATE_PRE_COPY_P2P)
		return VFIO_DEVICE_STATE_RUNNING_P2P;
#endif
	return edev->mig_state;
}

bool vfpci_edu_running(struct vfpci_edu_device *edev)
{
	return vfpci_edu_dev_state(edev) == VFIO_DEVICE_STATE_RUNNING;
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
	kfree(migf->pre);
	kfree(migf->rx);
	kfree(migf);
	return 0;
}

/* Append one record to the pre-copy queue; the caller made room. */
static void edu_pre_put(struct edu_precopy *pre, u16 type, const void *a,
			size_t alen, const void *b, size_t blen)
{
	struct vfpci_edu_rec *rec = (void *)(pre->queue + pre->qlen);
	u8 *p = (u8 *)(rec + 1);

	memcpy(p, a, alen);
	if (blen)
		memcpy(p + alen, b, blen);
	rec->magic = cpu_to_le32(VFPCI_EDU_REC_MAGIC);
	rec->type = cpu_to_le16(type);
	rec->reserved = 0;
	rec->len = cpu_to_le32(alen + blen);
	rec->crc = cpu_to_le32(vfpci_edu_crc32(p, alen + blen));
	pre->qlen += sizeof(*rec) + alen + blen;
}

/* One BUF record for @n bytes of the shadow buffer at @off. */
static void edu_pre_put_buf(struct edu_precopy *pre, unsigned int off,
			    unsigned int n)
{
	__le32 le_off = cpu_to_le32(off);

	edu_pre_put(pre, VFPCI_EDU_REC_BUF, &le_off, sizeof(le_off),
		    pre->shadow + off, n);
}

/*
 * The queue is empty: queue the dirty blocks (a record per run), then
 * in STOP_COPY the registers, which end the stream.
 */
static void edu_pre_refill(struct edu_precopy *pre)
{
	unsigned int start, end = 0;

	pre->qpos = 0;
	pre->qlen = 0;
	for (;;) {
		start = find_next_bit(pre->dirty, EDU_NBLOCKS, end);
		if (start >= EDU_NBLOCKS)
			break;
		end = find_next_zero_bit(pre->dirty, EDU_NBLOCKS, start);
		edu_pre_put_buf(pre, start * EDU_BLOCK,
				(end - start) * EDU_BLOCK);
	}
	bitmap_zero(pre->dirty, EDU_NBLOCKS);
	if (pre->final && !pre->regs_queued) {
		edu_pre_put(pre, VFPCI_EDU_REC_REGS, pre->regs,
			    sizeof(pre->regs), NULL, 0);
		pre->regs_queued = true;
	}
}

/*
 * Read the version 2 stream.  With nothing left to send in PRE_COPY, the
 * end is only for now: ENOMSG, as the uAPI asks.
 */
static ssize_t edu_pre_read(struct vfpci_edu_file *migf, char __user *buf,
			    size_t len, loff_t *pos)
{
	struct edu_precopy *pre = migf->pre;

	if (pre->qpos == pre->qlen)
		edu_pre_refill(pre);
	if (pre->qpos == pre->qlen)
		return pre->final ? 0 : -ENOMSG;
	len = min_t(size_t, len, pre->qlen - pre->qpos);
	if (copy_to_user(buf, pre->queue + pre->qpos, len))
		return -EFAULT;
	pre->qpos += len;
	pre->initial -= min(pre->initial, len);
	*pos += len;
	return len;
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
	} else if (migf->pre) {
		ret = edu_pre_read(migf, buf, len, pos);
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

/* A whole version 2 record arrived: check it and put it in place. */
static int edu_rx_apply(struct vfpci_edu_file *migf)
{
	struct edu_rx *rx = migf->rx;
	struct vfpci_edu_rec *rec = (void *)rx->rec;
	struct vfpci_edu_stream_state *st = (void *)(migf->buf +
				sizeof(struct vfpci_edu_stream_hdr));
	u32 len = le32_to_cpu(rec->len);
	u8 *p = (u8 *)(rec + 1);
	u32 off;

	if (vfpci_edu_crc32(p, len) != le32_to_cpu(rec->crc))
		return -EBADMSG;
	if (le16_to_cpu(rec->type) == VFPCI_EDU_REC_REGS) {
		memcpy(st, p, VFPCI_EDU_REGS_LEN);
		rx->done = true;
		return 0;
	}
	if (vfpci_edu_rec_check_buf(p, len))
		return -EINVAL;
	off = get_unaligned_le32(p);
	memcpy(st->dma_buf + off, p + 4, len - 4);
	bitmap_set(rx->covered, off, len - 4);
	return 0;
}

/* Feed @len bytes of a version 2 stream's records; *@done counts them. */
static int edu_rx_records(struct vfpci_edu_file *migf, const char __user *buf,
			  size_t len, size_t *done)
{
	struct edu_rx *rx = migf->rx;
	struct vfpci_edu_rec *rec = (void *)rx->rec;
	size_t want, n;
	int ret;

	while (*done < len) {
		if (rx->done)
			return -EFBIG;	/* nothing may follow REGS */
		want = EDU_REC_HDR;
		if (rx->have >= EDU_REC_HDR)
			want += le32_to_cpu(rec->len);
		n = min(len - *done, want - rx->have);
		if (copy_from_user(rx->rec + rx->have, buf + *done, n))
			return -EFAULT;
		rx->have += n;
		*done += n;
		if (rx->have == EDU_REC_HDR) {
			ret = vfpci_edu_rec_check(rec);
			if (ret)
				return ret;
		} else if (rx->have == want) {
			ret = edu_rx_apply(migf);
			if (ret)
				return ret;
			rx->have = 0;
		}
	}
	return 0;
}

/*
 * The header, then the rest of a version 1 stream, into buf.  Bytes past
 * the v1 length fail with -EFBIG; the header is checked once complete
 * and a version 2 stream goes on record by record.
 */
static int edu_rx_flat(struct vfpci_edu_file *migf, const char __user *buf,
		       size_t len, loff_t *pos, size_t *done)
{
	size_t hdr_len = sizeof(struct vfpci_edu_stream_hdr);
	const struct vfpci_edu_stream_hdr *hdr = (void *)migf->buf;
	loff_t end;
	int ret;

	if (*pos < 0 || *pos > migf->len ||
	    len > VFPCI_EDU_STREAM_LEN - *pos)
		return -EFBIG;
	/* Stop at the end of the header: what follows depends on it. */
	if (*pos < hdr_len)
		len = min_t(size_t, len, hdr_len - *pos);
	if (copy_from_user(migf->buf + *pos, buf, len))
		return -EFAULT;
	end = *pos + len;
	*done = len;
	if (*pos < hdr_len && end == hdr_len) {
		ret = vfpci_edu_stream_check_hdr(hdr, &migf->id);
		if (ret)
			return ret;
		if (le16_to_cpu(hdr->version) != VFPCI_EDU_STREAM_VERSION) {
			migf->rx = kzalloc(sizeof(*migf->rx),
					   GFP_KERNEL_ACCOUNT);
			if (!migf->rx)
				return -ENOMEM;
		}
	}
	*pos = end;
	migf->len = max_t(size_t, migf->len, end);
	return 0;
}

/*
 * Collect the stream: version 1 whole in buf, version 2 record by record
 * (rebuilt in buf as version 1).  What can be checked is checked on
 * arrival, the rest when RESUMING is left.  A refusal sticks: later
 * writes and RESUMING -> STOP fail with the same errno.
 */
static ssize_t edu_resume_write(struct file *filp, const char __user *buf,
				size_t len, loff_t *pos)
{
	struct vfpci_edu_file *migf = filp->private_data;
	size_t done = 0, part;
	ssize_t ret = 0;

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
	while (!ret && done < len) {
		part = 0;
		if (migf->rx) {
			ret = edu_rx_records(migf, buf + done, len - done,
					     &part);
			*pos += part;
		} else {
			ret = edu_rx_flat(migf, buf + done, len - done, pos,
					  &part);
		}
		done += part;
	}
	if (ret && ret != -EFAULT)
		migf->err = ret;
	ret = ret ?: len;
out:
	mutex_unlock(&migf->lock);
	return ret;
}

#ifdef VFPCI_HAVE_MIG_PRE_COPY
/*
 * VFIO_MIG_GET_PRECOPY_INFO: what is left of the first copy of the
 * buffer, and what changed since (with record headers).  Only while the
 * session is in PRE_COPY or PRE_COPY_P2P.
 */
static long edu_precopy_info(struct vfpci_edu_file *migf, void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_precopy_info, dirty_bytes);
	struct vfio_precopy_info info;
	struct edu_precopy *pre;
	unsigned int nblocks;
	int ret = 0;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	mutex_lock(&migf->lock);
	pre = migf->pre;
	if (migf->disabled || !pre || pre->final) {
		ret = -EINVAL;
	} else {
		nblocks = bitmap_weight(pre->dirty, EDU_NBLOCKS);
		info.initial_bytes = pre->initial;
		info.dirty_bytes = pre->qlen - pre->qpos - pre->initial +
				   nblocks * (EDU_REC_HDR + 4 + EDU_BLOCK);
	}
	mutex_unlock(&migf->lock);
	if (ret)
		return ret;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long edu_save_ioctl(struct file *filp, unsigned int cmd,
			   unsigned long arg)
{
	if (cmd != VFIO_MIG_GET_PRECOPY_INFO)
		return -ENOTTY;
	return edu_precopy_info(filp->private_data, (void __user *)arg);
}
#endif

static const struct file_operations edu_save_fops = {
	.owner		= THIS_MODULE,
	.read		= edu_save_read,
#ifdef VFPCI_HAVE_MIG_PRE_COPY
	.unlocked_ioctl	= edu_save_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
#endif
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

/* A stream header naming this function; v1 also sets length and CRC. */
static void edu_fill_hdr(struct pci_dev *pdev,
			 struct vfpci_edu_stream_hdr *hdr, u16 version)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->magic = cpu_to_le32(VFPCI_EDU_STREAM_MAGIC);
	hdr->version = cpu_to_le16(version);
	hdr->hdr_len = cpu_to_le16(sizeof(*hdr));
	hdr->vendor = cpu_to_le16(pdev->vendor);
	hdr->device = cpu_to_le16(pdev->device);
	hdr->subsystem_vendor = cpu_to_le16(pdev->subsystem_vendor);
	hdr->subsystem_device = cpu_to_le16(pdev->subsystem_device);
	hdr->revision = pdev->revision;
}

/* STOP -> STOP_COPY: snapshot the stopped device into a new data fd. */
static struct file *edu_save(struct vfpci_edu_device *edev)
{
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
	edu_fill_hdr(edev->core.pdev, hdr, VFPCI_EDU_STREAM_VERSION);
	hdr->total_len = cpu_to_le32(VFPCI_EDU_STREAM_LEN);
	hdr->payload_crc = cpu_to_le32(vfpci_edu_crc32(st, sizeof(*st)));
	migf->len = VFPCI_EDU_STREAM_LEN;

	edev->saving = migf;
	get_file(migf->filp);	/* ours; the caller's goes to the user */
	return migf->filp;
}

#ifdef VFPCI_HAVE_MIG_PRE_COPY
/*
 * RUNNING -> PRE_COPY, RUNNING_P2P -> PRE_COPY_P2P: a new data fd whose
 * stream starts with the header and the whole buffer, as it is now.
 */
static struct file *edu_precopy_start(struct vfpci_edu_device *edev)
{
	struct vfpci_edu_stream_hdr *hdr;
	struct vfpci_edu_file *migf;
	struct edu_precopy *pre;

	pre = kzalloc(sizeof(*pre), GFP_KERNEL_ACCOUNT);
	if (!pre)
		return ERR_PTR(-ENOMEM);
	migf = edu_file_new(edev, &edu_save_fops, O_RDONLY);
	if (IS_ERR(migf)) {
		kfree(pre);
		return ERR_CAST(migf);
	}
	migf->pre = pre;
	memcpy(pre->shadow, edev->dma_buf, sizeof(pre->shadow));
	hdr = (void *)pre->queue;
	edu_fill_hdr(edev->core.pdev, hdr, VFPCI_EDU_STREAM_VERSION_PRECOPY);
	pre->qlen = sizeof(*hdr);
	edu_pre_put_buf(pre, 0, VFPCI_EDU_DMA_BUF_SIZE);
	pre->initial = pre->qlen;

	edev->saving = migf;
	get_file(migf->filp);
	return migf->filp;
}

/*
 * PRE_COPY_P2P -> STOP_COPY: the device is quiesced; the stream goes on
 * with the blocks that differ from what was queued, then the registers.
 */
static int edu_precopy_stop(struct vfpci_edu_device *edev)
{
	struct vfpci_edu_file *migf = edev->saving;
	struct edu_precopy *pre = migf->pre;
	struct vfpci_edu_stream_state *st;
	unsigned int b;
	int ret;

	st = kmalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	ret = vfpci_edu_dev_save(edev, st);
	if (ret)
		goto out;
	mutex_lock(&migf->lock);
	/* Changes were mirrored as they happened; make sure of it. */
	for (b = 0; b < EDU_NBLOCKS; b++) {
		u8 *old = pre->shadow + b * EDU_BLOCK;
		u8 *now = st->dma_buf + b * EDU_BLOCK;

		if (memcmp(old, now, EDU_BLOCK)) {
			memcpy(old, now, EDU_BLOCK);
			set_bit(b, pre->dirty);
		}
	}
	memcpy(pre->regs, st, sizeof(pre->regs));
	pre->final = true;
	mutex_unlock(&migf->lock);
out:
	kfree(st);
	return ret;
}
#endif

/*
 * The device changed @len bytes of its buffer at @off: a pre-copy
 * session sends those blocks again.
 */
void vfpci_edu_mig_buf_changed(struct vfpci_edu_device *edev,
			       unsigned int off, unsigned int len)
{
	struct vfpci_edu_file *migf = edev->saving;
	struct edu_precopy *pre;
	unsigned int first, last;

	lockdep_assert_held(&edev->state_mutex);
	if (!migf || !migf->pre || !len)
		return;
	pre = migf->pre;
	first = off / EDU_BLOCK;
	last = (off + len - 1) / EDU_BLOCK;
	mutex_lock(&migf->lock);
	memcpy(pre->shadow + off, edev->dma_buf + off, len);
	bitmap_set(pre->dirty, first, last - first + 1);
	mutex_unlock(&migf->lock);
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

/*
 * A version 2 stream is complete when REGS came and every byte of the
 * buffer did: then buf becomes the version 1 stream of the same state.
 */
static int edu_rx_finish(struct vfpci_edu_file *migf)
{
	struct vfpci_edu_stream_hdr *hdr = (void *)migf->buf;
	size_t st_len = sizeof(struct vfpci_edu_stream_state);
	struct edu_rx *rx = migf->rx;

	if (!rx)
		return 0;
	if (!rx->done || rx->have ||
	    !bitmap_full(rx->covered, VFPCI_EDU_DMA_BUF_SIZE))
		return -ENODATA;
	hdr->version = cpu_to_le16(VFPCI_EDU_STREAM_VERSION);
	hdr->total_len = cpu_to_le32(VFPCI_EDU_STREAM_LEN);
	hdr->payload_crc = cpu_to_le32(vfpci_edu_crc32(hdr + 1, st_len));
	migf->len = VFPCI_EDU_STREAM_LEN;
	return 0;
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

	ret = migf->err ?: edu_rx_finish(migf) ?:
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

/* End the saving session (the fd reads ENODEV from now on). */
static void edu_save_end(struct vfpci_edu_device *edev)
{
	edu_file_disable(edev->saving);
	edev->saving = NULL;
}

#ifdef VFPCI_HAVE_MIG_PRE_COPY
/* The arcs in and out of the pre-copy states; -EAGAIN if not one. */
static struct file *edu_step_precopy(struct vfpci_edu_device *edev,
				     enum vfio_device_mig_state next)
{
	enum vfio_device_mig_state cur = edev->mig_state;
	int ret = 0;

	if ((cur == VFIO_DEVICE_STATE_RUNNING &&
	     next == VFIO_DEVICE_STATE_PRE_COPY) ||
	    (cur == VFIO_DEVICE_STATE_RUNNING_P2P &&
	     next == VFIO_DEVICE_STATE_PRE_COPY_P2P))
		return edu_precopy_start(edev);
	/* Quiesced until now: the caller resumes the device. */
	if (cur == VFIO_DEVICE_STATE_PRE_COPY_P2P &&
	    next == VFIO_DEVICE_STATE_PRE_COPY)
		return NULL;
	if (cur == VFIO_DEVICE_STATE_PRE_COPY &&
	    next == VFIO_DEVICE_STATE_PRE_COPY_P2P)
		ret = vfpci_edu_quiesce(edev);
	else if ((cur == VFIO_DEVICE_STATE_PRE_COPY &&
		  next == VFIO_DEVICE_STATE_RUNNING) ||
		 (cur == VFIO_DEVICE_STATE_PRE_COPY_P2P &&
		  next == VFIO_DEVICE_STATE_RUNNING_P2P))
		edu_save_end(edev);
	else if (cur == VFIO_DEVICE_STATE_PRE_COPY_P2P &&
		 next == VFIO_DEVICE_STATE_STOP_COPY)
		ret = edu_precopy_stop(edev);
	else
		ret = -EAGAIN;
	return ret ? ERR_PTR(ret) : NULL;
}
#else
static struct file *edu_step_precopy(struct vfpci_edu_device *edev,
				     enum vfio_device_mig_state next)
{
	return ERR_PTR(-EAGAIN);
}
#endif

/* One arc of the FSM; the caller records the new state on success. */
static struct file *edu_step(struct vfpci_edu_device *edev,
			     enum vfio_device_mig_state next)
{
	enum vfio_device_mig_state cur = edev->mig_state;
	struct file *res;
	int ret = 0;

	res = edu_step_precopy(edev, next);
	if (res != ERR_PTR(-EAGAIN))
		return res;
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
		edu_save_end(edev);
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
	bool was_running;
	int ret;

	mutex_lock(&edev->state_mutex);
	/* Only VFIO_DEVICE_RESET leaves ERROR; the arc table has no way out. */
	if (edev->mig_state == VFIO_DEVICE_STATE_ERROR) {
		mutex_unlock(&edev->state_mutex);
		return ERR_PTR(-EINVAL);
	}
	while (edev->mig_state != new) {
		was_running = vfpci_edu_running(edev);
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
		if (!was_running && vfpci_edu_running(edev))
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

#ifdef VFPCI_HAVE_MIG_DATA_SIZE
/* What STOP_COPY would still send: the rest of a pre-copy, or it all. */
static int edu_get_data_size(struct vfio_device *vdev, unsigned long *len)
{
	struct vfpci_edu_device *edev = to_edu(vdev);
	struct vfpci_edu_file *migf;
	struct edu_precopy *pre;

	mutex_lock(&edev->state_mutex);
	migf = edev->saving;
	*len = VFPCI_EDU_STREAM_LEN;
	if (migf && migf->pre) {
		mutex_lock(&migf->lock);
		pre = migf->pre;
		*len = pre->qlen - pre->qpos +
		       bitmap_weight(pre->dirty, EDU_NBLOCKS) *
		       (EDU_REC_HDR + 4 + EDU_BLOCK);
		if (!pre->regs_queued)
			*len += EDU_REC_HDR + VFPCI_EDU_REGS_LEN;
		mutex_unlock(&migf->lock);
	}
	mutex_unlock(&edev->state_mutex);
	return 0;
}
#endif

const struct vfio_migration_ops vfpci_edu_mig_ops = {
	.migration_set_state	= edu_set_state,
	.migration_get_state	= edu_get_state,
#ifdef VFPCI_HAVE_MIG_DATA_SIZE
	.migration_get_data_size = edu_get_data_size,
#endif
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
