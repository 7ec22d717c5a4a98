"""Replace a small state file in one step, so a concurrent reader sees the old or the new
contents, never part of either (the plan cache, the code stamps, the raw-file stat cache)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_atomic(
    path: Path, text: str, *, mtime_ns: int | None = None, mode: int | None = None
) -> None:
    """Write `text` to a temporary file beside `path` (with `mtime_ns` and `mode` when given)
    and rename it over `path`; on an error the temporary file is removed and the error
    raised."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        if mtime_ns is not None:
            os.utime(tmp, ns=(mtime_ns, mtime_ns))
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        raise
