"""Net Zero Tracker snapshot (cities, regions, countries) and US state GHG targets (C2ES).

Climate commitments of sub-national actors, for H3 (post-Paris recommitment) and as context
for H4: the 2022 net-zero status of cities and regions, national targets for comparison, and
the statutory / executive GHG targets of US states.

Spec ``net_zero_tracker`` (``us/net_zero_tracker_snapshot_2022-12-20.xlsx``)
----------------------------------------------------------------------------
``mentions``
    One per city or region actor, worldwide: ``mention_id`` ``net_zero_tracker:<id_code>``
    (the tracker's id, e.g. ``CIT-0006``), ``raw_name`` the actor name as given ("Austin,
    TX", "Columbus, Ohio", "Los Angeles-Long Beach-Santa Ana": some cities are urban
    agglomerations, left to the matching stage), ``country_iso3`` from the ISO3 ``country``
    column, ``entity_type`` ``city`` for cities, ``state`` for US regions (US states) and
    ``region`` for other regions, ``population`` as given (missing for most US cities).
``net_zero_targets``
    One per mention: ``actor_id``, ``end_target`` (type: "Net zero", "Carbon
    neutral(ity)", "Emissions reduction target", ..., "No target"), ``has_end_target``
    (an end target other than "No target"), ``end_target_year``, ``end_target_status``
    ("In law", "In policy document", "Declaration / pledge", "Proposed / in discussion",
    "Achieved (...)"), ``status_year`` (the tracker's ``status_date``, a year),
    ``interim_target``, ``interim_target_year``, ``interim_target_percent`` (reduction, %),
    ``race_to_zero_member`` and ``observed_year`` 2022 (the snapshot).
``net_zero_country_targets``
    The same target columns for country actors, keyed by ``country_iso3`` (one per country).

Caveats (SOURCES.yaml) and how they are handled: a snapshot, not a panel (2022 status, not
2017 timing): every row carries ``observed_year`` 2022 and ``status_year`` is the only date;
global file: kept global (all cities and regions; the US subset is ``country_iso3 ==
"USA"``), companies dropped ("company (not a place)"), countries separated into their own
table, the "European Union" country row dropped with the resolver's reason ("not a country:
aggregate"); Excel only: read with calamine.

Spec ``us_state_ghg_targets`` (``us/us_states_ghg_targets_c2es_openclimate.csv``)
-------------------------------------------------------------------------------
Table ``us_state_ghg_targets``: one row per state target: ``state``, ``state_fips``,
``target_type``, ``target_percent`` (reduction below the baseline, %; 0 means "back to the
baseline level", e.g. California's AB 32 target for 2020), ``target_percent_max`` (upper end
of a stated range such as "26-28", else equal to ``target_percent``), ``baseline_year``,
``target_year``, ``url`` and ``url_year``. Caveats: no adoption date: ``url_year`` is the one
year 1990-2023 written in the instrument's URL, other than the target and baseline years
("2019a_1261_signed.pdf" -> 2019; session or publication year, a proxy for adoption that
can be a year off; missing where the URL has none or several); the US Climate Alliance list
of the folder README was not copied (no join dates): not available here. Puerto Rico is
dropped ("US territory (outside the 50 states + DC)"). Units other than "percent" raise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.resolve.countries import drop_non_countries, resolve_countries
from analysis.sources.common.base import MENTIONS, ParsedSource, SourceSpec, build_mentions
from analysis.sources.common.readers import (
    check_unique,
    read_excel_table,
    read_text_table,
    require_columns,
    to_number,
    to_year,
)
from analysis.sources.common.us_geo import (
    STATE,
    STATE_FIPS,
    TERRITORY_REASON,
    is_territory,
    state_codes,
    state_fips,
)

NZT = "net_zero_tracker"
C2ES = "us_state_ghg_targets"
FILE_NZT = "us/net_zero_tracker_snapshot_2022-12-20.xlsx"
FILE_C2ES = "us/us_states_ghg_targets_c2es_openclimate.csv"
SNAPSHOT_YEAR = 2022

_TARGET_COLUMNS = {
    "end_target": pa.Column(str, nullable=True),
    "has_end_target": pa.Column(bool),
    "end_target_year": pa.Column("Int64", pa.Check.in_range(1990, 2100), nullable=True),
    "end_target_status": pa.Column(str, nullable=True),
    "status_year": pa.Column("Int64", pa.Check.in_range(1990, 2030), nullable=True),
    "interim_target": pa.Column(str, nullable=True),
    "interim_target_year": pa.Column("Int64", pa.Check.in_range(1990, 2100), nullable=True),
    "interim_target_percent": pa.Column(float, pa.Check.in_range(0, 100), nullable=True),
    "race_to_zero_member": pa.Column(bool),
    "observed_year": pa.Column("Int64", pa.Check.eq(SNAPSHOT_YEAR)),
}
NET_ZERO_TARGETS = pa.DataFrameSchema(
    {
        "mention_id": pa.Column(str, unique=True),
        "actor_id": pa.Column(str, pa.Check.str_matches(r"^(CIT|REG)-\d+$"), unique=True),
        **_TARGET_COLUMNS,
    },
    strict=True,
    name="net_zero_targets",
)
NET_ZERO_COUNTRY_TARGETS = pa.DataFrameSchema(
    {
        "country_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"), unique=True),
        "actor_id": pa.Column(str, pa.Check.str_matches(r"^COU-\d+$"), unique=True),
        **_TARGET_COLUMNS,
    },
    strict=True,
    name="net_zero_country_targets",
)
US_STATE_GHG_TARGETS = pa.DataFrameSchema(
    {
        "state": STATE,
        "state_fips": STATE_FIPS,
        "target_type": pa.Column(str),
        "target_percent": pa.Column(float, pa.Check.in_range(0, 100)),
        "target_percent_max": pa.Column(float, pa.Check.in_range(0, 100)),
        "baseline_year": pa.Column("Int64", pa.Check.in_range(1900, 2030)),
        "target_year": pa.Column("Int64", pa.Check.in_range(2000, 2100)),
        "url": pa.Column(str, nullable=True),
        "url_year": pa.Column("Int64", pa.Check.in_range(1990, 2023), nullable=True),
    },
    strict=True,
    unique=["state", "baseline_year", "target_year"],
    checks=[
        pa.Check(lambda d: d["target_percent_max"] >= d["target_percent"], name="max >= percent")
    ],
    name="us_state_ghg_targets",
)

_NZT_COLUMNS = [
    "id_code",
    "name",
    "country",
    "actor_type",
    "race_to_zero_member",
    "end_target",
    "end_target_year",
    "end_target_status",
    "status_date",
    "interim_target",
    "interim_target_year",
    "interim_target_percentage_reduction",
    "population",
]
ACTOR_TYPES = ("Company", "City", "Region", "Country")


def _yes_no(values: pd.Series, file: str, column: str) -> pd.Series:
    text = values.astype("str").str.strip()
    bad = ~text.isin(["Yes", "No"])
    if bad.any():
        raise RawInputError(file, "expected Yes/No", column, values[bad].iloc[0])
    return text.eq("Yes").astype(bool)


def _targets(df: pd.DataFrame) -> pd.DataFrame:
    """The target columns shared by the actor and country tables."""
    text = {
        c: df[c].astype("str").str.strip()
        for c in ("end_target", "end_target_status", "interim_target")
    }
    return pd.DataFrame(
        {
            "end_target": text["end_target"],
            "has_end_target": (text["end_target"].notna() & text["end_target"].ne("No target"))
            .fillna(False)
            .astype(bool),
            "end_target_year": to_year(df["end_target_year"], FILE_NZT, "end_target_year"),
            "end_target_status": text["end_target_status"],
            "status_year": to_year(df["status_date"], FILE_NZT, "status_date"),
            "interim_target": text["interim_target"],
            "interim_target_year": to_year(
                df["interim_target_year"], FILE_NZT, "interim_target_year"
            ),
            "interim_target_percent": to_number(
                df["interim_target_percentage_reduction"],
                FILE_NZT,
                "interim_target_percentage_reduction",
            ),
            "race_to_zero_member": _yes_no(
                df["race_to_zero_member"], FILE_NZT, "race_to_zero_member"
            ),
            "observed_year": pd.Series(SNAPSHOT_YEAR, index=df.index, dtype="Int64"),
        },
        index=df.index,
    )


def parse_net_zero(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(NZT)
    raw = read_excel_table(paths[FILE_NZT])
    require_columns(raw, _NZT_COLUMNS, FILE_NZT)
    check_unique(raw, ["id_code"], FILE_NZT)
    kind = raw["actor_type"].astype("str").str.strip()
    if not kind.isin(ACTOR_TYPES).all():
        raise RawInputError(
            FILE_NZT,
            f"actor_type not in {list(ACTOR_TYPES)}",
            "actor_type",
            raw.loc[~kind.isin(ACTOR_TYPES), "actor_type"].iloc[0],
        )
    df = audit.start(raw.assign(kind=kind, id_code=raw["id_code"].str.strip()), "actors")
    df = audit.drop(df["kind"].eq("Company"), "company (not a place)")
    country_names = df["name"].where(df["kind"].eq("Country"))
    df = drop_non_countries(audit, df, country_names, reason="not a country: {kind}")
    audit.finish(df)

    countries = df[df["kind"].eq("Country")]
    country_table = pd.concat(
        [
            pd.DataFrame(
                {
                    "country_iso3": resolve_countries(countries["country"], source=FILE_NZT)
                    .astype("str")
                    .to_numpy(),
                    "actor_id": countries["id_code"].to_numpy(),
                },
                index=countries.index,
            ),
            _targets(countries),
        ],
        axis=1,
    )
    check_unique(country_table, ["country_iso3"], FILE_NZT)

    places = df[df["kind"].isin(["City", "Region"])]
    entity = pd.Series("city", index=places.index)
    entity[places["kind"].eq("Region")] = "region"
    entity[places["kind"].eq("Region") & places["country"].eq("USA")] = "state"
    places = places.assign(name=places["name"].astype("str").str.strip())
    mentions = build_mentions(
        places,
        source=NZT,
        file=FILE_NZT,
        key="id_code",
        name="name",
        iso3="country",
        entity_type=entity.to_numpy(),
        population="population",
    )
    targets = pd.concat(
        [
            pd.DataFrame(
                {"mention_id": NZT + ":" + places["id_code"], "actor_id": places["id_code"]},
                index=places.index,
            ),
            _targets(places),
        ],
        axis=1,
    )
    return ParsedSource(
        tables={
            "mentions": mentions,
            "net_zero_targets": targets.reset_index(drop=True),
            "net_zero_country_targets": country_table.reset_index(drop=True),
        },
        audit=audit,
    )


# --------------------------------------------------------------------------- C2ES


def _url_year(urls: pd.Series, excluded: pd.DataFrame) -> pd.Series:
    """The single year 1990-2023 in each URL that is not one of the row's excluded years."""
    out = []
    for url, row in zip(urls, excluded.itertuples(index=False), strict=True):
        if not isinstance(url, str):
            out.append(None)
            continue
        found = {int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", url)}
        found = {y for y in found if 1990 <= y <= 2023} - {int(v) for v in row if pd.notna(v)}
        out.append(found.pop() if len(found) == 1 else None)
    return pd.Series(out, index=urls.index, dtype="Int64")


def parse_state_targets(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(C2ES)
    raw = read_text_table(paths[FILE_C2ES])
    require_columns(
        raw,
        [
            "state",
            "actor_id",
            "target_type",
            "target_value",
            "target_unit",
            "baseline_year",
            "target_year",
            "actual_range",
            "URL",
        ],
        FILE_C2ES,
    )
    state = state_codes(raw["state"], FILE_C2ES, "state")
    from_id = state_codes(raw["actor_id"].str.removeprefix("US-"), FILE_C2ES, "actor_id")
    if (state != from_id).any():
        raise RawInputError(
            FILE_C2ES,
            "state and actor_id disagree",
            "actor_id",
            raw.loc[state != from_id, "actor_id"].iloc[0],
        )
    df = audit.start(raw.assign(code=state), "targets")
    df = audit.drop(is_territory(df["code"]), TERRITORY_REASON)
    audit.finish(df)
    unit = df["target_unit"].str.strip()
    if not unit.eq("percent").all():
        raise RawInputError(
            FILE_C2ES, "expected 'percent'", "target_unit", unit[~unit.eq("percent")].iloc[0]
        )
    percent = to_number(df["target_value"], FILE_C2ES, "target_value", allow_missing=False)
    span = df["actual_range"].str.extract(r"^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$")
    bad = df["actual_range"].notna() & span[1].isna()
    if bad.any():
        raise RawInputError(
            FILE_C2ES, "expected 'low-high'", "actual_range", df.loc[bad, "actual_range"].iloc[0]
        )
    high = to_number(span[1], FILE_C2ES, "actual_range").fillna(percent)
    baseline = to_year(df["baseline_year"], FILE_C2ES, "baseline_year", allow_missing=False)
    target = to_year(df["target_year"], FILE_C2ES, "target_year", allow_missing=False)
    url = df["URL"].astype("str").str.strip()
    out = pd.DataFrame(
        {
            "state": df["code"],
            "state_fips": state_fips(df["code"]),
            "target_type": df["target_type"].str.strip(),
            "target_percent": percent,
            "target_percent_max": high,
            "baseline_year": baseline,
            "target_year": target,
            "url": url,
            "url_year": _url_year(url, pd.DataFrame({"b": baseline, "t": target})),
        }
    ).reset_index(drop=True)
    check_unique(out, ["state", "baseline_year", "target_year"], FILE_C2ES)
    return ParsedSource(tables={"us_state_ghg_targets": out}, audit=audit)


SOURCES = [
    SourceSpec(
        name=NZT,
        files=(FILE_NZT,),
        parse=parse_net_zero,
        schemas={
            "mentions": MENTIONS,
            "net_zero_targets": NET_ZERO_TARGETS,
            "net_zero_country_targets": NET_ZERO_COUNTRY_TARGETS,
        },
        description="Net Zero Tracker 2022-12-20: targets of cities, regions and countries.",
    ),
    SourceSpec(
        name=C2ES,
        files=(FILE_C2ES,),
        parse=parse_state_targets,
        schemas={"us_state_ghg_targets": US_STATE_GHG_TARGETS},
        description="C2ES statutory / executive GHG targets of US states (Nov 2022).",
    ),
]
