"""Eurocities (city-vote.com): the 2025 member list and the Imamoglu support statement.

`eurocities` - members of Eurocities in 2025, matched to Wikidata by city-vote.com.
Tables: `mentions` (key: the Wikidata QID, ``eurocities:Q90``; `raw_name` = the Wikidata label,
which names the city where the website names its metropolitan body, "Lyon Metropole" ->
"Lyon"; Wikidata coordinates and population; country from `country_name`) and `memberships`
(network ``eurocities``, general - the key `analysis.sources.etmun` uses for the same network -,
`observed_year` 2025, no `join_year`, `source_label` = the name on eurocities.eu).
The file's `not_found` list (website names city-vote.com could not match to Wikidata, e.g.
Edinburgh, Uppsala, Brussels Capital Region) are members too: they become mentions keyed
``eurocities:name:<name>`` with no country and no coordinates, and memberships; the matching
stage reports them as unmatched unless it can place them by name alone. Their entity_type is
`region` for names containing "Region", `group` for metropolitan bodies and city alliances
(:data:`NOT_FOUND_GROUPS`), else `city`.

`eurocities_imamoglu` - mayors who signed the Eurocities statement "Mayors voice support for
Ekrem Imamoglu" (March 2025): a normative city-diplomacy act on democracy, reacting to the
detention of Istanbul's mayor by an autocratising national government (H1/H3). Tables:
`mentions` and `acts` (``imamoglu_support_statement``, normative, `year` 2025, no day date).
The mention key is `associatedCityId` (the Wikidata QID), else ``name:<organisationNameFallback>``;
entity_type follows the rule for `not_found` names ("Bordeaux Metropole" is a group). The
statement file has no country, so country, coordinates and population come from the member list
(the spec reads both files): by QID, else by exact name when it names one member (Stockholm and
Amsterdam sign with another QID than the list uses). The 32 other signatories, mostly German
towns that are not members, have no country and no coordinates.

Caveats of SOURCES.yaml and how they are handled:

- Members, "No join dates": `join_year` is missing; `observed_year` is the 2025 snapshot.
- Members, "some Wikidata matches map to municipalities/districts": kept as matched (the QID is
  the key); where two website entries map to one QID (Lyon Metropole and Lyon, Aix-Marseille-
  Provence Metropole and Marseille, two spellings of Ampelokipoi-Menemeni) one mention and one
  membership remain, the entry whose website name equals the Wikidata label first, and the
  others are dropped ("second website entry for the same Wikidata entity"). Districts such as
  Kadikoy stay districts: the matching stage decides whether they map to a GeoNames city.
- Statement, "Single event; JSON nested under key 'joint_statement_Mayors voice support for
  Ekrem Imamoglu'": the records are read from ``[<that key>, "votes"]`` (the key is found by its
  prefix ``joint_statement_``; exactly one is required). The file has no date: the year 2025 is
  the statement's publication year (eurocities.eu, March 2025), `date` stays missing.
- Statement rows that are not cities are dropped with counted reasons: organisations signing as
  such (Eurocities, CEMR, AIMF) and individuals without a city (an MEP, a network officer).
  Only `vote` == "Sign" counts as a signature. Two Sindelfingen rows carry different QIDs and
  stay two mentions (the source's own ids).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.sources.common.base import (
    ACTS,
    MEMBERSHIPS,
    MENTIONS,
    ParsedSource,
    SourceSpec,
    build_mentions,
)
from analysis.sources.common.readers import clean_text, read_json_records, require_columns

MEMBERS = "eurocities"
STATEMENT = "eurocities_imamoglu"
MEMBERS_FILE = "networks/eurocities_members_wikidata_enriched_cityvote.json"
STATEMENT_FILE = "networks/eurocities_imamoglu_support_statement_signatures_cityvote.json"
NETWORK = "eurocities"
OBSERVED_YEAR = 2025
STATEMENT_YEAR = 2025
ACT = "imamoglu_support_statement"
STATEMENT_PREFIX = "joint_statement_"
SIGN = "Sign"
QID = re.compile(r"^Q[1-9]\d*$")

MEMBER_COLUMNS = [
    "name_on_website",
    "wikidata_id",
    "wikidata_name",
    "latitude",
    "longitude",
    "population",
    "country_name",
]
VOTE_COLUMNS = [
    "vote",
    "organisationNameFallback",
    "associatedCityId",
    "author.actingCapacity",
]
#: `not_found` names that are metropolitan bodies or alliances of cities, not one city.
NOT_FOUND_GROUPS = frozenset(
    {
        "Bordeaux Metropole",
        "Brabantstad",
        "Grand Paris Sud",
        "Greater Paris Metropole",
        "Nantes Metropole",
        "Netwerkstad Twente",
        "Rome Metropolitan Area",
    }
)


def _check_qids(series: pd.Series, file: str, column: str) -> None:
    present = series.dropna()
    bad = present[~present.str.fullmatch(QID)]
    if len(bad):
        raise RawInputError(
            file, f"{len(bad)} value(s) are not Wikidata QIDs", column=column, value=bad.iloc[0]
        )


def _read_members(path: Path) -> pd.DataFrame:
    members = read_json_records(path, "members")
    require_columns(members, MEMBER_COLUMNS, MEMBERS_FILE)
    _check_qids(members["wikidata_id"], MEMBERS_FILE, "wikidata_id")
    for column in ("wikidata_id", "wikidata_name", "country_name"):
        if members[column].isna().any():
            raise RawInputError(MEMBERS_FILE, "missing value(s) not allowed", column=column)
    return members.assign(
        wikidata_id=clean_text(members["wikidata_id"]),
        name_on_website=clean_text(members["name_on_website"]),
        wikidata_name=clean_text(members["wikidata_name"]),
    )


def _read_not_found(path: Path) -> pd.DataFrame:
    """The `not_found` list (plain strings, which `read_json_records` does not take)."""
    try:
        node = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RawInputError(MEMBERS_FILE, f"cannot read JSON: {exc}") from exc
    names = node.get("not_found", []) if isinstance(node, dict) else None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise RawInputError(MEMBERS_FILE, "'not_found' is not a list of names", column="not_found")
    return pd.DataFrame({"name": pd.Series(names, dtype="str")})


def _dedupe_members(df: pd.DataFrame, audit: RowAudit) -> pd.DataFrame:
    """One row per QID: the entry whose website name is the Wikidata label first."""
    df = df.assign(_label_differs=df["name_on_website"] != df["wikidata_name"])
    df = df.sort_values(["wikidata_id", "_label_differs", "name_on_website"], kind="mergesort")
    df = audit.drop(
        df.duplicated("wikidata_id"), "second website entry for the same Wikidata entity", frame=df
    )
    return df.drop(columns="_label_differs")


def _entity_type(name: str) -> str:
    if "Region" in name:
        return "region"
    return "group" if name in NOT_FOUND_GROUPS else "city"


def parse_members(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(MEMBERS)
    members = _read_members(paths[MEMBERS_FILE])
    df = audit.start(members, "members")
    df = _dedupe_members(df, audit)
    audit.finish(df)
    matched = build_mentions(
        df,
        source=MEMBERS,
        file=MEMBERS_FILE,
        key="wikidata_id",
        name="wikidata_name",
        country="country_name",
        lat="latitude",
        lon="longitude",
        population="population",
    )
    matched_members = pd.DataFrame(
        {"mention_id": MEMBERS + ":" + df["wikidata_id"], "label": df["name_on_website"]}
    )

    not_found = _read_not_found(paths[MEMBERS_FILE])
    nf = audit.start(not_found, "not_found")
    nf = audit.drop(nf["name"].str.strip().eq(""), "empty name")
    nf = audit.drop(nf.duplicated("name"), "duplicate name")
    audit.finish(nf)
    nf = nf.assign(name=clean_text(nf["name"]))
    nf = nf.assign(key="name:" + nf["name"], etype=nf["name"].map(_entity_type))
    unmatched = build_mentions(
        nf, source=MEMBERS, file=MEMBERS_FILE, key="key", name="name", entity_type=nf["etype"]
    )
    unmatched_members = pd.DataFrame({"mention_id": MEMBERS + ":" + nf["key"], "label": nf["name"]})

    mentions = pd.concat([matched, unmatched], ignore_index=True).astype(
        {"raw_country": "str", "country_iso3": "str"}
    )
    both = pd.concat([matched_members, unmatched_members], ignore_index=True)
    memberships = pd.DataFrame(
        {
            "mention_id": both["mention_id"],
            "network": NETWORK,
            "network_type": "general",
            "join_year": pd.array([pd.NA] * len(both), dtype="Int64"),
            "observed_year": pd.array([OBSERVED_YEAR] * len(both), dtype="Int64"),
            "source_label": both["label"],
        }
    )
    return ParsedSource(tables={"mentions": mentions, "memberships": memberships}, audit=audit)


def _statement_key(path: Path) -> str:
    """The one top-level key of the statement file that starts with ``joint_statement_``."""
    try:
        node = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RawInputError(STATEMENT_FILE, f"cannot read JSON: {exc}") from exc
    keys = [k for k in node if k.startswith(STATEMENT_PREFIX)] if isinstance(node, dict) else []
    if len(keys) != 1:
        raise RawInputError(
            STATEMENT_FILE,
            f"expected exactly one top-level key starting with {STATEMENT_PREFIX!r}, found {keys}",
        )
    return keys[0]


def _attach_members(df: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Country, coordinates and population of each signatory from the member list.

    By QID; else by the city name when it equals (casefolded) the website name or Wikidata
    label of exactly one member (Stockholm and Amsterdam sign with another QID than the
    member list uses).
    """
    cols = ["wikidata_id", "country_name", "latitude", "longitude", "population"]
    info = members[cols].set_index("wikidata_id")
    names = pd.concat(
        [
            members[["name_on_website", "wikidata_id"]].set_axis(["name", "wikidata_id"], axis=1),
            members[["wikidata_name", "wikidata_id"]].set_axis(["name", "wikidata_id"], axis=1),
        ]
    ).assign(name=lambda d: d["name"].str.casefold())
    names = names.drop_duplicates()
    names = names[~names["name"].duplicated(keep=False)].set_index("name")["wikidata_id"]
    by_qid = df["qid"].where(df["qid"].isin(info.index))
    by_name = df["city"].str.casefold().map(names)
    member = by_qid.fillna(by_name)
    return df.join(info.reindex(member.to_numpy()).set_index(df.index))


def parse_statement(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(STATEMENT)
    votes = read_json_records(
        paths[STATEMENT_FILE], [_statement_key(paths[STATEMENT_FILE]), "votes"]
    )
    require_columns(votes, VOTE_COLUMNS, STATEMENT_FILE)
    _check_qids(votes["associatedCityId"], STATEMENT_FILE, "associatedCityId")
    members = _read_members(paths[MEMBERS_FILE]).drop_duplicates("wikidata_id")

    df = audit.start(votes, "signatures")
    df = audit.drop(df["vote"].ne(SIGN).astype(bool), "vote is not a signature")
    df = audit.drop(
        df["author.actingCapacity"].eq("organization").fillna(False).astype(bool),
        "organisation signing as such, not a city",
    )
    city = df["organisationNameFallback"]
    df = audit.drop(city.isna() | city.str.strip().eq(""), "no city named (individual signatory)")
    df = df.assign(
        city=clean_text(df["organisationNameFallback"]),
        qid=df["associatedCityId"].str.strip(),
    )
    df = df.assign(key=df["qid"].fillna("name:" + df["city"]))
    df = audit.drop(df.duplicated("key"), "duplicate signature", frame=df)
    audit.finish(df)

    df = _attach_members(df, members)
    df = df.assign(etype=df["city"].map(_entity_type))
    known = df[df["country_name"].notna()]
    unknown = df[df["country_name"].isna()]
    common = {"source": STATEMENT, "file": MEMBERS_FILE, "key": "key", "name": "city"}
    mentions = pd.concat(
        [
            build_mentions(
                known,
                country="country_name",
                entity_type=known["etype"],
                lat="latitude",
                lon="longitude",
                population="population",
                **common,
            ),
            build_mentions(unknown, entity_type=unknown["etype"], **common),
        ],
        ignore_index=True,
    ).astype({"raw_country": "str", "country_iso3": "str"})
    acts = pd.DataFrame(
        {
            "mention_id": STATEMENT + ":" + df["key"],
            "act": ACT,
            "act_class": "normative",
            "date": pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]"),
            "year": pd.array([STATEMENT_YEAR] * len(df), dtype="Int64"),
        }
    )
    return ParsedSource(tables={"mentions": mentions, "acts": acts}, audit=audit)


SOURCES = [
    SourceSpec(
        name=MEMBERS,
        files=(MEMBERS_FILE,),
        parse=parse_members,
        schemas={"mentions": MENTIONS, "memberships": MEMBERSHIPS},
        description="Eurocities members 2025, matched to Wikidata (city-vote.com).",
    ),
    SourceSpec(
        name=STATEMENT,
        files=(STATEMENT_FILE, MEMBERS_FILE),
        parse=parse_statement,
        schemas={"mentions": MENTIONS, "acts": ACTS},
        description="Signatories of the Eurocities statement supporting Ekrem Imamoglu (2025).",
    ),
]
