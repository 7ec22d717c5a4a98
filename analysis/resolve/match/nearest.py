"""Fallback for rows with coordinates whose name failed: the most populous place nearby.

So an embassy labelled "Chaoyang District" rolls up to Beijing rather than to a tiny
neighbouring locality. Not where the name is that of exactly one place of the country,
beyond max_km: name and point then disagree, and the nearest place is mostly another
town (Karlsruhe geocoded in Remscheid), unless the name's qualifier names the nearest
place ("Tiexi (Shenyang)"); never for a point repaired by `analysis.resolve.geo`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.resolve.gazetteer import EARTH_RADIUS_KM, Gazetteer, haversine_km, unit_vectors
from analysis.resolve.match.candidates import place_has_key
from analysis.resolve.match.state import MatchState, Pairs
from analysis.resolve.match.vectors import first_of_runs, tree_pairs
from analysis.resolve.textnorm import literal_key, normalize_name


def sole_name_far_rows(pairs: Pairs, cand: pd.DataFrame, far_rows: np.ndarray) -> np.ndarray:
    """The rows of `far_rows` (name matched only beyond max_km) whose name is that of
    exactly one place of the country."""
    far_pairs = pairs.pair_of_rows(far_rows)
    c_pair = cand["pair"].to_numpy()
    sel = np.isin(c_pair, far_pairs) & (cand["rank"].to_numpy() <= 2)
    sole = pd.Series(cand["geonameid"].to_numpy()[sel]).groupby(c_pair[sel]).nunique()
    return far_rows[np.isin(far_pairs, sole.index[sole.to_numpy() == 1])]


def fall_back_to_nearest(
    st: MatchState,
    pairs: Pairs,
    sole_far: np.ndarray,
    gaz: Gazetteer,
    radius: float,
    no_nearest: np.ndarray | None,
) -> None:
    """The nearest fallback for the open city rows (module docstring); `sole_far` rows
    only when their qualifier names the nearest place."""
    rows = pairs.rows
    skip = np.isin(rows, sole_far)
    if no_nearest is not None:
        skip |= no_nearest[rows]
    todo = rows[~skip]
    todo = todo[st.has_xy[todo] & (st.method[todo] == "unmatched")]
    _write(st, gaz, *nearest_places(st, todo, gaz, radius))
    has_qualifier = np.fromiter(
        (pl.qualifier is not None for pl in pairs.plans), bool, len(pairs.plans)
    )
    qualified = rows[np.isin(rows, sole_far) & has_qualifier[pairs.of_row]]
    if no_nearest is not None:
        qualified = qualified[~no_nearest[qualified]]
    if len(qualified):
        _nearest_named_by_qualifier(st, pairs, qualified, gaz, radius)
    near = rows[st.method[rows] == "nearest"]
    if len(near):
        st.matched[near] = gaz.places()["name"][gaz.place_positions(st.gid[near])]
        st.reason[near] = ""


def nearest_places(
    st: MatchState, todo: np.ndarray, gaz: Gazetteer, radius: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, place position, km): the most populous place within `radius` of each row
    of `todo` (with coordinates), in the row's country when known.

    One KD-tree ball query on 3D unit vectors for all rows at once (the tree is built once
    per gazetteer)."""
    none = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    if not len(todo) or radius <= 0:
        return none
    pl = gaz.places()
    chord = 2.0 * np.sin(radius / (2.0 * EARTH_RADIUS_KM))
    xyz = unit_vectors(st.lat[todo], st.lon[todo])
    idx, owner = tree_pairs(gaz.tree(), xyz, chord * (1 + 1e-9))
    if not len(idx):
        return none
    code = gaz.country_codes(st.iso[todo])[owner]  # integer compares, not strings per pair
    keep = (code == -1) | (gaz.place_country_codes()[1][idx] == code)
    idx, owner = idx[keep], owner[keep]
    r = todo[owner]
    d = haversine_km(st.lat[r], st.lon[r], pl["lat"][idx], pl["lon"][idx])
    keep = d <= radius
    idx, owner, r, d = idx[keep], owner[keep], r[keep], d[keep]
    if not len(idx):
        return none
    first = first_of_runs(
        np.lexsort((pl["geonameid"][idx], d, -pl["population"][idx], owner)), owner
    )
    return r[first], idx[first], d[first]


def _write(st: MatchState, gaz: Gazetteer, rows, places, km) -> None:
    """Record `nearest_places`' picks as `nearest` matches."""
    pl = gaz.places()
    st.set_rows(
        rows,
        gid=pl["geonameid"][places],
        method="nearest",
        dist=km,
        admin1=pl["admin1_code"][places],
    )


def _nearest_named_by_qualifier(
    st: MatchState, pairs: Pairs, todo: np.ndarray, gaz: Gazetteer, radius: float
) -> None:
    """The fallback for rows whose bracket/comma qualifier is a name of the nearest place."""
    rows, places, km = nearest_places(st, todo[st.has_xy[todo]], gaz, radius)
    if not len(rows):
        return
    pl = gaz.places()
    gid = pl["geonameid"][places]
    pos = gaz.place_positions(gid)
    for i, (r, place) in enumerate(zip(rows.tolist(), pos.tolist(), strict=True)):
        q = pairs.plans[pairs.pair_of_rows(r)].qualifier
        if place_has_key(place, {literal_key(q), normalize_name(q)}, gaz) is not None:
            st.gid[r], st.method[r], st.dist[r] = gid[i], "nearest", km[i]
            st.admin1[r] = pl["admin1_code"][places[i]]
