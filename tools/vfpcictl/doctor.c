// SPDX-License-Identifier: GPL-2.0-only
/*
 * doctor: what stands between a device and a VM, in plain words.  Each
 * check has a stable id (vfpcictl.8 lists them), a level and, when it is
 * not fine, a suggested fix.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "vfpcictl.h"

enum level { L_OK, L_INFO, L_WARN, L_ERROR };

static const char * const level_name[] = { "ok", "info", "warn", "error" };
static int n_err, n_warn;

static void report(const char *id, enum level lvl, const char *fix,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void report(const char *id, enum level lvl, const char *fix,
		   const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n_err += lvl == L_ERROR;
	n_warn += lvl == L_WARN;
	if (opt.json) {
		js_obj(NULL);
		js_str("id", id);
		js_str("level", level_name[lvl]);
		js_str("message", msg);
		if (fix && lvl >= L_WARN)
			js_str("fix", fix);
		js_end_obj();
		return;
	}
	printf("%-5s %-18s %s\n", level_name[lvl], id, msg);
	if (fix && lvl >= L_WARN)
		printf("      %-18s fix: %s\n", "", fix);
}

static void check_iommu(const struct pcifn *f)
{
	char cmdline[1024] = "";
	int groups = iommu_group_count();

	if (f->group >= 0) {
		report("iommu-off", L_OK, NULL, "IOMMU on: device in group %d",
		       f->group);
		return;
	}
	sfs_read(cmdline, sizeof(cmdline), "/proc/cmdline");
	report("iommu-off", L_ERROR,
	       "enable VT-d/AMD-Vi in the firmware, add intel_iommu=on (Intel) or amd_iommu=on (AMD) to the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub) and reboot",
	       "no IOMMU group for this device (%d groups in /sys/kernel/iommu_groups%s%s%s): VFIO needs an IOMMU",
	       groups, cmdline[0] ? "; kernel command line: \"" : "",
	       cmdline, cmdline[0] ? "\"" : "");
}

static void check_vfio_core(void)
{
	if (sfs_exists("/dev/vfio/vfio"))
		report("vfio-missing", L_OK, NULL, "/dev/vfio/vfio exists");
	else
		report("vfio-missing", L_WARN, "modprobe vfio-pci",
		       "/dev/vfio/vfio does not exist: the VFIO core is not loaded");
}

/* Whose vfio-pci this host has: the kernel's own or vfpci's drop-in. */
static void check_vfio_pci_kind(void)
{
	char path[PATH_MAX];
	const char *kind = mods_vfio_pci_kind(path, sizeof(path));

	if (!strcmp(kind, "none"))
		report("vfio-pci", L_INFO,
		       "install Debian's linux-image, or vfpci's drop-in (make install-dropin, or make dkms-install DROPIN=1)",
		       "no vfio-pci module: tools that know only that name (DPDK, driverctl, libvirt) cannot bind devices");
	else
		report("vfio-pci", L_INFO, NULL,
		       "vfio-pci is %s%s%s%s", !strcmp(kind, "in-kernel") ?
		       "the kernel's own" : "vfpci's drop-in",
		       path[0] ? " (" : "", path, path[0] ? ")" : "");
}

/* Returns the chosen module (or "" when none). */
static void check_driver(const struct pcifn *f, char *mod, size_t len)
{
	struct vfio_match m[8];
	const char *state;
	int nm;

	mod[0] = '\0';
	if (f->bridge) {
		report("bridge", L_ERROR, "assign the devices behind it instead",
		       "%s is a bridge (class %06x): bridges cannot be given to a VM",
		       f->bdf, f->class);
		return;
	}
	if (opt.driver) {
		snprintf(mod, len, "%s", opt.driver);
	} else {
		nm = mods_matches(f, m, 8);
		if (!nm) {
			report("no-vfio-driver", L_ERROR,
			       "install vfio-pci (Debian's linux-image) or vfpci (sudo make install)",
			       "no module in modules.alias has a vfio_pci: alias matching %04x:%04x",
			       f->vendor, f->device);
			return;
		}
		snprintf(mod, len, "%s", m[0].module);
	}
	if (pci_driver_registered(mod)) {
		report("module-missing", L_OK, NULL, "driver %s is registered",
		       mod);
		return;
	}
	state = mods_state(mod);
	if (strcmp(state, "missing"))
		report("module-missing", L_OK, NULL, "module %s is %s", mod,
		       state);
	else
		report("module-missing", L_ERROR,
		       "install it (vfpci: sudo make install or make dkms-install), check the name (vfpcictl list shows the candidates), then modprobe it",
		       "module %s is neither loaded, built in nor installed for this kernel",
		       mod);
}

static void check_denylist(const struct pcifn *f, const char *mod)
{
	char val[8] = "";

	if (!denylisted(f)) {
		report("denylisted", L_OK, NULL, "not on vfio-pci's denylist");
		return;
	}
	sfs_read(val, sizeof(val), "/sys/module/%s/parameters/disable_denylist",
		 mod);
	if (val[0] == 'Y' || val[0] == '1') {
		report("denylisted", L_INFO, NULL,
		       "%04x:%04x is on vfio-pci's denylist, but %s has disable_denylist=1",
		       f->vendor, f->device, mod);
		return;
	}
	report("denylisted", L_ERROR,
	       "use the device's own host driver, or load the vfio driver with disable_denylist=1 (options vfio-pci disable_denylist=1) if you accept the risk",
	       "%04x:%04x is on vfio-pci's denylist (a device known to misbehave with VFIO): the generic vfio drivers refuse to probe it",
	       f->vendor, f->device);
}

static void check_group(const struct pcifn *f)
{
	char **mem, others[1024] = "";
	struct pcifn o;
	int n, i, blocking = 0, endpoints = 0;
	size_t len = 0;

	if (f->group < 0)
		return;
	n = pci_group_members(f->group, &mem);
	if (n < 0) {
		report("group-not-viable", L_WARN, NULL,
		       "cannot list group %d: %s", f->group, strerror(-n));
		return;
	}
	for (i = 0; i < n; i++) {
		if (!strcmp(mem[i], f->bdf) || pcifn_load(&o, mem[i]))
			continue;
		/* Bridges on pcieport, and pci-stub, keep a group viable. */
		if (o.bridge && (!o.driver[0] || !strcmp(o.driver, "pcieport")))
			continue;
		endpoints++;
		if (o.driver[0] && !is_vfio_driver(o.driver) &&
		    strcmp(o.driver, "pci-stub"))
			blocking++;
		len += snprintf(others + len, sizeof(others) - len, "%s%s (%s)",
				len ? ", " : "", o.bdf,
				o.driver[0] ? o.driver : "no driver");
		if (len >= sizeof(others))
			len = sizeof(others) - 1;
	}
	sfs_free_list(mem, n);
	if (blocking)
		report("group-not-viable", L_ERROR,
		       "bind the whole group: vfpcictl bind --group BDF (or unbind the others from their host drivers)",
		       "IOMMU group %d is not viable: other members are on host drivers: %s",
		       f->group, others);
	else if (endpoints)
		report("group-not-viable", L_INFO, NULL,
		       "IOMMU group %d is shared with %s: a VM gets them all (vfpcictl bind --group)",
		       f->group, others);
	else
		report("group-not-viable", L_OK, NULL,
		       "alone in IOMMU group %d", f->group);
}

static void check_reset(const struct pcifn *f)
{
	if (f->reset[0])
		report("no-reset", L_OK, NULL, "reset methods: %s", f->reset);
	else
		report("no-reset", L_WARN,
		       "give it to one VM for the VM's whole life, or put it alone behind a root port so a bus reset works",
		       "no reset method (no reset_method in sysfs): state leaks from one user to the next and a VM reboot cannot reset it");
}

static void check_power(const struct pcifn *f)
{
	static const char fix[] =
		"echo on > /sys/bus/pci/devices/BDF/power/control (and on the upstream bridge), or the vfio driver's disable_idle_d3=1; check the slot's power in the firmware";

	if (!strcmp(f->power, "D3cold"))
		report("d3cold", L_ERROR, fix,
		       "the device is in D3cold (powered off): it cannot be used until it is powered up");
	else if (f->cfg_dead)
		report("d3cold", L_ERROR, fix,
		       "config space reads all ones: the device is in D3cold or gone");
	else
		report("d3cold", L_OK, NULL, "powered (%s)",
		       f->power[0] ? f->power : "config space answers");
}

static bool has_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[CAP_IPC_LOCK / 32].effective &
	       (1u << (CAP_IPC_LOCK % 32));
}

static void check_memlock(void)
{
	struct rlimit rl;
	unsigned long long mib = opt.vm_mem >> 20;

	if (!opt.vm_mem)
		return;
	if (getrlimit(RLIMIT_MEMLOCK, &rl)) {
		report("memlock", L_WARN, NULL, "getrlimit: %s", strerror(errno));
		return;
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= opt.vm_mem) {
		report("memlock", L_OK, NULL,
		       "locked memory limit covers a %llu MiB VM", mib);
		return;
	}
	if (has_ipc_lock()) {
		report("memlock", L_INFO, NULL,
		       "locked memory limit is %llu KiB, below %llu MiB, but CAP_IPC_LOCK lifts it for this user",
		       (unsigned long long)rl.rlim_cur >> 10, mib);
		return;
	}
	report("memlock", L_ERROR,
	       "raise it for the VM's user: ulimit -l, memlock in /etc/security/limits.conf or LimitMEMLOCK= in its service (libvirt does this itself)",
	       "locked memory limit is %llu KiB: a %llu MiB VM pins all its RAM for DMA and will fail to map it",
	       (unsigned long long)rl.rlim_cur >> 10, mib);
}

/*
 * The VF of an SR-IOV NVMe controller is useless until its PF assigns
 * resources to its secondary controller and onlines it: vfpci_nvme does
 * that through nvmepf, so the PF must be on nvmepf with room for the
 * VF's share.
 */
static void check_nvme_vf(const struct pcifn *f)
{
	unsigned int vqa, vqt, via, vit, vqs = 0, vis = 0;
	char pf[PCI_BDF_LEN + 8], drv[64] = "", a[64], st[128] = "";
	char res[64] = "", fix[256];
	unsigned long v;

	if ((f->class >> 8) != 0x0108 || pci_physfn(f->bdf, pf, sizeof(pf)))
		return;
	sfs_link_name(drv, sizeof(drv), "/sys/bus/pci/devices/%s/driver", pf);
	if (strcmp(drv, "nvmepf")) {
		report("nvme-secondary", L_WARN,
		       "bind the PF to nvmepf (driver_override), enable the VFs again and bind this one to vfpci_nvme",
		       "NVMe VF of PF %s on %s: its secondary controller stays offline unless that driver brings it online; vfpci_nvme needs the PF on nvmepf",
		       pf, drv[0] ? drv : "no driver");
		return;
	}
	nvmepf_adev_name(f->bdf, a, sizeof(a));
	if (sfs_read(st, sizeof(st), "/sys/bus/auxiliary/devices/%s/state", a)) {
		report("nvme-secondary", L_ERROR,
		       "disable and enable the PF's VFs again (sriov_numvfs)",
		       "PF %s is on nvmepf but has no auxiliary device %s for this VF",
		       pf, a);
		return;
	}
	if (!sfs_read_ulong(&v, "/sys/bus/auxiliary/devices/%s/vq_share", a))
		vqs = v;
	if (!sfs_read_ulong(&v, "/sys/bus/auxiliary/devices/%s/vi_share", a))
		vis = v;
	sfs_read(res, sizeof(res), "/sys/bus/pci/devices/%s/nvmepf/resources",
		 pf);
	if (!strstr(st, "claimed 1") &&
	    sscanf(res, "vq %u/%u vi %u/%u", &vqa, &vqt, &via, &vit) == 4 &&
	    (vqt - vqa < vqs || vit - via < vis)) {
		snprintf(fix, sizeof(fix),
			 "close another VF of this PF, or lower vq_share/vi_share in /sys/bus/auxiliary/devices/%s/",
			 a);
		report("nvme-secondary", L_ERROR, fix,
		       "no flexible resources left for this VF's share (vq %u vi %u): the PF has assigned %s",
		       vqs, vis, res);
		return;
	}
	report("nvme-secondary", L_OK, NULL,
	       "secondary controller through %s: %s; share vq %u vi %u; PF %s",
	       a, st, vqs, vis, res);
}

static void check_use(const struct pcifn *f)
{
	int pids[8], n;

	if (!f->driver[0]) {
		report("in-use", L_OK, NULL, "not bound to any driver");
		return;
	}
	if (mdev_is_parent(f->bdf)) {
		report("in-use", L_INFO, NULL,
		       "mdev parent on %s with %d instance(s), each a VFIO device of its own: vfpcictl info %s lists them",
		       f->driver, mdev_count(f->bdf), f->bdf);
		return;
	}
	if (!is_vfio_driver(f->driver)) {
		report("in-use", L_INFO, NULL,
		       "on host driver %s: binding takes it from the host",
		       f->driver);
		return;
	}
	n = group_openers(f->group, pids, 8);
	if (n)
		report("in-use", L_INFO, NULL,
		       "on %s, group opened by pid %d%s", f->driver, pids[0],
		       n > 1 ? " and others" : "");
	else
		report("in-use", L_OK, NULL, "on %s, not open", f->driver);
}

int cmd_doctor(const char *bdf)
{
	struct pcifn f;
	char mod[64];
	int ret;

	ret = pcifn_load(&f, bdf);
	if (ret == -ENODEV || ret == -EINVAL)
		return fail(EX_NODEV, "no PCI device %s", bdf);
	if (ret)
		return fail_sys(EX_SYS, ret, "cannot read device");
	if (opt.json) {
		js_obj(NULL);
		js_str("bdf", f.bdf);
		js_arr("checks");
	} else {
		printf("%s %04x:%04x class %06x, driver %s\n", f.bdf, f.vendor,
		       f.device, f.class, f.driver[0] ? f.driver : "none");
	}
	check_iommu(&f);
	check_vfio_core();
	check_vfio_pci_kind();
	check_driver(&f, mod, sizeof(mod));
	if (!f.bridge)
		check_denylist(&f, mod);
	check_group(&f);
	check_reset(&f);
	check_power(&f);
	check_nvme_vf(&f);
	check_memlock();
	check_use(&f);
	if (opt.json) {
		js_end_arr();
		js_int("errors", n_err);
		js_int("warnings", n_warn);
		js_end_obj();
		js_done();
	} else {
		printf("%d error%s, %d warning%s\n", n_err, n_err == 1 ? "" : "s",
		       n_warn, n_warn == 1 ? "" : "s");
	}
	return n_err ? EX_PROBLEMS : EX_OK;
}
