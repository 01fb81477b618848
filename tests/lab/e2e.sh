#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end tests in the network-namespace lab (tests/lab/lab.sh): one
# PASS/FAIL line per check, SKIP lines where a check cannot run (not root,
# `localin run` not built yet). Exit 1 if anything failed.
#
#	bash tests/lab/e2e.sh [BIN]		(default build/localin)
#
# 1. The lab itself, without localin: the tunnel comes up and passes
#    traffic; every probe reaches wan1 and gets through; charon answers
#    ike-scan. (Otherwise "nothing got through" below could be a broken lab.)
# 2. The measurement: a stand-in XDP program that drops UDP 500 on wan1;
#    the capture behind wan1 does not see the frames it dropped.
# 3. localin run -c examples/seed.conf (as it is: detect-unknown-esp on)
#    in gw, which finds charon over VICI and learns the tunnel's SAs: the
#    tunnel comes up again and passes traffic; every frame delivered to
#    wan1 meets the fate `localin replay --verdicts` (with the tunnel's SAs)
#    gives it; every probe at the IKE ports and every forged ESP is
#    dropped, the peer's IKE and ESP are not; the tunnel's live SPI from
#    the attacker passes and is logged as a wrong peer; charon never hears
#    the attacker; counters and log lines are exactly replay's; a flow
#    trace of a dropped probe; `localin stop` detaches.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab.sh
. "$here/lab.sh"
bin=$(realpath -m "${1:-build/localin}")
LAB_SUITE=lab

skip() { echo "SKIP lab/$*"; }
quiet() { "$@" >/dev/null 2>&1; }

# "delivered got-through" of one class in a phase's TSV report.
row() { # phase class
	awk -F'\t' -v c="$2" '$1 == c { print $2, $3; f = 1 } END { if (!f) print 0, 0 }' \
		"$LAB_DIR/$1.tsv"
}
mismatches() { sed -n 's/^mismatches //p' "$LAB_DIR/$1.tsv"; }
# IKE messages from the attacker that the gateway's charon received.
charon_heard() { lab_charon_attacker "$1" | cut -d' ' -f1; }

# Every class of probe the attacker sends (lab.py): those the lab's config
# drops (policy 1: IKE, i.e. UDP 500 and 4500, and ESP from anyone but
# remote-vpn; the bad UDP length as malformed), and the control traffic it
# lets through (no policy matches TCP 500 or a ping).
DROPPED_PROBES=("ike-scan (IKEv1)" "ike-scan --ikev2" "ike-scan --nat-t" "scapy ike 500"
	"scapy ike 500 fragmented" "scapy ike 4500 (non-ESP marker)"
	"scapy nat-t keepalive" "scapy esp-in-udp, unknown spi"
	"scapy esp raw, unknown spi"
	"scapy udp 500, bad udp length" "hping3 udp 500 burst")
OTHER_PROBES=("scapy tcp 500 syn" "scapy icmp echo"
	"scapy esp-in-udp, live spi (wrong peer)")
PEER_CLASSES=("peer ike 500" "peer ike 4500" "peer esp-in-udp")

# A phase: captures on, the tunnel up and a ping across it, the probes.
run_phase() { # name label
	lab_phase_start "$1" || return 1
	check "$2: tunnel up (swanctl --initiate from peer, CHILD_SA installed in gw)" \
		quiet lab_tunnel_up
	lab_sa_file "$1"
	check "$2: ping -I $PEER_INNER $GW_INNER across the tunnel, 0% loss" \
		quiet lab_tunnel_ping 5
	lab_probe >"$LAB_DIR/$1.probe" 2>&1
	lab_phase_stop "$1"
}

# --- 1. the lab without localin -------------------------------------------------

test_lab() {
	local c d p
	run_phase base "without localin"
	lab_phase_report base --tsv >"$LAB_DIR/base.tsv"
	check "without localin: every frame delivered to wan1 got through" \
		[ "$(mismatches base)" = 0 ]
	for c in "${DROPPED_PROBES[@]}" "${OTHER_PROBES[@]}" "${PEER_CLASSES[@]}"; do
		read -r d p <<<"$(row base "$c")"
		check "without localin: $c reaches wan1 ($d frames) and gets through ($p)" \
			[ "$d" -gt 0 -a "$p" = "$d" ]
	done
	for c in v1 v2 natt; do
		check "without localin: charon answers ike-scan $c" \
			grep -q "^ike-scan $c: 1 answered" "$LAB_DIR/base.probe"
	done
	check "without localin: charon hears the attacker ($(lab_charon_attacker base))" \
		[ "$(charon_heard base)" -gt 0 ]
}

# --- 2. the measurement ------------------------------------------------------------

test_capture_point() {
	local obj=$LAB_DIR/xdp_drop500.o d p
	if ! clang -O2 -g -target bpf -I/usr/include/"$(gcc -print-multiarch)" \
		-c "$here/xdp_drop500.bpf.c" -o "$obj" 2>"$LAB_DIR/clang.log"; then
		fail "stand-in XDP program compiles"
		cat "$LAB_DIR/clang.log"
		return
	fi
	lab_phase_start xdp
	ip -n "$NS_GW" link set dev "$GW_IF" xdp obj "$obj" sec xdp
	ip netns exec "$NS_ATT" ike-scan --retry=2 --timeout=200 "$GW_ADDR" >/dev/null 2>&1
	ip -n "$NS_GW" link set dev "$GW_IF" xdp off
	lab_phase_stop xdp
	lab_phase_report xdp --tsv >"$LAB_DIR/xdp.tsv"
	read -r d p <<<"$(row xdp "ike-scan (IKEv1)")"
	check "capture point: frames an XDP program drops on wan1 ($d) are not in the capture behind it ($p)" \
		[ "$d" = 2 -a "$p" = 0 ]
}

# --- 3. localin run ------------------------------------------------------------------

# A count from `localin status`, in the form of replay's summary
# ("local-in-policy 1 (deny): 11", "malformed (dropped): 1").
status_count() { # status-file label
	grep -F "$2" "$1" | sed -n 's/.*: *\([0-9][0-9]*\) *$/\1/p' | head -n 1
}

# The fields of a traffic log line that do not depend on the clock.
log_keys() {
	awk '/ logid=/ {
		k = ""
		for (i = 1; i <= NF; i++)
			if ($i ~ /^(logid|srcip|srcport|srcintf|dstip|dstport|proto|action|policyid|service|remip|locip|remport|locport|vpntunnel|spi|seq|peerip|esp_action)=/)
				k = k " " $i
		print substr(k, 2)
	}' | sort
}

test_localin() {
	local conf=$LAB_DIR/lab.conf c d p n want got
	lab_write_conf "$conf"
	lab_swanctl peer --terminate --ike lab --timeout 10 >/dev/null 2>&1
	lab_localin_start "$bin" "$conf"
	if ! lab_localin_wait "$bin"; then
		fail "localin run -c lab.conf in gw: control socket answers, XDP attached to $GW_IF"
		return
	fi
	pass "localin run -c lab.conf in gw: control socket answers, XDP attached to $GW_IF"
	lab_localin "$bin" diagnose debug flow filter saddr "$ATT_ADDR" >/dev/null
	lab_localin "$bin" diagnose debug flow trace start 1 >/dev/null
	# From here on only lab traffic reaches wan1, all of it captured.
	run_phase enf "with localin"
	lab_localin "$bin" status >"$LAB_DIR/status.out" 2>&1

	lab_phase_report enf --tsv "$bin" "$conf" >"$LAB_DIR/enf.tsv"
	check "with localin: every frame delivered to wan1 met the fate localin replay gives it" \
		[ "$(mismatches enf)" = 0 ]
	grep '^mismatch: ' "$LAB_DIR/enf.tsv" | head -n 20
	for c in "${DROPPED_PROBES[@]}"; do
		read -r d p <<<"$(row enf "$c")"
		check "with localin: $c dropped ($d frames at wan1, $p got through)" \
			[ "$d" -gt 0 -a "$p" = 0 ]
	done
	for c in "${OTHER_PROBES[@]}" "${PEER_CLASSES[@]}"; do
		read -r d p <<<"$(row enf "$c")"
		check "with localin: $c not dropped ($d frames at wan1, $p got through)" \
			[ "$d" -gt 0 -a "$p" = "$d" ]
	done
	for c in v1 v2 natt; do
		check "with localin: ike-scan $c gets no answer" \
			grep -q "^ike-scan $c: 0 answered" "$LAB_DIR/enf.probe"
	done
	check "with localin: charon never hears the attacker ($(lab_charon_attacker enf))" \
		[ "$(charon_heard enf)" = 0 ]

	want=$(grep -c ' drop policy 1$' "$LAB_DIR/enf.verdicts")
	got=$(status_count "$LAB_DIR/status.out" "local-in-policy 1 (deny)")
	check "localin status: policy 1 dropped $want (replay), status says ${got:-nothing}" \
		[ "$got" = "$want" ]
	want=$(grep -c ' drop malformed ' "$LAB_DIR/enf.verdicts")
	got=$(status_count "$LAB_DIR/status.out" "malformed (dropped)")
	check "localin status: malformed dropped $want (replay), status says ${got:-nothing}" \
		[ "$got" = "$want" ]
	want=$(grep -c ' drop esp-unknown-spi ' "$LAB_DIR/enf.verdicts")
	got=$(status_count "$LAB_DIR/status.out" "ESP with an unknown SPI (dropped)")
	check "localin status: ESP with an unknown SPI dropped $want (replay), status says ${got:-nothing}" \
		[ "$got" = "$want" -a "$want" -ge 6 ]
	want=$(grep -c ' accept esp-wrong-peer ' "$LAB_DIR/enf.verdicts")
	got=$(status_count "$LAB_DIR/status.out" "ESP with a live SPI from an unexpected peer")
	check "localin status: live SPI from the attacker passed $want times (replay), status says ${got:-nothing}" \
		[ "$got" = "$want" -a "$want" = 2 ]
	check "localin status: the SPI check is on, charon found over VICI" \
		grep -q "^ESP SPI check: on" "$LAB_DIR/status.out"
	check "log lines: the wrong-peer event names the tunnel's SPI and the attacker" \
		grep -q "remip=$ATT_ADDR .*error_num=\"Received ESP packet with a live SPI from an unexpected peer.\" spi=\"$(cat "$LAB_DIR/enf.sa" | head -n 1 | cut -d' ' -f2)\"" \
		"$LAB_DIR/localin.log"

	# shellcheck disable=SC2046
	"$bin" replay -c "$conf" "$LAB_DIR/enf-sw.pcap" --intf "$GW_IF" \
		$(lab_sa_args enf) 2>/dev/null | log_keys >"$LAB_DIR/want.logkeys"
	log_keys <"$LAB_DIR/localin.log" >"$LAB_DIR/got.logkeys"
	n=$(wc -l <"$LAB_DIR/want.logkeys")
	check "log lines: the daemon wrote the $n traffic lines replay writes (clock fields aside)" \
		cmp -s "$LAB_DIR/want.logkeys" "$LAB_DIR/got.logkeys"
	diff "$LAB_DIR/want.logkeys" "$LAB_DIR/got.logkeys" | head -n 10
	check "log lines: none for the peer $PEER_ADDR" \
		not grep -q "srcip=$PEER_ADDR " "$LAB_DIR/localin.log"

	grep -h 'trace_id=' "$LAB_DIR/localin.log" "$LAB_DIR/localin.err" >"$LAB_DIR/trace.out"
	check "diagnose debug flow: one dropped probe from $ATT_ADDR traced to policy 1" \
		grep -q "$ATT_ADDR:[0-9]*->$GW_ADDR" "$LAB_DIR/trace.out"
	check "diagnose debug flow: the trace ends in the drop by policy 1" \
		grep -q "check failed on policy 1, drop" "$LAB_DIR/trace.out"

	lab_localin_stop "$bin"
	check "localin stop: XDP detached from $GW_IF" not lab_xdp_attached
}

if [ "$(id -u)" -ne 0 ]; then
	skip "network-namespace lab: needs root"
	exit 0
fi
lab_lock || exit 1
lab_trap_down
if ! lab_up; then
	fail "lab up (namespaces, strongSwan in gw and peer)"
	exit 1
fi
pass "lab up (namespaces $LAB_NSS, strongSwan in gw and peer)"
test_lab
test_capture_point
if "$bin" run --help >/dev/null 2>&1; then
	test_localin
else
	skip "localin run: '$bin run --help' fails (the daemon is not built yet)"
fi
[ "$fails" -eq 0 ]
