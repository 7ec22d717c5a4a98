"""The 287(g) agencies parser on small synthetic files in the raw format."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import RawInputError
from analysis.sources import us_287g as m
from analysis.sources.common.runner import run_source
from tests.sources.helpers import drop_counts, write_xlsx

(SPEC,) = m.SOURCES  # one spec per module


YEARS = [f"y{y}" for y in range(2005, 2020)]
HEADER_287G = [
    "Sheriff",
    "State",
    "County",
    "ori",
    None,
    "bsu",
    "FIPS",
    "SUBSET",
    "ignore",
    "Joined after 2018? (Y/N)",
    *YEARS,
    "NOTES",
    "SHERIFF? (for counties that ended agreements)",
]


def agency(state, name, ori, fips, joined, first=None, last=None, notes=None):
    flags = ["X" if first and first <= y <= last else None for y in range(2005, 2020)]
    return ["Jane Doe", state, name, ori, 9, "y", fips, "x", None, joined, *flags, notes, None]


def rows_287g() -> list[list[object]]:
    return [
        HEADER_287G,
        agency("ALABAMA", "Etowah County Sheriff's Office", "AL0310000", 1055, "N", 2008, 2019),
        # FIPS from another state (as La Paz AZ's 20701): the agency name gives 04012
        agency("ARIZONA", "La Paz County Sheriff's Office", None, 20701, "Y", notes="joined 2020"),
        agency("ARIZONA", "Mesa Police Department", None, None, "N", 2009, 2019),
        agency("MONTANA", "Gallatin County Sherrifs Office", "MT0160000", None, "N", 2018, 2019),
        agency("MONTANA", "Gallatin County Sherrifs Office", None, 30031, "Y", notes="JOINED 2020"),
        ["", "State (Alphabetical)", "COUNTIES THAT ENDED 287(g)", *[None] * 24],
        agency(
            "Virginia",
            "Loudoun County Sheriff's Office",
            "VA05300",
            None,
            "N ",
            2008,
            2013,
            "Cancelled by ICE",
        ),
        agency(
            None,
            "Manassas Police Department",
            None,
            None,
            "N",
            2008,
            2012,
            "Likely ended in 2012 (Task Force Model)",
        ),
    ]


def test_287g_agencies(tmp_path: Path) -> None:
    write_xlsx(tmp_path, m.FILE_287G, {"Sheet1": rows_287g()})
    parsed = run_source(SPEC, tmp_path)
    table = parsed.tables["us_287g"].set_index("agency")
    assert len(table) == 6
    etowah = table.loc["Etowah County Sheriff's Office"]
    assert (etowah["state"], etowah["county_fips"], etowah["county_fips_method"]) == (
        "AL",
        "01055",
        "file",
    )
    assert (etowah["first_year"], etowah["last_year"], etowah["n_years"]) == (2008, 2019, 12)
    assert pd.isna(etowah["end_year"]) and etowah["list_section"] == "active_2019"
    la_paz = table.loc["La Paz County Sheriff's Office"]
    assert (la_paz["county_fips"], la_paz["county_fips_method"]) == ("04012", "name")
    assert la_paz["first_year"] == 2020 and la_paz["n_years"] == 0 and la_paz["joined_after_2018"]
    mesa = table.loc["Mesa Police Department"]
    assert mesa["agency_type"] == "police" and pd.isna(mesa["county_fips"])
    gallatin = table.loc["Gallatin County Sherrifs Office"]
    assert (gallatin["first_year"], gallatin["last_year"]) == (2018, 2019)
    assert gallatin["county_fips"] == "30031" and gallatin["ori"] == "MT0160000"
    loudoun = table.loc["Loudoun County Sheriff's Office"]
    assert loudoun["list_section"] == "ended" and loudoun["end_year"] == 2013
    assert loudoun["county_fips"] == "51107" and not loudoun["joined_after_2018"]
    manassas = table.loc["Manassas Police Department"]
    assert manassas["state"] == "VA" and manassas["agreement_model"] == "task_force"
    assert manassas["end_year"] == 2012
    assert drop_counts(parsed) == {
        ("agencies", "duplicate agency row (merged)"): 1,
        ("agencies", "section header row"): 1,
    }


def test_287g_bad_flag_names_column(tmp_path: Path) -> None:
    rows = rows_287g()
    rows[1][HEADER_287G.index("y2010")] = "Y"
    write_xlsx(tmp_path, m.FILE_287G, {"Sheet1": rows})
    with pytest.raises(RawInputError, match=r"ice_287g_agencies_2019_wapo\.xlsx, column 'y2010'"):
        run_source(SPEC, tmp_path)
