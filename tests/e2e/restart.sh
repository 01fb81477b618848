#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: `localin restart` (and SIGUSR2), an upgrade with no gap.
#
# A deny-all on the veth, a UDP stream it drops and the gateway's own idle
# TCP connection (its remote speaks next) across:
#  - `localin restart` with the same binary: 0 datagrams through, the TCP
#    connection's data delivered, the same pid, the answer from the new
#    image; ten more: the same pid and the same open fds each time;
#  - a restart onto another build (an upgrade: a new file installed at the
#    binary's path, and li_conf.build flipped as takeover.sh does): the
#    new file runs, it replaces the program without a gap;
#  - a console streaming the trace (`diagnose debug enable`) across it:
#    its stream ends with an end frame saying "daemon restarting", exit 0;
#    the trace goes on in the new image: both filters (`filter`,
#    `filter6`), what is left of its budget, `console timestamp` and
#    `flow show function-name` kept; a new `diagnose debug enable` sees
#    the filter's packets only, the budget counted down across;
#  - a status asked while the new image starts: answered (the control
#    socket is handed over, its queue kept);
#  - SIGUSR2 (`systemctl kill -s USR2`): the same;
#  - a restart onto a build that refuses --ctl-fd and --trace-fd (the
#    fds are named in the environment: handed over all the same), onto
#    an older build that knows neither them nor their names (it starts,
#    it answers), and from a build that passes them (still taken); every
#    fd of the new image close-on-exec;
#  - log lines queued for a syslog server that is down: the exec loses
#    them, and says how many, as a stop does;
#  - a config that has become invalid: refused, said, exit 1, the daemon
#    and its enforcement go on;
#  - a binary gone from its path: the exec fails, said, exit 1, the same
#    image goes on;
#  - a file execve refuses (not ELF, no #!) with a console streaming: the
#    stream was ended before the exec; the answer and the log say so;
#  - a new image that ends without starting: exit 1, said, the pins stay
#    in force (the ping is still dropped), a start adopts them.
#
#	sh tests/e2e/restart.sh BIN
#
# The harness of tests/e2e/lib.sh: PASS/FAIL lines, SKIP without root;
# a mount namespace of its own with a private bpffs; two network
# namespaces joined by a veth pair, and traffic only between them.
set -u
bin=$(realpath "$1")
SUITE=e2e/restart
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping bpftool
find_python
private_bpffs "$@"
setup_run rst localin-rst
cleanup_more() {
	touch "$tmp/stop"
	for p in $idle_pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
}
idle_pids=""
# The daemon runs a copy, which the test replaces and removes.
orig=$bin
bin=$tmp/localin
cp "$orig" "$bin"

same_pid() { [ "$(daemon_pid)" = "$pid" ] && alive "$pid"; }
answers() { same_pid && li_cmd status; }
enforcing_lines() { grep -c "enforcing .* on 1 interface" "$ERR"; }
more_enforcing() { [ "$(enforcing_lines)" -gt "$1" ]; }
# Once settled: a new image answers before its first sweeps and lookups
# are done, which open a socket for a moment.
nr_fds() {
	sleep 2
	ls "/proc/$1/fd" | wc -l
}
restart() { # out-file: `localin restart`, its exit code in $rc
	# The client: a binary the test does not replace.
	in_gw "$orig" restart -s "$SOCK" >"$1" 2>&1
	rc=$?
}

make_lab
conf=$tmp/localin.conf
{
	conf_interface
	echo "config firewall local-in-policy"
	conf_policy_edit 1 "$IF" ALL deny
	echo "end"
} >"$conf"

check_start "localin run starts with a deny-all" "$conf" || {
	cat "$ERR"
	exit 1
}
pid=$(daemon_pid)
check "enforcing: the ping is dropped" ping_dropped
idle_start
check "the gateway's idle connection: its remote's data arrives" idle_msg 0

# --- the same binary -----------------------------------------------------------
id0=$(prog_id)
stream_start
restart "$tmp/r1.out"
stream_stop
check "localin restart: exit 0 ($rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || cat "$tmp/r1.out"
check "... answered by the new image (restarted, the same pid)" \
	grep -q "restarted: the same pid $pid" "$tmp/r1.out"
check "... it adopted the pins" \
	grep -q "adopted the program and maps pinned" "$tmp/r1.out"
check "... the same pid ($pid, $(daemon_pid))" same_pid
check "... the same program attached" [ "$(prog_id)" = "$id0" ]
check "... $sent UDP datagrams the deny-all drops sent across it, $got got past" \
	[ "${sent:-0}" -ge 10000 -a "${got:-1}" = 0 ]
check "... the gateway's idle connection: its remote's data still arrives" \
	idle_msg 1
check "... the daemon answers" li_cmd status
check "... still enforcing" ping_dropped

# A console streaming the trace across the restart: the exec closed its
# connection with no end frame (the client said "the daemon closed the
# connection", exit 1); it hears why, as from `trace stop`. The trace
# goes on: the new image started with both filters cleared and no trace.
streaming() { li_cmd status | grep -q "trace lines to 1 streaming"; }
# UDP from the peer's port 500 to the gateway's PORT, COUNT times.
probe_to() { # port count
	ip netns exec "$PEER" "$py" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 500))
for i in range(int(sys.argv[3])):
    s.sendto(b"\0" * 28, (sys.argv[1], int(sys.argv[2])))
' "$GW_ADDR" "$1" "$2"
}
traced() { # file count: COUNT packets to port 500 in FILE
	[ "$(grep -c "received a packet(proto=17, $PEER_ADDR:500->$GW_ADDR:500)" "$1")" -ge "$2" ]
}
# `diagnose debug enable` in the background, streaming: $tmp/NAME.out,
# .err, its pid in $dbg.
console() { # name
	in_gw "$orig" diagnose -s "$SOCK" debug enable >"$tmp/$1.out" \
		2>"$tmp/$1.err" &
	dbg=$!
	idle_pids="$idle_pids $dbg"
	wait_until 100 streaming
}
left() { li_cmd status | sed -n 's/^trace: \([0-9]*\) packets left$/\1/p'; }
li_cmd diagnose debug flow filter addr "$PEER_ADDR" >/dev/null &&
	li_cmd diagnose debug flow filter dport 500 >/dev/null &&
	li_cmd diagnose debug flow filter6 addr 2001:db8::7 >/dev/null &&
	li_cmd diagnose debug flow filter6 dport 501 >/dev/null &&
	li_cmd diagnose debug console timestamp enable >/dev/null &&
	li_cmd diagnose debug flow show function-name disable >/dev/null &&
	li_cmd diagnose debug flow trace start 20 >/dev/null
check "filter addr $PEER_ADDR, dport 500; filter6 addr 2001:db8::7, dport 501; timestamp on, function-name off; trace start 20" \
	[ $? = 0 ]
console dbg
probe_to 500 3
wait_until 100 traced "$tmp/dbg.out" 3
restart "$tmp/r8.out"
i=0
while alive "$dbg" && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
wait "$dbg"
drc=$?
check "restart with a console streaming the trace: exit 0 ($rc)" [ "$rc" = 0 ]
check "... the console's diagnose debug enable ends, exit 0 ($drc): $(cat "$tmp/dbg.err")" \
	[ "$drc" = 0 ]
check "... told why by its end frame: daemon restarting, the trace goes on" \
	grep -q "debug output ended: daemon restarting: the trace goes on with its filters" "$tmp/dbg.err"
check "... the new image says so in its log" \
	grep -q "the trace goes on from before the restart: 17 of its 20 packets left" "$ERR"
check "... its trace goes on: 17 of 20 packets left ($(left))" [ "$(left)" = 17 ]
li_cmd diagnose debug flow filter >"$tmp/f4.out"
check "... filter kept: host addr $PEER_ADDR" \
	grep -q "host addr: $PEER_ADDR-$PEER_ADDR\$" "$tmp/f4.out"
check "... filter kept: dport 500" grep -q "dport: 500-500\$" "$tmp/f4.out"
li_cmd diagnose debug flow filter6 >"$tmp/f6.out"
check "... filter6 kept: host addr 2001:db8::7, dport 501" \
	sh -c "grep -q 'host addr: 2001:db8::7-2001:db8::7\$' '$tmp/f6.out' && grep -q 'dport: 501-501\$' '$tmp/f6.out'"
console dbg2
probe_to 501 2
probe_to 500 4
wait_until 100 traced "$tmp/dbg2.out" 4
sleep 0.5
n=$(grep -c 'received a packet' "$tmp/dbg2.out")
n500=$(grep -c "received a packet(proto=17, $PEER_ADDR:500->$GW_ADDR:500)" "$tmp/dbg2.out")
check "diagnose debug enable again: the 4 packets to port 500 traced ($n500), none to 501 ($n in all)" \
	[ "$n500" = 4 -a "$n" = 4 ]
check "... with the timestamp, without func= (the show settings kept)" \
	sh -c "grep 'received a packet' '$tmp/dbg2.out' | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} id=65308 trace_id=[0-9]+ msg=' && ! grep -q 'func=' '$tmp/dbg2.out'"
check "... the budget counted down across the restart: 13 left ($(left))" \
	[ "$(left)" = 13 ]
li_cmd diagnose debug reset >/dev/null
wait "$dbg"

# Counted after one restart: a first start that loaded the program holds
# what an adopting start never opens.
fds0=$(nr_fds "$pid")
i=0
bad=0
while [ $i -lt 10 ]; do
	restart "$tmp/rn.out"
	[ "$rc" = 0 ] || bad=$((bad + 1))
	i=$((i + 1))
done
fds1=$(nr_fds "$pid")
check "ten more restarts: all exit 0 ($bad failed)" [ "$bad" = 0 ]
check "... the same pid" same_pid
check "... the same number of open fds ($fds0 before, $fds1 after)" \
	[ "$fds0" = "$fds1" ]
check "... the daemon answers" li_cmd status

# A client that connects while the new image starts waits in the control
# socket's queue (handed over) and is answered once it is up; before, it
# found no daemon there (connection refused).
execs() { grep -c "restarting: exec" "$ERR"; }
more_execs() { [ "$(execs)" -gt "$1" ]; }
x=$(execs)
in_gw "$orig" restart -s "$SOCK" >"$tmp/r7.out" 2>&1 &
rpid=$!
wait_until 200 more_execs "$x"
in_gw "$orig" status -s "$SOCK" -t 60 >"$tmp/s7.out" 2>&1
src=$?
wait "$rpid"
rc=$?
check "a status asked while the new image starts: answered (exit $src)" \
	[ "$src" = 0 ]
[ "$src" = 0 ] || cat "$tmp/s7.out"
check "... that restart: exit 0 ($rc)" [ "$rc" = 0 ]

# --- an upgrade: another file, another build -------------------------------------
cp "$orig" "$bin.new"
mv "$bin.new" "$bin"
check "an upgrade installed: the daemon runs the replaced file" \
	sh -c "readlink /proc/$pid/exe | grep -q deleted"
flip_build "$PIN" || echo "restart: cannot rewrite li_conf" >&2
stream_start
restart "$tmp/r2.out"
stream_stop
check "restart onto another build: exit 0 ($rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || cat "$tmp/r2.out"
check "... it says it replaced another build's program" \
	grep -q "made by another build of localin" "$tmp/r2.out"
check "... the new file runs, in the same pid" \
	[ "$(readlink "/proc/$pid/exe")" = "$bin" -a "$(daemon_pid)" = "$pid" ]
id2=$(prog_id)
check "... its program replaced the old one ($id0 -> $id2)" \
	[ -n "$id2" -a "$id2" != "$id0" ]
check "... $sent UDP datagrams sent across it, $got got past" \
	[ "${sent:-0}" -ge 10000 -a "${got:-1}" = 0 ]
check "... the gateway's idle connection: its remote's data still arrives" \
	idle_msg 2
check "... the daemon answers" li_cmd status

# --- SIGUSR2 -------------------------------------------------------------------------
n=$(grep -c "restarting: exec" "$ERR")
e=$(enforcing_lines)
stream_start
kill -USR2 "$pid"
wait_until 200 more_enforcing "$e"
stream_stop
check "SIGUSR2: restarted in place" \
	[ "$(grep -c "restarting: exec" "$ERR")" = $((n + 1)) ]
check "... enforcing again" more_enforcing "$e"
check "... the same pid" same_pid
check "... $sent UDP datagrams sent across it, $got got past" \
	[ "${sent:-0}" -ge 10000 -a "${got:-1}" = 0 ]
check "... the daemon answers" li_cmd status

# --- a restart onto a build that knows fewer options ---------------------------
# The new image may be an older build (a package downgraded): one that
# does not know --trace-fd (or --ctl-fd) stopped with a usage error, and
# the daemon was gone until systemd started it. The fds are named in the
# environment instead (LOCALIN_CTL_FD, LOCALIN_TRACE_FD), which any build
# ignores when it does not know them. Each "build" below is a wrapper at
# the binary's path that runs the real one under that path's name.
cp "$orig" "$bin.real"
sock_inode() { stat -c %i "$SOCK"; }
# The daemon's fds above stderr, those without FD_CLOEXEC: a child (or
# the next exec) would get them.
not_cloexec() { # pid
	for f in /proc/"$1"/fdinfo/*; do
		[ -e "$f" ] || continue
		n=${f##*/}
		[ "$n" -gt 2 ] || continue
		fl=$(sed -n 's/^flags:[[:space:]]*//p' "$f" 2>/dev/null)
		[ -n "$fl" ] && [ $((0$fl & 02000000)) = 0 ] && printf "%s " "$n"
	done
}
build_as() { # body: the wrapper's lines before it runs the real binary
	printf '#!/bin/bash\n%s\nexec -a "$0" "$0.real" "$@" $more\n' "$1" \
		>"$bin.new"
	chmod 755 "$bin.new"
	mv "$bin.new" "$bin"
}
refuse='for a; do case $a in --ctl-fd*|--trace-fd*) echo "localin: unrecognized option $a" >&2; exit 2;; esac; done'
# `localin restart` onto the wrapper BODY with a trace of N packets on (a
# filter nothing matches: the budget stays); the socket's inode before
# in $i0.
restart_traced() { # body packets out-file
	build_as "$1"
	i0=$(sock_inode)
	li_cmd diagnose debug flow filter addr 192.0.2.99 >/dev/null
	li_cmd diagnose debug flow trace start "$2" >/dev/null
	restart "$3"
	[ "$rc" = 0 ] || cat "$3"
}
all_cloexec() { [ -z "$(not_cloexec "$pid")" ]; }

# A build that knows neither option (it reads the environment).
restart_traced "$refuse" 9 "$tmp/r10.out"
check "restart onto a build that refuses --ctl-fd and --trace-fd: exit 0 ($rc)" \
	[ "$rc" = 0 ]
check "... the same pid, which answers" answers
check "... still enforcing" ping_dropped
check "... the control socket's listener handed over (inode $i0, $(sock_inode))" \
	[ "$(sock_inode)" = "$i0" ]
check "... the trace handed over: 9 packets left ($(left))" [ "$(left)" = 9 ]
li_cmd diagnose debug reset >/dev/null
check "... every fd the new image holds is close-on-exec (not: $(not_cloexec "$pid"))" \
	all_cloexec

# An older build: it knows neither option nor the environment's names.
restart_traced "$refuse
unset LOCALIN_CTL_FD LOCALIN_TRACE_FD" 5 "$tmp/r11.out"
check "restart onto an older build (neither option, nor their names in the environment): exit 0 ($rc)" \
	[ "$rc" = 0 ]
check "... the same pid, which answers" answers
check "... still enforcing" ping_dropped
check "... its control socket made anew (inode $i0, $(sock_inode)), no trace ($(left))" \
	[ "$(sock_inode)" != "$i0" -a -z "$(left)" ]
li_cmd diagnose debug reset >/dev/null
check "... the fds it did not take are close-on-exec (not: $(not_cloexec "$pid"))" \
	all_cloexec

# From an older build to this one: it passes --ctl-fd and --trace-fd,
# still taken.
restart_traced 'more="${LOCALIN_CTL_FD:+--ctl-fd $LOCALIN_CTL_FD} ${LOCALIN_TRACE_FD:+--trace-fd $LOCALIN_TRACE_FD}"
unset LOCALIN_CTL_FD LOCALIN_TRACE_FD' 7 "$tmp/r12.out"
check "restart from a build that passes --ctl-fd and --trace-fd: exit 0 ($rc)" \
	[ "$rc" = 0 ]
check "... the control socket's listener taken (inode $i0, $(sock_inode))" \
	[ "$(sock_inode)" = "$i0" ]
check "... the trace taken: 7 packets left ($(left))" [ "$(left)" = 7 ]
li_cmd diagnose debug reset >/dev/null
mv "$bin.real" "$bin"
restart "$tmp/r13.out"
check "... and back to the binary itself: exit 0 ($rc), it runs ($(readlink "/proc/$pid/exe"))" \
	[ "$rc" = 0 -a "$(readlink "/proc/$pid/exe")" = "$bin" ]

# --- what the exec loses is said --------------------------------------------------
# A reliable syslog server without a listener: the denied pings' log
# lines queue for it; the exec loses them, and says so as a stop does.
cp "$conf" "$conf.good"
cat >>"$conf" <<EOF
config log setting
    set local-in-deny-unicast enable
end
config log syslogd setting
    set status enable
    set server "$PEER_ADDR"
    set port 10699
    set mode reliable
end
EOF
li_cmd reload >/dev/null 2>&1
ip netns exec "$PEER" ping -c 3 -i 0.3 -W 0.3 "$GW_ADDR" >/dev/null 2>&1
sleep 0.5
restart "$tmp/r6.out"
check "restart with log lines queued for a syslog server that is down: exit 0 ($rc)" \
	[ "$rc" = 0 ]
check "... the lines the exec loses are said" \
	grep -q "queued log lines not sent at the restart" "$ERR"
cp "$conf.good" "$conf"
li_cmd reload >/dev/null 2>&1

# --- what cannot restart -------------------------------------------------------------
echo "config firewall local-in-policy
    edit 1
        set intf" >>"$conf"
restart "$tmp/r3.out"
check "a config with errors: restart refused, exit 1 ($rc)" [ "$rc" = 1 ]
check "... said, with its location" grep -q "localin.conf:[0-9]" "$tmp/r3.out"
check "... said: this daemon goes on" grep -q "goes on enforcing" "$tmp/r3.out"
check "... the same pid, which answers" answers
check "... still enforcing" ping_dropped
cp "$conf.good" "$conf"

mv "$bin" "$bin.away"
restart "$tmp/r4.out"
mv "$bin.away" "$bin"
check "the binary gone from its path: restart refused, exit 1 ($rc)" \
	[ "$rc" = 1 ]
check "... said" grep -q "No such file or directory" "$tmp/r4.out"
check "... the same pid, which answers" answers
check "... still enforcing" ping_dropped

# Executable, but execve refuses it (ENOEXEC) once the streams heard
# "daemon restarting": the answer and the log said only "not restarted".
mv "$bin" "$bin.real"
printf 'not a program\n' >"$bin"
chmod 755 "$bin"
console dbg3
restart "$tmp/r9.out"
mv "$bin.real" "$bin"
wait "$dbg"
check "a binary execve refuses: restart refused, exit 1 ($rc)" [ "$rc" = 1 ]
check "... said" grep -q "Exec format error" "$tmp/r9.out"
check "... the console streaming was told daemon restarting" \
	grep -q "debug output ended: daemon restarting" "$tmp/dbg3.err"
check "... the answer says that console's stream was ended" \
	grep -q "1 console streaming the trace was told the daemon restarts and was closed" "$tmp/r9.out"
check "... and the log" \
	grep -q "1 console streaming the trace was told the daemon restarts and was closed" "$ERR"
check "... the same pid, which answers" answers

# A new image that ends before it enforces (here: not localin at all).
mv "$bin" "$bin.real"
printf '#!/bin/sh\nexit 1\n' >"$bin"
chmod 755 "$bin"
restart "$tmp/r5.out"
mv "$bin.real" "$bin"
check "a new image that does not start: exit 1 ($rc)" [ "$rc" = 1 ]
check "... said" grep -q "closed the connection without an answer" \
	"$tmp/r5.out"
check "... the pins stay in force: the ping is still dropped" ping_dropped
check "... a start adopts them" start_daemon "$conf"
check "... the gateway's idle connection: its remote's data still arrives" \
	idle_msg 3

li_cmd stop >/dev/null 2>&1
sleep 0.2
check "localin stop: no program attached" [ -z "$(prog_id)" ]
check "localin stop: nothing pinned" [ ! -e "$PIN" ]
[ "$fails" -eq 0 ]
