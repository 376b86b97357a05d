# SPDX-License-Identifier: GPL-2.0-only
# "make check-debug": every test on a debug build of Debian's 6.1 sources
# (scripts/build-kernel debug: KASAN, lockdep, kmemleak, UBSAN, ...), built
# once and cached.  A splat or a kmemleak report fails the VM run
# (tests/vm/init, tests/vm/scan-log).  SUITES="core fuzz" runs only those;
# VFPCI_TIMEOUT_SCALE (default 4) stretches the suites' time limits for the
# slow kernel.

.PHONY: check-debug debug-kernel

debug-kernel:
	@$(TOP)/scripts/build-kernel debug >/dev/null

check-debug: all debug-kernel
	@rel=$$($(TOP)/scripts/build-kernel debug) && \
	$(MAKE) --no-print-directory modules KVER=$$rel && \
	VFPCI_TIMEOUT_SCALE=$${VFPCI_TIMEOUT_SCALE:-4} KVERS=$$rel \
		$(TOP)/tests/check $(SUITES)
