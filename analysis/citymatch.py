"""Match city mentions of any source to GeoNames ids, with an audit trail per mention.

Order of methods, always inside the mention's country block:
  exact      normalized name equals a place's primary name
  alternate  ... equals an alternate name, or a name stripped of affixes / "city"
  fuzzy      rapidfuzz score >= threshold against the country's names (only names that
             failed every exact key; scored once per distinct name)
  nearest    the source has coordinates and the name failed: the most populous place
             within `nearest_km` (so an embassy labelled "Chaoyang District" rolls up to
             Beijing rather than to a tiny neighbouring locality)
  admin1     regions (entity_type Region/State/Province) resolve to "CC.code", not cities
  group      a list of places ("Alkmaar, Bergen, Castricum, Heiloo"): flagged, no city_id
  unmatched  with a reason
Among candidates for the same key: a bracket/comma qualifier naming the admin1 ("Portland
(Oregon)", "Portland, ME") first, then name kind (primary < alternate < derived), then
distance when the source has coordinates (beyond `max_km` is rejected) or else
population. A much larger place under a weaker name kind wins (population_override): the
city proper beats a small town or district whose primary name is the city's alternate
("Baroda" in India is Vadodara, 1.8M, not the town Baroda, 18k; see _OVERRIDE_MAX_POP).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from analysis.errors import PipelineError
from analysis.gazetteer import (
    EARTH_RADIUS_KM,
    Gazetteer,
    haversine_km,
    normalize_region_name,
    unit_vectors,
)
from analysis.textnorm import (
    bracket_qualifier,
    council_name,
    genitive_variant,
    literal_key,
    normalize_name,
    split_group_signatory,
    strip_city_suffix,
)

REGION_TYPES = frozenset(
    {"region", "state", "province", "admin1", "territory", "prefecture", "oblast", "land"}
)
# Second-level units: matched to an admin1 region when one has the name, never to a city.
AREA_TYPES = frozenset({"county", "district", "admin2"})
OUTPUT_COLUMNS = [
    "source",
    "raw_name",
    "raw_country",
    "city_id",
    "method",
    "score",
    "distance_km",
    "admin1_code",
    "matched_name",
    "is_group",
    "reason",
]
_SCORERS = {"token_sort_ratio": fuzz.token_sort_ratio, "WRatio": fuzz.WRatio, "ratio": fuzz.ratio}
_FUZZY_MIN_LEN = 4  # shorter keys fuzzy-match almost anything
# A place this large is never overridden under its own primary name: New Delhi (317k)
# stays New Delhi although Delhi (11M) lists "New Delhi" as an alternate name.
_OVERRIDE_MAX_POP = 100_000


@dataclass(frozen=True)
class _Plan:
    keys: tuple[str, ...]  # lookup keys, most specific first
    n_whole: int  # keys[:n_whole] describe the whole name; later ones only its head
    qualifier: str | None  # bracket or comma qualifier, a possible admin1 hint
    members: tuple[str, ...] | None  # group members (syntactic; confirmed later)
    fuzzy_key: str | None = None  # the key fuzzy matching scores (default: keys[1])
    council: bool = False  # a council / municipal form was stripped for later keys
    area: tuple[str, ...] | None = None  # names an area ("... County Council"): region keys


@lru_cache(maxsize=500_000)
def _plan(raw: str) -> _Plan:
    keys: list[str] = []
    lit, std = literal_key(raw), normalize_name(raw)
    for k in (lit, std, strip_city_suffix(std), genitive_variant(raw)):
        if k and k not in keys:
            keys.append(k)
    n_whole = len(keys)
    qualifier = bracket_qualifier(raw)
    head, sep, tail = raw.partition(",")
    if sep:
        qualifier = qualifier or tail.split(",")[0].strip()
        h = normalize_name(head)
        for k in (h, strip_city_suffix(h)):
            if k and k not in keys:
                keys.append(k)
    members = split_group_signatory(raw)
    council = council_name(raw)
    if council is None:
        return _Plan(tuple(keys), n_whole, qualifier, tuple(members) if members else None)
    if council.native and qualifier and literal_key(qualifier) == council.native:
        qualifier = tail.split(",")[0].strip() if sep else None  # "(益城町)" is no admin1
    if council.area:
        return _Plan((), 0, qualifier, None, area=council.keys)
    extra = [k for k in (*council.keys, council.native) if k and k not in keys]
    return _Plan(
        (*keys, *extra),
        n_whole,
        qualifier,
        tuple(members) if members else None,
        fuzzy_key=council.keys[0] if council.keys else None,
        council=True,
    )


def _ranges(starts: np.ndarray, stops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate arange(start, stop) for each pair; also return the owner index."""
    lengths = stops - starts
    owner = np.repeat(np.arange(len(starts)), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return starts[owner] + offsets, owner


def _select(cand: pd.DataFrame, override: float) -> pd.DataFrame:
    """One row per unit: best candidate (see module docstring for the order)."""
    cand = cand.assign(neg_pop=-cand["population"])
    cand = cand.sort_values(
        ["unit", "order", "hint_miss", "rank", "dist_sort", "neg_pop", "geonameid"],
        kind="stable",
    )
    best = cand.drop_duplicates("unit")
    if override and not cand.empty:
        tier = cand.merge(best[["unit", "order", "hint_miss"]], on=["unit", "order", "hint_miss"])
        tier = tier[tier["dist_sort"].eq(0)]  # coordinates decide where given
        big = tier.sort_values(["unit", "neg_pop", "rank", "geonameid"]).drop_duplicates("unit")
        big = big.set_index("unit")
        b = best.set_index("unit")
        bp = big.reindex(b.index)
        swap = bp["population"].ge(override * b["population"].clip(lower=1)).fillna(False) & b[
            "population"
        ].lt(_OVERRIDE_MAX_POP)
        best = pd.concat([b[~swap], bp[swap]]).reset_index()
    return best


def match_cities(
    mentions: pd.DataFrame,
    gazetteer: Gazetteer,
    *,
    source: str,
    fuzzy_threshold: float = 90.0,
    scorer: str = "token_sort_ratio",
    max_km: float = 50.0,
    nearest_km: float = 10.0,
    population_override: float = 20.0,
) -> pd.DataFrame:
    """Resolve every mention; returns one audit row per input row, in input order.

    `mentions` needs `raw_name` and `country_iso3` (may be missing), optionally `lat`,
    `lon` and `entity_type`. Output columns: OUTPUT_COLUMNS (city_id is nullable Int64).
    """
    for col in ("raw_name", "country_iso3"):
        if col not in mentions.columns:
            raise PipelineError(f"match_cities({source}): mentions lack column {col!r}")
    if scorer not in _SCORERS:
        raise PipelineError(f"match_cities: unknown scorer {scorer!r}; use one of {list(_SCORERS)}")
    n = len(mentions)
    raw = mentions["raw_name"].astype("string").fillna("").to_numpy(dtype=object)
    iso = mentions["country_iso3"].astype("string").fillna("").str.strip().str.upper()
    iso = iso.to_numpy(dtype=object)
    lat = _float_col(mentions, "lat", n)
    lon = _float_col(mentions, "lon", n)
    has_xy = np.isfinite(lat) & np.isfinite(lon)
    etype = (
        mentions["entity_type"].astype("string").fillna("").str.strip().str.lower().to_numpy()
        if "entity_type" in mentions.columns
        else np.full(n, "", dtype=object)
    )

    gid = np.full(n, -1, dtype=np.int64)
    method = np.full(n, "unmatched", dtype=object)
    score = np.full(n, np.nan)
    dist = np.full(n, np.nan)
    admin1 = np.full(n, "", dtype=object)
    matched = np.full(n, "", dtype=object)
    is_group = np.zeros(n, dtype=bool)
    reason = np.full(n, "", dtype=object)

    empty = np.array([not str(s).strip() for s in raw], dtype=bool)
    reason[empty] = "empty name"
    is_region = np.isin(etype, list(REGION_TYPES)) & ~empty
    _match_regions(np.flatnonzero(is_region), raw, iso, gazetteer, admin1, method, score, reason)
    # areas: counties and "... County Council"-style names -> admin1 or unmatched
    is_area = np.isin(etype, list(AREA_TYPES)) & ~empty & ~is_region
    rest = np.flatnonzero(~empty & ~is_region & ~is_area)
    if len(rest):
        codes, uniq = pd.factorize(raw[rest])
        named_area = np.fromiter((_plan(u).area is not None for u in uniq), bool, len(uniq))
        is_area[rest[named_area[codes]]] = True
    _match_areas(np.flatnonzero(is_area), raw, iso, gazetteer, admin1, method, score, reason)

    rows = np.flatnonzero(~empty & ~is_region & ~is_area)
    if len(rows):
        combo = iso[rows] + "\x1f" + raw[rows]
        pair_of_row, pairs = pd.factorize(combo)
        pair_iso = [p.split("\x1f", 1)[0] for p in pairs]
        pair_raw = [p.split("\x1f", 1)[1] for p in pairs]
        plans = [_plan(r) for r in pair_raw]
        hints = _hints(pair_iso, plans, gazetteer)
        cand = _candidates(pair_iso, plans, gazetteer)
        group_pairs = _groups(pair_iso, plans, cand, gazetteer)
        cand = cand[~cand["pair"].isin(group_pairs)]

        state = _RowState(rows, pair_of_row, has_xy, lat, lon, iso)
        best = _choose(cand, hints, state, gazetteer, max_km, population_override)
        too_far = set(best.attrs.get("too_far", ()))
        _apply(best, state, gazetteer, gid, method, score, dist, admin1, matched, "name")

        # fuzzy: pairs with no name candidate at all (not groups). Rows with coordinates
        # score only the names of places within max_km (all a match could use anyway);
        # rows without score the country's names, once per distinct name per stage.
        no_cand = np.setdiff1d(np.arange(len(pairs)), np.union1d(cand["pair"], group_pairs))
        fz_rows = np.flatnonzero(np.isin(pair_of_row, no_cand) & has_xy[rows])
        _fuzzy_local(
            fz_rows,
            state,
            plans,
            gazetteer,
            fuzzy_threshold,
            _SCORERS[scorer],
            max_km,
            gid,
            method,
            score,
            dist,
            admin1,
            matched,
        )
        wide = np.unique(pair_of_row[np.isin(pair_of_row, no_cand) & ~has_xy[rows]])
        fz = _fuzzy(wide.tolist(), pair_iso, plans, gazetteer, fuzzy_threshold, _SCORERS[scorer])
        if len(fz):
            fcand = _candidates_from_keys(fz, gazetteer)
            fbest = _choose(fcand, hints, state, gazetteer, max_km, population_override)
            fbest = fbest[fbest["unit"] >= 0]  # rows with coordinates were scored locally
            # a fuzzy guess must not contradict the name's own region qualifier
            # ("Pocheon-si, Gyeonggi" is not Ocheon in Gyeongsangbuk-do)
            fbest = fbest[fbest["hint_miss"].to_numpy() == 0]
            fbest = fbest.merge(fz[["pair", "score"]], on="pair", how="left")
            _apply(fbest, state, gazetteer, gid, method, score, dist, admin1, matched, "fuzzy")

        for p in group_pairs:
            sel = rows[pair_of_row == p]
            is_group[sel] = True
            method[sel] = "group"
            reason[sel] = f"group of {len(plans[p].members or ())} places"
        open_rows = rows[method[rows] == "unmatched"]
        no_where = (iso[open_rows] == "") & ~has_xy[open_rows]
        far = np.isin(open_rows, np.fromiter(too_far, dtype=np.int64, count=len(too_far)))
        council = np.fromiter((pl.council for pl in plans), bool, len(plans))
        reason[open_rows] = np.where(
            no_where,
            "country missing and no coordinates",
            np.where(
                far,
                f"name matches only beyond {max_km:g} km of the coordinates",
                np.where(
                    council[pair_of_row[np.searchsorted(rows, open_rows)]],
                    "council or municipal name: no place of that name in country",
                    "no name match in country",
                ),
            ),
        )
        _nearest(rows, has_xy, lat, lon, iso, gazetteer, nearest_km, gid, method, dist, admin1)
        near = rows[method[rows] == "nearest"]
        if len(near):
            matched[near] = gazetteer.places()["name"][gazetteer.place_positions(gid[near])]
            reason[near] = ""

    city = pd.array(np.where(gid >= 0, gid, 0), dtype="Int64")
    city[gid < 0] = pd.NA
    out = pd.DataFrame(
        {
            "source": source,
            "raw_name": mentions["raw_name"].to_numpy(),
            "raw_country": mentions["country_iso3"].to_numpy(),
            "city_id": city,
            "method": method,
            "score": score,
            "distance_km": dist,
            "admin1_code": admin1,
            "matched_name": matched,
            "is_group": is_group,
            "reason": reason,
        },
        index=mentions.index,
    )
    return out


def _float_col(df: pd.DataFrame, col: str, n: int) -> np.ndarray:
    if col not in df.columns:
        return np.full(n, np.nan)
    return pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _match_regions(idx, raw, iso, gaz, admin1, method, score, reason) -> None:
    lookup = gaz.admin1_lookup()
    for r in idx:
        name = str(raw[r])
        code = None
        for k in (literal_key(name), normalize_name(name), normalize_region_name(name)):
            code = lookup.get((iso[r], k))
            if code:
                break
        if code:
            admin1[r], method[r], score[r] = code, "admin1", 100.0
        else:
            reason[r] = "region not in admin1 names"


def _match_areas(idx, raw, iso, gaz, admin1, method, score, reason) -> None:
    """Counties and county-level councils: a first-level region if one has the name.

    The gazetteer has places and admin1 regions only (no admin2), so "Cook County" or
    "Hampshire County Council" stay unmatched rather than falling to a town of the
    same name or to the most populous place near their coordinates.
    """
    lookup = gaz.admin1_lookup()
    for r in idx:
        name = str(raw[r])
        area = _plan(name).area or ()
        keys = [literal_key(name), normalize_name(name), normalize_region_name(name)]
        for k in area:
            keys += [k, normalize_region_name(k)]
        keys += [k[: -len(" county")] for k in keys if k.endswith(" county")]
        code = next((c for c in (lookup.get((iso[r], k)) for k in keys) if c), None)
        if code:
            admin1[r], method[r], score[r] = code, "admin1", 100.0
        else:
            reason[r] = "county or area-level unit: not an admin1 region (gazetteer has no admin2)"


def _hints(pair_iso: list[str], plans: list[_Plan], gaz: Gazetteer) -> dict[int, str]:
    """pair -> admin1 code named by its qualifier ("Portland (Oregon)" -> "US.OR")."""
    lookup = gaz.admin1_lookup()
    out = {}
    for p, (c, plan) in enumerate(zip(pair_iso, plans, strict=True)):
        if plan.qualifier:
            q = plan.qualifier
            code = lookup.get((c, normalize_region_name(q))) or lookup.get((c, literal_key(q)))
            if code:
                out[p] = code
    return out


def _candidates(pair_iso: list[str], plans: list[_Plan], gaz: Gazetteer) -> pd.DataFrame:
    """All (pair, key order, names row) hits for every lookup key of every pair."""
    spans = gaz.spans()
    pair_l, order_l, start_l, stop_l = [], [], [], []
    global_pos: list[tuple[int, int, np.ndarray]] = []
    for p, (c, plan) in enumerate(zip(pair_iso, plans, strict=True)):
        for order, key in enumerate(plan.keys):
            if c:
                sp = spans.get(c + " " + key)
                if sp is not None:
                    pair_l.append(p)
                    order_l.append(order)
                    start_l.append(sp[0])
                    stop_l.append(sp[1])
            else:  # no country: look everywhere, coordinates must confirm later
                pos = gaz.key_positions().get(key)
                if pos is not None:
                    global_pos.append((p, order, pos))
    pos, owner = _ranges(np.asarray(start_l, dtype=np.int64), np.asarray(stop_l, dtype=np.int64))
    pair = np.asarray(pair_l, dtype=np.int64)[owner]
    order = np.asarray(order_l, dtype=np.int64)[owner]
    if global_pos:
        pos = np.concatenate([pos] + [g[2] for g in global_pos])
        pair = np.concatenate([pair] + [np.full(len(g[2]), g[0]) for g in global_pos])
        order = np.concatenate([order] + [np.full(len(g[2]), g[1]) for g in global_pos])
    return _attach(pd.DataFrame({"pair": pair, "order": order, "pos": pos}), gaz)


def _attach(c: pd.DataFrame, gaz: Gazetteer) -> pd.DataFrame:
    arrays = gaz.arrays()
    pos = c["pos"].to_numpy()
    for col in ("rank", "geonameid", "population", "lat", "lon", "admin1_code"):
        c[col] = arrays[col][pos]
    return c


def _groups(pair_iso, plans, cand: pd.DataFrame, gaz: Gazetteer) -> list[int]:
    """Pairs whose name is a list of >= 2 places and not itself a known name."""
    spans = gaz.spans()
    lookup = gaz.admin1_lookup()
    n_whole = np.fromiter((pl.n_whole for pl in plans), dtype=np.int64, count=len(plans))
    pair = cand["pair"].to_numpy(dtype=np.int64)
    whole_hit = set(np.unique(pair[cand["order"].to_numpy() < n_whole[pair]]).tolist())
    out = []
    for p, (c, plan) in enumerate(zip(pair_iso, plans, strict=True)):
        if not plan.members or p in whole_hit:
            continue
        hits = 0
        for mem in plan.members:
            k = normalize_name(mem)
            if (c, k) in lookup or k == gaz.country_names.get(c):
                continue  # "Ontario", "Canada": qualifiers, not member places
            if c + " " + k in spans:
                hits += 1
        if hits >= 2:
            out.append(p)
    return out


@dataclass
class _RowState:
    rows: np.ndarray  # positions of city rows in the input
    pair_of_row: np.ndarray  # pair id of each of those rows
    has_xy: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    iso: np.ndarray


def _choose(
    cand: pd.DataFrame,
    hints: dict[int, str],
    st: _RowState,
    gaz: Gazetteer,
    max_km: float,
    override: float,
) -> pd.DataFrame:
    """Best candidate per unit; units are pairs (no coordinates) or single rows (with)."""
    if hints:
        h = cand["pair"].map(hints)
        miss = h.notna().to_numpy() & (h.to_numpy() != cand["admin1_code"].to_numpy())
        cand = cand.assign(hint_miss=miss.astype(np.int64))
    else:
        cand = cand.assign(hint_miss=0)
    xy = st.has_xy[st.rows]
    # pair-level units for rows without coordinates; their country must be known
    known = st.iso[st.rows] != ""
    pairs_no_xy = np.unique(st.pair_of_row[~xy & known])
    c1 = cand[cand["pair"].isin(pairs_no_xy)].assign(unit=lambda d: d["pair"], dist_sort=0.0)
    c1 = c1.assign(distance_km=np.nan)
    # row-level units for rows with coordinates
    xy_idx = np.flatnonzero(xy)
    rows_xy = pd.DataFrame(
        {
            "unit": -1 - st.rows[xy_idx],  # negative: a row, decoded in _apply
            "pair": st.pair_of_row[xy_idx],
            "mlat": st.lat[st.rows[xy_idx]],
            "mlon": st.lon[st.rows[xy_idx]],
        }
    )
    c2 = cand.merge(rows_xy, on="pair")
    c2["distance_km"] = haversine_km(c2["mlat"], c2["mlon"], c2["lat"], c2["lon"])
    far_units = set(c2["unit"]) - set(c2.loc[c2["distance_km"] <= max_km, "unit"])
    c2 = c2[c2["distance_km"] <= max_km].assign(dist_sort=lambda d: d["distance_km"])
    c2 = c2.drop(columns=["mlat", "mlon"])
    best = _select(pd.concat([c1, c2], ignore_index=True), override)
    best.attrs["too_far"] = {(-1 - u) for u in far_units}
    return best


def _apply(best, st: _RowState, gaz, gid, method, score, dist, admin1, matched, how) -> None:
    """Write chosen candidates into the per-row output arrays (vectorised)."""
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
    # pair units -> all their rows without coordinates; row units (negative) -> that row
    no_xy = np.flatnonzero(~st.has_xy[st.rows])
    is_pair = unit >= 0
    pair_best = pd.Series(np.flatnonzero(is_pair), index=unit[is_pair])
    j = pair_best.reindex(st.pair_of_row[no_xy]).to_numpy()
    ok = ~np.isnan(j)
    src = np.concatenate([j[ok].astype(np.int64), np.flatnonzero(~is_pair)])
    tgt = np.concatenate([st.rows[no_xy[ok]], -1 - unit[~is_pair]])
    g = best["geonameid"].to_numpy(dtype=np.int64)[src]
    gid[tgt] = g
    method[tgt] = kind[src]
    score[tgt] = sc[src]
    dist[tgt] = best["distance_km"].to_numpy(dtype=float)[src]
    admin1[tgt] = best["admin1_code"].to_numpy(dtype=object)[src]
    matched[tgt] = gaz.places()["name"][gaz.place_positions(g)]


def _length_window(n: int, threshold: float) -> tuple[int, int]:
    """Choice lengths that can reach `threshold` under an Indel ratio against length n."""
    t = max(threshold, 1.0)
    return int(np.ceil(n * t / (200.0 - t) - 1e-9)), int(np.floor(n * (200.0 - t) / t + 1e-9))


def _fuzzy(no_cand, pair_iso, plans, gaz: Gazetteer, threshold: float, scorer) -> pd.DataFrame:
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
        q = plans[p].fuzzy_key or keys[min(1, len(keys) - 1)]  # the affix-stripped key
        if len(q) < _FUZZY_MIN_LEN:
            continue
        mk = (c, q, sname, float(threshold))
        asks.append((p, mk))
        if mk not in memo:
            todo.setdefault(c, set()).add(q)
    for c, qset in todo.items():
        choices = gaz.fuzzy_choices(c)
        queries = sorted(qset)
        if not choices:
            for q in queries:
                memo[(c, q, sname, float(threshold))] = None
            continue
        lengths = gaz.fuzzy_lengths(c)
        groups: dict[tuple[int, int], list[str]] = {}
        for q in queries:
            if windowed:
                lo, hi = _length_window(len(q), threshold)
                a, b = np.searchsorted(lengths, lo, "left"), np.searchsorted(lengths, hi, "right")
            else:
                a, b = 0, len(choices)
            groups.setdefault((int(a), int(b)), []).append(q)
        for (a, b), qs in groups.items():
            sub = choices[a:b]
            best: list[tuple[str, float] | None] = [None] * len(qs)
            if sub:
                chunk = max(1, 5_000_000 // len(sub))
                for i in range(0, len(qs), chunk):
                    part = qs[i : i + chunk]
                    m = process.cdist(part, sub, scorer=scorer, score_cutoff=threshold, workers=-1)
                    arg = m.argmax(axis=1)
                    top = m[np.arange(len(part)), arg]
                    for jj, (k, sc) in enumerate(zip(arg, top, strict=True)):
                        if sc >= threshold and sc > 0:
                            best[i + jj] = (sub[k], float(sc))
            for q, r in zip(qs, best, strict=True):
                if r is not None and r[0][:1] != q[:1]:
                    r = None  # a different first letter is another name ("Ocheon")
                memo[(c, q, sname, float(threshold))] = r
    out = []
    for p, mk in asks:
        r = memo[mk]
        if r is not None:
            out.append((p, mk[0], r[0], r[1]))
    return pd.DataFrame(out, columns=["pair", "iso3", "key", "score"])


def _fuzzy_local(
    idx,
    st: _RowState,
    plans,
    gaz: Gazetteer,
    threshold,
    scorer,
    max_km,
    gid,
    method,
    score,
    dist,
    admin1,
    matched,
) -> None:
    """Fuzzy match of rows with coordinates against the names of places within max_km.

    `idx` indexes st.rows. Best: highest score, then name kind, distance, geonameid.
    Places outside the row's country (when known) are ignored.
    """
    if not len(idx):
        return
    rows = st.rows[idx]
    queries = np.array(
        [
            plans[p].fuzzy_key or plans[p].keys[min(1, len(plans[p].keys) - 1)]
            if plans[p].keys
            else ""
            for p in st.pair_of_row[idx]
        ],
        dtype=object,
    )
    ok = np.fromiter((len(q) >= _FUZZY_MIN_LEN for q in queries), dtype=bool, count=len(queries))
    rows, queries = rows[ok], queries[ok]
    if not len(rows):
        return
    pl = gaz.places()
    chord = 2.0 * np.sin(max_km / (2.0 * EARTH_RADIUS_KM))
    hits = gaz.tree().query_ball_point(
        unit_vectors(st.lat[rows], st.lon[rows]), r=chord * (1 + 1e-9), return_sorted=False
    )
    lengths = np.fromiter(map(len, hits), dtype=np.int64, count=len(hits))
    if not lengths.sum():
        return
    place = np.concatenate([np.asarray(h, dtype=np.int64) for h in hits if len(h)])
    owner = np.repeat(np.arange(len(rows)), lengths)
    keep = (st.iso[rows[owner]] == "") | (pl["iso3"][place] == st.iso[rows[owner]])
    place, owner = place[keep], owner[keep]
    starts, key_rows = gaz.place_keys()
    pos, sub = _ranges(starts[place], starts[place + 1])
    pos, owner, place = key_rows[pos], owner[sub], place[sub]
    a = gaz.arrays()
    if scorer in (fuzz.ratio, fuzz.token_sort_ratio):  # see _length_window
        qlen = np.fromiter(map(len, queries), dtype=np.int64, count=len(queries))[owner]
        klen = a["key_len"][pos]
        t = max(float(threshold), 1.0)
        fit = (klen * (200.0 - t) >= qlen * t - 1e-6) & (klen * t <= qlen * (200.0 - t) + 1e-6)
        pos, owner, place = pos[fit], owner[fit], place[fit]
        if not len(pos):
            return
    keys = a["key"][pos]
    sc = process.cpdist(
        queries[owner].tolist(), keys.tolist(), scorer=scorer, score_cutoff=threshold, workers=-1
    )
    first_q = np.array([q[:1] for q in queries], dtype=object)[owner]
    first_k = np.array([k[:1] for k in keys.tolist()], dtype=object)
    good = (sc >= threshold) & (sc > 0) & (first_q == first_k)
    pos, owner, place, sc = pos[good], owner[good], place[good], sc[good]
    if not len(pos):
        return
    r = rows[owner]
    d = haversine_km(st.lat[r], st.lon[r], pl["lat"][place], pl["lon"][place])
    order = np.lexsort((pl["geonameid"][place], d, a["rank"][pos], -sc, owner))
    first = order[np.r_[True, owner[order][1:] != owner[order][:-1]]]
    rr, jj = r[first], place[first]
    gid[rr] = pl["geonameid"][jj]
    method[rr] = "fuzzy"
    score[rr] = sc[first]
    dist[rr] = d[first]
    admin1[rr] = pl["admin1_code"][jj]
    matched[rr] = pl["name"][jj]


def _candidates_from_keys(fz: pd.DataFrame, gaz: Gazetteer) -> pd.DataFrame:
    """Candidates of the fuzzy-matched keys (fz: pair, iso3, key)."""
    spans = gaz.spans()
    sp = [spans[c + " " + k] for c, k in zip(fz["iso3"], fz["key"], strict=True)]
    starts = np.array([s[0] for s in sp], dtype=np.int64)
    stops = np.array([s[1] for s in sp], dtype=np.int64)
    pos, owner = _ranges(starts, stops)
    c = pd.DataFrame({"pair": fz["pair"].to_numpy()[owner], "order": 0, "pos": pos})
    c = _attach(c, gaz)
    return c[c["rank"] <= 2]


def _nearest(rows, has_xy, lat, lon, iso, gaz, radius, gid, method, dist, admin1) -> None:
    """Fallback for rows with coordinates whose name failed: most populous place nearby.

    One KD-tree ball query on 3D unit vectors for all rows at once (the tree is built once
    per gazetteer); candidates outside the mention's country (when known) are dropped.
    """
    todo = rows[has_xy[rows] & (method[rows] == "unmatched")]
    if not len(todo):
        return
    pl = gaz.places()
    chord = 2.0 * np.sin(radius / (2.0 * EARTH_RADIUS_KM))
    hits = gaz.tree().query_ball_point(
        unit_vectors(lat[todo], lon[todo]), r=chord * (1 + 1e-9), return_sorted=False
    )
    lengths = np.fromiter(map(len, hits), dtype=np.int64, count=len(hits))
    if not lengths.sum():
        return
    idx = np.concatenate([np.asarray(h, dtype=np.int64) for h in hits if len(h)])
    owner = np.repeat(np.arange(len(todo)), lengths)
    r = todo[owner]
    keep = (iso[r] == "") | (pl["iso3"][idx] == iso[r])
    idx, owner, r = idx[keep], owner[keep], r[keep]
    d = haversine_km(lat[r], lon[r], pl["lat"][idx], pl["lon"][idx])
    keep = d <= radius
    idx, owner, r, d = idx[keep], owner[keep], r[keep], d[keep]
    if not len(idx):
        return
    order = np.lexsort((pl["geonameid"][idx], d, -pl["population"][idx], owner))
    first = order[np.r_[True, owner[order][1:] != owner[order][:-1]]]
    rr, jj = r[first], idx[first]
    gid[rr] = pl["geonameid"][jj]
    method[rr] = "nearest"
    dist[rr] = d[first]
    admin1[rr] = pl["admin1_code"][jj]


def expand_groups(matches: pd.DataFrame) -> pd.DataFrame:
    """Member mentions of group signatories, ready for another `match_cities` call.

    Returns raw_name (member), country_iso3, group_raw_name and group_index (the index
    label of the group row in `matches`).
    """
    rows = []
    for idx, r in matches[matches["is_group"]].iterrows():
        for member in split_group_signatory(str(r["raw_name"])) or []:
            rows.append((member, r["raw_country"], r["raw_name"], idx))
    return pd.DataFrame(rows, columns=["raw_name", "country_iso3", "group_raw_name", "group_index"])
