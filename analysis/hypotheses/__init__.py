"""Hypothesis modules: each brings its model frames, figure data and figures.

A module of this package is a hypothesis module if it defines ``HYPOTHESIS``; modules are
discovered, not listed, so adding a hypothesis is adding a module. Each exposes

- ``HYPOTHESIS``: its id (``"h3"``),
- ``FRAMES: dict[str, FrameDef]``: frames its spec file may name,
- ``figure_data(spec, frames, results) -> dict[str, DataFrame]``: CSVs written next to the
  coefficients (``results/models/<h>/figdata/<name>.csv``),
- ``FIGURES: dict[str, Callable[[Path, Path, ModuleType], list[Path]]]``: figure name ->
  renderer (models_dir, out_stem, the plotting module :mod:`analysis.figures`, passed
  in by the report layer so no hypothesis module imports it), reading only the tidy CSVs.

The other modules are what the hypothesis modules share (frame machinery, the 2020 city
cross-section, figure helpers) and the fit driver.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

Renderer = Callable[[Path, Path, ModuleType], list[Path]]


@cache
def modules() -> tuple[ModuleType, ...]:
    """Every module of this package that defines ``HYPOTHESIS``, by name (ids must be unique)."""
    found: dict[str, ModuleType] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        hypothesis = getattr(module, "HYPOTHESIS", None)
        if hypothesis is None:
            continue
        if hypothesis in found:
            raise ValueError(
                f"hypothesis {hypothesis!r} defined twice: {found[hypothesis].__name__} and "
                f"{module.__name__}"
            )
        found[hypothesis] = module
    return tuple(found.values())


def module_of(hypothesis: str) -> ModuleType | None:
    """The module of `hypothesis`, or None if no module defines it."""
    return next((m for m in modules() if hypothesis == m.HYPOTHESIS), None)


def frame_registry() -> dict[str, Any]:
    """Every frame of every hypothesis module, by name (names must be unique)."""
    frames: dict[str, Any] = {}
    for module in modules():
        for name, frame in module.FRAMES.items():
            if name in frames:
                raise ValueError(f"duplicate frame name {name!r} in {module.__name__}")
            frames[name] = frame
    return frames


def figure_registry() -> dict[str, dict[str, Renderer]]:
    """Hypothesis -> figure name -> renderer."""
    return {m.HYPOTHESIS: dict(m.FIGURES) for m in modules()}


def module_file(hypothesis: str) -> list[str]:
    """The module file of `hypothesis` (empty if no module defines it)."""
    module = module_of(hypothesis)
    files = [module.__file__] if module is not None and module.__file__ else []
    return [os.path.relpath(f) for f in files]  # relative: see code_deps.relative
