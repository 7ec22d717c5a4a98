"""Eurocities member list and Imamoglu statement parsers on small synthetic JSON (invented values)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import RawInputError
from analysis.sources import eurocities
from analysis.sources.common.runner import validate_table
from analysis.sources.eurocities import (
    MEMBERS_FILE,
    STATEMENT_FILE,
    parse_members,
    parse_statement,
)

SPECS = {spec.name: spec for spec in eurocities.SOURCES}
STATEMENT_KEY = "joint_statement_Mayors voice support for Somebody"


def member(name, qid, label, lat, lon, pop, country) -> dict:
    return {
        "name_on_website": name,
        "wikidata_id": qid,
        "wikidata_name": label,
        "latitude": lat,
        "longitude": lon,
        "population": pop,
        "country": "Q1",
        "country_name": country,
    }


MEMBERS = [
    member("Alphastadt", "Q101", "Alphastadt", 50.5, 8.25, 500000.0, "Germany"),
    # A metropole and its city mapped to one QID: one mention, the city's entry kept.
    member("Betaville Metropole", "Q202", "Betaville", 45.75, 4.85, None, "France"),
    member("Betaville", "Q202", "Betaville", 45.75, 4.85, None, "France"),
    member("Gammakoy", "Q303", "Gammaköy", 41.0, 29.0, None, "Turkey"),
    member("Deltaholm", "Q404", "Deltaholm Municipality", 59.3, 18.1, 900000.0, "Sweden"),
]
NOT_FOUND = ["Epsilon Metropole", "Zeta Capital Region", "Etaburgh"]


def write_members(tmp_path: Path, members=MEMBERS, not_found=NOT_FOUND) -> Path:
    path = tmp_path / "members.json"
    path.write_text(
        json.dumps({"members": members, "not_found": not_found}, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    return path


def vote(city, qid, title, name, capacity="individual", choice="Sign") -> dict:
    record = {
        "vote": choice,
        "author": {"title": title, "name": name, "actingCapacity": capacity},
        "externalVerificationSource": "https://example.org/statement",
    }
    if city is not None:
        record["organisationNameFallback"] = city
    if qid is not None:
        record["associatedCityId"] = qid
    return record


VOTES = [
    vote("Alphastadt", "Q101", "Mayor of Alphastadt", "A. Person"),
    vote("Betaville", "Q202", "Mayor of Betaville", "B. Person"),
    vote("Deltaholm", "Q999", "Mayor of Deltaholm", "D. Person"),  # other QID: found by name
    vote("Thetaburg", "Q505", "Mayor of Thetaburg", "T. Person"),  # not a member
    vote("Epsilon Metropole", None, "President of Epsilon Metropole", "E. Person"),
    vote("Alphastadt", "Q101", "Deputy Mayor of Alphastadt", "A. Other"),  # duplicate
    vote(None, None, None, "Some Network", capacity="organization"),
    vote(None, None, "MEP, former mayor", "F. Person"),
    vote("Iotaville", "Q606", "Mayor of Iotaville", "I. Person", choice="Abstain"),
]


def write_statement(tmp_path: Path, votes=VOTES, key=STATEMENT_KEY) -> Path:
    path = tmp_path / "signatures.json"
    body = {key: {"type": "jointStatement", "URL": "https://example.org", "votes": votes}}
    path.write_text(json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def test_members_tables(tmp_path: Path) -> None:
    result = parse_members({MEMBERS_FILE: write_members(tmp_path)})
    for table, df in result.tables.items():
        validate_table(SPECS["eurocities"], table, df)
    m = result.tables["mentions"].set_index("mention_id")
    assert sorted(m.index) == [
        "eurocities:Q101",
        "eurocities:Q202",
        "eurocities:Q303",
        "eurocities:Q404",
        "eurocities:name:Epsilon Metropole",
        "eurocities:name:Etaburgh",
        "eurocities:name:Zeta Capital Region",
    ]
    alpha = m.loc["eurocities:Q101"]
    assert (alpha["raw_name"], alpha["country_iso3"], alpha["lat"], alpha["lon"]) == (
        "Alphastadt",
        "DEU",
        50.5,
        8.25,
    )
    assert alpha["population"] == 500000.0
    assert m.loc["eurocities:Q303", "raw_name"] == "Gammaköy"
    assert m.loc["eurocities:Q303", "country_iso3"] == "TUR"
    assert pd.isna(m.loc["eurocities:Q202", "population"])
    assert m.loc["eurocities:name:Epsilon Metropole", "entity_type"] == "city"
    assert m.loc["eurocities:name:Zeta Capital Region", "entity_type"] == "region"
    assert m.loc["eurocities:name:Etaburgh", ["country_iso3", "lat"]].isna().all()

    ms = result.tables["memberships"].set_index("mention_id")
    assert set(ms["network"]) == {"eurocities"} and set(ms["network_type"]) == {"general"}
    assert set(ms["observed_year"]) == {2025} and ms["join_year"].isna().all()
    assert ms.loc["eurocities:Q202", "source_label"] == "Betaville"  # the city entry is kept
    assert len(ms) == 7

    audit = result.audit.to_frame()
    rows = audit[["step", "rows_in", "rows_out", "rows_dropped", "reason"]].values.tolist()
    assert rows == [
        ["members", 5, 4, 1, "second website entry for the same Wikidata entity"],
        ["not_found", 3, 3, 0, "none"],
    ]


def test_members_group_names(tmp_path: Path) -> None:
    path = write_members(tmp_path, not_found=["Nantes Metropole"])
    mentions = parse_members({MEMBERS_FILE: path}).tables["mentions"]
    assert mentions.set_index("raw_name").loc["Nantes Metropole", "entity_type"] == "group"


def test_members_bad_input(tmp_path: Path) -> None:
    renamed = [{("label" if k == "wikidata_name" else k): v for k, v in r.items()} for r in MEMBERS]
    with pytest.raises(RawInputError, match=re.escape(MEMBERS_FILE) + ".*'wikidata_name'"):
        parse_members({MEMBERS_FILE: write_members(tmp_path, members=renamed)})
    bad = [{**MEMBERS[0], "latitude": "fifty"}]
    with pytest.raises(RawInputError, match=re.escape(MEMBERS_FILE) + ", column 'latitude'"):
        parse_members({MEMBERS_FILE: write_members(tmp_path, members=bad)})
    bad = [{**MEMBERS[0], "wikidata_id": "101"}]
    with pytest.raises(RawInputError, match="column 'wikidata_id', value '101'"):
        parse_members({MEMBERS_FILE: write_members(tmp_path, members=bad)})


def statement_paths(tmp_path: Path, **kwargs) -> dict[str, Path]:
    return {
        STATEMENT_FILE: write_statement(tmp_path, **kwargs),
        MEMBERS_FILE: write_members(tmp_path),
    }


def test_statement_tables(tmp_path: Path) -> None:
    result = parse_statement(statement_paths(tmp_path))
    for table, df in result.tables.items():
        validate_table(SPECS["eurocities_imamoglu"], table, df)
    m = result.tables["mentions"].set_index("mention_id")
    src = "eurocities_imamoglu:"
    assert sorted(m.index) == sorted(
        src + k for k in ["Q101", "Q202", "Q999", "Q505", "name:Epsilon Metropole"]
    )
    assert m.loc[src + "Q101", ["country_iso3", "lat", "lon"]].tolist() == ["DEU", 50.5, 8.25]
    assert m.loc[src + "Q202", "country_iso3"] == "FRA"
    deltaholm = m.loc[src + "Q999"]  # by exact name: "Deltaholm" is a member's website name
    assert (deltaholm["country_iso3"], deltaholm["population"]) == ("SWE", 900000.0)
    assert m.loc[src + "Q505", ["country_iso3", "raw_country", "lat"]].isna().all()
    assert m.loc[src + "name:Epsilon Metropole", "raw_name"] == "Epsilon Metropole"

    acts = result.tables["acts"]
    assert sorted(acts["mention_id"]) == sorted(m.index)
    assert set(acts["act"]) == {"imamoglu_support_statement"}
    assert set(acts["act_class"]) == {"normative"}
    assert set(acts["year"]) == {2025} and acts["date"].isna().all()

    audit = result.audit.to_frame().set_index("reason")
    assert audit["rows_dropped"].to_dict() == {
        "duplicate signature": 1,
        "no city named (individual signatory)": 1,
        "organisation signing as such, not a city": 1,
        "vote is not a signature": 1,
    }
    assert set(audit["rows_in"]) == {9} and set(audit["rows_out"]) == {5}


def test_statement_bad_input(tmp_path: Path) -> None:
    renamed = [
        {("city" if k == "organisationNameFallback" else k): v for k, v in r.items()} for r in VOTES
    ]
    with pytest.raises(RawInputError, match=re.escape(STATEMENT_FILE) + ".*'organisationName"):
        parse_statement(statement_paths(tmp_path, votes=renamed))
    with pytest.raises(RawInputError, match="joint_statement_"):
        parse_statement(statement_paths(tmp_path, key="statement_x"))
    bad = [vote("Alphastadt", "Alpha", "Mayor", "A. Person")]
    with pytest.raises(RawInputError, match="column 'associatedCityId', value 'Alpha'"):
        parse_statement(statement_paths(tmp_path, votes=bad))
