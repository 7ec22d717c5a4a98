"""The audit trail of every mention: its output columns and the reason a row stayed open.

Every row leaves the matcher with a method; an `unmatched` one always with a reason, so
the audit tables count each dropped mention by why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.resolve.match.state import MatchState, Pairs

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


def explain_unmatched(st: MatchState, pairs: Pairs, too_far: np.ndarray, max_km: float) -> None:
    """The reason of each city row no name pass matched (before the nearest fallback)."""
    rows = pairs.rows
    open_rows = rows[st.method[rows] == "unmatched"]
    no_where = (st.iso[open_rows] == "") & ~st.has_xy[open_rows]
    far = np.isin(open_rows, too_far)
    council = np.fromiter((pl.council for pl in pairs.plans), bool, len(pairs.plans))
    st.reason[open_rows] = np.where(
        no_where,
        "country missing and no coordinates",
        np.where(
            far,
            f"name matches only beyond {max_km:g} km of the coordinates",
            np.where(
                council[pairs.pair_of_rows(open_rows)],
                "council or municipal name: no place of that name in country",
                "no name match in country",
            ),
        ),
    )
