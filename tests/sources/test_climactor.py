"""The ClimActor parsers on small synthetic files in the waves' formats (invented values)."""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import pytest

from analysis.core.errors import RawInputError
from analysis.sources import climactor
from analysis.sources.climactor import (
    LABEL_NETWORKS,
    NETWORKS,
    SOURCES,
    label_drop_reason,
    label_stem,
)
from tests.sources.helpers import parse_validated, step_reasons

SPECS = {spec.name: spec for spec in SOURCES}
DEC_FILE = re.escape(SPECS["climactor_2022_dec"].files[0])
INIT_FILE = re.escape(SPECS["climactor_2020"].files[0])
DEC_COLUMNS = [
    "name",
    "iso",
    "entity_type",
    "country",
    "area",
    "num_commit",
    "lat",
    "lng",
    "population",
    "population_year",
    "state",
    "admin_1",
    "initiatives_committed",
    "region",
]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """Write like R's write.csv: every non-NA field quoted, NA bare."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(f'"{h}"' for h in header) + "\n")
        for row in rows:
            handle.write(",".join(v if v == "NA" else f'"{v}"' for v in row) + "\n")
    return path


def dec_row(name, iso, etype, lat, lng, pop, labels):
    return [
        name,
        iso,
        etype,
        "Utopia",
        "NA",
        "3",
        lat,
        lng,
        pop,
        "2019",
        "NA",
        "NA",
        labels,
        "Europe",
    ]


DEC_ROWS = [
    dec_row(
        "Alphaville",
        "ITA",
        "City",
        "45.1",
        "9.2",
        "120000",
        "GCoM2022;;EUCovenantofMayors2022;;C40Cities2022;;WeAreStillIn2019;;GCoM2022",
    ),
    dec_row(
        "Betaland",
        "DEU",
        "Region",
        "50.0",
        "10.0",
        "2500000",
        "Under2Coalition2022;;CDPStates&Regions2022;;DDLNetZeroDB2020;;https://example.org/x",
    ),
    dec_row("Gammatown", "ESP", "city", "41.0", "2017", "900", "NA"),
    dec_row("Hidaka", "JPN", "City", "35.9", "139.3", "57000", "JapanMOE2020;;Region"),
    dec_row(
        "Hidaka ",
        "JPN",
        "City",
        "NA",
        "NA",
        "5000",
        "Klimatkommunerna,Covenant of Mayors,EuroCities,Fossilfritt Sverige, NAZCA",
    ),
    dec_row("Deltaberg", "SWE", "NA", "59.0", "18.0", "30000", "ClimateMayors2019;ICLEI"),
    dec_row(
        "Alphaville",
        "ITA",
        "City",
        "45.1",
        "9.2",
        "120000",
        "GCoM2022;;EUCovenantofMayors2022;;C40Cities2022;;WeAreStillIn2019;;GCoM2022",
    ),
]


def parse(name: str, path: Path):
    spec = SPECS[name]
    return parse_validated(spec, {spec.files[0]: path})


def test_dec2022_wave(tmp_path):
    path = write_csv(tmp_path / "dec.csv", DEC_COLUMNS, DEC_ROWS)
    result = parse("climactor_2022_dec", path)
    mentions = result.tables["mentions"].set_index("mention_id")
    source = "climactor_2022_dec"
    assert sorted(mentions.index) == sorted(
        f"{source}:{key}"
        for key in [
            "Alphaville|ITA|city",
            "Betaland|DEU|region",
            "Gammatown|ESP|city",
            "Hidaka|JPN|city",
            "Hidaka |JPN|city",
            "Deltaberg|SWE|other",
        ]
    )
    alpha = mentions.loc[f"{source}:Alphaville|ITA|city"]
    assert (alpha.raw_name, alpha.raw_country, alpha.country_iso3) == ("Alphaville", "ITA", "ITA")
    assert (alpha.lat, alpha.lon, alpha.population) == (45.1, 9.2, 120000.0)
    assert mentions.loc[f"{source}:Betaland|DEU|region", "entity_type"] == "region"
    # An out-of-range longitude voids the pair; the actor stays.
    gamma = mentions.loc[f"{source}:Gammatown|ESP|city"]
    assert math.isnan(gamma.lat) and math.isnan(gamma.lon) and gamma.population == 900.0
    # "Hidaka" and "Hidaka " are two actors; both display the stripped name.
    assert mentions.loc[f"{source}:Hidaka |JPN|city", "raw_name"] == "Hidaka"

    got = {
        (m.split(":", 1)[1], n): (t, label, obs)
        for m, n, t, label, obs in result.tables["memberships"][
            ["mention_id", "network", "network_type", "source_label", "observed_year"]
        ].itertuples(index=False)
    }
    assert got == {
        ("Alphaville|ITA|city", "gcom"): ("climate", "EUCovenantofMayors2022;GCoM2022", 2022),
        ("Alphaville|ITA|city", "c40"): ("climate", "C40Cities2022", 2022),
        ("Alphaville|ITA|city", "we_are_still_in"): ("climate", "WeAreStillIn2019", 2022),
        ("Betaland|DEU|region", "under2_coalition"): ("climate", "Under2Coalition2022", 2022),
        ("Betaland|DEU|region", "cdp"): ("climate", "CDPStates&Regions2022", 2022),
        ("Hidaka|JPN|city", "japan_zero_carbon_city"): ("climate", "JapanMOE2020", 2022),
        **{
            ("Hidaka |JPN|city", network): (
                kind,
                "Klimatkommunerna,Covenant of Mayors,EuroCities,Fossilfritt Sverige, NAZCA",
                2022,
            )
            for network, kind in [
                ("klimatkommunerna", "climate"),
                ("gcom", "climate"),
                ("eurocities", "general"),
                ("fossil_free_sweden", "climate"),
                ("nazca", "climate"),
            ]
        },
        ("Deltaberg|SWE|other", "climate_mayors"): ("climate", "ClimateMayors2019", 2022),
        ("Deltaberg|SWE|other", "iclei"): ("climate", "ICLEI", 2022),
    }
    assert result.tables["memberships"]["join_year"].isna().all()

    assert step_reasons(result, "actors") == {"exact duplicate row": 1}
    assert step_reasons(result, "initiative labels") == {
        "actor lists no initiative (cell missing or NA)": 1,
        "empty label (';;' separator)": 8,
        "research database of targets, not a network": 1,
        "source URL, not an initiative": 1,
        "junk label 'Region'": 1,
    }
    assert step_reasons(result, "memberships") == {
        "network listed under several labels (labels joined in source_label)": 2
    }


INIT_BASE = climactor.BASE_COLUMNS_2020
INIT_FLAGS = ["C40", "C40Cities2019", "GlobalCovenantofMayors2019", "NAZCA", "<NA>"]


def init_row(name, etype, labels, flags):
    base = [
        name,
        "USA",
        etype,
        "USA",
        "North America",
        "12",
        labels,
        "2",
        "40.0",
        "-75.0",
        "1000",
        "2018",
        "PA",
        "",
    ]
    return base + flags


def write_init(tmp_path, rows):
    path = tmp_path / "init.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(INIT_BASE + INIT_FLAGS)
        writer.writerows(rows)
    return path


def test_sept2020_wave_checks_flag_columns(tmp_path):
    rows = [
        init_row("Epsilon", "City", "C40;C40Cities2019;NAZCA", ["1", "1", "0", "1", "0"]),
        init_row("Zeta", "Region", "NA", ["0", "0", "0", "0", "1"]),
        init_row("Eta", "City", "", ["", "", "", "", ""]),
    ]
    result = parse("climactor_2020", write_init(tmp_path, rows))
    memberships = result.tables["memberships"]
    assert sorted(zip(memberships["mention_id"], memberships["network"], strict=True)) == [
        ("climactor_2020:Epsilon|USA|city", "c40"),
        ("climactor_2020:Epsilon|USA|city", "nazca"),
    ]
    assert memberships.set_index("network").loc["c40", "source_label"] == "C40;C40Cities2019"
    assert set(memberships["observed_year"]) == {2020}
    assert len(result.tables["mentions"]) == 3
    assert step_reasons(result, "initiative labels") == {
        "actor lists no initiative (cell missing or NA)": 2
    }

    rows[0] = init_row("Epsilon", "City", "C40;NAZCA", ["1", "1", "0", "1", "0"])
    with pytest.raises(RawInputError, match=INIT_FILE + r", column 'C40Cities2019'"):
        parse("climactor_2020", write_init(tmp_path, rows))


def test_renamed_column_raises_with_file_and_column(tmp_path):
    header = [("long" if c == "lng" else c) for c in DEC_COLUMNS]
    path = write_csv(tmp_path / "dec.csv", header, DEC_ROWS[:1])
    with pytest.raises(RawInputError, match=DEC_FILE + r", column 'lng'.*missing column"):
        parse("climactor_2022_dec", path)


def test_unparseable_value_raises_with_file_and_column(tmp_path):
    rows = [dec_row("Alphaville", "ITA", "City", "45,1N", "9.2", "100", "GCoM2022")]
    path = write_csv(tmp_path / "dec.csv", DEC_COLUMNS, rows)
    with pytest.raises(RawInputError, match=DEC_FILE + r", column 'lat', value '45,1N'"):
        parse("climactor_2022_dec", path)


def test_unknown_label_and_entity_type_raise(tmp_path):
    rows = [
        dec_row("Alphaville", "ITA", "City", "45", "9", "100", "GCoM2022;;BrandNewAlliance2023")
    ]
    path = write_csv(tmp_path / "dec.csv", DEC_COLUMNS, rows)
    with pytest.raises(
        RawInputError, match=DEC_FILE + r", column 'initiatives_committed'.*BrandNewAlliance2023"
    ):
        parse("climactor_2022_dec", path)
    rows = [dec_row("Alphaville", "ITA", "Province", "45", "9", "100", "GCoM2022")]
    path = write_csv(tmp_path / "dec.csv", DEC_COLUMNS, rows)
    with pytest.raises(RawInputError, match=DEC_FILE + r", column 'entity_type', value 'Province'"):
        parse("climactor_2022_dec", path)


def test_duplicate_key_raises(tmp_path):
    rows = [
        dec_row("Alphaville", "ITA", "City", "45", "9", "100", "GCoM2022"),
        dec_row("Alphaville", "ITA", "City", "46", "9", "100", "GCoM2022"),
    ]
    path = write_csv(tmp_path / "dec.csv", DEC_COLUMNS, rows)
    with pytest.raises(RawInputError, match=DEC_FILE + r", column 'key'.*share a key"):
        parse("climactor_2022_dec", path)


def test_label_table():
    assert {key for keys in LABEL_NETWORKS.values() for key in keys} <= set(NETWORKS)
    assert all(kind in {"climate", "general"} for kind, _ in NETWORKS.values())
    assert all(re.fullmatch(r"[a-z0-9_]+", key) for key in NETWORKS)
    assert label_stem("GCoM2022") == "GCoM"
    assert label_stem("CDPCities2018-2019") == "CDPCities"
    assert label_stem("CDPStates&Regions2018-19") == "CDPStates&Regions"
    assert label_stem("c40_s_deadline_2020") == "c40_s_deadline"
    assert label_stem("Cool Coalition ") == "Cool Coalition"
    assert label_drop_reason("IGDPDDL2020") == climactor.DATASET
    assert label_drop_reason("GCoM2022") is None
    for needed in ["we_are_still_in", "climate_mayors", "c40", "gcom", "iclei", "cdp"]:
        assert needed in NETWORKS


def test_specs():
    assert [(s.name, s.files) for s in SOURCES] == [
        (name, (file,)) for name, file, _, _ in climactor.WAVES
    ]
    assert all(set(s.tables) == {"mentions", "memberships"} for s in SOURCES)
