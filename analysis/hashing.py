"""Streamed file hashing, shared by acquisition, audits and the results manifest."""

from __future__ import annotations

import hashlib
from pathlib import Path

from analysis.errors import RawInputError

CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks so large inputs never sit in memory."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise RawInputError(str(path), f"cannot read file: {exc}") from exc
    return digest.hexdigest()
