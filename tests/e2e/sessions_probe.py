# SPDX-License-Identifier: GPL-2.0
"""The clients, small servers and forged packets of tests/e2e/sessions.sh.

Run inside one of the test's network namespaces; traffic goes only to the
address given on the command line (one of the test's namespaces).

  dns SERVER NAME [TIMEOUT]    an A query; prints the address, exit 1 if none
  http URL [TIMEOUT]           a download; prints its size and sha256
  udp SERVER PORT [TIMEOUT]    an NTP-style client request; prints the reply
  udp-serve ADDR PORT          answers each datagram NTP-style (48 bytes)
  tcp SERVER PORT [TIMEOUT]    connects; prints the first line the server sent
  tcp-serve ADDR PORT          sends a banner line to each connection
  idle-serve ADDR PORT DIR      takes one connection, then sends "msg N"
                               on it when the file DIR/poke.N appears
  idle-client SERVER PORT FILE  connects and appends each line it gets to
                               FILE: an idle connection whose remote
                               speaks next (a BGP or SSH session)
  spoof-udp SRC DST SPORT DPORT     one datagram (scapy); prints the answer
  spoof-ack SRC DST SPORT DPORT     one TCP ACK, no connection; the answer

The spoof commands print "no answer" or the answer's summary (an ICMP port
unreachable, a RST): the gateway's kernel answers both when nothing drops
them first. They wait 2 s for it; an answer to a forged source that is not
this host's own goes to that source and cannot be seen here.
"""
import hashlib
import os
import socket
import struct
import sys
import time
import urllib.request

from probes import tcp_banner_serve, tcp_first_line, udp_answer_serve


def dns(server, name, timeout=3.0):
    qid = 0x5e55
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack("!HH", 1, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(float(timeout))
    s.sendto(q, (server, 53))
    try:
        r, _ = s.recvfrom(4096)
    except socket.timeout:
        print("no answer")
        return 1
    ident, flags, _, an = struct.unpack("!HHHH", r[:8])
    # The answer's last record: an A record's 4 bytes end the message.
    if ident != qid or flags & 0x000F or an < 1 or len(r) < 16:
        print("bad answer: flags %#x, %d answers" % (flags, an))
        return 1
    print(socket.inet_ntoa(r[-4:]))
    return 0


def http(url, timeout=10.0):
    try:
        with urllib.request.urlopen(url, timeout=float(timeout)) as f:
            body = f.read()
    except OSError as e:
        print("no download: %s" % e)
        return 1
    print(len(body), hashlib.sha256(body).hexdigest())
    return 0


NTP_REQ = bytes([0x23]) + bytes(47)  # LI 0, version 4, mode 3 (client)


def udp(server, port, timeout=3.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(float(timeout))
    s.sendto(NTP_REQ, (server, int(port)))
    try:
        r, _ = s.recvfrom(4096)
    except socket.timeout:
        print("no answer")
        return 1
    if len(r) != 48 or r[0] & 7 != 4:
        print("not an NTP-style reply: %d bytes" % len(r))
        return 1
    print("reply: %d bytes, mode %d, stratum %d" % (len(r), r[0] & 7, r[1]))
    return 0


def udp_serve(addr, port):
    # LI 0, version 4, mode 4 (server), stratum 2.
    return udp_answer_serve(addr, port, bytes([0x24, 2]) + bytes(46))


def tcp(server, port, timeout=3.0):
    return tcp_first_line(server, port, timeout)


def tcp_serve(addr, port):
    return tcp_banner_serve(addr, port, b"SSH-2.0-sessions-lab\r\n")


def spoof(kind, src, dst, sport, dport):
    import logging
    logging.getLogger("scapy").setLevel(logging.ERROR)
    from scapy.all import IP, TCP, UDP, Raw, conf, sr1
    conf.verb = 0
    ip = IP(src=src, dst=dst)
    if kind == "udp":
        # The header of a DNS response, as a reply to a query would be.
        pkt = ip / UDP(sport=int(sport), dport=int(dport)) / \
            Raw(struct.pack("!HHHHHH", 0x1234, 0x8180, 1, 1, 0, 0))
    else:
        pkt = ip / TCP(sport=int(sport), dport=int(dport), flags="A",
                       seq=1000, ack=2000)
    ans = sr1(pkt, timeout=2)
    print("no answer" if ans is None else "answer: " + ans.summary())
    return 0


def idle_serve(addr, port, pokes):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.listen(1)
    c, _ = s.accept()
    n = 0
    while True:
        if os.path.exists("%s/poke.%d" % (pokes, n)):
            c.sendall(b"msg %d\n" % n)
            n += 1
        time.sleep(0.05)


def idle_client(server, port, out):
    c = socket.create_connection((server, int(port)), timeout=10)
    c.settimeout(None)
    with open(out, "a", buffering=1) as f:
        for line in c.makefile():
            f.write(line)
    return 0


def main(argv):
    cmds = {"dns": dns, "http": http, "udp": udp, "udp-serve": udp_serve,
            "tcp": tcp, "tcp-serve": tcp_serve, "idle-serve": idle_serve,
            "idle-client": idle_client,
            "spoof-udp": lambda *a: spoof("udp", *a),
            "spoof-ack": lambda *a: spoof("ack", *a)}
    if len(argv) < 2 or argv[1] not in cmds:
        print("usage: see the docstring", file=sys.stderr)
        return 2
    return cmds[argv[1]](*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
