"""The LAU layer as a file (``results/cache/lau_layer.parquet``): built by its own job (rule
``lau_layer``) beside the parse jobs, as it needs only the gazetteer and the LAU units, and
read by the matching job, which no longer spends its first seconds linking 63,645 units."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from analysis.resolve.lau import LauLayer, key_index

KEYS = "__keys"  # each unit's lookup keys, in build order: the index is rebuilt from them
VERSION = b"1"


def write_layer(layer: LauLayer, path: Path) -> None:
    """Units plus their keys; deterministic bytes (one row group, no timestamps)."""
    if KEYS in layer.units.columns:
        raise ValueError(f"LAU units already have a column {KEYS!r}")
    table = pa.Table.from_pandas(layer.units.assign(**{KEYS: layer.keys}), preserve_index=False)
    meta = dict(table.schema.metadata or {}) | {b"lau_layer_version": VERSION}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    pq.write_table(table.replace_schema_metadata(meta), tmp, row_group_size=max(len(table), 1))
    tmp.replace(path)  # atomic: a killed job never leaves half a layer


def read_layer(path: Path) -> LauLayer:
    meta = pq.read_schema(path).metadata or {}
    if meta.get(b"lau_layer_version") != VERSION:
        raise ValueError(f"{path}: not a LAU layer of version {VERSION.decode()}; rebuild it")
    df = pq.read_table(path).to_pandas()
    keys = [list(k) for k in df.pop(KEYS)]
    return LauLayer(df, key_index(df["country_iso3"], keys), keys)
