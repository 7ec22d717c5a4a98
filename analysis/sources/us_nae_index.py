"""NAE Cities Index of the 100 largest US cities: policy and outcome scores (H4).

Spec ``us_nae_index``: reads ``us/nae_cities_index_100_largest_cities.csv``, writes tables
``mentions`` and ``city_measures``.

The NAE Cities Index of the 100 largest cities. Mentions: ``mention_id``
``us_nae_index:<City>|<ST>``, ``raw_name`` "City, ST" with the Census designation
removed ("Boise City city, ID" -> "Boise City, ID", "Indianapolis city (balance)" ->
"Indianapolis", "Honolulu CDP" -> "Honolulu", "Washington city, DC" -> "Washington"),
population ``pop_tot``. City measures, all under ``year`` 2019: every numeric column,
named ``nae_`` + the column name in snake case: the index scores (1-5)
``nae_overall_score``, ``nae_overall_ranking`` (1 = best), ``nae_policy_score`` and its
parts ``nae_gov_leadership``, ``nae_econ_empower``, ``nae_inclusivity``,
``nae_community``, ``nae_legal_support`` (legal services and policing / ICE-cooperation
policies: the H4 "immigrant legal support" outcome), ``nae_emergency_management``;
the socio-economic score ``nae_se_score`` and parts ``nae_job_opps``,
``nae_econ_prosperity``, ``nae_livability``, ``nae_civic_particip``; ``nae_pop_tot``,
``nae_pop_fb`` (persons), ``nae_pop_fb_share``, ``nae_natrate`` (shares 0-1) and the ACS
outcome rates ``nae_<ls|hs><nb|fb>...`` (ls/hs = less/high skilled, nb/fb = native /
foreign born; shares 0-1; ``...mediantotinc`` and ``...medianbusinessincome`` in
dollars). Caveats: column names with spaces are stripped; the edition year is not
stated (built on ACS 2019; probably the 2021 edition): every measure is stored under
2019, the data year, and is a cross-section that cannot date policy adoption; it is
not a sanctuary classification.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
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
    clean_text,
    read_text_table,
    require_columns,
    to_number,
)
from analysis.sources.common.us_geo import city_label, state_codes

FILE_NAE = "us/nae_cities_index_100_largest_cities.csv"
NAE_YEAR = 2019


_CENSUS_DESIGNATION = re.compile(
    r"\s+(city|town|village|borough|municipality|CDP|urban county|metropolitan government)"
    r"(\s+\(balance\))?$"
)


def _place_name(label: pd.Series) -> pd.Series:
    """Census place label without its designation ("Boise City city" -> "Boise City")."""
    return label.str.replace(_CENSUS_DESIGNATION, "", regex=True).str.strip()


def _snake(column: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", column.strip().lower()).strip("_")


def parse_nae(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit("us_nae_index")
    raw = read_text_table(paths[FILE_NAE])  # strips the padded column names
    require_columns(
        raw, ["city", "pop_tot", "overall_score", "policy_score", "legal_support"], FILE_NAE
    )
    df = audit.start(raw, "cities")
    audit.finish(df)
    parts = clean_text(df["city"]).str.extract(r"^(?P<place>.+),\s*(?P<st>[A-Z]{2})$")
    if parts["place"].isna().any():
        raise RawInputError(
            FILE_NAE, "expected 'Place, ST'", "city", df.loc[parts["place"].isna(), "city"].iloc[0]
        )
    state = state_codes(parts["st"], FILE_NAE, "city")
    name = _place_name(parts["place"])
    df = df.assign(
        key=name + "|" + state,
        raw_name=city_label(name, state),
        country="USA",
        population=df["pop_tot"],
    )
    check_unique(df, ["key"], FILE_NAE)
    mentions = build_mentions(
        df,
        source="us_nae_index",
        file=FILE_NAE,
        key="key",
        name="raw_name",
        iso3="country",
        population="population",
    )
    numeric = [
        c for c in df.columns if c not in {"city", "key", "raw_name", "country", "population"}
    ]
    measures = city_measures_for_year(
        "us_nae_index:" + df["key"],
        {"nae_" + _snake(c): to_number(df[c], FILE_NAE, c) for c in numeric},
        NAE_YEAR,
    ).dropna(subset=["value"])
    return ParsedSource(tables={"mentions": mentions, "city_measures": measures}, audit=audit)


SOURCES = [
    SourceSpec(
        name="us_nae_index",
        files=(FILE_NAE,),
        parse=parse_nae,
        schemas={"mentions": MENTIONS, "city_measures": CITY_MEASURES},
        description="NAE Cities Index (100 largest US cities): policy and outcome scores.",
    ),
]
