#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The mmdb walk against libmaxminddb's own lookup (mmdblookup): for every
network write-mmdb.pl drew (NETS: "net/len" lines), its first and last
address and the two just outside, the country mmdblookup finds must be the
policy localin's replay drops the packet by (policy i denies the i-th
country, as CONF lists them), or none.

  walkcheck.py BIN MMDB NETS CONF PCAP COUNTRY...
Prints one PASS/FAIL line.
"""
import ipaddress
import subprocess
import sys

bin_, mmdb, nets, conf, pcap = sys.argv[1:6]
countries = sys.argv[6:]

addrs = []
seen = set()
for line in open(nets):
    net = ipaddress.ip_network(line.strip(), strict=False)
    lo, hi = int(net.network_address), int(net.broadcast_address)
    top = (1 << net.max_prefixlen) - 1
    for a in (lo - 1, lo, hi, hi + 1):
        # Once each: a second packet from one source meets its session.
        if 0 <= a <= top and (net.version, a) not in seen:
            seen.add((net.version, a))
            addrs.append(ipaddress.ip_address(a) if net.version == 4
                         else ipaddress.IPv6Address(a))


def oracle(a):
    out = subprocess.run(["mmdblookup", "--file", mmdb, "--ip", str(a)],
                         capture_output=True, text=True).stdout
    for key in ("country", "registered_country"):
        i = out.find('"%s"' % key)
        if i >= 0:
            j = out.find('"iso_code"', i)
            return out[j:].split('"')[3]
    return None


want = []
for n, a in enumerate(addrs, 1):
    cc = oracle(a)
    if cc in countries:
        want.append("%d drop policy %d" % (n, countries.index(cc) + 1))
    else:
        want.append("%d accept implicit 0" % n)
subprocess.run(["/usr/bin/python3", sys.path[0] + "/packets.py", pcap] +
               [str(a) for a in addrs], check=True)
got = subprocess.run([bin_, "replay", "-c", conf, pcap, "--verdicts"],
                     capture_output=True, text=True)
lines = got.stdout.splitlines()
bad = [(str(addrs[i]), w, g) for i, (w, g) in enumerate(zip(want, lines))
       if w != g]
drops = sum(" drop " in w for w in want)
if got.returncode or len(lines) != len(want) or bad:
    print("FAIL geo/mmdb-walk: %d of %d addresses differ from mmdblookup"
          " (exit %d)" % (len(bad) + abs(len(lines) - len(want)), len(want),
                          got.returncode))
    for b in bad[:8]:
        print("    %s: want %s, got %s" % b)
    print(got.stderr[:400])
elif drops < len(want) // 4:
    print("FAIL geo/mmdb-walk: only %d of %d addresses in a country" %
          (drops, len(want)))
else:
    print("PASS geo/mmdb-walk (%d addresses, %d in a country)" %
          (len(want), drops))
