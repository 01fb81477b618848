#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Two commits' XDP programs side by side: bench/xdp's bench binary built
# from each commit (its program and loader, in a worktree of its own),
# run RUNS times by turns on run.sh's frames and configs, then per cell
# the minimum of the medians and the range over the runs, with
# xdp-filter's and XDP_PASS's rows of the same runs. Interleaving keeps
# a VM whose speed moves from favouring one side. Then, where the bench
# pairs its rounds with xdp-filter (bench.c print_paired), per cell the
# median over the runs of each run's paired difference: what "at or
# below xdp-filter" is judged by (bench/xdp/README.md).
#
#   bench/xdp/compare.sh REV_A REV_B [RUNS]   (BUILD=build, REPEAT=200000,
#                                              ROUNDS=5)
# BENCH_CENTI=1: hundredths of a ns by the wall clock (bench.c), for
# differences below the kernel's whole ns; HARNESS=tree: both sides'
# bench binaries built from this tree's bench/xdp/*.c (each against its
# own commit's library), for a REV whose bench.c has no BENCH_CENTI yet.
# Needs run.sh's configs under BUILD/bench/xdp (run it once first), root.
# From 2026-12-06 (fifteenth part, README) li_loader_bench times frames
# without test metadata, as a gateway's arrive: a REV before that times
# the metadata's 7 instructions more, and HARNESS=tree does not build it.
set -eu
# shellcheck source=bench/xdp/confs.sh
. "$(dirname "$0")/confs.sh"

A=$1
B=$2
RUNS=${3:-3}
BUILD=${BUILD:-build}
OUT=$BUILD/bench/xdp
F=/usr/lib/$(gcc -print-multiarch)/bpf
if [ ! -f "$OUT/geo10.conf" ] || [ ! -f "$OUT/pfx1q.conf" ] ||
	[ ! -f "$OUT/pass.bpf.o" ]; then
	echo "bench/xdp/compare: run bench/xdp/run.sh $BUILD first (its configs)" >&2
	exit 2
fi
OUT=$(realpath "$OUT")
tmp=$(mktemp -d /tmp/li-compare.XXXXXX)
top=$(git rev-parse --show-toplevel)
cleanup() {
	for s in a b; do
		[ -d "$tmp/$s" ] && git -C "$top" worktree remove --force "$tmp/$s"
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
for s in a b; do
	rev=$A
	[ $s = b ] && rev=$B
	git -C "$top" worktree add -q --detach "$tmp/$s" "$rev"
	make -s -C "$tmp/$s" BUILD="$tmp/$s/build" "$tmp/$s/build/liblocalin.a" \
		>"$tmp/$s.log" 2>&1 || { cat "$tmp/$s.log"; exit 1; }
	# bench -d's dump.c, from 29317c9 on
	h=$tmp/$s
	[ "${HARNESS:-}" != tree ] || h=$top
	dump=
	[ ! -f "$h/bench/xdp/dump.c" ] || dump=$h/bench/xdp/dump.c
	# shellcheck disable=SC2086 # $dump: no word, or one
	(cd "$tmp/$s" && ${CC:-gcc} -O2 -g -std=gnu11 -D_GNU_SOURCE -Isrc \
		-o "$tmp/$s.bench" "$h/bench/xdp/bench.c" "$h/bench/xdp/spi.c" \
		"$h/bench/xdp/sess.c" $dump build/liblocalin.a -lbpf -lxdp \
		-lpcap -lmaxminddb -lGeoIP -lm)
done
CONFS=$(bench_xdp_confs "$OUT")
for _ in $(seq "$RUNS"); do
	for s in a b; do
		# shellcheck disable=SC2086 # CONFS: one word a config
		"$tmp/$s.bench" -a "$F/xdpfilt_alw_all.o" -u "$F/xdpfilt_alw_udp.o" \
			-p "$OUT/pass.bpf.o" -r "${REPEAT:-200000}" -k "${ROUNDS:-5}" \
			$CONFS >"$tmp/run.txt"
		awk '/^ns per packet/ { on = 1 }
			on && /^(xdp-filter|XDP_PASS|pfx|pol|a100k|geo)/' \
			"$tmp/run.txt" >>"$tmp/$s.out"
		# bench.c's paired rounds (a bench.c from 55c2d2b on)
		awk '/^paired with/ { on = 1; next }
			on && /^  [a-z0-9]/ && !/^  median of/' \
			"$tmp/run.txt" >>"$tmp/$s.pair"
	done
done
# The frames' header, and an awk END's rows: a label, then cell(l, c)
# for the five frames (each awk defines cell).
cells_head() {
	printf '%-15s %-12s %-12s %-12s %-12s %-12s\n' "" ike-denied ike-peer \
		not-for-gw esp-known esp-unknown
}
ROWS='function rows(   j, c) {
	for (j = 1; j <= no; j++) {
		printf "%-15s", order[j]
		for (c = 1; c <= 5; c++)
			printf " %-12s", cell(order[j], c)
		printf "\n"
	}
}'
for s in a b; do
	rev=$A
	[ $s = b ] && rev=$B
	echo "== $rev ($(git -C "$top" rev-parse --short "$rev")): min of $RUNS medians [range], ns"
	cells_head
	awk "$ROWS"'
	function cell(l, c) { return lo[l, c] " [" lo[l, c] "-" hi[l, c] "]" }
	{
		lab = $1 == "xdp-filter" && $2 == "-f" ? "xdp-filter-udp" : $1
		c = 0
		for (i = 2; i <= NF; i++)
			if ($i ~ /^[0-9]+$/ && $(i + 1) ~ /^(drop|pass)$/) {
				c++; k = lab SUBSEP c
				if (!(k in lo) || $i < lo[k]) lo[k] = $i
				if (!(k in hi) || $i > hi[k]) hi[k] = $i
			}
		if (!(lab in seen)) { seen[lab] = 1; order[++no] = lab }
	}
	END { rows() }' "$tmp/$s.out"
done
# Per cell, over the runs: the median of each run's paired median
# (localin minus xdp-filter, bench.c print_paired) and the runs above 0.
for s in a b; do
	[ -s "$tmp/$s.pair" ] || continue
	rev=$A
	[ $s = b ] && rev=$B
	echo "== $rev: paired with xdp-filter, median of $RUNS runs' median differences, ns (runs above 0)"
	cells_head
	awk "$ROWS"'
	function cell(l, c) {
		return sprintf("%+.2f (%d)", med(l SUBSEP c), above[l, c])
	}
	function med(k,   n, i, j, t, v) {
		n = cnt[k]
		for (i = 1; i <= n; i++) v[i] = val[k, i]
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
				t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
			}
		return v[int((n + 1) / 2)]
	}
	$1 == "verdict:" { split($(NF - 1), a, "/"); runs = runs " " a[1]; next }
	{
		if (!($1 in seen)) { seen[$1] = 1; order[++no] = $1 }
		c = 0
		for (i = 2; i + 1 <= NF; i += 3) {
			c++
			k = $1 SUBSEP c
			val[k, ++cnt[k]] = $(i + 1) + 0
			above[k] += $(i + 1) + 0 > 0
		}
	}
	END {
		rows()
		print "cells at or below 0, run by run:" runs
	}' "$tmp/$s.pair"
done
