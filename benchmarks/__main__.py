"""Benchmarks: ``python -m benchmarks [--quick] [--only NAME ...] [--repeats N] [--out DIR]``.

Writes one JSON file per benchmark to ``--out`` (default ``results/benchmarks``) plus
``machine.json`` (CPU, cores, memory, OS, Python and package versions). Every benchmark file
holds: ``name``, ``measured`` (what was timed), ``unit``, ``values`` (one per repeat),
``median``, ``target`` (value, comparison, unit, metric), ``meets_target`` (bool, or null in
``--quick`` mode or when nothing could be measured), ``checks`` (every target with its
observed value), ``peak_memory_mb`` where relevant, ``date``, ``load_average`` and ``details``.
See ``benchmarks/README.md`` for the benchmarks and their targets.

Timed work runs in subprocesses (``python -m benchmarks --worker SPEC.json``), one per
repeat and per fit, so each value starts from a fresh interpreter (as a pipeline job does)
and peak memory is per fit: the worker resets its high-water mark (``/proc/self/clear_refs``)
after loading its inputs, so ``peak_fit_mb`` is the peak while fitting; the parent also
samples the RSS of the whole process tree (``psutil``) and enforces a time and memory limit.
All inputs are deterministic (fixed seeds).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .context import MIRROR, ROOT, Context, default_mem_limit
from .curves import CURVES, bench_curve, curve_data_dir, worker_curve
from .estimation import SCALE, bench_scale, worker_scale
from .machine import machine_info
from .matching import bench_matching, worker_match
from .pipeline import bench_pipeline
from .results import json_default, write_json

ALL = ["pipeline_cold", "pipeline_noop", "matching_throughput", *CURVES, *SCALE]
QUICK_DEFAULT = ["matching_throughput", "spec_curve_h2", "spec_curve_h1", *SCALE]


def _worker(spec: dict[str, Any]) -> dict[str, Any]:
    kind = spec["kind"]
    if kind == "scale":
        return worker_scale(spec)
    if kind == "match":
        return worker_match(spec)
    if kind == "curve":
        return worker_curve(spec)
    raise ValueError(f"unknown worker kind {kind!r}")


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


def build_parser() -> argparse.ArgumentParser:
    """The command line: every option with its help text."""
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="1 repeat, small sizes (smoke test)")
    p.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help=f"benchmarks to run: {', '.join(ALL)}, or the groups all, pipeline, scale, "
        "spec_curve (default: all; with --quick every benchmark but the pipeline)",
    )
    p.add_argument(
        "--repeats", type=int, default=None, help="timed runs per benchmark (default 3; --quick 1)"
    )
    p.add_argument(
        "--out",
        type=Path,
        default=ROOT / "results" / "benchmarks",
        help="folder of the JSON files (default: results/benchmarks)",
    )
    p.add_argument(
        "--mirror", type=Path, default=MIRROR, help="raw-data mirror (default: ../shared/raw)"
    )
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
    p.add_argument(
        "--pipeline-timeout", type=float, default=3600.0, help="seconds per snakemake run"
    )
    p.add_argument(
        "--mem-limit-mb",
        type=float,
        default=None,
        help="kill a worker whose process tree exceeds this (default 80%% of free)",
    )
    p.add_argument("--tmp", type=Path, default=None, help="scratch directory (default: temp)")
    p.add_argument("--keep-workdir", action="store_true", help="keep the pipeline workdir")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    return p


def run(argv: list[str] | None = None) -> list[Path]:
    """Run the chosen benchmarks (or one worker job); the paths of the files written."""
    args = build_parser().parse_args(argv)
    if args.worker:
        spec = json.loads(Path(args.worker).read_text())
        print(json.dumps(_worker(spec), default=json_default), flush=True)
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
        mem_limit_mb=args.mem_limit_mb or default_mem_limit(),
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
