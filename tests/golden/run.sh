#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Golden tests, after pfctl's regress and nftables' tests/py:
#   show/NAME.conf    -> NAME.out   `localin show` output, and the output
#                                   parsed again must print itself (round trip)
#                                   and compile to the same tables as NAME.conf
#                                   (`check --dump`; a multi-VDOM file's show
#                                   is one VDOM: not compared)
#   full/NAME.conf    -> NAME.out   `localin show full-configuration`
#   check/NAME.conf   -> NAME.out   `localin check` stdout+stderr, exit 0
#   errors/NAME.conf  -> NAME.err   `localin check` stderr, exit 1
#   dump/NAME.conf    -> NAME.dump  `localin check --dump` stdout
#   inputs/NAME.sh    -> NAME.err   `localin check` stderr of an input the
#                                   script makes (below)
#   showargs/NAME.args -> NAME.out  `localin show` with those arguments (one
#                                   section or entry), output and exit code
#   checkargs/NAME.args -> NAME.out `localin check` with those arguments (a
#                                   usage error), output and exit code
# check runs with --no-resolve: FQDNs and feeds match nothing, no network.
# Prints one PASS/FAIL line per case. UPDATE=1 rewrites the expected files.
set -u
bin=$1
dir=tests/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

result() { # name ok-flag expected actual
	if [ "$2" = 1 ]; then
		echo "PASS $1"
	else
		echo "FAIL $1"
		[ -f "$3" ] && diff -u "$3" "$4" | head -n 40
	fi
}

expect() { # name expected-file actual-file
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$3" "$2"
	fi
	if cmp -s "$2" "$3"; then result "$1" 1 "$2" "$3"; else result "$1" 0 "$2" "$3"; fi
}

for f in "$dir"/show/*.conf; do
	[ -e "$f" ] || continue
	n=${f%.conf}
	"$bin" show -c "$f" >"$tmp/out" 2>"$tmp/err"
	expect "show/$(basename "$n")" "$n.out" "$tmp/out"
	"$bin" show -c "$tmp/out" >"$tmp/out2" 2>&1
	if cmp -s "$tmp/out" "$tmp/out2"; then
		result "roundtrip/$(basename "$n")" 1
	else
		result "roundtrip/$(basename "$n")" 0 "$tmp/out" "$tmp/out2"
	fi
	grep -q '^config vdom' "$f" && continue
	"$bin" check --no-resolve --dump -c "$f" >"$tmp/dump" 2>/dev/null
	"$bin" check --no-resolve --dump -c "$tmp/out" >"$tmp/dump2" 2>/dev/null
	if cmp -s "$tmp/dump" "$tmp/dump2"; then
		result "roundtrip-dump/$(basename "$n")" 1
	else
		result "roundtrip-dump/$(basename "$n")" 0 "$tmp/dump" "$tmp/dump2"
	fi
done

for f in "$dir"/full/*.conf; do
	[ -e "$f" ] || continue
	n=${f%.conf}
	"$bin" show -c "$f" full-configuration >"$tmp/out" 2>/dev/null
	expect "full/$(basename "$n")" "$n.out" "$tmp/out"
	"$bin" show -c "$tmp/out" full-configuration >"$tmp/out2" 2>&1
	if cmp -s "$tmp/out" "$tmp/out2"; then
		result "roundtrip-full/$(basename "$n")" 1
	else
		result "roundtrip-full/$(basename "$n")" 0 "$tmp/out" "$tmp/out2"
	fi
done

for f in "$dir"/check/*.conf; do
	[ -e "$f" ] || continue
	n=${f%.conf}
	"$bin" check --no-resolve -c "$f" >"$tmp/out" 2>&1
	rc=$?
	echo "exit $rc" >>"$tmp/out"
	expect "check/$(basename "$n")" "$n.out" "$tmp/out"
done

for f in "$dir"/errors/*.conf; do
	[ -e "$f" ] || continue
	n=${f%.conf}
	"$bin" check --no-resolve -q -c "$f" >/dev/null 2>"$tmp/err"
	rc=$?
	echo "exit $rc" >>"$tmp/err"
	expect "errors/$(basename "$n")" "$n.err" "$tmp/err"
done

for f in "$dir"/dump/*.conf; do
	[ -e "$f" ] || continue
	n=${f%.conf}
	"$bin" check --no-resolve --dump -c "$f" >"$tmp/out" 2>&1
	expect "dump/$(basename "$n")" "$n.dump" "$tmp/out"
done

# inputs/NAME.sh -> NAME.err: `localin check` of what the script makes in
# the scratch directory it is given and prints the path of (a FIFO, a
# device, a file too large, a line too long): stderr with that directory
# left out and lines cut at 200 characters (a diagnostic shows its line),
# under a timeout: none may hang.
for f in "$dir"/inputs/*.sh; do
	[ -e "$f" ] || continue
	n=${f%.sh}
	work=$tmp/$(basename "$n")
	mkdir "$work"
	path=$(sh "$f" "$work")
	timeout 60 "$bin" check -q -c "$path" >/dev/null 2>"$tmp/err"
	rc=$?
	echo "exit $rc" >>"$tmp/err"
	sed "s|$work/||g" "$tmp/err" | cut -c 1-200 >"$tmp/out"
	rm -rf "$work"
	expect "inputs/$(basename "$n")" "$n.err" "$tmp/out"
done

# with_args DIR CMD: DIR/NAME.args -> NAME.out, `localin CMD` with those
# arguments, stdout and stderr and the exit code.
with_args() {
	for f in "$dir/$1"/*.args; do
		[ -e "$f" ] || continue
		n=${f%.args}
		# shellcheck disable=SC2046
		"$bin" "$2" $(cat "$f") >"$tmp/out" 2>&1
		echo "exit $?" >>"$tmp/out"
		expect "$1/$(basename "$n")" "$n.out" "$tmp/out"
	done
}
# `localin show` of one section or one entry
with_args showargs show
# `localin check` given what an admin may type wrong
with_args checkargs check
# `localin replay`: logs, traces, summary
with_args replay replay
