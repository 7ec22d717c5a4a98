"""Synthetic model frames with planted effects: estimators must recover what was put in.

Each generator draws a frame whose columns carry the names of a real model frame
(``h2_cities``, ``h1_defiance``, ``h1_composition``, ``h3_event``, ``h4_cities``, ``h5_cities``),
so a spec written for the real data (:mod:`analysis.models.spec`) runs on it, and returns the
coefficients it planted (:class:`Planted`). Every function takes ``seed`` and draws from one
``numpy.random.default_rng(seed)`` in a fixed order: the same arguments give the same frame.

Truth keys are spec term names exactly as a spec writes them: plain columns
(``"v2x_polyarchy"``, ``"log1p_gawc_gnc_2020"``) and ``"a:b"`` interactions
(``"china_mainland:log1p_gawc_gnc_2020"``), with the factors in the order given here. Values are
on the model's link scale: log rate for counts, log odds for 0/1 outcomes and shares, levels
for continuous outcomes. Only slopes are truths: intercepts, fixed and random effects are not
(what a fit reports for them depends on the model). Terms with ``std(x)`` depend on the
estimation sample's mean and SD; :func:`restandardize` turns a truth into theirs.

Design choices that keep the planted slopes identified and their errors honest:

- City designs (H2, H5, H1) have a country random effect (``country_sd``) and a first-level
  region random effect (``region_sd``, column ``admin1_code``), both independent of every
  regressor and entering count outcomes only (logit coefficients are not collapsible over an
  omitted random effect). Cluster by ``country_iso3``.
- Mainland China (``CHN``, 30 provinces) is one country: its country effect is 0 so that
  ``china_mainland`` recovers exactly the planted shift. Clustered by country, China terms rest
  on one cluster whose residuals their own first-order conditions sum to zero, so their
  standard errors are not usable; cluster China terms by ``admin1_code`` (as the real H5 spec
  does), which is valid for them because China has no country effect.
- Every planted China term is part of the index: a model that omits ``china_mainland`` (and
  the interaction, where planted) is misspecified and biases the national covariates, because
  China is one low-democracy country with a large shift.
- Several outcomes may share a frame (``Planted.truths`` maps each to its truths); each is drawn
  independently from its own index (``any_defiance`` is its own logit draw, not
  ``defiance_acts > 0``, so both the Poisson and the logit are correctly specified).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product
from string import ascii_uppercase

import numpy as np
import pandas as pd

__all__ = [
    "H1_COMPOSITION_TRUTH",
    "H1_DEFIANCE_TRUTH",
    "H1_LOGIT_TRUTH",
    "H2_C40_TRUTH",
    "H2_NETWORKS_TRUTH",
    "H3_COUNT_SCALE",
    "H4_TRUTH",
    "H5_DYAD_TRUTH",
    "H5_TRUTH",
    "SCALE_COUNT_SCALE",
    "SCALE_TRUTH",
    "US_STATES",
    "Planted",
    "h1_composition",
    "h1_defiance",
    "h2_cities",
    "h3_event_study",
    "h3_profile",
    "h4_us_cities",
    "h5_dyads",
    "h5_sister_cities",
    "rel_name",
    "restandardize",
    "scale_panel",
]


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


# ----------------------------------------------------------------------------- planted slopes

CHINA = "china_mainland"
GAWC = "log1p_gawc_gnc_2020"

#: H2 ``n_networks`` (log rate), with country and region random effects and NB2 mixing.
H2_NETWORKS_TRUTH: dict[str, float] = {
    GAWC: 3.0,
    CHINA: -0.8,
    f"{CHINA}:{GAWC}": -2.0,
    "log_pop": 0.25,
    "capital": 0.3,
    "log_gdp_pc": 0.15,
    "v2x_polyarchy": 0.5,
}
_H2_NETWORKS_INTERCEPT = -4.6

#: H2 ``member_c40`` (log odds), no random effect.
H2_C40_TRUTH: dict[str, float] = {
    GAWC: 6.0,
    CHINA: -1.0,
    "log_pop": 0.5,
    "capital": 0.8,
    "log_gdp_pc": 0.3,
    "v2x_polyarchy": 0.5,
}
_H2_C40_INTERCEPT = -12.2

#: H5 ``sister_city_degree`` (log rate), with country and region random effects and NB2 mixing.
H5_TRUTH: dict[str, float] = {
    GAWC: 3.0,
    CHINA: 0.6,
    f"{CHINA}:{GAWC}": 1.5,
    "log_pop": 0.3,
    "capital": 0.4,
    "log_gdp_pc": 0.1,
    "v2x_polyarchy": -0.3,
}
_H5_INTERCEPT = -4.0

#: H1 ``defiance_acts`` (log rate), with year effects and country/region random effects.
H1_DEFIANCE_TRUTH: dict[str, float] = {
    "v2x_polyarchy": 1.5,
    "log_pop": 0.35,
    "capital": 0.4,
    "log_gdp_pc": 0.2,
    "opportunity": 0.6,
}
_H1_DEFIANCE_INTERCEPT = -8.3

#: H1 ``any_defiance`` (log odds), with its own year effects.
H1_LOGIT_TRUTH: dict[str, float] = {
    "v2x_polyarchy": 1.2,
    "log_pop": 0.45,
    "capital": 0.5,
    "log_gdp_pc": 0.1,
    "opportunity": 0.5,
}
_H1_LOGIT_INTERCEPT = -8.8

#: H1 ``normative_share`` (log odds of the mean share).
H1_COMPOSITION_TRUTH: dict[str, float] = {
    "v2x_polyarchy": 1.5,
    CHINA: -0.5,
    "log_pop": 0.15,
    "capital": 0.3,
    "log_gdp_pc": -0.2,
}
_H1_COMPOSITION_INTERCEPT = -0.9

#: H4 ``member_climate_mayors`` (log odds), with state effects; the share parametrisation.
#: :func:`h4_us_cities` adds the same index in the real spec's ``dem10_2016``/``dem_mayor``
#: parametrisation.
H4_TRUTH: dict[str, float] = {
    "dem_share_2016": 1.5,
    "dem_mayor_2017": -1.0,
    "dem_share_2016:dem_mayor_2017": 4.0,
    "log_city_population": 0.7,
    "county_foreignborn_pct": 0.02,
    "county_hispanic_pct": 0.005,
}
_H4_INTERCEPT = -10.2

#: scale_panel ``y`` (levels); ``y_count`` gets ``SCALE_COUNT_SCALE`` times the same index.
SCALE_TRUTH: dict[str, float] = {"x1": 1.0, "x2": -0.5}
SCALE_COUNT_SCALE = 0.25
_SCALE_COUNT_INTERCEPT = 0.5

#: H3 ``climate_events``: log-rate event effects are this multiple of :func:`h3_profile`.
H3_COUNT_SCALE = 1.0

#: State postal codes (H3 treated cities, H4), with their Census Bureau regions.
_REGIONS = {
    "Northeast": "CT ME MA NH RI VT NJ NY PA",
    "Midwest": "IL IN MI OH WI IA KS MN MO NE ND SD",
    "South": "DE FL GA MD NC SC VA WV AL KY MS TN AR LA OK TX",
    "West": "AZ CO ID MT NV NM UT WY AK CA HI OR WA",
}
_STATE_REGION = {s: r for r, states in _REGIONS.items() for s in states.split()}
US_STATES: tuple[str, ...] = tuple(sorted(_STATE_REGION))


# ----------------------------------------------------------------------------- helpers


def _country_codes(n: int, first: Sequence[str] = ()) -> np.ndarray:
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


def _logistic(v: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-v))


def _index(frame: pd.DataFrame, beta: Mapping[str, float]) -> np.ndarray:
    """Linear index sum(beta[t] * term t) over plain and ``a:b`` terms of `frame`'s columns."""
    out = np.zeros(len(frame))
    for term, b in beta.items():
        v = np.ones(len(frame))
        for col in term.split(":"):
            v = v * frame[col].to_numpy(dtype=float)
        out += b * v
    return out


def _gamma_mixing(rng: np.random.Generator, n: int, alpha: float) -> np.ndarray:
    """Mean-one gamma multipliers with variance `alpha` (NB2 heterogeneity); ones if alpha=0."""
    if alpha < 0:
        raise ValueError(f"overdispersion must be >= 0, got {alpha}")
    if alpha == 0:
        return np.ones(n)
    return rng.gamma(1.0 / alpha, alpha, size=n)


def _check_positive(**kw: int) -> None:
    for k, v in kw.items():
        if isinstance(v, bool) or int(v) != v or v < 1:
            raise ValueError(f"{k} must be a positive integer, got {v!r}")


def _check_sd(**kw: float) -> None:
    for k, v in kw.items():
        if not v >= 0:
            raise ValueError(f"{k} must be >= 0, got {v!r}")


def _largest_in_group(group: np.ndarray, size: np.ndarray) -> np.ndarray:
    """0/1 flag of the row with the largest `size` within each `group` value."""
    order = np.lexsort((-size, group))
    first = np.ones(len(group), dtype=bool)
    first[1:] = group[order][1:] != group[order][:-1]
    flag = np.zeros(len(group), dtype=np.int8)
    flag[order[first]] = 1
    return flag


@dataclass
class _World:
    cities: pd.DataFrame  # one row per city, sorted by city_id
    country: np.ndarray  # city -> country index (0 = CHN)
    region: np.ndarray  # city -> region index (global)
    gdp: np.ndarray  # country log GDP per capita
    dem: np.ndarray  # country V-Dem polyarchy
    n_regions: int


def _world(rng: np.random.Generator, n_cities: int, n_countries: int, china_share: float) -> _World:
    """Countries (CHN first) with regions, and their cities: the shared city covariates.

    City columns: ``city_id``, ``country_iso3``, ``admin1_code`` (``<iso3>.<kk>``; China has 30
    provinces, other countries 1 + Poisson(3) regions), ``log_pop``, ``capital`` (the largest
    city of each country), ``log_gdp_pc``, ``v2x_polyarchy``, ``china_mainland``.
    """
    _check_positive(n_cities=n_cities, n_countries=n_countries)
    if n_countries < 2:
        raise ValueError("n_countries must be at least 2 (China and one other)")
    if not 0 < china_share < 1:
        raise ValueError(f"china_share must lie in (0, 1), got {china_share}")
    codes = _country_codes(n_countries, first=("CHN",))
    gdp = rng.normal(9.0, 1.0, n_countries)
    dem = _logistic(0.9 * (gdp - 9.0) + rng.normal(0.0, 1.0, n_countries))
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
    capital = _largest_in_group(country, log_pop)
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
    return _World(cities, country, region, gdp, dem, int(regions_of.sum()))


def _group_effects(
    rng: np.random.Generator, world: _World, country_sd: float, region_sd: float
) -> np.ndarray:
    """Per-city country + region random effect; China's country effect is 0."""
    _check_sd(country_sd=country_sd, region_sd=region_sd)
    u = rng.normal(0.0, country_sd, len(world.gdp))
    u[0] = 0.0
    v = rng.normal(0.0, region_sd, world.n_regions)
    return u[world.country] + v[world.region]


def _gawc(rng: np.random.Generator, cities: pd.DataFrame) -> pd.DataFrame:
    """GaWC-like connectivity in (0, 1), rising with size and capital status, and its log1p
    (in (0, log 2)); every city is a GaWC city (``gawc_city`` = 1)."""
    gnc = _logistic(
        -2.2
        + 0.9 * (cities["log_pop"].to_numpy() - 12.8)
        + 1.0 * cities["capital"].to_numpy()
        + rng.normal(0.0, 1.2, len(cities))
    )
    return cities.assign(gawc_gnc_2020=gnc, **{GAWC: np.log1p(gnc)}, gawc_city=1.0)


def _proxies(rng: np.random.Generator, cities: pd.DataFrame) -> pd.DataFrame:
    """The other centrality measures of ``h2_cities``, as noisy correlates of GaWC 2020 with
    the real frame's scales and missingness, so every model of the real H2/H5 specs runs.

    They carry no planted effect (the outcomes depend on GaWC 2020 only): in a model that uses
    one instead of GaWC 2020 its coefficient is a proxy's, not a truth.
    """
    n = len(cities)
    z = cities[GAWC].to_numpy()
    z = (z - z.mean()) / z.std()
    g20 = cities["gawc_gnc_2020"].to_numpy()
    g00 = _logistic(np.log(g20 / (1 - g20)) + rng.normal(0.0, 0.5, n))
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


def _counts(
    rng: np.random.Generator,
    cities: pd.DataFrame,
    beta: Mapping[str, float],
    intercept: float,
    effects: np.ndarray,
    overdispersion: float,
) -> np.ndarray:
    """Poisson(g * exp(intercept + x'beta + effects)), g mean-one gamma (NB2 mixing)."""
    mu = np.exp(intercept + _index(cities, beta) + effects)
    return rng.poisson(mu * _gamma_mixing(rng, len(cities), overdispersion)).astype(np.int64)


# ----------------------------------------------------------------------------- H2, H5


def h2_cities(
    n_cities: int = 3000,
    n_countries: int = 120,
    seed: int = 0,
    *,
    china_share: float = 0.12,
    country_sd: float = 0.15,
    region_sd: float = 0.1,
    overdispersion: float = 0.3,
) -> Planted:
    """Cross-section of cities shaped like the ``h2_cities`` frame.

    ``n_networks`` ~ Poisson(g * exp(x'b + country effect + region effect)), g ~ Gamma(mean 1,
    variance `overdispersion`), so Poisson and NB2 slopes are consistent (NB2 is the exact
    likelihood when both random-effect SDs are 0); ``member_c40`` ~ Bernoulli(logistic(x'c)).
    Truths: :data:`H2_NETWORKS_TRUTH` (main) and :data:`H2_C40_TRUTH`. Also carries the other
    centrality columns of the real frame (GaWC 2000, airline, Fortune 500, missions) as
    proxies without planted effects, and ``log1p_n_networks``.
    """
    rng = np.random.default_rng(seed)
    world = _world(rng, n_cities, n_countries, china_share)
    cities = _gawc(rng, world.cities)
    effects = _group_effects(rng, world, country_sd, region_sd)
    cities["n_networks"] = _counts(
        rng, cities, H2_NETWORKS_TRUTH, _H2_NETWORKS_INTERCEPT, effects, overdispersion
    )
    cities["log1p_n_networks"] = np.log1p(cities["n_networks"].to_numpy(dtype=float))
    p = _logistic(_H2_C40_INTERCEPT + _index(cities, H2_C40_TRUTH))
    cities["member_c40"] = (rng.random(n_cities) < p).astype(float)
    cities = _proxies(rng, cities)
    truths = {"n_networks": dict(H2_NETWORKS_TRUTH), "member_c40": dict(H2_C40_TRUTH)}
    return Planted(cities, truths["n_networks"], "h2_cities", "n_networks", truths)


def h5_sister_cities(
    n: int = 2000,
    seed: int = 0,
    *,
    n_countries: int = 100,
    china_share: float = 0.12,
    country_sd: float = 0.15,
    region_sd: float = 0.1,
    overdispersion: float = 0.3,
) -> Planted:
    """Cities shaped like ``h5_cities``: ``sister_city_degree`` ~ Poisson(g * exp(x'b + country
    effect + region effect)) (:data:`H5_TRUTH`, main).

    Same city covariates and proxies as :func:`h2_cities`; centrality raises the degree and
    Chinese cities hold more sister-city ties, the more the more central they are. The frame
    also has ``n_networks`` drawn as in :func:`h2_cities` (truth :data:`H2_NETWORKS_TRUTH`,
    independent random effects of its own) for the real spec's network-count comparison.
    """
    rng = np.random.default_rng(seed)
    world = _world(rng, n, n_countries, china_share)
    cities = _gawc(rng, world.cities)
    effects = _group_effects(rng, world, country_sd, region_sd)
    cities["sister_city_degree"] = _counts(
        rng, cities, H5_TRUTH, _H5_INTERCEPT, effects, overdispersion
    )
    effects = _group_effects(rng, world, country_sd, region_sd)
    cities["n_networks"] = _counts(
        rng, cities, H2_NETWORKS_TRUTH, _H2_NETWORKS_INTERCEPT, effects, overdispersion
    )
    cities = _proxies(rng, cities)
    truths = {"sister_city_degree": dict(H5_TRUTH), "n_networks": dict(H2_NETWORKS_TRUTH)}
    return Planted(cities, truths["sister_city_degree"], "h5_sister_cities",
                   "sister_city_degree", truths)  # fmt: skip


#: Slopes of the dyadic tie model (``h5_dyads``), on the log scale of the tie probability.
H5_DYAD_TRUTH = {
    "complementarity": 0.4,
    "log_trade": 0.1,
    "log_dist_km": -0.7,
    "same_country": 0.5,
    "contig": 0.4,
    "comlang_off": 0.6,
    "colony": 0.3,
    "trade_missing": 0.2,
}


def h5_dyads(
    n_cities: int = 400,
    seed: int = 0,
    *,
    n_countries: int = 40,
    city_sd: float = 0.5,
    intercept: float = 0.0,
    link: str = "log",
) -> Planted:
    """Every unordered pair of `n_cities` cities, shaped like ``h5_dyads``: ``tie`` ~
    Bernoulli(p) with log p (``link="log"``, the PPML mean) or logit p (``link="logit"``) =
    intercept + city effect a + city effect b + x'b (:data:`H5_DYAD_TRUTH`).

    City effects (SD `city_sd`) are the fixed effects a model absorbs; they are drawn
    correlated with each city's connectivity, so a model without them is biased. Country-pair
    terms (contiguity, language, colonial tie, trade) are drawn once per country pair; same-
    country pairs have them 0 as in the real frame. With the log link the index is capped
    below 0 (p <= 1), which the default intercept leaves to a handful of pairs at most.
    """
    if link not in ("log", "logit"):
        raise ValueError(f"link must be 'log' or 'logit', not {link!r}")
    _check_positive(n_cities=n_cities, n_countries=n_countries)
    rng = np.random.default_rng(seed)
    countries = _country_codes(n_countries)
    country = rng.integers(0, n_countries, n_cities)
    centre = rng.uniform(-60, 60, size=(n_countries, 2))
    lat = np.clip(centre[country, 0] + rng.normal(0, 4, n_cities), -89, 89)
    lon = centre[country, 1] * 3 + rng.normal(0, 4, n_cities)
    conn = rng.beta(1.2, 5.0, n_cities)
    effect = city_sd * (rng.normal(size=n_cities) + 2 * (conn - conn.mean()))
    i, j = np.triu_indices(n_cities, k=1)
    ci, cj = country[i], country[j]
    same = ci == cj
    lo, hi = np.minimum(ci, cj), np.maximum(ci, cj)

    def pair_draw(values: np.ndarray) -> np.ndarray:
        """One value per country pair (lo, hi), 0 within a country."""
        return np.where(same, 0.0, values[lo * n_countries + hi])

    k = n_countries * n_countries
    contig = pair_draw((rng.random(k) < 0.1).astype(float))
    comlang = pair_draw((rng.random(k) < 0.2).astype(float))
    colony = pair_draw((rng.random(k) < 0.05).astype(float))
    in_panel = pair_draw((rng.random(k) < 0.6).astype(float))
    log_trade = np.where(in_panel == 1, pair_draw(rng.normal(4.0, 2.0, k)), 0.0)
    phi1, phi2 = np.radians(lat[i]), np.radians(lat[j])
    h = (
        np.sin((phi2 - phi1) / 2) ** 2
        + np.cos(phi1) * np.cos(phi2) * np.sin(np.radians(lon[j] - lon[i]) / 2) ** 2
    )
    km = 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
    prod = conn[i] * conn[j]
    frame = pd.DataFrame(
        {
            "city_a": i.astype(np.int64),
            "city_b": j.astype(np.int64),
            "country_a": countries[ci],
            "country_b": countries[cj],
            "log_dist_km": np.log(np.maximum(km, 1.0)),
            "same_country": same.astype(float),
            "contig": contig,
            "comlang_off": comlang,
            "colony": colony,
            "trade_missing": 1.0 - in_panel,
            "log_trade": log_trade,
            "complementarity": (prod - prod.mean()) / prod.std(),
        }
    )
    eta = intercept + effect[i] + effect[j] + _index(frame, H5_DYAD_TRUTH)
    p = np.exp(np.minimum(eta, 0.0)) if link == "log" else _logistic(eta)
    frame["tie"] = (rng.random(len(frame)) < p).astype(float)
    return Planted(frame, dict(H5_DYAD_TRUTH), "h5_dyads", "tie",
                   {"tie": dict(H5_DYAD_TRUTH)})  # fmt: skip


# ----------------------------------------------------------------------------- H1


def h1_defiance(
    n_cities: int = 2000,
    n_countries: int = 60,
    years: Sequence[int] = tuple(range(2015, 2024)),
    seed: int = 0,
    *,
    country_sd: float = 0.1,
    region_sd: float = 0.05,
) -> Planted:
    """City-year panel shaped like ``h1_defiance`` (rows city-major, years ascending).

    Country-year ``v2x_polyarchy`` (a country level plus a small country trend and noise,
    clipped to [0.01, 0.99]), ``log_gdp_pc`` (growing 2% a year) and ``opportunity`` (0/1: a
    standing national flag for about a third of countries, on for a window of years in about
    a tenth more); city ``log_pop`` (growing 1% a year), ``capital``, ``admin1_code``.

    ``defiance_acts`` ~ Poisson(exp(x'b + year effect + country/region effects))
    (:data:`H1_DEFIANCE_TRUTH`, main); ``any_defiance`` ~ Bernoulli(logistic(x'c + its own
    year effect)) (:data:`H1_LOGIT_TRUTH`), an independent draw. Both have year effects: fit
    with ``fixed_effects: [year]``. China has no planted effect here (5% of cities).
    """
    rng = np.random.default_rng(seed)
    years_arr = np.asarray(sorted({int(y) for y in years}), dtype=np.int64)
    if len(years_arr) == 0:
        raise ValueError("years must not be empty")
    world = _world(rng, n_cities, n_countries, china_share=0.05)
    cities, country = world.cities, world.country
    n_years = len(years_arr)
    t = years_arr - years_arr[0]
    # Country-year covariates: (countries, years) arrays.
    trend = rng.normal(0.0, 0.01, n_countries)
    mid = (n_years - 1) / 2
    dem = world.dem[:, None] + trend[:, None] * (t - mid)[None, :]
    dem = np.clip(dem + rng.normal(0.0, 0.02, (n_countries, n_years)), 0.01, 0.99)
    gdp = world.gdp[:, None] + 0.02 * t[None, :] + rng.normal(0.0, 0.03, (n_countries, n_years))
    standing = rng.random(n_countries) < 0.35
    window = (rng.random(n_countries) < 0.15) & ~standing
    start = rng.integers(0, n_years, n_countries)
    length = rng.integers(1, max(2, n_years // 2) + 1, n_countries)
    in_window = (t[None, :] >= start[:, None]) & (t[None, :] < (start + length)[:, None])
    opp = (standing[:, None] | (window[:, None] & in_window)).astype(np.int8)
    # City-years.
    ci = np.repeat(np.arange(n_cities), n_years)
    ti = np.tile(np.arange(n_years), n_cities)
    co = country[ci]
    panel = pd.DataFrame(
        {
            "city_id": cities["city_id"].to_numpy()[ci],
            "year": years_arr[ti],
            "country_iso3": cities["country_iso3"].to_numpy()[ci],
            "admin1_code": cities["admin1_code"].to_numpy()[ci],
            "log_pop": cities["log_pop"].to_numpy()[ci] + 0.01 * t[ti],
            "capital": cities["capital"].to_numpy()[ci],
            "log_gdp_pc": gdp[co, ti],
            "v2x_polyarchy": dem[co, ti],
            "opportunity": opp[co, ti],
            CHINA: cities[CHINA].to_numpy()[ci],
        }
    )
    effects = _group_effects(rng, world, country_sd, region_sd)[ci]
    year_fx = rng.normal(0.0, 0.2, n_years)
    eta = _H1_DEFIANCE_INTERCEPT + _index(panel, H1_DEFIANCE_TRUTH) + year_fx[ti] + effects
    panel["defiance_acts"] = rng.poisson(np.exp(eta)).astype(np.int64)
    year_fx_logit = rng.normal(0.0, 0.2, n_years)
    p = _logistic(_H1_LOGIT_INTERCEPT + _index(panel, H1_LOGIT_TRUTH) + year_fx_logit[ti])
    panel["any_defiance"] = (rng.random(len(panel)) < p).astype(np.int8)
    truths = {"defiance_acts": dict(H1_DEFIANCE_TRUTH), "any_defiance": dict(H1_LOGIT_TRUTH)}
    return Planted(panel, truths["defiance_acts"], "h1_defiance", "defiance_acts", truths)


def h1_composition(
    n_cities: int = 2000,
    n_countries: int = 60,
    seed: int = 0,
    *,
    china_share: float = 0.1,
    precision: float = 5.0,
) -> Planted:
    """Cross-section shaped like ``h1_composition``: the normative share of a city's ties.

    mu = logistic(x'b) (:data:`H1_COMPOSITION_TRUTH`); each city's propensity p ~ Beta(mu *
    `precision`, (1 - mu) * `precision`) (the Beta noise); ``total_ties`` = 1 + Poisson (more
    for larger cities), ``normative_ties`` ~ Binomial(total_ties, p), ``economic_ties`` the
    rest, ``normative_share`` = normative / total, so E[share | x] = mu and a fractional logit
    recovers b. No random effects.
    """
    if not precision > 0:
        raise ValueError(f"precision must be > 0, got {precision}")
    rng = np.random.default_rng(seed)
    cities = _world(rng, n_cities, n_countries, china_share).cities
    mu = _logistic(_H1_COMPOSITION_INTERCEPT + _index(cities, H1_COMPOSITION_TRUTH))
    p = rng.beta(mu * precision, (1 - mu) * precision)
    total = 1 + rng.poisson(np.exp(1.0 + 0.5 * (cities["log_pop"].to_numpy() - 12.8)))
    normative = rng.binomial(total, p)
    cities["normative_ties"] = normative.astype(np.int64)
    cities["economic_ties"] = (total - normative).astype(np.int64)
    cities["total_ties"] = total.astype(np.int64)
    cities["normative_share"] = normative / total
    truth = dict(H1_COMPOSITION_TRUTH)
    return Planted(cities, truth, "h1_composition", "normative_share", {"normative_share": truth})


# ----------------------------------------------------------------------------- H3


def rel_name(k: int) -> str:
    """Event-time dummy name, as the real ``h3_event`` frame: ``rel_m3`` three years before the
    event year, ``rel_p0`` the event year itself, ``rel_p2`` two years after."""
    return f"rel_m{-k}" if k < 0 else f"rel_p{k}"


def h3_profile(k: int) -> float:
    """Planted effect on ``engagement`` `k` years after the event year: 0 before it, then
    0.8 * (1 - 0.6**(k + 1)), rising towards 0.8 (0.32, 0.512, 0.627, ...)."""
    return 0.0 if k < 0 else 0.8 * (1.0 - 0.6 ** (k + 1))


def h3_event_study(
    n_cities: int = 1500,
    seed: int = 0,
    *,
    first_year: int = 2010,
    last_year: int = 2023,
    event_year: int = 2017,
    us_share: float = 0.4,
    n_other_countries: int = 10,
    regions_per_country: int = 4,
) -> Planted:
    """City-year panel for the H3 event study, shaped like ``h3_event``: US cities treated from
    `event_year` (rows city-major, years ascending).

    Columns: ``city_id``, ``year``, ``country_iso3`` (``USA`` or XAA, XAB, ...),
    ``admin1_code`` (``US.<state>`` or ``<iso3>.<kk>``: the cluster column), ``in_design`` (1),
    ``us`` (0/1), ``rel_time`` (year - `event_year` for US cities, missing otherwise),
    ``us_post`` (US and year >= `event_year`), one 0/1 dummy per event time except the
    reference -1 (named by :func:`rel_name`: ``rel_m7`` ... ``rel_m2``, ``rel_p0`` ...
    ``rel_p6`` with the defaults; 1 only for US cities in that year), and two outcomes:

    - ``engagement`` = city effect (0.5 higher for US cities: selection on levels) + year
      effect + region-year shock + :func:`h3_profile` (US) + N(0, 0.6²);
    - ``climate_events`` ~ Poisson(exp(-0.5 + 0.5 city effect + year effect +
      `H3_COUNT_SCALE` * profile)).

    Truth: every event-time dummy in the frame (all but ``rel_m1``): 0 before the event, the
    profile from it on (times `H3_COUNT_SCALE` for ``climate_events``). Fit two-way FE on
    ``city_id`` and ``year`` with every dummy as a regressor, clustered by ``admin1_code``.
    """
    _check_positive(n_cities=n_cities, n_other_countries=n_other_countries,
                    regions_per_country=regions_per_country)  # fmt: skip
    if not first_year < event_year <= last_year:
        raise ValueError("need first_year < event_year <= last_year")
    if not 0 < us_share < 1:
        raise ValueError(f"us_share must lie in (0, 1), got {us_share}")
    rng = np.random.default_rng(seed)
    years = np.arange(first_year, last_year + 1, dtype=np.int64)
    n_years = len(years)
    n_us = min(n_cities - 1, max(1, round(us_share * n_cities)))
    us = np.zeros(n_cities, dtype=np.int8)
    us[:n_us] = 1
    others = _country_codes(n_other_countries)
    country_idx = rng.integers(0, n_other_countries, n_cities - n_us)
    region_idx = rng.integers(0, regions_per_country, n_cities - n_us)
    country = np.concatenate([np.full(n_us, "USA", dtype=object), others[country_idx]])
    state = np.array(US_STATES, dtype=object)[rng.integers(0, len(US_STATES), n_us)]
    admin1 = np.concatenate(
        [
            np.array([f"US.{s}" for s in state], dtype=object),
            np.array([f"{c}.{r + 1:02d}" for c, r in zip(others[country_idx], region_idx,
                                                          strict=True)], dtype=object),
        ]
    )  # fmt: skip
    _, admin1_code = np.unique(admin1, return_inverse=True)
    city_fx = rng.normal(0.0, 1.0, n_cities) + 0.5 * us
    year_fx = 0.05 * (years - first_year) + rng.normal(0.0, 0.1, n_years)
    shock = rng.normal(0.0, 0.15, (int(admin1_code.max()) + 1, n_years))

    ci = np.repeat(np.arange(n_cities), n_years)
    ti = np.tile(np.arange(n_years), n_cities)
    treated = us[ci] == 1
    k = years[ti] - event_year
    ks = np.arange(first_year - event_year, last_year - event_year + 1)
    profile = np.where(treated, np.array([h3_profile(int(v)) for v in ks])[k - ks[0]], 0.0)
    frame = pd.DataFrame(
        {
            "city_id": ci.astype(np.int64) + 1,
            "year": years[ti],
            "country_iso3": country[ci],
            "admin1_code": admin1[ci],
            "in_design": np.ones(len(ci)),
            "us": treated.astype(float),
            "rel_time": pd.array(np.where(treated, k, 0), dtype="Int64"),
            "us_post": (treated & (k >= 0)).astype(float),
        }
    )
    frame.loc[~treated, "rel_time"] = pd.NA
    for v in ks:
        if v != -1:
            frame[rel_name(int(v))] = (treated & (k == v)).astype(float)
    noise = rng.normal(0.0, 0.6, len(frame))
    frame["engagement"] = city_fx[ci] + year_fx[ti] + shock[admin1_code[ci], ti] + profile + noise
    mu = np.exp(-0.5 + 0.5 * city_fx[ci] + year_fx[ti] + H3_COUNT_SCALE * profile)
    frame["climate_events"] = rng.poisson(mu).astype(np.int64)
    truth = {rel_name(int(v)): h3_profile(int(v)) for v in ks if v != -1}
    count_truth = {key: H3_COUNT_SCALE * b for key, b in truth.items()}
    truths = {"engagement": truth, "climate_events": count_truth}
    return Planted(frame, truth, "h3_event_study", "engagement", truths)


# ----------------------------------------------------------------------------- H4


def _dem10_truth(t: Mapping[str, float]) -> dict[str, float]:
    """H4 truth re-expressed for dem10_2016 = 10 (share - 0.5) and dem_mayor (= dem_mayor_2017):
    b1 s + b2 m + b3 s m = b1/10 d + (b2 + b3/2) m + b3/10 m d + const."""
    b1, b2, b3 = (t["dem_share_2016"], t["dem_mayor_2017"], t["dem_share_2016:dem_mayor_2017"])
    return {"dem10_2016": b1 / 10, "dem_mayor": b2 + b3 / 2, "dem_mayor:dem10_2016": b3 / 10}


def h4_us_cities(
    n: int = 1000,
    seed: int = 0,
    *,
    n_states: int = 30,
    state_sd: float = 0.4,
) -> Planted:
    """US cities shaped like ``h4_cities`` (:mod:`analysis.panel.us_panel` and the H4 frame builder).

    ``dem_share_2016`` (county two-party share, mean ~0.55) and ``dem10_2016`` = 10 (share -
    0.5); ``dem_mayor_2017`` (0/1, likelier where the county is Democratic) and its alias
    ``dem_mayor``, ``partisan_mayor`` (1: every mayor is D or R here), ``dem_county_2016`` /
    ``dem_county``; ``log_city_population`` (cities >= 50,000), ``county_foreignborn_pct``,
    ``county_hispanic_pct``; ``state`` (the first `n_states` of :data:`US_STATES`, about n /
    n_states cities each) with state effects ~ N(0, `state_sd`²), and ``census_region``.

    ``member_climate_mayors`` ~ Bernoulli(logistic(x'b + state effect)). Truth:
    :data:`H4_TRUTH` (``dem_share_2016``, ``dem_mayor_2017``, ``dem_share_2016:dem_mayor_2017``,
    controls) plus the same index in the real spec's terms (``dem10_2016``, ``dem_mayor``,
    ``dem_mayor:dem10_2016``); use one parametrisation per model. Fit with
    ``fixed_effects: [state]`` (census-region effects alone leave the state effects out).
    """
    _check_positive(n=n, n_states=n_states)
    if n_states > len(US_STATES):
        raise ValueError(f"n_states must be <= {len(US_STATES)}")
    _check_sd(state_sd=state_sd)
    rng = np.random.default_rng(seed)
    states = np.array(US_STATES[:n_states], dtype=object)
    s = rng.integers(0, n_states, n)
    state_fx = rng.normal(0.0, state_sd, n_states)
    dem_share = rng.beta(6.0, 5.0, n)
    dem_mayor = (rng.random(n) < _logistic(5.0 * (dem_share - 0.5) + 0.3)).astype(float)
    log_pop = np.log(50_000) + rng.exponential(0.8, n)
    foreign = np.clip(rng.gamma(3.0, 4.0, n), 0.0, 70.0)
    hispanic = np.clip(rng.gamma(1.5, 12.0, n) + 0.5 * foreign, 0.0, 99.0)
    county = rng.integers(1, 999, n)
    frame = pd.DataFrame(
        {
            "city_id": np.arange(1, n + 1, dtype=np.int64),
            "state": states[s],
            "census_region": np.array([_STATE_REGION[x] for x in states], dtype=object)[s],
            "county_fips": np.array(
                [f"{i + 1:02d}{j:03d}" for i, j in zip(s, county, strict=True)], dtype=object
            ),
            "city_population": np.round(np.exp(log_pop)),
            "log_city_population": log_pop,
            "dem_share_2016": dem_share,
            "dem10_2016": 10 * (dem_share - 0.5),
            "dem_mayor_2017": dem_mayor,
            "dem_mayor": dem_mayor,
            "partisan_mayor": np.ones(n),
            "dem_county_2016": (dem_share > 0.5).astype(float),
            "dem_county": (dem_share > 0.5).astype(float),
            "county_foreignborn_pct": foreign,
            "county_hispanic_pct": hispanic,
        }
    )
    p = _logistic(_H4_INTERCEPT + _index(frame, H4_TRUTH) + state_fx[s])
    frame["member_climate_mayors"] = (rng.random(n) < p).astype(float)
    truth = {**H4_TRUTH, **_dem10_truth(H4_TRUTH)}
    return Planted(frame, truth, "h4_us_cities", "member_climate_mayors",
                   {"member_climate_mayors": truth})  # fmt: skip


# ----------------------------------------------------------------------------- scale


def scale_panel(
    n_rows: int,
    n_units: int | None = None,
    n_years: int = 20,
    n_clusters: int | None = None,
    seed: int = 0,
) -> Planted:
    """A large two-way panel for benchmarks: vectorised, no Python loop over rows.

    Columns: ``unit``, ``year`` (2000, 2001, ...), ``cluster`` (units nested in clusters), all
    int32; ``x1``, ``x2``, ``y`` float64; ``y_count`` int32. Rows are unit-major, years
    ascending. With `n_units` None the panel is balanced with ``ceil(n_rows / n_years)`` units
    (the last possibly cut short); otherwise `n_rows` distinct unit-years are drawn from the
    `n_units` x `n_years` grid (all of it when it has exactly `n_rows` cells). `n_clusters`
    defaults to ``max(2, n_units // 25)``.

    Unit effects a ~ N(0, 1) and year effects g ~ N(0, 1) are correlated with the regressors
    (x1 = 0.5 a + e1, x2 = 0.3 x1 + 0.5 g + e2), so only two-way FE recovers the slopes:
    ``y`` = 1.0 x1 - 0.5 x2 + a + g + N(0, 1) (:data:`SCALE_TRUTH`) and ``y_count`` ~
    Poisson(exp(0.5 + 0.25 (x1 - 0.5 x2 + a + g))) (mean ~1.9; truth 0.25 and -0.125).
    Memory: 40 bytes a row for the frame, a peak of about 64 bytes a row while drawing
    (10M rows: ~0.4 GB frame, ~0.65 GB peak process RSS).
    """
    _check_positive(n_rows=n_rows, n_years=n_years)
    rng = np.random.default_rng(seed)
    if n_units is None:
        n_units = -(-n_rows // n_years)
        unit = np.repeat(np.arange(n_units, dtype=np.int32), n_years)[:n_rows]
        t = np.tile(np.arange(n_years, dtype=np.int32), n_units)[:n_rows]
    else:
        _check_positive(n_units=n_units)
        cells = n_units * n_years
        if cells < n_rows:
            raise ValueError(f"n_units * n_years = {cells} < n_rows = {n_rows}")
        if cells == n_rows:
            unit = np.repeat(np.arange(n_units, dtype=np.int32), n_years)
            t = np.tile(np.arange(n_years, dtype=np.int32), n_units)
        else:
            pick = np.sort(rng.choice(cells, size=n_rows, replace=False))
            unit = (pick // n_years).astype(np.int32)
            t = (pick % n_years).astype(np.int32)
            del pick
    if n_units > np.iinfo(np.int32).max:
        raise ValueError("too many units for int32 ids")
    if n_clusters is None:
        n_clusters = max(2, n_units // 25)
    _check_positive(n_clusters=n_clusters)
    a = rng.standard_normal(n_units)
    g = rng.standard_normal(n_years)
    cluster = np.take(rng.integers(0, n_clusters, n_units, dtype=np.int32), unit)
    # In-place arithmetic on two row buffers (`lin`, `tmp`) keeps the peak near 64 bytes/row.
    b1, b2 = SCALE_TRUTH["x1"], SCALE_TRUTH["x2"]
    lin = np.take(a, unit)  # the noiseless index a + g + b1 x1 + b2 x2, built up in place
    tmp = np.empty(n_rows)
    x1 = rng.standard_normal(n_rows)
    x1 += np.multiply(lin, 0.5, out=tmp)
    x2 = rng.standard_normal(n_rows)
    lin += np.take(g, t, out=tmp)
    x2 += np.multiply(tmp, 0.5, out=tmp)
    x2 += np.multiply(x1, 0.3, out=tmp)
    lin += np.multiply(x1, b1, out=tmp)
    lin += np.multiply(x2, b2, out=tmp)
    del tmp
    y = rng.standard_normal(n_rows)
    y += lin
    lin *= SCALE_COUNT_SCALE
    lin += _SCALE_COUNT_INTERCEPT
    np.exp(lin, out=lin)
    y_count = rng.poisson(lin).astype(np.int32)
    del lin
    t += 2000
    frame = pd.DataFrame(
        {"unit": unit, "year": t, "cluster": cluster, "x1": x1, "x2": x2, "y": y,
         "y_count": y_count},
        copy=False,
    )  # fmt: skip
    truth = dict(SCALE_TRUTH)
    count_truth = {k: SCALE_COUNT_SCALE * v for k, v in SCALE_TRUTH.items()}
    return Planted(frame, truth, "scale_panel", "y", {"y": truth, "y_count": count_truth})


# ----------------------------------------------------------------------------- std() terms

_STD = re.compile(r"^std\((?P<col>[A-Za-z_][A-Za-z0-9_]*)\)$")


def restandardize(
    truth: Mapping[str, float], scaling: Mapping[str, tuple[float, float]]
) -> dict[str, float]:
    """Truth for a model whose terms standardize some columns, as ``std(x)`` does.

    `scaling` maps ``"std(x)"`` to the estimation sample's (mean, SD) - the format of
    :attr:`analysis.models.design.Design.scaling`, e.g. ``fit_model(...).design.scaling``. Each
    standardized column is substituted as x = mean + SD * std(x) and the planted index
    re-expanded: ``std(x)`` gets b * SD, ``a:std(x)`` gets b_ax * SD and ``a`` gains
    b_ax * mean. Terms that become constants (the intercept) are dropped; keys keep the
    factor order of `truth`.
    """
    sub: dict[str, tuple[float, float]] = {}
    for key, (mean, sd) in scaling.items():
        m = _STD.match(key)
        if m is None:
            raise ValueError(f"scaling key {key!r} is not std(<column>)")
        sub[m["col"]] = (float(mean), float(sd))
    out: dict[str, float] = {}
    for term, b in truth.items():
        # Expand prod(factors) with each standardized factor = mean + sd * std(x).
        parts: list[tuple[list[str], float]] = [([], float(b))]
        for col in term.split(":"):
            if col in sub:
                mean, sd = sub[col]
                parts = [(f, c * mean) for f, c in parts] + [
                    ([*f, f"std({col})"], c * sd) for f, c in parts
                ]
            else:
                parts = [([*f, col], c) for f, c in parts]
        for factors, c in parts:
            if factors:
                name = ":".join(factors)
                out[name] = out.get(name, 0.0) + c
    return out
