#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""One UDP 500 packet from each source to the gateway (198.51.100.1, or
2001:db8:100::1 for an IPv6 source), into a pcap: tests/geo/run.sh.

  packets.py OUT.pcap SRC...
"""
import sys

from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Ether
from scapy.utils import wrpcap

frames = []
for i, src in enumerate(sys.argv[2:]):
    l3 = IPv6(src=src, dst="2001:db8:100::1") if ":" in src else \
        IP(src=src, dst="198.51.100.1", id=i + 1)
    f = Ether(src="02:00:00:00:00:02", dst="02:00:00:00:00:01") / l3 / \
        UDP(sport=500, dport=500) / (b"\0" * 28)
    f.time = 1718006400 + i
    frames.append(f)
wrpcap(sys.argv[1], frames)
