"""The SLURM test's pipeline run, started in the background when the session starts.

A run through SLURM spends most of its ~2 min waiting: the plugin polls the queue at growing
intervals and every SLURM job starts Snakemake twice. Started at collection time (conftest's
`pytest_collection_finish`), it waits while the rest of the suite runs; tests/test_slurm.py,
moved to the end of the session, then collects its result and asserts on it. Nothing starts
unless that test was selected and a cluster is up.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis.acquire.fetch import MIRROR_ENV
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
TIMEOUT_S = 1800


def slurm_missing() -> str | None:
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
    if not MIRROR.is_dir():
        return f"the raw-data mirror {MIRROR} is not here"
    return None


def make_workdir(base: Path) -> Path:
    """A fresh working directory holding the repository's config, pointed at the mirror."""
    wd = base / "work"
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


def snakemake_command(wd: Path, *args: str) -> list[str]:
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", str(wd)]
    return [*cmd, "--nocolor", *args]


def snakemake_env() -> dict[str, str]:
    """The test's own environment, minus a mirror override: the workdir's config names it."""
    return {k: v for k, v in os.environ.items() if k != MIRROR_ENV}


@dataclass
class SlurmRun:
    """A pipeline run through SLURM, started in the background."""

    workdir: Path
    process: subprocess.Popen
    started: float
    out_path: Path
    err_path: Path

    def wait(self) -> subprocess.CompletedProcess:
        """Block until the run ends (killed after TIMEOUT_S from its start)."""
        left = max(1.0, TIMEOUT_S - (time.monotonic() - self.started))
        try:
            code = self.process.wait(timeout=left)
        except subprocess.TimeoutExpired:
            self.stop()
            raise
        return subprocess.CompletedProcess(
            self.process.args, code, self.out_path.read_text(), self.err_path.read_text()
        )

    @property
    def wall(self) -> float:
        """Seconds from the start to now (to the end, once waited for)."""
        return time.monotonic() - self.started

    def stop(self) -> None:
        """Stop a run still going (Snakemake cancels its SLURM jobs on SIGTERM)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()


_RUN: SlurmRun | None = None


def start() -> SlurmRun | None:
    """Start the run once per session; None where the cluster or the mirror is missing."""
    global _RUN
    if _RUN is None and slurm_missing() is None:
        base = Path(tempfile.mkdtemp(prefix="citydiplomacy-slurm-"))
        wd = make_workdir(base)
        out, err = base / "snakemake.out", base / "snakemake.err"
        cmd = snakemake_command(
            wd, "--profile", str(PROFILE), "--slurm-keep-successful-logs", *TARGETS
        )
        with out.open("w") as o, err.open("w") as e:
            proc = subprocess.Popen(cmd, cwd=wd, stdout=o, stderr=e, env=snakemake_env())
        _RUN = SlurmRun(wd, proc, time.monotonic(), out, err)
    return _RUN


def finish() -> None:
    """End of session: stop a run nobody waited for; remove its directory unless it failed
    (then its logs stay for a look, and the test's message names the directory)."""
    global _RUN
    if _RUN is not None:
        _RUN.stop()
        if _RUN.process.returncode == 0:
            shutil.rmtree(_RUN.workdir.parent, ignore_errors=True)
        _RUN = None
