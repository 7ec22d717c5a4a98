"""The real Snakefile on a synthetic mirror in a temp dir: acquisition, verification at use,
and the faults a careless or hostile user may cause (each must stop the plan with a message
that names the file, line or key)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.acquire.fetch import MIRROR_ENV
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
    assert f"(from {mirror / target})" in log  # the file to look at, not a temporary copy
    assert ".partial" not in log
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


RAW_TARGET = "results/audit/raw_files.csv"


def acquired(workdir):
    wd, mirror, raw = workdir
    run = snakemake(wd, RAW_TARGET)
    assert run.returncode == 0, run.stderr
    return wd, mirror, raw


def test_in_place_edit_with_mtime_kept_stops_the_next_run(workdir):
    wd, _, raw = acquired(workdir)
    path = wd / "data/raw" / raw[0]["file"]
    st = path.stat()
    data = path.read_bytes()
    path.write_bytes(data.replace(b"Bologna", b"Bolognb"))  # same size, one value changed
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    run = snakemake(wd, "-n", RAW_TARGET)
    assert run.returncode != 0
    out = run.stdout + run.stderr
    edited = hashlib.sha256(path.read_bytes()).hexdigest()
    assert f"{path.relative_to(wd)}: sha256 {edited}, the manifest says {raw[0]['sha256']}" in out
    assert "Delete them to re-acquire them" in out


def test_raw_files_csv_hashes_the_files_themselves(workdir):
    wd, _, raw = acquired(workdir)
    report = pd.read_csv(wd / RAW_TARGET).set_index("file")
    for e in raw:
        on_disk = hashlib.sha256((wd / "data/raw" / e["file"]).read_bytes()).hexdigest()
        assert report.loc[e["file"], "sha256"] == on_disk
    # The report command itself refuses a file that differs, whatever the records say.
    path = wd / "data/raw" / raw[1]["file"]
    path.write_bytes(path.read_bytes()[::-1])
    run = subprocess.run(
        [sys.executable, "-m", "analysis", "acquisition-report", "--out", "x.csv",
         *map(str, (wd / "results/audit/acquire").glob("*.json"))],
        cwd=wd, capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 1
    assert f"differing from the manifest: {raw[1]['file']}" in run.stderr


def test_one_missing_file_is_fetched_alone_and_readable(workdir):
    wd, mirror, raw = acquired(workdir)
    alpha = [e["file"] for e in raw if e["file"].startswith("alpha/")]
    assert len(alpha) == 2
    kept, lost = wd / "data/raw" / alpha[0], wd / "data/raw" / alpha[1]
    inode = kept.stat().st_ino
    lost.unlink()
    run = snakemake(wd, str(lost.relative_to(wd)))
    assert run.returncode == 0, run.stderr
    assert lost.read_bytes() == (mirror / alpha[1]).read_bytes()
    assert kept.stat().st_ino == inode  # the present file was not copied again
    for e in raw:
        assert (wd / "data/raw" / e["file"]).stat().st_mode & 0o777 == 0o644
    log = (wd / "results/logs/acquire/alpha.log").read_text()
    assert log.count("mirror ") == 1, log  # one copy; the other entry is the kept file


def _edit_config(wd: Path, edit) -> None:
    path = wd / "config/config.yaml"
    path.write_text(edit(path.read_text()))


def test_duplicate_key_in_config_fails_the_plan_with_its_line(workdir):
    wd, _, _ = workdir
    _edit_config(wd, lambda t: t + "results_dir: elsewhere\n")
    line = (wd / "config/config.yaml").read_text().splitlines().index("results_dir: elsewhere")
    run = snakemake(wd, "-n", RAW_TARGET)
    assert run.returncode != 0
    assert f"config/config.yaml, line {line + 1}, column 1: duplicate key 'results_dir'" in (
        run.stdout + run.stderr
    )


def test_yaml_syntax_error_in_config_has_a_line_number(workdir):
    wd, _, _ = workdir
    _edit_config(wd, lambda t: t.replace("raw:\n", "raw:\n  bad: [unclosed\n", 1))
    run = snakemake(wd, "-n", RAW_TARGET)
    assert run.returncode != 0
    assert "config file config/config.yaml, line " in run.stdout + run.stderr


def test_duplicate_key_in_a_model_spec_fails_the_plan(workdir):
    wd, _, _ = workdir
    spec = wd / "config/models/h2.yaml"
    lines = spec.read_text().splitlines(keepends=True)
    at = next(i for i, t in enumerate(lines) if t.startswith("title:"))
    lines.insert(at + 1, "title: again\n")
    spec.write_text("".join(lines))
    run = snakemake(wd, "-n", RAW_TARGET)
    assert run.returncode != 0
    assert f"h2.yaml, line {at + 2}, column 1: duplicate key 'title'" in run.stdout + run.stderr


def test_unknown_manifest_key_fails_the_plan(workdir):
    wd, _, _ = workdir
    path = wd / "data/raw/sources.yaml"
    path.write_text(path.read_text() + "verify: false\n")
    run = snakemake(wd, "-n", RAW_TARGET)
    assert run.returncode != 0
    assert "unknown key 'verify' (allowed: sources)" in run.stdout + run.stderr


def test_unwritable_results_fail_before_any_job_in_one_line(workdir):
    wd, _, _ = workdir
    (wd / "results").write_text("a file where the results folder should be\n")
    run = snakemake(wd, RAW_TARGET)
    assert run.returncode != 0
    out = run.stdout + run.stderr
    assert "cannot write to results/: " in out
    assert "Traceback" not in out
    assert not (wd / "data/raw/alpha").exists()  # nothing was acquired


def test_covariate_clash_is_refused_at_plan_time(workdir):
    wd, _, _ = workdir
    (wd / "data/user").mkdir(parents=True)
    (wd / "data/user/mine.csv").write_text("city_id,log_pop\n1,2.0\n")
    cfg = yaml.safe_load((wd / "config/config.yaml").read_text())
    cfg["covariates"] = [{"name": "mine", "file": "data/user/mine.csv", "keys": ["city_id"],
                          "columns": ["log_pop"]}]  # fmt: skip
    (wd / "config/config.yaml").write_text(yaml.safe_dump(cfg))
    run = snakemake(wd, "-n", RAW_TARGET)
    assert run.returncode != 0
    assert "covariates[0] (mine): column 'log_pop' is already a column of city_year" in (
        run.stdout + run.stderr
    )


def test_a_regenerated_manifest_replaces_the_file_instead_of_refusing_it(workdir):
    """A raw file that still has the hash its acquisition recorded is not an edit when the
    manifest changes (the mirror got a new version): the acquire job replaces it."""
    wd, mirror, raw = acquired(workdir)
    new = b"name,country\nBologna,ITA\nModena,ITA\n"
    (mirror / raw[0]["file"]).write_bytes(new)
    entries = [dict(e) for e in raw]
    entries[0].update(sha256=hashlib.sha256(new).hexdigest(), bytes=len(new))
    (wd / "data/raw/sources.yaml").write_text(yaml.safe_dump({"sources": entries}))
    run = snakemake(wd, RAW_TARGET)
    assert run.returncode == 0, run.stderr
    assert (wd / "data/raw" / raw[0]["file"]).read_bytes() == new
    report = pd.read_csv(wd / RAW_TARGET).set_index("file")
    assert report.loc[raw[0]["file"], "sha256"] == entries[0]["sha256"]
