"""Place-name normalization shared by the gazetteer index and the city matcher.

Both sides of every lookup go through the same functions, so a rule only has to be
consistent, not linguistically perfect: "St. Petersburg" and "Saint Petersburg" both
become "saint petersburg", "Comune di Bologna" and "Bologna" both become "bologna".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

# Administrative prefixes, already in normalized form (ascii, lower case, no punctuation).
# Longer phrases first so "municipal council of" wins over shorter overlaps.
ADMIN_PREFIXES: tuple[str, ...] = (
    "metropolitan municipality of",
    "municipal council of",
    "municipality of",
    "city and county of",
    "city of",
    "town of",
    "village of",
    "borough of",
    "comune di",
    "citta di",
    "citta metropolitana di",
    "ville de",
    "ville d",
    "commune de",
    "commune d",
    "mairie de",
    "mairie d",
    "landeshauptstadt",
    "hansestadt",
    "stadt",
    "gemeente",
    "ayuntamiento de",
    "municipio de",
    "municipalidad de",
    "ciudad autonoma de",
    "ciudad de",
    "concello de",
    "ajuntament de",
    "ajuntament d",
    "camara municipal de",
    "camara municipal do",
    "camara municipal da",
    "prefeitura municipal de",
    "prefeitura de",
    "prefeitura do",
    "prefeitura da",
    "miasto stoleczne",
    "miasto",
    "gmina miejska",
    "gmina",
    "thanh pho",
)
ADMIN_SUFFIXES: tuple[str, ...] = (
    "metropolitan municipality",
    "metropolitan government",
    "metropolitan city",
    "municipal corporation",
    "municipal council",
    "municipality",
    "city council",
    "town council",
    "council",
    "capitale",
    "kommune",
    "kommun",
    "stad",
    "gemeente",
    "stadt",
)
# The "city" suffix is not stripped here ("Quezon City", "Mexico City" are real names);
# the matcher tries the key with and without it (see strip_city_suffix).

# Token-level abbreviations expanded on both sides of a lookup.
_ABBREVIATIONS: dict[str, str] = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}

_BRACKETS = re.compile(r"[\(\[\{][^\)\]\}]*[\)\]\}]?")
_BRACKET_CHARS = re.compile(r"[\(\)\[\]\{\}]")
_INITIALISM = re.compile(r"\b(?:[a-z]\.){2,}")  # "d.c." -> "dc", "u.s." -> "us"
_APOSTROPHES = re.compile(r"['`\u00b4\u2018\u2019\u02bc]")
_JP_KR_SUFFIX = re.compile(r"(?<=[a-z])-(?:shi|si)$")  # "Yokohama-shi", "Suwon-si"
_ELISION_PREFIX = re.compile(r"^(?:ville|commune|mairie|ajuntament|citta|comune) d'\s*")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_ABBREV_RE = re.compile(r"\b(?:st|ste|mt|ft)\b")
_PREFIX_ALT = "|".join(sorted(map(re.escape, ADMIN_PREFIXES), key=len, reverse=True))
_SUFFIX_ALT = "|".join(sorted(map(re.escape, ADMIN_SUFFIXES), key=len, reverse=True))
_PREFIX_RE = re.compile(rf"^(?:{_PREFIX_ALT}) (?=\S)")
_SUFFIX_RE = re.compile(rf"(?<=\S) (?:{_SUFFIX_ALT})$")


class _AnyAsciiTable(dict[int, str]):
    """`str.translate` table filled on first use from `anyascii`, which transliterates one
    code point at a time (no context): ``s.translate(table) == anyascii(s)`` for every s,
    at C speed after the first sight of each code point (the gazetteer build transliterates
    ~430,000 non-ASCII names: 1.5 s with anyascii, 0.6 s with the table)."""

    def __missing__(self, codepoint: int) -> str:
        self[codepoint] = out = anyascii(chr(codepoint))
        return out


_ANYASCII = _AnyAsciiTable()


def _translit(s: str) -> str:
    return s.lower() if s.isascii() else s.translate(_ANYASCII).casefold()


def _clean(s: str, *, keep_brackets: bool) -> str:
    """Transliterate, casefold and reduce to space-separated [a-z0-9] tokens."""
    return _clean_ascii(_translit(s), keep_brackets=keep_brackets)


def _clean_ascii(t: str, *, keep_brackets: bool) -> str:
    # Each step is guarded by a cheap test: the gazetteer build cleans ~2M names.
    if "(" in t or "[" in t or "{" in t or ")" in t or "]" in t or "}" in t:
        t = _BRACKET_CHARS.sub(" ", t) if keep_brackets else _BRACKETS.sub(" ", t)
    if "." in t:
        t = _INITIALISM.sub(lambda m: m.group(0).replace(".", ""), t)
    t = t.strip()
    if "'" in t:
        t = _ELISION_PREFIX.sub("", t)
    if "-s" in t:
        t = _JP_KR_SUFFIX.sub("", t)
    t = " ".join(_NON_ALNUM.sub(" ", _APOSTROPHES.sub("", t)).split())
    if "t" in t:
        t = _ABBREV_RE.sub(lambda m: _ABBREVIATIONS[m.group(0)], t)
    return t


def _strip_affixes(t: str) -> str:
    """Remove administrative prefixes/suffixes until none applies (never to empty)."""
    while True:
        u = _SUFFIX_RE.sub("", _PREFIX_RE.sub("", t))
        if u == t:
            return t
        t = u


def name_keys(s: str) -> tuple[str, str]:
    """(literal_key(s), normalize_name(s)) computed with one cleaning pass when possible."""
    t = _translit(s)
    lit = _clean_ascii(t, keep_brackets=True)
    if "(" in t or "[" in t or "{" in t or ")" in t or "]" in t or "}" in t:
        return lit, _strip_affixes(_clean_ascii(t, keep_brackets=False))
    return lit, _strip_affixes(lit)


@lru_cache(maxsize=200_000)
def normalize_name(s: str) -> str:
    """Canonical lookup key of a place name.

    Transliterates any script to ASCII, casefolds, drops bracketed qualifiers
    ("New York (New York)" -> "new york"), strips punctuation (apostrophes join:
    "Xi'an" -> "xian"; initialisms join: "D.C." -> "dc"), expands "St"/"Ste"/"Mt"/"Ft",
    and removes administrative prefixes and suffixes ("Comune di", "Stadt", "Kommune",
    "City Council", "-shi", ...). Idempotent: normalize_name(normalize_name(s)) equals
    normalize_name(s), because the output is a fixpoint of every step.
    """
    return _strip_affixes(_clean(s, keep_brackets=False))


@lru_cache(maxsize=200_000)
def literal_key(s: str) -> str:
    """Like normalize_name but keeps bracket contents and administrative affixes.

    Used first by the matcher so that names which *are* their affixed form
    ("City of London", "Frankfurt (Oder)", "Città di Castello") win over the stripped key.
    """
    return _clean(s, keep_brackets=True)


def strip_city_suffix(key: str) -> str:
    """Drop a trailing "city" token from a normalized key ("quezon city" -> "quezon")."""
    if key.endswith(" city") and len(key) > 5:
        return key[:-5]
    return key


_GENITIVE_SUFFIX = re.compile(r"^(\S.*?)s (?:kommune|kommun|stad)$")


def genitive_variant(s: str) -> str | None:
    """Key without the Scandinavian genitive: "Stockholms stad" -> "stockholm".

    Only tried as a later key by the matcher, because "Aarhus Kommune" has no genitive.
    """
    m = _GENITIVE_SUFFIX.match(literal_key(s))
    return normalize_name(m.group(1)) if m else None


def bracket_qualifier(s: str) -> str | None:
    """Text inside the first pair of brackets, e.g. the state in "Portland (Oregon)"."""
    m = re.search(r"[\(\[]([^\)\]]+)[\)\]]", s)
    return m.group(1).strip() if m else None


# --- group signatories ---------------------------------------------------------------

_GROUP_SEPARATORS = re.compile(r"\s*(?:;|,|&|\+|\band\b|\bund\b|\bet\b|\bsowie\b)\s*", re.I)
_QUALIFIER_WORDS = re.compile(
    r"\b(?:county|state|province|provincia|region|district|metropolitan|area|prefecture|"
    r"oblast|kraj|land|department|departement|canton|municipality|city)\b",
    re.I,
)


def split_group_signatory(s: str) -> list[str] | None:
    """Split a signatory that lists several places; None for a single (qualified) name.

    Rule (syntactic only; the matcher confirms a group against the gazetteer):
    - members are separated by ";", ",", "&", "+" or the words and/und/et/sowie;
      "/" is NOT a separator because it joins bilingual names ("Biel/Bienne");
    - at least two members, each with two or more letters;
    - a single comma with no other separator is a qualifier, not a list, when the part
      after it is short (<= 4 letters: "D.C.", "NY", "UK"), starts in lower case
      ("Frankfurt, am Main") or is an administrative word ("Harris County", "Ontario
      Province");
    - text inside brackets is ignored ("Bergen (Noord-Holland), Alkmaar").
    Three or more comma parts such as "Toronto, Ontario, Canada" are returned as a list;
    the matcher treats them as one place when only the first part is a city.
    """
    text = _BRACKETS.sub(" ", s).strip()
    parts = [p.strip(" .") for p in _GROUP_SEPARATORS.split(text)]
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return None
    if any(sum(ch.isalpha() for ch in p) < 2 for p in parts):
        return None
    separators = _GROUP_SEPARATORS.findall(text)
    if len(parts) == 2 and len(separators) == 1 and separators[0].strip() == ",":
        tail = parts[1]
        letters = sum(ch.isalpha() for ch in tail)
        if letters <= 4 or tail[0].islower() or _QUALIFIER_WORDS.search(tail):
            return None
    return parts


# --- local-government names ----------------------------------------------------------
# Council and municipal forms around a place name, in normalized form. Stripping them is
# only ever a *later* lookup key of the matcher (the literal name always comes first), so
# "Cape Town" or "Stadt Land" that are real names keep their own exact match.

# Forms naming an area rather than a settlement: "Hampshire County Council",
# "West Midlands Combined Authority", "Torfaen County Borough Council". The gazetteer
# holds places and first-level regions only, so these never match a city.
_AREA_SUFFIXES: tuple[str, ...] = (
    "county borough council",
    "county council",
    "combined authority",
    "city region combined authority",
    "county legislature",
    "county commission",
    "county board of supervisors",
    "county government",
    "autonomous community",
)
_COUNCIL_SUFFIXES: tuple[str, ...] = (
    "metropolitan borough council",
    "london borough council",
    "royal borough council",
    "borough council",
    "district council",
    "city council",
    "town council",
    "village council",
    "parish council",
    "shire council",
    "regional council",
    "rural city council",
    "municipal council",
    "municipal government",
    "city government",
    "municipal corporation",
    "city corporation",
    "city commission",
    "town meeting",
    "village board",
    "board of selectmen",
    "select board",
    "municipality",
    "council",
    # Japanese and Korean romanized units ("Mashiki Town", "Ashoro-Town", "Okcheon-gun")
    "town",
    "village",
    "city",
    "machi",
    "cho",
    "mura",
    "son",
    "shi",
    "gun",
    "si",
    "gu",
    "eup",
    "myeon",
    # Nordic, Baltic, Central European municipal words
    "kommune",
    "kommun",
    "kunta",
    "kaupunki",
    "stad",
    "parish",
    "vald",
    "pagasts",
    "novads",
    "varosi onkormanyzat",
    "onkormanyzat",
    "onkormanyzata",
    "kozseg",
)
_COUNCIL_PREFIXES: tuple[str, ...] = (
    "london borough of",
    "royal borough of",
    "metropolitan borough of",
    "borough of",
    "district of",
    "shire of",
    "town of",
    "city of",
    "village of",
    "municipality of",
    "alcaldia municipal de",
    "alcaldia mayor de",
    "alcaldia de",
    "gobierno municipal de",
    "gobierno autonomo municipal de",
    "gobierno de",
    "municipalidad provincial de",
    "municipalidad distrital de",
    "municipalidad de",
    "municipalidad",
    "intendencia de",
    "prefeitura municipal de",
    "prefeitura de",
    "camara municipal de",
    "comune di",
    "municipio de",
    "municipio",
    "ayuntamiento de",
    "ajuntament de",
    "concello de",
    "gemeinde",
    "stadtgemeinde",
    "marktgemeinde",
    "markt",
    "stadt",
    "gemeente",
    "ville de",
    "commune de",
    "mairie de",
    "urzad miasta",
    "miasto",
    "gmina",
    "dimos",
)
_AREA_RE = re.compile(rf"(?<=\S) (?:{'|'.join(sorted(_AREA_SUFFIXES, key=len, reverse=True))})$")
_COUNCIL_SUFFIX_RE = re.compile(
    rf"(?<=\S) (?:{'|'.join(sorted(_COUNCIL_SUFFIXES, key=len, reverse=True))})$"
)
_COUNCIL_PREFIX_RE = re.compile(
    rf"^(?:{'|'.join(sorted(_COUNCIL_PREFIXES, key=len, reverse=True))}) (?=\S)"
)
_UA_MARK = re.compile(r"\(\s*u\.?a\.?\s*\)", re.I)  # "(UA)": unitary authority
_NATIVE_BRACKET = re.compile(r"[\(\[]([^\)\]]*[^\x00-\u024f\s][^\)\]]*)[\)\]]")


def _strip_council(key: str) -> str:
    while True:
        u = _COUNCIL_SUFFIX_RE.sub("", _COUNCIL_PREFIX_RE.sub("", key))
        if u == key:
            return key
        key = u


@dataclass(frozen=True)
class CouncilName:
    """What a local-government name says about its place (see `council_name`)."""

    keys: tuple[str, ...]  # lookup keys of the place, best first
    area: bool  # names an area (county council, combined authority), not a settlement
    native: str | None  # key of a non-Latin native name in brackets ("益城町")


@lru_cache(maxsize=200_000)
def council_name(raw: str) -> CouncilName | None:
    """Keys of a council / municipal name with its form stripped; None if it has none.

    "Eastbourne Borough Council" -> eastbourne; "Okcheon-gun (옥천군), Chungbuk" ->
    okcheon (the province after the comma is the caller's qualifier); "Mashiki Town
    (益城町)" -> mashiki, native key of 益城町; "Higashi-Matsushima City" -> higashi
    matsushima, higashimatsushima; "Alcaldía de Cúcuta" -> cucuta; "Hampshire County
    Council" -> hampshire with area=True.
    """
    head = raw.split(",")[0]
    m = _NATIVE_BRACKET.search(head)
    native = literal_key(m.group(1)) if m else None
    head = _UA_MARK.sub(" ", head)
    base = _clean(head, keep_brackets=False)
    area = False
    a = _AREA_RE.sub("", base)
    if a != base:
        area, base = True, a
    stripped = _strip_council(base)
    if stripped == base and not area and not native:
        return None
    keys = [stripped]
    if "-" in head and 2 <= stripped.count(" ") + 1 <= 3:
        keys.append(stripped.replace(" ", ""))  # "Higashi-Matsushima": Higashimatsushima
    keys = [k for k in keys if len(k) >= 2]
    if not keys and not native:
        return None
    return CouncilName(tuple(keys), area, native)
