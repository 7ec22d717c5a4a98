"""The package's layout holds: stages as sub-packages, imports running one way, small modules.

The order below is the architecture of docs/design.md §1: a package may import only packages
at its own level or below, so no import runs back up and no loop can form between stages.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.workflow.code_deps import PKG, module_imports

ORDER = [
    "core",  # errors, config, YAML, hashing, audits, writers, logging
    "synthetic",  # planted-effect data: imports nothing of the package
    "acquire",  # stage 1
    "resolve",  # stage 3, used by the parsers for country names
    "sources",  # stage 2
    "panel",  # stage 4
    "models",  # stage 5: spec, design, estimation, checks
    "figures",  # figure primitives
    "hypotheses",  # one module per hypothesis, fit and robustness drivers
    "workflow",  # Snakemake glue
    "report",  # stage 6
]
TOP = {"__init__.py", "__main__.py"}  # the package's face and its command line
MAX_LINES = 800


def _modules() -> list[Path]:
    return sorted(p for p in PKG.rglob("*.py") if "rules" not in p.parts)


def _package(path: Path) -> str | None:
    rel = path.relative_to(PKG)
    return rel.parts[0] if len(rel.parts) > 1 else None


def test_every_module_sits_in_a_stage_package() -> None:
    loose = [p.name for p in _modules() if _package(p) is None and p.name not in TOP]
    extra = sorted({_package(p) for p in _modules()} - set(ORDER) - {None})
    assert not loose, f"modules outside the stage packages: {loose}"
    assert not extra, f"packages missing from ORDER (and from docs/design.md §1): {extra}"


def test_no_import_runs_back_up() -> None:
    rank = {name: i for i, name in enumerate(ORDER)}
    upward = []
    for path in _modules():
        here = _package(path)
        if here not in rank:
            continue
        for dep in module_imports(path):
            there = _package(dep)
            if there in rank and rank[there] > rank[here]:
                upward.append(f"{path.relative_to(PKG)} -> {dep.relative_to(PKG)}")
    assert not upward, "imports that run back up:\n" + "\n".join(upward)


def test_no_module_imports_itself_in_a_loop() -> None:
    graph = {p: {d for d in module_imports(p) if d.suffix == ".py"} for p in _modules()}
    state: dict[Path, int] = {}

    def visit(p: Path, trail: list[Path]) -> None:
        state[p] = 1
        for d in sorted(graph.get(p, ())):
            if d.name == "__init__.py" and d.parent in p.parents:
                continue  # a module's own package runs first: no loop
            if state.get(d) == 1:
                loop = [*trail[trail.index(d) :], d] if d in trail else [p, d]
                pytest.fail("import loop: " + " -> ".join(str(x.relative_to(PKG)) for x in loop))
            if d not in state:
                visit(d, [*trail, d])
        state[p] = 2

    for p in graph:
        if p not in state:
            visit(p, [p])


def test_no_module_over_800_lines() -> None:
    big = {
        str(p.relative_to(PKG)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not big, f"modules over {MAX_LINES} lines: {big}"
