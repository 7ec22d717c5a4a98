"""Coordinate review: a second look at rows whose point and name disagree.

The matching stage has already checked every point against the places of its country
(`analysis.resolve.geo`); here the name is the evidence (package docstring, "Coordinate
review"). Rows are re-matched in one sub-pass of the matcher, by name alone or at the
point read as degrees.minutes; `coord_fix` and `reason` record what was done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from analysis.resolve import geo
from analysis.resolve.gazetteer import Gazetteer, haversine_km, unit_vectors
from analysis.resolve.match.candidates import place_has_key
from analysis.resolve.match.naming import plan, whole_keys
from analysis.resolve.match.regions import qualifier_region
from analysis.resolve.match.state import MatchState, Options, float_col
from analysis.resolve.match.vectors import isin

# Repairs of analysis.resolve.geo that only a name match near the repaired point confirms.
REPAIRED_FIXES = frozenset({"swapped", "sign_flipped"})
NAME_METHODS = ("exact", "alternate", "fuzzy")
_DM_TRIGGER_KM = 25.0  # a name match this far (or too far) may be a degrees.minutes point
_DM_KM = 5.0  # ... when the decoded point has a place of the name this close
_NAMESAKE_KM = 10.0  # a place of the name this close abroad: the point is the namesake's
# sole_name_rescue: the source's population between 1/3 and 5 times the place's (~95% of
# exact matches within 5 km: sources count municipalities, GeoNames often the town proper)
_POP_FACTOR_BELOW, _POP_FACTOR_ABOVE = 3.0, 5.0
_REGION_KM = 100.0  # the point's region is that of the nearest place of the country this close
_ABROAD_KM = 100.0  # a point abroad this far from every place of its country is no evidence

Rematch = Callable[[pd.DataFrame, Options], MatchState]


def review_coordinates(
    st: MatchState, gaz: Gazetteer, opts: Options, sole_name_rescue: bool, rematch: Rematch
) -> None:
    """Second look at rows whose coordinates and name disagree, in place; `rematch` runs a
    matching pass on some mentions (the driver's `match_pass`).

    1. degrees_minutes: the name matched beyond `_DM_TRIGGER_KM` (or only beyond max_km)
       and, read as degrees.minutes, the point has a place of the name within `_DM_KM`.
    2. dropped: the name matched only beyond max_km and the point is not evidence against
       the name: it lies at a namesake abroad, or abroad and over `_ABROAD_KM` from every
       place of the country (Impruneta, Italy geocoded in Bavaria), or in another region
       than the name's own qualifier ("Ambler, PA" placed in Alaska), or it is a geo repair
       (swap, sign flip) that the name does not confirm. Matched again by name alone.
    3. territories: the name has no place within max_km in the stated country but one in a
       territory filed under it (`geo.RELATED_COUNTRIES`: Saint-Denis, France on Réunion).
    """
    open_rows = st.has_xy & st.city_row & ~st.is_group
    # 1. rows that may be degrees and minutes written as decimals
    far_name = isin(st.method, NAME_METHODS) & (st.dist > _DM_TRIGGER_KM)
    dm_rows = open_rows & (st.coord_fix == "none") & (far_name | st.too_far)
    dlat, ok_lat = geo.degrees_minutes(st.lat)
    dlon, ok_lon = geo.degrees_minutes(st.lon)
    dm_idx = np.flatnonzero(dm_rows & ok_lat & ok_lon)
    # 2. rows whose point contradicts the name: to be matched by name alone
    far = np.flatnonzero(st.too_far & open_rows & isin(st.method, ("unmatched", "nearest")))
    notes = _contradictions(st, far, gaz) if len(far) else {}
    pop = float_col(st.mentions, "population", st.n)
    if sole_name_rescue:  # the name of one place only, of the source's population
        lookup = gaz.admin1_lookup()
        for r in far[st.sole_far[far] & (pop[far] > 0)].tolist():
            notes.setdefault(r, ("", qualifier_region(str(st.raw[r]), st.iso[r], lookup)))
    name_idx = np.array(sorted(notes), dtype=np.int64)
    if len(dm_idx) or len(name_idx):
        # one pass for both: decoded points within _DM_KM of a place of the name, and the
        # contradicted rows without their point
        sub = pd.concat(
            [
                st.mentions.iloc[dm_idx].assign(lat=dlat[dm_idx], lon=dlon[dm_idx]),
                st.mentions.iloc[name_idx].assign(lat=np.nan, lon=np.nan),
            ]
        )
        res = rematch(sub, replace(opts, max_km=_DM_KM, nearest_km=0.0))
        done = _take_degrees_minutes(st, dm_idx, res.part(0, len(dm_idx)))
        _take_by_name(st, gaz, name_idx, res.part(len(dm_idx)), notes, pop, done)
    # 3. a territory filed under the stated country
    related = np.array([c in geo.RELATED_COUNTRIES for c in st.iso_uniq.tolist()], dtype=bool)
    idx = np.flatnonzero(open_rows & related[st.iso_code] & (st.method == "unmatched"))
    if len(idx):
        _territories(st, idx, gaz, opts.max_km)


def _take_degrees_minutes(st: MatchState, dm_idx: np.ndarray, dm: dict) -> set[int]:
    """Step 1's rows the decoded point matches by name; returns them."""
    ok = isin(dm["method"], NAME_METHODS)
    st.take(dm_idx[ok], dm, ok, "degrees_minutes")
    return set(dm_idx[ok].tolist())


def _take_by_name(st, gaz: Gazetteer, name_idx, res: dict, notes: dict, pop, done) -> None:
    """Step 2's rows matched by name alone, in their qualifier's region when it names one,
    and (sole-name rescue) of a population like the source's."""
    ok = isin(res["method"], NAME_METHODS)
    ok &= ~np.isin(name_idx, list(done))
    hint = np.array([notes[i][1] or "" for i in name_idx], dtype=object)
    ok &= (hint == "") | (res["admin1"] == hint)
    note = np.array([notes[i][0] for i in name_idx], dtype=object)
    sole = note == ""
    if sole.any():
        pl = gaz.places()
        pos = gaz.place_positions(np.where(res["gid"] >= 0, res["gid"], pl["geonameid"][0]))
        ratio = pop[name_idx] / np.maximum(pl["population"][pos], 1)
        like = (pl["population"][pos] > 0) & (ratio >= 1 / _POP_FACTOR_BELOW)
        ok &= ~sole | (like & (ratio <= _POP_FACTOR_ABOVE))
        km = haversine_km(st.lat[name_idx], st.lon[name_idx], pl["lat"][pos], pl["lon"][pos])
        note[sole] = [
            f"coordinates ignored: {d:.0f} km from {nm}, the only place of that name "
            "in the country, of a population like the source's"
            for d, nm in zip(km[sole], pl["name"][pos][sole], strict=True)
        ]
    st.take(name_idx[ok], {**res, "reason": note}, ok, "dropped")


def _places_near(lat, lon, radius_km: float, gaz: Gazetteer) -> list[np.ndarray]:
    """Positions in `places()` within radius_km of each point."""
    hits = gaz.tree().query_ball_point(
        unit_vectors(lat, lon), r=float(geo.chord(radius_km)) * (1 + 1e-9), return_sorted=False
    )
    return [np.asarray(h, dtype=np.int64) for h in hits]


def _contradictions(st: MatchState, rows: np.ndarray, gaz: Gazetteer) -> dict:
    """row -> (note, admin1 the name must match or None) for rows whose point is no
    evidence against the name (`review_coordinates`, step 2)."""
    near = _places_near(st.lat[rows], st.lon[rows], _NAMESAKE_KM, gaz)
    out: dict[int, tuple[str, str | None]] = {}
    for r, hits in zip(rows.tolist(), near, strict=True):
        why = _repair_unconfirmed(st.coord_fix[r])
        why = why or _namesake_abroad(st, r, hits, gaz)
        why = why or _abroad(st, r, gaz)
        why = why or _other_region(st, r, gaz)
        if why:
            out[r] = why
    return out


def _repair_unconfirmed(fix: str):
    if fix in REPAIRED_FIXES:
        return (f"coordinates ignored: the {fix} point does not confirm the name", None)
    return None


def _namesake_abroad(st: MatchState, r: int, hits: np.ndarray, gaz: Gazetteer):
    """The point lies at a place of the name in another country (within _NAMESAKE_KM)."""
    pl = gaz.places()
    block = set(geo.country_block(st.iso[r]))
    hits = hits[~np.isin(pl["iso3"][hits], list(block))] if len(hits) else hits
    if not len(hits):
        return None
    keys = set(whole_keys(str(st.raw[r])))
    d = haversine_km(st.lat[r], st.lon[r], pl["lat"][hits], pl["lon"][hits])
    for h in hits[np.argsort(d, kind="stable")].tolist():
        if place_has_key(h, keys, gaz) is not None:
            return (
                f"coordinates ignored: they lie at {pl['name'][h]} ({pl['iso3'][h]}), "
                "a namesake abroad",
                None,
            )
    return None


def _abroad(st: MatchState, r: int, gaz: Gazetteer):
    away = _abroad_km(st.lat[r], st.lon[r], st.iso[r], gaz)
    if away is None:
        return None
    return (
        f"coordinates ignored: they lie abroad, {away:.0f} km from the nearest "
        f"place of {st.iso[r]}",
        None,
    )


def _abroad_km(lat: float, lon: float, iso3: str, gaz: Gazetteer) -> float | None:
    """Distance to the stated country's nearest place when the point lies abroad: the
    nearest place of all is foreign (within 25 km: the point is among another country's
    places, not at a remote spot such as Wales, Alaska facing Chukotka) and the country's
    nearest is over `_ABROAD_KM` away."""
    xyz = unit_vectors(np.array([lat]), np.array([lon]))
    chord, pos = gaz.tree().query(xyz, k=1)
    if gaz.places()["iso3"][pos[0]] in geo.country_block(iso3):
        return None
    if geo.arc_km(chord[0]) > _NAMESAKE_KM * 2.5:
        return None  # not among another country's places either: a remote spot
    home = geo.nearest_place_km(np.array([lat]), np.array([lon]), iso3, gaz)[0]
    return float(home) if np.isfinite(home) and home > _ABROAD_KM else None


def _other_region(st: MatchState, r: int, gaz: Gazetteer):
    """The point lies in another region than the one the name's qualifier names."""
    iso3 = st.iso[r]
    hint = qualifier_region(str(st.raw[r]), iso3, gaz.admin1_lookup())
    tree = gaz.country_tree(iso3) if hint else None
    if tree is None:
        return None
    dist, k = tree.query(unit_vectors(st.lat[r : r + 1], st.lon[r : r + 1]), k=1)
    if geo.arc_km(dist[0]) > _REGION_KM:
        return None  # no place of the country near the point: its region is unknown
    region = gaz.places()["admin1_code"][gaz.country_positions(iso3)[k[0]]]
    if region == hint:
        return None
    return (
        f"coordinates ignored: they lie in {region}, not in {hint} that the name's qualifier names",
        hint,
    )


def _territories(st: MatchState, rows: np.ndarray, gaz: Gazetteer, max_km: float) -> None:
    """Step 3 of `review_coordinates`: a place of the name within max_km in a territory."""
    pl = gaz.places()
    near = _places_near(st.lat[rows], st.lon[rows], max_km, gaz)
    for r, hits in zip(rows.tolist(), near, strict=True):
        related = set(geo.RELATED_COUNTRIES.get(st.iso[r], ()))
        hits = hits[np.isin(pl["iso3"][hits], list(related))] if len(hits) else hits
        if not len(hits):
            continue
        best = _best_named_place(st, r, hits, gaz, max_km)
        if best is None:
            continue
        _, rank, dd, gid, h = best
        st.gid[r] = gid
        st.method[r] = "exact" if rank == 0 else "alternate"
        st.score[r] = 100.0
        st.dist[r] = dd
        st.admin1[r] = pl["admin1_code"][h]
        st.matched[r] = pl["name"][h]
        st.reason[r] = f"place in {pl['iso3'][h]}, which the source lists under {st.iso[r]}"


def _best_named_place(st: MatchState, r: int, hits: np.ndarray, gaz: Gazetteer, max_km):
    """(key order, rank, km, geonameid, position) of the best place among `hits` that
    carries a key of row r's name within max_km, or None."""
    pl = gaz.places()
    keys = plan(str(st.raw[r])).keys
    order = {k: i for i, k in enumerate(keys)}
    best = None
    d = haversine_km(st.lat[r], st.lon[r], pl["lat"][hits], pl["lon"][hits])
    starts, krows = gaz.place_keys()
    a = gaz.arrays()
    for h, dd in zip(hits.tolist(), np.atleast_1d(d).tolist(), strict=True):
        sel = krows[starts[h] : starts[h + 1]]
        for k, rank in zip(a["key"][sel], a["rank"][sel], strict=True):
            if k in order and dd <= max_km:
                cand = (order[k], int(rank), dd, int(pl["geonameid"][h]), h)
                best = cand if best is None or cand < best else best
    return best
