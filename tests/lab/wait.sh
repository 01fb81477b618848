#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lab_localin_wait (lab.sh), the wait every lab script makes for `localin
# run` to be ready, against a daemon that is slow to come up: no
# namespaces and no daemon, the lab's probes stubbed, and `sleep` counting
# tenths of a second instead of sleeping, so it runs in a moment. Checks:
#  - ready after 18 s (the BPF verifier at load 6.5, as measured): waited
#    for, not given up;
#  - never ready: given up, but only after 60 s, saying so;
#  - the daemon gone after 5 s: given up then, not 60 s later.
#
#	bash tests/lab/wait.sh
set -u
LAB_SUITE=lab-wait
LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/${LAB:-li}-labwait.XXXXXX") || exit 1
trap 'rm -rf "$LAB_DIR"' EXIT
# shellcheck source=lab.sh
. "$(dirname "$0")/lab.sh"
: >"$LAB_DIR/localin.err"

# The fake clock, in tenths; the daemon ready at $ready_at (-1: never),
# running until $gone_at (-1: always).
tenths=0
ready_at=-1
gone_at=-1
sleep() { tenths=$((tenths + 1)); }
lab_running() { [ "$gone_at" -lt 0 ] || [ "$tenths" -lt "$gone_at" ]; }
lab_localin() { [ "$ready_at" -ge 0 ] && [ "$tenths" -ge "$ready_at" ]; }
lab_xdp_attached() { :; }

# Sets $rc, $tenths and $LAB_DIR/wait.err.
wait_with() { # ready-at gone-at
	tenths=0
	ready_at=$1
	gone_at=$2
	lab_localin_wait /nonexistent/localin 2>"$LAB_DIR/wait.err"
	rc=$?
}

wait_with 180 -1
check "ready after 18 s: waited for (exit $rc, after $tenths tenths)" \
	[ "$rc:$tenths" = 0:180 ]

wait_with -1 -1
check "never ready: given up (exit $rc)" [ "$rc" != 0 ]
check "... after 60 s, not before ($tenths tenths)" [ "$tenths" -ge 600 ]
check "... saying so" grep -q 'localin run did not come up' "$LAB_DIR/wait.err"

wait_with -1 50
check "the daemon gone after 5 s: given up then (exit $rc, after $tenths tenths)" \
	[ "$rc:$tenths" = 1:50 ]

[ "$fails" -eq 0 ]
