#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Flood benchmark: trafgen floods the gateway with IKE probes (UDP 500 from
# rotating sources that examples/seed.conf denies) and we measure, for each
# contender in turn on the same gateway namespace and the same traffic:
# packets sent, packets dropped per second by the contender, and softirq
# CPU time per handled packet on the gateway side. Contenders:
#
#   localin    `localin run -c examples/seed.conf` (XDP; mode reported)
#   nftables   table inet filter, chain input (hook input priority 0):
#              iifname wan1 ip saddr != 203.0.113.10 udp dport {500,4500}
#              counter drop
#   xdp-filter `xdp-filter load wan1` + `xdp-filter port 500 -p udp`
#   none       nothing: the kernel delivers to a closed UDP port
#
# Interleaved rounds (ROUNDS, default 3; DUR seconds per contender, default
# 10), medians, min-max spread, ratios on the last lines. Root only. It
# builds its own two namespaces (lf-gw-PID with wan1 198.51.100.1/24,
# lf-att-PID with eth0 198.51.100.66/24, one veth pair); traffic goes only
# from the attacker namespace to the gateway's lab address. It runs in a
# mount namespace of its own with a private bpffs; on exit, INT or TERM it
# stops what it started (by pid), deletes the namespaces and its files.
#
#   sh bench/flood/run.sh [BUILD]      (default build; DUR, ROUNDS)
#
# Options for isolating costs (environment; the defaults are the benchmark):
#   SRC=rotate   the probes' sources, one or a list ("rotate fixed"): every
#                round then runs every contender with every source kind.
#                rotate: 100.64.x.y, x counting, y random (64k sources, all
#                in one /16: one root entry of localin's trie for all);
#                fixed: 100.64.0.1 only; wide: a.b.x.y, a random 1-126,
#                b random (about 32k /16s: the root entry, one of 65536 u32
#                per dimension, is on a different cache line nearly every
#                packet)
#   CONTENDERS="localin nftables xdpfilter none"   which ones, in this order;
#                also nolog: localin with examples/seed.conf minus `set
#                local-in-deny-unicast enable` (no traffic events at all);
#                metrics: localin with examples/seed.conf, `config system
#                metrics` on and curl scraping it every second (on CPU 1)
#                during the flood, plus the config lines of $LOGCONF
#   LOGCONF=FILE more config for the metrics contender: the log deliveries
#                (issue 9: `config log syslogd setting` ...), appended
#                after the seed; `CONTENDERS="nolog metrics"` then measures
#                "logging off" against "delivery and metrics on"
#   PROGSTATS=1  also the XDP program's own run time per packet (the
#                attached program's run_time_ns / run_cnt, bpftool): turns
#                on kernel.bpf_stats_enabled for the run (global; the old
#                value is restored on exit), which adds two clock reads
#                per packet to every contender with XDP
#   PERF=1       also where CPU 0's time goes: `perf record -e cpu-clock`
#                on CPU 0 during each run (timer samples: no PMU needed),
#                and at the end the symbols that differ most between the
#                contenders, in ns a packet (a symbol's share of the
#                contender's samples times its median cpu0 ns/pkt; the
#                XDP programs' own symbols as one row)
#
# CPU attribution (bench/flood/README.md): trafgen is pinned to CPU 0. The
# gateway's receive path runs in NET_RX softirq: a veth transmit puts the
# packet on the receiving CPU's backlog (no XDP) or schedules the veth's
# NAPI (native XDP) on the transmitting CPU, so for every contender the
# gateway's work is softirq time on CPU 0. We take CPU 0's softirq column
# of /proc/stat (it includes ksoftirqd/0) and divide by the packets the
# contender handled; the other CPUs' softirq is printed as a check.
set -u

BUILD=${1:-build}
DUR=${DUR:-10}
ROUNDS=${ROUNDS:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
# shellcheck source=bench/machine.sh
. "$HERE/../machine.sh"
CONF=$TOP/examples/seed.conf
SRC=${SRC:-rotate}
CONTENDERS=${CONTENDERS:-localin nftables xdpfilter none}
PROGSTATS=${PROGSTATS:-0}
PERF=${PERF:-0}
LOGCONF=${LOGCONF:-}
[ -z "$LOGCONF" ] || [ -r "$LOGCONF" ] ||
	{ echo "bench/flood: LOGCONF: cannot read $LOGCONF" >&2 && exit 2; }
for s in $SRC; do
	case $s in
	rotate | fixed | wide) ;;
	*) echo "bench/flood: SRC: rotate, fixed or wide, not $s" >&2 && exit 2 ;;
	esac
done
for c in $CONTENDERS; do
	case $c in
	localin | nolog | metrics | nftables | xdpfilter | none) ;;
	*) echo "bench/flood: CONTENDERS: localin nolog metrics nftables xdpfilter none, not $c" >&2 && exit 2 ;;
	esac
done
bin=$(realpath "$BUILD/localin" 2>/dev/null)

skip() {
	echo "SKIP bench/flood: $*"
	exit 0
}
[ "$(id -u)" -eq 0 ] || skip "needs root (namespaces, XDP)"
[ -x "$bin" ] || skip "no $BUILD/localin (make first)"
for t in trafgen nft xdp-filter nsenter unshare taskset timeout ip nstat; do
	command -v "$t" >/dev/null 2>&1 ||
		skip "$t is missing (sh scripts/install-deps.sh)"
done
[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
[ "$PROGSTATS" = 0 ] || command -v bpftool >/dev/null 2>&1 ||
	skip "PROGSTATS needs bpftool"
[ "$PERF" = 0 ] || command -v perf >/dev/null 2>&1 ||
	skip "PERF needs perf (package linux-perf)"

if [ -z "${LF_PRIVATE:-}" ]; then
	# Our own mount namespace: a private bpffs for localin's and
	# xdp-filter's pins, gone with the last process of this script.
	LF_PRIVATE=1 exec unshare -m --propagation private sh "$0" "$@"
fi
mount -t bpf bpf /sys/fs/bpf 2>/dev/null || skip "cannot mount bpffs"

GW=lf-gw-$$
ATT=lf-att-$$
GW_ADDR=198.51.100.1
ATT_ADDR=198.51.100.66
tmp=$(mktemp -d /tmp/localin-flood.XXXXXX)
SOCK=$tmp/ctl.sock
LOCK=$tmp/ctl.lock
PIN=/sys/fs/bpf/localin-flood
tgpid=""
pfpid=""
dpid=""
scraper=""
stats_was=""

in_gw() { nsenter --net="/run/netns/$GW" "$@"; }
in_att() { nsenter --net="/run/netns/$ATT" "$@"; }

cleanup() {
	trap - EXIT INT TERM
	[ -n "$tgpid" ] && kill -TERM "$tgpid" 2>/dev/null && wait "$tgpid" 2>/dev/null
	[ -n "$pfpid" ] && kill -TERM "$pfpid" 2>/dev/null && wait "$pfpid" 2>/dev/null
	[ -n "$scraper" ] && kill -TERM "$scraper" 2>/dev/null && wait "$scraper" 2>/dev/null
	if [ -n "$dpid" ] && [ "$(readlink "/proc/$dpid/exe" 2>/dev/null)" = "$bin" ]; then
		in_gw "$bin" stop -s "$SOCK" >/dev/null 2>&1 ||
			kill -TERM "$dpid" 2>/dev/null
		sleep 0.3
		[ "$(readlink "/proc/$dpid/exe" 2>/dev/null)" = "$bin" ] &&
			kill -KILL "$dpid" 2>/dev/null
	fi
	ip netns del "$GW" 2>/dev/null
	ip netns del "$ATT" 2>/dev/null
	[ -n "$stats_was" ] && sysctl -qw kernel.bpf_stats_enabled="$stats_was"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo "bench/flood: interrupted, cleaning up" >&2; exit 1' INT TERM

if [ "$PROGSTATS" != 0 ]; then
	stats_was=$(sysctl -n kernel.bpf_stats_enabled) &&
		sysctl -qw kernel.bpf_stats_enabled=1 || skip "cannot enable bpf stats"
fi

# --- the namespaces: attacker eth0 <-> gateway wan1 ---------------------------
ip netns add "$GW" && ip netns add "$ATT" &&
	ip link add wan1 netns "$GW" type veth peer name eth0 netns "$ATT" &&
	ip -n "$GW" addr add "$GW_ADDR/24" dev wan1 &&
	ip -n "$ATT" addr add "$ATT_ADDR/24" dev eth0 &&
	ip -n "$GW" link set lo up && ip -n "$ATT" link set lo up &&
	ip -n "$GW" link set wan1 up && ip -n "$ATT" link set eth0 up ||
	skip "cannot build the namespaces"
# Quiet: no IPv6 chatter; no rp_filter (the probes' sources are not routable
# from gw, and the baseline must reach UDP, not die in the route lookup).
in_gw sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv4.conf.all.rp_filter=0 \
	net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.wan1.rp_filter=0
in_att sysctl -qw net.ipv6.conf.all.disable_ipv6=1
in_att ping -q -c 1 -W 2 "$GW_ADDR" >/dev/null || skip "no connectivity"
GW_MAC=$(ip -n "$GW" -br link show wan1 | awk '{print $3}')
ATT_MAC=$(ip -n "$ATT" -br link show eth0 | awk '{print $3}')

# IKEv2 IKE_SA_INIT headers to 198.51.100.1:500. Sources (SRC), none of them
# the peer 203.0.113.10: rotate 100.64.x.y (x counts, y random: 64k rotating
# sources in one /16); fixed 100.64.0.1; wide a.b.x.y (a random 1-126, b
# random, x counts, y random: about 32k /16s).
for s in $SRC; do
	case $s in
	rotate) sa="sa=100.64.0.1, sa[2]=dinc(), sa[3]=drnd()" ;;
	fixed) sa="sa=100.64.0.1" ;;
	wide) sa="sa=100.64.0.1, sa[0]=drnd(1, 126), sa[1]=drnd(), sa[2]=dinc(), sa[3]=drnd()" ;;
	esac
	cat >"$tmp/ike-$s.trafgen" <<EOF
{
  eth(da=$GW_MAC, sa=$ATT_MAC),
  ipv4($sa, da=$GW_ADDR, ttl=64, df),
  udp(sp=500, dp=500),
  drnd(8), 0,0,0,0,0,0,0,0, 0x21, 0x20, 34, 0x08, 0,0,0,0, 0,0,0,28
}
EOF
done
# nolog: the seed policy without its log setting (no traffic events).
grep -v '^ *set local-in-deny-unicast enable *$' "$CONF" >"$tmp/nolog.conf"
# metrics: the seed, the endpoint on, and the deliveries of $LOGCONF.
{
	cat "$CONF"
	printf 'config system metrics\n    set status enable\n    set port 9420\nend\n'
	[ -z "$LOGCONF" ] || cat "$LOGCONF"
} >"$tmp/metrics.conf"
cat >"$tmp/nft.conf" <<EOF
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		iifname "wan1" ip saddr != 203.0.113.10 udp dport { 500, 4500 } counter drop
	}
}
EOF

# --- contenders: up / count / down ----------------------------------------------
xdp_mode() { # native | generic | none
	m=$(ip -n "$GW" -d link show wan1 2>/dev/null | sed -n 's/.* \(xdpgeneric\|xdpdrv\|xdpoffload\|xdp\) .*/\1/p' | head -n 1)
	case "$m" in
	xdpgeneric) echo generic ;;
	xdp | xdpdrv) echo native ;;
	*) echo "${m:-none}" ;;
	esac
}

up_localin() { # [config]
	# The daemon's userspace (event reader) on CPU 1, away from trafgen.
	in_gw taskset -c 1 "$bin" run -c "${1:-$CONF}" --log "$tmp/localin.log" \
		-s "$SOCK" --pin-dir "$PIN" >>"$tmp/localin.out" 2>>"$tmp/localin.err" ||
		{ cat "$tmp/localin.err" >&2; return 1; }
	dpid=$(head -n 1 "$LOCK" 2>/dev/null)
}
count_localin() {
	in_gw "$bin" status -s "$SOCK" |
		sed -n 's/^ *local-in-policy 1 (deny): *\([0-9][0-9]*\) *$/\1/p'
}
down_localin() {
	in_gw "$bin" stop -s "$SOCK" >/dev/null 2>&1
	dpid=""
	rm -f "$tmp/localin.log"
}
up_nolog() { up_localin "$tmp/nolog.conf"; }
count_nolog() { count_localin; }
down_nolog() { down_localin; }

# A Prometheus stand-in: one scrape a second, on CPU 1 (with the daemon).
up_metrics() {
	up_localin "$tmp/metrics.conf" || return 1
	(
		while :; do
			in_gw taskset -c 1 curl -sf --max-time 2 -o /dev/null \
				http://127.0.0.1:9420/metrics
			sleep 1
		done
	) >/dev/null 2>&1 &
	scraper=$!
}
count_metrics() { count_localin; }
down_metrics() {
	scrapes=$(in_gw "$bin" status -s "$SOCK" |
		sed -n 's/^metrics: .*: \([0-9]*\) scrapes.*/\1/p')
	kill -TERM "$scraper" 2>/dev/null
	wait "$scraper" 2>/dev/null
	scraper=""
	echo "$scrapes" >>"$tmp/scrapes"
	down_localin
}

up_nftables() { in_gw nft -f "$tmp/nft.conf"; }
count_nftables() {
	in_gw nft list chain inet filter input |
		sed -n 's/.*counter packets \([0-9]*\) .*/\1/p' | head -n 1
}
down_nftables() { in_gw nft delete table inet filter; }

up_xdpfilter() {
	{ in_gw xdp-filter load -m native wan1 || in_gw xdp-filter load -m skb wan1; } \
		2>>"$tmp/xdp-filter.err" &&
		in_gw xdp-filter port 500 -p udp 2>>"$tmp/xdp-filter.err"
}
count_xdpfilter() {
	in_gw xdp-filter status 2>/dev/null | awk '$1 == "XDP_DROP" {print $2; exit}'
}
down_xdpfilter() { in_gw xdp-filter unload --all 2>>"$tmp/xdp-filter.err"; }

up_none() { :; }
count_none() { in_gw nstat -asz UdpNoPorts | awk '$1 == "UdpNoPorts" {print $2}'; }
down_none() { :; }

# softirq ns of CPU 0, busy ns of CPU 0 and CPU 1, softirq ns of the others
cpu_snap() {
	awk -v hz="$(getconf CLK_TCK)" '
		$1 ~ /^cpu[1-9][0-9]*$/ { so += $8 }
		$1 == "cpu0" { si = $8; b0 = $2 + $3 + $4 + $7 + $8 }
		$1 == "cpu1" { b1 = $2 + $3 + $4 + $7 + $8 }
		END { f = 1e9 / hz; printf "%.0f %.0f %.0f %.0f\n", si * f, b0 * f, b1 * f, so * f }' /proc/stat
}

# run_time_ns and run_cnt of the XDP program attached to wan1 (0 0 if none)
prog_snap() {
	id=$(ip -n "$GW" -d link show wan1 | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p' | head -n 1)
	st=""
	[ -n "$id" ] && st=$(bpftool prog show id "$id" 2>/dev/null |
		sed -n 's/.*run_time_ns \([0-9]*\) run_cnt \([0-9]*\).*/\1 \2/p')
	echo "${st:-0 0}"
}

RES=$tmp/results
: >"$RES"
run_one() { # contender round source
	c=$1 round=$2 src=$3
	if ! "up_$c"; then
		echo "bench/flood: $c: could not set up" >&2
		return 1
	fi
	case $c in
	localin | nolog | metrics | xdpfilter) mode=$(xdp_mode) ;;
	nftables) mode=hook-input ;;
	none) mode=closed-port ;;
	esac
	sleep 0.5
	n0=$(count_$c)
	set -- $(cpu_snap)
	si0=$1 b00=$2 b10=$3 so0=$4
	set -- $(prog_snap)
	pt0=$1 pc0=$2
	taskset -c 0 nsenter --net="/run/netns/$ATT" timeout -s INT "$DUR" \
		trafgen -o eth0 -i "$tmp/ike-$src.trafgen" --cpus 1 -C >"$tmp/trafgen.out" 2>&1 &
	tgpid=$!
	if [ "$PERF" != 0 ]; then
		# a second less than trafgen's run, all of it inside
		perf record -q -e cpu-clock -F 2999 -C 0 -o "$tmp/perf.$c.$round.$src" \
			-- sleep "$((DUR > 2 ? DUR - 1 : 1))" >/dev/null 2>&1 &
		pfpid=$!
	fi
	wait "$tgpid"
	tgpid=""
	[ -z "$pfpid" ] || wait "$pfpid"
	pfpid=""
	set -- $(cpu_snap)
	si1=$1 b01=$2 b11=$3 so1=$4
	set -- $(prog_snap)
	pt1=$1 pc1=$2
	n1=$(count_$c)
	sent=$(tr -d '\r' <"$tmp/trafgen.out" | awk '/packets outgoing/ {print $1}')
	"down_$c"
	if [ -z "$sent" ] || [ -z "$n0" ] || [ -z "$n1" ]; then
		echo "bench/flood: $c: no reading (trafgen: $(tail -n 2 "$tmp/trafgen.out"))" >&2
		return 1
	fi
	echo "$c $round $mode $sent $((n1 - n0)) $((si1 - si0)) $((b01 - b00)) $((b11 - b10)) $((so1 - so0)) $src $((pt1 - pt0)) $((pc1 - pc0))" >>"$RES"
}

set -- $SRC
nsrc=$#
# Labels: the contender, or contender/source when SRC lists more than one.
lw=10
[ "$nsrc" -gt 1 ] && lw=17
label() { if [ "$nsrc" -gt 1 ]; then echo "$1/$2"; else echo "$1"; fi; }

echo "bench/flood: ${DUR}s per contender, $ROUNDS interleaved rounds"
machine_line
[ "$SRC" = rotate ] || echo "sources: $SRC"
echo "trafgen on CPU 0 (attacker ns) -> veth -> wan1 (gateway ns)
si ns/pkt: CPU 0 softirq time (tick-sampled) / packets the contender handled;
cpu0 ns/pkt: all CPU 0 busy time (trafgen + gateway) / packets sent; si1+%: softirq elsewhere (~0)"
[ "$PROGSTATS" = 0 ] || echo "prog ns/pkt: the XDP program's run_time_ns / run_cnt (bpf stats on)"
printf "%-5s %-${lw}s %-11s %10s %10s %10s %9s %10s %6s %6s %6s%s\n" round contender mode \
	sent dropped "dropped/s" "si ns/pkt" "cpu0 ns/pkt" "cpu0%" "cpu1%" "si1+%" \
	"$([ "$PROGSTATS" = 0 ] || echo " prog ns/pkt")"
order=$CONTENDERS
sorder=$SRC
for r in $(seq "$ROUNDS"); do
	# Each round starts with the next contender (order effects spread out).
	for s in $sorder; do
		for c in $order; do
			run_one "$c" "$r" "$s" || continue
			tail -n 1 "$RES" | awk -v d="$DUR" -v l="$(label "$c" "$s")" -v lw="$lw" \
				-v ps="$PROGSTATS" '{
				printf "%-5s %-" lw "s %-11s %10d %10d %10.0f %9.0f %10.0f %6.0f %6.0f %6.1f",
					$2, l, $3, $4, $5, $5 / d, ($5 > 0 ? $6 / $5 : 0), ($4 > 0 ? $7 / $4 : 0),
					$7 / d / 1e7, $8 / d / 1e7, $9 / d / 1e7
				if (ps != "0") printf " %11.1f", ($12 > 0 ? $11 / $12 : 0)
				printf "\n" }'
		done
	done
	set -- $order
	first=$1
	shift
	order="$* $first"
	# ... and with the next source kind.
	set -- $sorder
	first=$1
	shift
	sorder="$* $first"
done

# --- medians, spread, ratios --------------------------------------------------------
# The median of a[1..n] (sorts a), for the awk programs below.
MED='function med(a, n,   i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
		if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }'
echo
echo "median over rounds (min-max):"
printf "%-${lw}s %-11s %22s %22s %22s %10s%s\n" contender mode "dropped/s" "si ns/pkt" "cpu0 ns/pkt" "lost" \
	"$([ "$PROGSTATS" = 0 ] || echo "            prog ns/pkt")"
for s in $SRC; do
	for c in $CONTENDERS; do
		awk -v c="$c" -v s="$s" -v d="$DUR" -v l="$(label "$c" "$s")" -v lw="$lw" \
			-v ps="$PROGSTATS" "$MED"'
			$1 == c && $10 == s {
			n++; r[n] = $5 / d; p[n] = ($5 > 0 ? $6 / $5 : 0); b[n] = ($4 > 0 ? $7 / $4 : 0); m = $3
			x[n] = ($12 > 0 ? $11 / $12 : 0)
			lost += $4 - $5; sent += $4 }
		END {
			if (!n) { printf "%-" lw "s no rounds\n", l; exit }
			mr = med(r, n); mp = med(p, n); mb = med(b, n); mx = med(x, n)
			printf "%-" lw "s %-11s %8.0f (%5.0f-%5.0f) %8.0f (%5.0f-%5.0f) %8.0f (%5.0f-%5.0f) %9.2f%%",
				l, m, mr, r[1], r[n], mp, p[1], p[n], mb, b[1], b[n], sent ? 100 * lost / sent : 0
			if (ps != "0") printf "   %6.1f (%5.1f-%5.1f)", mx, x[1], x[n]
			printf "\n"
			print s, c, mr, mp, mb > "/dev/stderr" }' "$RES" 2>>"$tmp/medians"
	done
done
echo "(lost: sent by trafgen but not counted by the contender, all rounds)"
[ -s "$tmp/scrapes" ] &&
	echo "(metrics: scrapes answered per run: $(tr '\n' ' ' <"$tmp/scrapes"))"
echo
# Ratios to localin, per source kind: si ns/pkt for all, dropped/s for the
# ones that drop (not none, whose count is the kernel's UdpNoPorts).
for s in $SRC; do
	awk -v s="$s" -v cs="$CONTENDERS" -v multi="$nsrc" '$1 == s { r[$2] = $3; p[$2] = $4 }
		END {
			pre = multi > 1 ? s ": " : ""
			# issue 9: deliveries and metrics on against logging off
			if (r["metrics"] > 0 && r["nolog"] > 0)
				printf "%sratio dropped/s  metrics/nolog: %.3f (issue 9: within 5%%)\n",
					pre, r["metrics"] / r["nolog"]
			if (!(p["localin"] > 0)) { print pre "no localin figure, no ratios"; exit }
			n = split(cs, c, " ")
			lp = lr = ""
			for (i = 1; i <= n; i++) {
				if (c[i] == "localin" || !(c[i] in p)) continue
				name = c[i] == "xdpfilter" ? "xdp-filter" : c[i]
				lp = lp (lp == "" ? "  " : "   ") sprintf("%s/localin: %.2f", name, p[c[i]] / p["localin"])
				if (c[i] != "none")
					lr = lr (lr == "" ? "  " : "   ") sprintf("%s/localin: %.2f", name, r[c[i]] / r["localin"])
			}
			if (lp != "") printf "%sratio si ns/pkt%s\n", pre, lp
			if (lr != "") printf "%sratio dropped/s%s\n", pre, lr
		}' "$tmp/medians"
done
# Paired by round: localin's dropped/s over each other contender's in the
# same round, which ran within seconds of it. The VM's speed moves by more
# than the gap between the contenders over a run (2026-12-04: 40-75% within
# one contender's rounds), and a run's medians can come from different
# rounds; a round's two figures shared most of its moment.
for s in $SRC; do
	awk -v s="$s" -v cs="$CONTENDERS" -v multi="$nsrc" "$MED"'
		$10 == s && $4 > 0 {
			d[$1, $2] = $5; if ($2 > nr) nr = $2 }
		END {
			pre = multi > 1 ? s ": " : ""
			n = split(cs, c, " ")
			for (i = 1; i <= n; i++) {
				if (c[i] == "localin" || c[i] == "none") continue
				k = ge = 0; rounds = ""
				for (r = 1; r <= nr; r++) {
					if (!((c[i], r) in d) || !(("localin", r) in d) || !(d[c[i], r] > 0)) continue
					q[++k] = d["localin", r] / d[c[i], r]
					rounds = rounds sprintf(" %.3f", q[k])
					if (q[k] >= 1) ge++
				}
				if (!k) continue
				name = c[i] == "xdpfilter" ? "xdp-filter" : c[i]
				printf "%spaired dropped/s localin/%s by round:%s; median %.3f, localin at or above in %d of %d\n",
					pre, name, rounds, med(q, k), ge, k
			}
		}' "$RES"
done
# PERF=1: CPU 0's samples by symbol, over all rounds of a contender, as ns
# a packet (the symbol's share of the samples times the contender's median
# cpu0 ns/pkt). The rows are the symbols whose figures differ most between
# the contenders: what one pays and another does not.
if [ "$PERF" != 0 ]; then
	for s in $SRC; do
		for c in $CONTENDERS; do
			for f in "$tmp"/perf."$c".*."$s"; do
				[ -e "$f" ] || continue
				perf report -i "$f" --stdio -q -n --sort sym -g none 2>/dev/null
			done | awk -v c="$c" -v cpu="$(awk -v c="$c" -v s="$s" \
				'$1 == s && $2 == c { print $5 }' "$tmp/medians")" '
				# "  12.34%   1234  [k] veth_xmit": samples, then the symbol
				$2 ~ /^[0-9]+$/ {
					sym = $4
					for (i = 5; i <= NF; i++) sym = sym " " $i
					if (sym ~ /^bpf_prog_/) sym = "bpf_prog_* (the XDP program)"
					n[sym] += $2; t += $2 }
				END { for (k in n) printf "%s\t%s\t%.1f\n", c, k, t ? n[k] / t * cpu : 0 }'
		done >"$tmp/prof.$s"
		echo
		echo "where CPU 0's time goes$([ "$nsrc" -le 1 ] || echo " ($s)") (PERF=1: cpu-clock samples, ns a packet = share x median cpu0 ns/pkt; the largest differences):"
		awk -F '\t' -v cs="$CONTENDERS" '
			{ v[$1, $2] = $3; syms[$2] = 1 }
			END {
				n = split(cs, c, " ")
				printf "  %-44s", "symbol"
				for (i = 1; i <= n; i++) printf " %10s", c[i]
				printf "\n"
				for (k in syms) {
					lo = hi = v[c[1], k] + 0
					for (i = 2; i <= n; i++) {
						x = v[c[i], k] + 0
						if (x < lo) lo = x
						if (x > hi) hi = x
					}
					printf "%.1f\t%s", hi - lo, k
					for (i = 1; i <= n; i++) printf "\t%.1f", v[c[i], k] + 0
					printf "\n"
				}
			}' "$tmp/prof.$s" | sort -t "$(printf '\t')" -k1,1 -rn | head -n 20 |
			awk -F '\t' '{ printf "  %-44.44s", $2; for (i = 3; i <= NF; i++) printf " %10s", $i; printf "\n" }'
	done
fi
