"""Data tables are written once to Arrow for both files: the Parquet bytes are exactly those
of ``DataFrame.to_parquet`` and the CSV holds the same rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core.tableio import read_table, write_table


def test_parquet_bytes_are_pandas_and_csv_rows_match(tmp_path):
    rng = np.random.default_rng(3)
    df = pd.DataFrame(
        {
            "city_id": np.arange(50, dtype="int64"),
            "name": [f"c{i}" for i in range(50)],
            "pop": rng.normal(size=50),
            "flag": pd.array([1, None] * 25, dtype="Int8"),
        }
    )
    write_table(df, tmp_path, "t")
    df.to_parquet(tmp_path / "pandas.parquet", index=False)
    assert (tmp_path / "t.parquet").read_bytes() == (tmp_path / "pandas.parquet").read_bytes()
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "t.parquet"), df)
    back = pd.read_csv(tmp_path / "t.csv")
    assert back["city_id"].tolist() == df["city_id"].tolist()
    assert np.allclose(back["pop"], df["pop"]) and back["flag"].isna().sum() == 25


def _frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "city_id": np.arange(rows, dtype="int64"),
            "name": [f'c "{i}", x' if i % 7 == 0 else f"c{i}" for i in range(rows)],
            "share": rng.normal(size=rows),
            "flag": pd.array([1, None, 0] * (rows // 3) + [1] * (rows % 3), dtype="Int8"),
        }
    )


def test_threaded_writer_gives_the_bytes_of_one_thread(tmp_path, monkeypatch):
    """Tables written by several threads, a large one's CSV in row pieces appended in order,
    are byte-identical to the one-thread files; no part file is left behind."""
    import analysis.core.tableio as tableio

    monkeypatch.setattr(tableio, "MIN_PIECE_ROWS", 40)  # several pieces from a small frame
    tables = {"big": _frame(301), "small": _frame(5), "empty": _frame(0)}
    tableio.write_tables(tables, tmp_path / "one", threads=1)
    tableio.write_tables(tables, tmp_path / "two", threads=2)
    tableio.write_tables(tables, tmp_path / "four", threads=4)
    one = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert one == [
        "big.csv",
        "big.parquet",
        "empty.csv",
        "empty.parquet",
        "small.csv",
        "small.parquet",
    ]
    for other in ("two", "four"):
        assert sorted(p.name for p in (tmp_path / other).iterdir()) == one
        for name in one:
            assert (tmp_path / other / name).read_bytes() == (tmp_path / "one" / name).read_bytes()
    assert len(tableio._csv_pieces(pa.Table.from_pandas(tables["big"]), 4)) == 4
    assert pd.read_csv(tmp_path / "four" / "big.csv")["city_id"].tolist() == list(range(301))


def test_threaded_writer_without_copy_file_range(tmp_path, monkeypatch):
    """Where the OS has no copy_file_range (macOS), the pieces are appended by copying."""
    import analysis.core.tableio as tableio

    monkeypatch.setattr(tableio, "MIN_PIECE_ROWS", 40)
    tables = {"big": _frame(301)}
    tableio.write_tables(tables, tmp_path / "one", threads=1)
    monkeypatch.delattr(tableio.os, "copy_file_range", raising=False)
    tableio.write_tables(tables, tmp_path / "two", threads=3)
    assert (tmp_path / "two" / "big.csv").read_bytes() == (
        tmp_path / "one" / "big.csv"
    ).read_bytes()
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == ["big.csv", "big.parquet"]


_VALUES = {
    "int64": st.integers(-(2**40), 2**40),
    "float64": st.one_of(st.floats(allow_nan=False, width=64), st.just(float("nan"))),
    "Int64": st.one_of(st.none(), st.integers(-(2**31), 2**31)),
    "str": st.one_of(st.none(), st.text(max_size=8)),
    "category": st.sampled_from(["CHN", "USA", "DEU"]),
    "bool": st.booleans(),
}


@settings(max_examples=60, deadline=None)
@given(
    kinds=st.lists(st.sampled_from(sorted(_VALUES)), min_size=1, max_size=6),
    rows=st.integers(0, 12),
    data=st.data(),
)
def test_read_table_is_pandas_read_parquet(tmp_path_factory, kinds, rows, data):
    """The unconsolidated reader gives read_parquet's frame: values, dtypes, column order,
    nulls, categories; for every column and for a subset."""
    cols = {}
    for i, kind in enumerate(kinds):
        values = data.draw(st.lists(_VALUES[kind], min_size=rows, max_size=rows))
        dtype = {"str": "str", "Int64": "Int64", "category": "category"}.get(kind, kind)
        cols[f"{kind}_{i}"] = pd.Series(values, dtype=dtype)
    df = pd.DataFrame(cols)
    out = tmp_path_factory.mktemp("t")
    write_table(df, out, "t")
    pd.testing.assert_frame_equal(read_table(out / "t.parquet"), pd.read_parquet(out / "t.parquet"))
    some = list(df.columns[::2])
    pd.testing.assert_frame_equal(
        read_table(out / "t.parquet", columns=some),
        pd.read_parquet(out / "t.parquet", columns=some),
    )
