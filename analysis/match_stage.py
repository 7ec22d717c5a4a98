"""The entity-resolution stage: every city mention of every source -> a GeoNames id, audited.

Parsers emit `mentions`; this stage matches them all with `analysis.citymatch`, once, and
writes the audit (DESIGN §4: `results/audit/city_matches.csv`, `city_unmatched.csv`) and the
per-source summary the README reports, plus `mention_cities.parquet` that assembly joins on.

Before a source is matched, every point is checked against the gazetteer places of the
mention's country (`analysis.geo.check_coordinates`: swapped, sign-flipped or unusable
points); the audit column `coord_fix` records what was done to each point (none, swapped,
sign_flipped, dropped, or the matcher's own degrees_minutes / dropped, see
`analysis.citymatch`), and the summary counts it per source (`coord_<fix>` columns).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.citymatch import match_cities
from analysis.gazetteer import Gazetteer
from analysis.geo import COORD_FIXES, check_coordinates

AUDIT_COLUMNS = [
    "source",
    "mention_id",
    "raw_name",
    "raw_country",
    "country_iso3",
    "entity_type",
    "city_id",
    "method",
    "score",
    "distance_km",
    "admin1_code",
    "matched_name",
    "is_group",
    "reason",
    "coord_fix",
]
WITHIN_KM = 25.0
CITY_TYPES = ("city",)


def read_mentions(paths: Iterable[Path]) -> pd.DataFrame:
    frames = [pd.read_parquet(p) for p in sorted(paths)]
    if not frames:
        raise ValueError("no mentions tables to match")
    return pd.concat(frames, ignore_index=True)


def match_all(
    mentions: pd.DataFrame,
    gazetteer: Gazetteer,
    options: Mapping[str, float] | None = None,
    per_source: Mapping[str, Mapping[str, float]] | None = None,
) -> pd.DataFrame:
    """Match every mention, one source at a time; one audit row per mention, sorted.

    Points are checked first (`prepare_coordinates`). `options` are `match_cities` keywords
    (config `matching`); `per_source` overrides them.
    """
    parts = []
    checked = prepare_coordinates(mentions, gazetteer)  # one pass over all sources' points
    for source, part in checked.groupby("source", sort=True):
        part = part.reset_index(drop=True)
        opts = {**(options or {}), **(per_source or {}).get(str(source), {})}
        result = match_cities(part, gazetteer, source=str(source), **opts)
        result = result.drop(columns=["source", "raw_name", "raw_country"], errors="ignore")
        parts.append(
            pd.concat(
                [
                    part[
                        [
                            "source",
                            "mention_id",
                            "raw_name",
                            "raw_country",
                            "country_iso3",
                            "entity_type",
                        ]
                    ],
                    result.reset_index(drop=True),
                ],
                axis=1,
            )
        )
    out = pd.concat(parts, ignore_index=True)[AUDIT_COLUMNS]
    return out.sort_values(["source", "mention_id"], ignore_index=True)


def prepare_coordinates(mentions: pd.DataFrame, gazetteer: Gazetteer) -> pd.DataFrame:
    """Mentions with their points checked (`geo.check_coordinates`) and `coord_fix` added."""
    if not {"lat", "lon"} <= set(mentions.columns):
        return mentions.assign(coord_fix="none")
    checked = check_coordinates(
        mentions["lat"], mentions["lon"], mentions["country_iso3"], gazetteer
    )
    return mentions.assign(lat=checked["lat"], lon=checked["lon"], coord_fix=checked["coord_fix"])


def summarize(matches: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    """Per source: mentions, matched cities, rate, methods, coordinates and distance checks."""
    has_xy = mentions.set_index("mention_id")[["lat", "lon"]].notna().all(axis=1)
    m = matches.assign(has_xy=matches["mention_id"].map(has_xy).fillna(False).astype(bool))
    rows = []
    for source, g in m.groupby("source", sort=True):
        cities = g[g["entity_type"].isin(CITY_TYPES)]
        matched = cities["city_id"].notna()
        xy = cities["has_xy"]
        matched_xy = matched & xy & cities["distance_km"].notna()
        row = {
            "source": source,
            "mentions": len(g),
            "city_mentions": len(cities),
            "matched": int(matched.sum()),
            "match_rate": round(float(matched.mean()), 4) if len(cities) else np.nan,
            "regions": int((g["method"] == "admin1").sum()),
            "groups": int(g["is_group"].sum()),
            "with_coordinates": int(xy.sum()),
            "match_rate_with_coordinates": (
                round(float(matched[xy].mean()), 4) if xy.any() else np.nan
            ),
            "within_25km": (
                round(float((cities.loc[matched_xy, "distance_km"] <= WITHIN_KM).mean()), 4)
                if matched_xy.any()
                else np.nan
            ),
        }
        for method, n in cities["method"].value_counts().sort_index().items():
            row[f"n_{method}"] = int(n)
        for fix in COORD_FIXES[1:]:  # points changed or set aside, over all mentions
            row[f"coord_{fix}"] = int((g["coord_fix"] == fix).sum())
        rows.append(row)
    out = pd.DataFrame(rows)
    total = {
        "source": "ALL",
        "mentions": int(out["mentions"].sum()),
        "city_mentions": int(out["city_mentions"].sum()),
        "matched": int(out["matched"].sum()),
        "regions": int(out["regions"].sum()),
        "groups": int(out["groups"].sum()),
        "with_coordinates": int(out["with_coordinates"].sum()),
    }
    total["match_rate"] = round(total["matched"] / max(total["city_mentions"], 1), 4)
    for c in out.columns:
        if c.startswith(("n_", "coord_")):
            total[c] = int(out[c].fillna(0).sum())
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    n_cols = sorted(c for c in out.columns if c.startswith("n_"))
    out[n_cols] = out[n_cols].fillna(0).astype("int64")
    return out


def mention_cities(matches: pd.DataFrame) -> pd.DataFrame:
    """The join table for assembly: mention -> city_id / admin1 code."""
    cols = ["mention_id", "source", "city_id", "admin1_code", "method", "distance_km", "is_group"]
    out = matches[cols].copy()
    out["city_id"] = out["city_id"].astype("Int64")
    return out.sort_values("mention_id", ignore_index=True)
