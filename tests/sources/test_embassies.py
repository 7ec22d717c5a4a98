"""The embassies parser on a small synthetic file in the Wikidata export's format."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.core.errors import RawInputError
from analysis.sources import embassies
from analysis.sources.common.base import CITY_MEASURES, MENTIONS

HEADER = [
    "operator",
    "operatorQID",
    "jurisdictions",
    "jurisdictionQIDs",
    "country",
    "countryQID",
    "city",
    "cityQID",
    "address",
    "latitude",
    "longitude",
    "phone",
    "email",
    "website",
    "facebook",
    "twitter",
    "youtube",
    "picture",
    "pictureAuthor",
    "pictureLicense",
    "pictureLicenseURL",
    "type",
    "typeQID",
    "creation",
    "QID",
]
WD = "http://www.wikidata.org/entity/"
FILE_RE = re.escape(embassies.FILE)
COUNTRY_QID = {"France": "Q142", "Germany": "Q183", "Japan": "Q17", "Abkhazia": "Q23334"}


def mission(operator, country, city, city_qid, lat, lon, kind, qid):
    row = dict.fromkeys(HEADER, "")
    row.update(
        operator=operator,
        operatorQID=WD + COUNTRY_QID.get(operator, "Q999"),
        country=country,
        countryQID=WD + COUNTRY_QID[country],
        city=city,
        cityQID=WD + city_qid if city_qid else "",
        latitude=lat,
        longitude=lon,
        type=kind,
        QID=WD + qid,
    )
    return row


ROWS = [
    # Paris: two embassies, one consulate, one with a miscoded far-away point.
    mission("Utopia", "France", "Paris", "Q90", "48.90", "2.30", "embassy", "Q1001"),
    mission("Ruritania", "France", "Paris", "Q90", "48.80", "2.40", "embassy", "Q1002"),
    mission("Freedonia", "France", "Paris", "Q90", "", "", "consulate general", "Q1003"),
    mission("Elbonia", "France", "Paris", "Q90", "-1.27", "36.78", "consulate", "Q1004"),
    # A district-level locality with an honorary consulate and a trade office, no points.
    mission(
        "Utopia",
        "France",
        "6th arrondissement of Lyon",
        "Q5",
        "",
        "",
        "honorary consulate",
        "Q2001",
    ),
    mission(
        "Ruritania", "France", "6th arrondissement of Lyon", "Q5", "", "", "trade office", "Q2"
    ),
    # Two different places with the same label stay apart.
    mission("Utopia", "Japan", "Chūō-ku", "Q7", "35.67", "139.77", "de facto embassy", "Q3001"),
    mission("Utopia", "Japan", "Chūō-ku", "Q8", "34.69", "135.19", "consulate", "Q3002"),
    # Dropped rows.
    mission("Utopia", "Germany", "", "", "52.5", "13.4", "embassy", "Q4001"),
    mission("Germany", "Germany", "Ankara", "Q3640", "39.9", "32.8", "embassy", "Q4002"),
    mission("Utopia", "Abkhazia", "Sukhumi", "Q9", "43.0", "41.0", "embassy", "Q4003"),
    mission("Freedonia", "France", "Paris", "Q90", "48.85", "2.35", "embassy", "Q1001"),
]


def write(tmp_path: Path, rows: list[dict[str, str]], header: list[str] = HEADER) -> Path:
    lines = [";".join(header) + ";"]
    lines += [";".join(row[h] for h in HEADER) + ";" for row in rows]
    path = tmp_path / "embassies.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(path: Path):
    return embassies.parse({embassies.FILE: path})


def test_mentions_measures_and_audit(tmp_path: Path) -> None:
    parsed = run(write(tmp_path, ROWS))
    mentions = MENTIONS.validate(parsed.tables["mentions"]).set_index("mention_id")
    measures = CITY_MEASURES.validate(parsed.tables["city_measures"])

    paris, lyon = "embassies_wikidata:Q90|France", "embassies_wikidata:Q5|France"
    tokyo, kobe = "embassies_wikidata:Q7|Japan", "embassies_wikidata:Q8|Japan"
    assert set(mentions.index) == {paris, lyon, tokyo, kobe}
    assert mentions.loc[paris, "raw_name"] == "Paris"
    assert mentions.loc[paris, "country_iso3"] == "FRA"
    assert mentions.loc[tokyo, "country_iso3"] == "JPN"
    assert (mentions["entity_type"] == "city").all()
    # The Nairobi-placed consulate is left out of the point, but still counted below.
    assert mentions.loc[paris, "lat"] == pytest.approx(48.85)
    assert mentions.loc[paris, "lon"] == pytest.approx(2.35)
    assert mentions.loc[lyon, ["lat", "lon"]].isna().all()
    assert mentions.loc[kobe, "lat"] == pytest.approx(34.69)

    wide = measures.pivot(index="mention_id", columns="measure", values="value")
    assert (measures["year"] == 2022).all()
    assert wide.loc[paris].to_dict() == {
        "consulates_2022": 2.0,
        "embassies_2022": 2.0,
        "foreign_missions_2022": 4.0,
        "honorary_consulates_2022": 0.0,
    }
    assert wide.loc[lyon].to_dict() == {
        "consulates_2022": 0.0,
        "embassies_2022": 0.0,
        "foreign_missions_2022": 1.0,
        "honorary_consulates_2022": 1.0,
    }
    assert wide.loc[tokyo, "embassies_2022"] == 1.0
    assert wide.loc[kobe, "consulates_2022"] == 1.0

    audit = parsed.audit.to_frame()
    assert (audit["rows_in"] == len(ROWS)).all()
    assert (audit["rows_out"] == 8).all()
    assert dict(zip(audit["reason"], audit["rows_dropped"], strict=True)) == {
        "duplicate mission QID": 1,
        "host country is the sending state (miscoded host country)": 1,
        "host is not a country (territory)": 1,
        "no host locality": 1,
    }


def test_renamed_column_names_file_and_column(tmp_path: Path) -> None:
    header = [("kind" if h == "type" else h) for h in HEADER]
    path = write(tmp_path, ROWS, header)
    with pytest.raises(RawInputError, match=rf"{FILE_RE}, column 'type'"):
        run(path)


def test_bad_coordinate_names_file_column_value(tmp_path: Path) -> None:
    rows = [*ROWS[:1], {**ROWS[1], "latitude": "48,80"}]
    with pytest.raises(RawInputError, match=rf"{FILE_RE}, column 'latitude', value '48,80'"):
        run(write(tmp_path, rows))


def test_unknown_mission_type_raises(tmp_path: Path) -> None:
    rows = [*ROWS[:1], {**ROWS[1], "type": "cultural institute"}]
    with pytest.raises(
        RawInputError, match=rf"{FILE_RE}, column 'type', value 'cultural institute'"
    ):
        run(write(tmp_path, rows))
