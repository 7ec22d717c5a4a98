"""Gourdon's URBACT data: cities in 87 EU city-to-city networks (2007-2016).

From P. Gourdon's thesis replication data (github.com/pgourdongeo/
Chap3_LocationalAnalysis, see `networks/SOURCES.yaml`).

`urbact` - cities in 87 URBACT networks (EU thematic city-to-city projects, 2007-2016).
Tables: `mentions` (key `CodeCity`, GeoNames coordinates `lat_GN`/`lng_GN`, else the geocoded
`Y`/`X`; population = LAU2 population 2015), `memberships` (one per city: network "urbact",
general - an EU programme -, `join_year` = start of the city's first URBACT project,
`observed_year` = the latest collection year `Years.x`), `urbact_projects` (own schema, one
row per city and project: code, name, role lead_partner/partner, start and end year, theme),
`mention_geonames` (own schema: the GeoNames id the source already assigned, for the matching
stage to check against) and `city_measures` (`population_lau2`, 2015; `population_urban_zone`,
2011, the city's urban morphological zone). No acts: joining an EU-funded project is neither a
normative nor an economic city-diplomacy act in the project's taxonomy. Project co-membership
ties can be derived from `urbact_projects` and are not emitted as dyads. Caveats:
"semicolon-separated with decimal commas": ``decimal=","``, plus ``na_values=["NA"]`` for the
file's R missing values (all countries are European ISO2 codes, none Namibia);
"EU-only programme (no autocracies)": documented, a sample restriction for H1 users. Also:
`geonameId` "GN00" is a placeholder (Morne-à-l'Eau, Guadeloupe, coded FR) and is read as
missing - its fallback geocode lies in mainland France, so it will not match; one duplicated
(city, project) row (Berlin in FIN-URB-ACT as partner and lead partner) keeps the lead-partner
row; R's "<U+00A0>" artefacts are removed from project names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.sources.common.base import (
    CITY_MEASURES,
    MEMBERSHIPS,
    ParsedSource,
    SourceSpec,
    build_mentions,
)
from analysis.sources.common.base import MENTIONS as MENTIONS_SCHEMA
from analysis.sources.common.readers import (
    check_unique,
    clean_text,
    read_text_table,
    require_columns,
    to_int,
    to_number,
    to_year,
)

URBACT = "urbact"
URBACT_FILE = "networks/urbact_membership_gourdon.csv"
URBACT_COLUMNS = [
    "Code_Network",
    "Name",
    "CodeCity",
    "Country",
    "Y",
    "X",
    "City.Statut",
    "Years.x",
    "Network",
    "Start.x",
    "End.x",
    "Main.Key.Word",
    "POPLAU2_2015",
    "Pop2011",
    "geonameId",
    "lng_GN",
    "lat_GN",
]
URBACT_ROLES = {"Lead Partner": "lead_partner", "Partner": "partner"}
GEONAMES_PLACEHOLDER = "GN00"
R_UNICODE_ESCAPE = re.compile(r"<U\+[0-9A-Fa-f]{4}>")

URBACT_PROJECTS = pa.DataFrameSchema(
    {
        "mention_id": pa.Column(str),
        "project_code": pa.Column("Int64"),
        "project_name": pa.Column(str),
        "role": pa.Column(str, pa.Check.isin(tuple(URBACT_ROLES.values()))),
        "start_year": pa.Column("Int64", pa.Check.in_range(2000, 2030)),
        "end_year": pa.Column("Int64", pa.Check.in_range(2000, 2030), nullable=True),
        "theme": pa.Column(str),
    },
    strict=True,
    unique=["mention_id", "project_code"],
    name="urbact_projects",
)
MENTION_GEONAMES = pa.DataFrameSchema(
    {
        "mention_id": pa.Column(str, unique=True),
        "geonameid": pa.Column("Int64", pa.Check.gt(0)),
    },
    strict=True,
    name="mention_geonames",
)


def _clean_label(series: pd.Series) -> pd.Series:
    return clean_text(series.str.replace(R_UNICODE_ESCAPE, " ", regex=True))


def _one_per_project(df: pd.DataFrame, column: str) -> None:
    """Project-level attributes must not vary within a project."""
    varying = df.groupby("Code_Network")[column].nunique(dropna=False)
    if (varying > 1).any():
        code = varying[varying > 1].index[0]
        values = sorted(df.loc[df["Code_Network"] == code, column].dropna().unique())
        raise RawInputError(
            URBACT_FILE,
            f"project {code} has several values {values}",
            column=column,
            value=values[0] if values else None,
        )


def parse_urbact(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(URBACT)
    raw = read_text_table(paths[URBACT_FILE], decimal=",", na_values=["NA"])
    require_columns(raw, URBACT_COLUMNS, URBACT_FILE)
    roles = raw["City.Statut"].map(URBACT_ROLES)
    if roles.isna().any():
        bad = raw.loc[roles.isna(), "City.Statut"]
        raise RawInputError(
            URBACT_FILE,
            f"role not in {sorted(URBACT_ROLES)}",
            column="City.Statut",
            value=bad.iloc[0],
        )
    df = raw.assign(
        role=roles,
        project_code=to_int(raw["Code_Network"], URBACT_FILE, "Code_Network", allow_missing=False),
        project_name=_clean_label(raw["Network"]),
        start_year=to_year(raw["Start.x"], URBACT_FILE, "Start.x", allow_missing=False),
        end_year=to_year(raw["End.x"], URBACT_FILE, "End.x"),
        collected=to_year(raw["Years.x"], URBACT_FILE, "Years.x", allow_missing=False),
        key=clean_text(raw["CodeCity"]),
    )
    for column in ("project_name", "start_year", "end_year"):
        _one_per_project(df, column)
    df = audit.start(df, "participations")
    df = df.sort_values(["key", "project_code", "role"], kind="mergesort")  # lead_partner first
    df = audit.drop(
        df.duplicated(["key", "project_code"]),
        "duplicate city in the same project (lead-partner row kept)",
        frame=df,
    )
    audit.finish(df)

    geonameid = df["geonameId"].where(df["geonameId"] != GEONAMES_PLACEHOLDER)
    df = df.assign(
        geonameid=to_int(geonameid, URBACT_FILE, "geonameId"),
        lon=to_number(df["lng_GN"], URBACT_FILE, "lng_GN", decimal=",").fillna(
            to_number(df["X"], URBACT_FILE, "X", decimal=",")
        ),
        lat=to_number(df["lat_GN"], URBACT_FILE, "lat_GN", decimal=",").fillna(
            to_number(df["Y"], URBACT_FILE, "Y", decimal=",")
        ),
        pop_lau2=to_number(df["POPLAU2_2015"], URBACT_FILE, "POPLAU2_2015"),
        pop_umz=to_number(df["Pop2011"], URBACT_FILE, "Pop2011"),
    )
    mentions = build_mentions(
        df,
        source=URBACT,
        file=URBACT_FILE,
        key="key",
        name="Name",
        iso3="Country",
        lat="lat",
        lon="lon",
        population="pop_lau2",
    )
    df = df.assign(mention_id=URBACT + ":" + df["key"])
    per_city = df.groupby("mention_id", sort=True).agg(
        join_year=("start_year", "min"), observed_year=("collected", "max")
    )
    memberships = pd.DataFrame(
        {
            "mention_id": per_city.index,
            "network": URBACT,
            "network_type": "general",
            "join_year": pd.array(per_city["join_year"], dtype="Int64"),
            "observed_year": pd.array(per_city["observed_year"], dtype="Int64"),
            "source_label": "URBACT",
        }
    )
    projects = df[
        ["mention_id", "project_code", "project_name", "role", "start_year", "end_year"]
    ].assign(theme=_clean_label(df["Main.Key.Word"]))
    geonames = (
        df.loc[df["geonameid"].notna(), ["mention_id", "geonameid"]]
        .drop_duplicates()
        .reset_index(drop=True)
    )
    check_unique(geonames, ["mention_id"], URBACT_FILE)
    measures = pd.concat(
        [
            pd.DataFrame(
                {"mention_id": df["mention_id"], "measure": name, "year": year, "value": values}
            )
            for name, year, values in (
                ("population_lau2", 2015, df["pop_lau2"]),
                ("population_urban_zone", 2011, df["pop_umz"]),
            )
        ],
        ignore_index=True,
    )
    measures = measures.dropna(subset=["value"]).drop_duplicates()
    check_unique(measures, ["mention_id", "measure"], URBACT_FILE)  # one value per city
    measures = measures.astype({"year": "Int64"}).reset_index(drop=True)
    return ParsedSource(
        tables={
            "mentions": mentions,
            "memberships": memberships,
            "urbact_projects": projects.reset_index(drop=True),
            "mention_geonames": geonames,
            "city_measures": measures,
        },
        audit=audit,
    )


SOURCES = [
    SourceSpec(
        name=URBACT,
        files=(URBACT_FILE,),
        parse=parse_urbact,
        schemas={
            "mentions": MENTIONS_SCHEMA,
            "memberships": MEMBERSHIPS,
            "urbact_projects": URBACT_PROJECTS,
            "mention_geonames": MENTION_GEONAMES,
            "city_measures": CITY_MEASURES,
        },
        description="URBACT city participation in EU city-to-city networks 2007-2016 (Gourdon).",
    ),
]
