/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfpci_edu: the migration data stream of an edu device, and the edu
 * registers as the vfpci_edu driver presents them.
 *
 * Shared by the kernel driver (kernel/variants/edu) and user space (the
 * migration client and the tests): fixed-width little-endian fields only,
 * no padding, and a validator both sides run.  See docs/edu-migration.md.
 *
 * A version 1 stream is exactly one header followed by one state record:
 *
 *   offset 0   struct vfpci_edu_stream_hdr    (32 bytes)
 *   offset 32  struct vfpci_edu_stream_state  (4152 bytes)
 *
 * hdr.total_len counts both; hdr.payload_crc is the CRC-32 (IEEE 802.3,
 * the one zlib's crc32() computes) of the bytes after the header.
 *
 * A version 2 stream (made in PRE_COPY, Linux 6.2+; any kernel loads it)
 * is the header with total_len and payload_crc zero, then records: a
 * struct vfpci_edu_rec and its payload, each with its own CRC.
 *
 *   BUF   __le32 offset, then bytes of the DMA buffer at that offset; the
 *         buffer goes while the device runs, and again what changed since
 *   REGS  struct vfpci_edu_stream_state up to dma_buf (the registers),
 *         made in STOP_COPY; always the last record
 *
 * Every byte of the buffer must have come in a BUF record before REGS;
 * the target then holds the same state a version 1 stream carries.
 */
#ifndef VFPCI_EDU_STREAM_H
#define VFPCI_EDU_STREAM_H

#include <linux/types.h>

#ifdef __KERNEL__
#include <linux/crc32.h>
#include <linux/errno.h>
#include <linux/stddef.h>
#include <asm/byteorder.h>
#define vfpci_edu_le16(x)	le16_to_cpu(x)
#define vfpci_edu_le32(x)	le32_to_cpu(x)
#define vfpci_edu_le64(x)	le64_to_cpu(x)
#else
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#define vfpci_edu_le16(x)	le16toh(x)
#define vfpci_edu_le32(x)	le32toh(x)
#define vfpci_edu_le64(x)	le64toh(x)
#endif

/* edu BAR0 registers (QEMU docs/specs/edu.rst). */
#define VFPCI_EDU_REG_ID		0x00
#define VFPCI_EDU_REG_LIVENESS		0x04	/* reads back ~written */
#define VFPCI_EDU_REG_FACT		0x08
#define VFPCI_EDU_REG_STATUS		0x20
#define  VFPCI_EDU_STATUS_BUSY		0x01	/* factorial computing */
#define  VFPCI_EDU_STATUS_IRQFACT	0x80	/* irq when it is done */
#define VFPCI_EDU_REG_IRQ_STATUS	0x24
#define VFPCI_EDU_REG_IRQ_RAISE		0x60
#define VFPCI_EDU_REG_IRQ_ACK		0x64
#define VFPCI_EDU_REG_DMA_SRC		0x80
#define VFPCI_EDU_REG_DMA_DST		0x88
#define VFPCI_EDU_REG_DMA_CNT		0x90
#define VFPCI_EDU_REG_DMA_CMD		0x98
#define  VFPCI_EDU_DMA_START		0x01	/* set: transfer pending */
#define  VFPCI_EDU_DMA_TO_RAM		0x02	/* buffer -> IOVA, else IOVA -> buffer */
#define  VFPCI_EDU_DMA_IRQ		0x04	/* raise irq 0x100 when done */
/* vfpci_edu only: the last request was refused, nothing was moved. */
#define  VFPCI_EDU_DMA_ERROR		0x80000000u
#define  VFPCI_EDU_DMA_CMD_MASK		(VFPCI_EDU_DMA_START | \
					 VFPCI_EDU_DMA_TO_RAM | \
					 VFPCI_EDU_DMA_IRQ | VFPCI_EDU_DMA_ERROR)
#define VFPCI_EDU_IRQ_FACT		0x001
#define VFPCI_EDU_IRQ_DMA		0x100
#define VFPCI_EDU_DMA_BUF_ADDR		0x40000	/* device-side buffer window */
#define VFPCI_EDU_DMA_BUF_SIZE		4096
#define VFPCI_EDU_DMA_MASK		((1ULL << 28) - 1)	/* IOVA bits */

#ifdef __KERNEL__
#include <linux/overflow.h>

/*
 * May a transfer of @cnt bytes between buffer window address @win and
 * @iova run?  The window must hold it (QEMU's edu aborts the whole VM on
 * one that does not) and the IOVA side must fit the 28-bit DMA mask.
 */
static inline bool vfpci_edu_dma_valid(u64 win, u64 iova, u64 cnt)
{
	u64 end;

	if (cnt > VFPCI_EDU_DMA_BUF_SIZE || win < VFPCI_EDU_DMA_BUF_ADDR ||
	    check_add_overflow(win, cnt, &end) ||
	    end > VFPCI_EDU_DMA_BUF_ADDR + VFPCI_EDU_DMA_BUF_SIZE)
		return false;
	if (!cnt)
		return true;
	return !check_add_overflow(iova, cnt - 1, &end) &&
	       end <= VFPCI_EDU_DMA_MASK;
}
#endif

#define VFPCI_EDU_STREAM_MAGIC		0x55444556u	/* "VEDU" on the wire */
#define VFPCI_EDU_STREAM_VERSION	1
#define VFPCI_EDU_STREAM_VERSION_PRECOPY 2

struct vfpci_edu_stream_hdr {
	__le32 magic;			/* VFPCI_EDU_STREAM_MAGIC */
	__le16 version;			/* VFPCI_EDU_STREAM_VERSION */
	__le16 hdr_len;			/* sizeof(struct vfpci_edu_stream_hdr) */
	__le32 total_len;		/* header + payload, in bytes */
	__le32 payload_crc;		/* CRC-32 of the payload */
	__le16 vendor;			/* identity of the source function */
	__le16 device;
	__le16 subsystem_vendor;
	__le16 subsystem_device;
	__u8 revision;
	__u8 reserved[7];		/* zero */
};

/* state.flags */
#define VFPCI_EDU_STATE_FACT_VALID	0x1	/* fact_n was written by the user */
#define VFPCI_EDU_STATE_FLAGS		VFPCI_EDU_STATE_FACT_VALID

struct vfpci_edu_stream_state {
	__le32 flags;			/* VFPCI_EDU_STATE_* */
	__le32 liveness;		/* what 0x04 reads back */
	__le32 fact_n;			/* last input written to 0x08 */
	__le32 fact_result;		/* what 0x08 reads back (n! mod 2^32) */
	__le32 status;			/* 0x20: VFPCI_EDU_STATUS_IRQFACT only */
	__le32 irq_status;		/* 0x24 */
	__le64 dma_src;			/* emulated DMA engine registers */
	__le64 dma_dst;
	__le64 dma_cnt;
	__le64 dma_cmd;			/* START set: queued, runs on RUNNING */
	__u8 dma_buf[VFPCI_EDU_DMA_BUF_SIZE];	/* the device-side buffer */
};

#define VFPCI_EDU_STREAM_LEN \
	(sizeof(struct vfpci_edu_stream_hdr) + \
	 sizeof(struct vfpci_edu_stream_state))

/* Version 2 records. */
#define VFPCI_EDU_REC_MAGIC		0x52444556u	/* "VEDR" on the wire */
#define VFPCI_EDU_REC_BUF		1
#define VFPCI_EDU_REC_REGS		2

struct vfpci_edu_rec {
	__le32 magic;			/* VFPCI_EDU_REC_MAGIC */
	__le16 type;			/* VFPCI_EDU_REC_* */
	__le16 reserved;		/* zero */
	__le32 len;			/* payload bytes after this header */
	__le32 crc;			/* CRC-32 of the payload */
};

/* The registers: everything in the state before the buffer. */
#define VFPCI_EDU_REGS_LEN \
	offsetof(struct vfpci_edu_stream_state, dma_buf)
#define VFPCI_EDU_REC_BUF_MAX		(4 + VFPCI_EDU_DMA_BUF_SIZE)
#define VFPCI_EDU_REC_MAX \
	(sizeof(struct vfpci_edu_rec) + VFPCI_EDU_REC_BUF_MAX)

/* Who a stream may come from / go to: all fields must match. */
struct vfpci_edu_ident {
	__u16 vendor;
	__u16 device;
	__u16 subsystem_vendor;
	__u16 subsystem_device;
	__u8 revision;
};

/* CRC-32 as zlib computes it: reflected 0xedb88320, ~0 in, ~0 out. */
static inline __u32 vfpci_edu_crc32(const void *buf, size_t len)
{
#ifdef __KERNEL__
	return ~crc32_le(~0U, buf, len);
#else
	const unsigned char *p = buf;
	__u32 crc = ~0U;
	int bit;

	while (len--) {
		crc ^= *p++;
		for (bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xedb88320U & -(crc & 1));
	}
	return ~crc;
#endif
}

/*
 * Check a complete header against the layout and @id.  Errors: -EINVAL
 * (not a vfpci_edu stream, or an inconsistent header), -EPROTONOSUPPORT
 * (another version), -ENODEV (saved from a different device).
 */
static inline int
vfpci_edu_stream_check_hdr(const struct vfpci_edu_stream_hdr *hdr,
			   const struct vfpci_edu_ident *id)
{
	unsigned int i;

	__u16 version = vfpci_edu_le16(hdr->version);

	if (vfpci_edu_le32(hdr->magic) != VFPCI_EDU_STREAM_MAGIC)
		return -EINVAL;
	if (version != VFPCI_EDU_STREAM_VERSION &&
	    version != VFPCI_EDU_STREAM_VERSION_PRECOPY)
		return -EPROTONOSUPPORT;
	if (vfpci_edu_le16(hdr->hdr_len) != sizeof(*hdr))
		return -EINVAL;
	if (version == VFPCI_EDU_STREAM_VERSION &&
	    vfpci_edu_le32(hdr->total_len) != VFPCI_EDU_STREAM_LEN)
		return -EINVAL;
	if (version == VFPCI_EDU_STREAM_VERSION_PRECOPY &&
	    (hdr->total_len || hdr->payload_crc))
		return -EINVAL;
	for (i = 0; i < sizeof(hdr->reserved); i++)
		if (hdr->reserved[i])
			return -EINVAL;
	if (vfpci_edu_le16(hdr->vendor) != id->vendor ||
	    vfpci_edu_le16(hdr->device) != id->device ||
	    vfpci_edu_le16(hdr->subsystem_vendor) != id->subsystem_vendor ||
	    vfpci_edu_le16(hdr->subsystem_device) != id->subsystem_device ||
	    hdr->revision != id->revision)
		return -ENODEV;
	return 0;
}

/* Fields that no source driver writes: the stream was not made by one. */
static inline int
vfpci_edu_stream_check_state(const struct vfpci_edu_stream_state *st)
{
	__u32 flags = vfpci_edu_le32(st->flags);

	if (flags & ~VFPCI_EDU_STATE_FLAGS)
		return -EINVAL;
	if (!(flags & VFPCI_EDU_STATE_FACT_VALID) && st->fact_n)
		return -EINVAL;
	if (vfpci_edu_le32(st->status) & ~VFPCI_EDU_STATUS_IRQFACT)
		return -EINVAL;
	if (vfpci_edu_le64(st->dma_cmd) & ~(__u64)VFPCI_EDU_DMA_CMD_MASK)
		return -EINVAL;
	return 0;
}

/*
 * Validate @len bytes at @buf as one whole version 1 stream for @id.
 * Besides the header's errors: -ENODATA when truncated, -E2BIG when
 * longer than the header says, -EBADMSG when the payload does not match
 * its CRC.  The DMA registers of a queued request are checked again when
 * it runs.  (A receiver turns a version 2 stream into version 1 first.)
 */
static inline int vfpci_edu_stream_validate(const void *buf, size_t len,
					    const struct vfpci_edu_ident *id)
{
	const struct vfpci_edu_stream_hdr *hdr = buf;
	const struct vfpci_edu_stream_state *st;
	int ret;

	if (len < sizeof(*hdr))
		return -ENODATA;
	ret = vfpci_edu_stream_check_hdr(hdr, id);
	if (ret)
		return ret;
	if (vfpci_edu_le16(hdr->version) != VFPCI_EDU_STREAM_VERSION)
		return -EPROTONOSUPPORT;
	if (len < VFPCI_EDU_STREAM_LEN)
		return -ENODATA;
	if (len > VFPCI_EDU_STREAM_LEN)
		return -E2BIG;
	st = (const void *)(hdr + 1);
	if (vfpci_edu_crc32(st, sizeof(*st)) !=
	    vfpci_edu_le32(hdr->payload_crc))
		return -EBADMSG;
	return vfpci_edu_stream_check_state(st);
}

/*
 * Check a complete version 2 record header: -EINVAL unless magic,
 * reserved, type and a payload length that type allows are right.
 */
static inline int vfpci_edu_rec_check(const struct vfpci_edu_rec *rec)
{
	__u32 len = vfpci_edu_le32(rec->len);

	if (vfpci_edu_le32(rec->magic) != VFPCI_EDU_REC_MAGIC || rec->reserved)
		return -EINVAL;
	switch (vfpci_edu_le16(rec->type)) {
	case VFPCI_EDU_REC_BUF:
		return len > 4 && len <= VFPCI_EDU_REC_BUF_MAX ? 0 : -EINVAL;
	case VFPCI_EDU_REC_REGS:
		return len == VFPCI_EDU_REGS_LEN ? 0 : -EINVAL;
	}
	return -EINVAL;
}

/* A BUF record's payload must stay inside the buffer. */
static inline int vfpci_edu_rec_check_buf(const void *payload, __u32 len)
{
	__u32 off = vfpci_edu_le32(*(const __le32 *)payload);

	return off <= VFPCI_EDU_DMA_BUF_SIZE &&
	       len - 4 <= VFPCI_EDU_DMA_BUF_SIZE - off ? 0 : -EINVAL;
}

#endif /* VFPCI_EDU_STREAM_H */
