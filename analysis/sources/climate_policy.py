"""National climate laws and policies by country-year (Climate Change Laws of the World; CPDB).

National climate-policy activity is the counterpart of city climate commitments in H1 and H3:
cities "step in" where the nation does little, or follow where it leads.

Spec ``climate_laws`` (Grantham Institute / Sabin Center, export of 2021-01-30)
------------------------------------------------------------------------------
``climate_laws`` (one row per national law or executive policy; the EU's 42 rows are dropped
as an aggregate, counted):

- ``country_iso3``: from ``Geography ISO``;
- ``law_id``: ``<iso3>:<first 12 hex digits of sha1(type|title)>``, stable across exports as
  long as title and type do not change (the export carries no id);
- ``title``; ``law_type``: ``legislative`` (laws, acts) or ``executive`` (policies, strategies,
  decrees), the file's ``Type``;
- ``year_passed``: year the law was passed or the policy adopted, from ``Events``
  (see below); missing for the 3 rows without any dated event;
- ``year_basis``: ``adoption_event`` (the earliest event that is not an amendment, repeal, update
  or entry into force), ``earliest_event`` (a law whose only events are amendments or entries
  into force: it existed by then; 8 rows) or ``undated``;
- ``passage_event``: the event label used (``Law passed``, ``Approved``, ...);
- ``n_events``: number of dated events listed;
- ``document_types``, ``frameworks``, ``responses``: the file's comma-separated lists (missing
  where blank).

``Events`` holds ``;``-separated entries ``dd/mm/yyyy|event|note|...``; entries are parsed
strictly (a date that is not ``dd/mm/yyyy`` raises, naming the file, the column and the value).
25 December and 1 January are the database's placeholders for a year-only date, so only the
year is used. Exact duplicate records (same country, title, type and year: South Africa's
Integrated Coastal Management Act and Uganda's Renewable Energy Policy appear twice) are
dropped with a counted reason.

``country_year`` (countries of the file x 1950..2020): ``climate_laws_new`` (laws and policies
passed in the year), ``climate_laws_cum`` (passed in or before the year, including those before
1950), ``climate_laws_legislative_cum`` (legislative only). The export ends on 2021-01-30
(caveat: 2021-2024 laws are missing; the database has since moved to Climate Policy Radar), so
the panel stops at 2020, the last complete year; rows passed in 2021 (or dated later, i.e.
scheduled) and undated rows are left out of the counts with counted reasons (audit step
``counts``). A country absent from the file has no rows (the database covers every UNFCCC
party, so absence means no law recorded; the assembly may read it as 0). The copy is a third
party's (bytes as downloaded, not verifiable against the publisher: caveat); it is read with
calamine through ``read_excel_table``.

Spec ``climate_policy_db`` (Nascimento et al. 2022, CPDB version 2021-06-23)
---------------------------------------------------------------------------
``country_year`` (193 countries x 1990..2019 minus the EU, whose ``EUE`` rows are dropped as
an aggregate, counted). Columns, all prefixed ``cpdb_`` (raw name in brackets):

- counts: ``cpdb_n_policies`` [N] climate policies in force in the year (unique policy ids);
  ``cpdb_n_policies_matrix`` [N_policies_matrix] policies mapped to the 50-option matrix;
  ``cpdb_n_options`` [N_options] policy options covered; ``cpdb_sum_instruments``
  [SUM_instruments] and ``cpdb_sum_instruments_ipcc`` [SUM_instruments_IPCC] instrument counts
  behind the shares below;
- indices: ``cpdb_coverage`` [C] share of the 50 options with a policy; ``cpdb_balance`` [B]
  instrument-type balance (1 - Simpson concentration); ``cpdb_sectoral_focus`` [F] mean
  sectoral focus (5 = general); ``cpdb_specificity`` [Sp] mean specificity;
- instrument-type shares of ``cpdb_sum_instruments``: ``cpdb_share_fiscal_financial``
  [FiscalFinancialIncentives], ``cpdb_share_market_based`` [Market-basedInstruments],
  ``cpdb_share_codes_standards`` [CodesStandards], ``cpdb_share_other_regulatory``
  [OtherRegulatoryInstruments], ``cpdb_share_rdd`` [RDD], ``cpdb_share_information_education``
  [InformationEducation], ``cpdb_share_voluntary`` [VoluntaryApproaches],
  ``cpdb_share_barrier_removal`` [BarrierRemoval], ``cpdb_share_climate_strategy``
  [ClimateStrategy], ``cpdb_share_target`` [Target], ``cpdb_share_direct_investment``
  [DirectInvestment];
- IPCC AR6 groups, shares of ``cpdb_sum_instruments_ipcc``: ``cpdb_share_ipcc_economic``,
  ``cpdb_share_ipcc_regulatory``, ``cpdb_share_ipcc_other``.

Indices and shares are missing where the country had no policy (nothing to average), as in the
file. Caveats: a derived analysis output, not the raw database; counts follow the database's
uneven coverage (G20 far better covered than small states), so compare within country over time
or with country fixed effects; ends 2019.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.resolve.countries import (
    NON_COUNTRY_DROP_LABELLED,
    drop_non_countries,
    resolve_countries,
)
from analysis.sources.common.base import ParsedSource, SourceSpec, country_year_schema
from analysis.sources.common.readers import (
    check_unique,
    read_excel_table,
    read_text_table,
    require_columns,
    to_date,
    to_int,
    to_number,
    to_year,
)

LAWS_NAME = "climate_laws"
LAWS_FILE = "country/climate_laws_of_the_world_laws_policies_2021-01-30.xlsx"
LAWS_COLUMNS = [
    "Title",
    "Type",
    "Geography",
    "Geography ISO",
    "Frameworks",
    "Responses",
    "Document Types",
    "Events",
]
LAW_TYPES = ("legislative", "executive")
LAWS_YEARS = range(1950, 2021)  # the export ends 2021-01-30: 2020 is the last complete year
#: Events that presuppose an existing law (not its passage).
LATER_EVENT = re.compile(
    r"amend|repeal|replac|recast|updat|revis|entry into force|enter into force|commenc|"
    r"detailed|dissolv|allocat|new version|enforcement|provisions",
    re.IGNORECASE,
)
_EVENT_DATE = re.compile(r"\d{2}/\d{2}/\d{4}")


def _text(series: pd.Series) -> pd.Series:
    """Cells as stripped strings, blanks missing."""
    out = series.map(lambda v: pd.NA if pd.isna(v) else str(v).strip())
    return out.astype("string").replace("", pd.NA)


def parse_events(events: pd.Series, file: str) -> pd.DataFrame:
    """One row per dated event: `row` (index of `events`), `date`, `event`."""
    entries = events.dropna().astype(str).str.split(";").explode().str.strip()
    entries = entries[entries != ""]
    parts = entries.str.split("|")
    dates = parts.str[0].str.strip()
    bad = ~dates.str.fullmatch(_EVENT_DATE.pattern)
    if bad.any():
        raise RawInputError(
            file,
            "event entry does not start with a dd/mm/yyyy date",
            "Events",
            entries[bad].iloc[0],
        )
    out = pd.DataFrame(
        {
            "row": entries.index,
            "date": to_date(dates, file, "Events", formats=["%d/%m/%Y"]).to_numpy(),
            "event": parts.str[1].fillna("").str.strip().to_numpy(),
        }
    )
    return out.reset_index(drop=True)


def _passage(events: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """Per law row: year passed, its basis, the event used and the number of dated events."""
    events = events.assign(later=events["event"].str.contains(LATER_EVENT))
    events = events.sort_values(["row", "later", "date"], kind="mergesort")
    first = events.groupby("row").head(1).set_index("row")
    out = pd.DataFrame(index=index)
    out["year_passed"] = first["date"].dt.year.reindex(index).astype("Int64")
    out["year_basis"] = (
        first["later"].map({False: "adoption_event", True: "earliest_event"}).reindex(index)
    )
    out["year_basis"] = out["year_basis"].fillna("undated").astype(str)
    out["passage_event"] = first["event"].reindex(index).astype("string").replace("", pd.NA)
    out["n_events"] = events.groupby("row").size().reindex(index).fillna(0).astype("Int64")
    return out


def _law_id(iso3: pd.Series, law_type: pd.Series, title: pd.Series) -> pd.Series:
    keys = law_type.astype(str) + "|" + title.astype(str)
    digests = keys.map(lambda k: hashlib.sha1(k.encode("utf-8")).hexdigest()[:12])
    return iso3.astype(str) + ":" + digests


def parse_climate_laws(paths: Mapping[str, Path]) -> ParsedSource:
    file = LAWS_FILE
    audit = RowAudit(LAWS_NAME)
    raw = read_excel_table(paths[file])
    require_columns(raw, LAWS_COLUMNS, file)
    law_type = _text(raw["Type"]).str.lower()
    bad = ~law_type.isin(LAW_TYPES).fillna(False).astype(bool)
    if bad.any():
        raise RawInputError(
            file, f"type must be one of {LAW_TYPES}", "Type", raw.loc[bad, "Type"].iloc[0]
        )
    if _text(raw["Title"]).isna().any():
        raise RawInputError(file, "law without a title", "Title", None)
    passage = _passage(parse_events(raw["Events"], file), raw.index)
    df = raw.assign(law_type=law_type.astype(str), title=_text(raw["Title"]).astype(str))
    df = pd.concat([df, passage], axis=1)
    df = audit.start(df, "laws")
    df = drop_non_countries(audit, df, "Geography ISO", reason=NON_COUNTRY_DROP_LABELLED)
    df = df.assign(country_iso3=resolve_countries(df["Geography ISO"], source=file).astype(str))
    df = audit.drop(
        df.duplicated(["country_iso3", "title", "law_type", "year_passed"]),
        "duplicate record (same country, title, type and year passed)",
        frame=df,
    )
    audit.finish(df)
    df = df.assign(law_id=_law_id(df["country_iso3"], df["law_type"], df["title"]))
    check_unique(df, ["law_id"], file)
    laws = pd.DataFrame(
        {
            "country_iso3": df["country_iso3"],
            "law_id": df["law_id"],
            "title": df["title"],
            "law_type": df["law_type"],
            "year_passed": df["year_passed"],
            "year_basis": df["year_basis"],
            "passage_event": df["passage_event"],
            "n_events": df["n_events"],
            "document_types": _text(df["Document Types"]),
            "frameworks": _text(df["Frameworks"]),
            "responses": _text(df["Responses"]),
        }
    ).reset_index(drop=True)
    return ParsedSource(
        tables={"climate_laws": laws, "country_year": laws_country_year(laws, audit)},
        audit=audit,
    )


def laws_country_year(
    laws: pd.DataFrame, audit: RowAudit, years: range = LAWS_YEARS
) -> pd.DataFrame:
    """New and cumulative counts by country-year; undated and too-late laws dropped (counted)."""
    df = audit.start(laws, "counts")
    df = audit.drop(df["year_passed"].isna(), "no dated event (year passed unknown)")
    df = audit.drop(
        (df["year_passed"] > years[-1]).astype(bool),
        f"passed after {years[-1]}, the last complete year of the export",
    )
    audit.finish(df)
    index = pd.MultiIndex.from_product(
        [sorted(laws["country_iso3"].unique()), list(years)], names=["country_iso3", "year"]
    )
    # Laws before the first panel year count into its cumulative totals.
    year = df["year_passed"].clip(lower=years[0] - 1).astype("int64")
    legislative = (df["law_type"] == "legislative").astype("int64")
    counts = (
        pd.DataFrame({"country_iso3": df["country_iso3"], "year": year, "n": 1, "leg": legislative})
        .groupby(["country_iso3", "year"])[["n", "leg"]]
        .sum()
    )
    full = counts.reindex(
        pd.MultiIndex.from_product(
            [index.levels[0], [years[0] - 1, *years]], names=["country_iso3", "year"]
        ),
        fill_value=0,
    )
    cum = full.groupby(level="country_iso3").cumsum()
    out = pd.DataFrame(
        {
            "climate_laws_new": full["n"],
            "climate_laws_cum": cum["n"],
            "climate_laws_legislative_cum": cum["leg"],
        }
    ).reset_index()
    out = out[out["year"] >= years[0]].reset_index(drop=True)
    return out.astype(
        {
            "country_iso3": str,
            "year": "Int64",
            "climate_laws_new": "Int64",
            "climate_laws_cum": "Int64",
            "climate_laws_legislative_cum": "Int64",
        }
    )


CLIMATE_LAWS = pa.DataFrameSchema(
    {
        "country_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
        "law_id": pa.Column(str, unique=True),
        "title": pa.Column(str),
        "law_type": pa.Column(str, pa.Check.isin(LAW_TYPES)),
        "year_passed": pa.Column("Int64", pa.Check.in_range(1900, 2030), nullable=True),
        "year_basis": pa.Column(
            str, pa.Check.isin(["adoption_event", "earliest_event", "undated"])
        ),
        "passage_event": pa.Column("string", nullable=True),
        "n_events": pa.Column("Int64", pa.Check.ge(0)),
        "document_types": pa.Column("string", nullable=True),
        "frameworks": pa.Column("string", nullable=True),
        "responses": pa.Column("string", nullable=True),
    },
    strict=True,
    name="climate_laws",
)
_COUNT = pa.Column("Int64", pa.Check.ge(0))
LAWS_COUNTRY_YEAR = country_year_schema(
    {
        "climate_laws_new": _COUNT,
        "climate_laws_cum": _COUNT,
        "climate_laws_legislative_cum": _COUNT,
    },
    "climate_laws_country_year",
)

# --------------------------------------------------------------------------- CPDB

CPDB_NAME = "climate_policy_db"
CPDB_FILE = "country/climate_policy_database_country_year_1990_2019.csv"
CPDB_KEY = "policy_country_iso_code"
#: Raw column -> (output column, kind): "count" (whole, >= 0), "share" (0..1), "index".
CPDB_COLUMNS: dict[str, tuple[str, str]] = {
    "N": ("cpdb_n_policies", "count"),
    "N_policies_matrix": ("cpdb_n_policies_matrix", "count"),
    "N_options": ("cpdb_n_options", "count"),
    "SUM_instruments": ("cpdb_sum_instruments", "count"),
    "SUM_instruments_IPCC": ("cpdb_sum_instruments_ipcc", "count"),
    "C": ("cpdb_coverage", "share"),
    "B": ("cpdb_balance", "share"),
    "F": ("cpdb_sectoral_focus", "index"),
    "Sp": ("cpdb_specificity", "index"),
    "FiscalFinancialIncentives": ("cpdb_share_fiscal_financial", "share"),
    "Market-basedInstruments": ("cpdb_share_market_based", "share"),
    "CodesStandards": ("cpdb_share_codes_standards", "share"),
    "OtherRegulatoryInstruments": ("cpdb_share_other_regulatory", "share"),
    "RDD": ("cpdb_share_rdd", "share"),
    "InformationEducation": ("cpdb_share_information_education", "share"),
    "VoluntaryApproaches": ("cpdb_share_voluntary", "share"),
    "BarrierRemoval": ("cpdb_share_barrier_removal", "share"),
    "ClimateStrategy": ("cpdb_share_climate_strategy", "share"),
    "Target": ("cpdb_share_target", "share"),
    "DirectInvestment": ("cpdb_share_direct_investment", "share"),
    "Economic instruments": ("cpdb_share_ipcc_economic", "share"),
    "Regulatory instruments": ("cpdb_share_ipcc_regulatory", "share"),
    "Other instruments": ("cpdb_share_ipcc_other", "share"),
}


def parse_cpdb(paths: Mapping[str, Path]) -> ParsedSource:
    file = CPDB_FILE
    audit = RowAudit(CPDB_NAME)
    raw = read_text_table(paths[file])
    require_columns(raw, [CPDB_KEY, "year", *CPDB_COLUMNS], file)
    check_unique(raw, [CPDB_KEY, "year"], file)
    df = audit.start(raw, "country_years")
    df = drop_non_countries(audit, df, CPDB_KEY, reason=NON_COUNTRY_DROP_LABELLED)
    audit.finish(df)
    out = pd.DataFrame(
        {
            "country_iso3": resolve_countries(df[CPDB_KEY], source=file).astype(str),
            "year": to_year(df["year"], file, "year", allow_missing=False),
        }
    )
    for raw_name, (name, kind) in CPDB_COLUMNS.items():
        if kind == "count":
            out[name] = to_int(df[raw_name], file, raw_name, allow_missing=False)
        else:
            out[name] = to_number(df[raw_name], file, raw_name)
    out = out.reset_index(drop=True)
    check_unique(out, ["country_iso3", "year"], file)
    return ParsedSource(tables={"country_year": out}, audit=audit)


def _cpdb_column(kind: str) -> pa.Column:
    if kind == "count":
        return pa.Column("Int64", pa.Check.ge(0))
    if kind == "share":
        return pa.Column(float, pa.Check.in_range(0, 1), nullable=True)
    return pa.Column(float, pa.Check.ge(0), nullable=True)


CPDB_COUNTRY_YEAR = country_year_schema(
    {name: _cpdb_column(kind) for name, kind in CPDB_COLUMNS.values()},
    "cpdb_country_year",
)

SOURCES = [
    SourceSpec(
        name=LAWS_NAME,
        files=(LAWS_FILE,),
        parse=parse_climate_laws,
        schemas={"climate_laws": CLIMATE_LAWS, "country_year": LAWS_COUNTRY_YEAR},
        description="Climate Change Laws of the World (2021-01-30): laws/policies and "
        "cumulative counts by country-year 1950-2020.",
    ),
    SourceSpec(
        name=CPDB_NAME,
        files=(CPDB_FILE,),
        parse=parse_cpdb,
        schemas={"country_year": CPDB_COUNTRY_YEAR},
        description="Climate Policy Database country-year indicators 1990-2019 (cpdb_*).",
    ),
]
