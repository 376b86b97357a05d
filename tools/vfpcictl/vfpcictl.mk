# SPDX-License-Identifier: GPL-2.0-only
# vfpcictl: find, bind and diagnose the vfio driver of a PCI function
# (tools/vfpcictl/), its host unit test, and its installation.

CTL_DIR := $(TOP)/tools/vfpcictl
CTL_SRC := $(addprefix $(CTL_DIR)/,main.c bind.c doctor.c info.c mods.c \
	mdev.c json.c sysfs.c)
CTL_HDR := $(CTL_DIR)/vfpcictl.h $(CTL_DIR)/sysfs.h
CTL_BIN := $(TOP)/build/tools/vfpcictl
CTL_TEST := $(TOP)/build/tests/host/vfpcictl_sysfs

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UDEVRULESDIR ?= /etc/udev/rules.d

.PHONY: vfpcictl vfpcictl-install
tools: vfpcictl
vfpcictl: $(CTL_BIN)

$(CTL_BIN): $(CTL_SRC) $(CTL_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) -I$(CTL_DIR) -o $@ $(CTL_SRC) -lkmod

# The host test links the sysfs layer itself and runs the built tool
# against a fake tree: this rule beats the pattern rule of tests/tests.mk.
$(CTL_TEST): $(TOP)/tests/host/vfpcictl_sysfs.c $(CTL_DIR)/sysfs.c \
		$(CTL_DIR)/sysfs.h $(CTL_BIN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) -I$(CTL_DIR) -o $@ $< $(CTL_DIR)/sysfs.c

vfpcictl-install: $(CTL_BIN)
	install -D -m 0755 $(CTL_BIN) $(DESTDIR)$(SBINDIR)/vfpcictl
	install -D -m 0644 $(CTL_DIR)/vfpcictl.8 \
		$(DESTDIR)$(MANDIR)/man8/vfpcictl.8
	@mkdir -p $(DESTDIR)$(UDEVRULESDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|' $(CTL_DIR)/90-vfpcictl.rules.in \
		> $(DESTDIR)$(UDEVRULESDIR)/90-vfpcictl.rules

# ---- DKMS (dkms.conf at the top): the sources go to /usr/src/vfpci-VER,
# dkms builds and installs them for KVER and again for each new kernel.
# DROPIN=1 adds the drop-in vfio-pci (kernel/dropin/dkms.conf) to the copy's
# dkms.conf; "make dkms-install" without it registers vfpci without it.
DKMS_VER := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' $(TOP)/dkms.conf)
DKMS_SRC := /usr/src/vfpci-$(DKMS_VER)

# dkms remove reads the registered copy's dkms.conf to know what to delete,
# so it runs before that copy is replaced (with or without the drop-in).
.PHONY: dkms-remove dkms-src dkms-install dkms-uninstall
dkms-remove:
	-dkms remove -m vfpci -v $(DKMS_VER) --all 2>/dev/null

dkms-src: dkms-remove
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	tar -C $(TOP) --exclude=./build --exclude=./.git -cf - . | \
		tar -C $(DKMS_SRC) -xf -
	$(if $(DROPIN),cat $(TOP)/kernel/dropin/dkms.conf >> $(DKMS_SRC)/dkms.conf)

dkms-install: dkms-src
	dkms add -m vfpci -v $(DKMS_VER)
	dkms install -m vfpci -v $(DKMS_VER) -k $(KVER)

dkms-uninstall: dkms-remove
	rm -rf $(DKMS_SRC)
