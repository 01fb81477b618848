#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end, IPv6: a dual-stack gateway (it forwards) runs `localin run`
# under a hardening local-in-policy6 (1 accepts SSH from the management
# address, 2 denies ALL from all). Three namespaces:
#
#   gw    $IF 2001:db8:1::1/64 (and 192.0.2.1): localin; a UDP service
#         and an "SSH" server of its own on [::]
#   net   peer0 2001:db8:1::2 and ::10 (the management address), a router
#         to far over a link of MTU 1280 (peer0 a host's interface: a
#         router's own would take the subnet's anycast); a UDP responder
#   far   f0 2001:db8:2::2 (MTU 1280): a UDP responder
#
# Control: every check runs first without localin: the gateway's clients
# are answered, the router's "packet too big" about the gateway's
# fragmented datagram teaches its kernel the path MTU, and every inbound
# probe is answered, also at the subnet-router anycast 2001:db8:1::, which
# Linux answers as its own on a forwarding interface, and at an address
# added later. Then under localin:
#  - neighbour discovery, ping6 out, a UDP exchange out, and the path MTU
#    learnt from "packet too big" quoting the datagram's first fragment,
#    and quoting a datagram with a destination options header;
#  - inbound UDP, SSH and ping6 from net get no answer, at the address, at
#    the anycast and at an address added while localin runs, ping6 none
#    at the gateway's link-local address either; the
#    management address still reaches SSH;
#  - the drops are logged as local-in-policy6 with IPv6 addresses, and
#    `diagnose sys session6 list` shows the gateway's exchange.
#
#	sh tests/e2e/ipv6.sh BIN
set -u
bin=$(realpath "$1")
SUITE=e2e/ipv6
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping flock
find_python
private_bpffs "$@"
setup_run v6 localin-v6

NET=$PEER
FAR=$(run_name v6-far)
GW6=2001:db8:1::1
NET6=2001:db8:1::2
MGMT6=2001:db8:1::10
ANY6=2001:db8:1:: # the subnet-router anycast of $GW6/64
LATE6=2001:db8:1::99
RTR6=2001:db8:2::1
FAR6=2001:db8:2::2
PROBE="$(cd "$(dirname "$0")" && pwd)/ipv6_probe.py"

cleanup_more() { ip netns del "$FAR" 2>/dev/null; }

# --- the lab ------------------------------------------------------------------
ns_setup() { # ns forwarding
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.forwarding="$2" &&
		ip -n "$1" link set lo up
}
build_lab() {
	add_namespaces && ip netns add "$FAR" &&
		ns_setup "$GW" 1 && ns_setup "$NET" 1 && ns_setup "$FAR" 0 &&
		ip link add "$IF" netns "$GW" type veth peer name peer0 netns "$NET" &&
		ip link add n1 netns "$NET" mtu 1280 type veth peer name f0 \
			netns "$FAR" mtu 1280 &&
		ip -n "$GW" addr add "$GW6/64" dev "$IF" nodad &&
		ip -n "$GW" addr add "$GW_ADDR/24" dev "$IF" &&
		ip -n "$NET" addr add "$NET6/64" dev peer0 nodad &&
		ip -n "$NET" addr add "$MGMT6/64" dev peer0 nodad &&
		ip -n "$NET" addr add "$RTR6/64" dev n1 nodad &&
		ip -n "$FAR" addr add "$FAR6/64" dev f0 nodad &&
		ip -n "$GW" link set "$IF" up && ip -n "$NET" link set peer0 up &&
		ip netns exec "$NET" sysctl -qw \
			net.ipv6.conf.peer0.forwarding=0 &&
		ip -n "$NET" link set n1 up && ip -n "$FAR" link set f0 up &&
		ip -n "$GW" -6 route add 2001:db8:2::/64 via "$NET6" &&
		ip -n "$FAR" -6 route add default via "$RTR6"
}

write_conf() { # file
	cat >"$1" <<EOF2
$(conf_interface "$GW6/64")
config log setting
    set local-in-deny-unicast enable
end
config firewall address6
    edit "mgmt6"
        set ip6 $MGMT6/128
    next
end
config firewall local-in-policy6
$(conf_policy_edit 1 "$IF" SSH accept mgmt6)
$(conf_policy_edit 2 "$IF" ALL deny)
end
EOF2
}

# --- the checks -----------------------------------------------------------------
ping_loss() { # ns dst: "N% packet loss"
	in_ns "$1" ping -6 -n -q -c 3 -i 0.3 -W 2 "$2" 2>&1 |
		sed -n 's/.* \([0-9]*% packet loss\).*/\1/p'
}
pmtu() { in_gw ip -6 route get "$FAR6" | sed -n 's/.* mtu \([0-9]*\).*/\1/p'; }

# The gateway's own clients, and the path MTU its kernel learns.
outbound() { # phase
	ip -n "$GW" neigh flush dev "$IF"
	ip -n "$NET" neigh flush dev peer0
	out=$(ping_loss "$GW" "$NET6")
	if [ "$out" = "0% packet loss" ]; then
		pass "$1: neighbour discovery, and the gateway pings $NET6: $out"
	else
		fail "$1: the gateway pings $NET6: ${out:-no output}"
	fi
	expect "$1" "the gateway's UDP exchange with $NET6" answer "$GW" \
		udp "$NET6" 7777
	in_gw ip -6 route flush cache
	# 3000 bytes leave in fragments of 1500 that the router cannot pass:
	# its "packet too big" quotes the first; the datagram itself is lost.
	probe "$GW" udp "$FAR6" 7777 3000 1 >/dev/null
	m=$(pmtu)
	if [ "$m" = 1280 ]; then
		pass "$1: \"packet too big\" about the gateway's first fragment: path MTU $m"
	else
		fail "$1: \"packet too big\" about the gateway's first fragment: path MTU ${m:-not learnt}"
	fi
	expect "$1" "then 3000 bytes to $FAR6, in fragments of 1280" answer \
		"$GW" udp "$FAR6" 7777 3000
	# 1400 bytes whole, behind a destination options header: the
	# router's "packet too big" quotes that header before UDP.
	in_gw ip -6 route flush cache
	probe "$GW" udp-dstopt "$FAR6" 7777 1400 1 >/dev/null
	m=$(pmtu)
	if [ "$m" = 1280 ]; then
		pass "$1: \"packet too big\" about a datagram with destination options: path MTU $m"
	else
		fail "$1: \"packet too big\" about a datagram with destination options: path MTU ${m:-not learnt}"
	fi
}

# The gateway's services, from net.
inbound() { # phase want(answer|none)
	expect "$1" "UDP from $NET6 to [$GW6]:5000" "$2" "$NET" udp "$GW6" 5000
	expect "$1" "UDP from $NET6 to the subnet-router anycast [$ANY6]:5000" \
		"$2" "$NET" udp "$ANY6" 5000
	expect "$1" "SSH from $NET6" "$2" "$NET" tcp "$GW6" 22 2 "$NET6"
	out=$(ping_loss "$NET" "$GW6")
	if { [ "$2" = answer ] && [ "$out" = "0% packet loss" ]; } ||
		{ [ "$2" = none ] && [ "$out" = "100% packet loss" ]; }; then
		pass "$1: ping6 from $NET6 to $GW6 ($2): $out"
	else
		fail "$1: ping6 from $NET6 to $GW6: want $2, got ${out:-no output}"
	fi
	expect "$1" "SSH from the management address $MGMT6" answer "$NET" \
		tcp "$GW6" 22 2 "$MGMT6"
	# The gateway's link-local address: in no config, the daemon takes
	# it from the kernel with the rest and judges what is sent to it
	# (replay needs --link-local for the same verdicts).
	ll=$(ip -n "$GW" -6 addr show dev "$IF" scope link |
		sed -n 's/.*inet6 \(fe80[^/]*\).*/\1/p')
	out=$(ping_loss "$NET" "$ll%peer0")
	if { [ "$2" = answer ] && [ "$out" = "0% packet loss" ]; } ||
		{ [ "$2" = none ] && [ "$out" = "100% packet loss" ]; }; then
		pass "$1: ping6 from peer0 to the gateway's link-local $ll ($2): $out"
	else
		fail "$1: ping6 from peer0 to the gateway's link-local ${ll:-(none)}: want $2, got ${out:-no output}"
	fi
}
# An address the gateway gets later (SLAAC, an admin): UDP to it.
v6_locals() { # the daemon's count of the gateway's IPv6 addresses
	li_cmd status 2>/dev/null |
		sed -n 's/^local addresses: .*, \([0-9]*\) IPv6$/\1/p'
}
late_known() { [ "$(v6_locals)" -gt "$n6" ]; }
late_addr() { # phase want
	[ "$2" = answer ] || n6=$(v6_locals)
	ip -n "$GW" addr add "$LATE6/64" dev "$IF" nodad
	if [ "$2" = none ] && ! wait_until 30 late_known; then
		fail "$1: the daemon did not see $LATE6 added (IPv6: $(v6_locals))"
	fi
	expect "$1" "UDP to [$LATE6]:5000, an address added later" "$2" \
		"$NET" udp "$LATE6" 5000
	ip -n "$GW" addr del "$LATE6/64" dev "$IF"
}

# --- without localin: the lab answers everything ------------------------------------
build_lab || skip "cannot build the namespaces"
spawn "$NET" "$py" "$PROBE" udp-serve "$NET6" 7777
spawn "$FAR" "$py" "$PROBE" udp-serve "$FAR6" 7777
spawn "$GW" "$py" "$PROBE" udp-serve :: 5000
spawn "$GW" "$py" "$PROBE" tcp-serve :: 22
warm_up in_ns "$GW" ping -6 -c 1 -W 1 "$FAR6"
wait_until 50 probe "$GW" udp "$NET6" 7777 ||
	skip "the UDP responder did not start: $(cat "$tmp/servers.out")"

ph="without localin (control)"
outbound "$ph"
inbound "$ph" answer
late_addr "$ph" answer

# --- under localin ------------------------------------------------------------------
conf=$tmp/localin.conf
write_conf "$conf"
check_start "localin run: local-in-policy6 denies ALL on $IF but SSH from $MGMT6" \
	"$conf" || exit 1
ph="under localin"
outbound "$ph"
inbound "$ph" none
late_addr "$ph" none
li_cmd diagnose sys session6 list >"$tmp/sessions.out" 2>&1
if grep -q "$NET6:7777" "$tmp/sessions.out"; then
	pass "$ph: diagnose sys session6 list shows the gateway's exchange with $NET6"
else
	fail "$ph: diagnose sys session6 list: $(head -n 5 "$tmp/sessions.out")"
fi
if grep 'action="deny"' "$LOG" | grep 'policytype="local-in-policy6"' |
	grep -q "srcip=$NET6 "; then
	pass "$ph: the drops are logged as local-in-policy6 from srcip=$NET6"
else
	fail "$ph: no local-in-policy6 deny line from $NET6 in the log: $(tail -n 2 "$LOG")"
fi
check "$ph: the daemon still runs" li_cmd status

if [ "$fails" -ne 0 ]; then
	echo "--- localin status"
	li_cmd status 2>&1
	echo "--- localin stderr"
	cat "$ERR"
fi
[ "$fails" -eq 0 ]
