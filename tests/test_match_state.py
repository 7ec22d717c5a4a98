"""MatchState: the columns a pass reads, parsed once, and the result arrays it carries."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.resolve.match.state import RESULT_KEYS, MatchState, Pairs


def _state(**extra) -> MatchState:
    frame = pd.DataFrame(
        {
            "raw_name": ["Lyon", None, "Lyon", "Gent"],
            "country_iso3": [" fra", "FRA", "fra ", None],
            **extra,
        }
    )
    return MatchState.from_mentions(frame)


def test_from_mentions_parses_once_per_distinct_value() -> None:
    st = _state(
        lat=["45.7", "x", None, 51.0],
        lon=[4.8, 1.0, 2.0, 3.7],
        entity_type=[" City", None, "REGION", "city"],
    )
    assert st.raw.tolist() == ["Lyon", "", "Lyon", "Gent"]
    assert st.raw_uniq.tolist() == ["Lyon", "", "Gent"]
    assert st.iso.tolist() == ["FRA", "FRA", "FRA", ""]
    assert len(st.iso_uniq) == 2  # " fra", "FRA" and "fra " are one country
    assert st.has_xy.tolist() == [True, False, False, True]
    assert st.etype.tolist() == ["city", "", "region", "city"]
    assert st.coord_fix.tolist() == ["none"] * 4  # no column: nothing was repaired


def test_results_start_unmatched_and_come_out_in_column_order() -> None:
    st = _state(coord_fix=["swapped", None, "none", "none"])
    assert st.coord_fix.tolist() == ["swapped", "none", "none", "none"]
    res = st.result()
    assert tuple(res) == RESULT_KEYS
    assert res["gid"].tolist() == [-1] * 4 and set(res["method"]) == {"unmatched"}
    assert np.isnan(res["score"]).all() and not res["is_group"].any()
    assert not (st.city_row.any() or st.sole_far.any() or st.too_far.any())


def test_take_copies_accepted_rows_of_a_sub_pass_and_marks_the_fix() -> None:
    st = _state()
    sub = _state()
    sub.set_rows(np.array([2, 3]), gid=[7, 8], method="exact", reason=["a", "b"], dist=[1.0, 2.0])
    part = sub.part(2)  # rows 2: of the sub-pass
    st.take(np.array([0]), part, np.array([False, True]), "dropped")
    assert st.gid.tolist() == [8, -1, -1, -1]
    assert st.method[0] == "exact" and st.reason[0] == "b" and st.dist[0] == 2.0
    assert st.coord_fix.tolist() == ["dropped", "none", "none", "none"]
    assert sub.coord_fix.tolist() == ["none"] * 4  # the sub-pass is left alone


def test_pairs_are_distinct_country_name_combinations_in_first_row_order() -> None:
    st = _state()
    rows = np.array([0, 2, 3])
    plan_of = np.array(["p-lyon", "p-empty", "p-gent"], dtype=object)
    pairs = Pairs.of_rows(st, rows, plan_of)
    assert pairs.of_row.tolist() == [0, 0, 1]  # both Lyon rows are one (FRA, Lyon) pair
    assert pairs.iso == ["FRA", ""] and pairs.plans == ["p-lyon", "p-gent"]
    assert pairs.pair_of_rows(np.array([3, 2])).tolist() == [1, 0]
