# SPDX-License-Identifier: GPL-2.0-only
# vfpci: top-level build.  See README.md.
#   make               set up (scripts/setup), build modules, tools, tests
#   make check         build and run every test (host and VM); SERIES="6.1"
#                      tests one kernel series, SUITES="core" one suite
#   make check-debug   the same on a debug kernel (tests/debug.mk)
#   make demo          the main job, in the VM
#   make install       install modules for KVER (default: running kernel)

SHELL := /bin/bash
TOP := $(CURDIR)
# The Debian kernel series "make check" tests (and scripts/setup installs).
SERIES ?= 6.1 6.12

# Goals that need nothing installed.
NO_SETUP_GOALS := clean checkpatch dkms-uninstall
GOALS := $(or $(MAKECMDGOALS),all)

ifeq ($(if $(SKIP_SETUP),,$(filter-out $(NO_SETUP_GOALS),$(GOALS))),)
include $(TOP)/build.mk
else
# The build directory is named after the kernel release, and on a fresh
# machine it is scripts/setup that installs that kernel: so setup runs
# first, and every goal in a second make that looks at /lib/modules after.
SETUP_FOR := $(if $(filter check check-debug,$(GOALS)),check,$(if 	$(filter bench,$(GOALS)),bench,$(if $(filter demo fuzz,$(GOALS)),vm,build)))

.PHONY: $(GOALS)
$(firstword $(GOALS)):
	@$(TOP)/scripts/setup --for $(SETUP_FOR) --series "$(SERIES)"
	@$(MAKE) --no-print-directory SKIP_SETUP=1 $(MAKECMDGOALS)

$(wordlist 2,$(words $(GOALS)),$(GOALS)): $(firstword $(GOALS))
	@:
endif
