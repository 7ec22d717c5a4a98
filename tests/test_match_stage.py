"""The matching stage over several sources: audit rows, summary figures, join table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.match_stage import AUDIT_COLUMNS, match_all, mention_cities, summarize


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
    ]
    df = pd.DataFrame(
        rows,
        columns=["source", "mention_id", "raw_name", "country_iso3", "entity_type", "lat", "lon"],
    )
    return df.assign(raw_country=df["country_iso3"], population=np.nan)


def test_match_all_and_summary(gazetteer):
    m = mentions()
    out = match_all(m, gazetteer)
    assert list(out.columns) == AUDIT_COLUMNS
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
    assert summary.loc["ALL", "matched"] == 4 and summary.loc["ALL", "mentions"] == 7

    joins = mention_cities(out)
    assert joins["mention_id"].is_unique and str(joins["city_id"].dtype) == "Int64"
