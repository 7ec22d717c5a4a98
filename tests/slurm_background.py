"""The SLURM test's pipeline run, started in the background when the session starts.

A run through SLURM spends most of its ~2 min waiting: the plugin polls the queue at growing
intervals and every SLURM job starts Snakemake twice. Started at collection time (conftest's
`pytest_collection_finish`, in every xdist worker, but only the first starts it), it waits
while the rest of the suite runs; tests/test_slurm.py, moved to the end of the session, then
collects its result and asserts on it. Nothing starts unless that test was selected and a
cluster is up.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis.acquire.fetch import MIRROR_ENV
from tests.conftest import MIRROR, ROOT
from tests.session import session_dir, session_lock

PROFILE = ROOT / "profiles" / "slurm"
# `make install` puts the SLURM executor plugin here, apart from the environment (Makefile).
SLURM_PLUGINS = Path(sys.prefix) / "slurm"
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
    """The test's own environment, minus a mirror override (the workdir's config names it),
    with the SLURM plugin on PYTHONPATH as `make slurm` puts it."""
    env = {k: v for k, v in os.environ.items() if k != MIRROR_ENV}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SLURM_PLUGINS), env.get("PYTHONPATH")]))
    return env


@dataclass
class SlurmRun:
    """A pipeline run through SLURM, started in the background, seen from any test process.

    Under pytest-xdist the worker that starts it is not always the one that runs the test, so
    the run lives in the session's shared directory: a shell writes Snakemake's exit code to
    `rc` when it ends, and `state.json` holds its process group and start time.
    """

    base: Path

    @property
    def workdir(self) -> Path:
        return self.base / "work"

    @property
    def state(self) -> dict:
        return json.loads((self.base / "state.json").read_text())

    def wait(self) -> subprocess.CompletedProcess:
        """Block until the run ends; stop it after TIMEOUT_S from its start."""
        rc = self.base / "rc"
        while not rc.exists():
            if time.time() - self.state["started"] > TIMEOUT_S:
                self.stop()
                raise TimeoutError(f"the SLURM run in {self.base} took over {TIMEOUT_S} s")
            time.sleep(1)
        code = int(rc.read_text().strip() or 1)
        out, err = (self.base / "snakemake.out").read_text(), (self.base / "snakemake.err")
        return subprocess.CompletedProcess(self.state["command"], code, out, err.read_text())

    @property
    def wall(self) -> float:
        """Seconds from the start to now (to the end, once waited for)."""
        return time.time() - self.state["started"]

    def stop(self) -> None:
        """Stop a run still going (Snakemake cancels its SLURM jobs on SIGTERM)."""
        if (self.base / "rc").exists():
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.state["pgid"], signal.SIGTERM)

    def finished_ok(self) -> bool:
        rc = self.base / "rc"
        return rc.exists() and rc.read_text().strip() == "0"


def _shared_dir() -> Path:
    return session_dir() / "slurm"


def start() -> SlurmRun | None:
    """Start the run once per test session (once across xdist workers); None where the
    cluster or the mirror is missing."""
    base = _shared_dir()
    with session_lock("slurm"):
        if (base / "state.json").exists():
            return SlurmRun(base)
        if slurm_missing() is not None:
            return None
        base.mkdir(parents=True)
        wd = make_workdir(base)
        cmd = snakemake_command(
            wd, "--profile", str(PROFILE), "--slurm-keep-successful-logs", *TARGETS
        )
        shell = f"{shlex.join(cmd)} > ../snakemake.out 2> ../snakemake.err; echo $? > ../rc"
        proc = subprocess.Popen(
            ["sh", "-c", shell], cwd=wd, env=snakemake_env(), start_new_session=True
        )
        state = {"pgid": proc.pid, "started": time.time(), "command": cmd}
        (base / "state.json").write_text(json.dumps(state))
        return SlurmRun(base)


def finish() -> None:
    """End of session (the xdist controller, or pytest without workers): stop a run nobody
    waited for; remove its directory unless it failed (its logs then stay for a look, and
    the test's message names the directory)."""
    base = _shared_dir()
    if (base / "state.json").exists():
        run = SlurmRun(base)
        run.stop()
        if run.finished_ok():
            shutil.rmtree(base, ignore_errors=True)
