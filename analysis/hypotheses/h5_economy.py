"""H5 economy: economic interests run through city diplomacy (sister-city ties).

Frames:

- ``h5_cities``: the H2 city cross-section of 2020 (:func:`analysis.frames.build_h2_cities`:
  centrality measures as ``log1p_``, controls, ``china_mainland``) plus the tie composition
  of each city: ``sister_city_degree`` (distinct partner cities over the Wikipedia sister-city
  and Baltic twinning dyads, time-invariant), ``n_tmn`` (transnational networks held in 2020,
  as H2's outcome: national programmes such as China's APPC and reporting platforms are not
  the multilateral ties the essay contrasts with sister cities), ``total_ties`` and
  ``bilateral_share`` = sister / (sister + n_tmn) (missing without ties).
- ``h5_ties``: the same cities stacked twice, one row per (city, tie type): ``ties`` is the
  sister-city degree (``bilateral`` = 1) or the network count (``bilateral`` = 0). A Poisson
  model of ``ties`` with city fixed effects and ``bilateral`` interactions compares the
  bilateral-to-multilateral ratio across cities with everything city-level held fixed:
  ``bilateral:china_mainland`` is the log of how much larger the ratio is for a mainland
  Chinese city.

Figures: ``h5_top_cities`` (the 30 GaWC cities with the most sister-city partners, mainland
Chinese cities highlighted) and ``h5_china_ties`` (predicted sister-city partners and network
memberships of a mainland Chinese and another city at mean centrality).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import PipelineError
from analysis.estimate import FitResult
from analysis.figdata import _at_means, _need
from analysis.framedef import FrameDef
from analysis.frames import build_h2_cities
from analysis.modelspec import HypothesisSpec

HYPOTHESIS = "h5"
CITY_YEAR_COLUMNS = (
    "city_id", "year", "city_name", "country_iso3", "admin1_code", "n_networks",
    "n_networks_transnational", "sister_city_degree", "gawc_gnc_2020", "gawc_gnc_2000", "air_degree", "air_betweenness", "air_eigenvector",
    "fortune500_hq_2017", "foreign_missions_2022", "log_pop", "capital", "gdp_pc_usd",
    "v2x_polyarchy", "v2x_regime",
)  # fmt: skip
MEMBERSHIP_COLUMNS = ("city_id", "network", "network_type", "join_year", "first_observed_year")
TIE_COLUMNS = (  # city-level columns carried into the stacked frame
    "city_id", "city_name", "country_iso3", "admin1_code", "china_mainland", "gawc_city", "gawc_gnc_2020",
    "log1p_gawc_gnc_2020", "log_pop", "capital", "log_gdp_pc", "v2x_polyarchy",
)  # fmt: skip
SOURCE_NOTE = (
    "Sources: Wikipedia lists of twin towns and sister cities and Baltic twinning lists "
    "(dyads matched to GeoNames cities); GaWC 2020 (Data Set 31); ClimActor, ETMUN, CDP, "
    "GCoM (network memberships)."
)


def require(df: pd.DataFrame, columns: tuple[str, ...], table: str) -> None:
    """PipelineError naming `table` and every column of `columns` it lacks."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise PipelineError(f"h5: table {table!r} lacks column(s) {missing}")


def build_h5_cities(t: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Cities in 2020 (the H2 frame) with sister-city degree and the bilateral share of ties."""
    require(t["city_year"], CITY_YEAR_COLUMNS, "city_year")
    require(t["memberships"], MEMBERSHIP_COLUMNS, "memberships")
    c = build_h2_cities(t)
    if c.empty:
        raise PipelineError("h5: city_year has no rows in the H2 year")
    sister = c["sister_city_degree"].astype(float)
    nets = c["n_tmn"].astype(float)
    if (sister < 0).any() or (nets < 0).any():
        raise PipelineError("h5: negative sister_city_degree or network count in city_year")
    c["sister_city_degree"] = sister
    c["total_ties"] = sister + nets
    c["bilateral_share"] = (sister / c["total_ties"]).where(c["total_ties"] > 0)
    c["any_sister_city"] = (sister > 0).astype(float)
    return c


def build_h5_ties(t: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per (city, tie type): sister-city partners (bilateral) and networks held."""
    c = build_h5_cities(t)[[*TIE_COLUMNS, "sister_city_degree", "n_tmn"]]
    bi = c.drop(columns="n_tmn").rename(columns={"sister_city_degree": "ties"})
    multi = c.drop(columns="sister_city_degree").rename(columns={"n_tmn": "ties"})
    out = pd.concat(
        [bi.assign(tie_type="bilateral", bilateral=1.0),
         multi.assign(tie_type="network", bilateral=0.0)],
        ignore_index=True,
    )  # fmt: skip
    out["tie_type"] = out["tie_type"].astype("str")
    return out.sort_values(["city_id", "tie_type"]).reset_index(drop=True)


FRAMES: dict[str, FrameDef] = {
    "h5_cities": FrameDef(
        ("city_year", "memberships"), build_h5_cities, ("city_id",), "cities in 2020"
    ),
    "h5_ties": FrameDef(
        ("city_year", "memberships"),
        build_h5_ties,
        ("city_id", "tie_type"),
        "cities in 2020 × tie type (sister-city partners, networks)",
    ),
}


# --------------------------------------------------------------------------------------------
# figure data
# --------------------------------------------------------------------------------------------


def top_cities(res: FitResult, frame: pd.DataFrame) -> pd.DataFrame:
    """Every city of the model's estimation sample, by sister-city degree (largest first)."""
    s = frame.loc[res.design.y.index]
    out = pd.DataFrame(
        {
            "name": [f"{n} ({c})" for n, c in zip(s["city_name"], s["country_iso3"], strict=True)],
            "value": s["sister_city_degree"].astype(float).to_numpy(),
            "highlight": (s["china_mainland"] == 1).to_numpy(),
            "city_id": s["city_id"].to_numpy(),
            "n_tmn": s["n_tmn"].astype(float).to_numpy(),
            "gawc_gnc_2020": s["gawc_gnc_2020"].astype(float).to_numpy(),
        }
    )
    return out.sort_values(
        ["value", "name"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)


def china_ties(sister: FitResult, nets: FitResult, frame: pd.DataFrame) -> pd.DataFrame:
    """Predicted sister-city partners and networks for a mainland Chinese and another city,
    other terms at their estimation-sample means (capital at 0), from two Poisson models."""
    rows = []
    for outcome, res in (("Sister-city partners", sister), ("Networks held", nets)):
        new = _at_means(res, frame, "china_mainland", np.array([1.0, 0.0]))
        pred = res.predict(new)
        for (_, p), who in zip(pred.iterrows(), ("mainland China", "other"), strict=True):
            row = {"category": f"{outcome}, {who}", "outcome": outcome, "china": who}
            rows.append(
                row | {"estimate": p["fit"], "ci_low": p["ci_low"], "ci_high": p["ci_high"]}
            )
    return pd.DataFrame(rows)


def figure_data(
    spec: HypothesisSpec, frames: Mapping[str, pd.DataFrame], results: dict[str, FitResult]
) -> dict[str, pd.DataFrame]:
    main = _need(results, "sc_gawc", HYPOTHESIS)
    sister = _need(results, "sc_china_main", HYPOTHESIS)
    nets = _need(results, "net_china", HYPOTHESIS)
    frame = frames[spec.frame_of(main.spec)]
    return {
        "top_cities": top_cities(main, frame),
        "china_ties": china_ties(sister, nets, frames[spec.frame_of(sister.spec)]),
    }


# --------------------------------------------------------------------------------------------
# figures
# --------------------------------------------------------------------------------------------


def top_cities_figure(models_dir: Path, out_stem: Path) -> list[Path]:
    df = pd.read_csv(models_dir / "figdata/top_cities.csv", keep_default_na=False)
    from analysis import figures  # lazy: matplotlib is slow to import

    return figures.ranked_bars(
        df,
        out_stem,
        value_label="Distinct sister-city and twinning partners (count)",
        title="The 30 GaWC 2020 cities with the most sister-city partners",
        source_note=SOURCE_NOTE + f" Sample: the {len(df)} GaWC 2020 cities of the main model.",
        top=30,
        highlight_label="Mainland China",
        other_label="Other countries",
    )


def china_ties_figure(models_dir: Path, out_stem: Path) -> list[Path]:
    df = pd.read_csv(models_dir / "figdata/china_ties.csv")
    from analysis import figures  # lazy: matplotlib is slow to import

    return figures.category_bars(
        df,
        out_stem,
        x_label="Tie type, mainland Chinese vs other city",
        y_label="Predicted count",
        title="Sister cities vs networks, mainland China (Poisson, 95% CI)",
        source_note=SOURCE_NOTE + " GaWC 2020 cities; log population, GDP per capita, "
        "democracy and GaWC connectivity at sample means, non-capital.",
    )


FIGURES: dict[str, Callable[[Path, Path], list[Path]]] = {
    "h5_top_cities": top_cities_figure,
    "h5_china_ties": china_ties_figure,
}

__all__ = [
    "FIGURES", "FRAMES", "HYPOTHESIS", "build_h5_cities", "build_h5_ties", "china_ties",
    "figure_data", "top_cities",
]  # fmt: skip
