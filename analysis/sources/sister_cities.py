"""Bilateral city ties: Wikipedia sister cities (Hekman) and Baltic Sea Region twinning dyads.

Two specs; both emit `mentions` (both ends of every tie) and undirected `dyads`.

`sister_cities_wikipedia` (H1 composition test, H5 sister-city degree) reads both Hekman files:
the geocoded file (`networks/sister_cities_wikipedia_geocoded_hekman.csv`) is the main source and
gives coordinates; the raw scrape (`networks/sister_cities_wikipedia_raw_hekman.csv`, a superset:
26,114 pairs against 25,917) fills the pairs lost in geocoding, whose ends get coordinates only
when they are geocoded in another pair. Raw rows already in the geocoded file are dropped with a
counted reason. Tables: `mentions`, `dyads` (tie_type `sister_city`, year always missing).
No `acts`: the lists carry no twinning dates, so there is no dated `sister_city_tie` act.

`twinning_baltic` reads `networks/twinning_dyads_baltic_sea_region_bussmann_nickel2018.csv`.
Tables: `mentions`, `dyads` (tie_type `twinning`, `year` = year the twinning was established),
`acts` (`twinning_tie`, act_class economic, one per end of every dated tie, date missing).

Mention ids:
- Wikipedia: `sister_cities_wikipedia:<city>|<ISO3>[|<qualifier>]`. The qualifier keeps the
  sub-national part of a country label: "Scotland" from host label `Scotland` and from partner
  label `Scotland, United Kingdom`, "Brandenburg" from `Brandenburg, Germany`. So both sides of
  a pair get the same ids (needed to find reverse listings), while three different "Friedland"s
  or Newport (Wales) and Newport (England) stay apart. `raw_country` keeps the label first seen
  (host labels before partner labels, file order).
- Baltic: `twinning_baltic:<City>|<Country>` with the raw labels (`WestGER`, `EastGER`).

Caveats (SOURCES.yaml) and how they are handled:
- Wikipedia, no dates of twinning: dyads have year missing; no acts (see above).
- Europe-heavy, uneven Wikipedia coverage: documented here; a property of the sample that
  analyses must keep in mind (degree measures understate ties outside Europe).
- Names not standardised: names are kept as given (after trimming whitespace), including
  disambiguations ("Zemun (Belgrade)", "Suzhou, Jiangsu") that the matching stage reads as
  qualifiers. Country labels all go through `resolve_countries`: the UK nations (`England`,
  `Scotland`, `Wales`, `Northern Ireland`, also as "..., United Kingdom") resolve to GBR,
  `Georgia (country)` to GEO, `Republic of Ireland` to IRL; dependencies with their own ISO
  code (`Réunion, France`, `Åland Islands, Finland`, Greenland, Puerto Rico) keep that code.
  `Northern Cyprus` is a territory for the resolver: its ties are dropped with a counted reason.
- Duplicates when both sides list a pair: dyads are undirected; the ends are ordered
  (`mention_id_a` < `mention_id_b`), a pair listed twice in the same direction and a reverse
  listing (B-A after A-B) are dropped with separate counted reasons.
- Geocoding errors possible (Nominatim fallback): the geocoder placed many partners at a
  namesake abroad (Dunedin, USA at Dunedin, New Zealand) or at a whole-degree area centroid
  (40, -100 for five US towns). Points are passed on as geocoded; the matching stage checks
  every source's points against the gazetteer places of the mention's country
  (`analysis.resolve.geo.check_coordinates`: whole-degree placeholders and points over 300 km from
  every place of the country are set aside, swapped or sign-flipped points repaired) and
  records what it did in the audit column `coord_fix`. A place geocoded differently in
  different rows (26 keys) takes its coordinates from the first geocoded listing (host
  listings first).
- 197 raw pairs lost in geocoding: taken from the raw scrape, without coordinates.
- Raw scrape is a near-duplicate of the geocoded file: used only to fill the 197 pairs.
- Five rows have no partner country (the scrape left "Varna, Bulgaria" whole three times, plus
  "Falkland Islands" and "American Samoa"): dropped with a counted reason; the three Varna
  ties are also listed from Varna's side, so only two ties are lost.
- Self-ties (a city paired with itself: Nienburg, Stryi, Dobřany): dropped, counted.

Baltic caveats:
- Semicolon-separated: read with `sep=";"`.
- Year = 0 means unknown (790 of 1759): set missing, not an error; other years must lie in
  1900-2100 or the parser raises. Undated ties give dyads with year missing and no acts.
- Scraped 2013, ASCII-folded names ("Neukolln"): kept as given; the matcher folds accents
  anyway. `WestGER` resolves to DEU and `EastGER` to the historical DDR through the resolver;
  mentions carry the present-day country of the place (a historical code is replaced by its
  successor, DDR -> DEU) so the matching stage searches the right gazetteer block, and
  `raw_country` keeps `EastGER`, so GDR-era ties stay identifiable.
- The dyad covariates k50/k100/k150/k200 (both cities near the Baltic) and H1/H2/Hboth
  (Hanseatic League) are not used by the design and are not carried.
- One self-tie is dropped, counted. When a pair appears twice with different years, the
  earliest year is kept (none in the 2018 file).

Entity types: names ending in County or starting "County " are `county`; names ending in
Prefecture, Province, Region, Oblast, Raion or Voivodeship, or starting "Canton of"/"Province of",
are `region` (a trailing "(...)" qualifier is ignored); everything else is `city`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.resolve.countries import historical_countries, non_country_mask, resolve_countries
from analysis.sources.common.base import (
    ACTS,
    DYADS,
    MENTIONS,
    ParsedSource,
    SourceSpec,
    build_mentions,
)
from analysis.sources.common.readers import read_text_table, require_columns, to_number, to_year

WIKI = "sister_cities_wikipedia"
WIKI_GEO = "networks/sister_cities_wikipedia_geocoded_hekman.csv"
WIKI_RAW = "networks/sister_cities_wikipedia_raw_hekman.csv"
BALTIC = "twinning_baltic"
BALTIC_FILE = "networks/twinning_dyads_baltic_sea_region_bussmann_nickel2018.csv"

PAIR = ["city1", "country1", "city2", "country2"]
COORDS = {"lat1": (-90, 90), "lng1": (-180, 180), "lat2": (-90, 90), "lng2": (-180, 180)}
UK_NATIONS = frozenset({"England", "Scotland", "Wales", "Northern Ireland"})
BALTIC_COLUMNS = ["City1", "Country1", "City2", "Country2", "Year"]
_COUNTY = re.compile(r"^County\s|\sCounty$")
_REGION = re.compile(
    r"\s(?:Prefecture|Province|Region|Oblast|Raion|Voivodeship)$|^(?:Canton|Province) of\s"
)
_TRAILING_QUALIFIER = re.compile(r"\s*\([^)]*\)\s*$")

# Unique undirected pairs: the parser orders and deduplicates the ends.
UNDIRECTED_DYADS = pa.DataFrameSchema(
    DYADS.columns,
    checks=[pa.Check(lambda df: df["mention_id_a"] < df["mention_id_b"], name="a_before_b")],
    strict=True,
    unique=["mention_id_a", "mention_id_b", "tie_type"],
    name="dyads",
)


# --------------------------------------------------------------------------- shared helpers


def entity_types(names: pd.Series) -> pd.Series:
    """`county`, `region` or `city` from the form of a place name (see module docstring)."""
    bare = names.astype("str").str.replace(_TRAILING_QUALIFIER, "", regex=True)
    out = pd.Series("city", index=names.index, dtype="str")
    out[bare.str.contains(_REGION)] = "region"
    out[bare.str.contains(_COUNTY)] = "county"
    return out


def _strip(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Trim whitespace in text columns; blank cells become missing."""
    df = df.copy()
    for col in columns:
        df[col] = df[col].str.strip().replace("", pd.NA)
    return df


def _drop_missing(audit: RowAudit, df: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Drop rows missing any of `columns` (column -> reason)."""
    for col, reason in columns.items():
        df = audit.drop(df[col].isna(), reason)
    return df


def _drop_non_countries(audit: RowAudit, df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Drop rows whose country label (in any of `columns`) is an aggregate/territory/other."""
    kinds = {c: non_country_mask(df[c]) for c in columns}
    kind = kinds[columns[0]]
    for col in columns[1:]:
        kind = kind.fillna(kinds[col])
    for reason in sorted(kind.dropna().unique()):
        labels = sorted(
            {label for c in columns for label in df.loc[kinds[c].eq(reason).fillna(False), c]}
        )
        mask = kind.loc[df.index].eq(reason).fillna(False).astype(bool)
        df = audit.drop(mask, f"country label is a {reason}, not a country ({', '.join(labels)})")
    return df


def _drop_pair_duplicates(
    audit: RowAudit, df: pd.DataFrame, a: str = "key_a", b: str = "key_b"
) -> pd.DataFrame:
    """Drop same-direction repeats, then reverse listings (B-A after A-B), counted apart."""
    df = audit.drop(df.duplicated([a, b]), "same pair listed twice in the same direction")
    lo = np.minimum(df[a].to_numpy(dtype=object), df[b].to_numpy(dtype=object))
    hi = np.maximum(df[a].to_numpy(dtype=object), df[b].to_numpy(dtype=object))
    pairs = pd.DataFrame({"lo": lo, "hi": hi}, index=df.index)
    return audit.drop(pairs.duplicated(), "reverse listing (B-A) of a pair listed as A-B")


def _dyads(kept: pd.DataFrame, source: str, tie_type: str, year: pd.Series) -> pd.DataFrame:
    ids_a = source + ":" + kept["key_a"].astype("str")
    ids_b = source + ":" + kept["key_b"].astype("str")
    first = ids_a.to_numpy(dtype=object) < ids_b.to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "mention_id_a": np.where(first, ids_a, ids_b),
            "mention_id_b": np.where(first, ids_b, ids_a),
            "tie_type": tie_type,
            "year": pd.array(year.astype("Int64"), dtype="Int64"),
        }
    ).reset_index(drop=True)


def _present_day_country(mentions: pd.DataFrame) -> pd.DataFrame:
    """Replace historical ISO codes (DDR) by their successor: mentions locate places today."""
    hist = historical_countries()
    successor = dict(zip(hist["iso3"], hist["successor_iso3"], strict=True))
    iso = mentions["country_iso3"]
    mapped = iso.map(lambda c: (successor.get(c) or c) if isinstance(c, str) else c)
    return mentions.assign(country_iso3=mapped.astype("str"))


# --------------------------------------------------------------------------- Wikipedia


def _country_keys(labels: pd.Series, iso3: pd.Series) -> pd.Series:
    """`ISO3` or `ISO3|qualifier` (sub-national part of the label; UK nations)."""
    text = labels.astype("str")
    has_comma = text.str.contains(",", regex=False)
    qualifier = text.str.rsplit(",", n=1).str[0].str.strip().where(has_comma, "")
    qualifier = qualifier.mask(~has_comma & text.isin(UK_NATIONS), text)
    return iso3.astype("str") + ("|" + qualifier).where(qualifier != "", "")


def _wiki_keys(df: pd.DataFrame, file: str) -> pd.DataFrame:
    """Add `key_a`/`key_b` (mention keys of host and partner) to pairs with valid countries."""
    keys = {}
    for side, (city, country) in {"a": ("city1", "country1"), "b": ("city2", "country2")}.items():
        iso3 = resolve_countries(df[country], source=file)
        keys[f"key_{side}"] = df[city] + "|" + _country_keys(df[country], iso3)
    return df.assign(**keys)


def _wiki_file_step(
    audit: RowAudit, df: pd.DataFrame, step: str, file: str, geocoded_pairs: pd.Index | None
) -> pd.DataFrame:
    """Per-file cleaning: overlap with the geocoded file, missing values, territories, self-ties."""
    df = audit.start(df, step)
    if geocoded_pairs is not None:
        in_geo = pd.MultiIndex.from_frame(df[PAIR]).isin(geocoded_pairs)
        df = audit.drop(
            pd.Series(in_geo, index=df.index), "pair also in the geocoded file (taken from there)"
        )
    df = _drop_missing(
        audit,
        df,
        {
            "city1": "host city name missing",
            "city2": "partner city name missing",
            "country1": "host country missing",
            "country2": "partner country missing",
        },
    )
    df = _drop_non_countries(audit, df, ["country1", "country2"])
    df = _wiki_keys(df, file)
    df = audit.drop(df["key_a"] == df["key_b"], "self-tie (city paired with itself)", frame=df)
    return audit.finish(df)


def _wiki_mentions(ends: pd.DataFrame) -> pd.DataFrame:
    """One mention per key: first name and label seen, first coordinates seen."""
    first = ends.groupby("key", sort=True).agg(
        name=("name", "first"),
        label=("label", "first"),
        lat=("lat", "first"),
        lon=("lon", "first"),
    )
    first = first.reset_index()
    return build_mentions(
        first,
        source=WIKI,
        file=WIKI_GEO,
        key="key",
        name="name",
        country="label",
        entity_type=entity_types(first["name"]),
        lat="lat",
        lon="lon",
    )


def _read_coordinates(df: pd.DataFrame, file: str) -> pd.DataFrame:
    df = df.copy()
    for col, (low, high) in COORDS.items():
        values = to_number(df[col], file, col)
        outside = values.notna() & ~values.between(low, high)
        if outside.any():
            bad = df.loc[outside, col].iloc[0]
            raise RawInputError(file, f"coordinate outside [{low}, {high}]", col, bad)
        df[col] = values
    return df


def parse_wikipedia(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(WIKI)
    geo = read_text_table(paths[WIKI_GEO], sep=",")
    require_columns(geo, [*PAIR, *COORDS], WIKI_GEO)
    raw = read_text_table(paths[WIKI_RAW], sep=",")
    require_columns(raw, PAIR, WIKI_RAW)
    geo = _read_coordinates(_strip(geo, PAIR), WIKI_GEO)
    raw = _strip(raw, PAIR)

    geocoded_pairs = pd.MultiIndex.from_frame(geo[PAIR])
    geo = _wiki_file_step(audit, geo, "geocoded_file", WIKI_GEO, None)
    fill = _wiki_file_step(audit, raw, "raw_scrape_file", WIKI_RAW, geocoded_pairs)
    fill = fill.assign(**{c: np.nan for c in COORDS})

    both = pd.concat([geo, fill], ignore_index=True)
    ends = pd.concat(
        [
            pd.DataFrame(
                {
                    "key": both[f"key_{side}"],
                    "name": both[city],
                    "label": both[country],
                    "lat": both[lat],
                    "lon": both[lon],
                }
            )
            for side, city, country, lat, lon in (
                ("a", "city1", "country1", "lat1", "lng1"),
                ("b", "city2", "country2", "lat2", "lng2"),
            )
        ],
        ignore_index=True,
    )
    mentions = _wiki_mentions(ends)

    kept = audit.start(both, "undirected_dyads")
    kept = _drop_pair_duplicates(audit, kept)
    audit.finish(kept)
    year = pd.Series(pd.NA, index=kept.index, dtype="Int64")
    dyads = _dyads(kept, WIKI, "sister_city", year)
    return ParsedSource(tables={"mentions": mentions, "dyads": dyads}, audit=audit)


# --------------------------------------------------------------------------- Baltic twinning


def parse_baltic(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(BALTIC)
    raw = read_text_table(paths[BALTIC_FILE], sep=";")
    require_columns(raw, BALTIC_COLUMNS, BALTIC_FILE)
    raw = _strip(raw, BALTIC_COLUMNS)
    # Year "0" is the file's code for an unknown year: masked before the year check.
    year_text = raw["Year"].mask(raw["Year"] == "0")
    raw["year"] = to_year(year_text, BALTIC_FILE, "Year", min_year=1900)

    df = audit.start(raw, "dyads")
    df = _drop_missing(
        audit,
        df,
        {
            "City1": "first city name missing",
            "City2": "second city name missing",
            "Country1": "first country missing",
            "Country2": "second country missing",
        },
    )
    df = _drop_non_countries(audit, df, ["Country1", "Country2"])
    df = df.assign(
        key_a=df["City1"] + "|" + df["Country1"], key_b=df["City2"] + "|" + df["Country2"]
    )
    df = audit.drop(df["key_a"] == df["key_b"], "self-tie (city paired with itself)", frame=df)
    # Every listing of a pair gets the pair's earliest known year before duplicates go.
    pair = pd.Series(
        [tuple(sorted(p)) for p in zip(df["key_a"], df["key_b"], strict=True)], index=df.index
    )
    df = df.assign(year=df.groupby(pair)["year"].transform("min"))
    df = _drop_pair_duplicates(audit, df)
    audit.finish(df)

    ends = pd.concat(
        [
            df[["key_a", "City1", "Country1"]].set_axis(["key", "name", "country"], axis=1),
            df[["key_b", "City2", "Country2"]].set_axis(["key", "name", "country"], axis=1),
        ],
        ignore_index=True,
    ).drop_duplicates("key")
    mentions = build_mentions(
        ends,
        source=BALTIC,
        file=BALTIC_FILE,
        key="key",
        name="name",
        country="country",
        entity_type=entity_types(ends["name"]),
    )
    mentions = _present_day_country(mentions)
    dyads = _dyads(df, BALTIC, "twinning", df["year"])

    dated = df[df["year"].notna()]
    ends_dated = pd.concat([dated["key_a"], dated["key_b"]], ignore_index=True)
    years = pd.concat([dated["year"], dated["year"]], ignore_index=True)
    acts = pd.DataFrame(
        {
            "mention_id": BALTIC + ":" + ends_dated.astype("str"),
            "act": "twinning_tie",
            "act_class": "economic",
            "date": pd.Series(pd.NaT, index=ends_dated.index, dtype="datetime64[ns]"),
            "year": years.astype("Int64"),
        }
    )
    return ParsedSource(tables={"mentions": mentions, "dyads": dyads, "acts": acts}, audit=audit)


SOURCES = [
    SourceSpec(
        name=WIKI,
        files=(WIKI_GEO, WIKI_RAW),
        parse=parse_wikipedia,
        schemas={"mentions": MENTIONS, "dyads": UNDIRECTED_DYADS},
        description="Wikipedia sister-city pairs (Hekman), undirected, undated, geocoded.",
    ),
    SourceSpec(
        name=BALTIC,
        files=(BALTIC_FILE,),
        parse=parse_baltic,
        schemas={"mentions": MENTIONS, "dyads": UNDIRECTED_DYADS, "acts": ACTS},
        description="Baltic Sea Region town twinnings with founding year (Bussmann & Nickel).",
    ),
]
