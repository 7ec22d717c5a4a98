"""Regime parsers on small synthetic files in the raw formats (invented values, real names)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadr
import pytest

from analysis.core.errors import RawInputError
from analysis.sources import regimes
from analysis.sources.common.runner import run_source
from tests.sources.helpers import drops, raw_path, row

NA = np.nan

ERT_HEADER = (
    ",country_id,country_text_id,country_name,year,v2x_regime,v2x_polyarchy,"
    "v2x_polyarchy_codelow,v2x_polyarchy_codehigh,reg_start_year,reg_end_year,reg_id,reg_type,"
    "reg_trans,dem_founding_elec,aut_founding_elec,row_regch_event,row_regch_censored,dem_ep,"
    "dem_ep_id,dem_ep_start_year,dem_ep_end_year,dem_pre_ep_year,dem_ep_termination,dem_ep_prch,"
    "dem_ep_ptr,dem_ep_subdep,dem_ep_outcome,dem_ep_outcome_agg,dem_ep_censored,aut_ep,aut_ep_id,"
    "aut_ep_start_year,aut_ep_end_year,aut_pre_ep_year,aut_ep_termination,aut_ep_prch,aut_ep_pbr,"
    "aut_ep_subreg,aut_ep_outcome,aut_ep_outcome_agg,aut_ep_censored"
)


def spec(name: str):
    return next(s for s in regimes.SOURCES if s.name == name)


def write_rda(root: Path, file: str, frame: pd.DataFrame, name: str) -> None:
    pyreadr.write_rdata(str(raw_path(root, file)), frame, df_name=name)


# --------------------------------------------------------------------------- V-Dem ERT


def ert_line(name: str, year: int, regime: str, poly: str, reg_type: str = "0", ep: str = "0"):
    cells = dict.fromkeys(ERT_HEADER.split(","), "NA")
    cells.update(
        {
            "": "1",
            "country_name": name,
            "year": str(year),
            "v2x_regime": regime,
            "v2x_polyarchy": poly,
            "v2x_polyarchy_codelow": "NA" if poly == "NA" else "0.1",
            "v2x_polyarchy_codehigh": "NA" if poly == "NA" else "0.9",
            "reg_type": reg_type,
            "dem_ep": ep,
            "aut_ep": "0",
            "dem_ep_outcome": "5" if ep == "1" else "0",
            "aut_ep_outcome": "0",
            "row_regch_event": "1" if ep == "1" else "0",
        }
    )
    return ",".join(cells[c] for c in ERT_HEADER.split(","))


def write_ert(root: Path, lines: list[str]) -> None:
    text = "\n".join([ERT_HEADER, *lines]) + "\n"
    raw_path(root, regimes.ERT_FILE).write_text(text, encoding="utf-8")


def test_vdem_ert(tmp_path: Path) -> None:
    write_ert(
        tmp_path,
        [
            ert_line("Mexico", 2000, "2", "0.611", "1", "1"),
            ert_line("Mexico", 2001, "NA", "NA"),
            ert_line("Somaliland", 2000, "1", "0.3"),
            ert_line("Zanzibar", 1963, "0", "0.1"),
            ert_line("Zanzibar", 1970, "0", "0.1"),
            ert_line("Palestine/West Bank", 2010, "1", "0.25"),
            ert_line("Palestine/Gaza", 2010, "0", "0.15"),
        ],
    )
    parsed = run_source(spec("vdem_ert"), tmp_path)
    table = parsed.tables["country_year"]
    assert len(table) == 3
    mex = row(table, "MEX", 2000)
    assert mex.v2x_polyarchy == pytest.approx(0.611)
    assert (mex.v2x_regime, mex.ert_reg_type, mex.ert_dem_ep, mex.ert_dem_ep_outcome) == (
        2,
        1,
        1,
        5,
    )
    assert mex.ert_regch_event == 1
    assert row(table, "EAZ", 1963).v2x_regime == 0
    assert row(table, "PSE", 2010).v2x_polyarchy == pytest.approx(0.25)  # West Bank, not Gaza
    assert drops(parsed) == {
        ("country_year", "no v2x_regime or v2x_polyarchy"): 1,
        ("country_year", "not a country: territory"): 1,
        ("country_year", "historical state outside its period"): 1,
        ("country_year", regimes.REASON_GAZA_VDEM): 1,
    }


def test_vdem_ert_bad_code_and_renamed_column(tmp_path: Path) -> None:
    write_ert(tmp_path, [ert_line("Mexico", 2000, "5", "0.6")])
    with pytest.raises(RawInputError, match=r"vdem_ert_v15_country_year\.csv.*'v2x_regime'"):
        run_source(spec("vdem_ert"), tmp_path)
    text = ERT_HEADER.replace("v2x_polyarchy,", "v2x_polyarch,", 1)
    raw_path(tmp_path, regimes.ERT_FILE).write_text(
        text + "\n" + ert_line("Mexico", 2000, "2", "0.6") + "\n", encoding="utf-8"
    )
    with pytest.raises(RawInputError, match=r"vdem_ert.*'v2x_polyarchy'"):
        run_source(spec("vdem_ert"), tmp_path)


# --------------------------------------------------------------------------- V-Dem simple


def simple_frame(rows: list[tuple[str, float, float | None]]) -> pd.DataFrame:
    data: dict[str, list[object]] = {"vdem_country_name": [], "country_text_id": [], "year": []}
    for column in regimes.SIMPLE_RAW:
        data[column] = []
    for name, year, value in rows:
        data["vdem_country_name"].append(name)
        data["country_text_id"].append("XXX")
        data["year"].append(year)
        for column in regimes.SIMPLE_RAW:
            if value is None:
                data[column].append(NA)
            elif column.endswith("_sd"):
                data[column].append(0.05)
            else:
                data[column].append(value)
    return pd.DataFrame(data)


def test_vdem_simple(tmp_path: Path) -> None:
    frame = simple_frame(
        [
            ("Sweden", 1800.0, 0.2),
            ("Sweden", 1801.0, None),
            ("Palestine/West Bank", 2000.0, 0.3),
            ("Palestine/Gaza", 2000.0, 0.1),
        ]
    )
    frame.loc[0, "v2x_libdem"] = 0.15
    write_rda(tmp_path, regimes.SIMPLE_FILE, frame, "vdem_simple")
    parsed = run_source(spec("vdem_simple"), tmp_path)
    table = parsed.tables["country_year"]
    assert "v2x_polyarchy" not in table.columns
    swe = row(table, "SWE", 1800)
    assert swe.v2x_polyarchy_simple == pytest.approx(0.2)
    assert swe.v2x_polyarchy_simple_sd == pytest.approx(0.05)
    assert swe.v2x_libdem == pytest.approx(0.15)
    assert row(table, "PSE", 2000).v2x_mpi == pytest.approx(0.3)
    assert len(table) == 2
    assert drops(parsed) == {
        ("country_year", "no index value"): 1,
        ("country_year", regimes.REASON_GAZA_VDEM): 1,
    }


def test_vdem_simple_out_of_range(tmp_path: Path) -> None:
    frame = simple_frame([("Sweden", 1800.0, 0.2)])
    frame.loc[0, "v2x_libdem"] = 1.5
    write_rda(tmp_path, regimes.SIMPLE_FILE, frame, "vdem_simple")
    with pytest.raises(RawInputError, match=r"vdem_v15_simple.*'v2x_libdem'.*1\.5"):
        run_source(spec("vdem_simple"), tmp_path)


# --------------------------------------------------------------------------- Polity5

POLITY_HEADER = "p5,cyear,ccode,scode,country,year,flag,fragment,democ,autoc,polity,polity2,durable"


def write_polity(root: Path, rows: list[str]) -> None:
    lines = [POLITY_HEADER] + [f"0,0,1,{r}" for r in rows]
    raw_path(root, regimes.POLITY_FILE).write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode())


POLITY_ROWS = [
    # scode,country,year,flag,fragment,democ,autoc,polity,polity2,durable
    "GFR,Germany West,1945,0,,-66,-66,-66,,0",
    "GMY,Germany,1945,0,,-66,-66,-66,,0",
    "GFR,Germany West,1946,0,,-66,-66,-66,,",
    "GFR,Germany West,1990,0,,10,0,10,10,41",
    "GMY,Germany,1990,0,,10,0,10,10,0",
    "GMY,Germany,1991,0,,10,0,10,10,1",
    "AFG,Afghanistan,1980,0,,-66,-66,-66,,",
    "AFG,Afghanistan,1981,0,,-88,-88,-88,-5,0",
]


def test_polity5(tmp_path: Path) -> None:
    write_polity(tmp_path, POLITY_ROWS)
    parsed = run_source(spec("polity5"), tmp_path)
    table = parsed.tables["country_year"]
    assert list(table.columns) == ["country_iso3", "year", "polity2", "durable"]
    assert len(table) == 4
    assert pd.isna(row(table, "DEU", 1945).polity2)  # -66 stays missing
    assert row(table, "DEU", 1945).durable == 0
    de90 = row(table, "DEU", 1990)
    assert (de90.polity2, de90.durable) == (10, 0)  # the united Germany (continues in 1991)
    assert row(table, "AFG", 1981).polity2 == -5
    assert drops(parsed) == {
        ("country_year", "no polity2 or durable"): 2,  # AFG 1980, GFR 1946
        ("country_year", regimes.REASON_TRANSITION): 2,  # GMY 1945, GFR 1990
    }


def test_polity5_bad_inputs(tmp_path: Path) -> None:
    write_polity(tmp_path, ["AFG,Afghanistan,1981,0,,-88,-88,-88,abc,0"])
    with pytest.raises(RawInputError, match=r"polity5_p5v2018\.csv.*'polity2'.*abc"):
        run_source(spec("polity5"), tmp_path)
    # Two entities in one country-year and neither continues: no rule can choose.
    write_polity(
        tmp_path,
        ["GFR,Germany West,1990,0,,10,0,10,10,41", "GMY,Germany,1990,0,,10,0,10,10,0"],
    )
    with pytest.raises(RawInputError, match=r"polity5_p5v2018\.csv.*'scode'"):
        run_source(spec("polity5"), tmp_path)


# --------------------------------------------------------------------------- Freedom House

OWID_HEADER = (
    "country_name,year,regime_fh,polrights_fh,civlibs_fh,electdem_fh,electprocess_fh,"
    "polrights_score_fh,civlibs_score_fh,country_fh"
)


def fh_ratings() -> pd.DataFrame:
    rows = [
        ("United States", 1972, 1, 1, "F"),
        ("United States", 2010, 1, 1, "F"),
        ("United States", 2015, 1, 1, "F"),
        ("United Kingdom", 2001, 1, 2, "F"),
        ("Northern Ireland", 2001, 2, 3, "F"),
        ("West Bank", 2015, 6, 5, "NF"),
        ("Gaza Strip", 2015, 7, 6, "NF"),
        ("Tibet", 2015, 7, 7, "NF"),
    ]
    frame = pd.DataFrame(rows, columns=["fh_country", "year", "pr", "cl", "status"])
    return frame.assign(
        year=frame.year.astype(float),
        pr=frame.pr.astype(float),
        cl=frame.cl.astype(float),
        status=pd.Categorical(frame.status, categories=["F", "PF", "NF"]),
        fh_total=(frame.pr + frame.cl).astype(float),
    )


def fh_fiw() -> pd.DataFrame:
    rows = [
        ("United States", 2016, 2015, "F", 1, 1, 36, 54, 90),
        ("West Bank", 2016, 2015, "NF", 6, 5, 6, 24, 30),
        ("Gaza Strip", 2016, 2015, "NF", 7, 6, 3, 8, 11),
        ("Tibet", 2016, 2015, "NF", 7, 7, -2, 1, -1),
    ]
    columns = ["fh_full_country", "edition", "year", "status", "pr", "cl"]
    frame = pd.DataFrame(rows, columns=[*columns, "pr_full", "cl_full", "total"])
    numbers = ["edition", "year", "pr", "cl", "pr_full", "cl_full", "total"]
    return frame.astype(dict.fromkeys(numbers, float)).assign(
        status=lambda f: pd.Categorical(f.status, categories=["F", "PF", "NF"])
    )


OWID_ROWS = [
    "United States,1972,2,1,2,,,,,1",  # CL 2 disagrees with the ratings' 1
    "United States,2010,2,1,1,1,12,38,56,1",
    "United States,2015,2,1,1,1,11,36,54,1",
    "USSR,2000,,,,,,,,1",
    "Abkhazia,1972,,,,,,,,0",
    "United Kingdom,1990,,,,,,,,1",
    "Northern Ireland,2001,2,2,3,,,,,0",
]


def write_fh(root: Path, ratings: pd.DataFrame, fiw: pd.DataFrame, owid: list[str]) -> None:
    write_rda(root, regimes.FH_RATINGS_FILE, ratings, "fh")
    write_rda(root, regimes.FH_FIW_FILE, fiw, "fh_full")
    text = "\n".join([OWID_HEADER, *owid]) + "\n"
    raw_path(root, regimes.FH_OWID_FILE).write_text(text, encoding="utf-8")


def test_freedom_house(tmp_path: Path) -> None:
    write_fh(tmp_path, fh_ratings(), fh_fiw(), OWID_ROWS)
    parsed = run_source(spec("freedom_house"), tmp_path)
    table = parsed.tables["country_year"]
    assert len(table) == 5
    us15 = row(table, "USA", 2015)
    assert (us15.fh_pr, us15.fh_cl, us15.fh_status) == (1, 1, "F")
    assert (us15.fh_pr_score, us15.fh_cl_score, us15.fh_total) == (36, 54, 90)
    assert us15.fh_total_source == "fiw_scores"
    us10 = row(table, "USA", 2010)
    assert (us10.fh_total, us10.fh_total_source) == (94, "owid")
    assert pd.isna(row(table, "USA", 1972).fh_total)
    assert row(table, "GBR", 2001).fh_cl == 2  # United Kingdom, not Northern Ireland
    pse = row(table, "PSE", 2015)
    assert (pse.fh_pr, pse.fh_total) == (6, 30)  # West Bank, not Gaza Strip

    checks = parsed.tables["crosscheck"].set_index("check")
    assert checks.loc["fiw_vs_ratings_pr_cl_status", ["n_compared", "n_agree"]].tolist() == [2, 2]
    owid = checks.loc["owid_vs_ratings_pr_cl_status"]
    assert (owid.n_compared, owid.n_disagree, owid.first_disagreements) == (3, 1, "USA 1972")
    assert checks.loc["owid_vs_fiw_pr_cl_scores", ["n_compared", "n_agree"]].tolist() == [1, 1]

    assert drops(parsed) == {
        ("ratings", "not a country: territory"): 1,
        ("ratings", regimes.REASON_NI): 1,
        ("ratings", regimes.REASON_GAZA_FH): 1,
        ("fiw_scores", "not a country: territory"): 1,
        ("fiw_scores", regimes.REASON_GAZA_FH): 1,
        ("owid", "not a country: territory"): 1,
        ("owid", "historical state outside its period"): 1,
        ("owid", "no rating this year (OWID panel filler)"): 1,
        ("owid", regimes.REASON_NI): 1,
        ("owid_scores_2005_2011", "no aggregate score (OWID has them 2005-2022)"): 1,
        ("owid_scores_2005_2011", "year covered by fiw_scores (OWID only cross-checks)"): 1,
    }


def test_freedom_house_bad_inputs(tmp_path: Path) -> None:
    fiw = fh_fiw()
    fiw.loc[0, "year"] = 2016.0  # = edition: the year would be misdated
    write_fh(tmp_path, fh_ratings(), fiw, OWID_ROWS)
    with pytest.raises(RawInputError, match=r"freedom_house_fiw_scores.*'year'.*edition"):
        run_source(spec("freedom_house"), tmp_path)
    ratings = fh_ratings()
    ratings["status"] = ratings["status"].astype(str).replace("PF", "X")
    ratings.loc[0, "status"] = "X"
    write_fh(tmp_path, ratings, fh_fiw(), OWID_ROWS)
    with pytest.raises(RawInputError, match=r"freedom_house_ratings.*'status'.*'X'"):
        run_source(spec("freedom_house"), tmp_path)


# --------------------------------------------------------------------------- LIED


def lied_frame(rows: list[tuple[str, int, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["lied_country", "year", "lexical_index"])
    return frame.assign(
        year=frame.year.astype(float),
        lexical_index=frame.lexical_index.astype(float),
        lexical_index_original=frame.lexical_index.astype(float),
        lexical_index_plus=(frame.lexical_index + 1).astype(float),
        sovereign=1.0,
        cown=NA,
    )


def test_lied(tmp_path: Path) -> None:
    frame = lied_frame(
        [
            ("Vietnam", 1944, 0),
            ("Vietnam", 1950, 1),
            ("Vietnam, North", 1950, 2),
            ("Palestine/West Bank", 2000, 3),
            ("Palestine/Gaza", 2000, 1),
            ("Tibet", 1950, 0),
        ]
    )
    frame.loc[0, "lexical_index_original"] = 2.0
    write_rda(tmp_path, regimes.LIED_FILE, frame, "LIED")
    parsed = run_source(spec("lied"), tmp_path)
    table = parsed.tables["country_year"]
    assert len(table) == 3
    assert row(table, "VNM", 1950).lied == 2  # Vietnam, North kept
    vnm44 = row(table, "VNM", 1944)
    assert (vnm44.lied, vnm44.lied_original, vnm44.lied_plus, vnm44.lied_sovereign) == (0, 2, 1, 1)
    assert row(table, "PSE", 2000).lied == 3
    assert drops(parsed) == {
        ("country_year", "not a country: territory"): 1,
        ("country_year", regimes.REASON_GAZA_VDEM): 1,
        ("country_year", "Vietnam 1945-1953: the DRV row (Vietnam, North) is kept"): 1,
    }


def test_lied_bad_value(tmp_path: Path) -> None:
    frame = lied_frame([("Vietnam", 1944, 0)])
    frame.loc[0, "lexical_index"] = 7.0
    write_rda(tmp_path, regimes.LIED_FILE, frame, "LIED")
    with pytest.raises(RawInputError, match=r"lexical_index_LIED.*'lexical_index'.*7"):
        run_source(spec("lied"), tmp_path)


# --------------------------------------------------------------------------- BMR


def bmr_frame(rows: list[tuple[str, int, float, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["bmr_country", "year", "democracy", "democracy_duration"])
    coded = frame.democracy.notna()
    return frame.assign(
        year=frame.year.astype(float),
        democracy_trans=np.where(coded, 0.0, NA),
        democracy_breakdowns=np.where(coded, 1.0, NA),
        democracy_femalesuffrage=frame.democracy,
        abbreviation="XXX",
    )


BMR_ROWS = [
    ("GERMANY", 1945, 0.0, 13.0),
    ("GERMANY, WEST", 1945, NA, NA),
    ("GERMANY, WEST", 1989, 1.0, 41.0),
    ("GERMANY, WEST", 1990, 1.0, 42.0),
    ("GERMANY", 1990, 1.0, 1.0),
    ("GERMANY", 1991, 1.0, 2.0),
]


def test_bmr(tmp_path: Path) -> None:
    write_rda(tmp_path, regimes.BMR_FILE, bmr_frame(BMR_ROWS), "bmr")
    parsed = run_source(spec("bmr"), tmp_path)
    table = parsed.tables["country_year"]
    assert len(table) == 4
    assert row(table, "DEU", 1945).bmr_democracy_duration == 13  # the coded Reich row
    de90 = row(table, "DEU", 1990)
    assert (de90.bmr_democracy, de90.bmr_democracy_duration) == (1, 1)
    assert row(table, "DEU", 1989).bmr_democracy_breakdowns == 1
    assert drops(parsed) == {
        ("country_year", "democracy not coded"): 1,
        ("country_year", regimes.REASON_TRANSITION): 1,
    }


def test_bmr_renamed_column(tmp_path: Path) -> None:
    frame = bmr_frame(BMR_ROWS).rename(columns={"democracy_duration": "duration"})
    write_rda(tmp_path, regimes.BMR_FILE, frame, "bmr")
    with pytest.raises(RawInputError, match=r"boix_miller_rosato.*'democracy_duration'"):
        run_source(spec("bmr"), tmp_path)
