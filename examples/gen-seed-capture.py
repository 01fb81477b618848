#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
Writes examples/seed-capture.pcap, the built-in capture `make demo` replays
through examples/seed.conf: a morning on the WAN link of vpn-gw1
(198.51.100.1). Internet scanners probe IKE on 500 and 4500 (IKEv1 Main
Mode and IKEv2 SA_INIT, as ike-scan sends them), the legitimate peer
203.0.113.10 negotiates and then sends ESP-in-UDP on its live SA
(examples/seed.sa), someone sprays forged ESP with invented SPIs, and a
little traffic passes by that is not for the gateway at all.
Deterministic: fixed timestamps, no randomness. Needs python3-scapy.
"""
import os
import struct

from scapy.layers.inet import ICMP, IP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Raw
from scapy.utils import wrpcap

HERE = os.path.dirname(os.path.abspath(__file__))
GW, PEER = "198.51.100.1", "203.0.113.10"
LIVE_SPI = 0xc1a55e01  # in examples/seed.sa
T0 = 1781074800.0      # 2026-06-10 07:00:00 UTC


def ike(ispi, version, exchange):
    """An IKE header (28 bytes) and an empty SA payload's worth of bytes."""
    hdr = struct.pack("!QQBBBBII", ispi, 0, 33 if version == 2 else 1,
                      0x20 if version == 2 else 0x10, exchange,
                      0x08 if version == 2 else 0, 0, 28 + 8)
    return hdr + bytes(8)


def esp(spi, seq, n=64):
    return struct.pack("!II", spi, seq) + bytes(n)


def frame(l3):
    return Ether(src="02:00:00:00:00:02", dst="02:00:00:00:00:01") / l3


def main():
    pkts = []
    t = T0

    def add(l3, dt=0.5):
        nonlocal t
        p = frame(l3)
        p.time = t
        t += dt
        pkts.append(p)

    # The peer brings its tunnel up: IKE_SA_INIT on 500, then NAT-T 4500.
    add(IP(src=PEER, dst=GW) / UDP(sport=500, dport=500) /
        Raw(ike(0x1111222233334444, 2, 34)))
    add(IP(src=PEER, dst=GW) / UDP(sport=4500, dport=4500) /
        Raw(bytes(4) + ike(0x1111222233334444, 2, 35)))
    # Scanners: ike-scan style IKEv1 Main Mode and IKEv2 SA_INIT probes.
    for i, src in enumerate(["198.18.20.7", "198.18.20.8", "192.0.2.77",
                             "198.18.99.4", "192.0.2.78"]):
        add(IP(src=src, dst=GW) / UDP(sport=500, dport=500) /
            Raw(ike(0xa0a0a0a000000000 + i, 1 if i % 2 else 2,
                    2 if i % 2 else 34)), dt=0.1)
    add(IP(src="198.18.20.7", dst=GW) / UDP(sport=4500, dport=4500) /
        Raw(bytes(4) + ike(0xa0a0a0a0000000ff, 2, 34)))
    # The tunnel carries traffic: ESP-in-UDP on the live SA, a keepalive.
    for seq in range(1, 6):
        add(IP(src=PEER, dst=GW) / UDP(sport=4500, dport=4500) /
            Raw(esp(LIVE_SPI, seq)), dt=0.2)
    add(IP(src=PEER, dst=GW) / UDP(sport=4500, dport=4500) / Raw(b"\xff"))
    # Forged ESP: raw protocol 50 and in UDP, invented SPIs, one source
    # spraying fast (the log rate limit shows up in the summary).
    for i in range(12):
        add(IP(src="192.0.2.66", dst=GW, proto=50) /
            Raw(esp(0xdead0000 + i, 1)), dt=0.01)
    add(IP(src="198.18.5.5", dst=GW) / UDP(sport=4500, dport=4500) /
        Raw(esp(0x0badc0de, 7)))
    # Not for the gateway: passes untouched.
    add(IP(src="192.0.2.10", dst="198.51.100.77") / UDP(sport=500, dport=500) /
        Raw(ike(0x5, 2, 34)))
    # A ping to the gateway: no policy for it, implicit handling.
    add(IP(src="192.0.2.10", dst=GW) / ICMP(id=7, seq=1))
    # A scanner retries later, still dropped by policy 1.
    add(IP(src="198.18.20.8", dst=GW) / UDP(sport=500, dport=500) /
        Raw(ike(0xa0a0a0a000000010, 2, 34)), dt=60)
    wrpcap(os.path.join(HERE, "seed-capture.pcap"), pkts)
    print("seed-capture.pcap: %d packets" % len(pkts))


if __name__ == "__main__":
    main()
