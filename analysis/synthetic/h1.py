"""H1 designs: the ``h1_defiance`` city-year panel and the ``h1_composition`` cross-section."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .truths import (
    H1_COMPOSITION_INTERCEPT,
    H1_COMPOSITION_TRUTH,
    H1_DEFIANCE_INTERCEPT,
    H1_DEFIANCE_TRUTH,
    H1_LOGIT_INTERCEPT,
    H1_LOGIT_TRUTH,
)
from .world import CHINA, Planted, draw_world, group_effects, linear_index, logistic


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
    world = draw_world(rng, n_cities, n_countries, china_share=0.05)
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
    effects = group_effects(rng, world, country_sd, region_sd)[ci]
    year_fx = rng.normal(0.0, 0.2, n_years)
    eta = H1_DEFIANCE_INTERCEPT + linear_index(panel, H1_DEFIANCE_TRUTH) + year_fx[ti] + effects
    panel["defiance_acts"] = rng.poisson(np.exp(eta)).astype(np.int64)
    year_fx_logit = rng.normal(0.0, 0.2, n_years)
    p = logistic(H1_LOGIT_INTERCEPT + linear_index(panel, H1_LOGIT_TRUTH) + year_fx_logit[ti])
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
    cities = draw_world(rng, n_cities, n_countries, china_share).cities
    mu = logistic(H1_COMPOSITION_INTERCEPT + linear_index(cities, H1_COMPOSITION_TRUTH))
    p = rng.beta(mu * precision, (1 - mu) * precision)
    total = 1 + rng.poisson(np.exp(1.0 + 0.5 * (cities["log_pop"].to_numpy() - 12.8)))
    normative = rng.binomial(total, p)
    cities["normative_ties"] = normative.astype(np.int64)
    cities["economic_ties"] = (total - normative).astype(np.int64)
    cities["total_ties"] = total.astype(np.int64)
    cities["normative_share"] = normative / total
    truth = dict(H1_COMPOSITION_TRUTH)
    return Planted(cities, truth, "h1_composition", "normative_share", {"normative_share": truth})
