#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Replay benchmark: `localin replay` on a 1M-packet capture of the seed
# scenario, side by side in one run with tcpdump reading the same capture
# through the equivalent filter (the packets policy 1 drops):
#   localin replay -c pfxN.conf CAP --sa-file seed.sa [--verdicts] --timing
#   tcpdump -n -r CAP -w /dev/null -F pfxN.filter
# for N = 1 (examples/seed.conf), 1k, 10k and 100k excluded source
# prefixes. Wall time is the median of RUNS (3) interleaved rounds.
# localin's cost per packet is what replay --timing says its packets took
# (the config's load and compile, which vary by more than the packets
# take at 100k prefixes, not counted); tcpdump's is its wall time less
# that on a 1-packet capture (its filter's compile). Targets: localin >=
# 1.5x tcpdump's rate on the seed config; localin's cost per packet flat
# from 1 to 100k prefixes (100k/1 <= 1.25) on the flat capture, whose
# packets every config judges alike (gen.py); the seed capture's ratio,
# where the larger configs accept 3% more and open sessions for them, is
# printed beside it.
#
#   bench/replay/run.sh [LOCALIN]            (default build/localin)
#   PACKETS=100000 PREFIXES="1 1000" bench/replay/run.sh
# Exit 0 targets met, 1 missed, 2 cannot run (no replay, no inputs).
set -u

LOCALIN=${1:-build/localin}
HERE=$(dirname "$0")
# shellcheck source=bench/machine.sh
. "$HERE/../machine.sh"
OUT=${BENCH_OUT:-build/bench/replay}
PACKETS=${PACKETS:-1000000}
PREFIXES=${PREFIXES:-"1 1000 10000 100000"}
RUNS=${RUNS:-3}
TCPDUMP_TIMEOUT=${TCPDUMP_TIMEOUT:-300}
TARGET_RATIO=1.5
TARGET_FLAT=1.25
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

if [ ! -x "$LOCALIN" ]; then
	echo "run.sh: $LOCALIN not found (make first)" >&2
	exit 2
fi
mkdir -p "$OUT"
cap=$OUT/seed-$PACKETS.pcap
flat=$OUT/flat-$PACKETS.pcap
one=$OUT/one.pcap
sa=$OUT/seed.sa
"$PY" "$HERE/gen.py" "$OUT" --packets "$PACKETS" \
	--prefixes "$(echo $PREFIXES | tr ' ' ,)" || exit 2

# replay must exist and take the seed config before anything is timed.
if ! "$LOCALIN" replay -c "$OUT/pfx1.conf" "$one" --sa-file "$sa" \
	>/dev/null 2>"$OUT/probe.err"; then
	echo "run.sh: '$LOCALIN replay' does not run; nothing measured:" >&2
	head -n 3 "$OUT/probe.err" | sed 's/^/    /' >&2
	exit 2
fi
have_tcpdump=1
command -v tcpdump >/dev/null 2>&1 || have_tcpdump=0
[ $have_tcpdump -eq 1 ] ||
	echo "run.sh: tcpdump missing (sh scripts/install-deps.sh): localin only" >&2

cat "$cap" "$flat" >/dev/null # page cache, for every contender alike
load0=$(cut -d' ' -f1 /proc/loadavg)

# timed KEY CMD...: one wall time in ns appended to $OUT/t.KEY; the exit
# status is the command's (stderr in $OUT/err, status in $OUT/rc).
timed() {
	local key=$1 t0 t1 rc
	shift
	t0=$(date +%s%N)
	"$@" >/dev/null 2>"$OUT/err"
	rc=$?
	t1=$(date +%s%N)
	echo $rc >"$OUT/rc"
	[ $rc -eq 0 ] && echo $((t1 - t0)) >>"$OUT/t.$key"
	return $rc
}

median() { # KEY
	sort -n "$OUT/t.$1" | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'
}

# replay_ns KEY: the last timed replay's own ns a packet (--timing, on
# its stderr), appended to $OUT/t.KEY.
replay_ns() {
	sed -n 's/^replay: [0-9]* packets in [0-9.]* s: \([0-9.]*\) ns a packet.*/\1/p' \
		"$OUT/err" | grep . >>"$OUT/t.$1"
}

# fmt: seconds, Mpps and net ns/packet from full and start-up times (ns);
# "~" marks a net cost buried under a start-up 5x longer than the packets.
fmt() {
	awk -v f="$1" -v b="$2" -v n="$PACKETS" 'BEGIN {
		printf "%8.3f %7.2f %7s", f / 1e9, n / f * 1e3,
			sprintf("%.1f%s", (f - b) / (n - 1), b > 5 * (f - b) ? "~" : "") }'
}

# fmt_own: seconds and Mpps from the full time (ns), and the ns a packet
# replay measured itself.
fmt_own() {
	awk -v f="$1" -v o="$2" -v n="$PACKETS" 'BEGIN {
		printf "%8.3f %7.2f %7.1f", f / 1e9, n / f * 1e3, o }'
}

replay() { # conf capture [--verdicts]
	local conf=$1
	shift
	"$LOCALIN" replay -c "$conf" "$@" --sa-file "$sa"
}

tcpd() { # filter capture
	timeout "$TCPDUMP_TIMEOUT" tcpdump -n -r "$2" -w /dev/null -F "$1"
}

# Why tcpdump gave no number: its own message, or the timeout.
tcpdump_why() {
	if [ "$(cat "$OUT/rc")" = 124 ]; then
		echo "no result in ${TCPDUMP_TIMEOUT} s"
	else
		grep -v '^reading from\|^Warning' "$OUT/err" | head -n 1
	fi
}

machine_line
printf '%-8s | %-24s | %-24s | %-7s | %-24s %7s\n' "" "localin replay" \
	"replay --verdicts" "flat" "tcpdump -w /dev/null" ""
printf '%-8s | %8s %7s %7s | %8s %7s %7s | %7s | %8s %7s %7s %7s\n' \
	prefixes wall_s Mpps ns/pkt wall_s Mpps ns/pkt ns/pkt wall_s Mpps \
	ns/pkt bpf_ins
: >"$OUT/results"
notes=""
for n in $PREFIXES; do
	conf=$OUT/pfx$n.conf
	filt=$OUT/pfx$n.filter
	rm -f "$OUT"/t.*
	tcpdump_ok=$have_tcpdump
	# Rounds interleave the contenders, so that a machine busy with
	# something else slows all of them alike.
	r=0
	while [ $r -lt $RUNS ]; do
		if ! { timed lf replay "$conf" "$cap" --timing &&
			replay_ns nl &&
			timed vf replay "$conf" "$cap" --verdicts --timing &&
			replay_ns nv &&
			timed ff replay "$conf" "$flat" --timing &&
			replay_ns nf; }; then
			echo "run.sh: localin replay failed on $conf:" >&2
			head -n 3 "$OUT/err" >&2
			exit 1
		fi
		if [ $tcpdump_ok -eq 1 ] && ! { timed tb tcpd "$filt" "$one" &&
			timed tf tcpd "$filt" "$cap"; }; then
			tcpdump_ok=0
			notes="$notes
tcpdump, $n prefixes: $(tcpdump_why)"
		fi
		r=$((r + 1))
	done
	lf=$(median lf)
	vf=$(median vf)
	nl=$(median nl)
	nv=$(median nv)
	nf=$(median nf)
	l=$(fmt_own "$lf" "$nl")
	v=$(fmt_own "$vf" "$nv")
	t="       -       -       -"
	ins=-
	tf=-
	tb=-
	if [ $tcpdump_ok -eq 1 ]; then
		tb=$(median tb)
		tf=$(median tf)
		t=$(fmt "$tf" "$tb")
		ins=$(timeout "$TCPDUMP_TIMEOUT" tcpdump -d -F "$filt" \
			2>/dev/null | wc -l)
		[ "$ins" -gt 4096 ] && notes="$notes
tcpdump, $n prefixes: $ins BPF instructions (> 4096: the kernel would refuse it as a socket filter; libpcap runs it offline)"
	fi
	printf '%-8s | %s | %s | %7.1f | %s %7s\n' "$n" "$l" "$v" "$nf" "$t" \
		"$ins"
	echo "$n $lf $vf $tf $tb $nl $nv $nf" >>"$OUT/results"
done
echo "(wall: median of $RUNS, start-up included; localin's ns/pkt: what" \
	"replay --timing measured, the config's load not counted; flat: the" \
	"same on flat-$PACKETS.pcap; tcpdump's: (wall - wall on a 1-packet" \
	"capture) / packets; $PACKETS packets)"
[ -z "$notes" ] || printf '%s\n' "$notes" | sed '/^$/d'
# Two cores: anything else running skews the medians.
load1=$(cut -d' ' -f1 /proc/loadavg)
awk -v a="$load0" -v b="$load1" 'BEGIN { if (a > 1 || b > 1)
	printf "warning: load average %s at start, %s at end: the machine was" \
		" busy, numbers are noisy\n", a, b }'

# The targets, from $OUT/results: "n lf vf tf tb nl nv nf" per line.
awk -v p="$PACKETS" -v tr="$TARGET_RATIO" -v tfl="$TARGET_FLAT" '
function net(f, b) { return (f - b) / (p - 1) }
{ n[NR] = $1; lf[NR] = $2; vf[NR] = $3; tf[NR] = $4; tb[NR] = $5
  nl[NR] = $6; nv[NR] = $7; nf[NR] = $8 }
END {
	ok = 1
	if (n[1] == 1 && tf[1] != "-") {
		r = tf[1] / lf[1]; rv = tf[1] / vf[1]
		printf "seed config: localin %.2f Mpps, tcpdump %.2f Mpps: %.2fx" \
			" (--verdicts %.2fx); target >= %.1fx: %s\n", p / lf[1] * 1e3,
			p / tf[1] * 1e3, r, rv, tr, (r >= tr ? "PASS" : "FAIL")
		if (r < tr) ok = 0
	}
	if (NR > 1 && n[1] == 1) {
		r = nf[NR] / nf[1]
		printf "localin cost per packet %s/1 prefixes, flat capture: %.2f" \
			" (%.1f -> %.1f ns); target <= %.2f (flat): %s\n", n[NR],
			r, nf[1], nf[NR], tfl, (r <= tfl ? "PASS" : "FAIL")
		if (r > tfl) ok = 0
		printf "localin cost per packet %s/1 prefixes, seed capture: %.2f" \
			" (%.1f -> %.1f ns; %s prefixes accept 3%% more, opening" \
			" sessions)\n", n[NR], nl[NR] / nl[1], nl[1], nl[NR], n[NR]
		i = NR
		while (i > 1 && tf[i] == "-")
			i--
		if (i > 1 && tf[1] != "-")
			printf "tcpdump cost per packet %s/1 prefixes: %.2f" \
				" (%.1f -> %.1f ns)\n", n[i],
				net(tf[i], tb[i]) / net(tf[1], tb[1]),
				net(tf[1], tb[1]), net(tf[i], tb[i])
	}
	exit !ok
}' "$OUT/results"
