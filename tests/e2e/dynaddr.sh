#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: addresses that change while the daemon runs (issue 14).
# dnsmasq in the gateway's namespace answers for the lab's names with a
# 2 s TTL; python3's http.server (and an HTTPS one, with a certificate
# made here by openssl) serves threat feeds. The policies: the feed's
# ranges denied, the peer's FQDN (and a second, unchanging FQDN) accepted,
# everything else denied.
# - the peer's name resolves, the peer connects (ping passes);
# - the record moves to a new address, the peer is re-addressed there and
#   passes again within TTL + 1 s; the old address is denied afterwards;
# - a TCP session from the unchanging name's address lives on (same
#   session serial) across the recompile that change made;
# - a name that does not exist (NXDOMAIN) matches nothing and says so;
# - the DNS server stopped: the last good address stays (peer passes),
#   `localin status` says the refresh failed;
# - the daemon killed (-9) and started again while DNS and the feed server
#   are down: it starts with the addresses and lists the one before it
#   saved (the peer passes from the first packet), the lists say "cache"
#   until DNS answers again; a corrupt cache is ignored, said, and the
#   daemon runs;
# - the feed: applied, updated on refresh (LOCALIN_FEED_MINUTE_MS makes
#   refresh-rate 1 a second), a malformed line reported by its number, a
#   failing fetch (404) keeps the old list, HTTPS with basic auth fetched;
# - `localin check` resolves once and warns about the missing name.
#
#	sh tests/e2e/dynaddr.sh BIN
set -u
bin=$(realpath "$1")
SUITE=e2e/dynaddr
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping dnsmasq openssl
find_python
private_bpffs "$@"
setup_run dy localin-dynaddr
export LOCALIN_FEED_MINUTE_MS=1000

TTL=2
NEW_ADDR=192.0.2.3
KEEP_ADDR=192.0.2.4
FEED_ADDR=192.0.2.9
HOSTS=$tmp/hosts
WWW=$tmp/www
conf=$tmp/dyn.conf

https_start() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" \
		-out "$tmp/cert.pem" -subj /CN=127.0.0.1 -days 1 \
		>/dev/null 2>&1 || return 1
	# HTTPS with HTTP basic auth: feeduser / feed pass
	nsenter --net="/run/netns/$GW" "$py" -c '
import base64, http.server, ssl, sys, functools
want = "Basic " + base64.b64encode(b"feeduser:feed pass").decode()
class H(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if self.headers.get("Authorization") != want:
            self.send_response(401)
            self.send_header("WWW-Authenticate", "Basic realm=feeds")
            self.end_headers()
            return
        super().do_GET()
h = functools.partial(H, directory=sys.argv[1])
s = http.server.HTTPServer(("127.0.0.1", 8443), h)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.load_cert_chain(sys.argv[2], sys.argv[3])
s.socket = c.wrap_socket(s.socket, server_side=True)
s.serve_forever()' "$WWW" "$tmp/cert.pem" "$tmp/key.pem" \
		>"$tmp/https.out" 2>&1 &
	bg="$bg $!"
}

cat >"$HOSTS" <<EOF
$PEER_ADDR peer.lab.test
$KEEP_ADDR keep.lab.test
EOF
mkdir -p "$WWW"
printf '# a comment\n%s\n\n' "$FEED_ADDR" >"$WWW/block.txt"
printf '198.51.100.0/24\n198.51.101.1-198.51.101.9\n' >"$WWW/tls.txt"

cat >"$conf" <<EOF
$(conf_interface)
$(conf_dns_local)
config system external-resource
    edit "blocklist"
        set type address
        set resource "http://127.0.0.1:8080/block.txt"
        set refresh-rate 1
    next
    edit "tls-list"
        set type address
        set resource "https://127.0.0.1:8443/tls.txt"
        set refresh-rate 1
        set username "feeduser"
        set password "feed pass"
    next
end
config firewall address
    edit "peer"
        set type fqdn
        set fqdn "peer.lab.test"
    next
    edit "keep"
        set type fqdn
        set fqdn "keep.lab.test"
    next
    edit "gone"
        set type fqdn
        set fqdn "gone.lab.test"
    next
end
config firewall addrgrp
    edit "peers"
        set member "peer" "keep" "gone"
    next
end
config firewall local-in-policy
    edit 1
        set intf "$IF"
        set srcaddr "blocklist" "tls-list"
        set dstaddr "all"
        set service "ALL"
        set schedule "always"
    next
    edit 2
        set intf "$IF"
        set srcaddr "peers"
        set dstaddr "all"
        set action accept
        set service "ALL"
        set schedule "always"
    next
    edit 3
        set intf "$IF"
        set srcaddr "all"
        set dstaddr "all"
        set service "ALL"
        set schedule "always"
    next
end
EOF

make_lab
ip -n "$PEER" addr add "$KEEP_ADDR/24" dev peer0
ip -n "$GW" link set lo up
dns_start $TTL
in_gw ip link set lo up
nsenter --net="/run/netns/$GW" "$py" -m http.server -b 127.0.0.1 \
	-d "$WWW" 8080 >"$tmp/http.out" 2>&1 &
http_pid=$!
bg="$bg $http_pid"
https_start || fail "openssl: cannot make the test certificate"
sleep 0.5

# check resolves once: the missing name is reported, the others are not.
in_gw "$bin" check -c "$conf" >"$tmp/check.out" 2>&1
check "check: reports the name that cannot be resolved" \
	grep -q 'fqdn "gone.lab.test" cannot be resolved' "$tmp/check.out"
check "check: resolves the names that exist" \
	sh -c "! grep -q 'peer.lab.test\" cannot' '$tmp/check.out'"
in_gw "$bin" check --no-resolve -c "$conf" >"$tmp/check-nr.out" 2>&1
check "check --no-resolve: resolves nothing, reports nothing" \
	sh -c "! grep -q 'cannot be resolved' '$tmp/check-nr.out'"

# replay resolves once too: the peer's echo is accepted by policy 2, a
# stranger's denied by 3; with --no-resolve the peer is denied as well.
if "$py" -c 'import scapy' 2>/dev/null; then
	"$py" -c '
import sys
from scapy.all import Ether, IP, ICMP, wrpcap
wrpcap(sys.argv[1], [Ether() / IP(src=s, dst=sys.argv[2]) / ICMP()
		     for s in (sys.argv[3], "192.0.2.5")])' \
		"$tmp/echo.pcap" "$GW_ADDR" "$PEER_ADDR"
	in_gw "$bin" replay -c "$conf" --intf "$IF" --verdicts \
		"$tmp/echo.pcap" >"$tmp/replay.out" 2>"$tmp/replay.err"
	in_gw "$bin" replay -c "$conf" --intf "$IF" --verdicts --no-resolve \
		"$tmp/echo.pcap" >"$tmp/replay-nr.out" 2>&1
	check "replay: the resolved peer is accepted by policy 2" \
		grep -Eq "^1 accept .* 2$" "$tmp/replay.out"
	check "replay: a stranger is denied by policy 3" \
		grep -Eq "^2 drop .* 3$" "$tmp/replay.out"
	check "replay: the unresolvable name is reported" \
		grep -q 'fqdn "gone.lab.test" cannot be resolved' "$tmp/replay.err"
	check "replay --no-resolve: the peer matches nothing, denied by 3" \
		grep -Eq "^1 drop .* 3$" "$tmp/replay-nr.out"
else
	note_skip "replay: python3-scapy is missing"
fi

check_start "the daemon starts" "$conf" || exit 1
ping_from() { ip netns exec "$PEER" ping -c 1 -W 1 -I "$1" "$GW_ADDR"; }
# A quick probe, so that the time measured is not the probes' timeouts.
ping_quick() { ip netns exec "$PEER" ping -c 1 -W 0.3 -I "$1" "$GW_ADDR"; }
if wait_until 100 ping_from "$PEER_ADDR"; then
	pass "the peer's name resolves and the peer connects"
else
	fail "the peer's name resolves and the peer connects"
	li_cmd status
fi
li_cmd diagnose firewall fqdn list >"$tmp/fqdn.out" 2>&1
check "diagnose firewall fqdn list: the name, its address, the TTL left" \
	grep -Eq "^    $PEER_ADDR ttl left [0-9]+ s" "$tmp/fqdn.out"
li_cmd status >"$tmp/status.out" 2>&1
check "status: NXDOMAIN name matches nothing, and says why" \
	grep -q "fqdn gone.lab.test: never resolved.*matches nothing: no such name" \
	"$tmp/status.out"
li_cmd diagnose -j firewall fqdn list >"$tmp/fqdn.json" 2>&1
check "fqdn list -j: peer.lab.test ok with $PEER_ADDR and its TTL left; gone.lab.test never resolved: no such name" \
	"$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["localin"] == 1
f = {e["name"]: e for e in d["fqdns"]}
p, g = f["peer.lab.test"], f["gone.lab.test"]
assert p["kind"] == "fqdn" and p["state"] == "ok" and p["url"] is None
r = [x for x in p["ranges"] if x["range"] == sys.argv[2]]
assert r and isinstance(r[0]["ttl_left_s"], int) and p["nr_ranges"] == len(p["ranges"])
assert g["state"] == "never resolved" and "no such name" in g["error"]
assert g["ranges"] == [] and g["nr_ranges"] == 0 and g["url"] is None
' "$tmp/fqdn.json" "$PEER_ADDR"
li_cmd status -j >"$tmp/status.json" 2>&1
check "status -j: dynamic: the entries in use, gone.lab.test with its error" \
	"$py" -c '
import json, sys
y = json.load(open(sys.argv[1]))["dynamic"]
e = {x["name"]: x for x in y["entries"]}
assert y["count"] == len(y["entries"]) >= 4 and y["recompiles"] >= 1
assert e["gone.lab.test"]["state"] == "never resolved"
assert "no such name" in e["gone.lab.test"]["error"]
assert e["peer.lab.test"]["state"] == "ok" and e["peer.lab.test"]["nr_ranges"] >= 1
assert "ranges" not in e["peer.lab.test"]
' "$tmp/status.json"
check "the daemon logged the name it cannot resolve once" \
	grep -q 'fqdn "gone.lab.test": no such name' "$ERR"

# A TCP session from the unchanging name's address, held across the move.
nsenter --net="/run/netns/$GW" "$py" -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 7000)); s.listen(1)
c, _ = s.accept()
while True:
    d = c.recv(100)
    if not d: break
    c.sendall(d)' "$GW_ADDR" >/dev/null 2>&1 &
bg="$bg $!"
sleep 0.3
mkfifo "$tmp/go"
ip netns exec "$PEER" "$py" -c '
import socket, sys
s = socket.create_connection((sys.argv[1], 7000), source_address=(sys.argv[2], 0), timeout=5)
s.sendall(b"a"); print(s.recv(1).decode(), flush=True)
open(sys.argv[3]).read()
s.sendall(b"b"); print(s.recv(1).decode(), flush=True)' \
	"$GW_ADDR" "$KEEP_ADDR" "$tmp/go" >"$tmp/tcp.out" 2>&1 &
tcp_pid=$!
bg="$bg $tcp_pid"
wait_until 50 grep -q a "$tmp/tcp.out"
serial() {
	li_cmd diagnose sys session filter src "$KEEP_ADDR" >/dev/null 2>&1
	li_cmd diagnose sys session list 2>/dev/null |
		sed -n 's/^serial=\([0-9a-f]*\).*/\1/p' | head -n 1
}
serial_before=$(serial)
recompiles() {
	li_cmd status | sed -n 's/.*compiled in \([0-9]*\) time.*/\1/p'
}
rc_before=$(recompiles)

# The record moves; the peer follows.
printf '%s peer.lab.test\n%s keep.lab.test\n' "$NEW_ADDR" "$KEEP_ADDR" \
	>"$HOSTS"
kill -HUP "$dns_pid"
ip -n "$PEER" addr del "$PEER_ADDR/24" dev peer0
ip -n "$PEER" addr add "$NEW_ADDR/24" dev peer0
t0=$(date +%s%N)
if wait_until $(((TTL + 1) * 10 + 20)) ping_quick "$NEW_ADDR"; then
	ms=$((($(date +%s%N) - t0) / 1000000))
	echo "# the moved peer passed after $ms ms (TTL $TTL s)"
	if [ "$ms" -le $(((TTL + 1) * 1000)) ]; then
		pass "the moved peer passes within TTL + 1 s ($ms ms)"
	else
		fail "the moved peer passes within TTL + 1 s ($ms ms)"
	fi
else
	fail "the moved peer passes again"
	li_cmd status
fi
ip -n "$PEER" addr add "$PEER_ADDR/24" dev peer0
check "the old address is denied afterwards" \
	sh -c "! ip netns exec '$PEER' ping -c 1 -W 1 -I '$PEER_ADDR' '$GW_ADDR'"
rc_after=$(recompiles)
echo x >"$tmp/go"
wait_until 50 grep -q b "$tmp/tcp.out"
check "a TCP session of the unchanged name lives on across the recompile" \
	grep -q b "$tmp/tcp.out"
serial_after=$(serial)
echo "# session serial $serial_before -> $serial_after; recompiles $rc_before -> $rc_after"
if [ -n "$serial_before" ] && [ "$serial_before" = "$serial_after" ] &&
	[ "${rc_after:-0}" -gt "${rc_before:-0}" ]; then
	pass "its session is the same one (not cut and opened again)"
else
	fail "its session is the same one (not cut and opened again)"
fi

# The feed: a new list with the peer in it, and a line that is not one.
printf '# threat feed\n%s\n10.0.0.0/8 junk\n%s\n' "$FEED_ADDR" "$NEW_ADDR" \
	>"$WWW/block.txt"
check "the feed is refetched and its new entry denied" \
	wait_until 100 sh -c "! ip netns exec '$PEER' ping -c 1 -W 1 -I '$NEW_ADDR' '$GW_ADDR'"
li_cmd status >"$tmp/status2.out" 2>&1
check "status: the malformed feed line is reported by its number" \
	grep -q "external-resource blocklist: ok, 2 ranges.*1 bad line: 3" \
	"$tmp/status2.out"
check "the daemon logged the malformed line's number" \
	grep -q 'external-resource "blocklist".*1 line not understood: line 3' \
	"$ERR"
check "the HTTPS feed is fetched (with its username and password)" \
	grep -q "external-resource tls-list: ok, 2 ranges" "$tmp/status2.out"
li_cmd diagnose sys external-address-resource list >"$tmp/feeds.out" 2>&1
check "diagnose sys external-address-resource list: the ranges" \
	grep -q "^    198.51.100.0/24" "$tmp/feeds.out"
li_cmd diagnose -j sys external-address-resource list >"$tmp/feeds.json" 2>&1
check "external-address-resource list -j: tls-list's ranges, blocklist's URL and bad line" \
	"$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
f = {e["name"]: e for e in d["resources"]}
t, b = f["tls-list"], f["blocklist"]
assert [x["range"] for x in t["ranges"]][0] == "198.51.100.0/24"
assert t["kind"] == "external-resource" and t["url"].startswith("https://")
assert t["ranges"][0]["ttl_left_s"] is None and t["state"] == "ok"
assert b["bad_lines"] == 1 and b["nr_ranges"] == 2 and b["url"].startswith("http")
assert isinstance(b["updated_s_ago"], int) and b["error"] is None
' "$tmp/feeds.json"

rm "$WWW/block.txt"
check "a failing fetch (404) is reported" \
	wait_until 100 sh -c "'$bin' status -s '$SOCK' | grep -q 'blocklist: stale.*HTTP status 404'"
check "... and the old list stays (the peer is still denied)" \
	sh -c "! ip netns exec '$PEER' ping -c 1 -W 1 -I '$NEW_ADDR' '$GW_ADDR'"
printf '%s\n' "$FEED_ADDR" >"$WWW/block.txt"
check "the feed fetched again: the peer passes" \
	wait_until 100 ping_from "$NEW_ADDR"

# The DNS server dies: the last good addresses stay.
kill "$dns_pid"
wait "$dns_pid" 2>/dev/null
check "DNS server dead: the refresh fails and status says so" \
	wait_until 100 sh -c "'$bin' status -s '$SOCK' | grep -q 'fqdn peer.lab.test: stale.*keeping the last good ranges'"
check "... and the peer still passes with the last good address" \
	ping_from "$NEW_ADDR"

# Refreshed every second all along: still said once, not every time.
n=$(grep -c 'fqdn "gone.lab.test": no such name' "$ERR")
if [ "$n" -eq 1 ]; then
	pass "the NXDOMAIN name was logged once in the whole run"
else
	fail "the NXDOMAIN name was logged once in the whole run ($n times)"
fi
n=$(grep -c 'external-resource "blocklist": fetch failed' "$ERR")
if [ "$n" -eq 1 ]; then
	pass "the failing feed was logged once while it failed"
else
	fail "the failing feed was logged once while it failed ($n times)"
fi

# A restart (a crash, an upgrade) while DNS and the feed server are down:
# what the daemon before saved beside its socket is used until answers
# come, so the peer accepted by its name is not denied meanwhile.
CACHE=$tmp/ctl.dyncache
check "the daemon saved what it resolved and fetched beside its socket (0600)" \
	sh -c "[ \"\$(stat -c %a:%u '$CACHE')\" = 600:0 ] && grep -q '^$NEW_ADDR\$' '$CACHE'"
kill "$http_pid"
wait "$http_pid" 2>/dev/null
old_pid=$(daemon_pid)
kill -9 "$old_pid"
wait_until 50 gone "$old_pid"
check_start "the daemon starts again while DNS is down" "$conf" || exit 1
check "... and the peer accepted by its name passes at once" \
	ping_from "$NEW_ADDR"
li_cmd diagnose firewall fqdn list >"$tmp/fqdn-cache.out" 2>&1
check "fqdn list: the name's address comes from the cache, with its age" \
	grep -Eq "^FQDN peer.lab.test: cache, 1 address, resolved [0-9]+ s ago \(from the cache\)" \
	"$tmp/fqdn-cache.out"
check "... listed as cached" grep -q "^    $NEW_ADDR cached\$" "$tmp/fqdn-cache.out"
li_cmd diagnose sys external-address-resource list >"$tmp/feeds-cache.out" 2>&1
check "feed list: the feed's list comes from the cache (its server is down)" \
	grep -Eq "^external-resource blocklist: http://127.0.0.1:8080/block.txt, cache, 1 range, updated [0-9]+ s ago \(from the cache\)" \
	"$tmp/feeds-cache.out"
check "... its cached range listed" grep -q "^    $FEED_ADDR\$" "$tmp/feeds-cache.out"
li_cmd diagnose -j firewall fqdn list >"$tmp/fqdn-cache.json" 2>&1
check "fqdn list -j: state cache, cache_age_s" "$py" -c '
import json, sys
f = {e["name"]: e for e in json.load(open(sys.argv[1]))["fqdns"]}
p = f["peer.lab.test"]
assert p["state"] == "cache" and isinstance(p["cache_age_s"], int)
assert [x["range"] for x in p["ranges"]] == [sys.argv[2]]
assert f["gone.lab.test"]["state"] == "never resolved"
' "$tmp/fqdn-cache.json" "$NEW_ADDR"
check "the daemon said which name it took from the cache, how many, how old" \
	grep -Eq 'fqdn "peer.lab.test": using the 1 address a previous daemon resolved [0-9]+ s ago \(cache\)' "$ERR"
check "... and that DNS does not answer, keeping the cached address" \
	wait_until 50 grep -q 'fqdn "peer.lab.test" cannot be resolved (.*): keeping the 1 cached address' "$ERR"
dns_start $TTL
check "DNS back: the name resolves again, replacing the cached address" \
	wait_until 100 sh -c "'$bin' status -s '$SOCK' | grep -q 'fqdn peer.lab.test: ok, 1 range'"
check "... the peer passes" ping_from "$NEW_ADDR"

# A cache cut short or corrupt is ignored, said, and the daemon runs.
old_pid=$(daemon_pid)
kill -9 "$old_pid"
wait_until 50 gone "$old_pid"
printf 'localin-dyncache 1\nfqdn\t1\t5\tpeer.lab.test\n10.9.9.9\n' >"$CACHE"
check_start "the daemon starts with a corrupt cache" "$conf" || exit 1
check "... says it ignores it, and where it is wrong" \
	grep -q "ignoring the dynamic address cache $CACHE: line 4: 5 ranges announced, the file ends first" "$ERR"
check "... and resolves the names anew" \
	wait_until 100 ping_from "$NEW_ADDR"

li_cmd stop >/dev/null 2>&1
[ "$fails" -eq 0 ] || {
	echo "--- daemon messages"
	cat "$ERR"
}
exit $((fails > 0))
