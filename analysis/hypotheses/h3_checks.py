"""H3's event-time terms and the tests of its event-study fits (the joint pre-trend test).

Kept apart from :mod:`analysis.hypotheses.h3_norm` (frames, figure data, figures) because
these work on any fit with ``rel_*`` terms: they read the fitted coefficients and covariance,
not the frames.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis.core.errors import PipelineError
from analysis.core.lazy import lazy_module
from analysis.models.estimate import FitResult

stats = lazy_module("scipy.stats")  # imported on first use (Snakefile start-up)

_REL = re.compile(r"^rel_([mp])(\d+)$")


def rel_name(k: int) -> str:
    """Dummy name of event time `k`: ``rel_m3`` for -3, ``rel_p0`` for 0, ``rel_p2`` for 2."""
    return f"rel_m{-k}" if k < 0 else f"rel_p{k}"


def rel_of(term: str) -> int | None:
    """Inverse of :func:`rel_name` (None for other terms)."""
    m = _REL.match(term)
    if m is None:
        return None
    return -int(m[2]) if m[1] == "m" else int(m[2])


def wald_test(
    params: pd.Series, cov: pd.DataFrame, terms: list[str], df_resid: int | None = None
) -> dict[str, float]:
    """Joint Wald test that `terms` are all zero, from the fitted covariance.

    ``chi2`` = b' V^-1 b with q = len(terms) degrees of freedom; with `df_resid` (linear
    models: G-1 when clustered, as :mod:`analysis.models.estimate` uses for t tests) the p-value is
    from F = chi2 / q on (q, df_resid), else from chi2(q). A singular V (more restrictions
    than clusters allow) uses the pseudo-inverse and its rank as q.
    """
    if not terms:
        raise PipelineError("wald_test: no terms to test")
    missing = [t for t in terms if t not in params.index]
    if missing:
        raise PipelineError(f"wald_test: terms not in the fit: {missing}")
    b = params[terms].to_numpy(dtype=float)
    V = cov.loc[terms, terms].to_numpy(dtype=float)
    q = int(np.linalg.matrix_rank(V))
    chi2 = float(b @ np.linalg.pinv(V) @ b)
    if df_resid is not None:
        f = chi2 / q
        return {
            "chi2": chi2,
            "F": f,
            "df1": q,
            "df2": df_resid,
            "p_value": float(stats.f.sf(f, q, df_resid)),
        }
    return {
        "chi2": chi2,
        "F": np.nan,
        "df1": q,
        "df2": np.nan,
        "p_value": float(stats.chi2.sf(chi2, q)),
    }


def is_event_model(res: FitResult) -> bool:
    return any(rel_of(t) is not None for t in res.spec.regressors)


def pretrend_test(res: FitResult) -> dict[str, object]:
    """Joint Wald test of the lead coefficients (``rel_m*``) of an event-study fit."""
    leads = [t for t in res.fit.params.index if (k := rel_of(t)) is not None and k < 0]
    row: dict[str, object] = {
        "model": res.spec.name,
        "outcome": res.spec.outcome,
        "n_leads": len(leads),
        "leads": " ".join(leads),
    }
    if not leads:
        return row | {
            "test": "",
            "chi2": np.nan,
            "F": np.nan,
            "df1": np.nan,
            "df2": np.nan,
            "p_value": np.nan,
            "note": "not testable: the model has no lead (rel_m*) terms; in h3_event every "
            "outcome's sources start in the reference year 2016",
        }
    df = res.df if res.dist == "t" else None
    out = wald_test(res.fit.params, res.fit.cov, leads, df)
    test = f"F({out['df1']}, {out['df2']})" if df is not None else f"chi2({out['df1']})"
    return row | {"test": test} | out | {"note": "H0: all leads are zero"}
