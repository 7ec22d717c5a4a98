"""Source parsers, one module per source family; each module defines `SOURCES`.

Modules are discovered, not listed, so adding a source is adding a module.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from analysis.sources.base import SourceSpec


@cache
def registry() -> dict[str, SourceSpec]:
    """Every `SourceSpec` of every module in this package, by name (names must be unique)."""
    specs: dict[str, SourceSpec] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for spec in getattr(module, "SOURCES", []):
            if spec.name in specs:
                raise ValueError(f"duplicate source name {spec.name!r} in {module.__name__}")
            specs[spec.name] = spec
    return dict(sorted(specs.items()))
