"""`sorted_labels` equals the per-group lambda it replaced, on arbitrary frames."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.sources.common.group_labels import sorted_labels

KEYS = st.one_of(st.none(), st.sampled_from(["a", "b", "B", "é", ""]))
LABELS = st.one_of(st.none(), st.sampled_from(["Democratic", "Republican", "democratic", " ", ""]))
NUMBERS = st.one_of(st.none(), st.integers(1990, 1993))


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.tuples(KEYS, NUMBERS, LABELS), max_size=25),
    dtype=st.sampled_from(["str", "object"]),
    one_key=st.booleans(),
    dates=st.booleans(),
)
def test_sorted_labels_equals_the_groupby_lambda(rows, dtype, one_key, dates):
    df = pd.DataFrame(rows, columns=["code", "start", "party"])
    df = df.astype({"code": dtype, "party": dtype, "start": "Int64"})
    if dates:  # a date key with NaT, as the mayors' term starts
        df["start"] = pd.to_datetime(df["start"].astype("string") + "-01-01")
    keys = ["code"] if one_key else ["code", "start"]
    old = df.groupby(keys)["party"].agg(lambda s: sorted(set(s.dropna())))
    new = sorted_labels(df, keys, "party")
    if len(old) == 0:  # an empty groupby-agg keeps the column's dtype; callers use no values
        assert len(new) == 0
        pd.testing.assert_index_equal(new.index, old.index)
        return
    pd.testing.assert_series_equal(new, old)


def test_sorted_labels_example():
    df = pd.DataFrame({"code": ["NY", "NY", "NY", "CA", None], "party": ["R", "D", "R", None, "D"]})
    assert sorted_labels(df, ["code"], "party").to_dict() == {"CA": [], "NY": ["D", "R"]}
