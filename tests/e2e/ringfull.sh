#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: events the data path let out but found no room for in its
# ring (the daemon stopped with SIGSTOP under a flood of unknown-SPI ESP,
# then continued) are counted apart from the rate limit's suppressions.
# The flood stays under the data path's bucket (1000 events a second per
# CPU, a burst of 1000), so the rate limit holds back none of them and
# every event the ring had no room for is a loss of the daemon's. Checks:
#  - `localin status`: `events lost to a full ring: ... N esp-error` moves,
#    `suppressed in the data path: ... esp-error` does not;
#  - every drop is accounted for, exactly: a log line, or suppressed by
#    the daemon's rate limit, or by the data path's, or lost to the ring;
#    so is each of the peer's frames that passed unverified once the
#    stopped daemon's table was stale (an esp-error event too), or it
#    was read and held unjudged (daemon/unverified.c);
#  - `status -j` events.ring_full and `get system performance status -j`
#    say the same number;
#  - the daemon's messages say it once when first seen and once when the
#    burst is over, with its total;
#  - a trace running meanwhile ends saying its lost lines were the full
#    ring's, not the rate limit's.
#
#	sh tests/e2e/ringfull.sh BIN
#
# RF_RATE, RF_SECS, RF_STOP change the flood and the stop (default 700/s
# for 14 s, stopped 8 s of them).
set -u
bin=$(realpath "$1")
SUITE=e2e/ringfull
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping flock date
find_python
private_bpffs "$@"
setup_run rf localin-ringfull

RATE=${RF_RATE:-700}
SECS=${RF_SECS:-14}
STOP=${RF_STOP:-8}
stopped=""
cleanup_more() {
	[ -n "$stopped" ] && kill -CONT "$stopped" 2>/dev/null
	flood_kill
}

# The peer's unknown SPIs pass unverified once the stopped daemon's SA
# table is stale (3 s), each an esp-error event too: read, the daemon
# holds it unjudged (daemon/unverified.c: no daemon kept the table).
unverified() { count "(passed unverified)"; }
unjudged() { json_get "$1" 's["sa"]["unverified"]["frames_unjudged"]'; }
# The counters of the flood: lib.sh's esp_bad, events_read,
# kernel_suppressed (X), ring_full (R), user_suppressed (Y); and the
# trace's lines read, and lost to a full ring, in status $1.
traced() { sed -n 's/^events: [0-9]* read, \([0-9]*\) traced;.*/\1/p' "$1"; }
ring_full_trace() {
	sed -n 's/^events lost to a full ring: .* \([0-9][0-9]*\) trace$/\1/p' "$1"
}
json_get() { # file python-expression on s
	"$py" -c "import json, sys; s = json.load(open(sys.argv[1])); print($2)" "$1"
}

flood_lab_start || exit 1

li_cmd status >"$tmp/status0"
li_cmd status -j >"$tmp/status0.json"
n0=$(esp_bad)
u0=$(unverified)
e0=$(events_read)
X0=$(kernel_suppressed "$tmp/status0")
R0=$(ring_full "$tmp/status0")
RT0=$(ring_full_trace "$tmp/status0")
T0=$(traced "$tmp/status0")
check "status has the ring's line, at 0 ($R0)" [ "$R0" = 0 ]

# One sender address besides the peer's: below every bucket's rate.
flood_start 192.0.2.100 "$RATE" "$SECS"
sleep 2
# A trace of the flood's ESP, its packets all while the daemon stops.
li_cmd diagnose debug flow filter proto 50 >/dev/null
li_cmd diagnose debug flow trace start 3000 >/dev/null
pid=$(daemon_pid)
kill -STOP "$pid"
stopped=$pid
sleep "$STOP"
kill -CONT "$pid"
stopped=""
flood_wait

# Until the daemon has read every event and said the burst is over.
check "the daemon says the burst is over" \
	wait_until 100 grep -q 'event ring full: the burst is over' "$ERR"
li_cmd status >"$tmp/status"
li_cmd status -j >"$tmp/status.json"
li_cmd get -j system performance status >"$tmp/perf.json"

read -r _ sent _ _ _ _ _ secs <"$tmp/sent"
N=$(($(esp_bad) - n0))
U=$(($(unverified) - u0))
J=$(($(unjudged "$tmp/status.json") - $(unjudged "$tmp/status0.json")))
E=$(($(events_read) - e0))
L=$(grep -c 'logid="0101037131"' "$LOG")
X=$(($(kernel_suppressed "$tmp/status") - X0))
R=$(($(ring_full "$tmp/status") - R0))
RT=$(($(ring_full_trace "$tmp/status") - RT0))
T=$(($(traced "$tmp/status") - T0))
Y=$(user_suppressed "$tmp/status")
echo "sent $sent in ${secs}s, the daemon stopped ${STOP}s; unknown-SPI" \
	"drops N=$N; log lines L=$L; suppressed: daemon Y=$Y, data path" \
	"X=$X; lost to the full ring R=$R; events read E=$E; trace lines" \
	"read T=$T, lost to the full ring RT=$RT; passed unverified U=$U," \
	"read and held unjudged J=$J"
grep 'event ring full' "$ERR"

check "the flood was a flood: at least $((RATE * SECS * 9 / 10)) packets" \
	[ "$sent" -ge $((RATE * SECS * 9 / 10)) ]
check "the full ring lost esp-error events (R = $R > 0)" [ "$R" -gt 0 ]
check "the data path's rate limit held none back (X = $X)" [ "$X" -eq 0 ]
check "every drop (or unverified pass) is a line, suppressed, lost or held: N + U = L + Y + X + R + J ($N + $U = $L + $Y + $X + $R + $J)" \
	[ "$((N + U))" -eq $((L + Y + X + R + J)) ]
check "the daemon read every event that had room: E = L + Y + T + J ($E)" \
	[ "$E" -eq $((L + Y + T + J)) ]
check "the trace's 3000 packets: read or lost to the ring (T + RT = $T + $RT)" \
	[ $((T + RT)) -eq 3000 ]
check "the trace ends saying its lines were the full ring's ($RT)" \
	grep -q "trace done: 3000 packets traced, the lines of $RT suppressed (0 by the rate limit, $RT lost to a full event ring)" "$ERR"
check "status -j events.ring_full.esp-error = $R" [ "$(json_get \
	"$tmp/status.json" 's["events"]["ring_full"]["esp-error"]')" = "$R" ]
check "status -j events.suppressed.esp-error = $X" [ "$(json_get \
	"$tmp/status.json" 's["events"]["suppressed"]["esp-error"]')" = "$X" ]
check "get system performance status -j events.ring_full.esp-error = $R" \
	[ "$(json_get "$tmp/perf.json" \
		's["events"]["ring_full"]["esp-error"]')" = "$R" ]
check "the daemon's messages: one line when first seen" \
	[ "$(grep -c 'event ring full: [0-9]* events lost (.*esp-error' \
		"$ERR")" = 1 ]
check "... and one line with the burst's total ($((R + RT)))" \
	grep -q "event ring full: the burst is over, $((R + RT)) events lost in it ($R esp-error, $RT trace)" \
	"$ERR"
check "the messages do not call the ring's loss the rate limit's" \
	lacks 'data path rate limit: suppressed' "$ERR"
check "the daemon is still running" alive "$(daemon_pid)"

[ "$fails" -eq 0 ]
