"""Country-pair gravity data for the dyadic H5 model: CEPII GeoDist and the Yotov et al. panel.

- ``cepii_dist`` (``dist_cepii.xls`` inside CEPII's zip): ordered country pairs with distance,
  contiguity, common official / ethnic language and colonial ties. Rows within a country
  (internal distances) are dropped: same-country city pairs get their own indicator.
- ``cepii_geo`` (``geo_cepii.xls``): each country's main cities (capital flag, coordinates,
  landlocked, continent), kept for reference and as the check that every code resolves.
- ``yotov_trade``: manufacturing trade flows, exporter × importer × year, 1986–2006, 69
  countries (current US$ millions). Domestic flows (exporter = importer) are dropped: only
  international trade measures the two countries' economic ties.

CEPII uses pre-2005 codes (ROM, ZAR, TMP, PAL, YUG): ``resolve_countries`` maps the first four
(PAL via ``country_overrides.csv``); YUG (Serbia and Montenegro) stays the historical code and
:mod:`analysis.panel.country_pairs` carries its values to SRB and MNE.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.core.audit import RowAudit
from analysis.resolve.countries import drop_non_countries, resolve_countries
from analysis.sources.common.base import ParsedSource, SourceSpec
from analysis.sources.common.readers import (
    check_codes,
    check_range,
    check_unique,
    read_excel_table,
    read_rda,
    require_columns,
    to_int,
    to_number,
)

DIST_FILE = "country/cepii_geodist_dist_cepii.zip"
DIST_MEMBER = "dist_cepii.xls"
GEO_FILE = "country/cepii_geodist_geo_cepii.xls"
TRADE_FILE = "country/gravity_yotov2016_agtpa_applications.rda"
TRADE_OBJECT = "agtpa_applications"

#: CEPII's 0/1 pair indicators, kept under their own names.
CEPII_FLAGS = ("contig", "comlang_off", "comlang_ethno", "colony", "comcol", "col45", "smctry")

_iso3 = pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"))
_flag = pa.Column("Int64", pa.Check.isin([0, 1]))

CEPII_PAIRS = pa.DataFrameSchema(
    {
        "iso3_o": _iso3,
        "iso3_d": _iso3,
        "dist_km": pa.Column(float, pa.Check.gt(0)),
        **{flag: _flag for flag in CEPII_FLAGS},
    },
    strict=True,
    unique=["iso3_o", "iso3_d"],
    name="cepii_pairs",
)

CEPII_CITIES = pa.DataFrameSchema(
    {
        "country_iso3": _iso3,
        "city_en": pa.Column(str),
        "lat": pa.Column(float, pa.Check.in_range(-90, 90), nullable=True),
        "lon": pa.Column(float, pa.Check.in_range(-180, 180), nullable=True),
        "capital": pa.Column("Int64", pa.Check.isin([0, 1]), nullable=True),
        "landlocked": pa.Column("Int64", pa.Check.isin([0, 1]), nullable=True),
        "continent": pa.Column(str),
    },
    strict=True,
    unique=["country_iso3", "city_en"],
    name="cepii_cities",
)

TRADE_FLOWS = pa.DataFrameSchema(
    {
        "exporter_iso3": _iso3,
        "importer_iso3": _iso3,
        "year": pa.Column("Int64", pa.Check.in_range(1986, 2006)),
        "trade_musd": pa.Column(float, pa.Check.ge(0), nullable=True),
    },
    strict=True,
    unique=["exporter_iso3", "importer_iso3", "year"],
    name="trade_flows",
)


def _resolve_pair_codes(
    audit: RowAudit, df: pd.DataFrame, columns: tuple[str, str], file: str
) -> pd.DataFrame:
    """Drop rows naming a non-country unit at either end, then resolve both ends to ISO3."""
    for col in columns:
        df = drop_non_countries(audit, df, col)
    for col in columns:
        df[col] = resolve_countries(df[col], file)
    return df


def parse_cepii_dist(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit("cepii_dist")
    file = f"{DIST_FILE}!{DIST_MEMBER}"
    raw = read_excel_table(paths[DIST_FILE], member=DIST_MEMBER)
    require_columns(raw, ["iso_o", "iso_d", "dist", *CEPII_FLAGS], file)
    df = audit.start(raw, "country_pairs")
    df = audit.drop(df["iso_o"] == df["iso_d"], "within-country row (internal distance)")
    df = _resolve_pair_codes(audit, df.copy(), ("iso_o", "iso_d"), file)
    out = pd.DataFrame(
        {
            "iso3_o": df["iso_o"].astype(str),
            "iso3_d": df["iso_d"].astype(str),
            "dist_km": to_number(df["dist"], file, "dist", allow_missing=False),
        }
    )
    for flag in CEPII_FLAGS:
        out[flag] = to_int(df[flag], file, flag, allow_missing=False)
        check_codes(out[flag], [0, 1], file, flag)
    check_range(out["dist_km"], 0.001, 21000, file, "dist")
    check_unique(out, ["iso3_o", "iso3_d"], file)
    audit.finish(out)
    return ParsedSource({"cepii_pairs": out.reset_index(drop=True)}, audit)


def parse_cepii_geo(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit("cepii_geo")
    raw = read_excel_table(paths[GEO_FILE])
    cols = ["iso3", "city_en", "lat", "lon", "cap", "landlocked", "continent"]
    require_columns(raw, cols, GEO_FILE)
    df = audit.start(raw, "main_cities")
    df = drop_non_countries(audit, df.copy(), "iso3")
    df = audit.drop(df["city_en"].isna(), "no city name")
    df = audit.drop(df.duplicated(["iso3", "city_en"]), "city listed twice for its country")
    df = df.replace(".", pd.NA)  # CEPII writes a missing value as "."
    out = pd.DataFrame(
        {
            "country_iso3": resolve_countries(df["iso3"], GEO_FILE).astype(str),
            "city_en": df["city_en"].astype(str).str.strip(),
            "lat": to_number(df["lat"], GEO_FILE, "lat"),
            "lon": to_number(df["lon"], GEO_FILE, "lon"),
            # cap is 1 for the capital (2 marks a second seat of government)
            "capital": to_int(df["cap"], GEO_FILE, "cap").eq(1).astype("Int64"),
            "landlocked": to_int(df["landlocked"], GEO_FILE, "landlocked"),
            "continent": df["continent"].astype(str).str.strip(),
        }
    )
    check_unique(out, ["country_iso3", "city_en"], GEO_FILE)
    audit.finish(out)
    return ParsedSource({"cepii_cities": out.reset_index(drop=True)}, audit)


def parse_yotov(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit("yotov_trade")
    raw = read_rda(paths[TRADE_FILE], TRADE_OBJECT)
    require_columns(raw, ["exporter", "importer", "year", "trade"], TRADE_FILE)
    df = audit.start(raw, "trade_flows")
    df = audit.drop(df["exporter"] == df["importer"], "domestic flow (exporter = importer)")
    df = _resolve_pair_codes(audit, df.copy(), ("exporter", "importer"), TRADE_FILE)
    out = pd.DataFrame(
        {
            "exporter_iso3": df["exporter"].astype(str),
            "importer_iso3": df["importer"].astype(str),
            "year": to_int(df["year"], TRADE_FILE, "year", allow_missing=False),
            "trade_musd": to_number(df["trade"], TRADE_FILE, "trade"),
        }
    )
    check_range(out["trade_musd"].dropna(), 0, 1e7, TRADE_FILE, "trade")
    check_unique(out, ["exporter_iso3", "importer_iso3", "year"], TRADE_FILE)
    audit.finish(out)
    return ParsedSource({"trade_flows": out.reset_index(drop=True)}, audit)


SOURCES = [
    SourceSpec(
        name="cepii_dist",
        files=(DIST_FILE,),
        parse=parse_cepii_dist,
        schemas={"cepii_pairs": CEPII_PAIRS},
        description="CEPII GeoDist country pairs: distance, contiguity, language, colonial ties.",
    ),
    SourceSpec(
        name="cepii_geo",
        files=(GEO_FILE,),
        parse=parse_cepii_geo,
        schemas={"cepii_cities": CEPII_CITIES},
        description="CEPII GeoDist country file: main cities, capital flag, landlocked.",
    ),
    SourceSpec(
        name="yotov_trade",
        files=(TRADE_FILE,),
        parse=parse_yotov,
        schemas={"trade_flows": TRADE_FLOWS},
        description="Yotov et al. (2016) manufacturing trade flows, 69 countries, 1986-2006.",
    ),
]
