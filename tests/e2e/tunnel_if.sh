#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: policies on interfaces without Ethernet frames, where XDP's
# and TC's data start at the IP header (tun, WireGuard, xfrm interfaces:
# link type NONE). The loader attaches localin_xdp_l3 there, and the
# session programs for IP frames at their egress. Here a tun device (the
# test writes and reads its IP packets), first without localin:
#
#  - the deny-all is enforced (a stranger's ping into the tun);
#  - the admin's accepted access passes (ping from 10.77.0.2 on the tun);
#  - replies to the gateway's own traffic pass (its ping out of the tun);
#  - logs name the tunnel as srcintf; status lists no interface as not
#    attached, and reload exits 0;
#  - a larger program's takeover and kill -9 then a restart keep
#    localin_xdp_l3 on the tun, enforcing.
#  - a tun that appears after the start (named by the policies, absent
#    at start): localin_xdp_l3 on it within 1 s, loaded ahead.
#
#	sh tests/e2e/tunnel_if.sh BIN
set -u
bin=$(realpath "$1")
SUITE=e2e/tunnel_if
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping
find_python
private_bpffs "$@"
setup_run l3t localin-l3t
TUN=$(link_name tun)

# The host behind the tun device, in the test's python: "ping SRC"
# writes an echo request from SRC to the gateway (0 if its reply comes
# out); "answer SECS" answers the echo requests the gateway sends out of
# it for SECS seconds.
tun_host() {
	in_gw "$py" - "$TUN" "$@" <<'PYEOF'
import fcntl, os, select, struct, sys, time
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca,  # TUNSETIFF: IFF_TUN | IFF_NO_PI
            struct.pack("16sH", sys.argv[1].encode(), 0x0001 | 0x1000))
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff
def ip4(src, dst, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64,
                    1, 0, bytes(src), bytes(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload
def icmp(t, ident, seq, data):
    m = struct.pack("!BBHHH", t, 0, 0, ident, seq) + data
    return m[:2] + struct.pack("!H", csum(m)) + m[4:]
if sys.argv[2] == "ping":
    time.sleep(0.3)  # the device's carrier comes up with its reader
    src = [int(x) for x in sys.argv[3].split(".")]
    os.write(fd, ip4(src, [10, 77, 0, 1], icmp(8, 0x4242, 1, b"x" * 16)))
    end = time.time() + 1.5
    while time.time() < end:
        if select.select([fd], [], [], 0.2)[0]:
            p = os.read(fd, 2000)
            if len(p) >= 28 and p[9] == 1 and p[20] == 0 and \
               p[16:20] == bytes(src):
                sys.exit(0)
    sys.exit(1)
if sys.argv[2] == "esp":  # one ESP packet: esp SRC SPI
    time.sleep(0.3)
    src = [int(x) for x in sys.argv[3].split(".")]
    esp = struct.pack("!II", int(sys.argv[4], 0), 1) + b"e" * 32
    p = ip4(src, [10, 77, 0, 1], esp)
    p = p[:9] + b"\x32" + p[10:]  # protocol 50, then the checksum again
    p = p[:10] + b"\0\0" + p[12:]
    p = p[:10] + struct.pack("!H", csum(p[:20])) + p[12:]
    os.write(fd, p)
    time.sleep(0.3)
    sys.exit(0)
end = time.time() + float(sys.argv[3])
while time.time() < end:
    if select.select([fd], [], [], 0.2)[0]:
        p = os.read(fd, 2000)
        if len(p) >= 28 and p[0] >> 4 == 4 and p[9] == 1 and p[20] == 8:
            hl = (p[0] & 15) * 4
            m = bytearray(p[hl:])
            m[0] = 0
            m[2:4] = b"\0\0"
            m[2:4] = struct.pack("!H", csum(bytes(m) + b"\0" * (len(m) & 1)))
            os.write(fd, ip4(p[16:20], p[12:16], bytes(m)))
PYEOF
}

# One of 3 tries: a lone lost datagram says nothing about localin.
tun_ping_from() { tun_host ping "$1" || tun_host ping "$1" || tun_host ping "$1"; }
admin_ping() { tun_ping_from 10.77.0.2; }
stranger_ping() { tun_ping_from 10.77.0.3; }
stranger_dropped() { ! tun_host ping 10.77.0.3 && ! tun_host ping 10.77.0.3; }
# The gateway's own ping out of the tun, answered by the host behind it.
gw_ping_tun() {
	tun_host answer 3 &
	h=$!
	sleep 0.5
	in_gw ping -c 1 -W 1 10.77.0.9 >/dev/null 2>&1 ||
		in_gw ping -c 1 -W 1 10.77.0.9 >/dev/null 2>&1
	r=$?
	wait "$h"
	return $r
}
peer_ping() { ip netns exec "$PEER" ping -c 1 -W 1 "$1" >/dev/null 2>&1; }
peer_ping3() { peer_ping "$1" || peer_ping "$1" || peer_ping "$1"; }
peer_dropped() { ! peer_ping "$1" && ! peer_ping "$1"; }
gw_ping() { in_gw ping -c 1 -W 1 "$1" >/dev/null 2>&1; }
gw_ping3() { gw_ping "$1" || gw_ping "$1" || gw_ping "$1"; }

make_lab
ip -n "$GW" tuntap add dev "$TUN" mode tun &&
	ip -n "$GW" addr add 10.77.0.1/24 dev "$TUN" &&
	ip -n "$GW" link set "$TUN" up || skip "cannot make a tun device"
# GRE, ipip, vti, sit and PPP devices are left unattached (loader_hook.c
# li_link_frames: untested, and a GRE device with header_ops shows XDP
# its outer IP header): only the tun, whose link type WireGuard and xfrm
# interfaces share, is enforced here.
tunnels=
conf=$tmp/localin.conf
SAFILE=$tmp/sas
# ESP through the tun (as on a GRE or vti): one live SA from the admin.
printf '10.77.0.1 0xc0ffee01 10.77.0.2 manual\n' >"$SAFILE"
cat >"$conf" <<EOF
$(conf_sa_manual)
config firewall address
    edit "admin"
        set subnet 10.77.0.2 255.255.255.255
    next
end
config firewall local-in-policy
    edit 1
        set intf "$TUN"
        set srcaddr "admin"
        set dstaddr "all"
        set service "PING"
        set schedule "always"
        set action accept
    next
EOF
i=2
for t in $TUN $tunnels; do
	intf=${t%%:*}
	cat >>"$conf" <<EOF
    edit $i
        set intf "$intf"
        set srcaddr "all"
        set dstaddr "all"
        set service "ALL"
        set schedule "always"
        set action deny
        set logtraffic enable
    next
EOF
	i=$((i + 1))
done
echo end >>"$conf"

check "without localin: the admin's ping into the tun is answered" admin_ping
check "without localin: a stranger's ping into the tun is answered" stranger_ping
check "without localin: the gateway's ping out of the tun is answered" gw_ping_tun
for t in $tunnels; do
	check "without localin: the peer's ping through ${t%%:*} is answered" \
		peer_ping3 "${t#*:}.1"
done
check_start "localin run starts (deny-all on $TUN$tunnels)" "$conf" || {
	cat "$ERR"
	exit 1
}
for t in $TUN $tunnels; do
	d=${t%%:*}
	check "the IP-frame program is on $d" \
		sh -c "ip -n $GW -d link show dev $d | grep -q 'prog/xdp.* name localin_xdp_l3 '"
done
check "the session program for IP frames is on $TUN's egress" \
	sh -c "nsenter --net=/run/netns/$GW tc filter show dev $TUN egress | grep -q localin_egr_l3"
check "the deny-all is enforced on $TUN: a stranger's ping is dropped" stranger_dropped
check "the admin's accepted ping into $TUN is answered" admin_ping
check "the stranger's denial is logged with srcintf=\"$TUN\"" \
	wait_until 30 grep -q "srcintf=\"$TUN\".*srcip=10.77.0.3\|srcip=10.77.0.3.*srcintf=\"$TUN\"" "$LOG"
check "the gateway's own ping out of $TUN is answered (its session)" gw_ping_tun
# diagnose debug flow on the tun: the stranger's ping traced, from it.
li_cmd diagnose debug flow filter addr 10.77.0.3 >/dev/null &&
	li_cmd diagnose debug flow trace start 1 >/dev/null
nsenter --net="/run/netns/$GW" "$bin" diagnose -s "$SOCK" debug enable \
	>"$tmp/trace.out" 2>"$tmp/trace.err" &
tracer=$!
sleep 0.5
tun_host ping 10.77.0.3
i=0
while kill -0 "$tracer" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.2
	i=$((i + 1))
done
kill "$tracer" 2>/dev/null
check "diagnose debug flow traces the stranger's ping from $TUN" \
	grep -q "received a packet(proto=1, 10.77.0.3:.*->10.77.0.1:.*) tun_id=0.0.0.0 from $TUN" "$tmp/trace.out"
check "... dropped by policy 2" grep -q "check failed on policy 2, drop" "$tmp/trace.out"
esp_ok() { count "ESP with a live SPI (passed)"; }
esp_bad() { count "ESP with an unknown SPI (dropped)"; }
e1=$(esp_ok)
b1=$(esp_bad)
tun_host esp 10.77.0.2 0xc0ffee01
tun_host esp 10.77.0.3 0x1234
e2=$(esp_ok)
b2=$(esp_bad)
check "ESP into $TUN with the live SPI passes ($e1 -> $e2)" \
	[ "$((e2 - e1))" = 1 ]
check "ESP into $TUN with an unknown SPI is dropped ($b1 -> $b2)" \
	[ "$((b2 - b1))" = 1 ]
check "... and logged as an ESP error" \
	wait_until 30 grep -q 'esp_error.*10.77.0.3\|10.77.0.3.*esp_error' "$LOG"
for t in $tunnels; do
	check "the deny-all is enforced on ${t%%:*}: the peer's ping is dropped" \
		peer_dropped "${t#*:}.1"
	check "the gateway's own ping through ${t%%:*} is answered" \
		gw_ping3 "${t#*:}.2"
done
check "the peer's ping of the gateway on the veth still passes (no policy there)" ping_ok
check_status_lacks "status lists no interface as not attached" \
	'^interfaces not attached'
check_reload "reload exits 0"
check "the daemon does not say it is not attaching" \
	sh -c "! grep -q 'not attaching to' $ERR"
check "the stranger's ping is still dropped after the reload" stranger_dropped

# --- a reload larger than the maps: a successor program takes over ----------
xdp_on() { # interface: "NAME ID" of the XDP program on it
	ip -n "$GW" -d link show dev "$1" |
		sed -n 's/.*prog\/xdp[a-z]* id \([0-9]*\) name \([a-z_0-9]*\) .*/\2 \1/p'
}
cp "$conf" "$tmp/small.conf"
sed '$d' "$tmp/small.conf" >"$conf"
conf_http_policies 3000 100 "$TUN" >>"$conf"
echo end >>"$conf"
x1=$(xdp_on "$TUN")
check_takeover_reload "took over on .* without a gap"
x2=$(xdp_on "$TUN")
check "... on $TUN the successor's localin_xdp_l3 ($x1 -> $x2)" \
	sh -c "[ '${x2%% *}' = localin_xdp_l3 ] && [ '$x2' != '$x1' ]"
check "... still enforcing on $TUN" stranger_dropped
check "... the admin's ping passes" admin_ping
check "... the gateway's own ping out of $TUN passes" gw_ping_tun
cp "$tmp/small.conf" "$conf"

# --- kill -9, restart: the program stays, the new daemon takes it on --------
x1=$(xdp_on "$TUN")
kill -9 "$(daemon_pid)"
sleep 0.2
check "kill -9: localin_xdp_l3 stays on $TUN ($x1)" \
	sh -c "[ '$(xdp_on "$TUN")' = '$x1' ]"
check "... and still enforces" stranger_dropped
check_start "a restart" "$conf"
x2=$(xdp_on "$TUN")
check "... localin_xdp_l3 on $TUN ($x1 -> $x2)" \
	sh -c "[ '${x2%% *}' = localin_xdp_l3 ]"
check "... enforcing on $TUN" stranger_dropped
check "... the admin's ping passes" admin_ping
check "... the gateway's own ping out of $TUN passes" gw_ping_tun
li_cmd stop >/dev/null 2>&1
check "localin stop: the daemon exits" wait_until 100 gone "$(daemon_pid)"
check "stop: no XDP program left on $TUN" \
	sh -c "! ip -n $GW -d link show dev $TUN | grep -q prog/xdp"
check "after stop: the stranger's ping is answered again" stranger_ping

# --- a tun that appears after the start (a VPN's at its first connect) -------
# The daemon loads the IP frames' program ahead when a named interface is
# absent: the tun's attach then takes milliseconds, where loading and
# verifying it there left the tun unjudged for 1.4-1.8 s. $IF is named
# too (accepted), as a gateway's WAN is: its attach at start tells how
# this kernel takes XDP programs (alone, or under libxdp's dispatcher).
ip -n "$GW" link del "$TUN"
sed '$d' "$tmp/small.conf" >"$conf"
cat >>"$conf" <<EOF
    edit 90
        set intf "$IF"
        set srcaddr "all"
        set dstaddr "all"
        set service "ALL"
        set schedule "always"
        set action accept
    next
end
EOF
: >"$ERR"
check_start "a start while $TUN is absent" "$conf"
check "... waiting for $TUN, said" grep -q "waiting for $TUN" "$ERR"
# Answered once the loop's turn after the start is done (the load ahead).
li_cmd status >/dev/null 2>&1
t0=$(date +%s%N)
ip -n "$GW" tuntap add dev "$TUN" mode tun &&
	ip -n "$GW" addr add 10.77.0.1/24 dev "$TUN" &&
	ip -n "$GW" link set "$TUN" up
ms() { echo $((($(date +%s%N) - t0) / 1000000)); }
until ip -n "$GW" -d link show dev "$TUN" 2>/dev/null | grep -q prog/xdp ||
	[ "$(ms)" -gt 10000 ]; do
	sleep 0.01
done
gap=$(ms)
x1=$(xdp_on "$TUN")
check "... $TUN made: localin_xdp_l3 on it within 1 s (${gap} ms)" \
	sh -c "[ $gap -lt 1000 ] && [ '${x1%% *}' = localin_xdp_l3 ]"
check "... the deny-all enforced on $TUN" stranger_dropped
check "... the admin's ping passes" admin_ping
li_cmd stop >/dev/null 2>&1
check "... localin stop: the daemon exits" wait_until 100 gone "$(daemon_pid)"
[ "$fails" -eq 0 ]
