#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: stacked devices. A packet for the gateway is judged once, by
# the policies of the L3 interface the kernel delivers it to (a VLAN
# device, a bridge), with that interface's name in the log, counted once.
#
#  - tagged frames on $IF (the tag in the frame's data, as a trunk port
#    delivers it): one for VLAN 100 is not $IF's (the kernel gives it to
#    a VLAN device, or drops it): a deny-all on $IF neither counts nor
#    logs it; a priority tag (VLAN 0), which the kernel strips and
#    delivers to $IF, is $IF's: dropped by its deny-all, also behind
#    three of them (more than the parser reads: they passed);
#  - a VLAN device over $IF (when the kernel has 802.1Q): without localin
#    the admin's ping and TCP over it work; with a deny-all on $IF and the
#    admin accepted on the VLAN device, they still do, counted once,
#    logged with the VLAN device as srcintf;
#  - a bridge made before its port, `any`: localin starts (the kernel
#    refuses a program on a port whose bridge has one, and the port came
#    later in the dump: the start failed), the port gets no XDP program
#    (status and one message say why), a ping to the bridge is one hit,
#    its session counts it once, a denied datagram is one log line whose
#    srcintf is the bridge; a port enslaved while running loses the
#    program it had (ours off the bridge for the moment the kernel takes
#    it off, said); SIGTERM takes every program off;
#  - policies naming a bridge made before its port, and the port: localin
#    starts with both attached (ours off the bridge for the moment the
#    port's attach takes, said).
#
#	sh tests/e2e/stacked.sh BIN
set -u
bin=$(realpath "$1")
SUITE=e2e/stacked
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping
find_python
private_bpffs "$@"
setup_run stk localin-stk
VL=$(link_name stkv)
BR=$(link_name stkb)
P1=$(link_name stk1)
P2=$(link_name stk2)
here=$(cd "$(dirname "$0")" && pwd)

tagged_ping() { # vid[,vid...]: an echo request in a tagged frame, replied?
	ip netns exec "$PEER" "$py" "$here/tagged_ping.py" peer0 "$gw_mac" \
		"$PEER_ADDR" "$GW_ADDR" "$1"
}
not_tagged_ping() { ! tagged_ping "$1"; }
tcp_to() { # address port: a TCP connection from the peer, one round trip
	in_gw "$py" -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("'"$1"'", '"$2"'))
s.listen(1)
s.settimeout(4)
c, a = s.accept()
c.settimeout(4)
c.sendall(c.recv(100))' &
	srv=$!
	sleep 0.3
	ip netns exec "$PEER" "$py" -c '
import socket
s = socket.create_connection(("'"$1"'", '"$2"'), timeout=3)
s.sendall(b"hello")
assert s.recv(100) == b"hello"'
	rc=$?
	wait "$srv" 2>/dev/null
	return $rc
}
udp_to() { # address: one datagram from the peer to port 7777
	ip netns exec "$PEER" "$py" -c '
import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("'"$1"'", 7777))'
}
conf_head() {
	cat <<EOF
config log setting
    set local-in-deny-unicast enable
end
config firewall service custom
    edit "ADMIN-TCP"
        set tcp-portrange 2222
    next
end
EOF
}

make_lab
gw_mac=$(ip -n "$GW" link show dev "$IF" 2>/dev/null | awk '/link\/ether/ { print $2 }')
vlan=1
ip -n "$GW" link add link "$IF" name "$VL" type vlan id 100 2>/dev/null &&
	ip -n "$PEER" link add link peer0 name peer0.100 type vlan id 100 &&
	ip -n "$GW" addr add 10.100.0.1/24 dev "$VL" &&
	ip -n "$PEER" addr add 10.100.0.2/24 dev peer0.100 &&
	ip -n "$GW" link set "$VL" up && ip -n "$PEER" link set peer0.100 up ||
	vlan=0
[ $vlan = 1 ] || note_skip "VLAN devices: this kernel has no 802.1Q (ip link add ... type vlan fails); tagged frames only"

check "without localin: a priority-tagged ping (VLAN 0) is answered by $IF" \
	tagged_ping 0
check "... and one behind three priority tags (the kernel strips them all)" \
	tagged_ping 0,0,0
[ $vlan = 1 ] ||
	check "... one tagged for VLAN 100 is not (no such VLAN here)" \
		not_tagged_ping 100
if [ $vlan = 1 ]; then
	warm_up ping_from_peer 10.100.0.1
	check "without localin: the admin's ping over $VL works" \
		ping_from_peer 10.100.0.1
	check "... and TCP" tcp_to 10.100.0.1 2222
fi

conf=$tmp/localin.conf
{
	conf_head
	echo "config firewall local-in-policy"
	conf_policy_edit 1 "$VL" PING accept
	conf_policy_edit 2 "$VL" ADMIN-TCP accept
	conf_policy_edit 3 "$IF" ALL deny
	echo "end"
} >"$conf"
check_start "localin run starts (deny-all on $IF, the admin on $VL)" \
	"$conf" || {
	cat "$ERR"
	exit 1
}
check "enforcing on $IF: the peer's ping is dropped" ping_dropped
check "a priority-tagged ping is $IF's: dropped by its deny-all" \
	not_tagged_ping 0
check "... behind three priority tags too (more than the parser reads)" \
	not_tagged_ping 0,0,0
sleep 0.5
h0=$(hits 3)
n0=$(log_lines "srcintf=\"$IF\"")
tagged_ping 100 >/dev/null 2>&1
tagged_ping 0,100 >/dev/null 2>&1
sleep 0.5
h1=$(hits 3)
n1=$(log_lines "srcintf=\"$IF\"")
check "frames tagged for VLAN 100 are not $IF's: no hit of its deny-all ($h0 -> $h1)" \
	[ -n "$h1" -a "$h0" = "$h1" ]
check "... and no log line naming $IF ($n0 -> $n1)" [ "$n0" = "$n1" ]
if [ $vlan = 1 ]; then
	a0=$(hits 1)
	check "the admin's ping over $VL passes $IF's deny-all" \
		ping_from_peer 10.100.0.1
	a1=$(hits 1)
	check "... one hit of $VL's policy for one ping ($a0 -> $a1)" \
		[ "$a1" = "$((a0 + 1))" ]
	check "... and the admin's TCP" tcp_to 10.100.0.1 2222
	udp_to 10.100.0.1
	check "a denied datagram on $VL is logged with srcintf $VL" \
		wait_until 30 grep -q "srcintf=\"$VL\"" "$LOG"
fi
kill -TERM "$(daemon_pid)"
wait_until 100 gone "$(daemon_pid)"
check "SIGTERM: no XDP program left" no_xdp_left

# --- a bridge made before its port, `any` ---------------------------------------
ip -n "$GW" link add "$BR" type bridge stp_state 0 &&
	ip link add "$P1" netns "$GW" type veth peer name peer1 netns "$PEER" &&
	ip -n "$GW" link set "$P1" master "$BR" &&
	ip -n "$GW" addr add 100.64.0.1/24 dev "$BR" &&
	ip -n "$PEER" addr add 100.64.0.2/24 dev peer1 &&
	ip -n "$GW" link set "$BR" up && ip -n "$GW" link set "$P1" up &&
	ip -n "$PEER" link set peer1 up || fail "cannot build the bridge"
warm_up ping_from_peer 100.64.0.1
check "without localin: a ping to the bridge works" \
	ping_from_peer 100.64.0.1
{
	conf_head
	echo "config firewall local-in-policy"
	conf_policy_edit 1 any PING accept
	conf_policy_edit 2 any ALL deny
	echo "end"
} >"$conf"
: >"$ERR"
check_start "\`any\` with a bridge made before its port: localin starts" \
	"$conf" || {
	cat "$ERR"
	exit 1
}
check "XDP program on the bridge" xdp_on "$BR"
check "... none on its port" sh -c "! ip -n $GW -d link show dev $P1 2>/dev/null | grep -q prog/xdp"
check "... one daemon message says why" \
	[ "$(grep -c "not attaching to $P1 .* a port of bridge $BR" "$ERR")" = 1 ]
li_cmd status >"$tmp/status.out" 2>&1
check "status lists the port as judged on its bridge" \
	grep -q "^ports judged on their bridge or bond (\`any\`): $P1 (ifindex [0-9]*: a port of $BR)" \
	"$tmp/status.out"
li_cmd status -j >"$tmp/status.json" 2>&1
check "status -j: the port under ports_on_master, with its bridge" \
	"$py" -c "import json,sys; s=json.load(open(sys.argv[1])); sys.exit(not any(p['name']==sys.argv[2] and p['master']==sys.argv[3] for p in s['ports_on_master']) or s['interfaces_not_attached'] != [])" \
	"$tmp/status.json" "$P1" "$BR"
li_cmd diagnose sys session clear >/dev/null 2>&1
a0=$(hits 1)
check "a ping to the bridge passes" ping_from_peer 100.64.0.1
a1=$(hits 1)
check "... one hit for one ping, not the port's and the bridge's ($a0 -> $a1)" \
	[ "$a1" = "$((a0 + 1))" ]
org=$(li_cmd diagnose sys session list 2>/dev/null |
	grep -B3 "hook=pre dir=org act=noop 100.64.0.2:" |
	sed -n 's/.*org=\([0-9]*\)\/\([0-9]*\)\/.*/\1\/\2/p' | head -n 1)
check "... its session counted it once (${org:-none} bytes/packets)" \
	[ "${org:-x}" = 84/1 ]
udp_to 100.64.0.1
check "a denied datagram to the bridge: one log line" \
	wait_until 30 grep -q "srcip=100.64.0.2" "$LOG"
sleep 0.5
check "... whose srcintf is the bridge, none naming the port" \
	[ "$(log_lines "srcip=100.64.0.2.*srcintf=\"$BR\"")" = 1 -a \
	"$(log_lines "srcintf=\"$P1\"")" = 0 ]

# A port enslaved while running had the program, which the kernel will
# not take off while the bridge has one: ours comes off the bridge for
# the moment the port's detach takes, said; the port is then judged on
# the bridge alone, as `any` leaves ports.
ip link add "$P2" netns "$GW" type veth peer name peer2 netns "$PEER" &&
	ip -n "$GW" link set "$P2" up
check "an interface that appears gets the program" wait_until 100 xdp_on "$P2"
: >"$ERR"
ip -n "$GW" link set "$P2" master "$BR"
check "... enslaved to the bridge: its program comes off, said" \
	wait_until 50 grep -q "localin's program was off $BR, an upper device of $P2, for the moment $P2's detach took" "$ERR"
check "... none left on it" wait_until 30 sh -c "! ip -n $GW -d link show dev $P2 | grep -q prog/xdp"
check "... the bridge's is back" xdp_on "$BR"
check "... no detach refused" sh -c "! grep -q 'cannot detach from $P2' $ERR"
li_cmd status >"$tmp/status.out" 2>&1
check "... and listed as judged on its bridge" \
	grep -q "^ports judged on their bridge or bond (\`any\`):.* $P2 (ifindex" "$tmp/status.out"
: >"$ERR"
kill -TERM "$(daemon_pid)"
wait_until 100 gone "$(daemon_pid)"
check "SIGTERM: no XDP program left, the ports' included" no_xdp_left
check "... no detach failed" sh -c "! grep -q 'cannot detach\|still runs' $ERR"

# Policies naming the bridge and its port (the bridge, made first, comes
# first in the dump): the kernel refuses the port's program while the
# bridge has one (EEXIST), and the start failed, nothing enforced. Ours
# comes off the bridge for the moment the port's attach takes, said.
{
	conf_head
	echo "config firewall local-in-policy"
	conf_policy_edit 1 "$BR" PING accept
	conf_policy_edit 2 "$P1" SSH deny
	echo "end"
} >"$conf"
: >"$ERR"
check_start "policies on a bridge and on its port: localin starts" \
	"$conf" || cat "$ERR"
check "XDP program on the bridge and on the port" \
	sh -c "ip -n $GW -d link show dev $BR | grep -q prog/xdp && ip -n $GW -d link show dev $P1 | grep -q prog/xdp"
check "... said: off the bridge for the moment the port's attach took" \
	grep -q "localin's program was off $BR, an upper device of $P1, for the moment $P1's attach took" "$ERR"
check "... a ping to the bridge passes" ping_from_peer 100.64.0.1
: >"$ERR"
kill -TERM "$(daemon_pid)"
wait_until 100 gone "$(daemon_pid)"
check "SIGTERM: no XDP program left" no_xdp_left
[ "$fails" -eq 0 ]
