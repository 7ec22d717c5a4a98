"""Rule code inputs come from the import graph (analysis/workflow/code_deps.py), not hand lists."""

from __future__ import annotations

import re

import pytest

from analysis.workflow import code_deps as D
from tests.conftest import ROOT

RULE_FILES = sorted((ROOT / "analysis/rules").glob("*.smk"))


def test_a_command_depends_on_what_its_handler_imports_only() -> None:
    fit = set(D.command_code("fit"))
    match = set(D.command_code("match"))
    for needed in (
        "models/estimate.py",
        "models/backends/pyfixest_backend.py",
        "hypotheses/frames.py",
        "hypotheses/__init__.py",  # the registry frames.py reads
        "models/__init__.py",  # a package's __init__ runs on import: it counts
    ):
        assert f"analysis/{needed}" in fit, needed
    assert (
        "analysis/resolve/match/driver.py" not in fit and "analysis/models/estimate.py" not in match
    )
    assert {
        "analysis/resolve/match/driver.py",
        "analysis/resolve/match/review.py",
        "analysis/resolve/stage.py",
        "analysis/resolve/geo.py",
    } <= match
    assert "analysis/__main__.py" in fit and "analysis/__main__.py" in match


def test_each_hypothesis_code_is_its_own_module_and_what_it_imports() -> None:
    """Found by the registry, not imported by name: each rule lists its hypothesis's module,
    so editing h2's module reruns h2's jobs only (the fit command's code holds none of them)."""
    modules = {
        "h1": "h1_defiance.py",
        "h2": "h2_centrality.py",
        "h3": "h3_norm.py",
        "h4": "h4_alignment.py",
        "h5": "h5_economy.py",
    }
    fit = set(D.command_code("fit"))
    for h, module in modules.items():
        code = set(D.hypothesis_code(h))
        assert f"analysis/hypotheses/{module}" in code, h
        others = {f"analysis/hypotheses/{m}" for g, m in modules.items() if g != h}
        assert not code & others, h
        assert f"analysis/hypotheses/{module}" not in fit
        assert not any(f.startswith("analysis/report/") for f in code), h  # no import runs up
    assert {"analysis/hypotheses/h1_acts.py", "analysis/hypotheses/h1_panel.py"} <= set(
        D.hypothesis_code("h1")
    )
    assert "analysis/hypotheses/h3_checks.py" in D.hypothesis_code("h3")
    assert "analysis/hypotheses/cross_section.py" in D.hypothesis_code("h5")  # H2's cities
    assert D.hypothesis_code("h9") == []


def test_data_files_named_by_a_module_count() -> None:
    assert "analysis/data/networks.csv" in D.command_code("assemble")
    assert "analysis/data/codebook.yaml" in D.command_code("codebook")
    assert "analysis/data/country_overrides.csv" in D.command_code("parse")


def test_unknown_command_is_named() -> None:
    with pytest.raises(KeyError, match="no-such"):
        D.command_code("no-such")


def test_scanner_on_a_package_of_its_own(tmp_path) -> None:
    pkg = tmp_path / "analysis"
    (pkg / "data").mkdir(parents=True)
    (pkg / "data" / "table.csv").write_text("a\n1\n")
    (pkg / "a.py").write_text(
        '"""from analysis.ghost import nothing (a docstring may add, never hide)."""\n'
        "from analysis.b import (\n    x,  # comment\n    y as z,\n)\n"
    )
    (pkg / "b.py").write_text('def f():\n    from analysis import c\n    return "table.csv"\n')
    (pkg / "c.py").write_text("import os\nfrom pandas import DataFrame\n")
    got = {p.relative_to(pkg).as_posix() for p in D.closure([pkg / "a.py"], pkg)}
    assert got == {"a.py", "b.py", "c.py", "data/table.csv"}


def _rule_blocks(text: str) -> list[str]:
    return re.split(r"\n(?=\s*rule[\s:])", text)


def test_every_rule_that_runs_a_command_lists_its_code() -> None:
    """Each `python -m analysis <command>` rule takes its code inputs from command_code (or,
    for parsers, source_code), so no rule keeps a hand list that can drift."""
    seen = 0
    for path in RULE_FILES:
        text = path.read_text()
        assert "code_files(" not in text, path.name
        for block in _rule_blocks(text):
            m = re.search(r"-m analysis ([a-z0-9-]+)", block)
            if not m:
                continue
            seen += 1
            cmd = m.group(1)
            if cmd == "parse":
                assert "source_code(" in block, path.name
            else:
                assert f'command_code("{cmd}")' in block, (path.name, cmd)
    assert seen >= 15


def test_rule_inputs_are_relative() -> None:
    for cmd in ("fit", "match", "reviewer-map"):
        assert all(not p.startswith("/") for p in D.command_code(cmd))


def test_a_package_imported_by_name_counts_with_its_parents(tmp_path) -> None:
    pkg = tmp_path / "analysis"
    (pkg / "plots").mkdir(parents=True)
    (pkg / "deep" / "er").mkdir(parents=True)
    (pkg / "a.py").write_text("from analysis import plots\nfrom analysis.deep.er.m import f\n")
    (pkg / "plots" / "__init__.py").write_text("from analysis.plots.style import x\n")
    (pkg / "plots" / "style.py").write_text("x = 1\n")
    for f in ("deep/__init__.py", "deep/er/__init__.py", "deep/er/m.py"):
        (pkg / f).write_text("")
    got = {p.relative_to(pkg).as_posix() for p in D.closure([pkg / "a.py"], pkg)}
    assert got == {"a.py", "plots/__init__.py", "plots/style.py", "deep/__init__.py",
                   "deep/er/__init__.py", "deep/er/m.py"}  # fmt: skip
