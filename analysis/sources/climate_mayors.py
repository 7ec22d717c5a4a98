"""Climate Mayors compendium: US cities that stepped in after the 2017 Paris withdrawal (H3, H4).

Files: ``networks/climate_mayors_compendium_targets_ddl.csv`` (parsed) and
``us/climate_mayors_compendium_targets_openclimate.csv`` (a second copy of the same OpenClimate
blob, ``ClimateMayors2022_Mar_clean_NCI.csv``). The copy is checked: byte-identical files pass
(they are identical on the real data: same sha256); otherwise both are parsed and any
difference raises. One row per city x stated target, parsed by the Data-Driven EnviroLab from
the Climate Mayors "Cities Climate Action Compendium" dated 2018-01-05.

Tables
------
``mentions``
    One per city: ``mention_id`` = ``climate_mayors:<name>`` (``"City, ST"``), ``raw_name`` as
    written (with its state suffix, which the matching stage uses), ``raw_country`` =
    ``iso``, ``entity_type`` city (from ``entity_type``; anything but City raises). No
    coordinates or population.
``memberships``
    One per city: ``network`` ``climate_mayors`` (climate), ``observed_year`` 2018 (the
    compendium's date; the file's ``data_source`` tag ``ClimateMayors2022`` is the year it was
    parsed, kept as ``source_label``), ``join_year`` missing (no signing dates).
``city_measures``
    Target percentages, ``year`` = the target year, one measure per target kind:
    ``ghg_community_target_pct`` and ``ghg_local_government_target_pct`` (GHG reduction,
    community-wide / municipal operations), ``renewable_energy_target_pct``,
    ``energy_savings_target_pct``, ``waste_reduction_target_pct`` (``value`` =
    ``percent_reduction``). Baseline years are not kept.

Caveats (SOURCES.yaml) and how they are handled
-----------------------------------------------
- Not the full Climate Mayors list (~470 signatories), only the 58 cities of the compendium:
  documented; ClimActor's ``climate_mayors`` flags are the full-list source.
- No signing dates, no FIPS: ``join_year`` missing; cities are matched by name and state later.
- Target types blank or inconsistently cased ("renewable Energy"): matched case-insensitively;
  rows without a type are dropped from the measures ("no target type"); an unknown type raises.
- Not in SOURCES.yaml, handled here: names are mojibake in places ("San JosÃ©, CA", UTF-8 read
  as cp1252 and saved again): repaired when the text round-trips ("San José, CA"). The state
  column has a typo ("NC2" for "Durham, NC"): the state is taken from the name's ``, ST``
  suffix, and a state column that disagrees with it (after dropping non-letters) raises.
- Several rows can give the same kind and target year (Orlando: two municipal 100% targets
  for 2030; Sacramento: 15% community-wide and 22% municipal, both typed community): the
  highest percentage is kept ("several targets of one kind and year: highest kept"). Targets
  without a percentage or a target year are dropped from the measures with their reason
  (their text, e.g. "Achieve 100% clean, renewable energy", is not parsed).
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
    MEMBERSHIPS,
    MENTIONS,
    ParsedSource,
    SourceSpec,
    build_mentions,
)
from analysis.sources.common.readers import read_text_table, require_columns, to_number, to_year

NAME = "climate_mayors"
FILE = "networks/climate_mayors_compendium_targets_ddl.csv"
COPY = "us/climate_mayors_compendium_targets_openclimate.csv"
COMPENDIUM_YEAR = 2018  # "Cities Climate Action Compendium", 2018-01-05
NETWORK = "climate_mayors"
COLUMNS = [
    "name",
    "entity_type",
    "iso",
    "state",
    "ghg_reduction_target_type",
    "percent_reduction",
    "target_year",
    "data_source",
]
#: Target type (casefolded) -> measure.
TARGET_MEASURES = {
    "ghg emission reduction target:community": "ghg_community_target_pct",
    "ghg emission reduction target:local government": "ghg_local_government_target_pct",
    "renewable energy": "renewable_energy_target_pct",
    "energy savings": "energy_savings_target_pct",
    "waste reduction": "waste_reduction_target_pct",
}
_STATE_SUFFIX = re.compile(r",\s*([A-Z]{2})$")


def _cp1252_byte(char: str) -> int:
    """The byte ``char`` came from when UTF-8 bytes were decoded as cp1252 (latin-1 for gaps)."""
    try:
        encoded = char.encode("cp1252")
    except UnicodeEncodeError:
        if ord(char) < 256:
            return ord(char)
        raise
    return encoded[0]


def fix_mojibake(text: str) -> str:
    """Undo UTF-8-read-as-cp1252 damage ("San JosÃ©" -> "San José"); other text unchanged."""
    if not re.search("[\u00c2-\u00c3\u00e2]", text):
        return text
    try:
        return bytes(_cp1252_byte(char) for char in text).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError, ValueError):
        return text


def _read(path: Path, file: str) -> pd.DataFrame:
    raw = read_text_table(path, na_values=["NA"])
    require_columns(raw, COLUMNS, file)
    return raw


def _check_copy(paths: Mapping[str, Path], raw: pd.DataFrame) -> None:
    """The OpenClimate copy must equal the parsed file (bytes, else parsed values)."""
    if paths[FILE].read_bytes() == paths[COPY].read_bytes():
        return
    copy = _read(paths[COPY], COPY)
    if list(copy.columns) != list(raw.columns) or len(copy) != len(raw):
        raise RawInputError(
            COPY,
            f"differs from {FILE}: {len(copy)} rows x {list(copy.columns)} vs "
            f"{len(raw)} rows x {list(raw.columns)}",
        )
    differ = ~(copy.eq(raw) | (copy.isna() & raw.isna()))
    if differ.any().any():
        column = differ.any().idxmax()
        row = differ[column].idxmax()
        raise RawInputError(
            COPY,
            f"differs from {FILE} in row {row}: {raw.at[row, column]!r} there",
            column=str(column),
            value=copy.at[row, column],
        )


def _states(df: pd.DataFrame, file: str) -> pd.Series:
    """The state from the name's ", ST" suffix, else the state column; disagreement raises."""
    suffix = df["name"].str.extract(_STATE_SUFFIX, expand=False)
    column = df["state"].str.replace(r"[^A-Za-z]", "", regex=True).str.upper()
    bad = suffix.notna() & column.notna() & (suffix != column)
    if bad.any():
        raise RawInputError(
            file,
            f"state disagrees with the name's suffix for {df.loc[bad, 'name'].iloc[0]!r}",
            column="state",
            value=df.loc[bad, "state"].iloc[0],
        )
    return suffix.fillna(column)


def _measures(df: pd.DataFrame, audit: RowAudit, file: str) -> pd.DataFrame:
    """Target percentages per (city, kind, target year)."""
    targets = audit.start(df, "targets")
    kind = targets["ghg_reduction_target_type"].str.strip().str.casefold()
    measure = kind.map(TARGET_MEASURES)
    unknown = kind.notna() & measure.isna()
    if unknown.any():
        raise RawInputError(
            file,
            f"unknown target type(s): {sorted(targets.loc[unknown, 'ghg_reduction_target_type'])}",
            column="ghg_reduction_target_type",
            value=targets.loc[unknown, "ghg_reduction_target_type"].iloc[0],
        )
    targets = targets.assign(
        measure=measure,
        value=to_number(targets["percent_reduction"], file, "percent_reduction"),
        year=to_year(targets["target_year"], file, "target_year"),
    )
    targets = audit.drop(targets["measure"].isna(), "no target type", frame=targets)
    targets = audit.drop(targets["value"].isna(), "no target percentage")
    targets = audit.drop(targets["year"].isna(), "no target year")
    targets = targets.sort_values("value", ascending=False, kind="mergesort")
    targets = audit.drop(
        targets.drop_duplicates(["mention_id", "measure", "year"]),
        "several targets of one kind and year: highest kept",
        frame=targets,
    )
    audit.finish(targets)
    return targets[["mention_id", "measure", "year", "value"]].reset_index(drop=True)


def parse(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(NAME)
    raw = _read(paths[FILE], FILE)
    _check_copy(paths, raw)
    df = audit.start(raw, "rows")
    df = audit.drop(df["name"].isna(), "no city name")
    audit.finish(df)
    types = df["entity_type"].str.strip().str.casefold()
    if (types != "city").any():
        raise RawInputError(
            FILE,
            "entity_type is not City",
            "entity_type",
            df.loc[types != "city", "entity_type"].iloc[0],
        )
    df = df.assign(name=df["name"].map(fix_mojibake).str.strip())
    _states(df, FILE)  # validates the state column against the "City, ST" suffix
    df = df.assign(key=df["name"])
    df = df.assign(mention_id=NAME + ":" + df["key"])

    mentions = build_mentions(df, source=NAME, file=FILE, key="key", name="name", iso3="iso")
    cities = df.drop_duplicates("mention_id")
    labels = cities["data_source"].map(lambda v: v.strip() if isinstance(v, str) else None)
    memberships = pd.DataFrame(
        {
            "mention_id": cities["mention_id"],
            "network": NETWORK,
            "network_type": "climate",
            "join_year": pd.Series(pd.NA, index=cities.index, dtype="Int64"),
            "observed_year": pd.Series(COMPENDIUM_YEAR, index=cities.index, dtype="Int64"),
            "source_label": labels,
        }
    ).reset_index(drop=True)
    measures = _measures(df, audit, FILE)
    return ParsedSource(
        tables={"mentions": mentions, "memberships": memberships, "city_measures": measures},
        audit=audit,
    )


SOURCES = [
    SourceSpec(
        name=NAME,
        files=(FILE, COPY),
        parse=parse,
        schemas={"mentions": MENTIONS, "memberships": MEMBERSHIPS, "city_measures": CITY_MEASURES},
        description="Climate Mayors compendium (Jan 2018): 58 US cities and their targets.",
    )
]
