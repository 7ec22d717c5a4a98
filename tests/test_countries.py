"""Tests for the country resolver (synthetic inputs and the committed override tables only)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core.audit import RowAudit
from analysis.core.errors import UnknownEntityError
from analysis.resolve import countries
from analysis.resolve.countries import (
    NON_COUNTRY_DROP_LABELLED,
    drop_non_countries,
    is_aggregate,
    is_historical,
    non_country_reason,
    normalize_name,
    resolve_countries,
    resolve_country,
    resolve_country_rows,
)

OVERRIDES = pd.read_csv(countries.OVERRIDES_CSV, dtype=str, keep_default_na=False)
HISTORICAL = pd.read_csv(countries.HISTORICAL_CSV, dtype=str, keep_default_na=False)
MAPPED = OVERRIDES[OVERRIDES["iso3"] != ""]
NON_COUNTRY = OVERRIDES[OVERRIDES["iso3"] == ""]

SPECIAL_CASES: dict[str, list[str]] = {
    "XKX": ["Kosovo", "XK", "KOS", "Kosovo, Republic of", "XKX"],
    "TWN": ["Taiwan", "Taiwan, China", "Chinese Taipei", "Republic of China"],
    "HKG": ["Hong Kong", "Hong Kong SAR, China", "Hong Kong, China"],
    "MAC": ["Macao", "Macau", "Macao SAR, China"],
    "PSE": ["Palestine", "West Bank and Gaza", "Palestinian Territories", "State of Palestine"],
    "USA": ["U.S.", "USA", "United States of America", "US", "United States"],
    "KOR": ["Korea, Rep.", "South Korea", "Republic of Korea"],
    "PRK": ["Korea, Dem. People's Rep.", "North Korea"],
    "TUR": ["Türkiye", "Turkey"],
    "CZE": ["Czechia", "Czech Republic"],
    "CIV": ["Côte d'Ivoire", "Ivory Coast", "C&ocirc;te d'Ivoire", "Cote d\u2019Ivoire"],
    "SWZ": ["Eswatini", "Swaziland"],
    "MKD": ["North Macedonia", "Macedonia"],
    "CPV": ["Cabo Verde", "Cape Verde"],
    "COD": ["Congo, Dem. Rep.", "DR Congo", "Democratic Republic of the Congo", "Zaire"],
    "COG": ["Congo, Rep.", "Republic of the Congo"],
    "RUS": ["Russia", "Russian Federation"],
    "VNM": ["Vietnam", "Viet Nam"],
    "IRN": ["Iran, Islamic Rep."],
    "EGY": ["Egypt, Arab Rep."],
    "VEN": ["Venezuela, RB"],
    "YEM": ["Yemen, Rep."],
    "GMB": ["Gambia, The"],
    "BHS": ["Bahamas, The"],
    "FSM": ["Micronesia, Fed. Sts."],
    "LAO": ["Lao PDR"],
    "KGZ": ["Kyrgyz Republic"],
    "SVK": ["Slovak Republic"],
    "LCA": ["St. Lucia"],
    "KNA": ["St. Kitts and Nevis"],
    "VCT": ["St. Vincent and the Grenadines"],
    "MMR": ["Burma", "Myanmar"],
    "TLS": ["Timor-Leste", "East Timor"],
    "GBR": ["United Kingdom", "UK", "Britain", "Scotland", "GB"],
    "ARE": ["UAE", "U.A.E"],
}
SPECIAL_PAIRS = [(name, iso3) for iso3, names in SPECIAL_CASES.items() for name in names]

HISTORICAL_CASES = [
    ("USSR", "SUN"),
    ("Soviet Union", "SUN"),
    ("Yugoslavia", "YUG"),
    ("Serbia and Montenegro", "YUG"),
    ("Czechoslovakia", "CSK"),
    ("East Germany", "DDR"),
    ("German Democratic Republic", "DDR"),
    ("GDR", "DDR"),
    ("Germany, East", "DDR"),
    ("West Germany", "DEU"),
    ("German Federal Republic", "DEU"),
    ("FRG", "DEU"),
    ("South Vietnam", "XRV"),
    ("Republic of Vietnam", "XRV"),
    ("Yemen, South", "YMD"),
    ("Yemen North", "YEM"),
    ("Zanzibar", "EAZ"),
]


@pytest.mark.parametrize(("name", "iso3"), SPECIAL_PAIRS)
def test_special_cases(name: str, iso3: str) -> None:
    assert resolve_country(name) == iso3


@pytest.mark.parametrize(
    ("code", "iso3"),
    [
        ("DEU", "DEU"),
        ("deu", "DEU"),
        ("de", "DEU"),
        (" DE ", "DEU"),
        ("ch", "CHE"),
        ("IN", "IND"),
        ("uk", "GBR"),
        ("EL", "GRC"),
        ("na", "NAM"),  # Namibia's ISO2 must not be read as missing
    ],
)
def test_codes(code: str, iso3: str) -> None:
    assert resolve_country(code) == iso3


def test_two_letter_rule_only_for_two_letter_inputs() -> None:
    # "Chad" and "India" start with ISO2 codes of other countries (CH, IN is India anyway).
    assert resolve_country("Chad") == "TCD"
    assert resolve_country("Chile") == "CHL"
    assert resolve_country("Indonesia") == "IDN"


@pytest.mark.parametrize(("name", "iso3"), HISTORICAL_CASES)
def test_historical_names(name: str, iso3: str) -> None:
    assert resolve_country(name) == iso3


def test_year_does_not_change_modern_codes() -> None:
    assert resolve_country("Germany", 1975) == "DEU"
    assert resolve_country("Germany, East", 1975) == "DDR"
    assert resolve_country("USSR", 1980) == "SUN"
    assert resolve_country("Russia", 1980) == "RUS"


def test_historical_entity_outside_its_years_is_refused() -> None:
    with pytest.raises(UnknownEntityError, match=r"SUN existed 1922-1991, not in 1995"):
        resolve_country("USSR", 1995)
    with pytest.raises(UnknownEntityError, match="DDR"):
        resolve_country("East Germany", 2000)


def test_is_historical() -> None:
    assert is_historical("SUN")
    assert is_historical("ddr")
    assert not is_historical("DEU")
    table = countries.historical_countries()
    assert {"iso3", "name", "start_year", "end_year", "successor_iso3"} <= set(table.columns)


@pytest.mark.parametrize(
    "name",
    [
        "World",
        "Euro area",
        "High income",
        "Sub-Saharan Africa",
        "Africa",
        "Africa (OWID)",
        "Europe (OWID)",
        "WLD",
        "EUU",
        "European Union",
        "Latin America & Caribbean",
    ],
)
def test_aggregates_are_flagged_and_refused(name: str) -> None:
    assert is_aggregate(name)
    with pytest.raises(UnknownEntityError, match="aggregate"):
        resolve_country(name)


def test_territories_are_flagged_not_aggregates() -> None:
    assert non_country_reason("Tibet") == "territory"
    assert not is_aggregate("Tibet")
    with pytest.raises(UnknownEntityError, match="territory"):
        resolve_country("Abkhazia")


@pytest.mark.parametrize("name", ["France", "Germany", "USA", "", "  "])
def test_countries_are_not_aggregates(name: str) -> None:
    assert not is_aggregate(name)


@pytest.mark.parametrize("name", ["Atlantis", "Foo Bar Land", "ZZ", "QQQ"])
def test_unknown_raises(name: str) -> None:
    with pytest.raises(UnknownEntityError) as err:
        resolve_country(name)
    assert name in str(err.value)


@pytest.mark.parametrize("value", ["", "   ", None])
def test_blank_raises(value: str | None) -> None:
    with pytest.raises(UnknownEntityError, match="missing"):
        resolve_country(value)  # type: ignore[arg-type]


def test_coco_warnings_are_silenced(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG), pytest.raises(UnknownEntityError):
        resolve_country("Nowhere Republic Of Nothing")
    assert not [r for r in caplog.records if r.name.startswith("country_converter")]


def test_resolve_countries_vectorised_keeps_index_and_name() -> None:
    values = pd.Series(["Germany", "U.S.", "de", " Korea, Rep. ", "Germany"], index=[5, 3, 9, 1, 0])
    values.name = "country"
    out = resolve_countries(values, source="synthetic")
    assert out.tolist() == ["DEU", "USA", "DEU", "KOR", "DEU"]
    assert out.index.tolist() == [5, 3, 9, 1, 0]
    assert out.name == "country"


def test_resolve_countries_lists_every_unknown_name_once() -> None:
    values = pd.Series(["France", "Atlantis", "Lemuria", "World", "Atlantis", "Hyperborea"])
    with pytest.raises(UnknownEntityError) as err:
        resolve_countries(values, source="synthetic.csv")
    message = str(err.value)
    for name in ["Atlantis", "Lemuria", "World", "Hyperborea", "synthetic.csv"]:
        assert name in message
    assert "France" not in message
    assert message.count("Atlantis") == 1
    assert len(err.value.names) == 4


def test_resolve_countries_missing_values() -> None:
    values = pd.Series(["France", None, "", "  ", np.nan, "Spain"])
    with pytest.raises(UnknownEntityError, match="missing"):
        resolve_countries(values, source="synthetic")
    out = resolve_countries(values, source="synthetic", allow_missing=True)
    assert out.tolist()[0] == "FRA"
    assert out.tolist()[-1] == "ESP"
    assert out.isna().tolist() == [False, True, True, True, True, False]


def test_resolve_countries_checks_years() -> None:
    values = pd.Series(["USSR", "USSR", "Russia", "Czechoslovakia"])
    years = pd.Series([1980, 2000, 2000, 2005])
    with pytest.raises(UnknownEntityError) as err:
        resolve_countries(values, source="synthetic", year=years)
    assert "not in 2000" in str(err.value)
    assert "CSK existed 1918-1992, not in 2005" in str(err.value)
    assert "not in 1980" not in str(err.value)
    out = resolve_countries(values.iloc[:1], source="synthetic", year=years.iloc[:1])
    assert out.tolist() == ["SUN"]


def test_resolve_countries_large_input() -> None:
    rng = np.random.default_rng(0)
    values = pd.Series(rng.choice(["Germany", "U.S.", "Korea, Rep.", "fr", "CHN"], 200_000))
    out = resolve_countries(values, source="synthetic")
    assert set(out.unique()) == {"DEU", "USA", "KOR", "FRA", "CHN"}


# --- committed tables -------------------------------------------------------------------------


def test_override_rows_resolve_to_their_iso3() -> None:
    wrong = {
        row.name: (row.iso3, resolve_country(row.name))
        for row in MAPPED.itertuples(index=False)
        if resolve_country(row.name) != row.iso3
    }
    assert not wrong


def test_override_iso3_codes_are_known() -> None:
    coco_iso3 = set(countries._converter().data["ISO3"])
    allowed = coco_iso3 | set(countries.SPECIAL_CODES) | set(HISTORICAL["iso3"])
    assert set(MAPPED["iso3"]) <= allowed
    assert set(MAPPED["iso3"]) <= countries.known_iso3()


def test_non_country_rows_are_flagged_with_their_reason() -> None:
    for row in NON_COUNTRY.itertuples(index=False):
        reason = row.note.split(":")[0].strip()
        assert reason in countries.NON_COUNTRY_REASONS
        assert non_country_reason(row.name) == reason, row.name


def test_override_keys_do_not_shadow_real_codes() -> None:
    # An override named like a valid code would never be reached (codes are tried first).
    known = countries.known_iso3()
    for row in OVERRIDES.itertuples(index=False):
        name = row.name.strip()
        if len(name) == 3 and name.isalpha():
            assert name.upper() not in known, name


def test_historical_table_is_consistent() -> None:
    assert HISTORICAL["iso3"].is_unique
    coco_iso3 = set(countries._converter().data["ISO3"])
    for row in HISTORICAL.itertuples(index=False):
        assert int(row.start_year) <= int(row.end_year)
        assert resolve_country(row.iso3) == row.iso3
        assert is_historical(row.iso3)
        if row.successor_iso3:
            assert row.successor_iso3 in coco_iso3
        # user-assigned codes must stay clear of ISO-assigned ones
        if row.iso3.startswith("X"):
            assert row.iso3 not in coco_iso3


# --- properties -------------------------------------------------------------------------------

_ACCENTS = {"a": "á", "e": "é", "i": "í", "o": "ö", "u": "ü", "c": "ç", "n": "ñ"}


@st.composite
def _variant(draw: st.DrawFn) -> tuple[str, str, str]:
    row = draw(st.sampled_from(list(MAPPED.itertuples(index=False))))
    name = row.name
    flips = draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    cased = "".join(c.swapcase() if f else c for c, f in zip(name, flips, strict=True))
    pad = st.sampled_from(["", " ", "  ", "\t", " \n"])
    return name, f"{draw(pad)}{cased}{draw(pad)}", row.iso3


@settings(max_examples=300, deadline=None)
@given(_variant())
def test_invariant_to_case_and_surrounding_whitespace(case: tuple[str, str, str]) -> None:
    _, variant, iso3 = case
    assert resolve_country(variant) == iso3


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(list(MAPPED.itertuples(index=False))), st.data())
def test_invariant_to_accents(row: object, data: st.DataObject) -> None:
    name: str = row.name  # type: ignore[attr-defined]
    if len(name.strip()) <= 3:  # codes are matched exactly, not as names
        return
    flags = data.draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    accented = "".join(_ACCENTS.get(c, c) if f else c for c, f in zip(name, flags, strict=True))
    assert normalize_name(accented) == normalize_name(name)
    assert resolve_country(accented) == row.iso3  # type: ignore[attr-defined]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(set(MAPPED["name"]) | {n for n, _ in SPECIAL_PAIRS})))
def test_resolution_is_idempotent(name: str) -> None:
    iso3 = resolve_country(name)
    assert resolve_country(iso3) == iso3
    assert resolve_country(iso3.lower()) == iso3


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=30))
def test_arbitrary_text_resolves_or_raises_cleanly(text: str) -> None:
    try:
        iso3 = resolve_country(text)
    except UnknownEntityError:
        return
    assert iso3 in countries.known_iso3()


# --------------------------------------------------------------------------- parser helpers

MIXED = ["France", "World", "Tibet", "EUU", None, "Abkhazia", "Sovereign Military Order of Malta"]


def _audit(values: list[object], **columns: list[object]) -> tuple[RowAudit, pd.DataFrame]:
    audit = RowAudit("test")
    frame = pd.DataFrame({"country": values, **columns}, index=range(10, 10 + len(values)))
    return audit, audit.start(frame, "rows")


def _reasons(audit: RowAudit) -> dict[str, int]:
    frame = audit.to_frame()  # validates the balance of the step
    return dict(zip(frame["reason"], frame["rows_dropped"], strict=True))


def test_drop_non_countries_counts_one_reason_per_kind() -> None:
    audit, df = _audit(MIXED)
    kept = drop_non_countries(audit, df, "country")
    assert kept["country"].iloc[0] == "France" and pd.isna(kept["country"].iloc[1])
    assert list(kept.index) == [10, 14]  # the original labels, missing values kept
    audit.finish(kept)
    assert _reasons(audit) == {
        "not a country (aggregate)": 2,
        "not a country (other)": 1,
        "not a country (territory)": 2,
    }


def test_drop_non_countries_templates_name_labels_or_pool_kinds() -> None:
    audit, df = _audit(MIXED)
    audit.finish(drop_non_countries(audit, df, "country", reason=NON_COUNTRY_DROP_LABELLED))
    assert _reasons(audit) == {
        "aggregate, not a country: EUU, World": 2,
        "other, not a country: Sovereign Military Order of Malta": 1,
        "territory, not a country: Abkhazia, Tibet": 2,
    }
    audit, df = _audit(MIXED)
    audit.finish(drop_non_countries(audit, df, "country", reason="no country"))
    assert _reasons(audit) == {"no country": 5}
    many = [f"Region {i} (OWID)" for i in range(6)]
    audit, df = _audit(many)
    audit.finish(drop_non_countries(audit, df, "country", reason="{kind}: {labels}"))
    assert _reasons(audit) == {"aggregate: 6 labels": 6}


def test_drop_non_countries_takes_aligned_values_and_keeps_new_columns() -> None:
    audit, df = _audit(["World", "World", "Spain"], kind=["Country", "City", "Country"])
    df = df.assign(extra=[1, 2, 3])  # a column the audit has not seen yet
    names = df["country"].where(df["kind"].eq("Country"))  # a city named "World" is kept
    kept = drop_non_countries(audit, df, names)
    assert list(kept.index) == [11, 12] and kept["extra"].tolist() == [2, 3]
    audit.finish(kept)
    assert _reasons(audit) == {"not a country (aggregate)": 1}


def test_drop_non_countries_leaves_unknown_names_to_the_resolver() -> None:
    audit, df = _audit(["Atlantis", "Spain"])
    kept = drop_non_countries(audit, df, "country")
    assert len(kept) == 2
    with pytest.raises(UnknownEntityError, match="Atlantis"):
        resolve_countries(kept["country"], source="f.csv")


def test_resolve_country_rows_drops_non_countries_and_out_of_period_states() -> None:
    audit, df = _audit(
        ["France", "World", "USSR", "USSR", "Tibet"], year=[2000, 2000, 1980, 1995, 2000]
    )
    kept = resolve_country_rows(audit, df, "country", "f.csv")
    assert kept["country_iso3"].tolist() == ["FRA", "SUN"]
    assert kept["year"].tolist() == [2000, 1980]
    audit.finish(kept)
    assert _reasons(audit) == {
        "historical state outside its period": 1,
        "not a country: aggregate": 1,
        "not a country: territory": 1,
    }


def test_resolve_country_rows_raises_on_unknown_names() -> None:
    audit, df = _audit(["France", "Atlantis"], year=[2000, 2000])
    with pytest.raises(UnknownEntityError, match="Atlantis"):
        resolve_country_rows(audit, df, "country", "f.csv")
