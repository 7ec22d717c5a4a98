"""The direct model matrix (analysis/models/backends/pyfixest_matrix.py) gives pyfixest the
matrix formulaic gives, so refits inside ``direct_model_matrix`` are the formula fits bit for
bit, and anything it does not cover goes through formulaic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core.errors import PipelineError
from analysis.models.backends import pyfixest_matrix as M
from analysis.models.design import build_design, select_sample
from analysis.models.estimate import fit_model
from analysis.models.robustness import _PairsDraws
from analysis.models.spec import ModelSpec


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n = 900
    d = pd.DataFrame({
        "x": rng.normal(size=n), "z": rng.normal(size=n),
        "city": rng.integers(0, 150, n), "year": rng.integers(2000, 2006, n),
    })  # fmt: skip
    d["region"] = np.array(list("ABCDEFGHIJKLMNOPQRST"))[d["city"] % 20]  # cities nested
    d["y"] = rng.poisson(np.exp(0.2 + 0.3 * d["x"] - 0.2 * d["z"])).astype(float)
    d["ly"] = np.log1p(d["y"]) + rng.normal(size=n)
    return d


def spec(**over) -> ModelSpec:
    base = {"name": "m", "label": "m", "outcome": "y", "regressors": ["x"], "controls": ["z"],
            "estimator": "poisson", "backend": "pyfixest", "fixed_effects": ["city"],
            "vcov": {"type": "cluster", "by": ["region"]}}  # fmt: skip
    return ModelSpec.model_validate(base | over)


def _numbers(res) -> tuple[bytes, bytes, int, bytes]:
    return (res.fit.params.to_numpy().tobytes(), res.fit.cov.to_numpy().tobytes(),
            res.fit.n_obs, np.asarray(res.fit.used).tobytes())  # fmt: skip


class _Counting:
    """Counts the fits that went through formulaic."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        original = M._FORMULAIC

        def counted(**kwargs):
            self.calls += 1
            return original(**kwargs)

        monkeypatch.setattr(M, "_FORMULAIC", counted)


@pytest.mark.parametrize(
    "over",
    [
        {},  # Poisson, city fixed effects, region clusters
        {"fixed_effects": ["city", "year"]},  # two fixed effects (the backend's order)
        {"estimator": "ols", "outcome": "ly", "fixed_effects": ["year"], "controls": []},
        {"estimator": "ols", "outcome": "ly", "fixed_effects": [], "backend": "pyfixest"},
    ],
)
def test_bootstrap_refits_equal_formula_refits_bit_for_bit(frame, over, monkeypatch):
    s = spec(**over)
    res = fit_model(frame, s)
    draws = _PairsDraws(frame, res, "region")
    picks = [draws.pick(np.random.default_rng(k)) for k in range(8)]
    formula = [fit_model(draws.sample(p), draws.spec) for p in picks]
    counting = _Counting(monkeypatch)
    with M.direct_model_matrix():
        direct = [fit_model(draws.sample(p), draws.spec) for p in picks]
    for a, b in zip(formula, direct, strict=True):
        assert _numbers(a) == _numbers(b)
    # formulaic once, for the check of the first fit (a draw with a singleton city: more)
    assert 1 <= counting.calls < len(picks)


def test_rows_to_drop_go_through_formulaic(frame, monkeypatch):
    """A sample with singleton fixed-effect groups (and, after them, without): the first
    is fitted through formulaic, which drops them; the numbers are the formula fit's."""
    s = spec()
    alone = frame.assign(city=np.where(frame.index < 40, 1000 + frame.index, frame["city"]))
    counting = _Counting(monkeypatch)
    with M.direct_model_matrix():
        fits = [fit_model(alone, s), fit_model(frame, s), fit_model(alone, s)]
    assert counting.calls == 3  # singletons (formulaic), the check, singletons again
    assert fits[0].fit.n_obs == fits[2].fit.n_obs < len(frame)
    assert _numbers(fits[0]) == _numbers(fit_model(alone, s))
    assert _numbers(fits[1]) == _numbers(fit_model(frame, s))


def test_outside_the_block_and_other_formulas_take_formulaic(frame, monkeypatch):
    counting = _Counting(monkeypatch)
    fit_model(frame, spec())  # no block: formulaic
    assert counting.calls == 1
    data = frame[["y", "x", "city"]].rename(columns={"x": "x0", "city": "fe0"})
    formula = M._pf_model_matrix.Formula(_second_stage="y ~ x0 + log(x0)", _fixed_effects="fe0")
    with M.direct_model_matrix():
        M.create_model_matrix(formula=formula, data=data.copy(), drop_singletons=True)
    assert counting.calls == 2  # a transformed term is not the backend's shape


def test_a_matrix_that_differs_is_refused(frame, monkeypatch):
    """When the direct matrix is not formulaic's (e.g. another pyfixest version), the shape
    takes formulaic for good, and the fits stay the formula fits."""
    s = spec()
    expected = _numbers(fit_model(frame, s))
    monkeypatch.setattr(M, "same_matrix", lambda a, b: False)
    counting = _Counting(monkeypatch)
    with M.direct_model_matrix():
        got = [_numbers(fit_model(frame, s)) for _ in range(3)]
    assert counting.calls == 3 and got == [expected] * 3


def test_same_matrix_sees_values_order_and_layout(frame):
    data = frame[["y", "x", "z", "city"]].rename(columns={"x": "x0", "z": "x1", "city": "fe0"})
    formula = M._pf_model_matrix.Formula(_second_stage="y ~ x0 + x1", _fixed_effects="fe0")
    ref = M._FORMULAIC(formula=formula, data=data.copy(), drop_singletons=False)
    direct = M._direct(data.copy(), ("x0", "x1"), ("fe0",), False)
    assert M.same_matrix(ref, direct)
    # one block per column, as pyfixest's slices of formulaic's frame
    assert [m.independent._mgr.nblocks for m in (ref, direct)] == [2, 2]
    swapped = M._direct(data.copy(), ("x1", "x0"), ("fe0",), False)
    assert not M.same_matrix(ref, swapped)
    other = data.assign(x0=data["x0"] + 1e-15)
    assert not M.same_matrix(ref, M._direct(other, ("x0", "x1"), ("fe0",), False))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 4), st.sampled_from([0.0, 0.0, 1.0, 2.0])),
        min_size=6,
        max_size=40,
    )
)
def test_separation_check_void_is_pyfixest_fe_check_dropping_nothing(rows):
    """The backend skips pyfixest's "fe" separation check exactly when that check, on the
    rows left after pyfixest drops singletons, would drop none (singletons can leave a
    group of the other fixed effect without events)."""
    from pyfixest.estimation.models.fepois_ import _check_for_separation_fe

    from analysis.models.backends.pyfixest_backend import _separation_check_void

    d = pd.DataFrame(rows, columns=["a", "b", "y"]).assign(x=lambda f: np.arange(len(f)) % 3)
    s = spec(outcome="y", regressors=["x"], controls=[], fixed_effects=["a", "b"],
             vcov={"type": "iid"})  # fmt: skip
    try:  # the design the backend would get (no fit: pyfixest aborts on some tiny ones)
        design = build_design(select_sample(d, s).data, s)
    except PipelineError:
        return  # nothing left to fit
    if design.y.empty:
        return
    frame = pd.DataFrame({"y": design.y.to_numpy(), "x0": design.X["x"].to_numpy(),
                          "fe0": design.fe.iloc[:, 0].to_numpy(),
                          "fe1": design.fe.iloc[:, 1].to_numpy()})  # fmt: skip
    formula = M._pf_model_matrix.Formula(_second_stage="y ~ x0", _fixed_effects="fe1 + fe0")
    mm = M._FORMULAIC(formula=formula, data=frame, drop_singletons=True)
    dropped = _check_for_separation_fe("", frame, mm.dependent, mm.independent, mm.fixed_effects)
    assert _separation_check_void(design) == (not dropped)
