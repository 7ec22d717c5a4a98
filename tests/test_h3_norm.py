"""H3 norm enforcement: frame builders on small synthetic tables and the pre-trend Wald test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.core.errors import PipelineError
from analysis.hypotheses import h3_norm as H
from analysis.hypotheses.h1_acts import UnknownActError
from analysis.models.estimate import fit_model
from analysis.models.spec import ModelSpec

YEARS = range(2010, 2024)

# country -> (oecd_member, v2x_regime, v2x_polyarchy, gdp_pc_usd, paris_outside by year)
COUNTRIES = {
    "USA": (1, 3, 0.88, 58_000.0, lambda y: int(y == 2015 or 2017 <= y <= 2020)),
    "DEU": (1, 3, 0.89, 42_000.0, lambda y: int(y <= 2016)),
    "MEX": (1, 2, 0.64, 9_000.0, lambda y: int(y <= 2016)),
    "TUR": (1, 1, 0.30, 11_000.0, lambda y: int(y <= 2020)),
    "BRA": (0, 2, 0.70, 9_000.0, lambda y: int(y <= 2016)),
}
# city_id -> (country, admin1_code, geonames_pop)
CITIES = {
    1: ("USA", "US.CA", 400_000),
    2: ("USA", "US.NY", 80_000),
    3: ("USA", "US.TX", 20_000),  # below the size threshold
    11: ("DEU", "DE.01", 300_000),
    12: ("DEU", "DE.02", 60_000),
    21: ("MEX", "MX.01", 900_000),
    31: ("TUR", "TR.01", 500_000),
    32: ("TUR", "TR.02", 70_000),
    41: ("BRA", "BR.01", 1_000_000),
    42: ("BRA", "BR.02", 200_000),
}

MIN_POP = 50_000  # config models.universe.h3_min_population


def city_year() -> pd.DataFrame:
    rows = []
    for cid, (iso, adm, pop) in CITIES.items():
        oecd, regime, poly, gdp, paris = COUNTRIES[iso]
        for y in YEARS:
            rows.append(
                {
                    "city_id": cid,
                    "year": y,
                    "city_name": f"city{cid}",
                    "country_iso3": iso,
                    "admin1_code": adm,
                    "geonames_pop": pop,
                    "log_pop": float(np.log(pop)),
                    "paris_outside": paris(y) if y >= 2015 else pd.NA,
                    "nuclear_weapons_state": int(iso == "USA"),
                    "nato_member": int(iso in ("USA", "DEU", "TUR")),
                    "v2x_regime": regime,
                    "v2x_polyarchy": poly,
                    "oecd_member": float(oecd),
                    "gdp_pc_usd": gdp,
                }
            )
    out = pd.DataFrame(rows)
    out["paris_outside"] = out["paris_outside"].astype("Int8")
    return out


ACT_ROWS = [
    # (city_id, act, year)
    (1, "cdp_disclosure", 2016),
    (1, "cdp_disclosure", 2018),
    (2, "cdp_disclosure", 2018),
    (11, "cdp_disclosure", 2016),
    (12, "cdp_disclosure", 2021),
    (1, "climate_emergency_declaration", 2019),
    (1, "climate_emergency_declaration", 2020),  # a second declaration: not a first commitment
    (11, "climate_emergency_declaration", 2019),
    (11, "gcom_adhesion", 2012),  # adhered before the hazard window: never at risk
    (12, "network_adhesion:climate_alliance", 2018),
    (12, "gcom_adhesion", 2020),  # later than the first adhesion: ignored
    (31, "gcom_adhesion", 2019),
    (41, "gcom_adhesion", 2018),  # BRA enters the reach only in the window
    (2, "twinning_tie", 2000),  # not a climate act
]


def acts() -> pd.DataFrame:
    a = pd.DataFrame(ACT_ROWS, columns=["city_id", "act", "year"])
    a.insert(0, "act_id", range(1, len(a) + 1))
    a["year"] = a["year"].astype("Int64")
    a["date"] = pd.to_datetime(a["year"].astype(str) + "-07-01")
    a["source"] = "test"
    return a


def memberships() -> pd.DataFrame:
    return pd.DataFrame(
        {"city_id": [1, 1, 11], "network": ["we_are_still_in", "climate_mayors", "c40"]}
    )


@pytest.fixture(scope="module")
def event() -> pd.DataFrame:
    return H.build_event_panel(city_year(), acts(), memberships(), min_population=MIN_POP)


@pytest.fixture(scope="module")
def hazard() -> pd.DataFrame:
    return H.build_hazard_panel(city_year(), acts(), min_population=MIN_POP)


def cell(df: pd.DataFrame, city: int, year: int, col: str):
    return df.loc[(df["city_id"] == city) & (df["year"] == year), col].item()


# --------------------------------------------------------------------------- event time


def test_rel_names_round_trip():
    for k in range(-6, 7):
        assert H.rel_of(H.rel_name(k)) == k
    assert H.rel_name(-3) == "rel_m3" and H.rel_name(0) == "rel_p0"
    assert H.rel_of("us_post") is None and H.rel_of("rel_x1") is None


def test_event_time_dummies_and_reference_omitted():
    f = pd.DataFrame({"year": list(range(2012, 2023)) * 2, "t": [1] * 11 + [0] * 11})
    out = H.add_event_time(f, treated_col="t", event_year=2017)
    dummies = [c for c in out.columns if H.rel_of(c) is not None]
    assert dummies == [H.rel_name(k) for k in range(-5, 6) if k != -1]
    assert "rel_m1" not in out.columns
    treated = out[out["t"] == 1].set_index("year")
    for y in range(2012, 2023):
        row = treated.loc[y, dummies]
        k = y - 2017
        assert row.sum() == (0 if k == -1 else 1)
        if k != -1:
            assert row[H.rel_name(k)] == 1
    assert treated["rel_time"].tolist() == list(range(-5, 6))
    control = out[out["t"] == 0]
    assert (control[dummies].to_numpy() == 0).all()
    assert control["rel_time"].isna().all()


def test_event_time_binned_ends():
    f = pd.DataFrame({"year": list(range(2010, 2024)), "t": 1})
    out = H.add_event_time(f, treated_col="t", event_year=2017, min_rel=-4, max_rel=3)
    dummies = [c for c in out.columns if H.rel_of(c) is not None]
    assert dummies == ["rel_m4", "rel_m3", "rel_m2", "rel_p0", "rel_p1", "rel_p2", "rel_p3"]
    by = out.set_index("year")
    assert by.loc[2010:2013, "rel_m4"].eq(1).all() and by.loc[2014:, "rel_m4"].eq(0).all()
    assert by.loc[2020:2023, "rel_p3"].eq(1).all() and by.loc[:2019, "rel_p3"].eq(0).all()
    assert by.loc[2016, dummies].sum() == 0  # the reference year


def test_event_time_errors():
    f = pd.DataFrame({"year": [2018, 2019], "t": [1, 1]})
    with pytest.raises(PipelineError, match="reference period"):
        H.add_event_time(f, treated_col="t", event_year=2017)
    with pytest.raises(PipelineError, match="missing column"):
        H.add_event_time(f, treated_col="treated", event_year=2017)


# --------------------------------------------------------------------------- event frame


def test_control_countries():
    comp = H.control_countries(city_year()).set_index("country_iso3")
    assert comp.loc["USA", "group"] == "US"
    assert comp.loc["DEU", "group"] == "control"
    assert comp.loc["MEX", "group"] == "excluded" and "GDP" in comp.loc["MEX", "excluded_reason"]
    assert comp.loc["TUR", "group"] == "excluded"
    assert "democracy" in comp.loc["TUR", "excluded_reason"]
    assert "BRA" not in comp.index  # not an OECD member


def test_event_panel_rows_and_treatment(event):
    assert not event.duplicated(["city_id", "year"]).any()
    assert set(event["year"]) == set(range(H.FIRST_YEAR, H.LAST_YEAR + 1))
    assert set(event["city_id"]) == {1, 2, 11, 12, 21, 31, 32}  # >= 50k, OECD members
    design = event[event["in_design"] == 1]
    assert set(design["country_iso3"]) == {"USA", "DEU"}
    assert "rel_m1" not in event.columns
    assert cell(event, 1, 2016, "rel_time") == -1
    assert cell(event, 1, 2019, "rel_p2") == 1 and cell(event, 11, 2019, "rel_p2") == 0
    assert cell(event, 2, 2016, "us_post") == 0 and cell(event, 2, 2017, "us_post") == 1


def test_event_panel_outcomes_respect_coverage(event):
    # CDP years are those with any CDP act (2016, 2018, 2021): other years are missing.
    assert cell(event, 1, 2016, "cdp_disclosure") == 1
    assert np.isnan(cell(event, 1, 2017, "cdp_disclosure"))
    assert cell(event, 2, 2016, "cdp_disclosure") == 0
    assert np.isnan(cell(event, 2, 2022, "cdp_disclosure"))
    assert event.attrs["cdp_years"] == [2016, 2018, 2021]
    # First-time disclosure and the 2016 discloser flag.
    assert cell(event, 1, 2018, "cdp_first") == 0 and cell(event, 2, 2018, "cdp_first") == 1
    assert cell(event, 1, 2016, "cdp_2016") == 1 and cell(event, 2, 2021, "cdp_2016") == 0
    # CEDAMIA: first declaration only; covered 2016-2023.
    assert cell(event, 1, 2019, "cedamia") == 1 and cell(event, 1, 2020, "cedamia") == 0
    assert cell(event, 11, 2019, "cedamia") == 1
    assert cell(event, 2, 2023, "cedamia") == 0
    # Composite: missing where CDP is missing.
    assert cell(event, 1, 2018, "climate_events") == 1
    assert np.isnan(cell(event, 1, 2019, "climate_events"))
    # Undated snapshot flags: US rows only.
    assert cell(event, 1, 2018, "member_we_are_still_in") == 1
    assert cell(event, 2, 2018, "member_climate_mayors") == 0
    assert np.isnan(cell(event, 11, 2018, "member_we_are_still_in"))


def test_event_panel_errors_on_missing_columns():
    with pytest.raises(PipelineError, match="admin1_code"):
        H.build_event_panel(
            city_year().drop(columns="admin1_code"), acts(), memberships(), min_population=MIN_POP
        )
    with pytest.raises(PipelineError, match="act"):
        H.build_event_panel(
            city_year(), acts().drop(columns="act"), memberships(), min_population=MIN_POP
        )
    with pytest.raises(PipelineError, match="network"):
        H.build_event_panel(
            city_year(), acts(), memberships().drop(columns="network"), min_population=MIN_POP
        )
    with pytest.raises(PipelineError, match="reference year"):
        H.build_event_panel(
            city_year(), acts(), memberships(), first_year=2018, min_population=MIN_POP
        )


def test_unknown_act_stops():
    bad = acts()
    bad.loc[0, "act"] = "mystery_act"
    with pytest.raises(UnknownActError):
        H.build_event_panel(city_year(), bad, memberships(), min_population=MIN_POP)
    with pytest.raises(UnknownActError):
        H.build_hazard_panel(city_year(), bad, min_population=MIN_POP)


# --------------------------------------------------------------------------- hazard frame


def test_hazard_at_risk_set_ends_at_first_adhesion(hazard):
    assert not hazard.duplicated(["city_id", "year"]).any()
    c12 = hazard[hazard["city_id"] == 12].set_index("year")
    assert list(c12.index) == [2016, 2017, 2018]  # first adhesion 2018 (Climate Alliance)
    assert c12["adhesion"].tolist() == [0, 0, 1]
    c31 = hazard[hazard["city_id"] == 31].set_index("year")
    assert list(c31.index) == [2016, 2017, 2018, 2019] and c31["adhesion"].sum() == 1
    assert 11 not in set(hazard["city_id"])  # adhered in 2012: never at risk
    assert hazard.attrs["cities_adhered_before_window"] == 1
    c32 = hazard[hazard["city_id"] == 32]  # never adhered: every year, all zeros
    assert len(c32) == len(range(H.FIRST_YEAR, H.LAST_YEAR + 1)) and c32["adhesion"].eq(0).all()
    assert set(hazard.groupby("city_id")["adhesion"].sum()) <= {0.0, 1.0}


def test_hazard_universe_and_covariates(hazard):
    # US cities: no adhesion source reaches the US; MEX likewise; city 3 below 50k.
    assert not hazard["country_iso3"].isin(["USA", "MEX"]).any()
    reach = hazard.groupby("country_iso3")["in_reach_pre"].first()
    assert reach["DEU"] == 1 and reach["BRA"] == 0  # BRA's first adhesion is 2018
    assert cell(hazard, 31, 2019, "paris_outside") == 1
    assert cell(hazard, 32, 2021, "paris_outside") == 0
    assert np.isclose(cell(hazard, 32, 2021, "log_gdp_pc"), np.log(11_000.0))


def test_hazard_errors_on_missing_columns():
    with pytest.raises(PipelineError, match="v2x_polyarchy"):
        H.build_hazard_panel(
            city_year().drop(columns="v2x_polyarchy"), acts(), min_population=MIN_POP
        )
    with pytest.raises(PipelineError, match="year"):
        H.build_hazard_panel(city_year(), acts().drop(columns="year"), min_population=MIN_POP)


# --------------------------------------------------------------------------- Wald test


def test_wald_test_known_values():
    b = pd.Series([1.0, 2.0, 5.0], index=["a", "b", "c"])
    V = pd.DataFrame(np.eye(3), index=b.index, columns=b.index)
    chi = H.wald_test(b, V, ["a", "b"])
    assert chi["chi2"] == pytest.approx(5.0) and chi["df1"] == 2
    assert chi["p_value"] == pytest.approx(np.exp(-2.5))
    f = H.wald_test(b, V, ["a", "b"], df_resid=30)
    assert f["F"] == pytest.approx(2.5)
    assert f["p_value"] == pytest.approx(stats.f.sf(2.5, 2, 30))
    with pytest.raises(PipelineError):
        H.wald_test(b, V, ["zz"])


def _panel(pretrend: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_cities, years = 120, np.arange(2011, 2022)
    d = pd.DataFrame(
        {"city_id": np.repeat(np.arange(n_cities), len(years)), "year": np.tile(years, n_cities)}
    )
    d["treated"] = (d["city_id"] < n_cities // 3).astype(float)
    d = H.add_event_time(d, treated_col="treated", event_year=2017, min_rel=-4, max_rel=4)
    rel = (d["year"] - 2017).where(d["treated"] == 1, 0)
    city_fe = rng.normal(size=n_cities)[d["city_id"]]
    year_fe = rng.normal(size=len(years))[d["year"] - years[0]] * 0.5
    effect = np.where((d["treated"] == 1) & (rel >= 0), 0.4, 0.0)
    lead = np.where((d["treated"] == 1) & (rel < -1), pretrend * (rel + 1), 0.0)
    d["y"] = city_fe + year_fe + effect + lead + rng.normal(size=len(d)) * 0.3
    return d


def _event_spec() -> ModelSpec:
    terms = [c for c in ("rel_m4", "rel_m3", "rel_m2", *(f"rel_p{k}" for k in range(5)))]
    return ModelSpec(
        name="es",
        label="es",
        outcome="y",
        regressors=terms,
        fixed_effects=["city_id", "year"],
        estimator="ols",
        vcov={"type": "cluster", "by": ["city_id"]},
    )


def test_pretrend_test_no_pretrend_large_p():
    res = fit_model(_panel(0.0, seed=3), _event_spec())
    row = H.pretrend_test(res)
    assert row["n_leads"] == 3 and row["leads"] == "rel_m4 rel_m3 rel_m2"
    assert row["test"] == "F(3, 119)"
    assert row["p_value"] > 0.10


def test_pretrend_test_planted_pretrend_small_p():
    res = fit_model(_panel(0.3, seed=3), _event_spec())
    row = H.pretrend_test(res)
    assert row["p_value"] < 1e-6
    es = H.event_study_table(None, {"es": res})  # type: ignore[arg-type]
    ref = es[es["rel_time"] == -1]
    assert len(ref) == 1 and ref["estimate"].item() == 0.0
    assert sorted(es["rel_time"]) == [-4, -3, -2, -1, 0, 1, 2, 3, 4]


def test_pretrend_test_without_leads_says_not_testable():
    spec = _event_spec().model_copy(update={"regressors": [f"rel_p{k}" for k in range(5)]})
    row = H.pretrend_test(fit_model(_panel(0.0, seed=5), spec))
    assert row["n_leads"] == 0 and np.isnan(row["p_value"])
    assert row["note"].startswith("not testable")
