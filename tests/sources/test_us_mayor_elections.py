"""The three mayoral-election parsers on small synthetic files (invented cities and people)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import RawInputError
from analysis.sources import us_mayor_elections as me
from tests.sources.helpers import drops, parse_validated, raw_path, write_lines


def _dbk(root: Path, rows: list[dict]) -> dict[str, Path]:
    import pyreadr

    path = raw_path(root, me.FILE_DBK)
    pyreadr.write_rds(str(path), pd.DataFrame(rows))
    return {me.FILE_DBK: path}


def dbk_row(fips, city, abb, year, win, lose, vw, vl, partisan=1.0, name="ann able"):
    dem = vw if win == "Dem" else vl
    return {
        "place_fips": float(fips), "city": city, "abb": abb, "year": float(year),
        "pid_final_win": win, "pid_final_lose": lose, "votes_win": float(vw),
        "votes_lose": float(vl), "demshare": dem / (vw + vl), "full_name_win": name,
        "partisan": partisan, "other_covariate": 1.0,
    }  # fmt: skip


def test_dbk_margin_fips_and_parties(tmp_path):
    rows = [
        dbk_row(1712345, "Springfield", "IL", 2013, "Dem", "Rep", 600, 400),
        dbk_row(1712345, "Springfield", "IL", 2017, "Rep", "Dem", 510, 490),
        dbk_row(612345, "Riverside", "CA", 2014, "Rep", "Dem", 700, 300, partisan=0.0),
    ]
    parsed = parse_validated(me.SOURCES[0], _dbk(tmp_path, rows))
    e = parsed.tables["mayor_elections"].set_index(["mention_id", "year"])
    assert e.loc[("mayors_dbk:Springfield|IL", 2013), "dem_margin"] == pytest.approx(0.2)
    assert e.loc[("mayors_dbk:Springfield|IL", 2017), "dem_margin"] == pytest.approx(-0.02)
    assert e.loc[("mayors_dbk:Riverside|CA", 2014), "place_fips"] == "0612345"  # zero-padded
    assert not e.loc[("mayors_dbk:Riverside|CA", 2014), "partisan_ballot"]
    assert set(parsed.tables["mentions"]["raw_name"]) == {"Springfield, IL", "Riverside, CA"}


def test_dbk_demshare_must_match_votes(tmp_path):
    row = dbk_row(1712345, "Springfield", "IL", 2013, "Dem", "Rep", 600, 400)
    row["demshare"] = 0.9
    with pytest.raises(RawInputError, match="demshare"):
        me.parse_dbk(_dbk(tmp_path, [row]))


def test_dbk_fips_prefix_must_be_the_state(tmp_path):
    row = dbk_row(612345, "Springfield", "IL", 2013, "Dem", "Rep", 600, 400)
    with pytest.raises(RawInputError, match="place_fips"):
        me.parse_dbk(_dbk(tmp_path, [row]))


HP_HEADER = "citystabbr\tcity\tstabbr\tyear\twinnername\twinnerparty\tloserparty\twinnervotes\tloservotes\tfips_pla"


def test_hopkins_codes_missing_dots_and_state_from_citystabbr(tmp_path):
    lines = [
        HP_HEADER,
        "St. PaulMN\tSt. Paul\t.\t2001\tRandy Roe\tDFL\tR\t300\t200\t58000",
        "GothamNY\tGotham\t.\t1993\tRudy Roe\tR-L\tD\t510\t490\t.",
        "TampaFL\tTampa\t.\t1995\tDick Doe\tNO\t.\t100\t.\t.",
        "MaywoodIL\tMaywood\t.\t1997\tJoe Doe\tO\tn/a\t50\t40\t.",
    ]
    path = write_lines(tmp_path, me.FILE_HP, lines)
    parsed = parse_validated(me.SOURCES[1], {me.FILE_HP: path})
    e = parsed.tables["mayor_elections"].set_index("mention_id")
    assert e.loc["mayors_hp:St. Paul|MN", "winner_party"] == "D"
    assert e.loc["mayors_hp:St. Paul|MN", "place_fips"] == "2758000"
    assert e.loc["mayors_hp:St. Paul|MN", "dem_margin"] == pytest.approx(0.2)
    assert e.loc["mayors_hp:Gotham|NY", "winner_party"] == "R"
    assert e.loc["mayors_hp:Gotham|NY", "dem_margin"] == pytest.approx(-0.02)
    assert pd.isna(e.loc["mayors_hp:Tampa|FL", "winner_party"])  # nonpartisan: unknown party
    assert e.loc["mayors_hp:Maywood|IL", "winner_party"] == "other"
    assert math.isnan(e.loc["mayors_hp:Maywood|IL", "dem_margin"])


def test_hopkins_unknown_party_label_raises(tmp_path):
    lines = [HP_HEADER, "GothamNY\tGotham\t.\t1993\tRudy Roe\tWhig\tD\t510\t490\t."]
    path = write_lines(tmp_path, me.FILE_HP, lines)
    with pytest.raises(RawInputError, match="Whig"):
        me.parse_hp({me.FILE_HP: path})


def _fg(root: Path, rows: list[dict]) -> dict[str, Path]:
    path = raw_path(root, me.FILE_FG)
    df = pd.DataFrame(rows)
    df.to_stata(path, write_index=False)
    return {me.FILE_FG: path}


def fg_row(city, st, fips, year, month, party, votes, r_party, r_votes, partisan="P", name="A"):
    return {
        "city": city, "state": st, "fipsid": float(fips), "year": float(year),
        "month": float(month) if month else float("nan"), "mayor_name": name,
        "mayor_party": party, "mayor_votes": float(votes), "runnerup_name": "B",
        "runnerup_party": r_party, "runnerup_votes": float(r_votes),
        "vote_total": float(votes + r_votes), "partisan": partisan, "commclass": 1.0,
        "online_search": 0.0,
    }  # fmt: skip


def test_ferreira_gyourko_runoff_second_race_and_fips(tmp_path):
    rows = [
        fg_row("Birmingham", "AL", 107000, 1975, 10, "R", 300, "D", 200),
        fg_row("Birmingham", "AL", 107000, 1975, 11, "D", 310, "R", 300),  # runoff decides
        fg_row("Litchfield", "CT", 943370, 1999, None, "R", 1374, "O", 406),
        fg_row("Litchfield", "CT", 943370, 1999, None, "O", 114, "O", 35),  # another office
        fg_row("Anaheim", "CA", 602000, 1970, 4, "R", 100, "D", 200, partisan="NP"),
        fg_row("Wrongtown", "TX", 107000, 2001, 5, "", 100, "", 50, partisan=""),
    ]
    parsed = parse_validated(me.SOURCES[2], _fg(tmp_path, rows))
    e = parsed.tables["mayor_elections"].set_index("mention_id")
    assert e.loc["mayors_fg:Birmingham|AL", "winner_party"] == "D"
    assert e.loc["mayors_fg:Birmingham|AL", "place_fips"] == "0107000"
    assert e.loc["mayors_fg:Birmingham|AL", "dem_margin"] == pytest.approx(10 / 610)
    assert e.loc["mayors_fg:Litchfield|CT", "winner_votes"] == 1374
    # the recorded winner trails the runner-up: no margin rather than one of the wrong sign
    assert math.isnan(e.loc["mayors_fg:Anaheim|CA", "dem_margin"])
    assert not e.loc["mayors_fg:Anaheim|CA", "partisan_ballot"]
    assert pd.isna(e.loc["mayors_fg:Wrongtown|TX", "place_fips"])  # prefix is Alabama's
    assert pd.isna(e.loc["mayors_fg:Wrongtown|TX", "winner_party"])
    assert drops(parsed) == {
        ("elections", "earlier round of the same year"): 1,
        ("elections", "second race of the same city-year with fewer votes"): 1,
    }
