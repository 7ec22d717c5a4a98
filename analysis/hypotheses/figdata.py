"""The data behind each hypothesis's figures, computed from fitted models and their frame.

Figures read only these tidy CSVs (``results/models/<h>/figdata/``) and ``coefficients.csv``.
Predictions hold the other regressors at their estimation-sample means (binary indicators at
0), with delta-method 95% intervals on the link scale.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from analysis.core.errors import PipelineError
from analysis.models.estimate import FitResult
from analysis.models.spec import HypothesisSpec, term_columns

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


def h2_figures(spec: HypothesisSpec, frames: Frames, results: dict[str, FitResult]):
    res = _need(results, "gawc2020", "h2")
    frame = frames[spec.frame_of(res.spec)]
    s = frame.loc[res.design.y.index]
    x = s["log1p_gawc_gnc_2020"]
    top = set(s.nlargest(8, "gawc_gnc_2020")["city_id"])
    top |= set(s[s["china_mainland"] == 1].nlargest(5, "gawc_gnc_2020")["city_id"])
    points = pd.DataFrame(
        {
            "x": x.to_numpy(),
            "y": s[res.spec.outcome].to_numpy(dtype=float),  # the fitted outcome (TMNs)
            "highlight": (s["china_mainland"] == 1).to_numpy(),
            "label": np.where(s["city_id"].isin(top), s["city_name"], ""),
        }
    ).sort_values(["x", "y"], kind="stable")
    curve = _curve(res, frame, "log1p_gawc_gnc_2020", x)
    return {"centrality_points": points, "centrality_curve": curve}


#: H1 models whose estimation sample gets a country list with each country's share of acts
#: (``country_shares``), and the column that counts the acts in each model's frame.
H1_SHARE_MODELS = (
    "climate",
    "peace",
    "climate_lpm",
    "peace_lpm",
    "climate_all_countries",
    "pooled_universe",
    "climate_logit",
    "cy_climate",
    "cy_climate_fe",
    "cy_peace",
    "vdem",
)
H1_DEFIANCE_FRAMES = ("h1_defiance", "h1_country_year")
H1_ACT_COLUMNS = {
    "climate_per_1000": "climate_acts",
    "peace_per_1000": "peace_acts",
    "any_defiance_climate": "defiance_climate",
    "any_defiance_peace": "defiance_peace",
    "any_defiance": "defiance_acts",
}


def h1_country_shares(
    spec: HypothesisSpec, frames: Frames, results: dict[str, FitResult]
) -> pd.DataFrame:
    """Country list and share of acts of every H1 defiance estimate: the models of
    :data:`H1_SHARE_MODELS`, then every other model on a frame of :data:`H1_DEFIANCE_FRAMES`."""
    parts = []
    # The listed models first, then every other model on a defiance frame (spec order).
    names = [n for n in H1_SHARE_MODELS if n in results]
    names += [
        n
        for n in results
        if n not in names and spec.frame_of(results[n].spec) in H1_DEFIANCE_FRAMES
    ]
    for name in names:
        res = results[name]
        frame = frames[spec.frame_of(res.spec)]
        s = frame.loc[res.design.y.index]
        acts_col = H1_ACT_COLUMNS.get(res.spec.outcome, res.spec.outcome)
        unit = "city_id" if "city_id" in s.columns else "year"
        g = s.groupby("country_iso3", sort=True)
        t = pd.DataFrame(
            {
                "units": g[unit].nunique() if unit == "city_id" else g.size(),
                "rows": g.size(),
                "acts": g[acts_col].sum().astype("int64"),
                "v2x_polyarchy": g["v2x_polyarchy"].mean(),
            }
        )
        total = int(t["acts"].sum())
        t["share_acts"] = t["acts"] / total if total else 0.0
        t = t.reset_index().sort_values(["acts", "country_iso3"], ascending=[False, True])
        t.insert(0, "model", name)
        t.insert(1, "unit", "cities" if unit == "city_id" else "country-years")
        parts.append(t)
    return pd.concat(parts, ignore_index=True)


def h1_figures(spec: HypothesisSpec, frames: Frames, results: dict[str, FitResult]):
    res = _need(results, "climate_logit", "h1")
    frame = frames[spec.frame_of(res.spec)]
    s = frame.loc[res.design.y.index]
    out = {"democracy_margins": _curve(res, frame, "v2x_polyarchy", s["v2x_polyarchy"])}
    rows = []
    for name, norm in (("climate", "climate"), ("peace", "peace")):
        main = _need(results, name, "h1")
        m = frames[spec.frame_of(main.spec)].loc[main.design.y.index]
        g = m.groupby("country_iso3", sort=True)
        t = pd.DataFrame(
            {
                "cities": g["city_id"].nunique(),
                "city_years": g.size(),
                "acts": g[f"defiance_{norm}"].sum().astype("int64"),
                "v2x_polyarchy": g["v2x_polyarchy"].mean(),
                "autocracy": g["v2x_regime"].max().isin([0, 1]),
            }
        )
        t["acts_per_1000_city_years"] = 1000 * t["acts"] / t["city_years"]
        rows.append(t.reset_index().assign(norm=norm))
    by_country = pd.concat(rows, ignore_index=True)
    out["defiance_countries"] = by_country.sort_values(
        ["acts", "norm", "country_iso3"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)
    out["country_shares"] = h1_country_shares(spec, frames, results)
    comp = _need(results, "composition", "h1")
    c = frames[spec.frame_of(comp.spec)].loc[comp.design.y.index]
    group = np.where(c["china_mainland"] == 1, "Mainland China", "Other cities")
    means = c.groupby(group)["normative_share"].agg(["size", "mean", "median"])
    out["composition_means"] = (
        means.rename(columns={"size": "n"}).rename_axis("group").reset_index()
    )
    eu = np.where(c["europe"] == 1, "Europe", "Outside Europe")
    means = c.groupby(eu)["normative_share"].agg(["size", "mean", "median"])
    out["composition_europe"] = (
        means.rename(columns={"size": "n"}).rename_axis("group").reset_index()
    )
    return out


FIGDATA: dict[str, Callable[..., dict[str, pd.DataFrame]]] = {"h1": h1_figures, "h2": h2_figures}


def figure_data(
    spec: HypothesisSpec, frames: Frames, results: dict[str, FitResult]
) -> dict[str, pd.DataFrame]:
    from analysis.hypotheses import modules

    registry = dict(FIGDATA) | {m.HYPOTHESIS: m.figure_data for m in modules()}
    fn = registry.get(spec.hypothesis)
    return {} if fn is None else fn(spec, frames, results)
