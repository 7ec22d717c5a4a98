"""Tests for analysis.sources.sister_cities on small synthetic files in the raw formats."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.core.errors import RawInputError
from analysis.sources import sister_cities as sc

GEO_HEADER = ["city1", "country1", "lat1", "lng1", "city2", "country2", "lat2", "lng2"]
RAW_HEADER = ["city1", "country1", "city2", "country2"]
BALTIC_HEADER = [*sc.BALTIC_COLUMNS, "k50", "k100", "k150", "k200", "H1", "H2", "Hboth"]


def write_csv(path: Path, header: list[str], rows: list[list[object]], sep: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=sep, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


GEO_ROWS = [
    ["Aville", "Germany", 50.05, 8.05, "Btown", "France", 48.05, 2.05],
    ["Btown", "France", 48.05, 2.05, "Aville", "Germany", 50.05, 8.05],  # reverse listing
    ["Ctown", "England", 52.0, -1.1, "Aville", "Germany", 50.05, 8.05],
    ["Aville", "Germany", 50.05, 8.05, "Ctown", "England, United Kingdom", 52.0, -1.1],  # reverse
    ["Dtown", "Germany", 51.0, 9.0, "Dtown", "Germany", 51.0, 9.0],  # self-tie
    ["Etown", "Northern Cyprus", 35.2, 33.4, "Aville", "Germany", 50.05, 8.05],  # territory
    ["Aville", "Germany", 50.05, 8.05, "Ftown, Bulgaria", "", 42.0, 27.5],  # no partner country
    ["Gtown", "Germany", 51.1, 9.1, "Htown", "United States", -41.3, 174.8],  # namesake abroad
    ["Btown", "France", 48.05, 2.05, "Ktown", "United States", 40.0, -100.0],  # centroid
    ["Gtown", "Germany", 51.1, 9.1, "Mtown", "Brazil", -46.6, -23.5],  # lat/lon exchanged
    ["Ctown", "England", 52.0, -1.1, "Ctown", "Scotland, United Kingdom", 56.05, -3.05],
]
RAW_ONLY = [["Ntown", "Germany", "Ptown", "Poland"], ["Ptown", "Poland", "Ntown", "Germany"]]


def wiki_paths(tmp_path: Path, geo_rows=GEO_ROWS, geo_header=GEO_HEADER) -> dict[str, Path]:
    raw_rows = [[r[0], r[1], r[4], r[5]] for r in geo_rows] + RAW_ONLY
    return {
        sc.WIKI_GEO: write_csv(tmp_path / "geo.csv", geo_header, geo_rows),
        sc.WIKI_RAW: write_csv(tmp_path / "raw.csv", RAW_HEADER, raw_rows),
    }


def audit_drops(parsed) -> dict[tuple[str, str], int]:
    frame = parsed.audit.to_frame()
    assert (
        frame.groupby("step")["rows_in"].first()
        == (frame.groupby("step")["rows_out"].first() + frame.groupby("step")["rows_dropped"].sum())
    ).all()
    return {(r.step, r.reason): r.rows_dropped for r in frame.itertuples() if r.rows_dropped}


def mid(name: str) -> str:
    return f"{sc.WIKI}:{name}"


def test_wikipedia_dyads_mentions_and_audit(tmp_path: Path) -> None:
    parsed = sc.parse_wikipedia(wiki_paths(tmp_path))
    for table, schema in sc.SOURCES[0].schemas.items():
        schema.validate(parsed.tables[table])

    dyads = parsed.tables["dyads"]
    pairs = set(zip(dyads["mention_id_a"], dyads["mention_id_b"], strict=True))
    assert pairs == {
        (mid("Aville|DEU"), mid("Btown|FRA")),
        (mid("Aville|DEU"), mid("Ctown|GBR|England")),
        (mid("Gtown|DEU"), mid("Htown|USA")),
        (mid("Btown|FRA"), mid("Ktown|USA")),
        (mid("Gtown|DEU"), mid("Mtown|BRA")),
        (mid("Ctown|GBR|England"), mid("Ctown|GBR|Scotland")),
        (mid("Ntown|DEU"), mid("Ptown|POL")),
    }
    assert (dyads["tie_type"] == "sister_city").all()
    assert dyads["year"].isna().all()

    m = parsed.tables["mentions"].set_index("mention_id")
    assert set(m.index) == {a for p in pairs for a in p}
    assert m.loc[mid("Ctown|GBR|England"), "raw_country"] == "England"
    assert m.loc[mid("Ctown|GBR|England"), "country_iso3"] == "GBR"
    assert m.loc[mid("Ctown|GBR|Scotland"), "raw_country"] == "Scotland, United Kingdom"
    assert tuple(m.loc[mid("Aville|DEU"), ["lat", "lon"]]) == (50.05, 8.05)
    # points pass as geocoded: the matching stage checks them (analysis.resolve.geo), not the parser
    assert tuple(m.loc[mid("Mtown|BRA"), ["lat", "lon"]]) == (-46.6, -23.5)
    assert tuple(m.loc[mid("Htown|USA"), ["lat", "lon"]]) == (-41.3, 174.8)
    assert tuple(m.loc[mid("Ktown|USA"), ["lat", "lon"]]) == (40.0, -100.0)
    for unlocated in ("Ntown|DEU", "Ptown|POL"):  # raw-scrape pairs: no coordinates
        assert np.isnan(m.loc[mid(unlocated), "lat"]), unlocated
    assert (m["entity_type"] == "city").all()
    assert m["population"].isna().all()

    assert audit_drops(parsed) == {
        ("geocoded_file", "country label is a territory, not a country (Northern Cyprus)"): 1,
        ("geocoded_file", "partner country missing"): 1,
        ("geocoded_file", "self-tie (city paired with itself)"): 1,
        ("raw_scrape_file", "pair also in the geocoded file (taken from there)"): len(GEO_ROWS),
        ("undirected_dyads", "reverse listing (B-A) of a pair listed as A-B"): 3,
    }
    assert "mention_coordinates" not in set(parsed.audit.to_frame()["step"])
    assert sc.SOURCES[0].files == (sc.WIKI_GEO, sc.WIKI_RAW)  # no GeoNames input any more


def test_wikipedia_same_direction_duplicate_counted(tmp_path: Path) -> None:
    rows = [GEO_ROWS[0], ["Aville", "Germany", 50.05, 8.05, "Btown", "France", 48.05, 2.05]]
    # The raw scrape's copies of both rows are "in the geocoded file"; only Ntown-Ptown adds.
    parsed = sc.parse_wikipedia(wiki_paths(tmp_path, geo_rows=rows))
    drops = audit_drops(parsed)
    assert drops[("undirected_dyads", "same pair listed twice in the same direction")] == 1
    assert len(parsed.tables["dyads"]) == 2


def test_wikipedia_renamed_column_names_file_and_column(tmp_path: Path) -> None:
    header = [*GEO_HEADER[:2], "latitude1", *GEO_HEADER[3:]]
    paths = wiki_paths(tmp_path, geo_header=header)
    with pytest.raises(RawInputError, match=r"geocoded_hekman\.csv.*'lat1'"):
        sc.parse_wikipedia(paths)


def test_wikipedia_unparseable_coordinate_raises(tmp_path: Path) -> None:
    rows = [["Aville", "Germany", "5O.0", 8.05, "Btown", "France", 48.05, 2.05]]
    with pytest.raises(RawInputError, match=r"geocoded_hekman\.csv, column 'lat1', value '5O\.0'"):
        sc.parse_wikipedia(wiki_paths(tmp_path, geo_rows=rows))


def test_wikipedia_out_of_range_coordinate_raises(tmp_path: Path) -> None:
    rows = [["Aville", "Germany", 50.05, 8.05, "Btown", "France", 48.0, 200.0]]
    with pytest.raises(RawInputError, match=r"geocoded_hekman\.csv, column 'lng2'"):
        sc.parse_wikipedia(wiki_paths(tmp_path, geo_rows=rows))


def test_entity_types() -> None:
    names = pd.Series(
        [
            "County Kildare",
            "Hsinchu County",
            "Osaka Prefecture",
            "Canton of Bern",
            "Doksy (Česká Lípa District)",
            "Lviv Oblast",
            "Countyville",
            "Aville",
        ]
    )
    assert sc.entity_types(names).tolist() == [
        "county",
        "county",
        "region",
        "region",
        "city",
        "region",
        "city",
        "city",
    ]


# --------------------------------------------------------------------------- Baltic


def baltic_rows() -> list[list[object]]:
    zeros = ["0"] * 7
    return [
        ["Bcity", "Finland", "Aby", "Sweden", "1965", *zeros],
        ["Aby", "Sweden", "Bcity", "Finland", "0", *zeros],  # reverse, undated listing
        ["Ccity", "EastGER", "Dcity", "Poland", "0", *zeros],
        ["Ecity", "WestGER", "Ecity", "WestGER", "1970", *zeros],  # self-tie
        ["Fcity", "Denmark", "Gcity", "Norway", "1950", "1", "1", "1", "1", "0", "1", "1"],
    ]


def write_baltic(tmp_path: Path, rows=None, header=BALTIC_HEADER) -> dict[str, Path]:
    path = tmp_path / "dyad.hans.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(baltic_rows() if rows is None else rows)
    return {sc.BALTIC_FILE: path}


def bid(name: str) -> str:
    return f"{sc.BALTIC}:{name}"


def test_baltic_dyads_acts_mentions(tmp_path: Path) -> None:
    parsed = sc.parse_baltic(write_baltic(tmp_path))
    for table, schema in sc.SOURCES[1].schemas.items():
        schema.validate(parsed.tables[table])

    dyads = parsed.tables["dyads"]
    got = {
        (r.mention_id_a, r.mention_id_b, None if pd.isna(r.year) else int(r.year))
        for r in dyads.itertuples()
    }
    assert got == {
        (bid("Aby|Sweden"), bid("Bcity|Finland"), 1965),
        (bid("Ccity|EastGER"), bid("Dcity|Poland"), None),
        (bid("Fcity|Denmark"), bid("Gcity|Norway"), 1950),
    }
    assert (dyads["tie_type"] == "twinning").all()

    acts = parsed.tables["acts"]
    assert sorted(zip(acts["mention_id"], acts["year"], strict=True)) == [
        (bid("Aby|Sweden"), 1965),
        (bid("Bcity|Finland"), 1965),
        (bid("Fcity|Denmark"), 1950),
        (bid("Gcity|Norway"), 1950),
    ]
    assert (acts["act"] == "twinning_tie").all() and (acts["act_class"] == "economic").all()
    assert acts["date"].isna().all()

    m = parsed.tables["mentions"].set_index("mention_id")
    assert len(m) == 6  # the self-tied Ecity is not mentioned
    assert m.loc[bid("Ccity|EastGER"), "raw_country"] == "EastGER"
    assert m.loc[bid("Ccity|EastGER"), "country_iso3"] == "DEU"  # DDR -> present-day DEU
    assert m.loc[bid("Aby|Sweden"), "country_iso3"] == "SWE"
    assert m["lat"].isna().all()

    assert audit_drops(parsed) == {
        ("dyads", "self-tie (city paired with itself)"): 1,
        ("dyads", "reverse listing (B-A) of a pair listed as A-B"): 1,
    }


def test_baltic_bad_year_names_file_and_column(tmp_path: Path) -> None:
    rows = baltic_rows()
    rows[2][4] = "19x5"
    with pytest.raises(
        RawInputError, match=r"bussmann_nickel2018\.csv, column 'Year', value '19x5'"
    ):
        sc.parse_baltic(write_baltic(tmp_path, rows=rows))


def test_baltic_implausible_year_raises(tmp_path: Path) -> None:
    rows = baltic_rows()
    rows[2][4] = "1066"
    with pytest.raises(RawInputError, match=r"column 'Year', value '1066'"):
        sc.parse_baltic(write_baltic(tmp_path, rows=rows))


def test_baltic_renamed_column_raises(tmp_path: Path) -> None:
    header = ["City1", "Country1", "City2", "Country 2", *BALTIC_HEADER[4:]]
    with pytest.raises(RawInputError, match=r"bussmann_nickel2018\.csv.*'Country2'"):
        sc.parse_baltic(write_baltic(tmp_path, header=header))
