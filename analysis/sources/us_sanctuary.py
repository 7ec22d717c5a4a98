"""Sanctuary and enforcement policies of US states, counties and cities (H4).

Spec ``us_sanctuary``: writes tables ``us_sanctuary_jurisdictions`` and ``mentions``.

Files ``us/cis_sanctuary_map_jurisdictions_2008_2015.csv`` (source ``cis``),
``us/us_state_sanctuary_laws_compiled_2026.csv`` (``kevinnbass_states``),
``us/sanctuary_jurisdictions_reference_2026_kevinnbass.json`` (``kevinnbass_reference``)
and ``us/shift_hks_undocumented_worker_sanctuary_laws_state_local.xlsx`` (``shift_hks``).
One row per (source, jurisdiction, policy, instrument): ``jurisdiction``, ``level``
(``state``, ``county``, ``city``, ``other``), ``state``, ``state_fips``,
``county_fips`` (the county itself for county rows; for Shift city rows the county the
source codes the city in), ``mention_id`` (city rows), ``policy``, ``stance``,
``detail`` (the source's own category or criteria), ``instrument`` (law, order or
decision), ``date`` / ``year`` with ``date_kind`` (``enacted`` or ``effective``) and
``date_precision`` (``day`` or ``month``), ``source_url``. ``policy`` values and their
``stance``:

- ``sanctuary`` (stance ``sanctuary``): the jurisdiction limits cooperation with ICE /
  declines detainers (every CIS row; kevinnbass ``sanctuary`` states and
  ``sanctuary_strong/limited/partial`` cities; Shift ``sanct_status``);
- ``ice_cooperation_limited`` (``sanctuary``): Shift state ``ice_coop_lim``;
- ``anti_sanctuary`` (``enforcement``): state bans sanctuary policies or mandates
  cooperation (kevinnbass ``anti_sanctuary`` and ``aggressive_anti_sanctuary``, kept
  apart in ``detail``; Shift ``sanct_ban``);
- ``ice_cooperation_required`` (``enforcement``): Shift ``ice_coop_req`` (states: law
  requires cooperation; localities: mostly 287(g) / ICE agreements of 2019-2020);
- ``agreement_287g`` (``enforcement``): kevinnbass' list of counties with 287(g) jail
  agreements (undated, 2025-26);
- ``everify_mandate`` (``enforcement``): Shift E-Verify mandates (state public /
  private employers in ``detail``; local mandates);
- ``cooperative`` (``enforcement``) and ``policy_conflict`` (``mixed``): kevinnbass city
  statuses; ``neutral`` (``neutral``): kevinnbass states with no statewide policy.

City rows are also ``mentions`` (``us_sanctuary:<City>|<ST>``, "City, ST"); counties are
keyed by ``county_fips`` only (looked up from the name; Shift's own FIPS, zero-padded,
is used where given, and the lookup overrides it when the two disagree); states by
code. Caveats and how they are handled:

- CIS: dates are "Mon-YY" (month precision, first of the month, ``enacted``); the two
  spreadsheet-mangled dates "2015-08-14" (Boston Trust Act) and "2015-05-14" are read
  as Aug 2014 and May 2014 (any ``YYYY-MM-DD`` is read as month MM of year 20DD).
  Location typos are repaired: "lowa" -> Iowa, "East Haven. Connecticut", a ZIP code
  after the state, "Kent City" -> Kent, "Berkley" -> Berkeley. Level follows
  ``Designation`` (1 city, 2 county, 3 state), except two "cities" whose policy is
  their county's detention centre (Taos and San Miguel, NM: county) and "Colorado
  County Jails, Colorado" (all county jails of a state: ``other``). Douglas County, OR is listed twice with the same policy and date
  ("duplicate row"). CIS is a restrictionist advocacy group whose "sanctuary" means
  declining detainers; the list is a ~2016 snapshot (2017 policies missing); many
  county rows are sheriff decisions after the 2014 Oregon ruling: documented, kept.
  The file is plain UTF-8 with LF line ends (read as is).
- kevinnbass (CSV and JSON): AI-assisted secondary compilations, "lead lists": kept with
  ``source_url`` for verification; current status only (2026; city rows undated, state
  dates are ``effective`` dates of the primary law, some approximate); only the latest
  primary law per state. The DOJ-designation flags are not carried (the JSON's are
  known to be wrong). The CSV's ILRC 2024 rating goes into ``detail``. JSON city keys
  are "City, ST"; keys naming a county (Cook County, Baltimore County) become county
  rows; NYC boroughs and neighbourhoods (Van Nuys) stay city mentions. Puerto Rico is
  dropped (territory).
- Shift: dates arrive as Excel dates (converted; day precision, ``enacted``, with the
  enactment/effective distinction not always kept by the coders); a date next to a 0
  flag is ignored; the trailing row of source links on the State sheet is dropped
  ("source-links row"); State rows with no policy set produce no rows ("no policy
  coded"); the Local sheet is not a census (absence is not "no policy"). Typos fixed:
  "Hunstville" (coded County) is the city of Huntsville; "Bonita Springs" (coded
  County) is a city; "Iowa City" (coded County, FIPS 19095, with the Iowa counties of
  Aug 2014) is Iowa County; "Suffern Village" is Suffern. "Minucipality"/"Municipality"
  are cities; police departments are named by their city; bare county names get
  " County"; a trailing space in the state code is stripped. County FIPS are zero-padded
  and checked against the county name (they all agree); a city that is its own
  county-equivalent takes that code (the city of Baltimore, coded 24005 = Baltimore
  County, becomes 24510). Oregon's 1987 and Connecticut's 2013-01-01 dates are kept as
  coded (approximate, documented by the source). "Sanctuary" follows the American
  Immigration Council's "limits to ICE cooperation", not the CIS or ILRC categories: the
  ``source`` column keeps the codings apart. The derived county-month panel of the
  Shift Project was not retrievable; the Local sheet is its basis and is used instead.
  Professional-licence access (``pro_lisc``) is not a sanctuary policy and is only in
  ``us_state_policy_month``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.sources.common.base import (
    MENTIONS,
    ParsedSource,
    SourceSpec,
    build_mentions,
    empty_mentions,
)
from analysis.sources.common.readers import (
    check_unique,
    clean_text,
    read_excel_table,
    read_json_records,
    read_text_table,
    require_columns,
    to_date,
    to_int,
)
from analysis.sources.common.us_geo import (
    OPT_COUNTY_FIPS,
    STATE,
    STATE_FIPS,
    STATES,
    TERRITORY_REASON,
    city_label,
    county_fips_from_names,
    is_territory,
    pad_fips,
    state_codes,
    state_fips,
)

log = logging.getLogger(__name__)

FILE_CIS = "us/cis_sanctuary_map_jurisdictions_2008_2015.csv"
FILE_STATE_LAWS = "us/us_state_sanctuary_laws_compiled_2026.csv"
FILE_REFERENCE = "us/sanctuary_jurisdictions_reference_2026_kevinnbass.json"
FILE_SHIFT = "us/shift_hks_undocumented_worker_sanctuary_laws_state_local.xlsx"
FILE_MONTHLY = "us/shift_hks_state_policy_measures_monthly_2013_2022.csv"
SANCTUARY_FILES = (FILE_CIS, FILE_STATE_LAWS, FILE_REFERENCE, FILE_SHIFT)
STATE_NAMES = pd.Series(STATES["name"].to_numpy(), index=STATES["state"].to_numpy())


POLICY_STANCE = {
    "sanctuary": "sanctuary",
    "ice_cooperation_limited": "sanctuary",
    "anti_sanctuary": "enforcement",
    "ice_cooperation_required": "enforcement",
    "agreement_287g": "enforcement",
    "everify_mandate": "enforcement",
    "cooperative": "enforcement",
    "policy_conflict": "mixed",
    "neutral": "neutral",
}
SOURCES_SANCTUARY = ("cis", "kevinnbass_states", "kevinnbass_reference", "shift_hks")
SANCTUARY_KEY = ["source", "state", "level", "jurisdiction", "policy", "detail", "instrument"]

US_SANCTUARY = pa.DataFrameSchema(
    {
        "source": pa.Column(str, pa.Check.isin(SOURCES_SANCTUARY)),
        "jurisdiction": pa.Column(str),
        "level": pa.Column(str, pa.Check.isin(["state", "county", "city", "other"])),
        "state": STATE,
        "state_fips": STATE_FIPS,
        "county_fips": OPT_COUNTY_FIPS,
        "mention_id": pa.Column(str, nullable=True),
        "policy": pa.Column(str, pa.Check.isin(list(POLICY_STANCE))),
        "stance": pa.Column(str, pa.Check.isin(sorted(set(POLICY_STANCE.values())))),
        "detail": pa.Column(str, nullable=True),
        "instrument": pa.Column(str, nullable=True),
        "date": pa.Column("datetime64[ns]", nullable=True),
        "year": pa.Column("Int64", pa.Check.in_range(1900, 2100), nullable=True),
        "date_kind": pa.Column(str, pa.Check.isin(["enacted", "effective"]), nullable=True),
        "date_precision": pa.Column(str, pa.Check.isin(["day", "month"]), nullable=True),
        "source_url": pa.Column(str, nullable=True),
    },
    strict=True,
    unique=SANCTUARY_KEY,
    checks=[
        pa.Check(lambda d: d["mention_id"].notna() == d["level"].eq("city"), name="cities only"),
        pa.Check(lambda d: d["stance"] == d["policy"].map(POLICY_STANCE), name="stance of policy"),
        pa.Check(
            lambda d: d["county_fips"].isna() | (d["county_fips"].str[:2] == d["state_fips"]),
            name="county in state",
        ),
    ],
    name="us_sanctuary_jurisdictions",
)

_CIS_STATE_TYPOS = {"lowa": "Iowa"}
_CIS_NAME_TYPOS = {"Kent City": "Kent", "Berkley": "Berkeley"}
_SANCTUARY_COLUMNS = list(US_SANCTUARY.columns)


def _rows(df: pd.DataFrame, **columns: object) -> pd.DataFrame:
    """A frame in the sanctuary table's columns; unspecified columns are missing."""
    out = pd.DataFrame(index=df.index)
    for column in _SANCTUARY_COLUMNS:
        value = columns.get(column)
        if value is None:
            value = pd.Series(pd.NaT if column == "date" else pd.NA, index=df.index)
        out[column] = value
    return out


def _cis_month(values: pd.Series) -> pd.Series:
    """CIS "Mon-YY" dates; the spreadsheet-mangled "YYYY-MM-DD" means month MM of year 20DD."""
    text = values.astype("str").str.strip()
    mangled = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}")
    fixed = text.where(~mangled, text.str[5:7] + "/20" + text.str[8:10])
    return to_date(fixed, FILE_CIS, "Date Enacted", formats=["%b-%y", "%m/%Y"], allow_missing=False)


def _cis(path: Path, audit: RowAudit) -> pd.DataFrame:
    raw = read_text_table(path)
    require_columns(
        raw,
        ["Location", "Date Enacted", "Policy", "Criteria for Honoring Detainer", "Designation"],
        FILE_CIS,
    )
    df = audit.start(raw.assign(location=clean_text(raw["Location"])), "cis")
    df = audit.drop(df.duplicated(), "duplicate row", frame=df)
    audit.finish(df)
    designation = to_int(df["Designation"], FILE_CIS, "Designation", allow_missing=False)
    if not designation.isin([1, 2, 3]).all():
        raise RawInputError(
            FILE_CIS,
            "expected 1, 2 or 3",
            "Designation",
            df.loc[~designation.isin([1, 2, 3]), "Designation"].iloc[0],
        )
    loc = df["location"].str.replace(r"\s+\d{5}$", "", regex=True)
    has_comma = loc.str.contains(",")
    name = loc.str.rsplit(",", n=1).str[0].where(has_comma, loc.str.rsplit(". ", n=1).str[0])
    state_text = (
        loc.str.rsplit(",", n=1).str[-1].where(has_comma, loc.str.rsplit(". ", n=1).str[-1])
    )
    is_state = designation.eq(3)
    state_text = state_text.where(~is_state, loc).str.strip().replace(_CIS_STATE_TYPOS)
    name = name.str.strip().replace(_CIS_NAME_TYPOS)
    state = state_codes(state_text, FILE_CIS, "Location")
    policy_text = clean_text(df["Policy"])
    level = pd.Series(
        np.select([is_state, designation.eq(2)], ["state", "county"], "city"), index=df.index
    )
    own_county = [
        lvl == "city" and f"{n} County" in p
        for lvl, n, p in zip(level, name, policy_text, strict=True)
    ]
    level[own_county] = "county"
    name[own_county] = name[own_county] + " County"
    jails = name.str.contains(r"County Jails$")
    level[jails] = "other"
    name = name.where(~is_state, STATE_NAMES.reindex(state).to_numpy())
    date = _cis_month(df["Date Enacted"])
    fips = county_fips_from_names(state, name.where(level.eq("county")))
    return _rows(
        df,
        source=pd.Series("cis", index=df.index),
        jurisdiction=name,
        level=level,
        state=state,
        county_fips=fips,
        policy=pd.Series("sanctuary", index=df.index),
        detail=clean_text(df["Criteria for Honoring Detainer"]),
        instrument=policy_text,
        date=date,
        date_kind=pd.Series("enacted", index=df.index),
        date_precision=pd.Series("month", index=df.index),
    )


def _kevinnbass_state_policy(classification: pd.Series, file: str, column: str) -> pd.Series:
    mapping = {
        "sanctuary": "sanctuary",
        "anti_sanctuary": "anti_sanctuary",
        "aggressive_anti_sanctuary": "anti_sanctuary",
        "neutral": "neutral",
    }
    bad = ~classification.isin(list(mapping))
    if bad.any():
        raise RawInputError(
            file,
            f"unknown classification; expected {sorted(mapping)}",
            column,
            classification[bad].iloc[0],
        )
    return classification.map(mapping)


def _state_laws(path: Path, audit: RowAudit) -> pd.DataFrame:
    raw = read_text_table(path)
    require_columns(
        raw,
        [
            "state",
            "classification",
            "tier",
            "primary_law",
            "effective_date",
            "source_url",
            "ilrc_rating",
        ],
        FILE_STATE_LAWS,
    )
    df = audit.start(raw, "kevinnbass_states")
    audit.finish(df)
    state = state_codes(df["state"], FILE_STATE_LAWS, "state")
    classification = clean_text(df["classification"])
    detail = (
        classification
        + "; tier: "
        + clean_text(df["tier"])
        + "; ILRC 2024: "
        + clean_text(df["ilrc_rating"])
    )
    return _rows(
        df,
        source=pd.Series("kevinnbass_states", index=df.index),
        jurisdiction=STATE_NAMES.reindex(state).to_numpy(),
        level=pd.Series("state", index=df.index),
        state=state,
        policy=_kevinnbass_state_policy(classification, FILE_STATE_LAWS, "classification"),
        detail=detail,
        instrument=clean_text(df["primary_law"]),
        date=to_date(df["effective_date"], FILE_STATE_LAWS, "effective_date"),
        date_kind=pd.Series("effective", index=df.index),
        date_precision=pd.Series("day", index=df.index),
        source_url=clean_text(df["source_url"]),
    )


def _reference(path: Path, audit: RowAudit) -> pd.DataFrame:
    states = read_json_records(path, "states", key_column="state_name")
    require_columns(
        states,
        [
            "state_name",
            "classification",
            "primary_law",
            "detainer_policy",
            "effective_date",
            "source_url",
        ],
        FILE_REFERENCE,
    )
    df = audit.start(
        states.assign(state=state_codes(states["state_name"], FILE_REFERENCE, "states")),
        "kevinnbass_reference_states",
    )
    df = audit.drop(is_territory(df["state"]), TERRITORY_REASON)
    audit.finish(df)
    classification = clean_text(df["classification"])
    state_rows = _rows(
        df,
        source=pd.Series("kevinnbass_reference", index=df.index),
        jurisdiction=STATE_NAMES.reindex(df["state"]).to_numpy(),
        level=pd.Series("state", index=df.index),
        state=df["state"],
        policy=_kevinnbass_state_policy(classification, FILE_REFERENCE, "states.classification"),
        detail=classification + "; detainer: " + clean_text(df["detainer_policy"]),
        instrument=clean_text(df["primary_law"]),
        date=to_date(df["effective_date"], FILE_REFERENCE, "states.effective_date"),
        date_kind=pd.Series("effective", index=df.index),
        date_precision=pd.Series("day", index=df.index),
        source_url=clean_text(df["source_url"]),
    )

    cities = read_json_records(path, "cities_with_notable_policies", key_column="city_key")
    require_columns(
        cities, ["city_key", "local_status", "detainer_policy", "source_url"], FILE_REFERENCE
    )
    df = audit.start(cities, "kevinnbass_reference_cities")
    audit.finish(df)
    parts = clean_text(df["city_key"]).str.extract(r"^(?P<place>.+),\s*(?P<st>[A-Z]{2})$")
    if parts["place"].isna().any():
        raise RawInputError(
            FILE_REFERENCE,
            "expected 'City, ST' keys",
            "cities_with_notable_policies",
            df.loc[parts["place"].isna(), "city_key"].iloc[0],
        )
    state = state_codes(parts["st"], FILE_REFERENCE, "cities_with_notable_policies")
    place = parts["place"].str.replace(r"^Washington DC$", "Washington", regex=True)
    level = pd.Series(
        np.where(place.str.contains(r" (?:County|Parish)$"), "county", "city"), index=df.index
    )
    status = clean_text(df["local_status"])
    policy = status.replace(
        {
            "sanctuary_strong": "sanctuary",
            "sanctuary_limited": "sanctuary",
            "sanctuary_partial": "sanctuary",
        }
    )
    bad = ~policy.isin(["sanctuary", "cooperative", "policy_conflict"])
    if bad.any():
        raise RawInputError(
            FILE_REFERENCE, "unknown local_status", "local_status", status[bad].iloc[0]
        )
    city_rows = _rows(
        df,
        source=pd.Series("kevinnbass_reference", index=df.index),
        jurisdiction=place,
        level=level,
        state=state,
        county_fips=county_fips_from_names(state, place.where(level.eq("county"))),
        policy=policy,
        detail=status + "; detainer: " + clean_text(df["detainer_policy"]),
        source_url=clean_text(df["source_url"]),
    )

    counties = read_json_records(path, ["counties_287g_agreements", "counties"])
    require_columns(counties, ["county", "state", "type"], FILE_REFERENCE)
    df = audit.start(counties, "kevinnbass_reference_287g")
    audit.finish(df)
    state = state_codes(df["state"], FILE_REFERENCE, "counties_287g_agreements.state")
    name = clean_text(df["county"])
    county_rows = _rows(
        df,
        source=pd.Series("kevinnbass_reference", index=df.index),
        jurisdiction=name,
        level=pd.Series("county", index=df.index),
        state=state,
        county_fips=county_fips_from_names(state, name),
        policy=pd.Series("agreement_287g", index=df.index),
        detail="287(g) model: " + clean_text(df["type"]),
    )
    return pd.concat([state_rows, city_rows, county_rows], ignore_index=True)


# (flag column, date column, policy, detail) of the Shift State sheet
_SHIFT_STATE_POLICIES = (
    ("sanct_status", "sanct_status_date", "sanctuary", None),
    ("ice_coop_lim", "ice_coop_lim_date", "ice_cooperation_limited", None),
    ("sanct_ban", "sanct_ban_date", "anti_sanctuary", None),
    ("ice_coop_req", "ice_coop_req_date", "ice_cooperation_required", None),
    ("everify_req_pub", "everify_req_pub_date", "everify_mandate", "public employers"),
    ("everify_req_priv", "everify_req_priv_date", "everify_mandate", "private employers"),
)
_SHIFT_LOCAL_POLICIES = (
    ("sanct_status", "sanct_status_date", "sanctuary", None),
    ("ice_coop_req", "ice_coop_req_date", "ice_cooperation_required", None),
    ("everify_req", "everify_req_date", "everify_mandate", None),
)
# (state, locality as coded) -> (name, level): typos documented in the module docstring
_SHIFT_LOCAL_FIXES = {
    ("AL", "Hunstville"): ("Huntsville", "city"),
    ("FL", "Bonita Springs"): ("Bonita Springs", "city"),
    ("IA", "Iowa City"): ("Iowa County", "county"),
    ("NY", "Suffern Village"): ("Suffern", "city"),
}


def _shift_flags(df: pd.DataFrame, columns: tuple, file: str) -> list[pd.DataFrame]:
    """One frame per policy: the rows whose flag is 1, with the enactment date."""
    parts = []
    for flag_column, date_column, policy, detail in columns:
        flag = to_int(df[flag_column], file, flag_column, allow_missing=False)
        if not flag.isin([0, 1]).all():
            raise RawInputError(
                file,
                "flag must be 0 or 1",
                flag_column,
                df.loc[~flag.isin([0, 1]), flag_column].iloc[0],
            )
        date = to_date(df[date_column], file, date_column, excel_serial=True)
        ignored = flag.eq(0) & date.notna()
        if ignored.any():
            log.info(
                "%s: %d date(s) in %s next to a 0 flag ignored",
                file,
                int(ignored.sum()),
                date_column,
            )
        on = flag.eq(1)
        parts.append(df[on].assign(policy=policy, detail=detail, date=date[on]))
    return parts


def _shift(path: Path, audit: RowAudit) -> pd.DataFrame:
    state_sheet = read_excel_table(path, sheet="State")
    needed = ["state", "state_abbreviation", "state_fips_code"]
    needed += [c for p in _SHIFT_STATE_POLICIES for c in p[:2]]
    require_columns(state_sheet, needed, FILE_SHIFT)
    df = audit.start(state_sheet, "shift_hks_state")
    df = audit.drop(df["state"].isna() & df["state_abbreviation"].isna(), "source-links row")
    df = df.assign(
        code=state_codes(clean_text(df["state_abbreviation"]), FILE_SHIFT, "state_abbreviation")
    )
    named = state_codes(df["state"], FILE_SHIFT, "state")
    if (named != df["code"]).any():
        raise RawInputError(
            FILE_SHIFT,
            "state name and abbreviation disagree",
            "state",
            df.loc[named != df["code"], "state"].iloc[0],
        )
    flags = [to_int(df[c[0]], FILE_SHIFT, c[0], allow_missing=False) for c in _SHIFT_STATE_POLICIES]
    any_policy = pd.concat(flags, axis=1).eq(1).any(axis=1).astype(bool)
    df = audit.drop(~any_policy, "no policy coded", frame=df)
    audit.finish(df)
    state_parts = _shift_flags(df, _SHIFT_STATE_POLICIES, FILE_SHIFT)
    state_long = pd.concat(state_parts)
    state_rows = _rows(
        state_long.reset_index(drop=True),
        source=pd.Series("shift_hks", index=range(len(state_long))),
        jurisdiction=STATE_NAMES.reindex(state_long["code"]).to_numpy(),
        level=pd.Series("state", index=range(len(state_long))),
        state=state_long["code"].to_numpy(),
        policy=state_long["policy"].to_numpy(),
        detail=state_long["detail"].to_numpy(),
        date=state_long["date"].to_numpy(),
    )

    local = read_excel_table(path, sheet="Local")
    needed = ["locality", "locality_type", "state_abbreviation", "county_fips_code"]
    needed += [c for p in _SHIFT_LOCAL_POLICIES for c in p[:2]]
    require_columns(local, needed, FILE_SHIFT)
    df = audit.start(local, "shift_hks_local")
    audit.finish(df)
    state = state_codes(clean_text(df["state_abbreviation"]), FILE_SHIFT, "state_abbreviation")
    name = clean_text(df["locality"])
    kind = clean_text(df["locality_type"]).str.casefold()
    known = {"county", "city", "municipality", "minucipality"}
    if not kind.isin(known).all():
        raise RawInputError(
            FILE_SHIFT,
            f"locality_type not in {sorted(known)}",
            "locality_type",
            df.loc[~kind.isin(known), "locality_type"].iloc[0],
        )
    level = pd.Series(np.where(kind.eq("county"), "county", "city"), index=df.index)
    for (st, coded), (fixed, fixed_level) in _SHIFT_LOCAL_FIXES.items():
        hit = state.eq(st) & name.eq(coded)
        name[hit], level[hit] = fixed, fixed_level
    name = name.str.replace(r" Police Department$", "", regex=True)
    bare = level.eq("county") & ~name.str.contains(
        r"\b(?:County|Parish|Jail|Authority|Department)\b"
    )
    name[bare] = name[bare] + " County"
    file_fips = pad_fips(df["county_fips_code"], FILE_SHIFT, "county_fips_code")
    name_fips = county_fips_from_names(state, name.where(level.eq("county")))
    disagree = name_fips.notna() & (name_fips != file_fips)
    if disagree.any():
        log.warning(
            "%s: county FIPS replaced from the name for %s", FILE_SHIFT, name[disagree].tolist()
        )
    # A city that is its own county-equivalent (Baltimore, Alexandria) takes that code.
    own_fips = county_fips_from_names(state, (name + " city").where(level.eq("city")))
    fips = name_fips.fillna(own_fips).fillna(file_fips)
    df = df.assign(state_code=state, name=name, level=level, fips=fips)
    local_long = pd.concat(_shift_flags(df, _SHIFT_LOCAL_POLICIES, FILE_SHIFT)).reset_index(
        drop=True
    )
    local_rows = _rows(
        local_long,
        source=pd.Series("shift_hks", index=local_long.index),
        jurisdiction=local_long["name"],
        level=local_long["level"],
        state=local_long["state_code"],
        county_fips=local_long["fips"],
        policy=local_long["policy"],
        detail=local_long["detail"],
        date=local_long["date"],
    )
    out = pd.concat([state_rows, local_rows], ignore_index=True)
    dated = out["date"].notna()
    out.loc[dated, "date_kind"] = "enacted"
    out.loc[dated, "date_precision"] = "day"
    return out


def parse_sanctuary(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit("us_sanctuary")
    frames = [
        _cis(paths[FILE_CIS], audit),
        _state_laws(paths[FILE_STATE_LAWS], audit),
        _reference(paths[FILE_REFERENCE], audit),
        _shift(paths[FILE_SHIFT], audit),
    ]
    df = pd.concat(frames, ignore_index=True)
    df["date"] = pd.to_datetime(df["date"]).astype("datetime64[ns]")
    df["year"] = df["date"].dt.year.astype("Int64")
    df["state_fips"] = state_fips(df["state"])
    df["stance"] = df["policy"].map(POLICY_STANCE)
    df.loc[df["date"].isna(), ["date_kind", "date_precision"]] = pd.NA
    for column in (
        "detail",
        "instrument",
        "source_url",
        "county_fips",
        "date_kind",
        "date_precision",
    ):
        df[column] = df[column].astype("str")
    cities = df["level"].eq("city")
    key = df["jurisdiction"] + "|" + df["state"]
    df["mention_id"] = ("us_sanctuary:" + key).where(cities).astype("str")
    places = df[cities].assign(
        key=key[cities],
        raw_name=city_label(df.loc[cities, "jurisdiction"], df.loc[cities, "state"]),
        country="USA",
    )
    mentions = (
        build_mentions(
            places,
            source="us_sanctuary",
            file=", ".join(SANCTUARY_FILES),
            key="key",
            name="raw_name",
            iso3="country",
        )
        if len(places)
        else empty_mentions()
    )
    check_unique(df, SANCTUARY_KEY, ", ".join(SANCTUARY_FILES))
    return ParsedSource(
        tables={"us_sanctuary_jurisdictions": df[_SANCTUARY_COLUMNS], "mentions": mentions},
        audit=audit,
    )


SOURCES = [
    SourceSpec(
        name="us_sanctuary",
        files=SANCTUARY_FILES,
        parse=parse_sanctuary,
        schemas={"us_sanctuary_jurisdictions": US_SANCTUARY, "mentions": MENTIONS},
        description="Sanctuary and enforcement policies of US states, counties and cities.",
    ),
]
