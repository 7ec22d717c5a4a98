"""Robustness of a hypothesis: specification curve, leave-one-out refits, wild cluster bootstrap.

All three are declared in the hypothesis's spec file (``robustness:``) and run through the same
estimation layer as the main models, so every refit states its N, estimator and errors.
A specification that cannot be fitted is kept in the output with its reason (never dropped).
"""

from __future__ import annotations

import itertools
import logging
import math
import multiprocessing
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError
from threadpoolctl import ThreadpoolController

from analysis.core.errors import ConfigError, PipelineError
from analysis.core.log import progress
from analysis.models.design import FrameMasks, group_codes, model_columns
from analysis.models.estimate import FitResult, backend_module, choose_backend, fit_model
from analysis.models.spec import Condition, CurveSpec, HypothesisSpec, ModelSpec

log = logging.getLogger(__name__)

MAX_BOOTSTRAP_FE_LEVELS = 1000
RESULT_COLUMNS = [
    "estimate", "std_error", "statistic", "p_value", "ci_low", "ci_high", "n_obs", "n_clusters",
    "degenerate", "degenerate_reason",
]  # fmt: skip


def _focal_row(res: FitResult) -> dict[str, Any]:
    """The focal term's row of ``res.tidy()`` (the same numbers, bit for bit) without
    building the table, whose text columns cost more than a small curve specification's fit."""
    est, se, stat, p, crit = res.inference()
    i = res.fit.params.index.get_loc(res.spec.focal_term)
    out: dict[str, Any] = {
        "estimate": est[i],
        "std_error": se[i],
        "statistic": stat[i],
        "p_value": p[i],
        "ci_low": est[i] - crit * se[i],
        "ci_high": est[i] + crit * se[i],
        "n_obs": np.int64(res.fit.n_obs),
    }
    out["n_clusters"] = min(res.n_clusters.values()) if res.n_clusters else None
    out["degenerate"] = res.degenerate_reason is not None
    out["degenerate_reason"] = res.degenerate_reason
    return out


def option_label(dimension: str, option: str, over: dict[str, Any]) -> str:
    """The option's human label (its ``label`` key), else its code name in words."""
    return str(over.get("label") or option.replace("_", " "))


def _quiet_fit(
    frame: pd.DataFrame,
    spec: ModelSpec,
    masks: FrameMasks | None = None,
    *,
    refuse_separated: bool = False,
) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = fit_model(frame, spec, masks, refuse_separated=refuse_separated)
            return {**_focal_row(res), "status": "ok"}
        except PipelineError as err:
            return {c: None for c in RESULT_COLUMNS} | {"status": f"failed: {err}"}


def _excluded(choices: dict[str, str], curve: CurveSpec) -> bool:
    return any(all(choices.get(k) == v for k, v in rule.items()) for rule in curve.exclude)


def curve_specs(hyp: HypothesisSpec) -> Iterator[tuple[dict[str, str], ModelSpec]]:
    """Every (choices, spec) of the curve, in a fixed order (dimension order, option order)."""
    curve = hyp.robustness.curve if hyp.robustness else None
    if curve is None:
        return
    base = hyp.model(curve.base).model_dump()
    dims = list(curve.dimensions)
    options = [list(curve.dimensions[d]) for d in dims]
    for i, combo in enumerate(itertools.product(*options)):
        choices = dict(zip(dims, combo, strict=True))
        if _excluded(choices, curve):
            continue
        labels = [option_label(k, v, curve.dimensions[k][v]) for k, v in choices.items()]
        d = {**base, "name": f"spec{i:04d}", "label": "; ".join(labels), "focal": None}
        sample: list[Any] = []  # the curve's samples come from its dimensions only
        for dim, opt in choices.items():
            over = curve.dimensions[dim][opt]
            for key, value in over.items():
                if key == "label":
                    continue  # the option's name for humans, not a model key
                if key == "sample":
                    sample += value
                else:
                    d[key] = value
        d["sample"] = sample
        try:
            spec = ModelSpec.model_validate(d)
        except ValidationError as err:
            where = ", ".join(f"dimensions.{k}.{v}" for k, v in choices.items())
            raise ConfigError(f"{hyp.hypothesis}: robustness.curve ({where}): {err}") from None
        yield choices, spec


class _BlasThreads:
    """Switches OpenBLAS between one thread and its default count, fit by fit.

    Most curve fits run on one thread: their matrices are N x K with small K, so a second
    thread gains little, and OpenBLAS threads spin-wait for each other; with two workers, or
    any other load, on two cores the curve took 1.5-2x the time and CPU. Some BLAS kernels
    split sums across threads, so a fit's last bits depend on the thread count (as they
    already depend on the machine's core count); for statsmodels fits rarely and little (on
    the H1 curve 4 of 324 fits, by at most 1e-12 relative), below the 10 significant digits
    written (fit_stage.FLOAT_FORMAT). Fits that take 1-D dot products (pyfixest with a
    single absorbed-FE slope, whose X'X is one; the residual variance of iid errors) differ
    more often, so they keep the default. tests/test_robustness.py compares a curve with
    single fits at the written precision.
    """

    def __init__(self) -> None:
        # threadpoolctl finds every BLAS loaded in the process (numpy's and scipy's wheels
        # each bundle an OpenBLAS); the backends are imported before this runs.
        self.libs = [c for c in ThreadpoolController().lib_controllers if c.user_api == "blas"]
        self.default = [c.num_threads for c in self.libs]
        self.single: bool | None = None  # unknown until the first set()

    def set(self, single: bool) -> None:
        if single == self.single:
            return  # most consecutive fits want the same count: no library call
        for lib, n in zip(self.libs, self.default, strict=True):
            if n:
                lib.set_num_threads(1 if single else n)
        self.single = single


def _single_thread_safe(spec: ModelSpec) -> bool:
    """Whether the spec's fit takes no 1-D dot product, so runs on one thread (`_BlasThreads`)."""
    if spec.vcov.type == "iid":
        return False
    backend = choose_backend(spec)
    if backend == "statsmodels":
        return True  # an intercept or FE dummies: always two columns or more
    return backend == "pyfixest" and (len(spec.terms) > 1 or not spec.fixed_effects)


_CURVE: tuple[FrameMasks, _BlasThreads] | None = None  # what a forked worker fits with


def _curve_fit(masks: FrameMasks, blas: _BlasThreads, spec: ModelSpec) -> dict[str, Any]:
    blas.set(single=_single_thread_safe(spec))
    return _quiet_fit(masks.frame, spec, masks)


def _fit_in_worker(spec: ModelSpec) -> dict[str, Any]:
    assert _CURVE is not None
    return _curve_fit(*_CURVE, spec)


def run_curve(
    frame: pd.DataFrame, hyp: HypothesisSpec, workers: int = 1
) -> tuple[pd.DataFrame, float]:
    """Fit every specification (in `workers` forked processes; results keep the spec order,
    so the table is identical whatever the number of workers). Returns the table and the
    seconds it took."""
    global _CURVE
    specs = list(curve_specs(hyp))
    start = time.perf_counter()
    masks = FrameMasks(frame)  # row filters computed once per process, shared by all specs
    for name in sorted({choose_backend(s) for _, s in specs}):
        backend_module(name)  # loads every BLAS library; imported once, inherited by workers
    blas = _BlasThreads()
    with _direct_refits(*(s for _, s in specs)):  # forked workers inherit it
        try:
            if workers > 1 and len(specs) > 1:
                _CURVE = (masks, blas)
                try:
                    ctx = multiprocessing.get_context("fork")
                    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
                        fits = list(pool.map(_fit_in_worker, [s for _, s in specs], chunksize=4))
                finally:
                    _CURVE = None
            else:
                todo = progress((s for _, s in specs), "specification curve", len(specs), "spec")
                fits = [_curve_fit(masks, blas, s) for s in todo]
        finally:
            blas.set(single=False)
    rows = [
        {"spec": spec.name, **choices, "label": spec.label, "term": spec.focal_term,
         "estimator": spec.estimator, **fit}
        for (choices, spec), fit in zip(specs, fits, strict=True)
    ]  # fmt: skip
    seconds = time.perf_counter() - start
    table = pd.DataFrame(rows)
    table["significant"] = table["p_value"].astype(float) < 0.05
    return table, seconds


def curve_summary(table: pd.DataFrame, expected: int, main: dict[str, Any]) -> dict[str, Any]:
    """Shares over the fitted, non-degenerate specifications (a separation artefact is no
    evidence either way). Ranked on z = estimate / SE, one scale for every estimator."""
    fitted = table[table["status"] == "ok"]
    degenerate = (
        fitted["degenerate"].astype(bool)
        if "degenerate" in fitted
        else pd.Series(False, index=fitted.index)
    )
    ok = fitted[~degenerate]
    est = ok["estimate"].astype(float)
    same = np.sign(est) == expected
    sig = ok["significant"].astype(bool)
    n = len(ok)
    z = ok["statistic"].astype(float) if "statistic" in ok else est
    return {
        "specifications": len(table),
        "fitted": int(n),
        "failed": int(len(table) - len(fitted)),
        "degenerate": int(len(fitted) - n),
        "expected_sign": expected,
        "share_expected_sign": float(same.mean()) if n else None,
        "share_expected_sign_p05": float((same & sig).mean()) if n else None,
        "share_opposite_sign_p05": float((~same & sig).mean()) if n else None,
        "median_statistic": float(z.median()) if n else None,
        "main_estimate": main,
    }


def _spec_with(spec: ModelSpec, **over: Any) -> ModelSpec:
    return ModelSpec.model_validate({**spec.model_dump(), **over})


def run_leave_one_out(frames: dict[str, pd.DataFrame], hyp: HypothesisSpec) -> pd.DataFrame:
    rows = []
    for loo in hyp.robustness.leave_one_out if hyp.robustness else []:
        spec = hyp.model(loo.model)
        frame = frames[hyp.frame_of(spec)]
        masks = FrameMasks(frame)  # the refits share the model's filters and columns
        if loo.drop_each:
            if loo.drop_each not in frame:
                raise ConfigError(
                    f"robustness.leave_one_out: column {loo.drop_each!r} not in frame"
                )
            used = fit_model(frame, spec, masks).design.y.index
            groups = sorted(frame.loc[used, loo.drop_each].dropna().astype(str).unique())
            for g in groups:
                cond = Condition(column=loo.drop_each, op="ne", value=g)
                s = _spec_with(spec, sample=[*spec.sample, cond.model_dump()])
                rows.append({"kind": loo.label, "model": spec.name, "left_out": g,
                             **_quiet_fit(frame, s, masks)})  # fmt: skip
        for outcome in loo.outcomes:
            if outcome not in frame:
                raise ConfigError(f"robustness.leave_one_out: column {outcome!r} not in frame")
            s = _spec_with(spec, outcome=outcome)
            rows.append({"kind": loo.label, "model": spec.name, "left_out": outcome,
                         **_quiet_fit(frame, s, masks)})  # fmt: skip
    return pd.DataFrame(rows)


def wild_bootstrap_specs(hyp: HypothesisSpec) -> list[tuple[str, ModelSpec]]:
    """(name, spec) of every bootstrapped model: the listed ones, then the linear variants."""
    wb = hyp.robustness.wild_bootstrap if hyp.robustness else None
    if wb is None:
        return []
    out = [(name, _spec_with(hyp.model(name), backend="pyfixest")) for name in wb.models]
    for name, over in wb.variants.items():
        over = dict(over)
        base = hyp.model(over.pop("model"))
        try:
            spec = _spec_with(base, **over, name=name, label=name, backend="pyfixest")
        except ValidationError as err:
            raise ConfigError(f"robustness.wild_bootstrap.variants.{name}: {err}") from None
        if spec.estimator != "ols" or spec.vcov.type not in ("cluster", "hc1"):
            raise ConfigError(
                f"robustness.wild_bootstrap.variants.{name}: must be ols with clustered or "
                "hc1 errors"
            )
        out.append((name, spec))
    return out


def run_wild_bootstrap(frames: dict[str, pd.DataFrame], hyp: HypothesisSpec) -> pd.DataFrame:
    """WCR wild cluster bootstrap p-value of each listed model's focal term (fixed seed)."""
    wb = hyp.robustness.wild_bootstrap if hyp.robustness else None
    rows = []
    todo = wild_bootstrap_specs(hyp)
    if todo:
        from analysis.models.backends import wild_denominator  # numba: only when bootstrapping

        if not wild_denominator.install():
            log.warning(
                "wildboottest is not version %s: its own denominator runs (compiled per model)",
                wild_denominator.PATCHED_VERSION,
            )
    for name, spec in progress(todo, "wild cluster bootstrap", len(todo), "model"):
        res = fit_model(frames[hyp.frame_of(spec)], spec)
        levels = int(res.design.fe.nunique().sum())
        if levels > MAX_BOOTSTRAP_FE_LEVELS:
            raise ConfigError(
                f"robustness.wild_bootstrap: model {name!r} absorbs {levels:,} fixed-effect "
                f"levels; the bootstrap holds them as dummies (N x levels per draw), so at most "
                f"{MAX_BOOTSTRAP_FE_LEVELS:,} are allowed"
            )
        term = spec.focal_term
        # wildboottest's heteroskedastic (unclustered) bootstrap takes Rademacher weights only
        weights = wb.weights if spec.vcov.type == "cluster" else "rademacher"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            boot = res.fit.raw.wildboottest(
                param=res.fit.raw_names[term], reps=wb.reps, seed=wb.seed, weights_type=weights
            )
        row = _focal_row(res)
        rows.append(
            {
                "model": name,
                "term": term,
                "estimate": row["estimate"],
                "cluster_p_value": row["p_value"],
                "wild_p_value": float(boot["Pr(>|t|)"]),
                "t_stat": float(boot["t value"]),
                "n_clusters": row["n_clusters"],
                "n_obs": row["n_obs"],
                "reps": wb.reps,
                "weights": weights,
                "seed": wb.seed,
                "bootstrap": "WCR (null imposed), CRV1 t-statistic",
            }
        )
    return pd.DataFrame(rows)


RI_COLUMN = "ri_placebo"  # the placebo treatment indicator added to the frame
MAX_FAILED_SHARE = 0.1  # a resampling p-value with more failed draws is not reported


def run_randomization(frames: dict[str, pd.DataFrame], hyp: HypothesisSpec) -> pd.DataFrame:
    """Randomization inference over placebo units (one treated unit, e.g. the US).

    Each control unit in turn is "treated" from ``start_year`` on, in the same model and the
    same sample without the real treated unit; the p-value is the treated unit's rank among
    all estimates by absolute size, (1 + #{placebo |b| >= |b_treated|}) / (1 + placebos), so
    its smallest attainable value is 1 / (1 + placebos). One row per placebo plus the treated.
    """
    ri = hyp.robustness.randomization if hyp.robustness else None
    if ri is None:
        return pd.DataFrame()
    spec = hyp.model(ri.model)
    frame = frames[hyp.frame_of(spec)]
    for col in (ri.unit, ri.year):
        if col not in frame:
            raise ConfigError(f"robustness.randomization: column {col!r} not in frame")
    res = fit_model(frame, spec)
    units = sorted(frame.loc[res.fit.used, ri.unit].dropna().astype(str).unique())
    if ri.treated not in units:
        raise ConfigError(f"robustness.randomization: treated {ri.treated!r} not in the sample")
    term = spec.focal_term
    regressors = [RI_COLUMN if r == term else r for r in spec.regressors]
    placebo = _spec_with(
        spec,
        regressors=regressors,
        focal=RI_COLUMN,
        sample=[*(c.model_dump() for c in spec.sample),
                {"column": ri.unit, "op": "ne", "value": ri.treated}],
    )  # fmt: skip
    work = frame.copy()
    post = frame[ri.year].ge(ri.start_year).to_numpy()
    unit = frame[ri.unit].astype(str).to_numpy()
    used = frame.loc[res.fit.used]
    cities = (
        used.groupby(used[ri.unit].astype(str))[ri.city].nunique()
        if ri.city in frame
        else pd.Series(dtype="int64")
    )
    rows = [{"unit": ri.treated, "role": "treated", "cities": cities.get(ri.treated),
             **_focal_row(res), "status": "ok"}]  # fmt: skip
    for u in progress(units, "randomization inference", len(units), "placebo"):
        if u == ri.treated:
            continue
        work[RI_COLUMN] = ((unit == u) & post).astype("float64")
        rows.append({"unit": u, "role": "placebo", "cities": cities.get(u),
                     **_quiet_fit(work, placebo)})  # fmt: skip
    table = rank_randomization(pd.DataFrame(rows))
    sound = int(((table["role"] == "placebo") & _sound(table)).sum())
    if sound < ri.min_placebos:
        raise PipelineError(
            f"robustness.randomization ({ri.model}): {sound} sound placebo estimates, fewer "
            f"than min_placebos = {ri.min_placebos}; a rank among so few is no test"
        )
    return table


def _sound(table: pd.DataFrame) -> pd.Series:
    """Rows with a usable estimate: fitted and not degenerate."""
    return (table["status"] == "ok") & ~table["degenerate"].fillna(True).astype(bool)


def randomization_p(table: pd.DataFrame) -> dict[str, Any]:
    """The treated unit's two-sided rank p-value among the sound placebo estimates, with its
    rank (1 = largest |b| among the treated and the placebos)."""
    treated = table[table["role"] == "treated"].iloc[0]
    plac = table[(table["role"] == "placebo") & _sound(table)]
    b = abs(float(treated["estimate"]))
    n = len(plac)
    extreme = int((plac["estimate"].astype(float).abs() >= b).sum())
    return {
        "p_robust": (1 + extreme) / (1 + n),
        "draws": n,
        "failed": int((table["role"] == "placebo").sum() - n),
        "rank": 1 + extreme,
        "detail": f"{treated['unit']} rank {1 + extreme} of {n + 1} by |b| among {n} placebo "
        f"units; smallest attainable p = {1 / (1 + n):.3f}",
    }


def rank_randomization(table: pd.DataFrame) -> pd.DataFrame:
    """The randomization table with each sound row's rank by |b| and by |t| (1 = largest;
    ties share the best rank), sorted by estimate: the placebo distribution."""
    out = table.copy()
    sound = _sound(out)
    for col, src in (("rank_abs_estimate", "estimate"), ("rank_abs_t", "statistic")):
        r = out.loc[sound, src].astype(float).abs().rank(ascending=False, method="min")
        out[col] = r.reindex(out.index).astype("Int64")
    return out.sort_values(["estimate", "unit"], kind="mergesort", na_position="last")


def randomization_summary(table: pd.DataFrame, hyp: HypothesisSpec) -> dict[str, Any]:
    """The treated unit's RI p-value and rank, by |b| (the ledger's) and by |t| (a check:
    placebo countries with few cities have noisy estimates, which the t-statistic scales)."""
    cfg = hyp.robustness.randomization
    ranked = rank_randomization(table)
    treated = ranked[ranked["role"] == "treated"].iloc[0]
    plac = ranked[(ranked["role"] == "placebo") & _sound(ranked)]
    t = abs(float(treated["statistic"]))
    extreme_t = int((plac["statistic"].astype(float).abs() >= t).sum())
    est = plac["estimate"].astype(float)
    return {
        "model": cfg.model,
        "treated": cfg.treated,
        **{k: v for k, v in randomization_p(table).items() if k != "detail"},
        "placebos": len(plac),
        "rank_of": len(plac) + 1,
        "p_abs_t": (1 + extreme_t) / (1 + len(plac)),
        "rank_abs_t": 1 + extreme_t,
        "placebos_larger": int((est > float(treated["estimate"])).sum()),
        "placebo_quantiles": {q: float(est.quantile(q)) for q in (0.05, 0.25, 0.5, 0.75, 0.95)},
    }


class _PairsDraws:
    """Pairs-bootstrap samples of a fit's rows: whole clusters drawn with replacement, each
    draw relabelled so that a cluster drawn twice counts as two clusters.

    Drawn by row position from the columns the model reads (fixed-effect and cluster keys as
    group codes, design.model_columns), grouped once: a draw refits hundreds of times, and
    copying every column of the frame, or hashing its text keys again, cost more than many a
    fit. The k-th drawn cluster gets the code its label "b{k}" would get (its rank among the
    labels sorted as text), so a draw is the sample, and the fit, that resampling the frame's
    rows and relabelling their clusters "b0", "b1", ... gives (tests/test_robustness.py).
    The spec's filters are not applied again: the fit's rows passed them, and a draw holds no
    other rows (a filter on the cluster column would otherwise read the relabelled keys).
    """

    def __init__(self, frame: pd.DataFrame, res: FitResult, cluster: str | None) -> None:
        spec = res.spec
        columns, groups = model_columns(spec)
        if cluster is not None and cluster not in groups:
            raise ConfigError(
                f"robustness.pairs_bootstrap: model {spec.name!r} reads its cluster column "
                f"{cluster!r} as a value; a draw relabels the clusters it resamples"
            )
        self.spec = _spec_with(spec, sample=[])
        self.data = FrameMasks(frame.loc[res.fit.used]).take(None, columns, groups)
        self.cluster = cluster
        self.n = len(self.data)  # what a draw picks from: rows, or clusters
        if cluster is None:
            return
        codes = group_codes(self.data[cluster])
        self.n = int(codes.max()) + 1 if len(codes) else 0
        self.order = np.argsort(codes, kind="stable")
        self.bounds = np.searchsorted(codes[self.order], np.arange(self.n + 1))
        labels = np.array([f"b{k}" for k in range(self.n)], dtype=object)
        self.label_codes = pd.factorize(labels, sort=True)[0].astype(np.int64)

    def pick(self, rng: np.random.Generator) -> np.ndarray:
        """The rows (no clusters) or clusters of one draw: all the randomness of a draw, so
        draws can be picked in order and fitted anywhere."""
        return rng.integers(0, self.n, self.n)

    def sample(self, picked: np.ndarray) -> pd.DataFrame:
        if self.cluster is None:
            return self.data.iloc[picked]
        lo, hi = self.bounds[picked], self.bounds[picked + 1]
        pos = np.concatenate([self.order[a:b] for a, b in zip(lo, hi, strict=True)])
        out = self.data.iloc[pos].copy()
        out[self.cluster] = np.repeat(self.label_codes, hi - lo)
        return out

    def fit(self, picked: np.ndarray) -> dict[str, Any]:
        # A separated draw could only end unconverged, and is discarded as such: not fitted.
        return _quiet_fit(self.sample(picked), self.spec, refuse_separated=True)


def _direct_refits(*specs: ModelSpec) -> AbstractContextManager[None]:
    """Many fits of pyfixest models skip formulaic (backends.pyfixest_matrix: the same matrix,
    checked on the first fit of each shape); other backends fit as they always do."""
    if all(choose_backend(s) != "pyfixest" for s in specs):
        return nullcontext()
    from analysis.models.backends.pyfixest_matrix import direct_model_matrix

    return direct_model_matrix()


def run_pairs_bootstrap(frames: dict[str, pd.DataFrame], hyp: HypothesisSpec) -> pd.DataFrame:
    """Pairs cluster bootstrap-t of each listed model's focal term (fixed seed).

    Symmetric bootstrap-t: t*_b = (b*_b - b) / se*_b with the model's own (clustered) SE,
    p = (1 + #{|t*_b| >= |t|}) / (1 + draws). Each draw refits through the estimation layer; a draw that
    cannot be fitted or is degenerate (a resample without treated clusters) is counted, and
    with more than ``MAX_FAILED_SHARE`` of them no p-value is reported.
    """
    pb = hyp.robustness.pairs_bootstrap if hyp.robustness else None
    rows = []
    for name in pb.models if pb else []:
        spec = hyp.model(name)
        frame = frames[hyp.frame_of(spec)]
        res = fit_model(frame, spec)
        main = _focal_row(res)
        cluster = spec.vcov.by[0] if spec.vcov.type in ("cluster", "twoway") else None
        draws = _PairsDraws(frame, res, cluster)
        rng = np.random.default_rng(pb.seed)
        picks = [draws.pick(rng) for _ in range(pb.reps)]
        blas = _BlasThreads()  # after the fit, which imported the backend and its BLAS
        blas.set(single=_single_thread_safe(spec))
        try:
            with _direct_refits(spec):
                fits = [draws.fit(p)
                        for p in progress(picks, f"pairs bootstrap {name}", len(picks), "draw")]  # fmt: skip
        finally:
            blas.set(single=False)
        t_star, failed = [], 0
        for draw in fits:
            if draw["status"] != "ok" or draw["degenerate"] or not draw["std_error"]:
                failed += 1
                continue
            t_star.append((float(draw["estimate"]) - main["estimate"]) / float(draw["std_error"]))
        t0 = abs(float(main["statistic"]))
        ok = len(t_star)
        # (1 + #extreme) / (1 + draws): a p-value of 0 would overstate 399 draws' resolution
        extreme = int((np.abs(np.asarray(t_star)) >= t0).sum())
        p = (1 + extreme) / (1 + ok) if ok else math.nan
        if failed > MAX_FAILED_SHARE * pb.reps:
            p = math.nan
        rows.append({
            "model": name, "term": spec.focal_term, "method": "pairs cluster bootstrap-t"
            if cluster else "pairs bootstrap-t", "estimate": main["estimate"], "p_robust": p,
            "draws": ok, "failed": failed, "n_clusters": main["n_clusters"],
            "detail": f"{pb.reps} draws (seed {pb.seed}), {failed} failed or degenerate",
        })  # fmt: skip
    return pd.DataFrame(rows)


ROBUST_P_COLUMNS = ["model", "term", "method", "estimate", "p_robust", "draws", "failed",
                    "n_clusters", "detail"]  # fmt: skip


def robust_p_table(
    wild: pd.DataFrame, ri: pd.DataFrame, pairs: pd.DataFrame, hyp: HypothesisSpec
) -> pd.DataFrame:
    """Every robust p-value of the hypothesis in one table (read by the claims ledger)."""
    rows = []
    for r in wild.itertuples():
        kind = (
            "wild cluster bootstrap"
            if pd.notna(r.n_clusters)
            else "wild bootstrap (heteroskedastic)"
        )
        rows.append({"model": r.model, "term": r.term, "method": f"{kind} (WCR, {r.weights})",
                     "estimate": r.estimate, "p_robust": r.wild_p_value, "draws": r.reps,
                     "failed": 0, "n_clusters": r.n_clusters,
                     "detail": f"{r.reps} draws (seed {r.seed})"})  # fmt: skip
    if not ri.empty:
        cfg = hyp.robustness.randomization
        treated = ri[ri["role"] == "treated"].iloc[0]
        rows.append({"model": cfg.model, "term": hyp.model(cfg.model).focal_term,
                     "method": "randomization inference over placebo "
                     + ("countries" if cfg.unit == "country_iso3" else f"{cfg.unit} units"),
                     "estimate": treated["estimate"], "n_clusters": treated["n_clusters"],
                     **randomization_p(ri)})  # fmt: skip
    rows += pairs.to_dict("records")
    return pd.DataFrame(rows, columns=ROBUST_P_COLUMNS)


def main_estimate(frames: dict[str, pd.DataFrame], hyp: HypothesisSpec) -> dict[str, Any]:
    if not hyp.robustness or not hyp.robustness.curve:
        return {}
    spec = hyp.model(hyp.robustness.curve.base)
    row = _quiet_fit(frames[hyp.frame_of(spec)], spec)
    return {"model": spec.name, "term": spec.focal_term} | {
        k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()
    }
