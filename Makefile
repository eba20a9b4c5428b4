# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# hopscope build: everything lands in $(OUTPUT) (build/ by default).
#   make            build/hopscope and the BPF objects
#   make check      the layer check, the man page and install checks, unit
#                   tests (ASan+UBSan), BPF_PROG_TEST_RUN tests, netns
#                   integration tests; installs missing Debian packages first
#   sudo make demo  run the built-in testbed demo
#   make install    PREFIX=/usr/local by default, DESTDIR for staging
#   make V=1        show full commands
.DELETE_ON_ERROR:
.SUFFIXES:

OUTPUT ?= build
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
PKG_CONFIG ?= pkg-config

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# Evaluated lazily: the packages may only exist once $(DEPS_STAMP) is made.
PKGS = libbpf libnl-3.0 libnl-route-3.0 libnl-nf-3.0 json-c zlib libcap-ng libmicrohttpd libcurl
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lelf -lm

WARN := -Wall -Wextra -Werror
CFLAGS ?= -O2 -g
ALL_CFLAGS = $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -MMD -MP \
	     -Iinclude -Iuser -Itests/lib -I$(OUTPUT) $(PKG_CFLAGS)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	     -fno-sanitize-recover=all
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) $(WARN) \
	      -Wno-unused-function -Iinclude -Ivmlinux/$(ARCH) -MMD -MP

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))
TEST_BPF_SRCS := $(wildcard tests/bpf/*.bpf.c)
TEST_BPF_OBJS := $(patsubst tests/bpf/%.bpf.c,$(OUTPUT)/tests/%.bpf.o,$(TEST_BPF_SRCS))
TEST_SKELS := $(TEST_BPF_OBJS:.bpf.o=.skel.h)

USER_SRCS := $(wildcard user/*/*.c)
# Everything but main(): linked into the binary and into the tests.
LIB_SRCS := $(filter-out user/cmd/main.c,$(USER_SRCS))
USER_OBJS := $(patsubst user/%.c,$(OUTPUT)/obj/%.o,$(USER_SRCS))
LIB_OBJS := $(patsubst user/%.c,$(OUTPUT)/obj/%.o,$(LIB_SRCS))
SAN_LIB_OBJS := $(patsubst user/%.c,$(OUTPUT)/san/%.o,$(LIB_SRCS))

TESTLIB_SRCS := $(wildcard tests/lib/*.c)
UNIT_SRCS := $(wildcard tests/unit/*.c) $(TESTLIB_SRCS)
UNIT_BIN := $(OUTPUT)/tests/unit
PROGRUN_SRCS := $(wildcard tests/progrun/*.c) $(TESTLIB_SRCS)
PROGRUN_BIN := $(OUTPUT)/tests/progrun
BENCH_SRCS := $(wildcard tests/bench/*.c)
BENCH_BINS := $(patsubst tests/bench/%.c,$(OUTPUT)/bench/%,$(BENCH_SRCS))
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(patsubst tests/tools/%.c,$(OUTPUT)/tests/%,$(TOOL_SRCS))

DEPS_STAMP := $(OUTPUT)/.deps-installed
BIN := $(OUTPUT)/hopscope

PREFIX ?= /usr/local
SBINDIR = $(PREFIX)/sbin
MAN8DIR = $(PREFIX)/share/man/man8
LIBEXECDIR = $(PREFIX)/libexec/hopscope
# systemd looks in /usr/local/lib/systemd/system too; PREFIX=/usr gives
# Debian's /usr/lib/systemd/system
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
# the Prometheus rules and the Grafana dashboard, for the admin to copy
DISTDATADIR = $(PREFIX)/share/hopscope
DIST_PROM := $(wildcard dist/prometheus/*.yml)
DIST_GRAFANA := $(wildcard dist/grafana/*.json)
INSTALL ?= install
# the installed binary: its demo looks for testbed.sh in $(LIBEXECDIR)
INST := $(OUTPUT)/install
INST_BIN := $(INST)/hopscope

.PHONY: all check layers unit progrun integration demo study bench clean deps vmlinux
.PHONY: install uninstall check-threads check-fuzz fuzz fuzz-seeds check-man check-install check-dist check-corpus soak corpus FORCE
all: $(BIN) $(BPF_OBJS)

deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/install-deps.sh | $(OUTPUT)
	$(call msg,DEPS,checking Debian packages)
	$(Q)scripts/install-deps.sh
	$(Q)touch $@

$(OUTPUT) $(OUTPUT)/tests:
	$(Q)mkdir -p $@

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c | $(DEPS_STAMP) $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/tests/%.bpf.o: tests/bpf/%.bpf.c | $(DEPS_STAMP) $(OUTPUT)/tests
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/tests/%.skel.h: $(OUTPUT)/tests/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

# Only the objects of the sources that include a skeleton (the loader)
# wait for it: -MMD knows of the header only once it has been compiled.
SKEL_USER_SRCS := $(shell grep -l 'skel\.h"' $(USER_SRCS))
$(patsubst user/%.c,$(OUTPUT)/obj/%.o,$(SKEL_USER_SRCS)) \
$(patsubst user/%.c,$(OUTPUT)/san/%.o,$(SKEL_USER_SRCS)): $(SKELS)

$(OUTPUT)/obj/%.o: user/%.c | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(OUTPUT)/san/%.o: user/%.c | $(DEPS_STAMP)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c $< -o $@

# The in-tree binary's testbeds (make demo, make study, the tests) are
# this tree's scripts/testbed.sh.
$(OUTPUT)/obj/cmd/bed.o $(OUTPUT)/san/cmd/bed.o: \
	ALL_CFLAGS += -DHS_LIBEXECDIR='"$(CURDIR)/scripts"'

$(BIN): $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(PKG_LIBS) -o $@

# The installed one differs in that path only: its own bed.o, rebuilt
# when LIBEXECDIR changes.
$(INST)/libexecdir: FORCE
	$(Q)mkdir -p $(@D)
	$(Q)echo '$(LIBEXECDIR)' | cmp -s - $@ || echo '$(LIBEXECDIR)' > $@

$(INST)/bed.o: user/cmd/bed.c $(INST)/libexecdir | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -DHS_LIBEXECDIR='"$(LIBEXECDIR)"' -c $< -o $@

$(INST_BIN): $(filter-out $(OUTPUT)/obj/cmd/bed.o,$(USER_OBJS)) $(INST)/bed.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(PKG_LIBS) -o $@

# the page names the default's testbed.sh; the installed one, its own
$(INST)/hopscope.8: docs/hopscope.8 $(INST)/libexecdir
	$(Q)sed 's|/usr/local/libexec/hopscope|$(LIBEXECDIR)|g' $< > $@

# the unit runs the installed binary
$(INST)/hopscope-agent.service: dist/systemd/hopscope-agent.service $(INST)/libexecdir FORCE
	$(Q)sed 's|@SBINDIR@|$(SBINDIR)|g' $< > $@.tmp && \
		(cmp -s $@.tmp $@ && rm -f $@.tmp || mv -f $@.tmp $@)

install: $(INST)/hopscope-agent.service $(INST_BIN) $(INST)/hopscope.8
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MAN8DIR) $(DESTDIR)$(LIBEXECDIR) \
		$(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(DISTDATADIR)/prometheus \
		$(DESTDIR)$(DISTDATADIR)/grafana
	$(Q)$(INSTALL) -m 755 $(INST_BIN) $(DESTDIR)$(SBINDIR)/hopscope
	$(Q)$(INSTALL) -m 644 $(INST)/hopscope.8 $(DESTDIR)$(MAN8DIR)/hopscope.8
	$(Q)$(INSTALL) -m 755 scripts/testbed.sh $(DESTDIR)$(LIBEXECDIR)/testbed.sh
	$(Q)$(INSTALL) -m 644 $< $(DESTDIR)$(SYSTEMDUNITDIR)/hopscope-agent.service
	$(Q)$(INSTALL) -m 644 $(DIST_PROM) $(DESTDIR)$(DISTDATADIR)/prometheus/
	$(Q)$(INSTALL) -m 644 $(DIST_GRAFANA) $(DESTDIR)$(DISTDATADIR)/grafana/

uninstall:
	$(call msg,UNINST,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(DESTDIR)$(SBINDIR)/hopscope $(DESTDIR)$(MAN8DIR)/hopscope.8 \
		$(DESTDIR)$(LIBEXECDIR)/testbed.sh \
		$(DESTDIR)$(SYSTEMDUNITDIR)/hopscope-agent.service \
		$(addprefix $(DESTDIR)$(DISTDATADIR)/,$(DIST_PROM:dist/%=%) $(DIST_GRAFANA:dist/%=%))
	$(Q)rmdir $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DISTDATADIR)/prometheus \
		$(DESTDIR)$(DISTDATADIR)/grafana $(DESTDIR)$(DISTDATADIR) 2>/dev/null || true

$(UNIT_BIN): $(UNIT_SRCS) $(wildcard tests/lib/*.h) $(SAN_LIB_OBJS) | $(OUTPUT)/tests
	$(call msg,LINK-TEST,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $(UNIT_SRCS) $(SAN_LIB_OBJS) \
		$(PKG_LIBS) -lcriterion -lpcap -lm -o $@

$(PROGRUN_BIN): $(PROGRUN_SRCS) $(wildcard tests/lib/*.h) $(SAN_LIB_OBJS) $(SKELS) | $(OUTPUT)/tests
	$(call msg,LINK-TEST,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $(PROGRUN_SRCS) $(SAN_LIB_OBJS) \
		$(PKG_LIBS) -lcriterion -lpcap -lm -o $@

$(TOOL_BINS): $(OUTPUT)/tests/%: tests/tools/%.c $(LIB_OBJS) $(TEST_SKELS) | $(OUTPUT)/tests
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $< $(TOOL_EXTRA) $(LIB_OBJS) $(PKG_LIBS) $(TOOL_LIBS) -lm -o $@

# the tools that read or write capture files (tests/bench/chain.sh, the
# fingerprint corpus)
$(OUTPUT)/tests/pcapdelay: TOOL_LIBS = -lpcap
CORPUS_SRCS := tests/lib/corpus.c tests/lib/packet.c
$(OUTPUT)/tests/mkcorpus: TOOL_LIBS = -lpcap
$(OUTPUT)/tests/mkcorpus: TOOL_EXTRA = $(CORPUS_SRCS)
$(OUTPUT)/tests/mkcorpus: $(CORPUS_SRCS) tests/lib/corpus.h tests/lib/packet.h

# the fingerprint corpus's capture files, made again from tests/lib/corpus.c
corpus: $(OUTPUT)/tests/mkcorpus
	$(call msg,GEN,tests/fixtures/corpus)
	$(Q)$(OUTPUT)/tests/mkcorpus tests/fixtures/corpus

# the corpus's files are what tests/lib/corpus.c makes, byte for byte: a
# change to one without the other (make corpus) fails here
check-corpus: $(OUTPUT)/tests/mkcorpus
	$(call msg,CHECK,corpus)
	$(Q)rm -rf $(OUTPUT)/tests/corpus && mkdir -p $(OUTPUT)/tests/corpus
	$(Q)$(OUTPUT)/tests/mkcorpus $(OUTPUT)/tests/corpus >/dev/null
	$(Q)diff -r $(OUTPUT)/tests/corpus tests/fixtures/corpus >/dev/null || \
		{ echo "check-corpus: tests/fixtures/corpus differs from what tests/lib/corpus.c makes: run make corpus" >&2; exit 1; }

$(OUTPUT)/bench:
	$(Q)mkdir -p $@

# Benchmarks build with optimisation and without sanitizers.
$(BENCH_BINS): $(OUTPUT)/bench/%: tests/bench/%.c $(TESTLIB_SRCS) $(LIB_OBJS) $(SKELS) $(TEST_SKELS) | $(OUTPUT)/bench
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $< $(TESTLIB_SRCS) $(LIB_OBJS) $(PKG_LIBS) -lpcap -o $@

# Never part of check: timings on a shared machine are for reading, as
# ratios measured side by side in one run, not for pass/fail.
# make bench QUICK=1: a smoke run of about a minute.
bench: all $(BENCH_BINS) $(TOOL_BINS) $(TEST_BPF_OBJS)
	$(call msg,BENCH,$(if $(QUICK),quick,full) run)
	$(Q)tests/bench/run.sh $(OUTPUT) $(if $(QUICK),--quick)

# The agent under container churn, link flaps and steady traffic for
# SOAK_MIN minutes (default 10): memory, descriptors, links left behind,
# records lost (tests/soak/soak.sh). make check runs a minute of it.
soak: all $(TOOL_BINS)
	$(call msg,SOAK,$(or $(SOAK_MIN),10) min)
	$(Q)SOAK_MIN=$(or $(SOAK_MIN),10) tests/soak/soak.sh $(OUTPUT)

# Every layer, even after one failed, one after the other (never two at
# once, even with -j: the integration tests time what they measure), then
# one line adding them up.
# each layer's build on every CPU (the layers themselves run one after
# the other, and each runs its tests as it says)
CHECK_JOBS ?= $(shell nproc)
check:
	$(Q)rm -rf $(OUTPUT)/tests/results
	$(Q)rc=0; for layer in layers check-man check-install check-dist check-corpus check-threads check-fuzz unit progrun integration; do \
		HS_TEST_RESULTS=$(abspath $(OUTPUT))/tests/results \
			$(MAKE) --no-print-directory -j$(CHECK_JOBS) $$layer || rc=1; \
	done; \
	tests/check-total.sh $(OUTPUT)/tests/results $$rc unit progrun integration

# every #include one way, as docs/design.md draws the layers
layers:
	$(call msg,CHECK,layers)
	$(Q)scripts/check-layers.sh

# libFuzzer harnesses (tests/fuzz): each with the sources it parses with,
# built by clang with the fuzzer, ASan and UBSan; make check runs each
# for FUZZ_CHECK_S seconds, make fuzz for FUZZ_S
FUZZ_NAMES := spec filter ovsdb netlink packet recfile
FUZZ_SRCS_spec := user/probe/spec.c user/core/hooks.c
FUZZ_SRCS_filter := user/probe/filter.c
FUZZ_SRCS_ovsdb := user/topo/ovsdb.c user/core/log.c
FUZZ_SRCS_netlink := user/topo/link.c
FUZZ_SRCS_packet :=
FUZZ_SRCS_recfile := user/store/recfile.c user/store/runinfo.c \
	user/topo/runtime.c user/topo/link.c user/core/clock.c \
	user/core/hooks.c user/core/log.c
FUZZ_BINS := $(FUZZ_NAMES:%=$(OUTPUT)/fuzz/fuzz_%)
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_S ?= 600
FUZZ_CHECK_S ?= 8

$(OUTPUT)/fuzz:
	$(Q)mkdir -p $@

.SECONDEXPANSION:
$(FUZZ_BINS): $(OUTPUT)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_SRCS_$$*) \
		$(wildcard include/*.h user/*/*.h) | $(OUTPUT)/fuzz
	$(call msg,FUZZ-CC,$@)
	$(Q)$(CLANG) $(FUZZ_FLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -Iinclude \
		-Iuser $(PKG_CFLAGS) $< $(FUZZ_SRCS_$*) $(PKG_LIBS) -o $@

check-fuzz: $(FUZZ_BINS)
	$(call msg,CHECK,fuzz $(FUZZ_CHECK_S) s each)
	$(Q)tests/fuzz/run.sh $(OUTPUT) $(FUZZ_CHECK_S)

fuzz: $(FUZZ_BINS)
	$(call msg,FUZZ,$(FUZZ_S) s each)
	$(Q)tests/fuzz/run.sh $(OUTPUT) $(FUZZ_S)

# the seeds again from the fixtures (tests/fuzz/make-seeds.py)
fuzz-seeds:
	$(Q)python3 tests/fuzz/make-seeds.py

# the matcher's threads under ThreadSanitizer (the other tests use ASan,
# which cannot be combined with it)
TSAN_BIN := $(OUTPUT)/tests/shards_tsan
$(TSAN_BIN): tests/threads/shards_tsan.c user/analysis/shards.c user/analysis/match.c user/core/mem.c $(wildcard user/analysis/*.h) | $(OUTPUT)/tests
	$(call msg,LINK-TSAN,$@)
	$(Q)$(CC) $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -Iinclude -Iuser \
		-fsanitize=thread $(filter %.c,$^) -o $@

check-threads: $(TSAN_BIN)
	$(call msg,CHECK,threads)
	$(Q)TSAN_OPTIONS=halt_on_error=1 $(TSAN_BIN)

# docs/hopscope.8 renders cleanly and documents exactly each command's options
check-man: $(BIN)
	$(call msg,CHECK,man page)
	$(Q)scripts/check-man.sh $(BIN) docs/hopscope.8

# make install into a scratch DESTDIR: the files, and where the demo looks
check-install:
	$(call msg,CHECK,install)
	$(Q)+MAKE="$(MAKE)" scripts/check-install.sh

# dist/: promtool passes the Prometheus config and rules, the rules' own
# tests and the dashboard's shape
check-dist: $(DEPS_STAMP)
	$(call msg,CHECK,dist)
	$(Q)scripts/check-dist.sh

unit: $(UNIT_BIN)
	$(call msg,TEST,unit)
	$(Q)tests/criterion-run.sh unit $(UNIT_BIN) --jobs 2

progrun: $(PROGRUN_BIN) $(BPF_OBJS)
	$(call msg,TEST,progrun)
	$(Q)tests/criterion-run.sh progrun $(PROGRUN_BIN) --jobs 1

integration: all $(TOOL_BINS) $(TEST_BPF_OBJS)
	$(call msg,TEST,integration)
	$(Q)tests/integration/run.sh $(OUTPUT)

# the paper's experiments on this host, minutes: not in make check
study: all
	$(call msg,STUDY,$(OUTPUT)/study/report.html)
	$(Q)$(BIN) study --out $(OUTPUT)/study $(STUDY_ARGS)

demo: all
	$(Q)$(BIN) demo

# Regenerate the vendored vmlinux.h from the running kernel's BTF.
vmlinux:
	$(Q)scripts/gen-vmlinux.sh vmlinux/$(ARCH)/vmlinux.h

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT)

-include $(wildcard $(OUTPUT)/*.d $(OUTPUT)/obj/*/*.d $(OUTPUT)/san/*/*.d $(OUTPUT)/tests/*.d $(OUTPUT)/bench/*.d $(INST)/*.d)
