#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make demo`: the main job on the built-in example. The seed scenario's
# config is checked, printed back in FortiOS form and compiled; then a
# capture of a morning on the gateway's WAN link (examples/seed-capture.pcap:
# scanners probing IKE, the legitimate peer's IKE and ESP, forged ESP) is
# replayed through the very matcher the XDP program runs: the log lines
# FortiOS would write, the summary, and a `diagnose debug flow` trace.
set -eu
bin=${1:-build/localin}
conf=examples/seed.conf

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "localin check -c $conf"
"$bin" check -c "$conf"

step "localin show -c $conf"
"$bin" show -c "$conf"

step "localin show -c $conf full-configuration firewall local-in-policy"
"$bin" show -c "$conf" full-configuration firewall local-in-policy

step "localin check -c $conf --dump   (the compiled IPv4 tables)"
"$bin" check -c "$conf" --dump | sed -n '/^ipv6:/q;p'

cap=examples/seed-capture.pcap
step "localin replay -c $conf $cap --sa-file examples/seed.sa --verdicts"
"$bin" replay -c "$conf" "$cap" --sa-file examples/seed.sa --verdicts

step "localin replay -c $conf $cap --sa-file examples/seed.sa   (logs, summary)"
"$bin" replay -c "$conf" "$cap" --sa-file examples/seed.sa

step "localin replay ... --trace saddr 198.18.20.7 --trace-count 1   (diagnose debug flow)"
"$bin" replay -c "$conf" "$cap" --sa-file examples/seed.sa \
	--trace saddr 198.18.20.7 --trace-count 1 | grep '^id='

step "a config with mistakes: every error, located"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=$tmp/bad.conf
cat >"$bad" <<'CONF'
config firewall address
    edit "remote-vpn"
        set subnet 203.0.113.10 255.255.0.255
    next
end
config firewall local-in-policy
    edit 1
        set intf "wan1"
        set srcaddr "All_exceptions"
        set dstaddr "all"
        set service "IKE"
        set schedule "always"
        set action drop
    next
end
CONF
"$bin" check -c "$bad" || echo "(exit $?: the config was rejected, as it should be)"
