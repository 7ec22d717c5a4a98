"""Extension by config, as a user does it (README "Extending the models"): add a covariate
from your own CSV, use it in a new model of a spec file, get a new table; only the affected
hypothesis's jobs rerun. Runs the real Snakefile in a temp workdir on the real panel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.conftest import ROOT

pytestmark = pytest.mark.pipeline
RULES = ["fit_models", "model_tables"]
TARGETS = ["results/tables/h2.md", "results/tables/h5.md"]


def snakemake(wd: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", str(wd),
           "--cores", "2", "--nocolor", "--allowed-rules", *RULES, "--", *args]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True)


def mtime(wd: Path, h: str) -> int:
    return (wd / "results/models" / h / "coefficients.csv").stat().st_mtime_ns


@pytest.fixture
def workdir(tmp_path: Path, pipeline_results: Path) -> Path:
    wd = tmp_path / "work"
    shutil.copytree(ROOT / "config", wd / "config")
    (wd / "data/raw").mkdir(parents=True)
    shutil.copy(ROOT / "data/raw/sources.yaml", wd / "data/raw/sources.yaml")
    (wd / "results").mkdir()
    os.symlink(pipeline_results / "data", wd / "results/data")
    return wd


def test_add_covariate_and_model(workdir: Path):
    wd = workdir
    # (a) the user's own covariate, keyed by country and year
    cy = pd.read_parquet(wd / "results/data/country_year.parquet", columns=["country_iso3", "year"])
    cy = cy[cy["year"] == 2020].reset_index(drop=True)
    rng = np.random.default_rng(1)
    cy["my_index"] = rng.normal(size=len(cy)).round(4)
    (wd / "data/user").mkdir(parents=True)
    cy.to_csv(wd / "data/user/my_index.csv", index=False)
    cfg = yaml.safe_load((wd / "config/config.yaml").read_text())
    cfg["covariates"] = [{"name": "my_index", "file": "data/user/my_index.csv",
                          "keys": ["country_iso3", "year"], "columns": ["my_index"]}]  # fmt: skip
    (wd / "config/config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    # (b) a new model in H2's spec file that uses it
    spec_path = wd / "config/models/h2.yaml"
    spec = yaml.safe_load(spec_path.read_text())
    spec["models"].append({"name": "gawc2020_my_index", "label": "GaWC 2020 + my index",
                           "regressors": ["std(log1p_gawc_gnc_2020)"],
                           "controls": ["log_pop", "capital", "my_index"]})  # fmt: skip
    spec["labels"]["my_index"] = "My index"
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False))

    first = snakemake(wd, *TARGETS)
    assert first.returncode == 0, first.stderr[-3000:]
    coefs = pd.read_csv(wd / "results/models/h2/coefficients.csv")
    new = coefs[coefs["model"] == "gawc2020_my_index"]
    assert "my_index" in set(new["term"])
    assert new["n_obs"].iloc[0] > 600
    assert "My index" in (wd / "results/tables/h2.md").read_text()
    assert "gawc2020_my_index" not in set(
        pd.read_csv(wd / "results/models/h5/coefficients.csv")["model"]
    )

    again = snakemake(wd, *TARGETS)
    assert "Nothing to be done" in again.stderr

    # Editing H2's spec reruns H2 only.
    h2, h5 = mtime(wd, "h2"), mtime(wd, "h5")
    spec["models"][-1]["label"] = "GaWC 2020 + my index (relabelled)"
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False))
    assert snakemake(wd, *TARGETS).returncode == 0
    assert mtime(wd, "h2") > h2 and mtime(wd, "h5") == h5

    # New values in the covariate file rerun the hypothesis that reads it, and only it.
    h2 = mtime(wd, "h2")
    cy["my_index"] = cy["my_index"] * 2
    cy.to_csv(wd / "data/user/my_index.csv", index=False)
    assert snakemake(wd, *TARGETS).returncode == 0
    assert mtime(wd, "h2") > h2 and mtime(wd, "h5") == h5


def test_bad_covariate_file_names_the_entry(workdir: Path):
    wd = workdir
    (wd / "data/user").mkdir(parents=True)
    pd.DataFrame({"country_iso3": ["USA", "USA"], "year": [2020, 2020], "my_index": [1, 2]}).to_csv(
        wd / "data/user/dup.csv", index=False
    )
    cfg = yaml.safe_load((wd / "config/config.yaml").read_text())
    cfg["covariates"] = [{"name": "dup", "file": "data/user/dup.csv",
                          "keys": ["country_iso3", "year"], "columns": ["my_index"]}]  # fmt: skip
    (wd / "config/config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    spec_path = wd / "config/models/h2.yaml"
    spec = yaml.safe_load(spec_path.read_text())
    spec["models"][0]["controls"] = ["log_pop", "my_index"]
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False))
    run = snakemake(wd, "results/tables/h2.md")
    assert run.returncode != 0
    log = (wd / "results/logs/fit_h2.log").read_text()
    assert "covariates[0] (dup)" in log and "duplicate key rows" in log
