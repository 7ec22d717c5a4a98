"""Separation seen before a fit (analysis/models/separation.py): a flagged sample is one the
fit could only end unconverged (or fail on), so refusing it changes no pairs-bootstrap count."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core.errors import PipelineError
from analysis.models.estimate import fit_model
from analysis.models.separation import separating_term
from analysis.models.spec import ModelSpec


def test_a_treatment_without_events_separates():
    y = pd.Series([0.0, 1.0, 0.0, 1.0, 0.0, 0.0])
    X = pd.DataFrame({"size": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "treated": [0, 0, 0, 0, 1, 1.0]})
    assert separating_term(y, X) == "every row with treated = 1 has outcome 0"
    # untreated rows with one outcome separate too (the constant is in the design's span)
    y_untreated = pd.Series([1.0, 1.0, 1.0, 1.0, 0.0, 1.0])
    assert separating_term(y_untreated, X) == "every row with treated = 0 has outcome 1"
    X["treated"] = [0, 1, 0, 0, 1, 0.0]
    assert separating_term(y, X) is None  # both values meet both outcomes
    assert separating_term(y, X[["size"]]) is None  # no two-valued column


def _spec(**kw) -> ModelSpec:
    base = dict(name="m", label="m", outcome="y", regressors=["treated"], controls=["x"],
                estimator="logit", fixed_effects=["year"], vcov={"type": "cluster", "by": ["g"]})  # fmt: skip
    return ModelSpec(**(base | kw))


@st.composite
def samples(draw) -> pd.DataFrame:
    """Small logit samples with few treated rows and rare events: separation is common."""
    n = draw(st.integers(40, 120))
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    treated = (rng.random(n) < draw(st.floats(0.03, 0.3))).astype(float)
    x = rng.normal(size=n)
    p = 1 / (1 + np.exp(-(draw(st.floats(-3.0, 0.0)) + 0.5 * x + 0.5 * treated)))
    return pd.DataFrame({
        "y": (rng.random(n) < p).astype(float), "treated": treated, "x": x,
        "year": rng.integers(0, 3, n), "g": rng.integers(0, 15, n),
    })  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(samples(), st.sampled_from(["logit", "probit"]))
def test_a_refused_sample_could_only_end_unconverged(data, estimator):
    spec = _spec(estimator=estimator)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            refused = None
            fit_model(data, spec, refuse_separated=True)
        except PipelineError as err:
            refused = str(err)
        try:
            res = fit_model(data, spec)
            converged: bool | None = res.fit.converged
        except PipelineError:
            converged = None  # failed: discarded like an unconverged fit
    if refused is not None and "separated sample" in refused:
        assert converged is not True, refused


def test_refusal_is_only_for_binary_outcomes():
    data = pd.DataFrame({"y": [0.0, 1, 2, 0, 3, 0, 0, 0], "treated": [0, 0, 0, 0, 0, 0, 1, 1.0],
                         "x": np.arange(8.0), "year": [0, 1] * 4, "g": np.arange(8)})  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_model(data, _spec(estimator="poisson"), refuse_separated=True)
    assert "treated" in res.fit.params.index


@pytest.mark.parametrize("refuse", [False, True])
def test_the_pairs_bootstrap_counts_are_those_of_fitting_every_draw(refuse, monkeypatch):
    """The same bootstrap row whether separated draws are refused or fitted to their limit."""
    from analysis.models import robustness
    from analysis.models.spec import HypothesisSpec

    rng = np.random.default_rng(3)
    n = 600
    d = pd.DataFrame({"g": rng.integers(0, 30, n), "x": rng.normal(size=n),
                      "year": rng.integers(0, 4, n)})  # fmt: skip
    # six treated clusters, one without an event: a draw of only that one is separated
    d["treated"] = (d["g"] < 6).astype(float)
    d["y"] = (rng.random(n) < 1 / (1 + np.exp(-(-1.5 + 0.4 * d["x"] - 1.0 * d["treated"])))) * 1.0
    d.loc[d["g"] == 5, "y"] = 0.0
    model = _spec().model_dump() | {"focal": "treated"}
    hyp = HypothesisSpec(
        hypothesis="h99", title="t", frame="f", models=[model],
        robustness={"pairs_bootstrap": {"models": ["m"], "reps": 99, "seed": 11}},
    )  # fmt: skip
    rows = {}
    real = robustness._quiet_fit
    for flag in (refuse, not refuse):
        monkeypatch.setattr(
            robustness, "_quiet_fit",
            lambda f, s, m=None, refuse_separated=False, _flag=flag: real(f, s, m, refuse_separated=_flag),
        )  # fmt: skip
        rows[flag] = robustness.run_pairs_bootstrap({"f": d}, hyp)
    pd.testing.assert_frame_equal(rows[True], rows[False])
    assert rows[True]["failed"].iloc[0] > 0  # the data do produce separated draws
