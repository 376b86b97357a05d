// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfpci_edu_mdev: a physical QEMU edu (1234:11e8, bound through
 * driver_override) shared by mediated edus.  Its mdev types split the
 * device in 1, 2, 4 or 8 shares; instances of different types mix as long
 * as the shares add up to one device.  See docs/mdev.md.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/pci.h>

#include "edu_mdev.h"

static const char *const edu_type_names[EDU_MDEV_NR_TYPES] = {
	"1", "2", "4", "8"
};

static struct mdev_driver edu_mdev_driver;

static int edu_mdev_probe(struct mdev_device *mdev)
{
	struct edu_parent *p = dev_get_drvdata(mdev->type->parent->dev);
	struct edu_mdev_type *t = container_of(mdev->type,
					       struct edu_mdev_type, type);
	struct edu_instance *inst;
	int ret;

	spin_lock(&p->lock);
	if (p->free_units < t->units) {
		spin_unlock(&p->lock);
		return -ENOSPC;
	}
	p->free_units -= t->units;
	spin_unlock(&p->lock);

	inst = vfpci_mdev_alloc(struct edu_instance, mdev, &edu_vedu_info,
				&edu_vedu_ops);
	if (IS_ERR(inst)) {
		ret = PTR_ERR(inst);
		goto give_back;
	}
	inst->parent = p;
	inst->units = t->units;
	init_waitqueue_head(&inst->idle);

	spin_lock(&p->lock);
	inst->vtime = p->min_vtime;
	list_add_tail(&inst->node, &p->instances);
	spin_unlock(&p->lock);

	ret = vfpci_mdev_register(&inst->m);
	if (ret)
		goto unlist;
	return 0;

unlist:
	spin_lock(&p->lock);
	list_del(&inst->node);
	spin_unlock(&p->lock);
	vfpci_mdev_put(&inst->m);
give_back:
	spin_lock(&p->lock);
	p->free_units += t->units;
	spin_unlock(&p->lock);
	return ret;
}

static void edu_mdev_remove(struct mdev_device *mdev)
{
	struct vfpci_mdev *m = dev_get_drvdata(&mdev->dev);
	struct edu_instance *inst = to_edu_instance(m);
	struct edu_parent *p = inst->parent;

	/* Asks the user through REQ and waits for the close. */
	vfpci_mdev_unregister(m);
	edu_sched_forget(inst);
	spin_lock(&p->lock);
	list_del(&inst->node);
	p->free_units += inst->units;
	spin_unlock(&p->lock);
	vfpci_mdev_put(m);
}

static unsigned int edu_mdev_get_available(struct mdev_type *mtype)
{
	struct edu_parent *p = dev_get_drvdata(mtype->parent->dev);
	struct edu_mdev_type *t = container_of(mtype, struct edu_mdev_type,
					       type);
	unsigned int n;

	spin_lock(&p->lock);
	n = p->free_units / t->units;
	spin_unlock(&p->lock);
	return n;
}

static ssize_t edu_mdev_show_description(struct mdev_type *mtype, char *buf)
{
	struct edu_mdev_type *t = container_of(mtype, struct edu_mdev_type,
					       type);

	return sysfs_emit(buf, "edu, %u/%u of a physical edu's time\n",
			  t->units, EDU_MDEV_UNITS);
}

static struct mdev_driver edu_mdev_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.max_instances = EDU_MDEV_UNITS,
	.driver = {
		.name = "vfpci_edu_mdev",
		.owner = THIS_MODULE,
		.mod_name = KBUILD_MODNAME,
	},
	.probe = edu_mdev_probe,
	.remove = edu_mdev_remove,
	.get_available = edu_mdev_get_available,
	.show_description = edu_mdev_show_description,
};

static int edu_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edu_parent *p;
	int ret, i;

	/* Only through driver_override, and only an edu. */
	if (pdev->vendor != 0x1234 || pdev->device != 0x11e8)
		return -ENODEV;

	p = devm_kzalloc(&pdev->dev, sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->pdev = pdev;
	spin_lock_init(&p->lock);
	INIT_LIST_HEAD(&p->instances);
	p->free_units = EDU_MDEV_UNITS;
	INIT_WORK(&p->work, edu_sched_work);

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pcim_iomap_regions(pdev, BIT(0), "vfpci_edu_mdev");
	if (ret)
		return ret;
	p->bar = pcim_iomap_table(pdev)[0];

	p->wq = alloc_ordered_workqueue("vfpci_edu_mdev/%s", 0,
					pci_name(pdev));
	if (!p->wq)
		return -ENOMEM;
	ret = edu_phys_init(p);
	if (ret)
		goto destroy_wq;

	for (i = 0; i < EDU_MDEV_NR_TYPES; i++) {
		p->types[i].units = EDU_MDEV_UNITS >> (3 - i);
		p->types[i].type.sysfs_name = edu_type_names[EDU_MDEV_NR_TYPES - 1 - i];
		p->types[i].type.pretty_name = edu_type_names[EDU_MDEV_NR_TYPES - 1 - i];
		p->type_ptrs[i] = &p->types[i].type;
	}
	pci_set_drvdata(pdev, p);
	ret = mdev_register_parent(&p->parent, &pdev->dev, &edu_mdev_driver,
				   p->type_ptrs, EDU_MDEV_NR_TYPES);
	if (ret)
		goto phys_fini;
	return 0;

phys_fini:
	edu_phys_fini(p);
destroy_wq:
	destroy_workqueue(p->wq);
	return ret;
}

static void edu_pci_remove(struct pci_dev *pdev)
{
	struct edu_parent *p = pci_get_drvdata(pdev);

	/* Removes every instance, each waiting for its user to close. */
	mdev_unregister_parent(&p->parent);
	destroy_workqueue(p->wq);
	edu_phys_fini(p);
}

static struct pci_driver edu_pci_driver = {
	.name = "vfpci_edu_mdev",
	.probe = edu_pci_probe,
	.remove = edu_pci_remove,
};

static int __init edu_mdev_init(void)
{
	int ret = mdev_register_driver(&edu_mdev_driver);

	if (ret)
		return ret;
	ret = pci_register_driver(&edu_pci_driver);
	if (ret)
		mdev_unregister_driver(&edu_mdev_driver);
	return ret;
}

static void __exit edu_mdev_exit(void)
{
	pci_unregister_driver(&edu_pci_driver);
	mdev_unregister_driver(&edu_mdev_driver);
}

module_init(edu_mdev_init);
module_exit(edu_mdev_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vfpci_edu_mdev: QEMU edu shared by mediated devices");
