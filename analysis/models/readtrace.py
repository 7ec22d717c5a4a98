"""Which columns of its tables a frame builder reads, noted while the frame is built.

The fit job builds each frame with recording tables and keeps what the builder looked up
(``results/cache/frame_reads/<h>.json``); the reviewer's map credits sources from it
(:mod:`analysis.report.provenance`). The frame itself is the one a plain build gives: the
recording class only notes column names and leaves every operation to pandas.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

_READ: set[str] = set()


class _Recording(pd.DataFrame):
    """A DataFrame that notes every column name looked up with ``df[...]`` (in `_READ`);
    derived frames stay recording, so a builder's copies and slices are followed too."""

    @property
    def _constructor(self):
        return _Recording

    def __getitem__(self, key):
        if isinstance(key, str):
            _READ.add(key)
        elif isinstance(key, list | tuple | pd.Index):
            _READ.update(k for k in key if isinstance(k, str))
        return super().__getitem__(key)


def traced(
    build: Callable[[dict[str, pd.DataFrame]], pd.DataFrame],
    tables: Mapping[str, pd.DataFrame],
) -> tuple[pd.DataFrame, dict[str, set[str]]]:
    """``build(tables)`` with recording tables: (the frame as a plain DataFrame, {table:
    its columns the builder read})."""
    _READ.clear()
    try:
        frame = build({k: _Recording(v) for k, v in tables.items()})
        reads = {k: set(v.columns) & _READ for k, v in tables.items()}
    finally:
        _READ.clear()
    # the plain frame keeps the builder's attrs (frames carry design facts in them)
    return pd.DataFrame(frame).__finalize__(frame), reads


def reads_record(frames: Mapping[str, tuple[dict[str, set[str]], list[str]]]) -> dict[str, Any]:
    """{frame: {"reads": {table: sorted columns}, "columns": [frame columns]}}, sorted, for
    JSON (a frame built from another's base records nothing the base recorded)."""
    return {
        name: {
            "reads": {t: sorted(cols) for t, cols in sorted(reads.items())},
            "columns": list(columns),
        }
        for name, (reads, columns) in sorted(frames.items())
    }


def from_record(record: Mapping[str, Any]) -> dict[str, tuple[dict[str, set[str]], list[str]]]:
    """The inverse of :func:`reads_record`."""
    return {
        name: ({t: set(cols) for t, cols in r["reads"].items()}, list(r["columns"]))
        for name, r in record.items()
    }
