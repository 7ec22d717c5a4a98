"""Model frames: the named analysis datasets that model specs refer to (``frame:`` key).

Each builder takes the published tables of ``results/data`` and returns one DataFrame whose
columns specs may use. Derived variables are made here, once, with their reasons, so specs
stay declarative. Users' own covariate files (config ``covariates``) are merged by key.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import ConfigError, PipelineError, plain
from analysis.models.framedef import FrameDef
from analysis.models.spec import term_columns
from analysis.panel.assemble import network_entries
from analysis.resolve.countries import region_of

H2_YEAR = 2020  # GaWC 2020 is the main centrality measure; memberships are counted that year
LONO_NETWORKS = 12  # leave-one-network-out: the networks with the most members in H2_YEAR


def _log_or_nan(s: pd.Series) -> pd.Series:
    s = s.astype(float)
    return np.log(s.where(s > 0))


def _city_covariates(cy: pd.DataFrame) -> pd.DataFrame:
    out = cy.copy()
    out["log_gdp_pc"] = _log_or_nan(out["gdp_pc_usd"])
    out["china_mainland"] = (out["country_iso3"] == "CHN").astype(float)
    out["autocracy"] = out["v2x_regime"].isin([0, 1]).astype(float).where(out["v2x_regime"].notna())
    out["region"] = region_of(out["country_iso3"])
    return out


def held_networks(memberships: pd.DataFrame, year: int) -> pd.DataFrame:
    """0/1 ``held_<network>`` per city: the network counts in ``n_networks`` of `year`.

    Same rule as the panel's count (:func:`analysis.panel.assemble.network_entries`): a network
    counts from its earliest join year, else from its first snapshot year.
    """
    e = network_entries(memberships)
    e = e[e["entry_year"] <= year]
    flags = pd.crosstab(e["city_id"], e["network"]).clip(upper=1).astype(float)
    return flags.add_prefix("held_")


def network_flags(memberships: pd.DataFrame, networks: list[str]) -> pd.DataFrame:
    """0/1 columns ``member_<network>`` per city (any source, any year)."""
    m = memberships[memberships["network"].isin(networks)]
    flags = pd.crosstab(m["city_id"], m["network"]).clip(upper=1)
    flags = flags.reindex(columns=networks, fill_value=0).astype(float)
    return flags.add_prefix("member_")


def build_h2_cities(t: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Cities in `H2_YEAR`: network counts, C40 membership, centrality measures, controls.

    Log centralities are ``log(1 + x)`` because a few GaWC cities score 0. Headquarters are
    counted 0 for GaWC cities without one (the Fortune list covers every HQ city); embassies
    stay missing outside the 621 cities the missions source covers.
    """
    cy = t["city_year"]
    c = _city_covariates(cy[cy["year"] == H2_YEAR])
    flags = network_flags(t["memberships"], ["c40", "iclei", "gcom", "cdp"])
    c = c.merge(flags, left_on="city_id", right_index=True, how="left")
    c[flags.columns] = c[flags.columns].fillna(0.0)
    gawc = c["gawc_gnc_2020"].notna()
    c["fortune500_hq_2017"] = c["fortune500_hq_2017"].where(
        ~gawc, c["fortune500_hq_2017"].fillna(0)
    )
    for col in ["gawc_gnc_2020", "gawc_gnc_2000", "air_degree", "air_betweenness",
                "air_eigenvector", "fortune500_hq_2017", "foreign_missions_2022"]:  # fmt: skip
        c[f"log1p_{col}"] = np.log1p(c[col].astype(float))
    # Airline centralities are shares (degree ~1e-3): per thousand, so log1p is not linear.
    for col in ["air_degree", "air_betweenness", "air_eigenvector"]:
        c[f"log1p_{col}"] = np.log1p(1000 * c[col].astype(float))
    c["gawc_city"] = gawc.astype(float)
    # The essay's outcome: transnational municipal networks only. National programmes
    # (Climate Mayors, Japan's zero-carbon cities, ...) and reporting platforms (CDP, NAZCA,
    # carbonn) are typed in analysis/data/networks.csv and enter as alternative outcomes.
    c["n_tmn"] = c["n_networks_transnational"].astype(float)
    c["log1p_n_tmn"] = np.log1p(c["n_tmn"])
    c["log1p_n_networks"] = np.log1p(c["n_networks"].astype(float))
    # Leave-one-network-out outcomes: the transnational count without each of the largest.
    mem = t["memberships"]
    held = held_networks(mem[mem["network_scope"] == "transnational"], H2_YEAR)
    top = held.sum().sort_values(ascending=False, kind="stable").index[:LONO_NETWORKS]
    held = held[sorted(top)].reindex(c["city_id"]).fillna(0.0).to_numpy()
    for j, col in enumerate(sorted(top)):
        net = col.removeprefix("held_")
        c[f"n_tmn_wo_{net}"] = c["n_tmn"].to_numpy(dtype=float) - held[:, j]
    return c.sort_values("city_id").reset_index(drop=True)


def _defiance():
    from analysis.hypotheses import defiance

    return defiance


def build_h1_defiance(t: Mapping[str, pd.DataFrame], h1_min_population: int) -> pd.DataFrame:
    """City-years with defiance-act counts and the nation's norm violations (H1)."""
    d = _defiance()
    acts, _audit = d.defiance_acts(t["acts"], t["city_year"])
    panel = d.defiance_panel(t["city_year"], acts, min_population=h1_min_population)
    panel["region"] = region_of(panel["country_iso3"])
    panel = d.universe_columns(panel, t["city_year"])
    panel = d.coverage_flags(panel, d.source_coverage(t["acts"], t["city_year"]))
    return panel.sort_values(["city_id", "year"]).reset_index(drop=True)


def build_h1_country_year(t: Mapping[str, pd.DataFrame], h1_min_population: int) -> pd.DataFrame:
    """Country-years of the GHSL universe: defiance acts per 1,000 urban-centre cities (H1)."""
    d = _defiance()
    panel = build_h1_defiance(t, h1_min_population)
    cy = d.country_year_rates(panel)
    cy["region"] = region_of(cy["country_iso3"])
    return cy.sort_values(["country_iso3", "year"]).reset_index(drop=True)


def build_h1_composition(t: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Cities with at least one international tie: the normative share of their ties (H1)."""
    d = _defiance()
    comp = d.tie_composition(t["city_year"], t["memberships"], t["dyads"], year=H2_YEAR)
    comp["region"] = region_of(comp["country_iso3"])
    # Most normative ties come from EU programmes: a Europe indicator for the composition test.
    comp["europe"] = comp["region"].eq(d.EUROPE).astype("int8").astype("Int8")
    return comp.sort_values("city_id").reset_index(drop=True)


FRAMES: dict[str, FrameDef] = {
    "h2_cities": FrameDef(
        ("city_year", "memberships"), build_h2_cities, ("city_id",), "cities in 2020"
    ),
    "h1_defiance": FrameDef(
        ("city_year", "acts"),
        build_h1_defiance,
        ("city_id", "year"),
        "city-years",
        options=("h1_min_population",),
    ),
    "h1_country_year": FrameDef(
        ("city_year", "acts"),
        build_h1_country_year,
        ("country_iso3", "year"),
        "country-years",
        options=("h1_min_population",),
    ),
    "h1_composition": FrameDef(
        ("city_year", "memberships", "dyads"), build_h1_composition, ("city_id",), "cities"
    ),
}


def _all_frames() -> dict[str, FrameDef]:
    from analysis.hypotheses import modules

    out = dict(FRAMES)
    for mod in modules():
        out |= mod.FRAMES
    return out


def frame_def(name: str) -> FrameDef:
    frames = _all_frames()
    if name not in frames:
        raise ConfigError(f"frame: unknown frame {name!r}; known: {sorted(frames)}")
    return frames[name]


def read_tables(data_dir: Path, names: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    return {n: pd.read_parquet(data_dir / f"{n}.parquet") for n in names}


def merge_covariates(
    frame: pd.DataFrame, covariates: list[dict[str, Any]], base: Path = Path(".")
) -> pd.DataFrame:
    """Merge users' covariate files (config ``covariates``) whose keys the frame has.

    Each entry: ``{name, file, keys: [city_id|country_iso3, (year)], columns: [...]}``. A file
    whose keys are missing from the frame is skipped for that frame (a country-year covariate
    does not apply to a frame without years). Duplicate keys, missing columns and name clashes
    fail with the entry's name.
    """
    out = frame
    for i, cov in enumerate(covariates):
        where = f"covariates[{i}] ({cov['name']})"
        keys, cols = list(cov["keys"]), list(cov["columns"])
        if not set(keys) <= set(out.columns):
            continue
        path = base / cov["file"]
        if not path.is_file():
            raise PipelineError(f"{where}: file {path} not found")
        data = pd.read_csv(path)
        missing = [c for c in keys + cols if c not in data.columns]
        if missing:
            raise PipelineError(f"{where}: {path} lacks column(s) {missing}")
        data = data[keys + cols]
        dup = data.duplicated(keys)
        if dup.any():
            raise PipelineError(f"{where}: {dup.sum()} duplicate key rows in {path}, e.g. "
                                f"{data.loc[dup, keys].iloc[0].tolist()}")  # fmt: skip
        clash = sorted(set(cols) & set(out.columns))
        if clash:
            raise PipelineError(f"{where}: column(s) {clash} already exist in the frame")
        for c in cols:
            if not pd.api.types.is_numeric_dtype(data[c]):
                bad = data.loc[pd.to_numeric(data[c], errors="coerce").isna() & data[c].notna(), c]
                raise PipelineError(
                    f"{where}: column {c!r} has non-numeric value {plain(bad.iloc[0])!r}"
                )
        for k in keys:
            data[k] = data[k].astype(out[k].dtype)
        out = out.merge(data, on=keys, how="left", validate="many_to_one")
    return out


def used_covariates(spec: Any, covariates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The declared covariate files whose columns a hypothesis spec reads (so adding a
    covariate for one hypothesis reruns only that hypothesis)."""
    read = {col for m in spec.models for _, col in m.columns()}
    curve = spec.robustness.curve if spec.robustness else None
    if curve:  # curve options may name covariates too
        for options in curve.dimensions.values():
            for over in options.values():
                for key in ("regressors", "controls"):
                    read |= {c for t in over.get(key, []) for c in term_columns(t)}
    return [c for c in covariates if read & set(c["columns"])]


def build_frame(
    name: str,
    data_dir: Path,
    covariates: list[dict[str, Any]] | None = None,
    base: Path = Path("."),
    universe: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Build frame `name` from the published tables; `universe` is config `models.universe`."""
    fd = frame_def(name)
    missing = [k for k in fd.options if k not in (universe or {})]
    if missing:
        raise ConfigError(f"frame {name}: needs models.universe.{', '.join(missing)}")
    opts = {k: (universe or {})[k] for k in fd.options}
    frame = fd.build(read_tables(data_dir, fd.tables), **opts)
    dup = frame.duplicated(list(fd.keys))
    if dup.any():
        raise PipelineError(f"frame {name}: {int(dup.sum())} duplicate {list(fd.keys)} rows")
    return merge_covariates(frame, covariates or [], base)
