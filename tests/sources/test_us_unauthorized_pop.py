"""The MPI unauthorized-population parser on small synthetic files in the raw format."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import RawInputError
from analysis.sources import us_unauthorized_pop as m
from analysis.sources.common.runner import run_source
from tests.sources.helpers import drop_counts, write

(SPEC,) = m.SOURCES  # one spec per module


MPI = (
    "State,County,Total Unauthorized Population\r"
    'California,"Los Angeles County, California"," 1,060,000 "\r'
    'Florida,"Miami-Dade-Monroe Counties, Florida"," 151,000 "\r'
    'Massachusetts,"Boston Area NECTA*, Massachusetts"," 139,000 "\r'
    'Virginia,"Alexandria City, Virginia"," 15,000 "\r'
)


def test_unauthorized_population(tmp_path: Path) -> None:
    write(tmp_path, m.FILE_MPI, b"\xef\xbb\xbf" + MPI.encode())
    parsed = run_source(SPEC, tmp_path)
    table = parsed.tables["us_unauthorized_pop"].set_index("area")
    la = table.loc["Los Angeles County, California"]
    assert (la["area_type"], la["county_fips"], la["unauthorized_pop"]) == (
        "county",
        "06037",
        1_060_000.0,
    )
    miami = table.loc["Miami-Dade-Monroe Counties, Florida"]
    assert miami["area_type"] == "county_group" and miami["member_county_fips"] == "12086;12087"
    assert pd.isna(miami["county_fips"])
    assert table.loc["Boston Area NECTA*, Massachusetts", "area_type"] == "other"
    assert table.loc["Alexandria City, Virginia", "county_fips"] == "51510"
    assert drop_counts(parsed) == {("areas", "none"): 0}


def test_unauthorized_bad_thousands_raise(tmp_path: Path) -> None:
    write(tmp_path, m.FILE_MPI, MPI.replace("1,060,000", "10,60,000"))
    with pytest.raises(RawInputError, match=r"mpi_unauth.*'Total Unauthorized Population'"):
        run_source(SPEC, tmp_path)
