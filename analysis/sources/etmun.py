"""Gourdon's ETMUN data: members of 59 European transnational municipal networks.

From P. Gourdon's thesis replication data (github.com/pgourdongeo/
Chap3_LocationalAnalysis, see `networks/SOURCES.yaml`).

`etmun` - members of 59 European transnational municipal networks (ETMUN) with join years,
plus the organisations table (UIA Yearbook 2014-2015 and network websites 2018-2019).
Tables:

- `mentions`: one per member entity, key ``<Full_Name>|<CountryCode>`` (name stripped; the raw
  code, ``NA`` where the file has none). `entity_type` from `EntitySimplified`: City and
  Municipality -> city, Intermunicipality -> group, Region -> region, associations, state bodies
  and Other -> other. Coordinates are `lon`/`lat` (decimal comma), else `X`/`Y` (decimal point);
  population is `Pop_collect` (year not given).
- `memberships`: one per (member, network). `network` is the committed key of
  :data:`ETMUN_NETWORKS` (lowercase slug of the organisation's acronym), `network_type` its
  reviewed class, `join_year` from `Year_of_Joining`, `observed_year` = 2019 (members were
  collected from network websites 2015-2019; the file gives no per-network date, so the end
  of the collection window is used), `source_label` = ``"<Network_Name>: <Statut>"``.
- `acts`: ``network_adhesion:<network>`` for every dated membership of a climate, peace or
  democracy network (act_class normative) or an economic network (act_class economic), with
  `year` = join year and no day date. Decision: dated joins of *general* networks (UBC, EFUS,
  LHC, Amphictyony) are not acts: labelling them normative would inflate the normative share of
  the H1 composition test, and they are not economic either; their join years stay in
  `memberships`. The act name carries the network because `acts` has no network column.
- `networks` (own schema): one row per network: key, UIA code, acronym, name, type, founding
  year, secretariat country (raw and ISO3).

Network keys and types (climate = climate/energy/environment; peace; democracy = democracy and
human rights; economic = trade, ports, tourism, sectoral industry, finance; general = the rest),
see :data:`ETMUN_NETWORKS` for the rationale of each:
climate: acrplus, c40, citelec, civitas, climate_alliance, cnfe, covenant_of_mayors,
energy_cities, hyer, iclei, kimo, medcities; peace: iampc (Peace Messenger Cities), icp;
democracy: alda, eccar; economic: acte, aivp, baltmet, ecm, ehtta, fmdv, recevin, reves;
general: aimf, amphictyony, avec, caac, cideu, cittaslow, clip, coppem, digital_cities, eahtr,
ecad, efus, eixo_atlantico, emta, entp, eurocities, eurotowns, ewt, faic, gmf, iaec, lhc, like,
luci, mce, metrex, metropolis, ncn, owhc, polis, ubc, ucseec, ucue, who_healthy_cities, wwcam.
`eurocities` is the same key the Eurocities 2025 member list uses (`analysis.sources.eurocities`).

Caveats of SOURCES.yaml and how they are handled:

- "Europe-centred; global networks (C40 92 rows, Metropolis 17, ICLEI 157) only partly
  covered; Covenant of Mayors dominates": documented, not correctable here. Models counting
  memberships must treat ETMUN as European coverage (its C40/ICLEI/Metropolis rows are the
  European members only).
- "Semicolon-separated, decimal commas in lon/lat, NA strings": read with ``decimal=","`` and
  ``na_values=["NA"]``; `lon`/`lat` are converted with a decimal comma, `X`/`Y` with a point.
- The string "NA" also stood for a missing ISO2 code, which the source turned into Namibia
  (CountryName "Namibia", address "..., Namibia"): the 11 rows are Port-Said, Praia, Sofia,
  Belen, Fez, Rabat, ... None is Namibian, so a missing `CountryCode` is an unknown country:
  `country_iso3` missing, `raw_country` "NA", and coordinates from `X`/`Y` only (the
  `lon`/`lat` geocode searched "<name>, Namibia" and put Sofia and Marrakesh in Namibia).
  Rows with the invalid codes in :data:`INVALID_COUNTRY_CODES` (``ZZ``, ``VZ``; CountryName
  "NA") also keep their membership with an unknown country and their coordinates, so the
  matching stage can place them by location. Both are logged with counts; they are kept, not
  dropped, so they do not appear in the row audit. Any other code must resolve.
- Rows whose `Full_Name` is "NA": two are COPPEM network-administration entries (dropped with
  all 6 "Network Administration" rows), one is a nameless COPPEM member (dropped, "no member
  name").
- Join years: 1986-2019, or CIVITAS phases ("2002-2006 - CIVITAS I"), read as the phase's first
  year. Cities in several CIVITAS phases, and other repeated (member, network) rows, keep one
  membership with the earliest join year ("duplicate membership row"). Join years before the
  founding year (IAMPC 1987, UN Peace Messenger designations preceding the association;
  RECEVIN, EFUS, Climate Alliance by one to three years) are kept as given.
- `Statut` "Former Member" (25 RECEVIN rows) is dropped ("former member"); "Partners" (EFUS) and
  "Associated Partner" (ICLEI) are organisations, not members, and are dropped. "Indirect
  Member" (GMF members through national associations) is kept.
- Residual errors kept as they are, for the matching stage to flag: some wrong ISO2 codes (Doba
  coded PG, Saint-Louis and Mamou coded US), mojibake names (GijÌon, ÌÐrebro), and 76 rows
  where `lon`/`lat` and `X`/`Y` disagree by more than one degree (`lon`/`lat` is used).
  `Pop_collect` values exported by R in one significant digit ("8e+05", 58 rows) are kept.
- Organisations file: "Windows-1252 encoded, semicolon-separated, CRLF/LF mixed, embedded
  newlines": read with ``encoding="cp1252"``; the reader normalises line ends and the CSV
  parser keeps quoted multi-line fields (58 rows). The file lists 58 organisations; the 59th
  network of the members file, EixoAtlántico (code W4), has no row there: its name comes from
  :data:`ETMUN_NETWORKS` and its founding year and secretariat stay missing. The secretariat
  code "GB/US" (C40) is two countries: kept raw, ISO3 missing; "UK" resolves to GBR.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.resolve.countries import non_country_mask, resolve_countries
from analysis.sources.common.base import ACTS as ACTS_SCHEMA
from analysis.sources.common.base import (
    MEMBERSHIPS,
    NETWORK_TYPES,
    ParsedSource,
    SourceSpec,
    build_mentions,
)
from analysis.sources.common.base import MENTIONS as MENTIONS_SCHEMA
from analysis.sources.common.readers import (
    check_unique,
    clean_text,
    read_text_table,
    require_columns,
    to_number,
    to_year,
)

log = logging.getLogger(__name__)

ETMUN = "etmun"
MEMBERS_FILE = "networks/etmun_members_geocoded_gourdon.csv"
ORGS_FILE = "networks/etmun_organisations_gourdon.csv"
ETMUN_OBSERVED_YEAR = 2019
NETWORK_ADHESION = "network_adhesion"


class EtmunNetwork(NamedTuple):
    """One reviewed ETMUN network: its key, the label the members file uses, and its class."""

    network: str
    member_label: str  # `Network_Name` in the members file (checked)
    network_type: str
    why: str


#: Every ETMUN network by UIA code (`Code_Network` / `Code`), with a reviewed classification.
#: A code not listed here stops the parser: a new network needs a decision, not a default.
ETMUN_NETWORKS: dict[str, EtmunNetwork] = {
    "00535": EtmunNetwork("avec", "AVEC", "general", "cultural heritage cities"),
    "01901": EtmunNetwork("acrplus", "ACRplus", "climate", "recycling, resource management"),
    "01903": EtmunNetwork("acte", "ACTE", "economic", "textile-industry territories"),
    "01963": EtmunNetwork("like", "LIKE", "general", "culture officials"),
    "02164": EtmunNetwork("aimf", "AIMF", "general", "francophone mayors"),
    "02194": EtmunNetwork("iampc", "IAMPC", "peace", "Peace Messenger Cities (UN)"),
    "02221": EtmunNetwork("alda", "ALDA", "democracy", "Local Democracy Agencies"),
    "02723": EtmunNetwork("c40", "C40", "climate", "greenhouse-gas reduction"),
    "03083": EtmunNetwork("cideu", "CIDEU", "general", "strategic urban planning"),
    "03210": EtmunNetwork("cittaslow", "Cittaslow", "general", "good living"),
    "03220": EtmunNetwork("civitas", "CIVITAS", "climate", "clean, energy-efficient transport"),
    "03241": EtmunNetwork("climate_alliance", "Climate Alliance", "climate", "CO2 targets"),
    "03755": EtmunNetwork("caac", "CAAC", "general", "Atlantic Arc cities"),
    "04080": EtmunNetwork("covenant_of_mayors", "Covenant of Mayors", "climate", "CO2 targets"),
    "04433": EtmunNetwork("amphictyony", "AMPHICTYONY", "general", "Mediterranean twinning"),
    "04477": EtmunNetwork("energy_cities", "Energy Cities", "climate", "sustainable energy"),
    "04621": EtmunNetwork("eurocities", "Eurocities", "general", "large European cities"),
    "04886": EtmunNetwork("citelec", "CITELEC", "climate", "electric vehicles, air pollution"),
    "04982": EtmunNetwork("eahtr", "EAHTR", "general", "historic towns"),
    "05411": EtmunNetwork("ecad", "ECAD", "general", "drug policy"),
    "05412": EtmunNetwork("ecm", "ECM", "economic", "city marketing, tourism"),
    "06139": EtmunNetwork("efus", "EFUS", "general", "urban security"),
    "06283": EtmunNetwork("ehtta", "EHTTA", "economic", "spa towns, thermal tourism"),
    "06530": EtmunNetwork("emta", "EMTA", "general", "public-transport authorities"),
    "06609": EtmunNetwork("clip", "CLIP", "general", "migrant-integration policy exchange"),
    "06621": EtmunNetwork("digital_cities", "DigitalCities", "general", "digital cities"),
    "07023": EtmunNetwork("hyer", "HYER", "climate", "hydrogen and fuel cells (energy)"),
    "07675": EtmunNetwork("ewt", "EWT", "general", "walled towns heritage"),
    "08304": EtmunNetwork("fmdv", "FMDV", "economic", "municipal finance"),
    "08378": EtmunNetwork("faic", "FAIC", "general", "Adriatic-Ionian cooperation"),
    "08926": EtmunNetwork("gmf", "GMF", "general", "municipalities hosting nuclear plants"),
    "09763": EtmunNetwork("aivp", "AIVP", "economic", "port cities"),
    "09839": EtmunNetwork("iaec", "IAEC", "general", "educating cities"),
    "10509": EtmunNetwork("icp", "ICP", "peace", "Cities of Peace"),
    "10538": EtmunNetwork("eccar", "ECCAR", "democracy", "anti-racism (UNESCO), human rights"),
    "13705": EtmunNetwork("kimo", "KIMO", "climate", "marine pollution (environment)"),
    "13900": EtmunNetwork("lhc", "LHC", "general", "historical cities"),
    "13935": EtmunNetwork("luci", "LUCI", "general", "urban lighting"),
    "13963": EtmunNetwork("iclei", "ICLEI", "climate", "sustainability, environment"),
    "13996": EtmunNetwork("mce", "MCE", "general", "municipal IT"),
    "14044": EtmunNetwork("medcities", "MedCities", "climate", "Mediterranean environment"),
    "14360": EtmunNetwork("metrex", "METREX", "general", "metropolitan planning"),
    "15051": EtmunNetwork("owhc", "OWHC", "general", "World Heritage cities"),
    "15491": EtmunNetwork("polis", "POLIS", "general", "transport innovation"),
    "15871": EtmunNetwork("reves", "REVES", "economic", "social economy"),
    "15872": EtmunNetwork("recevin", "RECEVIN", "economic", "wine cities, wine tourism"),
    "16693": EtmunNetwork("coppem", "COPPEM", "general", "Euro-Mediterranean authorities"),
    "17030": EtmunNetwork("ubc", "UBC", "general", "Baltic cities"),
    "17035": EtmunNetwork("ucue", "UCUE", "general", "EU capitals"),
    "17038": EtmunNetwork("ucseec", "UCSEEC", "general", "SE European capitals"),
    "17692": EtmunNetwork("metropolis", "Metropolis", "general", "major metropolises"),
    "18332": EtmunNetwork("wwcam", "WWCAM", "general", "winter cities"),
    "F3238": EtmunNetwork("who_healthy_cities", "WHO", "general", "WHO Healthy Cities"),
    "W1": EtmunNetwork("eurotowns", "Eurotowns", "general", "medium-sized towns"),
    "W2": EtmunNetwork("cnfe", "CNFE", "climate", "against nuclear power (energy), not arms"),
    "W3": EtmunNetwork("entp", "ENTP", "general", "new towns"),
    "W4": EtmunNetwork("eixo_atlantico", "EixoAtlántico", "general", "cross-border Galicia-Norte"),
    "W5": EtmunNetwork("baltmet", "BaltMet", "economic", "innovation and competitiveness"),
    "W6": EtmunNetwork("ncn", "NCN", "general", "knowledge-city planning"),
}
#: Names of networks absent from the organisations file.
EXTRA_NETWORK_NAMES = {"W4": "Eixo Atlántico do Noroeste Peninsular"}

#: Codes in `CountryCode` that are no country (CountryName "NA"): kept with an unknown country.
INVALID_COUNTRY_CODES = {
    "ZZ": "placeholder code (an Italian union of municipalities)",
    "VZ": "typo (Prague)",
}
#: `EntitySimplified` -> mention entity_type; an unlisted value stops the parser.
ENTITY_TYPES = {
    "City": "city",
    "Municipality": "city",
    "Intermunicipality": "group",
    "Region": "region",
    "National Association": "other",
    "Regional Association": "other",
    "International Association": "other",
    "Local Association": "other",
    "State Administration": "other",
    "Other": "other",
}
PARTNER_STATUSES = ("Partners", "Associated Partner")
FORMER_STATUS = "Former Member"
NETWORK_ADMIN_ENTITY = "Network Administration"
# "2002-2006 - CIVITAS I": a programme phase; the join year is the phase's first year.
PHASE_YEAR = re.compile(r"^\s*(\d{4})\s*-\s*\d{4}\b.*$")

MEMBER_COLUMNS = [
    "Full_Name",
    "CountryCode",
    "Y",
    "X",
    "Pop_collect",
    "Statut",
    "Entity",
    "Year_of_Joining",
    "Network_Name",
    "Code_Network",
    "EntitySimplified",
    "lon",
    "lat",
]
ORG_COLUMNS = ["Name", "Acronym", "Code", "Country (secretariat)", "Date"]

NETWORKS_SCHEMA = pa.DataFrameSchema(
    {
        "network": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$"), unique=True),
        "uia_code": pa.Column(str, unique=True),
        "acronym": pa.Column(str),
        "name": pa.Column(str),
        "network_type": pa.Column(str, pa.Check.isin(NETWORK_TYPES)),
        "founded_year": pa.Column("Int64", pa.Check.in_range(1900, 2030), nullable=True),
        "secretariat_country_raw": pa.Column(str, nullable=True),
        "secretariat_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"), nullable=True),
    },
    strict=True,
    name="etmun_networks",
)


def _network_lookup(codes: pd.Series, file: str, column: str) -> None:
    """Raise on a missing code or one without a reviewed entry in ETMUN_NETWORKS."""
    if codes.isna().any():
        rows = codes.index[codes.isna()].tolist()
        raise RawInputError(file, f"network code missing in row(s) {rows[:5]}", column=column)
    unknown = sorted(set(codes.dropna()) - set(ETMUN_NETWORKS))
    if unknown:
        raise RawInputError(
            file,
            f"{len(unknown)} network code(s) without a reviewed entry in ETMUN_NETWORKS: "
            f"{unknown}; add each with its network_type",
            column=column,
            value=unknown[0],
        )


def _check_member_labels(df: pd.DataFrame) -> None:
    """The members file's `Network_Name` must be the label ETMUN_NETWORKS expects per code."""
    pairs = df[["Code_Network", "Network_Name"]].drop_duplicates()
    for code, label in pairs.itertuples(index=False):
        expected = ETMUN_NETWORKS[code].member_label
        if label != expected:
            raise RawInputError(
                MEMBERS_FILE,
                f"network code {code} is labelled {label!r}, expected {expected!r}",
                column="Network_Name",
                value=label,
            )


def _join_years(series: pd.Series) -> pd.Series:
    """`Year_of_Joining` as Int64: plain years, or the first year of a "YYYY-YYYY - phase"."""
    phase = series.str.extract(PHASE_YEAR, expand=False)
    text = phase.where(phase.notna(), series)
    return to_year(text, MEMBERS_FILE, "Year_of_Joining", min_year=1900, max_year=2030)


def _entity_types(series: pd.Series) -> pd.Series:
    unknown = sorted(set(series.dropna()) - set(ENTITY_TYPES))
    if unknown:
        raise RawInputError(
            MEMBERS_FILE,
            f"entity type(s) not in ENTITY_TYPES: {unknown}",
            column="EntitySimplified",
            value=unknown[0],
        )
    return series.map(ENTITY_TYPES).fillna("other").astype(str)


def _coordinates(df: pd.DataFrame, code_missing: pd.Series) -> tuple[pd.Series, pd.Series]:
    """`lon`/`lat` (decimal comma), else `X`/`Y` (point); only `X`/`Y` for rows without a code."""
    lon = to_number(df["lon"], MEMBERS_FILE, "lon", decimal=",")
    lat = to_number(df["lat"], MEMBERS_FILE, "lat", decimal=",")
    x = to_number(df["X"], MEMBERS_FILE, "X")
    y = to_number(df["Y"], MEMBERS_FILE, "Y")
    use_xy = code_missing | lon.isna() | lat.isna()
    out_lon = lon.where(~use_xy, x)
    out_lat = lat.where(~use_xy, y)
    for name, values, bound in (("lon", out_lon, 180), ("lat", out_lat, 90)):
        bad = values.notna() & ~values.between(-bound, bound)
        if bad.any():
            raise RawInputError(
                MEMBERS_FILE,
                f"{int(bad.sum())} coordinate(s) outside [-{bound}, {bound}]",
                column=name,
                value=float(values[bad].iloc[0]),
            )
    return out_lon, out_lat


def _etmun_mentions(df: pd.DataFrame) -> pd.DataFrame:
    """One mention per key; first non-missing coordinates and population in key order."""
    code = df["CountryCode"]
    invalid = code.isin(list(INVALID_COUNTRY_CODES))
    unknown_country = code.isna() | invalid
    lon, lat = _coordinates(df, code.isna())
    pop = to_number(df["Pop_collect"], MEMBERS_FILE, "Pop_collect")
    rows = pd.DataFrame(
        {
            "key": df["key"],
            "name": df["name"],
            "code": code.fillna("NA"),
            "unknown_country": unknown_country,
            "entity_type": _entity_types(df["EntitySimplified"]),
            "lon": lon,
            "lat": lat,
            "pop": pop,
        }
    ).sort_values(["key", "entity_type"], kind="mergesort")
    firsts = rows.groupby("key", sort=True).agg(
        name=("name", "first"),
        code=("code", "first"),
        unknown_country=("unknown_country", "first"),
        entity_type=("entity_type", "first"),
        lon=("lon", "first"),
        lat=("lat", "first"),
        pop=("pop", "first"),
    )
    # Coordinates must come from the same row: take lon and lat of the first row having both.
    xy = rows.dropna(subset=["lon", "lat"]).groupby("key", sort=True)[["lon", "lat"]].first()
    firsts = firsts.drop(columns=["lon", "lat"]).join(xy).reset_index()
    n_missing = int(df["CountryCode"].isna().sum())
    n_invalid = int(invalid.sum())
    log.info(
        "%s: %d row(s) without CountryCode (source label 'Namibia') and %d with invalid codes "
        "%s kept with unknown country",
        MEMBERS_FILE,
        n_missing,
        n_invalid,
        sorted(INVALID_COUNTRY_CODES),
    )
    known = firsts[~firsts["unknown_country"]]
    unknown = firsts[firsts["unknown_country"]]
    common = {"source": ETMUN, "file": MEMBERS_FILE, "key": "key", "name": "name"}
    parts = [
        build_mentions(
            known,
            iso3="code",
            entity_type=known["entity_type"],
            lat="lat",
            lon="lon",
            population="pop",
            **common,
        )
    ]
    if len(unknown):
        loose = build_mentions(
            unknown,
            entity_type=unknown["entity_type"],
            lat="lat",
            lon="lon",
            population="pop",
            **common,
        )
        loose["raw_country"] = unknown["code"].to_numpy()
        parts.append(loose)
    mentions = pd.concat(parts, ignore_index=True)
    return mentions.astype({"country_iso3": "str", "raw_country": "str"})


def _networks_table(orgs: pd.DataFrame, member_codes: pd.Series) -> pd.DataFrame:
    """One row per network of either file; organisation attributes where the network is listed."""
    secretariat = clean_text(orgs["Country (secretariat)"])
    not_country = non_country_mask(secretariat).notna()  # "GB/US": two countries
    listed = pd.DataFrame(
        {
            "uia_code": clean_text(orgs["Code"]),
            "acronym": clean_text(orgs["Acronym"]),
            "name": clean_text(orgs["Name"]),
            "founded_year": to_year(orgs["Date"], ORGS_FILE, "Date", min_year=1900, max_year=2030),
            "secretariat_country_raw": secretariat,
            "secretariat_iso3": resolve_countries(
                secretariat.where(~not_country), source=ORGS_FILE, allow_missing=True
            ),
        }
    )
    unlisted = sorted(set(member_codes) - set(listed["uia_code"]))
    extra = pd.DataFrame(
        {
            "uia_code": unlisted,
            "acronym": [ETMUN_NETWORKS[c].member_label for c in unlisted],
            "name": [EXTRA_NETWORK_NAMES.get(c, ETMUN_NETWORKS[c].member_label) for c in unlisted],
        }
    )
    out = pd.concat([listed, extra], ignore_index=True)
    out.insert(0, "network", out["uia_code"].map(lambda c: ETMUN_NETWORKS[c].network))
    out.insert(4, "network_type", out["uia_code"].map(lambda c: ETMUN_NETWORKS[c].network_type))
    return out.astype(
        {
            "network": "str",
            "network_type": "str",
            "founded_year": "Int64",
            "secretariat_country_raw": "str",
            "secretariat_iso3": "str",
        }
    )


def parse_etmun(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(ETMUN)

    orgs_raw = read_text_table(paths[ORGS_FILE], encoding="cp1252")
    require_columns(orgs_raw, ORG_COLUMNS, ORGS_FILE)
    orgs = audit.start(orgs_raw.assign(Code=clean_text(orgs_raw["Code"])), "organisations")
    _network_lookup(orgs["Code"], ORGS_FILE, "Code")
    check_unique(orgs, ["Code"], ORGS_FILE)
    audit.finish(orgs)

    raw = read_text_table(paths[MEMBERS_FILE], decimal=",", na_values=["NA"])
    require_columns(raw, MEMBER_COLUMNS, MEMBERS_FILE)
    _network_lookup(raw["Code_Network"], MEMBERS_FILE, "Code_Network")
    _check_member_labels(raw)
    df = audit.start(raw, "members")
    df = audit.drop(
        df["Entity"].eq(NETWORK_ADMIN_ENTITY).fillna(False).astype(bool),
        "network administration entry, not a member",
    )
    df = audit.drop(df["Full_Name"].isna(), "no member name")
    df = audit.drop(
        df["Statut"].isin(PARTNER_STATUSES).astype(bool), "partner organisation, not a member"
    )
    df = audit.drop(df["Statut"].eq(FORMER_STATUS).fillna(False).astype(bool), "former member")
    df = df.assign(
        name=clean_text(df["Full_Name"]),
        CountryCode=clean_text(df["CountryCode"]),
        join_year=_join_years(df["Year_of_Joining"]),
        network=df["Code_Network"].map(lambda c: ETMUN_NETWORKS[c].network),
    )
    df = df.assign(key=df["name"] + "|" + df["CountryCode"].fillna("NA"))
    # Earliest dated row first, so the kept duplicate carries the earliest join year.
    df = df.sort_values(["key", "network", "join_year", "Statut"], na_position="last")
    df = audit.drop(
        df.duplicated(["key", "network"]),
        "duplicate membership row (same member and network; earliest join year kept)",
        frame=df,
    )
    audit.finish(df)

    mentions = _etmun_mentions(df)
    mention_id = ETMUN + ":" + df["key"]
    network_type = df["Code_Network"].map(lambda c: ETMUN_NETWORKS[c].network_type)
    label = df["Network_Name"] + (": " + df["Statut"]).fillna("")
    memberships = pd.DataFrame(
        {
            "mention_id": mention_id,
            "network": df["network"],
            "network_type": network_type,
            "join_year": df["join_year"].astype("Int64"),
            "observed_year": pd.array([ETMUN_OBSERVED_YEAR] * len(df), dtype="Int64"),
            "source_label": label.astype("str"),
        }
    ).reset_index(drop=True)
    dated = memberships[
        memberships["join_year"].notna() & memberships["network_type"].ne("general")
    ]
    acts = pd.DataFrame(
        {
            "mention_id": dated["mention_id"],
            "act": NETWORK_ADHESION + ":" + dated["network"],
            "act_class": np.where(dated["network_type"].eq("economic"), "economic", "normative"),
            "date": pd.Series(pd.NaT, index=dated.index, dtype="datetime64[ns]"),
            "year": dated["join_year"],
        }
    ).reset_index(drop=True)
    networks = _networks_table(orgs, df["Code_Network"])
    return ParsedSource(
        tables={
            "mentions": mentions,
            "memberships": memberships,
            "acts": acts,
            "networks": networks,
        },
        audit=audit,
    )


SOURCES = [
    SourceSpec(
        name=ETMUN,
        files=(MEMBERS_FILE, ORGS_FILE),
        parse=parse_etmun,
        schemas={
            "mentions": MENTIONS_SCHEMA,
            "memberships": MEMBERSHIPS,
            "acts": ACTS_SCHEMA,
            "networks": NETWORKS_SCHEMA,
        },
        description="ETMUN: members of 59 European city networks with join years (Gourdon).",
    ),
]
