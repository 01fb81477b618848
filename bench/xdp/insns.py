#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Instructions an XDP program takes for one frame, counted outside the kernel.

    insns.py OBJ DUMP FRAME [--lines] [--trace] [--chain[=W] [--path] [--miss=N]]

OBJ is the program's object (its section "xdp", read through llvm-objdump),
DUMP a directory `bench -d` wrote (dump.c: the program's maps after the
timed runs), FRAME a raw frame. The program runs twice over the maps (the
first run may change them: a session, an event bucket refused), and the
second run's count is printed with its helper calls and its verdict:

    insns 597 inlined 625 verdict 2 calls map_lookup=5 jiffies64=1

--lines adds the count of each source line the run went through (an object
built with -g: localin's build/localin.tmp.bpf.o). --trace prints the second
run's instructions in the order they ran, each with its source line: where
a change's few instructions went (spills and moves clang gave no line).

--chain adds what a model of an out-of-order core makes of that run:
an instruction starts once its inputs are ready (registers, and for a
load the bytes' last store) and not before its place in the run allows
(i / W, default 6: as many a cycle), and takes 4 cycles if it
loads (an L1 hit), 3 for a multiply, 0 for a register move, 1
otherwise; a taken or untaken branch costs nothing (the bench repeats
one frame, so every branch is predicted). It prints when the last
finishes ("cycles"), --path the chain of instructions that decided it.
The count says how much work a frame is, this what it waits for: a
level of a trie is a load that waits for the one before. It is a model,
not a timing. On the one change both measured (a trie level as an add
and a load, bench/xdp/README.md, thirteenth part) it gave the
three-level denied cells 3 cycles less and pfx1's and pol1000's none,
where the paired rounds measured 0.5-1.3 ns less and -0.3 to +0.35 ns;
a change it favours still has to be timed (compare.sh).

--miss=N makes a load of a map's bytes take N cycles instead of 4 (the
stack, the packet and the context stay at 4; an inlined lookup's key
too): a line that the kernel's work between packets evicted from L1, as
in a flood rather than the bench's loop of one frame (an L2 hit is about
14 on Zen 3). Then what a frame waits for is its number of dependent map
reads. One point to hold it against (bench/xdp/README.md, fifteenth
part): on the SRSO kind, pfx1's denied frame with --miss=14 over the
same without is 1.5, and localin's program in bench/flood (PERF=1, 107
ns a packet) over bench/xdp's (about 53 ns above XDP_PASS) 2.0: the
model leaves out at least the code's own lines.

These are the object's instructions, before the verifier: it inlines the
array lookups (a call here, about six instructions there) and jiffies64
(a load). "inlined" counts those as the kernel runs them (INLINED: the
verifier's code for them on 6.18, bypass_spec_v1 as for root); a hash
map's lookup stays a call into the kernel, one instruction. Timings on a
shared machine move by a few ns between runs, this count does not: the
same object, maps and frame always give the same number
(bench/xdp/README.md). Only what bench/xdp's programs use is
emulated; anything else stops with the instruction it does not know.
"""
import collections
import os
import re
import struct
import subprocess
import sys

M32 = (1 << 32) - 1
M64 = (1 << 64) - 1
HELPERS = {1: 'map_lookup', 2: 'map_update', 3: 'map_delete', 5: 'ktime_ns',
           118: 'jiffies64', 131: 'ringbuf_reserve', 132: 'ringbuf_submit',
           133: 'ringbuf_discard', 134: 'ringbuf_query', 160: 'ktime_coarse'}
FMT = {1: '<B', 2: '<H', 4: '<I', 8: '<Q'}
# What the verifier makes of a call, in instructions run (the call itself
# one): an array map's lookup (map type 2) adds the value's offset, loads
# the key, bounds it, scales it, adds and jumps over the NULL; a per-CPU
# array's (6) also reads the CPU's pointer (array_map_gen_lookup,
# percpu_array_map_gen_lookup); jiffies64 is a 64-bit address and a load.
INLINED = {('map_lookup', 2): 6, ('map_lookup', 6): 8, ('jiffies64', None): 2}


def objdump(obj, *args):
    return subprocess.run(['llvm-objdump', *args, obj], capture_output=True,
                          text=True, check=True).stdout


def disassemble(obj, lines):
    """{index: [text, relocated symbol, source line]} of section xdp's first program."""
    out = objdump(obj, '-dr', '--no-show-raw-insn', *(['-l'] if lines else []))
    insns, sect, prog, src, last = {}, None, None, '?', None
    for line in out.splitlines():
        m = re.match(r'^Disassembly of section (\S+):', line)
        if m:
            sect = m.group(1)
            continue
        m = re.match(r'^[0-9a-f]+ <(\w+)>:', line)
        if m:
            if sect == 'xdp' and prog is None and not m.group(1).startswith('LBB'):
                prog = m.group(1)
            elif not m.group(1).startswith('LBB') and m.group(1) != prog:
                sect = None
            continue
        if sect != 'xdp':
            continue
        if line.startswith('; '):
            src = line[2:].strip()
            continue
        m = re.match(r'^\s+[0-9a-f]+:\s+R_BPF_64_64\s+(\S+)', line)
        if m and last is not None:
            insns[last][1] = m.group(1)
            continue
        m = re.match(r'^\s+(\d+):\s+(.*)$', line)
        if m:
            last = int(m.group(1))
            insns[last] = [m.group(2).strip(), None, src]
    if not insns:
        sys.exit('insns.py: %s: no program in section xdp' % obj)
    return insns


GLOBAL_SECTIONS = ('.rodata', '.bss')


def global_symbols(obj):
    """The program's globals: name -> (its section, its offset there)."""
    syms = {}
    for line in objdump(obj, '-t').splitlines():
        f = line.split()
        for sec in GLOBAL_SECTIONS:
            if len(f) >= 2 and sec in f:
                syms[f[-1]] = (sec, int(f[0], 16))
    return syms


class Memory:
    """Regions of bytes; a pointer is region << 32 | offset."""

    def __init__(self):
        self.regions, self.names = {}, {}
        self.log = None   # --chain: (is a store, address, size) of each access

    def region(self, name, data):
        rid = len(self.regions) + 1
        self.regions[rid], self.names[rid] = data, name
        return rid << 32

    def at(self, p, size):
        rid, off = p >> 32, p & M32
        buf = self.regions.get(rid)
        if buf is None or off + size > len(buf):
            raise RuntimeError('access of %d bytes at %s+%d' %
                               (size, self.names.get(rid, '?'), off))
        return buf, off

    def load(self, p, size):
        buf, off = self.at(p, size)
        if self.log is not None:
            self.log.append((False, p, size))
        return struct.unpack_from(FMT[size], buf, off)[0]

    def store(self, p, size, v):
        buf, off = self.at(p, size)
        if self.log is not None:
            self.log.append((True, p, size))
        struct.pack_into(FMT[size], buf, off, v & ((1 << (8 * size)) - 1))

    def read(self, p, n):
        buf, off = self.at(p, n)
        return bytes(buf[off:off + n])


def load_maps(mem, dump):
    maps = {}
    for line in open(os.path.join(dump, 'maps.txt')):
        name, typ, ks, vs, n = line.split()
        ks, vs, n = int(ks), int(vs), int(n)
        kind = 'arr' if os.path.exists(os.path.join(dump, name + '.arr')) else 'hash'
        data = bytearray(open(os.path.join(dump, name + '.' + kind), 'rb').read())
        m = {'ks': ks, 'vs': vs, 'n': n, 'kind': kind, 'type': int(typ)}
        if kind == 'arr':
            m['base'] = mem.region(name, data)
        else:
            m['h'] = {}
            for i in range(0, len(data), ks + vs):
                m['h'][bytes(data[i:i + ks])] = mem.region(name, data[i + ks:i + ks + vs])
        maps[name] = m
    return maps


def sx(v, bits):
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def run(insns, mem, maps, rodata, ctx, clock, trace=False, steps=None):
    """One run to exit: (count, count inlined, r0, calls, lines). With a
    list @steps, each instruction run is appended to it as (pc, its text,
    its source line, the memory it read and wrote: Memory.log's entries)."""
    R = [0] * 11
    stack = mem.region('stack', bytearray(512))
    R[1], R[10] = ctx['ptr'], stack + 512
    tokens = {}   # map token -> map name
    count, calls, lines = 0, collections.Counter(), collections.Counter()
    inlined = 0
    ringbuf = mem.region('ringbuf', bytearray(4096))

    def val(tok):
        if re.match(r'^[rw]\d+$', tok):
            return R[int(tok[1:])]
        return int(tok, 0) & M64

    def addr(reg, sign, off):
        return (val(reg) + (int(off) if sign == '+' else -int(off))) & M64

    def key(p, m):
        return mem.read(p, m['ks'])

    pc = min(insns)
    while True:
        t, reloc, src = insns[pc]
        count += 1
        if steps is not None:
            mem.log = []
            steps.append((pc, t, src, mem.log))
        lines[src] += 1
        if trace:
            print('%5d %-40s %s' % (pc, t, src))
        nxt = pc + 1
        m = re.match(r'^[rw](\d+) = (-?\d+) ll$', t)
        if m:
            d = int(m.group(1))
            if reloc in rodata and rodata[reloc][0] in rodata['.maps']:
                sec, off = rodata[reloc]
                R[d] = maps[rodata['.maps'][sec]]['base'] + off + int(m.group(2))
            elif reloc:
                tok = mem.region('map ' + reloc, bytearray(8))
                tokens[tok] = reloc
                R[d] = tok
            else:
                R[d] = int(m.group(2)) & M64
            pc += 2
            continue
        m = re.match(r'^[rw](\d+) = \*\(u(\d+) \*\)\((r\d+) ([+-]) (\d+)\)$', t)
        if m:
            a = addr(m.group(3), m.group(4), m.group(5))
            if a >> 32 == ctx['ptr'] >> 32:
                R[int(m.group(1))] = ctx['fields'][a & M32]
            else:
                R[int(m.group(1))] = mem.load(a, int(m.group(2)) // 8)
            pc = nxt
            continue
        m = re.match(r'^\*\(u(\d+) \*\)\((r\d+) ([+-]) (\d+)\) = (\S+)$', t)
        if m:
            mem.store(addr(m.group(2), m.group(3), m.group(4)),
                      int(m.group(1)) // 8, val(m.group(5)))
            pc = nxt
            continue
        m = re.match(r'^lock \*\(u(\d+) \*\)\((r\d+) ([+-]) (\d+)\) \+= (\S+)$', t)
        if m:
            a, size = addr(m.group(2), m.group(3), m.group(4)), int(m.group(1)) // 8
            mem.store(a, size, mem.load(a, size) + val(m.group(5)))
            pc = nxt
            continue
        m = re.match(r'^if ([rw])(\d+) (\S+) (\S+) goto ([+-]\d+)', t)
        if m:
            bits = 32 if m.group(1) == 'w' else 64
            mk = (1 << bits) - 1
            a, b = R[int(m.group(2))] & mk, val(m.group(4)) & mk
            taken = {'==': a == b, '!=': a != b, '>': a > b, '>=': a >= b,
                     '<': a < b, '<=': a <= b, '&': a & b != 0,
                     's>': sx(a, bits) > sx(b, bits), 's>=': sx(a, bits) >= sx(b, bits),
                     's<': sx(a, bits) < sx(b, bits), 's<=': sx(a, bits) <= sx(b, bits)}[m.group(3)]
            pc = pc + 1 + int(m.group(5)) if taken else nxt
            continue
        m = re.match(r'^goto ([+-]\d+)', t)
        if m:
            pc = pc + 1 + int(m.group(1))
            continue
        m = re.match(r'^call (\d+)$', t)
        if m:
            h = int(m.group(1))
            calls[HELPERS.get(h, str(h))] += 1
            name = tokens.get(R[1])
            typ = maps[name]['type'] if h == 1 and name in maps else None
            inlined += INLINED.get((HELPERS.get(h), typ), 1) - 1
            if h in (1, 2) and name not in maps:
                raise RuntimeError('call %d on map %s, not dumped' % (h, name))
            if h == 1:
                mp = maps[name]
                if mp['kind'] == 'arr':
                    k = mem.load(R[2], 4)
                    R[0] = mp['base'] + k * mp['vs'] if k < mp['n'] else 0
                else:
                    R[0] = mp['h'].get(key(R[2], mp), 0)
            elif h == 2:
                mp = maps[name]
                v = mem.read(R[3], mp['vs'])
                if mp['kind'] == 'arr':
                    k = mem.load(R[2], 4)
                    buf, off = mem.at(mp['base'] + k * mp['vs'], mp['vs'])
                    buf[off:off + mp['vs']] = v
                else:
                    mp['h'][key(R[2], mp)] = mem.region(name, bytearray(v))
                R[0] = 0
            elif h in (5, 160):
                R[0] = clock[1]
            elif h == 118:
                R[0] = clock[0]
            elif h == 131:
                R[0] = ringbuf
            elif h in (132, 133, 134):
                R[0] = 0
            else:
                raise RuntimeError('helper %d at %d: not emulated' % (h, pc))
            R[1:6] = [0] * 5
            pc = nxt
            continue
        if t == 'exit':
            return count, count + inlined, R[0], calls, lines
        m = re.match(r'^[rw](\d+) = be(\d+) [rw]\d+$', t)
        if m:
            d, bits = int(m.group(1)), int(m.group(2))
            R[d] = int.from_bytes((R[d] & ((1 << bits) - 1)).to_bytes(bits // 8, 'little'), 'big')
            pc = nxt
            continue
        m = re.match(r'^([rw])(\d+) = -[rw]\d+$', t)
        if m:
            R[int(m.group(2))] = -R[int(m.group(2))] & (M32 if m.group(1) == 'w' else M64)
            pc = nxt
            continue
        m = re.match(r'^([rw])(\d+) (\S*)= (\S+)$', t)
        if m:
            bits = 32 if m.group(1) == 'w' else 64
            mk, d, op = (1 << bits) - 1, int(m.group(2)), m.group(3)
            a, b = R[d] & mk, val(m.group(4)) & mk
            r = {'': lambda: b, '+': lambda: a + b, '-': lambda: a - b,
                 '*': lambda: a * b, '/': lambda: a // b if b else 0,
                 '%': lambda: a % b if b else a, '&': lambda: a & b,
                 '|': lambda: a | b, '^': lambda: a ^ b,
                 '<<': lambda: a << (b & (bits - 1)), '>>': lambda: a >> (b & (bits - 1)),
                 's>>': lambda: sx(a, bits) >> (b & (bits - 1))}.get(op)
            if r is None:
                raise RuntimeError('instruction %d: %s' % (pc, t))
            R[d] = r() & mk
            pc = nxt
            continue
        raise RuntimeError('instruction %d: %s' % (pc, t))


def chain(steps, width, load=4, miss=None, cold=lambda a: False):
    """--chain's model over run()'s @steps: (cycles, the deciding chain as
    steps' indices). With @miss, a load of bytes where @cold(address)
    takes @miss cycles, not @load (--miss), unless this run stored them
    (the store forwards them)."""
    reg, byte, done = {}, {}, []   # ready (cycle, step) of each

    def lat_of(acc):
        if miss and any(not st and cold(a) and b not in byte
                        for st, a, n in acc for b in range(a, a + n)):
            return miss
        return load

    for i, (_, t, _, acc) in enumerate(steps):
        deps = [(i / width, None)]
        dst, lat, stores = None, 1, False
        reads = [byte.get(b, (0, None)) for st, a, n in acc if not st
                 for b in range(a, a + n)]
        m = re.match(r'^[rw](\d+) = \*\(u\d+ \*\)\((r\d+) [+-] \d+\)$', t)
        if m:
            dst, lat = m.group(1), lat_of(acc)
            deps += [reg.get(m.group(2)[1:], (0, None))] + reads
        elif t.startswith('*(') or t.startswith('lock '):
            deps += [reg.get(r, (0, None)) for r in re.findall(r'r(\d+)', t)]
            stores, lat = True, 0
            if t.startswith('lock '):
                deps += reads
                lat = lat_of(acc) + 1
        elif t.startswith('call'):
            # an inlined array lookup: the key read from the stack, a few
            # operations; jiffies64, a load
            dst, lat = '0', load + 3
            deps += [reg.get('1', (0, None)), reg.get('2', (0, None))] + reads
        elif t.startswith(('if ', 'goto', 'exit')):
            deps += [reg.get(r, (0, None))
                     for r in re.findall(r'\b[rw](\d+)\b', t)]
            lat = 0
        else:
            m = re.match(r'^[rw](\d+) (\S*)= (.*)$', t)
            if m:
                dst, op, rhs = m.groups()
                srcs = re.findall(r'\b[rw](\d+)\b', rhs)
                # a plain register copy is renamed away; a negation or
                # a byte swap (rX = -rX, rX = be16 rX) is an operation
                if not op and re.fullmatch(r'[rw]\d+', rhs):
                    lat = 0
                elif op == '*':
                    lat = 3
                if ' ll' not in rhs:
                    deps += [reg.get(r, (0, None)) for r in srcs]
                    if op:
                        deps.append(reg.get(dst, (0, None)))
        start = max(deps, key=lambda d: d[0])
        end = (start[0] + lat, start[1])
        if dst is not None:
            reg[dst] = (end[0], i)
        if stores:
            for st, a, n in acc:
                if st:
                    for b in range(a, a + n):
                        byte[b] = (end[0], i)
        done.append(end)
    last = max(range(len(done)), key=lambda i: done[i][0])
    path, i = [], last
    while i is not None:
        path.append(i)
        i = done[i][1]
    return done[last][0], [(i, done[i][0]) for i in reversed(path)]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    if len(args) != 3:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    obj, dump, frame = args
    lines = '--lines' in sys.argv
    insns = disassemble(obj, lines or '--trace' in sys.argv or
                        '--path' in sys.argv)
    rodata = global_symbols(obj)
    mem = Memory()
    maps = load_maps(mem, dump)
    # the internal maps as the kernel names them ("localin_.rodata")
    rodata['.maps'] = {sec: n for n in maps for sec in GLOBAL_SECTIONS
                       if n.endswith(sec)}
    clock = (1, 1000000000)
    cl = os.path.join(dump, 'clock.txt')
    if os.path.exists(cl) and open(cl).read().split():
        clock = tuple(int(x) for x in open(cl).read().split()[:2])
    data = open(frame, 'rb').read()
    # as bench's timed runs: no test metadata (data_meta is data), the
    # arrival interface bench.h's IFINDEX (1) in ingress_ifindex
    pkt = mem.region('packet', bytearray(data))
    ctx = {'ptr': mem.region('ctx', bytearray(24)),
           'fields': {0: pkt, 4: pkt + len(data), 8: pkt, 12: 1, 16: 0,
                      20: 0}}
    width = [a.split('=', 1)[1] if '=' in a else '6'
             for a in sys.argv if a.startswith('--chain')]
    steps = [] if width else None
    run(insns, mem, maps, rodata, ctx, clock)
    count, inl, r0, calls, per_line = run(insns, mem, maps, rodata, ctx,
                                          clock, '--trace' in sys.argv, steps)
    mem.log = None
    print('insns %d inlined %d verdict %d calls %s' % (count, inl, r0, ' '.join(
        '%s=%d' % kv for kv in sorted(calls.items()))))
    miss = [int(a.split('=', 1)[1]) for a in sys.argv
            if a.startswith('--miss=')]
    if width:
        # --miss: every map's bytes; the stack, the packet and the
        # context stay in L1 (the frame was just written there)
        hot = {'stack', 'packet', 'ctx'}
        cycles, path = chain(steps, float(width[0]), 4,
                             miss[0] if miss else None,
                             lambda a: mem.names.get(a >> 32) not in hot)
        print('chain %.1f cycles (width %s, load 4%s)' % (
            cycles, width[0], ', a map\'s %d' % miss[0] if miss else ''))
        if '--path' in sys.argv:
            for i, at in path:
                pc, t, src, _ = steps[i]
                print('%7.1f %5d %-40s %s' % (at, pc, t, src))
    if lines:
        for src, n in per_line.most_common():
            print('%5d %s' % (n, src))


if __name__ == '__main__':
    main()
