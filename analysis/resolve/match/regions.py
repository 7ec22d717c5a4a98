"""Names of first-level regions: region and area mentions, and a name's region qualifier.

The gazetteer has places and admin1 regions only, so regions resolve to "CC.code" (method
`admin1`) and never to a city; a qualifier naming a region ("Portland (Oregon)") is a
hint that ranks candidates and checks points.
"""

from __future__ import annotations

import numpy as np

from analysis.resolve.gazetteer import Gazetteer, normalize_region_name
from analysis.resolve.match.naming import plan
from analysis.resolve.match.state import MatchState, Pairs
from analysis.resolve.textnorm import literal_key, normalize_name

REGION_TYPES = frozenset(
    {"region", "state", "province", "admin1", "territory", "prefecture", "oblast", "land"}
)
# Second-level units: matched to an admin1 region when one has the name, never to a city.
AREA_TYPES = frozenset({"county", "district", "admin2"})


def match_regions(st: MatchState, idx: np.ndarray, gaz: Gazetteer) -> None:
    """Rows typed as regions: the admin1 code of their name, or a reason."""
    lookup = gaz.admin1_lookup()
    for r in idx:
        name = str(st.raw[r])
        code = None
        for k in (literal_key(name), normalize_name(name), normalize_region_name(name)):
            code = lookup.get((st.iso[r], k))
            if code:
                break
        if code:
            st.admin1[r], st.method[r], st.score[r] = code, "admin1", 100.0
        else:
            st.reason[r] = "region not in admin1 names"


def match_areas(st: MatchState, idx: np.ndarray, gaz: Gazetteer) -> None:
    """Counties and county-level councils: a first-level region if one has the name.

    The gazetteer has places and admin1 regions only (no admin2), so "Cook County" or
    "Hampshire County Council" stay unmatched rather than falling to a town of the
    same name or to the most populous place near their coordinates.
    """
    lookup = gaz.admin1_lookup()
    for r in idx:
        name = str(st.raw[r])
        area = plan(name).area or ()
        keys = [literal_key(name), normalize_name(name), normalize_region_name(name)]
        for k in area:
            keys += [k, normalize_region_name(k)]
        keys += [k[: -len(" county")] for k in keys if k.endswith(" county")]
        code = next((c for c in (lookup.get((st.iso[r], k)) for k in keys) if c), None)
        if code:
            st.admin1[r], st.method[r], st.score[r] = code, "admin1", 100.0
        else:
            st.reason[r] = (
                "county or area-level unit: not an admin1 region (gazetteer has no admin2)"
            )


def region_named(iso3: str, qualifier: str, lookup) -> str | None:
    """admin1 code of `iso3` that a qualifier names, or None."""
    return lookup.get((iso3, normalize_region_name(qualifier))) or lookup.get(
        (iso3, literal_key(qualifier))
    )


def qualifier_region(raw: str, iso3: str, lookup) -> str | None:
    """admin1 code named by the name's bracket/comma qualifier ("Latta, OK" -> US.OK)."""
    q = plan(raw).qualifier
    if not q:
        return None
    return region_named(iso3, q, lookup)


def hints(pairs: Pairs, gaz: Gazetteer) -> dict[int, str]:
    """pair -> admin1 code named by its qualifier ("Portland (Oregon)" -> "US.OR")."""
    lookup = gaz.admin1_lookup()
    out = {}
    for p in [p for p, pl in enumerate(pairs.plans) if pl.qualifier]:  # few: skip the rest
        code = region_named(pairs.iso[p], pairs.plans[p].qualifier, lookup)
        if code:
            out[p] = code
    return out
