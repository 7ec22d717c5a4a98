"""TRAC ICE detainers by county: issued, custody taken or not (H4 non-compliance).

Spec ``us_ice_detainers``: reads ``us/trac_ice_detainers_by_county_scraped_2017.csv``,
writes table ``us_ice_detainers``.

One row per county: ``state``, ``state_fips``, ``county`` (name as given),
``county_fips`` (looked up from the name, Virginia's independent cities included;
"Bedford City" -> 51019, its successor; missing where no county matches: "Decatur
County" and "Porter County" filed under Illinois), ``detainers`` (all
detainers issued), ``custody_taken`` ("Yes": ICE took custody), ``custody_not_taken``
("No": the non-compliance proxy; it also includes releases for other reasons) and
``share_not_taken`` = No / All. Caveats: the period is TRAC's detainer tool at the
2017-06-28 scrape (roughly FY2003-FY2015; not documented, so no year column: use as
a pre-2017 cross-section); no FIPS (looked up by name, unmatched counted in the log);
state totals (``County == "All"``) dropped ("state total row"); "Not Listed" state
dropped ("state not listed"); a Florida "Unknown County" row is dropped ("county not
named"); territories dropped (PR, GU, VI, MP); Yes/No are floats
("45.0", whole numbers checked) and a missing Yes or No is 0 when the other equals All
(153 rows; raises otherwise).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

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
    to_int,
)
from analysis.sources.common.us_geo import (
    OPT_COUNTY_FIPS,
    STATE,
    STATE_FIPS,
    TERRITORY_REASON,
    county_fips_from_names,
    is_territory,
    state_codes,
    state_fips,
)

log = logging.getLogger(__name__)

FILE_TRAC = "us/trac_ice_detainers_by_county_scraped_2017.csv"


US_ICE_DETAINERS = pa.DataFrameSchema(
    {
        "state": STATE,
        "state_fips": STATE_FIPS,
        "county": pa.Column(str),
        "county_fips": OPT_COUNTY_FIPS,
        "detainers": pa.Column("Int64", pa.Check.gt(0)),
        "custody_taken": pa.Column("Int64", pa.Check.ge(0)),
        "custody_not_taken": pa.Column("Int64", pa.Check.ge(0)),
        "share_not_taken": pa.Column(float, pa.Check.in_range(0, 1)),
    },
    strict=True,
    unique=["state", "county"],
    checks=[
        pa.Check(
            lambda d: d["custody_taken"] + d["custody_not_taken"] == d["detainers"],
            name="yes + no == all",
        )
    ],
    name="us_ice_detainers",
)


def parse_detainers(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit("us_ice_detainers")
    raw = read_text_table(paths[FILE_TRAC])
    require_columns(raw, ["State", "County", "All", "Yes", "No"], FILE_TRAC)
    df = audit.start(
        raw.assign(state_text=clean_text(raw["State"]), county=clean_text(raw["County"])),
        "counties",
    )
    df = audit.drop(df["county"].eq("All"), "state total row")
    df = audit.drop(df["state_text"].eq("Not Listed"), "state not listed")
    df = audit.drop(df["county"].eq("Unknown County"), "county not named")
    df = df.assign(state=state_codes(df["state_text"], FILE_TRAC, "State"))
    df = audit.drop(is_territory(df["state"]), TERRITORY_REASON, frame=df)
    audit.finish(df)
    check_unique(df, ["state", "county"], FILE_TRAC)
    total = to_int(df["All"], FILE_TRAC, "All", allow_missing=False)
    yes = to_int(df["Yes"], FILE_TRAC, "Yes")
    no = to_int(df["No"], FILE_TRAC, "No")
    yes = yes.fillna(total - no)
    no = no.fillna(total - yes)
    bad = yes.isna() | no.isna() | (yes + no != total)
    if bad.any():
        first = bad.idxmax()
        raise RawInputError(
            FILE_TRAC,
            f"Yes + No must equal All ({int(bad.sum())} row(s) do not), e.g. "
            f"{df.at[first, 'county']}, {df.at[first, 'state_text']}",
            "Yes, No",
            (df.at[first, "Yes"], df.at[first, "No"], df.at[first, "All"]),
        )
    fips = county_fips_from_names(df["state"], df["county"])
    if fips.isna().any():
        log.info(
            "%s: %d county name(s) without a FIPS match: %s",
            FILE_TRAC,
            int(fips.isna().sum()),
            (df.loc[fips.isna(), "county"] + ", " + df.loc[fips.isna(), "state"]).tolist()[:20],
        )
    out = pd.DataFrame(
        {
            "state": df["state"],
            "state_fips": state_fips(df["state"]),
            "county": df["county"],
            "county_fips": fips,
            "detainers": total,
            "custody_taken": yes.astype("Int64"),
            "custody_not_taken": no.astype("Int64"),
            "share_not_taken": (no / total).astype("float64"),
        }
    ).reset_index(drop=True)
    return ParsedSource(tables={"us_ice_detainers": out}, audit=audit)


SOURCES = [
    SourceSpec(
        name="us_ice_detainers",
        files=(FILE_TRAC,),
        parse=parse_detainers,
        schemas={"us_ice_detainers": US_ICE_DETAINERS},
        description="TRAC ICE detainers by county (scraped 2017): issued, custody taken or not.",
    ),
]
