"""Oxford Economics Global Cities Forecasts Service (GCFS): a public SAMPLE extract.

**This is a sample of a proprietary, commercial dataset** (vintage 2019-10-30), found
re-hosted in a meetup demo repository without a licence; redistribution rights are unclear,
so it serves internal robustness checks only (city GDP, population and income as
alternative size/economy controls), never as a published main variable.

Files: ``cities/oxford_economics_gcfs_cities_sample.xlsx`` (sheet "GCFS Cities": one row per
location x indicator series, years 2015-2022 wide) and ``cities/oxford_economics_gcfs_
locations.json`` (a tree root > "Locations" > region > country > location, walked with
``json.load``; each node's ``value`` is a JSON string ``{"name", "code"}``; country nodes
carry OE country codes: ISO3 for most, Eurostat-style ``UK``/``EL``/``DE`` ... for Europe,
OE's own ``TAI``/``MON``/``KYR``/``UR``; each country has a "<country> - Total" leaf).

Tables
------
``mentions``
    One per OE location (900), ``mention_id`` ``oxford_gcfs:<Location Code>``, entity
    ``city``, no coordinates; ``population`` = the 2018 ``oe_pop`` value. ``raw_country`` is
    the country node of the locations tree (resolved by name through the country resolver).
    ``raw_name`` is the location's principal place name, derived from the OE label by
    documented rules so the city matcher can use it (the verbatim label is kept in
    ``locations``):

    - " - Metro" (Eurostat metro regions) and its trailing bracket are dropped ("Valencia -
      Metro (Spain)" -> "Valencia"); so are the Brazilian " RM" and Japanese " MMA"/" MA"
      suffixes and a bracket naming an MMA ("Tokyo (Kanto MMA)" -> "Tokyo");
    - a comma qualifier becomes a bracket ("Anqing, Anhui" -> "Anqing (Anhui)", which keeps
      the province as a hint and is not mistaken for a list of places), except where it only
      repeats the country ("Hong Kong, China" -> "Hong Kong");
    - US metropolitan statistical areas (codes ``USM...``, e.g. "New York-Newark-Jersey City,
      NY-NJ-PA"): the principal city is the longest leading part, split at "-", "--" and "/",
      that is a location name of the tree's United States node ("Winston-Salem" stays
      whole), else the first part; the first state is kept as qualifier ("New York, NY");
    - Japanese metropolitan areas (" MMA"/" MA") take their first city ("Osaka-Kyoto" ->
      "Osaka"); other compound names ("Ottawa-Gatineau", "Dubai-Sharjah-Ajman",
      "Mannheim-Ludwigshafen") are kept whole.
``city_measures`` (years 2015-2022; values converted to persons and US dollars):

    ==========================  ===============  ==========================================
    measure                     Indicator Code   unit in the file -> stored unit
    ==========================  ===============  ==========================================
    oe_gdp_usd_current          GDPTOTUSN        US$ millions, current prices -> US$
    oe_gdp_usd_2015             GDPTOTUSC        US$ millions, constant 2015 prices -> US$
    oe_gdp_ppp_current          GDPTOTPPPN       US$ PPP millions, current -> US$ PPP
    oe_gdp_ppp_2015             GDPTOTPPPC       US$ PPP millions, constant 2015 -> US$ PPP
    oe_hh_income_usd_current    PEDYUSN          household disposable income, as GDP
    oe_hh_income_usd_2015       PEDYUSC          ... constant 2015 US$
    oe_hh_income_ppp_current    PEDYPPPN         ... US$ PPP current
    oe_hh_income_ppp_2015       PEDYPPPC         ... US$ PPP constant 2015
    oe_pop                      POPTOTT          persons, thousands -> persons
    oe_employment               EMPTOTT          persons, thousands -> persons
    oe_births                   BIRTH            persons, thousands -> persons (per year)
    oe_deaths                   DEATH            persons, thousands -> persons (per year)
    oe_household_size           HHSIZE           persons per household
    ==========================  ===============  ==========================================

    Each code's Units and Scale are checked against this table and an unknown code raises,
    so a changed unit cannot be scaled wrongly. All series are "Level values (5yr mean)".
``locations``
    Per mention: the verbatim ``location`` label, ``location_code``, the tree's
    ``oe_country_code`` and ``region``, and ``in_locations_tree`` (the principal name is
    also a location name of that country in the tree).

Caveats (SOURCES.yaml) and how they are handled
-----------------------------------------------
- SAMPLE, smoothed ("5yr rolling mean applied to series"): every series is a 5-year
  rolling mean; treat values as approximate levels. Documented here; the ``Measurement``
  column is checked to be a level series.
- Vintage October 2019: 2019-2022 are largely forecasts. Documented; filter ``year <= 2018``
  for (mostly) observed values.
- Licence unclear / proprietary: see the first paragraph; robustness use only.
- City definitions differ by country (Chinese prefecture-level cities incl. rural counties,
  US MSAs, EU metro regions), which biases Chinese GDP upward against GaWC/WUP: documented;
  ``locations`` keeps the verbatim label and code, whose prefix shows the definition
  (``USM`` = US MSA, ``..C`` = Eurostat metro region, ``CHN..`` = Chinese prefecture).
- No coordinates or ISO codes; countries come from the locations tree. Location codes and
  names differ between the two files (Shanghai CHN10097 vs CHN9), but every location code
  of the sheet starts with the OE country code of its country node (``CHN9``,
  ``UK001C``, ``USM...``): the country is the tree country whose code is the longest prefix
  of the location code. This is checked against the name join the caveat suggests: a
  location whose principal name is found in the tree only under another country raises.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.resolve.textnorm import normalize_name
from analysis.sources.common.base import (
    CITY_MEASURES,
    MENTIONS,
    ParsedSource,
    SourceSpec,
    build_mentions,
)
from analysis.sources.common.readers import (
    check_unique,
    read_excel_table,
    require_columns,
    to_number,
)

NAME = "oxford_gcfs"
SHEET_FILE = "cities/oxford_economics_gcfs_cities_sample.xlsx"
TREE_FILE = "cities/oxford_economics_gcfs_locations.json"
SHEET = "GCFS Cities"
POPULATION_YEAR = 2018  # mention population: last year before the 2019 vintage's forecasts
COLUMNS = [
    "Location",
    "Indicator",
    "Units",
    "Scale",
    "Measurement",
    "Location Code",
    "Indicator Code",
]
US_MSA_PREFIX = "USM"
TOTAL_SUFFIX = " - Total"

_MILLIONS, _THOUSANDS = 1e6, 1e3
#: Indicator Code -> (measure, expected Units, expected Scale (None = empty), factor).
INDICATORS: dict[str, tuple[str, str, str | None, float]] = {
    "GDPTOTUSN": ("oe_gdp_usd_current", "US$", "Millions: Current prices", _MILLIONS),
    "GDPTOTUSC": ("oe_gdp_usd_2015", "US$", "Millions: Constant 2015 prices", _MILLIONS),
    "GDPTOTPPPN": (
        "oe_gdp_ppp_current",
        "US$ PPP",
        "Millions: Purchasing power parity, Current prices",
        _MILLIONS,
    ),
    "GDPTOTPPPC": (
        "oe_gdp_ppp_2015",
        "US$ PPP",
        "Millions: Purchasing power parity, Constant 2015 prices",
        _MILLIONS,
    ),
    "PEDYUSN": ("oe_hh_income_usd_current", "US$", "Millions: Current prices", _MILLIONS),
    "PEDYUSC": ("oe_hh_income_usd_2015", "US$", "Millions: Constant 2015 prices", _MILLIONS),
    "PEDYPPPN": (
        "oe_hh_income_ppp_current",
        "US$ PPP",
        "Millions: Purchasing power parity, Current prices",
        _MILLIONS,
    ),
    "PEDYPPPC": (
        "oe_hh_income_ppp_2015",
        "US$ PPP",
        "Millions: Purchasing power parity, Constant 2015 prices",
        _MILLIONS,
    ),
    "POPTOTT": ("oe_pop", "Persons", "Thousands", _THOUSANDS),
    "EMPTOTT": ("oe_employment", "Persons", "Thousands", _THOUSANDS),
    "BIRTH": ("oe_births", "Persons", "Thousands", _THOUSANDS),
    "DEATH": ("oe_deaths", "Persons", "Thousands", _THOUSANDS),
    "HHSIZE": ("oe_household_size", "Persons", None, 1.0),
}

LOCATIONS = pa.DataFrameSchema(
    {
        "mention_id": pa.Column(str, unique=True),
        "location": pa.Column(str),
        "location_code": pa.Column(str, unique=True),
        "oe_country_code": pa.Column(str),
        "region": pa.Column(str),
        "in_locations_tree": pa.Column(bool),
    },
    strict=True,
    name="locations",
)

# --------------------------------------------------------------------------- the tree


def _node_value(node: dict[str, Any], file: str) -> dict[str, str]:
    """The ``{"name", "code"}`` object a node's ``value`` string holds."""
    try:
        value = json.loads(node["value"])
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise RawInputError(
            file, f"node value is not a JSON name/code object: {exc}", "value", node.get("value")
        ) from exc
    if not isinstance(value, dict) or not {"name", "code"} <= set(value):
        raise RawInputError(file, "node value lacks name/code", "value", node.get("value"))
    return value


def read_tree(path: Path, file: str) -> pd.DataFrame:
    """Leaves of the locations tree: region, country node (name, code), leaf name and code."""
    try:
        root = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RawInputError(file, f"cannot read JSON: {exc}") from exc
    rows: list[dict[str, str]] = []

    def walk(node: Any, ancestors: list[dict[str, Any]]) -> None:
        if not isinstance(node, dict) or "label" not in node:
            raise RawInputError(file, "tree node is not an object with a label", value=node)
        children = node.get("children")
        if children:
            for child in children:
                walk(child, [*ancestors, node])
            return
        if len(ancestors) < 2:
            raise RawInputError(
                file, "location leaf without region and country", "label", node["label"]
            )
        country = _node_value(ancestors[-1], file)
        leaf = _node_value(node, file)
        rows.append(
            {
                "region": str(ancestors[-2]["label"]),
                "country_name": str(country["name"]),
                "country_code": str(country["code"]),
                "name": str(leaf["name"]),
                "code": str(leaf["code"]),
            }
        )

    walk(root, [])
    if not rows:
        raise RawInputError(file, "the locations tree has no leaves")
    return pd.DataFrame(rows)


def country_of_code(codes: pd.Series, country_codes: list[str]) -> pd.Series:
    """The longest tree country code each location code starts with (NA if none)."""
    by_length = sorted(set(country_codes), key=len, reverse=True)

    def find(code: str) -> str | None:
        return next((c for c in by_length if code.startswith(c)), None)

    return codes.map(find).astype("string")


# --------------------------------------------------------------------------- names

_METRO = re.compile(r"\s+-\s+Metro\b.*$")
_MMA_BRACKET = re.compile(r"\s*\([^)]*\bM?MA\)\s*$")
_SUFFIX = re.compile(r"\s+(?:RM|MMA|MA)$")


def principal_name(label: str, code: str, country_name: str, tree_names: set[str]) -> str:
    """The principal place of an OE location label (rules in the module docstring)."""
    name = label.strip()
    japanese_metro = bool(_MMA_BRACKET.search(name) or re.search(r"\sM?MA$", name))
    name = _SUFFIX.sub("", _MMA_BRACKET.sub("", _METRO.sub("", name))).strip()
    head, _, qualifier = (part.strip() for part in name.partition(","))
    if code.startswith(US_MSA_PREFIX):
        head = re.split(r"--|/", head)[0].strip()
        parts = head.split("-")
        prefixes = ["-".join(parts[:k]) for k in range(len(parts), 0, -1)]
        head = next((p for p in prefixes if normalize_name(p) in tree_names), parts[0])
        state = qualifier.split("-")[0].strip()
        return f"{head}, {state}" if state else head
    if japanese_metro:
        head = head.split("-")[0].strip()
    if not qualifier or name == country_name or qualifier == "China":
        return head
    return f"{head} ({qualifier})"


# --------------------------------------------------------------------------- parse


def _year_columns(df: pd.DataFrame) -> list[str]:
    years = [c for c in df.columns if re.fullmatch(r"\d{4}", str(c))]
    if not years:
        raise RawInputError(SHEET_FILE, "no year columns in the sheet")
    return years


def _check_units(df: pd.DataFrame) -> None:
    """Every row's indicator is known and its Units/Scale/Measurement are as expected."""
    codes = df["Indicator Code"].str.strip()
    unknown = ~codes.isin(INDICATORS)
    if unknown.any():
        raise RawInputError(
            SHEET_FILE,
            "unknown indicator code; add it to INDICATORS",
            "Indicator Code",
            codes[unknown].iloc[0],
        )
    for column, position in (("Units", 1), ("Scale", 2)):
        expected = codes.map(lambda c, p=position: INDICATORS[c][p])
        got = df[column].where(df[column].notna(), None)
        bad = got.map(lambda v: None if v is None else str(v).strip()) != expected
        bad &= ~(got.isna() & expected.isna())
        if bad.any():
            row = bad.idxmax()
            raise RawInputError(
                SHEET_FILE,
                f"unexpected {column} for indicator {codes[row]} (expected {expected[row]!r})",
                column,
                df.at[row, column],
            )
    levels = df["Measurement"].astype(str).str.startswith("Level values")
    if not levels.all():
        raise RawInputError(
            SHEET_FILE, "not a level series", "Measurement", df.loc[~levels, "Measurement"].iloc[0]
        )


def parse(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(NAME)
    tree = read_tree(paths[TREE_FILE], TREE_FILE)
    leaves = audit.start(tree, "locations tree")
    leaves = audit.drop(leaves["name"].str.endswith(TOTAL_SUFFIX), "country total, not a city")
    audit.finish(leaves)
    countries = tree[["region", "country_name", "country_code"]].drop_duplicates()
    check_unique(countries, ["country_code"], TREE_FILE)
    tree_names = leaves.assign(key=leaves["name"].map(normalize_name))

    raw = read_excel_table(paths[SHEET_FILE], sheet=SHEET)
    require_columns(raw, COLUMNS, SHEET_FILE)
    years = _year_columns(raw)
    df = audit.start(raw, "series")
    df = audit.drop(df["Location Code"].isna(), "no location code")
    oe_country = country_of_code(
        df["Location Code"].str.strip(), countries["country_code"].tolist()
    )
    df = audit.drop(oe_country.isna().astype(bool), "location code matches no country of the tree")
    audit.finish(df)
    _check_units(df)
    df = df.assign(
        code=df["Location Code"].str.strip(),
        oe_country_code=oe_country.loc[df.index].astype(str),
        indicator=df["Indicator Code"].str.strip(),
    )
    check_unique(df, ["code", "indicator"], SHEET_FILE)

    # One row per location, with its tree country and principal name.
    loc = df.drop_duplicates("code")[["code", "Location", "oe_country_code"]]
    labels = df.groupby("code")["Location"].nunique()
    if (labels > 1).any():
        raise RawInputError(
            SHEET_FILE,
            "one location code with several labels",
            "Location Code",
            labels[labels > 1].index[0],
        )
    loc = loc.merge(countries, left_on="oe_country_code", right_on="country_code", how="left")
    names_by_country = tree_names.groupby("country_code")["key"].agg(set).to_dict()
    loc["raw_name"] = [
        principal_name(label, code, cname, names_by_country.get(cc, set()))
        for label, code, cname, cc in zip(
            loc["Location"], loc["code"], loc["country_name"], loc["oe_country_code"], strict=True
        )
    ]
    # The name without its state or province qualifier, normalised like the tree names.
    loc["key"] = loc["raw_name"].str.partition(",")[0].map(normalize_name)
    loc["in_locations_tree"] = [
        key in names_by_country.get(cc, set())
        for key, cc in zip(loc["key"], loc["oe_country_code"], strict=True)
    ]
    # The caveat's name join, as a check on the code-prefix country.
    elsewhere = tree_names.groupby("key")["country_code"].agg(set)
    conflict = ~loc["in_locations_tree"] & loc["key"].map(
        lambda k: k in elsewhere.index and len(elsewhere[k]) == 1
    )
    if conflict.any():
        row = loc[conflict].iloc[0]
        raise RawInputError(
            SHEET_FILE,
            f"location code says country {row['oe_country_code']} but the locations tree has "
            f"{row['raw_name']!r} only under {sorted(elsewhere[row['key']])}",
            "Location Code",
            row["code"],
        )

    # Measures, long, in base units.
    wide = df[["code", "indicator"]].assign(
        **{year: to_number(df[year], SHEET_FILE, year) for year in years}
    )
    long = wide.melt(id_vars=["code", "indicator"], var_name="year", value_name="raw_value")
    long = audit.start(long, "values")
    long = audit.drop(long["raw_value"].isna(), "no value")
    audit.finish(long)
    factor = long["indicator"].map(lambda c: INDICATORS[c][3])
    value = long["raw_value"] * factor
    city_measures = pd.DataFrame(
        {
            "mention_id": NAME + ":" + long["code"],
            "measure": long["indicator"].map(lambda c: INDICATORS[c][0]),
            "year": long["year"].astype(int).astype("Int64"),
            "value": value.astype(float),
        }
    ).reset_index(drop=True)

    pop = city_measures[
        (city_measures["measure"] == "oe_pop") & (city_measures["year"] == POPULATION_YEAR)
    ].set_index("mention_id")["value"]
    loc["population"] = (NAME + ":" + loc["code"]).map(pop)
    mentions = build_mentions(
        loc,
        source=NAME,
        file=TREE_FILE,
        key="code",
        name="raw_name",
        country="country_name",
        population="population",
    )
    locations = pd.DataFrame(
        {
            "mention_id": NAME + ":" + loc["code"],
            "location": loc["Location"].astype(str),
            "location_code": loc["code"],
            "oe_country_code": loc["oe_country_code"],
            "region": loc["region"].astype(str),
            "in_locations_tree": loc["in_locations_tree"].astype(bool),
        }
    )
    return ParsedSource(
        tables={"mentions": mentions, "city_measures": city_measures, "locations": locations},
        audit=audit,
    )


SOURCES = [
    SourceSpec(
        name=NAME,
        files=(SHEET_FILE, TREE_FILE),
        parse=parse,
        schemas={"mentions": MENTIONS, "city_measures": CITY_MEASURES, "locations": LOCATIONS},
        description="Oxford Economics GCFS SAMPLE (proprietary, 2019 vintage): city GDP, "
        "population, employment, incomes 2015-2022.",
    )
]
