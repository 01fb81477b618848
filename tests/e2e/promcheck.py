# SPDX-License-Identifier: GPL-2.0
"""Check a Prometheus text exposition (format 0.0.4) read from stdin.

What `promtool check metrics` checks, for hosts without it (Debian's
prometheus package is 19 MB, 96 MB installed, a server with its web UI):
  - every line a sample, a # HELP or # TYPE line, another comment, or empty;
    the text ends with a newline;
  - metric names [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*
    (not __*), label values quoted with only \\\\, \\" and \\n escaped, no
    label twice in a sample; values floats (NaN, +Inf, -Inf too);
  - HELP and TYPE at most once per family, both before its first sample;
    a family's samples together (not split by another family's);
  - a sample's name is its family's (histogram and summary: with their
    suffixes); no series twice;
  - counters end in _total and are not negative; help texts escape only
    \\\\ and \\n.
With --prefix P, every family name starts with P.
Prints each problem with its line number; exit 1 if any.
"""
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
VALUE = r"(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|NaN|[+-]Inf)"
SAMPLE = re.compile(r"^(" + NAME + r")(\{.*\})? (" + VALUE + r")( -?[0-9]+)?$")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}
SUFFIXES = {
    "histogram": ("_bucket", "_sum", "_count"),
    "summary": ("_sum", "_count"),
}


def parse_labels(text, err):
    """{k="v",...} -> tuple of (k, v); reports syntax problems."""
    labels = []
    i, n = 1, len(text) - 1  # inside the braces
    while i < n:
        m = re.match(LABEL, text[i:])
        if not m:
            err("bad label name at %r" % text[i:])
            return None
        key = m.group(0)
        if key.startswith("__"):
            err("label name %s is reserved (__)" % key)
        i += len(key)
        if text[i : i + 2] != '="':
            err("label %s: expected =\"" % key)
            return None
        i += 2
        val = []
        while i < n and text[i] != '"':
            if text[i] == "\\":
                if text[i + 1 : i + 2] not in ("\\", '"', "n"):
                    err("label %s: bad escape \\%s" % (key, text[i + 1 : i + 2]))
                val.append(text[i : i + 2])
                i += 2
            elif text[i] == "\n":
                err("label %s: raw newline" % key)
                i += 1
            else:
                val.append(text[i])
                i += 1
        if i >= n + 1 or text[i] != '"':
            err("label %s: value not closed" % key)
            return None
        i += 1
        labels.append((key, "".join(val)))
        if i < n:
            if text[i] != ",":
                err("expected , after label %s" % key)
                return None
            i += 1
    keys = [k for k, _ in labels]
    if len(keys) != len(set(keys)):
        err("a label twice")
    return tuple(sorted(labels))


def check(text, prefix=""):
    problems = []
    helps, types = {}, {}
    seen_samples = set()
    family_done = set()
    current = None

    def family_of(name):
        for fam, typ in types.items():
            for suf in SUFFIXES.get(typ, ()):
                if name == fam + suf:
                    return fam
        return name

    if text and not text.endswith("\n"):
        problems.append("end: no newline after the last line")
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    for no, line in enumerate(lines, 1):
        def err(msg, no=no):
            problems.append("line %d: %s" % (no, msg))

        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) < 3 or parts[1] not in ("HELP", "TYPE"):
                continue  # another comment
            kind, name = parts[1], parts[2]
            rest = parts[3] if len(parts) > 3 else ""
            if not re.fullmatch(NAME, name):
                err("bad metric name %r" % name)
            if prefix and not name.startswith(prefix):
                err("%s does not start with %s" % (name, prefix))
            if name in family_done or (name in seen_fams(seen_samples)):
                err("# %s %s after its samples" % (kind, name))
            if kind == "HELP":
                if name in helps:
                    err("second HELP for %s" % name)
                helps[name] = rest
                if "\\" in re.sub(r"\\[\\n]", "", rest):
                    err("HELP %s: bad escape" % name)
            else:
                if name in types:
                    err("second TYPE for %s" % name)
                if rest not in TYPES:
                    err("TYPE %s: unknown type %r" % (name, rest))
                types[name] = rest
                if rest == "counter" and not name.endswith("_total"):
                    err("counter %s does not end in _total" % name)
            if current and current != name:
                family_done.add(current)
            current = name
            continue
        m = SAMPLE.match(line)
        if not m:
            err("not a sample: %r" % line)
            continue
        name, labels, value = m.group(1), m.group(2), m.group(3)
        fam = family_of(name)
        if fam in family_done:
            err("%s: its family's samples are split" % name)
        if current and current != fam:
            family_done.add(current)
        current = fam
        if fam not in types:
            err("%s: sample before (or without) its TYPE" % name)
        if fam not in helps:
            err("%s: sample before (or without) its HELP" % name)
        if prefix and not fam.startswith(prefix):
            err("%s does not start with %s" % (name, prefix))
        lab = parse_labels(labels, err) if labels else ()
        if lab is None:
            continue
        key = (name, lab)
        if key in seen_samples:
            err("%s%s: series twice" % (name, labels or ""))
        seen_samples.add(key)
        if types.get(fam) == "counter" and value not in ("NaN", "+Inf"):
            if float(value) < 0:
                err("counter %s is negative" % name)
    return problems


def seen_fams(samples):
    return {n for n, _ in samples}


H = "# HELP localin_a x\n# TYPE localin_a "
# Texts check() must refuse, and one it must take.
BAD = [
    H + "counter\nlocalin_a 1\n",  # a counter without _total
    H + "gauge\nlocalin_a 1\n# HELP localin_b x\n# TYPE localin_b gauge\n"
    "localin_b 1\nlocalin_a{k=\"v\"} 2\n",  # a family split
    H + 'gauge\nlocalin_a{k="\\q"} 1\n',  # a bad escape
    'localin_a 1\n' + H + "gauge\n",  # a sample before its TYPE
    H + "gauge\nlocalin_a 1\nlocalin_a 2\n",  # a series twice
    H + "gauge\nlocalin_a{k=\"v\",k=\"w\"} 1\n",  # a label twice
    H + "gauge\nlocalin_a{1k=\"v\"} 1\n",  # a bad label name
    H + "gauge\nlocalin_a one\n",  # not a number
    H + "gauge\nlocalin_a 1",  # no newline at the end
    H + "gauge\n# TYPE localin_a gauge\nlocalin_a 1\n",  # TYPE twice
    "# HELP other_a x\n# TYPE other_a gauge\nother_a 1\n",  # the prefix
    "# HELP localin_a x \\q\n# TYPE localin_a gauge\nlocalin_a 1\n",  # HELP
]
GOOD = (
    H + 'gauge\nlocalin_a{k="a\\\\b\\"c\\nd",l="x"} -1.5e3\n'
    "# HELP localin_b_total x \\\\ y\n# TYPE localin_b_total counter\n"
    "localin_b_total 0\nlocalin_b_total{k=\"\"} +Inf\n"
)


def self_test():
    ok = not check(GOOD, "localin_")
    if not ok:
        print("refused the good text:", check(GOOD, "localin_"))
    for i, text in enumerate(BAD):
        if not check(text, "localin_"):
            print("took bad text %d: %r" % (i, text))
            ok = False
    sys.exit(0 if ok else 1)


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
    prefix = ""
    if len(sys.argv) == 3 and sys.argv[1] == "--prefix":
        prefix = sys.argv[2]
    problems = check(sys.stdin.read(), prefix)
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
