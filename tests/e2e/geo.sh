#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: a geography address under `localin run`, its database
# swapped under the daemon (issue 14). The test's own .mmdb
# (tests/geo/write-mmdb.pl) puts the peer's 192.0.2.0/25 in CN and a
# policy denies ICMP from CN:
#  - the peer's ping is dropped; status names the database and its date;
#  - the file is replaced by one where that /25 is DE: the daemon reloads
#    by itself and the ping passes, status counts the reload;
#  - the file is replaced by junk: the reload fails, the ruleset before it
#    stays (the ping still passes), status says so;
#  - the CN file again: the ping is dropped again.
#
#	sh tests/e2e/geo.sh BIN
set -u
bin=$(realpath "$1")
SUITE=e2e/geo
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

need_root_and_tools ip nsenter unshare ping flock perl
perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null ||
	skip "libmaxmind-db-writer-perl is missing"
find_python
private_bpffs "$@"
setup_run geo localin-geo

DB=$tmp/country.mmdb
conf=$tmp/localin.conf
# Written beside and renamed over, as an updater does.
write_db() { # [moved]
	perl "$here/../geo/write-mmdb.pl" "$tmp/next.mmdb" - "${1:-}" &&
		mv "$tmp/next.mmdb" "$DB"
}

make_lab
write_db || skip "cannot write the test database"
cat >"$conf" <<EOF
config system interface
    edit "$IF"
        set ip $GW_ADDR 255.255.255.0
    next
end
config system geoip-database
    set path "$DB"
end
config firewall address
    edit "china"
        set type geography
        set country "CN"
    next
end
config firewall local-in-policy
    edit 1
        set intf "$IF"
        set srcaddr "china"
        set dstaddr "all"
        set service "ALL_ICMP"
        set schedule "always"
    next
end
EOF

status_has() { li_cmd status | grep -q "$1"; }
# The reloads status counts for a changed database.
geo_reloads() {
	li_cmd status | sed -n 's/^geoip: \([0-9]*\) reload.*/\1/p'
}
reloads_reach() { [ "$(geo_reloads)" = "$1" ]; }

check_start "start with a geography address from $DB" "$conf" || exit 1
check "the peer (CN in the database) is denied" ping_dropped
check "status names the database, its type and date" status_has \
	"^geoip IPv4: $DB (localin-test-Country, built 20[0-9-]*, [0-9]* ranges)"
li_cmd status -j >"$tmp/status.json"
check "status -j: geoip: the IPv4 database, its type, date and ranges; no reload yet" \
	"$py" -c '
import json, re, sys
g = json.load(open(sys.argv[1]))["geoip"]
db = g["databases"][0]
assert len(g["databases"]) == 1 and db["family"] == 4 and db["path"] == sys.argv[2]
assert db["type"] == "localin-test-Country" and re.match(r"20[0-9-]+$", db["built"])
assert db["ranges"] > 0 and g["reloads"] == 0 and g["last_failed"] is None
' "$tmp/status.json" "$DB"

# Files written within one mtime tick are told apart by size and inode.
write_db moved
if wait_until 150 reloads_reach 1; then
	pass "the changed file is reloaded without being asked"
else
	fail "the changed file is reloaded without being asked"
fi
check "... the peer (DE now) passes" wait_until 50 ping_ok
check "... status: the reload applied" status_has \
	"^geoip: 1 reload for a changed database (the last applied)"
check "... the daemon said why it reloaded" \
	grep -q "geoip database $DB changed: reloading" "$ERR"

printf 'not a database\n' >"$tmp/next.mmdb" && mv "$tmp/next.mmdb" "$DB"
if wait_until 150 reloads_reach 2; then
	pass "a damaged file: reload tried"
else
	fail "a damaged file: reload tried"
fi
check "... it failed: status says the config before it stays" status_has \
	"^geoip: 2 reloads for a changed database (the last failed"
check "... the ruleset before it stays: the peer still passes" ping_ok
check "... the daemon said why" \
	grep -q "cannot read the geoip database $DB" "$ERR"
check "... and is still running" alive "$(daemon_pid)"

write_db
if wait_until 150 reloads_reach 3; then
	pass "the CN file back: reloaded"
else
	fail "the CN file back: reloaded"
fi
check "... the peer is denied again" wait_until 50 ping_dropped

[ "$fails" -eq 0 ]
