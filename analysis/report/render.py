"""Render a hypothesis's tables and figures from its tidy results (never from model objects).

The figure registry below is what the Snakemake rules expand, so adding a figure here adds
its output to the DAG.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from analysis.core.errors import PipelineError
from analysis.report.tables import write_tables

SOURCES = {
    "h1": "Sources: GCoM, ETMUN, CEDAMIA, GPM (acts); V-Dem v15, Polity5, Freedom House, "
    "LIED, BMR (regimes); UN Treaty Collection (Paris); OWID (nuclear states, NATO).",
    "h2": "Sources: GaWC 2020 and 2000 (Data Set 11, recomputed); OpenFlights; Fortune Global "
    "500 2017; diplomatic missions 2022; ClimActor, ETMUN, CDP, GCoM (memberships); V-Dem; "
    "World Bank (GDP per capita).",
}


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


def h2_scatter(models_dir: Path, out_stem: Path) -> list[Path]:
    points = pd.read_csv(models_dir / "figdata/centrality_points.csv", keep_default_na=False)
    points["highlight"] = points["highlight"].astype(str).eq("True")
    points["x"], points["y"] = points["x"].astype(float), points["y"].astype(float)
    curve = pd.read_csv(models_dir / "figdata/centrality_curve.csv")
    from analysis import figures

    return figures.scatter_fit(
        points,
        curve,
        out_stem,
        x_label="GaWC global network connectivity 2020, log(1 + score)",
        y_label="Transnational networks held in 2020 (count)",
        highlight_label="Mainland China",
        title="Economic centrality and network memberships (fitted Poisson, 95% CI)",
        source_note=SOURCES["h2"],
    )


def h2_coefs(models_dir: Path, out_stem: Path) -> list[Path]:
    coefs, fit = _read(models_dir)
    rows = _focal_rows(
        coefs,
        fit,
        ["gawc2020", "gawc2000", "air_degree", "fortune500", "missions"],
        "Each model's centrality measure (outcome: networks held)",
    )
    from analysis import figures

    return figures.coef_plot(
        rows,
        ["focal"],
        out_stem,
        title="Centrality and network memberships across centrality measures",
        source_note=SOURCES["h2"],
        xlabel="Poisson coefficient per SD of log centrality (95% CI)",
    )


def h1_margins(models_dir: Path, out_stem: Path) -> list[Path]:
    curve = pd.read_csv(models_dir / "figdata/democracy_margins.csv")
    from analysis import figures

    return figures.line_with_band(
        curve,
        out_stem,
        x_label="V-Dem electoral democracy index (0–1)",
        y_label="Probability of a climate defiance act in a city-year",
        title="Democracy and climate defiance on the urban-centre universe (logit, 95% CI)",
        source_note=SOURCES["h1"],
    )


def h1_coefs(models_dir: Path, out_stem: Path) -> list[Path]:
    coefs, fit = _read(models_dir)
    models = ["climate", "row", "polity", "fh", "lied", "bmr"]
    rows = _focal_rows(
        coefs, fit, models, "Each model's regime measure (outcome: climate defiance acts)"
    )
    from analysis import figures

    return figures.coef_plot(
        rows,
        ["focal"],
        out_stem,
        title="Democracy and climate defiance across regime measures (urban-centre universe)",
        source_note=SOURCES["h1"],
        xlabel="Poisson coefficient per SD of the regime measure (95% CI)",
    )


def h1_countries(models_dir: Path, out_stem: Path) -> list[Path]:
    """Ranked bars: defiance acts per 1,000 city-years by country and norm, autocracies
    highlighted, V-Dem in the label (the countries of the per-norm main models)."""
    d = pd.read_csv(models_dir / "figdata/defiance_countries.csv")
    # Every country of the climate model (zero bars included: the autocracies without an act)
    # and the peace model's countries with an act (its other 31 all have none).
    d = d[(d["acts"] > 0) | (d["norm"] == "climate")]
    bars = pd.DataFrame(
        {
            "name": d["country_iso3"]
            + " "
            + d["norm"]
            + ": V-Dem "
            + d["v2x_polyarchy"].map("{:.2f}".format)
            + ", "
            + d["acts"].astype(str)
            + " acts",
            "value": d["acts_per_1000_city_years"],
            "highlight": d["autocracy"].astype(str).eq("True"),
        }
    )
    from analysis import figures

    return figures.ranked_bars(
        bars,
        out_stem,
        value_label="Defiance acts per 1,000 urban-centre city-years (opportunity, covered)",
        title="Defiance by country and norm (urban centres of 100,000+)",
        source_note=SOURCES["h1"] + " Universe: GHSL urban centres (GUDD 2020).",
        name_label="",
        highlight_label="Autocracy (V-Dem RoW 0-1)",
        other_label="Democracy",
    )


FIGURES: dict[str, dict[str, Callable[[Path, Path], list[Path]]]] = {
    "h1": {
        "h1_democracy_margins": h1_margins,
        "h1_coef_regimes": h1_coefs,
        "h1_countries": h1_countries,
    },
    "h2": {"h2_centrality_networks": h2_scatter, "h2_coef_centrality": h2_coefs},
}


def all_figures() -> dict[str, dict[str, Callable[[Path, Path], list[Path]]]]:
    from analysis.hypotheses import modules

    return dict(FIGURES) | {m.HYPOTHESIS: m.FIGURES for m in modules()}


def figure_names(hypothesis: str) -> list[str]:
    return sorted(all_figures().get(hypothesis, {}))


def render_tables(models_dir: Path, out_stem: Path) -> list[Path]:
    return write_tables(models_dir / "coefficients.csv", models_dir / "fit.json", out_stem)


def render_figures(
    hypothesis: str, models_dir: Path, fig_dir: Path, only: str | None = None
) -> list[Path]:
    registry = all_figures().get(hypothesis, {})
    if only is not None and only not in registry:
        raise PipelineError(f"{hypothesis}: no figure named {only!r}; known: {sorted(registry)}")
    out: list[Path] = []
    for name, make in sorted(registry.items()):
        if only is None or name == only:
            out += make(models_dir, fig_dir / name)
    return out


def render_spec_curve(hypothesis: str, robustness_dir: Path, out_stem: Path) -> list[Path]:
    """The curve on one scale: each specification's z-statistic (estimate / SE) with
    z ± 1.96, so Poisson, logit and linear-probability specs are ranked together on what
    their tests compare; degenerate fits are left out (counted in the title)."""
    specs = pd.read_csv(robustness_dir / "specs.csv")
    summary = json.loads((robustness_dir / "summary.json").read_text("utf-8"))["curve"]
    ok = specs[specs["status"] == "ok"].copy()
    if "degenerate" in ok:
        ok = ok[~ok["degenerate"].astype(bool)]
    z = ok["statistic"].astype(float)
    ok = ok.assign(estimate=z, ci_low=z - 1.96, ci_high=z + 1.96)
    labels = summary.get("option_labels", {})
    for dim, names in labels.items():
        ok[dim] = ok[dim].astype(str).map(lambda v, n=names: n.get(v, v))
    heads = {d: d.replace("_", " ") for d in summary["dimensions"]}  # headings in words
    ok = ok.rename(columns=heads)
    share = summary["share_expected_sign"]
    sig = summary["share_expected_sign_p05"]
    opp = summary["share_opposite_sign_p05"]
    from analysis import figures

    return figures.spec_curve(
        ok,
        out_stem,
        title=(
            f"{hypothesis.upper()} specification curve: {summary['fitted']} sound fits of "
            f"{summary['specifications']} ({summary.get('degenerate', 0)} degenerate, "
            f"{summary['failed']} failed); {share:.0%} with the expected sign, {sig:.0%} also "
            f"at p < 0.05, {opp:.0%} significant the other way"
        ),
        source_note=SOURCES.get(hypothesis, "Sources: see the hypothesis table.")
        + " z-statistic (estimate / standard error) of the focal coefficient, one scale "
        "for every estimator; bars z ± 1.96.",
        y_label="z-statistic (estimate / SE)",
        choices=list(heads.values()),
        quantity="z-statistic",
    )
