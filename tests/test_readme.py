"""The README's data-availability table and its commands stay true to the project."""

from __future__ import annotations

from analysis.manifest import load_manifest
from analysis.raw_report import END, START, data_availability_markdown, splice_readme
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_data_availability_table_matches_manifest():
    table = data_availability_markdown(load_manifest(ROOT / "data/raw/sources.yaml"))
    assert splice_readme(README, table) == README, "run `python -m analysis readme`"


def test_table_has_one_row_per_raw_file():
    entries = load_manifest(ROOT / "data/raw/sources.yaml")
    block = README.split(START)[1].split(END)[0]
    rows = [line for line in block.splitlines() if line.startswith("| `")]
    assert len(rows) == len(entries)
    assert all(f"`{e.file}`" in block for e in entries)


def test_readme_opens_with_the_two_commands_and_make_defines_them():
    top = "\n".join(README.splitlines()[:8])
    assert "make run" in top and "make test" in top
    makefile = (ROOT / "Makefile").read_text()
    assert "\nrun: " in makefile and "\ntest: " in makefile
