"""Writing output tables: Parquet for tools, CSV for everyone, both deterministic."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv


def write_table(df: pd.DataFrame, out_dir: Path, name: str) -> None:
    """`<name>.parquet` and `<name>.csv`; Arrow's CSV writer is ~20x faster than pandas'."""
    out_dir.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(df, preserve_index=False)
    df.to_parquet(out_dir / f"{name}.parquet", index=False)
    pacsv.write_csv(table, out_dir / f"{name}.csv")
