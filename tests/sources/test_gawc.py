"""GaWC parsers on small synthetic files in the real formats (invented values)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.core.errors import RawInputError
from analysis.resolve import countries
from analysis.sources import gawc
from analysis.sources.common.base import CITY_MEASURES, MENTIONS

HEADER_2020 = ["Rank", "City", "Country", "GNC_abs", "GNC_rel(%)"]
ROWS_2020 = [
    [1, "Testford", "United Kingdom", 1000, 100],
    [2, "Hong Kong", "China", 800, 80],
    [3, "Beijing", "China", 600, 60],
    [4, "Taizhong/Taichung", "China", 500, 50],
    [5, "Springfield (Illinois)", "U.S.", 250, 25],
    [6, "Zeroville", "Czeck Republic", 0, 0],
    [7, "Aaville", "Korea", 0, 0],
]


def write_2020(tmp_path: Path, rows=ROWS_2020, header=HEADER_2020) -> dict[str, Path]:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Results"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    path = tmp_path / "gnc2020.xlsx"
    book.save(path)
    return {gawc.FILE_2020: path}


def measures_by_id(table: pd.DataFrame, measure: str) -> dict[str, float]:
    rows = table[table["measure"] == measure]
    return dict(zip(rows["mention_id"], rows["value"], strict=True))


def test_2020_mentions_measures_and_recodes(tmp_path):
    parsed = gawc.parse_2020(write_2020(tmp_path))
    mentions = MENTIONS.validate(parsed.tables["mentions"]).set_index("mention_id")
    measures = CITY_MEASURES.validate(parsed.tables["city_measures"])

    assert mentions["country_iso3"].to_dict() == {
        "gawc_2020:Testford|GBR": "GBR",
        "gawc_2020:Hong Kong|HKG": "HKG",
        "gawc_2020:Beijing|CHN": "CHN",
        "gawc_2020:Taizhong/Taichung|TWN": "TWN",
        "gawc_2020:Springfield (Illinois)|USA": "USA",
        "gawc_2020:Zeroville|CZE": "CZE",
        "gawc_2020:Aaville|KOR": "KOR",
    }
    # the source's own country label is kept; names are left for the matcher
    assert mentions.loc["gawc_2020:Hong Kong|HKG", "raw_country"] == "China"
    assert mentions.loc["gawc_2020:Springfield (Illinois)|USA", "raw_name"] == (
        "Springfield (Illinois)"
    )
    assert set(mentions["entity_type"]) == {"city"}
    assert mentions["lat"].isna().all()

    assert set(measures["year"]) == {2020}
    gnc = measures_by_id(measures, "gawc_gnc_2020")
    assert gnc["gawc_2020:Hong Kong|HKG"] == 800.0
    assert gnc["gawc_2020:Zeroville|CZE"] == 0.0  # GNC 0 is kept as data
    prop = measures_by_id(measures, "gawc_gnc_2020_prop")
    assert prop["gawc_2020:Testford|GBR"] == 1.0
    assert prop["gawc_2020:Springfield (Illinois)|USA"] == pytest.approx(0.25)
    rank = measures_by_id(measures, "gawc_rank_2020")
    assert rank["gawc_2020:Beijing|CHN"] == 3.0
    # tied GNC share the best rank of the tie
    assert rank["gawc_2020:Zeroville|CZE"] == rank["gawc_2020:Aaville|KOR"] == 6.0
    assert len(measures) == 3 * len(ROWS_2020)

    audit = parsed.audit.to_frame().set_index("step")
    assert audit.loc["cities", ["rows_in", "rows_out", "rows_dropped"]].tolist() == [7, 7, 0]
    assert audit.loc["recode country China -> HKG", "rows_out"] == 1
    assert audit.loc["recode country China -> TWN", "rows_out"] == 1
    assert audit.loc["recode country China -> MAC", "rows_out"] == 0


def test_2020_drops_rows_without_city(tmp_path):
    rows = [*ROWS_2020, [8, None, "Japan", 0, 0]]
    parsed = gawc.parse_2020(write_2020(tmp_path, rows))
    audit = parsed.audit.to_frame()
    drop = audit[(audit["step"] == "cities") & (audit["reason"] == "no city name")]
    assert drop["rows_dropped"].tolist() == [1]
    assert len(parsed.tables["mentions"]) == len(ROWS_2020)


def test_2020_renamed_column_names_file_and_column(tmp_path):
    header = ["Rank", "City", "Country", "GNC abs", "GNC_rel(%)"]
    with pytest.raises(RawInputError, match=r"gnc2020\.xlsx.*'GNC_abs'"):
        gawc.parse_2020(write_2020(tmp_path, header=header))


def test_2020_unparseable_value_names_file_column_and_value(tmp_path):
    rows = [list(r) for r in ROWS_2020]
    rows[2][3] = "n/a"
    with pytest.raises(RawInputError, match=r"gnc2020\.xlsx, column 'GNC_abs', value 'n/a'"):
        gawc.parse_2020(write_2020(tmp_path, rows))


def test_2020_inconsistent_relative_gnc_raises(tmp_path):
    rows = [list(r) for r in ROWS_2020]
    rows[1][4] = 75
    with pytest.raises(RawInputError, match=r"column 'GNC_rel\(%\)'"):
        gawc.parse_2020(write_2020(tmp_path, rows))


def test_2020_gnc_rising_with_rank_raises(tmp_path):
    rows = [list(r) for r in ROWS_2020]
    rows[0][0], rows[1][0] = 2, 1
    with pytest.raises(RawInputError, match="rises with rank"):
        gawc.parse_2020(write_2020(tmp_path, rows))


# --------------------------------------------------------------------------- DA11 (2000)

# Labels must be DA11 labels (the country map is committed); values are invented.
ROWS_2000 = {"LONDON": (2, 1), "SHENZEN": (1, 0), "HONG KONG": (3, 2)}


def write_2000(tmp_path: Path, rows=ROWS_2000, header=",Firm One,Firm Two") -> dict[str, Path]:
    lines = [header] + [f"{city},{a},{b}" for city, (a, b) in rows.items()]
    path = tmp_path / "da11.csv"
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return {gawc.FILE_2000: path}


def test_2000_recomputed_connectivity(tmp_path):
    parsed = gawc.parse_2000(write_2000(tmp_path))
    mentions = MENTIONS.validate(parsed.tables["mentions"]).set_index("mention_id")
    measures = CITY_MEASURES.validate(parsed.tables["city_measures"])

    assert mentions["raw_name"].to_dict() == {
        "gawc_2000:LONDON": "LONDON",
        "gawc_2000:SHENZEN": "Shenzhen",  # committed spelling fix
        "gawc_2000:HONG KONG": "HONG KONG",
    }
    assert mentions["country_iso3"].to_dict() == {
        "gawc_2000:LONDON": "GBR",
        "gawc_2000:SHENZEN": "CHN",
        "gawc_2000:HONG KONG": "HKG",
    }
    assert mentions["raw_country"].isna().all()  # DA11 names no country

    # hand values: r(L,S)=2, r(L,H)=8, r(S,H)=3 -> C = 10, 5, 11
    assert measures_by_id(measures, "gawc_gnc_2000") == {
        "gawc_2000:LONDON": 10.0,
        "gawc_2000:SHENZEN": 5.0,
        "gawc_2000:HONG KONG": 11.0,
    }
    assert measures_by_id(measures, "gawc_gnc_2000_prop") == pytest.approx(
        {"gawc_2000:LONDON": 10 / 11, "gawc_2000:SHENZEN": 5 / 11, "gawc_2000:HONG KONG": 1.0}
    )
    assert set(measures["year"]) == {2000}
    audit = parsed.audit.to_frame()
    assert audit[["step", "rows_in", "rows_out", "rows_dropped", "reason"]].values.tolist() == [
        ["cities", 3, 3, 0, "none"]
    ]


def test_2000_unparseable_service_value(tmp_path):
    rows = {**ROWS_2000, "SHENZEN": ("x", 0)}
    with pytest.raises(RawInputError, match=r"da11\.csv, column 'Firm One', value 'x'"):
        gawc.parse_2000(write_2000(tmp_path, rows))


def test_2000_service_value_out_of_range(tmp_path):
    rows = {**ROWS_2000, "SHENZEN": (1, 7)}
    with pytest.raises(RawInputError, match=r"da11\.csv, column 'Firm Two', value '7'"):
        gawc.parse_2000(write_2000(tmp_path, rows))


def test_2000_unknown_city_label(tmp_path):
    rows = {**ROWS_2000, "ATLANTIS": (1, 1)}
    with pytest.raises(RawInputError, match="ATLANTIS"):
        gawc.parse_2000(write_2000(tmp_path, rows))


def test_2000_named_city_column_is_a_renamed_column(tmp_path):
    with pytest.raises(RawInputError, match=r"da11\.csv.*'Unnamed: 0'"):
        gawc.parse_2000(write_2000(tmp_path, header="city,Firm One,Firm Two"))


def test_da11_country_map_resolves_and_recode_list_is_consistent():
    from analysis.resolve.countries import resolve_countries

    codes = pd.Series(sorted(set(gawc.DA11_COUNTRY.values())))
    assert resolve_countries(codes, source="DA11_COUNTRY").tolist() == codes.tolist()
    assert len(gawc.DA11_COUNTRY) == 315
    assert set(gawc.DA11_NAME_FIXES) <= set(gawc.DA11_COUNTRY)
    assert set(countries.CHINA_LABEL_RECODES.values()) == set(countries.RECODE_TARGETS)


def test_2020_pyongyang_labelled_korea_is_recoded_to_prk(tmp_path):
    rows = [*ROWS_2020, [8, "Pyongyang", "Korea", 0, 0]]
    parsed = gawc.parse_2020(write_2020(tmp_path, rows=rows))
    iso3 = parsed.tables["mentions"].set_index("mention_id")["country_iso3"]
    assert iso3["gawc_2020:Pyongyang|PRK"] == "PRK"
    assert iso3["gawc_2020:Aaville|KOR"] == "KOR"  # the rest of "Korea" stays the Republic
    audit = parsed.audit.to_frame().set_index("step")
    assert audit.loc["recode country Korea -> PRK", "rows_out"] == 1
