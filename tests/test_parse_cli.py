"""Broken inputs stop a parse job (the command every `parse_<source>` rule runs) with a
message naming the file, the column and the value, and write no output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis.sources import gpm, us_places
from tests.conftest import ROOT, make_entry
from tests.sources.test_us_places import HEADER, ROWS
from tests.sources.test_us_places import write as write_us_places

GPM_HEADER = "city_name,country,wikidata_id,mayor_name,mayor_title"


def run_parse(tmp_path: Path, source: str) -> subprocess.CompletedProcess:
    """Run the parse command on the raw files written under tmp_path/raw, with a manifest of
    exactly those files (the job verifies its inputs against the manifest before parsing)."""
    raw = tmp_path / "raw"
    entries = [
        make_entry(p.relative_to(raw).as_posix(), p.read_bytes())
        for p in sorted(raw.rglob("*"))
        if p.is_file()
    ]
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump({"sources": entries}))
    cfg = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    cfg["raw"]["dir"] = str(raw)
    cfg["raw"]["manifest"] = str(tmp_path / "sources.yaml")
    cfg["results_dir"] = str(tmp_path / "results")
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "parse",
            source,
            "--config",
            str(tmp_path / "config.yaml"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def write_gpm(tmp_path: Path, header: str, rows: list[str]) -> None:
    path = tmp_path / "raw" / gpm.FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


def outputs(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "results").rglob("*.parquet"))


def test_good_input_parses(tmp_path):
    write_gpm(tmp_path, GPM_HEADER, ["Bologna,Italy,Q1891,A. Mayor,Mayor of Bologna"])
    run = run_parse(tmp_path, "gpm_democracy")
    assert run.returncode == 0, run.stderr
    assert len(outputs(tmp_path)) == 2


def test_renamed_column(tmp_path):
    write_gpm(tmp_path, GPM_HEADER.replace("city_name", "city"), ["Bologna,Italy,Q1,A,B"])
    run = run_parse(tmp_path, "gpm_democracy")
    assert run.returncode == 1
    assert gpm.FILE in run.stderr and "city_name" in run.stderr
    assert outputs(tmp_path) == []


def test_unknown_country(tmp_path):
    write_gpm(tmp_path, GPM_HEADER, ["Bologna,Italy,Q1,A,B", "Atlantis City,Atlantis,,C,D"])
    run = run_parse(tmp_path, "gpm_democracy")
    assert run.returncode == 1
    assert "unknown country" in run.stderr and "'Atlantis'" in run.stderr
    assert gpm.FILE in run.stderr
    assert outputs(tmp_path) == []


@pytest.mark.parametrize(
    ("rows", "column", "value"),
    [
        ([ROWS[0], ROWS[0]], "id", "1840000001"),  # duplicate key
        ([ROWS[0].replace(",150000,", ",150k,")], "population", "150k"),  # unparseable number
    ],
)
def test_duplicate_key_and_unparseable_value(tmp_path, rows, column, value):
    write_us_places(tmp_path / "raw", HEADER, rows)
    run = run_parse(tmp_path, "us_cities")
    assert run.returncode == 1
    assert us_places.FILE in run.stderr and column in run.stderr and value in run.stderr
    assert outputs(tmp_path) == []


def test_missing_file(tmp_path):
    run = run_parse(tmp_path, "gpm_democracy")
    assert run.returncode == 1 and "missing input file" in run.stderr and gpm.FILE in run.stderr


def test_find_spec_by_module_matches_discovery():
    from analysis.sources import find_spec, module_of, registry

    for name, spec in registry().items():
        assert find_spec(name, module_of(spec)) is spec
    with pytest.raises(KeyError, match="unknown source 'nope'"):
        find_spec("nope", "analysis.sources.gpm")


def test_unknown_source_names_it(tmp_path):
    run = run_parse(tmp_path, "no_such_source")
    assert run.returncode == 1 and "unknown source 'no_such_source'" in run.stderr


def test_a_raw_file_that_differs_from_the_manifest_is_refused(tmp_path):
    write_gpm(tmp_path, GPM_HEADER, ["Bologna,Italy,Q1891,A. Mayor,Mayor of Bologna"])
    run_parse(tmp_path, "gpm_democracy")  # writes the manifest of the file as it is now
    write_gpm(tmp_path, GPM_HEADER, ["Bologna,Italy,Q1892,A. Mayor,Mayor of Bologna"])
    cfg = tmp_path / "config.yaml"
    run = subprocess.run(
        [sys.executable, "-m", "analysis", "parse", "gpm_democracy", "--config", str(cfg)],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert run.returncode == 1
    assert "changed after acquisition" in run.stderr and "sha256 mismatch" in run.stderr
