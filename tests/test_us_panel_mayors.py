"""US city table wiring of the mayor sources and dated sanctuary policies (analysis.panel.us_panel)."""

from __future__ import annotations

import pandas as pd

from analysis.core.audit import RowAudit
from analysis.panel import us_panel


def joins(pairs: dict[str, int | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "mention_id": list(pairs),
            "city_id": pd.array(list(pairs.values()), dtype="Int64"),
            "is_group": False,
            "method": ["exact" if v else "unmatched" for v in pairs.values()],
        }
    )


def test_sanctuary_first_year_dated_city_and_county_policies_only():
    s = pd.DataFrame(
        {
            "level": ["city", "city", "county", "county", "state"],
            "mention_id": ["s:A", "s:A", None, None, None],
            "county_fips": [None, None, "06001", "06001", None],
            "stance": ["sanctuary", "sanctuary", "sanctuary", "enforcement", "sanctuary"],
            "year": pd.array([2018, 2015, 2014, 2010, 2013], dtype="Int64"),
        }
    )
    first = us_panel.sanctuary_first_year(s, joins({"s:A": 7}), RowAudit("t"))
    assert first["city"].to_dict() == {7: 2015}
    assert first["county"].to_dict() == {"06001": 2014}  # the enforcement row does not count


def test_mayors_combine_elections_and_wikidata_terms():
    elections = pd.DataFrame(
        {
            "mention_id": ["e:A", "e:B"],
            "year": pd.array([2015, 2005], dtype="Int64"),
            "winner": ["Ann", "Bo"],
            "winner_party": ["R", "D"],
            "dem_margin": [-0.04, 0.3],
        }
    )
    mid = pd.DataFrame(
        {"mention_id": ["w:B"], "person_qid": ["Q1"], "mayor": ["Cy"], "party": ["R"],
         "status": ["in_office"]}
    )  # fmt: skip
    terms = pd.DataFrame(
        {"mention_id": ["w:B"], "person_qid": ["Q1"], "mayor": ["Cy"], "party": ["R"],
         "party_raw": ["Republican Party"], "start_date": pd.to_datetime(["2014-01-01"]),
         "end_date": pd.to_datetime(["2018-01-01"])}
    )  # fmt: skip
    tables = {
        "mayor_elections": {"mayors_dbk": elections},
        "mayor_party_mid2017": {"us_mayors": mid},
        "us_mayor_terms": {"us_mayors": terms},
    }
    j = joins({"e:A": 1, "e:B": 2, "w:B": 2})
    chosen, conflicts = us_panel._mayors(tables, j, RowAudit("t"))
    assert chosen.loc[1, ["mayor_party", "mayor_party_source"]].tolist() == ["R", "mayors_dbk"]
    assert chosen.loc[1, "mayor_dem_margin"] == -0.04
    # city 2: a stale 2005 election, so Wikidata's term from 2014 sets the party
    assert chosen.loc[2, ["mayor_party", "mayor_party_source", "mayor_party_as_of"]].tolist() == [
        "R", "us_mayors", 2014,
    ]  # fmt: skip
    assert conflicts[["city_id", "source", "other_source"]].values.tolist() == [
        [2, "us_mayors", "mayors_dbk"]
    ]
