"""The LAU layer written by its own job and read by the matching job is the layer built in
place: same units, ids, links and key index, so every match is the same."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.resolve.gazetteer import Gazetteer
from analysis.resolve.lau import build_layer
from analysis.resolve.lau_file import KEYS, read_layer, write_layer
from analysis.resolve.stage import match_all


def _units() -> pd.DataFrame:
    rows = [
        ("ES_99001", "Zzyzxvilla", "ESP", 40.0, -5.0, 900.0, 30.0),
        ("ES_99002", "Qwertoria", "ESP", 41.0, -4.0, 500.0, 20.0),
        ("ES_99003", "Qwertoria", "ESP", 38.0, -2.0, 700.0, 20.0),
        ("ES_28079", "Madrid", "ESP", 40.42, -3.70, 3_200_000.0, 604.0),
        ("BE_21004", "Bruxelles / Brussel", "BEL", 50.85, 4.35, 185_000.0, 33.0),
        ("DE_01001", "Flensburg, Stadt", "DEU", 54.78, 9.44, 90_000.0, None),
    ]
    cols = ["gisco_id", "name", "country_iso3", "lat", "lon", "population", "area_km2"]
    df = pd.DataFrame(rows, columns=cols)
    return df.assign(lau_code=df["gisco_id"].str[3:], nuts3="XX000", pop_weighted=True)


def test_round_trip_is_the_built_layer(gazetteer: Gazetteer, tmp_path) -> None:
    built = build_layer(_units(), gazetteer)
    path = tmp_path / "lau_layer.parquet"
    write_layer(built, path)
    back = read_layer(path)
    pd.testing.assert_frame_equal(back.units, built.units, check_exact=True)
    assert back.keys == built.keys and ("BEL", "brussel") in back.index
    assert back.index.keys() == built.index.keys()
    for k, rows in built.index.items():
        assert back.index[k].tolist() == rows.tolist() and back.index[k].dtype == rows.dtype
    # the same matches, by name and by point
    m = pd.DataFrame(
        {
            "source": "s",
            "raw_name": ["Zzyzxvilla", "Qwertoria", "Brussel", "Flensburg"],
            "country_iso3": ["ESP", "ESP", "BEL", "DEU"],
            "lat": [40.02, 38.01, None, None],
            "lon": [-5.01, -2.0, None, None],
        }
    ).assign(mention_id=lambda d: [f"s:{i}" for i in range(len(d))], raw_country=lambda d: d[
        "country_iso3"], entity_type="city", population=float("nan"))  # fmt: skip
    opts = {"fuzzy_threshold": 90.0, "max_km": 50.0, "nearest_km": 0.0}
    got = match_all(m, gazetteer, opts, {}, lau_layer=back)
    pd.testing.assert_frame_equal(got, match_all(m, gazetteer, opts, {}, lau_layer=built))
    assert (got["method"] == "lau").sum() >= 2
    # bytes are deterministic
    again = tmp_path / "again.parquet"
    write_layer(back, again)
    assert again.read_bytes() == path.read_bytes()


def test_other_files_and_key_clashes_fail(gazetteer: Gazetteer, tmp_path) -> None:
    other = tmp_path / "units.parquet"
    _units().to_parquet(other)
    with pytest.raises(ValueError, match="not a LAU layer"):
        read_layer(other)
    built = build_layer(_units().assign(**{KEYS: "x"}), gazetteer)
    with pytest.raises(ValueError, match=KEYS):
        write_layer(built, tmp_path / "x.parquet")
