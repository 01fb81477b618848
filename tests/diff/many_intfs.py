#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A pcapng whose packets arrive on N interface names (i00000, i00001...),
one DNS query to 198.51.100.1 from 100.64.0.1 a packet: the first 256
names, the same 256 again (names seen before), three packets on Linux's
"any" pseudo-device (no interface named: replay takes the destination's
owner), then the other names in order, so the name i{N-1} is the last
packet. Sections of 256 interfaces (replay's most a section).

    many_intfs.py OUT N
"""
import struct
import sys

GW, SRC = bytes([198, 51, 100, 1]), bytes([100, 64, 0, 1])
PER_SECTION = 256


def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff


def dns(sport):
    udp = struct.pack("!HHHH", sport, 53, 8 + 4, 0) + b"qqqq"
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17,
                     0, SRC, GW)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return bytes(6 * [2]) + bytes(6 * [4]) + b"\x08\x00" + ip + udp


def block(btype, body):
    body += bytes(-len(body) % 4)
    return struct.pack("<II", btype, 12 + len(body)) + body + \
        struct.pack("<I", 12 + len(body))


def opt(code, val):
    return struct.pack("<HH", code, len(val)) + val + bytes(-len(val) % 4)


def section(names, t):
    out = [block(0x0a0d0d0a, struct.pack("<IHHq", 0x1a2b3c4d, 1, 0, -1))]
    for name in names:
        out.append(block(1, struct.pack("<HHI", 1, 0, 65535) +
                         opt(2, name.encode()) + opt(0, b"")))
    for i in range(len(names)):
        f = dns(1024 + (t + i) % 60000)
        us = 1700000000 * 10**6 + (t + i) * 10
        out.append(block(6, struct.pack("<IIIII", i, us >> 32,
                                        us & 0xffffffff, len(f), len(f)) + f))
    return out


def main():
    n = int(sys.argv[2])
    names = ["i%05d" % i for i in range(n)]
    order = names[:PER_SECTION] * 2 + ["any"] * 3 + names[PER_SECTION:]
    out, t = [], 0
    for k in range(0, len(order), PER_SECTION):
        out += section(order[k:k + PER_SECTION], t)
        t += PER_SECTION
    with open(sys.argv[1], "wb") as f:
        f.write(b"".join(out))


main()
