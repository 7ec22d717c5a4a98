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

from analysis.figures.bars import category_bars, ranked_bars
from analysis.figures.coefs import coef_plot, event_study
from analysis.figures.lines import line_with_band, rd_plot
from analysis.figures.scatter import scatter_fit
from analysis.figures.speccurve import spec_curve
from analysis.figures.style import (
    BLUE,
    DARK,
    GREEN,
    GREY,
    ORANGE,
    PALETTE,
    PURPLE,
    SKY,
    VERMILLION,
    WIDTH,
    YELLOW,
    as_bool,
    render,
    require_columns,
)

__all__ = [
    "BLUE", "DARK", "GREEN", "GREY", "ORANGE", "PALETTE", "PURPLE", "SKY", "VERMILLION",
    "WIDTH", "YELLOW", "as_bool", "category_bars", "coef_plot", "event_study",
    "line_with_band", "ranked_bars", "rd_plot", "render", "require_columns", "scatter_fit", "spec_curve",
]  # fmt: skip
