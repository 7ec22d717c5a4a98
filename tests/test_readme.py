"""The README, the docs/ pages it links to, their data-availability table and the commands
stay true to the project."""

from __future__ import annotations

from analysis.acquire.manifest import load_manifest
from analysis.acquire.raw_report import END, START, data_availability_markdown, splice_readme
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
# The long generated tables live in docs/, linked from the README.
AVAILABILITY = (ROOT / "docs/data-availability.md").read_text(encoding="utf-8")


def test_data_availability_table_matches_manifest():
    table = data_availability_markdown(load_manifest(ROOT / "data/raw/sources.yaml"))
    assert splice_readme(AVAILABILITY, table) == AVAILABILITY, "run `python -m analysis readme`"


def test_table_has_one_row_per_raw_file():
    entries = load_manifest(ROOT / "data/raw/sources.yaml")
    block = AVAILABILITY.split(START)[1].split(END)[0]
    rows = [line for line in block.splitlines() if line.startswith("| `")]
    assert len(rows) == len(entries)
    assert all(f"`{e.file}`" in block for e in entries)


def test_readme_opens_with_the_two_commands_and_make_defines_them():
    top = "\n".join(README.splitlines()[:8])
    assert "make run" in top and "make test" in top
    makefile = (ROOT / "Makefile").read_text()
    assert "\nrun: " in makefile and "\ntest: " in makefile


def test_readme_links_stay_inside_the_repository_and_resolve():
    import re

    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        assert "shared/DESIGN" not in text, page.name  # the design document is docs/design.md
        for target in re.findall(r"\]\(([^)#][^)]*)\)", text):
            if target.startswith(("http://", "https://")):
                continue
            path = (page.parent / target.split("#")[0]).resolve()
            assert path.exists(), f"{page.name}: link to {target} does not resolve"
            assert ROOT in path.parents or path == ROOT, f"{page.name}: {target} leaves the repo"


def test_readme_quick_start_is_short_and_names_what_to_open():
    head = README.split("## What this project does")[0]
    assert len(head.strip().splitlines()) <= 16
    assert "results/claims.md" in head and "results/report.html" in head
