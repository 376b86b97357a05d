// SPDX-License-Identifier: GPL-2.0-only
/*
 * read()/write() on the BAR, ROM and VGA regions of the device fd.
 *
 * Every access goes to the device at the widest width the alignment
 * allows, like the in-kernel vfio-pci of the kernel we are built for: at
 * most 4 bytes before 6.9, 8 on MMIO since (see compat.h).  User memory is copied outside
 * memory_lock, so a user buffer that is itself a mapping of this BAR
 * faults in without nesting the lock.
 */
#include <linux/io.h>
#include <linux/pci.h>
#include <linux/uaccess.h>
#include <linux/vgaarb.h>

#include "private.h"

/*
 * Device registers are little-endian; ioread/iowrite already swap.  An
 * 8-byte access is one 64-bit cycle on MMIO when @wide, else two 4-byte
 * ones, low dword first.
 */
static void vfpci_raw_write(u64 val, void __iomem *io, int size, bool wide)
{
	switch (size) {
	case 1:
		iowrite8(val, io);
		break;
	case 2:
		iowrite16(val, io);
		break;
	case 4:
		iowrite32(val, io);
		break;
	case 8:
		if (wide) {
			writeq(val, io);
			break;
		}
		iowrite32(lower_32_bits(val), io);
		iowrite32(upper_32_bits(val), io + 4);
		break;
	}
}

static u64 vfpci_raw_read(void __iomem *io, int size, bool wide)
{
	switch (size) {
	case 1:
		return ioread8(io);
	case 2:
		return ioread16(io);
	case 4:
		return ioread32(io);
	case 8:
		if (wide)
			return readq(io);
		return ioread32(io) | (u64)ioread32(io + 4) << 32;
	}
	return ~0ULL;
}

/* Memory decode off or device asleep: the access must not reach it. */
static int vfpci_mem_get(struct vfpci_core_device *vdev, bool test_mem)
{
	if (!test_mem)
		return 0;
	down_read(&vdev->memory_lock);
	if (!vfpci_core_memory_enabled(vdev)) {
		up_read(&vdev->memory_lock);
		return -EIO;
	}
	return 0;
}

static void vfpci_mem_put(struct vfpci_core_device *vdev, bool test_mem)
{
	if (test_mem)
		up_read(&vdev->memory_lock);
}

int vfpci_core_io_write(struct vfpci_core_device *vdev, bool test_mem,
			u64 val, void __iomem *io, int size)
{
	int ret = vfpci_mem_get(vdev, test_mem);

	if (ret)
		return ret;
	vfpci_raw_write(val, io, size, false);
	vfpci_mem_put(vdev, test_mem);
	return 0;
}
EXPORT_SYMBOL_GPL(vfpci_core_io_write);

int vfpci_core_io_read(struct vfpci_core_device *vdev, bool test_mem,
		       u64 *val, void __iomem *io, int size)
{
	int ret = vfpci_mem_get(vdev, test_mem);

	if (ret)
		return ret;
	*val = vfpci_raw_read(io, size, false);
	vfpci_mem_put(vdev, test_mem);
	return 0;
}
EXPORT_SYMBOL_GPL(vfpci_core_io_read);

/* The widest access that @off's alignment and @left bytes allow. */
static int vfpci_access_size(loff_t off, size_t left, bool mmio)
{
	if (VFPCI_COMPAT_BAR_RW64 && mmio && left >= 8 && !(off & 7))
		return 8;
	if (left >= 4 && !(off & 3))
		return 4;
	if (left >= 2 && !(off & 1))
		return 2;
	return 1;
}

/*
 * Copy @count bytes between @buf and the device at @io + @off.  Bytes in
 * [@skip_start, @skip_end) never reach the device: reads return 0xff,
 * writes are dropped (the MSI-X table belongs to the host).
 */
static ssize_t vfpci_do_io_rw(struct vfpci_core_device *vdev, bool test_mem,
			      bool mmio, void __iomem *io, char __user *buf,
			      loff_t off, size_t count, size_t skip_start,
			      size_t skip_end, bool iswrite)
{
	ssize_t done = 0;

	while (count) {
		size_t usable = count;
		int size, ret;
		u64 val = 0;

		if (off >= skip_start && off < skip_end) {
			size_t skip = min_t(size_t, count, skip_end - off);

			if (!iswrite) {
				size_t i;

				for (i = 0; i < skip; i++)
					if (put_user((u8)0xff, buf + i))
						return -EFAULT;
			}
			count -= skip;
			done += skip;
			off += skip;
			buf += skip;
			continue;
		}
		if (off < skip_start)
			usable = min_t(size_t, count, skip_start - off);

		size = vfpci_access_size(off, usable, mmio);
		if (iswrite) {
			if (copy_from_user(&val, buf, size))
				return -EFAULT;
			ret = vfpci_mem_get(vdev, test_mem);
			if (ret)
				return ret;
			vfpci_raw_write(val, io + off, size, mmio);
			vfpci_mem_put(vdev, test_mem);
		} else {
			ret = vfpci_mem_get(vdev, test_mem);
			if (ret)
				return ret;
			val = vfpci_raw_read(io + off, size, mmio);
			vfpci_mem_put(vdev, test_mem);
			if (copy_to_user(buf, &val, size))
				return -EFAULT;
		}
		count -= size;
		done += size;
		off += size;
		buf += size;
	}
	return done;
}

int vfpci_core_setup_barmap(struct vfpci_core_device *vdev, int bar)
{
	struct pci_dev *pdev = vdev->pdev;
	void __iomem *io;
	int ret;

	if (vdev->barmap[bar])
		return 0;

	ret = pci_request_selected_regions(pdev, 1 << bar, "vfpci");
	if (ret)
		return ret;
	io = pci_iomap(pdev, bar, 0);
	if (!io) {
		pci_release_selected_regions(pdev, 1 << bar);
		return -ENOMEM;
	}
	vdev->barmap[bar] = io;
	return 0;
}
EXPORT_SYMBOL_GPL(vfpci_core_setup_barmap);

void vfpci_release_barmaps(struct vfpci_core_device *vdev)
{
	int bar;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		if (!vdev->barmap[bar])
			continue;
		pci_iounmap(vdev->pdev, vdev->barmap[bar]);
		pci_release_selected_regions(vdev->pdev, 1 << bar);
		vdev->barmap[bar] = NULL;
	}
}

ssize_t vfpci_core_bar_rw(struct vfpci_core_device *vdev, char __user *buf,
			  size_t count, loff_t *ppos, bool iswrite)
{
	struct pci_dev *pdev = vdev->pdev;
	unsigned int bar = VFPCI_CORE_OFFSET_TO_INDEX(*ppos);
	loff_t pos = *ppos & VFPCI_CORE_OFFSET_MASK;
	size_t skip_start = 0, skip_end = 0;
	resource_size_t len;
	ssize_t done;
	bool mmio;
	int ret;

	if (bar >= PCI_STD_NUM_BARS || !pci_resource_start(pdev, bar))
		return -EINVAL;
	len = pci_resource_len(pdev, bar);
	if (pos >= len)
		return -EINVAL;
	count = min_t(size_t, count, len - pos);

	ret = vfpci_core_setup_barmap(vdev, bar);
	if (ret)
		return ret;

	if (bar == vdev->msix_bar) {
		skip_start = vdev->msix_offset;
		skip_end = vdev->msix_offset + vdev->msix_size;
	}

	/* Only memory BARs are gated by memory decode. */
	mmio = pci_resource_flags(pdev, bar) & IORESOURCE_MEM;
	done = vfpci_do_io_rw(vdev, mmio, mmio, vdev->barmap[bar], buf, pos,
			      count, skip_start, skip_end, iswrite);
	if (done >= 0)
		*ppos += done;
	return done;
}
EXPORT_SYMBOL_GPL(vfpci_core_bar_rw);

ssize_t vfpci_rom_rw(struct vfpci_core_device *vdev, char __user *buf,
		     size_t count, loff_t *ppos, bool iswrite)
{
	struct pci_dev *pdev = vdev->pdev;
	struct resource *res = &pdev->resource[PCI_ROM_RESOURCE];
	loff_t pos = *ppos & VFPCI_CORE_OFFSET_MASK;
	void __iomem *io;
	size_t rom_size;
	resource_size_t len;
	ssize_t done;

	if (pci_resource_start(pdev, PCI_ROM_RESOURCE))
		len = pci_resource_len(pdev, PCI_ROM_RESOURCE);
	else if (res->flags & IORESOURCE_ROM_SHADOW)
		len = 0x20000;
	else
		return -EINVAL;
	if (pos >= len)
		return -EINVAL;
	count = min_t(size_t, count, len - pos);

	io = pci_map_rom(pdev, &rom_size);
	if (!io)
		return -ENOMEM;
	/* Past the image the BAR reads as 0xff: no need to ask the device. */
	done = vfpci_do_io_rw(vdev, true, true, io, buf, pos, count,
			      rom_size, len, iswrite);
	pci_unmap_rom(pdev, io);
	if (done >= 0)
		*ppos += done;
	return done;
}

struct vfpci_vga_range {
	u32 start, end;		/* inclusive */
	bool ioport;
};

static const struct vfpci_vga_range vfpci_vga_ranges[] = {
	{ 0xa0000, 0xbffff, false },
	{ 0x3b0, 0x3bb, true },
	{ 0x3c0, 0x3df, true },
};

ssize_t vfpci_vga_rw(struct vfpci_core_device *vdev, char __user *buf,
		     size_t count, loff_t *ppos, bool iswrite)
{
	loff_t pos = *ppos & VFPCI_CORE_OFFSET_MASK;
	const struct vfpci_vga_range *r = NULL;
	void __iomem *io;
	unsigned int rsrc;
	size_t len;
	ssize_t done;
	int i, ret;

	if (!vdev->has_vga)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(vfpci_vga_ranges); i++)
		if (pos >= vfpci_vga_ranges[i].start &&
		    pos <= vfpci_vga_ranges[i].end)
			r = &vfpci_vga_ranges[i];
	if (!r)
		return -EINVAL;

	len = r->end - r->start + 1;
	count = min_t(size_t, count, r->end + 1 - pos);
	io = r->ioport ? ioport_map(r->start, len) : ioremap(r->start, len);
	if (!io)
		return -ENOMEM;
	rsrc = r->ioport ? VGA_RSRC_LEGACY_IO : VGA_RSRC_LEGACY_MEM;

	ret = vga_get_interruptible(vdev->pdev, rsrc);
	if (ret) {
		done = ret;
		goto out;
	}
	/* Legacy VGA ranges are not BARs: memory decode does not gate them. */
	done = vfpci_do_io_rw(vdev, false, !r->ioport, io, buf,
			      pos - r->start, count, 0, 0, iswrite);
	vga_put(vdev->pdev, rsrc);
	if (done >= 0)
		*ppos += done;
out:
	if (r->ioport)
		ioport_unmap(io);
	else
		iounmap(io);
	return done;
}
