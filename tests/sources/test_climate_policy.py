"""Climate-law and CPDB parsers on small synthetic files in the raw formats (invented values)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.core.errors import RawInputError
from analysis.sources import climate_policy
from analysis.sources.common.runner import run_source
from tests.sources.helpers import drops, row

LAWS_HEADER = [
    "Title",
    "Type",
    "Geography",
    "Geography ISO",
    "Frameworks",
    "Responses",
    "Instruments",
    "Document Types",
    "Natural Hazards",
    "Keywords",
    "Sectors",
    "Events",
    "Documents",
    "Parent Legislation",
    "Description",
]


def spec(name: str):
    return next(s for s in climate_policy.SOURCES if s.name == name)


def law(title: str, kind: str, name: str, iso: str, events: str | None, docs: str = "Law"):
    return {
        "Title": title,
        "Type": kind,
        "Geography": name,
        "Geography ISO": iso,
        "Frameworks": None,
        "Responses": "Mitigation",
        "Document Types": docs,
        "Events": events,
        "Description": "&lt;p&gt;Invented.&lt;/p&gt;",
    }


LAWS = [
    law("Wind Act", "legislative", "Norway", "NOR", "25/12/1948|Law passed||"),
    law(
        "Grid Act",
        "legislative",
        "Norway",
        "NOR",
        "11/04/2018|Law amended||;03/05/2008|Law passed|Passed by both chambers|",
    ),
    law("Sun Strategy", "executive", "Norway", "NOR", "01/01/2014|Approved||", "Strategy"),
    law(
        "Old Energy Act",
        "legislative",
        "Chile",
        "CHL",
        "10/02/2010|Wholly amended||;01/07/2013|Last amendment||",
    ),
    law("Undated Plan", "executive", "Chile", "CHL", None, "Plan"),
    law("Late Act", "legislative", "Chile", "CHL", "15/01/2021|Law passed||"),
    law("Sun Strategy", "executive", "Norway", "NOR", "01/06/2014|Approved||", "Strategy"),
    law("Union Directive", "legislative", "European Union", "EUR", "01/01/2012|Law passed||"),
]


def write_laws(root: Path, rows: list[dict]) -> None:
    path = root / climate_policy.LAWS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "laws_and_policies_30012021"
    sheet.append(LAWS_HEADER)
    for r in rows:
        sheet.append([r.get(c) for c in LAWS_HEADER])
    book.save(path)


def test_climate_laws(tmp_path: Path) -> None:
    write_laws(tmp_path, LAWS)
    parsed = run_source(spec("climate_laws"), tmp_path)
    laws = parsed.tables["climate_laws"].set_index("title")
    assert sorted(laws.index) == [
        "Grid Act",
        "Late Act",
        "Old Energy Act",
        "Sun Strategy",
        "Undated Plan",
        "Wind Act",
    ]
    assert laws.loc["Grid Act", "year_passed"] == 2008  # passage, not the later amendment
    assert laws.loc["Grid Act", "passage_event"] == "Law passed"
    assert laws.loc["Grid Act", "n_events"] == 2
    assert laws.loc["Grid Act", "year_basis"] == "adoption_event"
    assert laws.loc["Old Energy Act", "year_passed"] == 2010
    assert laws.loc["Old Energy Act", "year_basis"] == "earliest_event"
    assert pd.isna(laws.loc["Undated Plan", "year_passed"])
    assert laws.loc["Undated Plan", "year_basis"] == "undated"
    assert laws.loc["Sun Strategy", "law_type"] == "executive"
    assert laws.loc["Sun Strategy", "document_types"] == "Strategy"
    assert pd.isna(laws.loc["Sun Strategy", "frameworks"])
    assert laws.loc["Wind Act", "law_id"].startswith("NOR:")
    assert laws["law_id"].is_unique

    cy = parsed.tables["country_year"]
    assert sorted(cy.country_iso3.unique()) == ["CHL", "NOR"]
    assert sorted(cy.year.unique()) == list(range(1950, 2021))
    nor_1950 = row(cy, "NOR", 1950)
    # The 1948 law counts into the cumulative total from the first panel year on.
    assert (nor_1950.climate_laws_new, nor_1950.climate_laws_cum) == (0, 1)
    assert row(cy, "NOR", 2008).climate_laws_new == 1
    assert row(cy, "NOR", 2013).climate_laws_cum == 2
    assert row(cy, "NOR", 2014).climate_laws_cum == 3
    assert row(cy, "NOR", 2014).climate_laws_legislative_cum == 2
    assert row(cy, "NOR", 2020).climate_laws_cum == 3
    assert row(cy, "CHL", 2009).climate_laws_cum == 0
    assert row(cy, "CHL", 2020).climate_laws_cum == 1  # late (2021) and undated left out
    assert drops(parsed) == {
        ("laws", "aggregate, not a country: EUR"): 1,
        ("laws", "duplicate record (same country, title, type and year passed)"): 1,
        ("counts", "no dated event (year passed unknown)"): 1,
        ("counts", "passed after 2020, the last complete year of the export"): 1,
    }


def test_climate_laws_bad_input(tmp_path: Path) -> None:
    write_laws(tmp_path, [*LAWS, law("Bad Date Act", "legislative", "Peru", "PER", "2008-12-25|x")])
    with pytest.raises(RawInputError, match=r"climate_laws_of_the_world.*column 'Events'"):
        run_source(spec("climate_laws"), tmp_path)
    write_laws(tmp_path, [*LAWS, law("Day Act", "legislative", "Peru", "PER", "31/02/2008|x")])
    with pytest.raises(RawInputError, match=r"climate_laws_of_the_world.*column 'Events'.*31/02"):
        run_source(spec("climate_laws"), tmp_path)
    write_laws(tmp_path, [*LAWS, law("Court Act", "judicial", "Peru", "PER", "01/01/2008|x")])
    with pytest.raises(RawInputError, match=r"climate_laws_of_the_world.*column 'Type'.*judicial"):
        run_source(spec("climate_laws"), tmp_path)


# --------------------------------------------------------------------------- CPDB

CPDB_HEADER = (
    "policy_country_iso_code,year,N,F,Sp,B,C,N_policies_matrix,N_options,"
    "FiscalFinancialIncentives,Market-basedInstruments,CodesStandards,"
    "OtherRegulatoryInstruments,RDD,InformationEducation,VoluntaryApproaches,BarrierRemoval,"
    "ClimateStrategy,Target,DirectInvestment,SUM_instruments,Economic instruments,"
    "Regulatory instruments,Other instruments,SUM_instruments_IPCC"
)
CPDB_ROWS = [
    "NOR,1990,0,,,,0.0,0,0,,,,,,,,,,,,0,,,,0",
    "NOR,1991,4,2.5,1.5,0.75,0.06,3,3,0.5,0.25,0.25,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,4,0.5,0.5,0.0,2",
    "EUE,1990,9,1.0,1.0,0.5,0.1,5,5,0.2,0.2,0.2,0.2,0.2,0.0,0.0,0.0,0.0,0.0,0.0,5,0.4,0.4,0.2,5",
]


def write_cpdb(root: Path, rows: list[str], header: str = CPDB_HEADER) -> None:
    path = root / climate_policy.CPDB_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


def test_cpdb(tmp_path: Path) -> None:
    write_cpdb(tmp_path, CPDB_ROWS)
    parsed = run_source(spec("climate_policy_db"), tmp_path)
    cy = parsed.tables["country_year"]
    assert len(cy) == 2
    assert all(c.startswith("cpdb_") for c in cy.columns if c not in {"country_iso3", "year"})
    empty = row(cy, "NOR", 1990)
    assert empty.cpdb_n_policies == 0
    assert empty.cpdb_coverage == 0.0
    assert pd.isna(empty.cpdb_balance)
    assert pd.isna(empty.cpdb_share_fiscal_financial)
    full = row(cy, "NOR", 1991)
    assert (full.cpdb_n_policies, full.cpdb_n_options, full.cpdb_sum_instruments_ipcc) == (4, 3, 2)
    assert (full.cpdb_sectoral_focus, full.cpdb_specificity) == (2.5, 1.5)
    assert (full.cpdb_share_fiscal_financial, full.cpdb_share_market_based) == (0.5, 0.25)
    assert full.cpdb_share_ipcc_regulatory == 0.5
    assert drops(parsed) == {("country_years", "aggregate, not a country: EUE"): 1}


def test_cpdb_bad_input(tmp_path: Path) -> None:
    write_cpdb(tmp_path, [CPDB_ROWS[0].replace("NOR,1990,0,", "NOR,1990,many,")])
    with pytest.raises(RawInputError, match=r"climate_policy_database.*column 'N'.*many"):
        run_source(spec("climate_policy_db"), tmp_path)
    write_cpdb(tmp_path, [CPDB_ROWS[0], CPDB_ROWS[0]])
    with pytest.raises(RawInputError, match=r"climate_policy_database.*policy_country_iso_code"):
        run_source(spec("climate_policy_db"), tmp_path)
    write_cpdb(tmp_path, CPDB_ROWS, CPDB_HEADER.replace(",RDD,", ",R&D,"))
    with pytest.raises(RawInputError, match=r"climate_policy_database.*column 'RDD'"):
        run_source(spec("climate_policy_db"), tmp_path)
