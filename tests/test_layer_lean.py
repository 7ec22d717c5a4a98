"""The estimation layer holds no copies its backend already holds, and its pyfixest fits do
not depend on the process's string-hash seed."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from analysis.models.design import FrameMasks, build_design, group_codes, select_sample
from analysis.models.spec import ModelSpec
from tests.conftest import ROOT

INTS = st.sampled_from([np.int8, np.int32, np.int64, np.uint16, np.uint64])


@given(
    dtype=INTS,
    values=st.lists(st.integers(0, 120), min_size=1, max_size=60),
    shift=st.integers(-50, 50),
)
def test_group_codes_are_sorted_factorize_codes(dtype, values, shift):
    info = np.iinfo(dtype)
    v = np.clip(np.array(values, dtype=np.int64) + shift, info.min, info.max).astype(dtype)
    codes = group_codes(pd.Series(v))
    assert codes.dtype == np.int64
    np.testing.assert_array_equal(codes, pd.factorize(pd.Series(v), sort=True)[0])


@given(arrays(np.float64, st.integers(1, 40), elements=st.sampled_from([0.5, -2.0, 7.0, np.nan])))
def test_group_codes_of_other_columns_are_factorize_codes(v):
    for s in (pd.Series(v), pd.Series(v).astype(str), pd.Series(v > 0)):
        np.testing.assert_array_equal(group_codes(s), pd.factorize(s, sort=True)[0])


def test_group_codes_keep_dense_codes_and_rank_sparse_ids():
    dense = np.array([2, 0, 1, 1, 0], dtype=np.int64)
    assert group_codes(pd.Series(dense)) is not None
    assert np.shares_memory(group_codes(pd.Series(dense, copy=False)), dense)
    wide = np.array([10**12, 5, 5])  # range far beyond the length: factorize
    np.testing.assert_array_equal(group_codes(pd.Series(wide)), [1, 0, 0])


def _panel(n_units: int = 60, n_years: int = 6, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    keep = rng.random(n_units * n_years) > 0.15  # unbalanced: demeaning takes iterations
    unit = np.repeat(np.arange(n_units), n_years)[keep]
    year = np.tile(2000 + np.arange(n_years), n_units)[keep]
    a, g = rng.normal(size=n_units)[unit], rng.normal(size=n_years)[year - 2000]
    x1 = rng.normal(size=len(unit)) + 0.5 * a
    x2 = rng.normal(size=len(unit)) + 0.5 * g
    mu = np.exp(0.3 * x1 - 0.2 * x2 + 0.5 * a + 0.5 * g)
    return pd.DataFrame(
        {"unit": unit.astype(np.int32), "year": year.astype(np.int32), "x1": x1, "x2": x2,
         "y": mu + rng.normal(size=len(unit)), "n": rng.poisson(mu),
         "cluster": (unit // 4).astype(np.int32)}
    )  # fmt: skip


def _spec(estimator: str = "ols") -> ModelSpec:
    return ModelSpec(
        name="lean",
        label="lean",
        outcome="y" if estimator == "ols" else "n",
        regressors=["x1", "x2"],
        fixed_effects=["unit", "year"],
        estimator=estimator,
        vcov={"type": "cluster", "by": ["cluster"]},
    )


def test_a_sample_of_every_row_holds_the_frame_arrays_not_copies():
    frame = _panel()
    masks = FrameMasks(frame)
    sample = select_sample(frame, _spec(), masks)
    assert sample.drops == [] and len(sample.data) == len(frame)
    x1 = frame["x1"].to_numpy()
    assert np.shares_memory(sample.data["x1"].to_numpy(), x1)
    design = build_design(sample.data, _spec())
    assert np.shares_memory(design.X["x1"].to_numpy(), x1)
    assert np.shares_memory(design.y.to_numpy(), frame["y"].to_numpy())
    # group codes: computed once per frame column and handed on as they are
    for col, frame_col in (("unit", "unit"), ("year", "year")):
        assert np.shares_memory(design.fe[col].to_numpy(), masks.group_codes(frame_col))
    assert np.shares_memory(design.clusters["cluster"].to_numpy(), masks.group_codes("cluster"))
    np.testing.assert_array_equal(design.fe["year"], frame["year"] - 2000)


def test_a_filtered_sample_is_a_subset_with_dense_codes():
    frame = _panel()
    frame.loc[frame.index[::7], "x2"] = np.nan
    sample = select_sample(frame, _spec())
    design = build_design(sample.data, _spec())
    kept = frame.dropna(subset=["x2"])
    np.testing.assert_array_equal(design.X["x2"], kept["x2"])
    for c in ("unit", "year"):
        np.testing.assert_array_equal(design.fe[c], pd.factorize(kept[c], sort=True)[0])


FIT = """
import sys, warnings
warnings.simplefilter("ignore")
import numpy as np
from tests.test_layer_lean import _panel, _spec
from analysis.models.estimate import fit_model
res = fit_model(_panel(), _spec(sys.argv[1]))
print(list(set("fe1 + fe0".split(" + "))))  # the set pyfixest builds of the names
print(repr(res.fit.params.to_numpy().tolist()), repr(np.diag(res.fit.cov.to_numpy()).tolist()))
"""


def test_two_fixed_effect_fits_do_not_depend_on_the_hash_seed():
    """pyfixest orders fixed effects by a set of their names; seeds 0 and 1 iterate it in
    opposite orders (checked below), which moved the Poisson fit's covariance (~1e-9 here,
    1e-7 in H5's dyadic models) before the pyfixest backend fixed the demeaning order."""
    out = {}
    for seed in ("0", "1"):
        env = os.environ | {"PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        run = subprocess.run(
            [sys.executable, "-c", FIT, "poisson"], cwd=ROOT, env=env, capture_output=True,
            text=True,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr[-2000:]
        out[seed] = run.stdout.splitlines()
    assert out["0"][0] != out["1"][0], "the two seeds no longer order the set differently"
    assert out["0"][1] == out["1"][1]
