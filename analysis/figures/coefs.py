"""Coefficient plot and event study: estimates with their intervals, one row or one period each."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from analysis.figures.style import (
    BLUE,
    DARK,
    WIDTH,
    _numeric,
    _signed,
    _strings,
    _zero_line,
    render,
    require_columns,
)


def coef_plot(
    coefs: pd.DataFrame,
    terms: list[str],
    out_stem: Path | str,
    title: str,
    source_note: str,
    xlabel: str,
) -> list[Path]:
    """Point + CI bar per (model, term): one panel per term (titled by its term_label), one row
    per model (labelled by the model label, in input order, first on top), zero line drawn.

    `coefs` needs model, label, term, estimate, ci_low, ci_high (term_label and hypothesis are
    used when present; models are keyed by (hypothesis, model) when hypothesis is present).
    """
    func = "coef_plot"
    require_columns(coefs, ["model", "label", "term", "estimate", "ci_low", "ci_high"], func)
    terms = [str(t) for t in terms]
    if not terms:
        raise ValueError(f"{func}: no terms given")
    df = _numeric(coefs, ["estimate", "ci_low", "ci_high"], func)
    df["term"] = df["term"].astype(str)
    absent = [t for t in terms if t not in set(df["term"])]
    if absent:
        raise ValueError(f"{func}: term(s) not in the coefficients: {absent}")
    df = df[df["term"].isin(terms)]
    key_cols = ["hypothesis", "model"] if "hypothesis" in df.columns else ["model"]
    keys = list(dict.fromkeys(zip(*(df[c].astype(str) for c in key_cols), strict=True)))
    labels: dict[tuple[str, ...], str] = {}
    for k, lab in zip(
        zip(*(df[c].astype(str) for c in key_cols), strict=True), _strings(df["label"]), strict=True
    ):
        labels.setdefault(k, lab or " ".join(k))
    ypos = {k: i for i, k in enumerate(keys)}
    term_labels = {}
    for t, lab in zip(
        df["term"],
        _strings(df["term_label"]) if "term_label" in df.columns else df["term"],
        strict=True,
    ):
        term_labels.setdefault(t, lab or t)

    n_models = len(keys)
    panel_w = 3.2 if len(terms) > 1 else WIDTH - 1.6
    figsize = (min(1.6 + panel_w * len(terms), 13.0), 1.5 + 0.32 * n_models)

    def draw(fig: Figure) -> None:
        axes = fig.subplots(1, len(terms), sharey=True, squeeze=False)[0]
        for ax, term in zip(axes, terms, strict=True):
            sub = df[df["term"] == term]
            y = [ypos[k] for k in zip(*(sub[c].astype(str) for c in key_cols), strict=True)]
            est = sub["estimate"].to_numpy()
            err = np.vstack([est - sub["ci_low"].to_numpy(), sub["ci_high"].to_numpy() - est])
            _zero_line(ax, "v")
            ax.errorbar(
                est,
                y,
                xerr=np.abs(err),
                fmt="o",
                color=BLUE,
                ecolor=BLUE,
                markersize=4.5,
                elinewidth=1.2,
                capsize=0,
            )
            ax.set_title(term_labels[term], loc="left")
            ax.set_xlabel(xlabel)
            ax.grid(axis="x", color="#e6e6e6", linewidth=0.5)
            ax.set_axisbelow(True)
        axes[0].set_yticks(range(n_models), [labels[k] for k in keys])
        axes[0].set_ylim(n_models - 0.5, -0.5)
        axes[0].set_ylabel("Model")

    return render(draw, out_stem, title=title, source_note=source_note, figsize=figsize)


def event_study(
    es: pd.DataFrame,
    out_stem: Path | str,
    *,
    title: str,
    source_note: str,
    ref_period: int = -1,
    x_label: str = "Years relative to June 2017 announcement",
    y_label: str,
) -> list[Path]:
    """Event-study coefficients (rel_time, estimate, ci_low, ci_high) with CI bars. The
    reference period is drawn at 0 with a hollow marker (a row for it may be present with
    estimate 0 or missing; a non-zero estimate there is an error); a dashed vertical line marks
    the event between -1 and 0, and a horizontal line marks 0."""
    func = "event_study"
    require_columns(es, ["rel_time", "estimate", "ci_low", "ci_high"], func, "es")
    df = _numeric(es, ["rel_time", "estimate", "ci_low", "ci_high"], func)
    df = df.sort_values("rel_time", kind="mergesort")
    is_ref = np.isclose(df["rel_time"].to_numpy(), ref_period)
    ref_est = df.loc[is_ref, "estimate"].dropna()
    if (ref_est.abs() > 1e-9).any():
        raise ValueError(
            f"{func}: reference period {ref_period} has estimate {ref_est.iloc[0]!r}, expected 0"
        )
    est = df[~is_ref & df["estimate"].notna()]

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        _zero_line(ax)
        ax.axvline(-0.5, color=DARK, linestyle="--", linewidth=0.8, zorder=0.6)
        e = est["estimate"].to_numpy()
        err = np.abs(np.vstack([e - est["ci_low"].to_numpy(), est["ci_high"].to_numpy() - e]))
        ax.errorbar(
            est["rel_time"],
            e,
            yerr=err,
            fmt="o",
            color=BLUE,
            markersize=4.5,
            elinewidth=1.2,
            capsize=2,
            label="Estimate with confidence interval",
        )
        ax.plot(
            [ref_period],
            [0],
            marker="o",
            markersize=5.5,
            markerfacecolor="white",
            markeredgecolor=BLUE,
            linestyle="none",
            label=f"Reference period (t = {_signed(ref_period)}), normalised to 0",
            zorder=3,
        )
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        ax.legend(loc="best")

    return render(draw, out_stem, title=title, source_note=source_note, figsize=(WIDTH, 4.0))
