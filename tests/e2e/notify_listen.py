# SPDX-License-Identifier: GPL-2.0
"""The systemd end of sd_notify(3), for tests/e2e/notify.sh.

    python3 notify_listen.py SOCKET OUT [SECONDS]

Binds an AF_UNIX datagram socket at SOCKET (what NOTIFY_SOCKET names) and
appends every message it receives to OUT as one line: the message's
assignments (READY=1, MAINPID=..., STATUS=...) joined by " | ", followed by
" | SENDER=<pid>" when the kernel says who sent it. Runs until killed, or
for SECONDS (default 600) at most, so that it never outlives its test.
"""
import os
import socket
import struct
import sys
import time


def main():
    path, out = sys.argv[1], sys.argv[2]
    limit = float(sys.argv[3]) if len(sys.argv) > 3 else 600.0
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    # SCM_CREDENTIALS: the sender's pid, as systemd checks NotifyAccess.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    s.bind(path)
    end = time.monotonic() + limit
    cred_len = socket.CMSG_SPACE(struct.calcsize("3i"))
    with open(out, "a", buffering=1) as f:
        while True:
            left = end - time.monotonic()
            if left <= 0:
                break
            s.settimeout(left)
            try:
                data, anc, _, _ = s.recvmsg(4096, cred_len)
            except socket.timeout:
                break
            fields = [x for x in data.decode("utf-8", "replace").split("\n") if x]
            for level, kind, cdata in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                    pid = struct.unpack("3i", cdata[:12])[0]
                    fields.append("SENDER=%d" % pid)
            f.write(" | ".join(fields) + "\n")
    s.close()
    os.unlink(path)


if __name__ == "__main__":
    main()
