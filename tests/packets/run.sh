#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The packet corpus: replay every NAME.conf + NAME.pcap(ng) here through
#   BIN replay -c NAME.conf CAPTURE --verdicts [--sa-file NAME.sa] $(cat NAME.args)
# and compare with NAME.expected (the hand-derived oracle; there is no
# UPDATE mode on purpose). In NAME.expected everything from '#' on is a
# comment (gen.py says there what each packet is). A scenario with NAME.err
# instead is a capture replay must refuse: its stderr and "exit N" must be
# NAME.err, run from this directory so that the paths in the message are
# the bare names. One line per scenario, `PASS packets/NAME` or
# `FAIL packets/NAME` followed by a short diff with the packets' comments;
# exit 1 if any failed. Last, `packets/sessions --timing`: the same
# verdicts with --timing, and its one line on stderr.
# Usage: sh tests/packets/run.sh BIN
set -u
bin=$1
dir=$(dirname "$0")
case $bin in
/*) ;;
*) bin=$PWD/$bin ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# expected NAME: NAME.expected without its comments, into $tmp/expected
expected() {
	sed -e 's/[[:space:]]*#.*//' -e '/^$/d' "$1.expected" >"$tmp/expected"
}

for conf in "$dir"/*.conf; do
	n=${conf%.conf}
	name=packets/$(basename "$n")
	cap=$n.pcap
	[ -f "$cap" ] || cap=$n.pcapng
	set -- -c "$conf" "$cap" --verdicts
	[ -f "$n.sa" ] && set -- "$@" --sa-file "$n.sa"
	# shellcheck disable=SC2046 # NAME.args holds words, split on purpose
	[ -f "$n.args" ] && set -- "$@" $(cat "$n.args")
	if [ -f "$n.err" ]; then
		(cd "$dir" && "$bin" replay -c "$(basename "$conf")" \
			"$(basename "$cap")" --verdicts) >/dev/null 2>"$tmp/err"
		echo "exit $?" >>"$tmp/err"
		if cmp -s "$n.err" "$tmp/err"; then
			echo "PASS $name"
			continue
		fi
		fails=$((fails + 1))
		echo "FAIL $name"
		diff -u "$n.err" "$tmp/err" | tail -n +3 | head -n 12 |
			sed 's/^/    /'
		continue
	fi
	"$bin" replay "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	expected "$n"
	if [ "$rc" -eq 0 ] && cmp -s "$tmp/expected" "$tmp/out"; then
		echo "PASS $name"
		continue
	fi
	fails=$((fails + 1))
	echo "FAIL $name (exit $rc)"
	# Lines are "N verdict reason id": the diff names the packets, and
	# each line gets its packet's comment from NAME.expected.
	diff -u "$tmp/expected" "$tmp/out" | tail -n +3 | grep '^[-+]' |
		awk 'NR == FNR { i = index($0, "#")
				 if (i) note[$1] = "  " substr($0, i)
				 next }
		     { print $0 note[substr($1, 2)] }' "$n.expected" - |
		head -n 12 | sed 's/^/    /'
	head -n 3 "$tmp/err" | sed 's/^/    stderr: /'
done

# --timing changes no verdict, and says on stderr how many packets took
# how long: the sessions scenario, as above and with it.
n=$dir/sessions
expected "$n"
"$bin" replay -c "$n.conf" "$n.pcapng" --verdicts --timing >"$tmp/out" \
	2>"$tmp/err"
rc=$?
want="replay: $(wc -l <"$tmp/expected") packets in [0-9]*\.[0-9]\{6\} s: [0-9]*\.[0-9] ns a packet (the config's load not counted)"
if [ "$rc" -eq 0 ] && cmp -s "$tmp/expected" "$tmp/out" &&
	[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -qx "$want" "$tmp/err"; then
	echo "PASS packets/sessions --timing"
else
	fails=$((fails + 1))
	echo "FAIL packets/sessions --timing (exit $rc)"
	head -n 3 "$tmp/err" | sed 's/^/    stderr: /'
fi
# Through a pipe, the same verdicts as from the file: the sessions
# scenario's pcapng names its interfaces, which the verdicts depend on.
cat "$n.pcapng" | "$bin" replay -c "$n.conf" /dev/stdin --verdicts \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ] && cmp -s "$tmp/expected" "$tmp/out"; then
	echo "PASS packets/sessions from a pipe"
else
	fails=$((fails + 1))
	echo "FAIL packets/sessions from a pipe (exit $rc)"
	head -n 3 "$tmp/err" | sed 's/^/    stderr: /'
fi
[ "$fails" -eq 0 ]
