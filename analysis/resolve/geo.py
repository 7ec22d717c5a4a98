"""Coordinate sanity check of source points against the gazetteer, for the matching stage.

Sources geocode their places with varying care: points at a namesake abroad ("Dunedin, USA"
placed in New Zealand), latitude and longitude exchanged (Brescia at 10.2, 45.5), a lost minus
sign (Davenport, USA at 41.5, 90.6), degrees and minutes written as decimals (Ustka at
54.35, 16.52 for 54°35', 16°51'). Before the matcher uses a point, `check_coordinates` asks
only whether the point can lie in the country the source names; it does not resolve the city.

Rule, per mention with a point and a stated country:
- `dropped` at once: a whole-degree point (latitude and longitude both integers, e.g.
  ClimActor's Poole at 50, -1 or Tipperary at 52, -8): an area-centroid placeholder, not a
  place. A real place falls on whole degrees with odds of about 1 in 10^8 at the four
  decimals sources give.
- `none`: the point lies within `suspect_km` (50) of some gazetteer place (GeoNames
  cities500) of the stated country or of a territory the source may file under it
  (`RELATED_COUNTRIES`: Réunion under France, Hong Kong under China, Kosovo under Serbia,
  Lefke in northern Cyprus under Turkey, ...). Points of a country the gazetteer has no
  place of are left as they are.
- `swapped` / `sign_flipped`: the point is farther, and (lon, lat), or one of (-lat, lon),
  (lat, -lon), (-lat, -lon) lies near a place of the country: within `variant_km` (50)
  when the point is over `max_km` (300) from every place of the country, else within
  `on_place_km` (2), i.e. on a place (Bradford at 53.79, 1.75 lies in the North Sea 100 km
  off England; at -1.75 it is Bradford). The closest such variant is used (a tie goes to
  the swap). The radii keep a namesake abroad, or a remote but correct point (Novaya
  Zemlya), from being "repaired" into a random spot of the country; the matcher also
  accepts a repaired point only when the name confirms it.
- `dropped`: no repair, and the point is over `max_km` from every place of the country:
  the coordinates are unusable for matching (set missing), and the mention is matched by
  name like a mention without coordinates.
- otherwise `none`: a remote point of the country (an Arctic airport) is left as given;
  a point abroad but near the border is left to the matcher (a namesake abroad, below).

The matcher adds two values of its own (see `analysis.resolve.match`): `degrees_minutes` (the
point read as degrees.minutes has a place of the mention's name within a few km) and
`dropped` for points that sit at a namesake abroad, contradict the name's own region
qualifier, or are repairs the name does not confirm.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.resolve.gazetteer import EARTH_RADIUS_KM, Gazetteer, unit_vectors

COORD_FIXES: tuple[str, ...] = ("none", "swapped", "sign_flipped", "degrees_minutes", "dropped")
MAX_KM = 300.0  # a point farther than this from every place of its country is unusable
SUSPECT_KM = 50.0  # ... farther than this: repairs are tried
VARIANT_KM = 50.0  # a repair of an unusable point must lie this close to a place of the country
ON_PLACE_KM = 2.0  # ... of a suspect point this close

# Territories whose places GeoNames files under their own code but sources often list under
# the sovereign (or former, or claiming) state. Places of these codes count as places of the
# key country for the check, and the matcher may match a name there when the point confirms
# it. ANT (Netherlands Antilles, dissolved 2010) has no places of its own in GeoNames.
RELATED_COUNTRIES: Mapping[str, tuple[str, ...]] = {
    "ANT": ("ABW", "BES", "CUW", "SXM"),
    "AUS": ("CCK", "CXR", "NFK"),
    "CHN": ("HKG", "MAC", "TWN"),
    "DNK": ("FRO", "GRL"),
    "ESH": ("MAR",),
    "FIN": ("ALA",),
    "FRA": ("BLM", "GLP", "GUF", "MAF", "MTQ", "MYT", "NCL", "PYF", "REU", "SPM", "WLF"),
    "GBR": ("AIA", "BMU", "CYM", "FLK", "GGY", "GIB", "IMN", "JEY", "MSR", "SHN", "TCA", "VGB"),
    "ISR": ("PSE",),
    "MAR": ("ESH",),
    "NLD": ("ABW", "BES", "CUW", "SXM"),
    "NOR": ("SJM",),
    "NZL": ("COK", "NIU", "TKL"),
    "PSE": ("ISR",),
    "SRB": ("XKX",),
    "TUR": ("CYP",),  # Turkish Cypriot municipalities (Lefke, Girne) listed under Turkey
    "USA": ("ASM", "GUM", "MNP", "PRI", "UMI", "VIR"),
    "XKX": ("SRB",),
}


def country_block(iso3: str) -> tuple[str, ...]:
    """The stated country and the territories a source may file under it."""
    return (iso3, *RELATED_COUNTRIES.get(iso3, ()))


def chord(km: float) -> float:
    """Chord length on the unit sphere of a great-circle distance."""
    return 2.0 * np.sin(np.asarray(km, dtype=float) / (2.0 * EARTH_RADIUS_KM))


def arc_km(chord_len: np.ndarray) -> np.ndarray:
    """Great-circle distance (km) of a chord length on the unit sphere."""
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord_len) / 2.0, 0.0, 1.0))


def nearest_place_km(
    lat: np.ndarray, lon: np.ndarray, iso3: str, gazetteer: Gazetteer
) -> np.ndarray:
    """Distance (km) from each point to the nearest gazetteer place of `country_block(iso3)`;
    inf where the block has no place (or the point is missing)."""
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    out = np.full(len(lat), np.inf)
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        return out
    xyz = unit_vectors(lat[ok], lon[ok])
    best = np.full(len(xyz), np.inf)
    for code in country_block(iso3):
        tree = gazetteer.country_tree(code)
        if tree is not None:
            best = np.minimum(best, tree.query(xyz, k=1)[0])
    out[ok] = np.where(np.isfinite(best), arc_km(np.where(np.isfinite(best), best, 0.0)), np.inf)
    return out


def _variants(lat: np.ndarray, lon: np.ndarray) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Candidate repairs in order of preference; invalid latitudes become NaN."""
    swapped_lat = np.where(np.abs(lon) <= 90, lon, np.nan)
    return [
        ("swapped", swapped_lat, lat),
        ("sign_flipped", -lat, lon),
        ("sign_flipped", lat, -lon),
        ("sign_flipped", -lat, -lon),
    ]


def check_coordinates(
    lat: pd.Series | np.ndarray,
    lon: pd.Series | np.ndarray,
    iso3: pd.Series | np.ndarray,
    gazetteer: Gazetteer,
    *,
    max_km: float = MAX_KM,
    variant_km: float = VARIANT_KM,
    suspect_km: float = SUSPECT_KM,
    on_place_km: float = ON_PLACE_KM,
) -> pd.DataFrame:
    """Check each point against the places of its stated country (see module docstring).

    Returns a frame aligned with the input (same index when `lat` is a Series) with the
    columns `lat`, `lon` (repaired, or NaN when dropped) and `coord_fix` (none, swapped,
    sign_flipped, dropped). Rows without a point, and points of a mention without a country
    (unless on whole degrees), are `none`.
    """
    index = lat.index if isinstance(lat, pd.Series) else None
    la = pd.to_numeric(pd.Series(np.asarray(lat)), errors="coerce").to_numpy(dtype=float)
    lo = pd.to_numeric(pd.Series(np.asarray(lon)), errors="coerce").to_numpy(dtype=float)
    codes = pd.Series(np.asarray(iso3, dtype=object)).fillna("").astype(str).str.strip()
    codes = codes.str.upper().to_numpy(dtype=object)
    out_lat, out_lon = la.copy(), lo.copy()
    fix = np.full(len(la), "none", dtype=object)
    placeholder = np.isfinite(la) & np.isfinite(lo) & (la % 1 == 0) & (lo % 1 == 0)
    out_lat[placeholder], out_lon[placeholder] = np.nan, np.nan
    fix[placeholder] = "dropped"
    has = np.flatnonzero(np.isfinite(la) & np.isfinite(lo) & (codes != "") & ~placeholder)
    if len(has):  # most points: the nearest place of all lies in the country, close by
        d, pos = gazetteer.tree().query(unit_vectors(la[has], lo[has]), k=1)
        home = gazetteer.places()["iso3"][pos] == codes[has]
        has = has[~(home & (arc_km(d) <= suspect_km))]
    group, uniq = pd.factorize(codes[has])
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(len(uniq) + 1))
    for g, code in enumerate(uniq):
        idx = has[order[bounds[g] : bounds[g + 1]]]
        if not any(len(gazetteer.country_positions(c)) for c in country_block(code)):
            continue  # no place to check against: leave the point as given
        d0 = nearest_place_km(la[idx], lo[idx], code, gazetteer)
        sel = d0 > suspect_km
        bad, d_bad = idx[sel], d0[sel]
        if not len(bad):
            continue
        best_d = np.full(len(bad), np.inf)
        best = np.full(len(bad), -1)
        variants = _variants(la[bad], lo[bad])
        for k, (_, vlat, vlon) in enumerate(variants):
            d = nearest_place_km(vlat, vlon, code, gazetteer)
            # a repair must land near a place of the country; for a point still within
            # max_km of one, on a place (a random variant rarely does)
            limit = np.where(d_bad > max_km, variant_km, on_place_km)
            take = (d <= limit) & (d < best_d)
            best_d[take], best[take] = d[take], k
        for k, (name, vlat, vlon) in enumerate(variants):
            hit = best == k
            out_lat[bad[hit]], out_lon[bad[hit]] = vlat[hit], vlon[hit]
            fix[bad[hit]] = name
        gone = (best < 0) & (d_bad > max_km)
        out_lat[bad[gone]], out_lon[bad[gone]] = np.nan, np.nan
        fix[bad[gone]] = "dropped"
    return pd.DataFrame({"lat": out_lat, "lon": out_lon, "coord_fix": fix}, index=index)


def degrees_minutes(value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Decode degrees.minutes written as a decimal (45.30 -> 45.5); also whether it can be one.

    A value can be degrees.minutes only when its fractional part is below .60; others get
    NaN. The sign is kept (-8.30 -> -8.5).
    """
    v = np.asarray(value, dtype=float)
    a = np.abs(v)
    deg = np.floor(a)
    frac = a - deg
    valid = np.isfinite(v) & (frac < 0.6 - 1e-9)
    out = np.where(valid, np.sign(v) * (deg + frac * 100.0 / 60.0), np.nan)
    return out, valid
