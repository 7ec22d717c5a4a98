"""The simplemaps US places parser on synthetic files (the state / county helpers: test_us_geo)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.core.errors import RawInputError
from analysis.sources import us_places
from analysis.sources.common.runner import run_source

HEADER = (
    "city,city_ascii,state_id,state_name,county_fips,county_name,lat,lng,population,density,"
    "source,military,incorporated,timezone,ranking,zips,id"
)
ROWS = [
    "Springfield,Springfield,IL,Illinois,17167,Sangamon,39.7,-89.6,150000,1000.5,shape,FALSE,"
    "TRUE,America/Chicago,2,62701 62702,1840000001",
    "Portland,Portland,ME,Maine,23005,Cumberland,43.6,-70.2,68000,1200,shape,FALSE,TRUE,"
    "America/New_York,2,04101,1840000002",
    "Ponce,Ponce,PR,Puerto Rico,72113,Ponce,18.0,-66.6,120000,900,shape,FALSE,TRUE,"
    "America/Puerto_Rico,3,00716,1630000003",
]


def write(root: Path, header: str = HEADER, rows: list[str] = ROWS) -> None:
    path = root / us_places.FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xef\xbb\xbf" + ("\n".join([header, *rows]) + "\n").encode())


def spec():
    return us_places.SOURCES[0]


def test_mentions_and_city_county(tmp_path: Path) -> None:
    write(tmp_path)
    parsed = run_source(spec(), tmp_path)
    mentions = parsed.tables["mentions"].set_index("mention_id")
    assert list(mentions.index) == ["us_cities:1840000001", "us_cities:1840000002"]
    springfield = mentions.loc["us_cities:1840000001"]
    assert springfield["raw_name"] == "Springfield, IL"
    assert springfield["country_iso3"] == "USA"
    assert springfield["entity_type"] == "city"
    assert (springfield["lat"], springfield["lon"], springfield["population"]) == (
        39.7,
        -89.6,
        150000.0,
    )
    table = parsed.tables["us_city_county"].set_index("simplemaps_id")
    row = table.loc["1840000002"]
    assert row["state"] == "ME" and row["state_fips"] == "23"
    assert row["county_fips"] == "23005" and row["county_name"] == "Cumberland"
    assert row["density"] == 1200.0 and bool(row["incorporated"]) and not bool(row["military"])
    assert row["ranking"] == 2


def test_audit_counts_puerto_rico(tmp_path: Path) -> None:
    write(tmp_path)
    audit = run_source(spec(), tmp_path).audit.to_frame()
    assert audit[["rows_in", "rows_out", "rows_dropped"]].values.tolist() == [[3, 2, 1]]
    assert audit["reason"].tolist() == ["Puerto Rico (territory, outside the 50 states + DC)"]


def test_renamed_column_names_file_and_column(tmp_path: Path) -> None:
    write(tmp_path, header=HEADER.replace("county_fips", "countyfips"))
    with pytest.raises(RawInputError, match=r"uscities_simplemaps_basic\.csv.*county_fips"):
        run_source(spec(), tmp_path)


def test_unparseable_population_names_column(tmp_path: Path) -> None:
    rows = [ROWS[0].replace(",150000,", ",150k,"), ROWS[1]]
    write(tmp_path, rows=rows)
    with pytest.raises(RawInputError, match=r"uscities_simplemaps_basic\.csv.*'population'.*150k"):
        run_source(spec(), tmp_path)


def test_hamlets_below_the_gazetteer_floor_are_dropped_and_counted(tmp_path: Path) -> None:
    hamlet = ROWS[0].replace("Springfield,Springfield", "Tinyville,Tinyville")
    hamlet = hamlet.replace(",150000,", ",600,").replace("1840000001", "1840000009")
    write(tmp_path, rows=[*ROWS, hamlet])
    parsed = run_source(spec(), tmp_path)
    assert "us_cities:1840000009" not in set(parsed.tables["mentions"]["mention_id"])
    audit = parsed.audit.to_frame().set_index("reason")
    assert audit.loc["fewer than 1,000 people", "rows_dropped"] == 1
