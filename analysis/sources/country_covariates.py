"""Country covariates: World Bank GDP and population, Maddison, RAI, LAI, federalism.

Controls and moderators for H1/H2 (DESIGN.md section 2): national GDP per capita, population,
regional authority (RAI), local autonomy (LAI) and federalism. Every spec but ``federalism``
writes a ``country_year`` table unique on (``country_iso3``, ``year``); countries are resolved
with :func:`analysis.resolve.countries.resolve_country_rows` (non-countries and historical states
outside their years dropped with counted reasons, then ``resolve_countries(year=)``).

Specs and output columns (all nullable unless stated):

``worldbank`` (country/wb_gdp_current_usd_NY.GDP.MKTP.CD_datahub.csv,
country/wb_population_SP.POP.TOTL_datahub.csv): ``gdp_usd`` (GDP, current US$), ``population``
  (persons), ``gdp_pc_usd`` = ``gdp_usd / population`` where both exist (the caveat's
  definition). Resolved by ``Country Code``; the 48 World Bank aggregates (WLD, EUU, HIC, ...)
  are dropped as ``not a country: aggregate`` (the project's override list instead of the
  countrycode crosswalk the caveat suggests). Channel Islands keep the World Bank code ``CHI``
  (known to the resolver). The rows are an outer join of the two files (steps ``gdp_usd`` and
  ``population``). Caveats: values are nominal US$ (not PPP, not constant): use logs with year
  fixed effects or ``maddison_gdppc``; no Taiwan; gaps (Venezuela after 2014, Afghanistan before
  2000) stay missing, nothing is filled.

``maddison`` (country/maddison_project_2020_owid.csv): ``maddison_gdppc`` (real GDP per capita,
  2011 international dollars, PPP: the Maddison Project Database 2020 unit; e.g. United States
  2018 = 55,335), ``maddison_pop`` (persons: OWID multiplied Maddison's thousands out),
  ``maddison_gdp`` (real GDP, 2011 int. $). Drops: ``year before 1700`` (years 1, 730, 1000, ...
  are outside the country-year range), ``not a country: aggregate`` (World, Western Europe, ...),
  ``historical state outside its period`` (Maddison's Former USSR, Czechoslovakia and Former
  Yugoslavia series are territorial sums that run from year 1 to 2018), ``Former Yugoslavia
  after 1991`` (Maddison's series is the SFRY territory, while YUG after 1991 means the FRY
  only), ``no value``. Caveats: ends 2018; names only, resolved by name like every source.

``rai`` (country/regional_authority_index_country_1950_2010.xlsx, sheet "RAI country scores"):
  ``rai`` (n_RAI, country-level Regional Authority Index), ``self_rule`` (n_selfrule),
  ``shared_rule`` (n_sharedrule), and the first block of components as ``rai_instdepth``,
  ``rai_policy``, ``rai_fiscauto``, ``rai_borrowauto``, ``rai_rep``, ``rai_lawmaking``,
  ``rai_execcon``, ``rai_fisccon``, ``rai_borrowcon``, ``rai_constit``. The second block after
  the empty ``COMPONENTS`` separator repeats ``n_rep`` and ``n_lawmaking`` (read as ``n_rep.1``,
  ``n_lawmaking.1``) with sub-components; it is detail, not used. ``self_rule + shared_rule``
  must equal ``rai`` (tolerance 0.001) or parsing fails. Resolved by ``country_name``; the RAI
  codes (``abbr_country``, not ISO: GER, JAP, ROM, ...) are resolved too and must agree.
  Caveats: older release (81 countries, 1950-2010; no China, India, most of Africa and the
  Middle East): coverage gaps stay missing; duplicate header names handled as above; the copy
  sits in a third-party repository (provenance only, nothing to handle in code).

``lai`` (country/local_autonomy_index_europe_1990_2014.csv): ``lai`` (LAI 1.0 total, 0-100) for
  the benchmark years 1990, 2000, 2010, 2014 (the wide file made long, step
  ``country_year``), ``lai_municipalities`` (number of municipalities, only in the 2014 row,
  which is the year the file gives it for). Resolved by ``country_name``, never by
  ``country_code`` (its MDV means Moldova, ISO's Maldives; ROM is Romania). The file's
  ``D_LAI_changes_1990_2014`` is checked against ``D_LAI_2014 - D_LAI_1990`` (tolerance 0.02,
  rounding) and not written. Caveats: BOM stripped by the reader; aggregate scores only (no
  11 dimensions); Europe only (39 countries): everything else stays missing.

``federalism`` (country/federal_political_systems_hueglin_fenna.xlsx, sheet "Federal Political
Systems"): table ``country_federalism``, one row per ``country_iso3`` (time-invariant, c. 2015):
  ``federal`` (HueglinFennaFederalPolity, 1 federal polity / 0 not), ``hf_jurisdiction_name``,
  ``hf_country_code`` (the file's World-Bank-style code, missing for Nauru and Taiwan),
  ``hf_region``, ``hf_income_group`` (World Bank region and income group as the file gives them,
  date unspecified). Resolved by ``Jurisdiction Name``; where a code is given it is resolved
  too (ADO, ZAR, ... are overrides) and must agree. Drops: the unnamed last row holding the
  column total (``column total row``; it must equal the number of federal polities) and, as the
  codebook asks, the jurisdictions that are not fully independent or not UN-recognised, which
  it codes 0 only by default (``not a sovereign state (codebook: coded 0 by default)``): the
  ISO3 codes in :data:`NON_SOVEREIGN` (dependencies such as Greenland, Aruba, Hong Kong, Macao,
  plus Kosovo, Palestine and Taiwan). The codebook sheet is not read. Caveats: no time
  variation, so this is a country-level table, not country-year; it is the fallback moderator
  where RAI/LAI do not cover a country (an assembly decision, nothing to do here).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.resolve.countries import resolve_countries, resolve_country_rows
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
    check_unique,
    read_excel_table,
    read_text_table,
    require_columns,
    to_int,
    to_number,
    to_year,
)

GDP_FILE = "country/wb_gdp_current_usd_NY.GDP.MKTP.CD_datahub.csv"
POP_FILE = "country/wb_population_SP.POP.TOTL_datahub.csv"
MADDISON_FILE = "country/maddison_project_2020_owid.csv"
RAI_FILE = "country/regional_authority_index_country_1950_2010.xlsx"
LAI_FILE = "country/local_autonomy_index_europe_1990_2014.csv"
FEDERAL_FILE = "country/federal_political_systems_hueglin_fenna.xlsx"

_positive = pa.Column(float, pa.Check.gt(0), nullable=True)


# --------------------------------------------------------------------------- World Bank

WORLDBANK = "worldbank"
WB_COLUMNS = ["Country Name", "Country Code", "Year", "Value"]

WORLDBANK_SCHEMA = country_year_schema(
    {"gdp_usd": _positive, "population": _positive, "gdp_pc_usd": _positive},
    name="worldbank_country_year",
)


def _wb_series(path: Path, file: str, value: str, audit: RowAudit) -> pd.DataFrame:
    raw = read_text_table(path)
    require_columns(raw, WB_COLUMNS, file)
    values = to_number(raw["Value"], file, "Value")
    check_range(values, 1e-9, float("inf"), file, "Value")
    df = pd.DataFrame(
        {
            "Country Code": raw["Country Code"],
            "year": to_year(raw["Year"], file, "Year", allow_missing=False),
            value: values,
        }
    )
    df = audit.start(df, value)
    df = resolve_country_rows(audit, df, "Country Code", file)
    df = audit.drop(df[value].isna(), "no value")
    df = finish_country_year(audit, df, file)
    return df[[*KEY, value]]


def parse_worldbank(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(WORLDBANK)
    gdp = _wb_series(paths[GDP_FILE], GDP_FILE, "gdp_usd", audit)
    pop = _wb_series(paths[POP_FILE], POP_FILE, "population", audit)
    table = gdp.merge(pop, on=KEY, how="outer")
    table = table.assign(gdp_pc_usd=table["gdp_usd"] / table["population"])
    return ParsedSource(tables={"country_year": table.reset_index(drop=True)}, audit=audit)


# --------------------------------------------------------------------------- Maddison

MADDISON = "maddison"
MADDISON_VALUES = {
    "GDP per capita": "maddison_gdppc",
    "Population": "maddison_pop",
    "GDP": "maddison_gdp",
}
FIRST_PANEL_YEAR = 1700  # country_year_schema's lower bound
FORMER_YUGOSLAVIA = "Former Yugoslavia"
SFRY_LAST_YEAR = 1991

MADDISON_SCHEMA = country_year_schema(
    {column: _positive for column in MADDISON_VALUES.values()}, name="maddison_country_year"
)


def parse_maddison(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(MADDISON)
    raw = read_text_table(paths[MADDISON_FILE])
    require_columns(raw, ["Entity", "Year", *MADDISON_VALUES], MADDISON_FILE)
    values = {}
    for column, out in MADDISON_VALUES.items():
        values[out] = to_number(raw[column], MADDISON_FILE, column)
        check_range(values[out], 1e-9, float("inf"), MADDISON_FILE, column)
    year = to_year(raw["Year"], MADDISON_FILE, "Year", min_year=1, allow_missing=False)
    df = pd.DataFrame({"Entity": raw["Entity"], "year": year, **values})
    df = audit.start(df, "country_year")
    df = audit.drop(df["year"].lt(FIRST_PANEL_YEAR).astype(bool), "year before 1700")
    df = resolve_country_rows(audit, df, "Entity", MADDISON_FILE)
    df = audit.drop(
        (df["Entity"].eq(FORMER_YUGOSLAVIA) & df["year"].gt(SFRY_LAST_YEAR)).astype(bool),
        "Former Yugoslavia after 1991 (SFRY territory, not the FRY)",
    )
    df = audit.drop(df[list(MADDISON_VALUES.values())].isna().all(axis=1), "no value")
    df = finish_country_year(audit, df, MADDISON_FILE)
    table = df[[*KEY, *MADDISON_VALUES.values()]].reset_index(drop=True)
    return ParsedSource(tables={"country_year": table}, audit=audit)


# --------------------------------------------------------------------------- RAI

RAI = "rai"
RAI_TOTALS = {"n_RAI": "rai", "n_selfrule": "self_rule", "n_sharedrule": "shared_rule"}
RAI_COMPONENTS = [
    "n_instdepth",
    "n_policy",
    "n_fiscauto",
    "n_borrowauto",
    "n_rep",
    "n_lawmaking",
    "n_execcon",
    "n_fisccon",
    "n_borrowcon",
    "n_constit",
]
RAI_COLUMNS = {**RAI_TOTALS, **{c: "rai_" + c.removeprefix("n_") for c in RAI_COMPONENTS}}
RAI_TOLERANCE = 1e-3

RAI_SCHEMA = country_year_schema(
    {out: pa.Column(float, pa.Check.ge(0), nullable=True) for out in RAI_COLUMNS.values()},
    name="rai_country_year",
)


def parse_rai(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(RAI)
    raw = read_excel_table(paths[RAI_FILE], sheet="RAI country scores")
    require_columns(raw, ["country_name", "abbr_country", "year", *RAI_COLUMNS], RAI_FILE)
    values = {}
    for column, out in RAI_COLUMNS.items():
        values[out] = to_number(raw[column], RAI_FILE, column)
        check_range(values[out], 0, 100, RAI_FILE, column)
    gap = (values["self_rule"] + values["shared_rule"] - values["rai"]).abs()
    if (gap > RAI_TOLERANCE).any():
        bad = gap > RAI_TOLERANCE
        raise RawInputError(
            RAI_FILE,
            f"{int(bad.sum())} row(s) where n_selfrule + n_sharedrule != n_RAI",
            "n_RAI",
            values["rai"][bad].iloc[0],
        )
    year = to_year(raw["year"], RAI_FILE, "year", allow_missing=False)
    df = raw[["country_name", "abbr_country"]].assign(year=year, **values)
    df = audit.start(df, "country_year")
    df = resolve_country_rows(audit, df, "country_name", RAI_FILE)
    by_code = resolve_countries(df["abbr_country"], source=RAI_FILE)
    differ = by_code.ne(df["country_iso3"]).astype(bool)
    if differ.any():
        row = df[differ].iloc[0]
        raise RawInputError(
            RAI_FILE,
            f"abbr_country resolves to {by_code[differ].iloc[0]}, country_name "
            f"{row['country_name']!r} to {row['country_iso3']}",
            "abbr_country",
            row["abbr_country"],
        )
    df = finish_country_year(audit, df, RAI_FILE)
    table = df[[*KEY, *RAI_COLUMNS.values()]].reset_index(drop=True)
    return ParsedSource(tables={"country_year": table}, audit=audit)


# --------------------------------------------------------------------------- LAI

LAI = "lai"
LAI_YEARS = (1990, 2000, 2010, 2014)
LAI_CHANGE = "D_LAI_changes_1990_2014"
LAI_MUNICIPALITIES = "municipalities_no_2014"
LAI_MUNICIPALITIES_YEAR = 2014
LAI_CHANGE_TOLERANCE = 0.02  # the file rounds to two decimals

LAI_SCHEMA = country_year_schema(
    {
        "lai": pa.Column(float, pa.Check.in_range(0, 100), nullable=True),
        "lai_municipalities": pa.Column("Int64", pa.Check.gt(0), nullable=True),
    },
    name="lai_country_year",
)


def parse_lai(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(LAI)
    raw = read_text_table(paths[LAI_FILE])
    score_columns = [f"D_LAI_{year}" for year in LAI_YEARS]
    require_columns(
        raw,
        ["country_name", "country_code", LAI_MUNICIPALITIES, *score_columns, LAI_CHANGE],
        LAI_FILE,
    )
    scores = {c: to_number(raw[c], LAI_FILE, c) for c in [*score_columns, LAI_CHANGE]}
    for column in score_columns:
        check_range(scores[column], 0, 100, LAI_FILE, column)
    gap = (scores["D_LAI_2014"] - scores["D_LAI_1990"] - scores[LAI_CHANGE]).abs()
    if (gap > LAI_CHANGE_TOLERANCE).any():
        bad = gap > LAI_CHANGE_TOLERANCE
        raise RawInputError(
            LAI_FILE,
            "change is not D_LAI_2014 - D_LAI_1990",
            LAI_CHANGE,
            raw[LAI_CHANGE][bad].iloc[0],
        )
    municipalities = to_int(raw[LAI_MUNICIPALITIES], LAI_FILE, LAI_MUNICIPALITIES)
    check_range(municipalities, 1, float("inf"), LAI_FILE, LAI_MUNICIPALITIES)

    wide = raw[["country_name"]].assign(**{c: scores[c] for c in score_columns})
    wide = wide.assign(municipalities=municipalities)
    wide = audit.start(wide, "countries")
    # Resolved by name: the file's country_code MDV is Moldova, which ISO calls Maldives.
    wide = wide.assign(country_iso3=resolve_countries(wide["country_name"], source=LAI_FILE))
    check_unique(wide, ["country_iso3"], LAI_FILE)
    wide = audit.finish(wide)

    long = wide.melt(
        id_vars=["country_iso3", "municipalities"],
        value_vars=score_columns,
        var_name="column",
        value_name="lai",
    )
    long = long.assign(year=long["column"].str.removeprefix("D_LAI_").astype("int64"))
    long = long.assign(
        year=long["year"].astype("Int64"),
        lai_municipalities=long["municipalities"].where(long["year"].eq(LAI_MUNICIPALITIES_YEAR)),
    )
    long = audit.start(long, "country_year")
    long = audit.drop(long["lai"].isna(), "no LAI score")
    long = finish_country_year(audit, long, LAI_FILE)
    table = long[[*KEY, "lai", "lai_municipalities"]].astype({"lai_municipalities": "Int64"})
    return ParsedSource(tables={"country_year": table.reset_index(drop=True)}, audit=audit)


# --------------------------------------------------------------------------- federalism

FEDERALISM = "federalism"
FEDERAL_SHEET = "Federal Political Systems"
FEDERAL_COLUMNS = {
    "Jurisdiction Name": "hf_jurisdiction_name",
    "Country Code": "hf_country_code",
    "Region": "hf_region",
    "WB Income Group as of ?": "hf_income_group",
}
FEDERAL_VALUE = "HueglinFennaFederalPolity"
#: Jurisdictions in the file that are not fully independent or not UN-recognised; the
#: codebook codes them 0 "by default" and says to drop them.
NON_SOVEREIGN = frozenset(
    {
        "ABW",  # Aruba
        "ASM",  # American Samoa
        "BMU",  # Bermuda
        "CUW",  # Curacao
        "CYM",  # Cayman Islands
        "FRO",  # Faroe Islands
        "GRL",  # Greenland
        "HKG",  # Hong Kong SAR
        "IMN",  # Isle of Man
        "MAC",  # Macao SAR
        "MAF",  # St. Martin (French part)
        "NCL",  # New Caledonia
        "PSE",  # West Bank and Gaza
        "PYF",  # French Polynesia
        "SXM",  # Sint Maarten (Dutch part)
        "TCA",  # Turks and Caicos Islands
        "TWN",  # Taiwan
        "VIR",  # US Virgin Islands
        "XKX",  # Kosovo
    }
)

COUNTRY_FEDERALISM = pa.DataFrameSchema(
    {
        "country_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"), unique=True),
        "federal": pa.Column("Int64", pa.Check.isin([0, 1])),
        "hf_jurisdiction_name": pa.Column(str),
        "hf_country_code": pa.Column(str, nullable=True),
        "hf_region": pa.Column(str, nullable=True),
        "hf_income_group": pa.Column(str, nullable=True),
    },
    strict=True,
    name="country_federalism",
)


def _text(series: pd.Series) -> pd.Series:
    """Spreadsheet cells as stripped text, blanks missing."""
    text = series.astype("str").str.strip()
    return text.where(series.notna() & text.ne(""))


def parse_federalism(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(FEDERALISM)
    raw = read_excel_table(paths[FEDERAL_FILE], sheet=FEDERAL_SHEET)
    require_columns(raw, [*FEDERAL_COLUMNS, FEDERAL_VALUE], FEDERAL_FILE)
    federal = to_int(raw[FEDERAL_VALUE], FEDERAL_FILE, FEDERAL_VALUE, allow_missing=False)
    df = pd.DataFrame({out: _text(raw[column]) for column, out in FEDERAL_COLUMNS.items()})
    df = audit.start(df.assign(federal=federal), "jurisdictions")

    unnamed = df["hf_jurisdiction_name"].isna()
    named_total = int(df.loc[~unnamed, "federal"].sum())
    other_cells = df.loc[unnamed, list(FEDERAL_COLUMNS.values())].notna().any(axis=1)
    if (
        unnamed.sum() > 1
        or other_cells.any()
        or (unnamed.any() and df.loc[unnamed, "federal"].iloc[0] != named_total)
    ):
        raise RawInputError(
            FEDERAL_FILE,
            f"rows without a name must be one column-total row equal to {named_total}",
            "Jurisdiction Name",
            df.loc[unnamed, "federal"].tolist(),
        )
    df = audit.drop(unnamed, "column total row")
    check_codes(df["federal"], (0, 1), FEDERAL_FILE, FEDERAL_VALUE)

    iso3 = resolve_countries(df["hf_jurisdiction_name"], source=FEDERAL_FILE)
    coded = df["hf_country_code"].notna()
    by_code = resolve_countries(df.loc[coded, "hf_country_code"], source=FEDERAL_FILE)
    differ = by_code.ne(iso3[coded]).astype(bool)
    if differ.any():
        first = differ[differ].index[0]
        raise RawInputError(
            FEDERAL_FILE,
            f"Country Code resolves to {by_code[first]}, Jurisdiction Name "
            f"{df.loc[first, 'hf_jurisdiction_name']!r} to {iso3[first]}",
            "Country Code",
            df.loc[first, "hf_country_code"],
        )
    df = df.assign(country_iso3=iso3)
    df = audit.drop(
        df["country_iso3"].isin(NON_SOVEREIGN).astype(bool),
        "not a sovereign state (codebook: coded 0 by default)",
        frame=df,
    )
    check_unique(df, ["country_iso3"], FEDERAL_FILE)
    df = audit.finish(df)
    table = df[["country_iso3", "federal", *FEDERAL_COLUMNS.values()]].reset_index(drop=True)
    return ParsedSource(tables={"country_federalism": table}, audit=audit)


# --------------------------------------------------------------------------- registry

SOURCES = [
    SourceSpec(
        name=WORLDBANK,
        files=(GDP_FILE, POP_FILE),
        parse=parse_worldbank,
        schemas={"country_year": WORLDBANK_SCHEMA},
        description="World Bank GDP (current US$), population and GDP per capita.",
    ),
    SourceSpec(
        name=MADDISON,
        files=(MADDISON_FILE,),
        parse=parse_maddison,
        schemas={"country_year": MADDISON_SCHEMA},
        description="Maddison Project 2020 GDP per capita (2011 int. $) and population.",
    ),
    SourceSpec(
        name=RAI,
        files=(RAI_FILE,),
        parse=parse_rai,
        schemas={"country_year": RAI_SCHEMA},
        description="Regional Authority Index, country scores 1950-2010.",
    ),
    SourceSpec(
        name=LAI,
        files=(LAI_FILE,),
        parse=parse_lai,
        schemas={"country_year": LAI_SCHEMA},
        description="Local Autonomy Index 1.0 totals, Europe, 1990-2014 benchmark years.",
    ),
    SourceSpec(
        name=FEDERALISM,
        files=(FEDERAL_FILE,),
        parse=parse_federalism,
        schemas={"country_federalism": COUNTRY_FEDERALISM},
        description="Hueglin & Fenna federal political systems (time-invariant).",
    ),
]
