"""The shared machinery of the planted-effect frames: :class:`Planted`, a world of countries,
regions and cities with their covariates, group effects, and the draws every design uses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product
from string import ascii_uppercase

import numpy as np
import pandas as pd


@dataclass(frozen=True, eq=False)
class Planted:
    """A synthetic frame and the slopes planted in it.

    `truth` holds the planted slopes of the design's main outcome (named by `outcome`), keyed
    by spec term; `truths` holds them for every outcome of the frame, the main one included.
    """

    frame: pd.DataFrame
    truth: dict[str, float]
    design: str
    outcome: str = ""
    truths: dict[str, dict[str, float]] = field(default_factory=dict)


CHINA = "china_mainland"
GAWC = "log1p_gawc_gnc_2020"


def country_codes(n: int, first: Sequence[str] = ()) -> np.ndarray:
    """`n` distinct ISO3-like codes: `first`, then user-assigned codes XAA, XAB, ..., ZZZ."""
    codes = list(first)
    if n > len(codes) + 3 * 26 * 26:
        raise ValueError(f"at most {len(codes) + 3 * 26 * 26} countries, got {n}")
    for p, a, b in product("XYZ", ascii_uppercase, ascii_uppercase):
        if len(codes) >= n:
            break
        if p + a + b not in codes:
            codes.append(p + a + b)
    return np.array(codes[:n], dtype=object)


def logistic(v: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-v))


def linear_index(frame: pd.DataFrame, beta: Mapping[str, float]) -> np.ndarray:
    """Linear index sum(beta[t] * term t) over plain and ``a:b`` terms of `frame`'s columns."""
    out = np.zeros(len(frame))
    for term, b in beta.items():
        v = np.ones(len(frame))
        for col in term.split(":"):
            v = v * frame[col].to_numpy(dtype=float)
        out += b * v
    return out


def gamma_mixing(rng: np.random.Generator, n: int, alpha: float) -> np.ndarray:
    """Mean-one gamma multipliers with variance `alpha` (NB2 heterogeneity); ones if alpha=0."""
    if alpha < 0:
        raise ValueError(f"overdispersion must be >= 0, got {alpha}")
    if alpha == 0:
        return np.ones(n)
    return rng.gamma(1.0 / alpha, alpha, size=n)


def check_positive(**kw: int) -> None:
    for k, v in kw.items():
        if isinstance(v, bool) or int(v) != v or v < 1:
            raise ValueError(f"{k} must be a positive integer, got {v!r}")


def check_sd(**kw: float) -> None:
    for k, v in kw.items():
        if not v >= 0:
            raise ValueError(f"{k} must be >= 0, got {v!r}")


def largest_in_group(group: np.ndarray, size: np.ndarray) -> np.ndarray:
    """0/1 flag of the row with the largest `size` within each `group` value."""
    order = np.lexsort((-size, group))
    first = np.ones(len(group), dtype=bool)
    first[1:] = group[order][1:] != group[order][:-1]
    flag = np.zeros(len(group), dtype=np.int8)
    flag[order[first]] = 1
    return flag


@dataclass
class World:
    cities: pd.DataFrame  # one row per city, sorted by city_id
    country: np.ndarray  # city -> country index (0 = CHN)
    region: np.ndarray  # city -> region index (global)
    gdp: np.ndarray  # country log GDP per capita
    dem: np.ndarray  # country V-Dem polyarchy
    n_regions: int


def draw_world(
    rng: np.random.Generator, n_cities: int, n_countries: int, china_share: float
) -> World:
    """Countries (CHN first) with regions, and their cities: the shared city covariates.

    City columns: ``city_id``, ``country_iso3``, ``admin1_code`` (``<iso3>.<kk>``; China has 30
    provinces, other countries 1 + Poisson(3) regions), ``log_pop``, ``capital`` (the largest
    city of each country), ``log_gdp_pc``, ``v2x_polyarchy``, ``china_mainland``.
    """
    check_positive(n_cities=n_cities, n_countries=n_countries)
    if n_countries < 2:
        raise ValueError("n_countries must be at least 2 (China and one other)")
    if not 0 < china_share < 1:
        raise ValueError(f"china_share must lie in (0, 1), got {china_share}")
    codes = country_codes(n_countries, first=("CHN",))
    gdp = rng.normal(9.0, 1.0, n_countries)
    dem = logistic(0.9 * (gdp - 9.0) + rng.normal(0.0, 1.0, n_countries))
    gdp[0], dem[0] = 9.3, 0.07  # China: middle income, closed autocracy
    regions_of = 1 + rng.poisson(3.0, n_countries)
    regions_of[0] = 30
    region_start = np.concatenate([[0], np.cumsum(regions_of)[:-1]])
    n_china = max(1, round(china_share * n_cities))
    weights = rng.dirichlet(np.full(n_countries - 1, 5.0))
    others = rng.choice(np.arange(1, n_countries), size=n_cities - n_china, p=weights)
    country = np.sort(np.concatenate([np.zeros(n_china, dtype=np.int64), others]))
    local = np.floor(rng.random(n_cities) * regions_of[country]).astype(np.int64)
    region = region_start[country] + local
    log_pop = rng.normal(12.8, 1.1, n_cities)
    capital = largest_in_group(country, log_pop)
    admin1 = np.array(
        [f"{c}.{k + 1:02d}" for c, k in zip(codes[country], local, strict=True)], dtype=object
    )
    cities = pd.DataFrame(
        {
            "city_id": np.arange(1, n_cities + 1, dtype=np.int64),
            "country_iso3": codes[country],
            "admin1_code": admin1,
            "log_pop": log_pop,
            "capital": capital,
            "log_gdp_pc": gdp[country],
            "v2x_polyarchy": dem[country],
            CHINA: (country == 0).astype(float),
        }
    )
    return World(cities, country, region, gdp, dem, int(regions_of.sum()))


def group_effects(
    rng: np.random.Generator, world: World, country_sd: float, region_sd: float
) -> np.ndarray:
    """Per-city country + region random effect; China's country effect is 0."""
    check_sd(country_sd=country_sd, region_sd=region_sd)
    u = rng.normal(0.0, country_sd, len(world.gdp))
    u[0] = 0.0
    v = rng.normal(0.0, region_sd, world.n_regions)
    return u[world.country] + v[world.region]


def draw_gawc(rng: np.random.Generator, cities: pd.DataFrame) -> pd.DataFrame:
    """GaWC-like connectivity in (0, 1), rising with size and capital status, and its log1p
    (in (0, log 2)); every city is a GaWC city (``gawc_city`` = 1)."""
    gnc = logistic(
        -2.2
        + 0.9 * (cities["log_pop"].to_numpy() - 12.8)
        + 1.0 * cities["capital"].to_numpy()
        + rng.normal(0.0, 1.2, len(cities))
    )
    return cities.assign(gawc_gnc_2020=gnc, **{GAWC: np.log1p(gnc)}, gawc_city=1.0)


def draw_proxies(rng: np.random.Generator, cities: pd.DataFrame) -> pd.DataFrame:
    """The other centrality measures of ``h2_cities``, as noisy correlates of GaWC 2020 with
    the real frame's scales and missingness, so every model of the real H2/H5 specs runs.

    They carry no planted effect (the outcomes depend on GaWC 2020 only): in a model that uses
    one instead of GaWC 2020 its coefficient is a proxy's, not a truth.
    """
    n = len(cities)
    z = cities[GAWC].to_numpy()
    z = (z - z.mean()) / z.std()
    g20 = cities["gawc_gnc_2020"].to_numpy()
    g00 = logistic(np.log(g20 / (1 - g20)) + rng.normal(0.0, 0.5, n))
    g00[rng.random(n) < 0.3] = np.nan  # not in GaWC 2000
    airport = rng.random(n) >= 0.2
    degree = np.where(airport, 0.0005 * np.exp(1.2 * z + rng.normal(0.0, 0.7, n)), np.nan)
    between = np.where(airport, 0.0002 * np.exp(1.5 * z + rng.normal(0.0, 1.0, n)), np.nan)
    eigen = np.where(airport, 0.001 * np.exp(1.0 * z + rng.normal(0.0, 0.8, n)), np.nan)
    hq = rng.poisson(np.exp(-3.0 + 1.5 * z)).astype(float)
    missions = rng.poisson(np.exp(1.0 + 0.8 * z + 1.5 * cities["capital"].to_numpy()))
    missions = np.where(rng.random(n) < 0.3, missions, np.nan)  # outside the source's cities
    out = cities.assign(
        gawc_gnc_2000=g00,
        air_degree=degree,
        air_betweenness=between,
        air_eigenvector=eigen,
        fortune500_hq_2017=hq,
        foreign_missions_2022=missions,
    )
    for col in ("gawc_gnc_2000", "fortune500_hq_2017", "foreign_missions_2022"):
        out[f"log1p_{col}"] = np.log1p(out[col])
    for col in ("air_degree", "air_betweenness", "air_eigenvector"):  # per thousand, as frames
        out[f"log1p_{col}"] = np.log1p(1000 * out[col])
    return out


def draw_counts(
    rng: np.random.Generator,
    cities: pd.DataFrame,
    beta: Mapping[str, float],
    intercept: float,
    effects: np.ndarray,
    overdispersion: float,
) -> np.ndarray:
    """Poisson(g * exp(intercept + x'beta + effects)), g mean-one gamma (NB2 mixing)."""
    mu = np.exp(intercept + linear_index(cities, beta) + effects)
    return rng.poisson(mu * gamma_mixing(rng, len(cities), overdispersion)).astype(np.int64)
