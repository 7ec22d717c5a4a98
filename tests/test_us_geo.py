"""The US state / county lookups shared by the US source parsers."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.core.errors import RawInputError
from analysis.sources.common.us_geo import county_fips_from_names, county_key, pad_fips, state_codes


def test_state_codes_resolve_names_codes_and_aliases() -> None:
    values = pd.Series(["texas", " NY ", "Washington State", "Northern Mariana Is.", None])
    codes = state_codes(values, "f.csv", "state")
    assert codes.tolist()[:4] == ["TX", "NY", "WA", "MP"]
    assert pd.isna(codes.iloc[4])
    with pytest.raises(RawInputError, match=r"f\.csv, column 'state'.*Atlantis"):
        state_codes(pd.Series(["Atlantis"]), "f.csv", "state")


def test_county_keys_and_lookup() -> None:
    assert county_key("Baltimore City") == county_key("Baltimore city") == "baltimore city"
    assert county_key("Prince Georges County") == county_key("Prince George's County")
    assert county_key("De Kalb County") == county_key("DeKalb County")
    states = pd.Series(["MD", "MD", "VA", "CA", "CA", "SD"])
    names = pd.Series(
        [
            "Baltimore City",
            "Baltimore County",
            "Bedford City",
            "San Bernadino",
            "Nowhere",
            "Shannon",
        ]
    )
    assert county_fips_from_names(states, names).tolist()[:3] == ["24510", "24005", "51019"]
    fuzzy = county_fips_from_names(states, names, fuzzy=True)
    assert fuzzy.iloc[3] == "06071" and pd.isna(fuzzy.iloc[4]) and fuzzy.iloc[5] == "46102"
    assert pd.isna(county_fips_from_names(states, names).iloc[3])


def test_pad_fips() -> None:
    assert pad_fips(pd.Series([1055, "1095", None, 48201.0]), "f", "c").tolist()[:2] == [
        "01055",
        "01095",
    ]
    with pytest.raises(RawInputError, match="longer than 5"):
        pad_fips(pd.Series([123456]), "f", "c")
