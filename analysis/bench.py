"""Benchmarks: ``python -m analysis.bench [--quick] [--only NAME ...] [--repeats N] [--out DIR]``.

Writes one JSON file per benchmark to ``--out`` (default ``results/benchmarks``) plus
``machine.json`` (CPU, cores, memory, OS, Python and package versions). Every benchmark file
holds: ``name``, ``measured`` (what was timed), ``unit``, ``values`` (one per repeat),
``median``, ``target`` (value, comparison, unit, metric), ``meets_target`` (bool, or null in
``--quick`` mode or when nothing could be measured), ``checks`` (every target with its
observed value), ``peak_memory_mb`` where relevant, ``date``, ``load_average`` and ``details``.
See ``benchmarks/README.md`` for the benchmarks and their targets.

Timed work runs in subprocesses (``python -m analysis.bench --worker SPEC.json``), one per
repeat and per fit, so each value starts from a fresh interpreter (as a pipeline job does)
and peak memory is per fit: the worker resets its high-water mark (``/proc/self/clear_refs``)
after loading its inputs, so ``peak_fit_mb`` is the peak while fitting; the parent also
samples the RSS of the whole process tree (``psutil``) and enforces a time and memory limit.
All inputs are deterministic (fixed seeds).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MIRROR = ROOT.parent / "shared" / "raw"
ADMIN1_REL = "cities/geonames_admin1_regionInfo.tsv"
PACKAGES = (
    "pandas",
    "numpy",
    "scipy",
    "pyarrow",
    "statsmodels",
    "linearmodels",
    "pyfixest",
    "rapidfuzz",
    "snakemake",
    "psutil",
)
SEED = 20240601
MIB = 1024.0 * 1024.0

# name -> (group, full size, quick size)
SCALE = {
    "scale_ols_1m": ("ols", 1_000_000, 20_000),
    "scale_ols_10m": ("ols", 10_000_000, 50_000),
    "scale_poisson_1m": ("poisson", 1_000_000, 20_000),
    "scale_poisson_10m": ("poisson", 10_000_000, 50_000),
}
MATCH_N = (1_000_000, 5_000)  # full, quick
CURVES = {"spec_curve_h2": "h2", "spec_curve_h1": "h1"}
ALL = ["pipeline_cold", "pipeline_noop", "matching_throughput", *CURVES, *SCALE]
QUICK_DEFAULT = ["matching_throughput", "spec_curve_h2", "spec_curve_h1", *SCALE]


# --------------------------------------------------------------------------- results


@dataclass
class Target:
    value: float
    comparison: str  # "<", "<=", ">=", ">"
    unit: str
    metric: str = "median"  # which observed number the target applies to

    def met(self, observed: float | None) -> bool | None:
        if observed is None or not np.isfinite(observed):
            return None
        ops: dict[str, Callable[[float, float], bool]] = {
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
        }
        return bool(ops[self.comparison](observed, self.value))

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "comparison": self.comparison,
            "unit": self.unit,
            "metric": self.metric,
        }


# Primary target of each benchmark (scale benchmarks add checks: see _scale_result).
TARGETS = {
    "pipeline_cold": Target(90, "<", "s"),
    "pipeline_noop": Target(3, "<", "s"),
    "matching_throughput": Target(50_000, ">=", "mentions/s"),
    "spec_curve_h2": Target(20, ">=", "specs/s"),
    "spec_curve_h1": Target(20, ">=", "specs/s"),
    "scale_ols_1m": Target(1.2, "<=", "ratio", "layer_over_fastest_direct"),
    "scale_ols_10m": Target(30, "<", "s"),
    "scale_poisson_1m": Target(1.2, "<=", "ratio", "layer_over_fastest_direct"),
    "scale_poisson_10m": Target(1.2, "<=", "ratio", "layer_over_fastest_direct"),
}


def _now() -> str:
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


def _median(values: Sequence[float | None]) -> float | None:
    v = [float(x) for x in values if x is not None and np.isfinite(x)]
    return float(statistics.median(v)) if v else None


def make_result(
    name: str,
    measured: str,
    unit: str,
    values: Sequence[float | None],
    target: Target,
    *,
    quick: bool,
    extra_checks: Sequence[tuple[Target, float | None]] = (),
    peak_memory_mb: float | dict[str, Any] | None = None,
    parameters: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
    primary_observed: float | None = None,
    started: str | None = None,
    load_before: Sequence[float] | None = None,
) -> dict[str, Any]:
    """The JSON record of one benchmark (module docstring)."""
    med = _median(values)
    primary = med if target.metric == "median" else primary_observed
    checks = [(target, primary), *extra_checks]
    rows = []
    for t, obs in checks:
        rows.append(t.as_dict() | {"observed": obs, "meets": None if quick else t.met(obs)})
    verdicts = [r["meets"] for r in rows]
    meets = None if quick or any(v is None for v in verdicts) else all(verdicts)
    return {
        "name": name,
        "measured": measured,
        "unit": unit,
        "repeats": len(values),
        "values": [None if v is None else round(float(v), 6) for v in values],
        "median": None if med is None else round(med, 6),
        "target": target.as_dict(),
        "meets_target": meets,
        "checks": rows,
        "peak_memory_mb": peak_memory_mb,
        "quick": quick,
        "parameters": parameters or {},
        "details": details or {},
        "date": started or _now(),
        "finished": _now(),
        "load_average": {
            "before": list(load_before or os.getloadavg()),
            "after": list(os.getloadavg()),
        },
    }


def _finite(o: Any) -> Any:
    """NaN and infinities -> None (strict JSON), recursively."""
    if isinstance(o, dict):
        return {k: _finite(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_finite(v) for v in o]
    if isinstance(o, (float, np.floating)) and not np.isfinite(o):
        return None
    return o


def write_json(obj: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    text = json.dumps(_finite(obj), indent=2, default=_json_default, allow_nan=False)
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(path)


def _json_default(o: Any) -> Any:
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.bool_):
        return bool(o)
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serializable: {type(o)}")


# --------------------------------------------------------------------------- machine


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def machine_info() -> dict[str, Any]:
    """CPU model, cores, memory, OS, Python and key package versions."""
    cpuinfo = _read("/proc/cpuinfo")
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    physical = {
        (m.group(1), m.group(2))
        for m in re.finditer(r"physical id\s*:\s*(\d+).*?core id\s*:\s*(\d+)", cpuinfo, re.S)
    }
    mem = dict(re.findall(r"^(\w+):\s+(\d+) kB", _read("/proc/meminfo"), re.M))
    os_release = dict(re.findall(r'^(\w+)="?([^"\n]*)"?$', _read("/etc/os-release"), re.M))
    versions = {}
    for pkg in PACKAGES:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        affinity = os.cpu_count()
    return {
        "name": "machine",
        "date": _now(),
        "cpu_model": model.group(1).strip() if model else platform.processor() or None,
        "logical_cores": os.cpu_count(),
        "usable_cores": affinity,
        "physical_cores": len(physical) or None,
        "memory_total_mb": round(int(mem["MemTotal"]) / 1024, 1) if "MemTotal" in mem else None,
        "memory_available_mb": (
            round(int(mem["MemAvailable"]) / 1024, 1) if "MemAvailable" in mem else None
        ),
        "os": os_release.get("PRETTY_NAME") or platform.platform(),
        "kernel": platform.release(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "packages": versions,
        "load_average": list(os.getloadavg()),
        "note": "load_average is the 1/5/15-minute load when machine.json was written; "
        "each benchmark file records the load before and after it ran",
    }


# --------------------------------------------------------------------------- subprocesses


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
    path.write_text(json.dumps(spec, default=_json_default))
    run = run_monitored(
        [sys.executable, "-m", "analysis.bench", "--worker", str(path)],
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


# --------------------------------------------------------------------------- worker side


def _status_kb(field_name: str) -> float | None:
    m = re.search(rf"^{field_name}:\s+(\d+) kB", _read("/proc/self/status"), re.M)
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


class _Phase:
    """Wall and CPU seconds of a block, and the RSS high-water mark during it."""

    def __enter__(self) -> _Phase:
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


def _worker(spec: dict[str, Any]) -> dict[str, Any]:
    kind = spec["kind"]
    if kind == "scale":
        return _w_scale(spec)
    if kind == "match":
        return _w_match(spec)
    if kind == "curve":
        return _w_curve(spec)
    raise ValueError(f"unknown worker kind {kind!r}")


def _scale_spec(estimator: str):
    from analysis.models.spec import ModelSpec

    return ModelSpec(
        name=f"scale_{estimator}",
        label=f"scale panel, two-way FE {estimator}",
        outcome="y" if estimator == "ols" else "y_count",
        regressors=["x1", "x2"],
        fixed_effects=["unit", "year"],
        estimator=estimator,
        vcov={"type": "cluster", "by": ["cluster"]},
    )


def _fit_scale(df, est: str, backend: str) -> tuple[Any, Any, int]:
    """One two-way FE fit of the scale panel: (coefficients, standard errors, N)."""
    import pandas as pd

    outcome = "y" if est == "ols" else "y_count"
    if backend == "layer":
        from analysis.models.estimate import fit_model

        res = fit_model(df, _scale_spec(est))
        coef = res.fit.params
        se = pd.Series(np.sqrt(np.diag(res.fit.cov.to_numpy())), index=coef.index)
        return coef, se, res.fit.n_obs
    if backend == "pyfixest":
        import pyfixest as pf

        fml = f"{outcome} ~ x1 + x2 | unit + year"
        kw = {"iwls_tol": 1e-10} if est == "poisson" else {}  # the layer's tolerance
        func = pf.feols if est == "ols" else pf.fepois
        fit = func(fml, df, vcov={"CRV1": "cluster"}, copy_data=False, **kw)
        return fit.coef(), fit.se(), int(fit._N)
    from linearmodels.panel import PanelOLS

    d = df.set_index(["unit", "year"])
    mod = PanelOLS(d[outcome], d[["x1", "x2"]], entity_effects=True, time_effects=True)
    fit = mod.fit(cov_type="clustered", clusters=d["cluster"])
    return fit.params, fit.std_errors, int(fit.nobs)


def _w_scale(spec: dict[str, Any]) -> dict[str, Any]:
    import warnings

    from analysis.synthetic import scale_panel

    warnings.simplefilter("ignore")
    est, backend = spec["estimator"], spec["backend"]
    # Warm-up on a small panel: imports and numba JIT compilation happen here, not in the
    # timed fit (they are a fixed per-process cost, reported as warmup_seconds).
    t0 = time.perf_counter()
    _fit_scale(scale_panel(2_000, seed=1).frame, est, backend)
    warmup = time.perf_counter() - t0
    # the panel is drawn again from its seed in every process (identical data; cheaper and
    # leaner than reading a file: the high-water mark is reset after this anyway)
    t0 = time.perf_counter()
    planted = scale_panel(int(spec["n_rows"]), seed=int(spec["seed"]))
    df = planted.frame
    generation = time.perf_counter() - t0
    profiler = None
    if spec.get("profile"):
        import cProfile

        profiler = cProfile.Profile()
    with _Phase() as ph:
        if profiler:
            profiler.enable()
        coef, se, n_obs = _fit_scale(df, est, backend)
        if profiler:
            profiler.disable()
    if profiler:
        import io
        import pstats

        buf = io.StringIO()
        st = pstats.Stats(profiler, stream=buf)
        st.sort_stats("cumulative").print_stats(40)
        st.sort_stats("tottime").print_stats(25)
        Path(spec["profile"]).write_text(buf.getvalue())
    return {
        "status": "ok",
        **ph.record(),
        "warmup_seconds": warmup,
        "panel": {
            "rows": len(df),
            "units": int(df["unit"].nunique()),
            "years": int(df["year"].nunique()),
            "clusters": int(df["cluster"].nunique()),
            "generation_seconds": generation,
            "truth": {k: dict(v) for k, v in planted.truths.items()},
        },
        "coef": {k: float(coef[k]) for k in ("x1", "x2")},
        "se": {k: float(se[k]) for k in ("x1", "x2")},
        "n_obs": n_obs,
    }


def _w_match(spec: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd

    from analysis.resolve.gazetteer import load_gazetteer
    from analysis.resolve.stage import match_all

    mentions = pd.read_parquet(spec["mentions"])
    t0 = time.perf_counter()
    gaz = load_gazetteer(spec["cache"], spec.get("admin1"))
    load_seconds = time.perf_counter() - t0
    with _Phase() as ph:
        out = match_all(mentions, gaz, spec["options"], spec["per_source"])
    methods = out["method"].value_counts().sort_index()
    return {
        "status": "ok",
        **ph.record(),
        "gazetteer_load_seconds": load_seconds,
        "mentions": len(mentions),
        "rows_out": len(out),
        "matched_city_id": int(out["city_id"].notna().sum()),
        "methods": {str(k): int(v) for k, v in methods.items()},
    }


def _trim_curve(hyp, per_dimension: int):
    """The hypothesis with each curve dimension cut to its first options (quick mode)."""
    curve = hyp.robustness.curve
    dims = {d: dict(list(opts.items())[:per_dimension]) for d, opts in curve.dimensions.items()}
    new_curve = curve.model_copy(update={"dimensions": dims})
    rob = hyp.robustness.model_copy(update={"curve": new_curve})
    return hyp.model_copy(update={"robustness": rob})


def _w_curve(spec: dict[str, Any]) -> dict[str, Any]:
    from analysis.hypotheses.frames import build_frame
    from analysis.models.robustness import curve_specs, run_curve
    from analysis.models.spec import load_spec

    hyp = load_spec(spec["spec"])
    if spec.get("trim"):
        hyp = _trim_curve(hyp, int(spec["trim"]))
    base = hyp.model(hyp.robustness.curve.base)
    frame = build_frame(hyp.frame_of(base), Path(spec["data_dir"]))
    n_specs = sum(1 for _ in curve_specs(hyp))
    with _Phase() as ph:
        table, seconds = run_curve(frame, hyp, workers=int(spec["workers"]))
    status = table["status"].astype(str)
    return {
        "status": "ok",
        **ph.record(),
        "run_curve_seconds": seconds,
        "specifications": len(table),
        "expected_specifications": n_specs,
        "fitted": int((status == "ok").sum()),
        "failed": int((status != "ok").sum()),
        "frame_rows": len(frame),
    }


# --------------------------------------------------------------------------- pipeline


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


def _ok(rec: dict[str, Any]) -> bool:
    return rec.get("returncode") == 0 and not rec.get("killed")


def bench_pipeline(ctx: Context, want: set[str]) -> list[dict[str, Any]]:
    """Cold run in two invocations per repeat: acquisition (`results/audit/raw_files.csv`:
    copy from the mirror + size/sha256 check), then everything else from the verified raw
    files (the measured value); then no-op reruns in the last workdir."""
    started, load0 = _now(), os.getloadavg()
    mirror = ctx.mirror
    if not (mirror / ADMIN1_REL).exists():
        return [
            _skipped(n, f"raw-data mirror {mirror} not found", ctx)
            for n in ("pipeline_cold", "pipeline_noop")
            if n in want
        ]
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
                    "process_tree_sum_mb": _median([r["rest"]["tree_peak_mb"] for r in ok]),
                    "largest_single_process_mb": _median(
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
                    "median_acquisition_seconds": _median(acq_s),
                    "total_seconds_with_acquisition": total,
                    "median_total_seconds_with_acquisition": _median(total),
                    "total_meets_90s": None if not total else bool(_median(total) < 90),
                    "user_seconds": [r["rest"].get("user_seconds") for r in ok],
                    "system_seconds": [r["rest"].get("system_seconds") for r in ok],
                    "jobs": [r["rest"].get("jobs") for r in ok],
                    "acquisition_peak_tree_mb": _median([r["acquire"]["tree_peak_mb"] for r in ok]),
                    "rules_last_run": last.get("rules"),
                    "job_seconds_last_run": last.get("job_seconds"),
                    "job_seconds_note": "from Snakemake's log timestamps (1-s resolution); jobs "
                    "overlap on the cores, so they do not add up to the wall time",
                    "failures": failures,
                },
                started=started,
                load_before=load0,
            )
        )
    if "pipeline_noop" in want:
        started2, load2 = _now(), os.getloadavg()
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
                peak_memory_mb=_median([r.get("max_rss_single_process_mb") for r in good]),
                parameters={"cores": "all"},
                details={
                    "nothing_to_be_done": [r["nothing_to_do"] for r in noop],
                    "jobs_run": [r["jobs"] for r in noop],
                    "user_seconds": [r.get("user_seconds") for r in noop],
                    "system_seconds": [r.get("system_seconds") for r in noop],
                    "cold_run_failed": ctx.pipeline_workdir is None,
                    "failures": [r.get("stderr_tail") for r in noop if not _ok(r)],
                },
                started=started2,
                load_before=load2,
            )
        )
    return results


# --------------------------------------------------------------------------- matching

# Administrative prefixes by country, in the forms sources write them (analysis.resolve.textnorm).
_PREFIXES = {
    "ITA": ["Comune di", "Città di"],
    "USA": ["City of", "Town of", "Village of"],
    "GBR": ["City of", "Borough of"],
    "FRA": ["Ville de", "Commune de", "Mairie de"],
    "DEU": ["Stadt", "Landeshauptstadt", "Gemeinde"],
    "ESP": ["Ayuntamiento de", "Ajuntament de"],
    "BRA": ["Prefeitura de", "Prefeitura Municipal de"],
    "PRT": ["Câmara Municipal de"],
    "NLD": ["Gemeente"],
    "POL": ["Miasto", "Gmina"],
    "MEX": ["Municipio de"],
    "VNM": ["Thành phố"],
}
_SUFFIXES = [" Municipality", " City Council", " Municipal Council"]
_ACCENT = str.maketrans({"a": "á", "e": "é", "i": "í", "o": "ö", "u": "ü", "c": "ç", "n": "ñ"})
_SYLLABLES = (
    "ka", "lo", "mi", "ru", "ve", "ton", "bar", "zel", "qua", "rin", "dor", "fex", "ul",
    "im", "sto", "vak", "nem", "pry", "gol", "trev", "osk", "wan", "bly", "dru", "hax",
)  # fmt: skip


def _strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def _typo(s: str, rng: np.random.Generator) -> str:
    """One random edit (substitute, delete, transpose, insert) away from position 0."""
    if len(s) < 6:
        return s
    i = int(rng.integers(1, len(s) - 1))
    op = int(rng.integers(0, 4))
    letter = "abcdefghijklmnopqrstuvwxyz"[int(rng.integers(0, 26))]
    if op == 0:
        return s[:i] + letter + s[i + 1 :]
    if op == 1:
        return s[:i] + s[i + 1 :]
    if op == 2:
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
    return s[:i] + letter + s[i:]


def synthetic_mentions(gaz, n: int, seed: int = SEED, n_sources: int = 8):
    """`n` city mentions drawn from the gazetteer, with the noise real sources have.

    Places: 40% drawn by population (big cities recur across sources), 60% uniformly (the
    long tail of small municipalities). Mix (independent draws): ~5% unknown invented names,
    ~2% region names (entity_type region), ~1% group signatories ("A, B, C"); city names are
    75% primary / 25% alternate names, 4% with a typo (one edit: the fuzzy path), 5% with an
    administrative prefix ("Comune di", "City of", ...) and 2% a suffix ("... Municipality"),
    5% a region qualifier ("Portland, Oregon" / "Portland (Oregon)"), 6% accents stripped
    and 3% added, 4% punctuation noise, 6% upper and 4% lower case. 80% carry coordinates
    (half the gazetteer point, half jittered with a 2 km s.d. per axis; the real sources
    have 95%), 1% lack the country, half carry a noisy population. Columns as the parsers'
    `mentions` tables. (Real mentions, for scale: 1.3% upper case, 9% with a comma, 1.4%
    with an administrative suffix.)
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    pl = gaz.places()
    npl = len(pl["geonameid"])
    pop = pl["population"].astype(float) + 1.0
    by_pop = rng.random(n) < 0.4
    place = np.where(by_pop, rng.choice(npl, size=n, p=pop / pop.sum()), rng.integers(0, npl, n))

    # alternate names of each place (literal keys of rank 1 in the index)
    a = gaz.arrays()
    _, rows = gaz.place_keys()
    alt_rows = rows[a["rank"][rows] == 1]
    alt_owner = gaz.place_positions(a["geonameid"][alt_rows])
    order = np.argsort(alt_owner, kind="stable")
    alt_rows, alt_owner = alt_rows[order], alt_owner[order]
    alt_start = np.searchsorted(alt_owner, np.arange(npl + 1))
    alt_count = np.diff(alt_start)

    admin1_names = dict(zip(gaz.admin1["admin1_code"], gaz.admin1["name"], strict=False))
    u = rng.random((n, 16))
    names = np.empty(n, dtype=object)
    etype = np.full(n, "city", dtype=object)
    iso = pl["iso3"][place].astype(object)
    unknown = u[:, 0] < 0.05
    region = ~unknown & (u[:, 0] < 0.07)
    group = ~unknown & ~region & (u[:, 0] < 0.08)
    country_pos = {}
    key_arr = a["key"]
    for i in range(n):
        p = place[i]
        if unknown[i]:
            k = 2 + int(u[i, 1] * 3)
            word = "".join(_SYLLABLES[int(x)] for x in rng.integers(0, len(_SYLLABLES), k))
            names[i] = word.capitalize()
            continue
        if region[i]:
            names[i] = admin1_names.get(pl["admin1_code"][p]) or str(pl["name"][p])
            etype[i] = "region"
            continue
        if group[i]:
            c = iso[i]
            if c not in country_pos:
                country_pos[c] = gaz.country_positions(c)
            others = country_pos[c][rng.integers(0, len(country_pos[c]), 2)]
            names[i] = ", ".join(str(pl["name"][q]) for q in (p, *others))
            continue
        if u[i, 2] < 0.25 and alt_count[p]:
            k = alt_rows[alt_start[p] + int(u[i, 3] * alt_count[p])]
            s = str(key_arr[k]).title()
        else:
            s = str(pl["name"][p])
        if u[i, 4] < 0.04:
            s = _typo(s, rng)
        if u[i, 5] < 0.05:
            opts = _PREFIXES.get(iso[i], ["City of", "Municipality of"])
            s = f"{opts[int(u[i, 6] * len(opts))]} {s}"
        elif u[i, 5] < 0.07:
            s += _SUFFIXES[int(u[i, 6] * len(_SUFFIXES))]
        if u[i, 7] < 0.05:
            q = admin1_names.get(pl["admin1_code"][p])
            if q:
                s = f"{s}, {q}" if u[i, 8] < 0.5 else f"{s} ({q})"
        if u[i, 9] < 0.06:
            s = _strip_accents(s)
        elif u[i, 9] < 0.09:
            j = int(u[i, 10] * len(s))  # accent the vowels from a random position on
            s = s[:j] + s[j:].translate(_ACCENT)
        if u[i, 12] < 0.04:
            r = u[i, 13]
            s = s.replace(" ", "-") if r < 0.4 else (s + "." if r < 0.7 else f" {s}  ")
        if u[i, 14] < 0.06:
            s = s.upper()
        elif u[i, 14] < 0.10:
            s = s.lower()
        names[i] = s
    has_xy = (rng.random(n) < 0.8) & ~region
    jitter = has_xy & (rng.random(n) < 0.5)
    lat = np.where(has_xy, np.round(pl["lat"][place], 4), np.nan)
    lon = np.where(has_xy, np.round(pl["lon"][place], 4), np.nan)
    km_lat, km_lon = rng.normal(0, 2.0, n), rng.normal(0, 2.0, n)
    coslat = np.maximum(np.cos(np.radians(np.nan_to_num(lat))), 0.05)
    lat = np.where(jitter, np.round(np.clip(lat + km_lat / 111.0, -89.9, 89.9), 4), lat)
    lon = np.where(jitter, np.round(((lon + km_lon / (111.0 * coslat)) + 180) % 360 - 180, 4), lon)
    no_country = rng.random(n) < 0.01
    iso = np.where(no_country, None, iso)
    popn = np.where(
        rng.random(n) < 0.5, np.round(pl["population"][place] * rng.lognormal(0, 0.3, n)), np.nan
    )
    sources = np.array([f"synthetic_{k}" for k in range(n_sources)], dtype=object)
    w = np.arange(1, n_sources + 1, dtype=float)
    src = sources[rng.choice(n_sources, size=n, p=w / w.sum())]
    ids = np.char.add(np.char.add(src.astype(str), ":"), np.arange(n).astype(str))
    return pd.DataFrame(
        {
            "mention_id": ids.astype(object),
            "source": src,
            "raw_name": names,
            "raw_country": iso,
            "country_iso3": iso,
            "entity_type": etype,
            "lat": lat,
            "lon": lon,
            "population": popn,
        }
    )


def _matching_options() -> tuple[dict[str, Any], dict[str, Any]]:
    from analysis.core.config import load_config

    matching = dict(load_config(ROOT / "config" / "config.yaml")["matching"])
    return matching, matching.pop("per_source", {})


def bench_matching(ctx: Context) -> dict[str, Any]:
    from analysis.resolve.gazetteer import load_gazetteer

    started, load0 = _now(), os.getloadavg()
    n = MATCH_N[1] if ctx.quick else MATCH_N[0]
    admin1 = ctx.mirror / ADMIN1_REL
    admin1_arg = str(admin1) if admin1.exists() else None
    build_seconds = None
    if ctx.gazetteer_cache is not None and Path(ctx.gazetteer_cache).exists():
        cache = Path(ctx.gazetteer_cache)
        admin1_arg = None  # reuse as given (load_gazetteer accepts any admin1 source then)
        gaz = load_gazetteer(cache)
    else:
        cache = Path(ctx.gazetteer_cache) if ctx.gazetteer_cache else ctx.tmp / "gazetteer.parquet"
        ctx.log(f"matching_throughput: building the gazetteer cache {cache}")
        t0 = time.perf_counter()
        gaz = load_gazetteer(cache, admin1_arg, rebuild=True)
        build_seconds = time.perf_counter() - t0
    ctx.log(f"matching_throughput: drawing {n:,} synthetic mentions")
    t0 = time.perf_counter()
    mentions = synthetic_mentions(gaz, n)
    gen_seconds = time.perf_counter() - t0
    key = ["raw_name", "country_iso3", "entity_type", "lat", "lon"]
    distinct = len(mentions[key].drop_duplicates())
    distinct_names = len(mentions[["raw_name", "country_iso3", "entity_type"]].drop_duplicates())
    path = ctx.tmp / "mentions.parquet"
    mentions.to_parquet(path, index=False)
    del gaz, mentions
    options, per_source = _matching_options()
    spec = {
        "kind": "match",
        "mentions": str(path),
        "cache": str(cache),
        "admin1": admin1_arg,
        "options": options,
        "per_source": per_source,
    }
    runs = []
    for i in range(ctx.repeats):
        ctx.log(f"matching_throughput: repeat {i + 1}/{ctx.repeats}")
        r = run_worker(spec, ctx.tmp, timeout=ctx.fit_timeout * 4, mem_limit_mb=ctx.mem_limit_mb)
        runs.append(r)
        if r.get("status") == "ok":
            ctx.log(f"  {r['seconds']:.1f} s, {n / r['seconds']:,.0f} mentions/s")
    ok = [r for r in runs if r.get("status") == "ok"]
    rates = [n / r["seconds"] for r in ok]
    methods = ok[-1]["methods"] if ok else {}
    return make_result(
        "matching_throughput",
        "mentions per second of analysis.resolve.stage.match_all (coordinate check + matching "
        "of every source, config `matching` options) on synthetic mentions, gazetteer cache "
        "present (its build and load excluded; each repeat a fresh process and a freshly "
        "loaded gazetteer, so lazily built indexes are included)",
        "mentions/s",
        rates,
        TARGETS["matching_throughput"],
        quick=ctx.quick,
        peak_memory_mb=_median([r.get("peak_fit_mb") for r in ok]),
        parameters={
            "mentions": n,
            "seed": SEED,
            "sources": 8,
            "options": options,
            "per_source": per_source,
            "admin1": admin1_arg,
        }
        | {
            "distinct_name_country_type_point": distinct,
            "distinct_name_country_type": distinct_names,
        },
        details={
            "seconds": [r["seconds"] for r in ok],
            "cpu_seconds": [r["cpu_seconds"] for r in ok],
            "cpu_rate_mentions_per_s": [n / r["cpu_seconds"] for r in ok if r["cpu_seconds"]],
            "gazetteer_cache_build_seconds": build_seconds,
            "gazetteer_cache_reused": build_seconds is None,
            "gazetteer_load_seconds": [r.get("gazetteer_load_seconds") for r in ok],
            "mention_generation_seconds": gen_seconds,
            "methods_share": {k: round(v / n, 4) for k, v in methods.items()},
            "matched_city_id_share": round(ok[-1]["matched_city_id"] / n, 4) if ok else None,
            "failures": [r for r in runs if r.get("status") != "ok"],
        },
        started=started,
        load_before=load0,
    )


# --------------------------------------------------------------------------- spec curves


_FRAME_TABLES = (
    "city_year",
    "memberships",
    "acts",
    "dyads",
    "centrality",
    "country_year",
    "us_city",
    "city_measures",
)


def _has_data(d: Path) -> bool:
    return all((d / f"{t}.parquet").exists() for t in ("city_year", "memberships"))


def curve_data_dir(ctx: Context) -> tuple[Path | None, str]:
    """A snapshot of results/data for the spec curves, and where it came from."""
    src: Path | None = None
    origin = ""
    if ctx.data_dir is not None:
        src, origin = ctx.data_dir, "--data-dir"
    elif _has_data(ROOT / "results" / "data"):
        src, origin = ROOT / "results" / "data", "repository results/data"
    elif ctx.pipeline_workdir is not None:
        src, origin = ctx.pipeline_workdir / "results" / "data", "this run's cold pipeline"
    elif not ctx.quick:
        ctx.log("spec curves: no results/data; running a cold pipeline for it")
        wd = make_workdir(
            Path(tempfile.mkdtemp(prefix="bench_data_", dir=ctx.tmp)) / "wd", ctx.mirror
        )
        rec = run_pipeline(wd, ctx.pipeline_timeout)
        if rec["returncode"] == 0:
            ctx.pipeline_workdir = wd
            src, origin = wd / "results" / "data", "a cold pipeline run by the benchmark"
    if src is None or not _has_data(src):
        return None, origin or "no results/data available"
    snap = ctx.tmp / "curve_data"
    if not snap.exists():  # copy once: another run may rewrite results/data meanwhile
        shutil.copytree(src, snap, ignore=shutil.ignore_patterns("*.csv"))
    return snap, f"{origin} ({src})"


def bench_curve(ctx: Context, name: str, data: tuple[Path | None, str]) -> dict[str, Any]:
    started, load0 = _now(), os.getloadavg()
    hyp = CURVES[name]
    data_dir, origin = data
    if data_dir is None:
        return _skipped(name, f"no model data: {origin}", ctx)
    spec = {
        "kind": "curve",
        "spec": str(ROOT / "config" / "models" / f"{hyp}.yaml"),
        "data_dir": str(data_dir),
        "trim": 2 if ctx.quick else 0,
    }
    by_workers: dict[str, Any] = {}
    for workers in (1, 2):
        runs = []
        for i in range(ctx.repeats):
            ctx.log(f"{name}: workers={workers} repeat {i + 1}/{ctx.repeats}")
            r = run_worker(
                spec | {"workers": workers},
                ctx.tmp,
                timeout=ctx.fit_timeout * 4,
                mem_limit_mb=ctx.mem_limit_mb,
            )
            runs.append(r)
            if r.get("status") == "ok":
                ctx.log(f"  {r['specifications']} specs in {r['run_curve_seconds']:.1f} s")
        ok = [r for r in runs if r.get("status") == "ok"]
        rates = [r["specifications"] / r["run_curve_seconds"] for r in ok]
        by_workers[str(workers)] = {
            "values": rates,
            "median": _median(rates),
            "meets_target": None if ctx.quick else Target(20, ">=", "specs/s").met(_median(rates)),
            "seconds": [r["run_curve_seconds"] for r in ok],
            "cpu_seconds_parent": [r["cpu_seconds"] for r in ok],
            "peak_parent_mb": _median([r.get("peak_fit_mb") for r in ok]),
            "peak_tree_mb": _median([r.get("tree_peak_mb") for r in ok]),
            "failures": [r for r in runs if r.get("status") != "ok"],
        }
    w1, w2 = by_workers["1"], by_workers["2"]
    last = next((r for r in reversed(runs) if r.get("status") == "ok"), {})
    return make_result(
        name,
        f"specifications per second of analysis.models.robustness.run_curve on the real "
        f"{hyp} frame (config/models/{hyp}.yaml robustness.curve); `values` with workers=1, "
        "details.by_workers for workers=1 and 2",
        "specs/s",
        w1["values"],
        TARGETS[name],
        quick=ctx.quick,
        extra_checks=[(Target(20, ">=", "specs/s", "median_workers_2"), w2["median"])],
        peak_memory_mb={"workers_1": w1["peak_parent_mb"], "workers_2_tree": w2["peak_tree_mb"]},
        parameters={
            "hypothesis": hyp,
            "data": origin,
            "curve_trimmed_to_first_options": spec["trim"] or None,
            "specifications": last.get("specifications"),
            "frame_rows": last.get("frame_rows"),
        },
        details={"by_workers": by_workers, "failed_specifications": last.get("failed")},
        started=started,
        load_before=load0,
    )


# --------------------------------------------------------------------------- scale


def bench_scale(ctx: Context, names: list[str]) -> list[dict[str, Any]]:
    """Two-way FE OLS/Poisson: the layer vs pyfixest vs linearmodels, each fit a process."""
    results = []
    for name in names:
        started, load0 = _now(), os.getloadavg()
        est, full, quick = SCALE[name]
        n = quick if ctx.quick else full
        backends = ["layer", "pyfixest"] + (["linearmodels"] if est == "ols" else [])
        runs: dict[str, list[dict[str, Any]]] = {b: [] for b in backends}
        given_up: dict[str, str] = {}
        for i in range(ctx.repeats):
            for b in backends:
                if b in given_up:
                    continue
                ctx.log(f"{name}: {b} repeat {i + 1}/{ctx.repeats}")
                spec = {"kind": "scale", "n_rows": n, "seed": 0, "estimator": est, "backend": b}
                r = run_worker(
                    spec, ctx.tmp, timeout=ctx.fit_timeout, mem_limit_mb=ctx.mem_limit_mb
                )
                runs[b].append(r)
                if r.get("status") == "ok":
                    ctx.log(f"  {r['seconds']:.2f} s, peak {r.get('peak_fit_mb') or 0:.0f} MB")
                else:
                    ctx.log(f"  {r.get('status')}")
                    given_up[b] = f"{r.get('status')} in repeat {i + 1}; not retried"
        if ctx.profile:  # one more fit per backend under cProfile, not among the values
            for b in backends:
                prof = ctx.out / "profiles" / f"{name}_{b}.txt"
                prof.parent.mkdir(parents=True, exist_ok=True)
                ctx.log(f"{name}: {b} profile -> {prof}")
                spec = {"kind": "scale", "n_rows": n, "seed": 0, "estimator": est, "backend": b,
                        "profile": str(prof)}  # fmt: skip
                run_worker(spec, ctx.tmp, timeout=ctx.fit_timeout, mem_limit_mb=ctx.mem_limit_mb)
        panel = next((r["panel"] for rs in runs.values() for r in rs if "panel" in r), {})
        results.append(_scale_result(ctx, name, est, n, panel, runs, given_up, started, load0))
    return results


def _scale_result(ctx, name, est, n, panel, runs, given_up, started, load0) -> dict[str, Any]:
    per: dict[str, Any] = {}
    for b, rs in runs.items():
        ok = [r for r in rs if r.get("status") == "ok"]
        per[b] = {
            "status": "ok" if ok and len(ok) == len(rs) else (given_up.get(b) or "failed"),
            "seconds": [r["seconds"] for r in ok],
            "median_seconds": _median([r["seconds"] for r in ok]),
            "cpu_seconds": [r["cpu_seconds"] for r in ok],
            "warmup_seconds": [r.get("warmup_seconds") for r in ok],
            "peak_fit_mb": _median([r.get("peak_fit_mb") for r in ok]),
            "peak_process_mb": _median([r.get("peak_process_mb") for r in ok]),
            "rss_before_fit_mb": _median([r.get("rss_before_mb") for r in ok]),
            "coef": ok[-1]["coef"] if ok else None,
            "se": ok[-1]["se"] if ok else None,
            "n_obs": ok[-1]["n_obs"] if ok else None,
            "failures": [
                {k: r.get(k) for k in ("status", "stderr_tail", "process_wall_seconds")}
                for r in rs
                if r.get("status") != "ok"
            ],
        }
    if est == "poisson":
        per["linearmodels"] = {"status": "not applicable: linearmodels has no Poisson estimator"}
    layer = per["layer"]
    direct = {b: v for b, v in per.items() if b != "layer" and v.get("median_seconds")}
    fastest = min(direct, key=lambda b: direct[b]["median_seconds"]) if direct else None
    ratio = (
        layer["median_seconds"] / direct[fastest]["median_seconds"]
        if fastest and layer["median_seconds"]
        else None
    )
    coefs = {b: v["coef"] for b, v in per.items() if v.get("coef")}
    diffs = [
        abs(coefs[a][k] - coefs[b][k]) for a in coefs for b in coefs if a < b for k in ("x1", "x2")
    ]
    max_diff = max(diffs) if diffs else None
    overhead = Target(1.2, "<=", "ratio", "layer_over_fastest_direct")
    target = TARGETS[name]
    if name == "scale_ols_10m":
        checks = [
            (Target(4096, "<", "MB", "layer_peak_fit_mb"), layer["peak_fit_mb"]),
            (overhead, ratio),
        ]
        primary_obs = None
    else:
        checks, primary_obs = [], ratio
    checks.append((Target(1e-6, "<=", "abs", "max_abs_coef_diff"), max_diff))
    return make_result(
        name,
        f"seconds of one two-way FE {'OLS (y' if est == 'ols' else 'Poisson (y_count'} ~ x1 + x2 "
        "| unit + year, clustered by cluster) through analysis.models.estimate.fit_model (`values`); "
        "the same model directly in pyfixest"
        + (" and linearmodels PanelOLS" if est == "ols" else "")
        + " in details.backends; each fit in its own process, data loading excluded",
        "s",
        layer["seconds"],
        target,
        quick=ctx.quick,
        extra_checks=checks,
        primary_observed=primary_obs,
        peak_memory_mb={b: v.get("peak_fit_mb") for b, v in per.items() if "peak_fit_mb" in v},
        parameters={
            "rows": n,
            "units": panel.get("units"),
            "years": panel.get("years"),
            "clusters": panel.get("clusters"),
            "seed": 0,
            "generator": "analysis.synthetic.scale_panel",
            "truth": panel.get("truth"),
            "direct_calls": {
                "pyfixest": f"pf.{'feols' if est == 'ols' else 'fepois'}(fml, df, "
                "vcov={'CRV1': 'cluster'}, copy_data=False"
                + (", iwls_tol=1e-10)  # the layer's tolerance" if est == "poisson" else ")"),
                "linearmodels": (
                    "PanelOLS(y, X, entity_effects=True, time_effects=True).fit("
                    "cov_type='clustered', clusters=cluster) on df.set_index(['unit', 'year'])"
                    if est == "ols"
                    else None
                ),
            },
        },
        details={
            "backends": per,
            "fastest_direct": fastest,
            "layer_over_fastest_direct": ratio,
            "coefficients_agree_1e-6": None if max_diff is None else bool(max_diff <= 1e-6),
            "max_abs_coef_diff": max_diff,
            "panel_generation_seconds": panel.get("generation_seconds"),
            "peak_note": "peak_fit_mb: the fitting process's RSS high-water mark, reset after "
            "the panel was drawn (so it includes the panel, 40 bytes a row, and the imported "
            "libraries: see rss_before_fit_mb)",
            "timing_note": "each process first fits a 2,000-row panel (imports, numba JIT: "
            "warmup_seconds), then draws the panel from its seed and times one fit",
        },
        started=started,
        load_before=load0,
    )


# --------------------------------------------------------------------------- driver


@dataclass
class Context:
    out: Path
    tmp: Path
    quick: bool
    repeats: int
    mirror: Path
    gazetteer_cache: Path | None
    data_dir: Path | None
    profile: bool
    fit_timeout: float
    pipeline_timeout: float
    mem_limit_mb: float
    keep_workdir: Path | None
    cores: int | None
    verbose: bool = True
    pipeline_workdir: Path | None = None

    def log(self, msg: str) -> None:
        if self.verbose:
            print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _skipped(name: str, reason: str, ctx: Context) -> dict[str, Any]:
    target = TARGETS.get(name, Target(float("nan"), "", ""))
    rec = make_result(name, f"skipped: {reason}", target.unit, [], target, quick=ctx.quick)
    rec["meets_target"] = None
    rec["skipped"] = reason
    return rec


def _default_mem_limit() -> float:
    mem = dict(re.findall(r"^(\w+):\s+(\d+) kB", _read("/proc/meminfo"), re.M))
    avail = int(mem.get("MemAvailable", 8 * 1024 * 1024)) / 1024
    return max(2048.0, 0.8 * avail)


def expand(names: Iterable[str]) -> list[str]:
    out = []
    for n in names:
        if n == "all":
            out += ALL
        elif n == "pipeline":
            out += ["pipeline_cold", "pipeline_noop"]
        elif n == "scale":
            out += list(SCALE)
        elif n == "spec_curve":
            out += list(CURVES)
        elif n in ALL:
            out.append(n)
        else:
            raise SystemExit(
                f"unknown benchmark {n!r}; choose from {', '.join(ALL)} "
                "(or all, pipeline, scale, spec_curve)"
            )
    return list(dict.fromkeys(out))


def run(argv: list[str] | None = None) -> list[Path]:
    p = argparse.ArgumentParser(prog="python -m analysis.bench", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="1 repeat, small sizes (smoke test)")
    p.add_argument("--only", nargs="+", metavar="NAME", help=f"benchmarks: {', '.join(ALL)}")
    p.add_argument("--repeats", type=int, default=None, help="repeats (default 3; --quick 1)")
    p.add_argument("--out", type=Path, default=ROOT / "results" / "benchmarks")
    p.add_argument("--mirror", type=Path, default=MIRROR, help="raw-data mirror")
    p.add_argument(
        "--gazetteer-cache",
        type=Path,
        default=None,
        help="reuse this gazetteer cache (default: build one, timed)",
    )
    p.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="results/data for the spec curves (default: the repository's)",
    )
    p.add_argument(
        "--profile",
        action="store_true",
        help="also cProfile one extra fit per scale backend (OUT/profiles/, not timed)",
    )
    p.add_argument("--fit-timeout", type=float, default=300.0, help="seconds per fit")
    p.add_argument("--pipeline-timeout", type=float, default=3600.0)
    p.add_argument(
        "--mem-limit-mb",
        type=float,
        default=None,
        help="kill a worker whose process tree exceeds this (default 80%% of free)",
    )
    p.add_argument("--tmp", type=Path, default=None, help="scratch directory (default: temp)")
    p.add_argument("--keep-workdir", action="store_true", help="keep the pipeline workdir")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        spec = json.loads(Path(args.worker).read_text())
        print(json.dumps(_worker(spec), default=_json_default), flush=True)
        return []
    names = expand(args.only) if args.only else (QUICK_DEFAULT if args.quick else ALL)
    repeats = args.repeats or (1 if args.quick else 3)
    if repeats < 1:
        raise SystemExit("--repeats must be >= 1")
    out = args.out if args.out.is_absolute() else Path.cwd() / args.out
    tmp_root = Path(tempfile.mkdtemp(prefix="citydip_bench_", dir=args.tmp))
    ctx = Context(
        out=out,
        tmp=tmp_root,
        quick=args.quick,
        repeats=repeats,
        mirror=args.mirror,
        gazetteer_cache=args.gazetteer_cache,
        data_dir=args.data_dir,
        profile=args.profile,
        fit_timeout=args.fit_timeout,
        pipeline_timeout=args.pipeline_timeout,
        mem_limit_mb=args.mem_limit_mb or _default_mem_limit(),
        keep_workdir=tmp_root if args.keep_workdir else None,
        cores=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
    )
    written = []

    def emit(rec: dict[str, Any]) -> None:
        path = out / f"{rec['name']}.json"
        write_json(rec, path)
        written.append(path)
        ctx.log(f"wrote {path} (median {rec['median']}, meets_target {rec['meets_target']})")

    try:
        write_json(machine_info(), out / "machine.json")
        written.append(out / "machine.json")
        ctx.log(f"benchmarks: {', '.join(names)}; repeats {repeats}; scratch {tmp_root}")
        want = set(names)
        if want & {"pipeline_cold", "pipeline_noop"}:
            for rec in bench_pipeline(ctx, want):
                emit(rec)
        if "matching_throughput" in want:
            emit(bench_matching(ctx))
        curves = [n for n in names if n in CURVES]
        if curves:
            data = curve_data_dir(ctx)
            for n in curves:
                emit(bench_curve(ctx, n, data))
        scale = [n for n in names if n in SCALE]
        if scale:
            for rec in bench_scale(ctx, scale):
                emit(rec)
    finally:
        if ctx.keep_workdir is None:
            shutil.rmtree(tmp_root, ignore_errors=True)
        else:
            ctx.log(f"kept {tmp_root}")
    return written


def main(argv: list[str] | None = None) -> int:
    run(argv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
