#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench/session's traffic, between run.sh's two namespaces.

  traffic.py serve PEER UDP_PORT TCP_PORT
      in the peer's namespace: echo UDP datagrams, accept TCP connections
      and hold them, until killed
  traffic.py open GW PEER UDP_GW UDP_PEER TCP_GW TCP_PEER
      in the gateway's namespace: one UDP request and its reply, one TCP
      connection (handshake and 16 bytes each way), both from fixed ports
      of the gateway; prints "ready", holds the connection until killed,
      then resets it (no TIME_WAIT keeps the port for the next run)
"""
import selectors
import signal
import socket
import struct
import sys
import time


def serve(peer, uport, tport):
    sel = selectors.DefaultSelector()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((peer, uport))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind((peer, tport))
    t.listen(8)
    sel.register(u, selectors.EVENT_READ, "udp")
    sel.register(t, selectors.EVENT_READ, "listen")
    while True:
        for key, _ in sel.select():
            s = key.fileobj
            if key.data == "udp":
                data, addr = s.recvfrom(2048)
                s.sendto(data, addr)
            elif key.data == "listen":
                c, _ = s.accept()
                sel.register(c, selectors.EVENT_READ, "conn")
            else:
                try:
                    data = s.recv(2048)
                except ConnectionResetError:  # the gateway's reset
                    data = b""
                if data:
                    s.sendall(data)
                else:
                    sel.unregister(s)
                    s.close()


def open_sessions(gw, peer, ugw, upeer, tgw, tpeer):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((gw, ugw))
    u.settimeout(5)
    u.sendto(b"session-bench-udp", (peer, upeer))
    u.recvfrom(2048)
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind((gw, tgw))
    t.settimeout(5)
    t.connect((peer, tpeer))
    t.sendall(b"session-bench-tcp")
    t.recv(2048)
    print("ready", flush=True)

    def stop(*_):
        t.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
        t.close()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    while True:
        time.sleep(60)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        open_sessions(sys.argv[2], sys.argv[3], *map(int, sys.argv[4:8]))
