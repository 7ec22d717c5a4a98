"""Gourdon's local-government typologies and Local Autonomy Index of 43 European countries.

From P. Gourdon's thesis replication data (github.com/pgourdongeo/
Chap3_LocationalAnalysis, see `networks/SOURCES.yaml`).

`local_gov_typology` - `local_government_typology` (own schema, one row per country, 43
European countries): the local-government typologies (Mouritzen & Svara horizontal power
relations, Hesse & Sharpe vertical power relations, Heinelt & Hlepas political leadership,
Swianiewicz East-European types, Kuhlmann & Wollmann administrative profiles) and the Local
Autonomy Index for 1990, 2000, 2010, 2014 and its 1990-2014 mean, kept wide: the LAI panel
proper comes from the country-level LAI source, so this table is a country-level moderator and a
cross-check, not a second `country_year`. "OutsideTypology" (the typology does not classify the
country) becomes missing. The file's Natural-Earth/Gapminder context columns (area, population,
life expectancy, GDP per capita) are not carried: other sources provide them by year.
Caveats: "Country level only; semicolon-separated with decimal commas": read with
``decimal=","``; countries resolve from `iso_a2`, cross-checked against `name_long`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.resolve.countries import drop_non_countries, resolve_countries
from analysis.sources.common.base import ParsedSource, SourceSpec
from analysis.sources.common.readers import (
    check_unique,
    clean_text,
    read_text_table,
    require_columns,
    to_number,
)

TYPOLOGY = "local_gov_typology"
TYPOLOGY_FILE = "networks/country_local_government_typology_lai_gourdon.csv"
OUTSIDE = "OutsideTypology"
#: raw column -> (output column, allowed categories)
TYPOLOGY_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "LocGovType_HorizontalPwrRelation": (
        "horizontal_power_relation",
        ("Strong Mayor Form", "Committee Leader Form", "Collective Form", "Council-Manager Form"),
    ),
    "LocGovType_VerticalPwrRelation": (
        "vertical_power_relation",
        ("AngloType", "FrancoType", "North-Middle European Group", "East-Central European Group"),
    ),
    "LocGovType_PoliticalLeadership": (
        "political_leadership",
        ("Ceremonial Mayors", "Collegial Leaders", "Executive Mayors", "Political Mayors"),
    ),
    "LocGovTyp_EasternEurope": ("eastern_europe_type", ("Type1", "Type2", "Type3", "Type4")),
    "LocGovType_MunicipalAdmin": (
        "municipal_administration",
        (
            "Anglo Saxon",
            "Nordic",
            "Continental European Napoleonic",
            "Continental European Federal",
            "Central Eastern European",
            "South Eastern European",
        ),
    ),
}
LAI_COLUMNS = {
    "LAI90": "lai_1990",
    "LAI00": "lai_2000",
    "LAI10": "lai_2010",
    "LAI14": "lai_2014",
    "MeanLAI_9014": "lai_mean_1990_2014",
}
_lai = pa.Column(float, pa.Check.in_range(0, 40), nullable=True)
LOCAL_GOVERNMENT_TYPOLOGY = pa.DataFrameSchema(
    {
        "country_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"), unique=True),
        "country_name": pa.Column(str),
        **{
            out: pa.Column(str, pa.Check.isin(allowed), nullable=True)
            for out, allowed in TYPOLOGY_COLUMNS.values()
        },
        **dict.fromkeys(LAI_COLUMNS.values(), _lai),
    },
    strict=True,
    name="local_government_typology",
)


def parse_typology(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(TYPOLOGY)
    raw = read_text_table(paths[TYPOLOGY_FILE], decimal=",")
    require_columns(raw, ["iso_a2", "name_long", *TYPOLOGY_COLUMNS, *LAI_COLUMNS], TYPOLOGY_FILE)
    df = audit.start(raw, "countries")
    df = drop_non_countries(audit, df, "iso_a2", reason="{kind}")
    audit.finish(df)
    iso3 = resolve_countries(df["iso_a2"], source=TYPOLOGY_FILE)
    by_name = resolve_countries(df["name_long"], source=TYPOLOGY_FILE)
    mismatch = iso3 != by_name
    if mismatch.any():
        row = df[mismatch].iloc[0]
        raise RawInputError(
            TYPOLOGY_FILE,
            f"code {row['iso_a2']} ({iso3[mismatch].iloc[0]}) disagrees with name "
            f"{row['name_long']!r} ({by_name[mismatch].iloc[0]})",
            column="iso_a2",
            value=row["iso_a2"],
        )
    out = pd.DataFrame(
        {"country_iso3": iso3.astype(str), "country_name": clean_text(df["name_long"])}
    )
    for column, (name, allowed) in TYPOLOGY_COLUMNS.items():
        values = clean_text(df[column])
        values = values.where(values != OUTSIDE)
        unknown = sorted(set(values.dropna()) - set(allowed))
        if unknown:
            raise RawInputError(
                TYPOLOGY_FILE,
                f"categories not in {list(allowed)} or {OUTSIDE!r}: {unknown}",
                column=column,
                value=unknown[0],
            )
        out[name] = values.astype("str")
    for column, name in LAI_COLUMNS.items():
        out[name] = to_number(df[column], TYPOLOGY_FILE, column, decimal=",")
    check_unique(out, ["country_iso3"], TYPOLOGY_FILE)
    return ParsedSource(
        tables={"local_government_typology": out.reset_index(drop=True)}, audit=audit
    )


SOURCES = [
    SourceSpec(
        name=TYPOLOGY,
        files=(TYPOLOGY_FILE,),
        parse=parse_typology,
        schemas={"local_government_typology": LOCAL_GOVERNMENT_TYPOLOGY},
        description="Local-government typologies and Local Autonomy Index, 43 countries.",
    ),
]
