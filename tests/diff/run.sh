#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The XDP program against the host engine (root only: BPF_PROG_TEST_RUN):
#  - every scenario of the packet corpus through `localin replay
#    --engine xdp` and `--engine host`: identical --verdicts output, and
#    identical full output (log lines, trace, summary);
#  - diff_random: seeded random configs and frames, facts and verdicts of
#    both engines compared packet by packet (DIFF_PACKETS, default 1M;
#    DIFF_SEED, default 1), with flows that keep session state in both
#    (egress, replies, ICMP errors, timeouts, reloads: session kind and id
#    compared too); it FAILs when a session case never happened;
#  - diff_random -b: the same as on a kernel that refuses batch map
#    operations (the loader's one-key-at-a-time fallback), each reload
#    through a successor program that copies the program's state
#    (DIFF_PACKETS_B, default 50000, in configs of 10000: a successor
#    copying one key at a time costs seconds);
#  - diff_memo: the guards of the program's memo of phase B (interface, destination)
#    (local_slot.h), one by one;
#  - diff_events: which decisions send an event from the program, its
#    token bucket, and the bucket's shortcut for the rest of a jiffy in
#    which it refused one;
#  - diff_hits: policy hit counts across reloads, iprope clear and a
#    successor program, by policy id, and exact while a reload swaps the
#    sets under frames on another CPU;
#  - diff_budget: the verifier's walk of the program under 90% of its
#    limit (loader.h LI_VERIFIER_BUDGET);
#  - replay --engine xdp where the program cannot be loaded: an error and
#    exit 1, not a crash (tests/kernel runs the rest on Debian 12's kernel);
#  - replay --engine xdp past the 19480 interface names the program
#    classes in a replay (a capture many_intfs.py writes): an error naming
#    the limit and the packet, exit 1, the verdicts before it the host's;
#  - the object alone, with the defaults it was built with (no loader to
#    size li_conf): `bpftool prog loadall` verifies it, as a developer
#    reading the verifier's log loads it.
#
#	sh tests/diff/run.sh BUILD	(BUILD holds localin and liblocalin.a)
#
# One PASS/FAIL line per check; SKIP lines (not root) count as neither.
set -u
build=$1
bin=$build/localin
pk=tests/packets
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP diff: loading the XDP program needs root"
	exit 0
fi

for conf in "$pk"/*.conf; do
	n=${conf%.conf}
	name=$(basename "$n")
	cap=$n.pcap
	[ -f "$cap" ] || cap=$n.pcapng
	set -- -c "$conf" "$cap"
	[ -f "$n.sa" ] && set -- "$@" --sa-file "$n.sa"
	# shellcheck disable=SC2046 # NAME.args holds words, split on purpose
	[ -f "$n.args" ] && set -- "$@" $(cat "$n.args")
	for mode in verdicts full; do
		extra=--verdicts
		[ "$mode" = full ] && extra=--trace
		"$bin" replay "$@" $extra --engine host >"$tmp/host" 2>&1
		"$bin" replay "$@" $extra --engine xdp >"$tmp/xdp" 2>&1
		if cmp -s "$tmp/host" "$tmp/xdp" && [ -s "$tmp/host" ]; then
			echo "PASS diff/corpus-$mode/$name"
		else
			echo "FAIL diff/corpus-$mode/$name"
			diff -u "$tmp/host" "$tmp/xdp" | head -n 12 | sed 's/^/    /'
		fi
	done
done

# compile_test NAME SOURCE...: $tmp/diff_NAME against liblocalin.a, or FAIL and exit
compile_test() {
	name=$1
	shift
	if ! ${CC:-gcc} -O2 -g -std=gnu11 -Wall -Wextra -D_GNU_SOURCE -Isrc \
		-o "$tmp/diff_$name" "$@" "$build/liblocalin.a" \
		-lbpf -lxdp -lpcap -lmaxminddb -lGeoIP -lm 2>"$tmp/cc.log"; then
		echo "FAIL diff/$name: does not build"
		cat "$tmp/cc.log"
		exit 1
	fi
}

compile_test random tests/diff/diff_random.c tests/diff/gen.c \
	tests/diff/gen_pkt.c tests/diff/gen_flow.c
compile_test memo tests/diff/diff_memo.c
compile_test events tests/diff/diff_events.c
compile_test budget tests/diff/diff_budget.c
compile_test hits tests/diff/diff_hits.c -lpthread
status=0
"$tmp/diff_random" -s "${DIFF_SEED:-1}" -n "${DIFF_PACKETS:-1000000}" ||
	status=1
"$tmp/diff_random" -b -s "${DIFF_SEED:-1}" -n "${DIFF_PACKETS_B:-50000}" \
	-c 10000 || status=1
"$tmp/diff_memo" || status=1
"$tmp/diff_events" || status=1
"$tmp/diff_hits" || status=1
"$tmp/diff_budget" || status=1

# The program refused (here: bpf() from a user namespace, where root has no
# CAP_BPF; a kernel's verifier refusing it ends the same way): replay says
# so and exits 1, where it crashed on the loader it did not get.
unshare -r "$bin" replay -c examples/seed.conf tests/packets/seed.pcap \
	--engine xdp --verdicts >"$tmp/refused" 2>&1
rc=$?
if [ "$rc" = 1 ] && grep -q 'cannot load the XDP program' "$tmp/refused"; then
	echo "PASS diff/refused: replay --engine xdp without the program: an error, exit 1"
else
	echo "FAIL diff/refused: replay --engine xdp without the program: exit $rc"
	tail -n 3 "$tmp/refused" | sed 's/^/    /'
	status=1
fi

# More interface names than the program classes in a replay (19480: its
# array from replay's made-up index 1000, then its hash): an error naming
# the limit and the packet, exit 1, where the packet on the name past it
# was judged as on an interface no policy names (accepted by the implicit
# rule where host denied it). The count: names seen again count once, the
# "any" pseudo-device's packets once as their destination's owner (wan1),
# so the 19479 names before i19479 and wan1 fit and i19479 does not.
lim=19480
/usr/bin/python3 tests/diff/many_intfs.py "$tmp/intfs.pcapng" "$lim"
{
	printf 'config system interface\n    edit "wan1"\n'
	printf '        set ip 198.51.100.1 255.255.255.0\n    next\nend\n'
	printf 'config firewall local-in-policy\n'
	for p in 1:i19478 2:i19479; do
		printf '    edit %s\n        set intf "%s"\n' "${p%%:*}" "${p#*:}"
		printf '        set srcaddr "all"\n        set dstaddr "all"\n'
		printf '        set service "DNS"\n        set action deny\n'
		printf '        set schedule "always"\n    next\n'
	done
	printf 'end\n'
} >"$tmp/intfs.conf"
set -- -c "$tmp/intfs.conf" "$tmp/intfs.pcapng" --verdicts
"$bin" replay "$@" --engine host >"$tmp/intfs.host" 2>/dev/null
"$bin" replay "$@" --engine xdp >"$tmp/intfs.xdp" 2>"$tmp/intfs.err"
rc=$?
# i19478, packet 19738 (256 + 256 + 3 + 19223), the last name that fits
head -n 19738 "$tmp/intfs.host" >"$tmp/intfs.fit"
if [ "$rc" = 1 ] && cmp -s "$tmp/intfs.fit" "$tmp/intfs.xdp" &&
	[ "$(tail -n 1 "$tmp/intfs.xdp")" = "19738 drop policy 1" ] &&
	[ "$(sed -n 19739p "$tmp/intfs.host")" = "19739 drop policy 2" ] &&
	grep -q "packet 19739: .*\"i19479\".* $lim interface names" \
		"$tmp/intfs.err"; then
	echo "PASS diff/intf-names: replay --engine xdp past $lim interface names: an error, exit 1"
else
	echo "FAIL diff/intf-names: replay --engine xdp past $lim interface names: exit $rc, $(wc -l <"$tmp/intfs.xdp") verdicts"
	diff "$tmp/intfs.fit" "$tmp/intfs.xdp" | head -n 4 | sed 's/^/    /'
	grep -v warning "$tmp/intfs.err" | grep -v '^ ' | tail -n 3 |
		sed 's/^/    /'
	status=1
fi

bpffs=/sys/fs/bpf
if [ "$(stat -f -c %T "$bpffs" 2>/dev/null)" != bpf_fs ]; then
	echo "SKIP diff/object-alone: no bpffs at $bpffs"
elif pins=$bpffs/localin_check_$$ && mkdir "$pins" &&
	bpftool prog loadall "$build/localin.bpf.o" "$pins" \
		>"$tmp/loadall.log" 2>&1 && [ -e "$pins/localin_xdp" ]; then
	echo "PASS diff/object-alone: bpftool prog loadall verifies it"
else
	echo "FAIL diff/object-alone: bpftool prog loadall refused it"
	grep -v '^$' "$tmp/loadall.log" | tail -n 12 | sed 's/^/    /'
	status=1
fi
[ -d "${pins:-}" ] && rm -rf "$pins"
exit "$status"
