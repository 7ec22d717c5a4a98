"""Real-data model results, pinned: the pipeline runs on the mirror, then each hypothesis's
coefficient table is compared with its committed regression file (numbers only).

The pipeline is run by Snakemake in the repository itself (as `make run` would), so a later
`make run` has nothing left to do. Without the mirror (../shared/raw) these tests skip.
To accept a deliberate change of results: `pytest tests/test_models_real.py --force-regen`.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.conftest import ROOT

HYPOTHESES = ("h1", "h2", "h3", "h4", "h5")
pytestmark = pytest.mark.pipeline


@pytest.fixture(scope="module")
def models_dir(pipeline_results):
    return pipeline_results / "models"


@pytest.mark.parametrize("hypothesis", HYPOTHESES)
def test_coefficients_pinned(models_dir, hypothesis, dataframe_regression):
    coefs = pd.read_csv(models_dir / hypothesis / "coefficients.csv")
    table = pd.DataFrame(
        {
            "key": coefs["model"] + " | " + coefs["term"],
            "estimate": coefs["estimate"],
            "std_error": coefs["std_error"],
            "n_obs": coefs["n_obs"].astype(float),
        }
    )
    assert table["key"].is_unique
    # Standard errors to 1e-5: H5's dyadic PPML (dy_all, two-way clustered) moves its
    # complementarity SE by 5e-6 relative with the host's CPU and with the fixed-effect
    # demeaning's threads (0.03195964157 with one, 0.03195979516 with two, same machine,
    # 2026-12-07); the jobs' thread count is fixed, so a run on one host is byte-identical.
    dataframe_regression.check(
        table,
        default_tolerance={"rtol": 1e-6, "atol": 1e-9},
        tolerances={"std_error": {"rtol": 1e-5, "atol": 1e-9}},
    )


@pytest.mark.parametrize("hypothesis", HYPOTHESES)
def test_fit_summaries_state_what_tables_need(models_dir, hypothesis):
    fit = json.loads((models_dir / hypothesis / "fit.json").read_text())
    for m in fit["models"]:
        for key in (
            "n_obs",
            "estimator_label",
            "fixed_effects_label",
            "vcov_label",
            "small_sample",
        ):
            assert m[key] not in (None, ""), (m["model"], key)
        assert m["rows_in_frame"] == m["n_obs"] + sum(d["rows"] for d in m["rows_dropped"])
    table = (ROOT / "results" / "tables" / f"{hypothesis}.md").read_text()
    for m in fit["models"]:
        assert f"{m['n_obs']:,}" in table


def test_claims_ledger_follows_the_rules(pipeline_results, dataframe_regression):
    """One row per claim with the contract's columns; every verdict is what the rule gives
    for the row's own numbers; no degenerate fit is supported; verdicts and numbers pinned."""
    from analysis.report.claims import CLAIMS, LEDGER_COLUMNS, evidence
    from analysis.report.verdicts import verdict

    t = pd.read_csv(pipeline_results / "claims.csv")
    assert list(t.columns) == LEDGER_COLUMNS
    assert t["claim_id"].tolist() == [c.id for c in CLAIMS]
    assert set(t["scale"]) <= {"log", "exp", "linear"}
    assert (t["p_robust_method"] != "none declared").all()
    for r in t.to_dict("records"):
        assert verdict(evidence(r)) == r["verdict"], r["claim_id"]
        if r["degenerate"]:
            assert r["verdict"] in ("fragile", "inconclusive")
    md = (pipeline_results / "claims.md").read_text()
    assert "p = 0.000" not in md
    for r in t[t["verdict"] == "inconclusive"].itertuples():
        assert "cannot rule out effects smaller than" in md.split(f"## {r.claim_id}.")[1]
    pins = t[["claim_id", "verdict", "estimate", "p_value", "p_robust", "p_holm", "mde",
              "spec_n", "spec_share_expected"]].set_index("claim_id")  # fmt: skip
    dataframe_regression.check(pins.reset_index(), default_tolerance={"rtol": 1e-6, "atol": 1e-9})


@pytest.mark.parametrize("hypothesis", HYPOTHESES)
def test_no_star_on_a_degenerate_coefficient(models_dir, hypothesis):
    fit = json.loads((models_dir / hypothesis / "fit.json").read_text())
    md = (ROOT / "results" / "tables" / f"{hypothesis}.md").read_text()
    flagged = [t for m in fit["models"] for t in m["degenerate_terms"]]
    assert ("†" in md) == bool(flagged)
    for line in md.splitlines():
        if not line.startswith("|"):
            continue  # the notes define both marks
        for cell in line.split("|"):
            assert not ("†" in cell and "*" in cell), cell
