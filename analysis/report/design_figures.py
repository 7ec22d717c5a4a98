"""Figures of the design-based checks of a hypothesis with one treated country (H3):
the randomization-inference placebo distribution and the synthetic-control path.

Both read only the robustness stage's tables (``results/robustness/<h>/randomization.csv``,
``synth_path.csv``, ``synth_weights.csv``, ``summary.json``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis.core.errors import PipelineError

KINDS = ("placebo", "synth")


def design_figure_names(spec_path: Path | str) -> list[str]:
    """The design figures a hypothesis spec declares: ``placebo`` with a randomization block,
    ``synth`` with a synthetic-control block."""
    from analysis.models.spec import load_spec

    r = load_spec(Path(spec_path)).robustness
    if r is None:
        return []
    return [k for k, on in zip(KINDS, (r.randomization, r.synthetic_control), strict=True) if on]


def _summary(robust_dir: Path) -> dict:
    return json.loads((robust_dir / "summary.json").read_text("utf-8"))


def fig_placebo(hypothesis: str, robust_dir: Path, out_stem: Path) -> list[Path]:
    """Each placebo country's DiD estimate (sorted), the treated country marked."""
    from matplotlib.figure import Figure

    from analysis import figures

    ri = _summary(robust_dir).get("randomization")
    if not ri:
        raise PipelineError(f"{robust_dir}/summary.json: no randomization block")
    table = pd.read_csv(robust_dir / "randomization.csv")
    table = table[table["status"] == "ok"].sort_values("estimate", kind="mergesort")
    treated = ri["treated"]

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        y = range(len(table))
        colours = [
            figures.PALETTE[1] if u == treated else "#888888" for u in table["unit"].astype(str)
        ]
        ax.barh(list(y), table["estimate"].astype(float), color=colours, height=0.7)
        ax.set_yticks(list(y))
        ax.set_yticklabels(
            [f"{u} ({int(c)})" if pd.notna(c) else str(u)
             for u, c in zip(table["unit"], table["cities"], strict=True)],
            fontsize=6,
        )  # fmt: skip
        ax.axvline(0, color="#444444", linewidth=0.6)
        ax.set_xlabel("Difference-in-differences estimate, 2017 on vs 2016 (events per city-year)")
        ax.set_ylabel("Country treated (cities)")

    return figures.render(
        draw,
        out_stem,
        title=(
            f"{hypothesis.upper()} randomization inference: {treated} (highlighted) ranks "
            f"{ri['rank']} of {ri['rank_of']} by |estimate| among the control countries each "
            f"treated in turn; p = {ri['p_robust']:.3f}"
        ),
        source_note=(
            f"Model {ri['model']} refitted with each of {ri['placebos']} control countries as "
            f"placebo treated from 2017 ({treated} left out); linear panel FE (PanelOLS, city "
            "and year effects). Countries with few cities give noisy estimates; by |t| the "
            f"treated rank is {ri['rank_abs_t']} (p = {ri['p_abs_t']:.3f}). Sources: CDP Cities, "
            "CEDAMIA, GeoNames, V-Dem, World Bank WDI."
        ),
        figsize=(figures.WIDTH, 6.0),
    )


def fig_synth(hypothesis: str, robust_dir: Path, out_stem: Path) -> list[Path]:
    """The treated series and its synthetic control by year, the event marked."""
    from matplotlib.figure import Figure

    from analysis import figures

    sc = _summary(robust_dir).get("synthetic_control")
    if not sc:
        raise PipelineError(f"{robust_dir}/summary.json: no synthetic_control block")
    path = pd.read_csv(robust_dir / "synth_path.csv")
    weights = pd.read_csv(robust_dir / "synth_weights.csv")
    top = weights[weights["role"] == "donor"].sort_values("weight", ascending=False).head(6)
    donors = ", ".join(f"{r.unit} {r.weight:.2f}" for r in top.itertuples())

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        ax.plot(path["year"], path["treated"], marker="o", color=figures.PALETTE[1],
                label=sc["treated"])  # fmt: skip
        ax.plot(path["year"], path["synthetic"], marker="s", linestyle="--",
                color=figures.PALETTE[0], label=f"Synthetic {sc['treated']}")  # fmt: skip
        ax.axvline(sc["post_years"][0] - 0.5, color="#444444", linewidth=0.6, linestyle=":")
        ax.set_xlabel("Year")
        ax.set_ylabel("Climate events per city\n(CDP disclosure + emergency declaration)")
        ax.legend(loc="best")

    return figures.render(
        draw,
        out_stem,
        title=(
            f"{hypothesis.upper()} synthetic control: mean gap {sc['estimate']:.3f} over "
            f"{sc['post_years'][0]}-{sc['post_years'][-1]}; in-space placebo p = "
            f"{sc['p_value']:.3f} (rank {sc['rank']} of {sc['placebos'] + 1}); one pre-period "
            "year, so a check, not support"
        ),
        source_note=(
            f"pysyncon Synth over {sc['donors']} donor countries with {sc['min_cities']}+ cities, "
            f"matched on "
            f"{', '.join(sc['predictors'])} in {', '.join(map(str, sc['pre_years']))}; largest "
            f"weights: {donors} (all in synth_weights.csv). CDP changes definition in 2018 and "
            "2021. Sources: CDP Cities, CEDAMIA, GeoNames."
        ),
        figsize=(figures.WIDTH, 4.0),
    )


def render_design_figure(hypothesis: str, kind: str, robust_dir: Path, out_stem: Path) -> list:
    if kind == "placebo":
        return fig_placebo(hypothesis, robust_dir, out_stem)
    if kind == "synth":
        return fig_synth(hypothesis, robust_dir, out_stem)
    raise PipelineError(f"unknown design figure {kind!r}; known: {', '.join(KINDS)}")
