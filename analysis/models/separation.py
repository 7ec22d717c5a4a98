"""Quasi-complete separation of a binary-outcome model by a two-valued regressor, seen before
a fit.

When every row at one value of a two-valued column (a 0/1 treatment, say) has the same
outcome, the likelihood keeps rising as that column's coefficient runs off to infinity (the
design always spans a constant: an intercept or fixed effects), so no maximum exists and
Newton's method stops at its iteration limit without converging: a degenerate fit. In H3's
pairs bootstrap, 44 of 399 draws drew only non-ratifying countries without an adhesion; each
ran 200 Newton iterations, most of the bootstrap's work, to be discarded as degenerate.

Fixed-effect groups with one outcome are not this module's: the sample drops them before any
fit (`design.drop_uninformative_groups`). After a fit, `degenerate` flags terms that ran off.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BINARY_ESTIMATORS = ("logit", "probit")


def separating_term(y: pd.Series, X: pd.DataFrame) -> str | None:
    """The first column of `X` with two distinct values, one of which only ever goes with a
    single outcome, described; None when no such column exists. `y` is the 0/1 outcome of
    the rows `X` holds (the estimation sample)."""
    outcome = y.to_numpy(dtype=float)
    for term in X.columns:
        x = X[term].to_numpy(dtype=float)
        values = np.unique(x)
        if len(values) != 2:
            continue
        for v in values:
            at = outcome[x == v]
            if (at == at[0]).all():
                return f"every row with {term} = {v:g} has outcome {at[0]:g}"
    return None
