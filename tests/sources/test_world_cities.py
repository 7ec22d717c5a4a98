"""simplemaps (2023 xlsx, 2020 csv) and GeoNames parsers on synthetic files in their formats."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from analysis.core.errors import RawInputError
from analysis.sources import world_cities as wc
from analysis.sources.common.base import CITY_MEASURES, MENTIONS

SPECS = {spec.name: spec for spec in wc.SOURCES}
SM_HEADER = wc.SIMPLEMAPS_COLUMNS
# city, city_ascii, lat, lng, country, iso2, iso3, admin_name, capital, population, id
SM_ROWS = [
    [
        "Lumora",
        "Lumora",
        "35.5",
        "139.5",
        "Japan",
        "JP",
        "JPN",
        "Tokyo",
        "primary",
        "1234567",
        "1392000001",
    ],
    [
        "Pristhaven",
        "Pristhaven",
        "42.6",
        "21.1",
        "Kosovo",
        "XK",
        "XKS",
        "",
        "admin",
        "",
        "1901000002",
    ],
    [
        "Gazaville",
        "Gazaville",
        "31.5",
        "34.45",
        "Gaza Strip",
        "XG",
        "XGZ",
        "",
        "minor",
        "5000",
        "1916000003",
    ],
    [
        "Nowhere",
        "Nowhere",
        "-33.25",
        "-70.5",
        "Chile",
        "CL",
        "CHL",
        "Santiago",
        "",
        "800",
        "1152000004",
    ],
]


def write_xlsx(tmp_path: Path, rows=SM_ROWS, header=SM_HEADER) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(list(header))
    for row in rows:  # the real workbook stores every cell as text
        sheet.append([value if value != "" else None for value in row])
    path = tmp_path / "worldcities.xlsx"
    book.save(path)
    return path


def write_csv(tmp_path: Path, rows=SM_ROWS) -> Path:
    def quote(v: str) -> str:
        return '"' + v + '"'

    lines = [",".join(map(quote, SM_HEADER))] + [",".join(map(quote, row)) for row in rows]
    path = tmp_path / "worldcities.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def parse_2023(path: Path):
    return SPECS["simplemaps_worldcities_2023"].parse({wc.SIMPLEMAPS_2023: path})


def parse_2020(path: Path):
    return SPECS["simplemaps_worldcities_2020"].parse({wc.SIMPLEMAPS_2020: path})


def check_simplemaps(parsed, name: str, year: int, pop_lumora: float) -> None:
    mentions = MENTIONS.validate(parsed.tables["mentions"]).set_index("mention_id")
    measures = CITY_MEASURES.validate(parsed.tables["city_measures"])
    capitals = wc.CAPITALS.validate(parsed.tables["capitals"])

    assert mentions["country_iso3"].to_dict() == {
        f"{name}:1392000001": "JPN",
        f"{name}:1901000002": "XKX",  # simplemaps XKS
        f"{name}:1916000003": "PSE",  # simplemaps XGZ
        f"{name}:1152000004": "CHL",
    }
    lumora = mentions.loc[f"{name}:1392000001"]
    assert (lumora["raw_name"], lumora["raw_country"], lumora["entity_type"]) == (
        "Lumora",
        "JPN",
        "city",
    )
    assert (lumora["lat"], lumora["lon"], lumora["population"]) == (35.5, 139.5, pop_lumora)
    assert mentions.loc[f"{name}:1152000004", "lon"] == -70.5

    assert set(measures["measure"]) == {"simplemaps_pop"}
    assert (measures["year"] == year).all()
    assert measures.set_index("mention_id")["value"].to_dict() == {
        f"{name}:1392000001": pop_lumora,
        f"{name}:1916000003": 5000.0,
        f"{name}:1152000004": 800.0,
    }
    assert capitals.set_index("mention_id")["capital"].to_dict() == {
        f"{name}:1392000001": "primary",
        f"{name}:1901000002": "admin",
        f"{name}:1916000003": "minor",
    }
    audit = parsed.audit.to_frame().set_index("step")
    assert audit.loc["cities", ["rows_in", "rows_out", "reason"]].tolist() == [4, 4, "none"]
    assert audit.loc["population", ["rows_in", "rows_out", "rows_dropped", "reason"]].tolist() == [
        4,
        3,
        1,
        "no population",
    ]


def test_simplemaps_2023(tmp_path: Path) -> None:
    parsed = parse_2023(write_xlsx(tmp_path))
    check_simplemaps(parsed, "simplemaps_worldcities_2023", 2023, 1_234_567.0)


def test_simplemaps_2020_float_suffix(tmp_path: Path) -> None:
    rows = [[*SM_ROWS[0][:9], "1234567.0", SM_ROWS[0][10]], *SM_ROWS[1:]]
    parsed = parse_2020(write_csv(tmp_path, rows))
    check_simplemaps(parsed, "simplemaps_worldcities_2020", 2020, 1_234_567.0)


def test_simplemaps_renamed_column(tmp_path: Path) -> None:
    header = [("lon" if h == "lng" else h) for h in SM_HEADER]
    with pytest.raises(RawInputError, match=rf"{re.escape(wc.SIMPLEMAPS_2023)}, column 'lng'"):
        parse_2023(write_xlsx(tmp_path, header=header))


def test_simplemaps_bad_values(tmp_path: Path) -> None:
    bad_lat = [[*SM_ROWS[0][:2], "35,5", *SM_ROWS[0][3:]], *SM_ROWS[1:]]
    with pytest.raises(RawInputError, match=r"worldcities_basic_15k_2020\.csv, column 'lat'"):
        parse_2020(write_csv(tmp_path, bad_lat))
    bad_capital = [[*SM_ROWS[0][:8], "capitol", *SM_ROWS[0][9:]], *SM_ROWS[1:]]
    with pytest.raises(RawInputError, match=r"column 'capital', value 'capitol'"):
        parse_2020(write_csv(tmp_path, bad_capital))


# --------------------------------------------------------------------------- GeoNames


def city(gid, name, lat, lon, code, cc, admin1, pop):
    cols = [gid, name, name, f"{name}a,{name}b", lat, lon, "P", code, cc, "", admin1, "", "", ""]
    return "\t".join([*cols, pop, "", "100", "Europe/Berlin", "2024-05-01"])


CITIES = [
    city("100001", "Hauptstadt", "52.5", "13.4", "PPLC", "DE", "16", "3500000"),
    city("100002", "Mitte-Nord", "52.53", "13.39", "PPLX", "DE", "16", "90000"),
    city("100003", "Altburg", "50.0", "10.0", "PPLH", "DE", "02", "20000"),
    city("100004", "Wüstenhof", "-22.6", "17.1", "PPLA", "NA", "21", "0"),
]
COUNTRY_INFO = [
    "# GeoNames countryInfo (synthetic)",
    "# CS (Serbia and Montenegro) no longer exists.",
    "#",
    "#ISO\tISO3\tISO-Numeric\tfips\tCountry\tCapital\tArea(in sq km)\tPopulation\tContinent"
    "\ttld\tCurrencyCode\tCurrencyName\tPhone\tPostal Code Format\tPostal Code Regex"
    "\tLanguages\tgeonameid\tneighbours\tEquivalentFipsCode",
    "DE\tDEU\t276\tGM\tGermany\tBerlin\t357021\t82927922\tEU\t.de\tEUR\tEuro\t49\t#####"
    "\t^(\\d{5})$\tde\t2921044\tCH,PL\t",
    "NA\tNAM\t516\tWA\tNamibia\tWindhoek\t825418\t2448255\tAF\t.na\tNAD\tDollar\t264\t\t"
    "\ten-NA,af\t3355338\tZA,BW\t",
    "CS\tSCG\t891\tYI\tSerbia and Montenegro\tBelgrade\t102350\t10829175\tEU\t.cs\tRSD"
    "\tDinar\t381\t#####\t^(\\d{5})$\tsr\t8505033\tAL,HU\t",
    "GI\tGIB\t292\tGI\tGibraltar\tGibraltar\t6.5\t33718\tEU\t.gi\tGIP\tPound\t350\t\t\ten-GI"
    "\t2411586\tES\t",
]
ADMIN1 = [
    "#region_code\tname\tname_ascii\tgeoname_id",
    "DE.16\tLand Berlin\tLand Berlin\t2950157",
    "NA.21\tKhomas\tKhomas\t3352136",
]


def write_geonames(tmp_path: Path, cities=CITIES, country_info=COUNTRY_INFO) -> dict:
    archive = tmp_path / "cities15000.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("cities15000.txt", "\n".join(cities) + "\n")
    info = tmp_path / "countryInfo.txt"
    info.write_text("\n".join(country_info) + "\n", encoding="utf-8")
    admin1 = tmp_path / "regionInfo.tsv"
    admin1.write_text("\n".join(ADMIN1) + "\n", encoding="utf-8")
    return {wc.GEONAMES_CITIES: archive, wc.GEONAMES_COUNTRIES: info, wc.GEONAMES_ADMIN1: admin1}


def test_geonames_tables_and_audit(tmp_path: Path) -> None:
    parsed = wc.parse_geonames(write_geonames(tmp_path))
    t = parsed.tables
    mentions = MENTIONS.validate(t["mentions"]).set_index("mention_id")
    measures = CITY_MEASURES.validate(t["city_measures"])
    places = wc.PLACES.validate(t["places"]).set_index("mention_id")
    info = wc.COUNTRY_INFO.validate(t["country_info"]).set_index("country_iso3")
    admin1 = wc.ADMIN1.validate(t["admin1"]).set_index("admin1_code")

    assert list(mentions.index) == ["geonames15000:100001", "geonames15000:100004"]
    capital = mentions.loc["geonames15000:100001"]
    assert (capital["raw_name"], capital["country_iso3"], capital["population"]) == (
        "Hauptstadt",
        "DEU",
        3_500_000.0,
    )
    assert mentions.loc["geonames15000:100004", "country_iso3"] == "NAM"  # "NA" is Namibia
    assert pd_isna(mentions.loc["geonames15000:100004", "population"])  # GeoNames 0 = unknown
    assert measures.to_dict("records") == [
        {
            "mention_id": "geonames15000:100001",
            "measure": "geonames_pop",
            "year": 2025,
            "value": 3_500_000.0,
        }
    ]
    assert places.loc["geonames15000:100001", "feature_code"] == "PPLC"
    assert places.loc["geonames15000:100004", "admin1_code"] == "NA.21"
    assert places.loc["geonames15000:100001", "geonameid"] == 100001

    assert sorted(info.index) == ["DEU", "GIB", "NAM"]  # SCG dropped as dissolved
    assert info.loc["NAM", "continent"] == "AF"
    assert info.loc["DEU", "capital"] == "Berlin"
    assert info.loc["GIB", "area_km2"] == 6.5
    assert info.loc["DEU", "population"] == 82_927_922
    assert info.loc["DEU", "iso_numeric"] == "276"
    assert admin1.loc["NA.21", "country_iso3"] == "NAM"
    assert admin1.loc["DE.16", "name"] == "Land Berlin"

    audit = parsed.audit.to_frame()
    drops = {(r.step, r.reason): r.rows_dropped for r in audit.itertuples()}
    assert drops == {
        ("cities15000", "section of a populated place (PPLX district)"): 1,
        ("cities15000", "place no longer exists (PPLH/PPLQ/PPLW)"): 1,
        ("population", "population 0 (unknown in GeoNames)"): 1,
        ("countryInfo", "dissolved entity (CS Serbia and Montenegro, AN Netherlands Antilles)"): 1,
        ("admin1", "none"): 0,
    }


def pd_isna(value) -> bool:
    return value != value  # NaN is the only value unequal to itself


def test_geonames_bad_population_names_file_and_column(tmp_path: Path) -> None:
    cities = [*CITIES[:1], city("100005", "Neudorf", "51.0", "11.0", "PPL", "DE", "15", "12k")]
    with pytest.raises(
        RawInputError, match=r"geonames_cities15000\.zip, column 'population', value '12k'"
    ):
        wc.parse_geonames(write_geonames(tmp_path, cities=cities))


def test_geonames_country_info_without_header(tmp_path: Path) -> None:
    no_header = [line for line in COUNTRY_INFO if not line.startswith("#ISO")]
    with pytest.raises(RawInputError, match=r"geonames_countryInfo\.txt.*'#ISO' header"):
        wc.parse_geonames(write_geonames(tmp_path, country_info=no_header))
