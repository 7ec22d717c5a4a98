"""The UN WUP 2018 File 12 parser on a small synthetic workbook in the file's layout.

The real file is a legacy .xls; no .xls writer is installed, so the synthetic workbook is an
.xlsx with the same sheets, title block, header row and cells (the shared reader picks the
engine from the extension, and everything after reading is the same code).
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from analysis.core.errors import RawInputError
from analysis.sources import wup
from analysis.sources.common.base import CITY_MEASURES, MENTIONS

FILE_RE = re.escape(wup.FILE)
YEARS = [1950, 1955, 2015, 2020, 2035]
HEADER = [
    "Index",
    "Country Code",
    "Country or area",
    "City Code",
    "Urban Agglomeration",
    "Note",
    "Latitude",
    "Longitude",
    *YEARS,
]
ROWS = [
    [
        1,
        999,
        "Brazil",
        30001,
        "Ciudad Nueva (New City)",
        2,
        10.5,
        -20.25,
        12.5,
        20,
        310.123,
        400,
        None,
    ],
    [2, 998, "France", 30002, "Lutèce", None, 48.85, 2.35, 100, 150.5, 900, 950, 1000],
    [3, 997, "Japan", 30003, "Edo", 1, 35.68, 139.76, 200, 300, 700, 800.25, 850],
]


def write(tmp_path: Path, rows=ROWS, header=HEADER, notes=None) -> Path:
    book = openpyxl.Workbook()
    data = book.active
    data.title = "Data"
    for _ in range(4):
        data.append([])
    data.append(["United Nations"])
    data.append(["Population Division"])
    for _ in range(9):
        data.append(["World Urbanization Prospects: The 2018 Revision"])
    data.append(["Population of Urban Agglomerations with 300,000 Inhabitants or More"])
    data.append(header)  # 0-based row 16, as in the real file
    for row in rows:
        data.append(row)
    sheet = book.create_sheet("NOTES")
    sheet.append(["Notes"])
    for line in notes or ["(1) Refers to Greater Edo.", "(2) Refers to the city proper."]:
        sheet.append([line])
    path = tmp_path / "wup.xlsx"
    book.save(path)
    return path


def run(path: Path):
    return wup.parse({wup.FILE: path})


def test_tables_and_audit(tmp_path: Path) -> None:
    parsed = run(write(tmp_path))
    mentions = MENTIONS.validate(parsed.tables["mentions"]).set_index("mention_id")
    measures = CITY_MEASURES.validate(parsed.tables["city_measures"])
    notes = wup.DEFINITION_NOTES.validate(parsed.tables["definition_notes"])

    assert list(mentions.index) == ["un_wup2018:30001", "un_wup2018:30002", "un_wup2018:30003"]
    new = mentions.loc["un_wup2018:30001"]
    assert new["raw_name"] == "Ciudad Nueva (New City)"
    assert new["country_iso3"] == "BRA"
    assert (new["lat"], new["lon"]) == (10.5, -20.25)
    assert new["population"] == 310_123.0  # the 2015 point, in persons
    assert mentions.loc["un_wup2018:30002", "country_iso3"] == "FRA"
    assert (mentions["entity_type"] == "city").all()

    assert set(measures["measure"]) == {"wup_pop"}
    series = measures.set_index(["mention_id", "year"])["value"]
    assert series[("un_wup2018:30001", 1950)] == 12_500.0
    assert series[("un_wup2018:30002", 1955)] == 150_500.0
    assert series[("un_wup2018:30003", 2020)] == 800_250.0  # projection, same measure
    assert ("un_wup2018:30001", 2035) not in series.index  # empty cell
    assert len(measures) == 3 * len(YEARS) - 1

    assert notes.set_index("mention_id").to_dict("index") == {
        "un_wup2018:30001": {"note_number": 2, "note_text": "Refers to the city proper."},
        "un_wup2018:30003": {"note_number": 1, "note_text": "Refers to Greater Edo."},
    }

    audit = parsed.audit.to_frame().set_index("step")
    assert audit.loc["agglomerations", ["rows_in", "rows_out", "rows_dropped"]].tolist() == [
        3,
        3,
        0,
    ]
    values = audit.loc["population values"]
    assert (values["rows_in"], values["rows_out"], values["rows_dropped"]) == (15, 14, 1)
    assert values["reason"] == "no population value"


def test_renamed_column_names_file_and_column(tmp_path: Path) -> None:
    header = [("Lat" if h == "Latitude" else h) for h in HEADER]
    with pytest.raises(RawInputError, match=rf"{FILE_RE}, column 'Latitude'"):
        run(write(tmp_path, header=header))


def test_unparseable_population_names_value(tmp_path: Path) -> None:
    rows = [[*ROWS[0][:9], "12,5", *ROWS[0][10:]], *ROWS[1:]]
    with pytest.raises(RawInputError, match=rf"{FILE_RE}, column '1955', value '12,5'"):
        run(write(tmp_path, rows=rows))


def test_note_missing_from_notes_sheet(tmp_path: Path) -> None:
    with pytest.raises(RawInputError, match=rf"{FILE_RE}, column 'Note', value 2"):
        run(write(tmp_path, notes=["(1) Refers to Greater Edo."]))
