"""Hypothesis modules: each brings its model frames, figure data and figures.

A module ``analysis/hypotheses/<name>.py`` listed in :data:`MODULES` exposes

- ``HYPOTHESIS``: its id (``"h3"``),
- ``FRAMES: dict[str, FrameDef]``: frames its spec file may name,
- ``figure_data(spec, frames, results) -> dict[str, DataFrame]``: CSVs written next to the
  coefficients (``results/models/<h>/figdata/<name>.csv``),
- ``FIGURES: dict[str, Callable[[Path, Path], list[Path]]]``: figure name -> renderer
  (models_dir, out_stem), reading only the tidy CSVs.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from types import ModuleType

MODULES = ("h3_norm", "h4_alignment", "h5_economy")
HERE = Path(__file__).parent


def modules() -> list[ModuleType]:
    """The hypothesis modules present in the package (a missing file is simply not registered)."""
    return [
        importlib.import_module(f"analysis.hypotheses.{m}")
        for m in MODULES
        if (HERE / f"{m}.py").is_file()
    ]


def module_file(hypothesis: str) -> list[str]:
    """The module file of `hypothesis` (empty for H1/H2, whose code is in frames/figdata)."""
    files = [m.__file__ for m in modules() if hypothesis == m.HYPOTHESIS]
    return [os.path.relpath(f) for f in files if f]  # relative: see code_deps.relative
