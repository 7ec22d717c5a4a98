"""The GCoM-MyCovenant parser on a small synthetic workbook in the JRC release's format."""

from __future__ import annotations

import math
import re
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.core.errors import RawInputError
from analysis.sources import gcom
from analysis.sources.common.readers import excel_serial_from_date
from tests.sources.helpers import parse_validated

HEADER = [
    "organisation_id",
    "organisation_name",
    "coordinator_name",
    "supporter_name",
    "country_code",
    "country_name",
    "population_adhesion",
    "organisation_latitude",
    "organisation_longitude",
    "group_organisation_id",
    "group_name",
    "commitment_CoM2020_flag",
    "commitment_CoM2030_flag",
    "commitment_CoM2050_flag",
    "commitment_mayoradapt_flag",
    "adhesion_type",
    "signatory_status",
    "mayor",
    "date_of_adhesion",
    "action_plan_expected",
    "group_profile",
    "gcom_id",
]
FILE_RE = re.escape(gcom.FILE)
INDIVIDUAL = "As an individual signatory"
GROUP2 = "As a group of signatories committing collectively (joint SEAP - option 2)"


def signatory(oid, name, cc, pop, lat, lon, date, *, group=False, status="published", member="-"):
    row = dict.fromkeys(HEADER, "-")
    row.update(
        organisation_id=oid,
        organisation_name=name,
        country_code=cc,
        country_name="Utopia",
        population_adhesion=pop,
        organisation_latitude=lat,
        organisation_longitude=lon,
        group_organisation_id=member,
        commitment_CoM2020_flag=True,
        commitment_CoM2030_flag=False,
        commitment_CoM2050_flag=False,
        commitment_mayoradapt_flag=False,
        adhesion_type=GROUP2 if group else INDIVIDUAL,
        signatory_status=status,
        date_of_adhesion=date,
        action_plan_expected=True,
        group_profile=group,
        gcom_id="XX0001",
    )
    return [row[c] for c in HEADER]


ROWS = [
    signatory(101, "Alphaville", "it", 25000, 45.123456, 9.5, datetime(2010, 3, 1)),
    # Excel serial date, decimal-comma text coordinates, status on hold.
    signatory(
        102,
        "Betaburg",
        "es",
        "-",
        "41,25",
        "2,125",
        excel_serial_from_date(datetime(2019, 6, 30).date()),
        status="on_hold",
    ),
    # Group profile: coordinates are a country centroid and are dropped.
    signatory(103, "Comarca Gamma", "es", "-", 40.4, -3.7, datetime(2012, 1, 5), group=True),
    # A name listing three places, not flagged as group profile: still a group.
    signatory(104, "Delta, Epsilon, Zeta", "fr", 3000, 46.2, 2.2, datetime(2015, 7, 14)),
    # Two-part name: one municipality; whole-degree placeholder coordinates are dropped.
    signatory("105_med", "Eta, Lviv region", "ua", 800, 45, 9, datetime(2021, 2, 9), member=103),
    signatory(106, "Theta", "xk", 1000, "null", "null", datetime(2016, 1, 1)),
    signatory("-", "Nameless id", "it", 10, 45.0, 9.0, datetime(2011, 1, 1)),
]


def write_workbook(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    book = openpyxl.Workbook()
    readme = book.active
    readme.title = "README"
    readme.append(["Synthetic test workbook"])
    sheet = book.create_sheet("1")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def parse(path: Path):
    return parse_validated(gcom.SOURCES[0], {gcom.FILE: path})


def test_parse_signatories(tmp_path):
    result = parse(write_workbook(tmp_path / "df1.xlsx", ROWS))
    mentions = result.tables["mentions"].set_index("mention_id")
    assert list(mentions.index) == [
        f"gcom_mycovenant:{k}" for k in (101, 102, 103, 104, "105_med", 106)
    ]
    assert mentions["entity_type"].to_dict() == {
        "gcom_mycovenant:101": "city",
        "gcom_mycovenant:102": "city",
        "gcom_mycovenant:103": "group",
        "gcom_mycovenant:104": "group",
        "gcom_mycovenant:105_med": "city",
        "gcom_mycovenant:106": "city",
    }
    assert mentions["country_iso3"].tolist() == ["ITA", "ESP", "ESP", "FRA", "UKR", "XKX"]
    assert mentions["raw_country"].tolist() == ["it", "es", "es", "fr", "ua", "xk"]
    alpha = mentions.loc["gcom_mycovenant:101"]
    assert (alpha.raw_name, alpha.lat, alpha.lon, alpha.population) == (
        "Alphaville",
        45.123456,
        9.5,
        25000.0,
    )
    beta = mentions.loc["gcom_mycovenant:102"]
    assert (beta.lat, beta.lon) == (41.25, 2.125) and math.isnan(beta.population)
    for key in ("103", "104", "105_med", "106"):  # group, group, placeholder, "null"
        assert math.isnan(mentions.loc[f"gcom_mycovenant:{key}", "lat"])

    memberships = result.tables["memberships"].set_index("mention_id")
    assert set(memberships["network"]) == {"gcom"} and set(memberships["network_type"]) == {
        "climate"
    }
    assert memberships["join_year"].tolist() == [2010, 2019, 2012, 2015, 2021, 2016]
    assert set(memberships["observed_year"]) == {2024}
    assert memberships.loc["gcom_mycovenant:102", "source_label"] == "on_hold"

    acts = result.tables["acts"].set_index("mention_id")
    assert set(acts["act"]) == {"gcom_adhesion"} and set(acts["act_class"]) == {"normative"}
    assert acts.loc["gcom_mycovenant:102", "date"] == pd.Timestamp("2019-06-30")
    assert acts.loc["gcom_mycovenant:101", "year"] == 2010

    audit = result.audit.to_frame()
    assert audit[["step", "rows_in", "rows_out", "rows_dropped", "reason"]].values.tolist() == [
        ["signatories", 7, 6, 1, "no organisation id"]
    ]


def test_group_name_rule():
    assert gcom.is_group_name("Alkmaar, Bergen, Castricum")
    assert gcom.is_group_name("Beveren; Lokeren; Temse")
    assert not gcom.is_group_name("Tournai, BE")
    assert not gcom.is_group_name("Saus, Camallera i Llampaies")


def test_unparseable_date_raises_with_file_and_column(tmp_path):
    rows = [*ROWS[:2], signatory(107, "Iota", "it", 10, 45.1, 9.1, "31/31/2010")]
    with pytest.raises(RawInputError, match=FILE_RE + r", column 'date_of_adhesion'.*31/31/2010"):
        parse(write_workbook(tmp_path / "df1.xlsx", rows))


def test_decimal_point_text_coordinate_raises(tmp_path):
    rows = [signatory(108, "Kappa", "it", 10, "45.5", "9,1", datetime(2010, 1, 1))]
    with pytest.raises(RawInputError, match=FILE_RE + r", column 'organisation_latitude'"):
        parse(write_workbook(tmp_path / "df1.xlsx", rows))


def test_renamed_column_raises_with_file_and_column(tmp_path):
    header = [("adhesion_date" if c == "date_of_adhesion" else c) for c in HEADER]
    with pytest.raises(RawInputError, match=FILE_RE + r", column 'date_of_adhesion'"):
        parse(write_workbook(tmp_path / "df1.xlsx", ROWS, header))


def test_duplicate_id_raises(tmp_path):
    rows = [ROWS[0], ROWS[0]]
    with pytest.raises(RawInputError, match=FILE_RE + r", column 'key'.*share a key"):
        parse(write_workbook(tmp_path / "df1.xlsx", rows))
