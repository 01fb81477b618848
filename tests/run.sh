#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run every test against each build directory given (plain, then ASan+UBSan):
# the cmocka unit tests, the golden tests and the packet corpus; then, once,
# the parser built for BPF (tests/bpf) and the XDP program against the host
# engine (tests/diff). Ends with "N passed, N failed"
# and exits non-zero on any failure.
set -u

pass=0
fail=0
failed_list=""

count_unit() { # build-dir binary
	out=$("$2" 2>&1)
	rc=$?
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	p=${p:-0}
	f=${f:-0}
	# A crash or sanitizer report before cmocka's summary is one more failure.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	if [ "$f" -ne 0 ]; then
		printf '%s\n' "$out" | grep -v '^\[       OK \]\|^\[ RUN      \]' | head -n 60
		failed_list="$failed_list $1:$(basename "$2")"
	fi
	echo "unit   $(basename "$2") [$1]: $p passed, $f failed"
	pass=$((pass + p))
	fail=$((fail + f))
}

for build in "$@"; do
	for t in "$build"/tests/test_*; do
		[ -x "$t" ] || continue
		count_unit "$build" "$t"
	done
	# Suites of PASS/FAIL lines: golden files, the packet corpus.
	for suite in golden packets; do
		out=$(sh tests/$suite/run.sh "$build/localin" 2>&1)
		p=$(printf '%s\n' "$out" | grep -c '^PASS ')
		f=$(printf '%s\n' "$out" | grep -c '^FAIL ')
		printf '%s\n' "$out" | grep -v '^PASS ' | head -n 200
		echo "$suite [$build]: $p passed, $f failed"
		pass=$((pass + p))
		fail=$((fail + f))
		[ "$f" -eq 0 ] || failed_list="$failed_list $build:$suite"
	done
done

# The parser as BPF: compile, verifier, BPF_PROG_TEST_RUN against the host
# parse. Once, into the first build directory: the object does not depend on
# the build flavour. SKIP lines (not root) count as neither.
out=$(sh tests/bpf/run.sh "$1/bpf" 2>&1)
p=$(printf '%s\n' "$out" | grep -c '^PASS ')
f=$(printf '%s\n' "$out" | grep -c '^FAIL ')
printf '%s\n' "$out" | grep -v '^PASS ' | head -n 100
echo "bpf [$1]: $p passed, $f failed"
pass=$((pass + p))
fail=$((fail + f))
[ "$f" -eq 0 ] || failed_list="$failed_list bpf"

# The XDP program against the host engine: the corpus through replay
# --engine xdp and host, and 1M seeded random packets (tests/diff). Once,
# with the first build directory's binary and library.
out=$(sh tests/diff/run.sh "$1" 2>&1)
p=$(printf '%s\n' "$out" | grep -c '^PASS ')
f=$(printf '%s\n' "$out" | grep -c '^FAIL ')
printf '%s\n' "$out" | grep -v '^PASS ' | head -n 100
echo "diff [$1]: $p passed, $f failed"
pass=$((pass + p))
fail=$((fail + f))
[ "$f" -eq 0 ] || failed_list="$failed_list diff"

# The daemon end to end: `localin run` in network namespaces of its own
# (root). Once, with the first build; SKIP lines count as neither.
out=$(sh tests/e2e/daemon.sh "$1/localin" 2>&1)
p=$(printf '%s\n' "$out" | grep -c '^PASS ')
f=$(printf '%s\n' "$out" | grep -c '^FAIL ')
printf '%s\n' "$out" | grep -v '^PASS ' | head -n 60
echo "e2e/daemon [$1]: $p passed, $f failed"
pass=$((pass + p))
fail=$((fail + f))
[ "$f" -eq 0 ] || failed_list="$failed_list e2e/daemon"

[ -z "$failed_list" ] || echo "failed:$failed_list"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
