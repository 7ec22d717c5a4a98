"""Writing outputs deterministically: data tables as Parquet for tools and CSV for everyone;
model results as CSV with a fixed float format and JSON with fixed key order."""

from __future__ import annotations

import json
import math
import os
import shutil
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq


def read_table(path: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """`pd.read_parquet`'s frame (same values, dtypes and columns), built without
    consolidating: each column stays its own block, and Arrow frees each column once
    converted. The consolidation copied every column into 2-D blocks: city_year (1.1M rows x
    68 columns) took 1.4-2.7 s to read that way and 0.4-0.7 s this way, and its fresh pages
    were most of a fit job's page faults."""
    return pd.read_parquet(
        path, columns=columns, to_pandas_kwargs={"split_blocks": True, "self_destruct": True}
    )


def write_table(df: pd.DataFrame, out_dir: Path, name: str) -> None:
    """`<name>.parquet` and `<name>.csv`; Arrow's CSV writer is ~20x faster than pandas'.

    One conversion to Arrow for both files: the Parquet bytes are `df.to_parquet`'s (same
    table, pandas metadata and snappy compression)."""
    write_tables({name: df}, out_dir, threads=1)


#: A table's CSV is split between threads only above this many rows a piece.
MIN_PIECE_ROWS = 100_000


def _csv_pieces(table: pa.Table, threads: int) -> list[pa.Table]:
    n = max(1, min(threads, table.num_rows // MIN_PIECE_ROWS))
    size = -(-table.num_rows // n) if table.num_rows else 0
    return [table.slice(i * size, size) for i in range(n)] if n > 1 else [table]


def _write_csv_piece(table: pa.Table, path: Path, header: bool) -> None:
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(include_header=header))


def _append(dst: Path, parts: list[Path]) -> None:
    """Append `parts` to `dst` in order (copied inside the kernel where the OS can) and
    remove them."""
    with open(dst, "r+b") as out:  # not "ab": copy_file_range refuses O_APPEND
        out.seek(0, os.SEEK_END)
        for part in parts:
            with open(part, "rb") as src:
                if hasattr(os, "copy_file_range"):  # Linux
                    left = os.fstat(src.fileno()).st_size
                    while left > 0:
                        left -= os.copy_file_range(src.fileno(), out.fileno(), left)
                else:
                    shutil.copyfileobj(src, out, 1 << 20)
            part.unlink()


def write_tables(tables: Mapping[str, pd.DataFrame], out_dir: Path, *, threads: int = 1) -> None:
    """`write_table` for several tables, their Parquet files and CSV pieces written by
    `threads` threads (Arrow's writers release the GIL; the city-year CSV alone takes ~2.6 s
    in one thread). A large table's CSV is formatted in row pieces, the first (with the
    header) into the file itself and the others into part files appended in order: Arrow
    formats each row on its own, so the bytes are those of one `write_csv` call."""
    out_dir.mkdir(parents=True, exist_ok=True)
    arrow = {name: pa.Table.from_pandas(df, preserve_index=False) for name, df in tables.items()}
    if threads <= 1:
        for name, table in arrow.items():
            _write_parquet(table, out_dir / f"{name}.parquet")
            pacsv.write_csv(table, out_dir / f"{name}.csv")
        return
    parts: dict[str, list[Path]] = {}
    # (cost, function, args), the longest first so that the threads end together; a row's CSV
    # takes ~5x its Parquet (city-year: 2.6 s against 0.56 s)
    jobs = []
    for name, table in arrow.items():
        csv = out_dir / f"{name}.csv"
        pieces = _csv_pieces(table, threads)
        parts[name] = [csv.with_name(f".{csv.name}.part{i}") for i in range(1, len(pieces))]
        for i, (piece, path) in enumerate(zip(pieces, [csv, *parts[name]], strict=True)):
            jobs.append((piece.num_rows * 5, _write_csv_piece, (piece, path, i == 0)))
        jobs.append((table.num_rows, _write_parquet, (table, out_dir / f"{name}.parquet")))
    jobs.sort(key=lambda job: -job[0])
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(fn, *args) for _, fn, args in jobs]:
            future.result()
    for name, paths in parts.items():
        _append(out_dir / f"{name}.csv", paths)


def _write_parquet(table: pa.Table, path: Path) -> None:
    pq.write_table(table, path, compression="snappy")


FLOAT_FORMAT = "%.10g"  # 10 digits: pyfixest's threaded demeaning varies in the 12th


def _clean(obj: Any) -> Any:
    """JSON-safe: NaN/inf become null, numpy scalars plain Python, floats rounded."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, str):
        obj = obj.item()
    if isinstance(obj, float):
        return None if not math.isfinite(obj) else float(FLOAT_FORMAT % obj)
    return obj


def write_csv(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


def write_json(obj: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_clean(obj), indent=2, ensure_ascii=False) + "\n", "utf-8")
