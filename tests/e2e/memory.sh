#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: the daemon gives memory back. `localin run` in a network
# namespace of its own starts on a config of 200k addresses in one group,
# then is reloaded to a config of a few lines; once the big config is
# freed its resident size (VmRSS) must fall below half its peak (VmHWM).
# The daemon keeps the config before the one in force for the events
# still queued under it, so the big one is freed at the second reload.
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

[ "$fails" -eq 0 ]
