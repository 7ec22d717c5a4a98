"""CEDAMIA climate-emergency declarations (CEDs): dated normative acts of local governments.

Files: ``networks/cedamia_climate_emergency_declarations_data_sheet.xlsx`` (primary: sheet
``Data`` of the CED data sheet) and ``networks/cedamia_climate_emergency_declarations_data_sheet.csv``
(a CSV export of the same sheet, parsed the same way and cross-checked against the workbook).
A declaration is a dated norm-enforcing step: H1 (defiance while the nation had not ratified
Paris or had announced withdrawal) and H3 (event study around June 2017).

Layout of the ``Data`` sheet: a title block; the header row (``Jurisdictions (by country)``,
``Region``, ``Population``, ``Date``, ...) and a sub-header row; then one block per country:
a country header row (country name in the first column, no date), the jurisdiction rows
(name, state/province in ``Region``, population, declaration ``Date``), a "No. of CEDs"
sub-header and a "<country> totals:" row. The list ends at "Total global CED jurisdictions &
population:"; below it are summary tables (party control, sizes, targets). The European Union
block has no totals row, and the UK header is followed by a note row.

Tables
------
``mentions``
    One per jurisdiction: ``mention_id`` = ``cedamia:<country label>|<Region>|<name>``
    (names repeat across states: two "Portland City Council" in the USA), ``raw_name`` the
    jurisdiction's name, ``raw_country`` the block's country label (for the "UK and
    dependencies" block: the Crown dependency or territory named in ``Region`` -- Jersey,
    Gibraltar, Isle of Man -- when the resolver knows it as a country of its own),
    ``population`` from ``Population``; no coordinates. ``entity_type`` (the sheet has no level
    column, so it is inferred from the name, see :func:`entity_type`): ``group`` for entries
    that aggregate many councils ("Québec 525 Councils", "... National Association of Mayors
    226 councils"); ``other`` for national declarations (no ``Region`` and a national body:
    parliament, national assembly, senate, house of commons, congress, general council, or
    the country's own name: 18 rows, the 18 national CEDs of the sheet's count); ``region``
    for prefectures, cantons, provinces, departments, state parliaments and governments,
    legislative and regional assemblies, and for parliaments, congresses, assemblies,
    governments and "... Region" unless the name also has a local word (city, town, parish,
    borough, municipal(ity), district, county, village, shire), and for names equal to their
    ``Region`` ("Scotland"); ``county`` for county councils and counties (not "City and
    County"); otherwise ``city``. "Regional Council" is ambiguous (a local council in
    Australia, a regional municipality in Canada -- Halifax --, a region in New Zealand) and is
    read as ``city``, so New Zealand's four regional councils and "New Aquitaine Regional
    Council" are misread as cities; "Budapest General Assembly" (the capital) is read as a
    region.
``acts``
    One per jurisdiction: ``act`` ``climate_emergency_declaration`` (normative), ``date`` the
    declaration date, ``year`` its year.

Caveats (SOURCES.yaml, data/raw/README.md) and how they are handled
-------------------------------------------------------------------
- Spreadsheet layout (title rows, country headers, totals rows; CSV read from line 7, its
  first data row a sub-header): every non-jurisdiction row is dropped with a counted reason
  ("blank row", "sub-header row", "country header row", "note row", "per-country totals
  row", "summary tables below the declaration list"). The five "Significant declarations
  requiring ratification" listed below the totals (Mexico Senate, Portugal, ...) are not CEDs
  yet in cedamia's count: dropped ("declaration awaiting ratification"). A dated row without a name, or a
  jurisdiction before any country header, raises; a country header that does not resolve
  raises (the resolver's error lists it).
- Dates: Excel dates in the workbook (real dates or serials), "23 Jan 2020" text in the CSV;
  anything else raises, except the Québec aggregate's "Since Aug 2018", which has no single
  date: its act keeps ``date``/``year`` missing.
- Population: numbers in the workbook, text with thousands commas in the CSV; "?" (two UK
  parish councils) is missing.
- Some entries aggregate many municipalities (Québec's 525 councils, Korea's 226 councils,
  whose councils are also listed one by one below it): ``entity_type`` group.
- The European Parliament's declaration (block "European Union") is dropped ("country block is
  not a country (aggregate)"): not a city or national act.
- Network flags (C40, ICLEI, Covenant of Mayors, Under2, CNCA, Climate Alliance, Cities Power
  Partnership, Race to Zero, Fossil Fuel Treaty) are sparse and only cover declaring
  jurisdictions: not emitted (ClimActor and GCoM are the membership sources). Target dates,
  declaration wording, council majority and links are not emitted either.
- UTF-8 with BOM (CSV): the reader strips the BOM.
- CSV vs workbook: both are parsed to (country, Region, name, date, population); the audit
  step "csv copy vs xlsx (check only)" keeps the CSV rows that agree with the workbook and
  drops the others by reason (not in the workbook, date differs, population differs); the
  CSV rows are not emitted. More than :data:`MAX_DISAGREEMENT` of jurisdictions disagreeing
  (in either direction) raises. On the real files they agree on all 1,846 jurisdictions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError, UnknownEntityError
from analysis.resolve.countries import drop_non_countries, resolve_country
from analysis.sources.common.base import ACTS, MENTIONS, ParsedSource, SourceSpec, build_mentions
from analysis.sources.common.readers import (
    check_unique,
    read_excel_table,
    read_text_table,
    require_columns,
    to_date,
    to_number,
)

NAME = "cedamia"
XLSX = "networks/cedamia_climate_emergency_declarations_data_sheet.xlsx"
CSV = "networks/cedamia_climate_emergency_declarations_data_sheet.csv"
SHEET = "Data"
CSV_SKIPROWS = 6
JURISDICTION = "Jurisdictions (by country)"
COLUMNS = [JURISDICTION, "Region", "Population", "Date"]
END_MARKER = "total global ced jurisdictions"
PENDING_MARKER = "significant declarations requiring ratification"
CSV_DATE_FORMATS = ("%d %b %Y",)
ACT = "climate_emergency_declaration"
#: Share of jurisdictions on which the CSV and the workbook may disagree before parsing fails.
MAX_DISAGREEMENT = 0.01
UK_BLOCK_ISO3 = "GBR"

_GROUP = re.compile(r"\b\d+\s+councils\b", re.IGNORECASE)
_NATIONAL = re.compile(
    r"parliament|national|senate|house of commons|congress|chamber of deputies|general council",
    re.IGNORECASE,
)
#: Region-level words that hold even next to a local word ("Basel-City (Basel-Stadt) Canton").
_REGION_STRONG = re.compile(
    r"\b(prefecture|canton|province|provincial|department|state parliament|state government"
    r"|legislative assembly|regional assembly)\b",
    re.IGNORECASE,
)
#: Region-level words that a local word overrides ("Liverpool City Region Combined Authority").
_REGION_WEAK = re.compile(r"\b(parliament|congress|assembly|government|region)\b", re.IGNORECASE)
_LOCAL = re.compile(
    r"\b(city|town|parish|borough|municipal|municipality|district|county|village|shire)\b",
    re.IGNORECASE,
)
_COUNTY = re.compile(r"\bcounty\b", re.IGNORECASE)
_CITY_AND_COUNTY = re.compile(r"\bcity (and )?county\b", re.IGNORECASE)
_UNDATED = re.compile(r"^since\b", re.IGNORECASE)


def entity_type(name: str, region: str | None, country_label: str) -> str:
    """The level of a jurisdiction, read from its name (the sheet has no level column)."""
    region_text = (region or "").strip()
    if _GROUP.search(name):
        return "group"
    no_region = region_text in ("", "-")
    if no_region and (
        _NATIONAL.search(name) or name.casefold() == country_label.strip().casefold()
    ):
        return "other"
    if region_text and name.casefold() == region_text.casefold():
        return "region"
    if _REGION_STRONG.search(name) or (_REGION_WEAK.search(name) and not _LOCAL.search(name)):
        return "region"
    if _COUNTY.search(name) and not _CITY_AND_COUNTY.search(name):
        return "county"
    return "city"


def _is_blank(value: object) -> bool:
    """True for None, NaN and whitespace-only text."""
    if isinstance(value, str):
        return not value.strip()
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _text(series: pd.Series) -> pd.Series:
    """Cells as stripped text; blanks become None."""
    values = [None if _is_blank(v) else str(v).strip() for v in series]
    return pd.Series(values, index=series.index, dtype=object)


def _layout(raw: pd.DataFrame, file: str, audit: RowAudit, step: str) -> pd.DataFrame:
    """Keep the jurisdiction rows of the Data sheet, each with its block's country label."""
    df = audit.start(raw, step)
    name = _text(raw[JURISDICTION])
    date = _text(raw["Date"])
    end = name.map(lambda v: v is not None and v.casefold().startswith(END_MARKER))
    if not end.any():
        raise RawInputError(
            file, f"no row starting with {END_MARKER!r}: layout changed", column=JURISDICTION
        )
    end_position = int(end.to_numpy().argmax())
    position = pd.Series(range(len(raw)), index=raw.index)
    after = position >= end_position
    blank = raw.map(_is_blank).all(axis=1)
    # Below the totals: "Significant declarations requiring ratification ..." and its dated
    # rows (up to the first undated row); then the summary tables.
    pending_start = name.map(lambda v: v is not None and v.casefold().startswith(PENDING_MARKER))
    pending = pd.Series(False, index=raw.index)
    if pending_start.any():
        start = int(pending_start.to_numpy().argmax())
        undated = position[(position > start) & date.isna()]
        stop_position = int(undated.iloc[0]) if len(undated) else len(raw)
        pending = (position > start) & (position < stop_position)
    dated = date.notna() & name.notna()
    totals = name.map(lambda v: v is not None and v.casefold().endswith("totals:"))
    orphan = date.notna() & name.isna() & ~after & _text(raw["Region"]).ne("No. of CEDs")
    if orphan.any():
        raise RawInputError(
            file,
            f"{int(orphan.sum())} dated row(s) without a jurisdiction name",
            column=JURISDICTION,
            value=raw.loc[orphan, "Date"].iloc[0],
        )

    # Country headers: undated named rows; one right after a header (no jurisdiction between)
    # is a note, e.g. the UK block's "See the note on the About tab ...".
    country: list[str | None] = []
    header = pd.Series(False, index=raw.index)
    note = pd.Series(False, index=raw.index)
    current: str | None = None
    after_header = False
    for index in raw.index:
        if after[index] or blank[index]:
            country.append(current)
            continue
        if name[index] is not None and not dated[index] and not totals[index]:
            if after_header:
                note[index] = True
            else:
                header[index] = True
                current = name[index]
                after_header = True
        elif dated[index]:
            if current is None:
                raise RawInputError(
                    file, "jurisdiction before any country header", JURISDICTION, name[index]
                )
            after_header = False
        country.append(current)
    df = df.assign(country_label=pd.Series(country, index=raw.index, dtype=object))
    df = audit.drop(
        pending, "declaration awaiting ratification (listed below the totals)", frame=df
    )
    df = audit.drop(after.reindex(df.index), "summary tables below the declaration list")
    df = audit.drop(blank.reindex(df.index), "blank row")
    df = audit.drop(totals.reindex(df.index), "per-country totals row")
    df = audit.drop(header.reindex(df.index), "country header row")
    df = audit.drop(note.reindex(df.index), "note row")
    df = audit.drop(~dated.reindex(df.index), "sub-header row")
    return audit.finish(df)


def _jurisdictions(df: pd.DataFrame, file: str, *, csv: bool) -> pd.DataFrame:
    """Typed jurisdiction table: country label, region, name, date, population."""
    date_text = df["Date"].map(lambda v: v.strip() if isinstance(v, str) else v)
    undated = date_text.map(lambda v: isinstance(v, str) and bool(_UNDATED.match(v)))
    dates = date_text.mask(undated)
    if csv:
        date = to_date(dates, file, "Date", formats=CSV_DATE_FORMATS)
    else:
        date = to_date(dates, file, "Date", excel_serial=True)
    unknown = df["Population"].map(lambda v: isinstance(v, str) and v.strip() == "?")
    population = to_number(
        df["Population"].mask(unknown), file, "Population", thousands="," if csv else None
    )
    region = _text(df["Region"])
    out = pd.DataFrame(
        {
            "country_label": df["country_label"],
            "region": region,
            "name": _text(df[JURISDICTION]),
            "date": date.astype("datetime64[ns]"),
            "population": population,
        },
        index=df.index,
    )
    out["key"] = out["country_label"] + "|" + out["region"].fillna("") + "|" + out["name"]
    check_unique(out, ["key"], file)
    return out


def _cross_check(xlsx: pd.DataFrame, csv: pd.DataFrame, audit: RowAudit) -> None:
    """Record in the audit how the CSV copy agrees with the workbook; raise if materially."""
    primary = xlsx.set_index("key")
    df = audit.start(csv, "csv copy vs xlsx (check only)")
    found = df["key"].isin(primary.index)
    df = audit.drop(~found, "csv row not in xlsx")
    other = primary.loc[df["key"]]
    same_date = (df["date"].to_numpy() == other["date"].to_numpy()) | (
        df["date"].isna().to_numpy() & other["date"].isna().to_numpy()
    )
    df = audit.drop(pd.Series(~same_date, index=df.index), "csv date differs from xlsx")
    other = primary.loc[df["key"]]
    pop_a, pop_b = df["population"].to_numpy(), other["population"].to_numpy()
    same_pop = (pop_a == pop_b) | (pd.isna(pop_a) & pd.isna(pop_b))
    df = audit.drop(pd.Series(~same_pop, index=df.index), "csv population differs from xlsx")
    audit.finish(df)
    missing_in_csv = int((~xlsx["key"].isin(csv["key"])).sum())
    disagreeing = len(csv) - len(df) + missing_in_csv
    if disagreeing > MAX_DISAGREEMENT * max(len(xlsx), 1):
        raise RawInputError(
            CSV,
            f"{disagreeing} jurisdiction(s) differ between the CSV and {XLSX} "
            f"({missing_in_csv} missing from the CSV; see the audit reasons); "
            f"more than {MAX_DISAGREEMENT:.0%}",
        )


def _country(df: pd.DataFrame) -> pd.Series:
    """The block's country label, or for the UK block a Crown dependency named in Region."""
    labels = df["country_label"].copy()
    uk_block = {label for label in labels.unique() if _resolves_to(label, UK_BLOCK_ISO3)}
    in_uk = labels.isin(uk_block) & df["region"].notna()
    for region in df.loc[in_uk, "region"].unique():
        try:
            iso3 = resolve_country(region)
        except UnknownEntityError:
            continue
        if iso3 != UK_BLOCK_ISO3:
            labels[in_uk & df["region"].eq(region)] = region
    return labels


def _resolves_to(label: str, iso3: str) -> bool:
    try:
        return resolve_country(label) == iso3
    except UnknownEntityError:
        return False


def parse(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(NAME)
    raw_x = read_excel_table(
        paths[XLSX], sheet=SHEET, header_contains=["Jurisdictions (by country)", "Date"]
    )
    require_columns(raw_x, COLUMNS, XLSX)
    raw_c = read_text_table(paths[CSV], skiprows=CSV_SKIPROWS)
    require_columns(raw_c, COLUMNS, CSV)

    xlsx = _jurisdictions(_layout(raw_x, XLSX, audit, "xlsx rows"), XLSX, csv=False)
    csv = _jurisdictions(_layout(raw_c, CSV, audit, "csv rows"), CSV, csv=True)
    _cross_check(xlsx, csv, audit)

    df = audit.start(xlsx, "jurisdictions")
    df = drop_non_countries(
        audit, df, "country_label", reason="country block is not a country ({kind})"
    )
    audit.finish(df)
    df = df.assign(
        raw_country=_country(df),
        entity=[
            entity_type(n, r, c)
            for n, r, c in zip(df["name"], df["region"], df["country_label"], strict=True)
        ],
    )
    mentions = build_mentions(
        df,
        source=NAME,
        file=XLSX,
        key="key",
        name="name",
        country="raw_country",
        entity_type=pd.Series(df["entity"].to_numpy(), index=df.index),
        population="population",
    )
    acts = pd.DataFrame(
        {
            "mention_id": NAME + ":" + df["key"],
            "act": ACT,
            "act_class": "normative",
            "date": df["date"],
            "year": df["date"].dt.year.astype("Int64"),
        }
    ).reset_index(drop=True)
    return ParsedSource(tables={"mentions": mentions, "acts": acts}, audit=audit)


SOURCES = [
    SourceSpec(
        name=NAME,
        files=(XLSX, CSV),
        parse=parse,
        schemas={"mentions": MENTIONS, "acts": ACTS},
        description="CEDAMIA climate-emergency declarations (jurisdictions with dates).",
    )
]
