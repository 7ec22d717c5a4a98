"""H1 acts: which city acts defy a national norm violation, coded act by act with an audit.

DESIGN §2 H1: "democracy enables local defiance; autocracy harnesses city diplomacy as an
extension of national diplomacy". Pure functions on the harmonized tables in
``results/data`` (pandas in, pandas out, no file IO): :func:`defiance_acts` codes every
norm-enforcing act of a city as defiance (the nation was violating that norm at the time) or
not, with an audit that places every act in exactly one reason. The panel built from the coded
acts is in :mod:`analysis.hypotheses.h1_panel`.

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
            "add each to analysis.hypotheses.h1_acts.CANDIDATE_ACTS (with its norm) or "
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


__all__ = [
    "CANDIDATE_ACTS",
    "FEDERAL_COUNTRIES",
    "NON_CANDIDATE_ACTS",
    "DefianceActs",
    "UnknownActError",
    "check_network_types",
    "classify_acts",
    "defiance_acts",
    "national_table",
]
