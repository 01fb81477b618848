#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Type into `localin cli` through a pseudo-terminal, as an admin would.

    cli_pty.py BIN SCENARIO ARGS...

Scenarios (each prints PASS/FAIL lines, prefixed with $SUITE):
  offline FILE        prompts, Tab, ?, abbreviations, errors, abort
                      (FILE: a copy of examples/seed.conf, edited offline)
  seed SOCK IF NS ADDR  the seed's procedure typed against the daemon, then
                      its three diagnose lines: the IKE probe from NS to
                      ADDR is on the terminal, dropped by policy 1
  refused SOCK        a change that does not compile, then abort
  utf8 FILE           in the C locale, a non-ASCII hostname (the prompt),
                      name and value typed; Ctrl-C right before Enter
Exit status: the number of FAILs (0: all passed).
"""
import os
import pty
import re
import select
import subprocess
import sys
import time

SUITE = os.environ.get("SUITE", "e2e/cli")
TIMEOUT = 30  # seconds for one answer: the machine is shared and noisy
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|[\x00\x07\r]")
fails = 0


def result(ok, what):
    global fails
    print(("PASS" if ok else "FAIL") + " %s: %s" % (SUITE, what), flush=True)
    if not ok:
        fails += 1


class Term:
    def __init__(self, argv):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ["TERM"] = "vt100"
            os.execv(argv[0], argv)
        self.raw = b""
        self.seen = 0  # what expect() has consumed

    def read(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            return False
        self.raw += data
        return bool(data)

    def text(self):
        return ANSI.sub(b"", self.raw).decode("utf-8", "replace")

    def expect(self, pattern, timeout=TIMEOUT):
        """Wait for @pattern (regex) after what was seen; the match or None."""
        end = time.time() + timeout
        rx = re.compile(pattern)
        while True:
            m = rx.search(self.text(), self.seen)
            if m:
                self.seen = m.end()
                return m
            left = end - time.time()
            if left <= 0 or not self.read(min(left, 1)):
                if left <= 0:
                    return None

    def send(self, s):
        os.write(self.fd, s.encode())

    def line(self, s, prompt):
        """Type a line and wait for the next prompt; the output between."""
        start = self.seen  # what came before was expected: see redisplay
        self.send(s + "\r")
        m = self.expect(re.escape(prompt))
        return self.text()[start:m.start()] if m else None

    def redisplay(self, prompt, typed):
        """After a list (? or Tab): the prompt again, with the line typed."""
        return self.expect(re.escape(prompt + typed)) is not None

    def close(self, wait=0):
        """The exit status (os.waitpid's); waits @wait s for an exit first."""
        if os.environ.get("CLI_PTY_DEBUG"):
            sys.stderr.write(self.text())
        end = time.time() + wait
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return status
            if time.time() >= end:
                break
            self.read(0.1)  # drain: a full pty would block its exit
        try:
            os.close(self.fd)
        except OSError:
            pass
        for _ in range(100):
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return status
            time.sleep(0.1)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        return -1

    def exit(self, what):
        """`exit`: the shell ends with 0 (and nothing ASan would say)."""
        self.send("exit\r")
        status = self.close(TIMEOUT)
        result(status == 0 and "Sanitizer" not in self.text(),
               "%s: `exit` ends the shell, status 0 (%s)" % (what, status))


def first_prompt(t, host, what):
    """No prompt at all: one FAIL (with what came), not a timeout a line."""
    ok = t.expect(re.escape(host + " # ")) is not None
    result(ok, what if ok else what + " (got %r)" % t.text()[-200:])
    if not ok:
        t.close()
    return ok


def offline(bin_, conf):
    t = Term([bin_, "cli", "-f", conf, "-s", "/nonexistent/sock"])
    host = "vpn-gw1"
    if not first_prompt(t, host, "prompt \"vpn-gw1 # \" (hostname from system global)"):
        return
    out = t.line("conf fire local", host + " (local-in-policy) # ")
    result(out is not None, "abbreviated `conf fire local` opens local-in-policy, prompt (local-in-policy)")
    out = t.line("ed 1", host + " (1) # ")
    result(out is not None, "`ed 1` opens policy 1, prompt (1)")
    # ?: the attributes starting with "act", with their type
    t.send("set act?")
    m = t.expect(r"action\s+\{accept \| deny\} \(default: deny\)")
    result(m is not None and t.redisplay(host + " (1) # ", "set act"),
           "? after `set act` lists action, then the line again")
    # Tab: the enum value, then the reference
    t.send("ion acc\t")
    result(t.expect(r"accept ") is not None, "Tab completes `acc` to `accept `")
    t.line("", host + " (1) # ")
    t.send("set srcaddr remo\t")
    result(t.expect(r"remote-vpn ") is not None, "Tab completes an address name that exists (remote-vpn)")
    t.line("", host + " (1) # ")
    # a name with a blank: escaped so that the lexer reads it back whole
    t.send("set service Email\t")
    result(t.expect(r"Email\\ Access ") is not None, "Tab completes a name with a blank, escaped (Email\\ Access)")
    out = t.line("", host + " (1) # ")
    result(out is not None and "error" not in out, "... and the line is taken")
    t.send("set service ?")
    m = t.expect(r"IKE")
    result(m is not None and t.redisplay(host + " (1) # ", "set service "),
           "? after `set service` lists the services (IKE)")
    t.send("\x15")  # ^U: the line is dropped
    t.line("", host + " (1) # ")
    t.send("se\t")  # set, select: the common prefix only, and the list
    ok = bool(t.expect(r"(\n.*(set\s+Modify value|select\s+Replace a list).*){2}"))
    ok = ok and t.redisplay(host + " (1) # ", "se")
    t.send("?")
    ok = ok and t.expect(r"(\n.*(set\s+Modify value|select\s+Replace a list).*){2}")
    ok = ok and t.redisplay(host + " (1) # ", "se")
    result(ok,
           "Tab on `se` stops at the common prefix; ? lists select and set")
    t.send("\x15")
    out = t.line("", host + " (1) # ")
    out = t.line("set bogus 1", host + " (1) # ")
    result(out is not None and "command parse error before 'bogus'" in out
           and "Command fail. Return code -61" in out
           and 'unknown attribute "bogus" in config firewall local-in-policy' in out,
           "unknown attribute: FortiOS's two lines, then localin's")
    out = t.line("set srcaddr nosuch", host + " (1) # ")
    result(out is not None and "entry not found in datasource" in out
           and "value parse error before 'nosuch'" in out
           and "Return code -3" in out,
           "reference to nothing: entry not found in datasource")
    out = t.line("sh", host + " (1) # ")
    result(out is not None and "set action accept" in out and 'set srcaddr "remote-vpn"' in out
           and 'set service "Email Access"' in out,
           "show in the edit prints the staged entry")
    t.send("set comments half-typed\x03")
    m = t.expect(re.escape(host + " (1) # "))
    out = t.line("show | grep comments", host + " (1) # ")
    result(m is not None and out is not None and "half-typed" not in out,
           "Ctrl-C drops the line being typed, the session stays")
    out = t.line("show | grep srcaddr", host + " (1) # ")
    result(out is not None and 'set srcaddr "remote-vpn"' in out and "set action" not in out,
           "show | grep: only the matching lines")
    out = t.line("abort", host + " # ")
    result(out is not None, "abort returns to the top prompt")
    out = t.line("show firewall local-in-policy 1", host + " # ")
    result(out is not None and "set action" not in out and '"All_exceptions"' in out,
           "after abort, policy 1 is as in the file")
    out = t.line("\x10", host + " # ")  # ^P: the line before, again
    result(out is not None and "show firewall local-in-policy 1" in out
           and '"All_exceptions"' in out, "history: ^P recalls the last line")
    # someone edits the file meanwhile: end refuses rather than undo it
    t.line("config firewall address", host + " (address) # ")
    t.line("edit other", host + " (other) # ")
    t.line("set subnet 10.1.0.0/16", host + " (other) # ")
    with open(conf) as f:
        orig = f.read()
    with open(conf, "a") as f:
        f.write("# edited meanwhile\n")
    out = t.line("end", host + " (other) # ")
    result(out is not None and "changed since this `config` began" in out
           and "Command fail" in out,
           "end refuses when the file changed meanwhile, levels stay open")
    with open(conf, "w") as f:
        f.write(orig)
    out = t.line("abort", host + " # ")
    result(out is not None, "abort after that")
    # a nested level: show prints it, abort ends it, back at the entry
    t.line("config system interface", host + " (interface) # ")
    t.line("edit wan1", host + " (wan1) # ")
    t.line("config secondaryip", host + " (secondaryip) # ")
    t.line("edit 1", host + " (1) # ")
    t.line("set ip 10.1.1.1/24", host + " (1) # ")
    out = t.line("show", host + " (1) # ")
    result(out is not None and "config secondaryip" in out
           and "system interface" not in out,
           "show in a nested edit prints that level, not the interface")
    out = t.line("abort", host + " (wan1) # ")
    result(out is not None, "abort in a nested config: back at the entry (wan1)")
    out = t.line("show", host + " (wan1) # ")
    result(out is not None and 'edit "wan1"' in out and "10.1.1.1" not in out,
           "... without the nested config's changes")
    out = t.line("abort", host + " # ")
    result(out is not None, "abort in the outermost edit: the top prompt")
    t.exit("offline")


def ike_probe(ns, addr):
    """One IKE-sized datagram from port 500 in @ns to @addr:500."""
    subprocess.run(["ip", "netns", "exec", ns, sys.executable, "-c",
                    "import socket\n"
                    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                    "s.bind(('0.0.0.0', 500))\n"
                    "s.sendto(b'\\0' * 28, ('%s', 500))\n" % addr],
                   check=False)


def seed(bin_, sock, intf, ns, addr):
    t = Term([bin_, "cli", "-s", sock])
    host = "lab-gw"
    if not first_prompt(t, host, "prompt \"lab-gw # \" against the daemon"):
        return
    lines = [
        ("config firewall address", "(address) # "),
        ('edit "remote-vpn"', "(remote-vpn) # "),
        ("set subnet 203.0.113.10 255.255.255.255", "(remote-vpn) # "),
        ("next", "(address) # "),
        ("end", host + " # "),
        ("config firewall addrgrp", "(addrgrp) # "),
        ('edit "All_exceptions"', "(All_exceptions) # "),
        ('set member "all"', "(All_exceptions) # "),
        ("set exclude enable", "(All_exceptions) # "),
        ('set exclude-member "remote-vpn"', "(All_exceptions) # "),
        ("next", "(addrgrp) # "),
        ("end", host + " # "),
        ("config firewall local-in-policy", "(local-in-policy) # "),
        ("edit 1", "(1) # "),
        ('set intf "%s"' % intf, "(1) # "),
        ('set srcaddr "All_exceptions"', "(1) # "),
        ('set dstaddr "all"', "(1) # "),
        ('set service "IKE"', "(1) # "),
        ('set schedule "always"', "(1) # "),
        ("next", "(local-in-policy) # "),
        ("move 1 before 9", "(local-in-policy) # "),
        ("end", host + " # "),
    ]
    bad = [l for l, p in lines if t.line(l, p) is None]
    result(not bad, "the seed's procedure typed line by line%s" % (
        (": no prompt after " + bad[0]) if bad else ""))
    # The seed's three lines, typed in the shell as on the FortiGate.
    out = t.line("diagnose debug flow filter dport 500", host + " # ")
    out2 = t.line("diagnose debug flow trace start 10", host + " # ")
    result(out is not None and out2 is not None
           and "command parse error" not in out + out2,
           "diagnose debug flow filter dport 500; trace start 10 in the shell")
    t.send("diagnose debug enable\r")
    # Streaming: no prompt until the trace ends or Ctrl-C; probe until
    # the drop is on this terminal (the first may race the stream's start).
    m = None
    for _ in range(10):
        ike_probe(ns, addr)
        m = t.expect(r"check failed on policy 1, drop", 3)
        if m:
            break
    result(m is not None,
           "diagnose debug enable: the IKE probe dropped by policy 1, on the terminal"
           + ("" if m else " (got %r)" % t.text()[-300:]))
    t.send("\x03")
    result(t.expect(re.escape(host + " # ")) is not None,
           "Ctrl-C ends the trace on the terminal, the prompt comes back")
    out = t.line("get system status", host + " # ")
    result(out is not None and "Hostname: lab-gw" in out,
           "the shell goes on after the trace (get system status)")
    t.exit("seed")


def refused(bin_, sock):
    t = Term([bin_, "cli", "-s", sock])
    host = "lab-gw"
    if not first_prompt(t, host, "refused: the shell's prompt"):
        return
    t.line("config firewall addrgrp", "(addrgrp) # ")
    t.line("edit loop", "(loop) # ")
    t.line("set member loop", "(loop) # ")
    t.line("next", "(addrgrp) # ")
    out = t.line("end", "(addrgrp) # ")
    result(out is not None and "Command fail. Return code -7" in out
           and "(staged):" in out and "nothing applied" in out,
           "a change that does not compile: located error, Command fail, levels stay open")
    out = t.line("abort", host + " # ")
    result(out is not None, "abort after the refused end")
    t.exit("refused")


def utf8(bin_, conf):
    """In the C locale: a non-ASCII hostname, names and values typed."""
    for k in ("LANG", "LC_ALL", "LC_CTYPE"):
        os.environ.pop(k, None)
    t = Term([bin_, "cli", "-f", conf, "-s", "/nonexistent/sock"])
    host = "gw-\u00e9"
    if not first_prompt(t, host, "utf8: prompt \"gw-\u00e9 # \" (no crash on a non-ASCII hostname)"):
        return
    t.line("config firewall address", "(address) # ")
    t.line('edit "\u00fcmlaut"', "(\u00fcmlaut) # ")
    t.line("set subnet 10.9.9.0/24", "(\u00fcmlaut) # ")
    t.line('set comment "caf\u00e9"', "(\u00fcmlaut) # ")
    t.line("next", "(address) # ")
    # Ctrl-C and Enter in one read (a paste, a slow link): nothing runs.
    t.send('delete "\u00fcmlaut"\x03\r')
    t.expect(re.escape("(address) # "))
    out = t.line("end", host + " # ")
    result(out is not None, "utf8: end applies")
    t.exit("utf8")
    text = open(conf, encoding="utf-8").read()
    result('edit "\u00fcmlaut"' in text and 'set comment "caf\u00e9"' in text,
           "utf8: the name and the value typed are saved whole, and the "
           "line cancelled with Ctrl-C did not delete the entry")


def main():
    bin_, scenario, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    {"offline": offline, "seed": seed, "refused": refused,
     "utf8": utf8}[scenario](bin_, *args)
    sys.exit(min(fails, 100))


if __name__ == "__main__":
    main()
