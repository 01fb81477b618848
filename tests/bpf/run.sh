#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The packet parser as BPF: compile tests/bpf/parse_check.bpf.c (an XDP
# program around src/dataplane/parse.h) for the BPF target, once per -mcpu;
# then, as root, let the kernel's verifier judge each object and compare
# BPF_PROG_TEST_RUN with the host parse on every frame (and every prefix) of
# the packet corpus and the fuzz seeds. Nothing is pinned or attached: the
# programs die with the loader.
#
#	sh tests/bpf/run.sh [OUTDIR]	(default build/bpf)
#
# One PASS/FAIL line per check; SKIP lines (not root) count as neither.
set -u
out=${1:-build/bpf}
mkdir -p "$out"
multiarch=$(gcc -print-multiarch 2>/dev/null)
status=0

for cpu in v1 v3; do
	obj=$out/parse_check.$cpu.bpf.o
	# asm/types.h, under <linux/types.h>, lives in the multiarch directory.
	if clang -O2 -g -target bpf -mcpu=$cpu -Wall -Werror \
		-I/usr/include/"$multiarch" -Isrc -c tests/bpf/parse_check.bpf.c \
		-o "$obj" 2>"$out/clang.log"; then
		echo "PASS bpf/compile[$cpu]"
	else
		echo "FAIL bpf/compile[$cpu]"
		cat "$out/clang.log"
		status=1
	fi
done
[ "$status" -eq 0 ] || exit 1

if ! ${CC:-gcc} -O2 -g -std=gnu11 -Wall -Wextra -D_GNU_SOURCE -Isrc \
	-o "$out/test_run" tests/bpf/test_run.c -lbpf -lpcap \
	2>"$out/cc.log"; then
	echo "FAIL bpf/loader: does not build"
	cat "$out/cc.log"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP bpf/verifier: loading BPF programs needs root"
	exit 0
fi
"$out/test_run" -n "[v1]" "$out/parse_check.v1.bpf.o" \
	tests/packets/*.pcap tests/packets/*.pcapng \
	tests/fuzz/corpus/fuzz_packet || status=1
"$out/test_run" -n "[v3]" "$out/parse_check.v3.bpf.o" \
	tests/packets/*.pcap tests/packets/*.pcapng \
	tests/fuzz/corpus/fuzz_packet || status=1
exit $status
