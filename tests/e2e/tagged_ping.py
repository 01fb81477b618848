#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""One ICMP echo request in an 802.1Q-tagged frame, for tests/e2e/stacked.sh.

    tagged_ping.py IFNAME DST-MAC SRC-IP DST-IP VID[,VID...]

Sent from IFNAME (AF_PACKET, the tag in the frame's data, as a switch's
trunk port delivers it), then the echo reply is waited for (1 s): exit 0
when it came, 1 when not. VID 0 is a priority tag (802.1p), which the
kernel strips and delivers to the interface itself; another VID belongs to
a VLAN device on the receiver (dropped without one). Several: a stack of
tags, the outermost first.
"""
import os
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def main():
    ifname, dmac, src, dst, vid = sys.argv[1:6]
    ident = os.getpid() & 0xffff
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    smac = s.getsockname()[4]
    icmp = struct.pack("!BBHHH", 8, 0, 0, ident, 1) + b"tagged" * 8
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), ident, 0,
                     64, 1, 0, socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    frame = (bytes.fromhex(dmac.replace(":", "")) + smac +
             b"".join(struct.pack("!HH", 0x8100, int(v))
                      for v in vid.split(",")) +
             struct.pack("!H", 0x0800) + ip + icmp)
    s.send(frame)
    s.settimeout(0.2)
    end = time.monotonic() + 1
    while time.monotonic() < end:
        try:
            f = s.recv(2048)
        except socket.timeout:
            continue
        off = 12
        while f[off:off + 2] in (b"\x81\x00", b"\x88\xa8"):
            off += 4
        if f[off:off + 2] != b"\x08\x00":
            continue
        p = f[off + 2:]
        hl = (p[0] & 15) * 4
        if (p[9] == 1 and p[12:16] == socket.inet_aton(dst) and
                p[hl] == 0 and struct.unpack("!H", p[hl + 4:hl + 6])[0] ==
                ident):
            return 0
    return 1


sys.exit(main())
