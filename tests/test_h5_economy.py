"""H5 economy: frame builders on synthetic city_year tables, figure data on a tiny fit."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import figures
from analysis.core.errors import PipelineError
from analysis.hypotheses import h5_economy as h5
from analysis.hypotheses.cross_section import H2_YEAR
from analysis.models.estimate import fit_hypothesis
from analysis.models.spec import check_columns, load_spec, validate_spec

ROOT = Path(__file__).resolve().parents[1]


def city_year(n: int = 10, seed: int = 0) -> pd.DataFrame:
    """`n` cities in 2020 (plus one 2019 row that must be ignored); every third is Chinese."""
    rng = np.random.default_rng(seed)
    china = np.arange(n) % 3 == 0
    gawc = rng.uniform(100, 50_000, n)
    gawc[-1] = np.nan  # one non-GaWC city
    sister = rng.poisson(np.where(china, 12, 6), n)
    nets = rng.poisson(np.where(china, 0.5, 4), n)
    sister[1], nets[1] = 0, 0  # a city with no ties at all
    d = pd.DataFrame(
        {
            "city_id": np.arange(n) + 1000,
            "year": H2_YEAR,
            "city_name": pd.array([f"City {i}" for i in range(n)], dtype="str"),
            "country_iso3": pd.array(
                np.where(china, "CHN", np.where(np.arange(n) % 2, "USA", "DEU")), dtype="str"
            ),
            "admin1_code": pd.array([f"R{i % 4}" for i in range(n)], dtype="str"),
            "n_networks": nets,
            "n_networks_transnational": nets - (nets > 0),  # H2's outcome; fewer than all
            "sister_city_degree": sister,
            "gawc_gnc_2020": gawc,
            "gawc_gnc_2020_prop": gawc / np.nanmax(gawc),
            "lat": rng.uniform(-40, 60, n),
            "lon": rng.uniform(-120, 140, n),
            "gawc_rank_2020": pd.Series(gawc).rank(ascending=False).to_numpy(),
            "gawc_gnc_2000": np.nan,
            "air_degree": rng.uniform(1e-4, 1e-2, n),
            "air_betweenness": rng.uniform(0, 1e-2, n),
            "air_eigenvector": rng.uniform(0, 0.1, n),
            "fortune500_hq_2017": np.where(np.arange(n) % 4 == 0, 2.0, np.nan),
            "foreign_missions_2022": np.nan,
            "log_pop": rng.normal(14, 1, n),
            "capital": (np.arange(n) == 2).astype(int),
            "gdp_pc_usd": np.where(china, 10_000.0, 50_000.0),
            "v2x_polyarchy": np.where(china, 0.07, 0.85),
            "v2x_regime": np.where(china, 0, 3),
        }
    )
    old = d.iloc[[0]].assign(year=H2_YEAR - 1, sister_city_degree=999)
    return pd.concat([d, old], ignore_index=True)


def tables(n: int = 10, seed: int = 0) -> dict[str, pd.DataFrame]:
    cy = city_year(n, seed)
    m = pd.DataFrame({"city_id": [1000, 1001], "network": ["c40", "iclei"],
                      "network_type": ["climate", "climate"], "source": ["s", "s"],
                      "network_scope": ["transnational", "transnational"],
                      "join_year": pd.array([2009, None], dtype="Int64"),
                      "first_observed_year": [2016, 2019]})  # fmt: skip
    ids = cy["city_id"].unique()
    dyads = pd.DataFrame({"city_a": ids[:-1], "city_b": ids[1:]})  # a chain of ties
    return {"city_year": cy, "memberships": m, "dyads": dyads, "country_pairs": country_pairs()}


def country_pairs() -> pd.DataFrame:
    """The three countries of `city_year`, all pairs; CHN-USA and DEU-USA trade."""
    return pd.DataFrame(
        {
            "iso3_a": ["CHN", "CHN", "DEU"],
            "iso3_b": ["DEU", "USA", "USA"],
            "dist_km": [7000.0, 11000.0, 6500.0],
            "contig": pd.array([0, 0, 0], dtype="Int64"),
            "comlang_off": pd.array([0, 0, 0], dtype="Int64"),
            "colony": pd.array([0, 0, 0], dtype="Int64"),
            "trade_in_panel": pd.array([1, 1, 1], dtype="Int64"),
            "trade_musd": [np.nan, 1500.0, 900.0],
        }
    )


def test_cities_frame_adds_tie_composition():
    c = h5.build_h5_cities(tables())
    assert len(c) == 10 and c["city_id"].is_unique  # the 2019 row is not in the frame
    assert (c["sister_city_degree"] < 999).all()
    np.testing.assert_allclose(c["total_ties"], c["sister_city_degree"] + c["n_tmn"])
    has = c["total_ties"] > 0
    np.testing.assert_allclose(
        c.loc[has, "bilateral_share"], c.loc[has, "sister_city_degree"] / c.loc[has, "total_ties"]
    )
    assert c.loc[~has, "bilateral_share"].isna().all() and (~has).sum() == 1
    assert c["china_mainland"].tolist() == [1.0 if i % 3 == 0 else 0.0 for i in range(10)]
    assert c["gawc_city"].sum() == 9
    np.testing.assert_allclose(c["log1p_gawc_gnc_2020"], np.log1p(c["gawc_gnc_2020"]))
    assert c["member_c40"].sum() == 1


def test_ties_frame_stacks_two_rows_per_city():
    c = h5.build_h5_cities(tables())
    s = h5.build_h5_ties(tables())
    assert len(s) == 2 * len(c)
    assert not s.duplicated(["city_id", "tie_type"]).any()
    bi = s[s["bilateral"] == 1].set_index("city_id")["ties"]
    net = s[s["bilateral"] == 0].set_index("city_id")["ties"]
    ci = c.set_index("city_id")
    pd.testing.assert_series_equal(bi, ci["sister_city_degree"], check_names=False)
    pd.testing.assert_series_equal(net, ci["n_tmn"], check_names=False)
    assert set(s.loc[s["bilateral"] == 1, "tie_type"]) == {"bilateral"}
    assert {"china_mainland", "admin1_code", "log_gdp_pc"} <= set(s.columns)


@pytest.mark.parametrize(
    ("table", "drop"),
    [("city_year", "sister_city_degree"), ("city_year", "admin1_code"),
     ("city_year", "n_networks"), ("city_year", "n_networks_transnational"),
     ("memberships", "join_year")],
)  # fmt: skip
def test_missing_column_is_named(table, drop):
    t = tables()
    t[table] = t[table].drop(columns=drop)
    with pytest.raises(PipelineError, match=drop):
        h5.build_h5_cities(t)


def test_negative_counts_are_refused():
    t = tables()
    t["city_year"].loc[3, "sister_city_degree"] = -1
    with pytest.raises(PipelineError, match="negative"):
        h5.build_h5_cities(t)


def test_spec_columns_exist_in_the_frames():
    spec = load_spec(ROOT / "config/models/h5.yaml")
    frames = {name: h5.FRAMES[name].build(tables()) for name in spec.frames}
    check_columns(spec, {n: set(f.columns) for n, f in frames.items()})
    for m in spec.models:
        assert set(m.terms) <= set(spec.labels), m.name
        assert m.outcome in spec.labels


def tiny_spec():
    base = {"estimator": "poisson", "controls": ["log_pop"], "vcov": {"type": "hc1"},
            "regressors": ["log1p_gawc_gnc_2020", "china_mainland"]}  # fmt: skip
    return validate_spec({
        "hypothesis": "h5", "title": "t", "frame": "h5_cities",
        "models": [
            {**base, "name": "sc_gawc", "label": "a", "outcome": "sister_city_degree",
             "regressors": ["log1p_gawc_gnc_2020"]},
            {**base, "name": "sc_china_main", "label": "b", "outcome": "sister_city_degree"},
            {**base, "name": "net_china", "label": "c", "outcome": "n_tmn"},
        ],
    })  # fmt: skip


def test_figure_data_top_cities_and_china_ties(tmp_path):
    frame = h5.build_h5_cities(tables(120, seed=4))
    frames = {"h5_cities": frame}
    spec = tiny_spec()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, _, results = fit_hypothesis(frames, spec)
    out = h5.figure_data(spec, frames, results)
    top = out["top_cities"]
    assert len(top) == results["sc_gawc"].fit.n_obs == 119  # the non-GaWC city has no score
    assert top["value"].is_monotonic_decreasing
    assert top.loc[0, "value"] == frame["sister_city_degree"].max()
    chinese = set(frame.loc[frame["china_mainland"] == 1, "city_id"])
    assert (top["highlight"] == top["city_id"].isin(chinese)).all()
    assert top["name"].str.endswith(")").all()
    ties = out["china_ties"]
    assert len(ties) == 4 and set(ties["china"]) == {"mainland China", "other"}
    assert ((ties["ci_low"] <= ties["estimate"]) & (ties["estimate"] <= ties["ci_high"])).all()
    # synthetic Chinese cities hold fewer networks: the prediction says so too
    net = ties[ties["outcome"] == "Networks held"].set_index("china")["estimate"]
    assert net["mainland China"] < net["other"]
    figdir = tmp_path / "figdata"
    figdir.mkdir()
    top.to_csv(figdir / "top_cities.csv", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        paths = h5.FIGURES["h5_top_cities"](tmp_path, tmp_path / "h5_top_cities", figures)
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)


def test_figure_data_needs_its_models():
    spec = tiny_spec()
    with pytest.raises(PipelineError, match="sc_gawc"):
        h5.figure_data(spec, {"h5_cities": pd.DataFrame()}, {})
