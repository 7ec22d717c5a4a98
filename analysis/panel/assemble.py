"""Assembly: per-source tidy tables + city matches -> the harmonized panels.

Inputs are the standard tables every parser writes (`results/interim/<source>/<table>.parquet`)
and the mention -> city join from the matching stage. Rows whose mention did not resolve to a
city are dropped here with a counted reason (RowAudit "assemble"), never silently.

Outputs (DESIGN §4): memberships, acts, centrality, country_year, city_year.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.audit import RowAudit
from analysis.core.errors import PipelineError
from analysis.panel.cityjoin import attach_cities, read_tables, stacked
from analysis.panel.us_panel import build_us_city
from analysis.sources.common.base import NETWORK_TYPES

# City measures that are counts: several mentions of one city (e.g. districts hosting
# embassies) add up. Every other measure is an index or a size, where the largest wins.
SUM_MEASURE_PREFIXES = (
    "fortune500_",
    "embassies_",
    "consulates_",
    "honorary_consulates_",
    "foreign_missions_",
)
# Population series in order of preference for `pop` / `log_pop`.
POP_MEASURES = ("wup_pop", "simplemaps_pop", "geonames_pop")


@dataclass(frozen=True)
class PanelSpec:
    first_year: int
    last_year: int
    min_population: int
    min_us_population: int  # US places at least this large form us_city (H4's universe)
    # Sources that only describe cities (gazetteers, population): they add attributes to the
    # panel's cities but do not put a city in the panel.
    attribute_sources: tuple[str, ...] = ()
    country_columns: tuple[str, ...] = ()
    city_measures: tuple[str, ...] = ()
    # The activity-independent universe: cities whose static measure `universe_measure`
    # (GHSL urban centres' 2020 population) is at least `universe_min_population` enter the
    # panel, flagged ``ghsl_universe``, whether or not any substantive source names them.
    universe_measure: str | None = None
    universe_min_population: int = 0

    @property
    def years(self) -> np.ndarray:
        return np.arange(self.first_year, self.last_year + 1)


NETWORK_ALIASES = Path(__file__).parents[1] / "data" / "network_aliases.csv"
# What kind of body each canonical network is (the essay's TMNs are the transnational ones):
# one committed, reviewed row per network with the reason for its scope.
NETWORK_SCOPES_FILE = Path(__file__).parents[1] / "data" / "networks.csv"
NETWORK_SCOPES = ("transnational", "national_programme", "reporting_platform")


def network_aliases() -> dict[str, str]:
    """Source-specific network keys -> the canonical key (one committed, reviewable table)."""
    table = pd.read_csv(NETWORK_ALIASES, dtype=str)
    return dict(zip(table["alias"], table["network"], strict=True))


def network_scopes(path: Path | None = None) -> dict[str, str]:
    """Canonical network -> scope (transnational, national_programme, reporting_platform)."""
    path = NETWORK_SCOPES_FILE if path is None else path
    table = pd.read_csv(path, dtype=str)
    bad = sorted(set(table["scope"]) - set(NETWORK_SCOPES))
    if bad:
        raise PipelineError(f"{path}: column 'scope' has {bad}; expected one of {NETWORK_SCOPES}")
    if table["network"].duplicated().any():
        dup = table["network"][table["network"].duplicated()].tolist()
        raise PipelineError(f"{path}: network listed twice: {dup}")
    return dict(zip(table["network"], table["scope"], strict=True))


def scope_of(networks: pd.Series, scopes: Mapping[str, str] | None = None) -> pd.Series:
    """The scope of each network; an unclassified network stops the pipeline (a new network
    needs a reviewed decision, not a default)."""
    scopes = network_scopes() if scopes is None else scopes
    out = networks.map(scopes)
    missing = sorted(set(networks[out.isna()]))
    if missing:
        raise PipelineError(
            f"{NETWORK_SCOPES_FILE.name}: no scope for network(s) {missing}; add a row "
            f"with one of {NETWORK_SCOPES} and the reason"
        )
    return out


def build_memberships(memberships: pd.DataFrame, joins, audit) -> pd.DataFrame:
    """One row per (city_id, network, source): earliest join year, first observation."""
    m = attach_cities(memberships, joins, audit, "memberships")
    m["network"] = m["network"].replace(network_aliases())
    out = (
        m.groupby(["city_id", "network", "source"], sort=True)
        .agg(
            network_type=("network_type", "first"),
            join_year=("join_year", "min"),
            first_observed_year=("observed_year", "min"),
            n_mentions=("mention_id", "nunique"),
        )
        .reset_index()
    )
    out["dated"] = out["join_year"].notna()
    out.insert(out.columns.get_loc("network_type") + 1, "network_scope", scope_of(out["network"]))
    return out


def build_acts(acts: pd.DataFrame, joins, audit) -> pd.DataFrame:
    a = attach_cities(acts, joins, audit, "acts")
    cols = ["city_id", "act", "act_class", "date", "year", "source", "mention_id"]
    out = a[cols].sort_values(cols, na_position="last", ignore_index=True)
    out.insert(0, "act_id", np.arange(1, len(out) + 1, dtype="int64"))  # stable: sorted rows
    return out


def _aggregate_measures(measures: pd.DataFrame) -> pd.DataFrame:
    """(city_id, measure, year) -> value: summed for count measures, max otherwise."""
    is_sum = measures["measure"].str.startswith(SUM_MEASURE_PREFIXES)
    keys = ["city_id", "measure", "year"]
    summed = measures[is_sum].groupby(keys, dropna=False)["value"].sum()
    maxed = measures[~is_sum].groupby(keys, dropna=False)["value"].max()
    return pd.concat([summed, maxed]).reset_index()


def build_centrality(measures: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """The chosen cross-sectional measures (one year each), wide by city."""
    years = measures.groupby("measure")["year"].nunique()
    static = years[years <= 1].index
    wide = (
        measures[measures["measure"].isin(static) & ~measures["measure"].isin(POP_MEASURES)]
        .pivot_table(index="city_id", columns="measure", values="value", aggfunc="max")
        .sort_index(axis=1)
    )
    columns = list(columns)
    missing = sorted(set(columns) - set(wide.columns))
    if missing:
        raise PipelineError(f"panel.city_measures not produced by any source: {missing}")
    wide.columns.name = None
    return wide[columns].reset_index()


def network_entries(memberships: pd.DataFrame) -> pd.DataFrame:
    """Per (city, network): the year it counts from (join year, else first observed)."""
    # network_scope where the table has it (the published memberships do)
    scope = {"network_scope": ("network_scope", "first")} if "network_scope" in memberships else {}
    per = memberships.groupby(["city_id", "network"], sort=True).agg(
        network_type=("network_type", "first"),
        **scope,
        join_year=("join_year", "min"),
        observed=("first_observed_year", "min"),
    )
    per["entry_year"] = per["join_year"].fillna(per["observed"])
    per["dated"] = per["join_year"].notna()
    return per.reset_index()


def _cumulative_counts(
    events: pd.DataFrame, index: pd.MultiIndex, years: np.ndarray, name: str
) -> pd.Series:
    """Count events with entry_year <= year, per city-year (events before the panel count
    from its first year)."""
    if events.empty:
        return pd.Series(0, index=index, name=name, dtype="int64")
    ev = events.assign(y=events["entry_year"].clip(lower=years[0]).astype("int64"))
    ev = ev[ev["y"] <= years[-1]]
    counts = ev.groupby(["city_id", "y"]).size()
    counts.index.names = ["city_id", "year"]
    full = counts.reindex(index, fill_value=0).groupby(level="city_id").cumsum()
    return full.rename(name).astype("int64")


def _interpolated(series: pd.DataFrame, index: pd.MultiIndex) -> pd.Series:
    """Linear interpolation of (city_id, year, value) inside each city's observed range.

    Vectorised over cities: each cell takes the previous and next observed (year, value) of
    its row and interpolates between them; cells outside the observed range stay missing.
    """
    wide = series.pivot_table(index="city_id", columns="year", values="value", aggfunc="max")
    years = np.array(sorted(set(wide.columns) | set(index.get_level_values("year"))))
    wide = wide.reindex(columns=years).astype(float)
    obs_year = wide.notna() * years  # observed cells carry their year
    obs_year = obs_year.where(wide.notna())
    prev_v, next_v = wide.ffill(axis=1).to_numpy(), wide.bfill(axis=1).to_numpy()
    prev_y, next_y = obs_year.ffill(axis=1).to_numpy(), obs_year.bfill(axis=1).to_numpy()
    span = next_y - prev_y
    weight = np.divide(years - prev_y, span, out=np.zeros_like(span), where=span > 0)
    filled = pd.DataFrame(prev_v + weight * (next_v - prev_v), index=wide.index, columns=years)
    long = filled.stack(future_stack=True)
    long.index.names = ["city_id", "year"]
    return long.reindex(index)


def universe_cities(centrality: pd.DataFrame, spec: PanelSpec) -> np.ndarray:
    """Sorted city ids of the activity-independent universe (empty without a measure).

    A city is in when its ``spec.universe_measure`` (a static city measure, so a column of
    `centrality`; several centres on one place: the largest) is at least
    ``spec.universe_min_population``.
    """
    if spec.universe_measure is None:
        return np.zeros(0, dtype="int64")
    if spec.universe_measure not in centrality.columns:
        raise PipelineError(
            f"panel.universe_measure {spec.universe_measure!r} is not in panel.city_measures "
            "(the universe is read from the static city measures)"
        )
    size = centrality[spec.universe_measure]
    keep = size.notna() & size.ge(spec.universe_min_population)
    return np.sort(centrality.loc[keep, "city_id"].to_numpy(dtype="int64"))


def build_city_year(
    cities: pd.DataFrame,
    memberships: pd.DataFrame,
    acts: pd.DataFrame,
    agg: pd.DataFrame,
    mentioned: set[int],
    centrality: pd.DataFrame,
    country_year: pd.DataFrame,
    capitals: pd.Series,
    degree: pd.Series,
    spec: PanelSpec,
) -> pd.DataFrame:
    """The city-year panel: universe = every city a substantive source names (matched), plus
    every city of at least `spec.min_population`, plus the activity-independent universe
    (:func:`universe_cities`, flagged ``ghsl_universe``).

    `cities` is the gazetteer's place table (indexed by geonameid); `agg` the aggregated
    city measures (`_aggregate_measures`); `mentioned` the cities whose measures come from a
    substantive (not attribute-only) source; `centrality` the wide static measures.
    """
    used = set(memberships["city_id"]) | set(acts["city_id"]) | set(mentioned)
    used |= set(degree.index)
    big = set(cities.index[cities["population"] >= spec.min_population])
    in_universe = universe_cities(centrality, spec)
    ids = np.array(sorted(used | big | set(in_universe)), dtype="int64")
    index = pd.MultiIndex.from_product([ids, spec.years], names=["city_id", "year"])
    attrs = cities.loc[ids, ["name", "iso3", "admin1_code", "lat", "lon", "population"]]
    attrs = attrs.rename(
        columns={"name": "city_name", "iso3": "country_iso3", "population": "geonames_pop"}
    )
    panel = pd.DataFrame(index=index).join(attrs, on="city_id")

    entries = network_entries(memberships)
    panel["n_networks"] = _cumulative_counts(entries, index, spec.years, "n_networks")
    panel["n_networks_dated"] = _cumulative_counts(
        entries[entries["dated"]], index, spec.years, "n_networks_dated"
    )
    for t in NETWORK_TYPES:
        panel[f"n_networks_{t}"] = _cumulative_counts(
            entries[entries["network_type"] == t], index, spec.years, t
        )
    for sc in NETWORK_SCOPES:
        panel[f"n_networks_{sc}"] = _cumulative_counts(
            entries[entries["network_scope"] == sc], index, spec.years, sc
        )

    dated = acts[acts["year"].notna()].astype({"year": "int64"})
    for cls in ("normative", "economic"):
        counts = dated[dated["act_class"] == cls].groupby(["city_id", "year"]).size()
        panel[f"acts_{cls}"] = counts.reindex(index, fill_value=0).astype("int64").to_numpy()
    city_ids = panel.index.get_level_values("city_id")
    undated = acts[acts["year"].isna()].groupby("city_id").size()
    panel["acts_undated"] = city_ids.map(undated).fillna(0).astype("int64")

    panel = panel.join(centrality.set_index("city_id"), on="city_id")
    for m in POP_MEASURES:
        sub = agg[(agg["measure"] == m) & agg["year"].notna()]
        if m == "geonames_pop" or sub.empty:
            continue
        panel[m] = _interpolated(sub[["city_id", "year", "value"]], index).to_numpy()
    pop = panel["geonames_pop"].where(panel["geonames_pop"] > 0).astype(float)
    source = pd.Series(np.where(pop.notna(), "geonames", ""), index=panel.index)
    for m in reversed([m for m in POP_MEASURES if m in panel.columns and m != "geonames_pop"]):
        has = panel[m].notna() & (panel[m] > 0)
        pop = pop.where(~has, panel[m])
        source = source.where(~has, m.removesuffix("_pop"))
    panel["pop"] = pop
    panel["pop_source"] = source.replace("", pd.NA)
    panel["log_pop"] = np.log(panel["pop"])
    panel["capital"] = city_ids.isin(capitals).astype("int8")
    panel["sister_city_degree"] = city_ids.map(degree).fillna(0).astype("int64")
    panel["ghsl_universe"] = city_ids.isin(in_universe).astype("int8")

    missing = sorted(set(spec.country_columns) - set(country_year.columns))
    if missing:
        raise PipelineError(f"panel.country_columns not in country_year: {missing}")
    cy = country_year.set_index(["country_iso3", "year"])[list(spec.country_columns)]
    panel = panel.reset_index().join(cy, on=["country_iso3", "year"])
    return panel.sort_values(["city_id", "year"], ignore_index=True)


def build_country_year(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Outer-join every source's country_year table on (country_iso3, year)."""
    frames = []
    seen: dict[str, str] = {}
    for source, df in sorted(tables.items()):
        df = df.drop(columns=["source"], errors="ignore").set_index(["country_iso3", "year"])
        for c in df.columns:
            if c in seen:
                raise PipelineError(f"country_year column {c!r} comes from {seen[c]} and {source}")
            seen[c] = source
        frames.append(df)
    if not frames:
        raise PipelineError("no country_year tables to assemble")
    out = pd.concat(frames, axis=1, join="outer").sort_index()
    return out.reset_index()


def build_dyads(dyads: pd.DataFrame, joins: pd.DataFrame, audit: RowAudit) -> pd.DataFrame:
    """Ties between two matched cities (both ends resolved), undirected and deduplicated."""
    a = attach_cities(dyads, joins, audit, "dyads_end_a", col="mention_id_a")
    a = a.rename(columns={"city_id": "city_a"})
    b = attach_cities(a, joins, audit, "dyads_end_b", col="mention_id_b")
    b = b.rename(columns={"city_id": "city_b"})
    lo = np.minimum(b["city_a"], b["city_b"])
    hi = np.maximum(b["city_a"], b["city_b"])
    out = b.assign(city_a=lo, city_b=hi)
    df = audit.start(out.reset_index(drop=True), "dyads_dedupe")
    df = audit.drop(df["city_a"] == df["city_b"], "both ends are the same city")
    df = audit.drop(df.duplicated(["city_a", "city_b", "tie_type"]), "duplicate tie")
    audit.finish(df)
    cols = ["city_a", "city_b", "tie_type", "year", "source"]
    return df[cols].sort_values(cols, na_position="last", ignore_index=True)


def dyad_degree(dyads: pd.DataFrame) -> pd.Series:
    """Distinct partner cities per city over all tie types (sister cities, twinning)."""
    pairs = pd.concat(
        [
            dyads[["city_a", "city_b"]],
            dyads[["city_b", "city_a"]].set_axis(["city_a", "city_b"], axis=1),
        ]
    ).drop_duplicates()
    return pairs.groupby("city_a").size().rename("sister_city_degree")


#: An audit table run_assembly returns beside the data tables (written to results/audit/).
MAYOR_CONFLICTS = "mayor_party_conflicts"

OUTPUT_TABLES = (
    "memberships",
    "acts",
    "dyads",
    "city_measures",
    "centrality",
    "country_year",
    "city_year",
    "us_city",
)


def run_assembly(
    table_paths: Iterable[Path],
    joins: pd.DataFrame,
    cities: pd.DataFrame,
    spec: PanelSpec,
) -> tuple[dict[str, pd.DataFrame], RowAudit]:
    """Everything assembly makes, from the interim tables and the city matches."""
    tables = read_tables(table_paths)
    missing = {"memberships", "acts", "dyads", "city_measures", "country_year"} - set(tables)
    if missing:
        raise PipelineError(f"assembly needs tables no source produced: {sorted(missing)}")
    audit = RowAudit("assemble")
    memberships = build_memberships(stacked(tables["memberships"]), joins, audit)
    acts = build_acts(stacked(tables["acts"]), joins, audit)
    dyads = build_dyads(stacked(tables["dyads"]), joins, audit)
    measures = attach_cities(stacked(tables["city_measures"]), joins, audit, "measures")
    capitals = pd.Series(dtype="int64")
    if "capitals" in tables:
        caps = stacked(tables["capitals"])
        capitals = attach_cities(caps[caps["capital"] == "primary"], joins, audit, "capitals")
        capitals = capitals["city_id"]
    country_year = build_country_year(tables["country_year"])
    agg = _aggregate_measures(measures)
    centrality = build_centrality(agg, spec.city_measures)
    city_year = build_city_year(
        cities,
        memberships,
        acts,
        agg,
        set(measures.loc[~measures["source"].isin(spec.attribute_sources), "city_id"]),
        centrality,
        country_year,
        capitals,
        dyad_degree(dyads),
        spec,
    )
    out = {
        "memberships": memberships,
        "acts": acts,
        "dyads": dyads,
        "city_measures": agg.sort_values(["city_id", "measure", "year"], ignore_index=True),
        "centrality": centrality,
        "country_year": country_year,
        "city_year": city_year,
    }
    if "us_city_county" in tables:  # the US sources are present
        out["us_city"], out[MAYOR_CONFLICTS] = build_us_city(
            tables, joins, memberships, agg, audit, spec.min_us_population
        )
    return out, audit
