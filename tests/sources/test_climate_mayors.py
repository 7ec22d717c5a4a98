"""The Climate Mayors compendium parser on a small synthetic file in the OpenClimate format."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.core.errors import RawInputError
from analysis.sources import climate_mayors
from analysis.sources.climate_mayors import COPY, FILE, fix_mojibake
from tests.sources.helpers import parse_validated

HEADER = [
    "name",
    "country",
    "entity_type",
    "iso",
    "region",
    "state",
    "raw_commitment",
    "ghg_reduction_target_type",
    "percent_reduction",
    "target_year",
    "baseline_year",
    "data_source",
]
COMMUNITY = "GHG emission reduction target:Community"
MUNICIPAL = "GHG emission reduction target:Local Government"


def target(name, state, kind, pct, year, baseline="NA"):
    return [
        name,
        "United States of America",
        "City",
        "USA",
        "North America",
        state,
        f"Invented target text for {name}",
        kind,
        pct,
        year,
        baseline,
        "ClimateMayors2022",
    ]


ROWS = [
    target("Alphaton, NY", "NY", COMMUNITY, "80", "2050", "1990"),
    target("Alphaton, NY", "NY", MUNICIPAL, "20", "2020"),
    target("Alphaton, NY", "NY", "renewable Energy", "NA", "2035"),
    # Mojibake name (UTF-8 read as cp1252), a duplicate kind/year: the highest percent is kept.
    target("San JosÃ©, CA", "CA", "Energy Savings", "50", "2022"),
    target("San JosÃ©, CA", "CA", "Energy Savings", "30", "2022"),
    target("San JosÃ©, CA", "CA", "", "NA", "2022"),
    # State typo "NC2": the name's suffix wins; a target without a year.
    target("Betaville, NC", "NC2", "Waste Reduction", "65", "NA"),
    target("Washington D.C.", "DC", "Renewable Energy", "100", "2032"),
]


def write(path: Path, rows, header=HEADER) -> Path:
    def field(value: str) -> str:
        return value if value == "NA" else '"' + value + '"'

    lines = [",".join(header)] + [",".join(field(v) for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def paths(tmp_path: Path, rows=ROWS, copy_rows=None, header=HEADER) -> dict[str, Path]:
    return {
        FILE: write(tmp_path / "ddl.csv", rows, header),
        COPY: write(tmp_path / "openclimate.csv", rows if copy_rows is None else copy_rows, header),
    }


def parse(files):
    return parse_validated(climate_mayors.SOURCES[0], files)


def test_parse_compendium(tmp_path):
    result = parse(paths(tmp_path))
    mentions = result.tables["mentions"]
    assert mentions["mention_id"].tolist() == [
        "climate_mayors:Alphaton, NY",
        "climate_mayors:San José, CA",
        "climate_mayors:Betaville, NC",
        "climate_mayors:Washington D.C.",
    ]
    assert mentions["raw_name"].tolist()[1] == "San José, CA"
    assert set(mentions["country_iso3"]) == {"USA"} and set(mentions["entity_type"]) == {"city"}

    memberships = result.tables["memberships"]
    assert memberships["mention_id"].tolist() == mentions["mention_id"].tolist()
    assert set(memberships["network"]) == {"climate_mayors"}
    assert set(memberships["observed_year"]) == {2018}
    assert memberships["join_year"].isna().all()
    assert set(memberships["source_label"]) == {"ClimateMayors2022"}

    measures = {
        (m.split(":", 1)[1], measure, year): value
        for m, measure, year, value in result.tables["city_measures"].itertuples(index=False)
    }
    assert measures == {
        ("Alphaton, NY", "ghg_community_target_pct", 2050): 80.0,
        ("Alphaton, NY", "ghg_local_government_target_pct", 2020): 20.0,
        ("San José, CA", "energy_savings_target_pct", 2022): 50.0,
        ("Washington D.C.", "renewable_energy_target_pct", 2032): 100.0,
    }
    audit = result.audit.to_frame()
    targets = audit[audit["step"] == "targets"]
    assert dict(zip(targets["reason"], targets["rows_dropped"], strict=True)) == {
        "no target type": 1,
        "no target percentage": 1,
        "no target year": 1,
        "several targets of one kind and year: highest kept": 1,
    }


def test_copy_must_match(tmp_path):
    changed = [list(r) for r in ROWS]
    changed[0][8] = "85"
    with pytest.raises(RawInputError, match=re.escape(COPY) + r", column 'percent_reduction'"):
        parse(paths(tmp_path, copy_rows=changed))


def test_unparseable_percent_raises_with_file_and_column(tmp_path):
    rows = [target("Alphaton, NY", "NY", COMMUNITY, "eighty", "2050")]
    with pytest.raises(RawInputError, match=re.escape(FILE) + r", column 'percent_reduction'"):
        parse(paths(tmp_path, rows=rows))


def test_renamed_column_and_bad_state_raise(tmp_path):
    header = [("year" if c == "target_year" else c) for c in HEADER]
    with pytest.raises(RawInputError, match=re.escape(FILE) + r", column 'target_year'"):
        parse(paths(tmp_path, header=header))
    rows = [target("Alphaton, NY", "NJ", COMMUNITY, "80", "2050")]
    with pytest.raises(RawInputError, match=re.escape(FILE) + r", column 'state', value 'NJ'"):
        parse(paths(tmp_path, rows=rows))
    rows = [target("Alphaton, NY", "NY", "Carbon Capture", "80", "2050")]
    with pytest.raises(RawInputError, match=r"ghg_reduction_target_type.*Carbon Capture"):
        parse(paths(tmp_path, rows=rows))


def test_fix_mojibake():
    assert fix_mojibake("San JosÃ©, CA") == "San José, CA"
    assert fix_mojibake("Progressâ€™") == "Progress\u2019"
    assert fix_mojibake("Albany, NY") == "Albany, NY"
    assert fix_mojibake("São Paulo") == "São Paulo"  # real text is left alone
