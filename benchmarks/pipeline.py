"""Pipeline timings: a cold `snakemake` run in a fresh workdir and no-op reruns, with per-rule
job seconds parsed from Snakemake's log."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .context import ADMIN1_REL, ROOT, Context, skipped
from .monitor import run_monitored
from .results import TARGETS, make_result, median_of, now_iso

_TS = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]$")
_RULE = re.compile(r"^(?:local)?(?:rule|checkpoint) (\w+):$")
_JOBID = re.compile(r"^\s+jobid: (\d+)$")
_FINISHED = re.compile(r"^Finished jobid: (\d+) \(Rule: (\w+)\)")


def job_times(log: str) -> list[dict[str, Any]]:
    """(rule, jobid, start, end, seconds) of each job from Snakemake's log (1-s resolution)."""
    jobs: dict[str, dict[str, Any]] = {}
    stamp = None
    rule = None
    for line in log.splitlines():
        m = _TS.match(line.strip())
        if m:
            stamp = dt.datetime.strptime(m.group(1), "%a %b %d %H:%M:%S %Y")
            continue
        m = _RULE.match(line)
        if m:
            rule = (m.group(1), stamp)
            continue
        m = _JOBID.match(line)
        if m and rule is not None:
            jobs[m.group(1)] = {"rule": rule[0], "jobid": int(m.group(1)), "start": rule[1]}
            rule = None
            continue
        m = _FINISHED.match(line)
        if m and m.group(1) in jobs:
            jobs[m.group(1)]["end"] = stamp
    out = []
    for j in jobs.values():
        if j.get("start") and j.get("end"):
            out.append(j | {"seconds": (j["end"] - j["start"]).total_seconds()})
    return sorted(out, key=lambda j: (j["start"], j["jobid"]))


def rule_summary(jobs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per rule: jobs and summed job seconds (from `job_times`)."""
    out: dict[str, dict[str, float]] = {}
    for j in jobs:
        r = out.setdefault(j["rule"], {"jobs": 0, "seconds": 0.0})
        r["jobs"] += 1
        r["seconds"] += j["seconds"]
    return dict(sorted(out.items(), key=lambda kv: -kv[1]["seconds"]))


def make_workdir(wd: Path, mirror: Path) -> Path:
    """A fresh pipeline workdir: config (mirror = absolute path) and the raw manifest."""
    import yaml

    (wd / "config").mkdir(parents=True)
    (wd / "data" / "raw").mkdir(parents=True)
    shutil.copytree(ROOT / "config" / "models", wd / "config" / "models")
    shutil.copy2(ROOT / "data" / "raw" / "sources.yaml", wd / "data" / "raw" / "sources.yaml")
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    cfg["raw"]["mirror"] = str(mirror.resolve())
    (wd / "config" / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    user = ROOT / "data" / "user"
    if user.is_dir():
        shutil.copytree(user, wd / "data" / "user")
    return wd


ACQUIRE_TARGET = "results/audit/raw_files.csv"  # acquisition_report: every raw file verified


def _snakemake_cmd(wd: Path, targets: Sequence[str] = ()) -> list[str]:
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", str(wd),
           "--cores", "all", "--nocolor", *targets]  # fmt: skip
    gnu_time = "/usr/bin/time" if Path("/usr/bin/time").exists() else shutil.which("time")
    if gnu_time and _gnu_time_ok(gnu_time):
        cmd = [gnu_time, "-v", *cmd]
    return cmd


def _gnu_time_ok(path: str) -> bool:
    try:
        r = subprocess.run([path, "-v", "true"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return "Maximum resident set size" in r.stderr


def _gnu_time_fields(stderr: str) -> dict[str, float]:
    pats = {
        "max_rss_single_process_mb": (r"Maximum resident set size \(kbytes\): (\d+)", 1 / 1024),
        "user_seconds": (r"User time \(seconds\): ([\d.]+)", 1.0),
        "system_seconds": (r"System time \(seconds\): ([\d.]+)", 1.0),
    }
    out = {}
    for key, (pat, factor) in pats.items():
        m = re.search(pat, stderr)
        if m:
            out[key] = round(float(m.group(1)) * factor, 3)
    return out


def _pipeline_env() -> dict[str, str]:
    from analysis.acquire.fetch import MIRROR_ENV

    return {k: v for k, v in os.environ.items() if k != MIRROR_ENV}


def run_pipeline(wd: Path, timeout: float, targets: Sequence[str] = ()) -> dict[str, Any]:
    """One `snakemake --cores all [targets]` in `wd`: wall, memory, CPU, per-rule job seconds."""
    run = run_monitored(
        _snakemake_cmd(wd, targets), cwd=wd, env=_pipeline_env(), timeout=timeout, interval=0.25
    )
    jobs = job_times(run.stderr)
    rec: dict[str, Any] = {
        "returncode": run.returncode,
        "killed": run.killed,
        "wall_seconds": run.wall,
        "tree_peak_mb": run.tree_peak_mb,
        "nothing_to_do": "Nothing to be done" in run.stderr,
        "jobs": len(jobs),
        **_gnu_time_fields(run.stderr),
    }
    if jobs:
        t0 = min(j["start"] for j in jobs)
        rec["rules"] = rule_summary(jobs)
        rec["job_seconds"] = [
            {"rule": j["rule"], "jobid": j["jobid"], "seconds": j["seconds"],
             "start_offset": (j["start"] - t0).total_seconds()}
            for j in jobs
        ]  # fmt: skip
    if run.returncode != 0 or run.killed:
        rec["stderr_tail"] = run.stderr[-4000:]
    return rec


# Snakemake's own no-op: a workflow of one rule whose output exists.
_FLOOR_SNAKEFILE = (
    'rule all:\n    input: "a.txt"\n\n\nrule a:\n    output: "a.txt"\n    shell: "touch {output}"\n'
)


def snakemake_floor(tmp: Path, repeats: int = 3) -> list[float]:
    """Wall seconds of Snakemake's own no-op (`_FLOOR_SNAKEFILE`), `repeats` times: the part of
    a no-op rerun that is Snakemake's, and a gauge of the host's speed when the pipeline was
    timed (the same work has run ~1.5x slower on this machine on another day)."""
    d = Path(tempfile.mkdtemp(prefix="floor_", dir=tmp))
    try:
        (d / "Snakefile").write_text(_FLOOR_SNAKEFILE, encoding="utf-8")
        cmd = [sys.executable, "-m", "snakemake", "-s", str(d / "Snakefile"), "-d", str(d),
               "--cores", "1", "--nocolor", "--quiet"]  # fmt: skip
        first = subprocess.run(cmd, cwd=d, capture_output=True, env=_pipeline_env(), timeout=600)
        if first.returncode != 0 or not (d / "a.txt").exists():
            return []
        out = []
        for _ in range(repeats):
            t = time.perf_counter()
            run = subprocess.run(cmd, cwd=d, capture_output=True, env=_pipeline_env(), timeout=600)
            if run.returncode != 0:
                return []
            out.append(round(time.perf_counter() - t, 3))
        return out
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _ok(rec: dict[str, Any]) -> bool:
    return rec.get("returncode") == 0 and not rec.get("killed")


def bench_pipeline(ctx: Context, want: set[str]) -> list[dict[str, Any]]:
    """Cold run in two invocations per repeat: acquisition (`results/audit/raw_files.csv`:
    copy from the mirror + size/sha256 check), then everything else from the verified raw
    files (the measured value); then no-op reruns in the last workdir."""
    started, load0 = now_iso(), os.getloadavg()
    mirror = ctx.mirror
    if not (mirror / ADMIN1_REL).exists():
        return [
            skipped(n, f"raw-data mirror {mirror} not found", ctx)
            for n in ("pipeline_cold", "pipeline_noop")
            if n in want
        ]
    floor_cold = snakemake_floor(ctx.tmp)
    ctx.log(f"pipeline: Snakemake's own no-op {floor_cold} s")
    cold: list[dict[str, Any]] = []
    wd = None
    for i in range(ctx.repeats):
        if wd is not None:
            shutil.rmtree(wd.parent, ignore_errors=True)
        wd = make_workdir(Path(tempfile.mkdtemp(prefix="pipeline_", dir=ctx.tmp)) / "wd", mirror)
        ctx.log(f"pipeline_cold: repeat {i + 1}/{ctx.repeats} in {wd}: acquisition")
        acq = run_pipeline(wd, ctx.pipeline_timeout, [ACQUIRE_TARGET])
        rest = run_pipeline(wd, ctx.pipeline_timeout) if _ok(acq) else {"returncode": None}
        cold.append({"acquire": acq, "rest": rest})
        ctx.log(f"  acquisition {acq['wall_seconds']:.1f} s, rest "
                f"{rest.get('wall_seconds', float('nan')):.1f} s (exit {rest.get('returncode')})")  # fmt: skip
        if not (_ok(acq) and _ok(rest)):
            break
    ok = [r for r in cold if _ok(r["acquire"]) and _ok(r["rest"])]
    ctx.pipeline_workdir = wd if cold and cold[-1] in ok else None
    results = []
    if "pipeline_cold" in want:
        rest_s = [r["rest"]["wall_seconds"] for r in ok]
        acq_s = [r["acquire"]["wall_seconds"] for r in ok]
        total = [a + b for a, b in zip(acq_s, rest_s, strict=True)]
        last = ok[-1]["rest"] if ok else {}
        failures = [
            {phase: {k: r[phase].get(k) for k in ("returncode", "killed", "stderr_tail")}
             for phase in ("acquire", "rest")}
            for r in cold if r not in ok
        ]  # fmt: skip
        results.append(
            make_result(
                "pipeline_cold",
                "wall seconds of `snakemake --cores all` in a fresh workdir whose raw files "
                "were just acquired and verified (a first `snakemake --cores all "
                f"{ACQUIRE_TARGET}`): every output of rule all from the verified raw files",
                "s",
                rest_s,
                TARGETS["pipeline_cold"],
                quick=False,
                peak_memory_mb={
                    "process_tree_sum_mb": median_of([r["rest"]["tree_peak_mb"] for r in ok]),
                    "largest_single_process_mb": median_of(
                        [r["rest"].get("max_rss_single_process_mb") for r in ok]
                    ),
                    "note": "process_tree_sum: RSS summed over snakemake and all its jobs, "
                    "sampled every 0.25 s (psutil); largest_single_process: /usr/bin/time -v "
                    "(the largest process of the tree)",
                },
                parameters={
                    "mirror": str(mirror),
                    "cores": "all",
                    "usable_cores": ctx.cores,
                    "command": " ".join(_snakemake_cmd(Path("WORKDIR"))),
                },
                details={
                    "acquisition_included": False,
                    "acquisition_seconds": acq_s,
                    "median_acquisition_seconds": median_of(acq_s),
                    "total_seconds_with_acquisition": total,
                    "median_total_seconds_with_acquisition": median_of(total),
                    "total_meets_90s": None if not total else bool(median_of(total) < 90),
                    "user_seconds": [r["rest"].get("user_seconds") for r in ok],
                    "system_seconds": [r["rest"].get("system_seconds") for r in ok],
                    "jobs": [r["rest"].get("jobs") for r in ok],
                    "acquisition_peak_tree_mb": median_of(
                        [r["acquire"]["tree_peak_mb"] for r in ok]
                    ),
                    "rules_last_run": last.get("rules"),
                    "job_seconds_last_run": last.get("job_seconds"),
                    "job_seconds_note": "from Snakemake's log timestamps (1-s resolution); jobs "
                    "overlap on the cores, so they do not add up to the wall time",
                    "failures": failures,
                    "snakemake_floor_seconds": floor_cold,
                    "median_snakemake_floor_seconds": median_of(floor_cold),
                },
                started=started,
                load_before=load0,
            )
        )
    if "pipeline_noop" in want:
        started2, load2 = now_iso(), os.getloadavg()
        floor_noop = snakemake_floor(ctx.tmp)
        ctx.log(f"pipeline_noop: Snakemake's own no-op {floor_noop} s")
        noop = []
        if ctx.pipeline_workdir is not None:
            for i in range(ctx.repeats):
                ctx.log(f"pipeline_noop: repeat {i + 1}/{ctx.repeats}")
                noop.append(run_pipeline(ctx.pipeline_workdir, 600))
                ctx.log(f"  {noop[-1]['wall_seconds']:.2f} s")
        good = [r for r in noop if _ok(r)]
        results.append(
            make_result(
                "pipeline_noop",
                "wall seconds of another `snakemake --cores all` in the cold run's workdir "
                "(nothing to do: startup, DAG and up-to-date checks only)",
                "s",
                [r["wall_seconds"] for r in good],
                TARGETS["pipeline_noop"],
                quick=False,
                peak_memory_mb=median_of([r.get("max_rss_single_process_mb") for r in good]),
                parameters={"cores": "all"},
                details={
                    "nothing_to_be_done": [r["nothing_to_do"] for r in noop],
                    "jobs_run": [r["jobs"] for r in noop],
                    "user_seconds": [r.get("user_seconds") for r in noop],
                    "system_seconds": [r.get("system_seconds") for r in noop],
                    "cold_run_failed": ctx.pipeline_workdir is None,
                    "failures": [r.get("stderr_tail") for r in noop if not _ok(r)],
                    "snakemake_floor_seconds": floor_noop,
                    "median_snakemake_floor_seconds": median_of(floor_noop),
                },
                started=started2,
                load_before=load2,
            )
        )
    return results
