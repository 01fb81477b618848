#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# XDP benchmark: ns per packet by BPF_PROG_TEST_RUN (repeat N, median of
# K rounds) of localin's XDP program for five frames of the seed scenario
# (IKE from a denied source, IKE from the peer, traffic not for the
# gateway, ESP with a known and with an unknown SPI), over configs with 1,
# 1k and 100k source prefixes (bench/replay/gen.py: the seed config with N
# prefixes excluded) and with 1, 100 and 1000 policies (bench/compile/gen.py,
# 1000 addresses; and 100k addresses with 1000 policies). In the same run,
# on the same frames, a bare XDP_PASS program and two of xdp-filter's own
# program objects (xdp-tools), each with the one rule `xdp-filter port 500
# -p udp` writes into its filter_ports map:
#   xdpfilt_alw_all.o  what `xdp-filter load IFACE` loads (all features,
#                      policy allow: frames matching no rule pass)
#   xdpfilt_alw_udp.o  what `xdp-filter load -f udp IFACE` loads
# (`xdp-filter port` only adds to the map of whatever is loaded; the
# xdpfilt_dny_* objects are `load -p deny`, where the rules allow and all
# else is dropped.) bench.c aborts if either does not drop exactly UDP to
# port 500 under BPF_PROG_TEST_RUN.
# Then the SPI check (spi.c): ns per ESP packet with detect-unknown-esp
# enable and disable, at 1 and 100k SAs, varied SPIs (spi.bpf.o rewrites
# the frame's SPI before each run and tail-calls localin's program;
# SPI_FRAMES distinct frames, and at 100k SAs also one per SA).
# At the end, one session lookup by itself (lookup.sh).
# Then what sessions cost (sess.c): per config, the reply to the gateway's
# DNS query without and with its session (opened by the egress program),
# the peer's IKE in its session, a new session a run (sess.bpf.o changes
# the source port before each run and tail-calls localin's program), and
# the egress program on the query.
# With BASE=TREE (a worktree from before sessions, built with make), the
# main table and that section's policy decisions (reply-nosess, ike-peer)
# again with TREE's program (bench.c and sess.c of this tree built with
# -DBENCH_NO_SESS against TREE/src and TREE/build/liblocalin.a).
# Needs root (BPF_PROG_TEST_RUN). Nothing is attached or pinned.
#
#   bench/xdp/run.sh [BUILD]   (default build; REPEAT, ROUNDS, SPI_FRAMES,
#                               BASE)
set -eu
# shellcheck source=bench/xdp/confs.sh
. "$(dirname "$0")/confs.sh"
# shellcheck source=bench/machine.sh
. "$(dirname "$0")/../machine.sh"

BUILD=${1:-build}
OUT=$BUILD/bench/xdp
REPEAT=${REPEAT:-200000}
ROUNDS=${ROUNDS:-7}
SPI_FRAMES=${SPI_FRAMES:-1024}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
FILTERS=/usr/lib/$(gcc -print-multiarch)/bpf
FILTER_ALL=$FILTERS/xdpfilt_alw_all.o
FILTER_UDP=$FILTERS/xdpfilt_alw_udp.o

if [ "$(id -u)" -ne 0 ]; then
	echo "bench/xdp: BPF_PROG_TEST_RUN needs root" >&2
	exit 2
fi
for f in "$FILTER_ALL" "$FILTER_UDP"; do
	if [ ! -f "$f" ]; then
		echo "bench/xdp: $f missing (package xdp-tools: sh scripts/install-deps.sh)" >&2
		exit 2
	fi
done
mkdir -p "$OUT"
"$PY" bench/replay/gen.py "$OUT" --packets 1 --prefixes 1,1000,100000 >/dev/null
for p in 1 100 1000; do
	[ -f "$OUT/pol$p.conf" ] ||
		"$PY" bench/compile/gen.py --addrs 1000 --policies $((p - 1)) \
			--out "$OUT/pol$p.conf"
done
[ -f "$OUT/a100k-pol1000.conf" ] ||
	"$PY" bench/compile/gen.py --addrs 100000 --policies 999 \
		--out "$OUT/a100k-pol1000.conf"
# geo10: the seed config (its policy as 2) behind a policy 1 that denies
# everything from ten countries and 100.64.0.48/28 (so that the denied
# frame's lookup walks all three trie levels, as in the pfx rows) (Debian's geoip-database: tens of thousands of ranges).
if [ ! -f "$OUT/geo10.conf" ]; then
	{
		sed -n '1,/^config firewall address$/p' examples/seed.conf
		printf '    edit "cgn-edge"\n        set subnet 100.64.0.48/28\n    next\n'
		for cc in CN US RU BR IN DE GB FR JP KR; do
			printf '    edit "geo-%s"\n        set type geography\n' "$cc"
			printf '        set country "%s"\n    next\n' "$cc"
		done
		sed -n '/^config firewall address$/,/^config firewall local-in-policy$/{
			/^config firewall address$/d
			/^config firewall local-in-policy$/d
			p
		}' examples/seed.conf
		echo 'config firewall addrgrp'
		echo '    edit "geo-blocked"'
		echo '        set member "cgn-edge" "geo-CN" "geo-US" "geo-RU" "geo-BR" "geo-IN" "geo-DE" "geo-GB" "geo-FR" "geo-JP" "geo-KR"'
		echo '    next'
		echo 'end'
		echo 'config firewall local-in-policy'
		echo '    edit 1'
		echo '        set intf "wan1"'
		echo '        set srcaddr "geo-blocked"'
		echo '        set dstaddr "all"'
		echo '        set service "ALL"'
		echo '        set schedule "always"'
		echo '    next'
		# The seed's policy 1 follows as policy 2.
		sed -n '/^config firewall local-in-policy$/,$p' examples/seed.conf |
			sed -e 1d -e 's/^    edit 1$/    edit 2/'
	} >"$OUT/geo10.conf.tmp" && mv "$OUT/geo10.conf.tmp" "$OUT/geo10.conf"
fi
# pfx1q: pfx1 with denied traffic not logged, so that its ike-denied pays
# no events step: beside pfx1's (logged, the event suppressed by the token
# bucket after the first), what issue 11's "a suppressed logged deny as
# cheap as a silent one" compares.
sed 's/set local-in-deny-unicast enable/set local-in-deny-unicast disable/' \
	"$OUT/pfx1.conf" >"$OUT/pfx1q.conf"
grep -q 'local-in-deny-unicast disable' "$OUT/pfx1q.conf" || {
	echo "bench/xdp: pfx1.conf no longer logs denied unicast traffic" >&2
	exit 1
}
clang -O2 -g -target bpf -I/usr/include/"$(gcc -print-multiarch)" \
	-c bench/xdp/pass.bpf.c -o "$OUT/pass.bpf.o"
clang -O2 -g -target bpf -I/usr/include/"$(gcc -print-multiarch)" \
	-c bench/xdp/spi.bpf.c -o "$OUT/spi.bpf.o"
clang -O2 -g -target bpf -I/usr/include/"$(gcc -print-multiarch)" \
	-c bench/xdp/sess.bpf.c -o "$OUT/sess.bpf.o"
${CC:-gcc} -O2 -g -std=gnu11 -Wall -Wextra -D_GNU_SOURCE -Isrc \
	-o "$OUT/bench" bench/xdp/bench.c bench/xdp/spi.c bench/xdp/sess.c \
	bench/xdp/dump.c \
	"$BUILD/liblocalin.a" -lbpf -lxdp -lpcap -lmaxminddb -lGeoIP -lm
if [ -n "${BASE:-}" ]; then
	${CC:-gcc} -O2 -g -std=gnu11 -Wall -Wextra -D_GNU_SOURCE \
		-DBENCH_NO_SESS -I"$BASE/src" -o "$OUT/bench-base" \
		bench/xdp/bench.c bench/xdp/spi.c bench/xdp/sess.c \
		bench/xdp/dump.c "$BASE/build/liblocalin.a" -lbpf -lxdp -lpcap -lm
fi
CONFS=$(bench_xdp_confs "$OUT")
machine_line
# shellcheck disable=SC2086 # CONFS: one word a config
"$OUT/bench" -a "$FILTER_ALL" -u "$FILTER_UDP" -p "$OUT/pass.bpf.o" \
	-r "$REPEAT" -k "$ROUNDS" -S "$OUT/sess.bpf.o" \
	-s "$OUT/pfx1.conf" -w "$OUT/spi.bpf.o" -m "$SPI_FRAMES" $CONFS
if [ -n "${BASE:-}" ]; then
	echo
	echo "BASE: $BASE ($(git -C "$BASE" log -1 --format=%h))"
	# shellcheck disable=SC2086
	"$OUT/bench-base" -a "$FILTER_ALL" -u "$FILTER_UDP" \
		-p "$OUT/pass.bpf.o" -r "$REPEAT" -k "$ROUNDS" -S - $CONFS
fi
echo
echo "One session lookup by itself (lookup.sh: the kernel's LRU hash against li_sess_tab's way):"
sh bench/xdp/lookup.sh "$BUILD"
