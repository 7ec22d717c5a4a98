"""Helpers shared by the hypothesis modules' figure data and figures.

Figure data (``figure_data``) is computed from fitted models and their frame; figures read only
these tidy CSVs (``results/models/<h>/figdata/``), ``coefficients.csv`` and ``fit.json``.
Predictions hold the other regressors at their estimation-sample means (binary indicators at
0), with delta-method 95% intervals on the link scale.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.errors import PipelineError
from analysis.models.estimate import FitResult
from analysis.models.spec import term_columns

GRID = 60


def _at_means(
    res: FitResult, frame: pd.DataFrame, vary: str, grid: np.ndarray, **fixed: float
) -> pd.DataFrame:
    """Rows with `vary` over `grid`, other model columns at sample means (0/1 columns at 0)."""
    sample = frame.loc[res.design.y.index]
    cols = {c for t in res.spec.terms for c in term_columns(t)}
    row = {}
    for c in sorted(cols):
        v = sample[c].astype(float)
        row[c] = 0.0 if set(v.dropna().unique()) <= {0.0, 1.0} else float(v.mean())
    row |= fixed
    new = pd.DataFrame([row] * len(grid))
    new[vary] = grid
    return new


def _curve(
    res: FitResult, frame: pd.DataFrame, vary: str, x: pd.Series, **fixed: float
) -> pd.DataFrame:
    grid = np.linspace(float(x.min()), float(x.max()), GRID)
    new = _at_means(res, frame, vary, grid, **fixed)
    pred = res.predict(new)
    return pd.DataFrame({"x": grid, "fit": pred["fit"], "ci_low": pred["ci_low"],
                         "ci_high": pred["ci_high"]})  # fmt: skip


def _need(results: dict[str, FitResult], name: str, hyp: str) -> FitResult:
    if name not in results:
        raise PipelineError(
            f"{hyp}: the figures need model {name!r} in config/models/{hyp}.yaml; it is missing"
        )
    return results[name]


Frames = dict[str, pd.DataFrame]


def _focal_rows(coefs: pd.DataFrame, fit: dict, models: list[str], label: str) -> pd.DataFrame:
    focal = {m["model"]: m["focal"] for m in fit["models"]}
    missing = [m for m in models if m not in focal]
    if missing:
        raise PipelineError(f"{fit['hypothesis']}: figure needs models {missing} in the spec")
    rows = [coefs[(coefs["model"] == m) & (coefs["term"] == focal[m])] for m in models]
    # One panel: each model's focal coefficient under a common term name.
    return pd.concat(rows, ignore_index=True).assign(term="focal", term_label=label)


def _read(models_dir: Path) -> tuple[pd.DataFrame, dict]:
    coefs = pd.read_csv(models_dir / "coefficients.csv")
    fit = json.loads((models_dir / "fit.json").read_text("utf-8"))
    return coefs, fit
