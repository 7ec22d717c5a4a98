"""The client side of the job server (:mod:`analysis.workflow.jobserver`): standard library only.

`python -m analysis <command>` calls :func:`delegate` before it imports anything heavy. When
Snakemake started a job server for this run (``$CITYDIP_JOB_SERVER`` names its socket), the
command is handed to it together with this process's stdin, stdout and stderr, and a fork of
the server (whose libraries are already imported) runs it; this process only waits for the exit
code. Any reason not to (no server, another interpreter, another working directory, changed
code) makes :func:`delegate` return None and the command runs here as usual.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys

SOCKET_ENV = "CITYDIP_JOB_SERVER"
# Header: one JSON line; replies: "ok\n" or "refused <why>\n", then "<exit code>\n".
_MAX_REPLY = 4096


def request(argv: list[str]) -> dict:
    """What the server needs to run `argv` as this process would (and to refuse if it can't)."""
    return {
        "argv": argv,
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "prefix": sys.prefix,
        "executable": sys.executable,
    }


def _readline(conn: socket.socket) -> str | None:
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = conn.recv(1)
        if not chunk:
            return None
        buf += chunk
        if len(buf) > _MAX_REPLY:
            return None
    return buf.decode()


def delegate(argv: list[str]) -> int | None:
    """Run `argv` in the job server and return its exit code; None when it cannot (the caller
    runs the command itself). A job the server accepted and then lost reports exit code 1."""
    path = os.environ.get(SOCKET_ENV)
    if not path:
        return None
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
        header = (json.dumps(request(argv)) + "\n").encode()
        socket.send_fds(conn, [header], [0, 1, 2])
        if _readline(conn) != "ok\n":
            conn.close()
            return None
    except OSError:
        conn.close()
        return None
    # Snakemake stops a job by signalling this process: closing the connection makes the
    # server's fork stop the command too.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: os._exit(128 + 15))
    try:
        code = _readline(conn)
    except OSError:
        code = None
    if code is None or not code.strip().lstrip("-").isdigit():
        print("job server: the job ended without an exit code", file=sys.stderr)
        return 1
    return int(code)
