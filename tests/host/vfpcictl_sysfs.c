// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit test of vfpcictl's sysfs layer (tools/vfpcictl/sysfs.c) against
 * a fake sysfs tree in a temporary folder, then of the vfpcictl binary on
 * the same tree (--sysfs-root): doctor's diagnoses for an IOMMU that is
 * off, a group that is not viable, D3cold, a denylisted id, no reset, a
 * missing module; list's choice of the best driver; bind's sysfs writes.
 * Every JSON output goes through python3 -m json.tool.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sysfs.h"

static char top[256];
static char tool[1024];
static int failures;

static void ok(int pass, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (pass) {
		printf("ok vfpcictl_sysfs/%s\n", name);
		return;
	}
	failures++;
	printf("not ok vfpcictl_sysfs/%s - ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Create @rel under the fake root with @text (folders made as needed). */
static void put(const char *rel, const char *text)
{
	char cmd[PATH_MAX * 2], path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", top, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	if (system(cmd))
		exit(2);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

static void link_to(const char *rel, const char *target)
{
	char cmd[PATH_MAX * 3], path[PATH_MAX];

	snprintf(path, sizeof(path), "%s%s", top, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\" && ln -sfn '%s' '%s'",
		 path, target, path);
	if (system(cmd))
		exit(2);
}

static void mkdirs(const char *rel)
{
	char cmd[PATH_MAX * 2];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s%s'", top, rel);
	if (system(cmd))
		exit(2);
}

/* A PCI function; @group < 0: none; @driver NULL: unbound. */
static void fake_dev(const char *bdf, unsigned int ven, unsigned int dev,
		     unsigned int class, int group, const char *driver,
		     const char *reset, const char *power)
{
	char rel[256], val[64];

	snprintf(rel, sizeof(rel), "/sys/bus/pci/devices/%s/", bdf);
	char *end = rel + strlen(rel);

#define PUT(name, ...) do { \
	snprintf(end, sizeof(rel) - (end - rel), "%s", name); \
	snprintf(val, sizeof(val), __VA_ARGS__); \
	put(rel, val); } while (0)
	PUT("vendor", "0x%04x\n", ven);
	PUT("device", "0x%04x\n", dev);
	PUT("subsystem_vendor", "0x1af4\n");
	PUT("subsystem_device", "0x1100\n");
	PUT("class", "0x%06x\n", class);
	PUT("driver_override", "(null)\n");
	if (reset)
		PUT("reset_method", "%s\n", reset);
	if (power)
		PUT("power_state", "%s\n", power);
#undef PUT
	if (driver) {
		snprintf(end, sizeof(rel) - (end - rel), "driver");
		snprintf(val, sizeof(val), "../../../bus/pci/drivers/%s", driver);
		link_to(rel, val);
	}
	if (group >= 0) {
		snprintf(end, sizeof(rel) - (end - rel), "iommu_group");
		snprintf(val, sizeof(val), "../../../kernel/iommu_groups/%d",
			 group);
		link_to(rel, val);
		snprintf(rel, sizeof(rel),
			 "/sys/kernel/iommu_groups/%d/devices/%s", group, bdf);
		snprintf(val, sizeof(val), "../../../../bus/pci/devices/%s",
			 bdf);
		link_to(rel, val);
	}
}

static void fake_driver(const char *name, const char *module)
{
	char rel[256], val[128];

	snprintf(rel, sizeof(rel), "/sys/bus/pci/drivers/%s/unbind", name);
	put(rel, "");
	snprintf(rel, sizeof(rel), "/sys/bus/pci/drivers/%s/bind", name);
	put(rel, "");
	snprintf(rel, sizeof(rel), "/sys/bus/pci/drivers/%s/module", name);
	snprintf(val, sizeof(val), "../../../../module/%s", module);
	link_to(rel, val);
	snprintf(rel, sizeof(rel), "/sys/module/%s/drivers/pci:%s", module,
		 name);
	mkdirs(rel);
}

/*
 * The tree: group 3 = edu 04.0 (host driver "edu-host") + 04.1 on "nvme";
 * 05.0 edu without an IOMMU group; 06.0 a D3cold device; 07.0 a
 * denylisted QAT; 00.0 a host bridge; drivers vfpci_edu, vfio-pci.
 */
static void build_tree(bool iommu)
{
	put("/sys/bus/pci/drivers_probe", "");
	put("/proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 quiet\n");
	put("/lib/modules/fake/modules.alias",
	    "alias pci:v00001234d000011E8sv*sd*bc*sc*i* edu_host\n"
	    "alias vfio_pci:v*d*sv*sd*bc*sc*i* vfpci\n"
	    "alias vfio_pci:v00001234d000011E8sv*sd*bc*sc*i* vfpci_edu\n"
	    "alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci\n");
	fake_driver("edu-host", "edu_host");
	fake_driver("nvme", "nvme");
	fake_driver("vfpci_edu", "vfpci_edu");
	fake_driver("vfio-pci", "vfio_pci");
	fake_dev("0000:00:00.0", 0x8086, 0x29c0, 0x060000, iommu ? 0 : -1,
		 NULL, NULL, "D0");
	fake_dev("0000:00:04.0", 0x1234, 0x11e8, 0x00ff00, iommu ? 3 : -1,
		 "edu-host", NULL, "D0");
	fake_dev("0000:00:04.1", 0x1b36, 0x0010, 0x010802, iommu ? 3 : -1,
		 "nvme", "flr bus", "D0");
	fake_dev("0000:00:06.0", 0x1b36, 0x0010, 0x010802, iommu ? 6 : -1,
		 NULL, "flr", "D3cold");
	fake_dev("0000:00:07.0", 0x8086, 0x37c8, 0x0b4000, iommu ? 7 : -1,
		 NULL, "flr", "D0");
	/* With the IOMMU off the folder exists but stays empty. */
	mkdirs("/sys/kernel/iommu_groups");
}

static void test_primitives(void)
{
	char buf[256], **names;
	unsigned long v;
	int ret, n;

	ret = sfs_read(buf, sizeof(buf), "/sys/bus/pci/devices/%s/vendor",
		       "0000:00:04.0");
	ok(!ret && !strcmp(buf, "0x1234"), "read_strips_newline",
	   "ret %d buf '%s'", ret, buf);
	ret = sfs_read(buf, sizeof(buf), "/sys/nothing/here");
	ok(ret == -ENOENT && strstr(sfs_last_path(), top) &&
	   strstr(sfs_last_path(), "/sys/nothing/here"), "read_missing_names_path",
	   "ret %d path %s", ret, sfs_last_path());
	ret = sfs_read_ulong(&v, "/sys/bus/pci/devices/0000:00:04.0/class");
	ok(!ret && v == 0xff00, "read_ulong_hex", "ret %d v %lx", ret, v);
	put("/tmp/bad", "zz\n");
	ret = sfs_read_ulong(&v, "/tmp/bad");
	ok(ret == -EINVAL, "read_ulong_rejects_junk", "ret %d", ret);
	ret = sfs_write("abc", "/tmp/w");
	ok(ret == -ENOENT, "write_needs_existing_file", "ret %d", ret);
	put("/tmp/w", "");
	ret = sfs_write("abc", "/tmp/w");
	ok(!ret && !sfs_read(buf, sizeof(buf), "/tmp/w") && !strcmp(buf, "abc"),
	   "write_then_read", "ret %d buf %s", ret, buf);
	ret = sfs_link_name(buf, sizeof(buf),
			    "/sys/bus/pci/devices/0000:00:04.0/driver");
	ok(!ret && !strcmp(buf, "edu-host"), "link_name", "ret %d %s", ret,
	   buf);
	ret = sfs_link_name(buf, sizeof(buf),
			    "/sys/bus/pci/devices/0000:00:06.0/driver");
	ok(ret == -ENOENT, "link_name_missing", "ret %d", ret);
	n = sfs_list(&names, "/sys/bus/pci/devices");
	ok(n == 5 && !strcmp(names[0], "0000:00:00.0") &&
	   !strcmp(names[4], "0000:00:07.0"), "list_sorted", "n %d", n);
	sfs_free_list(names, n);
	n = sfs_list(&names, "/sys/none");
	ok(n == -ENOENT && !names, "list_missing", "n %d", n);
	ret = sfs_put_file("x=1\n", "/run/deep/er/file");
	ok(!ret && !sfs_read(buf, sizeof(buf), "/run/deep/er/file") &&
	   !strcmp(buf, "x=1"), "put_file_makes_folders", "ret %d", ret);
	ok(!sfs_unlink("/run/deep/er/file") && !sfs_exists("/run/deep/er/file"),
	   "unlink", "still there");
	ok(sfs_exists("/sys/bus/pci/drivers/nvme") &&
	   !sfs_exists("/sys/bus/pci/drivers/none"), "exists", "wrong");
}

static void test_bdf(void)
{
	char out[PCI_BDF_LEN];

	ok(!pci_norm_bdf("00:04.0", out, sizeof(out)) &&
	   !strcmp(out, "0000:00:04.0"), "bdf_short", "%s", out);
	ok(!pci_norm_bdf("0000:0A:1f.7", out, sizeof(out)) &&
	   !strcmp(out, "0000:0a:1f.7"), "bdf_full", "%s", out);
	ok(pci_norm_bdf("00:20.0", out, sizeof(out)) == -EINVAL &&
	   pci_norm_bdf("00:04.8", out, sizeof(out)) == -EINVAL &&
	   pci_norm_bdf("foo", out, sizeof(out)) == -EINVAL &&
	   pci_norm_bdf("00:04.0x", out, sizeof(out)) == -EINVAL,
	   "bdf_rejects_bad", "accepted a bad address");
}

/* nvmepf names a VF's auxiliary device by its routing id in decimal. */
static void test_nvmepf_name(void)
{
	char a[64] = "", b[64] = "", pf[32];

	ok(!nvmepf_adev_name("0000:00:0c.1", a, sizeof(a)) &&
	   !strcmp(a, "nvmepf.vfio_pci.97") &&
	   !nvmepf_adev_name("0000:01:00.2", b, sizeof(b)) &&
	   !strcmp(b, "nvmepf.vfio_pci.258"), "nvmepf_adev_name", "%s %s", a,
	   b);
	ok(nvmepf_adev_name("foo", a, sizeof(a)) == -EINVAL &&
	   nvmepf_adev_name("0000:00:0c.1", a, 8) == -ENAMETOOLONG,
	   "nvmepf_adev_name_bad", "accepted a bad address or short buffer");
	ok(pci_physfn("0000:00:04.0", pf, sizeof(pf)) == -ENOENT,
	   "physfn_not_a_vf", "a PF for a function without physfn");
}

static void test_pci(void)
{
	struct pcifn f;
	char buf[128], **mem;
	int ret, n;

	ret = pcifn_load(&f, "00:04.0");
	ok(!ret && f.vendor == 0x1234 && f.device == 0x11e8 &&
	   f.subvendor == 0x1af4 && f.subdevice == 0x1100 &&
	   f.class == 0xff00 && f.group == 3 && !strcmp(f.driver, "edu-host") &&
	   !f.override[0] && !f.reset[0] && !strcmp(f.power, "D0") &&
	   !f.bridge, "pcifn_load", "ret %d", ret);
	pci_vfio_modalias(&f, buf, sizeof(buf));
	ok(!strcmp(buf, "vfio_pci:v00001234d000011E8sv00001AF4sd00001100bc00scFFi00"),
	   "modalias", "%s", buf);
	ret = pcifn_load(&f, "0000:00:00.0");
	ok(!ret && f.bridge && !f.driver[0], "pcifn_bridge", "ret %d", ret);
	ret = pcifn_load(&f, "0000:00:04.1");
	ok(!ret && !strcmp(f.reset, "flr bus"), "pcifn_reset_method", "'%s'",
	   f.reset);
	ret = pcifn_load(&f, "0000:00:09.0");
	ok(ret == -ENODEV && strstr(sfs_last_path(), "0000:00:09.0"),
	   "pcifn_missing", "ret %d", ret);
	ok(iommu_group_count() == 4, "group_count", "%d", iommu_group_count());
	n = pci_group_members(3, &mem);
	ok(n == 2 && !strcmp(mem[1], "0000:00:04.1"), "group_members", "n %d",
	   n);
	sfs_free_list(mem, n);
	ret = pci_driver_module("edu-host", buf, sizeof(buf));
	ok(!ret && !strcmp(buf, "edu_host"), "driver_module", "%d %s", ret,
	   buf);
	ret = module_pci_driver("vfio_pci", buf, sizeof(buf));
	ok(!ret && !strcmp(buf, "vfio-pci"), "module_pci_driver", "%d %s",
	   ret, buf);
	ok(module_pci_driver("nomod", buf, sizeof(buf)) == -ENOENT,
	   "module_pci_driver_missing", "found one");
	ok(!pci_set_override("0000:00:06.0", "vfpci") &&
	   !sfs_read(buf, sizeof(buf),
		     "/sys/bus/pci/devices/0000:00:06.0/driver_override") &&
	   !strcmp(buf, "vfpci"), "set_override", "%s", buf);
	ok(!pci_set_override("0000:00:06.0", "") &&
	   !sfs_read(buf, sizeof(buf),
		     "/sys/bus/pci/devices/0000:00:06.0/driver_override") &&
	   !buf[0], "clear_override", "'%s'", buf);
	ok(!pci_probe("0000:00:06.0") &&
	   !sfs_read(buf, sizeof(buf), "/sys/bus/pci/drivers_probe") &&
	   !strcmp(buf, "0000:00:06.0"), "probe_write", "%s", buf);
}

/* Run the tool on the fake tree; its stdout into @out.  Exit status. */
static int run(char *out, size_t len, const char *args)
{
	char cmd[PATH_MAX * 3];
	size_t n;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd),
		 "VFPCICTL_SYSFS_ROOT='%s' '%s' --moddir '%s/lib/modules/fake' %.4000s 2>/dev/null",
		 top, tool, top, args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool json_valid(const char *text)
{
	char path[PATH_MAX], cmd[PATH_MAX * 2];
	FILE *f;

	snprintf(path, sizeof(path), "%s/out.json", top);
	f = fopen(path, "w");
	if (!f)
		return false;
	fputs(text, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "python3 -m json.tool '%s' >/dev/null",
		 path);
	return system(cmd) == 0;
}

/* Does doctor's JSON have check @id at @level? */
static bool has_check(const char *json, const char *id, const char *level)
{
	char want[128];

	snprintf(want, sizeof(want), "\"id\":\"%s\",\"level\":\"%s\"", id,
		 level);
	return strstr(json, want) != NULL;
}

static void test_tool(void)
{
	static char out[65536];
	char buf[256];
	int rc;

	rc = run(out, sizeof(out), "--json list");
	ok(rc == 0 && json_valid(out), "list_json_valid", "rc %d", rc);
	ok(strstr(out, "\"bdf\":\"0000:00:04.0\"") &&
	   strstr(out, "\"best_vfio_driver\":\"vfpci_edu\""),
	   "list_edu_best_is_specific", "%.300s", out);
	ok(strstr(out, "\"bdf\":\"0000:00:04.1\",\"vendor\":\"1b36\"") &&
	   strstr(strstr(out, "0000:00:04.1"),
		  "\"best_vfio_driver\":\"vfio_pci\""),
	   "list_nvme_best_is_generic", "%.300s", out);

	rc = run(out, sizeof(out), "--json doctor 0000:00:04.0");
	ok(rc == 1 && json_valid(out) &&
	   has_check(out, "group-not-viable", "error") &&
	   strstr(out, "0000:00:04.1 (nvme)"), "doctor_group_not_viable",
	   "rc %d %.400s", rc, out);
	ok(has_check(out, "no-reset", "warn"), "doctor_no_reset", "%.400s",
	   out);
	ok(has_check(out, "iommu-off", "ok"), "doctor_iommu_on", "%.400s",
	   out);
	rc = run(out, sizeof(out), "--json doctor 0000:00:06.0");
	ok(rc == 1 && has_check(out, "d3cold", "error") &&
	   has_check(out, "group-not-viable", "ok"), "doctor_d3cold",
	   "rc %d %.400s", rc, out);
	/* 6.1 has no power_state: all-ones config space says the same. */
	put("/sys/bus/pci/devices/0000:00:04.1/config", "\xff\xff\xff\xff");
	rc = run(out, sizeof(out), "--json doctor 0000:00:04.1");
	ok(rc == 1 && has_check(out, "d3cold", "error") &&
	   strstr(out, "all ones"), "doctor_config_all_ones", "rc %d %.400s",
	   rc, out);
	rc = run(out, sizeof(out), "--json doctor 0000:00:07.0");
	ok(rc == 1 && has_check(out, "denylisted", "error"),
	   "doctor_denylisted", "rc %d %.400s", rc, out);
	rc = run(out, sizeof(out), "--json --driver no_such_mod doctor 0000:00:07.0");
	ok(rc == 1 && json_valid(out) &&
	   has_check(out, "module-missing", "error"), "doctor_module_missing",
	   "rc %d %.400s", rc, out);
	rc = run(out, sizeof(out), "doctor 0000:00:09.0");
	ok(rc == 3, "doctor_no_device_exit_3", "rc %d", rc);
	rc = run(out, sizeof(out), "frobnicate 0000:00:04.0");
	ok(rc == 2, "usage_exit_2", "rc %d", rc);

	/* bind: every sysfs step lands in the fake files; verify fails. */
	rc = run(out, sizeof(out),
		 "--state-dir /run/vfpcictl --conf-dir /etc/vfpcictl.d bind 00:04.0");
	ok(rc == 5, "bind_verify_fails_on_fake_tree", "rc %d", rc);
	ok(!sfs_read(buf, sizeof(buf),
		     "/sys/bus/pci/devices/0000:00:04.0/driver_override") &&
	   !strcmp(buf, "vfpci_edu"), "bind_sets_override", "'%s'", buf);
	ok(!sfs_read(buf, sizeof(buf), "/sys/bus/pci/drivers/edu-host/unbind") &&
	   !strcmp(buf, "0000:00:04.0"), "bind_unbinds_host_driver", "'%s'",
	   buf);
	ok(!sfs_read(buf, sizeof(buf), "/run/vfpcictl/0000:00:04.0") &&
	   !strcmp(buf, "driver=edu-host\noverride="), "bind_saves_state",
	   "'%s'", buf);
}

/* Same devices, IOMMU off: no iommu_group links, no groups. */
static void test_iommu_off(void)
{
	static char out[65536];
	int rc;

	rc = run(out, sizeof(out), "--json doctor 0000:00:04.0");
	ok(rc == 1 && json_valid(out) && has_check(out, "iommu-off", "error") &&
	   strstr(out, "intel_iommu=on") && strstr(out, "0 groups"),
	   "doctor_iommu_off", "rc %d %.400s", rc, out);
	rc = run(out, sizeof(out), "doctor 0000:00:04.0");
	ok(rc == 1 && strstr(out, "error iommu-off") &&
	   strstr(out, "fix: enable VT-d"), "doctor_iommu_off_text",
	   "rc %d %.400s", rc, out);
	rc = run(out, sizeof(out), "--json list");
	ok(rc == 0 && json_valid(out) && strstr(out, "\"iommu_group\":null"),
	   "list_without_groups", "rc %d", rc);
}

static void fresh_root(void)
{
	snprintf(top, sizeof(top), "/tmp/vfpcictl-test.XXXXXX");
	if (!mkdtemp(top)) {
		perror("mkdtemp");
		exit(2);
	}
	sfs_set_root(top);
}

static void remove_root(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", top);
}

int main(void)
{
	char self[PATH_MAX], *p;
	ssize_t n;
	int i;

	/* build/tests/host/THIS -> build/tools/vfpcictl */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return 2;
	self[n] = '\0';
	for (i = 0; i < 3 && (p = strrchr(self, '/')); i++)
		*p = '\0';
	snprintf(tool, sizeof(tool), "%.900s/tools/vfpcictl", self);

	fresh_root();
	build_tree(true);
	test_primitives();
	test_bdf();
	test_nvmepf_name();
	test_pci();
	if (access(tool, X_OK) == 0)
		test_tool();
	else
		ok(0, "tool_built", "%s missing", tool);
	remove_root();

	fresh_root();
	build_tree(false);
	if (access(tool, X_OK) == 0)
		test_iommu_off();
	remove_root();
	printf("# %d failure(s)\n", failures);
	return failures ? 1 : 0;
}
