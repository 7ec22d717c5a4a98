"""Name normalization and group-signatory detection."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.resolve.textnorm import (
    council_name,
    genitive_variant,
    literal_key,
    normalize_name,
    split_group_signatory,
    strip_city_suffix,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("New York (New York)", "new york"),
        ("Los Angeles(California)", "los angeles"),
        ("Comune di Bologna", "bologna"),
        ("Città di Torino", "torino"),
        ("Ville de Paris", "paris"),
        ("Ville d'Anvers", "anvers"),
        ("Mairie de Lyon", "lyon"),
        ("Landeshauptstadt München", "munchen"),
        ("Hansestadt Hamburg", "hamburg"),
        ("Stadt Zürich", "zurich"),
        ("Gemeente Amsterdam", "amsterdam"),
        ("Ayuntamiento de Madrid", "madrid"),
        ("Ajuntament de Barcelona", "barcelona"),
        ("Concello de Vigo", "vigo"),
        ("Câmara Municipal de Lisboa", "lisboa"),
        ("Prefeitura de São Paulo", "sao paulo"),
        ("Gmina Miejska Kraków", "krakow"),
        ("Miasto Stołeczne Warszawa", "warszawa"),
        ("Oslo kommune", "oslo"),
        ("Malmö kommun", "malmo"),
        ("Yokohama-shi", "yokohama"),
        ("Suwon-si", "suwon"),
        ("City of Cape Town", "cape town"),
        ("Town of Hempstead", "hempstead"),
        ("Municipal Council of Colombo", "colombo"),
        ("Istanbul Metropolitan Municipality", "istanbul"),
        ("Seoul Metropolitan Government", "seoul"),
        ("Leeds City Council", "leeds"),
        ("St. Petersburg", "saint petersburg"),
        ("Sankt-Peterburg", "sankt peterburg"),
        ("Washington, D.C.", "washington dc"),
        ("Xi'an", "xian"),
        ("Thành phố Hồ Chí Minh", "ho chi minh"),
        ("Quezon City", "quezon city"),  # "city" suffix kept; see strip_city_suffix
        ("  Frankfurt   am Main ", "frankfurt am main"),
        ("Москва", "moskva"),
        ("City of", "city of"),  # never stripped to nothing
        ("", ""),
    ],
)
def test_normalize_examples(raw: str, expected: str) -> None:
    assert normalize_name(raw) == expected


def test_literal_key_keeps_affixes_and_brackets() -> None:
    assert literal_key("City of London") == "city of london"
    assert literal_key("Frankfurt (Oder)") == "frankfurt oder"
    assert normalize_name("Frankfurt (Oder)") == "frankfurt"


def test_city_suffix_and_genitive() -> None:
    assert strip_city_suffix("quezon city") == "quezon"
    assert strip_city_suffix("city") == "city"
    assert genitive_variant("Stockholms stad") == "stockholm"
    assert genitive_variant("Bologna") is None


@pytest.mark.parametrize(
    ("raw", "members"),
    [
        ("Alkmaar, Bergen, Castricum, Heiloo", ["Alkmaar", "Bergen", "Castricum", "Heiloo"]),
        ("Alkmaar; Bergen", ["Alkmaar", "Bergen"]),
        ("Alkmaar and Heiloo", ["Alkmaar", "Heiloo"]),
        ("Alkmaar & Heiloo", ["Alkmaar", "Heiloo"]),
        ("Bergen (NH), Heiloo", ["Bergen", "Heiloo"]),
        ("Washington, D.C.", None),
        ("Portland, OR", None),
        ("Frankfurt, am Main", None),
        ("Harris, Harris County", None),
        ("Biel/Bienne", None),
        ("Bologna", None),
        ("A, B", None),
    ],
)
def test_split_group_signatory(raw: str, members: list[str] | None) -> None:
    assert split_group_signatory(raw) == members


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), max_codepoint=0x2FFF), max_size=40
)
_WORDS = st.lists(
    st.sampled_from(
        [
            "city",
            "of",
            "comune",
            "di",
            "stadt",
            "Bologna",
            "st",
            "New",
            "York",
            "(NY)",
            "kommune",
            "-shi",
            "d'",
            "Council",
            "Città",
            "de",
            "Ville",
            "Saint",
            ".",
            ",",
            "'",
        ]
    ),
    max_size=8,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_TEXT, _WORDS))
def test_normalize_is_idempotent(s: str) -> None:
    once = normalize_name(s)
    assert normalize_name(once) == once
    assert literal_key(literal_key(s)) == literal_key(s)


_ASCII_NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz -'.", min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(_ASCII_NAME)
def test_normalize_ignores_case(s: str) -> None:
    assert normalize_name(s.upper()) == normalize_name(s)
    assert normalize_name(s.title()) == normalize_name(s)


_ACCENTS = ["\u0301", "\u0300", "\u0308", "\u0302", "\u0303", "\u0327", "\u030c"]


@settings(max_examples=200, deadline=None)
@given(_ASCII_NAME, st.lists(st.sampled_from(_ACCENTS), min_size=1, max_size=30))
def test_normalize_ignores_accents(s: str, marks: list[str]) -> None:
    # decorate every letter with a combining mark, then compose (é, ü, ç, ...)
    decorated = "".join(
        ch + marks[i % len(marks)] if ch.isalpha() else ch for i, ch in enumerate(s)
    )
    composed = unicodedata.normalize("NFC", decorated)
    assert normalize_name(composed) == normalize_name(s)
    assert normalize_name(decorated) == normalize_name(s)


@pytest.mark.parametrize(
    ("raw", "keys", "area"),
    [
        ("Eastbourne Borough Council", ("eastbourne",), False),
        ("Doddiscombsleigh Parish Council", ("doddiscombsleigh",), False),
        ("Upper Hunter Shire Council", ("upper hunter",), False),
        ("Provincetown Town Meeting", ("provincetown",), False),
        ("Okcheon-gun (옥천군), Chungbuk", ("okcheon",), False),
        ("Higashi-Matsushima City (東松島市)", ("higashi matsushima", "higashimatsushima"), False),
        ("Alcaldía de Cúcuta", ("cucuta",), False),
        ("Jászberény Városi Önkormányzat", ("jaszbereny",), False),
        ("Denbighshire County Council", ("denbighshire",), True),
        ("West Midlands Combined Authority", ("west midlands",), True),
    ],
)
def test_council_name(raw: str, keys: tuple[str, ...], area: bool) -> None:
    c = council_name(raw)
    assert c is not None and c.keys == keys and c.area == area


def test_council_name_none_for_plain_names() -> None:
    assert council_name("Paris") is None
    assert council_name("Mashiki Town (益城町)").native == literal_key("益城町")


@given(st.text(max_size=40))
@settings(max_examples=300)
def test_transliteration_table_equals_anyascii(s):
    # the translate table (analysis/resolve/textnorm.py) stands for anyascii code point by
    # code point: same text for any string, including code points anyascii drops
    from anyascii import anyascii

    from analysis.resolve.textnorm import _translit

    assert _translit(s) == (s.lower() if s.isascii() else anyascii(s).casefold())


def test_transliteration_table_on_scripts_and_dropped_code_points():
    from analysis.resolve.textnorm import _translit

    assert _translit("Москва") == "moskva"
    assert _translit("東京") == "dongjing"
    assert _translit("Zürich\ue000") == "zurich"  # a private-use code point has no ASCII
