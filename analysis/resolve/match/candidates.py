"""Gazetteer candidates of a name: every place whose key equals one of the name's keys.

Looked up once per distinct (country, name) pair, on the gazetteer's span tables (one
dict lookup per key, then numpy gathers); names that list several places are set aside
as groups before ranking.
"""

from __future__ import annotations

from itertools import chain, repeat

import numpy as np
import pandas as pd

from analysis.resolve.gazetteer import Gazetteer
from analysis.resolve.match.state import MatchState, Pairs
from analysis.resolve.match.vectors import ranges
from analysis.resolve.textnorm import normalize_name


def candidates(pair_iso: list[str], plans: list, gaz: Gazetteer) -> pd.DataFrame:
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
    pos, owner = ranges(starts[span], stops[span])
    pair_c, order_c = pair[known][found][owner], order[known][found][owner]
    # no country: the key's rows in every country, in names order
    krows, kstarts, kstops = gaz.key_rows(keys[~known].tolist())
    gpos, gowner = ranges(kstarts, kstops)
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


def candidates_from_keys(fz: pd.DataFrame, gaz: Gazetteer) -> pd.DataFrame:
    """Candidates of the fuzzy-matched keys (fz: pair, iso3, key)."""
    ids, starts, stops = gaz.span_table()
    span = np.array([ids[c + " " + k] for c, k in zip(fz["iso3"], fz["key"], strict=True)])
    pos, owner = ranges(starts[span.astype(np.int64)], stops[span.astype(np.int64)])
    c = pd.DataFrame({"pair": fz["pair"].to_numpy()[owner], "order": 0, "pos": pos})
    c = _attach(c, gaz)
    return c[c["rank"] <= 2]


def _attach(c: pd.DataFrame, gaz: Gazetteer) -> pd.DataFrame:
    arrays = gaz.arrays()
    pos = c["pos"].to_numpy()
    for col in ("rank", "geonameid", "population"):  # the rest is gathered by `pos` later
        c[col] = arrays[col][pos]
    return c


def groups(pair_iso, plans, cand: pd.DataFrame, gaz: Gazetteer) -> list[int]:
    """Pairs whose name is a list of >= 2 places and not itself a known name."""
    listed = [p for p, pl in enumerate(plans) if pl.members]  # few: skip the rest fast
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
        c, pl = pair_iso[p], plans[p]
        if whole_hit[p]:
            continue
        hits = 0
        for mem in pl.members:
            k = normalize_name(mem)
            if (c, k) in lookup or k == gaz.country_names.get(c):
                continue  # "Ontario", "Canada": qualifiers, not member places
            if c + " " + k in spans:
                hits += 1
        if hits >= 2:
            out.append(p)
    return out


def mark_groups(st: MatchState, pairs: Pairs, group_pairs: list[int]) -> None:
    """Flag the rows of group pairs: method `group`, no city id (one pass over the rows)."""
    if not group_pairs:
        return
    note = np.full(len(pairs.plans), None, dtype=object)
    note[group_pairs] = [
        f"group of {len(pairs.plans[p].members or ())} places" for p in group_pairs
    ]
    hit = np.isin(pairs.of_row, group_pairs)
    sel = pairs.rows[hit]
    st.is_group[sel] = True
    st.method[sel] = "group"
    st.reason[sel] = note[pairs.of_row[hit]]


def place_has_key(place: int, keys: set[str], gaz: Gazetteer) -> int | None:
    """Best name rank of `place` among `keys`, or None."""
    starts, rows = gaz.place_keys()
    a = gaz.arrays()
    sel = rows[starts[place] : starts[place + 1]]
    ranks = [int(r) for k, r in zip(a["key"][sel], a["rank"][sel], strict=True) if k in keys]
    return min(ranks) if ranks else None
