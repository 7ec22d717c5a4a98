"""The TRAC detainers parser on small synthetic files in the raw format."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.core.errors import RawInputError
from analysis.sources import us_ice_detainers as m
from analysis.sources.common.runner import run_source
from analysis.sources.common.us_geo import TERRITORY_REASON
from tests.sources.helpers import drop_counts, write

(SPEC,) = m.SOURCES  # one spec per module


TRAC = """State,County,All,Yes,No
Alabama,All,120,70.0,50.0
Alabama,Autauga County,100,60.0,40.0
Alabama,Colbert County,20,,20.0
Virginia,Bedford City,10,4.0,6.0
Florida,Unknown County,5,5.0,
Not Listed,Unknown County,7,3.0,4.0
Guam,Guam,3,1.0,2.0
"""


def test_detainers(tmp_path: Path) -> None:
    write(tmp_path, m.FILE_TRAC, TRAC)
    parsed = run_source(SPEC, tmp_path)
    table = parsed.tables["us_ice_detainers"].set_index("county")
    assert sorted(table.index) == ["Autauga County", "Bedford City", "Colbert County"]
    autauga = table.loc["Autauga County"]
    assert (autauga["county_fips"], autauga["detainers"], autauga["custody_taken"]) == (
        "01001",
        100,
        60,
    )
    assert autauga["share_not_taken"] == pytest.approx(0.4)
    colbert = table.loc["Colbert County"]
    assert (colbert["custody_taken"], colbert["custody_not_taken"]) == (0, 20)
    assert table.loc["Bedford City", "county_fips"] == "51019"  # merged into Bedford County
    assert drop_counts(parsed) == {
        ("counties", "state total row"): 1,
        ("counties", "county not named"): 1,
        ("counties", "state not listed"): 1,
        ("counties", TERRITORY_REASON): 1,
    }


def test_detainers_inconsistent_counts_raise(tmp_path: Path) -> None:
    write(tmp_path, m.FILE_TRAC, TRAC.replace("100,60.0,40.0", "100,60.0,45.0"))
    with pytest.raises(RawInputError, match=r"trac_ice_detainers.*column 'Yes, No'"):
        run_source(SPEC, tmp_path)
