"""The per-distinct-value converters give exactly what the cell-by-cell reference gave."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core.errors import RawInputError
from analysis.sources.common import readers
from analysis.sources.common.distinct_parse import _parse_rowwise

CELLS = st.one_of(
    st.none(),
    st.just(float("nan")),
    st.just(pd.NA),
    st.just(pd.NaT),
    st.just(np.float32("nan")),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, width=64),
    st.sampled_from(["", " ", "1", "1.5", " 2 ", "1,234", "1.234,5", "-3e2", "x", "nan", "\\N"]),
    st.sampled_from(["2020-01-31", "31/01/2020", "01/31/2020", "40000", "2020-13-01"]),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
    st.lists(st.integers(), max_size=1),
)
#: Columns of numbers only (the converters' fast path), with the NaNs that are not missing.
NUMBER_CELLS = st.one_of(
    st.just(float("nan")),
    st.just(np.float32("nan")),
    st.just(np.float64("nan")),
    st.integers(-(2**70), 2**70),
    st.floats(width=64),
)
DTYPES = st.sampled_from(["object", "str", "float64", "int64"])


def _series(cells: list[object], dtype: str) -> pd.Series:
    index = pd.RangeIndex(len(cells)) * 3 + 7  # not 0..n-1: rows are named by label
    if dtype == "object":
        return pd.Series(cells, index=index, dtype=object, name="c")
    if dtype == "str":
        return pd.Series(
            [c if isinstance(c, str) else None for c in cells], index=index, dtype="str"
        )
    numbers = [c for c in cells if isinstance(c, int | float) and not isinstance(c, bool)]
    if dtype == "int64":
        return pd.Series(
            [int(c) for c in numbers if not math.isnan(c) and abs(c) < 2**62], dtype="int64"
        )
    return pd.Series(numbers, index=None, dtype="float64")


def _outcome(convert, series: pd.Series) -> tuple[str, object]:
    try:
        return "ok", convert(series)
    except (RawInputError, ValueError, TypeError, OverflowError) as exc:
        return type(exc).__name__, str(exc)


CONVERTERS = {
    "number": lambda x: readers.to_number(x, "f", "c"),
    "number_required": lambda x: readers.to_number(x, "f", "c", allow_missing=False),
    "number_eu": lambda x: readers.to_number(x, "f", "c", decimal=",", thousands="."),
    "int": lambda x: readers.to_int(x, "f", "c"),
    "date": lambda x: readers.to_date(x, "f", "c", dayfirst=True),
    "date_serial": lambda x: readers.to_date(x, "f", "c", excel_serial=True),
}


@pytest.mark.parametrize("name", sorted(CONVERTERS))
@settings(max_examples=150, deadline=None)
@given(
    cells=st.one_of(st.lists(CELLS, max_size=12), st.lists(NUMBER_CELLS, max_size=12)),
    dtype=DTYPES,
)
def test_distinct_parse_equals_the_cell_by_cell_reference(name, cells, dtype):
    series = _series(cells, dtype)
    convert = CONVERTERS[name]
    new = _outcome(convert, series)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(readers, "parse_distinct", _parse_rowwise)
        old = _outcome(convert, series)
    assert new[0] == old[0], (new, old)
    if new[0] == "ok":
        pd.testing.assert_series_equal(new[1], old[1])
    else:
        assert new[1] == old[1]


def test_distinct_parse_names_rows_and_values_like_before():
    series = pd.Series(
        ["1", None, "x", "1", "y", " "], index=[10, 11, 12, 13, 14, 15], dtype=object
    )
    with pytest.raises(RawInputError, match=r"2 value\(s\) are not numbers; first: \['x', 'y'\]"):
        readers.to_number(series, "f", "c")
    with pytest.raises(
        RawInputError, match=r"2 missing value\(s\) not allowed; first rows: \[11, 15\]"
    ):
        readers.to_number(series, "f", "c", allow_missing=False)
