"""Synthetic city mentions for the matcher: names drawn from a gazetteer with the noise real
sources have (typos, prefixes, qualifiers, accents, case), used by the matching benchmark."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

#: Seed of the mentions behind the published matching benchmark (benchmarks/README.md).
MENTIONS_SEED = 20240601

# Administrative prefixes by country, in the forms sources write them (analysis.resolve.textnorm).
_PREFIXES = {
    "ITA": ["Comune di", "Città di"],
    "USA": ["City of", "Town of", "Village of"],
    "GBR": ["City of", "Borough of"],
    "FRA": ["Ville de", "Commune de", "Mairie de"],
    "DEU": ["Stadt", "Landeshauptstadt", "Gemeinde"],
    "ESP": ["Ayuntamiento de", "Ajuntament de"],
    "BRA": ["Prefeitura de", "Prefeitura Municipal de"],
    "PRT": ["Câmara Municipal de"],
    "NLD": ["Gemeente"],
    "POL": ["Miasto", "Gmina"],
    "MEX": ["Municipio de"],
    "VNM": ["Thành phố"],
}
_SUFFIXES = [" Municipality", " City Council", " Municipal Council"]
_ACCENT = str.maketrans({"a": "á", "e": "é", "i": "í", "o": "ö", "u": "ü", "c": "ç", "n": "ñ"})
_SYLLABLES = (
    "ka", "lo", "mi", "ru", "ve", "ton", "bar", "zel", "qua", "rin", "dor", "fex", "ul",
    "im", "sto", "vak", "nem", "pry", "gol", "trev", "osk", "wan", "bly", "dru", "hax",
)  # fmt: skip


def _strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def _typo(s: str, rng: np.random.Generator) -> str:
    """One random edit (substitute, delete, transpose, insert) away from position 0."""
    if len(s) < 6:
        return s
    i = int(rng.integers(1, len(s) - 1))
    op = int(rng.integers(0, 4))
    letter = "abcdefghijklmnopqrstuvwxyz"[int(rng.integers(0, 26))]
    if op == 0:
        return s[:i] + letter + s[i + 1 :]
    if op == 1:
        return s[:i] + s[i + 1 :]
    if op == 2:
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
    return s[:i] + letter + s[i:]


def synthetic_mentions(gaz, n: int, seed: int = MENTIONS_SEED, n_sources: int = 8):
    """`n` city mentions drawn from the gazetteer, with the noise real sources have.

    Places: 40% drawn by population (big cities recur across sources), 60% uniformly (the
    long tail of small municipalities). Mix (independent draws): ~5% unknown invented names,
    ~2% region names (entity_type region), ~1% group signatories ("A, B, C"); city names are
    75% primary / 25% alternate names, 4% with a typo (one edit: the fuzzy path), 5% with an
    administrative prefix ("Comune di", "City of", ...) and 2% a suffix ("... Municipality"),
    5% a region qualifier ("Portland, Oregon" / "Portland (Oregon)"), 6% accents stripped
    and 3% added, 4% punctuation noise, 6% upper and 4% lower case. 80% carry coordinates
    (half the gazetteer point, half jittered with a 2 km s.d. per axis; the real sources
    have 95%), 1% lack the country, half carry a noisy population. Columns as the parsers'
    `mentions` tables. (Real mentions, for scale: 1.3% upper case, 9% with a comma, 1.4%
    with an administrative suffix.)
    """
    rng = np.random.default_rng(seed)
    pl = gaz.places()
    npl = len(pl["geonameid"])
    pop = pl["population"].astype(float) + 1.0
    by_pop = rng.random(n) < 0.4
    place = np.where(by_pop, rng.choice(npl, size=n, p=pop / pop.sum()), rng.integers(0, npl, n))

    # alternate names of each place (literal keys of rank 1 in the index)
    a = gaz.arrays()
    _, rows = gaz.place_keys()
    alt_rows = rows[a["rank"][rows] == 1]
    alt_owner = gaz.place_positions(a["geonameid"][alt_rows])
    order = np.argsort(alt_owner, kind="stable")
    alt_rows, alt_owner = alt_rows[order], alt_owner[order]
    alt_start = np.searchsorted(alt_owner, np.arange(npl + 1))
    alt_count = np.diff(alt_start)

    admin1_names = dict(zip(gaz.admin1["admin1_code"], gaz.admin1["name"], strict=False))
    u = rng.random((n, 16))
    names = np.empty(n, dtype=object)
    etype = np.full(n, "city", dtype=object)
    iso = pl["iso3"][place].astype(object)
    unknown = u[:, 0] < 0.05
    region = ~unknown & (u[:, 0] < 0.07)
    group = ~unknown & ~region & (u[:, 0] < 0.08)
    country_pos = {}
    key_arr = a["key"]
    for i in range(n):
        p = place[i]
        if unknown[i]:
            k = 2 + int(u[i, 1] * 3)
            word = "".join(_SYLLABLES[int(x)] for x in rng.integers(0, len(_SYLLABLES), k))
            names[i] = word.capitalize()
            continue
        if region[i]:
            names[i] = admin1_names.get(pl["admin1_code"][p]) or str(pl["name"][p])
            etype[i] = "region"
            continue
        if group[i]:
            c = iso[i]
            if c not in country_pos:
                country_pos[c] = gaz.country_positions(c)
            others = country_pos[c][rng.integers(0, len(country_pos[c]), 2)]
            names[i] = ", ".join(str(pl["name"][q]) for q in (p, *others))
            continue
        if u[i, 2] < 0.25 and alt_count[p]:
            k = alt_rows[alt_start[p] + int(u[i, 3] * alt_count[p])]
            s = str(key_arr[k]).title()
        else:
            s = str(pl["name"][p])
        if u[i, 4] < 0.04:
            s = _typo(s, rng)
        if u[i, 5] < 0.05:
            opts = _PREFIXES.get(iso[i], ["City of", "Municipality of"])
            s = f"{opts[int(u[i, 6] * len(opts))]} {s}"
        elif u[i, 5] < 0.07:
            s += _SUFFIXES[int(u[i, 6] * len(_SUFFIXES))]
        if u[i, 7] < 0.05:
            q = admin1_names.get(pl["admin1_code"][p])
            if q:
                s = f"{s}, {q}" if u[i, 8] < 0.5 else f"{s} ({q})"
        if u[i, 9] < 0.06:
            s = _strip_accents(s)
        elif u[i, 9] < 0.09:
            j = int(u[i, 10] * len(s))  # accent the vowels from a random position on
            s = s[:j] + s[j:].translate(_ACCENT)
        if u[i, 12] < 0.04:
            r = u[i, 13]
            s = s.replace(" ", "-") if r < 0.4 else (s + "." if r < 0.7 else f" {s}  ")
        if u[i, 14] < 0.06:
            s = s.upper()
        elif u[i, 14] < 0.10:
            s = s.lower()
        names[i] = s
    has_xy = (rng.random(n) < 0.8) & ~region
    jitter = has_xy & (rng.random(n) < 0.5)
    lat = np.where(has_xy, np.round(pl["lat"][place], 4), np.nan)
    lon = np.where(has_xy, np.round(pl["lon"][place], 4), np.nan)
    km_lat, km_lon = rng.normal(0, 2.0, n), rng.normal(0, 2.0, n)
    coslat = np.maximum(np.cos(np.radians(np.nan_to_num(lat))), 0.05)
    lat = np.where(jitter, np.round(np.clip(lat + km_lat / 111.0, -89.9, 89.9), 4), lat)
    lon = np.where(jitter, np.round(((lon + km_lon / (111.0 * coslat)) + 180) % 360 - 180, 4), lon)
    no_country = rng.random(n) < 0.01
    iso = np.where(no_country, None, iso)
    popn = np.where(
        rng.random(n) < 0.5, np.round(pl["population"][place] * rng.lognormal(0, 0.3, n)), np.nan
    )
    sources = np.array([f"synthetic_{k}" for k in range(n_sources)], dtype=object)
    w = np.arange(1, n_sources + 1, dtype=float)
    src = sources[rng.choice(n_sources, size=n, p=w / w.sum())]
    ids = np.char.add(np.char.add(src.astype(str), ":"), np.arange(n).astype(str))
    return pd.DataFrame(
        {
            "mention_id": ids.astype(object),
            "source": src,
            "raw_name": names,
            "raw_country": iso,
            "country_iso3": iso,
            "entity_type": etype,
            "lat": lat,
            "lon": lon,
            "population": popn,
        }
    )
