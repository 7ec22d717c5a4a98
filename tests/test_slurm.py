"""The real Snakefile on a real SLURM cluster, through the shipped profile (profiles/slurm).

Start a single-node cluster first: `bash .ci/slurm_up.sh` (root). Without `sbatch`/`squeue`,
or with no node up (idle, mix or alloc in `sinfo`), the SLURM test skips; without the raw-data
mirror (../shared/raw) too.

Target: a subset of the DAG, not `all`. Every SLURM job starts Snakemake twice (the job, then
its srun step), which on the 2-core CI machine makes the full DAG take ~20 min through SLURM
against ~3.5 min locally; the subset below exercises each kind of job the profile treats
differently (the acquire group, a parse group, plain jobs, a job with set-resources) in ~3 min.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.acquire.fetch import MIRROR_ENV
from analysis.acquire.manifest import files_by_topic, load_manifest
from analysis.sources import registry
from tests.conftest import MIRROR, ROOT

PROFILE = ROOT / "profiles" / "slurm"
# One parse job per raw-data topic, gawc_2000 through its validation against published figures.
PARSED = ("polity5", "etmun", "us_governors", "climactor_2021", "openflights")
TARGETS = (
    "results/audit/raw_files.csv",  # acquire group (all raw files) + acquisition_report
    "results/audit/gawc2000_validation.csv",  # parse_gawc_2000 + validate_gawc2000
    "results/cache/gazetteer.parquet",  # gazetteer: a job with set-resources
    *(f"results/audit/rows/{s}.csv" for s in PARSED),
)
EXPECTED_RULES = {
    *(f"acquire_{t}" for t in files_by_topic(load_manifest(ROOT / "data/raw/sources.yaml"))),
    "acquisition_report",
    "parse_gawc_2000",
    "validate_gawc2000",
    "gazetteer",
    *(f"parse_{s}" for s in PARSED),
}
SUBMITTED = re.compile(r"has been submitted with SLURM jobid (\d+) \(log: (.+?)\)\.?$", re.M)


def _slurm_missing() -> str | None:
    """Why the SLURM test cannot run here, or None."""
    for tool in ("sbatch", "squeue", "sinfo"):
        if shutil.which(tool) is None:
            return f"{tool} is not on PATH (start a local cluster: bash .ci/slurm_up.sh)"
    try:
        out = subprocess.run(
            ["sinfo", "--noheader", "--Node", "--format=%t"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except subprocess.TimeoutExpired:
        return "sinfo did not answer within 30 s"
    if out.returncode != 0:
        return f"sinfo failed: {out.stderr.strip()}"
    # A busy node (mix, alloc) is up and takes the jobs when it frees up; down/drain are not.
    if not {"idle", "mix", "alloc"} & set(out.stdout.split()):
        return f"sinfo shows no idle SLURM node (states: {out.stdout.split() or 'none'})"
    return None


def _workdir(tmp: Path) -> Path:
    """A fresh working directory holding the repository's config, pointed at the mirror."""
    wd = tmp / "work"
    shutil.copytree(ROOT / "config", wd / "config")
    (wd / "data/raw").mkdir(parents=True)
    shutil.copy2(ROOT / "data/raw/sources.yaml", wd / "data/raw/sources.yaml")
    cfg_path = wd / "config/config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    cfg["raw"]["mirror"] = str(MIRROR.resolve())
    for cov in cfg.get("covariates") or []:  # user covariate files, relative to the workdir
        (wd / cov["file"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / cov["file"], wd / cov["file"])
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return wd


def _snakemake(wd: Path, *args: str, timeout: int) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != MIRROR_ENV}
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", str(wd)]
    return subprocess.run(
        [*cmd, "--nocolor", *args],
        cwd=wd,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


@pytest.mark.slurm
def test_pipeline_runs_through_slurm(tmp_path, capsys):
    if reason := _slurm_missing():
        pytest.skip(reason)
    if not MIRROR.is_dir():
        pytest.skip(f"the raw-data mirror {MIRROR} is not here")
    wd = _workdir(tmp_path)

    start = time.monotonic()
    run = _snakemake(
        wd, "--profile", str(PROFILE), "--slurm-keep-successful-logs", *TARGETS, timeout=1800
    )
    wall = time.monotonic() - start
    log = run.stderr + run.stdout
    assert run.returncode == 0, log[-6000:]
    with capsys.disabled():
        print(f"\n[slurm] {len(EXPECTED_RULES)} jobs through SLURM in {wall:.0f} s")

    # Every job went through SLURM: nothing ran as a local rule, each submission left its log.
    assert not re.findall(r"^localrule (\w+):", log, re.M)
    submitted = SUBMITTED.findall(log)
    assert submitted, log[-3000:]
    for jobid, slurm_log in submitted:
        assert Path(slurm_log).is_file(), f"SLURM job {jobid}: no log {slurm_log}"
    logs = list((wd / ".snakemake/slurm_logs").rglob("*.log"))
    assert {p.stem for p in logs} >= {jobid for jobid, _ in submitted}
    # The acquire and parse jobs ran in group jobs: fewer SLURM jobs than Snakemake jobs.
    ran = set(re.findall(r"^\s*rule (\w+):", log, re.M))
    assert ran == EXPECTED_RULES
    assert len(submitted) < len(EXPECTED_RULES)
    n = len(EXPECTED_RULES)
    assert f"{n} of {n} steps (100%) done" in log

    # Acquisition: every raw file of the manifest, verified, copied from the mirror.
    manifest = load_manifest(wd / "data/raw/sources.yaml")
    report = pd.read_csv(wd / "results/audit/raw_files.csv")
    assert sorted(report["file"]) == sorted(e.file for e in manifest)
    assert report["verified"].all() and set(report["origin"]) == {"mirror"}
    for e in manifest:
        assert (wd / "data/raw" / e.file).stat().st_size == (MIRROR / e.file).stat().st_size

    # Parsing, validation and the gazetteer wrote their outputs.
    for source in PARSED:
        rows = pd.read_csv(wd / f"results/audit/rows/{source}.csv")
        assert len(rows) > 0, source
        assert list((wd / f"results/interim/{source}").glob("*.parquet")), source
    assert len(pd.read_csv(wd / "results/audit/gawc2000_validation.csv")) > 0
    assert len(pd.read_parquet(wd / "results/cache/gazetteer.parquet")) > 100_000

    # What the SLURM jobs recorded is what a local run expects: nothing left to do.
    again = _snakemake(wd, "--cores", "1", "-n", *TARGETS, timeout=300)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "Nothing to be done" in again.stdout + again.stderr


def test_profile_names_existing_rules_and_groups_every_acquire_and_parse_rule():
    """The profile lists rules by name: keep it in step with the Snakefile's rules."""
    profile = yaml.safe_load((PROFILE / "config.yaml").read_text())
    assert profile["executor"] == "slurm"
    static = {
        m
        for smk in (ROOT / "analysis/rules").glob("*.smk")
        for m in re.findall(r"^rule (\w+):", smk.read_text(), re.M)
    }
    topics = files_by_topic(load_manifest(ROOT / "data/raw/sources.yaml"))
    acquire = {f"acquire_{t}" for t in topics}
    parse = {f"parse_{s}" for s in registry()}
    rules = static | acquire | parse

    groups = dict(g.split("=", 1) for g in profile["groups"])
    assert set(groups) <= rules, f"profile groups name unknown rules: {set(groups) - rules}"
    missing = (acquire | parse) - set(groups)
    assert not missing, f"add to profiles/slurm/config.yaml groups: {sorted(missing)}"
    assert {g.split("=")[0] for g in profile["group-components"]} == set(groups.values())

    resourced = {r.split(":", 1)[0] for r in profile["set-resources"]}
    assert resourced <= rules, f"set-resources names unknown rules: {resourced - rules}"
