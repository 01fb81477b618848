#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: the gateway's interface changes under the running daemon,
# a deny of ICMP on it (the admin's ping is what a deny-all drops):
#
#  - jumbo frames: veth refuses native XDP while its peer's MTU leaves a
#    frame no room in a page (-ERANGE); the program goes on in generic
#    mode, and the daemon says so with why (status: "generic XDP", -j:
#    "mode"), where it said "attached" as for native; a 8900-byte ping
#    (DF, no fragments) is judged and dropped;
#  - a rename away (`ip link set X name Y`): policies name interfaces, so
#    Y is not enforced (said, status: X named but absent); back, it is;
#  - deleted and made again under its name (a new ifindex): attached
#    within 1 s (the program loaded at start, not loaded again for it),
#    enforced, the gateway's own ping out of it answered;
#  - moved to another network namespace (`ip link set X netns Y`, a
#    container's veth): the kernel kept localin's program on it there,
#    judging that namespace's packets by the gateway's policies, beyond
#    `localin stop`; now taken off there, said; moved back, attached;
#  - events lost: the daemon stopped (SIGSTOP) while 1500 veth pairs come
#    and go (more than the event socket's 8 MB hold: ENOBUFS), $IF moves
#    to another namespace and a new $IF is made: once it runs it says so,
#    reads it all again, enforces on the new $IF, and takes its program
#    off the old one in the other namespace.
#
#	sh tests/e2e/linkchange.sh BIN
set -u
bin=$(realpath "$1")
SUITE=e2e/linkchange
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping
private_bpffs "$@"
setup_run lkc localin-lkc
IF9=$(link_name lkn)
XNS=$(run_name lkc-x)
cleanup_more() { ip netns del "$XNS" 2>/dev/null; }

conf=$tmp/deny-icmp.conf
{
	conf_interface
	conf_policy1 ALL_ICMP deny
} >"$conf"

make_lab
if ! ip -n "$GW" link set "$IF" mtu 9000 ||
	! ip -n "$PEER" link set peer0 mtu 9000; then
	skip "cannot set MTU 9000 on the veth pair"
fi
check_start "localin run with MTU 9000 on $IF and its peer" "$conf" || {
	cat "$ERR"
	exit 1
}

# --- jumbo frames: generic mode, said --------------------------------------------
check "$IF: attached in generic mode (the kernel says xdpgeneric)" \
	eval "ip -n '$GW' -d link show dev '$IF' | grep -q xdpgeneric"
check "the daemon says generic mode and why" grep -q \
	"attached to $IF (ifindex [0-9]*) in generic mode: the driver refused native XDP" \
	"$ERR"
check_status "localin status: $IF (ifindex N, generic XDP)" \
	"^interfaces: $IF (ifindex [0-9]*, generic XDP)"
li_cmd status -j >"$tmp/status.json" 2>&1
check "status -j: \"mode\":\"generic\"" \
	grep -q "{\"name\":\"$IF\",\"ifindex\":[0-9]*,\"mode\":\"generic\"}" \
	"$tmp/status.json"
check "a ping is dropped" ping_dropped
check "an 8900-byte ping (one jumbo frame) is dropped" \
	eval "! ip netns exec '$PEER' ping -c 1 -W 1 -M \"do\" -s 8900 $GW_ADDR"
check "the gateway's own 8900-byte ping out of $IF is answered" \
	in_gw ping -c 1 -W 2 -M "do" -s 8900 "$PEER_ADDR"

# --- rename away and back ----------------------------------------------------------
: >"$ERR"
ip -n "$GW" link set "$IF" name "$IF9"
check "renamed $IF to $IF9: detached, said" \
	wait_until 50 grep -q "detached from $IF9" "$ERR"
check "... the rename said" \
	grep -q "$IF (ifindex [0-9]*) was renamed $IF9" "$ERR"
check "... $IF9 is not enforced (the ping passes)" \
	eval "ip netns exec '$PEER' ping -c 1 -W 1 $GW_ADDR"
check_status "... status: $IF named but absent" \
	"^interfaces named but absent: $IF"
ip -n "$GW" link set "$IF9" name "$IF"
check "renamed back: attached again, said" \
	wait_until 100 grep -q "attached to $IF (ifindex" "$ERR"
check "... the rename said" \
	grep -q "$IF9 (ifindex [0-9]*) was renamed $IF" "$ERR"
check "... enforced again (the ping is dropped)" ping_dropped

# --- deleted and made again under its name ---------------------------------------
: >"$ERR"
old=$(ip -n "$GW" -o link show dev "$IF" | cut -d: -f1)
ip -n "$GW" link del "$IF"
t0=$(date +%s%N)
add_veth "$IF" peer0 "$GW_ADDR" "$PEER_ADDR"
ms() { echo $((($(date +%s%N) - t0) / 1000000)); }
until ip -n "$GW" -d link show dev "$IF" 2>/dev/null | grep -q prog/xdp ||
	[ "$(ms)" -gt 10000 ]; do
	sleep 0.01
done
gap=$(ms)
new=$(ip -n "$GW" -o link show dev "$IF" | cut -d: -f1)
check "deleted: said (ifindex $old)" \
	wait_until 50 grep -q "$IF is gone (ifindex $old)" "$ERR"
check "made again: attached (ifindex $new)" \
	wait_until 100 grep -q "attached to $IF (ifindex $new)" "$ERR"
# The program loaded at start goes on it: no second load and verifier
# walk of 2-3 s while it goes unenforced (some 20 ms here).
check "... its program on it within 1 s of its appearance (${gap} ms)" \
	[ "$gap" -lt 1000 ]
check "... native again at MTU 1500 (no generic mode said)" \
	lacks "attached to $IF (ifindex $new) in generic" "$ERR"
check_status "... status: $IF (ifindex $new)" "^interfaces: $IF (ifindex $new)$"
warm_up in_gw ping -c 1 -W 1 "$PEER_ADDR"
check "... the gateway's own ping out of $IF is answered" \
	in_gw ping -c 1 -W 1 "$PEER_ADDR"
check "... the peer's ping is dropped" ping_dropped

# --- moved to another namespace and back -----------------------------------------
: >"$ERR"
ip netns add "$XNS" || skip "cannot add namespace $XNS"
ip -n "$GW" link set "$IF" netns "$XNS"
check "moved to $XNS: localin's program taken off there, said" \
	wait_until 50 grep -q "$IF (ifindex $new) moved to another network namespace ($XNS): localin's program taken off it there" "$ERR"
check "... no XDP program on $IF in $XNS" \
	eval "! ip -n '$XNS' -d link show dev '$IF' | grep -q 'prog/xdp'"
check_status "... status: $IF named but absent" \
	"^interfaces named but absent: $IF"
ip -n "$XNS" link set "$IF" netns "$GW"
ip -n "$GW" addr add "$GW_ADDR/24" dev "$IF"
ip -n "$GW" link set "$IF" up
check "moved back: attached again" \
	wait_until 100 grep -q "attached to $IF (ifindex" "$ERR"
check "... the peer's ping is dropped" ping_dropped
warm_up in_gw ping -c 1 -W 1 "$PEER_ADDR"
check "... the gateway's own ping out of $IF is answered" \
	in_gw ping -c 1 -W 1 "$PEER_ADDR"
# --- events lost while the daemon is stopped ------------------------------------
: >"$ERR"
cur=$(ip -n "$GW" -o link show dev "$IF" | cut -d: -f1)
pid=$(daemon_pid)
kill -STOP "$pid"
i=0
while [ $i -lt 1500 ]; do
	i=$((i + 1))
	echo "link add lkq$i type veth peer name lkr$i"
done >"$tmp/add.batch"
sed 's/^link add \(lkq[0-9]*\) .*/link del \1/' "$tmp/add.batch" >"$tmp/del.batch"
ip -n "$GW" -batch "$tmp/add.batch" >/dev/null 2>&1
ip -n "$GW" -batch "$tmp/del.batch" >/dev/null 2>&1
ip -n "$GW" link set "$IF" netns "$XNS"
ip -n "$PEER" link set peer0 down
add_veth "$IF" peer1 "$GW_ADDR" "$PEER_ADDR"
new2=$(ip -n "$GW" -o link show dev "$IF" | cut -d: -f1)
kill -CONT "$pid"
check "events lost: said, all read again" \
	wait_until 100 grep -q "interface or address events were lost; reading them all again" "$ERR"
check "... the old $IF's program found in $XNS and taken off, said" \
	wait_until 100 grep -q "$IF (ifindex $cur) moved to another network namespace ($XNS): localin's program taken off it there" "$ERR"
check "... no XDP program on the old $IF in $XNS" \
	eval "! ip -n '$XNS' -d link show dev '$IF' | grep -q 'prog/xdp'"
check "... attached to the new $IF (ifindex $new2)" \
	wait_until 100 grep -q "attached to $IF (ifindex $new2)" "$ERR"
check_status "... status: $IF (ifindex $new2) alone" \
	"^interfaces: $IF (ifindex $new2)$"
check "... the peer's ping is dropped" ping_dropped
warm_up in_gw ping -c 1 -W 1 "$PEER_ADDR"
check "... the gateway's own ping out of $IF is answered" \
	in_gw ping -c 1 -W 1 "$PEER_ADDR"

last=$(daemon_pid)
li_cmd stop >/dev/null 2>&1
check "localin stop: nothing left on $IF" \
	eval "wait_until 50 gone $last && [ -z \"\$(prog_id)\" ]"

[ "$fails" -eq 0 ]
