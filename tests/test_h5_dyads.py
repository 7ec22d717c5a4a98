"""The dyadic H5 frames: country pairs, city-pair construction and a planted tie model.

Pair construction is checked with hypothesis on random small worlds: every unordered pair once,
zero pairs kept, a tie listed twice (or in both orders) counted once. The estimator check fits
the real spec's models (config/models/h5.yaml) on :func:`analysis.synthetic.h5_dyads`.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import synthetic as S
from analysis.hypotheses import h5_economy as h5
from analysis.models.estimate import fit_model
from analysis.models.spec import load_spec
from analysis.panel.country_pairs import build_country_pairs
from analysis.sources.gravity import CEPII_FLAGS


def _cepii(pairs: list[tuple[str, str, float]]) -> pd.DataFrame:
    rows = [(o, d, km) for o, d, km in pairs] + [(d, o, km) for o, d, km in pairs]
    df = pd.DataFrame(rows, columns=["iso3_o", "iso3_d", "dist_km"])
    for flag in CEPII_FLAGS:
        df[flag] = pd.array([1 if flag == "contig" else 0] * len(df), dtype="Int64")
    return df


def _trade(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["exporter_iso3", "importer_iso3", "year", "trade_musd"])
    df["year"] = df["year"].astype("Int64")
    return df


def test_country_pairs_unordered_trade_mean_and_split_code() -> None:
    cepii = _cepii([("FRA", "DEU", 880.0), ("YUG", "FRA", 1450.0), ("DEU", "USA", 7000.0)])
    trade = _trade(
        [
            ("FRA", "DEU", 2000, 10.0), ("DEU", "FRA", 2000, 30.0),  # 2000: 40 both ways
            ("FRA", "DEU", 2001, 60.0),  # 2001: 60
            ("FRA", "DEU", 1999, 999.0),  # outside 2000-2006
            ("DEU", "USA", 2003, 5.0),
        ]
    )  # fmt: skip
    out = build_country_pairs(cepii, trade).set_index(["iso3_a", "iso3_b"])
    assert out.index.is_unique
    assert (out.index.get_level_values(0) < out.index.get_level_values(1)).all()
    assert out.loc[("DEU", "FRA"), "trade_musd"] == pytest.approx(50.0)
    assert out.loc[("DEU", "FRA"), "trade_years"] == 2
    # YUG's row stands for both successors; neither is in the trade panel.
    assert {("FRA", "SRB"), ("FRA", "MNE")} <= set(out.index)
    assert out.loc[("FRA", "MNE"), "trade_in_panel"] == 0
    assert pd.isna(out.loc[("FRA", "MNE"), "trade_musd"])


# ---------------------------------------------------------------------------- pair construction

CITY = st.integers(min_value=1, max_value=30)


@st.composite
def worlds(draw):
    ids = sorted(draw(st.sets(CITY, min_size=2, max_size=12)))
    country = [draw(st.sampled_from(["AAA", "BBB", "CHN"])) for _ in ids]
    raw_ties = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=25))
    return ids, country, raw_ties


def _tables(ids: list[int], country: list[str], raw_ties: list[tuple[int, int]]) -> dict:
    rng = np.random.default_rng(len(ids))
    city_year = pd.DataFrame(
        {
            "city_id": ids,
            "year": 2020,
            "country_iso3": country,
            "lat": rng.uniform(-50, 50, len(ids)),
            "lon": rng.uniform(-150, 150, len(ids)),
            "gawc_gnc_2020_prop": rng.uniform(0, 1, len(ids)),
        }
    )
    dyads = pd.DataFrame(raw_ties or [(ids[0], ids[0])], columns=["city_a", "city_b"])
    cp = build_country_pairs(
        _cepii([("AAA", "BBB", 500.0), ("AAA", "CHN", 900.0), ("BBB", "CHN", 300.0)]),
        _trade([("AAA", "BBB", 2002, 7.0)]),
    )
    return {"city_year": city_year, "dyads": dyads, "country_pairs": cp}


@settings(max_examples=60, deadline=None)
@given(worlds())
def test_every_unordered_pair_once_ties_deduplicated(world) -> None:
    ids, country, raw_ties = world
    out = h5.build_h5_dyads(_tables(ids, country, raw_ties))
    n = len(ids)
    assert len(out) == n * (n - 1) // 2  # zero pairs included
    assert (out["city_a"] < out["city_b"]).all()
    assert not out.duplicated(["city_a", "city_b"]).any()
    distinct = {(min(a, b), max(a, b)) for a, b in raw_ties if a != b}
    assert int(out["tie"].sum()) == len(distinct)  # a pair listed twice is one tie
    same = out["country_a"] == out["country_b"]
    assert (out.loc[same, ["contig", "comlang_off", "colony", "log_trade"]] == 0).all().all()
    assert (out.loc[same, "trade_missing"] == 1).all()
    both = (out["country_a"] == "CHN") & (out["country_b"] == "CHN")
    assert (out["china_both"] == both).all()


@settings(max_examples=40, deadline=None)
@given(st.integers(5, 40), st.integers(0, 10**6), st.data())
def test_sampled_zero_pairs_distinct_and_not_ties(n: int, seed: int, data) -> None:
    ids = np.arange(100, 100 + n, dtype=np.int64)
    ties = {(int(ids[0]), int(ids[1])), (int(ids[2]), int(ids[4]))}
    k = data.draw(st.integers(0, n * (n - 1) // 2 - len(ties)))
    i, j = h5.sampled_pairs(ids, ties, k, seed)
    pairs = set(zip(ids[i].tolist(), ids[j].tolist(), strict=True))
    assert len(pairs) == k
    assert (i < j).all()
    assert not pairs & ties
    again = h5.sampled_pairs(ids, ties, k, seed)
    assert np.array_equal(again[0], i) and np.array_equal(again[1], j)  # deterministic


def test_all_cities_frame_keeps_every_tie_and_samples_zeros() -> None:
    ids = list(range(1, 41))
    ties = [(i, i + 1) for i in range(1, 40, 2)] + [(2, 1)]  # (1, 2) listed in both orders
    t = _tables(ids, ["AAA", "BBB"] * 20, ties)
    out = h5.build_h5_dyads_all(t)
    assert int(out["tie"].sum()) == 20
    assert int((out["tie"] == 0).sum()) == h5.ZERO_RATIO * 20
    assert not out.duplicated(["city_a", "city_b"]).any()
    assert (out.loc[out["tie"] == 0, "sample_weight"] > 1).all()


# ---------------------------------------------------------------------------- planted effect

SPEC = load_spec(Path(__file__).resolve().parents[1] / "config/models/h5.yaml")
MODELS = {m.name: m for m in SPEC.models}


@pytest.mark.parametrize(
    ("model", "link", "seed"), [("dy_gawc", "log", 2), ("dy_gawc_logit", "logit", 1)]
)
def test_dyadic_model_recovers_planted_effects(model: str, link: str, seed: int) -> None:
    p = S.h5_dyads(seed=seed, link=link)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_model(p.frame, MODELS[model])
    tidy = res.tidy().set_index("term")
    for term in ("complementarity", "log_dist_km", "log_trade"):
        row = tidy.loc[term]
        assert row["ci_low"] <= p.truth[term] <= row["ci_high"], term
    assert tidy.loc["complementarity", "p_value"] < 0.005  # the focal term is detected


def test_synthetic_dyads_deterministic() -> None:
    a, b = S.h5_dyads(n_cities=60, seed=3), S.h5_dyads(n_cities=60, seed=3)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert len(a.frame) == 60 * 59 // 2


def test_dyad_power_reports_pairs_ties_and_mde() -> None:
    p = S.h5_dyads(n_cities=120, seed=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_model(p.frame, MODELS["dy_gawc"])
    out = h5.dyad_power(SPEC, {"dy_gawc": res}).set_index("model")
    row = out.loc["dy_gawc"]
    assert row["term"] == "complementarity"
    assert row["mde"] == pytest.approx(h5.MDE_FACTOR * row["std_error"])
    assert row["n_pairs"] == res.fit.n_obs
    assert row["n_ties"] == int(p.frame.loc[res.fit.used, "tie"].sum())
    assert row["fixed_effects"] == "city_a+city_b"


def _sampled_pairs_by_loop(ids, ties, n_zero, seed):
    """The draw-by-draw definition the array version must reproduce exactly."""
    n = len(ids)
    rng = np.random.default_rng(seed)
    chosen: dict[tuple[int, int], None] = {}
    while len(chosen) < n_zero:
        draw = rng.integers(0, n, size=(2 * (n_zero - len(chosen)) + 16, 2))
        for i, j in draw:
            if i == j:
                continue
            lo, hi = (int(i), int(j)) if i < j else (int(j), int(i))
            if (int(ids[lo]), int(ids[hi])) in ties or (lo, hi) in chosen:
                continue
            chosen[(lo, hi)] = None
            if len(chosen) == n_zero:
                break
    pos = np.array(sorted(chosen), dtype=np.int32).reshape(-1, 2)
    return pos[:, 0], pos[:, 1]


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 30), st.integers(0, 10**6), st.data())
def test_sampled_pairs_equal_the_draw_by_draw_loop(n: int, seed: int, data) -> None:
    ids = np.array(sorted(data.draw(st.sets(st.integers(1, 10**7), min_size=n, max_size=n))))
    pick = st.sampled_from(ids.tolist())
    ties = data.draw(st.sets(st.tuples(pick, pick), max_size=8))  # any order, self-ties too
    ties |= {(7 * 10**7, int(ids[0]))}  # a tie with a city outside `ids`
    hit = {(min(a, b), max(a, b)) for a, b in ties if a != b and a < b}
    k = data.draw(st.integers(0, n * (n - 1) // 2 - len(hit)))
    got = h5.sampled_pairs(ids, ties, k, seed) if k <= n * (n - 1) // 2 - len(ties) else None
    if got is None:
        return  # the size check counts every listed tie; the loop would not stop either
    want = _sampled_pairs_by_loop(ids, ties, k, seed)
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    assert got[0].dtype == want[0].dtype == np.int32
