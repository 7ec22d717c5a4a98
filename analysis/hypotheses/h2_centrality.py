"""H2: economic centrality and network memberships, on the 2020 city cross-section.

The hypothesis module: the frame its spec names (``h2_cities``, built by
:func:`analysis.hypotheses.cross_section.build_h2_cities`), the data of its figures and the
figures themselves (the interface of :mod:`analysis.hypotheses`).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd

from analysis.hypotheses.cross_section import build_h2_cities
from analysis.hypotheses.figdata import Frames, _curve, _focal_rows, _need, _read
from analysis.models.estimate import FitResult
from analysis.models.framedef import FrameDef
from analysis.models.spec import HypothesisSpec

HYPOTHESIS = "h2"

#: The sources line of H2's figures (its specification curve's too).
SOURCES = (
    "Sources: GaWC 2020 and 2000 (Data Set 11, recomputed); OpenFlights; Fortune Global "
    "500 2017; diplomatic missions 2022; ClimActor, ETMUN, CDP, GCoM (memberships); V-Dem; "
    "World Bank (GDP per capita)."
)

FRAMES: dict[str, FrameDef] = {
    "h2_cities": FrameDef(
        ("city_year", "memberships"), build_h2_cities, ("city_id",), "cities in 2020"
    ),
}


def figure_data(
    spec: HypothesisSpec, frames: Frames, results: dict[str, FitResult]
) -> dict[str, pd.DataFrame]:
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


def fig_scatter(models_dir: Path, out_stem: Path, figures: ModuleType) -> list[Path]:
    points = pd.read_csv(models_dir / "figdata/centrality_points.csv", keep_default_na=False)
    points["highlight"] = points["highlight"].astype(str).eq("True")
    points["x"], points["y"] = points["x"].astype(float), points["y"].astype(float)
    curve = pd.read_csv(models_dir / "figdata/centrality_curve.csv")
    return figures.scatter_fit(
        points,
        curve,
        out_stem,
        x_label="GaWC global network connectivity 2020, log(1 + score)",
        y_label="Transnational networks held in 2020 (count)",
        highlight_label="Mainland China",
        title="Economic centrality and network memberships (fitted Poisson, 95% CI)",
        source_note=SOURCES,
    )


def fig_coefs(models_dir: Path, out_stem: Path, figures: ModuleType) -> list[Path]:
    coefs, fit = _read(models_dir)
    rows = _focal_rows(
        coefs,
        fit,
        ["gawc2020", "gawc2000", "air_degree", "fortune500", "missions"],
        "Each model's centrality measure (outcome: networks held)",
    )
    return figures.coef_plot(
        rows,
        ["focal"],
        out_stem,
        title="Centrality and network memberships across centrality measures",
        source_note=SOURCES,
        xlabel="Poisson coefficient per SD of log centrality (95% CI)",
    )


FIGURES = {"h2_centrality_networks": fig_scatter, "h2_coef_centrality": fig_coefs}
