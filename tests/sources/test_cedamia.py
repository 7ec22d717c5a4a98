"""The CEDAMIA parser on a small synthetic CED data sheet (workbook and CSV export)."""

from __future__ import annotations

import csv
import re
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.core.errors import RawInputError
from analysis.sources import cedamia
from tests.sources.helpers import parse_validated, step_reasons

HEADER = [
    "Jurisdictions (by country)",
    "",
    "Region",
    "Population",
    "Date",
    "Carbon neutral / net zero target dates",
    "",
    "Declaration type",
    "Minutes / motion text",
    "Media article",
    "CE Action Plan",
    "Council news",
    "Agenda item",
    "Council majority / strongest group",
    "Council composition",
    "C40",
    "ICLEI",
    "Covenant of Mayors",
    "Under2",
    "Carbon Neutral Cities Alliance",
    "Climate Alliance",
    "Cities Power Partnership",
    "Race to Zero",
    "Fossil Fuel Non-proliferation Treaty",
]
WIDTH = len(HEADER)
TITLE = [
    ["Climate Emergency Declaration (CED) data sheet", "", "", "", "<-Click link"],
    ["Number of CED places:", "", 12, "", "Total population:", 999],
    ["Nations with at least one CED place:", "", 4],
    ["Number of national CEDs:", "", "1 (& EU)"],
    ["Number of subnational state/region CEDs:", "", 3],
    ["To ask for additions or corrections, email someone"],
]
SUBHEADER = [
    "",
    "",
    "",
    "",
    "",
    "Council operations",
    "Community-wide",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "(at time of CED)",
]
BLANK: list[object] = []


def row(*cells: object) -> list[object]:
    return list(cells)


def jurisdiction(name, region, population, date, kind="Declared CE"):
    return [name, "", region, population, date, "", "", kind]


def totals(label, n, population):
    return [
        ["", "", "No. of CEDs", "", "% of population:"],
        [f"{label} totals:", "", n, population, 0.5],
        BLANK,
    ]


def sheet_rows(date_of=lambda d: d):
    """The Data sheet as a list of rows; ``date_of`` renders dates (cells or CSV text)."""
    d = lambda y, m, day: date_of(datetime(y, m, day))  # noqa: E731
    return [
        *TITLE,
        HEADER,
        SUBHEADER,
        row("Andorra", "", 2, "<-CED total for Andorra", "", "", 2050),
        jurisdiction("Alpha City Council", "North", 120000, d(2019, 5, 2)),
        jurisdiction("Andorra General Council", "", 5000000, d(2019, 9, 1)),
        jurisdiction("Beta Shire Council", "South", "?", d(2016, 12, 5)),
        BLANK,
        *totals("Andorra", 3, 5120000),
        row("European Union", "", 1),
        jurisdiction("European Parliament", "", 447000000, d(2019, 11, 28)),
        row("UK and dependencies", "", 3, "<-CED total for UK"),
        row("See the note on the About tab re the UK parliament declaration."),
        jurisdiction("Gamma Town Council", "England", 5000, d(2019, 7, 1)),
        jurisdiction("Jersey Parliament", "Jersey", 100000, d(2019, 5, 2)),
        jurisdiction("Scotland", "Scotland", 5400000, d(2019, 4, 28)),
        jurisdiction("Delta County Council", "England", 700000, d(2019, 2, 21)),
        *totals("UK and dependencies", 4, 6205000),
        row("USA", "", 3, "<-CED total for USA"),
        jurisdiction("Portland City Council", "Maine", 66000, d(2019, 11, 18)),
        jurisdiction("Portland City Council", "Oregon", 650000, d(2020, 6, 30)),
        jurisdiction("Zeta County", "California", 250000, d(2021, 6, 15)),
        jurisdiction("Quebecish 25 Councils (see link)", "Nowhere", 690000, "Since Aug 2018"),
        jurisdiction("Eta Canton", "Eta", 200000, d(2019, 3, 11)),
        *totals("USA", 5, 1856000),
        row("Total global CED jurisdictions & population:", "", 12, 999, 0.1),
        row("Significant declarations requiring ratification before we add them"),
        jurisdiction("Theta Senate", "", 1000, d(2019, 9, 3)),
        row("", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "C40", 47),
        row("Political control in UK CED councils", "", "No. of CED councils", "% of total"),
        row("Conservative", "", 98, 0.27),
    ]


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    for cells in rows:
        sheet.append([None if c == "" else c for c in cells] if cells else [None])
    book.create_sheet("Notes").append(["About this sheet"])
    book.save(path)
    return path


def csv_cell(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.2%}"
    return str(value)


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for cells in rows:
            padded = [csv_cell(c) for c in cells] + [""] * (WIDTH - len(cells))
            writer.writerow(padded[:WIDTH])
    return path


def files(tmp_path: Path, xlsx_rows=None, csv_rows=None) -> dict[str, Path]:
    xlsx_rows = xlsx_rows if xlsx_rows is not None else sheet_rows()
    csv_rows = csv_rows if csv_rows is not None else sheet_rows(lambda d: d.strftime("%-d %b %Y"))
    return {
        cedamia.XLSX: write_xlsx(tmp_path / "ced.xlsx", xlsx_rows),
        cedamia.CSV: write_csv(tmp_path / "ced.csv", csv_rows),
    }


def parse(paths):
    return parse_validated(cedamia.SOURCES[0], paths)


def test_parse_declarations(tmp_path):
    result = parse(files(tmp_path))
    mentions = result.tables["mentions"].set_index("mention_id")
    expected = {
        "Andorra|North|Alpha City Council": ("city", "Andorra", "AND", 120000.0),
        "Andorra||Andorra General Council": ("other", "Andorra", "AND", 5000000.0),
        "Andorra|South|Beta Shire Council": ("city", "Andorra", "AND", None),
        "UK and dependencies|England|Gamma Town Council": (
            "city",
            "UK and dependencies",
            "GBR",
            5000.0,
        ),
        "UK and dependencies|Jersey|Jersey Parliament": ("region", "Jersey", "JEY", 100000.0),
        "UK and dependencies|Scotland|Scotland": (
            "region",
            "UK and dependencies",
            "GBR",
            5400000.0,
        ),
        "UK and dependencies|England|Delta County Council": (
            "county",
            "UK and dependencies",
            "GBR",
            700000.0,
        ),
        "USA|Maine|Portland City Council": ("city", "USA", "USA", 66000.0),
        "USA|Oregon|Portland City Council": ("city", "USA", "USA", 650000.0),
        "USA|California|Zeta County": ("county", "USA", "USA", 250000.0),
        "USA|Nowhere|Quebecish 25 Councils (see link)": ("group", "USA", "USA", 690000.0),
        "USA|Eta|Eta Canton": ("region", "USA", "USA", 200000.0),
    }
    got = {
        key.split(":", 1)[1]: (
            m.entity_type,
            m.raw_country,
            m.country_iso3,
            None if pd.isna(m.population) else m.population,
        )
        for key, m in mentions.iterrows()
    }
    assert got == expected
    assert mentions["lat"].isna().all()

    acts = result.tables["acts"].set_index("mention_id")
    assert set(acts["act"]) == {"climate_emergency_declaration"}
    assert set(acts["act_class"]) == {"normative"}
    assert acts.loc["cedamia:Andorra|South|Beta Shire Council", "date"] == pd.Timestamp(
        "2016-12-05"
    )
    assert acts.loc["cedamia:USA|Oregon|Portland City Council", "year"] == 2020
    undated = acts.loc["cedamia:USA|Nowhere|Quebecish 25 Councils (see link)"]
    assert pd.isna(undated["date"]) and pd.isna(undated["year"])

    layout = {
        "country header row": 4,
        "note row": 1,
        "per-country totals row": 3,
        "sub-header row": 4,
        "declaration awaiting ratification (listed below the totals)": 1,
        "summary tables below the declaration list": 5,
    }
    assert step_reasons(result, "xlsx rows") == layout
    assert step_reasons(result, "csv rows") == {**layout, "blank row": 4}
    assert step_reasons(result, "csv copy vs xlsx (check only)") == {"none": 0}
    assert step_reasons(result, "jurisdictions") == {
        "country block is not a country (aggregate)": 1
    }


def test_csv_disagreement_is_recorded_or_raises(tmp_path, monkeypatch):
    csv_rows = sheet_rows(lambda d: d.strftime("%-d %b %Y"))
    alpha = next(i for i, r in enumerate(csv_rows) if r and r[0] == "Alpha City Council")
    csv_rows[alpha] = jurisdiction("Alpha City Council", "North", 120000, "3 May 2019")
    with pytest.raises(RawInputError, match=re.escape(cedamia.CSV) + r": 1 jurisdiction"):
        parse(files(tmp_path, csv_rows=csv_rows))
    monkeypatch.setattr(cedamia, "MAX_DISAGREEMENT", 0.5)
    result = parse(files(tmp_path, csv_rows=csv_rows))
    assert step_reasons(result, "csv copy vs xlsx (check only)") == {
        "csv date differs from xlsx": 1
    }
    assert len(result.tables["acts"]) == 12  # the workbook is the source


def test_unparseable_csv_date_raises_with_file_and_column(tmp_path):
    csv_rows = sheet_rows(lambda d: d.strftime("%-d %b %Y"))
    alpha = next(i for i, r in enumerate(csv_rows) if r and r[0] == "Alpha City Council")
    csv_rows[alpha] = jurisdiction("Alpha City Council", "North", 120000, "2nd of May 2019")
    with pytest.raises(RawInputError, match=re.escape(cedamia.CSV) + r", column 'Date'"):
        parse(files(tmp_path, csv_rows=csv_rows))


def test_renamed_column_raises_with_file_and_column(tmp_path):
    rows = sheet_rows()
    header = rows.index(HEADER)
    rows[header] = ["Pop" if c == "Population" else c for c in HEADER]
    with pytest.raises(RawInputError, match=re.escape(cedamia.XLSX) + r", column 'Population'"):
        parse(files(tmp_path, xlsx_rows=rows))


def test_missing_end_marker_raises(tmp_path):
    rows = [r for r in sheet_rows() if not (r and str(r[0]).startswith("Total global"))]
    with pytest.raises(RawInputError, match=re.escape(cedamia.XLSX) + r".*layout changed"):
        parse(files(tmp_path, xlsx_rows=rows))


@pytest.mark.parametrize(
    ("name", "region", "country", "expected"),
    [
        ("Basel-City (Basel-Stadt) Canton", "Basel-Stadt", "Switzerland", "region"),
        ("Liverpool City Region Combined Authority", "England", "UK", "city"),
        ("Ireland, Republic of", "-", "Ireland, Republic of ", "other"),
        ("Hokkaido Prefecture", "Hokkaido", "Japan", "region"),
        ("San Francisco (City and County)", "California", "USA", "city"),
        ("As below - National Association of Mayors 226 councils", "", "Korea", "group"),
        ("Halifax Regional Council", "Nova Scotia", "Canada", "city"),
    ],
)
def test_entity_type_rules(name, region, country, expected):
    assert cedamia.entity_type(name, region, country) == expected
