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
    dataframe_regression.check(table, default_tolerance={"rtol": 1e-6, "atol": 1e-9})


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
