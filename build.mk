# SPDX-License-Identifier: GPL-2.0-only
# vfpci: the build and test rules, read by the Makefile once scripts/setup
# has installed what they need (the kernel release below names the build
# directory, so it must be looked up after setup).

KVER ?= $(shell $(TOP)/scripts/kver $(firstword $(SERIES)) 2>/dev/null)
KDIR ?= /lib/modules/$(KVER)/build
BUILD := $(TOP)/build/$(KVER)
MODULES := vfpci_core vfpci vfpci_edu vfpci_virtio nvmepf vfpci_nvme \
	vfpci_mdev vfpci_edu_mdev

CFLAGS_USER := -O2 -g -Wall -Wextra -Werror -std=gnu11 -I$(TOP)/include \
	-I$(TOP)/tests/lib -D_GNU_SOURCE
export KVER

.PHONY: all setup modules tests check demo install clean checkpatch fuzz \
	install-dropin uninstall-dropin

all: modules tests tools

# scripts/setup ran before this make started (Makefile).
setup:

# Kbuild writes objects next to sources: give each kernel its own tree of
# symlinks so 6.1 and 6.12 builds never mix.
modules:
	@test -n "$(KVER)" || { echo "no kernel found: run scripts/setup" >&2; exit 1; }
	@mkdir -p $(BUILD)/kernel
	@cp -rsf $(TOP)/kernel/. $(BUILD)/kernel/
	@rm -rf $(BUILD)/include && cp -rsf $(TOP)/include $(BUILD)/include
	$(MAKE) -C $(KDIR) M=$(BUILD)/kernel modules
	@for m in $(MODULES); do cp $(BUILD)/kernel/$$m.ko $(BUILD)/; done
	@printf '%s.ko\n' $(MODULES) > $(BUILD)/load-order
	@mkdir -p $(BUILD)/dropin
	@cp -rsf $(TOP)/kernel/. $(BUILD)/dropin/
	@ln -sf $(TOP)/kernel/dropin/Kbuild $(BUILD)/dropin/Kbuild
	$(MAKE) -C $(KDIR) M=$(BUILD)/dropin \
		KBUILD_EXTRA_SYMBOLS=$(BUILD)/kernel/Module.symvers \
		VFPCI_VERSION=$(DKMS_VER) modules
	@cp $(BUILD)/dropin/vfio-pci.ko $(BUILD)/

# The drop-in vfio-pci (kernel/dropin/Kbuild): installed and removed by
# scripts/dropin, never loaded by the tests' load-order.
install-dropin: install
	$(TOP)/scripts/dropin install --kver $(KVER) $(if $(DESTDIR),--root $(DESTDIR))

uninstall-dropin:
	$(TOP)/scripts/dropin uninstall --kver $(KVER) $(if $(DESTDIR),--root $(DESTDIR))

include tests/tests.mk
include tools/tools.mk
include tools/vfpcictl/vfpcictl.mk
include bench/bench.mk
include tests/debug.mk

# "make check" runs on every kernel we support (Debian's 6.1 and 6.12),
# "make check KVER=..." on that one only.
ifneq ($(filter command line environment,$(origin KVER)),)
CHECK_KVERS := $(KVER)
else
CHECK_KVERS = $(foreach s,$(SERIES),$(shell KVER= $(TOP)/scripts/kver $(s)))
endif

check: all
	@for k in $(CHECK_KVERS); do \
		[ "$$k" = "$(KVER)" ] || \
		$(MAKE) --no-print-directory modules KVER=$$k || exit 1; \
	done
	@KVERS="$(strip $(CHECK_KVERS))" $(TOP)/tests/check $(SUITES)

demo: all
	@$(TOP)/scripts/demo

bench: all bench-progs
	@$(TOP)/bench/run $(BENCH_ARGS)

# DESTDIR stages the install elsewhere (packaging, tests).
install: modules vfpcictl-install
	$(MAKE) -C $(KDIR) M=$(BUILD)/kernel INSTALL_MOD_DIR=updates \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	depmod -a $(if $(DESTDIR),-b $(DESTDIR)) $(KVER)

checkpatch:
	@$(TOP)/scripts/checkpatch

# The fuzz suite's targets for DURATION seconds (default 300), a fresh
# seed unless SEED= is given; see tests/guest/suite-fuzz.
fuzz: all
	@rm -rf $(TOP)/build/vm/fuzz; . $(TOP)/tests/suites/fuzz.suite; d=$(or $(DURATION),300); a=(); \
	for x in "$${DEVICES[@]}"; do a+=(--device "$$x"); done; \
	$(TOP)/tests/vm/run --out $(TOP)/build/vm/fuzz --timeout $$((d + 240)) \
		"$${a[@]}" -- "tests/guest/suite-fuzz --seconds $$d \
		--seed $(or $(SEED),$$(date +%s))"

clean:
	rm -rf $(TOP)/build
