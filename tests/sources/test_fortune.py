"""Fortune Global 500 parser on a small synthetic file in Dataquest's format (invented firms)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from analysis.core.errors import RawInputError
from analysis.sources import fortune
from analysis.sources.common.base import CITY_MEASURES, MENTIONS

HEADER = [
    "company",
    "rank",
    "revenues",
    "revenue_change",
    "profits",
    "assets",
    "profit_change",
    "ceo",
    "industry",
    "sector",
    "previous_rank",
    "country",
    "hq_location",
    "website",
    "years_on_global_500_list",
    "employees",
    "total_stockholder_equity",
]
FIRMS = [
    ("Acme Widgets", 1, "1000", "USA", "Springfield, IL"),
    ("Beta Energy", 2, "800", "China", "Beijing, China"),
    ("Gamma Holdings", 3, "500.5", "China", "Hong Kong, China"),
    ("Delta Steel", 4, "300", "China", "Beijing , China"),
    ("Epsilon Bank", 5, "200", "Canada", "Toronto, Ontario, Canada"),
    ("Zeta Shipping", 6, "100", "Singapore", "Singapore"),
    ("Eta Textiles", 7, "50", "China", "Shandong, China"),
    ("Theta Motors", 8, "40", "Britain", "London, Britain"),
]


def write(tmp_path: Path, firms=FIRMS, header=HEADER) -> dict[str, Path]:
    path = tmp_path / "f500.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for company, rank, revenue, country, hq in firms:
            row = dict.fromkeys(HEADER, "1")
            row.update(
                company=company,
                rank=rank,
                revenues=revenue,
                country=country,
                hq_location=hq,
                ceo="A. Person",
                website="http://example.org",
            )
            writer.writerow([row[h] for h in HEADER])
    return {fortune.FILE: path}


P = "fortune_global500_2017:"


def test_mentions_and_measures(tmp_path):
    parsed = fortune.parse(write(tmp_path))
    mentions = MENTIONS.validate(parsed.tables["mentions"]).set_index("mention_id")
    measures = CITY_MEASURES.validate(parsed.tables["city_measures"])

    assert mentions["raw_name"].to_dict() == {
        P + "Springfield, Illinois|USA": "Springfield, Illinois",  # state spelled out
        P + "Beijing|CHN": "Beijing",
        P + "Hong Kong|HKG": "Hong Kong",
        P + "Toronto, Ontario|CAN": "Toronto, Ontario",
        P + "Singapore|SGP": "Singapore",
        P + "Shandong|CHN": "Shandong",
        P + "London|GBR": "London",
    }
    assert mentions.loc[P + "Hong Kong|HKG", ["raw_country", "country_iso3"]].tolist() == [
        "China",
        "HKG",
    ]
    assert mentions.loc[P + "Shandong|CHN", "entity_type"] == "region"
    assert mentions.loc[P + "Beijing|CHN", "entity_type"] == "city"

    hq = measures[measures["measure"] == "fortune500_hq_2017"].set_index("mention_id")["value"]
    assert hq[P + "Beijing|CHN"] == 2.0
    assert hq.sum() == len(FIRMS)
    rev = measures[measures["measure"] == "fortune500_revenue_2017"].set_index("mention_id")
    assert rev.loc[P + "Beijing|CHN", "value"] == 1100.0
    assert rev.loc[P + "Hong Kong|HKG", "value"] == 500.5
    assert set(measures["year"]) == {2017}


def test_audit(tmp_path):
    audit = fortune.parse(write(tmp_path)).audit.to_frame()
    got = {(r.step, r.reason): (r.rows_in, r.rows_out, r.rows_dropped) for r in audit.itertuples()}
    assert got == {
        ("companies", "none"): (8, 8, 0),
        ("hq places", "another HQ in the same place (aggregated)"): (8, 7, 1),
        ("recode country China -> HKG", "none"): (1, 1, 0),
        ("recode country China -> MAC", "none"): (0, 0, 0),
        ("recode country China -> TWN", "none"): (0, 0, 0),
    }


def test_us_state_abbreviation_must_be_a_state(tmp_path):
    firms = [*FIRMS, ("Iota", 9, "10", "USA", "Somewhere, XX")]
    with pytest.raises(
        RawInputError, match=r"f500\.csv, column 'hq_location', value 'Somewhere, XX'"
    ):
        fortune.parse(write(tmp_path, firms))


def test_location_must_end_with_the_country(tmp_path):
    firms = [*FIRMS, ("Kappa", 9, "10", "France", "Paris, Germany")]
    with pytest.raises(RawInputError, match=r"column 'hq_location', value 'Paris, Germany'"):
        fortune.parse(write(tmp_path, firms))


def test_unparseable_revenue(tmp_path):
    firms = [*FIRMS[:-1], ("Theta Motors", 8, "n/a", "Britain", "London, Britain")]
    with pytest.raises(RawInputError, match=r"f500\.csv, column 'revenues', value 'n/a'"):
        fortune.parse(write(tmp_path, firms))


def test_renamed_column(tmp_path):
    header = [h if h != "hq_location" else "hq location" for h in HEADER]
    with pytest.raises(RawInputError, match=r"f500\.csv.*'hq_location'"):
        fortune.parse(write(tmp_path, header=header))
