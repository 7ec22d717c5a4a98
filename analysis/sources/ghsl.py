"""GHSL urban centres (GUDD 2000-2020): a city universe that does not depend on activity.

File ``cities/gudd_ghsl_urban_centres_2000_2020.csv.zip``: a zip holding one comma-separated
UTF-8 CSV, one row per urban centre of the GHSL Urban Centre Database R2024A (a dense built-up
cluster of at least 50,000 people at its delineation epoch), with GUDD's 2020 population and
the 2000-2020 demographic change. 11,351 rows in 188 countries (SOURCES.yaml). H1 uses the
centres as its city universe (``analysis.hypotheses.h1_panel``): every centre is a city that could have
acted, whether or not any network ever named it.

Tables
------
``mentions``
    One per centre: ``mention_id`` ``ghsl_ucdb:<ID_UC_G0>`` (the GHS-UCDB id, a stable key),
    ``raw_name`` the centre's main name, ``raw_country`` the country *name* (resolved by the
    shared resolver), ``entity_type`` ``city``, the centroid (matched coordinates first) and
    ``population`` = ``total_pop_2020``.
``city_measures``
    ``ghsl_pop_2020``: GUDD's 2020 population of the centre (persons, year 2020), one row per
    centre with a population. Several centres can resolve to one GeoNames place; assembly
    keeps the largest (``analysis.panel.assemble``: a size, not a count).

Caveats (SOURCES.yaml) and how they are handled
-----------------------------------------------
- GUDD's 2020 estimate is below 50,000 for 4,887 centres: the universe threshold is chosen
  downstream (``panel.universe_min_population``, README "H1"), not here; every centre is emitted.
- 436 rows have no country, 258 no name, 337 no centroid: a row without a country is dropped
  ("no country"); a row without a usable name ("???" or empty) is dropped ("no name") unless it
  has a centroid, when the matcher can place it by coordinates (its name is then the id).
  Rows without a centroid are kept and matched by name within the country.
- Names are the GHSL's (sometimes one municipality inside a larger agglomeration): the
  matcher uses the centroid first (``analysis.resolve.match``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from analysis.core.audit import RowAudit
from analysis.resolve.countries import drop_non_countries
from analysis.sources.common.base import (
    CITY_MEASURES,
    MENTIONS,
    ParsedSource,
    SourceSpec,
    build_mentions,
    city_measures_for_year,
)
from analysis.sources.common.readers import (
    check_range,
    check_unique,
    read_text_table,
    require_columns,
    to_number,
)

NAME = "ghsl_ucdb"
FILE = "cities/gudd_ghsl_urban_centres_2000_2020.csv.zip"
MEASURE = "ghsl_pop_2020"
POP_YEAR = 2020
KEY_COLUMNS = ["ID_UC_G0", "Name", "Country", "latitude", "longitude", "total_pop_2020"]
#: A name that carries no information: empty, or only question marks / punctuation.
_NO_NAME = re.compile(r"^[\s?.\-_]*$")


def usable_name(names: pd.Series) -> pd.Series:
    """True where a centre's name has at least one letter or digit (not "???" or blank)."""
    text = names.astype("str").where(names.notna(), "")
    return ~text.str.fullmatch(_NO_NAME.pattern)


def centre_ids(values: pd.Series, file: str) -> pd.Series:
    """The GHS-UCDB ids as integer strings ("4.0" -> "4"); non-integers or missing raise."""
    numbers = to_number(values, file, "ID_UC_G0")
    bad = numbers.isna() | (numbers != numbers.round())
    if bad.any():
        from analysis.core.errors import RawInputError

        raise RawInputError(
            file, "ID_UC_G0 is not a whole number", column="ID_UC_G0", value=values[bad].iloc[0]
        )
    return numbers.astype("int64").astype("str")


def parse(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(NAME)
    raw = read_text_table(paths[FILE], sep=",")
    require_columns(raw, KEY_COLUMNS, FILE)

    df = audit.start(raw, "urban centres")
    df = audit.drop(df["Country"].isna(), "no country")
    df = drop_non_countries(audit, df, "Country", reason="country is not a country ({kind})")
    named = usable_name(df["Name"])
    has_point = df["latitude"].notna() & df["longitude"].notna()
    df = audit.drop(~named & ~has_point, "no name and no centroid")
    audit.finish(df)

    keys = centre_ids(df["ID_UC_G0"], FILE)
    df = df.assign(key=keys)
    check_unique(df, ["key"], FILE)
    # An unnamed centre with a centroid is placed by its coordinates; its id stands in as name.
    df = df.assign(name=df["Name"].where(usable_name(df["Name"]), "GHSL centre " + df["key"]))
    pop = to_number(df["total_pop_2020"], FILE, "total_pop_2020")
    check_range(pop.dropna(), 0, 5e7, FILE, "total_pop_2020")
    for col, lim in (("latitude", 90), ("longitude", 180)):
        check_range(to_number(df[col], FILE, col).dropna(), -lim, lim, FILE, col)
    df = df.assign(population=pop)
    mentions = build_mentions(
        df,
        source=NAME,
        file=FILE,
        key="key",
        name="name",
        country="Country",
        lat="latitude",
        lon="longitude",
        population="population",
    )

    with_pop = df[pop.notna()]
    measures = audit.start(df, "population values")
    measures = audit.drop(pop.isna(), "no 2020 population")
    audit.finish(measures)
    city_measures = city_measures_for_year(
        NAME + ":" + with_pop["key"], {MEASURE: pop[pop.notna()]}, POP_YEAR
    )
    return ParsedSource(tables={"mentions": mentions, "city_measures": city_measures}, audit=audit)


SOURCES = [
    SourceSpec(
        name=NAME,
        files=(FILE,),
        parse=parse,
        schemas={"mentions": MENTIONS, "city_measures": CITY_MEASURES},
        description="GHSL urban centres (GUDD): the H1 city universe, 2020 population.",
    )
]
