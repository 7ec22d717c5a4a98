"""Precision and recall of the city matcher on the hand-checked gold set.

Mentions go through the matching stage's coordinate check first (`prepare_coordinates`), as
in the pipeline, so the gold rows with swapped, sign-flipped or placeholder points test it too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.core.config import load_config
from analysis.resolve.gazetteer import Gazetteer
from analysis.resolve.geo import country_block
from analysis.resolve.match import match_cities
from analysis.resolve.stage import city_table, match_all, prepare_coordinates
from tests.conftest import MIRROR

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


# ----------------------------------------------------------------- LAU layer and airport rule

GOLD_LAU = Path(__file__).parent / "data" / "gold_cities_lau.csv"
# Read from the mirror, not data/raw: these tests must not wait for the pipeline's acquisition.
LAU_DIR = MIRROR / "lau"
# the pipeline's own matching options (config `matching`), per-source overrides included
_MATCHING = dict(
    load_config(Path(__file__).resolve().parents[1] / "config" / "config.yaml")["matching"]
)
PER_SOURCE = _MATCHING.pop("per_source")
OPTIONS = _MATCHING


@pytest.fixture(scope="module")
def lau_layer(gazetteer: Gazetteer):
    """The LAU layer from the mirror's 34 country files (skips without them)."""
    from analysis.resolve.lau import build_layer
    from analysis.sources.lau import FILES, parse

    paths = {f: LAU_DIR.parent / f for f in FILES}
    if not all(p.exists() for p in paths.values()):
        pytest.skip(f"the LAU files are not in {LAU_DIR}")
    return build_layer(parse(paths).tables["lau_units"], gazetteer)


def _stage_keys(
    gold: pd.DataFrame, gazetteer: Gazetteer, layer, options: dict | None = None
) -> pd.Series:
    """Each gold row through the whole matching stage (GeoNames, LAU layer, airport rule):
    the `city_key` it resolves to, "none" when unmatched; in gold order."""
    mentions = pd.DataFrame(
        {
            "source": gold["source"],
            "mention_id": [f"gold:{i:04d}" for i in range(len(gold))],
            "raw_name": gold["mention"],
            "raw_country": gold["country_iso3"],
            "country_iso3": gold["country_iso3"],
            "entity_type": "city",
            "lat": pd.to_numeric(gold["lat"]),
            "lon": pd.to_numeric(gold["lon"]),
            "population": np.nan,
        }
    )
    out = match_all(mentions, gazetteer, options or OPTIONS, PER_SOURCE, lau_layer=layer)
    keys = city_table(out, gazetteer, layer).set_index("city_id")["city_key"]
    found = out.set_index("mention_id")["city_id"].map(keys).astype(object)
    return found.fillna("none").reindex(mentions["mention_id"]).reset_index(drop=True)


def test_gold_set_with_lau_and_airports(gazetteer: Gazetteer, lau_layer) -> None:
    """The original gold set plus the LAU and airport cases, through the whole stage."""
    old = pd.read_csv(GOLD, dtype=str, keep_default_na=False)
    new = pd.read_csv(GOLD_LAU, dtype=str, keep_default_na=False)
    assert len(new) >= 150
    gold = pd.concat(
        [
            old.assign(source="gold", expected="geonames:" + old["geonameid"]),
            new,
        ],
        ignore_index=True,
    )
    got = _stage_keys(gold, gazetteer, lau_layer)
    expected = gold["expected"]
    correct = got.eq(expected)
    matched = got.ne("none")
    should = expected.ne("none")
    precision = (correct & matched).sum() / max(matched.sum(), 1)
    recall = (correct & should).sum() / should.sum()
    print(f"gold set + LAU/airports: n={len(gold)} precision={precision:.4f} recall={recall:.4f}")
    misses = gold.loc[~correct, ["mention", "country_iso3", "source", "expected"]]
    if len(misses):
        print(misses.assign(got=got[~correct]).to_string())
    assert precision >= MIN_PRECISION
    assert recall >= MIN_RECALL
    # every new case on its own: LAU and airport rows are few, so each must be right
    new_rows = np.arange(len(old), len(gold))
    assert correct.iloc[new_rows].all(), misses.tail(len(new)).to_string()


def test_lau_homonyms_need_a_point(gazetteer: Gazetteer, lau_layer) -> None:
    """Three communities named Ρωμανού in Greece: without a point none is chosen, with one
    the unit within reach of it is, with the pipeline's options: the layer comes before the
    `nearest` fallback, which took the Lemnos and Messinia points to a neighbouring GeoNames
    village when it ran first. Without the LAU layer the fallback still picks those."""
    gold = pd.DataFrame(
        {
            "mention": ["Ρωμανός", "Romanos", "Romanos", "Ρωμανός"],
            "country_iso3": "GRC",
            "lat": ["", "39.3834", "36.9904", "39.9042"],
            "lon": ["", "20.6982", "21.6639", "25.2906"],
            "source": "gold",
        }
    )
    got = _stage_keys(gold, gazetteer, lau_layer)
    assert got.tolist() == ["none", "lau:EL_18030311", "lau:EL_44050407", "lau:EL_55010310"]
    without = _stage_keys(gold, gazetteer, lau_layer, {**OPTIONS, "lau": False})
    assert without.iloc[0] == "none" and without.iloc[1:].str.startswith("geonames:").all()


def test_lau_ids_are_stable_and_disjoint_from_geonames(gazetteer: Gazetteer, lau_layer) -> None:
    from analysis.resolve.lau import LAU_ID_BASE, is_lau_id, lau_city_id

    u = lau_layer.units
    only = u[u["geonameid"] < 0]
    assert (only["city_id"] >= LAU_ID_BASE).all() and (only["city_id"] < 2**53).all()
    assert only["city_id"].is_unique
    assert lau_city_id("ES_28079") == lau_city_id("ES_28079") != lau_city_id("ES_28080")
    assert not is_lau_id(gazetteer.cities.index.to_numpy()).any()
    linked = u[u["geonameid"] >= 0]
    assert linked["geonameid"].isin(gazetteer.cities.index).all()
    assert (linked["city_key"] == "geonames:" + linked["geonameid"].astype(str)).all()
