"""H2 and H5 city designs: the ``h2_cities`` and ``h5_cities`` cross-sections and the
``h5_dyads`` pairs of cities."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .truths import (
    H2_C40_INTERCEPT,
    H2_C40_TRUTH,
    H2_NETWORKS_INTERCEPT,
    H2_NETWORKS_TRUTH,
    H5_DYAD_TRUTH,
    H5_INTERCEPT,
    H5_TRUTH,
)
from .world import (
    Planted,
    check_positive,
    country_codes,
    draw_counts,
    draw_gawc,
    draw_proxies,
    draw_world,
    group_effects,
    linear_index,
    logistic,
)


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
    world = draw_world(rng, n_cities, n_countries, china_share)
    cities = draw_gawc(rng, world.cities)
    effects = group_effects(rng, world, country_sd, region_sd)
    cities["n_networks"] = draw_counts(
        rng, cities, H2_NETWORKS_TRUTH, H2_NETWORKS_INTERCEPT, effects, overdispersion
    )
    cities["log1p_n_networks"] = np.log1p(cities["n_networks"].to_numpy(dtype=float))
    p = logistic(H2_C40_INTERCEPT + linear_index(cities, H2_C40_TRUTH))
    cities["member_c40"] = (rng.random(n_cities) < p).astype(float)
    cities = draw_proxies(rng, cities)
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
    world = draw_world(rng, n, n_countries, china_share)
    cities = draw_gawc(rng, world.cities)
    effects = group_effects(rng, world, country_sd, region_sd)
    cities["sister_city_degree"] = draw_counts(
        rng, cities, H5_TRUTH, H5_INTERCEPT, effects, overdispersion
    )
    effects = group_effects(rng, world, country_sd, region_sd)
    cities["n_networks"] = draw_counts(
        rng, cities, H2_NETWORKS_TRUTH, H2_NETWORKS_INTERCEPT, effects, overdispersion
    )
    cities = draw_proxies(rng, cities)
    truths = {"sister_city_degree": dict(H5_TRUTH), "n_networks": dict(H2_NETWORKS_TRUTH)}
    return Planted(cities, truths["sister_city_degree"], "h5_sister_cities",
                   "sister_city_degree", truths)  # fmt: skip


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
    check_positive(n_cities=n_cities, n_countries=n_countries)
    rng = np.random.default_rng(seed)
    countries = country_codes(n_countries)
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
    eta = intercept + effect[i] + effect[j] + linear_index(frame, H5_DYAD_TRUTH)
    p = np.exp(np.minimum(eta, 0.0)) if link == "log" else logistic(eta)
    frame["tie"] = (rng.random(len(frame)) < p).astype(float)
    return Planted(frame, dict(H5_DYAD_TRUTH), "h5_dyads", "tie",
                   {"tie": dict(H5_DYAD_TRUTH)})  # fmt: skip
