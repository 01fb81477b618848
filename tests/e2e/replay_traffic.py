# SPDX-License-Identifier: GPL-2.0
"""The traffic mix of tests/e2e/replay_live.sh, one role a run, sent with
scapy at layer 3 (the kernel routes and resolves neighbours) from the
namespace it runs in. Every role paces its packets so that no timing
window (the 2-s IKE window, the log rate limit's second) is met within
50 ms of its edge: the live daemon and replay then see the same clock in
every decision that depends on one (the bursts at the end go past the
rate limit on purpose).

	python3 replay_traffic.py peer GW GW6 SELF6 SPI,SPI,...
	python3 replay_traffic.py scan GW GW6 SELF6
"""
import sys
import time

from scapy.all import (ESP, ICMP, IP, IPv6, ICMPv6EchoRequest, Raw, TCP, UDP,
                       conf, fragment, fragment6, IPv6ExtHdrFragment, send)

conf.verb = 0
role, gw, gw6, self6 = sys.argv[1:5]
spis = [int(s, 16) for s in sys.argv[5].split(",")] if role == "peer" else []

# IKE_SA_INIT-shaped bytes: a header with a zero responder SPI, enough
# for the services (UDP 500/4500) and never parsed as IKE by localin.
IKE = bytes(8) + bytes(8) + b"\x21\x20\x22\x08" + bytes(4) + b"\x00\x00\x00\x1c"
# The same header as IKE_AUTH (exchange 35): it makes SAs, so it opens
# the peer's window for new SPIs (an IKE_SA_INIT does not).
IKE_AUTH = IKE[:18] + b"\x23" + IKE[19:]


def esp(spi, seq, dst=gw, sport=None):
    body = ESP(spi=spi, seq=seq) / Raw(bytes(32))
    if sport:
        return IP(dst=dst) / UDP(sport=sport, dport=4500) / body
    return IP(dst=dst) / body


def big_ping(ident):
    return fragment(IP(dst=gw) / ICMP(id=ident, seq=1) / Raw(bytes(2000)),
                    fragsize=1024)


def big_ping6(ident):
    p = (IPv6(src=self6, dst=gw6) / IPv6ExtHdrFragment(id=ident) /
         ICMPv6EchoRequest(id=ident, seq=1) / Raw(bytes(2000)))
    return fragment6(p, 1280)


def peer():
    send(IP(dst=gw) / UDP(sport=500, dport=500) / Raw(IKE))
    time.sleep(0.2)
    send(IP(dst=gw) / UDP(sport=4500, dport=4500) / Raw(bytes(4) + IKE_AUTH))
    time.sleep(0.3)
    # Within 2 s of the peer's IKE_AUTH: an unknown SPI from it passes
    # unverified.
    send(esp(0xbeef0001, 1))
    for i, spi in enumerate(spis):
        send(esp(spi, i + 1))
        send(esp(spi, i + 1, sport=4500))
        time.sleep(0.1)
    time.sleep(3)
    # Past the window: the same unknown SPI from the peer is dropped.
    send(esp(0xbeef0002, 2))
    time.sleep(0.3)
    send(IP(dst=gw) / ICMP(id=0x4a01, seq=1))
    send(IP(dst=gw) / TCP(sport=40100, dport=22, flags="S"))
    send(big_ping(0x4a02))
    send(IPv6(src=self6, dst=gw6) / ICMPv6EchoRequest(id=0x4a03, seq=1))
    send(big_ping6(0x4a04))


def scan():
    for port in (500, 4500):
        send(IP(dst=gw) / UDP(sport=500, dport=port) / Raw(bytes(4) + IKE))
        time.sleep(1.1)
    for i in range(3):
        send(esp(0xdead0000 + i, 1))
        send(esp(0xdead0100 + i, 1, sport=4500))
        time.sleep(1.1)
    for port in (22, 80, 443):
        send(IP(dst=gw) / TCP(sport=40200, dport=port, flags="S"))
        time.sleep(1.1)
    send(big_ping(0x4b01))
    time.sleep(1.1)
    send(IPv6(src=self6, dst=gw6) / ICMPv6EchoRequest(id=0x4b02, seq=1))
    time.sleep(1.1)
    send(big_ping6(0x4b03))
    time.sleep(1.1)
    # Forged replies: from port 53 to a port no query opened, and a TCP ACK.
    send(IP(dst=gw) / UDP(sport=53, dport=61234) / Raw(bytes(12)))
    time.sleep(1.1)
    send(IP(dst=gw) / TCP(sport=80, dport=61235, flags="A"))
    time.sleep(1.1)
    # Bursts past the log rate limit (5, then 1 a second, per address):
    # the lines suppressed are counted by the same clock's rule.
    for i in range(12):
        send(IP(dst=gw) / TCP(sport=40300 + i, dport=23, flags="S"))
        time.sleep(0.05)
    for i in range(10):
        send(esp(0xdead0200 + i, 1))
        time.sleep(0.05)


{"peer": peer, "scan": scan}[role]()
