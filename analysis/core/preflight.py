"""Checks made before any work: can the outputs be written at all?

A results folder that cannot be written used to end in a raw PermissionError traceback after a
fit had run for minutes; these checks fail first, in one line that names the folder.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from analysis.core.errors import PipelineError


class UnwritableError(PipelineError):
    """An output folder cannot be created or written."""


def check_writable(folders: Iterable[str | Path]) -> None:
    """Create each folder if needed and write (then remove) a probe file in it.

    A probe, not `os.access`: root passes `os.access` on read-only mounts and read-only
    folders alike, and a path component that is a file only shows when something is created.
    """
    for folder in map(Path, folders):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(prefix=".write-probe-", dir=folder)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise UnwritableError(f"cannot write to {folder}/: {reason}") from None
