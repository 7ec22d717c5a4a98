"""Builders and audit views shared by the source-parser tests.

The builders write small synthetic raw files under a test's ``tmp_path`` (``root``) at the
manifest path a parser reads (``file``); the views summarise a parser's row audit.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import openpyxl
import pandas as pd

from analysis.sources.common.base import ParsedSource, SourceSpec


def raw_path(root: Path, file: str) -> Path:
    """``root / file``, its folders created."""
    path = root / file
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write(root: Path, file: str, text: str | bytes) -> Path:
    """Write ``text`` (as UTF-8) or raw bytes to ``root / file``."""
    path = raw_path(root, file)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def write_lines(root: Path, file: str, lines: list[str], bom: bool = False) -> Path:
    """Write ``lines`` as a UTF-8 text file ending in a newline, with a byte-order mark if asked."""
    data = ("\n".join(lines) + "\n").encode("utf-8")
    return write(root, file, (b"\xef\xbb\xbf" if bom else b"") + data)


def write_xlsx(root: Path, file: str, sheets: dict[str, list[list[object]]]) -> Path:
    """Write a workbook with one sheet per ``sheets`` entry (title -> rows, header first)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for line in rows:
            sheet.append(line)
    path = raw_path(root, file)
    book.save(path)
    return path


def parse_validated(spec: SourceSpec, paths: Mapping[str, Path]) -> ParsedSource:
    """``spec.parse(paths)``, every table checked against its schema (rows left in parse order)."""
    parsed = spec.parse(paths)
    for table, schema in spec.schemas.items():
        schema.validate(parsed.tables[table])
    return parsed


def drops(parsed: ParsedSource) -> dict[tuple[str, str], int]:
    """Rows dropped per (step, reason), only reasons that dropped rows; checks every step balances."""
    frame = parsed.audit.to_frame()  # validates that every step balances
    for _, step in frame.groupby("step"):
        assert (step.rows_in == step.rows_out + step.rows_dropped.sum()).all()
    return {(r.step, r.reason): r.rows_dropped for r in frame.itertuples() if r.rows_dropped}


def drop_counts(parsed: ParsedSource) -> dict[tuple[str, str], int]:
    """Rows dropped per recorded (step, reason), including ``none`` (0) for steps without drops."""
    return parsed.audit.to_frame().set_index(["step", "reason"])["rows_dropped"].to_dict()


def step_reasons(parsed: ParsedSource, step: str) -> dict[str, int]:
    """Rows dropped per reason in one ``step`` (every step's balance is validated)."""
    frame = parsed.audit.to_frame()
    rows = frame[frame["step"] == step]
    return dict(zip(rows["reason"], rows["rows_dropped"], strict=True))


def row(table: pd.DataFrame, iso3: str, year: int) -> pd.Series:
    """The one row of a country-year ``table`` for (``iso3``, ``year``)."""
    hit = table[(table.country_iso3 == iso3) & (table.year == year)]
    assert len(hit) == 1, (iso3, year, hit)
    return hit.iloc[0]
