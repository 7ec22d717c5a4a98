"""H4 alignment: frame builders on synthetic us_city tables, figure data on a tiny fit."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import figures
from analysis.core.errors import PipelineError
from analysis.hypotheses import h4_alignment as h4
from analysis.models.estimate import fit_hypothesis
from analysis.models.spec import check_columns, load_spec, validate_spec

ROOT = Path(__file__).resolve().parents[1]


def us_city(n: int = 8, seed: int = 0) -> pd.DataFrame:
    """`n` cities in n // 2 counties (two per county), county columns constant per county."""
    rng = np.random.default_rng(seed)
    county = np.arange(n) // 2
    states = np.array(["CA", "TX", "NY", "OH", "FL", "WA"])[county % 6]
    share = rng.uniform(0.3, 0.8, n // 2 + 1)[county]
    first = np.array([2008, pd.NA, 2018, pd.NA, 2019, 2006], dtype=object)[county % 6]
    parties = np.array(["D", "R", "I", None])[np.arange(n) % 4]
    pop = rng.uniform(5e4, 2e6, n)
    d = pd.DataFrame(
        {
            "city_id": np.arange(n) + 100,
            "city_name": [f"City {i}" for i in range(n)],
            "state": pd.array(states, dtype="str"),
            "county_fips": pd.array([f"{c:05d}" for c in county], dtype="str"),
            "county_name": pd.array([f"County {c}" for c in county], dtype="str"),
            "city_population": pop,
            "log_city_population": np.log(pop),
            "dem_share_2012": share - 0.02,
            "dem_share_2016": share,
            "dem_share_2020": share + 0.01,
            "county_foreignborn_pct": (10 + county).astype(float),
            "county_hispanic_pct": (20 + county).astype(float),
            "mayor_party": pd.array(parties, dtype="str"),
            "mayor_party_source": pd.array(
                ["mayors_dbk" if p else None for p in parties], dtype="str"
            ),
            "mayor_party_as_of": pd.array(
                [2013 + i % 4 if p else None for i, p in enumerate(parties)], dtype="Int64"
            ),
            "mayor_party_stale": pd.array(
                [i % 8 == 1 if p else None for i, p in enumerate(parties)], dtype="boolean"
            ),
            "mayor_dem_margin": np.where(np.arange(n) % 4 == 0, 0.1, -0.1),
            "sanctuary_first_year": pd.array(
                np.array([pd.NA, 2014, pd.NA, 2018], dtype=object)[np.arange(n) % 4],
                dtype="Int64",
            ),
            "dem_mayor_2017": pd.array(
                [1 if p == "D" else 0 if p else None for p in parties], dtype="Int8"
            ),
            "dem_county_2016": pd.array((share > 0.5).astype(int), dtype="Int8"),
            "alignment_cell": pd.array([None] * n, dtype="str"),
            "member_climate_mayors": (np.arange(n) % 3 == 0).astype("int8"),
            "member_we_are_still_in": (np.arange(n) % 2 == 0).astype("int8"),
            "n_networks": np.arange(n) % 5,
            "nae_legal_support": np.where(np.arange(n) < 4, 3.0, np.nan),
            "county_287g": pd.array([0 if f is pd.NA else 1 for f in first], dtype="int8"),
            "county_287g_first_year": pd.array(first, dtype="Int64"),
            "county_ice_detainers": pd.array(100 + county, dtype="Int64"),
            "county_detainer_noncompliance": pd.array(0.1 + 0.05 * county, dtype="Float64"),
        }
    )
    return d


def memberships(city_ids) -> pd.DataFrame:
    a, b = city_ids[0], city_ids[1]
    return pd.DataFrame(
        {
            "city_id": [a, a, a, a, a, a, b],
            "network": ["climate_mayors", "cdp", "cdp", "icp", "c40", "iclei", "gcom"],
            "network_type": [
                "climate",
                "climate",
                "climate",
                "peace",
                "climate",
                "climate",
                "climate",
            ],
            "network_scope": [
                "national_programme",
                "reporting_platform",
                "reporting_platform",
                "transnational",
                "transnational",
                "transnational",
                "transnational",
            ],
            "source": ["s1", "s1", "s2", "s1", "s1", "s1", "s1"],
        }
    )


def tables(n: int = 8, seed: int = 0) -> dict[str, pd.DataFrame]:
    us = us_city(n, seed)
    return {"us_city": us, "memberships": memberships(us["city_id"].tolist())}


def test_cities_frame_derives_partisanship_and_counts():
    t = tables()
    c = h4.build_h4_cities(t)
    assert len(c) == 8 and c["city_id"].is_unique
    # D -> 1, R -> 0, independents and unknown mayors missing (unlike dem_mayor_2017)
    by_party = dict(zip(c["mayor_party"].fillna("?"), c["dem_mayor"], strict=True))
    assert by_party["D"] == 1.0 and by_party["R"] == 0.0
    assert np.isnan(by_party["I"]) and np.isnan(by_party["?"])
    assert c["partisan_mayor"].tolist() == [1.0, 1.0, 0.0, 0.0] * 2
    np.testing.assert_allclose(c["dem10_2016"], 10 * (c["dem_share_2016"] - 0.5))
    np.testing.assert_allclose(c["dem10_2020"], 10 * (c["dem_share_2020"] - 0.5))
    assert set(c["census_region"]) <= set(h4.CENSUS_REGIONS)
    assert c.loc[c["state"] == "TX", "census_region"].eq("South").all()
    # distinct transnational climate networks (the BU definition): c40 and iclei count;
    # Climate Mayors (the outcome, national) and CDP (reporting) do not; icp is peace
    counts = dict(zip(c["city_id"], c["n_climate_networks"], strict=True))
    assert counts[100] == 2.0 and counts[101] == 1.0 and counts[102] == 0.0
    assert c["member_climate_mayors"].dtype == float
    # partisan and not stale (city 101 is a stale Republican record)
    assert c["fresh_mayor"].tolist() == [1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0]
    # hazards over 2017-2020: at risk without an earlier act, event when the first is 2017-2020
    assert c["at_risk_sanctuary_2017"].tolist() == [1.0, 0.0, 1.0, 1.0] * 2
    assert c["adopt_sanctuary_2017"].tolist() == [0.0, 0.0, 0.0, 1.0] * 2
    first = c["county_287g_first_year"]
    assert (c["adopt_287g_2017"] == first.between(2017, 2020).fillna(False).astype(float)).all()
    assert (c.loc[first < 2017, "at_risk_287g_2017"] == 0).all()


def test_census_region_covers_every_state_once():
    codes = [s for states in h4.CENSUS_REGIONS.values() for s in states.split(" ")]
    assert len(codes) == len(set(codes)) == 51
    assert h4.census_region(pd.Series(["PR"], dtype="str")).isna().all()


@pytest.mark.parametrize(
    ("builder", "drop"),
    [
        (h4.build_h4_cities, "mayor_party"),
        (h4.build_h4_counties, "county_287g_first_year"),
        (h4.build_h4_county_periods, "dem_share_2016"),
    ],
)
def test_missing_column_is_named(builder, drop):
    t = tables()
    t["us_city"] = t["us_city"].drop(columns=drop)
    with pytest.raises(PipelineError, match=drop):
        builder(t)


def test_missing_membership_column_is_named():
    t = tables()
    t["memberships"] = t["memberships"].drop(columns="network_type")
    with pytest.raises(PipelineError, match="network_type"):
        h4.build_h4_cities(t)


def test_counties_frame_one_row_per_county():
    t = tables()
    c = h4.build_h4_counties(t)
    assert len(c) == 4 and c["county_fips"].is_unique
    assert (c["n_cities"] == 2).all()
    us = t["us_city"]
    want = np.log(us.groupby("county_fips")["city_population"].sum()).to_numpy()
    np.testing.assert_allclose(c["log_city_pop_sum"], want)
    assert c["county_detainer_noncompliance"].dtype == float


def test_counties_frame_refuses_county_columns_that_vary():
    t = tables()
    t["us_city"].loc[0, "dem_share_2016"] = 0.99
    with pytest.raises(PipelineError, match="dem_share_2016"):
        h4.build_h4_counties(t)


def test_county_periods_risk_set():
    t = tables(12)
    p = h4.build_h4_county_periods(t).set_index(["county_fips", "period"])
    first = h4.build_h4_counties(t).set_index("county_fips")["county_287g_first_year"]
    pre, post = "2005-2016", "2017-2020"
    for fips, year in first.items():
        assert p.loc[(fips, pre), "trump_era"] == 0.0
        if pd.isna(year):  # never adopted: at risk in both periods, never adopts
            assert p.loc[(fips, pre), "adopt_287g"] == 0 and p.loc[(fips, post), "adopt_287g"] == 0
        elif year < 2017:  # adopted before Trump: leaves the risk set
            assert p.loc[(fips, pre), "adopt_287g"] == 1 and (fips, post) not in p.index
        else:
            assert p.loc[(fips, pre), "adopt_287g"] == 0 and p.loc[(fips, post), "adopt_287g"] == 1
            assert p.loc[(fips, post), "trump_era"] == 1.0
    assert not p.index.duplicated().any()


def test_county_periods_refuse_years_outside_the_data():
    t = tables()
    t["us_city"]["county_287g_first_year"] = pd.array([2023] * 8, dtype="Int64")
    with pytest.raises(PipelineError, match="after 2020"):
        h4.build_h4_county_periods(t)


def test_spec_columns_exist_in_the_frames():
    spec = load_spec(ROOT / "config/models/h4.yaml")
    frames = {name: h4.FRAMES[name].build(tables()) for name in spec.frames}
    check_columns(spec, {n: set(f.columns) for n, f in frames.items()})
    labelled = set(spec.labels)
    for m in spec.models:
        assert set(m.terms) <= labelled, m.name
        assert m.outcome in labelled


def big_cities(n: int = 240, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"dem_mayor": rng.integers(0, 2, n).astype(float),
                      "dem_county": rng.integers(0, 2, n).astype(float),
                      "log_city_population": rng.normal(12, 1, n)})  # fmt: skip
    eta = -1 + d["dem_mayor"] + 0.8 * d["dem_county"] + 0.3 * (d["log_city_population"] - 12)
    d["member_climate_mayors"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    d["partisan_mayor"] = 1.0
    d["n_climate_networks"] = rng.poisson(1 + 3 * d["dem_mayor"]).astype(float)
    d["n_networks"] = d["n_climate_networks"] + 1
    d["state"] = np.array(["CA", "TX", "NY"])[np.arange(n) % 3]
    d["mayor_party"] = np.where(d["dem_mayor"] == 1, "D", "R")
    d["mayor_party_source"] = np.where(np.arange(n) % 2 == 0, "mayors_dbk", "us_mayors")
    d["mayor_party_as_of"] = 2010 + np.arange(n) % 7
    d["mayor_party_stale"] = (d["mayor_party_source"] == "mayors_dbk") & (
        d["mayor_party_as_of"] < 2013
    )
    # a close-election running variable with a planted jump in joining We Are Still In
    d["fresh_mayor"] = 1.0
    d["mayor_dem_margin"] = rng.uniform(-0.5, 0.5, n)
    d["member_we_are_still_in"] = (rng.random(n) < 0.2 + 0.5 * (d["mayor_dem_margin"] >= 0)).astype(
        float
    )
    return d


def tiny_spec():
    return validate_spec({
        "hypothesis": "h4", "title": "t", "frame": "h4_cities",
        "models": [{"name": "cm_cells_logit", "label": "cells", "outcome": "member_climate_mayors",
                    "regressors": ["dem_mayor", "dem_county", "dem_mayor:dem_county"],
                    "controls": ["log_city_population"], "estimator": "logit",
                    "vcov": {"type": "hc1"}}],
    })  # fmt: skip


def test_figure_data_alignment_cells_and_bu_comparison(tmp_path):
    spec, frame = tiny_spec(), big_cities()
    frames = {"h4_cities": frame}
    _, _, results = fit_hypothesis(frames, spec)
    out = h4.figure_data(spec, frames, results)
    cells = out["alignment_cells"]
    assert cells["category"].tolist() == [c for c, _, _ in h4.CELLS]
    assert ((cells["ci_low"] <= cells["estimate"]) & (cells["estimate"] <= cells["ci_high"])).all()
    assert cells["n"].sum() == len(frame)
    dd = frame[(frame["dem_mayor"] == 1) & (frame["dem_county"] == 1)]
    assert (
        cells.loc[0, "n"] == len(dd)
        and cells.loc[0, "members"] == dd["member_climate_mayors"].sum()
    )
    bu = out["bu_comparison"].set_index("mayor_party")
    want = frame.groupby("dem_mayor")["n_climate_networks"].mean()
    assert bu.loc["Democratic", "mean_climate_networks"] == pytest.approx(want[1.0])
    assert bu.loc["Republican", "mean_climate_networks"] == pytest.approx(want[0.0])
    assert bu["definition"].eq(h4.BU_DEFINITION).all() and "transnational" in h4.BU_DEFINITION
    assert bu.loc["Democratic", "n_cities"] == (frame["dem_mayor"] == 1).sum()
    diff = bu.loc["Difference (Democratic - Republican)"]
    assert diff["mean_climate_networks"] == pytest.approx(want[1.0] - want[0.0])
    assert diff["ci_low"] < diff["mean_climate_networks"] < diff["ci_high"]
    # MDE = (1.96 + 0.84) SE for the focal term and the cell terms
    mde = out["mde"].set_index("term")
    assert mde.loc["dem_mayor", "focal"] and not mde.loc["dem_county", "focal"]  # no focal: first
    assert mde["mde"].to_numpy() == pytest.approx(2.8 * mde["std_error"].to_numpy())
    # the RD finds the planted jump in WASI and reports bandwidth, effective N, density test
    assert set(out["rd"]["sample"]) == set(h4.RD_SAMPLES)
    rd = out["rd"][out["rd"]["sample"] == h4.RD_MAIN].set_index("outcome")
    assert set(rd.index) == set(h4.RD_OUTCOMES)
    wasi = rd.loc["member_we_are_still_in"]
    assert wasi["ci_low_robust"] < 0.5 < wasi["ci_high_robust"] and wasi["estimate"] > 0.2
    assert 0 < wasi["n_eff_left"] <= wasi["n_left"] and 0 < wasi["density_p"] <= 1
    src = out["mayor_sources"].set_index("source")
    assert src["n_cities"].sum() == len(frame) and src.loc["us_mayors", "n_stale"] == 0
    assert src.loc["mayors_dbk", "n_stale"] == frame["mayor_party_stale"].sum()
    # the figures render from the CSVs alone
    fig = tmp_path / "figdata"
    fig.mkdir()
    for name in ("alignment_cells", "rd", "rd_bins", "rd_fit"):
        out[name].to_csv(fig / f"{name}.csv", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in ("h4_alignment_cells", "h4_rd"):
            paths = h4.FIGURES[name](tmp_path, tmp_path / name, figures)
            assert all(p.is_file() and p.stat().st_size > 0 for p in paths)


def test_figure_data_needs_the_cells_model():
    spec = tiny_spec()
    with pytest.raises(PipelineError, match="cm_cells_logit"):
        h4.figure_data(spec, {"h4_cities": big_cities()}, {})
