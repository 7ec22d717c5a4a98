"""Row accounting: every row a parser reads is either kept or dropped for a recorded reason.

Typical use inside a parser::

    audit = RowAudit("gawc2020")
    df = audit.start(raw, "clean")
    df = audit.drop(df["City"].isna(), "no city name")           # mask: True = drop
    df = audit.drop(df.drop_duplicates("City"), "duplicate city")  # frame: the rows kept
    audit.finish(df)
    write_audit(audit, "results/audit/gawc2020.csv")

Each step yields one record per drop reason (or one ``reason="none"`` record), and every step
must balance: ``rows_in == rows_out + sum(rows_dropped)``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import astuple, dataclass

import pandas as pd

from analysis.core.errors import PipelineError

__all__ = ["COLUMNS", "NO_DROP", "RowAccountingError", "RowAudit", "combine_audits", "write_audit"]

COLUMNS = ["source", "step", "rows_in", "rows_out", "rows_dropped", "reason"]
KEY = ["source", "step", "reason"]
NO_DROP = "none"  # reason recorded for a step that dropped nothing


class RowAccountingError(PipelineError):
    """Rows were lost or gained without being accounted for, or the audit was misused."""


@dataclass(frozen=True)
class _Record:
    source: str
    step: str
    rows_in: int
    rows_out: int
    rows_dropped: int
    reason: str


class RowAudit:
    """Records rows in, out and dropped (with a reason) for each step of one source's parser."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._records: list[_Record] = []
        self._step: str | None = None
        self._rows_in = 0
        self._drops: dict[str, int] = {}
        self._frame: pd.DataFrame | None = None

    def start(self, df: pd.DataFrame, step: str) -> pd.DataFrame:
        """Open ``step`` with ``len(df)`` rows in; returns ``df`` unchanged."""
        if self._step is not None:
            raise RowAccountingError(f"{self.source}: step {self._step!r} is still open")
        if step in {r.step for r in self._records}:
            raise RowAccountingError(f"{self.source}: step {step!r} recorded twice")
        if not df.index.is_unique:  # drops are verified by index label
            raise RowAccountingError(f"{self.source}/{step}: row index is not unique")
        self._step, self._rows_in, self._drops, self._frame = step, len(df), {}, df
        return df

    def drop(
        self, rows: pd.Series | pd.DataFrame, reason: str, *, frame: pd.DataFrame | None = None
    ) -> pd.DataFrame:
        """Record dropped rows under ``reason`` and return the rows kept.

        ``rows`` is either a boolean mask over the current frame (True = drop) or a DataFrame
        of the rows to keep, taken from the current frame. The current frame is the one last
        passed to or returned by this audit; pass ``frame=`` if you have rebuilt it since
        (e.g. with ``assign``), otherwise columns added to the new object would be lost.
        """
        current = self._current(frame)
        if isinstance(rows, pd.DataFrame):
            kept = rows
            if not (kept.index.is_unique and kept.index.isin(current.index).all()):
                raise RowAccountingError(
                    f"{self.source}/{self._step}: frame passed as kept rows for {reason!r} is "
                    "not a subset of the current rows"
                )
        else:
            if not rows.index.equals(current.index) or rows.dtype != bool:
                raise RowAccountingError(
                    f"{self.source}/{self._step}: mask for {reason!r} must be boolean and "
                    "aligned with the current rows"
                )
            kept = current.loc[~rows]
        self._drops[reason] = self._drops.get(reason, 0) + len(current) - len(kept)
        self._frame = kept
        return kept

    def finish(self, df: pd.DataFrame) -> pd.DataFrame:
        """Close the open step, checking ``len(df)`` equals rows in minus rows dropped."""
        self._current(None)
        expected = self._rows_in - sum(self._drops.values())
        if len(df) != expected:
            raise RowAccountingError(
                f"{self.source}/{self._step}: {len(df)} rows out, expected {expected} "
                f"({self._rows_in} in, dropped {self._drops})"
            )
        drops = {r: n for r, n in self._drops.items() if n} or {NO_DROP: 0}
        assert self._step is not None  # guaranteed by _current
        self._records += [
            _Record(self.source, self._step, self._rows_in, len(df), n, reason)
            for reason, n in sorted(drops.items())
        ]
        self._step, self._frame = None, None
        return df

    def to_frame(self) -> pd.DataFrame:
        """Return the records (columns :data:`COLUMNS`); every step must be finished."""
        if self._step is not None:
            raise RowAccountingError(f"{self.source}: step {self._step!r} was never finished")
        return _validated(pd.DataFrame([astuple(r) for r in self._records], columns=COLUMNS))

    def _current(self, frame: pd.DataFrame | None) -> pd.DataFrame:
        """The frame of the open step, raising if no step is open."""
        if self._step is None or self._frame is None:
            raise RowAccountingError(f"{self.source}: no open step; call start() first")
        return self._frame if frame is None else frame


def _validated(frame: pd.DataFrame) -> pd.DataFrame:
    """Check columns, key uniqueness and per-step balance; return the frame sorted by key."""
    if list(frame.columns) != COLUMNS:
        raise RowAccountingError(f"audit columns {list(frame.columns)}, expected {COLUMNS}")
    frame = frame.astype({c: "int64" for c in COLUMNS[2:5]}).astype(
        {c: str for c in ("source", "step", "reason")}
    )
    duplicated = frame.duplicated(KEY, keep=False)
    if duplicated.any():
        raise RowAccountingError(
            f"duplicate audit rows: {frame.loc[duplicated, KEY].to_numpy().tolist()}"
        )
    by_step = frame.groupby(["source", "step"])
    rows_in, rows_out = by_step["rows_in"], by_step["rows_out"]
    balanced = (
        (rows_in.nunique() == 1)
        & (rows_out.nunique() == 1)
        & (rows_in.first() == rows_out.first() + by_step["rows_dropped"].sum())
    )
    if balanced.all():  # the common case, in vectorised form; else name the first bad step
        return frame.sort_values(KEY, ignore_index=True)
    steps = frame.groupby(["source", "step"]).agg(
        rows_in=("rows_in", "unique"),
        rows_out=("rows_out", "unique"),
        rows_dropped=("rows_dropped", "sum"),
    )
    for (source, step), row in steps.iterrows():
        balanced = (
            len(row.rows_in) == 1
            and len(row.rows_out) == 1
            and row.rows_in[0] == row.rows_out[0] + row.rows_dropped
        )
        if not balanced:
            raise RowAccountingError(
                f"{source}/{step}: rows do not balance (in {list(row.rows_in)}, "
                f"out {list(row.rows_out)}, dropped {row.rows_dropped})"
            )
    return frame.sort_values(KEY, ignore_index=True)


def _as_frame(records: RowAudit | pd.DataFrame) -> pd.DataFrame:
    return records.to_frame() if isinstance(records, RowAudit) else records


def write_audit(
    records: RowAudit | pd.DataFrame | Iterable[RowAudit | pd.DataFrame],
    path: str | os.PathLike[str],
) -> pd.DataFrame:
    """Validate ``records`` and write them as a CSV sorted by source, step and reason.

    The output is byte-for-byte deterministic (sorted rows, fixed columns, LF line ends).
    Returns the frame written.
    """
    parts = [records] if isinstance(records, RowAudit | pd.DataFrame) else list(records)
    frames = [_as_frame(p) for p in parts]
    if len(parts) == 1 and isinstance(parts[0], RowAudit):
        frame = frames[0]  # validated and sorted by `to_frame` already
    else:
        frame = _validated(pd.concat(frames, ignore_index=True) if frames else _empty())
    os.makedirs(os.path.dirname(os.fspath(path)) or ".", exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")
    return frame


def combine_audits(paths: Iterable[str | os.PathLike[str]]) -> pd.DataFrame:
    """Read per-source audit CSVs and return one validated, sorted frame.

    A (source, step, reason) appearing in two files raises, so a source audited twice is caught.
    Write the result with :func:`write_audit` (e.g. to ``results/audit/rows.csv``).
    """
    frames = [
        pd.read_csv(p, dtype={c: str for c in KEY}, keep_default_na=False) for p in sorted(paths)
    ]
    return _validated(pd.concat(frames, ignore_index=True) if frames else _empty())


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series(dtype="int64" if c.startswith("rows") else str) for c in COLUMNS}
    )
