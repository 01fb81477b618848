#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: the Prometheus endpoint (`config system metrics`, issue 9).
# The daemon runs in the gateway's namespace with metrics on; the peer
# sends denied IKE and ESP with an unknown SPI (scapy). Checks:
#  - defaults: `set status enable` alone serves 127.0.0.1:9420;
#  - curl: 200 with the exposition's content type, 404 and 405 elsewhere;
#  - the counters move by exactly the traffic sent: policy hits, packets
#    by reason and verdict, the SA source's SAs, log lines written (as many
#    as the log file has), scrapes, reloads;
#  - the text passes the format check (promcheck.py; `promtool check
#    metrics` too when it is installed);
#  - clients that connect, send half a request and never read (more than
#    the connection limit): `localin status` takes at most 100 ms longer
#    than without them (medians of 5), the daemon idles, the data path's
#    events are still read, and
#    a scrape gets through once their timeout frees a slot;
#  - reload: a new port rebinds (the old one is closed); a port that is
#    taken is said in the reload's answer and in status, enforcement goes
#    on, and the endpoint comes up once the port is free; a bad value is a
#    failed reload that keeps the endpoint; status disable closes it;
#  - a policy's hits, as iprope show, status -j and the metric read them,
#    go on across a reload (`localin reload` and SIGHUP) that changes the
#    policy but keeps its id, one larger than the maps (a successor
#    program takes over), a `localin restart`, a kill -9 and the start
#    that adopts its pins; a policy deleted and added back starts at 0;
#    iprope clear zeroes them (FortiOS keeps a policy's count until then).
#
#	sh tests/e2e/metrics.sh BIN
set -u
bin=$(realpath "$1")
SUITE=e2e/metrics
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare curl timeout
find_python
private_bpffs "$@"
setup_run met localin-metrics

SAFILE=$tmp/manual.sa
STALL=$tmp/stall.py
HOLD=$tmp/hold.py
stall=""
hold=""
cleanup_more() {
	for p in $stall $hold; do
		grep -qs "$tmp/" "/proc/$p/cmdline" && kill "$p" 2>/dev/null
	done
}

# N connections to PORT, each sends half a request, none ever reads.
cat >"$STALL" <<'EOF'
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
conns = []
for _ in range(n):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET /metr")
    conns.append(s)
open(sys.argv[3], "w").close()
time.sleep(120)
EOF
# Holds PORT (listening) until killed.
cat >"$HOLD" <<'EOF'
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
open(sys.argv[2], "w").close()
time.sleep(120)
EOF

write_conf() { # file [metrics lines...]
	f=$1
	shift
	cat >"$f" <<EOF
$(conf_interface)
$(conf_policy1 IKE deny)
config log setting
    set local-in-deny-unicast enable
end
$(conf_sa_manual)
config system metrics
EOF
	for l in "$@"; do echo "    $l" >>"$f"; done
	echo "end" >>"$f"
}

scrape() { # [port]: the text, into $tmp/scrape
	in_gw curl -sf --max-time 3 "http://127.0.0.1:${1:-9420}/metrics" \
		>"$tmp/scrape"
}
# The value of one series of the last scrape ("" if absent).
val() { # name{labels} exactly as printed
	awk -v k="$1" '$1 == k { print $2 }' "$tmp/scrape"
}
# scapy in the peer's namespace.
ike_send() { # count
	ip netns exec "$PEER" "$py" -c "
import logging; logging.getLogger('scapy').setLevel(logging.ERROR)
from scapy.all import IP, UDP, Raw, send, conf
conf.verb = 0
send([IP(src='$PEER_ADDR', dst='$GW_ADDR') / UDP(sport=500, dport=500) /
      Raw(bytes(28)) for s in range($1)])"
}
esp_send() { # spi count
	ip netns exec "$PEER" "$py" -c "
import logging; logging.getLogger('scapy').setLevel(logging.ERROR)
from scapy.all import IP, ESP, Raw, send, conf
conf.verb = 0
send([IP(src='$PEER_ADDR', dst='$GW_ADDR') / ESP(spi=$1, seq=s) /
      Raw(bytes(32)) for s in range(1, $2 + 1)])"
}
# A series reaches WANT within 3 s (scrapes again until it does).
reaches() { # series want [port]
	n=0
	while :; do
		scrape "${3:-9420}" && [ "$(val "$1")" = "$2" ] && return 0
		[ $n -ge 30 ] && return 1
		sleep 0.1
		n=$((n + 1))
	done
}
# Milliseconds `localin status` takes, median of 5.
status_ms() {
	for _ in 1 2 3 4 5; do
		t0=$(date +%s%N)
		li_cmd status >/dev/null 2>&1
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000000))
	done | sort -n | sed -n 3p
}
events_read() {
	li_cmd status | sed -n 's/^events: \([0-9]*\) read.*/\1/p'
}
format_ok() { # file
	"$py" "$here/promcheck.py" --prefix localin_ <"$1" >"$tmp/promcheck.out" ||
		return 1
	if command -v promtool >/dev/null 2>&1; then
		promtool check metrics <"$1" >"$tmp/promtool.out" 2>&1 || return 1
	fi
}

make_lab
printf '%s 0xc0ffee01 %s manual\n' "$GW_ADDR" "$PEER_ADDR" >"$SAFILE"
conf=$tmp/localin.conf
write_conf "$conf" "set status enable"

# --- defaults, HTTP ---------------------------------------------------------
check_start "start with config system metrics, status enable only" "$conf" ||
	exit 1
check "status: served at the default 127.0.0.1:9420" \
	sh -c "'$bin' status -s '$SOCK' | grep -q '^metrics: http://127.0.0.1:9420/metrics: '"
in_gw curl -s -o /dev/null -D "$tmp/headers" --max-time 10 \
	http://127.0.0.1:9420/metrics
check "GET /metrics: 200, Content-Type text/plain; version=0.0.4" \
	grep -qi '^Content-Type: text/plain; version=0.0.4' "$tmp/headers"
check "GET /other: 404" [ "$(in_gw curl -s -o /dev/null -w '%{http_code}' \
	--max-time 10 http://127.0.0.1:9420/other)" = 404 ]
check "POST /metrics: 405" [ "$(in_gw curl -s -o /dev/null -w '%{http_code}' \
	--max-time 10 -d x http://127.0.0.1:9420/metrics)" = 405 ]

# --- the counters move with the traffic ---------------------------------------
wait_until 30 sh -c "'$bin' status -s '$SOCK' | grep -q '^ESP SPI check: on'"
scrape
hits0=$(val 'localin_policy_hits_total{family="ipv4",policy="1"}')
drop0=$(val 'localin_packets_total{reason="policy",action="drop"}')
spi0=$(val 'localin_packets_total{reason="esp-unknown-spi",action="drop"}')
scr0=$(val localin_metrics_scrapes_total)
ev0=$(val localin_events_read_total)
check "the file source's one SA: localin_sas{source=\"manual\",type=\"file\"} 1" \
	[ "$(val 'localin_sas{source="manual",type="file"}')" = 1 ]
check "localin_sa_source_up{source=\"manual\",type=\"file\"} 1" \
	[ "$(val 'localin_sa_source_up{source="manual",type="file"}')" = 1 ]
check "scrapes count themselves" [ "$scr0" -ge 1 ]
ike_send 5
check "5 denied IKE: localin_policy_hits_total{policy=\"1\"} +5" \
	reaches 'localin_policy_hits_total{family="ipv4",policy="1"}' \
	"$((hits0 + 5))"
check "... and localin_packets_total{reason=\"policy\",action=\"drop\"} +5" \
	[ "$(val 'localin_packets_total{reason="policy",action="drop"}')" = \
	"$((drop0 + 5))" ]
esp_send 0xdead0001 7
check "7 unknown-SPI ESP: localin_packets_total{reason=\"esp-unknown-spi\",action=\"drop\"} +7" \
	reaches 'localin_packets_total{reason="esp-unknown-spi",action="drop"}' \
	"$((spi0 + 7))"
# Each packet an event (the data path's bucket holds far more); the log's
# own rate limit may drop some lines, which are then not "written".
check "12 events read (5 IKE, 7 ESP)" \
	reaches localin_events_read_total "$((ev0 + 12))"
check "log lines written: as many as the log file has" \
	[ "$(val 'localin_log_lines_written_total{sink="log"}')" = \
	"$(wc -l <"$LOG")" ]
check "log lines lost: 0" \
	[ "$(val 'localin_log_lines_lost_total{sink="log"}')" = 0 ]
check "the scrape count moved" \
	[ "$(val localin_metrics_scrapes_total)" -gt "$scr0" ]
if format_ok "$tmp/scrape"; then
	pass "the exposition format checks$(command -v promtool >/dev/null 2>&1 &&
		echo ' (promcheck.py and promtool)' || echo ' (promcheck.py; no promtool here)')"
else
	fail "the exposition format checks"
	cat "$tmp/promcheck.out" "$tmp/promtool.out" 2>/dev/null | head -n 20
fi

check "promcheck.py refuses what breaks the format (--self-test)" \
	"$py" "$here/promcheck.py" --self-test

# --- stalled clients ---------------------------------------------------------
quiet_ms=$(status_ms)
in_gw "$py" "$STALL" 9420 20 "$tmp/stalled" &
stall=$!
wait_until 50 test -e "$tmp/stalled" || fail "the stalled clients did not connect"
stalled_ms=$(status_ms)
# The delay the stalled clients add (the client's own start is in both).
if [ "$stalled_ms" -le $((quiet_ms + 100)) ]; then
	pass "20 stalled clients: status answers in ${stalled_ms} ms (median of 5; ${quiet_ms} ms without)"
else
	fail "20 stalled clients: status took ${stalled_ms} ms (median of 5; ${quiet_ms} ms without)"
fi
check "status: the connection limit is taken (16 of 16)" \
	sh -c "'$bin' status -s '$SOCK' | grep -q 'connections open (of 16)'"
ticks() { awk '{ print $14 + $15 }' "/proc/$(daemon_pid)/stat"; }
t0=$(ticks)
sleep 2
t1=$(ticks)
check "... the daemon idles meanwhile (CPU $((t1 - t0)) ticks in 2 s)" \
	[ $((t1 - t0)) -lt 50 ]
ev1=$(events_read)
ike_send 3
check "meanwhile the data path's events are read" \
	wait_until 30 sh -c "[ \$('$bin' status -s '$SOCK' | sed -n 's/^events: \([0-9]*\) read.*/\1/p') = $((ev1 + 3)) ]"
check "a scrape gets through once the timeout frees a slot (5 s)" \
	reaches 'localin_policy_hits_total{family="ipv4",policy="1"}' \
	"$((hits0 + 8))"
kill "$stall" 2>/dev/null
wait "$stall" 2>/dev/null
stall=""

# --- reload: rebind, a taken port, a bad value, off -----------------------------
write_conf "$conf" "set status enable" "set port 9421"
li_cmd reload >"$tmp/reload.out" 2>&1
check "reload to port 9421: the new port answers" reaches localin_reloads_total 1 9421
check "... and 9420 is closed" sh -c "! nsenter --net=/run/netns/$GW curl -s --max-time 5 http://127.0.0.1:9420/metrics"
in_gw "$py" "$HOLD" 9422 "$tmp/held" &
hold=$!
wait_until 50 test -e "$tmp/held"
write_conf "$conf" "set status enable" "set port 9422"
li_cmd reload >"$tmp/reload.out" 2>&1
check "reload to a taken port: the answer says so" \
	grep -q "metrics: cannot listen on 127.0.0.1:9422: Address already in use" "$tmp/reload.out"
check "... status says so" \
	sh -c "'$bin' status -s '$SOCK' | grep -q '^metrics: NOT SERVED: cannot listen on 127.0.0.1:9422'"
pol0=$(count "local-in-policy 1 (deny)")
ike_send 2
check "... enforcement goes on" wait_until 30 \
	sh -c "[ \"\$('$bin' status -s '$SOCK' | sed -n 's/^ *local-in-policy 1 (deny): //p')\" = $((pol0 + 2)) ]"
kill "$hold" 2>/dev/null
wait "$hold" 2>/dev/null
hold=""
check "the port freed: served within 15 s" wait_until 150 \
	sh -c "nsenter --net=/run/netns/$GW curl -sf --max-time 2 http://127.0.0.1:9422/metrics >/dev/null"
check "... and said" grep -q "metrics: listening on 127.0.0.1:9422 now" "$ERR"
write_conf "$conf" "set status enable" "set port 0"
li_cmd reload >"$tmp/reload.out" 2>&1
check "reload with port 0: refused, the value located" \
	grep -q 'error: invalid value "0" for port (expected an integer 1-65535)' "$tmp/reload.out"
check "... the endpoint stays" reaches localin_reload_failures_total 1 9422
write_conf "$conf" "set status disable" "set port 9422"
li_cmd reload >"$tmp/reload.out" 2>&1
check "status disable: closed" sh -c "! nsenter --net=/run/netns/$GW curl -s --max-time 5 http://127.0.0.1:9422/metrics"
check "... status: metrics: off" \
	sh -c "'$bin' status -s '$SOCK' | grep -q '^metrics: off'"

# --- policy hits across reloads, a restart, a kill -9 --------------------------
# Policy 2 denies SNMP (no hits), then policy 1 denies IKE (on SERVICE),
# or policy 3 in its place, then N HTTP policies from 100; metrics on 9423.
hits_conf() { # service [1|3 [N]]
	{
		conf_interface
		echo "config firewall local-in-policy"
		conf_policy_edit 2 "$IF" SNMP deny
		conf_policy_edit "${2:-1}" "$IF" "$1" deny
		[ "${3:-0}" = 0 ] || conf_http_policies "$3" 100 "$IF"
		echo "end"
		conf_sa_manual
		echo "config system metrics"
		echo "    set status enable"
		echo "    set port 9423"
		echo "end"
	} >"$conf"
}
# Policy ID's hits as iprope show, status -j and the metric read them.
hits_of() { # id
	ip=$(li_cmd diagnose firewall iprope show 100001 "$1" |
		sed -n 's/^idx=[0-9]* hit count:\([0-9]*\)$/\1/p')
	js=$(li_cmd status -j | "$py" -c "import json, sys
print(*[p['hits'] for p in json.load(sys.stdin)['policy_hits']
        if p['id'] == $1 and p['family'] == 4])")
	me=""
	scrape 9423 &&
		me=$(val "localin_policy_hits_total{family=\"ipv4\",policy=\"$1\"}")
	echo "${ip:-none} ${js:-none} ${me:-none}"
}
# All three read WANT (within 3 s), said with what they read.
check_hits() { # description id want
	n=0
	until got=$(hits_of "$2") && [ "$got" = "$3 $3 $3" ]; do
		[ $n -ge 30 ] && break
		sleep 0.1
		n=$((n + 1))
	done
	if [ "$got" = "$3 $3 $3" ]; then
		pass "$1: $3 (iprope show, status -j, metric: $got)"
	else
		fail "$1: $3 (iprope show, status -j, metric: $got)"
	fi
}
reloads() {
	li_cmd status -j | "$py" -c "import json, sys
print(json.load(sys.stdin)['reloads'])"
}
hits_conf IKE
check_reload "policy 2 first, policy 1 (IKE) after it, metrics on 9423"
li_cmd diagnose firewall iprope clear 100001 >/dev/null 2>&1
check_hits "iprope clear: policy 1's hits" 1 0
ike_send 4
check_hits "4 denied IKE" 1 4
hits_conf ALL_UDP
check_reload "reload, policy 1 on another service"
check_hits "... it keeps its hits" 1 4
ike_send 3
check_hits "... 3 more denied IKE: 4 + 3" 1 7
r0=$(reloads)
kill -HUP "$(daemon_pid)"
wait_until 50 sh -c "[ \"\$('$bin' status -j -s '$SOCK' | grep -o '\"reloads\":[0-9]*')\" = '\"reloads\":$((r0 + 1))' ]"
check_hits "SIGHUP reload ($r0 -> $(reloads) reloads): policy 1 keeps its hits" 1 7
check_hits "... policy 2, never hit" 2 0
hits_conf ALL_UDP 1 3000
check_takeover_reload "a program with larger maps took over"
check_hits "... policy 1 keeps its hits" 1 7
hits_conf IKE 3
check_reload "reload: policy 1 deleted, 3 in its place"
ike_send 2
check_hits "... 2 denied IKE: policy 3" 3 2
hits_conf IKE
check_reload "reload: policy 1 added back"
check_hits "... it starts from 0" 1 0
ike_send 2
check_hits "... 2 denied IKE: policy 1" 1 2
pid=$(daemon_pid)
li_cmd restart >"$tmp/restart.out" 2>&1
check "localin restart: the same pid, the pins adopted" \
	grep -q "adopted the program and maps pinned" "$tmp/restart.out"
check_hits "... policy 1 keeps its hits" 1 2
ike_send 1
check_hits "... 1 more denied IKE: 2 + 1" 1 3
kill -9 "$pid"
wait_until 50 gone "$pid"
ike_send 2
start_daemon "$conf"
check_hits "kill -9, 2 denied IKE meanwhile, a start that adopts the pins: 3 + 2" 1 5
li_cmd diagnose firewall iprope clear 100001 >/dev/null 2>&1
check_hits "iprope clear: 0 again" 1 0
pid=$(daemon_pid)
li_cmd stop >/dev/null 2>&1
wait_until 100 gone "$pid"

# --- libmicrohttpd missing: it is loaded when the endpoint starts ---------------
write_conf "$conf" "set status enable"
export LOCALIN_LIBMICROHTTPD=libnosuch-localin.so.12
check_start "a daemon whose libmicrohttpd cannot be loaded (LOCALIN_LIBMICROHTTPD) starts" "$conf"
unset LOCALIN_LIBMICROHTTPD
check "... status says why the endpoint is not served" \
	sh -c "'$bin' status -s '$SOCK' | grep -q '^metrics: NOT SERVED: cannot serve on 127.0.0.1:9420: libnosuch-localin.so.12: cannot open shared object file'"
pol0=$(count "local-in-policy 1 (deny)")
ike_send 2
check "... and enforcement goes on (2 denied IKE counted)" wait_until 30 \
	sh -c "[ \"\$('$bin' status -s '$SOCK' | sed -n 's/^ *local-in-policy 1 (deny): //p')\" = $((pol0 + 2)) ]"

li_cmd stop >/dev/null 2>&1
[ "$fails" -eq 0 ]
