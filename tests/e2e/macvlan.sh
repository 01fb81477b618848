#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: macvlan devices. The kernel hands a frame for a macvlan's
# MAC from its lower device to the macvlan (rx_handler), whose address it
# is: a packet for that address is judged once, on the macvlan, by its
# policies, with its name as srcintf, as FortiOS judges traffic to an
# EMAC VLAN by that interface's policies, and as stacked.sh has it for
# VLAN devices and bridges.
#
#  - policies on the macvlan alone: attached in generic mode (macvlan has
#    no native XDP), said with the attach and in status; a denied IKE
#    datagram to its address is dropped and logged with srcintf the
#    macvlan, the admin's passes; the gateway's own ping and TCP out of
#    it work (sessions);
#  - a deny-all on the lower device too: the admin's IKE to the macvlan
#    still passes (it was dropped by the lower's deny-all), each datagram
#    one hit of the macvlan's policy and none of the lower's, a denied
#    one one log line naming the macvlan; the lower's own address stays
#    enforced; status and a message say where the macvlan's frames are
#    judged; a larger program's takeover keeps it so (it failed: the
#    kernel replaces no program under an upper that has one), and
#    another MAC given to the macvlan while running;
#  - a deny-all on the lower alone: the macvlan's frames are no policy's
#    (judged nowhere, said), as a VLAN device's no policy names;
#  - `any`, a macvlan made while running: attached at once, the lower's
#    deny-all holds all the while (a stream it drops: none got through),
#    each datagram judged once (on the macvlan).
#
#	sh tests/e2e/macvlan.sh BIN
set -u
bin=$(realpath "$1")
SUITE=e2e/macvlan
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping
find_python
private_bpffs "$@"
setup_run mvl localin-mvl
MV=$(link_name mv)
MV_ADDR=198.51.100.1
ADMIN=198.51.100.2 # the peer's address the policies accept for IKE
STRANGER=198.51.100.3

add_macvlan() {
	ip -n "$GW" link add link "$IF" name "$MV" type macvlan mode bridge &&
		ip -n "$GW" addr add "$MV_ADDR/24" dev "$MV" &&
		ip -n "$GW" link set "$MV" up
}

# An IKE server on the macvlan's address: each datagram's payload, a line
# of $tmp/ike.got, until $tmp/ike.stop.
ike_server() {
	rm -f "$tmp/ike.stop"
	in_gw "$py" -c '
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("'"$MV_ADDR"'", 500))
s.settimeout(0.2)
while not os.path.exists(sys.argv[1] + "/ike.stop"):
    try:
        d = s.recv(100)
    except OSError:
        continue
    with open(sys.argv[1] + "/ike.got", "a") as f:
        f.write(d.decode() + "\n")' "$tmp" &
	ike_pid=$!
	wait_until 30 udp_bound "$GW" 500
}
ike_server_stop() {
	touch "$tmp/ike.stop"
	[ -n "${ike_pid:-}" ] && wait "$ike_pid" 2>/dev/null
	ike_pid=
}
cleanup_more() { ike_server_stop; }
# One IKE datagram from SRC to the macvlan's address, its payload TAG.
ike_from() { # src tag
	ip netns exec "$PEER" "$py" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("'"$1"'", 0))
s.sendto(b"'"$2"'", ("'"$MV_ADDR"'", 500))'
}
ike_got() { grep -qx "$1" "$tmp/ike.got" 2>/dev/null; }
ike_passes() { # src tag: sent, and received within 2 s
	ike_from "$1" "$2" && wait_until 20 ike_got "$2"
}
ike_dropped() { # src tag: sent, and not received within 1 s
	ike_from "$1" "$2" && ! wait_until 10 ike_got "$2"
}
gw_ping_out() { in_gw ping -c 1 -W 1 -I "$MV_ADDR" "$ADMIN"; }
conf_head() {
	cat <<CONF
config log setting
    set local-in-deny-unicast enable
end
config firewall address
    edit "q4-admin"
        set subnet $ADMIN 255.255.255.255
    next
end
CONF
}
conf_admin_ike() { # N interface: IKE from the admin accepted there
	cat <<CONF
    edit $1
        set intf "$2"
        set srcaddr "q4-admin"
        set dstaddr "all"
        set service "IKE"
        set schedule "always"
        set action accept
    next
CONF
}
stranger_logged() { grep -q "srcip=$STRANGER" "$LOG"; }

make_lab
# The lower device does not answer ARP for the macvlan's address (else
# the peer may send to the lower's MAC): as on a host that shares its NIC.
in_gw sysctl -qw net.ipv4.conf.all.arp_ignore=1
add_macvlan || skip "cannot make a macvlan (no CONFIG_MACVLAN?)"
ip -n "$PEER" addr add "$ADMIN/24" dev peer0 &&
	ip -n "$PEER" addr add "$STRANGER/24" dev peer0 ||
	fail "cannot address the peer"
ike_server
warm_up ping_from_peer "$MV_ADDR"
check "without localin: the admin's IKE to the macvlan arrives" \
	ike_passes "$ADMIN" pre-admin
check "... and the stranger's" ike_passes "$STRANGER" pre-stranger
check "... the gateway's own ping out of the macvlan works" gw_ping_out

# --- policies on the macvlan alone ------------------------------------------
conf=$tmp/localin.conf
{
	conf_head
	echo "config firewall local-in-policy"
	conf_admin_ike 1 "$MV"
	conf_policy_edit 2 "$MV" ALL deny
	echo "end"
} >"$conf"
check_start "policies on the macvlan: localin starts" "$conf" || {
	cat "$ERR"
	exit 1
}
check "XDP program on the macvlan" xdp_on "$MV"
check "... in generic mode, said with the attach, with the driver's reason" \
	grep -q "attached to $MV (ifindex [0-9]*) in generic mode: the driver refused native XDP (Operation not supported)" "$ERR"
check_status "... and in status" "^interfaces:.* $MV (ifindex [0-9]*, generic XDP)"
check "a stranger's ping to the macvlan is dropped" \
	sh -c "! ip netns exec $PEER ping -c 1 -W 1 $MV_ADDR"
check "the stranger's IKE to the macvlan is dropped" \
	ike_dropped "$STRANGER" mv-stranger
check "... and logged with srcintf the macvlan" \
	wait_until 30 grep -q "srcip=$STRANGER .*srcintf=\"$MV\"" "$LOG"
check "the admin's IKE passes" ike_passes "$ADMIN" mv-admin
check "the gateway's own ping out of the macvlan works" gw_ping_out
check "... and its TCP" tcp_round_trip "$MV_ADDR" "$ADMIN" 7180
stop_term
check "SIGTERM: no XDP program left" no_xdp_left

# --- a deny-all on the lower device too --------------------------------------
{
	conf_head
	echo "config firewall local-in-policy"
	conf_admin_ike 1 "$MV"
	conf_policy_edit 2 "$MV" ALL deny
	conf_policy_edit 3 "$IF" ALL deny
	echo "end"
} >"$conf"
: >"$ERR"
: >"$LOG"
check_start "policies on the macvlan and a deny-all on its lower: starts" \
	"$conf" || {
	cat "$ERR"
	exit 1
}
check "XDP program on both" sh -c "ip -n $GW -d link show dev $IF | grep -q prog/xdp && ip -n $GW -d link show dev $MV | grep -q prog/xdp"
check "the lower's own address stays enforced (ping dropped)" ping_dropped
a0=$(hits 1)
l0=$(hits 3)
check "the admin's IKE to the macvlan passes the lower's deny-all" \
	ike_passes "$ADMIN" low-admin
a1=$(hits 1)
l1=$(hits 3)
check "... one hit of the macvlan's policy ($a0 -> $a1)" \
	[ -n "$a1" -a "$a1" = "$((a0 + 1))" ]
check "... none of the lower's deny-all ($l0 -> $l1)" [ -n "$l1" -a "$l0" = "$l1" ]
check "the stranger's IKE is dropped" ike_dropped "$STRANGER" low-stranger
wait_until 30 stranger_logged
sleep 0.5
check "... one log line, srcintf the macvlan, none naming the lower" \
	[ "$(log_lines "srcip=$STRANGER .*srcintf=\"$MV\"")" = 1 -a \
	"$(log_lines "srcip=$STRANGER .*srcintf=\"$IF\"")" = 0 ]
check "the gateway's own ping out of the macvlan works" gw_ping_out
check "said: the macvlan's frames on the lower are judged on the macvlan" \
	grep -q "frames for $MV (ifindex [0-9]*, a macvlan of $IF) are judged on $MV" "$ERR"
check_status "status lists the macvlan as judged on its own" \
	"^macvlans judged on their own, not on their lower device: $MV (ifindex [0-9]*: on $IF)"
li_cmd status -j >"$tmp/status.json" 2>&1
check "status -j: the macvlan under macvlans_on_own, with its lower" \
	"$py" -c "import json,sys; s=json.load(open(sys.argv[1])); sys.exit(not any(m['name']==sys.argv[2] and m['lower']==sys.argv[3] and m['attached'] for m in s['macvlans_on_own']))" \
	"$tmp/status.json" "$MV" "$IF"
# A larger ruleset: a successor program takes over, with the macvlans'
# addresses (its own li_upper_mac, copied). The kernel replaces no
# program under an upper device that has one (EEXIST: the reload failed,
# "File exists"): ours comes off the macvlan for that moment.
{
	conf_head
	echo "config firewall local-in-policy"
	conf_admin_ike 1 "$MV"
	conf_policy_edit 2 "$MV" ALL deny
	conf_http_policies 3000 4 "$IF"
	conf_policy_edit 3004 "$IF" ALL deny
	echo "end"
} >"$conf"
check_takeover_reload "took over on 2 interfaces (without a gap but on the upper"
check "... ours off the macvlan for the moment the lower's took (the kernel replaces nothing under an upper with a program), said" \
	grep -q "localin's program was off $MV, an upper device of $IF, for the moment a larger program's takeover took$" "$ERR"
check "... and back on it" xdp_on "$MV"
check "after the takeover, the admin's IKE to the macvlan still passes the lower's deny-all" \
	ike_passes "$ADMIN" taken-admin
check "... and the stranger's is dropped" ike_dropped "$STRANGER" taken-stranger
# Another MAC while running: the lower's program follows it.
ip -n "$GW" link set dev "$MV" address 02:71:04:00:00:01
ip -n "$PEER" neigh flush to "$MV_ADDR"
check "the macvlan given another MAC: the admin's IKE still passes the lower's deny-all" \
	ike_passes "$ADMIN" newmac-admin
stop_term
check "SIGTERM: no XDP program left" no_xdp_left

# --- a deny-all on the lower alone: the macvlan is no policy's -----------------
{
	conf_head
	echo "config firewall local-in-policy"
	conf_policy_edit 1 "$IF" ALL deny
	echo "end"
} >"$conf"
: >"$ERR"
check_start "a deny-all on the lower alone: starts" "$conf" || {
	cat "$ERR"
	exit 1
}
check "the lower's own address is enforced (ping dropped)" ping_dropped
check "the stranger's IKE to the macvlan, which no policy names, passes" \
	ike_passes "$STRANGER" lone-stranger
check "... said: judged on the macvlan, which no policy names" \
	grep -q "frames for $MV (ifindex [0-9]*, a macvlan of $IF) are judged on $MV, .*, which no policy names: they pass" "$ERR"
check_status "... and in status, not attached" \
	"^macvlans judged on their own, not on their lower device: $MV (ifindex [0-9]*: on $IF, not attached: unjudged)"
stop_term
check "SIGTERM: no XDP program left" no_xdp_left

# --- `any`, a macvlan made while running -------------------------------------
ike_server_stop
ip -n "$GW" link del "$MV"
{
	conf_head
	echo "config firewall local-in-policy"
	conf_admin_ike 1 any
	conf_policy_edit 2 any ALL deny
	echo "end"
} >"$conf"
: >"$ERR"
: >"$LOG"
check_start "\`any\`, no macvlan yet: starts" "$conf" || {
	cat "$ERR"
	exit 1
}
stream_start
add_macvlan
check "a macvlan made while running gets the program" wait_until 10 xdp_on "$MV"
check "... the lower keeps its own" xdp_on "$IF"
stream_stop
check "... the lower's deny-all held all the while ($got of $sent through)" \
	[ "${got:-x}" = 0 -a "${sent:-0}" -gt 0 ]
ike_server
# The peer's neighbour entry holds the old macvlan's MAC: a frame to it
# came to the lower's program, judged there, then dropped by the kernel.
ip -n "$PEER" neigh flush to "$MV_ADDR"
a0=$(hits 1)
check "the admin's IKE to the new macvlan passes" ike_passes "$ADMIN" any-admin
a1=$(hits 1)
check "... one hit for one datagram, not the lower's and the macvlan's ($a0 -> $a1)" \
	[ -n "$a1" -a "$a1" = "$((a0 + 1))" ]
check "the stranger's IKE is dropped" ike_dropped "$STRANGER" any-stranger
wait_until 30 stranger_logged
sleep 0.5
check "... one log line, srcintf the macvlan" \
	[ "$(log_lines "srcip=$STRANGER")" = 1 -a \
	"$(log_lines "srcip=$STRANGER .*srcintf=\"$MV\"")" = 1 ]
li_cmd diagnose sys session clear >/dev/null 2>&1
check "the gateway's own ping out of the macvlan works" gw_ping_out
org=$(li_cmd diagnose sys session list 2>/dev/null |
	grep -B3 "hook=out dir=org act=noop $MV_ADDR:" |
	sed -n 's/.*org=\([0-9]*\)\/\([0-9]*\)\/.*/\1\/\2/p' | head -n 1)
check "... its session counted the request once, on the macvlan's egress, not again on the lower's (${org:-none} bytes/packets)" \
	[ "${org:-x}" = 84/1 ]
: >"$ERR"
stop_term
check "SIGTERM: no XDP program left" no_xdp_left
check "... no detach failed" sh -c "! grep -q 'cannot detach\|still runs' $ERR"
[ "$fails" -eq 0 ]
