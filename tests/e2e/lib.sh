# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# The harness the end-to-end tests share: PASS/FAIL/SKIP lines, the
# checks before a run, a mount namespace of its own with a private bpffs,
# the lab of two network namespaces, `localin` run in the gateway's, the
# config pieces and traffic most suites share, and a cleanup that kills
# only the daemons the script started.
#
# Sourced, not run, by a script that has set
#	SUITE	the prefix of its lines ("e2e/daemon")
#	bin	the binary under test (an absolute path)
# before it sources this file:
#	. "$(dirname "$0")/lib.sh"
# Sourcing only defines functions and constants; nothing runs, so it is
# the same before and after the re-exec in private_bpffs.
#
# LI_E2E_SLOW=N, for a machine N times slower than the waits assume (the
# emulated Debian 12 kernel of tests/kernel, where each load of the
# program is some 35 s of the verifier): every wait_until N times as
# long, and the control commands' timeout 60 s times N.

# The one-pair lab's addresses (make_lab): gateway and peer.
GW_ADDR=192.0.2.1
PEER_ADDR=192.0.2.2

# --- lines ------------------------------------------------------------------
note_skip() { echo "SKIP $SUITE: $*"; }
skip() { # why: SKIP line, and exit 0
	note_skip "$@"
	exit 0
}
pass() { echo "PASS $SUITE: $*"; }
fail() {
	echo "FAIL $SUITE: $*"
	fails=$((fails + 1))
}
check() { # description command...
	d=$1
	shift
	if "$@" >/dev/null 2>&1; then pass "$d"; else fail "$d"; fi
}

# --- before a run -------------------------------------------------------------
need_root_and_tools() { # tool...: SKIP unless root, `$bin run` and each tool
	[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, XDP)"
	"$bin" run --help >/dev/null 2>&1 || skip "$bin has no 'run'"
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 || skip "$tool is missing"
	done
}
find_python() { # sets $py, or SKIP
	py=/usr/bin/python3
	[ -x "$py" ] || py=$(command -v python3) || skip "python3 is missing"
}
# Re-runs the script (with the arguments given here: the script's "$@") in
# a mount namespace of its own, then mounts a private bpffs at
# /sys/fs/bpf there, so nothing the run pins is seen outside.
private_bpffs() { # the script's arguments
	if [ -z "${LI_E2E_PRIVATE:-}" ]; then
		LI_E2E_PRIVATE=1 exec unshare -m --propagation private sh "$0" "$@"
	fi
	mount -t bpf bpf /sys/fs/bpf 2>/dev/null || skip "cannot mount bpffs"
}

# --- the run's names, files and cleanup ---------------------------------------
# Every name a run makes that others could see or clean up (a namespace,
# a user, a group, its temporary directory) and every interface it names
# comes from these two, and so starts with LI_E2E_NS (default li): a
# session sharing the machine with others running the same suites picks
# its own (tests/build/e2e_names.py checks the scripts). A literal name
# (peer0, wan1) is fine only for a link made inside one of the run's
# namespaces.
run_name() { # tag: PREFIX-TAG-PID
	echo "${LI_E2E_NS:-li}-$1-$$"
}
# An interface's name holds 15 bytes: the end of PREFIX-TAG-PID is cut
# (a prefix of 4 characters or fewer keeps the pid whole). LENGTH, less
# than 15, leaves room for a suffix the script adds.
link_name() { # tag [length]
	printf "%.${2:-15}s" "$(run_name "$1")"
}
# Sets GW and PEER (the namespaces), IF (the gateway's end of make_lab's
# pair), PIN, a temporary directory $tmp with the daemon's SOCK, LOCK,
# LOG and ERR in it, pids (the daemons started, for cleanup), bg (the
# other processes: bg_stop) and fails; and the traps that clean up on
# exit.
setup_run() { # tag pin-name: names li-TAG-gw-PID ..., /sys/fs/bpf/PIN-NAME
	GW=$(run_name "$1-gw")
	PEER=$(run_name "$1-peer")
	IF=$(link_name "$1")
	PIN=/sys/fs/bpf/$2
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/$(run_name "$1").XXXXXX")
	SOCK=$tmp/ctl.sock
	LOCK=$tmp/ctl.lock
	LOG=$tmp/localin.log
	ERR=$tmp/localin.err
	pids=""
	bg=""
	fails=0
	trap cleanup EXIT
	trap 'exit 1' INT TERM
}
is_ours() { # pid: still the binary we started
	[ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$bin" ]
}
kill_daemons() { # the ones in $pids that still are ours; stopped ones too
	for p in $pids; do
		if is_ours "$p"; then
			kill -CONT "$p" 2>/dev/null
			kill -9 "$p" 2>/dev/null
		fi
	done
}
# The servers, captures and clients in $bg (spawn's, dns_start's and
# those a script adds): TERM, and KILL for one still there 0.2 s later.
bg_stop() {
	[ -n "$bg" ] || return 0
	for p in $bg; do
		kill "$p" 2>/dev/null
	done
	sleep 0.2
	for p in $bg; do
		kill -9 "$p" 2>/dev/null
	done
}
# What else a script started, stopped in cleanup after the daemons and
# $bg and before the namespaces go: a script redefines it after sourcing
# this.
cleanup_more() { :; }
cleanup() {
	kill_daemons
	bg_stop
	cleanup_more
	ip netns del "$GW" 2>/dev/null
	ip netns del "$PEER" 2>/dev/null
	rm -rf "$tmp"
}

# --- the lab --------------------------------------------------------------------
# nsenter, not `ip netns exec`: that one mounts a /sys without our bpffs.
in_ns() { # ns command...
	_n=$1
	shift
	nsenter --net="/run/netns/$_n" "$@"
}
in_gw() { in_ns "$GW" "$@"; }
# nsenter (no --fork), unshare and sh -c exec what they run: $! is the
# server's own pid, the one cleanup kills. (A function run with & would be
# a subshell whose children outlive it.)
spawn() { # ns command...: in the background, its output to $tmp/servers.out
	_s=$1
	shift
	nsenter --net="/run/netns/$_s" "$@" >>"$tmp/servers.out" 2>&1 &
	bg="$bg $!"
}
add_namespaces() { ip netns add "$GW" && ip netns add "$PEER"; }
# A veth pair from the gateway's namespace to the peer's, addressed (/24)
# and up.
add_veth() { # gateway-if peer-if gateway-addr peer-addr
	ip link add "$1" netns "$GW" type veth peer name "$2" netns "$PEER" &&
		ip -n "$GW" addr add "$3/24" dev "$1" &&
		ip -n "$PEER" addr add "$4/24" dev "$2" &&
		ip -n "$GW" link set "$1" up &&
		ip -n "$PEER" link set "$2" up
}
# Until a command succeeds, 5 tries: neighbour discovery first, so the
# first ping a check counts is not lost to ARP.
warm_up() { # command...
	for i in 1 2 3 4 5; do "$@" >/dev/null 2>&1 && break; done
}
# The lab of one pair: $IF ($GW_ADDR) in $GW, peer0 ($PEER_ADDR) in $PEER.
make_lab() {
	add_namespaces &&
		add_veth "$IF" peer0 "$GW_ADDR" "$PEER_ADDR" &&
		ip -n "$GW" link set lo up ||
		skip "cannot build the namespaces"
	warm_up ping_ok
}
ping_from_peer() { ip netns exec "$PEER" ping -c 1 -W 1 "$1"; }
ping_ok() { ping_from_peer "$GW_ADDR"; }
ping_dropped() { ! ping_ok; }
# The id of the XDP program on $IF ("" when there is none); where libxdp's
# dispatcher holds the hook (Debian 12's 6.1), of localin's program in it.
prog_id() {
	_hook=$(ip -n "$GW" -d link show dev "$IF" 2>/dev/null |
		sed -n 's/.*prog\/xdp id \([0-9]*\) name \([^ ]*\).*/\1 \2/p' |
		head -n 1)
	case $_hook in
	*" xdp_dispatcher") xl_id "$IF" localin_xdp ;;
	*) echo "${_hook%% *}" ;;
	esac
}

# Our session egress filters on $IF's egress (or ingress): lines of
# `tc filter show` naming the program.
egress_filters() {
	in_gw tc filter show dev "$IF" "${1:-egress}" | grep -c localin_egress
}
# The id of the program our egress filter runs ("" when there is none).
egress_prog() {
	in_gw tc filter show dev "$IF" egress |
		sed -n 's/.*localin_egress.* id \([0-9]*\).*/\1/p' | head -n 1
}
# Does that program use the li_sess_tab pinned under $PIN now?
egress_uses_pins() {
	sess_id=$(bpftool map show pinned "$PIN/li_sess_tab" 2>/dev/null |
		sed -n 's/^\([0-9]*\):.*/\1/p')
	ep=$(egress_prog)
	[ -n "$sess_id" ] && [ -n "$ep" ] &&
		bpftool prog show id "$ep" 2>/dev/null |
		grep -Eq "map_ids.*\<$sess_id\>"
}

# --- localin in the gateway -------------------------------------------------------
# The config pieces most suites share, for their here-documents: the
# gateway's interface (and its IPv6 address, when given), and local-in
# policy 1 from all to all for one service (FortiOS's default action,
# deny, when none is given).
conf_interface() { # [ip6-address/prefix-length]
	cat <<EOF
config system interface
    edit "$IF"
        set ip $GW_ADDR 255.255.255.0
${1:+        config ipv6
            set ip6-address $1
        end
}    next
end
EOF
}
conf_policy1() { # service [action]
	echo "config firewall local-in-policy"
	conf_policy_edit 1 "$IF" "$1" ${2:+"$2"}
	echo "end"
}
# One entry of `config firewall local-in-policy` (or policy6), from all
# (or the address SRCADDR) to all, for the policy lists a suite writes
# itself (more entries, another interface).
conf_policy_edit() { # N interface service [action [srcaddr]]
	cat <<EOF
    edit $1
        set intf "$2"
        set srcaddr "${5:-all}"
        set dstaddr "all"
        set service "$3"
        set schedule "always"
${4:+        set action $4
}    next
EOF
}
# N entries from FIRST on accepting HTTP: more than the 2048 the default
# maps hold (3000) makes a reload's successor program take over.
conf_http_policies() { # N first interface
	awk -v n="$1" -v first="$2" -v ifc="$3" 'BEGIN { for (i = 0; i < n; i++)
		printf "    edit %d\n        set intf \"%s\"\n        set srcaddr \"all\"\n        set dstaddr \"all\"\n        set service \"HTTP\"\n        set schedule \"always\"\n    next\n",
		i + first, ifc }'
}
# The SA source "manual": the file $SAFILE a suite writes its live SAs
# to, one a line ("DST SPI SRC manual").
conf_sa_manual() {
	cat <<EOF
config system sa-source
    edit "manual"
        set type file
        set path "$SAFILE"
    next
end
EOF
}
# The resolver dns_start() runs, asked again every second at most.
conf_dns_local() {
	cat <<EOF
config system dns
    set primary 127.0.0.1
    set timeout 1
    set retry 0
    set fqdn-min-refresh 1
end
EOF
}
# COUNT live SAs from FIRST-SPI on, to the gateway from the peer, into
# $SAFILE at once (a rename: the daemon never reads half a file).
sa_write() { # count first-spi
	awk -v n="$1" -v f="$2" -v d="$GW_ADDR" -v s="$PEER_ADDR" \
		'BEGIN { for (i = 0; i < n; i++) printf "%s 0x%x %s manual\n", d, f + i, s }' \
		>"$SAFILE.new" && mv "$SAFILE.new" "$SAFILE"
}
# dnsmasq on the gateway's 127.0.0.1:53 answering *.lab.test from the
# hosts file $HOSTS (TTL 1 s, or the one given; SIGHUP reads it again),
# once it listens (3 s at most): sets dns_pid, "" without dnsmasq, and
# adds it to $bg.
dns_start() { # [ttl]
	dns_pid=
	command -v dnsmasq >/dev/null 2>&1 || return 0
	nsenter --net="/run/netns/$GW" dnsmasq -k --conf-file=/dev/null \
		--no-resolv --no-hosts --addn-hosts="$HOSTS" \
		--local=/lab.test/ --local-ttl="${1:-1}" \
		--listen-address=127.0.0.1 --bind-interfaces --port=53 \
		--user=root --pid-file= >"$tmp/dnsmasq.out" 2>&1 &
	dns_pid=$!
	bg="$bg $dns_pid"
	wait_until 30 dns_listens
}
dns_listens() { in_gw ss -Hlun "src 127.0.0.1:53" | grep -q .; }

li_cmd() { # command [words...]: --socket before the words
	c=$1
	shift
	if [ "${LI_E2E_SLOW:-1}" -gt 1 ]; then # a later -t of the caller wins
		in_gw "$bin" "$c" -s "$SOCK" -t $((LI_E2E_SLOW * 60)) "$@"
	else
		in_gw "$bin" "$c" -s "$SOCK" "$@"
	fi
}
start_daemon() { # config: background start, returns once enforcing
	in_gw "$bin" run -c "$1" --log "$LOG" -s "$SOCK" --pin-dir "$PIN" \
		>>"$tmp/daemon.out" 2>>"$ERR" &&
		pids="$pids $(daemon_pid)"
}
check_start() { # description config: start_daemon, PASS or FAIL
	if start_daemon "$2"; then
		pass "$1"
	else
		fail "$1"
		return 1
	fi
}
daemon_pid() { head -n 1 "$LOCK" 2>/dev/null; }
stop_term() { # SIGTERM to the daemon, and wait (10 s) until it is gone
	p=$(daemon_pid)
	kill -TERM "$p"
	wait_until 100 gone "$p"
}
# A reload of a config larger than the maps made at start (see
# conf_http_policies): accepted, and a successor program with larger maps
# took over, as the daemon says it (a grep pattern) in $ERR.
check_takeover_reload() { # pattern
	: >"$ERR"
	check_reload "reload larger than the maps: accepted"
	check "... a program with larger maps took over" grep -q "$1" "$ERR"
}
# `localin reload` (its output in $tmp/reload.out, its exit status in
# $rc), and a check that it exited 0.
check_reload() { # description: "(exit N)" is appended
	li_cmd reload >"$tmp/reload.out" 2>&1
	rc=$?
	check "$1 (exit $rc)" [ "$rc" = 0 ]
}
# `localin status` kept in $tmp/status.out, and one check of it.
check_status() { # description grep-arguments...
	d=$1
	shift
	li_cmd status >"$tmp/status.out" 2>&1
	check "$d" grep -q "$@" "$tmp/status.out"
}
# ... and one check that a pattern is not in it.
check_status_lacks() { # description grep-pattern
	li_cmd status >"$tmp/status.out" 2>&1
	check "$1" lacks "$2" "$tmp/status.out"
}
lacks() { ! grep -q "$1" "$2"; } # pattern file: no line matches
count() { # status label: the number after "label: "
	li_cmd status | grep -F "$1" | sed -n 's/.*: *\([0-9][0-9]*\) *$/\1/p'
}
# Running, or a zombie its reaper has not collected yet: gone has exited.
alive() { grep -qs '^State:[[:space:]]*[RSDT]' "/proc/$1/status"; }
gone() { ! alive "$1"; }
# Wait (TENTHS tenths of a second at most) for a command to succeed.
wait_until() { # tenths command...
	tenths=$(($1 * ${LI_E2E_SLOW:-1}))
	shift
	i=0
	until "$@" >/dev/null 2>&1; do
		[ $i -ge "$tenths" ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# --- traffic between the namespaces ----------------------------------------------
# The script's probe helper ($PROBE: ipv6_probe.py, sessions_probe.py)
# in a namespace, its output on stdout. $py: find_python.
probe() { # ns probe-args...
	_p=$1
	shift
	in_ns "$_p" "$py" "$PROBE" "$@" 2>&1
}
# A probe's PASS or FAIL line, naming the phase, with the probe's output
# in it: a failure says what came back.
expect() { # phase description want(answer|none) ns probe-args...
	ph=$1 d=$2 want=$3 where=$4
	shift 4
	out=$(probe "$where" "$@")
	rc=$?
	if [ "$want" = answer ] && [ $rc -eq 0 ]; then
		pass "$ph: $d: $out"
	elif [ "$want" = none ] && [ $rc -ne 0 ]; then
		pass "$ph: $d: no answer ($out)"
	else
		fail "$ph: $d: want $want, got (exit $rc) $out"
	fi
}
# A UDP socket bound to PORT in the namespace: a server is ready.
udp_bound() { # namespace port
	ip netns exec "$1" ss -Hlun "sport = :$2" | grep -q .
}
# One UDP round trip, 0 if it came back: the peer echoes one datagram on
# DST:5001, the gateway sends one from SRC:40001 (0.0.0.0: the source its
# route picks) and waits 3 s for the echo. Needs $py (find_python).
udp_round_trip() { # src dst
	ip netns exec "$PEER" "$py" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("'"$2"'", 5001))
s.settimeout(5)
d, a = s.recvfrom(100)
s.sendto(d, a)' &
	echo_pid=$!
	wait_until 30 udp_bound "$PEER" 5001
	in_gw "$py" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("'"$1"'", 40001))
s.settimeout(3)
s.sendto(b"hello", ("'"$2"'", 5001))
try:
    s.recvfrom(100)
except OSError:
    sys.exit(1)'
	rc=$?
	wait "$echo_pid" 2>/dev/null
	return $rc
}

# The gateway's own TCP connection from SRC to the peer's DST:PORT, one
# round trip (the peer echoes "hello"), 0 if it came back. Needs $py.
tcp_listening() { ip netns exec "$PEER" ss -Hltn "sport = :$1" | grep -q .; }
tcp_round_trip() { # src dst port
	ip netns exec "$PEER" "$py" -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("'"$2"'", '"$3"'))
s.listen(1)
s.settimeout(5)
c, a = s.accept()
c.settimeout(5)
c.sendall(c.recv(100))' &
	tcp_srv=$!
	wait_until 30 tcp_listening "$3"
	in_gw "$py" -c '
import socket
s = socket.create_connection(("'"$2"'", '"$3"'), timeout=3,
                             source_address=("'"$1"'", 0))
s.sendall(b"hello")
assert s.recv(100) == b"hello"'
	rc=$?
	wait "$tcp_srv" 2>/dev/null
	return $rc
}

# --- what the daemon did -----------------------------------------------------------
hits() { # policy id: its hit count (diagnose firewall iprope show)
	li_cmd diagnose firewall iprope show 100001 "$1" 2>/dev/null |
		sed -n 's/.*hit count:\([0-9]*\).*/\1/p' | head -n 1
}
xdp_on() { ip -n "$GW" -d link show dev "$1" 2>/dev/null | grep -q prog/xdp; }
no_xdp_left() { ! ip -n "$GW" -d link show 2>/dev/null | grep -q prog/xdp; }
# The id of a program in `xdp-loader status IF`: on the hook alone, or a
# component of libxdp's dispatcher (the first number after its name).
xl_id() { # interface name
	in_gw xdp-loader status "$1" 2>/dev/null | awk -v n="$2" '{
		for (i = 1; i <= NF; i++)
			if ($i == n)
				for (j = i + 1; j <= NF; j++)
					if ($j ~ /^[0-9]+$/) { print $j; exit }
	}'
}
# Packets an xdp-filter program counted (its xdp_stats_map, every action).
xdpfilter_counted() { # prog id
	"$py" - "$1" <<'EOF'
import json, subprocess, sys

def bpftool(*args):
    return json.loads(subprocess.check_output(("bpftool", "-j") + args))

n = 0
for m in bpftool("prog", "show", "id", sys.argv[1]).get("map_ids", []):
    if bpftool("map", "show", "id", str(m)).get("name") != "xdp_stats_map":
        continue
    for e in bpftool("map", "dump", "id", str(m)):
        for v in e["values"]:  # per CPU: __u64 packets, __u64 bytes
            raw = bytes(int(b, 16) for b in v["value"][:8])
            n += int.from_bytes(raw, "little")
print(n)
EOF
}
log_lines() { # pattern: lines of the log with it
	grep -c "$1" "$LOG" 2>/dev/null
}

# UDP from the peer as fast as one core sends it, and a receiver on the
# gateway counting what gets past the program (a config that drops it
# all: takeover.sh, restart.sh). $py: find_python.
stream_start() {
	_stream=$(dirname "$0")/udp_stream.py
	rm -f "$tmp/stop"
	in_gw "$py" "$_stream" recv 9999 "$tmp/stop" >"$tmp/recv.out" 2>&1 &
	recv_pid=$!
	ip netns exec "$PEER" "$py" "$_stream" send "$GW_ADDR" 9999 \
		"$tmp/stop" >"$tmp/send.out" 2>&1 &
	send_pid=$!
	sleep 0.5
}
stream_stop() { # sets $sent and $got (not in a subshell: it waits)
	sleep 0.5
	touch "$tmp/stop"
	wait "$send_pid" "$recv_pid" 2>/dev/null
	sent=$(cat "$tmp/send.out")
	got=$(cat "$tmp/recv.out")
}

# The gateway's own TCP connection to the peer, idle: the peer sends
# "msg N" on it when $tmp/poke.N appears, the gateway's end appends what
# it gets to $tmp/idle.got. Nothing else goes either way. The caller
# ends $idle_pids.
idle_start() {
	_probe=$(dirname "$0")/sessions_probe.py
	ip netns exec "$PEER" "$py" "$_probe" idle-serve "$PEER_ADDR" 7179 \
		"$tmp" >/dev/null 2>&1 &
	idle_pids="$idle_pids $!"
	wait_until 50 tcp_listening 7179
	in_gw "$py" "$_probe" idle-client "$PEER_ADDR" 7179 "$tmp/idle.got" \
		>/dev/null 2>&1 &
	idle_pids="$idle_pids $!"
	wait_until 50 idle_connected
}
idle_connected() {
	ip netns exec "$GW" ss -Htn state established "dport = :7179" |
		grep -q .
}
idle_got() { grep -qx "msg $1" "$tmp/idle.got" 2>/dev/null; }
# Does the peer's "msg N" reach the gateway (3 s: TCP retransmits a lost one)?
idle_msg() { # N
	touch "$tmp/poke.$1"
	wait_until 30 idle_got "$1"
}

# Another build's pins, as an upgrade meets them: the first byte of the
# li_conf value (li_conf.build) under PIN flipped. The map is mmapable
# (BPF_OBJ_GET, then mmap). $py: find_python.
flip_build() { # pin-dir
	"$py" - "$1/li_conf" <<'PYEOF'
import ctypes, mmap, os, platform, sys
libc = ctypes.CDLL(None, use_errno=True)
nr_bpf = {"x86_64": 321, "aarch64": 280}[platform.machine()]
path = sys.argv[1].encode()
attr = (ctypes.c_uint64 * 4)(ctypes.cast(ctypes.c_char_p(path), ctypes.c_void_p).value, 0, 0, 0)
fd = libc.syscall(nr_bpf, 7, attr, 16)  # BPF_OBJ_GET
if fd < 0:
    sys.exit("BPF_OBJ_GET: " + os.strerror(ctypes.get_errno()))
m = mmap.mmap(fd, mmap.PAGESIZE, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
m[0] ^= 0xff
m.close()
PYEOF
}

# --- the ESP flood (flood.sh, ringfull.sh) ---------------------------------------
# The lab both floods hit: a daemon that SPI-checks ESP against one SA
# from a file (the peer's, 0xc0ffee01) and accepts SSH, so that every
# other ESP is an unknown-SPI drop with an esp-error event.
flood_lab_start() {
	SAFILE=$tmp/manual.sa
	cat >"$tmp/localin.conf" <<EOF
$(conf_interface)
$(conf_policy1 SSH)
$(conf_sa_manual)
EOF
	printf '%s 0xc0ffee01 %s manual\n' "$GW_ADDR" "$PEER_ADDR" >"$SAFILE"
	make_lab
	check_start "start, SPI-checking ESP against the SA file" \
		"$tmp/localin.conf" || return 1
	check "the SA file is read: the check on" wait_until 50 sh -c \
		"'$bin' status -s '$SOCK' | grep -q '^ESP SPI check: on'"
}
# esp_flood.py from the peer's namespace, in the background ($flood): ESP
# with unknown SPIs from the peer and the comma-separated sources, at
# RATE a second for SECS; it writes what it sent to $tmp/sent.
flood=""
flood_start() { # sources rate secs
	nsenter --net="/run/netns/$PEER" "$py" \
		"$(dirname "$(realpath "$0")")/esp_flood.py" "$GW_ADDR" \
		"$PEER_ADDR" "$1" "$2" "$3" "$tmp/sent" &
	flood=$!
}
flood_wait() {
	wait "$flood"
	flood=""
}
# For cleanup_more: the sender, if it is still ours.
flood_kill() {
	[ -n "$flood" ] && grep -qs "$tmp/sent" "/proc/$flood/cmdline" &&
		kill "$flood" 2>/dev/null
}
# The counters a flood moves: unknown-SPI drops and events read (live),
# and in a saved status FILE the esp-error events the data path's bucket
# suppressed, those it let out that found the ring full, and the lines
# the daemon's rate limit suppressed (0: no line).
esp_bad() { count "ESP with an unknown SPI (dropped)"; }
events_read() { li_cmd status | sed -n 's/^events: \([0-9]*\) read,.*/\1/p'; }
kernel_suppressed() { # file
	sed -n 's/^events: .*suppressed in the data path: .* \([0-9][0-9]*\) esp-error,.*/\1/p' "$1"
}
ring_full() { # file
	sed -n 's/^events lost to a full ring: .* \([0-9][0-9]*\) esp-error,.*/\1/p' "$1"
}
user_suppressed() { # file
	y=$(sed -n 's/^log rate limit: suppressed.* \([0-9][0-9]*\) esp-error line.*/\1/p' "$1")
	echo "${y:-0}"
}
