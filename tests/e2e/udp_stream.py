#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A UDP stream as fast as one core sends it, and a receiver that counts.

    udp_stream.py send ADDR PORT STOPFILE    send until STOPFILE exists;
                                             print the number sent
    udp_stream.py recv PORT STOPFILE         count datagrams until STOPFILE
                                             exists; print the number

Run in two network namespaces by tests/e2e/takeover.sh: what the receiver
counts got past the XDP program, whose config drops all of it, so any
count above zero is a moment with no program judging.
"""
import os
import socket
import sys


def send(addr, port, stop):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    payload = b"x" * 32
    n = 0
    while True:
        for _ in range(1000):
            try:
                s.sendto(payload, (addr, port))
                n += 1
            except (BlockingIOError, ConnectionRefusedError, OSError):
                pass
        if os.path.exists(stop):
            break
    print(n)


def recv(port, stop):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    s.settimeout(0.05)
    n = 0
    while not os.path.exists(stop):
        try:
            s.recv(2048)
            n += 1
        except socket.timeout:
            pass
    s.setblocking(False)
    try:
        while True:
            s.recv(2048)
            n += 1
    except (BlockingIOError, OSError):
        pass
    print(n)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) == 4 and sys.argv[1] == "recv":
        recv(int(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(__doc__)
