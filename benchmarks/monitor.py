"""Process time and peak memory: run a command while sampling the RSS of its process tree
(time and memory limits), run one benchmark worker in a fresh interpreter, and measure a
block's wall/CPU seconds and RSS high-water mark inside the worker."""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .context import ROOT
from .machine import read_proc
from .results import json_default

MIB = 1024.0 * 1024.0


@dataclass
class Run:
    returncode: int | None
    wall: float
    stdout: str
    stderr: str
    tree_peak_mb: float | None  # sampled peak of the summed RSS of the process tree
    killed: str | None = None  # "timeout" / "memory limit" when the parent stopped it
    extra: dict[str, Any] = field(default_factory=dict)


def _tree_rss(proc) -> int:
    import psutil

    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def run_monitored(
    cmd: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    mem_limit_mb: float | None = None,
    interval: float = 0.1,
) -> Run:
    """Run `cmd`, sampling the summed RSS of its process tree; kill it (and its children)
    on timeout or when the tree exceeds `mem_limit_mb`."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil is in the lock file
        psutil = None
    out_f = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed below
    err_f = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115
    t0 = time.perf_counter()
    p = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=out_f, stderr=err_f, text=True, start_new_session=True
    )
    peak = 0
    killed = None
    ps = psutil.Process(p.pid) if psutil else None
    while True:
        try:
            p.wait(timeout=interval)
            break
        except subprocess.TimeoutExpired:
            pass
        if ps is not None:
            peak = max(peak, _tree_rss(ps))
        if timeout is not None and time.perf_counter() - t0 > timeout:
            killed = "timeout"
        elif mem_limit_mb is not None and peak / MIB > mem_limit_mb:
            killed = "memory limit"
        if killed:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, 9)  # the session this call started, nothing else
            p.wait()
            break
    wall = time.perf_counter() - t0
    # last resort without psutil: the largest child this process has waited for so far
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    out_f.seek(0)
    err_f.seek(0)
    stdout, stderr = out_f.read(), err_f.read()
    out_f.close()
    err_f.close()
    tree = peak / MIB if ps is not None else children
    return Run(p.returncode, wall, stdout, stderr, tree, killed, {"children_maxrss_mb": children})


def run_worker(
    spec: dict[str, Any],
    tmp: Path,
    *,
    timeout: float | None = None,
    mem_limit_mb: float | None = None,
) -> dict[str, Any]:
    """Run one `--worker` job; its JSON answer plus wall/tree-peak, or a failure record."""
    path = tmp / f"worker_{os.getpid()}_{time.monotonic_ns()}.json"
    path.write_text(json.dumps(spec, default=json_default))
    run = run_monitored(
        [sys.executable, "-m", "benchmarks", "--worker", str(path)],
        cwd=ROOT,
        timeout=timeout,
        mem_limit_mb=mem_limit_mb,
    )
    path.unlink(missing_ok=True)
    base = {"process_wall_seconds": run.wall, "tree_peak_mb": run.tree_peak_mb}
    if run.killed:
        limit = f"{timeout:g} s" if run.killed == "timeout" else f"{mem_limit_mb:.0f} MB"
        return base | {"status": f"{run.killed} ({limit})", "stderr_tail": run.stderr[-1500:]}
    lines = [ln for ln in run.stdout.splitlines() if ln.startswith("{")]
    if run.returncode != 0 or not lines:
        return base | {
            "status": f"failed (exit {run.returncode})",
            "stderr_tail": run.stderr[-3000:],
        }
    return base | json.loads(lines[-1])


def _status_kb(field_name: str) -> float | None:
    m = re.search(rf"^{field_name}:\s+(\d+) kB", read_proc("/proc/self/status"), re.M)
    return int(m.group(1)) / 1024.0 if m else None


def _reset_peak() -> bool:
    """Reset this process's RSS high-water mark (Linux >= 4.0); False if not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _peak_mb() -> float:
    hwm = _status_kb("VmHWM")
    if hwm is not None:
        return hwm
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class Phase:
    """Wall and CPU seconds of a block, and the RSS high-water mark during it."""

    def __enter__(self) -> Phase:
        self.load_peak_mb = _peak_mb()
        self.reset = _reset_peak()
        self.rss_before_mb = _status_kb("VmRSS")
        self.cpu0 = time.process_time()
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.seconds = time.perf_counter() - self.t0
        self.cpu_seconds = time.process_time() - self.cpu0
        self.peak_mb = _peak_mb()

    def record(self) -> dict[str, Any]:
        return {
            "seconds": self.seconds,
            "cpu_seconds": self.cpu_seconds,
            "rss_before_mb": self.rss_before_mb,
            "peak_fit_mb": self.peak_mb if self.reset else None,
            "peak_process_mb": max(self.peak_mb, self.load_peak_mb),
        }
