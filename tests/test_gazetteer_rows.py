"""The gazetteer's name rows: its inlined loop (~1.25M names a build) gives exactly the rows of
the plain rule written out with the textnorm helpers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.resolve.gazetteer import _city_rows
from analysis.resolve.textnorm import name_keys, strip_city_suffix

ISO3 = {"FR": "FRA", "PH": "PHL"}


def _reference(cities: dict) -> dict[tuple[str, str, int], int]:
    """(iso3, key, geonameid) -> best rank, by the rule: the name (rank 0) and each alternate
    (rank 1) under its literal key, under its standard key (rank 2 if that differs), and
    either key without a trailing " city" (rank 3)."""
    names: dict[tuple[str, str, int], int] = {}

    def add(country: str, key: str, gid: int, rank: int) -> None:
        if key and names.get((country, key, gid), 99) > rank:
            names[(country, key, gid)] = rank

    for rec in cities.values():
        cc = ISO3.get(rec["countrycode"])
        if cc is None:
            continue
        gid = int(rec["geonameid"])
        # distinct names in order: the name first (rank 0), then its alternates (rank 1)
        for position, raw in enumerate(dict.fromkeys([rec["name"], *rec["alternatenames"]])):
            base = 0 if position == 0 else 1
            literal, standard = name_keys(raw)
            literal = literal if literal else (f"#{gid}" if base == 0 else "")
            standard = standard if standard else literal
            keys = [(literal, base), (standard, base if standard == literal else 2)]
            # without a trailing " city" (a key without one is itself, already at a lower rank)
            keys += [(strip_city_suffix(k), 3) for k in (literal, standard)]
            for key, rank in keys:
                add(cc, key, gid, rank)
    return names


WORDS = [
    "Quezon",
    "City",
    "city",
    "San",
    "José",
    "Saint-Denis",
    "(Paris)",
    "Stadt",
    "-shi",
    "",
    " ",
]
name = st.lists(st.sampled_from(WORDS), max_size=4).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["FR", "PH", "XX"]), name, st.lists(name, max_size=5)),
        max_size=6,
    )
)
def test_name_rows_follow_the_rule(records):
    cities = {
        str(i): {
            "geonameid": 100 + i,
            "name": n,
            "alternatenames": alts,
            "countrycode": cc,
            "admin1code": "01",
            "population": 1000 * i,
            "latitude": 1.0,
            "longitude": 2.0,
        }
        for i, (cc, n, alts) in enumerate(records)
    }
    attrs, rows = _city_rows(cities, ISO3)
    got = {(c, k, g): r for c, k, r, g in rows.itertuples(index=False)}
    assert len(got) == len(rows)
    assert got == _reference(cities)
    assert sorted(attrs["geonameid"]) == [100 + i for i, r in enumerate(records) if r[0] != "XX"]


def test_city_suffix_rows():
    cities = {
        "1": {
            "geonameid": 7,
            "name": "Quezon City",
            "alternatenames": ["Lungsod Quezon", "Quezon City"],
            "countrycode": "PH",
            "admin1code": "NCR",
            "population": 10,
            "latitude": 14.6,
            "longitude": 121.0,
        }
    }
    _, rows = _city_rows(cities, ISO3)
    got = {k: r for _, k, r, _ in rows.itertuples(index=False)}
    assert got["quezon city"] == 0 and got["quezon"] == 3 and got["lungsod quezon"] == 1
