"""Precedence and conflict audit of the mayor's party on 2017-07-01 (analysis.sources.common.mayor_party)."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.sources.common import mayor_party as mp

ELECTION_COLS = ["city_id", "source", "mention_id", "year", "winner", "winner_party", "dem_margin"]


def elections(rows: list[tuple]) -> pd.DataFrame:
    """rows: (city_id, source, year, party, margin)."""
    df = pd.DataFrame(
        [(c, s, f"{s}:{c}", y, f"w{c}{s}{y}", p, m) for c, s, y, p, m in rows],
        columns=ELECTION_COLS,
    )
    return df.astype({"year": "Int64", "winner_party": "str", "dem_margin": float})


def wikidata(rows: list[tuple]) -> pd.DataFrame:
    """rows: (city_id, party, start_year)."""
    df = pd.DataFrame(rows, columns=["city_id", "party", "start_year"])
    return df.assign(mayor="wiki mayor").astype({"start_year": "Int64", "party": "str"})


NO_WIKI = wikidata([])


def test_latest_election_wins_and_2017_elections_do_not_count():
    e = elections([
        (1, "mayors_fg", 2005, "R", float("nan")),
        (1, "mayors_dbk", 2013, "D", 0.1),
        (1, "mayors_dbk", 2017, "R", -0.05),  # after the date
        (1, "mayors_hp", 2009, "R", float("nan")),
    ])  # fmt: skip
    chosen, conflicts = mp.mayor_party(e, NO_WIKI)
    row = chosen.loc[1]
    assert (row["mayor_party"], row["mayor_party_source"], row["mayor_party_as_of"]) == (
        "D", "mayors_dbk", 2013,
    )  # fmt: skip
    assert row["mayor_dem_margin"] == 0.1 and not row["mayor_party_stale"]
    assert row["mayor_n_sources"] == 3
    assert set(conflicts["other_source"]) == {"mayors_fg", "mayors_hp"}
    assert set(conflicts["kind"]) == {"in_office_2017"}


def test_same_year_tie_goes_to_source_order_and_is_a_conflict():
    e = elections([(2, "mayors_hp", 2009, "R", float("nan")), (2, "mayors_fg", 2009, "D", 0.2)])
    chosen, conflicts = mp.mayor_party(e, NO_WIKI)
    assert chosen.loc[2, "mayor_party_source"] == "mayors_hp"
    assert chosen.loc[2, "mayor_party_stale"]  # 2009 < 2013
    assert sorted(conflicts["kind"]) == ["in_office_2017", "same_election"]


def test_wikidata_settles_gaps_stale_and_later_terms():
    e = elections([
        (3, "mayors_hp", 2007, "R", float("nan")),  # stale: Wikidata wins
        (4, "mayors_dbk", 2013, "R", -0.1),  # fresh, Wikidata term from 2014 = same mayor
        (5, "mayors_dbk", 2013, "R", -0.1),  # Wikidata term from 2016: a later election
    ])  # fmt: skip
    w = wikidata([(3, "D", 2016), (4, "D", 2014), (5, "D", 2016), (6, "I", 2015)])
    chosen, conflicts = mp.mayor_party(e, w)
    assert chosen.loc[3, "mayor_party_source"] == "us_mayors"
    assert not chosen.loc[3, "mayor_party_stale"]
    assert chosen.loc[4, "mayor_party_source"] == "mayors_dbk"
    assert chosen.loc[5, "mayor_party_source"] == "us_mayors"
    assert pd.isna(chosen.loc[5, "mayor_dem_margin"])  # the margin was for another mayor
    assert chosen.loc[6, "mayor_party"] == "I"  # no election file: Wikidata alone
    assert set(conflicts["city_id"]) == {3, 4, 5}


def test_unknown_party_elections_are_skipped():
    e = elections([(7, "mayors_hp", 2011, None, float("nan")), (7, "mayors_hp", 2007, "D", 0.3)])
    chosen, _ = mp.mayor_party(e, NO_WIKI)
    assert chosen.loc[7, "mayor_party_as_of"] == 2007


SOURCES = ["mayors_dbk", "mayors_hp", "mayors_fg"]
record = st.tuples(
    st.integers(1, 4),
    st.sampled_from(SOURCES),
    st.integers(1990, 2020),
    st.sampled_from(["D", "R", "I"]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(record, max_size=25), st.lists(st.tuples(st.integers(1, 6),
       st.sampled_from(["D", "R"]), st.integers(2005, 2017)), max_size=6))  # fmt: skip
def test_properties_one_row_per_city_party_from_a_source_and_no_silent_disagreement(recs, wiki):
    e = elections([(c, s, y, p, float("nan")) for c, s, y, p in recs])
    e = e.drop_duplicates(["city_id", "source", "year"])
    w = wikidata(wiki).drop_duplicates("city_id")
    chosen, conflicts = mp.mayor_party(e, w)
    assert chosen.index.is_unique
    cands = mp.candidates(e, w)
    assert set(chosen.index) == set(cands["city_id"])
    for city, row in chosen.iterrows():
        mine = cands[(cands["city_id"] == city) & (cands["source"] == row["mayor_party_source"])]
        assert len(mine) == 1 and mine["party"].iloc[0] == row["mayor_party"]
        others = cands[(cands["city_id"] == city) & (cands["party"] != row["mayor_party"])]
        logged = conflicts[(conflicts["city_id"] == city) & (conflicts["kind"] == "in_office_2017")]
        assert set(others["source"]) == set(logged["other_source"])  # every disagreement logged
        if row["mayor_party_source"] != mp.WIKIDATA:
            usable = e[(e["city_id"] == city) & (e["year"] <= mp.LAST_ELECTION_YEAR)]
            assert row["mayor_party_as_of"] == usable["year"].max()  # the latest election
    assert (conflicts["party"] != conflicts["other_party"]).all()
