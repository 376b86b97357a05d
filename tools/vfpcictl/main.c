// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfpcictl: find, bind and diagnose the right vfio driver for a PCI
 * function.  See vfpcictl.8.  This file: options, messages, "list".
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfpcictl.h"

struct opts opt;

static const char *prog = "vfpcictl";

int fail_sys(int code, int err, const char *what)
{
	fprintf(stderr, "%s: %s: %s: %s\n", prog, what, sfs_last_path(),
		strerror(err < 0 ? -err : err));
	return code;
}

int fail(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

void note(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int group_openers(int group, int *pids, int max)
{
	char **procs, **fds, want[64], link[128];
	int np, nf, i, j, n = 0;

	if (group < 0)
		return 0;
	snprintf(want, sizeof(want), "/dev/vfio/%d", group);
	np = sfs_list(&procs, "/proc");
	for (i = 0; i < np && n < max; i++) {
		if (procs[i][0] < '0' || procs[i][0] > '9')
			continue;
		nf = sfs_list(&fds, "/proc/%s/fd", procs[i]);
		for (j = 0; j < nf; j++) {
			if (sfs_link_target(link, sizeof(link), "/proc/%s/fd/%s",
					    procs[i], fds[j]) ||
			    strcmp(link, want))
				continue;
			pids[n++] = atoi(procs[i]);
			break;
		}
		sfs_free_list(fds, nf);
	}
	sfs_free_list(procs, np);
	return n;
}

/* How the device is used: unbound, host (a host driver), vfio, open. */
static const char *usage_of(const struct pcifn *f, int *pids, int *npids)
{
	*npids = 0;
	if (!f->driver[0])
		return "unbound";
	/* Its users are its instances' (vfpcictl info BDF lists them). */
	if (mdev_is_parent(f->bdf))
		return "mdev";
	if (!is_vfio_driver(f->driver))
		return "host";
	*npids = group_openers(f->group, pids, 8);
	return *npids ? "open" : "vfio";
}

static void list_json(const struct pcifn *f, const struct vfio_match *m,
		      int nm, const char *use, const int *pids, int npids)
{
	char buf[32];
	int i;

	js_obj(NULL);
	js_str("bdf", f->bdf);
	snprintf(buf, sizeof(buf), "%04x", f->vendor);
	js_str("vendor", buf);
	snprintf(buf, sizeof(buf), "%04x", f->device);
	js_str("device", buf);
	snprintf(buf, sizeof(buf), "%04x", f->subvendor);
	js_str("subsystem_vendor", buf);
	snprintf(buf, sizeof(buf), "%04x", f->subdevice);
	js_str("subsystem_device", buf);
	snprintf(buf, sizeof(buf), "%06x", f->class);
	js_str("class", buf);
	js_bool("bridge", f->bridge);
	if (f->group >= 0)
		js_int("iommu_group", f->group);
	else
		js_null("iommu_group");
	if (f->driver[0])
		js_str("driver", f->driver);
	else
		js_null("driver");
	if (nm)
		js_str("best_vfio_driver", m[0].module);
	else
		js_null("best_vfio_driver");
	js_arr("vfio_candidates");
	for (i = 0; i < nm; i++) {
		js_obj(NULL);
		js_str("module", m[i].module);
		js_str("alias", m[i].pattern);
		js_int("specificity", m[i].specificity);
		js_bool("in_tree", m[i].in_tree);
		js_end_obj();
	}
	js_end_arr();
	js_str("use", use);
	js_bool("in_use", strcmp(use, "unbound") != 0);
	js_arr("open_by");
	for (i = 0; i < npids; i++)
		js_int(NULL, pids[i]);
	js_end_arr();
	js_bool("resettable", f->reset[0] != '\0');
	js_str("reset_method", f->reset);
	js_end_obj();
}

int cmd_list(void)
{
	struct vfio_match m[8];
	struct pcifn f;
	char **bdfs, grp[12];
	int n, i, nm, pids[8], npids, ret;
	const char *use;

	n = pci_list(&bdfs);
	if (n < 0)
		return fail_sys(EX_SYS, n, "cannot list PCI devices");
	if (opt.json)
		js_arr(NULL);
	else
		printf("%-13s %-9s %-6s %5s %-12s %-12s %-7s %s\n", "BDF",
		       "ID", "CLASS", "GROUP", "DRIVER", "BEST-VFIO", "USE",
		       "RESET");
	for (i = 0; i < n; i++) {
		ret = pcifn_load(&f, bdfs[i]);
		if (ret) {
			sfs_free_list(bdfs, n);
			return fail_sys(EX_SYS, ret, "cannot read device");
		}
		nm = f.bridge ? 0 : mods_matches(&f, m, 8);
		use = usage_of(&f, pids, &npids);
		if (opt.json) {
			list_json(&f, m, nm, use, pids, npids);
			continue;
		}
		if (f.group >= 0)
			snprintf(grp, sizeof(grp), "%d", f.group);
		else
			snprintf(grp, sizeof(grp), "-");
		printf("%-13s %04x:%04x %06x %5s %-12s %-12s %-7s %s\n",
		       f.bdf, f.vendor, f.device, f.class, grp,
		       f.driver[0] ? f.driver : "-",
		       nm ? m[0].module : "-", use,
		       f.reset[0] ? f.reset : "-");
	}
	if (opt.json) {
		js_end_arr();
		js_done();
	} else {
		char path[PATH_MAX];
		const char *kind = mods_vfio_pci_kind(path, sizeof(path));

		printf("vfio-pci: %s%s%s%s\n", kind, path[0] ? " (" : "", path,
		       path[0] ? ")" : "");
	}
	sfs_free_list(bdfs, n);
	return EX_OK;
}

static void usage(FILE *out)
{
	fprintf(out,
"Usage: vfpcictl [options] COMMAND [BDF]\n"
"  list                 every PCI function and its best vfio driver\n"
"  bind BDF             give BDF to a vfio driver (--driver, --group,\n"
"                       --persist)\n"
"  unbind BDF           give BDF back to the driver it had before\n"
"  apply [BDF]          bind the devices saved with --persist\n"
"  doctor BDF           what stands between BDF and a VM (--vm-mem)\n"
"  info BDF             open BDF through VFIO: regions, IRQs, features\n"
"                       (an mdev: its UUID; an mdev parent: its types)\n"
"Options: --json --driver NAME --group --persist --vm-mem SIZE[KMG]\n"
"         --moddir DIR --conf-dir DIR --state-dir DIR --sysfs-root DIR\n"
"Exit: 0 ok, 1 doctor found errors, 2 usage, 3 no such device/driver,\n"
"      4 system error, 5 device did not end on the expected driver.\n");
}

static int parse_size(const char *s, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'G': case 'g':
		v <<= 10;
		/* fall through */
	case 'M': case 'm':
		v <<= 10;
		/* fall through */
	case 'K': case 'k':
		v <<= 10;
		end++;
		break;
	}
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

enum { O_DRIVER = 256, O_MODDIR, O_CONF, O_STATE, O_ROOT, O_VMMEM };

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "group", no_argument, NULL, 'g' },
		{ "persist", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "driver", required_argument, NULL, O_DRIVER },
		{ "moddir", required_argument, NULL, O_MODDIR },
		{ "conf-dir", required_argument, NULL, O_CONF },
		{ "state-dir", required_argument, NULL, O_STATE },
		{ "sysfs-root", required_argument, NULL, O_ROOT },
		{ "vm-mem", required_argument, NULL, O_VMMEM },
		{ }
	};
	const char *cmd, *bdf;
	int c, ret;

	opt.moddir = getenv("VFPCICTL_MODDIR");
	opt.confdir = getenv("VFPCICTL_CONF_DIR");
	opt.statedir = getenv("VFPCICTL_STATE_DIR");
	sfs_set_root(getenv("VFPCICTL_SYSFS_ROOT"));
	while ((c = getopt_long(argc, argv, "jgph", lopts, NULL)) != -1) {
		switch (c) {
		case 'j': opt.json = true; break;
		case 'g': opt.group = true; break;
		case 'p': opt.persist = true; break;
		case 'h': usage(stdout); return EX_OK;
		case O_DRIVER: opt.driver = optarg; break;
		case O_MODDIR: opt.moddir = optarg; break;
		case O_CONF: opt.confdir = optarg; break;
		case O_STATE: opt.statedir = optarg; break;
		case O_ROOT: sfs_set_root(optarg); break;
		case O_VMMEM:
			if (parse_size(optarg, &opt.vm_mem))
				return fail(EX_USAGE, "bad --vm-mem %s", optarg);
			break;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (!opt.confdir)
		opt.confdir = "/etc/vfpcictl.d";
	if (!opt.statedir)
		opt.statedir = "/run/vfpcictl";
	if (optind >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	cmd = argv[optind++];
	bdf = optind < argc ? argv[optind++] : NULL;
	if (optind < argc)
		return fail(EX_USAGE, "too many arguments (see --help)");
	ret = mods_init();
	if (ret)
		return fail(EX_SYS, "libkmod: %s", strerror(-ret));

	if (!strcmp(cmd, "list") && !bdf)
		ret = cmd_list();
	else if (!strcmp(cmd, "apply"))
		ret = cmd_apply(bdf);
	else if (!bdf)
		ret = fail(EX_USAGE, "%s needs a device address (see --help)",
			   cmd);
	else if (!strcmp(cmd, "bind"))
		ret = cmd_bind(bdf);
	else if (!strcmp(cmd, "unbind"))
		ret = cmd_unbind(bdf);
	else if (!strcmp(cmd, "doctor"))
		ret = cmd_doctor(bdf);
	else if (!strcmp(cmd, "info"))
		ret = cmd_info(bdf);
	else
		ret = fail(EX_USAGE, "unknown command %s (see --help)", cmd);
	mods_exit();
	return ret;
}
