# SPDX-License-Identifier: GPL-2.0
"""The TCP and UDP ends ipv6_probe.py and sessions_probe.py share.

Imported, not run: each helper runs inside one of the test's network
namespaces, and traffic goes only to the address given on its command
line (one of the test's namespaces). IPv4 or IPv6 by the address.
"""
import socket


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def tcp_first_line(addr, port, timeout, src=None):
    """Connects (from SRC); prints the first line the server sent, exit
    status 1 if none."""
    try:
        with socket.create_connection((addr, int(port)),
                                      timeout=float(timeout),
                                      source_address=(src, 0) if src
                                      else None) as s:
            line = s.makefile("rb").readline()
    except OSError as e:
        print("no connection: %s" % e)
        return 1
    print(line.decode(errors="replace").strip())
    return 0 if line else 1


def tcp_banner_serve(addr, port, banner):
    """Sends BANNER to each connection, then closes it; never returns."""
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.listen(16)
    while True:
        c, _ = s.accept()
        try:
            c.sendall(banner)
        except OSError:
            pass
        c.close()


def udp_answer_serve(addr, port, answer):
    """Answers each datagram with ANSWER; never returns."""
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    while True:
        _, peer = s.recvfrom(65535)
        s.sendto(answer, peer)
