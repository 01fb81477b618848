#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end, issue 12: the gateway's own connections never break. The
# gateway runs `localin run` on its WAN veth under a hardening config a
# FortiGate admin would write: policy 1 accepts SSH from the management
# host, policy 2 denies ALL from all. One segment (a bridge in the
# "internet" namespace) joins four namespaces:
#
#   gw        $IF 192.0.2.1, lo 172.31.1.1: localin, charon (initiator),
#             and servers of its own (DNS, HTTP, "SSH") that policy 2 hides
#   internet  br0 192.0.2.2, lo 172.31.2.1: dnsmasq, python3 http.server,
#             an NTP-style UDP responder, charon (responder)
#   attacker  192.0.2.66: probes and scapy's forged "replies"
#   mgmt      192.0.2.10: the management host of policy 1
#
# Control: every check runs first without localin (the same probes, the
# same servers): the gateway's clients get their answers and every inbound
# probe is answered too, by the servers, by the kernel's RST and ICMP port
# unreachable; so "no answer" later is the policy, not a broken lab. Then
# under localin:
#  - outbound: a DNS query, a 300 KB HTTP download (size and sha256), an
#    NTP-style UDP exchange, ping, strongSwan as the IKE initiator
#    (ESTABLISHED, CHILD_SA INSTALLED, a ping through the tunnel): all work;
#  - inbound: DNS, HTTP, SSH and IKE offered by the gateway get no answer
#    from the internet and the attacker, policy 2 counts the drops, and
#    the management host still reaches SSH (policy 1);
#  - forged replies from the attacker: a datagram from port 53 to a port
#    no query opened (from the attacker's address and the resolver's) and
#    a TCP ACK with no connection: no answer, counted by policy 2, logged.
#
#	sh tests/e2e/sessions.sh BIN
set -u
bin=$(realpath "$1")
SUITE=e2e/sessions
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping flock dnsmasq swanctl ike-scan
find_python
[ -x /usr/lib/ipsec/charon ] || skip "/usr/lib/ipsec/charon is missing"
"$py" -c 'import scapy' 2>/dev/null || skip "scapy is missing"
private_bpffs "$@"
setup_run ss localin-sess

NET=$PEER # the "internet": resolver, web, NTP-style and IKE responder
ATT=$(run_name ss-att)
MGMT=$(run_name ss-mgmt)
NET_ADDR=$PEER_ADDR
ATT_ADDR=192.0.2.66
MGMT_ADDR=192.0.2.10
GW_INNER=172.31.1.1
NET_INNER=172.31.2.1
NAME=www.lab.test
NAME_ADDR=198.18.0.7 # what the resolver answers for $NAME
GW_NAME_ADDR=198.18.0.9 # what the gateway's own dnsmasq answers
PROBE="$(cd "$(dirname "$0")" && pwd)/sessions_probe.py"
SPORT=61234 # no query opened it: outside ip_local_port_range

cleanup_more() {
	ip netns del "$ATT" 2>/dev/null
	ip netns del "$MGMT" 2>/dev/null
}

# --- the lab ------------------------------------------------------------------
# No IPv6 anywhere: no router solicitations or MLD in the counters.
quiet_ns() { # ns
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 &&
		ip -n "$1" link set lo up
}
# A host on the bridge: eth0 in NS, its other end a port of br0.
add_host() { # ns port addr
	ip netns add "$1" && quiet_ns "$1" &&
		ip link add eth0 netns "$1" type veth peer name "$2" netns "$NET" &&
		ip -n "$NET" link set "$2" master br0 up &&
		ip -n "$1" addr add "$3/24" dev eth0 &&
		ip -n "$1" link set eth0 up
}
build_lab() {
	add_namespaces && quiet_ns "$GW" && quiet_ns "$NET" &&
		ip -n "$NET" link add br0 type bridge stp_state 0 &&
		ip -n "$NET" addr add "$NET_ADDR/24" dev br0 &&
		ip -n "$NET" link set br0 up &&
		ip link add "$IF" netns "$GW" type veth peer name peer0 netns "$NET" &&
		ip -n "$NET" link set peer0 master br0 up &&
		ip -n "$GW" addr add "$GW_ADDR/24" dev "$IF" &&
		ip -n "$GW" link set "$IF" up &&
		ip -n "$GW" addr add "$GW_INNER/32" dev lo &&
		ip -n "$NET" addr add "$NET_INNER/32" dev lo &&
		add_host "$ATT" att0 "$ATT_ADDR" &&
		add_host "$MGMT" mg0 "$MGMT_ADDR"
}

# dnsmasq as a plain resolver: no config file, hosts or upstream; one name.
dnsmasq_on() { # ns addr answer
	spawn "$1" dnsmasq -k -C /dev/null --no-resolv --no-hosts --user=root \
		--pid-file= --bind-interfaces --listen-address="$2" \
		--address="/lab.test/$3"
}

# --- strongSwan with userspace ESP (LAB-NOTES.md) -------------------------------
LAB_PSK=sessions-lab-psk-not-a-secret
# shellcheck source=../lab/strongswan_conf.sh
. "$(dirname "$0")/../lab/strongswan_conf.sh"
sw() { # side args...: swanctl against that side's charon
	side=$1
	shift
	STRONGSWAN_CONF=$tmp/$side/strongswan.conf swanctl "$@"
}
charon_on() { # side ns local remote local-inner remote-inner
	d=$tmp/$1
	mkdir -p "$d"
	lab_ss_conf "$d"
	lab_swanctl_conf "$d" "$3" "$4" "$5" "$6"
	STRONGSWAN_CONF=$d/strongswan.conf spawn "$2" unshare -m sh -c \
		'mount -t tmpfs none /run && exec /usr/lib/ipsec/charon'
	wait_until 100 [ -S "$d/charon.vici" ] &&
		sw "$1" --load-all --file "$d/swanctl.conf" >"$d/load.out" 2>&1
}

# --- the config ---------------------------------------------------------------
write_conf() { # file
	cat >"$1" <<EOF
config system global
    set hostname "sessions-gw"
end
$(conf_interface)
config log setting
    set local-in-deny-unicast enable
end
config firewall address
    edit "mgmt"
        set subnet $MGMT_ADDR 255.255.255.255
    next
end
config firewall local-in-policy
$(conf_policy_edit 1 "$IF" SSH accept mgmt)
$(conf_policy_edit 2 "$IF" ALL deny)
end
config system sa-source
    edit "charon"
        set type vici
        set path "$tmp/gw/charon.vici"
    next
end
EOF
}

# --- the checks -----------------------------------------------------------------
# expect (lib.sh) prints a PASS/FAIL line naming the phase, the probe's
# output in it.
# Like expect, for the spoof commands: "no answer" or "answer: ...".
expect_spoof() { # phase description want(answer|none) spoof-args...
	ph=$1 d=$2 want=$3
	shift 3
	out=$(probe "$ATT" "$@")
	case "$want:$out" in
	"none:no answer" | answer:answer:*) pass "$ph: $d: $out" ;;
	*) fail "$ph: $d: want $want, got: $out" ;;
	esac
}

# The gateway's own clients: everything answered.
outbound() { # phase
	expect "$1" "the gateway's DNS query for $NAME" answer "$GW" \
		dns "$NET_ADDR" "$NAME"
	out=$(probe "$GW" http "http://$NET_ADDR:8000/blob" 20)
	if [ "$out" = "$blob" ]; then
		pass "$1: the gateway's HTTP download: $out"
	else
		fail "$1: the gateway's HTTP download: want '$blob', got '$out'"
	fi
	expect "$1" "the gateway's NTP-style UDP exchange" answer "$GW" \
		udp "$NET_ADDR" 123
	out=$(in_gw ping -n -q -c 3 -i 0.3 -W 2 "$NET_ADDR" 2>&1 |
		grep 'packets transmitted')
	case "$out" in
	*" 0% packet loss"*) pass "$1: the gateway pings the internet: $out" ;;
	*) fail "$1: the gateway pings the internet: ${out:-no output}" ;;
	esac
	ike_out "$1"
}

# strongSwan on the gateway initiates; the tunnel carries a ping.
ike_out() { # phase
	sw gw --initiate --child lab --timeout 20 >"$tmp/initiate.out" 2>&1
	sw gw --list-sas >"$tmp/sas.out" 2>&1
	if grep -q ESTABLISHED "$tmp/sas.out" && grep -q INSTALLED "$tmp/sas.out"; then
		pass "$1: the gateway's charon initiates: IKE_SA ESTABLISHED, CHILD_SA INSTALLED"
	else
		fail "$1: the gateway's charon initiates: $(tail -n 3 "$tmp/initiate.out" | tr '\n' ' ')"
	fi
	out=$(in_gw ping -n -q -c 3 -i 0.3 -W 2 -I "$GW_INNER" "$NET_INNER" 2>&1 |
		grep 'packets transmitted')
	case "$out" in
	*" 0% packet loss"*) pass "$1: a ping through the tunnel: $out" ;;
	*) fail "$1: a ping through the tunnel: ${out:-no output}" ;;
	esac
	sw gw --terminate --ike lab --timeout 10 >/dev/null 2>&1
}

# The gateway's own services, from the internet and the attacker.
inbound() { # phase want(answer|none)
	for ns in "$NET" "$ATT"; do
		[ "$ns" = "$NET" ] && who=internet || who=attacker
		expect "$1" "DNS query from the $who to the gateway's dnsmasq" \
			"$2" "$ns" dns "$GW_ADDR" "$NAME" 2
		expect "$1" "HTTP from the $who to the gateway's server" \
			"$2" "$ns" http "http://$GW_ADDR:8080/blob" 3
		expect "$1" "SSH from the $who to the gateway" \
			"$2" "$ns" tcp "$GW_ADDR" 22 3
	done
	out=$(in_ns "$ATT" ike-scan --ikev2 --retry=2 --timeout=500 "$GW_ADDR" 2>&1)
	n=$(printf '%s\n' "$out" | grep -c 'Notify\|Handshake')
	if { [ "$2" = answer ] && [ "$n" -ge 1 ]; } ||
		{ [ "$2" = none ] && [ "$n" -eq 0 ]; }; then
		pass "$1: IKE (ike-scan --ikev2) from the attacker to the gateway's charon: $n answered"
	else
		fail "$1: IKE from the attacker: want $2, $n answered"
	fi
	expect "$1" "SSH from the management host" answer "$MGMT" \
		tcp "$GW_ADDR" 22 3
}

# Forged replies from the attacker.
spoofs() { # phase want(answer|none)
	expect_spoof "$1" "UDP from port 53 to port $SPORT (no query opened it)" \
		"$2" spoof-udp "$ATT_ADDR" "$GW_ADDR" 53 "$SPORT"
	expect_spoof "$1" "TCP ACK from port 8000 to port $((SPORT + 1)) (no connection)" \
		"$2" spoof-ack "$ATT_ADDR" "$GW_ADDR" 8000 "$((SPORT + 1))"
	# With the resolver's address: any answer would go to the resolver.
	probe "$ATT" spoof-udp "$NET_ADDR" "$GW_ADDR" 53 "$((SPORT + 2))" >/dev/null
	probe "$ATT" spoof-ack "$NET_ADDR" "$GW_ADDR" 8000 "$((SPORT + 3))" >/dev/null
}

p2() { count "local-in-policy 2 (deny)"; }
sessions() { count "of an existing session"; }
esp_ok() { count "ESP with a live SPI (passed)"; }
no_forged_session() { # in $tmp/sessions.out, none on the forged ports
	! grep -q ":\($SPORT\|$((SPORT + 1))\|$((SPORT + 2))\|$((SPORT + 3))\)(" \
		"$tmp/sessions.out"
}

# --- without localin: the lab answers everything ------------------------------------
build_lab || skip "cannot build the namespaces"
warm_up in_gw ping -c 1 -W 1 "$NET_ADDR"
for ns in "$ATT" "$MGMT"; do warm_up in_ns "$ns" ping -c 1 -W 1 "$GW_ADDR"; done
mkdir -p "$tmp/www"
head -c 307200 /dev/urandom >"$tmp/www/blob"
blob="307200 $(sha256sum "$tmp/www/blob" | cut -d' ' -f1)"
dnsmasq_on "$NET" "$NET_ADDR" "$NAME_ADDR"
dnsmasq_on "$GW" "$GW_ADDR" "$GW_NAME_ADDR"
spawn "$NET" "$py" -m http.server 8000 --bind "$NET_ADDR" --directory "$tmp/www"
spawn "$GW" "$py" -m http.server 8080 --bind "$GW_ADDR" --directory "$tmp/www"
spawn "$NET" "$py" "$PROBE" udp-serve "$NET_ADDR" 123
spawn "$GW" "$py" "$PROBE" tcp-serve "$GW_ADDR" 22
if ! charon_on gw "$GW" "$GW_ADDR" "$NET_ADDR" "$GW_INNER" "$NET_INNER" ||
	! charon_on net "$NET" "$NET_ADDR" "$GW_ADDR" "$NET_INNER" "$GW_INNER"; then
	skip "charon did not start: $(cat "$tmp/servers.out" "$tmp"/*/load.out 2>/dev/null | tail -n 5)"
fi
wait_until 50 in_gw "$py" "$PROBE" http "http://$NET_ADDR:8000/" 1 ||
	skip "the internet's HTTP server did not start"
wait_until 50 in_ns "$NET" "$py" "$PROBE" dns "$GW_ADDR" "$NAME" 1 ||
	skip "the gateway's dnsmasq did not start"

ph="without localin (control)"
outbound "$ph"
inbound "$ph" answer
spoofs "$ph" answer

# --- under localin ------------------------------------------------------------------
conf=$tmp/localin.conf
write_conf "$conf"
check_start "localin run: deny ALL on $IF but SSH from the management host" \
	"$conf" || {
	tail -n 20 "$ERR"
	exit 1
}
check "the SPI check reads the gateway's charon (ESP of the tunnel is checked)" \
	wait_until 50 sh -c "'$bin' status -s '$SOCK' | grep -q '^ESP SPI check: on'"

ph="under localin"
li_cmd diagnose debug flow filter saddr "$NET_ADDR" >/dev/null
li_cmd diagnose debug flow filter sport 53 >/dev/null
li_cmd diagnose debug flow trace start 1 >/dev/null
s0=$(sessions)
e0=$(esp_ok)
outbound "$ph"
s1=$(sessions)
e1=$(esp_ok)
check "$ph: the replies passed as packets of sessions ($s0 -> $s1)" \
	[ "$s1" -gt "$s0" ]
check "$ph: the trace of the DNS reply: FortiOS's line for a reply of a session" \
	wait_until 20 grep -q "Find an existing session, id-[0-9a-f]\{8\}, reply direction" "$LOG"
check "$ph: the tunnel's ESP passed the SPI check ($e0 -> $e1, at least 3)" \
	[ "$e1" -ge $((e0 + 3)) ]
li_cmd diagnose sys session list >"$tmp/sessions.out" 2>&1
# (The HTTP download's TCP session ended with its FINs: gone already.)
for svc in 53 123 500 4500; do
	check "$ph: diagnose sys session list: the gateway's session to port $svc" \
		grep -q "^hook=out dir=org act=noop $GW_ADDR:[0-9]*->$NET_ADDR:$svc(" \
		"$tmp/sessions.out"
done

d0=$(p2)
inbound "$ph" none
d1=$(p2)
check "$ph: policy 2 counted the inbound probes ($d0 -> $d1, at least 10)" \
	[ "$d1" -ge $((d0 + 10)) ]

d0=$(p2)
spoofs "$ph" none
d1=$(p2)
check "$ph: policy 2 dropped the 4 forged replies ($d0 -> $d1)" \
	[ "$d1" -ge $((d0 + 4)) ]
# The daemon reads events every 100 ms at most, and later on a loaded
# machine: the line is waited for (a fixed 0.3 s could miss it).
check "$ph: the forged datagram to port $SPORT is logged as denied by policy 2" \
	wait_until 50 grep -q "srcip=$ATT_ADDR .*dstport=$SPORT .*action=\"deny\" policyid=2 " "$LOG"
li_cmd diagnose sys session list >"$tmp/sessions.out" 2>&1
check "$ph: the forged replies opened no session" no_forged_session
check "$ph: the daemon still runs" li_cmd status

li_cmd status >"$tmp/status.out" 2>&1
# Denied attempts take session ids for their log lines, but open nothing:
# status must not count them as sessions lost to the full table.
check "$ph: status counts no session lost (the denied opened none)" \
	grep -q 'about 0 evicted or replaced unseen' "$tmp/status.out"
li_cmd stop >/dev/null 2>&1
if [ "$fails" -ne 0 ]; then
	echo "--- localin status"
	cat "$tmp/status.out"
	echo "--- diagnose sys session list"
	head -n 60 "$tmp/sessions.out"
	echo "--- localin stderr"
	tail -n 20 "$ERR"
fi
[ "$fails" -eq 0 ]
