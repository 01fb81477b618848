#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Generate a large FortiOS config for the compile benchmark, and optionally
the equivalent nftables ruleset (same prefixes in named interval sets) for
the `nft -c` anchor.

  gen.py --addrs N [--policies P] [--seed S] --out FILE [--nft FILE]

Addresses: half /32 hosts, 30 % /24 subnets, 20 % ipranges, clustered in
N/25 "sites" (/24s) spread over 10/8, 172.16/12, 192.168/16 and public
space, as a large estate's address book is. Groups of 50 addresses; about a
third of them exclude a host that lies inside one of their subnets; one
group in 25 starts a supergroup of five. Groups follow the address plan
(consecutive addresses), with --mix of the members placed at random. Policies: the seed policy,
then P policies over interfaces, groups (sometimes two, sometimes a single
host, sometimes negated), the gateway's addresses and predefined services.
Only the standard library: Debian's python3 runs it as is.
"""
import argparse
import ipaddress
import random

SERVICES = {
    # FortiOS predefined service -> nftables match (empty = any)
    "IKE": "udp dport { 500, 4500 }",
    "ESP": "meta l4proto esp",
    "HTTPS": "tcp dport 443",
    "SSH": "tcp dport 22",
    "PING": "icmp type echo-request",
    "ALL": "",
    "DNS": "meta l4proto { tcp, udp } th dport 53",
    "NTP": "meta l4proto { tcp, udp } th dport 123",
    "SNMP": "meta l4proto { tcp, udp } th dport 161-162",
    "BGP": "tcp dport 179",
}
INTFS = ["wan1", "wan2", "wan3", "wan4", "any"]
GW = ["198.51.100.1", "198.51.100.2", "203.0.113.1", "203.0.113.2"]


def sites(rng, n):
    pools = [(10 << 24, 8), (172 << 24 | 16 << 16, 12),
             (192 << 24 | 168 << 16, 16), (45 << 24, 8), (100 << 24, 10)]
    out = set()
    while len(out) < n:
        base, plen = rng.choice(pools)
        out.add(base + (rng.randrange(1 << (24 - plen)) << 8))
    return sorted(out)


def ip(v):
    return str(ipaddress.IPv4Address(v))


def make_addresses(rng, n):
    """Return a list of (name, lo, hi, kind)."""
    st = sites(rng, max(64, n // 25))
    addrs, seen = [], set()
    for i in range(n):
        r = rng.random()
        site = rng.choice(st)
        if r < 0.5:
            kind, lo = "h", site + rng.randrange(256)
            hi = lo
        elif r < 0.8:
            kind = "n"
            lo = site + (rng.randrange(-64, 64) << 8) if rng.random() < 0.5 else site
            lo &= 0xffffffff
            hi = lo + 255
        else:
            kind = "r"
            a, b = sorted((rng.randrange(256), rng.randrange(256)))
            lo, hi = site + a, site + b
        key = (lo, hi)
        if key in seen:  # two objects with one range is fine, but keep names meaningful
            pass
        seen.add(key)
        addrs.append(("%s-%d" % (kind, i), lo, hi, kind))
    return addrs


def merge(ranges):
    out = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return out


def subtract(a, b):
    out, j = [], 0
    for lo, hi in a:
        cur = lo
        while j < len(b) and b[j][1] < cur:
            j += 1
        k = j
        while k < len(b) and b[k][0] <= hi and cur <= hi:
            if b[k][0] > cur:
                out.append([cur, b[k][0] - 1])
            cur = max(cur, b[k][1] + 1)
            k += 1
        if cur <= hi:
            out.append([cur, hi])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--addrs", type=int, required=True)
    ap.add_argument("--policies", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--nft")
    ap.add_argument("--mix", type=float, default=0.2,
                    help="share of group members placed at random (1 = all)")
    ap.add_argument("--negate", type=float, default=0.005,
                    help="share of policies with srcaddr-negate")
    ap.add_argument("--one-group", action="store_true",
                    help="every address in one group (one `set member` "
                    "line), no supergroups")
    a = ap.parse_args()
    rng = random.Random(a.seed)

    addrs = make_addresses(rng, a.addrs)
    by_name = {x[0]: x for x in addrs}
    # Groups follow the address plan (objects of one site end up in one
    # group), with a fifth of the members swapped at random between groups.
    order = sorted(range(len(addrs)), key=lambda i: addrs[i][1])
    for i in range(len(order)):
        if rng.random() < a.mix / 2:
            j = rng.randrange(len(order))
            order[i], order[j] = order[j], order[i]
    groups = []  # (name, members, excludes)
    excl_hosts = []
    size = len(order) if a.one_group else 50
    for g in range(0, len(order), size):
        members = [addrs[i][0] for i in order[g:g + size]]
        excludes = []
        nets = [m for m in members if by_name[m][3] == "n"]
        if nets and rng.random() < 0.35:
            net = by_name[rng.choice(nets)]
            h = net[1] + rng.randrange(256)
            name = "x-%d" % len(excl_hosts)
            excl_hosts.append((name, h, h, "x"))
            by_name[name] = excl_hosts[-1]
            excludes.append(name)
        groups.append(("grp-%d" % len(groups), members, excludes))
    supers = []
    for s in range(0, 0 if a.one_group else len(groups), 25):
        supers.append(("super-%d" % len(supers), [g[0] for g in groups[s:s + 5]]))

    out = []
    w = out.append
    w("config system interface")
    for i, name in enumerate(INTFS[:-1]):
        w('    edit "%s"' % name)
        w("        set ip 198.51.%d.1 255.255.255.0" % (100 + i))
        w("    next")
    w("end")
    w("config firewall address")
    for name, lo, hi, kind in addrs + excl_hosts:
        w('    edit "%s"' % name)
        if lo == hi:
            w("        set subnet %s 255.255.255.255" % ip(lo))
        elif kind == "n":
            w("        set subnet %s 255.255.255.0" % ip(lo))
        else:
            w("        set type iprange")
            w("        set start-ip %s" % ip(lo))
            w("        set end-ip %s" % ip(hi))
        w("    next")
    for i, g in enumerate(GW):
        w('    edit "gw-%d"' % i)
        w("        set subnet %s 255.255.255.255" % g)
        w("    next")
    w('    edit "remote-vpn"')
    w("        set subnet 203.0.113.10 255.255.255.255")
    w("    next")
    w("end")
    w("config firewall addrgrp")
    w('    edit "All_exceptions"')
    w('        set member "all"')
    w("        set exclude enable")
    w('        set exclude-member "remote-vpn"')
    w("    next")
    for name, members, excludes in groups:
        w('    edit "%s"' % name)
        w("        set member " + " ".join('"%s"' % m for m in members))
        if excludes:
            w("        set exclude enable")
            w("        set exclude-member " + " ".join('"%s"' % x for x in excludes))
        w("    next")
    for name, members in supers:
        w('    edit "%s"' % name)
        w("        set member " + " ".join('"%s"' % m for m in members))
        w("    next")
    w("end")

    # Effective interval sets, for the nftables twin.
    eff = {}
    for name, lo, hi, _ in addrs + excl_hosts:
        eff[name] = [[lo, hi]]
    for name, members, excludes in groups:
        m = merge([r for x in members for r in eff[x]])
        x = merge([r for e in excludes for r in eff[e]])
        eff[name] = subtract(m, x) if x else m
    for name, members in supers:
        eff[name] = merge([r for g in members for r in eff[g]])

    w("config firewall local-in-policy")
    w("    edit 1")
    w('        set intf "wan1"')
    w('        set srcaddr "All_exceptions"')
    w('        set dstaddr "all"')
    w('        set service "IKE"')
    w('        set schedule "always"')
    w("    next")
    rules = ['iifname "wan1" ip saddr != 203.0.113.10 udp dport { 500, 4500 } drop']
    gnames = [g[0] for g in groups]
    snames = [s[0] for s in supers]
    pols = []
    for _ in range(a.policies):
        # Mostly one group; sometimes a group plus a host, a supergroup, or
        # a handful of single addresses, as hand-written policies are.
        r = rng.random()
        if r < 0.6 or not snames:
            srcs = [rng.choice(gnames)]
        elif r < 0.7:
            srcs = [rng.choice(snames)]
        elif r < 0.85:
            srcs = [rng.choice(gnames), rng.choice(addrs)[0]]
        else:
            srcs = sorted({rng.choice(addrs)[0] for _ in range(rng.randrange(1, 4))})
        pols.append({
            "intf": rng.choice(INTFS),
            "srcs": srcs,
            "dst": "all" if rng.random() < 0.7 else "gw-%d" % rng.randrange(len(GW)),
            "svc": rng.choice(list(SERVICES)),
            "accept": rng.random() < 0.5,
            "negate": rng.random() < a.negate,
        })
    # "Everyone but these" policies are catch-alls: they close the table.
    pols.sort(key=lambda p: p["negate"])
    for pid, p in enumerate(pols, start=2):
        w("    edit %d" % pid)
        w('        set intf "%s"' % p["intf"])
        w("        set srcaddr " + " ".join('"%s"' % s for s in p["srcs"]))
        w('        set dstaddr "%s"' % p["dst"])
        if p["accept"]:
            w("        set action accept")
        w('        set service "%s"' % p["svc"])
        w('        set schedule "always"')
        if p["negate"]:
            w("        set srcaddr-negate enable")
        w("    next")
        # nft: one rule per source object (same action, so same first
        # match), except negated, where the union must be one set.
        m = []
        if p["intf"] != "any":
            m.append('iifname "%s"' % p["intf"])
        if p["dst"] != "all":
            m.append("ip daddr %s" % GW[int(p["dst"][3:])])
        if SERVICES[p["svc"]]:
            m.append(SERVICES[p["svc"]])
        verdict = "accept" if p["accept"] else "drop"
        srcs = p["srcs"]
        if p["negate"]:
            if len(srcs) == 1:
                setname = srcs[0].replace("-", "_")
            else:
                setname = "p%d" % pid
                eff[setname] = merge([r for s in srcs for r in eff[s]])
            rules.append(" ".join(["ip saddr != @" + setname] + m + [verdict]))
        else:
            for s in srcs:
                rules.append(" ".join(["ip saddr @" + s.replace("-", "_")] + m + [verdict]))
    w("end")
    with open(a.out, "w") as f:
        f.write("\n".join(out) + "\n")

    if a.nft:
        used = set()
        for r in rules:
            for tok in r.split():
                if tok.startswith("@"):
                    used.add(tok[1:])
        names = {n.replace("-", "_"): n for n in eff}
        with open(a.nft, "w") as f:
            f.write("table inet localin {\n")
            for sname in sorted(used):
                ranges = eff[names[sname]]
                f.write("\tset %s {\n\t\ttype ipv4_addr\n\t\tflags interval\n" % sname)
                if ranges:
                    elems = ", ".join(ip(lo) if lo == hi else "%s-%s" % (ip(lo), ip(hi))
                                      for lo, hi in ranges)
                    f.write("\t\telements = { %s }\n" % elems)
                f.write("\t}\n")
            f.write("\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n")
            for r in rules:
                f.write("\t\t%s\n" % r)
            f.write("\t}\n}\n")


if __name__ == "__main__":
    main()
