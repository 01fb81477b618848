#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Attack probes and capture accounting for the lab (tests/lab/lab.sh).

  lab.py probe GW                 send the scapy probes to GW (run in li-att)
  lab.py report [--tsv] SW.pcap GW.pcap [VERDICTS]
        per class of frame: how many were delivered to wan1 (SW.pcap, the
        switch port's capture), how many got through (GW.pcap, the capture
        on wan1 inside gw), and frame by frame against VERDICTS (`localin
        replay --verdicts SW.pcap`): every accepted frame got through, no
        dropped one did. Without VERDICTS every frame must get through.
        Ends "mismatches N"; exit 1 if N > 0.

Every probe class has its own source port (or IP id, or protocol), so a
frame is classified from its headers alone; `classify` is the one place
that knows. Frames are sent at layer 2 so that nothing in the attacker's
kernel repairs the malformed ones. Targets: the gateway's address only.
"""
import collections
import logging
import sys

from scapy.all import (ARP, ESP, ICMP, IP, TCP, UDP, Ether, Raw, conf,
                       fragment, rdpcap, sendp)

logging.getLogger("scapy").setLevel(logging.ERROR)  # ISAKMP dissector noise

PEER = "203.0.113.10"
ATTACKER = "198.51.100.66"
FRAG_ID = 0x4C49  # IP id of the fragmented IKE probe

# A minimal IKEv2 IKE_SA_INIT header (initiator SPI, no payloads): enough
# for the data path to see IKE; charon discards it.
IKE_V2 = bytes.fromhex("4c4f43414c494e31" "0000000000000000"
                       "00202208" "00000000" "0000001c")


def probes(gw, live_spi=None):
    """(class, frames): what the attacker sends besides ike-scan; with
    @live_spi (the gateway's inbound SPI of the tunnel), also ESP with that
    SPI from the attacker's own address."""
    ip = IP(src=ATTACKER, dst=gw)
    big = IKE_V2[:24] + (1600).to_bytes(4, "big") + bytes(1572)
    live = [("scapy esp-in-udp, live spi (wrong peer)",
             [ip / UDP(sport=40453, dport=4500) / ESP(spi=live_spi, seq=s) /
              Raw(bytes(32)) for s in (1, 2)])] if live_spi else []
    return live + [
        ("scapy ike 500", [ip / UDP(sport=40500, dport=500) / IKE_V2]),
        ("scapy ike 500 fragmented",
         fragment(IP(src=ATTACKER, dst=gw, id=FRAG_ID) /
                  UDP(sport=40501, dport=500) / big, fragsize=1000)),
        ("scapy ike 4500 (non-ESP marker)",
         [ip / UDP(sport=40450, dport=4500) / (bytes(4) + IKE_V2)]),
        ("scapy nat-t keepalive",
         [ip / UDP(sport=40451, dport=4500) / b"\xff"]),
        ("scapy esp-in-udp, unknown spi",
         [ip / UDP(sport=40452, dport=4500) / ESP(spi=0xDEAD4500, seq=s) /
          Raw(bytes(32)) for s in (1, 2, 3)]),
        ("scapy esp raw, unknown spi",
         [ip / ESP(spi=0xDEAD0050, seq=s) / Raw(bytes(32)) for s in (1, 2, 3)]),
        ("scapy udp 500, bad udp length",
         [ip / UDP(sport=40666, dport=500, len=200) / IKE_V2]),
        ("scapy tcp 500 syn", [ip / TCP(sport=40600, dport=500, flags="S")]),
        ("scapy icmp echo", [ip / ICMP(id=0x4C49, seq=1) / b"localin-lab"]),
    ]


def probe(gw, live_spi=None):
    conf.verb = 0
    for name, frames in probes(gw, live_spi):
        sendp([Ether() / f for f in frames], iface="eth0")
        print(f"sent {name}: {len(frames)}")


SCAPY_SPORT = {40500: "scapy ike 500", 40501: "scapy ike 500 fragmented",
               40450: "scapy ike 4500 (non-ESP marker)",
               40451: "scapy nat-t keepalive",
               40452: "scapy esp-in-udp, unknown spi",
               40453: "scapy esp-in-udp, live spi (wrong peer)",
               40666: "scapy udp 500, bad udp length",
               40600: "scapy tcp 500 syn",
               41000: "hping3 udp 500 burst"}  # lab.sh runs hping3 -s 41000 -k


def classify_udp(who, ip):
    """IKE/NAT-T/ESP-in-UDP by ports and the first payload bytes."""
    u = ip[UDP]
    data = bytes(u.payload)
    if who == "attacker" and u.sport in SCAPY_SPORT:
        return SCAPY_SPORT[u.sport]
    if 4500 in (u.sport, u.dport):
        if len(data) == 1:
            kind = "nat-t keepalive"
        elif data[:4] == bytes(4):
            kind = "ike 4500"
        else:
            kind = "esp-in-udp"
        if who == "attacker" and u.sport == 4500:
            return "ike-scan --nat-t"
        return f"{who} {kind}"
    if u.dport == 500 or u.sport == 500:
        if who == "attacker" and u.sport == 500 and len(data) > 17:
            return "ike-scan --ikev2" if data[17] >> 4 == 2 else "ike-scan (IKEv1)"
        return f"{who} ike 500"
    return f"{who} udp {u.dport}"


def classify(frame):
    if ARP in frame:
        return "arp"
    if IP not in frame:
        return "other"
    ip = frame[IP]
    who = {PEER: "peer", ATTACKER: "attacker"}.get(ip.src, ip.src)
    if who == "attacker" and ip.id == FRAG_ID and ip.proto == 17:
        return "scapy ike 500 fragmented"
    if ip.proto == 50:
        return "scapy esp raw, unknown spi" if who == "attacker" else f"{who} esp raw"
    if ip.proto == 1:
        if who == "attacker" and ip[ICMP].type == 8 and ip[ICMP].id == FRAG_ID:
            return "scapy icmp echo"
        # e.g. the attacker's port unreachables for charon's answers
        return f"{who} icmp type {ip[ICMP].type}"
    if UDP in ip:
        return classify_udp(who, ip)
    if TCP in ip and who == "attacker" and ip[TCP].sport in SCAPY_SPORT:
        return SCAPY_SPORT[ip[TCP].sport]
    return f"{who} proto {ip.proto}"


def load(path):
    return [bytes(f) for f in rdpcap(path)]


def read_verdicts(path, n):
    """`localin replay --verdicts`: '<n> <accept|drop> <reason> <policy>'.
    No file: nothing enforces, every frame is expected through."""
    if path is None:
        return {i: ("accept", "no-localin", 0) for i in range(1, n + 1)}
    out = {}
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) == 4 and w[0].isdigit():
                out[int(w[0])] = (w[1], w[2], int(w[3]))
    return out


def report(sw, gw, verdicts_path=None, tsv=False):
    """Per class: frames delivered to wan1, frames that got through, and
    what replay decided for them; then every frame whose fate differs from
    replay's verdict, and 'mismatches N'. Frames are compared as bytes, as
    multisets (an ike-scan retransmission is the same bytes again)."""
    frames = load(sw)
    verdicts = read_verdicts(verdicts_path, len(frames))
    got = collections.Counter(load(gw))
    want = collections.Counter()
    rows = collections.defaultdict(lambda: [0, 0, collections.Counter()])
    problems = []
    if len(verdicts) != len(frames):
        problems.append(f"verdicts for {len(verdicts)} of {len(frames)} frames")
    for n, f in enumerate(frames, 1):
        act, reason, pol = verdicts.get(n, ("?", "?", 0))
        row = rows[classify(Ether(f))]
        row[0] += 1
        row[2][f"{act} {reason}" + (f" {pol}" if pol else "")] += 1
        if act == "accept":
            want[f] += 1
        elif got[f]:
            problems.append(f"frame {n} ({classify(Ether(f))}): "
                            f"{act} {reason} {pol} by replay, got through")
    for f, k in want.items():
        if got[f] != k:
            problems.append(f"{classify(Ether(f))}: {k} accepted by replay, "
                            f"{got[f]} got through")
    for f in got:
        rows[classify(Ether(f))][1] += 1
        if f not in want and f not in frames:
            problems.append(f"{classify(Ether(f))}: got through, never delivered")
    w = max([len(k) for k in rows] + [5])
    if not tsv:
        print(f"  {'class':<{w}}  delivered  got through" +
              ("  verdict (replay)" if verdicts_path else ""))
    for cls in sorted(rows):
        d, p, v = rows[cls]
        vs = ", ".join(f"{k} x{c}" for k, c in sorted(v.items()))
        if tsv:
            print(f"{cls}\t{d}\t{p}\t{vs}")
        else:
            print(f"  {cls:<{w}}  {d:>9}  {p:>11}" + (f"  {vs}" if verdicts_path else ""))
    for p in problems:
        print(f"mismatch: {p}")
    print(f"mismatches {len(problems)}")
    return 1 if problems else 0


def main(argv):
    if len(argv) in (3, 4) and argv[1] == "probe":
        probe(argv[2], int(argv[3], 16) if len(argv) == 4 else None)
    elif len(argv) >= 4 and argv[1] == "report":
        tsv = "--tsv" in argv
        args = [a for a in argv[2:] if a != "--tsv"]
        if len(args) in (2, 3):
            return report(*args[:3], tsv=tsv)
        print(__doc__, file=sys.stderr)
        return 2
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
