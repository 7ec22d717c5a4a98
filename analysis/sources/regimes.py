"""National political regimes: V-Dem (ERT and simple indices), Polity5, Freedom House, LIED, BMR.

H1 regressors (DESIGN.md section 2): V-Dem electoral democracy ``v2x_polyarchy`` and Regimes of
the World ``v2x_regime`` (main), with Polity5, Freedom House, LIED and BMR as alternatives. Every
spec writes one ``country_year`` table, unique on (``country_iso3``, ``year``).

Country resolution (shared by every spec here and in ``country_covariates``; see
:func:`analysis.resolve.countries.resolve_country_rows`): names go through ``analysis.resolve.countries.resolve_countries``, never
the sources' own codes (V-Dem ``country_text_id``, Polity ``scode`` and LIED/BMR COW codes are
project-specific). Within one audit step: units the resolver lists as non-countries are dropped
with reason ``not a country: <aggregate|territory|other>`` (e.g. Somaliland, Tibet, Abkhazia);
rows of a historical state outside its years (``data/historical_countries.csv``) are dropped
with reason ``historical state outside its period`` (V-Dem keeps coding Zanzibar after the
1964 union, 60 rows); the rest are resolved once more with ``year=`` so nothing out of period
can pass. Territories with an ISO code of their own (Hong Kong, Puerto Rico, ... in Freedom
House) keep it. Duplicates on (country_iso3, year) are then removed by the named rules below and
``check_unique`` raises on anything left.

Duplicate rules (each counted under its own audit reason):

* Palestine (V-Dem ERT, V-Dem simple, LIED): V-Dem and LIED rate Gaza and the West Bank as two
  units, both ``PSE``. ``PSE`` is the West Bank unit (seat of the Palestinian Authority, V-Dem's
  own ``PSE`` text id); every Gaza row is dropped, also Gaza-only years (1950-1966), so the
  series is one unit throughout.
* Freedom House: Northern Ireland (rated apart 2000-2003) is dropped, ``GBR`` is the United
  Kingdom row; Gaza Strip (rated apart from 2010) is dropped, ``PSE`` is the West Bank row (the
  joint "West Bank and Gaza Strip" 1977-1995 and "Palestinian Authority-Administered
  Territories" 1996-2009 rows stay ``PSE``; "Israeli-Occupied Territories" is a territory).
* Polity5 and BMR transition years (:func:`drop_ended_entities`): when an old and a new entity
  share a year (Germany West/Germany 1990, Germany/Germany West 1945, Ethiopia 1993, Yugoslavia
  1991, Vietnam North/Vietnam 1976, Yemen North/Yemen 1990, Sudan/Sudan-North 2011), the row of
  the entity the file still codes the next year (the continuing state) is kept and the ending
  one dropped; a tie raises. Polity5 drops 7 such rows, BMR 2 (West Germany 1990, Yugoslavia
  1991; its 1945 pair resolves earlier, the West German row being uncoded). The entity is
  Polity's ``scode`` (only as a spell id: Ethiopia has two spells under one name) and BMR's
  ``bmr_country``.
* LIED Vietnam 1945-1953: "Vietnam, North" (the DRV, V-Dem id 34, continued by modern Vietnam)
  is kept; the "Vietnam" row of those years (V-Dem id 35, the colonial/State of Vietnam line
  that LIED continues as South Vietnam) is dropped. "Vietnam" before 1945 stays ``VNM``.

Specs and output columns (all nullable unless stated):

``vdem_ert`` (country/vdem_ert_v15_country_year.csv, ERT v15):
  ``v2x_polyarchy`` (0-1) with ``v2x_polyarchy_codelow``/``_codehigh`` (68% interval);
  ``v2x_regime`` (0 closed autocracy, 1 electoral autocracy, 2 electoral democracy, 3 liberal
  democracy); ERT indicators: ``ert_reg_type`` (ERT regime type, 0 autocracy / 1 democracy),
  ``ert_dem_ep`` / ``ert_aut_ep`` (1 if the year lies in a democratization / autocratization
  episode), ``ert_dem_ep_outcome`` (0 none, 1 democratic transition, 2 preempted democratic
  transition, 3 stabilized electoral autocracy, 4 reverted liberalization, 5 deepened
  democracy, 6 outcome censored), ``ert_aut_ep_outcome`` (0 none, 1 democratic breakdown,
  2 preempted democratic breakdown, 3 diminished democracy, 4 averted regression, 5 regressed
  autocracy, 6 outcome censored), ``ert_regch_event`` (RoW regime change this year: 1 autocracy
  to democracy, i.e. v2x_regime from 0/1 to 2/3, -1 the reverse, 0 none; codes as in the ERT
  package's ``get_eps``). Rows with neither ``v2x_regime`` nor ``v2x_polyarchy`` are dropped
  (``no v2x_regime or v2x_polyarchy``). Caveats: "NA" strings are read as missing;
  ``v2x_libdem`` is taken from ``vdem_simple``; historical states are resolved by name through
  the project resolver and its historical-code table, not the countrycode crosswalk the caveat
  suggests, so every source goes through one resolver.

``vdem_simple`` (country/vdem_v15_simple_indices_democracyData.rda, object ``vdem_simple``):
  for each index ``v2x_libdem``, ``v2x_partipdem``, ``v2x_delibdem``, ``v2x_egaldem``,
  ``v2x_api`` (additive polyarchy), ``v2x_mpi`` (multiplicative polyarchy): the point estimate
  (0-1) and ``<index>_codelow``, ``<index>_codehigh``, ``<index>_sd``. The file's
  ``v2x_polyarchy`` is written as ``v2x_polyarchy_simple`` (+ the same suffixes) so it cannot
  collide with the ERT column: checked when this module was written, it equals the ERT value on
  all 19,598 country-years where both have one (the simple file reaches back to 1789). Rows
  with no index at all are dropped (``no index value``). Caveats: binary R format read with
  pyreadr; no ``v2x_regime`` here (it comes from ``vdem_ert``); no local/regional government
  indices exist in any file; the v14/v15 codebook note needs no handling.

``polity5`` (country/polity5_p5v2018.csv): ``polity2`` (-10..10; Polity's series with the
  special codes already converted: -77 to 0, -88 prorated, -66 left missing) and ``durable``
  (years since the last regime change). The raw ``polity`` with its -66/-77/-88 codes is read
  only to validate and is not written. Rows with neither polity2 nor durable are dropped.
  Caveats: the BOM is stripped by the reader; data end in 2020; polity2 missing under -66 stays
  missing; the file is the third-party copy cross-checked in SOURCES.yaml.

``freedom_house`` (one spec reading all three FH files):
  ``fh_pr``, ``fh_cl`` (1-7, 1 = most free) and ``fh_status`` (``F``/``PF``/``NF``) from the
  democracyData ratings (``fh``, 1972-2024, the main series); ``fh_pr_score`` (0-40),
  ``fh_cl_score`` (0-60) and ``fh_total`` (0-100; the political-rights score, and so the
  total, can fall to -4 through FH's discretionary question B, e.g. Syria 2014-2017 total -1)
  from the FIW scores (``fh_full``, 2012-2024)
  and, for 2005-2011, from the OWID file's aggregate scores (``fh_total`` = PR + CL score);
  ``fh_total_source`` says which (``fiw_scores`` or ``owid``). The ratings' own ``fh_total``
  (PR + CL ratings, 2-14) is not used. A second table ``crosscheck`` records the agreement of
  the three files on their common country-years (``check``, ``n_compared``, ``n_agree``,
  ``n_disagree``, ``first_disagreements``): FIW vs ratings (PR, CL, status), OWID vs ratings
  (PR, CL, status) and OWID vs FIW (PR and CL aggregate scores). On the 2025 mirror they agree
  everywhere except South Africa 1972 (OWID PR 5 vs 6 and CL 6 vs 5), which also confirms that
  OWID's ``year`` is the year covered, as the FIW year is (checked: FIW year = edition - 1).
  Caveats: the survey years of the early 1980s are kept as the files give them: there is no
  1981 row (the 1982 survey covers 1981-82 and is coded 1982), nothing is interpolated; ratings
  are ordinal and written as integers; OWID's balanced panel repeats every entity in every year
  with empty values (historical states after they ended are dropped as out of period, the
  remaining empty rows as ``no rating this year``); OWID has names only, resolved like the rest.

``lied`` (country/lexical_index_LIED_democracyData.rda, object ``LIED``): ``lied`` (0-6,
  democracyData's ``lexical_index``), ``lied_original`` (``lexical_index_original``, which
  differs in 17 country-years where democracyData revised the index), ``lied_plus``
  (``lexical_index_plus``, 0-7) and ``lied_sovereign`` (0/1; LIED also codes colonies).

``bmr`` (country/boix_miller_rosato_democracyData.rda, object ``bmr``): ``bmr_democracy``
  (0/1), ``bmr_democracy_duration`` (consecutive years in the current regime),
  ``bmr_democracy_trans`` (-1 breakdown, 0, 1 transition), ``bmr_democracy_breakdowns``
  (previous breakdowns), ``bmr_democracy_femalesuffrage`` (0/1). Rows where ``democracy`` is not
  coded are dropped (``democracy not coded``) before the transition-year rule, so Germany 1945
  keeps the coded Reich row, not the uncoded West Germany one. Ends 2020.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.resolve.countries import resolve_country_rows
from analysis.sources.common.base import COUNTRY_YEAR_KEY as KEY
from analysis.sources.common.base import (
    ParsedSource,
    SourceSpec,
    country_year_schema,
    finish_country_year,
)
from analysis.sources.common.readers import (
    check_codes,
    check_range,
    read_rda,
    read_text_table,
    require_columns,
    to_int,
    to_number,
    to_year,
)

SHOW = 5  # how many offending values or keys a message quotes

ERT_FILE = "country/vdem_ert_v15_country_year.csv"
SIMPLE_FILE = "country/vdem_v15_simple_indices_democracyData.rda"
POLITY_FILE = "country/polity5_p5v2018.csv"
FH_RATINGS_FILE = "country/freedom_house_ratings_1972_2024_democracyData.rda"
FH_FIW_FILE = "country/freedom_house_fiw_scores_2012_2024_democracyData.rda"
FH_OWID_FILE = "country/freedom_house_owid_cleaned_1972_2022.csv"
LIED_FILE = "country/lexical_index_LIED_democracyData.rda"
BMR_FILE = "country/boix_miller_rosato_democracyData.rda"

VDEM_GAZA = "Palestine/Gaza"
FH_GAZA = "Gaza Strip"
FH_NORTHERN_IRELAND = "Northern Ireland"
LIED_VIETNAM_SOUTH_LINE = "Vietnam"  # LIED's name for V-Dem id 35 before 1954

REASON_GAZA_VDEM = "Palestine/Gaza: PSE is the West Bank unit"
REASON_GAZA_FH = "Gaza Strip: rated apart from 2010; PSE is the West Bank row"
REASON_NI = "Northern Ireland: rated apart from the UK; GBR is the United Kingdom row"
REASON_TRANSITION = "transition year: the ending entity's row (continuing state kept)"


# --------------------------------------------------------------------------- helpers


def drop_ended_entities(
    audit: RowAudit,
    df: pd.DataFrame,
    entity: str,
    file: str,
    spells: pd.DataFrame,
    reason: str = REASON_TRANSITION,
) -> pd.DataFrame:
    """In years where two entities share a ``country_iso3``, keep the one coded the next year.

    A transition year (e.g. Polity's Germany West and Germany in 1990) has a row for the ending
    and for the continuing entity; the continuing one is the entity with a row in ``year + 1``
    among ``spells`` (the file's ``entity`` and ``year`` columns as read, so a row dropped for
    another reason still shows the entity continues). Raises if a duplicated country-year does
    not have exactly one continuing row.
    """
    dup = df.duplicated(KEY, keep=False)
    present = pd.MultiIndex.from_arrays([spells[entity], spells["year"]])
    following = pd.MultiIndex.from_arrays([df[entity], df["year"] + 1])
    continues = pd.Series(following.isin(present), index=df.index)
    kept = (dup & continues)[dup].groupby([df.loc[dup, c] for c in KEY]).sum()
    unclear = kept[kept != 1]
    if not unclear.empty:
        shown = [tuple(k) for k in unclear.index[:SHOW]]
        raise RawInputError(
            file,
            f"{len(unclear)} duplicated country-year(s) without exactly one entity that "
            f"continues the next year; first: {shown}",
            entity,
            shown[0],
        )
    return audit.drop(dup & ~continues, reason)


def _numbers(df: pd.DataFrame, columns: Iterable[str], file: str) -> dict[str, pd.Series]:
    return {c: to_number(df[c], file, c) for c in columns}


def _ints(df: pd.DataFrame, columns: Iterable[str], file: str) -> dict[str, pd.Series]:
    return {c: to_int(df[c], file, c) for c in columns}


def _share(low: float = 0, high: float = 1) -> pa.Column:
    return pa.Column(float, pa.Check.in_range(low, high), nullable=True)


def _codes(*values: int) -> pa.Column:
    return pa.Column("Int64", pa.Check.isin(list(values)), nullable=True)


def _year_column(df: pd.DataFrame, file: str) -> pd.DataFrame:
    return df.assign(year=to_year(df["year"], file, "year", allow_missing=False))


# --------------------------------------------------------------------------- V-Dem ERT

VDEM_ERT = "vdem_ert"
ERT_POLYARCHY = ["v2x_polyarchy", "v2x_polyarchy_codelow", "v2x_polyarchy_codehigh"]
# raw ERT column -> (output column, allowed codes)
ERT_CODES: dict[str, tuple[str, tuple[int, ...]]] = {
    "v2x_regime": ("v2x_regime", (0, 1, 2, 3)),
    "reg_type": ("ert_reg_type", (0, 1)),
    "dem_ep": ("ert_dem_ep", (0, 1)),
    "aut_ep": ("ert_aut_ep", (0, 1)),
    "dem_ep_outcome": ("ert_dem_ep_outcome", (0, 1, 2, 3, 4, 5, 6)),
    "aut_ep_outcome": ("ert_aut_ep_outcome", (0, 1, 2, 3, 4, 5, 6)),
    "row_regch_event": ("ert_regch_event", (-1, 0, 1)),
}

VDEM_ERT_SCHEMA = country_year_schema(
    {
        **{c: _share() for c in ERT_POLYARCHY},
        **{out: _codes(*codes) for out, codes in ERT_CODES.values()},
    },
    name="vdem_ert_country_year",
)


def parse_vdem_ert(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(VDEM_ERT)
    raw = read_text_table(paths[ERT_FILE], na_values=["NA"])
    require_columns(raw, ["country_name", "year", *ERT_POLYARCHY, *ERT_CODES], ERT_FILE)
    values = {**_numbers(raw, ERT_POLYARCHY, ERT_FILE), **_ints(raw, ERT_CODES, ERT_FILE)}
    for column in ERT_POLYARCHY:
        check_range(values[column], 0, 1, ERT_FILE, column)
    for column, (_, codes) in ERT_CODES.items():
        check_codes(values[column], codes, ERT_FILE, column)
    df = _year_column(raw[["country_name", "year"]], ERT_FILE).assign(**values)
    df = audit.start(df, "country_year")
    df = resolve_country_rows(audit, df, "country_name", ERT_FILE)
    df = audit.drop(df["country_name"].eq(VDEM_GAZA), REASON_GAZA_VDEM)
    df = audit.drop(
        df["v2x_regime"].isna() & df["v2x_polyarchy"].isna(), "no v2x_regime or v2x_polyarchy"
    )
    df = finish_country_year(audit, df, ERT_FILE)
    table = df[KEY + ERT_POLYARCHY + list(ERT_CODES)].rename(
        columns={raw_name: out for raw_name, (out, _) in ERT_CODES.items()}
    )
    return ParsedSource(tables={"country_year": table.reset_index(drop=True)}, audit=audit)


# --------------------------------------------------------------------------- V-Dem simple

VDEM_SIMPLE = "vdem_simple"
SIMPLE_INDICES = [
    "v2x_polyarchy",
    "v2x_libdem",
    "v2x_partipdem",
    "v2x_delibdem",
    "v2x_egaldem",
    "v2x_api",
    "v2x_mpi",
]
SIMPLE_SUFFIXES = ["", "_codelow", "_codehigh", "_sd"]
SIMPLE_RAW = [i + s for i in SIMPLE_INDICES for s in SIMPLE_SUFFIXES]


def _simple_name(raw_name: str) -> str:
    """Output name: V-Dem's own, except v2x_polyarchy* becomes v2x_polyarchy_simple*."""
    return raw_name.replace("v2x_polyarchy", "v2x_polyarchy_simple", 1)


VDEM_SIMPLE_SCHEMA = country_year_schema(
    {_simple_name(c): _share() for c in SIMPLE_RAW}, name="vdem_simple_country_year"
)


def parse_vdem_simple(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(VDEM_SIMPLE)
    raw = read_rda(paths[SIMPLE_FILE], "vdem_simple")
    require_columns(raw, ["vdem_country_name", "year", *SIMPLE_RAW], SIMPLE_FILE)
    values = _numbers(raw, SIMPLE_RAW, SIMPLE_FILE)
    for column in SIMPLE_RAW:
        check_range(values[column], 0, 1, SIMPLE_FILE, column)
    df = _year_column(raw[["vdem_country_name", "year"]], SIMPLE_FILE).assign(**values)
    df = audit.start(df, "country_year")
    df = resolve_country_rows(audit, df, "vdem_country_name", SIMPLE_FILE)
    df = audit.drop(df["vdem_country_name"].eq(VDEM_GAZA), REASON_GAZA_VDEM)
    df = audit.drop(df[SIMPLE_INDICES].isna().all(axis=1), "no index value")
    df = finish_country_year(audit, df, SIMPLE_FILE)
    table = df[KEY + SIMPLE_RAW].rename(columns=_simple_name)
    return ParsedSource(tables={"country_year": table.reset_index(drop=True)}, audit=audit)


# --------------------------------------------------------------------------- Polity5

POLITY5 = "polity5"
POLITY_SPECIAL = (-66, -77, -88)

POLITY5_SCHEMA = country_year_schema(
    {
        "polity2": pa.Column(float, pa.Check.in_range(-10, 10), nullable=True),
        "durable": pa.Column("Int64", pa.Check.ge(0), nullable=True),
    },
    name="polity5_country_year",
)


def parse_polity5(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(POLITY5)
    raw = read_text_table(paths[POLITY_FILE])
    require_columns(raw, ["country", "scode", "year", "polity", "polity2", "durable"], POLITY_FILE)
    polity = to_int(raw["polity"], POLITY_FILE, "polity")
    check_codes(polity, [*range(-10, 11), *POLITY_SPECIAL], POLITY_FILE, "polity")
    polity2 = to_number(raw["polity2"], POLITY_FILE, "polity2")
    check_range(polity2, -10, 10, POLITY_FILE, "polity2")
    durable = to_int(raw["durable"], POLITY_FILE, "durable")
    check_range(durable, 0, 1000, POLITY_FILE, "durable")
    df = _year_column(raw[["country", "scode", "year"]], POLITY_FILE)
    df = audit.start(df.assign(polity2=polity2, durable=durable), "country_year")
    spells = df[["scode", "year"]]
    df = resolve_country_rows(audit, df, "country", POLITY_FILE)
    df = audit.drop(df["polity2"].isna() & df["durable"].isna(), "no polity2 or durable")
    df = drop_ended_entities(audit, df, "scode", POLITY_FILE, spells)
    df = finish_country_year(audit, df, POLITY_FILE)
    table = df[[*KEY, "polity2", "durable"]].reset_index(drop=True)
    return ParsedSource(tables={"country_year": table}, audit=audit)


# --------------------------------------------------------------------------- Freedom House

FREEDOM_HOUSE = "freedom_house"
FH_STATUS = ("F", "PF", "NF")
OWID_REGIME_STATUS = {0: "NF", 1: "PF", 2: "F"}  # OWID regime_fh -> FH status
OWID_SCORE_FIRST_YEAR = 2005
FIW_FIRST_YEAR = 2012
# FIW aggregate scores; the political-rights score goes below 0 when the discretionary
# question B (AddQ, up to -4) outweighs the rest (Syria 2014-2017: -3).
FH_SCORE_RANGES = {"pr_full": (-4, 40), "cl_full": (0, 60), "total": (-4, 100)}

FREEDOM_HOUSE_SCHEMA = country_year_schema(
    {
        "fh_pr": _codes(1, 2, 3, 4, 5, 6, 7),
        "fh_cl": _codes(1, 2, 3, 4, 5, 6, 7),
        "fh_status": pa.Column(str, pa.Check.isin(FH_STATUS), nullable=True),
        "fh_pr_score": _share(*FH_SCORE_RANGES["pr_full"]),
        "fh_cl_score": _share(*FH_SCORE_RANGES["cl_full"]),
        "fh_total": _share(*FH_SCORE_RANGES["total"]),
        "fh_total_source": pa.Column(str, pa.Check.isin(["fiw_scores", "owid"]), nullable=True),
    },
    name="freedom_house_country_year",
)

FH_CROSSCHECK_SCHEMA = pa.DataFrameSchema(
    {
        "check": pa.Column(str, unique=True),
        "n_compared": pa.Column("int64", pa.Check.ge(0)),
        "n_agree": pa.Column("int64", pa.Check.ge(0)),
        "n_disagree": pa.Column("int64", pa.Check.ge(0)),
        "first_disagreements": pa.Column(str, nullable=True),
    },
    strict=True,
    name="freedom_house_crosscheck",
)


def _fh_drop_units(audit: RowAudit, df: pd.DataFrame, column: str) -> pd.DataFrame:
    df = audit.drop(df[column].eq(FH_NORTHERN_IRELAND), REASON_NI)
    return audit.drop(df[column].eq(FH_GAZA), REASON_GAZA_FH)


def _fh_status(series: pd.Series, file: str) -> pd.Series:
    status = series.astype("str").str.strip()
    check_codes(status, FH_STATUS, file, "status")
    return status


def _fh_ratings(path: Path, audit: RowAudit) -> pd.DataFrame:
    file = FH_RATINGS_FILE
    raw = read_rda(path, "fh")
    require_columns(raw, ["fh_country", "year", "pr", "cl", "status"], file)
    values = {"fh_pr": to_int(raw["pr"], file, "pr"), "fh_cl": to_int(raw["cl"], file, "cl")}
    check_codes(values["fh_pr"], range(1, 8), file, "pr")
    check_codes(values["fh_cl"], range(1, 8), file, "cl")
    df = _year_column(raw[["fh_country", "year"]], file).assign(
        **values, fh_status=_fh_status(raw["status"], file)
    )
    df = audit.start(df, "ratings")
    df = resolve_country_rows(audit, df, "fh_country", file)
    df = _fh_drop_units(audit, df, "fh_country")
    return finish_country_year(audit, df, file)


def _fh_fiw(path: Path, audit: RowAudit) -> pd.DataFrame:
    file = FH_FIW_FILE
    raw = read_rda(path, "fh_full")
    columns = ["pr", "cl", "pr_full", "cl_full", "total"]
    require_columns(raw, ["fh_full_country", "edition", "year", "status", *columns], file)
    values = _ints(raw, columns, file)
    for column, (low, high) in FH_SCORE_RANGES.items():
        check_range(values[column], low, high, file, column)
    df = _year_column(raw[["fh_full_country", "year"]], file)
    edition = to_year(raw["edition"], file, "edition", allow_missing=False)
    shifted = edition - 1 != df["year"]
    if shifted.any():  # the caveat: year = edition - 1; anything else misdates the scores
        raise RawInputError(
            file, "year is not edition - 1", "year", df.loc[shifted, "year"].iloc[0]
        )
    df = df.assign(**values, status=_fh_status(raw["status"], file))
    df = audit.start(df, "fiw_scores")
    df = resolve_country_rows(audit, df, "fh_full_country", file)
    df = _fh_drop_units(audit, df, "fh_full_country")
    return finish_country_year(audit, df, file)


def _fh_owid(path: Path, audit: RowAudit) -> pd.DataFrame:
    file = FH_OWID_FILE
    raw = read_text_table(path)
    codes = ["regime_fh", "polrights_fh", "civlibs_fh", "electdem_fh"]
    scores = ["electprocess_fh", "polrights_score_fh", "civlibs_score_fh"]
    require_columns(raw, ["country_name", "year", *codes, *scores], file)
    values = _ints(raw, codes + scores, file)
    check_codes(values["regime_fh"], OWID_REGIME_STATUS, file, "regime_fh")
    check_codes(values["polrights_fh"], range(1, 8), file, "polrights_fh")
    check_codes(values["civlibs_fh"], range(1, 8), file, "civlibs_fh")
    check_codes(values["electdem_fh"], (0, 1), file, "electdem_fh")
    check_range(values["electprocess_fh"], 0, 12, file, "electprocess_fh")
    for column, fiw_column in {
        "polrights_score_fh": "pr_full",
        "civlibs_score_fh": "cl_full",
    }.items():
        check_range(values[column], *FH_SCORE_RANGES[fiw_column], file, column)
    df = _year_column(raw[["country_name", "year"]], file).assign(**values)
    df = audit.start(df, "owid")
    df = resolve_country_rows(audit, df, "country_name", file)
    df = audit.drop(
        df[codes + scores].isna().all(axis=1), "no rating this year (OWID panel filler)"
    )
    df = _fh_drop_units(audit, df, "country_name")
    df = finish_country_year(audit, df, file)
    return df.assign(status=df["regime_fh"].map(OWID_REGIME_STATUS).astype("str"))


def _owid_scores(owid: pd.DataFrame, audit: RowAudit) -> pd.DataFrame:
    """OWID rows that give fh_total where the FIW scores do not reach (2005-2011)."""
    df = audit.start(owid, "owid_scores_2005_2011")
    df = audit.drop(
        df["polrights_score_fh"].isna() | df["civlibs_score_fh"].isna(),
        "no aggregate score (OWID has them 2005-2022)",
    )
    df = audit.drop(
        df["year"].ge(FIW_FIRST_YEAR).astype(bool),
        "year covered by fiw_scores (OWID only cross-checks)",
    )
    return audit.finish(df)


def _agreement(
    name: str, left: pd.DataFrame, right: pd.DataFrame, pairs: Mapping[str, str]
) -> dict[str, object]:
    """Compare ``left[l]`` with ``right[r]`` for each pair on the country-years both have."""
    both = left.merge(right, on=KEY, suffixes=("_l", "_r"))
    agree = pd.Series(True, index=both.index)
    for lcol, rcol in pairs.items():
        lvals = both[f"{lcol}_l" if lcol == rcol else lcol]
        rvals = both[f"{rcol}_r" if lcol == rcol else rcol]
        agree &= lvals.eq(rvals).fillna(False).astype(bool) | (lvals.isna() & rvals.isna())
    bad = both.loc[~agree, KEY].sort_values(KEY)
    shown = [f"{iso} {year}" for iso, year in bad.head(SHOW).itertuples(index=False)]
    return {
        "check": name,
        "n_compared": len(both),
        "n_agree": int(agree.sum()),
        "n_disagree": int((~agree).sum()),
        "first_disagreements": "; ".join(shown) if shown else None,
    }


def _fh_crosscheck(ratings: pd.DataFrame, fiw: pd.DataFrame, owid: pd.DataFrame) -> pd.DataFrame:
    rows = [
        _agreement(
            "fiw_vs_ratings_pr_cl_status",
            fiw[[*KEY, "pr", "cl", "status"]],
            ratings[[*KEY, "fh_pr", "fh_cl", "fh_status"]],
            {"pr": "fh_pr", "cl": "fh_cl", "status": "fh_status"},
        ),
        _agreement(
            "owid_vs_ratings_pr_cl_status",
            owid[[*KEY, "polrights_fh", "civlibs_fh", "status"]],
            ratings[[*KEY, "fh_pr", "fh_cl", "fh_status"]],
            {"polrights_fh": "fh_pr", "civlibs_fh": "fh_cl", "status": "fh_status"},
        ),
        _agreement(
            "owid_vs_fiw_pr_cl_scores",
            owid.loc[
                owid["polrights_score_fh"].notna(), [*KEY, "polrights_score_fh", "civlibs_score_fh"]
            ],
            fiw[[*KEY, "pr_full", "cl_full"]],
            {"polrights_score_fh": "pr_full", "civlibs_score_fh": "cl_full"},
        ),
    ]
    return pd.DataFrame(rows).astype(
        {"n_compared": "int64", "n_agree": "int64", "n_disagree": "int64"}
    )


def parse_freedom_house(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(FREEDOM_HOUSE)
    ratings = _fh_ratings(paths[FH_RATINGS_FILE], audit)
    fiw = _fh_fiw(paths[FH_FIW_FILE], audit)
    owid = _fh_owid(paths[FH_OWID_FILE], audit)
    fill = _owid_scores(owid, audit)

    def scores(df: pd.DataFrame, pr: str, cl: str, source: str) -> pd.DataFrame:
        pr_score, cl_score = df[pr].astype(float), df[cl].astype(float)
        return pd.DataFrame(
            {
                "country_iso3": df["country_iso3"],
                "year": df["year"],
                "fh_pr_score": pr_score,
                "fh_cl_score": cl_score,
                "fh_total": pr_score + cl_score,
                "fh_total_source": source,
            }
        )

    fiw_total = fiw["total"].astype(float)
    mismatch = fiw_total != fiw["pr_full"].astype(float) + fiw["cl_full"].astype(float)
    if mismatch.any():
        raise RawInputError(
            FH_FIW_FILE, "total is not pr_full + cl_full", "total", fiw_total[mismatch].iloc[0]
        )
    all_scores = pd.concat(
        [
            scores(fiw, "pr_full", "cl_full", "fiw_scores"),
            scores(fill, "polrights_score_fh", "civlibs_score_fh", "owid"),
        ],
        ignore_index=True,
    )
    table = ratings[[*KEY, "fh_pr", "fh_cl", "fh_status"]].merge(all_scores, on=KEY, how="outer")
    table = table.astype({"year": "Int64", "fh_pr": "Int64", "fh_cl": "Int64"})
    tables = {
        "country_year": table.reset_index(drop=True),
        "crosscheck": _fh_crosscheck(ratings, fiw, owid),
    }
    return ParsedSource(tables=tables, audit=audit)


# --------------------------------------------------------------------------- LIED

LIED = "lied"
# raw column -> (output column, allowed codes)
LIED_COLUMNS: dict[str, tuple[str, tuple[int, ...]]] = {
    "lexical_index": ("lied", (0, 1, 2, 3, 4, 5, 6)),
    "lexical_index_original": ("lied_original", (0, 1, 2, 3, 4, 5, 6)),
    "lexical_index_plus": ("lied_plus", (0, 1, 2, 3, 4, 5, 6, 7)),
    "sovereign": ("lied_sovereign", (0, 1)),
}
LIED_SCHEMA = country_year_schema(
    {out: _codes(*codes) for out, codes in LIED_COLUMNS.values()}, name="lied_country_year"
)


def parse_lied(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(LIED)
    raw = read_rda(paths[LIED_FILE], "LIED")
    require_columns(raw, ["lied_country", "year", *LIED_COLUMNS], LIED_FILE)
    values = _ints(raw, LIED_COLUMNS, LIED_FILE)
    for column, (_, codes) in LIED_COLUMNS.items():
        check_codes(values[column], codes, LIED_FILE, column)
    df = _year_column(raw[["lied_country", "year"]], LIED_FILE).assign(**values)
    df = audit.start(df, "country_year")
    df = resolve_country_rows(audit, df, "lied_country", LIED_FILE)
    df = audit.drop(df["lied_country"].eq(VDEM_GAZA), REASON_GAZA_VDEM)
    shadowed = df.duplicated(KEY, keep=False) & df["lied_country"].eq(LIED_VIETNAM_SOUTH_LINE)
    df = audit.drop(shadowed, "Vietnam 1945-1953: the DRV row (Vietnam, North) is kept")
    df = finish_country_year(audit, df, LIED_FILE)
    table = df[KEY + list(LIED_COLUMNS)].rename(
        columns={raw_name: out for raw_name, (out, _) in LIED_COLUMNS.items()}
    )
    return ParsedSource(tables={"country_year": table.reset_index(drop=True)}, audit=audit)


# --------------------------------------------------------------------------- BMR

BMR = "bmr"
# raw column -> (output column, allowed range)
BMR_COLUMNS: dict[str, tuple[str, tuple[int, int]]] = {
    "democracy": ("bmr_democracy", (0, 1)),
    "democracy_duration": ("bmr_democracy_duration", (0, 1000)),
    "democracy_trans": ("bmr_democracy_trans", (-1, 1)),
    "democracy_breakdowns": ("bmr_democracy_breakdowns", (0, 100)),
    "democracy_femalesuffrage": ("bmr_democracy_femalesuffrage", (0, 1)),
}
BMR_SCHEMA = country_year_schema(
    {
        out: pa.Column("Int64", pa.Check.in_range(low, high), nullable=True)
        for out, (low, high) in BMR_COLUMNS.values()
    },
    name="bmr_country_year",
)


def parse_bmr(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(BMR)
    raw = read_rda(paths[BMR_FILE], "bmr")
    require_columns(raw, ["bmr_country", "year", *BMR_COLUMNS], BMR_FILE)
    values = _ints(raw, BMR_COLUMNS, BMR_FILE)
    for column, (_, (low, high)) in BMR_COLUMNS.items():
        check_range(values[column], low, high, BMR_FILE, column)
    df = _year_column(raw[["bmr_country", "year"]], BMR_FILE).assign(**values)
    df = audit.start(df, "country_year")
    spells = df[["bmr_country", "year"]]
    df = resolve_country_rows(audit, df, "bmr_country", BMR_FILE)
    df = audit.drop(df["democracy"].isna(), "democracy not coded")
    df = drop_ended_entities(audit, df, "bmr_country", BMR_FILE, spells)
    df = finish_country_year(audit, df, BMR_FILE)
    table = df[KEY + list(BMR_COLUMNS)].rename(
        columns={raw_name: out for raw_name, (out, _) in BMR_COLUMNS.items()}
    )
    return ParsedSource(tables={"country_year": table.reset_index(drop=True)}, audit=audit)


# --------------------------------------------------------------------------- registry

SOURCES = [
    SourceSpec(
        name=VDEM_ERT,
        files=(ERT_FILE,),
        parse=parse_vdem_ert,
        schemas={"country_year": VDEM_ERT_SCHEMA},
        description="V-Dem ERT v15: v2x_polyarchy, Regimes of the World, ERT episodes.",
    ),
    SourceSpec(
        name=VDEM_SIMPLE,
        files=(SIMPLE_FILE,),
        parse=parse_vdem_simple,
        schemas={"country_year": VDEM_SIMPLE_SCHEMA},
        description="V-Dem v15 high-level democracy indices (democracyData).",
    ),
    SourceSpec(
        name=POLITY5,
        files=(POLITY_FILE,),
        parse=parse_polity5,
        schemas={"country_year": POLITY5_SCHEMA},
        description="Polity5 polity2 and durable.",
    ),
    SourceSpec(
        name=FREEDOM_HOUSE,
        files=(FH_RATINGS_FILE, FH_FIW_FILE, FH_OWID_FILE),
        parse=parse_freedom_house,
        schemas={"country_year": FREEDOM_HOUSE_SCHEMA, "crosscheck": FH_CROSSCHECK_SCHEMA},
        description="Freedom House ratings 1972-2024 and aggregate scores 2005-2024.",
    ),
    SourceSpec(
        name=LIED,
        files=(LIED_FILE,),
        parse=parse_lied,
        schemas={"country_year": LIED_SCHEMA},
        description="Lexical Index of Electoral Democracy (democracyData).",
    ),
    SourceSpec(
        name=BMR,
        files=(BMR_FILE,),
        parse=parse_bmr,
        schemas={"country_year": BMR_SCHEMA},
        description="Boix-Miller-Rosato dichotomous democracy (democracyData).",
    ),
]
