#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Geography addresses (issue 14), with `localin replay`:
#  - a small .mmdb this script writes (write-mmdb.pl, Debian's
#    libmaxmind-db-writer-perl): a packet from a range of the country is
#    denied, the neighbour just outside it passes, IPv4 and IPv6, a
#    country named only by registered_country; then 400 random networks,
#    the walk against mmdblookup on their edges (walkcheck.py);
#  - Debian's geoip-database (the default path): the same, with libGeoIP's
#    own geoiplookup/geoiplookup6 as the oracle for the addresses chosen;
#  - the XDP program (`replay --engine xdp`, root) says what the host
#    engine says, packet by packet, for both databases;
#  - a damaged or foreign file is an error, never a hang; the default
#    files missing (root: an empty tmpfs over /usr/share/GeoIP in a mount
#    namespace of its own) is an error that says where they are expected.
# One PASS/FAIL/SKIP line per check.
#
#	sh tests/geo/run.sh BIN
set -u
bin=$1
case $bin in
/*) ;;
*) bin=$PWD/$bin ;;
esac
dir=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "PASS geo/$1"; }
fail() {
	echo "FAIL geo/$1"
	[ -z "${2:-}" ] || sed 's/^/    /' "$2" | head -n 12
}

missing=""
perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null ||
	missing="$missing libmaxmind-db-writer-perl"
command -v mmdblookup >/dev/null || missing="$missing mmdb-bin"
command -v geoiplookup >/dev/null || missing="$missing geoip-bin"
[ -f /usr/share/GeoIP/GeoIP.dat ] || missing="$missing geoip-database"
"$PY" -c 'import scapy' 2>/dev/null || missing="$missing python3-scapy"
if [ -n "$missing" ]; then
	echo "FAIL geo/deps: missing$missing (sh scripts/install-deps.sh)"
	exit 1
fi

# policies CONF GEOIP-SECTION: deny from "cn" (IPv4) and "cn6" "ru6"
policies() {
	cat >"$1" <<-EOT
	config system interface
	    edit "wan1"
	        set ip 198.51.100.1 255.255.255.0
	        config ipv6
	            set ip6-address 2001:db8:100::1/64
	        end
	    next
	end
	$2
	config firewall address
	    edit "cn"
	        set type geography
	        set country "CN"
	    next
	end
	config firewall address6
	    edit "cn6"
	        set type geography
	        set country "CN"
	    next
	    edit "ru6"
	        set type geography
	        set country "RU"
	    next
	end
	config firewall local-in-policy
	    edit 1
	        set intf "wan1"
	        set srcaddr "cn"
	        set dstaddr "all"
	        set service "ALL"
	        set schedule "always"
	    next
	end
	config firewall local-in-policy6
	    edit 1
	        set intf "wan1"
	        set srcaddr $3
	        set dstaddr "all"
	        set service "ALL"
	        set schedule "always"
	    next
	end
	EOT
}

# verdicts NAME CONF CASES: CASES holds "SRC VERDICT..." lines; replay
# must say VERDICT for a packet from SRC; then the XDP program the same.
verdicts() {
	awk '{ print $1 }' "$3" >"$tmp/srcs"
	# shellcheck disable=SC2046 # one word a source
	"$PY" "$dir/packets.py" "$tmp/$1.pcap" $(cat "$tmp/srcs")
	awk '{ $1 = NR; print }' "$3" >"$tmp/$1.want"
	"$bin" replay -c "$2" "$tmp/$1.pcap" --verdicts --engine host \
		>"$tmp/$1.host" 2>&1
	if cmp -s "$tmp/$1.want" "$tmp/$1.host"; then
		pass "$1"
	else
		diff -u "$tmp/$1.want" "$tmp/$1.host" >"$tmp/diff"
		fail "$1" "$tmp/diff"
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP geo/$1-xdp: the XDP program's test runs need root"
		return
	fi
	for mode in --verdicts --trace; do
		"$bin" replay -c "$2" "$tmp/$1.pcap" $mode --engine host \
			>"$tmp/$1.h" 2>&1
		rh=$?
		"$bin" replay -c "$2" "$tmp/$1.pcap" $mode --engine xdp \
			>"$tmp/$1.x" 2>&1
		rx=$?
		if [ "$rh" -eq 0 ] && [ "$rx" -eq 0 ] &&
			cmp -s "$tmp/$1.h" "$tmp/$1.x" && [ -s "$tmp/$1.h" ]; then
			pass "$1-xdp$mode"
		else
			diff -u "$tmp/$1.h" "$tmp/$1.x" >"$tmp/diff"
			fail "$1-xdp$mode" "$tmp/diff"
		fi
	done
}

# --- a .mmdb of our own ---
mmdb=$tmp/test.mmdb
perl "$dir/write-mmdb.pl" "$mmdb" 7 >"$tmp/nets" ||
	fail mmdb-write
policies "$tmp/mmdb.conf" "config system geoip-database
    set path \"$mmdb\"
end" '"cn6" "ru6"'
cat >"$tmp/mmdb.cases" <<'EOF'
192.0.2.0 drop policy 1
192.0.2.127 drop policy 1
192.0.2.128 accept implicit 0
198.17.255.255 accept implicit 0
198.18.0.0 drop policy 1
198.19.255.255 drop policy 1
198.20.0.0 accept implicit 0
203.0.113.7 accept implicit 0
2001:db8:1:: drop policy 1
2001:db8:1:ffff:ffff:ffff:ffff:ffff drop policy 1
2001:db8:0:ffff:ffff:ffff:ffff:ffff accept implicit 0
2001:db8:2::5 drop policy 1
2001:db8:3:: accept implicit 0
EOF
verdicts mmdb "$tmp/mmdb.conf" "$tmp/mmdb.cases"
if "$bin" check -c "$tmp/mmdb.conf" >"$tmp/out" 2>&1 &&
	grep -q "^geoip IPv4: $mmdb (localin-test-Country, built 20[0-9-]*, [0-9]* ranges)" "$tmp/out" &&
	grep -q "^geoip IPv6: $mmdb " "$tmp/out"; then
	pass mmdb-check
else
	fail mmdb-check "$tmp/out"
fi

# The walk against mmdblookup: policy i denies the i-th country.
{
	echo "config system geoip-database"
	echo "    set path \"$mmdb\""
	echo "end"
	echo "config system interface"
	echo "    edit \"wan1\""
	echo "        set ip 198.51.100.1 255.255.255.0"
	echo "        config ipv6"
	echo "            set ip6-address 2001:db8:100::1/64"
	echo "        end"
	echo "    next"
	echo "end"
	for fam in "" 6; do
		echo "config firewall address$fam"
		for cc in CN DE RU US BR IN FR GB; do
			echo "    edit \"$cc\""
			echo "        set type geography"
			echo "        set country \"$cc\""
			echo "    next"
		done
		echo "end"
		if [ -z "$fam" ]; then
			echo "config firewall local-in-policy"
		else
			echo "config firewall local-in-policy6"
		fi
		i=0
		for cc in CN DE RU US BR IN FR GB; do
			i=$((i + 1))
			echo "    edit $i"
			echo "        set intf \"wan1\""
			echo "        set srcaddr \"$cc\""
			echo "        set dstaddr \"all\""
			echo "        set service \"ALL\""
			echo "        set schedule \"always\""
			echo "    next"
		done
		echo "end"
	done
} >"$tmp/walk.conf"
"$PY" "$dir/walkcheck.py" "$bin" "$mmdb" "$tmp/nets" "$tmp/walk.conf" \
	"$tmp/walk.pcap" CN DE RU US BR IN FR GB

# --- Debian's geoip-database, the default ---
policies "$tmp/debian.conf" "" '"cn6" "ru6"'
# Either side of CN ranges' edges, as libGeoIP itself sees them.
: >"$tmp/debian.cases"
in=0
out=0
for a in 1.0.1.0 1.0.0.255 1.0.3.255 1.0.4.0 2001:250:: \
	2001:24f:ffff:ffff:ffff:ffff:ffff:ffff \
	2001:253:ffff:ffff:ffff:ffff:ffff:ffff; do
	case $a in
	*:*) said=$(geoiplookup6 "$a") ;;
	*) said=$(geoiplookup "$a") ;;
	esac
	case $said in
	*": CN,"*)
		echo "$a drop policy 1" >>"$tmp/debian.cases"
		in=$((in + 1))
		;;
	*)
		echo "$a accept implicit 0" >>"$tmp/debian.cases"
		out=$((out + 1))
		;;
	esac
done
if [ "$in" -lt 3 ] || [ "$out" -lt 2 ]; then
	echo "FAIL geo/debian: the database's CN ranges moved ($in in, $out out): choose other edges in $0"
else
	verdicts debian "$tmp/debian.conf" "$tmp/debian.cases"
fi

# --- files that are not databases: an error, in bounded time ---
printf 'not a database\n' >"$tmp/junk.mmdb"
head -c 1000 "$mmdb" >"$tmp/short.mmdb"
cp "$mmdb" "$tmp/damaged.mmdb"
# The search tree overwritten, the metadata intact: a bounded walk.
"$PY" -c "
import random, sys
b = bytearray(open(sys.argv[1], 'rb').read())
r = random.Random(3)
for i in range(3000):
    b[i] = r.randrange(256)
open(sys.argv[1], 'wb').write(b)" "$tmp/damaged.mmdb"
for f in junk short damaged; do
	policies "$tmp/$f.conf" "config system geoip-database
    set path \"$tmp/$f.mmdb\"
end" '"cn6"'
	timeout 60 "$bin" check -q -c "$tmp/$f.conf" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 1 ] &&
		[ "$(grep -c "cannot read the geoip database $tmp/$f.mmdb: " "$tmp/err")" = 1 ]; then
		pass "bad-file-$f"
	else
		echo "exit $rc" >>"$tmp/err"
		fail "bad-file-$f" "$tmp/err"
	fi
done

# --- the default files missing ---
if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
	echo "SKIP geo/default-missing: needs root (a mount namespace)"
else
	unshare -m sh -c "mount -t tmpfs geo-test /usr/share/GeoIP &&
		exec '$bin' check -q -c '$tmp/debian.conf'" >/dev/null 2>"$tmp/err"
	echo "exit $?" >>"$tmp/err"
	sed "s|$tmp/||" "$tmp/err" >"$tmp/got"
	cat >"$tmp/want" <<-'EOT'
	debian.conf:13:21: error: cannot read the geoip database /usr/share/GeoIP/GeoIP.dat: No such file or directory (Debian's geoip-database; `config system geoip-database` names another)
	        set country "CN"
	                    ^~~~
	debian.conf:19:21: error: cannot read the geoip database /usr/share/GeoIP/GeoIPv6.dat: No such file or directory (Debian's geoip-database; `config system geoip-database` names another)
	        set country "CN"
	                    ^~~~
	debian.conf: 2 errors, 0 warnings
	exit 1
	EOT
	if cmp -s "$tmp/want" "$tmp/got"; then
		pass default-missing
	else
		diff -u "$tmp/want" "$tmp/got" >"$tmp/diff"
		fail default-missing "$tmp/diff"
	fi
fi
