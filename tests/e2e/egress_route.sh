#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: the gateway's own connections that leave by an interface no
# policy names, and whose replies come back on one a deny-all polices
# (asymmetric routing: wan1's address as the source, routed out of wan2).
#
#  - the session program is on every interface of the namespace that
#    carries Ethernet frames, not only on those the XDP program is on:
#    one filter of ours on wan2 egress, no XDP program there; the reply to
#    the gateway's UDP datagram and TCP connection, sent out of wan2 from
#    wan1's address, passes wan1's deny-all; the peer's own ping to wan1
#    is still dropped;
#  - an interface that appears later gets the filter; loopback never does;
#  - a reload that drops the policy's interface leaves it the filter alone
#    (no XDP program), and one that names wan2 attaches XDP there, still
#    one filter;
#  - SIGTERM removes every filter of ours; kill -9 leaves them, and a
#    restart puts its own program in their place, one each;
#  - someone else's filter in our place on wan2: the XDP program on wan1
#    enforces, status names wan2 with the cause, one daemon message, and
#    the retry attaches ours once it goes;
#  - ours taken off (wan2's clsact qdisc deleted, wan1's filter deleted):
#    put back within seconds, and the daemon says so.
#
#	sh tests/e2e/egress_route.sh BIN
#
# The harness of tests/e2e/lib.sh; the lab: $IF (wan1, $GW_ADDR) and $IF2
# (wan2, 198.51.100.1) in the gateway's namespace, both to the peer's,
# which has the remote address $FAR on its loopback; the gateway routes
# $FAR out of wan2, the peer answers $GW_ADDR by wan1.
set -u
bin=$(realpath "$1")
SUITE=e2e/egress_route
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping tc
find_python
private_bpffs "$@"
setup_run egr localin-egr
IF2=$(link_name egr2)
IF3=$(link_name egr3)
FAR=203.0.113.9

write_conf() { # file [interface [N]]: everything on it ($IF) denied
	{
		cat <<EOF
config system global
    set hostname "egr-gw"
end
config firewall local-in-policy
EOF
		conf_policy_edit 1 "${2:-$IF}" ALL deny
		# N more (accepting HTTP, after the deny-all): more than the
		# 2048 the default maps hold makes a successor take over.
		conf_http_policies "${3:-0}" 2 "${2:-$IF}"
		echo "end"
	} >"$1"
}

filters_on() { # interface: lines of ours on its egress (either program)
	in_gw tc filter show dev "$1" egress 2>/dev/null |
		grep -c 'localin_egress\|localin_eg_only'
}
runs() { # interface program: ours on it is that one
	in_gw tc filter show dev "$1" egress 2>/dev/null | grep -q "$2"
}
one_on() { [ "$(filters_on "$1")" = 1 ]; }
none_on() { [ "$(filters_on "$1")" = 0 ]; }
prog_on() { # interface: the id of the program our filter runs
	in_gw tc filter show dev "$1" egress |
		sed -n 's/.*localin_eg.* id \([0-9]*\).*/\1/p' | head -n 1
}

# The peer echoes one UDP datagram on $FAR:5001; the gateway sends one
# from $GW_ADDR:40001 (out of wan2) and waits for the echo (on wan1).
# Or from SRC to DST.
udp_exchange() { udp_round_trip "${1:-$GW_ADDR}" "${2:-$FAR}"; }
# A TCP connection from $GW_ADDR to $FAR:5002 and one round trip on it.
tcp_exchange() { tcp_round_trip "$GW_ADDR" "$FAR" 5002; }

make_lab
add_veth "$IF2" peer1 198.51.100.1 198.51.100.2 ||
	skip "cannot build the second pair"
# The asymmetric route: $FAR out of wan2; the answer to $GW_ADDR by wan1.
# Reverse-path filters off on both sides (they would drop it by design).
ip -n "$PEER" addr add "$FAR/32" dev lo &&
	ip -n "$PEER" link set lo up &&
	ip -n "$GW" route add "$FAR/32" via 198.51.100.2 dev "$IF2" &&
	for ns in "$GW" "$PEER"; do
		# shellcheck disable=SC2016 # the namespace's shell globs
		ip netns exec "$ns" sh -c \
			'for c in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 >$c; done' ||
			exit 1
	done || skip "cannot set up the asymmetric route"
warm_up udp_exchange
conf=$tmp/localin.conf
write_conf "$conf"

check "without localin: the asymmetric UDP exchange works" udp_exchange
check "... and the TCP one" tcp_exchange

check_start "localin run starts (deny-all on $IF)" "$conf" || {
	cat "$ERR"
	exit 1
}
check "enforcing on $IF: the peer's ping is dropped" ping_dropped
check "XDP program on $IF" xdp_on "$IF"
check "... none on $IF2 (no policy names it)" sh -c "! ip -n $GW -d link show dev $IF2 | grep -q prog/xdp"
check "one filter of ours on $IF egress" one_on "$IF"
check "... the counting program" runs "$IF" localin_egress
check "one filter of ours on $IF2 egress" one_on "$IF2"
check "... the uncounting one (alone)" runs "$IF2" localin_eg_only
check "none on lo" none_on lo
check "the reply to the gateway's UDP datagram out of $IF2 passes $IF's deny-all" \
	udp_exchange
check "... and to its TCP connection" tcp_exchange
check "... still enforcing: the peer's ping is dropped" ping_dropped
check_status_lacks "status has no egress line" 'own connections meet'

# --- an interface that appears later ------------------------------------------
ip -n "$GW" link add "$IF3" type veth peer name peer3 netns "$PEER" &&
	ip -n "$GW" link set "$IF3" up
check "an interface that appears gets the filter" wait_until 50 one_on "$IF3"
: >"$ERR"
ip -n "$GW" link del "$IF3"
check "... gone again: no error about it" \
	wait_until 20 sh -c "! grep -qi 'cannot\|error' $ERR"

# --- reloads --------------------------------------------------------------------
write_conf "$conf" "$IF2"
li_cmd reload >"$tmp/reload.out" 2>&1
check "reload naming $IF2: XDP program there" wait_until 50 xdp_on "$IF2"
check "... one filter on $IF2, the counting program" \
	sh -c "nsenter --net=/run/netns/$GW tc filter show dev $IF2 egress | grep -c localin_egress | grep -qx 1"
check "... $IF keeps one filter, without the XDP program" \
	sh -c "[ \"\$(nsenter --net=/run/netns/$GW tc filter show dev $IF egress | grep -c localin_eg_only)\" = 1 ] && ! ip -n $GW -d link show dev $IF | grep -q prog/xdp"
write_conf "$conf"
li_cmd reload >"$tmp/reload.out" 2>&1
check "reload naming $IF again: the reply passes" udp_exchange
check "... $IF2 keeps one filter" one_on "$IF2"
check "... the uncounting one again" runs "$IF2" localin_eg_only

# --- a policed bridge above an unpoliced port: counted once --------------------
# The gateway's packet leaves by the bridge (its program counts it), then
# by the port (alone: it must not count it again; the counts are the
# traffic log's sentbyte/rcvdbyte).
BR=$(link_name egrb)
IF4=$(link_name egr4)
ip -n "$GW" link add "$BR" type bridge stp_state 0 &&
	ip link add "$IF4" netns "$GW" type veth peer name peer4 netns "$PEER" &&
	ip -n "$GW" link set "$IF4" master "$BR" &&
	ip -n "$GW" addr add 100.64.0.1/24 dev "$BR" &&
	ip -n "$PEER" addr add 100.64.0.2/24 dev peer4 &&
	ip -n "$GW" link set "$BR" up && ip -n "$GW" link set "$IF4" up &&
	ip -n "$PEER" link set peer4 up ||
	fail "cannot build the bridge"
warm_up udp_exchange 100.64.0.1 100.64.0.2
write_conf "$conf" "$BR"
li_cmd reload >"$tmp/reload.out" 2>&1
check "reload naming the bridge: XDP program on it" wait_until 50 xdp_on "$BR"
check "... its port runs the uncounting program" runs "$IF4" localin_eg_only
li_cmd diagnose sys session clear >/dev/null 2>&1
check "the reply to the gateway's datagram by the bridge passes" \
	udp_exchange 100.64.0.1 100.64.0.2
org=$(li_cmd diagnose sys session list 2>/dev/null |
	grep -B6 "hook=out dir=org act=noop 100.64.0.1:40001->100.64.0.2:5001(" |
	sed -n 's/.*org=[0-9]*\/\([0-9]*\)\/.*/\1/p' | head -n 1)
check "... its session counted the datagram once, not by bridge and port (${org:-none})" \
	[ "${org:-0}" = 1 ]
write_conf "$conf"
li_cmd reload >"$tmp/reload.out" 2>&1
check "reload naming $IF again: the bridge keeps one filter, alone" \
	wait_until 50 runs "$BR" localin_eg_only

# --- a reload larger than the maps: a successor program takes over ------------
p1=$(prog_on "$IF2")
write_conf "$conf" "$IF" 3000
check_takeover_reload "took over on 1 interface without a gap"
p2=$(prog_on "$IF2")
check "... one filter on $IF2, the successor's ($p1 -> $p2)" \
	[ "$(filters_on "$IF2")" = 1 -a -n "$p2" -a "$p2" != "${p1:-x}" ]
check "... the reply passes" udp_exchange
check "... still enforcing" ping_dropped
write_conf "$conf"

# --- stop, crash, restart -------------------------------------------------------
stop_term
check "SIGTERM: no filter of ours on $IF" none_on "$IF"
check "... nor on $IF2" none_on "$IF2"
check_start "a fresh start" "$conf"
p1=$(prog_on "$IF2")
kill -9 "$(daemon_pid)"
sleep 0.2
check "kill -9: the filter on $IF2 stays" one_on "$IF2"
check_start "a restart" "$conf"
p2=$(prog_on "$IF2")
check "... exactly one filter on $IF2" one_on "$IF2"
check "... running the new daemon's program ($p1 -> $p2)" \
	[ -n "$p2" -a "$p2" != "$p1" ]
check "... the reply passes" udp_exchange
stop_term
check "SIGTERM: none left on $IF2" none_on "$IF2"

# --- someone else's filter in our place on $IF2 ----------------------------------
in_gw tc filter add dev "$IF2" egress protocol all prio 19529 u32 \
	match u32 0 0 || fail "cannot put a filter in our place"
: >"$ERR"
check_start "a start with someone else's filter in our place on $IF2" "$conf"
check "... enforcing on $IF" ping_dropped
check_status "status names $IF2 on the egress line, with the cause" \
	"^replies to the gateway's own connections meet the policies on: $IF2 (ifindex [0-9]*: Device or resource busy)"
check_reload "reload exits 0"
sleep 2
n=$(grep -c "cannot attach the session program to $IF2's egress" "$ERR")
check "one daemon message for the cause ($n)" [ "$n" = 1 ]
in_gw tc filter del dev "$IF2" egress prio 19529
check "theirs gone: ours attached by the retry" wait_until 150 one_on "$IF2"
check "... the reply passes" udp_exchange

# --- someone takes ours off (no event says so) ------------------------------------
: >"$ERR"
in_gw tc qdisc del dev "$IF2" clsact
in_gw tc filter del dev "$IF" egress prio 19529
check "clsact deleted on $IF2, our filter on $IF: both put back" \
	wait_until 100 sh -c "[ \"\$(nsenter --net=/run/netns/$GW tc filter show dev $IF2 egress | grep -c localin_eg_only)\" = 1 ] && [ \"\$(nsenter --net=/run/netns/$GW tc filter show dev $IF egress | grep -c localin_egress)\" = 1 ]"
check "... the daemon says so for each" \
	wait_until 20 sh -c "grep -q 'no longer on $IF2.s egress' $ERR && grep -q 'no longer on $IF.s egress' $ERR"
li_cmd diagnose sys session clear >/dev/null 2>&1
check "... a new exchange's reply passes" udp_exchange
li_cmd stop >/dev/null 2>&1
check "localin stop: the daemon exits" wait_until 100 gone "$(daemon_pid)"
check "... no filter of ours left on $IF2" none_on "$IF2"
[ "$fails" -eq 0 ]
