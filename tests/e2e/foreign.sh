#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `localin run` where an interface it must attach to already carries
# someone else's XDP program (xdp-filter's xdpfilt_alw_all, attached with
# `ip link set ... xdp`), in network namespaces of its own: veth pair A
# (with the other program) and pair B (free), the gateway's ends in one
# namespace, the peers' in another; traffic goes only between the two.
# Checks: the other program is never replaced (its id before and after,
# also across a reload, an interface change and `localin stop`) and keeps
# running (its own packet counter); localin starts, enforces on B, says
# once which program keeps it off A, and `localin status` shows A as not
# attached with the reason; the same for a program in generic mode met at
# a reload; once that program goes, localin attaches to A. One put in
# place of localin's under the running daemon (`ip -force ... xdp obj`)
# is met as one found there: said, listed as not attached, left there,
# and localin attaches again once it goes. Then, only
# where libxdp's multi-program dispatcher works on this kernel (two
# `xdp-loader load`s on one interface both listed), both programs on one
# interface run; otherwise one SKIP line says why.
#
#	sh tests/e2e/foreign.sh BIN
#
# One PASS/FAIL line per check; SKIP (and exit 0) without root, without
# `BIN run`, or without the tools and objects below. Like daemon.sh, it
# runs in a mount namespace of its own with a private bpffs, and kills only
# the daemons it started.
set -u
bin=$(realpath "$1")
SUITE=e2e/foreign
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping bpftool
find_python
objdir=/usr/lib/$(gcc -print-multiarch 2>/dev/null)/bpf
[ -d "$objdir" ] || objdir=/usr/lib/bpf
# xdp-tools' xdp-filter programs: "alw" passes what no filter matches
# (here: everything), "dny" drops it; both count packets by action.
OBJ=$objdir/xdpfilt_alw_all.o
OBJ2=$objdir/xdpfilt_dny_udp.o
[ -f "$OBJ" ] || skip "no $OBJ (xdp-tools)"
FNAME=xdpfilt_alw_all
private_bpffs "$@"
setup_run fgn localin-foreign
IFA=$(link_name fa)
IFB=$(link_name fb)
IFC=$(link_name fc)
A_GW=192.0.2.1
A_PEER=192.0.2.2
B_GW=198.51.100.1
B_PEER=198.51.100.2
C_GW=203.0.113.1
C_PEER=203.0.113.2

# The XDP program on a gateway interface, from `ip -j link show`: its id
# and name ("" when there is none, or more than one: unlike the lib's
# prog_id, which takes the first).
xdp_field() { # interface id|name
	ip -n "$GW" -j link show dev "$1" 2>/dev/null | "$py" -c '
import json, sys
x = json.load(sys.stdin)[0].get("xdp", {}).get("prog", {})
print(x.get(sys.argv[1], ""))' "$2"
}
xdp_id() { xdp_field "$1" id; }
xdp_name() { xdp_field "$1" name; }
# localin's program runs on the interface: on the hook itself, or (where
# the kernel takes libxdp's dispatcher, as Debian 12's 6.1 does) as the
# dispatcher's component, which only xdp-loader lists.
runs_localin() { # interface
	case $(xdp_name "$1") in
	localin_xdp) return 0 ;;
	xdp_dispatcher) in_gw xdp-loader status "$1" 2>/dev/null |
		grep -q localin_xdp ;;
	*) return 1 ;;
	esac
}
ping_a() { ping_from_peer "$A_GW"; }
ping_b() { ping_from_peer "$B_GW"; }
ping_c() { ping_from_peer "$C_GW"; }
ping_a_dropped() { ! ping_a; }
ping_b_dropped() { ! ping_b; }
ping_c_dropped() { ! ping_c; }
# The daemon's messages about the other program on A (one line each).
msgs_about() { # interface id
	grep -c "not attaching to $1 .*($FNAME, id $2, " "$ERR"
}

write_conf() { # file interfaces...: deny ICMP to the gateway on them
	f=$1
	shift
	intfs=""
	for i in "$@"; do intfs="$intfs \"$i\""; done
	cat >"$f" <<EOF
config firewall local-in-policy
    edit 1
        set intf$intfs
        set srcaddr "all"
        set dstaddr "all"
        set service "ALL_ICMP"
        set schedule "always"
        set action deny
    next
end
EOF
}

# --- the lab: two namespaces, three veth pairs --------------------------------
add_namespaces && ip -n "$GW" link set lo up ||
	skip "cannot build the namespaces"
for x in "a $IFA $A_GW $A_PEER" "b $IFB $B_GW $B_PEER" \
	"c $IFC $C_GW $C_PEER"; do
	set -- $x
	add_veth "$2" "p${1}0" "$3" "$4" || skip "cannot build the veth pairs"
done
warm_up ping_a
warm_up ping_b
warm_up ping_c

ab=$tmp/ab.conf
b_only=$tmp/b.conf
write_conf "$ab" "$IFA" "$IFB"
write_conf "$b_only" "$IFB"

# --- another program on A (native), localin started -----------------------------
in_gw ip link set dev "$IFA" xdp obj "$OBJ" sec xdp ||
	skip "cannot attach $OBJ to $IFA"
id0=$(xdp_id "$IFA")
check "the other program is attached to $IFA (id $id0, $(xdp_name "$IFA"))" \
	eval "[ -n '$id0' ] && [ \"\$(xdp_name $IFA)\" = $FNAME ]"
n0=$(xdpfilter_counted "$id0")
check "without localin: the peer pings the gateway on $IFA and on $IFB" \
	eval "ping_a && ping_b"

check_start "localin run starts although $IFA is taken" "$ab" || {
	cat "$ERR"
	exit 1
}
check "$IFA: the other program stays (id $id0, $(xdp_id "$IFA"))" \
	[ "$(xdp_id "$IFA")" = "$id0" ]
check "$IFB: localin's program is attached" \
	runs_localin "$IFB"
check "one daemon message names $IFA, $FNAME and id $id0" \
	[ "$(msgs_about "$IFA" "$id0")" = 1 ]
li_cmd status >"$tmp/status.out" 2>&1
check "localin status: $IFA not attached, with the reason" \
	grep -q "^interfaces not attached: $IFA (ifindex [0-9]*: another XDP program holds it: $FNAME, id $id0, native mode)" \
	"$tmp/status.out"
check "localin status: only $IFB attached" \
	grep -qx "interfaces: $IFB (ifindex [0-9]*)" "$tmp/status.out"
check "$IFB: enforced (policy 1 drops the ping)" ping_b_dropped
check "$IFA: not enforced (the ping passes)" ping_a
n1=$(xdpfilter_counted "$id0")
check "$IFA: the other program still runs (counted $n0, then $n1)" \
	[ "$n1" -gt "$n0" ]

# A change of the interface and a reload try A again, quietly.
ip -n "$GW" link set dev "$IFA" mtu 1400
# Enforcement is incomplete while the other program holds A: exit 1.
li_cmd reload >"$tmp/reload1.out" 2>&1
rc=$?
check "localin reload: exit 1, enforcement incomplete (exit $rc)" [ "$rc" = 1 ]
check "... naming $IFA and the other program" grep -q \
	"^$IFA (ifindex [0-9]*): not attached: another XDP program holds it" \
	"$tmp/reload1.out"
sleep 0.3
check "after an interface change and a reload: still one message" \
	[ "$(msgs_about "$IFA" "$id0")" = 1 ]
check "... the other program still there (id $id0)" \
	[ "$(xdp_id "$IFA")" = "$id0" ]
check "... the daemon keeps running and enforcing on $IFB" \
	eval "li_cmd status && ping_b_dropped"

last=$(daemon_pid)
check "localin stop: exit 0" li_cmd stop
# (stop answers before the process exits: waited for, on a loaded machine
# longer than a fixed 0.2 s)
check "localin stop: the daemon has exited" wait_until 50 gone "$last"
check "localin stop: the other program stays on $IFA (id $id0)" \
	[ "$(xdp_id "$IFA")" = "$id0" ]
check "localin stop: nothing left on $IFB" [ -z "$(xdp_id "$IFB")" ]
check "localin stop: the other program still runs" \
	[ "$(xdpfilter_counted "$id0")" -ge "$n1" ]
in_gw ip link set dev "$IFA" xdp off

# --- generic mode, met at a reload; localin takes A once it goes -------------
in_gw ip link set dev "$IFA" xdpgeneric obj "$OBJ" sec xdp ||
	skip "cannot attach $OBJ to $IFA in generic mode"
id1=$(xdp_id "$IFA")
check_start "localin run (only $IFB named)" "$b_only" || {
	tail -n 20 "$ERR"
	exit 1
}
cp "$ab" "$b_only"
li_cmd reload >"$tmp/reload2.out" 2>&1
rc=$?
check "reload naming $IFA too: exit 1, $IFA not attached (exit $rc)" \
	[ "$rc" = 1 ]
check "... the config is reloaded all the same" \
	grep -q "^reloaded" "$tmp/reload2.out"
check "reload: the generic-mode program stays on $IFA (id $id1)" \
	[ "$(xdp_id "$IFA")" = "$id1" ]
check "reload: one daemon message names $IFA, $FNAME and id $id1" \
	[ "$(msgs_about "$IFA" "$id1")" = 1 ]
check "reload: localin status says why ($FNAME, id $id1, generic mode)" \
	eval "li_cmd status | grep -q '^interfaces not attached: $IFA (.*: $FNAME, id $id1, generic mode)'"
check "reload: $IFB still enforced" ping_b_dropped
in_gw ip link set dev "$IFA" xdpgeneric off
check "once the other program is gone, localin attaches to $IFA" \
	wait_until 20 runs_localin "$IFA"
check "... and says so" grep -q "attached to $IFA .*the other XDP program is gone" "$ERR"
check "... and enforces there" ping_a_dropped
check "... localin status: $IFA attached, nothing held" \
	eval "li_cmd status >'$tmp/status2.out' && grep -q '^interfaces:.* $IFA (' '$tmp/status2.out' && ! grep -q 'not attached' '$tmp/status2.out'"

# --- another program put in place of localin's, under the running daemon -------
# (`ip -force ... xdp obj`: the kernel replaces; status said "attached"
# while nothing was enforced, and the daemon said nothing)
in_gw ip -force link set dev "$IFB" xdpdrv obj "$OBJ" sec xdp ||
	skip "cannot put $OBJ in place of localin's program on $IFB"
id2=$(xdp_id "$IFB")
check "replaced: the daemon says another program took $IFB ($FNAME, id $id2)" \
	wait_until 30 grep -q "program on $IFB (ifindex [0-9]*) was replaced by another XDP program ($FNAME, id $id2, native mode)" "$ERR"
check "replaced: localin leaves it there (id $id2)" \
	[ "$(xdp_id "$IFB")" = "$id2" ]
check "replaced: localin status: $IFB not attached, with the reason" \
	eval "li_cmd status | grep -q '^interfaces not attached: $IFB (ifindex [0-9]*: another XDP program holds it: $FNAME, id $id2, native mode)'"
li_cmd status -j >"$tmp/status3.json" 2>&1
check "replaced: status -j lists $IFB under interfaces_not_attached" \
	grep -qF "\"interfaces_not_attached\":[{\"name\":\"$IFB\"" \
	"$tmp/status3.json"
li_cmd reload >"$tmp/reload3.out" 2>&1
rc=$?
check "replaced: localin reload: exit 1, enforcement incomplete (exit $rc)" \
	[ "$rc" = 1 ]
check "replaced: $IFA still enforced" ping_a_dropped
in_gw ip link set dev "$IFB" xdpdrv off
check "replaced: once it goes, localin attaches to $IFB again" \
	wait_until 30 runs_localin "$IFB"
check "... and says so" grep -q "attached to $IFB .*the other XDP program is gone" "$ERR"
check "... and enforces there" ping_b_dropped
check "replaced: said once" \
	[ "$(grep -c "program on $IFB .*was replaced" "$ERR")" = 1 ]

last=$(daemon_pid)
check "localin stop" li_cmd stop
wait_until 50 gone "$last"
check "localin stop: nothing left on $IFA or $IFB" \
	eval "gone $last && [ -z \"\$(xdp_id $IFA)\" ] && [ -z \"\$(xdp_id $IFB)\" ]"

# --- both on one interface, where libxdp's dispatcher works ----------------------
# The probe: two programs on C through xdp-loader; both listed, or not.
dispatcher=no
why=""
if command -v xdp-loader >/dev/null 2>&1 && [ -f "$OBJ2" ]; then
	# -v: libxdp says why it falls back to one program alone.
	in_gw xdp-loader load -v -m skb "$IFC" "$OBJ" >"$tmp/xl1.out" 2>&1 &&
		in_gw xdp-loader load -m skb "$IFC" "$OBJ2" >"$tmp/xl2.out" 2>&1 &&
		in_gw xdp-loader status "$IFC" >"$tmp/xls.out" 2>&1 &&
		grep -q "$FNAME" "$tmp/xls.out" &&
		grep -q xdpfilt_dny_udp "$tmp/xls.out" && dispatcher=yes
	in_gw xdp-loader unload "$IFC" --all >/dev/null 2>&1
	if grep -q "Compatibility check for dispatcher program failed" \
		"$tmp/xl1.out"; then
		why=$(sed -n 's/.*Compatibility check for dispatcher program failed: *//p' \
			"$tmp/xl1.out" | head -n 1)
		why="libxdp's dispatcher does not load on this kernel ($why: the kernel refuses BPF_PROG_TYPE_EXT/freplace programs), so xdp-loader attaches one program alone and a second one is refused"
	else
		why="two xdp-loader loads on one interface did not both stay: $(cat "$tmp/xl1.out" "$tmp/xl2.out" | grep -v '^libbpf' | tr -s ' \n' ' ' | cut -c1-200)"
	fi
else
	why="no xdp-loader or no $OBJ2"
fi

udp_to_c() { # 20 datagrams to the gateway on C (no policy: localin passes them)
	ip netns exec "$PEER" "$py" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(20):
    s.sendto(b"x", (sys.argv[1], 9))' "$C_GW"
}

if [ "$dispatcher" = yes ]; then
	in_gw xdp-loader load -m skb "$IFC" "$OBJ" >/dev/null 2>&1
	idc=$(xl_id "$IFC" "$FNAME")
	check "multi-prog: $FNAME on $IFC through the dispatcher (id $idc)" \
		[ -n "$idc" ]
	abc=$tmp/abc.conf
	write_conf "$abc" "$IFB" "$IFC"
	check_start "multi-prog: localin run" "$abc" ||
		tail -n 20 "$ERR"
	in_gw xdp-loader status "$IFC" >"$tmp/xls2.out" 2>&1
	check "multi-prog: both programs on $IFC" \
		eval "grep -q localin_xdp '$tmp/xls2.out' && grep -q $FNAME '$tmp/xls2.out'"
	check "multi-prog: $FNAME kept its id ($idc)" \
		[ "$(xl_id "$IFC" "$FNAME")" = "$idc" ]
	check "multi-prog: localin runs (drops the ping on $IFC)" ping_c_dropped
	c0=$(xdpfilter_counted "$idc")
	udp_to_c
	sleep 0.2
	c1=$(xdpfilter_counted "$idc")
	check "multi-prog: $FNAME runs too (counted $c0, then $c1)" \
		[ "$c1" -ge $((c0 + 20)) ]
	check "multi-prog: localin status: $IFC attached" \
		eval "li_cmd status | grep -q '^interfaces:.* $IFC ('"
	last=$(daemon_pid)
	check "multi-prog: localin stop" li_cmd stop
	wait_until 50 gone "$last"
	in_gw xdp-loader status "$IFC" >"$tmp/xls3.out" 2>&1
	check "multi-prog: after stop, $FNAME alone stays on $IFC" \
		eval "gone $last && grep -q $FNAME '$tmp/xls3.out' && ! grep -q localin_xdp '$tmp/xls3.out'"
	in_gw xdp-loader unload "$IFC" --all >/dev/null 2>&1
else
	note_skip "multi-prog (localin and another program on one interface): $why"
fi

[ "$fails" -eq 0 ]
