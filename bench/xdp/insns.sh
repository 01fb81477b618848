#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Instructions per frame: bench/xdp's programs, configs and frames, each
# frame run through its program's object outside the kernel (insns.py)
# over the maps as bench/xdp's timed runs left them (`bench -d`, dump.c).
# The same tree gives the same numbers on every run, where ns move by a
# few from run to run: this is the figure to compare two trees by
# (bench/xdp/README.md says how it relates to ns).
#
# A second table gives each localin cell's cycles in insns.py --chain's
# model of an out-of-order core: what the frame waits for, where the
# count is how much work it is (bench/xdp/README.md, fourteenth part).
# A third, the same with a map's bytes out of L1 (--miss=14), as the
# kernel's work between a flood's packets leaves them (fifteenth part).
#
# Each cell is two counts, N/M: N counts a call as one instruction, M
# counts array lookups and jiffies64 as the verifier inlines them (six to
# eight instructions, and two; insns.py's INLINED). A hash map's lookup
# stays a call into the kernel (jhash and a bucket walk) in both:
# xdp-filter's are mostly that, so its counts are not comparable with
# localin's. Its rows say how many calls it made.
#
# With BASE=TREE (a worktree of another commit, built with make), the
# localin rows again with TREE's program, after this tree's: bench.c,
# spi.c, sess.c and dump.c of this tree built against TREE/src and
# TREE/build/liblocalin.a, as run.sh's BASE= does. A TREE from before
# li_loader_bench lost the test metadata (2026-12-06, README's fifteenth
# part) does not build so: run insns.py on its object over this tree's
# dumps instead, which models both on the path the bench now times.
#
# Needs root and bench/xdp/run.sh's build (its bench binary and configs).
#
#   bench/xdp/insns.sh [BUILD]   (default build; CONFS: label=config ...;
#                                 BASE)
set -eu
# shellcheck source=bench/xdp/confs.sh
. "$(dirname "$0")/confs.sh"

BUILD=${1:-build}
OUT=$BUILD/bench/xdp
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
FILTERS=/usr/lib/$(gcc -print-multiarch)/bpf

if [ ! -f "$OUT/pfx1.conf" ] || [ ! -f "$OUT/pass.bpf.o" ]; then
	echo "bench/xdp/insns.sh: run bench/xdp/run.sh $BUILD first (it writes the configs)" >&2
	exit 2
fi
CONFS=${CONFS:-$(bench_xdp_confs "$OUT")}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# dump BENCH DIR: BENCH's timed runs of every config, their maps into DIR
dump() {
	# shellcheck disable=SC2086 # CONFS: one word a config
	if ! "$1" -a "$FILTERS/xdpfilt_alw_all.o" \
		-u "$FILTERS/xdpfilt_alw_udp.o" -p "$OUT/pass.bpf.o" -r 1000 \
		-k 1 -d "$2" $CONFS >"$tmp/bench.out" 2>&1; then
		cat "$tmp/bench.out" >&2
		exit 1
	fi
}
# The harness built again here: one run.sh built before the library's
# image changed dumps maps the program misreads.
${CC:-gcc} -O2 -g -std=gnu11 -D_GNU_SOURCE -Isrc -o "$tmp/bench-cur" \
	bench/xdp/bench.c bench/xdp/spi.c bench/xdp/sess.c bench/xdp/dump.c \
	"$BUILD/liblocalin.a" -lbpf -lxdp -lpcap -lmaxminddb -lGeoIP -lm
dump "$tmp/bench-cur" "$tmp"
if [ -n "${BASE:-}" ]; then
	${CC:-gcc} -O2 -g -std=gnu11 -D_GNU_SOURCE -I"$BASE/src" \
		-o "$tmp/bench-base" bench/xdp/bench.c bench/xdp/spi.c \
		bench/xdp/sess.c bench/xdp/dump.c "$BASE/build/liblocalin.a" \
		-lbpf -lxdp -lpcap -lmaxminddb -lGeoIP -lm
	dump "$tmp/bench-base" "$tmp/base"
fi

frames="ike-denied ike-peer not-for-gw esp-known esp-unknown"
# table_head TITLE: a table's title and its row of frames
table_head() {
	printf "%s\n%-17s" "$1" config
	for f in $frames; do printf " %12s" "$f"; done
	printf "\n"
}
table_head "instructions per frame (insns.py, the second run over bench's maps): a call as one / array lookups inlined"
# row LABEL OBJ DUMP [chain]: one row, and the calls of each frame if any
# is not an inlined one; with "chain", the row's --chain cycles also into
# $tmp/chain (xdp-filter's lookups are calls, which the model cannot see into)
row() {
	printf "%-17s" "$1"
	[ "${4:-}" = chain ] && printf "%-17s" "$1" | tee -a "$tmp/miss" >>"$tmp/chain"
	calls=
	for f in $frames; do
		out=$("$PY" bench/xdp/insns.py "$2" "$3" "$tmp/frames/$f.frame" \
			${4:+--chain})
		n=$(echo "$out" | sed -n 's/^insns \([0-9]*\) inlined \([0-9]*\) .*/\1\/\2/p')
		printf " %12s" "$n"
		if [ "${4:-}" = chain ]; then
			printf " %12s" "$(echo "$out" | sed -n 's/^chain \([0-9.]*\) .*/\1/p')" >>"$tmp/chain"
			printf " %12s" "$("$PY" bench/xdp/insns.py "$2" "$3" \
				"$tmp/frames/$f.frame" --chain --miss=14 |
				sed -n 's/^chain \([0-9.]*\) .*/\1/p')" >>"$tmp/miss"
		fi
		calls="$calls $f:$(echo "$out" | sed -n 's/.* calls //p' | tr ' ' ',')"
	done
	printf "\n"
	[ "${4:-}" = chain ] && printf "\n" | tee -a "$tmp/miss" >>"$tmp/chain"
	case $1 in
	xdp-filter*) printf "%-17s %s\n" "" "calls:$calls" ;;
	esac
}
: >"$tmp/chain"
: >"$tmp/miss"
row xdp-filter "$FILTERS/xdpfilt_alw_all.o" "$tmp/xdp-filter"
row "xdp-filter -f udp" "$FILTERS/xdpfilt_alw_udp.o" "$tmp/xdp-filter-udp"
for c in $CONFS; do
	label=${c%%=*}
	row "$label" "$BUILD/localin.tmp.bpf.o" "$tmp/$label" chain
done
if [ -n "${BASE:-}" ]; then
	echo "BASE: $BASE ($(git -C "$BASE" log -1 --format=%h))" |
		tee -a "$tmp/chain" "$tmp/miss"
	for c in $CONFS; do
		label=${c%%=*}
		row "$label" "$BASE/build/localin.tmp.bpf.o" "$tmp/base/$label" chain
	done
fi
echo
table_head "cycles per frame (insns.py --chain: a model of the core, width 6, a load 4 cycles; what a frame waits for)"
cat "$tmp/chain"
echo
table_head "cycles per frame as in a flood (the same with --miss=14: a map's bytes out of L1, an L2 hit each)"
cat "$tmp/miss"

