#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `localin run` on the kernel tests/kernel/run.sh boots (Debian 12's): the
# lab of tests/e2e (the gateway and a peer in network namespaces, a veth
# pair between them) and the daemon in the gateway with a deny-all
# local-in policy and one live SA. What a gateway must keep on that
# kernel: its own TCP out (a session) and the peer's ESP of the live SA;
# what it must drop: the peer's IKE, ESP with an SPI no SA has, a ping.
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
need_root_and_tools python3
find_python
private_bpffs "$@"
setup_run live localin-kernel-live
make_lab
SAFILE=$tmp/sas

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
# From the peer: three IKE datagrams to port 500, or three ESP packets of
# SPI (hex).
send_from_peer() { # ike | esp SPI
	in_ns "$PEER" "$py" -c '
import socket, struct, sys, time
for i in range(3):
    if sys.argv[1] == "ike":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.sendto(bytes(8) + bytes([0x21, 0x20, 0x22, 8]) + bytes(16),
                 (sys.argv[3], 500))
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 50)
        s.sendto(struct.pack("!II", int(sys.argv[2], 16), i + 1) +
                 bytes(32), (sys.argv[3], 0))
    time.sleep(0.1)
' "$1" "${2:-0}" "$GW_ADDR"
}
got() { cat "$2" 2>/dev/null | grep -c "^$1"; } # prefix file: lines received
ike_dropped() { [ "$(got "" "$tmp/ike")" = 0 ] && [ "$(hits 1)" -ge 3 ]; }

conf=$tmp/live.conf
{
	conf_interface
	conf_sa_manual
	conf_policy1 ALL deny
} >"$conf"
sa_write 1 0x1000

if check_start "the daemon starts on Linux $(uname -r)" "$conf"; then
	check "its XDP program is attached to $IF" xdp_on "$IF"
	check "its session egress filter is on $IF (cls_bpf)" \
		[ "$(egress_filters)" -ge 1 ]

	count_rx udp "$tmp/ike"
	count_rx esp "$tmp/esp"
	wait_until 30 udp_bound "$GW" 500
	sleep 0.5
	send_from_peer ike
	send_from_peer esp 00001000
	send_from_peer esp 0badc0de
	sleep 1
	check "the peer's IKE: dropped by policy 1 ($(hits 1) hits)" ike_dropped
	check "ESP of the live SA 0x1000: passed ($(got 00001000 "$tmp/esp") of 3)" \
		[ "$(got 00001000 "$tmp/esp")" = 3 ]
	check "ESP of an SPI no SA has: dropped" \
		[ "$(got 0badc0de "$tmp/esp")" = 0 ]
	check "a ping from the peer: dropped" ping_dropped
	check "the gateway's own TCP to the peer: its replies pass (a session)" \
		tcp_round_trip "$GW_ADDR" "$PEER_ADDR" 8080

	li_cmd stop >/dev/null 2>&1
	check "localin stop: nothing left attached" wait_until 100 no_xdp_left
	check "... and the peer's ping passes again" ping_ok
fi
[ "$fails" -gt 0 ] && [ -s "$ERR" ] && grep -v '^libbpf:\|^[0-9]*: \|^;' "$ERR" | tail -n 5 |
	sed 's/^/    /'
exit $((fails > 0))
