"""The LAU layer: European municipalities (LAU 2020) as a second gazetteer behind GeoNames.

A city mention that GeoNames names do not resolve (`analysis.resolve.match`: method
`unmatched`, or `nearest`: the layer comes before the nearest-place fallback, so a mention
naming a municipality is not given a bigger neighbouring town; the fallback's pick stands
only where no unit of the name is within reach) resolves to a local administrative unit when

1. one of the mention's lookup keys (the matcher's own keys: literal, standard, without
   "city", council forms, each part of "A / B") equals a key of a unit of the mention's
   country (`unit_keys`: the official name, each part of a bilingual name "Donostia / San
   Sebastián", German names without their status "Flensburg, Stadt", Nordic names without
   "kommune", Greek community names without "Κοινότητα" and in the nominative, all
   transliterated as textnorm does), the most specific key first; and
2. where the mention has a point, the unit's centre lies within the unit's reach of it
   (`reach_km`: 1.5 times the radius of a disc of the unit's area, at least 10 km, at most
   the source's `max_km`); among several such units the nearest. Without a point, the name
   must be that of exactly one unit of the country (homonyms stay unmatched, with reason).

Ids (`city_id`, int64 in every table; documented in the codebook):
- the unit's main settlement is a GeoNames place inside the unit (a place of one of the
  unit's names within the unit's radius of its centre, else the most populous place within
  that radius holding 1/2 to 2 times the unit's population and not named-linked to another
  unit, so a neighbouring comune's town is never taken): its geonameid (the link);
- otherwise a LAU-only id `LAU_ID_BASE + the first 40 bits of sha256(gisco_id)`: a
  deterministic function of the unit's stable `gisco_id`, between 10^12 and 2.1 * 10^12,
  far above every GeoNames id (< 10^8), exact in float64; collisions raise.
`city_key` is the readable form: `geonames:<id>` or `lau:<gisco_id>`.

The audit row gets method `lau`, the unit's name as `matched_name`, the distance to the
linked place (else to the unit's centre) and a reason naming the unit and the kind of id.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import product

import numpy as np
import pandas as pd

from analysis.resolve.gazetteer import Gazetteer, haversine_km, unit_vectors
from analysis.resolve.geo import arc_km, chord
from analysis.resolve.match import open_city_rows, plan
from analysis.resolve.textnorm import name_keys, strip_city_suffix

LAU_ID_BASE = 10**12
_HASH_BITS = 40
REACH_FACTOR = 1.5  # reach = this times the radius of a disc of the unit's area ...
REACH_MIN_KM = 10.0  # ... at least this
LINK_MIN_KM = 2.0  # a GeoNames place this close to the centre is inside any unit
LINK_POP_SHARE = (0.5, 2.0)  # main settlement without the unit's name: population share
ADMIN1_KM = 50.0  # a LAU-only unit takes the admin1 of the nearest place this close
METHOD = "lau"

_GREEK_PREFIX = re.compile(
    r"^(?:Δημοτική Κοινότητα|Ψευδοδημοτική Κοινότητα|Τοπική Κοινότητα|Κοινότητα|Δήμος)\s+"
)
# Greek genitive endings -> nominative candidates (community names are genitive:
# "Κοινότητα Κομοτηνής" is the community of Κομοτηνή)
_GREEK_GENITIVE = (
    ("ής", ("ή",)),
    ("ης", ("η",)),
    ("ας", ("α",)),  # noqa: RUF001
    ("ού", ("ός", "ό")),
    ("ου", ("ος", "ο", "ι")),  # noqa: RUF001
    ("ίων", ("ία",)),
    ("ων", ("α", "ες")),  # noqa: RUF001
)
_NORDIC_SUFFIX = re.compile(r"\s+(?:kommune|kommun|kommuna|sveitarfélag)$", re.I)
_PART_SPLIT = re.compile(r"\s+/\s*|\s*/\s+|(?<=\w)/(?=\w)|\s+-\s+")
_STATUS_HEAD = frozenset({"DEU", "AUT"})  # "Flensburg, Stadt": the head is the name


def lau_city_id(gisco_id: str) -> int:
    """The LAU-only `city_id` of a unit: LAU_ID_BASE + 40 bits of sha256(gisco_id)."""
    digest = hashlib.sha256(gisco_id.encode("utf-8")).digest()
    return LAU_ID_BASE + (int.from_bytes(digest[:8], "big") >> (64 - _HASH_BITS))


def is_lau_id(city_id: np.ndarray | pd.Series) -> np.ndarray:
    """True where a city_id is a LAU-only id (not a geonameid)."""
    return np.asarray(city_id, dtype="float64") >= LAU_ID_BASE


def _greek_nominatives(name: str) -> list[str]:
    words = name.split()
    options = []
    for w in words:
        alts = [w]
        for end, subs in _GREEK_GENITIVE:
            if w.endswith(end) and len(w) > len(end) + 1:
                alts += [w[: -len(end)] + s for s in subs]
                break
        options.append(alts)
    return [" ".join(c) for c in list(product(*options))[:27]]


def unit_names(name: str, iso3: str) -> list[str]:
    """The name forms a unit is known by (see the module docstring), most official first."""
    forms: list[str] = []

    def add(s: str) -> None:
        s = s.strip(" ,")
        if s and s not in forms:
            forms.append(s)

    add(name)
    parts = [p for p in _PART_SPLIT.split(name) if p.strip()] if _PART_SPLIT.search(name) else []
    for p in parts:
        add(p)
    for f in list(forms):
        if iso3 in _STATUS_HEAD and "," in f:
            add(f.split(",", 1)[0])
        if _NORDIC_SUFFIX.search(f):
            add(_NORDIC_SUFFIX.sub("", f))
        if iso3 == "GRC":
            bare = _GREEK_PREFIX.sub("", f)
            add(bare)
            for g in _greek_nominatives(bare):
                add(g)
    return forms


def unit_keys(name: str, iso3: str) -> list[str]:
    """Normalized lookup keys of a unit's name forms (textnorm's keys, as GeoNames names get)."""
    keys: list[str] = []
    for form in unit_names(name, iso3):
        lit, std = name_keys(form)
        for k in (lit, std, strip_city_suffix(std)):
            if k and k not in keys:
                keys.append(k)
    return keys


def mention_extra_keys(raw: str) -> list[str]:
    """Keys a mention gets here beyond the matcher's: a Greek "Δήμος X" / "Dimos X" in the
    genitive, read as the nominative (the matcher keeps Greek names literal)."""
    s = re.sub(r"^(?:Dimos|Dhimos|Municipality of)\s+", "", raw.strip(), flags=re.I)
    if s == raw.strip() and not _GREEK_PREFIX.search(s):
        return []
    keys: list[str] = []
    for form in [_GREEK_PREFIX.sub("", s), *_greek_nominatives(_GREEK_PREFIX.sub("", s))]:
        for k in name_keys(form):
            if k and k not in keys:
                keys.append(k)
    return keys


@dataclass
class LauLayer:
    """LAU units with their ids and links, and a (country, key) -> units index."""

    units: pd.DataFrame  # gisco_id, country_iso3, name, lat, lon, population, area_km2,
    # radius_km, city_id, geonameid (linked, -1 if none), admin1_code, city_key
    index: dict[tuple[str, str], np.ndarray]
    keys: list[list[str]] = field(default_factory=list)  # each unit's keys (the index's source)

    @property
    def countries(self) -> frozenset[str]:
        return frozenset(self.units["country_iso3"].unique())


def build_layer(units: pd.DataFrame, gazetteer: Gazetteer) -> LauLayer:
    """Index `lau_units` (analysis.sources.lau) by key and link units to GeoNames places."""
    u = units.sort_values("gisco_id", ignore_index=True).copy()
    area = u["area_km2"].fillna(0.0).to_numpy(dtype=float)
    u["radius_km"] = np.sqrt(np.maximum(area, 0.0) / np.pi)
    keys_of = [unit_keys(n, c) for n, c in zip(u["name"], u["country_iso3"], strict=True)]
    lau_ids = np.array([lau_city_id(g) for g in u["gisco_id"]], dtype=np.int64)
    if len(np.unique(lau_ids)) != len(lau_ids):
        dup = u["gisco_id"][pd.Series(lau_ids).duplicated(keep=False).to_numpy()].tolist()
        raise ValueError(f"LAU id collision among gisco_ids {dup[:6]}: change _HASH_BITS")
    link, admin1 = _link_places(u, keys_of, gazetteer)
    p = gazetteer.places()
    u["geonameid"] = link
    u["city_id"] = np.where(link >= 0, link, lau_ids)
    u["admin1_code"] = admin1
    u["city_key"] = np.where(
        link >= 0, ["geonames:" + str(g) for g in link], ["lau:" + g for g in u["gisco_id"]]
    )
    del p
    return LauLayer(u, key_index(u["country_iso3"], keys_of), keys_of)


def key_index(
    countries: Iterable[str], keys_of: list[list[str]]
) -> dict[tuple[str, str], np.ndarray]:
    """(country, key) -> positions of the units with that key, in unit order."""
    index: dict[tuple[str, str], list[int]] = {}
    for i, (c, ks) in enumerate(zip(countries, keys_of, strict=True)):
        for k in ks:
            index.setdefault((c, k), []).append(i)
    return {k: np.array(v, dtype=np.int64) for k, v in index.items()}


def _link_places(
    u: pd.DataFrame, keys_of: list[list[str]], gaz: Gazetteer
) -> tuple[np.ndarray, np.ndarray]:
    """Per unit: the geonameid of its main settlement inside it (-1 if none), and an admin1
    code (the linked place's, else that of the nearest place of the country within
    ADMIN1_KM, else "")."""
    p = gaz.places()
    ids, starts, stops = gaz.span_table()
    a = gaz.arrays()
    n = len(u)
    link = np.full(n, -1, dtype=np.int64)
    admin1 = np.full(n, "", dtype=object)
    lat, lon = u["lat"].to_numpy(float), u["lon"].to_numpy(float)
    pop = u["population"].to_numpy(float)
    within = np.maximum(u["radius_km"].to_numpy(float), LINK_MIN_KM)
    iso = u["country_iso3"].to_numpy(dtype=object)
    for i in range(n):
        best_pop, best = -1, -1
        for k in keys_of[i]:
            span = ids.get(f"{iso[i]} {k}")
            if span is None:
                continue
            rows = np.arange(starts[span], stops[span])
            rows = rows[a["rank"][rows] <= 2]
            if not len(rows):
                continue
            d = haversine_km(lat[i], lon[i], a["lat"][rows], a["lon"][rows])
            ok = rows[d <= within[i]]
            for r in ok:
                if a["population"][r] > best_pop:
                    best_pop, best = int(a["population"][r]), int(a["geonameid"][r])
        link[i] = best
    # main settlement under another name: the most populous place within the radius whose
    # population is comparable with the unit's, and which is not the named settlement of
    # another unit (Cles is its own comune, not the main settlement of Ville d'Anaunia)
    named = np.isin(p["geonameid"], link[link >= 0])
    for c in np.unique(iso):
        tree = gaz.country_tree(str(c))
        if tree is None:
            continue
        pos = gaz.country_positions(str(c))
        sel = np.flatnonzero(iso == c)
        xyz = unit_vectors(lat[sel], lon[sel])
        dist, near = tree.query(xyz, k=1)
        near_km = arc_km(dist)
        for j, i in enumerate(sel):
            if link[i] < 0 and np.isfinite(pop[i]) and pop[i] > 0:
                cand = pos[tree.query_ball_point(xyz[j], float(chord(within[i])))]
                if len(cand):
                    cp = p["population"][cand]
                    ok = cand[
                        (cp >= LINK_POP_SHARE[0] * pop[i])
                        & (cp <= LINK_POP_SHARE[1] * pop[i])
                        & ~named[cand]
                    ]
                    if len(ok):
                        top = ok[np.lexsort((p["geonameid"][ok], -p["population"][ok]))[0]]
                        link[i] = p["geonameid"][top]
            if link[i] >= 0:
                admin1[i] = p["admin1_code"][gaz.place_positions(np.array([link[i]]))[0]]
            elif near_km[j] <= ADMIN1_KM:
                admin1[i] = p["admin1_code"][pos[near[j]]]
    return link, admin1


def reach_km(layer: LauLayer, rows: np.ndarray, max_km: float) -> np.ndarray:
    r = layer.units["radius_km"].to_numpy(float)[rows] * REACH_FACTOR
    return np.clip(r, REACH_MIN_KM, max(max_km, REACH_MIN_KM))


def resolve(
    frame: pd.DataFrame,
    arrays: dict[str, np.ndarray],
    layer: LauLayer,
    gazetteer: Gazetteer,
    *,
    max_km: float = 50.0,
    over_nearest: bool = True,
) -> None:
    """Resolve the unmatched city rows of `frame` (match_stage's distinct rows: raw_name,
    country_iso3, entity_type, lat, lon) to LAU units, updating the matcher's `arrays` in
    place (only rows whose method is `unmatched` or, with `over_nearest`, `nearest`; every
    other row is left untouched). `over_nearest=False` keeps the nearest fallback's pick for
    sources whose unit is the city a place belongs to, not its municipality (embassies in
    Kensington and Chelsea or Gentofte are London's and Copenhagen's; config
    `matching.per_source`)."""
    iso = frame["country_iso3"].astype("string").fillna("").to_numpy(dtype=object)
    was_nearest = nearest_city_rows(frame, arrays) & over_nearest
    open_rows = open_city_rows(frame, arrays) | was_nearest
    todo = np.flatnonzero(open_rows & np.isin(iso, list(layer.countries)))
    if not len(todo):
        return
    raw = frame["raw_name"].astype("string").fillna("").to_numpy(dtype=object)
    has_xy = {"lat", "lon"} <= set(frame.columns)
    lat = frame["lat"].to_numpy(float) if has_xy else np.full(len(frame), np.nan)
    lon = frame["lon"].to_numpy(float) if has_xy else np.full(len(frame), np.nan)
    u = layer.units
    ulat, ulon = u["lat"].to_numpy(float), u["lon"].to_numpy(float)
    gid_of = u["city_id"].to_numpy(np.int64)
    linked = u["geonameid"].to_numpy(np.int64) >= 0
    p = gazetteer.places()
    for r in todo:
        keys = [*plan(raw[r]).keys, *mention_extra_keys(raw[r])]
        for k in keys:
            cand = layer.index.get((iso[r], k))
            if cand is not None:
                break
        else:
            continue
        xy = np.isfinite(lat[r]) and np.isfinite(lon[r])
        if xy:
            d = haversine_km(lat[r], lon[r], ulat[cand], ulon[cand])
            ok = d <= reach_km(layer, cand, max_km)
            if not ok.any():
                if was_nearest[r]:  # the nearest place stands; its reason stays empty
                    continue
                arrays["reason"][r] = (
                    f"{arrays['reason'][r]}; LAU unit(s) named {u['name'].iat[cand[0]]!r} "
                    f"only beyond reach ({d.min():.0f} km)"
                ).lstrip("; ")
                continue
            pick = cand[ok][np.argmin(d[ok])]
        elif len(cand) == 1:
            pick = cand[0]
        else:
            arrays["reason"][r] = (
                f"{arrays['reason'][r]}; {len(cand)} LAU units named "
                f"{u['name'].iat[cand[0]]!r} in country and no point to choose"
            ).lstrip("; ")
            continue
        gid = int(gid_of[pick])
        if linked[pick]:
            pos = gazetteer.place_positions(np.array([gid]))[0]
            plat, plon = p["lat"][pos], p["lon"][pos]
            kind = "GeoNames place inside the unit"
        else:
            plat, plon = ulat[pick], ulon[pick]
            kind = "LAU-only id"
        arrays["gid"][r] = gid
        arrays["method"][r] = METHOD
        arrays["score"][r] = 100.0
        arrays["dist"][r] = float(haversine_km(lat[r], lon[r], plat, plon)) if xy else np.nan
        arrays["admin1"][r] = u["admin1_code"].iat[pick]
        arrays["matched"][r] = u["name"].iat[pick]
        arrays["reason"][r] = f"LAU {u['gisco_id'].iat[pick]} ({kind})"


def nearest_city_rows(frame: pd.DataFrame, arrays: dict[str, np.ndarray]) -> np.ndarray:
    """City rows the matcher gave to the `nearest` fallback: the layer runs before that
    fallback (module docstring), so a unit of the mention's own name takes them."""
    near = arrays["method"] == "nearest"
    return open_city_rows(frame, {**arrays, "method": np.where(near, "unmatched", "")}) & near


def lau_cities(layer: LauLayer, matched_ids: np.ndarray) -> pd.DataFrame:
    """Attributes of the LAU-only cities among `matched_ids`, shaped like the gazetteer's
    place table (indexed by city_id: name, iso3, admin1_code, population, lat, lon) plus
    `gisco_id`."""
    u = layer.units[layer.units["geonameid"] < 0]
    u = u[u["city_id"].isin(pd.unique(np.asarray(matched_ids)))]
    out = pd.DataFrame(
        {
            "name": u["name"].to_numpy(),
            "iso3": u["country_iso3"].to_numpy(),
            "admin1_code": u["admin1_code"].to_numpy(),
            "population": u["population"].fillna(0).round().astype("int64").to_numpy(),
            "lat": u["lat"].to_numpy(),
            "lon": u["lon"].to_numpy(),
            "gisco_id": u["gisco_id"].to_numpy(),
        },
        index=pd.Index(u["city_id"].to_numpy(dtype=np.int64), name="geonameid"),
    )
    return out.sort_index()
