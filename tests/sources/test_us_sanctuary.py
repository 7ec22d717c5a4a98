"""The sanctuary-policy parser (CIS, kevinnbass, Shift) on small synthetic files in the raw format."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import RawInputError
from analysis.sources import us_sanctuary as m
from analysis.sources.common.runner import run_source
from analysis.sources.common.us_geo import TERRITORY_REASON
from tests.sources.helpers import drop_counts, write, write_xlsx

(SPEC,) = m.SOURCES  # one spec per module


CIS = """Location,Date Enacted,Policy,Criteria for Honoring Detainer,Designation
"Suffolk County, New York",Sep-14,County Sheriff's Office Decision,Will not honor ICE detainer,2
"Boston, Massachusetts",2015-08-14,Boston Trust Act,Will not honor ICE detainer,1
"Cass County, lowa",Aug-14,County Jails' Decision,Will not honor ICE detainer,2
"Cass County, lowa",Aug-14,County Jails' Decision,Will not honor ICE detainer,2
Rhode Island,Jul-14,Department of Corrections Policy,Will not honor ICE detainer,3
"Taos, New Mexico",Jan-11,Taos County Adult Detention Center Policies,Will not honor,1
East Haven. Connecticut,Jul-14,Police Department Policy,Will not honor ICE detainer,1
"Colorado County Jails, Colorado",Sep-14,County Jails' Decision,All county jails,2
"""
STATE_LAWS = """state,classification,tier,primary_law,law_details,effective_date,doj_designated_sanctuary,source_url,source_name,ilrc_rating,ilrc_source
California,sanctuary,comprehensive,SB 54 (2017),Limits,2018-01-01,True,https://example.org/sb54,Leg,fairly_broad,https://example.org/ilrc
Ohio,neutral,no_statewide_policy,No statewide law,None,,False,https://example.org/oh,Leg,neutral,https://example.org/ilrc
"""
REFERENCE = {
    "_metadata": {"description": "synthetic"},
    "states": {
        "Texas": {
            "classification": "anti_sanctuary",
            "primary_law": "SB 4 (2017)",
            "detainer_policy": "state_mandated",
            "doj_designated": False,
            "effective_date": "2017-09-01",
            "source_url": "https://example.org/sb4",
        },
        "Puerto Rico": {
            "classification": "neutral",
            "primary_law": "None",
            "detainer_policy": "case_by_case",
            "doj_designated": False,
            "effective_date": None,
            "source_url": "https://example.org/pr",
        },
    },
    "cities_with_notable_policies": {
        "Austin, TX": {
            "state": "Texas",
            "local_status": "policy_conflict",
            "detainer_policy": "state_mandated",
            "source_url": "https://example.org/austin",
        },
        "Cook County, IL": {
            "state": "Illinois",
            "local_status": "sanctuary_strong",
            "detainer_policy": "decline_all",
            "source_url": "https://example.org/cook",
        },
    },
    "counties_287g_agreements": {
        "_notes": "synthetic",
        "counties": [{"county": "Maricopa County", "state": "Arizona", "type": "jail"}],
    },
}
SHIFT_STATE_HEADER = [
    "state",
    "state_abbreviation",
    "state_fips_code",
    "est_pct_population",
    "everify_req_pub",
    "everify_req_pub_date",
    "everify_req_priv",
    "everify_req_priv_date",
    "sanct_status",
    "sanct_status_date",
    "sanct_ban",
    "sanct_ban_date",
    "pro_lisc",
    "pro_lisc_date",
    "ice_coop_req",
    "ice_coop_req_date",
    "ice_coop_lim",
    "ice_coop_lim_date",
    "undoc_laws_descrip",
    "undoc_laws_links",
]
D = datetime
SHIFT_STATE = [
    SHIFT_STATE_HEADER,
    [
        "Oregon",
        "OR",
        41,
        0.02,
        0,
        None,
        0,
        None,
        1,
        D(1987, 1, 1),
        0,
        None,
        0,
        None,
        0,
        None,
        1,
        D(1987, 1, 1),
        "text",
        "https://example.org",
    ],
    [
        "Texas",
        "TX",
        48,
        0.05,
        1,
        D(2015, 9, 1),
        0,
        None,
        0,
        None,
        1,
        D(2017, 9, 1),
        0,
        None,
        1,
        D(2017, 9, 1),
        0,
        None,
        "text",
        "https://example.org",
    ],
    [
        "Ohio",
        "OH",
        39,
        0.01,
        0,
        None,
        0,
        None,
        0,
        None,
        0,
        None,
        0,
        None,
        0,
        None,
        0,
        None,
        "text",
        "https://example.org",
    ],
    [
        None,
        None,
        None,
        None,
        "https://example.org/everify",
        None,
        "https://example.org/everify",
        None,
        "https://example.org/ncsl",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ],
]
SHIFT_LOCAL_HEADER = [
    "locality",
    "locality_type",
    "state_abbreviation",
    "state_fips_code",
    "county_fips_code",
    "everify_req",
    "everify_req_date",
    "sanct_status",
    "sanct_status_date",
    "ice_coop_req",
    "ice_coop_req_date",
]
SHIFT_LOCAL = [
    SHIFT_LOCAL_HEADER,
    ["Etowah County", "County", "AL", 1, "1055", 0, None, 0, None, 1, D(2020, 6, 9)],
    ["Hunstville", "County", "AL", 1, "01089", 1, D(2010, 1, 1), 0, None, 0, None],
    ["Baltimore", "Minucipality", "MD", 24, "24005", 0, None, 1, D(2014, 4, 1), 0, None],
    ["Clark", "County", "WA ", 53, "53011", 1, D(2009, 9, 24), 0, None, 0, None],
    ["Cecil County", "County", "MD", 24, "24015", 0, None, 0, D(2017, 1, 1), 1, D(2020, 3, 9)],
]


def write_sanctuary(root: Path, cis: str = CIS) -> None:
    write(root, m.FILE_CIS, cis)
    write(root, m.FILE_STATE_LAWS, STATE_LAWS)
    write(root, m.FILE_REFERENCE, json.dumps(REFERENCE))
    write_xlsx(root, m.FILE_SHIFT, {"State": SHIFT_STATE, "Local": SHIFT_LOCAL})


def test_sanctuary_jurisdictions(tmp_path: Path) -> None:
    write_sanctuary(tmp_path)
    parsed = run_source(SPEC, tmp_path)
    table = parsed.tables["us_sanctuary_jurisdictions"]
    key = table.set_index(["source", "jurisdiction", "policy"])
    boston = key.loc[("cis", "Boston", "sanctuary")]
    assert boston["date"] == pd.Timestamp("2014-08-01") and boston["date_precision"] == "month"
    assert boston["level"] == "city" and boston["mention_id"] == "us_sanctuary:Boston|MA"
    cass = key.loc[("cis", "Cass County", "sanctuary")]
    assert (cass["state"], cass["county_fips"], cass["year"]) == ("IA", "19029", 2014)
    assert key.loc[("cis", "Rhode Island", "sanctuary"), "level"] == "state"
    taos = key.loc[("cis", "Taos County", "sanctuary")]
    assert taos["level"] == "county" and taos["county_fips"] == "35055"
    assert key.loc[("cis", "East Haven", "sanctuary"), "state"] == "CT"
    assert key.loc[("cis", "Colorado County Jails", "sanctuary"), "level"] == "other"
    california = key.loc[("kevinnbass_states", "California", "sanctuary")]
    assert california["date_kind"] == "effective" and california["year"] == 2018
    assert "ILRC 2024: fairly_broad" in california["detail"]
    ohio = key.loc[("kevinnbass_states", "Ohio", "neutral")]
    assert ohio["stance"] == "neutral" and pd.isna(ohio["date"]) and pd.isna(ohio["date_kind"])
    assert key.loc[("kevinnbass_reference", "Texas", "anti_sanctuary"), "stance"] == "enforcement"
    austin = key.loc[("kevinnbass_reference", "Austin", "policy_conflict")]
    assert austin["stance"] == "mixed" and austin["mention_id"] == "us_sanctuary:Austin|TX"
    cook = key.loc[("kevinnbass_reference", "Cook County", "sanctuary")]
    assert cook["level"] == "county" and cook["county_fips"] == "17031"
    maricopa = key.loc[("kevinnbass_reference", "Maricopa County", "agreement_287g")]
    assert maricopa["county_fips"] == "04013"
    oregon = key.loc[("shift_hks", "Oregon", "sanctuary")]
    assert oregon["date"] == pd.Timestamp("1987-01-01") and oregon["date_kind"] == "enacted"
    texas_everify = key.loc[("shift_hks", "Texas", "everify_mandate")]
    assert texas_everify["detail"] == "public employers"
    huntsville = key.loc[("shift_hks", "Huntsville", "everify_mandate")]
    assert huntsville["level"] == "city" and huntsville["county_fips"] == "01089"
    assert key.loc[("shift_hks", "Baltimore", "sanctuary"), "county_fips"] == "24510"
    assert key.loc[("shift_hks", "Clark County", "everify_mandate"), "state"] == "WA"
    assert key.loc[("shift_hks", "Etowah County", "ice_cooperation_required"), "county_fips"] == (
        "01055"
    )
    assert ("shift_hks", "Cecil County", "sanctuary") not in key.index  # date next to a 0 flag
    mentions = set(parsed.tables["mentions"]["raw_name"])
    assert mentions == {
        "Boston, MA",
        "East Haven, CT",
        "Austin, TX",
        "Huntsville, AL",
        "Baltimore, MD",
    }
    assert drop_counts(parsed) == {
        ("cis", "duplicate row"): 1,
        ("kevinnbass_states", "none"): 0,
        ("kevinnbass_reference_states", TERRITORY_REASON): 1,
        ("kevinnbass_reference_cities", "none"): 0,
        ("kevinnbass_reference_287g", "none"): 0,
        ("shift_hks_state", "no policy coded"): 1,
        ("shift_hks_state", "source-links row"): 1,
        ("shift_hks_local", "none"): 0,
    }


def test_sanctuary_bad_date_names_column(tmp_path: Path) -> None:
    write_sanctuary(tmp_path, CIS.replace("Sep-14", "Sept 2014", 1))
    with pytest.raises(RawInputError, match=r"cis_sanctuary.*column 'Date Enacted'.*Sept 2014"):
        run_source(SPEC, tmp_path)
