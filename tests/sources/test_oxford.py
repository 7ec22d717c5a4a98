"""The Oxford Economics GCFS parser on a synthetic sheet and locations tree in their formats."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from analysis.core.errors import RawInputError
from analysis.sources import oxford
from analysis.sources.common.base import CITY_MEASURES, MENTIONS

SHEET_RE = re.escape(oxford.SHEET_FILE)
YEARS = ["2015", "2016", "2017", "2018"]
HEADER = [
    "Location",
    "Indicator",
    "Units",
    "Scale",
    "Measurement",
    *YEARS,
    "Source",
    "Date of last update",
    "Location Code",
    "Indicator Code",
    "Note",
]
POP = ("Total population", "Persons", "Thousands", "POPTOTT")
GDP = ("Gross domestic product - Total", "US$", "Millions: Current prices", "GDPTOTUSN")
HH = ("Average household size", "Persons", None, "HHSIZE")


def series(location, code, indicator, values):
    name, units, scale, icode = indicator
    return [
        location,
        name,
        units,
        scale,
        "Level values (5yr mean)",
        *values,
        "Invented statistics office",
        datetime(2019, 10, 30),
        code,
        icode,
        "5yr rolling mean applied to series",
    ]


ROWS = [
    series("Birmingham - Metro", "UK002C", POP, [2000, 2010.5, 2020, 2030]),
    series("Birmingham - Metro", "UK002C", GDP, [50.25, 51, 52, 53]),
    series("Winston-Salem, NC", "USM49180", POP, [600, 610, 620, 630]),
    series("Springfield-Shelbyville, IL-MO", "USM44100", POP, [300, 301, 302, 303]),
    series("Taizhou, Jiangsu", "CHNAC", HH, [3.1, 3.0, 2.9, 2.8]),
    series("Bern - Metro", "CH004C", POP, [400, None, 402, 403]),
    series("Hong Kong, China", "HKG", POP, [7000, 7010, 7020, 7030]),
]


def node(name, code, children=None):
    out = {"label": name, "value": json.dumps({"name": name, "code": code})}
    if children is not None:
        out["children"] = children
    return out


def country(name, code, cities):
    leaves = [node(f"{name} - Total", code)] + [node(n, c) for n, c in cities]
    return node(name, code, leaves)


TREE = {
    "label": "Global Cities Forecast Service",
    "value": "Global Cities Forecast Service",
    "children": [
        {
            "label": "Locations",
            "value": "Locations",
            "children": [
                {
                    "label": "Europe",
                    "value": "Europe",
                    "children": [
                        country("United Kingdom", "UK", [("Birmingham (UK)", "UK1")]),
                        country("Switzerland", "CH", [("Bern", "CH1")]),
                    ],
                },
                {
                    "label": "Americas",
                    "value": "Americas",
                    "children": [
                        country(
                            "United States",
                            "US",
                            [("Winston-Salem", "US1"), ("Springfield", "US2")],
                        )
                    ],
                },
                {
                    "label": "Asia",
                    "value": "Asia",
                    "children": [
                        country("China", "CHN", [("Taizhou (Jiangsu)", "CHN1")]),
                        country("Hong Kong, China", "HKG", [("Hong Kong (City)", "HKG1")]),
                    ],
                },
            ],
        }
    ],
}


def write(tmp_path: Path, rows=ROWS, header=HEADER, tree=TREE) -> dict[str, Path]:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = oxford.SHEET
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    xlsx = tmp_path / "gcfs.xlsx"
    book.save(xlsx)
    tree_path = tmp_path / "locations.json"
    tree_path.write_text(json.dumps(tree), encoding="utf-8")
    return {oxford.SHEET_FILE: xlsx, oxford.TREE_FILE: tree_path}


def test_tables_and_audit(tmp_path: Path) -> None:
    parsed = oxford.parse(write(tmp_path))
    mentions = MENTIONS.validate(parsed.tables["mentions"]).set_index("mention_id")
    measures = CITY_MEASURES.validate(parsed.tables["city_measures"])
    locations = oxford.LOCATIONS.validate(parsed.tables["locations"]).set_index("mention_id")

    expected = {
        "oxford_gcfs:UK002C": ("Birmingham", "GBR"),
        "oxford_gcfs:USM49180": ("Winston-Salem, NC", "USA"),
        "oxford_gcfs:USM44100": ("Springfield, IL", "USA"),
        "oxford_gcfs:CHNAC": ("Taizhou (Jiangsu)", "CHN"),
        "oxford_gcfs:CH004C": ("Bern", "CHE"),  # "CH", not the longer "CHN" prefix
        "oxford_gcfs:HKG": ("Hong Kong", "HKG"),
    }
    got = {m: (r.raw_name, r.country_iso3) for m, r in mentions.iterrows()}
    assert got == expected
    assert mentions.loc["oxford_gcfs:UK002C", "raw_country"] == "United Kingdom"
    assert mentions.loc["oxford_gcfs:UK002C", "population"] == 2_030_000.0  # 2018 oe_pop
    assert mentions[["lat", "lon"]].isna().all().all()

    assert locations.loc["oxford_gcfs:USM44100", "location"] == "Springfield-Shelbyville, IL-MO"
    assert locations.loc["oxford_gcfs:CH004C", "oe_country_code"] == "CH"
    assert locations.loc["oxford_gcfs:HKG", "region"] == "Asia"
    assert locations["in_locations_tree"].all()

    values = measures.set_index(["mention_id", "measure", "year"])["value"]
    assert values[("oxford_gcfs:UK002C", "oe_pop", 2016)] == 2_010_500.0
    assert values[("oxford_gcfs:UK002C", "oe_gdp_usd_current", 2015)] == 50_250_000.0
    assert values[("oxford_gcfs:CHNAC", "oe_household_size", 2018)] == 2.8
    assert ("oxford_gcfs:CH004C", "oe_pop", 2016) not in values.index
    assert len(measures) == 7 * 4 - 1

    audit = parsed.audit.to_frame().set_index(["step", "reason"])
    tree_step = audit.loc["locations tree"]
    assert tree_step["rows_in"].iloc[0] == 11  # 6 cities + 5 country totals
    assert tree_step["rows_out"].iloc[0] == 6
    assert tree_step.loc["country total, not a city", "rows_dropped"] == 5
    assert audit.loc[("series", "none"), ["rows_in", "rows_out"]].tolist() == [7, 7]
    assert audit.loc[("values", "no value"), ["rows_in", "rows_out", "rows_dropped"]].tolist() == [
        28,
        27,
        1,
    ]


def test_renamed_column_names_file_and_column(tmp_path: Path) -> None:
    header = [("Indicator code" if h == "Indicator Code" else h) for h in HEADER]
    with pytest.raises(RawInputError, match=rf"{SHEET_RE}, column 'Indicator Code'"):
        oxford.parse(write(tmp_path, header=header))


def test_unparseable_value_names_file_column_value(tmp_path: Path) -> None:
    rows = [*ROWS[:2], series("Winston-Salem, NC", "USM49180", POP, [600, "n/a", 620, 630])]
    with pytest.raises(RawInputError, match=rf"{SHEET_RE}, column '2016', value 'n/a'"):
        oxford.parse(write(tmp_path, rows=rows))


def test_unexpected_scale_raises(tmp_path: Path) -> None:
    bad = ("Total population", "Persons", "Millions", "POPTOTT")
    rows = [*ROWS[:2], series("Winston-Salem, NC", "USM49180", bad, [1, 2, 3, 4])]
    with pytest.raises(RawInputError, match=rf"{SHEET_RE}, column 'Scale', value 'Millions'"):
        oxford.parse(write(tmp_path, rows=rows))


def test_code_country_contradicting_the_tree_raises(tmp_path: Path) -> None:
    rows = [series("Springfield", "UK009C", POP, [1, 2, 3, 4])]
    with pytest.raises(RawInputError, match=r"column 'Location Code', value 'UK009C'"):
        oxford.parse(write(tmp_path, rows=rows))
