// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmap of BARs, faulted in lazily and revoked all at once.
 *
 * Every mapping of a device lives in the address_space of one inode the
 * device owns (on a small pseudo filesystem of ours), so revoking access
 * is a single unmap_mapping_range() under memory_lock held for write.
 * Faults take memory_lock for read and refuse (SIGBUS) while memory decode
 * is off, the device sleeps in D3, or low-power mode is engaged.
 *
 * Since 6.10 the VFIO core gives each device that inode (vdev.inode) and
 * points every device fd at it on open: we use it.  Before, all device
 * fds share one anon inode, so the first mmap of a device fd points that
 * file at an inode of our own.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/pci.h>
#include <linux/pseudo_fs.h>

#include "private.h"

#ifdef VFPCI_HAVE_VFIO_DEVICE_INODE

/* Read at each use: the core owns it, vdev->inode stays NULL. */
static struct inode *vfpci_mapping_inode(struct vfpci_core_device *vdev)
{
	return vdev->vdev.inode;
}

int vfpci_mmap_dev_init(struct vfpci_core_device *vdev)
{
	return 0;
}

void vfpci_mmap_dev_exit(struct vfpci_core_device *vdev)
{
}

/* The core already set the device fd's f_mapping to our inode. */
static void vfpci_adopt_file(struct vfpci_core_device *vdev,
			     struct vm_area_struct *vma)
{
}

#else /* !VFPCI_HAVE_VFIO_DEVICE_INODE */

#define VFPCI_FS_MAGIC	0x76667063	/* "vfpc" */

/* Pinned while any device exists, so the module can go once they are gone. */
static struct vfsmount *vfpci_mnt;
static int vfpci_mnt_count;

static int vfpci_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, VFPCI_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type vfpci_fs_type = {
	.name = "vfpci",
	.owner = THIS_MODULE,
	.init_fs_context = vfpci_fs_init_fs_context,
	.kill_sb = kill_anon_super,
};

int vfpci_mmap_dev_init(struct vfpci_core_device *vdev)
{
	struct inode *inode;
	int ret;

	ret = simple_pin_fs(&vfpci_fs_type, &vfpci_mnt, &vfpci_mnt_count);
	if (ret)
		return ret;
	inode = alloc_anon_inode(vfpci_mnt->mnt_sb);
	if (IS_ERR(inode)) {
		simple_release_fs(&vfpci_mnt, &vfpci_mnt_count);
		return PTR_ERR(inode);
	}
	/*
	 * The writable-mapping count of the file's old mapping is moved
	 * here on the first mmap (see vfpci_adopt_file); a bias keeps it
	 * from ever reading as "writes denied".
	 */
	atomic_set(&inode->i_mapping->i_mmap_writable, INT_MAX / 2);
	vdev->inode = inode;
	return 0;
}

void vfpci_mmap_dev_exit(struct vfpci_core_device *vdev)
{
	iput(vdev->inode);
	vdev->inode = NULL;
	simple_release_fs(&vfpci_mnt, &vfpci_mnt_count);
}

static struct inode *vfpci_mapping_inode(struct vfpci_core_device *vdev)
{
	return vdev->inode;
}

/*
 * Point the device fd at our inode so its mappings can be zapped
 * together.  mmap_region() counted this shared writable mapping on the
 * file's old mapping and will uncount it on the new one: move the count.
 */
static void vfpci_adopt_file(struct vfpci_core_device *vdev,
			     struct vm_area_struct *vma)
{
	struct file *file = vma->vm_file;
	struct address_space *old = READ_ONCE(file->f_mapping);
	struct address_space *ours = vdev->inode->i_mapping;

	if (old == ours || cmpxchg(&file->f_mapping, old, ours) != old)
		return;
	if ((vma->vm_flags & VM_SHARED) && (vma->vm_flags & VM_MAYWRITE)) {
		mapping_unmap_writable(old);
		atomic_inc(&ours->i_mmap_writable);
	}
}

#endif /* VFPCI_HAVE_VFIO_DEVICE_INODE */

/* Revoke every user mapping of every BAR; the caller holds memory_lock. */
void vfpci_zap_bars(struct vfpci_core_device *vdev)
{
	struct inode *inode = vfpci_mapping_inode(vdev);

	if (inode)
		unmap_mapping_range(inode->i_mapping, 0, 0, true);
}

void vfpci_zap_and_down_write_memory_lock(struct vfpci_core_device *vdev)
{
	down_write(&vdev->memory_lock);
	vfpci_zap_bars(vdev);
}

/* Memory decode on for a host-side access (ROM probe, MSI-X setup). */
u16 vfpci_core_memory_lock_and_enable(struct vfpci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	u16 cmd;

	down_write(&vdev->memory_lock);
	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	if (!(cmd & PCI_COMMAND_MEMORY))
		pci_write_config_word(pdev, PCI_COMMAND,
				      cmd | PCI_COMMAND_MEMORY);
	return cmd;
}
EXPORT_SYMBOL_GPL(vfpci_core_memory_lock_and_enable);

void vfpci_core_memory_unlock_and_restore(struct vfpci_core_device *vdev, u16 cmd)
{
	pci_write_config_word(vdev->pdev, PCI_COMMAND, cmd);
	up_write(&vdev->memory_lock);
}
EXPORT_SYMBOL_GPL(vfpci_core_memory_unlock_and_restore);

static vm_fault_t vfpci_mmap_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vfpci_core_device *vdev = vma->vm_private_data;
	unsigned int index = vma->vm_pgoff >>
			     (VFPCI_CORE_OFFSET_SHIFT - PAGE_SHIFT);
	unsigned long pgoff = (vma->vm_pgoff & (VFPCI_CORE_OFFSET_MASK >>
						PAGE_SHIFT)) +
			      ((vmf->address - vma->vm_start) >> PAGE_SHIFT);
	unsigned long pfn = (pci_resource_start(vdev->pdev, index) >>
			     PAGE_SHIFT) + pgoff;
	vm_fault_t ret;

	down_read(&vdev->memory_lock);
	if (vdev->pm_runtime_engaged || !vfpci_core_memory_enabled(vdev))
		ret = VM_FAULT_SIGBUS;
	else
		ret = vmf_insert_pfn(vma, vmf->address, pfn);
	up_read(&vdev->memory_lock);
	return ret;
}

static const struct vm_operations_struct vfpci_mmap_ops = {
	.fault = vfpci_mmap_fault,
};

int vfpci_core_mmap(struct vfio_device *core_vdev, struct vm_area_struct *vma)
{
	struct vfpci_core_device *vdev = to_vfpci_core(core_vdev);
	struct pci_dev *pdev = vdev->pdev;
	unsigned int index = vma->vm_pgoff >>
			     (VFPCI_CORE_OFFSET_SHIFT - PAGE_SHIFT);
	u64 start, len, bar_len;
	int ret;

	if (index >= VFPCI_NUM_REGIONS + vdev->num_regions)
		return -EINVAL;
	if (vma->vm_end < vma->vm_start)
		return -EINVAL;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (index >= VFPCI_NUM_REGIONS) {
		struct vfpci_core_region *region =
			&vdev->region[index - VFPCI_NUM_REGIONS];

		if (region->ops && region->ops->mmap &&
		    (region->flags & VFIO_REGION_INFO_FLAG_MMAP))
			return region->ops->mmap(vdev, region, vma);
		return -EINVAL;
	}
	if (index >= VFIO_PCI_ROM_REGION_INDEX ||
	    !vdev->bar_mmap_supported[index])
		return -EINVAL;

	bar_len = PAGE_ALIGN(pci_resource_len(pdev, index));
	start = (u64)(vma->vm_pgoff &
		      (VFPCI_CORE_OFFSET_MASK >> PAGE_SHIFT)) << PAGE_SHIFT;
	len = vma->vm_end - vma->vm_start;
	if (start + len > bar_len)
		return -EINVAL;

	/* The BAR must be ours in the resource tree while it is mapped. */
	ret = vfpci_core_setup_barmap(vdev, index);
	if (ret)
		return ret;

	vfpci_adopt_file(vdev, vma);
	vma->vm_private_data = vdev;
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	vfpci_compat_vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND |
				  VM_DONTDUMP);
	vma->vm_ops = &vfpci_mmap_ops;
	return 0;
}
EXPORT_SYMBOL_GPL(vfpci_core_mmap);
