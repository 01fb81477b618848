#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `localin cli`, the FortiOS console (issue 10), typed through a
# pseudo-terminal (cli_pty.py) and fed scripts:
#  - offline (-f FILE, no daemon): prompts, Tab and ? from the schema,
#    abbreviations, FortiOS's error lines, abort; a -c apply keeps the
#    previous file as FILE.bak; a multi-VDOM file is refused.
#  - against a daemon in a lab namespace: the seed's procedure (address,
#    address group with exclusion, local-in policy) typed line by line,
#    then its three diagnose lines in the same shell: the peer's IKE probe
#    dropped by policy 1 on the terminal, Ctrl-C back to the prompt;
#    `localin status` shows policy 1;
#    the file holds the change, FILE.bak the one before, no temporary file
#    is left; a change that does not compile, one the daemon refuses (no
#    policy left) and a script stopping at its error line all leave the
#    daemon (status: its reload counts) and the file (byte for byte) as
#    they were.
#
#	sh tests/e2e/cli.sh BIN
#
# One PASS/FAIL line per check; SKIP (and exit 0) without root, `BIN run`,
# python3 or the tools below. It runs in a mount namespace of its own with
# a private bpffs, and kills only what it started.
set -u
bin=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
SUITE=e2e/cli
export SUITE
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_root_and_tools ip nsenter unshare ping cmp
find_python
private_bpffs "$@"
setup_run cli localin-cli

# Its FAIL lines count: its exit status is their number.
pty() { "$py" "$here/cli_pty.py" "$bin" "$@" || fails=$((fails + $?)); }
# The reload counters of `localin status` ("(reloads: N, failed: M)").
reloads() { li_cmd status | grep -o '(reloads: [0-9]*, failed: [0-9]*)'; }

# --- offline -------------------------------------------------------------------
off=$tmp/off.conf
# offline CMDS NAME: `localin cli -c CMDS` on $off, its output in $tmp/NAME.out
offline() { "$bin" cli -f "$off" -s "$tmp/none.sock" -c "$1" >"$tmp/$2.out" 2>&1; }
cp "$here/../../examples/seed.conf" "$off"
pty offline "$off"
check "offline: the pty session (abort) left the file byte-identical" \
	cmp -s "$off" "$here/../../examples/seed.conf"
utf=$tmp/utf8.conf
sed 's/set hostname "vpn-gw1"/set hostname "gw-\xc3\xa9"/' \
	"$here/../../examples/seed.conf" >"$utf"
pty utf8 "$utf"
"$bin" cli -f "$off" -s "$tmp/none.sock" \
	-c 'conf fire address; edit "lab"; set subnet 10.9.0.0/16; end' \
	>"$tmp/c.out" 2>&1
check "offline -c: exit 0" [ $? = 0 ]
check "offline -c: FILE.bak is the file before" \
	cmp -s "$off.bak" "$here/../../examples/seed.conf"
check "offline -c: the file has the address, canonical" \
	grep -q 'set subnet 10.9.0.0 255.255.0.0' "$off"
check "offline -c: the new file compiles" "$bin" check -c "$off"
check "offline -c: says the seed's 2 comment lines are not kept, FILE.bak has them" \
	grep -q "note: the 2 comment lines of .* are not kept .*\\.bak has them" "$tmp/c.out"
own=$tmp/owned.conf
cp "$here/../../examples/seed.conf" "$own"
chown 4242:4243 "$own"
chmod 640 "$own"
offline_own() { "$bin" cli -f "$own" -s "$tmp/none.sock" -c "$1" >"$tmp/own.out" 2>&1; }
offline_own 'conf fire address; edit "own"; set subnet 10.8.0.0/16; end'
check "offline -c on a file of uid 4242 gid 4243, mode 640: the new file keeps them" \
	sh -c "grep -q 'edit \"own\"' '$own' && [ \"\$(stat -c %u:%g:%a '$own')\" = 4242:4243:640 ]"
"$bin" cli -f "$off" -s "$tmp/none.sock" -c 'conf fire addr' \
	>"$tmp/amb.out" 2>&1
check "offline: \`conf fire addr\` is ambiguous (address, addrgrp, ...)" \
	sh -c "grep -q \"command parse error before 'addr'\" '$tmp/amb.out' && grep -q ambiguous '$tmp/amb.out'"
"$bin" cli -f "$off" -s "$tmp/none.sock" \
	-c "show | grep -i 'SET SUBNET 10.9'; show | grep 'x; touch $tmp/pwned'" \
	>"$tmp/grep.out" 2>&1
check "show | grep -i: grep's options, only the matching line" \
	sh -c "[ \"\$(cat '$tmp/grep.out')\" = '        set subnet 10.9.0.0 255.255.0.0' ]"
check "show | grep runs no shell (a ; in the pattern is a pattern)" \
	[ ! -e "$tmp/pwned" ]
offline 'show | grep -f nosuchfile' gf
rc=$?
check "show | grep that fails (grep -f reads a file): exit $rc, said" \
	sh -c "[ $rc = 1 ] && grep -q 'grep -f nosuchfile failed (exit 2)' '$tmp/gf.out'"
# Output beyond a pipe's 64 KiB: grep is gone while show still writes.
{
	cat "$off"
	echo "config firewall address"
	i=0
	while [ $i -lt 3000 ]; do
		echo "edit \"a$i\""
		echo "set subnet 10.$((i / 250)).$((i % 250)).0/24"
		echo next
		i=$((i + 1))
	done
	echo end
} >"$tmp/big.conf"
printf 'show | grep -m1 set\nshow system global\n' |
	"$bin" cli -f "$tmp/big.conf" -s "$tmp/none.sock" >"$tmp/m1.out" 2>&1
rc=$?
check "script: grep -m1 leaving early ends neither the script nor the shell (exit $rc)" \
	sh -c "[ $rc = 0 ] && grep -q 'config system global' '$tmp/m1.out'"
offline 'get firewall address' getl
check "get of a table: == [ KEY ] then name: KEY, as FortiOS and localin get list it" \
	sh -c "grep -A1 -x '== \[ remote-vpn \]' '$tmp/getl.out' | tail -n 1 | grep -qx 'name: remote-vpn'"
offline 'get firewall local-in-policy 1' gete
check "get of an entry: FortiOS's field order, as show (intf before action)" \
	sh -c "[ \$(grep -n '^intf ' '$tmp/gete.out' | cut -d: -f1) -lt \$(grep -n '^action ' '$tmp/gete.out' | cut -d: -f1) ]"
offline 'diag xyz' diagx
rc=$?
check "diag xyz: FortiOS's two lines at the word, then localin's, exit $rc" \
	sh -c "[ $rc = 1 ] && head -n 2 '$tmp/diagx.out' | tr '\n' '|' | grep -qx \"command parse error before 'xyz'|Command fail. Return code -61|\" && grep -q 'unknown command \"xyz\"' '$tmp/diagx.out'"
offline 'show sys metr' absent
check "show of a section the file lacks: its full name, empty (pastes back)" \
	sh -c "[ \"\$(tr '\n' '|' <'$tmp/absent.out')\" = 'config system metrics|end|' ]"
printf 'config vdom\nedit root\nend\n' >"$tmp/vdom.conf"
"$bin" cli -f "$tmp/vdom.conf" -s "$tmp/none.sock" \
	-c 'config firewall address' >"$tmp/vdom.out" 2>&1
rc=$?
check "offline: a multi-VDOM file is refused (exit $rc)" [ "$rc" = 1 ]
check "... and says why" grep -q "config vdom" "$tmp/vdom.out"
# Reading it is not editing it: show and get answer, of the VDOM loaded.
cat >"$tmp/vdom2.conf" <<'EOF2'
config vdom
edit root
next
end
config vdom
edit root
config firewall address
    edit "a7y-host"
        set subnet 192.0.2.7 255.255.255.255
    next
end
next
end
EOF2
"$bin" cli -f "$tmp/vdom2.conf" -s "$tmp/none.sock" \
	-c 'show firewall address' >"$tmp/vdom2.out" 2>&1
rc=$?
check "offline: show of a multi-VDOM file answers (exit $rc)" \
	sh -c "[ $rc = 0 ] && grep -q 'edit \"a7y-host\"' '$tmp/vdom2.out'"
"$bin" cli -f "$tmp/vdom2.conf" -s "$tmp/none.sock" \
	-c 'get firewall address a7y-host' >"$tmp/vdom3.out" 2>&1
rc=$?
check "... get too (exit $rc)" \
	sh -c "[ $rc = 0 ] && grep -q '^subnet' '$tmp/vdom3.out'"
"$bin" cli -f "$tmp/vdom2.conf" -s "$tmp/none.sock" \
	-c 'show firewall address; config firewall address' >"$tmp/vdom4.out" 2>&1
rc=$?
check "... and the edit after them is refused, saying why (exit $rc)" \
	sh -c "[ $rc = 1 ] && grep -q 'a7y-host' '$tmp/vdom4.out' && grep -q 'does not edit a multi-VDOM' '$tmp/vdom4.out'"
"$bin" cli -s "$tmp/none.sock" -c 'show' >"$tmp/nod.out" 2>&1
rc=$?
check "no daemon and no -f: exit $rc, told to use -f" \
	sh -c "[ $rc = 1 ] && grep -q -- '-f FILE' '$tmp/nod.out'"

# --- against the daemon ----------------------------------------------------------
make_lab
conf=$tmp/lab.conf
cat >"$conf" <<EOF
config system global
    set hostname "lab-gw"
end
config firewall local-in-policy
    edit 9
        set intf "$IF"
        set srcaddr "all"
        set dstaddr "all"
        set service "ALL"
        set schedule "always"
        set action accept
    next
end
EOF
check_start "daemon enforcing the lab config" "$conf" || {
	cat "$ERR"
	exit 1
}
check "before: the peer's ping passes (policy 9 accepts)" ping_ok

pty seed "$SOCK" "$IF" "$PEER" "$GW_ADDR"
li_cmd status >"$tmp/status.out" 2>&1
check "localin status: local-in-policy 1 after the typed procedure" \
	grep -q "local-in-policy 1 (deny)" "$tmp/status.out"
check "localin status: 2 IPv4 policies" \
	grep -q "^policies: 2 IPv4" "$tmp/status.out"
check "the peer's ping still passes (policy 1 is IKE only)" ping_ok
check "the file has policy 1 and the group" \
	sh -c "grep -q 'set service \"IKE\"' '$conf' && grep -q 'set exclude-member \"remote-vpn\"' '$conf'"
check "the file compiles (localin check)" "$bin" check -c "$conf"
check "FILE.bak: the file before the last end (the group, no policy 1)" \
	sh -c "grep -q All_exceptions '$conf.bak' && ! grep -q '\"IKE\"' '$conf.bak'"
check "no temporary file left beside the config" \
	sh -c "! ls -a '$tmp' | grep -q '\\.cli-'"

cp "$conf" "$tmp/before.conf"
cp "$conf.bak" "$tmp/before.bak"
r0=$(reloads)
pty refused "$SOCK"
check "refused (does not compile): the file is byte-identical" \
	cmp -s "$conf" "$tmp/before.conf"
check "refused: FILE.bak untouched" cmp -s "$conf.bak" "$tmp/before.bak"
check "refused: the daemon did not reload ($(reloads))" [ "$(reloads)" = "$r0" ]

"$bin" cli -s "$SOCK" -c 'config firewall local-in-policy; purge; end' \
	>"$tmp/purge.out" 2>&1
rc=$?
check "the daemon refuses a config without policies: exit $rc" [ "$rc" = 1 ]
check "... the cli says the daemon refused it" \
	grep -q "refused the change" "$tmp/purge.out"
check "... with advice the console can follow (no reload --force: it has none)" \
	sh -c "grep -q 'keep a policy' '$tmp/purge.out' && ! grep -q 'applies it anyway' '$tmp/purge.out'"
check "... the file is byte-identical" cmp -s "$conf" "$tmp/before.conf"
check_status "... the daemon still enforces 2 policies" "^policies: 2 IPv4"
check "... no temporary file left" sh -c "! ls -a '$tmp' | grep -q '\\.cli-'"

# apply takes only what the cli stages beside the config (not /etc/passwd)
r0=$(reloads)
"$py" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(("apply %s\n" % sys.argv[2]).encode())
print(s.recv(4096).decode())' "$SOCK" /etc/passwd >"$tmp/apply.out" 2>&1
check "apply /etc/passwd: refused, nothing of it quoted" \
	sh -c "grep -q '^error' '$tmp/apply.out' && grep -q 'not a file localin cli staged' '$tmp/apply.out' && ! grep -q root: '$tmp/apply.out'"
check "... the daemon did not reload" [ "$(reloads)" = "$r0" ]
# ... nor a link to it where the cli stages (a group member who may write
# beside the config could put one there): root read it and quoted it back
ln -s /etc/passwd "$(dirname "$conf")/.$(basename "$conf").cli-link"
"$py" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(("apply %s\n" % sys.argv[2]).encode())
print(s.recv(65536).decode())' "$SOCK" \
	"$(dirname "$conf")/.$(basename "$conf").cli-link" >"$tmp/applyln.out" 2>&1
check "apply of a link to /etc/passwd where the cli stages: refused, nothing of it quoted" \
	sh -c "grep -q '^error' '$tmp/applyln.out' && grep -q 'symbolic link' '$tmp/applyln.out' && ! grep -q root: '$tmp/applyln.out'"
rm -f "$(dirname "$conf")/.$(basename "$conf").cli-link"
# ... nor the config itself made a link to it by another user (one who may
# write the config's directory): reload reads it as root and its error
# quoted /etc/passwd line by line; refused now, the link named
r0=$(reloads)
mv "$conf" "$tmp/real.conf"
ln -s /etc/passwd "$conf"
chown -h nobody "$conf"
li_cmd reload >"$tmp/reloadln.out" 2>&1
rc=$?
check "reload of a config that is another user's link to /etc/passwd: exit $rc, refused, the link named, nothing of it quoted" \
	sh -c "[ $rc = 1 ] && grep -q 'symbolic link $conf' '$tmp/reloadln.out' && ! grep -q root: '$tmp/reloadln.out'"
check_status "... the daemon still enforces 2 policies" "^policies: 2 IPv4"
# root's link to a file elsewhere (a checkout) is followed as ever
rm -f "$conf"
ln -s "$tmp/real.conf" "$conf"
li_cmd reload >"$tmp/reloadok.out" 2>&1
check "reload through root's own link: exit $?, reloaded" \
	grep -q "^reloaded" "$tmp/reloadok.out"
rm -f "$conf"
mv "$tmp/real.conf" "$conf"
# A config anyone may write: any local user could open the gateway at the
# next reload. Refused, its mode named, the running config kept.
mode=$(stat -c %a "$conf")
chmod o+w "$conf"
li_cmd reload >"$tmp/reloadww.out" 2>&1
rc=$?
check "reload of a config others may write: exit $rc, refused, its mode named" \
	sh -c "[ $rc = 1 ] && grep -q 'others may write it (mode 0' '$tmp/reloadww.out'"
check_status "... the daemon still enforces 2 policies" "^policies: 2 IPv4"
chmod "$mode" "$conf"
li_cmd reload >"$tmp/reloadww2.out" 2>&1
check "... and reloads once its mode is $mode again: exit $?" \
	grep -q "^reloaded" "$tmp/reloadww2.out"

r0=$(reloads)
printf '%s\n' 'config firewall local-in-policy' 'edit 1' \
	'set comments "from a script"' 'set schedule never-heard-of' 'end' |
	"$bin" cli -s "$SOCK" >"$tmp/script.out" 2>&1
rc=$?
check "script: stops at its first error, exit $rc" [ "$rc" = 1 ]
check "script: names line 4 and FortiOS's error" \
	sh -c "grep -q 'line 4:' '$tmp/script.out' && grep -q \"value parse error before 'never-heard-of'\" '$tmp/script.out'"
check "script: the file is byte-identical" cmp -s "$conf" "$tmp/before.conf"
check "script: the daemon did not reload" [ "$(reloads)" = "$r0" ]

printf '%s\n' 'config firewall local-in-policy' 'edit 1' \
	'set comments "from a script"' 'end' | "$bin" cli -s "$SOCK" \
	>"$tmp/script2.out" 2>&1
rc=$?
check "script: a good block applies, exit $rc" [ "$rc" = 0 ]
check "... the file has the comment" grep -q 'from a script' "$conf"
check "... the daemon reloaded once" [ "$(reloads)" != "$r0" ]
check "... FILE.bak is the file before it" cmp -s "$conf.bak" "$tmp/before.conf"
"$bin" cli -s "$SOCK" -c 'config firewall address; abort' >"$tmp/fresh-cli.out" 2>&1
check "... a config after it: no warning of an edit the daemon lacks" \
	lacks 'changed since the daemon loaded it' "$tmp/fresh-cli.out"

# --- execute in the console: the console's daemon, as `localin execute -s` ------
"$bin" execute -s "$SOCK" log display >"$tmp/exec-out.out" 2>&1
"$bin" cli -s "$SOCK" -c 'execute log display' >"$tmp/exec-in.out" 2>&1
rc=$?
check "execute log display in the console (-s SOCK): exit $rc, as outside with -s" \
	sh -c "[ $rc = 0 ] && grep -q 'logs returned' '$tmp/exec-in.out' && cmp -s '$tmp/exec-in.out' '$tmp/exec-out.out'"

# --- localin show: the file the daemon enforces -----------------------------------
"$bin" show -s "$SOCK" >"$tmp/show.out" 2>"$tmp/show.err"
rc=$?
"$bin" show -c "$conf" >"$tmp/show-c.out" 2>&1
check "show (no -c): exit $rc, the daemon's file as show -c prints it" \
	sh -c "[ $rc = 0 ] && cmp -s '$tmp/show.out' '$tmp/show-c.out' && [ ! -s '$tmp/show.err' ]"
"$bin" show -s "$SOCK" firewall addrgrp >"$tmp/grp.out" 2>&1
check "show firewall addrgrp (no -c): the exclusion group" \
	sh -c "head -n 1 '$tmp/grp.out' | grep -qx 'config firewall addrgrp' && grep -q 'set exclude enable' '$tmp/grp.out'"
touch -d '+1 minute' "$conf"
"$bin" show -s "$SOCK" system global >"$tmp/stale.out" 2>"$tmp/stale.err"
check "show after the file changed: still the file, and a warning to reload" \
	sh -c "grep -q 'config system global' '$tmp/stale.out' && grep -q 'changed since the daemon loaded it' '$tmp/stale.err' && grep -q 'localin reload' '$tmp/stale.err'"
"$bin" cli -s "$SOCK" -c 'config firewall address; abort' >"$tmp/stale-cli.out" 2>&1
check "config on a file newer than what the daemon enforces: warned, its end enforces that too" \
	sh -c "grep -q 'changed since the daemon loaded it' '$tmp/stale-cli.out' && grep -q 'localin reload' '$tmp/stale-cli.out'"
"$bin" show -s "$tmp/none.sock" >"$tmp/nod-show.out" 2>&1
rc=$?
check "show with no daemon: exit $rc, told to use -c FILE" \
	sh -c "[ $rc = 1 ] && grep -q -- '-c FILE' '$tmp/nod-show.out'"

# --- a daemon enforcing a symbolic link (config management's) ---------------------
# The cli saves the file the link names: the link stays one, the file it
# names (and its .bak) holds the change.
stop_term
mkdir "$tmp/etc"
ln -s "$conf" "$tmp/etc/link.conf"
cp "$conf" "$tmp/before-link.conf"
check_start "daemon enforcing a symbolic link to the config" "$tmp/etc/link.conf" || {
	cat "$ERR"
	exit 1
}
"$bin" cli -s "$SOCK" -c 'config firewall address; edit via-link; set subnet 10.77.0.0/16; end' \
	>"$tmp/link.out" 2>&1
rc=$?
check "cli through the link: exit $rc" [ "$rc" = 0 ]
check "... the link is still a link to the file" \
	sh -c "[ -L '$tmp/etc/link.conf' ] && [ \"\$(readlink '$tmp/etc/link.conf')\" = '$conf' ]"
check "... the file it names has the change" grep -q 'edit "via-link"' "$conf"
check "... FILE.bak beside it is the file before" cmp -s "$conf.bak" "$tmp/before-link.conf"
check_status "... the daemon enforces it" "^config: $tmp/etc/link.conf"
check "... no temporary file left in either directory" \
	sh -c "! ls -a '$tmp' '$tmp/etc' | grep -q '\\.cli-'"

# --- a daemon enforcing one VDOM of a multi-VDOM file ----------------------------
# cli's show reads the VDOM the daemon enforces, not root's.
stop_term
cat >"$tmp/vdoms.conf" <<EOF
config vdom
edit root
next
edit cust-a
next
end
config vdom
edit root
config firewall address
    edit "root-only"
        set subnet 192.0.2.1 255.255.255.255
    next
end
next
edit cust-a
config firewall address
    edit "cust-a-only"
        set subnet 192.0.2.2 255.255.255.255
    next
end
config firewall local-in-policy
    edit 9
        set intf "$IF"
        set srcaddr "all"
        set dstaddr "all"
        set service "ALL"
        set schedule "always"
        set action accept
    next
end
next
end
EOF
in_gw "$bin" run -c "$tmp/vdoms.conf" --vdom cust-a --log "$LOG" -s "$SOCK" \
	--pin-dir "$PIN" >>"$tmp/daemon.out" 2>>"$ERR" &&
	pids="$pids $(daemon_pid)"
check "daemon enforcing VDOM cust-a of a multi-VDOM file" \
	[ -n "$(daemon_pid)" ]
"$bin" cli -s "$SOCK" -c 'show firewall address' >"$tmp/vd-online.out" 2>&1
rc=$?
check "cli show: cust-a's addresses, not root's (exit $rc)" \
	sh -c "[ $rc = 0 ] && grep -q cust-a-only '$tmp/vd-online.out' && ! grep -q root-only '$tmp/vd-online.out'"
li_cmd stop >/dev/null 2>&1

[ "$fails" = 0 ]
