#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: one daemon per VDOM, each in a network namespace of its own,
# both at once, neither given a --socket: the default control socket and
# lock are per network namespace (/run/localin-NAME.sock in the namespace
# `ip netns` named NAME), so the second daemon is not refused, and
# `localin status` run in each namespace (nsenter or `ip netns exec`)
# reaches that namespace's daemon. The config is one multi-VDOM backup:
# VDOM root (namespace $GW) drops ICMP on its zone "lab" (the lab's
# interface, and "ghost0", which no interface has: a status line); VDOM
# tenant (namespace $PEER) has two SSH policies.
#
#	sh tests/e2e/vdoms.sh BIN
#
# The harness of tests/e2e/lib.sh: PASS/FAIL lines, SKIP without root;
# a mount namespace of its own with a private bpffs; it kills only the
# daemons it started and removes only the sockets and locks they made.
set -u
bin=$(realpath "$1")
SUITE=e2e/vdoms
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping flock
find_python
private_bpffs "$@"
setup_run vd localin-vd
cleanup_more() {
	rm -f "/run/localin-$GW.sock" "/run/localin-$GW.lock" \
		"/run/localin-$PEER.sock" "/run/localin-$PEER.lock" \
		"/run/localin-$GW.log-filter" "/run/localin-$PEER.log-filter"
}

in_peer() { nsenter --net="/run/netns/$PEER" "$@"; }

conf=$tmp/backup.conf
cat >"$conf" <<EOF
config vdom
edit root
next
edit tenant
next
end
config global
config system interface
    edit "$IF"
        set vdom "root"
        set ip $GW_ADDR 255.255.255.0
    next
    edit "peer0"
        set vdom "tenant"
        set ip $PEER_ADDR 255.255.255.0
    next
end
end
config vdom
edit root
config system zone
    edit "lab"
        set interface "$IF" "ghost0"
    next
end
config firewall local-in-policy
    edit 1
        set intf "lab"
        set srcaddr "all"
        set dstaddr "all"
        set service "ALL_ICMP"
        set schedule "always"
    next
end
next
edit tenant
config firewall local-in-policy
    edit 1
        set intf "peer0"
        set srcaddr "all"
        set dstaddr "all"
        set service "SSH"
        set schedule "always"
    next
    edit 2
        set intf "peer0"
        set srcaddr "all"
        set dstaddr "all"
        set service "SSH"
        set schedule "always"
        set action accept
    next
end
next
end
EOF

make_lab
check "without localin: the peer pings the gateway" ping_ok

# --- two daemons, default paths ---------------------------------------------
in_gw "$bin" run -c "$conf" --vdom root --log "$tmp/root.log" \
	--pin-dir /sys/fs/bpf/localin-vd-root >"$tmp/root.out" 2>&1
rc=$?
check "VDOM root: localin run in $GW starts (exit $rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || cat "$tmp/root.out"
pids="$pids $(head -n 1 "/run/localin-$GW.lock" 2>/dev/null)"
in_peer "$bin" run -c "$conf" --vdom tenant --log "$tmp/tenant.log" \
	--pin-dir /sys/fs/bpf/localin-vd-tenant >"$tmp/tenant.out" 2>&1
rc=$?
check "VDOM tenant: a second daemon, in $PEER, starts too (exit $rc)" \
	[ "$rc" = 0 ]
[ "$rc" = 0 ] || cat "$tmp/tenant.out"
pids="$pids $(head -n 1 "/run/localin-$PEER.lock" 2>/dev/null)"
check "the socket of $GW's daemon: /run/localin-$GW.sock" \
	[ -S "/run/localin-$GW.sock" ]
check "the socket of $PEER's daemon: /run/localin-$PEER.sock" \
	[ -S "/run/localin-$PEER.sock" ]

# --- each status answers from its own namespace --------------------------------
in_gw "$bin" status >"$tmp/root.status" 2>&1
check "localin status in $GW (nsenter): exit 0" [ $? = 0 ]
check "... VDOM root's daemon" grep -q "^vdom: root$" "$tmp/root.status"
check "... its one policy" grep -q "^policies: 1 IPv4" "$tmp/root.status"
check "... the zone's member attached" \
	grep -q "^interfaces: $IF (ifindex" "$tmp/root.status"
check "... the zone's member no interface has: named but absent" \
	grep -q "^interfaces named but absent: ghost0$" "$tmp/root.status"
ip netns exec "$PEER" "$bin" status >"$tmp/tenant.status" 2>&1
check "localin status in $PEER (ip netns exec): exit 0" [ $? = 0 ]
check "... VDOM tenant's daemon" grep -q "^vdom: tenant$" \
	"$tmp/tenant.status"
check "... its two policies" grep -q "^policies: 2 IPv4" "$tmp/tenant.status"
ip netns exec "$PEER" "$bin" status -j >"$tmp/tenant.json" 2>&1
check "status -j: vdom tenant, its two policies" \
	"$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["vdom"] == "tenant" and d["policies"]["ipv4"] == 2
' "$tmp/tenant.json"
ip netns exec "$PEER" "$bin" show >"$tmp/tenant.show" 2>&1
check "localin show in $PEER: exit 0" [ $? = 0 ]
check "... the file as the tenant daemon's VDOM: its two policies, not root's" \
	sh -c "grep -q 'set action accept' '$tmp/tenant.show' && [ \$(grep -c '^    edit [12]\$' '$tmp/tenant.show') = 2 ] && ! grep -q ALL_ICMP '$tmp/tenant.show'"
check "the two daemons are two processes" \
	[ "$(sed -n 's/^pid: //p' "$tmp/root.status")" != \
		"$(sed -n 's/^pid: //p' "$tmp/tenant.status")" ]

# --- enforcement: root's zone policy; the lock still works -----------------------
check "VDOM root drops the peer's ping on zone lab's member" ping_dropped
in_gw "$bin" run -c "$conf" --vdom root --foreground \
	--pin-dir /sys/fs/bpf/localin-vd-root2 >"$tmp/third.out" 2>&1
rc=$?
check "a second daemon in $GW is still refused (exit $rc)" [ "$rc" = 1 ]
check "... by the lock of its namespace" \
	grep -q "another localin daemon is running" "$tmp/third.out"

# --- execute log filter: each namespace's own -------------------------------------
unset LOCALIN_LOG_FILTER
in_gw "$bin" execute log filter view-lines 20 >/dev/null 2>&1
check "execute log filter in $GW: its namespace's file" \
	grep -q "^view-lines 20" "/run/localin-$GW.log-filter"
check "... $PEER's filter is untouched (view-lines 10)" \
	sh -c "ip netns exec '$PEER' '$bin' execute log filter dump | grep -q 'view-lines: 10'"

# --- a trace names its VDOM --------------------------------------------------------
tli() { ip netns exec "$PEER" "$bin" "$@"; }
tli diagnose debug flow filter vd-name root >"$tmp/vdname.out" 2>&1
check "VDOM tenant's daemon refuses vd-name root" \
	grep -q 'unknown virtual domain "root" (this one is "tenant")' "$tmp/vdname.out"
tli diagnose debug flow filter vd-name tenant >/dev/null 2>&1
check "... and takes vd-name tenant" [ $? = 0 ]
tli diagnose debug flow filter proto 1 >/dev/null 2>&1
tli diagnose debug flow trace start 1 >/dev/null 2>&1
in_gw ping -c 1 -W 1 "$PEER_ADDR" >/dev/null 2>&1
tenant_traced() { grep -q 'msg="vd-tenant:0 received a packet(proto=1, ' "$tmp/tenant.log"; }
check "its trace lines say vd-tenant:0 (FortiOS's vd-NAME:0)" \
	wait_until 50 tenant_traced
check "... and route via tenant" \
	grep -q 'find a route: flag=84000000 gw-[0-9.]* via tenant' "$tmp/tenant.log"

# --- stop each -------------------------------------------------------------------
in_peer "$bin" stop >/dev/null 2>&1
check "localin stop in $PEER: exit 0" [ $? = 0 ]
in_gw "$bin" status >/dev/null 2>&1
check "... $GW's daemon still answers" [ $? = 0 ]
in_gw "$bin" stop >/dev/null 2>&1
check "localin stop in $GW: exit 0" [ $? = 0 ]
sleep 0.3
check "no socket left in /run for either namespace" \
	[ ! -e "/run/localin-$GW.sock" -a ! -e "/run/localin-$PEER.sock" ]
check "traffic passes untouched" ping_ok

[ "$fails" -eq 0 ]
