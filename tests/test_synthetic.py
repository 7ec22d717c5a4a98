"""Synthetic frames with planted effects (analysis.synthetic): determinism, shapes, and
recovery of every planted coefficient through the project's estimation layer (fit_model).

Recovery checks: each planted coefficient lies in the model's 95% interval, and the focal
effects are detected (right sign, p < 0.01). A 95% interval misses 5% of the time, so the
seeds are fixed (each check is then deterministic); `RECOVERY` is a registry so the same checks
can be swept over many seeds (:func:`recovery_z`), and `test_coverage_sanity` checks the
intervals' coverage over 20 seeds of a cheap design.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest

from analysis import synthetic as S
from analysis.models.estimate import FitResult, fit_model
from analysis.models.spec import ModelSpec, parse_term, term_columns

GAWC = S.GAWC
CHINA_TERMS = ["china_mainland", f"china_mainland:{GAWC}"]
H2_BASE = [GAWC, "log_pop", "capital", "log_gdp_pc", "v2x_polyarchy"]
COUNTRY = {"type": "cluster", "by": ["country_iso3"]}
ADMIN1 = {"type": "cluster", "by": ["admin1_code"]}
HC1 = {"type": "hc1"}


def spec(
    outcome: str,
    regressors: list[str],
    estimator: str,
    vcov: dict[str, Any],
    fixed_effects: list[str] | None = None,
    backend: str = "auto",
) -> ModelSpec:
    return ModelSpec(
        name="m",
        label="m",
        outcome=outcome,
        regressors=regressors,
        estimator=estimator,
        vcov=vcov,
        fixed_effects=fixed_effects or [],
        backend=backend,
    )


def fit(frame: pd.DataFrame, s: ModelSpec) -> FitResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # backends' convergence/deprecation chatter
        return fit_model(frame, s)


@dataclass
class Check:
    """Terms of one fit to hold against the truth; `detect` must also be significant."""

    name: str
    result: FitResult
    truth: dict[str, float]
    terms: list[str]
    detect: tuple[str, ...] = ()


def assert_recovered(c: Check) -> pd.DataFrame:
    tidy = c.result.tidy().set_index("term")
    for t in c.terms:
        est, se, lo, hi, p = tidy.loc[t, ["estimate", "std_error", "ci_low", "ci_high", "p_value"]]
        truth = c.truth[t]
        where = f"{c.name}: {t} truth {truth:.4g}, estimate {est:.4g} (SE {se:.3g})"
        assert lo <= truth <= hi, f"{where}: outside the 95% CI [{lo:.4g}, {hi:.4g}]"
        assert abs(est - truth) < 1.96 * se + 1e-12, where
        if t in c.detect:
            assert np.sign(est) == np.sign(truth) and p < 0.01, f"{where}: not detected (p={p:.3g})"
    return tidy


# ----------------------------------------------------------------------------- recovery registry
# Each case: seed -> the checks of one design. Seeds in SEEDS; sweep with recovery_z().


def h2_checks(seed: int) -> Iterator[Check]:
    p = S.h2_cities(seed=seed)
    f, t, c40 = p.frame, p.truths["n_networks"], p.truths["member_c40"]
    regs = H2_BASE + CHINA_TERMS
    # Country clusters for everything but the China terms (one cluster), which cluster by province.
    yield Check("poisson", fit(f, spec("n_networks", regs, "poisson", COUNTRY)), t, H2_BASE,
                detect=(GAWC, "log_pop"))  # fmt: skip
    yield Check("poisson/admin1", fit(f, spec("n_networks", regs, "poisson", ADMIN1)), t,
                CHINA_TERMS, detect=tuple(CHINA_TERMS))  # fmt: skip
    fe_regs = [GAWC, f"china_mainland:{GAWC}", "log_pop", "capital"]
    res = fit(f, spec("n_networks", fe_regs, "poisson", ADMIN1, ["country_iso3"]))
    assert res.fit.backend == "pyfixest"
    yield Check("poisson country FE", res, t, fe_regs, detect=(GAWC, f"china_mainland:{GAWC}"))
    yield Check("negbin", fit(f, spec("n_networks", regs, "negbin", COUNTRY)), t, H2_BASE,
                detect=(GAWC,))  # fmt: skip
    c40_regs = [GAWC, "china_mainland", "log_pop", "capital", "log_gdp_pc", "v2x_polyarchy"]
    yield Check("c40 logit", fit(f, spec("member_c40", c40_regs, "logit", COUNTRY)), c40,
                [r for r in c40_regs if r != "china_mainland"], detect=(GAWC,))  # fmt: skip
    yield Check("c40 logit/admin1", fit(f, spec("member_c40", c40_regs, "logit", ADMIN1)), c40,
                ["china_mainland"], detect=("china_mainland",))  # fmt: skip


def h1_checks(seed: int) -> Iterator[Check]:
    p = S.h1_defiance(seed=seed)
    regs = list(S.H1_DEFIANCE_TRUTH)
    res = fit(p.frame, spec("defiance_acts", regs, "poisson", COUNTRY, ["year"]))
    assert res.fit.backend == "pyfixest"
    yield Check("poisson year FE", res, p.truths["defiance_acts"], regs,
                detect=("v2x_polyarchy", "opportunity"))  # fmt: skip
    res = fit(p.frame, spec("any_defiance", regs, "logit", COUNTRY, ["year"]))
    assert res.fit.backend == "statsmodels"
    yield Check("logit year FE", res, p.truths["any_defiance"], regs, detect=("v2x_polyarchy",))
    comp = S.h1_composition(seed=seed)
    regs = list(S.H1_COMPOSITION_TRUTH)
    res = fit(comp.frame, spec("normative_share", regs, "fractional_logit", COUNTRY))
    yield Check("fractional logit", res, comp.truth, [r for r in regs if r != "china_mainland"],
                detect=("v2x_polyarchy",))  # fmt: skip
    res = fit(comp.frame, spec("normative_share", regs, "fractional_logit", ADMIN1))
    yield Check("fractional logit/admin1", res, comp.truth, ["china_mainland"])


def h3_checks(seed: int) -> Iterator[Check]:
    p = S.h3_event_study(seed=seed)
    regs = list(p.truth)
    post = tuple(r for r in regs if r.startswith("rel_p"))
    res = fit(p.frame, spec("engagement", regs, "ols", ADMIN1, ["city_id", "year"]))
    assert res.fit.backend == "pyfixest"
    yield Check("TWFE event study", res, p.truth, regs, detect=post)
    res = fit(p.frame, spec("climate_events", regs, "poisson", ADMIN1, ["city_id", "year"]))
    yield Check("Poisson TWFE event study", res, p.truths["climate_events"], regs, detect=post)


def h4_checks(seed: int) -> Iterator[Check]:
    p = S.h4_us_cities(seed=seed)
    regs = list(S.H4_TRUTH)
    state_fe = ["state"]
    res = fit(p.frame, spec("member_climate_mayors", regs, "logit", {"type": "cluster",
                                                                     "by": ["state"]}, state_fe))  # fmt: skip
    assert res.fit.backend == "statsmodels"
    yield Check("logit state FE", res, p.truth, regs,
                detect=("dem_share_2016:dem_mayor_2017", "log_city_population"))  # fmt: skip
    regs10 = ["dem10_2016", "dem_mayor", "dem_mayor:dem10_2016", *regs[3:]]
    res = fit(p.frame, spec("member_climate_mayors", regs10, "logit", HC1, state_fe))
    yield Check("logit state FE, dem10", res, p.truth, regs10[:3], detect=("dem_mayor",))


def h5_checks(seed: int) -> Iterator[Check]:
    p = S.h5_sister_cities(seed=seed)
    regs = list(S.H5_TRUTH)
    base = [r for r in regs if "china" not in r]
    res = fit(p.frame, spec("sister_city_degree", regs, "poisson", COUNTRY))
    yield Check("poisson", res, p.truth, base, detect=(GAWC, "log_pop"))
    res = fit(p.frame, spec("sister_city_degree", regs, "poisson", ADMIN1))
    yield Check("poisson/admin1", res, p.truth, CHINA_TERMS, detect=tuple(CHINA_TERMS))


RECOVERY: dict[str, Callable[[int], Iterator[Check]]] = {
    "h2": h2_checks,
    "h1": h1_checks,
    "h3": h3_checks,
    "h4": h4_checks,
    "h5": h5_checks,
}
SEEDS = {"h2": 0, "h1": 1, "h3": 0, "h4": 0, "h5": 0}  # robust: max |z| < 1.8, detections p < 0.005


def recovery_z(case: str, seeds: range) -> pd.DataFrame:
    """(estimate - truth) / SE of every checked term over `seeds`: for choosing robust seeds."""
    rows = []
    for seed in seeds:
        for c in RECOVERY[case](seed):
            tidy = c.result.tidy().set_index("term")
            for t in c.terms:
                z = (tidy.loc[t, "estimate"] - c.truth[t]) / tidy.loc[t, "std_error"]
                rows.append({"seed": seed, "check": c.name, "term": t, "z": z,
                             "p": tidy.loc[t, "p_value"], "detect": t in c.detect})  # fmt: skip
    return pd.DataFrame(rows)


@pytest.mark.parametrize("case", list(RECOVERY))
def test_planted_effects_recovered(case: str) -> None:
    checks = list(RECOVERY[case](SEEDS[case]))
    assert checks
    for c in checks:
        assert_recovered(c)


# ----------------------------------------------------------------------------- determinism, shape

SMALL: dict[str, Callable[[int], S.Planted]] = {
    "h2": lambda seed: S.h2_cities(n_cities=300, n_countries=20, seed=seed),
    "h1": lambda seed: S.h1_defiance(n_cities=100, n_countries=10, seed=seed),
    "h1_comp": lambda seed: S.h1_composition(n_cities=200, n_countries=10, seed=seed),
    "h3": lambda seed: S.h3_event_study(n_cities=100, seed=seed),
    "h4": lambda seed: S.h4_us_cities(n=200, seed=seed),
    "h5": lambda seed: S.h5_sister_cities(n=200, n_countries=20, seed=seed),
    "scale": lambda seed: S.scale_panel(5000, seed=seed),
}


@pytest.mark.parametrize("name", list(SMALL))
def test_deterministic(name: str) -> None:
    a, b, c = SMALL[name](7), SMALL[name](7), SMALL[name](8)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert a.truths == b.truths and a.truth == b.truth
    assert a.frame.shape == c.frame.shape and list(a.frame.columns) == list(c.frame.columns)
    assert not a.frame.equals(c.frame)
    assert not a.frame[a.outcome].equals(c.frame[c.outcome])


@pytest.mark.parametrize("name", list(SMALL))
def test_truth_names_spec_terms_of_the_frame(name: str) -> None:
    p = SMALL[name](0)
    assert p.truths[p.outcome] == p.truth
    for outcome, truth in p.truths.items():
        assert outcome in p.frame.columns
        y = p.frame[outcome]
        assert y.notna().all() and y.nunique() > 1
        if outcome not in ("y", "engagement"):  # the continuous outcomes
            assert (y >= 0).all()
        assert truth
        for term, b in truth.items():
            parse_term(term)  # a valid spec term
            assert all(col in p.frame.columns for col in term_columns(term)), term
            assert np.isfinite(b)
        # Every term column is numeric and complete, so a spec can use it as is.
        for col in {c for t in truth for c in term_columns(t)}:
            s = p.frame[col]
            assert pd.api.types.is_numeric_dtype(s) and s.notna().all(), col


def test_shapes_and_columns() -> None:
    h2 = S.h2_cities(n_cities=500, n_countries=30)
    f = h2.frame
    assert len(f) == 500 and f["city_id"].is_unique
    assert f["country_iso3"].nunique() <= 30 and (f["country_iso3"] == "CHN").any()
    assert ((f["country_iso3"] == "CHN") == (f["china_mainland"] == 1)).all()
    assert f.groupby("country_iso3")["capital"].sum().eq(1).all()
    assert f["gawc_gnc_2020"].between(0, 1).all()
    np.testing.assert_allclose(f[GAWC], np.log1p(f["gawc_gnc_2020"]))
    assert (f["admin1_code"].str.split(".").str[0] == f["country_iso3"]).all()
    for col in ("log1p_gawc_gnc_2000", "log1p_air_degree", "log1p_fortune500_hq_2017",
                "log1p_foreign_missions_2022", "member_c40", "log1p_n_networks"):  # fmt: skip
        assert col in f.columns
    assert set(f["member_c40"].unique()) == {0.0, 1.0}

    h1 = S.h1_defiance(n_cities=50, n_countries=8, years=range(2015, 2020))
    f = h1.frame
    assert len(f) == 50 * 5 and not f.duplicated(["city_id", "year"]).any()
    assert sorted(f["year"].unique()) == list(range(2015, 2020))
    assert f["v2x_polyarchy"].between(0, 1).all() and set(f["opportunity"].unique()) <= {0, 1}
    assert f.groupby(["country_iso3", "year"])["v2x_polyarchy"].nunique().eq(1).all()
    assert f.groupby("country_iso3")["v2x_polyarchy"].nunique().gt(1).any()  # varies over time
    assert set(h1.truths) == {"defiance_acts", "any_defiance"}

    comp = S.h1_composition(n_cities=300, n_countries=10).frame
    assert comp["normative_share"].between(0, 1).all()
    np.testing.assert_allclose(comp["normative_share"], comp["normative_ties"] / comp["total_ties"])

    h3 = S.h3_event_study(n_cities=40)
    f = h3.frame
    assert len(f) == 40 * 14 and "rel_m1" not in f.columns
    dummy_cols = [c for c in f.columns if c.startswith(("rel_m", "rel_p"))]
    assert sorted(h3.truth) == sorted(dummy_cols)
    assert [S.rel_name(k) for k in (-3, 0, 2)] == ["rel_m3", "rel_p0", "rel_p2"]
    assert h3.truth["rel_m7"] == 0.0 and h3.truth["rel_p0"] == pytest.approx(0.32)
    assert all(h3.truth[S.rel_name(k)] < h3.truth[S.rel_name(k + 1)] for k in range(6))
    us = f[f["us"] == 1]
    assert (us["rel_time"] == us["year"] - 2017).all() and f.loc[
        f["us"] == 0, "rel_time"
    ].isna().all()
    dummies = f[dummy_cols]
    assert (dummies.sum(axis=1) == ((f["us"] == 1) & (f["year"] != 2016))).all()
    assert (f["us_post"] == ((f["us"] == 1) & (f["year"] >= 2017))).all()

    h4 = S.h4_us_cities(n=300, n_states=10)
    f = h4.frame
    assert f["state"].nunique() <= 10 and f["census_region"].notna().all()
    np.testing.assert_allclose(f["dem10_2016"], 10 * (f["dem_share_2016"] - 0.5))
    assert (f["log_city_population"] >= np.log(50_000)).all()
    t = h4.truth
    assert t["dem_mayor:dem10_2016"] == pytest.approx(t["dem_share_2016:dem_mayor_2017"] / 10)

    h5 = S.h5_sister_cities(n=300, n_countries=20)
    assert set(h5.truths) == {"sister_city_degree", "n_networks"}


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        S.h2_cities(n_cities=0)
    with pytest.raises(ValueError):
        S.h2_cities(n_countries=1)
    with pytest.raises(ValueError):
        S.h2_cities(country_sd=-1.0)
    with pytest.raises(ValueError):
        S.h3_event_study(event_year=2030)
    with pytest.raises(ValueError):
        S.h4_us_cities(n_states=51)
    with pytest.raises(ValueError):
        S.scale_panel(1000, n_units=10, n_years=20)
    with pytest.raises(ValueError):
        S.h1_defiance(years=[])


# ----------------------------------------------------------------------------- std() terms


def test_restandardize_algebra() -> None:
    truth = {"x": 2.0, "c": -1.0, "c:x": 0.5, "z": 3.0}
    out = S.restandardize(truth, {"std(x)": (10.0, 4.0)})
    assert out == pytest.approx({"std(x)": 8.0, "c": -1.0 + 0.5 * 10.0, "c:std(x)": 2.0, "z": 3.0})
    with pytest.raises(ValueError):
        S.restandardize(truth, {"x": (0.0, 1.0)})


def test_restandardized_truth_recovered_with_std_terms() -> None:
    """The real H2 spec's China model, std(log1p_gawc_gnc_2020) and its interaction."""
    p = S.h2_cities(seed=SEEDS["h2"])
    regs = [f"std({GAWC})", "china_mainland", f"china_mainland:std({GAWC})"]
    controls = ["log_pop", "capital", "log_gdp_pc", "v2x_polyarchy"]
    res = fit(p.frame, spec("n_networks", regs + controls, "poisson", ADMIN1))
    truth = S.restandardize(p.truth, res.design.scaling)
    assert set(regs + controls) <= set(truth)
    assert_recovered(Check("std terms", res, truth, regs, detect=(f"std({GAWC})",)))


# ----------------------------------------------------------------------------- scale panel


def test_scale_panel_layout() -> None:
    p = S.scale_panel(1000, n_years=7, n_clusters=5, seed=3)
    f = p.frame
    assert len(f) == 1000 and list(f.columns) == ["unit", "year", "cluster", "x1", "x2", "y",
                                                   "y_count"]  # fmt: skip
    assert {c: str(f[c].dtype) for c in f} == {"unit": "int32", "year": "int32",
                                               "cluster": "int32", "x1": "float64",
                                               "x2": "float64", "y": "float64",
                                               "y_count": "int32"}  # fmt: skip
    assert f["unit"].nunique() == 143 and f["year"].min() == 2000 and f["year"].max() == 2006
    assert not f.duplicated(["unit", "year"]).any()
    assert f.groupby("unit")["cluster"].nunique().eq(1).all() and f["cluster"].max() < 5
    assert p.truth == {"x1": 1.0, "x2": -0.5}
    assert p.truths["y_count"] == {"x1": 0.25, "x2": -0.125}
    # Unbalanced: n_rows distinct cells of a larger grid.
    u = S.scale_panel(1000, n_units=100, n_years=20, seed=3).frame
    assert len(u) == 1000 and not u.duplicated(["unit", "year"]).any() and u["unit"].max() < 100
    assert u.groupby("unit").size().nunique() > 1
    full = S.scale_panel(1000, n_units=50, n_years=20).frame
    assert full.groupby("unit").size().eq(20).all()


@pytest.fixture(scope="module")
def scale_100k() -> S.Planted:
    return S.scale_panel(100_000, seed=11)


def test_scale_panel_two_way_fe_backends_agree(scale_100k: S.Planted) -> None:
    f, truth = scale_100k.frame, scale_100k.truth
    cl = {"type": "cluster", "by": ["cluster"]}
    pf = fit(f, spec("y", ["x1", "x2"], "ols", cl, ["unit", "year"], backend="pyfixest"))
    lm = fit(f, spec("y", ["x1", "x2"], "panel_fe", cl, ["unit", "year"]))
    assert pf.fit.backend == "pyfixest" and lm.fit.backend == "linearmodels"
    np.testing.assert_allclose(pf.fit.params.to_numpy(), lm.fit.params[["x1", "x2"]].to_numpy(),
                               rtol=0, atol=1e-8)  # fmt: skip
    for res in (pf, lm):
        tidy = assert_recovered(Check(res.fit.backend, res, truth, ["x1", "x2"], ("x1", "x2")))
        assert (tidy["std_error"] < 0.01).all()
    # Pooled OLS is biased: the effects are correlated with the regressors.
    pooled = fit(f, spec("y", ["x1", "x2"], "ols", cl)).fit.params
    assert abs(pooled["x1"] - 1.0) > 0.1


def test_scale_panel_clustered_se_backends_agree(scale_100k: S.Planted) -> None:
    f, by_unit = scale_100k.frame, {"type": "cluster", "by": ["unit"]}
    pf = fit(f, spec("y", ["x1", "x2"], "ols", by_unit, ["unit", "year"], backend="pyfixest"))
    lm = fit(f, spec("y", ["x1", "x2"], "panel_fe", by_unit, ["unit", "year"]))
    se = [r.tidy().set_index("term").loc[["x1", "x2"], "std_error"].to_numpy() for r in (pf, lm)]
    # Unit is nested in the clusters: neither backend counts its 5,000 levels in K.
    np.testing.assert_allclose(se[0], se[1], rtol=1e-5)


def test_scale_panel_count_recovered(scale_100k: S.Planted) -> None:
    res = fit(scale_100k.frame, spec("y_count", ["x1", "x2"], "poisson",
                                     {"type": "cluster", "by": ["cluster"]}, ["unit", "year"]))  # fmt: skip
    assert_recovered(Check("fepois", res, scale_100k.truths["y_count"], ["x1", "x2"], ("x1", "x2")))


def test_coverage_sanity() -> None:
    """Over 20 seeds of a small two-way panel, the 95% intervals cover the truth >= 80%."""
    hits = []
    for seed in range(20):
        p = S.scale_panel(2000, n_years=10, seed=seed)
        res = fit(p.frame, spec("y", ["x1", "x2"], "ols", {"type": "cluster", "by": ["unit"]},
                                ["unit", "year"]))  # fmt: skip
        tidy = res.tidy().set_index("term")
        for t, b in p.truth.items():
            hits.append(tidy.loc[t, "ci_low"] <= b <= tidy.loc[t, "ci_high"])
    assert np.mean(hits) >= 0.8, f"coverage {np.mean(hits):.2f}"
