#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The systemd Type=notify contract of `localin run --foreground`, tested on
# the protocol itself (systemd need not be PID 1): NOTIFY_SOCKET names a
# datagram socket this test owns (notify_listen.py records every message),
# and the daemon runs in a network namespace of its own, on a veth pair
# whose other end is in a second namespace. Checks: READY=1 with
# MAINPID=<its pid> and STATUS= once it is enforcing (and nothing before),
# RELOADING=1 then READY=1 for `localin reload` and for SIGHUP, and also
# for a reload with a broken config (refused; the daemon keeps running),
# RELOADING=1 then READY=1 with the same MAINPID for `localin restart`
# (the new image's), STOPPING=1 for `localin stop` and for SIGTERM (exit
# 0), no READY=1 from a start that fails; the unit's ExecReload fails
# for a refused config and succeeds for a good one; and `systemd-analyze verify` of
# contrib/localin.service where systemd-analyze exists.
#
#	sh tests/e2e/notify.sh BIN
#
# One PASS/FAIL line per check; SKIP (and exit 0) without root, without
# `BIN run`, python3 or the tools below. Like daemon.sh, it runs in a mount
# namespace of its own with a private bpffs, and kills only what it
# started.
set -u
bin=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
unit=$here/../../contrib/localin.service
SUITE=e2e/notify
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping
find_python
private_bpffs "$@"
listener="" # notify_listen.py
setup_run nfy localin-notify
NSOCK=$tmp/notify.sock
NOUT=$tmp/notify.out
cleanup_more() {
	if [ -n "$listener" ] &&
		grep -qs notify_listen "/proc/$listener/cmdline"; then
		kill "$listener" 2>/dev/null
	fi
}

# The daemon as systemd runs it: --foreground, NOTIFY_SOCKET set. Not
# through in_gw: $! must be the daemon (nsenter execs it), not a subshell.
start_fg() { # config
	NOTIFY_SOCKET=$NSOCK nsenter --net="/run/netns/$GW" \
		"$bin" run --foreground -c "$1" \
		--log "$LOG" -s "$SOCK" --pin-dir "$PIN" \
		</dev/null >>"$tmp/daemon.out" 2>>"$ERR" &
	dpid=$!
	pids="$pids $dpid"
}
# The exit code of our child $1, once it exits (10 s at most, else 124).
# Not in a subshell: it waits.
wait_exit() {
	wait_until 100 gone "$1" || return 124
	wait "$1"
}

nlines() { if [ -f "$NOUT" ]; then wc -l <"$NOUT"; else echo 0; fi; }
line() { sed -n "${1}p" "$NOUT"; }
has_lines() { [ "$(nlines)" -ge "$1" ]; }
# Wait (5 s at most) until the listener has recorded N messages.
# 15 s: a start loads and verifies the program (1.4 s of CPU), which on
# a loaded 2-core machine took more than the 5 s this allowed before.
wait_lines() { wait_until 150 has_lines "$1"; }
# Message N has the assignment (exactly).
has() { # N assignment
	line "$1" | tr '|' '\n' | sed 's/^ *//; s/ *$//' | grep -qxF "$2"
}
has_prefix() { # N prefix
	line "$1" | tr '|' '\n' | sed 's/^ *//' | grep -q "^$2"
}
# Message N is RELOADING=1 and N+1 READY=1 with a STATUS=.
reload_pair() { # N
	has "$1" RELOADING=1 && ! has "$1" READY=1 &&
		has $(($1 + 1)) READY=1 && has_prefix $(($1 + 1)) STATUS=
}

write_conf() { # file action
	cat >"$1" <<EOF
$(conf_policy1 ALL_ICMP "$2")
EOF
}

# --- systemd-analyze verify of the unit -------------------------------------
if command -v systemd-analyze >/dev/null 2>&1; then
	# As `make install` writes it, with this build's binary.
	mkdir -p "$tmp/unit"
	sed "s|@BINDIR@|$(dirname "$bin")|g" "$unit" >"$tmp/unit/localin.service"
	systemd-analyze verify "$tmp/unit/localin.service" \
		>"$tmp/verify.out" 2>&1
	rc=$?
	# Settings it ignores are only warnings: none may name the unit.
	if [ $rc = 0 ] && ! grep -q "localin.service" "$tmp/verify.out"; then
		pass "systemd-analyze verify contrib/localin.service"
	else
		fail "systemd-analyze verify contrib/localin.service (exit $rc)"
		cat "$tmp/verify.out"
	fi
	check "contrib/localin.service: Type=notify" \
		grep -qx "Type=notify" "$unit"
else
	note_skip "systemd-analyze verify contrib/localin.service: no systemd-analyze"
fi

# --- the lab: two namespaces, one veth pair ----------------------------------
make_lab

deny=$tmp/deny.conf
accept=$tmp/accept.conf
broken=$tmp/broken.conf
conf=$tmp/localin.conf
write_conf "$deny" deny
write_conf "$accept" accept
sed 's/set srcaddr "all"/set srcaddr "no-such-address"/' "$deny" >"$broken"
cp "$deny" "$conf"

"$py" "$here/notify_listen.py" "$NSOCK" "$NOUT" 300 </dev/null &
listener=$!
wait_until 50 test -S "$NSOCK" || skip "the notify listener did not start"

# --- a start that fails says nothing ------------------------------------------
NOTIFY_SOCKET=$NSOCK in_gw "$bin" run --foreground -c "$broken" \
	--log "$LOG" -s "$SOCK" --pin-dir "$PIN" </dev/null \
	>"$tmp/failed.out" 2>&1
rc=$?
sleep 0.2
check "a start with a broken config fails (exit $rc)" [ "$rc" = 1 ]
check "... and sends no READY=1 (nor anything else)" [ "$(nlines)" = 0 ]

# --- READY=1 once enforcing -----------------------------------------------------
start_fg "$conf"
if wait_lines 1; then
	pass "start: a notification arrives"
else
	fail "start: a notification arrives"
	cat "$ERR"
	exit 1
fi
# What is true now was true when READY=1 was sent: the daemon attaches
# before it notifies and nothing detaches it since.
attached=$(prog_id)
check "start: the first message is READY=1 ($(line 1))" has 1 READY=1
check "... with MAINPID=$dpid, the daemon's pid" has 1 "MAINPID=$dpid"
check "... with a STATUS=" has_prefix 1 "STATUS=enforcing $conf"
check "... sent by the main process itself (NotifyAccess=main)" \
	has 1 "SENDER=$dpid"
check "at READY=1: the XDP program is attached" [ -n "$attached" ]
check "at READY=1: enforcing (policy 1 drops the ping)" ping_dropped
check "at READY=1: the control socket answers" li_cmd status
check "nothing else was sent ($(nlines) messages)" [ "$(nlines)" = 1 ]

# --- reload -------------------------------------------------------------------
cp "$accept" "$conf"
check "localin reload (accept ICMP)" li_cmd reload
check "localin reload: RELOADING=1 then READY=1 with STATUS=" \
	eval "wait_lines 3 && reload_pair 2"
check "... and the new config is in force" ping_ok

cp "$deny" "$conf"
kill -HUP "$dpid"
check "SIGHUP: RELOADING=1 then READY=1 with STATUS=" \
	eval "wait_lines 5 && reload_pair 4"
check "... and the new config is in force" ping_dropped

cp "$broken" "$conf"
li_cmd reload >"$tmp/reload.out" 2>&1
rc=$?
check "localin reload with a broken config: refused (exit $rc)" [ "$rc" = 1 ]
check "... RELOADING=1 then still READY=1" \
	eval "wait_lines 7 && reload_pair 6"
check "... the daemon keeps running" alive "$dpid"
check "... and answers" li_cmd status
check "... the running config stays in force" ping_dropped

kill -HUP "$dpid"
check "SIGHUP with a broken config: RELOADING=1 then still READY=1" \
	eval "wait_lines 9 && reload_pair 8"
check "... the daemon keeps running" alive "$dpid"

# --- the unit's ExecReload, as `systemctl reload` runs it ------------------------
# Its exit is what `systemctl reload` reports: a refused config must fail
# it (with `kill -HUP` it exited 0, and the admin learnt of the refusal
# only by reading the journal). The socket is this test's.
execreload() {
	cmd=$(sed -n 's/^ExecReload=//p' "$unit" |
		sed "s|@BINDIR@|$(dirname "$bin")|g; s|\$MAINPID|$dpid|g;
			s|localin reload|localin reload -s $SOCK|")
	in_gw sh -c "$cmd" >"$tmp/execreload.out" 2>&1
}
execreload
rc=$?
check "the unit's ExecReload with a broken config fails, as systemctl reload then does (exit $rc)" \
	[ "$rc" != 0 ]
check "... saying where" grep -q "localin.conf:[0-9]*:[0-9]*: error" \
	"$tmp/execreload.out"
check "... RELOADING=1 then still READY=1" \
	eval "wait_lines 11 && reload_pair 10"
check "... the daemon keeps running" alive "$dpid"
cp "$deny" "$conf"
execreload
rc=$?
check "the unit's ExecReload with a good config: exit 0 (exit $rc)" [ "$rc" = 0 ]
check "... RELOADING=1 then READY=1" eval "wait_lines 13 && reload_pair 12"

# --- restart in place (an upgrade): the same service -------------------------
before=$(nlines)
li_cmd restart >"$tmp/restart.out" 2>&1
rc=$?
check "localin restart: exit 0 (exit $rc)" [ "$rc" = 0 ]
check "... RELOADING=1, then READY=1 with STATUS= from the new image" \
	eval "wait_lines $((before + 2)) && reload_pair $((before + 1))"
check "... with MAINPID=$dpid: the same service" \
	has $((before + 2)) "MAINPID=$dpid"
check "... sent by the main process (NotifyAccess=main)" \
	has $((before + 2)) "SENDER=$dpid"
check "... the daemon keeps its pid, and answers" li_cmd status
check "... still enforcing" ping_dropped

# --- stop ---------------------------------------------------------------------
before=$(nlines)
li_cmd stop >/dev/null 2>&1
check "localin stop: exit 0" [ $? = 0 ]
wait_exit "$dpid"
rc=$?
check "localin stop: the daemon exits 0 (exit $rc)" [ "$rc" = 0 ]
check "localin stop: STOPPING=1" \
	eval "wait_lines $((before + 1)) && has $((before + 1)) STOPPING=1"
sleep 0.2
check "localin stop: nothing after STOPPING=1" [ "$(nlines)" = $((before + 1)) ]

before=$(nlines)
start_fg "$conf"
if wait_lines $((before + 1)) && has $((before + 1)) READY=1 &&
	has $((before + 1)) "MAINPID=$dpid"; then
	pass "restart: READY=1 with the new MAINPID=$dpid"
else
	fail "restart: READY=1 with the new MAINPID=$dpid"
fi
before=$(nlines)
kill -TERM "$dpid"
wait_exit "$dpid"
rc=$?
check "SIGTERM: the daemon exits 0 (exit $rc)" [ "$rc" = 0 ]
check "SIGTERM: STOPPING=1" \
	eval "wait_lines $((before + 1)) && has $((before + 1)) STOPPING=1"
check "SIGTERM: the program is detached" [ -z "$(prog_id)" ]

[ "$fails" -eq 0 ]
