#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: a gateway with more addresses than the data path's locals
# table holds (8192 slots, each address within 8 of its home:
# local_slot.h). The daemon used to refuse the whole list ("cannot update
# the local addresses: No space left on device") and did not start, or,
# running, kept the table of before: new addresses unjudged, gone ones
# still the gateway's. Now the addresses that fit are in force and the
# rest pass as not the gateway's, said loudly:
#  - 6500 random IPv6 addresses on the gateway's interface: the daemon
#    starts under a deny-all, says how many do not fit and the first,
#    `status` has a TABLE FULL line, `status -j` local_addresses.not_in_table;
#  - the gateway's IPv4 address and IPv6 addresses that fit are judged
#    (ping dropped); the first address left out is answered;
#  - once most addresses go, the daemon says all fit again, the line
#    leaves status, and the address left out before is judged too.
#
#	sh tests/e2e/locals_full.sh BIN
set -u
bin=$(realpath "$1")
SUITE=e2e/locals_full
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping flock
find_python
private_bpffs "$@"
setup_run cap localin-cap

N=6500
GW6=2001:db8:ffff::1
PEER6=2001:db8:ffff::2

make_lab
ip -n "$GW" addr add "$GW6/64" dev "$IF" nodad &&
	ip -n "$PEER" addr add "$PEER6/64" dev peer0 nodad &&
	ip -n "$PEER" -6 route add 2001:db8::/32 via "$GW6" ||
	skip "cannot address the lab for IPv6"
"$py" -c '
import random
random.seed(11)
for i in range('"$N"'):
    w = [random.randrange(65536) for _ in range(6)]
    print("addr add 2001:db8:%x:%x:%x:%x:%x:%x/128 dev '"$IF"' nodad" % tuple(w))
' >"$tmp/addrs"
ip -n "$GW" -batch "$tmp/addrs" || skip "cannot add $N addresses"

cat >"$tmp/deny.conf" <<CONF
config system interface
    edit "$IF"
        set ip $GW_ADDR 255.255.255.0
        config ipv6
            set ip6-address $GW6/64
        end
    next
end
config firewall local-in-policy
$(conf_policy_edit 1 "$IF" ALL deny)
end
config firewall local-in-policy6
$(conf_policy_edit 1 "$IF" ALL deny)
end
CONF

ping6_ok() { ip netns exec "$PEER" ping -6 -c 1 -W 1 "$1" >/dev/null 2>&1; }
ping6_dropped() { ! ping6_ok "$1"; }
warm_up ping6_ok "$GW6"
warm_up ping_ok
check "control: the gateway's IPv6 address answers without localin" \
	ping6_ok "$GW6"

check_start "$N addresses: the daemon starts" "$tmp/deny.conf" || exit 1
check "... and says how many addresses its table cannot hold" \
	grep -q "cannot hold [0-9]* of its" "$ERR"
check_status "status: TABLE FULL, with the first address left out" \
	"local addresses: TABLE FULL, [0-9]* of [0-9]* not judged"
first=$(sed -n 's/^local addresses: TABLE FULL.*, the first \(.*\)$/\1/p' \
	"$tmp/status.out")
li_cmd status -j >"$tmp/status.json" 2>&1
check "status -j: local_addresses.not_in_table above 0" "$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["local_addresses"]["not_in_table"] > 0 else 1)' \
	"$tmp/status.json"
check "the gateway's IPv4 address is judged (deny-all: no answer)" \
	ping_dropped
# Of the first five addresses some fit (the table holds most): judged.
judged_some() {
	for a in $(sed -n '1,5s/^addr add \([^/]*\)\/.*/\1/p' "$tmp/addrs"); do
		[ "$a" != "$first" ] && ping6_dropped "$a" && return 0
	done
	return 1
}
check "IPv6 addresses that fit are judged (no answer)" judged_some
check "the first address left out ($first) passes, not judged" \
	ping6_ok "$first"

# All but the one left out go (and $placed, to see it leave the table).
: >"$ERR"
grep -v " $first/" "$tmp/addrs" | sed 's/^addr add/addr del/' \
	>"$tmp/dels"
ip -n "$GW" -batch "$tmp/dels"
check "addresses gone: the daemon says all fit again" \
	wait_until 100 grep -q "holds all [0-9]* of the gateway's addresses again" "$ERR"
check_status_lacks "status: no TABLE FULL line" "TABLE FULL"
check "the address left out before is judged now (no answer)" \
	ping6_dropped "$first"
check "the daemon is still running" alive "$(daemon_pid)"

[ "$fails" -eq 0 ]
