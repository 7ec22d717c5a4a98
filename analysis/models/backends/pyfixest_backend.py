"""pyfixest: OLS, Poisson and logit with absorbed fixed effects (feols, fepois, feglm)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyfixest as pf
from pyfixest.core.detect_singletons import detect_singletons
from pyfixest.estimation.formula import model_matrix as _pf_model_matrix

from analysis.core.errors import PipelineError
from analysis.models.backends import BackendFit
from analysis.models.backends import pyfixest_matrix as _direct_matrix  # noqa: F401 (patches)
from analysis.models.design import INTERCEPT, Design
from analysis.models.spec import ModelSpec

# pyfixest demeans the fixed effects in the order of the formula it writes for them, and its
# encoder takes that order from a Python set of their names, i.e. from the string-hash seed:
# with two fixed effects the alternating projections then stop at one of two points a
# tolerance apart, and clustered standard errors moved in the 7th digit from one process to
# the next unless PYTHONHASHSEED was pinned. This encoder keeps the formula's order, which
# fit() sets (_demeaning_order).
_PF_ENCODE = _pf_model_matrix._encode_fixed_effects


def _encode_fixed_effects_in_order(fixed_effects: str, data: pd.DataFrame) -> str:
    fes = list(dict.fromkeys(re.split(r"\s*\+\s*", fixed_effects)))
    if any("^" in fe for fe in fes):  # interacted effects (never written by fit): pyfixest's
        return _PF_ENCODE(fixed_effects, data)
    return " + ".join(f"__fixed_effect__({fe})" for fe in fes) + " - 1"


_pf_model_matrix._encode_fixed_effects = _encode_fixed_effects_in_order


def _demeaning_order(names: list[str]) -> list[str]:
    """The spec's fixed effects, last first: the order pyfixest's set gave the pipeline's
    pinned hash seed (PYTHONHASHSEED=0, analysis/workflow/jobenv.py) for two fixed effects,
    so the published numbers stay what they were; now fixed whatever the seed."""
    return names[::-1]


def _ssc(spec: ModelSpec) -> dict:
    if spec.vcov.type == "iid":
        # Linear: s² on N−K, as statsmodels; Poisson: the plain inverse information.
        ok = spec.estimator == "ols"
        return pf.ssc(k_adj=ok, G_adj=False)
    if spec.small_sample == "standard":
        return pf.ssc(k_adj=True, G_adj=True)
    if spec.small_sample == "cluster_only":
        return pf.ssc(k_adj=False, G_adj=True)
    return pf.ssc(k_adj=False, G_adj=False)


def _vcov(spec: ModelSpec, names: dict[str, str]):
    kind = spec.vcov.type
    if kind == "iid":
        return "iid"
    if kind == "hc1":
        return "hetero"
    return {"CRV1": "+".join(names[c] for c in spec.vcov.by)}


def _separation_check_void(design: Design) -> bool:
    """Whether pyfixest's "fe" separation check would drop nothing: after pyfixest drops
    singleton groups (over every fixed effect, repeatedly), each remaining group of each
    fixed effect has a positive outcome. The layer already dropped groups without events
    (design.drop_uninformative_groups), so the check rarely drops anything, and with two
    fixed effects it tabulates every group with pd.crosstab (~0.1 s per H5 dyadic fit).
    Rows with a non-finite value keep the check (pyfixest drops them first)."""
    if design.fe.shape[1] == 0 or design.y.empty:
        return False
    y = design.y.to_numpy()
    if not np.isfinite(y).all() or not np.isfinite(design.X.to_numpy(dtype=float)).all():
        return False
    codes = np.column_stack([pd.factorize(design.fe[c])[0] for c in design.fe]).astype("int32")
    keep = ~detect_singletons(np.asfortranarray(codes))  # pyfixest's test, by column
    positive = y[keep] > 0
    for g in codes[keep].T:
        events = np.bincount(g, weights=positive)
        if (events[np.bincount(g) > 0] == 0).any():
            return False
    return True


def _felogit(fml: str, data: pd.DataFrame, **kwargs):
    """Logit with absorbed fixed effects (pyfixest's GLM; it takes no separation option)."""
    kwargs.pop("separation_check", None)
    return pf.feglm(fml, data, family="logit", **kwargs)


def fit(design: Design, spec: ModelSpec) -> BackendFit:
    # Generated column names keep user column names out of the formula string entirely.
    terms = [c for c in design.X.columns if c != INTERCEPT]
    data = {"y": design.y.to_numpy()}
    xs = {t: f"x{i}" for i, t in enumerate(terms)}
    data |= {xs[t]: design.X[t].to_numpy() for t in terms}
    fes = {c: f"fe{i}" for i, c in enumerate(design.fe.columns)}
    data |= {fes[c]: design.fe[c].to_numpy() for c in design.fe}
    cls = {c: f"cl{i}" for i, c in enumerate(design.clusters.columns)}
    data |= {cls[c]: design.clusters[c].to_numpy() for c in design.clusters}
    df = pd.DataFrame(data, index=design.y.index, copy=False)  # the design's arrays, not a copy
    fml = "y ~ " + (" + ".join(xs.values()) or "1")
    if fes:
        fml += " | " + " + ".join(_demeaning_order(list(fes.values())))
    func = {"ols": pf.feols, "poisson": pf.fepois, "logit": _felogit}.get(spec.estimator)
    if func is None:
        raise PipelineError(f"{spec.name}: pyfixest backend does not fit {spec.estimator!r}")
    try:
        extra: dict = {"iwls_tol": 1e-10} if spec.estimator in ("poisson", "logit") else {}
        if spec.estimator == "poisson" and _separation_check_void(design):
            extra["separation_check"] = []  # its "fe" check would drop nothing (~5% of a fit)
        res = func(fml, df, vcov=_vcov(spec, cls), ssc=_ssc(spec), copy_data=False, **extra)
    except Exception as err:  # pyfixest raises many types; name the model
        raise PipelineError(f"{spec.name}: pyfixest could not fit the model: {err}") from None
    back = {v: k for k, v in xs.items()} | {"Intercept": INTERCEPT}
    names = [back[str(c)] for c in res._coefnames]
    missing = sorted(set(design.X.columns) - set(names))
    if missing:
        raise PipelineError(f"{spec.name}: terms dropped as collinear by pyfixest: {missing}")
    order = list(design.X.columns)
    pos = pd.Index(names).get_indexer(order)  # by position: label lookups cost more than a
    # small curve fit; `missing` above guarantees every term is there
    params = pd.Series(np.asarray(res._beta_hat, dtype=float)[pos], index=order)
    cov = np.asarray(res._vcov, dtype=float)[np.ix_(pos, pos)]
    n = len(design.y)
    # positions pyfixest dropped (a set or an array, by version)
    na = np.fromiter((int(i) for i in getattr(res, "_na_index", ())), dtype=np.int64)
    dropped = np.zeros(n, dtype=bool)
    dropped[na[(na >= 0) & (na < n)]] = True
    used = design.y.index[~dropped] if dropped.any() else design.y.index
    stats: dict[str, float | None] = {}
    if spec.estimator == "ols":
        stats["r2"] = float(res._r2)
        if fes:
            stats["r2_within"] = float(res._r2_within)
    elif hasattr(res, "_loglik"):  # pyfixest's logit does not report a likelihood
        ll = float(res._loglik)
        stats |= {"loglik": ll, "pseudo_r2": float(res._pseudo_r2), "aic": 2 * res._k - 2 * ll}
    return BackendFit(
        params=params,
        cov=pd.DataFrame(cov, index=order, columns=order),
        n_obs=int(res._N),
        k=int(res._k),
        link={"ols": "identity", "logit": "logit"}.get(spec.estimator, "log"),
        backend="pyfixest",
        used=used,
        stats=stats,
        correction_note=(
            "K counts the slopes plus fixed-effect levels not nested in the clusters "
            "(pyfixest k_fixef='nonnested'); singleton groups dropped"
        ),
        raw=res,
        raw_names=xs,
    )
