"""US places (simplemaps US Cities Basic) with their state and primary county.

File ``us/uscities_simplemaps_basic.csv`` (UTF-8 with BOM, 31,254 rows): one row per US
Census place (incorporated places and CDPs) with state, the (primary) county FIPS and name,
coordinates, population, density, incorporation flag and the simplemaps ``id``. It is the
spine of the US city analysis (H4): a city is tied to its county (and so to the county's
presidential vote, 287(g) agreements, detainers, demographics) through ``county_fips``.

Tables (spec ``us_cities``)
---------------------------
``mentions``
    One per place: ``mention_id`` ``us_cities:<simplemaps id>``, ``raw_name`` ``"City, ST"``
    (the state code is the matcher's admin1 hint, so Portland, OR and Portland, ME stay
    apart), ``country_iso3`` ``USA``, ``entity_type`` ``city`` (CDPs included), ``lat``/``lon``
    and ``population`` from the file.
``us_city_county``
    One per mention: ``mention_id``, ``simplemaps_id``, ``city``, ``state`` (postal code),
    ``state_fips``, ``county_fips`` (5-digit text), ``county_name``, ``population`` (persons),
    ``density`` (persons per km2), ``incorporated``, ``military`` (booleans) and ``ranking``
    (simplemaps importance rank 1-5). Places under 1,000 people are dropped (counted); the H4 sample
    (cities >= 50,000) is selected in assembly, where the other population sources are.

Caveats (SOURCES.yaml) and how they are handled
-----------------------------------------------
- UTF-8 BOM: stripped by the shared reader.
- ``population`` is the urban-area figure for the largest cities (New York 18.8M): kept as
  given and documented; use Census/NAE city-proper populations where city size matters. It
  cannot lower a city below 50,000, so the H4 threshold is unaffected.
- Only one (primary) county per city (New York City -> Queens, Houston -> Harris): kept;
  multi-county cities are attributed to that county.
- Version unknown: it is recent (Connecticut places carry the 2022 planning-region codes
  09110-09190, Oglala Lakota 46102, Kusilvak 02158, Chugach 02063), so Connecticut cities do
  not join to the 2008-2020 county election files, which use the old Connecticut counties
  (documented; only the 2024 election file uses the planning regions).
- Puerto Rico places (state ``PR``) are dropped ("Puerto Rico (territory, outside the 50
  states + DC)"): the H4 data (presidential votes, state laws) exist for states only.

The US state and county lookups this parser and the other ``us_*`` parsers share live in
:mod:`analysis.sources.common.us_geo`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.sources.common.base import MENTIONS, ParsedSource, SourceSpec, build_mentions
from analysis.sources.common.readers import (
    check_unique,
    read_text_table,
    require_columns,
    to_int,
    to_number,
)
from analysis.sources.common.us_geo import (
    COUNTY_FIPS,
    STATE,
    STATE_FIPS,
    city_label,
    is_territory,
    state_codes,
    state_fips,
)

NAME = "us_cities"
FILE = "us/uscities_simplemaps_basic.csv"


# --------------------------------------------------------------------------- parser

US_CITY_COUNTY = pa.DataFrameSchema(
    {
        "mention_id": pa.Column(str, unique=True),
        "simplemaps_id": pa.Column(str, unique=True),
        "city": pa.Column(str),
        "state": STATE,
        "state_fips": STATE_FIPS,
        "county_fips": COUNTY_FIPS,
        "county_name": pa.Column(str),
        "population": pa.Column(float, pa.Check.ge(0)),
        "density": pa.Column(float, pa.Check.ge(0)),
        "incorporated": pa.Column(bool),
        "military": pa.Column(bool),
        "ranking": pa.Column("Int64", pa.Check.isin([1, 2, 3, 4, 5])),
    },
    strict=True,
    name="us_city_county",
)

_COLUMNS = [
    "city",
    "state_id",
    "county_fips",
    "county_name",
    "lat",
    "lng",
    "population",
    "density",
    "military",
    "incorporated",
    "ranking",
    "id",
]


def _flag(values: pd.Series, file: str, column: str) -> pd.Series:
    mapping = {"TRUE": True, "FALSE": False}
    bad = ~values.isin(list(mapping))
    if bad.any():
        raise RawInputError(
            file, f"expected TRUE/FALSE, got {sorted(set(values[bad].astype(str)))[:5]}", column
        )
    return values.map(mapping).astype(bool)


MIN_POPULATION = 1_000


def parse(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(NAME)
    raw = read_text_table(paths[FILE])
    require_columns(raw, _COLUMNS, FILE)
    check_unique(raw, ["id"], FILE)
    df = audit.start(raw.assign(state=state_codes(raw["state_id"], FILE, "state_id")), "places")
    df = audit.drop(
        is_territory(df["state"]), "Puerto Rico (territory, outside the 50 states + DC)"
    )
    # Hamlets below this size are mostly absent from the GeoNames gazetteer (cities500) and
    # irrelevant to H4 (cities >= 50,000); keeping them would only add unmatchable mentions.
    pop = to_number(df["population"], FILE, "population", allow_missing=False)
    df = audit.drop(pop < MIN_POPULATION, f"fewer than {MIN_POPULATION:,} people")
    audit.finish(df)
    bad_fips = ~df["county_fips"].str.fullmatch(r"\d{5}")
    if bad_fips.any():
        raise RawInputError(
            FILE, "county FIPS not 5 digits", "county_fips", df.loc[bad_fips, "county_fips"].iloc[0]
        )
    df = df.assign(
        raw_name=city_label(df["city"], df["state"]),
        country="USA",
        key=df["id"].str.strip(),
    )
    mentions = build_mentions(
        df,
        source=NAME,
        file=FILE,
        key="key",
        name="raw_name",
        iso3="country",
        lat="lat",
        lon="lng",
        population="population",
    )
    table = pd.DataFrame(
        {
            "mention_id": NAME + ":" + df["key"],
            "simplemaps_id": df["key"],
            "city": df["city"].str.strip(),
            "state": df["state"],
            "state_fips": state_fips(df["state"]),
            "county_fips": df["county_fips"],
            "county_name": df["county_name"].str.strip(),
            "population": to_number(df["population"], FILE, "population", allow_missing=False),
            "density": to_number(df["density"], FILE, "density", allow_missing=False),
            "incorporated": _flag(df["incorporated"], FILE, "incorporated"),
            "military": _flag(df["military"], FILE, "military"),
            "ranking": to_int(df["ranking"], FILE, "ranking", allow_missing=False),
        }
    ).reset_index(drop=True)
    return ParsedSource(tables={"mentions": mentions, "us_city_county": table}, audit=audit)


SOURCES = [
    SourceSpec(
        name=NAME,
        files=(FILE,),
        parse=parse,
        schemas={"mentions": MENTIONS, "us_city_county": US_CITY_COUNTY},
        description="simplemaps US places with state, primary county FIPS, population (H4 spine).",
    )
]
