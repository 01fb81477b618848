#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Start-up: how long a localin command takes before it does anything, beside
# /bin/true and tcpdump, and what each library localin may link costs a
# program that does nothing else (an empty main() linked with it alone).
# libcurl and libmicrohttpd are loaded by dlopen when first wanted
# (src/util/dl.c); this is the measurement that decided it. Medians of RUNS
# (default 40) wall times, in ms, all in one run.
#
#   bench/startup/run.sh [BUILD]
set -eu

BUILD=${1:-build}
RUNS=${RUNS:-40}
OUT=$BUILD/bench/startup
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
mkdir -p "$OUT"
printf 'int main(void) { return 0; }\n' >"$OUT/empty.c"
set -- "none:" "libcurl:-lcurl" "libmicrohttpd:-lmicrohttpd" \
	"libsystemd:-lsystemd" "libedit:-ledit" "libcares:-lcares" \
	"maxminddb+GeoIP:-lmaxminddb -lGeoIP" \
	"pcap+bpf+xdp+mnl:-lpcap -lbpf -lxdp -lmnl"
progs=""
for spec; do
	name=${spec%%:*}
	# shellcheck disable=SC2086 # the flags are words
	${CC:-gcc} -o "$OUT/empty-$name" "$OUT/empty.c" -Wl,--no-as-needed \
		${spec#*:}
	progs="$progs $OUT/empty-$name"
done
"$PY" - "$RUNS" "$BUILD/localin" $progs <<'EOF2'
import statistics, subprocess, sys, time

runs, localin, progs = int(sys.argv[1]), sys.argv[2], sys.argv[3:]

def ms(cmd):
    t = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t.append(time.perf_counter() - t0)
    return statistics.median(t) * 1000

def libs(prog):
    out = subprocess.run(["ldd", prog], capture_output=True, text=True).stdout
    return len(out.splitlines())

print("median wall ms of %d runs" % runs)
for label, cmd in (("/bin/true", ["/bin/true"]),
                   ("tcpdump --version", ["tcpdump", "--version"]),
                   ("localin --help", [localin, "--help"])):
    print("%-32s %6.1f" % (label, ms(cmd)))
print("localin links %d libraries (ldd)" % libs(localin))
print("an empty program linked with:")
for p in progs:
    print("  %-30s %6.1f  (%d libraries)" % (p.rsplit("empty-", 1)[1], ms([p]), libs(p)))
EOF2
