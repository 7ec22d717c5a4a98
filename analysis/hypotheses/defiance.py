"""H1 data: local defiance of national norm violations, and the composition of city ties.

DESIGN §2 H1: "democracy enables local defiance; autocracy harnesses city diplomacy as an
extension of national diplomacy". Pure functions on the harmonized tables in
``results/data`` (pandas in, pandas out, no file IO):

- :func:`defiance_acts` codes every norm-enforcing act of a city as defiance (the nation was
  violating that norm at the time) or not, with an audit that places every act in exactly one
  reason;
- :func:`defiance_panel` turns the coded acts into a city-year panel (counts, opportunity
  flags, covariates);
- :func:`tie_composition` is the cross-section for the composition test: the normative share of
  a city's international ties.

Coding decisions that are not spelled out in DESIGN §2 (each also in the function docstrings):

1. *Which acts are candidates* is the reviewed table :data:`CANDIDATE_ACTS`; acts that are not
   are listed with a reason in :data:`NON_CANDIDATE_ACTS`. Any other act name stops with
   :class:`UnknownActError`, so a new act type needs a decision instead of vanishing.
2. *One commitment counts once*. ETMUN's Covenant of Mayors adhesions are mostly the same events
   as the GCoM-MyCovenant adhesions (8,653 of 9,054 ETMUN cities are in both, 98% in the same
   year; ``analysis/data/network_aliases.csv`` files both under ``gcom``), and several
   signatories can resolve to one city. Every act is coded, but only the earliest act of a city
   per commitment (:data:`CANDIDATE_ACTS` ``commitment``) has ``first_commitment`` True, and only
   those are counted in the panel.
3. *Paris is codable from 2017*. The flags exist 2015-2024, but in 2015 every country is
   "outside": the Agreement was adopted on 2015-12-12 and opened for signature on 2016-04-22,
   so nobody could have ratified it. In 2016 (entry into force 2016-11-04) "outside" at year
   end mostly measures the pace of ratification procedures, not a nation staying out: 51 of
   the 77 countries outside at the end of 2016 were in by the end of 2017, among them EU
   members that ratified after the EU's own deposit (Spain 2017-01, Belgium 2017-04,
   Netherlands 2017-07); with 2016 codable, Spanish and Belgian Covenant adhesions make up 326
   of the 492 climate "defiance" acts counted. Years before :data:`CLIMATE_FIRST_YEAR` are
   therefore outside the flag's coverage; ``climate_first_year=2016`` restores DESIGN's literal
   rule as a robustness check.
4. *Status at year end, except dated US acts*. The flags are status on 31 December. The US
   withdrawal has exact dates in DESIGN §2 (announced 2017-06-01, re-entry 2021-02-19): a dated
   US climate act is coded from those dates (:data:`PARIS_DATED_WINDOWS`), an undated one from the
   year-end flag. Elsewhere an act in the year of ratification counts as not defiance
   (conservative).
5. *Nuclear status is carried forward* up to :data:`NUCLEAR_CARRY_FORWARD_YEARS` years (the
   OWID/Bleek series ends in 2022; the set of nuclear-weapon states has not changed since 2006).
6. *The GPM democracy declaration is undated*; it is coded with V-Dem's regime in
   :data:`DEMOCRACY_REFERENCE_YEAR` = 2022, the year the Global Declaration of Mayors for
   Democracy was launched (GMF / GPM / Pact of Free Cities, announced 2022-06-28, signed at the
   GPM summit in Katowice in 2022, presented at the second Summit for Democracy in March 2023;
   ``networks/SOURCES.yaml`` gives the list's coverage as 2024-2025 with "No signature dates").
   Two large signer groups sit on V-Dem regime boundaries: Honduras (46 signatures) is an
   electoral autocracy in 2021 and an electoral democracy from 2022; Ukraine (44) is an
   electoral democracy in 2021 and an electoral autocracy (wartime) from 2022. The result is
   sensitive to this year; the parameter makes the sensitivity check one argument.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
import pandas as pd

from analysis.core.errors import PipelineError
from analysis.sources.climactor import NATIONAL, REGISTRY
from analysis.sources.climactor import NETWORKS as CLIMACTOR_NETWORKS

# --------------------------------------------------------------------------- constants

CLIMATE, PEACE, DEMOCRACY = "climate", "peace", "democracy"
NORMS: tuple[str, ...] = (CLIMATE, PEACE, DEMOCRACY)


class CandidateAct(NamedTuple):
    """A reviewed act type that can be defiance: its norm and the commitment it makes."""

    norm: str
    commitment: str  # network / declaration key; one city counts one commitment once
    why: str


#: Act name (``acts.act``) -> norm. Climate: GCoM adhesion, the ETMUN networks whose
#: ``memberships.network_type`` is climate and that have dated joins in ``acts`` (checked
#: against the memberships table by :func:`check_network_types`), and CEDAMIA declarations.
#: Other ETMUN climate networks (acrplus, c40, citelec, cnfe, energy_cities, hyer, kimo,
#: medcities) have no join years, so no acts; if they ever appear they stop the run for review.
CANDIDATE_ACTS: dict[str, CandidateAct] = {
    "gcom_adhesion": CandidateAct(
        CLIMATE, "gcom", "GCoM-MyCovenant signatory (adhesion date): GHG targets and plans"
    ),
    "network_adhesion:covenant_of_mayors": CandidateAct(
        CLIMATE, "gcom", "ETMUN Covenant of Mayors join year; merged into GCoM in 2016"
    ),
    "network_adhesion:climate_alliance": CandidateAct(
        CLIMATE, "climate_alliance", "ETMUN climate network: CO2-reduction targets"
    ),
    "network_adhesion:iclei": CandidateAct(
        CLIMATE, "iclei", "ETMUN climate network: sustainability, climate action"
    ),
    "network_adhesion:civitas": CandidateAct(
        CLIMATE, "civitas", "ETMUN climate network: clean, energy-efficient transport"
    ),
    "climate_emergency_declaration": CandidateAct(
        CLIMATE, "cedamia", "CEDAMIA climate-emergency declaration (dated)"
    ),
    "network_adhesion:iampc": CandidateAct(
        PEACE, "iampc", "Peace Messenger Cities (IAMPC, ETMUN) join year"
    ),
    "gpm_democracy_declaration": CandidateAct(
        DEMOCRACY, "gpm_democracy", "GPM Global Declaration of Mayors for Democracy (undated)"
    ),
}

#: Act names that are explicitly *not* defiance candidates, with the reason.
NON_CANDIDATE_ACTS: dict[str, str] = {
    "cdp_disclosure": "reporting to a disclosure platform, not a commitment the nation withheld",
    "twinning_tie": "bilateral tie (economic/cultural), enforces no universal norm",
    "imamoglu_support_statement": (
        "backs a detained foreign mayor against a foreign government (Turkey), not the "
        "signer's own nation; dated 2025, after every flag's coverage"
    ),
    "network_adhesion:recevin": "economic network (wine cities)",
    "network_adhesion:acte": "economic network (textile territories)",
    "network_adhesion:aivp": "economic network (port cities)",
    "network_adhesion:baltmet": "economic network (Baltic metropoles, competitiveness)",
    "network_adhesion:ecm": "economic network (city marketing, tourism)",
    "network_adhesion:ehtta": "economic network (thermal tourism)",
    "network_adhesion:fmdv": "economic network (municipal finance)",
    "network_adhesion:reves": "economic network (social economy)",
}

#: First year the Paris flag can code a violation (see module docstring, decision 3).
CLIMATE_FIRST_YEAR = 2017
#: Reference year of V-Dem's regime for the undated GPM declaration (decision 6).
DEMOCRACY_REFERENCE_YEAR = 2022
#: Autocracy in V-Dem's Regimes of the World: 0 closed, 1 electoral autocracy.
AUTOCRACY_REGIMES = (0, 1)
#: Years a country's last observed nuclear status is carried forward (decision 5).
NUCLEAR_CARRY_FORWARD_YEARS = 2
#: Countries outside Paris between exact dates: [start, end) (DESIGN §2: US announced
#: withdrawal 2017-06-01, withdrawal effective 2020-11-04, back in on 2021-02-19).
PARIS_DATED_WINDOWS: dict[str, tuple[pd.Timestamp, pd.Timestamp]] = {
    "USA": (pd.Timestamp("2017-06-01"), pd.Timestamp("2021-02-19")),
}

#: Default panel years.
PANEL_FIRST_YEAR, PANEL_LAST_YEAR = 2015, 2023
#: Default year of the composition cross-section.
COMPOSITION_YEAR = 2020
#: city_year columns that show a city acted at least once (memberships, acts, sister cities).
ACTIVITY_COLUMNS = (
    "n_networks",
    "acts_normative",
    "acts_economic",
    "acts_undated",
    "sister_city_degree",
)

#: Federal countries (ISO3) after the Forum of Federations (forumfed.org, "Federal Countries":
#: "roughly 25"; A. Griffiths et al., eds., *The Forum of Federations Handbook of Federal
#: Countries 2020*, Palgrave Macmillan, whose country chapters include Comoros, Micronesia and
#: Nepal; its Cyprus and EU chapters are not federations and are left out). The 25 usually
#: listed, plus Micronesia (FSM) and Saint Kitts and Nevis (KNA), small federations the Forum
#: also counts, and Spain (ESP) and South Africa (ZAF), federal in practice though their
#: constitutions do not say so (:data:`FEDERAL_CONTESTED`, for a robustness check). Nepal is
#: federal since its 2015 constitution; the flag is time-invariant within the panel years.
FEDERAL_COUNTRIES: frozenset[str] = frozenset(
    {
        "ARE", "ARG", "AUS", "AUT", "BEL", "BIH", "BRA", "CAN", "CHE", "COM",
        "DEU", "ESP", "ETH", "FSM", "IND", "IRQ", "KNA", "MEX", "MYS", "NGA",
        "NPL", "PAK", "RUS", "SDN", "SOM", "SSD", "USA", "VEN", "ZAF",
    }
)  # fmt: skip
#: Federations whose inclusion is contested (not federal by their own constitution).
FEDERAL_CONTESTED: frozenset[str] = frozenset({"ESP", "ZAF"})
#: Mainland China; Hong Kong (HKG), Macao (MAC) and Taiwan (TWN) have their own ISO3 codes.
CHINA_MAINLAND = "CHN"

#: Tie classes of :func:`tie_composition`. National programmes and reporting registries are
#: climate "networks" in ClimActor but no international tie (see the function's docstring).
NORMATIVE_NETWORK_TYPES = (CLIMATE, PEACE, DEMOCRACY)
NATIONAL_PROGRAMMES: frozenset[str] = frozenset(
    k for k, (_, scope) in CLIMACTOR_NETWORKS.items() if scope == NATIONAL
)
REGISTRIES: frozenset[str] = frozenset(
    k for k, (_, scope) in CLIMACTOR_NETWORKS.items() if scope == REGISTRY
)

# Reasons of the audit; every input act lands in exactly one.
DEFIANCE = "coded: defiance"
NOT_DEFIANCE = "coded: not defiance"
NO_CITY = "not codable: city not in city_year"
UNDATED = "not codable: undated act"
OUTSIDE_COVERAGE = "not codable: year outside flag coverage"
NO_NATIONAL_DATA = "not codable: no national data that year"
NOT_CANDIDATE = "not a defiance candidate"
CANDIDATE_REASONS = (DEFIANCE, NOT_DEFIANCE, NO_CITY, UNDATED, OUTSIDE_COVERAGE, NO_NATIONAL_DATA)

#: National columns the rules read (at country-year level).
FLAG_COLUMNS = ("paris_outside", "nuclear_weapons_state", "nato_member", "v2x_regime")
#: Covariates carried into the panel and the composition cross-section.
COVARIATES = (
    "log_pop",
    "capital",
    "v2x_polyarchy",
    "v2x_regime",
    "polity2",
    "fh_total",
    "lied",
    "bmr_democracy",
)


class UnknownActError(PipelineError, ValueError):
    """``acts`` holds act names that are neither candidates nor listed non-candidates."""


class DefianceActs(NamedTuple):
    """Result of :func:`defiance_acts`: coded candidate acts and the audit of every input act."""

    acts: pd.DataFrame
    audit: pd.DataFrame


# --------------------------------------------------------------------------- helpers


def _require(df: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise PipelineError(f"{name}: missing column(s) {missing}")


def _int8(s: pd.Series) -> pd.Series:
    return s.astype("Int8")


def _city_countries(city_year: pd.DataFrame) -> pd.Series:
    """city_id -> country_iso3 (a city has one country in every year; checked)."""
    pairs = city_year[["city_id", "country_iso3"]].drop_duplicates()
    dup = pairs["city_id"].duplicated(keep=False)
    if dup.any():
        bad = sorted(pairs.loc[dup, "city_id"].unique().tolist())[:10]
        raise PipelineError(f"city_year: cities with more than one country_iso3: {bad}")
    return pairs.set_index("city_id")["country_iso3"]


def national_table(
    frame: pd.DataFrame,
    columns: Iterable[str] = FLAG_COLUMNS,
    nuclear_carry_forward: int = NUCLEAR_CARRY_FORWARD_YEARS,
) -> pd.DataFrame:
    """One row per (country_iso3, year) with the national `columns` of `frame`.

    `frame` is ``country_year`` or ``city_year`` (whose national columns repeat on every city
    row: they must agree within a country-year, else :class:`PipelineError`). The nuclear flag
    is carried forward over gaps of up to `nuclear_carry_forward` years, onto years that
    `frame` holds or that follow its last year (decision 5 of the module docstring).
    """
    columns = list(columns)
    _require(frame, ["country_iso3", "year", *columns], "national columns")
    nat = frame[["country_iso3", "year", *columns]].drop_duplicates()
    key = ["country_iso3", "year"]
    if nat.duplicated(key).any():
        clash = nat[nat.duplicated(key, keep=False)].head(4)
        raise PipelineError(
            "national columns differ between rows of one country-year:\n" + clash.to_string()
        )
    nat = nat.assign(year=nat["year"].astype("int64"))
    if "nuclear_weapons_state" in columns and nuclear_carry_forward > 0:
        # Extend every country by the carry-forward years, then fill within the limit.
        last = nat.groupby("country_iso3")["year"].max()
        extra = pd.DataFrame(
            [
                (iso, y)
                for iso, y0 in last.items()
                for y in range(y0 + 1, y0 + 1 + nuclear_carry_forward)
            ],
            columns=key,
        )
        nat = pd.concat([nat, extra], ignore_index=True).sort_values(key)
        nat["nuclear_weapons_state"] = nat.groupby("country_iso3")["nuclear_weapons_state"].ffill(
            limit=nuclear_carry_forward
        )
    return nat.set_index(key).sort_index()


def _covered_years(nat: pd.DataFrame, column: str) -> set[int]:
    years = nat.index.get_level_values("year")
    return set(years[nat[column].notna().to_numpy()].tolist())


def _paris_years(nat: pd.DataFrame, climate_first_year: int) -> set[int]:
    """Years the climate rule can code: Paris flag present and >= `climate_first_year`."""
    return {y for y in _covered_years(nat, "paris_outside") if y >= climate_first_year}


def _kleene_or(*flags: pd.Series) -> pd.Series:
    """1 if any flag is 1; 0 if all are 0; missing otherwise."""
    out = flags[0].astype("boolean")
    for f in flags[1:]:
        out = out | f.astype("boolean")
    return out.astype("Int8")


def classify_acts(names: Iterable[str]) -> pd.Series:
    """Norm of each act name (missing for listed non-candidates); unknown names raise.

    Raises :class:`UnknownActError` naming every act that is in neither
    :data:`CANDIDATE_ACTS` nor :data:`NON_CANDIDATE_ACTS`.
    """
    names = pd.Series(list(names), dtype="str")
    unknown = sorted(set(names.dropna()) - set(CANDIDATE_ACTS) - set(NON_CANDIDATE_ACTS))
    if names.isna().any():
        unknown = ["<missing act name>", *unknown]
    if unknown:
        raise UnknownActError(
            f"acts: {len(unknown)} act name(s) not classified for H1 defiance: {unknown}; "
            "add each to analysis.hypotheses.defiance.CANDIDATE_ACTS (with its norm) or "
            "NON_CANDIDATE_ACTS (with the reason)"
        )
    return names.map({k: v.norm for k, v in CANDIDATE_ACTS.items()})


def check_network_types(memberships: pd.DataFrame) -> pd.DataFrame:
    """The ETMUN networks behind ``network_adhesion:*`` candidates and their membership type.

    Returns one row per candidate network act with ``network_type`` from ``memberships``
    (the ETMUN key ``covenant_of_mayors`` is filed under ``gcom`` there) and ``ok`` True when
    it matches the act's norm. A reviewer's check, also run by the tests on the real tables.
    """
    _require(memberships, ["network", "network_type"], "memberships")
    types = memberships.groupby("network")["network_type"].agg(lambda s: ",".join(sorted(set(s))))
    rows = []
    for act, cand in CANDIDATE_ACTS.items():
        if not act.startswith("network_adhesion:"):
            continue
        network = act.split(":", 1)[1]
        key = "gcom" if network == "covenant_of_mayors" else network
        found = types.get(key)
        rows.append((act, key, cand.norm, found, found == cand.norm))
    return pd.DataFrame(rows, columns=["act", "network", "norm", "network_type", "ok"])


# --------------------------------------------------------------------------- defiance acts


def defiance_acts(
    acts: pd.DataFrame,
    city_year: pd.DataFrame,
    *,
    country_year: pd.DataFrame | None = None,
    climate_first_year: int = CLIMATE_FIRST_YEAR,
    democracy_reference_year: int = DEMOCRACY_REFERENCE_YEAR,
) -> DefianceActs:
    """Code every candidate act as defiance of a national norm violation, or not.

    Rules (DESIGN §2 H1), on the nation of the city (``city_year.country_iso3``) in the act's
    year (status at 31 December):

    - climate: ``paris_outside == 1`` (not ratified, or withdrawal announced/effective);
      codable for years from `climate_first_year` (2017, module docstring decision 3) within
      the flag's coverage. Dated acts of a country in :data:`PARIS_DATED_WINDOWS` (the US) are
      coded from the exact window instead of the year-end flag.
    - peace: ``nuclear_weapons_state == 1`` or ``nato_member == 1`` (1 if either is 1, 0 if
      both are 0, not codable otherwise).
    - democracy: V-Dem ``v2x_regime`` in (0, 1) in the act's year, or in
      `democracy_reference_year` when the act is undated (the GPM declaration always is).

    National flags come from `country_year` when given (covers years before city_year's first,
    e.g. Peace Messenger designations of 1987-1989), else from `city_year`.

    Returns :class:`DefianceActs`: ``acts`` has one row per candidate act (``act_id``,
    ``city_id``, ``country_iso3``, ``year``, ``date``, ``act``, ``source``, ``norm``,
    ``commitment``, ``flag_year`` (year whose national status was used),
    ``national_violation`` (the rule's national flag in ``flag_year``, shown even where the rule
    does not apply, e.g. Paris in 2015-2016), ``defiance`` (that flag where codable, else
    missing; Int8), ``reason`` and
    ``first_commitment`` (the city's earliest act for this commitment; the panel counts only
    these). ``audit`` counts acts by ``norm`` and ``reason`` (``n_acts``; ``n_counted`` =
    first commitments), a full grid for candidates plus one row per non-candidate act name
    (norm "none"), so ``audit.n_acts.sum() == len(acts input)``.

    Raises :class:`UnknownActError` for act names not classified in this module.
    """
    _require(acts, ["act_id", "city_id", "act", "year"], "acts")
    _require(city_year, ["city_id", "year", "country_iso3"], "city_year")
    norm = classify_acts(acts["act"])
    norm.index = acts.index
    is_cand = norm.notna()

    cand = acts.loc[is_cand].copy()
    cand["norm"] = norm[is_cand].astype("str")
    cand["commitment"] = cand["act"].map({k: v.commitment for k, v in CANDIDATE_ACTS.items()})
    if "date" not in cand.columns:
        cand["date"] = pd.Series(pd.NaT, index=cand.index, dtype="datetime64[ns]")
    if "source" not in cand.columns:
        cand["source"] = pd.Series(pd.NA, index=cand.index, dtype="str")
    cand["year"] = cand["year"].astype("Int64")
    countries = _city_countries(city_year)
    cand["country_iso3"] = cand["city_id"].map(countries).astype("str")

    nat_source = city_year if country_year is None else country_year
    nat = national_table(nat_source)
    flag_year = cand["year"].copy()
    is_dem = cand["norm"].eq(DEMOCRACY)
    flag_year[is_dem & flag_year.isna()] = democracy_reference_year
    cand["flag_year"] = flag_year

    looked = nat.reindex(
        pd.MultiIndex.from_arrays(
            [cand["country_iso3"].fillna(""), cand["flag_year"].fillna(-1).astype("int64")],
            names=["country_iso3", "year"],
        )
    )
    looked.index = cand.index

    paris_years = _paris_years(nat, climate_first_year)
    peace_years = _covered_years(nat, "nuclear_weapons_state") & _covered_years(nat, "nato_member")
    dem_years = _covered_years(nat, "v2x_regime")
    fy = cand["flag_year"]
    covered = pd.Series(False, index=cand.index)
    covered[cand["norm"].eq(CLIMATE)] = fy.isin(paris_years)
    covered[cand["norm"].eq(PEACE)] = fy.isin(peace_years)
    covered[is_dem] = fy.isin(dem_years)
    covered = covered & fy.notna()

    violation = pd.Series(pd.NA, index=cand.index, dtype="Int8")
    clim = cand["norm"].eq(CLIMATE)
    violation[clim] = looked.loc[clim, "paris_outside"].astype("Int8")
    for iso, (start, end) in PARIS_DATED_WINDOWS.items():
        dated = clim & cand["country_iso3"].eq(iso) & cand["date"].notna() & covered
        inside = (cand["date"] >= start) & (cand["date"] < end)
        violation[dated] = inside[dated].astype("Int8")
    peace = cand["norm"].eq(PEACE)
    violation[peace] = _kleene_or(
        looked.loc[peace, "nuclear_weapons_state"], looked.loc[peace, "nato_member"]
    )
    regime = looked.loc[is_dem, "v2x_regime"]
    violation[is_dem] = regime.isin(AUTOCRACY_REGIMES).astype("Int8").where(regime.notna())
    defiance = violation.where(covered)

    in_city_year = cand["city_id"].isin(countries.index)
    reason = pd.Series(NO_NATIONAL_DATA, index=cand.index, dtype="str")
    reason[defiance.eq(1).fillna(False)] = DEFIANCE
    reason[defiance.eq(0).fillna(False)] = NOT_DEFIANCE
    reason[~covered] = OUTSIDE_COVERAGE
    reason[fy.isna()] = UNDATED
    reason[~in_city_year] = NO_CITY
    defiance[~in_city_year] = pd.NA
    cand["national_violation"] = violation.astype("Int8")
    cand["defiance"] = defiance.astype("Int8")
    cand["reason"] = reason

    # First commitment: earliest year, then earliest date (a dated source before an undated
    # one of the same year), then act_id.
    order = cand.sort_values(
        ["city_id", "commitment", "year", "date", "act_id"], na_position="last"
    )
    first = ~order.duplicated(["city_id", "commitment"])
    cand["first_commitment"] = first.reindex(cand.index).astype("bool")

    out_cols = [
        "act_id",
        "city_id",
        "country_iso3",
        "year",
        "date",
        "act",
        "source",
        "norm",
        "commitment",
        "flag_year",
        "national_violation",
        "defiance",
        "reason",
        "first_commitment",
    ]
    coded = cand[out_cols].sort_values("act_id").reset_index(drop=True)
    return DefianceActs(coded, _audit(coded, acts.loc[~is_cand, "act"]))


def _audit(coded: pd.DataFrame, non_candidates: pd.Series) -> pd.DataFrame:
    grid = pd.MultiIndex.from_product([NORMS, CANDIDATE_REASONS], names=["norm", "reason"])
    counts = (
        coded.groupby(["norm", "reason"])
        .agg(n_acts=("act_id", "size"), n_counted=("first_commitment", "sum"))
        .reindex(grid, fill_value=0)
        .reset_index()
    )
    other = non_candidates.value_counts().sort_index()
    rest = pd.DataFrame(
        {
            "norm": "none",
            "reason": [f"{NOT_CANDIDATE}: {a}" for a in other.index],
            "n_acts": other.to_numpy(),
            "n_counted": 0,
        }
    )
    audit = pd.concat([counts, rest], ignore_index=True)
    return audit.astype({"norm": "str", "reason": "str", "n_acts": "int64", "n_counted": "int64"})


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
    (:func:`source_coverage`), else 0."""
    _require(frame, ["country_iso3", "year"], "frame")
    out = frame.copy()
    for n in (CLIMATE, PEACE):
        cov = coverage[coverage["norm"].eq(n)]
        flag = np.zeros(len(out), dtype="int8")
        for _, r in cov.iterrows():
            hit = out["country_iso3"].eq(r["country_iso3"]) & out["year"].between(
                r["first_year"], r["last_year"]
            )
            flag |= hit.to_numpy(dtype="int8")
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
    "CANDIDATE_ACTS",
    "FEDERAL_COUNTRIES",
    "NON_CANDIDATE_ACTS",
    "DefianceActs",
    "UnknownActError",
    "check_network_types",
    "classify_acts",
    "could_act",
    "country_shares",
    "country_year_rates",
    "coverage_flags",
    "defiance_acts",
    "defiance_panel",
    "national_table",
    "source_coverage",
    "tie_composition",
    "universe_columns",
]
