#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: `config log syslogd setting` (and syslogd2..4) delivering the
# daemon's log lines to Debian's rsyslog, run in the foreground in the
# peer's namespace with a config of our own: UDP and TCP inputs per server
# slot, an omfile action writing %rawmsg% (the message as it came off the
# wire, framing removed) one per line. Traffic: IKE denied by policy (with
# local-in-deny-unicast enable) and raw ESP with an unknown SPI, by scapy.
# Checks:
#  - every mode (udp, reliable = RFC 6587 octet counting, legacy-reliable =
#    LF) with every format (default, csv, cef, rfc5424, json): as many
#    records arrive as the local log got lines, each with its <PRI>
#    (local7: <189> notice, <187> error) and the format's shape (JSON
#    parsed by python);
#  - the per-server filter: severity warning, local-traffic disable;
#  - rsyslog killed: the daemon keeps enforcing and logging locally,
#    `localin status` answers within 100 ms, says the server is down and
#    counts the lines it queued and dropped; rsyslog restarted: the queued
#    lines arrive, the daemon says how many were dropped.
#
#	sh tests/e2e/syslogd.sh BIN
# shellcheck disable=SC2317 # functions run by wait_until and the traps
set -u
bin=$(realpath "$1")
SUITE=e2e/syslogd
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping flock rsyslogd
find_python
"$py" -c 'import scapy' 2>/dev/null || skip "python3-scapy is missing"
private_bpffs "$@"
setup_run sl localin-syslogd

RS=$tmp/rs
mkdir -p "$RS"
rs_pid=""
QUEUE=8
# The daemon's queue per server, small so that a short outage overflows it.
export LOCALIN_SYSLOG_QUEUE=$QUEUE

cleanup_more() {
	[ -n "$rs_pid" ] && kill "$rs_pid" 2>/dev/null
	:
}

# Server slot N (1..4) listens on UDP 1050N and TCP 1060N, writing to sN.log.
cat >"$RS/rsyslog.conf" <<EOF
global(workDirectory="$RS")
module(load="imudp")
module(load="imtcp")
template(name="raw" type="string" string="%rawmsg%\n")
EOF
for n in 1 2 3 4; do
	cat >>"$RS/rsyslog.conf" <<EOF
ruleset(name="s$n") { action(type="omfile" file="$RS/s$n.log" template="raw") }
input(type="imudp" port="1050$n" ruleset="s$n")
input(type="imtcp" port="1060$n" ruleset="s$n")
EOF
done

rs_start() {
	ip netns exec "$PEER" rsyslogd -n -f "$RS/rsyslog.conf" \
		-i "$RS/rsyslog.pid" >>"$RS/rsyslog.out" 2>&1 &
	rs_pid=$!
	# listening on every port
	wait_until 50 sh -c "ip netns exec '$PEER' ss -ltn | grep -q ':10604 '"
}
rs_stop() {
	kill -9 "$rs_pid" 2>/dev/null
	wait "$rs_pid" 2>/dev/null
	rs_pid=""
	rm -f "$RS/rsyslog.pid"
}

# write_conf FILE "MODE FORMAT [EXTRA]" x4: EXTRA is "warning" (filter
# severity warning), "nolocal" (filter local-traffic disable) or "srcip"
# (set source-ip $GW_SRC).
write_conf() {
	f=$1
	shift
	cat >"$f" <<EOF
config system global
    set hostname "gw-syslog"
end
$(conf_interface)
config log setting
    set local-in-deny-unicast enable
end
config system metrics
    set status enable
end
$(conf_policy1 IKE deny)
EOF
	n=1
	for spec in "$@"; do
		# shellcheck disable=SC2086
		set -- $spec
		sect=syslogd
		[ "$n" -gt 1 ] && sect=syslogd$n
		port=1050$n
		[ "$1" != udp ] && port=1060$n
		cat >>"$f" <<EOF
config log $sect setting
    set status enable
    set server "$PEER_ADDR"
    set port $port
    set mode $1
    set format $2
EOF
		[ "${3:-}" = srcip ] &&
			printf '    set source-ip "%s"\n' "$GW_SRC" >>"$f"
		echo end >>"$f"
		case ${3:-} in
		warning) printf 'config log %s filter\n    set severity warning\nend\n' "$sect" >>"$f" ;;
		nolocal) printf 'config log %s filter\n    set local-traffic disable\nend\n' "$sect" >>"$f" ;;
		esac
		n=$((n + 1))
	done
}

# scapy in the peer's namespace: N IKE packets and N ESP packets with an
# unknown SPI, from SRC (an address of the peer's subnet; nothing answers).
traffic() { # src n
	ip netns exec "$PEER" "$py" -c "
import logging; logging.getLogger('scapy').setLevel(logging.ERROR)
from scapy.all import IP, UDP, ESP, Raw, send, conf
conf.verb = 0
send([IP(src='$1', dst='$GW_ADDR') / UDP(sport=40000 + i, dport=500) /
      Raw(bytes(40)) for i in range($2)])
send([IP(src='$1', dst='$GW_ADDR') / ESP(spi=0xdead0001, seq=i + 1) /
      Raw(bytes(32)) for i in range($2)])"
}

lines() { # file: its line count (0 if it does not exist)
	if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi
}
# The lines of file from line FROM+1 on.
tail_from() { tail -n "+$(($2 + 1))" "$1" 2>/dev/null; }
has_lines() { [ "$(lines "$1")" -ge "$2" ]; }
sl_status() { li_cmd status | grep "^syslog: $1 "; }
sl_count() { # server label: a counter of its status line
	sl_status "$1" | sed -n "s/.*[;,] $2 \([0-9]*\).*/\1/p"
}

# The shape of one record of FORMAT (PRI and the message after it).
shape_ok() { # format file-of-records
	"$py" - "$1" "$2" <<'EOF'
import json, re, sys
fmt, path = sys.argv[1], sys.argv[2]
ok = True
recs = open(path, encoding='utf-8').readlines()
if not recs:
    print('no records'); ok = False
for rec in recs:
    rec = rec.rstrip('\n')
    m = re.match(r'<(\d+)>(.*)$', rec)
    if not m or m.group(1) not in ('187', '189'):
        print('bad PRI:', rec); ok = False; continue
    pri, msg = int(m.group(1)), m.group(2)
    esp = pri == 187
    logid = '0101037131' if esp else '0001000014'
    if fmt == 'default':
        good = msg.startswith('date=') and ('logid="%s"' % logid) in msg \
            and msg.endswith('advpnsc=0' if esp else 'msg="Connection Failed"')
    elif fmt == 'csv':
        good = re.match(r'date=[0-9-]+,time=[0-9:]+,devname="gw-syslog",', msg) \
            and (',logid="%s",' % logid) in msg
    elif fmt == 'cef':
        good = re.match(r'[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d gw-syslog '
                        r'CEF:0\|Fortinet\|Fortigate\|[^|]+\|%s\|%s\|%d\|'
                        % (logid[-5:], 'event:vpn error esp_error' if esp
                           else 'traffic:local deny', 5 if esp else 3), msg) \
            and ('FTNTFGTlogid=%s cat=' % logid) in msg
    elif fmt == 'rfc5424':
        good = re.match(r'1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d '
                        r'gw-syslog localin - %s - date=' % logid, msg)
    elif fmt == 'json':
        try:
            o = json.loads(msg)
            good = o['logid'] == logid and isinstance(o['eventtime'], int) \
                and o['devname'] == 'gw-syslog' and o['vd'] == 'root'
        except Exception as e:
            good = False
    if not good:
        print('bad %s record: %s' % (fmt, rec)); ok = False
sys.exit(0 if ok else 1)
EOF
}

GW_SRC=192.0.2.9 # a second address of the gateway's, for source-ip
# How long the daemon takes to answer `status` (ms), timed by a client of
# the control socket of our own (not the localin client's start-up).
status_ms() {
	"$py" - "$SOCK" <<'EOF'
import socket, sys, time
t0 = time.monotonic()
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b'status\n')
f = s.makefile('rb')
head = f.readline().split()
assert head[0] == b'ok', head
for _ in range(int(head[1])):
    f.readline()
print(int((time.monotonic() - t0) * 1000))
EOF
}

make_lab
ip netns exec "$PEER" ip link set lo up
ip -n "$GW" addr add "$GW_SRC/24" dev "$IF"
rs_start || skip "rsyslogd does not start in a namespace: $(tail -n 3 "$RS/rsyslog.out")"
conf=$tmp/localin.conf

# One round: four servers as SPECS say, traffic from SRC, then per slot as
# many records as the local log got lines (or ESP lines for a filter),
# each of its format's shape.
round() { # src spec1 spec2 spec3 spec4
	src=$1
	shift
	write_conf "$conf" "$@"
	if [ -z "$(daemon_pid)" ]; then
		check_start "start with syslog servers: $*" "$conf" || exit 1
	else
		check "reload: $*" li_cmd reload
	fi
	# the TCP servers are connected (status says "up")
	wait_until 50 sh -c "[ \$('$bin' status -s '$SOCK' | grep -c '^syslog: .*: up;') = 4 ]"
	l0=$(lines "$LOG")
	for n in 1 2 3 4; do eval "f0_$n=\$(lines '$RS/s$n.log')"; done
	traffic "$src" 2
	wait_until 50 has_lines "$LOG" "$((l0 + 4))"
	sleep 1 # the rate limits let through what they let through
	new=$(tail_from "$LOG" "$l0")
	all=$(printf '%s\n' "$new" | grep -c 'logid=')
	esp=$(printf '%s\n' "$new" | grep -c 'logid="0101037131"')
	n=1
	for spec in "$@"; do
		# shellcheck disable=SC2086
		set -- $spec
		want=$all
		case ${3:-} in warning | nolocal) want=$esp ;; esac
		eval "f0=\$f0_$n"
		wait_until 50 has_lines "$RS/s$n.log" "$((f0 + want))"
		sleep 0.3
		tail_from "$RS/s$n.log" "$f0" >"$tmp/got"
		got=$(lines "$tmp/got")
		if [ "$got" = "$want" ] && [ "$want" -ge 2 ]; then
			pass "$1 $2${3:+ ($3)}: $got records for $all local lines"
		else
			fail "$1 $2${3:+ ($3)}: $got records, want $want (of $all local lines)"
		fi
		if shape_ok "$2" "$tmp/got" >"$tmp/shape" 2>&1; then
			pass "$1 $2: each record whole, framing parsed, <PRI> and $2 shape"
		else
			fail "$1 $2: records: $(head -c 600 "$tmp/shape")"
		fi
		n=$((n + 1))
	done
}

round 192.0.2.11 "udp default" "reliable default" "legacy-reliable default" "udp json"
round 192.0.2.12 "udp csv" "reliable csv" "legacy-reliable csv" "reliable json"
round 192.0.2.13 "udp cef" "reliable cef" "legacy-reliable cef" "legacy-reliable json"
round 192.0.2.14 "udp rfc5424" "reliable rfc5424" "legacy-reliable rfc5424" "udp default warning"
round 192.0.2.15 "reliable default nolocal" "udp json" "reliable json" "legacy-reliable cef srcip"
check "source-ip: server 4's connection comes from $GW_SRC" \
	sh -c "nsenter --net=/run/netns/$GW ss -tnH state established | grep -q '$GW_SRC:[0-9]* *$PEER_ADDR:10604'"

# --- rsyslog killed and restarted ------------------------------------------------
f0=$(lines "$RS/s1.log")
rs_stop
check "rsyslog killed: status says server 1 is down" \
	wait_until 50 sh -c "'$bin' status -s '$SOCK' | grep -q '^syslog: syslogd .*: down;'"
check "one daemon message for the episode" \
	wait_until 20 grep -q "syslog syslogd $PEER_ADDR:10601 (reliable): the server closed the connection; queueing up to $QUEUE lines" "$ERR"
d0=$(sl_count syslogd dropped)
bad0=$(count "ESP with an unknown SPI (dropped)")
l0=$(lines "$LOG")
for s in 21 22 23 24; do traffic "192.0.2.$s" 3; done
wait_until 50 has_lines "$LOG" "$((l0 + 20))"
sleep 1
down_lines=$(tail_from "$LOG" "$l0" | grep -c 'logid="0101037131"')
check "the daemon keeps enforcing: 12 unknown-SPI ESP dropped" \
	[ "$(count "ESP with an unknown SPI (dropped)")" -ge "$((bad0 + 12))" ]
check "... and logging locally (ESP lines: $down_lines)" [ "$down_lines" -ge 12 ]
li_cmd status >"$tmp/status"
ms=$(status_ms)
if [ "$ms" -le 100 ]; then pass "status answers in $ms ms while the server is down"; else fail "status took $ms ms"; fi
q=$(sl_count syslogd queued)
d1=$(sl_count syslogd dropped)
check "status: $q queued (the queue holds $QUEUE), $((d1 - d0)) dropped" \
	[ "$q" = "$QUEUE" ] && [ $((d1 - d0)) -ge $((down_lines - QUEUE)) ]
if ! [ "$q" = "$QUEUE" ]; then cat "$tmp/status"; fi
li_cmd status -j >"$tmp/status.json"
check "status -j: syslog server 1 down at $PEER_ADDR:10601 reliable, $QUEUE queued, dropped and last error as the text; metrics served" \
	"$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = {x["name"]: x for x in d["syslog"]}["syslogd"]
assert s["server"] == sys.argv[2] and s["port"] == 10601
assert s["mode"] == "reliable" and s["state"] == "down"
assert s["queued"] == int(sys.argv[3]) and s["dropped"] >= int(sys.argv[4])
assert s["last_error"] and isinstance(s["sent"], int) and s["sent"] > 0
o = {x["name"]: x for x in d["log_outputs"]}["syslogd"]
assert o["written"] == s["sent"] and o["lost"] == s["dropped"] and o["failing"]
m = d["metrics"]
assert m["served"] and m["url"] == "http://127.0.0.1:9420/metrics" and m["error"] is None
' "$tmp/status.json" "$PEER_ADDR" "$QUEUE" "$d1"
rs_start
check "rsyslog restarted: the queued lines arrive" \
	wait_until 150 has_lines "$RS/s1.log" "$((f0 + QUEUE))"
check "... all $QUEUE of them, each whole" \
	sh -c "[ \$(tail -n +$((f0 + 1)) '$RS/s1.log' | grep -c '^<187>date=.*advpnsc=0\$') = $QUEUE ]"
check "status: up, nothing queued" \
	wait_until 50 sh -c "'$bin' status -s '$SOCK' | grep -q '^syslog: syslogd .*: up; sent [0-9]*, queued 0'"
check "the daemon says it delivers again and how many were dropped" \
	wait_until 50 grep -q "syslog syslogd $PEER_ADDR:10601 (reliable): delivering again; $((d1 - d0)) lines dropped meanwhile" "$ERR"
f1=$(lines "$RS/s1.log")
traffic 192.0.2.31 1
check "new lines go out again" wait_until 50 has_lines "$RS/s1.log" "$((f1 + 1))"
# The same counts on the metrics endpoint, per server.
ip netns exec "$GW" curl -sf --max-time 3 http://127.0.0.1:9420/metrics \
	>"$tmp/metrics" 2>/dev/null
check "metrics: syslogd's lost lines are status's ($((d1 - d0)) in this episode)" \
	grep -q "^localin_log_lines_lost_total{sink=\"syslogd\"} $(sl_count syslogd dropped)\$" "$tmp/metrics"
check "metrics: syslogd's lines sent are counted" \
	grep -q "^localin_log_lines_written_total{sink=\"syslogd\"} [1-9]" "$tmp/metrics"

# --- a name that does not resolve, a UDP port nobody listens on -------------
# syslogd2: a name (the namespace has no resolver it can reach, or it says
# NXDOMAIN: either way an answer, or none, later); syslogd3: a closed port.
write_conf "$conf" "reliable default" "udp default" "udp default" "udp json"
sed -i -e '/^config log syslogd2 setting/,/^end/s/"'"$PEER_ADDR"'"/"syslog.invalid"/' \
	-e 's/port 10503$/port 10599/' "$conf"
check "reload: a server name that does not resolve, a UDP port without a listener" \
	li_cmd reload
ms=$(status_ms)
if [ "$ms" -le 100 ]; then
	pass "status answers in $ms ms while a name is being resolved"
else
	fail "status took $ms ms while a name is being resolved"
fi
traffic 192.0.2.41 1
check "the name: one message, and status says why" \
	wait_until 200 sh -c "grep -q 'syslog syslogd2 syslog.invalid:10502 (udp): resolving syslog.invalid: ' '$ERR' &&
		'$bin' status -s '$SOCK' | grep -q '^syslog: syslogd2 .*: down; .*(last: resolving syslog.invalid: '"
traffic 192.0.2.42 1
check "the UDP port without a listener: ICMP's refusal said" \
	wait_until 100 grep -q "syslog syslogd3 $PEER_ADDR:10599 (udp): send: Connection refused; queueing" "$ERR"
traffic 192.0.2.44 1
sleep 1
check "... once for the episode" \
	[ "$(grep -c "syslog syslogd3 $PEER_ADDR:10599 (udp): send" "$ERR")" = 1 ]
f1=$(lines "$RS/s1.log")
traffic 192.0.2.43 1
check "the good server still gets its lines" \
	wait_until 50 has_lines "$RS/s1.log" "$((f1 + 2))"

[ "$fails" -eq 0 ] || {
	echo "--- daemon messages"
	tail -n 30 "$ERR"
	echo "--- rsyslog"
	tail -n 10 "$RS/rsyslog.out"
}
exit $((fails > 0))
