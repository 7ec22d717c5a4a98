"""Country resolver: every country name or code variant in the raw sources -> ISO 3166-1 alpha-3.

Canonical keys follow DESIGN.md section 3 (ISO 3166-1 alpha-3, Kosovo ``XKX``). Resolution order
for one value:

1. exact code, case-insensitive: a 3-letter value that is a known ISO3 code (including the
   historical codes below), or a value of exactly 2 letters that is a known ISO2 code;
2. the project's overrides (``data/country_overrides.csv``), keyed by :func:`normalize_name`
   (casefold, accents stripped, punctuation and whitespace collapsed); rows with an empty
   ``iso3`` are not countries, and their note says why: ``aggregate`` (regions, income groups,
   the EU, World Bank aggregate codes), ``territory`` (sub-national or disputed units that
   Freedom House or V-Dem rate separately, e.g. Tibet, Abkhazia, Somaliland) or ``other``
   (organisations, junk labels); OWID's "... (OWID)" regions count as aggregates;
3. ``country_converter`` (coco) on the normalized name, cached per normalized name.

Anything else raises :class:`~analysis.core.errors.UnknownEntityError`; nothing becomes NaN silently.

Parsers use the helpers at the end of this module with their row audit:
:func:`drop_non_countries` drops aggregates, territories and other non-country labels with a
counted reason per kind, :func:`resolve_country_rows` does that for a country-year table and
resolves the rest (dropping historical states outside their years), and
:func:`recode_china_labels` applies the Hong Kong/Macao/Taiwan recode below.

Project decisions (documented here because parsers rely on them):

* Historical entities live in ``data/historical_countries.csv`` (iso3, name, start/end year,
  successor). Where ISO 3166-3 had a code we use it: USSR ``SUN``, Czechoslovakia ``CSK``,
  East Germany ``DDR``, Yugoslavia ``YUG``, South Yemen ``YMD``, Netherlands Antilles ``ANT``;
  Zanzibar ``EAZ`` and Tanganyika ``EAT`` follow coco. Polities that never had an ISO code get a
  code from the ISO user-assigned range ``XAA``-``XZZ`` (South Vietnam ``XRV``, German and
  Italian states before unification, Boer republics, ...), so they can never collide with a
  future ISO code; codes other sources already use in that range (simplemaps ``XGZ``, ``XWB``,
  ``XKS``, ``XSV`` = Svalbard) are avoided. V-Dem's own text id ``VDR`` (South Vietnam) is not
  used because ISO 3166-3 ``VDR`` was North Vietnam.
* ``YUG`` covers both the SFRY and the FRY / "Serbia and Montenegro" (1918-2006), as Polity5
  and Freedom House treat them as one state; ``SCG`` is not used.
* Continuing states keep the modern code: West Germany -> ``DEU``, North Vietnam -> ``VNM``,
  North Yemen (YAR) -> ``YEM``, as V-Dem codes them.
* With a ``year``, a historical code is only accepted inside its start/end years, so e.g.
  Maddison's "Former USSR" series after 1991 (a sum of successor states) cannot slip into a
  country-year panel; modern codes are not year-checked.
* Sub-national UK nations used by sister-city lists (England, Scotland, Wales, Northern Ireland)
  map to ``GBR``. GaWC and Fortune label Hong Kong/Taipei firms or cities "China": that is a
  city-level recode for their parsers (:func:`recode_china_labels`, applied after resolving),
  not something a country resolver can see.
* Non-ISO 3-letter codes seen in sources (RAI ``GER``, ``JAP``, ``ROM``, ...; Hueglin-Fenna
  ``ADO``, ``ZAR``) are overrides. The LAI file's ``MDV`` means Moldova but is Maldives in ISO:
  its parser must resolve LAI by name, not by code. Polity ``scode`` and V-Dem's
  ``country_text_id`` are project-specific codes (``UKG``, ``GMY``, ``ZZB``): resolve by name.
* Gaza and the West Bank (FH, V-Dem, simplemaps) all map to ``PSE``; FH and V-Dem rate them
  separately, so their parsers must pick one row per year (as for FH's Northern Ireland).

Sources surveyed for the overrides (distinct names/codes of every country column, 2025 mirror):
country/ V-Dem ERT + simple (country_name, country_text_id), Polity5 (country), Freedom House
(ratings, FIW scores, OWID), LIED, BMR, RAI (country_name, abbr_country), Hueglin-Fenna federal
(codes, names), LAI, World Bank population and GDP (Country Name/Code), Maddison (Entity), Paris
2020/2023, UNFCCC ratification and Annex I, G20, OECD, EU (Code/Name), arms control (country),
nuclear (Entity), NATO, climate laws (Geography/ISO), climate policy DB, countrycode crosswalk;
cities/ OpenFlights airports/airlines/countries, GaWC 2020, UN WUP 2018, GeoNames cities15000
and countryInfo, simplemaps 15k/43k, Fortune 500, Oxford Economics locations, embassies;
climactor/ Apr2021, Sep2022, country_dict; networks/ CDP disclosing 2018-2020 and emissions
2016/2017/2021, GCoM, sister cities (raw, geocoded), Baltic twinning, CEDAMIA, ClimActor
Dec2022/Sept2020, ETMUN members/organisations, URBACT, LAI typology, Eurocities, GPM;
us/ Net Zero Tracker. (climactor/contextuals.rda is not readable by pyreadr: latin-1 strings.)
"""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.core.errors import UnknownEntityError

if TYPE_CHECKING:
    from country_converter import CountryConverter

    from analysis.core.audit import RowAudit

DATA_DIR = Path(__file__).parents[1] / "data"
OVERRIDES_CSV = DATA_DIR / "country_overrides.csv"
HISTORICAL_CSV = DATA_DIR / "historical_countries.csv"

# Codes the resolver returns although coco does not list them as current countries.
SPECIAL_CODES: dict[str, str] = {"XKX": "Kosovo (user-assigned code used by the World Bank/EU)"}
SPECIAL_ISO2: dict[str, str] = {"XK": "XKX"}

# Override rows with an empty iso3 must carry one of these notes (text after ":" is free).
NON_COUNTRY_REASONS: dict[str, str] = {
    "aggregate": "an aggregate or region, not a country",
    "territory": "a sub-national or disputed territory rated separately, not a country",
    "other": "not a country (an organisation or a non-geographic label)",
}
_MISSING_LABEL = "<missing or blank value>"
# OWID marks its own regions with a suffix, e.g. "Africa (OWID)".
_AGGREGATE_PATTERN = re.compile(r"\((owid|wb|un|imf|maddison)\)\s*$", re.IGNORECASE)

_APOSTROPHES_DOTS = re.compile("[.'\u2019\u2018`\u00b4]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")

_COCO_INT_COLUMNS = (
    "ISOnumeric",
    "UNcode",
    "FAOcode",
    "GBDcode",
    "EURO",
    "UN",
    "UNmember",
    "obsolete",
    "GEOnumeric",
)


def normalize_name(name: str) -> str:
    """Return the lookup key of a country name.

    HTML entities are decoded (UNODA writes ``C&ocirc;te``), accents stripped, case folded,
    dots and apostrophes dropped (so "U.S." -> "us" and "People's" -> "peoples"), "&" read as
    "and", and every other run of punctuation/whitespace collapsed to one space.
    """
    text = html.unescape(name)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ")
    text = _APOSTROPHES_DOTS.sub("", text)
    return _NON_ALNUM.sub(" ", text).strip()


@dataclass(frozen=True)
class HistoricalCountry:
    """A state that no longer exists, with the years it is accepted for."""

    iso3: str
    name: str
    start_year: int
    end_year: int
    successor_iso3: str | None


@cache
def _historical() -> dict[str, HistoricalCountry]:
    table = pd.read_csv(HISTORICAL_CSV, dtype=str, keep_default_na=False, comment="#")
    return {
        row.iso3: HistoricalCountry(
            iso3=row.iso3,
            name=row.name,
            start_year=int(row.start_year),
            end_year=int(row.end_year),
            successor_iso3=row.successor_iso3 or None,
        )
        for row in table.itertuples(index=False)
    }


@cache
def _overrides() -> tuple[dict[str, str], dict[str, str]]:
    """(normalized variant -> ISO3, normalized variant -> non-country reason)."""
    table = pd.read_csv(OVERRIDES_CSV, dtype=str, keep_default_na=False, comment="#")
    codes: dict[str, str] = {}
    non_country: dict[str, str] = {}
    for row in table.itertuples(index=False):
        key = normalize_name(row.name)
        iso3 = row.iso3.strip().upper()
        reason = row.note.split(":")[0].strip()
        if not iso3 and reason not in NON_COUNTRY_REASONS:
            raise ValueError(f"{OVERRIDES_CSV.name}: {row.name!r} has no iso3 and no reason")
        target, value = (codes, iso3) if iso3 else (non_country, reason)
        if (key in codes or key in non_country) and target.get(key) != value:
            raise ValueError(f"{OVERRIDES_CSV.name}: {row.name!r} conflicts with another row")
        target[key] = value
    return codes, non_country


@contextmanager
def _quiet_coco() -> Iterator[None]:
    # coco logs a warning for every name it cannot place; we report unknowns ourselves.
    logger = logging.getLogger("country_converter")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


@cache
def _converter() -> CountryConverter:
    import country_converter as coco  # lazy: importing coco is slow

    # coco 1.3's own loader breaks under pandas 3 (empty ISO2 cells become NaN, so its regex
    # compile fails); loading the table ourselves as strings avoids that.
    path = Path(coco.__file__).parent / "country_data.tsv"
    data = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, encoding="utf-8")
    for col in _COCO_INT_COLUMNS:
        data[col] = pd.to_numeric(data[col].replace("", None)).astype("Int64")
    with _quiet_coco():
        return coco.CountryConverter(country_data=data, include_obsolete=True)


@cache
def _code_tables() -> tuple[frozenset[str], dict[str, str]]:
    """Known ISO3 codes (coco + special + historical) and ISO2 -> ISO3."""
    data = _converter().data
    iso3 = {c for c in data["ISO3"] if isinstance(c, str) and len(c) == 3 and c.isalpha()}
    iso3 |= set(SPECIAL_CODES) | set(_historical())
    iso2: dict[str, str] = {}
    for pattern, code in zip(data["ISO2"], data["ISO3"], strict=True):
        # coco stores some ISO2 cells as regexes: "^GB$|^UK$", "^GR$|^EL$".
        for alt in str(pattern).split("|"):
            alt = alt.strip("^$")
            if len(alt) == 2 and alt.isalpha():
                iso2[alt] = str(code)
    iso2.update(SPECIAL_ISO2)
    return frozenset(iso3), iso2


def known_iso3() -> frozenset[str]:
    """Every code the resolver can return (coco's ISO3 list, XKX and the historical codes)."""
    return _code_tables()[0]


@lru_cache(maxsize=65536)
def _coco_lookup(key: str) -> str | None:
    with _quiet_coco():
        out = _converter().convert(key, to="ISO3", not_found=None)
    # not_found=None makes coco echo the input; lists mean several regexes matched.
    if isinstance(out, str) and out in known_iso3():
        return out
    return None


class _NotCountry(Exception):
    """Internal marker: the value is an aggregate or territory; args[0] is the reason key."""


@lru_cache(maxsize=65536)
def _resolve_listed(raw: str) -> tuple[str | None, str | None]:
    """Steps 1-2 for one stripped, non-empty value: ``(iso3 or None, None)`` when codes or
    overrides decide, ``(None, key)`` when coco must look the normalized ``key`` up; raises
    _NotCountry. Coco never raises it, so :func:`non_country_reason` stops here."""
    iso3_codes, iso2_codes = _code_tables()
    upper = raw.upper()
    if len(raw) == 3 and raw.isalpha() and upper in iso3_codes:
        return upper, None
    if len(raw) == 2 and raw.isalpha() and upper in iso2_codes:
        return iso2_codes[upper], None
    key = normalize_name(raw)
    if not key:
        return None, None
    codes, non_country = _overrides()
    if key in codes:
        return codes[key], None
    if key in non_country:
        raise _NotCountry(non_country[key])
    if _AGGREGATE_PATTERN.search(raw):
        raise _NotCountry("aggregate")
    return None, key


@lru_cache(maxsize=65536)
def _resolve_one(raw: str) -> str | None:
    """ISO3 for one stripped, non-empty value; None if unknown; raises _NotCountry."""
    iso3, key = _resolve_listed(raw)
    return iso3 if key is None else _coco_lookup(key)


def non_country_reason(name: object) -> str | None:
    """Why ``name`` is a listed non-country unit ("aggregate", "territory", "other"), else None.

    Aggregates are regions, income groups, unions and multi-country labels ("World",
    "Euro area", "EUU"); territories are sub-national or disputed units that sources rate
    separately ("Tibet", "Abkhazia"); "other" covers organisations and junk labels. Parsers
    drop all three with a counted reason before resolving.
    """
    if not isinstance(name, str) or not name.strip():
        return None
    try:
        _resolve_listed(name.strip())
    except _NotCountry as marker:
        return str(marker.args[0])
    return None


def is_aggregate(name: object) -> bool:
    """True if ``name`` is a listed region, income group or union (e.g. "World", "Euro area")."""
    return non_country_reason(name) == "aggregate"


def non_country_mask(values: pd.Series) -> pd.Series:
    """Per row the :func:`non_country_reason` (NA for countries), computed per distinct value."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    reasons = np.array([non_country_reason(v) for v in uniques] + [None], dtype=object)
    return pd.Series(reasons[codes], index=values.index, name=values.name, dtype="string")


def is_historical(iso3: str) -> bool:
    """True if ``iso3`` is one of the project's historical-entity codes (SUN, YUG, DDR, ...)."""
    return iso3.upper() in _historical()


def historical_countries() -> pd.DataFrame:
    """The historical-entity table (iso3, name, start_year, end_year, successor_iso3)."""
    rows = [vars(h) for h in _historical().values()]
    return pd.DataFrame(rows).astype({"start_year": "int64", "end_year": "int64"})


def _year_problem(iso3: str, year: int) -> str | None:
    entity = _historical().get(iso3)
    if entity is None or entity.start_year <= year <= entity.end_year:
        return None
    return f"{iso3} existed {entity.start_year}-{entity.end_year}, not in {year}"


def _label(name: str, problem: str) -> str:
    return f"{name} ({problem})"


def resolve_country(name: str, year: int | None = None) -> str:
    """Return the ISO3 code of one country name or code.

    ``year`` (optional) checks that a historical entity existed then ("USSR" in 1995 fails);
    it never changes a modern country's code ("Germany" in 1975 is DEU).

    Raises:
        UnknownEntityError: unknown or blank names, aggregates ("World") and territories
            ("Tibet"), or a historical entity outside its years; the message says which.
    """
    raw = name.strip() if isinstance(name, str) else ""
    if not raw:
        raise UnknownEntityError("country", [_MISSING_LABEL])
    try:
        iso3 = _resolve_one(raw)
    except _NotCountry as marker:
        reason = NON_COUNTRY_REASONS[marker.args[0]]
        raise UnknownEntityError("country", [_label(raw, reason)]) from None
    if iso3 is None:
        raise UnknownEntityError("country", [raw])
    if year is not None and (problem := _year_problem(iso3, int(year))):
        raise UnknownEntityError("country", [_label(raw, problem)])
    return iso3


def resolve_countries(
    values: pd.Series,
    source: str,
    year: pd.Series | None = None,
    *,
    allow_missing: bool = False,
) -> pd.Series:
    """Resolve a Series of country names/codes to ISO3, once per distinct value.

    Args:
        values: names or codes, any mix of variants.
        source: label for error messages (e.g. the raw file name).
        year: optional years aligned with ``values``; historical codes are checked against them.
        allow_missing: keep NA/blank inputs as NA instead of raising.

    Returns:
        A string Series with the same index and name as ``values``.

    Raises:
        UnknownEntityError: one error listing every unknown, non-country or out-of-period
            name (and missing values unless ``allow_missing``).
    """
    stripped = values.astype("string").str.strip()
    codes, uniques = pd.factorize(stripped.replace("", pd.NA), use_na_sentinel=True)
    unknown: list[str] = []
    if (codes == -1).any() and not allow_missing:
        unknown.append(f"{_MISSING_LABEL} x{int((codes == -1).sum())}")
    resolved: list[object] = []
    for raw in uniques:
        try:
            iso3 = _resolve_one(str(raw))
        except _NotCountry as marker:
            unknown.append(_label(str(raw), NON_COUNTRY_REASONS[marker.args[0]]))
            iso3 = None
        else:
            if iso3 is None:
                unknown.append(str(raw))
        resolved.append(iso3)
    lookup = np.array([*resolved, None], dtype=object)  # index -1 -> missing
    out = lookup[codes]
    if year is not None:
        if len(year) != len(values):
            raise ValueError(f"year has {len(year)} rows, values has {len(values)}")
        historical = _historical()
        hist_flags = np.array([code in historical for code in resolved] + [False], dtype=bool)
        unknown += _check_years(stripped, out, year, hist_flags[codes])
    if unknown:
        column = str(values.name) if values.name is not None else None
        raise UnknownEntityError("country", unknown, source=source, column=column)
    return pd.Series(out, index=values.index, name=values.name, dtype="string")


def _check_years(raw: pd.Series, iso3: np.ndarray, year: pd.Series, hist: np.ndarray) -> list[str]:
    """Out-of-period historical rows (``hist`` marks them), one label per distinct case."""
    if not hist.any():
        return []
    frame = pd.DataFrame(
        {"raw": raw.to_numpy()[hist], "iso3": iso3[hist], "year": year.to_numpy()[hist]}
    ).drop_duplicates()
    problems = []
    for row in frame.itertuples(index=False):
        if pd.isna(row.year):
            continue
        if problem := _year_problem(row.iso3, int(row.year)):
            problems.append(_label(row.raw, problem))
    return problems


# --------------------------------------------------------------------------- parser helpers

#: Reason templates of :func:`drop_non_countries`: the default, and one naming the labels
#: (e.g. ``aggregate, not a country: EUU``) for the country lists of the treaty and group sources.
NON_COUNTRY_DROP = "not a country ({kind})"
NON_COUNTRY_DROP_LABELLED = "{kind}, not a country: {labels}"
#: :func:`drop_non_countries` names the dropped labels up to this many, else counts them.
MAX_SHOWN_LABELS = 5


def drop_non_countries(
    audit: RowAudit,
    df: pd.DataFrame,
    column: str | pd.Series,
    *,
    reason: str = NON_COUNTRY_DROP,
) -> pd.DataFrame:
    """Drop the rows of the open audit step whose country is a listed non-country unit.

    ``column`` names the column of ``df`` holding country names or codes (or is a Series
    aligned with ``df``). Rows whose value :func:`non_country_reason` classifies are dropped,
    one audit reason per kind in sorted order, formatted from the ``reason`` template:
    ``{kind}`` is ``aggregate``, ``territory`` or ``other``, ``{labels}`` the distinct labels
    dropped (comma-separated, or ``"<n> labels"`` when more than :data:`MAX_SHOWN_LABELS`).
    A template without ``{kind}`` counts every kind under one reason. Countries, missing
    values and unknown names are kept (resolve them afterwards; unknown names raise there).
    Returns the rows kept.
    """
    values = df[column] if isinstance(column, str) else column
    kinds = non_country_mask(values)
    for kind in sorted(kinds.dropna().unique()):
        mask = kinds.reindex(df.index).eq(kind).fillna(False).astype(bool)
        labels = sorted(values.reindex(df.index)[mask].astype(str).str.strip().unique())
        shown = ", ".join(labels) if len(labels) <= MAX_SHOWN_LABELS else f"{len(labels)} labels"
        df = audit.drop(mask, reason.format(kind=kind, labels=shown), frame=df)
    return df


def resolve_country_rows(
    audit: RowAudit, df: pd.DataFrame, column: str, file: str, *, year: str = "year"
) -> pd.DataFrame:
    """Add ``country_iso3`` to the rows of the open audit step, dropping what is no country.

    For country-year tables. Drops, each with a counted reason: units the resolver lists as
    non-countries (``not a country: <kind>``, via :func:`drop_non_countries`) and rows of
    historical states outside their years (``historical state outside its period``). The rest
    is resolved with ``year=`` as a final guard; unknown names raise listing every one.
    ``df[year]`` must already be integer years.
    """
    df = drop_non_countries(audit, df, column, reason="not a country: {kind}")
    iso3 = resolve_countries(df[column], source=file)
    periods = historical_countries().set_index("iso3")
    start = iso3.map(periods["start_year"]).astype("Float64")
    end = iso3.map(periods["end_year"]).astype("Float64")
    years = df[year].astype("Float64")
    outside = ((years < start) | (years > end)).fillna(False).astype(bool)
    df = audit.drop(
        outside, "historical state outside its period", frame=df.assign(country_iso3=iso3)
    )
    resolve_countries(df[column], source=file, year=df[year])  # raises on anything out of period
    return df


#: City labels that GaWC (2020) and Fortune (2017) file under "China" but that are not in
#: mainland China, by their exact label in those files (compared after stripping spaces).
CHINA_LABEL_RECODES: dict[str, str] = {
    "Hong Kong": "HKG",
    "Macao": "MAC",
    "Macau": "MAC",
    "Taipei": "TWN",
    "New Taipei City": "TWN",
    "Taizhong/Taichung": "TWN",
    "Taichung": "TWN",
    "Kaohsiung": "TWN",
    "Hsinchu City": "TWN",
    "Hsinchu": "TWN",
    "Tainan": "TWN",
    "Taoyuan": "TWN",
}
RECODE_TARGETS = ("HKG", "MAC", "TWN")


def recode_china_labels(
    cities: pd.Series, iso3: pd.Series, audit: RowAudit, frame: pd.DataFrame
) -> pd.Series:
    """Recode the resolved country of China-labelled Hong Kong, Macao and Taiwanese cities.

    ``cities`` are the city labels, ``iso3`` their resolved codes (aligned). Each target code
    gets one audit step over the recoded rows (rows_in = rows_out = count), so recodes are
    counted in the row audit. Returns the corrected codes.
    """
    target = cities.str.strip().map(CHINA_LABEL_RECODES)
    recode = target.notna() & iso3.eq("CHN")
    out = iso3.where(~recode, target)
    for code in RECODE_TARGETS:
        rows = frame.loc[recode & target.eq(code)]
        audit.finish(audit.start(rows, f"recode country China -> {code}"))
    return out.astype("string")


#: Continents for the few codes country_converter lacks or files elsewhere.
_REGION_OVERRIDES = {"XKX": "Europe", "TWN": "Asia", "HKG": "Asia", "MAC": "Asia"}


def region_of(iso3: pd.Series) -> pd.Series:
    """World region (country_converter's five continents) of each ISO3 code; missing if unknown.

    Used for leave-one-region-out checks; historical codes (SUN, YUG, ...) have no region.
    """
    data = _converter().data
    table = dict(zip(data["ISO3"], data["continent"], strict=True)) | _REGION_OVERRIDES
    return iso3.map(table).astype("str")
