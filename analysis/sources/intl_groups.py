"""International group memberships by country-year (NATO, OECD, EU, G20) and the code crosswalk.

H1 reads Peace Messenger Cities membership as defiance when the nation is a NATO member (or a
nuclear-weapon state, see ``treaties.nuclear_weapons``); the OECD, EU and G20 flags are controls
and sample filters (e.g. "high-income democracies" in the H3 event study).

Spec ``intl_groups``
--------------------
Reads the four member lists and, for the universe of countries, the countrycode crosswalk.

``group_membership`` (one row per country and group it belongs or belonged to):

- ``country_iso3``; ``group``: ``nato``, ``oecd``, ``eu`` or ``g20``;
- ``join_date`` (exact, where known: EU file, NATO table), ``join_year``;
- ``exit_date``, ``exit_year`` (only the UK's EU exit);
- ``basis``: ``file`` when the date comes from the raw list, else the override it comes from
  (``nato_accessions``, ``eu_former_members``, ``g20_founding``).

``country_year`` (every country of the crosswalk, i.e. every row with an ISO3 code, x
1950..2024; a 0 means "not a member", which the complete member lists let us state for any
country): ``nato_member``, ``oecd_member``, ``eu_member``, ``g20_member``. A country is a member
in ``year`` if it had joined by 31 December and not left by then: the UK is an EU member
1973-2019 (left 2020-01-31), Croatia from 2013 (joined 2013-07-01).

Caveats (SOURCES.yaml) and how they are handled:

- NATO list: names only, no dates, out of date (February 2022). Accession dates are a committed
  table (:data:`NATO_ACCESSIONS`, from NATO's member-country pages: founders 1949-08-24 when the
  Treaty entered into force; Greece and Turkey 1952; West Germany 1955, coded DEU as the
  continuing state; Spain 1982; Czechia, Hungary, Poland 1999; seven states 2004; Albania and
  Croatia 2009; Montenegro 2017; North Macedonia 2020; Finland 2023-04-04; Sweden 2024-03-07,
  both added by hand). The parser raises if the file lists a country the table lacks, or the
  table has a pre-2022 member the file lacks. France's 1966-2009 absence from the integrated
  military command is not an exit (it stayed a member) and is not coded.
- EU list: the 27 current members with ``Member-Since`` (1958-01-01 for the six EEC founders:
  membership before 1993 means the EEC/EC). The UK (1973-01-01 to 2020-01-31) is added by hand
  (:data:`EU_FORMER_MEMBERS`); the parser raises if the file lists it. Greenland's 1985 exit is a
  territory's and not coded.
- G20 list: 19 countries and the EU, no dates. The EU is dropped as an aggregate (counted); the
  countries are members from 1999 (the finance-ministers' forum first met in December 1999;
  :data:`G20_FIRST_YEAR`). The African Union (member since 2023) is not in the file and is an
  aggregate anyway.
- OECD list: accession year only (1961 for founders: the Convention entered into force
  1961-09-30); no country has left.
- "Current membership lists (no exit dates)" and the Kyoto list caveat shared by the
  openclimatedata files: only the UK's EU exit is known to be missing; Kyoto is not used here.

Spec ``country_codes`` (countrycode R package crosswalk)
--------------------------------------------------------
``country_codes`` (one row per ISO3 country or territory):

- ``country_iso3`` (the ``iso3c`` column, checked by the country resolver), ``iso3_basis``
  (``iso3c``, or ``wb`` for Kosovo: the crosswalk has no ``iso3c`` for Kosovo but its World Bank
  code is XKX, the project's canonical Kosovo code, so that row is kept), ``iso2``, ``iso3n``;
- names: ``country_name`` (English), ``iso_name``, ``cow_name``, ``p4_name``, ``vdem_name``,
  ``country_name_regex`` (the package's English-name regex, R/PCRE syntax that Python ``re``
  mostly accepts, case-insensitive: caveat);
- codes for joins: ``cowc``/``cown`` (Correlates of War), ``gwc``/``gwn`` (Gleditsch-Ward),
  ``p4c``/``p4n``/``p5c``/``p5n`` (Polity IV/5), ``vdem`` (V-Dem country_id), ``wb`` (World
  Bank), ``un`` (UN M49), ``imf``, ``fips``, ``ioc``, ``fao``, ``genc3c``, ``eurostat``;
- regions: ``continent``, ``region`` (World Bank), ``region23``, ``un_region``,
  ``un_subregion``, ``un_intermediate_region``; ``eu28`` (1 if in the EU-28 list: static).

Rows without ``iso3c`` (historical states such as Czechoslovakia or the GDR, German and Italian
states before unification, "Unknown", "Stateless") are dropped with a counted reason. The codes
are static (caveat): use them for joins, not for state-system membership in a year.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.resolve.countries import (
    NON_COUNTRY_DROP_LABELLED,
    drop_non_countries,
    resolve_countries,
)
from analysis.sources.common.base import ParsedSource, SourceSpec, country_year_schema
from analysis.sources.common.readers import (
    check_unique,
    read_text_table,
    require_columns,
    to_date,
    to_int,
    to_year,
)

NATO_FILE = "country/nato_member_states_2022_owid.csv"
OECD_FILE = "country/oecd_members_accession.csv"
EU_FILE = "country/eu_member_states.csv"
G20_FILE = "country/g20_members.csv"
CROSSWALK_FILE = "country/countrycode_codelist_crosswalk.csv"
YEARS = range(1950, 2025)
GROUPS = ("nato", "oecd", "eu", "g20")

#: Date of the NATO file (SOURCES.yaml: members as of 2022-02-24).
NATO_LIST_DATE = pd.Timestamp("2022-02-24")
_NATO_FOUNDED = "1949-08-24"
#: NATO accession dates (nato.int member countries), keyed by ISO3.
NATO_ACCESSIONS: dict[str, str] = {
    **dict.fromkeys(
        ["BEL", "CAN", "DNK", "FRA", "ISL", "ITA", "LUX", "NLD", "NOR", "PRT", "GBR", "USA"],
        _NATO_FOUNDED,
    ),
    "GRC": "1952-02-18",
    "TUR": "1952-02-18",
    "DEU": "1955-05-06",  # Federal Republic of Germany; unified Germany continues it
    "ESP": "1982-05-30",
    **dict.fromkeys(["CZE", "HUN", "POL"], "1999-03-12"),
    **dict.fromkeys(["BGR", "EST", "LVA", "LTU", "ROU", "SVK", "SVN"], "2004-03-29"),
    **dict.fromkeys(["ALB", "HRV"], "2009-04-01"),
    "MNE": "2017-06-05",
    "MKD": "2020-03-27",
    "FIN": "2023-04-04",  # after the file's date
    "SWE": "2024-03-07",  # after the file's date
}
#: Former EU members missing from the current list: ISO3 -> (joined, left).
EU_FORMER_MEMBERS: dict[str, tuple[str, str]] = {"GBR": ("1973-01-01", "2020-01-31")}
#: First year of the G20 (finance ministers and central bank governors, Berlin, December 1999).
G20_FIRST_YEAR = 1999


def _read_list(
    path: Path, file: str, columns: list[str], key: str, audit: RowAudit, step: str
) -> pd.DataFrame:
    """A member list, non-countries dropped, with `country_iso3` resolved from `key`."""
    raw = read_text_table(path)
    require_columns(raw, columns, file)
    check_unique(raw, [key], file)
    df = audit.start(raw, step)
    df = drop_non_countries(audit, df, key, reason=NON_COUNTRY_DROP_LABELLED)
    audit.finish(df)
    df = df.assign(country_iso3=resolve_countries(df[key], source=file).astype(str))
    check_unique(df, ["country_iso3"], file)
    return df.reset_index(drop=True)


def _rows(
    iso3: pd.Series,
    group: str,
    join_date: pd.Series | None = None,
    join_year: pd.Series | None = None,
    basis: str | pd.Series = "file",
) -> pd.DataFrame:
    n = len(iso3)
    idx = pd.RangeIndex(n)
    join_date = (
        pd.Series(pd.NaT, index=idx, dtype="datetime64[ns]")
        if join_date is None
        else join_date.reset_index(drop=True).astype("datetime64[ns]")
    )
    if join_year is None:
        join_year = join_date.dt.year
    return pd.DataFrame(
        {
            "country_iso3": iso3.reset_index(drop=True).astype(str),
            "group": group,
            "join_date": join_date,
            "join_year": pd.Series(join_year).reset_index(drop=True).astype("Int64"),
            "exit_date": pd.Series(pd.NaT, index=idx, dtype="datetime64[ns]"),
            "exit_year": pd.Series(pd.NA, index=idx, dtype="Int64"),
            "basis": basis if isinstance(basis, str) else basis.reset_index(drop=True),
        }
    )


def _nato(df: pd.DataFrame) -> pd.DataFrame:
    listed = set(df["country_iso3"])
    unknown = sorted(listed - set(NATO_ACCESSIONS))
    if unknown:
        raise RawInputError(
            NATO_FILE,
            f"member(s) without an accession date in NATO_ACCESSIONS: {unknown}",
            "country",
            unknown[0],
        )
    expected = {c for c, d in NATO_ACCESSIONS.items() if pd.Timestamp(d) <= NATO_LIST_DATE}
    missing = sorted(expected - listed)
    if missing:
        raise RawInputError(
            NATO_FILE,
            f"member(s) of {NATO_LIST_DATE.date()} missing from the list: {missing}",
            "country",
            missing[0],
        )
    iso3 = pd.Series(sorted(NATO_ACCESSIONS))
    dates = pd.to_datetime(iso3.map(NATO_ACCESSIONS))
    basis = iso3.map(lambda c: "nato_accessions" + ("" if c in listed else " (joined after list)"))
    return _rows(iso3, "nato", join_date=dates, basis=basis)


def _eu(df: pd.DataFrame) -> pd.DataFrame:
    listed = sorted(set(df["country_iso3"]) & set(EU_FORMER_MEMBERS))
    if listed:
        raise RawInputError(
            EU_FILE,
            f"former member(s) {listed} now in the list: drop them from EU_FORMER_MEMBERS",
            "Code",
            listed[0],
        )
    current = _rows(
        df["country_iso3"],
        "eu",
        join_date=to_date(df["Member-Since"], EU_FILE, "Member-Since", allow_missing=False),
    )
    former = []
    for iso3, (joined, left) in EU_FORMER_MEMBERS.items():
        row = _rows(pd.Series([iso3]), "eu", pd.Series([pd.Timestamp(joined)]))
        row["basis"] = "eu_former_members"
        row["exit_date"] = pd.Series([pd.Timestamp(left)], dtype="datetime64[ns]")
        row["exit_year"] = pd.Series([pd.Timestamp(left).year], dtype="Int64")
        former.append(row)
    return pd.concat([current, *former], ignore_index=True)


def memberships_by_year(groups: pd.DataFrame, countries: pd.Series, years: range) -> pd.DataFrame:
    """Year-end membership flags for every country x year (0 for non-members)."""
    index = pd.MultiIndex.from_product(
        [sorted(set(countries) | set(groups["country_iso3"])), list(years)],
        names=["country_iso3", "year"],
    )
    cy = index.to_frame(index=False).astype({"country_iso3": str, "year": "Int64"})
    for group in GROUPS:
        rows = groups[groups["group"] == group]
        merged = cy[["country_iso3", "year"]].merge(rows, on="country_iso3", how="left")
        end = pd.to_datetime(merged["year"].astype("int64").astype(str) + "-12-31")
        # Exact dates where known, else the join/exit year (membership from that year on).
        joined = merged["join_date"].notna() & (merged["join_date"] <= end)
        joined |= merged["join_date"].isna() & (merged["join_year"] <= merged["year"]).fillna(
            False
        ).astype(bool)
        left = (merged["exit_date"].notna() & (merged["exit_date"] <= end)).astype(bool)
        cy[f"{group}_member"] = (joined & ~left).astype("int64").astype("Int64").to_numpy()
    return cy


def _crosswalk(path: Path, audit: RowAudit, step: str) -> pd.DataFrame:
    """The crosswalk rows with an ISO3 code (Kosovo from its `wb` code), audited."""
    file = CROSSWALK_FILE
    raw = read_text_table(path)
    require_columns(raw, list(CROSSWALK_COLUMNS), file)
    raw = raw.assign(iso3_basis=pd.Series("iso3c", index=raw.index, dtype=str))
    kosovo = raw["iso3c"].isna() & raw["wb"].eq("XKX").fillna(False).astype(bool)
    raw.loc[kosovo, "iso3c"] = "XKX"
    raw.loc[kosovo, "iso3_basis"] = "wb"
    df = audit.start(raw, step)
    df = audit.drop(
        df["iso3c"].isna(),
        "no iso3c code (historical state, pre-unification state or placeholder)",
    )
    audit.finish(df)
    check_unique(df, ["iso3c"], file)
    resolved = resolve_countries(df["iso3c"], source=file)
    changed = resolved != df["iso3c"].str.strip().str.upper()
    if changed.any():
        value = df.loc[changed, "iso3c"].iloc[0]
        raise RawInputError(file, "iso3c is not its own ISO3 code", "iso3c", value)
    return df.assign(country_iso3=resolved.astype(str)).reset_index(drop=True)


def parse_intl_groups(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit("intl_groups")
    nato = _read_list(paths[NATO_FILE], NATO_FILE, ["country"], "country", audit, "nato")
    oecd = _read_list(
        paths[OECD_FILE], OECD_FILE, ["Code", "Name", "Accession"], "Code", audit, "oecd"
    )
    eu = _read_list(paths[EU_FILE], EU_FILE, ["Code", "Name", "Member-Since"], "Code", audit, "eu")
    g20 = _read_list(paths[G20_FILE], G20_FILE, ["Code", "Name"], "Code", audit, "g20")
    universe = _crosswalk(paths[CROSSWALK_FILE], audit, "crosswalk_universe")
    groups = pd.concat(
        [
            _nato(nato),
            _rows(
                oecd["country_iso3"],
                "oecd",
                join_year=to_year(oecd["Accession"], OECD_FILE, "Accession", allow_missing=False),
            ),
            _eu(eu),
            _rows(
                g20["country_iso3"],
                "g20",
                join_year=pd.Series(G20_FIRST_YEAR, index=g20.index),
                basis="g20_founding",
            ),
        ],
        ignore_index=True,
    )
    country_year = memberships_by_year(groups, universe["country_iso3"], YEARS)
    return ParsedSource(
        tables={"group_membership": groups, "country_year": country_year}, audit=audit
    )


# --------------------------------------------------------------------------- country codes

#: Raw crosswalk column -> output column; `int` marks numeric codes.
CROSSWALK_COLUMNS: dict[str, tuple[str, type]] = {
    "iso3c": ("country_iso3", str),
    "iso2c": ("iso2", str),
    "iso3n": ("iso3n", int),
    "country.name.en": ("country_name", str),
    "iso.name.en": ("iso_name", str),
    "cow.name": ("cow_name", str),
    "p4.name": ("p4_name", str),
    "vdem.name": ("vdem_name", str),
    "country.name.en.regex": ("country_name_regex", str),
    "cowc": ("cowc", str),
    "cown": ("cown", int),
    "gwc": ("gwc", str),
    "gwn": ("gwn", int),
    "p4c": ("p4c", str),
    "p4n": ("p4n", int),
    "p5c": ("p5c", str),
    "p5n": ("p5n", int),
    "vdem": ("vdem", int),
    "wb": ("wb", str),
    "un": ("un", int),
    "imf": ("imf", int),
    "fips": ("fips", str),
    "ioc": ("ioc", str),
    "fao": ("fao", int),
    "genc3c": ("genc3c", str),
    "eurostat": ("eurostat", str),
    "continent": ("continent", str),
    "region": ("region", str),
    "region23": ("region23", str),
    "un.region.name": ("un_region", str),
    "un.regionsub.name": ("un_subregion", str),
    "un.regionintermediate.name": ("un_intermediate_region", str),
    "eu28": ("eu28", str),
}


def parse_country_codes(paths: Mapping[str, Path]) -> ParsedSource:
    file = CROSSWALK_FILE
    audit = RowAudit("country_codes")
    df = _crosswalk(paths[file], audit, "crosswalk")
    out = pd.DataFrame({"country_iso3": df["country_iso3"], "iso3_basis": df["iso3_basis"]})
    for raw, (name, kind) in CROSSWALK_COLUMNS.items():
        if name == "country_iso3":
            continue
        if name == "eu28":
            bad = df[raw].notna() & df[raw].ne("EU")
            if bad.any():
                raise RawInputError(
                    file, "eu28 must be 'EU' or empty", raw, df.loc[bad, raw].iloc[0]
                )
            out[name] = df[raw].notna().astype("int64").astype("Int64")
        elif kind is int:
            out[name] = to_int(df[raw], file, raw)
        else:
            out[name] = df[raw].astype("string").str.strip()
    return ParsedSource(tables={"country_codes": out}, audit=audit)


_MEMBER = pa.Column("Int64", pa.Check.isin([0, 1]))
INTL_COUNTRY_YEAR = country_year_schema(
    {f"{group}_member": _MEMBER for group in GROUPS}, "intl_groups_country_year"
)
GROUP_MEMBERSHIP = pa.DataFrameSchema(
    {
        "country_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
        "group": pa.Column(str, pa.Check.isin(list(GROUPS))),
        "join_date": pa.Column("datetime64[ns]", nullable=True),
        "join_year": pa.Column("Int64", pa.Check.in_range(1945, 2100)),
        "exit_date": pa.Column("datetime64[ns]", nullable=True),
        "exit_year": pa.Column("Int64", pa.Check.in_range(1945, 2100), nullable=True),
        "basis": pa.Column(str),
    },
    strict=True,
    unique=["country_iso3", "group"],
    name="group_membership",
)
_opt_code = pa.Column("string", nullable=True)
_opt_num = pa.Column("Int64", pa.Check.ge(0), nullable=True)
COUNTRY_CODES = pa.DataFrameSchema(
    {
        "country_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"), unique=True),
        "iso3_basis": pa.Column(str, pa.Check.isin(["iso3c", "wb"])),
        **{
            name: (_opt_num if kind is int else _opt_code)
            for raw, (name, kind) in CROSSWALK_COLUMNS.items()
            if name not in {"country_iso3", "eu28"}
        },
        "eu28": pa.Column("Int64", pa.Check.isin([0, 1])),
    },
    strict=True,
    name="country_codes",
)

SOURCES = [
    SourceSpec(
        name="intl_groups",
        files=(NATO_FILE, OECD_FILE, EU_FILE, G20_FILE, CROSSWALK_FILE),
        parse=parse_intl_groups,
        schemas={"group_membership": GROUP_MEMBERSHIP, "country_year": INTL_COUNTRY_YEAR},
        description="NATO, OECD, EU and G20 membership by country-year 1950-2024 (year-end).",
    ),
    SourceSpec(
        name="country_codes",
        files=(CROSSWALK_FILE,),
        parse=parse_country_codes,
        schemas={"country_codes": COUNTRY_CODES},
        description="countrycode crosswalk: ISO3 to COW, Gleditsch-Ward, Polity, V-Dem, WB codes.",
    ),
]
