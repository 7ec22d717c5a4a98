"""The one estimation layer: a frame and a spec in, a tidy result out, whatever the backend.

Backends (statsmodels, pyfixest, linearmodels) only produce coefficients and a covariance
matrix; this layer applies the small-sample correction and computes every test statistic,
p-value and interval the same way, so columns fitted by different libraries are comparable:
linear models use t with G−1 degrees of freedom when clustered (N−K otherwise), the others
use the normal distribution.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import PipelineError
from analysis.core.lazy import lazy_module
from analysis.models.backends import BackendFit, corrections
from analysis.models.degenerate import fit_reasons, focal_reason
from analysis.models.design import (
    INTERCEPT,
    Design,
    FrameMasks,
    build_design,
    check_outcome,
    select_sample,
)
from analysis.models.separation import BINARY_ESTIMATORS, separating_term
from analysis.models.spec import ESTIMATOR_LABELS, LINEAR, HypothesisSpec, ModelSpec

stats = lazy_module("scipy.stats")  # imported on first use (Snakefile start-up)

COEF_COLUMNS = [
    "hypothesis", "model", "label", "term", "term_label", "estimate", "std_error", "statistic",
    "p_value", "ci_low", "ci_high", "n_obs", "estimator", "vcov", "backend",
]  # fmt: skip
LEVEL = 0.95


def choose_backend(spec: ModelSpec) -> str:
    if spec.backend != "auto":
        return spec.backend
    if spec.estimator == "panel_fe":
        return "linearmodels"
    if spec.fixed_effects and spec.estimator in ("ols", "poisson"):
        return "pyfixest"
    return "statsmodels"


def backend_module(name: str) -> ModuleType:
    """The backend's module, imported on first use (each pulls in a heavy library)."""
    if name == "statsmodels":
        from analysis.models.backends import statsmodels_backend as mod
    elif name == "pyfixest":
        from analysis.models.backends import pyfixest_backend as mod
    else:
        from analysis.models.backends import linearmodels_backend as mod
    return mod


def _run_backend(name: str, design: Design, spec: ModelSpec) -> BackendFit:
    return backend_module(name).fit(design, spec)


@dataclass
class FitResult:
    spec: ModelSpec
    fit: BackendFit
    design: Design
    drops: list[tuple[str, int]]
    rows_in: int
    dist: str  # "t" or "normal"
    df: int | None
    n_clusters: dict[str, int] = field(default_factory=dict)
    _degenerate: dict[str, str] | None = field(default=None, repr=False)

    def inference(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
        """Estimates, standard errors, test statistics and p-values of every term (in the
        order of ``fit.params``) and the interval's critical value: the numbers of
        :meth:`tidy` without its table (a specification curve reads one row of each fit)."""
        est = self.fit.params.to_numpy()
        se = np.sqrt(np.diag(self.fit.cov.to_numpy()))
        stat = est / se
        if self.dist == "t":
            p = 2 * stats.t.sf(np.abs(stat), self.df)
            crit = stats.t.ppf(0.5 + LEVEL / 2, self.df)
        else:
            p = 2 * stats.norm.sf(np.abs(stat))
            crit = stats.norm.ppf(0.5 + LEVEL / 2)
        return est, se, stat, p, crit

    def tidy(self, hyp: HypothesisSpec | None = None) -> pd.DataFrame:
        values, se, stat, p, crit = self.inference()
        terms = list(self.fit.params.index)
        label = hyp.label if hyp else (lambda t: t)
        return pd.DataFrame(
            {
                "hypothesis": hyp.hypothesis if hyp else "",
                "model": self.spec.name,
                "label": self.spec.label,
                "term": terms,
                "term_label": [label(t) for t in terms],
                "estimate": values,
                "std_error": se,
                "statistic": stat,
                "p_value": p,
                "ci_low": values - crit * se,
                "ci_high": values + crit * se,
                "n_obs": self.fit.n_obs,
                "estimator": self.spec.estimator,
                "vcov": self.vcov_label(hyp),
                "backend": self.fit.backend,
            },
            columns=COEF_COLUMNS,
        )

    def degenerate_terms(self) -> dict[str, str]:
        """{term: reason} for coefficients that are separation or absorption artefacts
        (:mod:`analysis.models.degenerate`); computed once."""
        if self._degenerate is None:
            se = pd.Series(np.sqrt(np.diag(self.fit.cov.to_numpy())), index=self.fit.params.index)
            used = self.fit.used
            whole = len(used) == len(self.design.y)
            X = self.design.X if whole else self.design.X.loc[used]
            fe = self.design.fe if whole else self.design.fe.loc[used]
            fe = fe.set_axis(X.index) if len(fe) == len(X) else None
            self._degenerate = fit_reasons(self.fit.params, se, self.fit.link != "identity", X, fe)
            if not self.fit.converged:
                self._degenerate = {t: "the fit did not converge" for t in self.fit.params.index}
        return self._degenerate

    @property
    def degenerate_reason(self) -> str | None:
        """Why the model's focal estimate is unusable, or None (the model-level flag)."""
        return focal_reason(self.degenerate_terms(), self.spec.focal_term)

    def vcov_label(self, hyp: HypothesisSpec | None = None) -> str:
        v = self.spec.vcov
        if v.type == "iid":
            return "Classical (homoskedastic)"
        if v.type == "hc1":
            return "Heteroskedasticity-robust"
        name = hyp.label if hyp else (lambda c: c)
        counts = ", ".join(f"{name(c)} ({self.n_clusters[c]} clusters)" for c in v.by)
        return ("Clustered by " if v.type == "cluster" else "Two-way clustered by ") + counts

    def summary(self, hyp: HypothesisSpec | None = None) -> dict[str, Any]:
        s = self.spec
        fe_label = ", ".join(hyp.label(c) if hyp else c for c in s.fixed_effects) or "None"
        inference = f"t({self.df})" if self.dist == "t" else "normal"
        out: dict[str, Any] = {
            "model": s.name,
            "label": s.label,
            "panel": s.panel,
            "outcome": s.outcome,
            "outcome_label": hyp.label(s.outcome) if hyp else s.outcome,
            "regressors": list(s.regressors),
            "controls": list(s.controls),
            "focal": s.focal_term,
            "estimator": s.estimator,
            "estimator_label": ESTIMATOR_LABELS[s.estimator],
            "backend": self.fit.backend,
            "fixed_effects": list(s.fixed_effects),
            "fixed_effects_label": fe_label,
            "vcov": s.vcov.type,
            "vcov_label": self.vcov_label(hyp),
            "small_sample": corrections.describe(s),
            "k_counting": self.fit.correction_note,
            "inference": f"{inference}; {int(LEVEL * 100)}% intervals",
            "n_obs": self.fit.n_obs,
            "n_clusters": min(self.n_clusters.values()) if self.n_clusters else None,
            "sample": s.describe_sample(),
            "rows_in_frame": self.rows_in,
            "rows_dropped": [{"reason": r, "rows": n} for r, n in self.drops if n],
            "degenerate": self.degenerate_reason is not None,
            "degenerate_reason": self.degenerate_reason,
            "degenerate_terms": self.degenerate_terms(),
        }
        for key in ("r2", "r2_within", "pseudo_r2", "loglik", "aic", "nb_alpha"):
            out[key] = self.fit.stats.get(key)
        if self.fit.n_obs != len(self.design.y):
            out["rows_dropped"].append(
                {"reason": "dropped by the backend (singletons/separation)",
                 "rows": len(self.design.y) - self.fit.n_obs}
            )  # fmt: skip
        return out

    def predict(self, newdata: pd.DataFrame) -> pd.DataFrame:
        """Mean outcome for rows of `newdata` with a delta-method interval (link scale).

        Only for models without fixed effects: with absorbed effects there is no single
        intercept to predict from.
        """
        if self.spec.fixed_effects:
            raise ValueError(f"{self.spec.name}: predictions need a model without fixed effects")
        X = build_design(
            newdata.assign(**{self.spec.outcome: 0.0}),
            self.spec,
            self.design.scaling,
            intercept="Intercept" in self.fit.params.index,
            with_groups=False,
        ).X[self.fit.params.index]
        b, V = self.fit.params.to_numpy(), self.fit.cov.to_numpy()
        eta = X.to_numpy() @ b
        se = np.sqrt(np.einsum("ij,jk,ik->i", X.to_numpy(), V, X.to_numpy()))
        crit = stats.norm.ppf(0.5 + LEVEL / 2)
        inv = _inverse_link(self.fit.link)
        return pd.DataFrame(
            {"fit": inv(eta), "ci_low": inv(eta - crit * se), "ci_high": inv(eta + crit * se)},
            index=newdata.index,
        )


def _inverse_link(link: str):
    return {
        "identity": lambda v: v,
        "log": np.exp,
        "logit": lambda v: 1 / (1 + np.exp(-v)),
        "probit": stats.norm.cdf,
    }[link]


def fit_model(
    frame: pd.DataFrame,
    spec: ModelSpec,
    masks: FrameMasks | None = None,
    *,
    refuse_separated: bool = False,
) -> FitResult:
    """Fit `spec` on `frame`; `masks` (of this frame) shares row filters across many fits.

    With `refuse_separated`, a logit or probit whose sample is separated by a two-valued
    term (:mod:`analysis.models.separation`: no maximum likelihood exists, the fit could only
    end unconverged) fails at once instead of running to its iteration limit: for refits
    that discard degenerate fits anyway (the pairs bootstrap's draws)."""
    sample = select_sample(frame, spec, masks)
    design = build_design(sample.data, spec)
    check_outcome(design.y, spec)
    binary = spec.estimator in BINARY_ESTIMATORS
    if refuse_separated and binary and (why := separating_term(design.y, design.X)):
        raise PipelineError(f"{spec.name}: not fitted, separated sample: {why}")
    backend = choose_backend(spec)
    fit = _run_backend(backend, design, spec)
    # `used` is an ordered subset of the design's rows: equal length means all of them,
    # which spares a label lookup of every row.
    kept_all = len(fit.used) == len(design.y)
    used = design.clusters if kept_all else design.clusters.loc[fit.used]
    # cluster columns are dense non-negative codes (design.group_codes): count by bincount
    n_clusters = {c: int(np.count_nonzero(np.bincount(used[c].to_numpy()))) for c in used}
    if spec.estimator in LINEAR:
        dist = "t"
        df = min(n_clusters.values()) - 1 if n_clusters else fit.n_obs - fit.k
    else:
        dist, df = "normal", None
    return FitResult(spec, fit, design, sample.drops, sample.rows_in, dist, df, n_clusters)


def fit_hypothesis(
    frames: dict[str, pd.DataFrame], hyp: HypothesisSpec
) -> tuple[pd.DataFrame, dict[str, Any], dict[str, FitResult]]:
    """Fit every model of a hypothesis: tidy coefficients, the fit summary, the results."""
    results = {m.name: fit_model(frames[hyp.frame_of(m)], m) for m in hyp.models}
    coefs = pd.concat([r.tidy(hyp) for r in results.values()], ignore_index=True)
    summary = {
        "hypothesis": hyp.hypothesis,
        "title": hyp.title,
        "frame": hyp.frame,
        "note": hyp.note,
        "models": [r.summary(hyp) | {"frame": hyp.frame_of(r.spec)} for r in results.values()],
    }
    return coefs, summary, results


__all__ = ["COEF_COLUMNS", "INTERCEPT", "FitResult", "fit_hypothesis", "fit_model"]
