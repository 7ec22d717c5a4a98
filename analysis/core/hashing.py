"""Streamed file hashing, shared by acquisition, verification at use and the results manifest."""

from __future__ import annotations

import hashlib
from pathlib import Path

from analysis.core.errors import RawInputError


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file, streamed (hashlib.file_digest), so large inputs never sit in memory."""
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError as exc:
        raise RawInputError(str(path), f"cannot read file: {exc.strerror or exc}") from exc
