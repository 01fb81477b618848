# SPDX-License-Identifier: GPL-2.0
#
# localin: plain GNU make, outputs under build/.
#   make          build build/localin
#   make test     install deps, build, run every test (plain and ASan+UBSan)
#   make demo     install deps, build, run the main job on examples/seed.conf
#   make fuzz     build and run the libFuzzer targets (FUZZ_SECONDS each)
#   make bench    run the benchmarks under bench/
#   make format   clang-format the C sources (format-check: only say what differs)
#   make install  binary, systemd unit, examples (PREFIX=/usr/local, DESTDIR)

CLANG ?= clang
BUILD ?= build
V ?= 0
Q := $(if $(filter 1,$(V)),,@)

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter -Wformat=2 -Wvla
CFLAGS ?= -O2 -g
# Reproducible: no absolute path of this tree in what is built (debug info,
# __FILE__), so the same commit built in two directories is the same bytes.
# The program object's hash is the build's identity (li_loader_build(),
# `localin --version`): a daemon of the same commit adopts the pins.
REPRO := -ffile-prefix-map=$(CURDIR)=.
# `override` so that `make CFLAGS=...` (the sanitizer build) keeps these.
override CFLAGS += -std=gnu11 $(WARN) -D_GNU_SOURCE -MMD -MP $(REPRO) -Isrc
LDLIBS += -lpcap -lbpf -lxdp -lmnl -lsystemd -lm
# alert e-mail (src/daemon/alertmail.c) and threat feeds (src/dyn/):
# libcurl4-openssl-dev, its headers only: the library is loaded when first
# wanted (src/util/curl_dl.c).
override CFLAGS += $(shell pkg-config --cflags libcurl)
# The metrics endpoint's HTTP server (daemon/metrics.c): libmicrohttpd-dev,
# its headers only, loaded when the endpoint starts (src/util/mhd_dl.c).
# FQDN addresses (src/daemon/dynaddr.c, src/dyn/): libc-ares-dev
LDLIBS += $(shell pkg-config --libs libcares)
# The console's line editor (src/cli/shell.c): libedit-dev.
override CFLAGS += $(shell pkg-config --cflags libedit)
LDLIBS += $(shell pkg-config --libs libedit)
# Geography addresses (objects/geoip.c): MaxMind DB and GeoIP legacy files.
LDLIBS += $(shell pkg-config --libs libmaxminddb geoip)

LIB_SRCS := $(filter-out src/cli/main.c %.bpf.c,$(wildcard src/*/*.c))
CLI_SRCS := src/cli/main.c
UNIT_SRCS := $(wildcard tests/unit/test_*.c)

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all deps test test-plain test-asan demo fuzz bench clean format \
	format-check install uninstall

all: $(BUILD)/localin

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# The XDP program (libbpf-bootstrap recipe): clang, bpftool gen object,
# bpftool gen skeleton; the loader includes the skeleton.
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
# With -target bpf clang searches none of the host's system directories;
# hand it the ones it searches for the host (asm/types.h lives in the
# multiarch one), after everything else, as libbpf-bootstrap does.
CLANG_BPF_SYS_INCLUDES := $(shell $(CLANG) -v -E - </dev/null 2>&1 | sed -n \
	'/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
# -O3: clang 14 then keeps more in registers on the decision's paths (a
# denied IKE first packet 650 -> 642 instructions, IKE in its session
# 564 -> 539, bench/xdp/insns.sh) and the verifier walks less (747k ->
# 699k of its 1M, tests/diff's diff_budget); the program is 14% larger.
BPF_CFLAGS := -g -O3 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Isrc \
	$(REPRO) $(CLANG_BPF_SYS_INCLUDES)
BPF_SKEL := $(BUILD)/localin.skel.h

$(BUILD)/%.bpf.o: src/dataplane/%.bpf.c
	@mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -MT $@ -MF $(@:.o=.d) \
		-c $< -o $(@:.bpf.o=.tmp.bpf.o)
	$(Q)bpftool gen object $@ $(@:.bpf.o=.tmp.bpf.o)

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(Q)bpftool gen skeleton $< > $@

SKEL_USERS := $(addprefix $(BUILD)/src/dataplane/,loader.o loader_image.o \
	loader_pins.o loader_orphan.o loader_hook.o loader_hits.o \
	loader_swap.o loader_sess.o loader_tc.o loader_upper.o)
$(SKEL_USERS): $(BPF_SKEL)
$(SKEL_USERS): override CFLAGS += -I$(BUILD)

$(BUILD)/liblocalin.a: $(LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/localin: $(CLI_OBJS) $(BUILD)/liblocalin.a
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/liblocalin.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $(filter %.c %.a,$^) -lcmocka $(LDLIBS)

# The VICI SA source against a real charon (tests/lab/vici.sh); no cmocka.
$(BUILD)/tests/sa_watch: tests/lab/sa_watch.c $(BUILD)/src/ipsec/vici.o $(BUILD)/src/ipsec/vici_wire.o
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^

deps:
	$(Q)sh scripts/install-deps.sh

# The sanitizer build is the same tree compiled again into build/asan.
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined

test: deps
	$(Q)$(MAKE) --no-print-directory all unit-bins
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/asan \
		CFLAGS="$(ASAN_FLAGS)" all unit-bins
	$(Q)sh tests/run.sh $(BUILD) $(BUILD)/asan

unit-bins: $(UNIT_BINS) $(BUILD)/tests/sa_watch

demo: deps all
	$(Q)sh scripts/demo.sh $(BUILD)/localin
	$(Q)bash tests/lab/demo.sh $(BUILD)/localin

FUZZ_SECONDS ?= 60
# UBSan reports abort, as in the ASan build: a report is a crash saved.
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -std=gnu11 -D_GNU_SOURCE -Isrc
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
# Every libFuzzer target in tests/fuzz/, FUZZ_SECONDS each (FUZZ=name for one).
fuzz: deps $(BPF_SKEL)
	@mkdir -p $(BUILD)/fuzz
	$(Q)set -e; for t in $(if $(FUZZ),$(FUZZ),$(FUZZ_TARGETS)); do \
		$(CLANG) $(FUZZ_FLAGS) -I$(BUILD) -o $(BUILD)/fuzz/$$t tests/fuzz/$$t.c \
			$(LIB_SRCS) $(LDLIBS); \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		sh tests/fuzz/run.sh $(BUILD)/fuzz/$$t $(FUZZ_SECONDS); \
	done

# bench/replay exits 1 when its target is missed, which its README
# records run by run: the others still run after it.
bench: deps all
	$(Q)sh bench/compile/run.sh $(BUILD)/localin
	-$(Q)sh bench/replay/run.sh $(BUILD)/localin
	$(Q)sh bench/xdp/run.sh $(BUILD)
	$(Q)sh bench/xdp/insns.sh $(BUILD)
	$(Q)sh bench/session/run.sh $(BUILD)
	$(Q)sh bench/flood/run.sh $(BUILD)
	$(Q)sh bench/startup/run.sh $(BUILD)

# The C sources against .clang-format: `make format` rewrites them,
# `make format-check` names each file that differs and fails if any does.
FORMAT_SRCS := $(wildcard src/*/*.[ch] tests/unit/*.[ch] bench/*/*.[ch])
format:
	$(Q)clang-format -i $(FORMAT_SRCS)

format-check:
	$(Q)sh scripts/format-check.sh $(FORMAT_SRCS)

# make install [PREFIX=/usr/local] [DESTDIR=...]: the binary, the systemd
# unit (ExecStart pointing at the binary) and the example configs.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
UNITDIR ?= $(PREFIX)/lib/systemd/system
DOCDIR ?= $(PREFIX)/share/doc/localin

install: all
	install -D -m 0755 $(BUILD)/localin $(DESTDIR)$(BINDIR)/localin
	@mkdir -p $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR)/examples
	sed 's|@BINDIR@|$(BINDIR)|g' contrib/localin.service \
		>$(DESTDIR)$(UNITDIR)/localin.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/localin.service
	install -m 0644 examples/*.conf $(DESTDIR)$(DOCDIR)/examples/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/localin $(DESTDIR)$(UNITDIR)/localin.service
	rm -rf $(DESTDIR)$(DOCDIR)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
