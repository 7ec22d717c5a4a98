"""Shift Project state-month policy panel 2013-2022 (sanctuary, ICE, E-Verify).

Spec ``us_state_policy_month``: reads
``us/shift_hks_state_policy_measures_monthly_2013_2022.csv``, writes table
``us_state_policy_month``.

One row per (``state``, ``year``, ``month``), 51 units x
120 months, with ``state_fips`` and every measure of the file: the Yes/No and 0/1
indicators as booleans (immigration: ``sanct_status``, ``sanct_ban``, ``ice_coop_req``,
``ice_coop_lim``, ``everify_req_pub``, ``everify_req_priv``, ``pro_lisc``; others:
``any_mask_mandate``, ``local_mandates_banned``, ``has_minwage_preemption_law``,
``pfml_law``, ``has_pfml_preemption_law``, ``psl_law``, ``has_psl_preemption_law``,
``secure_sched_law``, ``secure_sched_prohib``, ``stayathome_law``,
``gen_id_pub_antidisc``, ``gen_id_relig_exemp``, ``ban_gen_id_antidisc``,
``dontsaygay``, ``bathroom_ban``), ``minimum_wage`` (US dollars per hour) and
``est_pct_population`` (estimated undocumented share of the population, 0-1, static).
Caveats: Yes/No strings (converted; any other value raises); state level only (local
policies are in ``us_sanctuary``); switches on in the month of enactment as coded
(documented); the 2023-10-24 version is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.sources.common.base import ParsedSource, SourceSpec
from analysis.sources.common.readers import (
    check_unique,
    read_text_table,
    require_columns,
    to_int,
    to_number,
    to_year,
)
from analysis.sources.common.us_geo import STATE, STATE_FIPS, pad_fips, state_codes, state_fips

FILE_MONTHLY = "us/shift_hks_state_policy_measures_monthly_2013_2022.csv"


_YES_NO = (
    "any_mask_mandate",
    "local_mandates_banned",
    "pfml_law",
    "psl_law",
    "secure_sched_law",
    "secure_sched_prohib",
    "stayathome_law",
    "gen_id_pub_antidisc",
    "gen_id_relig_exemp",
    "ban_gen_id_antidisc",
    "dontsaygay",
    "bathroom_ban",
    "everify_req_pub",
    "everify_req_priv",
    "sanct_status",
    "sanct_ban",
    "pro_lisc",
    "ice_coop_req",
    "ice_coop_lim",
)
_ZERO_ONE = ("has_minwage_preemption_law", "has_pfml_preemption_law", "has_psl_preemption_law")

US_STATE_POLICY_MONTH = pa.DataFrameSchema(
    {
        "state": STATE,
        "state_fips": STATE_FIPS,
        "year": pa.Column("Int64", pa.Check.in_range(2013, 2022)),
        "month": pa.Column("Int64", pa.Check.in_range(1, 12)),
        **{c: pa.Column(bool) for c in (*_YES_NO, *_ZERO_ONE)},
        "minimum_wage": pa.Column(float, pa.Check.in_range(0, 30)),
        "est_pct_population": pa.Column(float, pa.Check.in_range(0, 1)),
    },
    strict=True,
    unique=["state", "year", "month"],
    name="us_state_policy_month",
)


def _booleans(values: pd.Series, mapping: dict[str, bool], file: str, column: str) -> pd.Series:
    bad = ~values.isin(list(mapping))
    if bad.any():
        raise RawInputError(file, f"expected one of {sorted(mapping)}", column, values[bad].iloc[0])
    return values.map(mapping).astype(bool)


def parse_monthly(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit("us_state_policy_month")
    raw = read_text_table(paths[FILE_MONTHLY])
    columns = [
        "state",
        "state_abbreviation",
        "state_fips_code",
        "year",
        "month",
        *_YES_NO,
        *_ZERO_ONE,
        "minimum_wage",
        "est_pct_population",
    ]
    require_columns(raw, columns, FILE_MONTHLY)
    df = audit.start(raw, "state_months")
    audit.finish(df)
    state = state_codes(df["state_abbreviation"], FILE_MONTHLY, "state_abbreviation")
    named = state_codes(df["state"], FILE_MONTHLY, "state")
    fips = pad_fips(df["state_fips_code"], FILE_MONTHLY, "state_fips_code", width=2)
    mismatch = (named != state) | (fips != state_fips(state))
    if mismatch.any():
        raise RawInputError(
            FILE_MONTHLY,
            "state, abbreviation and FIPS disagree",
            "state",
            df.loc[mismatch, "state"].iloc[0],
        )
    out = pd.DataFrame(
        {
            "state": state,
            "state_fips": state_fips(state),
            "year": to_year(df["year"], FILE_MONTHLY, "year", allow_missing=False),
            "month": to_int(df["month"], FILE_MONTHLY, "month", allow_missing=False),
        }
    )
    for column in _YES_NO:
        out[column] = _booleans(df[column], {"Yes": True, "No": False}, FILE_MONTHLY, column)
    for column in _ZERO_ONE:
        out[column] = _booleans(df[column], {"1": True, "0": False}, FILE_MONTHLY, column)
    out["minimum_wage"] = to_number(
        df["minimum_wage"], FILE_MONTHLY, "minimum_wage", allow_missing=False
    )
    out["est_pct_population"] = to_number(
        df["est_pct_population"], FILE_MONTHLY, "est_pct_population", allow_missing=False
    )
    check_unique(out, ["state", "year", "month"], FILE_MONTHLY)
    return ParsedSource(tables={"us_state_policy_month": out}, audit=audit)


SOURCES = [
    SourceSpec(
        name="us_state_policy_month",
        files=(FILE_MONTHLY,),
        parse=parse_monthly,
        schemas={"us_state_policy_month": US_STATE_POLICY_MONTH},
        description="Shift Project state-month policy panel 2013-2022 (sanctuary, ICE, E-Verify).",
    ),
]
