"""Which package files each rule's output depends on.

Snakemake reruns `shell:` jobs when their inputs change, not when the Python they import
changes; rules therefore list these files as inputs, so editing a parser reruns that parser
(and everything downstream) and nothing else.
"""

from __future__ import annotations

import importlib
import inspect
import os
from pathlib import Path

from analysis.sources import module_of
from analysis.sources.base import SourceSpec

PKG = Path(__file__).parent
SHARED_PARSING = (
    "sources/base.py",
    "readers.py",
    "audit.py",
    "countries.py",
    "parse_runner.py",
    "data/country_overrides.csv",
    "data/historical_countries.csv",
)


def relative(path: str | Path) -> str:
    """`path` relative to the working directory: rule inputs then read `analysis/x.py`, and
    the DAG does not depend on where the checkout sits (moving it reruns nothing)."""
    return os.path.relpath(path)


def code_files(*names: str) -> list[str]:
    return [relative(PKG / n) for n in names]


def source_code(spec: SourceSpec) -> list[str]:
    """The parser's own module plus the shared parsing layer."""
    module = Path(inspect.getsourcefile(importlib.import_module(module_of(spec))) or "")
    # Package modules a parser imports (sibling parsers, shared helpers such as us_geo) count too.
    deps = {module, *_imported_modules(module)}
    return sorted({*map(relative, deps), *code_files(*SHARED_PARSING)})


def _imported_modules(module: Path) -> set[Path]:
    """Files of this package that ``module`` imports with ``from analysis.<...> import``."""
    text = module.read_text(encoding="utf-8")
    found = set()
    for line in text.splitlines():
        if line.startswith("from analysis.") and " import " in line:
            parts = line.split()[1].split(".")[1:]  # analysis.sources.gawc -> sources, gawc
            path = PKG.joinpath(*parts).with_suffix(".py")
            if path.is_file():
                found.add(path)
    return found
