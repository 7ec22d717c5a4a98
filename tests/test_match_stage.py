"""The matching stage over several sources: audit rows, summary figures, join table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.resolve.stage import (
    AUDIT_COLUMNS,
    match_all,
    mention_cities,
    prepare_coordinates,
    summarize,
)


def mentions() -> pd.DataFrame:
    rows = [
        # source, id, name, country, type, lat, lon
        ("s1", "s1:1", "Bologna", "ITA", "city", 44.49, 11.34),
        ("s1", "s1:2", "Comune di Bologna", "ITA", "city", np.nan, np.nan),
        ("s1", "s1:3", "Nowhere-at-all-ville", "ITA", "city", np.nan, np.nan),
        ("s1", "s1:4", "California", "USA", "region", np.nan, np.nan),
        ("s2", "s2:1", "Saint Petersburg", "RUS", "city", 59.94, 30.31),
        ("s2", "s2:2", "Saint Petersburg", "USA", "city", 27.77, -82.68),
        ("s2", "s2:3", "Alkmaar, Bergen, Castricum, Heiloo", "NLD", "city", np.nan, np.nan),
        ("s3", "s3:1", "Brescia", "ITA", "city", 10.2147, 45.5356),  # latitude, longitude swapped
        ("s3", "s3:2", "Perth", "AUS", "city", 56.395, -3.431),  # Perth, Scotland's point
        ("s3", "s3:3", "Poole", "GBR", "city", 50.0, -1.0),  # whole-degree placeholder
        ("s3", "s3:4", "Davenport", "USA", "city", 41.5236, 90.5776),  # minus sign lost
        ("s3", "s3:5", "Ustka", "POL", "city", 54.3503, 16.5143),  # degrees.minutes
    ]
    df = pd.DataFrame(
        rows,
        columns=["source", "mention_id", "raw_name", "country_iso3", "entity_type", "lat", "lon"],
    )
    return df.assign(raw_country=df["country_iso3"], population=np.nan)


def test_match_all_and_summary(gazetteer):
    m = mentions()
    out = match_all(m, gazetteer)
    assert list(out.columns) == AUDIT_COLUMNS and AUDIT_COLUMNS[-1] == "coord_fix"
    assert len(out) == len(m) and out["mention_id"].is_unique
    by_id = out.set_index("mention_id")
    assert by_id.loc["s1:1", "city_id"] == by_id.loc["s1:2", "city_id"] == 3181928  # Bologna
    assert by_id.loc["s2:1", "city_id"] == 498817  # Saint Petersburg, Russia
    assert by_id.loc["s2:2", "city_id"] == 4171563  # St. Petersburg, Florida
    assert by_id.loc["s1:4", "method"] == "admin1" and by_id.loc["s1:4", "admin1_code"] == "US.CA"
    assert pd.isna(by_id.loc["s1:3", "city_id"]) and by_id.loc["s1:3", "method"] == "unmatched"
    assert bool(by_id.loc["s2:3", "is_group"]) and pd.isna(by_id.loc["s2:3", "city_id"])
    assert by_id.loc["s2:1", "distance_km"] < 25

    summary = summarize(out, m).set_index("source")
    assert summary.loc["s1", "city_mentions"] == 3 and summary.loc["s1", "matched"] == 2
    assert summary.loc["s1", "match_rate"] == round(2 / 3, 4)
    assert summary.loc["s1", "regions"] == 1
    assert summary.loc["s2", "groups"] == 1
    assert summary.loc["s2", "within_25km"] == 1.0
    assert summary.loc["ALL", "matched"] == 9 and summary.loc["ALL", "mentions"] == 12

    # coordinate checks: recorded per mention and counted per source
    assert by_id.loc["s3:1", "city_id"] == 3181554 and by_id.loc["s3:1", "coord_fix"] == "swapped"
    assert by_id.loc["s3:1", "distance_km"] < 1
    assert by_id.loc["s3:2", "city_id"] == 2063523 and by_id.loc["s3:2", "coord_fix"] == "dropped"
    assert pd.isna(by_id.loc["s3:2", "distance_km"])
    assert by_id.loc["s3:3", "city_id"] == 2640101 and by_id.loc["s3:3", "coord_fix"] == "dropped"
    assert by_id.loc["s3:4", "city_id"] == 4853423
    assert by_id.loc["s3:4", "coord_fix"] == "sign_flipped"
    assert by_id.loc["s3:5", "city_id"] == 3082756
    assert by_id.loc["s3:5", "coord_fix"] == "degrees_minutes"
    assert (out.loc[out["source"] != "s3", "coord_fix"] == "none").all()
    s3 = summary.loc["s3"]
    assert (s3["coord_swapped"], s3["coord_sign_flipped"]) == (1, 1)
    assert (s3["coord_degrees_minutes"], s3["coord_dropped"]) == (1, 2)
    assert s3["with_coordinates"] == 5 and s3["match_rate_with_coordinates"] == 1.0
    assert s3["within_25km"] == 1.0  # over the 3 matches whose point was used
    assert summary.loc["ALL", "coord_dropped"] == 2
    assert not any(c.startswith("n_coord") for c in summary.columns)

    joins = mention_cities(out)
    assert joins["mention_id"].is_unique and str(joins["city_id"].dtype) == "Int64"


def test_prepare_coordinates_without_points(gazetteer):
    m = mentions().drop(columns=["lat", "lon"])
    assert (prepare_coordinates(m, gazetteer)["coord_fix"] == "none").all()
