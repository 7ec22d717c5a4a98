"""Synthetic control of one treated country's yearly series against donor countries (pysyncon).

The series of a unit (country) is the mean of the outcome over its cities in the sample, per
year (e.g. H3: climate-commitment events per city, CDP disclosure + emergency declaration).
The synthetic unit is a convex combination of donor countries (``pysyncon.Synth``, the
Abadie-Diamond-Hainmueller estimator) matched on the pre-period outcome and the predictors'
pre-period means. With a single pre-period year a data-driven predictor weighting V is not
identified (every V reproduces that one year), so V is fixed: equal weights on the
standardized predictors (``custom_V``); only the donor weights W are optimized, by the
library's own solver. Donors are units with at least ``min_cities`` cities (a country of one
or two cities gives a series of 0/1 jumps).

Reported: the path (treated, synthetic, gap by year), the donor weights, the average
post-period gap (the estimate), the pre-period RMSPE, and, with ``placebos``, the in-space
placebo distribution: each donor in turn treated against the other donors (the treated unit
left out); p = (1 + #{placebo |mean post gap| >= |treated|}) / (1 + placebos). The post/pre
RMSPE ratio of Abadie et al. (2010) is reported per unit too, but not used for p: with one
pre-year the pre-period fit is near exact for most units and the ratio divides by ~0.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import ConfigError, PipelineError
from analysis.core.log import progress
from analysis.models.design import FrameMasks
from analysis.models.spec import SyntheticControl

Y = "y"  # the series' column in the unit-year table


@dataclass
class SynthFit:
    treated: str
    weights: pd.Series  # donor -> weight (all donors, sorted by name)
    path: pd.DataFrame  # year, treated, synthetic, gap
    pre_years: list[int]
    post_gap: float  # mean gap over post years
    pre_rmspe: float
    post_rmspe: float


def unit_series(frame: pd.DataFrame, cfg: SyntheticControl) -> pd.DataFrame:
    """Unit-year table: the outcome's mean over the unit's cities (``y``), the predictors'
    means, and the number of cities (``n_cities``), from rows passing ``cfg.sample`` with the
    outcome observed."""
    cols = [cfg.unit, cfg.year, cfg.city, cfg.outcome, *cfg.predictors]
    missing = [c for c in cols if c not in frame]
    if missing:
        raise ConfigError(f"robustness.synthetic_control: column(s) {missing} not in the frame")
    masks = FrameMasks(frame)
    keep = np.ones(len(frame), dtype=bool)
    for c in cfg.sample:
        keep &= masks.condition(c)
    rows = frame.loc[keep & frame[cfg.outcome].notna().to_numpy(), cols]
    agg: dict[str, Any] = {Y: (cfg.outcome, "mean"), "n_cities": (cfg.city, "nunique")}
    agg |= {p: (p, "mean") for p in cfg.predictors}
    out = rows.groupby([cfg.unit, cfg.year]).agg(**agg).reset_index()
    out[cfg.unit] = out[cfg.unit].astype(str)
    return out.sort_values([cfg.unit, cfg.year], kind="mergesort").reset_index(drop=True)


def donor_pool(series: pd.DataFrame, cfg: SyntheticControl) -> tuple[list[str], pd.DataFrame]:
    """Donors (units other than the treated with ``min_cities`` cities in every year and a
    complete series) and the table of every unit with its role and reason."""
    years = sorted(series[cfg.year].unique())
    rows, donors = [], []
    for unit, g in series.groupby(cfg.unit, sort=True):
        cities = int(g["n_cities"].min())
        if unit == cfg.treated:
            role, reason = "treated", ""
        elif len(g) < len(years) or g[[Y, *cfg.predictors]].isna().any().any():
            role, reason = "excluded", "series incomplete"
        elif cities < cfg.min_cities:
            role, reason = "excluded", f"fewer than {cfg.min_cities} cities"
        else:
            role, reason = "donor", ""
            donors.append(str(unit))
        rows.append({"unit": unit, "role": role, "reason": reason, "n_cities": cities})
    table = pd.DataFrame(rows)
    if cfg.treated not in set(table["unit"]):
        raise ConfigError(f"robustness.synthetic_control: treated {cfg.treated!r} not in sample")
    return donors, table


def fit_synth(
    series: pd.DataFrame, treated: str, donors: list[str], cfg: SyntheticControl
) -> SynthFit:
    """One synthetic control of `treated` from `donors` (pysyncon ``Synth``, fixed equal V)."""
    from pysyncon import Dataprep, Synth

    years = sorted(int(y) for y in series[cfg.year].unique())
    pre = [y for y in years if y < cfg.start_year]
    post = [y for y in years if y >= cfg.start_year]
    if not pre or not post:
        raise PipelineError(
            f"synthetic control: needs years before and from {cfg.start_year}; has {years}"
        )
    if len(donors) < 2:
        raise PipelineError(f"synthetic control of {treated}: fewer than two donors")
    data = series[series[cfg.unit].isin([treated, *donors])]
    prep = Dataprep(
        foo=data,
        predictors=list(cfg.predictors),
        predictors_op="mean",
        dependent=Y,
        unit_variable=cfg.unit,
        time_variable=cfg.year,
        treatment_identifier=treated,
        controls_identifier=list(donors),
        time_predictors_prior=pre,
        time_optimize_ssr=pre,
        special_predictors=[(Y, pre, "mean")],
    )
    n_pred = len(cfg.predictors) + 1
    synth = Synth()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        synth.fit(dataprep=prep, custom_V=np.full(n_pred, 1.0 / n_pred))
    Z0, Z1 = prep.make_outcome_mats(time_period=years)
    synthetic = synth._synthetic(Z0=Z0)
    path = pd.DataFrame(
        {
            "year": years,
            "treated": Z1.to_numpy(dtype=float),
            "synthetic": synthetic.to_numpy(dtype=float),
        }
    )
    path["gap"] = path["treated"] - path["synthetic"]
    if synth.W is None:
        raise PipelineError(f"synthetic control of {treated}: pysyncon returned no weights")
    weights = pd.Series(
        np.asarray(synth.W, dtype=float), index=list(prep.controls_identifier)
    ).sort_index()
    gap_pre = path.loc[path["year"].isin(pre), "gap"]
    gap_post = path.loc[path["year"].isin(post), "gap"]
    return SynthFit(
        treated=treated,
        weights=weights,
        path=path,
        pre_years=pre,
        post_gap=float(gap_post.mean()),
        pre_rmspe=float(np.sqrt((gap_pre**2).mean())),
        post_rmspe=float(np.sqrt((gap_post**2).mean())),
    )


def placebo_p(estimate: float, placebos: list[float]) -> float:
    """(1 + #{|placebo| >= |estimate|}) / (1 + placebos)."""
    b = abs(estimate)
    extreme = sum(abs(p) >= b - 1e-12 for p in placebos)
    return (1 + extreme) / (1 + len(placebos))


def run_synthetic_control(
    frame: pd.DataFrame, cfg: SyntheticControl
) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """The treated unit's synthetic control, its in-space placebos, and a summary.

    Returns (summary, tables) with tables ``path`` (year, treated, synthetic, gap),
    ``weights`` (unit, role, reason, n_cities, weight) and ``placebos`` (unit, role,
    post_gap, pre_rmspe, post_rmspe, ratio, rank)."""
    series = unit_series(frame, cfg)
    donors, units = donor_pool(series, cfg)
    main = fit_synth(series, cfg.treated, donors, cfg)
    weights = units.merge(
        main.weights.rename("weight").rename_axis("unit").reset_index(), on="unit", how="left"
    )
    rows = [_placebo_row(main, "treated")]
    if cfg.placebos:
        for d in progress(donors, "synthetic-control placebos", len(donors), "donor"):
            others = [u for u in donors if u != d]
            try:
                rows.append(_placebo_row(fit_synth(series, d, others, cfg), "placebo"))
            except PipelineError as err:  # kept with its reason, never dropped
                rows.append({"unit": d, "role": "placebo", "status": f"failed: {err}"})
    placebos = pd.DataFrame(rows)
    ok = placebos[(placebos["role"] == "placebo") & (placebos["status"] == "ok")]
    gaps = ok["post_gap"].astype(float).tolist()
    p = placebo_p(main.post_gap, gaps) if gaps else math.nan
    order = placebos["post_gap"].astype(float).abs().rank(ascending=False, method="min")
    placebos["rank_abs"] = order.where(placebos["status"] == "ok").astype("Int64")
    rank = int(placebos.loc[placebos["role"] == "treated", "rank_abs"].iloc[0])
    summary = {
        "checks": cfg.checks,
        "outcome": cfg.outcome,
        "treated": cfg.treated,
        "estimator": "synthetic control (pysyncon Synth: donor weights W by its solver, "
        "V fixed at equal weights on the standardized predictors)",
        "predictors": [f"{cfg.outcome} (pre-period mean)"]
        + [f"{p} (pre-period mean)" for p in cfg.predictors],
        "pre_years": main.pre_years,
        "post_years": [int(y) for y in main.path["year"] if y >= cfg.start_year],
        "estimate": main.post_gap,
        "pre_rmspe": main.pre_rmspe,
        "post_rmspe": main.post_rmspe,
        "donors": len(donors),
        "min_cities": cfg.min_cities,
        "donors_with_weight": int((main.weights > 0.001).sum()),
        "placebos": len(gaps),
        "placebos_failed": int(len(placebos) - 1 - len(gaps)),
        "p_value": p,
        "rank": rank,
        "p_method": "in-space placebos: rank of |mean post-period gap| among the donors each "
        "treated in turn, (1 + #{|placebo| >= |treated|}) / (1 + placebos)",
        "credible": len(main.pre_years) >= 3,
        "credibility_note": (
            f"{len(main.pre_years)} pre-period year(s) ({', '.join(map(str, main.pre_years))}): "
            "too few to judge the pre-period fit, so the synthetic control is a check (it can "
            "only weaken the claim), not support"
            if len(main.pre_years) < 3
            else f"{len(main.pre_years)} pre-period years"
        ),
    }
    return summary, {"path": main.path, "weights": weights, "placebos": placebos}


def _placebo_row(fit: SynthFit, role: str) -> dict[str, Any]:
    ratio = fit.post_rmspe / fit.pre_rmspe if fit.pre_rmspe > 0 else math.inf
    return {
        "unit": fit.treated, "role": role, "status": "ok", "post_gap": fit.post_gap,
        "pre_rmspe": fit.pre_rmspe, "post_rmspe": fit.post_rmspe, "rmspe_ratio": ratio,
    }  # fmt: skip


__all__ = [
    "SynthFit",
    "donor_pool",
    "fit_synth",
    "placebo_p",
    "run_synthetic_control",
    "unit_series",
]
