"""Specification curves: specifications per second of `run_curve` on the real H1/H2 frames,
with one and two workers."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from .context import ROOT, Context, skipped
from .monitor import Phase, run_worker
from .pipeline import make_workdir, run_pipeline
from .results import TARGETS, Target, make_result, median_of, now_iso

CURVES = {"spec_curve_h2": "h2", "spec_curve_h1": "h1"}


def _trim_curve(hyp, per_dimension: int):
    """The hypothesis with each curve dimension cut to its first options (quick mode)."""
    curve = hyp.robustness.curve
    dims = {d: dict(list(opts.items())[:per_dimension]) for d, opts in curve.dimensions.items()}
    new_curve = curve.model_copy(update={"dimensions": dims})
    rob = hyp.robustness.model_copy(update={"curve": new_curve})
    return hyp.model_copy(update={"robustness": rob})


def worker_curve(spec: dict[str, Any]) -> dict[str, Any]:
    from analysis.hypotheses.frames import build_frame
    from analysis.models.estimate import backend_module, choose_backend
    from analysis.models.robustness import curve_specs, run_curve
    from analysis.models.spec import load_spec

    hyp = load_spec(spec["spec"])
    if spec.get("trim"):
        hyp = _trim_curve(hyp, int(spec["trim"]))
    base = hyp.model(hyp.robustness.curve.base)
    frame = build_frame(hyp.frame_of(base), Path(spec["data_dir"]), universe=spec["universe"])
    specs = [s for _, s in curve_specs(hyp)]
    # The backends' libraries are imported once per process, as in the scale benchmarks'
    # warm-up: timed apart (details.backend_import_*), not as part of the specifications.
    with Phase() as imports:
        for name in sorted({choose_backend(s) for s in specs}):
            backend_module(name)
    with Phase() as ph:
        table, seconds = run_curve(frame, hyp, workers=int(spec["workers"]))
    status = table["status"].astype(str)
    return {
        "status": "ok",
        **ph.record(),
        "run_curve_seconds": seconds,
        "backend_import_seconds": imports.seconds,
        "backend_import_cpu_seconds": imports.cpu_seconds,
        "specifications": len(table),
        "expected_specifications": len(specs),
        "fitted": int((status == "ok").sum()),
        "failed": int((status != "ok").sum()),
        "frame_rows": len(frame),
    }


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


def _universe() -> dict[str, Any]:
    """Config ``models.universe``: the frame options the pipeline passes to build_frame."""
    from analysis.core.config import load_config

    return dict(load_config(ROOT / "config" / "config.yaml")["models"]["universe"])


def bench_curve(ctx: Context, name: str, data: tuple[Path | None, str]) -> dict[str, Any]:
    started, load0 = now_iso(), os.getloadavg()
    hyp = CURVES[name]
    data_dir, origin = data
    if data_dir is None:
        return skipped(name, f"no model data: {origin}", ctx)
    spec = {
        "kind": "curve",
        "spec": str(ROOT / "config" / "models" / f"{hyp}.yaml"),
        "data_dir": str(data_dir),
        "trim": 2 if ctx.quick else 0,
        "universe": _universe(),
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
            "median": median_of(rates),
            "meets_target": None
            if ctx.quick
            else Target(20, ">=", "specs/s").met(median_of(rates)),
            "seconds": [r["run_curve_seconds"] for r in ok],
            "cpu_seconds_parent": [r["cpu_seconds"] for r in ok],
            "backend_import_seconds": [r["backend_import_seconds"] for r in ok],
            "backend_import_cpu_seconds": [r["backend_import_cpu_seconds"] for r in ok],
            "peak_parent_mb": median_of([r.get("peak_fit_mb") for r in ok]),
            "peak_tree_mb": median_of([r.get("tree_peak_mb") for r in ok]),
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
