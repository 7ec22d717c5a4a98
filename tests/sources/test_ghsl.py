"""The GHSL urban-centre (GUDD) parser on a small synthetic zip in the file's layout."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.core.errors import RawInputError
from analysis.sources import ghsl
from analysis.sources.common.base import CITY_MEASURES, MENTIONS

FILE_RE = re.escape(ghsl.FILE)
HEADER = ["index", "total_pop_Delta", "ID_UC_G0", "year", "total_pop_2020", "Name", "Country",
          "Continent", "latitude", "longitude"]  # fmt: skip
ROWS = [
    [20, "11294.5", "4.0", 2020, "50202.05", "Papeete", "French Polynesia", "Oceania",
     "-17.55", "-149.58"],
    [21, "100", "5.0", 2020, "219412.4", "Victoria", "Canada", "Northern America",
     "48.44", "-123.35"],
    [22, "", "6.0", 2020, "120000", "Lutèce", "France", "Europe", "48.85", "2.35"],
    [23, "", "7.0", 2020, "90000", "", "", "", "1.0", "1.0"],  # no country
    [24, "", "8.0", 2020, "150000", "???", "India", "Asia", "", ""],  # no name, no point
    [25, "", "9.0", 2020, "", "???", "India", "Asia", "25.5", "84.1"],  # placed by its point
    [26, "", "10.0", 2020, "70000", "Kyrenia", "Northern Cyprus", "Asia", "35.3", "33.3"],
]  # fmt: skip


def write(tmp_path: Path, rows=ROWS, header=HEADER) -> Path:
    text = pd.DataFrame(rows, columns=header).to_csv(index=False)
    path = tmp_path / "gudd.csv.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("gudd_change_2000_2020_static_boundaries.csv", text)
    return path


def run(path: Path):
    return ghsl.parse({ghsl.FILE: path})


def test_tables_and_audit(tmp_path: Path) -> None:
    parsed = run(write(tmp_path))
    m = MENTIONS.validate(parsed.tables["mentions"]).set_index("mention_id")
    measures = CITY_MEASURES.validate(parsed.tables["city_measures"])
    assert sorted(m.index) == sorted(f"ghsl_ucdb:{k}" for k in (4, 5, 6, 9))
    v = m.loc["ghsl_ucdb:5"]
    assert (v["raw_name"], v["country_iso3"], v["lat"], v["lon"]) == (
        "Victoria", "CAN", 48.44, -123.35,
    )  # fmt: skip
    assert v["population"] == pytest.approx(219412.4)
    assert m.loc["ghsl_ucdb:6", "raw_name"] == "Lutèce"
    assert m.loc["ghsl_ucdb:4", "country_iso3"] == "PYF"
    # An unnamed centre with a centroid keeps its id as name and is matched by its point.
    assert m.loc["ghsl_ucdb:9", "raw_name"] == "GHSL centre 9"
    assert pd.isna(m.loc["ghsl_ucdb:9", "population"])
    assert set(measures["measure"]) == {"ghsl_pop_2020"}
    assert set(measures["year"]) == {2020}
    assert measures.set_index("mention_id").loc["ghsl_ucdb:6", "value"] == 120000.0
    assert len(measures) == 3

    audit = parsed.audit.to_frame()
    centres = audit[audit["step"] == "urban centres"].set_index("reason")["rows_dropped"]
    assert centres["no country"] == 1
    assert centres["no name and no centroid"] == 1
    assert centres.filter(like="not a country").sum() == 1
    pops = audit[audit["step"] == "population values"].set_index("reason")["rows_dropped"]
    assert pops["no 2020 population"] == 1
    first = audit[audit["step"] == "urban centres"].iloc[0]
    assert (first["rows_in"], first["rows_out"]) == (7, 4)


def test_missing_column_names_file_and_column(tmp_path: Path) -> None:
    header = [("lat" if h == "latitude" else h) for h in HEADER]
    with pytest.raises(RawInputError, match=rf"{FILE_RE}.*latitude"):
        run(write(tmp_path, header=header))


def test_fractional_id_is_refused(tmp_path: Path) -> None:
    rows = [[*ROWS[0][:2], "4.5", *ROWS[0][3:]], *ROWS[1:]]
    with pytest.raises(RawInputError, match=rf"{FILE_RE}, column 'ID_UC_G0'"):
        run(write(tmp_path, rows=rows))


def test_unreadable_population_names_value(tmp_path: Path) -> None:
    rows = [[*ROWS[1][:4], "2l9,000", *ROWS[1][5:]], *ROWS[2:]]
    with pytest.raises(RawInputError, match=rf"{FILE_RE}, column 'total_pop_2020'"):
        run(write(tmp_path, rows=rows))


@given(st.text(max_size=12))
def test_usable_name_needs_a_letter_or_digit(name: str) -> None:
    got = bool(ghsl.usable_name(pd.Series([name], dtype="str")).iloc[0])
    assert got == (re.fullmatch(r"[\s?.\-_]*", name) is None)


@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=20))
def test_centre_ids_round_trip(ids: list[int]) -> None:
    values = pd.Series([f"{i}.0" for i in ids], dtype="str")
    assert ghsl.centre_ids(values, "f").tolist() == [str(i) for i in ids]
