"""European local administrative units (LAU 2020, municipalities): the second gazetteer layer.

Source: Comai (2021), EDJNet ``lau_centres``: the LAU 2020 units of Eurostat GISCO with a
population-weighted centre, population, area and NUTS 2021 codes, one CSV per country
(34 countries; France is missing). Raw files: ``lau/<CC>_lau_2020_nuts_2021_pop_2018_p_2_
adjusted_intersection.csv`` (see ``lau/SOURCES.yaml``).

Spec and table
--------------
``lau`` -> ``lau_units``: one row per unit, keyed by ``gisco_id`` (country code + "_" +
national code, e.g. ``ES_28079`` = Madrid; stable across releases of the same LAU year).
Columns: ``gisco_id``, ``lau_code`` (national code as text, leading zeros kept),
``country_iso3`` (Eurostat's EL and UK are Greece and the United Kingdom: GRC, GBR),
``name`` (the official name in the national language(s) and script: Greek, Cyrillic),
``lat``/``lon`` (the population-weighted centre, or the geometric centre where
``pop_weighted`` is false), ``population``, ``area_km2``, ``nuts3``, ``pop_weighted``.

The units are not mentions: the matching stage (``analysis.resolve.lau``) uses them as a fallback
layer behind GeoNames, so a European municipality that GeoNames lacks still gets a city.

Caveats (SOURCES.yaml) and how they are handled
-----------------------------------------------
Eurostat country codes (EL, UK) -> mapped explicitly to ISO3; any other code in a file
raises (naming file and code). A file whose ``country`` column is not its own country
raises. Names are national-language, sometimes bilingual ("Donostia / San Sebastián",
"Maarianhamina - Mariehamn"), Greek units are "Κοινότητα X" in the genitive, German ones
carry a status ("Flensburg, Stadt") -> kept verbatim here; ``analysis.resolve.lau`` derives the
lookup keys. UK units are local-authority districts, Irish and Greek ones are larger or
sub-municipal units -> documented; the matching layer treats them as municipalities.
Centres may sit in the main town rather than the seat -> used only as a point to check
distance. Units without a usable point or without a name are dropped (counted); a
duplicated ``gisco_id`` raises.
"""

from __future__ import annotations

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
    to_number,
)

NAME = "lau"
# Eurostat country code -> ISO 3166-1 alpha-3 (EL = Greece, UK = United Kingdom)
EUROSTAT_ISO3: dict[str, str] = {
    "AL": "ALB",
    "AT": "AUT",
    "BE": "BEL",
    "BG": "BGR",
    "CH": "CHE",
    "CY": "CYP",
    "CZ": "CZE",
    "DE": "DEU",
    "DK": "DNK",
    "EE": "EST",
    "EL": "GRC",
    "ES": "ESP",
    "FI": "FIN",
    "HR": "HRV",
    "HU": "HUN",
    "IE": "IRL",
    "IS": "ISL",
    "IT": "ITA",
    "LI": "LIE",
    "LT": "LTU",
    "LU": "LUX",
    "LV": "LVA",
    "MK": "MKD",
    "MT": "MLT",
    "NL": "NLD",
    "NO": "NOR",
    "PL": "POL",
    "PT": "PRT",
    "RO": "ROU",
    "RS": "SRB",
    "SE": "SWE",
    "SI": "SVN",
    "SK": "SVK",
    "UK": "GBR",
}
FILES = tuple(
    f"lau/{cc}_lau_2020_nuts_2021_pop_2018_p_2_adjusted_intersection.csv"
    for cc in sorted(EUROSTAT_ISO3)
)
COLUMNS = [
    "gisco_id",
    "longitude",
    "latitude",
    "country",
    "nuts_3",
    "lau_id",
    "lau_name",
    "population",
    "area_km2",
    "pop_weighted",
]

LAU_UNITS = pa.DataFrameSchema(
    {
        "gisco_id": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{2}_\S+$"), unique=True),
        "lau_code": pa.Column(str),
        "country_iso3": pa.Column(str, pa.Check.isin(sorted(EUROSTAT_ISO3.values()))),
        "name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "lat": pa.Column(float, pa.Check.in_range(-90, 90)),
        "lon": pa.Column(float, pa.Check.in_range(-180, 180)),
        "population": pa.Column(float, pa.Check.ge(0), nullable=True),
        "area_km2": pa.Column(float, pa.Check.ge(0), nullable=True),
        "nuts3": pa.Column(str, nullable=True),
        "pop_weighted": pa.Column(bool),
    },
    strict=True,
    name="lau_units",
)


def read_units(path: Path, file: str) -> pd.DataFrame:
    """One country file as `lau_units` rows (no rows dropped: see `parse` for that)."""
    raw = read_text_table(path, sep=",", na_values=["NA"])
    require_columns(raw, COLUMNS, file)
    cc = Path(file).name[:2]
    bad = sorted(set(raw["country"].dropna()) - {cc})
    if bad:
        raise RawInputError(file, f"expected only country {cc!r}", "country", bad[0])
    flags = raw["pop_weighted"].str.strip().str.upper()
    odd = sorted(set(flags.dropna()) - {"TRUE", "FALSE"})
    if odd:
        raise RawInputError(file, "expected TRUE or FALSE", "pop_weighted", odd[0])
    return pd.DataFrame(
        {
            "gisco_id": raw["gisco_id"].str.strip(),
            "lau_code": raw["lau_id"].fillna("").str.strip(),
            "country_iso3": EUROSTAT_ISO3[cc],
            "name": raw["lau_name"].fillna("").str.strip(),
            "lat": to_number(raw["latitude"], file, "latitude"),
            "lon": to_number(raw["longitude"], file, "longitude"),
            "population": to_number(raw["population"], file, "population"),
            "area_km2": to_number(raw["area_km2"], file, "area_km2"),
            "nuts3": raw["nuts_3"].str.strip(),
            "pop_weighted": flags.eq("TRUE").to_numpy(dtype=bool),
        }
    )


def parse(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(NAME)
    frames = [read_units(paths[f], f) for f in FILES]
    units = pd.concat(frames, ignore_index=True)
    check_unique(units, ["gisco_id"], "lau/*.csv")
    units = audit.start(units, "lau units")
    units = audit.drop(units["name"].eq(""), "no unit name")
    bad_point = ~(units["lat"].between(-90, 90) & units["lon"].between(-180, 180))
    units = audit.drop(bad_point.astype(bool), "no usable centre point")
    units = units.sort_values("gisco_id", ignore_index=False)
    units = audit.finish(units).reset_index(drop=True)
    return ParsedSource(tables={"lau_units": units}, audit=audit)


SOURCES = [
    SourceSpec(
        name=NAME,
        files=FILES,
        parse=parse,
        schemas={"lau_units": LAU_UNITS},
        description="LAU 2020 municipalities of 34 European countries (EDJNet lau_centres)",
    )
]
