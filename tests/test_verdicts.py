"""Verdict rules, Holm adjustment, power and degenerate fits on synthetic inputs."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from analysis.models.degenerate import term_reason
from analysis.models.estimate import fit_model
from analysis.models.spec import ModelSpec
from analysis.report.tables import build_table, render_md, render_tex
from analysis.report.verdicts import Evidence, fmt_p, holm, mde, mde_multiplier, sentence, verdict


def ev(**over) -> Evidence:
    base = dict(estimate=0.4, p_value=0.001, p_robust=0.01, p_holm=0.01, expected_sign=1,
                degenerate=False, spec_n=20, spec_share_expected=0.9,
                spec_share_sig_expected=0.6, spec_share_sig_opposite=0.0)  # fmt: skip
    return Evidence(**(base | over))


def test_supported_needs_every_check():
    assert verdict(ev()) == "supported"


def test_significant_main_with_failing_bootstrap_is_fragile():
    e = ev(p_robust=0.297)
    assert verdict(e) == "fragile"
    assert "robust p = 0.297" in sentence("fragile", e, "")


@pytest.mark.parametrize(
    "over",
    [
        {"p_robust": None},
        {"p_robust": math.nan},
        {"p_holm": 0.06},
        {"degenerate": True},
        {"spec_share_expected": 0.4},  # most specs have the other sign
        {"spec_share_sig_opposite": 0.21},  # 21% significant the other way
    ],
)
def test_any_failing_check_makes_a_significant_estimate_fragile(over):
    assert verdict(ev(**over)) == "fragile"


def test_synthetic_control_is_a_check_never_support():
    """A synthetic control with the other sign makes a significant estimate fragile; one with
    the same sign adds nothing (the verdict is what the other checks give)."""
    e = ev(synth_estimate=-0.01)
    assert verdict(e) == "fragile"
    assert "synthetic control has the other sign" in sentence("fragile", e, "")
    assert verdict(ev(synth_estimate=0.02)) == "supported"
    assert verdict(ev(synth_estimate=0.02, p_robust=0.7)) == "fragile"
    assert verdict(ev(synth_estimate=math.nan)) == "supported"


def test_contradicted_mirrors_supported():
    e = ev(estimate=-0.4, spec_share_expected=0.1, spec_share_sig_expected=0.0,
           spec_share_sig_opposite=0.7)  # fmt: skip
    assert verdict(e) == "contradicted"
    # the opposite-sign estimate is not backed when 21% of specs are significant as expected
    assert verdict(ev(estimate=-0.4, spec_share_expected=0.1, spec_share_sig_expected=0.21)) == (
        "fragile"
    )


def test_inconclusive_states_the_mde():
    e = ev(p_value=0.3, p_robust=0.4, p_holm=1.0)
    assert verdict(e) == "inconclusive"
    text = sentence("inconclusive", e, "|b| = 0.812")
    assert "cannot rule out effects smaller than |b| = 0.812" in text
    assert "p = 0.300" in text


def test_without_a_curve_the_other_checks_decide():
    assert verdict(ev(spec_n=0, spec_share_expected=None)) == "supported"


def test_holm_matches_hand_computation():
    # sorted p 0.01, 0.03, 0.04 -> 0.03, 0.06, max(0.06, 0.04) = 0.06; back in input order
    assert holm([0.04, 0.01, 0.03]) == pytest.approx([0.06, 0.03, 0.06])
    assert holm([0.5, math.nan]) == pytest.approx([1.0, 1.0])  # a missing p enters as 1


def test_mde_multiplier_and_few_cluster_t():
    assert mde_multiplier() == pytest.approx(1.959964 + 0.841621, abs=1e-5)
    value, dist = mde(0.1, linear=True, n_clusters=12)
    assert dist == "t(11)" and value > 0.28
    assert mde(0.1, linear=False, n_clusters=12) == (pytest.approx(0.28016, abs=1e-4), "normal")


def test_p_values_never_print_as_zero():
    assert fmt_p(0.0001) == "p < 0.001"
    assert fmt_p(0.0423) == "p = 0.042"
    assert fmt_p(None) == "p = n/a"


def test_term_rules():
    assert term_reason(-16.954, 0.368, nonlinear=True).startswith("|b| = 17.0")
    assert term_reason(0.5, 12.0, nonlinear=True).startswith("SE = 12.0")
    assert term_reason(-82.784, 3.0, nonlinear=False) is None  # linear: data's own scale
    assert term_reason(0.4, 0.1, nonlinear=True) is None


@pytest.fixture(scope="module")
def separated() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n = 400
    d = pd.DataFrame({"w": rng.normal(size=n), "country": rng.integers(0, 30, n).astype(str)})
    d["x"] = np.round(rng.normal(size=n), 0)
    d["y"] = (d["x"] > 0).astype(float)
    tie = d["x"] == 0
    d.loc[tie, "y"] = (rng.random(int(tie.sum())) < 0.5).astype(float)  # quasi-separation
    d["cap"] = (rng.random(n) < 0.1).astype(float)
    d["cnt"] = rng.poisson(np.exp(0.2 + 0.5 * d["w"]))
    d.loc[d["cap"] == 1, "cnt"] = 0  # a control that perfectly predicts zero
    return d


def _spec(**kw) -> ModelSpec:
    base = {"name": "m", "label": "m", "vcov": {"type": "cluster", "by": ["country"]}}
    return ModelSpec.model_validate(base | kw)


def test_separated_logit_is_flagged_degenerate(separated):
    res = fit_model(separated, _spec(outcome="y", regressors=["x"], controls=["w"],
                                     estimator="logit"))  # fmt: skip
    s = res.summary()
    assert s["degenerate"] is True and s["degenerate_reason"]
    assert "x" in s["degenerate_terms"]


def test_separated_control_is_flagged_but_focal_is_sound(separated):
    res = fit_model(separated, _spec(outcome="cnt", regressors=["w"], controls=["cap"],
                                     estimator="poisson"))  # fmt: skip
    assert "separation" in res.degenerate_terms()["cap"]
    assert res.summary()["degenerate"] is False


def test_absorbed_treatment_is_flagged():
    from analysis.models.degenerate import absorbed_reason

    fe = pd.DataFrame({"g": [0, 0, 1, 1, 2, 2]})
    assert absorbed_reason(pd.Series([1.0, 1.0, 0.0, 0.0, 1.0, 1.0]), fe)
    assert absorbed_reason(pd.Series([1.0, 0.0, 0.0, 1.0, 1.0, 0.0]), fe) is None


def test_fit_reasons_flags_each_absorbed_term_with_shared_group_codes():
    from analysis.models.degenerate import absorbed_reason, fit_reasons

    fe = pd.DataFrame({"g": [0, 0, 1, 1, 2, 2], "h": [0, 1, 0, 1, 0, 1]})
    X = pd.DataFrame({"a": [1.0, 1.0, 0.0, 0.0, 1.0, 1.0], "b": [1.0, 0.0, 0.0, 1.0, 1.0, 0.0],
                      "c": [2.0, 3.0, 2.0, 3.0, 2.0, 3.0]})  # fmt: skip
    params, se = pd.Series(0.1, index=X.columns), pd.Series(0.05, index=X.columns)
    terms = fit_reasons(params, se, nonlinear=False, X=X, fe=fe)
    assert sorted(terms) == ["a", "c"]  # a within g, c within h; b varies within both
    assert terms == {t: absorbed_reason(X[t], fe) for t in ("a", "c")}
    assert "'g'" in terms["a"] and "'h'" in terms["c"]


def test_tables_show_no_stars_on_degenerate_coefficients(separated):
    res = fit_model(separated, _spec(outcome="cnt", regressors=["w"], controls=["cap"],
                                     estimator="poisson"))  # fmt: skip
    coefs = res.tidy().assign(hypothesis="h9")
    fit = {"hypothesis": "h9", "title": "t", "models": [json.loads(json.dumps(res.summary()))]}
    table = build_table(coefs, fit)
    md = render_md(table)
    cap = next(line for line in md.splitlines() if line.startswith("| cap"))
    assert "*" not in cap and "†" in cap
    w = next(line for line in md.splitlines() if line.startswith("| w"))
    assert "***" in w  # the sound focal slope keeps its stars
    assert "† Degenerate estimate (no stars): (1) cap:" in md
    assert r"^{\dagger}" in render_tex(table)


def test_a_degenerate_main_effect_voids_its_interaction():
    from analysis.models.degenerate import fit_reasons, focal_reason

    params = pd.Series({"Intercept": -41.2, "dem": -82.8, "rai": -1.4, "dem:rai": 2.0})
    se = pd.Series({"Intercept": 10.3, "dem": 7.6, "rai": 0.2, "dem:rai": 0.27})
    terms = fit_reasons(params, se, nonlinear=True)
    assert sorted(terms) == ["dem"]  # the intercept is exempt from the size bounds
    assert focal_reason(terms, "dem:rai").startswith("dem (in the focal interaction)")
    assert focal_reason(terms, "rai") is None


def test_spec_curve_figure_ranks_z_with_labels_and_drops_degenerate(tmp_path, monkeypatch):
    from analysis import figures
    from analysis.report.render import render_spec_curve

    specs = pd.DataFrame({
        "spec": ["s0", "s1", "s2"], "estimator": ["poisson", "ols", "logit"],
        "controls": ["size_capital", "none", "none"], "status": ["ok"] * 3,
        "estimate": [0.8, 0.002, -30.0], "statistic": [4.0, -1.0, -9.0],
        "significant": [True, False, True], "degenerate": [False, False, True],
    })  # fmt: skip
    specs.to_csv(tmp_path / "specs.csv", index=False)
    summary = {"curve": {"specifications": 3, "fitted": 2, "failed": 0, "degenerate": 1,
                         "share_expected_sign": 0.5, "share_expected_sign_p05": 0.5,
                         "share_opposite_sign_p05": 0.0, "dimensions": ["controls"],
                         "option_labels": {"controls": {"size_capital": "Population, capital",
                                                        "none": "No controls"}}}}  # fmt: skip
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    seen = {}
    monkeypatch.setattr(figures, "spec_curve", lambda d, *a, **k: seen.update(d=d, k=k) or [])
    render_spec_curve("h9", tmp_path, tmp_path / "fig")
    d = seen["d"]
    assert d["estimate"].tolist() == [4.0, -1.0]  # z-statistics, the degenerate spec dropped
    assert d["ci_high"].tolist() == pytest.approx([5.96, 0.96])
    assert d["controls"].tolist() == ["Population, capital", "No controls"]
    assert "1 degenerate" in seen["k"]["title"]


def test_focal_term_of_a_degenerate_model_loses_its_stars():
    from analysis.report.tables import _degenerate_cells

    m = {"focal": "dem:rai", "degenerate": True, "degenerate_reason": "dem (in the focal...)",
         "degenerate_terms": {"dem": "|b| = 82.8"}}  # fmt: skip
    assert sorted(_degenerate_cells(m)) == ["dem", "dem:rai"]
    assert _degenerate_cells({"focal": "x", "degenerate": False, "degenerate_terms": {}}) == {}


def _models_dir(root, h, models):
    """A minimal results/models/<h>/ (fit.json + coefficients.csv) for the ledger."""
    d = root / "models" / h
    d.mkdir(parents=True)
    fit = {"models": [{"model": m, "focal": t, "estimator": est, "estimator_label": est,
                       "vcov_label": "Clustered", "sample": "all", "n_clusters": 40,
                       "label": m, "degenerate": deg, "degenerate_terms": {t: "x"} if deg else {}}
                      for m, t, est, b, se, deg in models]}  # fmt: skip
    (d / "fit.json").write_text(json.dumps(fit))
    from scipy import stats

    rows = [{"model": m, "term": t, "estimate": b, "std_error": se, "statistic": b / se,
             "p_value": 2 * stats.norm.sf(abs(b / se)), "ci_low": b - 1.96 * se,
             "ci_high": b + 1.96 * se, "n_obs": 500}
            for m, t, est, b, se, deg in models]  # fmt: skip
    pd.DataFrame(rows).to_csv(d / "coefficients.csv", index=False)


def test_ledger_end_to_end_on_synthetic_results(tmp_path):
    from analysis.report.claims import LEDGER_COLUMNS, ledger

    # H4a: significant logit whose LPM twin, bootstrapped, has the other sign -> no robust p;
    # H4b: not significant -> inconclusive, with its MDE
    _models_dir(tmp_path, "h4", [
        ("cm_logit", "dem10_2016", "logit", 0.6, 0.1, False),
        ("cm_lpm_state_fe", "dem10_2016", "ols", -0.01, 0.004, False),
        ("cm_mayor_logit", "dem_mayor:dem10_2016", "logit", -0.5, 0.75, False),
    ])  # fmt: skip
    robust = tmp_path / "robustness" / "h4"
    robust.mkdir(parents=True)
    pd.DataFrame([{"model": "cm_lpm_state_fe", "term": "dem10_2016", "method": "wild",
                   "estimate": -0.01, "p_robust": 0.01, "detail": "d"}]).to_csv(
        robust / "robust_p.csv", index=False)  # fmt: skip
    t = ledger(tmp_path / "models", tmp_path / "robustness", ["h4"])
    assert list(t[LEDGER_COLUMNS].columns) == LEDGER_COLUMNS
    assert t["claim_id"].tolist() == ["H4a", "H4b"]
    r = t.iloc[0]
    assert pd.isna(r["p_robust"]) and "other sign" in r["p_robust_method"]
    assert r["verdict"] == "fragile" and "no robust p-value" in r["_sentence"]
    assert r["mde"] == pytest.approx(0.28016, abs=1e-4)  # 2.80 x SE on the log scale
    assert r["spec_n"] == 2 and r["spec_share_expected"] == 0.5  # the listed alternatives
    b = t.iloc[1]
    assert b["verdict"] == "inconclusive" and b["p_robust_method"] == "none declared"
    assert "cannot rule out effects smaller than |b| = 2.101" in b["_sentence"]
    assert b["p_holm"] == pytest.approx(b["p_value"])  # the larger of 2 p-values: Holm x 1
