"""Match city mentions of any source to GeoNames ids, with an audit trail per mention.

Order of methods, always inside the mention's country block:
  exact      normalized name equals a place's primary name
  alternate  ... equals an alternate name, or a name stripped of affixes / "city"
  fuzzy      rapidfuzz score >= threshold against the country's names (only names that
             failed every exact key; scored once per distinct name)
  nearest    the source has coordinates and the name failed: the most populous place
             within `nearest_km` (so an embassy labelled "Chaoyang District" rolls up to
             Beijing rather than to a tiny neighbouring locality). Not when the name is
             that of exactly one place of the country, beyond `max_km`: name and point
             then disagree, and the nearest place is mostly another town (Karlsruhe
             geocoded in Remscheid); unless the name's qualifier names the nearest place
             ("Tiexi (Shenyang)"). Not for a point repaired by `analysis.resolve.geo` either.
  admin1     regions (entity_type Region/State/Province) resolve to "CC.code", not cities
  group      a list of places ("Alkmaar, Bergen, Castricum, Heiloo"): flagged, no city_id
  unmatched  with a reason
Among candidates for the same key: a bracket/comma qualifier naming the admin1 ("Portland
(Oregon)", "Portland, ME") first, then name kind (primary < alternate < derived), then
distance when the source has coordinates (beyond `max_km` is rejected) or else
population. A much larger place under a weaker name kind wins (population_override): the
city proper beats a small town or district whose primary name is the city's alternate
("Baroda" in India is Vadodara, 1.8M, not the town Baroda, 18k; see _OVERRIDE_MAX_POP).

Coordinate review (after the passes above; `_review_coordinates`). The matching stage has
already checked every point against the places of its country (`analysis.resolve.geo`); here the
name is the evidence. The output column `coord_fix` carries the stage's value or one of
the first two outcomes below; `reason` explains the last two for matched rows too:
  degrees_minutes  the name matched beyond 25 km (or only beyond max_km), and the point
             read as degrees.minutes (54.35 -> 54°35') lies within 5 km of a place of
             the name (GCoM's Italian signatories): that place, at the decoded distance
  dropped    the name matched only beyond max_km and the point is no evidence against
             it: it lies at a namesake abroad (Essen, Belgium at Essen, Germany), or
             abroad among another country's places, or in another region than the
             name's own qualifier ("Adams, MA" placed in Colorado), or it is a geo repair
             the name does not confirm: matched by name alone (distance missing)
  territory  the name has no place near the point in the stated country but one in a
             territory sources list under it (`geo.RELATED_COUNTRIES`: Saint-Denis,
             France on Réunion; Pristina under Serbia): that place (reason says so)
`sole_name_rescue=True` (off by default) also matches by name alone a row whose name is
that of one place of the country, beyond max_km, when the source's population is within
1/3 to 5 times the place's; it helps sources with sloppy points (ClimActor, GCoM) and hurts
gazetteer-like sources listing every village (simplemaps), so it is per-source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from anyascii import anyascii
from rapidfuzz import fuzz, process

from analysis.core.errors import PipelineError
from analysis.resolve import geo, textnorm
from analysis.resolve.gazetteer import (
    EARTH_RADIUS_KM,
    Gazetteer,
    haversine_km,
    normalize_region_name,
    token_sorted,
    unit_vectors,
)
from analysis.resolve.textnorm import (
    bracket_qualifier,
    council_name,
    genitive_variant,
    literal_key,
    name_keys,
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
    "coord_fix",
]
# Repairs of analysis.resolve.geo that only a name match near the repaired point confirms.
REPAIRED_FIXES = frozenset({"swapped", "sign_flipped"})
_NAME_METHODS = ("exact", "alternate", "fuzzy")
_DM_TRIGGER_KM = 25.0  # a name match this far (or too far) may be a degrees.minutes point
_DM_KM = 5.0  # ... when the decoded point has a place of the name this close
_NAMESAKE_KM = 10.0  # a place of the name this close abroad: the point is the namesake's
# sole_name_rescue: the source's population between 1/3 and 5 times the place's (~95% of
# exact matches within 5 km: sources count municipalities, GeoNames often the town proper)
_POP_FACTOR_BELOW, _POP_FACTOR_ABOVE = 3.0, 5.0
_REGION_KM = 100.0
_ABROAD_KM = 100.0  # a point abroad this far from every place of its country is no evidence  # the point's region is that of the nearest place of the country this close
_SCORERS = {"token_sort_ratio": fuzz.token_sort_ratio, "WRatio": fuzz.WRatio, "ratio": fuzz.ratio}
_FUZZY_MIN_LEN = 4  # shorter keys fuzzy-match almost anything
# A place this large is never overridden under its own primary name: New Delhi (317k)
# stays New Delhi although Delhi (11M) lists "New Delhi" as an alternate name.
_OVERRIDE_MAX_POP = 100_000


class _Plan(NamedTuple):  # a tuple: cheap to build and hold for every distinct name
    keys: tuple[str, ...]  # lookup keys, most specific first
    n_whole: int  # keys[:n_whole] describe the whole name; later ones only its head
    qualifier: str | None  # bracket or comma qualifier, a possible admin1 hint
    members: tuple[str, ...] | None  # group members (syntactic; confirmed later)
    fuzzy_key: str | None = None  # the key fuzzy matching scores (default: keys[1])
    council: bool = False  # a council / municipal form was stripped for later keys
    area: tuple[str, ...] | None = None  # names an area ("... County Council"): region keys


# Cheap necessary conditions of the textnorm helpers, so `_plan` skips calls that must
# return None (the helpers stay the single source of truth; see `_plan`).
_GENITIVE_ENDS = ("s kommune", "s kommun", "s stad")  # textnorm._GENITIVE_SUFFIX
_GROUP_HINT = re.compile(r"[;,&+]|\b(?:and|und|et|sowie)\b", re.I)  # its separators
_BRACKET_CHARS = frozenset("()[]{}")
# Latin-1 and Latin Extended-A/B characters transliterate to letters, except these few
# ("©" -> "(c)"): a name of the other ones has no bracket after transliteration either.
_LATIN_MAX = "\u024f"
_LATIN_BRACKETING = frozenset(
    c for c in map(chr, range(0x80, 0x250)) if not _BRACKET_CHARS.isdisjoint(anyascii(c))
)


# textnorm's area/council affix regexes match whole words at the ends of a key: a key
# whose last word is the last word of no suffix, and whose first word the first word of
# no prefix, matches none of them (two set lookups instead of three regex scans).
_AFFIX_LAST = frozenset(
    x.rsplit(" ", 1)[-1] for x in (*textnorm._AREA_SUFFIXES, *textnorm._COUNCIL_SUFFIXES)
)
_AFFIX_FIRST = frozenset(x.split(" ", 1)[0] for x in textnorm._COUNCIL_PREFIXES)


def _council(raw: str, lit: str):
    """`council_name(raw)`, without calling it where it is None for sure: a name without
    comma or brackets (also after transliteration), whose literal key, then equal to the
    helper's cleaned head, carries no council or area affix."""
    plain = (
        "," not in raw
        and _BRACKET_CHARS.isdisjoint(raw)
        and (raw.isascii() or (max(raw) <= _LATIN_MAX and _LATIN_BRACKETING.isdisjoint(raw)))
    )
    if plain and (
        " " not in lit
        or (
            lit[lit.rfind(" ") + 1 :] not in _AFFIX_LAST
            and lit[: lit.find(" ")] not in _AFFIX_FIRST
        )
        or not (
            textnorm._AREA_RE.search(lit)
            or textnorm._COUNCIL_PREFIX_RE.search(lit)
            or textnorm._COUNCIL_SUFFIX_RE.search(lit)
        )
    ):
        return None
    return council_name(raw)


@lru_cache(maxsize=500_000)
def _plan(raw: str) -> _Plan:
    keys: list[str] = []
    lit, std = name_keys(raw)  # == (literal_key(raw), normalize_name(raw)), one cleaning pass
    genitive = genitive_variant(raw) if lit.endswith(_GENITIVE_ENDS) else None
    for k in (lit, std, strip_city_suffix(std), genitive):
        if k and k not in keys:
            keys.append(k)
    n_whole = len(keys)
    qualifier = bracket_qualifier(raw) if not _BRACKET_CHARS.isdisjoint(raw) else None
    head, sep, tail = raw.partition(",")
    if sep:
        qualifier = qualifier or tail.split(",")[0].strip()
        h = normalize_name(head)
        for k in (h, strip_city_suffix(h)):
            if k and k not in keys:
                keys.append(k)
    # "Vienna/Wien", "Mumbai/Bombay": bilingual or old/new names; each part is a head key.
    if "/" in raw:
        for part in raw.split("/")[:4]:
            k = normalize_name(part)
            if k and k not in keys:
                keys.append(k)
    members = split_group_signatory(raw) if _GROUP_HINT.search(raw) else None
    council = _council(raw, lit)
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


# match_cities_arrays' arrays, in the order of the output columns they fill
_RESULT_KEYS = (
    "gid",
    "method",
    "score",
    "dist",
    "admin1",
    "matched",
    "is_group",
    "reason",
    "coord_fix",
)


def match_cities(
    mentions: pd.DataFrame, gazetteer: Gazetteer, *, source: str, **options: Any
) -> pd.DataFrame:
    """Resolve every mention; returns one audit row per input row, in input order.

    `mentions` needs `raw_name` and `country_iso3` (may be missing), optionally `lat`,
    `lon`, `entity_type` and `coord_fix` (what `analysis.resolve.geo.check_coordinates` did to the
    point; a `swapped` or `sign_flipped` point must be confirmed by the name, so it gets no
    `nearest` fallback). Output columns: OUTPUT_COLUMNS (city_id is nullable Int64);
    `coord_fix` carries the input value or what the coordinate review did (module docstring).
    `options` are `match_cities_arrays`'s keywords (thresholds, `review_coordinates=False`
    to skip the coordinate review for diagnostics, `sole_name_rescue` as in the module
    docstring).
    """
    arrays = match_cities_arrays(mentions, gazetteer, source=source, **options)
    return pd.DataFrame(
        {
            "source": source,
            "raw_name": mentions["raw_name"].to_numpy(),
            "raw_country": mentions["country_iso3"].to_numpy(),
            **audit_columns(arrays),
        },
        index=mentions.index,
    )


def match_cities_arrays(
    mentions: pd.DataFrame,
    gazetteer: Gazetteer,
    *,
    source: str,
    fuzzy_threshold: float = 90.0,
    scorer: str = "token_sort_ratio",
    max_km: float = 50.0,
    nearest_km: float = 10.0,
    population_override: float = 20.0,
    review_coordinates: bool = True,
    sole_name_rescue: bool = False,
) -> dict[str, np.ndarray]:
    """`match_cities` as per-row result arrays (gid, method, score, dist, admin1, matched,
    is_group, reason, coord_fix; `audit_columns` turns them into its output columns), for
    callers that gather rows themselves (`match_stage.match_all`)."""
    for col in ("raw_name", "country_iso3"):
        if col not in mentions.columns:
            raise PipelineError(f"match_cities({source}): mentions lack column {col!r}")
    if scorer not in _SCORERS:
        raise PipelineError(f"match_cities: unknown scorer {scorer!r}; use one of {list(_SCORERS)}")
    n = len(mentions)
    fix = (
        mentions["coord_fix"].astype("string").fillna("none").to_numpy(dtype=object)
        if "coord_fix" in mentions.columns
        else np.full(n, "none", dtype=object)
    )
    opts = {
        "fuzzy_threshold": fuzzy_threshold,
        "scorer": scorer,
        "max_km": max_km,
        "nearest_km": nearest_km,
        "population_override": population_override,
    }
    arrays, too_far = _match_once(
        mentions, gazetteer, no_nearest=_isin(fix, REPAIRED_FIXES), **opts
    )
    arrays["coord_fix"] = fix.copy()
    if review_coordinates:
        _review_coordinates(mentions, gazetteer, arrays, too_far, opts, sole_name_rescue)
    return {k: arrays[k] for k in _RESULT_KEYS}


def audit_columns(arrays: dict[str, np.ndarray]) -> dict[str, object]:
    """The result columns of OUTPUT_COLUMNS (city_id onwards) from `match_cities_arrays`."""
    gid = arrays["gid"]
    city = pd.array(np.where(gid >= 0, gid, 0), dtype="Int64")
    city[gid < 0] = pd.NA
    return {
        "city_id": city,
        "method": arrays["method"],
        "score": arrays["score"],
        "distance_km": arrays["dist"],
        "admin1_code": arrays["admin1"],
        "matched_name": arrays["matched"],
        "is_group": arrays["is_group"],
        "reason": arrays["reason"],
        "coord_fix": arrays["coord_fix"],
    }


def _match_once(
    mentions: pd.DataFrame,
    gazetteer: Gazetteer,
    *,
    fuzzy_threshold: float,
    scorer: str,
    max_km: float,
    nearest_km: float,
    population_override: float,
    no_nearest: np.ndarray | None = None,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """One matching pass (the module docstring's order); per-row result arrays and the
    rows whose name matched only beyond `max_km` of their coordinates."""
    n = len(mentions)
    raw_code, raw_uniq = _text_codes(mentions["raw_name"].astype("string").fillna(""))
    raw = raw_uniq[raw_code]
    iso_code, iso_uniq = _text_codes(_iso_col(mentions))
    iso = iso_uniq[iso_code]
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
    sole_far = np.zeros(n, dtype=bool)  # name of one place only, beyond max_km

    # per distinct name, then broadcast to rows by code
    empty = np.fromiter((not s.strip() for s in raw_uniq), bool, len(raw_uniq))[raw_code]
    reason[empty] = "empty name"
    is_region = _isin(etype, REGION_TYPES) & ~empty
    _match_regions(np.flatnonzero(is_region), raw, iso, gazetteer, admin1, method, score, reason)
    # areas: counties and "... County Council"-style names -> admin1 or unmatched
    is_area = _isin(etype, AREA_TYPES) & ~empty & ~is_region
    rest = np.flatnonzero(~empty & ~is_region & ~is_area)
    # plan of each distinct name of the rest (kept here: more names than _plan's cache
    # may hold)
    plan_of = np.full(len(raw_uniq), None, dtype=object)
    if len(rest):
        need = np.unique(raw_code[rest])
        plan_of[need] = [_plan(u) for u in raw_uniq[need].tolist()]
        named_area = np.zeros(len(raw_uniq), dtype=bool)
        named_area[need] = [plan_of[c].area is not None for c in need.tolist()]
        is_area[rest[named_area[raw_code[rest]]]] = True
    _match_areas(np.flatnonzero(is_area), raw, iso, gazetteer, admin1, method, score, reason)

    city_row = ~empty & ~is_region & ~is_area
    rows = np.flatnonzero(city_row)
    if len(rows):
        # a pair is a distinct (country, name); ids in order of first row, as factorizing
        # the joined strings would give, without building them
        pair_of_row, pair_code = pd.factorize(iso_code[rows] * len(raw_uniq) + raw_code[rows])
        pair_iso = iso_uniq[pair_code // len(raw_uniq)].tolist()
        plans = plan_of[pair_code % len(raw_uniq)].tolist()
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
        settled = np.zeros(len(plans), dtype=bool)  # pairs with a candidate, or groups
        settled[cand["pair"].to_numpy()] = True
        settled[group_pairs] = True
        fz_rows = np.flatnonzero(~settled[pair_of_row] & has_xy[rows])
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
        wide = np.unique(pair_of_row[~settled[pair_of_row] & ~has_xy[rows]])
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

        if group_pairs:  # one pass over the rows, not one per group
            note = np.full(len(plans), None, dtype=object)
            note[group_pairs] = [
                f"group of {len(plans[p].members or ())} places" for p in group_pairs
            ]
            hit = np.isin(pair_of_row, group_pairs)
            sel = rows[hit]
            is_group[sel] = True
            method[sel] = "group"
            reason[sel] = note[pair_of_row[hit]]
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
        far_rows = np.fromiter(too_far, dtype=np.int64, count=len(too_far))
        # No nearest fallback where the name is that of exactly one place of the country,
        # beyond max_km: name and point disagree, and the place nearest the point is then
        # mostly another town (Karlsruhe placed in Remscheid, Changwon in Gwangju). A name
        # of several places may be yet another, unlisted one near the point: rolled up as
        # usual. Kept when the name's own qualifier names the nearest place ("Tiexi
        # (Shenyang)" -> Shenyang); never for a repaired point.
        far_pairs = pair_of_row[np.searchsorted(rows, far_rows)]
        c_pair = cand["pair"].to_numpy()
        sel = np.isin(c_pair, far_pairs) & (cand["rank"].to_numpy() <= 2)
        sole = pd.Series(cand["geonameid"].to_numpy()[sel]).groupby(c_pair[sel]).nunique()
        far_rows = far_rows[np.isin(far_pairs, sole.index[sole.to_numpy() == 1])]
        sole_far[far_rows] = True
        skip = np.isin(rows, far_rows)
        if no_nearest is not None:
            skip |= no_nearest[rows]
        _nearest(
            rows[~skip], has_xy, lat, lon, iso, gazetteer, nearest_km, gid, method, dist, admin1
        )
        has_qualifier = np.fromiter((pl.qualifier is not None for pl in plans), bool, len(plans))
        qualified = rows[np.isin(rows, far_rows) & has_qualifier[pair_of_row]]
        if no_nearest is not None:
            qualified = qualified[~no_nearest[qualified]]
        if len(qualified):
            _nearest_named_by_qualifier(
                qualified,
                plans,
                pair_of_row,
                rows,
                has_xy,
                lat,
                lon,
                iso,
                gazetteer,
                nearest_km,
                gid,
                method,
                dist,
                admin1,
            )
        near = rows[method[rows] == "nearest"]
        if len(near):
            matched[near] = gazetteer.places()["name"][gazetteer.place_positions(gid[near])]
            reason[near] = ""
        far_all = np.fromiter(too_far, dtype=np.int64, count=len(too_far))
    else:
        far_all = np.zeros(0, dtype=np.int64)
    far_mask = np.zeros(n, dtype=bool)
    far_mask[far_all] = True
    arrays = {
        "gid": gid,
        "method": method,
        "score": score,
        "dist": dist,
        "admin1": admin1,
        "matched": matched,
        "is_group": is_group,
        "reason": reason,
        "city_row": city_row,
        "sole_far": sole_far,
    }
    return arrays, far_mask


def _isin(values: np.ndarray, allowed) -> np.ndarray:
    """`np.isin` for an object array of strings and a few allowed values: one equality
    pass per value (np.isin sorts object arrays)."""
    out = np.zeros(len(values), dtype=bool)
    for v in allowed:
        out |= values == v
    return out


def _text_codes(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Code of each row and the distinct values (object array) of a text column without
    missing values: only distinct strings become Python objects."""
    codes, uniq = pd.factorize(s)
    return codes.astype(np.int64, copy=False), np.asarray(uniq.to_numpy(dtype=object))


def _iso_col(mentions: pd.DataFrame) -> pd.Series:
    return mentions["country_iso3"].astype("string").fillna("").str.strip().str.upper()


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
    for p in [p for p, plan in enumerate(plans) if plan.qualifier]:  # few: skip the rest fast
        c, q = pair_iso[p], plans[p].qualifier
        code = lookup.get((c, normalize_region_name(q))) or lookup.get((c, literal_key(q)))
        if code:
            out[p] = code
    return out


def _candidates(pair_iso: list[str], plans: list[_Plan], gaz: Gazetteer) -> pd.DataFrame:
    """All (pair, key order, names row) hits for every lookup key of every pair.

    Rows: pairs with a country first (pair, key order, names row ascending), then pairs
    without one (looked up in every country; coordinates must confirm later)."""
    n_keys = np.fromiter((len(pl.keys) for pl in plans), dtype=np.int64, count=len(plans))
    keys = np.fromiter(chain.from_iterable(pl.keys for pl in plans), dtype=object)
    pair = np.repeat(np.arange(len(plans), dtype=np.int64), n_keys)
    order = np.arange(len(keys), dtype=np.int64) - np.repeat(np.cumsum(n_keys) - n_keys, n_keys)
    iso = np.asarray(pair_iso, dtype=object)[pair]
    known = iso != ""
    # one C-level dict lookup per key, then numpy gathers of the spans
    ids, starts, stops = gaz.span_table()
    combo = (iso[known] + " " + keys[known]).tolist()
    hit = np.fromiter(map(ids.get, combo, repeat(-1)), dtype=np.int64, count=len(combo))
    found = hit >= 0
    span = hit[found]
    pos, owner = _ranges(starts[span], stops[span])
    pair_c, order_c = pair[known][found][owner], order[known][found][owner]
    # no country: the key's rows in every country, in names order
    krows, kstarts, kstops = gaz.key_rows(keys[~known].tolist())
    gpos, gowner = _ranges(kstarts, kstops)
    return _attach(
        pd.DataFrame(
            {
                "pair": np.concatenate([pair_c, pair[~known][gowner]]),
                "order": np.concatenate([order_c, order[~known][gowner]]),
                "pos": np.concatenate([pos, krows[gpos]]),
            }
        ),
        gaz,
    )


def _attach(c: pd.DataFrame, gaz: Gazetteer) -> pd.DataFrame:
    arrays = gaz.arrays()
    pos = c["pos"].to_numpy()
    for col in ("rank", "geonameid", "population"):  # the rest is gathered by `pos` later
        c[col] = arrays[col][pos]
    return c


def _groups(pair_iso, plans, cand: pd.DataFrame, gaz: Gazetteer) -> list[int]:
    """Pairs whose name is a list of >= 2 places and not itself a known name."""
    listed = [p for p, plan in enumerate(plans) if plan.members]  # few: skip the rest fast
    if not listed:
        return []
    spans = gaz.span_table()[0]
    lookup = gaz.admin1_lookup()
    n_whole = np.zeros(len(plans), dtype=np.int64)
    n_whole[listed] = [plans[p].n_whole for p in listed]
    pair = cand["pair"].to_numpy(dtype=np.int64)
    whole_hit = np.zeros(len(plans), dtype=bool)  # a candidate for the whole name
    whole_hit[pair[cand["order"].to_numpy() < n_whole[pair]]] = True
    out = []
    for p in listed:
        c, plan = pair_iso[p], plans[p]
        if whole_hit[p]:
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
    """Best candidate per unit; units are pairs (no coordinates) or single rows (with).

    Per unit, candidates rank by key order, qualifier hint missed, name rank, distance
    (rows) and population, then geonameid (module docstring); on plain arrays: a join of
    candidates to the rows of their pair and one lexsort. Returns one row per unit, with
    the rows whose name matched only beyond max_km in `attrs["too_far"]`."""
    c = {k: cand[k].to_numpy() for k in ("pair", "order", "rank", "geonameid", "population")}
    names_row = cand["pos"].to_numpy()
    arrays = gaz.arrays()
    for col in ("lat", "lon", "admin1_code"):
        c[col] = arrays[col][names_row]
    pair = c["pair"].astype(np.int64, copy=False)
    hint_miss = np.zeros(len(pair), dtype=np.int64)
    if hints and len(pair):
        hint = np.full(int(max(pair.max(), max(hints))) + 1, None, dtype=object)
        hint[list(hints)] = list(hints.values())
        h = hint[pair]
        hint_miss = (np.not_equal(h, None) & (h != c["admin1_code"])).astype(np.int64)
    xy = st.has_xy[st.rows]
    # pair-level units for rows without coordinates; their country must be known
    known = st.iso[st.rows] != ""
    in1 = np.flatnonzero(np.isin(pair, np.unique(st.pair_of_row[~xy & known])))
    # row-level units for rows with coordinates: each candidate of the row's pair
    xy_idx = np.flatnonzero(xy)
    xy_pair = st.pair_of_row[xy_idx]
    by_pair = np.argsort(xy_pair, kind="stable")
    sorted_pair = xy_pair[by_pair]
    lo = np.searchsorted(sorted_pair, pair, "left")
    hi = np.searchsorted(sorted_pair, pair, "right")
    j, ci = _ranges(lo, hi)
    row = st.rows[xy_idx[by_pair[j]]]
    d = haversine_km(st.lat[row], st.lon[row], c["lat"][ci], c["lon"][ci])
    near = d <= max_km
    some, some_near = np.zeros(len(st.has_xy), dtype=bool), np.zeros(len(st.has_xy), dtype=bool)
    some[row] = True
    some_near[row[near]] = True
    far_rows = np.flatnonzero(some & ~some_near)  # candidates, none within max_km
    ci, row, d = ci[near], row[near], d[near]
    # both kinds of units as one candidate list: index into cand, unit, distance
    idx = np.concatenate([in1, ci])
    unit = np.concatenate([pair[in1], -1 - row])  # negative: a row, decoded in _apply
    dist_sort = np.concatenate([np.zeros(len(in1)), d])
    distance = np.concatenate([np.full(len(in1), np.nan), d])
    miss = hint_miss[idx]
    pop = c["population"][idx]
    order = np.lexsort(
        (c["geonameid"][idx], -pop, dist_sort, c["rank"][idx], miss, c["order"][idx], unit)
    )
    starts = _group_starts(unit[order])
    first = order[starts]  # best candidate per unit, in unit order
    pick = first
    if override and len(first):
        # A much larger place in the best's tier (same key order and hint miss, where
        # coordinates do not decide: distance 0) overrides it (population_override).
        best_of = np.empty(len(idx), dtype=np.int64)
        best_of[order] = np.repeat(first, np.diff(np.r_[starts, len(order)]))
        key_order = c["order"][idx]
        tier = (key_order == key_order[best_of]) & (miss == miss[best_of]) & (dist_sort == 0)
        t = np.flatnonzero(tier)
        t = t[np.lexsort((c["geonameid"][idx][t], c["rank"][idx][t], -pop[t], unit[t]))]
        big = t[_group_starts(unit[t])]  # most populous of each unit's tier
        swap = np.zeros(len(first), dtype=bool)
        at = np.zeros(len(first), dtype=np.int64)
        if len(big):  # units ascend in both: the big one of each best's unit, if any
            at = np.minimum(np.searchsorted(unit[big], unit[first]), len(big) - 1)
            swap = unit[big][at] == unit[first]
            swap &= pop[big][at] >= override * np.maximum(pop[first], 1)
            swap &= pop[first] < _OVERRIDE_MAX_POP
        pick = np.concatenate([first[~swap], big[at[swap]]])
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
    best.attrs["too_far"] = set(far_rows.tolist())
    return best


def _group_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Positions where a run of equal values starts in a sorted array."""
    if not len(sorted_keys):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])


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


# rapidfuzz starts a thread pool per call with workers=-1 (about a millisecond): worth it
# for large score matrices only; most calls score a few queries against a short window.
_PARALLEL_CELLS = 200_000


def _workers(cells: int) -> int:
    return -1 if cells >= _PARALLEL_CELLS else 1


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
        lo, hi = _windows(queries, gaz.fuzzy_lengths(c), threshold, windowed)
        if int((hi - lo).sum()) > _PRUNE_CELLS:
            # A result must start with the query's letter, so a query none of whose
            # same-letter choices reaches the threshold has none (whatever else scores
            # best); only the others are scored against every choice of their window.
            hopeful = _same_first_hits(queries, c, gaz, threshold, scorer, windowed)
            for q in queries:
                if q not in hopeful:
                    memo[(c, q, sname, float(threshold))] = None
            keep = np.array([q in hopeful for q in queries], dtype=bool)
            queries = [q for q in queries if q in hopeful]
            lo, hi = lo[keep], hi[keep]
            if not queries:
                continue
        arg, top = _window_best(
            queries, lo, hi, choices, gaz.fuzzy_choices_token_sorted(c), threshold, scorer
        )
        ok = (top >= threshold) & (top > 0)  # compared in the scores' dtype, as before
        for q, k, sc, good in zip(queries, arg.tolist(), top.tolist(), ok.tolist(), strict=True):
            r = (choices[k], sc) if good else None
            if r is not None and r[0][:1] != q[:1]:
                r = None  # a different first letter is another name ("Ocheon")
            memo[(c, q, sname, float(threshold))] = r
    out = []
    for p, mk in asks:
        r = memo[mk]
        if r is not None:
            out.append((p, mk[0], r[0], r[1]))
    return pd.DataFrame(out, columns=["pair", "iso3", "key", "score"])


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
    # Only keys with the query's first letter are scored (a different first letter is
    # another name, never taken): each row is searched among the places that have such a
    # key only (one KD-tree per first letter; a tenth of the places nearby), and their
    # keys of that letter are one slice of the gazetteer's (place, first letter) index.
    irows, bounds, first_ids = gaz.local_key_index()
    qfirst = np.fromiter(
        (first_ids.get(q[:1], -1) for q in queries.tolist()), dtype=np.int64, count=len(queries)
    )
    xyz = unit_vectors(st.lat[rows], st.lon[rows])
    found = []
    for f in np.unique(qfirst[qfirst >= 0]).tolist():
        mine = np.flatnonzero(qfirst == f)
        tree, at = gaz.first_letter_tree(f)
        near, k = _tree_pairs(tree, xyz[mine], chord * (1 + 1e-9))
        found.append((at[near], mine[k]))
    if not found:
        return
    place = np.concatenate([p for p, _ in found])
    owner = np.concatenate([o for _, o in found])
    code = gaz.country_codes(st.iso[rows])[owner]
    keep = (code == -1) | (gaz.place_country_codes()[1][place] == code)
    place, owner = place[keep], owner[keep]
    block = place * len(first_ids) + qfirst[owner]
    pos, sub = _ranges(bounds[block].astype(np.int64), bounds[block + 1].astype(np.int64))
    pos, owner, place = irows[pos], owner[sub], place[sub]
    a = gaz.arrays()
    if scorer in (fuzz.ratio, fuzz.token_sort_ratio):  # see _windows
        qlen = np.fromiter(map(len, queries), dtype=np.int64, count=len(queries))[owner]
        klen = a["key_len"][pos]
        t = max(float(threshold), 1.0)
        fit = (klen * (200.0 - t) >= qlen * t - 1e-6) & (klen * t <= qlen * (200.0 - t) + 1e-6)
        pos, owner, place = pos[fit], owner[fit], place[fit]
    if not len(pos):
        return
    if scorer is fuzz.token_sort_ratio:  # the same scores, keys token-sorted once (gazetteer)
        qs = np.array(token_sorted(queries.tolist()), dtype=object)
        sc = process.cpdist(
            qs[owner].tolist(),
            gaz.token_sorted_keys(pos).tolist(),
            scorer=fuzz.ratio,
            score_cutoff=threshold,
            workers=_workers(len(pos)),
        )
    else:
        sc = process.cpdist(
            queries[owner].tolist(),
            a["key"][pos].tolist(),
            scorer=scorer,
            score_cutoff=threshold,
            workers=_workers(len(pos)),
        )
    good = (sc >= threshold) & (sc > 0)
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


def _ball_pairs(gaz: Gazetteer, lat, lon, chord: float) -> tuple[np.ndarray, np.ndarray]:
    """(place, owner): every place within `chord` of each point (one KD-tree query for
    all points, flattened without a Python loop over the points)."""
    return _tree_pairs(gaz.tree(), unit_vectors(lat, lon), chord)


def _tree_pairs(tree, xyz: np.ndarray, chord: float) -> tuple[np.ndarray, np.ndarray]:
    """(point of `tree`, owner): the tree's points within `chord` of each of `xyz`."""
    hits = tree.query_ball_point(xyz, r=chord, return_sorted=False, workers=-1)
    lengths = np.fromiter(map(len, hits), dtype=np.int64, count=len(hits))
    point = np.fromiter(chain.from_iterable(hits), dtype=np.int64, count=int(lengths.sum()))
    return point, np.repeat(np.arange(len(hits)), lengths)


def _candidates_from_keys(fz: pd.DataFrame, gaz: Gazetteer) -> pd.DataFrame:
    """Candidates of the fuzzy-matched keys (fz: pair, iso3, key)."""
    ids, starts, stops = gaz.span_table()
    span = np.array([ids[c + " " + k] for c, k in zip(fz["iso3"], fz["key"], strict=True)])
    pos, owner = _ranges(starts[span.astype(np.int64)], stops[span.astype(np.int64)])
    c = pd.DataFrame({"pair": fz["pair"].to_numpy()[owner], "order": 0, "pos": pos})
    c = _attach(c, gaz)
    return c[c["rank"] <= 2]


def _nearest(rows, has_xy, lat, lon, iso, gaz, radius, gid, method, dist, admin1) -> None:
    """Fallback for rows with coordinates whose name failed: most populous place nearby.

    One KD-tree ball query on 3D unit vectors for all rows at once (the tree is built once
    per gazetteer); candidates outside the mention's country (when known) are dropped.
    """
    todo = rows[has_xy[rows] & (method[rows] == "unmatched")]
    if not len(todo) or radius <= 0:
        return
    pl = gaz.places()
    chord = 2.0 * np.sin(radius / (2.0 * EARTH_RADIUS_KM))
    idx, owner = _ball_pairs(gaz, lat[todo], lon[todo], chord * (1 + 1e-9))
    if not len(idx):
        return
    code = gaz.country_codes(iso[todo])[owner]  # integer compares, not strings per pair
    keep = (code == -1) | (gaz.place_country_codes()[1][idx] == code)
    idx, owner = idx[keep], owner[keep]
    r = todo[owner]
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


# --- coordinate review -----------------------------------------------------------------


def _review_coordinates(
    mentions: pd.DataFrame,
    gaz: Gazetteer,
    arrays: dict[str, np.ndarray],
    too_far: np.ndarray,
    opts: dict,
    sole_name_rescue: bool = False,
) -> None:
    """Second look at rows whose coordinates and name disagree (module docstring), in place.

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
    n = len(mentions)
    lat = _float_col(mentions, "lat", n)
    lon = _float_col(mentions, "lon", n)
    has_xy = np.isfinite(lat) & np.isfinite(lon)
    method, fix = arrays["method"], arrays["coord_fix"]
    open_rows = has_xy & arrays["city_row"] & ~arrays["is_group"]
    raw_code, raw_uniq = _text_codes(mentions["raw_name"].astype("string").fillna(""))
    raw = raw_uniq[raw_code]
    iso_code, iso_uniq = _text_codes(_iso_col(mentions))
    iso = iso_uniq[iso_code]

    # 1. rows that may be degrees and minutes written as decimals
    far_name = _isin(method, _NAME_METHODS) & (arrays["dist"] > _DM_TRIGGER_KM)
    dm_rows = open_rows & (fix == "none") & (far_name | too_far)
    dlat, ok_lat = geo.degrees_minutes(lat)
    dlon, ok_lon = geo.degrees_minutes(lon)
    dm_idx = np.flatnonzero(dm_rows & ok_lat & ok_lon)
    # 2. rows whose point contradicts the name: to be matched by name alone
    far = np.flatnonzero(too_far & open_rows & _isin(method, ("unmatched", "nearest")))
    notes = _contradictions(far, raw, iso, lat, lon, fix, gaz) if len(far) else {}
    pop = _float_col(mentions, "population", n)
    if sole_name_rescue:  # the name of one place only, of the source's population
        lookup = gaz.admin1_lookup()
        for r in far[arrays["sole_far"][far] & (pop[far] > 0)].tolist():
            notes.setdefault(r, ("", _qualifier_region(str(raw[r]), iso[r], lookup)))
    name_idx = np.array(sorted(notes), dtype=np.int64)
    if len(dm_idx) or len(name_idx):
        # one pass for both: decoded points within _DM_KM of a place of the name, and the
        # contradicted rows without their point
        sub = pd.concat(
            [
                mentions.iloc[dm_idx].assign(lat=dlat[dm_idx], lon=dlon[dm_idx]),
                mentions.iloc[name_idx].assign(lat=np.nan, lon=np.nan),
            ]
        )
        res, _ = _match_once(sub, gaz, **{**opts, "max_km": _DM_KM, "nearest_km": 0.0})
        k = len(dm_idx)
        dm = {key: v[:k] for key, v in res.items()}
        ok = _isin(dm["method"], _NAME_METHODS)
        _take(arrays, dm_idx[ok], dm, ok, "degrees_minutes")
        done = set(dm_idx[ok].tolist())
        res = {key: v[k:] for key, v in res.items()}
        ok = _isin(res["method"], _NAME_METHODS)
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
            km = haversine_km(lat[name_idx], lon[name_idx], pl["lat"][pos], pl["lon"][pos])
            note[sole] = [
                f"coordinates ignored: {d:.0f} km from {nm}, the only place of that name "
                "in the country, of a population like the source's"
                for d, nm in zip(km[sole], pl["name"][pos][sole], strict=True)
            ]
        res["reason"] = note
        _take(arrays, name_idx[ok], res, ok, "dropped")

    # 3. a territory filed under the stated country
    related = np.array([c in geo.RELATED_COUNTRIES for c in iso_uniq.tolist()], dtype=bool)
    rel = open_rows & related[iso_code] & (method == "unmatched")
    idx = np.flatnonzero(rel)
    if len(idx):
        _territories(idx, raw, iso, lat, lon, gaz, opts["max_km"], arrays)


def _take(arrays, rows, res, ok, fix_value: str) -> None:
    """Copy accepted rows of a sub-pass (`res`, masked by `ok`) into the output arrays."""
    for key in ("gid", "method", "score", "dist", "admin1", "matched", "reason"):
        arrays[key][rows] = res[key][ok]
    arrays["coord_fix"][rows] = fix_value


def _whole_keys(raw: str) -> tuple[str, ...]:
    plan = _plan(raw)
    return plan.keys[: plan.n_whole]


def _places_near(lat, lon, radius_km: float, gaz: Gazetteer) -> list[np.ndarray]:
    """Positions in `places()` within radius_km of each point."""
    hits = gaz.tree().query_ball_point(
        unit_vectors(lat, lon), r=float(geo.chord(radius_km)) * (1 + 1e-9), return_sorted=False
    )
    return [np.asarray(h, dtype=np.int64) for h in hits]


def _place_has_key(place: int, keys: set[str], gaz: Gazetteer) -> int | None:
    """Best name rank of `place` among `keys`, or None."""
    starts, rows = gaz.place_keys()
    a = gaz.arrays()
    sel = rows[starts[place] : starts[place + 1]]
    ranks = [int(r) for k, r in zip(a["key"][sel], a["rank"][sel], strict=True) if k in keys]
    return min(ranks) if ranks else None


def _contradictions(rows, raw, iso, lat, lon, fix, gaz: Gazetteer) -> dict:
    """row -> (note, admin1 the name must match or None) for rows whose point is no
    evidence against the name (see `_review_coordinates`, step 2)."""
    pl = gaz.places()
    lookup = gaz.admin1_lookup()
    near = _places_near(lat[rows], lon[rows], _NAMESAKE_KM, gaz)
    out: dict[int, tuple[str, str | None]] = {}
    for r, hits in zip(rows.tolist(), near, strict=True):
        if fix[r] in REPAIRED_FIXES:
            out[r] = (f"coordinates ignored: the {fix[r]} point does not confirm the name", None)
            continue
        block = set(geo.country_block(iso[r]))
        hits = hits[~np.isin(pl["iso3"][hits], list(block))] if len(hits) else hits
        if len(hits):
            keys = set(_whole_keys(str(raw[r])))
            d = haversine_km(lat[r], lon[r], pl["lat"][hits], pl["lon"][hits])
            for h in hits[np.argsort(d, kind="stable")].tolist():
                if _place_has_key(h, keys, gaz) is not None:
                    out[r] = (
                        f"coordinates ignored: they lie at {pl['name'][h]} ({pl['iso3'][h]}), "
                        "a namesake abroad",
                        None,
                    )
                    break
        if r in out:
            continue
        away = _abroad_km(lat[r], lon[r], iso[r], gaz)
        if away is not None:
            out[r] = (
                f"coordinates ignored: they lie abroad, {away:.0f} km from the nearest "
                f"place of {iso[r]}",
                None,
            )
            continue
        hint = _qualifier_region(str(raw[r]), iso[r], lookup)
        tree = gaz.country_tree(iso[r]) if hint else None
        if tree is None:
            continue
        dist, k = tree.query(unit_vectors(lat[r : r + 1], lon[r : r + 1]), k=1)
        if geo.arc_km(dist[0]) > _REGION_KM:
            continue  # no place of the country near the point: its region is unknown
        region = pl["admin1_code"][gaz.country_positions(iso[r])[k[0]]]
        if region != hint:
            out[r] = (
                f"coordinates ignored: they lie in {region}, not in {hint} that the "
                "name's qualifier names",
                hint,
            )
    return out


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


def _qualifier_region(raw: str, iso3: str, lookup) -> str | None:
    """admin1 code named by the name's bracket/comma qualifier ("Latta, OK" -> US.OK)."""
    q = _plan(raw).qualifier
    if not q:
        return None
    return lookup.get((iso3, normalize_region_name(q))) or lookup.get((iso3, literal_key(q)))


def _territories(rows, raw, iso, lat, lon, gaz: Gazetteer, max_km: float, arrays) -> None:
    """Step 3 of `_review_coordinates`: a place of the name within max_km in a territory."""
    pl = gaz.places()
    near = _places_near(lat[rows], lon[rows], max_km, gaz)
    for r, hits in zip(rows.tolist(), near, strict=True):
        related = set(geo.RELATED_COUNTRIES.get(iso[r], ()))
        hits = hits[np.isin(pl["iso3"][hits], list(related))] if len(hits) else hits
        if not len(hits):
            continue
        keys = _plan(str(raw[r])).keys
        order = {k: i for i, k in enumerate(keys)}
        best = None
        d = haversine_km(lat[r], lon[r], pl["lat"][hits], pl["lon"][hits])
        for h, dd in zip(hits.tolist(), np.atleast_1d(d).tolist(), strict=True):
            starts, krows = gaz.place_keys()
            a = gaz.arrays()
            sel = krows[starts[h] : starts[h + 1]]
            for k, rank in zip(a["key"][sel], a["rank"][sel], strict=True):
                if k in order and dd <= max_km:
                    cand = (order[k], int(rank), dd, int(pl["geonameid"][h]), h)
                    best = cand if best is None or cand < best else best
        if best is None:
            continue
        _, rank, dd, gid, h = best
        arrays["gid"][r] = gid
        arrays["method"][r] = "exact" if rank == 0 else "alternate"
        arrays["score"][r] = 100.0
        arrays["dist"][r] = dd
        arrays["admin1"][r] = pl["admin1_code"][h]
        arrays["matched"][r] = pl["name"][h]
        arrays["reason"][r] = f"place in {pl['iso3'][h]}, which the source lists under {iso[r]}"


def _nearest_named_by_qualifier(
    todo, plans, pair_of_row, rows, has_xy, lat, lon, iso, gaz, radius, gid, method, dist, admin1
) -> None:
    """`_nearest` for rows whose bracket/comma qualifier is a name of the nearest place."""
    n = len(gid)
    g2, m2 = np.full(n, -1, dtype=np.int64), np.full(n, "unmatched", dtype=object)
    d2, a2 = np.full(n, np.nan), np.full(n, "", dtype=object)
    _nearest(todo, has_xy, lat, lon, iso, gaz, radius, g2, m2, d2, a2)
    hit = todo[m2[todo] == "nearest"]
    if not len(hit):
        return
    pos = gaz.place_positions(g2[hit])
    for r, place in zip(hit.tolist(), pos.tolist(), strict=True):
        q = plans[pair_of_row[np.searchsorted(rows, r)]].qualifier
        if _place_has_key(place, {literal_key(q), normalize_name(q)}, gaz) is not None:
            gid[r], method[r], dist[r], admin1[r] = g2[r], "nearest", d2[r], a2[r]


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
