"""The matcher's driver: one pass over the mentions in the package docstring's order,
then the coordinate review; `match_cities` and `match_cities_arrays` are its doors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import PipelineError
from analysis.resolve.gazetteer import Gazetteer
from analysis.resolve.match import review
from analysis.resolve.match.audit import audit_columns, explain_unmatched
from analysis.resolve.match.candidates import (
    candidates,
    candidates_from_keys,
    groups,
    mark_groups,
)
from analysis.resolve.match.fuzzy import SCORERS, fuzzy_keys, fuzzy_local
from analysis.resolve.match.naming import plan
from analysis.resolve.match.nearest import fall_back_to_nearest, sole_name_far_rows
from analysis.resolve.match.ranking import apply_best, choose
from analysis.resolve.match.regions import (
    AREA_TYPES,
    REGION_TYPES,
    hints,
    match_areas,
    match_regions,
)
from analysis.resolve.match.state import MatchState, Options, Pairs
from analysis.resolve.match.vectors import isin
from analysis.resolve.textnorm import split_group_signatory


def match_cities(
    mentions: pd.DataFrame, gazetteer: Gazetteer, *, source: str, **options: Any
) -> pd.DataFrame:
    """Resolve every mention; returns one audit row per input row, in input order.

    `mentions` needs `raw_name` and `country_iso3` (may be missing), optionally `lat`,
    `lon`, `entity_type` and `coord_fix` (what `analysis.resolve.geo.check_coordinates`
    did to the point; a `swapped` or `sign_flipped` point must be confirmed by the name,
    so it gets no `nearest` fallback). Output columns: OUTPUT_COLUMNS (city_id is nullable
    Int64); `coord_fix` carries the input value or what the coordinate review did
    (package docstring). `options` are `match_cities_arrays`'s keywords (thresholds,
    `review_coordinates=False` to skip the coordinate review for diagnostics,
    `sole_name_rescue` as in the package docstring).
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
    callers that gather rows themselves (`analysis.resolve.stage.match_all`)."""
    for col in ("raw_name", "country_iso3"):
        if col not in mentions.columns:
            raise PipelineError(f"match_cities({source}): mentions lack column {col!r}")
    if scorer not in SCORERS:
        raise PipelineError(f"match_cities: unknown scorer {scorer!r}; use one of {list(SCORERS)}")
    opts = Options(fuzzy_threshold, scorer, max_km, nearest_km, population_override)
    st = MatchState.from_mentions(mentions)
    match_pass(st, gazetteer, opts, no_nearest=isin(st.coord_fix, review.REPAIRED_FIXES))
    if review_coordinates:
        review_coordinates_of(st, gazetteer, opts, sole_name_rescue)
    return st.result()


def review_coordinates_of(
    st: MatchState, gaz: Gazetteer, opts: Options, sole_name_rescue: bool
) -> None:
    """The coordinate review of a matched state; its sub-pass is a plain `match_pass`."""

    def rematch(sub: pd.DataFrame, sub_opts: Options) -> MatchState:
        res = MatchState.from_mentions(sub)
        match_pass(res, gaz, sub_opts)
        return res

    review.review_coordinates(st, gaz, opts, sole_name_rescue, rematch)


def match_pass(
    st: MatchState, gaz: Gazetteer, opts: Options, no_nearest: np.ndarray | None = None
) -> None:
    """One matching pass (the package docstring's order), filling `st` in place; rows in
    `no_nearest` get no nearest fallback."""
    # per distinct name, then broadcast to rows by code
    empty = np.fromiter((not s.strip() for s in st.raw_uniq), bool, len(st.raw_uniq))
    empty = empty[st.raw_code]
    st.reason[empty] = "empty name"
    is_region = isin(st.etype, REGION_TYPES) & ~empty
    match_regions(st, np.flatnonzero(is_region), gaz)
    # areas: counties and "... County Council"-style names -> admin1 or unmatched
    is_area = isin(st.etype, AREA_TYPES) & ~empty & ~is_region
    rest = np.flatnonzero(~empty & ~is_region & ~is_area)
    plan_of = _plan_names(st, rest, is_area)
    match_areas(st, np.flatnonzero(is_area), gaz)
    st.city_row = ~empty & ~is_region & ~is_area
    rows = np.flatnonzero(st.city_row)
    if len(rows):
        _match_city_rows(st, Pairs.of_rows(st, rows, plan_of), gaz, opts, no_nearest)


def _plan_names(st: MatchState, rest: np.ndarray, is_area: np.ndarray) -> np.ndarray:
    """The plan of each distinct name of `rest` (kept here: more names than `plan`'s cache
    may hold); rows whose name is an area's join `is_area` (in place)."""
    plan_of = np.full(len(st.raw_uniq), None, dtype=object)
    if len(rest):
        need = np.unique(st.raw_code[rest])
        plan_of[need] = [plan(u) for u in st.raw_uniq[need].tolist()]
        named_area = np.zeros(len(st.raw_uniq), dtype=bool)
        named_area[need] = [plan_of[c].area is not None for c in need.tolist()]
        is_area[rest[named_area[st.raw_code[rest]]]] = True
    return plan_of


def _match_city_rows(
    st: MatchState, pairs: Pairs, gaz: Gazetteer, opts: Options, no_nearest
) -> None:
    """Names, then fuzzy names, then groups, reasons and the nearest fallback."""
    pairs.hints = hints(pairs, gaz)
    cand = candidates(pairs.iso, pairs.plans, gaz)
    group_pairs = groups(pairs.iso, pairs.plans, cand, gaz)
    cand = cand[~cand["pair"].isin(group_pairs)]
    best, too_far = choose(cand, pairs, st, gaz, opts.max_km, opts.population_override)
    apply_best(best, pairs, st, gaz, "name")
    _match_fuzzy(st, pairs, cand, group_pairs, gaz, opts)
    mark_groups(st, pairs, group_pairs)
    explain_unmatched(st, pairs, too_far, opts.max_km)
    sole_far = sole_name_far_rows(pairs, cand, too_far)
    st.sole_far[sole_far] = True
    fall_back_to_nearest(st, pairs, sole_far, gaz, opts.nearest_km, no_nearest)
    st.too_far[too_far] = True


def _match_fuzzy(
    st: MatchState, pairs: Pairs, cand: pd.DataFrame, group_pairs, gaz: Gazetteer, opts: Options
) -> None:
    """Fuzzy names for pairs with no name candidate at all (not groups). Rows with
    coordinates score only the names of places within max_km (all a match could use
    anyway); rows without score the country's names, once per distinct name per stage."""
    scorer = SCORERS[opts.scorer]
    settled = np.zeros(len(pairs.plans), dtype=bool)  # pairs with a candidate, or groups
    settled[cand["pair"].to_numpy()] = True
    settled[group_pairs] = True
    open_row = ~settled[pairs.of_row]
    has_xy = st.has_xy[pairs.rows]
    fuzzy_local(
        np.flatnonzero(open_row & has_xy), st, pairs, gaz, opts.fuzzy_threshold, scorer, opts.max_km
    )
    wide = np.unique(pairs.of_row[open_row & ~has_xy])
    fz = fuzzy_keys(wide.tolist(), pairs.iso, pairs.plans, gaz, opts.fuzzy_threshold, scorer)
    if not len(fz):
        return
    fcand = candidates_from_keys(fz, gaz)
    fbest, _ = choose(fcand, pairs, st, gaz, opts.max_km, opts.population_override)
    fbest = fbest[fbest["unit"] >= 0]  # rows with coordinates were scored locally
    # a fuzzy guess must not contradict the name's own region qualifier
    # ("Pocheon-si, Gyeonggi" is not Ocheon in Gyeongsangbuk-do)
    fbest = fbest[fbest["hint_miss"].to_numpy() == 0]
    fbest = fbest.merge(fz[["pair", "score"]], on="pair", how="left")
    apply_best(fbest, pairs, st, gaz, "fuzzy")


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
