#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VICI SA source (src/ipsec/vici.c) against the lab's real charon: the
# lab (tests/lab/lab.sh) under a prefix of its own (LAB=lv), sa_watch
# (tests/lab/sa_watch.c) reading the gateway's VICI socket and printing its
# SA events, and what `swanctl --list-sas` says on the gateway as the
# reference. One PASS/FAIL line per check; one SKIP line without root.
#
#	bash tests/lab/vici.sh [SA_WATCH]	(default build/tests/sa_watch)
#
# VICI_SHOW=1 prints what sa_watch said (always printed after a failure).
#
# 1. charon with no SA: a listing (sync begin, sync end), nothing in it.
# 2. The peer initiates: add of the in SA (the SPI the gateway lists,
#    198.51.100.1, peer 203.0.113.10, tunnel lab, ESP in UDP 4500) and of
#    the out SA.
# 3. A CHILD_SA rekey from the peer: add of the new SAs, then del of the old.
# 4. A listing asked for (SIGUSR1) with the tunnel up: the live SAs only.
# 5. The CHILD_SA terminated: del of its SAs.
# 6. An IKE_SA rekey, then the IKE_SA terminated: del of the SAs of the
#    CHILD_SA it had (the IKE_SA's new id followed).
# 7. charon in gw stopped (by its pid): SA_EV_DOWN, once; started again and
#    the tunnel initiated again: a listing on reconnect, then the new SAs,
#    and a listing asked for holds them.
set -u
here=$(cd "$(dirname "$0")" && pwd)
export LAB=${LAB:-lv}
unset LAB_REKEY
LAB_SUITE=lab-vici
# shellcheck source=lab.sh
. "$here/lab.sh"
watch=$(realpath -m "${1:-build/tests/sa_watch}")
out=$LAB_DIR/watch.out

# sa_watch's output: lines so far, lines after a mark, a line to come.
mark() { wc -l <"$out"; }
since() { tail -n +"$(($1 + 1))" "$out"; }
# The first line after mark $1 matching ERE $2, waiting up to ${3:-10} s;
# prints its number (after the mark).
line_of() { # mark ere [seconds]
	local i n
	for i in $(seq $((${3:-10} * 10))); do
		n=$(since "$1" | grep -nE "$2" | head -n 1 | cut -d: -f1)
		[ -n "$n" ] && echo "$n" && return 0
		sleep 0.1
	done
	return 1
}
seen() { line_of "$@" >/dev/null; }
count() { since "$1" | grep -cE "$2"; }

# An SA line of sa_watch (ERE): add|del, in|out, SPI.
sa_re() { # ev dir spi
	local dst=$GW_ADDR peer=$PEER_ADDR
	[ "$2" = out ] && dst=$PEER_ADDR peer=$GW_ADDR
	echo "^$1 $2 ${dst//./\\.} spi $3 peer ${peer//./\\.} tunnel lab encap 4500 reqid [0-9]+$"
}

# The gateway's INSTALLED CHILD_SA: "IN OUT" SPIs, from swanctl.
gw_spis() {
	lab_swanctl gw --list-sas 2>/dev/null | awk '
		/^  [^ ].*, reqid / { live = / INSTALLED, /; next }
		live && $1 == "in" { sub(",", "", $2); i = $2 }
		live && $1 == "out" { sub(",", "", $2); print i, $2; live = 0 }'
}

# Wait (10 s) until the gateway lists an INSTALLED CHILD_SA other than $1.
new_spis() { # old-spis
	local i s
	for i in $(seq 100); do
		s=$(gw_spis | head -n 1)
		[ -n "$s" ] && [ "$s" != "${1:-}" ] && echo "$s" && return 0
		sleep 0.1
	done
	return 1
}

usr1() { kill -USR1 "$(cat "$LAB_DIR/sa-watch.pid")"; }

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP lab-vici: the network-namespace lab needs root"
	exit 0
fi
if ! [ -x /usr/lib/ipsec/charon ] || ! command -v swanctl >/dev/null; then
	echo "SKIP lab-vici: strongSwan (charon, swanctl) is not installed"
	exit 0
fi
if ! [ -x "$watch" ]; then
	fail "build: no $watch (make $(realpath -m --relative-to=. "$watch"))"
	exit 1
fi
lab_lock || exit 1
lab_trap_down
if ! lab_up; then
	fail "lab up (namespaces, strongSwan in gw and peer)"
	exit 1
fi

# 1. sa_watch on the gateway's socket (in gw, so that lab_down stops it).
lab_spawn "$NS_GW" sa-watch "$watch" "$LAB_DIR/gw/charon.vici" 600 >"$out" 2>&1
check "connect: a listing of charon's SAs, none yet" \
	seen 0 '^sync end$'
check "connect: sync begin, then sync end, nothing between" \
	[ "$(head -n 2 "$out" | paste -sd ' ')" = "sync begin sync end" ]

# 2. Up.
m=$(mark)
lab_tunnel_up || fail "swanctl --initiate"
read -r in1 out1 <<<"$(gw_spis)"
echo "gateway's CHILD_SA: in ${in1:-?} out ${out1:-?}"
check "up: add of the in SA $in1 (the SPI swanctl --list-sas shows), from $PEER_ADDR, encap 4500" \
	seen "$m" "$(sa_re add in "${in1:-none}")"
check "up: add of the out SA $out1" \
	seen "$m" "$(sa_re add out "${out1:-none}")"

# 3. Rekey from the peer.
m=$(mark)
lab_swanctl peer --rekey --child lab >"$LAB_DIR/rekey.out" 2>&1 ||
	fail "swanctl --rekey --child lab: $(tail -n 1 "$LAB_DIR/rekey.out")"
read -r in2 out2 <<<"$(new_spis "$in1 $out1")"
echo "after the rekey: in ${in2:-?} out ${out2:-?}"
check "rekey: a new CHILD_SA on the gateway" [ -n "${in2:-}" ]
add=$(line_of "$m" "$(sa_re add in "${in2:-none}")")
del=$(line_of "$m" "$(sa_re del in "${in1:-none}")")
check "rekey: add of the new in SA $in2" [ -n "$add" ]
check "rekey: add of the new out SA $out2" seen "$m" "$(sa_re add out "${out2:-none}")"
check "rekey: del of the old in SA $in1" [ -n "$del" ]
check "rekey: del of the old out SA $out1" seen "$m" "$(sa_re del out "${out1:-none}")"
check "rekey: the new SA added before the old one went" [ "${add:-9999}" -lt "${del:-0}" ]

# 4. A listing with the tunnel up, the rekeyed CHILD_SA perhaps still there.
m=$(mark)
usr1
check "listing: sync begin, add of $in2 and $out2, sync end" \
	seen "$m" '^sync end$'
want="sync begin
add in $GW_ADDR spi ${in2:-?} peer $PEER_ADDR tunnel lab encap 4500
add out $PEER_ADDR spi ${out2:-?} peer $GW_ADDR tunnel lab encap 4500
sync end"
check "listing: the live SAs, and only those" \
	[ "$(since "$m" | sed 's/ reqid [0-9]*$//')" = "$want" ]

# 5. Terminate the CHILD_SA.
m=$(mark)
lab_swanctl peer --terminate --child lab --timeout 10 >"$LAB_DIR/term.out" 2>&1 ||
	fail "swanctl --terminate --child lab: $(tail -n 1 "$LAB_DIR/term.out")"
check "terminate: del of the in SA $in2" seen "$m" "$(sa_re del in "${in2:-none}")"
check "terminate: del of the out SA $out2" seen "$m" "$(sa_re del out "${out2:-none}")"
check "terminate: nothing added" [ "$(count "$m" '^add ')" = 0 ]

# 6. Up again, the IKE_SA rekeyed, then terminated.
m=$(mark)
lab_swanctl peer --initiate --child lab --timeout 20 >"$LAB_DIR/init2.out" 2>&1 ||
	fail "swanctl --initiate (again): $(tail -n 1 "$LAB_DIR/init2.out")"
read -r in3 out3 <<<"$(new_spis "$in2 $out2")"
check "up again: add of the in SA ${in3:-?}" seen "$m" "$(sa_re add in "${in3:-none}")"
m=$(mark)
lab_swanctl peer --rekey --ike lab >"$LAB_DIR/rekey-ike.out" 2>&1 ||
	fail "swanctl --rekey --ike lab: $(tail -n 1 "$LAB_DIR/rekey-ike.out")"
sleep 1
check "IKE_SA rekey: the CHILD_SA's SAs stay" [ "$(count "$m" '^(add|del) ')" = 0 ]
lab_swanctl peer --terminate --ike lab --timeout 10 >"$LAB_DIR/term-ike.out" 2>&1 ||
	fail "swanctl --terminate --ike lab: $(tail -n 1 "$LAB_DIR/term-ike.out")"
check "IKE_SA terminated: del of the in SA $in3" seen "$m" "$(sa_re del in "${in3:-none}")"
check "IKE_SA terminated: del of the out SA $out3" seen "$m" "$(sa_re del out "${out3:-none}")"

# 7. charon stopped and started again.
lab_tunnel_up >/dev/null || fail "swanctl --initiate (before the restart)"
read -r in4 out4 <<<"$(gw_spis)"
m=$(mark)
pid=$(cat "$LAB_DIR/charon-gw.pid")
lab_stop charon-gw
check "charon stopped (pid $pid): down" seen "$m" '^down: charon closed the connection, retry in [0-9]+ s$'
sleep 2
check "charon stopped: down once, however often it retries" [ "$(count "$m" '^down: ')" = 1 ]
check "charon stopped: sa_watch still running" lab_running sa-watch
# The peer forgets its side; the stale socket goes before charon makes
# its own (lab_charon_start waits for the socket to exist).
lab_swanctl peer --terminate --ike lab --force >/dev/null 2>&1
rm -f "$LAB_DIR/gw/charon.vici"
m=$(mark)
if ! lab_charon_start gw "$NS_GW" "$GW_ADDR" "$PEER_ADDR" "$GW_INNER" "$PEER_INNER"; then
	fail "charon in gw started again"
fi
check "charon back: a listing on reconnect" seen "$m" '^sync end$' 15
lab_tunnel_up || fail "swanctl --initiate (after the restart)"
read -r in5 out5 <<<"$(gw_spis)"
echo "after the restart: in ${in5:-?} out ${out5:-?}"
check "charon back, tunnel again: add of the new in SA $in5" seen "$m" "$(sa_re add in "${in5:-none}")"
check "charon back, tunnel again: add of the new out SA $out5" seen "$m" "$(sa_re add out "${out5:-none}")"
m=$(mark)
usr1
seen "$m" '^sync end$'
check "charon back: a listing holds the new SAs only" \
	[ "$(count "$m" '^add ')" = 2 \
	-a "$(count "$m" "$(sa_re add in "${in5:-none}")")" = 1 \
	-a "$(count "$m" "$(sa_re add out "${out5:-none}")")" = 1 ]
check "old SAs $in4 not listed again" [ "$(count "$m" " spi ${in4:-none} ")" = 0 ]

kill -TERM "$(cat "$LAB_DIR/sa-watch.pid")"
seen 0 '^state: ' 5
check "sa_watch ends up: $(grep '^state: ' "$out")" \
	grep -Eq '^state: up, 2 SAs, synced [0-9]+ s ago$' "$out"
if [ "$fails" -ne 0 ] || [ -n "${VICI_SHOW:-}" ]; then
	echo "--- sa_watch said:"
	cat "$out"
fi
exit $((fails > 0))
