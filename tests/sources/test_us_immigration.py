"""The US immigration / sanctuary parsers on small synthetic files in the raw formats."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import RawInputError
from analysis.sources import us_immigration as ui
from analysis.sources.runner import run_source
from tests.sources.helpers import drop_counts, write, write_xlsx


def spec(name: str):
    return next(s for s in ui.SOURCES if s.name == name)


# --------------------------------------------------------------------------- 287(g)

YEARS = [f"y{y}" for y in range(2005, 2020)]
HEADER_287G = [
    "Sheriff",
    "State",
    "County",
    "ori",
    None,
    "bsu",
    "FIPS",
    "SUBSET",
    "ignore",
    "Joined after 2018? (Y/N)",
    *YEARS,
    "NOTES",
    "SHERIFF? (for counties that ended agreements)",
]


def agency(state, name, ori, fips, joined, first=None, last=None, notes=None):
    flags = ["X" if first and first <= y <= last else None for y in range(2005, 2020)]
    return ["Jane Doe", state, name, ori, 9, "y", fips, "x", None, joined, *flags, notes, None]


def rows_287g() -> list[list[object]]:
    return [
        HEADER_287G,
        agency("ALABAMA", "Etowah County Sheriff's Office", "AL0310000", 1055, "N", 2008, 2019),
        # FIPS from another state (as La Paz AZ's 20701): the agency name gives 04012
        agency("ARIZONA", "La Paz County Sheriff's Office", None, 20701, "Y", notes="joined 2020"),
        agency("ARIZONA", "Mesa Police Department", None, None, "N", 2009, 2019),
        agency("MONTANA", "Gallatin County Sherrifs Office", "MT0160000", None, "N", 2018, 2019),
        agency("MONTANA", "Gallatin County Sherrifs Office", None, 30031, "Y", notes="JOINED 2020"),
        ["", "State (Alphabetical)", "COUNTIES THAT ENDED 287(g)", *[None] * 24],
        agency(
            "Virginia",
            "Loudoun County Sheriff's Office",
            "VA05300",
            None,
            "N ",
            2008,
            2013,
            "Cancelled by ICE",
        ),
        agency(
            None,
            "Manassas Police Department",
            None,
            None,
            "N",
            2008,
            2012,
            "Likely ended in 2012 (Task Force Model)",
        ),
    ]


def test_287g_agencies(tmp_path: Path) -> None:
    write_xlsx(tmp_path, ui.FILE_287G, {"Sheet1": rows_287g()})
    parsed = run_source(spec("us_287g"), tmp_path)
    table = parsed.tables["us_287g"].set_index("agency")
    assert len(table) == 6
    etowah = table.loc["Etowah County Sheriff's Office"]
    assert (etowah["state"], etowah["county_fips"], etowah["county_fips_method"]) == (
        "AL",
        "01055",
        "file",
    )
    assert (etowah["first_year"], etowah["last_year"], etowah["n_years"]) == (2008, 2019, 12)
    assert pd.isna(etowah["end_year"]) and etowah["list_section"] == "active_2019"
    la_paz = table.loc["La Paz County Sheriff's Office"]
    assert (la_paz["county_fips"], la_paz["county_fips_method"]) == ("04012", "name")
    assert la_paz["first_year"] == 2020 and la_paz["n_years"] == 0 and la_paz["joined_after_2018"]
    mesa = table.loc["Mesa Police Department"]
    assert mesa["agency_type"] == "police" and pd.isna(mesa["county_fips"])
    gallatin = table.loc["Gallatin County Sherrifs Office"]
    assert (gallatin["first_year"], gallatin["last_year"]) == (2018, 2019)
    assert gallatin["county_fips"] == "30031" and gallatin["ori"] == "MT0160000"
    loudoun = table.loc["Loudoun County Sheriff's Office"]
    assert loudoun["list_section"] == "ended" and loudoun["end_year"] == 2013
    assert loudoun["county_fips"] == "51107" and not loudoun["joined_after_2018"]
    manassas = table.loc["Manassas Police Department"]
    assert manassas["state"] == "VA" and manassas["agreement_model"] == "task_force"
    assert manassas["end_year"] == 2012
    assert drop_counts(parsed) == {
        ("agencies", "duplicate agency row (merged)"): 1,
        ("agencies", "section header row"): 1,
    }


def test_287g_bad_flag_names_column(tmp_path: Path) -> None:
    rows = rows_287g()
    rows[1][HEADER_287G.index("y2010")] = "Y"
    write_xlsx(tmp_path, ui.FILE_287G, {"Sheet1": rows})
    with pytest.raises(RawInputError, match=r"ice_287g_agencies_2019_wapo\.xlsx, column 'y2010'"):
        run_source(spec("us_287g"), tmp_path)


# --------------------------------------------------------------------------- TRAC

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
    write(tmp_path, ui.FILE_TRAC, TRAC)
    parsed = run_source(spec("us_ice_detainers"), tmp_path)
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
        ("counties", ui.TERRITORY_REASON): 1,
    }


def test_detainers_inconsistent_counts_raise(tmp_path: Path) -> None:
    write(tmp_path, ui.FILE_TRAC, TRAC.replace("100,60.0,40.0", "100,60.0,45.0"))
    with pytest.raises(RawInputError, match=r"trac_ice_detainers.*column 'Yes, No'"):
        run_source(spec("us_ice_detainers"), tmp_path)


# --------------------------------------------------------------------------- MPI

MPI = (
    "State,County,Total Unauthorized Population\r"
    'California,"Los Angeles County, California"," 1,060,000 "\r'
    'Florida,"Miami-Dade-Monroe Counties, Florida"," 151,000 "\r'
    'Massachusetts,"Boston Area NECTA*, Massachusetts"," 139,000 "\r'
    'Virginia,"Alexandria City, Virginia"," 15,000 "\r'
)


def test_unauthorized_population(tmp_path: Path) -> None:
    write(tmp_path, ui.FILE_MPI, b"\xef\xbb\xbf" + MPI.encode())
    parsed = run_source(spec("us_unauthorized_pop"), tmp_path)
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
    write(tmp_path, ui.FILE_MPI, MPI.replace("1,060,000", "10,60,000"))
    with pytest.raises(RawInputError, match=r"mpi_unauth.*'Total Unauthorized Population'"):
        run_source(spec("us_unauthorized_pop"), tmp_path)


# --------------------------------------------------------------------------- NAE

NAE = """city, pop_tot , pop_fb ,pop_fb_share,natrate, overall_score , overall_ranking , policy_score ,legal_support,Livability
Boise City city, ID,200000,20000,0.1,0.5,3.5,10,4.25,2,3
Indianapolis city (balance), IN,800000,80000,0.1,0.6,2.5,60,2,1,4
"""


def test_nae_index(tmp_path: Path) -> None:
    write(
        tmp_path,
        ui.FILE_NAE,
        NAE.replace("Boise City city, ID", '"Boise City city, ID"').replace(
            "Indianapolis city (balance), IN", '"Indianapolis city (balance), IN"'
        ),
    )
    parsed = run_source(spec("us_nae_index"), tmp_path)
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
        ui.FILE_NAE,
        NAE.replace("Boise City city, ID", "Boise City city").replace(
            "Indianapolis city (balance), IN", '"Indianapolis city (balance), IN"'
        ),
    )
    with pytest.raises(RawInputError, match=r"nae_cities_index.*column 'city'"):
        run_source(spec("us_nae_index"), tmp_path)


# --------------------------------------------------------------------------- sanctuary

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
    write(root, ui.FILE_CIS, cis)
    write(root, ui.FILE_STATE_LAWS, STATE_LAWS)
    write(root, ui.FILE_REFERENCE, json.dumps(REFERENCE))
    write_xlsx(root, ui.FILE_SHIFT, {"State": SHIFT_STATE, "Local": SHIFT_LOCAL})


def test_sanctuary_jurisdictions(tmp_path: Path) -> None:
    write_sanctuary(tmp_path)
    parsed = run_source(spec("us_sanctuary"), tmp_path)
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
        ("kevinnbass_reference_states", ui.TERRITORY_REASON): 1,
        ("kevinnbass_reference_cities", "none"): 0,
        ("kevinnbass_reference_287g", "none"): 0,
        ("shift_hks_state", "no policy coded"): 1,
        ("shift_hks_state", "source-links row"): 1,
        ("shift_hks_local", "none"): 0,
    }


def test_sanctuary_bad_date_names_column(tmp_path: Path) -> None:
    write_sanctuary(tmp_path, CIS.replace("Sep-14", "Sept 2014", 1))
    with pytest.raises(RawInputError, match=r"cis_sanctuary.*column 'Date Enacted'.*Sept 2014"):
        run_source(spec("us_sanctuary"), tmp_path)


# --------------------------------------------------------------------------- monthly panel

MONTHLY_HEADER = (
    "state,state_abbreviation,state_fips_code,year,month,any_mask_mandate,local_mandates_banned,"
    "minimum_wage,has_minwage_preemption_law,pfml_law,has_pfml_preemption_law,psl_law,"
    "has_psl_preemption_law,secure_sched_law,secure_sched_prohib,stayathome_law,"
    "gen_id_pub_antidisc,gen_id_relig_exemp,ban_gen_id_antidisc,dontsaygay,bathroom_ban,"
    "est_pct_population,everify_req_pub,everify_req_priv,sanct_status,sanct_ban,pro_lisc,"
    "ice_coop_req,ice_coop_lim"
)
MONTHLY = [
    MONTHLY_HEADER,
    "Alabama,AL,1,2013,1,No,No,7.25,0,No,0,No,0,No,No,No,No,Yes,No,No,No,.025,Yes,Yes,No,Yes,No,"
    "No,No",
    "California,CA,6,2017,12,No,No,10.5,1,Yes,0,Yes,0,No,No,No,Yes,No,No,No,No,.059,No,No,Yes,No,"
    "Yes,No,Yes",
]


def test_state_policy_month(tmp_path: Path) -> None:
    write(tmp_path, ui.FILE_MONTHLY, "\n".join(MONTHLY) + "\n")
    parsed = run_source(spec("us_state_policy_month"), tmp_path)
    table = parsed.tables["us_state_policy_month"].set_index(["state", "year", "month"])
    ca = table.loc[("CA", 2017, 12)]
    assert ca["state_fips"] == "06" and ca["sanct_status"] and ca["ice_coop_lim"]
    assert not ca["sanct_ban"] and ca["minimum_wage"] == 10.5
    assert ca["has_minwage_preemption_law"] and ca["est_pct_population"] == 0.059
    al = table.loc[("AL", 2013, 1)]
    assert al["sanct_ban"] and al["everify_req_priv"] and not al["sanct_status"]
    assert drop_counts(parsed) == {("state_months", "none"): 0}


def test_state_policy_month_bad_value(tmp_path: Path) -> None:
    bad = [
        MONTHLY[0],
        MONTHLY[1],
        MONTHLY[2].replace("No,No,Yes,No,Yes,No,Yes", "No,No,Maybe,No,Yes,No,Yes"),
    ]
    write(tmp_path, ui.FILE_MONTHLY, "\n".join(bad) + "\n")
    with pytest.raises(
        RawInputError, match=r"shift_hks_state_policy.*column 'sanct_status'.*Maybe"
    ):
        run_source(spec("us_state_policy_month"), tmp_path)
