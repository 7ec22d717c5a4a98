"""GCoM-MyCovenant signatories (JRC, 5th release, January 2024): dated Covenant adhesions.

File ``networks/gcom_mycovenant_df1_signatories_2024.xlsx``, sheet ``1`` (the ``README`` and
``df1_METADATA`` sheets are documentation): one row per signatory organisation reporting on the
MyCovenant platform (the European Covenant of Mayors and its neighbourhood chapters of the
Global Covenant of Mayors), with its date of adhesion. The dated adhesions feed H1 (defiance:
climate commitments while the nation had not ratified Paris) and the H3 hazard model.

Tables
------
``mentions``
    One per signatory: ``mention_id`` = ``gcom_mycovenant:<organisation_id>`` (MyCovenant id,
    stable across releases; ids of the Southern Neighbourhood carry a ``_med`` suffix).
    ``raw_name`` = ``organisation_name``, country from ``country_code`` (ISO2, lower case),
    ``raw_country`` = ``country_code``, ``population`` = ``population_adhesion`` (population
    at adhesion), ``lat``/``lon`` from ``organisation_latitude``/``organisation_longitude``.
    ``entity_type`` is ``group`` for group signatories, else ``city``: a signatory is a group
    when MyCovenant flags it as a group profile (``group_profile``, 294 rows: joint action
    plans such as "Alkmaar, Bergen, Castricum, ..." or "Unione dei Comuni ...") or when its
    name lists three or more places separated by commas or semicolons (one more row on the
    real data, "Gerence, Marcal, Rába és Somló Környéke ..."). Two-part names ("Tournai, BE",
    "Zolochiv, Lviv region", "Saus, Camallera i Llampaies") are single municipalities.
    Municipalities that signed within a group (``group_organisation_id`` set) are their own
    rows and stay ``city``.
``memberships``
    One per signatory: ``network`` ``gcom`` (climate; the same key as ClimActor's GCoM/EU
    Covenant labels), ``join_year`` = year of adhesion, ``observed_year`` 2024 (the release),
    ``source_label`` = ``signatory_status`` (``published`` or ``on_hold``).
``acts``
    One per signatory: ``act`` ``gcom_adhesion`` (normative), ``date`` = ``date_of_adhesion``,
    ``year`` its year.

Caveats (SOURCES.yaml, data/raw/README.md) and how they are handled
-------------------------------------------------------------------
- Only signatories on the MyCovenant platform (Europe and the EU neighbourhood), not the
  ~13,000 GCoM signatories worldwide: documented; ClimActor's ``gcom`` labels cover the rest.
- Some rows are groups of municipalities: ``entity_type`` group (rule above); their
  coordinates are dropped (a group has no point; many carry a country centroid, e.g. Italy's
  42.638426, 12.674297), so the matching stage does not place them on a city.
- Dates: stored as real dates in this file, Excel serials in other releases: both accepted
  (``to_date(excel_serial=True)``); anything else raises. A missing date raises too.
- ``"-"`` marks missing values (population, coordinates, ids, names); ``"null"`` also marks
  missing coordinates. Coordinates are numbers or text with a decimal comma ("45,539723").
- Coordinates given to whole degrees (both values integers, e.g. "45", "9": 165 non-group
  rows) are placeholders, not points: dropped (row kept); 13 rows have none. Some pairs are swapped (Brescia
  "10,219287"/"45,539723"); they cannot be told apart from valid points in general and are
  left to the matching stage, which checks the distance to the matched city. Pairs outside
  [-90, 90] x [-180, 180] become missing.
- ``signatory_status`` ``on_hold`` (2,253 rows: suspended for not reporting) is kept: the
  adhesion happened; the status is in ``source_label``.
- ``adhesion_type`` and the commitment flags (CoM 2020/2030/2050, Mayors Adapt) are not used
  (one row has ``adhesion_type`` 1, a data-entry error); ``gcom_id`` is not a key (20 rows
  share ids or have none).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.resolve.countries import drop_non_countries
from analysis.sources.common.base import (
    ACTS,
    MEMBERSHIPS,
    MENTIONS,
    ParsedSource,
    SourceSpec,
    build_mentions,
)
from analysis.sources.common.readers import (
    check_unique,
    read_excel_table,
    require_columns,
    to_date,
    to_number,
)

NAME = "gcom_mycovenant"
FILE = "networks/gcom_mycovenant_df1_signatories_2024.xlsx"
SHEET = "1"
OBSERVED_YEAR = 2024
NETWORK = "gcom"
ACT = "gcom_adhesion"
COLUMNS = [
    "organisation_id",
    "organisation_name",
    "country_code",
    "population_adhesion",
    "organisation_latitude",
    "organisation_longitude",
    "group_profile",
    "signatory_status",
    "date_of_adhesion",
]
MISSING = ("-", "null")
GROUP_MIN_PARTS = 3
_SEPARATORS = re.compile(r"[,;]")


def _missing_to_na(series: pd.Series) -> pd.Series:
    """``"-"`` and ``"null"`` (any case, blanks around) become missing."""
    text = series.map(lambda v: v.strip().casefold() if isinstance(v, str) else None)
    return series.mask(text.isin(MISSING))


def to_flag(series: pd.Series, file: str, column: str) -> pd.Series:
    """Boolean cells (or TRUE/FALSE, 1/0 text) to bool; anything else, or missing, raises."""
    words = {"true": True, "false": False, "1": True, "0": False}

    def one(value: object) -> bool | None:
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            return words.get(value.strip().casefold())
        return None

    parsed = series.map(one)
    bad = parsed.isna()
    if bad.any():
        raise RawInputError(
            file,
            f"{int(bad.sum())} value(s) are not TRUE/FALSE",
            column=column,
            value=series[bad].iloc[0],
        )
    return parsed.astype(bool)


def is_group_name(name: str) -> bool:
    """True if ``name`` lists three or more places separated by commas or semicolons."""
    parts = [part for part in _SEPARATORS.split(name) if part.strip()]
    return len(parts) >= GROUP_MIN_PARTS


def _coordinates(df: pd.DataFrame, file: str) -> dict[str, pd.Series]:
    """Numeric lat/lon (decimal comma in text cells); placeholders and bad pairs -> missing."""
    lat = to_number(
        _missing_to_na(df["organisation_latitude"]), file, "organisation_latitude", decimal=","
    )
    lon = to_number(
        _missing_to_na(df["organisation_longitude"]), file, "organisation_longitude", decimal=","
    )
    whole_degrees = (lat % 1 == 0) & (lon % 1 == 0)
    out_of_range = (lat.notna() & ~lat.between(-90, 90)) | (lon.notna() & ~lon.between(-180, 180))
    bad = whole_degrees | out_of_range | (df["entity"] == "group")
    return {"lat_num": lat.mask(bad), "lon_num": lon.mask(bad)}


def parse(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(NAME)
    raw = read_excel_table(paths[FILE], sheet=SHEET)
    require_columns(raw, COLUMNS, FILE)
    df = audit.start(raw, "signatories")
    df = df.assign(
        organisation_id=_missing_to_na(df["organisation_id"]),
        organisation_name=_missing_to_na(df["organisation_name"]),
    )
    df = audit.drop(df["organisation_id"].isna(), "no organisation id", frame=df)
    df = audit.drop(df["organisation_name"].isna(), "no organisation name")
    df = drop_non_countries(
        audit, df, "country_code", reason="country code is not a country ({kind})"
    )
    audit.finish(df)

    df = df.assign(
        key=df["organisation_id"].map(lambda v: str(v).strip()),
        name=df["organisation_name"].map(lambda v: str(v).strip()),
    )
    check_unique(df, ["key"], FILE)
    group = to_flag(df["group_profile"], FILE, "group_profile") | df["name"].map(
        is_group_name
    ).astype(bool)
    df = df.assign(
        entity=group.map({True: "group", False: "city"}),
        population=_missing_to_na(df["population_adhesion"]),
        date=to_date(
            df["date_of_adhesion"], FILE, "date_of_adhesion", excel_serial=True, allow_missing=False
        ),
    )
    df = df.assign(**_coordinates(df, FILE))
    mentions = build_mentions(
        df,
        source=NAME,
        file=FILE,
        key="key",
        name="name",
        iso3="country_code",
        entity_type=df["entity"],
        lat="lat_num",
        lon="lon_num",
        population="population",
    )
    mention_id = NAME + ":" + df["key"]
    year = df["date"].dt.year.astype("Int64")
    status = df["signatory_status"].map(lambda v: v.strip() if isinstance(v, str) else None)
    memberships = pd.DataFrame(
        {
            "mention_id": mention_id,
            "network": NETWORK,
            "network_type": "climate",
            "join_year": year,
            "observed_year": pd.Series(OBSERVED_YEAR, index=df.index, dtype="Int64"),
            "source_label": status,
        }
    ).reset_index(drop=True)
    acts = pd.DataFrame(
        {
            "mention_id": mention_id,
            "act": ACT,
            "act_class": "normative",
            "date": df["date"].astype("datetime64[ns]"),
            "year": year,
        }
    ).reset_index(drop=True)
    return ParsedSource(
        tables={"mentions": mentions, "memberships": memberships, "acts": acts}, audit=audit
    )


SOURCES = [
    SourceSpec(
        name=NAME,
        files=(FILE,),
        parse=parse,
        schemas={"mentions": MENTIONS, "memberships": MEMBERSHIPS, "acts": ACTS},
        description="GCoM-MyCovenant signatories (JRC 2024) with adhesion dates.",
    )
]
