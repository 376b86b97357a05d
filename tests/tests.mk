# SPDX-License-Identifier: GPL-2.0-only
# User-space test programs, built on the host.  Guest tests run in the VM
# from the shared host tree; host tests run directly.  Every program prints
# TAP-style "ok NAME" / "not ok NAME - why" lines, which tests/check counts.

TEST_LIB_SRC := $(wildcard $(TOP)/tests/lib/*.c)
GUEST_SRC := $(wildcard $(TOP)/tests/guest/*.c)
HOST_SRC := $(wildcard $(TOP)/tests/host/*.c)
GUEST_BIN := $(patsubst $(TOP)/tests/guest/%.c,$(TOP)/build/tests/guest/%,$(GUEST_SRC))
HOST_BIN := $(patsubst $(TOP)/tests/host/%.c,$(TOP)/build/tests/host/%,$(HOST_SRC))
TEST_HDR := $(wildcard $(TOP)/tests/lib/*.h $(TOP)/include/*.h)

tests: $(GUEST_BIN) $(HOST_BIN)

$(TOP)/build/tests/guest/%: $(TOP)/tests/guest/%.c $(TEST_LIB_SRC) $(TEST_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) -o $@ $< $(TEST_LIB_SRC) -lpthread

$(TOP)/build/tests/host/%: $(TOP)/tests/host/%.c $(TEST_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) -I$(TOP)/kernel/core -o $@ $< -lpthread

# Nested guest initramfs for tests/guest/nested-edu (no modules, any kernel).
NESTED_INITRD := $(TOP)/build/vm/nested-initramfs.cpio.gz

tests: $(NESTED_INITRD)

$(NESTED_INITRD): $(TOP)/tests/vm/mk-nested-initramfs
	$< $@
