"""Diplomatic missions per host locality, from the Wikidata-based "database of embassies".

File ``cities/embassies_wikidata_2022-11-16.csv`` (``;``-separated, trailing empty column): one
row per current mission with sending state (``operator``), host country, host locality
(``city``, Wikidata P131 label, with ``cityQID``), coordinates and mission ``type``. Used as
the diplomatic-presence variable of H2 (foreign embassies and consulates per city).

Tables
------
``mentions``
    One per host locality: ``mention_id`` is ``embassies_wikidata:<locality QID>|<host
    country label>`` (the Wikidata id of the locality, e.g. ``Q90|France``), ``raw_name`` the
    locality label, ``raw_country`` the host-country label, ``entity_type`` ``city``. The
    point is the mean of the missions' coordinates, taken over the missions within
    :data:`OUTLIER_KM` km of the locality's median point, so that one miscoded mission (16
    missions lie over 50 km from their locality's median, e.g. a mission in Yerevan with
    Nairobi's coordinates) cannot drag the point; the outlying missions still count. A
    locality none of whose missions has coordinates gets no point (name matching only).
``city_measures`` (``year`` = 2022, the snapshot of 2022-11-16; one row per locality and
measure, zeros included):

- ``embassies_2022``: embassies, high commissions (also typed "British/Australian High
  Commission"), apostolic nunciatures and apostolic delegations, and de facto embassies
  (Taiwan's representative offices and the like, 98 rows: they are a state's main mission
  to the host, so they count as embassies here).
- ``consulates_2022``: consulates-general and consulates (also typed "Consulate General of
  Sweden/Belgium", "consulates of Sweden"), de facto consulates, assistant high
  commissions, consular offices and consular agencies; honorary consulates excluded.
- ``honorary_consulates_2022``: honorary consulates.
- ``foreign_missions_2022``: every non-honorary mission: the two groups above plus other
  offices (interests sections, liaison, representative and trade offices, Quebec
  government offices, a permanent mission). A type outside this list raises, so a new
  type in a later file cannot go uncounted.

Caveats (SOURCES.yaml) and how they are handled
-----------------------------------------------
- "city" is often a district (Chaoyang District, 6th arrondissement of Lyon): handled by
  emitting the locality as it is, with coordinates; the matching stage puts districts into
  their city by distance. Localities are keyed by Wikidata id, not label, because one label
  can name two places (two "Chūō-ku" in Japan: Tokyo and Kobe).
- 582 rows without a host locality: dropped ("no host locality"); nothing to attribute
  them to. 1132 rows without coordinates: the 433 of them without a locality are in the
  drop above; the other ~700 keep counting for their locality (which then takes its point
  from its other missions, or has none), so they are not dropped.
- Consulates are patchy in Wikidata (e.g. only 20 missions in Shanghai): documented, not
  correctable here; ``embassies_2022`` is the more complete measure. Honorary consulates are
  kept apart for the same reason.
- Current missions only, no time series: every measure has the single year 2022.
- Rows whose host country is the sending state itself (31: e.g. Australia's embassies in
  Ankara and Tokyo carry host country "Australia") are miscoded host countries, not
  domestic missions; dropped ("host country is the sending state"), compared by Wikidata
  id. One mission item listed under two sending states is kept once ("duplicate mission
  QID"). Missions hosted in units that are not countries (Abkhazia, South Ossetia, the
  Turkish Republic of Northern Cyprus, junk labels) are dropped with the resolver's reason.
- Not dropped, documented: missions of non-state operators (Quebec, Saxony, the European
  Parliament, the Central Tibetan Administration) count as foreign missions of their host
  locality; the "Aboriginal Tent Embassy" (operator "Indigenous Australians", Canberra) is
  typed "embassy" by Wikidata and counted as such (one row).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.resolve.countries import drop_non_countries
from analysis.sources.common.base import (
    CITY_MEASURES,
    MENTIONS,
    ParsedSource,
    SourceSpec,
    build_mentions,
)
from analysis.sources.common.readers import read_text_table, require_columns, to_number

NAME = "embassies_wikidata"
FILE = "cities/embassies_wikidata_2022-11-16.csv"
YEAR = 2022
OUTLIER_KM = 25.0
COLUMNS = [
    "operator",
    "operatorQID",
    "country",
    "countryQID",
    "city",
    "cityQID",
    "latitude",
    "longitude",
    "type",
    "QID",
]

EMBASSY, CONSULATE, HONORARY, OTHER = "embassy", "consulate", "honorary", "other"
#: Mission type (casefolded) -> class. Types not listed raise.
MISSION_CLASS: dict[str, str] = {
    **dict.fromkeys(
        [
            "embassy",
            "high commission",
            "british high commission",
            "australian high commission",
            "apostolic nunciature",
            "apostolic delegation",
            "embassy of the united states",
            "de facto embassy",
        ],
        EMBASSY,
    ),
    **dict.fromkeys(
        [
            "consulate general",
            "consulate",
            "consulate general of sweden",
            "consulate general of belgium",
            "consulates of sweden",
            "de facto consulate",
            "assistant high commission",
            "consular office",
            "consular agency",
        ],
        CONSULATE,
    ),
    "honorary consulate": HONORARY,
    **dict.fromkeys(
        [
            "interests section",
            "liaison office",
            "representative office",
            "taipei representative office",
            "trade office",
            "quebec government office",
            "diplomatic mission",
            "diplomatic mission of el salvador",
            "permanent mission",
        ],
        OTHER,
    ),
}
MEASURES = {
    "embassies_2022": (EMBASSY,),
    "consulates_2022": (CONSULATE,),
    "honorary_consulates_2022": (HONORARY,),
    "foreign_missions_2022": (EMBASSY, CONSULATE, OTHER),
}


def _qid(uri: pd.Series) -> pd.Series:
    """``http://www.wikidata.org/entity/Q90`` -> ``Q90``."""
    return uri.str.strip().str.rsplit("/", n=1).str[-1]


def classify(types: pd.Series, file: str) -> pd.Series:
    """Mission class of each ``type`` value; raises naming every unknown type."""
    classes = types.str.strip().str.casefold().map(MISSION_CLASS)
    unknown = classes.isna()
    if unknown.any():
        values = sorted(types[unknown].astype(str).unique())
        raise RawInputError(
            file,
            f"{int(unknown.sum())} mission(s) of unclassified type(s): {values}; "
            "add them to MISSION_CLASS",
            column="type",
            value=values[0],
        )
    return classes


def locality_points(df: pd.DataFrame) -> pd.DataFrame:
    """Per ``key``: mean lat/lon of missions within OUTLIER_KM of the key's median point."""
    located = df.dropna(subset=["lat", "lon"])
    median = located.groupby("key")[["lat", "lon"]].transform("median")
    dlat = located["lat"] - median["lat"]
    dlon = (located["lon"] - median["lon"]) * np.cos(np.radians(median["lat"]))
    near = np.hypot(dlat, dlon) * 111.2 <= OUTLIER_KM
    return located[near].groupby("key")[["lat", "lon"]].mean()


def parse(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(NAME)
    raw = read_text_table(paths[FILE])
    require_columns(raw, COLUMNS, FILE)
    df = audit.start(raw, "missions")
    df = audit.drop(df.duplicated("QID"), "duplicate mission QID")
    df = audit.drop(
        _qid(df["operatorQID"]) == _qid(df["countryQID"]),
        "host country is the sending state (miscoded host country)",
    )
    df = drop_non_countries(audit, df, "country", reason="host is not a country ({kind})")
    df = audit.drop(df["city"].isna() | df["cityQID"].isna(), "no host locality")
    audit.finish(df)

    df = df.assign(
        mission_class=classify(df["type"], FILE),
        lat=to_number(df["latitude"], FILE, "latitude"),
        lon=to_number(df["longitude"], FILE, "longitude"),
        key=_qid(df["cityQID"]) + "|" + df["country"].str.strip(),
    )
    points = locality_points(df)
    localities = df.drop_duplicates("key")[["key", "city", "country"]].set_index("key")
    localities = localities.join(points).reset_index()
    mentions = build_mentions(
        localities,
        source=NAME,
        file=FILE,
        key="key",
        name="city",
        country="country",
        lat="lat",
        lon="lon",
    )
    counts = pd.crosstab(df["key"], df["mission_class"])
    measures = pd.DataFrame(
        {
            measure: counts.reindex(columns=list(classes), fill_value=0).sum(axis=1)
            for measure, classes in MEASURES.items()
        }
    )
    long = (
        measures.rename_axis("key")
        .reset_index()
        .melt(id_vars="key", var_name="measure", value_name="value")
    )
    city_measures = pd.DataFrame(
        {
            "mention_id": NAME + ":" + long["key"],
            "measure": long["measure"],
            "year": pd.Series(YEAR, index=long.index, dtype="Int64"),
            "value": long["value"].astype(float),
        }
    )
    return ParsedSource(tables={"mentions": mentions, "city_measures": city_measures}, audit=audit)


SOURCES = [
    SourceSpec(
        name=NAME,
        files=(FILE,),
        parse=parse,
        schemas={"mentions": MENTIONS, "city_measures": CITY_MEASURES},
        description="Foreign diplomatic missions per host locality (Wikidata, 2022-11-16).",
    )
]
