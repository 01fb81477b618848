# SPDX-License-Identifier: GPL-2.0
"""Raw ESP (IP protocol 50) to DST at RATE packets a second for SECS
seconds, from MAIN for every other packet and from each of the SPOOF
addresses in turn for the rest (IP_HDRINCL: the sources need not be the
host's). SPIs from 0xdead0000 up, a sequence number, 32 bytes of zeros.
Paced by the clock in batches, so the rate holds however slow the loop.
Writes to OUT, once done, a line "sent N main M secs S": N packets the
kernel took (sendto returned), M of them from MAIN, S the seconds from
the first to the last.

	python3 esp_flood.py DST MAIN SPOOF,SPOOF,... RATE SECS OUT
"""
import socket
import struct
import sys
import time

dst, main, spoof, rate, secs, out = sys.argv[1:7]
spoof = spoof.split(",")
rate, secs = float(rate), float(secs)

s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)


def packet(src, spi, seq):
    # Version/IHL, TOS, total length and id 0 (the kernel fills both in),
    # no fragment, TTL 64, ESP, checksum 0 (the kernel computes it).
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 0, 0, 0, 64, 50, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    return ip + struct.pack("!II", spi, seq) + bytes(32)


sent = main_sent = failed = 0
start = time.monotonic()
last = start
while True:
    now = time.monotonic()
    if now - start >= secs:
        break
    due = int((now - start) * rate) + 1
    while sent + failed < due:
        i = sent + failed
        src = main if i % 2 == 0 else spoof[(i // 2) % len(spoof)]
        try:
            s.sendto(packet(src, 0xdead0000 + (i & 0xffff), i + 1),
                     (dst, 0))
        except OSError:
            failed += 1
            continue
        sent += 1
        main_sent += src == main
        last = time.monotonic()
    time.sleep(0.002)
with open(out, "w") as f:
    f.write("sent %d main %d failed %d secs %.3f\n"
            % (sent, main_sent, failed, last - start))
