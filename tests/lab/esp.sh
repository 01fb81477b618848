#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The SPI check live, in the lab (tests/lab/lab.sh), with examples/seed.conf
# as it is (detect-unknown-esp on) and the daemon reading the gateway's
# charon over VICI. One PASS/FAIL line per check; SKIP without root.
#
#	bash tests/lab/esp.sh [BIN]		(default build/localin)
#
# 1. Flood: the tunnel carries a ping every 10 ms while the attacker sends
#    forged ESP with random SPIs, raw and in UDP 4500, as fast as trafgen
#    can: every frame of the peer that reaches wan1 gets through (ping loss
#    at most 1%: the flood fills the switch's port), the unknown-SPI
#    counter is exactly what was sent, the log lines stay in the rate limit.
# 2. Rekey storm: the peer rekeys the CHILD_SA every 3 s (LAB_REKEY) for a
#    minute of continuous traffic: no frame of the peer dropped (captures in
#    front of and behind wan1), no ESP counted as unknown, rekeys seen.
# 3. charon restarted under traffic: the daemon says the source is down,
#    keeps its SAs and lets ESP from their peers through unverified (the
#    restarted charon may make SAs before the daemon is back on its
#    socket); charon back, the tunnel re-established: no packet of the
#    peer dropped, the new SAs known, the SPI check on again.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# A lab of its own (prefix le), the peer rekeying every 3 s.
export LAB=${LAB:-le}
export LAB_REKEY="peer ${ESP_REKEY:-3s}"
LAB_SUITE=lab-esp
# shellcheck source=lab.sh
. "$here/lab.sh"
bin=$(realpath -m "${1:-build/localin}")
conf=$LAB_DIR/lab.conf
N=${ESP_FLOOD:-100000}

status() { lab_localin "$bin" status 2>&1; }
unknown() { lab_counter "$bin" "ESP with an unknown SPI (dropped)"; }
unverified() { lab_counter "$bin" "passed unverified"; }

# Captures of the peer's frames only (the flood would swamp tcpdump), in
# front of wan1 (the switch's port) and behind it (inside gw).
peer_capture_start() { # name
	lab_spawn "$NS_SW" "cap-$1-sw" tcpdump -n -U --immediate-mode -B 8192 -i gw0 -Q out \
		-w "$LAB_DIR/$1-sw.pcap" "src host $PEER_ADDR" \
		>"$LAB_DIR/cap-$1-sw.out" 2>&1
	lab_spawn "$NS_GW" "cap-$1-gw" tcpdump -n -U --immediate-mode -B 8192 -i "$GW_IF" -Q in \
		-w "$LAB_DIR/$1-gw.pcap" "src host $PEER_ADDR" \
		>"$LAB_DIR/cap-$1-gw.out" 2>&1
	for _ in $(seq 50); do
		grep -q listening "$LAB_DIR/cap-$1-sw.out" 2>/dev/null &&
			grep -q listening "$LAB_DIR/cap-$1-gw.out" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

peer_capture_stop() { # name
	lab_capture_stop "$1-sw"
	lab_capture_stop "$1-gw"
}

# "delivered got-through" of the peer's ESP frames, and any mismatch.
peer_esp() { # name
	lab_phase_report "$1" --tsv >"$LAB_DIR/$1.tsv"
	awk -F'\t' '$1 == "peer esp-in-udp" { print $2, $3; f = 1 }
		END { if (!f) print 0, 0 }' "$LAB_DIR/$1.tsv"
}
# Frames of the peer's ESP whose fate differs between the two captures.
mismatches() { grep -c '^mismatch: peer esp-in-udp' "$LAB_DIR/$1.tsv"; }
# The frame check of a phase: the peer's ESP all through; else the report.
peer_esp_ok() { # name delivered got-through at-least
	[ "$2" -ge "$4" -a "$3" = "$2" -a "$(mismatches "$1")" = 0 ] && return 0
	sed 's/^/    /' "$LAB_DIR/$1.tsv" | head -n 20
	cat "$LAB_DIR/cap-$1-sw.out" "$LAB_DIR/cap-$1-gw.out" | sed 's/^/    /'
	return 1
}

# ping from the peer's inner address, every @interval s, @count times; its
# summary into $LAB_DIR/NAME.ping. In the background: its pid is $!.
ping_start() { # name count interval
	ip netns exec "$NS_PEER" ping -n -q -c "$2" -i "$3" -W 2 \
		-I "$PEER_INNER" "$GW_INNER" >"$LAB_DIR/$1.ping" 2>&1 &
}
ping_ok() { # name
	grep -q ' 0% packet loss' "$LAB_DIR/$1.ping"
}
# At most 1% lost. Under a flood that fills the switch port, or while
# libipsec swaps SAs, a request can be lost before it reaches wan1: the
# frame checks (captures in front of and behind wan1) say what localin did.
ping_mostly() { # name
	awk '/packets transmitted/ { exit !($1 > 0 && ($1 - $4) * 100 <= $1) }' \
		"$LAB_DIR/$1.ping"
}
ping_line() { grep 'packets transmitted' "$LAB_DIR/$1.ping"; }

# Frames the attacker sent that never reached wan1's XDP program: dropped
# by a full queue on the way (the attacker's veth, the switch's ports),
# which a machine busy with other work does (CI once: 3191 of 200000).
path_drops() {
	local n=0 v
	for v in "$NS_ATT eth0 tx_dropped" "$NS_SW att0 rx_dropped" \
		"$NS_SW gw0 tx_dropped" "$NS_GW $GW_IF rx_dropped"; do
		set -- $v
		n=$((n + $(ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3")))
	done
	echo "$n"
}

test_flood() {
	local before after lines d p lost
	lab_tunnel_up || { fail "flood: tunnel up"; return; }
	before=$(unknown)
	: >"$LAB_DIR/localin.log.mark"
	lines=$(grep -c 'unknown SPI' "$LAB_DIR/localin.log")
	lost=$(path_drops)
	peer_capture_start flood || { fail "flood: captures"; return; }
	ping_start flood 300 0.01
	local ping=$!
	sleep 0.3
	lab_esp_flood raw "$N"
	lab_esp_flood udp "$N"
	wait "$ping"
	peer_capture_stop flood
	after=$(unknown)
	check "flood: ping across the tunnel during the flood, at most 1% lost before wan1 ($(ping_line flood))" \
		ping_mostly flood
	read -r d p <<<"$(peer_esp flood)"
	check "flood: every ESP frame of the peer got through ($d delivered, $p behind wan1)" \
		peer_esp_ok flood "$d" "$p" 297
	lost=$(($(path_drops) - lost))
	check "flood: the unknown-SPI counter counts exactly the $((2 * N)) forged frames but the $lost lost before wan1's XDP (got $((after - before)))" \
		[ "$((after - before))" = "$((2 * N - lost))" ]
	lines=$(($(grep -c 'unknown SPI' "$LAB_DIR/localin.log") - lines))
	# One source address: a burst of 5, then 1 a second (src/log/README.md).
	check "flood: $lines unknown-SPI log lines for $((2 * N)) forged frames from one address (rate limit: at most 5 + 1/s)" \
		[ "$lines" -ge 1 -a "$lines" -le 10 ]
}

test_rekey() {
	local before after d p rekeys
	lab_tunnel_up || { fail "rekey: tunnel up"; return; }
	before=$(unknown)
	local unver=$(unverified)
	rekeys=$(grep -c 'CHILD_SA lab{[0-9]*} established' "$LAB_DIR/peer/charon.log")
	peer_capture_start rekey || { fail "rekey: captures"; return; }
	ping_start rekey 1200 0.05
	wait $!
	peer_capture_stop rekey
	after=$(unknown)
	rekeys=$(($(grep -c 'CHILD_SA lab{[0-9]*} established' "$LAB_DIR/peer/charon.log") - rekeys))
	check "rekey storm: the peer rekeyed its CHILD_SA $rekeys times in a minute" \
		[ "$rekeys" -ge 10 ]
	check "rekey storm: 1200 pings across the tunnel, at most 1% lost by libipsec ($(ping_line rekey))" \
		ping_mostly rekey
	read -r d p <<<"$(peer_esp rekey)"
	check "rekey storm: every ESP frame of the peer got through ($d delivered, $p behind wan1)" \
		peer_esp_ok rekey "$d" "$p" 1188
	check "rekey storm: no ESP dropped as unknown SPI ($((after - before)))" \
		[ "$after" = "$before" ]
	echo "info: rekey storm: $(($(unverified) - unver)) ESP frames used a new SA before charon's event reached the daemon (passed in the IKE window)"
	status >"$LAB_DIR/rekey.status"
	check "rekey storm: rekeyed SAs wait out the grace period ($(grep '^SAs:' "$LAB_DIR/rekey.status"))" \
		grep -q '^SAs: [0-9]* live, [1-9][0-9]* in the grace period' "$LAB_DIR/rekey.status"
}

test_restart() {
	local before after d p ping spi
	lab_tunnel_up || { fail "restart: tunnel up"; return; }
	before=$(unknown)
	peer_capture_start restart || { fail "restart: captures"; return; }
	lab_stop charon-gw
	rm -f "$LAB_DIR/gw/charon.vici" # gone with charon on a real gateway
	sleep 1
	status >"$LAB_DIR/restart-down.status"
	check "charon restart: status says the VICI source is down" \
		grep -q '^  charon: vici .*: down' "$LAB_DIR/restart-down.status"
	check "charon restart: while it is down, ESP from the peers of its SAs passes unverified" \
		grep -q '^  charon: vici .*passes unverified' "$LAB_DIR/restart-down.status"
	check "charon restart: the SPI check stays on" \
		grep -q '^ESP SPI check: on' "$LAB_DIR/restart-down.status"
	[ "$fails" = 0 ] || cat "$LAB_DIR/restart-down.status"
	lab_charon_start gw "$NS_GW" "$GW_ADDR" "$PEER_ADDR" "$GW_INNER" "$PEER_INNER" ||
		{ fail "restart: charon in gw again"; return; }
	# The peer learns the gateway lost the tunnel; it starts again.
	lab_swanctl peer --terminate --ike lab --timeout 5 >/dev/null 2>&1
	lab_tunnel_up || { fail "restart: tunnel up again"; return; }
	ping_start restart 100 0.02
	ping=$!
	wait "$ping"
	peer_capture_stop restart
	after=$(unknown)
	check "charon restart: the re-established tunnel carries 100 pings, 0% loss ($(ping_line restart))" \
		ping_ok restart
	read -r d p <<<"$(peer_esp restart)"
	check "charon restart: every ESP frame of the peer got through ($d delivered, $p behind wan1)" \
		peer_esp_ok restart "$d" "$p" 100
	check "charon restart: no ESP dropped as unknown SPI ($((after - before)))" \
		[ "$after" = "$before" ]
	status >"$LAB_DIR/restart-up.status"
	check "charon restart: the VICI source is up again, the check on" \
		grep -q '^  charon: vici .*: up' "$LAB_DIR/restart-up.status"
	check "charon restart: no peer passes unverified any more" \
		not grep -q 'passes unverified' "$LAB_DIR/restart-up.status"
	if spi_live restart; then
		pass "charon restart: diagnose vpn tunnel list shows the new inbound SA ($spi) live"
	else
		fail "charon restart: diagnose vpn tunnel list shows the new inbound SA ($spi) live"
		{ lab_swanctl gw --list-sas; cat "$LAB_DIR/restart.tunnels"; } >&2
	fi
}

# The gateway's inbound SPI ($spi) live in diagnose vpn tunnel list, into
# $LAB_DIR/NAME.tunnels. The peer rekeys every 3 s and charon's event
# reaches the daemon a moment after swanctl lists the new SA (this check
# was seen to fail once on a loaded machine, looking once): up to 3 s.
spi_live() { # name
	for _ in $(seq 30); do
		spi=$(lab_tunnel_spi_in)
		lab_localin "$bin" diagnose vpn tunnel list >"$LAB_DIR/$1.tunnels" 2>&1
		[ -n "$spi" ] &&
			grep -q "dec: spi=$spi .*state=live" "$LAB_DIR/$1.tunnels" &&
			return 0
		sleep 0.1
	done
	return 1
}

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP lab-esp: needs root"
	exit 0
fi
lab_lock || exit 1
lab_trap_down
if ! lab_up; then
	fail "lab up (namespaces, strongSwan in gw and peer)"
	exit 1
fi
lab_write_conf "$conf"
lab_localin_start "$bin" "$conf"
if ! lab_localin_wait "$bin"; then
	fail "localin run -c examples/seed.conf in gw"
	exit 1
fi
pass "localin run -c examples/seed.conf (detect-unknown-esp on) in gw"
test_flood
test_rekey
test_restart
lab_localin_stop "$bin"
[ "$fails" -eq 0 ]
