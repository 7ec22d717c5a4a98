"""The RD wrapper (analysis.models.rd) on synthetic data with a planted jump at the cutoff."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.models import rd


def planted(n: int = 1500, jump: float = 0.3, seed: int = 7) -> tuple[pd.Series, pd.Series]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    y = 0.2 + 0.4 * x - 0.3 * x**2 + jump * (x >= 0) + rng.normal(0, 0.2, n)
    return pd.Series(y), pd.Series(x)


def test_recovers_a_planted_jump_with_a_robust_interval():
    y, x = planted(jump=0.3)
    r = rd.rd_estimate(y, x, "y")
    assert r.estimate == pytest.approx(0.3, abs=0.08)
    assert r.ci_low_robust < 0.3 < r.ci_high_robust
    assert r.p_robust < 0.01
    assert 0 < r.bandwidth_h < r.bandwidth_b
    assert r.n_left + r.n_right == 1500
    assert 0 < r.n_eff_left <= r.n_left and 0 < r.n_eff_right <= r.n_right
    assert r.note == "ok"


def test_no_jump_is_not_significant_and_outputs_are_deterministic():
    y, x = planted(jump=0.0, seed=3)
    a, b = rd.rd_estimate(y, x, "y"), rd.rd_estimate(y, x, "y")
    assert a == b
    assert a.p_robust > 0.05


def test_density_test_passes_a_uniform_running_variable():
    _, x = planted()
    d = rd.density_test(x)
    assert d["density_p"] > 0.05
    assert d["density_n_eff_left"] > 0 and d["density_n_eff_right"] > 0


def test_too_few_observations_gives_no_estimate_and_says_so():
    y, x = planted(n=12)
    r = rd.rd_estimate(y, x, "y")
    assert np.isnan(r.estimate) and "too few" in r.note


def test_bins_never_straddle_the_cutoff_and_count_every_row():
    y, x = planted(n=300)
    bins = rd.rd_bins(y, x, "y", n_bins=5)
    assert bins["n"].sum() == 300
    assert (bins.loc[bins["side"] == "left", "x_mid"] < 0).all()
    assert (bins.loc[bins["side"] == "right", "x_mid"] > 0).all()
    fit = rd.local_linear_fit(y, x, h=0.5)
    left, right = fit[fit["side"] == "left"], fit[fit["side"] == "right"]
    gap = right.loc[right["x"] == 0, "fit"].iloc[0] - left.loc[left["x"] == 0, "fit"].iloc[0]
    assert gap == pytest.approx(0.3, abs=0.1)
