"""The best candidate per unit, and writing it into the rows it stands for.

A unit is a pair (its rows without coordinates share one answer) or a single row with
coordinates (distance decides, and candidates beyond max_km are rejected). Ranking is one
lexsort over plain arrays, not a Python loop per mention.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.resolve.gazetteer import Gazetteer, haversine_km
from analysis.resolve.match.state import MatchState, Pairs
from analysis.resolve.match.vectors import group_starts, ranges

# A place this large is never overridden under its own primary name: New Delhi (317k)
# stays New Delhi although Delhi (11M) lists "New Delhi" as an alternate name.
_OVERRIDE_MAX_POP = 100_000


def choose(
    cand: pd.DataFrame,
    pairs: Pairs,
    st: MatchState,
    gaz: Gazetteer,
    max_km: float,
    override: float,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Best candidate per unit; units are pairs (no coordinates) or single rows (with).

    Per unit, candidates rank by key order, qualifier hint missed, name rank, distance
    (rows) and population, then geonameid (package docstring); on plain arrays: a join of
    candidates to the rows of their pair and one lexsort. Returns one row per unit, and
    the rows whose name matched only beyond max_km."""
    c = {k: cand[k].to_numpy() for k in ("pair", "order", "rank", "geonameid", "population")}
    names_row = cand["pos"].to_numpy()
    arrays = gaz.arrays()
    for col in ("lat", "lon", "admin1_code"):
        c[col] = arrays[col][names_row]
    pair = c["pair"].astype(np.int64, copy=False)
    hint_miss = _hint_missed(pair, pairs.hints, c["admin1_code"])
    # pair-level units for rows without coordinates; their country must be known
    no_xy = ~st.has_xy[pairs.rows] & (st.iso[pairs.rows] != "")
    in1 = np.flatnonzero(np.isin(pair, np.unique(pairs.of_row[no_xy])))
    ci, row, d, far_rows = _row_candidates(pair, c["lat"], c["lon"], pairs, st, max_km)
    # both kinds of units as one candidate list: index into cand, unit, distance
    idx = np.concatenate([in1, ci])
    unit = np.concatenate([pair[in1], -1 - row])  # negative: a row, decoded in apply_best
    dist_sort = np.concatenate([np.zeros(len(in1)), d])
    distance = np.concatenate([np.full(len(in1), np.nan), d])
    miss = hint_miss[idx]
    pop = c["population"][idx]
    order = np.lexsort(
        (c["geonameid"][idx], -pop, dist_sort, c["rank"][idx], miss, c["order"][idx], unit)
    )
    starts = group_starts(unit[order])
    first = order[starts]  # best candidate per unit, in unit order
    pick = first
    if override and len(first):
        pick = _population_override(c, idx, unit, miss, dist_sort, pop, order, starts, override)
    best = pd.DataFrame(
        {
            "unit": unit[pick],
            "pair": pair[idx[pick]],
            "order": c["order"][idx[pick]],
            "rank": c["rank"][idx[pick]],
            "geonameid": c["geonameid"][idx[pick]],
            "population": pop[pick],
            "admin1_code": c["admin1_code"][idx[pick]],
            "distance_km": distance[pick],
            "hint_miss": miss[pick],
        }
    )
    return best, far_rows


def _row_candidates(pair, lat, lon, pairs: Pairs, st: MatchState, max_km: float):
    """Row-level units for rows with coordinates: (candidate, row, km) for each candidate
    of the row's pair within max_km, and the rows whose candidates are all farther."""
    xy_idx = np.flatnonzero(st.has_xy[pairs.rows])
    xy_pair = pairs.of_row[xy_idx]
    by_pair = np.argsort(xy_pair, kind="stable")
    sorted_pair = xy_pair[by_pair]
    lo = np.searchsorted(sorted_pair, pair, "left")
    hi = np.searchsorted(sorted_pair, pair, "right")
    j, ci = ranges(lo, hi)
    row = pairs.rows[xy_idx[by_pair[j]]]
    d = haversine_km(st.lat[row], st.lon[row], lat[ci], lon[ci])
    near = d <= max_km
    some, some_near = np.zeros(st.n, dtype=bool), np.zeros(st.n, dtype=bool)
    some[row] = True
    some_near[row[near]] = True
    far_rows = np.flatnonzero(some & ~some_near)  # candidates, none within max_km
    return ci[near], row[near], d[near], far_rows


def _hint_missed(pair: np.ndarray, hints: dict[int, str], admin1: np.ndarray) -> np.ndarray:
    """1 where a candidate's pair has a qualifier hint and the candidate lies elsewhere."""
    hint_miss = np.zeros(len(pair), dtype=np.int64)
    if hints and len(pair):
        hint = np.full(int(max(pair.max(), max(hints))) + 1, None, dtype=object)
        hint[list(hints)] = list(hints.values())
        h = hint[pair]
        hint_miss = (np.not_equal(h, None) & (h != admin1)).astype(np.int64)
    return hint_miss


def _population_override(c, idx, unit, miss, dist_sort, pop, order, starts, override):
    """The picks after population_override: a much larger place in the best's tier (same
    key order and hint miss, where coordinates do not decide: distance 0) replaces it."""
    first = order[starts]
    best_of = np.empty(len(idx), dtype=np.int64)
    best_of[order] = np.repeat(first, np.diff(np.r_[starts, len(order)]))
    key_order = c["order"][idx]
    tier = (key_order == key_order[best_of]) & (miss == miss[best_of]) & (dist_sort == 0)
    t = np.flatnonzero(tier)
    t = t[np.lexsort((c["geonameid"][idx][t], c["rank"][idx][t], -pop[t], unit[t]))]
    big = t[group_starts(unit[t])]  # most populous of each unit's tier
    swap = np.zeros(len(first), dtype=bool)
    at = np.zeros(len(first), dtype=np.int64)
    if len(big):  # units ascend in both: the big one of each best's unit, if any
        at = np.minimum(np.searchsorted(unit[big], unit[first]), len(big) - 1)
        swap = unit[big][at] == unit[first]
        swap &= pop[big][at] >= override * np.maximum(pop[first], 1)
        swap &= pop[first] < _OVERRIDE_MAX_POP
    return np.concatenate([first[~swap], big[at[swap]]])


def apply_best(best: pd.DataFrame, pairs: Pairs, st: MatchState, gaz: Gazetteer, how: str) -> None:
    """Write chosen candidates into the state's rows (vectorised): a pair unit into all its
    rows without coordinates, a row unit (negative) into that row."""
    if best.empty:
        return
    unit = best["unit"].to_numpy(dtype=np.int64)
    kind = np.where(best["rank"].to_numpy() == 0, "exact", "alternate").astype(object)
    if how == "fuzzy":
        kind = np.full(len(best), "fuzzy", dtype=object)
    sc = (
        best["score"].to_numpy(dtype=float)
        if "score" in best.columns
        else np.full(len(best), 100.0)
    )
    no_xy = np.flatnonzero(~st.has_xy[pairs.rows])
    is_pair = unit >= 0
    pair_best = pd.Series(np.flatnonzero(is_pair), index=unit[is_pair])
    j = pair_best.reindex(pairs.of_row[no_xy]).to_numpy()
    ok = ~np.isnan(j)
    src = np.concatenate([j[ok].astype(np.int64), np.flatnonzero(~is_pair)])
    tgt = np.concatenate([pairs.rows[no_xy[ok]], -1 - unit[~is_pair]])
    g = best["geonameid"].to_numpy(dtype=np.int64)[src]
    st.set_rows(
        tgt,
        gid=g,
        method=kind[src],
        score=sc[src],
        dist=best["distance_km"].to_numpy(dtype=float)[src],
        admin1=best["admin1_code"].to_numpy(dtype=object)[src],
        matched=gaz.places()["name"][gaz.place_positions(g)],
    )
