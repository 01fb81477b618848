#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The daemon's control socket under abuse (issue 16): clients that connect
# and never send, one that pipelines `status` without reading, bursts of
# clients, and the daemon at its fd limit. Raw clients are
# ctl_clients.py. Checks: `localin status` answers with 70 idle clients
# connected (more than the connection slots), and the idle ones are
# closed after the idle timeout, told why; 50 clients connecting at once
# without waiting (non-blocking connect) are all let in and answered, 50
# parallel `localin status` and 50 parallel `localin reload` all
# succeed; a client pipelining 2000
# requests and reading as it goes gets every answer; one that pipelines
# without reading leaves the daemon's VmRSS within 64 MB of what it was
# and is cut off; with the daemon's soft RLIMIT_NOFILE lowered (prlimit)
# so that accept4() fails with EMFILE, queued clients do not make it spin
# (its CPU time over 2 s), are told "daemon out of file descriptors", the
# daemon logs it; with room for a few connections, 10 idle clients do not
# keep `status` out; and with the limit restored, `status` answers; a
# client that sends `stop` behind answers it never reads does not keep the
# daemon from exiting.
#
#	sh tests/e2e/ctlsock.sh BIN
#
# One PASS/FAIL line per check; SKIP (and exit 0) without root, `BIN run`,
# python3 or the tools below. It runs in a mount namespace of its own with
# a private bpffs, and kills only what it started.
set -u
bin=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
SUITE=e2e/ctlsock
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping prlimit timeout
find_python
private_bpffs "$@"
clients="" # ctl_clients.py runs in the background
setup_run ctl localin-ctlsock
cleanup_more() {
	for p in $clients; do
		if grep -qs ctl_clients "/proc/$p/cmdline"; then
			kill "$p" 2>/dev/null
		fi
	done
}

# A client in the background: its pid in $cpid (and $clients).
client_bg() { # out-file mode args...
	out=$1
	shift
	"$py" "$here/ctl_clients.py" "$@" >"$out" 2>&1 &
	cpid=$!
	clients="$clients $cpid"
}
val() { sed -n "s/^$2 //p" "$1" | head -n 1; } # file key
# `localin CMD` with a deadline: a daemon that spins must not hang the test.
ctl() { # command
	timeout 30 nsenter --net="/run/netns/$GW" "$bin" "$1" -s "$SOCK"
}
cpu_ticks() { # pid: utime + stime (after the comm, which may hold spaces)
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}
# The lowest fd number the daemon does not use: the next one it gets.
next_fd() { # pid
	n=0
	while [ -e "/proc/$1/fd/$n" ]; do n=$((n + 1)); done
	echo "$n"
}
# Run a command N times at once; sets $nok to how many exited 0.
parallel() { # N command...
	np=$1
	shift
	i=0
	ppids=""
	while [ "$i" -lt "$np" ]; do
		("$@" >/dev/null 2>"$tmp/par.$i.err"
		echo $? >"$tmp/par.$i.rc") &
		ppids="$ppids $!"
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	wait $ppids
	nok=$(cat "$tmp"/par.*.rc | grep -c '^0$')
	rm -f "$tmp"/par.*
}

conf=$tmp/localin.conf
cat >"$conf" <<EOF
$(conf_policy1 ALL_ICMP accept)
EOF

make_lab
# --foreground, as systemd runs it: no fd of the start's ready pipe is left
# free among the daemon's, so at a limit just above its highest fd no
# connection fits (a daemon at its limit). Not through in_gw: $! must be
# the daemon (nsenter execs it).
nsenter --net="/run/netns/$GW" "$bin" run --foreground -c "$conf" \
	--log "$LOG" -s "$SOCK" --pin-dir "$PIN" \
	</dev/null >>"$tmp/daemon.out" 2>>"$ERR" &
pid=$!
pids="$pids $pid"
if ! wait_until 100 ctl status; then
	fail "localin run --foreground -c CONF: answers within 10 s"
	cat "$ERR"
	exit 1
fi

# --- the fd limit ---------------------------------------------------------------------
# First, while the daemon's fds are as it started: reloads leave gaps.
hard=$(prlimit --pid "$pid" --nofile --noheadings -o HARD | tr -d ' ')
soft=$(prlimit --pid "$pid" --nofile --noheadings -o SOFT | tr -d ' ')
sleep 0.5 # the daemon has closed the connection of the `status` above
fd=$(next_fd "$pid")
if prlimit --pid "$pid" --nofile="$fd:$hard"; then
	client_bg "$tmp/limit.out" burst "$SOCK" 20 8
	sleep 1
	c0=$(cpu_ticks "$pid")
	sleep 2
	c1=$(cpu_ticks "$pid")
	check "at the fd limit, 20 clients queued: no spin ($((c1 - c0)) \
ticks of CPU in 2 s)" [ $((c1 - c0)) -lt 50 ]
	wait "$cpid"
	check "... they are told the daemon is out of file descriptors" \
		grep -q "^said localin: daemon out of file descriptors" \
		"$tmp/limit.out"
	check "... the daemon says so" grep -q "out of file descriptors" "$ERR"
	prlimit --pid "$pid" --nofile="$((fd + 3)):$hard"
	client_bg "$tmp/limit_idle.out" idle "$SOCK" 10 15
	wait_until 100 grep -q '^connected' "$tmp/limit_idle.out"
	check "room for 3 connections, 10 idle clients: localin status answers" \
		ctl status
	wait "$cpid"
	check "... the idle ones made room, told why" grep -q \
		"^said localin: daemon out of file descriptors" \
		"$tmp/limit_idle.out"
	prlimit --pid "$pid" --nofile="$soft:$hard"
	check "limit restored, the clients gone: localin status answers" \
		ctl status
else
	fail "prlimit --pid $pid --nofile=$fd:$hard"
fi

# --- idle clients -----------------------------------------------------------------
client_bg "$tmp/idle.out" idle "$SOCK" 70 30
wait_until 100 grep -q '^connected' "$tmp/idle.out"
check "70 idle clients connected ($(val "$tmp/idle.out" connected))" \
	[ "$(val "$tmp/idle.out" connected)" = 70 ]
check "with them connected, localin status answers" ctl status
wait "$cpid"
n=$(val "$tmp/idle.out" closed)
s=$(val "$tmp/idle.out" secs)
check "the daemon closes the idle ones ($n of 70, the last after $s s)" \
	[ "$n" = 70 ]
check "... within the idle timeout and a margin" \
	awk "BEGIN { exit !($s < 15) }"
check "... telling them why" \
	grep -q "^said localin: closed: no complete request" "$tmp/idle.out"
check "... and a full table makes room for a new connection" \
	grep -q "^said localin: closed: all control connections are busy" \
	"$tmp/idle.out"

# --- bursts -----------------------------------------------------------------------
# Clients whose connect() does not wait for room in the queue (EAGAIN).
"$py" "$here/ctl_clients.py" burst "$SOCK" 50 20 >"$tmp/burst.out" 2>&1
check "50 clients at once: all connect ($(val "$tmp/burst.out" connected))" \
	[ "$(val "$tmp/burst.out" connected)" = 50 ]
check "... all answered ($(val "$tmp/burst.out" answered))" \
	[ "$(val "$tmp/burst.out" answered)" = 50 ]
parallel 50 ctl status
check "50 parallel localin status: all answered ($nok)" [ "$nok" = 50 ]
parallel 50 ctl reload
check "50 parallel localin reload: all answered ($nok)" [ "$nok" = 50 ]

# --- pipelining ---------------------------------------------------------------------
"$py" "$here/ctl_clients.py" pipelined "$SOCK" 2000 >"$tmp/pipe.out" 2>&1
check "2000 pipelined requests, read as they come: all answered ($(val \
	"$tmp/pipe.out" answers))" [ "$(val "$tmp/pipe.out" answers)" = 2000 ]
# As many requests as make 160 MB of answers: 2.5 times the bound.
size=$(ctl status | wc -c)
count=$((160000000 / (size + 8)))
"$py" "$here/ctl_clients.py" flood "$SOCK" "$pid" "$count" 40 \
	>"$tmp/flood.out" 2>&1
before=$(val "$tmp/flood.out" rss_before)
max=$(val "$tmp/flood.out" rss_max)
grow=$((${max:-0} - ${before:-0}))
rss_bounded() { [ -n "$before" ] && [ "$grow" -lt 65536 ]; }
check "$count pipelined requests never read: VmRSS grew $grow kB (< 64 MB)" \
	rss_bounded
check "... the client is cut off ($(val "$tmp/flood.out" sent) sent, \
after $(val "$tmp/flood.out" secs) s)" [ "$(val "$tmp/flood.out" cut_off)" = yes ]
check "... the daemon answers others" ctl status

check "the daemon is still running" alive "$pid"

# A line longer than the daemon takes: the answer says so, and is read
# (the daemon drops the rest of the input before it closes: a close with
# unread input resets the connection, and the client read ECONNRESET).
"$py" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall(b"status " + b"x" * 6000)
data = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    data += b
print(data.decode(errors="replace"))
' "$SOCK" >"$tmp/long.out" 2>&1
check "a request line too long: the client reads why, not ECONNRESET" \
	grep -q "request line too long" "$tmp/long.out"

# `stop` behind requests whose answers the client never reads (more than
# the socket buffer holds, less than the daemon queues before it waits):
# the daemon still exits, soon; it waited on its blocking answer for as
# long as the client held on, its locks kept.
size=$(ctl status | wc -c)
client_bg "$tmp/stopper.out" stopper "$SOCK" $((300000 / (size + 8))) 30
check "stop behind unread answers: the daemon exits within 10 s" \
	wait_until 100 gone "$pid"
check "... the client's requests were all sent" \
	grep -q "^sent yes" "$tmp/stopper.out"
kill "$cpid" 2>/dev/null
no_sanitizer_report() { ! grep -q "Sanitizer\|runtime error" "$ERR"; }
check "... and no sanitizer report in its messages" no_sanitizer_report
[ "$fails" -eq 0 ]
