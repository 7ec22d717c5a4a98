"""The US city table for H4 (official-constituent alignment): US cities >= 50,000 people.

Spine: simplemaps US cities (city -> county FIPS). Constituents: the county's Democratic
two-party share (2008-2020). Officials: the mayor's party at mid-2017 from the three
mayoral-election files and the Wikidata terms (precedence and conflicts: analysis.sources.common.mayor_party).
Outcomes: Climate Mayors / We Are Still In membership (ClimActor, Climate Mayors compendium),
NAE immigrant legal support, county 287(g) agreements and ICE-detainer non-compliance.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.core.audit import RowAudit
from analysis.panel.cityjoin import attach_cities, stacked
from analysis.sources.common.mayor_party import OUT_COLUMNS, mayor_party
from analysis.sources.common.us_party import MID_2017

ELECTION_YEARS = (2008, 2012, 2016, 2020)
CONTEXT_COLUMNS = {
    "foreignborn_pct": "county_foreignborn_pct",
    "hispanic_pct": "county_hispanic_pct",
    "white_pct": "county_white_pct",
    "median_hh_inc": "county_median_hh_inc",
    "rural_pct": "county_rural_pct",
}
OUTCOME_NETWORKS = ("climate_mayors", "we_are_still_in", "c40", "gcom", "iclei", "cdp")


def _one(tables: Mapping[str, Mapping[str, pd.DataFrame]], table: str) -> pd.DataFrame:
    return stacked(tables[table]).drop(columns="source")


def build_us_city(
    tables: Mapping[str, Mapping[str, pd.DataFrame]],
    joins: pd.DataFrame,
    memberships: pd.DataFrame,
    measures: pd.DataFrame,
    audit: RowAudit,
    min_population: int,
) -> pd.DataFrame:
    spine = _one(tables, "us_city_county")
    spine = spine[spine["population"] >= min_population]
    spine = attach_cities(spine, joins, audit, "us_city_spine")
    df = audit.start(spine.reset_index(drop=True), "us_city_dedupe")
    # Two simplemaps places resolving to one GeoNames city: keep the more populous.
    best = df.sort_values(["city_id", "population"], ascending=[True, False])
    df = audit.drop(best.drop_duplicates("city_id"), "second place resolved to the same city")
    audit.finish(df)
    out = df[["city_id", "city", "state", "county_fips", "county_name", "population"]].rename(
        columns={"city": "city_name", "population": "city_population"}
    )
    out["log_city_population"] = np.log(out["city_population"])

    votes = _one(tables, "us_county_election")
    share = votes[votes["year"].isin(ELECTION_YEARS)].pivot_table(
        index="county_fips", columns="year", values="dem_share_2party"
    )
    share.columns = [f"dem_share_{y}" for y in share.columns]
    out = out.join(share, on="county_fips")

    ctx = _one(tables, "us_county_context").set_index("county_fips")[list(CONTEXT_COLUMNS)]
    out = out.join(ctx.rename(columns=CONTEXT_COLUMNS), on="county_fips")

    chosen, conflicts = _mayors(tables, joins, audit)
    out = out.join(chosen[list(OUT_COLUMNS)], on="city_id")
    out["mayor_n_sources"] = out["mayor_n_sources"].fillna(0).astype("int64")
    out["mayor_party_stale"] = out["mayor_party_stale"].astype("boolean")
    out["dem_mayor_2017"] = (out["mayor_party"] == "D").astype("Int8")
    out.loc[out["mayor_party"].isna(), "dem_mayor_2017"] = pd.NA
    out["dem_county_2016"] = (out["dem_share_2016"] > 0.5).astype("Int8")
    out.loc[out["dem_share_2016"].isna(), "dem_county_2016"] = pd.NA
    cell = out["mayor_party"].map({"D": "Dem mayor", "R": "Rep mayor"})
    electorate = np.where(out["dem_share_2016"] > 0.5, "Dem electorate", "Rep electorate")
    out["alignment_cell"] = (cell + " x " + pd.Series(electorate, index=out.index)).where(
        cell.notna() & out["dem_share_2016"].notna()
    )

    # Each city's distinct networks, as pairs: a Python set per city cost ~1 s here.
    held = memberships[["city_id", "network"]].dropna(subset=["city_id"]).drop_duplicates()
    for net in OUTCOME_NETWORKS:
        members = held.loc[held["network"] == net, "city_id"]
        out[f"member_{net}"] = out["city_id"].isin(members).astype("int8")
    n_networks = held.groupby("city_id").size()
    out["n_networks"] = out["city_id"].map(n_networks).fillna(0).astype("int64")

    nae = measures[measures["measure"] == "nae_legal_support"].groupby("city_id")["value"].max()
    out["nae_legal_support"] = out["city_id"].map(nae)

    g = _one(tables, "us_287g").dropna(subset=["county_fips"])
    first = g.groupby("county_fips")["first_year"].min()
    out["county_287g"] = out["county_fips"].isin(g["county_fips"]).astype("int8")
    out["county_287g_first_year"] = out["county_fips"].map(first).astype("Int64")
    ice = _one(tables, "us_ice_detainers").dropna(subset=["county_fips"])
    ice = ice.groupby("county_fips")[["detainers", "custody_not_taken"]].sum()
    out["county_ice_detainers"] = out["county_fips"].map(ice["detainers"])
    rate = ice["custody_not_taken"] / ice["detainers"].where(ice["detainers"] > 0)
    out["county_detainer_noncompliance"] = out["county_fips"].map(rate)
    out["sanctuary_first_year"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    if "us_sanctuary_jurisdictions" in tables:
        first = sanctuary_first_year(_one(tables, "us_sanctuary_jurisdictions"), joins, audit)
        by_city = out["city_id"].map(first["city"])
        by_county = out["county_fips"].map(first["county"])
        both = pd.concat([by_city, by_county], axis=1).astype(float).min(axis=1)
        out["sanctuary_first_year"] = both.round().astype("Int64")
    out = out.sort_values("city_id", ignore_index=True)
    names = out.set_index("city_id")[["city_name", "state"]]
    conflicts = conflicts[conflicts["city_id"].isin(names.index)]
    conflicts = (
        names.reindex(conflicts["city_id"])
        .reset_index()
        .join(conflicts.drop(columns="city_id").reset_index(drop=True))
    )
    return out, conflicts


def sanctuary_first_year(
    sanctuary: pd.DataFrame, joins: pd.DataFrame, audit: RowAudit
) -> dict[str, pd.Series]:
    """Earliest dated sanctuary policy (stance ``sanctuary``) per city_id and per county FIPS.

    Dated sources only (CIS 2008-2015 and the Shift sheets); undated listings cannot enter a
    hazard. A city counts as covered when it or its county adopted (county jails hold the
    detainers a city's police would otherwise honour).
    """
    s = sanctuary[(sanctuary["stance"] == "sanctuary") & sanctuary["year"].notna()]
    cities = attach_cities(s[s["level"] == "city"], joins, audit, "us_sanctuary_cities")
    counties = s[(s["level"] == "county") & s["county_fips"].notna()]
    return {
        "city": cities.groupby("city_id")["year"].min(),
        "county": counties.groupby("county_fips")["year"].min(),
    }


def _wikidata_in_office(tables: Mapping[str, Mapping[str, pd.DataFrame]]) -> pd.DataFrame:
    """Wikidata's party on the date per mention, with the year the term in office began."""
    mid = _one(tables, "mayor_party_mid2017")
    terms = _one(tables, "us_mayor_terms")
    on = terms[(terms["start_date"] <= MID_2017) & (terms["end_date"] > MID_2017)]
    start = on.groupby("mention_id")["start_date"].max().dt.year
    return mid.assign(start_year=mid["mention_id"].map(start).astype("Int64"))


def _mayors(
    tables: Mapping[str, Mapping[str, pd.DataFrame]], joins: pd.DataFrame, audit: RowAudit
) -> tuple[pd.DataFrame, pd.DataFrame]:
    wiki = attach_cities(_wikidata_in_office(tables), joins, audit, "us_mayors")
    by_source = tables.get("mayor_elections", {})
    if by_source:
        elections = attach_cities(stacked(by_source), joins, audit, "mayor_elections")
    else:  # no election file parsed (e.g. a synthetic mirror without them)
        elections = pd.DataFrame(columns=["city_id", "source", "mention_id", "year",
                                          "winner", "winner_party", "dem_margin"])  # fmt: skip
    return mayor_party(elections, wiki)
