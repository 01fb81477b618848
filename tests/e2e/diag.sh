#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: the FortiOS diagnose/get/show set against the running
# daemon (issue 10). The seed (examples/seed.conf, verbatim) enforced on
# the gateway's wan1, an attacker beside it sending IKE probes:
#  - the seed's three debug lines typed as one-shots print the probe
#    dropped by policy 1 on the terminal (the client's stdout), to two
#    clients at once, while `status` answers and the log gets none;
#  - `diagnose debug enable` ends after the trace's N packets, on
#    `diagnose debug disable` from another client, and on SIGINT (exit 0);
#  - a client that does not read loses lines (a `lost` frame), the daemon
#    keeps answering;
#  - iprope list shows hits that grow, iprope clear zeroes them;
#  - -j answers parse as JSON with the keys README documents; status -j
#    says what the text says (SA sources, outputs), session filter -j the
#    filter set;
#  - --admin-group: a user in the group may use the socket, one not in
#    it may not;
#  - `localin stop` while a console's socket buffer is full: the console
#    still reads its end frame ("the daemon stops") once it reads on.
#
#	sh tests/e2e/diag.sh BIN
#
# One PASS/FAIL line per check; SKIP (and exit 0) without root or tools.
set -u
bin=$(realpath "$1")
SUITE=e2e/diag
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare setpriv useradd userdel groupadd \
	groupdel timeout
find_python
private_bpffs "$@"
setup_run dg localin-diag
here=$(cd "$(dirname "$0")" && pwd)
seed=$here/../../examples/seed.conf
[ -f "$seed" ] || skip "examples/seed.conf is missing"

GW_WAN=198.51.100.1
ATT_ADDR=198.51.100.66
GW_WAN6=2001:db8:100::1
ATT_ADDR6=2001:db8:100::66
IF=wan1
ADMG=$(run_name adm)
UIN=$(run_name in)
UOUT=$(run_name out)
cleanup_more() {
	for p in $clients; do kill "$p" 2>/dev/null; done
	userdel "$UIN" 2>/dev/null
	userdel "$UOUT" 2>/dev/null
	groupdel "$ADMG" 2>/dev/null
}
clients=""

# The seed's lab: wan1 (the seed's address) in the gateway, the attacker
# on the same link. Interface names are per namespace: wan1 is the seed's.
add_namespaces &&
	add_veth wan1 att0 "$GW_WAN" "$ATT_ADDR" &&
	ip -n "$GW" link set lo up ||
	skip "cannot build the namespaces"

# An IKE probe from the attacker: ike-scan if there, else one datagram.
probe() {
	ip netns exec "$PEER" "$py" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 500))
for i in range(int(sys.argv[2])):
    s.sendto(b"\0" * 28, (sys.argv[1], 500))
' "$GW_WAN" "${1:-1}"
}

# UDP from the attacker's port 500 to ADDR:PORT (IPv4 or IPv6), COUNT times.
probe_to() { # addr port count
	ip netns exec "$PEER" "$py" -c '
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", 500))
for i in range(int(sys.argv[3])):
    s.sendto(b"\0" * 28, (sys.argv[1], int(sys.argv[2])))
' "$1" "$2" "$3"
}
# `filter dport 500`, `trace start 100000`, and a `diagnose debug enable`
# client with a 4 KiB socket buffer that reads nothing until $tmp/NAME.go
# exists, then (after the daemon closed its end, or WAIT ms) reads all:
# "lost N data N bytes N end TEXT" in $tmp/NAME.out. In the background,
# its pid in $unread; returns once it streams.
unread_client() { # name wait-ms
	li_cmd diagnose debug flow filter dport 500 >/dev/null
	li_cmd diagnose debug flow trace start 100000 >/dev/null
	"$py" - "$SOCK" "$tmp/$1.go" "$2" >"$tmp/$1.out" 2>&1 <<'EOF' &
import os, select, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(sys.argv[1])
s.sendall(b"diagnose debug enable\n")
while not os.path.exists(sys.argv[2]):   # do not read until told
    time.sleep(0.05)
if int(sys.argv[3]):
    p = select.poll()
    p.register(s, select.POLLRDHUP)
    p.poll(int(sys.argv[3]))
s.settimeout(3)
buf = b""
try:
    while True:
        d = s.recv(65536)
        if not d:
            break
        buf += d
except socket.timeout:
    pass
lines = buf.split(b"\n")
lost = sum(int(l.split()[1]) for l in lines if l.startswith(b"lost "))
data = sum(1 for l in lines if l.startswith(b"data "))
ends = [lines[i + 1] for i, l in enumerate(lines[:-1]) if l.startswith(b"end ")]
print("lost", lost, "data", data, "bytes", len(buf), "end",
      b"|".join(ends).decode())
EOF
	unread=$!
	clients="$clients $unread"
	wait_until 100 streams 1
}
# The words FILTER (filter or filter6) prints include PATTERN (grep -E).
filter_has() { li_cmd diagnose debug flow "$1" | grep -Eq "$2"; }

# The admin group and its member; another user outside it.
groupadd "$ADMG" && useradd -M -N -s /bin/false -G "$ADMG" "$UIN" &&
	useradd -M -N -s /bin/false "$UOUT" || skip "cannot add users"
chmod 711 "$tmp" # the socket's directory: users may reach the socket

in_gw "$bin" run -c "$seed" --log "$LOG" -s "$SOCK" --pin-dir "$PIN" \
	--admin-group "$ADMG" >>"$tmp/daemon.out" 2>>"$ERR" &&
	pids="$pids $(daemon_pid)"
if [ -z "$pids" ]; then
	fail "the seed with --admin-group starts: $(cat "$ERR")"
	exit 1
fi
pass "localin run -c examples/seed.conf --admin-group $ADMG"

streams() { li_cmd status | grep -q "trace lines to $1 streaming"; }
# A `diagnose debug enable` client in the background, output in $1.*
start_stream() { # name
	# nsenter execs localin: $! is the client itself (for kill -INT)
	nsenter --net="/run/netns/$GW" "$bin" diagnose -s "$SOCK" debug enable \
		>"$tmp/$1.out" 2>"$tmp/$1.err" &
	eval "$1=\$!"
	clients="$clients $!"
}
exit_of() { # pid: its exit status once it ended (within 10 s), or 124
	i=0
	while kill -0 "$1" 2>/dev/null; do
		[ $i -ge 100 ] && return 124
		sleep 0.1
		i=$((i + 1))
	done
	wait "$1"
}

# --- the seed's three lines, one-shots ------------------------------------
li_cmd diagnose debug flow filter dport 500 >/dev/null &&
	li_cmd diagnose debug flow trace start 10 >/dev/null
check "diagnose debug flow filter dport 500; trace start 10" [ $? = 0 ]
start_stream s1
start_stream s2
if wait_until 100 streams 2; then
	pass "two diagnose debug enable clients stream at once (status says 2)"
else
	fail "two streaming clients: status: $(li_cmd status | grep debug)"
fi
probe 1
dropped() { grep -q 'check failed on policy 1, drop' "$tmp/$1.out"; }
if wait_until 100 dropped s1 && wait_until 50 dropped s2; then
	pass "the attacker's IKE probe dropped by policy 1, on both terminals"
else
	fail "no drop line on the terminal: $(cat "$tmp/s1.out" "$tmp/s1.err")"
fi
check "... its lines are FortiOS's: received a packet(proto=17, $ATT_ADDR:500->$GW_WAN:500) from wan1" \
	grep -q "received a packet(proto=17, $ATT_ADDR:500->$GW_WAN:500) tun_id=0.0.0.0 from wan1" "$tmp/s1.out"
check "... and not in the daemon's log while clients stream" \
	sh -c "! grep -q trace_id= '$LOG'"
t0=$(date +%s%N)
li_cmd status >"$tmp/status.out"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
check "status answers while two clients stream ($ms ms)" [ "$rc" = 0 ]
li_cmd status -j >"$tmp/streams.json"
check "status -j while they stream: debug enabled, 2 streams" \
	"$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))["debug"]
assert d == {"enabled": True, "streams": 2}, d
' "$tmp/streams.json"
# SIGINT ends a stream cleanly; the other goes on.
kill -INT "$s1"
exit_of "$s1"
rc=$?
check "SIGINT ends diagnose debug enable with exit 0 (got $rc)" [ "$rc" = 0 ]
check "... saying why on stderr" \
	grep -q "debug output ended: interrupted (Ctrl-C)" "$tmp/s1.err"
if wait_until 50 streams 1; then
	pass "... the daemon sees it go; the other client still streams"
else
	fail "after SIGINT: $(li_cmd status | grep debug)"
fi
# disable from another client ends the rest; the trace (9 of its 10
# packets left) goes on, its lines to the log: both were told nothing.
li_cmd diagnose debug disable >"$tmp/disable.out"
exit_of "$s2"
rc=$?
check "diagnose debug disable from another client ends it: exit 0 (got $rc)" \
	[ "$rc" = 0 ]
check "... saying so on stderr, and that the trace goes on: $(cat "$tmp/s2.err")" \
	grep -q "debug disabled: the trace goes on, 9 packets left, its lines to the log" "$tmp/s2.err"
check "... disable tells its admin the trace goes on: $(cat "$tmp/disable.out")" \
	grep -q "^the trace goes on: 9 packets left, its lines to the log" "$tmp/disable.out"
no_streams() { ! li_cmd status | grep -q "streaming clients"; }
check "... no stream is left" wait_until 50 no_streams

# --- N packets traced, then the stream ends by itself ------------------------
li_cmd diagnose debug flow show iprope enable >"$tmp/iprope.out"
check "flow show iprope enable echoes FortiOS's words" \
	grep -q "show trace messages about iprope" "$tmp/iprope.out"
li_cmd diagnose debug console timestamp enable >/dev/null
# FortiOS 7.2's pair form, in the data path: the two hosts, either way.
li_cmd diagnose debug flow filter clear >/dev/null
li_cmd diagnose debug flow filter addr "$GW_WAN" "$ATT_ADDR" and >/dev/null
check "filter addr A B and: host addr: $GW_WAN and $ATT_ADDR" \
	sh -c "nsenter --net=/run/netns/$GW $bin diagnose -s $SOCK debug flow filter | grep -q 'host addr: $GW_WAN and $ATT_ADDR'"
li_cmd diagnose debug flow trace start 2 >/dev/null
start_stream s3
wait_until 100 streams 1
probe 3
exit_of "$s3"
rc=$?
check "trace start 2 (filter addr GW ATT and): the stream ends by itself after 2 packets, exit 0 (got $rc)" \
	[ "$rc" = 0 ]
n=$(grep -c 'func=print_pkt_detail' "$tmp/s3.out")
check "... with the lines of exactly 2 packets (got $n)" [ "$n" = 2 ]
check "... the iprope lines: __iprope_check gnum-100001 matched policy-1" \
	grep -q 'func=__iprope_check .*gnum-100001 check result: ret-matched, act-drop' "$tmp/s3.out"
check "... each line dated (console timestamp enable)" \
	grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} id=65308' "$tmp/s3.out"
check "... stderr says the trace is done" grep -q "trace done: 2 packets" "$tmp/s3.err"
# A trace whose lines the data path's rate limit (burst 1000 a CPU) cut:
# its budget is spent, and the stream ends instead of waiting for lines
# that will never come.
li_cmd diagnose debug flow filter clear >/dev/null
li_cmd diagnose debug flow filter dport 500 >/dev/null
li_cmd diagnose debug flow trace start 3000 >/dev/null
start_stream s5
wait_until 100 streams 1
probe 3000
exit_of "$s5"
rc=$?
check "trace start 3000 past the rate limit: the stream still ends, exit 0 (got $rc)" \
	[ "$rc" = 0 ]
check "... saying how many packets' lines were suppressed ($(cat "$tmp/s5.err"))" \
	grep -Eq "trace done: 3000 packets traced, the lines of [1-9][0-9]* suppressed" "$tmp/s5.err"
check "... all by the rate limit, none lost to a full ring ($(cat "$tmp/s5.err"))" \
	grep -Eq "the lines of ([0-9]+) suppressed \(\1 by the rate limit, 0 lost to a full event ring\)" "$tmp/s5.err"
li_cmd status >"$tmp/s5.status"
check "... and status says the trace stopped" grep -q '^trace: stopped' "$tmp/s5.status"
# The filter changed while such a trace's lines are missing: the data
# path's budget stays spent (it was given the missing lines' count again,
# and traced that many more packets of the new filter).
li_cmd diagnose debug flow filter dport 500 >/dev/null
li_cmd diagnose debug flow trace start 1500 >/dev/null
probe 1500
li_cmd diagnose debug flow filter dport 501 >/dev/null
tstopped() { li_cmd status | grep -q '^trace: stopped'; }
check "filter changed after trace start 1500's packets: the trace still ends" \
	wait_until 30 tstopped
li_cmd diagnose debug reset >/dev/null
# `enable keep` (the interactive shell's): a trace run's end does not end it.
li_cmd diagnose debug flow trace start 1 >/dev/null
nsenter --net="/run/netns/$GW" "$bin" diagnose -s "$SOCK" debug enable keep \
	>"$tmp/s4.out" 2>"$tmp/s4.err" &
s4=$!
clients="$clients $s4"
wait_until 100 streams 1
probe 2
wait_until 100 grep -q 'check failed on policy 1' "$tmp/s4.out"
sleep 0.5
check "debug enable keep: still streaming after the trace's 1 packet" \
	kill -0 "$s4"
li_cmd diagnose debug reset >/dev/null
exit_of "$s4"
rc=$?
check "... reset ends it: exit 0 (got $rc), stderr: debug reset" \
	sh -c "[ $rc = 0 ] && grep -q 'debug reset' '$tmp/s4.err'"

# --- the console killed mid-trace: the trace stops, nothing to the log ------
tlog() { grep -c 'trace_id=' "$LOG"; }
li_cmd diagnose debug flow filter clear >/dev/null
li_cmd diagnose debug flow filter dport 500 >/dev/null
li_cmd diagnose debug flow trace start 1000 >/dev/null
start_stream s6
wait_until 100 streams 1
probe 2
wait_until 100 grep -q 'check failed on policy 1' "$tmp/s6.out"
kill -9 "$s6"
wait "$s6" 2>/dev/null
no_streams() { ! li_cmd status | grep -q 'streaming clients'; }
wait_until 100 no_streams
t0=$(tlog)
probe 5
sleep 1
li_cmd status >"$tmp/s6.status"
check "console killed mid-trace: status says the trace stopped" \
	grep -q '^trace: stopped' "$tmp/s6.status"
check "... its later packets make no trace line in the log ($t0 -> $(tlog))" \
	[ "$(tlog)" = "$t0" ]
check "... the daemon says why" \
	grep -Eq 'the console streaming the trace went: trace stopped, 99[0-9] of its 1000 packets not traced' "$ERR"
# Asked for (`debug disable`): the trace goes on, to the log, as before.
li_cmd diagnose debug flow trace start 1000 >/dev/null
start_stream s7
wait_until 100 streams 1
li_cmd diagnose debug disable >/dev/null
exit_of "$s7"
probe 2
check "debug disable mid-trace: the trace goes on, its lines to the log" \
	wait_until 50 sh -c "[ \$(grep -c 'trace_id=' '$LOG') -gt $t0 ]"
li_cmd diagnose debug reset >/dev/null

# --- a client that does not read: lines dropped and counted -------------------
unread_client slow 0
slow=$unread
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$(daemon_pid)/status"; }
rss0=$(rss)
# Past the data path's event burst (1000) and its rate (1000 a second).
probe 1500
sleep 1.2
probe 1500
sleep 1.2
probe 1500
t0=$(date +%s%N)
li_cmd status >/dev/null
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
check "status answers while a client does not read its stream ($ms ms)" \
	[ "$rc" = 0 ]
rss1=$(rss)
# ASan keeps what is freed in its quarantine (256 MiB): RSS says nothing.
if grep -q __asan_init "$bin"; then
	note_skip "VmRSS of an ASan build ($rss0 -> $rss1 kB) counts its quarantine"
else
	check "... and does not grow for it: VmRSS $rss0 -> $rss1 kB (less than 4 MiB more)" \
		[ "$((rss1 - rss0))" -lt 4096 ]
fi
touch "$tmp/slow.go"
wait "$slow"
lost=$(sed -n 's/^lost \([0-9]*\).*/\1/p' "$tmp/slow.out")
if [ "${lost:-0}" -gt 0 ]; then
	pass "the slow client is told how many lines it lost ($(cat "$tmp/slow.out"))"
else
	fail "no lost frame for the slow client: $(cat "$tmp/slow.out"); $(li_cmd status | grep -E 'events|trace')"
fi
li_cmd diagnose debug reset >/dev/null

# --- filter and filter6: one filter for each family, as on FortiOS -------------
# localin took filter6 as filter: setting an IPv6 filter replaced the
# IPv4 one, and IPv4 packets went untraced.
ip -n "$GW" addr add "$GW_WAN6/64" dev wan1 nodad &&
	ip -n "$PEER" addr add "$ATT_ADDR6/64" dev att0 nodad ||
	fail "cannot add the IPv6 addresses"
# `filter vd 0` narrows nothing (every packet here is VDOM 0's): it
# left every IPv6 packet untraced, as a set filter beside an empty
# filter6 does, in the data path too.
li_cmd diagnose debug flow filter clear >/dev/null
li_cmd diagnose debug flow filter6 clear >/dev/null
li_cmd diagnose debug flow filter vd 0 >/dev/null
li_cmd diagnose -j debug flow filter6 >"$tmp/f6vd.json"
check "filter vd 0 alone: filter6 -j is not left out" "$py" -c '
import json, sys
assert json.load(open(sys.argv[1]))["left_out"] is False
' "$tmp/f6vd.json"
li_cmd diagnose debug flow trace start 1 >/dev/null
start_stream s8
wait_until 100 streams 1
probe_to "$GW_WAN6" 500 1
exit_of "$s8"
rc=$?
check "... an IPv6 packet is traced, exit $rc: $(grep -c print_pkt_detail "$tmp/s8.out") lines" \
	grep -q "received a packet(proto=17, $ATT_ADDR6:500->$GW_WAN6:500)" "$tmp/s8.out"
li_cmd diagnose debug reset >/dev/null
li_cmd diagnose debug flow filter clear >/dev/null
li_cmd diagnose debug flow filter6 clear >/dev/null
li_cmd diagnose debug flow filter addr "$ATT_ADDR" >/dev/null &&
	li_cmd diagnose debug flow filter dport 500 >/dev/null &&
	li_cmd diagnose debug flow filter6 addr "$ATT_ADDR6" >/dev/null &&
	li_cmd diagnose debug flow filter6 dport 501 >/dev/null
check "filter addr $ATT_ADDR, dport 500; filter6 addr $ATT_ADDR6, dport 501" \
	[ $? = 0 ]
li_cmd diagnose debug flow filter >"$tmp/f4.out"
li_cmd diagnose debug flow filter6 >"$tmp/f6.out"
check "filter shows the IPv4 filter: host addr: $ATT_ADDR-$ATT_ADDR" \
	grep -q "host addr: $ATT_ADDR-$ATT_ADDR\$" "$tmp/f4.out"
check "... dport: 500-500" grep -q "dport: 500-500\$" "$tmp/f4.out"
check "filter6 shows the IPv6 filter: host addr: $ATT_ADDR6-$ATT_ADDR6" \
	grep -q "host addr: $ATT_ADDR6-$ATT_ADDR6\$" "$tmp/f6.out"
check "... dport: 501-501" grep -q "dport: 501-501\$" "$tmp/f6.out"
li_cmd diagnose -j debug flow filter6 >"$tmp/f6.json"
check "filter6 -j: family 6, its addr and dport" "$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["family"] == 6, d
assert d["filter"]["addr"]["from"] == sys.argv[2], d
assert d["filter"]["dport"]["from"] == 501, d
' "$tmp/f6.json" "$ATT_ADDR6"
li_cmd diagnose debug flow trace start 4 >/dev/null
start_stream s7
wait_until 100 streams 1
# Neither filter's: IPv6 to 500, IPv4 to 501. Then two of each.
probe_to "$GW_WAN6" 500 2
probe_to "$GW_WAN" 501 2
probe_to "$GW_WAN" 500 2
probe_to "$GW_WAN6" 501 2
exit_of "$s7"
rc=$?
check "trace start 4 with both filters set: the stream ends after 4 packets, exit 0 (got $rc)" \
	[ "$rc" = 0 ]
n4=$(grep -c "received a packet(proto=17, $ATT_ADDR:500->$GW_WAN:500)" "$tmp/s7.out")
n6=$(grep -c "received a packet(proto=17, $ATT_ADDR6:500->$GW_WAN6:501)" "$tmp/s7.out")
nx=$(grep -c 'func=print_pkt_detail' "$tmp/s7.out")
check "... IPv4 by filter: 2 to port 500 (got $n4)" [ "$n4" = 2 ]
check "... IPv6 by filter6: 2 to port 501 (got $n6)" [ "$n6" = 2 ]
check "... nothing else: 4 packets (got $nx)" [ "$nx" = 4 ]
li_cmd diagnose debug flow filter clear >"$tmp/clear4.out"
li_cmd diagnose debug flow filter >"$tmp/f4.out"
li_cmd diagnose debug flow filter6 >"$tmp/f6.out"
check "filter clear clears the IPv4 filter" grep -q "Host addr: any" "$tmp/f4.out"
check "... and not the IPv6 one" grep -q "host addr: $ATT_ADDR6" "$tmp/f6.out"
# An empty filter while the other family's is set traces none of its
# packets: `filter clear` said nothing and `filter` listed "any" for all.
check "... and says no IPv4 packet is traced while filter6 is set: $(cat "$tmp/clear4.out")" \
	grep -q "no IPv4 packet is traced" "$tmp/clear4.out"
check "filter (empty, filter6 set) lists that no IPv4 packet is traced" \
	grep -q "(no IPv4 packet is traced: this filter is empty while filter6 is set)" "$tmp/f4.out"
li_cmd diagnose -j debug flow filter >"$tmp/f4.json"
li_cmd diagnose -j debug flow filter6 >"$tmp/f6.json"
check "... -j: filter's left_out true, filter6's false" "$py" -c '
import json, sys
assert json.load(open(sys.argv[1]))["left_out"] is True
assert json.load(open(sys.argv[2]))["left_out"] is False
' "$tmp/f4.json" "$tmp/f6.json"
# negate addr alone on filter: addr is set in filter6 only, which it
# inverts; it said "IPv4 address: set in the IPv4 filter".
li_cmd diagnose debug flow filter negate addr >"$tmp/neg.out"
check "filter negate addr (addr set in filter6 only) says so: $(cat "$tmp/neg.out")" \
	grep -q "^addr: negated in the IPv6 filter, where it is set" "$tmp/neg.out"
check "... not that an address was set" lacks "set in the" "$tmp/neg.out"
check "... filter6 lists it negated" filter_has filter6 \
	"host addr: $ATT_ADDR6-$ATT_ADDR6 \(negate\)"
# FortiOS's abbreviations: `sa` is saddr (it was an unknown option).
li_cmd diagnose debug flow filter sa "$ATT_ADDR" >"$tmp/sa.out" 2>&1
check "filter sa $ATT_ADDR (saddr abbreviated) sets saddr: $(cat "$tmp/sa.out")" \
	filter_has filter "host saddr: $ATT_ADDR-$ATT_ADDR"
li_cmd diagnose debug flow filter cl >/dev/null
# What scripts typed when the one filter took both families.
li_cmd diagnose debug flow filter6 clear >/dev/null
li_cmd diagnose debug flow filter addr "$ATT_ADDR6" >"$tmp/compat.out"
check "filter addr $ATT_ADDR6 (an IPv6 address) says it went to filter6" \
	grep -q "set in the IPv6 filter" "$tmp/compat.out"
check "... filter6 has it" filter_has filter6 "host addr: $ATT_ADDR6-"
check "... filter does not" filter_has filter "Host addr: any"
# ... and traces what it did: that host's IPv6 packets, no IPv4 one (the
# IPv4 filter, not set, is left out while filter6 is set).
li_cmd diagnose debug flow trace start 2 >/dev/null
start_stream s8
wait_until 100 streams 1
probe_to "$GW_WAN" 500 2
probe_to "$GW_WAN6" 500 2
exit_of "$s8"
rc=$?
n6=$(grep -c "received a packet(proto=17, $ATT_ADDR6:500->$GW_WAN6:500)" "$tmp/s8.out")
nx=$(grep -c 'func=print_pkt_detail' "$tmp/s8.out")
check "... trace start 2: the stream ends, exit 0 (got $rc)" [ "$rc" = 0 ]
check "... with that host's 2 IPv6 packets (got $n6)" [ "$n6" = 2 ]
check "... and no IPv4 one: 2 packets in all (got $nx)" [ "$nx" = 2 ]
li_cmd diagnose debug flow filter6 clear >/dev/null
# vd N: this daemon has one VDOM, index 0; 3 was taken and matched nothing.
li_cmd diagnose debug flow filter vd 3 >"$tmp/vd.out" 2>&1
rc=$?
check "filter vd 3 is refused (exit $rc, want 1)" [ "$rc" = 1 ]
check "... saying why: $(cat "$tmp/vd.out")" grep -q \
	"no virtual domain with index 3: the one here is root (index 0); -1 matches all" \
	"$tmp/vd.out"
check "... the filter keeps vf: any" filter_has filter "vf: any"
li_cmd diagnose debug flow filter vd-name dmz >"$tmp/vd.out" 2>&1
rc=$?
check "filter vd-name dmz is refused (exit $rc, want 1): $(cat "$tmp/vd.out")" \
	[ "$rc" = 1 ]
check "... naming the daemon's VDOM" grep -q \
	'unknown virtual domain "dmz" (this one is "root")' "$tmp/vd.out"
li_cmd diagnose debug reset >/dev/null

# --- iprope list, show, clear ------------------------------------------------
hits() { li_cmd diagnose firewall iprope list 100001 |
	sed -n 's/^hit count:\([0-9]*\)$/\1/p' | head -n 1; }
li_cmd diagnose firewall iprope list 100001 >"$tmp/iprope.list"
check "iprope list 100001: Policy Group 00100001, policy index=1 action=drop" \
	grep -q "policy index=1 uuid_idx=1 action=drop" "$tmp/iprope.list"
check "... source: everything but remote-vpn (203.0.113.10 excluded)" \
	grep -q "source(2): 0.0.0.0-203.0.113.9, 203.0.113.11-255.255.255.255" "$tmp/iprope.list"
check "... service IKE: udp 500 and 4500" \
	grep -q "\[17:0x0:0/(0,65535)->(500,500)\]" "$tmp/iprope.list"
h1=$(hits)
probe 3
wait_until 50 sh -c "[ \"\$(li_cmd diagnose firewall iprope list 100001 | sed -n 's/^hit count://p')\" -gt ${h1:-0} ]" 2>/dev/null
h2=$(hits)
check "... hit count grows with probes ($h1 -> $h2)" [ "${h2:-0}" -ge $((${h1:-0} + 3)) ]
check "iprope show 100001 1: idx=1 hit count" \
	sh -c "li_cmd() { nsenter --net=/run/netns/$GW $bin \"\$@\"; }; \
		nsenter --net=/run/netns/$GW $bin diagnose -s $SOCK firewall iprope show 100001 1 | grep -q '^idx=1 hit count:'"
li_cmd diagnose firewall iprope clear 100001
check "iprope clear 100001: exit 0" [ $? = 0 ]
h3=$(hits)
check "... the hit count is 0 ($h3)" [ "$h3" = 0 ]
li_cmd diagnose firewall iprope show 100001 9 >/dev/null 2>&1
check "iprope show 100001 9 (no such policy): exit 1" [ $? = 1 ]

# --- get, show ---------------------------------------------------------------
li_cmd get system status >"$tmp/sys.out"
check "get system status: Hostname: vpn-gw1 (the seed's)" \
	grep -q "^Hostname: vpn-gw1" "$tmp/sys.out"
check "get system performance status: Packets decided" \
	sh -c "nsenter --net=/run/netns/$GW $bin get -s $SOCK system performance status | grep -q '^Packets decided:'"
li_cmd get firewall local-in-policy 1 >"$tmp/get.out"
check "get firewall local-in-policy 1: srcaddr \"All_exceptions\"" \
	grep -q '^srcaddr *: "All_exceptions"' "$tmp/get.out"
li_cmd show firewall local-in-policy 1 >"$tmp/show.out"
check "show firewall local-in-policy 1: the seed's edit 1 block" \
	sh -c "head -n 2 '$tmp/show.out' | tr '\n' '|' | grep -q '^config firewall local-in-policy|    edit 1|' && grep -q 'set service \"IKE\"' '$tmp/show.out'"

# --- JSON ----------------------------------------------------------------------
json_has() { # keys... : stdin parses, every key is at the top level
	"$py" -c '
import json, sys
d = json.load(sys.stdin)
missing = [k for k in sys.argv[1:] if k not in d]
sys.exit(1 if missing or d.get("localin") != 1 else 0)
' "$@"
}
jcheck() { # description keys -- command words...
	d=$1
	keys=$2
	shift 2
	# shellcheck disable=SC2086
	if li_cmd "$@" | json_has $keys; then pass "$d"; else fail "$d"; fi
}
jcheck "status -j parses, with pid config policies interfaces trace reasons policy_hits" \
	"pid config policies interfaces trace reasons policy_hits" status -j
jcheck "get system status -j: version hostname uptime_s policies" \
	"version hostname uptime_s policies" get -j system status
# Uptime counts from the daemon's start, before its config's first load.
check "get system status -j: started is not after loaded" sh -c \
	"nsenter --net=/run/netns/$GW $bin get -s $SOCK -j system status | '$py' -c 'import json, sys; d = json.load(sys.stdin); sys.exit(d[\"started\"] > d[\"loaded\"])'"
jcheck "get system performance status -j: packets reasons policy_deny events" \
	"packets reasons policy_deny events" get -j system performance status
jcheck "get firewall local-in-policy -j: policies" "policies" \
	get -j firewall local-in-policy
jcheck "diagnose firewall iprope list -j: group policies" "group policies" \
	diagnose -j firewall iprope list 100001
jcheck "diagnose debug flow filter -j: filter" "filter" \
	diagnose -j debug flow filter
jcheck "diagnose vpn tunnel list -j: sas (none in this lab)" "sas" \
	diagnose -j vpn tunnel list
# A ping from the attacker: no policy denies it, a session is opened.
ip netns exec "$PEER" ping -c 1 -W 2 "$GW_WAN" >/dev/null 2>&1
li_cmd diagnose -j sys session list >"$tmp/sess.json"
check "diagnose sys session list -j: the attacker's ping session (proto 1, src, origin in)" \
	"$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["localin"] == 1 and d["family"] == 4 and d["total"] >= 1
s = [s for s in d["sessions"] if s["proto"] == 1 and s["src"] == sys.argv[2]]
assert s and s[0]["origin"] == "in" and s[0]["org"]["packets"] >= 1
' "$tmp/sess.json" "$ATT_ADDR"
li_cmd diagnose -j firewall iprope list 100001 >"$tmp/ip.json"
check "... a policy object: id 1, action deny, srcaddr [All_exceptions], hits" \
	"$py" -c '
import json, sys
p = json.load(open(sys.argv[1]))["policies"][0]
assert p["id"] == 1 and p["action"] == "deny" and p["srcaddr"] == ["All_exceptions"]
assert p["service"] == ["IKE"] and isinstance(p["hits"], int)
' "$tmp/ip.json"
li_cmd status >"$tmp/status.txt"
li_cmd status -j >"$tmp/status.json"
check "status -j: the SA check, each SA source's name, type, state and SAs, vdom, debug, the outputs, local addresses and sessions as the text says them" \
	"$py" -c '
import json, re, sys
d = json.load(open(sys.argv[1]))
t = open(sys.argv[2]).read()
sa = d["sa"]
check = re.search(r"^ESP SPI check: (\S+)", t, re.M).group(1).lower()
assert sa["check"] == check, (sa["check"], check)
live, grace, gs = map(int, re.search(r"^SAs: (\d+) live, (\d+) in the grace period \((\d+) s\)", t, re.M).groups())
assert (sa["live"], sa["grace"], sa["grace_s"]) == (live, grace, gs)
assert sa["sources_from"] == ("found" if "SA sources (found on this gateway)" in t else "config")
lines = re.findall(r"^  (\S+): (.*)$", t.split("SA sources (")[1], re.M)
assert len(sa["sources"]) >= 1 and len(lines) >= len(sa["sources"])
for s, (name, rest) in zip(sa["sources"], lines):
    assert s["name"] == name and rest.startswith(s["type"]), (s, rest)
    # the state says "synced N s ago": the second may turn between the two
    n = lambda x: re.sub(r"[0-9]+ s\b", "N s", x)
    assert n(": %s; %d SAs" % (s["state"], s["sas"])) in n(rest), (s, rest)
    assert s["required"] == ("(not required)" not in rest)
v = re.search(r"^vdom: (\S+)", t, re.M)
assert d["vdom"] == (v.group(1) if v else None)
assert d["debug"]["enabled"] == ("debug: enabled" in t) and d["debug"]["streams"] == d["trace"]["streams"]
assert (d["alert_mail"] is None) == ("alert mail: off" in t)
assert (d["metrics"] is None) == ("metrics: off" in t)
assert len(d["syslog"]) == len(re.findall(r"^syslog: ", t, re.M))
assert (d["log_file"] is None) == ("log file: " not in t)
assert len(d["geoip"]["databases"]) == len(re.findall(r"^geoip IPv", t, re.M))
assert d["dynamic"]["count"] == 0 and d["dynamic"]["entries"] == []
o = {x["name"]: x for x in d["log_outputs"]}
assert o["log"]["written"] == d["log"]["written"] and "messages" in o
la = d["local_addresses"]
v4, bc, v6 = map(int, re.search(r"^local addresses: (\d+) IPv4 \(and (\d+) broadcast\), (\d+) IPv6", t, re.M).groups())
assert (la["ipv4"], la["broadcast"], la["ipv6"]) == (v4, bc, v6) and v4 >= 1
ss = d["sessions"]
e, m = map(int, re.search(r"^sessions: (\d+) in the map \(of (\d+)\)", t, re.M).groups())
assert ss["max"] == m and ss["entries"] >= 1 and abs(ss["entries"] - e) <= 2
' "$tmp/status.json" "$tmp/status.txt"
li_cmd diagnose sys session filter src "$ATT_ADDR" >/dev/null
li_cmd diagnose sys session filter dport 7 9 >/dev/null
li_cmd diagnose sys session filter negate dport >/dev/null
li_cmd diagnose -j sys session filter >"$tmp/sf.json"
li_cmd diagnose -j sys session6 filter >"$tmp/sf6.json"
check "diagnose sys session filter -j: src $ATT_ADDR, dport 7-9 negated, the rest null; session6's its own" \
	"$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
f = d["filter"]
assert d["localin"] == 1 and d["family"] == 4
assert f["src"] == {"from": sys.argv[3], "to": sys.argv[3], "negate": False}
assert f["dport"] == {"from": 7, "to": 9, "negate": True}
assert f["dst"] is None and f["proto"] is None and f["policy"] is None and f["vd"] is None
d6 = json.load(open(sys.argv[2]))
assert d6["family"] == 6 and d6["filter"]["src"] is None and d6["filter"]["dport"] is None
' "$tmp/sf.json" "$tmp/sf6.json" "$ATT_ADDR"
li_cmd diagnose sys session filter clear >/dev/null

# --- the admin group -----------------------------------------------------------
as_user() { # user command...
	u=$1
	shift
	setpriv --reuid="$u" --regid=nogroup --init-groups "$@"
}
as_user "$UIN" "$bin" status -s "$SOCK" >"$tmp/uin.out" 2>&1
rc=$?
check "a user in $ADMG (a supplementary group) may run status (exit $rc)" \
	sh -c "[ $rc = 0 ] && grep -q '^pid:' '$tmp/uin.out'"
as_user "$UOUT" "$bin" status -s "$SOCK" >"$tmp/uout.out" 2>&1
rc=$?
check "a user not in it may not (exit $rc): $(head -n 1 "$tmp/uout.out")" \
	sh -c "[ $rc = 1 ] && grep -qi 'permission denied' '$tmp/uout.out'"
mode=$(stat -c '%a %U:%G' "$SOCK")
check "the socket is root:$ADMG 0660 ($mode)" [ "$mode" = "660 root:$ADMG" ]

# --- localin stop while a console's socket buffer is full ----------------------
# The stop queued the end frame behind the unread lines and closed the
# connection at once: the console read what its socket buffer held and
# then EOF, no end frame. It waits for the console now, 2 s at most.
li_cmd diagnose debug reset >/dev/null
# It reads on once the daemon closed its end, or after 1.5 s (the daemon
# waits 2 s at most).
unread_client full 1500
full=$unread
probe 1500
sleep 0.5
touch "$tmp/full.go"
li_cmd stop >"$tmp/stop.out" 2>&1
rc=$?
wait "$full"
check "localin stop with a console not reading: exit 0 ($rc)" [ "$rc" = 0 ]
check "... the console reads its end frame: the daemon stops ($(cat "$tmp/full.out"))" \
	grep -q "end the daemon stops" "$tmp/full.out"

check "the daemon's stderr has no sanitizer report" \
	sh -c "! grep -qE 'AddressSanitizer|runtime error' '$ERR'"

[ "$fails" -eq 0 ]
