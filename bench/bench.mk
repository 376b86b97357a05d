# SPDX-License-Identifier: GPL-2.0-only
# Benchmarks ("make bench"): guest programs built on the host and run in
# the VM by bench/run.  Never part of "make check".  They link the guest
# test library (tests/lib) and the migration client library
# (tools/vfpci-mig), both defined by the makefiles included before this one.

BENCH_SRC := $(wildcard $(TOP)/bench/guest/*.c)
BENCH_BIN := $(patsubst $(TOP)/bench/guest/%.c,$(TOP)/build/bench/bin/%,$(BENCH_SRC))

.PHONY: bench bench-progs
bench-progs: $(BENCH_BIN)

$(TOP)/build/bench/bin/%: $(TOP)/bench/guest/%.c $(TEST_LIB_SRC) $(TEST_HDR) \
		$(MIG_LIB) $(MIG_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) -I$(MIG_DIR) -o $@ $< $(TEST_LIB_SRC) $(MIG_LIB) \
		-lpthread
