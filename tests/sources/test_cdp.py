"""Tests for analysis.sources.cdp on small synthetic files in the raw CDP formats."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.core.errors import RawInputError
from analysis.sources import cdp

DISCLOSING_HEADER = [
    "Year Reported to CDP",
    "Account Number",
    "Organization",
    "City",
    "Country",
    "CDP Region",
    "Reporting Authority",
    "Access",
    "First Time Discloser",
    "Population",
    "Population Year",
    "City Location",
    "Last update",
]
ZW = "\u200b"


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def row(year, account, org, city, country, authority, first, pop, pop_year, location):
    region = "North America"
    return [year, account, org, city, country, region, authority, "public", first, pop,
            pop_year, location, "2020-06-25T04:52:49.050"]  # fmt: skip


def disclosing_rows() -> dict[int, list[list[object]]]:
    usa = "United States of America"
    return {
        2018: [
            row(2018, 101, "City of Aville", "Aville", usa, "CDP Cities,C40", "Yes", 1000,
                2017, "POINT (-99.8 40.2)"),
            # latitude and longitude exchanged in the WKT point
            row(2018, 102, "Prefeitura de Btown", "Btown", "Brazil", "CDP Cities", "No", 500,
                0, "POINT (-23.55 -46.63)"),
        ],
        2019: [
            row(2019, 101, "City of Aville", "", usa,
                "CDP Cities,ICLEI - Local Governments for Sustainability,WWF,"
                "Union of the Baltic Cities", "No", 1100, 2018, ""),
            row(2019, 103, "Cstadt Gemeinde", "", "Germany", "CDP Cities", "Yes", "", 0,
                "POINT (8.1 50.1)"),
        ],
        2020: [
            # longitude missing its minus sign: passed on, the matching stage repairs it
            row(2020, 101, "City of Aville", "Aville", "USA", "CDP Cities,C40", "No", 1100,
                2018, "POINT (99.8 40.2)"),
        ],
    }  # fmt: skip


def disclosing_paths(tmp_path: Path, rows=None, header=DISCLOSING_HEADER) -> dict[str, Path]:
    rows = disclosing_rows() if rows is None else rows
    dictionary = [[f, f"Definition of {f}", "x", ""] for f in DISCLOSING_HEADER]
    paths = {
        cdp.DICTIONARY: write_csv(
            tmp_path / "dictionary.csv", ["field", "description", "column _entries", "example"],
            dictionary,
        ),
    }  # fmt: skip
    for year, file in cdp.DISCLOSING_FILES.items():
        paths[file] = write_csv(tmp_path / f"disclosing_{year}.csv", header, rows[year])
    return paths


def audit_drops(parsed) -> dict[tuple[str, str], int]:
    frame = parsed.audit.to_frame()
    steps = frame.groupby("step").agg(
        rows_in=("rows_in", "first"),
        rows_out=("rows_out", "first"),
        dropped=("rows_dropped", "sum"),
    )
    assert (steps["rows_in"] == steps["rows_out"] + steps["dropped"]).all()
    return {(r.step, r.reason): r.rows_dropped for r in frame.itertuples() if r.rows_dropped}


def validate(parsed, spec_index: int) -> None:
    for table, schema in cdp.SOURCES[spec_index].schemas.items():
        schema.validate(parsed.tables[table])


def as_set(df: pd.DataFrame, columns: list[str]) -> set[tuple]:
    return {
        tuple(None if pd.isna(v) else v for v in values)
        for values in df[columns].itertuples(index=False)
    }


def did(account: int) -> str:
    return f"{cdp.DISCLOSING}:{account}"


def test_disclosing_tables(tmp_path: Path) -> None:
    parsed = cdp.parse_disclosing(disclosing_paths(tmp_path))
    validate(parsed, 0)

    m = parsed.tables["mentions"].set_index("mention_id")
    assert list(m.index) == [did(101), did(102), did(103)]
    assert m.loc[did(101), "raw_name"] == "Aville"
    assert m.loc[did(101), "raw_country"] == "USA"  # latest year's label
    assert m.loc[did(101), "country_iso3"] == "USA"
    # the latest point as reported (2020's, minus sign lost); points are checked by the
    # matching stage (analysis.resolve.geo), not here
    assert (m.loc[did(101), "lat"], m.loc[did(101), "lon"]) == (40.2, 99.8)
    assert m.loc[did(101), "population"] == 1100
    assert (m.loc[did(102), "lat"], m.loc[did(102), "lon"]) == (-46.63, -23.55)  # as given
    assert m.loc[did(103), "raw_name"] == "Cstadt Gemeinde"  # no City: the organisation
    assert m.loc[did(103), "country_iso3"] == "DEU"
    assert np.isnan(m.loc[did(103), "population"])
    assert (m["entity_type"] == "city").all()

    ms = parsed.tables["memberships"]
    assert as_set(ms, ["mention_id", "network", "network_type", "join_year", "observed_year"]) == {
        (did(101), "cdp", "climate", 2018, 2018),
        (did(101), "cdp", "climate", None, 2019),
        (did(101), "cdp", "climate", None, 2020),
        (did(102), "cdp", "climate", None, 2018),
        (did(103), "cdp", "climate", 2019, 2019),
        (did(101), "c40", "climate", None, 2018),
        (did(101), "c40", "climate", None, 2020),
        (did(101), "union_of_baltic_cities", "general", None, 2019),
    }
    assert set(ms["source_label"]) == {"CDP Cities", "C40", "Union of the Baltic Cities"}

    acts = parsed.tables["acts"]
    assert as_set(acts, ["mention_id", "act", "act_class", "year"]) == {
        (did(101), "cdp_disclosure", "normative", 2018),
        (did(101), "cdp_disclosure", "normative", 2019),
        (did(101), "cdp_disclosure", "normative", 2020),
        (did(102), "cdp_disclosure", "normative", 2018),
        (did(103), "cdp_disclosure", "normative", 2019),
    }
    assert len(acts) == 5 and acts["date"].isna().all()

    measures = parsed.tables["city_measures"]
    assert as_set(measures, ["mention_id", "measure", "year", "value"]) == {
        (did(101), "population", 2017, 1000.0),
        (did(101), "population", 2018, 1100.0),
    }

    assert "coordinates" not in set(parsed.audit.to_frame()["step"])
    # no GeoNames input any more: the matching stage checks points against its gazetteer
    assert all(not f.startswith("cities/") for spec in cdp.SOURCES for f in spec.files)
    assert audit_drops(parsed) == {
        ("measures", "population year implausible (no measure year)"): 1,
        ("measures", "same measure and year in a later report (latest kept)"): 1,
    }


def test_disclosing_unknown_authority_raises(tmp_path: Path) -> None:
    rows = disclosing_rows()
    rows[2019][0][6] = "CDP Cities,Mayors for Something"
    with pytest.raises(
        RawInputError,
        match=r"disclosing_2019\.csv, column 'Reporting Authority', value 'Mayors for Something'",
    ):
        cdp.parse_disclosing(disclosing_paths(tmp_path, rows=rows))


def test_disclosing_renamed_column_raises(tmp_path: Path) -> None:
    header = [*DISCLOSING_HEADER[:11], "Location", DISCLOSING_HEADER[12]]
    with pytest.raises(RawInputError, match=r"disclosing_2018\.csv, column 'City Location'"):
        cdp.parse_disclosing(disclosing_paths(tmp_path, header=header))


def test_disclosing_unparseable_values_raise(tmp_path: Path) -> None:
    rows = disclosing_rows()
    rows[2020][0][9] = "11OO"
    with pytest.raises(RawInputError, match=r"disclosing_2020\.csv, column 'Population'"):
        cdp.parse_disclosing(disclosing_paths(tmp_path, rows=rows))
    rows = disclosing_rows()
    rows[2018][1][11] = "POINT (-46.6, -23.5)"
    with pytest.raises(RawInputError, match=r"disclosing_2018\.csv, column 'City Location'"):
        cdp.parse_disclosing(disclosing_paths(tmp_path, rows=rows))
    rows = disclosing_rows()
    rows[2018][0][8] = "Maybe"
    with pytest.raises(RawInputError, match=r"column 'First Time Discloser', value 'Maybe'"):
        cdp.parse_disclosing(disclosing_paths(tmp_path, rows=rows))


def test_disclosing_duplicate_account_and_wrong_year_raise(tmp_path: Path) -> None:
    rows = disclosing_rows()
    rows[2019][1][1] = 101
    with pytest.raises(RawInputError, match=r"disclosing_2019\.csv, column 'Account Number'"):
        cdp.parse_disclosing(disclosing_paths(tmp_path, rows=rows))
    rows = disclosing_rows()
    rows[2020][0][0] = 2019
    with pytest.raises(RawInputError, match=r"column 'Year Reported to CDP', value '2019'"):
        cdp.parse_disclosing(disclosing_paths(tmp_path, rows=rows))


# --------------------------------------------------------------------------- emissions

S1 = "Total Scope 1 Emissions (metric tonnes CO2e)"
S2 = "Total Scope 2 Emissions (metric tonnes CO2e)"
H2016 = [
    "Account Number", "City Name", "Country", "City Short Name", "C40", "Reporting Year",
    "Measurement Year", "Total City-wide Emissions (metric tonnes CO2e)", S1, S2,
    "Current Population Year", "Current Population", f"{ZW}Land area (in square km)",
    "City Location", "Country Location",
]  # fmt: skip
H2017 = [
    "Account number", "Organization", "City", "Country", "Region", "C40", "Access",
    "Reporting year", "Accounting year", "Total emissions (metric tonnes CO2e)",
    "Scopes Included ", S1, S2, "Population", "Population year",
    f"{ZW}Land area (in square km)", "City Location", "Country Location",
]  # fmt: skip
CRF = list(cdp.EMISSION_FILES[2021].measures.values())[5:]
H2021 = [
    "Year Reported to CDP", "Account Number", "Organization", "City", "Country", "CDP Region",
    "Access", "City-wide emissions inventory", "Accounting year", *CRF,
    "TOTAL Scope 1 Emissions (metric tonnes CO2e)",
    "TOTAL Scope 2 emissions (metric tonnes CO2e)", "TOTAL Scope 3 Emissions",
    "TOTAL BASIC Emissions (GPC)", "TOTAL BASIC+ Emissions (GPC)", "Land area (in square km)",
    "Population", "Population Year", "City Location", "Last update",
]  # fmt: skip


def emission_rows() -> dict[int, list[list[object]]]:
    # CRF[0] is the sector-format scope 1 total (direct, excluding grid-energy generation).
    crf_201 = [650, *[""] * (len(CRF) - 1)]
    crf_203 = [123, *[""] * (len(CRF) - 1)]
    return {
        2016: [
            [201, "Prefeitura de Aville", "Brazil", "Aville", "C40", 2016,
             "12/31/2013 12:00:00 AM", 1000.5, 600, 400.5, 2015, 5000, 10,
             "(-23.55, -46.63)", "(-14.2, -51.9)"],
        ],
        2017: [
            [201, "Prefeitura de Aville", "Aville ", "Brazil", "Latin America", "", "Public",
             2017, "2013-01-01 - 2013-12-31", 1100, "Total Scope 1 and Scope 2", "", "", 5000,
             2015, 10, "_\n(-23.55, -46.63)", "(-14.2, -51.9)"],
            [202, "City of Btown", "Btown", "USA", "North America", "C40", "Public", 2017,
             "2015-07-01 - 2016-06-30", 300, "Total Scope 1 and Scope 2", "", "", 800, 217, "",
             "(40.2, -99.8)", "(37.1, -95.7)"],
        ],
        2021: [
            [2021, 201, "Prefeitura de Aville", "", "Brazil", "Latin America", "public", "Yes",
             "2019-01-01 - 2019-12-31", *crf_201, 700, "", 50, "", "", 11.5, "", 0,
             "POINT (-46.63 -23.55)", "10/04/2021 09:23:47 AM"],
            [2021, 203, "Cstadt County Council", "", "Germany", "Europe", "public",
             "In progress", "-", *crf_203, "", "", "", "", "", "", 900, 2020, "",
             "10/04/2021 09:23:47 AM"],
        ],
    }  # fmt: skip


def emission_paths(tmp_path: Path, rows=None, headers=None) -> dict[str, Path]:
    rows = emission_rows() if rows is None else rows
    headers = {2016: H2016, 2017: H2017, 2021: H2021} | (headers or {})
    paths = {}
    for year, spec in cdp.EMISSION_FILES.items():
        paths[spec.file] = write_csv(tmp_path / f"emissions_{year}.csv", headers[year], rows[year])
    return paths


def eid(account: int) -> str:
    return f"{cdp.EMISSIONS}:{account}"


def test_emissions_tables(tmp_path: Path) -> None:
    parsed = cdp.parse_emissions(emission_paths(tmp_path))
    validate(parsed, 1)

    m = parsed.tables["mentions"].set_index("mention_id")
    assert list(m.index) == [eid(201), eid(202), eid(203)]
    assert m.loc[eid(201), "raw_name"] == "Aville"  # latest City, trimmed
    assert m.loc[eid(201), "country_iso3"] == "BRA"
    assert (m.loc[eid(201), "lat"], m.loc[eid(201), "lon"]) == (-23.55, -46.63)
    assert m.loc[eid(201), "population"] == 5000  # 2021 left it blank
    assert (m.loc[eid(202), "lat"], m.loc[eid(202), "lon"]) == (40.2, -99.8)
    assert m.loc[eid(202), "population"] == 800
    assert m.loc[eid(203), "raw_name"] == "Cstadt County Council"
    assert m.loc[eid(203), "entity_type"] == "county"
    assert np.isnan(m.loc[eid(203), "lat"])

    ms = parsed.tables["memberships"]
    assert as_set(ms, ["mention_id", "network", "join_year", "observed_year"]) == {
        (eid(201), "cdp", None, 2016),
        (eid(201), "cdp", None, 2017),
        (eid(201), "cdp", None, 2021),
        (eid(202), "cdp", None, 2017),
        (eid(203), "cdp", None, 2021),
        (eid(201), "c40", None, 2016),
        (eid(202), "c40", None, 2017),
    }
    assert (ms["network_type"] == "climate").all()

    acts = parsed.tables["acts"]
    assert as_set(acts, ["mention_id", "act", "act_class", "year"]) == {
        (eid(201), "cdp_disclosure", "normative", 2016),
        (eid(201), "cdp_disclosure", "normative", 2017),
        (eid(201), "cdp_disclosure", "normative", 2021),
        (eid(202), "cdp_disclosure", "normative", 2017),
        (eid(203), "cdp_disclosure", "normative", 2021),
    }

    measures = parsed.tables["city_measures"]
    assert as_set(measures, ["mention_id", "measure", "year", "value"]) == {
        (eid(201), "emissions_total_tco2e", 2013, 1100.0),  # the 2017 report wins
        (eid(201), "emissions_scope1_tco2e", 2013, 600.0),
        (eid(201), "emissions_scope2_tco2e", 2013, 400.5),
        (eid(201), "population", 2015, 5000.0),
        (eid(201), "land_area_km2", 2016, 10.0),
        (eid(201), "land_area_km2", 2017, 10.0),
        (eid(201), "land_area_km2", 2021, 11.5),
        (eid(201), "emissions_scope1_tco2e", 2019, 700.0),
        (eid(201), "emissions_scope3_tco2e", 2019, 50.0),
        (eid(201), "emissions_direct_excl_grid_generation_tco2e", 2019, 650.0),
        (eid(202), "emissions_total_tco2e", 2015, 300.0),  # mid-period of 2015-07..2016-06
        (eid(203), "population", 2020, 900.0),
    }

    assert audit_drops(parsed) == {
        ("measures", "population year implausible (no measure year)"): 1,
        ("measures", "no inventory (accounting) year"): 1,
        ("measures", "same measure and year in a later report (latest kept)"): 2,
    }


def test_emissions_renamed_column_raises(tmp_path: Path) -> None:
    header = [c if c != "Current Population" else "Population" for c in H2016]
    with pytest.raises(
        RawInputError, match=r"cdp_citywide_emissions_2016\.csv, column 'Current Population'"
    ):
        cdp.parse_emissions(emission_paths(tmp_path, headers={2016: header}))


def test_emissions_unparseable_values_raise(tmp_path: Path) -> None:
    rows = emission_rows()
    rows[2017][0][8] = "2013/2014"
    with pytest.raises(RawInputError, match=r"column 'Accounting year', value '2013/2014'"):
        cdp.parse_emissions(emission_paths(tmp_path, rows=rows))
    rows = emission_rows()
    rows[2016][0][13] = "POINT (-46.63 -23.55)"
    with pytest.raises(RawInputError, match=r"2016\.csv, column 'City Location'"):
        cdp.parse_emissions(emission_paths(tmp_path, rows=rows))
    rows = emission_rows()
    rows[2021][0][9 + len(CRF)] = "7OO"
    with pytest.raises(
        RawInputError, match=r"column 'TOTAL Scope 1 Emissions \(metric tonnes CO2e\)'"
    ):
        cdp.parse_emissions(emission_paths(tmp_path, rows=rows))
    rows = emission_rows()
    rows[2017][1][5] = "yes"
    with pytest.raises(RawInputError, match=r"column 'C40', value 'yes'"):
        cdp.parse_emissions(emission_paths(tmp_path, rows=rows))


def test_inventory_years() -> None:
    periods = pd.Series(
        ["2015-01-01 - 2015-12-31", "2017-04-01 - 2018-03-31", "2014-07-01 - 2015-06-30",
         "- 2016-01-01", "2018-03-01 -", "-", None]
    )  # fmt: skip
    years = cdp.inventory_years(periods, "f.csv", "Accounting year", "period")
    assert years.tolist() == [2015, 2017, 2014, 2016, 2018, pd.NA, pd.NA]
    dates = pd.Series(["12/31/2013 12:00:00 AM", "06/30/2015 12:00:00 AM"])
    assert cdp.inventory_years(dates, "f.csv", "Measurement Year", "datetime").tolist() == [
        2013,
        2015,
    ]


def test_parse_location_kinds() -> None:
    wkt = cdp.parse_location(
        pd.Series(["POINT (-70.6 -33.4)", None, "POINT (0 0)"]), "f", "c", "wkt"
    )
    assert wkt["lat"].iloc[0] == -33.4 and wkt["lon"].iloc[0] == -70.6
    assert wkt["lat"].iloc[1:].isna().all()
    tup = cdp.parse_location(pd.Series(["(40.1, -3.3)", "_\n(25.7, -80.1)"]), "f", "c", "latlon")
    assert tup["lat"].tolist() == [40.1, 25.7] and tup["lon"].tolist() == [-3.3, -80.1]
    with pytest.raises(RawInputError, match=r"f, column 'c', value '\(95\.0, 10\.0\)'"):
        cdp.parse_location(pd.Series(["(95.0, 10.0)"]), "f", "c", "latlon")
