#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: the seed's alert e-mail (issue 9). The daemon runs in the
# gateway's namespace with `config alertemail setting` (IPsec-errors-logs)
# and `config system email-server`; Debian's aiosmtpd (tests/e2e/smtpd.py)
# listens on the gateway's loopback and stores what it receives. ESP with
# an unknown SPI (scapy, from the peer) makes the 0101037131 line:
# - it arrives as one mail with the From/To/Subject expected and the body
#   "Message meets Alert condition" + the log line, as in the seed;
# - several events within email-interval are one mail;
# - the SMTP server stopped mid-run: the daemon says so once, retries, and
#   the mail goes out when the server is back (status counts it);
# - a server that accepts and never answers: the daemon keeps enforcing,
#   `localin status` answers within 100 ms, the try times out, and the
#   mail goes out through a working server after a reload;
# - STARTTLS with a certificate made here (openssl) and a login; the
#   password is in neither the log nor the daemon's messages;
# - a server that refuses one recipient (550): the mail goes to the other,
#   and the refusal is said once and kept in status;
# - a server that refuses the mail itself (552 after the data): the mail is
#   dropped, counted and said, and the next batch is tried;
# - every 0101037131 line of the log is in some mail (none lost).
# LOCALIN_ALERTMAIL_MINUTE_MS makes the minutes alert mail counts 3 s.
#
#	sh tests/e2e/alertmail.sh BIN
#
# One PASS/FAIL line per check; SKIP (and exit 0) without root or tools.
set -u
bin=$(realpath "$1")
SUITE=e2e/alertmail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
SMTPD=$(realpath "$(dirname "$0")/smtpd.py")

need_root_and_tools ip nsenter unshare openssl
find_python
"$py" -c 'import aiosmtpd, scapy' 2>/dev/null ||
	skip "python3-aiosmtpd or python3-scapy is missing"
private_bpffs "$@"
setup_run am localin-alertmail
export LOCALIN_ALERTMAIL_MINUTE_MS=3000

SAFILE=$tmp/manual.sa
P_PLAIN=2525
P_HANG=2526
P_TLS=2527
srv_pids=""
cleanup_more() {
	for p in $srv_pids; do
		grep -qs "$SMTPD" "/proc/$p/cmdline" && kill "$p" 2>/dev/null
	done
}

# An SMTP server in the gateway's namespace, storing into dir.
smtpd_start() { # port dir [smtpd.py options]
	port=$1
	dir=$2
	mkdir -p "$dir"
	shift 2
	# not in_gw: a backgrounded function's $! is a subshell, not the server
	nsenter --net="/run/netns/$GW" "$py" "$SMTPD" --port "$port" \
		--dir "$dir" "$@" >"$tmp/smtpd-$port.out" 2>&1 &
	srv_pids="$srv_pids $!"
	eval "srv_$port=$!"
	wait_until 100 grep -q ready "$tmp/smtpd-$port.out"
}
smtpd_stop() { # port
	eval "p=\$srv_$1"
	kill "$p" 2>/dev/null
	wait "$p" 2>/dev/null
}

write_conf() { # port [security extra-lines [alertemail-lines more-config]]
	cat >"$conf" <<EOF
$(conf_interface)
$(conf_sa_manual)
config system email-server
    set server "127.0.0.1"
    set port $1
    set security ${2:-none}
${3:-}
end
config alertemail setting
    set username "fortigate@example.com"
    set mailto1 "admin@example.com"
    set mailto2 "noc@example.com"
    set IPsec-errors-logs enable
    set email-interval 1
${4:-}
end
${5:-}
$(conf_policy1 SSH)
EOF
}

esp_send() { # spi...: one raw ESP frame of each SPI, from the peer
	spis=$(echo "$@" | tr ' ' ',')
	ip netns exec "$PEER" "$py" -c "
import logging; logging.getLogger('scapy').setLevel(logging.ERROR)
from scapy.all import IP, ESP, Raw, send, conf
conf.verb = 0
send([IP(src='$PEER_ADDR', dst='$GW_ADDR') / ESP(spi=s, seq=1) /
      Raw(bytes(32)) for s in [$spis]])"
}
esp_bad() { count "ESP with an unknown SPI (dropped)"; }
mails() { # the messages stored so far
	n=0
	for f in "$tmp"/mail/*.eml; do
		[ -e "$f" ] && n=$((n + 1))
	done
	echo "$n"
}
mails_ge() { [ "$(mails)" -ge "$1" ]; }
esp_bad_gt() { [ "$(esp_bad)" -gt "$1" ]; }
mail_has() { # n spi: mail n holds the log line of that SPI
	grep -q "spi=\"$2\"" "$tmp/mail/$1.eml"
}
am_status() { li_cmd status | grep '^alert mail:'; }
am_count() { # label: "N label" in the alert mail line
	am_status | sed -n "s/.* \([0-9][0-9]*\) $1.*/\1/p"
}
logged() { grep -q "logid=\"0101037131\".*spi=\"$1\"" "$LOG"; }

make_lab
printf '%s 0xc0ffee01 %s manual\n' "$GW_ADDR" "$PEER_ADDR" >"$SAFILE"
conf=$tmp/localin.conf
mkdir -p "$tmp/mail"
smtpd_start $P_PLAIN "$tmp/mail" || fail "aiosmtpd does not start"
write_conf $P_PLAIN
check_start "start with alert mail to a plain SMTP server" "$conf" || exit 1
wait_until 50 sh -c "'$bin' status -s '$SOCK' | grep -q '^ESP SPI check: on'"

# --- the seed's event: one mail, as FortiOS sends it -------------------------
esp_send 0xdead0001
check "the unknown SPI is logged" wait_until 50 logged dead0001
check "one alert mail arrives" wait_until 150 mails_ge 1
m=$tmp/mail/1.eml
check "From: the alertemail username" grep -q '^From: fortigate@example.com' "$m"
check "To: mailto1 and mailto2" \
	grep -q '^To: admin@example.com, noc@example.com' "$m"
check "Subject: Message meets Alert condition" \
	grep -q '^Subject: Message meets Alert condition' "$m"
check "envelope: MAIL FROM the username, RCPT TO both" \
	[ "$(cat "$tmp/mail/1.env")" = "$(printf 'fortigate@example.com\nadmin@example.com\nnoc@example.com')" ]
line=$(grep 'logid="0101037131".*spi="dead0001"' "$LOG" | head -n 1)
body=$(sed '1,/^\r*$/d' "$m" | tr -d '\r')
check "body: 'Message meets Alert condition' and the log line, as logged" \
	[ "$body" = "$(printf 'Message meets Alert condition\n%s' "$line")" ]

# --- several events within email-interval: one mail --------------------------
esp_send 0xdead0002
sleep 0.5
esp_send 0xdead0003 0xdead0004
check "three events logged" wait_until 50 logged dead0004
check "... go out as one mail" wait_until 150 mails_ge 2
check "... holding all three lines" \
	sh -c "grep -q 'spi=\"dead0002\"' '$tmp/mail/2.eml' && grep -q 'spi=\"dead0003\"' '$tmp/mail/2.eml' && grep -q 'spi=\"dead0004\"' '$tmp/mail/2.eml'"
check "... each after 'Message meets Alert condition'" \
	[ "$(grep -c '^Message meets Alert condition' "$tmp/mail/2.eml")" = 3 ]
sleep 4
check "... and no other mail" [ "$(mails)" = 2 ]
check "status: 2 sent (4 lines), none pending, none dropped" \
	sh -c "'$bin' status -s '$SOCK' | grep -q '^alert mail: to admin@example.com, noc@example.com via smtp://127.0.0.1:$P_PLAIN/.*: 2 sent (4 lines), 0 lines pending, 0 dropped'"
li_cmd status -j >"$tmp/status.json"
check "status -j: alert_mail to the two, via the server, 2 sent (4 lines), none pending or dropped" \
	"$py" -c '
import json, sys
a = json.load(open(sys.argv[1]))["alert_mail"]
assert a["to"] == "admin@example.com, noc@example.com"
assert a["via"].startswith("smtp://127.0.0.1:%s/" % sys.argv[2])
assert (a["sent"], a["sent_lines"], a["pending_lines"], a["dropped"]) == (2, 4, 0, 0)
assert a["failures"] == 0 and a["last_error"] is None and a["retrying"] is False
' "$tmp/status.json" "$P_PLAIN"

# --- the server stopped mid-run, then back ------------------------------------
smtpd_stop $P_PLAIN
esp_send 0xdead0005
check "server down: the try fails, the mail is kept" \
	wait_until 200 sh -c "'$bin' status -s '$SOCK' | grep -q '^alert mail:.* 1 lines pending.*last error: .*(retrying)'"
check "... and is retried (2 failed tries)" \
	wait_until 200 sh -c "[ \"\$('$bin' status -s '$SOCK' | sed -n 's/^alert mail:.* \([0-9]*\) failed tries.*/\1/p')\" -ge 2 ]"
b0=$(esp_bad)
esp_send 0xdead0099
check "... while the daemon keeps enforcing" wait_until 30 esp_bad_gt "$b0"
check "... said once for the episode" \
	[ "$(grep -c 'alert mail to .* failed' "$ERR")" = 1 ]
smtpd_start $P_PLAIN "$tmp/mail" || fail "aiosmtpd does not restart"
check "server back: the kept mail goes out" \
	wait_until 400 mails_ge 3
check "... with the line logged while it was down" mail_has 3 dead0005
check "... and the daemon says it is sent again" \
	wait_until 20 grep -q 'alert mail to .*: sent again, after' "$ERR"
wait_until 150 mails_ge 4 # dead0099's mail
check "status: 4 sent, none pending, the last error kept" \
	sh -c "'$bin' status -s '$SOCK' | grep -q '^alert mail:.* 4 sent (6 lines), 0 lines pending, 0 dropped.*last error: '"

# --- a server that accepts and never answers ---------------------------------
smtpd_start $P_HANG "$tmp/mail" --hang || fail "the hanging server does not start"
write_conf $P_HANG
li_cmd reload >/dev/null
esp_send 0xdead0006
check "hung server: a try is under way" \
	wait_until 100 sh -c "'$bin' status -s '$SOCK' | grep -q '^alert mail:.* 1 lines pending'"
# The daemon's answer to `status` on its socket (the protocol of
# src/daemon/ctl.h: "ok N", N lines), timed without the client's start-up.
status_ms() { # samples: the slowest answer, in ms
	"$py" -c "
import socket, sys, time
worst = 0
for _ in range($1):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    t0 = time.monotonic()
    s.connect('$SOCK')
    s.sendall(b'status\\n')
    buf = b''
    while b'\\n' not in buf:
        buf += s.recv(65536)
    n = int(buf.split(b'\\n')[0].split()[1])
    while buf.count(b'\\n') < n + 1:
        buf += s.recv(65536)
    worst = max(worst, time.monotonic() - t0)
    s.close()
    time.sleep(0.1)
print(int(worst * 1000))"
}
worst=$(status_ms 10)
echo "# status answered while the SMTP server hangs: slowest of 10: $worst ms"
check "... status answers within 100 ms (slowest of 10: $worst ms)" \
	[ "${worst:-999}" -lt 100 ]
b0=$(esp_bad)
esp_send 0xdead0098
check "... the daemon keeps enforcing" wait_until 30 esp_bad_gt "$b0"
check "... the try times out" \
	wait_until 200 sh -c "'$bin' status -s '$SOCK' | grep -q '^alert mail:.*last error: Timeout.*(retrying)'"
n0=$(mails)
write_conf $P_PLAIN
li_cmd reload >/dev/null
check "a working server after a reload: the kept mail goes out" \
	wait_until 400 mails_ge "$((n0 + 1))"
check "... with its line" mail_has "$((n0 + 1))" dead0006

# --- STARTTLS with a login ---------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
	-keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1 ||
	fail "openssl cannot make a certificate"
smtpd_start $P_TLS "$tmp/mail" --cert "$tmp/cert.pem" --key "$tmp/key.pem" \
	--auth gw:Tls-s3cret || fail "the STARTTLS server does not start"
write_conf $P_TLS starttls '    set authenticate enable
    set username "gw"
    set password Tls-s3cret'
check "show writes the password as ENC, not in clear" \
	sh -c "'$bin' show -c '$conf' | grep -q '^    set password ENC ' && ! '$bin' show -c '$conf' | grep -q s3cret"
li_cmd reload >/dev/null
wait_until 150 mails_ge "$((n0 + 2))" # dead0098's, if not yet
n0=$(mails)
esp_send 0xdead0007
check "STARTTLS and login: the mail arrives" \
	wait_until 200 mails_ge "$((n0 + 1))"
check "... with its line" mail_has "$((n0 + 1))" dead0007
check "the password is in no log line and no daemon message" \
	sh -c "! grep -q s3cret '$LOG' '$ERR' '$tmp/daemon.out'"

# --- a recipient the server refuses: the others still get the mail -----------
P_REJ=2528
smtpd_start $P_REJ "$tmp/mail" --reject-rcpt noc@example.com ||
	fail "the refusing server does not start"
write_conf $P_REJ
li_cmd reload >/dev/null
n0=$(mails)
esp_send 0xdead0008
check "mailto2 refused (550): the mail still goes to mailto1" \
	wait_until 200 mails_ge "$((n0 + 1))"
check "... with its line, to admin@example.com only" sh -c \
	"grep -q 'spi=\"dead0008\"' '$tmp/mail/$((n0 + 1)).eml' && [ \"\$(tail -n +2 '$tmp/mail/$((n0 + 1)).env')\" = admin@example.com ]"
check "... the refusal is in status, in the server's words" sh -c \
	"'$bin' status -s '$SOCK' | grep -q '^alert mail:.* 0 lines pending.*last error: a recipient refused: 550 5.1.1 <noc@example.com>'"
esp_send 0xdead0009
wait_until 200 mails_ge "$((n0 + 2))"
check "... and said once in the daemon's messages, not for every mail" sh -c \
	"[ \$(grep -c 'sent, but the server refused a recipient: 550 5.1.1 <noc@example.com>' '$ERR') = 1 ]"

# --- none lost ---------------------------------------------------------------
wait_until 150 sh -c "'$bin' status -s '$SOCK' | grep -q '^alert mail:.* 0 lines pending'"
lost=""
for s in $(sed -n 's/.*logid="0101037131".*spi="\([0-9a-f]*\)".*/\1/p' "$LOG" | sort -u); do
	grep -q "spi=\"$s\"" "$tmp"/mail/*.eml || lost="$lost $s"
done
check "every 0101037131 line of the log is in a mail${lost:+ (missing:$lost)}" [ -z "$lost" ]
check "status: nothing dropped" \
	sh -c "'$bin' status -s '$SOCK' | grep -q '^alert mail:.* 0 dropped'"

# --- violation-traffic-logs: the denied traffic lines too ------------------------
write_conf $P_PLAIN none "" "    set violation-traffic-logs enable" "config log setting
    set local-in-deny-unicast enable
end
config firewall local-in-policy
    edit 2
        set intf \"$IF\"
        set srcaddr \"all\"
        set dstaddr \"all\"
        set service \"TELNET\"
        set schedule \"always\"
        set action deny
    next
end"
li_cmd reload >/dev/null
ip netns exec "$PEER" "$py" -c "
import logging; logging.getLogger('scapy').setLevel(logging.ERROR)
from scapy.all import IP, TCP, send, conf
conf.verb = 0
send(IP(src='$PEER_ADDR', dst='$GW_ADDR') / TCP(sport=40123, dport=23, flags='S'))"
check "violation-traffic-logs enable: a denied packet's line goes out by mail" \
	wait_until 150 sh -c "grep -qs 'dstport=23 .*action=\"deny\"' '$tmp'/mail/*.eml"
write_conf $P_PLAIN
li_cmd reload >/dev/null

# --- a mail the server refuses for good (552 after its data) --------------------
P_BIG=2529
smtpd_start $P_BIG "$tmp/mail" --reject-data "552 5.3.4 Message too big" ||
	fail "the server refusing every mail does not start"
write_conf $P_BIG
li_cmd reload >/dev/null
d0=$(am_count dropped)
esp_send 0xdead0010
check "a mail refused for good (552 after its data): dropped and said, in the server's words" \
	wait_until 200 grep -q "the server refused the mail: .*552 5.3.4 Message too big.*; its 1 lines are dropped" "$ERR"
check "... not kept and retried for ever: none pending, its line counted as dropped" \
	sh -c "'$bin' status -s '$SOCK' | grep -q '^alert mail:.* 0 lines pending, $((d0 + 1)) dropped'"
esp_send 0xdead0011
check "... and the next batch is tried, not held behind it" \
	wait_until 200 sh -c "[ \$(grep -c 'the server refused the mail: ' '$ERR') = 2 ]"

# --- libcurl missing: it is loaded when the alert mail starts ---------------------
pid=$(daemon_pid)
li_cmd stop >/dev/null
wait_until 100 gone "$pid"
write_conf "$P_PLAIN"
export LOCALIN_LIBCURL=libnosuch-localin.so.4
check_start "a daemon whose libcurl cannot be loaded (LOCALIN_LIBCURL) starts" "$conf"
unset LOCALIN_LIBCURL
check "... says why no mail is sent" \
	wait_until 50 grep -q "alert mail: cannot set up libcurl: libnosuch-localin.so.4: cannot open shared object file" "$ERR"
n0=$(mails)
esp_send 0xdead0042
check "... and still drops unknown-SPI ESP (logged, no mail)" \
	wait_until 50 grep -q 'spi="dead0042"' "$LOG"

li_cmd stop >/dev/null
[ "$fails" -eq 0 ]
