"""MPI unauthorized immigrant population of large-immigrant US counties.

Spec ``us_unauthorized_pop``: reads ``us/mpi_unauthorized_pop_by_county_scraped.csv``,
writes table ``us_unauthorized_pop``.

One row per MPI area: ``area`` (label as given), ``area_type`` (``county``,
``county_group`` for "A-B Counties", ``other`` for NECTAs and "Suburban Denver
Counties"), ``state``, ``state_fips``, ``county_fips`` (single counties),
``member_county_fips`` (";"-joined FIPS of a county group) and ``unauthorized_pop``
(persons). Caveats: old-Mac line ends and BOM (handled by the reader); thousands
separators and padding (``to_number(thousands=",")``); vintage not documented (MPI
profiles pool ACS ~2010-2014; no year column); only large-immigrant counties are
covered, absence is not zero (documented; no zero-filling).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.sources.common.base import ParsedSource, SourceSpec
from analysis.sources.common.readers import (
    check_unique,
    clean_text,
    read_text_table,
    require_columns,
    to_number,
)
from analysis.sources.common.us_geo import (
    OPT_COUNTY_FIPS,
    STATE,
    STATE_FIPS,
    county_fips_from_names,
    state_codes,
    state_fips,
)

FILE_MPI = "us/mpi_unauthorized_pop_by_county_scraped.csv"


US_UNAUTHORIZED_POP = pa.DataFrameSchema(
    {
        "area": pa.Column(str),
        "area_type": pa.Column(str, pa.Check.isin(["county", "county_group", "other"])),
        "state": STATE,
        "state_fips": STATE_FIPS,
        "county_fips": OPT_COUNTY_FIPS,
        "member_county_fips": pa.Column(
            str, pa.Check.str_matches(r"^\d{5}(;\d{5})+$"), nullable=True
        ),
        "unauthorized_pop": pa.Column(float, pa.Check.gt(0)),
    },
    strict=True,
    unique=["state", "area"],
    name="us_unauthorized_pop",
)


def _group_members(state: str, names: str) -> str | None:
    """FIPS of "A-B-C" (county names joined by hyphens; a name may contain one, Miami-Dade)."""
    tokens = names.split("-")
    members, i = [], 0
    while i < len(tokens):
        for j in range(len(tokens), i, -1):
            name = "-".join(tokens[i:j]).strip()
            hit = county_fips_from_names(pd.Series([state]), pd.Series([name])).iloc[0]
            if isinstance(hit, str):
                members.append(hit)
                i = j
                break
        else:
            return None
    return ";".join(members) if len(members) > 1 else None


def parse_unauthorized(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit("us_unauthorized_pop")
    raw = read_text_table(paths[FILE_MPI])
    require_columns(raw, ["State", "County", "Total Unauthorized Population"], FILE_MPI)
    df = audit.start(raw, "areas")
    audit.finish(df)
    state = state_codes(clean_text(df["State"]), FILE_MPI, "State")
    area = clean_text(df["County"])
    label = area.str.replace(r",\s*[^,]+$", "", regex=True)  # drop ", State"
    single = label.str.fullmatch(r".+ (County|Parish|City|city)")
    group = label.str.fullmatch(r".+ (Counties|Parishes)")
    county_fips = county_fips_from_names(state, label.where(single))
    members = pd.Series(
        [
            _group_members(s, re.sub(r"\s+(Counties|Parishes)$", "", a)) if g else None
            for s, a, g in zip(state, label, group, strict=True)
        ],
        index=df.index,
        dtype="str",
    )
    unresolved = (single & county_fips.isna()) | (group & members.isna())
    if unresolved.any():
        raise RawInputError(
            FILE_MPI, "county name(s) not found in the state", "County", area[unresolved].iloc[0]
        )
    area_type = np.select([single, group], ["county", "county_group"], "other")
    out = pd.DataFrame(
        {
            "area": area,
            "area_type": area_type,
            "state": state,
            "state_fips": state_fips(state),
            "county_fips": county_fips,
            "member_county_fips": members,
            "unauthorized_pop": to_number(
                df["Total Unauthorized Population"],
                FILE_MPI,
                "Total Unauthorized Population",
                thousands=",",
                allow_missing=False,
            ),
        }
    ).reset_index(drop=True)
    check_unique(out, ["state", "area"], FILE_MPI)
    return ParsedSource(tables={"us_unauthorized_pop": out}, audit=audit)


SOURCES = [
    SourceSpec(
        name="us_unauthorized_pop",
        files=(FILE_MPI,),
        parse=parse_unauthorized,
        schemas={"us_unauthorized_pop": US_UNAUTHORIZED_POP},
        description="MPI unauthorized immigrant population of large-immigrant US counties.",
    ),
]
