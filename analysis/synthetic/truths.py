"""The planted slopes (truths) and intercepts of every design, on the model's link scale."""

from __future__ import annotations

from .world import CHINA, GAWC

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
H2_NETWORKS_INTERCEPT = -4.6

#: H2 ``member_c40`` (log odds), no random effect.
H2_C40_TRUTH: dict[str, float] = {
    GAWC: 6.0,
    CHINA: -1.0,
    "log_pop": 0.5,
    "capital": 0.8,
    "log_gdp_pc": 0.3,
    "v2x_polyarchy": 0.5,
}
H2_C40_INTERCEPT = -12.2

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
H5_INTERCEPT = -4.0

#: H1 ``defiance_acts`` (log rate), with year effects and country/region random effects.
H1_DEFIANCE_TRUTH: dict[str, float] = {
    "v2x_polyarchy": 1.5,
    "log_pop": 0.35,
    "capital": 0.4,
    "log_gdp_pc": 0.2,
    "opportunity": 0.6,
}
H1_DEFIANCE_INTERCEPT = -8.3

#: H1 ``any_defiance`` (log odds), with its own year effects.
H1_LOGIT_TRUTH: dict[str, float] = {
    "v2x_polyarchy": 1.2,
    "log_pop": 0.45,
    "capital": 0.5,
    "log_gdp_pc": 0.1,
    "opportunity": 0.5,
}
H1_LOGIT_INTERCEPT = -8.8

#: H1 ``normative_share`` (log odds of the mean share).
H1_COMPOSITION_TRUTH: dict[str, float] = {
    "v2x_polyarchy": 1.5,
    CHINA: -0.5,
    "log_pop": 0.15,
    "capital": 0.3,
    "log_gdp_pc": -0.2,
}
H1_COMPOSITION_INTERCEPT = -0.9

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
H4_INTERCEPT = -10.2

#: scale_panel ``y`` (levels); ``y_count`` gets ``SCALE_COUNT_SCALE`` times the same index.
SCALE_TRUTH: dict[str, float] = {"x1": 1.0, "x2": -0.5}
SCALE_COUNT_SCALE = 0.25
SCALE_COUNT_INTERCEPT = 0.5

#: H3 ``climate_events``: log-rate event effects are this multiple of :func:`h3_profile`.
H3_COUNT_SCALE = 1.0


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
