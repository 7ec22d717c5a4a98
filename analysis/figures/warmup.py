"""Render one small figure in the job server, before it forks the pipeline's jobs.

Each of the ~24 figure jobs otherwise imported the PNG and PDF machinery (PIL's plugins,
fontTools' subsetter, the PDF backend: ~150 modules) and opened the font in its own fork,
~0.1 s of CPU each. A figure drawn here through the same :func:`~analysis.figures.style.render`
leaves nothing behind that changes a later figure's bytes: it is written to a temporary
directory, and the caches it fills (modules, fonts, glyph tables) hold what any job would
load the same way.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from matplotlib.figure import Figure

from analysis.figures.style import render


def _draw(fig: Figure) -> None:
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("x")


def warm_up() -> None:
    # fontTools reports each subsetting step at INFO: keep them out of the server's log
    subset_log = logging.getLogger("fontTools")
    level = subset_log.level
    subset_log.setLevel(logging.WARNING)
    try:
        with tempfile.TemporaryDirectory(prefix="citydip-warmup-") as tmp:
            render(
                _draw,
                Path(tmp) / "warmup",
                title="Warm-up",
                source_note="Source: none",
                figsize=(2.0, 1.5),
            )
    finally:
        subset_log.setLevel(level)
