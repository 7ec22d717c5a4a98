"""A reviewer's refit: three models re-estimated from results/models/<h>/frames/ alone, with
plain statsmodels and pyfixest calls (no code from `analysis`), match coefficients.csv."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.api as sm

pytestmark = pytest.mark.pipeline


def _published(results, h: str, frame: str, model: str) -> pd.DataFrame:
    df = pd.read_parquet(results / "models" / h / "frames" / f"{frame}.parquet")
    return df[df[f"sample__{model}"]].reset_index(drop=True)


def _coefs(results, h: str, model: str) -> pd.DataFrame:
    c = pd.read_csv(results / "models" / h / "coefficients.csv")
    return c[c["model"] == model].set_index("term")


def _std(x: pd.Series) -> pd.Series:
    """std(): centred and scaled by the estimation sample's own mean and SD."""
    return (x - x.mean()) / x.std(ddof=1)


CONTROLS = ["log_pop", "capital", "log_gdp_pc", "v2x_polyarchy"]


def test_ols_refit_h2_gawc2020_ols(pipeline_results):
    d = _published(pipeline_results, "h2", "h2_cities", "gawc2020_ols")
    want = _coefs(pipeline_results, "h2", "gawc2020_ols")
    assert len(d) == int(want["n_obs"].iloc[0])
    X = sm.add_constant(d[CONTROLS].assign(g=_std(np.log1p(d["gawc_gnc_2020"]))))
    res = sm.OLS(d["log1p_n_tmn"], X).fit(cov_type="cluster", cov_kwds={"groups": d["country_iso3"].factorize()[0]})  # fmt: skip
    term = "std(log1p_gawc_gnc_2020)"
    assert res.params["g"] == pytest.approx(want.loc[term, "estimate"], rel=1e-6)
    assert res.params["log_pop"] == pytest.approx(want.loc["log_pop", "estimate"], rel=1e-6)
    assert res.bse["g"] == pytest.approx(want.loc[term, "std_error"], rel=1e-6)


def test_poisson_fe_refit_h1_vdem(pipeline_results):
    """Poisson with year fixed effects; the mask already excludes the years without any act."""
    d = _published(pipeline_results, "h1", "h1_defiance", "vdem")
    want = _coefs(pipeline_results, "h1", "vdem")
    assert len(d) == int(want["n_obs"].iloc[0])
    d = d.assign(z=_std(d["v2x_polyarchy"]))
    res = pf.fepois(
        "defiance_acts ~ z + log_pop + capital + log_gdp_pc | year",
        d,
        vcov={"CRV1": "country_iso3"},
        iwls_tol=1e-10,
    )
    est = res.coef()
    assert len(d) == res._N  # nothing left for pyfixest to drop
    assert est["z"] == pytest.approx(want.loc["std(v2x_polyarchy)", "estimate"], rel=1e-5)
    assert est["log_pop"] == pytest.approx(want.loc["log_pop", "estimate"], rel=1e-5)
    assert res.se()["z"] == pytest.approx(want.loc["std(v2x_polyarchy)", "std_error"], rel=1e-4)


def test_poisson_fe_refit_h1_climate(pipeline_results):
    """H1a's main model: climate defiance on the universe's covered opportunity set."""
    d = _published(pipeline_results, "h1", "h1_defiance", "climate")
    want = _coefs(pipeline_results, "h1", "climate")
    assert len(d) == int(want["n_obs"].iloc[0])
    assert (d["ghsl_universe"] == 1).all() and (d["covered_climate"] == 1).all()
    assert (d["opportunity_climate"] == 1).all()
    d = d.assign(z=_std(d["v2x_polyarchy"]))
    res = pf.fepois(
        "defiance_climate ~ z + log_ghsl_pop + capital + log_gdp_pc | year",
        d,
        vcov={"CRV1": "country_iso3"},
        iwls_tol=1e-10,
    )
    assert len(d) == res._N
    assert res.coef()["z"] == pytest.approx(
        want.loc["std(v2x_polyarchy)", "estimate"], rel=1e-5, abs=1e-8
    )
    assert res.se()["z"] == pytest.approx(want.loc["std(v2x_polyarchy)", "std_error"], rel=1e-4)


def test_logit_refit_h2_c40(pipeline_results):
    d = _published(pipeline_results, "h2", "h2_cities", "c40_logit")
    want = _coefs(pipeline_results, "h2", "c40_logit")
    assert len(d) == int(want["n_obs"].iloc[0])
    X = sm.add_constant(d[CONTROLS].assign(g=_std(np.log1p(d["gawc_gnc_2020"]))))
    res = sm.Logit(d["member_c40"], X).fit(disp=0, maxiter=200, tol=1e-12)
    term = "std(log1p_gawc_gnc_2020)"
    assert res.params["g"] == pytest.approx(want.loc[term, "estimate"], rel=1e-5)
    assert res.params["const"] == pytest.approx(want.loc["Intercept", "estimate"], rel=1e-5)


def test_every_mask_counts_its_model_n(pipeline_results):
    """Across all hypotheses: one mask per model, summing to that model's N."""
    for h_dir in sorted((pipeline_results / "models").iterdir()):
        coefs = pd.read_csv(h_dir / "coefficients.csv")
        n = coefs.groupby("model")["n_obs"].first()
        masks: dict[str, int] = {}
        for f in sorted((h_dir / "frames").glob("*.parquet")):
            df = pd.read_parquet(f)
            masks |= {c.removeprefix("sample__"): int(df[c].sum())
                      for c in df.columns if c.startswith("sample__")}  # fmt: skip
        assert masks == n.astype(int).to_dict(), h_dir.name


def test_sample_labels_state_the_estimation_years(pipeline_results):
    """fit.json's sample text and coverage come from the rows each mask marks."""
    import json

    for h_dir in sorted((pipeline_results / "models").iterdir()):
        fit = json.loads((h_dir / "fit.json").read_text())
        for m in fit["models"]:
            df = pd.read_parquet(h_dir / "frames" / f"{m['frame']}.parquet")
            rows = df[df[f"sample__{m['model']}"]]
            cov = m["sample_coverage"]
            if "year" in rows.columns:
                a, b = int(rows["year"].min()), int(rows["year"].max())
                assert (cov["first_year"], cov["last_year"]) == (a, b), m["model"]
                assert (f"years {a}-{b}" if a != b else f"year {a}") in m["sample"]
            if "country_iso3" in rows.columns:
                assert cov["countries"] == rows["country_iso3"].nunique()
