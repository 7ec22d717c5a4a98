"""Name plans: the lookup keys, qualifier, group members and council form of a raw name.

A plan is made once per distinct name (cached), so every later step reads keys instead of
re-cleaning text. `textnorm` stays the single source of truth for each form; the checks
here only skip helper calls that must return None.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from anyascii import anyascii

from analysis.resolve import textnorm
from analysis.resolve.textnorm import (
    bracket_qualifier,
    council_name,
    genitive_variant,
    literal_key,
    name_keys,
    normalize_name,
    split_group_signatory,
    strip_city_suffix,
)


class Plan(NamedTuple):  # a tuple: cheap to build and hold for every distinct name
    keys: tuple[str, ...]  # lookup keys, most specific first
    n_whole: int  # keys[:n_whole] describe the whole name; later ones only its head
    qualifier: str | None  # bracket or comma qualifier, a possible admin1 hint
    members: tuple[str, ...] | None  # group members (syntactic; confirmed later)
    fuzzy_key: str | None = None  # the key fuzzy matching scores (default: keys[1])
    council: bool = False  # a council / municipal form was stripped for later keys
    area: tuple[str, ...] | None = None  # names an area ("... County Council"): region keys


# Cheap necessary conditions of the textnorm helpers, so `plan` skips calls that must
# return None (the helpers stay the single source of truth; see `plan`).
_GENITIVE_ENDS = ("s kommune", "s kommun", "s stad")  # textnorm._GENITIVE_SUFFIX
_GROUP_HINT = re.compile(r"[;,&+]|\b(?:and|und|et|sowie)\b", re.I)  # its separators
_BRACKET_CHARS = frozenset("()[]{}")
# Latin-1 and Latin Extended-A/B characters transliterate to letters, except these few
# ("©" -> "(c)"): a name of the other ones has no bracket after transliteration either.
_LATIN_MAX = "\u024f"
_LATIN_BRACKETING = frozenset(
    c for c in map(chr, range(0x80, 0x250)) if not _BRACKET_CHARS.isdisjoint(anyascii(c))
)


# textnorm's area/council affix regexes match whole words at the ends of a key: a key
# whose last word is the last word of no suffix, and whose first word the first word of
# no prefix, matches none of them (two set lookups instead of three regex scans).
_AFFIX_LAST = frozenset(
    x.rsplit(" ", 1)[-1] for x in (*textnorm._AREA_SUFFIXES, *textnorm._COUNCIL_SUFFIXES)
)
_AFFIX_FIRST = frozenset(x.split(" ", 1)[0] for x in textnorm._COUNCIL_PREFIXES)


def _council(raw: str, lit: str):
    """`council_name(raw)`, without calling it where it is None for sure: a name without
    comma or brackets (also after transliteration), whose literal key, then equal to the
    helper's cleaned head, carries no council or area affix."""
    plain = (
        "," not in raw
        and _BRACKET_CHARS.isdisjoint(raw)
        and (raw.isascii() or (max(raw) <= _LATIN_MAX and _LATIN_BRACKETING.isdisjoint(raw)))
    )
    if plain and (
        " " not in lit
        or (
            lit[lit.rfind(" ") + 1 :] not in _AFFIX_LAST
            and lit[: lit.find(" ")] not in _AFFIX_FIRST
        )
        or not (
            textnorm._AREA_RE.search(lit)
            or textnorm._COUNCIL_PREFIX_RE.search(lit)
            or textnorm._COUNCIL_SUFFIX_RE.search(lit)
        )
    ):
        return None
    return council_name(raw)


# The plain names (most names) and their plan without the helpers: ASCII letters, digits,
# spaces, dots and hyphens (also after transliteration), no initialism ("d.c."), no "-si"/"-shi", and no token at either
# end that could start or end an affix (textnorm's prefixes and suffixes, council and area
# forms, "city", the genitive suffixes), no abbreviation and no group word anywhere. Such a
# name's only key is its cleaned form; `tests/test_match_speedups.py` checks with
# hypothesis that `_plain_plan` is None or equals `reference_plan`.
_PLAIN_RE = re.compile(r"[A-Za-z0-9 .\-]*")
_END_FIRST = frozenset(
    x.split(" ", 1)[0] for x in (*textnorm.ADMIN_PREFIXES, *textnorm._COUNCIL_PREFIXES)
)
_END_LAST = frozenset(
    x.rsplit(" ", 1)[-1]
    for x in (
        *textnorm.ADMIN_SUFFIXES,
        *textnorm._AREA_SUFFIXES,
        *textnorm._COUNCIL_SUFFIXES,
        "city",
        "kommune",
        "kommun",
        "stad",
    )
)
_ANY_WORD = frozenset({*textnorm._ABBREVIATIONS, "and", "und", "et", "sowie"})


def _plain_plan(raw: str) -> Plan | None:
    """`reference_plan(raw)` for a plain name (above), else None. A Latin name is plain
    when its transliteration is, and it has none of the characters `plan` looks for in
    the raw name (comma, slash, brackets, group words, see `_council`)."""
    if raw.isascii():
        if not _PLAIN_RE.fullmatch(raw):
            return None
        t = raw.lower()
    else:
        if (
            max(raw) > _LATIN_MAX
            or "," in raw
            or "/" in raw
            or not _BRACKET_CHARS.isdisjoint(raw)
            or not _LATIN_BRACKETING.isdisjoint(raw)
            or _GROUP_HINT.search(raw)
        ):
            return None
        t = textnorm._translit(raw)
        if not _PLAIN_RE.fullmatch(t):
            return None
    if "-s" in t or ("." in t and textnorm._INITIALISM.search(t)):
        return None
    tokens = t.replace(".", " ").replace("-", " ").split()
    if (
        not tokens
        or tokens[0] in _END_FIRST
        or tokens[-1] in _END_LAST
        or not _ANY_WORD.isdisjoint(tokens)
    ):
        return None
    return Plan((" ".join(tokens),), 1, None, None)


@lru_cache(maxsize=500_000)
def plan(raw: str) -> Plan:
    """The plan of a raw name: whole-name keys, then head keys (before a comma, parts of
    "Vienna/Wien"), then council forms; or only region keys when it names an area."""
    fast = _plain_plan(raw)
    return fast if fast is not None else reference_plan(raw)


def reference_plan(raw: str) -> Plan:
    """`plan` by the textnorm helpers, for every name."""
    keys: list[str] = []
    lit, std = name_keys(raw)  # == (literal_key(raw), normalize_name(raw)), one cleaning pass
    genitive = genitive_variant(raw) if lit.endswith(_GENITIVE_ENDS) else None
    for k in (lit, std, strip_city_suffix(std), genitive):
        if k and k not in keys:
            keys.append(k)
    n_whole = len(keys)
    qualifier = bracket_qualifier(raw) if not _BRACKET_CHARS.isdisjoint(raw) else None
    head, sep, tail = raw.partition(",")
    if sep:
        qualifier = qualifier or tail.split(",")[0].strip()
        h = normalize_name(head)
        for k in (h, strip_city_suffix(h)):
            if k and k not in keys:
                keys.append(k)
    # "Vienna/Wien", "Mumbai/Bombay": bilingual or old/new names; each part is a head key.
    if "/" in raw:
        for part in raw.split("/")[:4]:
            k = normalize_name(part)
            if k and k not in keys:
                keys.append(k)
    members = split_group_signatory(raw) if _GROUP_HINT.search(raw) else None
    council = _council(raw, lit)
    if council is None:
        return Plan(tuple(keys), n_whole, qualifier, tuple(members) if members else None)
    if council.native and qualifier and literal_key(qualifier) == council.native:
        qualifier = tail.split(",")[0].strip() if sep else None  # "(益城町)" is no admin1
    if council.area:
        return Plan((), 0, qualifier, None, area=council.keys)
    extra = [k for k in (*council.keys, council.native) if k and k not in keys]
    return Plan(
        (*keys, *extra),
        n_whole,
        qualifier,
        tuple(members) if members else None,
        fuzzy_key=council.keys[0] if council.keys else None,
        council=True,
    )


def whole_keys(raw: str) -> tuple[str, ...]:
    """The keys of the whole name (not of its head alone): what a namesake must carry."""
    p = plan(raw)
    return p.keys[: p.n_whole]


def fuzzy_query(p: Plan) -> str:
    """The key fuzzy matching scores: the council-stripped or else the affix-stripped key."""
    return p.fuzzy_key or p.keys[min(1, len(p.keys) - 1)]
