"""H4 alignment: municipal foreign policy needs local officials and constituents aligned.

Frames (all from ``results/data/us_city``, US cities of at least 50,000 people):

- ``h4_cities``: one row per city. Constituents are the county's Democratic two-party share
  (2012, 2016, 2020), re-expressed as ``dem10_<year>`` = 10 × (share − 0.5): per 10 points and
  centred on an evenly split county, so the mayor's main effect in an interaction is read at a
  50-50 county rather than at an impossible 0% Democratic county. Officials are the mayor's
  party on 2017-07-01 (``mayor_party``: the three mayoral-election files and Wikidata terms,
  precedence in :mod:`analysis.sources.common.mayor_party`): ``dem_mayor`` is 1 for a Democrat, 0 for a
  Republican and missing for independents and unknown mayors (as in the published
  ``alignment_cell``; the published ``dem_mayor_2017`` codes independents 0);
  ``fresh_mayor`` is 1 for a partisan mayor whose record is not stale. Dated immigration
  outcomes enter as one-period discrete-time hazards over the Trump term 2017-2020, the
  period after the mayor's party is measured: ``adopt_287g_2017`` (the city's county signs
  its first 287(g) agreement; at risk: ``at_risk_287g_2017``, no agreement before 2017) and
  ``adopt_sanctuary_2017`` (first dated sanctuary policy of the city or its county; at risk:
  ``at_risk_sanctuary_2017``). ``census_region`` (Census Bureau regions)
  stands in for state fixed effects in logits, where states in which every or no city joined
  would be perfectly predicted; linear probability models take state fixed effects instead.
  ``n_climate_networks`` counts the distinct transnational climate networks of ``memberships``
  (:data:`BU_DEFINITION`: not Climate Mayors or We Are Still In, which are the outcome and a
  national coalition, nor CDP and other reporting platforms).
- ``h4_counties``: one row per county that contains a 50k+ city (county columns of us_city are
  constant within a county; this is checked). 287(g) agreements (2005-2019) and ICE-detainer
  non-compliance (TRAC) are county measures, so they are modelled here, not per city.
- ``h4_county_periods``: counties at risk of a first 287(g) agreement in two periods, 2005-2016
  and the Trump term 2017-2020 (``trump_era``). The published table carries only the first
  year an agreement is flagged, so this is a first-adoption (discrete-time hazard) panel:
  counties that had adopted before 2017 leave the risk set, and terminations cannot be seen.

Figures: ``h4_alignment_cells`` (predicted probability of joining Climate Mayors by mayor ×
electorate cell, logit ``cm_cells_logit``) and ``h4_rd`` (the close-election regression
discontinuity, :mod:`analysis.models.rd`). Figure data also hold ``mde`` (minimum detectable effect
of every model's focal term and alignment-cell terms at 80% power, 5% two-sided:
(1.96 + 0.84) × SE), ``rd`` (estimates, robust intervals, bandwidths, effective N, density
test) and ``rd_bins`` (the binned means of the RD plot). Figure data also hold ``bu_comparison``: the mean
number of climate networks of cities with Democratic and Republican mayors, the comparison with
the Boston University Initiative on Cities (2018), with the definition used (``definition``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd

from analysis.core.errors import PipelineError
from analysis.core.lazy import lazy_module
from analysis.hypotheses.figdata import _at_means, _need
from analysis.models.estimate import FitResult
from analysis.models.framedef import FrameDef, build_once
from analysis.models.spec import HypothesisSpec

stats = lazy_module("scipy.stats")  # imported on first use (Snakefile start-up)

HYPOTHESIS = "h4"
VOTE_YEARS = (2012, 2016, 2020)
TRUMP_START, TRUMP_END = 2017, 2020  # the Trump term (first agreements flagged 2017-2020)
PRE_START = 2005  # 287(g) data start

CENSUS_REGIONS: dict[str, str] = {  # region: its states' postal codes
    "Northeast": "CT ME MA NH RI VT NJ NY PA",
    "Midwest": "IL IN MI OH WI IA KS MN MO NE ND SD",
    "South": "DE DC FL GA MD NC SC VA WV AL KY MS TN AR LA OK TX",
    "West": "AZ CO ID MT NV NM UT WY AK CA HI OR WA",
}
STATE_REGION = {s: r for r, states in CENSUS_REGIONS.items() for s in states.split(" ")}

CITY_COLUMNS = (
    "city_id", "city_name", "state", "county_fips", "city_population", "log_city_population",
    *(f"dem_share_{y}" for y in VOTE_YEARS), "county_foreignborn_pct", "county_hispanic_pct",
    "mayor_party", "mayor_party_source", "mayor_party_as_of", "mayor_party_stale",
    "mayor_dem_margin", "sanctuary_first_year", "dem_county_2016", "alignment_cell", "member_climate_mayors",
    "member_we_are_still_in", "n_networks", "nae_legal_support", "county_287g",
    "county_287g_first_year", "county_ice_detainers", "county_detainer_noncompliance",
)  # fmt: skip
COUNTY_COLUMNS = (
    "state", *(f"dem_share_{y}" for y in VOTE_YEARS), "county_foreignborn_pct",
    "county_hispanic_pct", "county_287g", "county_287g_first_year", "county_ice_detainers",
    "county_detainer_noncompliance",
)  # fmt: skip
MEMBERSHIP_COLUMNS = ("city_id", "network", "network_type", "network_scope")
#: What the BU comparison counts, and why: BU counted the climate networks a city has joined;
#: the closest definition here is transnational climate networks. Climate Mayors and We Are
#: Still In are left out because they are H4's outcome (a city's own pledge cannot also be
#: evidence for it) and a US coalition, CDP, NAZCA and carbonn because reporting is not
#: membership (analysis/data/networks.csv types each network).
BU_DEFINITION = (
    "climate networks = distinct transnational climate networks a city belongs to (C40, "
    "ICLEI, Global Covenant of Mayors, ...; analysis/data/networks.csv), not the outcome "
    "itself (Climate Mayors, We Are Still In) nor reporting platforms (CDP, NAZCA, carbonn): "
    "network membership, which is what BU's figures count, rather than the pledges H4 "
    "explains; our sources record few such networks for US cities, so compare the "
    "Democratic-Republican gap rather than the level"
)
CELLS = (  # (label, dem_mayor, dem_county), in figure order
    ("Dem mayor x Dem electorate", 1.0, 1.0),
    ("Dem mayor x Rep electorate", 1.0, 0.0),
    ("Rep mayor x Dem electorate", 0.0, 1.0),
    ("Rep mayor x Rep electorate", 0.0, 0.0),
)
SOURCE_NOTE = (
    "Sources: ClimActor and Climate Mayors (membership); Wikidata (mayor's party on "
    "2017-07-01); county presidential returns 2016 (tonmcg); MEDSL/ACS county demographics; "
    "simplemaps US cities (population)."
)


def require(df: pd.DataFrame, columns: tuple[str, ...] | list[str], table: str) -> None:
    """PipelineError naming `table` and every column of `columns` it lacks."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise PipelineError(f"h4: table {table!r} lacks column(s) {missing}")


def _float(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="raise").astype(float)


def _centred(share: pd.Series) -> pd.Series:
    """10 × (share − 0.5): Democratic share per 10 points, 0 at an evenly split county."""
    return 10 * (_float(share) - 0.5)


def census_region(state: pd.Series) -> pd.Series:
    """Census Bureau region of each state postal code (missing for anything else, e.g. PR)."""
    return state.map(STATE_REGION).astype("str")


def climate_network_counts(memberships: pd.DataFrame) -> pd.Series:
    """Distinct transnational climate networks per city_id (any source, any year); see
    :data:`BU_DEFINITION`."""
    require(memberships, MEMBERSHIP_COLUMNS, "memberships")
    climate = memberships["network_type"] == "climate"
    m = memberships[climate & (memberships["network_scope"] == "transnational")]
    return m.groupby("city_id")["network"].nunique().astype(float)


def build_h4_cities(t: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """US cities of 50k+: climate-network and immigrant-support outcomes, partisanship, controls."""
    us = t["us_city"]
    require(us, CITY_COLUMNS, "us_city")
    c = us.copy()
    party = c["mayor_party"]
    c["dem_mayor"] = party.map({"D": 1.0, "R": 0.0}).astype(float)
    c["partisan_mayor"] = party.isin(["D", "R"]).astype(float)
    stale = c["mayor_party_stale"].astype("boolean").fillna(True).astype(bool)
    c["fresh_mayor"] = (c["partisan_mayor"].eq(1) & ~stale).astype(float)
    c["mayor_dem_margin"] = _float(c["mayor_dem_margin"])
    for name, first in (("287g", c["county_287g_first_year"]),
                        ("sanctuary", c["sanctuary_first_year"])):  # fmt: skip
        first = _float(first)
        c[f"at_risk_{name}_2017"] = (first.isna() | (first >= TRUMP_START)).astype(float)
        c[f"adopt_{name}_2017"] = first.between(TRUMP_START, TRUMP_END).astype(float)
    for y in VOTE_YEARS:
        c[f"dem10_{y}"] = _centred(c[f"dem_share_{y}"])
    c["dem_county"] = _float(c["dem_county_2016"])
    for col in ("member_climate_mayors", "member_we_are_still_in", "n_networks",
                "nae_legal_support", "county_287g", "county_foreignborn_pct",
                "county_hispanic_pct", "log_city_population"):  # fmt: skip
        c[col] = _float(c[col])
    c["census_region"] = census_region(c["state"])
    counts = climate_network_counts(t["memberships"])
    c["n_climate_networks"] = c["city_id"].map(counts).fillna(0.0)
    return c.sort_values("city_id").reset_index(drop=True)


def build_h4_counties(t: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per county with a 50k+ city: 287(g), detainer non-compliance, partisanship."""
    us = t["us_city"]
    require(us, ("county_fips", "city_population", *COUNTY_COLUMNS), "us_city")
    varying = us.groupby("county_fips")[list(COUNTY_COLUMNS)].nunique(dropna=False).max()
    bad = sorted(varying[varying > 1].index)
    if bad:
        raise PipelineError(f"h4: us_city county column(s) {bad} vary within a county")
    g = us.groupby("county_fips", sort=True)
    c = g[list(COUNTY_COLUMNS)].first()
    c["n_cities"] = g.size().astype(float)
    c["log_city_pop_sum"] = np.log(g["city_population"].sum().astype(float))
    c = c.reset_index()
    for y in VOTE_YEARS:
        c[f"dem10_{y}"] = _centred(c[f"dem_share_{y}"])
    for col in ("county_foreignborn_pct", "county_hispanic_pct", "county_287g",
                "county_287g_first_year", "county_ice_detainers",
                "county_detainer_noncompliance"):  # fmt: skip
        c[col] = _float(c[col])
    c["census_region"] = census_region(c["state"])
    return c


def build_h4_county_periods(t: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """County × period risk set for a first 287(g) agreement: 2005-2016 and 2017-2020."""
    c = build_once(build_h4_counties, t)
    first = c["county_287g_first_year"]
    late = first.notna() & (first > TRUMP_END)
    if late.any():
        raise PipelineError(f"h4: {int(late.sum())} counties first flagged after {TRUMP_END}")
    early = first.notna() & (first < PRE_START)
    if early.any():
        raise PipelineError(f"h4: {int(early.sum())} counties first flagged before {PRE_START}")
    pre = c.assign(period=f"{PRE_START}-{TRUMP_START - 1}", trump_era=0.0)
    pre["adopt_287g"] = (first < TRUMP_START).astype(float)
    at_risk = first.isna() | (first >= TRUMP_START)
    post = c[at_risk].assign(period=f"{TRUMP_START}-{TRUMP_END}", trump_era=1.0)
    post["adopt_287g"] = (post["county_287g_first_year"] >= TRUMP_START).astype(float)
    out = pd.concat([pre, post], ignore_index=True)
    out["period"] = out["period"].astype("str")
    return out.sort_values(["county_fips", "period"]).reset_index(drop=True)


FRAMES: dict[str, FrameDef] = {
    "h4_cities": FrameDef(
        ("us_city", "memberships"), build_h4_cities, ("city_id",), "US cities of 50k+"
    ),
    "h4_counties": FrameDef(
        ("us_city",), build_h4_counties, ("county_fips",), "counties with a 50k+ city"
    ),
    "h4_county_periods": FrameDef(
        ("us_city",),
        build_h4_county_periods,
        ("county_fips", "period"),
        "counties at risk of a first 287(g) agreement, 2005-2016 and 2017-2020",
    ),
}


# --------------------------------------------------------------------------------------------
# figure data
# --------------------------------------------------------------------------------------------


def alignment_cells(res: FitResult, frame: pd.DataFrame) -> pd.DataFrame:
    """Predicted probability per mayor × electorate cell (other terms at sample means), with
    the cell's N and members in the estimation sample."""
    sample = frame.loc[res.design.y.index]
    grid = np.zeros(len(CELLS))
    new = _at_means(res, frame, "dem_mayor", grid)
    new["dem_mayor"] = [m for _, m, _ in CELLS]
    new["dem_county"] = [d for _, _, d in CELLS]
    pred = res.predict(new)
    n, members = [], []
    for _, m, d in CELLS:
        cell = sample[(sample["dem_mayor"] == m) & (sample["dem_county"] == d)]
        n.append(len(cell))
        members.append(int(cell[res.spec.outcome].sum()))
    return pd.DataFrame(
        {
            "category": [label for label, _, _ in CELLS],
            "estimate": pred["fit"].to_numpy(),
            "ci_low": pred["ci_low"].to_numpy(),
            "ci_high": pred["ci_high"].to_numpy(),
            "n": n,
            "members": members,
        }
    )


def _mean_ci(x: pd.Series) -> tuple[float, float, float]:
    x = x.astype(float)
    m, n = float(x.mean()), len(x)
    if n < 2:
        return m, float("nan"), float("nan")
    half = stats.t.ppf(0.975, n - 1) * float(x.std(ddof=1)) / np.sqrt(n)
    return m, m - half, m + half


def bu_comparison(cities: pd.DataFrame) -> pd.DataFrame:
    """Mean climate networks of cities with Democratic vs Republican mayors (mid-2017), with
    t intervals, and their difference (Welch). Compare: BU Initiative on Cities (2018), about 4
    for Democratic mayors' cities and fewer than 1 for Republican mayors'."""
    rows = []
    groups = {"Democratic": 1.0, "Republican": 0.0}
    for name, code in groups.items():
        g = cities[cities["dem_mayor"] == code]
        mean, lo, hi = _mean_ci(g["n_climate_networks"])
        rows.append({
            "mayor_party": name, "n_cities": len(g), "mean_climate_networks": mean,
            "ci_low": lo, "ci_high": hi,
            "median_climate_networks": float(g["n_climate_networks"].median()),
            "mean_all_networks": float(g["n_networks"].mean()),
            "share_climate_mayors": float(g["member_climate_mayors"].mean()),
        })  # fmt: skip
    d = cities.loc[cities["dem_mayor"] == 1, "n_climate_networks"].astype(float)
    r = cities.loc[cities["dem_mayor"] == 0, "n_climate_networks"].astype(float)
    diff = float(d.mean() - r.mean())
    if len(d) > 1 and len(r) > 1:
        vd, vr = d.var(ddof=1) / len(d), r.var(ddof=1) / len(r)
        se = float(np.sqrt(vd + vr))
        dof = (vd + vr) ** 2 / (vd**2 / (len(d) - 1) + vr**2 / (len(r) - 1))
        half = float(stats.t.ppf(0.975, dof)) * se
    else:
        half = float("nan")
    rows.append({
        "mayor_party": "Difference (Democratic - Republican)", "n_cities": len(d) + len(r),
        "mean_climate_networks": diff, "ci_low": diff - half, "ci_high": diff + half,
        "median_climate_networks": float("nan"),
        "mean_all_networks": float(cities.loc[cities["dem_mayor"] == 1, "n_networks"].mean()
                                   - cities.loc[cities["dem_mayor"] == 0, "n_networks"].mean()),
        "share_climate_mayors": float(
            cities.loc[cities["dem_mayor"] == 1, "member_climate_mayors"].mean()
            - cities.loc[cities["dem_mayor"] == 0, "member_climate_mayors"].mean()),
    })  # fmt: skip
    return pd.DataFrame(rows).assign(definition=BU_DEFINITION)


#: (1.96 + 0.84) × SE: the true effect a two-sided 5% test detects with 80% power.
MDE_FACTOR = 1.96 + 0.84
CELL_TERMS = ("dem_mayor", "dem_county", "dem_mayor:dem_county")


def mde_table(results: Mapping[str, FitResult]) -> pd.DataFrame:
    """Minimum detectable effect of each model's focal term (and the alignment-cell terms),
    on the coefficient scale (log-odds for logits, probability for LPMs)."""
    rows = []
    for name in sorted(results):
        res = results[name]
        tidy = res.tidy().set_index("term")
        terms = [res.spec.focal_term, *[t for t in CELL_TERMS if t in tidy.index]]
        for term in dict.fromkeys(terms):
            if term not in tidy.index:
                continue
            se = float(tidy.loc[term, "std_error"])
            rows.append({
                "model": name, "term": term, "focal": term == res.spec.focal_term,
                "estimate": float(tidy.loc[term, "estimate"]), "std_error": se,
                "mde": MDE_FACTOR * se, "n_obs": int(res.fit.n_obs),
                "estimator": res.spec.estimator,
            })  # fmt: skip
    return pd.DataFrame(rows)


#: Close-election RD outcomes (joining after the Paris withdrawal announcement).
RD_OUTCOMES = ("member_climate_mayors", "member_we_are_still_in")


#: RD samples: the main one (the margin of the election that put the 2017 mayor in office)
#: and a sensitivity that also keeps stale records (the margin of an earlier race).
RD_MAIN = "fresh"
RD_SAMPLES = {
    RD_MAIN: "mayor on 2017-07-01 won a 2013-2016 Democrat-vs-Republican race",
    "all_years": "latest Democrat-vs-Republican race behind the 2017 party, any year (stale kept)",
}


def rd_sample(cities: pd.DataFrame, sample: str = RD_MAIN) -> pd.DataFrame:
    """Cities with a Democratic margin for the election behind the 2017 party; the main sample
    keeps non-stale records only (2013-2016), so the margin is that of the election that put
    the mayor in office."""
    ok = cities["mayor_dem_margin"].notna()
    if sample == RD_MAIN:
        ok &= cities["fresh_mayor"].eq(1)
    return cities[ok]


def rd_tables(cities: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """rd: one row per sample and outcome (rdrobust + rddensity); rd_bins and rd_fit: binned
    means and local-linear fits of the main sample for the plot."""
    from analysis.models import rd

    rows, bins, fits = [], [], []
    for name, label in RD_SAMPLES.items():
        sample = rd_sample(cities, name)
        x = sample["mayor_dem_margin"]
        density = rd.density_test(x)
        for outcome in RD_OUTCOMES:
            res = rd.rd_estimate(sample[outcome], x, outcome)
            rows.append({"sample": name, "sample_label": label} | res.row() | density | {
                "n_close_10": int((x.abs() < 0.10).sum()),
                "n_close_5": int((x.abs() < 0.05).sum()),
            })  # fmt: skip
            if name == RD_MAIN:
                bins.append(rd.rd_bins(sample[outcome], x, outcome))
                fit = rd.local_linear_fit(sample[outcome], x, res.bandwidth_h)
                fits.append(fit.assign(outcome=outcome))
    return {
        "rd": pd.DataFrame(rows),
        "rd_bins": pd.concat(bins, ignore_index=True),
        "rd_fit": pd.concat(fits, ignore_index=True)[["outcome", "side", "x", "fit"]],
    }


def mayor_sources(cities: pd.DataFrame) -> pd.DataFrame:
    """Cities with a known mayor's party by the source that set it: party counts, stale
    records and the election years behind them (the coverage behind panel B)."""
    known = cities[cities["mayor_party"].notna()]
    rows = []
    for source, g in known.groupby("mayor_party_source", sort=True):
        party = g["mayor_party"].value_counts()
        rows.append({
            "source": source, "n_cities": len(g),
            **{f"n_{p}": int(party.get(p, 0)) for p in ("D", "R", "I", "other")},
            "n_stale": int(g["mayor_party_stale"].astype("boolean").fillna(False).sum()),
            "as_of_min": int(g["mayor_party_as_of"].min()),
            "as_of_max": int(g["mayor_party_as_of"].max()),
        })  # fmt: skip
    return pd.DataFrame(rows)


def figure_data(
    spec: HypothesisSpec, frames: Mapping[str, pd.DataFrame], results: dict[str, FitResult]
) -> dict[str, pd.DataFrame]:
    res = _need(results, "cm_cells_logit", HYPOTHESIS)
    frame = frames[spec.frame_of(res.spec)]
    cities = frames.get("h4_cities", frame)
    return {
        "alignment_cells": alignment_cells(res, frame),
        "bu_comparison": bu_comparison(cities),
        "mde": mde_table(results),
        "mayor_sources": mayor_sources(cities),
        **rd_tables(cities),
    }


# --------------------------------------------------------------------------------------------
# figures
# --------------------------------------------------------------------------------------------


def alignment_cells_figure(models_dir: Path, out_stem: Path, figures: ModuleType) -> list[Path]:
    df = pd.read_csv(models_dir / "figdata/alignment_cells.csv")
    short = {label: label.replace(" x ", " × ").replace("electorate", "county")
             for label, _, _ in CELLS}  # fmt: skip
    df["category"] = [
        f"{short.get(c, c)} (n = {n})" for c, n in zip(df["category"], df["n"], strict=True)
    ]
    return figures.category_bars(
        df,
        out_stem,
        x_label="Mayor's party (mid-2017) × county majority, 2016 presidential vote",
        y_label="Predicted probability of membership",
        title="Joining Climate Mayors, by alignment cell (logit, 95% CI)",
        source_note=SOURCE_NOTE + " US cities of 50,000+ with a Democratic or Republican "
        "mayor of known party; log population at its sample mean.",
    )


def rd_figure(models_dir: Path, out_stem: Path, figures: ModuleType) -> list[Path]:
    """Binned RD plot: share joining per margin bin, local-linear fits within the bandwidth."""
    bins = pd.read_csv(models_dir / "figdata/rd_bins.csv")
    fits = pd.read_csv(models_dir / "figdata/rd_fit.csv")
    est = pd.read_csv(models_dir / "figdata/rd.csv")
    est = est[est["sample"] == RD_MAIN].set_index("outcome")
    titles = {
        "member_climate_mayors": "Climate Mayors",
        "member_we_are_still_in": "We Are Still In",
    }
    panels = []
    for outcome in RD_OUTCOMES:
        r = est.loc[outcome]
        panels.append((outcome, (
            f"{titles[outcome]}: jump {r['estimate']:.2f}\n(robust 95% CI "
            f"{r['ci_low_robust']:.2f} to {r['ci_high_robust']:.2f})\nh = "
            f"{100 * r['bandwidth_h']:.1f} pts; N within h: {int(r['n_eff_left'])} left, "
            f"{int(r['n_eff_right'])} right"
        )))  # fmt: skip
    pts = lambda d, col: d.assign(**{col: 100 * d[col]})  # noqa: E731 - margins in points
    return figures.rd_plot(
        pts(bins, "x_mid"),
        pts(fits, "x"),
        panels,
        out_stem,
        x_label="Democratic margin (points)",
        y_label="Share of cities that joined",
        title="Close mayoral elections: joining Climate Mayors and We Are Still In after a "
        "narrow Democratic win",
        source_note="Sources: mayoral-election files (de Benedictis-Kessner/Jones/Warshaw, "
        "Hopkins & Pettingill, Ferreira & Gyourko); ClimActor and Climate Mayors (membership). "
        "US cities of 50,000+ whose mayor on 2017-07-01 won a 2013-2016 Democrat-vs-Republican "
        "race. Dots: binned means (area ~ N); lines: triangular-kernel local-linear fits within "
        "the rdrobust MSE-optimal bandwidth; rddensity manipulation test p = "
        f"{est['density_p'].iloc[0]:.2f}.",
    )


FIGURES: dict[str, Callable[[Path, Path], list[Path]]] = {
    "h4_alignment_cells": alignment_cells_figure,
    "h4_rd": rd_figure,
}

__all__ = [
    "BU_DEFINITION", "CELLS", "FIGURES", "FRAMES", "HYPOTHESIS", "alignment_cells", "bu_comparison",
    "build_h4_cities", "build_h4_counties", "build_h4_county_periods", "census_region",
    "climate_network_counts", "figure_data",
]  # fmt: skip
