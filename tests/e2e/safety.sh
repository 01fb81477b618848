#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: `localin run` as root at paths a user may have chosen
# (issue 16). A symbolic link planted at the lock or the log path, to a
# root-owned file, is refused and the file stays as it was; so is a hard
# link at the log path. A control socket in a directory others may write
# without the sticky bit is refused before anything is loaded; in a sticky
# one (like /tmp) the daemon starts, but not over a link or someone else's
# file at the socket path, which it leaves where it is. A config's name
# holding ESC reaches stderr escaped (\x1b), and `localin run` as nobody
# says only that it needs root.
#
#	sh tests/e2e/safety.sh BIN
#
# One PASS/FAIL line per check; SKIP (and exit 0) without root or the
# tools. Everything lives in the test's own mktemp -d directory, in a
# mount namespace with a private bpffs and network namespaces of its own;
# it kills only the daemons it started.
set -u
bin=$(realpath "$1")
SUITE=e2e/safety
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping setpriv cksum
private_bpffs "$@"
setup_run safe localin-safety
make_lab

conf=$tmp/localin.conf
cat >"$conf" <<EOF
$(conf_policy1 ALL_ICMP deny)
EOF
chmod 644 "$conf"

# A root-owned file an attacker would like root to write over.
victim=$tmp/victim
printf 'precious root-owned data\n' >"$victim"
want_sum=$(cksum <"$victim")
victim_intact() { [ "$(cksum <"$victim")" = "$want_sum" ]; }

# localin run in the gateway with socket $1, output to $2, more args after;
# its exit status. One that started after all is stopped again at once.
try_run() { # sock out [args...]
	sock=$1
	out=$2
	shift 2
	in_gw "$bin" run -c "$conf" -s "$sock" --pin-dir "$PIN" "$@" \
		>"$out" 2>&1
	rc=$?
	if [ "$rc" = 0 ]; then
		pids="$pids $(head -n 1 "${sock%.sock}.lock")"
		in_gw "$bin" stop -s "$sock" >/dev/null 2>&1
	fi
	return "$rc"
}
no_attachment() { [ -z "$(prog_id)" ]; }

# --- a symbolic link at the lock path ------------------------------------------
mkdir "$tmp/lock"
ln -s "$victim" "$tmp/lock/ctl.lock"
try_run "$tmp/lock/ctl.sock" "$tmp/lock.out" --log "$LOG"
rc=$?
check "a link at the lock path: localin run refuses (exit $rc)" [ "$rc" = 1 ]
check "... saying it is a symbolic link" \
	grep -q "ctl.lock: it is a symbolic link" "$tmp/lock.out"
check "... the file it points at is unchanged" victim_intact
check "... nothing attached" no_attachment

# --- a symbolic link, and a hard link, at the log path -------------------------
mkdir "$tmp/log"
ln -s "$victim" "$tmp/log/localin.log"
try_run "$tmp/log/ctl.sock" "$tmp/log.out" --log "$tmp/log/localin.log"
rc=$?
check "a link at the log path: localin run refuses (exit $rc)" [ "$rc" = 1 ]
check "... saying it is a symbolic link" \
	grep -q "localin.log: it is a symbolic link" "$tmp/log.out"
check "... the file it points at is unchanged" victim_intact
ln "$victim" "$tmp/log/hard.log"
try_run "$tmp/log/ctl.sock" "$tmp/hard.out" --log "$tmp/log/hard.log"
rc=$?
check "a hard link at the log path: localin run refuses (exit $rc)" \
	[ "$rc" = 1 ]
check "... saying why" grep -q "hard.log: it has 2 names" "$tmp/hard.out"
check "... the file is unchanged" victim_intact
check "... nothing attached" no_attachment

# --- the socket's directory -----------------------------------------------------
mkdir -m 0777 "$tmp/open"
try_run "$tmp/open/ctl.sock" "$tmp/open.out" --log "$LOG"
rc=$?
check "socket in a world-writable directory without the sticky bit: refused (exit $rc)" \
	[ "$rc" = 1 ]
check "... naming the directory and the reason" grep -qF \
	"directory $tmp/open is writable by others and not sticky" \
	"$tmp/open.out"
check "... nothing created there" [ -z "$(ls -A "$tmp/open")" ]
check "... nothing attached" no_attachment

# A sticky world-writable directory, as /tmp: our own names are safe there.
mkdir -m 1777 "$tmp/sticky"
try_run "$tmp/sticky/ctl.sock" "$tmp/sticky.out" --log "$LOG"
rc=$?
check "socket in a sticky world-writable directory: starts (exit $rc)" \
	[ "$rc" = 0 ]
[ "$rc" = 0 ] || cat "$tmp/sticky.out"

# ... but not over a link or another user's file at the socket path.
ln -s "$victim" "$tmp/sticky/link.sock"
chown -h 65534:65534 "$tmp/sticky/link.sock"
try_run "$tmp/sticky/link.sock" "$tmp/sticky-link.out" --log "$LOG"
rc=$?
check "a link at the socket path in a sticky directory: refused (exit $rc)" \
	[ "$rc" = 1 ]
check "... saying why" \
	grep -q "link.sock: it is a symbolic link" "$tmp/sticky-link.out"
check "... the link is left where it was" [ -L "$tmp/sticky/link.sock" ]
check "... and its target unchanged" victim_intact
check "... nothing attached" no_attachment
: >"$tmp/sticky/theirs.sock"
chown 65534:65534 "$tmp/sticky/theirs.sock"
try_run "$tmp/sticky/theirs.sock" "$tmp/sticky-theirs.out" --log "$LOG"
rc=$?
check "another user's file at the socket path: refused (exit $rc)" \
	[ "$rc" = 1 ]
check "... saying whose it is" grep -q "theirs.sock: it belongs to uid 65534" \
	"$tmp/sticky-theirs.out"
check "... and not removed" [ -f "$tmp/sticky/theirs.sock" ]

# --- names reach stderr escaped -------------------------------------------------
esc=$(printf '\033')
cp "$conf" "$tmp/esc${esc}[2J.conf"
try_run "$tmp/esc.sock" "$tmp/esc.out" -c "$tmp/esc${esc}[2J.conf" --log "$LOG"
rc=$?
check "a config name holding ESC: starts (exit $rc)" [ "$rc" = 0 ]
check "... stderr names it escaped as in log lines" \
	grep -qF "enforcing $tmp/esc\\x1b[2J.conf on 1 interface" "$tmp/esc.out"
no_raw_esc() { ! grep -q "$esc" "$tmp/esc.out"; }
check "... and holds no raw ESC" no_raw_esc

# --- not root ---------------------------------------------------------------------
# The config readable by nobody (the directory traversable, not listable)
# and the socket in a directory of nobody's, so that only the lack of
# privilege stops it (before the fix, libbpf's complaints did).
chmod 711 "$tmp"
mkdir "$tmp/nobody"
chown 65534:65534 "$tmp/nobody"
setpriv --reuid=65534 --regid=65534 --clear-groups "$bin" run -c "$conf" \
	-s "$tmp/nobody/ctl.sock" --pin-dir "$PIN" >"$tmp/nobody.out" 2>&1
rc=$?
check "localin run as nobody: exit 1 ($rc)" [ "$rc" = 1 ]
printf 'localin: run needs root (CAP_BPF, CAP_NET_ADMIN)\n' >"$tmp/nobody.want"
check "... exactly the one line: run needs root" \
	cmp -s "$tmp/nobody.want" "$tmp/nobody.out"
cmp -s "$tmp/nobody.want" "$tmp/nobody.out" ||
	sed 's/^/    /' "$tmp/nobody.out" | head -n 5
no_libbpf() { ! grep -qi libbpf "$tmp/nobody.out"; }
check "... and no libbpf lines" no_libbpf

[ "$fails" -eq 0 ]
