#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make demo`: the main job on the built-in example. For now that is the
# config stage: check the seed scenario, print it back in FortiOS form and
# show the compiled tables the data path will use.
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

step "localin check -c $conf --dump   (the compiled ruleset image)"
"$bin" check -c "$conf" --dump

step "a config with mistakes: every error, located"
bad=$(mktemp)
trap 'rm -f "$bad"' EXIT
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
