"""A fork server for the pipeline's jobs: the libraries are imported once, every job is a fork.

Why: a cold run has about 120 jobs, and each paid 1-7 s of interpreter start-up and imports
(pandas, pyarrow, pandera, pyfixest with scipy.stats and matplotlib, statsmodels) before it read
a byte; that was a third of the pipeline's CPU time and most of a parse job's. The Snakefile
starts this server when a local run begins (``onstart``) and stops it when the run ends. Jobs
are still `python -m analysis <command>` shell commands with the same rule inputs, logs and
exit codes; :func:`analysis.workflow.jobclient.delegate` hands the command to a fork of the
server. Results do not depend on it: a fork runs the same code on the same inputs with the
same string-hash seed, and `python -m analysis` without the server gives byte-identical files.

The server refuses (and the job runs in its own interpreter as before) when the job's
interpreter, working directory or hash seed differ from the server's (e.g. `--sdm conda`), or
when a module of the package changed on disk since the server imported it. It exits when the
Snakemake process that started it is gone.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import json
import logging
import os
import pkgutil
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

from analysis.workflow.jobclient import SOCKET_ENV
from analysis.workflow.jobenv import PYTHON

PKG = Path(__file__).resolve().parents[1]
# Libraries the package imports inside functions (so that a plain `import analysis.x` stays
# light); a fork finds them loaded.
LIBRARIES = (
    "numpy",
    "pandas",
    "pyarrow.parquet",
    "pandera.pandas",
    "scipy.stats",
    "statsmodels.api",
    "linearmodels",
    "pyfixest",
    "pyfixest.estimation",
    "rapidfuzz",
    "matplotlib",
    "matplotlib.pyplot",
    "networkx",
)
_ENV_MUST_MATCH = ("PYTHONHASHSEED", "PYTHONPATH")
BLAS_THREADS = "OPENBLAS_NUM_THREADS"
# Modules whose warm_up() builds, once, what the jobs of one kind would build in each fork:
# parse jobs (pandera's backends, the country converter, the manifest), fits and checks
# (narwhals' pandas layer, the wild bootstrap's numba kernel), figures (the PNG/PDF writers),
# every job (the command line's parser).
WARM_UPS = (
    "analysis.sources.common.warmup",
    "analysis.models.warmup",
    "analysis.figures.warmup",
    "analysis.__main__",  # the command line's parser
)


def code_stamp() -> dict[str, int]:
    """mtime (ns) of every module of the package: a fork must run the code on disk."""
    return {str(p): p.stat().st_mtime_ns for p in sorted(PKG.rglob("*.py"))}


def preload() -> list[str]:
    """Import the libraries and every module of the package, then build what the jobs would
    build in each fork (`WARM_UPS`); returns what failed (a job that needs it imports or
    builds it itself, and fails there with its own message)."""
    failed = []
    modules = [*LIBRARIES]
    modules += [
        m.name
        for m in pkgutil.walk_packages([str(PKG)], "analysis.")
        if not m.name.endswith("__main__") and ".rules" not in m.name
    ]
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # optional: the job reports its own import error
            failed.append(name)
    for name in WARM_UPS:
        try:
            importlib.import_module(name).warm_up()
        except Exception:  # optional: each job builds what it needs itself
            failed.append(name)
    return failed


def refusal(req: dict, stamp: dict[str, int]) -> str | None:
    """Why the server must not run `req` (None: it may)."""
    if os.path.realpath(req.get("prefix", "")) != os.path.realpath(sys.prefix):
        return f"another interpreter ({req.get('executable')})"
    if os.path.realpath(req.get("cwd", "")) != os.path.realpath(os.getcwd()):
        return "another working directory"
    env = req.get("env", {})
    for key in _ENV_MUST_MATCH:
        if env.get(key) != os.environ.get(key):
            return f"another {key}"
    if code_stamp() != stamp:
        return "the package's code changed since the server started"
    return None


def _read_request(conn: socket.socket) -> tuple[dict, list[int]]:
    data, fds, _flags, _addr = socket.recv_fds(conn, 1 << 16, 3)
    while not data.endswith(b"\n"):
        chunk = conn.recv(1 << 16)
        if not chunk:
            raise ConnectionError("client closed before its request ended")
        data += chunk
    return json.loads(data), fds


_DONE = threading.Event()  # set in a fork once its job has ended


def _watch(conn: socket.socket) -> None:
    """Stop this fork when its client is gone (Snakemake killed the job), unless the job
    has ended and the client left because it got the exit code."""
    try:
        while conn.recv(1):
            pass
    except OSError:
        pass
    if not _DONE.is_set():
        os._exit(128 + signal.SIGTERM)


_POOLS: list = []  # threadpoolctl's controller, built once in the server (see serve())


def _limit_threads(env: dict[str, str]) -> None:
    """Snakemake sets OPENBLAS_NUM_THREADS/OMP_NUM_THREADS to a job's threads, and BLAS and
    Arrow read them when they load, which in a fork was at the server's start: size their
    pools now, as the job's own interpreter would have (the thread count can change a sum's
    order; Arrow's second thread decoding a one-thread job's Parquet cost ~40% more CPU)."""
    n = env.get("OPENBLAS_NUM_THREADS") or env.get("OMP_NUM_THREADS")
    if n and n.isdigit() and int(n) > 0:
        if _POOLS:  # the server's scan of the loaded BLAS libraries (4-15 ms a scan)
            _POOLS[0].limit(limits=int(n))
        else:
            from threadpoolctl import threadpool_limits

            threadpool_limits(limits=int(n))
    arrow = env.get("OMP_NUM_THREADS")
    if arrow and arrow.isdigit() and int(arrow) > 0 and "pyarrow" in sys.modules:
        sys.modules["pyarrow"].set_cpu_count(int(arrow))


def _run_job(conn: socket.socket, req: dict, fds: list[int], listener: socket.socket) -> None:
    """In the fork: become the job (fds, cwd, environment, argv), run it, report its code."""
    listener.close()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(req["cwd"])
    env = dict(req["env"])
    env.pop(SOCKET_ENV, None)  # the job and anything it starts run in-process
    os.environ.clear()
    os.environ.update(env)
    tempfile.tempdir = None  # re-read TMPDIR from the job's environment
    _limit_threads(env)
    threading.Thread(target=_watch, args=(conn,), daemon=True).start()
    sys.argv = [str(PKG / "__main__.py"), *req["argv"]]
    code = 0
    try:
        # the command line's module as imported (and its parser built) before the fork: what
        # `python -m analysis` runs, without compiling and executing the module again per job
        code = importlib.import_module("analysis.__main__").main(req["argv"])
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if e.code is not None and not isinstance(e.code, int):
            print(e.code, file=sys.stderr)
    except BaseException:  # the job's own traceback, as the interpreter prints it
        traceback.print_exc()
        code = 1
    try:
        atexit._run_exitfuncs()
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        _DONE.set()
        try:
            conn.sendall(f"{code}\n".encode())
        finally:
            os._exit(code)


def _command(req: dict) -> str:
    """The first words of a job's command line, for the server's log."""
    return " ".join(str(a) for a in req.get("argv", [])[:3])


def _handle(conn: socket.socket, listener: socket.socket, stamp: dict[str, int]) -> None:
    try:
        req, fds = _read_request(conn)
    except (OSError, ValueError, ConnectionError):
        conn.close()
        return
    why = refusal(req, stamp) if len(fds) == 3 else "no standard streams passed"
    if why:
        print(f"job server: refused ({why}): analysis {_command(req)}", file=sys.stderr)
        conn.sendall(f"refused {why}\n".encode())
        for fd in fds:
            os.close(fd)
        conn.close()
        return
    conn.sendall(b"ok\n")
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        try:
            _run_job(conn, req, fds, listener)  # ends with os._exit
        finally:  # a failure before the job ran (e.g. its folder is gone): never serve on
            os._exit(1)
    command = _command(req)
    _RUNNING[pid] = (command, time.monotonic())
    print(f"job server: fork {pid} runs analysis {command}", file=sys.stderr)
    sys.stderr.flush()
    for fd in fds:
        os.close(fd)
    conn.close()


_RUNNING: dict[int, tuple[str, float]] = {}  # fork pid -> (command, start time)
_ENDED: list[tuple[int, int, object]] = []  # (pid, wait status, rusage), logged by the loop


def _reap(*_: object) -> None:
    try:
        while True:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
            if not pid:
                break
            _ENDED.append((pid, status, usage))
    except ChildProcessError:
        pass


def _log_ended() -> None:
    """One line per finished job: exit code, wall and CPU seconds, peak memory (the job's
    timings, which Snakemake's own benchmark cannot see in a fork)."""
    while _ENDED:
        pid, status, usage = _ENDED.pop(0)
        command, start = _RUNNING.pop(pid, ("?", time.monotonic()))
        print(
            f"job server: fork {pid} ended (exit {os.waitstatus_to_exitcode(status)}) after "
            f"{time.monotonic() - start:.1f} s, CPU {usage.ru_utime + usage.ru_stime:.1f} s, "
            f"peak {usage.ru_maxrss / 1024:.0f} MB: analysis {command}",
            file=sys.stderr,
        )
    sys.stderr.flush()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def load_blas_single_threaded() -> None:
    """Before BLAS loads: OpenBLAS starts with one thread, as in the one-thread jobs' own
    interpreters. Sized in a fork (`_limit_threads`) from any other count, it started a
    worker thread that spun ~0.2 CPU-s per job (~100 jobs a run); from one to one, nothing."""
    os.environ[BLAS_THREADS] = "1"


def serve(path: str, parent: int) -> None:
    """Preload, then run jobs until `parent` (the Snakemake process) is gone or SIGTERM."""
    start = time.monotonic()
    load_blas_single_threaded()
    failed = preload()
    if failed:
        print(f"job server: not preloaded: {', '.join(failed)}", file=sys.stderr)
    try:  # one scan of the BLAS libraries the server loaded, for every fork
        from threadpoolctl import ThreadpoolController

        _POOLS.append(ThreadpoolController())
    except Exception:  # each job scans them itself
        print("job server: thread pools not preloaded", file=sys.stderr)
    stamp = code_stamp()
    # Preloaded objects never die: keep the collector's full passes in each fork off them
    # (less CPU, and pages stay shared with the server instead of being copied on write).
    gc.freeze()
    # Forks are reaped as they end, so their CPU time counts as the server's children's (and
    # so as Snakemake's: `/usr/bin/time snakemake` reports the whole run).
    signal.signal(signal.SIGCHLD, _reap)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    tmp = f"{path}.{os.getpid()}"
    listener.bind(tmp)
    listener.listen(64)
    os.replace(tmp, path)  # the socket appears only once the server is ready
    print(
        f"job server: ready at {path} ({len(sys.modules)} modules loaded in "
        f"{time.monotonic() - start:.1f} s)",
        file=sys.stderr,
    )
    try:
        while _alive(parent):
            ready, _, _ = select.select([listener], [], [], 1.0)
            if ready:
                conn, _ = listener.accept()
                _handle(conn, listener, stamp)
            _log_ended()
    finally:
        if os.getpid() == _SERVER_PID:
            _reap()
            _log_ended()
            listener.close()
            Path(path).unlink(missing_ok=True)


_SERVER_PID = os.getpid()


class JobServer:
    """Started by the Snakefile's ``onstart``, stopped by ``onsuccess``/``onerror``."""

    def __init__(self, log: str | Path) -> None:
        self.log = Path(log)
        self.proc: subprocess.Popen | None = None
        self.path = ""

    def start(self) -> None:
        """Start the server in the background and point every job started from now at it.
        Jobs that start before it is ready run in their own interpreter."""
        self.path = str(
            Path(tempfile.gettempdir()) / f"citydip-jobs-{os.getuid()}-{os.getpid()}.sock"
        )
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "w", encoding="utf-8") as out:
            self.proc = subprocess.Popen(
                [PYTHON, "-m", "analysis.workflow.jobserver", self.path, str(os.getpid())],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        os.environ[SOCKET_ENV] = self.path

    def stop(self) -> None:
        os.environ.pop(SOCKET_ENV, None)
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self.path:
            Path(self.path).unlink(missing_ok=True)


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
