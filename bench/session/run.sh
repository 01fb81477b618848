#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Session benchmark: ns per packet by BPF_PROG_TEST_RUN (repeat N, median
# of K rounds) of two ways for an XDP program to know that a packet belongs
# to a session the gateway opened: (a) the kernel's conntrack through the
# kfunc bpf_xdp_ct_lookup (+ bpf_ct_release), (b) an own LRU hash of
# 40-byte keys (lookup, and on a hit last_ns and atomic byte/packet adds;
# and the insert that opens a session). On a UDP reply and a TCP ACK from
# the peer, against a bare XDP_PASS (session.bpf.c, session.c).
#
# Before timing it shows, in two namespaces of its own (gateway and peer,
# a veth between them), what makes conntrack track: the gateway opens a
# UDP and a TCP session to the peer (traffic.py) with no netfilter rule in
# its namespace, then again after one nft rule `ct state
# established,related accept`; after each, the entries in the gateway's
# table and what the kfunc finds. The table is timed in the gateway's
# namespace with the sessions open. Then the load of the same object with
# a kfunc the kernel does not have (what a kernel without nf_conntrack
# answers). Everything is removed at the end. Needs root.
#
#   bench/session/run.sh [BUILD]   (default build; REPEAT, ROUNDS)
set -eu
# shellcheck source=bench/machine.sh
. "$(dirname "$0")/../machine.sh"

BUILD=${1:-build}
OUT=$BUILD/bench/session
REPEAT=${REPEAT:-200000}
ROUNDS=${ROUNDS:-7}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
GW=10.211.0.1
PEER=10.211.0.2
UDP_GW=40000 UDP_PEER=5353 TCP_GW=40001 TCP_PEER=8080 # session.c's
NS_GW=ctb$$-gw
NS_PEER=ctb$$-peer
SERVER='' CLIENT=''

if [ "$(id -u)" -ne 0 ]; then
	echo "bench/session: BPF_PROG_TEST_RUN and namespaces need root" >&2
	exit 2
fi
mkdir -p "$OUT"
INC=-I/usr/include/"$(gcc -print-multiarch)"
clang -O2 -g -target bpf "$INC" -c bench/session/session.bpf.c \
	-o "$OUT/session.bpf.o"
clang -O2 -g -target bpf "$INC" -Dbpf_xdp_ct_lookup=bpf_xdp_ct_lookup_absent \
	-c bench/session/session.bpf.c -o "$OUT/absent.bpf.o"
${CC:-gcc} -O2 -g -std=gnu11 -Wall -Wextra -D_GNU_SOURCE \
	-o "$OUT/session" bench/session/session.c -lbpf

cleanup() {
	for p in $CLIENT $SERVER; do
		kill "$p" 2>/dev/null || :
		wait "$p" 2>/dev/null || :
	done
	ip netns del "$NS_GW" 2>/dev/null || :
	ip netns del "$NS_PEER" 2>/dev/null || :
}
trap cleanup EXIT
trap 'exit 1' INT TERM

in_gw() { ip netns exec "$NS_GW" "$@"; }

# The conntrack entries of the gateway's namespace between the two hosts.
entries() {
	if in_gw test -r /proc/net/nf_conntrack; then
		in_gw cat /proc/net/nf_conntrack
	elif command -v conntrack >/dev/null; then
		in_gw conntrack -L 2>/dev/null
	else
		echo "(neither /proc/net/nf_conntrack nor conntrack -L)"
	fi | grep -F "$PEER" || :
}

# Open the UDP and TCP sessions from the gateway; wait for "ready".
open_sessions() {
	# Not through in_gw: $! must be the process that becomes python.
	ip netns exec "$NS_GW" "$PY" bench/session/traffic.py open $GW $PEER \
		$UDP_GW $UDP_PEER $TCP_GW $TCP_PEER >"$OUT/client.out" &
	CLIENT=$!
	i=0
	until grep -q ready "$OUT/client.out"; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 $CLIENT 2>/dev/null; then
			echo "bench/session: the sessions did not open" >&2
			exit 1
		fi
		sleep 0.1
	done
}

close_sessions() {
	kill $CLIENT
	wait $CLIENT || :
	CLIENT=
}

# What the kfunc finds for the two replies, and the table's entries.
show() {
	echo "conntrack entries in $NS_GW ($1):"
	entries | sed 's/^/  /'
	in_gw "$OUT/session" -c "$OUT/session.bpf.o" | sed 's/^/  /'
}

machine_line
if [ -r /proc/modules ]; then
	echo "nf_conntrack in /proc/modules: $(grep -c '^nf_conntrack ' /proc/modules || :)"
else
	echo "no /proc/modules: this kernel loads no modules (CONFIG_MODULES unset)"
fi
if [ -e /sys/module/nf_conntrack/initstate ]; then
	echo "nf_conntrack: module, $(cat /sys/module/nf_conntrack/initstate)"
elif [ -d /sys/module/nf_conntrack ]; then
	echo "nf_conntrack: built into the kernel (/sys/module/nf_conntrack, no initstate)"
else
	echo "nf_conntrack: absent (no /sys/module/nf_conntrack)"
fi
if bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null |
	grep -q "FUNC 'bpf_xdp_ct_lookup'"; then
	echo "bpf_xdp_ct_lookup: in vmlinux BTF"
else
	echo "bpf_xdp_ct_lookup: not in vmlinux BTF (module BTF, or absent)"
fi

ip netns add "$NS_GW"
ip netns add "$NS_PEER"
ip link add ctb$$g netns "$NS_GW" type veth peer ctb$$p netns "$NS_PEER"
in_gw ip addr add $GW/24 dev ctb$$g
in_gw ip link set ctb$$g up
in_gw ip link set lo up
ip -n "$NS_PEER" addr add $PEER/24 dev ctb$$p
ip -n "$NS_PEER" link set ctb$$p up
ip -n "$NS_PEER" link set lo up
# An answered UDP session lives 30 s (120 s once assured) by default: keep
# it for the whole run.
in_gw sysctl -qw net.netfilter.nf_conntrack_udp_timeout=600 \
	net.netfilter.nf_conntrack_udp_timeout_stream=600
ip netns exec "$NS_PEER" "$PY" bench/session/traffic.py serve $PEER \
	$UDP_PEER $TCP_PEER &
SERVER=$!
i=0
until in_gw "$PY" -c "import socket; socket.create_connection(('$PEER', $TCP_PEER), 1).close()" 2>/dev/null; do
	i=$((i + 1))
	[ $i -le 50 ] || { echo "bench/session: no server" >&2; exit 1; }
	sleep 0.1
done

echo
echo "== what makes conntrack track in $NS_GW"
echo "nft ruleset of $NS_GW: $(in_gw nft list ruleset | wc -l) lines"
open_sessions
show "no netfilter rule"
close_sessions
in_gw nft -f - <<EOF
table inet ctb {
	chain input {
		type filter hook input priority filter; policy accept;
		ct state established,related accept
	}
}
EOF
echo "added: table inet ctb { chain input { ct state established,related accept } }"
open_sessions
show "with the ct rule"

echo
echo "== timing (in $NS_GW, sessions open)"
in_gw "$OUT/session" -r "$REPEAT" -k "$ROUNDS" "$OUT/session.bpf.o"
echo "conntrack entries in $NS_GW after timing:"
entries | sed 's/^/  /'
close_sessions

echo
echo "== the same object with a kfunc the kernel lacks (bpf_xdp_ct_lookup renamed bpf_xdp_ct_lookup_absent):"
in_gw "$OUT/session" -c "$OUT/absent.bpf.o" 2>&1 | sed 's/^/  /' || :
