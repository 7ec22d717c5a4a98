"""wildboottest's WCR bootstrap denominators, compiled once per process instead of per call.

pyfixest's ``Feols.wildboottest`` runs the ``wildboottest`` package, whose
``WildboottestCL.get_denom`` defines its numba kernel inside the method: numba compiled it
again on every call (~0.6 s; a robustness job bootstraps up to five models), and a Python
double loop filled its G x G matrix H with four matrix products per cell. This module gives
the method the same kernel defined once at module level (compiled once, cached on disk by
numba), the loop's product prefix computed once per row of H, and the weights transposed so
the kernel reads them in memory order. Every number comes from the same operations on the
same operands in the same order, so the denominators are bit-identical
(tests/test_wild_denominator.py compares them with the package's own).

The patch is small and bound to the package version it was read against: :func:`install`
leaves any other version alone (its own method runs, slower) and says so, and the test
fails so that someone reads the new version.
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import numpy as np
from numba import njit
from wildboottest.wildboottest import WildboottestCL

PATCHED_VERSION = "0.3.2"  # the wildboottest release whose get_denom this reproduces
ORIGINAL_GET_DENOM = WildboottestCL.get_denom


@njit(cache=True)
def _denominators(Cg: Any, HT: Any, n_boot_clusters: int, B: int, G: int, vT: Any, ssc: Any):
    # wildboottest 0.3.2's compute_denom, its loops over g and h swapped: each vH[g] still
    # sums v[h, b] * H[g, h] over h in order, now G independent sums side by side (which the
    # compiler can run in SIMD lanes) instead of one long chain; vT[b, h] = v[h, b] and
    # HT[h, g] = H[g, h], read in memory order
    denom = np.zeros(B)
    for b in range(B):
        vH = np.zeros(n_boot_clusters)
        for ixh in range(n_boot_clusters):
            vhb = vT[b, ixh]
            for ixg in range(n_boot_clusters):
                vH[ixg] += vhb * HT[ixh, ixg]
        Zg = np.zeros(G)
        for ixg in range(n_boot_clusters):
            Zg[ixg] = Cg[ixg] * vT[b, ixg] - vH[ixg]
        denom[b] = ssc * np.sum(np.power(Zg, 2))
    return denom


def _get_denom(self: WildboottestCL) -> None:
    """``WildboottestCL.get_denom`` for CRV1 without parallel threads (what pyfixest asks);
    any other case runs the package's own method."""
    if self.crv_type != "crv1" or self.parallel:
        ORIGINAL_GET_DENOM(self)
        return
    H = np.zeros((self.G, self.G))
    for ixg in range(len(self.bootclustid)):
        # the package computes R @ tXXinv @ tXgXg @ tXXinv @ s left to right for every cell:
        # the same prefix, once per row
        prefix = self.R @ self.tXXinv @ self.tXgXg_list[ixg] @ self.tXXinv
        for ixh in range(len(self.bootclustid)):
            H[ixg, ixh] = prefix @ self.scores_mat[:, ixh]
    vT = np.ascontiguousarray(np.asarray(self.v).T)
    HT = np.ascontiguousarray(H.T)
    self.denom = _denominators(self.Cg, HT, len(self.bootclustid), self.B, self.G, vT, self.ssc)


def install() -> bool:
    """Give ``WildboottestCL`` the compiled-once denominator, if the installed wildboottest
    is the version it reproduces; returns whether it is in place."""
    if version("wildboottest") != PATCHED_VERSION:
        return False
    WildboottestCL.get_denom = _get_denom
    return True


def warm_up() -> None:
    """Load (or compile) the kernel for the weights pyfixest passes (Rademacher/Webb as
    integers or floats) once, in the job server, instead of in every robustness fork
    (~0.3 s each from numba's disk cache, several seconds on a fresh checkout)."""
    one = np.ones(2)
    square = np.ones((2, 2))
    for weights in (square, np.ones((2, 2), dtype=np.int64)):
        _denominators(one, square, 2, 2, 2, weights, 1.0)
