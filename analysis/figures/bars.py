"""Category bars and ranked bars."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from analysis.figures.style import (
    BLUE,
    DARK,
    VERMILLION,
    WIDTH,
    _numeric,
    _strings,
    _zero_line,
    as_bool,
    render,
    require_columns,
)


def category_bars(
    df: pd.DataFrame,
    out_stem: Path | str,
    *,
    x_label: str,
    y_label: str,
    title: str,
    source_note: str,
) -> list[Path]:
    """One bar per category (input order) with its confidence interval (columns category,
    estimate, ci_low, ci_high), e.g. predicted probability by alignment cell."""
    func = "category_bars"
    require_columns(df, ["category", "estimate", "ci_low", "ci_high"], func)
    d = _numeric(df, ["estimate", "ci_low", "ci_high"], func)
    cats = [textwrap.fill(c, 16) for c in _strings(d["category"])]
    n = len(cats)

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        e = d["estimate"].to_numpy()
        err = np.abs(np.vstack([e - d["ci_low"].to_numpy(), d["ci_high"].to_numpy() - e]))
        x = np.arange(n)
        ax.bar(x, e, width=0.65, color=BLUE, alpha=0.85)
        ax.errorbar(x, e, yerr=err, fmt="none", ecolor=DARK, elinewidth=1.0, capsize=3)
        ax.set_xticks(x, cats)
        lo, hi = ax.get_ylim()
        if lo < 0 < hi:
            _zero_line(ax)
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        ax.grid(axis="y", color="#e6e6e6", linewidth=0.5)
        ax.set_axisbelow(True)

    figsize = (min(max(4.5, 1.5 + 0.9 * n), 13.0), 4.0)
    return render(draw, out_stem, title=title, source_note=source_note, figsize=figsize)


def ranked_bars(
    df: pd.DataFrame,
    out_stem: Path | str,
    *,
    value_label: str,
    title: str,
    source_note: str,
    top: int = 30,
    name_label: str = "City",
    highlight_label: str = "Highlighted",
    other_label: str = "Other",
) -> list[Path]:
    """Horizontal bars of the `top` largest values (columns name, value, highlight), largest at
    the top (ties broken by name), highlighted rows in another colour with a legend."""
    func = "ranked_bars"
    require_columns(df, ["name", "value", "highlight"], func)
    if top < 1:
        raise ValueError(f"{func}: top must be >= 1, got {top}")
    d = _numeric(df, ["value"], func).assign(
        name=_strings(df["name"]), highlight=as_bool(df["highlight"], "highlight", func)
    )
    d = d.sort_values(["value", "name"], ascending=[False, True], kind="mergesort").head(top)
    n = len(d)

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        hl = d["highlight"].to_numpy(dtype=bool)
        colours = np.where(hl, VERMILLION, BLUE)
        ax.barh(np.arange(n), d["value"], color=list(colours), height=0.7)
        ax.set_yticks(np.arange(n), d["name"].tolist())
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlabel(value_label)
        ax.set_ylabel(name_label)
        ax.grid(axis="x", color="#e6e6e6", linewidth=0.5)
        ax.set_axisbelow(True)
        handles = [Patch(color=BLUE, label=other_label)]
        if hl.any():
            handles.insert(0, Patch(color=VERMILLION, label=highlight_label))
        ax.legend(handles=handles, loc="lower right")

    figsize = (WIDTH, 1.3 + 0.19 * n)
    return render(draw, out_stem, title=title, source_note=source_note, figsize=figsize)
