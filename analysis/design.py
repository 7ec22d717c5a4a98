"""From a model frame and a spec to an estimation sample and a numeric design matrix.

Every row the spec's filters or missing values remove is counted with its reason, so a
model's N can be traced back to the frame. Transforms are computed on the estimation sample
(``std`` uses the sample's mean and standard deviation) and remembered, so predictions on new
data use the same scaling.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.errors import PipelineError
from analysis.modelspec import LINEAR, Condition, ModelSpec, parse_term

INTERCEPT = "Intercept"


@dataclass
class Sample:
    data: pd.DataFrame  # the estimation sample (rows of the frame), original index kept
    drops: list[tuple[str, int]]  # (reason, rows dropped) in order of application
    rows_in: int


@dataclass
class Design:
    y: pd.Series
    X: pd.DataFrame  # one float column per reported term (plus Intercept when no FE)
    fe: pd.DataFrame  # fixed-effect columns (categorical codes), may have no columns
    clusters: pd.DataFrame  # cluster columns, may have no columns
    scaling: dict[str, tuple[float, float]] = field(default_factory=dict)  # std(x): mean, sd


def _condition_mask(frame: pd.DataFrame, c: Condition) -> pd.Series:
    s = frame[c.column]
    if c.op == "notna":
        return s.notna()
    if c.op == "isna":
        return s.isna()
    if c.op in ("in", "not_in"):
        m = s.isin(c.value)  # type: ignore[arg-type]
        return m if c.op == "in" else ~m & s.notna()
    ops = {"eq": "__eq__", "ne": "__ne__", "lt": "__lt__", "le": "__le__", "gt": "__gt__"}
    ops["ge"] = "__ge__"
    return getattr(s, ops[c.op])(c.value).fillna(False).astype(bool)


def select_sample(frame: pd.DataFrame, spec: ModelSpec) -> Sample:
    """Apply the spec's filters, then drop rows missing any column the model reads."""
    rows_in = len(frame)
    drops: list[tuple[str, int]] = []
    keep = pd.Series(True, index=frame.index)
    for c in spec.sample:
        new = keep & _condition_mask(frame, c)
        drops.append((f"sample: {c.describe()}", int(keep.sum() - new.sum())))
        keep = new
    needed = list(dict.fromkeys(col for _, col in spec.columns()))
    for col in needed:
        new = keep & frame[col].notna()
        n = int(keep.sum() - new.sum())
        if n:
            drops.append((f"missing {col}", n))
        keep = new
    data = frame.loc[keep]
    if spec.fixed_effects and spec.estimator not in LINEAR:
        data, n = drop_uninformative_groups(data, spec)
        if n:
            drops.append(("fixed-effect group without outcome variation (separated)", n))
    return Sample(data, drops, rows_in)


def drop_uninformative_groups(data: pd.DataFrame, spec: ModelSpec) -> tuple[pd.DataFrame, int]:
    """Drop fixed-effect groups whose outcome does not vary (all 0 for counts, all 0 or all 1
    for binary and share outcomes): their dummy would diverge, and they carry no information
    about the slopes. Repeats until stable, as pyfixest and fixest do."""
    y = data[spec.outcome].astype(float)
    keep = pd.Series(True, index=data.index)
    while True:
        before = int(keep.sum())
        for col in spec.fixed_effects:
            g = data.loc[keep, col]
            yk = y[keep]
            lo = yk.groupby(g, sort=False).transform("min")
            hi = yk.groupby(g, sort=False).transform("max")
            bad = hi <= 0 if spec.estimator in ("poisson", "negbin") else lo == hi
            keep.loc[bad[bad].index] = False
        if int(keep.sum()) == before:
            break
    return data.loc[keep], int(len(data) - keep.sum())


def _numeric(s: pd.Series, name: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return s.to_numpy(dtype=float)
    raise PipelineError(f"column {name!r} is not numeric (dtype {s.dtype}); it cannot be a term")


def _factor(
    data: pd.DataFrame, fn: str | None, col: str, scaling: dict[str, tuple[float, float]]
) -> np.ndarray:
    x = _numeric(data[col], col)
    if fn is None:
        return x
    if fn == "log":
        if (x <= 0).any():
            raise PipelineError(
                f"log({col}): {(x <= 0).sum()} non-positive values in the sample; use log1p({col})"
            )
        return np.log(x)
    if fn == "log1p":
        if (x < 0).any():
            raise PipelineError(f"log1p({col}): {(x < 0).sum()} negative values in the sample")
        return np.log1p(x)
    if fn == "sq":
        return x * x
    key = f"std({col})"  # std: scaled by the estimation sample, unless already fixed
    if key not in scaling:
        sd = float(x.std(ddof=1))
        if not np.isfinite(sd) or sd == 0:
            raise PipelineError(f"std({col}): no variation in the sample")
        scaling[key] = (float(x.mean()), sd)
    mean, sd = scaling[key]
    return (x - mean) / sd


def term_values(
    data: pd.DataFrame, term: str, scaling: dict[str, tuple[float, float]]
) -> np.ndarray:
    out = np.ones(len(data))
    for fn, col in parse_term(term):
        out = out * _factor(data, fn, col, scaling)
    return out


def build_design(
    sample: pd.DataFrame,
    spec: ModelSpec,
    scaling: dict[str, tuple[float, float]] | None = None,
    intercept: bool | None = None,
    with_groups: bool = True,
) -> Design:
    scaling = {} if scaling is None else dict(scaling)
    if intercept is None:
        intercept = not spec.fixed_effects
    cols = {INTERCEPT: np.ones(len(sample))} if intercept else {}
    for t in spec.terms:
        cols[t] = term_values(sample, t, scaling)
    X = pd.DataFrame(cols, index=sample.index)
    y = pd.Series(_numeric(sample[spec.outcome], spec.outcome), index=sample.index, name="y")
    fe_cols = spec.fixed_effects if with_groups else []
    cl_cols = spec.vcov.by if with_groups else []
    fe = pd.DataFrame(
        {c: pd.factorize(sample[c], sort=True)[0] for c in fe_cols}, index=sample.index
    )
    cl = pd.DataFrame(
        {c: pd.factorize(sample[c], sort=True)[0] for c in cl_cols}, index=sample.index
    )
    return Design(y, X, fe, cl, scaling)


def check_outcome(y: pd.Series, spec: ModelSpec) -> None:
    """Outcomes must fit the estimator: 0/1 for logit/probit, [0,1] shares, counts >= 0."""
    v = y.to_numpy()
    if spec.estimator in ("logit", "probit") and not np.isin(v, (0.0, 1.0)).all():
        raise PipelineError(
            f"{spec.name}: outcome {spec.outcome!r} must be 0/1 for {spec.estimator}"
        )
    if spec.estimator == "fractional_logit" and ((v < 0) | (v > 1)).any():
        raise PipelineError(f"{spec.name}: outcome {spec.outcome!r} must lie in [0, 1]")
    if spec.estimator in ("poisson", "negbin") and (v < 0).any():
        raise PipelineError(f"{spec.name}: outcome {spec.outcome!r} must be non-negative")
    if len(v) == 0:
        raise PipelineError(f"{spec.name}: the estimation sample is empty")
    if np.all(v == v[0]):
        raise PipelineError(f"{spec.name}: outcome {spec.outcome!r} does not vary in the sample")
