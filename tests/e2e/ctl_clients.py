#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Raw clients of the daemon's control socket for tests/e2e/ctlsock.sh.

The protocol (src/daemon/ctl.h): a request is one line; an answer is
"ok N" or "error N" and then N lines. Each mode prints KEY VALUE lines
(flushed as they come) for the script to grep:

  idle SOCK N SECS     connect N clients (every other one sends half a
                       request), print "connected K", then wait up to SECS
                       for the daemon to close them: "closed K", "secs T",
                       "said LINE" (each distinct line they were sent)
  flood SOCK PID COUNT SECS
                       send COUNT "status" requests without reading any
                       answer, watching the VmRSS of PID: "rss_before KB",
                       "sent K", "cut_off yes|no", "secs T", "rss_max KB"
  pipelined SOCK COUNT send COUNT "status" requests, reading the answers as
                       they come: "answers K" (ok ones)
  burst SOCK N SECS    connect N clients at once (a connect that finds the
                       queue full fails: EAGAIN) and send "status" on
                       each; what each got within SECS: "connected K",
                       "said LINE" (each distinct line), "answered K"
  stopper SOCK COUNT SECS
                       send COUNT "status" requests, a second later "stop",
                       read nothing, and hold the connection SECS seconds:
                       "sent yes"
"""
import select
import socket
import sys
import time


def connect(path, timeout):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
    except OSError:
        s.close()
        return None
    return s


def say(key, value):
    print(key, value, flush=True)


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def read_until_closed(socks, secs):
    """Read each socket until EOF or error; returns (closed, texts, t)."""
    start = time.monotonic()
    texts = {s: b"" for s in socks}
    open_ = set(socks)
    while open_ and time.monotonic() - start < secs:
        ready, _, _ = select.select(list(open_), [], [], 0.2)
        for s in ready:
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                open_.discard(s)
            else:
                texts[s] += data
    return len(socks) - len(open_), texts, time.monotonic() - start


def report_lines(texts):
    seen = set()
    for t in texts.values():
        for line in t.decode(errors="replace").splitlines():
            if line not in seen:
                seen.add(line)
                say("said", line)


def idle(path, n, secs):
    socks = []
    for i in range(n):
        s = connect(path, 5)
        if s is None:
            continue
        if i % 2:
            s.sendall(b"stat")  # a request never finished
        socks.append(s)
    say("connected", len(socks))
    closed, texts, t = read_until_closed(socks, secs)
    say("closed", closed)
    say("secs", "%.1f" % t)
    report_lines(texts)


def flood(path, pid, count, secs):
    say("rss_before", rss_kb(pid))
    s = connect(path, 5)
    if s is None:
        say("connected", 0)
        return
    s.setblocking(False)
    req = b"status\n" * 1024
    left = count * 7
    sent = 0
    cut = False
    rss_max = 0
    p = select.poll()
    p.register(s, select.POLLOUT)
    start = time.monotonic()
    while time.monotonic() - start < secs:
        rss_max = max(rss_max, rss_kb(pid))
        ev = p.poll(50)
        if ev and ev[0][1] & (select.POLLHUP | select.POLLERR):
            cut = True
            break
        if ev and ev[0][1] & select.POLLOUT and left:
            try:
                n = s.send(req[: min(len(req), left)])
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                cut = True
                break
            sent += n
            left -= n
            if not left:
                p.modify(s, 0)  # all sent: wait for the close only
    say("sent", sent // 7)
    say("cut_off", "yes" if cut else "no")
    say("secs", "%.1f" % (time.monotonic() - start))
    say("rss_max", max(rss_max, rss_kb(pid)))
    s.close()


def pipelined(path, count):
    s = connect(path, 5)
    if s is None:
        say("answers", 0)
        return
    s.setblocking(False)
    out = b"status\n" * count
    buf = b""
    answers = 0
    body = 0  # lines of the current answer still to come
    start = time.monotonic()
    while answers < count and time.monotonic() - start < 60:
        w = [s] if out else []
        r, w, _ = select.select([s], w, [], 1)
        if w:
            try:
                out = out[s.send(out[:65536]):]
            except BlockingIOError:
                pass
        if not r:
            continue
        data = s.recv(65536)
        if not data:
            break
        buf += data
        lines = buf.split(b"\n")
        buf = lines.pop()
        for line in lines:
            if body:
                body -= 1
            elif line.startswith(b"ok "):
                answers += 1
                body = int(line.split()[1])
            else:
                say("unexpected", line.decode(errors="replace"))
                body = 0
    say("answers", answers)
    s.close()


def burst(path, n, secs):
    socks = []
    for _ in range(n):
        s = connect(path, 1)  # with a timeout: a non-blocking connect
        if s is not None:
            socks.append(s)
    say("connected", len(socks))
    for s in socks:
        try:
            s.sendall(b"status\n")
        except OSError:
            pass
    _, texts, _ = read_until_closed(socks, secs)
    report_lines(texts)
    say("answered", sum(1 for t in texts.values() if t.startswith(b"ok ")))


def stopper(path, count, secs):
    s = connect(path, 5)
    if s is None:
        say("sent", "no")
        return
    s.sendall(b"status\n" * count)
    time.sleep(1)  # the daemon has served what its back-pressure lets in
    s.sendall(b"stop\n")
    say("sent", "yes")
    time.sleep(secs)
    s.close()


def main(argv):
    mode = argv[1]
    if mode == "idle":
        idle(argv[2], int(argv[3]), float(argv[4]))
    elif mode == "flood":
        flood(argv[2], int(argv[3]), int(argv[4]), float(argv[5]))
    elif mode == "pipelined":
        pipelined(argv[2], int(argv[3]))
    elif mode == "burst":
        burst(argv[2], int(argv[3]), float(argv[4]))
    elif mode == "stopper":
        stopper(argv[2], int(argv[3]), float(argv[4]))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main(sys.argv)
