"""One directory and named locks per test session, shared by pytest-xdist's workers.

The controller names the session (its pid) in the environment before the workers start, and
they inherit it; without xdist the one process is both. Work that must happen once per
session however many workers run (the pipeline on the real mirror, the SLURM run) takes a
lock here and leaves its result in the directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

SESSION_ENV = "CITYDIPLOMACY_TEST_SESSION"


def name_session() -> None:
    """Called by the process that starts the session (conftest's pytest_configure); xdist's
    workers, started later, inherit the name."""
    os.environ[SESSION_ENV] = str(os.getpid())


def session_dir() -> Path:
    d = Path(tempfile.gettempdir()) / f"citydiplomacy-tests-{os.environ[SESSION_ENV]}"
    d.mkdir(exist_ok=True)
    return d


@contextlib.contextmanager
def session_lock(name: str, shared: bool = False) -> Iterator[None]:
    """A lock across the session's processes, held until the block ends: exclusive, or
    shared with other shared holders of the same name."""
    with open(session_dir() / f"{name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def end_session() -> None:
    """Remove the session's directory once its shared work is done; what is left in it (a
    failed SLURM run's logs) stays."""
    d = session_dir()
    for f in [*d.glob("*.lock"), d / "pipeline.json"]:
        f.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        d.rmdir()
