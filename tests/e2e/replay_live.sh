#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: the live daemon and `localin replay` give the same verdicts
# for the same packets. A gateway runs `localin run` on wan1 under a
# config an admin would write (policy 1 denies IKE from all but the VPN
# peer, policy 2 accepts the peer, policy 3 denies the rest; the same in
# local-in-policy6; local-in-deny-unicast and local-in-allow; an SA file
# with the peer's SPIs). One segment (a bridge in the "switch" namespace) joins it to a
# peer and a scanner:
#
#   gw       wan1 192.0.2.1 2001:db8:a4::1: localin; its own DNS query,
#            TCP connection, UDP to a closed port, ping and ping6
#   peer     192.0.2.2 2001:db8:a4::2: IKE on 500 and 4500, ESP with its
#            SAs' SPIs (plain and in UDP), an unknown SPI within the IKE
#            window and one after it, ping, SSH SYN, fragments, IPv6
#   scanner  192.0.2.66 2001:db8:a4::66: IKE, forged ESP, TCP probes,
#            fragments, IPv6 (SSH and ping to the gateway's link-local
#            address too), forged DNS and TCP "replies"; a resolver and
#            a TCP server for the gateway's own traffic
#
# The traffic is captured by the admin's tools: tcpdump on the gateway's
# port of the bridge (every frame, before XDP judges it; the gateway's own
# too), the same with --time-stamp-precision=nano and with -s 96, and
# tcpdump -i any in the gateway. Then each capture is replayed with the
# same config and the gateway's link-local address, and replay's counters
# per reason and per policy, and its log lines, are compared with the
# daemon's (status -j before and after the traffic; its log file). Also:
# -i any and -i wan1 in the gateway hold no frame replay drops (XDP let
# all of it by), -i any's lo records are skipped; the lines the log rate
# limit suppressed are counted alike (status -j log.suppressed); every
# packet diagnose debug flow traced live has replay's trace lines; a
# capture cut mid-record names the packet it stopped at.
# KEEP=DIR keeps the run's files (captures, logs, counters) there.
#
#	sh tests/e2e/replay_live.sh BIN
set -u
bin=$(realpath "$1")
SUITE=e2e/replay_live
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare flock tcpdump ping
find_python
"$py" -c 'import scapy' 2>/dev/null || skip "scapy is missing"
private_bpffs "$@"
setup_run rl localin-rl
SCAN=$(run_name rl-scan)
SW=$(run_name rl-sw)
IF=wan1
PEER_ADDR=192.0.2.2
SCAN_ADDR=192.0.2.66
GW6=2001:db8:a4::1
PEER6=2001:db8:a4::2
SCAN6=2001:db8:a4::66
SPIS=c1000001,c1000002,c1000003
TRAFFIC="$(cd "$(dirname "$0")" && pwd)/replay_traffic.py"
SAFILE=$tmp/sa

cleanup_more() {
	ip netns del "$SCAN" 2>/dev/null
	ip netns del "$SW" 2>/dev/null
	[ -z "${KEEP:-}" ] || cp -r "$tmp" "$KEEP"
}

# --- the lab ------------------------------------------------------------------
# No router solicitations, DAD or MLD reports of its own: what a namespace
# sends unasked would land in the counters outside the capture's window.
quiet_ns() { # ns
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.default.router_solicitations=0 \
		net.ipv6.conf.all.router_solicitations=0 &&
		ip -n "$1" link set lo up
}
add_host() { # ns if port addr addr6
	ip netns add "$1" && quiet_ns "$1" &&
		ip link add "$2" netns "$1" type veth peer name "$3" netns "$SW" &&
		ip -n "$SW" link set "$3" master br0 up &&
		ip -n "$1" addr add "$4/24" dev "$2" &&
		ip -n "$1" addr add "$5/64" dev "$2" nodad &&
		ip -n "$1" link set "$2" up
}
build_lab() {
	ip netns add "$SW" &&
		ip netns exec "$SW" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 &&
		ip -n "$SW" link add br0 type bridge stp_state 0 mcast_snooping 0 &&
		ip -n "$SW" link set br0 up &&
		add_host "$GW" "$IF" gw0 "$GW_ADDR" "$GW6" &&
		add_host "$PEER" eth0 peer0 "$PEER_ADDR" "$PEER6" &&
		add_host "$SCAN" eth0 scan0 "$SCAN_ADDR" "$SCAN6"
}
# The gateway's link-local address, as `ip -6 addr show scope link` says.
gw_link_local() {
	ip -n "$GW" -6 addr show dev "$IF" scope link 2>/dev/null |
		sed -n 's/.*inet6 \(fe80[^/]*\)\/.*/\1/p' | head -n 1
}

write_conf() { # file
	cat >"$1" <<EOF
config system global
    set hostname "rl-gw"
end
$(conf_interface "$GW6/64")
config log setting
    set local-in-deny-unicast enable
    set local-in-allow enable
end
config firewall address
    edit "remote-vpn"
        set subnet $PEER_ADDR 255.255.255.255
    next
end
config firewall addrgrp
    edit "All_exceptions"
        set member "all"
        set exclude enable
        set exclude-member "remote-vpn"
    next
end
config firewall address6
    edit "remote-vpn6"
        set ip6 $PEER6/128
    next
end
config firewall local-in-policy
$(conf_policy_edit 1 "$IF" IKE deny All_exceptions)
$(conf_policy_edit 2 "$IF" ALL accept remote-vpn)
$(conf_policy_edit 3 "$IF" ALL deny)
end
config firewall local-in-policy6
$(conf_policy_edit 1 "$IF" ALL accept remote-vpn6)
$(conf_policy_edit 2 "$IF" ALL deny)
end
$(conf_sa_manual)
EOF
}
write_sa() { # file: the peer's SAs, as replay --sa-file reads them too
	for s in $(echo "$SPIS" | tr , ' '); do
		echo "$GW_ADDR $s $PEER_ADDR peer1"
	done >"$1"
}

# --- the gateway's own traffic ---------------------------------------------------
# The scanner's resolver (UDP 53: echoes the query back) and a TCP server
# (8080: a line, then close) the gateway's own clients talk to.
scanner_servers() {
	spawn "$SCAN" "$py" -c '
import socket, threading
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("0.0.0.0", 53))
t = socket.socket()
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("0.0.0.0", 8080))
t.listen(4)
def tcp():
    while True:
        c, a = t.accept()
        c.sendall(b"hello\n")
        c.close()
threading.Thread(target=tcp, daemon=True).start()
while True:
    d, a = u.recvfrom(512)
    u.sendto(d, a)'
}
gw_own() {
	in_gw "$py" -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", ("'"$SCAN_ADDR"'", 53))
print("dns", len(s.recv(512)))
c = socket.create_connection(("'"$SCAN_ADDR"'", 8080), timeout=2)
print("tcp", c.recv(64))
c.close()
time.sleep(0.5)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(b"x", ("'"$SCAN_ADDR"'", 9999))
time.sleep(0.5)' >>"$tmp/gw_own.out" 2>&1
	in_gw ping -n -q -c 2 -i 0.3 -W 1 "$SCAN_ADDR" >>"$tmp/gw_own.out" 2>&1
	in_gw ping -6 -n -q -c 2 -i 0.3 -W 1 "$SCAN6" >>"$tmp/gw_own.out" 2>&1
	# To itself, by lo: in tcpdump -i any, never seen by localin.
	in_gw ping -n -q -c 1 -W 1 "$GW_ADDR" >>"$tmp/gw_own.out" 2>&1
}

# --- captures -------------------------------------------------------------------
capture() { # ns interface file tcpdump-options...
	_n=$1 _i=$2 _f=$3
	shift 3
	spawn "$_n" tcpdump -U -n -i "$_i" -w "$tmp/$_f" "$@"
}
captures_ready() { # every tcpdump has said "listening on"
	[ "$(grep -c 'listening on' "$tmp/servers.out")" -ge 5 ]
}
stop_captures() {
	for p in $bg; do
		kill -INT "$p" 2>/dev/null
	done
	for p in $bg; do
		wait_until 50 gone "$p"
	done
}

# --- counters -----------------------------------------------------------------------
# status -j's reasons and policy_hits as lines "reason NAME N" and
# "policy FAMILY ID N".
live_counts() { # out
	li_cmd status -j | "$py" -c '
import json, sys
s = json.load(sys.stdin)
for k, v in sorted(s["reasons"].items()):
    print("reason", k, v)
for p in s["policy_hits"]:
    print("policy", p["family"], p["id"], p["hits"])
for k, v in sorted(s["log"].get("suppressed", {"none": -1}).items()):
    print("suppressed", k, v)' >"$1"
}

# --- the run ------------------------------------------------------------------------
build_lab || skip "cannot build the namespaces"
LL=$(gw_link_local)
write_sa "$SAFILE"
write_conf "$tmp/gw.conf"
check_start "the daemon starts on wan1 with the SA file" "$tmp/gw.conf"
scanner_servers
wait_until 30 udp_bound "$SCAN" 53
capture "$SW" gw0 wire.pcap
capture "$SW" gw0 nano.pcap --time-stamp-precision=nano
capture "$SW" gw0 s96.pcap -s 96
capture "$GW" any any.pcap
capture "$GW" "$IF" gwif.pcap
wait_until 50 captures_ready
sleep 1
# diagnose debug flow: every packet the data path judges, on a stream.
li_cmd diagnose debug flow trace start 1000 >/dev/null 2>&1
spawn "$GW" "$bin" diagnose -s "$SOCK" debug enable
live_counts "$tmp/live.before"
gw_own
spawn "$PEER" "$py" "$TRAFFIC" peer "$GW_ADDR" "$GW6" "$PEER6" "$SPIS"
peer_pid=${bg##* }
in_ns_scan() { nsenter --net="/run/netns/$SCAN" "$@"; }
in_ns_scan "$py" "$TRAFFIC" scan "$GW_ADDR" "$GW6" "$SCAN6" >>"$tmp/servers.out" 2>&1
# SSH and ping to the gateway's link-local address (the kernel's SYN
# and its one retransmission, as many as the capture holds).
in_ns_scan ping -6 -n -q -c 1 -W 1 "$LL%eth0" >>"$tmp/servers.out" 2>&1
in_ns_scan "$py" -c '
import socket
s = socket.socket(socket.AF_INET6)
s.settimeout(1.5)
try:
    s.connect(("'"$LL"'", 22, 0, socket.if_nametoindex("eth0")))
except OSError:
    pass' >>"$tmp/servers.out" 2>&1
wait_until 100 gone "$peer_pid"
gw_own
sleep 1
live_counts "$tmp/live.after"
stop_captures
# The end lines of the accepted sessions: ICMP's come 30 s after their
# last packet, the RST'd SSH attempt's after 5 s.
sleep 32
echo "gateway link-local: $LL" >>"$tmp/servers.out"

out_ok() { # the gateway's own exchanges all answered, localin or not
	grep -c "^dns 12\|^tcp b'hello" "$tmp/gw_own.out" | grep -qx 4 &&
		[ "$(grep -c ' 0% packet loss' "$tmp/gw_own.out")" = 6 ]
}
check "the gateway's own DNS, TCP, ping and ping6 answered under the deny-all" out_ok

# --- replay, and the comparison -----------------------------------------------------
rp() { # capture [more options]: replay as the admin runs it, same config
	_c=$1
	shift
	"$bin" replay -c "$tmp/gw.conf" "$tmp/$_c" --sa-file "$SAFILE" \
		--link-local "$LL" "$@"
}
# What the live daemon counted between the two snapshots: "reason N" and
# "policy FAMILY ID N" lines, zeros left out.
live_delta() {
	awk 'NR == FNR { b[$1 " " $2 " " $3] = $NF; next }
		{ k = $1 " " $2 " " $3; n = $NF - b[k]; $NF = ""
		  if (n) print $0 n }' "$tmp/live.before" "$tmp/live.after" |
		sed 's/  */ /g' | sort
}
# The same of replay's verdicts for the frames the gateway received (not
# those its MAC sent: the XDP program sees ingress only) and of its summary.
replay_delta() { # capture verdicts-file summary-file
	GWMAC=$(ip -n "$GW" link show dev "$IF" 2>/dev/null | sed -n 's/.*ether \([^ ]*\).*/\1/p')
	tcpdump -n -e -r "$tmp/$1" 2>/dev/null | awk '{ print $2 }' >"$tmp/macs"
	paste -d ' ' "$2" "$tmp/macs" | awk -v g="$GWMAC" '$5 != g { print "reason", $3 }' |
		sort | uniq -c | awk '{ print $2, $3, $1 }'
	sed -n 's/^  local-in-policy\(6*\) \([0-9]*\) ([a-z]*): \([0-9]*\)$/v\1 \2 \3/p' "$3" |
		awk '$NF != 0 { print "policy", ($1 == "v6" ? 6 : 4), $2, $3 }'
}
rp wire.pcap --verdicts >"$tmp/wire.v" 2>"$tmp/wire.err"
check "replay of the wire capture: exit 0" [ $? = 0 ]
rp wire.pcap >"$tmp/wire.out" 2>>"$tmp/wire.err"
live_delta | grep -v '^suppressed' >"$tmp/live.delta"
replay_delta wire.pcap "$tmp/wire.v" "$tmp/wire.out" | sort >"$tmp/replay.delta"
if [ -s "$tmp/live.delta" ] && cmp -s "$tmp/live.delta" "$tmp/replay.delta"; then
	pass "the daemon's counters per reason and per policy = replay's: $(tr '\n' ',' <"$tmp/live.delta")"
else
	fail "counters differ (live < replay >): $(diff "$tmp/live.delta" "$tmp/replay.delta" | grep '^[<>]' | tr '\n' ',')"
fi
# The lines the log rate limit held back (a burst of SYNs and of forged
# ESP from the scanner): status -j's log.suppressed, replay's summary.
live_delta | grep '^suppressed' >"$tmp/live.supp"
sed -n 's/.*log rate limit: suppressed //p' "$tmp/wire.out" | tr ',' '\n' |
	sed -n 's/^ *\([0-9]*\) \([a-z-]*\) lines*$/suppressed \2 \1/p' |
	sort >"$tmp/replay.supp"
if [ -s "$tmp/live.supp" ] && cmp -s "$tmp/live.supp" "$tmp/replay.supp"; then
	pass "the log lines suppressed by the rate limit, status -j = replay: $(tr '\n' ',' <"$tmp/live.supp")"
else
	fail "suppressed lines differ (live < replay >): $(diff "$tmp/live.supp" "$tmp/replay.supp" | grep '^[<>]' | tr '\n' ',')"
fi
# The log lines, but for the times: the live ones are stamped by the
# kernel's coarse clock (a tick behind), replay's by the capture's.
logs() { sed -n 's/^date=[^ ]* time=[^ ]* \(.*\)eventtime=[0-9]* \(.*\)/\1\2/p' "$1"; }
# Sorted: the daemon writes a session's end line when its sweep finds it
# ended, not in the order of their times. Replay also writes the end
# lines of the sessions still open at the capture's end, as they would
# time out (the peer's IKE on UDP: 180 s), which the daemon has not yet.
logs "$LOG" | sort >"$tmp/live.lines"
logs "$tmp/wire.out" | sort >"$tmp/replay.lines"
comm -23 "$tmp/live.lines" "$tmp/replay.lines" >"$tmp/live.only"
comm -13 "$tmp/live.lines" "$tmp/replay.lines" >"$tmp/replay.only"
if [ -s "$tmp/live.lines" ] && [ ! -s "$tmp/live.only" ] &&
	! grep -qv 'proto=17 action="accept" .*duration=180 ' "$tmp/replay.only"; then
	pass "the daemon's log lines = replay's ($(wc -l <"$tmp/live.lines") lines, sessionid and session end lines included; replay's $(wc -l <"$tmp/replay.only") more: UDP still open)"
else
	fail "log lines differ: $(cat "$tmp/live.only" "$tmp/replay.only" | head -n 4 | cut -c 1-300 | tr '\n' ' ')"
fi
check "session end lines: accept (ICMP), server-rst (SSH to a closed port)" \
	sh -c "grep -q 'proto=1 action=\"accept\"' '$tmp/live.lines' && grep -q 'action=\"server-rst\"' '$tmp/live.lines'"
# Packet by packet: the trace lines of each packet the daemon traced
# (its stream's output is in servers.out) against replay's --trace, but
# for what only replay traces (README): the gateway's own packets, ARP,
# neighbour discovery passed as ARP.
rp wire.pcap --trace --trace-count 0 >"$tmp/wire.trace" 2>&1
out=$("$py" - "$tmp/servers.out" "$tmp/wire.trace" <<'PY'
import re, sys
def groups(path):
    g, order = {}, []
    for l in open(path, errors="replace"):
        m = re.match(r"id=\d+ trace_id=(\d+) (.*)", l.rstrip("\n"))
        if m:
            if m.group(1) not in g:
                g[m.group(1)] = []
                order.append(m.group(1))
            g[m.group(1)].append(m.group(2))
    return [g[t] for t in order]
live = groups(sys.argv[1])
only = ("from local", "non-IP packet", "as ARP: no local-in check")
rep = [x for x in groups(sys.argv[2]) if not any(o in " ".join(x) for o in only)]
same = sum(a == b for a, b in zip(live, rep))
print("%d %d %d" % (len(live), len(rep), same))
PY
)
set -- $out
check "debug flow trace: the daemon's ${1:-?} packets traced as replay traces them (${3:-?} the same)" \
	sh -c "[ ${1:-0} -gt 50 ] && [ '${1:-}' = '${2:-}' ] && [ '${1:-}' = '${3:-}' ]"
for c in nano s96; do
	rp "$c.pcap" --verdicts >"$tmp/$c.v" 2>&1
	check "tcpdump $c: the same verdicts as the wire capture" cmp "$tmp/wire.v" "$tmp/$c.v"
done
# tcpdump -i any in the gateway (Linux cooked v2): what it holds passed
# XDP, so replay drops none of it; lo's records are skipped.
rp any.pcap --verdicts >"$tmp/any.v" 2>&1
check "tcpdump -i any: SLL2, replayed, nothing dropped" \
	sh -c "grep -q 'LINUX_SLL2' '$tmp/servers.out' && [ -s '$tmp/any.v' ] && ! grep -q ' drop ' '$tmp/any.v'"
check "tcpdump -i any: the gateway's ping to itself on lo skipped" grep -q ' skip loopback ' "$tmp/any.v"
# tcpdump -i wan1 on the gateway itself: the same, XDP runs before it.
rp gwif.pcap --verdicts >"$tmp/gwif.v" 2>&1
check "tcpdump -i wan1 in the gateway: replayed, nothing dropped (XDP's drops never reach it)" \
	sh -c "grep -q ' accept ' '$tmp/gwif.v' && ! grep -q ' drop ' '$tmp/gwif.v'"
# Cut in the middle of its last record, as a killed tcpdump leaves it.
n=$(wc -l <"$tmp/wire.v")
size=$(stat -c %s "$tmp/wire.pcap")
head -c $((size - 10)) "$tmp/wire.pcap" >"$tmp/cut.pcap"
rp cut.pcap --verdicts >"$tmp/cut.v" 2>"$tmp/cut.err"
rc=$?
head -n $((n - 1)) "$tmp/wire.v" >"$tmp/wire.head"
check "a capture cut mid-record: exit 1, packet $n named, the $((n - 1)) before judged alike" \
	sh -c "[ $rc = 1 ] && grep -q 'stopped at packet $n,' '$tmp/cut.err' && cmp -s '$tmp/wire.head' '$tmp/cut.v'"

[ "$fails" -eq 0 ]
