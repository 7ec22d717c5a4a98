"""Shared style and helpers of every figure: palette, rc settings, deterministic rendering,
input checks. Kept apart so each plot module holds one kind of figure."""

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
from matplotlib.text import Text

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


def render(
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
