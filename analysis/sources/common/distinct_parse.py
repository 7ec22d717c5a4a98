"""Parse a column once per distinct value, then spread the results back by integer codes.

Why a module of its own: the converters of `readers` (`to_number`, `to_date`) used two
row-wise ``Series.map`` passes with a Python function per cell (a missing test and a lookup);
on the large sources those passes were most of the parse time. Here cells are factorized once,
the Python work runs per distinct value, and numeric columns skip it altogether. The results
are the row-wise ones exactly (`tests/test_distinct_parse.py` checks old against new).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import RawInputError

#: How many offending rows or values an error message shows.
SHOW_BAD = 5
#: `pandas.api.types.infer_dtype` kinds of object columns holding only ints and floats.
NUMBER_KINDS = ("floating", "integer", "integer-na", "mixed-integer-float")


def is_missing(value: object) -> bool:
    """True for None, NaN, NaT, pd.NA and empty text."""
    if isinstance(value, str):
        return not value.strip()
    return value is None or value is pd.NaT or value is pd.NA or is_nan(value)


def is_nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def fail_values(series: pd.Series, bad: pd.Series, file: str, column: str, what: str) -> None:
    """Raise naming how many values are bad and the first few distinct ones."""
    values = list(dict.fromkeys(series[bad].tolist()))
    raise RawInputError(
        file,
        f"{int(bad.sum())} value(s) are not {what}; first: {values[:SHOW_BAD]}",
        column=column,
        value=values[0],
    )


def check_missing(series: pd.Series, missing: np.ndarray, file: str, column: str) -> None:
    if missing.any():
        rows = series.index[missing].tolist()
        raise RawInputError(
            file, f"{len(rows)} missing value(s) not allowed; first rows: {rows[:SHOW_BAD]}", column
        )


def real_numbers(series: pd.Series) -> np.ndarray | None:
    """The cells as float64 when each is a real number (int or float, never bool) or a float
    NaN, as `float(cell)` would give them; None for any other column (text, bool, None, ...)."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "fiu":
        return np.array(series.to_numpy(dtype="float64"), dtype="float64", copy=True)
    if not (isinstance(dtype, np.dtype) and dtype.kind == "O") or len(series) == 0:
        return None
    cells = series.to_numpy()
    if pd.api.types.infer_dtype(cells, skipna=False) not in NUMBER_KINDS:
        return None
    floats = cells.astype("float64")
    nan = np.isnan(floats)
    # a NaN of another type (numpy's float32) is not missing to `is_missing`: leave it to parse
    if nan.any() and not all(isinstance(v, float) for v in cells[nan]):
        return None
    return floats


def _missing_cells(
    series: pd.Series, codes: np.ndarray, uniques: Any
) -> tuple[np.ndarray, np.ndarray]:
    """`is_missing` per cell and per distinct value, evaluated per distinct value (and per NA
    cell of object columns, whose NA-like values are not all missing to `is_missing`, e.g.
    numpy's float32 NaN, which the row-wise parse rejected)."""
    per_unique = np.fromiter((is_missing(u) for u in uniques), dtype=bool, count=len(uniques))
    missing = np.append(per_unique, True)[codes]
    na = codes == -1
    if series.dtype == object and na.any():
        cells = series.to_numpy()[na]
        missing[na] = np.fromiter((is_missing(v) for v in cells), dtype=bool, count=len(cells))
    return missing, per_unique


def parse_distinct(
    series: pd.Series,
    parse: Callable[[Any], Any],
    where: tuple[str, str],
    what: str,
    allow_missing: bool,
) -> pd.Series:
    """Apply ``parse`` to each distinct non-missing value; missing values become None.

    ``parse`` returns None for values it rejects; those are reported all at once, as are
    missing values when they are not allowed. ``where`` is ``(file, column)``. Returns an
    object Series (float64 for numeric input) aligned with ``series``; NA where missing.
    """
    file, column = where
    numpy_kind = series.dtype.kind if isinstance(series.dtype, np.dtype) else None
    if not (numpy_kind in ("O", "f", "i", "u") or isinstance(series.dtype, pd.StringDtype)):
        return _parse_rowwise(series, parse, where, what, allow_missing)
    try:
        codes, index = pd.factorize(series, use_na_sentinel=True)
    except TypeError as exc:  # lists or dicts from JSON are unhashable and never scalars
        missing = series.map(is_missing).astype(bool).to_numpy()
        if not allow_missing:
            check_missing(series, missing, file, column)
        raise RawInputError(file, f"values are not scalars: {exc}", column) from exc
    uniques = index.to_numpy()  # numpy scalars for numeric columns, as `Series.unique` gave
    missing, missing_unique = _missing_cells(series, codes, uniques)
    if (~missing & (codes == -1)).any():  # NA-like yet not missing (float32 NaN): rare
        return _parse_rowwise(series, parse, where, what, allow_missing)
    if not allow_missing:
        check_missing(series, missing, file, column)
    lookup = np.empty(len(uniques) + 1, dtype=object)  # the last slot: NA cells (code -1)
    try:
        for i, (value, gap) in enumerate(zip(uniques, missing_unique, strict=True)):
            lookup[i] = None if gap else parse(value)
    except TypeError as exc:  # as the row-wise lookup reported a failing parse
        raise RawInputError(file, f"values are not scalars: {exc}", column) from exc
    parsed_cells = lookup[codes]
    parsed_cells[missing] = None
    parsed = pd.Series(parsed_cells, index=series.index, name=series.name, dtype=object)
    bad = pd.Series(~missing & parsed.isna().to_numpy(), index=series.index)
    if bad.any():
        fail_values(series, bad, file, column, what)
    return parsed


def _parse_rowwise(
    series: pd.Series,
    parse: Callable[[Any], Any],
    where: tuple[str, str],
    what: str,
    allow_missing: bool,
) -> pd.Series:
    """The cell-by-cell reference, for dtypes the fast path does not cover (categorical, ...)."""
    file, column = where
    missing = series.map(is_missing).astype(bool)
    if not allow_missing:
        check_missing(series, missing.to_numpy(), file, column)
    try:
        lookup = {value: parse(value) for value in series[~missing].unique()}
    except TypeError as exc:
        raise RawInputError(file, f"values are not scalars: {exc}", column) from exc
    parsed = series.map(lambda v: None if is_missing(v) else lookup[v])
    bad = ~missing & parsed.isna()
    if bad.any():
        fail_values(series, bad, file, column, what)
    return parsed
