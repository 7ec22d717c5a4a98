"""Source parsers, one module per source or source family; each module defines `SOURCES`.

Modules are discovered, not listed, so adding a source is adding a module. What the parsers
share (readers, the parser contract, US lookups) lives in the sub-package `common`, which the
registry does not scan.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from functools import cache

from analysis.sources.common.base import SourceSpec


@cache
def registry() -> dict[str, SourceSpec]:
    """Every `SourceSpec` of every parser module of this package, by name (names must be
    unique). Sub-packages (`common`) hold shared helpers, not parsers, and are skipped."""
    specs: dict[str, SourceSpec] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.ispkg:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for spec in getattr(module, "SOURCES", []):
            if spec.name in specs:
                raise ValueError(f"duplicate source name {spec.name!r} in {module.__name__}")
            specs[spec.name] = spec
    return dict(sorted(specs.items()))


def module_of(spec: SourceSpec) -> str:
    """Dotted name of the module that defines the spec's parser."""
    fn = spec.parse
    while isinstance(fn, functools.partial):  # shared parse functions bound per wave
        fn = fn.func
    return fn.__module__


def find_spec(name: str, module: str | None = None) -> SourceSpec:
    """The spec called `name`; with `module`, import only that module (a parse job needs one
    parser, not all 25 modules)."""
    if module is not None:
        specs = {s.name: s for s in getattr(importlib.import_module(module), "SOURCES", [])}
    else:
        specs = registry()
    if name not in specs:
        raise KeyError(f"unknown source {name!r}; known: {', '.join(sorted(specs))}")
    return specs[name]
