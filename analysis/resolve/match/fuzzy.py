"""Fuzzy matching of names that no key of the gazetteer matched exactly.

rapidfuzz scores a name against its country's keys (rows without coordinates, once per
distinct name per stage: memoised on the gazetteer) or against the keys of places within
max_km (rows with coordinates). A result must share the query's first letter, which also
prunes what is scored; for the Indel scorers only keys of a compatible length are scored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from analysis.resolve.gazetteer import (
    EARTH_RADIUS_KM,
    Gazetteer,
    haversine_km,
    token_sorted,
    unit_vectors,
)
from analysis.resolve.match.naming import fuzzy_query
from analysis.resolve.match.state import MatchState, Pairs
from analysis.resolve.match.vectors import first_of_runs, ranges, tree_pairs

SCORERS = {"token_sort_ratio": fuzz.token_sort_ratio, "WRatio": fuzz.WRatio, "ratio": fuzz.ratio}
_FUZZY_MIN_LEN = 4  # shorter keys fuzzy-match almost anything


# rapidfuzz starts a thread pool per call with workers=-1 (about a millisecond): worth it
# for large score matrices only; most calls score a few queries against a short window.
_PARALLEL_CELLS = 200_000


def _workers(cells: int) -> int:
    return -1 if cells >= _PARALLEL_CELLS else 1


def fuzzy_keys(no_cand, pair_iso, plans, gaz: Gazetteer, threshold: float, scorer) -> pd.DataFrame:
    """Best fuzzy key per pair within its country: columns pair, iso3, key, score.

    Results are memoised on the gazetteer per (country, query), so each distinct name is
    scored once per stage, not once per source. For the Indel-based scorers (ratio,
    token_sort_ratio) only choices of a compatible length are scored: a score of t needs
    the lengths within a factor (200 - t) / t of each other.
    """
    memo = gaz.fuzzy_memo
    sname = getattr(scorer, "__name__", str(scorer))
    windowed = scorer in (fuzz.ratio, fuzz.token_sort_ratio)
    todo: dict[str, set[str]] = {}
    asks: list[tuple[int, tuple]] = []
    for p in no_cand:
        c, keys = pair_iso[p], plans[p].keys
        if not c or not keys:
            continue
        q = fuzzy_query(plans[p])
        if len(q) < _FUZZY_MIN_LEN:
            continue
        mk = (c, q, sname, float(threshold))
        asks.append((p, mk))
        if mk not in memo:
            todo.setdefault(c, set()).add(q)
    for c, qset in todo.items():
        for q, r in _country_best(c, sorted(qset), gaz, threshold, scorer, windowed).items():
            memo[(c, q, sname, float(threshold))] = r
    out = []
    for p, mk in asks:
        r = memo[mk]
        if r is not None:
            out.append((p, mk[0], r[0], r[1]))
    return pd.DataFrame(out, columns=["pair", "iso3", "key", "score"])


def _country_best(
    c: str, queries: list[str], gaz: Gazetteer, threshold: float, scorer, windowed: bool
) -> dict[str, tuple[str, float] | None]:
    """query -> (best choice of country c, score), or None when none reaches the threshold
    with the query's first letter."""
    out: dict[str, tuple[str, float] | None] = dict.fromkeys(queries)
    choices = gaz.fuzzy_choices(c)
    if not choices:
        return out
    lo, hi = _windows(queries, gaz.fuzzy_lengths(c), threshold, windowed)
    if int((hi - lo).sum()) > _PRUNE_CELLS:
        # A result must start with the query's letter, so a query none of whose
        # same-letter choices reaches the threshold has none (whatever else scores
        # best); only the others are scored against every choice of their window.
        hopeful = _same_first_hits(queries, c, gaz, threshold, scorer, windowed)
        keep = np.array([q in hopeful for q in queries], dtype=bool)
        queries = [q for q in queries if q in hopeful]
        lo, hi = lo[keep], hi[keep]
        if not queries:
            return out
    arg, top = _window_best(
        queries, lo, hi, choices, gaz.fuzzy_choices_token_sorted(c), threshold, scorer
    )
    ok = (top >= threshold) & (top > 0)  # compared in the scores' dtype, as before
    for q, k, sc, good in zip(queries, arg.tolist(), top.tolist(), ok.tolist(), strict=True):
        r = (choices[k], sc) if good else None
        if r is not None and r[0][:1] != q[:1]:
            r = None  # a different first letter is another name ("Ocheon")
        out[q] = r
    return out


def _same_first_hits(
    queries: list[str], iso3: str, gaz: Gazetteer, threshold: float, scorer, windowed: bool
) -> set[str]:
    """Queries with a choice of their country that starts with their first letter, is
    within their length window (when windowed) and scores >= threshold (and > 0)."""
    by_first: dict[str, list[str]] = {}
    for q in queries:
        by_first.setdefault(q[:1], []).append(q)
    out: set[str] = set()
    for first, qs in by_first.items():
        keys, keys_sorted, lengths = gaz.fuzzy_choices_from(iso3, first)
        if not keys:
            continue
        lo, hi = _windows(qs, lengths, threshold, windowed)
        _, top = _window_best(qs, lo, hi, keys, keys_sorted, threshold, scorer)
        hit = (top >= threshold) & (top > 0)
        out.update(q for q, h in zip(qs, hit.tolist(), strict=True) if h)
    return out


def _windows(
    queries: list[str], lengths: np.ndarray, threshold: float, windowed: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Per query, the slice lo:hi of length-sorted choices (`lengths`) it is scored
    against: all, or for an Indel ratio (ratio, token_sort_ratio) of at least t those
    whose length m can reach it against the query's n: 200 min(n, m) / (n + m) >= t."""
    if not windowed:
        return np.zeros(len(queries), dtype=np.int64), np.full(len(queries), len(lengths))
    # n t / (200 - t) <= m <= n (200 - t) / t, with a little slack for rounding
    n = np.fromiter(map(len, queries), dtype=np.int64, count=len(queries))
    t = max(threshold, 1.0)
    shortest = np.ceil(n * t / (200.0 - t) - 1e-9).astype(np.int64)
    longest = np.floor(n * (200.0 - t) / t + 1e-9).astype(np.int64)
    lo = np.searchsorted(lengths, shortest, "left")
    hi = np.searchsorted(lengths, longest, "right")
    return lo.astype(np.int64), hi.astype(np.int64)


# Score cells of a country's queries above which they are first scored against the
# choices of their own first letter only (`_same_first_hits`), to drop the hopeless ones.
_PRUNE_CELLS = 200_000
# Relative cost of a choice per rapidfuzz call (conversion, ~85 ns) and of one score
# (~10-20 ns): queries whose windows overlap are scored in one call when that is cheaper.
_CHOICE_COST, _CELL_COST = 6, 1
_MAX_CELLS = 5_000_000  # score-matrix cells per call (float32: 20 MB)


def _window_best(
    queries: list[str],
    lo: np.ndarray,
    hi: np.ndarray,
    choices: list[str],
    choices_sorted: list[str],
    threshold: float,
    scorer,
) -> tuple[np.ndarray, np.ndarray]:
    """Per query i, the first choice in choices[lo[i]:hi[i]] with the highest score, and
    that score (0 when the window is empty or nothing reaches the threshold).

    Queries are batched: one `process.cdist` over the union of a few neighbouring windows,
    with the cells outside each query's own window set to 0, gives each query exactly the
    scores and first maximum of a call over its own window (cells are scored
    independently). token_sort_ratio is scored as ratio of token-sorted strings
    (`choices_sorted`; the same score, without re-sorting every choice per call)."""
    presorted = scorer is fuzz.token_sort_ratio
    score_with = fuzz.ratio if presorted else scorer
    scored_choices = choices_sorted if presorted else choices
    scored_queries = token_sorted(queries) if presorted else queries
    arg = np.full(len(queries), -1, dtype=np.int64)
    top: np.ndarray | None = None  # in the dtype of the scores (float32 for these scorers)
    order = [i for i in np.lexsort((hi, lo)).tolist() if hi[i] > lo[i]]
    batches: list[tuple[int, int, list[int]]] = []
    for i in order:
        a, b = int(lo[i]), int(hi[i])
        if batches:
            start, stop, members = batches[-1]
            union = max(stop, b) - start
            merged = union * (_CHOICE_COST + (len(members) + 1) * _CELL_COST)
            apart = (stop - start) * (_CHOICE_COST + len(members) * _CELL_COST) + (b - a) * (
                _CHOICE_COST + _CELL_COST
            )
            if merged <= apart and union * (len(members) + 1) <= _MAX_CELLS:
                batches[-1] = (start, max(stop, b), [*members, i])
                continue
        batches.append((a, b, [i]))
    for start, stop, members in batches:
        rows = np.asarray(members, dtype=np.int64)
        m = process.cdist(
            [scored_queries[i] for i in members],
            scored_choices[start:stop],
            scorer=score_with,
            score_cutoff=threshold,
            workers=_workers(len(members) * (stop - start)),
        )
        cols = np.arange(stop - start)
        outside = (cols < (lo[rows] - start)[:, None]) | (cols >= (hi[rows] - start)[:, None])
        m[outside] = 0
        best = m.argmax(axis=1)
        arg[rows] = best + start
        if top is None:
            top = np.zeros(len(queries), dtype=m.dtype)
        top[rows] = m[np.arange(len(rows)), best]
    return arg, (top if top is not None else np.zeros(len(queries), dtype=np.float32))


def fuzzy_local(
    idx: np.ndarray,
    st: MatchState,
    pairs: Pairs,
    gaz: Gazetteer,
    threshold: float,
    scorer,
    max_km: float,
) -> None:
    """Fuzzy match of rows with coordinates against the names of places within max_km.

    `idx` indexes pairs.rows. Best: highest score, then name kind, distance, geonameid.
    Places outside the row's country (when known) are ignored.
    """
    if not len(idx):
        return
    rows = pairs.rows[idx]
    plans = pairs.plans
    queries = np.array(
        [fuzzy_query(plans[p]) if plans[p].keys else "" for p in pairs.of_row[idx]],
        dtype=object,
    )
    ok = np.fromiter((len(q) >= _FUZZY_MIN_LEN for q in queries), dtype=bool, count=len(queries))
    rows, queries = rows[ok], queries[ok]
    if not len(rows):
        return
    found = _local_keys(rows, queries, st, gaz, max_km)
    if found is None:
        return
    pos, owner, place = _length_fit(*found, queries, gaz, threshold, scorer)
    if not len(pos):
        return
    sc = _pair_scores(queries, owner, pos, gaz, threshold, scorer)
    good = (sc >= threshold) & (sc > 0)
    pos, owner, place, sc = pos[good], owner[good], place[good], sc[good]
    if not len(pos):
        return
    pl, a = gaz.places(), gaz.arrays()
    r = rows[owner]
    d = haversine_km(st.lat[r], st.lon[r], pl["lat"][place], pl["lon"][place])
    first = first_of_runs(
        np.lexsort((pl["geonameid"][place], d, a["rank"][pos], -sc, owner)), owner
    )
    jj = place[first]
    st.set_rows(
        r[first],
        gid=pl["geonameid"][jj],
        method="fuzzy",
        score=sc[first],
        dist=d[first],
        admin1=pl["admin1_code"][jj],
        matched=pl["name"][jj],
    )


def _local_keys(rows, queries, st: MatchState, gaz: Gazetteer, max_km: float):
    """(key row, owner, place) of every key with the query's first letter of every place
    of the row's country within max_km; None when no query letter has an index.

    Only keys with the query's first letter are scored (a different first letter is
    another name, never taken): each row is searched among the places that have such a
    key only (one KD-tree per first letter; a tenth of the places nearby), and their keys
    of that letter are one slice of the gazetteer's (place, first letter) index."""
    chord = 2.0 * np.sin(max_km / (2.0 * EARTH_RADIUS_KM))
    irows, bounds, first_ids = gaz.local_key_index()
    qfirst = np.fromiter(
        (first_ids.get(q[:1], -1) for q in queries.tolist()), dtype=np.int64, count=len(queries)
    )
    xyz = unit_vectors(st.lat[rows], st.lon[rows])
    found = []
    for f in np.unique(qfirst[qfirst >= 0]).tolist():
        mine = np.flatnonzero(qfirst == f)
        tree, at = gaz.first_letter_tree(f)
        near, k = tree_pairs(tree, xyz[mine], chord * (1 + 1e-9))
        found.append((at[near], mine[k]))
    if not found:
        return None
    place = np.concatenate([p for p, _ in found])
    owner = np.concatenate([o for _, o in found])
    code = gaz.country_codes(st.iso[rows])[owner]
    keep = (code == -1) | (gaz.place_country_codes()[1][place] == code)
    place, owner = place[keep], owner[keep]
    block = place * len(first_ids) + qfirst[owner]
    pos, sub = ranges(bounds[block].astype(np.int64), bounds[block + 1].astype(np.int64))
    return irows[pos], owner[sub], place[sub]


def _length_fit(pos, owner, place, queries, gaz: Gazetteer, threshold, scorer):
    """Keep the keys whose length can reach the threshold (Indel scorers; see _windows)."""
    if scorer not in (fuzz.ratio, fuzz.token_sort_ratio):
        return pos, owner, place
    qlen = np.fromiter(map(len, queries), dtype=np.int64, count=len(queries))[owner]
    klen = gaz.arrays()["key_len"][pos]
    t = max(float(threshold), 1.0)
    fit = (klen * (200.0 - t) >= qlen * t - 1e-6) & (klen * t <= qlen * (200.0 - t) + 1e-6)
    return pos[fit], owner[fit], place[fit]


def _pair_scores(queries: np.ndarray, owner, pos, gaz: Gazetteer, threshold, scorer):
    """Score of each key row `pos` against the query of its `owner`."""
    if scorer is fuzz.token_sort_ratio:  # the same scores, keys token-sorted once (gazetteer)
        qs = np.array(token_sorted(queries.tolist()), dtype=object)
        return process.cpdist(
            qs[owner].tolist(),
            gaz.token_sorted_keys(pos).tolist(),
            scorer=fuzz.ratio,
            score_cutoff=threshold,
            workers=_workers(len(pos)),
        )
    return process.cpdist(
        queries[owner].tolist(),
        gaz.arrays()["key"][pos].tolist(),
        scorer=scorer,
        score_cutoff=threshold,
        workers=_workers(len(pos)),
    )
