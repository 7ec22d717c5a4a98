"""Degenerate fits: estimates that exist numerically but not statistically.

A maximum-likelihood fit can "converge" to numbers that only say the likelihood has no
maximum: under (quasi-)separation a Poisson or logit coefficient runs off towards ±∞ and
stops where the optimizer's tolerance does (|b| of 15-80 on the log scale, a rate ratio of
e^-17), with a standard error that is either huge or, from the flat Hessian's clustered
sandwich, absurdly small. Stars on such a number are artefacts. A fixed effect that (almost)
absorbs the treatment leaves the slope identified from rounding noise only.

Rules (a term is degenerate when any holds):

- its estimate or standard error is not finite;
- non-linear models (log or logit link): |b| > ``MAX_ABS_LOG`` (15: a ratio beyond 3·10^6)
  or SE > ``MAX_SE_LOG`` (10: an interval spanning e^±20);
- SE > ``MAX_SE_RATIO`` · |b| with SE > 5 on such a link (a huge, uninformative interval);
- the regressor keeps less than ``MIN_WITHIN_SHARE`` of its variance within one of the
  model's fixed effects (the fixed effect absorbs it).

The intercept is exempt from the size bounds (its value depends on where the regressors'
zero lies). A model is degenerate when its focal term is, or a main effect that is part of
a focal interaction (a ``v2x_polyarchy`` of -82 voids ``v2x_polyarchy:rai``): separation in
an unrelated control leaves the other
coefficients at their MLE on the non-separated rows (Santos Silva & Tenreyro 2010), so a
separated control is flagged per term (no stars in tables) without voiding the focal one.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

MAX_ABS_LOG = 15.0
MAX_SE_LOG = 10.0
MAX_SE_RATIO = 10.0
MIN_WITHIN_SHARE = 1e-6


def term_reason(estimate: float, std_error: float, nonlinear: bool) -> str | None:
    """Why one coefficient is degenerate, or None when it is sound."""
    if not (math.isfinite(estimate) and math.isfinite(std_error)):
        return "non-finite estimate or standard error"
    if not nonlinear:
        return None  # linear slopes have no natural bound: their scale is the data's
    if abs(estimate) > MAX_ABS_LOG:
        return f"|b| = {abs(estimate):.1f} > {MAX_ABS_LOG:g} on the log scale (separation)"
    if std_error > MAX_SE_LOG:
        return f"SE = {std_error:.1f} > {MAX_SE_LOG:g} on the log scale"
    if std_error > 5 and std_error > MAX_SE_RATIO * abs(estimate):
        return f"SE {std_error:.1f} > {MAX_SE_RATIO:g}·|b| (uninformative)"
    return None


def absorbed_reason(x: pd.Series, fe: pd.DataFrame) -> str | None:
    """Whether a fixed effect leaves (almost) no within-group variance of regressor `x`."""
    return _absorbed(np.asarray(x, dtype=float), _group_codes(fe))


def _group_codes(fe: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each fixed effect's group codes and group sizes, computed once for all terms."""
    out = {}
    for col in fe.columns:
        g = pd.factorize(fe[col])[0]
        out[col] = (g, np.bincount(g))
    return out


def _absorbed(v: np.ndarray, groups: dict[str, tuple[np.ndarray, np.ndarray]]) -> str | None:
    total = float(np.var(v))
    if total == 0:
        return "regressor is constant in the estimation sample"
    for col, (g, sizes) in groups.items():
        means = np.bincount(g, weights=v) / sizes
        within = float(np.var(v - means[g]))
        if within < MIN_WITHIN_SHARE * total:
            return f"fixed effect {col!r} absorbs the regressor (within share {within / total:.1e})"
    return None


def fit_reasons(
    params: pd.Series,
    std_errors: pd.Series,
    nonlinear: bool,
    X: pd.DataFrame | None = None,
    fe: pd.DataFrame | None = None,
) -> dict[str, str]:
    """{term: reason} for every degenerate term of one fit (sorted by term order)."""
    out: dict[str, str] = {}
    groups = None  # factorized on the first term that needs them
    for term in params.index:
        bounded = nonlinear and term != "Intercept"
        reason = term_reason(float(params[term]), float(std_errors[term]), bounded)
        if reason is None and X is not None and fe is not None and not fe.empty and term in X:
            if groups is None:
                groups = _group_codes(fe)
            reason = _absorbed(np.asarray(X[term], dtype=float), groups)
        if reason is not None:
            out[term] = reason
    return out


def focal_reason(terms: dict[str, str], focal: str) -> str | None:
    """The model-level flag: the focal term's reason, else that of a main effect it
    interacts (``a`` or ``b`` of focal ``a:b``)."""
    if focal in terms:
        return terms[focal]
    for part in focal.split(":") if ":" in focal else []:
        if part in terms:
            return f"{part} (in the focal interaction): {terms[part]}"
    return None
