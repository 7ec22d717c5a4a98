"""Global Parliament of Mayors: signatories of the Global Declaration of Mayors for Democracy.

A normative city-diplomacy act (democracy), used for H1 defiance when the signing city's
country is a V-Dem autocracy. The list carries no signature dates (caveat in SOURCES.yaml):
acts get `year` missing, and the assembly stage treats them as undated.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from analysis.core.audit import RowAudit
from analysis.sources.common.base import ACTS, MENTIONS, ParsedSource, SourceSpec, build_mentions
from analysis.sources.common.readers import read_text_table, require_columns

NAME = "gpm_democracy"
FILE = "networks/gpm_global_declaration_mayors_for_democracy_signatures_cityvote.csv"


def parse(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(NAME)
    raw = read_text_table(paths[FILE])
    require_columns(raw, ["city_name", "country", "wikidata_id", "mayor_name"], FILE)
    df = audit.start(raw, "signatures")
    df = audit.drop(df["city_name"].isna(), "no city name")
    df = audit.drop(df.duplicated(["city_name", "country"]), "duplicate signature")
    audit.finish(df)
    # Key: the row's name and country, stable across file versions unlike a row number.
    df = df.assign(key=df["city_name"].str.strip() + "|" + df["country"].str.strip())
    mentions = build_mentions(
        df, source=NAME, file=FILE, key="key", name="city_name", country="country"
    )
    acts = pd.DataFrame(
        {
            "mention_id": mentions["mention_id"],
            "act": "gpm_democracy_declaration",
            "act_class": "normative",
            "date": pd.Series(pd.NaT, index=mentions.index, dtype="datetime64[ns]"),
            "year": pd.Series(pd.NA, index=mentions.index, dtype="Int64"),
        }
    )
    return ParsedSource(tables={"mentions": mentions, "acts": acts}, audit=audit)


SOURCES = [
    SourceSpec(
        name=NAME,
        files=(FILE,),
        parse=parse,
        schemas={"mentions": MENTIONS, "acts": ACTS},
        description="GPM Global Declaration of Mayors for Democracy signatories (undated).",
    )
]
