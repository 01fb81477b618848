#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: one program takes another's place without a gap.
#
#  - a reload whose ruleset is larger than the maps made at start: a
#    successor with larger maps takes over (new program id, its maps
#    pinned in place of the old ones, counters carried over), while a UDP
#    stream the config denies runs across it: not one datagram gets by;
#  - events queued before a reload are logged with the config that decided
#    them (the daemon is stopped with SIGSTOP while they queue);
#  - a restart after kill -9 that adopts the pins (the same build), under
#    that stream: the interfaces keep their classes across its first flip;
#  - a restart over pins made by another build (li_conf.build differs)
#    replaces them and the program, again under that stream;
#  - a restart that adopts small maps, with a config too big for them;
#  - after each, one session egress filter of ours, its program the one
#    using the maps pinned now;
#  - the gateway's own idle TCP connection, whose remote speaks next (a
#    BGP or SSH session), gets its remote's data after a start over
#    another build's pins (an upgrade) and after a stop and a start
#    (`systemctl restart`): the new session table has it.
#
#	sh tests/e2e/takeover.sh BIN
#
# The harness of tests/e2e/lib.sh: PASS/FAIL lines, SKIP without root;
# a mount namespace of its own with a private bpffs; two network
# namespaces joined by a veth pair, and traffic only between them.
set -u
bin=$(realpath "$1")
SUITE=e2e/takeover
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping bpftool awk tc
private_bpffs "$@"
setup_run to localin-to
# The UDP stream's ends, once the daemons are gone.
cleanup_more() {
	touch "$tmp/stop"
	for p in $idle_pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
}
idle_pids=""

# Does the program attached to the interface use the maps pinned now?
uses_pins() {
	conf_id=$(bpftool map show pinned "$PIN/li_conf" 2>/dev/null |
		sed -n 's/^\([0-9]*\):.*/\1/p')
	[ -n "$conf_id" ] &&
		bpftool prog show id "$(prog_id)" 2>/dev/null |
		grep -Eq "map_ids.*\<$conf_id\>"
}

find_python

write_conf() { # file hostname [extra policies]
	{
		cat <<EOF
config system global
    set hostname "$2"
end
config log setting
    set local-in-deny-unicast enable
end
EOF
		if [ "${3:-0}" -gt 0 ]; then
			echo "config firewall address"
			awk -v n="$3" 'BEGIN { for (i = 0; i < n; i++)
				printf "    edit \"h%d\"\n        set subnet 10.%d.%d.1 255.255.255.255\n    next\n",
				i, int(i / 256), i % 256 }'
			echo "end"
		fi
		echo "config firewall local-in-policy"
		conf_policy_edit 1 "$IF" ALL deny
		awk -v n="${3:-0}" -v ifc="$IF" 'BEGIN { for (i = 0; i < n; i++)
			printf "    edit %d\n        set intf \"%s\"\n        set srcaddr \"h%d\"\n        set dstaddr \"all\"\n        set service \"HTTP\"\n        set schedule \"always\"\n        set action accept\n    next\n",
			i + 2, ifc, i }'
		echo "end"
	} >"$1"
}

make_lab

small=$tmp/small.conf
big=$tmp/big.conf
conf=$tmp/localin.conf
write_conf "$small" e2e-gw
# 3000 more policies: more than the 2048 the default maps hold.
write_conf "$big" e2e-gw-big 3000
cp "$small" "$conf"

check_start "localin run starts with the small config" "$conf" || {
	cat "$ERR"
	exit 1
}
id1=$(prog_id)
check "enforcing: the ping is dropped" ping_dropped
eg1=$(egress_prog)
idle_start
check "the gateway's idle connection: its remote's data arrives" idle_msg 0

# --- events queued across a reload -------------------------------------------
# Stopped, the daemon cannot read what the program queues; SIGHUP waits.
pid=$(daemon_pid)
: >"$LOG"
kill -STOP "$pid"
ip netns exec "$PEER" ping -c 2 -i 0.2 -W 0.2 "$GW_ADDR" >/dev/null 2>&1
write_conf "$conf" e2e-gw-renamed
kill -HUP "$pid"
kill -CONT "$pid"
sleep 1.2 # the per-address log rate limit: 5 a second
ip netns exec "$PEER" ping -c 2 -i 0.2 -W 0.2 "$GW_ADDR" >/dev/null 2>&1
sleep 0.5
before=$(grep -c 'devname="e2e-gw" ' "$LOG")
after=$(grep -c 'devname="e2e-gw-renamed" ' "$LOG")
check "queued before the reload: logged with the old config's devname ($before of 2)" \
	[ "$before" = 2 ]
check "decided after it: with the new one ($after of 2)" [ "$after" = 2 ]

# --- a reload larger than the maps ---------------------------------------------
n1=$(count "decided by a policy")
cp "$big" "$conf"
stream_start
li_cmd reload >"$tmp/reload.out" 2>&1
rc=$?
stream_stop
check "reload with 3000 more policies than the maps hold: accepted (exit $rc)" \
	[ "$rc" = 0 ]
[ "$rc" = 0 ] || tail -n 5 "$tmp/reload.out" "$ERR"
check "... the daemon says a larger program took over" \
	grep -q "took over on 1 interface without a gap" "$ERR"
id2=$(prog_id)
check "... a new program is attached ($id1 -> $id2)" \
	[ -n "$id2" -a "$id2" != "$id1" ]
check "... judging with the maps pinned now" uses_pins
check "... no half-made pin directory left" [ ! -e "$PIN-next" ]
eg2=$(egress_prog)
check "... one egress filter of ours, the successor's ($eg1 -> $eg2)" \
	[ "$(egress_filters)" = 1 -a -n "$eg2" -a "$eg2" != "${eg1:-x}" ]
check "... its egress program uses the maps pinned now" egress_uses_pins
check "... $sent UDP datagrams sent across it, $got got past: no gap" \
	[ "${sent:-0}" -ge 10000 -a "${got:-1}" = 0 ]
n2=$(count "decided by a policy")
check "... counters by reason carried over (${n1:-?} before, ${n2:-?} after)" \
	[ "${n2:-0}" -ge $((${n1:-0} + ${sent:-0} - ${sent:-0} / 100)) ]
check "... still enforcing afterwards" ping_dropped
check "... the daemon answers" li_cmd status

# --- a restart that adopts: kill -9, then a start of the same build -------------
pid=$(daemon_pid)
kill -9 "$pid"
sleep 0.2
stream_start
start_daemon "$conf" || tail -n 5 "$ERR"
stream_stop
check "kill -9, then a start of the same build: it adopts the pins" \
	grep -q "adopted the program and maps pinned" "$ERR"
check "... $sent UDP datagrams sent across it, $got got past: no gap" \
	[ "${sent:-0}" -ge 10000 -a "${got:-1}" = 0 ]
check "... still enforcing afterwards" ping_dropped

# --- a restart over another build's pins --------------------------------------
pid=$(daemon_pid)
kill -9 "$pid"
sleep 0.2
# What another build left: its li_conf says a different build.
flip_build "$PIN" || echo "takeover: cannot rewrite li_conf" >&2
cp "$small" "$conf"
stream_start
start_daemon "$conf"
stream_stop
check "restart over another build's pins: it says so" \
	grep -q "made by another build of localin" "$ERR"
id3=$(prog_id)
check "... this build's program replaced it ($id2 -> $id3)" \
	[ -n "$id3" -a "$id3" != "$id2" ]
check "... judging with the maps pinned now" uses_pins
eg3=$(egress_prog)
check "... one egress filter of ours, this build's ($eg2 -> $eg3)" \
	[ "$(egress_filters)" = 1 -a -n "$eg3" -a "$eg3" != "${eg2:-x}" ]
check "... its egress program uses the maps pinned now" egress_uses_pins
check "... $sent UDP datagrams sent across it, $got got past: no gap" \
	[ "${sent:-0}" -ge 10000 -a "${got:-1}" = 0 ]
check "... the gateway's idle connection: its remote's data still arrives" \
	idle_msg 1
check "... the daemon says it entered the gateway's connections" \
	grep -q "connection the gateway had open entered as sessions" "$ERR"

# --- a restart that adopts small maps, with a big config ----------------------
pid=$(daemon_pid)
kill -9 "$pid"
sleep 0.2
cp "$big" "$conf"
: >"$ERR"
stream_start
start_daemon "$conf" || tail -n 5 "$ERR"
stream_stop
check "restart with a config too big for the adopted maps: adopted first" \
	grep -q "adopted the program and maps pinned" "$ERR"
check "... then a program with larger maps took over" \
	grep -q "with larger maps takes over, without a gap" "$ERR"
id4=$(prog_id)
check "... new program attached ($id3 -> $id4)" \
	[ -n "$id4" -a "$id4" != "$id3" ]
check "... judging with the maps pinned now" uses_pins
check "... one egress filter of ours" [ "$(egress_filters)" = 1 ]
check "... its egress program uses the maps pinned now" egress_uses_pins
check "... $sent UDP datagrams sent across it, $got got past: no gap" \
	[ "${sent:-0}" -ge 10000 -a "${got:-1}" = 0 ]
check "... the gateway's idle connection: its remote's data still arrives" \
	idle_msg 2

# --- a restart as systemctl does it: stop, then start ----------------------------
li_cmd stop >/dev/null 2>&1
cp "$small" "$conf"
: >"$ERR"
start_daemon "$conf" || tail -n 5 "$ERR"
check "stop, then start: the gateway's idle connection's data still arrives" \
	idle_msg 3
check "... still enforcing" ping_dropped

li_cmd stop >/dev/null 2>&1
sleep 0.2
check "localin stop: no program attached" [ -z "$(prog_id)" ]
check "localin stop: no egress filter of ours" [ "$(egress_filters)" = 0 ]
check "localin stop: nothing pinned" [ ! -e "$PIN" -a ! -e "$PIN-next" ]
[ "$fails" -eq 0 ]
