#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end (issue 9): a flood of ESP with unknown SPIs for 30 s, from
# one address (every other packet) and from 32 more in turn, at 3000
# packets a second, sent raw from the peer's namespace (esp_flood.py) to
# a daemon that SPI-checks ESP (one SA from a file source). Checks:
#  - every packet the kernel took from the sender (less what the veth
#    pair counted as dropped) is an unknown-SPI drop in `localin status`;
#  - every such drop is accounted for, exactly: a 0101037131 line in the
#    log, or suppressed by the daemon's rate limit (`log rate limit:
#    suppressed Y esp-error lines`), or suppressed in the data path
#    (its token bucket: `suppressed in the data path: X esp-error`), or
#    lost to a full event ring (`events lost to a full ring: R
#    esp-error`), and the log lost no line;
#  - the log volume is within the configured rates (src/log/README.md:
#    esp-error, per address a burst of 5 then 1/s, all addresses a burst
#    of 100 then 10/s) over the flood's duration, per address and in all;
#  - `localin status` answers within 100 ms during the flood: the daemon,
#    timed on its socket; the whole client, its start on a loaded machine
#    included, within 1 s.
#
#	sh tests/e2e/flood.sh BIN
#
# FLOOD_SECS and FLOOD_RATE change the flood (default 30 s, 3000/s).
set -u
bin=$(realpath "$1")
SUITE=e2e/flood
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping flock date
find_python
private_bpffs "$@"
setup_run fl localin-flood

SECS=${FLOOD_SECS:-30}
RATE=${FLOOD_RATE:-3000}
cleanup_more() { flood_kill; }

# The rate limits of esp-error lines (src/log/README.md, "Defaults").
ADDR_BURST=5
ADDR_PER_SEC=1
KIND_BURST=100
KIND_PER_SEC=10

# 32 sources besides the peer's own address: 32 per-address budgets
# (5 + 1/s each) are more than the kind's (100 + 10/s), so the kind's
# limit binds on the whole and the per-address one on the peer's.
spoofed() {
	i=100
	while [ $i -lt 132 ]; do
		printf '192.0.2.%d' $i
		[ $i -lt 131 ] && printf ','
		i=$((i + 1))
	done
}

# The counters of the flood: lib.sh's esp_bad, events_read,
# kernel_suppressed (X), ring_full (R), user_suppressed (Y).
log_lost() { sed -n 's/^log: .* lines written, \([0-9]*\) lost,.*/\1/p' "$1"; }
# The drop counters of both ends of the veth pair, summed.
veth_drops() {
	for end in "$GW $IF" "$PEER peer0"; do
		# shellcheck disable=SC2086 # two words: namespace, device
		set -- $end
		ip -n "$1" -s -j link show dev "$2"
	done | "$py" -c '
import json, sys
n = 0
for line in sys.stdin:
    for l in json.loads(line):
        s = l.get("stats64", l.get("stats", {}))
        n += s["rx"]["dropped"] + s["tx"]["dropped"]
print(n)'
}
# The time the daemon takes to answer `status` on its socket, from the
# connect to the answer's last line (ctl.h: "ok N" and N lines), in ms;
# and the time the whole `localin status` takes, its start included.
cat >"$tmp/status_ms.py" <<'EOF'
import socket, sys, time
t0 = time.monotonic()
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall(b"status\n")
buf = b""
while b"\n" not in buf or buf.count(b"\n") < 1 + int(buf.split()[1]):
    b = s.recv(65536)
    if not b:
        sys.exit("closed early")
    buf += b
print(int((time.monotonic() - t0) * 1000))
EOF
status_ms() {
	"$py" "$tmp/status_ms.py" "$SOCK" >>"$tmp/lat" 2>&1
	t0=$(date +%s%N)
	li_cmd status >/dev/null 2>&1 || echo "status failed" >>"$tmp/lat_cli"
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000)) >>"$tmp/lat_cli"
}

flood_lab_start || exit 1

n0=$(esp_bad)
e0=$(events_read)
d0=$(veth_drops)
flood_start "$(spoofed)" "$RATE" "$SECS"

# The status latency, 5 times spread over the flood's middle.
sleep $((SECS / 4))
: >"$tmp/lat"
: >"$tmp/lat_cli"
for i in 1 2 3 4 5; do
	status_ms
	sleep $((SECS / 10 + 1))
done
flood_wait

# Until the daemon has read every event: `events: N read` stands still
# for 2 s (the ring holds at most a few thousand; it reads them in ms).
prev=-1
stable=0
i=0
while [ $stable -lt 10 ] && [ $i -lt 600 ]; do
	cur=$(events_read)
	if [ "$cur" = "$prev" ]; then
		stable=$((stable + 1))
	else
		stable=0
	fi
	prev=$cur
	sleep 0.2
	i=$((i + 1))
done
li_cmd status >"$tmp/status"

read -r _ sent _ sent_main _ failed _ secs <"$tmp/sent"
drops=$(($(veth_drops) - d0))
N=$(($(esp_bad) - n0))
E=$(($(events_read) - e0))
L=$(grep -c 'logid="0101037131"' "$LOG")
L_main=$(grep 'logid="0101037131"' "$LOG" | grep -c "remip=$PEER_ADDR ")
X=$(kernel_suppressed "$tmp/status")
R=$(ring_full "$tmp/status")
Y=$(user_suppressed "$tmp/status")
lost=$(log_lost "$tmp/status")
# The rate bound over the flood's duration, a second more for the clock's
# granularity: GCRA lets a burst, then one line per interval.
T=$(printf '%.0f' "$secs")
T=$((T + 1))
addr_bound=$((ADDR_BURST + ADDR_PER_SEC * T))
kind_bound=$((KIND_BURST + KIND_PER_SEC * T))
lat_max=$(grep '^[0-9]*$' "$tmp/lat" | sort -n | tail -n 1)
cli_max=$(grep '^[0-9]*$' "$tmp/lat_cli" | sort -n | tail -n 1)
echo "sent $sent ($sent_main from $PEER_ADDR, $failed refused) in ${secs}s;" \
	"veth drops $drops; unknown-SPI drops N=$N; log lines L=$L" \
	"($L_main from $PEER_ADDR, bound $addr_bound; all, bound $kind_bound);" \
	"suppressed: daemon Y=$Y, data path X=$X; ring full R=$R;" \
	"events read E=$E;" \
	"log lost $lost;" \
	"status ms: socket $(tr '\n' ' ' <"$tmp/lat")," \
	"localin status $(tr '\n' ' ' <"$tmp/lat_cli")"

check "the flood was a flood: ${secs}s, at least $((RATE * 9 / 10))/s" \
	[ "$sent" -ge $((RATE * SECS * 9 / 10)) ]
if [ "$drops" -eq 0 ]; then
	check "every packet sent is an unknown-SPI drop (N = sent = $sent)" \
		[ "$N" -eq "$sent" ]
else
	check "every packet sent but $drops the veth dropped is an unknown-SPI drop (N = $N)" \
		[ "$N" -eq $((sent - drops)) ]
fi
check "the log lost no line" [ "$lost" = 0 ]
check "every drop is a log line, suppressed or lost: N = L + Y + X + R ($N = $L + $Y + $X + $R)" \
	[ "$N" -eq $((L + Y + X + R)) ]
# The halves of the sum: no event is lost between data path and daemon.
check "the daemon read every event the data path let out: E = L + Y ($E)" \
	[ "$E" -eq $((L + Y)) ]
check "the data path's bucket suppressed some (X > 0)" [ "$X" -gt 0 ]
check "the daemon's rate limit suppressed some (Y > 0)" [ "$Y" -gt 0 ]
check "lines from $PEER_ADDR within $ADDR_BURST + $ADDR_PER_SEC/s over ${T}s ($L_main <= $addr_bound)" \
	[ "$L_main" -le "$addr_bound" ]
check "... and the per-address limit is what held it (>= $ADDR_BURST)" \
	[ "$L_main" -ge "$ADDR_BURST" ]
check "all lines within $KIND_BURST + $KIND_PER_SEC/s over ${T}s ($L <= $kind_bound)" \
	[ "$L" -le "$kind_bound" ]
# Without the kind's limit the 33 addresses could log 33 * addr_bound.
kind_min=$((KIND_BURST + KIND_PER_SEC * T / 2))
check "... and the kind's limit is what held it ($L >= $kind_min)" \
	[ "$L" -ge "$kind_min" ]
check "status answered 5 times during the flood, on the socket and by localin" \
	[ "$(grep -c '^[0-9]*$' "$tmp/lat")$(grep -c '^[0-9]*$' "$tmp/lat_cli")" = 55 ]
check "... the daemon each time within 100 ms (the slowest: ${lat_max}ms)" \
	[ "${lat_max:-1000}" -lt 100 ]
# The client's own start on a loaded machine: generous.
check "... localin status each time within 1 s (the slowest: ${cli_max}ms)" \
	[ "${cli_max:-1000}" -lt 1000 ]
check "the daemon is still running" alive "$(daemon_pid)"

[ "$fails" -eq 0 ]
