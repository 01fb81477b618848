#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: `localin run` in a network namespace of its own, on a veth
# pair whose other end is in a second namespace; traffic goes only between
# the two. Checks: start (background, ready when it returns), the lock
# refusing a second daemon, `localin status`, enforcement and log lines,
# `diagnose debug flow`, reload with a broken config (refused, located
# errors, the running config stays), reload with a good one, SIGHUP,
# kill -9 (enforcement goes on), a restart with a refused config (the
# pinned program stays in force, said), a restart that adopts the pinned
# program without detaching it, one whose policies no longer name the
# interface (the program comes off it), and `localin stop` leaving no attachment,
# no pins, no socket and a free lock; `localin run` under `ip netns exec`
# (no bpffs there: it mounts one; after kill -9 the next start adopts the
# maps of the program left attached, its pins gone with it); a start while
# a user holds the namespace's lock (an abstract socket anyone may bind);
# and a fresh start that fails after
# attaching (at the control socket) leaving nothing attached or pinned.
#
#	sh tests/e2e/daemon.sh BIN
#
# One PASS/FAIL line per check; SKIP (and exit 0) without root, without
# `BIN run`, or where the kernel cannot do it. The script runs in a mount
# namespace of its own with a private bpffs, so nothing it pins is seen
# outside; it kills only the daemons it started.
set -u
bin=$(realpath "$1")
SUITE=e2e/daemon
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping flock timeout setpriv
find_python
private_bpffs "$@"
setup_run e2e localin-e2e

write_conf() { # file action
	cat >"$1" <<EOF
config system global
    set hostname "e2e-gw"
end
config log setting
    set local-in-deny-unicast enable
end
$(conf_policy1 ALL_ICMP "$2")
EOF
}

# --- the lab: two namespaces, one veth pair ----------------------------------
make_lab
check "without localin: the peer pings the gateway" ping_ok

deny=$tmp/deny.conf
accept=$tmp/accept.conf
broken=$tmp/broken.conf
conf=$tmp/localin.conf
write_conf "$deny" deny
write_conf "$accept" accept
sed 's/set srcaddr "all"/set srcaddr "no-such-address"/' "$deny" >"$broken"
cp "$deny" "$conf"

# --- start, lock, status ------------------------------------------------------
check_start "localin run -c CONF: returns once enforcing" "$conf" || {
	cat "$ERR"
	exit 1
}
id1=$(prog_id)
check "XDP program attached to $IF" [ -n "$id1" ]
in_gw "$bin" run -c "$conf" -s "$SOCK" --pin-dir "$PIN" --foreground \
	>"$tmp/second.out" 2>&1
rc=$?
check "a second daemon refuses to start (exit $rc)" [ "$rc" = 1 ]
check "... and says why" grep -q "another localin daemon is running" \
	"$tmp/second.out"
# (timeout: a daemon that is not refused runs in the foreground)
in_gw timeout 20 "$bin" run -c "$conf" -s "$tmp/other.sock" --pin-dir "$PIN-other" \
	--foreground >"$tmp/other.out" 2>&1
rc=$?
check "one daemon a namespace: another socket and pin dir are refused too (exit $rc)" \
	sh -c "[ $rc = 1 ] && grep -q 'another localin daemon is running in this network namespace' '$tmp/other.out'"
# The peer's namespace shares this test's bpffs (nsenter does not remount
# /sys): a daemon there given the same pin dir must not adopt live maps.
printf 'config system interface\nedit "peer0"\nset ip %s 255.255.255.0\nnext\nend\n' \
	"$PEER_ADDR" >"$tmp/peer.conf"
sed 's/"'"$IF"'"/"peer0"/' "$conf" >>"$tmp/peer.conf"
in_peer() { nsenter --net="/run/netns/$PEER" "$@"; }
in_peer timeout 20 "$bin" run -c "$tmp/peer.conf" -s "$tmp/peer.sock" --pin-dir "$PIN" \
	--foreground >"$tmp/peer.out" 2>&1
rc=$?
check "a daemon in another namespace with the same pin dir is refused (exit $rc)" \
	sh -c "[ $rc = 1 ] && grep -q 'another localin daemon uses the pin dir' '$tmp/peer.out' && ! grep -q adopted '$tmp/peer.out'"
check "... and the first daemon's program is still the one attached" \
	[ "$(prog_id)" = "$id1" ]
li_cmd status >"$tmp/status.out" 2>&1
check "localin status: exit 0" [ $? = 0 ]
check "localin status: the config file" grep -qF "config: $conf" \
	"$tmp/status.out"
check "localin status: the interface attached" \
	grep -q "^interfaces: $IF (ifindex" "$tmp/status.out"

# --- enforcement, logs, trace -------------------------------------------------
li_cmd diagnose debug flow filter saddr "$PEER_ADDR" >/dev/null
li_cmd diagnose debug flow trace start 1 >/dev/null
check "policy 1 (deny ICMP) drops the peer's ping" ping_dropped
n=$(count "local-in-policy 1 (deny)")
check "localin status: policy 1 counted the drop (${n:-none})" \
	[ "${n:-0}" -ge 1 ]
# The daemon reads events every 100 ms at most, and a loaded machine may
# run it later still: waited for, not slept on.
check "log: a deny line for policy 1 from the peer" \
	wait_until 50 grep -q "srcip=$PEER_ADDR .*action=\"deny\" policyid=1 " "$LOG"
check "diagnose debug flow: the trace of the dropped ping" \
	wait_until 50 grep -q "trace_id=.*check failed on policy 1, drop" "$LOG"

# --- reload -------------------------------------------------------------------
cp "$broken" "$conf"
li_cmd reload >"$tmp/reload.out" 2>&1
rc=$?
check "reload with a broken config: refused (exit $rc)" [ "$rc" = 1 ]
check "... the client sees the located error" \
	grep -q "localin.conf:[0-9]*:[0-9]*: error: " "$tmp/reload.out"
check "... the daemon logs it" grep -q "reload of .* failed" "$ERR"
check "... the running config stays: still dropped" ping_dropped
check "... the daemon still answers" li_cmd status
cp "$accept" "$conf"
check "reload with a good config (accept ICMP)" li_cmd reload
check "... now in force: the ping passes" ping_ok
# The config logs no deny; the policy's own logtraffic does (the verdict
# carries the policy's flags to the program's event).
sed 's/local-in-deny-unicast enable/local-in-deny-unicast disable/' "$deny" |
	sed 's/set action deny/set action deny\n        set logtraffic enable/' \
		>"$conf"
check "reload: deny-unicast logging off, policy 1 logtraffic enable" \
	li_cmd reload
deny_lines() { grep -c "action=\"deny\" policyid=1 " "$LOG"; }
more_than() { [ "$(deny_lines)" -gt "$1" ]; }
before=$(deny_lines)
check "... dropped" ping_dropped
wait_until 50 more_than "$before"
after=$(deny_lines)
check "... the policy's logtraffic logs the drop ($before -> $after lines)" \
	[ "$after" -gt "$before" ]
sed 's/set logtraffic enable/set logtraffic disable/' "$conf" >"$tmp/quiet.conf"
cp "$tmp/quiet.conf" "$conf"
check "reload: logtraffic disable" li_cmd reload
before=$(deny_lines)
check "... dropped" ping_dropped
sleep 0.3 # (a line it would log has had its time)
after=$(deny_lines)
check "... and not logged ($before -> $after lines)" [ "$after" = "$before" ]
cp "$deny" "$conf"
reloads() { li_cmd status | sed -n 's/.*(reloads: \([0-9]*\),.*/\1/p'; }
reloaded() { [ "$(reloads)" -gt "$1" ]; }
r0=$(reloads)
kill -HUP "$(daemon_pid)"
check "SIGHUP reloads" wait_until 50 reloaded "${r0:-0}"
check "... deny again: dropped" ping_dropped

# --- someone takes the program off the hook --------------------------------------
ip -n "$GW" link set dev "$IF" xdp off 2>/dev/null ||
	ip -n "$GW" link set dev "$IF" xdpgeneric off
check "xdp off by hand: the daemon puts its program back" \
	wait_until 50 sh -c "[ -n \"\$(ip -n $GW -d link show dev $IF | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')\" ]"
check "... and says so" wait_until 20 grep -q "no longer on $IF" "$ERR"
check "... enforcing again: dropped" ping_dropped
id1=$(prog_id)

# --- kill -9, restart adopts ---------------------------------------------------
old=$(daemon_pid)
kill -9 "$old"
# gone: its locks with it (on a loaded machine, not within a fixed 0.2 s)
wait_until 50 gone "$old"
check "kill -9: the program stays attached" [ "$(prog_id)" = "$id1" ]
check "kill -9: enforcement goes on" ping_dropped
# `localin stop` at the default socket, where no daemon is now (a tmpfs
# over /run, in a mount namespace of its own: no one else's daemon can
# hear it), with the program pinned at the default pin directory (a link
# to ours in this test's bpffs): it says the program still enforces.
ln -s "$PIN" /sys/fs/bpf/localin
unshare -m --propagation private sh -c \
	'mount -t tmpfs none /run && exec "$1" stop' sh "$bin" \
	>"$tmp/nodaemon.out" 2>&1
rc=$?
rm -f /sys/fs/bpf/localin
check "kill -9, then localin stop: no daemon (exit $rc)" [ "$rc" = 1 ]
check "... saying the program pinned still enforces" \
	grep -q "still pinned under /sys/fs/bpf/localin: a daemon that ended without" \
	"$tmp/nodaemon.out"
# A restart with a config it refuses (systemd's Restart=on-failure tries
# again and again): the program of the daemon before enforces meanwhile,
# and the daemon's messages say so, not only the config's error.
sed 's/set action deny/set action dney/' "$conf" >"$tmp/refused.conf"
in_gw "$bin" run -c "$tmp/refused.conf" --log "$LOG" -s "$SOCK" \
	--pin-dir "$PIN" >"$tmp/refused.out" 2>&1
rc=$?
check "restart with a refused config: exit 1 (exit $rc)" [ "$rc" = 1 ]
check "... the error placed" \
	grep -q "refused.conf:[0-9]*:[0-9]*: error: invalid value \"dney\"" \
	"$tmp/refused.out"
check "... it says the pinned program stays in force" \
	grep -q "not started; what is pinned under $PIN stays in force" \
	"$tmp/refused.out"
check "... which it does: the same program, enforcing" \
	[ "$(prog_id)" = "$id1" ]
check "... the ping still dropped" ping_dropped
check_start "restart after kill -9: localin run starts" "$conf" ||
	tail -n 20 "$ERR"
check "restart: the same program (id $id1) was adopted, never detached" \
	[ "$(prog_id)" = "$id1" ]
check "restart: still enforcing" ping_dropped
cp "$accept" "$conf"
check "restart: reload works on the adopted state" li_cmd reload
check "restart: ... accept in force" ping_ok

# --- a restart whose policies no longer name an interface ----------------------
# kill -9, then a start with the policies on another interface: the
# program the daemon before left on $IF comes off it. It stayed there,
# judging $IF by a config that does not name it, and after `localin
# stop` stayed on with nothing pinned to find it by.
IF2=$(link_name e2b)
ip link add "$IF2" netns "$GW" type veth peer name peer2 netns "$PEER" &&
	ip -n "$GW" link set "$IF2" up && ip -n "$PEER" link set peer2 up
old=$(daemon_pid)
kill -9 "$old"
wait_until 50 gone "$old"
sed "s/set intf \"$IF\"/set intf \"$IF2\"/" "$deny" >"$tmp/other.conf"
: >"$ERR"
check_start "restart with the policies on another interface" "$tmp/other.conf"
check "... localin's program is off $IF" [ -z "$(prog_id)" ]
check "... said" grep -q "took localin's program off $IF (ifindex" "$ERR"
check "... on $IF2" eval "ip -n '$GW' link show dev '$IF2' | grep -q prog/xdp"
check "... $IF's traffic passes" ping_ok

# --- stop ---------------------------------------------------------------------
last=$(daemon_pid)
li_cmd stop >"$tmp/stop.out" 2>&1
check "localin stop: exit 0" [ $? = 0 ]
# (stop answers before the process has exited)
check "localin stop: the daemon has exited" wait_until 50 gone "$last"
check "localin stop: no program attached" [ -z "$(prog_id)" ]
check "localin stop: none on $IF2 either" \
	eval "! ip -n '$GW' link show dev '$IF2' | grep -q prog/xdp"
check "localin stop: nothing pinned" [ ! -e "$PIN" ]
check "localin stop: no control socket" [ ! -e "$SOCK" ]
check "localin stop: the lock is free" flock -n "$LOCK" true
check "localin stop: traffic passes untouched" ping_ok
check "localin status after stop: no daemon (exit 1)" \
	eval "! li_cmd status"

# --- a local user holding the namespace's lock (an abstract socket) -----------
# Any user may bind an abstract address first: that must not keep localin
# from starting (it refused: "another localin daemon is running"). One
# squatter listens; another also fills its own queue, so that a connect
# to it finds no room (EAGAIN), as a real daemon's never stays.
squat=""
cleanup_more() { [ -z "$squat" ] || kill "$squat" 2>/dev/null; }
squat() { # backlog self-connects: returns once bound (or 1, and why)
	# Emptied here, not only by the redirection below, which the child
	# makes when it runs: the wait after it read the first squatter's
	# "bound", so the daemon started before the second one had bound and
	# took the lock itself, saying nothing (the FAIL "... and says so").
	: >"$tmp/squat.out"
	# Not through in_gw: $! must be the python (nsenter, setpriv exec it).
	nsenter --net="/run/netns/$GW" setpriv --reuid=65534 --regid=65534 \
		--clear-groups "$py" -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
for i in range(300):  # the name of the last one may linger a moment
    try:
        s.bind("\0localin/daemon")
        break
    except OSError as e:
        err = e
        time.sleep(0.1)
else:
    sys.exit("cannot bind @localin/daemon: %s" % err)
s.listen(int(sys.argv[1]))
c = []
for i in range(int(sys.argv[2])):
    c.append(socket.socket(socket.AF_UNIX))
    c[-1].connect("\0localin/daemon")
print("bound", flush=True)
time.sleep(120)' "$@" >"$tmp/squat.out" 2>&1 &
	squat=$!
	# A python started on a loaded machine may take seconds: the daemon
	# must not start before it holds the name (it took the lock itself
	# then, and said nothing), nor after it died.
	wait_until 400 sh -c "grep -q '^bound' '$tmp/squat.out' || ! kill -0 $squat"
	grep -q '^bound' "$tmp/squat.out"
}
squat_check() { # description backlog self-connects: PASS, or FAIL and why
	if squat "$2" "$3"; then
		pass "$1"
	else
		fail "$1: $(tr '\n' ' ' <"$tmp/squat.out")"
	fi
}
unsquat() {
	last=$(daemon_pid)
	li_cmd stop >/dev/null 2>&1
	wait_until 50 gone "$last" # its socket's lock with it, for the next
	kill "$squat"
	wait "$squat" 2>/dev/null
	squat=""
}
squat_check "a user binds the namespace's lock (@localin/daemon) first" 8 0
check_start "a user holds the namespace's lock: localin run starts all the same" \
	"$conf"
check "... and says so" grep -q \
	"held by pid [0-9]* of uid 65534, not by a localin daemon" "$ERR"
unsquat
squat_check "a user binds it first and fills its queue" 1 2
check_start "a user holds it, its queue full: localin run starts all the same" \
	"$conf"
# (its own connect, or the first squatter's name lingering, may still
# leave room for ours: then it is told by its uid, as above)
warned() { [ "$(grep -c "not by a localin daemon: going on" "$ERR")" = 2 ]; }
check "... and says so" warned
unsquat

# --- inside `ip netns exec`: /sys remounted, no bpffs at /sys/fs/bpf ------------
ip netns exec "$GW" "$bin" run -c "$deny" --log "$LOG" -s "$SOCK" \
	--pin-dir /sys/fs/bpf/localin-netns >"$tmp/netns.out" 2>&1
rc=$?
check "under ip netns exec: localin run starts (exit $rc)" [ "$rc" = 0 ]
check "... saying it mounted bpffs where /sys/fs/bpf was none" \
	grep -q "/sys/fs/bpf was not a bpffs .*mounted one there" "$tmp/netns.out"
pids="$pids $(daemon_pid)"
check "... and enforces: ping dropped" ping_dropped
# Its pins die with it: a restart after kill -9 finds the program by
# interface and adopts its maps, sessions included.
in_gw ping -c 1 -W 1 "$PEER_ADDR" >/dev/null 2>&1
nsess() { li_cmd diagnose sys session list | sed -n 's/^total session //p'; }
before=$(nsess)
check "... the gateway's own ping made a session ($before)" [ "${before:-0}" -ge 1 ]
id2=$(prog_id)
old=$(daemon_pid)
kill -9 "$old"
wait_until 50 gone "$old"
ip netns exec "$GW" "$bin" run -c "$deny" --log "$LOG" -s "$SOCK" \
	--pin-dir /sys/fs/bpf/localin-netns >"$tmp/netns2.out" 2>&1
rc=$?
check "... restart after kill -9 under ip netns exec (exit $rc)" [ "$rc" = 0 ]
pids="$pids $(daemon_pid)"
check "... says it adopted the maps of the program left attached" \
	grep -q "left this build's program attached to $IF: adopted its maps" \
	"$tmp/netns2.out"
check "... the same program (id $id2), never replaced" [ "$(prog_id)" = "$id2" ]
check "... its sessions go on ($before)" [ "$(nsess)" = "$before" ]
check "... still enforcing" ping_dropped
last=$(daemon_pid)
li_cmd stop >/dev/null 2>&1
check "... localin stop: exit 0" [ $? = 0 ]
check "... the daemon has exited" wait_until 50 gone "$last"
check "... traffic passes untouched" ping_ok

# --- a pin directory bpffs would refuse (a dot in its name) ----------------------
in_gw "$bin" run -c "$conf" -s "$SOCK" --pin-dir "$PIN.old" >"$tmp/dot.out" 2>&1
rc=$?
check "--pin-dir with a dot: refused up front (exit $rc)" [ "$rc" = 2 ]
check "... saying why" grep -q "bpffs names cannot contain '.'" "$tmp/dot.out"
check "... nothing attached" [ -z "$(prog_id)" ]

# --- a fresh start that fails late leaves nothing behind -------------------------
# The control socket cannot be made (a directory is in its place): that
# fails after the program was loaded, pinned and attached.
mkdir -p "$SOCK/in-the-way"
in_gw "$bin" run -c "$conf" --log "$LOG" -s "$SOCK" --pin-dir "$PIN" \
	>"$tmp/late.out" 2>&1
rc=$?
check "a start failing at the control socket: exit 1 ($rc)" [ "$rc" = 1 ]
check "... says why and that nothing is left" \
	grep -q "nothing attached or pinned" "$tmp/late.out"
check "... no program attached" [ -z "$(prog_id)" ]
check "... nothing pinned" [ ! -e "$PIN" ]
check "... traffic passes untouched" ping_ok
rm -rf "$SOCK"

# --- a start refused by its checks makes nothing ---------------------------------
# The log is a symbolic link (refused): no pin dir is left for it.
ln -s "$LOG" "$tmp/log.link"
in_gw "$bin" run -c "$conf" --log "$tmp/log.link" -s "$SOCK" \
	--pin-dir "$PIN-refused" >"$tmp/refused.out" 2>&1
rc=$?
check "a start refusing its --log (a symlink): exit 1 ($rc)" \
	sh -c "[ $rc = 1 ] && grep -q 'cannot open $tmp/log.link' '$tmp/refused.out'"
check "... leaves no pin dir" [ ! -e "$PIN-refused" ]
# A config with no policy, under ip netns exec: refused before the bpffs
# is mounted, so it does not say it mounted one.
printf 'config system global\nset hostname "a7y"\nend\n' >"$tmp/nopolicy.conf"
ip netns exec "$GW" "$bin" run -c "$tmp/nopolicy.conf" -s "$SOCK" \
	--pin-dir /sys/fs/bpf/localin-netns >"$tmp/nopol.out" 2>&1
rc=$?
check "under ip netns exec, no policy: refused (exit $rc)" \
	sh -c "[ $rc = 1 ] && grep -q 'has no local-in policy' '$tmp/nopol.out'"
check "... without a word of a bpffs mounted" \
	sh -c "! grep -q 'mounted one there' '$tmp/nopol.out'"
# A new --log of a start refused at the pin dir is not left behind.
in_gw timeout 20 "$bin" run -c "$conf" --log "$tmp/new.log" -s "$SOCK" \
	--pin-dir "$tmp/none/pins" --foreground >"$tmp/nobpf.out" 2>&1
rc=$?
check "a --pin-dir on no bpffs: refused (exit $rc)" \
	sh -c "[ $rc = 1 ] && grep -q 'is not a bpffs' '$tmp/nobpf.out'"
check "... leaves no empty log" [ ! -e "$tmp/new.log" ]

[ "$fails" -eq 0 ]
