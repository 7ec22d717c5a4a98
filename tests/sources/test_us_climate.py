"""The Net Zero Tracker and C2ES state-target parsers on small synthetic files."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.core.errors import RawInputError
from analysis.sources import us_climate as uc
from analysis.sources.common.runner import run_source
from tests.sources.helpers import drop_counts

NZT_HEADER = [
    "last_updated",
    "id_code",
    "name",
    "country",
    "actor_type",
    "isin_id",
    "race_to_zero_member",
    "end_target",
    "end_target_percentage_reduction",
    "end_target_year",
    "end_target_status",
    "status_date",
    "interim_target",
    "interim_target_percentage_reduction",
    "interim_target_year",
    "population",
]


def actor(
    code,
    name,
    country,
    kind,
    r2z="No",
    target="No target",
    year=None,
    status=None,
    status_date=None,
    interim=None,
    interim_pct=None,
    interim_year=None,
    pop=None,
):
    return [
        "2022-05-01 10:00:00",
        code,
        name,
        country,
        kind,
        None,
        r2z,
        target,
        None,
        year,
        status,
        status_date,
        interim,
        interim_pct,
        interim_year,
        pop,
    ]


NZT_ROWS = [
    NZT_HEADER,
    actor(
        "COU-0001",
        "United States",
        "USA",
        "Country",
        target="Net zero",
        year=2050,
        status="In policy document",
        status_date=2021,
        interim="Emissions reduction target",
        interim_pct=52,
        interim_year=2030,
        pop=331000000,
    ),
    actor("COU-0002", "European Union", "XXX", "Country", target="Climate neutral", year=2050),
    actor(
        "REG-0009",
        "California",
        "USA",
        "Region",
        r2z="Yes",
        target="Net zero",
        year=2045,
        status="In law",
        status_date=2020,
        pop=39510000,
    ),
    actor("REG-0500", "Bavaria", "DEU", "Region"),
    actor(
        "CIT-0006",
        "Austin, TX",
        "USA",
        "City",
        r2z="Yes",
        target="Net zero",
        year=2040,
        status="In policy document",
        status_date=2021,
    ),
    actor("COM-0001", "Acme Corp", "USA", "Company", target="Net zero", year=2040),
]


def write_nzt(root: Path, rows: list[list[object]] = NZT_ROWS) -> None:
    path = root / uc.FILE_NZT
    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    for row in rows:
        sheet.append(row)
    book.save(path)


def spec(name: str):
    return next(s for s in uc.SOURCES if s.name == name)


def test_net_zero_tracker(tmp_path: Path) -> None:
    write_nzt(tmp_path)
    parsed = run_source(spec(uc.NZT), tmp_path)
    mentions = parsed.tables["mentions"].set_index("mention_id")
    assert sorted(mentions.index) == [
        "net_zero_tracker:CIT-0006",
        "net_zero_tracker:REG-0009",
        "net_zero_tracker:REG-0500",
    ]
    assert mentions["entity_type"].to_dict() == {
        "net_zero_tracker:CIT-0006": "city",
        "net_zero_tracker:REG-0009": "state",
        "net_zero_tracker:REG-0500": "region",
    }
    assert mentions.loc["net_zero_tracker:REG-0500", "country_iso3"] == "DEU"
    assert mentions.loc["net_zero_tracker:REG-0009", "population"] == 39510000
    targets = parsed.tables["net_zero_targets"].set_index("actor_id")
    austin = targets.loc["CIT-0006"]
    assert (austin["end_target"], austin["end_target_year"], austin["status_year"]) == (
        "Net zero",
        2040,
        2021,
    )
    assert austin["has_end_target"] and austin["race_to_zero_member"]
    assert austin["observed_year"] == 2022
    bavaria = targets.loc["REG-0500"]
    assert not bavaria["has_end_target"] and pd.isna(bavaria["end_target_year"])
    countries = parsed.tables["net_zero_country_targets"]
    assert countries["country_iso3"].tolist() == ["USA"]
    usa = countries.iloc[0]
    assert (usa["interim_target_percent"], usa["interim_target_year"]) == (52.0, 2030)
    assert drop_counts(parsed) == {
        ("actors", "company (not a place)"): 1,
        ("actors", "not a country: aggregate"): 1,
    }


def test_net_zero_bad_year_names_column(tmp_path: Path) -> None:
    rows = [list(r) for r in NZT_ROWS]
    rows[5][NZT_HEADER.index("end_target_year")] = "2040s"
    write_nzt(tmp_path, rows)
    with pytest.raises(RawInputError, match=r"net_zero_tracker.*column 'end_target_year'.*2040s"):
        run_source(spec(uc.NZT), tmp_path)


C2ES_HEADER = (
    "state,actor_id,target_type,target_value,target_unit,baseline_year,target_year,actual_range,URL"
)
C2ES = [
    C2ES_HEADER,
    "California,US-CA,Absolute emission reduction,0,percent,1990,2020,,"
    "https://example.org/200520060AB32",
    "Colorado,US-CO,Absolute emission reduction,26,percent,2005,2025,,"
    "https://example.org/2019a_1261_signed.pdf",
    "Delaware,US-DE,Absolute emission reduction,26,percent,2005,2025,26-28,"
    "https://example.org/Plan-2021.pdf",
    "Massachusetts,US-MA,Absolute emission reduction,33,percent,1990,2025,,"
    "https://example.org/2025-and-2030-limits",
    "Puerto Rico,US-PR,Absolute emission reduction,50,percent,2019,2025,,https://example.org/pr",
]


def write_c2es(root: Path, lines: list[str] = C2ES) -> None:
    path = root / uc.FILE_C2ES
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def test_state_ghg_targets(tmp_path: Path) -> None:
    write_c2es(tmp_path)
    parsed = run_source(spec(uc.C2ES), tmp_path)
    table = parsed.tables["us_state_ghg_targets"].set_index("state")
    assert sorted(table.index) == ["CA", "CO", "DE", "MA"]
    assert table.loc["CA", "target_percent"] == 0 and pd.isna(table.loc["CA", "url_year"])
    assert table.loc["CO", ["baseline_year", "target_year", "url_year"]].tolist() == [
        2005,
        2025,
        2019,
    ]
    assert table.loc["DE", ["target_percent", "target_percent_max"]].tolist() == [26.0, 28.0]
    assert table.loc["DE", "url_year"] == 2021
    assert pd.isna(table.loc["MA", "url_year"])  # only target years in the URL
    assert table.loc["CO", "state_fips"] == "08"
    assert drop_counts(parsed) == {("targets", uc.TERRITORY_REASON): 1}


def test_state_ghg_targets_bad_unit(tmp_path: Path) -> None:
    write_c2es(tmp_path, [*C2ES[:2], C2ES[2].replace(",percent,", ",tonnes,")])
    with pytest.raises(RawInputError, match=r"c2es_openclimate\.csv, column 'target_unit'.*tonnes"):
        run_source(spec(uc.C2ES), tmp_path)
