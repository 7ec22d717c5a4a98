"""The mayors, governors and trifecta parsers on small synthetic files (invented people)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import RawInputError
from analysis.sources import us_officials as uo
from analysis.sources.common.runner import run_source
from tests.sources.helpers import drop_counts, write_lines

WD = "http://www.wikidata.org/entity/"
T = "T00:00:00Z"
MAYORS_HEADER = (
    "person,personLabel,birthDate,genderLabel,partyLabel,start,end,positionLabel,cityLabel"
)


def mayor(qid, name, party, start, end, position, city, birth="1960-01-01"):
    return f'{WD}{qid},{name},{birth}{T},female,{party},{start}{T},{end}{T},"{position}",{city}'


MAYORS = [
    MAYORS_HEADER,
    mayor(
        "Q1",
        "Ann Able",
        "Democratic Party",
        "2014-01-01",
        "2018-01-01",
        "Mayor of Springfield, Illinois",
        "Springfield",
    ),
    # the same term again with a state affiliate label and another birth date
    mayor(
        "Q1",
        "Ann Able",
        "Democratic Party of Illinois",
        "2014-01-01",
        "2018-01-01",
        "Mayor of Springfield, Illinois",
        "Springfield",
        birth="1961-01-01",
    ),
    mayor(
        "Q2",
        "Bo Baker",
        "Republican Party",
        "2016-01-01",
        "2020-01-01",
        "Mayor of Springfield, Missouri",
        "Springfield",
    ),
    # stateless label resolved through POSITION_STATES
    mayor(
        "Q3",
        "Cy Cole",
        "independent politician",
        "2010-01-01",
        "2022-01-01",
        "Mayor of Boston",
        "Boston",
    ),
    # a person with two major-party statements: party unknown
    mayor(
        "Q4",
        "Di Dunn",
        "Democratic Party",
        "2015-01-01",
        "2019-01-01",
        "Mayor of Tacoma, Washington",
        "Tacoma",
    ),
    mayor(
        "Q4",
        "Di Dunn",
        "Republican Party",
        "2015-01-01",
        "2019-01-01",
        "Mayor of Tacoma, Washington",
        "Tacoma",
    ),
    # cross product of two terms' start and end qualifiers (as Wikidata does)
    mayor(
        "Q5",
        "Ed Eve",
        "Whig Party",
        "1850-01-01",
        "1852-01-01",
        "Mayor of Albany, New York",
        "Albany",
    ),
    mayor(
        "Q5",
        "Ed Eve",
        "Whig Party",
        "1850-01-01",
        "1858-01-01",
        "Mayor of Albany, New York",
        "Albany",
    ),
    mayor(
        "Q5",
        "Ed Eve",
        "Whig Party",
        "1856-01-01",
        "1852-01-01",
        "Mayor of Albany, New York",
        "Albany",
    ),
    mayor(
        "Q5",
        "Ed Eve",
        "Whig Party",
        "1856-01-01",
        "1858-01-01",
        "Mayor of Albany, New York",
        "Albany",
    ),
    mayor(
        "Q6",
        "Flo Fox",
        "Democratic Party",
        "1990-01-01",
        "1994-01-01",
        "mayor of a place in Utah",
        "Utah",
    ),
    mayor(
        "Q7",
        "Gus Gray",
        "Democratic Party",
        "2001-01-01",
        "2005-01-01",
        "Mayor of Nowhere",
        "Nowhere",
    ),
    mayor(
        "Q8",
        "Hal Hix",
        "Democratic Party",
        "2002-01-01",
        "2006-01-01",
        "Mayor of Miami-Dade County",
        "Miami-Dade County",
    ),
]


def spec(name: str):
    return next(s for s in uo.SOURCES if s.name == name)


def test_mayor_terms_and_mentions(tmp_path: Path) -> None:
    write_lines(tmp_path, uo.FILE_MAYORS, MAYORS)
    parsed = run_source(spec(uo.MAYORS), tmp_path)
    mentions = parsed.tables["mentions"].set_index("mention_id")
    assert mentions["raw_name"].to_dict() == {
        "us_mayors:Albany|NY": "Albany, NY",
        "us_mayors:Boston|MA": "Boston, MA",
        "us_mayors:Miami-Dade County|FL": "Miami-Dade County, FL",
        "us_mayors:Springfield|IL": "Springfield, IL",
        "us_mayors:Springfield|MO": "Springfield, MO",
        "us_mayors:Tacoma|WA": "Tacoma, WA",
    }
    assert mentions.loc["us_mayors:Miami-Dade County|FL", "entity_type"] == "county"
    terms = parsed.tables["us_mayor_terms"].set_index(["person_qid", "start_date"])
    able = terms.loc[("Q1", pd.Timestamp("2014-01-01"))]
    assert able["party"] == "D"
    assert able["party_raw"] == "Democratic Party; Democratic Party of Illinois"
    assert terms.loc[("Q3", pd.Timestamp("2010-01-01")), "party"] == "I"
    assert pd.isna(terms.loc[("Q4", pd.Timestamp("2015-01-01")), "party"])
    eve = terms.loc["Q5"]["end_date"].to_dict()
    assert eve == {
        pd.Timestamp("1850-01-01"): pd.Timestamp("1852-01-01"),
        pd.Timestamp("1856-01-01"): pd.Timestamp("1858-01-01"),
    }
    assert terms.loc[("Q5", pd.Timestamp("1850-01-01")), "party"] == "other"
    assert drop_counts(parsed) == {
        ("terms", "generic position (no city)"): 1,
        ("terms", "no state in position label"): 1,
        ("terms", "end before start"): 1,
        ("terms", "later end of another term for the same start"): 1,
        ("terms", "repeated term row (other party label, birth date or city label)"): 2,
    }


def test_mayor_party_mid2017(tmp_path: Path) -> None:
    write_lines(tmp_path, uo.FILE_MAYORS, MAYORS)
    table = run_source(spec(uo.MAYORS), tmp_path).tables["mayor_party_mid2017"]
    got = table.set_index("mention_id")
    assert got.loc["us_mayors:Springfield|IL", ["mayor", "party", "status"]].tolist() == [
        "Ann Able",
        "D",
        "in_office",
    ]
    assert got.loc["us_mayors:Springfield|MO", "party"] == "R"
    assert got.loc["us_mayors:Boston|MA", "party"] == "I"
    tacoma = got.loc["us_mayors:Tacoma|WA"]
    assert tacoma["status"] == "in_office" and pd.isna(tacoma["party"])
    assert got.loc["us_mayors:Albany|NY", "status"] == "no_term"
    assert pd.isna(got.loc["us_mayors:Albany|NY", "party"])


def test_mayor_overlap() -> None:
    terms = pd.DataFrame(
        {
            "mention_id": ["m", "m"],
            "person_qid": ["Q1", "Q2"],
            "mayor": ["A", "B"],
            "party": ["D", "D"],
            "party_raw": ["x", "y"],
            "start_date": pd.to_datetime(["2016-01-01", "2017-01-01"]),
            "end_date": pd.to_datetime(["2018-01-01", "2019-01-01"]),
        }
    )
    out = uo.mid_2017(terms, pd.Series(["m"]))
    assert out.iloc[0][["party", "status"]].tolist() == ["D", "overlap"]
    assert pd.isna(out.iloc[0]["mayor"])


def test_party_codes() -> None:
    assert uo.party_code(["Minnesota Democratic\u2013Farmer\u2013Labor Party"]) == "D"
    assert uo.party_code(["Democrat"]) == "D"
    assert uo.party_code(["Domecratic-Farmer-Labor"]) == "D"
    assert uo.party_code(["republican"]) == "R"
    assert uo.party_code(["Democratic-Republican"]) == "other"
    assert uo.party_code(["Democratic Socialists of America"]) == "other"
    assert uo.party_code(["Whig, Republican"]) == "R"
    assert uo.party_code(["Republican, Democrat"]) is None
    assert uo.party_code([]) is None


def test_mayor_bad_date_names_column(tmp_path: Path) -> None:
    bad = [MAYORS[0], MAYORS[1].replace("2014-01-01T", "2014-13-01T"), *MAYORS[2:]]
    write_lines(tmp_path, uo.FILE_MAYORS, bad)
    with pytest.raises(RawInputError, match=r"us_mayors_party_terms_wikidata\.csv, column 'start'"):
        run_source(spec(uo.MAYORS), tmp_path)


GOVERNORS = [
    "governor,state,time_in_office,party,year",
    # Oregon: a gap in 2016-2017 filled from the spans
    "Al Ash,Oregon,2011 - 2016,Democrat,2011",
    "Al Ash,Oregon,2011 - 2016,Democrat,2015",
    "Bea Bell,Oregon,2016 - 2020,Republican,2018",
    "Bea Bell,Oregon,2016 - 2020,Republican,2019",
    "Bea Bell,Oregon,2016 - 2020,Republican,2020",
    # Utah: the successor of 2013 is not in the file
    "Cal Cobb,Utah,2009 - 2013,republican,2012",
    "Cal Cobb,Utah,2009 - 2013,republican,2013",
    "Dee Dix,Utah,2009 - 2013,Democrat,2012",
    # corrupt span (year outside it), a territory and an exact duplicate
    "Eli Eck,Idaho,1940 - 1841,Whig,1850",
    "Fay Fu,Guam,2011 - 2019,Republican,2012",
    "Cal Cobb,Utah,2009 - 2013,republican,2012",
]


def test_governor_years(tmp_path: Path) -> None:
    write_lines(tmp_path, uo.FILE_GOVERNORS, GOVERNORS)
    parsed = run_source(spec(uo.GOVERNORS), tmp_path)
    table = parsed.tables["us_state_governor_year"].set_index(["state", "year"])
    assert sorted(table.loc["OR"].index) == list(range(2011, 2021))
    assert table.loc[("OR", 2013), ["governor", "governor_party", "basis"]].tolist() == [
        "Al Ash",
        "D",
        "span",
    ]
    # 2016: Ash's span ends, Bell's begins and continues: Bell
    y2016 = table.loc[("OR", 2016)]
    assert (y2016["governor"], y2016["governor_party"], y2016["n_governors"]) == (
        "Bea Bell",
        "R",
        2,
    )
    assert table.loc[("OR", 2020), "basis"] == "file"
    assert table.loc[("UT", 2012), "governor"] == "Dee Dix"  # latest to take office (name order)
    utah_2013 = table.loc[("UT", 2013)]
    assert utah_2013["basis"] == "successor_missing" and pd.isna(utah_2013["governor_party"])
    assert table.loc[("UT", 2012), "state_fips"] == "49"
    assert "ID" not in table.index.get_level_values("state")
    assert drop_counts(parsed) == {
        ("governor_years", uo.TERRITORY_REASON): 1,
        ("governor_years", "year outside the governor's own term span (corrupt span)"): 1,
        ("governor_years", "duplicate row"): 1,
    }


def test_governor_bad_span_names_column(tmp_path: Path) -> None:
    write_lines(
        tmp_path, uo.FILE_GOVERNORS, [*GOVERNORS[:2], "Al Ash,Oregon,2011 to 2016,Democrat,2012"]
    )
    with pytest.raises(RawInputError, match=r"governors.*column 'time_in_office'.*2011 to 2016"):
        run_source(spec(uo.GOVERNORS), tmp_path)


TRIFECTAS = [
    "\ufeffstate,year,trifecta,redistricting_control,governor_veto",
    "Pennsylvania,2010,Republican,Legislature,TRUE",
    "Pennsylvania,2014,None,Legislature,TRUE",
    "Nebraska,2016,,Legislature,",
    "Oregon,2016,Democratic,Legislature,FALSE",
]


def test_trifectas(tmp_path: Path) -> None:
    write_lines(tmp_path, uo.FILE_TRIFECTAS, TRIFECTAS)
    parsed = run_source(spec(uo.TRIFECTAS), tmp_path)
    table = parsed.tables["us_state_trifecta_year"].set_index(["state", "year"])
    assert table.loc[("PA", 2011), ["trifecta", "source_year"]].tolist() == ["R", 2010]
    assert table.loc[("PA", 2015), "trifecta"] == "divided"
    nebraska = table.loc[("NE", 2017)]
    assert pd.isna(nebraska["trifecta"]) and pd.isna(nebraska["governor_veto"])
    assert table.loc[("OR", 2017), "trifecta"] == "D"
    assert not table.loc[("OR", 2017), "governor_veto"]
    assert bool(table.loc[("PA", 2011), "governor_veto"])
    assert drop_counts(parsed) == {("state_years", "none"): 0}


def test_trifecta_unknown_value_raises(tmp_path: Path) -> None:
    write_lines(tmp_path, uo.FILE_TRIFECTAS, [*TRIFECTAS[:2], "Ohio,2012,Dem,Legislature,TRUE"])
    with pytest.raises(
        RawInputError, match=r"trifectas_2009_2019_ballotpedia\.csv, column 'trifecta'.*Dem"
    ):
        run_source(spec(uo.TRIFECTAS), tmp_path)
