"""The acquisition stage of the real Snakefile, run on a synthetic mirror in a temp dir."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.acquire import MIRROR_ENV
from tests.conftest import ROOT


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != MIRROR_ENV}
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", str(workdir)]
    return subprocess.run(
        [*cmd, "--cores", "1", "--nocolor", *args], capture_output=True, text=True, env=env
    )


@pytest.fixture
def workdir(tmp_path, synthetic_mirror):
    mirror, raw = synthetic_mirror
    wd = tmp_path / "work"
    (wd / "config").mkdir(parents=True)
    shutil.copytree(ROOT / "config/models", wd / "config/models")  # the DAG reads the specs
    (wd / "data/raw").mkdir(parents=True)
    (wd / "data/raw/sources.yaml").write_text(yaml.safe_dump({"sources": raw}))
    cfg = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    cfg["raw"]["mirror"] = str(mirror)
    (wd / "config/config.yaml").write_text(yaml.safe_dump(cfg))
    return wd, mirror, raw


def test_acquire_stage_end_to_end(workdir):
    wd, mirror, raw = workdir
    first = snakemake(wd, "results/audit/raw_files.csv")
    assert first.returncode == 0, first.stderr
    report = pd.read_csv(wd / "results/audit/raw_files.csv")
    assert sorted(report["file"]) == sorted(e["file"] for e in raw)
    assert report["verified"].all() and set(report["origin"]) == {"mirror"}
    for e in raw:
        assert (wd / "data/raw" / e["file"]).read_bytes() == (mirror / e["file"]).read_bytes()

    # A rerun with everything present copies nothing.
    stamps = {e["file"]: (wd / "data/raw" / e["file"]).stat().st_mtime_ns for e in raw}
    again = snakemake(wd, "results/audit/raw_files.csv")
    assert again.returncode == 0 and "Nothing to be done" in again.stderr
    assert stamps == {e["file"]: (wd / "data/raw" / e["file"]).stat().st_mtime_ns for e in raw}


def test_corrupted_mirror_stops_the_pipeline(workdir):
    wd, mirror, raw = workdir
    target = raw[0]["file"]
    (mirror / target).write_bytes(b"?" * raw[0]["bytes"])
    run = snakemake(wd, "results/audit/raw_files.csv")
    assert run.returncode != 0
    topic = target.split("/")[0]
    log = (wd / f"results/logs/acquire/{topic}.log").read_text()
    assert f"{target}: sha256 mismatch: expected {raw[0]['sha256']}" in log
    assert not (wd / "data/raw" / target).exists()
    assert not list((wd / "data/raw" / topic).glob(".*partial"))


def test_bad_config_key_stops_before_any_job(workdir):
    wd, _, _ = workdir
    cfg = yaml.safe_load((wd / "config/config.yaml").read_text())
    cfg["raw"]["mirorr"] = "typo"
    (wd / "config/config.yaml").write_text(yaml.safe_dump(cfg))
    run = snakemake(wd, "-n")
    assert run.returncode != 0
    assert "raw.mirorr" in run.stdout + run.stderr
