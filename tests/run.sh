#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run every test against each build directory given (plain, then ASan+UBSan):
# the cmocka unit tests, the golden tests and the packet corpus; then, once,
# the parser built for BPF (tests/bpf) and the XDP program against the host
# engine (tests/diff). Ends with "N passed, N failed, N skipped", after a
# "skipped:" line naming every suite that skipped something (a run without
# root skips whole suites: they must not look passed), and exits non-zero
# on any failure (skips are not failures).
set -u

pass=0
fail=0
skip=0
failed_list=""
skipped_list=""

# skipped NAME P F S: count S skips of a suite, and list it ("all" when it
# skipped and ran nothing).
skipped() {
	[ "$4" -ne 0 ] || return 0
	skip=$((skip + $4))
	if [ "$2" -eq 0 ] && [ "$3" -eq 0 ]; then
		skipped_list="$skipped_list $1 (all),"
	else
		skipped_list="$skipped_list $1 ($4),"
	fi
}

count_unit() { # build-dir binary
	out=$("$2" 2>&1)
	rc=$?
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	s=$(printf '%s\n' "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	p=${p:-0}
	f=${f:-0}
	s=${s:-0}
	# A crash or sanitizer report before cmocka's summary is one more failure.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	if [ "$f" -ne 0 ]; then
		printf '%s\n' "$out" | grep -v '^\[       OK \]\|^\[ RUN      \]' | head -n 60
		failed_list="$failed_list $1:$(basename "$2")"
	fi
	echo "unit   $(basename "$2") [$1]: $p passed, $f failed, $s skipped"
	pass=$((pass + p))
	fail=$((fail + f))
	skipped "unit $(basename "$2") [$1]" "$p" "$f" "$s"
}

# suite NAME CMD...: run a script that prints PASS/FAIL (and SKIP) lines.
suite() {
	name=$1
	shift
	out=$("$@" 2>&1)
	p=$(printf '%s\n' "$out" | grep -c '^PASS ')
	f=$(printf '%s\n' "$out" | grep -c '^FAIL ')
	s=$(printf '%s\n' "$out" | grep -c '^SKIP ')
	printf '%s\n' "$out" | grep -v '^PASS ' | head -n 200
	echo "$name: $p passed, $f failed, $s skipped"
	pass=$((pass + p))
	fail=$((fail + f))
	skipped "$name" "$p" "$f" "$s"
	[ "$f" -eq 0 ] || failed_list="$failed_list $name"
}

for build in "$@"; do
	for t in "$build"/tests/test_*; do
		[ -x "$t" ] || continue
		count_unit "$build" "$t"
	done
	# Golden files and the packet corpus, with each build's binary.
	suite "golden [$build]" sh tests/golden/run.sh "$build/localin"
	suite "packets [$build]" sh tests/packets/run.sh "$build/localin"
done

# The rest runs once, with the first build: the BPF objects do not depend
# on the build flavour, and root-only parts print SKIP lines otherwise.
# The parser as BPF: compile, verifier, BPF_PROG_TEST_RUN against the host.
suite "bpf [$1]" sh tests/bpf/run.sh "$1/bpf"
# The XDP program against the host engine: the corpus through replay
# --engine xdp and host, and 1M seeded random packets (tests/diff).
suite "diff [$1]" sh tests/diff/run.sh "$1"
# The same program on the kernel a fresh Debian 12 machine boots (Linux
# 6.1, in QEMU): its verifier's walk, corpus scenarios against the host
# engine and the daemon live (tests/kernel).
suite "kernel [$1]" sh tests/kernel/run.sh "$1"
# Geography addresses: a test .mmdb and Debian's geoip-database, packets
# in and just outside a country, replay and the XDP program agreeing.
suite "geo [$1]" sh tests/geo/run.sh "$1/localin"
# Reproducible: the tree built in two directories, the same program object
# (the build identity, which decides pin adoption) and binary; CC=clang too.
suite "build/repro" sh tests/build/repro.sh
# The stages of src/ depend one way (tests/build/layering.sh's LAYERS),
# every project header included by its path under src/.
suite "build/layering" sh tests/build/layering.sh
# Every name an e2e script makes starts with LI_E2E_NS (lib.sh's
# run_name, link_name): sessions sharing a machine do not collide.
suite "build/e2e_names" python3 tests/build/e2e_names.py
# The C sources as `make format` leaves them (.clang-format).
suite "build/format" sh tests/build/format.sh
# The benchmarks' C sources compile against src/ (built by `make bench` only).
suite "build/bench" sh tests/build/bench_builds.sh
# The daemon end to end: `localin run` in network namespaces of its own.
suite "e2e/daemon [$1]" sh tests/e2e/daemon.sh "$1/localin"
# Issue 13: one daemon per VDOM, each in its own network namespace, both
# with the default (per-namespace) socket and lock, each its own status.
suite "e2e/vdoms [$1]" sh tests/e2e/vdoms.sh "$1/localin"
# The SA sources of config system sa-source: a file source, the check
# suspended until it is read, the tunnel list, grace, wrong peer, reloads.
suite "e2e/sasrc [$1]" sh tests/e2e/sasrc.sh "$1/localin"
# Issue 9: unknown-SPI ESP flooded for 30 s: every drop a log line or
# suppressed (exactly), the lines within the rate limits, status quick.
suite "e2e/flood [$1]" sh tests/e2e/flood.sh "$1/localin"
# The daemon stopped under a flood: the full ring's losses counted apart.
suite "e2e/ringfull [$1]" sh tests/e2e/ringfull.sh "$1/localin"
# Issue 12 live: deny ALL but management SSH, and the gateway's own DNS,
# HTTP, NTP-style UDP, ping and IKE still work; its services and forged
# replies from an attacker get no answer (a control run without localin).
suite "e2e/sessions [$1]" sh tests/e2e/sessions.sh "$1/localin"
# IPv6 live: a forwarding gateway under a deny-all local-in-policy6: ND,
# its ping6 and UDP, the path MTU from "packet too big" about its first
# fragment; its services at its address, the subnet-router anycast and an
# address added later get no answer (a control run without localin).
suite "e2e/ipv6 [$1]" sh tests/e2e/ipv6.sh "$1/localin"
# More addresses than the locals table holds (6500 random IPv6): the
# daemon starts with those that fit, says so, and the rest pass unjudged.
suite "e2e/locals_full [$1]" sh tests/e2e/locals_full.sh "$1/localin"
# Interfaces that come and go (no fd leak), attaches that fail for want
# of fds (status, reload's exit code, retried), configs without policies.
suite "e2e/faults [$1]" sh tests/e2e/faults.sh "$1/localin"
# systemd's notify protocol (READY=1, RELOADING=1, STOPPING=1) on a socket
# of the test's own, and `systemd-analyze verify` of the unit.
suite "e2e/notify [$1]" sh tests/e2e/notify.sh "$1/localin"
# The control socket under abuse: idle clients, bursts, a client that
# pipelines without reading, the daemon at its fd limit (issue 16).
suite "e2e/ctlsock [$1]" sh tests/e2e/ctlsock.sh "$1/localin"
# The daemon under faults: a stalled log reader (FIFO), its caller's
# streams let go of, clients against a mute server and as non-root.
suite "e2e/sinks [$1]" sh tests/e2e/sinks.sh "$1/localin"
# The log file: rolling under load, SIGHUP, log show/follow, execute log display, disk full.
suite "e2e/logfile [$1]" sh tests/e2e/logfile.sh "$1/localin"
# Issue 14: FQDN addresses (dnsmasq, short TTL: the peer moves, the old
# address is denied, sessions kept) and threat feeds (HTTP, HTTPS).
suite "e2e/dynaddr [$1]" sh tests/e2e/dynaddr.sh "$1/localin"
# A feed whose URL a reload changes mid-fetch.
suite "e2e/dynfeed [$1]" sh tests/e2e/dynfeed.sh "$1/localin"
# Someone else's XDP program on an interface localin is told to use.
suite "e2e/foreign [$1]" sh tests/e2e/foreign.sh "$1/localin"
# A successor program with larger maps, or this build in place of
# another's: swapped in under a UDP stream the config drops, none let by.
suite "e2e/takeover [$1]" sh tests/e2e/takeover.sh "$1/localin"
# `localin restart` and SIGUSR2: the binary exec'd again in place (the
# same one, another build), under a UDP stream a deny-all drops and the
# gateway's idle TCP connection: none let by, the pid and fds the same;
# a broken config, a binary gone, a new image that ends: said, enforced.
suite "e2e/restart [$1]" sh tests/e2e/restart.sh "$1/localin"
# The session egress program beside the XDP program: attached, sessions
# let replies by, removed, replaced on takeover, others' tc filters kept.
suite "e2e/egress [$1]" sh tests/e2e/egress.sh "$1/localin"
# Replies to the gateway's own traffic that left by an interface no policy
# names (wan1's address routed out of wan2): the session program alone
# there, restarts, kill -9, a filter someone took off put back.
suite "e2e/egress_route [$1]" sh tests/e2e/egress_route.sh "$1/localin"
# Only the kernel's netlink messages read: forged RTM_DELLINK/DELADDR
# from a process to the event socket dropped, counted, said once.
suite "e2e/netlink [$1]" sh tests/e2e/netlink.sh "$1/localin"
# The interface changes under the daemon: jumbo MTU (generic mode, said),
# renamed away and back, deleted and made again under its name.
suite "e2e/linkchange [$1]" sh tests/e2e/linkchange.sh "$1/localin"
# Replay against the daemon: the same traffic (IKE, ESP with live and
# forged SPIs, probes, fragments, IPv6, the gateway's own sessions)
# captured by tcpdump and replayed: the same counters and log lines.
suite "e2e/replay_live [$1]" sh tests/e2e/replay_live.sh "$1/localin"
# An interface without Ethernet frames (tun) named by a policy.
suite "e2e/tunnel_if [$1]" sh tests/e2e/tunnel_if.sh "$1/localin"
# Stacked devices: tagged frames, VLAN devices (with 802.1Q), a bridge under `any`.
suite "e2e/stacked [$1]" sh tests/e2e/stacked.sh "$1/localin"
# Macvlans: judged once, on the macvlan (not by the lower device's
# policies), in generic mode; one made while running under `any`.
suite "e2e/macvlan [$1]" sh tests/e2e/macvlan.sh "$1/localin"
# Syslog delivery to Debian's rsyslog: every mode and format, the filter,
# rsyslog killed and restarted (queue, drops counted, status in 100 ms).
suite "e2e/syslogd [$1]" sh tests/e2e/syslogd.sh "$1/localin"
# Paths a user may have chosen: links at the lock and log paths, the
# socket's directory, names escaped on stderr, `run` as nobody.
suite "e2e/safety [$1]" sh tests/e2e/safety.sh "$1/localin"
# Memory given back: reloaded from 200k addresses to a few lines, the
# daemon's VmRSS falls below half its peak; 2,000 SAs come and go, an
# FQDN address moves: its heap (RssAnon) as before, without a reload.
suite "e2e/memory [$1]" sh tests/e2e/memory.sh "$1/localin"
# A daemon that runs for months: 200 reloads, links and a tun flapped,
# SAs come and go (2,000 at once), control clients abandoned mid-request
# and mid-trace, the log rolled: fds, BPF objects, pins, tc filters and
# VmRSS after the last batch as after the first; a clean stop after it.
suite "e2e/soak [$1]" sh tests/e2e/soak.sh "$1/localin"
# The daemon's sessions: diagnose sys session list/filter/clear on a UDP
# exchange, the end line of a TCP connection checked against a capture.
suite "e2e/sessions_diag [$1]" sh tests/e2e/sessions_diag.sh "$1/localin"
# Alert e-mail to aiosmtpd: the seed's unknown-SPI mail, batching, server down/hung, STARTTLS.
suite "e2e/alertmail [$1]" sh tests/e2e/alertmail.sh "$1/localin"
# The Prometheus endpoint: counters against the traffic sent, the format,
# stalled clients, rebinding on reload.
suite "e2e/metrics [$1]" sh tests/e2e/metrics.sh "$1/localin"
# Issue 10: the FortiOS diagnose/get/show set on the seed's lab: debug
# enable streams to the terminal, iprope hits, -j, --admin-group.
suite "e2e/diag [$1]" sh tests/e2e/diag.sh "$1/localin"
# Issue 10: localin cli through a pty (Tab, ?, errors, abort) and the
# atomic apply at `end` against a daemon (file, FILE.bak, refusals).
suite "e2e/cli [$1]" sh tests/e2e/cli.sh "$1/localin"
# A geography address live: its .mmdb replaced under the daemon (reloaded
# by itself; a damaged file keeps the ruleset before it).
suite "e2e/geo [$1]" sh tests/e2e/geo.sh "$1/localin"
# The lab's wait for `localin run` (60 s: the BPF verifier on a loaded
# machine), against a fake slow daemon: no root, no namespaces.
suite "lab-wait" bash tests/lab/wait.sh
# The lab: strongSwan gateway and peer, an attacker, localin run in the
# gateway; what got through is counted by captures, not by localin.
suite "lab [$1]" bash tests/lab/e2e.sh "$1/localin"
# The VICI client against the lab's real charon: up, rekey, down, charon
# killed and restarted (tests/lab/sa_watch prints what it hears).
suite "lab-vici [$1]" bash tests/lab/vici.sh "$1/tests/sa_watch"
# The SPI check live: forged ESP flood, a minute of rekeys every 3 s,
# charon restarted under traffic (the seed config as it is).
suite "lab-esp [$1]" bash tests/lab/esp.sh "$1/localin"
# The VPN under churn, deny all but IKE from the peer: 21 CHILD_SAs rekeyed
# by both sides every few seconds, IKE_SA rekeys, forged ESP, charon -9,
# localin started without VICI: no frame of the peer dropped (captures in
# front of and behind wan1), the SAs known, an old SPI gone after grace.
suite "e2e/vpn_churn [$1]" bash tests/e2e/vpn_churn.sh "$1/localin"
# ESP in UDP on charon.port_nat_t = 4501 SPI-checked live: the tunnel's
# pings pass as live SPIs, forged ESP in UDP 4501 dropped.
suite "lab-natt [$1]" bash tests/lab/natt_port.sh "$1/localin"

[ -z "$skipped_list" ] || echo "skipped:${skipped_list%,}"
[ -z "$failed_list" ] || echo "failed:$failed_list"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
