#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: a daemon that runs for months must not grow. One `localin
# run` is churned the way a gateway churns it, batch after batch, and
# after each batch its resources are recorded (one "# sample" line):
# VmRSS, VmHWM, fds, threads, the BPF programs and maps it holds (fds of
# its own, and the pins under its --pin-dir), our tc filters, the
# session and SA counts of `status -j`, and its CPU time. The churns:
#  - reloads, SIGHUP and `localin reload` in turn, between two configs
#    that add and remove an interface, policies, addresses (FQDN ones,
#    dnsmasq answering), a schedule and a geography address;
#  - a veth and a tun under a policy's interface deleted and made again,
#    addresses added and removed on the policy's interface;
#  - the SA file source rewritten (SAs come and go; 2,000 at once);
#  - control clients: connect and close unread, half a request,
#    `diagnose debug flow` whose client is killed, `status -j` in a row;
#  - the FQDN address's answer changed (a recompile each time);
#  - the log file removed, copytruncated and moved (create mode), a
#    syslog server that is not there.
# Checks: after the last batch the fds, threads, BPF programs and maps
# and tc filters are what they were after the first, and VmRSS is within
# SLACK_KB of it (warmed up: the first batch of each kind is the
# baseline); then SIGTERM leaves no pin or tc filter behind, and a
# sanitizer build has nothing to report.
#
#	sh tests/e2e/soak.sh BIN [ROUNDS]
#
# ROUNDS (default 10) scales every churn: a first batch of 2 x ROUNDS
# reloads, ROUNDS / 2 link flaps, 2 x ROUNDS SA file rewrites, 3 x
# ROUNDS clients, ROUNDS / 5 FQDN moves and ROUNDS / 2 log rolls (the
# baseline), then three batches three times as long (FQDN: 1.5 times;
# 200 reloads, 50 flaps, 300 `status -j` in all); 10 runs in under two
# minutes. ROUNDS=60 is the long soak (1,200 reloads, 300 flaps, 1,800
# `status -j`, 2,000 SAs at once in each batch).
# LI_E2E_NS (lib.sh) starts the names, SOAK_SLACK_KB is the VmRSS
# bound, SOAK_SAMPLES a file to keep the samples in.
set -u
bin=$(realpath "$1")
ROUNDS=${2:-10}
SUITE=e2e/soak
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping flock awk
find_python
private_bpffs "$@"
setup_run soak localin-soak
# 14 bytes: its veth peer is ${LINK2}p.
LINK2=$(link_name soak-l 14)
TUN=$(link_name soak-t)
SLACK_KB=${SOAK_SLACK_KB:-2048}
here=$(cd "$(dirname "$0")" && pwd)

SAFILE=$tmp/manual.sa
DB=$tmp/country.mmdb
HOSTS=$tmp/hosts

# conf_a: everything; conf_b: the interface, one policy, nothing else.
conf_a() {
	cat <<EOF
config system interface
    edit "$IF"
        set ip $GW_ADDR 255.255.255.0
    next
    edit "$LINK2"
    next
    edit "$TUN"
    next
end
$(conf_dns_local)
config system geoip-database
    set path "$DB"
end
$(conf_sa_manual)
config log setting
    set local-in-deny-unicast enable
    set local-in-allow enable
end
config log syslogd setting
    set status enable
    set server "$PEER_ADDR"
    set port 5514
    set mode reliable
end
config firewall address
    edit "peer"
        set type fqdn
        set fqdn "peer.lab.test"
    next
    edit "china"
        set type geography
        set country "CN"
    next
    edit "net10"
        set subnet 10.0.0.0 255.0.0.0
    next
end
config firewall schedule recurring
    edit "office"
        set start 08:00
        set end 18:00
        set day monday tuesday wednesday thursday friday
    next
end
config firewall local-in-policy
    edit 1
        set intf "$IF"
        set srcaddr "peer" "china" "net10"
        set dstaddr "all"
        set service "SSH"
        set schedule "office"
    next
$(conf_policy_edit 2 "$LINK2" HTTP)
$(conf_policy_edit 3 "$TUN" HTTPS)
$(conf_policy_edit 4 "$IF" ALL_ICMP deny)
end
EOF
}
conf_b() {
	conf_interface
	conf_policy1 SSH
}

rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }
hwm() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }
# The fewest of three looks 0.1 s apart: a client that just hung up may
# still hold one until the daemon's next turn.
fds() {
	least=
	for _ in 1 2 3; do
		c=$(find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l)
		[ -z "$least" ] || [ "$c" -lt "$least" ] && least=$c
		sleep 0.1
	done
	echo "$least"
}
threads() { sed -n 's/^Threads:[[:space:]]*//p' "/proc/$1/status"; }
fd_kind() { # pid prog|map: the BPF objects it holds an fd of
	find "/proc/$1/fd" -mindepth 1 -maxdepth 1 -lname "anon_inode:bpf-$2" |
		wc -l
}
pins() { find "$PIN" 2>/dev/null | wc -l; }
tc_filters() {
	n=0
	for d in "$IF" "$LINK2" "$TUN"; do
		for dir in ingress egress; do
			k=$(in_gw tc filter show dev "$d" "$dir" 2>/dev/null |
				grep -c localin)
			n=$((n + k))
		done
	done
	echo "$n"
}
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
status_counts() { # "sessions LIVE+GRACE LOG-LINES FQDN-RECOMPILES"
	li_cmd status -j 2>/dev/null | "$py" -c '
import json, sys
try:
    s = json.load(sys.stdin)
except ValueError:
    print("? ?"); sys.exit()
ses = (s.get("sessions") or {}).get("entries", "?")
sa = s.get("sa") or {}
sas = "%s+%s" % (sa.get("live", "?"), sa.get("grace", "?"))
lines = sum(o.get("written", 0) for o in s.get("log_outputs", []))
recompiles = (s.get("dynamic") or {}).get("recompiles", "?")
print(ses, sas, lines, recompiles)'
}
# One line per batch, and the numbers kept in $tmp/samples (label first).
sample() { # label
	p=$(daemon_pid)
	line="$1 t=$(date +%s) rss=$(rss "$p") hwm=$(hwm "$p") fds=$(fds "$p") thr=$(threads "$p") progs=$(fd_kind "$p" prog) maps=$(fd_kind "$p" map) pins=$(pins) tc=$(tc_filters) ses/sas/log/dyn=$(status_counts | tr ' ' /) cpu=$(cpu "$p")"
	echo "# sample $line"
	echo "$line" >>"$tmp/samples"
}
field() { # label key: the value from that label's sample
	sed -n "s/^$1 .*\<$2=\([0-9?/]*\).*/\1/p" "$tmp/samples" | tail -n 1
}
# The first and last samples of one churn agree on every count, and the
# RSS grew by at most SLACK_KB.
compare() { # what first-label last-label
	for k in fds thr progs maps pins tc; do
		a=$(field "$2" $k)
		b=$(field "$3" $k)
		check "$1: $k after the last batch ($b) as after the first ($a)" \
			[ "$a" = "$b" ]
	done
	a=$(field "$2" rss)
	b=$(field "$3" rss)
	check "$1: VmRSS $a kB -> $b kB (within $SLACK_KB kB)" \
		[ "$b" -le "$((a + SLACK_KB))" ]
}
alive_check() { # what
	p=$(daemon_pid)
	check "$1: the daemon is alive and answers" li_cmd status
	alive "$p" || {
		cat "$ERR"
		exit 1
	}
}

# --- the lab ---------------------------------------------------------------
make_lab
link2_up() {
	ip link add "$LINK2" netns "$GW" type veth peer name "${LINK2}p" \
		netns "$PEER" 2>/dev/null && ip -n "$GW" link set "$LINK2" up
}
tun_up() { ip -n "$GW" tuntap add dev "$TUN" mode tun && ip -n "$GW" link set "$TUN" up; }
link2_up
tun_up
in_gw ip link set lo up
perl "$here/../geo/write-mmdb.pl" "$DB" - >/dev/null 2>&1 ||
	note_skip "cannot write the test .mmdb (the geo address resolves to nothing)"
echo "$PEER_ADDR peer.lab.test" >"$HOSTS"
dns_start
sa_write 4 4096

conf=$tmp/localin.conf
conf_a >"$conf"
check_start "localin run on the full config" "$conf" || {
	cat "$ERR"
	exit 1
}
pid=$(daemon_pid)

# --- churns ------------------------------------------------------------------
reloads() { # n
	k=0
	while [ $k -lt "$1" ]; do
		if [ $((k % 2)) = 0 ]; then conf_b >"$conf"; else conf_a >"$conf"; fi
		if [ $((k % 4)) -lt 2 ]; then
			li_cmd reload >/dev/null 2>&1
		else
			kill -HUP "$pid"
			# SIGHUP is not waited for: the next one would merge into it.
			wait_until 50 li_cmd status
		fi
		k=$((k + 1))
	done
	conf_a >"$conf"
	li_cmd reload >/dev/null 2>&1
}
links() { # n
	k=0
	while [ $k -lt "$1" ]; do
		ip -n "$GW" link del "$LINK2" 2>/dev/null
		ip -n "$GW" link del "$TUN" 2>/dev/null
		ip -n "$GW" addr add "198.51.100.$((k % 200 + 1))/32" dev "$IF"
		link2_up
		tun_up
		ip -n "$GW" addr del "198.51.100.$((k % 200 + 1))/32" dev "$IF"
		k=$((k + 1))
	done
	sleep 1
}
sas() { # n
	k=0
	while [ $k -lt "$1" ]; do
		sa_write $((k % 7 + 1)) $((4096 + k * 8))
		sleep 0.02
		k=$((k + 1))
	done
	sa_write 2000 65536
	sleep 1
	sa_write 4 4096
	sleep 1
}
clients() { # n
	k=0
	while [ $k -lt "$1" ]; do
		li_cmd status -j >/dev/null 2>&1
		k=$((k + 1))
	done
	in_gw "$py" -c '
import socket, sys, time
path, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
    except OSError:
        time.sleep(0.05); continue
    if i % 3 == 1:
        s.send(b"stat")
    elif i % 3 == 2:
        s.send(b"status -j\n")
    s.close()
' "$SOCK" "$1"
	# A trace streamed to a client that is killed (its admin's ssh gone).
	m=0
	while [ $m -lt $(($1 / 50 + 1)) ]; do
		li_cmd diagnose debug flow trace start 1000 >/dev/null 2>&1
		in_gw "$bin" diagnose -s "$SOCK" debug enable >/dev/null 2>&1 &
		dpid=$!
		ip netns exec "$PEER" ping -c 2 -i 0.01 -W 0.1 "$GW_ADDR" \
			>/dev/null 2>&1
		kill -9 "$dpid" 2>/dev/null
		wait "$dpid" 2>/dev/null
		m=$((m + 1))
	done
	li_cmd diagnose debug reset >/dev/null 2>&1
	sleep 1
}
# The FQDN address moves (dnsmasq answers anew after SIGHUP; TTL and
# refresh 1 s): each move recompiles the ruleset.
fqdn() { # n
	k=0
	while [ $k -lt "$1" ] && [ -n "${dns_pid:-}" ]; do
		moves=$((moves + 1))
		echo "192.0.2.$((moves % 2 + 2)) peer.lab.test" >"$HOSTS"
		kill -HUP "$dns_pid"
		sleep 1.1
		k=$((k + 1))
	done
}
moves=0
logs() { # n
	k=0
	while [ $k -lt "$1" ]; do
		ip netns exec "$PEER" ping -c 3 -i 0.01 -W 0.1 "$GW_ADDR" >/dev/null 2>&1
		case $((k % 3)) in
		0) rm -f "$LOG" ;;
		1)
			cp "$LOG" "$LOG.1" 2>/dev/null
			: >"$LOG"
			;;
		2)
			mv "$LOG" "$LOG.1" 2>/dev/null
			kill -HUP "$pid"
			wait_until 50 li_cmd status
			;;
		esac
		k=$((k + 1))
	done
	rm -f "$LOG.1"
	sleep 1
}

R=$ROUNDS
for churn in reloads links sas clients fqdn logs; do
	case $churn in
	reloads) n=$((R * 2)) ;;
	links) n=$((R / 2)) ;;
	sas) n=$((R * 2)) ;;
	clients) n=$((R * 3)) ;;
	fqdn) n=$((R / 5)) ;;
	logs) n=$((R / 2)) ;;
	esac
	# The first batch warms up (the baseline), the next three are 3 times
	# as long: 20 reloads, then 200 in all.
	more=$((n * 3))
	# A move takes a second (the FQDN's refresh): 2 to warm up, 3 a batch.
	[ $churn = fqdn ] && more=$((n + n / 2))
	$churn "$n"
	sample "$churn-0"
	bn=1
	while [ $bn -le 3 ]; do
		$churn "$more"
		sample "$churn-$bn"
		bn=$((bn + 1))
	done
	alive_check "$churn"
	compare "$churn" "$churn-0" "$churn-3"
done
cp "$tmp/samples" "${SOAK_SAMPLES:-/dev/null}" 2>/dev/null

# A stop after all that: everything of ours leaves the kernel, and a
# sanitizer build (make test's build/asan) finds nothing leaked.
check "stop (SIGTERM) after the churn" stop_term
check "... nothing left pinned under $PIN" [ "$(pins)" -le 1 ]
check "... none of our tc filters left" [ "$(tc_filters)" = 0 ]
check "... no sanitizer report" lacks 'Sanitizer' "$ERR"
grep -A30 'Sanitizer' "$ERR" | head -n 60

[ "$fails" -eq 0 ]
