// SPDX-License-Identifier: GPL-2.0-only
/*
 * Config space virtualization: the access engine behind the config region,
 * the standard header (virtual BARs, COMMAND, INTx pin) and the per-device
 * shadow built at open.  Capability details live in config_caps.c.
 */
#include <linux/bitmap.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "compat.h"

#include "config.h"

u32 vfpci_cfg_get(const u8 *p, int len)
{
	if (len == 1)
		return *p;
	if (len == 2)
		return get_unaligned_le16(p);
	return get_unaligned_le32(p);
}

void vfpci_cfg_put(u8 *p, int len, u32 val)
{
	if (len == 1)
		*p = val;
	else if (len == 2)
		put_unaligned_le16(val, p);
	else
		put_unaligned_le32(val, p);
}

int vfpci_cfg_hw_read(struct pci_dev *pdev, int pos, int len, u32 *val)
{
	u16 w;
	u8 b;
	int ret;

	if (len == 4)
		return pci_user_read_config_dword(pdev, pos, val);

	if (len == 2) {
		ret = pci_user_read_config_word(pdev, pos, &w);
		*val = w;
	} else {
		ret = pci_user_read_config_byte(pdev, pos, &b);
		*val = b;
	}
	return ret;
}

int vfpci_cfg_hw_write(struct pci_dev *pdev, int pos, int len, u32 val)
{
	if (len == 4)
		return pci_user_write_config_dword(pdev, pos, val);
	if (len == 2)
		return pci_user_write_config_word(pdev, pos, val);
	return pci_user_write_config_byte(pdev, pos, val);
}

/* @len bytes of a mask table at @off; bytes past its @size are 0. */
u32 vfpci_core_cfg_mask(const u8 *mask, unsigned int size, int off, int len)
{
	if (!mask || off + len > size)
		return 0;
	return vfpci_cfg_get(mask + off, len);
}
EXPORT_SYMBOL_GPL(vfpci_core_cfg_mask);

/* Store the bits of @val under @mask into @len bytes at @p. */
void vfpci_core_cfg_store(u8 *p, int len, u32 val, u32 mask)
{
	u32 cur = vfpci_cfg_get(p, len);

	vfpci_cfg_put(p, len, (cur & ~mask) | (val & mask));
}
EXPORT_SYMBOL_GPL(vfpci_core_cfg_store);

/* The masks of @acc's bytes; bytes past the table are plain hardware. */
static u32 perm_mask(const u8 *mask, const struct vfpci_cfg_access *acc)
{
	return vfpci_core_cfg_mask(mask, acc->perm->size, acc->off, acc->len);
}

static u32 width_mask(int len)
{
	return len == 4 ? ~0U : (1U << (len * 8)) - 1;
}

/* Virtualized bits from vconfig, the others from the device. */
int vfpci_cfg_default_read(struct vfpci_core_device *vdev,
			   const struct vfpci_cfg_access *acc, u32 *val)
{
	u32 virt = perm_mask(acc->perm->virt, acc);
	u32 shadow = vfpci_cfg_get(vdev->vconfig + acc->pos, acc->len);
	u32 hw;
	int ret;

	if (virt == width_mask(acc->len)) {
		*val = shadow;
		return 0;
	}

	ret = vfpci_cfg_hw_read(vdev->pdev, acc->pos, acc->len, &hw);
	if (ret)
		return ret;

	*val = (hw & ~virt) | (shadow & virt);
	return 0;
}

/* Writable virtualized bits go to vconfig, other writable bits to hw. */
int vfpci_cfg_default_write(struct vfpci_core_device *vdev,
			    const struct vfpci_cfg_access *acc, u32 val)
{
	u32 wmask = perm_mask(acc->perm->wmask, acc);
	u32 virt = perm_mask(acc->perm->virt, acc);
	u32 to_shadow = wmask & virt;
	u32 to_hw = wmask & ~virt;
	u8 *shadow = vdev->vconfig + acc->pos;
	u32 cur;
	int ret;

	if (to_shadow)
		vfpci_core_cfg_store(shadow, acc->len, val, to_shadow);

	if (!to_hw)
		return 0;

	ret = vfpci_cfg_hw_read(vdev->pdev, acc->pos, acc->len, &cur);
	if (ret)
		return ret;

	return vfpci_cfg_hw_write(vdev->pdev, acc->pos, acc->len,
				  (cur & ~to_hw) | (val & to_hw));
}

/*
 * Read-only pass-through, except the capability header bytes that chain
 * the list: those come from vconfig so hidden capabilities stay hidden.
 */
int vfpci_cfg_direct_read(struct vfpci_core_device *vdev,
			  const struct vfpci_cfg_access *acc, u32 *val)
{
	const u8 *shadow = vdev->vconfig + acc->pos;
	int ret;

	ret = vfpci_cfg_hw_read(vdev->pdev, acc->pos, acc->len, val);
	if (ret)
		return ret;

	if (acc->pos >= PCI_CFG_SPACE_SIZE) {
		/* Whole extended header dword: id, version and next. */
		if (acc->off < 4)
			*val = vfpci_cfg_get(shadow, acc->len);
	} else if (acc->pos >= PCI_STD_HEADER_SIZEOF) {
		/* Standard header: id (only with next) and next. */
		if (acc->off == PCI_CAP_LIST_ID && acc->len > 1)
			*val = (*val & ~0xffffU) | vfpci_cfg_get(shadow, 2);
		else if (acc->off == PCI_CAP_LIST_NEXT)
			*val = (*val & ~0xffU) | *shadow;
	}
	return 0;
}

int vfpci_cfg_raw_write(struct vfpci_core_device *vdev,
			const struct vfpci_cfg_access *acc, u32 val)
{
	return vfpci_cfg_hw_write(vdev->pdev, acc->pos, acc->len, val);
}

static int raw_read(struct vfpci_core_device *vdev,
		    const struct vfpci_cfg_access *acc, u32 *val)
{
	return vfpci_cfg_hw_read(vdev->pdev, acc->pos, acc->len, val);
}

static int virt_read(struct vfpci_core_device *vdev,
		     const struct vfpci_cfg_access *acc, u32 *val)
{
	*val = vfpci_cfg_get(vdev->vconfig + acc->pos, acc->len);
	return 0;
}

static int virt_write(struct vfpci_core_device *vdev,
		      const struct vfpci_cfg_access *acc, u32 val)
{
	vfpci_cfg_put(vdev->vconfig + acc->pos, acc->len, val);
	return 0;
}

/*
 * Bytes in no capability stay raw: some devices keep registers in the gaps
 * and, as for BARs, we rely on the IOMMU for isolation.
 */
static const struct vfpci_perm_bits free_perm = {
	.read = raw_read,
	.write = vfpci_cfg_raw_write,
};

static const struct vfpci_perm_bits virt_perm = {
	.read = virt_read,
	.write = virt_write,
};

static const struct vfpci_perm_bits hidden_ecap_perm = {
	.read = vfpci_cfg_direct_read,
};

/* ---- standard header ---- */

static bool is_bar_offset(int off)
{
	return (off >= PCI_BASE_ADDRESS_0 && off < PCI_BASE_ADDRESS_5 + 4) ||
	       (off >= PCI_ROM_ADDRESS && off < PCI_ROM_ADDRESS + 4);
}

static u16 vcmd(struct vfpci_core_device *vdev)
{
	return get_unaligned_le16(vdev->vconfig + PCI_COMMAND);
}

bool vfpci_core_memory_enabled(struct vfpci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;

	if (!vdev->vconfig)
		return false;

	/* No decode in D3; VFs decode per the PF's SR-IOV MSE bit instead. */
	return pdev->current_state < PCI_D3hot &&
	       (pdev->no_command_memory || (vcmd(vdev) & PCI_COMMAND_MEMORY));
}
EXPORT_SYMBOL_GPL(vfpci_core_memory_enabled);

/* Type bits a BAR reports, or 0 when the host did not map it. */
static u32 bar_type_bits(struct pci_dev *pdev, int bar)
{
	unsigned long flags = pci_resource_flags(pdev, bar);
	u32 bits = PCI_BASE_ADDRESS_SPACE_MEMORY;

	if (!pci_resource_start(pdev, bar))
		return 0;
	if (flags & IORESOURCE_IO)
		return PCI_BASE_ADDRESS_SPACE_IO;
	if (flags & IORESOURCE_PREFETCH)
		bits |= PCI_BASE_ADDRESS_MEM_PREFETCH;
	if (flags & IORESOURCE_MEM_64)
		bits |= PCI_BASE_ADDRESS_MEM_TYPE_64;
	return bits;
}

/*
 * Size masks of the virtual BARs: address bits the user can set.  Upper
 * halves of 64-bit BARs get the high half of the mask; BARs the host did
 * not map read as unimplemented (0).
 */
static void bar_masks_init(struct vfpci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	u32 *mask = vdev->bar_size_mask;
	int i;

	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		u64 m;

		mask[i] = 0;
		if (!pci_resource_start(pdev, i))
			continue;

		m = ~(u64)(pci_resource_len(pdev, i) - 1);
		mask[i] = lower_32_bits(m);
		if ((pci_resource_flags(pdev, i) & IORESOURCE_MEM_64) &&
		    i + 1 < PCI_STD_NUM_BARS)
			mask[++i] = upper_32_bits(m);
	}

	/* A ROM we only have as a shadow copy is sized as 128K. */
	if (pci_resource_start(pdev, PCI_ROM_RESOURCE))
		mask[PCI_STD_NUM_BARS] =
			~(u32)(pci_resource_len(pdev, PCI_ROM_RESOURCE) - 1);
	else if (pdev->resource[PCI_ROM_RESOURCE].flags & IORESOURCE_ROM_SHADOW)
		mask[PCI_STD_NUM_BARS] = ~(u32)(SZ_128K - 1);
	else
		mask[PCI_STD_NUM_BARS] = 0;
	if (mask[PCI_STD_NUM_BARS])
		mask[PCI_STD_NUM_BARS] |= PCI_ROM_ADDRESS_ENABLE;
}

/* Make the virtual BARs read back like hardware after the user's writes. */
static void bar_fixup(struct vfpci_core_device *vdev)
{
	u8 *bar = vdev->vconfig + PCI_BASE_ADDRESS_0;
	int i;

	if (!vdev->bar_dirty)
		return;

	for (i = 0; i < PCI_STD_NUM_BARS; i++, bar += 4)
		put_unaligned_le32((get_unaligned_le32(bar) &
				    vdev->bar_size_mask[i]) |
				   bar_type_bits(vdev->pdev, i), bar);

	bar = vdev->vconfig + PCI_ROM_ADDRESS;
	put_unaligned_le32(get_unaligned_le32(bar) &
			   vdev->bar_size_mask[PCI_STD_NUM_BARS], bar);

	vdev->bar_dirty = false;
}

void vfpci_config_restore_bars(struct vfpci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	u16 cmd;
	int i;

	/* VF BARs are set through the PF's SR-IOV capability. */
	if (pdev->is_virtfn)
		return;

	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		pci_user_write_config_dword(pdev, PCI_BASE_ADDRESS_0 + 4 * i,
					    vdev->rbar[i]);
	pci_user_write_config_dword(pdev, PCI_ROM_ADDRESS,
				    vdev->rbar[PCI_STD_NUM_BARS]);

	/* A reset re-enables broken INTx: keep it off. */
	if (vdev->nointx && !pci_user_read_config_word(pdev, PCI_COMMAND, &cmd))
		pci_user_write_config_word(pdev, PCI_COMMAND,
					   cmd | PCI_COMMAND_INTX_DISABLE);
}

/* Did something (FLR, backdoor reset) clear the BARs behind our back? */
static bool bars_lost(struct vfpci_core_device *vdev)
{
	u32 hw;
	int i;

	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		if (!vdev->rbar[i])
			continue;
		if (pci_user_read_config_dword(vdev->pdev,
					       PCI_BASE_ADDRESS_0 + 4 * i, &hw) ||
		    hw != vdev->rbar[i])
			return true;
	}
	return false;
}

int vfpci_cfg_header_read(struct vfpci_core_device *vdev,
			  const struct vfpci_cfg_access *acc, u32 *val)
{
	int ret;

	if (is_bar_offset(acc->off))
		bar_fixup(vdev);

	ret = vfpci_cfg_default_read(vdev, acc, val);
	if (ret)
		return ret;

	/* Devices without a memory enable bit show the user's bit. */
	if (acc->off == PCI_COMMAND && vdev->pdev->no_command_memory)
		*val |= vcmd(vdev) & PCI_COMMAND_MEMORY;
	return 0;
}

/*
 * Take memory_lock for a COMMAND write (zapping BAR mappings first when
 * the write leaves memory decode off) and put the BARs back if the device
 * was reset behind our back while the user thinks decode is on.
 */
static int command_write_begin(struct vfpci_core_device *vdev, u16 new_cmd)
{
	struct pci_dev *pdev = vdev->pdev;
	u16 hw_cmd, old = vcmd(vdev);
	bool lost_mem, lost_io;
	int ret;

	ret = pci_user_read_config_word(pdev, PCI_COMMAND, &hw_cmd);
	if (ret)
		return ret;

	if (new_cmd & PCI_COMMAND_MEMORY)
		down_write(&vdev->memory_lock);
	else
		vfpci_zap_and_down_write_memory_lock(vdev);

	lost_mem = (new_cmd & old & ~hw_cmd & PCI_COMMAND_MEMORY) &&
		   !pdev->no_command_memory;
	lost_io = new_cmd & old & ~hw_cmd & PCI_COMMAND_IO;
	if (lost_mem || lost_io || bars_lost(vdev)) {
		pci_info(pdev, "reset recovery: restoring BARs\n");
		vfpci_config_restore_bars(vdev);
	}
	return 0;
}

/* The virtual INTx disable bit gates INTx delivery to the user. */
static void intx_disable_update(struct vfpci_core_device *vdev)
{
	bool disable = vcmd(vdev) & PCI_COMMAND_INTX_DISABLE;

	if (disable == vdev->virq_disabled)
		return;

	vdev->virq_disabled = disable;
	if (disable)
		vfpci_intx_mask(vdev);
	else
		vfpci_intx_unmask(vdev);
}

int vfpci_cfg_header_write(struct vfpci_core_device *vdev,
			   const struct vfpci_cfg_access *acc, u32 val)
{
	const u16 decode = PCI_COMMAND_MEMORY | PCI_COMMAND_IO;
	bool is_cmd = acc->off == PCI_COMMAND;
	int ret;

	if (is_cmd) {
		ret = command_write_begin(vdev, val);
		if (ret)
			return ret;
	}

	ret = vfpci_cfg_default_write(vdev, acc, val);

	if (is_cmd) {
		/* Remember the user's decode bits for the checks above. */
		if (!ret)
			put_unaligned_le16((vcmd(vdev) & ~decode) |
					   (val & decode),
					   vdev->vconfig + PCI_COMMAND);
		up_write(&vdev->memory_lock);
	}
	if (ret)
		return ret;

	if (acc->off == PCI_COMMAND || acc->off == PCI_COMMAND + 1)
		intx_disable_update(vdev);

	if (is_bar_offset(acc->off))
		vdev->bar_dirty = true;
	return 0;
}

/* ---- the access engine ---- */

int vfpci_cfg_area_start(struct vfpci_core_device *vdev, int pos)
{
	int floor = pos >= PCI_CFG_SPACE_SIZE ? PCI_CFG_SPACE_SIZE :
						 PCI_STD_HEADER_SIZEOF;
	u8 id = vdev->cap_map[pos];

	if (id == VFPCI_MAP_FREE || id == VFPCI_MAP_VIRT)
		return pos;
	if (pos < PCI_STD_HEADER_SIZEOF)
		return 0;

	while (pos > floor && vdev->cap_map[pos - 1] == id)
		pos--;
	return pos;
}

static const struct vfpci_perm_bits *area_perm(struct vfpci_core_device *vdev,
					       int pos)
{
	u8 id = vdev->cap_map[pos];

	if (id == VFPCI_MAP_FREE)
		return &free_perm;
	if (id == VFPCI_MAP_VIRT)
		return &virt_perm;
	if (pos >= PCI_CFG_SPACE_SIZE)
		return id > PCI_EXT_CAP_ID_MAX ? &hidden_ecap_perm :
						 vfpci_cfg_ext_perm(id);
	if (id == PCI_CAP_ID_MSI && vdev->msi_perm)
		return vdev->msi_perm;
	return vfpci_cfg_std_perm(id);
}

/*
 * Size of the next chunk at @pos: naturally aligned, at most a dword, and
 * inside a single area so one handler serves it.
 */
static int chunk_len(struct vfpci_core_device *vdev, int pos, size_t count)
{
	u8 id = vdev->cap_map[pos];
	size_t same = 1;

	while ((pos + same) % 4 && vdev->cap_map[pos + same] == id)
		same++;
	count = min(count, same);

	if (count >= 4 && !(pos % 4))
		return 4;
	if (count >= 2 && !(pos % 2))
		return 2;
	return 1;
}

/* Does [@pos, @end) touch a BAR or the ROM BAR? */
static bool touches_bars(loff_t pos, loff_t end)
{
	return (pos < PCI_BASE_ADDRESS_5 + 4 && end > PCI_BASE_ADDRESS_0) ||
	       (pos < PCI_ROM_ADDRESS + 4 && end > PCI_ROM_ADDRESS);
}

static bool config_range_ok(struct vfpci_core_device *vdev, loff_t pos,
			    size_t count)
{
	int size = vdev->pdev->cfg_size;

	return pos >= 0 && pos < size && count <= size - pos;
}

/* Can [@pos, @pos + @len) be served from vconfig as it stands? */
static bool range_virt(struct vfpci_core_device *vdev, int pos, int len)
{
	unsigned int bit = pos % BITS_PER_LONG;

	/* Most reads lie within one word of the map: a single test. */
	if (bit + len <= BITS_PER_LONG)
		return !(vdev->cfg_live[BIT_WORD(pos)] &
			 GENMASK(bit + len - 1, bit));
	return find_next_bit(vdev->cfg_live, pos + len, pos) >= pos + len;
}

/* One access through its area's handler, into @out. */
static int config_chunk_read(struct vfpci_core_device *vdev, u8 *out,
			     int pos, int len)
{
	struct vfpci_cfg_access acc = {
		.pos = pos,
		.len = len,
		.perm = area_perm(vdev, pos),
		.off = pos - vfpci_cfg_area_start(vdev, pos),
	};
	u32 val = 0;
	int ret;

	if (acc.perm->read) {
		ret = acc.perm->read(vdev, &acc, &val);
		if (ret)
			return ret;
	}
	vfpci_cfg_put(out, len, val);
	return 0;
}

/*
 * Aligned dwords in no capability, read straight from the device (what
 * free_perm's handler would do, without finding it for every dword).
 * Bytes done, 0 if @pos does not start such a dword, or -errno.
 */
static int free_dwords_read(struct vfpci_core_device *vdev, u8 *out, int pos,
			    int len)
{
	const u32 free4 = VFPCI_MAP_FREE * 0x01010101U;
	int done;
	u32 val;

	for (done = 0; len - done >= 4 && !((pos + done) % 4) &&
	     get_unaligned((const u32 *)(vdev->cap_map + pos + done)) == free4;
	     done += 4) {
		int ret = vfpci_cfg_hw_read(vdev->pdev, pos + done, 4, &val);

		if (ret)
			return ret;
		put_unaligned_le32(val, out + done);
	}
	return done;
}

/*
 * Fill @out with [@pos, @pos + @len), chunk by chunk as one access each
 * would be cut: chunks that need the device go to their handler, the
 * others come from vconfig.
 */
static int config_block_read(struct vfpci_core_device *vdev, u8 *out,
			     int pos, int len)
{
	int done, n, ret;

	for (done = 0; done < len; done += n) {
		n = free_dwords_read(vdev, out + done, pos + done, len - done);
		if (n < 0)
			return n;
		if (n)
			continue;
		n = chunk_len(vdev, pos + done, len - done);
		if (range_virt(vdev, pos + done, n)) {
			memcpy(out + done, vdev->vconfig + pos + done, n);
			continue;
		}
		ret = config_chunk_read(vdev, out + done, pos + done, n);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Copy @count bytes of config space to the user.  The usual sizes go as
 * one store each: a copy of a variable size from vconfig would pay
 * hardened usercopy's heap object checks, the largest part of a dword
 * read served from vconfig.
 */
static int config_copy_to_user(char __user *buf, const u8 *src, size_t count)
{
	switch (count) {
	case 1:
		return put_user(*src, (u8 __user *)buf);
	case 2:
		return put_user(get_unaligned((const u16 *)src),
				(u16 __user *)buf);
	case 4:
		return put_user(get_unaligned((const u32 *)src),
				(u32 __user *)buf);
	case 8:
		return put_user(get_unaligned((const u64 *)src),
				(u64 __user *)buf);
	}
	return copy_to_user(buf, src, count) ? -EFAULT : 0;
}

/* Bytes per copy to user space: a 4 KiB read is 16 copies, not 1024. */
#define VFPCI_CFG_READ_BLOCK	256

static ssize_t config_read(struct vfpci_core_device *vdev, char __user *buf,
			   size_t count, loff_t pos)
{
	u8 block[VFPCI_CFG_READ_BLOCK];
	size_t done, n;
	int ret;

	if (!config_range_ok(vdev, pos, count))
		return -EFAULT;
	if (touches_bars(pos, pos + count))
		bar_fixup(vdev);

	for (done = 0; done < count; done += n) {
		n = min_t(size_t, count - done, sizeof(block));
		ret = config_block_read(vdev, block, pos + done, n);
		if (!ret)
			ret = config_copy_to_user(buf + done, block, n);
		if (ret)
			return ret;
	}
	return count;
}

ssize_t vfpci_config_read_virt(struct vfpci_core_device *vdev,
			       char __user *buf, size_t count, loff_t *ppos)
{
	loff_t pos = *ppos & VFPCI_CORE_OFFSET_MASK;

	/*
	 * In the user's low power state the access must wake the device
	 * (and signal its wake eventfd), as every region access does.
	 * Otherwise open holds a runtime PM reference: nothing to resume.
	 */
	if (READ_ONCE(vdev->pm_runtime_engaged) ||
	    !config_range_ok(vdev, pos, count) ||
	    !range_virt(vdev, pos, count))
		return -EAGAIN;

	if (touches_bars(pos, pos + count))
		bar_fixup(vdev);
	if (config_copy_to_user(buf, vdev->vconfig + pos, count))
		return -EFAULT;
	*ppos += count;
	return count;
}

static ssize_t config_chunk_write(struct vfpci_core_device *vdev,
				  const char __user *buf, size_t count,
				  loff_t pos)
{
	const struct vfpci_perm_bits *perm;
	struct vfpci_cfg_access acc;
	u8 bytes[4] = { 0 };
	int ret;

	if (!config_range_ok(vdev, pos, count))
		return -EFAULT;

	acc.pos = pos;
	acc.len = chunk_len(vdev, pos, count);
	perm = area_perm(vdev, pos);
	acc.perm = perm;
	acc.off = pos - vfpci_cfg_area_start(vdev, pos);

	if (!perm->write)
		return acc.len;
	if (copy_from_user(bytes, buf, acc.len))
		return -EFAULT;
	ret = perm->write(vdev, &acc, vfpci_cfg_get(bytes, acc.len));
	return ret ? ret : acc.len;
}

ssize_t vfpci_config_rw(struct vfpci_core_device *vdev, char __user *buf,
			size_t count, loff_t *ppos, bool iswrite)
{
	loff_t pos = *ppos & VFPCI_CORE_OFFSET_MASK;
	size_t done = 0;
	ssize_t ret;

	if (!iswrite) {
		ret = config_read(vdev, buf, count, pos);
		if (ret >= 0)
			*ppos += ret;
		return ret;
	}

	while (done < count) {
		ret = config_chunk_write(vdev, buf + done, count - done,
					 pos + done);
		if (ret < 0)
			return ret;
		done += ret;
	}

	*ppos += done;
	return done;
}

/* ---- which reads need the device ---- */

/*
 * Bytes whose hardware value is fixed while the device is open, so the
 * copy taken at open is exact.  Both are read-only and describe the
 * layout our tables were built for: the header type and a standard
 * capability's id.  So is MSI's upper flags byte (per-vector masking and
 * extended data capable) when its enable and reserved bits read 0 at
 * open: only software sets them, and neither we nor the user may.
 */
static bool byte_known(struct vfpci_core_device *vdev, int pos, u8 id,
		       int off)
{
	if (pos == PCI_HEADER_TYPE)
		return true;
	if (pos < PCI_STD_HEADER_SIZEOF || pos >= PCI_CFG_SPACE_SIZE ||
	    id == VFPCI_MAP_FREE || id == VFPCI_MAP_VIRT)
		return false;
	if (off == PCI_CAP_LIST_ID)
		return true;
	return id == PCI_CAP_ID_MSI && off == PCI_MSI_FLAGS + 1 &&
	       !(vdev->vconfig[pos] & 0xfc);
}

/* Does a read of config byte @pos, @off into its area, need hardware? */
static bool byte_needs_device(struct vfpci_core_device *vdev, int pos,
			      int off)
{
	const struct vfpci_perm_bits *perm = area_perm(vdev, pos);

	if (byte_known(vdev, pos, vdev->cap_map[pos], off))
		return false;
	if (perm->read == virt_read)
		return false;
	/* Pass-through but for the list header (see direct_read). */
	if (perm->read == vfpci_cfg_direct_read)
		return pos >= PCI_CFG_SPACE_SIZE ? off >= 4 :
						   off != PCI_CAP_LIST_NEXT;
	if (perm->read == vfpci_cfg_default_read ||
	    perm->read == vfpci_cfg_header_read)
		return !perm->virt || off >= perm->size ||
		       perm->virt[off] != 0xff;
	return true;
}

/* Build cfg_live once the map and vconfig are complete. */
static void live_map_init(struct vfpci_core_device *vdev)
{
	const u8 *map = vdev->cap_map;
	int pos, start = 0;

	for (pos = 0; pos < vdev->pdev->cfg_size; pos++) {
		/* Same area rule as vfpci_cfg_area_start(). */
		if (pos < PCI_STD_HEADER_SIZEOF)
			start = 0;
		else if (map[pos] == VFPCI_MAP_FREE ||
			 map[pos] == VFPCI_MAP_VIRT ||
			 pos == PCI_STD_HEADER_SIZEOF ||
			 pos == PCI_CFG_SPACE_SIZE || map[pos] != map[pos - 1])
			start = pos;
		if (byte_needs_device(vdev, pos, pos - start))
			__set_bit(pos, vdev->cfg_live);
	}
}

/* ---- per-device setup ---- */

/* Copy hardware into vconfig, in the widest aligned reads possible. */
static int shadow_fill(struct vfpci_core_device *vdev, int pos, int len)
{
	struct pci_dev *pdev = vdev->pdev;
	u8 *p;
	int ret, n;

	for (; len > 0; pos += n, len -= n) {
		p = vdev->vconfig + pos;
		if (len >= 4 && !(pos % 4)) {
			u32 d;

			n = 4;
			ret = pci_read_config_dword(pdev, pos, &d);
			put_unaligned_le32(d, p);
		} else if (len >= 2 && !(pos % 2)) {
			u16 w;

			n = 2;
			ret = pci_read_config_word(pdev, pos, &w);
			put_unaligned_le16(w, p);
		} else {
			n = 1;
			ret = pci_read_config_byte(pdev, pos, p);
		}
		if (ret)
			return pcibios_err_to_errno(ret);
	}
	return 0;
}

/* Claim [pos, pos + len) of the map for @id, warning about overlaps. */
static void map_claim(struct vfpci_core_device *vdev, int pos, int len,
		      u8 id, const char *what)
{
	int i;

	for (i = 0; i < len; i++) {
		if (vdev->cap_map[pos + i] != VFPCI_MAP_FREE)
			pci_warn(vdev->pdev,
				 "config conflict at %#x: %s %#x over %#x\n",
				 pos + i, what, id, vdev->cap_map[pos + i]);
	}
	memset(vdev->cap_map + pos, id, len);
}

/* The user cannot take PME events: hide PME support and status. */
static void pm_shadow_fixup(struct vfpci_core_device *vdev, int pos)
{
	u8 *pmc = vdev->vconfig + pos + PCI_PM_PMC;
	u8 *ctrl = vdev->vconfig + pos + PCI_PM_CTRL;

	put_unaligned_le16(get_unaligned_le16(pmc) & ~PCI_PM_CAP_PME_MASK, pmc);
	put_unaligned_le16(get_unaligned_le16(ctrl) &
			   ~(PCI_PM_CTRL_PME_ENABLE | PCI_PM_CTRL_PME_STATUS),
			   ctrl);
}

/* Shadow the standard capabilities we expose; unlink the others. */
static int std_caps_init(struct vfpci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	int budget = (PCI_CFG_SPACE_SIZE - PCI_STD_HEADER_SIZEOF) / PCI_CAP_SIZEOF;
	u8 *link = vdev->vconfig + PCI_CAPABILITY_LIST;
	int shown = 0, ret, len;
	u8 pos, id, next;
	u16 status;

	ret = pci_read_config_word(pdev, PCI_STATUS, &status);
	if (!ret && !(status & PCI_STATUS_CAP_LIST))
		return 0;
	if (!ret)
		ret = pci_read_config_byte(pdev, PCI_CAPABILITY_LIST, &pos);
	if (ret)
		return pcibios_err_to_errno(ret);

	for (; pos && budget; budget--, pos = next) {
		ret = pci_read_config_byte(pdev, pos + PCI_CAP_LIST_ID, &id);
		if (!ret)
			ret = pci_read_config_byte(pdev, pos + PCI_CAP_LIST_NEXT,
						   &next);
		if (ret)
			return pcibios_err_to_errno(ret);

		len = vfpci_cfg_std_cap_len(vdev, id, pos);
		if (len < 0)
			return len;
		if (!len) {
			pci_info(pdev, "hiding cap %#x@%#x\n", id, pos);
			*link = next;
			continue;
		}
		len = min(len, PCI_CFG_SPACE_SIZE - pos);

		map_claim(vdev, pos, len, id, "cap");
		ret = shadow_fill(vdev, pos, len);
		if (ret)
			return ret;
		if (id == PCI_CAP_ID_PM)
			pm_shadow_fixup(vdev, pos);

		link = vdev->vconfig + pos + PCI_CAP_LIST_NEXT;
		shown++;
	}

	if (!shown)
		put_unaligned_le16(get_unaligned_le16(vdev->vconfig + PCI_STATUS) &
				   ~PCI_STATUS_CAP_LIST,
				   vdev->vconfig + PCI_STATUS);
	return 0;
}

static void ecap_set_next(u8 *hdr, u32 next)
{
	u32 v = get_unaligned_le32(hdr);

	v = (v & ~(0xffcU << 20)) | (next << 20);
	put_unaligned_le32(v, hdr);
}

/*
 * Shadow the extended capabilities we expose; unlink the others.  The
 * first one cannot be unlinked (the list starts at a fixed offset), so a
 * hidden first capability stays as an anchor with id and version zeroed.
 */
static int ext_caps_init(struct vfpci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	int budget = (pdev->cfg_size - PCI_CFG_SPACE_SIZE) / PCI_CAP_SIZEOF;
	int pos = PCI_CFG_SPACE_SIZE, shown = 0, ret, len;
	u8 *link = NULL;
	u32 hdr;
	u16 id;

	if (!vdev->extended_caps)
		return 0;

	for (; budget && pos >= PCI_CFG_SPACE_SIZE; budget--) {
		bool anchor = false;

		ret = pci_read_config_dword(pdev, pos, &hdr);
		if (ret)
			return pcibios_err_to_errno(ret);

		id = PCI_EXT_CAP_ID(hdr);
		len = vfpci_cfg_ext_cap_len(vdev, id, pos);
		if (len < 0)
			return len;
		if (!len) {
			pci_info(pdev, "hiding ecap %#x@%#x\n", id, pos);
			if (link) {
				pos = PCI_EXT_CAP_NEXT(hdr);
				ecap_set_next(link, pos);
				continue;
			}
			len = PCI_CAP_SIZEOF;
			anchor = true;
		}
		len = min(len, pdev->cfg_size - pos);

		map_claim(vdev, pos, len, anchor ? VFPCI_MAP_HIDDEN_ECAP : id,
			  "ecap");
		ret = shadow_fill(vdev, pos, len);
		if (ret)
			return ret;

		link = vdev->vconfig + pos;
		if (anchor)
			put_unaligned_le32(hdr & (0xffcU << 20), link);
		else
			shown++;
		pos = PCI_EXT_CAP_NEXT(hdr);
	}

	if (!shown)
		put_unaligned_le32(0, vdev->vconfig + PCI_CFG_SPACE_SIZE);
	return 0;
}

/* VFs whose INTx pin is known to be bogus: no need to warn about them. */
static const struct pci_device_id vf_bogus_pin_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_INTEL, 0x270c) },
	{ }
};

static void header_init(struct vfpci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	u8 *cfg = vdev->vconfig;
	int i;

	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		vdev->rbar[i] = get_unaligned_le32(cfg + PCI_BASE_ADDRESS_0 +
						   4 * i);
	vdev->rbar[PCI_STD_NUM_BARS] = get_unaligned_le32(cfg + PCI_ROM_ADDRESS);
	bar_masks_init(vdev);
	vdev->bar_dirty = true;

	if (pdev->is_virtfn) {
		/* VFs read ~0 ids; their pin must read 0 (SR-IOV 3.4.1.18). */
		put_unaligned_le16(pdev->vendor, cfg + PCI_VENDOR_ID);
		put_unaligned_le16(pdev->device, cfg + PCI_DEVICE_ID);
		if (cfg[PCI_INTERRUPT_PIN] &&
		    !pci_match_id(vf_bogus_pin_ids, pdev))
			pci_warn(pdev, "Hardware bug: VF reports bogus INTx pin %d\n",
				 cfg[PCI_INTERRUPT_PIN]);
		cfg[PCI_INTERRUPT_PIN] = 0;
	}

	/* Look like a PF: memory decode on (the device has no such bit). */
	if (pdev->no_command_memory)
		put_unaligned_le16(vcmd(vdev) | PCI_COMMAND_MEMORY,
				   cfg + PCI_COMMAND);

	/* No pin, no INTx for the user. */
	if (vdev->nointx || pdev->irq == IRQ_NOTCONNECTED)
		cfg[PCI_INTERRUPT_PIN] = 0;

	vdev->virq_disabled = false;
}

int vfpci_config_init(struct vfpci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	int ret;

	vdev->cap_map = kmalloc(pdev->cfg_size, GFP_KERNEL_ACCOUNT);
	vdev->vconfig = kzalloc(pdev->cfg_size, GFP_KERNEL_ACCOUNT);
	vdev->cfg_live = bitmap_zalloc(pdev->cfg_size, GFP_KERNEL_ACCOUNT);
	if (!vdev->cap_map || !vdev->vconfig || !vdev->cfg_live) {
		ret = -ENOMEM;
		goto err;
	}

	memset(vdev->cap_map, VFPCI_MAP_HEADER, PCI_STD_HEADER_SIZEOF);
	memset(vdev->cap_map + PCI_STD_HEADER_SIZEOF, VFPCI_MAP_FREE,
	       pdev->cfg_size - PCI_STD_HEADER_SIZEOF);
	vdev->extended_caps = false;

	ret = shadow_fill(vdev, 0, PCI_STD_HEADER_SIZEOF);
	if (ret)
		goto err;
	header_init(vdev);

	ret = std_caps_init(vdev);
	if (!ret)
		ret = ext_caps_init(vdev);
	if (ret)
		goto err;
	live_map_init(vdev);
	return 0;

err:
	vfpci_config_free(vdev);
	return ret;
}

void vfpci_config_free(struct vfpci_core_device *vdev)
{
	kfree(vdev->vconfig);
	vdev->vconfig = NULL;
	kfree(vdev->cap_map);
	vdev->cap_map = NULL;
	bitmap_free(vdev->cfg_live);
	vdev->cfg_live = NULL;
	vfpci_cfg_msi_perm_free(vdev);
}
