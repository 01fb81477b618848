#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The live demo: the seed scenario on real hosts in network namespaces
# (tests/lab/lab.sh). First without localin, so the baseline is seen (the
# attacker reaches charon), then with `localin run` in the gateway: the
# tunnel comes up and passes traffic, the probes are dropped. Prints what
# was sent, what got through (captures before and behind wan1, independent
# of localin), what was dropped by which policy (`localin status`), the log
# lines and a `diagnose debug flow` trace of one dropped probe (`diagnose
# debug enable`: on the terminal, as on a FortiGate). Tears the
# lab down at the end, also when interrupted.
#
#	bash tests/lab/demo.sh [BIN]		(default build/localin; as root)
#
# Until `localin run` exists (`BIN run --help` fails), the lab part runs
# alone and `localin replay` of its capture shows what the daemon will do.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab.sh
. "$here/lab.sh"
bin=$(realpath -m "${1:-build/localin}")
conf=$LAB_DIR/lab.conf

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
indent() { sed 's/^/    /'; }

topology() {
	cat <<EOF
    $NS_ATT   eth0 $ATT_ADDR/24  ─┐
                                        ├─ br0 in $NS_SW ─ $GW_IF $GW_ADDR/24  $NS_GW
    $NS_PEER  eth0 $PEER_ADDR/24   ─┘                    (localin, charon; lo $GW_INNER)
    (peer: lo $PEER_INNER; 203.0.113.0/24 and 198.51.100.0/24 are routed on-link)
EOF
}

# The tunnel, a ping across it and the probes, between captures.
traffic() { # phase
	lab_phase_start "$1" || return 1
	if lab_tunnel_up; then
		echo "tunnel: IKE_SA established, CHILD_SA installed; gw SPIs in/out: $(lab_tunnel_spis)"
		lab_sa_file "$1"
	else
		echo "tunnel: FAILED (see $LAB_DIR/initiate.out)"
	fi
	echo "ping -I $PEER_INNER $GW_INNER: $(lab_tunnel_ping 5)"
	echo "attacker $ATT_ADDR -> $GW_ADDR:"
	lab_probe 2>&1 | sed 's/^/  /'
	lab_phase_stop "$1"
}

# The captures' account of a phase, and charon's view of the attacker.
account() { # phase [bin conf]
	local name=$1
	shift
	echo "frames at wan1: delivered = captured on the switch port towards gw;"
	echo "got through = captured on wan1 inside gw (XDP runs before that tap)"
	lab_phase_report "$name" "$@" | grep -v '^mismatches 0$'
	echo "charon in gw, IKE messages from the attacker: $(lab_charon_attacker "$name")"
}

without_localin() {
	step "Without localin: the tunnel, a ping across it, the attacker's probes"
	traffic base | indent
	account base | indent
	step "What localin will decide for the same frames: localin replay of the switch's capture"
	# shellcheck disable=SC2046
	"$bin" replay -c "$conf" "$LAB_DIR/base-sw.pcap" --intf "$GW_IF" \
		$(lab_sa_args base) |
		grep -v '^date=' | indent
}

# The attacker's trafgen flood of forged ESP under a ping every 10 ms.
flood() {
	local before after ping
	before=$(lab_localin "$bin" status 2>/dev/null |
		sed -n 's/^  ESP with an unknown SPI (dropped): //p')
	ip netns exec "$NS_PEER" ping -n -q -c 300 -i 0.01 -W 2 \
		-I "$PEER_INNER" "$GW_INNER" >"$LAB_DIR/flood.ping" 2>&1 &
	ping=$!
	sleep 0.3
	lab_esp_flood raw 100000
	lab_esp_flood udp 100000
	wait "$ping"
	after=$(lab_localin "$bin" status 2>/dev/null |
		sed -n 's/^  ESP with an unknown SPI (dropped): //p')
	echo "ping across the tunnel meanwhile: $(grep 'packets transmitted' "$LAB_DIR/flood.ping")"
	echo "dropped as unknown SPI by localin: $((after - before)) of 200000 sent"
}

with_localin() {
	local n debug
	lab_swanctl peer --terminate --ike lab --timeout 10 >/dev/null 2>&1
	step "localin run -c lab.conf, in $NS_GW (log lines to $LAB_DIR/localin.log)"
	lab_localin_start "$bin" "$conf"
	lab_localin_wait "$bin" || return 1
	ip -n "$NS_GW" link show dev "$GW_IF" 2>/dev/null | indent
	lab_localin "$bin" diagnose debug flow filter saddr "$ATT_ADDR" | indent
	lab_localin "$bin" diagnose debug flow trace start 1 | indent
	# As on a FortiGate: the trace on the terminal that typed this.
	# (nsenter execs localin: $! is the client, which kill -INT ends)
	nsenter -t "$(cat "$LAB_DIR/localin.pid")" -m -n \
		"$bin" diagnose debug enable >"$LAB_DIR/debug.out" 2>&1 &
	debug=$!
	for n in 1 2 3 4 5 6 7 8 9 10; do
		lab_localin "$bin" status 2>/dev/null | grep -q 'streaming' && break
		sleep 0.5
	done

	step "With localin: the tunnel again, a ping across it, the same probes"
	traffic enf | indent
	account enf "$bin" "$conf" | indent

	step "Forged ESP flood: 100000 raw and 100000 in UDP 4500, random SPIs, from trafgen, while the peer pings across the tunnel"
	flood | indent

	step "localin status"
	lab_localin "$bin" status 2>&1 | indent

	step "localin diagnose vpn tunnel list (the SAs localin learned from charon over VICI)"
	lab_localin "$bin" diagnose vpn tunnel list 2>&1 | indent

	n=$(grep -c 'logid=' "$LAB_DIR/localin.log")
	step "Log lines ($n; the first 3, and the ESP errors)"
	grep 'logid=' "$LAB_DIR/localin.log" | head -n 3 | indent
	grep 'logid="0101037131"' "$LAB_DIR/localin.log" | indent

	step "diagnose debug enable: one dropped probe, on this terminal"
	for n in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 "$debug" 2>/dev/null || break
		sleep 0.5
	done
	kill -INT "$debug" 2>/dev/null
	wait "$debug"
	# (in the daemon's log instead, had the stream not been up in time)
	grep 'trace_id=' "$LAB_DIR/debug.out" "$LAB_DIR/localin.log" \
		"$LAB_DIR/localin.err" | sed "s|^$LAB_DIR/||" | indent

	step "localin stop"
	lab_localin_stop "$bin"
	ip -n "$NS_GW" link show dev "$GW_IF" 2>/dev/null | head -n 1 | indent
}

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: the live lab needs root (network namespaces, XDP): skipped" >&2
	exit 0
fi
lab_lock || exit 1
lab_trap_down
start=$(date +%s)
step "The lab: $LAB_NSS on one L2 segment"
topology
lab_up || exit 1
echo "    strongSwan 5.9.8 in $NS_GW and $NS_PEER (userspace ESP: kernel-libipsec, ESP-in-UDP on 4500)"
lab_write_conf "$conf"
step "The gateway's config: examples/seed.conf as it is (detect-unknown-esp enable, FortiOS's default)"
"$bin" show -c "$conf" | indent

without_localin
if "$bin" run --help >/dev/null 2>&1; then
	with_localin
else
	step "localin run is not built yet ('$bin run --help' fails): the lab part ran alone"
	echo "    Once it is, this demo starts it in $NS_GW and repeats the traffic under it."
fi
step "Tearing the lab down ($(($(date +%s) - start)) s)"
