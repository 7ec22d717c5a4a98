"""Which package files each rule's output depends on.

Snakemake reruns `shell:` jobs when their inputs change, not when the Python they import
changes; rules therefore list these files as inputs, so editing a parser reruns that parser
(and everything downstream) and nothing else.
"""

from __future__ import annotations

import ast
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
    deps = {module, *module_imports(module)}
    return sorted({*map(relative, deps), *code_files(*SHARED_PARSING)})


def module_imports(path: Path, pkg: Path = PKG) -> set[Path]:
    """Package files `path` imports (``from analysis.x import y``, ``from analysis import x``),
    at any depth of the module, so imports deferred into functions count. One import scanner
    for rule inputs and the reviewer's map."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[Path] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("analysis"):
            continue
        base = pkg.joinpath(*node.module.split(".")[1:])
        candidates = [base.with_suffix(".py"), base / "__init__.py"]
        candidates += [base / f"{a.name}.py" for a in node.names]  # from analysis import defiance
        found |= {c for c in candidates if c.is_file()}
    return found
