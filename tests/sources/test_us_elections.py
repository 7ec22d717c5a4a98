"""The county election and county context parsers on small synthetic files (invented counts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.core.errors import RawInputError
from analysis.sources import us_elections as ue
from analysis.sources.common.runner import run_source

WIDE = [
    "fips_code,county,total_2008,dem_2008,gop_2008,oth_2008,total_2012,dem_2012,gop_2012,"
    "oth_2012,total_2016,dem_2016,gop_2016,oth_2016",
    "01001,Autauga County,100,40,50,10,110,45,60,5,120,30,80,10",
    # reported 2008 total disagrees with the parts (as LaPorte's does): the sum is used
    "46113,Shannon County,9999,70,20,10,100,80,15,5,100,75,20,5",
]
LONG_HEADER = (
    "state_name,county_fips,county_name,votes_gop,votes_dem,total_votes,diff,per_gop,per_dem,"
    "per_point_diff"
)
Y2020 = [
    LONG_HEADER,
    "Alabama,01001,Autauga County,70,30,105,40,0.67,0.29,0.38",
    "Alaska,02901,District 1,50,40,95,10,0.53,0.42,0.11",
    "South Dakota,46102,Oglala Lakota County,10,90,102,-80,0.1,0.88,-0.78",
]
Y2024 = [
    LONG_HEADER,
    "Alabama,01001,Autauga County,72,28,101,44,0.71,0.28,0.43",
    "Alaska,02001,State House District 1,50,40,95,10.0,0.53,0.42,0.11",
    "District of Columbia,11001,Ward 1,5,90,97,-85.0,0.05,0.93,-0.88",
    "District of Columbia,11002,Ward 2,7,80,90,-73.0,0.08,0.89,-0.81",
    "Connecticut,09110,Capitol Planning Region,40,60,102,-20.0,0.39,0.59,-0.2",
]


def write_elections(root: Path, y2020: list[str] = Y2020) -> None:
    for file, lines in ((ue.FILE_0816, WIDE), (ue.FILE_2020, y2020), (ue.FILE_2024, Y2024)):
        path = root / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")


def spec(name: str):
    return next(s for s in ue.SOURCES if s.name == name)


def test_county_election_rows(tmp_path: Path) -> None:
    write_elections(tmp_path)
    table = run_source(spec(ue.ELECTION), tmp_path).tables["us_county_election"]
    got = table.set_index(["county_fips", "year"])
    assert sorted(got.index) == sorted(
        [("01001", y) for y in (2008, 2012, 2016, 2020, 2024)]
        + [("46102", y) for y in (2008, 2012, 2016, 2020)]
        + [("11001", 2024), ("09110", 2024)]
    )
    autauga = got.loc[("01001", 2016)]
    assert (autauga["dem_votes"], autauga["rep_votes"], autauga["total_votes"]) == (30, 80, 120)
    assert autauga["dem_share_2party"] == pytest.approx(30 / 110)
    assert autauga["state"] == "AL" and autauga["state_fips"] == "01"
    # Shannon (46113) is recoded to Oglala Lakota (46102); the 2008 total is dem+gop+oth
    assert got.loc[("46102", 2008), "total_votes"] == 100
    assert got.loc[("46102", 2020), "county_name"] == "Oglala Lakota County"
    dc = got.loc[("11001", 2024)]
    assert (dc["dem_votes"], dc["rep_votes"], dc["total_votes"]) == (170, 12, 187)
    assert dc["county_name"] == "District of Columbia"
    assert got.loc[("09110", 2024), "state"] == "CT"


def test_county_election_audit(tmp_path: Path) -> None:
    write_elections(tmp_path)
    audit = run_source(spec(ue.ELECTION), tmp_path).audit.to_frame()
    steps = audit.groupby("step").agg(
        rows_in=("rows_in", "first"),
        rows_out=("rows_out", "first"),
        dropped=("rows_dropped", "sum"),
    )
    assert (steps["rows_in"] == steps["rows_out"] + steps["dropped"]).all()
    assert steps["rows_in"].to_dict() == {"2008_2016": 2, "2020": 3, "2024": 5}
    drops = audit.set_index(["step", "reason"])["rows_dropped"].to_dict()
    assert drops == {
        ("2008_2016", "none"): 0,
        ("2020", ue.ALASKA_REASON): 1,
        ("2024", ue.ALASKA_REASON): 1,
        ("2024", ue.DC_WARD_REASON): 1,
    }


def test_state_disagreeing_with_fips_raises(tmp_path: Path) -> None:
    bad = [Y2020[0], Y2020[1].replace("Alabama", "Georgia"), *Y2020[2:]]
    write_elections(tmp_path, y2020=bad)
    with pytest.raises(RawInputError, match=r"uspres_county_2020_tonmcg\.csv, column 'state_name'"):
        run_source(spec(ue.ELECTION), tmp_path)


def test_unparseable_votes_name_file_and_column(tmp_path: Path) -> None:
    bad = [Y2020[0], Y2020[1].replace(",30,105,", ",3O,105,"), *Y2020[2:]]
    write_elections(tmp_path, y2020=bad)
    with pytest.raises(RawInputError, match=r"uspres_county_2020_tonmcg\.csv, column 'votes_dem'"):
        run_source(spec(ue.ELECTION), tmp_path)


CONTEXT_COLUMNS = (
    '"state","county","fips","trump16","clinton16","otherpres16","romney12","obama12",'
    '"otherpres12","demsen16","repsen16","othersen16","demhouse16","rephouse16","otherhouse16",'
    '"demgov16","repgov16","othergov16","repgov14","demgov14","othergov14","total_population",'
    '"cvap","white_pct","black_pct","hispanic_pct","nonwhite_pct","foreignborn_pct","female_pct",'
    '"age29andunder_pct","age65andolder_pct","median_hh_inc","clf_unemploy_pct","lesshs_pct",'
    '"lesscollege_pct","lesshs_whites_pct","lesscollege_whites_pct","rural_pct","ruralurban_cc"'
)
VOTES = "10,20,3,11,19,2,NA,NA,NA,5,6,0,NA,NA,NA,NA,NA,NA"
ACS = "1000,800,70.5,10,12.25,29.5,8.5,51,40,15,52000,4.5,10,70,9,65,40.5,2"
CONTEXT = [
    CONTEXT_COLUMNS,
    f'"Alabama","Autauga",1001,{VOTES},{ACS}',
    f'"Missouri","Kansas City",36000,{VOTES},{",".join(["NA"] * 18)}',
    f'"South Dakota","Oglala Lakota",46113,{VOTES},{",".join(["NA"] * 16)},80.5,6',
]


def write_context(root: Path, lines: list[str] = CONTEXT) -> None:
    path = root / ue.FILE_CONTEXT
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def test_county_context(tmp_path: Path) -> None:
    write_context(tmp_path)
    parsed = run_source(spec(ue.CONTEXT), tmp_path)
    table = parsed.tables["us_county_context"].set_index("county_fips")
    assert list(table.index) == ["01001", "46102"]
    autauga = table.loc["01001"]
    assert autauga["state"] == "AL" and autauga["county_name"] == "Autauga"
    assert (autauga["trump16"], autauga["clinton16"], autauga["obama12"]) == (10, 20, 19)
    assert autauga["hispanic_pct"] == 12.25 and autauga["median_hh_inc"] == 52000
    assert autauga["ruralurban_cc"] == 2
    oglala = table.loc["46102"]
    assert oglala["rural_pct"] == 80.5 and oglala["total_population"] != oglala["total_population"]
    audit = parsed.audit.to_frame()
    assert audit[["rows_in", "rows_out", "rows_dropped", "reason"]].values.tolist() == [
        [3, 2, 1, "not a county FIPS"]
    ]


def test_context_renamed_column_raises(tmp_path: Path) -> None:
    write_context(
        tmp_path, [CONTEXT[0].replace("foreignborn_pct", "foreign_born_pct"), *CONTEXT[1:]]
    )
    with pytest.raises(
        RawInputError, match=r"county_election_context_2018_medsl\.csv, column 'foreignborn_pct'"
    ):
        run_source(spec(ue.CONTEXT), tmp_path)
