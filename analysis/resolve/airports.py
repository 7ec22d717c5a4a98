"""Airports to the cities they serve (OpenFlights), after GeoNames and the LAU layer.

An OpenFlights mention is a served-city label (the airports' own `city` field) at the mean
point of its airports. Airports often lie 25-100 km from the city they serve, so the
matcher's distance rules leave some labels unmatched. For a source with the option
`airport_km` (config `matching.per_source.openflights.airport_km`, 50 km), a city mention
still unmatched after GeoNames and the LAU layer resolves, with method `airport`, to

1. the airport's own city field: the nearest GeoNames place of the country whose name is
   one of the label's lookup keys, within `airport_km` of the airport; else
2. the most populous GeoNames place of the country within `airport_km` of the airport
   (ties: lowest geonameid). Never across a border; a label without a place of the
   country within the radius stays unmatched (reason says so).

Only rows the earlier passes left `unmatched` change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.resolve.gazetteer import Gazetteer, haversine_km, unit_vectors
from analysis.resolve.geo import chord
from analysis.resolve.match import open_city_rows, plan

METHOD = "airport"


def resolve(
    frame: pd.DataFrame, arrays: dict[str, np.ndarray], gazetteer: Gazetteer, *, km: float
) -> None:
    """Update `arrays` in place for the unmatched city rows of `frame` that have a point."""
    if not {"lat", "lon"} <= set(frame.columns):
        return
    lat, lon = frame["lat"].to_numpy(float), frame["lon"].to_numpy(float)
    todo = np.flatnonzero(open_city_rows(frame, arrays) & np.isfinite(lat) & np.isfinite(lon))
    if not len(todo):
        return
    iso = frame["country_iso3"].astype("string").fillna("").to_numpy(dtype=object)
    raw = frame["raw_name"].astype("string").fillna("").to_numpy(dtype=object)
    ids, starts, stops = gazetteer.span_table()
    a = gazetteer.arrays()
    p = gazetteer.places()
    reach = float(chord(km))
    for r in todo:
        gid, how = -1, ""
        best_d = np.inf
        for k in plan(raw[r]).keys:  # 1. the label names a place near the airport
            span = ids.get(f"{iso[r]} {k}")
            if span is None:
                continue
            rows = np.arange(starts[span], stops[span])
            d = haversine_km(lat[r], lon[r], a["lat"][rows], a["lon"][rows])
            j = int(np.argmin(d))
            if d[j] <= km and d[j] < best_d:
                best_d, gid, how = float(d[j]), int(a["geonameid"][rows[j]]), "label"
        if gid < 0:  # 2. the most populous place of the country within the radius
            tree = gazetteer.country_tree(str(iso[r]))
            if tree is None:
                continue
            pos = gazetteer.country_positions(str(iso[r]))
            cand = pos[tree.query_ball_point(unit_vectors([lat[r]], [lon[r]])[0], reach)]
            if not len(cand):
                arrays["reason"][r] = (
                    f"{arrays['reason'][r]}; airport: no place of the country within {km:g} km"
                ).lstrip("; ")
                continue
            top = cand[np.lexsort((p["geonameid"][cand], -p["population"][cand]))[0]]
            gid, how = int(p["geonameid"][top]), "largest"
        pos1 = gazetteer.place_positions(np.array([gid]))[0]
        d1 = float(haversine_km(lat[r], lon[r], p["lat"][pos1], p["lon"][pos1]))
        arrays["gid"][r] = gid
        arrays["method"][r] = METHOD
        arrays["score"][r] = 100.0 if how == "label" else np.nan
        arrays["dist"][r] = d1
        arrays["admin1"][r] = p["admin1_code"][pos1]
        arrays["matched"][r] = p["name"][pos1]
        arrays["reason"][r] = (
            f"airport: the label's place within {km:g} km"
            if how == "label"
            else f"airport: most populous place within {km:g} km"
        )
