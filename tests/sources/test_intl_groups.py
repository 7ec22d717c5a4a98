"""Group-membership and crosswalk parsers on small synthetic files (invented values).

The NATO accession table is replaced by a small invented one, so the synthetic NATO list does
not have to repeat the real member list.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import RawInputError
from analysis.sources import intl_groups
from analysis.sources.common.runner import run_source
from tests.sources.helpers import drops, row, write

CROSSWALK_HEADER = ["ar5", *intl_groups.CROSSWALK_COLUMNS, "cctld"]


def spec(name: str):
    return next(s for s in intl_groups.SOURCES if s.name == name)


def crosswalk_line(**cells: str) -> str:
    values = dict.fromkeys(CROSSWALK_HEADER, "")
    values.update({k.replace("_", "."): v for k, v in cells.items()})
    return ",".join(f'"{values[c]}"' if "," in values[c] else values[c] for c in CROSSWALK_HEADER)


CROSSWALK_ROWS = [
    crosswalk_line(
        iso3c="DEU",
        iso2c="DE",
        iso3n="276",
        country_name_en="Germany",
        cown="255",
        p4n="255",
        vdem="77",
        wb="DEU",
        continent="Europe",
        eu28="EU",
    ),
    crosswalk_line(iso3c="HRV", iso2c="HR", iso3n="191", country_name_en="Croatia", eu28="EU"),
    crosswalk_line(iso3c="GBR", iso2c="GB", iso3n="826", country_name_en="United Kingdom"),
    crosswalk_line(iso3c="ABW", iso2c="AW", iso3n="533", country_name_en="Aruba"),
    crosswalk_line(country_name_en="Kosovo", wb="XKX", cown="347", p4n="341"),
    crosswalk_line(country_name_en="Czechoslovakia", cown="315", p4n="315"),
]


def write_crosswalk(root: Path, rows: list[str] = CROSSWALK_ROWS) -> None:
    text = "\n".join([",".join(CROSSWALK_HEADER), *rows]) + "\n"
    write(root, intl_groups.CROSSWALK_FILE, text)


def write_groups(root: Path, nato: list[str]) -> None:
    write(root, intl_groups.NATO_FILE, "\n".join(["country", *nato]) + "\n")
    write(
        root,
        intl_groups.OECD_FILE,
        "Code,Name,Accession\nDEU,Germany,1961\nHRV,Croatia,2021\n",
    )
    write(
        root,
        intl_groups.EU_FILE,
        "Code,Name,Member-Since\nDEU,Germany,1958-01-01\nHRV,Croatia,2013-07-01\n",
    )
    write(
        root,
        intl_groups.G20_FILE,
        "Code,Name\nDEU,Germany\nEUU,European Union\nGBR,United Kingdom\n",
    )
    write_crosswalk(root)


@pytest.fixture
def small_nato(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        intl_groups,
        "NATO_ACCESSIONS",
        {"GBR": "1949-08-24", "DEU": "1955-05-06", "HRV": "2009-04-01", "FIN": "2023-04-04"},
    )


def test_intl_groups(tmp_path: Path, small_nato: None) -> None:
    write_groups(tmp_path, ["Germany", "United Kingdom", "Croatia"])
    parsed = run_source(spec("intl_groups"), tmp_path)
    groups = parsed.tables["group_membership"].set_index(["country_iso3", "group"])
    assert groups.loc[("GBR", "eu"), "exit_year"] == 2020
    assert groups.loc[("GBR", "eu"), "basis"] == "eu_former_members"
    assert groups.loc[("FIN", "nato"), "basis"] == "nato_accessions (joined after list)"
    assert groups.loc[("HRV", "oecd"), "join_year"] == 2021
    assert groups.loc[("DEU", "g20"), "join_year"] == 1999
    assert ("EUU", "g20") not in groups.index

    cy = parsed.tables["country_year"]
    assert sorted(cy.year.unique()) == list(range(1950, 2025))
    # Universe: the crosswalk (Kosovo kept via its wb code) plus members (FIN).
    assert sorted(cy.country_iso3.unique()) == ["ABW", "DEU", "FIN", "GBR", "HRV", "XKX"]
    assert [row(cy, "GBR", y).eu_member for y in (1972, 1973, 2019, 2020)] == [0, 1, 1, 0]
    assert [row(cy, "HRV", y).eu_member for y in (2012, 2013)] == [0, 1]
    assert [row(cy, "DEU", y).nato_member for y in (1954, 1955)] == [0, 1]
    assert [row(cy, "DEU", y).eu_member for y in (1957, 1958)] == [0, 1]
    assert [row(cy, "FIN", y).nato_member for y in (2022, 2023)] == [0, 1]
    assert [row(cy, "GBR", y).g20_member for y in (1998, 1999)] == [0, 1]
    assert [row(cy, "HRV", y).oecd_member for y in (2020, 2021)] == [0, 1]
    assert cy[cy.country_iso3 == "XKX"][["nato_member", "eu_member"]].sum().sum() == 0
    assert drops(parsed) == {
        ("g20", "aggregate, not a country: EUU"): 1,
        (
            "crosswalk_universe",
            "no iso3c code (historical state, pre-unification state or placeholder)",
        ): 1,
    }


def test_nato_list_checked_against_accession_table(tmp_path: Path, small_nato: None) -> None:
    write_groups(tmp_path, ["Germany", "United Kingdom", "Croatia", "Norway"])
    with pytest.raises(RawInputError, match=r"nato_member_states.*column 'country'.*NOR"):
        run_source(spec("intl_groups"), tmp_path)
    write_groups(tmp_path, ["Germany", "United Kingdom"])
    with pytest.raises(RawInputError, match=r"nato_member_states.*column 'country'.*HRV"):
        run_source(spec("intl_groups"), tmp_path)


def test_bad_accession_year(tmp_path: Path, small_nato: None) -> None:
    write_groups(tmp_path, ["Germany", "United Kingdom", "Croatia"])
    write(tmp_path, intl_groups.OECD_FILE, "Code,Name,Accession\nDEU,Germany,sixty-one\n")
    with pytest.raises(RawInputError, match=r"oecd_members_accession\.csv, column 'Accession'"):
        run_source(spec("intl_groups"), tmp_path)


def test_country_codes(tmp_path: Path) -> None:
    write_crosswalk(tmp_path)
    parsed = run_source(spec("country_codes"), tmp_path)
    codes = parsed.tables["country_codes"].set_index("country_iso3")
    assert sorted(codes.index) == ["ABW", "DEU", "GBR", "HRV", "XKX"]
    deu = codes.loc["DEU"]
    assert (deu.iso2, deu.iso3n, deu.cown, deu.p4n, deu.vdem, deu.wb) == (
        "DE",
        276,
        255,
        255,
        77,
        "DEU",
    )
    assert deu.continent == "Europe"
    assert codes["eu28"].to_dict() == {"ABW": 0, "DEU": 1, "GBR": 0, "HRV": 1, "XKX": 0}
    assert codes.loc["XKX", "iso3_basis"] == "wb"
    assert codes.loc["XKX", "cown"] == 347
    assert pd.isna(codes.loc["XKX", "iso2"])
    assert pd.isna(codes.loc["ABW", "cown"])
    assert drops(parsed) == {
        (
            "crosswalk",
            "no iso3c code (historical state, pre-unification state or placeholder)",
        ): 1
    }


def test_country_codes_bad_input(tmp_path: Path) -> None:
    write_crosswalk(tmp_path, [*CROSSWALK_ROWS, crosswalk_line(iso3c="FRA", cown="2x0")])
    with pytest.raises(RawInputError, match=r"countrycode_codelist_crosswalk\.csv, column 'cown'"):
        run_source(spec("country_codes"), tmp_path)
    write_crosswalk(tmp_path, [*CROSSWALK_ROWS, crosswalk_line(iso3c="DEU")])
    with pytest.raises(RawInputError, match=r"crosswalk\.csv, column 'iso3c'.*DEU"):
        run_source(spec("country_codes"), tmp_path)
    text = "\n".join([",".join(CROSSWALK_HEADER).replace("cown", "cow_n"), *CROSSWALK_ROWS])
    write(tmp_path, intl_groups.CROSSWALK_FILE, text + "\n")
    with pytest.raises(RawInputError, match=r"crosswalk\.csv, column 'cown'"):
        run_source(spec("country_codes"), tmp_path)
