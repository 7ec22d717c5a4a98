"""The NAE Cities Index parser on small synthetic files in the raw format."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.core.errors import RawInputError
from analysis.sources import us_nae_index as m
from analysis.sources.common.runner import run_source
from tests.sources.helpers import write

(SPEC,) = m.SOURCES  # one spec per module


NAE = """city, pop_tot , pop_fb ,pop_fb_share,natrate, overall_score , overall_ranking , policy_score ,legal_support,Livability
Boise City city, ID,200000,20000,0.1,0.5,3.5,10,4.25,2,3
Indianapolis city (balance), IN,800000,80000,0.1,0.6,2.5,60,2,1,4
"""


def test_nae_index(tmp_path: Path) -> None:
    write(
        tmp_path,
        m.FILE_NAE,
        NAE.replace("Boise City city, ID", '"Boise City city, ID"').replace(
            "Indianapolis city (balance), IN", '"Indianapolis city (balance), IN"'
        ),
    )
    parsed = run_source(SPEC, tmp_path)
    mentions = parsed.tables["mentions"].set_index("mention_id")
    assert mentions["raw_name"].to_dict() == {
        "us_nae_index:Boise City|ID": "Boise City, ID",
        "us_nae_index:Indianapolis|IN": "Indianapolis, IN",
    }
    assert mentions.loc["us_nae_index:Boise City|ID", "population"] == 200000
    measures = parsed.tables["city_measures"].set_index(["mention_id", "measure"])["value"]
    assert measures[("us_nae_index:Boise City|ID", "nae_legal_support")] == 2
    assert measures[("us_nae_index:Indianapolis|IN", "nae_overall_ranking")] == 60
    assert measures[("us_nae_index:Indianapolis|IN", "nae_livability")] == 4
    assert set(parsed.tables["city_measures"]["year"]) == {2019}
    assert len(measures) == 2 * 9


def test_nae_place_without_state_raises(tmp_path: Path) -> None:
    write(
        tmp_path,
        m.FILE_NAE,
        NAE.replace("Boise City city, ID", "Boise City city").replace(
            "Indianapolis city (balance), IN", '"Indianapolis city (balance), IN"'
        ),
    )
    with pytest.raises(RawInputError, match=r"nae_cities_index.*column 'city'"):
        run_source(SPEC, tmp_path)
