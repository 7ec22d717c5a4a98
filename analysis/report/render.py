"""Render a hypothesis's tables and figures from its tidy results (never from model objects).

Each hypothesis module declares its figures (``FIGURES``, :mod:`analysis.hypotheses`); that
registry is what the Snakemake rules expand, so adding a figure there adds its output to the
DAG. The renderers get the plotting module from here, so the hypotheses do not import it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis.core.errors import PipelineError
from analysis.hypotheses import figure_registry, module_of
from analysis.report.tables import write_tables


def figure_names(hypothesis: str) -> list[str]:
    return sorted(figure_registry().get(hypothesis, {}))


def render_tables(models_dir: Path, out_stem: Path) -> list[Path]:
    return write_tables(models_dir / "coefficients.csv", models_dir / "fit.json", out_stem)


def render_figures(
    hypothesis: str, models_dir: Path, fig_dir: Path, only: str | None = None
) -> list[Path]:
    registry = figure_registry().get(hypothesis, {})
    if only is not None and only not in registry:
        raise PipelineError(f"{hypothesis}: no figure named {only!r}; known: {sorted(registry)}")
    from analysis import figures  # matplotlib: not at the Snakefile's start

    out: list[Path] = []
    for name, make in sorted(registry.items()):
        if only is None or name == only:
            out += make(models_dir, fig_dir / name, figures)
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
        source_note=getattr(module_of(hypothesis), "SOURCES", "Sources: see the hypothesis table.")
        + " z-statistic (estimate / standard error) of the focal coefficient, one scale "
        "for every estimator; bars z ± 1.96.",
        y_label="z-statistic (estimate / SE)",
        choices=list(heads.values()),
        quantity="z-statistic",
    )
