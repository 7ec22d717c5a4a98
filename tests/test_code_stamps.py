"""A job's code stamp (analysis/workflow/facts.py, CodeInputs) reruns it exactly when listing
its modules as inputs would: Snakemake decides the same for both in every case below."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.workflow.facts import CodeInputs
from analysis.workflow.plan_cache import PlanCache

SNAKEFILE = """
from pathlib import Path
from analysis.workflow.plan_cache import PlanCache
from analysis.workflow.facts import CodeInputs

CODE = CodeInputs(PlanCache({}, pkg=Path("pkg").resolve()), [])
FILES = sorted(str(p) for p in Path("pkg").glob("*.py"))

rule all:
    input: "direct.txt", "stamped.txt"

rule direct:
    input: FILES
    output: "direct.txt"
    shell: "cat {input} > {output}"

rule stamped:
    input: CODE.stamp("job", FILES)
    output: "stamped.txt"
    shell: "cat {input} > {output}"
"""


@pytest.fixture
def code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CodeInputs:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("x = 1\n")
    (tmp_path / "pkg" / "b.py").write_text("y = 2\n")
    return CodeInputs(PlanCache({}, path="plan.json", pkg=tmp_path / "pkg"), [])


def _stamp(tmp_path: Path) -> CodeInputs:
    return CodeInputs(PlanCache({}, path="plan.json", pkg=tmp_path / "pkg"), [])


def test_a_stamp_holds_each_files_digest_and_the_newest_mtime(code, tmp_path):
    os.utime("pkg/a.py", ns=(0, 5_000_000_000))
    os.utime("pkg/b.py", ns=(0, 7_000_000_000))
    (stamp,) = _stamp(tmp_path).stamp("job", ["pkg/a.py", "pkg/b.py"])
    lines = Path(stamp).read_text().splitlines()
    assert [line.split("  ")[1] for line in lines] == ["pkg/a.py", "pkg/b.py"]
    assert lines[0].split("  ")[0] == hashlib.sha256(b"x = 1\n").hexdigest()
    assert Path(stamp).stat().st_mtime_ns == 7_000_000_000


def test_touching_or_editing_a_file_moves_the_stamp(code, tmp_path):
    (stamp,) = code.stamp("job", ["pkg/a.py", "pkg/b.py"])
    before = Path(stamp).read_text()
    later = Path(stamp).stat().st_mtime_ns + 10_000_000_000
    os.utime("pkg/b.py", ns=(later, later))  # touched: newer, same contents
    _stamp(tmp_path).stamp("job", ["pkg/a.py", "pkg/b.py"])
    assert Path(stamp).stat().st_mtime_ns == later and Path(stamp).read_text() == before
    Path("pkg/a.py").write_text("x = 2\n")  # edited
    _stamp(tmp_path).stamp("job", ["pkg/a.py", "pkg/b.py"])
    assert Path(stamp).read_text() != before


def test_a_file_joining_the_code_changes_the_stamp(code, tmp_path):
    (stamp,) = code.stamp("job", ["pkg/a.py"])
    before = Path(stamp).read_text()
    code.stamp("job", ["pkg/a.py", "pkg/b.py"])
    assert Path(stamp).read_text() != before


def test_no_code_no_stamp_and_an_unwritable_stamp_falls_back_to_the_files(code, tmp_path):
    assert code.stamp("none", []) == []
    (tmp_path / ".snakemake").write_text("a file where the stamp directory would go")
    assert code.stamp("job", ["pkg/a.py"]) == ["pkg/a.py"]


def _planned(wd: Path) -> set[str]:
    cmd = [sys.executable, "-m", "snakemake", "-d", str(wd), "--cores", "1", "--nocolor",
           "-n", "--quiet", "rules"]  # fmt: skip
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=wd)
    assert run.returncode == 0, run.stdout + run.stderr
    words = set((run.stdout + run.stderr).split())
    return {r for r in ("direct", "stamped") if r in words}


def test_snakemake_reruns_a_stamped_job_when_it_would_rerun_its_listed_files(tmp_path):
    wd = tmp_path
    (wd / "pkg").mkdir()
    (wd / "pkg" / "a.py").write_text("x = 1\n")
    (wd / "pkg" / "b.py").write_text("y = 2\n")
    (wd / "Snakefile").write_text(SNAKEFILE)
    cmd = [sys.executable, "-m", "snakemake", "--cores", "1", "--nocolor"]
    assert subprocess.run(cmd, cwd=wd, capture_output=True).returncode == 0
    assert _planned(wd) == set()
    time.sleep(0.05)
    os.utime(wd / "pkg" / "b.py")  # touched, contents unchanged: the recorded checksums hold
    assert (wd / "pkg" / "b.py").stat().st_mtime_ns > (wd / "stamped.txt").stat().st_mtime_ns
    assert _planned(wd) == set()

    (wd / "pkg" / "a.py").write_text("x = 3\n")  # edited
    assert _planned(wd) == {"direct", "stamped"}
    assert subprocess.run(cmd, cwd=wd, capture_output=True).returncode == 0
    assert _planned(wd) == set()

    (wd / "pkg" / "c.py").write_text("z = 3\n")  # a module joins the code
    assert _planned(wd) == {"direct", "stamped"}
