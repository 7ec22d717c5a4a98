"""City matcher: hard cases, regions, groups, coordinates and properties."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.core.errors import PipelineError, RawInputError
from analysis.resolve.gazetteer import Gazetteer, admin1_index, read_admin1
from analysis.resolve.geo import COORD_FIXES, country_block
from analysis.resolve.match import OUTPUT_COLUMNS, expand_groups, match_cities


def _match(gaz: Gazetteer, rows: list[tuple], **kw) -> pd.DataFrame:
    cols = ["raw_name", "country_iso3", "lat", "lon", "entity_type"][: len(rows[0])]
    return match_cities(pd.DataFrame(rows, columns=cols), gaz, source="test", **kw)


@pytest.mark.parametrize(
    ("name", "iso3", "expected"),
    [
        ("Saint Petersburg", "RUS", 498817),
        ("Saint Petersburg", "USA", 4171563),
        ("St. Petersburg", "RUS", 498817),
        ("Sankt-Peterburg", "RUS", 498817),
        ("Bruxelles", "BEL", 2800866),
        ("Brussel", "BEL", 2800866),
        ("Brussels", "BEL", 2800866),
        ("Frankfurt am Main", "DEU", 2925533),
        ("Frankfurt", "DEU", 2925533),
        ("Frankfurt (Oder)", "DEU", 2925535),
        ("Ho Chi Minh City", "VNM", 1566083),
        ("Thành phố Hồ Chí Minh", "VNM", 1566083),
        ("Saigon", "VNM", 1566083),
        ("New York City", "USA", 5128581),
        ("New York (New York)", "USA", 5128581),
        ("Nueva York", "USA", 5128581),
        ("Comune di Bologna", "ITA", 3181928),
        ("City of London", "GBR", 2643741),
        ("London", "GBR", 2643743),
        ("Quezon City", "PHL", 1692192),
        ("Portland (Maine)", "USA", 4975802),
        ("Portland, OR", "USA", 5746545),
        ("Washington, D.C.", "USA", 4140963),
        ("Baroda", "IND", 1253573),  # city far larger than the homonymous town
        ("New Delhi", "IND", 1261481),  # but a large place keeps its own name
        ("Toronto, Ontario, Canada", "CAN", 6167865),
    ],
)
def test_hard_cases(gazetteer: Gazetteer, name: str, iso3: str, expected: int) -> None:
    out = _match(gazetteer, [(name, iso3)])
    assert out["city_id"].iloc[0] == expected, out.to_dict("records")


def test_output_contract(gazetteer: Gazetteer) -> None:
    mentions = pd.DataFrame(
        {"raw_name": ["Bologna", "Nowhereville Xyz", None], "country_iso3": ["ITA", "ITA", "ITA"]},
        index=[10, 11, 12],
    )
    out = match_cities(mentions, gazetteer, source="s")
    assert list(out.columns) == OUTPUT_COLUMNS
    assert str(out["city_id"].dtype) == "Int64"
    assert list(out.index) == [10, 11, 12]
    assert list(out["method"]) == ["exact", "unmatched", "unmatched"]
    assert out["reason"].iloc[1] == "no name match in country"
    assert out["reason"].iloc[2] == "empty name"


def test_missing_country_needs_coordinates(gazetteer: Gazetteer) -> None:
    out = _match(gazetteer, [("Berlin", None, None, None), ("Berlin", None, 52.52, 13.40)])
    assert out["city_id"].isna().iloc[0]
    assert out["reason"].iloc[0] == "country missing and no coordinates"
    assert out["city_id"].iloc[1] == 2950159


def test_coordinates_disambiguate_and_reject(gazetteer: Gazetteer) -> None:
    out = _match(
        gazetteer,
        [
            ("Springfield", "USA", 42.10, -72.59),  # Massachusetts
            ("Frankfurt", "DEU", 52.34, 14.55),  # at the Oder
            ("Bologna", "ITA", 45.46, 9.19),  # Milan coordinates: name too far
        ],
    )
    assert out["city_id"].iloc[0] == 4951788
    assert out["city_id"].iloc[1] == 2925535
    assert out["distance_km"].iloc[1] < 10
    # the name of one Italian place, far from the point: neither Bologna nor, by the
    # nearest fallback, Milan (the point and the name disagree)
    assert out["method"].iloc[2] == "unmatched"
    assert out["reason"].iloc[2] == "name matches only beyond 50 km of the coordinates"
    assert (out["coord_fix"] == "none").all()


def test_nearest_fallback(gazetteer: Gazetteer) -> None:
    out = _match(gazetteer, [("Chaoyang District", "CHN", 39.93, 116.45)])
    assert out["method"].iloc[0] == "nearest"
    assert out["city_id"].iloc[0] == 1816670
    assert out["distance_km"].iloc[0] <= 10
    far = _match(gazetteer, [("Qqqqxx Zzzz", "AUS", -25.0, 131.0)])
    assert far["method"].iloc[0] == "unmatched"


def test_fuzzy(gazetteer: Gazetteer) -> None:
    out = _match(gazetteer, [("Philadephia", "USA"), ("Philadephia", "USA")])
    assert (out["method"] == "fuzzy").all()
    assert (out["city_id"] == 4560349).all()
    assert out["score"].iloc[0] >= 90
    strict = _match(gazetteer, [("Philadephia", "USA")], fuzzy_threshold=99)
    assert strict["method"].iloc[0] == "unmatched"


def test_regions(gazetteer: Gazetteer, tmp_path: Path) -> None:
    rows = [
        ("California", "USA", None, None, "Region"),
        ("State of Texas", "USA", None, None, "state"),
    ]
    rows.append(("Ontario", "CAN", None, None, "Province"))
    out = _match(gazetteer, rows)
    assert list(out["admin1_code"][:2]) == ["US.CA", "US.TX"]
    assert list(out["method"]) == ["admin1", "admin1", "unmatched"]
    assert out["city_id"].isna().all()
    # admin1 names for other countries are injectable (the pipeline passes the mirror file)
    tsv = tmp_path / "admin1.tsv"
    tsv.write_text("#region_code\tname\tname_ascii\tgeoname_id\nCA.08\tOntario\tOntario\t1\n")
    extra = admin1_index(read_admin1(tsv), gazetteer.iso2_to_iso3)
    gaz = dataclasses.replace(
        gazetteer, admin1=pd.concat([gazetteer.admin1, extra]), _admin1_lookup=None
    )
    assert _match(gaz, rows)["admin1_code"].iloc[2] == "CA.08"


def test_read_admin1_rejects_bad_rows(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("nonsense\n")
    with pytest.raises(RawInputError):
        read_admin1(bad)


def test_groups_flagged_and_expanded(gazetteer: Gazetteer) -> None:
    out = _match(
        gazetteer,
        [("Alkmaar, Bergen, Castricum, Heiloo", "NLD"), ("Frankfurt, am Main", "DEU")],
    )
    assert out["is_group"].tolist() == [True, False]
    assert out["method"].iloc[0] == "group"
    assert out["city_id"].isna().iloc[0]
    members = expand_groups(out)
    assert members["raw_name"].tolist() == ["Alkmaar", "Bergen", "Castricum", "Heiloo"]
    again = match_cities(members, gazetteer, source="test")
    assert again["city_id"].notna().all()


def test_bad_input(gazetteer: Gazetteer) -> None:
    with pytest.raises(PipelineError, match="country_iso3"):
        match_cities(pd.DataFrame({"raw_name": ["x"]}), gazetteer, source="s")


_NAMES = [
    "Saint Petersburg",
    "London",
    "Paris",
    "Springfield",
    "Frankfurt",
    "Valencia",
    "Santiago",
    "Córdoba",
    "Bergen",
    "Portland, ME",
    "Qwzx",
    "Londn",
    "Alkmaar, Heiloo",
    "Hyderabad",
    "Tripoli",
    "San Jose",
    "",
    "Kansas City",
    "Moscow",
    "Perth",
]
_ISO3 = [
    "RUS",
    "USA",
    "GBR",
    "FRA",
    "DEU",
    "ESP",
    "VEN",
    "CHL",
    "ARG",
    "NOR",
    "NLD",
    "IND",
    "PAK",
    "LBY",
    "LBN",
    "CRI",
    "AUS",
    "CAN",
    None,
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(_NAMES),
            st.sampled_from(_ISO3),
            st.one_of(st.none(), st.floats(-60, 70)),
            st.one_of(st.none(), st.floats(-180, 180)),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_properties_country_and_row_count(gazetteer: Gazetteer, rows: list[tuple]) -> None:
    mentions = pd.DataFrame(rows, columns=["raw_name", "country_iso3", "lat", "lon"])
    out = match_cities(mentions, gazetteer, source="prop")
    assert len(out) == len(mentions)  # unmatched rows are reported, never dropped
    assert (out["reason"].ne("") | out["city_id"].notna() | out["is_group"]).all()
    hit = out["city_id"].notna() & mentions["country_iso3"].notna()
    found = gazetteer.cities.loc[out.loc[hit, "city_id"].astype("int64"), "iso3"].to_numpy()
    stated = mentions.loc[hit, "country_iso3"].to_numpy()
    # the stated country, or a territory listed under it (Réunion under France)
    assert all(f in country_block(c) for f, c in zip(found, stated, strict=True))
    assert set(out["coord_fix"]) <= set(COORD_FIXES)


def test_council_names_and_areas(gazetteer: Gazetteer) -> None:
    m = pd.DataFrame(
        {
            "raw_name": [
                "Darlington Borough Council",
                "East Hertfordshire District Council",
                "Hampshire County Council",
                "Liverpool City Region Combined Authority",
                "Cook County",
                "Pocheon-si (포천시), Gyeonggi",
                "Cape Town",
            ],
            "country_iso3": ["GBR", "GBR", "GBR", "GBR", "USA", "KOR", "ZAF"],
            "entity_type": ["city", "city", "city", "city", "county", "city", "city"],
        }
    )
    out = match_cities(m, gazetteer, source="t")
    assert out["city_id"].iloc[0] == 2651513  # Darlington
    assert out["city_id"].iloc[1:6].isna().all()  # never Hertford / Liverpool / a "Cook"
    assert out["reason"].iloc[1].startswith("council or municipal name")
    assert out["reason"].iloc[2].startswith("county or area-level unit")
    assert out["reason"].iloc[4].startswith("county or area-level unit")
    assert out["city_id"].iloc[6] == 3369157  # the literal name wins over "Cape"


def test_nearest_and_fuzzy_state_reused_across_calls(gazetteer: Gazetteer) -> None:
    m = pd.DataFrame({"raw_name": ["Zaporizhia"], "country_iso3": ["UKR"]})
    a = match_cities(m, gazetteer, source="a")
    b = match_cities(m, gazetteer, source="b")
    assert a["city_id"].equals(b["city_id"])
    assert gazetteer.fuzzy_memo  # memoised on the gazetteer, not per call


# --- coordinate review (analysis.resolve.match, after analysis.resolve.geo) -----------------------


def test_degrees_minutes_point_decoded(gazetteer: Gazetteer) -> None:
    # Ustka at 54°35', 16°51' written as 54.35, 16.51: 34 km from the town as decimals
    out = _match(gazetteer, [("Ustka", "POL", 54.3503, 16.5143), ("Ustka", "POL", 54.5805, 16.862)])
    assert out["city_id"].tolist() == [3082756, 3082756]
    assert out["coord_fix"].tolist() == ["degrees_minutes", "none"]
    assert out["distance_km"].iloc[0] < 5
    # a point the name already confirms within 25 km is left alone
    near = _match(gazetteer, [("Brescia", "ITA", 45.45, 10.13)])  # ~11 km off
    assert near["coord_fix"].iloc[0] == "none" and near["city_id"].iloc[0] == 3181554


def test_namesake_abroad_and_region_qualifier(gazetteer: Gazetteer) -> None:
    out = _match(
        gazetteer,
        [
            ("Essen", "BEL", 51.4566, 7.0123),  # at Essen, Germany
            ("Vancouver", "USA", 49.2497, -123.1193),  # at Vancouver, Canada
            ("Adams, MA", "USA", 39.81, -104.40),  # in Colorado, not Massachusetts
            ("Impruneta", "ITA", 49.0131, 13.9975),  # in Bavaria, 260 km from Italy
        ],
    )
    assert out["city_id"].tolist() == [2798615, 5814616, 4928733, 3175528]
    assert out["coord_fix"].tolist() == ["dropped"] * 4
    assert "they lie abroad" in out["reason"].iloc[3]
    assert out["distance_km"].isna().all()
    assert "namesake abroad" in out["reason"].iloc[0]
    assert "Essen (DEU)" in out["reason"].iloc[0]
    assert "US.CO" in out["reason"].iloc[2] and "US.MA" in out["reason"].iloc[2]


def test_territory_listed_under_a_state(gazetteer: Gazetteer) -> None:
    out = _match(
        gazetteer,
        [
            ("Saint-Denis", "FRA", -20.8823, 55.4504),  # Réunion, not the Paris suburb
            ("Pristina", "SRB", 42.6727, 21.1669),
            ("Kralendijk", "ANT", 12.15, -68.2667),
            ("Saint-Denis", "FRA", 48.936, 2.357),  # the Paris suburb itself
        ],
    )
    assert out["city_id"].tolist() == [935264, 786714, 3513563, 2980916]
    assert out["reason"].iloc[0] == "place in REU, which the source lists under FRA"
    assert out["reason"].iloc[3] == ""
    # never without a point that confirms it
    none = _match(gazetteer, [("Kralendijk", "ANT", None, None)])
    assert none["city_id"].isna().all()


def test_repaired_point_needs_the_name(gazetteer: Gazetteer) -> None:
    rows = pd.DataFrame(
        {
            "raw_name": ["Qqqqxx Zzzz", "Qqqqxx Zzzz", "Brescia"],
            "country_iso3": ["ITA", "ITA", "ITA"],
            "lat": [45.4642, 45.4642, 45.5356],
            "lon": [9.19, 9.19, 10.2147],
            "coord_fix": ["none", "swapped", "swapped"],
        }
    )
    out = match_cities(rows, gazetteer, source="t")
    assert out["method"].tolist() == ["nearest", "unmatched", "exact"]  # no roll-up to Milan
    assert out["coord_fix"].tolist() == ["none", "swapped", "swapped"]
    # a repair that the name does not confirm is given up: matched by name alone
    wrong = pd.DataFrame(
        {
            "raw_name": ["Bologna"],
            "country_iso3": ["ITA"],
            "lat": [45.4642],
            "lon": [9.19],
            "coord_fix": ["sign_flipped"],
        }
    )
    w = match_cities(wrong, gazetteer, source="t")
    assert w["city_id"].iloc[0] == 3181928 and w["coord_fix"].iloc[0] == "dropped"
    assert w["reason"].iloc[0].startswith("coordinates ignored: the sign_flipped point")


def test_nearest_kept_for_qualified_districts_and_common_names(gazetteer: Gazetteer) -> None:
    out = _match(
        gazetteer,
        [
            ("Tiexi (Shenyang)", "CHN", 41.80, 123.37),  # district of Shenyang
            # several Tiexis elsewhere in China: the name may be yet another, unlisted one
            ("Tiexi", "CHN", 41.80, 123.37),
            ("Bologna", "ITA", 45.4642, 9.19),  # the name of one place, 200 km away
        ],
    )
    assert out["method"].tolist() == ["nearest", "nearest", "unmatched"]
    assert out["city_id"].iloc[0] == out["city_id"].iloc[1] == 2034937


def test_sole_name_rescue_option(gazetteer: Gazetteer) -> None:
    rows = pd.DataFrame(
        {
            "raw_name": ["Bologna", "Bologna"],
            "country_iso3": ["ITA", "ITA"],
            "lat": [45.4642, 45.4642],  # Milan
            "lon": [9.19, 9.19],
            "population": [390_000.0, 1_500.0],  # like Bologna's / not at all
        }
    )
    off = match_cities(rows, gazetteer, source="t")
    assert off["city_id"].isna().all()
    on = match_cities(rows, gazetteer, source="t", sole_name_rescue=True)
    assert on["city_id"].iloc[0] == 3181928 and on["coord_fix"].iloc[0] == "dropped"
    assert "the only place of that name" in on["reason"].iloc[0]
    assert pd.isna(on["city_id"].iloc[1])


# ----------------------------------------------------------------- LAU layer, airport rule


@pytest.mark.parametrize(
    ("name", "iso3", "keys"),
    [
        ("Flensburg, Stadt", "DEU", ["flensburg"]),
        ("Donostia / San Sebastián", "ESP", ["donostia", "san sebastian"]),
        ("Ayala / Aiara", "ESP", ["ayala", "aiara"]),
        ("Maarianhamina - Mariehamn / Mariehamn", "FIN", ["maarianhamina", "mariehamn"]),
        ("Oslo kommune", "NOR", ["oslo"]),
        ("Κοινότητα Κομοτηνής", "GRC", ["komotini"]),
        ("Δημοτική Κοινότητα Νέας Σμύρνης", "GRC", ["nea smyrni"]),
        ("Бургас", "BGR", ["burgas"]),
    ],
)
def test_lau_unit_keys(name: str, iso3: str, keys: list[str]) -> None:
    from analysis.resolve.lau import unit_keys

    got = unit_keys(name, iso3)
    assert set(keys) <= set(got), got


def test_lau_unit_keys_keep_portuguese_unions_whole() -> None:
    """A Portuguese union of parishes "A, B e C" is one unit, not unit A (no comma split)."""
    from analysis.resolve.lau import unit_keys

    assert "trofa" not in unit_keys("Trofa, Segadães e Lamas do Vouga", "PRT")


@given(
    st.lists(st.text(alphabet="abcdefghijklmnop", min_size=3, max_size=8), min_size=2, max_size=3)
)
@settings(max_examples=50, deadline=None)
def test_lau_bilingual_parts_are_keys(parts: list[str]) -> None:
    """Every part of a bilingual "A / B" name is a key of the unit."""
    from analysis.resolve.lau import unit_keys
    from analysis.resolve.textnorm import normalize_name

    keys = unit_keys(" / ".join(parts), "ESP")
    assert all(normalize_name(p) in keys for p in parts)


def _units(rows: list[tuple]) -> pd.DataFrame:
    cols = ["gisco_id", "name", "country_iso3", "lat", "lon", "population", "area_km2"]
    df = pd.DataFrame(rows, columns=cols)
    return df.assign(lau_code=df["gisco_id"].str[3:], nuts3="XX000", pop_weighted=True)


def _stage(
    gaz: Gazetteer, rows: list[tuple], layer, per_source=None, nearest_km: float = 10.0
) -> pd.DataFrame:
    from analysis.resolve.stage import match_all

    cols = ["source", "raw_name", "country_iso3", "lat", "lon"]
    m = pd.DataFrame(rows, columns=cols)
    m = m.assign(
        mention_id=[f"{s}:{i}" for i, s in enumerate(m["source"])],
        raw_country=m["country_iso3"],
        entity_type="city",
        population=float("nan"),
    )
    opts = {"fuzzy_threshold": 90.0, "max_km": 50.0, "nearest_km": nearest_km}
    out = match_all(m, gaz, opts, per_source or {}, lau_layer=layer)
    return out.set_index("mention_id").loc[m["mention_id"]].reset_index()


def test_lau_layer_ids_links_and_reach(gazetteer: Gazetteer) -> None:
    """Invented units: a LAU-only unit resolves by name within reach only; namesakes need a
    point; a unit whose main settlement is a GeoNames place takes its geonameid; rows the
    GeoNames rules match are untouched."""
    from analysis.resolve.lau import LAU_ID_BASE, build_layer, lau_city_id

    c = gazetteer.cities
    madrid = int(c[(c["name"] == "Madrid") & (c["iso3"] == "ESP")]["population"].idxmax())
    layer = build_layer(
        _units(
            [
                ("ES_99001", "Zzyzxvilla", "ESP", 40.0, -5.0, 900.0, 30.0),
                ("ES_99002", "Qwertoria", "ESP", 41.0, -4.0, 500.0, 20.0),
                ("ES_99003", "Qwertoria", "ESP", 38.0, -2.0, 700.0, 20.0),
                ("ES_28079", "Madrid", "ESP", 40.42, -3.70, 3_200_000.0, 604.0),
            ]
        ),
        gazetteer,
    )
    ids = layer.units.set_index("gisco_id")["city_id"]
    assert ids["ES_99001"] == lau_city_id("ES_99001") >= LAU_ID_BASE
    assert ids["ES_28079"] == madrid  # main settlement inside the unit: the GeoNames id
    out = _stage(
        gazetteer,
        [
            ("s", "Zzyzxvilla", "ESP", 40.02, -5.01),  # within reach
            ("s", "Zzyzxvilla", "ESP", 42.13, -1.27),  # 250 km away
            ("s", "Zzyzxvilla", "ESP", None, None),  # no point, one unit of the name
            ("s", "Zzyzxvilla", "PRT", None, None),  # no unit in Portugal
            ("s", "Qwertoria", "ESP", None, None),  # two units, no point
            ("s", "Qwertoria", "ESP", 38.01, -2.0),  # the second one by the point
            ("s", "Madrid", "ESP", 40.4, -3.7),  # GeoNames exact, untouched
        ],
        layer,
        nearest_km=0.0,  # the `nearest` fallback (before the layer) would take the villages
    )
    got = out["city_id"].astype("float64").fillna(-1).astype("int64").tolist()
    assert got[:3] == [ids["ES_99001"], -1, ids["ES_99001"]]
    assert out["method"].tolist() == [
        "lau",
        "unmatched",
        "lau",
        "unmatched",
        "unmatched",
        "lau",
        "exact",
    ]
    assert out["city_id"].iat[5] == ids["ES_99003"] and out["city_id"].iat[6] == madrid
    assert "only beyond reach" in out["reason"].iat[1]
    assert "2 LAU units" in out["reason"].iat[4]
    assert out["reason"].iat[0] == "LAU ES_99001 (LAU-only id)"
    assert out["distance_km"].iat[0] < 3


def test_airport_rule_only_for_sources_with_it(gazetteer: Gazetteer) -> None:
    """An unmatched airport label resolves to the most populous place within the radius
    (Augusta, GA for Bush Field), with method `airport`, only where configured."""
    c = gazetteer.cities
    augusta = c[(c["name"] == "Augusta") & (c["admin1_code"] == "US.GA")].index[0]
    rows = [
        ("openflights", "Bush Field", "USA", 33.3699, -81.9645),
        ("other", "Bush Field", "USA", 33.3699, -81.9645),
        ("openflights", "Nowhere Strip", "USA", 0.5, -160.0),  # no place within 50 km
    ]
    out = _stage(gazetteer, rows, None, {"openflights": {"max_km": 100.0, "airport_km": 50.0}})
    assert out["method"].tolist() == ["airport", "unmatched", "unmatched"]
    assert out["city_id"].iat[0] == augusta
    assert "most populous place within 50 km" in out["reason"].iat[0]
