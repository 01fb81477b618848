#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: the log file as `config log disk setting` has it (issue 9).
# - Rolling under load (max-log-file-size 1, rolled-files 50): no file
#   past 1 MB, every line whole (date=, a trace's id=, or localin's own
#   notes), and the lines in LOG.N .. LOG add up to what status says was
#   written: none lost, none split across two files.
# - SIGHUP after logrotate moved the file: the daemon writes a new one.
# - `localin log show`: --filter (AND-ed), --tail, and --follow across a
#   roll (every matching line written after it started, once).
# - `localin execute log filter ...` / `execute log display` (FortiOS's
#   "N logs found." / "N logs returned.", numbered, newest first).
# - Disk full (a 3 MB tmpfs in the script's own mount namespace, filled):
#   the daemon keeps enforcing, `status` answers within 100 ms, lines are
#   counted as lost, said once; once space is freed, the note
#   `localin: N log lines lost (No space left on device)` with status's N.
#   With `diskfull overwrite` the oldest rolled files go instead.
#
#	sh tests/e2e/logfile.sh BIN
set -u
bin=$(realpath "$1")
SUITE=e2e/logfile
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare timeout mount
find_python
private_bpffs "$@"
setup_run lgf localin-logfile
follower=""
cleanup_more() {
	[ -n "$follower" ] && kill "$follower" 2>/dev/null
	umount "$tmp/disk" 2>/dev/null
}
export LOCALIN_LOG_FILTER="$tmp/log-filter"

# Deny everything from the peer and log it; the file as $1 says.
write_conf() { # rolled-files diskfull [format]
	cat >"$conf" <<EOF
config log setting
    set local-in-deny-unicast enable
end
config log disk setting
    set max-log-file-size 1
    set diskfull $2
end
config system log-file
    set rolled-files $1
    set format ${3:-default}
end
$(conf_policy1 ALL deny)
EOF
}
conf=$tmp/localin.conf

# The peer sends from 100 addresses (the per-address rate limit is 5
# lines a second), COUNT UDP datagrams from each, to port PORT.
add_sources() {
	i=100
	while [ $i -lt 200 ]; do
		ip -n "$PEER" addr add "192.0.2.$i/24" dev peer0 2>/dev/null
		i=$((i + 1))
	done
}
udp_load() { # seconds port
	ip netns exec "$PEER" "$py" -c "
import socket, time
socks = []
for i in range(100, 200):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('192.0.2.%d' % i, 0))
    socks.append(s)
end = time.time() + $1
while time.time() < end:
    for s in socks:
        s.sendto(b'x', ('$GW_ADDR', $2))
    time.sleep(0.01)"
}
# Traces too: several lines a packet, so the files fill fast.
load() { # seconds port
	timeout 15 "$bin" diagnose -s "$SOCK" debug flow trace start 20000 \
		>/dev/null 2>&1
	udp_load "$@"
}
status_field() { # label: "log: ... N lines written, M lost"
	li_cmd status | sed -n "s/^log: .* \([0-9][0-9]*\) lines written, \([0-9][0-9]*\) lost.*/\\$1/p"
}

# The lines of the log files, rolled ones too.
log_lines() {
	# shellcheck disable=SC2046 # one word a file
	awk 'END { print NR }' $(all_files)
}

# Until the log files hold the same lines twice 0.3 s apart (5 s at most).
settle_log() {
	settle_was=-1
	settle_now=$(log_lines)
	settle_tries=0
	while [ "$settle_now" != "$settle_was" ] && [ $settle_tries -lt 16 ]; do
		sleep 0.3
		settle_was=$settle_now
		settle_now=$(log_lines)
		settle_tries=$((settle_tries + 1))
	done
}

all_files() { # oldest first
	n=1
	while [ -e "$LOG.$n" ]; do n=$((n + 1)); done
	while [ $n -gt 1 ]; do
		n=$((n - 1))
		echo "$LOG.$n"
	done
	echo "$LOG"
}
elapsed_ms() { echo $((($(date +%s%N) - $1) / 1000000)); }

make_lab
add_sources

# --- rolling under load ------------------------------------------------------------
write_conf 50 nolog
check_start "localin run --log FILE with max-log-file-size 1" "$conf" || {
	cat "$ERR" "$tmp/daemon.out"
	exit 1
}
# Load until the file has rolled twice (a busy machine makes fewer lines
# a second), within a minute.
tries=0
while [ "$(all_files | wc -l)" -lt 3 ] && [ $tries -lt 6 ]; do
	load 10 9
	tries=$((tries + 1))
done
sleep 1
files=$(all_files)
nfiles=$(echo "$files" | wc -l)
check "the file rolled under load ($nfiles files)" [ "$nfiles" -ge 3 ]
big=$(for f in $files; do stat -c %s "$f"; done | sort -n | tail -n 1)
check "... no file past 1 MB (largest $big bytes)" [ "$big" -le 1048576 ]
# shellcheck disable=SC2086
bad=$(cat $files | grep -cv '^date=\|^id=[0-9]* trace_id=\|^localin: ')
check "... every line whole ($bad not)" [ "$bad" = 0 ]
# shellcheck disable=SC2086
bad=$(for f in $files; do tail -c 1 "$f" | od -An -c; done | grep -cv '\\n')
check "... every file ends with a whole line ($bad not)" [ "$bad" = 0 ]
written=$(status_field 1)
lost=$(status_field 2)
# shellcheck disable=SC2086
inlog=$(cat $files | grep -cv '^localin: ')
check "... the files hold every line written ($inlog of $written, $lost lost)" \
	[ "$inlog:$lost" = "$written:0" ]
check "... status says how it rolls" eval \
	"li_cmd status | grep -q '^log file: rolls at 1 MB keeping 50 (diskfull nolog): [1-9][0-9]* rolled'"
li_cmd status -j >"$tmp/status.json"
check "... status -j: log_file at $LOG, 1 MB keeping 50, nolog, rolled" \
	"$py" -c '
import json, sys
f = json.load(open(sys.argv[1]))["log_file"]
assert f["path"] == sys.argv[2] and (f["roll_mb"], f["keep"]) == (1, 50)
assert f["diskfull"] == "nolog" and f["rolled"] >= 1 and f["dropped_files"] == 0
' "$tmp/status.json" "$LOG"

# --- SIGHUP after logrotate ----------------------------------------------------------
mv "$LOG" "$tmp/moved.log"
kill -HUP "$(daemon_pid)"
wait_until 50 grep -q "reloaded" "$ERR"
udp_load 1 10
check "SIGHUP: a new $LOG after logrotate moved it" \
	wait_until 50 grep -q 'dstport=10 ' "$LOG"
check "... nothing after it in the moved file" eval \
	"! grep -q 'dstport=10 ' '$tmp/moved.log'"
rm -f "$tmp/moved.log"
# A directory where the log was: the reload says it cannot reopen, so
# does status, and the lines go on into the old file.
mv "$LOG" "$tmp/moved.log"
mkdir "$LOG"
li_cmd reload >"$tmp/reopen.out" 2>&1
check "reload with a directory at the log's path: the answer says it cannot reopen" \
	grep -q "cannot reopen the log $LOG: .*still writing to the old file" "$tmp/reopen.out"
check "... and so does status" eval \
	"li_cmd status | grep -q '^log: cannot reopen $LOG at the last reload'"
rmdir "$LOG"
mv "$tmp/moved.log" "$LOG"
li_cmd reload >/dev/null 2>&1
check "... a reload that can reopen clears it" eval \
	"! li_cmd status | grep -q 'cannot reopen'"

# --- log show ---------------------------------------------------------------------
show() { "$bin" log show -f "$LOG" "$@"; }
files=$(all_files)
# shellcheck disable=SC2086
want=$(cat $files | grep '^date=' | grep -c 'srcip=192.0.2.150 .*dstport=9 ')
got=$(show --filter srcip=192.0.2.150 --filter dstport=9 | wc -l)
check "log show --filter srcip= --filter dstport= ($got of $want)" \
	[ "$got" = "$want" -a "$got" -gt 0 ]
got=$(show --filter 'action="deny"' --filter srcip=192.0.2.150 \
	--filter dstport=9 | wc -l)
check "... a quoted value matches as well ($got)" [ "$got" = "$want" ]
check "... --tail 3: the last three matching" eval \
	"[ \"\$(show --filter dstport=9 --tail 3)\" = \"\$(show --filter dstport=9 | tail -n 3)\" ] && [ \"\$(show --filter dstport=9 --tail 3 | wc -l)\" = 3 ]"
check "... --tail 0: none (as tail -n 0)" eval \
	"[ -n \"\$(show --filter dstport=9)\" ] && [ -z \"\$(show --filter dstport=9 --tail 0)\" ]"
check "... the daemon's file without -f (asked over the socket)" eval \
	"[ \"\$(in_gw '$bin' log show -s '$SOCK' --tail 1 --filter type=traffic)\" = \"\$(show --tail 1 --filter type=traffic)\" ] && show --tail 1 --filter type=traffic | grep -q ."
check "... a file that is not there (nor rolled ones): exit 1, said" eval \
	"! '$bin' log show -f '$tmp/none.log' 2>'$tmp/none.err' && grep -q 'none.log: No such file' '$tmp/none.err'"
# Not through show(): $! would be the subshell, and killing it would leave
# localin following.
"$bin" log show -f "$LOG" --follow --filter dstport=11 >"$tmp/follow.out" 2>&1 &
follower=$!
sleep 0.5
rolls0=$(li_cmd status | sed -n 's/^log file: .*: \([0-9]*\) rolled.*/\1/p')
load 8 11
sleep 1
rolls1=$(li_cmd status | sed -n 's/^log file: .*: \([0-9]*\) rolled.*/\1/p')
files=$(all_files)
# shellcheck disable=SC2086
want=$(cat $files | grep -c '^date=.* dstport=11 ')
wait_until 50 [ "$(wc -l <"$tmp/follow.out")" -ge "$want" ]
got=$(wc -l <"$tmp/follow.out")
check "log show --follow across $((rolls1 - rolls0)) rolls: every line ($got of $want)" \
	[ "$got" = "$want" -a "${rolls1:-0}" -gt "${rolls0:-0}" ]
kill "$follower"
follower=""

# --- execute log filter / display --------------------------------------------------
ex() { "$bin" execute -f "$LOG" log "$@"; }
ex filter reset
ex filter category traffic
ex filter field dstport 9
ex filter view-lines 5
ex display >"$tmp/display.out"
# shellcheck disable=SC2086
found=$(show --filter type=traffic --filter dstport=9 | wc -l)
ret=$((found < 5 ? found : 5))
check "execute log display: \"$found logs found.\" \"$ret logs returned.\"" eval \
	"head -n 2 '$tmp/display.out' | tr '\n' '|' | grep -qx '$found logs found.|$ret logs returned.|'"
check "... numbered, newest first" eval \
	"[ \"\$(sed -n 's/^1: //p' '$tmp/display.out')\" = \"\$(show --filter type=traffic --filter dstport=9 --tail 1)\" ] && [ \"\$(sed -n 's/^2: //p' '$tmp/display.out')\" = \"\$(show --filter type=traffic --filter dstport=9 --tail 2 | head -n 1)\" ]"
check "... filter dump" eval "ex filter dump | grep -qx 'Filter: dstport=\"9\"'"
"$bin" execute -f "$LOG" lo disp >"$tmp/display2.out" 2>&1
check "... abbreviated as on FortiOS (execute lo disp, lo fil du)" eval \
	"cmp -s '$tmp/display.out' '$tmp/display2.out' && '$bin' execute -f '$LOG' lo fil du | grep -qx 'Filter: dstport=\"9\"'"

# --- JSON lines ---------------------------------------------------------------------
write_conf 50 nolog json
li_cmd reload >/dev/null
udp_load 1 16
check "format json: the lines are JSON objects with the same keys" wait_until 50 \
	grep -q '^{"date":"[0-9-]*","time":"[0-9:]*",.*"type":"traffic",.*"dstport":16,' "$LOG"
check "... each a valid one" eval \
	"grep -q '\"dstport\":16,' '$LOG' && grep '\"dstport\":16,' '$LOG' | '$py' -c 'import json, sys; [json.loads(l) for l in sys.stdin]'"
# Counted once the lines stop coming (events are drained on a timer after
# the load), in every file: the log may roll under the load, and log show
# reads the rolled files too.
settle_log
files=$(all_files)
# shellcheck disable=SC2086
want=$(cat $files | grep -c '"dstport":16,')
got=$(show --filter dstport=16 --filter action=deny | wc -l)
check "... log show filters them too ($got of $want)" \
	[ "$got" = "$want" -a "$got" -gt 0 ]

# --- disk full ---------------------------------------------------------------------
li_cmd stop >/dev/null 2>&1
wait_until 100 [ ! -e "$SOCK" ]
mkdir "$tmp/disk"
mount -t tmpfs -o size=3m tmpfs "$tmp/disk" || skip "cannot mount a tmpfs"
LOG=$tmp/disk/localin.log
write_conf 1 nolog
check_start "localin run --log on a 3 MB tmpfs (diskfull nolog)" "$conf"
dd if=/dev/zero of="$tmp/disk/filler" bs=64k 2>/dev/null # the disk is full
load 6 12 &
loader=$!
sleep 3 # status while lines are lost to the full disk
# The daemon's answer timed from the request to its last line (a client
# of ours, so that a sanitizer build's slow start is not counted), the
# best of three (the machine is shared); all three are printed.
all=$(timeout 20 "$py" -c "
import socket, sys, time
out = []
for i in range(3):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect('$SOCK')
    t0 = time.monotonic()
    s.sendall(b'status\\n')
    buf = b''
    while b'\\n' not in buf:
        buf += s.recv(65536)
    want = int(buf.split(b'\\n', 1)[0].split()[1]) + 1
    while buf.count(b'\\n') < want:
        buf += s.recv(65536)
    out.append(int((time.monotonic() - t0) * 1000))
    s.close()
print(' '.join(map(str, out)))")
best=$(echo "$all" | tr ' ' '\n' | sort -n | head -n 1)
check "disk full: status answers within 100 ms (ms: $all)" [ "${best:-1000}" -le 100 ]
wait "$loader"
check "... the daemon still enforces" ping_dropped
lost=$(status_field 2)
check "... lost lines counted ($lost)" [ "${lost:-0}" -gt 0 ]
check "... and said once" \
	[ "$(grep -c "cannot write log lines to $LOG: No space left on device" "$ERR")" = 1 ]
rm -f "$tmp/disk/filler"
udp_load 1 13
lost=$(status_field 2)
check "space again: the note says $lost lines lost" wait_until 50 \
	grep -q "^localin: $lost log lines lost (No space left on device)$" "$LOG"
check "... then the lines go on" wait_until 50 grep -q 'dstport=13 ' "$LOG"

# diskfull overwrite: the rolled file goes, nothing is lost.
write_conf 1 overwrite
li_cmd reload >/dev/null
load 4 14 # rolls: LOG.1 exists
[ -e "$LOG.1" ] || udp_load 3 14
lost0=$(status_field 2)
dd if=/dev/zero of="$tmp/disk/filler" bs=64k 2>/dev/null
udp_load 1 15
lost1=$(status_field 2)
check "diskfull overwrite: the oldest rolled file made room" eval \
	"li_cmd status | grep -q '^log file: .* [1-9][0-9]* rolled files dropped'"
check "... and no line lost ($lost0 -> $lost1)" [ "$lost1" = "$lost0" ]
li_cmd stop >/dev/null 2>&1
exit $((fails > 0))
