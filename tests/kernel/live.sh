#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `localin run` on the kernel tests/kernel/run.sh boots (Debian 12's): the
# lab of tests/e2e (the gateway and a peer in network namespaces, a veth
# pair between them) and the daemon in the gateway with a deny-all
# local-in policy and one live SA. What a gateway must keep on that
# kernel: its own TCP out (a session) and the peer's ESP of the live SA;
# what it must drop: the peer's IKE, ESP with an SPI no SA has, a ping.
# Where the kernel has ESP, the SAs it holds (sa-source xfrm) are live
# SAs too, read at the start and from its events, and an xfrm interface
# (a route-based tunnel) is left unattached, and said. Where it takes
# libxdp's dispatcher, another tool's program runs beside localin's.
# The same checks as tests/e2e's, on the program as that kernel's
# verifier and attach paths (cls_bpf, no tcx) take it.
#
#	sh tests/kernel/live.sh BIN
#
# One PASS/FAIL line per check; SKIP without root or python3.
set -u
bin=$(realpath "$1")
SUITE=kernel/live
# shellcheck source=../e2e/lib.sh
. "$(dirname "$0")/../e2e/lib.sh"
need_root_and_tools python3 xdp-loader
find_python
private_bpffs "$@"
setup_run live localin-kernel-live
make_lab
SAFILE=$tmp/sas
MV=$(link_name mv) # a macvlan of $IF, made while running
# A forger beside the peer: an address that has no SA. (Not the peer's:
# a known peer's unknown SPIs pass unverified whenever the daemon's word
# is 3 s late, LI_SAS_STALE_NS, which a guest starved of CPU can be.)
FORGER=192.0.2.3
ip -n "$PEER" addr add "$FORGER/24" dev peer0

# Datagrams and ESP the gateway received: a socket per kind, counting.
count_rx() { # proto(udp|esp) file: in the background in $GW
	spawn "$GW" "$py" -c '
import socket, sys
if sys.argv[1] == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 500))
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 50)
n = 0
while True:
    d = s.recv(2000)
    if sys.argv[1] == "esp":
        d = d[(d[0] & 15) * 4:]
    n += 1
    with open(sys.argv[2], "a") as f:
        f.write(d[:4].hex() + "\n")
' "$1" "$2"
}
# From the peer's namespace: three IKE datagrams to port 500, or three
# ESP packets of SPI (hex); from the peer's address, or SRC.
send_from_peer() { # ike | esp SPI [SRC]
	in_ns "$PEER" "$py" -c '
import socket, struct, sys, time
for i in range(3):
    if sys.argv[1] == "ike":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((sys.argv[4], 0))
        s.sendto(bytes(8) + bytes([0x21, 0x20, 0x22, 8]) + bytes(16),
                 (sys.argv[3], 500))
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 50)
        s.bind((sys.argv[4], 0))
        s.sendto(struct.pack("!II", int(sys.argv[2], 16), i + 1) +
                 bytes(32), (sys.argv[3], 0))
    time.sleep(0.1)
' "$1" "${2:-0}" "$GW_ADDR" "${3:-$PEER_ADDR}"
}
# The id of localin's XDP program on $IF: the hook's, or the dispatcher's
# component's.
component_id() { xl_id "$IF" localin_xdp; }
got() { cat "$2" 2>/dev/null | grep -c "^$1"; } # prefix file: lines received
ike_dropped() { [ "$(got "" "$tmp/ike")" = 0 ] && [ "$(hits 1)" -ge 3 ]; }

# The kernel's own SAs (sa-source xfrm), where it has ESP (Debian's has;
# this project's VMs do not): one made before the start (the dump), one
# after it (the event).
KEYS="mode tunnel aead rfc4106(gcm(aes)) 0x000102030405060708090a0b0c0d0e0f10111213 128"
xfrm_add() { # spi
	# shellcheck disable=SC2086 # KEYS holds words, split on purpose
	in_gw ip xfrm state add src "$PEER_ADDR" dst "$GW_ADDR" proto esp \
		spi "$1" $KEYS
}
if xfrm_add 0x3001 2>"$tmp/xfrm.err"; then
	has_esp=1
else
	has_esp=
	note_skip "kernel SAs: cannot make an ESP SA here ($(head -n 1 "$tmp/xfrm.err"))"
fi

# Another tool's program on $IF before the start (xdp-filter, by
# xdp-loader): where the kernel takes libxdp's dispatcher both run, and
# stop leaves the other one; where it does not (6.18), a SKIP line.
OBJ=/usr/lib/$(gcc -print-multiarch 2>/dev/null)/bpf/xdpfilt_alw_all.o
FNAME=xdpfilt_alw_all
multi_prog() {
	[ -f "$OBJ" ] || { note_skip "multi-prog: no $OBJ (xdp-tools)"; return; }
	in_gw xdp-loader load -m skb "$IF" "$OBJ" >"$tmp/xl.out" 2>&1
	idf=$(xl_id "$IF" "$FNAME")
	if [ -z "$idf" ] || ! in_gw xdp-loader status "$IF" 2>/dev/null |
		grep -q xdp_dispatcher; then
		in_gw xdp-loader unload "$IF" --all >/dev/null 2>&1
		note_skip "multi-prog: libxdp's dispatcher does not load on Linux $(uname -r)"
		return
	fi
	check "multi-prog: $FNAME on $IF through libxdp's dispatcher (id $idf)" true
	check_start "multi-prog: the daemon starts beside it" "$conf" || return
	check "... both programs on $IF" \
		eval "[ -n \"\$(component_id)\" ] && [ \"\$(xl_id $IF $FNAME)\" = $idf ]"
	check "... localin's decides (a ping dropped)" ping_dropped
	c0=$(xdpfilter_counted "$idf")
	send_from_peer esp 00001000 # the live SA's: localin passes it
	c1=$(xdpfilter_counted "$idf")
	check "... $FNAME runs too (counted $c0, then $c1)" \
		[ "${c1:-0}" -ge $((${c0:-0} + 3)) ]
	last=$(daemon_pid)
	li_cmd stop >/dev/null 2>&1
	check "... localin stop: $FNAME alone stays on $IF (id $idf)" \
		eval "wait_until 100 gone $last && [ -z \"\$(component_id)\" ] && [ \"\$(xl_id $IF $FNAME)\" = $idf ]"
	check "... the peer's ping passes again" ping_ok
	in_gw xdp-loader unload "$IF" --all >/dev/null 2>&1
}

# A route-based tunnel: an xfrm interface ($XI, if_id 42) on the gateway,
# 10.9.0.2 on the peer's side (its SAs and policies of its own), with a
# deny-all policy on $XI. The kernel gives $XI's XDP hook the decrypted
# packet behind a copy of $IF's Ethernet header, which localin's IP-frame
# program read as the IP header: every packet "not for this host",
# passed, while status listed $XI as enforced. localin leaves $XI, and
# says so.
XI=$(link_name xi)
xfrmi_tunnel() {
	in_gw ip link add "$XI" type xfrm dev "$IF" if_id 42 || return 1
	in_gw ip addr add 10.9.0.1/24 dev "$XI"
	in_gw ip link set "$XI" up
	ip -n "$PEER" addr add 10.9.0.2/32 dev peer0
	ip -n "$PEER" route add 10.9.0.1/32 dev peer0 src 10.9.0.2
	for ns in "$GW" "$PEER"; do
		[ "$ns" = "$GW" ] && id="if_id 42" || id=
		# shellcheck disable=SC2086 # KEYS and id hold words
		ip -n "$ns" xfrm state add src "$PEER_ADDR" dst "$GW_ADDR" \
			proto esp spi 0x4001 $KEYS $id &&
			ip -n "$ns" xfrm state add src "$GW_ADDR" dst "$PEER_ADDR" \
				proto esp spi 0x4002 $KEYS $id || return 1
	done
	# shellcheck disable=SC2086
	in_gw ip xfrm policy add dir in src 10.9.0.0/24 dst 10.9.0.0/24 \
		tmpl src "$PEER_ADDR" dst "$GW_ADDR" proto esp mode tunnel if_id 42 &&
		in_gw ip xfrm policy add dir out src 10.9.0.0/24 dst 10.9.0.0/24 \
			tmpl src "$GW_ADDR" dst "$PEER_ADDR" proto esp mode tunnel if_id 42 &&
		ip -n "$PEER" xfrm policy add dir out src 10.9.0.2/32 dst 10.9.0.1/32 \
			tmpl src "$PEER_ADDR" dst "$GW_ADDR" proto esp mode tunnel &&
		ip -n "$PEER" xfrm policy add dir in src 10.9.0.1/32 dst 10.9.0.2/32 \
			tmpl src "$GW_ADDR" dst "$PEER_ADDR" proto esp mode tunnel
}
tunnel_ping() { ip netns exec "$PEER" ping -c 2 -W 3 -I 10.9.0.2 10.9.0.1 >/dev/null 2>&1; }
has_xfrmi=
if [ -n "$has_esp" ]; then
	if xfrmi_tunnel 2>"$tmp/xfrmi.err" && tunnel_ping; then
		has_xfrmi=1
	else
		note_skip "xfrm interface: no tunnel through one here ($(head -n 1 "$tmp/xfrmi.err"))"
	fi
fi

conf=$tmp/live.conf
{
	conf_interface
	conf_sa_manual | sed '$d'
	[ -n "$has_esp" ] && printf '    edit "kernel"\n        set type xfrm\n    next\n'
	echo end
	echo "config firewall local-in-policy"
	conf_policy_edit 1 "$IF" ALL deny
	conf_policy_edit 2 "$MV" ALL deny
	[ -n "$has_xfrmi" ] && conf_policy_edit 3 "$XI" ALL deny
	echo "end"
} >"$conf"
sa_write 1 0x1000

if check_start "the daemon starts on Linux $(uname -r)" "$conf"; then
	# libxdp puts its dispatcher in front where the kernel loads it
	# (6.1 does; 6.18 refuses it), ours alone otherwise.
	hook=$(ip -n "$GW" -d link show dev "$IF" 2>/dev/null |
		sed -n 's/.*prog\/xdp id [0-9]* name \([^ ]*\).*/\1/p' | head -n 1)
	check "its XDP program is attached to $IF (the hook runs ${hook:-nothing})" \
		xdp_on "$IF"
	check "its session egress filter is on $IF (cls_bpf)" \
		[ "$(egress_filters)" -ge 1 ]

	count_rx udp "$tmp/ike"
	count_rx esp "$tmp/esp"
	wait_until 30 udp_bound "$GW" 500
	sleep 0.5
	send_from_peer ike
	send_from_peer esp 00001000
	send_from_peer esp 0badc0de "$FORGER"
	sleep 1
	check "the peer's IKE: dropped by policy 1 ($(hits 1) hits)" ike_dropped
	check "ESP of the live SA 0x1000: passed ($(got 00001000 "$tmp/esp") of 3)" \
		[ "$(got 00001000 "$tmp/esp")" = 3 ]
	check "ESP of an SPI no SA has, from $FORGER: dropped" \
		[ "$(got 0badc0de "$tmp/esp")" = 0 ]
	if [ -n "$has_esp" ]; then
		check "the kernel's SA 0x3002, made after the start" \
			xfrm_add 0x3002
		sleep 1
		send_from_peer esp 00003001
		send_from_peer esp 00003002
		sleep 1
		check "ESP of the kernel's SA 0x3001 (read at the start): passed ($(got 00003001 "$tmp/esp") of 3)" \
			[ "$(got 00003001 "$tmp/esp")" = 3 ]
		check "ESP of the kernel's SA 0x3002 (its XFRM event): passed ($(got 00003002 "$tmp/esp") of 3)" \
			[ "$(got 00003002 "$tmp/esp")" = 3 ]
	fi
	check "a ping from the peer: dropped" ping_dropped
	check "the gateway's own TCP to the peer: its replies pass (a session)" \
		tcp_round_trip "$GW_ADDR" "$PEER_ADDR" 8080
	if [ -n "$has_xfrmi" ]; then
		check "the xfrm interface $XI: not attached, said" \
			grep -q "not attaching to $XI (ifindex [0-9]*): an xfrm interface" "$ERR"
		check "... status lists it as not attached, with the reason" \
			eval "li_cmd status | grep -q '^interfaces not attached:.* $XI (ifindex [0-9]*: an xfrm interface'"
		check "... the tunnel's ping through it passes" \
			tunnel_ping
	fi

	# An upgrade (another build's program pinned: restart.sh's
	# flip_build), replaced in place: under libxdp's dispatcher where
	# the kernel loads it, a path the 6.18 VMs cannot take. Timed out
	# generously: each load is some 35 s of the verifier under TCG.
	old=$(component_id)
	flip_build "$PIN" || echo "live: cannot rewrite li_conf" >&2
	li_cmd restart -t 300 >"$tmp/restart.out" 2>&1
	rc=$?
	check "localin restart onto another build: exit 0 ($rc)" [ "$rc" = 0 ]
	[ "$rc" = 0 ] || sed 's/^/    /' "$tmp/restart.out"
	check "... it replaced the other build's program" \
		grep -q "made by another build of localin" "$tmp/restart.out"
	new=$(component_id)
	check "... ours in the hook is another program now (${old:-none} -> ${new:-none})" \
		[ -n "$new" ] && [ "$new" != "$old" ]
	: >"$tmp/ike"
	send_from_peer ike
	sleep 1
	check "... the peer's IKE still dropped" [ "$(got "" "$tmp/ike")" = 0 ]
	check "... the daemon answers" li_cmd status -t 60

	# A macvlan of $IF made while running, with a policy of its own: the
	# program on both, and the kernel keeps a device's hook while its
	# upper has a program, so stop must take the macvlan's off first.
	# Under libxdp's dispatcher (6.1) that refusal came back as EBUSY,
	# not EEXIST, and stop left the program on $IF.
	ip -n "$GW" link add "$MV" link "$IF" type macvlan mode bridge &&
		ip -n "$GW" link set "$MV" up
	check "a macvlan of $IF made while running gets the program" \
		wait_until 1200 xdp_on "$MV"

	li_cmd stop >/dev/null 2>&1
	check "localin stop: nothing left attached" wait_until 100 no_xdp_left
	check "... and the peer's ping passes again" ping_ok
	multi_prog
fi
[ "$fails" -gt 0 ] && [ -s "$ERR" ] && grep -v '^libbpf:\|^[0-9]*: \|^;' "$ERR" | tail -n 5 |
	sed 's/^/    /'
exit $((fails > 0))
