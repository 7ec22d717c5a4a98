"""Reader helpers shared by every source parser.

Readers return raw values (strings for text files, native cell values for spreadsheets) and
converters turn them into typed columns explicitly, so nothing is coerced silently. Every
problem with a raw file raises :class:`analysis.core.errors.RawInputError` naming the file, and the
column and offending value where known.
"""

from __future__ import annotations

import csv
import difflib
import html
import io
import json
import logging
import math
import numbers
import os
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import RawInputError, plain
from analysis.core.hashing import sha256_file
from analysis.sources.common.distinct_parse import (
    SHOW_BAD,
    check_missing,
    fail_values,
    parse_distinct,
    real_numbers,
)

__all__ = [
    "MAX_FALLBACK_LINES",
    "MISSING_TOKENS",
    "check_codes",
    "check_range",
    "check_unique",
    "decode_text",
    "excel_serial_from_date",
    "parse_excel_serial",
    "read_excel_table",
    "read_json_records",
    "read_rda",
    "read_stata",
    "read_text_table",
    "require_columns",
    "sha256_file",
    "sniff_delimiter",
    "to_date",
    "to_int",
    "to_number",
    "to_year",
]

log = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

#: Tokens read as missing in every text table (``\N`` is the MySQL/OpenFlights null).
MISSING_TOKENS: tuple[str, ...] = ("", "\\N")
SNIFF_DELIMITERS = ",;\t|"
SNIFF_LINES = 50
#: More non-UTF-8 lines than this means the file is not UTF-8: declare its encoding instead.
MAX_FALLBACK_LINES = 10
HEADER_SEARCH_ROWS = 30
_BOM = b"\xef\xbb\xbf"
# Excel's 1900 date system counts 1900-02-29 (serial 60), a day that never existed.
_EXCEL_FAKE_LEAP_DAY = 60
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
_DAYFIRST_FORMATS = ("%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")
_MONTHFIRST_FORMATS = ("%m/%d/%Y",)


# --------------------------------------------------------------------------- files


def _read_bytes(path: PathLike, member: str | None) -> bytes:
    """Return the bytes of ``path``, or of ``member`` inside it when it is a zip archive."""
    file = str(path)
    try:
        if not zipfile.is_zipfile(path):
            if member is not None:
                raise RawInputError(file, f"member {member!r} requested but file is not a zip")
            return Path(path).read_bytes()
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
            if member is None and len(names) == 1:
                member = names[0]
            if member not in names:
                raise RawInputError(
                    file, f"zip member {member!r} not found; members: {names}", value=member
                )
            return archive.read(member)
    except OSError as exc:
        raise RawInputError(file, f"cannot read file: {exc}") from exc


def _decode_line(line: bytes) -> tuple[str, bool]:
    """Decode one line as UTF-8, else cp1252 (latin-1 for its 5 undefined bytes); flag fallback."""
    try:
        return line.decode("utf-8"), False
    except UnicodeDecodeError:
        pass
    try:
        return line.decode("cp1252"), True
    except UnicodeDecodeError:
        return line.decode("latin-1"), True


def decode_text(
    raw: bytes,
    file: str,
    encoding: str | None = None,
    max_fallback_lines: int = MAX_FALLBACK_LINES,
) -> tuple[str, list[int]]:
    """Decode file bytes and return ``(text, fallback_lines)``.

    A leading UTF-8 byte-order mark is always stripped. With ``encoding`` given the whole file
    is decoded strictly with it (use it for files declared cp1252/latin-1). Without it, UTF-8 is
    tried and only the lines that are not valid UTF-8 fall back to cp1252; their 1-based
    numbers are returned so callers can report them. More than ``max_fallback_lines`` such
    lines raise, since the file is then in some other encoding that must be declared.
    """
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    if encoding is not None:
        try:
            return raw.decode(encoding), []
        except (UnicodeDecodeError, LookupError) as exc:
            raise RawInputError(file, f"cannot decode as {encoding}: {exc}") from exc
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    # A multi-byte UTF-8 character never contains CR or LF bytes, so splitting is safe.
    pieces = [_decode_line(line) for line in raw.splitlines(keepends=True)]
    fallback = [number for number, (_, fell_back) in enumerate(pieces, 1) if fell_back]
    if len(fallback) > max_fallback_lines:
        raise RawInputError(
            file,
            f"{len(fallback)} lines are not UTF-8 (first: {fallback[:SHOW_BAD]}); "
            "pass the file's encoding",
        )
    log.info("%s: %d line(s) not UTF-8, decoded as cp1252: %s", file, len(fallback), fallback)
    return "".join(text for text, _ in pieces), fallback


def _normalise_newlines(text: str) -> str:
    """Turn CRLF and old-Mac CR line ends into LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sniff_delimiter(text: str, candidates: str = SNIFF_DELIMITERS) -> str:
    """Guess the field delimiter of delimited ``text`` among ``candidates``.

    Uses :class:`csv.Sniffer` on the first lines; when it cannot decide, takes the candidate
    that occurs most often in the first line, and ``","`` when none occurs (one column).
    """
    sample = "\n".join(text.split("\n", SNIFF_LINES)[:SNIFF_LINES])
    try:
        return csv.Sniffer().sniff(sample, delimiters=candidates).delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        counts = {c: first.count(c) for c in candidates}
        best = max(counts, key=lambda c: counts[c])
        return best if counts[best] else ","


# --------------------------------------------------------------------------- columns


def _clean_columns(columns: Iterable[object], file: str, strip: bool) -> list[str]:
    """Return column labels as strings (stripped if asked), refusing duplicates this creates."""
    labels = [str(c).strip() if strip else str(c) for c in columns]
    duplicated = sorted({c for c in labels if labels.count(c) > 1})
    if duplicated:
        raise RawInputError(file, f"duplicate column name(s) after stripping: {duplicated}")
    return labels


def _unescape_columns(df: pd.DataFrame, columns: Iterable[str], file: str) -> None:
    """Replace HTML entities (``&amp;``, ``&#39;``) by their characters in ``columns``, in place."""
    columns = list(columns)
    require_columns(df, columns, file)
    for column in columns:
        present = df[column].notna()
        df.loc[present, column] = df.loc[present, column].map(html.unescape)


def clean_text(values: pd.Series) -> pd.Series:
    """Text cells stripped, inner whitespace runs collapsed to one space; missing stays missing."""
    return values.astype("str").str.strip().str.replace(r"\s+", " ", regex=True)


def require_columns(df: pd.DataFrame, required: Iterable[str], file: str) -> None:
    """Raise unless every ``required`` column is present.

    The message names every missing column with the closest present names, so a renamed or
    re-spelled column is obvious.
    """
    present = [str(c) for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if not missing:
        return
    parts = []
    for name in missing:
        close = difflib.get_close_matches(name, present, n=3, cutoff=0.5)
        parts.append(f"{name!r} (closest: {', '.join(map(repr, close)) or 'none'})")
    raise RawInputError(
        file, f"missing column(s): {'; '.join(parts)}; present: {present}", column=missing[0]
    )


def check_unique(df: pd.DataFrame, keys: Sequence[str], file: str) -> None:
    """Raise if rows are not unique on ``keys``, naming the count and the first duplicate keys."""
    keys = list(keys)
    require_columns(df, keys, file)
    duplicated = df.duplicated(keys, keep=False)
    if not duplicated.any():
        return
    first = df.loc[duplicated, keys].drop_duplicates().head(SHOW_BAD)
    shown = [plain(tuple(row)) for row in first.itertuples(index=False)]
    raise RawInputError(
        file,
        f"{int(duplicated.sum())} row(s) share a key on {keys}; first duplicate keys: {shown}",
        column=", ".join(keys),
        value=shown[0],
    )


def check_codes(series: pd.Series, allowed: Iterable[object], file: str, column: str) -> None:
    """Raise unless every non-missing value of ``series`` is one of ``allowed``."""
    allowed = list(allowed)
    bad = series.notna() & ~series.isin(allowed)
    if bad.any():
        values = list(dict.fromkeys(series[bad].tolist()))
        raise RawInputError(
            file,
            f"{int(bad.sum())} value(s) not among {allowed}; first: {values[:SHOW_BAD]}",
            column,
            values[0],
        )


def check_range(series: pd.Series, low: float, high: float, file: str, column: str) -> None:
    """Raise unless every non-missing number of ``series`` lies in ``[low, high]``."""
    bad = series.notna() & ~series.between(low, high)
    if bad.any():
        values = list(dict.fromkeys(series[bad].tolist()))
        raise RawInputError(
            file,
            f"{int(bad.sum())} value(s) outside {low}-{high}; first: {values[:SHOW_BAD]}",
            column,
            values[0],
        )


# --------------------------------------------------------------------------- text tables


def read_text_table(
    path: PathLike,
    *,
    sep: str | None = None,
    decimal: str = ".",
    encoding: str | None = None,
    header: int | None = 0,
    names: Sequence[str] | None = None,
    na_values: Iterable[str] | None = None,
    skiprows: int | Sequence[int] | None = None,
    dtype: Any = str,
    quoting: int = csv.QUOTE_MINIMAL,
    comment: str | None = None,
    html_unescape_columns: Iterable[str] | None = None,
    strip_column_names: bool = True,
    member: str | None = None,
    preprocess: Callable[[str], str] | None = None,
    max_fallback_lines: int = MAX_FALLBACK_LINES,
) -> pd.DataFrame:
    """Read a delimited text file (CSV, TSV, semicolon, pipe) into a DataFrame of strings.

    Args:
        path: file, or zip archive (then ``member`` names the file inside; optional if only one).
        sep: field delimiter; sniffed among ``, ; TAB |`` when None.
        decimal: decimal mark of the file; ``","`` also rules out ``,`` as sniffed delimiter.
            Values stay strings with the default ``dtype=str``: pass the same mark to
            :func:`to_number`.
        encoding: declared encoding for the whole file (``"cp1252"``, ``"latin-1"``); None means
            UTF-8 with a per-line cp1252 fallback for at most ``max_fallback_lines`` lines
            (see :func:`decode_text`). A BOM is stripped.
        header, names, skiprows, comment: as in :func:`pandas.read_csv` (``skiprows`` counts
            physical lines after newline normalisation).
        na_values: tokens read as missing besides ``""`` and ``\\N``. pandas' default list is
            not used, so ``"NA"`` (Namibia) or ``"null"`` stay text unless listed here.
        dtype: ``str`` by default so parsers convert explicitly; anything pandas accepts.
        quoting: a :mod:`csv` constant; ``csv.QUOTE_NONE`` for files with bare quote marks.
        html_unescape_columns: columns whose HTML entities (``&amp;``) are decoded.
        strip_column_names: strip surrounding whitespace from column names.
        preprocess: function applied to the decoded, newline-normalised text before parsing,
            for repairs a parser documents (e.g. a header line missing its line break).

    The result's ``attrs`` record ``sep`` and ``fallback_lines`` (lines decoded as cp1252).
    """
    file = str(path)
    raw = _read_bytes(path, member)
    text, fallback = decode_text(raw, file, encoding, max_fallback_lines)
    text = _normalise_newlines(text)
    if preprocess is not None:
        text = preprocess(text)
    if sep is None:
        candidates = SNIFF_DELIMITERS.replace(",", "") if decimal == "," else SNIFF_DELIMITERS
        # Sniff the table itself, not the preamble that skiprows skips.
        start = skiprows if isinstance(skiprows, int) else 0
        sep = sniff_delimiter(text.split("\n", start)[-1], candidates)
    try:
        df = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            decimal=decimal,
            header=header,
            names=names,
            skiprows=skiprows,
            dtype=dtype,
            quoting=quoting,
            comment=comment,
            keep_default_na=False,
            na_values=[*MISSING_TOKENS, *(na_values or ())],
        )
    except (ValueError, pd.errors.ParserError, csv.Error) as exc:
        raise RawInputError(file, f"cannot parse as {sep!r}-delimited text: {exc}") from exc
    df.columns = _clean_columns(df.columns, file, strip_column_names)
    if html_unescape_columns is not None:
        _unescape_columns(df, html_unescape_columns, file)
    df.attrs.update(file=file, sep=sep, fallback_lines=fallback)
    return df


# --------------------------------------------------------------------------- spreadsheets


def _excel_engine(path: PathLike, head: bytes = b"") -> str:
    """Pick the pandas engine: calamine for a zip-based workbook (.xlsx, whatever its name),
    xlrd for a legacy .xls (BIFF), else from the extension.

    calamine (Rust) reads an .xlsx 5-20x faster than openpyxl with the same cell values and
    types; unlike openpyxl it decodes OOXML's escapes of control characters ("_x000D_" is a
    carriage return), as the format specifies."""
    if head.startswith(b"PK"):
        return "calamine"
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2 container of BIFF workbooks
        return "xlrd"
    suffix = Path(path).suffix.lower()
    if suffix == ".xls":
        return "xlrd"
    if suffix in {".xlsx", ".xlsm"}:
        return "calamine"
    raise RawInputError(str(path), f"not a spreadsheet extension: {suffix!r} (.xls, .xlsx)")


def _resolve_sheet(sheets: list[str], sheet: str | int | None, file: str) -> str:
    """Return the sheet name for a name, a 0-based position or None (first sheet)."""
    if sheet is None:
        sheet = 0
    if isinstance(sheet, int):
        if not 0 <= sheet < len(sheets):
            raise RawInputError(file, f"no sheet number {sheet}; sheets: {sheets}", value=sheet)
        return sheets[sheet]
    if sheet not in sheets:
        raise RawInputError(file, f"no sheet {sheet!r}; sheets: {sheets}", value=sheet)
    return sheet


def _read_sheet_grid(
    path: PathLike, sheet: str | int | None, member: str | None = None
) -> tuple[pd.DataFrame, str]:
    """Return the whole sheet as an untyped grid (no header) and the sheet's name; `member`
    names the workbook inside a zip archive."""
    file = str(path) if member is None else f"{path}!{member}"
    source: PathLike | io.BytesIO = path
    engine = "?"
    try:
        if member is not None:
            source = io.BytesIO(_read_bytes(path, member))
            engine = _excel_engine(member, source.getvalue()[:8])
        else:
            with open(path, "rb") as handle:
                engine = _excel_engine(path, handle.read(8))
        with warnings.catch_warnings():
            # The brief pins xlrd for .xls; pandas 3 flags that engine as deprecated.
            warnings.filterwarnings("ignore", message="The xlrd engine is deprecated")
            book = pd.ExcelFile(source, engine=engine)
        with book:
            sheet = _resolve_sheet([str(name) for name in book.sheet_names], sheet, file)
            grid = pd.read_excel(
                book,
                sheet_name=sheet,
                header=None,
                dtype=object,
                keep_default_na=False,
                na_values=[""],
            )
    except RawInputError:
        raise
    except Exception as exc:  # engines raise many unrelated types for corrupt files
        raise RawInputError(file, f"cannot read spreadsheet with {engine}: {exc}") from exc
    return grid, sheet


def _is_blank(value: object) -> bool:
    """True for empty cells: None, NaN, or whitespace-only text."""
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, float) and math.isnan(value))


def _find_header_row(grid: pd.DataFrame, labels: Sequence[str], file: str, limit: int) -> int:
    """Return the first of the top ``limit`` rows containing every label (case-insensitive)."""
    wanted = {label.strip().casefold() for label in labels}
    for row in range(min(limit, len(grid))):
        cells = {str(v).strip().casefold() for v in grid.iloc[row] if not _is_blank(v)}
        if wanted <= cells:
            return row
    raise RawInputError(file, f"no row among the first {limit} contains all of {list(labels)}")


def _unique_labels(cells: Iterable[object]) -> list[str]:
    """Header cells as strings; blanks become ``Unnamed: i`` and repeats get ``.1``, ``.2``."""
    labels: list[str] = []
    seen: dict[str, int] = {}
    for position, cell in enumerate(cells):
        label = f"Unnamed: {position}" if _is_blank(cell) else str(cell).strip()
        count = seen.get(label, 0)
        seen[label] = count + 1
        labels.append(f"{label}.{count}" if count else label)
    return labels


def read_excel_table(
    path: PathLike,
    *,
    sheet: str | int | None = None,
    header_contains: Sequence[str] | None = None,
    header_row: int | None = 0,
    names: Sequence[str] | None = None,
    search_rows: int = HEADER_SEARCH_ROWS,
    member: str | None = None,
) -> pd.DataFrame:
    """Read one sheet of an .xlsx (calamine) or legacy .xls (xlrd) workbook.

    Cells keep the type Excel stored (text, number, datetime); nothing is parsed further, so
    Excel date serials stay numbers until :func:`to_date` converts them.

    Args:
        sheet: sheet name or 0-based position; the first sheet when None. A wrong name raises
            an error listing the sheets.
        header_contains: labels the header row must contain; the first ``search_rows`` rows are
            searched, which skips title blocks above the table. Overrides ``header_row``.
        header_row: 0-based row of the header; None when the sheet has no header (columns are
            then ``names`` or ``"0"``, ``"1"``, ...).
        names: column names for a sheet without header (``header_row=None``).
        member: the workbook's name inside ``path`` when ``path`` is a zip archive.

    Fully empty rows and columns are dropped; blank header cells become ``Unnamed: i`` and
    repeated labels get ``.1`` suffixes. ``attrs`` record ``sheet`` and ``header_row``, the
    0-based row of the sheet the header was taken from (None without header).
    """
    file = str(path)
    if names is not None and (header_row is not None or header_contains is not None):
        raise ValueError("names apply only to a sheet without header (header_row=None)")
    grid, sheet_name = _read_sheet_grid(path, sheet, member)
    if header_contains is not None:
        header_row = _find_header_row(grid, header_contains, file, search_rows)
        log.info("%s[%s]: header found on row %d", file, sheet_name, header_row)
    blank = grid.map(_is_blank)
    if header_row is not None and header_row >= len(grid):
        raise RawInputError(file, f"sheet {sheet_name!r} has no row {header_row}")
    start = 0 if header_row is None else header_row + 1
    below = blank.iloc[start:]
    empty_column = below.all() & (True if header_row is None else blank.iloc[header_row])
    keep_columns = ~empty_column.to_numpy()
    body = grid.iloc[start:, keep_columns].loc[~below.all(axis=1).to_numpy()]
    if header_row is not None:
        body.columns = _unique_labels(grid.iloc[header_row, keep_columns])
    elif names is not None:
        if len(names) != body.shape[1]:
            raise RawInputError(file, f"{len(names)} names for {body.shape[1]} non-empty columns")
        body.columns = list(names)
    else:
        body.columns = [str(i) for i in range(body.shape[1])]
    body = body.reset_index(drop=True)
    body.attrs.update(file=file, sheet=sheet_name, header_row=header_row)
    return body


# --------------------------------------------------------------------------- R and JSON


def read_rda(
    path: PathLike, object_name: str | None = None, *, encoding: str | None = None
) -> pd.DataFrame:
    """Read one data frame from an R ``.rda``/``.RData`` or ``.rds`` file via pyreadr.

    ``object_name`` may be omitted when the file holds exactly one object; a wrong or missing
    name raises an error listing the objects available. ``encoding`` (e.g. ``"WINDOWS-1252"``)
    is the encoding of strings the file does not mark as UTF-8 or latin-1.
    """
    import pyreadr  # heavy C extension: import only when an R file is read

    file = str(path)
    try:
        objects = pyreadr.read_r(str(path), encoding=encoding)
    except Exception as exc:  # pyreadr raises its own exception types and OSError
        hint = " (strings not valid UTF-8: try encoding=)" if isinstance(exc, UnicodeError) else ""
        raise RawInputError(file, f"cannot read R data{hint}: {exc}") from exc
    available = list(objects)  # an .rds file yields one object named None
    if object_name is None and len(available) == 1:
        object_name = available[0]
    if object_name not in objects:
        raise RawInputError(
            file, f"R object {object_name!r} not found; objects: {available}", value=object_name
        )
    frame = objects[object_name]
    frame.attrs.update(file=file, object_name=object_name)
    return frame


def read_stata(path: PathLike) -> pd.DataFrame:
    """Read a Stata ``.dta`` file with its value labels left as codes.

    Categorical conversion is off so labelled codes stay the stored values (a parser maps
    them explicitly); Stata's missing values become NaN. Strings keep pandas' string dtype.
    """
    file = str(path)
    try:
        frame = pd.read_stata(path, convert_categoricals=False)
    except Exception as exc:  # pandas raises ValueError, UnicodeError or OSError here
        raise RawInputError(file, f"cannot read Stata data: {exc}") from exc
    frame.attrs.update(file=file)
    return frame


def read_json_records(
    path: PathLike, record_path: str | Sequence[str] | None = None, *, key_column: str = "key"
) -> pd.DataFrame:
    """Read records from a JSON file into a DataFrame, one row per record.

    ``record_path`` is a key or list of keys leading to the records inside nested objects. The
    records may be a list of objects, or an object of objects whose keys become ``key_column``.
    Nested objects are flattened into ``parent.child`` columns; values keep their JSON types.
    """
    file = str(path)
    try:
        node: Any = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RawInputError(file, f"cannot read JSON: {exc}") from exc
    keys = [record_path] if isinstance(record_path, str) else list(record_path or [])
    for depth, key in enumerate(keys):
        if not isinstance(node, dict) or key not in node:
            options = sorted(node) if isinstance(node, dict) else type(node).__name__
            where = "/".join(keys[: depth + 1])
            raise RawInputError(file, f"no JSON key at {where!r}; found: {options}", value=key)
        node = node[key]
    if isinstance(node, dict) and node and all(isinstance(v, dict) for v in node.values()):
        node = [{key_column: k, **v} for k, v in node.items()]
    if not isinstance(node, list) or not all(isinstance(r, dict) for r in node):
        raise RawInputError(file, f"records at {keys} are not a list or object of objects")
    frame = pd.json_normalize(node)
    frame.attrs.update(file=file)
    return frame


# --------------------------------------------------------------------------- converters


def _number_pattern(decimal: str, thousands: str | None) -> re.Pattern[str]:
    """Regex for a plain decimal number with optional, correctly grouped thousands marks."""
    dec = re.escape(decimal)
    integer = r"\d+"
    if thousands is not None:
        integer = rf"\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+|\d+"
    return re.compile(rf"[+-]?(?:(?:{integer})(?:{dec}\d*)?|{dec}\d+)(?:[eE][+-]?\d+)?")


def _is_real(value: object) -> bool:
    """True for Python and numpy numbers; a bool is an int to Python but never a number here."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def to_number(
    series: pd.Series,
    file: str,
    column: str,
    *,
    decimal: str = ".",
    thousands: str | None = None,
    allow_missing: bool = True,
) -> pd.Series:
    """Convert text or numeric cells to float64, raising on anything that is not a number.

    Text must be a plain number in the given notation (``"1.234,5"`` with ``decimal=","`` and
    ``thousands="."``); thousands marks must group by three, so ``"12.34"`` is not silently
    read as 1234. Missing values (NaN, empty text) become NaN, or raise if not allowed.
    """
    if thousands is not None and thousands == decimal:
        raise ValueError("thousands and decimal marks must differ")
    floats = real_numbers(series)
    if floats is not None:  # numbers only (NaN missing): float() of each, without a Python call
        if not allow_missing:
            check_missing(series, np.isnan(floats), file, column)
        return pd.Series(floats, index=series.index, name=series.name)
    pattern = _number_pattern(decimal, thousands)

    def parse(value: object) -> float | None:
        if not isinstance(value, str) and _is_real(value):  # text first: the ABC check is slow
            return float(value)
        text = str(value).strip()
        if not pattern.fullmatch(text):
            return None
        if thousands is not None:
            text = text.replace(thousands, "")
        return float(text.replace(decimal, "."))

    parsed = parse_distinct(series, parse, (file, column), "numbers", allow_missing)
    return parsed.astype("float64")


def to_int(
    series: pd.Series,
    file: str,
    column: str,
    *,
    decimal: str = ".",
    thousands: str | None = None,
    allow_missing: bool = True,
) -> pd.Series:
    """Convert to nullable ``Int64``; numbers with a fractional part raise (``"3.0"`` is fine)."""
    numbers = to_number(
        series, file, column, decimal=decimal, thousands=thousands, allow_missing=allow_missing
    )
    fractional = numbers.notna() & (numbers % 1 != 0)
    if fractional.any():
        fail_values(series, fractional, file, column, "whole numbers")
    return numbers.astype("Int64")


def to_year(
    series: pd.Series,
    file: str,
    column: str,
    *,
    min_year: int = 1700,
    max_year: int = 2100,
    allow_missing: bool = True,
) -> pd.Series:
    """Convert to ``Int64`` years, raising on values outside ``[min_year, max_year]``.

    Placeholder years such as 0 therefore fail loudly: mask them as missing first.
    """
    years = to_int(series, file, column, allow_missing=allow_missing)
    outside = years.notna() & ~years.between(min_year, max_year)
    if outside.any():
        fail_values(series, outside.astype(bool), file, column, f"years in {min_year}-{max_year}")
    return years


def parse_excel_serial(
    serial: float, *, file: str = "<excel serial>", column: str | None = None
) -> datetime:
    """Convert an Excel 1900-system date serial to a datetime (fractions are times of day).

    Serial 1 is 1900-01-01. Excel counts a fictitious 1900-02-29 as serial 60, so serials above
    59 are one day ahead: they are counted from 1899-12-30, and 60 itself raises.
    """
    if not _is_real(serial):
        raise RawInputError(file, "Excel date serial must be a number", column, serial)
    if not 1 <= serial <= _EXCEL_MAX_SERIAL:
        raise RawInputError(
            file, f"Excel date serial outside 1-{_EXCEL_MAX_SERIAL}", column, serial
        )
    if math.floor(serial) == _EXCEL_FAKE_LEAP_DAY:
        raise RawInputError(file, "Excel serial 60 is the non-existent 1900-02-29", column, serial)
    from openpyxl.utils.datetime import from_excel  # knows the 1900 leap-day shift

    return from_excel(serial)


def excel_serial_from_date(day: date) -> int:
    """Inverse of :func:`parse_excel_serial` for whole days (1900-01-01 and later)."""
    from openpyxl.utils.datetime import to_excel

    return int(to_excel(day))


def _parse_date_text(
    text: str, formats: Sequence[str], excel_serial: bool, file: str, column: str
) -> datetime | None:
    """Parse one text date; None if nothing matches; raise if formats disagree."""
    text = text.strip()
    if excel_serial and re.fullmatch(r"\d+(?:\.\d*)?", text):
        return parse_excel_serial(float(text), file=file, column=column)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    results = set()
    for fmt in formats:
        try:
            results.add(datetime.strptime(text, fmt))
        except ValueError:
            continue
    if len(results) > 1:
        raise RawInputError(file, f"ambiguous date under formats {list(formats)}", column, text)
    return results.pop() if results else None


def to_date(
    series: pd.Series,
    file: str,
    column: str,
    *,
    formats: Sequence[str] | None = None,
    excel_serial: bool = False,
    dayfirst: bool | None = None,
    allow_missing: bool = True,
) -> pd.Series:
    """Convert dates to ``datetime64``, raising on any value no rule accepts.

    Accepted: datetime/date cells; ISO 8601 text (``2020-01-31``, ``2020-01-31T10:00``); text
    matching one of ``formats`` (:func:`datetime.strptime` codes); and, with
    ``excel_serial=True``, numbers or numeric text read as Excel 1900 serials. Without
    ``formats``, ``dayfirst=True`` allows ``31/01/2020``, ``31.01.2020``, ``31-01-2020`` and
    ``dayfirst=False`` allows ``01/31/2020``; None allows no ambiguous format. A value that
    several formats read as different dates raises instead of picking one.
    """
    if formats is None:
        formats = {True: _DAYFIRST_FORMATS, False: _MONTHFIRST_FORMATS, None: ()}[dayfirst]

    def parse(value: object) -> datetime | None:
        if isinstance(value, datetime | date):
            return pd.Timestamp(value).to_pydatetime()
        if _is_real(value):
            return parse_excel_serial(value, file=file, column=column) if excel_serial else None
        if isinstance(value, str):
            return _parse_date_text(value, formats, excel_serial, file, column)
        return None

    parsed = parse_distinct(series, parse, (file, column), "dates", allow_missing)
    try:
        return pd.to_datetime(parsed.astype(object), utc=False)
    except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime) as exc:
        raise RawInputError(file, f"dates out of supported range: {exc}", column) from exc
