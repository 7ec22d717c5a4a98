"""A line with its confidence band, and the regression-discontinuity plot."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from analysis.figures.style import (
    NOTE_SIZE,
    PALETTE,
    WIDTH,
    _numeric,
    _strings,
    _zero_line,
    render,
    require_columns,
)


def line_with_band(
    curve: pd.DataFrame,
    out_stem: Path | str,
    *,
    x_label: str,
    y_label: str,
    title: str,
    source_note: str,
    group_col: str | None = None,
) -> list[Path]:
    """A marginal effect or predicted value along x (columns x, fit, ci_low, ci_high) with its
    confidence band; with `group_col`, one line + band per group (first-appearance order) and a
    legend titled by the column name. A zero line is drawn when the y range spans zero."""
    func = "line_with_band"
    cols = ["x", "fit", "ci_low", "ci_high"] + ([group_col] if group_col else [])
    require_columns(curve, cols, func, "curve")
    df = _numeric(curve, ["x", "fit", "ci_low", "ci_high"], func)
    groups: list[tuple[str | None, pd.DataFrame]]
    if group_col:
        names = _strings(df[group_col])
        df = df.assign(_g=names)
        groups = [(g, df[df["_g"] == g]) for g in dict.fromkeys(names)]
    else:
        groups = [(None, df)]

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        for i, (name, sub) in enumerate(groups):
            sub = sub.sort_values("x", kind="mergesort")
            colour = PALETTE[i % len(PALETTE)]
            ax.fill_between(
                sub["x"], sub["ci_low"], sub["ci_high"], color=colour, alpha=0.18, linewidth=0
            )
            ax.plot(sub["x"], sub["fit"], color=colour, label=name)
        lo, hi = ax.get_ylim()
        if lo < 0 < hi:
            _zero_line(ax)
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        if group_col:
            ax.legend(title=group_col, loc="best")

    return render(draw, out_stem, title=title, source_note=source_note, figsize=(WIDTH, 4.0))


def rd_plot(
    bins: pd.DataFrame,
    fits: pd.DataFrame,
    panels: Sequence[tuple[str, str]],
    out_stem: Path | str,
    *,
    x_label: str,
    y_label: str,
    title: str,
    source_note: str,
) -> list[Path]:
    """Binned regression-discontinuity plot, one panel per (outcome, subtitle): binned means
    (`bins`: outcome, x_mid, mean, n; marker area ~ n) and fitted lines per side (`fits`:
    outcome, side, x, fit), with the cutoff at x = 0."""
    func = "rd_plot"
    require_columns(bins, ["outcome", "x_mid", "mean", "n"], func, "bins")
    require_columns(fits, ["outcome", "side", "x", "fit"], func, "fits")

    def draw(fig: Figure) -> None:
        axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
        for ax, (outcome, subtitle) in zip(axes, panels, strict=True):
            b = bins[bins["outcome"] == outcome]
            ax.scatter(b["x_mid"], b["mean"], s=6 + 2 * b["n"], color=PALETTE[0], zorder=3)
            f = fits[fits["outcome"] == outcome]
            for side in ("left", "right"):
                s = f[f["side"] == side].sort_values("x", kind="mergesort")
                ax.plot(s["x"], s["fit"], color=PALETTE[1])
            ax.axvline(0, color="#888888", linewidth=0.8, linestyle="--")
            ax.set_title(subtitle, fontsize=NOTE_SIZE + 1)
            ax.set_xlabel(x_label)
        axes[0].set_ylabel(y_label)

    return render(draw, out_stem, title=title, source_note=source_note, figsize=(WIDTH, 4.2))
