// SPDX-License-Identifier: GPL-2.0-only
/*
 * The mediated edu.  Every BAR0 access of the user comes here (BAR0 is
 * never mmap'ed).  Most registers pass through to the device, with shadow
 * copies of what migration needs; the DMA engine at 0x80-0x9f is
 * emulated: the device's own DMA registers are never written, so a bad
 * request cannot reach QEMU's edu (which aborts on one) and the driver
 * always knows the buffer content and which pages it wrote.
 *
 * Outside RUNNING the device initiates nothing: user writes to the DMA
 * registers still land in the shadow (in RUNNING_P2P and STOP a start is
 * queued and runs when the device is RUNNING again), every other BAR0
 * write fails with -EBUSY.  Reads are always answered.
 */
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

#include "edu.h"

/* Longest wait for a factorial: the largest n takes seconds under TCG. */
#define EDU_FACT_TIMEOUT_MS	5000

/*
 * One access to the real device.  The user's own BAR0 accesses obey the
 * user's memory decode, like the core's; the driver's accesses (migration
 * arcs, reset) happen inside edu_own_begin/end, which turn decode on.
 */
static int edu_io(struct vfpci_edu_device *edev, unsigned int off, u32 *val,
		  int size, bool write)
{
	struct vfpci_core_device *vdev = &edev->core;
	bool test_mem = !edev->own_access;
	u64 v;
	int ret;

	if (!vdev->barmap[0])
		return -EIO;
	if (write)
		return vfpci_core_io_write(vdev, test_mem, *val,
					   vdev->barmap[0] + off, size);
	ret = vfpci_core_io_read(vdev, test_mem, &v, vdev->barmap[0] + off,
				 size);
	*val = v;
	return ret;
}

/* Bracket the driver's own accesses; state_mutex is held. */
static u16 edu_own_begin(struct vfpci_edu_device *edev)
{
	u16 cmd = vfpci_core_memory_lock_and_enable(&edev->core);

	edev->own_access = true;
	return cmd;
}

static void edu_own_end(struct vfpci_edu_device *edev, u16 cmd)
{
	edev->own_access = false;
	vfpci_core_memory_unlock_and_restore(&edev->core, cmd);
}

int vfpci_edu_reg_read(struct vfpci_edu_device *edev, unsigned int off,
		       u32 *val)
{
	return edu_io(edev, off, val, 4, false);
}

int vfpci_edu_reg_write(struct vfpci_edu_device *edev, unsigned int off,
			u32 val)
{
	return edu_io(edev, off, &val, 4, true);
}

/*
 * The device computes n! in 32 bits, so every result it can hold is n! mod
 * 2^32 for some n <= 34 (34! has 32 factors of two).  Which n?
 */
static bool edu_fact_inverse(u32 result, u32 *n)
{
	u32 i, fact = 1;

	for (i = 0; i <= 34; i++) {
		if (i)
			fact *= i;
		if (fact == result) {
			*n = i;
			return true;
		}
	}
	return false;
}

/* Wait (bounded) until no factorial is being computed. */
int vfpci_edu_wait_idle(struct vfpci_edu_device *edev)
{
	unsigned long end = jiffies + msecs_to_jiffies(EDU_FACT_TIMEOUT_MS);
	u32 status;
	int ret;

	for (;;) {
		ret = vfpci_edu_reg_read(edev, VFPCI_EDU_REG_STATUS, &status);
		if (ret)
			return ret;
		if (!(status & VFPCI_EDU_STATUS_BUSY))
			return 0;
		if (time_after(jiffies, end))
			return -ETIMEDOUT;
		usleep_range(200, 1000);
	}
}

/* Move the bytes of the pending request between the IOVA and the buffer. */
static int edu_dma_transfer(struct vfpci_edu_device *edev)
{
	bool to_ram = edev->dma_cmd & VFPCI_EDU_DMA_TO_RAM;
	u64 win = to_ram ? edev->dma_src : edev->dma_dst;
	u64 iova = to_ram ? edev->dma_dst : edev->dma_src;
	u64 cnt = edev->dma_cnt;
	u8 *side;
	void *bounce;
	int ret;

	if (!vfpci_edu_dma_valid(win, iova, cnt))
		return -EINVAL;
	if (!cnt)
		return 0;
	side = edev->dma_buf + (win - VFPCI_EDU_DMA_BUF_ADDR);
	if (to_ram) {
		ret = vfio_dma_rw(&edev->core.vdev, iova, side, cnt, true);
		/* Even a failed copy may have written a prefix. */
		vfpci_edu_log_record(edev, iova, cnt);
		return ret;
	}
	/* All or nothing: the buffer keeps its bytes if the read fails. */
	bounce = kmalloc(cnt, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	ret = vfio_dma_rw(&edev->core.vdev, iova, bounce, cnt, false);
	if (!ret) {
		memcpy(side, bounce, cnt);
		vfpci_edu_mig_buf_changed(edev, win - VFPCI_EDU_DMA_BUF_ADDR,
					  cnt);
	}
	kfree(bounce);
	return ret;
}

/*
 * Execute the queued request, as the device would: the start bit clears,
 * then the completion interrupt comes from the device itself (0x60).  A
 * refused request moves nothing, raises nothing and leaves the error bit
 * set in the cmd register.
 */
static void edu_dma_run(struct vfpci_edu_device *edev)
{
	int ret;

	if (!(edev->dma_cmd & VFPCI_EDU_DMA_START))
		return;
	ret = edu_dma_transfer(edev);
	edev->dma_cmd &= ~VFPCI_EDU_DMA_START;
	if (ret) {
		edev->dma_cmd |= VFPCI_EDU_DMA_ERROR;
		pci_dbg(edev->core.pdev,
			"edu DMA refused: cmd %#x src %#llx dst %#llx cnt %#llx: %d\n",
			edev->dma_cmd, edev->dma_src, edev->dma_dst,
			edev->dma_cnt, ret);
		return;
	}
	if (edev->dma_cmd & VFPCI_EDU_DMA_IRQ)
		vfpci_edu_reg_write(edev, VFPCI_EDU_REG_IRQ_RAISE,
				    VFPCI_EDU_IRQ_DMA);
}

static bool edu_is_dma_reg(unsigned int off)
{
	return off >= VFPCI_EDU_REG_DMA_SRC && off < VFPCI_EDU_REG_DMA_CMD + 8;
}

/* edu answers only 4-byte reads at the start of each register. */
static u32 edu_dma_reg_read(struct vfpci_edu_device *edev, unsigned int off)
{
	switch (off) {
	case VFPCI_EDU_REG_DMA_SRC:
		return lower_32_bits(edev->dma_src);
	case VFPCI_EDU_REG_DMA_DST:
		return lower_32_bits(edev->dma_dst);
	case VFPCI_EDU_REG_DMA_CNT:
		return lower_32_bits(edev->dma_cnt);
	case VFPCI_EDU_REG_DMA_CMD:
		return edev->dma_cmd;
	}
	return ~0U;
}

static void edu_dma_reg_write(struct vfpci_edu_device *edev,
			      unsigned int off, u32 val)
{
	/* Like edu: a pending request freezes the registers. */
	if (edev->dma_cmd & VFPCI_EDU_DMA_START)
		return;
	switch (off) {
	case VFPCI_EDU_REG_DMA_SRC:
		edev->dma_src = val;
		break;
	case VFPCI_EDU_REG_DMA_DST:
		edev->dma_dst = val;
		break;
	case VFPCI_EDU_REG_DMA_CNT:
		edev->dma_cnt = val;
		break;
	case VFPCI_EDU_REG_DMA_CMD:
		/* edu ignores a cmd without the start bit. */
		if (!(val & VFPCI_EDU_DMA_START))
			break;
		edev->dma_cmd = val & (VFPCI_EDU_DMA_START |
				       VFPCI_EDU_DMA_TO_RAM | VFPCI_EDU_DMA_IRQ);
		if (vfpci_edu_running(edev))
			edu_dma_run(edev);
		break;
	}
}

/* A factorial input: edu drops one while busy, and only we start one. */
static int edu_fact_write(struct vfpci_edu_device *edev, u32 val)
{
	u32 status;
	int ret;

	ret = vfpci_edu_reg_read(edev, VFPCI_EDU_REG_STATUS, &status);
	if (ret || (status & VFPCI_EDU_STATUS_BUSY))
		return ret;
	ret = vfpci_edu_reg_write(edev, VFPCI_EDU_REG_FACT, val);
	if (ret)
		return ret;
	edev->fact_n = val;
	edev->fact_valid = true;
	return 0;
}

static int edu_user_write(struct vfpci_edu_device *edev, unsigned int off,
			  u32 val, int size)
{
	enum vfio_device_mig_state state = vfpci_edu_dev_state(edev);

	if (edu_is_dma_reg(off)) {
		if (state != VFIO_DEVICE_STATE_RUNNING &&
		    state != VFIO_DEVICE_STATE_RUNNING_P2P &&
		    state != VFIO_DEVICE_STATE_STOP)
			return -EBUSY;
		if (size == 4)
			edu_dma_reg_write(edev, off, val);
		return 0;
	}
	if (state != VFIO_DEVICE_STATE_RUNNING)
		return -EBUSY;
	if (size == 4 && off == VFPCI_EDU_REG_FACT)
		return edu_fact_write(edev, val);
	return edu_io(edev, off, &val, size, true);
}

static int edu_user_read(struct vfpci_edu_device *edev, unsigned int off,
			 u32 *val, int size)
{
	if (!edu_is_dma_reg(off))
		return edu_io(edev, off, val, size, false);
	*val = size == 4 ? edu_dma_reg_read(edev, off) : ~0U;
	return 0;
}

/* Widest naturally aligned access up to 4 bytes, as the core does. */
static int edu_access_size(loff_t off, size_t left)
{
	if (left >= 4 && !(off & 3))
		return 4;
	if (left >= 2 && !(off & 1))
		return 2;
	return 1;
}

ssize_t vfpci_edu_bar0_rw(struct vfpci_edu_device *edev, char __user *buf,
			  size_t count, loff_t *ppos, bool iswrite)
{
	loff_t pos = *ppos & VFPCI_CORE_OFFSET_MASK;
	resource_size_t len = pci_resource_len(edev->core.pdev, 0);
	size_t done = 0;
	int ret = 0;

	if (pos >= len)
		return -EINVAL;
	count = min_t(size_t, count, len - pos);

	mutex_lock(&edev->state_mutex);
	while (done < count) {
		int size = edu_access_size(pos + done, count - done);
		u32 val = 0;

		if (iswrite) {
			if (copy_from_user(&val, buf + done, size))
				ret = -EFAULT;
			else
				ret = edu_user_write(edev, pos + done, val,
						     size);
		} else {
			ret = edu_user_read(edev, pos + done, &val, size);
			if (!ret && copy_to_user(buf + done, &val, size))
				ret = -EFAULT;
		}
		if (ret)
			break;
		done += size;
	}
	mutex_unlock(&edev->state_mutex);
	if (ret)
		return ret;
	*ppos += done;
	return done;
}

/* Back in RUNNING: deliver what was held while quiesced. */
static void edu_dev_resume_own(struct vfpci_edu_device *edev)
{
	if (edev->irq_pending &&
	    !vfpci_edu_reg_write(edev, VFPCI_EDU_REG_IRQ_RAISE,
				 edev->irq_pending))
		edev->irq_pending = 0;
	edu_dma_run(edev);
}

/*
 * Driver-level reset (edu has none of its own): the emulated engine
 * starts over and the device is left with no interrupt pending or armed.
 * Best effort on the device: it may not decode memory right now.
 */
static void edu_dev_reset_own(struct vfpci_edu_device *edev)
{
	edev->dma_src = 0;
	edev->dma_dst = 0;
	edev->dma_cnt = 0;
	edev->dma_cmd = 0;
	edev->fact_n = 0;
	edev->fact_valid = false;
	edev->irq_pending = 0;
	memset(edev->dma_buf, 0, sizeof(edev->dma_buf));
	vfpci_edu_reg_write(edev, VFPCI_EDU_REG_STATUS, 0);
	vfpci_edu_reg_write(edev, VFPCI_EDU_REG_IRQ_ACK, ~0U);
}

/* The device's state, quiesced (no factorial running), into @st. */
static int edu_dev_save_own(struct vfpci_edu_device *edev,
			    struct vfpci_edu_stream_state *st)
{
	u32 live, fact, status, irq;
	int ret;

	ret = vfpci_edu_reg_read(edev, VFPCI_EDU_REG_STATUS, &status);
	if (ret)
		return ret;
	if (status & VFPCI_EDU_STATUS_BUSY)
		return -EBUSY;
	ret = vfpci_edu_reg_read(edev, VFPCI_EDU_REG_LIVENESS, &live) ?:
	      vfpci_edu_reg_read(edev, VFPCI_EDU_REG_FACT, &fact) ?:
	      vfpci_edu_reg_read(edev, VFPCI_EDU_REG_IRQ_STATUS, &irq);
	if (ret)
		return ret;

	memset(st, 0, sizeof(*st));
	/* With no input seen since open, find the n behind the result. */
	if (edev->fact_valid || edu_fact_inverse(fact, &edev->fact_n)) {
		edev->fact_valid = true;
		st->flags = cpu_to_le32(VFPCI_EDU_STATE_FACT_VALID);
		st->fact_n = cpu_to_le32(edev->fact_n);
	}
	st->liveness = cpu_to_le32(live);
	st->fact_result = cpu_to_le32(fact);
	st->status = cpu_to_le32(status & VFPCI_EDU_STATUS_IRQFACT);
	st->irq_status = cpu_to_le32(irq | edev->irq_pending);
	st->dma_src = cpu_to_le64(edev->dma_src);
	st->dma_dst = cpu_to_le64(edev->dma_dst);
	st->dma_cnt = cpu_to_le64(edev->dma_cnt);
	st->dma_cmd = cpu_to_le64(edev->dma_cmd);
	memcpy(st->dma_buf, edev->dma_buf, sizeof(st->dma_buf));
	return 0;
}

/*
 * Load a validated state.  The device stays silent (STOP): the factorial
 * is recomputed with its interrupt disarmed, and the saved interrupt
 * status is only raised when the device runs again.
 */
static int edu_dev_load_own(struct vfpci_edu_device *edev,
			    const struct vfpci_edu_stream_state *st)
{
	u32 flags = le32_to_cpu(st->flags);
	u32 fact;
	int ret;

	ret = vfpci_edu_reg_write(edev, VFPCI_EDU_REG_STATUS, 0) ?:
	      vfpci_edu_wait_idle(edev) ?:
	      vfpci_edu_reg_write(edev, VFPCI_EDU_REG_IRQ_ACK, ~0U) ?:
	      vfpci_edu_reg_write(edev, VFPCI_EDU_REG_LIVENESS,
				  ~le32_to_cpu(st->liveness));
	if (ret)
		return ret;
	if (flags & VFPCI_EDU_STATE_FACT_VALID) {
		ret = vfpci_edu_reg_write(edev, VFPCI_EDU_REG_FACT,
					  le32_to_cpu(st->fact_n)) ?:
		      vfpci_edu_wait_idle(edev) ?:
		      vfpci_edu_reg_read(edev, VFPCI_EDU_REG_FACT, &fact);
		if (ret)
			return ret;
		/* n! is deterministic: another result means a forged stream. */
		if (fact != le32_to_cpu(st->fact_result))
			return -EINVAL;
	}
	ret = vfpci_edu_reg_write(edev, VFPCI_EDU_REG_STATUS,
				  le32_to_cpu(st->status));
	if (ret)
		return ret;

	edev->fact_valid = flags & VFPCI_EDU_STATE_FACT_VALID;
	edev->fact_n = le32_to_cpu(st->fact_n);
	edev->irq_pending = le32_to_cpu(st->irq_status);
	edev->dma_src = le64_to_cpu(st->dma_src);
	edev->dma_dst = le64_to_cpu(st->dma_dst);
	edev->dma_cnt = le64_to_cpu(st->dma_cnt);
	edev->dma_cmd = le64_to_cpu(st->dma_cmd);
	memcpy(edev->dma_buf, st->dma_buf, sizeof(edev->dma_buf));
	return 0;
}

void vfpci_edu_dev_resume(struct vfpci_edu_device *edev)
{
	u16 cmd = edu_own_begin(edev);

	edu_dev_resume_own(edev);
	edu_own_end(edev, cmd);
}

void vfpci_edu_dev_reset(struct vfpci_edu_device *edev)
{
	u16 cmd = edu_own_begin(edev);

	edu_dev_reset_own(edev);
	edu_own_end(edev, cmd);
}

int vfpci_edu_dev_save(struct vfpci_edu_device *edev,
		       struct vfpci_edu_stream_state *st)
{
	u16 cmd = edu_own_begin(edev);
	int ret = edu_dev_save_own(edev, st);

	edu_own_end(edev, cmd);
	return ret;
}

int vfpci_edu_dev_load(struct vfpci_edu_device *edev,
		       const struct vfpci_edu_stream_state *st)
{
	u16 cmd = edu_own_begin(edev);
	int ret = edu_dev_load_own(edev, st);

	edu_own_end(edev, cmd);
	return ret;
}

int vfpci_edu_quiesce(struct vfpci_edu_device *edev)
{
	u16 cmd = edu_own_begin(edev);
	int ret = vfpci_edu_wait_idle(edev);

	edu_own_end(edev, cmd);
	return ret;
}
