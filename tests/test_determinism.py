"""Two runs of the model stage give byte-identical tables, figures, figures' data and claims.

The second run happens in a temp workdir on the same panel (results/data of the session's
pipeline run) with the real Snakefile, and every output is compared byte for byte with the
first. The first run's jobs ran in forks of the job server; the second run switches it off
(`execution.job_server: false`), so the comparison also shows the server changes no byte.
The data stage's own determinism is checked the same way by CI's no-op rerun and by
the pinned coefficient tables (test_models_real.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.pipeline
RULES = ["fit_models", "model_tables", "model_figure", "design_figure", "h1_tables", "claims"]


def test_model_stage_is_byte_identical(tmp_path: Path, pipeline_results: Path):
    wd = tmp_path / "work"
    shutil.copytree(ROOT / "config", wd / "config")
    (wd / "data/raw").mkdir(parents=True)
    shutil.copy(ROOT / "data/raw/sources.yaml", wd / "data/raw/sources.yaml")
    (wd / "results").mkdir()
    os.symlink(pipeline_results / "data", wd / "results/data")
    shutil.copytree(pipeline_results / "robustness", wd / "results/robustness")
    first = pipeline_results
    targets = sorted(
        str(p.relative_to(first.parent))
        for pattern in ("tables/*", "figures/*", "claims.csv", "claims.md", "claims.html")
        for p in first.glob(pattern)
        if "speccurve" not in p.name
    )
    run = subprocess.run(
        [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", str(wd),
         "--cores", "2", "--nocolor", "--config", 'execution={"job_server": false}',
         "--allowed-rules", *RULES, "--", *targets],
        capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    compared = 0
    for rel in [*targets, *(str(p.relative_to(first.parent)) for p in first.glob("models/*/*"))]:
        a, b = first.parent / rel, wd / rel
        if a.is_dir():
            for f in sorted(a.iterdir()):
                assert (b / f.name).read_bytes() == f.read_bytes(), f"{rel}/{f.name} differs"
                compared += 1
            continue
        assert b.read_bytes() == a.read_bytes(), f"{rel} differs between two runs"
        compared += 1
    assert compared > 40


def test_specification_curve_is_byte_identical(tmp_path: Path, pipeline_results: Path):
    out = tmp_path / "h2"
    run = subprocess.run(
        [sys.executable, "-m", "analysis", "robustness", "--spec", "config/models/h2.yaml",
         "--data", str(pipeline_results / "data"), "--out", str(out), "--workers", "2"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    for name in (
        "specs.csv",
        "leave_one_out.csv",
        "wild_bootstrap.csv",
        "robust_p.csv",
        "summary.json",
    ):
        first = (pipeline_results / "robustness/h2" / name).read_bytes()
        assert (out / name).read_bytes() == first, f"robustness/h2/{name} differs"
