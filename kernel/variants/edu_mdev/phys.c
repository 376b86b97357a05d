// SPDX-License-Identifier: GPL-2.0-only
/*
 * The physical edu: one command at a time, issued by the scheduler's
 * worker, each ending with the device's own interrupt.  A late or stray
 * interrupt cannot end the wrong command: after each wake-up the device's
 * registers must say the command is done.
 *
 * DMA goes through a 4 KiB bounce buffer in the device's 28-bit DMA range.
 * The device's buffer holds one instance's bytes at a time (buf_owner,
 * with buf_valid marking which); an instance's own copy is always current
 * (write-through), so taking the device buffer over never needs a save.
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/jiffies.h>

#include "edu_mdev.h"

/* QEMU's edu takes ~100 ms a transfer; allow a loaded TCG host plenty. */
#define EDU_PHYS_TIMEOUT_MS	5000

static u32 rd(struct edu_parent *p, unsigned int off)
{
	return readl(p->bar + off);
}

static void wr(struct edu_parent *p, unsigned int off, u32 val)
{
	writel(val, p->bar + off);
}

static void wr64(struct edu_parent *p, unsigned int off, u64 val)
{
	writeq(val, p->bar + off);
}

static irqreturn_t edu_phys_irq(int irq, void *data)
{
	struct edu_parent *p = data;
	u32 status = rd(p, VFPCI_EDU_REG_IRQ_STATUS);

	if (!status)
		return IRQ_NONE;
	wr(p, VFPCI_EDU_REG_IRQ_ACK, status);
	complete(&p->irq_done);
	return IRQ_HANDLED;
}

/* Wait for the interrupt until @done says the device finished. */
static int edu_phys_wait(struct edu_parent *p,
			 bool (*done)(struct edu_parent *p))
{
	unsigned long end = jiffies + msecs_to_jiffies(EDU_PHYS_TIMEOUT_MS);

	while (!done(p)) {
		long left = (long)(end - jiffies);

		if (left <= 0 ||
		    !wait_for_completion_timeout(&p->irq_done, left)) {
			if (done(p))
				break;
			dev_warn_ratelimited(&p->pdev->dev,
					     "edu command timed out\n");
			return -ETIMEDOUT;
		}
	}
	return 0;
}

static bool fact_done(struct edu_parent *p)
{
	return !(rd(p, VFPCI_EDU_REG_STATUS) & VFPCI_EDU_STATUS_BUSY);
}

static bool dma_done(struct edu_parent *p)
{
	return !(rd(p, VFPCI_EDU_REG_DMA_CMD) & VFPCI_EDU_DMA_START);
}

/*
 * n! mod 2^32 on the device.  From 34 on it is 0 (34! has 32 factors of
 * two), and QEMU's edu would loop n times: 34 gives the same result and
 * bounds how long one instance can hold the device.
 */
u32 edu_phys_factorial(struct edu_parent *p, u32 n)
{
	reinit_completion(&p->irq_done);
	wr(p, VFPCI_EDU_REG_STATUS, VFPCI_EDU_STATUS_IRQFACT);
	wr(p, VFPCI_EDU_REG_FACT, min_t(u32, n, 34));
	if (edu_phys_wait(p, fact_done))
		return 0;
	return rd(p, VFPCI_EDU_REG_FACT);
}

/* One device transfer between the bounce buffer and its buffer window. */
static int edu_phys_xfer(struct edu_parent *p, bool to_ram, u32 off, u32 cnt)
{
	u64 win = VFPCI_EDU_DMA_BUF_ADDR + off;

	reinit_completion(&p->irq_done);
	wr64(p, VFPCI_EDU_REG_DMA_SRC, to_ram ? win : p->bounce_dma + off);
	wr64(p, VFPCI_EDU_REG_DMA_DST, to_ram ? p->bounce_dma + off : win);
	wr64(p, VFPCI_EDU_REG_DMA_CNT, cnt);
	wr64(p, VFPCI_EDU_REG_DMA_CMD, VFPCI_EDU_DMA_START | VFPCI_EDU_DMA_IRQ |
	     (to_ram ? VFPCI_EDU_DMA_TO_RAM : 0));
	if (!edu_phys_wait(p, dma_done))
		return 0;
	/* Whatever the buffer holds now, it is nobody's. */
	WRITE_ONCE(p->buf_owner, NULL);
	return -ETIMEDOUT;
}

/* Whose bytes the device buffer holds is now @inst's [off, off + cnt). */
static void edu_phys_claim(struct edu_parent *p, struct edu_instance *inst,
			   u32 off, u32 cnt)
{
	if (READ_ONCE(p->buf_owner) != inst) {
		bitmap_zero(p->buf_valid, VFPCI_EDU_DMA_BUF_SIZE);
		WRITE_ONCE(p->buf_owner, inst);
	}
	bitmap_set(p->buf_valid, off, cnt);
}

/* Make the device buffer hold @inst's bytes [off, off + cnt). */
static int edu_phys_own(struct edu_parent *p, struct edu_instance *inst,
			u32 off, u32 cnt)
{
	int ret;

	if (READ_ONCE(p->buf_owner) == inst &&
	    find_next_zero_bit(p->buf_valid, off + cnt, off) >= off + cnt)
		return 0;
	memcpy(p->bounce + off, inst->buf + off, cnt);
	ret = edu_phys_xfer(p, false, off, cnt);
	if (!ret)
		edu_phys_claim(p, inst, off, cnt);
	return ret;
}

/*
 * QEMU's edu aborts the whole VM on a transfer that ends at the end of its
 * window (its range check is off by one), so the device's buffer is used
 * up to here; a transfer's byte at offset 4095 is copied by the driver.
 */
#define EDU_PHYS_BUF_END	(VFPCI_EDU_DMA_BUF_SIZE - 1)

/*
 * An instance's transfer between its buffer [off, off + cnt) and the
 * user's IOVA, carried out by the device.  Nothing moves on an error.
 */
int edu_phys_dma(struct edu_parent *p, struct edu_instance *inst,
		 bool to_ram, u32 off, u32 cnt, u64 iova)
{
	u32 dev_cnt = min_t(u32, off + cnt, EDU_PHYS_BUF_END) -
		      min_t(u32, off, EDU_PHYS_BUF_END);
	u32 tail = off + dev_cnt;
	int ret = 0;

	if (to_ram) {
		if (dev_cnt)
			ret = edu_phys_own(p, inst, off, dev_cnt);
		if (!ret && dev_cnt)
			ret = edu_phys_xfer(p, true, off, dev_cnt);
		if (ret)
			return ret;
		memcpy(p->bounce + tail, inst->buf + tail, off + cnt - tail);
		return vfpci_mdev_dma_rw(&inst->m, iova, p->bounce + off, cnt,
					 true);
	}

	ret = vfpci_mdev_dma_rw(&inst->m, iova, p->bounce + off, cnt, false);
	if (!ret && dev_cnt)
		ret = edu_phys_xfer(p, false, off, dev_cnt);
	if (ret)
		return ret;
	memcpy(inst->buf + off, p->bounce + off, cnt);
	if (dev_cnt)
		edu_phys_claim(p, inst, off, dev_cnt);
	return 0;
}

int edu_phys_init(struct edu_parent *p)
{
	struct pci_dev *pdev = p->pdev;
	int ret;

	init_completion(&p->irq_done);
	ret = dma_set_mask_and_coherent(&pdev->dev, VFPCI_EDU_DMA_MASK);
	if (ret)
		return ret;
	p->bounce = dma_alloc_coherent(&pdev->dev, VFPCI_EDU_DMA_BUF_SIZE,
				       &p->bounce_dma, GFP_KERNEL);
	if (!p->bounce)
		return -ENOMEM;

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		goto free_bounce;
	p->irq = pci_irq_vector(pdev, 0);
	ret = request_irq(p->irq, edu_phys_irq, IRQF_SHARED, "vfpci_edu_mdev",
			  p);
	if (ret)
		goto free_vectors;
	pci_set_master(pdev);
	return 0;

free_vectors:
	pci_free_irq_vectors(pdev);
free_bounce:
	dma_free_coherent(&pdev->dev, VFPCI_EDU_DMA_BUF_SIZE, p->bounce,
			  p->bounce_dma);
	return ret;
}

void edu_phys_fini(struct edu_parent *p)
{
	struct pci_dev *pdev = p->pdev;

	pci_clear_master(pdev);
	free_irq(p->irq, p);
	pci_free_irq_vectors(pdev);
	dma_free_coherent(&pdev->dev, VFPCI_EDU_DMA_BUF_SIZE, p->bounce,
			  p->bounce_dma);
}
