"""H5 economy: economic interests run through city diplomacy (sister-city ties).

Frames:

- ``h5_cities``: the H2 city cross-section of 2020 (:func:`analysis.hypotheses.cross_section.build_h2_cities`:
  centrality measures as ``log1p_``, controls, ``china_mainland``) plus the tie composition
  of each city: ``sister_city_degree`` (distinct partner cities over the Wikipedia sister-city
  and Baltic twinning dyads, time-invariant), ``n_tmn`` (transnational networks held in 2020,
  as H2's outcome: national programmes such as China's APPC and reporting platforms are not
  the multilateral ties the essay contrasts with sister cities), ``total_ties`` and
  ``bilateral_share`` = sister / (sister + n_tmn) (missing without ties).
- ``h5_ties``: the same cities stacked twice, one row per (city, tie type): ``ties`` is the
  sister-city degree (``bilateral`` = 1) or the network count (``bilateral`` = 0). A Poisson
  model of ``ties`` with city fixed effects and ``bilateral`` interactions compares the
  bilateral-to-multilateral ratio across cities with everything city-level held fixed:
  ``bilateral:china_mainland`` is the log of how much larger the ratio is for a mainland
  Chinese city.
- ``h5_dyads``: every unordered pair of GaWC 2020 cities (zero pairs included), one row per
  pair: ``tie`` (1 if any source lists a sister-city or twinning tie between the two; a pair
  listed twice is one tie), the gravity terms (log great-circle distance, same country,
  CEPII contiguity / common official language / colonial tie, log mean 2000-2006 trade of the
  two countries where both are in the Yotov panel with ``trade_missing`` otherwise) and
  ``complementarity``, the product of the two cities' GaWC 2020 connectivity (share of the
  top city's; 0 outside GaWC), standardized. With a fixed effect for each city, each city's
  own connectivity (how many ties it has, how complete its list is) is absorbed; what is left
  of economic interest is whether economically central cities tie with each other more than
  distance, culture and their countries' trade predict, which is what "ties follow economic
  interest" implies and a complete-lists artefact does not. ``china_both`` / ``china_one``
  mark pairs with two / one mainland Chinese city.
- ``h5_dyads_all``: the same pairs among every city with at least one tie (15,000+ cities,
  about 10^8 pairs): every tie and a uniform random sample of zero pairs
  (:data:`ZERO_RATIO` per tie, fixed seed), a case-control design. For a logit, sampling the
  zeros at a constant rate shifts only the intercept (by the log of the rate; Prentice & Pyke
  1979, King & Zeng 2001), which the city fixed effects absorb, so the slopes need no weights.

Figures: ``h5_top_cities`` (the 30 GaWC cities with the most sister-city partners, mainland
Chinese cities highlighted) and ``h5_china_ties`` (predicted sister-city partners and network
memberships of a mainland Chinese and another city at mean centrality).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd

from analysis.core.errors import PipelineError
from analysis.hypotheses.cross_section import build_h2_cities
from analysis.hypotheses.figdata import _at_means, _need
from analysis.models.estimate import FitResult
from analysis.models.framedef import FrameDef, build_once
from analysis.models.spec import HypothesisSpec

HYPOTHESIS = "h5"
CITY_YEAR_COLUMNS = (
    "city_id", "year", "city_name", "country_iso3", "admin1_code", "n_networks",
    "n_networks_transnational", "sister_city_degree", "gawc_gnc_2020", "gawc_gnc_2000", "air_degree", "air_betweenness", "air_eigenvector",
    "fortune500_hq_2017", "foreign_missions_2022", "log_pop", "capital", "gdp_pc_usd",
    "v2x_polyarchy", "v2x_regime",
)  # fmt: skip
MEMBERSHIP_COLUMNS = ("city_id", "network", "network_type", "join_year", "first_observed_year")
TIE_COLUMNS = (  # city-level columns carried into the stacked frame
    "city_id", "city_name", "country_iso3", "admin1_code", "china_mainland", "gawc_city", "gawc_gnc_2020",
    "log1p_gawc_gnc_2020", "log_pop", "capital", "log_gdp_pc", "v2x_polyarchy",
)  # fmt: skip
SOURCE_NOTE = (
    "Sources: Wikipedia lists of twin towns and sister cities and Baltic twinning lists "
    "(dyads matched to GeoNames cities); GaWC 2020 (Data Set 31); ClimActor, ETMUN, CDP, "
    "GCoM (network memberships)."
)


def require(df: pd.DataFrame, columns: tuple[str, ...], table: str) -> None:
    """PipelineError naming `table` and every column of `columns` it lacks."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise PipelineError(f"h5: table {table!r} lacks column(s) {missing}")


def build_h5_cities(t: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Cities in 2020 (the H2 frame) with sister-city degree and the bilateral share of ties."""
    require(t["city_year"], CITY_YEAR_COLUMNS, "city_year")
    require(t["memberships"], MEMBERSHIP_COLUMNS, "memberships")
    c = build_h2_cities(t)
    if c.empty:
        raise PipelineError("h5: city_year has no rows in the H2 year")
    sister = c["sister_city_degree"].astype(float)
    nets = c["n_tmn"].astype(float)
    if (sister < 0).any() or (nets < 0).any():
        raise PipelineError("h5: negative sister_city_degree or network count in city_year")
    c["sister_city_degree"] = sister
    c["total_ties"] = sister + nets
    c["bilateral_share"] = (sister / c["total_ties"]).where(c["total_ties"] > 0)
    c["any_sister_city"] = (sister > 0).astype(float)
    return c


# --------------------------------------------------------------------------------------------
# dyadic frames
# --------------------------------------------------------------------------------------------

DYAD_CITY_COLUMNS = ("city_id", "year", "country_iso3", "lat", "lon", "gawc_gnc_2020_prop")
DYAD_COLUMNS = ("city_a", "city_b")
PAIR_TABLE_COLUMNS = ("iso3_a", "iso3_b", "dist_km", "contig", "comlang_off", "colony")
PAIR_TABLE_COLUMNS += ("trade_in_panel", "trade_musd")
ZERO_RATIO = 20  # sampled zero pairs per tie in the all-cities frame
ZERO_SEED = 20211  # fixed: the sampled frame is the same on every run
EARTH_KM = 6371.0088


def dyad_cities(city_year: pd.DataFrame) -> pd.DataFrame:
    """One row per city (its latest year): country, coordinates, GaWC 2020 connectivity."""
    require(city_year, DYAD_CITY_COLUMNS, "city_year")
    c = city_year.sort_values(["city_id", "year"]).drop_duplicates("city_id", keep="last")
    c = c[list(DYAD_CITY_COLUMNS)].drop(columns="year").reset_index(drop=True)
    return c[c["lat"].notna() & c["lon"].notna()].reset_index(drop=True)


def unique_ties(dyads: pd.DataFrame) -> pd.DataFrame:
    """Distinct unordered city pairs with any tie (one tie however many sources list it)."""
    require(dyads, DYAD_COLUMNS, "dyads")
    a = dyads["city_a"].to_numpy(dtype=np.int64)
    b = dyads["city_b"].to_numpy(dtype=np.int64)
    keep = a != b
    pairs = pd.DataFrame({"city_a": np.minimum(a, b)[keep], "city_b": np.maximum(a, b)[keep]})
    return pairs.drop_duplicates().sort_values(["city_a", "city_b"], ignore_index=True)


def all_pairs(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions (i, j), i < j, of every unordered pair of `ids` (sorted ascending)."""
    i, j = np.triu_indices(len(ids), k=1)
    return i.astype(np.int32), j.astype(np.int32)


def sampled_pairs(
    ids: np.ndarray, ties: set[tuple[int, int]], n_zero: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """`n_zero` distinct zero pairs drawn uniformly from all unordered pairs of `ids` (sorted
    ascending) that are not ties (positions i < j); memory O(n_zero), not O(len(ids)^2).

    Rejection sampling in batches, each batch taken in draw order (the first `need` new,
    distinct non-tie pairs), so the sample is that of drawing pair by pair; done with arrays,
    as a Python loop over the draws took 1.5 s of every H5 frame build."""
    n = len(ids)
    total = n * (n - 1) // 2 - len(ties)
    if n_zero > total:
        raise PipelineError(f"h5: {n_zero} zero pairs asked, only {total} exist")
    rng = np.random.default_rng(seed)
    tie_keys = _tie_keys(ids, ties)
    chosen = np.empty(0, dtype=np.int64)  # pair keys lo * n + hi, sorted
    while len(chosen) < n_zero:
        need = n_zero - len(chosen)
        draw = rng.integers(0, n, size=(2 * need + 16, 2))
        lo, hi = draw.min(axis=1), draw.max(axis=1)
        key = lo.astype(np.int64) * n + hi
        key = key[(lo != hi) & ~np.isin(key, tie_keys) & ~np.isin(key, chosen)]
        _, first = np.unique(key, return_index=True)  # first draw of each pair
        chosen = np.sort(np.concatenate([chosen, key[np.sort(first)][:need]]))
    return (chosen // n).astype(np.int32), (chosen % n).astype(np.int32)


def _tie_keys(ids: np.ndarray, ties: set[tuple[int, int]]) -> np.ndarray:
    """Pair keys (lo * n + hi) of the ties (a, b) with a before b in `ids`: the only ones a
    draw (positions lo < hi) can hit."""
    if not ties:
        return np.empty(0, dtype=np.int64)
    a, b = (np.array(side, dtype=np.int64) for side in zip(*ties, strict=True))
    pa, pb = np.searchsorted(ids, a), np.searchsorted(ids, b)
    ok = (pa < len(ids)) & (pb < len(ids))
    ok[ok] = (ids[pa[ok]] == a[ok]) & (ids[pb[ok]] == b[ok]) & (pa[ok] < pb[ok])
    return np.unique(pa[ok].astype(np.int64) * len(ids) + pb[ok])


def great_circle_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Haversine distance in km between arrays of coordinates (degrees)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlmb = p2 - p1, np.radians(lon2) - np.radians(lon1)
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def pair_frame(
    cities: pd.DataFrame,
    i: np.ndarray,
    j: np.ndarray,
    ties: pd.DataFrame,
    country_pairs: pd.DataFrame,
) -> pd.DataFrame:
    """Regressors of the pairs (cities.iloc[i], cities.iloc[j]), cities sorted by id."""
    require(country_pairs, PAIR_TABLE_COLUMNS, "country_pairs")
    ca, cb = cities.iloc[i].reset_index(drop=True), cities.iloc[j].reset_index(drop=True)
    out = pd.DataFrame(
        {
            "city_a": ca["city_id"].to_numpy(),
            "city_b": cb["city_id"].to_numpy(),
            "country_a": ca["country_iso3"].astype(str).to_numpy(),
            "country_b": cb["country_iso3"].astype(str).to_numpy(),
        }
    )
    key = pd.MultiIndex.from_frame(ties[["city_a", "city_b"]])
    out["tie"] = pd.MultiIndex.from_frame(out[["city_a", "city_b"]]).isin(key).astype(float)
    km = great_circle_km(ca["lat"].to_numpy(), ca["lon"].to_numpy(), cb["lat"], cb["lon"])
    out["log_dist_km"] = np.log(np.maximum(np.asarray(km, dtype=float), 1.0))  # 1 km floor
    same = out["country_a"] == out["country_b"]
    out["same_country"] = same.astype(float)
    lo = np.minimum(out["country_a"], out["country_b"])
    hi = np.maximum(out["country_a"], out["country_b"])
    cp = country_pairs.set_index(["iso3_a", "iso3_b"])
    cp = cp.reindex(pd.MultiIndex.from_arrays([lo, hi]))
    # Country-pair terms describe two countries: 0 within a country (same_country carries
    # that contrast) and 0 where CEPII lacks a country (counted in cepii_missing).
    out["cepii_missing"] = (cp["dist_km"].isna().to_numpy() & ~same.to_numpy()).astype(float)
    for col in ("contig", "comlang_off", "colony"):
        out[col] = cp[col].astype(float).fillna(0.0).to_numpy() * (~same).to_numpy()
    trade = cp["trade_musd"].astype(float).to_numpy()
    has_trade = (cp["trade_in_panel"].fillna(0).to_numpy() == 1) & (trade > 0) & ~same.to_numpy()
    out["trade_missing"] = (~has_trade).astype(float)
    out["log_trade"] = np.where(has_trade, np.log(np.where(has_trade, trade, 1.0)), 0.0)
    conn_a = ca["gawc_gnc_2020_prop"].fillna(0.0).to_numpy()
    conn_b = cb["gawc_gnc_2020_prop"].fillna(0.0).to_numpy()
    out["conn_a"], out["conn_b"] = conn_a, conn_b  # the level model's city terms
    prod = conn_a * conn_b
    sd = prod.std()
    out["complementarity"] = (prod - prod.mean()) / sd if sd > 0 else 0.0
    china_a = (out["country_a"] == "CHN").to_numpy()
    china_b = (out["country_b"] == "CHN").to_numpy()
    out["china_both"] = (china_a & china_b).astype(float)
    out["china_one"] = (china_a ^ china_b).astype(float)
    return out


def build_h5_dyads(t: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Every unordered pair of GaWC 2020 cities, zero pairs included."""
    cities = dyad_cities(t["city_year"])
    cities = cities[cities["gawc_gnc_2020_prop"].notna()].sort_values("city_id", ignore_index=True)
    i, j = all_pairs(cities["city_id"].to_numpy())
    out = pair_frame(cities, i, j, unique_ties(t["dyads"]), t["country_pairs"])
    out["sample_weight"] = 1.0
    return out


def build_h5_dyads_all(t: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Pairs among every city with a tie: all ties and ZERO_RATIO sampled zero pairs per tie."""
    ties = unique_ties(t["dyads"])
    cities = dyad_cities(t["city_year"])
    tied = set(ties["city_a"]) | set(ties["city_b"])
    cities = cities[cities["city_id"].isin(tied)].sort_values("city_id", ignore_index=True)
    ids = cities["city_id"].to_numpy(dtype=np.int64)
    ties = ties[ties["city_a"].isin(ids) & ties["city_b"].isin(ids)]
    pos = pd.Series(np.arange(len(ids)), index=ids)
    ti = pos[ties["city_a"]].to_numpy(dtype=np.int32)
    tj = pos[ties["city_b"]].to_numpy(dtype=np.int32)
    n = len(ids)
    n_zero = n * (n - 1) // 2 - len(ties)
    if ZERO_RATIO * len(ties) >= n_zero:  # a small world: every pair, no sampling
        i, j = all_pairs(ids)
        rate = 1.0
    else:
        tie_set = set(zip(ties["city_a"].tolist(), ties["city_b"].tolist(), strict=True))
        zi, zj = sampled_pairs(ids, tie_set, ZERO_RATIO * len(ties), ZERO_SEED)
        i, j = np.concatenate([ti, zi]), np.concatenate([tj, zj])
        rate = len(zi) / n_zero
    out = pair_frame(cities, i, j, ties, t["country_pairs"])
    # Inverse sampling probability, for descriptive totals (the logit needs none).
    out["sample_weight"] = np.where(out["tie"] == 1, 1.0, 1.0 / rate)
    return out.sort_values(["city_a", "city_b"], ignore_index=True)


def build_h5_ties(t: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per (city, tie type): sister-city partners (bilateral) and networks held."""
    c = build_once(build_h5_cities, t)[[*TIE_COLUMNS, "sister_city_degree", "n_tmn"]]
    bi = c.drop(columns="n_tmn").rename(columns={"sister_city_degree": "ties"})
    multi = c.drop(columns="sister_city_degree").rename(columns={"n_tmn": "ties"})
    out = pd.concat(
        [bi.assign(tie_type="bilateral", bilateral=1.0),
         multi.assign(tie_type="network", bilateral=0.0)],
        ignore_index=True,
    )  # fmt: skip
    out["tie_type"] = out["tie_type"].astype("str")
    return out.sort_values(["city_id", "tie_type"]).reset_index(drop=True)


FRAMES: dict[str, FrameDef] = {
    "h5_cities": FrameDef(
        ("city_year", "memberships"), build_h5_cities, ("city_id",), "cities in 2020"
    ),
    "h5_ties": FrameDef(
        ("city_year", "memberships"),
        build_h5_ties,
        ("city_id", "tie_type"),
        "cities in 2020 × tie type (sister-city partners, networks)",
    ),
    "h5_dyads": FrameDef(
        ("city_year", "dyads", "country_pairs"),
        build_h5_dyads,
        ("city_a", "city_b"),
        "unordered pairs of GaWC 2020 cities, zero pairs included",
    ),
    "h5_dyads_all": FrameDef(
        ("city_year", "dyads", "country_pairs"),
        build_h5_dyads_all,
        ("city_a", "city_b"),
        f"pairs of cities with a tie: every tie and {ZERO_RATIO} sampled zero pairs per tie",
    ),
}


# --------------------------------------------------------------------------------------------
# figure data
# --------------------------------------------------------------------------------------------


def top_cities(res: FitResult, frame: pd.DataFrame) -> pd.DataFrame:
    """Every city of the model's estimation sample, by sister-city degree (largest first)."""
    s = frame.loc[res.design.y.index]
    out = pd.DataFrame(
        {
            "name": [f"{n} ({c})" for n, c in zip(s["city_name"], s["country_iso3"], strict=True)],
            "value": s["sister_city_degree"].astype(float).to_numpy(),
            "highlight": (s["china_mainland"] == 1).to_numpy(),
            "city_id": s["city_id"].to_numpy(),
            "n_tmn": s["n_tmn"].astype(float).to_numpy(),
            "gawc_gnc_2020": s["gawc_gnc_2020"].astype(float).to_numpy(),
        }
    )
    return out.sort_values(
        ["value", "name"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)


def china_ties(sister: FitResult, nets: FitResult, frame: pd.DataFrame) -> pd.DataFrame:
    """Predicted sister-city partners and networks for a mainland Chinese and another city,
    other terms at their estimation-sample means (capital at 0), from two Poisson models."""
    rows = []
    for outcome, res in (("Sister-city partners", sister), ("Networks held", nets)):
        new = _at_means(res, frame, "china_mainland", np.array([1.0, 0.0]))
        pred = res.predict(new)
        for (_, p), who in zip(pred.iterrows(), ("mainland China", "other"), strict=True):
            row = {"category": f"{outcome}, {who}", "outcome": outcome, "china": who}
            rows.append(
                row | {"estimate": p["fit"], "ci_low": p["ci_low"], "ci_high": p["ci_high"]}
            )
    return pd.DataFrame(rows)


#: z(0.975) + z(0.80): the minimum detectable effect at 5% (two-sided) with 80% power is
#: this many standard errors.
MDE_FACTOR = 1.959964 + 0.841621
DYAD_MODELS = (
    "dy_gawc",
    "dy_gawc_citycl",
    "dy_gawc_logit",
    "dy_all",
    "dy_china_slopes",
    "dy_china_level",
)


def dyad_power(spec: HypothesisSpec, results: Mapping[str, FitResult]) -> pd.DataFrame:
    """Per dyadic model: N pairs and ties used, clusters, and the focal term's estimate,
    standard error and minimum detectable effect (coefficient scale)."""
    rows = []
    for name in DYAD_MODELS:
        res = results.get(name)
        if res is None:
            continue
        term = res.spec.focal_term
        se = float(np.sqrt(res.fit.cov.loc[term, term]))
        y = res.design.y.loc[res.fit.used]
        rows.append(
            {
                "model": name,
                "term": term,
                "estimate": float(res.fit.params[term]),
                "std_error": se,
                "mde": MDE_FACTOR * se,
                "n_pairs": int(res.fit.n_obs),
                "n_ties": int((y > 0).sum()),
                "n_clusters": min(res.n_clusters.values()) if res.n_clusters else None,
                "estimator": res.spec.estimator,
                "fixed_effects": "+".join(res.spec.fixed_effects) or "none",
                "vcov": res.vcov_label(spec),
            }
        )
    return pd.DataFrame(rows)


def figure_data(
    spec: HypothesisSpec, frames: Mapping[str, pd.DataFrame], results: dict[str, FitResult]
) -> dict[str, pd.DataFrame]:
    main = _need(results, "sc_gawc", HYPOTHESIS)
    sister = _need(results, "sc_china_main", HYPOTHESIS)
    nets = _need(results, "net_china", HYPOTHESIS)
    frame = frames[spec.frame_of(main.spec)]
    return {
        "top_cities": top_cities(main, frame),
        "china_ties": china_ties(sister, nets, frames[spec.frame_of(sister.spec)]),
        "dyad_power": dyad_power(spec, results),
    }


# --------------------------------------------------------------------------------------------
# figures
# --------------------------------------------------------------------------------------------


def top_cities_figure(models_dir: Path, out_stem: Path, figures: ModuleType) -> list[Path]:
    df = pd.read_csv(models_dir / "figdata/top_cities.csv", keep_default_na=False)
    return figures.ranked_bars(
        df,
        out_stem,
        value_label="Distinct sister-city and twinning partners (count)",
        title="The 30 GaWC 2020 cities with the most sister-city partners",
        source_note=SOURCE_NOTE + f" Sample: the {len(df)} GaWC 2020 cities of the main model.",
        top=30,
        highlight_label="Mainland China",
        other_label="Other countries",
    )


def china_ties_figure(models_dir: Path, out_stem: Path, figures: ModuleType) -> list[Path]:
    df = pd.read_csv(models_dir / "figdata/china_ties.csv")
    return figures.category_bars(
        df,
        out_stem,
        x_label="Tie type, mainland Chinese vs other city",
        y_label="Predicted count",
        title="Sister cities vs networks, mainland China (Poisson, 95% CI)",
        source_note=SOURCE_NOTE + " GaWC 2020 cities; log population, GDP per capita, "
        "democracy and GaWC connectivity at sample means, non-capital.",
    )


FIGURES: dict[str, Callable[[Path, Path], list[Path]]] = {
    "h5_top_cities": top_cities_figure,
    "h5_china_ties": china_ties_figure,
}

__all__ = [
    "FIGURES", "FRAMES", "HYPOTHESIS", "build_h5_cities", "build_h5_dyads", "build_h5_dyads_all",
    "build_h5_ties", "china_ties", "figure_data", "top_cities", "unique_ties",
]  # fmt: skip
