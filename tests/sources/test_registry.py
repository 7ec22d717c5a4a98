"""The source registry finds parsers only, and each parse job's code is its own parser's."""

from __future__ import annotations

from pathlib import Path

from analysis.sources import module_of, registry
from analysis.workflow.code_deps import source_code

SOURCES_DIR = Path("analysis/sources")


def test_registry_holds_parsers_not_shared_helpers() -> None:
    modules = {module_of(spec) for spec in registry().values()}
    assert not [m for m in modules if m.startswith("analysis.sources.common")]
    # every parser module sits directly in analysis/sources/ and names a spec
    assert all(m.count(".") == 2 for m in modules)
    assert "analysis.sources.us_sanctuary" in modules


def test_a_parse_job_depends_on_its_own_parser_not_its_siblings() -> None:
    parsers = {
        f"analysis/sources/{m.rsplit('.', 1)[1]}.py" for m in map(module_of, registry().values())
    }
    for name in ("us_287g", "us_sanctuary", "urbact"):
        code = set(source_code(registry()[name]))
        own = {p for p in code if p in parsers}
        assert own == {f"analysis/sources/{name}.py"}, (name, own)
        assert "analysis/sources/common/readers.py" in code
        assert "analysis/sources/common/__init__.py" in code
