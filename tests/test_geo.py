"""Coordinate sanity check against the gazetteer (analysis.resolve.geo)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.resolve.gazetteer import Gazetteer
from analysis.resolve.geo import (
    COORD_FIXES,
    RELATED_COUNTRIES,
    check_coordinates,
    country_block,
    degrees_minutes,
    nearest_place_km,
)

# name, stated country, lat, lon, expected fix, expected (lat, lon) or None when dropped
CASES = [
    ("Brescia", "ITA", 45.5356, 10.2147, "none", (45.5356, 10.2147)),
    ("Brescia, swapped", "ITA", 10.2147, 45.5356, "swapped", (45.5356, 10.2147)),
    ("Davenport, no minus", "USA", 41.5236, 90.5776, "sign_flipped", (41.5236, -90.5776)),
    ("Sao Paulo, no minus", "BRA", 23.5505, 46.6333, "sign_flipped", (-23.5505, -46.6333)),
    ("Perth, Scotland point", "AUS", 56.3950, -3.4310, "dropped", None),
    ("Poole, whole degrees", "GBR", 50.0, -1.0, "dropped", None),
    ("Saint-Denis, Reunion", "FRA", -20.8823, 55.4504, "none", (-20.8823, 55.4504)),
    ("Kralendijk", "ANT", 12.15, -68.2667, "none", (12.15, -68.2667)),
    ("Unknown country code", "ZZZ", 10.0001, 10.0001, "none", (10.0001, 10.0001)),
    ("No country", None, 45.5356, 10.2147, "none", (45.5356, 10.2147)),
    ("No point", "ITA", np.nan, np.nan, "none", None),
]


def test_check_coordinates_cases(gazetteer: Gazetteer) -> None:
    df = pd.DataFrame([c[:5] for c in CASES], columns=["name", "iso3", "lat", "lon", "fix"])
    want = [c[5] for c in CASES]
    df.index = [f"r{i}" for i in range(len(df))]  # the input index is kept
    out = check_coordinates(df["lat"], df["lon"], df["iso3"], gazetteer)
    assert list(out.index) == list(df.index)
    assert list(out.columns) == ["lat", "lon", "coord_fix"]
    assert out["coord_fix"].tolist() == df["fix"].tolist(), out.assign(name=df["name"])
    for name, w, (_, got) in zip(df["name"], want, out.iterrows(), strict=True):
        if w is None:
            assert np.isnan(got["lat"]) and np.isnan(got["lon"]), name
        else:
            assert got["lat"] == pytest.approx(w[0]), name
            assert got["lon"] == pytest.approx(w[1]), name
    assert set(out["coord_fix"]) <= set(COORD_FIXES)


def test_variant_must_lie_near_a_place(gazetteer: Gazetteer) -> None:
    # Jerash (Jordan) given for an Italian mention: no variant lands within 50 km of an
    # Italian place; a point in the South Atlantic is not "repaired" into Brazil either
    out = check_coordinates(
        pd.Series([32.28, -30.5]), pd.Series([35.90, -30.5]), pd.Series(["ITA", "ITA"]), gazetteer
    )
    assert out["coord_fix"].tolist() == ["dropped", "dropped"]
    looser = check_coordinates(
        pd.Series([-30.5]), pd.Series([-30.5]), pd.Series(["BRA"]), gazetteer, max_km=5000
    )
    assert looser["coord_fix"].tolist() == ["none"]  # within max_km: not questioned


def test_arrays_accepted_and_empty(gazetteer: Gazetteer) -> None:
    out = check_coordinates(np.array([10.2147]), np.array([45.5356]), ["ITA"], gazetteer)
    assert out["coord_fix"].tolist() == ["swapped"]
    empty = check_coordinates(pd.Series([], dtype=float), pd.Series([], dtype=float), [], gazetteer)
    assert empty.empty and list(empty.columns) == ["lat", "lon", "coord_fix"]


def test_nearest_place_km(gazetteer: Gazetteer) -> None:
    d = nearest_place_km(
        np.array([45.5356, 0.0, np.nan]), np.array([10.2147, -30.0, 1.0]), "ITA", gazetteer
    )
    assert d[0] < 2 and d[1] > 3000 and np.isinf(d[2])
    assert np.isinf(nearest_place_km(np.array([1.0]), np.array([1.0]), "ZZZ", gazetteer)).all()
    # a territory's places count for the country that sources list it under
    reunion = nearest_place_km(np.array([-20.8823]), np.array([55.4504]), "FRA", gazetteer)
    assert reunion[0] < 2


def test_country_block() -> None:
    assert country_block("FRA")[0] == "FRA" and "REU" in country_block("FRA")
    assert country_block("DEU") == ("DEU",)
    assert all(code not in rel for code, rel in RELATED_COUNTRIES.items())


def test_degrees_minutes() -> None:
    value, valid = degrees_minutes(np.array([45.30, -8.30, 45.75, 54.35, np.nan, 12.0]))
    assert value[0] == pytest.approx(45.5) and value[1] == pytest.approx(-8.5)
    assert np.isnan(value[2]) and not valid[2]  # .75 cannot be minutes
    assert value[3] == pytest.approx(54 + 35 / 60)
    assert not valid[4] and valid[5] and value[5] == 12.0
