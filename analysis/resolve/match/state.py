"""The state one matching pass carries: the mentions' columns, parsed once, and the result
arrays each step fills in. One object instead of a dozen parallel arrays per helper; the
coordinate review reads it and the stage gets its result columns (`result`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.resolve.match.naming import Plan
from analysis.resolve.match.vectors import text_codes

# `match_cities_arrays`' arrays, in the order of the output columns they fill
RESULT_KEYS = (
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
# what a sub-pass of the coordinate review hands back for a row it settles
_TAKEN_KEYS = ("gid", "method", "score", "dist", "admin1", "matched", "reason")


@dataclass(frozen=True)
class Options:
    """Thresholds of a pass (`match_cities_arrays` keywords; module docstring)."""

    fuzzy_threshold: float = 90.0
    scorer: str = "token_sort_ratio"
    max_km: float = 50.0
    nearest_km: float = 10.0
    population_override: float = 20.0


def float_col(df: pd.DataFrame, col: str, n: int) -> np.ndarray:
    """A numeric column as floats (NaN when missing or unreadable)."""
    if col not in df.columns:
        return np.full(n, np.nan)
    return pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _text_col(df: pd.DataFrame, col: str, n: int, default: str) -> np.ndarray:
    if col not in df.columns:
        return np.full(n, default, dtype=object)
    return df[col].astype("string").fillna(default).to_numpy(dtype=object)


@dataclass
class MatchState:
    """Inputs and results of one pass, one entry per mention row."""

    mentions: pd.DataFrame
    raw_code: np.ndarray  # code of each row's name in raw_uniq
    raw_uniq: np.ndarray  # distinct names (object)
    raw: np.ndarray  # name of each row
    iso_code: np.ndarray
    iso_uniq: np.ndarray  # distinct countries, stripped and upper-cased ("" when missing)
    iso: np.ndarray  # country of each row
    lat: np.ndarray
    lon: np.ndarray
    has_xy: np.ndarray  # both coordinates finite
    etype: np.ndarray  # entity_type, stripped and lower-cased ("" when missing)
    coord_fix: np.ndarray  # analysis.resolve.geo's fix, then the review's ("none")
    gid: np.ndarray = field(init=False)  # GeoNames id, -1 when none
    method: np.ndarray = field(init=False)
    score: np.ndarray = field(init=False)
    dist: np.ndarray = field(init=False)
    admin1: np.ndarray = field(init=False)
    matched: np.ndarray = field(init=False)  # name of the matched place
    is_group: np.ndarray = field(init=False)
    reason: np.ndarray = field(init=False)
    city_row: np.ndarray = field(init=False)  # neither empty, region nor area
    sole_far: np.ndarray = field(init=False)  # name of one place only, beyond max_km
    too_far: np.ndarray = field(init=False)  # name matched only beyond max_km

    def __post_init__(self) -> None:
        n = len(self.raw_code)
        self.gid = np.full(n, -1, dtype=np.int64)
        self.method = np.full(n, "unmatched", dtype=object)
        self.score = np.full(n, np.nan)
        self.dist = np.full(n, np.nan)
        self.admin1 = np.full(n, "", dtype=object)
        self.matched = np.full(n, "", dtype=object)
        self.is_group = np.zeros(n, dtype=bool)
        self.reason = np.full(n, "", dtype=object)
        self.city_row = np.zeros(n, dtype=bool)
        self.sole_far = np.zeros(n, dtype=bool)
        self.too_far = np.zeros(n, dtype=bool)

    @classmethod
    def from_mentions(cls, mentions: pd.DataFrame) -> MatchState:
        """Parse the columns a pass reads; every result starts as `unmatched`."""
        n = len(mentions)
        raw_code, raw_uniq = text_codes(mentions["raw_name"].astype("string").fillna(""))
        iso = mentions["country_iso3"].astype("string").fillna("").str.strip().str.upper()
        iso_code, iso_uniq = text_codes(iso)
        etype = (
            mentions["entity_type"].astype("string").fillna("").str.strip().str.lower().to_numpy()
            if "entity_type" in mentions.columns
            else np.full(n, "", dtype=object)
        )
        lat, lon = float_col(mentions, "lat", n), float_col(mentions, "lon", n)
        return cls(
            mentions=mentions,
            raw_code=raw_code,
            raw_uniq=raw_uniq,
            raw=raw_uniq[raw_code],
            iso_code=iso_code,
            iso_uniq=iso_uniq,
            iso=iso_uniq[iso_code],
            lat=lat,
            lon=lon,
            has_xy=np.isfinite(lat) & np.isfinite(lon),
            etype=etype,
            coord_fix=_text_col(mentions, "coord_fix", n, "none"),
        )

    @property
    def n(self) -> int:
        return len(self.raw_code)

    def result(self) -> dict[str, np.ndarray]:
        """The result arrays (RESULT_KEYS) as `match_cities_arrays` returns them."""
        return {k: getattr(self, k) for k in RESULT_KEYS}

    def part(self, start: int, stop: int | None = None) -> dict[str, np.ndarray]:
        """The result arrays of rows start:stop (views), for `take`."""
        return {k: getattr(self, k)[start:stop] for k in _TAKEN_KEYS}

    def take(self, rows: np.ndarray, res: dict[str, np.ndarray], ok, fix_value: str) -> None:
        """Copy accepted rows of a sub-pass (`res`, masked by `ok`) into `rows`, marking the
        coordinate fix that settled them."""
        for key in _TAKEN_KEYS:
            getattr(self, key)[rows] = res[key][ok]
        self.coord_fix[rows] = fix_value

    def set_rows(self, rows, **values) -> None:
        """Write result columns (keyword = field name) of `rows`."""
        for key, v in values.items():
            getattr(self, key)[rows] = v


@dataclass
class Pairs:
    """The distinct (country, name) pairs of the city rows: names are planned and looked
    up once per pair, then broadcast to rows."""

    rows: np.ndarray  # positions of city rows in the input
    of_row: np.ndarray  # pair id of each of those rows
    iso: list[str]  # country of each pair
    plans: list[Plan]  # plan of each pair's name
    hints: dict[int, str]  # pair -> admin1 code its qualifier names

    @classmethod
    def of_rows(cls, st: MatchState, rows: np.ndarray, plan_of: np.ndarray) -> Pairs:
        """Pair ids in order of first row, as factorizing the joined strings would give,
        without building them; `hints` is left to the caller."""
        n_raw = len(st.raw_uniq)
        of_row, code = pd.factorize(st.iso_code[rows] * n_raw + st.raw_code[rows])
        iso = st.iso_uniq[code // n_raw].tolist()
        return cls(rows, of_row, iso, plan_of[code % n_raw].tolist(), {})

    def pair_of_rows(self, rows: np.ndarray) -> np.ndarray:
        """Pair ids of some city rows (positions in the input)."""
        return self.of_row[np.searchsorted(self.rows, rows)]


def open_city_rows(frame: pd.DataFrame, arrays: dict[str, np.ndarray]) -> np.ndarray:
    """Rows the layers behind GeoNames (LAU units, airports) may still resolve: city mentions
    (a missing `entity_type` means city) that no earlier rule matched, groups excluded.
    Matched rows are never changed by a later layer."""
    etype = (
        frame["entity_type"].astype("string").fillna("city").str.lower().to_numpy(dtype=object)
        if "entity_type" in frame.columns
        else np.full(len(frame), "city", dtype=object)
    )
    return (arrays["method"] == "unmatched") & (etype == "city") & ~arrays["is_group"].astype(bool)
