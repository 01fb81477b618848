#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# One session lookup by itself (lookup.bpf.c): ns per packet by
# `bpftool prog run ... repeat` of a program that reads a 16-byte key and
# of the same with an LRU hash lookup, a plain hash lookup, and an array
# lookup under a multiply hash with the key compared inline; the key is in
# both hash maps (a hit). ROUNDS runs of each, interleaved, then the
# median per program and its cost above key_only. Root; a bpffs of its
# own under /sys/fs/bpf/li-lookup-PID, removed at the end.
#
#   bench/xdp/lookup.sh [BUILD]   (REPEAT=2000000 ROUNDS=5)
set -eu

BUILD=${1:-build}
OUT=$BUILD/bench/xdp
REPEAT=${REPEAT:-2000000}
ROUNDS=${ROUNDS:-5}
PIN=/sys/fs/bpf/li-lookup-$$
PROGS="key_only lru_hash plain_hash array_inline"

if [ "$(id -u)" -ne 0 ]; then
	echo "bench/xdp/lookup: bpftool prog run needs root" >&2
	exit 2
fi
mkdir -p "$OUT"
trap 'rm -rf "$PIN" "$OUT/lookup.frame" "$OUT/lookup.runs"' EXIT
clang -O2 -g -target bpf -mcpu=v3 -I/usr/include/"$(gcc -print-multiarch)" \
	-c bench/xdp/lookup.bpf.c -o "$OUT/lookup.bpf.o"
bpftool prog loadall "$OUT/lookup.bpf.o" "$PIN" pinmaps "$PIN/maps"
# A 64-byte IPv4 frame, zero but its EtherType and version: key 16 zeros.
printf '\000\000\000\000\000\000\000\000\000\000\000\000\010\000\105' |
	dd of="$OUT/lookup.frame" bs=64 count=1 conv=sync 2>/dev/null
key="hex 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
val="hex 07 $(printf '00 %.0s' $(seq 79))"
# shellcheck disable=SC2086 # $key, $val: one word a byte
bpftool map update pinned "$PIN/maps/lru" key $key value $val
# shellcheck disable=SC2086
bpftool map update pinned "$PIN/maps/hsh" key $key value $val
# Every lookup must hit (XDP_DROP, 1), key_only pass (XDP_PASS, 2).
for _ in $(seq "$ROUNDS"); do
	for p in $PROGS; do
		out=$(bpftool prog run pinned "$PIN/$p" data_in "$OUT/lookup.frame" \
			repeat "$REPEAT")
		want=1
		[ "$p" = key_only ] && want=2
		case $out in
		*"Return value: $want,"*) ;;
		*)
			echo "bench/xdp/lookup: $p: $out (expected return $want): not timing it" >&2
			exit 1
			;;
		esac
		echo "$p $(echo "$out" | sed -n 's/.*duration (average): \([0-9]*\)ns.*/\1/p')"
	done
done >"$OUT/lookup.runs"
awk -v progs="$PROGS" '
	{ v[$1, ++n[$1]] = $2 }
	END {
		k = split(progs, p, " ")
		for (i = 1; i <= k; i++) {
			m = n[p[i]]
			for (a = 1; a <= m; a++) s[a] = v[p[i], a]
			for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++)
				if (s[b] < s[a]) { t = s[a]; s[a] = s[b]; s[b] = t }
			med[i] = s[int((m + 1) / 2)]
		}
		printf "ns per packet, median of %d rounds:\n", n[p[1]]
		for (i = 1; i <= k; i++)
			printf "  %-13s %4d  (+%d over key_only)\n", p[i], med[i], med[i] - med[1]
	}' "$OUT/lookup.runs"
