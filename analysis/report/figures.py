"""Publication figures drawn from tidy (CSV-loaded) model results, never from model objects.

Every function writes `<out_stem>.png` (200 dpi) and `<out_stem>.pdf` (the suffix is appended
to the stem's name; parent folders are created) and returns ``[png, pdf]``. Every figure has a
title, axis labels (pass the units in the label text) and a source note drawn bottom-left in
small type.

Output is deterministic: figures are drawn with the Agg canvas under a fixed style (matplotlib
defaults plus the overrides in `RC`, so a user's matplotlibrc has no effect), and the files
carry no software version or timestamp, so the same inputs give byte-identical PNG and PDF files.
Fonts are embedded as TrueType (pdf.fonttype 42) so the PDF text stays editable.

A missing input column raises ValueError naming the function and the column(s).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.style
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter
from matplotlib.transforms import Bbox

# Okabe-Ito colour-blind-safe palette.
BLUE = "#0072B2"
VERMILLION = "#D55E00"
SKY = "#56B4E9"
GREEN = "#009E73"
ORANGE = "#E69F00"
PURPLE = "#CC79A7"
YELLOW = "#F0E442"
GREY = "#999999"
DARK = "#333333"
PALETTE = (BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY, YELLOW, DARK)

TITLE_SIZE = 10.5
NOTE_SIZE = 6.5
WIDTH = 6.5  # inches: a journal text width

RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.titlesize": 8.5,
    "axes.labelsize": 8.5,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "figure.titlesize": TITLE_SIZE,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.6,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "lines.linewidth": 1.3,
    "axes.prop_cycle": cycler(color=list(PALETTE)),
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.hashsalt": "citydiplomacy",
    "svg.fonttype": "none",
}

_FEATURES = ("-liga", "-clig")

PNG_METADATA: dict[str, Any] = {"Software": None}
PDF_METADATA: dict[str, Any] = {"Creator": None, "Producer": None, "CreationDate": None}


# --------------------------------------------------------------------------------------------
# shared helpers
# --------------------------------------------------------------------------------------------


def require_columns(
    df: pd.DataFrame, columns: Sequence[str], func: str, what: str = "input"
) -> None:
    """ValueError naming `func` and every column of `columns` that `df` lacks."""
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{func}: {what} must be a pandas DataFrame, not {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{func}: {what} lacks required column(s): " + ", ".join(repr(c) for c in missing)
        )
    if df.empty:
        raise ValueError(f"{func}: {what} has no rows")


def _numeric(df: pd.DataFrame, columns: Sequence[str], func: str) -> pd.DataFrame:
    out = df.copy()
    for c in columns:
        try:
            out[c] = pd.to_numeric(out[c]).astype(float)
        except (TypeError, ValueError) as err:
            raise ValueError(f"{func}: column {c!r} must be numeric ({err})") from None
    return out


_TRUE = {"true", "t", "1", "yes", "y"}
_FALSE = {"false", "f", "0", "no", "n", ""}


def as_bool(values: pd.Series, column: str, func: str) -> np.ndarray:
    """A boolean column as read from CSV (bool, 0/1 or true/false text; missing = False)."""
    if pd.api.types.is_bool_dtype(values):
        return values.fillna(False).to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(values):
        return values.fillna(0).to_numpy(dtype=float) != 0
    out = []
    for v in values:
        text = "" if pd.isna(v) else str(v).strip().lower()
        if text in _TRUE:
            out.append(True)
        elif text in _FALSE:
            out.append(False)
        else:
            raise ValueError(f"{func}: column {column!r} must be boolean, got {v!r}")
    return np.array(out, dtype=bool)


def _strings(values: pd.Series) -> list[str]:
    return ["" if pd.isna(v) else str(v) for v in values]


def _paths(out_stem: Path | str) -> tuple[Path, Path]:
    stem = Path(out_stem)
    return stem.parent / (stem.name + ".png"), stem.parent / (stem.name + ".pdf")


def _wrap(text: str, width_in: float, size: float) -> str:
    chars = max(20, int(width_in * 72 / (size * 0.55)))
    paras = str(text).splitlines() or [""]
    return "\n".join(textwrap.fill(p, chars) if p.strip() else "" for p in paras)


def _render(
    draw: Callable[[Figure], None],
    out_stem: Path | str,
    *,
    title: str,
    source_note: str,
    figsize: tuple[float, float],
) -> list[Path]:
    """Create a figure under the fixed style, let `draw` fill it, add title and source note,
    and save PNG and PDF deterministically."""
    for name, value in (("title", title), ("source_note", source_note)):
        if not str(value or "").strip():
            raise ValueError(f"every figure needs a {name}; got {value!r}")
    png, pdf = _paths(out_stem)
    png.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.style.context("default"), matplotlib.rc_context(RC):
        fig = Figure(figsize=figsize, layout="constrained")
        FigureCanvasAgg(fig)
        width, height = figsize
        note = _wrap(source_note, width - 0.2, NOTE_SIZE)
        n_lines = note.count("\n") + 1
        bottom = (n_lines * NOTE_SIZE * 1.3 + 6) / (height * 72)
        fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom), h_pad=0.06, w_pad=0.06)
        fig.suptitle(_wrap(title, width - 0.3, TITLE_SIZE), x=0.1 / width, ha="left")
        fig.text(
            0.1 / width,
            3 / (height * 72),
            note,
            ha="left",
            va="bottom",
            fontsize=NOTE_SIZE,
            color="#444444",
            in_layout=False,
        )
        draw(fig)
        _no_ligatures(fig)
        fig.savefig(png, dpi=200, metadata={**PNG_METADATA, "Title": title})
        # The PNG pass ran the layout and created the tick labels: keep that layout for the PDF
        # (one layout pass instead of two) and switch ligatures off in the new tick labels too.
        fig.set_layout_engine("none")
        _no_ligatures(fig)
        fig.savefig(pdf, metadata={**PDF_METADATA, "Title": title})
    return [png, pdf]


def _no_ligatures(fig: Figure) -> None:
    """Switch off ligatures (fi, fl) in every text so far: a ligature glyph makes the PDF
    backend embed a second subset of the font, which doubles the (slow) font subsetting, and
    ligatures hamper copying text out of the PDF."""
    for text in fig.findobj(Text):
        text.set_fontfeatures(_FEATURES)


def _segments(x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vertical segments (x, lo)-(x, hi) as one NaN-separated polyline: one path, fast to draw."""
    n = len(x)
    xs = np.column_stack([x, x, np.full(n, np.nan)]).ravel()
    ys = np.column_stack([lo, hi, np.full(n, np.nan)]).ravel()
    return xs, ys


def _plain_number(value: float, _pos: object = None) -> str:
    """A tick label without exponent notation: 0.01, 0.1, 1, 10, 1,000, 10,000."""
    return f"{value:,.0f}" if abs(value) >= 1 else f"{value:g}".replace("-", "\u2212")


def _signed(value: float) -> str:
    """A number as text with a typographic minus sign."""
    return f"{value:g}".replace("-", "\u2212")


def _zero_line(ax: Axes, orientation: str = "h") -> None:
    kw = {"color": GREY, "linewidth": 0.8, "zorder": 0.5}
    if orientation == "h":
        ax.axhline(0, **kw)
    else:
        ax.axvline(0, **kw)


# --------------------------------------------------------------------------------------------
# a. coefficient plot
# --------------------------------------------------------------------------------------------


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

    return _render(draw, out_stem, title=title, source_note=source_note, figsize=figsize)


# --------------------------------------------------------------------------------------------
# b. scatter with fitted curve
# --------------------------------------------------------------------------------------------

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

    return _render(draw, out_stem, title=title, source_note=source_note, figsize=(WIDTH, 4.6))


# --------------------------------------------------------------------------------------------
# c. line with band
# --------------------------------------------------------------------------------------------


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

    return _render(draw, out_stem, title=title, source_note=source_note, figsize=(WIDTH, 4.0))


# --------------------------------------------------------------------------------------------
# d. event study
# --------------------------------------------------------------------------------------------


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

    return _render(draw, out_stem, title=title, source_note=source_note, figsize=(WIDTH, 4.0))


# --------------------------------------------------------------------------------------------
# e. category bars
# --------------------------------------------------------------------------------------------


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
    return _render(draw, out_stem, title=title, source_note=source_note, figsize=figsize)


# --------------------------------------------------------------------------------------------
# f. ranked bars
# --------------------------------------------------------------------------------------------


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
    return _render(draw, out_stem, title=title, source_note=source_note, figsize=figsize)


# --------------------------------------------------------------------------------------------
# g. specification curve
# --------------------------------------------------------------------------------------------


def spec_curve(
    specs: pd.DataFrame,
    out_stem: Path | str,
    *,
    title: str,
    source_note: str,
    y_label: str,
    choices: Sequence[str],
    significant_label: str = "Significant",
    nonsignificant_label: str = "Not significant",
    quantity: str = "estimate",
) -> list[Path]:
    """The specification-curve plot. Upper panel: estimates sorted ascending with CIs, coloured
    by `significant`; lower panel: a dot matrix showing which value of each choice column
    (a "choice:" heading, then its values in first-appearance order) every specification uses. Columns:
    estimate, ci_low, ci_high, significant, and every name in `choices`. Vectorised (one
    LineCollection and a few scatters), so ~1000 specifications draw in well under a second."""
    func = "spec_curve"
    choices = [str(c) for c in choices]
    if not choices:
        raise ValueError(f"{func}: no choice columns given")
    require_columns(
        specs, ["estimate", "ci_low", "ci_high", "significant", *choices], func, "specs"
    )
    d = _numeric(specs, ["estimate", "ci_low", "ci_high"], func)
    d["significant"] = as_bool(specs["significant"], "significant", func)
    d = d.reset_index(drop=True).sort_values("estimate", kind="mergesort").reset_index(drop=True)
    n = len(d)
    sig = d["significant"].to_numpy(dtype=bool)

    rows: list[tuple[str, bool]] = []  # (tick label, is heading)
    dot_y_parts: list[np.ndarray] = []
    for choice in choices:
        values = ["(missing)" if v == "" else v for v in _strings(d[choice])]
        rows.append((f"{choice}:", True))
        codes = {}
        for v in dict.fromkeys(values):
            codes[v] = len(rows)
            rows.append((v, False))
        dot_y_parts.append(np.array([codes[v] for v in values], dtype=float))
    dots_x = np.tile(np.arange(n, dtype=float), len(choices))
    dots_y = np.concatenate(dot_y_parts)
    n_rows = len(rows)
    upper_h, lower_h = 2.6, 0.15 * n_rows + 0.2
    figsize = (WIDTH + 0.5, upper_h + lower_h + 1.2)
    msize = float(np.clip(50 / np.sqrt(max(n, 1)), 1.0, 4.0))  # marker size, points
    lw = float(np.clip(250 / max(n, 1), 0.3, 1.4))

    def draw(fig: Figure) -> None:
        top, bottom = fig.subplots(
            2, 1, sharex=True, gridspec_kw={"height_ratios": [upper_h, lower_h]}
        )
        x = np.arange(n, dtype=float)
        _zero_line(top)
        for flag, colour in ((False, GREY), (True, BLUE)):  # Line2D: one path per colour
            m = sig == flag
            if not m.any():
                continue
            xs, ys = _segments(x[m], d["ci_low"].to_numpy()[m], d["ci_high"].to_numpy()[m])
            top.plot(xs, ys, color=colour, linewidth=lw, alpha=0.45, solid_capstyle="butt")
            top.plot(
                x[m],
                d["estimate"].to_numpy()[m],
                linestyle="none",
                marker="o",
                markersize=msize,
                markeredgewidth=0,
                color=colour,
                zorder=3,
            )
            bottom.plot(
                dots_x[np.tile(m, len(choices))],
                dots_y[np.tile(m, len(choices))],
                linestyle="none",
                marker="s" if n > 200 else "o",
                markersize=msize * 0.8,
                markeredgewidth=0,
                color=colour,
            )
        top.axhline(
            float(np.median(d["estimate"])), color=DARK, linestyle=":", linewidth=0.8, zorder=2
        )
        top.set_ylabel(y_label)
        top.legend(
            handles=[
                Line2D([], [], marker="o", color=BLUE, linestyle="none", label=significant_label),
                Line2D(
                    [], [], marker="o", color=GREY, linestyle="none", label=nonsignificant_label
                ),
                Line2D([], [], color=DARK, linestyle=":", label=f"Median {quantity}"),
            ],
            loc="upper left",
        )
        heads = [i for i, (_, head) in enumerate(rows) if head]
        for i in heads[1:]:
            bottom.axhline(i - 0.5, color="#dddddd", linewidth=0.6)
        bottom.set_yticks(range(n_rows), [label for label, _ in rows])
        for tick, (_, head) in zip(bottom.get_yticklabels(), rows, strict=True):
            tick.set_color("black" if head else "#555555")
        bottom.tick_params(axis="y", length=0)
        bottom.set_ylim(n_rows - 0.5, -0.5)
        bottom.set_xlim(-0.5 - n * 0.01, n - 0.5 + n * 0.01)
        bottom.set_xlabel(f"Specification, ranked by {quantity} (n = {n:,})")
        bottom.set_ylabel("Analytic choice")
        bottom.spines["left"].set_visible(False)

    return _render(draw, out_stem, title=title, source_note=source_note, figsize=figsize)


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

    return _render(draw, out_stem, title=title, source_note=source_note, figsize=(WIDTH, 4.2))
