"""US designs: the H3 event study (US cities treated from an event year) and the H4 cities."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .truths import H3_COUNT_SCALE, H4_INTERCEPT, H4_TRUTH
from .world import Planted, check_positive, check_sd, country_codes, linear_index, logistic

#: State postal codes (H3 treated cities, H4), with their Census Bureau regions.
_REGIONS = {
    "Northeast": "CT ME MA NH RI VT NJ NY PA",
    "Midwest": "IL IN MI OH WI IA KS MN MO NE ND SD",
    "South": "DE FL GA MD NC SC VA WV AL KY MS TN AR LA OK TX",
    "West": "AZ CO ID MT NV NM UT WY AK CA HI OR WA",
}
_STATE_REGION = {s: r for r, states in _REGIONS.items() for s in states.split()}
US_STATES: tuple[str, ...] = tuple(sorted(_STATE_REGION))


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
    check_positive(n_cities=n_cities, n_other_countries=n_other_countries,
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
    others = country_codes(n_other_countries)
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
    check_positive(n=n, n_states=n_states)
    if n_states > len(US_STATES):
        raise ValueError(f"n_states must be <= {len(US_STATES)}")
    check_sd(state_sd=state_sd)
    rng = np.random.default_rng(seed)
    states = np.array(US_STATES[:n_states], dtype=object)
    s = rng.integers(0, n_states, n)
    state_fx = rng.normal(0.0, state_sd, n_states)
    dem_share = rng.beta(6.0, 5.0, n)
    dem_mayor = (rng.random(n) < logistic(5.0 * (dem_share - 0.5) + 0.3)).astype(float)
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
    p = logistic(H4_INTERCEPT + linear_index(frame, H4_TRUTH) + state_fx[s])
    frame["member_climate_mayors"] = (rng.random(n) < p).astype(float)
    truth = {**H4_TRUTH, **_dem10_truth(H4_TRUTH)}
    return Planted(frame, truth, "h4_us_cities", "member_climate_mayors",
                   {"member_climate_mayors": truth})  # fmt: skip
