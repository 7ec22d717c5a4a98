"""CDP Cities: disclosing cities 2018-2020 and city-wide emissions 2016, 2017 and 2021.

Answering the CDP Cities questionnaire is a transnational reporting commitment (H2 network
count, H3 climate-commitment events). Two specs, one per file family, each over all its years,
so a city is one mention per spec keyed by CDP's stable `Account Number` (the caveat "link years
via Account Number"); the two specs use different id prefixes (`cdp_disclosing:<account>`,
`cdp_emissions:<account>`) because mention ids are unique across sources, and the suffix is the
same account number in both. Their years do not overlap, so together they give one
`cdp_disclosure` act per city and reporting year for 2016-2021, from which assembly derives
first-time disclosure.

`cdp_disclosing` reads `networks/cdp_cities_disclosing_{2018,2019,2020}.csv` and the data
dictionary `networks/cdp_cities_disclosing_data_dictionary.csv`; every field the dictionary
documents must be a column of every year's file (so a renamed column fails naming file and
column). Tables:
- `mentions`: name = `City`, or `Organization` where City is blank (233 rows in 2019, 119 in
  2020), taken from the latest year with a value; coordinates from `City Location`
  (WKT `POINT (lon lat)`), population from `Population`, both the latest non-missing.
- `memberships`:
  `cdp` (climate): every disclosing city each year; `observed_year` = reporting year and
  `join_year` = reporting year where `First Time Discloser` is Yes, else missing (joined
  earlier). `source_label` is the Reporting Authority label.
  `c40` (climate): `Reporting Authority` lists C40 (C40 cities must report through CDP).
  `union_of_baltic_cities` (general): `Reporting Authority` lists Union of the Baltic Cities
  (the key ClimActor uses too).
  `gcom` (climate): `Reporting Authority` lists the Global Covenant of Mayors (documented in
  the dictionary; absent from the 2018-2020 files).
  Not memberships: `ICLEI - Local Governments for Sustainability` (in 2020 listed for all 566
  cities: the joint CDP-ICLEI reporting system, not a membership flag; caveat), `WWF` (One
  Planet City Challenge entry, not a network) and the dictionary's ICLEI programme labels.
  Any other label raises, so a new initiative is classified consciously.
- `acts`: `cdp_disclosure` (normative), one per city and reporting year, date missing.
- `city_measures`: `population` (persons) in the year of the estimate (`Population Year`).

`cdp_emissions` reads `networks/cdp_citywide_emissions_{2016,2017,2021}.csv`. Column names
differ between years (caveat); the per-year maps in `EMISSION_FILES` say which is which:
- account: `Account Number` (2016, 2021), `Account number` (2017);
- city name: `City Short Name` (2016; `City Name` is the organisation), `City` (2017, 2021,
  blank for 441 rows of 2021: then `Organization`);
- reporting year: `Reporting Year`, `Reporting year`, `Year Reported to CDP`;
- inventory year: `Measurement Year` (2016, a date such as "12/31/2013 12:00:00 AM": its
  calendar year), `Accounting year` (2017, 2021, a period "2015-07-01 - 2016-06-30": the
  year holding the period's midpoint; with one end given, that end's year; "-" is missing);
- population: `Current Population` / `Current Population Year` (2016), `Population` /
  `Population year` (2017), `Population` / `Population Year` (2021);
- location: `(lat, lon)` text in 2016/2017 (one 2017 value has a stray "_" and line break
  before it, accepted), WKT `POINT (lon lat)` in 2021; `Country Location` (a country
  centroid) is ignored;
- C40 flag: `C40` = "C40" in 2016/2017, none in 2021;
- land area: `Land area (in square km)` in every year (2016/2017 headers carry a zero-width
  space, removed from all header names).
Tables: `mentions` (as above, latest year first), `memberships` (`cdp` climate each reporting
year, join_year missing as these files have no first-time flag; `c40` where flagged), `acts`
(`cdp_disclosure`, normative, per city and reporting year; the 2021 file lists every public
responder, including those with no inventory), `city_measures`:
- `emissions_total_tco2e`: total as reported, metric tonnes CO2e, 2016 `Total City-wide
  Emissions` and 2017 `Total emissions`. Scope coverage varies: 2017 `Scopes Included` is
  "Total Scope 1 and Scope 2" (116) or "... and Waste Scope 3 (Total BASIC emissions)"
  (113); 2016 does not say. For a comparable series use scope 1 + scope 2.
- `emissions_scope1_tco2e`, `emissions_scope2_tco2e`: 2016/2017 `Total Scope 1/2 Emissions`,
  2021 `TOTAL Scope 1/2 ...` (the GPC-format answer, about 40 cities);
  `emissions_scope3_tco2e`: 2021 `TOTAL Scope 3 Emissions`; `emissions_basic_tco2e`,
  `emissions_basic_plus_tco2e`: 2021 `TOTAL BASIC(+) Emissions (GPC)` (empty in the file).
- 2021 sector-format (CRF) totals, the answer of about 330 cities, one measure per column:
  `emissions_direct_excl_grid_generation_tco2e` (scope 1 without grid-energy generation),
  `emissions_direct_grid_generation_tco2e`, `emissions_indirect_excl_grid_generation_tco2e`
  (scope 2), `emissions_indirect_grid_generation_tco2e`,
  `emissions_outside_excl_grid_generation_tco2e` (scope 3), and
  `emissions_outside_grid_generation_tco2e`. They are not summed into a total: which rows
  a city filled differs, and a sum would mix definitions.
- `population` in the year of the estimate; `land_area_km2` in the reporting year.
Emission measures take the inventory year as `year`; without one they are dropped (counted).

Caveats (SOURCES.yaml) and how they are handled:
- Only cities that answered CDP (disclosing) or publicly reported emissions: absence is not
  non-membership. Documented here; memberships are observations of presence only, and the
  2018 file's 153 non-public responses are disclosures too (kept; `Access` is not used).
- Reporting Authority C40/ICLEI/WWF/UBC: see memberships above.
- Names not standardised; years linked via Account Number: mentions are keyed by account.
  Country labels vary across years ("USA" vs "United States of America") and are resolved
  per row; the mention takes the latest year's label.
- Population Year sometimes implausible (0, 7, 21, 217, 800, 1537): such years are not a
  measure year. The population still serves as the mention's population, but no
  `population` measure is written (counted as "population year implausible"); plausible is
  1900 to the reporting year.
- GDP self-reported in local currencies, often missing (emissions files): not carried, as a
  city GDP in mixed currencies and price years cannot be compared without exchange rates
  and deflators the project does not have at city level.
- Same inventory or population year reported in several cycles: the latest report is kept,
  earlier ones are dropped with a counted reason.
- Locations (not a listed caveat, found on inspection): some are wrong (latitude and
  longitude exchanged: South Bend, Mississauga, San José; longitudes missing their minus
  sign: Davenport, Alameda, Saanich; namesakes such as Wellington, NZ placed in Florida in
  2016/2017; Porto Alegre at 30, 51). The mention takes the latest point reported; the
  matching stage checks it against the gazetteer places of the mention's country
  (`analysis.resolve.geo.check_coordinates`: repairs swapped or sign-flipped points, sets aside
  the others) and records what it did in the audit column `coord_fix`. A (0, 0) location
  is treated as missing; points out of range raise.

Entity types: names containing "County"/"Counties" are `county`, names containing "Region",
"Región" or "Regional" are `region`, the rest `city` (CDP also has regional governments).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.resolve.countries import non_country_mask
from analysis.sources.common.base import (
    ACTS,
    CITY_MEASURES,
    MEMBERSHIPS,
    MENTIONS,
    ParsedSource,
    SourceSpec,
    build_mentions,
)
from analysis.sources.common.readers import (
    check_unique,
    read_text_table,
    require_columns,
    to_date,
    to_int,
    to_number,
)

DISCLOSING = "cdp_disclosing"
EMISSIONS = "cdp_emissions"
DICTIONARY = "networks/cdp_cities_disclosing_data_dictionary.csv"
DISCLOSING_FILES = {y: f"networks/cdp_cities_disclosing_{y}.csv" for y in (2018, 2019, 2020)}

# Columns the disclosing parser uses (the dictionary's fields are required as well).
DISCLOSING_COLUMNS = [
    "Year Reported to CDP",
    "Account Number",
    "Organization",
    "City",
    "Country",
    "Reporting Authority",
    "First Time Discloser",
    "Population",
    "Population Year",
    "City Location",
]
MIN_POPULATION_YEAR = 1900
ZERO_WIDTH = "\u200b"

# Reporting Authority label -> (network, network_type), or None: not a membership.
AUTHORITIES: dict[str, tuple[str, str] | None] = {
    "CDP Cities": ("cdp", "climate"),
    "C40": ("c40", "climate"),
    "C40 Cities Climate Leadership Group": ("c40", "climate"),
    "Union of the Baltic Cities": ("union_of_baltic_cities", "general"),
    "Global Covenant of Mayors for Climate and Energy": ("gcom", "climate"),
    "ICLEI - Local Governments for Sustainability": None,
    "ICLEI Green Climate Cities": None,
    "ICLEI Ecomobility / Ecologistics": None,
    "WWF": None,
}

_COUNTY = re.compile(r"\bCount(?:y|ies)\b")
_REGION = re.compile(r"\b(?:Region|Región|Regional)\b")
_WKT = re.compile(r"POINT \((?P<lon>-?\d+(?:\.\d*)?) (?P<lat>-?\d+(?:\.\d*)?)\)")
_LATLON = re.compile(r"_?\s*\((?P<lat>-?\d+(?:\.\d*)?), (?P<lon>-?\d+(?:\.\d*)?)\)")
_PERIOD = re.compile(r"(?P<start>\d{4}-\d{2}-\d{2})?\s*-\s*(?P<end>\d{4}-\d{2}-\d{2})?")


# --------------------------------------------------------------------------- shared helpers


def entity_types(names: pd.Series) -> pd.Series:
    """`county`, `region` or `city` from a CDP name (see module docstring)."""
    out = pd.Series("city", index=names.index, dtype="str")
    out[names.str.contains(_REGION)] = "region"
    out[names.str.contains(_COUNTY)] = "county"
    return out


def _clean_headers(df: pd.DataFrame) -> pd.DataFrame:
    """Remove zero-width spaces from header names (2016/2017 emissions files)."""
    return df.rename(columns=lambda c: str(c).replace(ZERO_WIDTH, "").strip())


def _strip(series: pd.Series) -> pd.Series:
    return series.str.strip().replace("", pd.NA)


def parse_location(series: pd.Series, file: str, column: str, kind: str) -> pd.DataFrame:
    """`lat`/`lon` floats from WKT `POINT (lon lat)` (kind "wkt") or `(lat, lon)` ("latlon").

    Missing stays missing; (0, 0) becomes missing; anything else that does not parse, or lies
    outside the valid range, raises naming the file, column and value.
    """
    pattern = _WKT if kind == "wkt" else _LATLON
    text = series.astype("string").str.strip()
    parts = text.str.extract(pattern.pattern)
    bad = text.notna() & (text != "") & ~text.fillna("").str.fullmatch(pattern.pattern)
    if bad.any():
        expected = "POINT (lon lat)" if kind == "wkt" else "(lat, lon)"
        raise RawInputError(file, f"location is not {expected}", column, text[bad].iloc[0])
    lat = to_number(parts["lat"], file, column)
    lon = to_number(parts["lon"], file, column)
    outside = ~(lat.between(-90, 90) & lon.between(-180, 180)) & lat.notna()
    if outside.any():
        raise RawInputError(file, "coordinates out of range", column, text[outside].iloc[0])
    null_island = (lat == 0) & (lon == 0)
    return pd.DataFrame(
        {"lat": lat.mask(null_island), "lon": lon.mask(null_island)}, index=series.index
    )


def inventory_years(series: pd.Series, file: str, column: str, kind: str) -> pd.Series:
    """Year of an emissions inventory (see module docstring), nullable Int64."""
    text = series.astype("string").str.strip()
    if kind == "datetime":
        dates = to_date(text, file, column, formats=["%m/%d/%Y %I:%M:%S %p"])
        return dates.dt.year.astype("Int64")
    bad = text.notna() & ~text.fillna("").str.fullmatch(_PERIOD.pattern)
    if bad.any():
        raise RawInputError(
            file, "accounting period is not 'YYYY-MM-DD - YYYY-MM-DD'", column, text[bad].iloc[0]
        )
    parts = text.str.extract(_PERIOD.pattern)
    start = to_date(parts["start"], file, column)
    end = to_date(parts["end"], file, column)
    middle = start + (end - start) / 2
    return middle.fillna(start).fillna(end).dt.year.astype("Int64")


def _check_constant(df: pd.DataFrame, column: str, value: int, file: str) -> None:
    years = to_int(df[column], file, column, allow_missing=False)
    wrong = years != value
    if wrong.any():
        raise RawInputError(
            file,
            f"expected reporting year {value} throughout",
            column,
            df.loc[wrong, column].iloc[0],
        )


def _drop_unusable(audit: RowAudit, df: pd.DataFrame) -> pd.DataFrame:
    """Drop rows without a name or a country, or whose country is not a country."""
    df = audit.drop(df["name"].isna(), "no city or organisation name")
    df = audit.drop(df["country"].isna(), "country missing")
    kind = non_country_mask(df["country"])
    for reason in sorted(kind.dropna().unique()):
        mask = kind.loc[df.index].eq(reason).fillna(False).astype(bool)
        labels = ", ".join(sorted(df.loc[mask, "country"].unique()))
        df = audit.drop(mask, f"country label is a {reason}, not a country ({labels})")
    return df


def _mentions(rows: pd.DataFrame, source: str, file: str) -> pd.DataFrame:
    """One mention per account: the latest year's name and country, latest known values."""
    latest = rows.sort_values(["account", "year"], ascending=[True, False], kind="mergesort")
    first = latest.groupby("account", sort=True).agg(
        city=("city", "first"),
        organization=("organization", "first"),
        country=("country", "first"),
        lat=("lat", "first"),
        lon=("lon", "first"),
        population=("population", "first"),
    )
    first = first.reset_index()
    first["name"] = first["city"].fillna(first["organization"])
    first["key"] = first["account"].astype("str")
    return build_mentions(
        first,
        source=source,
        file=file,
        key="key",
        name="name",
        country="country",
        entity_type=entity_types(first["name"]),
        lat="lat",
        lon="lon",
        population="population",
    )


def _acts(rows: pd.DataFrame, source: str) -> pd.DataFrame:
    years = rows[["account", "year"]].drop_duplicates().reset_index(drop=True)
    return pd.DataFrame(
        {
            "mention_id": source + ":" + years["account"].astype("str"),
            "act": "cdp_disclosure",
            "act_class": "normative",
            "date": pd.Series(pd.NaT, index=years.index, dtype="datetime64[ns]"),
            "year": years["year"].astype("Int64"),
        }
    )


def _memberships(flags: pd.DataFrame, source: str) -> pd.DataFrame:
    """flags: account, year, network, network_type, join_year, source_label."""
    flags = flags.reset_index(drop=True)
    return pd.DataFrame(
        {
            "mention_id": source + ":" + flags["account"].astype("str"),
            "network": flags["network"].astype("str"),
            "network_type": flags["network_type"].astype("str"),
            "join_year": flags["join_year"].astype("Int64"),
            "observed_year": flags["year"].astype("Int64"),
            "source_label": flags["source_label"].astype("str"),
        }
    )


def _measures(audit: RowAudit, long: pd.DataFrame, source: str) -> pd.DataFrame:
    """Audited step `measures` over reported values: long has account, report_year, measure,
    year, value and `implausible` (population years); latest report wins on duplicates."""
    df = audit.start(long.reset_index(drop=True), "measures")
    df = audit.drop(df["implausible"], "population year implausible (no measure year)")
    df = audit.drop(df["year"].isna(), "no inventory (accounting) year")
    df = df.sort_values(["report_year"], ascending=False, kind="mergesort")
    df = audit.drop(
        df.duplicated(["account", "measure", "year"]),
        "same measure and year in a later report (latest kept)",
        frame=df,
    )
    audit.finish(df)
    return pd.DataFrame(
        {
            "mention_id": source + ":" + df["account"].astype("str"),
            "measure": df["measure"].astype("str"),
            "year": df["year"].astype("Int64"),
            "value": df["value"].astype("float64"),
        }
    ).reset_index(drop=True)


def _population_measures(rows: pd.DataFrame) -> pd.DataFrame:
    pop = rows[rows["population"].notna()]
    year = pop["population_year"]
    plausible = year.notna() & year.between(MIN_POPULATION_YEAR, pop["year"])
    return pd.DataFrame(
        {
            "account": pop["account"],
            "report_year": pop["year"],
            "measure": "population",
            "year": year.where(plausible).astype("Int64"),
            "value": pop["population"],
            "implausible": ~plausible.fillna(False).astype(bool),
        }
    )


def _population(df: pd.DataFrame, file: str, value_col: str, year_col: str) -> pd.DataFrame:
    population = to_number(df[value_col], file, value_col)
    negative = population < 0
    if negative.any():
        raise RawInputError(
            file, "negative population", value_col, df.loc[negative, value_col].iloc[0]
        )
    return pd.DataFrame(
        {"population": population, "population_year": to_int(df[year_col], file, year_col)},
        index=df.index,
    )


# --------------------------------------------------------------------------- disclosing


def _read_disclosing(path: Path, file: str, year: int, fields: list[str]) -> pd.DataFrame:
    raw = read_text_table(path, sep=",")
    require_columns(raw, list(dict.fromkeys([*DISCLOSING_COLUMNS, *fields])), file)
    _check_constant(raw, "Year Reported to CDP", year, file)
    check_unique(raw, ["Account Number"], file)
    first_time = raw["First Time Discloser"].str.strip()
    bad = ~first_time.isin(["Yes", "No"])
    if bad.any():
        raise RawInputError(
            file,
            "expected Yes or No",
            "First Time Discloser",
            raw.loc[bad, "First Time Discloser"].iloc[0],
        )
    location = parse_location(raw["City Location"], file, "City Location", "wkt")
    return pd.DataFrame(
        {
            "account": to_int(raw["Account Number"], file, "Account Number", allow_missing=False),
            "year": year,
            "city": _strip(raw["City"]),
            "organization": _strip(raw["Organization"]),
            "country": _strip(raw["Country"]),
            "lat": location["lat"],
            "lon": location["lon"],
            "first_time": first_time == "Yes",
            "authorities": raw["Reporting Authority"],
        },
        index=raw.index,
    ).join(_population(raw, file, "Population", "Population Year"))


def _authority_flags(rows: pd.DataFrame, file_of_year: Mapping[int, str]) -> pd.DataFrame:
    """One row per (account, year, listed authority) that is a membership."""
    labels = rows["authorities"].str.split(",").explode().str.strip()
    labels = labels[labels.notna() & (labels != "")]
    unknown = ~labels.isin(list(AUTHORITIES))
    if unknown.any():
        row = labels.index[unknown][0]
        raise RawInputError(
            file_of_year[int(rows.at[row, "year"])],
            f"unknown initiative; known: {sorted(AUTHORITIES)}",
            "Reporting Authority",
            labels[unknown].iloc[0],
        )
    mapped = labels.map(AUTHORITIES)
    keep = mapped.notna()
    labels, mapped = labels[keep], mapped[keep]
    flags = rows.loc[labels.index, ["account", "year", "first_time"]].assign(
        network=[m[0] for m in mapped],
        network_type=[m[1] for m in mapped],
        source_label=labels.to_numpy(),
    )
    is_cdp = flags["network"] == "cdp"
    flags["join_year"] = flags["year"].where(is_cdp & flags["first_time"]).astype("Int64")
    return flags.drop_duplicates(["account", "year", "network"])


def parse_disclosing(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(DISCLOSING)
    dictionary = read_text_table(paths[DICTIONARY], sep=",")
    require_columns(dictionary, ["field", "description"], DICTIONARY)
    fields = dictionary["field"].str.strip().dropna().tolist()
    frames = []
    for year, file in DISCLOSING_FILES.items():
        rows = _read_disclosing(paths[file], file, year, fields)
        rows = rows.assign(name=rows["city"].fillna(rows["organization"]))
        df = audit.start(rows, f"disclosers_{year}")
        df = _drop_unusable(audit, df)
        frames.append(audit.finish(df))
    rows = pd.concat(frames, ignore_index=True)
    # Every row already names CDP Cities; make it explicit so each discloser is a member.
    rows["authorities"] = "CDP Cities," + rows["authorities"].fillna("")
    flags = _authority_flags(rows, DISCLOSING_FILES)

    tables = {
        "mentions": _mentions(rows, DISCLOSING, DISCLOSING_FILES[2020]),
        "memberships": _memberships(flags, DISCLOSING),
        "acts": _acts(rows, DISCLOSING),
        "city_measures": _measures(audit, _population_measures(rows), DISCLOSING),
    }
    return ParsedSource(tables=tables, audit=audit)


# --------------------------------------------------------------------------- emissions


@dataclass(frozen=True)
class EmissionFile:
    """Where one year's emissions file keeps each field (column names differ by year)."""

    file: str
    account: str
    organization: str
    city: str
    reporting_year: str
    inventory_year: str
    inventory_kind: str  # "datetime" (2016) or "period" (2017, 2021)
    population: str
    population_year: str
    location_kind: str  # "latlon" or "wkt"
    c40: str | None
    measures: dict[str, str] = field(default_factory=dict)  # measure -> column
    land_area: str = "Land area (in square km)"
    country: str = "Country"
    location: str = "City Location"


_SCOPE12_1617 = {
    "emissions_scope1_tco2e": "Total Scope 1 Emissions (metric tonnes CO2e)",
    "emissions_scope2_tco2e": "Total Scope 2 Emissions (metric tonnes CO2e)",
}
EMISSION_FILES = {
    2016: EmissionFile(
        file="networks/cdp_citywide_emissions_2016.csv",
        account="Account Number",
        organization="City Name",
        city="City Short Name",
        reporting_year="Reporting Year",
        inventory_year="Measurement Year",
        inventory_kind="datetime",
        population="Current Population",
        population_year="Current Population Year",
        location_kind="latlon",
        c40="C40",
        measures={
            "emissions_total_tco2e": "Total City-wide Emissions (metric tonnes CO2e)",
            **_SCOPE12_1617,
        },
    ),
    2017: EmissionFile(
        file="networks/cdp_citywide_emissions_2017.csv",
        account="Account number",
        organization="Organization",
        city="City",
        reporting_year="Reporting year",
        inventory_year="Accounting year",
        inventory_kind="period",
        population="Population",
        population_year="Population year",
        location_kind="latlon",
        c40="C40",
        measures={
            "emissions_total_tco2e": "Total emissions (metric tonnes CO2e)",
            **_SCOPE12_1617,
        },
    ),
    2021: EmissionFile(
        file="networks/cdp_citywide_emissions_2021.csv",
        account="Account Number",
        organization="Organization",
        city="City",
        reporting_year="Year Reported to CDP",
        inventory_year="Accounting year",
        inventory_kind="period",
        population="Population",
        population_year="Population Year",
        location_kind="wkt",
        c40=None,
        measures={
            "emissions_scope1_tco2e": "TOTAL Scope 1 Emissions (metric tonnes CO2e)",
            "emissions_scope2_tco2e": "TOTAL Scope 2 emissions (metric tonnes CO2e)",
            "emissions_scope3_tco2e": "TOTAL Scope 3 Emissions",
            "emissions_basic_tco2e": "TOTAL BASIC Emissions (GPC)",
            "emissions_basic_plus_tco2e": "TOTAL BASIC+ Emissions (GPC)",
            "emissions_direct_excl_grid_generation_tco2e": (
                "Direct emissions (metric tonnes CO2e) for Total emissions "
                "(excluding generation of grid-supplied energy)"
            ),
            "emissions_direct_grid_generation_tco2e": (
                "Direct emissions (metric tonnes CO2e) for Total generation of grid-supplied energy"
            ),
            "emissions_indirect_excl_grid_generation_tco2e": (
                "Indirect emissions from use of grid supplied energy (metric tonnes CO2e) for "
                "Total Emissions (excluding generation of grid-supplied energy)"
            ),
            "emissions_indirect_grid_generation_tco2e": (
                "Indirect emissions from use of grid supplied energy (metric tonnes CO2e) for "
                "Total generation of grid supplied energy"
            ),
            "emissions_outside_excl_grid_generation_tco2e": (
                "Emissions occurring outside city boundary (metric tonnes CO2e) for "
                "Total Emissions (excluding generation of grid-supplied energy)"
            ),
            "emissions_outside_grid_generation_tco2e": (
                "Emissions occurring outside city boundary (metric tonnes CO2e) for "
                "Total Generation of grid supplied energy"
            ),
        },
    ),
}


def _read_emissions(path: Path, year: int, spec: EmissionFile) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows, long measures) of one year's emissions file."""
    file = spec.file
    raw = _clean_headers(read_text_table(path, sep=","))
    required = [
        spec.account,
        spec.organization,
        spec.city,
        spec.country,
        spec.reporting_year,
        spec.inventory_year,
        spec.population,
        spec.population_year,
        spec.location,
        spec.land_area,
        *([spec.c40] if spec.c40 else []),
        *spec.measures.values(),
    ]
    require_columns(raw, required, file)
    _check_constant(raw, spec.reporting_year, year, file)
    check_unique(raw, [spec.account], file)
    location = parse_location(raw[spec.location], file, spec.location, spec.location_kind)
    if spec.c40:
        flag = _strip(raw[spec.c40])
        bad = flag.notna() & (flag != "C40")
        if bad.any():
            raise RawInputError(file, "expected 'C40' or blank", spec.c40, flag[bad].iloc[0])
        c40 = flag.notna()
    else:
        c40 = pd.Series(False, index=raw.index)
    rows = pd.DataFrame(
        {
            "account": to_int(raw[spec.account], file, spec.account, allow_missing=False),
            "year": year,
            "city": _strip(raw[spec.city]),
            "organization": _strip(raw[spec.organization]),
            "country": _strip(raw[spec.country]),
            "lat": location["lat"],
            "lon": location["lon"],
            "c40": c40,
            "inventory_year": inventory_years(
                raw[spec.inventory_year], file, spec.inventory_year, spec.inventory_kind
            ),
            "land_area": to_number(raw[spec.land_area], file, spec.land_area),
        },
        index=raw.index,
    ).join(_population(raw, file, spec.population, spec.population_year))
    values = {m: to_number(raw[c], file, c) for m, c in spec.measures.items()}
    long = (
        pd.DataFrame(values, index=raw.index)
        .rename_axis("row")
        .reset_index()
        .melt(id_vars="row", var_name="measure", value_name="value")
    )
    return rows.assign(name=rows["city"].fillna(rows["organization"])), long


def parse_emissions(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(EMISSIONS)
    frames, measures = [], []
    for year, spec in EMISSION_FILES.items():
        rows, long = _read_emissions(paths[spec.file], year, spec)
        df = audit.start(rows, f"reports_{year}")
        df = _drop_unusable(audit, df)
        audit.finish(df)
        frames.append(df)
        long = long[long["row"].isin(df.index) & long["value"].notna()]
        info = df.loc[long["row"], ["account", "year", "inventory_year"]].to_numpy()
        measures.append(
            pd.DataFrame(
                {
                    "account": info[:, 0],
                    "report_year": info[:, 1],
                    "measure": long["measure"].to_numpy(),
                    "year": pd.array(info[:, 2], dtype="Int64"),
                    "value": long["value"].to_numpy(),
                    "implausible": False,
                }
            )
        )
        area = df[df["land_area"].notna()]
        measures.append(
            pd.DataFrame(
                {
                    "account": area["account"],
                    "report_year": area["year"],
                    "measure": "land_area_km2",
                    "year": area["year"].astype("Int64"),
                    "value": area["land_area"],
                    "implausible": False,
                }
            )
        )
    rows = pd.concat(frames, ignore_index=True)
    measures.append(_population_measures(rows))
    long = pd.concat(measures, ignore_index=True)

    cdp = rows.assign(network="cdp", network_type="climate", source_label="CDP Cities")
    c40 = rows[rows["c40"]].assign(network="c40", network_type="climate", source_label="C40")
    flags = pd.concat([cdp, c40], ignore_index=True).assign(
        join_year=pd.Series(pd.NA, dtype="Int64")
    )
    tables = {
        "mentions": _mentions(rows, EMISSIONS, EMISSION_FILES[2021].file),
        "memberships": _memberships(flags, EMISSIONS),
        "acts": _acts(rows, EMISSIONS),
        "city_measures": _measures(audit, long, EMISSIONS),
    }
    return ParsedSource(tables=tables, audit=audit)


SCHEMAS = {
    "mentions": MENTIONS,
    "memberships": MEMBERSHIPS,
    "acts": ACTS,
    "city_measures": CITY_MEASURES,
}

SOURCES = [
    SourceSpec(
        name=DISCLOSING,
        files=(*DISCLOSING_FILES.values(), DICTIONARY),
        parse=parse_disclosing,
        schemas=SCHEMAS,
        description="Cities disclosing to CDP 2018-2020: disclosure acts, CDP/C40/UBC presence.",
    ),
    SourceSpec(
        name=EMISSIONS,
        files=tuple(spec.file for spec in EMISSION_FILES.values()),
        parse=parse_emissions,
        schemas=SCHEMAS,
        description="CDP city-wide emissions 2016, 2017, 2021: disclosure acts and measures.",
    ),
]
