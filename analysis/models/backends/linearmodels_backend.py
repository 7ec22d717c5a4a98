"""linearmodels: OLS (IV2SLS without instruments), absorbed-FE OLS (AbsorbingLS), PanelOLS."""

from __future__ import annotations

import numpy as np
import pandas as pd
from linearmodels.iv import IV2SLS, AbsorbingLS
from linearmodels.panel import PanelOLS

from analysis.core.errors import PipelineError
from analysis.models.backends import BackendFit
from analysis.models.backends.corrections import scale
from analysis.models.design import Design
from analysis.models.spec import ModelSpec


def _cov(spec: ModelSpec, design: Design) -> dict:
    kind = spec.vcov.type
    if kind == "iid":
        return {"cov_type": "unadjusted", "debiased": True}
    if kind == "hc1":
        return {"cov_type": "robust", "debiased": False}
    return {"cov_type": "clustered", "clusters": design.clusters, "debiased": False}


def _panel_ols(design: Design, spec: ModelSpec):
    """PanelOLS with entity (and time) effects absorbed by within transformation, never as
    dummies (H3's event study absorbs ~2,500 cities).

    Robust and clustered covariances are PanelOLS's own sandwich on the demeaned data with no
    correction (``debiased=False``, ``group_debias=False``, ``auto_df=False``,
    ``count_effects=False``): the layer applies the spec's small-sample correction with K
    counted as pyfixest counts it (:func:`_absorbed_k`), so both backends give the same SEs.
    Classical errors keep PanelOLS's s² on N − K − effects.
    """
    entity = design.fe.iloc[:, 0]
    time = (
        design.fe.iloc[:, 1]
        if design.fe.shape[1] > 1
        else entity.groupby(entity).cumcount()  # PanelOLS needs a second index level
    )
    idx = pd.MultiIndex.from_arrays([entity.to_numpy(), time.to_numpy()])
    if not idx.is_unique:
        raise PipelineError(
            f"{spec.name}: panel_fe needs one row per ({design.fe.columns[0]}, "
            f"{design.fe.columns[-1]}); the sample repeats {int(idx.duplicated().sum())} pairs"
        )
    y = pd.Series(design.y.to_numpy(), index=idx)
    Xp = pd.DataFrame(design.X.to_numpy(), index=idx, columns=design.X.columns)
    model = PanelOLS(y, Xp, entity_effects=True, time_effects=design.fe.shape[1] > 1)
    kw = _cov(spec, design)
    if spec.vcov.type == "iid":
        return model.fit(**kw)
    if "clusters" in kw:
        kw["clusters"] = pd.DataFrame(design.clusters.to_numpy(), index=idx)
        kw["group_debias"] = False
    return model.fit(**kw, auto_df=False, count_effects=False)


def fit(design: Design, spec: ModelSpec) -> BackendFit:
    X = design.X
    n_cl = [int(design.clusters[c].nunique()) for c in design.clusters]
    if spec.estimator == "panel_fe":
        res = _panel_ols(design, spec)
    elif design.fe.empty:
        res = IV2SLS(design.y, X, None, None).fit(**_cov(spec, design))
    else:
        absorb = design.fe.astype("category")
        res = AbsorbingLS(design.y, X, absorb=absorb).fit(**_cov(spec, design))
    n = int(res.nobs)
    if spec.vcov.type == "twoway":
        raise ValueError("two-way clustering is fitted by statsmodels or pyfixest")
    k_corr = X.shape[1] + _absorbed_k(design, spec)
    cov = pd.DataFrame(np.asarray(res.cov), index=X.columns, columns=X.columns)
    if spec.vcov.type != "iid":
        cov = cov * scale(spec, n, k_corr, n_cl)
    stats: dict[str, float | None] = {"r2": float(res.rsquared), "loglik": None}
    if spec.estimator == "panel_fe":
        stats["r2_within"] = float(res.rsquared_within)
    return BackendFit(
        params=pd.Series(np.asarray(res.params, dtype=float), index=X.columns),
        cov=cov,
        n_obs=n,
        k=k_corr,
        link="identity",
        backend="linearmodels",
        used=design.y.index,
        stats=stats,
        correction_note=(
            "K counts the slopes plus absorbed fixed-effect levels, except levels nested in "
            "the clusters"
        ),
    )


def _absorbed_k(design: Design, spec: ModelSpec) -> int:
    """Absorbed fixed-effect levels counted in K, as pyfixest counts them (k_fixef="nonnested"):
    with clustered errors, an effect nested in the clusters counts nothing and then every level
    of the other effects counts; otherwise all levels count, less one per extra effect."""
    if design.fe.empty:
        return 0
    levels = design.fe.nunique()
    if spec.vcov.type == "cluster":
        cl = design.clusters.iloc[:, 0]
        nested = [c for c in design.fe if (cl.groupby(design.fe[c]).nunique() == 1).all()]
        if nested:
            return int(levels.drop(nested).sum())
    return int(levels.sum()) - (design.fe.shape[1] - 1)
