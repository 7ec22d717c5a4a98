"""The finished pipeline on the real mirror: every published output is a target, SHA256SUMS
verifies, and a `--config` override reaches the jobs (one road for configuration)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.pipeline


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", str(workdir)]
    return subprocess.run(
        [*cmd, "--cores", "1", "--nocolor", *args], capture_output=True, text=True
    )


# One output of each kind a reviewer may open, with the rule that makes it.
PUBLISHED = {
    "results/models/h2/coefficients.csv": "fit_models",
    "results/models/h3/fit.json": "fit_models",
    "results/robustness/h2/specs.csv": "robustness",
    "results/robustness/h1/wild_bootstrap.csv": "robustness",
    "results/interim/gawc_2020/city_measures.parquet": "parse_gawc_2020",
    "results/audit/rows/etmun.csv": "parse_etmun",
    "results/data/mention_cities.parquet": "match_cities",
    "results/audit/acquire/cities.json": "acquire_cities",
    "data/raw/networks/etmun_organisations_gourdon.csv": "acquire_networks",
}


@pytest.mark.results_alone  # moves the published outputs away: no other test may read them
def test_every_deleted_published_output_is_planned_again(pipeline_results: Path):
    moved = {}
    try:
        for rel in PUBLISHED:
            src = ROOT / rel
            if not src.exists():
                pytest.fail(f"{rel} is not an output of the finished pipeline")
            moved[src] = src.with_name(src.name + ".moved-by-test")
            os.replace(src, moved[src])
        plan = snakemake(ROOT, "-n", "--quiet", "rules")
        assert plan.returncode == 0, plan.stderr
        planned = set(plan.stdout.split()) | set(plan.stderr.split())
        for rel, rule in PUBLISHED.items():
            assert rule in planned, f"deleting {rel} does not plan {rule}:\n{plan.stdout}"
    finally:
        for src, dst in moved.items():
            os.replace(dst, src)  # back, bytes and mtime as they were
    after = snakemake(ROOT, "-n")
    assert "Nothing to be done" in after.stdout + after.stderr


def test_sha256sums_verifies_and_covers_the_published_set(pipeline_results: Path):
    sums = (pipeline_results / "SHA256SUMS").read_text().splitlines()
    listed = {line.split("  ", 1)[1] for line in sums}
    check = subprocess.run(["sha256sum", "--quiet", "-c", "results/SHA256SUMS"], cwd=ROOT)
    assert check.returncode == 0
    assert "results/report.html" not in listed and "results/reviewer_map.md" not in listed
    assert not any(p.startswith("results/logs/") for p in listed)
    for rel in PUBLISHED:
        if rel.startswith("results/"):
            assert rel in listed, rel
    assert {"results/claims.md", "results/data/city_year.parquet"} <= listed


def _assembly_workdir(tmp_path: Path, results: Path) -> Path:
    """A workdir holding what assembly reads (copies, mtimes kept) and the raw files (link)."""
    wd = tmp_path / "work"
    shutil.copytree(ROOT / "config", wd / "config")
    (wd / "data").mkdir(parents=True)
    os.symlink(ROOT / "data/raw", wd / "data/raw")
    for sub in ("interim", "cache", "audit"):
        shutil.copytree(results / sub, wd / "results" / sub)
    (wd / "results/data").mkdir()
    shutil.copy2(results / "data/mention_cities.parquet", wd / "results/data")
    return wd


def test_config_override_reaches_the_assembly_job(tmp_path: Path, pipeline_results: Path):
    wd = _assembly_workdir(tmp_path, pipeline_results)
    target = "results/data/city_year.parquet"
    default = snakemake(wd, target, "--forcerun", "assemble")
    assert default.returncode == 0, default.stderr
    base = pd.read_parquet(pipeline_results / "data/city_year.parquet")
    same = pd.read_parquet(wd / target)
    pd.testing.assert_frame_equal(same, base)  # the default run is unchanged

    over = snakemake(wd, target, "--forcerun", "assemble",
                     "--config", "panel={min_city_population: 2000000}")  # fmt: skip
    assert over.returncode == 0, over.stderr
    small = pd.read_parquet(wd / target)
    n_base, n_small = base["city_id"].nunique(), small["city_id"].nunique()
    assert n_small < n_base
    # Cities no source names now enter only from 2,000,000 people up, as the override says.
    only_big = set(base["city_id"]) - set(small["city_id"])
    pops = base.drop_duplicates("city_id").set_index("city_id")["geonames_pop"]
    assert (pops.loc[sorted(only_big)].fillna(0) < 2_000_000).all()


def _planned_jobs(out: str) -> set[tuple[str, str]]:
    """(rule, hypothesis or "") of every job a dry run lists."""
    jobs = set()
    for block in re.split(r"\n(?=rule \w+:)", out):
        if m := re.match(r"rule (\w+):", block):
            h = re.search(r"wildcards:.*hypothesis=(h\d+)", block)
            jobs.add((m.group(1), h.group(1) if h else ""))
    return jobs


@pytest.mark.results_alone  # edits a module the pipeline's jobs import, for a while
@pytest.mark.parametrize(
    ("module", "reruns", "keeps"),
    [
        ("analysis/sources/etmun.py", ("parse_etmun", ""), ("parse_gawc_2020", "")),
        ("analysis/hypotheses/h2_centrality.py", ("fit_models", "h2"), ("fit_models", "h5")),
    ],
)
def test_an_edited_module_reruns_the_jobs_that_import_it(pipeline_results, module, reruns, keeps):
    """Through the code stamps (analysis/workflow/facts.py) and the plan cache: any edit to a
    module a job imports reruns that job, and only the jobs that import it."""
    path = ROOT / module
    data, st = path.read_bytes(), path.stat()
    try:
        path.write_bytes(data + b"\n# edited by a test\n")
        run = snakemake(ROOT, "-n")
        assert run.returncode == 0, run.stderr
        jobs = _planned_jobs(run.stdout + run.stderr)
        assert reruns in jobs and keeps not in jobs, sorted(jobs)
    finally:
        path.write_bytes(data)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = snakemake(ROOT, "-n")
    assert "Nothing to be done" in after.stdout + after.stderr


@pytest.mark.results_alone  # an edit by another test would miss the plan cache and import more
def test_a_no_op_rerun_imports_no_pandas(pipeline_results: Path):
    """A no-op rerun's start stays lean: no executor plugin that imports pandas in the
    environment (the SLURM plugin lives apart, Makefile), no rule-file helper that imports it,
    and Snakemake's params check without it (analysis/workflow/params_check.py)."""
    cmd = [sys.executable, "-X", "importtime", "-m", "snakemake", "-s", str(ROOT / "Snakefile"),
           "-d", str(ROOT), "--cores", "1", "--nocolor", "-n"]  # fmt: skip
    run = subprocess.run(cmd, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Nothing to be done" in run.stdout + run.stderr
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in run.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    heavy = {m for m in imported if m.split(".")[0] in {"pandas", "pyarrow", "pandera", "scipy"}}
    assert "snakemake.persistence" in imported and not heavy, sorted(heavy)[:10]
