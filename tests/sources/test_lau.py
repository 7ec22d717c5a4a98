"""LAU parser on small synthetic files in the real format (invented units and values)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.core.errors import RawInputError
from analysis.sources import lau
from tests.sources.helpers import parse_validated, write_lines

HEADER = (
    "gisco_id,longitude,latitude,country,nuts_2,nuts_3,lau_id,lau_name,population,"
    "area_km2,year,fid,concordance,pop_weighted"
)


def _files(tmp_path: Path, rows: dict[str, list[str]]) -> dict[str, Path]:
    """Every country file the spec reads: the given rows, a header only for the others."""
    paths = {}
    for f in lau.FILES:
        cc = Path(f).name[:2]
        paths[f] = write_lines(tmp_path, f, [HEADER, *rows.get(cc, [])])
    return paths


def test_units_parsed_and_country_codes_mapped(tmp_path: Path) -> None:
    paths = _files(
        tmp_path,
        {
            "EL": [
                "EL_0101,25.4,41.1,EL,EL51,EL513,0101,Κοινότητα Τεστού,120,66.8,2020,EL_0101,official,TRUE"
            ],
            "UK": [
                "UK_E0600,-1.2,54.6,UK,UKC1,UKC11,E0600,Testpool,93242,93.9,2020,UK_E0600,geo,TRUE"
            ],
            "DE": [
                'DE_0100,9.4,54.7,DE,DEF0,DEF01,0100,"Testburg, Stadt",90164,49.2,2020,DE_0100,official,FALSE',
                "DE_0200,9.5,54.8,DE,DEF0,DEF01,0200,,NA,12.0,2020,DE_0200,official,TRUE",
            ],
            "CH": [
                "CH_0300,8.1,47.1,CH,CH01,CH011,0300,Testdorf,NA,5.0,2020,CH_0300,official,TRUE"
            ],
        },
    )
    parsed = parse_validated(lau.SOURCES[0], paths)
    units = parsed.tables["lau_units"].set_index("gisco_id")
    assert units.loc["EL_0101", "country_iso3"] == "GRC"
    assert units.loc["UK_E0600", "country_iso3"] == "GBR"
    assert units.loc["DE_0100", "name"] == "Testburg, Stadt"
    assert not units.loc["DE_0100", "pop_weighted"]
    assert units.loc["EL_0101", "lau_code"] == "0101"  # leading zero kept
    assert units["population"].isna().sum() == 1  # CH "NA"
    assert "DE_0200" not in units.index  # no name: dropped, counted
    audit = parsed.audit.to_frame()
    assert audit.loc[audit["reason"] == "no unit name", "rows_dropped"].sum() == 1


def test_wrong_country_in_file_raises(tmp_path: Path) -> None:
    paths = _files(
        tmp_path,
        {"ES": ["PT_0100,-8.3,40.5,PT,PT16,PT16D,0100,Testa,10,1.0,2020,PT_0100,official,TRUE"]},
    )
    with pytest.raises(RawInputError, match="country"):
        lau.parse(paths)


def test_duplicate_gisco_id_raises(tmp_path: Path) -> None:
    row = "ES_0100,-3.0,40.0,ES,ES21,ES211,0100,Testa,10,1.0,2020,ES_0100,official,TRUE"
    paths = _files(tmp_path, {"ES": [row, row]})
    with pytest.raises(RawInputError):
        lau.parse(paths)
