"""The estimation layer: backends agree where they overlap, corrections are what they say."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from analysis.core.errors import PipelineError
from analysis.models.estimate import COEF_COLUMNS, fit_model
from analysis.models.spec import ModelSpec


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 1500
    d = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "z": rng.normal(size=n),
            "g": rng.integers(0, 30, n),
            "h": rng.integers(0, 12, n),
            "f": rng.integers(0, 10, n),
        }
    )
    d["y"] = (
        1 + 0.5 * d["x"] - 0.2 * d["z"] + 0.1 * d["f"] + rng.normal(size=n) * (1 + d["x"].abs())
    )
    d["c"] = rng.poisson(np.exp(0.2 + 0.3 * d["x"] + 0.05 * d["f"]))
    d["b"] = (rng.random(n) < 1 / (1 + np.exp(-(0.3 + 0.8 * d["x"])))).astype(float)
    d["share"] = 1 / (1 + np.exp(-(0.2 + 0.5 * d["x"] + rng.normal(size=n) * 0.3)))
    d["pos"] = np.exp(d["z"])
    return d


def spec(**kw) -> ModelSpec:
    base = dict(name="m", label="m", outcome="y", regressors=["x"], controls=["z"],
                estimator="ols", vcov={"type": "cluster", "by": ["g"]})  # fmt: skip
    return ModelSpec(**(base | kw))


def coefs(d, **kw) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_model(d, spec(**kw)).tidy().set_index("term")


VCOVS = [{"type": "iid"}, {"type": "hc1"}, {"type": "cluster", "by": ["g"]}]
SMALL = ["standard", "cluster_only", "none"]


@pytest.mark.parametrize("fe", [[], ["f"]])
@pytest.mark.parametrize("vcov", VCOVS)
@pytest.mark.parametrize("small", SMALL)
def test_ols_backends_agree(data, fe, vcov, small):
    if vcov["type"] != "cluster" and small == "cluster_only":
        pytest.skip("cluster_only applies to clustered errors")
    out = {b: coefs(data, backend=b, fixed_effects=fe, vcov=vcov, small_sample=small)
           for b in ("statsmodels", "pyfixest", "linearmodels")}  # fmt: skip
    ref = out["pyfixest"]
    for b, res in out.items():
        np.testing.assert_allclose(res["estimate"], ref["estimate"], rtol=0, atol=1e-8, err_msg=b)
        np.testing.assert_allclose(res["std_error"], ref["std_error"], rtol=1e-6, err_msg=b)


@pytest.mark.parametrize("vcov", VCOVS)
def test_panel_fe_matches_absorbed_ols(data, vcov):
    a = coefs(data, estimator="panel_fe", fixed_effects=["f"], vcov=vcov)
    b = coefs(data, backend="pyfixest", fixed_effects=["f"], vcov=vcov)
    np.testing.assert_allclose(a["estimate"], b["estimate"], atol=1e-8)
    np.testing.assert_allclose(a["std_error"], b["std_error"], rtol=1e-6)


def test_two_way_panel_fe_matches_pyfixest(data):
    d = data.drop_duplicates(["f", "h"]).copy()  # PanelOLS needs unique (entity, time)
    a = coefs(d, estimator="panel_fe", fixed_effects=["f", "h"], vcov={"type": "hc1"})
    b = coefs(d, backend="pyfixest", fixed_effects=["f", "h"], vcov={"type": "hc1"})
    np.testing.assert_allclose(a["estimate"], b["estimate"], atol=1e-8)
    np.testing.assert_allclose(a["std_error"], b["std_error"], rtol=1e-6)


def _city_year_panel() -> pd.DataFrame:
    """An unbalanced city-year panel like H3's: cities nested in regions (the clusters), a
    treated group from 2017, event-time dummies, some city-years missing."""
    rng = np.random.default_rng(17)
    rows = [(c, c // 8, y) for c in range(240) for y in range(2016, 2022)]
    d = pd.DataFrame(rows, columns=["city", "region", "year"])
    d = d[rng.random(len(d)) > 0.1].copy()  # unbalanced
    d["us"] = (d["region"] < 10).astype(float)
    for k in range(5):
        d[f"rel{k}"] = ((d["us"] == 1) & (d["year"] == 2017 + k)).astype(float)
    d["post"] = ((d["us"] == 1) & (d["year"] >= 2017)).astype(float)
    d["y"] = (
        0.3 * d["post"]
        + rng.normal(size=240)[d["city"]]
        + 0.1 * (d["year"] - 2016)
        + rng.normal(size=240)[d["region"] * 3 % 240] * 0.5
        + rng.normal(size=len(d))
    )
    return d


@pytest.mark.parametrize("small", SMALL)
@pytest.mark.parametrize("vcov", [{"type": "cluster", "by": ["region"]},
                                  {"type": "cluster", "by": ["city"]}, {"type": "hc1"}])  # fmt: skip
@pytest.mark.parametrize("regressors", [["post"], [f"rel{k}" for k in range(5)]])
def test_panelols_event_study_matches_pyfixest(small, vcov, regressors):
    """The H3 production path (PanelOLS, entity and time effects absorbed, clustered) against
    pyfixest's feols with the same fixed effects: coefficients to 1e-8 and SEs to 1e-6 under
    each small-sample correction, clusters nesting the city effects or not."""
    if vcov["type"] != "cluster" and small == "cluster_only":
        pytest.skip("cluster_only applies to clustered errors")
    d = _city_year_panel()
    kw = dict(regressors=regressors, controls=[], fixed_effects=["city", "year"], vcov=vcov,
              small_sample=small)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = fit_model(d, spec(estimator="panel_fe", **kw))
        b = fit_model(d, spec(backend="pyfixest", **kw))
    assert a.fit.backend == "linearmodels" and b.fit.backend == "pyfixest"
    ta, tb = a.tidy().set_index("term"), b.tidy().set_index("term")
    np.testing.assert_allclose(ta["estimate"], tb["estimate"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(ta["std_error"], tb["std_error"], rtol=1e-6)
    if vcov["type"] == "cluster":  # t(G - 1) for both: the same p-values
        assert a.df == b.df
        np.testing.assert_allclose(ta["p_value"], tb["p_value"], rtol=1e-6, atol=1e-12)
    assert abs(ta.loc[regressors[0], "estimate"] - 0.3) < 0.3  # the planted effect


def test_panelols_refuses_repeated_entity_time_pairs(data):
    d = data.assign(y=data["y"])  # (f, h) pairs repeat in this cross-section
    with pytest.raises(PipelineError, match="one row per"):
        fit_model(d, spec(estimator="panel_fe", fixed_effects=["f", "h"], vcov={"type": "hc1"}))


@pytest.mark.parametrize("fe", [[], ["f"]])
@pytest.mark.parametrize("vcov", VCOVS)
def test_poisson_statsmodels_matches_pyfixest(data, fe, vcov):
    a = coefs(
        data, outcome="c", estimator="poisson", backend="statsmodels", fixed_effects=fe, vcov=vcov
    )
    b = coefs(
        data, outcome="c", estimator="poisson", backend="pyfixest", fixed_effects=fe, vcov=vcov
    )
    np.testing.assert_allclose(a["estimate"], b["estimate"], atol=1e-8)
    # statsmodels counts the FE dummies in K; pyfixest counts absorbed levels the same way
    # unless they are nested in the clusters (they are not here), so the corrections agree.
    np.testing.assert_allclose(a["std_error"], b["std_error"], rtol=1e-6)


def test_cluster_correction_by_hand(data):
    """CR1 = G/(G−1)·(N−1)/(N−K) · (X'X)⁻¹ Σ_g X_g'u_g u_g'X_g (X'X)⁻¹, computed here."""
    X = np.column_stack([np.ones(len(data)), data["x"], data["z"]])
    y = data["y"].to_numpy()
    b = np.linalg.solve(X.T @ X, X.T @ y)
    u = y - X @ b
    bread = np.linalg.inv(X.T @ X)
    groups = data["g"].to_numpy()
    scores = [X[groups == g].T @ u[groups == g] for g in np.unique(groups)]
    meat = sum(np.outer(s, s) for s in scores)
    n, k, g = len(y), 3, data["g"].nunique()
    V = g / (g - 1) * (n - 1) / (n - k) * bread @ meat @ bread
    res = coefs(data)
    np.testing.assert_allclose(res["estimate"], b, atol=1e-10)
    np.testing.assert_allclose(res["std_error"], np.sqrt(np.diag(V)), rtol=1e-10)
    # p-values and intervals use t with G−1 degrees of freedom
    from scipy import stats

    t = res.loc["x", "estimate"] / res.loc["x", "std_error"]
    assert res.loc["x", "p_value"] == pytest.approx(2 * stats.t.sf(abs(t), g - 1))
    half = res.loc["x", "ci_high"] - res.loc["x", "estimate"]
    assert half == pytest.approx(stats.t.ppf(0.975, g - 1) * res.loc["x", "std_error"])


def test_two_way_cluster_matches_pyfixest(data):
    v = {"type": "twoway", "by": ["g", "h"]}
    a = coefs(data, backend="statsmodels", vcov=v)
    b = coefs(data, backend="pyfixest", vcov=v)
    np.testing.assert_allclose(a["estimate"], b["estimate"], atol=1e-8)
    # V_g + V_h − V_gh, scaled by G/(G−1)·(N−1)/(N−K) with G the smaller dimension (12).
    np.testing.assert_allclose(a["std_error"], b["std_error"], rtol=1e-6)


def test_nonlinear_estimators_run_and_report(data):
    for est, outcome in [("logit", "b"), ("probit", "b"), ("fractional_logit", "share"),
                         ("negbin", "c"), ("poisson", "c")]:  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = fit_model(data, spec(outcome=outcome, estimator=est))
        t = r.tidy()
        assert list(t.columns) == COEF_COLUMNS
        assert t.loc[t["term"] == "x", "estimate"].item() > 0
        s = r.summary()
        assert s["pseudo_r2"] is not None and s["loglik"] is not None
        assert s["inference"].startswith("normal")


def test_logit_with_fixed_effects_uses_dummies(data):
    a = coefs(data, outcome="b", estimator="logit", fixed_effects=["f"])
    assert "x" in a.index and not any(t.startswith("_fe") for t in a.index)


def test_sample_filters_and_missing_rows_are_counted(data):
    d = data.copy()
    d.loc[:9, "z"] = np.nan
    r = fit_model(d, spec(sample=[{"column": "f", "op": "lt", "value": 5}]))
    s = r.summary()
    dropped = {x["reason"]: x["rows"] for x in s["rows_dropped"]}
    kept = (d["f"] < 5) & d["z"].notna()
    assert s["n_obs"] == kept.sum()
    assert dropped["sample: f < 5"] == (d["f"] >= 5).sum()
    assert dropped["missing z"] == ((d["f"] < 5) & d["z"].isna()).sum()
    assert s["rows_in_frame"] == s["n_obs"] + sum(dropped.values())


def test_transforms_and_interactions(data):
    r = coefs(data, regressors=["log(pos)", "x:z", "std(x)"], controls=[])
    assert list(r.index) == ["Intercept", "log(pos)", "x:z", "std(x)"]
    # std(x) rescales x: its coefficient is the raw slope times sd(x)
    raw = coefs(data, regressors=["log(pos)", "x:z", "x"], controls=[])
    assert r.loc["std(x)", "estimate"] == pytest.approx(raw.loc["x", "estimate"] * data["x"].std())


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"regressors": ["log(z)"]}, "non-positive"),
        ({"outcome": "y", "estimator": "logit"}, "must be 0/1"),
        ({"outcome": "y", "estimator": "poisson"}, "non-negative"),
        ({"sample": [{"column": "x", "op": "gt", "value": 99}]}, "empty"),
    ],
)
def test_bad_data_fails_clearly(data, kw, message):
    with pytest.raises(PipelineError, match=message):
        fit_model(data, spec(**kw))


def test_text_column_as_term_fails(data):
    d = data.assign(word="a")
    with pytest.raises(PipelineError, match="'word' is not numeric"):
        fit_model(d, spec(regressors=["word"]))


def test_predict_matches_fitted_values_and_brackets_them(data):
    r = fit_model(data, spec(outcome="c", estimator="poisson", controls=[]))
    new = pd.DataFrame({"x": [-1.0, 0.0, 1.0]})
    p = r.predict(new)
    b = r.fit.params
    np.testing.assert_allclose(p["fit"], np.exp(b["Intercept"] + b["x"] * new["x"]))
    assert (p["ci_low"] < p["fit"]).all() and (p["fit"] < p["ci_high"]).all()


# --- fast paths that must give the library's numbers bit for bit -------------------------


def _same_bits(a, b) -> bool:
    return np.asarray(a, dtype=float).tobytes() == np.asarray(b, dtype=float).tobytes()


@pytest.mark.parametrize("family", ["poisson", "binomial"])
def test_lean_glm_is_statsmodels_bit_for_bit(data, family):
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    from analysis.models.backends.statsmodels_backend import _LeanGLM

    y = data["c"] if family == "poisson" else data["share"]
    fam = families.Poisson if family == "poisson" else families.Binomial
    X = data[["x", "z"]].assign(Intercept=1.0)
    kw = {"cov_type": "cluster", "cov_kwds": {"groups": data["g"].to_numpy()}}
    for tol in (1e-8, 1e-10):
        a = GLM(y, X, family=fam()).fit(tol=tol, **kw)
        b = _LeanGLM(y, X, family=fam()).fit(tol=tol, **kw)
        assert _same_bits(a.params, b.params) and _same_bits(a.cov_params(), b.cov_params())
        assert a.llf == b.llf and a.fit_history["iteration"] == b.fit_history["iteration"]
        assert a.converged == b.converged


def _retvals(res) -> tuple:
    r = res.mle_retvals
    return r["iterations"], r["converged"], r["fopt"]


def test_logit_cache_is_statsmodels_bit_for_bit(data):
    from statsmodels.discrete.discrete_model import Logit

    from analysis.models.backends.statsmodels_backend import _Logit

    X = data[["x", "z"]].assign(Intercept=1.0)
    kw = {"cov_type": "cluster", "cov_kwds": {"groups": data["g"].to_numpy()}}
    fit = {"disp": 0, "maxiter": 200, "method": "newton"}
    a = Logit(data["b"], X).fit(**fit, **kw)
    b = _Logit(data["b"], X).fit(**fit, **kw)
    assert _same_bits(a.params, b.params) and _same_bits(a.cov_params(), b.cov_params())
    assert a.llf == b.llf and _retvals(a) == _retvals(b)
    # quasi-separation (dummy d = 1 always has y = 1): neither converges, alike
    X = X.assign(d=(data["x"] > 1).astype(float))
    y = (data["b"].astype(bool) | (X["d"] == 1)).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = Logit(y, X).fit(**fit)
        b = _Logit(y, X).fit(**fit)
    assert _same_bits(a.params, b.params) and _retvals(a) == _retvals(b)
    assert not a.mle_retvals["converged"]


def _select_sample_pandas(frame: pd.DataFrame, s: ModelSpec):
    """The sample selection as first written in pandas (reference for the array version)."""
    from analysis.models.design import _condition_mask

    keep = pd.Series(True, index=frame.index)
    drops = []
    for c in s.sample:
        new = keep & _condition_mask(frame, c)
        drops.append((f"sample: {c.describe()}", int(keep.sum() - new.sum())))
        keep = new
    for col in dict.fromkeys(col for _, col in s.columns()):
        new = keep & frame[col].notna()
        if int(keep.sum() - new.sum()):
            drops.append((f"missing {col}", int(keep.sum() - new.sum())))
        keep = new
    data = frame.loc[keep]
    if s.fixed_effects and s.estimator not in ("ols", "panel_fe"):
        y = data[s.outcome].astype(float)
        k = pd.Series(True, index=data.index)
        while True:
            before = int(k.sum())
            for col in s.fixed_effects:
                g, yk = data.loc[k, col], y[k]
                lo = yk.groupby(g, sort=False).transform("min")
                hi = yk.groupby(g, sort=False).transform("max")
                bad = hi <= 0 if s.estimator in ("poisson", "negbin") else lo == hi
                k.loc[bad[bad].index] = False
            if int(k.sum()) == before:
                break
        if int(len(data) - k.sum()):
            drops.append(("fixed-effect group without outcome variation (separated)",
                          int(len(data) - k.sum())))  # fmt: skip
        data = data.loc[k]
    return data, drops


@pytest.mark.parametrize("estimator", ["poisson", "logit", "ols"])
def test_sample_selection_matches_pandas_reference(data, estimator):
    from analysis.models.design import FrameMasks, select_sample

    rng = np.random.default_rng(11)
    d = data.copy()
    d["c"] = d["c"].where(d["f"] % 3 != 0, 0)  # count groups with no events
    d["b"] = d["b"].where(d["h"] != 4, 1.0)  # binary groups without variation
    d.loc[rng.random(len(d)) < 0.05, "z"] = np.nan
    d.loc[rng.random(len(d)) < 0.03, "f"] = np.nan  # missing fixed-effect group
    d["grp"] = pd.array(np.where(d["g"] < 5, None, "g" + d["g"].astype(str)), dtype="str")
    d["flag"] = pd.array(np.where(rng.random(len(d)) < 0.1, None, d["h"] % 2), dtype="Int8")
    outcome = {"poisson": "c", "logit": "b", "ols": "y"}[estimator]
    masks = FrameMasks(d)
    for sample in ([], [{"column": "flag", "op": "eq", "value": 1}],
                   [{"column": "grp", "op": "ne", "value": "g7"}, {"column": "x", "op": "gt", "value": -1}]):  # fmt: skip
        s = spec(outcome=outcome, estimator=estimator, fixed_effects=["f", "h"],
                 vcov={"type": "cluster", "by": ["grp"]}, sample=sample)  # fmt: skip
        ref, ref_drops = _select_sample_pandas(d, s)
        for m in (None, masks):
            got = select_sample(d, s, m)
            assert got.drops == ref_drops and got.rows_in == len(d)
            assert all(type(n) is int for _, n in got.drops)  # they go to JSON
            assert list(got.data.columns) == [outcome, "x", "z", "f", "h", "grp"]
            pd.testing.assert_frame_equal(got.data[[outcome, "x", "z"]], ref[[outcome, "x", "z"]],
                                          check_exact=True, check_index_type=False)  # fmt: skip
            for key in ("f", "h", "grp"):  # held as codes: they must group and sort alike
                a, b = (pd.factorize(x[key], sort=True)[0] for x in (got.data, ref))
                np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="another frame"):
        select_sample(data, s, masks)


@pytest.mark.parametrize("fe", [["f"], ["f", "h"]])
def test_pyfixest_skips_only_a_void_separation_check(data, fe, monkeypatch):
    from analysis.models.backends import pyfixest_backend

    d = data.copy()
    d["c"] = d["c"].where(d["f"] != 3, 0)  # a group without events, dropped by the layer
    s = spec(outcome="c", estimator="poisson", fixed_effects=fe, backend="pyfixest")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyfixest's pandas deprecations
        fast = fit_model(d, s)
        monkeypatch.setattr(pyfixest_backend, "_separation_check_void", lambda design: False)
        full = fit_model(d, s)
    assert _same_bits(fast.fit.params, full.fit.params)
    assert _same_bits(fast.fit.cov, full.fit.cov) and fast.fit.n_obs == full.fit.n_obs
