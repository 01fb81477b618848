#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ESP in UDP on a NAT-T port other than 4500, live: both charons with
# charon.port_nat_t = 4501 (LAB_NATT_PORT) and `encap = yes`, the daemon
# reading the gateway's charon over VICI with examples/seed.conf as it is.
# The peer's charon floats to the gateway's 4500 (a constant in
# strongSwan), so a rule in the peer's namespace sends those frames to
# 4501: on the wire, the tunnel is 203.0.113.10:4501 <-> 198.51.100.1:4501.
# Checks: the daemon learns the SA (encap ports 4501); pings across the
# tunnel all come back and are counted as live SPIs; forged ESP in UDP
# 4501 from the attacker is dropped as unknown SPIs (it met the policies
# as plain UDP before: the seed's implicit accept let it in).
#
#	bash tests/lab/natt_port.sh [BIN]	(default build/localin)
set -u
here=$(cd "$(dirname "$0")" && pwd)
export LAB=${LAB:-ln} LAB_NATT_PORT=${LAB_NATT_PORT:-4501}
LAB_SUITE=lab-natt
# shellcheck source=lab.sh
. "$here/lab.sh"
bin=$(realpath -m "${1:-build/localin}")
conf=$LAB_DIR/lab.conf

unknown() { lab_counter "$bin" "ESP with an unknown SPI (dropped)"; }
live_spi() { lab_counter "$bin" "ESP with a live SPI (passed)"; }
reaches_min() { # counter-function want
	for _ in $(seq 30); do
		[ "$($1)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP lab-natt: needs root"
	exit 0
fi
# One run at a time per prefix (tests/lab/README.md): without the lock a
# second run's lab_down tore down the lab the first was measuring.
lab_lock || exit 1
lab_trap_down
lab_down
lab_up || exit 1
ip netns exec "$NS_PEER" nft -f - <<NFT || exit 1
table ip lab_natt {
	chain out {
		type nat hook output priority -100;
		ip daddr $GW_ADDR udp dport 4500 dnat to $GW_ADDR:$LAB_NATT_PORT
	}
}
NFT
lab_tunnel_up || exit 1
lab_write_conf "$conf"
lab_localin_start "$bin" "$conf"
lab_localin_wait "$bin" || exit 1
tunnels() { lab_localin "$bin" diagnose vpn tunnel list 2>&1; }
for _ in $(seq 50); do
	tunnels | grep -q "encap=udp" && break
	sleep 0.1
done
tunnels >"$LAB_DIR/tunnels.out"
check "the daemon knows the tunnel as ESP in UDP on $GW_ADDR:$LAB_NATT_PORT" \
	sh -c "grep -q '$GW_ADDR:$LAB_NATT_PORT->$PEER_ADDR:$LAB_NATT_PORT.* encap=udp' '$LAB_DIR/tunnels.out' || { sed 's/^/    /' '$LAB_DIR/tunnels.out'; false; }"
ok0=$(live_spi)
bad0=$(unknown)
out=$(lab_tunnel_ping 20)
check "20 pings across the tunnel, all back ($out)" \
	sh -c "printf '%s\n' '$out' | grep -q ' 0% packet loss'"
check "... their ESP in UDP $LAB_NATT_PORT counted as live SPIs" \
	reaches_min live_spi "$((ok0 + 20))"
check "... none of it as an unknown SPI" [ "$(unknown)" = "$bad0" ]
ip netns exec "$NS_ATT" /usr/bin/python3 -c "
import logging, random, struct; logging.getLogger('scapy').setLevel(logging.ERROR)
from scapy.all import IP, UDP, Raw, send, conf
conf.verb = 0
random.seed(7)
send([IP(src='$ATT_ADDR', dst='$GW_ADDR') / UDP(sport=$LAB_NATT_PORT, dport=$LAB_NATT_PORT) /
      Raw(struct.pack('!II', random.getrandbits(32) | 0x10000000, s) + bytes(64))
      for s in range(1, 51)])"
check "50 forged ESP in UDP $LAB_NATT_PORT from the attacker: dropped as unknown SPIs" \
	reaches_min unknown "$((bad0 + 50))"
out=$(lab_tunnel_ping 5)
check "the tunnel still carries pings ($out)" \
	sh -c "printf '%s\n' '$out' | grep -q ' 0% packet loss'"
lab_localin_stop "$bin"
echo "lab-natt: $fails failed"
exit "$fails"
