"""Data tables are written once to Arrow for both files: the Parquet bytes are exactly those
of ``DataFrame.to_parquet`` and the CSV holds the same rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.tableio import write_table


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
