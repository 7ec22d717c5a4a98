"""OpenFlights parser on small synthetic .dat files in the real format (invented airports)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from analysis.core.errors import RawInputError
from analysis.sources import openflights
from analysis.sources.common.base import CITY_MEASURES, MENTIONS

N = "\\N"


def airport(aid, city, country, lat, lon, code):
    city_field = N if city is None else f'"{city}"'
    return (
        f'{aid},"{code} Airport",{city_field},"{country}","{code}","X{code}",{lat},{lon},'
        f'100,1,"E","Europe/Paris","airport","OurAirports"'
    )


AIRPORTS = [
    airport(1, "Alphaville", "France", 10.0, 10.0, "AAA"),
    airport(2, "Alphaville", "France", 10.2, 10.2, "AAB"),  # same city, ~31 km away
    airport(3, "Betatown", "France", 20.0, 20.0, "BBB"),
    airport(4, "Gammaburg", "Hong Kong", 22.3, 113.9, "GGG"),
    airport(5, "Alphaville", "France", -30.0, 40.0, "DDD"),  # same label, far: own city
    airport(6, None, "France", 11.0, 11.0, "NNN"),  # no served-city label
    airport(7, "Epsilon", "France", 12.0, 12.0, "EEE"),  # no route
    airport(8, "Deltaville", "Burma", 16.8, 96.1, "HHH"),  # name not in countries.dat
]


def route(airline, src, src_id, dst, dst_id, codeshare="", stops=0):
    return f"{airline},1,{src},{src_id},{dst},{dst_id},{codeshare},{stops},320"


ROUTES = [
    route("AA", "AAA", 1, "BBB", 3),  # Alphaville - Betatown
    route("BB", "BBB", 3, "AAA", 1, codeshare="Y"),  # reverse codeshare: duplicate pair
    route("CC", "AAB", 2, "BBB", 3),  # other airport of Alphaville: duplicate pair
    route("AA", "AAA", 1, "AAB", 2),  # inside one city
    route("AA", "BBB", 3, "GGG", 4),  # Betatown - Gammaburg
    route("AA", "DDD", 5, "BBB", 3),  # far Alphaville - Betatown
    route("AA", "XXX", N, "BBB", 3),  # missing id
    route("AA", "YYY", 99, "BBB", 3),  # unknown id
    route("AA", "AAA", 1, "GGG", 4, stops=1),  # not direct
    route("AA", "HHH", 8, "GGG", 4),  # Deltaville - Gammaburg
    route("AA", "NNN", 6, "BBB", 3),  # endpoint without city label
]

COUNTRIES = ['"France","FR","FR"', '"Hong Kong","HK","HK"', '"China","CN","CH"']


def write(tmp_path: Path, airports=AIRPORTS, routes=ROUTES) -> dict[str, Path]:
    files = {
        openflights.AIRPORTS: ("airports.dat", "\n".join(airports) + "\n"),
        openflights.ROUTES: ("routes.dat", "\r\n".join(routes) + "\r\n"),  # CRLF as the real file
        openflights.COUNTRIES: ("countries.dat", "\n".join(COUNTRIES) + "\n"),
    }
    paths = {}
    for key, (name, text) in files.items():
        path = tmp_path / name
        path.write_bytes(text.encode("utf-8"))
        paths[key] = path
    return paths


A1, A5 = "openflights:Alphaville|FRA|1", "openflights:Alphaville|FRA|5"
B, G, D = "openflights:Betatown|FRA", "openflights:Gammaburg|HKG", "openflights:Deltaville|MMR"


def test_cities_graph_and_measures(tmp_path):
    parsed = openflights.parse(write(tmp_path))
    mentions = MENTIONS.validate(parsed.tables["mentions"]).set_index("mention_id")
    measures = CITY_MEASURES.validate(parsed.tables["city_measures"])

    assert sorted(mentions.index) == sorted([A1, A5, B, G, D])
    assert mentions.loc[A1, ["lat", "lon"]].tolist() == pytest.approx([10.1, 10.1])
    assert mentions.loc[A1, "raw_name"] == "Alphaville"
    assert mentions.loc[G, ["raw_country", "country_iso3"]].tolist() == ["Hong Kong", "HKG"]
    assert mentions.loc[D, ["raw_country", "country_iso3"]].tolist() == ["Burma", "MMR"]
    assert set(mentions["entity_type"]) == {"city"}

    wide = measures.pivot(index="mention_id", columns="measure", values="value")
    assert set(measures["year"]) == {2014}
    # graph: A1 - B - G - D and A5 - B
    assert wide["air_routes"].to_dict() == {A1: 1, A5: 1, B: 3, G: 2, D: 1}
    assert wide["air_degree"].to_dict() == pytest.approx(
        {A1: 0.25, A5: 0.25, B: 0.75, G: 0.5, D: 0.25}
    )
    # B is on 5 of the 10 city pairs' shortest paths, G on 3 (normalised by 4 * 3 / 2 = 6)
    assert wide["air_betweenness"].to_dict() == pytest.approx(
        {A1: 0.0, A5: 0.0, B: 5 / 6, G: 3 / 6, D: 0.0}
    )
    expected = nx.eigenvector_centrality_numpy(nx.Graph([(A1, B), (A5, B), (B, G), (G, D)]))
    assert wide["air_eigenvector"].to_dict() == pytest.approx(expected, abs=1e-9)


def test_audit_balances_with_reasons(tmp_path):
    audit = openflights.parse(write(tmp_path)).audit.to_frame()
    got = {(r.step, r.reason): (r.rows_in, r.rows_out, r.rows_dropped) for r in audit.itertuples()}
    assert got == {
        ("routes", "airport id missing (\\N)"): (11, 7, 1),
        ("routes", "airport id not in airports.dat"): (11, 7, 1),
        ("routes", "endpoint airport has no city label or no country"): (11, 7, 1),
        ("routes", "not a direct flight (stops > 0)"): (11, 7, 1),
        ("airports", "no served-city label"): (8, 6, 1),
        ("airports", "not an endpoint of any direct 2014 route"): (8, 6, 1),
        ("served cities", "another airport of the same served city"): (6, 5, 1),
        ("city pairs", "route inside one city"): (7, 4, 1),
        (
            "city pairs",
            "duplicate city pair (codeshare, other airline, reverse direction or other airport)",
        ): (7, 4, 2),
    }


def test_unparseable_coordinate_names_file_and_column(tmp_path):
    airports = [*AIRPORTS[:-1], airport(8, "Deltaville", "Burma", "abc", 96.1, "HHH")]
    with pytest.raises(RawInputError, match=r"airports\.dat, column 'latitude', value 'abc'"):
        openflights.parse(write(tmp_path, airports=airports))


def test_missing_field_is_refused(tmp_path):
    routes = [r.rsplit(",", 1)[0] for r in ROUTES]  # equipment column dropped
    with pytest.raises(RawInputError, match=r"routes\.dat.*8 fields per line, expected 9"):
        openflights.parse(write(tmp_path, routes=routes))


def test_bad_codeshare_flag(tmp_path):
    routes = [*ROUTES, route("AA", "AAA", 1, "BBB", 3, codeshare="N")]
    with pytest.raises(RawInputError, match=r"routes\.dat, column 'codeshare', value 'N'"):
        openflights.parse(write(tmp_path, routes=routes))
