#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: a policy that names an interface without Ethernet frames
# (a tun device here; WireGuard, GRE, vti, xfrm and PPP are the same: XDP's
# data starts at the IP header). The program reads Ethernet, so it cannot
# judge what comes in there; attached, it let everything pass as "not for
# this host" while the daemon said it enforced. Now:
#
#  - it is not attached, the daemon says why once, status lists it under
#    "interfaces not attached" with the link type, and reload exits 1
#    ("enforcement is incomplete"); the daemon runs and enforces on the
#    Ethernet interface the config also names;
#  - the gateway's answers through it go on (nothing is enforced there,
#    as before: fail open, loudly).
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
setup_run tun localin-tun
TUN=$(printf '%.15s' "li-tun1-$$")

# An ICMP echo request from 10.77.0.2 written into the tun device: 0 if
# the gateway's echo reply comes out of it.
tun_ping() {
	in_gw "$py" - "$TUN" <<'PYEOF'
import fcntl, os, select, struct, sys, time
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca,  # TUNSETIFF: IFF_TUN | IFF_NO_PI
            struct.pack("16sH", sys.argv[1].encode(), 0x0001 | 0x1000))
time.sleep(0.3)  # the device's carrier comes up with its reader
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff
icmp = struct.pack("!BBHHH", 8, 0, 0, 0x4242, 1) + b"x" * 16
icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 1, 0, 64, 1, 0,
                 bytes([10, 77, 0, 2]), bytes([10, 77, 0, 1]))
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
os.write(fd, ip + icmp)
end = time.time() + 2
while time.time() < end:
    if select.select([fd], [], [], 0.2)[0]:
        p = os.read(fd, 2000)
        if len(p) >= 28 and p[9] == 1 and p[20] == 0:
            sys.exit(0)
sys.exit(1)
PYEOF
}

make_lab
ip -n "$GW" tuntap add dev "$TUN" mode tun &&
	ip -n "$GW" addr add 10.77.0.1/24 dev "$TUN" &&
	ip -n "$GW" link set "$TUN" up || skip "cannot make a tun device"
conf=$tmp/localin.conf
{
	echo 'config firewall local-in-policy'
	for i in 1 2; do
		[ $i = 1 ] && intf=$IF || intf=$TUN
		cat <<EOF
    edit $i
        set intf "$intf"
        set srcaddr "all"
        set dstaddr "all"
        set service "ALL"
        set schedule "always"
        set action deny
    next
EOF
	done
	echo end
} >"$conf"

# One of 3 tries: a lone lost datagram says nothing about localin.
tun_ping3() { tun_ping || tun_ping || tun_ping; }
check "without localin: the tun's ping is answered" tun_ping3
check_start "localin run starts (deny-all on $IF and $TUN)" "$conf" || {
	cat "$ERR"
	exit 1
}
check "enforcing on $IF: the peer's ping is dropped" ping_dropped
check "no XDP program on $TUN" \
	sh -c "! ip -n $GW -d link show dev $TUN | grep -q prog/xdp"
check "the daemon says why, naming it" \
	grep -q "not attaching to $TUN (ifindex [0-9]*): it carries no Ethernet frames (link type 65534" "$ERR"
li_cmd status >"$tmp/status.out" 2>&1
check "status lists it as not attached, with the link type" \
	grep -q "^interfaces not attached: $TUN (ifindex [0-9]*: no Ethernet frames (link type 65534))" \
	"$tmp/status.out"
li_cmd reload >"$tmp/reload.out" 2>&1
rc=$?
check "reload exits 1: enforcement is incomplete (exit $rc)" [ "$rc" = 1 ]
check "... and names it" grep -q "$TUN" "$tmp/reload.out"
n=$(grep -c "not attaching to $TUN" "$ERR")
check "said once, also across the reload ($n)" [ "$n" = 1 ]
check "the tun's ping is still answered (nothing enforced there)" tun_ping3
li_cmd stop >/dev/null 2>&1
check "localin stop: the daemon exits" wait_until 100 gone "$(daemon_pid)"
[ "$fails" -eq 0 ]
