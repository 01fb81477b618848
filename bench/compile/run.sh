#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Compile benchmark: `localin check -c FILE` on generated configs with 1k,
# 10k and 100k firewall addresses (groups with exclusions) and 10k
# local-in policies, wall time (median of 3) and peak RSS, against the
# targets for the largest (< 1 s, < 200 MB). Anchor, side by side when
# nftables is installed: `nft -c -f` of the same prefixes in named interval
# sets with one rule per policy, in a private network namespace.
# A driver that times ruleset_compile() alone is built from the library
# when it is there, to show the compile stage's own share.
#
#   bench/compile/run.sh [LOCALIN]        (default build/localin)
#   SIZES="1000 10000" POLICIES=5000 bench/compile/run.sh
set -u

LOCALIN=${1:-build/localin}
HERE=$(dirname "$0")
OUT=${BENCH_OUT:-build/bench/compile}
SIZES=${SIZES:-"1000 10000 100000"}
POLICIES=${POLICIES:-10000}
RUNS=3
TARGET_S=1.0
TARGET_MB=200
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

if [ ! -x "$LOCALIN" ]; then
	echo "run.sh: $LOCALIN not found (make first)" >&2
	exit 2
fi
if [ ! -x /usr/bin/time ]; then
	echo "run.sh: /usr/bin/time missing (package time: sh scripts/install-deps.sh)" >&2
	exit 2
fi
mkdir -p "$OUT"

have_nft=0
if command -v nft >/dev/null 2>&1 && unshare -n true 2>/dev/null; then
	have_nft=1
fi

driver=""
lib=$(dirname "$LOCALIN")/liblocalin.a
if [ -f "$lib" ] && ${CC:-cc} -std=gnu11 -D_GNU_SOURCE -O2 -Isrc \
	-o "$OUT/driver" "$HERE/driver.c" "$lib" -lm 2>/dev/null; then
	driver="$OUT/driver"
fi

# median of the first field, max of the second, over lines "secs kb"
summarize() {
	sort -n "$1" | awk '{ t[NR] = $1; if ($2 > m) m = $2 }
		END { printf "%.2f %.0f\n", t[int((NR + 1) / 2)], m / 1024 }'
}

# measure NAME CMD...: RUNS runs, prints "median_s peak_mb" or "fail"
measure() {
	name=$1
	shift
	: >"$OUT/$name.times"
	i=0
	while [ $i -lt $RUNS ]; do
		if ! /usr/bin/time -f '%e %M' -o "$OUT/$name.time1" "$@" \
			>"$OUT/$name.stdout" 2>"$OUT/$name.stderr"; then
			echo fail
			return
		fi
		tail -n 1 "$OUT/$name.time1" >>"$OUT/$name.times"
		i=$((i + 1))
	done
	summarize "$OUT/$name.times"
}

printf '%-8s %9s %9s %9s %8s %10s %9s %8s %7s\n' addrs policies warnings \
	check_s check_MB compile_s nft_s nft_MB ratio
last_s=""
last_mb=""
for n in $SIZES; do
	conf="$OUT/addr$n-pol$POLICIES.conf"
	nftf="$OUT/addr$n-pol$POLICIES.nft"
	if [ ! -s "$conf" ] || [ ! -s "$nftf" ]; then
		"$PY" "$HERE/gen.py" --addrs "$n" --policies "$POLICIES" \
			--out "$conf" --nft "$nftf" || exit 1
	fi
	set -- $(measure "check$n" "$LOCALIN" check -c "$conf")
	if [ "$1" = fail ]; then
		echo "run.sh: localin check failed on $conf:" >&2
		tail -n 5 "$OUT/check$n.stderr" >&2
		exit 1
	fi
	check_s=$1
	check_mb=$2
	warnings=$(grep -c ': warning: ' "$OUT/check$n.stderr")
	compile_s=-
	if [ -n "$driver" ]; then
		compile_s=$("$driver" "$conf" $RUNS 2>/dev/null |
			sed -n 's/.*compile \([0-9.]*\) s.*/\1/p')
		[ -n "$compile_s" ] || compile_s=-
	fi
	nft_s=-
	nft_mb=-
	ratio=-
	if [ $have_nft -eq 1 ]; then
		set -- $(measure "nft$n" unshare -n nft -c -f "$nftf")
		if [ "$1" != fail ]; then
			nft_s=$1
			nft_mb=$2
			ratio=$(awk -v a="$check_s" -v b="$nft_s" \
				'BEGIN { if (a > 0) printf "%.1fx", b / a; else print "-" }')
		fi
	fi
	printf '%-8s %9s %9s %9s %8s %10s %9s %8s %7s\n' "$n" "$POLICIES" \
		"$warnings" "$check_s" "$check_mb" "$compile_s" "$nft_s" \
		"$nft_mb" "$ratio"
	last_s=$check_s
	last_mb=$check_mb
done
echo "(check: localin check wall s, median of $RUNS, and peak RSS MB;" \
	"compile: ruleset_compile() alone; ratio: nft time / localin time)"

if awk -v s="$last_s" -v m="$last_mb" -v ts="$TARGET_S" -v tm="$TARGET_MB" \
	'BEGIN { exit !(s < ts && m < tm) }'; then
	echo "PASS: largest config in ${last_s} s and ${last_mb} MB" \
		"(targets < ${TARGET_S} s, < ${TARGET_MB} MB)"
	exit 0
fi
echo "FAIL: largest config took ${last_s} s and ${last_mb} MB" \
	"(targets < ${TARGET_S} s, < ${TARGET_MB} MB)"
exit 1
