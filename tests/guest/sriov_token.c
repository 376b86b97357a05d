// SPDX-License-Identifier: GPL-2.0-only
/*
 * SR-IOV through a vfio driver and the VF token: the user of the PF sets a
 * token (VFIO_DEVICE_FEATURE_PCI_VF_TOKEN), enables VFs through sysfs
 * (the driver's enable_sriov parameter must be on), the VFs come up bound
 * to the same driver, and opening a VF needs "BDF vf_token=UUID".  The
 * same sequence runs for each driver; every step's errno is compared with
 * what the uAPI documents (and what 6.1's vfio-pci answers).
 *
 * Usage: sriov_token --driver NAME PF_BDF
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vfpci_test.h"

static const char *driver = "vfpci";
static char name[160];

static const char *tname(const char *what)
{
	snprintf(name, sizeof(name), "sriov/%s/%s", driver, what);
	return name;
}

static int write_sysfs(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* An open group in its own container, for GET_DEVICE_FD with options. */
struct grp {
	int container, group;
};

static int grp_open(struct grp *g, const char *bdf)
{
	char path[64];
	int n = pci_iommu_group(bdf);

	g->container = g->group = -1;
	if (n < 0)
		return n;
	g->container = open("/dev/vfio/vfio", O_RDWR);
	snprintf(path, sizeof(path), "/dev/vfio/%d", n);
	g->group = open(path, O_RDWR);
	if (g->container < 0 || g->group < 0 ||
	    ioctl(g->group, VFIO_GROUP_SET_CONTAINER, &g->container) ||
	    ioctl(g->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return -errno;
	return 0;
}

static void grp_close(struct grp *g)
{
	if (g->group >= 0)
		close(g->group);
	if (g->container >= 0)
		close(g->container);
}

/* GET_DEVICE_FD with "BDF[ vf_token=UUID]": the fd, or -errno. */
static int get_dev(struct grp *g, const char *bdf, const char *token)
{
	char arg[128];
	int fd;

	if (token)
		snprintf(arg, sizeof(arg), "%s vf_token=%s", bdf, token);
	else
		snprintf(arg, sizeof(arg), "%s", bdf);
	fd = ioctl(g->group, VFIO_GROUP_GET_DEVICE_FD, arg);
	return fd < 0 ? -errno : fd;
}

static int set_token(int fd, const unsigned char uuid[16])
{
	char buf[sizeof(struct vfio_device_feature) + 16];
	struct vfio_device_feature *f = (void *)buf;

	f->argsz = sizeof(buf);
	f->flags = VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_PCI_VF_TOKEN;
	memcpy(f->data, uuid, 16);
	return ioctl(fd, VFIO_DEVICE_FEATURE, f) ? -errno : 0;
}

static int get_token(int fd)
{
	char buf[sizeof(struct vfio_device_feature) + 16];
	struct vfio_device_feature *f = (void *)buf;

	f->argsz = sizeof(buf);
	f->flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_PCI_VF_TOKEN;
	return ioctl(fd, VFIO_DEVICE_FEATURE, f) ? -errno : 0;
}

/* First VF of @pf from its virtfn0 link. */
static int first_vf(const char *pf, char *vf, size_t len)
{
	char path[128], target[256];
	ssize_t n;
	const char *base;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/virtfn0", pf);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	memcpy(vf, base, strlen(base) + 1);
	return 0;
}

static void expect(const char *what, int got, int want)
{
	tap_result(got == want, tname(what), "got %d (%s), want %d (%s)",
		   got, got < 0 ? strerror(-got) : "ok", want,
		   want < 0 ? strerror(-want) : "ok");
}

int main(int argc, char **argv)
{
	static const unsigned char token_a[16] = {
		0xbd, 0x8d, 0x9d, 0x2b, 0x5a, 0x5f, 0x4f, 0x5a,
		0xa2, 0x11, 0xf5, 0x91, 0x51, 0x4b, 0xa1, 0xf3 };
	static const char *token_a_str = "bd8d9d2b-5a5f-4f5a-a211-f591514ba1f3";
	static const char *token_b_str = "00000000-1111-2222-3333-444444444444";
	static const struct option opts[] = {
		{ "driver", required_argument, NULL, 'd' },
		{}
	};
	char path[160], vf[32], vfdrv[32] = "", param[96];
	struct grp pg, vg;
	int c, pf_fd, vf_fd, ret;
	const char *pf;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'd')
			return 2;
		driver = optarg;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: sriov_token --driver NAME PF_BDF\n");
		return 2;
	}
	pf = argv[optind];
	setvbuf(stdout, NULL, _IOLBF, 0);

	ret = pci_bind(pf, driver);
	expect("bind_pf", ret, 0);
	if (ret)
		return tap_summary();
	/* Off by default in both drivers: VFs of a user-owned PF are opt-in. */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/sriov_numvfs", pf);
	expect("numvfs_refused_by_default", write_sysfs(path, "1"), -ENOENT);

	snprintf(param, sizeof(param), "/sys/module/%s/parameters/enable_sriov",
		 strcmp(driver, "vfio-pci") ? driver : "vfio_pci");
	expect("enable_sriov_param", write_sysfs(param, "Y"), 0);

	ret = grp_open(&pg, pf);
	expect("pf_group", ret, 0);
	pf_fd = get_dev(&pg, pf, NULL);
	expect("pf_open", pf_fd < 0 ? pf_fd : 0, 0);
	if (pf_fd < 0)
		return tap_summary();
	expect("token_get_refused", get_token(pf_fd), -EINVAL);
	expect("token_set", set_token(pf_fd, token_a), 0);

	expect("numvfs_2", write_sysfs(path, "2"), 0);
	expect("numvfs_again_refused", write_sysfs(path, "1"), -EBUSY);
	ret = first_vf(pf, vf, sizeof(vf));
	expect("vf_exists", ret, 0);
	if (ret)
		goto out_pf;
	usleep(200000);
	pci_driver_of(vf, vfdrv, sizeof(vfdrv));
	tap_result(!strcmp(vfdrv, driver), tname("vf_bound_to_same_driver"),
		   "VF %s bound to '%s'", vf, vfdrv);

	ret = grp_open(&vg, vf);
	expect("vf_group", ret, 0);
	expect("vf_open_without_token", get_dev(&vg, vf, NULL), -EACCES);
	expect("vf_open_wrong_token", get_dev(&vg, vf, token_b_str), -EACCES);
	expect("vf_open_bad_option", get_dev(&vg, vf, "not-a-uuid"), -EINVAL);
	vf_fd = get_dev(&vg, vf, token_a_str);
	expect("vf_open_with_token", vf_fd < 0 ? vf_fd : 0, 0);

	/* With a VF in use, a new open of the PF must prove the token. */
	expect("pf_reopen_without_token", get_dev(&pg, pf, NULL), -EACCES);
	ret = get_dev(&pg, pf, token_a_str);
	expect("pf_reopen_with_token", ret < 0 ? ret : 0, 0);
	if (ret >= 0)
		close(ret);
	/* A token on a device that is neither PF nor VF: refused. */
	expect("token_feature_on_vf", set_token(vf_fd >= 0 ? vf_fd : pf_fd,
						token_a), -ENOTTY);

	if (vf_fd >= 0)
		close(vf_fd);
	grp_close(&vg);
	expect("numvfs_0", write_sysfs(path, "0"), 0);
out_pf:
	close(pf_fd);
	grp_close(&pg);
	write_sysfs(param, "N");
	return tap_summary();
}
