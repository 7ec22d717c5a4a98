"""Model frames: covariate merging (users' files), network flags, the registry."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core.errors import ConfigError, PipelineError
from analysis.hypotheses.cross_section import city_network_counts, held_networks
from analysis.hypotheses.frames import frame_def, merge_covariates, used_covariates
from analysis.models.framedef import build_once, frames_built_once
from analysis.models.spec import validate_spec

FRAME = pd.DataFrame({"city_id": [1, 2, 3], "country_iso3": ["USA", "USA", "FRA"],
                      "year": [2020, 2020, 2020], "y": [1.0, 2.0, 3.0]})  # fmt: skip


def cov(tmp_path, text: str, **over):
    (tmp_path / "c.csv").write_text(text)
    entry = {"name": "mine", "file": "c.csv", "keys": ["country_iso3", "year"], "columns": ["m"]}
    return [entry | over]


def test_merge_by_country_year(tmp_path):
    out = merge_covariates(FRAME, cov(tmp_path, "country_iso3,year,m\nUSA,2020,1.5\n"), tmp_path)
    assert out["m"].tolist()[:2] == [1.5, 1.5] and pd.isna(out["m"].iloc[2])
    assert len(out) == len(FRAME)


def test_merge_skips_frames_without_the_keys(tmp_path):
    c = cov(tmp_path, "country_iso3,year,m\nUSA,2020,1\n")
    out = merge_covariates(FRAME.drop(columns="year"), c, tmp_path)
    assert "m" not in out


@pytest.mark.parametrize(
    ("text", "over", "message"),
    [
        ("country_iso3,year,m\nUSA,2020,1\nUSA,2020,2\n", {}, "duplicate key rows"),
        ("country_iso3,year,other\nUSA,2020,1\n", {}, r"lacks column\(s\) \['m'\]"),
        ("country_iso3,year,m\nUSA,2020,high\n", {}, "non-numeric value 'high'"),
        ("country_iso3,year,y\nUSA,2020,1\n", {"columns": ["y"]}, "already exist"),
        ("", {"file": "nope.csv"}, "not found"),
    ],
)
def test_bad_covariate_files_name_the_entry(tmp_path, text, over, message):
    with pytest.raises(PipelineError, match=message) as e:
        merge_covariates(FRAME, cov(tmp_path, text, **over), tmp_path)
    assert "covariates[0] (mine)" in str(e.value)


def test_used_covariates_only_those_a_spec_reads():
    spec = validate_spec({"hypothesis": "h9", "title": "t", "frame": "f", "models": [
        {"name": "m", "label": "m", "outcome": "y", "regressors": ["log(a)"], "controls": ["b:c"],
         "estimator": "ols", "vcov": {"type": "hc1"}}]})  # fmt: skip
    covs = [{"name": n, "file": f"{n}.csv", "keys": ["city_id"], "columns": [n]} for n in "acd"]
    assert [c["name"] for c in used_covariates(spec, covs)] == ["a", "c"]


def test_unknown_frame_is_named():
    with pytest.raises(ConfigError, match="unknown frame 'nope'"):
        frame_def("nope")


def test_held_networks_follow_the_panel_rule():
    m = pd.DataFrame({
        "city_id": [1, 1, 1, 2], "network": ["a", "a", "b", "b"],
        "join_year": [2019, None, 2021, None], "first_observed_year": [None, 2018, None, 2020],
        "network_type": "climate"})  # fmt: skip
    held = held_networks(m, 2020)
    assert held.loc[1, "held_a"] == 1 and held.loc[1].get("held_b", 0) == 0
    assert held.loc[2, "held_b"] == 1


@pytest.mark.pipeline
def test_held_networks_sum_to_the_panel_count(pipeline_results):
    data = pipeline_results / "data"
    held = held_networks(pd.read_parquet(data / "memberships.parquet"), 2020)
    cy = pd.read_parquet(data / "city_year.parquet", columns=["city_id", "year", "n_networks"])
    n = cy[cy["year"] == 2020].set_index("city_id")["n_networks"]
    total = held.sum(axis=1).reindex(n.index, fill_value=0)
    assert (total == n).all()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 6), st.sampled_from(["C40", "ICLEI", "GCoM", "Eurocities"])),
        min_size=1,
        max_size=40,
    )
)
def test_city_network_counts_equal_crosstab(rows):
    """The groupby count is pd.crosstab's table: values, dtypes, order and axis names."""
    df = pd.DataFrame(rows, columns=["city_id", "network"]).astype({"network": "str"})
    pd.testing.assert_frame_equal(
        city_network_counts(df), pd.crosstab(df["city_id"], df["network"]), check_exact=True
    )


def _counting_builders():
    """A base frame and a frame derived from it through build_once, counting base builds."""
    calls: list[int] = []

    def base(t, floor=0):
        calls.append(floor)
        out = t["city_year"].copy()
        return out[out["pop"] >= floor].reset_index(drop=True)

    def derived(t, floor=0):
        b = build_once(base, t, floor=floor)
        b["big"] = b["pop"] > 2  # the caller's own column: later copies must not see it
        return b.groupby("country_iso3", as_index=False)["big"].sum()

    return base, derived, calls


def test_build_once_builds_a_base_once_per_scope_and_gives_equal_frames():
    tables = {"city_year": pd.DataFrame({"country_iso3": ["A", "A", "B"], "pop": [1, 3, 5]})}
    base, derived, calls = _counting_builders()
    alone = (build_once(base, tables, floor=2), build_once(derived, tables, floor=2))
    assert calls == [2, 2]  # outside the scope: every call builds
    calls.clear()
    with frames_built_once():
        once = (build_once(base, tables, floor=2), build_once(derived, tables, floor=2))
        again = build_once(base, tables, floor=2)
        build_once(base, tables, floor=4)  # other options: another frame
    assert calls == [2, 4]
    for a, b in zip(alone, once, strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert "big" not in again.columns  # copies: the derived builder's column stayed its own
    with frames_built_once():  # a new scope starts empty
        build_once(base, tables, floor=2)
    assert calls == [2, 4, 2]
