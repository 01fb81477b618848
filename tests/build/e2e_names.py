# SPDX-License-Identifier: GPL-2.0
"""Every name an end-to-end script makes starts with its prefix.

Sessions that share a machine run the same suites side by side, each with
LI_E2E_NS=xy of its own (the lab: LAB=xy); a name hard-coded in a script
(li-e2b-PID, a4x-rl-gw-PID) is the same in both, and one run's cleanup
could take another's namespace. tests/e2e/lib.sh makes the names:
run_name TAG (PREFIX-TAG-PID) and link_name TAG (the same, cut to an
interface name's 15 bytes). This reads tests/e2e/*.sh as text and says,
one PASS or FAIL line a script, where
  - a name is stamped with the pid ($$) anywhere but in run_name;
  - a namespace, user or group (ip netns add, useradd, groupadd), or a
    link made in the machine's own namespace, is named by a literal or
    by a variable not taken from run_name, link_name or setup_run;
  - a link made inside one of the run's namespaces (ip -n NS, netns NS)
    is named by a variable not taken from them: a literal there (peer0,
    wan1) is seen by no one else, and is fine;
  - a temporary file or directory (mktemp) is not named by run_name;
  - the lab's LAB is set without LI_E2E_NS.
A positional parameter ($1) passes: the function's callers hand it a
name this checks where they make it.

	python3 tests/build/e2e_names.py [DIR]
"""
import glob
import os
import re
import sys

SUITE = "build/e2e_names"
# Set by lib.sh's setup_run from run_name and link_name.
FROM_SETUP_RUN = {"GW", "PEER", "IF"}
MADE_BY = re.compile(r"\$\((run_name|link_name) ")
ASSIGN = re.compile(r"^\s*(?:local\s+|export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
VAR = re.compile(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")
POSITIONAL = re.compile(r"^\$\{?[1-9]\}?")


def logical_lines(path):
    """(first line number, text) with continuation lines joined and
    comments dropped."""
    out, buf, start = [], "", 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not buf:
                start = n
            if line.lstrip().startswith("#"):
                line = ""
            if line.endswith("\\"):
                buf += line[:-1] + " "
                continue
            out.append((start, buf + line))
            buf = ""
    if buf:
        out.append((start, buf))
    return out


def assignments(lines):
    found = {}
    for _, text in lines:
        for part in re.split(r"\s*(?:&&|\|\||;)\s*", text):
            m = ASSIGN.match(part)
            if m:
                found.setdefault(m.group(1), []).append(m.group(2))
    return found


def derived_vars(assigns):
    """The variables every assignment of which takes a name from
    run_name/link_name, setup_run or another such variable."""
    ok = set(FROM_SETUP_RUN)
    grew = True
    while grew:
        grew = False
        for var, values in assigns.items():
            if var in ok:
                continue

            def good(v):
                v = v.strip().strip('"')
                if MADE_BY.search(v):
                    return True
                m = VAR.match(v)
                return bool(m) and m.group(1) in ok and m.end() == len(v)
            if all(good(v) for v in values):
                ok.add(var)
                grew = True
    return ok


def literal_vars(assigns):
    """Variables only ever set to a literal (IF=wan1): a literal name."""
    return {var for var, values in assigns.items()
            if all("$" not in v for v in values)}


def words(text):
    return [w.strip("\"'") for w in text.split()]


def made_names(text):
    """(kind, name, scoped) for each name the line makes: kind "netns",
    "user" or "link"; scoped when the link is made in a named namespace."""
    out = []
    for command in re.split(r"&&|\|\||;|\|", text):
        out.extend(made_by(words(command)))
    return out


def made_by(w):
    out = []
    while w[:1] in (["if"], ["then"], ["!"]):
        w = w[1:]
    if w[:1] in (["useradd"], ["groupadd"]) and len(w) > 1:
        out.append(("user", w[-1], False))
    for i, word in enumerate(w):
        if word != "ip":
            continue
        j, ns = i + 1, False
        while j < len(w) and w[j].startswith("-"):
            if w[j] in ("-n", "-netns") and j + 1 < len(w):
                ns = True
                j += 1
            j += 1
        rest = w[j:]
        if rest[:2] == ["netns", "add"] and len(rest) > 2:
            out.append(("netns", rest[2], False))
        elif rest[:2] == ["link", "add"]:
            out.extend(link_add(rest[2:], ns))
        elif rest[:2] == ["tuntap", "add"] and len(rest) > 3:
            out.append(("link", rest[3], ns))
        elif rest[:1] == ["link"] and "set" in rest[1:2] and "name" in rest:
            k = rest.index("name")
            if k + 1 < len(rest):
                out.append(("link", rest[k + 1], ns))
    return out


def link_add(w, ns):
    """The names of `ip [-n NS] link add ...`: the device's, and a veth
    peer's (scoped by its own netns)."""
    out = []
    peer = w.index("peer") if "peer" in w else len(w)
    mine, theirs = w[:peer], w[peer + 1:]
    if "link" in mine[:1]:
        mine = mine[2:]
    if "name" in mine:
        name = mine[mine.index("name") + 1]
    elif mine:
        name = mine[0]
    else:
        return out
    typ = mine.index("type") if "type" in mine else len(mine)
    out.append(("link", name, ns or "netns" in mine[:typ]))
    if "name" in theirs and theirs.index("name") + 1 < len(theirs):
        k = theirs.index("name")
        out.append(("link", theirs[k + 1], ns or "netns" in theirs[k:]))
    return out


def check(path, lib_assigns):
    lines = logical_lines(path)
    assigns = dict(lib_assigns)
    for var, values in assignments(lines).items():
        assigns[var] = assigns.get(var, []) + values
    ok = derived_vars(assigns)
    lit = literal_vars(assigns)
    lib = os.path.basename(path) == "lib.sh"
    bad = []
    in_run_name = False
    for n, text in lines:
        if lib and text.startswith("run_name()"):
            in_run_name = True
        if "$$" in text and not in_run_name:
            bad.append("%d: a name stamped with the pid: take it from "
                       "run_name or link_name" % n)
        if in_run_name and text.strip() == "}":
            in_run_name = False
        if re.search(r"\bmktemp\b", text) and "run_name" not in text:
            bad.append("%d: mktemp without run_name in its template" % n)
        m = ASSIGN.match(text)
        if m and m.group(1) == "LAB" and "LI_E2E_NS" not in text:
            bad.append("%d: LAB set without LI_E2E_NS" % n)
        for kind, name, scoped in made_names(text):
            if POSITIONAL.match(name):
                continue
            v = VAR.match(name)
            if v and v.group(1) in ok:
                continue
            literal = not v or v.group(1) in lit
            if kind == "link" and scoped and (literal or not name.startswith("$")):
                continue
            where = "inside a namespace of the run" if scoped else \
                "where others see it"
            bad.append("%d: %s %s %s, not from run_name/link_name" %
                       (n, kind, name, where))
    return bad


def main(argv):
    root = argv[1] if len(argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "e2e")
    lib = os.path.join(root, "lib.sh")
    lib_assigns = assignments(logical_lines(lib)) if os.path.exists(lib) else {}
    scripts = sorted(glob.glob(os.path.join(root, "*.sh")))
    if not scripts:
        print("FAIL %s: no scripts in %s" % (SUITE, root))
        return 1
    fails = 0
    for path in scripts:
        name = os.path.basename(path)
        bad = check(path, {} if name == "lib.sh" else lib_assigns)
        if bad:
            fails += 1
            print("FAIL %s/%s: %s" % (SUITE, name, "; ".join(bad)))
        else:
            print("PASS %s/%s" % (SUITE, name))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
