#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: the session egress program (localin_egress) on the clsact
# egress hook of each interface the XDP program is attached to.
#
#  - attached with the XDP program: one filter of ours on $IF egress; a
#    UDP datagram the gateway sends opens a session in li_sess_tab (the
#    pinned map) and the peer's reply passes a config that denies everything,
#    while the peer's own pings are still dropped; a TCP upload's data
#    segments (page fragments past the pulled headers) are counted, and
#    its session cleared midway is found again at the next one; a DHCP
#    server answers the gateway's broadcast request (a rebind);
#  - SIGTERM removes the filter; a fresh start attaches one again, and a
#    restart after kill -9 (adopting the pins) leaves exactly one, its
#    program the new daemon's (sharing the pinned li_sess_tab);
#  - someone else's clsact qdisc and filters (ingress and egress) survive
#    our attach and our detach, and theirs do not keep ours from working;
#  - someone else's filter in our place: the XDP program stays attached,
#    status names the interface on its own line, reload exits 0 (not
#    "incomplete"), one daemon message; once it goes, ours is attached by
#    the retry, without a reload;
#  - the interface vanishing under the daemon: no error, nothing left.
#
#	sh tests/e2e/egress.sh BIN
#
# The harness of tests/e2e/lib.sh: PASS/FAIL lines, SKIP without root;
# a mount namespace of its own with a private bpffs; two network
# namespaces joined by a veth pair, and traffic only between them.
set -u
bin=$(realpath "$1")
SUITE=e2e/egress
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping tc bpftool
find_python
private_bpffs "$@"
setup_run eg localin-eg

write_conf() { # file: everything on $IF denied
	cat >"$1" <<EOF
config system global
    set hostname "eg-gw"
end
$(conf_policy1 ALL deny)
EOF
}

one_filter() { [ "$(egress_filters)" = 1 ]; }
no_filter() { [ "$(egress_filters)" = 0 ]; }
# How many loaded localin_egress programs use the pinned li_sess_tab: one, the
# skeleton's (the XDP program's copy per interface does not load its own).
egress_progs() {
	sess_id=$(bpftool map show pinned "$PIN/li_sess_tab" 2>/dev/null |
		sed -n 's/^\([0-9]*\):.*/\1/p')
	bpftool prog show -j 2>/dev/null | "$py" -c '
import json, sys
print(sum(1 for p in json.load(sys.stdin) if p.get("name") == "localin_egress"
          and int(sys.argv[1] or -1) in p.get("map_ids", [])))' "$sess_id"
}
# The data path's session (li_sess_tab, as the daemon lists it) from the
# gateway's port 40001 to the peer's 5001: the egress program opened it.
sess_to_peer() {
	li_cmd diagnose sys session list 2>/dev/null |
		grep -q "hook=out dir=org act=noop $GW_ADDR:40001->$PEER_ADDR:5001("
}
# The peer echoes one UDP datagram on port 5001; the gateway sends one
# from port 40001 and waits (3 s) for the echo: 0 if it came back.
udp_exchange() { udp_round_trip 0.0.0.0 "$PEER_ADDR"; }
# A DHCP rebind: the gateway broadcasts a request from port 68, a server
# it never named answers from port 67 to its address (session.h
# li_sess_dhcp_key): 0 if the answer came back.
dhcp_rebind() {
	ip netns exec "$PEER" "$py" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"peer0")
s.bind(("0.0.0.0", 67))
s.settimeout(5)
d, a = s.recvfrom(100)
s.sendto(b"ack", a)' &
	srv_pid=$!
	wait_until 30 udp_bound "$PEER" 67
	in_gw "$py" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"'"$IF"'")
s.bind(("0.0.0.0", 68))
s.settimeout(3)
s.sendto(b"request", ("255.255.255.255", 67))
try:
    s.recvfrom(100)
except OSError:
    sys.exit(1)'
	rc=$?
	wait "$srv_pid" 2>/dev/null
	return $rc
}
qdisc_there() { in_gw tc qdisc show dev "$IF" | grep -q clsact; }

make_lab
conf=$tmp/localin.conf
write_conf "$conf"

# --- attached with the XDP program ----------------------------------------------
check_start "localin run starts" "$conf" || {
	cat "$ERR"
	exit 1
}
check "XDP program attached" [ -n "$(prog_id)" ]
check "one filter of ours on $IF egress" one_filter
check "... none on ingress" [ "$(egress_filters ingress)" = 0 ]
check "... its program shares the pinned li_sess_tab" egress_uses_pins
n=$(egress_progs)
check "... the only localin_egress program loaded with those maps ($n)" \
	[ "$n" = 1 ]
check "enforcing: the peer's ping is dropped" ping_dropped
check "the peer's reply to the gateway's UDP datagram passes (session)" \
	udp_exchange
check "... li_sess_tab has the session from $GW_ADDR to $PEER_ADDR" sess_to_peer
check_status_lacks "status has no egress line" 'own connections meet'
check "no daemon message about the session program" \
	sh -c "! grep -q 'session program' $ERR"

check "a DHCP server's answer to the gateway's broadcast request passes" \
	dhcp_rebind

# --- the gateway's TCP upload: data beyond the pulled headers ------------------
# The gateway's TCP data lies in page fragments past the skb's linear
# part, which only its headers are pulled into: its segments must still
# be read (their bytes counted) and open the session again after a
# clear, or the peer's ACKs meet the deny-all and the upload stalls.
ip netns exec "$PEER" "$py" -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 5002))
s.listen(1)
s.settimeout(10)
c, a = s.accept()
c.settimeout(10)
while c.recv(65536):
    pass' &
sink_pid=$!
wait_until 30 tcp_listening 5002
in_gw "$py" -c '
import socket, time
s = socket.create_connection(("'"$PEER_ADDR"'", 5002), timeout=3)
buf, t0 = b"u" * 65536, time.time()
try:
    while time.time() - t0 < 4:
        s.sendall(buf)
        time.sleep(0.01)
    s.shutdown(socket.SHUT_WR)
    print("done")
except OSError as e:
    print("stalled:", e)' >"$tmp/upload.out" 2>&1 &
upload_pid=$!
sleep 1.5
# org=BYTES/PACKETS of the gateway's session to the peer's port 5002.
upload_bytes() {
	li_cmd diagnose sys session list 2>/dev/null |
		grep -B6 "hook=out dir=org act=noop $GW_ADDR:[0-9]*->$PEER_ADDR:5002(" |
		sed -n 's/.*org=\([0-9]*\)\/.*/\1/p' | head -n 1
}
n=$(upload_bytes)
check "the gateway's upload: its data segments are counted ($n bytes)" \
	[ "${n:-0}" -gt 1000000 ]
li_cmd diagnose sys session clear
wait "$upload_pid"
wait "$sink_pid" 2>/dev/null
check "... cleared, its session is found again: the upload completes ($(cat "$tmp/upload.out"))" \
	grep -qx done "$tmp/upload.out"

# --- SIGTERM, fresh start, takeover ---------------------------------------------
stop_term
check "SIGTERM: our filter is gone" no_filter
check "... the XDP program too" [ -z "$(prog_id)" ]
check_start "a fresh start (clsact there already)" "$conf"
check "... one filter of ours" one_filter
fp1=$(egress_prog)
kill -9 "$(daemon_pid)"
sleep 0.2
check "kill -9: the filter stays" one_filter
: >"$ERR"
check_start "a restart adopts the pins" "$conf"
check "... says it adopted them" grep -q "adopted the program" "$ERR"
check "... exactly one filter of ours" one_filter
fp2=$(egress_prog)
check "... running the new daemon's program ($fp1 -> $fp2)" \
	[ -n "$fp2" -a "$fp2" != "$fp1" ]
check "... sharing the pinned li_sess_tab" egress_uses_pins
check "... the reply still passes" udp_exchange
stop_term
check "SIGTERM: no filter of ours left" no_filter
check "... the clsact qdisc stays (README: never removed)" qdisc_there

# --- someone else's clsact and filters ---------------------------------------------
# u32 (this kernel has no matchall, no actions): one before ours that
# matches nothing of the test's, one after it that matches everything.
in_gw tc qdisc del dev "$IF" clsact
in_gw tc qdisc add dev "$IF" clsact &&
	in_gw tc filter add dev "$IF" egress protocol ip prio 7 u32 \
		match ip dport 65000 0xffff &&
	in_gw tc filter add dev "$IF" egress protocol all prio 60000 u32 \
		match u32 0 0 &&
	in_gw tc filter add dev "$IF" ingress protocol ip prio 7 u32 \
		match ip dport 65000 0xffff ||
	fail "cannot add someone else's clsact filters"
theirs() { # egress|ingress [prio]: their filter is there
	in_gw tc filter show dev "$IF" "$1" | grep -q "pref ${2:-7} u32"
}
theirs_egress() { theirs egress && theirs egress 60000; }
check_start "a start beside someone else's clsact filters" "$conf"
check "... one filter of ours" one_filter
check "... theirs on egress stay" theirs_egress
check "... theirs on ingress stays" theirs ingress
check "... the reply passes (their filters run, ours too)" udp_exchange
stop_term
check "SIGTERM: ours gone" no_filter
check "... theirs on egress stay" theirs_egress
check "... theirs on ingress stays" theirs ingress

# --- someone else's filter in our place -----------------------------------------------
in_gw tc filter del dev "$IF" egress prio 7
in_gw tc filter del dev "$IF" egress prio 60000
in_gw tc filter add dev "$IF" egress protocol all prio 19529 u32 \
	match u32 0 0 || fail "cannot put a filter in our place"
: >"$ERR"
check_start "a start with someone else's filter in our place" "$conf"
check "... the XDP program is attached" [ -n "$(prog_id)" ]
check "... enforcing" ping_dropped
check "... their filter in our place stays" \
	sh -c "nsenter --net=/run/netns/$GW tc filter show dev $IF egress | grep -q 'pref 19529 u32'"
check "... ours is not there" no_filter
check_status "status names the interface on the egress line, with the cause" \
	"^replies to the gateway's own connections meet the policies on: $IF (ifindex [0-9]*: Device or resource busy)"
check "... and not as not attached" \
	sh -c "! grep -q '^interfaces not attached' $tmp/status.out"
check_reload "reload exits 0: a degradation, not a loss of enforcement"
check "... not called incomplete" \
	sh -c "! grep -q incomplete $tmp/reload.out $ERR"
sleep 2 # retries meanwhile: still one message
n=$(grep -c "cannot attach the session program to $IF's egress" "$ERR")
check "one daemon message for the cause ($n)" [ "$n" = 1 ]
in_gw tc filter del dev "$IF" egress prio 19529
check "theirs gone: ours attached by the retry, without a reload" \
	wait_until 150 one_filter
check "... the daemon says so" \
	wait_until 50 grep -q "session program is attached to $IF's egress now" "$ERR"
check_status_lacks "... status has no egress line" 'own connections meet'

# --- the interface vanishing ------------------------------------------------------
: >"$ERR"
ip -n "$GW" link del "$IF"
check "interface deleted: the daemon says it is gone" \
	wait_until 50 grep -q "$IF is gone" "$ERR"
check "... and no error about it" \
	sh -c "! grep -qi 'cannot\|error' $ERR"
check "... the daemon answers" li_cmd status
li_cmd stop >/dev/null 2>&1
check "localin stop: the daemon exits" wait_until 100 gone "$(daemon_pid)"
[ "$fails" -eq 0 ]
