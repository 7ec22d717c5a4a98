"""Joining source tables to resolved cities: shared by the panel assembly and the US table.

`attach_cities` is the one place where a row's mention becomes a `city_id`, and where rows
whose mention did not resolve to one city are dropped with a counted reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.audit import RowAudit
from analysis.core.errors import PipelineError
from analysis.core.tableio import read_table


def read_tables(paths: Iterable[Path]) -> dict[str, dict[str, pd.DataFrame]]:
    """`results/interim/<source>/<table>.parquet` files as {table: {source: frame}}."""
    out: dict[str, dict[str, pd.DataFrame]] = {}
    for p in sorted(Path(x) for x in paths):
        out.setdefault(p.stem, {})[p.parent.name] = read_table(p)
    return out


def stacked(by_source: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One standard table of every source, with a `source` column."""
    frames = [df.assign(source=src) for src, df in sorted(by_source.items())]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


@dataclass(frozen=True)
class _MentionLookup:
    """The matcher's joins indexed by mention: positions, then arrays by position."""

    index: pd.Index
    city: np.ndarray
    is_group: np.ndarray
    method: np.ndarray


# One assembly passes the same joins frame for every table (ten calls): its index is built
# once. A string index over ~230k mentions cost ~0.15 s a call, most of it hashing the keys.
_LAST: list = [None, None]  # [joins frame, its lookup]; the frame is never changed in place


def _lookup(joins: pd.DataFrame) -> _MentionLookup:
    if _LAST[0] is not joins:
        j = joins.set_index("mention_id")
        found = _MentionLookup(
            j.index,
            j["city_id"].to_numpy(),
            j["is_group"].to_numpy(dtype=bool),
            j["method"].to_numpy(),
        )
        _LAST[:] = [joins, found]
    return _LAST[1]


def attach_cities(
    table: pd.DataFrame, joins: pd.DataFrame, audit: RowAudit, step: str, col: str = "mention_id"
) -> pd.DataFrame:
    """Add `city_id` to rows by their mention; drop unresolved rows with a reason each."""
    j = _lookup(joins)
    df = audit.start(table.reset_index(drop=True), step)
    pos = j.index.get_indexer(df[col].to_numpy())  # positional lookup: fast on 1M rows
    if (pos == -1).any():
        unseen = df.loc[pos == -1, col]
        raise PipelineError(
            f"assemble/{step}: {len(unseen)} rows name mentions the matcher never saw, "
            f"e.g. {unseen.head(3).tolist()}"
        )
    city = j.city[pos]
    no_city = pd.Series(pd.isna(city), index=df.index)
    group = no_city & j.is_group[pos]
    region = no_city & ~group & (j.method[pos] == "admin1")
    df = audit.drop(group, "group signatory, not one city")
    df = audit.drop(region[~group], "mention is a region, not a city")
    df = audit.drop(no_city[~group & ~region], "mention not matched to a city")
    audit.finish(df)
    return df.assign(city_id=city[df.index.to_numpy()].astype("int64"))
