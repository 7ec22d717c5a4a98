"""The estimation layer: backends agree where they overlap, corrections are what they say."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from analysis.errors import PipelineError
from analysis.estimate import COEF_COLUMNS, fit_model
from analysis.modelspec import ModelSpec


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
