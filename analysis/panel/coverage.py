"""Coverage of the harmonized dataset, and the README blocks generated from pipeline outputs.

Everything here reads files the pipeline wrote, so a number in the README can always be
traced to (and regenerated from) `results/`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.core.markdown import table
from analysis.core.tableio import read_table


def unique_pairs(dyads: pd.DataFrame) -> int:
    """Distinct unordered city pairs: a pair listed by two sources (tie types) is one tie."""
    lo = dyads[["city_a", "city_b"]].min(axis=1)
    hi = dyads[["city_a", "city_b"]].max(axis=1)
    return int(pd.MultiIndex.from_arrays([lo, hi]).nunique())


def multi_source_pairs(dyads: pd.DataFrame) -> int:
    """Unordered pairs that appear in more than one row (e.g. sister city and twinning)."""
    lo = dyads[["city_a", "city_b"]].min(axis=1)
    hi = dyads[["city_a", "city_b"]].max(axis=1)
    return int(pd.DataFrame({"a": lo, "b": hi}).value_counts().gt(1).sum())


def coverage_markdown(data: Path) -> str:
    """Cities, countries, years; memberships by network; acts by type and year."""
    cy = read_table(data / "city_year.parquet", columns=["city_id", "year", "country_iso3"])
    ctry = read_table(data / "country_year.parquet", columns=["country_iso3", "year"])
    mem = read_table(data / "memberships.parquet")
    acts = read_table(data / "acts.parquet")
    us = read_table(data / "us_city.parquet", columns=["city_id"])
    dyads = read_table(data / "dyads.parquet")
    head = pd.DataFrame(
        [
            ("city-year panel: cities", cy["city_id"].nunique()),
            ("city-year panel: countries", cy["country_iso3"].nunique()),
            ("city-year panel: years", f"{cy['year'].min()}-{cy['year'].max()}"),
            ("city-year panel: rows", len(cy)),
            ("country-year: countries", ctry["country_iso3"].nunique()),
            ("country-year: years", f"{ctry['year'].min()}-{ctry['year'].max()}"),
            ("memberships (city x network x source)", len(mem)),
            ("memberships with a join year", int(mem["dated"].sum())),
            ("distinct networks", mem["network"].nunique()),
            ("acts", len(acts)),
            ("dated acts", int(acts["year"].notna().sum())),
            ("city-city ties (dyads, rows: one per pair and tie type)", len(dyads)),
            ("city-city ties (unique city pairs)", unique_pairs(dyads)),
            (
                "city pairs listed by both sister-city and twinning sources",
                multi_source_pairs(dyads),
            ),
            ("US cities >= 50,000 (us_city)", len(us)),
        ],
        columns=["what", "count"],
    )
    dated_cities = mem[mem["dated"]].groupby("network")["city_id"].nunique()
    by_net = (
        mem.groupby(["network", "network_type"])
        .agg(cities=("city_id", "nunique"), sources=("source", "nunique"))
        .reset_index()
        .sort_values(["cities", "network"], ascending=[False, True])
        .head(25)
    )
    by_net["cities with a join year"] = by_net["network"].map(dated_cities).fillna(0).astype(int)
    acts = acts.assign(period=acts["year"].map(_period))
    by_act = acts.pivot_table(
        index=["act", "act_class"], columns="period", values="act_id", aggfunc="count", fill_value=0
    ).reset_index()
    by_act.columns.name = None
    order = [
        c
        for c in ["before 2000", "2000-2009", "2010-2014", "2015-2019", "2020+", "undated"]
        if c in by_act.columns
    ]
    by_act = by_act[["act", "act_class", *order]]
    by_act[order] = by_act[order].astype(int)
    return (
        "Overview\n\n"
        + table(head.astype({"count": str}))
        + "\nMemberships by network (25 largest; `cities` = distinct matched cities; `sources` = parsers listing it)\n\n"
        + table(by_net)
        + "\nActs by type and period\n\n"
        + table(by_act)
    )


def _period(year: object) -> str:
    if pd.isna(year):
        return "undated"
    y = int(year)
    if y < 2000:
        return "before 2000"
    if y < 2010:
        return "2000-2009"
    if y < 2015:
        return "2010-2014"
    if y < 2020:
        return "2015-2019"
    return "2020+"


def match_summary_markdown(summary_csv: Path) -> str:
    s = pd.read_csv(summary_csv)
    cols = {
        "source": "source",
        "city_mentions": "city mentions",
        "matched": "matched",
        "match_rate": "rate",
        "with_coordinates": "with coords",
        "match_rate_with_coordinates": "rate with coords",
        "within_25km": "within 25 km",
        "regions": "regions (admin1)",
        "groups": "groups",
    }
    out = s[list(cols)].rename(columns=cols)
    methods = [c for c in s.columns if c.startswith("n_")]
    out["methods"] = [
        ", ".join(f"{m[2:]} {int(r[m])}" for m in methods if r[m] > 0) for _, r in s.iterrows()
    ]
    return table(out) + _match_checks(summary_csv.parent / "city_matches.csv")


def _match_checks(matches_csv: Path) -> str:
    """Blind self-match of GeoNames' own cities15000 file, and coordinate repairs."""
    m = pd.read_csv(matches_csv, usecols=["source", "mention_id", "city_id", "coord_fix"])
    g = m[m["source"] == "geonames15000"]
    truth = g["mention_id"].str.rsplit(":", n=1).str[1].astype("int64")
    same = float((g["city_id"] == truth).mean()) if len(g) else float("nan")
    fixes = m["coord_fix"].value_counts()
    fixed = ", ".join(f"{k} {int(v):,}" for k, v in fixes.items() if k != "none")
    return (
        f"\nGeoNames cities15000 matched blind (name, country, coordinates) returns its own id "
        f"for {same:.2%} of {len(g):,} places. Source coordinates repaired or set aside "
        f"before matching (`coord_fix`): {fixed}.\n"
    )
