#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
Inputs of the replay benchmark, written into OUTDIR:

  seed-NNN.pcap   NNN packets of the seed scenario (default 1M): IKE probes
                  on 500/4500 from many internet sources to 198.51.100.1,
                  IKE, ESP-in-UDP, raw ESP and keepalives from the peer
                  203.0.113.10, forged ESP, traffic not for the gateway
  flat-NNN.pcap   the same but for the 30 per mille from inside the
                  excluded /28s: they come from between them, denied by
                  every pfxN.conf (the seed capture's are accepted by the
                  configs that exclude them, and open sessions), so that
                  each config judges every packet alike: the flat check
  one.pcap        its first packet only: start-up and config cost
  seed.sa         the peer's SAs
  pfxN.conf       examples/seed.conf with N source prefixes excluded
                  (remote-vpn and N-1 /28s in 100.64.0.0/10, in groups
                  of 1000)
  pfxN.filter     the tcpdump expression for the packets policy 1 drops

Records are written with struct (scapy would take minutes for 1M packets);
a seeded PRNG makes every run identical.

  gen.py OUTDIR [--packets N] [--prefixes 1,1000,10000,100000]
"""
import argparse
import os
import random
import struct

GW = 0xc6336401          # 198.51.100.1
PEER = 0xcb00710a        # 203.0.113.10
CGN = 0x64400000         # 100.64.0.0/10: where the excluded /28s live
PEER_SPIS = [0xc0ffee01, 0xc0ffee02, 0xc0ffee03, 0xc0ffee04]
ETH = bytes.fromhex("020000000001" "020000000002" "0800")


def ip4(a):
    return "%d.%d.%d.%d" % (a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255)


def prefix(i):
    """The i-th excluded /28 (i >= 1): every other /28 of 100.64.0.0/10,
    so that no two of them merge into a larger block."""
    return CGN + i * 32


def csum(b):
    s = sum(struct.unpack("!10H", b))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ipv4(src, dst, proto, plen, ident):
    h = struct.pack("!BBHHHBBHII", 0x45, 0, 20 + plen, ident, 0, 64, proto,
                    0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:]


def udp(sport, dport, pay):
    # Checksum 0: "no checksum", legal over IPv4.
    return struct.pack("!HHHH", sport, dport, 8 + len(pay), 0) + pay


def ike(spi):
    # IKEv2 IKE_SA_INIT header and 36 bytes standing in for payloads.
    return struct.pack("!QQBBBBII", spi, 0, 33, 0x20, 34, 0x08, 0, 64) + \
        bytes(36)


def esp(spi, seq):
    return struct.pack("!II", spi, seq) + bytes(56)


def internet(rnd):
    """A random unicast source outside 100.64.0.0/10 and the peer."""
    while True:
        a = rnd.getrandbits(32)
        if 0x01000000 <= a < 0xe0000000 and a >> 22 != CGN >> 22 and \
                a != PEER:
            return a


def packets(n, rnd, between=False):
    """(frame) for n packets. The mix, per mille:
    400 IKE/500 probes, 200 IKE/4500 probes (non-ESP marker), 30 IKE from
    hosts inside the excluded /28s (between: in the /28 after each, which
    no config excludes), 20 IKE from the peer, 100 ESP-in-UDP
    and 50 raw ESP from the peer (known SPIs), 20 keepalives from the peer,
    50 forged ESP (half raw, half in UDP), 130 not for the gateway."""
    seq = 0
    for i in range(n):
        r = rnd.randrange(1000)
        ident = i & 0xffff
        if r < 400:
            src, dst, l4 = internet(rnd), GW, udp(rnd.randrange(1024, 65536),
                                                  500, ike(rnd.getrandbits(64)))
        elif r < 600:
            src, dst, l4 = internet(rnd), GW, udp(rnd.randrange(1024, 65536),
                                                  4500, bytes(4) +
                                                  ike(rnd.getrandbits(64)))
        elif r < 630:
            src = prefix(1 + rnd.randrange(100000)) + 1 + rnd.randrange(14)
            if between:
                src += 16
            dst, l4 = GW, udp(500, 500, ike(rnd.getrandbits(64)))
        elif r < 650:
            src, dst, l4 = PEER, GW, udp(4500, 4500, bytes(4) + ike(0x1234))
        elif r < 750:
            seq += 1
            src, dst = PEER, GW
            l4 = udp(4500, 4500, esp(PEER_SPIS[seq & 3], seq))
        elif r < 800:
            seq += 1
            frame = ipv4(PEER, GW, 50, 64, ident) + esp(PEER_SPIS[seq & 3],
                                                         seq)
            yield ETH + frame
            continue
        elif r < 820:
            src, dst, l4 = PEER, GW, udp(4500, 4500, b"\xff")
        elif r < 845:
            spi = rnd.getrandbits(32)
            yield ETH + ipv4(internet(rnd), GW, 50, 64, ident) + esp(spi, 1)
            continue
        elif r < 870:
            src, dst = internet(rnd), GW
            l4 = udp(4500, 4500, esp(rnd.getrandbits(32) | 1, 1))
        elif r < 935:
            # Other hosts on the gateway's subnet (not .0, .1, .255).
            src, dst = internet(rnd), GW - 1 + 2 + rnd.randrange(253)
            l4 = udp(rnd.randrange(1024, 65536), 500, ike(rnd.getrandbits(64)))
        else:
            # Transit: TCP SYNs between internet hosts (checksum not set).
            src, dst = internet(rnd), internet(rnd)
            frame = ipv4(src, dst, 6, 20, ident) + struct.pack(
                "!HHIIBBHHH", rnd.randrange(1024, 65536), 443, 0, 0, 0x50,
                0x02, 65535, 0, 0)
            yield ETH + frame
            continue
        yield ETH + ipv4(src, dst, 17, len(l4), ident) + l4


def write_pcap(path, n, seed=1, between=False):
    rnd = random.Random(seed)
    t = 1718006400 * 10**6          # 2024-06-10 08:00:00 UTC, in µs
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        buf = []
        for frame in packets(n, rnd, between):
            if len(frame) < 60:
                frame += bytes(60 - len(frame))
            buf.append(struct.pack("<IIII", t // 10**6, t % 10**6,
                                   len(frame), len(frame)))
            buf.append(frame)
            t += 7 + rnd.randrange(7)
            if len(buf) >= 16384:
                f.write(b"".join(buf))
                buf = []
        f.write(b"".join(buf))
    os.rename(path + ".tmp", path)


def write_conf(path, n, per_group=1000):
    """The seed config with remote-vpn and n-1 /28s excluded. The /28s sit
    in groups of per_group (FortiOS caps group sizes; one 100k-name line
    also makes the parser quadratic, see README)."""
    out = ["# examples/seed.conf with %d excluded source prefixes" % n,
           "config system global", '    set hostname "vpn-gw1"', "end",
           "config system interface", '    edit "wan1"',
           "        set ip 198.51.100.1 255.255.255.0", "    next", "end",
           "config log setting", "    set local-in-deny-unicast enable",
           "end",
           "config firewall address", '    edit "remote-vpn"',
           "        set subnet 203.0.113.10 255.255.255.255", "    next"]
    for i in range(1, n):
        out += ['    edit "peer%d"' % i,
                "        set subnet %s 255.255.255.240" % ip4(prefix(i)),
                "    next"]
    out += ["end", "config firewall addrgrp"]
    excl = ['"remote-vpn"']
    for g, lo in enumerate(range(1, n, per_group)):
        hi = min(lo + per_group, n)
        out += ['    edit "peers-%d"' % g, "        set member " +
                " ".join('"peer%d"' % i for i in range(lo, hi)), "    next"]
        excl.append('"peers-%d"' % g)
    out += ['    edit "All_exceptions"', '        set member "all"',
            "        set exclude enable",
            "        set exclude-member " + " ".join(excl),
            "    next", "end", "config firewall local-in-policy",
            "    edit 1", '        set intf "wan1"',
            '        set srcaddr "All_exceptions"', '        set dstaddr "all"',
            '        set service "IKE"', '        set schedule "always"',
            "    next", "end"]
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def write_filter(path, n):
    # What policy 1 drops, as tcpdump says it; flat `or` as an admin writes.
    nets = ["src host 203.0.113.10"] + \
        ["src net %s/28" % ip4(prefix(i)) for i in range(1, n)]
    with open(path, "w") as f:
        f.write("udp and dst host 198.51.100.1 and (dst port 500 or "
                "dst port 4500) and not (%s)\n" % " or ".join(nets))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--packets", type=int, default=1000000)
    ap.add_argument("--prefixes", default="1,1000,10000,100000")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    p = lambda name: os.path.join(a.outdir, name)
    cap = p("seed-%d.pcap" % a.packets)
    if not os.path.exists(cap):
        write_pcap(cap, a.packets)
    flat = p("flat-%d.pcap" % a.packets)
    if not os.path.exists(flat):
        write_pcap(flat, a.packets, between=True)
    write_pcap(p("one.pcap"), 1)     # the first packet of the capture
    with open(p("seed.sa"), "w") as f:
        for spi in PEER_SPIS:
            f.write("198.51.100.1 0x%08x 203.0.113.10 hq\n" % spi)
    for n in map(int, a.prefixes.split(",")):
        write_conf(p("pfx%d.conf" % n), n)
        write_filter(p("pfx%d.filter" % n), n)


if __name__ == "__main__":
    main()
