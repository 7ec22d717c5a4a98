"""Which package files each rule's output depends on.

Snakemake reruns `shell:` jobs when their inputs change, not when the Python they import
changes; rules therefore list these files as inputs, so editing a parser reruns that parser
(and everything downstream) and nothing else. The lists are derived from the import graph
(:func:`command_code`: a command's handler in ``__main__.py`` and what it imports, at any
depth, plus the package data files the modules name), never kept by hand.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import os
import re
from collections.abc import Iterable
from pathlib import Path

from analysis.sources import module_of
from analysis.sources.common.base import SourceSpec

PKG = Path(__file__).parents[1]


def relative(path: str | Path) -> str:
    """`path` relative to the working directory: rule inputs then read `analysis/x.py`, and
    the DAG does not depend on where the checkout sits (moving it reruns nothing)."""
    return os.path.relpath(path)


def source_code(spec: SourceSpec) -> list[str]:
    """The parser's module, every package file it reaches through imports, and the shared
    parsing layer (the `parse` command's own code)."""
    module = Path(inspect.getsourcefile(importlib.import_module(module_of(spec))) or "")
    return sorted({*map(relative, closure([module])), *command_code("parse")})


def hypothesis_code(hypothesis: str) -> list[str]:
    """The hypothesis's own module (registered by name, so no import names it) and what it
    imports; empty for hypotheses whose code is in the shared frame builders."""
    from analysis.hypotheses import module_file

    return sorted(relative(p) for p in closure(Path(f).resolve() for f in module_file(hypothesis)))


# Scanned as text, not parsed: the Snakefile derives every rule's code inputs at each start
# (no-op runs included), and compiling ~50 modules took 0.5 s of it. A match inside a
# docstring can only add a file, never hide one.
_FROM_IMPORT = re.compile(
    r"^[ \t]*from[ \t]+(analysis(?:\.\w+)*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]+)", re.M
)
_DATA_NAME = re.compile(r"[\"']((?:data/)?[\w.-]+\.(?:csv|yaml|json|tsv))[\"']")


def module_imports(path: Path, pkg: Path = PKG) -> set[Path]:
    """Package files `path` imports (``from analysis.x import y``, ``from analysis import x``),
    at any depth of the module, so imports deferred into functions count. One import scanner
    for rule inputs and the reviewer's map."""
    return _imports(path.read_text(encoding="utf-8"), pkg)


def _imports(text: str, pkg: Path = PKG) -> set[Path]:
    found: set[Path] = set()
    for module, names in _FROM_IMPORT.findall(text):
        parts = module.split(".")[1:]
        base = pkg.joinpath(*parts)
        candidates = [base.with_suffix(".py"), base / "__init__.py"]
        # importing analysis.models.estimate runs analysis/models/__init__.py first
        candidates += [pkg.joinpath(*parts[:i], "__init__.py") for i in range(1, len(parts))]
        for name in names.strip("()").replace("\n", ",").split(","):
            name = name.split("#")[0].split(" as ")[0].strip()
            if name.isidentifier():  # from analysis import figures: a module or a package
                candidates += [base / f"{name}.py", base / name / "__init__.py"]
        found |= {c for c in candidates if c.is_file()}
    return found


def data_files(path: Path, pkg: Path = PKG) -> set[Path]:
    """Package data files a module names in a string (``Path(__file__).parent / "data" /
    "networks.csv"`` or ``"data/networks.csv"``): editing one reruns the rules that read it."""
    found = set()
    for name in _DATA_NAME.findall(path.read_text(encoding="utf-8")):
        cand = pkg / name if name.startswith("data/") else pkg / "data" / name
        if cand.is_file():
            found.add(cand)
    return found


@functools.cache
def _deps(path: Path, pkg: Path) -> frozenset[Path]:
    # __main__.py defers each command's imports into its handler: reaching it through an
    # import (code_deps reads its parser) does not make every command's code a dependency.
    if path.suffix != ".py" or path.name == "__main__.py":
        return frozenset()
    return frozenset(module_imports(path, pkg) | data_files(path, pkg))


def closure(start: Iterable[Path], pkg: Path = PKG) -> set[Path]:
    """Every package file (modules and the data files they name) reachable from `start`."""
    seen: set[Path] = set()
    todo = [Path(p) for p in start]
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        todo += sorted(_deps(p, pkg) - seen)
    return seen


_SUBCOMMAND = re.compile(r'add_parser\(\s*"([\w-]+)"')
_HANDLER = re.compile(r"set_defaults\(func=(\w+)\)")


@functools.cache
def _cli() -> tuple[list[str], ast.Module, dict[str, str]]:
    """``analysis/__main__.py`` read and parsed once: its text, its tree, and subcommand ->
    handler name (each ``add_parser("name")`` is followed by its ``set_defaults(func=...)``).
    Read as text, not imported: the CLI imports the reviewer's map, which reads these lists."""
    text = (PKG / "__main__.py").read_text(encoding="utf-8")
    names, funcs = _SUBCOMMAND.findall(text), _HANDLER.findall(text)
    if len(names) != len(funcs):
        raise ValueError(
            f"analysis/__main__.py: {len(names)} subcommands but {len(funcs)} handlers; "
            "give each add_parser its own set_defaults(func=...)"
        )
    return text.splitlines(), ast.parse(text), dict(zip(names, funcs, strict=True))


def commands() -> list[str]:
    """Every subcommand of ``python -m analysis``, sorted."""
    return sorted(_cli()[2])


def command_code(command: str) -> list[str]:
    """:func:`command_files` as paths relative to the working directory (rule inputs)."""
    return [relative(p) for p in command_files(command)]


@functools.cache
def command_files(command: str) -> tuple[Path, ...]:
    """The code a ``python -m analysis <command>`` job runs: ``__main__.py``, its handler's
    imports (deferred into the function, so other commands' code does not count) and
    everything they import in turn. Derived from the import graph, so a module a command
    starts to use joins its rule's inputs by itself."""
    lines, tree, handlers = _cli()
    func = handlers.get(command)
    if func is None:
        raise KeyError(f"no subcommand {command!r} in analysis/__main__.py")
    main = PKG / "__main__.py"
    top = [n for n in tree.body if isinstance(n, ast.ImportFrom)]  # module-level imports
    handler = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == func)
    helpers = {  # module-level helpers the handler calls (_cfg, _verify_raw)
        n.func.id
        for n in ast.walk(handler)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    called = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in helpers]
    start: set[Path] = set()
    for node in [*top, handler, *called]:
        # the statement's whole lines (module-level statements start a line); unlike
        # ast.get_source_segment, this does not split the file again for every node
        start |= _imports("\n".join(lines[node.lineno - 1 : node.end_lineno]))
    # __main__.py itself is a leaf: its other handlers' deferred imports are not this job's.
    return tuple(sorted(closure(start - {main}) | {main}))
