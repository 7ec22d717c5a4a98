"""Treaty parsers on small synthetic files in the raw formats (invented values, real names).

The US rows carry the public withdrawal/rejoin dates the module's override checks against;
every other date and number is invented.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import RawInputError
from analysis.sources import treaties
from analysis.sources.common.runner import run_source
from tests.sources.helpers import drops, row, write

PARIS_HEADER = "Code,Name,Signature,Ratification,Kind,Date-Of-Effect,Emissions,Percentage,Year"


def spec(name: str):
    return next(s for s in treaties.SOURCES if s.name == name)


def flags(table: pd.DataFrame, iso3: str, column: str) -> list:
    sub = table[table.country_iso3 == iso3].sort_values("year")
    return [None if pd.isna(v) else int(v) for v in sub[column]]


# --------------------------------------------------------------------------- Paris

PARIS_2023_ROWS = [
    "FRA,France,2016-04-22,2016-10-05,Approval,2016-11-04,1000,1.0,2010",
    "IRN,Iran (Islamic Republic of),2016-04-22,,,,2000,2.0,2000",
    "ERI,Eritrea,2016-04-22,2023-02-07,Ratification,2023-03-09,30,0.01,2000",
    "NIC,Nicaragua,,2017-10-23,Accession,2017-11-22,40,0.02,2000",
    "USA,United States of America,2016-04-22,2021-01-20,Acceptance,2021-02-19,5000,15.0,2013",
    "EUU,European Union,2016-04-22,2016-10-05,Ratification,2016-11-04,4000,11.0,2013",
]
PARIS_2020_ROWS = [
    "FRA,France,2016-04-22,2016-10-05,Approval,2016-11-04,1000,1.0,2010",
    "IRN,Iran (Islamic Republic of),2016-04-22,,,,2000,2.0,2000",
    "ERI,Eritrea,2016-04-22,,,,30,0.01,2000",
    "NIC,Nicaragua,,2017-10-23,Accession,2017-11-22,40,0.02,2000",
    "USA,United States of America,2016-04-22,2016-09-03,Acceptance,2016-11-04,5000,15.0,2013",
    "EUU,European Union,2016-04-22,2016-10-05,Ratification,2016-11-04,4000,11.0,2013",
]


def write_paris(root: Path, new: list[str] = PARIS_2023_ROWS, old: list[str] = PARIS_2020_ROWS):
    write(root, treaties.PARIS_2023, "\n".join([PARIS_HEADER, *new]) + "\n")
    write(root, treaties.PARIS_2020, "\n".join([PARIS_HEADER, *old]) + "\n")


def test_paris_status_and_flags(tmp_path: Path) -> None:
    write_paris(tmp_path)
    parsed = run_source(spec("paris_agreement"), tmp_path)
    status = parsed.tables["paris_status"].set_index("country_iso3")
    assert sorted(status.index) == ["ERI", "FRA", "IRN", "NIC", "USA"]
    usa = status.loc["USA"]
    # Original instrument from the 2020 vintage, withdrawal and rejoin from the override.
    assert usa.ratification_date == pd.Timestamp("2016-09-03")
    assert usa.entry_into_force_date == pd.Timestamp("2016-11-04")
    assert usa.withdrawal_announced_date == pd.Timestamp("2017-06-01")
    assert usa.withdrawal_notified_date == pd.Timestamp("2019-11-04")
    assert usa.withdrawal_effective_date == pd.Timestamp("2020-11-04")
    assert usa.rejoin_instrument_date == pd.Timestamp("2021-01-20")
    assert usa.rejoin_date == pd.Timestamp("2021-02-19")
    assert pd.isna(status.loc["FRA", "withdrawal_announced_date"])
    assert pd.isna(status.loc["IRN", "ratification_date"])
    assert status.loc["NIC", "instrument_kind"] == "Accession"
    assert pd.isna(status.loc["NIC", "signature_date"])

    cy = parsed.tables["country_year"]
    assert sorted(cy.year.unique()) == list(range(2015, 2025))
    #                                   2015..2024
    assert flags(cy, "USA", "paris_ratified") == [0, 1, 1, 1, 1, 0, 1, 1, 1, 1]
    assert flags(cy, "USA", "paris_withdrawal_announced") == [0, 0, 1, 1, 1, 1, 0, 0, 0, 0]
    assert flags(cy, "USA", "paris_withdrawn") == [0, 0, 0, 0, 0, 1, 0, 0, 0, 0]
    assert flags(cy, "USA", "paris_outside") == [1, 0, 1, 1, 1, 1, 0, 0, 0, 0]
    assert flags(cy, "IRN", "paris_outside") == [1] * 10
    assert flags(cy, "IRN", "paris_signed") == [0] + [1] * 9
    assert flags(cy, "ERI", "paris_outside") == [1] * 8 + [0, 0]
    assert flags(cy, "NIC", "paris_signed") == [0, 0] + [1] * 8  # accession counts as consent
    assert flags(cy, "NIC", "paris_in_force") == [0, 0] + [1] * 8
    assert flags(cy, "FRA", "paris_outside") == [1] + [0] * 9

    assert drops(parsed) == {
        ("status_2023", "aggregate, not a country: EUU"): 1,
        ("status_2020_crosscheck", "aggregate, not a country: EUU"): 1,
    }


def test_paris_unexplained_vintage_difference_raises(tmp_path: Path) -> None:
    old = [r.replace("2016-10-05,Approval", "2016-10-01,Approval") for r in PARIS_2020_ROWS]
    write_paris(tmp_path, old=old)
    with pytest.raises(RawInputError, match=r"paris_agreement_status_2023.*'Ratification'.*FRA"):
        run_source(spec("paris_agreement"), tmp_path)


def test_paris_override_checked_against_file(tmp_path: Path) -> None:
    # A 2023 file without the US rejoin contradicts the committed override.
    new = [r for r in PARIS_2023_ROWS if not r.startswith("USA")]
    new.append(PARIS_2020_ROWS[4])
    write_paris(tmp_path, new=new)
    with pytest.raises(RawInputError, match=r"'Ratification'.*rejoin"):
        run_source(spec("paris_agreement"), tmp_path)


def test_paris_bad_date_and_renamed_column(tmp_path: Path) -> None:
    new = [PARIS_2023_ROWS[0].replace("2016-10-05", "5 Oct 2016"), *PARIS_2023_ROWS[1:]]
    write_paris(tmp_path, new=new)
    with pytest.raises(RawInputError, match=r"2023-02-13\.csv, column 'Ratification'.*5 Oct"):
        run_source(spec("paris_agreement"), tmp_path)
    write(
        tmp_path,
        treaties.PARIS_2023,
        "\n".join([PARIS_HEADER.replace("Kind", "Type"), *PARIS_2023_ROWS]) + "\n",
    )
    with pytest.raises(RawInputError, match=r"2023-02-13\.csv, column 'Kind'"):
        run_source(spec("paris_agreement"), tmp_path)


# --------------------------------------------------------------------------- UNFCCC

UNFCCC_HEADER = "Code,Name,Signature,Ratification-Acceptance-Accession-Approval-Succession,Kind"


def write_unfccc(root: Path, rows: list[str], annex: list[str]) -> None:
    write(root, treaties.UNFCCC_RATIFICATION, "\n".join([UNFCCC_HEADER, *rows]) + "\n")
    write(root, treaties.UNFCCC_ANNEX_ONE, "\n".join(["Code,Name", *annex]) + "\n")


def test_unfccc(tmp_path: Path) -> None:
    write_unfccc(
        tmp_path,
        [
            "NOR,Norway,1992-06-04,1993-05-01,Ratification",
            "ALB,Albania,,2000-10-15,Accession",
            "MNE,Montenegro,,2006-11-01,Succession",
            "EUU,European Union,1992-06-13,1993-12-21,Approval",
        ],
        ["NOR,Norway", "EUU,European Union"],
    )
    parsed = run_source(spec("unfccc"), tmp_path)
    country = parsed.tables["unfccc_country"].set_index("country_iso3")
    assert country.loc["NOR", "entry_into_force_date"] == pd.Timestamp("1994-03-21")
    assert country.loc["ALB", "entry_into_force_date"] == pd.Timestamp("2001-01-13")
    assert country.loc["MNE", "instrument_kind"] == "Succession"
    assert country["annex1"].to_dict() == {"ALB": 0, "MNE": 0, "NOR": 1}
    cy = parsed.tables["country_year"]
    assert sorted(cy.year.unique()) == list(range(1992, 2025))
    assert row(cy, "NOR", 1993).unfccc_ratified == 1
    assert row(cy, "NOR", 1993).unfccc_party == 0
    assert row(cy, "NOR", 1994).unfccc_party == 1
    assert row(cy, "ALB", 2000).unfccc_ratified == 1
    assert row(cy, "ALB", 2000).unfccc_party == 0
    assert row(cy, "ALB", 2001).unfccc_party == 1
    assert drops(parsed) == {
        ("ratification", "aggregate, not a country: EUU"): 1,
        ("annex_one", "aggregate, not a country: EUU"): 1,
    }


def test_unfccc_bad_date(tmp_path: Path) -> None:
    write_unfccc(tmp_path, ["NOR,Norway,1992-06-04,01.05.1993,Ratification"], ["NOR,Norway"])
    with pytest.raises(RawInputError, match=r"unfccc_convention_ratification\.csv, column 'Ratif"):
        run_source(spec("unfccc"), tmp_path)


# --------------------------------------------------------------------------- arms control

ARMS_HEADER = (
    "country,treaty,signature date,signature time,ratification date,ratification time,"
    "accession date,accession time"
)
NPT = "Treaty on the Non-Proliferation of Nuclear Weapons (NPT)"
TPNW = "Treaty on the Prohibition of Nuclear Weapons"
ARMS_ROWS = [
    f"Norway,{NPT},1968-07-02,1,1969-02-01,214,,",
    f"Democratic People's Republic of Korea,{NPT},,,,,1985-06-01,6000",
    f"New Zealand,{NPT},1968-07-03,2,1969-09-01,425,,",
    f"New Zealand,{TPNW},2017-09-20,0,2018-05-01,223,,",
    f"C&ocirc;te d'Ivoire,{TPNW},2017-09-25,5,,,,",
    f"C&ocirc;te d'Ivoire,{NPT},,,,,1973-03-06,1700",
    "France,Pelindaba Treaty,,,,,,",
    "Serbia,Partial Test Ban Treaty,1963-08-08,0,1964-01-31,176,2006-06-03,15640",
]


def write_arms(root: Path, rows: list[str] = ARMS_ROWS) -> None:
    # The raw header has no line end: it runs straight into the first record.
    write(root, treaties.ARMS_FILE, ARMS_HEADER + "\n".join(rows) + "\n")


def test_arms_control(tmp_path: Path) -> None:
    write_arms(tmp_path)
    parsed = run_source(spec("arms_control"), tmp_path)
    status = parsed.tables["treaty_status"].set_index(["country_iso3", "treaty_id"])
    assert len(status) == 7
    assert status.loc[("NOR", "npt"), "status"] == "ratified"
    assert status.loc[("NOR", "npt"), "consent_date"] == pd.Timestamp("1969-02-01")
    assert status.loc[("CIV", "tpnw"), "status"] == "signed"  # HTML entity decoded
    assert status.loc[("PRK", "npt"), "status"] == "withdrawn"
    assert status.loc[("PRK", "npt"), "withdrawal_date"] == pd.Timestamp("2003-01-10")
    assert status.loc[("SRB", "ptbt"), "consent_date"] == pd.Timestamp("1964-01-31")
    assert status.loc[("SRB", "ptbt"), "accession_date"] == pd.Timestamp("2006-06-03")

    cy = parsed.tables["country_year"]
    assert sorted(cy.country_iso3.unique()) == ["CIV", "NOR", "NZL", "PRK", "SRB"]
    assert sorted(cy.year.unique()) == list(range(1968, 2025))
    assert [row(cy, "NOR", y).npt_party for y in (1968, 1969, 2024)] == [0, 1, 1]
    assert [row(cy, "PRK", y).npt_party for y in (1984, 1985, 2002, 2003)] == [0, 1, 1, 0]
    assert row(cy, "SRB", 2000).npt_party == 0  # no NPT row at all
    # TPNW: 0 before 2017; 2017 known; after the 2018 snapshot only a 1 is known.
    tpnw = cy[cy.year.between(2016, 2019)]
    assert flags(tpnw, "NZL", "tpnw_signed") == [0, 1, 1, 1]
    assert flags(tpnw, "NZL", "tpnw_ratified") == [0, 0, 1, 1]
    assert flags(tpnw, "CIV", "tpnw_signed") == [0, 1, 1, 1]
    assert flags(tpnw, "CIV", "tpnw_ratified") == [0, 0, None, None]
    assert flags(tpnw, "NOR", "tpnw_signed") == [0, 0, None, None]
    assert drops(parsed) == {
        (
            "treaty_rows",
            "no signature, ratification or accession date (nuclear-weapon state listed under "
            "a nuclear-weapon-free-zone treaty)",
        ): 1
    }


def test_arms_control_bad_input(tmp_path: Path) -> None:
    write_arms(tmp_path, [*ARMS_ROWS, "Norway,Treaty of Nowhere,2001-01-01,0,,,,"])
    with pytest.raises(RawInputError, match=r"arms_control.*column 'treaty'.*Treaty of Nowhere"):
        run_source(spec("arms_control"), tmp_path)
    write_arms(tmp_path, [*ARMS_ROWS, f"Norway,{TPNW},2019-01-01,0,,,,"])
    with pytest.raises(RawInputError, match=r"arms_control.*column 'treaty'.*snapshot"):
        run_source(spec("arms_control"), tmp_path)
    write_arms(tmp_path, [*ARMS_ROWS, f"Chile,{TPNW},20/09/2017,0,,,,"])
    with pytest.raises(RawInputError, match=r"arms_control.*column 'signature date'.*20/09"):
        run_source(spec("arms_control"), tmp_path)


# --------------------------------------------------------------------------- nuclear

NUCLEAR_HEADER = (
    "Entity,Year,nuclear_weapons_status,nuclear_weapons_consideration,"
    "nuclear_weapons_pursuit,nuclear_weapons_possession"
)
CODES = {0: "0,0,0", 1: "1,0,0", 2: "0,1,0", 3: "0,0,1"}


def nuclear_rows(entity: str, statuses: dict[int, int]) -> list[str]:
    return [f"{entity},{y},{s},{CODES[s]}" for y, s in statuses.items()]


def test_nuclear(tmp_path: Path) -> None:
    rows = [
        *nuclear_rows("United States", {1943: 2, 1944: 3}),
        *nuclear_rows("South Africa", {1980: 3, 1992: 0}),
        *nuclear_rows("Brazil", {1980: 1, 1981: 2}),
        *nuclear_rows("German Democratic Republic", {1960: 0}),
        *nuclear_rows("Tibet", {1940: 0, 1941: 0}),
    ]
    write(tmp_path, treaties.NUCLEAR_FILE, "\n".join([NUCLEAR_HEADER, *rows]) + "\n")
    parsed = run_source(spec("nuclear_weapons"), tmp_path)
    cy = parsed.tables["country_year"]
    assert len(cy) == 7
    assert row(cy, "USA", 1943).nuclear_weapons_state == 0
    assert row(cy, "USA", 1944).nuclear_weapons_state == 1
    assert row(cy, "ZAF", 1980).nuclear_weapons_state == 1
    assert row(cy, "ZAF", 1992).nuclear_weapons_state == 0
    assert row(cy, "BRA", 1981).nuclear_weapons_status == 2
    assert row(cy, "BRA", 1981).nuclear_weapons_state == 0  # pursuit is not possession
    assert row(cy, "DDR", 1960).nuclear_weapons_state == 0
    assert drops(parsed) == {("country_years", "territory, not a country: Tibet"): 2}


def test_nuclear_inconsistent_indicator_raises(tmp_path: Path) -> None:
    rows = ["France,1961,3,0,0,0"]
    write(tmp_path, treaties.NUCLEAR_FILE, "\n".join([NUCLEAR_HEADER, *rows]) + "\n")
    with pytest.raises(RawInputError, match=r"proliferation.*column 'nuclear_weapons_possession'"):
        run_source(spec("nuclear_weapons"), tmp_path)
    rows = ["France,sixty,3,0,0,1"]
    write(tmp_path, treaties.NUCLEAR_FILE, "\n".join([NUCLEAR_HEADER, *rows]) + "\n")
    with pytest.raises(RawInputError, match=r"proliferation.*column 'Year'.*sixty"):
        run_source(spec("nuclear_weapons"), tmp_path)
