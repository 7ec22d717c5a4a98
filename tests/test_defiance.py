"""H1 defiance coding, panel and tie composition on small synthetic tables (and the real ones)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.hypotheses import h1_acts as D
from analysis.hypotheses.h1_acts import (
    DEFIANCE,
    NO_CITY,
    NO_NATIONAL_DATA,
    NOT_DEFIANCE,
    OUTSIDE_COVERAGE,
    UnknownActError,
    defiance_acts,
)
from analysis.hypotheses.h1_panel import defiance_panel, tie_composition

YEARS = range(2008, 2025)
NA = pd.NA

# Per country: function year -> (paris_outside, nuclear_weapons_state, nato_member, v2x_regime).
# Paris flags exist 2015-2024, nuclear status to 2022 (as in the real tables).

MIN_POP = 300_000  # config models.universe.h1_min_population (the panel's floor)


def _usa(y: int) -> tuple:
    paris = 1 if y == 2015 or 2017 <= y <= 2020 else 0
    return paris, 1, 1, 3


def _tur(y: int) -> tuple:
    return (1 if y <= 2020 else 0), 0, 1, 1


def _bra(y: int) -> tuple:
    return (1 if y == 2015 else 0), 0, 0, 2


def _hun(y: int) -> tuple:
    return (1 if y == 2015 else 0), 0, 1, (2 if y <= 2021 else 1)


def _chn(y: int) -> tuple:
    return (1 if y == 2015 else 0), 1, 0, 0


def _xxx(y: int) -> tuple:  # a country without national data
    return NA, NA, NA, NA


COUNTRIES = {"USA": _usa, "TUR": _tur, "BRA": _bra, "HUN": _hun, "CHN": _chn, "XXX": _xxx}
#: city_id -> (country, geonames_pop, active)
CITIES = {
    1: ("USA", 2_000_000, True),
    2: ("TUR", 500_000, True),
    3: ("BRA", 100_000, True),
    4: ("HUN", 50_000, True),
    5: ("CHN", 8_000_000, True),
    6: ("BRA", 20_000, False),  # small and inactive: not in the H1 universe
    7: ("CHN", 400_000, False),  # inactive but large: in the universe
    8: ("XXX", 50_000, True),
}


def make_city_year(cities: dict = CITIES, years: range = YEARS) -> pd.DataFrame:
    rows = []
    for cid, (iso, pop, active) in cities.items():
        for y in years:
            paris, nuke, nato, regime = COUNTRIES[iso](y)
            rows.append(
                {
                    "city_id": cid,
                    "year": y,
                    "country_iso3": iso,
                    "geonames_pop": pop,
                    "n_networks": int(active),
                    "acts_normative": 0,
                    "acts_economic": 0,
                    "acts_undated": 0,
                    "sister_city_degree": 0,
                    "log_pop": np.log(pop),
                    "capital": 0,
                    "gdp_pc_usd": 10_000.0 if y < 2024 else np.nan,
                    "v2x_polyarchy": np.nan if regime is NA else (0.2 if regime in (0, 1) else 0.8),
                    "v2x_regime": regime,
                    "polity2": 5.0 if y <= 2018 else np.nan,
                    "fh_total": 50.0,
                    "lied": 4,
                    "bmr_democracy": 1,
                    "rai": 10.0 if y <= 2010 else np.nan,
                    "lai": np.nan,
                    "paris_outside": paris if y >= 2015 else NA,
                    "nuclear_weapons_state": nuke if y <= 2022 else NA,
                    "nato_member": float(nato) if nato is not NA else np.nan,
                }
            )
    cy = pd.DataFrame(rows)
    return cy.astype(
        {
            "country_iso3": "str",
            "paris_outside": "Int64",
            "nuclear_weapons_state": "Int64",
            "v2x_regime": "Int64",
            "lied": "Int64",
            "bmr_democracy": "Int64",
        }
    )


def make_acts(rows: list[tuple]) -> pd.DataFrame:
    """rows: (city_id, act, year, date or None)."""
    df = pd.DataFrame(rows, columns=["city_id", "act", "year", "date"])
    df.insert(0, "act_id", range(1, len(df) + 1))
    df["year"] = df["year"].astype("Int64")
    df["date"] = pd.to_datetime(df["date"])
    df["act"] = df["act"].astype("str")
    df["source"] = "test"
    return df


@pytest.fixture(scope="module")
def city_year() -> pd.DataFrame:
    return make_city_year()


def code_one(city_year: pd.DataFrame, city: int, act: str, year, date=None, **kw) -> pd.Series:
    coded, _ = defiance_acts(make_acts([(city, act, year, date)]), city_year, **kw)
    assert len(coded) == 1
    return coded.iloc[0]


# --------------------------------------------------------------------------- classification


def test_mapping_covers_the_real_act_names_and_is_disjoint() -> None:
    real = {
        "gcom_adhesion",
        "network_adhesion:covenant_of_mayors",
        "network_adhesion:climate_alliance",
        "network_adhesion:iclei",
        "network_adhesion:civitas",
        "network_adhesion:iampc",
        "climate_emergency_declaration",
        "cdp_disclosure",
        "gpm_democracy_declaration",
        "imamoglu_support_statement",
        "twinning_tie",
        "network_adhesion:recevin",
    }
    assert real <= set(D.CANDIDATE_ACTS) | set(D.NON_CANDIDATE_ACTS)
    assert not set(D.CANDIDATE_ACTS) & set(D.NON_CANDIDATE_ACTS)
    norms = {a: c.norm for a, c in D.CANDIDATE_ACTS.items()}
    assert norms["network_adhesion:iampc"] == "peace"
    assert norms["gpm_democracy_declaration"] == "democracy"
    assert {a for a, n in norms.items() if n == "climate"} == {
        "gcom_adhesion",
        "network_adhesion:covenant_of_mayors",
        "network_adhesion:climate_alliance",
        "network_adhesion:iclei",
        "network_adhesion:civitas",
        "climate_emergency_declaration",
    }
    # Covenant of Mayors and GCoM are one commitment (network_aliases.csv files both as gcom).
    assert D.CANDIDATE_ACTS["network_adhesion:covenant_of_mayors"].commitment == "gcom"
    assert D.CANDIDATE_ACTS["gcom_adhesion"].commitment == "gcom"


def test_unknown_act_raises_with_its_name(city_year: pd.DataFrame) -> None:
    acts = make_acts([(1, "gcom_adhesion", 2018, None), (1, "network_adhesion:icp", 2018, None)])
    with pytest.raises(UnknownActError, match=r"network_adhesion:icp"):
        defiance_acts(acts, city_year)
    acts.loc[0, "act"] = None
    with pytest.raises(UnknownActError, match="missing act name"):
        defiance_acts(acts, city_year)


def test_non_candidates_are_audited_not_coded(city_year: pd.DataFrame) -> None:
    acts = make_acts(
        [
            (1, "cdp_disclosure", 2018, None),
            (2, "twinning_tie", 1990, None),
            (2, "gcom_adhesion", 2018, None),
        ]
    )
    coded, audit = defiance_acts(acts, city_year)
    assert coded["act"].tolist() == ["gcom_adhesion"]
    none = audit[audit["norm"] == "none"].set_index("reason")["n_acts"]
    assert none["not a defiance candidate: cdp_disclosure"] == 1
    assert none["not a defiance candidate: twinning_tie"] == 1
    assert audit["n_acts"].sum() == len(acts)


# --------------------------------------------------------------------------- climate rule


@pytest.mark.parametrize(
    ("year", "reason", "defiance"),
    [
        (2014, OUTSIDE_COVERAGE, NA),  # no Paris flag
        (2015, OUTSIDE_COVERAGE, NA),  # before the Agreement could be ratified
        (2016, OUTSIDE_COVERAGE, NA),  # ratification-procedure year (decision 3)
        (2017, DEFIANCE, 1),
        (2020, DEFIANCE, 1),
        (2021, NOT_DEFIANCE, 0),  # Turkey ratified in 2021
        (2024, NOT_DEFIANCE, 0),
        (2025, OUTSIDE_COVERAGE, NA),  # after the flags
    ],
)
def test_climate_boundary_years(city_year, year, reason, defiance) -> None:
    row = code_one(city_year, 2, "gcom_adhesion", year)
    assert row["reason"] == reason
    assert row["defiance"] is NA if defiance is NA else row["defiance"] == defiance
    # The national flag is shown even where the rule does not apply (Turkey was outside).
    if year in (2014, 2025):  # no flag at all
        assert row["national_violation"] is NA
    else:
        assert row["national_violation"] == (1 if year <= 2020 else 0)


def test_climate_first_year_is_a_parameter(city_year) -> None:
    row = code_one(city_year, 2, "network_adhesion:climate_alliance", 2016, climate_first_year=2016)
    assert (row["reason"], row["defiance"]) == (DEFIANCE, 1)
    row = code_one(city_year, 3, "climate_emergency_declaration", 2016, climate_first_year=2016)
    assert (row["reason"], row["defiance"]) == (NOT_DEFIANCE, 0)
    # 2015 stays uncodable unless asked for explicitly.
    row = code_one(city_year, 3, "gcom_adhesion", 2015, climate_first_year=2015)
    assert row["defiance"] == 1


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2017-05-31", 0),  # before the US announcement: year-end flag (1) overridden
        ("2017-06-01", 1),
        ("2020-12-31", 1),
        ("2021-02-18", 1),  # still outside: year-end flag (0) overridden
        ("2021-02-19", 0),  # back in
    ],
)
def test_us_withdrawal_dates_for_dated_acts(city_year, date, expected) -> None:
    year = int(date[:4])
    row = code_one(city_year, 1, "climate_emergency_declaration", year, date)
    assert row["defiance"] == expected
    assert row["reason"] == (DEFIANCE if expected else NOT_DEFIANCE)


def test_undated_us_acts_use_the_year_end_flag(city_year) -> None:
    assert code_one(city_year, 1, "network_adhesion:iclei", 2017)["defiance"] == 1
    assert code_one(city_year, 1, "network_adhesion:iclei", 2021)["defiance"] == 0


# --------------------------------------------------------------------------- peace rule


@pytest.mark.parametrize(
    ("city", "year", "expected"),
    [
        (2, 2018, 1),  # Turkey: NATO, not nuclear
        (5, 2018, 1),  # China: nuclear, not NATO
        (1, 2018, 1),  # USA: both
        (3, 2018, 0),  # Brazil: neither
        (1, 2023, 1),  # nuclear flag carried forward, NATO known
        (5, 2024, 1),  # nuclear carried forward two years
    ],
)
def test_peace_under_nato_or_nuclear(city_year, city, year, expected) -> None:
    row = code_one(city_year, city, "network_adhesion:iampc", year)
    assert row["defiance"] == expected


def test_peace_without_national_data_and_outside_coverage(city_year) -> None:
    row = code_one(city_year, 8, "network_adhesion:iampc", 2018)
    assert (row["reason"], row["defiance"]) == (NO_NATIONAL_DATA, NA)
    row = code_one(city_year, 3, "network_adhesion:iampc", 1987)
    assert row["reason"] == OUTSIDE_COVERAGE


def test_peace_before_city_year_uses_country_year(city_year) -> None:
    country_year = pd.DataFrame(
        {
            "country_iso3": ["TUR", "TUR"],
            "year": [1987, 1988],
            "paris_outside": pd.array([NA, NA], dtype="Int64"),
            "nuclear_weapons_state": pd.array([0, 0], dtype="Int64"),
            "nato_member": [1.0, 1.0],
            "v2x_regime": pd.array([1, 1], dtype="Int64"),
        }
    )
    acts = make_acts([(2, "network_adhesion:iampc", 1987, None)])
    coded, _ = defiance_acts(acts, city_year, country_year=country_year)
    assert coded.loc[0, "defiance"] == 1


def test_mixed_missing_peace_flags() -> None:
    nuke = pd.Series([1, NA, 0, NA, 0], dtype="Int64")
    nato = pd.Series([np.nan, 1, 0, 0, np.nan], dtype="float64")
    assert D._kleene_or(nuke, nato).tolist() == [1, 1, 0, NA, NA]


# --------------------------------------------------------------------------- democracy rule


def test_democracy_declaration_under_autocracy_at_reference_year(city_year) -> None:
    row = code_one(city_year, 4, "gpm_democracy_declaration", None)
    assert D.DEMOCRACY_REFERENCE_YEAR == 2022
    assert (row["flag_year"], row["defiance"], row["reason"]) == (2022, 1, DEFIANCE)
    # Hungary is a democracy in 2021 in this fixture: the reference year decides.
    row = code_one(city_year, 4, "gpm_democracy_declaration", None, democracy_reference_year=2021)
    assert (row["defiance"], row["reason"]) == (0, NOT_DEFIANCE)
    assert code_one(city_year, 3, "gpm_democracy_declaration", None)["defiance"] == 0
    assert code_one(city_year, 5, "gpm_democracy_declaration", None)["defiance"] == 1
    # A dated declaration uses its own year.
    assert code_one(city_year, 4, "gpm_democracy_declaration", 2020)["defiance"] == 0


def test_city_not_in_city_year(city_year) -> None:
    row = code_one(city_year, 999, "gcom_adhesion", 2018)
    assert (row["reason"], row["defiance"]) == (NO_CITY, NA)
    assert row["country_iso3"] is NA or pd.isna(row["country_iso3"])


# --------------------------------------------------------------------------- audit, commitments


def test_audit_balances_and_first_commitment(city_year) -> None:
    acts = make_acts(
        [
            (2, "gcom_adhesion", 2018, "2018-03-01"),
            (2, "network_adhesion:covenant_of_mayors", 2018, None),  # same commitment
            (2, "gcom_adhesion", 2019, "2019-01-01"),  # a second signatory: repeat
            (2, "network_adhesion:climate_alliance", 2018, None),  # another commitment
            (3, "gcom_adhesion", 2015, None),
            (8, "gcom_adhesion", 2018, None),
            (999, "network_adhesion:iampc", 2018, None),
            (4, "gpm_democracy_declaration", None, None),
            (1, "twinning_tie", 2000, None),
        ]
    )
    coded, audit = defiance_acts(acts, city_year)
    assert len(coded) == 8
    assert coded["act_id"].is_unique
    cand = audit[audit["norm"] != "none"]
    assert cand["n_acts"].sum() == len(coded)
    assert audit["n_acts"].sum() == len(acts)
    # Every coded act is in exactly one reason, and the audit agrees with the rows.
    assert (
        cand.set_index(["norm", "reason"])["n_acts"].loc[lambda s: s > 0].sort_index()
        == coded.groupby(["norm", "reason"]).size().sort_index()
    ).all()
    firsts = coded.set_index("act_id")["first_commitment"]
    assert firsts.loc[[1, 2, 3, 4]].tolist() == [True, False, False, True]
    assert cand["n_counted"].sum() == coded["first_commitment"].sum()
    assert coded.loc[coded["city_id"] == 8, "reason"].item() == NO_NATIONAL_DATA
    # Missing flags are missing in both columns, never 0.
    uncodable = ~coded["reason"].isin([DEFIANCE, NOT_DEFIANCE])
    assert coded.loc[uncodable, "defiance"].isna().all()
    assert coded.loc[~uncodable, "defiance"].notna().all()


ACT_NAMES = sorted(D.CANDIDATE_ACTS) + sorted(D.NON_CANDIDATE_ACTS)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from([*CITIES, 999]),
            st.sampled_from(ACT_NAMES),
            st.one_of(st.none(), st.integers(1985, 2026)),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_audit_always_balances(rows) -> None:
    cy = _CITY_YEAR
    acts = make_acts([(c, a, y, None) for c, a, y in rows])
    coded, audit = defiance_acts(acts, cy)
    assert audit["n_acts"].sum() == len(acts)
    assert audit.loc[audit["norm"] != "none", "n_acts"].sum() == len(coded)
    assert coded["reason"].isin(D.CANDIDATE_REASONS).all()
    assert set(coded["defiance"].dropna().unique()) <= {0, 1}
    assert (coded["defiance"].eq(1).fillna(False) == coded["reason"].eq(DEFIANCE)).all()
    assert coded.groupby(["city_id", "commitment"])["first_commitment"].sum().eq(1).all()


_CITY_YEAR = make_city_year()


# --------------------------------------------------------------------------- panel


@pytest.fixture(scope="module")
def panel_inputs(city_year) -> tuple[pd.DataFrame, pd.DataFrame]:
    acts = make_acts(
        [
            (2, "gcom_adhesion", 2018, "2018-03-01"),  # defiance
            (2, "network_adhesion:covenant_of_mayors", 2018, None),  # repeat: not counted
            (2, "network_adhesion:climate_alliance", 2018, None),  # defiance, 2nd commitment
            (2, "network_adhesion:iampc", 2017, None),  # peace defiance
            (3, "gcom_adhesion", 2018, None),  # not defiance
            (1, "climate_emergency_declaration", 2021, "2021-01-10"),  # US window defiance
            (1, "gcom_adhesion", 2010, None),  # outside coverage
            (5, "network_adhesion:iampc", 2014, None),  # defiance before the window
            (4, "gpm_democracy_declaration", None, None),  # undated defiance
        ]
    )
    coded, _ = defiance_acts(acts, city_year)
    return coded, defiance_panel(city_year, coded, 2015, 2023, min_population=MIN_POP)


def test_panel_keys_universe_and_counts(panel_inputs) -> None:
    _, panel = panel_inputs
    assert not panel.duplicated(["city_id", "year"]).any()
    assert set(panel["city_id"]) == {1, 2, 3, 4, 5, 7, 8}  # 6 is small and inactive
    assert panel["year"].between(2015, 2023).all()
    assert len(panel) == 7 * 9
    assert panel.attrs["cities_dropped_cannot_act"] == 1
    row = panel.set_index(["city_id", "year"])
    assert row.loc[(2, 2018), "defiance_acts"] == 2
    assert row.loc[(2, 2018), "defiance_climate"] == 2
    assert row.loc[(2, 2017), "defiance_peace"] == 1
    assert row.loc[(2, 2018), "any_defiance"] == 1
    assert row.loc[(3, 2018), "defiance_acts"] == 0
    assert row.loc[(1, 2021), "defiance_acts"] == 1
    assert (row.loc[4, "defiance_undated"] == 1).all()
    assert row.loc[4, "defiance_acts"].sum() == 0
    assert panel["defiance_acts"].sum() == 4
    assert panel.attrs["defiance_acts_outside_years"] == 1
    assert panel.attrs["defiance_acts_not_in_panel"] == 0
    assert (panel["any_defiance"] == panel["defiance_acts"].gt(0).astype(int)).all()


def test_panel_opportunity_flags(panel_inputs) -> None:
    _, panel = panel_inputs
    row = panel.set_index(["city_id", "year"])
    # Climate: not codable before 2017, USA 2021 by the dated window, Turkey to 2020.
    assert row.loc[(2, 2016), "opportunity_climate"] is NA
    assert row.loc[(2, 2017), "opportunity_climate"] == 1
    assert row.loc[(2, 2021), "opportunity_climate"] == 0
    assert row.loc[(1, 2021), "opportunity_climate"] == 1
    assert row.loc[(1, 2022), "opportunity_climate"] == 0
    # Peace: NATO or nuclear; nuclear carried into 2023.
    assert row.loc[(3, 2018), "opportunity_peace"] == 0
    assert row.loc[(5, 2023), "opportunity_peace"] == 1
    # Any norm; a non-codable climate year contributes nothing.
    assert row.loc[(3, 2015), "opportunity"] == 0
    assert row.loc[(3, 2018), "opportunity"] == 0
    assert row.loc[(2, 2022), "opportunity"] == 1
    assert row.loc[(8, 2018), "opportunity"] is NA
    # Democracy flag reported, not in `opportunity`.
    assert row.loc[(4, 2022), "opportunity_democracy"] == 1
    assert row.loc[(4, 2021), "opportunity_democracy"] == 0
    assert row.loc[(4, 2021), "opportunity"] == 1  # NATO
    # Every counted dated defiance act sits in a city-year with that norm's opportunity.
    for norm in ("climate", "peace"):
        hit = panel[panel[f"defiance_{norm}"] > 0]
        assert (hit[f"opportunity_{norm}"] == 1).all()
        assert (hit["opportunity"] == 1).all()


def test_panel_covariates(panel_inputs) -> None:
    _, panel = panel_inputs
    row = panel.set_index(["city_id", "year"])
    assert row.loc[(5, 2018), "china_mainland"] == 1
    assert row.loc[(3, 2018), "china_mainland"] == 0
    assert row.loc[(3, 2018), "federal"] == 1  # Brazil
    assert row.loc[(2, 2018), "federal"] == 0
    assert row.loc[(1, 2018), "federal"] == 1
    assert row.loc[(1, 2018), "log_gdp_pc"] == pytest.approx(np.log(10_000))
    # RAI enters as the latest measurement (2010 here), with its year.
    assert row.loc[(1, 2020), "rai"] == 10.0
    assert row.loc[(1, 2020), "rai_year"] == 2010
    assert pd.isna(row.loc[(1, 2020), "lai"])
    assert pd.isna(row.loc[(1, 2020), "polity2"])  # regime alternatives are not filled
    for col in ("v2x_polyarchy", "v2x_regime", "fh_total", "lied", "bmr_democracy", "capital"):
        assert col in panel.columns


def test_panel_rejects_bad_years(city_year) -> None:
    coded, _ = defiance_acts(make_acts([(1, "gcom_adhesion", 2018, None)]), city_year)
    with pytest.raises(D.PipelineError, match="first_year"):
        defiance_panel(city_year, coded, 2020, 2019, min_population=MIN_POP)


def test_federal_list() -> None:
    brief = {"ARG", "AUS", "AUT", "BEL", "BIH", "BRA", "CAN", "CHE", "COM", "DEU", "ETH", "IND",
             "IRQ", "MEX", "MYS", "NGA", "NPL", "PAK", "RUS", "SDN", "SOM", "SSD", "USA", "VEN",
             "ARE"}  # fmt: skip
    assert brief <= D.FEDERAL_COUNTRIES
    assert all(len(c) == 3 and c.isupper() for c in D.FEDERAL_COUNTRIES)
    assert D.FEDERAL_CONTESTED <= D.FEDERAL_COUNTRIES
    assert "CHN" not in D.FEDERAL_COUNTRIES


# --------------------------------------------------------------------------- composition


def _memberships(rows: list[tuple]) -> pd.DataFrame:
    """rows: (city_id, network, network_type, join_year, first_observed_year)."""
    df = pd.DataFrame(
        rows, columns=["city_id", "network", "network_type", "join_year", "first_observed_year"]
    )
    df["source"] = "test"
    return df.astype(
        {
            "network": "str",
            "network_type": "str",
            "join_year": "Int64",
            "first_observed_year": "Int64",
        }
    )


def _dyads(pairs: list[tuple[int, int]], tie_type: str = "sister_city") -> pd.DataFrame:
    a = [min(p) for p in pairs]
    b = [max(p) for p in pairs]
    return pd.DataFrame({"city_a": a, "city_b": b, "tie_type": tie_type, "source": "test"})


def test_composition_counts_and_shares(city_year) -> None:
    mem = _memberships(
        [
            (1, "gcom", "climate", 2010, 2019),
            (1, "gcom", "climate", NA, 2020),  # same network from a second source
            (1, "iampc", "peace", 1990, 2019),
            (1, "climate_mayors", "climate", NA, 2018),  # national programme
            (1, "nazca", "climate", NA, 2020),  # registry
            (1, "eurocities", "general", NA, 2019),  # general
            (1, "aivp", "economic", NA, 2019),
            (1, "c40", "climate", 2022, 2022),  # joined after the year
            (1, "race_to_zero", "climate", NA, 2022),  # first observed after the year
            (2, "owhc", "general", NA, 2019),  # only general: no row
        ]
    )
    dy = pd.concat(
        [
            _dyads([(1, 5), (1, 7), (1, 3)]),  # 3 foreign partners of city 1
            _dyads([(1, 5)], "twinning"),  # same partner again, other tie type
            _dyads([(5, 7)]),  # domestic (both CHN)
        ],
        ignore_index=True,
    )
    comp = tie_composition(city_year, mem, dy, 2020).set_index("city_id")
    assert comp.index.is_unique
    c1 = comp.loc[1]
    assert (c1["normative_ties"], c1["economic_ties"], c1["total_ties"]) == (2, 4, 6)
    assert c1["normative_share"] == pytest.approx(2 / 6)
    assert (c1["national_programmes"], c1["registries"], c1["general_ties"]) == (1, 1, 1)
    assert (c1["international_partners"], c1["economic_networks"]) == (3, 1)
    # City 5 (China): one foreign partner (1), one domestic (7), no normative tie.
    c5 = comp.loc[5]
    assert (c5["normative_ties"], c5["economic_ties"], c5["domestic_partners"]) == (0, 1, 1)
    assert c5["normative_share"] == 0
    assert c5["china_mainland"] == 1
    assert comp.loc[1, "china_mainland"] == 0
    assert 2 not in comp.index  # only a general network
    assert set(comp.index) == {1, 3, 5, 7}
    assert comp.attrs["cities_only_general_or_domestic"] == 1
    assert (comp["year"] == 2020).all()
    # Registries can be counted as normative for robustness.
    alt = tie_composition(city_year, mem, dy, 2020, count_registries=True).set_index("city_id")
    assert alt.loc[1, "normative_ties"] == 3
    # At 2022 the later joins count.
    later = tie_composition(city_year, mem, dy, 2022).set_index("city_id")
    assert later.loc[1, "normative_ties"] == 4


def test_composition_rejects_unknown_network_type(city_year) -> None:
    mem = _memberships([(1, "x", "cultural", NA, 2019)])
    with pytest.raises(D.PipelineError, match="cultural"):
        tie_composition(city_year, mem, _dyads([]), 2020)


NETWORKS = [
    ("gcom", "climate"),
    ("iampc", "peace"),
    ("alda", "democracy"),
    ("aivp", "economic"),
    ("ecm", "economic"),
    ("owhc", "general"),
    ("nazca", "climate"),
    ("we_are_still_in", "climate"),
]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    mem=st.lists(
        st.tuples(
            st.sampled_from(list(CITIES)),
            st.sampled_from(NETWORKS),
            st.one_of(st.none(), st.integers(2000, 2024)),
            st.integers(2016, 2025),
        ),
        max_size=25,
    ),
    pairs=st.lists(st.tuples(st.sampled_from(list(CITIES)), st.sampled_from(list(CITIES)))),
    year=st.integers(2015, 2024),
    registries=st.booleans(),
)
def test_composition_properties(mem, pairs, year, registries) -> None:
    memberships = _memberships([(c, n, t, j, o) for c, (n, t), j, o in mem])
    comp = tie_composition(
        _CITY_YEAR, memberships, _dyads(pairs), year, count_registries=registries
    )
    assert comp["city_id"].is_unique
    assert (comp["normative_ties"] + comp["economic_ties"] == comp["total_ties"]).all()
    assert (comp["total_ties"] > 0).all()
    assert comp["normative_share"].between(0, 1).all()
    assert (comp["china_mainland"] == comp["country_iso3"].eq("CHN").astype(int)).all()
    assert (
        comp["economic_ties"] == comp["international_partners"] + comp["economic_networks"]
    ).all()


# --------------------------------------------------------------------------- real tables

TABLES = ("acts", "memberships", "dyads", "city_year", "country_year")


@pytest.fixture(scope="module")
def real(pipeline_results: Path) -> dict[str, pd.DataFrame]:
    """The real tables, from the session's pipeline run on the mirror (skips without it)."""
    data = pipeline_results / "data"
    return {t: pd.read_parquet(data / f"{t}.parquet") for t in TABLES}


@pytest.mark.pipeline
def test_real_tables_invariants(real) -> None:
    acts, cy = real["acts"], real["city_year"]
    checked = D.check_network_types(real["memberships"])
    assert checked["ok"].all(), checked

    coded, audit = defiance_acts(acts, cy, country_year=real["country_year"])
    n_candidates = int(acts["act"].isin(list(D.CANDIDATE_ACTS)).sum())
    assert len(coded) == n_candidates
    assert audit.loc[audit["norm"] != "none", "n_acts"].sum() == n_candidates
    assert audit["n_acts"].sum() == len(acts)
    assert coded["act_id"].is_unique

    panel = defiance_panel(cy, coded, min_population=MIN_POP)
    assert not panel.duplicated(["city_id", "year"]).any()
    assert panel["year"].between(D.PANEL_FIRST_YEAR, D.PANEL_LAST_YEAR).all()
    assert panel.attrs["defiance_acts_not_in_panel"] == 0
    for norm in ("climate", "peace"):
        hit = panel[panel[f"defiance_{norm}"] > 0]
        assert (hit[f"opportunity_{norm}"] == 1).all()
    # The universe: exactly the cities with an act, membership or tie, or >= 300,000 people.
    actors = (
        set(acts["city_id"])
        | set(real["memberships"]["city_id"])
        | set(real["dyads"]["city_a"])
        | set(real["dyads"]["city_b"])
    )
    big = set(cy.loc[cy["geonames_pop"] >= MIN_POP, "city_id"])
    # ... plus every GHSL urban centre of the universe (ghsl_universe), acts or not.
    big |= set(cy.loc[cy["ghsl_universe"] == 1, "city_id"])
    assert set(panel["city_id"]) == (actors | big) & set(cy["city_id"])

    comp = tie_composition(cy, real["memberships"], real["dyads"])
    assert comp["city_id"].is_unique
    assert comp["normative_share"].between(0, 1).all()
    # Network counts reconcile with city_year's own counts in the same year.
    at = cy[cy["year"] == D.COMPOSITION_YEAR].set_index("city_id").loc[comp["city_id"]]
    c = comp.set_index("city_id")
    normative_all = c["normative_ties"] + c["national_programmes"] + c["registries"]
    expected = at["n_networks_climate"] + at["n_networks_peace"] + at["n_networks_democracy"]
    assert (normative_all == expected).all()
    assert (c["economic_networks"] == at["n_networks_economic"]).all()
    assert (c["general_ties"] == at["n_networks_general"]).all()
    assert (c["international_partners"] + c["domestic_partners"] == at["sister_city_degree"]).all()
