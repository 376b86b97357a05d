// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PF's admin queue: one small submission/completion queue pair in
 * coherent DMA memory, the controller enabled with pin interrupts masked,
 * and one command at a time, polled.  nvmepf sends a handful of commands
 * (at probe, on sysfs reads and at a VF's open and close), so polling under
 * a mutex is all it needs.
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/jiffies.h>
#include <linux/nvme.h>

#include "pf.h"

#define NVMEPF_CMD_TIMEOUT_MS	5000

static int nvmepf_wait_ready(struct nvmepf *pf, bool rdy)
{
	unsigned long end = jiffies + msecs_to_jiffies(pf->timeout_ms);
	u32 csts;

	for (;;) {
		csts = readl(pf->bar + NVME_REG_CSTS);
		if (csts == ~0u)
			return -ENODEV;		/* surprise removal */
		if (!!(csts & NVME_CSTS_RDY) == rdy)
			return 0;
		if (rdy && (csts & NVME_CSTS_CFS))
			return -EIO;
		if (time_after(jiffies, end))
			return -ETIMEDOUT;
		usleep_range(1000, 2000);
	}
}

static int nvmepf_disable(struct nvmepf *pf)
{
	u32 cc = readl(pf->bar + NVME_REG_CC);

	if (cc == ~0u)
		return -ENODEV;
	if (!(cc & NVME_CC_ENABLE))
		return nvmepf_wait_ready(pf, false);
	writel(cc & ~NVME_CC_ENABLE, pf->bar + NVME_REG_CC);
	return nvmepf_wait_ready(pf, false);
}

int nvmepf_admin_init(struct nvmepf *pf)
{
	struct device *dev = &pf->pdev->dev;
	u64 cap = lo_hi_readq(pf->bar + NVME_REG_CAP);
	int ret;

	if (cap == ~0ull)
		return -ENODEV;
	pf->dstrd = 4 << NVME_CAP_STRIDE(cap);
	pf->timeout_ms = clamp_t(u32, NVME_CAP_TIMEOUT(cap) * 500, 500, 30000);
	if (NVME_CAP_MQES(cap) + 1 < NVMEPF_QDEPTH || NVME_CAP_MPSMIN(cap))
		return -ENODEV;

	/* One page each: queues must not cross a page (CC.MPS 0). */
	pf->sq = dma_alloc_coherent(dev, PAGE_SIZE, &pf->sq_dma, GFP_KERNEL);
	pf->cq = dma_alloc_coherent(dev, PAGE_SIZE, &pf->cq_dma, GFP_KERNEL);
	pf->buf = dma_alloc_coherent(dev, PAGE_SIZE, &pf->buf_dma, GFP_KERNEL);
	if (!pf->sq || !pf->cq || !pf->buf) {
		ret = -ENOMEM;
		goto err_free;
	}

	ret = nvmepf_disable(pf);
	if (ret)
		goto err_free;
	pf->sq_tail = 0;
	pf->cq_head = 0;
	pf->phase = 1;
	writel((NVMEPF_QDEPTH - 1) << 16 | (NVMEPF_QDEPTH - 1),
	       pf->bar + NVME_REG_AQA);
	lo_hi_writeq(pf->sq_dma, pf->bar + NVME_REG_ASQ);
	lo_hi_writeq(pf->cq_dma, pf->bar + NVME_REG_ACQ);
	/* We poll: no interrupt may reach a line someone else handles. */
	pci_intx(pf->pdev, 0);
	writel(~0u, pf->bar + NVME_REG_INTMS);
	writel(NVME_CC_CSS_NVM | NVME_CC_IOSQES | NVME_CC_IOCQES |
	       NVME_CC_ENABLE, pf->bar + NVME_REG_CC);
	ret = nvmepf_wait_ready(pf, true);
	if (ret) {
		pci_err(pf->pdev, "controller not ready: %d (CSTS 0x%x)\n",
			ret, readl(pf->bar + NVME_REG_CSTS));
		nvmepf_disable(pf);
		goto err_free;
	}
	return 0;

err_free:
	nvmepf_admin_exit(pf);
	return ret;
}

/* Stop the controller's DMA, then free its queues. */
void nvmepf_admin_exit(struct nvmepf *pf)
{
	struct device *dev = &pf->pdev->dev;

	if (pf->sq && pf->cq && nvmepf_disable(pf))
		pci_warn(pf->pdev, "controller did not stop\n");
	if (pf->buf)
		dma_free_coherent(dev, PAGE_SIZE, pf->buf, pf->buf_dma);
	if (pf->cq)
		dma_free_coherent(dev, PAGE_SIZE, pf->cq, pf->cq_dma);
	if (pf->sq)
		dma_free_coherent(dev, PAGE_SIZE, pf->sq, pf->sq_dma);
	pf->buf = NULL;
	pf->cq = NULL;
	pf->sq = NULL;
}

/*
 * Submit @cmd and poll for its completion; 0 with the result dword, -EIO
 * on an error status.  A command that never completes may still be in
 * the controller's hands: the queue is dead from then on (-ENODEV).
 */
int nvmepf_admin_cmd(struct nvmepf *pf, struct nvmepf_sqe *cmd, u32 *result)
{
	unsigned long end = jiffies + msecs_to_jiffies(NVMEPF_CMD_TIMEOUT_MS);
	struct nvmepf_cqe *cqe;
	u16 cid, status;

	lockdep_assert_held(&pf->lock);
	if (pf->dead)
		return -ENODEV;

	cid = pf->cid++;
	cmd->cdw0 = cpu_to_le32((le32_to_cpu(cmd->cdw0) & 0xffff) |
				(u32)cid << 16);
	pf->sq[pf->sq_tail] = *cmd;
	pf->sq_tail = (pf->sq_tail + 1) % NVMEPF_QDEPTH;
	writel(pf->sq_tail, pf->bar + NVME_REG_DBS);	/* orders the entry */

	cqe = &pf->cq[pf->cq_head];
	while ((le16_to_cpu(READ_ONCE(cqe->status)) & 1) != pf->phase) {
		if (time_after(jiffies, end)) {
			pci_err(pf->pdev, "admin command 0x%02x timed out\n",
				le32_to_cpu(cmd->cdw0) & 0xff);
			pf->dead = true;
			return -ENODEV;
		}
		usleep_range(20, 100);
	}
	dma_rmb();
	status = le16_to_cpu(cqe->status) >> 1;
	if (result)
		*result = le32_to_cpu(cqe->result);
	if (le16_to_cpu(cqe->cid) != cid) {
		pci_err(pf->pdev, "completion for command %u, want %u\n",
			le16_to_cpu(cqe->cid), cid);
		pf->dead = true;
		return -ENODEV;
	}
	if (++pf->cq_head == NVMEPF_QDEPTH) {
		pf->cq_head = 0;
		pf->phase ^= 1;
	}
	writel(pf->cq_head, pf->bar + NVME_REG_DBS + pf->dstrd);
	if (status) {
		pci_info(pf->pdev, "admin command 0x%02x cdw10 0x%x: status 0x%x\n",
			 le32_to_cpu(cmd->cdw0) & 0xff,
			 le32_to_cpu(cmd->cdw10[0]), status);
		return -EIO;
	}
	return 0;
}
