"""H3 norm enforcement: cities step in when their national government violates a universal norm.

DESIGN §2 H3. Two designs, two frames (pure builders on the published ``results/data`` tables):

``h3_event``: event study around the US withdrawal announcement (2017-06-01)
    City-years 2016-2023 of US cities and of cities in other high-income democracies, all with
    GeoNames population >= ``models.universe.h3_min_population`` (config; 50,000 by default) (city_year is a complete spine at that size:
    every GeoNames city >= 300,000 plus the simplemaps world cities). Groups are fixed in
    :data:`CONTROL_REFERENCE_YEAR` (2016, the year before the event), from
    :func:`control_countries`:

    - *US*: ``country_iso3 == "USA"``;
    - *control*: OECD member (``oecd_member``), V-Dem Regimes of the World electoral or
      liberal democracy (``v2x_regime`` 2/3) and GDP per capita >= :data:`HIGH_INCOME_GDP_PC`
      (the World Bank's FY2018 high-income line, USD 12,235 GNI per capita, applied to WDI GDP
      per capita: the tables carry no GNI series), and inside the Paris Agreement in every
      post year (a control nation outside Paris would be treated too);
    - *excluded*: the other OECD members (Mexico: below the income line; Turkey: electoral
      autocracy, outside Paris until 2021), kept in the frame with their reason
      (``excluded_reason``) so the composition can be audited; ``in_design`` selects US and
      control rows.

    Outcomes (each missing in years its sources do not cover, so a model never reads a
    coverage gap as zero):

    - ``cdp_disclosure``: the city disclosed to CDP Cities that reporting year (act
      ``cdp_disclosure``). The years are those the acts table holds: 2016-2017 and 2021 from the
      city-wide emissions files (cities that *publicly reported an inventory*), 2018-2020 from
      the disclosing-cities files (*every* discloser). The series therefore changes definition
      between 2017 and 2018 and again in 2021; year fixed effects absorb the common level shift,
      not a US-specific one. 2022-2023 are missing.
    - ``cdp_first``: first year the city appears in the CDP series (the series starts in 2016,
      so 2016 is left-censored; models use cities that did not disclose in 2016,
      ``cdp_2016 == 0``, for which 2016 is a true zero).
    - ``cedamia``: the city's first climate-emergency declaration (CEDAMIA, exact dates) that
      year; 2016-2023 (2024 is cut: the list was scraped in November 2024). The first
      declaration anywhere was in December 2016 (Darebin, Australia); the table has none in
      2016, so 2016 is a true zero but not an informative pre-period.
    - ``climate_events`` = ``cdp_disclosure`` + ``cedamia`` (2016-2021).

    Sources *not* usable here: GCoM-MyCovenant adhesions and ETMUN join years cover Europe and
    its neighbourhood; no US city has a dated adhesion in either (US cities joined GCoM through
    the Compact of Mayors, which MyCovenant does not list), so they would code absence of
    coverage as absence of commitment. ClimActor's "We Are Still In" and "Climate Mayors" flags
    are undated snapshots (2020-2022) of US-only programmes: they cannot enter a year panel and
    have no control group; they are carried as time-invariant ``member_*`` columns for a
    cross-sectional check only (:func:`snapshot_check`).

    Event time: ``rel_time = year - 2017`` for US cities (2017, the announcement year, is
    t = 0; for CDP it is partly pre-announcement because responses are collected during the
    year), missing for controls; dummies from :func:`add_event_time` (``rel_m<k>`` for
    t = -k, ``rel_p<k>`` for t = k, reference t = -1 = 2016 omitted; ends binned only when asked),
    ``us_post`` = US x (year >= 2017) for a pooled difference in differences.

    **The design's main limit**: every outcome observed for both groups starts in 2016, so the
    reference year is the only pre-period. Lead coefficients are not identified and the
    pre-trend test (:func:`pretrend_test`, a joint Wald test of the ``rel_m*`` terms) reports
    "not testable" on these data; the code runs it whenever a spec includes leads (tested on
    synthetic panels).

    Inference: the treatment varies only by country and the US is a single treated country,
    so country-clustered errors rest on one treated cluster and are invalid (they understate
    uncertainty; Conley & Taber 2011, MacKinnon & Webb 2018). The specs cluster by first-level
    region (``admin1_code``: US state, region elsewhere; states are where correlated climate
    shocks sit, e.g. the US Climate Alliance of governors, formed the same week), with
    city-clustered errors as a variant; both assume no US-wide shock other than the
    withdrawal. A wild (cluster) bootstrap belongs to the robustness stage.

``h3_hazard``: discrete-time hazard of a city's first climate-network adhesion
    City-years 2016-2023 at risk of a first adhesion (GCoM-MyCovenant adhesion dates; ETMUN
    climate networks' join years: Covenant of Mayors, Climate Alliance, ICLEI, CIVITAS; the
    climate acts of :data:`analysis.hypotheses.h1_acts.CANDIDATE_ACTS` other than CEDAMIA
    declarations, which are not network adhesions). A city enters in the first panel year if
    it had not adhered before, leaves after the year of its first adhesion (``adhesion`` = 1
    that year); cities that adhered before the window never enter (left truncation).
    Universe: cities >= ``models.universe.h3_min_population`` in countries within the sources' reach, i.e.
    with at least one dated adhesion of any of their cities before :data:`REACH_BEFORE`
    (``in_reach_pre``, pre-determined; ``in_reach_any`` uses any year, a variant that selects
    countries on the outcome). The US is outside the reach (see above), so the most prominent
    case of non-ratification is not in this sample. National status: ``paris_outside`` at
    31 December (2016 is special: see :mod:`analysis.hypotheses.h1_acts`, decision 3; the main sample
    starts in 2017). ETMUN join years end in 2019 (its snapshot), so later adhesions are
    GCoM's only; year effects absorb that. A Kyoto Protocol non-ratification variant is not
    possible: the openclimatedata country-group files hold no Kyoto list
    (``analysis/sources/intl_groups.py``, ``treaties.py``) and no published table has one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd

from analysis.core.errors import PipelineError
from analysis.core.lazy import lazy_module
from analysis.hypotheses import h1_acts as D
from analysis.hypotheses.cross_section import network_flags
from analysis.hypotheses.h3_checks import (
    is_event_model,
    pretrend_test,
    rel_name,
    rel_of,
    wald_test,
)
from analysis.models.estimate import FitResult
from analysis.models.framedef import FrameDef
from analysis.models.spec import HypothesisSpec

stats = lazy_module("scipy.stats")  # imported on first use (Snakefile start-up)

HYPOTHESIS = "h3"

# --------------------------------------------------------------------------- constants

#: The treated nation and the event: the US announcement of 2017-06-01 (the dated window of
#: :data:`analysis.hypotheses.h1_acts.PARIS_DATED_WINDOWS`), coded in its calendar year.
TREATED = "USA"
ANNOUNCEMENT = D.PARIS_DATED_WINDOWS[TREATED][0]
EVENT_YEAR = ANNOUNCEMENT.year
REFERENCE_REL = -1
#: Panel years of both frames (what the sources support, see the module docstring).
FIRST_YEAR, LAST_YEAR = 2016, 2023
#: City size threshold (GeoNames population): city_year is complete above it.
#: Control group: fixed in the year before the event.
CONTROL_REFERENCE_YEAR = EVENT_YEAR - 1
DEMOCRACY_REGIMES = (2, 3)  # V-Dem RoW: electoral democracy, liberal democracy
#: World Bank FY2018 high-income threshold (GNI per capita, Atlas method, USD), based on 2016.
HIGH_INCOME_GDP_PC = 12_235.0
#: CEDAMIA years: declarations start in December 2016; the list was scraped in November 2024.
CEDAMIA_FIRST_YEAR, CEDAMIA_LAST_YEAR = 2016, 2023
CDP_ACT = "cdp_disclosure"
CEDAMIA_ACT = "climate_emergency_declaration"
#: Climate-network adhesions of the hazard: the reviewed climate candidates of H1 except
#: declarations (CEDAMIA is a declaration, not a network).
NETWORK_ACTS: tuple[str, ...] = tuple(
    k for k, v in D.CANDIDATE_ACTS.items() if v.norm == D.CLIMATE and v.commitment != "cedamia"
)
#: A country is within the adhesion sources' reach if a city of it adhered before this year.
REACH_BEFORE = FIRST_YEAR
#: ClimActor programmes carried as undated flags (US only).
SNAPSHOT_NETWORKS = ("we_are_still_in", "climate_mayors")

#: Model names the figures read.
MAIN_EVENT_MODEL = "es_events"
CDP_EVENT_MODEL = "es_cdp"
MAIN_HAZARD_MODEL = "hz_main"
INTERACTION = ("paris_outside", "paris_outside:v2x_polyarchy")

SOURCE_EVENT = (
    "Sources: CDP Cities (city-wide emissions 2016, 2017, 2021; disclosing cities 2018-2020); "
    "CEDAMIA climate-emergency declarations; GeoNames and simplemaps (cities); OECD, V-Dem v15 "
    "and World Bank WDI (control group: other OECD high-income democracies). Reference year "
    "2016 is the only pre-period the sources cover: leads are not identified."
)
SOURCE_HAZARD = (
    "Sources: GCoM-MyCovenant adhesion dates; ETMUN climate networks' join years; UN Treaty "
    "Collection (Paris Agreement status); V-Dem v15; World Bank WDI."
)


# --------------------------------------------------------------------------- helpers


def _require(df: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise PipelineError(f"{name}: missing column(s) {missing}")


def add_event_time(
    frame: pd.DataFrame,
    *,
    treated_col: str,
    event_year: int = EVENT_YEAR,
    min_rel: int | None = None,
    max_rel: int | None = None,
    ref: int = REFERENCE_REL,
) -> pd.DataFrame:
    """Add ``rel_time`` and one 0/1 dummy per event time except `ref`.

    ``rel_time = year - event_year`` for rows with ``treated_col == 1``, missing otherwise.
    Dummies span `min_rel`..`max_rel` (default: the frame's years); event times beyond them are
    binned into the end dummies (``rel_m<k>`` = k or more years before, ``rel_p<k>`` = k or
    more after). Untreated rows are 0 on every dummy; `ref` has no dummy (the omitted period).
    """
    _require(frame, ["year", treated_col], "add_event_time")
    treated = frame[treated_col].fillna(0).astype(float).eq(1).to_numpy()
    years = frame["year"].astype("int64").to_numpy()
    lo = int(years.min()) - event_year if min_rel is None else min_rel
    hi = int(years.max()) - event_year if max_rel is None else max_rel
    if not lo <= ref <= hi:
        raise PipelineError(f"add_event_time: reference period {ref} outside [{lo}, {hi}]")
    out = frame.copy()
    rel = years - event_year
    out["rel_time"] = pd.array(np.where(treated, rel, 0), dtype="Int64")
    out.loc[~treated, "rel_time"] = pd.NA
    binned = np.clip(rel, lo, hi)
    for k in range(lo, hi + 1):
        if k != ref:
            out[rel_name(k)] = (treated & (binned == k)).astype("float64")
    return out


def _group_of(iso: str, row: pd.Series | None) -> tuple[str, str]:
    if iso == TREATED:
        return "US", ""
    if row is None or pd.isna(row["v2x_regime"]) or row["v2x_regime"] not in DEMOCRACY_REGIMES:
        return "excluded", f"not a V-Dem electoral/liberal democracy in {CONTROL_REFERENCE_YEAR}"
    if pd.isna(row["gdp_pc_usd"]) or row["gdp_pc_usd"] < HIGH_INCOME_GDP_PC:
        return "excluded", f"GDP per capita below {HIGH_INCOME_GDP_PC:,.0f} USD"
    if row["outside_post"] == 1:
        return "excluded", f"outside the Paris Agreement in a year after {CONTROL_REFERENCE_YEAR}"
    return "control", ""


def control_countries(
    city_year: pd.DataFrame,
    reference_year: int = CONTROL_REFERENCE_YEAR,
    last_year: int = LAST_YEAR,
) -> pd.DataFrame:
    """OECD members in `reference_year` with their event-study group and the reason.

    One row per OECD member (``oecd_member == 1`` in `reference_year`) plus the US:
    ``group`` is "US", "control" or "excluded" (``excluded_reason`` says why: not a V-Dem
    electoral/liberal democracy, GDP per capita below :data:`HIGH_INCOME_GDP_PC`, or outside
    the Paris Agreement in a year after `reference_year` up to `last_year`), with the values
    the rule read.
    """
    cols = ["oecd_member", "v2x_regime", "gdp_pc_usd", "paris_outside"]
    nat = D.national_table(city_year, cols, nuclear_carry_forward=0).reset_index()
    ref = nat[nat["year"] == reference_year].set_index("country_iso3")
    post = nat[nat["year"].between(reference_year + 1, last_year)]
    outside_post = post.groupby("country_iso3")["paris_outside"].max()
    members = ref.index[ref["oecd_member"].eq(1).fillna(False).to_numpy()]
    rows = []
    for iso in sorted(set(members) | {TREATED}):
        row = ref.loc[iso].copy() if iso in ref.index else None
        values = {c: np.nan for c in ("oecd_member", "v2x_regime", "gdp_pc_usd")}
        if row is not None:
            row["outside_post"] = outside_post.get(iso, np.nan)
            values = {c: row[c] for c in values}
        group, reason = _group_of(iso, row)
        rows.append(
            {
                "country_iso3": iso,
                "group": group,
                "excluded_reason": reason,
                **values,
                "paris_outside_post": outside_post.get(iso, np.nan),
            }
        )
    return pd.DataFrame(rows).astype(
        {"country_iso3": "str", "group": "str", "excluded_reason": "str"}
    )


def _pairs(df: pd.DataFrame) -> pd.MultiIndex:
    return pd.MultiIndex.from_arrays(
        [df["city_id"].astype("int64"), df["year"].astype("int64")], names=["city_id", "year"]
    )


def _flag(rows: pd.DataFrame, events: pd.DataFrame, years: Iterable[int]) -> pd.Series:
    """1.0 where (city_id, year) of `rows` is in `events`, 0.0 otherwise, NaN outside `years`."""
    hit = _pairs(rows).isin(_pairs(events)) if len(events) else np.zeros(len(rows), bool)
    out = pd.Series(hit.astype("float64"), index=rows.index)
    return out.where(rows["year"].isin(list(years)))


def first_declarations(acts: pd.DataFrame, city_year: pd.DataFrame) -> pd.DataFrame:
    """Each city's first dated CEDAMIA declaration, by H1's first-commitment rule.

    Uses :func:`analysis.hypotheses.h1_acts.defiance_acts` (which also stops on unclassified act names)
    and keeps acts with ``first_commitment`` for the ``cedamia`` commitment.
    """
    coded = D.defiance_acts(acts, city_year).acts
    keep = coded["act"].eq(CEDAMIA_ACT) & coded["first_commitment"] & coded["year"].notna()
    return coded.loc[keep, ["city_id", "year", "date"]].reset_index(drop=True)


# --------------------------------------------------------------------------- event frame

EVENT_CITY_COLUMNS = (
    "city_id", "year", "city_name", "country_iso3", "admin1_code", "geonames_pop", "log_pop",
)  # fmt: skip


def build_event_panel(
    city_year: pd.DataFrame,
    acts: pd.DataFrame,
    memberships: pd.DataFrame,
    first_year: int = FIRST_YEAR,
    last_year: int = LAST_YEAR,
    *,
    event_year: int = EVENT_YEAR,
    min_population: int,
) -> pd.DataFrame:
    """City-year panel of the event study (module docstring, ``h3_event``).

    Rows: cities of the US and of every OECD member (:func:`control_countries`; ``group``,
    ``in_design``) with ``geonames_pop >= min_population``, years `first_year`..`last_year`.
    Columns: the outcomes (``cdp_disclosure``, ``cdp_first``, ``cdp_2016``, ``cedamia``,
    ``climate_events``), ``us``, ``rel_time`` and its dummies, ``us_post``, the ClimActor flags
    ``member_we_are_still_in``/``member_climate_mayors`` (US rows only), ``log_pop``.
    """
    _require(
        city_year, [*EVENT_CITY_COLUMNS, *D.FLAG_COLUMNS, "oecd_member", "gdp_pc_usd"], "city_year"
    )
    _require(acts, ["act_id", "city_id", "act", "year"], "acts")
    _require(memberships, ["city_id", "network"], "memberships")
    if not first_year <= event_year + REFERENCE_REL <= last_year:
        raise PipelineError(
            f"h3_event: the reference year {event_year + REFERENCE_REL} is outside "
            f"{first_year}-{last_year}"
        )
    comp = control_countries(city_year, event_year - 1, last_year).set_index("country_iso3")
    keep = (
        city_year["year"].between(first_year, last_year)
        & city_year["geonames_pop"].fillna(0).ge(min_population)
        & city_year["country_iso3"].isin(comp.index)
    )
    panel = city_year.loc[keep, list(EVENT_CITY_COLUMNS)].copy()
    if panel.duplicated(["city_id", "year"]).any():
        raise PipelineError("city_year: duplicate (city_id, year) rows")
    panel["year"] = panel["year"].astype("int64")
    panel["group"] = panel["country_iso3"].map(comp["group"]).astype("str")
    panel["excluded_reason"] = panel["country_iso3"].map(comp["excluded_reason"]).astype("str")
    panel["in_design"] = panel["group"].isin(["US", "control"]).astype("float64")
    panel["us"] = panel["group"].eq("US").astype("float64")
    panel = add_event_time(panel, treated_col="us", event_year=event_year)
    panel["us_post"] = (panel["us"].eq(1) & panel["year"].ge(event_year)).astype("float64")

    # CDP: one act per city and reporting year; the years the table holds are the coverage.
    cdp = acts.loc[acts["act"].eq(CDP_ACT) & acts["year"].notna(), ["city_id", "year"]]
    cdp_years = sorted(set(cdp["year"].astype("int64")) & set(range(first_year, last_year + 1)))
    panel["cdp_disclosure"] = _flag(panel, cdp, cdp_years)
    first_cdp = cdp.groupby("city_id")["year"].min().astype("int64")
    first = panel["city_id"].map(first_cdp)
    panel["cdp_first"] = (
        panel["year"].eq(first).astype("float64").where(panel["year"].isin(cdp_years))
    )
    base = event_year + REFERENCE_REL
    base_cities = set(cdp.loc[cdp["year"].eq(base), "city_id"])
    panel["cdp_2016"] = (
        panel["city_id"].isin(base_cities).astype("float64") if base in cdp_years else np.nan
    )

    # CEDAMIA: the city's first declaration, dated.
    ced = first_declarations(acts, city_year)
    ced_years = range(max(first_year, CEDAMIA_FIRST_YEAR), min(last_year, CEDAMIA_LAST_YEAR) + 1)
    panel["cedamia"] = _flag(panel, ced, ced_years)
    panel["climate_events"] = panel["cdp_disclosure"] + panel["cedamia"]

    flags = network_flags(memberships, list(SNAPSHOT_NETWORKS))
    for col in flags.columns:
        v = panel["city_id"].map(flags[col]).fillna(0.0)
        panel[col] = v.where(panel["us"].eq(1))

    panel.attrs = {
        "cdp_years": cdp_years,
        "cedamia_years": list(ced_years),
        "countries": {
            g: sorted(comp.index[comp["group"] == g]) for g in ("US", "control", "excluded")
        },
    }
    return panel.sort_values(["city_id", "year"]).reset_index(drop=True)


# --------------------------------------------------------------------------- hazard frame


def first_adhesions(acts: pd.DataFrame) -> pd.DataFrame:
    """Each city's first dated climate-network adhesion (:data:`NETWORK_ACTS`).

    Every act name must be classified by :mod:`analysis.hypotheses.h1_acts` (else UnknownActError).
    Returns ``city_id``, ``first_adhesion_year``, ``first_adhesion_act``.
    """
    _require(acts, ["city_id", "act", "year"], "acts")
    D.classify_acts(acts["act"])
    net = acts[acts["act"].isin(NETWORK_ACTS) & acts["year"].notna()]
    net = net.assign(year=net["year"].astype("int64")).sort_values(["city_id", "year", "act"])
    first = net.drop_duplicates("city_id")
    return pd.DataFrame(
        {
            "city_id": first["city_id"].to_numpy(),
            "first_adhesion_year": first["year"].to_numpy(),
            "first_adhesion_act": first["act"].astype("str").to_numpy(),
        }
    )


HAZARD_CITY_COLUMNS = (
    "city_id", "year", "city_name", "country_iso3", "geonames_pop", "log_pop", "gdp_pc_usd",
    "v2x_polyarchy", "paris_outside",
)  # fmt: skip


def build_hazard_panel(
    city_year: pd.DataFrame,
    acts: pd.DataFrame,
    first_year: int = FIRST_YEAR,
    last_year: int = LAST_YEAR,
    *,
    min_population: int,
    reach_before: int = REACH_BEFORE,
) -> pd.DataFrame:
    """City-years at risk of a first climate-network adhesion (module docstring, ``h3_hazard``).

    Rows: cities >= `min_population` of countries in the sources' reach (any dated adhesion
    of any of their cities, ``in_reach_any``; ``in_reach_pre`` = one before `reach_before`),
    years `first_year`..`last_year`, up to and including the year of the city's first adhesion
    (``adhesion`` = 1 then, else 0). Cities whose first adhesion precedes `first_year` are
    not at risk and have no rows.
    """
    _require(city_year, HAZARD_CITY_COLUMNS, "city_year")
    first = first_adhesions(acts).set_index("city_id")
    countries = (
        city_year[["city_id", "country_iso3"]].drop_duplicates("city_id").set_index("city_id")
    )["country_iso3"]
    adhered = first.join(countries, how="inner")
    reach_any = set(adhered["country_iso3"])
    reach_pre = set(adhered.loc[adhered["first_adhesion_year"] < reach_before, "country_iso3"])

    keep = (
        city_year["year"].between(first_year, last_year)
        & city_year["geonames_pop"].fillna(0).ge(min_population)
        & city_year["country_iso3"].isin(reach_any)
    )
    rows = city_year.loc[keep, list(HAZARD_CITY_COLUMNS)].copy()
    if rows.duplicated(["city_id", "year"]).any():
        raise PipelineError("city_year: duplicate (city_id, year) rows")
    rows["year"] = rows["year"].astype("int64")
    fy = rows["city_id"].map(first["first_adhesion_year"]).astype("Int64")
    at_risk = fy.isna() | rows["year"].le(fy).fillna(False)
    n_before = int(rows.loc[fy.lt(first_year).fillna(False), "city_id"].nunique())
    panel = rows.loc[at_risk.to_numpy()].copy()
    fy = fy.loc[panel.index]
    panel["first_adhesion_year"] = fy
    panel["adhesion"] = panel["year"].eq(fy).fillna(False).astype("float64")
    panel["paris_outside"] = panel["paris_outside"].astype("float64")
    gdp = pd.to_numeric(panel["gdp_pc_usd"], errors="coerce").astype("float64")
    panel["log_gdp_pc"] = np.log(gdp.where(gdp > 0))
    panel["in_reach_pre"] = panel["country_iso3"].isin(reach_pre).astype("float64")
    panel["in_reach_any"] = 1.0
    panel.attrs = {
        "countries_in_reach_any": len(reach_any),
        "countries_in_reach_pre": len(reach_pre),
        "cities_adhered_before_window": n_before,
    }
    return panel.sort_values(["city_id", "year"]).reset_index(drop=True)


def _event_frame(t: Mapping[str, pd.DataFrame], h3_min_population: int) -> pd.DataFrame:
    return build_event_panel(
        t["city_year"], t["acts"], t["memberships"], min_population=h3_min_population
    )


def _hazard_frame(t: Mapping[str, pd.DataFrame], h3_min_population: int) -> pd.DataFrame:
    return build_hazard_panel(t["city_year"], t["acts"], min_population=h3_min_population)


FRAMES: dict[str, FrameDef] = {
    "h3_event": FrameDef(
        ("city_year", "acts", "memberships"),
        _event_frame,
        ("city_id", "year"),
        "city-years 2016-2023, US cities and cities of other high-income OECD democracies",
        options=("h3_min_population",),
    ),
    "h3_hazard": FrameDef(
        ("city_year", "acts"),
        _hazard_frame,
        ("city_id", "year"),
        "city-years 2016-2023 at risk of a first climate-network adhesion",
        options=("h3_min_population",),
    ),
}


# --------------------------------------------------------------------------- figure data


def _need(results: Mapping[str, FitResult], name: str) -> FitResult:
    if name not in results:
        raise PipelineError(
            f"h3: the figures need model {name!r} in config/models/h3.yaml; it is missing"
        )
    return results[name]


def event_study_table(spec: HypothesisSpec, results: Mapping[str, FitResult]) -> pd.DataFrame:
    """Event-time coefficients of every event-study model, plus the reference row (0)."""
    parts = []
    for name, res in results.items():
        if not is_event_model(res):
            continue
        tidy = res.tidy(spec)
        tidy = tidy[tidy["term"].map(rel_of).notna()].copy()
        tidy["rel_time"] = tidy["term"].map(rel_of).astype("int64")
        ref = pd.DataFrame(
            [
                {
                    "model": name,
                    "term": "reference",
                    "rel_time": REFERENCE_REL,
                    "estimate": 0.0,
                    "std_error": 0.0,
                    "ci_low": 0.0,
                    "ci_high": 0.0,
                    "p_value": np.nan,
                }
            ]
        )
        part = pd.concat([tidy, ref], ignore_index=True)
        part["outcome"] = res.spec.outcome
        part["n_obs"] = res.fit.n_obs
        parts.append(part)
    cols = [
        "model",
        "outcome",
        "term",
        "rel_time",
        "estimate",
        "std_error",
        "ci_low",
        "ci_high",
        "p_value",
        "n_obs",
    ]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)[cols]
    return out.sort_values(["model", "rel_time"], kind="mergesort").reset_index(drop=True)


GROUP_MEAN_OUTCOMES = ("climate_events", "cdp_disclosure", "cedamia")


def group_means(frame: pd.DataFrame) -> pd.DataFrame:
    """Raw outcome means by group and year (design rows), with their N."""
    d = frame[frame["in_design"].eq(1)]
    rows = []
    for outcome in GROUP_MEAN_OUTCOMES:
        g = d.dropna(subset=[outcome]).groupby(["group", "year"])[outcome]
        agg = g.agg(["mean", "size"]).reset_index()
        agg.insert(0, "outcome", outcome)
        rows.append(agg.rename(columns={"size": "n"}))
    return pd.concat(rows, ignore_index=True)


def composition(frame: pd.DataFrame) -> pd.DataFrame:
    """Countries of the event-study frame: group, reason, cities and CDP/CEDAMIA activity."""
    per_city = frame.groupby("city_id").agg(
        country_iso3=("country_iso3", "first"),
        cdp=("cdp_disclosure", "max"),
        ced=("cedamia", "max"),
    )
    per = per_city.groupby("country_iso3").agg(
        n_cities=("cdp", "size"), n_cities_cdp=("cdp", "sum"), n_cities_cedamia=("ced", "sum")
    )
    meta = frame.groupby("country_iso3")[["group", "excluded_reason"]].first()
    out = meta.join(per).reset_index()
    out[["n_cities_cdp", "n_cities_cedamia"]] = out[["n_cities_cdp", "n_cities_cedamia"]].astype(
        "int64"
    )
    return out.sort_values(["group", "country_iso3"]).reset_index(drop=True)


def snapshot_check(frame: pd.DataFrame) -> pd.DataFrame:
    """Cross-sectional check with the undated ClimActor flags (US cities of the design).

    For members and non-members of "We Are Still In" and "Climate Mayors": cities, the share
    that disclosed to CDP in 2016 (before the announcement) and the share that disclosed for
    the first time after it (2017 on). Descriptive only: the flags are undated snapshots.
    """
    us = frame[frame["in_design"].eq(1) & frame["us"].eq(1)]
    per = us.groupby("city_id").agg(
        cdp_2016=("cdp_2016", "max"), **{c: (f"member_{c}", "max") for c in SNAPSHOT_NETWORKS}
    )
    post = us[us["year"].ge(EVENT_YEAR)].groupby("city_id")["cdp_first"].max()
    per["new_after"] = post.reindex(per.index)
    rows = []
    for c in SNAPSHOT_NETWORKS:
        for member, g in per.groupby(c):
            rows.append(
                {
                    "programme": c,
                    "member": int(member),
                    "n_cities": len(g),
                    "share_cdp_2016": float(g["cdp_2016"].mean()),
                    "share_first_cdp_after_2016": float(g["new_after"].mean()),
                }
            )
    return pd.DataFrame(rows)


def interaction_curve(res: FitResult, frame: pd.DataFrame, points: int = 41) -> pd.DataFrame:
    """Effect of ``paris_outside`` on the linear predictor across democracy, with a 95% CI.

    d(eta)/d(outside) = b_outside + b_interaction * v2x_polyarchy, delta-method interval,
    over the range of ``v2x_polyarchy`` among the estimation sample's outside rows (the
    support; beyond it the line would be extrapolation).
    """
    main, inter = INTERACTION
    for t in INTERACTION:
        if t not in res.fit.params.index:
            raise PipelineError(f"h3: model {res.spec.name!r} lacks term {t!r}")
    s = frame.loc[res.design.y.index]
    s = s.loc[res.fit.used.intersection(s.index)]
    dem = s.loc[s["paris_outside"].eq(1), "v2x_polyarchy"].astype(float)
    if dem.empty:
        raise PipelineError(f"h3: model {res.spec.name!r} has no outside rows")
    x = np.linspace(float(dem.min()), float(dem.max()), points)
    b, V = res.fit.params, res.fit.cov
    fit = b[main] + b[inter] * x
    se = np.sqrt(V.loc[main, main] + x**2 * V.loc[inter, inter] + 2 * x * V.loc[main, inter])
    crit = stats.t.ppf(0.975, res.df) if res.dist == "t" else stats.norm.ppf(0.975)
    return pd.DataFrame({"x": x, "fit": fit, "ci_low": fit - crit * se, "ci_high": fit + crit * se})


def hazard_outside_countries(res: FitResult, frame: pd.DataFrame) -> pd.DataFrame:
    """Countries with outside-Paris city-years in a hazard model's sample (the identifying set)."""
    s = frame.loc[res.design.y.index]
    s = s.loc[res.fit.used.intersection(s.index)]
    out = (
        s[s["paris_outside"].eq(1)]
        .groupby("country_iso3")
        .agg(
            years=("year", lambda y: f"{int(y.min())}-{int(y.max())}"),
            v2x_polyarchy=("v2x_polyarchy", "mean"),
            city_years=("city_id", "size"),
            cities=("city_id", "nunique"),
            adhesions=("adhesion", "sum"),
        )
    )
    return out.reset_index()


def hazard_identifying_countries(
    results: Mapping[str, FitResult], frames: Mapping[str, pd.DataFrame], spec: HypothesisSpec
) -> pd.DataFrame:
    """The non-ratifying countries that identify each hazard model's Paris term (every model
    on the hazard frame, in spec order): country, years outside Paris, democracy, city-years,
    cities and adhesions in that model's sample."""
    parts = []
    for name, res in results.items():
        if spec.frame_of(res.spec) != "h3_hazard" or "paris_outside" not in res.design.X:
            continue
        table = hazard_outside_countries(res, frames["h3_hazard"])
        table.insert(0, "model", name)
        parts.append(table)
    if not parts:
        raise PipelineError("h3: no hazard model with paris_outside")
    return pd.concat(parts, ignore_index=True)


def figure_data(
    spec: HypothesisSpec, frames: Mapping[str, pd.DataFrame], results: Mapping[str, FitResult]
) -> dict[str, pd.DataFrame]:
    es = _need(results, MAIN_EVENT_MODEL)
    _need(results, CDP_EVENT_MODEL)
    hz = _need(results, MAIN_HAZARD_MODEL)
    event = frames[spec.frame_of(es.spec)]
    hazard = frames[spec.frame_of(hz.spec)]
    tests = [pretrend_test(r) for r in results.values() if is_event_model(r)]
    return {
        "event_study": event_study_table(spec, results),
        "pretrend_test": pd.DataFrame(tests),
        "group_means": group_means(event),
        "composition": composition(event),
        "snapshot_check": snapshot_check(event),
        "hazard_interaction": interaction_curve(hz, hazard),
        "hazard_outside_countries": hazard_outside_countries(hz, hazard),
        "hazard_identifying_countries": hazard_identifying_countries(results, frames, spec),
    }


# --------------------------------------------------------------------------- figures


def _event_figure(
    models_dir: Path, out_stem: Path, figures: ModuleType, model: str, *, what: str, y_label: str
) -> list[Path]:
    es = pd.read_csv(models_dir / "figdata" / "event_study.csv")
    es = es[es["model"] == model]
    if es.empty:
        raise PipelineError(f"h3: figdata/event_study.csv has no rows of model {model!r}")
    return figures.event_study(
        es,
        out_stem,
        title=f"{what} of US cities around the 2017 Paris withdrawal announcement (linear panel "
        "FE, PanelOLS with city and year effects; 95% CI clustered by US state / region, CR1)",
        source_note=SOURCE_EVENT,
        ref_period=REFERENCE_REL,
        x_label="Years relative to the June 2017 announcement (0 = 2017; reference 2016)",
        y_label=y_label,
    )


def fig_event_study(models_dir: Path, out_stem: Path, figures: ModuleType) -> list[Path]:
    """Main event study: CDP disclosure + climate-emergency declaration per city-year."""
    return _event_figure(
        models_dir,
        out_stem,
        figures,
        MAIN_EVENT_MODEL,
        what="Climate commitments (CDP disclosure, emergency declaration)",
        y_label="CDP disclosure + emergency declaration\n(US minus control, per city-year)",
    )


def fig_event_study_cdp(models_dir: Path, out_stem: Path, figures: ModuleType) -> list[Path]:
    """CDP disclosure alone (the one outcome both groups report every year 2016-2021)."""
    return _event_figure(
        models_dir,
        out_stem,
        figures,
        CDP_EVENT_MODEL,
        what="CDP disclosure",
        y_label="CDP disclosure probability\n(US minus control)",
    )


def fig_hazard_interaction(models_dir: Path, out_stem: Path, figures: ModuleType) -> list[Path]:
    curve = pd.read_csv(models_dir / "figdata" / "hazard_interaction.csv")
    outside = pd.read_csv(models_dir / "figdata" / "hazard_outside_countries.csv")
    who = ", ".join(f"{r.country_iso3} {r.years}" for r in outside.itertuples())
    return figures.line_with_band(
        curve,
        out_stem,
        x_label="V-Dem electoral democracy (range of non-ratifying country-years in the sample)",
        y_label="Effect of non-ratification on the\nlog-odds of a first adhesion",
        title="National non-ratification of Paris and cities' first climate-network adhesion, "
        "by democracy (logit with year effects; 95% CI clustered by country)",
        source_note=f"{SOURCE_HAZARD} Non-ratifying country-years in the sample: {who}.",
    )


FIGURES = {
    "h3_event_study": fig_event_study,
    "h3_event_study_cdp": fig_event_study_cdp,
    "h3_hazard_interaction": fig_hazard_interaction,
}

__all__ = [
    "FIGURES",
    "FRAMES",
    "HYPOTHESIS",
    "add_event_time",
    "build_event_panel",
    "build_hazard_panel",
    "control_countries",
    "figure_data",
    "first_adhesions",
    "pretrend_test",
    "rel_name",
    "rel_of",
    "wald_test",
]
