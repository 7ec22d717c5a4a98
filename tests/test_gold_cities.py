"""Precision and recall of the city matcher on the hand-checked gold set.

Mentions go through the matching stage's coordinate check first (`prepare_coordinates`), as
in the pipeline, so the gold rows with swapped, sign-flipped or placeholder points test it too.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.citymatch import match_cities
from analysis.gazetteer import Gazetteer
from analysis.geo import country_block
from analysis.match_stage import prepare_coordinates

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
    out = match_cities(prepare_coordinates(mentions, gazetteer), gazetteer, source="gold")
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
    # a place lies in the stated country or in a territory sources list under it
    # (Saint-Denis, Réunion under France; Kralendijk under the Netherlands Antilles)
    found = cities.loc[ids, "iso3"].to_numpy()
    assert all(f in country_block(c) for f, c in zip(found, gold["country_iso3"], strict=True))
