"""The real Snakefile on a real SLURM cluster, through the shipped profile (profiles/slurm).

Start a single-node cluster first: `bash .ci/slurm_up.sh` (root). Without `sbatch`/`squeue`,
or with no node up (idle, mix or alloc in `sinfo`), the SLURM test skips; without the raw-data
mirror (../shared/raw) too.

The run starts in the background when the session starts (tests/slurm_background.py) and
this test, moved to the end of the session, waits for it and checks what it did.

Target: a subset of the DAG, not `all`. Every SLURM job starts Snakemake twice (the job, then
its srun step), which on the 2-core CI machine makes the full DAG take ~20 min through SLURM
against ~3.5 min locally; the subset below exercises each kind of job the profile treats
differently (the acquire group, a parse group, plain jobs, a job with set-resources) in ~3 min.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.acquire.manifest import files_by_topic, load_manifest
from analysis.sources import registry
from tests import slurm_background
from tests.conftest import MIRROR, ROOT
from tests.slurm_background import PARSED, PROFILE, TARGETS

EXPECTED_RULES = {
    *(f"acquire_{t}" for t in files_by_topic(load_manifest(ROOT / "data/raw/sources.yaml"))),
    "acquisition_report",
    "parse_gawc_2000",
    "validate_gawc2000",
    "gazetteer",
    *(f"parse_{s}" for s in PARSED),
}
SUBMITTED = re.compile(r"has been submitted with SLURM jobid (\d+) \(log: (.+?)\)\.?$", re.M)


@pytest.mark.slurm
def test_pipeline_runs_through_slurm(capsys):
    if reason := slurm_background.slurm_missing():
        pytest.skip(reason)
    # Started in the background at collection (conftest); this test runs last and waits for it.
    background = slurm_background.start()
    run = background.wait()
    wall, wd = background.wall, background.workdir
    log = run.stderr + run.stdout
    assert run.returncode == 0, f"{wd}:\n{log[-6000:]}"
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
    again = subprocess.run(
        slurm_background.snakemake_command(wd, "--cores", "1", "-n", *TARGETS),
        cwd=wd,
        capture_output=True,
        text=True,
        env=slurm_background.snakemake_env(),
        timeout=300,
    )
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
