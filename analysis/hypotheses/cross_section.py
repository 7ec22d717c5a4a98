"""The city cross-section of 2020 (H2's frame, the base of H5's) and network-membership flags.

Shared by several hypotheses (H2 and H5 fit on the cross-section, H1 counts ties in its year,
H3 reads the flags), so editing one hypothesis's module does not rerun the others' fits.
Derived variables are made here, once, with their reasons, so specs stay declarative.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

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


def city_network_counts(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows per city (index) and network (columns): ``pd.crosstab``'s table, counted by
    groupby (crosstab's pure-Python ``len`` took 0.17 s a call, 14 calls per H5 fit)."""
    return rows.groupby(["city_id", "network"]).size().unstack(fill_value=0)


def held_networks(memberships: pd.DataFrame, year: int) -> pd.DataFrame:
    """0/1 ``held_<network>`` per city: the network counts in ``n_networks`` of `year`.

    Same rule as the panel's count (:func:`analysis.panel.assemble.network_entries`): a network
    counts from its earliest join year, else from its first snapshot year.
    """
    e = network_entries(memberships)
    e = e[e["entry_year"] <= year]
    flags = city_network_counts(e).clip(upper=1).astype(float)
    return flags.add_prefix("held_")


def network_flags(memberships: pd.DataFrame, networks: list[str]) -> pd.DataFrame:
    """0/1 columns ``member_<network>`` per city (any source, any year)."""
    m = memberships[memberships["network"].isin(networks)]
    flags = city_network_counts(m).clip(upper=1)
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
