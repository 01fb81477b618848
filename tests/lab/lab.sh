#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The network-namespace lab behind `make demo` and the end-to-end tests.
#
#   bash tests/lab/lab.sh up       namespaces, addresses, strongSwan in gw and peer
#   bash tests/lab/lab.sh tunnel   peer initiates the IPsec tunnel; ping across it
#   bash tests/lab/lab.sh probe    the attacker probes the gateway (ike-scan, scapy, hping3)
#   bash tests/lab/lab.sh status   what is up: namespaces, addresses, charons, SAs
#   bash tests/lab/lab.sh down     stop everything started, delete everything made
#
# Sourced by demo.sh and e2e.sh (they call lab_up, lab_down, ...). Topology
# (tests/lab/README.md has the picture): one L2 segment, a bridge in a
# fourth namespace, the "switch"; every name carries the prefix $LAB (li).
#
#   li-gw    wan1 198.51.100.1/24, route 203.0.113.0/24 on-link; lo 172.31.1.1
#   li-peer  eth0 203.0.113.10/24, route 198.51.100.0/24 on-link; lo 172.31.2.1
#   li-att   eth0 198.51.100.66/24 (same subnet as the gateway)
#   li-sw    br0 with ports gw0, peer0, att0 (veth peers of the three above)
#
# The two subnets share the segment and reach each other through on-link
# routes (ARP answers for any local address), so no router namespace is
# needed and every frame for the gateway crosses exactly one link, wan1.
#
# State (configs, logs, pids, captures) lives in $LAB_DIR, a mktemp -d
# directory; `up` writes its name to $LAB_RUN.dir so that `down` in another
# process finds what `up` started. The lock and that name are in /run, which
# only root writes: a fixed name in /tmp could be a link another user
# planted, which root would write through. Processes are stopped by their
# pids, then anything still inside one of the lab's namespaces (`ip netns
# pids`), before the namespaces are deleted.

LAB=${LAB:-li}
LAB_RUN=/run/localin-lab.$LAB

# The state directory a running lab's `up` named: a real directory of ours
# named in a real file of ours, or nothing.
lab_dir_found() {
	local f=$LAB_RUN.dir d
	[ -f "$f" ] && [ ! -L "$f" ] && [ -O "$f" ] || return 0
	d=$(cat "$f")
	[ -d "$d" ] && [ ! -L "$d" ] && [ -O "$d" ] && echo "$d"
}

# The running lab's, else (sourced by a script that will run `up`, or `up`)
# a new one; `down` and `status` without a lab have none.
LAB_DIR=${LAB_DIR:-$(lab_dir_found)}
if [ -z "$LAB_DIR" ] && { [ "${BASH_SOURCE[0]}" != "$0" ] || [ "${1:-}" = up ]; }; then
	LAB_DIR=$(mktemp -d "/tmp/localin-lab.$LAB.XXXXXX") || exit 1
fi
NS_GW=$LAB-gw
NS_PEER=$LAB-peer
NS_ATT=$LAB-att
NS_SW=$LAB-sw
LAB_NSS="$NS_GW $NS_PEER $NS_ATT $NS_SW"

GW_IF=wan1
GW_ADDR=198.51.100.1
PEER_ADDR=203.0.113.10
ATT_ADDR=198.51.100.66
GW_INNER=172.31.1.1
PEER_INNER=172.31.2.1
LAB_PSK=${LAB_PSK:-localin-lab-psk-not-a-secret}
LAB_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

lab_log() { printf 'lab: %s\n' "$*" >&2; }
lab_die() {
	lab_log "error: $*"
	return 1
}

# --- PASS/FAIL lines -------------------------------------------------------
# The checks of the scripts that source this (e2e.sh, esp.sh, natt_port.sh,
# vici.sh): one line a check, "PASS $LAB_SUITE/name" or "FAIL ...", the
# failures counted in $fails for the script's exit status. A script sets
# LAB_SUITE (lab-esp); its own pass/fail/check, if any, come after these.
fails=0
pass() { echo "PASS ${LAB_SUITE:-lab}/$*"; }
fail() {
	echo "FAIL ${LAB_SUITE:-lab}/$*"
	fails=$((fails + 1))
}
check() { # name cmd...: PASS if the command succeeds
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}
not() { ! "$@"; }

# --- processes -------------------------------------------------------------

# Run "$@" in the background inside namespace $1; its pid goes to
# $LAB_DIR/$2.pid. `ip netns exec` execs the command (no fork), so the pid
# is the program's own.
lab_spawn() { # ns name cmd...
	local ns=$1 name=$2
	shift 2
	ip netns exec "$ns" "$@" 9>&- &
	echo $! >"$LAB_DIR/$name.pid"
}

# Stop one process we started: SIGTERM, wait up to 3 s, then SIGKILL.
lab_kill_pid() { # pid
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 30); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	return 0
}

# The process started by lab_spawn under that name, if it still lives in
# one of the lab's namespaces (a stale pid file never hits another process).
lab_stop() { # name
	local f=$LAB_DIR/$1.pid pid ns
	[ -f "$f" ] || return 0
	pid=$(cat "$f")
	ns=$(ip netns identify "$pid" 2>/dev/null)
	case " $LAB_NSS " in
	*" ${ns:-none} "*) lab_kill_pid "$pid" ;;
	esac
	rm -f "$f"
}

lab_running() { # name
	local f=$LAB_DIR/$1.pid
	[ -n "$LAB_DIR" ] && [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null
}

# --- the network -----------------------------------------------------------

lab_ns_exists() { [ -e "/run/netns/$1" ]; }

# One end of a veth in the switch (NAME0, bridged), the other in $ns.
lab_link() { # ns ifname port-name-in-switch
	ip -n "$NS_SW" link add "$3" type veth peer name "$2" netns "$1" &&
		ip -n "$NS_SW" link set "$3" master br0 up &&
		ip -n "$1" link set "$2" up
}

# Quiet namespaces: no IPv6 (no router solicitations or MLD reports in the
# captures), loopback up.
lab_ns_add() { # ns
	ip netns add "$1" &&
		ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 &&
		ip -n "$1" link set lo up
}

lab_net_up() {
	local ns
	for ns in $LAB_NSS; do
		lab_ns_add "$ns" || return 1
	done
	ip -n "$NS_SW" link add br0 type bridge stp_state 0 mcast_snooping 0 &&
		ip -n "$NS_SW" link set br0 up &&
		lab_link "$NS_GW" "$GW_IF" gw0 &&
		lab_link "$NS_PEER" eth0 peer0 &&
		lab_link "$NS_ATT" eth0 att0 || return 1

	ip -n "$NS_GW" addr add "$GW_ADDR/24" dev "$GW_IF" &&
		ip -n "$NS_GW" route add 203.0.113.0/24 dev "$GW_IF" &&
		ip -n "$NS_GW" addr add "$GW_INNER/32" dev lo &&
		ip -n "$NS_PEER" addr add "$PEER_ADDR/24" dev eth0 &&
		ip -n "$NS_PEER" route add 198.51.100.0/24 dev eth0 &&
		ip -n "$NS_PEER" addr add "$PEER_INNER/32" dev lo &&
		ip -n "$NS_ATT" addr add "$ATT_ADDR/24" dev eth0 || return 1

	# The segment works before anyone relies on it (this also fills the
	# ARP caches, so the captures later hold no ARP for these pairs).
	ip netns exec "$NS_PEER" ping -q -c 1 -W 2 "$GW_ADDR" >/dev/null &&
		ip netns exec "$NS_ATT" ping -q -c 1 -W 2 "$GW_ADDR" >/dev/null ||
		lab_die "no connectivity on the lab segment"
}

# --- strongSwan (see ../shared/LAB-NOTES.md) -------------------------------

# strongswan.conf and swanctl.conf of one charon: strongswan_conf.sh.
# shellcheck source=strongswan_conf.sh
. "$LAB_HERE/strongswan_conf.sh"

# swanctl against the charon of one side ("gw" or "peer").
lab_swanctl() { # side args...
	local side=$1
	shift
	STRONGSWAN_CONF=$LAB_DIR/$side/strongswan.conf swanctl "$@"
}

# LAB_REKEY="side time": that side rekeys the CHILD_SA every time.
lab_rekey_of() { # side
	set -- "$1" ${LAB_REKEY:-}
	[ "${2:-}" = "$1" ] && echo "$3"
	return 0
}

# One charon in $ns with its own /run (the pid file path is fixed).
lab_charon_start() { # side ns local remote local-inner remote-inner
	local side=$1 ns=$2 d=$LAB_DIR/$1
	mkdir -p "$d"
	rm -f "$d/charon.vici" # a killed charon's: we wait for the new one
	lab_ss_conf "$d"
	lab_swanctl_conf "$d" "$3" "$4" "$5" "$6" "$(lab_rekey_of "$side")"
	STRONGSWAN_CONF=$d/strongswan.conf lab_spawn "$ns" "charon-$side" \
		unshare -m sh -c 'mount -t tmpfs none /run && exec /usr/lib/ipsec/charon' \
		>"$d/charon.out" 2>&1
	for _ in $(seq 50); do
		[ -S "$d/charon.vici" ] && break
		lab_running "charon-$side" || break
		sleep 0.1
	done
	[ -S "$d/charon.vici" ] || {
		cat "$d/charon.out" "$d/charon.log" >&2 2>/dev/null
		lab_die "charon in $ns did not start"
		return 1
	}
	lab_swanctl "$side" --load-all --file "$d/swanctl.conf" >"$d/load.out" 2>&1 || {
		cat "$d/load.out" >&2
		lab_die "swanctl --load-all in $ns failed"
	}
}

lab_ipsec_up() {
	lab_charon_start gw "$NS_GW" "$GW_ADDR" "$PEER_ADDR" "$GW_INNER" "$PEER_INNER" &&
		lab_charon_start peer "$NS_PEER" "$PEER_ADDR" "$GW_ADDR" "$PEER_INNER" "$GW_INNER"
}

# The peer initiates (unless the tunnel is up already); the CHILD_SA must
# be INSTALLED on the gateway's side.
lab_tunnel_up() {
	# Up when the gateway lists an ESTABLISHED IKE_SA and an INSTALLED
	# CHILD_SA. esp.sh's peer rekeys every 3 s, so a look may fall between
	# the old CHILD_SA and the new one: look again, up to 10 s, before
	# calling it down (one look only made lab-esp/rekey fail so in CI
	# once, right after the flood test). Initiate only when the peer has
	# no INSTALLED CHILD_SA either, or after 3 s of looking: initiating
	# while a rekey is in flight makes the peer refuse a duplicate.
	local i initiated=
	for i in $(seq 100); do
		lab_swanctl gw --list-sas >"$LAB_DIR/sas.out" 2>&1
		grep -q 'ESTABLISHED' "$LAB_DIR/sas.out" &&
			grep -q 'INSTALLED' "$LAB_DIR/sas.out" && return 0
		if [ -z "$initiated" ] && { [ "$i" -gt 30 ] ||
			! lab_swanctl peer --list-sas 2>/dev/null | grep -q INSTALLED; }; then
			lab_swanctl peer --initiate --child lab --timeout 20 \
				>"$LAB_DIR/initiate.out" 2>&1 || {
				tail -n 20 "$LAB_DIR/initiate.out" >&2
				lab_die "swanctl --initiate failed"
				return 1
			}
			initiated=1
		fi
		sleep 0.1
	done
	sed 's/^/    /' "$LAB_DIR/sas.out" >&2
	lab_die "no established IKE_SA and installed CHILD_SA on the gateway in 10 s"
}

# Ping across the tunnel, inner to inner. Prints ping's summary line;
# fails unless every reply came back.
lab_tunnel_ping() { # count
	local out
	out=$(ip netns exec "$NS_PEER" ping -n -q -c "${1:-5}" -i 0.2 -W 2 \
		-I "$PEER_INNER" "$GW_INNER" 2>&1)
	printf '%s\n' "$out" | grep 'packets transmitted'
	printf '%s\n' "$out" | grep -q ' 0% packet loss'
}

# The gateway's inbound SPI of the tunnel (empty when it is down).
lab_tunnel_spi_in() {
	lab_swanctl gw --list-sas 2>/dev/null |
		sed -n 's/^ *in *\([0-9a-f]\{8\}\),.*/\1/p' | head -n 1
}

# The tunnel's SAs as `localin replay --sa-file` reads them, into
# $LAB_DIR/NAME.sa: replay then knows the SPIs the daemon learned live.
lab_sa_file() { # name
	local spi
	: >"$LAB_DIR/$1.sa"
	for spi in $(lab_swanctl gw --list-sas 2>/dev/null |
		sed -n 's/^ *in *\([0-9a-f]\{8\}\),.*/\1/p'); do
		echo "$GW_ADDR $spi $PEER_ADDR lab" >>"$LAB_DIR/$1.sa"
	done
}

# replay's --sa-file for a phase, when it has one.
lab_sa_args() { # name
	[ -s "$LAB_DIR/$1.sa" ] && echo "--sa-file $LAB_DIR/$1.sa"
}

# The SPIs of the gateway's CHILD_SA (in and out), from VICI.
lab_tunnel_spis() {
	lab_swanctl gw --list-sas 2>/dev/null |
		sed -n 's/^ *\(in\|out\) *\([0-9a-f]\{8\}\),.*/\2/p' | paste -sd /
}

# --- captures --------------------------------------------------------------

# tcpdump in $ns on $if, one direction only, to $LAB_DIR/$name.pcap;
# returns once tcpdump is listening. XDP runs before the AF_PACKET taps, so
# a capture on wan1 in gw holds only what localin passed; the switch's port
# towards gw (gw0, direction out) holds everything delivered to wan1.
lab_capture_start() { # name ns if in|out
	local name=$1
	lab_spawn "$2" "cap-$name" tcpdump -n -U --immediate-mode -i "$3" -Q "$4" \
		-w "$LAB_DIR/$name.pcap" >"$LAB_DIR/cap-$name.out" 2>&1
	for _ in $(seq 50); do
		grep -q 'listening on' "$LAB_DIR/cap-$name.out" 2>/dev/null && return 0
		sleep 0.1
	done
	lab_die "tcpdump $name did not start"
}

lab_capture_stop() { # name
	local f=$LAB_DIR/cap-$1.pid pid
	[ -f "$f" ] || return 0
	pid=$(cat "$f")
	sleep 0.3 # let the last frames in flight reach the tap
	kill -INT "$pid" 2>/dev/null
	for _ in $(seq 30); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	lab_stop "cap-$1"
}

# --- attack traffic ----------------------------------------------------------

# Every probe from the attacker, at the gateway's address only. Output:
# one line per probe class: how many ike-scan's probes charon answered,
# how many frames scapy and hping3 sent. ike-scan's answers, if any, are in
# $LAB_DIR/ike-scan-*.out.
lab_probe() {
	local v
	for v in v1 v2 natt; do
		case $v in
		v1) set -- ;;
		v2) set -- --ikev2 ;;
		natt) set -- --nat-t ;;
		esac
		# Three tries 300 ms apart when nothing answers; one when something does.
		ip netns exec "$NS_ATT" ike-scan --retry=3 --timeout=300 --backoff=1 \
			"$@" "$GW_ADDR" >"$LAB_DIR/ike-scan-$v.out" 2>&1
		echo "ike-scan $v: $(grep -c 'Notify\|Handshake' "$LAB_DIR/ike-scan-$v.out") answered"
	done
	# With the tunnel up, also its live inbound SPI from the attacker.
	ip netns exec "$NS_ATT" /usr/bin/python3 "$LAB_HERE/lab.py" probe "$GW_ADDR" \
		$(lab_tunnel_spi_in)
	# A short burst from one source port: 20 IKE probes in 40 ms.
	ip netns exec "$NS_ATT" hping3 -q --udp -p 500 -s 41000 -k -c 20 -i u2000 \
		"$GW_ADDR" >"$LAB_DIR/hping3.out" 2>&1
	echo "sent hping3 udp 500 burst: $(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$LAB_DIR/hping3.out")"
}

# Forged ESP from the attacker, @n frames with random SPIs, as fast as
# trafgen sends them: raw (IP protocol 50) or in UDP 4500.
lab_esp_flood() { # raw|udp n
	local gw_mac att_mac
	gw_mac=$(ip -n "$NS_GW" -br link show dev "$GW_IF" | awk '{ print $3 }')
	att_mac=$(ip -n "$NS_ATT" -br link show dev eth0 | awk '{ print $3 }')
	if [ "$1" = raw ]; then
		cat >"$LAB_DIR/$1.trafgen" <<EOF
{
  eth(da=$gw_mac, sa=$att_mac),
  ipv4(sa=$ATT_ADDR, da=$GW_ADDR, ttl=64, proto=50),
  drnd(4), 0,0,0,1, fill(0x00, 32)
}
EOF
	else
		cat >"$LAB_DIR/$1.trafgen" <<EOF
{
  eth(da=$gw_mac, sa=$att_mac),
  ipv4(sa=$ATT_ADDR, da=$GW_ADDR, ttl=64),
  udp(sp=4500, dp=4500),
  0xde, drnd(3), 0,0,0,1, fill(0x00, 32)
}
EOF
	fi
	ip netns exec "$NS_ATT" trafgen --dev eth0 --conf "$LAB_DIR/$1.trafgen" \
		--num "$2" --cpus 1 >"$LAB_DIR/trafgen-$1.out" 2>&1
}

# --- phases: captures around a run of traffic -------------------------------------

# Captures on both sides of wan1 ($LAB_DIR/NAME-sw.pcap: everything the
# switch delivered to wan1; NAME-gw.pcap: what got past XDP), and a mark in
# the gateway's charon log.
lab_phase_start() { # name
	lab_capture_start "$1-sw" "$NS_SW" gw0 out &&
		lab_capture_start "$1-gw" "$NS_GW" "$GW_IF" in &&
		wc -l <"$LAB_DIR/gw/charon.log" >"$LAB_DIR/$1.mark"
}

lab_phase_stop() { # name
	lab_capture_stop "$1-sw"
	lab_capture_stop "$1-gw"
}

# The gateway's charon log since the phase started.
lab_charon_since() { # name
	tail -n +"$(($(cat "$LAB_DIR/$1.mark") + 1))" "$LAB_DIR/gw/charon.log"
}

# IKE messages from the attacker that charon received / answered in a phase.
lab_charon_attacker() { # name
	local log
	log=$(lab_charon_since "$1")
	echo "$(printf '%s\n' "$log" | grep -c "received packet: from $ATT_ADDR\[") received," \
		"$(printf '%s\n' "$log" | grep -c "sending packet: from .* to $ATT_ADDR\[") answered"
}

# Per-class accounting of a phase (lab.py report), with `localin replay
# --verdicts` of the switch's capture as the expectation when a binary and
# config are given; else every frame is expected through.
lab_phase_report() { # name [--tsv] [bin conf]
	local name=$1 tsv=
	shift
	[ "${1:-}" = --tsv ] && tsv=--tsv && shift
	if [ $# -eq 2 ]; then
		# shellcheck disable=SC2046
		"$1" replay -c "$2" "$LAB_DIR/$name-sw.pcap" --intf "$GW_IF" --verdicts \
			$(lab_sa_args "$name") >"$LAB_DIR/$name.verdicts" || return 2
		/usr/bin/python3 "$LAB_HERE/lab.py" report $tsv "$LAB_DIR/$name-sw.pcap" \
			"$LAB_DIR/$name-gw.pcap" "$LAB_DIR/$name.verdicts"
	else
		/usr/bin/python3 "$LAB_HERE/lab.py" report $tsv "$LAB_DIR/$name-sw.pcap" \
			"$LAB_DIR/$name-gw.pcap"
	fi
}

# The lab's config: examples/seed.conf as it is. detect-unknown-esp is on
# (the default); the daemon finds the gateway's charon at VICI's default
# path (lab_localin_start links it there) and learns the tunnel's SAs.
lab_write_conf() { # file
	cat "$LAB_HERE/../../examples/seed.conf" >"$1"
}

# --- localin run inside gw -----------------------------------------------------

# The daemon runs in gw's network namespace and in a mount namespace of its
# own: a private /run (control socket, lock) and bpffs (pins), so the lab
# never meets a localin of the host or of another lab. /run/charon.vici
# (VICI's default path) is a link to the gateway charon's socket, so the
# daemon finds charon as on a real gateway, and again after charon
# restarts (a new socket under the same name). In the foreground,
# so that its pid is the one lab_spawn records. Log and trace lines go to
# $LAB_DIR/localin.log, anything else to localin.err.
lab_localin_start() { # bin conf
	lab_spawn "$NS_GW" localin unshare -m sh -c \
		'mount -t tmpfs none /run && { mount -t bpf bpf /sys/fs/bpf || :; } &&
		ln -s "$3" /run/charon.vici &&
		exec "$0" run -c "$1" --foreground --log "$2"' \
		"$1" "$2" "$LAB_DIR/localin.log" "$LAB_DIR/gw/charon.vici" \
		>"$LAB_DIR/localin.err" 2>&1
}

# A client command (`status`, `diagnose …`, `stop`) in the daemon's namespaces.
lab_localin() { # bin args...
	nsenter -t "$(cat "$LAB_DIR/localin.pid")" -m -n "$@"
}

# A counter of the daemon's `localin status`, the number after its label
# ("ESP with an unknown SPI (dropped): 7").
lab_counter() { # bin label
	lab_localin "$1" status 2>&1 | grep -F "$2" |
		sed -n 's/.*: *\([0-9][0-9]*\) *$/\1/p' | head -n 1
}

# (ip may complain on stderr about other namespaces it looks up: ignored)
lab_xdp_attached() { ip -n "$NS_GW" link show dev "$GW_IF" 2>/dev/null | grep -q "prog/xdp"; }

# Ready: the control socket answers and a program is attached to wan1.
# Waits 60 s (600 tries a tenth of a second apart, longer when the tries
# are slow), as `localin run` loads its programs through the BPF verifier
# first: 16-18 s at load 6.5 on the 2-core CI machine, where the 10 s this
# waited before failed labs that were fine. A daemon that exits ends the
# wait at once, so a real failure is not slower to show.
lab_localin_wait() { # bin
	for _ in $(seq 600); do
		lab_running localin || break
		lab_localin "$1" status >/dev/null 2>&1 && lab_xdp_attached && return 0
		sleep 0.1
	done
	tail -n 20 "$LAB_DIR/localin.err" >&2
	lab_die "localin run did not come up (attached to $GW_IF)"
}

# `localin stop`, then the pid if it is still there.
lab_localin_stop() { # bin
	lab_running localin || return 0
	lab_localin "$1" stop >/dev/null 2>&1
	lab_stop localin
}

# --- up, down, status ----------------------------------------------------------

lab_is_up() {
	local ns
	for ns in $LAB_NSS; do
		lab_ns_exists "$ns" || return 1
	done
	lab_running charon-gw && lab_running charon-peer
}

# Everything up. Idempotent: a complete lab is left as it is, a partial
# one (a crash, an interrupted run) is torn down and built again.
lab_up() {
	[ "$(id -u)" -eq 0 ] || lab_die "the lab needs root" || return 1
	if lab_is_up; then
		lab_log "already up ($LAB_DIR)"
		return 0
	fi
	lab_down keep
	# A given LAB_DIR, or ours after another run removed it: mkdir makes
	# it anew or fails, never uses what someone else put there.
	{ [ -d "$LAB_DIR" ] && [ ! -L "$LAB_DIR" ] && [ -O "$LAB_DIR" ] ||
		mkdir -m 700 "$LAB_DIR"; } &&
		chmod 700 "$LAB_DIR" &&
		echo "$LAB_DIR" >"$LAB_RUN.dir" &&
		lab_net_up &&
		lab_ipsec_up
}

# Tear down: idempotent, quiet, never fails. With "keep" (from lab_up) the
# state directory is emptied, not removed: a caller's paths name it.
lab_down() { # [keep]
	local f ns pid
	if [ -n "$LAB_DIR" ] && [ -d "$LAB_DIR" ]; then
		for f in "$LAB_DIR"/*.pid; do
			[ -f "$f" ] || continue
			f=${f##*/}
			lab_stop "${f%.pid}"
		done
	fi
	for ns in $LAB_NSS; do
		lab_ns_exists "$ns" || continue
		# Anything left inside (a daemon started by a caller, a helper).
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			lab_kill_pid "$pid"
		done
		ip netns del "$ns" 2>/dev/null
	done
	if [ "${1:-}" = keep ]; then
		[ -z "$LAB_DIR" ] || [ ! -d "$LAB_DIR" ] ||
			find "$LAB_DIR" -mindepth 1 -delete
		return 0
	fi
	[ -z "$LAB_DIR" ] || rm -rf "$LAB_DIR"
	# Its name, unless another run has written its own since.
	f=$(cat "$LAB_RUN.dir" 2>/dev/null)
	if [ "$f" = "$LAB_DIR" ] || [ ! -d "$f" ]; then
		rm -f "$LAB_RUN.dir"
	fi
	return 0
}

lab_status() {
	local ns side
	for ns in $LAB_NSS; do
		if [ "$ns" = "$NS_SW" ] && lab_ns_exists "$ns"; then
			echo "$ns: br0 ports $(ip -n "$ns" -br link show master br0 | cut -d@ -f1 | paste -sd ' ')"
		elif lab_ns_exists "$ns"; then
			echo "$ns: $(ip -n "$ns" -br -4 addr show | grep -v '^lo ' | tr -s ' ' | paste -sd ';')"
		else
			echo "$ns: absent"
		fi
	done
	for side in gw peer; do
		if lab_running "charon-$side"; then
			echo "charon $side: pid $(cat "$LAB_DIR/charon-$side.pid")"
		else
			echo "charon $side: not running"
		fi
	done
	lab_running charon-gw && lab_swanctl gw --list-sas --raw 2>/dev/null |
		grep -o 'lab {[^{]*state=[A-Z]*' | sed 's/ .*state=/ IKE_SA /;s/^/sas gw: /'
	lab_is_up
}

# One run at a time per prefix: demo.sh and e2e.sh wait here (up to 5
# min) for another run's lab of the same name. LAB=xy runs one beside it.
lab_lock() {
	exec 9>"$LAB_RUN.lock"
	flock -w 300 9 || lab_die "another lab named $LAB is running"
}

# Tear the lab down when the calling script ends, however it ends.
lab_trap_down() {
	trap 'lab_down' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# --- command line -------------------------------------------------------------

lab_main() {
	case ${1:-} in
	up)
		# Down again if `up` fails or is interrupted; left up on success.
		lab_trap_down
		lab_up || exit 1
		trap - EXIT INT TERM
		lab_status
		;;
	down) lab_down ;;
	status) lab_status ;;
	tunnel) lab_tunnel_up && lab_swanctl gw --list-sas && lab_tunnel_ping 5 ;;
	probe) lab_probe ;;
	*)
		echo "usage: lab.sh up|down|status|tunnel|probe" >&2
		exit 2
		;;
	esac
}

# Run as a command, not when sourced.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	lab_main "$@"
fi
