"""The README's performance table is rendered from benchmark JSON files, never typed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.core.errors import PipelineError
from analysis.report.perf import perf_markdown
from tests.conftest import ROOT


def _write(folder: Path, name: str, obj: dict) -> None:
    (folder / f"{name}.json").write_text(json.dumps(obj), encoding="utf-8")


def _record(name: str, median: float, unit: str, checks: list[dict], load=(0.4, 1.3)) -> dict:
    return {
        "name": name, "unit": unit, "repeats": 3, "values": [median] * 3, "median": median,
        "checks": checks, "date": "2026-12-07T07:30:00+00:00", "quick": False,
        "load_average": {"before": [load[0], 0, 0], "after": [load[1], 0, 0]},
    }  # fmt: skip


def test_table_lists_every_benchmark_with_its_checks_date_and_load(tmp_path):
    _write(tmp_path, "machine", {"cpu_model": "Test CPU", "usable_cores": 2,
                                  "memory_total_mb": 24576, "packages": {"pandas": "3.1"}})  # fmt: skip
    _write(tmp_path, "spec_curve_h1", _record("spec_curve_h1", 23.456, "specs/s", [
        {"value": 20, "comparison": ">=", "unit": "specs/s", "metric": "median",
         "observed": 23.456, "meets": True}]))  # fmt: skip
    _write(tmp_path, "pipeline_cold", _record("pipeline_cold", 123.4, "s", [
        {"value": 90, "comparison": "<", "unit": "s", "metric": "median",
         "observed": 123.4, "meets": False}]))  # fmt: skip
    _write(tmp_path, "scale_ols_10m", _record("scale_ols_10m", 9.5, "s", [
        {"value": 1.2, "comparison": "<=", "unit": "ratio",
         "metric": "layer_over_fastest_direct", "observed": 1.07, "meets": True}]))  # fmt: skip
    text = perf_markdown(tmp_path)
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert [r.split("`")[1] for r in rows] == ["pipeline_cold", "spec_curve_h1", "scale_ols_10m"]
    assert "< 90 s: 123 s (**not met**)" in rows[0] and "| 0.40 / 1.30 |" in rows[0]
    assert ">= 20 specs/s: 23.5 specs/s (met)" in rows[1] and "(3)" in rows[1]
    assert "layer over fastest direct <= 1.20x: 1.07x (met)" in rows[2]
    assert "2026-12-07T07:30" in rows[0] and "Test CPU, 2 usable cores, 24.0 GB" in text


def test_the_host_reference_is_stated_when_the_records_hold_it(tmp_path):
    _write(tmp_path, "machine", {"cpu_model": "Test CPU", "usable_cores": 2,
                                  "memory_total_mb": 24576, "packages": {}})  # fmt: skip
    check = {"value": 90, "comparison": "<", "unit": "s", "metric": "median", "observed": 95,
             "meets": False}  # fmt: skip
    _write(tmp_path, "pipeline_cold", _record("pipeline_cold", 95, "s", [check]))
    assert "Host speed" not in perf_markdown(tmp_path)  # older records: no sentence
    cold = _record("pipeline_cold", 95, "s", [check])
    cold["details"] = {"median_snakemake_floor_seconds": 1.31}
    noop = _record("pipeline_noop", 1.6, "s", [check | {"value": 1.5, "observed": 1.6}])
    noop["details"] = {"median_snakemake_floor_seconds": 1.87}
    _write(tmp_path, "pipeline_cold", cold)
    _write(tmp_path, "pipeline_noop", noop)
    text = perf_markdown(tmp_path)
    assert "took 1.31 s before `pipeline_cold` and 1.87 s before `pipeline_noop`" in text


def test_missing_record_is_an_error_that_names_it(tmp_path):
    with pytest.raises(PipelineError, match=r"machine\.json"):
        perf_markdown(tmp_path)


def test_committed_record_renders():
    """The committed record (benchmarks/measured) is what the README's block shows."""
    text = perf_markdown(ROOT / "benchmarks" / "measured")
    assert "pipeline_cold" in text
    block = text.strip()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert block in readme
