"""H1 panels: the city-year panel of coded acts, country-year rates, tie composition and the
act sources' coverage.

Pure functions on the harmonized tables in ``results/data`` and the acts coded by
:func:`analysis.hypotheses.h1_acts.defiance_acts`:

- :func:`defiance_panel` turns the coded acts into a city-year panel (counts, opportunity
  flags, covariates);
- :func:`tie_composition` is the cross-section for the composition test: the normative share of
  a city's international ties;
- :func:`source_coverage`, :func:`coverage_flags`, :func:`universe_columns` and
  :func:`country_year_rates` are the design checks of issue 14 (where each act source could
  have recorded an act; the GHSL urban-centre universe).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.errors import PipelineError
from analysis.hypotheses.h1_acts import (
    ACTIVITY_COLUMNS,
    AUTOCRACY_REGIMES,
    CHINA_MAINLAND,
    CLIMATE,
    CLIMATE_FIRST_YEAR,
    COMPOSITION_YEAR,
    COVARIATES,
    FEDERAL_COUNTRIES,
    FLAG_COLUMNS,
    NATIONAL_PROGRAMMES,
    NORMATIVE_NETWORK_TYPES,
    NORMS,
    PANEL_FIRST_YEAR,
    PANEL_LAST_YEAR,
    PARIS_DATED_WINDOWS,
    PEACE,
    REGISTRIES,
    _city_countries,
    _int8,
    _kleene_or,
    _paris_years,
    _require,
    classify_acts,
    national_table,
)

# --------------------------------------------------------------------------- panel


def could_act(city_year: pd.DataFrame, min_population: int) -> pd.Series:
    """Boolean per city_id: the city acted at least once, or has >= `min_population` people.

    "Acted" = any of :data:`ACTIVITY_COLUMNS` is positive in any year (a membership of any
    network, a dated or undated act, a sister-city or twinning partner). city_year is wider
    than this universe: it also holds cities that only the centrality sources (GaWC,
    OpenFlights, embassies, Fortune) mention: 1,106 of 28,193 cities in the current
    results/data tables, all under 300,000 people. Population is GeoNames' ``geonames_pop``
    (time-invariant).
    """
    _require(city_year, ["city_id", "geonames_pop", *ACTIVITY_COLUMNS], "city_year")
    per_city = city_year.groupby("city_id")[[*ACTIVITY_COLUMNS, "geonames_pop"]].max()
    active = (per_city[list(ACTIVITY_COLUMNS)].fillna(0) > 0).any(axis=1)
    return active | per_city["geonames_pop"].fillna(0).ge(min_population)


def _with_covariates(frame: pd.DataFrame, city_year: pd.DataFrame) -> pd.DataFrame:
    """Add log GDP per capita, latest RAI/LAI, federal and China flags to `frame`.

    RAI (to 2010) and LAI (to 2014) end before the panel years; they enter as each country's
    latest measurement up to the row's year (``rai_year``/``lai_year`` say which), i.e. as
    slow-moving institutional moderators. The regime alternatives are *not* filled: Polity5
    ``polity2`` ends in 2018 and BMR in 2020, so models on them have shorter samples.
    """
    out = frame.copy()
    gdp = pd.to_numeric(out["gdp_pc_usd"], errors="coerce").astype("float64")
    out["log_gdp_pc"] = np.log(gdp.where(gdp > 0))
    for col in ("rai", "lai"):
        nat = national_table(city_year, [col], nuclear_carry_forward=0).reset_index()
        nat[f"{col}_year"] = nat["year"].where(nat[col].notna())
        nat[[col, f"{col}_year"]] = nat.groupby("country_iso3")[[col, f"{col}_year"]].ffill()
        out = out.drop(columns=[col], errors="ignore").merge(
            nat, on=["country_iso3", "year"], how="left", validate="many_to_one"
        )
        out[f"{col}_year"] = out[f"{col}_year"].astype("Int64")
    out["federal"] = _int8(out["country_iso3"].isin(FEDERAL_COUNTRIES).astype("int8"))
    out["china_mainland"] = _int8(out["country_iso3"].eq(CHINA_MAINLAND).astype("int8"))
    return out


COVARIATE_OUTPUT = (
    "log_pop",
    "capital",
    "log_gdp_pc",
    "v2x_polyarchy",
    "v2x_regime",
    "polity2",
    "fh_total",
    "lied",
    "bmr_democracy",
    "rai",
    "rai_year",
    "lai",
    "lai_year",
    "federal",
    "china_mainland",
)


def defiance_panel(
    city_year: pd.DataFrame,
    defiance: pd.DataFrame,
    first_year: int = PANEL_FIRST_YEAR,
    last_year: int = PANEL_LAST_YEAR,
    *,
    climate_first_year: int = CLIMATE_FIRST_YEAR,
    min_population: int,
) -> pd.DataFrame:
    """City-year panel of H1: defiance counts, opportunity flags and covariates.

    Rows: every (city_id, year) of `city_year` with first_year <= year <= last_year whose city
    :func:`could_act` (acted at least once, or >= `min_population`). `defiance` is the
    ``acts`` table of :func:`defiance_acts`.

    - ``defiance_acts``: dated acts of the city coded defiance in that year, first commitments
      only; ``defiance_climate``/``defiance_peace`` split it; ``any_defiance`` = count > 0.
      ``defiance_undated``: the city's undated defiance acts (GPM democracy declarations, coded
      at :data:`DEMOCRACY_REFERENCE_YEAR`), repeated on every row because they have no year.
    - ``opportunity_climate``: ``paris_outside`` (plus any year overlapping a dated window of
      :data:`PARIS_DATED_WINDOWS`, so the US has 2017-2021), missing in years the Paris flag is
      not codable (before `climate_first_year`, or no data).
      ``opportunity_peace``: nuclear-weapon state or NATO member (nuclear status carried
      forward, see :func:`national_table`). ``opportunity``: the nation violated the climate or
      the peace norm that year - 1 if either flag is 1, 0 if every flag codable that year is
      0, missing otherwise (a norm not codable that year contributes nothing).
      ``opportunity_democracy``: V-Dem autocracy (``v2x_regime`` 0/1) that year; reported but
      *not* part of ``opportunity``: the democracy act is undated, and making autocracy the
      opportunity would let the H1 regressor (democracy) define the sample.
    - Covariates: ``country_iso3``, ``log_pop``, ``capital``, ``log_gdp_pc`` =
      log(``gdp_pc_usd``), ``v2x_polyarchy``, ``v2x_regime``, ``polity2``, ``fh_total``,
      ``lied``, ``bmr_democracy``, ``rai``/``lai`` (latest measurement, with its year),
      ``federal`` (:data:`FEDERAL_COUNTRIES`), ``china_mainland`` (ISO3 CHN).

    Counts of what was left out are in ``panel.attrs``: cities outside the universe, defiance
    acts outside the window or in cities not in the panel.
    """
    need = ["city_id", "year", "country_iso3", "gdp_pc_usd", "rai", "lai", *COVARIATES]
    _require(city_year, [*need, *FLAG_COLUMNS], "city_year")
    _require(defiance, ["city_id", "year", "norm", "defiance", "first_commitment"], "defiance")
    if first_year > last_year:
        raise PipelineError(f"defiance_panel: first_year {first_year} > last_year {last_year}")

    universe = could_act(city_year, min_population)
    if "ghsl_universe" in city_year.columns:
        in_ghsl = city_year.groupby("city_id")["ghsl_universe"].max().reindex(universe.index)
        universe = universe | in_ghsl.fillna(0).gt(0)
    keep_cities = universe.index[universe]
    rows = city_year.loc[
        city_year["city_id"].isin(keep_cities) & city_year["year"].between(first_year, last_year),
        need,
    ]
    if rows.duplicated(["city_id", "year"]).any():
        raise PipelineError("city_year: duplicate (city_id, year) rows")
    panel = rows.sort_values(["city_id", "year"]).reset_index(drop=True)
    panel["year"] = panel["year"].astype("int64")

    # National flags (with nuclear carry-forward) at the country-year level.
    national = national_table(city_year)
    nat = national.reset_index()
    panel = panel.drop(columns=["v2x_regime"]).merge(
        nat, on=["country_iso3", "year"], how="left", validate="many_to_one"
    )
    paris_codable = panel["year"].isin(_paris_years(national, climate_first_year))
    opp_climate = panel["paris_outside"].astype("Int8")
    for iso, (start, end) in PARIS_DATED_WINDOWS.items():
        overlap = panel["country_iso3"].eq(iso) & panel["year"].between(start.year, end.year)
        opp_climate[overlap] = 1
    opp_climate = opp_climate.where(paris_codable)
    opp_peace = _kleene_or(panel["nuclear_weapons_state"], panel["nato_member"])
    regime = panel["v2x_regime"]
    opp_dem = regime.isin(AUTOCRACY_REGIMES).astype("Int8").where(regime.notna())
    # Not codable climate years contribute 0 to the any-norm flag; missing data stays missing.
    opportunity = _kleene_or(opp_climate.where(paris_codable, 0), opp_peace)

    counted = defiance[defiance["defiance"].eq(1).fillna(False) & defiance["first_commitment"]]
    dated = counted[counted["year"].notna()]
    in_window = dated[dated["year"].between(first_year, last_year)]
    by_norm = (
        in_window.assign(year=in_window["year"].astype("int64"))
        .groupby(["city_id", "year", "norm"])
        .size()
        .unstack("norm")
        .reindex(columns=list(NORMS), fill_value=0)
    )
    key = pd.MultiIndex.from_frame(panel[["city_id", "year"]])
    per_row = by_norm.reindex(key).fillna(0).astype("int64")
    undated = counted[counted["year"].isna()].groupby("city_id").size()

    panel["defiance_acts"] = per_row.sum(axis=1).to_numpy()
    panel["defiance_climate"] = per_row[CLIMATE].to_numpy()
    panel["defiance_peace"] = per_row[PEACE].to_numpy()
    panel["defiance_undated"] = panel["city_id"].map(undated).fillna(0).astype("int64")
    panel["any_defiance"] = _int8(panel["defiance_acts"].gt(0).astype("int8"))
    panel["any_defiance_climate"] = _int8(panel["defiance_climate"].gt(0).astype("int8"))
    panel["any_defiance_peace"] = _int8(panel["defiance_peace"].gt(0).astype("int8"))
    panel["opportunity"] = opportunity
    panel["opportunity_climate"] = opp_climate.astype("Int8")
    panel["opportunity_peace"] = opp_peace
    panel["opportunity_democracy"] = opp_dem
    panel = _with_covariates(panel, city_year)

    placed = in_window.merge(panel[["city_id", "year"]], on=["city_id", "year"], how="inner").shape[
        0
    ]
    panel.attrs = {
        "cities_in_city_year": int(universe.size),
        "cities_dropped_cannot_act": int((~universe).sum()),
        "defiance_acts_counted": len(counted),
        "defiance_acts_undated": int(counted["year"].isna().sum()),
        "defiance_acts_outside_years": len(dated) - len(in_window),
        "defiance_acts_not_in_panel": len(in_window) - placed,
    }
    cols = [
        "city_id",
        "year",
        "country_iso3",
        "defiance_acts",
        "defiance_climate",
        "defiance_peace",
        "defiance_undated",
        "any_defiance",
        "any_defiance_climate",
        "any_defiance_peace",
        "opportunity",
        "opportunity_climate",
        "opportunity_peace",
        "opportunity_democracy",
        *COVARIATE_OUTPUT,
    ]
    return panel[cols]


# --------------------------------------------------------------------------- composition


def _held_by(memberships: pd.DataFrame, year: int) -> pd.DataFrame:
    """(city_id, network, network_type) held by `year`, by the assembly's rule for city_year.

    A (city, network) counts from its earliest join year when any source dates it, else from
    its first observation (``analysis.panel.assemble._entries``), so the counts reconcile with
    city_year's ``n_networks_*`` columns (checked by the tests on the real tables).
    """
    per = memberships.groupby(["city_id", "network"], sort=True).agg(
        network_type=("network_type", "first"),
        join_year=("join_year", "min"),
        observed=("first_observed_year", "min"),
    )
    entry = per["join_year"].fillna(per["observed"])
    return per.loc[entry.le(year).fillna(False).astype(bool), ["network_type"]].reset_index()


def tie_composition(
    city_year: pd.DataFrame,
    memberships: pd.DataFrame,
    dyads: pd.DataFrame,
    year: int = COMPOSITION_YEAR,
    *,
    count_registries: bool = False,
) -> pd.DataFrame:
    """Normative versus economic composition of each city's international ties at `year`.

    One row per city of ``city_year`` in `year` with at least one normative or economic tie:

    - ``normative_ties``: distinct networks of type climate, peace or democracy held by `year`
      (earliest join year <= year when dated, else first observed <= year), excluding
      ClimActor's *national* programmes (Climate Mayors, We Are Still In, Japan Zero Carbon
      City, ...: not international; ``national_programmes``) and reporting *registries*
      (CDP, NAZCA, carbonn, Compact of States and Regions: a listing, not a tie to other
      cities; ``registries``, counted as normative when `count_registries`).
    - ``economic_ties``: distinct sister-city/twinning partners in another country (``dyads``,
      both directions; dyads are undated, so the whole observed stock) plus distinct economic
      networks held by `year`. Partners in the same country are not international
      (``domestic_partners``).
    - ``general_ties``: general networks (Eurocities, URBACT, UBC, ...), in neither class.
    - ``total_ties`` = normative + economic; ``normative_share`` = normative / total, in [0, 1].
    - Covariates at `year` as in :func:`defiance_panel`, plus ``federal`` and
      ``china_mainland``.

    ``attrs`` counts cities with only general/domestic ties, tie holders without a city_year
    row in `year`, and partners whose country is unknown (left out of ``economic_ties``).
    """
    mem_cols = ["city_id", "network", "network_type", "join_year", "first_observed_year"]
    _require(memberships, mem_cols, "memberships")
    _require(dyads, ["city_a", "city_b"], "dyads")
    need = ["city_id", "year", "country_iso3", "gdp_pc_usd", "rai", "lai", *COVARIATES]
    _require(city_year, need, "city_year")

    countries = _city_countries(city_year)
    held = _held_by(memberships, year)
    cls = pd.Series("other", index=held.index, dtype="str")
    cls[held["network_type"].isin(NORMATIVE_NETWORK_TYPES)] = "normative"
    cls[held["network_type"].eq("economic")] = "economic_networks"
    cls[held["network_type"].eq("general")] = "general_ties"
    cls[held["network"].isin(NATIONAL_PROGRAMMES)] = "national_programmes"
    cls[held["network"].isin(REGISTRIES)] = "registries"
    unknown_types = held.loc[cls.eq("other"), "network_type"].unique().tolist()
    if unknown_types:
        raise PipelineError(f"memberships: unknown network_type(s) {unknown_types}")
    net_counts = held.assign(cls=cls).groupby(["city_id", "cls"]).size().unstack("cls")

    both = pd.concat(
        [
            dyads[["city_a", "city_b"]].set_axis(["city_id", "partner"], axis=1),
            dyads[["city_b", "city_a"]].set_axis(["city_id", "partner"], axis=1),
        ],
        ignore_index=True,
    )
    both = both[both["city_id"] != both["partner"]].drop_duplicates()
    own = both["city_id"].map(countries)
    other = both["partner"].map(countries)
    known = own.notna() & other.notna()
    partner_cls = np.select(
        [~known, own == other],
        ["partners_unknown", "domestic_partners"],
        default="international_partners",
    )
    partner_counts = both.assign(cls=partner_cls).groupby(["city_id", "cls"]).size().unstack("cls")

    counts = net_counts.join(partner_counts, how="outer")
    for col in (
        "normative",
        "economic_networks",
        "general_ties",
        "national_programmes",
        "registries",
        "domestic_partners",
        "international_partners",
        "partners_unknown",
    ):
        if col not in counts.columns:
            counts[col] = 0
    counts = counts.fillna(0).astype("int64")
    counts["normative_ties"] = counts["normative"] + (
        counts["registries"] if count_registries else 0
    )
    counts["economic_ties"] = counts["international_partners"] + counts["economic_networks"]
    counts["total_ties"] = counts["normative_ties"] + counts["economic_ties"]

    rows = city_year.loc[city_year["year"].eq(year), need]
    if rows["city_id"].duplicated().any():
        raise PipelineError(f"city_year: duplicate city_id rows in {year}")
    with_ties = counts[counts["total_ties"] > 0]
    out = rows.merge(with_ties.reset_index(), on="city_id", how="inner", validate="one_to_one")
    out["normative_share"] = out["normative_ties"] / out["total_ties"]
    out = _with_covariates(out, city_year)
    out.attrs = {
        "cities_only_general_or_domestic": int((counts["total_ties"] == 0).sum()),
        "tie_holders_without_city_year_row": int((~with_ties.index.isin(rows["city_id"])).sum()),
        "partner_links_unknown_country": int(counts["partners_unknown"].sum()),
    }
    cols = [
        "city_id",
        "year",
        "country_iso3",
        "normative_ties",
        "economic_ties",
        "total_ties",
        "normative_share",
        "international_partners",
        "economic_networks",
        "general_ties",
        "national_programmes",
        "registries",
        "domestic_partners",
        *COVARIATE_OUTPUT,
    ]
    return out[cols].sort_values("city_id").reset_index(drop=True)


# --------------------------------------------------------------------------- design (issue 14)

#: Region label of :func:`analysis.resolve.countries.region_of` for European countries.
EUROPE = "Europe"
#: What each act source could record, as its documentation states it (SOURCES.yaml); the
#: coverage table pairs this with the countries and years the data show it recording.
SOURCE_SCOPE: dict[str, str] = {
    "gcom_mycovenant": "Covenant of Mayors Europe / MyCovenant signatory list: EU, its "
    "neighbourhood (CoM East, CoM South) and a few others",
    "etmun": "ETMUN: European transnational municipal networks (memberships of European "
    "networks; Peace Messenger Cities as listed there)",
    "cedamia": "CEDAMIA: climate-emergency declarations compiled from English-language "
    "reports (Anglophone countries, Japan, Korea, parts of Europe)",
    "gpm_democracy": "GPM Global Declaration of Mayors for Democracy (undated signatures)",
}


def source_coverage(acts: pd.DataFrame, city_year: pd.DataFrame) -> pd.DataFrame:
    """Which countries and years each act source could have recorded a defiance act in.

    Rule (documented in the README's H1 section): source *s* covers country *c* in year *y*
    for norm *n* when (1) *s* records at least one act of any type (candidate or not,
    defiance or not) in a city of *c* in any year: a source that never records anything in a
    country cannot show defiance there; and (2) *y* lies in the span of *s*'s dated acts of
    norm *n* (first to last year it records such an act anywhere). Only dated candidate act
    sources enter (the undated democracy declaration has no years).

    One row per (norm, source, country_iso3): ``first_year``, ``last_year``, ``n_acts`` (acts
    of the source in that country, all types), ``n_norm_acts`` (its acts of norm *n* there)
    and ``scope`` (:data:`SOURCE_SCOPE`).
    """
    _require(acts, ["city_id", "act", "year", "source"], "acts")
    countries = _city_countries(city_year)
    a = acts.assign(country_iso3=acts["city_id"].map(countries))
    a = a[a["country_iso3"].notna()]
    norm = classify_acts(a["act"])
    norm.index = a.index
    a = a.assign(norm=norm)
    rows = []
    for n in (CLIMATE, PEACE):
        of_norm = a[a["norm"].eq(n) & a["year"].notna()]
        for src, g in of_norm.groupby("source", sort=True):
            y0, y1 = int(g["year"].min()), int(g["year"].max())
            all_src = a[a["source"].eq(src)]
            per = all_src.groupby("country_iso3").size().rename("n_acts").to_frame()
            per["n_norm_acts"] = g.groupby("country_iso3").size()
            per = per.fillna(0).astype("int64").reset_index()
            per.insert(0, "source", src)
            per.insert(0, "norm", n)
            per["first_year"], per["last_year"] = y0, y1
            per["scope"] = SOURCE_SCOPE.get(str(src), "")
            rows.append(per)
    cols = ["norm", "source", "country_iso3", "first_year", "last_year", "n_acts",
            "n_norm_acts", "scope"]  # fmt: skip
    if not rows:
        return pd.DataFrame(columns=cols)
    out = pd.concat(rows, ignore_index=True)[cols]
    return out.sort_values(["norm", "source", "country_iso3"], ignore_index=True)


def coverage_flags(frame: pd.DataFrame, coverage: pd.DataFrame) -> pd.DataFrame:
    """``covered_climate`` / ``covered_peace`` (Int8) per row of `frame` (country_iso3, year):
    1 when at least one source of that norm covers the country in that year
    (:func:`source_coverage`), else 0. One join of the rows with the coverage spans per norm
    (a loop over the spans took ~0.7 s per H1 frame); tests/test_h1_design.py holds the
    loop as the reference."""
    _require(frame, ["country_iso3", "year"], "frame")
    out = frame.copy()
    rows = pd.DataFrame({"country_iso3": out["country_iso3"].to_numpy(),
                         "year": out["year"].to_numpy(), "row": np.arange(len(out))})  # fmt: skip
    for n in (CLIMATE, PEACE):
        spans = coverage.loc[coverage["norm"].eq(n), ["country_iso3", "first_year", "last_year"]]
        spans = spans[spans["country_iso3"].notna()]  # a missing key matches no row
        m = rows[rows["country_iso3"].notna()].merge(spans, on="country_iso3")
        hit = m["year"].between(m["first_year"], m["last_year"]).to_numpy(bool, na_value=False)
        flag = np.zeros(len(out), dtype="int8")
        flag[m["row"].to_numpy()[hit]] = 1
        out[f"covered_{n}"] = pd.array(flag, dtype="Int8")
    return out


def universe_columns(panel: pd.DataFrame, city_year: pd.DataFrame) -> pd.DataFrame:
    """Add ``ghsl_universe`` (Int8), ``ghsl_pop_2020``, ``log_ghsl_pop`` (log of GHSL's 2020
    population, missing outside the GHSL centres) and ``europe`` (Int8, the country is in
    Europe by :func:`analysis.resolve.countries.region_of`) to `panel` (keyed by city_id)."""
    from analysis.resolve.countries import region_of

    _require(city_year, ["city_id", "ghsl_universe", "ghsl_pop_2020"], "city_year")
    per = city_year.groupby("city_id")[["ghsl_universe", "ghsl_pop_2020"]].max()
    out = panel.drop(columns=["ghsl_universe", "ghsl_pop_2020"], errors="ignore").merge(
        per, left_on="city_id", right_index=True, how="left", validate="many_to_one"
    )
    out["ghsl_universe"] = out["ghsl_universe"].fillna(0).astype("Int8")
    pop = out["ghsl_pop_2020"].astype("float64")
    out["log_ghsl_pop"] = np.log(pop.where(pop > 0))
    out["europe"] = region_of(out["country_iso3"]).eq(EUROPE).astype("int8").astype("Int8")
    return out


def country_shares(frame: pd.DataFrame, outcome: str, mask: pd.Series) -> pd.DataFrame:
    """Country list of an estimation sample and each country's share of its acts.

    One row per country in ``frame[mask]``: ``cities``, ``rows``, ``acts`` (sum of
    `outcome`), ``share_acts`` (of the sample's acts; 0 when there are none), mean
    ``v2x_polyarchy``; sorted by acts, then country.
    """
    s = frame.loc[mask.fillna(False).astype(bool)]
    g = s.groupby("country_iso3", sort=True)
    out = pd.DataFrame(
        {
            "cities": g["city_id"].nunique(),
            "rows": g.size(),
            "acts": g[outcome].sum().astype("int64"),
            "v2x_polyarchy": g["v2x_polyarchy"].mean(),
        }
    )
    total = out["acts"].sum()
    out["share_acts"] = out["acts"] / total if total > 0 else 0.0
    out = out.reset_index().sort_values(["acts", "country_iso3"], ascending=[False, True])
    return out.reset_index(drop=True)


def country_year_rates(panel: pd.DataFrame) -> pd.DataFrame:
    """Country-year frame of H1 on the universe: acts per 1,000 universe cities.

    One row per (country_iso3, year) with universe cities (``ghsl_universe`` == 1):
    ``universe_cities``, ``climate_acts`` / ``peace_acts`` (defiance acts of universe cities),
    ``climate_per_1000`` / ``peace_per_1000`` (acts per 1,000 universe cities), the
    opportunity and coverage flags (national, so constant within a country-year; max taken),
    ``v2x_polyarchy``, ``log_gdp_pc`` and ``log_universe_cities``.
    """
    need = ["ghsl_universe", "country_iso3", "year", "defiance_climate", "defiance_peace",
            "opportunity_climate", "opportunity_peace", "covered_climate", "covered_peace",
            "v2x_polyarchy", "log_gdp_pc", "city_id"]  # fmt: skip
    _require(panel, need, "h1 panel")
    u = panel[panel["ghsl_universe"].eq(1).fillna(False)]
    g = u.groupby(["country_iso3", "year"], sort=True)
    out = pd.DataFrame(
        {
            "universe_cities": g["city_id"].nunique(),
            "climate_acts": g["defiance_climate"].sum().astype("int64"),
            "peace_acts": g["defiance_peace"].sum().astype("int64"),
        }
    )
    for col in ("opportunity_climate", "opportunity_peace", "covered_climate", "covered_peace"):
        out[col] = g[col].max().astype("Int8")
    for col in ("v2x_polyarchy", "log_gdp_pc"):
        out[col] = g[col].first().astype("float64")
    out["climate_per_1000"] = 1000 * out["climate_acts"] / out["universe_cities"]
    out["peace_per_1000"] = 1000 * out["peace_acts"] / out["universe_cities"]
    out["log_universe_cities"] = np.log(out["universe_cities"].astype("float64"))
    return out.reset_index()


__all__ = [
    "could_act",
    "country_shares",
    "country_year_rates",
    "coverage_flags",
    "defiance_panel",
    "source_coverage",
    "tie_composition",
    "universe_columns",
]
