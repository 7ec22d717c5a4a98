"""The plan cache (analysis/workflow/plan_cache.py) never gives a stale plan: any change to the
package, the config, a recorded file or the Snakefile computes the values afresh, and an error
is never remembered."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis.workflow.plan_cache import PlanCache
from tests.conftest import ROOT


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    pkg = tmp_path / "analysis"
    (pkg / "data").mkdir(parents=True)
    (pkg / "mod.py").write_text("SOURCES = ['a']\n")
    (pkg / "data" / "table.csv").write_text("a\n1\n")
    return pkg


def _plan(pkg: Path, tmp_path: Path, config: dict | None = None, **kw) -> PlanCache:
    return PlanCache(config or {"x": 1}, path=tmp_path / "cache" / "plan.json", pkg=pkg, **kw)


def _filled(pkg: Path, tmp_path: Path, value: object = "v1", **kw) -> PlanCache:
    plan = _plan(pkg, tmp_path, **kw)
    assert plan.memo("facts", lambda: value) == value
    plan.save()
    return plan


def _computes(plan: PlanCache) -> bool:
    """Whether `facts` is computed afresh (not read from the cache)."""
    calls = []
    plan.memo("facts", lambda: calls.append(1) or "v2")
    return bool(calls)


def test_an_unchanged_state_reads_the_stored_values(pkg, tmp_path):
    _filled(pkg, tmp_path, {"a": [1, "b", None, 2.5, True]})
    plan = _plan(pkg, tmp_path)
    assert plan.hit
    assert plan.memo("facts", lambda: pytest.fail("computed")) == {"a": [1, "b", None, 2.5, True]}


def test_editing_a_module_invalidates_even_with_size_and_mtime_restored(pkg, tmp_path):
    _filled(pkg, tmp_path)
    mod = pkg / "mod.py"
    st = mod.stat()
    mod.write_text("SOURCES = ['b']\n")  # same size
    os.utime(mod, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert _computes(_plan(pkg, tmp_path))


@pytest.mark.parametrize("change", ["data file", "new module", "removed module"])
def test_any_package_file_counts(pkg, tmp_path, change):
    _filled(pkg, tmp_path)
    if change == "data file":
        (pkg / "data" / "table.csv").write_text("a\n2\n")
    elif change == "new module":
        (pkg / "other.py").write_text("")
    else:
        (pkg / "mod.py").unlink()
    assert _computes(_plan(pkg, tmp_path))


def test_bytecode_caches_do_not_count(pkg, tmp_path):
    _filled(pkg, tmp_path)
    (pkg / "__pycache__").mkdir()
    (pkg / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"\0")
    assert not _computes(_plan(pkg, tmp_path))


def test_another_config_invalidates(pkg, tmp_path):
    _filled(pkg, tmp_path)
    assert _computes(_plan(pkg, tmp_path, {"x": 2}))
    assert _computes(_plan(pkg, tmp_path, {"x": "1"}))  # --config gives strings


def test_recorded_files_and_the_snakefile_count(pkg, tmp_path):
    spec, snakefile = tmp_path / "h1.yaml", tmp_path / "Snakefile"
    spec.write_text("a: 1\n")
    snakefile.write_text("rule all:\n")
    plan = _plan(pkg, tmp_path, files=[snakefile])
    plan.depend([spec])
    plan.memo("facts", lambda: "v1")
    plan.save()
    assert not _computes(_plan(pkg, tmp_path, files=[snakefile]))
    spec.write_text("a: 2\n")
    assert _computes(_plan(pkg, tmp_path, files=[snakefile]))
    spec.write_text("a: 1\n")
    assert not _computes(_plan(pkg, tmp_path, files=[snakefile]))
    snakefile.write_text("rule all:\n    input: 'x'\n")
    assert _computes(_plan(pkg, tmp_path, files=[snakefile]))
    spec.unlink()
    assert _computes(_plan(pkg, tmp_path))


def test_an_error_is_never_stored(pkg, tmp_path):
    plan = _plan(pkg, tmp_path)
    plan.memo("config", lambda: {"ok": True})

    def bad() -> None:
        raise ValueError("models[0].regressors: bad")

    with pytest.raises(ValueError, match="regressors"):
        plan.memo("facts", bad)
    # the Snakefile stops at the error, so save() is never reached: the next start computes
    assert not (tmp_path / "cache" / "plan.json").exists()
    with pytest.raises(ValueError, match="regressors"):
        _plan(pkg, tmp_path).memo("facts", bad)


@pytest.mark.parametrize("value", [("a", "b"), {1: "a"}, {"a": {"b"}}])
def test_a_value_json_would_change_is_used_but_not_stored(pkg, tmp_path, value):
    plan = _plan(pkg, tmp_path)
    assert plan.memo("facts", lambda: value) == value
    plan.save()
    assert not (tmp_path / "cache" / "plan.json").exists()


def test_a_corrupt_cache_file_is_a_miss(pkg, tmp_path):
    _filled(pkg, tmp_path)
    (tmp_path / "cache" / "plan.json").write_text('{"key": ')
    assert _computes(_plan(pkg, tmp_path))


# --- through the Snakefile: a cached plan does not hide an edit -----------------------------


def _dry_run(wd: Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", str(wd),
           "-n", "--nocolor", "results/tables/h2.md"]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    wd = tmp_path / "work"
    shutil.copytree(ROOT / "config", wd / "config")
    (wd / "data/raw").mkdir(parents=True)
    shutil.copy(ROOT / "data/raw/sources.yaml", wd / "data/raw/sources.yaml")
    return wd


def test_the_snakefile_sees_spec_and_config_edits_after_a_cached_start(workdir: Path):
    wd = workdir
    assert _dry_run(wd).returncode == 0
    cache = wd / ".snakemake/analysis_plan.json"
    stored = cache.stat().st_mtime_ns
    assert _dry_run(wd).returncode == 0
    assert cache.stat().st_mtime_ns == stored  # a start from the cache writes nothing

    spec_path = wd / "config/models/h2.yaml"
    good = spec_path.read_text()
    spec = yaml.safe_load(good)
    spec["models"][0]["regresors"] = spec["models"][0].pop("regressors")
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False))
    run = _dry_run(wd)
    assert run.returncode != 0 and "regresors" in run.stdout + run.stderr

    spec_path.write_text(good)
    assert _dry_run(wd).returncode == 0

    config_path = wd / "config/config.yaml"
    cfg = yaml.safe_load(config_path.read_text())
    cfg["panel"]["first_year"] = "soon"
    config_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    run = _dry_run(wd)
    assert run.returncode != 0 and "panel.first_year" in run.stdout + run.stderr


def test_a_caller_changing_its_value_changes_nothing_stored(pkg, tmp_path):
    plan = _plan(pkg, tmp_path)
    plan.memo("facts", lambda: {"a": [1]})["a"].append(2)
    plan.save()
    again = _plan(pkg, tmp_path)
    got = again.memo("facts", lambda: pytest.fail("computed"))
    assert got == {"a": [1]}
    got["a"].append(3)
    assert again.memo("facts", lambda: pytest.fail("computed")) == {"a": [1]}
