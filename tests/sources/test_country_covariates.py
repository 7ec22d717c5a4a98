"""Country covariate parsers on small synthetic files in the raw formats (invented values)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import RawInputError
from analysis.sources import country_covariates as cc
from analysis.sources.common.runner import run_source
from tests.sources.helpers import drops, row, write_lines, write_xlsx


def spec(name: str):
    return next(s for s in cc.SOURCES if s.name == name)


# --------------------------------------------------------------------------- World Bank

WB_HEADER = "Country Name,Country Code,Year,Value"


def test_worldbank(tmp_path: Path) -> None:
    write_lines(
        tmp_path,
        cc.GDP_FILE,
        [
            WB_HEADER,
            "United States,USA,2020,20000000000000.5",
            "World,WLD,2020,80000000000000",
        ],
    )
    write_lines(
        tmp_path,
        cc.POP_FILE,
        [
            WB_HEADER,
            "United States,USA,2020,400000000",
            "Aruba,ABW,2020,100000",
            "World,WLD,2020,8",
        ],
    )
    parsed = run_source(spec("worldbank"), tmp_path)
    table = parsed.tables["country_year"]
    assert len(table) == 2
    usa = row(table, "USA", 2020)
    assert usa.gdp_usd == pytest.approx(20000000000000.5)
    assert usa.gdp_pc_usd == pytest.approx(20000000000000.5 / 400000000)
    aruba = row(table, "ABW", 2020)
    assert aruba.population == 100000 and pd.isna(aruba.gdp_usd) and pd.isna(aruba.gdp_pc_usd)
    assert drops(parsed) == {
        ("gdp_usd", "not a country: aggregate"): 1,
        ("population", "not a country: aggregate"): 1,
    }


def test_worldbank_bad_value(tmp_path: Path) -> None:
    write_lines(tmp_path, cc.GDP_FILE, [WB_HEADER, "United States,USA,2020,n/a"])
    write_lines(tmp_path, cc.POP_FILE, [WB_HEADER, "United States,USA,2020,1"])
    with pytest.raises(RawInputError, match=r"wb_gdp_current_usd.*'Value'.*n/a"):
        run_source(spec("worldbank"), tmp_path)


# --------------------------------------------------------------------------- Maddison

MADDISON_HEADER = "Entity,Year,GDP per capita,Population,GDP"


def test_maddison(tmp_path: Path) -> None:
    write_lines(
        tmp_path,
        cc.MADDISON_FILE,
        [
            MADDISON_HEADER,
            "United States,2018,50000.5,300000000.5,15000000000000",
            "United States,1,500,1000000,",
            "World,2018,15000,7000000000,",
            "Former USSR,1990,10000,280000000,",
            "Former USSR,2000,8000,290000000,",
            "Former Yugoslavia,1990,9000,23000000,",
            "Former Yugoslavia,1995,7000,23000000,",
            "Afghanistan,1820,,3000000,",
            "Chad,1950,,,",
        ],
    )
    parsed = run_source(spec("maddison"), tmp_path)
    table = parsed.tables["country_year"]
    usa = row(table, "USA", 2018)
    assert (usa.maddison_gdppc, usa.maddison_pop) == (50000.5, 300000000.5)
    assert usa.maddison_gdp == 15000000000000
    assert row(table, "SUN", 1990).maddison_gdppc == 10000
    assert row(table, "YUG", 1990).maddison_pop == 23000000
    afg = row(table, "AFG", 1820)
    assert pd.isna(afg.maddison_gdppc) and afg.maddison_pop == 3000000
    assert len(table) == 4
    assert drops(parsed) == {
        ("country_year", "year before 1700"): 1,
        ("country_year", "not a country: aggregate"): 1,
        ("country_year", "historical state outside its period"): 1,
        ("country_year", "Former Yugoslavia after 1991 (SFRY territory, not the FRY)"): 1,
        ("country_year", "no value"): 1,
    }


def test_maddison_bad_number(tmp_path: Path) -> None:
    write_lines(tmp_path, cc.MADDISON_FILE, [MADDISON_HEADER, 'Chad,1950,"12,5",,'])
    with pytest.raises(RawInputError, match=r"maddison_project.*'GDP per capita'.*12,5"):
        run_source(spec("maddison"), tmp_path)


# --------------------------------------------------------------------------- RAI

RAI_HEADER = [
    "cowcode",
    "iso3166",
    "country_ID",
    "country_name",
    "abbr_country",
    "year",
    *cc.RAI_COMPONENTS,
    "n_selfrule",
    "n_sharedrule",
    "n_RAI",
    "COMPONENTS",
    "n_rep",
    "n_assembly",
    "n_executive",
    "n_lawmaking",
    "n_law_a",
]


def rai_row(name: str, code: str, year: int, self_rule: float, shared: float, total: float):
    components = [1.0, 2.0, 0.5, 0.25, 3.0, 2.0, 1.0, 1.5, 0.5, 4.0]
    return [1, 2, 3, name, code, year, *components, self_rule, shared, total, None, 9, 9, 9, 9, 9]


def test_rai(tmp_path: Path) -> None:
    rows = [
        RAI_HEADER,
        rai_row("Germany", "GER", 2010, 20.5, 12.0, 32.5),
        rai_row("Japan", "JAP", 2000, 10.0, 0.0, 10.0),
    ]
    write_xlsx(tmp_path, cc.RAI_FILE, {"RAI country scores": rows})
    parsed = run_source(spec("rai"), tmp_path)
    table = parsed.tables["country_year"]
    deu = row(table, "DEU", 2010)
    assert (deu.rai, deu.self_rule, deu.shared_rule) == (32.5, 20.5, 12.0)
    assert (deu.rai_instdepth, deu.rai_rep, deu.rai_constit) == (1.0, 3.0, 4.0)  # first n_rep
    assert row(table, "JPN", 2000).rai == 10.0
    assert len(table) == 2
    assert drops(parsed) == {}


def test_rai_bad_inputs(tmp_path: Path) -> None:
    rows = [RAI_HEADER, rai_row("Germany", "GER", 2010, 20.5, 12.0, 40.0)]
    write_xlsx(tmp_path, cc.RAI_FILE, {"RAI country scores": rows})
    with pytest.raises(RawInputError, match=r"regional_authority_index.*'n_RAI'.*40"):
        run_source(spec("rai"), tmp_path)
    rows = [RAI_HEADER, rai_row("Germany", "JAP", 2010, 20.5, 12.0, 32.5)]
    write_xlsx(tmp_path, cc.RAI_FILE, {"RAI country scores": rows})
    with pytest.raises(RawInputError, match=r"regional_authority_index.*'abbr_country'.*JAP"):
        run_source(spec("rai"), tmp_path)
    rows = [RAI_HEADER, rai_row("Germany", "GER", 2010, 20.5, 12.0, 32.5)]
    rows[1][RAI_HEADER.index("n_selfrule")] = "twenty"
    write_xlsx(tmp_path, cc.RAI_FILE, {"RAI country scores": rows})
    with pytest.raises(RawInputError, match=r"regional_authority_index.*'n_selfrule'.*twenty"):
        run_source(spec("rai"), tmp_path)


# --------------------------------------------------------------------------- LAI

LAI_HEADER = (
    "country_name,country_code,municipalities_no_2014,D_LAI_1990,D_LAI_2000,D_LAI_2010,"
    "D_LAI_2014,D_LAI_changes_1990_2014"
)


def test_lai(tmp_path: Path) -> None:
    write_lines(
        tmp_path,
        cc.LAI_FILE,
        [LAI_HEADER, "Moldova,MDV,800,10.5,20,30,40.25,29.75", "Romania,ROM,3000,20,30,40,50,30"],
        bom=True,
    )
    parsed = run_source(spec("lai"), tmp_path)
    table = parsed.tables["country_year"]
    assert set(table.country_iso3) == {"MDA", "ROU"}  # MDV is Moldova here, not Maldives
    assert len(table) == 8
    assert row(table, "MDA", 1990).lai == 10.5
    assert row(table, "MDA", 2014).lai == 40.25
    assert row(table, "MDA", 2014).lai_municipalities == 800
    assert pd.isna(row(table, "MDA", 2000).lai_municipalities)
    assert row(table, "ROU", 2010).lai == 40
    assert drops(parsed) == {}


def test_lai_bad_inputs(tmp_path: Path) -> None:
    write_lines(tmp_path, cc.LAI_FILE, [LAI_HEADER, "Moldova,MDV,800,10.5,20,30,40.25,5"])
    with pytest.raises(RawInputError, match=r"local_autonomy.*'D_LAI_changes_1990_2014'"):
        run_source(spec("lai"), tmp_path)
    header = LAI_HEADER.replace("D_LAI_2000", "LAI_2000")
    write_lines(tmp_path, cc.LAI_FILE, [header, "Moldova,MDV,800,10.5,20,30,40.25,29.75"])
    with pytest.raises(RawInputError, match=r"local_autonomy.*'D_LAI_2000'"):
        run_source(spec("lai"), tmp_path)


# --------------------------------------------------------------------------- federalism

FEDERAL_HEADER = [
    "Country Code",
    "2-alpha code",
    "WB-2 code",
    "Jurisdiction Name",
    "Long Name",
    "Region",
    "WB Income Group as of ?",
    "HueglinFennaFederalPolity",
]
FEDERAL_ROWS = [
    ["DEU", "DE", "DE", "Germany", "Federal Republic", "Europe & Central Asia", "High income", 1],
    ["ADO", "AD", "AD", "Andorra", "Principality", "Europe & Central Asia", "High income", 0],
    [None, None, None, "Nauru", None, None, None, 0],
    ["GRL", "GL", "GL", "Greenland", "Greenland", "Europe & Central Asia", "High income", 0],
]
CODEBOOK = [["Entries are based on a synthetic table.", None], [None, None]]


def write_federal(root: Path, rows: list[list[object]]) -> None:
    sheets = {"Federal Political Systems": [FEDERAL_HEADER, *rows], "Codebook": CODEBOOK}
    write_xlsx(root, cc.FEDERAL_FILE, sheets)


def test_federalism(tmp_path: Path) -> None:
    total = [None] * 7 + [1]
    write_federal(tmp_path, [*FEDERAL_ROWS, total])
    parsed = run_source(spec("federalism"), tmp_path)
    table = parsed.tables["country_federalism"].set_index("country_iso3")
    assert sorted(table.index) == ["AND", "DEU", "NRU"]
    assert table.loc["DEU", "federal"] == 1
    assert table.loc["AND", ["federal", "hf_country_code"]].tolist() == [0, "ADO"]
    assert pd.isna(table.loc["NRU", "hf_country_code"])
    assert table.loc["DEU", "hf_income_group"] == "High income"
    assert drops(parsed) == {
        ("jurisdictions", "column total row"): 1,
        ("jurisdictions", "not a sovereign state (codebook: coded 0 by default)"): 1,
    }


def test_federalism_bad_inputs(tmp_path: Path) -> None:
    bad_code = [["FRA", "FR", "FR", "Germany", "x", "Europe", "High income", 1]]
    write_federal(tmp_path, bad_code)
    with pytest.raises(RawInputError, match=r"federal_political_systems.*'Country Code'.*FRA"):
        run_source(spec("federalism"), tmp_path)
    write_federal(tmp_path, [["DEU", "DE", "DE", "Germany", "x", "Europe", "High income", 2]])
    with pytest.raises(RawInputError, match=r"federal_political_systems.*'HueglinFenna"):
        run_source(spec("federalism"), tmp_path)
    write_federal(tmp_path, [*FEDERAL_ROWS, [None] * 7 + [5]])  # total does not add up
    with pytest.raises(RawInputError, match=r"federal_political_systems.*'Jurisdiction Name'"):
        run_source(spec("federalism"), tmp_path)
