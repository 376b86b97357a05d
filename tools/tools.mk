# SPDX-License-Identifier: GPL-2.0-only
# User-space tools, built on the host (and run in the guest from the shared
# tree).  vfpci-mig: the VFIO migration client (tools/vfpci-mig/), a CLI
# and a library that test programs link.

MIG_DIR := $(TOP)/tools/vfpci-mig
MIG_LIB := $(MIG_DIR)/mig.c
MIG_HDR := $(MIG_DIR)/mig.h
MIG_BIN := $(TOP)/build/tools/vfpci-mig
MIG_DEMO := $(TOP)/build/tools/vfpci-mig-demo

.PHONY: tools
tools: $(MIG_BIN) $(MIG_DEMO)

$(MIG_BIN): $(MIG_DIR)/main.c $(MIG_LIB) $(MIG_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) -I$(MIG_DIR) -o $@ $< $(MIG_LIB)

# The workload that "make demo" migrates (scripts/demo).
$(MIG_DEMO): $(MIG_DIR)/demo.c $(MIG_LIB) $(MIG_HDR) \
		$(TOP)/include/vfpci_edu_stream.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) -I$(MIG_DIR) -o $@ $< $(MIG_LIB)

# Guest tests that drive migrations link the library: these explicit rules
# take precedence over the pattern rule of tests/tests.mk.
MIG_TESTS := $(TOP)/build/tests/guest/edu_mig \
	$(TOP)/build/tests/guest/edu_precopy \
	$(TOP)/build/tests/guest/edu_mdev_mig

$(MIG_TESTS): $(TOP)/build/tests/guest/%: $(TOP)/tests/guest/%.c $(MIG_LIB) \
		$(MIG_HDR) $(TEST_LIB_SRC) $(TEST_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) -I$(MIG_DIR) -o $@ $< $(MIG_LIB) $(TEST_LIB_SRC) \
		-lpthread
