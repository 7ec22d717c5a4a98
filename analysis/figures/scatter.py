"""Scatter with a fitted curve and labelled points whose labels avoid each other."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import FuncFormatter, NullFormatter
from matplotlib.transforms import Bbox

from analysis.figures.style import (
    DARK,
    GREY,
    SKY,
    VERMILLION,
    WIDTH,
    _numeric,
    _plain_number,
    _strings,
    as_bool,
    render,
    require_columns,
)

LABEL_SIZE = 6.5
_OFFSETS = [  # (dx, dy) in points, horizontal and vertical alignment of the label
    (4, 3, "left", "bottom"),
    (4, -3, "left", "top"),
    (-4, 3, "right", "bottom"),
    (-4, -3, "right", "top"),
    (0, 7, "center", "bottom"),
    (0, -7, "center", "top"),
]
_SCALES = (1.0, 3.0, 5.5)  # labels further out than the first ring get a leader line


def _label_box(
    px: float, py: float, w: float, h: float, dx: float, dy: float, ha: str, va: str
) -> Bbox:
    x0 = px + dx - {"left": 0.0, "center": w / 2, "right": w}[ha]
    y0 = py + dy - {"bottom": 0.0, "center": h / 2, "top": h}[va]
    return Bbox.from_bounds(x0, y0, w, h).padded(1.5)


def _annotate(
    fig: Figure,
    ax: Axes,
    xs: np.ndarray,
    ys: np.ndarray,
    texts: list[str],
    avoid: Sequence[Bbox] = (),
) -> None:
    """Label points greedily, in input order (most important first; the figure must have been
    laid out already, e.g. by `draw_without_rendering`): each label takes the
    first candidate position (rings of offsets at growing distance) whose box stays inside
    the axes and overlaps no earlier label, labelled point or `avoid` box (display units); if
    none fits, the nearest
    position is used anyway. Boxes are computed from text extents (no trial artists)."""
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    prop = FontProperties(size=LABEL_SIZE)
    pt = fig.dpi / 72
    anchors = ax.transData.transform(np.column_stack([xs, ys]))
    ok = np.isfinite(anchors).all(axis=1)
    marker = 3.0 * pt
    placed: list[Bbox] = [*avoid] + [
        Bbox.from_bounds(px - marker, py - marker, 2 * marker, 2 * marker)
        for (px, py), good in zip(anchors, ok, strict=True)
        if good
    ]
    arrow = {"arrowstyle": "-", "color": GREY, "linewidth": 0.5, "shrinkA": 0, "shrinkB": 2}
    for (px, py), good, x, y, text in zip(anchors, ok, xs, ys, texts, strict=True):
        if not good:
            continue
        w, h, _ = renderer.get_text_width_height_descent(text, prop, ismath=False)
        choice = (1.0, _OFFSETS[0])
        box = _label_box(px, py, w, h, _OFFSETS[0][0] * pt, _OFFSETS[0][1] * pt, *_OFFSETS[0][2:])
        found = False
        for scale in _SCALES:
            for dx, dy, ha, va in _OFFSETS:
                cand = _label_box(px, py, w, h, dx * scale * pt, dy * scale * pt, ha, va)
                inside = (
                    cand.x0 >= frame.x0
                    and cand.x1 <= frame.x1
                    and cand.y0 >= frame.y0
                    and cand.y1 <= frame.y1
                )
                if inside and not any(cand.overlaps(b) for b in placed):
                    choice, box, found = (scale, (dx, dy, ha, va)), cand, True
                    break
            if found:
                break
        scale, (dx, dy, ha, va) = choice
        ax.annotate(
            text,
            (x, y),
            xytext=(dx * scale, dy * scale),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=LABEL_SIZE,
            color=DARK,
            in_layout=False,
            arrowprops=arrow if scale > 1 else None,
        )
        placed.append(box)


def scatter_fit(
    points: pd.DataFrame,
    curve: pd.DataFrame,
    out_stem: Path | str,
    *,
    x_label: str,
    y_label: str,
    highlight_label: str,
    title: str,
    source_note: str,
    logx: bool = False,
    other_label: str = "Other cities",
    fit_label: str = "Fitted values",
    band_label: str = "95% confidence band",
) -> list[Path]:
    """Scatter of `points` (x, y, highlight, label) with a fitted line and band from `curve`
    (x, fit, ci_low, ci_high). Highlighted points get a distinct colour and marker and their
    own legend entry; points with a non-empty label are annotated in input order (put the most
    important first), avoiding overlaps crudely."""
    func = "scatter_fit"
    require_columns(points, ["x", "y", "highlight", "label"], func, "points")
    require_columns(curve, ["x", "fit", "ci_low", "ci_high"], func, "curve")
    pts = _numeric(points, ["x", "y"], func)
    hl = as_bool(points["highlight"], "highlight", func)
    texts = _strings(points["label"])
    cur = _numeric(curve, ["x", "fit", "ci_low", "ci_high"], func).sort_values(
        "x", kind="mergesort"
    )
    if logx and ((pts["x"] <= 0).any() or (cur["x"] <= 0).any()):
        raise ValueError(f"{func}: logx=True needs x > 0 in points and curve")

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        ax.fill_between(
            cur["x"],
            cur["ci_low"],
            cur["ci_high"],
            color=GREY,
            alpha=0.3,
            linewidth=0,
            label=band_label,
            zorder=1,
        )
        ax.plot(cur["x"], cur["fit"], color=DARK, linewidth=1.4, label=fit_label, zorder=2)
        x, y = pts["x"].to_numpy(), pts["y"].to_numpy()
        ax.scatter(
            x[~hl], y[~hl], s=12, color=SKY, alpha=0.65, linewidths=0, label=other_label, zorder=3
        )
        if hl.any():
            ax.scatter(
                x[hl],
                y[hl],
                s=26,
                marker="D",
                color=VERMILLION,
                edgecolors="white",
                linewidths=0.4,
                label=highlight_label,
                zorder=4,
            )
        if logx:
            ax.set_xscale("log")
            # plain numbers (1, 10, 100, 1,000) read better than 10^k and skip mathtext
            ax.xaxis.set_major_formatter(FuncFormatter(_plain_number))
            ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        legend = ax.legend(loc="best")
        # Place the legend once (before labels exist), then pin it: "best" re-evaluated against
        # hundreds of points and labels at every draw is slow. Labels then avoid it. This
        # layout pass also fixes the limits, so label positions can be computed.
        fig.draw_without_rendering()
        box = legend.get_window_extent(fig.canvas.get_renderer())
        legend.set_loc(tuple(ax.transAxes.inverted().transform((box.x0, box.y0))))
        lab = np.array([bool(t.strip()) for t in texts], dtype=bool)
        if lab.any():
            _annotate(fig, ax, x[lab], y[lab], [t for t in texts if t.strip()], avoid=[box])

    return render(draw, out_stem, title=title, source_note=source_note, figsize=(WIDTH, 4.6))
