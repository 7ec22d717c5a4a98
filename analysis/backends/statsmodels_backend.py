"""statsmodels: OLS, logit, probit, fractional logit, Poisson and NB2; fixed effects as dummies."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.special import gammaln
from statsmodels.stats.sandwich_covariance import cov_cluster
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

from analysis.backends import BackendFit
from analysis.backends.corrections import scale
from analysis.design import Design
from analysis.errors import PipelineError
from analysis.modelspec import ModelSpec

LINKS = {"ols": "identity", "logit": "logit", "probit": "probit", "fractional_logit": "logit"}
LINKS |= {"poisson": "log", "negbin": "log"}


def _dummies(design: Design) -> pd.DataFrame:
    if design.fe.empty:
        return design.X
    parts = [design.X]
    if "Intercept" not in design.X:
        parts.append(pd.DataFrame({"_const": 1.0}, index=design.X.index))
    for col in design.fe:
        d = pd.get_dummies(design.fe[col], prefix=f"_fe_{col}", drop_first=True, dtype=float)
        parts.append(d)
    return pd.concat(parts, axis=1)


def _model(spec: ModelSpec, y: pd.Series, X: pd.DataFrame):
    est = spec.estimator
    if est == "ols":
        return sm.OLS(y, X)
    if est == "logit":
        return sm.Logit(y, X)
    if est == "probit":
        return sm.Probit(y, X)
    if est == "fractional_logit":
        return sm.GLM(y, X, family=sm.families.Binomial())
    if est == "poisson":
        return sm.GLM(y, X, family=sm.families.Poisson())
    if est == "negbin":
        return sm.NegativeBinomial(y, X, loglike_method="nb2")
    raise PipelineError(f"{spec.name}: statsmodels does not fit {est!r}")


def _cov_args(spec: ModelSpec, design: Design) -> dict:
    kind = spec.vcov.type
    if kind == "iid":
        return {"cov_type": "nonrobust"}
    if kind == "hc1":
        return {"cov_type": "HC0"}
    if kind == "cluster":
        groups = design.clusters.to_numpy()[:, 0]
        return {"cov_type": "cluster", "cov_kwds": {"groups": groups, "use_correction": False}}
    return {"cov_type": "nonrobust"}  # two-way: combined from one-way sandwiches below


def _two_way(res, design: Design) -> np.ndarray:
    """Cameron-Gelbach-Miller: V_g + V_h − V_gh, each uncorrected (CR0)."""
    g, h = (design.clusters.iloc[:, i].to_numpy() for i in (0, 1))
    gh = pd.factorize(pd.MultiIndex.from_arrays([g, h]))[0]
    v = [cov_cluster(res, grp, use_correction=False) for grp in (g, h, gh)]
    return v[0] + v[1] - v[2]


def _fit_negbin(model, y: pd.Series, X: pd.DataFrame, kwargs: dict):
    """NB2 from Poisson start values and alpha = 0.5 (the default start can stall at alpha = 0)."""
    start = sm.GLM(y, X, family=sm.families.Poisson()).fit().params.to_numpy()
    start = np.append(start, 0.5)
    res = None
    for method in ("newton", "bfgs", "nm"):  # newton is fastest; it can step to alpha < 0
        res = model.fit(start_params=start, disp=0, maxiter=500, method=method, **kwargs)
        if res.mle_retvals.get("converged", False) and np.isfinite(res.params).all():
            return res
    return res


def fit(design: Design, spec: ModelSpec) -> BackendFit:
    X = _dummies(design)
    model = _model(spec, design.y, X)
    kwargs = _cov_args(spec, design)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            if spec.estimator == "negbin":
                res = _fit_negbin(model, design.y, X, kwargs)
            elif spec.estimator in ("logit", "probit"):
                res = model.fit(disp=0, maxiter=200, method="newton", **kwargs)
            elif spec.estimator == "ols":
                res = model.fit(**kwargs)
            else:
                res = model.fit(tol=1e-10, **kwargs)
        except (PerfectSeparationWarning, np.linalg.LinAlgError) as err:
            raise PipelineError(
                f"{spec.name}: {spec.estimator} could not be fitted: {err}"
            ) from None
    terms = list(design.X.columns)
    n, k = int(res.nobs), X.shape[1] + (1 if spec.estimator == "negbin" else 0)
    n_cl = [int(design.clusters[c].nunique()) for c in design.clusters]
    raw = _two_way(res, design) if spec.vcov.type == "twoway" else np.asarray(res.cov_params())
    cov = pd.DataFrame(raw, index=res.params.index, columns=res.params.index)
    cov = cov.loc[terms, terms] * scale(spec, n, X.shape[1], n_cl)
    stats: dict[str, float | None] = {"loglik": _float(getattr(res, "llf", None))}
    stats["aic"] = _float(getattr(res, "aic", None))
    if spec.estimator == "ols":
        stats["r2"] = float(res.rsquared)
    else:
        stats["pseudo_r2"] = _mcfadden(spec, design.y.to_numpy(), float(res.llf), res)
    if spec.estimator == "negbin":
        stats["nb_alpha"] = float(res.params["alpha"])
    if not bool(getattr(res, "mle_retvals", {}).get("converged", True)):
        raise PipelineError(f"{spec.name}: {spec.estimator} did not converge")
    return BackendFit(
        params=res.params[terms].astype(float),
        cov=cov,
        n_obs=n,
        k=k,
        link=LINKS[spec.estimator],
        backend="statsmodels",
        used=design.y.index,
        stats=stats,
        correction_note="K counts every estimated coefficient, fixed-effect dummies included",
    )


def _mcfadden(spec: ModelSpec, y: np.ndarray, llf: float, res) -> float:
    """McFadden's 1 − llf/llnull; the intercept-only log-likelihood in closed form where it
    exists (statsmodels would fit the null model again, which dominates run time)."""
    m = float(y.mean())
    if spec.estimator in ("logit", "probit", "fractional_logit"):
        with np.errstate(divide="ignore", invalid="ignore"):
            ll0 = float(
                np.sum(
                    np.where(y > 0, y * np.log(m), 0) + np.where(y < 1, (1 - y) * np.log(1 - m), 0)
                )
            )
    elif spec.estimator == "poisson":
        ll0 = float(np.sum(np.where(y > 0, y * np.log(m), 0) - m - gammaln(y + 1)))
    else:
        ll0 = float(res.llnull)
    return 1 - llf / ll0


def _float(v) -> float | None:
    return None if v is None or not np.isfinite(v) else float(v)
