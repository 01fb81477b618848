#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: threat feeds (external-resource) whose server misbehaves
# while the daemon runs. python3 serves the feeds in the gateway's
# namespace; /slow/NAME answers NAME after $SLOW s. The policies: the
# feed's ranges denied, everything else accepted.
# - a reload that points the feed at another URL while the old URL's fetch
#   is in flight: the old URL's list is not applied as the new one's, and
#   the new URL is fetched at once (not a whole refresh-rate later);
# - the list in the console (localin cli) and abbreviated;
# - a good list replaced by an HTML page served with 200 (a proxy's error
#   page): no line of it is an address, so the fetch fails and the last
#   good list stays (the peer stays denied), status says why; an empty
#   body is an empty list, and applies;
# - a refresh-rate a reload lowers applies at once, and so does a lower
#   fqdn-max-refresh (dnsmasq answers a name with a TTL of an hour);
# - check warns of a firewall address whose name has only AAAA records;
# - twelve feeds fetched at once: the daemon lives, every one is fetched;
# - a failed fetch is tried again within a minute, not a refresh-rate;
# - a feed whose host name does not resolve (the resolv.conf server never
#   answers): the daemon's loop never waits for libcurl's resolver.
#
#	sh tests/e2e/dynfeed.sh BIN
set -u
bin=$(realpath "$1")
SUITE=e2e/dynfeed
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping dnsmasq
find_python
private_bpffs "$@"
setup_run df localin-dynfeed
# refresh-rate's minute: 5 s (a transfer may take one minute: > $SLOW)
export LOCALIN_FEED_MINUTE_MS=5000

SLOW=3
WWW=$tmp/www
conf=$tmp/feed.conf
HOSTS=$tmp/hosts

write_conf() { # URL-path [refresh-rate [fqdn-max-refresh]]
	cat >"$conf" <<EOF
$(conf_interface)
config system dns
    set primary 127.0.0.1
    set fqdn-min-refresh 1
    set fqdn-max-refresh ${3:-3600}
end
config firewall address
    edit "named"
        set type fqdn
        set fqdn "named.lab.test"
    next
end
config system external-resource
    edit "blocklist"
        set type address
        set resource "http://127.0.0.1:8080/$1"
        set refresh-rate ${2:-60}
    next
end
config firewall local-in-policy
    edit 1
        set intf "$IF"
        set srcaddr "blocklist" "named"
        set dstaddr "all"
        set service "ALL"
        set schedule "always"
    next
    edit 2
        set intf "$IF"
        set srcaddr "all"
        set dstaddr "all"
        set action accept
        set service "ALL"
        set schedule "always"
    next
end
EOF
}

mkdir -p "$WWW"
printf '192.0.2.99\n' >"$WWW/old.txt"
printf '%s\n' "$PEER_ADDR" >"$WWW/new.txt"

# The resolver libcurl uses for a feed's host name: a server that never
# answers (blackhole), in this test's own mount namespace.
printf 'nameserver 127.0.0.3\noptions timeout:4 attempts:1\n' >"$tmp/resolv.conf"
mount --bind "$tmp/resolv.conf" /etc/resolv.conf ||
	skip "cannot bind-mount a resolv.conf for the test"

make_lab
nsenter --net="/run/netns/$GW" "$py" -c '
import http.server, sys, time
www, slow = sys.argv[1], float(sys.argv[2])
class H(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=www, **k)
    def do_GET(self):
        if self.path.startswith("/slow/"):
            time.sleep(slow)
            self.path = self.path[5:]
        super().do_GET()
http.server.ThreadingHTTPServer(("127.0.0.1", 8080), H).serve_forever()' \
	"$WWW" "$SLOW" >"$tmp/http.out" 2>&1 &
bg="$bg $!"
nsenter --net="/run/netns/$GW" "$py" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.3", 53))
while True:
    s.recvfrom(4096)' >/dev/null 2>&1 &
bg="$bg $!"
# named.lab.test, with a TTL of an hour
printf '192.0.2.77 named.lab.test\n2001:db8::5 v6only.lab.test\n' >"$HOSTS"
ip -n "$GW" link set lo up
dns_start 3600
sleep 0.5 # the HTTP server and the resolver that never answers, above

# check: a firewall address (IPv4) whose name has only AAAA records
# matches nothing, and says so.
cat >"$tmp/v6only.conf" <<EOF
config system dns
    set primary 127.0.0.1
end
config firewall address
    edit "v6name"
        set type fqdn
        set fqdn "v6only.lab.test"
    next
end
config firewall local-in-policy
    edit 1
        set intf "any"
        set srcaddr "v6name"
        set dstaddr "all"
        set service "ALL"
        set schedule "always"
    next
end
EOF
in_gw "$bin" check -c "$tmp/v6only.conf" >"$tmp/v6only.out" 2>&1
check "check: an IPv4 address whose name has only IPv6 addresses is said to match nothing" \
	grep -q 'address "v6name": fqdn "v6only.lab.test" has only IPv6 addresses, none of IPv4: it matches nothing' \
	"$tmp/v6only.out"

feeds() { li_cmd diagnose sys external-address-resource list; }

# The old URL is slow: its fetch is in flight when the reload moves the
# feed to the new URL, which lists the peer.
write_conf slow/old.txt
check_start "the daemon starts" "$conf" || exit 1
sleep 0.5
check "the old URL's fetch is in flight" \
	sh -c "'$bin' status -s '$SOCK' | grep -q 'blocklist: never resolved.*next in progress'"
write_conf new.txt
check "reload: the feed's URL changes" li_cmd reload
sleep $((SLOW + 1))
feeds >"$tmp/feeds.out" 2>&1
check "the new URL's list is applied, fetched at once" \
	grep -q "^    $PEER_ADDR\$" "$tmp/feeds.out"
check "... not the old URL's, which came back after the reload" \
	sh -c "! grep -q '192.0.2.99' '$tmp/feeds.out'"
check "... and the peer it lists is denied" \
	sh -c "! ip netns exec '$PEER' ping -c 1 -W 1 '$GW_ADDR'"

# The console runs the list as the command line does.
in_gw "$bin" cli -s "$SOCK" -c "diagnose sys external-address-resource list" \
	>"$tmp/cli.out" 2>&1
check "localin cli: diagnose sys external-address-resource list" \
	grep -q "^    $PEER_ADDR\$" "$tmp/cli.out"
check "localin diagnose sys ext list (abbreviated, as FortiOS takes it)" \
	sh -c "'$bin' diagnose -s '$SOCK' sys ext list | grep -q '^external-resource blocklist'"

# The list turns into an HTML page, served with 200.
printf '%s\n' "$PEER_ADDR" >"$WWW/list.txt"
write_conf list.txt 1
li_cmd reload >/dev/null 2>&1
check "the list is fetched" wait_until 50 sh -c \
	"'$bin' status -s '$SOCK' | grep -q 'blocklist: ok, 1 range'"
printf '<html><head><title>Proxy error</title></head>\n<body>\n<p>down</p>\n</body></html>\n' \
	>"$WWW/list.txt"
check "an HTML page in its place is a failed fetch, said in status" \
	wait_until 150 sh -c "'$bin' status -s '$SOCK' | grep -q 'blocklist: stale, 1 range.*no address in it: 4 lines not understood'"
check "... the last good list stays: the peer is still denied" \
	sh -c "! ip netns exec '$PEER' ping -c 1 -W 1 '$GW_ADDR'"
check "... and the daemon said so" \
	grep -q 'external-resource "blocklist": fetch failed (no address in it: .*keeping the previous list of 1 range' "$ERR"
: >"$WWW/list.txt"
check "an empty list is a list: it applies, the peer passes" \
	wait_until 150 ip netns exec "$PEER" ping -c 1 -W 1 "$GW_ADDR"

# A refresh-rate lowered by a reload counts from then, not after the
# refresh the old rate had planned (300 s away here).
write_conf list.txt 60
li_cmd reload >/dev/null 2>&1
wait_until 100 sh -c "'$bin' status -s '$SOCK' | grep -Eq 'blocklist: ok, .*next in [0-9]{3} s'"
write_conf list.txt 1
li_cmd reload >/dev/null 2>&1
sleep 0.5
li_cmd status >"$tmp/status-rate.out" 2>&1
check "a lowered refresh-rate applies at once (next refresh within 5 s)" \
	grep -Eq 'blocklist: ok, .*next (in [0-5] s|in progress)' \
	"$tmp/status-rate.out"

# So does a lower system dns fqdn-max-refresh for a name with a long TTL.
li_cmd status >"$tmp/status-dns.out" 2>&1
check "the name is asked again at its TTL (an hour)" \
	grep -Eq 'fqdn named.lab.test: ok, 1 range, .*next in [0-9]{4} s' \
	"$tmp/status-dns.out"
write_conf list.txt 1 5
li_cmd reload >/dev/null 2>&1
sleep 0.5
li_cmd status >"$tmp/status-dns2.out" 2>&1
check "a lowered fqdn-max-refresh applies at once (next within 5 s)" \
	grep -Eq 'fqdn named.lab.test: ok, 1 range, .*next (in [0-5] s|in progress)' \
	"$tmp/status-dns2.out"

# Twelve slow feeds at once: more transfers than the fetcher watches
# sockets for (libcurl gave up its whole multi handle, and the daemon
# crashed in it). They wait their turn; every one is fetched.
printf '198.51.100.7\n' >"$WWW/many.txt"
{
	sed -n '1,/^config system external-resource/p' "$conf"
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		printf '    edit "f%s"\n        set type address\n' "$i"
		printf '        set resource "http://127.0.0.1:8080/slow/many.txt?%s"\n    next\n' "$i"
	done
	sed -n '/^config system external-resource/,$p' "$conf" | sed 1d |
		sed 's/set srcaddr "blocklist" "named"/set srcaddr "blocklist" "named" "f1" "f12"/'
} >"$tmp/many.conf"
cp "$tmp/many.conf" "$conf"
check "reload: twelve feeds" li_cmd reload
all_ok() {
	[ "$(li_cmd status | grep -c '^external-resource f[0-9]*: ok, 1 range')" -eq 12 ]
}
if wait_until $((SLOW * 10 * 5)) all_ok; then
	pass "twelve slow feeds fetched, a few at a time"
else
	fail "twelve slow feeds fetched, a few at a time"
	li_cmd status
fi
check "... and the daemon lives" alive "$(daemon_pid)"

# A failed fetch is tried again within a minute, not a refresh-rate (an
# hour here): the list that was missing is fetched once it is there.
write_conf later.txt 60
li_cmd reload >/dev/null 2>&1
check "a feed that cannot be fetched (404) is tried again within a minute" \
	wait_until 50 sh -c "'$bin' status -s '$SOCK' | grep -Eq 'blocklist: never resolved, 0 ranges.*next in [0-5] s.*HTTP status 404'"
printf '%s\n' "$PEER_ADDR" >"$WWW/later.txt"
check "... and fetched once it is there" wait_until 100 sh -c \
	"'$bin' status -s '$SOCK' | grep -q 'blocklist: ok, 1 range'"

# A feed whose host name does not resolve (the DNS server never answers):
# the transfer times out (after 1.25 s here) while libcurl's resolver
# thread still waits (4 s); the daemon's loop must not wait for it.
write_conf list.txt 1
sed -i 's#http://127.0.0.1:8080/list.txt#http://feeds.blackhole.test:8080/list.txt#' "$conf"
li_cmd reload >/dev/null 2>&1
slowest=0
for i in $(seq 1 40); do
	t0=$(date +%s%N)
	li_cmd status -t 20 >/dev/null 2>&1
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$ms" -gt "$slowest" ] && slowest=$ms
	sleep 0.25
done
echo "# slowest status while the feed's host does not resolve: $slowest ms"
if [ "$slowest" -lt 1000 ]; then
	pass "a feed host that does not resolve never stalls the daemon ($slowest ms)"
else
	fail "a feed host that does not resolve never stalls the daemon ($slowest ms)"
fi
check "... and its fetch fails with the resolver's timeout" \
	grep -q 'external-resource "blocklist": cannot fetch http://feeds.blackhole.test.*Resolving timed out' "$ERR"

li_cmd stop >/dev/null 2>&1
[ "$fails" -eq 0 ] || {
	cat "$tmp/feeds.out"
	echo "--- daemon messages"
	cat "$ERR"
}
exit $((fails > 0))
