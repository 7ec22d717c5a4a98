"""CEPII GeoDist and Yotov et al. gravity parsers on small synthetic files in the raw formats.

The .xls files are written as .xlsx workbooks under the .xls names: the reader picks the
engine from the file's content, so the same parser reads both (no .xls writer is installed).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pyreadr
import pytest

from analysis.core.errors import RawInputError
from analysis.sources import gravity
from tests.sources.helpers import parse_validated, raw_path

DIST_HEADER = ["iso_o", "iso_d", *gravity.CEPII_FLAGS, "dist", "distcap", "distw", "distwces"]


def _xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _dist_row(o: str, d: str, dist: object, contig: int = 0, lang: int = 0) -> list[object]:
    flags = [contig, lang, lang, 0, 0, 0, 0]
    return [o, d, *flags, dist, dist, ".", "."]


def write_dist(root: Path, rows: list[list[object]]) -> Path:
    path = raw_path(root, gravity.DIST_FILE)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(gravity.DIST_MEMBER, _xlsx_bytes([DIST_HEADER, *rows]))
    return path


def test_cepii_dist_drops_internal_rows_and_resolves_old_codes(tmp_path: Path) -> None:
    write_dist(
        tmp_path,
        [
            _dist_row("FRA", "FRA", 300.0),
            _dist_row("FRA", "ROM", 1800.5, lang=1),
            _dist_row("ROM", "FRA", 1800.5, lang=1),
            _dist_row("PAL", "ISR", 70.0, contig=1),
        ],
    )
    parsed = parse_validated(gravity.SOURCES[0], {gravity.DIST_FILE: tmp_path / gravity.DIST_FILE})
    out = parsed.tables["cepii_pairs"]
    assert sorted(zip(out["iso3_o"], out["iso3_d"], strict=True)) == [
        ("FRA", "ROU"), ("PSE", "ISR"), ("ROU", "FRA"),
    ]  # fmt: skip
    assert out.loc[out["iso3_o"] == "PSE", "contig"].item() == 1
    audit = parsed.audit.to_frame()
    assert audit["rows_dropped"].sum() == 1
    assert "internal distance" in audit.loc[audit["rows_dropped"] > 0, "reason"].item()


def test_cepii_dist_rejects_text_distance(tmp_path: Path) -> None:
    write_dist(tmp_path, [_dist_row("FRA", "DEU", "far")])
    with pytest.raises(RawInputError, match="dist"):
        gravity.parse_cepii_dist({gravity.DIST_FILE: tmp_path / gravity.DIST_FILE})


def test_cepii_geo_capital_flag_and_missing_dots(tmp_path: Path) -> None:
    header = ["iso3", "country", "city_en", "lat", "lon", "cap", "citynum", "landlocked"]
    header += ["continent"]
    rows = [
        ["FRA", "France", "Paris", 48.86, 2.35, 1, 1, 0, "Europe"],
        ["BOL", "Bolivia", "La Paz", -16.5, -68.15, 2, 1, 1, "America"],
        ["BOL", "Bolivia", "La Paz", -16.5, -68.15, 2, ".", 1, "America"],
        ["ZAR", "Congo", "Kinshasa", ".", ".", 1, 1, 0, "Africa"],
    ]
    path = raw_path(tmp_path, gravity.GEO_FILE)
    path.write_bytes(_xlsx_bytes([header, *rows]))
    parsed = parse_validated(gravity.SOURCES[1], {gravity.GEO_FILE: path})
    out = parsed.tables["cepii_cities"].set_index("country_iso3")
    assert list(out.index) == ["FRA", "BOL", "COD"]
    assert out.loc["BOL", "capital"] == 0  # cap = 2 is not the capital
    assert pd.isna(out.loc["COD", "lat"])
    assert parsed.audit.to_frame()["rows_dropped"].sum() == 1


def test_yotov_drops_domestic_flows(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "exporter": ["USA", "USA", "CHN", "ROM"],
            "importer": ["USA", "CHN", "USA", "USA"],
            "pair_id": [1.0, 2.0, 3.0, 4.0],
            "year": [2000.0, 2000.0, 2000.0, 2001.0],
            "trade": [1e6, 50.0, 120.0, 3.5],
        }
    )
    path = raw_path(tmp_path, gravity.TRADE_FILE)
    pyreadr.write_rdata(str(path), frame, df_name=gravity.TRADE_OBJECT)
    parsed = parse_validated(gravity.SOURCES[2], {gravity.TRADE_FILE: path})
    out = parsed.tables["trade_flows"]
    assert len(out) == 3
    assert set(out["exporter_iso3"]) == {"USA", "CHN", "ROU"}
    assert parsed.audit.to_frame()["rows_dropped"].sum() == 1
