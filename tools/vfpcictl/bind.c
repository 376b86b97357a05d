// SPDX-License-Identifier: GPL-2.0-only
/*
 * bind, unbind and apply.  A bind remembers the driver (and override) the
 * device had in STATEDIR/BDF, so unbind can give it back; --persist saves
 * the choice in CONFDIR/pci-BDF, which "apply" replays at boot (a udev
 * rule calls "vfpcictl apply BDF" for each PCI device that appears).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vfpcictl.h"

struct saved {
	char driver[64];
	char override[64];
};

static int state_load(const char *bdf, struct saved *s)
{
	char buf[256], *line, *save = NULL;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = sfs_read(buf, sizeof(buf), "%s/%s", opt.statedir, bdf);
	if (ret)
		return ret;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "driver=", 7))
			snprintf(s->driver, sizeof(s->driver), "%s", line + 7);
		else if (!strncmp(line, "override=", 9))
			snprintf(s->override, sizeof(s->override), "%s",
				 line + 9);
	}
	return 0;
}

static int state_save(const struct pcifn *f)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "driver=%s\noverride=%s\n", f->driver,
		 f->override);
	return sfs_put_file(buf, "%s/%s", opt.statedir, f->bdf);
}

/* Pick the driver for @f: @want (a module or driver name) or the best. */
static int choose(const struct pcifn *f, const char *want, char *drv,
		  size_t dlen, char *mod, size_t mlen)
{
	struct vfio_match m[8];
	int ret;

	if (!want) {
		if (mods_matches(f, m, 8) == 0)
			return fail(EX_NODEV,
				    "%s: no vfio driver matches %04x:%04x in modules.alias (is vfio-pci installed? try --driver)",
				    f->bdf, f->vendor, f->device);
		want = m[0].module;
	}
	ret = mods_driver_for(want, drv, dlen, mod, mlen);
	if (ret == -ENOENT)
		return fail(EX_NODEV,
			    "%s: no driver or module named %s (not loaded, not installed: sudo make install, or modprobe)",
			    f->bdf, want);
	if (ret)
		return fail_sys(EX_SYS, ret, want);
	return EX_OK;
}

static int bind_one(const char *bdf, const char *want, bool persist)
{
	char drv[64], mod[64], buf[160];
	struct pcifn f;
	int ret;

	ret = pcifn_load(&f, bdf);
	if (ret == -ENODEV || ret == -EINVAL)
		return fail(EX_NODEV, "no PCI device %s", bdf);
	if (ret)
		return fail_sys(EX_SYS, ret, "cannot read device");
	if (f.bridge)
		return fail(EX_USAGE, "%s is a bridge: bridges stay on the host",
			    f.bdf);
	ret = choose(&f, want, drv, sizeof(drv), mod, sizeof(mod));
	if (ret)
		return ret;
	if (strcmp(f.driver, drv)) {
		/* Remember the first owner only: a rebind keeps it. */
		if (state_load(f.bdf, &(struct saved){}) == -ENOENT) {
			ret = state_save(&f);
			if (ret)
				return fail_sys(EX_SYS, ret, "cannot save state");
		}
		ret = pci_set_override(f.bdf, drv);
		if (ret)
			return fail_sys(EX_SYS, ret, "cannot set driver_override");
		if (f.driver[0]) {
			ret = pci_unbind(f.bdf, f.driver);
			if (ret)
				return fail_sys(EX_SYS, ret, "cannot unbind");
		}
		/* A refusal shows as the wrong driver below: no need here. */
		pci_probe(f.bdf);
		ret = pcifn_load(&f, bdf);
		if (ret)
			return fail_sys(EX_SYS, ret, "cannot read device");
		if (strcmp(f.driver, drv))
			return fail(EX_VERIFY,
				    "%s: %s did not take the device (now on %s); see dmesg",
				    f.bdf, drv, f.driver[0] ? f.driver : "no driver");
		printf("%s: bound to %s\n", f.bdf, drv);
	} else {
		printf("%s: already on %s\n", f.bdf, drv);
	}
	if (persist) {
		snprintf(buf, sizeof(buf), "%s\n", mod[0] ? mod : drv);
		ret = sfs_put_file(buf, "%s/pci-%s", opt.confdir, f.bdf);
		if (ret)
			return fail_sys(EX_SYS, ret, "cannot save --persist");
		printf("%s: saved in %s/pci-%s\n", f.bdf, opt.confdir, f.bdf);
	}
	return EX_OK;
}

/* The worse of two exit codes (any failure beats success). */
static int worse(int a, int b)
{
	return a > b ? a : b;
}

/* Call @fn on every endpoint of @bdf's IOMMU group, @bdf first. */
static int each_in_group(const char *bdf,
			 int (*fn)(const char *bdf, const char *want, bool p),
			 const char *want)
{
	struct pcifn f, o;
	char **mem;
	int n, i, ret;

	ret = pcifn_load(&f, bdf);
	if (ret)
		return fail(EX_NODEV, "no PCI device %s", bdf);
	if (f.group < 0)
		return fail(EX_SYS,
			    "%s has no IOMMU group (IOMMU off? see vfpcictl doctor)",
			    f.bdf);
	ret = fn(f.bdf, want, opt.persist);
	n = pci_group_members(f.group, &mem);
	if (n < 0)
		return fail_sys(EX_SYS, n, "cannot list the IOMMU group");
	for (i = 0; i < n; i++) {
		if (!strcmp(mem[i], f.bdf) || pcifn_load(&o, mem[i]) ||
		    o.bridge)
			continue;
		/* Other members get their own best driver. */
		ret = worse(ret, fn(mem[i], NULL, opt.persist));
	}
	sfs_free_list(mem, n);
	return ret;
}

int cmd_bind(const char *bdf)
{
	if (opt.group)
		return each_in_group(bdf, bind_one, opt.driver);
	return bind_one(bdf, opt.driver, opt.persist);
}

static int unbind_one(const char *bdf, const char *unused, bool unused2)
{
	char drv[64], mod[64];
	struct saved s;
	struct pcifn f;
	bool known;
	int ret;

	(void)unused;
	(void)unused2;
	ret = pcifn_load(&f, bdf);
	if (ret == -ENODEV || ret == -EINVAL)
		return fail(EX_NODEV, "no PCI device %s", bdf);
	if (ret)
		return fail_sys(EX_SYS, ret, "cannot read device");
	ret = state_load(f.bdf, &s);
	known = !ret;
	if (ret && ret != -ENOENT)
		return fail_sys(EX_SYS, ret, "cannot read state");
	if (!known && !is_vfio_driver(f.driver)) {
		printf("%s: not bound by vfpcictl, on %s: nothing to do\n",
		       f.bdf, f.driver[0] ? f.driver : "no driver");
		return EX_OK;
	}
	/*
	 * Steer the probe to the old driver through the override: drivers
	 * with no id table (uio_pci_generic, pci-stub) match no other way.
	 */
	ret = pci_set_override(f.bdf, known ? s.driver : "");
	if (ret)
		return fail_sys(EX_SYS, ret, "cannot set driver_override");
	if (f.driver[0]) {
		ret = pci_unbind(f.bdf, f.driver);
		if (ret)
			return fail_sys(EX_SYS, ret, "cannot unbind");
	}
	/* Its old driver may have been unloaded since: load it again. */
	if (known && s.driver[0] && !pci_driver_registered(s.driver))
		mods_driver_for(s.driver, drv, sizeof(drv), mod, sizeof(mod));
	if (!known || s.driver[0])
		pci_probe(f.bdf);
	ret = pci_set_override(f.bdf, known ? s.override : "");
	if (ret)
		return fail_sys(EX_SYS, ret, "cannot restore driver_override");
	ret = pcifn_load(&f, bdf);
	if (ret)
		return fail_sys(EX_SYS, ret, "cannot read device");
	sfs_unlink("%s/pci-%s", opt.confdir, f.bdf);
	if (known && strcmp(f.driver, s.driver))
		return fail(EX_VERIFY, "%s: wanted %s back, got %s", f.bdf,
			    s.driver[0] ? s.driver : "no driver",
			    f.driver[0] ? f.driver : "no driver");
	if (known) {
		ret = sfs_unlink("%s/%s", opt.statedir, f.bdf);
		if (ret)
			return fail_sys(EX_SYS, ret, "cannot remove state");
	}
	printf("%s: back on %s%s\n", f.bdf,
	       f.driver[0] ? f.driver : "no driver",
	       known ? "" : " (no record of its first driver)");
	return EX_OK;
}

int cmd_unbind(const char *bdf)
{
	if (opt.group)
		return each_in_group(bdf, unbind_one, NULL);
	return unbind_one(bdf, NULL, false);
}

static int apply_one(const char *bdf)
{
	char want[64];
	int ret;

	ret = sfs_read(want, sizeof(want), "%s/pci-%s", opt.confdir, bdf);
	if (ret == -ENOENT)
		return EX_OK;	/* udev asks for every device */
	if (ret)
		return fail_sys(EX_SYS, ret, "cannot read saved binding");
	return bind_one(bdf, want, false);
}

int cmd_apply(const char *bdf)
{
	char **names, norm[PCI_BDF_LEN];
	int n, i, ret = EX_OK;

	if (bdf) {
		if (pci_norm_bdf(bdf, norm, sizeof(norm)))
			return fail(EX_USAGE, "bad PCI address %s", bdf);
		return apply_one(norm);
	}
	n = sfs_list(&names, "%s", opt.confdir);
	if (n == -ENOENT)
		return EX_OK;
	if (n < 0)
		return fail_sys(EX_SYS, n, "cannot list saved bindings");
	for (i = 0; i < n; i++) {
		if (strncmp(names[i], "pci-", 4) ||
		    pci_norm_bdf(names[i] + 4, norm, sizeof(norm)) ||
		    strcmp(norm, names[i] + 4))
			continue;
		if (!sfs_exists("/sys/bus/pci/devices/%s", norm)) {
			note("%s: saved but not present", norm);
			continue;
		}
		ret = worse(ret, apply_one(norm));
	}
	sfs_free_list(names, n);
	return ret;
}
