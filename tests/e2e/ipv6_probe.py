# SPDX-License-Identifier: GPL-2.0
"""The IPv6 clients and servers of tests/e2e/ipv6.sh.

Run inside one of the test's network namespaces; traffic goes only to the
address given on the command line (one of the test's namespaces).

  udp ADDR PORT [SIZE] [TIMEOUT]  one datagram of SIZE bytes; prints the
                                  answer's size, exit 1 if none
  udp-dstopt ADDR PORT [SIZE] [TIMEOUT]
                                  the same with a destination options
                                  header (8 bytes, padding) before UDP
  udp-serve ADDR PORT             answers each datagram with 32 bytes
  tcp ADDR PORT [TIMEOUT] [SRC]   connects (from SRC); prints the first line
  tcp-serve ADDR PORT             sends a banner line to each connection
"""
import socket
import sys

from probes import tcp_banner_serve, tcp_first_line, udp_answer_serve


# <netinet/in.h>: Python's socket module does not name it.
IPV6_DSTOPTS = 59


def udp(addr, port, size=32, timeout=2.0, dstopt=False):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.settimeout(float(timeout))
    if dstopt:
        # Next header (the kernel's), length 0 (8 bytes), PadN of 4.
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_DSTOPTS,
                     bytes([0, 0, 1, 4, 0, 0, 0, 0]))
    try:
        s.sendto(b"q" * int(size), (addr, int(port)))
        r, _ = s.recvfrom(65535)
    except OSError as e:
        print("no answer (%s)" % e)
        return 1
    print("answer: %d bytes" % len(r))
    return 0


def udp_dstopt(addr, port, size=32, timeout=2.0):
    return udp(addr, port, size, timeout, dstopt=True)


def udp_serve(addr, port):
    return udp_answer_serve(addr, port, b"a" * 32)


def tcp(addr, port, timeout=2.0, src=None):
    return tcp_first_line(addr, port, timeout, src)


def tcp_serve(addr, port):
    return tcp_banner_serve(addr, port, b"SSH-2.0-ipv6-lab\r\n")


def main(argv):
    cmds = {"udp": udp, "udp-dstopt": udp_dstopt, "udp-serve": udp_serve,
            "tcp": tcp, "tcp-serve": tcp_serve}
    if len(argv) < 2 or argv[1] not in cmds:
        sys.stderr.write(__doc__)
        return 2
    return cmds[argv[1]](*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
