#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: the daemon's side of sessions. A UDP exchange the policy
# accepts shows in `diagnose sys session list` with its addresses, ports,
# counters and policy id; a filter that excludes it lists none, negated it
# lists it again; `diagnose sys session clear` deletes it silently and
# writes its end line. A TCP connection the peer opens and both sides
# close ends 1 s (tcp-timewait-timer) after its last packet: the sweep
# writes its end line, action="close", whose packet and byte counts are
# checked against a capture of the exchange in the peer's namespace.
#
#	sh tests/e2e/sessions_diag.sh BIN
#
# One PASS/FAIL line per check; SKIP (and exit 0) without root, without
# `BIN run`, without python3 or tcpdump.
set -u
bin=$(realpath "$1")
SUITE=e2e/sessions_diag
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping flock tcpdump tc bpftool
find_python
private_bpffs "$@"
setup_run sess localin-sess

UDP_PORT=7001
TCP_PORT=7002
conf=$tmp/localin.conf
cat >"$conf" <<EOF
config system global
    set hostname "sess-gw"
end
config log setting
    set local-in-allow enable
end
config firewall service custom
    edit "li-udp"
        set udp-portrange $UDP_PORT
    next
    edit "li-tcp"
        set tcp-portrange $TCP_PORT
    next
end
config firewall local-in-policy
    edit 7
        set intf "$IF"
        set srcaddr "all"
        set dstaddr "all"
        set service "li-udp" "li-tcp"
        set schedule "always"
        set action accept
    next
end
EOF

cleanup_more() {
	for p in ${helpers:-}; do kill "$p" 2>/dev/null; done
}
helpers=""

make_lab
check_start "the daemon starts" "$conf" || {
	cat "$ERR"
	exit 1
}

sess() { li_cmd diagnose sys session "$@"; }
has() { # text file: the file holds the line
	grep -qxF "$1" "$2"
}

# --- UDP: list, filter, clear --------------------------------------------------
# Three datagrams of 100 bytes (128 IP bytes each) from the peer's port
# 40001; the gateway answers none (nothing listens: the kernel's ICMP
# port unreachable is an error about the session, not of it).
ip netns exec "$PEER" "$py" - "$GW_ADDR" "$UDP_PORT" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 40001))
for _ in range(3):
    s.sendto(b"x" * 100, (sys.argv[1], int(sys.argv[2])))
EOF
list=$tmp/list
wait_until 50 sh -c "'$bin' diagnose -s '$SOCK' sys session list 2>&1 | grep -q 'org=384/3/0'" ||
	true
sess list >"$list" 2>&1
hook="hook=pre dir=org act=noop $PEER_ADDR:40001->$GW_ADDR:$UDP_PORT(0.0.0.0:0)"
reply="hook=post dir=reply act=noop $GW_ADDR:$UDP_PORT->$PEER_ADDR:40001(0.0.0.0:0)"
check "list: the UDP session, original direction" has "$hook" "$list"
check "list: its reply direction" has "$reply" "$list"
check "list: proto, timers" grep -q '^session info: proto=17 proto_state=00 duration=[0-9]* expire=1[78][0-9] timeout=180 flags=00000000 sockflag=00000000 sockport=0 av_idx=0 use=3$' "$list"
check "list: counters" has "statistic(bytes/packets/allow_err): org=384/3/0 reply=0/0/0 tuples=2" "$list"
check "list: logged, local" has "state=log local may_dirty" "$list"
ifx=$(ip -n "$GW" -o link show dev "$IF" 2>/dev/null | cut -d: -f1)
check "list: interface, hooks" has "orgin->sink: org pre->in, reply out->post dev=$ifx->0/0->$ifx gwy=0.0.0.0/0.0.0.0" "$list"
check "list: policy id" has "misc=0 policy_id=7 auth_info=0 chk_client_info=0 vd=0" "$list"
check "list: serial" grep -q '^serial=[0-9a-f]\{8\} tos=ff/ff app_list=0 app=0 url_cat=0$' "$list"
check "list: the total" has "total session 1" "$list"

sess filter dport $((UDP_PORT + 1)) >"$tmp/f.out" 2>&1
sess filter >"$tmp/filter" 2>&1
check "filter: printed as FortiOS does" has "        dest port: $((UDP_PORT + 1))-$((UDP_PORT + 1))" "$tmp/filter"
sess list >"$list" 2>&1
check "filter: one that excludes it lists none" has "total session 0" "$list"
sess filter negate dport >/dev/null 2>&1
sess list >"$list" 2>&1
check "filter: negated, it lists it again" has "$hook" "$list"
check "filter: a bad word is refused" sh -c "! '$bin' diagnose -s '$SOCK' sys session filter dport 9 8"
sess filter s 1 >"$tmp/amb.out" 2>&1
check "filter: an ambiguous word is refused naming its candidates (exit $?): $(cat "$tmp/amb.out")" \
	grep -qF 'ambiguous filter "s" (src, sport)' "$tmp/amb.out"
sess filter n dp >"$tmp/abbr.out" 2>&1
check "filter: abbreviated, negate dport again (exit $?)" test ! -s "$tmp/abbr.out"
sess list >"$list" 2>&1
check "filter: ... which excludes it again" has "total session 0" "$list"
sess filter clear >/dev/null 2>&1
sess filter dport $UDP_PORT >/dev/null 2>&1
sess clear >"$tmp/clear.out" 2>&1
check "clear: silent and ok" test ! -s "$tmp/clear.out"
sess filter clear >/dev/null 2>&1
sess list >"$list" 2>&1
check "clear: the session is gone" has "total session 0" "$list"
check "clear: its end line (sentpkt=3)" wait_until 50 grep -q "dstport=$UDP_PORT .*sentbyte=384 rcvdbyte=0 sentpkt=3 rcvdpkt=0" "$LOG"

# --- TCP: ends with both FINs, its end line ---------------------------------------
# The egress program must see the gateway's packets. Until the daemon
# attaches it itself, the test does: its instance of localin_egress (the
# one that shares our XDP program's maps), on $IF's egress.
egress_attached() {
	in_gw tc filter show dev "$IF" egress 2>/dev/null | grep -q localin_egress
}
attach_egress() {
	xdp=$(bpftool -j prog show pinned "$PIN/localin_xdp") || return 1
	id=$(bpftool -j prog show | "$py" -c '
import json, sys
xdp = json.loads(sys.argv[1])
mine = set(xdp.get("map_ids", []))
for p in json.load(sys.stdin):
    if p.get("name") == "localin_egress" and mine & set(p.get("map_ids", [])):
        print(p["id"])
        break
' "$xdp")
	[ -n "$id" ] || return 1
	bpftool prog pin id "$id" "$PIN/test_egress" &&
		in_gw tc qdisc add dev "$IF" clsact &&
		in_gw tc filter add dev "$IF" egress bpf direct-action \
			object-pinned "$PIN/test_egress"
}
if ! egress_attached; then
	check "the egress program attached (by the test)" attach_egress
fi

cap=$tmp/tcp.pcap
ip netns exec "$PEER" tcpdump -i peer0 -U -w "$cap" -nn "tcp port $TCP_PORT" \
	>/dev/null 2>&1 &
helpers="$helpers $!"
in_gw "$py" - "$GW_ADDR" "$TCP_PORT" <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1)
s.settimeout(30)
c, _ = s.accept()
while c.recv(4096):
    pass
c.sendall(b"bye")
c.close()
EOF
helpers="$helpers $!"
sleep 1 # tcpdump and the listener ready
ip netns exec "$PEER" "$py" - "$GW_ADDR" "$TCP_PORT" <<'EOF'
import socket, sys, time
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
c.sendall(b"hello" * 20)
c.shutdown(socket.SHUT_WR)
while c.recv(4096):
    pass
c.close()
EOF
check "TCP: its end line, action close, within timeout+2 s" \
	wait_until 30 grep -q "dstport=$TCP_PORT .*action=\"close\"" "$LOG"
sleep 1
kill $helpers 2>/dev/null
wait 2>/dev/null
helpers=""
# What the capture saw, peer to gateway and back: packets and IP bytes.
want=$("$py" - "$cap" "$PEER_ADDR" <<'EOF'
import socket, struct, sys
data = open(sys.argv[1], "rb").read()
peer = socket.inet_aton(sys.argv[2])
off, n = 24, {True: [0, 0], False: [0, 0]}
while off + 16 <= len(data):
    incl = struct.unpack("<I", data[off + 8:off + 12])[0]
    frame = data[off + 16:off + 16 + incl]
    off += 16 + incl
    ip = frame[14:]
    if len(ip) < 20:
        continue
    sent = ip[12:16] == peer
    n[sent][0] += 1
    n[sent][1] += struct.unpack(">H", ip[2:4])[0]
print("sentbyte=%d rcvdbyte=%d sentpkt=%d rcvdpkt=%d" %
      (n[True][1], n[False][1], n[True][0], n[False][0]))
EOF
)
line=$(grep "dstport=$TCP_PORT .*action=\"close\"" "$LOG" | tail -n 1)
echo "  capture: $want"
echo "  log:     $(echo "$line" | grep -o 'duration=[0-9]* sentbyte=[0-9]* rcvdbyte=[0-9]* sentpkt=[0-9]* rcvdpkt=[0-9]*')"
check "TCP: bytes and packets as captured" sh -c "echo '$line' | grep -qF '$want'"
check "TCP: duration 1 s (timewait)" sh -c "echo '$line' | grep -q ' duration=1 '"
check "TCP: from the peer to policy 7" sh -c "echo '$line' | grep -q 'srcip=$PEER_ADDR .*dstip=$GW_ADDR .*policyid=7 '"

li_cmd status >"$tmp/status" 2>&1
check "status: the sessions line" grep -q '^sessions: [0-9]* in the map (of 131072), [1-9][0-9]* ended ([1-9][0-9]* logged), 1 cleared' "$tmp/status"

li_cmd stop >/dev/null 2>&1
[ "$fails" -eq 0 ]
