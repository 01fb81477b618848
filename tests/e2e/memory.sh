#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: the daemon gives memory back. `localin run` in a network
# namespace of its own starts on a config of 200k addresses in one group,
# then is reloaded to a config of a few lines; once the big config is
# freed its resident size (VmRSS) must fall below half its peak (VmHWM).
# The daemon keeps the config before the one in force for the events
# still queued under it, so the big one is freed at the second reload.
# Then without a reload: 2,000 SAs listed at once and gone, and FQDN
# moves, each leaving the daemon's heap (RssAnon) within MEM_SLACK_KB
# (768) of before.
#
#	sh tests/e2e/memory.sh BIN
#
# One PASS/FAIL line per check; SKIP (and exit 0) without root or without
# `BIN run`. It runs in a mount namespace of its own with a private bpffs
# and kills only the daemon it started.
set -u
bin=$(realpath "$1")
SUITE=e2e/memory
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping flock awk
private_bpffs "$@"
setup_run mem localin-mem

ADDRS=200000

# A policy on $IF for ICMP from SRC (a name), with ACTION.
policy() { # src action
	cat <<EOF
config firewall local-in-policy
    edit 1
        set intf "$IF"
        set srcaddr "$1"
        set dstaddr "all"
        set service "ALL_ICMP"
        set schedule "always"
        set action $2
    next
end
EOF
}

# $ADDRS hosts in 10/8, all of them members of the group "big", which
# the policy drops ICMP from (the peer is not in it: it passes).
big_conf() {
	awk -v n="$ADDRS" 'BEGIN {
		print "config firewall address"
		for (i = 0; i < n; i++) {
			printf "    edit \"h-%d\"\n", i
			printf "        set subnet 10.%d.%d.%d 255.255.255.255\n",
				int(i / 65536), int(i / 256) % 256, i % 256
			print "    next"
		}
		print "end"
		print "config firewall addrgrp"
		print "    edit \"big\""
		printf "        set member"
		for (i = 0; i < n; i++)
			printf " \"h-%d\"", i
		printf "\n    next\nend\n"
	}'
	policy big deny
}

status_kb() { # pid field: the number of kB in /proc/PID/status
	sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status"
}

make_lab
conf=$tmp/localin.conf
big_conf >"$conf"
check_start "localin run on $ADDRS addresses in one group" "$conf" || {
	cat "$ERR"
	exit 1
}
pid=$(daemon_pid)
check "the peer (not in the group) passes" ping_ok
peak=$(status_kb "$pid" VmHWM)
big=$(status_kb "$pid" VmRSS)
echo "# VmHWM ${peak} kB, VmRSS ${big} kB with the big config"

policy all deny >"$conf"
check "reload to a config of a few lines" li_cmd reload
check "... and again (frees the big config kept for queued events)" \
	li_cmd reload
check "... the small config is in force: dropped" ping_dropped
small=$(status_kb "$pid" VmRSS)
echo "# VmRSS ${small} kB after the reloads"
check "VmRSS after the reloads (${small} kB) below half the peak (${peak} kB)" \
	[ "$((small * 2))" -lt "$peak" ]

# --- SAs and FQDN recompiles --------------------------------------------------
# The memory a burst of SAs or a recompile takes comes back without a
# reload: 2,000 SAs listed at once, then 4 (their grace over), and FQDN
# moves (dnsmasq answers anew, TTL and refresh 1 s). The daemon's own
# memory (RssAnon: its heap) after each within MEM_SLACK_KB of before it.
# Not VmRSS: that counts the pages of the BPF maps the daemon has touched
# (RssFile), which the kernel allocated whole when it made the maps.
SLACK_KB=${MEM_SLACK_KB:-768}
SAFILE=$tmp/manual.sa
HOSTS=$tmp/hosts
sa_live() { # the daemon's live+grace SAs
	li_cmd status -j 2>/dev/null |
		sed -n 's/.*"sa": *{[^}]*"live": *\([0-9]*\)[^}]*"grace": *\([0-9]*\).*/\1+\2/p'
}
conf_churn() {
	cat <<EOF
$(conf_dns_local)
config system sa-check
    set grace-period 1
end
$(conf_sa_manual)
config firewall address
    edit "peer"
        set type fqdn
        set fqdn "peer.lab.test"
    next
end
$(policy peer accept)
EOF
}
echo "$PEER_ADDR peer.lab.test" >"$HOSTS"
dns_start
# A daemon of its own: the one above keeps the holes the 200k addresses
# left in its heap, and where a small config's blocks land among them
# moves its RssAnon by megabytes from one recompile to the next.
check "stop (SIGTERM)" stop_term
sa_write 4 4096
conf_churn >"$conf"
check_start "localin run on a config with an SA file and an FQDN address" \
	"$conf" || {
	cat "$ERR"
	exit 1
}
pid=$(daemon_pid)
sas_are() { # live+grace: wait (5 s) until the daemon has those
	for _ in $(seq 50); do
		[ "$(sa_live)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
check "... its 4 SAs read" sas_are 4+0
mem() { echo "# $1: $(grep -E 'VmRSS|RssAnon|RssFile' "/proc/$pid/status" | tr -s ' \t\n' ' ')"; }
# Before: right after a reload, which trims the heap. After: once the
# trim that a recompile or an SA burst gone asks for is done: 5 s after
# the first of them (daemon.c TRIM_DELAY_MS), and a move's recompile
# comes up to 2 s after it.
settle() { sleep 9; }
trimmed() { li_cmd reload >/dev/null; }
settle
trimmed
before=$(status_kb "$pid" RssAnon)
mem "4 SAs"
k=0
while [ $k -lt 5 ]; do
	sa_write 2000 $((65536 + k * 4096))
	sas_are 2000+0 || echo "# SAs: $(sa_live)"
	mem "2,000 SAs"
	sa_write 4 4096
	sas_are 4+0 || echo "# SAs: $(sa_live)"
	k=$((k + 1))
done
settle
after=$(status_kb "$pid" RssAnon)
mem "4 SAs again"
check "RssAnon after 2,000 SAs came and went (${after} kB) within ${SLACK_KB} kB of before (${before} kB)" \
	[ "$after" -le "$((before + SLACK_KB))" ]

# Recompiles: the FQDN address moves between two answers, 10 times.
fqdn_moves() { # n: recompiles seen
	recompiles() {
		li_cmd status -j 2>/dev/null |
			sed -n 's/.*"recompiles": *\([0-9]*\).*/\1/p'
	}
	first=$(recompiles)
	m=0
	while [ $m -lt "$1" ]; do
		echo "192.0.2.$((m % 2 + 3)) peer.lab.test" >"$HOSTS"
		kill -HUP "$dns_pid"
		sleep 1.2
		m=$((m + 1))
	done
	echo $(($(recompiles) - first))
}
if [ -n "$dns_pid" ]; then
	fqdn_moves 2 >/dev/null
	settle
	trimmed
	before=$(status_kb "$pid" RssAnon)
	mem "before the moves"
	n=$(fqdn_moves 10)
	settle
	after=$(status_kb "$pid" RssAnon)
	mem "after them"
	check "10 FQDN moves recompiled the ruleset (${n} times)" [ "$n" -ge 5 ]
	check "RssAnon after the recompiles (${after} kB) within ${SLACK_KB} kB of before (${before} kB)" \
		[ "$after" -le "$((before + SLACK_KB))" ]
else
	note_skip "no dnsmasq: the FQDN recompiles are not measured"
fi

[ "$fails" -eq 0 ]
