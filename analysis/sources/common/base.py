"""The contract every source parser follows, and the standard tidy tables it may emit.

A source module in `analysis/sources/` defines `SOURCES: list[SourceSpec]`. Each spec names the
manifest files it reads and a `parse` function that returns a `ParsedSource`: tidy tables keyed
by name, each validated by a pandera schema, plus the `RowAudit` of what was dropped and why.
The runner (`analysis.sources.common.runner`) does all I/O, so parsers stay pure and testable on
synthetic files.

Standard tables (the assembly stage reads these by name; a source emits only those it has):

- `mentions`: every place a source names, one row per `mention_id`. Cities are resolved to
  GeoNames ids later, in one matching stage (`analysis.resolve.match`), never inside a parser.
- `memberships`: a mentioned place belongs to a network (`network`, `network_type`,
  `join_year` where the source dates it, `observed_year` = the snapshot year).
- `acts`: dated city-diplomacy acts (adhesions, declarations, signatures, ties).
- `dyads`: ties between two mentions (sister cities, twinning).
- `city_measures`: numeric attributes of a mention in long form (`measure`, `year`, `value`).
- `country_year`: one row per (`country_iso3`, `year`), source-specific columns.
- anything else a source needs (e.g. US county tables), with its own schema.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.core.audit import RowAudit

NETWORK_TYPES = ("climate", "peace", "democracy", "general", "economic")
ACT_CLASSES = ("normative", "economic")
ENTITY_TYPES = ("city", "region", "group", "county", "state", "other")


@dataclass
class ParsedSource:
    """What a parser returns: named tidy tables and the row accounting behind them."""

    tables: dict[str, pd.DataFrame]
    audit: RowAudit


@dataclass(frozen=True)
class SourceSpec:
    """One parse job: which raw files it reads, which tables it writes, how to check them."""

    name: str
    files: tuple[str, ...]  # manifest `file` values, e.g. "networks/gcom_....xlsx"
    parse: Callable[[Mapping[str, Path]], ParsedSource]  # receives {file: local path}
    schemas: Mapping[str, pa.DataFrameSchema] = field(default_factory=dict)
    description: str = ""

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(sorted(self.schemas))


_str = pa.Column(str)
_opt_str = pa.Column(str, nullable=True)
_opt_float = pa.Column(float, nullable=True)
_opt_int = pa.Column("Int64", nullable=True)
_year = pa.Column("Int64", pa.Check.in_range(1500, 2100), nullable=True)

MENTIONS = pa.DataFrameSchema(
    {
        "mention_id": pa.Column(str, unique=True),
        "source": _str,
        "raw_name": _str,
        "raw_country": _opt_str,
        "country_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"), nullable=True),
        "entity_type": pa.Column(str, pa.Check.isin(ENTITY_TYPES)),
        "lat": pa.Column(float, pa.Check.in_range(-90, 90), nullable=True),
        "lon": pa.Column(float, pa.Check.in_range(-180, 180), nullable=True),
        "population": pa.Column(float, pa.Check.ge(0), nullable=True),
    },
    strict=True,
    name="mentions",
)

MEMBERSHIPS = pa.DataFrameSchema(
    {
        "mention_id": _str,
        "network": _str,
        "network_type": pa.Column(str, pa.Check.isin(NETWORK_TYPES)),
        "join_year": _year,
        "observed_year": _year,
        "source_label": _opt_str,
    },
    strict=True,
    unique=["mention_id", "network", "observed_year"],
    name="memberships",
)

ACTS = pa.DataFrameSchema(
    {
        "mention_id": _str,
        "act": _str,
        "act_class": pa.Column(str, pa.Check.isin(ACT_CLASSES)),
        "date": pa.Column("datetime64[ns]", nullable=True),
        "year": _year,
    },
    strict=True,
    name="acts",
)

DYADS = pa.DataFrameSchema(
    {
        "mention_id_a": _str,
        "mention_id_b": _str,
        "tie_type": _str,
        "year": _year,
    },
    strict=True,
    name="dyads",
)

CITY_MEASURES = pa.DataFrameSchema(
    {
        "mention_id": _str,
        "measure": _str,
        "year": _year,
        "value": pa.Column(float),
    },
    strict=True,
    unique=["mention_id", "measure", "year"],
    name="city_measures",
)


#: The key every `country_year` table is unique on.
COUNTRY_YEAR_KEY = ["country_iso3", "year"]


def country_year_schema(columns: Mapping[str, pa.Column], name: str) -> pa.DataFrameSchema:
    """A `country_year` schema: unique (`country_iso3`, `year`) plus the source's columns."""
    return pa.DataFrameSchema(
        {
            "country_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
            "year": pa.Column("Int64", pa.Check.in_range(1700, 2100)),
            **columns,
        },
        strict=True,
        unique=list(COUNTRY_YEAR_KEY),
        name=name,
    )


def finish_country_year(audit: RowAudit, df: pd.DataFrame, file: str) -> pd.DataFrame:
    """Close the open audit step after checking (`country_iso3`, `year`) is unique."""
    from analysis.sources.common.readers import check_unique

    check_unique(df, COUNTRY_YEAR_KEY, file)
    return audit.finish(df)


def empty_mentions() -> pd.DataFrame:
    """A zero-row `mentions` frame with the right dtypes (for sources with no places)."""
    return pd.DataFrame(
        {
            "mention_id": pd.Series(dtype=str),
            "source": pd.Series(dtype=str),
            "raw_name": pd.Series(dtype=str),
            "raw_country": pd.Series(dtype=str),
            "country_iso3": pd.Series(dtype=str),
            "entity_type": pd.Series(dtype=str),
            "lat": pd.Series(dtype=float),
            "lon": pd.Series(dtype=float),
            "population": pd.Series(dtype=float),
        }
    )


def build_mentions(
    df: pd.DataFrame,
    *,
    source: str,
    file: str,
    key: str,
    name: str,
    country: str | None = None,
    iso3: str | None = None,
    entity_type: str | pd.Series = "city",
    lat: str | None = None,
    lon: str | None = None,
    population: str | None = None,
    decimal: str = ".",
) -> pd.DataFrame:
    """The `mentions` table for rows of `df`: one mention per distinct `key` value.

    Countries come from `iso3` (codes) or `country` (names); both go through the one country
    resolver, which raises on any unknown value, so no mention gets a silent missing country.
    """
    from analysis.resolve.countries import resolve_countries
    from analysis.sources.common.readers import to_number

    def num(col: str | None) -> pd.Series:
        if col is None:
            return pd.Series(float("nan"), index=df.index, dtype=float)
        return to_number(df[col], file, col, decimal=decimal)

    country_col = iso3 or country
    raw_country = df[country_col].astype("str") if country_col else pd.Series(pd.NA, index=df.index)
    resolved = (
        resolve_countries(df[country_col], source=file).astype("str")
        if country_col
        else pd.Series(pd.NA, index=df.index, dtype="str")
    )
    out = pd.DataFrame(
        {
            "mention_id": source + ":" + df[key].astype("str"),
            "source": source,
            "raw_name": df[name].astype("str"),
            "raw_country": raw_country.astype("str"),
            "country_iso3": resolved,
            "entity_type": entity_type,
            "lat": num(lat),
            "lon": num(lon),
            "population": num(population),
        }
    )
    return out.drop_duplicates("mention_id").reset_index(drop=True)


def city_measures_for_year(
    mention_ids: pd.Series | pd.Index, values: Mapping[str, pd.Series], year: int
) -> pd.DataFrame:
    """`city_measures` rows for measures observed in one ``year``.

    ``values`` maps each measure name to its values, aligned by position with ``mention_ids``;
    the result holds one row per mention for each measure in turn, with a fresh index.
    """
    ids = pd.Series(mention_ids).to_numpy()
    parts = [
        pd.DataFrame(
            {
                "mention_id": ids,
                "measure": measure,
                "year": pd.array([year] * len(ids), dtype="Int64"),
                "value": pd.Series(series).to_numpy(dtype=float),
            }
        )
        for measure, series in values.items()
    ]
    return pd.concat(parts, ignore_index=True)
