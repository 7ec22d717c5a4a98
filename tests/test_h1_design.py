"""H1's design on the activity-independent universe (issue 14): source coverage, per-norm
opportunity with coverage, universe columns, country-year rates and country shares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.hypotheses import h1_acts as D
from analysis.hypotheses import h1_panel as P
from analysis.hypotheses.h1_tables import _span_text, countries_markdown, coverage_table
from tests.test_defiance import MIN_POP, make_acts, make_city_year


def _acts(rows: list[tuple]) -> pd.DataFrame:
    """rows: (city_id, act, year, source)."""
    acts = make_acts([(c, a, y, None) for c, a, y, _ in rows])
    acts["source"] = [s for *_, s in rows]
    return acts


@pytest.fixture(scope="module")
def city_year() -> pd.DataFrame:
    cy = make_city_year()
    # City 6 (BRA, small, inactive) is an urban centre of the universe; city 7 is a centre
    # below the threshold (in city_year for its size, not flagged).
    cy["ghsl_universe"] = cy["city_id"].isin([1, 2, 5, 6]).astype("int8")
    cy["ghsl_pop_2020"] = cy["city_id"].map({1: 2e6, 2: 5e5, 5: 8e6, 6: 1.5e5, 7: 9e4})
    return cy


ACTS = [
    (2, "gcom_adhesion", 2018, "gcom_mycovenant"),  # TUR, climate defiance
    (3, "gcom_adhesion", 2012, "gcom_mycovenant"),  # BRA, not defiance: still coverage
    (1, "climate_emergency_declaration", 2019, "cedamia"),  # USA
    (1, "cdp_disclosure", 2016, "cedamia"),  # any act type counts for coverage
    (2, "network_adhesion:iampc", 1990, "etmun"),  # peace, TUR
    (4, "twinning_tie", 2000, "etmun"),  # HUN: etmun records something there
]


def test_source_coverage_rule(city_year) -> None:
    cov = P.source_coverage(_acts(ACTS), city_year)
    key = cov.set_index(["norm", "source", "country_iso3"])
    # gcom covers the countries it records anything in, over its climate acts' span.
    assert sorted(key.loc[("climate", "gcom_mycovenant")].index) == ["BRA", "TUR"]
    assert key.loc[("climate", "gcom_mycovenant", "TUR"), ["first_year", "last_year"]].tolist() == [
        2012,
        2018,
    ]
    # cedamia: one country; its non-candidate CDP act counts in n_acts, not n_norm_acts.
    ced = key.loc[("climate", "cedamia", "USA")]
    assert (ced["n_acts"], ced["n_norm_acts"]) == (2, 1)
    assert (ced["first_year"], ced["last_year"]) == (2019, 2019)
    # peace: etmun covers TUR and HUN (a twinning record) over 1990-1990.
    assert sorted(key.loc[("peace", "etmun")].index) == ["HUN", "TUR"]
    assert key.loc[("peace", "etmun", "HUN"), "n_norm_acts"] == 0
    # a source with no dated act of a norm covers nothing for it.
    assert not ((cov["norm"] == "peace") & (cov["source"] != "etmun")).any()


def test_coverage_flags_by_country_and_year(city_year) -> None:
    cov = P.source_coverage(_acts(ACTS), city_year)
    frame = pd.DataFrame(
        {"country_iso3": ["TUR", "TUR", "USA", "USA", "CHN", "HUN"],
         "year": [2018, 2019, 2019, 2020, 2018, 1990]}
    )  # fmt: skip
    out = P.coverage_flags(frame, cov)
    assert out["covered_climate"].tolist() == [1, 0, 1, 0, 0, 0]
    assert out["covered_peace"].tolist() == [0, 0, 0, 0, 0, 1]


def test_panel_keeps_every_universe_city_with_zero_acts(city_year) -> None:
    acts = _acts(ACTS)
    coded, _ = D.defiance_acts(acts, city_year)
    panel = P.defiance_panel(city_year, coded, 2015, 2023, min_population=MIN_POP)
    # city 6 is small and never acted, but it is an urban centre: in, with zero acts.
    assert 6 in set(panel["city_id"])
    assert panel.loc[panel["city_id"] == 6, "defiance_acts"].eq(0).all()
    panel = P.universe_columns(panel, city_year)
    row = panel.drop_duplicates("city_id").set_index("city_id")
    assert row["ghsl_universe"].to_dict() == {1: 1, 2: 1, 3: 0, 4: 0, 5: 1, 6: 1, 7: 0, 8: 0}
    assert row.loc[7, "log_ghsl_pop"] == pytest.approx(np.log(9e4))
    assert pd.isna(row.loc[3, "log_ghsl_pop"])
    assert row.loc[4, "europe"] == 1 and row.loc[1, "europe"] == 0
    yr = panel.set_index(["city_id", "year"])
    assert yr.loc[(2, 2018), "any_defiance_climate"] == 1
    assert yr.loc[(2, 2018), "any_defiance_peace"] == 0


def test_country_year_rates_per_1000_universe_cities(city_year) -> None:
    coded, _ = D.defiance_acts(_acts(ACTS), city_year)
    panel = P.defiance_panel(city_year, coded, 2015, 2023, min_population=MIN_POP)
    panel = P.universe_columns(panel, city_year)
    panel = P.coverage_flags(panel, P.source_coverage(_acts(ACTS), city_year))
    cy = P.country_year_rates(panel).set_index(["country_iso3", "year"])
    # Universe cities only: BRA has one (city 6, not city 3); HUN has none.
    assert cy.loc[("BRA", 2018), "universe_cities"] == 1
    assert "HUN" not in cy.index.get_level_values("country_iso3")
    tur = cy.loc[("TUR", 2018)]
    assert (tur["climate_acts"], tur["climate_per_1000"]) == (1, 1000.0)
    assert (tur["opportunity_climate"], tur["covered_climate"]) == (1, 1)
    assert cy.loc[("TUR", 2019), "climate_acts"] == 0
    assert cy.loc[("USA", 2019), "climate_per_1000"] == 1000.0
    assert cy["climate_acts"].sum() == 2


def test_country_shares_sum_to_one_and_rank(city_year) -> None:
    frame = pd.DataFrame(
        {"city_id": [1, 1, 2, 3, 4], "country_iso3": ["USA", "USA", "TUR", "TUR", "BRA"],
         "acts": [2, 1, 1, 0, 0], "v2x_polyarchy": [0.8, 0.8, 0.3, 0.3, 0.6]}
    )  # fmt: skip
    out = P.country_shares(frame, "acts", frame["city_id"].ne(4))
    assert out["country_iso3"].tolist() == ["USA", "TUR"]
    assert out["share_acts"].tolist() == [0.75, 0.25]
    assert out["cities"].tolist() == [1, 2]
    none = P.country_shares(frame.assign(acts=0), "acts", frame["city_id"].gt(0))
    assert (none["share_acts"] == 0).all()


def test_coverage_table_marks_opportunity_years(city_year) -> None:
    table = coverage_table(_acts(ACTS), city_year).set_index(["norm", "source", "country_iso3"])
    # TUR is outside Paris to 2020 in the fixture; gcom covers 2012-2018; from 2017 on.
    assert table.loc[("climate", "gcom_mycovenant", "TUR"), "opportunity_years"] == "2017-2018"
    assert table.loc[("climate", "gcom_mycovenant", "BRA"), "opportunity_years"] == ""
    assert table.loc[("climate", "cedamia", "USA"), "opportunity_years"] == "2019"


@pytest.mark.parametrize(
    ("years", "text"),
    [([], ""), ([2017], "2017"), ([2017, 2018, 2019, 2021], "2017-2019, 2021"),
     ([2015, 2017, 2018], "2015, 2017-2018")],
)  # fmt: skip
def test_span_text(years, text) -> None:
    assert _span_text(years) == text


def test_countries_markdown_lists_every_model() -> None:
    shares = pd.DataFrame(
        {"model": ["climate", "climate", "peace"], "unit": "cities",
         "country_iso3": ["USA", "RUS", "DEU"], "units": [10, 5, 3], "rows": [40, 20, 3],
         "acts": [4, 0, 0], "v2x_polyarchy": [0.8, 0.2, 0.9], "share_acts": [1.0, 0.0, 0.0]}
    )  # fmt: skip
    text = countries_markdown(shares)
    assert "## climate (2 countries, 4 acts)" in text
    assert "| USA | 10 | 4 | 100.0% | 0.80 |" in text
    assert "Countries without acts: RUS." in text
    assert "## peace (1 countries, 0 acts)" in text


def _coverage_flags_loop(frame: pd.DataFrame, coverage: pd.DataFrame) -> pd.DataFrame:
    """The row-by-row reference: every coverage span of a norm ORed into its flag."""
    out = frame.copy()
    for n in ("climate", "peace"):
        cov = coverage[coverage["norm"].eq(n)]
        flag = np.zeros(len(out), dtype="int8")
        for _, r in cov.iterrows():
            hit = out["country_iso3"].eq(r["country_iso3"]) & out["year"].between(
                r["first_year"], r["last_year"]
            )
            flag |= hit.to_numpy(dtype="int8")
        out[f"covered_{n}"] = pd.array(flag, dtype="Int8")
    return out


_ISO = st.sampled_from(["TUR", "USA", "CHN", "HUN", "BRA"])


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.tuples(_ISO, st.integers(1988, 2024)), max_size=30),
    spans=st.lists(
        st.tuples(
            st.sampled_from(["climate", "peace"]), _ISO, st.integers(1988, 2024), st.integers(0, 6)
        ),
        max_size=12,
    ),
)
def test_coverage_flags_equal_the_span_loop(rows, spans) -> None:
    """Overlapping spans, countries without a span, years on a span's edges."""
    frame = pd.DataFrame(rows, columns=["country_iso3", "year"]).astype({"country_iso3": "str"})
    frame["year"] = frame["year"].astype("int64")
    cov = pd.DataFrame(
        [(n, "src", c, y0, y0 + k) for n, c, y0, k in spans],
        columns=["norm", "source", "country_iso3", "first_year", "last_year"],
    )
    pd.testing.assert_frame_equal(
        P.coverage_flags(frame, cov), _coverage_flags_loop(frame, cov), check_exact=True
    )
