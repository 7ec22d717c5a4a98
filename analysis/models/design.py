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

from analysis.core.errors import PipelineError
from analysis.models.spec import LINEAR, Condition, ModelSpec, parse_term, term_columns

INTERCEPT = "Intercept"


@dataclass
class Sample:
    data: pd.DataFrame  # the estimation sample: rows of the frame (index kept), the columns
    # the model reads (fixed-effect and cluster keys as sorted group codes)
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


class FrameMasks:
    """Row masks of one frame, computed once per filter or column and shared by every spec
    fitted on it: a specification curve refits the same frame hundreds of times, and most of
    its specs share their filters and columns."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._masks: dict[tuple[str, ...], np.ndarray] = {}

    def condition(self, c: Condition) -> np.ndarray:
        key = ("condition", c.column, c.op, repr(c.value))  # repr: 1, 1.0, True, "1" differ
        if key not in self._masks:
            self._masks[key] = _condition_mask(self.frame, c).to_numpy(dtype=bool)
        return self._masks[key]

    def notna(self, col: str) -> np.ndarray:
        key = ("notna", col)
        if key not in self._masks:
            self._masks[key] = self.frame[col].notna().to_numpy(dtype=bool)
        return self._masks[key]

    def group_codes(self, col: str) -> np.ndarray:
        """`col` as integer codes in the sorted order of its values (-1 where missing), so any
        subset factorizes (sort=True) to the codes its values would, without hashing text
        labels again for every spec."""
        key = ("codes", col)
        if key not in self._masks:
            self._masks[key] = group_codes(self.frame[col])
        return self._masks[key]

    def take(self, rows: np.ndarray | None, columns: list[str], groups: set[str]) -> pd.DataFrame:
        """`rows` (positions; None: every row) of `columns`, dtypes and index labels kept, those
        in `groups` as their group codes. Copying only the columns a spec reads is most of what
        selecting a sample costs; a sample of every row copies nothing."""
        f = self.frame
        if rows is None:  # the frame's own (read-only, copy-on-write) arrays, no copy
            data = {c: self.group_codes(c) if c in groups else f[c].array for c in columns}
            return pd.DataFrame(data, index=f.index, copy=False)
        data = {
            c: self.group_codes(c)[rows] if c in groups else f[c].array.take(rows) for c in columns
        }
        return pd.DataFrame(data, index=f.index[rows], copy=False)


def select_sample(frame: pd.DataFrame, spec: ModelSpec, masks: FrameMasks | None = None) -> Sample:
    """Apply the spec's filters, then drop rows missing any column the model reads. The sample
    holds the columns the model reads, fixed-effect and cluster keys as group codes (see
    FrameMasks.take). `masks` (of this same frame) reuses filters across specs."""
    if masks is None:
        masks = FrameMasks(frame)
    elif masks.frame is not frame:
        raise ValueError("select_sample: masks belong to another frame")
    rows_in = len(frame)
    drops: list[tuple[str, int]] = []
    keep = np.ones(rows_in, dtype=bool)
    n_keep = rows_in
    for c in spec.sample:
        keep = keep & masks.condition(c)
        n = int(np.count_nonzero(keep))
        drops.append((f"sample: {c.describe()}", n_keep - n))
        n_keep = n
    needed = list(dict.fromkeys(col for _, col in spec.columns()))
    for col in needed:
        keep = keep & masks.notna(col)
        n = int(np.count_nonzero(keep))
        if n_keep - n:
            drops.append((f"missing {col}", n_keep - n))
        n_keep = n
    columns, groups = model_columns(spec)
    data = masks.take(None if n_keep == rows_in else np.flatnonzero(keep), columns, groups)
    if spec.fixed_effects and spec.estimator not in LINEAR:
        data, n = drop_uninformative_groups(data, spec)
        if n:
            drops.append(("fixed-effect group without outcome variation (separated)", n))
    return Sample(data, drops, rows_in)


def model_columns(spec: ModelSpec) -> tuple[list[str], set[str]]:
    """The columns a sample keeps (what the model reads: values of the outcome and terms;
    fixed-effect and cluster keys) and which of them are keys, only grouped by, so kept as
    order-preserving integer codes (FrameMasks.take)."""
    valued = {spec.outcome} | {c for t in spec.terms for c in term_columns(t)}
    groups = {*spec.fixed_effects, *spec.vcov.by} - valued
    needed = dict.fromkeys(col for _, col in spec.columns())
    return [c for c in needed if c in valued or c in groups], groups


def drop_uninformative_groups(data: pd.DataFrame, spec: ModelSpec) -> tuple[pd.DataFrame, int]:
    """Drop fixed-effect groups whose outcome does not vary (all 0 for counts, all 0 or all 1
    for binary and share outcomes): their dummy would diverge, and they carry no information
    about the slopes. Repeats until stable, as pyfixest and fixest do. Missing outcomes and
    groups are ignored (as a pandas groupby does)."""
    y = data[spec.outcome].astype(float).to_numpy()
    count = spec.estimator in ("poisson", "negbin")
    codes = [group_codes(data[col]) for col in spec.fixed_effects]  # missing: -1
    keep = np.ones(len(data), dtype=bool)
    while True:
        before = int(np.count_nonzero(keep))
        for g in codes:
            k = keep & (g >= 0) & ~np.isnan(y)
            n = int(g.max()) + 1 if len(g) else 0
            seen = np.bincount(g[k], minlength=n) > 0
            hi = np.full(n, -np.inf)
            np.maximum.at(hi, g[k], y[k])
            if count:
                bad_group = seen & (hi <= 0)
            else:
                lo = np.full(n, np.inf)
                np.minimum.at(lo, g[k], y[k])
                bad_group = seen & (lo == hi)
            keep &= ~(keep & (g >= 0) & bad_group[np.maximum(g, 0)])
        if np.count_nonzero(keep) == before:
            break
    n_dropped = len(data) - int(np.count_nonzero(keep))
    if not n_dropped:  # the sample as it is: a copy of every column costs ~50 bytes a row
        return data, 0
    return data.iloc[np.flatnonzero(keep)], n_dropped


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
    factors = parse_term(term)
    if len(factors) == 1:  # 1.0 * x == x: a float column is used as it is, not copied
        return _factor(data, *factors[0], scaling)
    out = np.ones(len(data))
    for fn, col in factors:
        out = out * _factor(data, fn, col, scaling)
    return out


def group_codes(s: pd.Series) -> np.ndarray:
    """Integer codes of a grouping column in the sorted order of its values (-1 where
    missing): ``pd.factorize(s, sort=True)[0]``, always int64. An integer column whose values
    span a range of at most a few times its length (ids, years, codes of a larger frame) is
    ranked by counting instead of sorting, and a column that already holds dense codes
    0..G-1 is returned as it is (no copy): at 10M rows, factorizing three grouping columns
    twice (frame, then sample) took seconds and a copy each."""
    v = s.to_numpy()
    if v.dtype.kind in "iu" and len(v):
        lo, hi = int(v.min()), int(v.max())
        if hi - lo <= 4 * len(v) + 1024:
            present = np.bincount(v - lo if lo else v, minlength=hi - lo + 1) > 0
            if lo == 0 and v.dtype == np.int64 and present.all():
                return v  # already the codes factorize would give
            rank = np.cumsum(present, dtype=np.int64) - 1
            return rank[v - lo if lo else v]
    return pd.factorize(s, sort=True)[0].astype(np.int64, copy=False)


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
    # copy=False: the design holds the arrays computed above (or the sample's own, for plain
    # columns and dense group codes), not consolidated copies of them
    X = pd.DataFrame(cols, index=sample.index, copy=False)
    yv = _numeric(sample[spec.outcome], spec.outcome)
    y = pd.Series(yv, index=sample.index, name="y", copy=False)
    fe_cols = spec.fixed_effects if with_groups else []
    cl_cols = spec.vcov.by if with_groups else []
    fe = pd.DataFrame({c: group_codes(sample[c]) for c in fe_cols}, index=sample.index, copy=False)
    cl = pd.DataFrame({c: group_codes(sample[c]) for c in cl_cols}, index=sample.index, copy=False)
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
