"""Precision and recall of the city matcher on the hand-checked gold set."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.citymatch import match_cities
from analysis.gazetteer import Gazetteer

GOLD = Path(__file__).parent / "data" / "gold_cities.csv"
MIN_PRECISION = 0.99
MIN_RECALL = 0.95


def test_gold_set_precision_recall(gazetteer: Gazetteer) -> None:
    gold = pd.read_csv(GOLD, dtype=str, keep_default_na=False)
    assert len(gold) >= 300
    mentions = pd.DataFrame(
        {
            "raw_name": gold["mention"],
            "country_iso3": gold["country_iso3"],
            "lat": pd.to_numeric(gold["lat"]),
            "lon": pd.to_numeric(gold["lon"]),
        }
    )
    out = match_cities(mentions, gazetteer, source="gold")
    expected = gold["geonameid"].astype("int64")
    correct = out["city_id"].eq(expected).fillna(False)
    matched = out["city_id"].notna()
    precision = correct.sum() / max(matched.sum(), 1)
    recall = correct.sum() / len(gold)
    print(f"gold set: n={len(gold)} precision={precision:.4f} recall={recall:.4f}")
    misses = out.loc[~correct, ["raw_name", "raw_country", "city_id", "method", "reason"]]
    if len(misses):
        print(misses.assign(expected=expected[~correct]).to_string())
    assert precision >= MIN_PRECISION
    assert recall >= MIN_RECALL


def test_gold_ids_exist_in_stated_country(gazetteer: Gazetteer) -> None:
    gold = pd.read_csv(GOLD, dtype=str, keep_default_na=False)
    ids = gold["geonameid"].astype("int64")
    cities = gazetteer.cities
    assert ids.isin(cities.index).all()
    assert (cities.loc[ids, "iso3"].to_numpy() == gold["country_iso3"].to_numpy()).all()
