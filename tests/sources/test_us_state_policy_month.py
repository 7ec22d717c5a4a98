"""The Shift state-month policy parser on small synthetic files in the raw format."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.core.errors import RawInputError
from analysis.sources import us_state_policy_month as m
from analysis.sources.common.runner import run_source
from tests.sources.helpers import drop_counts, write

(SPEC,) = m.SOURCES  # one spec per module


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
    write(tmp_path, m.FILE_MONTHLY, "\n".join(MONTHLY) + "\n")
    parsed = run_source(SPEC, tmp_path)
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
    write(tmp_path, m.FILE_MONTHLY, "\n".join(bad) + "\n")
    with pytest.raises(
        RawInputError, match=r"shift_hks_state_policy.*column 'sanct_status'.*Maybe"
    ):
        run_source(SPEC, tmp_path)
