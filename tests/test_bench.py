"""Smoke test of `python -m benchmarks --quick` and its helpers (structure, never speed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import synthetic as S
from benchmarks.estimation import SCALE
from benchmarks.matching import MATCH_N
from benchmarks.pipeline import job_times, make_workdir, rule_summary, snakemake_floor
from benchmarks.results import Target, make_result, write_json
from tests.conftest import ROOT

RESULT_KEYS = {
    "name", "measured", "unit", "repeats", "values", "median", "target", "meets_target",
    "checks", "peak_memory_mb", "quick", "parameters", "details", "date", "load_average",
}  # fmt: skip


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory, gazetteer) -> Path:
    """One --quick run of the cheap benchmarks (the session's gazetteer cache is reused)."""
    cache = tmp_path_factory.getbasetemp() / "gazetteer_cache" / "gaz.parquet"
    assert cache.exists()
    out = tmp_path_factory.mktemp("bench")
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "matching_throughput",
         "scale_ols_1m", "scale_poisson_1m", "--out", str(out), "--gazetteer-cache", str(cache),
         "--tmp", str(tmp_path_factory.mktemp("scratch"))],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-4000:]
    return out


def _load(out: Path, name: str) -> dict:
    return json.loads((out / f"{name}.json").read_text(encoding="utf-8"))


def test_quick_run_writes_one_file_per_benchmark(quick_run):
    names = sorted(p.stem for p in quick_run.glob("*.json"))
    assert names == ["machine", "matching_throughput", "scale_ols_1m", "scale_poisson_1m"]


def test_machine_json(quick_run):
    m = _load(quick_run, "machine")
    assert m["logical_cores"] > 0 and m["memory_total_mb"] > 0
    assert m["python"].count(".") == 2 and m["os"]
    for pkg in ("pandas", "numpy", "statsmodels", "linearmodels", "pyfixest", "snakemake"):
        assert m["packages"][pkg], pkg


@pytest.mark.parametrize("name", ["matching_throughput", "scale_ols_1m", "scale_poisson_1m"])
def test_benchmark_json_structure(quick_run, name):
    r = _load(quick_run, name)
    assert set(r) >= RESULT_KEYS
    assert r["name"] == name and r["quick"] is True
    assert r["repeats"] == len(r["values"]) == 1
    assert all(v > 0 for v in r["values"]) and r["median"] > 0
    assert set(r["target"]) == {"value", "comparison", "unit", "metric"}
    assert r["target"]["comparison"] in ("<", "<=", ">", ">=")
    assert r["meets_target"] is None  # quick sizes are not the targets' sizes
    assert all(c["meets"] is None for c in r["checks"])


def test_matching_details(quick_run):
    r = _load(quick_run, "matching_throughput")
    assert r["parameters"]["mentions"] == MATCH_N[1]
    assert r["unit"] == "mentions/s" and r["peak_memory_mb"] > 0
    shares = r["details"]["methods_share"]
    assert shares["exact"] > 0 and abs(sum(shares.values()) - 1) < 1e-3
    assert r["details"]["gazetteer_cache_reused"] is True


@pytest.mark.parametrize("name", ["scale_ols_1m", "scale_poisson_1m"])
def test_scale_details(quick_run, name):
    r = _load(quick_run, name)
    d = r["details"]
    assert r["parameters"]["rows"] == SCALE[name][2]
    backends = ["layer", "pyfixest"] + (["linearmodels"] if "ols" in name else [])
    for b in backends:
        assert d["backends"][b]["status"] == "ok", d["backends"][b]
        assert d["backends"][b]["median_seconds"] > 0
        assert r["peak_memory_mb"][b] > 0
    assert d["layer_over_fastest_direct"] > 0
    assert d["coefficients_agree_1e-6"] is True
    assert d["backends"]["layer"]["n_obs"] == r["parameters"]["rows"]


def test_targets_and_results_without_a_run():
    t = Target(90, "<", "s")
    assert t.met(80) is True and t.met(95) is False and t.met(None) is None
    r = make_result("x", "what", "s", [3.0, 1.0, 2.0], t, quick=False)
    assert r["median"] == 2.0 and r["meets_target"] is True
    assert set(r) >= RESULT_KEYS
    r = make_result("x", "what", "s", [100.0], t, quick=False,
                          extra_checks=[(Target(1, "<=", "x"), 2.0)])  # fmt: skip
    assert r["meets_target"] is False and len(r["checks"]) == 2


def test_write_json_is_strict(tmp_path):
    write_json({"a": float("nan"), "b": [1.0, float("inf")]}, tmp_path / "x.json")
    assert json.loads((tmp_path / "x.json").read_text()) == {"a": None, "b": [1.0, None]}


def test_job_times_from_a_snakemake_log():
    log = """
[Sun Nov 29 22:14:16 2026]
localrule acquire_networks:
    input: a
    jobid: 5
    resources: tmpdir=/tmp
[Sun Nov 29 22:14:16 2026]
rule parse_x:
    jobid: 7
[Sun Nov 29 22:14:20 2026]
Finished jobid: 5 (Rule: acquire_networks)
[Sun Nov 29 22:14:30 2026]
Finished jobid: 7 (Rule: parse_x)
"""
    jobs = job_times(log)
    assert [(j["rule"], j["seconds"]) for j in jobs] == [
        ("acquire_networks", 4.0),
        ("parse_x", 14.0),
    ]
    assert rule_summary(jobs)["parse_x"] == {"jobs": 1, "seconds": 14.0}


def test_synthetic_mentions_are_deterministic(gazetteer):
    a = S.synthetic_mentions(gazetteer, 500, seed=3)
    b = S.synthetic_mentions(gazetteer, 500, seed=3)
    assert a.equals(b) and len(a) == 500 and a["mention_id"].is_unique
    assert {"city", "region"} <= set(a["entity_type"])
    assert a[["lat", "lon"]].notna().all(axis=1).mean() > 0.5


def test_workdir_points_at_the_mirror(tmp_path):
    import yaml

    wd = make_workdir(tmp_path / "wd", tmp_path / "mirror")
    cfg = yaml.safe_load((wd / "config" / "config.yaml").read_text())
    assert cfg["raw"]["mirror"] == str((tmp_path / "mirror").resolve())
    assert (wd / "data" / "raw" / "sources.yaml").exists()
    assert (wd / "config" / "models" / "h1.yaml").exists()


def test_every_option_has_help():
    from benchmarks.__main__ import build_parser

    actions = [a for a in build_parser()._actions if a.option_strings and a.help != "==SUPPRESS=="]
    assert {"--quick", "--only", "--repeats", "--out"} <= {a.option_strings[0] for a in actions}
    assert all(a.help for a in actions), [a.option_strings for a in actions if not a.help]


def test_snakemake_floor_times_a_no_op_of_one_rule(tmp_path):
    runs = snakemake_floor(tmp_path, repeats=2)
    assert len(runs) == 2 and all(0.1 < r < 60 for r in runs)
    assert list(tmp_path.iterdir()) == []  # its workflow directory is removed
