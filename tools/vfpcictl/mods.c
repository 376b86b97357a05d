// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which vfio driver fits a device, and loading it.  The candidates are the
 * "vfio_pci:" aliases of modules.alias (the in-kernel vfio-pci, ours and
 * any variant driver alike); libkmod answers where a module lives and
 * loads it with its dependencies.
 *
 * Ranking: more fully given fields in the pattern wins (vendor and device
 * beat the wildcard); on a tie a module shipped with the kernel wins over
 * one installed later (updates/, extra/), because it is the reference
 * every guide assumes; then the module name decides, so the answer never
 * depends on file order.
 *
 * A variant that fuses a VF with its PF's driver (vfpci_nvme with nvmepf)
 * shares its IDs with the PF and with plain devices: modules.alias cannot
 * tell, so it is a candidate only for a VF whose PF has that driver.
 */
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <libkmod.h>

#include "vfpcictl.h"

struct alias {
	char *pattern;
	char *module;
};

static struct kmod_ctx *kctx;
static struct alias *aliases;
static int n_aliases;
static char moddir[PATH_MAX];

static int alias_add(const char *pattern, const char *module)
{
	struct alias *na;

	na = realloc(aliases, (n_aliases + 1) * sizeof(*na));
	if (!na)
		return -ENOMEM;
	aliases = na;
	na[n_aliases].pattern = strdup(pattern);
	na[n_aliases].module = strdup(module);
	if (!na[n_aliases].pattern || !na[n_aliases].module)
		return -ENOMEM;
	n_aliases++;
	return 0;
}

/* Keep only the vfio_pci: lines of modules.alias. */
static int alias_load(void)
{
	char path[PATH_MAX + 16], line[512], pat[256], mod[128];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/modules.alias", moddir);
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		note("cannot read %s: %s (no vfio driver will be suggested)",
		     path, strerror(-ret));
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "alias %255s %127s", pat, mod) != 2 ||
		    strncmp(pat, "vfio_pci:", 9))
			continue;
		ret = alias_add(pat, mod);
		if (ret)
			break;
	}
	fclose(f);
	return ret;
}

int mods_init(void)
{
	const char *dir = opt.moddir;
	struct utsname u;

	if (!dir) {
		uname(&u);
		snprintf(moddir, sizeof(moddir), "/lib/modules/%s", u.release);
	} else {
		snprintf(moddir, sizeof(moddir), "%s", dir);
	}
	kctx = kmod_new(moddir, NULL);
	if (!kctx)
		return -ENOMEM;
	/* Map the indexes once instead of once per lookup. */
	kmod_load_resources(kctx);
	return alias_load();
}

void mods_exit(void)
{
	int i;

	for (i = 0; i < n_aliases; i++) {
		free(aliases[i].pattern);
		free(aliases[i].module);
	}
	free(aliases);
	aliases = NULL;
	n_aliases = 0;
	kmod_unref(kctx);
	kctx = NULL;
}

/*
 * Count the fields given in full in a "vfio_pci:vXdXsvXsdXbcXscXiX"
 * pattern: each field is a lowercase marker followed by its value.
 */
static int alias_specificity(const char *pattern)
{
	const char *p = pattern + strlen("vfio_pci:");
	int n = 0;

	while (*p) {
		bool wild = false, empty = true;

		while (*p >= 'a' && *p <= 'z')
			p++;
		for (; *p && !(*p >= 'a' && *p <= 'z'); p++) {
			empty = false;
			if (*p == '*' || *p == '?' || *p == '[')
				wild = true;
		}
		if (!empty && !wild)
			n++;
	}
	return n;
}

static bool module_in_tree(const char *module)
{
	struct kmod_module *m;
	const char *path;
	char prefix[PATH_MAX + 16];
	bool ret = false;

	if (kmod_module_new_from_name(kctx, module, &m) < 0)
		return false;
	path = kmod_module_get_path(m);
	snprintf(prefix, sizeof(prefix), "%s/kernel/", moddir);
	if (path)
		ret = !strncmp(path, prefix, strlen(prefix));
	else
		ret = kmod_module_get_initstate(m) == KMOD_MODULE_BUILTIN;
	kmod_module_unref(m);
	return ret;
}

static int match_cmp(const void *pa, const void *pb)
{
	const struct vfio_match *a = pa, *b = pb;

	if (a->specificity != b->specificity)
		return b->specificity - a->specificity;
	if (a->in_tree != b->in_tree)
		return b->in_tree - a->in_tree;
	return strcmp(a->module, b->module);
}

static const struct {
	const char *module;
	const char *pf_driver;
} pf_partners[] = {
	{ "vfpci_nvme", "nvmepf" },
};

/* Whether @module can serve @f: a VF whose PF has the partner driver. */
static bool pf_partner_ok(const struct pcifn *f, const char *module)
{
	char pf[PCI_BDF_LEN + 8], drv[64];
	size_t i;

	for (i = 0; i < sizeof(pf_partners) / sizeof(pf_partners[0]); i++) {
		if (strcmp(module, pf_partners[i].module))
			continue;
		if (sfs_link_name(pf, sizeof(pf), "/sys/bus/pci/devices/%s/physfn",
				  f->bdf) ||
		    sfs_link_name(drv, sizeof(drv),
				  "/sys/bus/pci/devices/%s/driver", pf))
			return false;
		return !strcmp(drv, pf_partners[i].pf_driver);
	}
	return true;
}

int mods_matches(const struct pcifn *f, struct vfio_match *out, int max)
{
	char alias[96];
	int i, n = 0;

	pci_vfio_modalias(f, alias, sizeof(alias));
	for (i = 0; i < n_aliases && n < max; i++) {
		if (fnmatch(aliases[i].pattern, alias, 0) ||
		    !pf_partner_ok(f, aliases[i].module))
			continue;
		snprintf(out[n].module, sizeof(out[n].module), "%s",
			 aliases[i].module);
		snprintf(out[n].pattern, sizeof(out[n].pattern), "%s",
			 aliases[i].pattern);
		out[n].specificity = alias_specificity(aliases[i].pattern);
		out[n].in_tree = module_in_tree(aliases[i].module);
		n++;
	}
	qsort(out, n, sizeof(*out), match_cmp);
	return n;
}

bool mods_is_vfio_module(const char *module)
{
	int i;

	for (i = 0; i < n_aliases; i++)
		if (!strcmp(aliases[i].module, module))
			return true;
	return false;
}

bool is_vfio_driver(const char *driver)
{
	char mod[64];

	if (!driver[0])
		return false;
	if (strstr(driver, "vfio") || !strncmp(driver, "vfpci", 5))
		return true;
	return !pci_driver_module(driver, mod, sizeof(mod)) && mod[0] &&
	       mods_is_vfio_module(mod);
}

/*
 * Whose vfio-pci modprobe loads: the kernel's own, or vfpci's drop-in
 * (scripts/dropin: the same name in updates/, which modprobe prefers).
 * @path gets the file, "" when built in or missing.
 */
const char *mods_vfio_pci_kind(char *path, size_t len)
{
	struct kmod_list *info = NULL, *l;
	const char *kind = "none", *p;
	struct kmod_module *m;

	path[0] = '\0';
	if (kmod_module_new_from_name(kctx, "vfio_pci", &m) < 0)
		return kind;
	p = kmod_module_get_path(m);
	if (!p) {
		if (kmod_module_get_initstate(m) == KMOD_MODULE_BUILTIN)
			kind = "in-kernel";
		kmod_module_unref(m);
		return kind;
	}
	snprintf(path, len, "%s", p);
	kind = "in-kernel";
	if (kmod_module_get_info(m, &info) >= 0) {
		kmod_list_foreach(l, info) {
			if (strcmp(kmod_module_info_get_key(l), "description"))
				continue;
			if (!strncmp(kmod_module_info_get_value(l),
				     "vfpci drop-in", 13))
				kind = "vfpci drop-in";
		}
		kmod_module_info_free_list(info);
	}
	kmod_module_unref(m);
	return kind;
}

const char *mods_state(const char *module)
{
	struct kmod_module *m;
	const char *ret = "missing";
	int st;

	if (kmod_module_new_from_name(kctx, module, &m) < 0)
		return ret;
	st = kmod_module_get_initstate(m);
	if (st == KMOD_MODULE_BUILTIN)
		ret = "builtin";
	else if (kmod_module_get_path(m))
		ret = "installed";
	else if (st == KMOD_MODULE_LIVE || st == KMOD_MODULE_COMING)
		ret = "loaded";
	kmod_module_unref(m);
	return ret;
}

int mods_load(const char *module)
{
	struct kmod_module *m;
	const char *state = mods_state(module);
	int ret;

	if (!strcmp(state, "builtin") || !strcmp(state, "loaded"))
		return 0;
	if (!strcmp(state, "missing"))
		return -ENOENT;
	ret = kmod_module_new_from_name(kctx, module, &m);
	if (ret < 0)
		return ret;
	/* Already loaded modules are fine: no KMOD_PROBE_FAIL_ON_LOADED. */
	ret = kmod_module_probe_insert_module(m, 0, NULL, NULL, NULL, NULL);
	kmod_module_unref(m);
	return ret > 0 ? -EPERM : ret;	/* > 0: a blacklist refused it */
}

int mods_driver_for(const char *name, char *drv, size_t len, char *mod,
		    size_t mlen)
{
	char module[64];
	size_t i;
	int ret;

	if (pci_driver_registered(name)) {
		snprintf(drv, len, "%s", name);
		return pci_driver_module(name, mod, mlen);
	}
	snprintf(module, sizeof(module), "%s", name);
	for (i = 0; module[i]; i++)
		if (module[i] == '-')
			module[i] = '_';
	snprintf(mod, mlen, "%s", module);
	ret = mods_load(module);
	if (ret)
		return ret;
	return module_pci_driver(module, drv, len);
}

/* The ids the in-kernel vfio-pci refuses unless disable_denylist=1. */
bool denylisted(const struct pcifn *f)
{
	static const unsigned int intel_ids[] = {
		0x0435, 0x0443,		/* QAT DH895XCC and its VF */
		0x19e2, 0x19e3,		/* QAT C3XXX and its VF */
		0x37c8, 0x37c9,		/* QAT C62X and its VF */
		0x0b25,			/* DSA (Sapphire Rapids) */
		0x0cfe,			/* IAX (Sapphire Rapids) */
	};
	size_t i;

	if (f->vendor != 0x8086)
		return false;
	for (i = 0; i < sizeof(intel_ids) / sizeof(intel_ids[0]); i++)
		if (f->device == intel_ids[i])
			return true;
	return false;
}
