"""UN World Urbanization Prospects 2018, File 12: urban agglomerations of 300,000 or more.

File ``cities/un_wup2018_f12_cities_over_300k.xls`` (legacy .xls). Sheet ``Data`` has a title
block, a header on 0-based row 16 (found by its labels) and one row per agglomeration with
population in thousands at five-year points 1950-2035; sheet ``NOTES`` holds numbered
footnotes ("(9) Refers to Gran Buenos Aires. ...") that the ``Note`` column points to. This
file defines part of the panel's city universe (every agglomeration with 300k+ in 2018) and
gives the city-size control.

Tables
------
``mentions``
    One per agglomeration: ``mention_id`` ``un_wup2018:<City Code>`` (the UN WUP city code,
    a stable id), ``raw_name`` the agglomeration name as printed (often "Local (English)",
    e.g. "Wien (Vienna)"; the matcher drops the bracket), ``raw_country`` the "Country or
    area" name (resolved by name, not by the M49 ``Country Code``), ``entity_type`` ``city``,
    the UN coordinates, and ``population`` = the 2015 estimate in persons (the last point
    before the 2018 revision's projections).
``city_measures``
    ``wup_pop``: population in persons (the file's thousands x 1000), one row per
    agglomeration and year column present (1950, 1955, ..., 2035; years after 2035 would be
    ignored). Years up to 2015 are estimates; **2020, 2025, 2030 and 2035 are projections**
    of the 2018 revision (kept under the same measure name: filter ``year <= 2015`` for
    observed values).
``definition_notes``
    The footnote of each agglomeration that has one (``note_number``, ``note_text``, e.g.
    "Refers to Gran Buenos Aires"), so the definition behind a series can be checked.

Caveats (SOURCES.yaml) and how they are handled
-----------------------------------------------
- Legacy .xls: read with xlrd through ``read_excel_table``; the header row is located by its
  labels rather than a fixed offset.
- Agglomeration definitions differ by country (city proper, urban agglomeration, metro
  area): handled by emitting each agglomeration's footnote in ``definition_notes``; the
  series themselves are not adjusted.
- For China most series are the urban population of the city districts, so not comparable
  with GaWC or OE metro definitions: documented; users of ``wup_pop`` for Chinese cities
  should keep this in mind (no adjustment possible from this file).
- Only 5-year points (annual figures are in WUP File 22): documented; the assembly stage
  interpolates or carries values if it needs annual data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.resolve.countries import drop_non_countries
from analysis.sources.common.base import (
    CITY_MEASURES,
    MENTIONS,
    ParsedSource,
    SourceSpec,
    build_mentions,
)
from analysis.sources.common.readers import (
    check_unique,
    read_excel_table,
    require_columns,
    to_int,
    to_number,
)

NAME = "un_wup2018"
FILE = "cities/un_wup2018_f12_cities_over_300k.xls"
MEASURE = "wup_pop"
MAX_YEAR = 2035
LAST_ESTIMATE_YEAR = 2015  # later columns are projections
KEY_COLUMNS = [
    "Country or area",
    "City Code",
    "Urban Agglomeration",
    "Note",
    "Latitude",
    "Longitude",
]
_NOTE = re.compile(r"^\((\d+)\)\s*(.+)$", re.S)

DEFINITION_NOTES = pa.DataFrameSchema(
    {
        "mention_id": pa.Column(str, unique=True),
        "note_number": pa.Column("Int64", pa.Check.ge(1)),
        "note_text": pa.Column(str),
    },
    strict=True,
    name="definition_notes",
)


def year_columns(df: pd.DataFrame, file: str) -> list[str]:
    """The population columns: four-digit years up to MAX_YEAR, at least one."""
    years = [c for c in df.columns if re.fullmatch(r"\d{4}", str(c)) and int(c) <= MAX_YEAR]
    if not years:
        raise RawInputError(file, f"no year columns (1950 ... {MAX_YEAR}) in the Data sheet")
    return years


def read_notes(path: Path, file: str) -> pd.DataFrame:
    """The NOTES sheet as (note_number, note_text); every line must read "(n) text"."""
    sheet = read_excel_table(path, sheet="NOTES", header_row=None)
    if sheet.shape[1] != 1:
        raise RawInputError(file, f"NOTES sheet has {sheet.shape[1]} columns, expected 1")
    lines = sheet.iloc[:, 0].astype(str).str.strip()
    lines = lines[lines.str.casefold() != "notes"]  # the sheet's title cell
    parts = lines.str.extract(_NOTE)
    bad = parts[0].isna()
    if bad.any():
        raise RawInputError(
            file, "NOTES line does not read '(n) text'", column="NOTES", value=lines[bad].iloc[0]
        )
    notes = pd.DataFrame({"note_number": parts[0].astype(int), "note_text": parts[1].str.strip()})
    check_unique(notes, ["note_number"], f"{file} [NOTES]")
    return notes


def parse(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(NAME)
    raw = read_excel_table(
        paths[FILE], sheet="Data", header_contains=["City Code", "Urban Agglomeration"]
    )
    require_columns(raw, KEY_COLUMNS, FILE)
    years = year_columns(raw, FILE)

    df = audit.start(raw, "agglomerations")
    df = audit.drop(df["Urban Agglomeration"].isna(), "no agglomeration name")
    df = drop_non_countries(
        audit, df, "Country or area", reason="country is not a country ({kind})"
    )
    audit.finish(df)

    codes = to_int(df["City Code"], FILE, "City Code", allow_missing=False)
    df = df.assign(key=codes.astype(str))
    check_unique(df, ["key"], FILE)
    # Thousands with three decimals: whole persons after scaling.
    values = {y: (to_number(df[y], FILE, y) * 1000.0).round() for y in years}
    df = df.assign(population=values.get(str(LAST_ESTIMATE_YEAR), float("nan")))
    mentions = build_mentions(
        df,
        source=NAME,
        file=FILE,
        key="key",
        name="Urban Agglomeration",
        country="Country or area",
        lat="Latitude",
        lon="Longitude",
        population="population",
    )

    wide = pd.DataFrame(values).assign(mention_id=NAME + ":" + df["key"])
    long = wide.melt(id_vars="mention_id", var_name="year", value_name="value")
    long = audit.start(long, "population values")
    long = audit.drop(long["value"].isna(), "no population value")
    audit.finish(long)
    city_measures = pd.DataFrame(
        {
            "mention_id": long["mention_id"],
            "measure": MEASURE,
            "year": long["year"].astype(int).astype("Int64"),
            "value": long["value"].astype(float),
        }
    ).reset_index(drop=True)

    notes = read_notes(paths[FILE], FILE)
    numbers = to_int(df["Note"], FILE, "Note")
    noted = df.assign(note_number=numbers)[numbers.notna()]
    unknown = ~noted["note_number"].isin(notes["note_number"])
    if unknown.any():
        raise RawInputError(
            FILE,
            "Note refers to a footnote missing from the NOTES sheet",
            column="Note",
            value=int(noted.loc[unknown, "note_number"].iloc[0]),
        )
    definition_notes = pd.DataFrame(
        {
            "mention_id": NAME + ":" + noted["key"],
            "note_number": noted["note_number"].astype("Int64"),
        }
    ).merge(notes.astype({"note_number": "Int64"}), on="note_number", how="left")

    return ParsedSource(
        tables={
            "mentions": mentions,
            "city_measures": city_measures,
            "definition_notes": definition_notes,
        },
        audit=audit,
    )


SOURCES = [
    SourceSpec(
        name=NAME,
        files=(FILE,),
        parse=parse,
        schemas={
            "mentions": MENTIONS,
            "city_measures": CITY_MEASURES,
            "definition_notes": DEFINITION_NOTES,
        },
        description="UN WUP 2018 urban agglomerations of 300k+: population 1950-2035 (thousands).",
    )
]
