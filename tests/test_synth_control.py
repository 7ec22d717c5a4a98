"""Synthetic control wrapper (pysyncon): a planted effect is recovered, donors and placebos."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.core.errors import ConfigError
from analysis.models.spec import SyntheticControl
from analysis.models.synth_control import donor_pool, placebo_p, run_synthetic_control, unit_series

YEARS = range(2012, 2020)


def _panel(effect: float, seed: int = 3) -> pd.DataFrame:
    """City-years of 15 countries; each country's city mean follows a level + its own trend
    mixture; "T" is an exact convex mix of A and B (0.6/0.4) before 2016, plus `effect` from
    2016. Country "S" has 2 cities (below min_cities)."""
    rng = np.random.default_rng(seed)
    countries = {c: 6 for c in "ABCDEFGHIJKLMN"} | {"T": 6, "S": 2}
    base = {
        c: rng.uniform(0, 1) + rng.uniform(-0.05, 0.05) * np.arange(len(YEARS)) for c in countries
    }
    base["T"] = 0.6 * base["A"] + 0.4 * base["B"]
    rows = []
    for c, n in countries.items():
        for k in range(n):
            for i, y in enumerate(YEARS):
                v = base[c][i] + (effect if c == "T" and y >= 2016 else 0.0)
                rows.append({"country_iso3": c, "city_id": f"{c}{k}", "year": y, "y": v,
                             "x": base[c][0] + 0.01 * k, "keep": 1})  # fmt: skip
    return pd.DataFrame(rows)


def _cfg(**kw) -> SyntheticControl:
    base = {"checks": "did", "outcome": "y", "treated": "T", "start_year": 2016,
            "predictors": ["x"], "sample": [{"column": "keep", "op": "eq", "value": 1}],
            "min_cities": 3}  # fmt: skip
    return SyntheticControl.model_validate(base | kw)


def test_planted_effect_is_recovered_and_ranked_first():
    summary, tables = run_synthetic_control(_panel(0.5), _cfg())
    assert summary["estimate"] == pytest.approx(0.5, abs=0.05)
    assert summary["pre_rmspe"] < 0.05
    assert summary["donors"] == 14 and summary["placebos"] == 14
    assert summary["rank"] == 1 and summary["p_value"] == pytest.approx(1 / 15)
    assert summary["credible"]  # four pre-years
    w = tables["weights"].set_index("unit")
    assert w.loc["S", "role"] == "excluded" and "fewer than 3" in w.loc["S", "reason"]
    assert w["weight"].sum() == pytest.approx(1.0, abs=1e-6)
    assert (w["weight"].dropna() >= -1e-9).all()
    path = tables["path"]
    assert list(path["year"]) == list(YEARS)
    np.testing.assert_allclose(path["gap"], path["treated"] - path["synthetic"])


def test_no_effect_is_not_extreme_and_one_pre_year_is_not_credible():
    d = _panel(0.0)
    d = d[d["year"] >= 2015]  # one pre-year, as in H3
    summary, _ = run_synthetic_control(d, _cfg())
    assert summary["pre_years"] == [2015]
    assert not summary["credible"] and "check" in summary["credibility_note"]
    assert abs(summary["estimate"]) < 0.15


def test_unit_series_means_and_city_counts():
    s = unit_series(_panel(0.0), _cfg())
    t = s[(s["country_iso3"] == "S") & (s["year"] == 2012)].iloc[0]
    assert t["n_cities"] == 2
    donors, table = donor_pool(s, _cfg())
    assert set(table.loc[table["role"] == "excluded", "unit"]) == {"S"}
    assert "T" not in donors and "S" not in donors and len(donors) == 14
    with pytest.raises(ConfigError, match="treated 'Z'"):
        donor_pool(s, _cfg(treated="Z"))
    with pytest.raises(ConfigError, match="not in the frame"):
        unit_series(_panel(0.0), _cfg(predictors=["nope"]))


def test_placebo_p():
    assert placebo_p(0.5, [0.1, -0.2, 0.3]) == pytest.approx(1 / 4)
    assert placebo_p(0.2, [0.1, -0.2, 0.3]) == pytest.approx(3 / 4)
