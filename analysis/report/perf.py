"""The README's performance table, generated from the benchmark command's JSON files.

`python -m benchmarks` writes one JSON per benchmark (median, the runs, targets with observed
values, date, load average) and `machine.json`. The record of the last full measurement is
committed in `benchmarks/measured/`; `python -m analysis readme` renders it here, so the table
never holds a number typed by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from analysis.core.errors import PipelineError
from analysis.core.markdown import cell

ORDER = (
    "pipeline_cold",
    "pipeline_noop",
    "matching_throughput",
    "spec_curve_h1",
    "spec_curve_h2",
    "scale_ols_1m",
    "scale_ols_10m",
    "scale_poisson_1m",
    "scale_poisson_10m",
)


def _num(v: float | None, unit: str = "") -> str:
    if v is None:
        return "n/a"
    if unit == "ratio":
        return f"{v:.2f}x"
    if float(v).is_integer() or abs(v) >= 100:
        text = f"{v:,.0f}"
    else:
        text = f"{v:.1f}" if abs(v) >= 10 else f"{v:.3g}"
    return f"{text} {unit}".strip()


def _check(c: dict[str, Any]) -> str:
    mark = {True: "met", False: "**not met**", None: "not evaluated"}[c.get("meets")]
    metric = "" if c.get("metric") == "median" else f"{c['metric'].replace('_', ' ')} "
    return (
        f"{metric}{c['comparison']} {_num(c['value'], c['unit'])}: "
        f"{_num(c.get('observed'), c['unit'])} ({mark})"
    )


def _load(r: dict[str, Any]) -> str:
    la = r.get("load_average") or {}
    before, after = la.get("before"), la.get("after")
    if not before or not after:
        return "n/a"
    return f"{before[0]:.2f} / {after[0]:.2f}"


def read_benchmarks(folder: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(machine.json, benchmark records in ORDER then by name); a missing folder or machine
    file is an error naming it."""
    machine = folder / "machine.json"
    if not machine.is_file():
        raise PipelineError(f"{machine}: missing; run `python -m benchmarks` first")
    records = []
    for path in sorted(folder.glob("*.json")):
        if path.name == "machine.json":
            continue
        try:
            records.append(json.loads(path.read_text(encoding="utf-8")))
        except json.JSONDecodeError as exc:
            raise PipelineError(f"{path}: not JSON ({exc})") from exc
    rank = {n: i for i, n in enumerate(ORDER)}
    records.sort(key=lambda r: (rank.get(r.get("name", ""), len(ORDER)), r.get("name", "")))
    return json.loads(machine.read_text(encoding="utf-8")), records


def perf_markdown(folder: Path) -> str:
    """The table: one row per benchmark with its median, repeats, every target check, the
    date and the 1-minute load average before/after; the machine below it."""
    machine, records = read_benchmarks(folder)
    lines = [
        "| benchmark | median (repeats) | targets: observed | date | load before / after |",
        "|---|---|---|---|---|",
    ]
    for r in records:
        if r.get("skipped"):
            lines.append(f"| `{r['name']}` | skipped: {cell(str(r['skipped']))} | | | |")
            continue
        checks = "; ".join(_check(c) for c in r.get("checks", []))
        quick = " (quick mode)" if r.get("quick") else ""
        lines.append(
            f"| `{r['name']}` | {_num(r.get('median'), r.get('unit', ''))} "
            f"({r.get('repeats', 0)}){quick} | {cell(checks)} | {r.get('date', '')[:16]} "
            f"| {_load(r)} |"
        )
    floors = {
        r["name"]: r["details"]["median_snakemake_floor_seconds"]
        for r in records
        if (r.get("details") or {}).get("median_snakemake_floor_seconds") is not None
    }
    if floors:
        said = " and ".join(f"{_num(v, 's')} before `{k}`" for k, v in floors.items())
        lines += [
            "",
            "Host speed when the pipeline was timed: Snakemake's own no-op (a workflow of one "
            f"rule whose output exists) took {said} (median of 3, "
            "`details.snakemake_floor_seconds`). It is the part of a no-op rerun that is "
            "Snakemake's, and a gauge for comparing records made on days when the host ran "
            "the same work at different speeds.",
        ]
    pk = machine.get("packages", {})
    versions = ", ".join(f"{k} {v}" for k, v in sorted(pk.items()))
    lines += [
        "",
        f"Machine: {machine.get('cpu_model', '?')}, {machine.get('usable_cores', '?')} usable "
        f"cores, {machine.get('memory_total_mb', 0) / 1024:.1f} GB memory, "
        f"{machine.get('os', '?')}, Python {machine.get('python', '?')}; {versions}. "
        "Load average: the 1-minute load when each benchmark started and ended (2 cores: "
        "above 2 means other work shared the machine). Each file's `details` holds CPU "
        "seconds, per-backend times and peak memory.",
    ]
    return "\n".join(lines) + "\n"
