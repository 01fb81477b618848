#!/usr/bin/env python3
# One include style: every project header by its path under src/
# ("dataplane/maps.h"), found through -Isrc, so that
# `grep '#include "cli/'` shows who depends on a stage (tests/build/
# layering.sh checks the direction). Rewrites src/, tests/ and bench/ in
# place; idempotent. The generated skeleton (-I$(BUILD)) keeps its name.
import os, re, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
src = os.path.join(root, "src")
inc = re.compile(r'^(\s*#\s*include\s+)"([^"]+)"', re.M)
keep = {"localin.skel.h"}

def fix(path):
    d = os.path.dirname(path)
    def rep(m):
        name = m.group(2)
        if name in keep:
            return m.group(0)
        target = os.path.normpath(os.path.join(d, name))
        if not os.path.exists(target) or not target.startswith(src + os.sep):
            return m.group(0)
        return '%s"%s"' % (m.group(1), os.path.relpath(target, src))
    s = open(path).read()
    t = inc.sub(rep, s)
    if t != s:
        open(path, "w").write(t)
        return 1
    return 0

n = 0
for top in ("src", "tests", "bench"):
    for dp, _, files in os.walk(os.path.join(root, top)):
        for f in files:
            if f.endswith((".c", ".h")):
                n += fix(os.path.join(dp, f))
print("rewrote %d files" % n, file=sys.stderr)
