"""statsmodels: OLS, logit, probit, fractional logit, Poisson and NB2; fixed effects as dummies."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import gammaln
from statsmodels.discrete.discrete_model import Logit, NegativeBinomial, Probit
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import (
    GLM,
    GLMResults,
    GLMResultsWrapper,
    _check_convergence,
)
from statsmodels.regression.linear_model import OLS, WLS
from statsmodels.stats.sandwich_covariance import cov_cluster
from statsmodels.tools.sm_exceptions import (
    ConvergenceWarning,
    PerfectSeparationError,
    PerfectSeparationWarning,
)

from analysis.core.errors import PipelineError
from analysis.models.backends import BackendFit
from analysis.models.backends.corrections import scale
from analysis.models.design import Design
from analysis.models.spec import ModelSpec

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


class _Logit(Logit):
    """Logit that computes the fitted mean at given parameters once. Newton's method asks for
    it three times per step at the same point (perfect-prediction check, Hessian, score) and
    again for the final score, Hessian and clustered covariance: the same numbers, with one
    prediction per step instead of three."""

    _last: tuple[bytes, np.ndarray] | None = None

    def predict(
        self, params: Any, exog: Any = None, which: str = "mean", offset: Any = None
    ) -> Any:
        if exog is not None or offset is not None or which != "mean":
            return super().predict(params, exog=exog, which=which, offset=offset)
        p = np.asarray(params, dtype=float)
        key = p.tobytes()
        if self._last is None or self._last[0] != key:
            mu = np.asarray(super().predict(p))
            mu.flags.writeable = False  # shared by every caller: never modified in place
            self._last = (key, mu)
        return self._last[1]

    def _check_perfect_pred(self, params: Any, *args: Any) -> None:
        # statsmodels' Newton callback with `np.allclose(p - y, 0)` spelled out: the same
        # test (|p - y| <= 1e-8, false for NaN) without allclose's overhead at every step
        if np.all(np.abs(self.predict(params) - self.endog) <= 1e-8):
            if self.raise_on_perfect_prediction:
                raise PerfectSeparationError("Perfect separation detected, results not available")
            warnings.warn(
                "Perfect separation or prediction detected, parameter may not be identified",
                PerfectSeparationWarning,
                stacklevel=2,
            )


class _LeanGLM(GLM):
    """GLM whose IRLS steps skip what statsmodels computes but never reads (each weighted
    least-squares step's fitted values, residuals and scale) and test perfect prediction
    without `np.allclose`'s overhead. Every value that reaches a result comes from the same
    numpy calls in the same order as statsmodels' own `GLM._fit_irls` (0.15), so the numbers
    are bit-identical (tests/test_estimate.py compares them); any other fit option runs
    statsmodels' loop."""

    def _fit_irls(
        self,
        start_params: Any = None,
        maxiter: int = 100,
        tol: float = 1e-8,
        scale: Any = None,
        cov_type: str = "nonrobust",
        cov_kwds: Any = None,
        use_t: Any = None,
        **kwargs: Any,
    ) -> Any:
        endog, exog = self.endog, self.exog
        if (
            start_params is not None
            or maxiter < 1
            or endog.ndim != 1
            or kwargs.get("attach_wls", False)
            or kwargs.get("tol_criterion", "deviance") != "deviance"
            or kwargs.get("wls_method", "lstsq") != "lstsq"
        ):
            return super()._fit_irls(
                start_params, maxiter, tol, scale, cov_type, cov_kwds, use_t, **kwargs
            )
        atol = kwargs.get("atol")
        atol = tol if atol is None else atol
        rtol = kwargs.get("rtol", 0.0)
        family = self.family
        mu = family.starting_mu(endog)
        lin_pred = family.predict(mu)
        self.scale = self.estimate_scale(mu)
        dev = family.deviance(endog, mu, self.var_weights, self.freq_weights, self.scale)
        if np.isnan(dev):
            raise ValueError("The first guess on the deviance function returned a nan.")
        history = {"params": [np.inf, np.zeros(exog.shape[1])], "deviance": [np.inf, dev]}
        converged = False
        check_perfect = endog.squeeze().ndim == 1
        invalid = "NaN, inf or invalid value detected in {0}, estimation infeasible."
        for iteration in range(maxiter):
            self.weights = self.iweights * self.n_trials * family.weights(mu)
            wlsendog = lin_pred + family.link.deriv(mu) * (endog - mu) - self._offset_exposure
            w_half = np.sqrt(self.weights)
            if not np.all(np.isfinite(w_half)):
                raise ValueError(invalid.format("weights"))
            if not np.all(np.isfinite(wlsendog)):
                raise ValueError(invalid.format("endog"))
            wexog = np.asarray(w_half)[:, None] * exog
            params = np.linalg.lstsq(wexog, w_half * wlsendog, rcond=-1)[0]
            lin_pred = np.dot(exog, params)
            lin_pred += self._offset_exposure
            mu = family.fitted(lin_pred)
            history["params"].append(params)
            history["deviance"].append(
                family.deviance(endog, mu, self.var_weights, self.freq_weights, self.scale)
            )
            self.scale = self.estimate_scale(mu)
            if check_perfect and np.all(np.abs(mu - endog) <= 1e-8):  # allclose(mu - y, 0)
                warnings.warn(
                    "Perfect separation or prediction detected, parameter may not be identified",
                    category=PerfectSeparationWarning,
                    stacklevel=2,
                )
            converged = _check_convergence(history["deviance"], iteration + 1, atol, rtol)
            if converged:
                break
        self.mu = mu
        wls = WLS(wlsendog, exog, self.weights).fit(method="pinv")
        res = GLMResults(
            self,
            wls.params,
            wls.normalized_cov_params,
            self.scale,
            cov_type=cov_type,
            cov_kwds=cov_kwds,
            use_t=use_t,
        )
        res.method = "IRLS"
        res.mle_settings = {"wls_method": "lstsq", "optimizer": "IRLS"}
        history["iteration"] = iteration + 1
        res.fit_history = history
        res.converged = converged
        return GLMResultsWrapper(res)


def _model(spec: ModelSpec, y: pd.Series, X: pd.DataFrame):
    est = spec.estimator
    if est == "ols":
        return OLS(y, X)
    if est == "logit":
        return _Logit(y, X)
    if est == "probit":
        return Probit(y, X)
    if est == "fractional_logit":
        return _LeanGLM(y, X, family=families.Binomial())
    if est == "poisson":
        return _LeanGLM(y, X, family=families.Poisson())
    if est == "negbin":
        return NegativeBinomial(y, X, loglike_method="nb2")
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
    start = _LeanGLM(y, X, family=families.Poisson()).fit().params.to_numpy()
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
    # the reported terms' rows and columns by position: a label lookup (.loc) of a small
    # matrix costs more than a curve specification's fit
    fitted = res.params
    pos = fitted.index.get_indexer(terms)
    if (pos < 0).any():
        raise PipelineError(f"{spec.name}: statsmodels returned no coefficient for {terms}")
    factor = scale(spec, n, X.shape[1], n_cl)
    cov = pd.DataFrame(raw[np.ix_(pos, pos)] * factor, index=terms, columns=terms)
    stats: dict[str, float | None] = {"loglik": _float(getattr(res, "llf", None))}
    stats["aic"] = _float(getattr(res, "aic", None))
    if spec.estimator == "ols":
        stats["r2"] = float(res.rsquared)
    else:
        stats["pseudo_r2"] = _mcfadden(spec, design.y.to_numpy(), float(res.llf), res)
    if spec.estimator == "negbin":
        stats["nb_alpha"] = float(res.params["alpha"])
    # Non-convergence (typically quasi-separation) is reported as a degenerate fit rather
    # than an error, so tables and curves show it flagged instead of silently missing.
    converged = bool(getattr(res, "mle_retvals", {}).get("converged", True))
    return BackendFit(
        params=pd.Series(fitted.to_numpy(dtype=float)[pos], index=terms, name=fitted.name),
        cov=cov,
        n_obs=n,
        k=k,
        link=LINKS[spec.estimator],
        backend="statsmodels",
        used=design.y.index,
        stats=stats,
        correction_note="K counts every estimated coefficient, fixed-effect dummies included",
        converged=converged,
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
