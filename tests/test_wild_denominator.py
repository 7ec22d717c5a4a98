"""The compiled-once wild bootstrap denominator (analysis/models/backends/wild_denominator.py)
gives wildboottest's own numbers, bit for bit, and is in place for the pinned version."""

from __future__ import annotations

from importlib.metadata import version

import numpy as np
import pytest
from wildboottest.wildboottest import WildboottestCL

from analysis.models.backends import wild_denominator


def _denominators(get_denom, weights: str, G: int, seed: int) -> np.ndarray:
    """Run wildboottest's CRV1 steps as pyfixest does, with `get_denom` for the denominator."""
    rng = np.random.default_rng(seed)
    cluster = np.repeat(np.arange(G), rng.integers(1, 30, G))  # unbalanced clusters
    n = len(cluster)
    X = np.column_stack([np.ones(n), rng.normal(size=n), rng.lognormal(size=n)])
    Y = X @ np.array([1.0, 0.3, -2.0]) + rng.normal(size=G)[cluster] + rng.normal(size=n)
    R = np.array([0.0, 1.0, 0.0])
    boot = WildboottestCL(X=X, Y=Y, cluster=cluster, R=R, B=999, seed=seed, parallel=False)
    boot.get_scores(bootstrap_type="11", impose_null=True, adj=True, cluster_adj=True)
    boot.get_weights(weights_type=weights)
    boot.get_numer()
    get_denom(boot)
    return boot.denom


def test_pinned_version_is_patched():
    # A new wildboottest release must be read before the patch applies to it: install()
    # declines any other version, and then this test fails.
    assert version("wildboottest") == wild_denominator.PATCHED_VERSION
    assert wild_denominator.install()
    assert WildboottestCL.get_denom is wild_denominator._get_denom


@pytest.mark.parametrize(
    ("weights", "G"), [("rademacher", 12), ("webb", 40), ("norm", 7), ("mammen", 25)]
)
def test_denominators_are_bit_identical(weights: str, G: int):
    ours = _denominators(wild_denominator._get_denom, weights, G, seed=G)
    theirs = _denominators(wild_denominator.ORIGINAL_GET_DENOM, weights, G, seed=G)
    assert ours.shape == (999,) and np.isfinite(ours).all() and ours.min() > 0
    assert np.array_equal(ours, theirs)
