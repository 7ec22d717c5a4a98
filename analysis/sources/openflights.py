"""OpenFlights airline network (2014 routes): airports aggregated to served cities.

Economic centrality for H2. Spec ``openflights`` reads ``cities/openflights_airports.dat``,
``cities/openflights_routes.dat`` and ``cities/openflights_countries.dat`` (headerless CSV,
``\\N`` = missing; column names from the OpenFlights documentation, as in SOURCES.yaml).

Tables:

* ``mentions``: one per served city = (served-city label, country) of the airports that are
  an endpoint of a usable route, with the mean coordinates of those airports; key
  ``<city label>|<ISO3>`` (``|<lowest airport id>`` appended when the label splits, below).
* ``city_measures`` (year 2014, the route snapshot), on the undirected, unweighted city graph
  (an edge = at least one direct scheduled route between two served cities, either
  direction, any airline; computed in :mod:`analysis.sources.common.centrality`):
  - ``air_routes``: distinct partner cities (= distinct city pairs the city is in);
  - ``air_degree``: degree centrality, ``air_routes / (n - 1)``;
  - ``air_betweenness``: exact shortest-path betweenness, normalised as networkx;
  - ``air_eigenvector``: eigenvector centrality on the largest connected component (unit
    Euclidean norm), 0 for cities outside it.
  Every served city has all four (a city whose only routes stay inside it has 0 throughout).

Why undirected: OpenFlights lists directed airline routes, but almost every route runs both
ways and a binary edge carries no direction of traffic; connectivity of a city is what H2
needs, so direction and multiplicity collapse to one undirected city pair.

Caveats (SOURCES.yaml) and how they are handled:

* airports, served-city label not a gazetteer id; multi-airport cities: airports are grouped
  by (label, country), so London's six airports make one city. A label that names a district
  or a neighbouring town (Newark next to New York) stays its own node: metro roll-up needs a
  gazetteer and is left to the matching stage, which gets the mean coordinates. One label can
  also name distant places in one country (Portland OR and ME; a few mis-coded airports): the
  airports of a label are split into single-linkage clusters at :data:`CLUSTER_KM` km, and
  labels that split get ``|<lowest airport id of the cluster>`` in their key.
* airports, country is an English name (Hong Kong, Macau, Taiwan separate from China):
  resolved through the ISO2 code of ``countries.dat`` where the name is listed there (its
  Hong Kong/Macau/Taiwan codes HK/MO/TW are kept apart from China), else by name (20 names
  such as "Burma", "Congo (Kinshasa)" are not in countries.dat); non-countries are dropped
  with a counted reason; ``raw_country`` keeps the OpenFlights name.
* airports, 49 with no city label: dropped (counted), with the routes touching them.
* routes, stale 2014 snapshot (misses later growth of Chinese secondary cities and Gulf
  carriers): documented; measures are dated 2014.
* routes, no frequencies/seats: edges are binary (unweighted measures); a weighted variant
  (e.g. airlines per city pair) is not produced.
* routes, codeshare rows duplicate operated routes: all rows are kept up to the city pair and
  then deduplicated, so a codeshare adds nothing when the operated route is listed and still
  counts when it is not; the duplicates are a counted audit step.
* routes, CRLF line ends and ``\\N`` ids: handled by the reader; routes with a missing or
  unknown airport id are dropped (counted). Routes with stops > 0 (11) are not direct links:
  dropped (counted). Routes inside one served city are dropped (counted).
* countries.dat, names must match airports.dat exactly: unmatched names fall back to the name
  resolver (above); a name listed twice with different codes raises.
* airlines.dat is not read: the edge does not depend on the carrier, and its active flag is
  unreliable (SOURCES.yaml), so no route is filtered by airline.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.core.lazy import lazy_module
from analysis.resolve.countries import drop_non_countries, non_country_mask, resolve_countries
from analysis.sources.common.base import (
    CITY_MEASURES,
    MENTIONS,
    ParsedSource,
    SourceSpec,
    build_mentions,
    city_measures_for_year,
)
from analysis.sources.common.centrality import city_graph, route_centrality
from analysis.sources.common.readers import check_unique, read_text_table, to_int, to_number

NAME = "openflights"
AIRPORTS = "cities/openflights_airports.dat"
ROUTES = "cities/openflights_routes.dat"
COUNTRIES = "cities/openflights_countries.dat"
YEAR = 2014
CLUSTER_KM = 150.0  # airports of one label farther apart than this (chained) are split
EARTH_KM = 6371.0

AIRPORT_COLUMNS = [
    "airport_id",
    "name",
    "city",
    "country",
    "iata",
    "icao",
    "latitude",
    "longitude",
    "altitude",
    "timezone",
    "dst",
    "tz",
    "type",
    "source",
]
ROUTE_COLUMNS = [
    "airline",
    "airline_id",
    "source_airport",
    "source_airport_id",
    "dest_airport",
    "dest_airport_id",
    "codeshare",
    "stops",
    "equipment",
]
COUNTRY_COLUMNS = ["name", "iso_code", "dafif_code"]

nx = lazy_module("networkx")  # on first use: the registry imports this module at every start


def _read(path: Path, names: list[str]) -> pd.DataFrame:
    """A headerless OpenFlights file with the documented columns; a wrong width raises."""
    df = read_text_table(path, sep=",", header=None)
    if df.shape[1] != len(names):
        raise RawInputError(
            str(path), f"{df.shape[1]} fields per line, expected {len(names)}: {names}"
        )
    df.columns = names
    return df


def _country_codes(countries: pd.DataFrame, file: str) -> dict[str, str]:
    """OpenFlights country name -> ISO2 code (names without a code are left out)."""
    listed = countries.dropna(subset=["name", "iso_code"]).drop_duplicates(["name", "iso_code"])
    check_unique(listed, ["name"], file)
    return dict(zip(listed["name"].str.strip(), listed["iso_code"].str.strip(), strict=True))


def _haversine(lat1, lon1, lat2, lon2) -> np.ndarray:
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def cluster_airports(airports: pd.DataFrame, km: float = CLUSTER_KM) -> pd.Series:
    """Served-city key per airport: ``label|ISO3``, split by distance where a label spreads.

    Airports sharing (label, iso3) are linked when within ``km`` of each other; each
    connected group (single linkage) is one city. Labels with more than one group get
    ``|<lowest airport id in the group>`` on every group's key.
    """
    base = airports["city"] + "|" + airports["iso3"]
    keys = base.copy()
    shared = base.duplicated(keep=False)
    for _, group in airports.loc[shared].groupby(base[shared], sort=False):
        lat, lon = group["lat"].to_numpy(), group["lon"].to_numpy()
        near = _haversine(lat[:, None], lon[:, None], lat[None, :], lon[None, :]) <= km
        graph = nx.Graph()
        graph.add_nodes_from(range(len(group)))
        graph.add_edges_from(zip(*np.nonzero(np.triu(near, 1)), strict=True))
        parts = list(nx.connected_components(graph))
        if len(parts) == 1:
            continue
        ids = group["airport_id"].to_numpy()
        for part in parts:
            members = sorted(part)
            suffix = str(min(ids[members]))
            keys.loc[group.index[members]] = base.loc[group.index[members]] + "|" + suffix
    return keys


def parse(paths: Mapping[str, Path]) -> ParsedSource:
    a_file, r_file, c_file = str(paths[AIRPORTS]), str(paths[ROUTES]), str(paths[COUNTRIES])
    audit = RowAudit(NAME)
    airports = _read(paths[AIRPORTS], AIRPORT_COLUMNS)
    routes = _read(paths[ROUTES], ROUTE_COLUMNS)
    codes = _country_codes(_read(paths[COUNTRIES], COUNTRY_COLUMNS), c_file)

    airports = airports.assign(
        airport_id=to_int(airports["airport_id"], a_file, "airport_id", allow_missing=False),
        lat=to_number(airports["latitude"], a_file, "latitude", allow_missing=False),
        lon=to_number(airports["longitude"], a_file, "longitude", allow_missing=False),
        city=airports["city"].str.strip(),
        country=airports["country"].str.strip(),
    )
    check_unique(airports, ["airport_id"], a_file)
    for column, bound in (("lat", 90), ("lon", 180)):
        outside = airports[column].abs() > bound
        if outside.any():
            raw_col = {"lat": "latitude", "lon": "longitude"}[column]
            raise RawInputError(
                a_file, "coordinate out of range", raw_col, airports.loc[outside, raw_col].iloc[0]
            )
    routes = routes.assign(
        src=to_int(routes["source_airport_id"], r_file, "source_airport_id"),
        dst=to_int(routes["dest_airport_id"], r_file, "dest_airport_id"),
        stops=to_int(routes["stops"], r_file, "stops", allow_missing=False),
    )
    bad_codeshare = routes["codeshare"].notna() & routes["codeshare"].ne("Y")
    if bad_codeshare.any():
        value = routes.loc[bad_codeshare, "codeshare"].iloc[0]
        raise RawInputError(r_file, "codeshare flag is not 'Y' or empty", "codeshare", value)

    # Airports usable as route endpoints: labelled, in a country.
    labelled = airports["city"].notna() & airports["country"].notna()
    usable = airports.loc[labelled]
    usable = usable.loc[non_country_mask(usable["country"]).isna().to_numpy()]
    usable_ids = set(usable["airport_id"].tolist())
    known_ids = set(airports["airport_id"].tolist())

    # Routes: keep direct routes between two usable airports.
    df = audit.start(routes, "routes")
    df = audit.drop((df["src"].isna() | df["dst"].isna()).astype(bool), "airport id missing (\\N)")
    df = audit.drop(
        ~(df["src"].isin(known_ids) & df["dst"].isin(known_ids)).astype(bool),
        "airport id not in airports.dat",
    )
    df = audit.drop(
        ~(df["src"].isin(usable_ids) & df["dst"].isin(usable_ids)).astype(bool),
        "endpoint airport has no city label or no country",
    )
    df = audit.drop(df["stops"].gt(0).astype(bool), "not a direct flight (stops > 0)")
    valid = audit.finish(df)
    endpoints = set(valid["src"].tolist()) | set(valid["dst"].tolist())

    # Airports: those serving a usable route.
    ap = audit.start(airports, "airports")
    ap = audit.drop(ap["city"].isna(), "no served-city label")
    ap = audit.drop(ap["country"].isna(), "no country")
    ap = drop_non_countries(audit, ap, "country", reason="country is not a country")
    ap = audit.drop(
        ~ap["airport_id"].isin(endpoints).astype(bool), "not an endpoint of any direct 2014 route"
    )
    served = audit.finish(ap)
    coded = served["country"].map(codes).fillna(served["country"])
    served = served.assign(iso3=resolve_countries(coded, source=a_file))
    served = served.assign(key=cluster_airports(served))

    # Cities: served airports aggregated by key (mean coordinates).
    cities = audit.start(served, "served cities")
    cities = audit.drop(cities.duplicated("key"), "another airport of the same served city")
    audit.finish(cities)
    coords = served.groupby("key")[["lat", "lon"]].mean()
    cities = cities.drop(columns=["lat", "lon"]).join(coords, on="key")
    mentions = build_mentions(
        cities, source=NAME, file=a_file, key="key", name="city", iso3="iso3", lat="lat", lon="lon"
    )
    mentions["raw_country"] = cities["country"].astype("str").to_numpy()

    # City pairs: one undirected edge per pair of distinct served cities.
    city_of = dict(zip(served["airport_id"], served["key"], strict=True))
    a = valid["src"].map(city_of)
    b = valid["dst"].map(city_of)
    pairs = valid.assign(city_a=np.minimum(a, b), city_b=np.maximum(a, b))
    pairs = audit.start(pairs, "city pairs")
    pairs = audit.drop(pairs["city_a"].eq(pairs["city_b"]).astype(bool), "route inside one city")
    pairs = audit.drop(
        pairs.duplicated(["city_a", "city_b"]),
        "duplicate city pair (codeshare, other airline, reverse direction or other airport)",
    )
    pairs = audit.finish(pairs)

    graph = city_graph(
        zip(pairs["city_a"], pairs["city_b"], strict=True), nodes=cities["key"].tolist()
    )
    cent = route_centrality(graph)
    measures = city_measures_for_year(
        NAME + ":" + cent.index.astype("str"),
        {
            "air_routes": cent["degree"],
            "air_degree": cent["degree_centrality"],
            "air_betweenness": cent["betweenness"],
            "air_eigenvector": cent["eigenvector"],
        },
        YEAR,
    )
    return ParsedSource(tables={"mentions": mentions, "city_measures": measures}, audit=audit)


SOURCES = [
    SourceSpec(
        name=NAME,
        files=(AIRPORTS, ROUTES, COUNTRIES),
        parse=parse,
        schemas={"mentions": MENTIONS, "city_measures": CITY_MEASURES},
        description="OpenFlights 2014 routes: airline-network centrality of served cities.",
    )
]
