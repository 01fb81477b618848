#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Compile benchmark: `localin check -c FILE` on generated configs with 1k,
# 10k and 100k firewall addresses (groups with exclusions) and 10k
# local-in policies, wall time (median of 3) and peak RSS, against the
# targets for the largest (< 1 s, < 200 MB); then one group of 1M
# addresses (one `set member` line) under 100 policies, against its own
# targets (< 5 s, < 768 MB). Anchor, side by side when
# nftables is installed: `nft -c -f` of the same prefixes in named interval
# sets with one rule per policy, in a private network namespace.
# A driver that times ruleset_compile() alone is built from the library
# when it is there, to show the compile stage's own share.
#
#   bench/compile/run.sh [LOCALIN]        (default build/localin)
#   SIZES="1000 10000" POLICIES=5000 bench/compile/run.sh
#   ONE_GROUP=0 bench/compile/run.sh      (without the 1M group)
set -u

LOCALIN=${1:-build/localin}
HERE=$(dirname "$0")
OUT=${BENCH_OUT:-build/bench/compile}
SIZES=${SIZES:-"1000 10000 100000"}
POLICIES=${POLICIES:-10000}
RUNS=3
TARGET_S=1.0
TARGET_MB=200
ONE_GROUP=${ONE_GROUP:-1000000}
ONE_POLICIES=100
TARGET_ONE_S=5.0
TARGET_ONE_MB=768
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
	-o "$OUT/driver" "$HERE/driver.c" "$lib" -lmaxminddb -lGeoIP -lm \
	2>/dev/null; then
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

# row NAME ADDRS POLICIES GEN-ARGS...: generate (once), measure, print
# a row of the table; sets row_s and row_mb
row() {
	name=$1
	n=$2
	pols=$3
	shift 3
	conf="$OUT/$name.conf"
	nftf="$OUT/$name.nft"
	if [ ! -s "$conf" ] || [ ! -s "$nftf" ]; then
		"$PY" "$HERE/gen.py" --addrs "$n" --policies "$pols" "$@" \
			--out "$conf" --nft "$nftf" || exit 1
	fi
	set -- $(measure "check-$name" "$LOCALIN" check -c "$conf")
	if [ "$1" = fail ]; then
		echo "run.sh: localin check failed on $conf:" >&2
		tail -n 5 "$OUT/check-$name.stderr" >&2
		exit 1
	fi
	row_s=$1
	row_mb=$2
	warnings=$(grep -c ': warning: ' "$OUT/check-$name.stderr")
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
		set -- $(measure "nft-$name" unshare -n nft -c -f "$nftf")
		if [ "$1" != fail ]; then
			nft_s=$1
			nft_mb=$2
			ratio=$(awk -v a="$row_s" -v b="$nft_s" \
				'BEGIN { if (a > 0) printf "%.1fx", b / a; else print "-" }')
		fi
	fi
	printf '%-8s %9s %9s %9s %8s %10s %9s %8s %7s\n' "$n" "$pols" \
		"$warnings" "$row_s" "$row_mb" "$compile_s" "$nft_s" \
		"$nft_mb" "$ratio"
}

# verdict WHAT S MB TARGET-S TARGET-MB: PASS or FAIL line; false on FAIL
verdict() {
	if awk -v s="$2" -v m="$3" -v ts="$4" -v tm="$5" \
		'BEGIN { exit !(s < ts && m < tm) }'; then
		echo "PASS: $1 in $2 s and $3 MB (targets < $4 s, < $5 MB)"
		return 0
	fi
	echo "FAIL: $1 took $2 s and $3 MB (targets < $4 s, < $5 MB)"
	return 1
}

printf '%-8s %9s %9s %9s %8s %10s %9s %8s %7s\n' addrs policies warnings \
	check_s check_MB compile_s nft_s nft_MB ratio
last_s=""
last_mb=""
for n in $SIZES; do
	row "addr$n-pol$POLICIES" "$n" "$POLICIES"
	last_s=$row_s
	last_mb=$row_mb
done
if [ "$ONE_GROUP" -gt 0 ]; then
	echo "one group of $ONE_GROUP addresses (one set member line):"
	row "onegroup$ONE_GROUP-pol$ONE_POLICIES" "$ONE_GROUP" "$ONE_POLICIES" \
		--one-group
fi
echo "(check: localin check wall s, median of $RUNS, and peak RSS MB;" \
	"compile: ruleset_compile() alone; ratio: nft time / localin time)"

ok=0
verdict "largest config" "$last_s" "$last_mb" "$TARGET_S" "$TARGET_MB" ||
	ok=1
if [ "$ONE_GROUP" -gt 0 ]; then
	verdict "one group of $ONE_GROUP addresses" "$row_s" "$row_mb" \
		"$TARGET_ONE_S" "$TARGET_ONE_MB" || ok=1
fi
exit $ok
