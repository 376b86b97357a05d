// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device resets: VFIO_DEVICE_RESET (function level), the PCI hot reset
 * ioctls (slot or secondary bus reset of every function behind it), and
 * the bus reset tried when the last user of a dev_set goes away.
 *
 * A bus or slot reset hits every function behind it, so all of them must
 * sit in one vfio dev_set (main.c picks the set id: the slot or the bus)
 * where dev_set->lock keeps them from being opened or unbound meanwhile.
 */
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/pm_runtime.h>
#include <linux/slab.h>
#include <linux/vfio.h>

#include "private.h"

/*
 * A dev_set is found by its key alone.  main.c keys ours off by one byte
 * from the slot/bus pointer vfio-pci uses, so an in-kernel vfio-pci
 * device behind the same slot or bus stays out of our sets (and we out of
 * its: its hot reset dereferences every member as its own structure).
 * Should anything else share a key, a member whose container is not a
 * struct vfpci_core_device must never be touched: every device registered
 * through vfpci_core gets vfpci_core_pm_ops on its driver, which marks it
 * as ours; any other member makes the set unresettable.
 */
static bool vfpci_set_member_is_ours(struct vfio_device *core_vdev)
{
	struct device_driver *drv = core_vdev->dev->driver;

	return drv && drv->pm == &vfpci_core_pm_ops;
}

/* Slot reset if the slot supports it, else bus reset, else none. */
static int vfpci_probe_hot_reset(struct pci_dev *pdev, bool *slot)
{
	*slot = !pci_probe_reset_slot(pdev->slot);
	if (*slot)
		return 0;
	return pci_probe_reset_bus(pdev->bus) ? -ENODEV : 0;
}

/* Is @pdev behind @slot (possibly below bridges in it)? */
static bool vfpci_pdev_in_slot(struct pci_dev *pdev, struct pci_slot *slot)
{
	for (; pdev; pdev = pdev->bus->self)
		if (pdev->bus == slot->bus)
			return pdev->slot == slot;
	return false;
}

struct vfpci_reset_walk {
	struct pci_dev *origin;		/* the device asking */
	bool slot;			/* limit the walk to origin's slot */
	int (*fn)(struct pci_dev *pdev, void *arg);
	void *arg;
	int ret;
};

static int vfpci_reset_walk_one(struct pci_dev *pdev, void *data)
{
	struct vfpci_reset_walk *walk = data;

	if (walk->slot && !vfpci_pdev_in_slot(pdev, walk->origin->slot))
		return 0;
	walk->ret = walk->fn(pdev, walk->arg);
	return walk->ret;
}

/* Call walk->fn for every function the hot reset of walk->origin hits. */
static int vfpci_walk_reset_devs(struct vfpci_reset_walk *walk)
{
	walk->ret = 0;
	pci_walk_bus(walk->origin->bus, vfpci_reset_walk_one, walk);
	return walk->ret;
}

static int vfpci_count_one(struct pci_dev *pdev, void *arg)
{
	(*(u32 *)arg)++;
	return 0;
}

static int vfpci_count_reset_devs(struct pci_dev *origin, bool slot, u32 *nr)
{
	struct vfpci_reset_walk walk = {
		.origin = origin, .slot = slot,
		.fn = vfpci_count_one, .arg = nr,
	};

	*nr = 0;
	return vfpci_walk_reset_devs(&walk);
}

struct vfpci_dep_list {
	struct vfio_pci_dependent_device *devs;
	u32 max;
	u32 nr;
	/* cdev form: devids as seen from this iommufd context */
	struct iommufd_ctx *ictx;
	struct vfio_device_set *dev_set;
	u32 *flags;
};

static struct vfio_device *vfpci_set_find(struct vfio_device_set *dev_set,
					  struct pci_dev *pdev)
{
	struct vfio_device *cur;

	list_for_each_entry(cur, &dev_set->device_list, dev_set_list)
		if (cur->dev == &pdev->dev)
			return cur;
	return NULL;
}

/*
 * A devid, or OWNED for a device of the set the context may reset but
 * has not bound, or NOT_OWNED (then the whole answer is "not owned").
 */
static u32 vfpci_dep_devid(struct vfpci_dep_list *list, struct pci_dev *pdev)
{
	struct vfio_device *member = vfpci_set_find(list->dev_set, pdev);
	int id;

	if (member) {
		id = vfpci_compat_dev_id(member, list->ictx);
		if (id > 0)
			return id;
		if (id == -ENOENT)
			return VFIO_PCI_DEVID_OWNED;
	}
	*list->flags &= ~VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED;
	return VFIO_PCI_DEVID_NOT_OWNED;
}

static int vfpci_fill_one(struct pci_dev *pdev, void *arg)
{
	struct vfpci_dep_list *list = arg;
	struct vfio_pci_dependent_device *dep;
	struct iommu_group *group;

	if (list->nr == list->max)
		return -EAGAIN;	/* a device appeared since counting */

	dep = &list->devs[list->nr];
	if (list->ictx) {
		vfpci_compat_set_devid(dep, vfpci_dep_devid(list, pdev));
	} else {
		group = iommu_group_get(&pdev->dev);
		if (!group)
			return -EPERM;	/* not isolated: nobody can own it */
		dep->group_id = iommu_group_id(group);
		iommu_group_put(group);
	}
	dep->segment = pci_domain_nr(pdev->bus);
	dep->bus = pdev->bus->number;
	dep->devfn = pdev->devfn;
	list->nr++;
	return 0;
}

long vfpci_ioctl_hot_reset_info(struct vfpci_core_device *vdev,
				void __user *arg)
{
	const size_t minsz = offsetofend(struct vfio_pci_hot_reset_info, count);
	struct vfio_pci_hot_reset_info __user *uinfo = arg;
	struct vfio_pci_hot_reset_info hdr;
	struct vfpci_dep_list list = {};
	struct vfpci_reset_walk walk;
	bool slot;
	int ret;

	if (copy_from_user(&hdr, uinfo, minsz))
		return -EFAULT;
	if (hdr.argsz < minsz)
		return -EINVAL;
	hdr.flags = 0;

	ret = vfpci_probe_hot_reset(vdev->pdev, &slot);
	if (ret)
		return ret;

	ret = vfpci_count_reset_devs(vdev->pdev, slot, &list.max);
	if (ret)
		return ret;

	/* Too small a buffer: tell the user how many entries to make room for */
	if (hdr.argsz < sizeof(hdr) + (size_t)list.max * sizeof(*list.devs)) {
		hdr.count = list.max;
		if (copy_to_user(uinfo, &hdr, minsz))
			return -EFAULT;
		return -ENOSPC;
	}

	list.devs = kcalloc(list.max, sizeof(*list.devs), GFP_KERNEL);
	if (!list.devs)
		return -ENOMEM;

	if (vfpci_compat_cdev_opened(&vdev->vdev)) {
		hdr.flags = VFIO_PCI_HOT_RESET_FLAG_DEV_ID |
			    VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED;
		list.ictx = vfpci_compat_ictx(&vdev->vdev);
		list.flags = &hdr.flags;
	}
	list.dev_set = vdev->vdev.dev_set;
	walk.origin = vdev->pdev;
	walk.slot = slot;
	walk.fn = vfpci_fill_one;
	walk.arg = &list;
	/* The set's members and their bindings hold still meanwhile. */
	mutex_lock(&list.dev_set->lock);
	ret = vfpci_walk_reset_devs(&walk);
	mutex_unlock(&list.dev_set->lock);
	/* A device may have gone since counting: report what was found. */
	if (!ret)
		hdr.count = list.nr;

	/* The header goes back even on failure, as vfio-pci does. */
	if (copy_to_user(uinfo, &hdr, minsz))
		ret = -EFAULT;
	else if (!ret && copy_to_user(uinfo->devices, list.devs,
				      (size_t)list.nr * sizeof(*list.devs)))
		ret = -EFAULT;
	kfree(list.devs);
	return ret;
}

/* The group files the user passed in, proving it owns those groups. */
struct vfpci_group_files {
	struct file **files;
	u32 nr;
};

static void vfpci_put_group_files(struct vfpci_group_files *groups)
{
	while (groups->nr)
		fput(groups->files[--groups->nr]);
	kfree(groups->files);
}

static int vfpci_get_group_files(struct vfpci_group_files *groups,
				 const s32 __user *ufds, u32 count)
{
	s32 *fds;
	int ret = 0;

	fds = kcalloc(count, sizeof(*fds), GFP_KERNEL);
	groups->files = kcalloc(count, sizeof(*groups->files), GFP_KERNEL);
	groups->nr = 0;
	if (!fds || !groups->files) {
		ret = -ENOMEM;
		goto out;
	}

	if (copy_from_user(fds, ufds, count * sizeof(*fds))) {
		ret = -EFAULT;
		goto out;
	}

	for (; groups->nr < count; groups->nr++) {
		struct file *file = fget(fds[groups->nr]);

		if (!file) {
			ret = -EBADF;
			break;
		}
		if (!vfio_file_is_group(file)) {
			fput(file);
			ret = -EINVAL;
			break;
		}
		groups->files[groups->nr] = file;
	}
out:
	kfree(fds);
	if (ret)
		vfpci_put_group_files(groups);
	return ret;
}

/*
 * Through the cdev (@ictx set), a member is the user's when bound to that
 * iommufd context, or unbound in a group the context owns (-ENOENT).
 */
static bool vfpci_user_owns(struct vfio_device *core_vdev,
			    struct vfpci_group_files *groups,
			    struct iommufd_ctx *ictx)
{
	u32 i;
	int id;

	if (ictx) {
		id = vfpci_compat_dev_id(core_vdev, ictx);
		return id > 0 || id == -ENOENT;
	}
	for (i = 0; i < groups->nr; i++)
		if (vfio_file_has_dev(groups->files[i], core_vdev))
			return true;
	return false;
}

static int vfpci_pdev_in_set(struct pci_dev *pdev, void *arg)
{
	return vfpci_set_find(arg, pdev) ? 0 : -EBUSY;
}

/*
 * The pci_dev to hand to pci_reset_bus() when a slot/bus reset of the set
 * is possible and hits only our own members, else NULL.  Every member
 * shares that reset, so any one of them serves.
 */
static struct pci_dev *vfpci_dev_set_resettable(struct vfio_device_set *dev_set)
{
	struct vfpci_reset_walk walk;
	struct vfio_device *cur;
	struct pci_dev *pdev;
	bool slot;

	lockdep_assert_held(&dev_set->lock);

	list_for_each_entry(cur, &dev_set->device_list, dev_set_list)
		if (!vfpci_set_member_is_ours(cur))
			return NULL;

	cur = list_first_entry_or_null(&dev_set->device_list,
				       struct vfio_device, dev_set_list);
	if (!cur)
		return NULL;
	pdev = to_vfpci_core(cur)->pdev;

	if (vfpci_probe_hot_reset(pdev, &slot))
		return NULL;
	walk.origin = pdev;
	walk.slot = slot;
	walk.fn = vfpci_pdev_in_set;
	walk.arg = dev_set;
	if (vfpci_walk_reset_devs(&walk))
		return NULL;
	return pdev;
}

#define for_each_set_vdev(cur, dev_set) \
	list_for_each_entry(cur, &(dev_set)->device_list, vdev.dev_set_list)

/* Wake every member (some may be runtime suspended) for the reset. */
static int vfpci_dev_set_pm_get(struct vfio_device_set *dev_set)
{
	struct vfpci_core_device *cur;
	int ret;

	for_each_set_vdev(cur, dev_set) {
		ret = pm_runtime_resume_and_get(&cur->pdev->dev);
		if (ret)
			goto unwind;
	}
	return 0;

unwind:
	list_for_each_entry_continue_reverse(cur, &dev_set->device_list,
					     vdev.dev_set_list)
		pm_runtime_put(&cur->pdev->dev);
	return ret;
}

static void vfpci_dev_set_pm_put(struct vfio_device_set *dev_set)
{
	struct vfpci_core_device *cur;

	for_each_set_vdev(cur, dev_set)
		pm_runtime_put(&cur->pdev->dev);
}

/*
 * Take every member's memory_lock for write and zap its BAR mappings.
 * Trylock: another thread may hold one of them while waiting for one we
 * hold (several devices can share one mm), so back off with -EBUSY.
 * On failure nothing is left locked.
 */
static int vfpci_dev_set_lock_memory(struct vfio_device_set *dev_set)
{
	struct vfpci_core_device *cur;

	for_each_set_vdev(cur, dev_set) {
		if (!down_write_trylock(&cur->memory_lock))
			goto unwind;
		vfpci_zap_bars(cur);
	}
	return 0;

unwind:
	list_for_each_entry_continue_reverse(cur, &dev_set->device_list,
					     vdev.dev_set_list)
		up_write(&cur->memory_lock);
	return -EBUSY;
}

static void vfpci_dev_set_unlock_memory(struct vfio_device_set *dev_set)
{
	struct vfpci_core_device *cur;

	for_each_set_vdev(cur, dev_set)
		up_write(&cur->memory_lock);
}

static int vfpci_dev_set_hot_reset(struct vfio_device_set *dev_set,
				   struct vfpci_group_files *groups,
				   struct iommufd_ctx *ictx)
{
	struct vfpci_core_device *cur;
	struct pci_dev *pdev;
	int ret;

	mutex_lock(&dev_set->lock);

	pdev = vfpci_dev_set_resettable(dev_set);
	if (!pdev) {
		ret = -EINVAL;
		goto out_unlock;
	}

	/* Every function the reset hits must belong to this user. */
	for_each_set_vdev(cur, dev_set) {
		if (!vfpci_user_owns(&cur->vdev, groups, ictx)) {
			ret = -EINVAL;
			goto out_unlock;
		}
	}

	ret = vfpci_dev_set_pm_get(dev_set);
	if (ret)
		goto out_unlock;

	ret = vfpci_dev_set_lock_memory(dev_set);
	if (ret)
		goto out_pm_put;

	/*
	 * A member the user left in D3hot would be moved to D0 by the reset
	 * behind our back, losing the state saved for NoSoftRst- devices.
	 */
	for_each_set_vdev(cur, dev_set)
		vfpci_set_power_state(cur, PCI_D0);

	ret = pci_reset_bus(pdev);

	/*
	 * rbar[] holds the BARs seen at open: meaningless for a member the
	 * user owns but has not opened (pci_reset_bus() restored its state).
	 */
	for_each_set_vdev(cur, dev_set)
		if (cur->vdev.open_count)
			vfpci_config_restore_bars(cur);

	vfpci_dev_set_unlock_memory(dev_set);
out_pm_put:
	vfpci_dev_set_pm_put(dev_set);
out_unlock:
	mutex_unlock(&dev_set->lock);
	return ret;
}

long vfpci_ioctl_hot_reset(struct vfpci_core_device *vdev, void __user *arg)
{
	const size_t minsz = offsetofend(struct vfio_pci_hot_reset, count);
	struct vfio_pci_hot_reset __user *ureset = arg;
	struct vfio_pci_hot_reset hdr;
	struct vfpci_group_files groups;
	u32 affected;
	bool slot;
	int ret;

	if (copy_from_user(&hdr, ureset, minsz))
		return -EFAULT;
	if (hdr.argsz < minsz || hdr.flags)
		return -EINVAL;
	/* Group fds from a group user, none from a cdev user. */
	if (VFPCI_COMPAT_HOT_RESET_COUNT_FIRST &&
	    !!hdr.count == vfpci_compat_cdev_opened(&vdev->vdev))
		return -EINVAL;

	ret = vfpci_probe_hot_reset(vdev->pdev, &slot);
	if (ret)
		return ret;

	if (!hdr.count && vfpci_compat_cdev_opened(&vdev->vdev)) {
		groups.nr = 0;
		return vfpci_dev_set_hot_reset(vdev->vdev.dev_set, &groups,
					       vfpci_compat_ictx(&vdev->vdev));
	}

	/* At most one group per affected device: bounds the copy. */
	ret = vfpci_count_reset_devs(vdev->pdev, slot, &affected);
	if (ret)
		return ret;
	if (!hdr.count || hdr.count > affected)
		return -EINVAL;

	ret = vfpci_get_group_files(&groups, ureset->group_fds, hdr.count);
	if (ret)
		return ret;

	ret = vfpci_dev_set_hot_reset(vdev->vdev.dev_set, &groups, NULL);

	vfpci_put_group_files(&groups);
	return ret;
}

int vfpci_ioctl_reset(struct vfpci_core_device *vdev)
{
	int ret;

	if (!vdev->reset_works)
		return -EINVAL;

	vfpci_zap_and_down_write_memory_lock(vdev);

	/*
	 * The reset would bring a D3hot device to D0 itself, skipping the
	 * state restore NoSoftRst- devices need: go to D0 our way first.
	 */
	vfpci_set_power_state(vdev, PCI_D0);

	ret = pci_try_reset_function(vdev->pdev);
	vfpci_config_restore_bars(vdev);

	up_write(&vdev->memory_lock);
	return ret;
}

/* Worth a bus reset: some member is dirty and nobody else has one open. */
static bool vfpci_dev_set_needs_reset(struct vfio_device_set *dev_set)
{
	struct vfpci_core_device *cur;

	/* The caller's own device still counts as open while it closes. */
	if (vfio_device_set_open_count(dev_set) > 1)
		return false;

	for_each_set_vdev(cur, dev_set)
		if (cur->needs_reset)
			return true;
	return false;
}

/*
 * Called with dev_set->lock held from the last close of a device.  Devices
 * without a function reset stay dirty after close; clean them all with one
 * bus reset once no member of the set is in use.
 */
void vfpci_dev_set_try_reset(struct vfio_device_set *dev_set)
{
	struct vfpci_core_device *cur;
	struct pci_dev *pdev;
	bool done;

	lockdep_assert_held(&dev_set->lock);

	/* Resettable first: it vets every member before we look inside. */
	pdev = vfpci_dev_set_resettable(dev_set);
	if (!pdev || !vfpci_dev_set_needs_reset(dev_set))
		return;

	if (vfpci_dev_set_pm_get(dev_set))
		return;

	done = !pci_reset_bus(pdev);

	for_each_set_vdev(cur, dev_set)
		if (done)
			cur->needs_reset = false;
	vfpci_dev_set_pm_put(dev_set);
}
