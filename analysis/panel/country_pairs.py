"""The published country-pair table: CEPII GeoDist gravity variables and Yotov et al. trade.

One row per unordered pair of distinct countries (``iso3_a`` < ``iso3_b``) that CEPII covers.
Trade is ``trade_musd``: the mean over the years ``years`` of the pair's total manufacturing
flows in both directions (current US$ millions), defined only where both countries are among
Yotov et al.'s 69 (``trade_in_panel``); outside them trade is unknown, not zero.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.errors import PipelineError
from analysis.sources.gravity import CEPII_FLAGS

#: CEPII's Serbia and Montenegro (file of 2004) stands for both of today's countries.
SPLIT_CODES = {"YUG": ("SRB", "MNE")}
PAIR_COLUMNS = [
    "iso3_a", "iso3_b", "dist_km", *CEPII_FLAGS, "trade_in_panel", "trade_musd", "trade_years",
]  # fmt: skip


def _split_historical(pairs: pd.DataFrame) -> pd.DataFrame:
    """Replace each split code by its successors at either end (values carried over)."""
    for old, new in SPLIT_CODES.items():
        for col in ("iso3_o", "iso3_d"):
            hit = pairs[col] == old
            parts = [pairs[~hit]] + [pairs[hit].assign(**{col: code}) for code in new]
            pairs = pd.concat(parts, ignore_index=True)
    # The successors of one code are not a pair of CEPII's; the same pair may now appear from
    # a listed code as well (e.g. SRB-MNE): keep CEPII's own row first.
    return pairs[pairs["iso3_o"] != pairs["iso3_d"]]


def _unordered(df: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    lo = df[[a, b]].min(axis=1)
    hi = df[[a, b]].max(axis=1)
    return df.assign(iso3_a=lo, iso3_b=hi)


def build_country_pairs(
    cepii: pd.DataFrame, trade: pd.DataFrame, years: tuple[int, int] = (2000, 2006)
) -> pd.DataFrame:
    """Unordered country pairs with CEPII's variables and mean bilateral trade over `years`."""
    pairs = _unordered(_split_historical(cepii), "iso3_o", "iso3_d")
    # CEPII lists each pair in both orders with the same values; the origin-first row wins.
    pairs = pairs.sort_values(["iso3_a", "iso3_b", "iso3_o"], kind="mergesort")
    pairs = pairs.drop_duplicates(["iso3_a", "iso3_b"])[
        ["iso3_a", "iso3_b", "dist_km", *CEPII_FLAGS]
    ]
    panel = set(trade["exporter_iso3"]) | set(trade["importer_iso3"])
    t = trade[trade["year"].between(*years)]
    t = _unordered(t, "exporter_iso3", "importer_iso3")
    # Sum both directions within a year, then average the years with a reported flow.
    per_year = t.groupby(["iso3_a", "iso3_b", "year"])["trade_musd"].sum(min_count=1)
    mean = per_year.groupby(level=["iso3_a", "iso3_b"]).agg(["mean", "count"])
    mean.columns = ["trade_musd", "trade_years"]
    out = pairs.join(mean, on=["iso3_a", "iso3_b"])
    out["trade_in_panel"] = (out["iso3_a"].isin(panel) & out["iso3_b"].isin(panel)).astype("Int64")
    out["trade_years"] = out["trade_years"].fillna(0).astype("Int64")
    if out.duplicated(["iso3_a", "iso3_b"]).any():
        raise PipelineError("country_pairs: duplicate (iso3_a, iso3_b) after merging CEPII rows")
    return out[PAIR_COLUMNS].sort_values(["iso3_a", "iso3_b"], ignore_index=True)


__all__ = ["PAIR_COLUMNS", "build_country_pairs"]
