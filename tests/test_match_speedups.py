"""The vectorised matching helpers give exactly what the plain per-row definitions give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from analysis.resolve import textnorm
from analysis.resolve.gazetteer import (
    EARTH_RADIUS_KM,
    Gazetteer,
    haversine_km,
    token_sorted,
    unit_vectors,
)
from analysis.resolve.match import audit_columns, match_cities, match_cities_arrays, naming, plan
from analysis.resolve.match import fuzzy as match_fuzzy
from analysis.resolve.match.fuzzy import _same_first_hits, _window_best, _windows, fuzzy_keys
from analysis.resolve.match.naming import _council
from analysis.resolve.match.vectors import group_starts, isin, text_codes
from analysis.resolve.stage import _first_rows, row_codes, sort_order

_QUERIES = ["philadephia", "new yrok", "york new", "sprngfield", "san jose", "qwzxqwzx", "lodnon"]


def _sample_keys(gaz: Gazetteer, iso3: str, n: int = 3000) -> list[str]:
    choices = gaz.fuzzy_choices(iso3)
    return choices[:: max(1, len(choices) // n)]


def test_token_sorted_ratio_is_token_sort_ratio(gazetteer: Gazetteer) -> None:
    keys = [*_sample_keys(gazetteer, "USA"), "a  b", " c a ", "x"]
    queries = [*_QUERIES, "new york city", "city york new"]
    want = process.cdist(queries, keys, scorer=fuzz.token_sort_ratio, score_cutoff=80)
    got = process.cdist(
        token_sorted(queries), token_sorted(keys), scorer=fuzz.ratio, score_cutoff=80
    )
    assert np.array_equal(want, got)
    assert token_sorted(["b a", "a", "c  b a", ""]) == ["a b", "a", "a b c", ""]


@pytest.mark.parametrize("threshold", [90, 90.0, 85.5, 1, 100])
def test_windows_are_the_indel_length_bound(threshold: float) -> None:
    lengths = np.sort(np.random.default_rng(0).integers(1, 40, 500))
    queries = ["x" * n for n in range(60)]
    lo, hi = _windows(queries, lengths, threshold, True)
    t = max(threshold, 1.0)
    for q, a, b in zip(queries, lo, hi, strict=True):
        shortest = int(np.ceil(len(q) * t / (200.0 - t) - 1e-9))
        longest = int(np.floor(len(q) * (200.0 - t) / t + 1e-9))
        assert a == np.searchsorted(lengths, shortest, "left")
        assert b == np.searchsorted(lengths, longest, "right")
    lo, hi = _windows(queries, lengths, threshold, False)
    assert (lo == 0).all() and (hi == len(lengths)).all()


@pytest.mark.parametrize("scorer", [fuzz.token_sort_ratio, fuzz.ratio, fuzz.WRatio])
def test_window_best_is_argmax_per_window(gazetteer: Gazetteer, scorer) -> None:
    choices = _sample_keys(gazetteer, "USA", 2000)
    rng = np.random.default_rng(1)
    queries = _QUERIES * 6
    lo = rng.integers(0, len(choices), len(queries))
    hi = np.minimum(lo + rng.integers(0, 400, len(queries)), len(choices))
    hi[::5] = lo[::5]  # empty windows
    arg, top = _window_best(queries, lo, hi, choices, token_sorted(choices), 60, scorer)
    for i, q in enumerate(queries):
        if hi[i] == lo[i]:
            assert top[i] == 0
            continue
        m = process.cdist([q], choices[lo[i] : hi[i]], scorer=scorer, score_cutoff=60)[0]
        assert top[i] == m.max()
        if m.max() > 0:
            assert arg[i] == lo[i] + m.argmax()


def test_same_first_hits_definition(gazetteer: Gazetteer) -> None:
    choices = gazetteer.fuzzy_choices("USA")
    lo, hi = _windows(_QUERIES, gazetteer.fuzzy_lengths("USA"), 90, True)
    want = set()
    for q, a, b in zip(_QUERIES, lo, hi, strict=True):
        same = [k for k in choices[a:b] if k[:1] == q[:1]]
        if same and process.extractOne(q, same, scorer=fuzz.token_sort_ratio, score_cutoff=90):
            want.add(q)
    got = _same_first_hits(_QUERIES, "USA", gazetteer, 90, fuzz.token_sort_ratio, True)
    assert got == want and "philadephia" in got and "qwzxqwzx" not in got


def _fuzzy_reference(queries: list[str], iso3: str, gaz: Gazetteer, threshold: float):
    """The fuzzy search as first written: every choice of the window, then the letter."""
    choices, lengths = gaz.fuzzy_choices(iso3), gaz.fuzzy_lengths(iso3)
    lo, hi = _windows(queries, lengths, threshold, True)
    out = {}
    for q, a, b in zip(queries, lo, hi, strict=True):
        r = None
        if b > a:
            m = process.cdist(
                [q], choices[a:b], scorer=fuzz.token_sort_ratio, score_cutoff=threshold
            )
            k, sc = int(m[0].argmax()), m[0].max()
            if sc >= threshold and sc > 0 and choices[a + k][:1] == q[:1]:
                r = (choices[a + k], float(sc))
        out[q] = r
    return out


@pytest.mark.parametrize("prune_cells", [0, 10**12])
def test_fuzzy_pruned_or_not_equals_reference(
    gazetteer: Gazetteer, monkeypatch: pytest.MonkeyPatch, prune_cells: int
) -> None:
    monkeypatch.setattr(match_fuzzy, "_PRUNE_CELLS", prune_cells)  # 0: always prune
    monkeypatch.setattr(gazetteer, "fuzzy_memo", {})
    plans = [plan(q) for q in _QUERIES]
    queries = [p.keys[min(1, len(p.keys) - 1)] for p in plans]
    got = fuzzy_keys(
        list(range(len(plans))), ["USA"] * len(plans), plans, gazetteer, 90, fuzz.token_sort_ratio
    )
    rows = zip(got["pair"], got["key"], got["score"], strict=True)
    found = {queries[p]: (k, sc) for p, k, sc in rows}
    want = _fuzzy_reference(queries, "USA", gazetteer, 90)
    assert found == {q: r for q, r in want.items() if r is not None}
    assert "philadephia" in found


def test_local_fuzzy_matches_brute_force(gazetteer: Gazetteer) -> None:
    rows = [
        ("Philadephia", "USA", 39.95, -75.16),
        ("Sprngfield", "USA", 42.10, -72.59),
        ("Frnkfurt", "DEU", 50.11, 8.68),
        ("Qwzxqwzx", "FRA", 48.85, 2.35),
    ]
    out = match_cities(
        pd.DataFrame(rows, columns=["raw_name", "country_iso3", "lat", "lon"]),
        gazetteer,
        source="t",
        review_coordinates=False,
    )
    pl, a = gazetteer.places(), gazetteer.arrays()
    starts, key_rows = gazetteer.place_keys()
    chord = 2.0 * np.sin(50 / (2.0 * EARTH_RADIUS_KM)) * (1 + 1e-9)
    xyz = unit_vectors(pl["lat"], pl["lon"])
    for (name, iso, lat, lon), (_, res) in zip(rows, out.iterrows(), strict=True):
        name_plan = plan(name)
        q = name_plan.fuzzy_key or name_plan.keys[min(1, len(name_plan.keys) - 1)]
        near = np.flatnonzero(np.linalg.norm(xyz - unit_vectors([lat], [lon]), axis=1) <= chord)
        best = None
        for p in near[pl["iso3"][near] == iso]:
            for r in key_rows[starts[p] : starts[p + 1]]:
                k = a["key"][r]
                sc = fuzz.token_sort_ratio(q, k, score_cutoff=90)
                if k[:1] == q[:1] and sc >= 90:
                    d = float(haversine_km(lat, lon, pl["lat"][p], pl["lon"][p]))
                    cand = (-sc, int(a["rank"][r]), d, int(pl["geonameid"][p]))
                    best = cand if best is None or cand < best else best
        if best is None:
            assert res["method"] != "fuzzy"
        else:
            assert res["method"] == "fuzzy" and res["city_id"] == best[3]
            assert res["score"] == pytest.approx(-best[0])


def test_gazetteer_tables(gazetteer: Gazetteer) -> None:
    # Plain definitions: the row slice of each (country, key) and each key's rows anywhere.
    combo = (gazetteer.names["iso3"] + " " + gazetteer.names["key"]).tolist()
    spans: dict[str, tuple[int, int]] = {}
    for i, c in enumerate(combo):
        spans[c] = (spans.get(c, (i, i))[0], i + 1)
    positions: dict[str, list[int]] = {}
    for i, k in enumerate(gazetteer.names["key"].tolist()):
        positions.setdefault(k, []).append(i)
    ids, starts, stops = gazetteer.span_table()
    assert len(ids) == len(spans)
    for key in ["USA springfield", "DEU frankfurt", "ITA bologna"]:
        assert (starts[ids[key]], stops[ids[key]]) == spans[key]
    keys = ["london", "springfield", "no such key xyz", "london"]
    rows, a, b = gazetteer.key_rows(keys)
    for k, s, e in zip(keys, a, b, strict=True):
        assert np.array_equal(rows[s:e], np.asarray(positions.get(k, []), dtype=np.int64))
    assert len(gazetteer.key_rows([])[1]) == 0


def test_local_key_index_and_letter_trees(gazetteer: Gazetteer) -> None:
    rows, bounds, ids = gazetteer.local_key_index()
    starts, key_rows = gazetteer.place_keys()
    keys = gazetteer.arrays()["key"]
    for place in np.random.default_rng(2).integers(0, len(starts) - 1, 300):
        own = key_rows[starts[place] : starts[place + 1]]
        for first, f in ids.items():
            got = rows[bounds[place * len(ids) + f] : bounds[place * len(ids) + f + 1]]
            assert sorted(got) == sorted(r for r in own if keys[r][:1] == first)
    tree, at = gazetteer.first_letter_tree(ids["b"])
    has_b = [
        p
        for p in range(len(starts) - 1)
        if any(keys[r][:1] == "b" for r in key_rows[starts[p] : starts[p + 1]])
    ]
    assert at.tolist() == has_b and tree.n == len(has_b)


def test_country_codes_and_token_sorted_keys(gazetteer: Gazetteer) -> None:
    ids, place_code = gazetteer.place_country_codes()
    iso = gazetteer.places()["iso3"]
    assert all(ids[c] == k for c, k in zip(iso[:1000], place_code[:1000], strict=True))
    codes = gazetteer.country_codes(np.array(["", "FRA", "XXX"], dtype=object))
    assert codes[0] == -1 and codes[1] == ids["FRA"] and codes[2] == -2
    rows = np.array([5, 3, 5, 100])
    want = token_sorted(gazetteer.arrays()["key"][rows].tolist())
    assert gazetteer.token_sorted_keys(rows).tolist() == want
    keys, sorted_keys, lengths = gazetteer.fuzzy_choices_from("USA", "p")
    assert keys == [k for k in gazetteer.fuzzy_choices("USA") if k[:1] == "p"]
    assert sorted_keys == token_sorted(keys) and lengths.tolist() == [len(k) for k in keys]


def test_small_array_helpers() -> None:
    values = np.array(["exact", "fuzzy", "nearest", "exact", ""], dtype=object)
    assert np.array_equal(isin(values, ("exact", "nearest")), np.isin(values, ["exact", "nearest"]))
    codes, uniq = text_codes(pd.Series(["b", "a", "b", ""], dtype="string"))
    assert uniq[codes].tolist() == ["b", "a", "b", ""]
    assert group_starts(np.array([1, 1, 2, 5, 5, 5])).tolist() == [0, 2, 3]
    assert len(group_starts(np.zeros(0))) == 0


@pytest.mark.parametrize(
    "raw",
    [
        "Darlington Borough Council",
        "City of London",
        "Comune di Bologna",
        "Hampshire County Council",
        "Mashiki Town",
        "Okcheon-gun, Chungbuk",
        "Suwon-si",
        "Bologna",
        "Kansas City",
        "Stockholms stad",
        "Municipio de Lima",
        "Cape Town",
    ],
)
def test_council_shortcut_agrees(raw: str) -> None:
    lit, _ = textnorm.name_keys(raw)
    assert _council(raw, lit) == textnorm.council_name(raw)


def test_match_cities_arrays_are_match_cities(gazetteer: Gazetteer) -> None:
    m = pd.DataFrame(
        {
            "raw_name": ["Bologna", "Philadephia", "Alkmaar, Heiloo", None],
            "country_iso3": ["ITA", "USA", "NLD", "ITA"],
        }
    )
    out = match_cities(m, gazetteer, source="s")
    cols = pd.DataFrame(audit_columns(match_cities_arrays(m, gazetteer, source="s")))
    pd.testing.assert_frame_equal(out[cols.columns], cols)


def test_sort_order_is_sort_values() -> None:
    rng = np.random.default_rng(3)
    s = rng.choice(["a", "b", "é", "Z", None], 500)
    m = rng.choice(["x1", "x10", "x2", "ß", "", None], 500)
    for dtype in ("str", object):
        f = pd.DataFrame({"source": s, "mention_id": m}).astype(dtype)
        want = f.sort_values(["source", "mention_id"]).index.to_numpy()
        assert np.array_equal(sort_order(f), want)


def test_row_codes_and_first_rows() -> None:
    rng = np.random.default_rng(4)
    f = pd.DataFrame(
        {
            "a": pd.array(rng.choice(["x", "y", None], 1000), dtype="str"),
            "b": rng.choice([0.0, -0.0, np.nan, 1.5], 1000),
            "c": np.arange(1000) % 7,
            "d": rng.random(1000),  # many distinct values: products renumbered
        }
    )
    codes = row_codes(f, ["a", "b", "c", "d", "d", "d", "d"])
    a = f["a"].astype(object).where(f["a"].notna(), None).tolist()
    b = [np.float64(x).tobytes() for x in f["b"]]  # bit for bit: -0.0 is not 0.0
    keys = list(zip(a, b, f["c"], f["d"], strict=True))
    first_seen: dict = {}
    want = np.array([first_seen.setdefault(k, len(first_seen)) for k in keys])
    assert np.array_equal(codes, want)
    first, inverse = _first_rows(codes)
    _, ref_first, ref_inverse = np.unique(codes, return_index=True, return_inverse=True)
    assert np.array_equal(first, ref_first) and np.array_equal(inverse, ref_inverse)


# Words that steer the plan: affixes at either end, abbreviations, group words, initialisms.
_WORDS = sorted(
    {"new", "york", "saint", "la", "paz", "san", "st", "Ste", "mt", "FT", "and", "Und", "et"}
    | {"sowie", "city", "City", "of", "di", "de", "d", "Town", "stad", "kommune", "s", "shi"}
    | {"gun", "si", "D.C.", "a.b", "x.", "-si", "-shi", "Stadt", "Comune", "Municipality"}
    | {"Council", "county", "borough", "Gemeente", "ville", "u.s.", "12", "é", "Ø", "/", ","}
    | {"(", ")", "'", "\u017fowie", "\u212a", "_", "\t", "", "São", "Łódź", "ß", "Æ", "·"}
    | {"«", "\u02bc", "\u00a9", "Dąbrowa", "İ", "\u0131", "Ñ", "\u0301", "\u00a0"}
)
_SEPARATORS = st.sampled_from([" ", "  ", "-", ".", " - ", "", ". "])


_AFFIXES = sorted(
    {*textnorm.ADMIN_PREFIXES, *textnorm._COUNCIL_PREFIXES, *textnorm.ADMIN_SUFFIXES}
    | {*textnorm._COUNCIL_SUFFIXES, *textnorm._AREA_SUFFIXES}
)


@st.composite
def _names(draw) -> str:
    words = st.sampled_from(_WORDS) | st.text(max_size=6)
    parts = draw(st.lists(words, max_size=4))
    if draw(st.booleans()):  # an affix (any case) at either end, or inside
        affix = draw(st.sampled_from(_AFFIXES))
        affix = affix.title() if draw(st.booleans()) else affix
        parts.insert(draw(st.integers(0, len(parts))), affix)
    out = ""
    for p in parts:
        out += draw(_SEPARATORS) + p
    return out + draw(_SEPARATORS)


@settings(max_examples=3000, deadline=None)
@given(
    st.one_of(
        _names(), _names(), st.text(), st.from_regex(r"[A-Za-z0-9 .\-]{0,20}", fullmatch=True)
    )
)
def test_plain_plan_is_reference_plan(raw: str) -> None:
    fast = naming._plain_plan(raw)
    assert fast is None or fast == naming.reference_plan(raw)
    assert naming.plan(raw) == naming.reference_plan(raw)


@pytest.mark.parametrize(
    "raw",
    ["Bologna", " Kisilevsk  ", "Chelgard.", "New  York", "Tai-pei", "Garha Brahman 2", "Łódź"],
)
def test_plain_plan_takes_plain_names(raw: str) -> None:
    assert naming._plain_plan(raw) == naming.reference_plan(raw)
    for other in (
        "City of Muonio",
        "St. Louis",
        "D.C.",
        "Suwon-si",
        "Alkmaar, Heiloo",
        "Zürich, Z",
    ):
        assert naming._plain_plan(other) is None
