#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What an IPv4 trie level costs and what one less would, config by config.

    levels.py [--bin BIN] [--addr A.B.C.D] CONF...

An IPv4 address table is a 16-8-8 trie (compile/trie.c): a /16 holding a
boundary between source classes needs a second level, a /24 holding one a
third. Its blocks of 256 entries are stored once however often they
repeat, so a config of 100k /28s costs a few blocks. For each CONF this
reads the source dimension's intervals (`localin check -n --dump`) and
prints, for IPv4:

    the intervals; the trie blocks stored (check's count) and their KiB;
    the /16s with a boundary inside (a second level each) and the /24s
    (a third); what a 16-16 trie would store instead (every such /16 a
    block of 2^16 entries: no third level, and nothing left to share);
    the /16s whose boundaries are all inside one /24, which a root entry
    naming that /24 could walk in two levels (bench/xdp/README.md,
    thirteenth part: built, counted, dropped); and how many levels
    --addr walks (default 100.64.0.48, bench/xdp's denied IKE source).
"""
import argparse
import re
import subprocess

ENTRY = 4  # bytes of a trie entry (ruleset.h)


def ip4(s):
    a = [int(x) for x in s.split(".")]
    return a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3]


def source_v4(binary, conf):
    """The IPv4 source intervals' first addresses, and check's block count."""
    out = subprocess.run([binary, "check", "-c", conf, "-n", "--dump"],
                         capture_output=True, text=True, check=True).stdout
    fam, dim, los, blocks = None, None, [], None
    for line in out.splitlines():
        if line.startswith("ipv4:"):
            fam = 4
        elif line.startswith("ipv6:"):
            fam = 6
        elif re.match(r" \S", line):
            dim = line.split(":")[0].strip()
            m = re.match(r" source: \d+ classes, (\d+) trie blocks", line)
            if m and fam == 4:
                blocks = int(m.group(1))
        m = re.match(r"  (\d+\.\d+\.\d+\.\d+)-\S+ class", line)
        if m and fam == 4 and dim == "source":
            los.append(ip4(m.group(1)))
    if blocks is None:
        raise SystemExit("%s: no IPv4 source table in --dump" % conf)
    return los, blocks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="build/localin")
    ap.add_argument("--addr", default="100.64.0.48")
    ap.add_argument("conf", nargs="+")
    a = ap.parse_args()
    addr = ip4(a.addr)
    print("%-20s %8s %10s %7s %7s %12s %9s %7s" %
          ("config", "intervals", "now KiB", "/16s", "/24s",
           "16-16 MiB", "one-/24", "levels"))
    for conf in a.conf:
        los, blocks = source_v4(a.bin, conf)
        in16 = {lo >> 16 for lo in los if lo & 0xffff}
        in24 = {lo >> 8 for lo in los if lo & 0xff}
        per16 = {}
        for s24 in in24:
            per16.setdefault(s24 >> 8, set()).add(s24)
        one24 = sum(1 for s16 in in16 if len(per16.get(s16, ())) == 1)
        levels = 1 + (addr >> 16 in in16) + (addr >> 8 in in24)
        print("%-20s %8d %10.1f %7d %7d %12.1f %9d %7d" %
              (conf.split("/")[-1], len(los), blocks * 256 * ENTRY / 1024,
               len(in16), len(in24), len(in16) * 65536 * ENTRY / 2**20,
               one24, levels))


if __name__ == "__main__":
    main()
