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
#   body is an empty list, and applies.
#
#	sh tests/e2e/dynfeed.sh BIN
set -u
bin=$(realpath "$1")
SUITE=e2e/dynfeed
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping
find_python
private_bpffs "$@"
setup_run df localin-dynfeed
# refresh-rate's minute: 5 s (a transfer may take one minute: > $SLOW)
export LOCALIN_FEED_MINUTE_MS=5000

SLOW=3
WWW=$tmp/www
conf=$tmp/feed.conf
bg=""

cleanup_more() {
	for p in $bg; do
		kill "$p" 2>/dev/null
	done
}

write_conf() { # URL-path [refresh-rate]
	cat >"$conf" <<EOF
config system interface
    edit "$IF"
        set ip $GW_ADDR 255.255.255.0
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
        set srcaddr "blocklist"
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
sleep 0.5

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

li_cmd stop >/dev/null 2>&1
[ "$fails" -eq 0 ] || {
	cat "$tmp/feeds.out"
	echo "--- daemon messages"
	cat "$ERR"
}
exit $((fails > 0))
