#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The daemon under faults of its interfaces and its config (issue 16):
#  - interfaces that come and go, and reloads that take one off and put
#    it back, leak no file descriptors (a program loaded for an attach
#    holds ~25: program and map references);
#  - an attach that fails for want of fds is shown in `localin status`
#    with its cause, makes `localin reload` exit 1, and is tried again
#    by itself once fds are back;
#  - a config with no local-in policy (an empty file, a copy cut short)
#    is refused by `reload` while policies are in force, and by `run`,
#    unless --force; `check` warns about it.
#
#	sh tests/e2e/faults.sh BIN
#
# Runs in namespaces and a bpffs of its own; kills only its own daemons.
set -u
bin=$(realpath "$1")
SUITE=e2e/faults
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping prlimit
private_bpffs "$@"
setup_run flt localin-faults

conf=$tmp/localin.conf
cat >"$conf" <<EOF
config firewall local-in-policy
    edit 1
        set intf "any"
        set srcaddr "all"
        set dstaddr "all"
        set service "ALL_ICMP"
        set schedule "always"
        set action deny
    next
end
EOF

make_lab
check_start "localin run: intf any" "$conf" || {
	cat "$ERR"
	exit 1
}
pid=$(daemon_pid)
nfds() { ls "/proc/$pid/fd" | wc -l; }
attached() { li_cmd status | grep '^interfaces:' | grep -qF " $1 "; }

# --- interfaces that come and go ----------------------------------------------
# Veth pairs whose both ends are in the gateway's namespace: `any` takes
# both ends; deleting one end deletes the pair.
xa=$(link_name fa 14) # and a letter
before=$(nfds)
round=0
while [ $round -lt 8 ]; do
	ip -n "$GW" link add "${xa}a" type veth peer name "${xa}b" &&
		ip -n "$GW" link set "${xa}a" up &&
		ip -n "$GW" link set "${xa}b" up
	wait_until 50 attached "${xa}a"
	wait_until 50 attached "${xa}b"
	[ $round -eq 0 ] && check "a new interface is attached ($xa a and b)" attached "${xa}b"
	ip -n "$GW" link del "${xa}a"
	wait_until 50 sh -c "! ip -n $GW link show ${xa}b"
	round=$((round + 1))
done
gone_from_status() { ! li_cmd status | grep -qF "${xa}a"; }
wait_until 50 gone_from_status
# The status client's connection is closed a moment after it exits: a
# fd counted then is no leak (one fd a round would be 8).
fds_settled() { [ "$(nfds)" -le "$before" ]; }
wait_until 30 fds_settled
after=$(nfds)
if [ "$after" -le "$before" ]; then
	pass "8 interface pairs came and went: fds $before before, $after after"
else
	fail "8 interface pairs came and went: fds $before before, $after after (leak)"
fi

# --- reloads that take a live interface off and put it back ---------------------
# A detach asked libxdp what holds the hook, which leaves a program fd
# open a call (libxdp 1.3.1): +2 fds a round, toward the fd limit.
ip -n "$GW" link add "${xa}r" type veth peer name "${xa}s" &&
	ip -n "$GW" link set "${xa}r" up && ip -n "$GW" link set "${xa}s" up
wait_until 50 attached "${xa}r"
cp "$conf" "$tmp/any.conf"
sed "s/set intf \"any\"/set intf \"$IF\"/" "$conf" >"$tmp/one.conf"
before=$(nfds)
round=0
while [ $round -lt 5 ]; do
	cp "$tmp/one.conf" "$conf"
	li_cmd reload >/dev/null 2>&1
	[ $round -eq 0 ] && check "reload to intf $IF: ${xa}r taken off" \
		eval "! attached ${xa}r"
	cp "$tmp/any.conf" "$conf"
	li_cmd reload >/dev/null 2>&1
	round=$((round + 1))
done
check "... and put back by intf any" attached "${xa}r"
after=$(nfds)
check "5 reloads took ${xa}r off and put it back: fds $before before, $after after" \
	[ "$after" -le "$before" ]
ip -n "$GW" link del "${xa}r"

# Faster than the daemon reads: 6 pairs made and deleted back to back.
# Events for interfaces already gone attach nothing (an attach loads a
# program, a second or more each): the control socket answers at once.
round=0
while [ $round -lt 6 ]; do
	ip -n "$GW" link add "${xa}f" type veth peer name "${xa}g" &&
		ip -n "$GW" link set "${xa}f" up &&
		ip -n "$GW" link del "${xa}f"
	round=$((round + 1))
done
t0=$(date +%s%N)
li_cmd status -t 30 >/dev/null 2>&1
ms=$((($(date +%s%N) - t0) / 1000000))
check "6 pairs gone before the daemon saw them: status answers in ${ms} ms (< 3000)" \
	[ "$ms" -lt 3000 ]

# --- a name with a terminal escape in it ----------------------------------------
# The kernel takes ESC in an interface name; `localin status` must not
# pass it to the admin's terminal.
esc=$(link_name "e$(printf '\033[2J')")
if ip -n "$GW" link add "$esc" type veth peer name "${xa}e" 2>/dev/null; then
	ip -n "$GW" link set "$esc" up
	wait_until 50 sh -c "$bin status -s $SOCK | grep -qF 'e\\x1b[2J'" 2>/dev/null
	li_cmd status >"$tmp/esc.out" 2>&1
	check "status shows an ESC in an interface name as \\x1b" \
		grep -qF 'e\x1b[2J' "$tmp/esc.out"
	check "... and no raw ESC at all" \
		sh -c "! grep -q \"$(printf '\033')\" $tmp/esc.out"
	ip -n "$GW" link del "$esc"
else
	note_skip "the kernel refuses ESC in an interface name"
fi

# --- out of file descriptors ----------------------------------------------------
# A limit a few fds above what the daemon holds: the control socket still
# accepts, an attach that opens a program does not fit. An Ethernet
# link's takes no fd (the program loaded at start goes on it); the first
# IP-only link's (a tun) loads the program for IP frames, whose object
# holds a reference to each map (~20 fds).
# Only the soft limit: the hard one could not be raised again.
lim=$(($(nfds) + 8))
soft=$(prlimit --pid "$pid" --nofile --noheadings -o SOFT)
prlimit --pid "$pid" --nofile="$lim:"
ip -n "$GW" tuntap add name "${xa}c" mode tun
ip -n "$GW" link set "${xa}c" up
not_attached() {
	li_cmd status | grep '^interfaces not attached:' |
		grep -qF "${xa}c (ifindex"
}
wait_until 100 not_attached
check_status "status names the interface not attached, with the cause" \
	"^interfaces not attached:.*${xa}c (ifindex [0-9]*: Too many open files)"
li_cmd reload >"$tmp/reload.out" 2>&1
rc=$?
check "reload exits 1 while an interface cannot be attached (exit $rc)" \
	[ "$rc" = 1 ]
check "... and says enforcement is incomplete, naming it" \
	grep -q "enforcement is incomplete.*" "$tmp/reload.out"
check "... the interface and the cause" \
	grep -q "^${xa}c (ifindex [0-9]*): not attached: Too many open files" \
	"$tmp/reload.out"
check "the daemon said why" grep -q "cannot attach to ${xa}c: Too many open files" "$ERR"
prlimit --pid "$pid" --nofile="$soft:"
check "fds back: attached again without a reload" wait_until 150 attached "${xa}c"
li_cmd reload >"$tmp/reload2.out" 2>&1
check "reload exits 0 again" [ $? = 0 ]
li_cmd status >"$tmp/status2.out" 2>&1
check "status lists nothing not attached" \
	sh -c "! grep -q '^interfaces not attached' $tmp/status2.out"
ip -n "$GW" link del "${xa}c"

# --- a config that enforces nothing ---------------------------------------------
cp "$conf" "$tmp/good.conf"
: >"$conf"
"$bin" check -c "$conf" >"$tmp/check.out" 2>&1
check "check of an empty config: ok with a warning" \
	grep -q "warning: no local-in policy: nothing enforced" "$tmp/check.out"
li_cmd reload >"$tmp/reload3.out" 2>&1
rc=$?
check "reload to an empty config is refused (exit $rc)" [ "$rc" = 1 ]
check "... saying why and how to force it" \
	grep -q "has no local-in policy: it would remove all enforcement (1 policies in force); .localin reload --force" \
	"$tmp/reload3.out"
check "... and the program stays attached" [ -n "$(prog_id)" ]
check "... and it still drops" ping_dropped
li_cmd reload --force >"$tmp/reload4.out" 2>&1
check "reload --force applies it (exit $?)" grep -q "^reloaded" "$tmp/reload4.out"
check "... and detaches" wait_until 50 sh -c "[ -z \"\$(ip -n $GW -d link show dev $IF | grep 'prog/xdp')\" ]"
check "... pings pass" ping_ok
li_cmd stop >/dev/null 2>&1
check "stopped" wait_until 100 gone "$pid"

in_gw "$bin" run -c "$conf" -s "$SOCK" --pin-dir "$PIN" >"$tmp/run.out" 2>&1
rc=$?
[ "$rc" = 0 ] && pids="$pids $(daemon_pid)" # refused, or stopped below
check "run of an empty config is refused (exit $rc)" [ "$rc" = 1 ]
check "... saying why" grep -q "has no local-in policy: nothing would be enforced; .localin run --force" "$tmp/run.out"
check "... and leaves no daemon (the lock is free)" flock -n "$LOCK" true
if in_gw "$bin" run -c "$conf" -s "$SOCK" --pin-dir "$PIN" --force \
	--log "$LOG" >>"$tmp/daemon.out" 2>>"$ERR"; then
	pids="$pids $(daemon_pid)"
	pass "run --force starts with an empty config"
	li_cmd stop >/dev/null 2>&1
else
	fail "run --force starts with an empty config"
fi
[ "$fails" -eq 0 ]
