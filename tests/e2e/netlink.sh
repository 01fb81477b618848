#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: only the kernel speaks to the daemon's netlink sockets. Any
# process of the gateway's network namespace may send to a netlink port;
# a process sends the daemon's rtnetlink event socket RTM_DELLINK of the
# interface a deny of ICMP is on and RTM_DELADDR of its address (what
# would detach the program, or leave the address unjudged). The daemon
# drops them: still attached, the ping still dropped; status counts them
# (text and -j), and the daemon says so once a minute at most. Where the
# XFRM SA source is up, a process sends its event socket XFRM_MSG_FLUSHSA
# (what would drop every SA): counted in its line of status and in
# status -j sa.sources[] netlink.foreign.
#
#	sh tests/e2e/netlink.sh BIN
#
# One PASS/FAIL line per check; SKIP (and exit 0) without root or without
# `BIN run`. It runs in a mount namespace of its own with a private bpffs
# and kills only the daemon it started.
set -u
bin=$(realpath "$1")
SUITE=e2e/netlink
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping
find_python
private_bpffs "$@"
setup_run nl localin-nl
FORGE=$(cd "$(dirname "$0")" && pwd)/nl_forge.py

make_lab
conf=$tmp/deny-icmp.conf
{
	conf_interface
	conf_policy1 ALL_ICMP deny
} >"$conf"
check_start "localin run, ICMP denied on $IF" "$conf" || {
	cat "$ERR"
	exit 1
}
pid=$(daemon_pid)
check "the peer's ping is dropped" ping_dropped

said() { grep -c "rtnetlink: dropped" "$ERR"; }
foreign_is() { li_cmd status -j | grep -q "\"rtnetlink\":{\"foreign\":$1,"; }
v4_locals() { li_cmd status | sed -n 's/^local addresses: \([0-9]*\) IPv4.*/\1/p'; }
n0=$(v4_locals)
port=$(in_gw "$py" "$FORGE" "$pid" "$IF" "$GW_ADDR" 3)
check "a process sent 6 forged events to the daemon's event socket (port ${port:-none})" \
	[ -n "$port" ]
check "... counted: status -j says 6" wait_until 30 foreign_is 6
check "... status says so" eval \
	"li_cmd status | grep -q '^rtnetlink: 6 messages from processes dropped'"
check "... the daemon said so, once" [ "$(said)" = 1 ]
check "... $IF is still attached" eval \
	"li_cmd status -j | grep -q '\"name\":\"$IF\",\"ifindex\"'"
check "... and enforced: the ping is still dropped" ping_dropped
n=$(v4_locals)
check "... its address is still the gateway's ($n IPv4 local addresses, $n0 before)" \
	[ "$n" = "$n0" ]
in_gw "$py" "$FORGE" "$pid" "$IF" "$GW_ADDR" 2 >/dev/null
check "4 more within the minute: counted (10)" wait_until 30 foreign_is 10
check "... not said again (once a minute at most)" [ "$(said)" = 1 ]
ip -n "$GW" addr add 198.51.100.7/32 dev "$IF"
more() { [ "$(v4_locals)" = $((n + 1)) ]; }
check "... the kernel's events still read: an address added is a local one" \
	wait_until 30 more

# The XFRM SA source's event socket (found on its own: CONFIG_XFRM_USER).
xfrm_foreign_is() {
	li_cmd status -j | grep -q "\"type\":\"xfrm\",[^}]*\"up\":true,[^}]*\"netlink\":{\"foreign\":$1,"
}
if li_cmd status -j | grep -q '"type":"xfrm",[^}]*"up":true'; then
	port=$(in_gw "$py" "$FORGE" --xfrm "$pid" 3)
	check "a process sent 3 forged XFRM_MSG_FLUSHSA to the XFRM source (port ${port:-none})" \
		[ -n "$port" ]
	check "... counted, the source still up: status -j sa.sources[] says 3" \
		wait_until 30 xfrm_foreign_is 3
	check "... status's SA source line says so" eval \
		"li_cmd status | grep -q 'xfrm.*: up, .*3 messages from processes dropped'"
else
	note_skip "no XFRM SA source up here: its forged messages not sent"
fi
check "localin stop" stop_term

[ "$fails" -eq 0 ]
