#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A test SMTP server (Debian's python3-aiosmtpd): each message it takes
is stored as DIR/N.eml (N counting on from what DIR holds) (the message) and DIR/N.env (MAIL FROM and RCPT TO,
one a line). --cert/--key: offer STARTTLS and require it; --auth USER:PASS:
require that login. --reject-rcpt ADDR: answer RCPT TO that address with
550 (a recipient that does not exist). --reject-data REPLY: answer every
message's DATA with REPLY ("552 5.3.4 Message too big"). --hang: accept connections and never answer (no
greeting), the server a client must give up on."""
import argparse
import os
import signal
import socket
import ssl
import sys
import time


def hang(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(16)
    held = []
    print("ready", flush=True)
    while True:
        c, _ = s.accept()
        held.append(c)  # never read, never written


def serve(a):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    class Store:
        n = 0

        async def handle_RCPT(self, server, session, envelope, address,
                              rcpt_options):
            if address in (a.reject_rcpt or []):
                return "550 5.1.1 <%s>: Recipient address rejected" % address
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            if a.reject_data:
                return a.reject_data
            Store.n += 1
            base = os.path.join(a.dir, "%d" % Store.n)
            with open(base + ".tmp", "wb") as f:
                f.write(envelope.original_content or envelope.content)
            with open(base + ".env", "w") as f:
                f.write(envelope.mail_from + "\n")
                for r in envelope.rcpt_tos:
                    f.write(r + "\n")
            os.rename(base + ".tmp", base + ".eml")
            return "250 OK stored"

    kw = {}
    if a.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
        kw.update(tls_context=ctx, require_starttls=True)
    if a.auth:
        user, pw = a.auth.split(":", 1)

        def check(server, session, envelope, mechanism, data):
            ok = (isinstance(data, LoginPassword) and
                  data.login.decode() == user and
                  data.password.decode() == pw)
            return AuthResult(success=ok)

        kw.update(authenticator=check, auth_required=True,
                  auth_require_tls=bool(a.cert))
    # a server restarted on the same directory goes on numbering
    Store.n = len([f for f in os.listdir(a.dir) if f.endswith(".eml")])
    c = Controller(Store(), hostname=a.host, port=a.port,
                   ready_timeout=30, **kw)
    c.start()
    print("ready", flush=True)
    signal.sigwait([signal.SIGTERM, signal.SIGINT])
    c.stop()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=2525)
    p.add_argument("--dir")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--auth")
    p.add_argument("--hang", action="store_true")
    p.add_argument("--reject-rcpt", action="append")
    p.add_argument("--reject-data")
    a = p.parse_args()
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM, signal.SIGINT])
    if a.hang:
        signal.pthread_sigmask(signal.SIG_UNBLOCK,
                               [signal.SIGTERM, signal.SIGINT])
        signal.signal(signal.SIGTERM, lambda *x: sys.exit(0))
        hang(a.host, a.port)
    else:
        serve(a)


if __name__ == "__main__":
    main()
