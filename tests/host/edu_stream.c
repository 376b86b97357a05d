// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit test of include/vfpci_edu_stream.h: the layout, the CRC and
 * every refusal of the stream validator the vfpci_edu driver runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vfpci_edu_stream.h>

static int failed;

static void check(int cond, const char *name)
{
	printf("%sok %s\n", cond ? "" : "not ", name);
	if (!cond)
		failed = 1;
}

static const struct vfpci_edu_ident id = {
	.vendor = 0x1234, .device = 0x11e8,
	.subsystem_vendor = 0x1af4, .subsystem_device = 0x1100,
	.revision = 0x10,
};

/* A well-formed stream like the driver writes. */
static void make_stream(unsigned char *buf)
{
	struct vfpci_edu_stream_hdr *hdr = (void *)buf;
	struct vfpci_edu_stream_state *st = (void *)(hdr + 1);
	unsigned int i;

	memset(buf, 0, VFPCI_EDU_STREAM_LEN);
	hdr->magic = htole32(VFPCI_EDU_STREAM_MAGIC);
	hdr->version = htole16(VFPCI_EDU_STREAM_VERSION);
	hdr->hdr_len = htole16(sizeof(*hdr));
	hdr->total_len = htole32(VFPCI_EDU_STREAM_LEN);
	hdr->vendor = htole16(id.vendor);
	hdr->device = htole16(id.device);
	hdr->subsystem_vendor = htole16(id.subsystem_vendor);
	hdr->subsystem_device = htole16(id.subsystem_device);
	hdr->revision = id.revision;
	st->flags = htole32(VFPCI_EDU_STATE_FACT_VALID);
	st->liveness = htole32(0x12345678);
	st->fact_n = htole32(5);
	st->fact_result = htole32(120);
	st->status = htole32(VFPCI_EDU_STATUS_IRQFACT);
	for (i = 0; i < VFPCI_EDU_DMA_BUF_SIZE; i++)
		st->dma_buf[i] = i * 7;
	hdr->payload_crc = htole32(vfpci_edu_crc32(st, sizeof(*st)));
}

static void recrc(unsigned char *buf)
{
	struct vfpci_edu_stream_hdr *hdr = (void *)buf;

	hdr->payload_crc = htole32(vfpci_edu_crc32(hdr + 1,
				   sizeof(struct vfpci_edu_stream_state)));
}

int main(void)
{
	size_t len = VFPCI_EDU_STREAM_LEN;
	unsigned char *buf = calloc(1, len + 16);
	struct vfpci_edu_stream_hdr *hdr = (void *)buf;
	struct vfpci_edu_stream_state *st = (void *)(hdr + 1);
	struct vfpci_edu_ident other = id;

	if (!buf)
		return 1;
	check(sizeof(*hdr) == 32, "header is 32 bytes");
	check(sizeof(*st) == 56 + VFPCI_EDU_DMA_BUF_SIZE, "state is 4152 bytes");
	check(offsetof(struct vfpci_edu_stream_state, dma_src) == 24,
	      "dma registers at 24");
	check(vfpci_edu_crc32("123456789", 9) == 0xcbf43926, "crc32 check value");

	make_stream(buf);
	check(vfpci_edu_stream_validate(buf, len, &id) == 0, "valid stream");
	check(vfpci_edu_stream_validate(buf, 0, &id) == -ENODATA, "empty");
	check(vfpci_edu_stream_validate(buf, 31, &id) == -ENODATA,
	      "truncated header");
	check(vfpci_edu_stream_validate(buf, len - 1, &id) == -ENODATA,
	      "truncated payload");
	check(vfpci_edu_stream_validate(buf, len + 1, &id) == -E2BIG,
	      "too long");

	st->dma_buf[100] ^= 1;
	check(vfpci_edu_stream_validate(buf, len, &id) == -EBADMSG,
	      "corrupted payload");
	make_stream(buf);
	hdr->payload_crc ^= htole32(1);
	check(vfpci_edu_stream_validate(buf, len, &id) == -EBADMSG,
	      "corrupted crc");

	make_stream(buf);
	hdr->magic = htole32(0x12345678);
	check(vfpci_edu_stream_validate(buf, len, &id) == -EINVAL, "bad magic");
	make_stream(buf);
	hdr->version = htole16(VFPCI_EDU_STREAM_VERSION_PRECOPY + 1);
	check(vfpci_edu_stream_validate(buf, len, &id) == -EPROTONOSUPPORT,
	      "wrong version");
	make_stream(buf);
	hdr->total_len = htole32(len + 1);
	check(vfpci_edu_stream_validate(buf, len + 1, &id) == -EINVAL,
	      "total_len not the v1 size");
	make_stream(buf);
	hdr->hdr_len = htole16(16);
	check(vfpci_edu_stream_validate(buf, len, &id) == -EINVAL, "bad hdr_len");
	make_stream(buf);
	hdr->reserved[3] = 1;
	check(vfpci_edu_stream_validate(buf, len, &id) == -EINVAL,
	      "reserved not zero");

	make_stream(buf);
	other.device = 0x11e9;
	check(vfpci_edu_stream_validate(buf, len, &other) == -ENODEV,
	      "wrong device");
	other = id;
	other.revision = 0x11;
	check(vfpci_edu_stream_validate(buf, len, &other) == -ENODEV,
	      "wrong revision");
	other = id;
	other.subsystem_device = 0;
	check(vfpci_edu_stream_validate(buf, len, &other) == -ENODEV,
	      "wrong subsystem");

	make_stream(buf);
	st->flags = htole32(0x10);
	recrc(buf);
	check(vfpci_edu_stream_validate(buf, len, &id) == -EINVAL,
	      "unknown state flag");
	make_stream(buf);
	st->status = htole32(VFPCI_EDU_STATUS_BUSY);
	recrc(buf);
	check(vfpci_edu_stream_validate(buf, len, &id) == -EINVAL,
	      "busy status in a stream");
	make_stream(buf);
	st->dma_cmd = htole64(0x100);
	recrc(buf);
	check(vfpci_edu_stream_validate(buf, len, &id) == -EINVAL,
	      "unknown dma cmd bit");
	make_stream(buf);
	st->flags = 0;
	recrc(buf);
	check(vfpci_edu_stream_validate(buf, len, &id) == -EINVAL,
	      "fact_n without FACT_VALID");

	free(buf);
	return failed;
}
