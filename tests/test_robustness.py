"""Robustness machinery: the curve enumerates what the spec declares, failures are kept,
workers do not change results, leave-one-out and the wild bootstrap run through the layer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.core.errors import ConfigError, PipelineError
from analysis.core.tableio import FLOAT_FORMAT
from analysis.models.estimate import fit_model
from analysis.models.robustness import (
    RESULT_COLUMNS,
    _focal_row,
    _quiet_fit,
    curve_specs,
    curve_summary,
    randomization_p,
    run_curve,
    run_leave_one_out,
    run_pairs_bootstrap,
    run_randomization,
    run_wild_bootstrap,
)
from analysis.models.spec import validate_spec


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 1200
    d = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "w": rng.normal(size=n),
            "size": rng.normal(size=n),
            "country": rng.integers(0, 24, n).astype(str),
            "region": rng.choice(["A", "B", "C"], n),
        }
    )
    d["big"] = (d["size"] > 0).astype(float)
    d["y"] = rng.poisson(np.exp(0.3 + 0.4 * d["x"] + 0.2 * d["size"]))
    d["y_alt"] = rng.poisson(np.exp(0.1 + 0.3 * d["x"]))
    d["ly"] = np.log1p(d["y"])
    d["const"] = 1.0
    return d


def hyp_raw(**robust) -> dict:
    return {
        "hypothesis": "h9",
        "title": "t",
        "frame": "f",
        "models": [
            {"name": "main", "label": "main", "outcome": "y", "regressors": ["x"],
             "controls": ["size"], "estimator": "poisson",
             "vcov": {"type": "cluster", "by": ["country"]}},
            {"name": "lin", "label": "lin", "outcome": "ly", "regressors": ["x"],
             "estimator": "ols", "vcov": {"type": "cluster", "by": ["country"]}},
        ],
        "robustness": robust,
    }  # fmt: skip


def hyp(**robust):
    return validate_spec(hyp_raw(**robust))


CURVE = {
    "base": "main",
    "dimensions": {
        "measure": {"x": {"regressors": ["x"]}, "wx": {"regressors": ["w", "x"], "focal": "w"}},
        "controls": {"none": {"controls": []}, "size": {"controls": ["size"]}},
        "estimator": {"poisson": {}, "ols": {"estimator": "ols", "outcome": "ly"}},
        "sample": {"all": {}, "big": {"sample": [{"column": "big", "op": "eq", "value": 1}]}},
    },
    "exclude": [{"estimator": "ols", "sample": "big"}],
}


def test_curve_is_the_declared_product_minus_exclusions():
    specs = list(curve_specs(hyp(curve=CURVE)))
    assert len(specs) == 2 * 2 * 2 * 2 - 2 * 2
    assert not any(c["estimator"] == "ols" and c["sample"] == "big" for c, _ in specs)
    _, spec = specs[-1]
    assert spec.sample == [] or spec.sample[0].column == "big"
    wx = next(s for c, s in specs if c["measure"] == "wx")
    assert wx.focal_term == "w"


def test_bad_option_names_the_dimension():
    bad = {
        **CURVE,
        "dimensions": {**CURVE["dimensions"], "estimator": {"x": {"estimator": "tobit"}}},
    }
    with pytest.raises(ConfigError, match=r"dimensions\.estimator\.x"):
        list(curve_specs(hyp(curve=bad)))


def test_unknown_models_are_named():
    with pytest.raises(ConfigError, match=r"robustness\.curve\.base: 'nope'"):
        hyp(curve={**CURVE, "base": "nope"})
    with pytest.raises(ConfigError, match="must be ols with clustered or hc1 errors"):
        hyp(wild_bootstrap={"models": ["main"]})


def test_curve_results_do_not_depend_on_workers(frame):
    h = hyp(curve=CURVE)
    one, _ = run_curve(frame, h, workers=1)
    two, _ = run_curve(frame, h, workers=2)
    pd.testing.assert_frame_equal(one, two)
    assert (one["status"] == "ok").all()
    x_rows = one[(one["measure"] == "x") & (one["estimator"] == "poisson")]
    assert (x_rows["estimate"] > 0.3).all() and x_rows["significant"].all()


_CURVE_IN_CLEAN_PROCESS = """
import json, sys
import pandas as pd
from analysis.models.spec import validate_spec
from analysis.models.robustness import run_curve
frame = pd.read_parquet(sys.argv[1])
table, _ = run_curve(frame, validate_spec(json.loads(sys.argv[2])), workers=2)
table.to_parquet(sys.argv[3])
"""


def test_curve_matches_single_fits_at_written_precision(tmp_path):
    """The curve's fast paths (row masks shared across specs, one BLAS thread for most fits,
    forked workers) change no result at the precision written, on a frame large enough for
    OpenBLAS to split sums across threads; the single fits run outside the curve, with the
    default threads. The forked curve runs in a fresh interpreter: pyfixest's thread pool,
    once used (as by the single fits here), does not survive a fork."""
    rng = np.random.default_rng(5)
    n = 30_000
    d = pd.DataFrame({"x": rng.normal(size=n), "size": rng.normal(size=n),
                      "country": rng.integers(0, 40, n).astype(str),
                      "year": rng.integers(2015, 2024, n)})  # fmt: skip
    d["big"] = (d["size"] > 0).astype(float)
    d["y"] = rng.poisson(np.exp(-1 + 0.4 * d["x"] + 0.2 * d["size"]))
    d["any"] = (d["y"] > 0).astype(float)
    d.loc[d["year"] == 2016, ["y", "any"]] = 0  # a year the FE models drop
    curve = {
        "base": "main",
        "dimensions": {
            "outcome": {"count": {}, "logit": {"outcome": "any", "estimator": "logit"},
                        "lpm": {"outcome": "any", "estimator": "ols"},
                        "nb": {"estimator": "negbin"}},
            "controls": {"none": {"controls": []}, "size": {"controls": ["size"]}},
            "fe": {"none": {"fixed_effects": []}, "year": {"fixed_effects": ["year"]}},
            "sample": {"all": {}, "big": {"sample": [{"column": "big", "op": "eq", "value": 1}]}},
            "vcov": {"cluster": {}, "iid": {"vcov": {"type": "iid"}},
                     "hc1": {"vcov": {"type": "hc1"}}},
        },
        "exclude": [{"outcome": "nb", "sample": "big"}, {"outcome": "nb", "controls": "none"},
                    {"vcov": "iid", "sample": "big"}, {"vcov": "hc1", "sample": "big"}],
    }  # fmt: skip
    raw = hyp_raw(curve=curve)
    d.to_parquet(tmp_path / "frame.parquet")
    cmd = [sys.executable, "-c", _CURVE_IN_CLEAN_PROCESS, str(tmp_path / "frame.parquet"),
           json.dumps(raw), str(tmp_path / "curve.parquet")]  # fmt: skip
    subprocess.run(cmd, check=True, cwd=Path(__file__).parents[1])
    forked = pd.read_parquet(tmp_path / "curve.parquet")
    h = validate_spec(raw)
    direct = pd.DataFrame([_quiet_fit(d, s) for _, s in curve_specs(h)])
    assert (direct["status"] == "ok").all()
    serial, _ = run_curve(d, h, workers=1)
    written = direct.map(lambda v: FLOAT_FORMAT % v if isinstance(v, float) else v)
    for table in (serial, forked):
        got = table[list(direct.columns)].map(
            lambda v: FLOAT_FORMAT % v if isinstance(v, float) else v
        )
        pd.testing.assert_frame_equal(got, written, check_dtype=False)


@pytest.mark.parametrize(
    "over",
    [
        {},  # Poisson, clustered: normal inference
        {"estimator": "ols", "outcome": "ly"},  # t with G - 1 df
        {"estimator": "ols", "outcome": "ly", "vcov": {"type": "hc1"}},  # t with N - K df
        {"fixed_effects": ["region"], "regressors": ["w", "x"], "focal": "x"},  # pyfixest
        {"estimator": "ols", "outcome": "ly", "fixed_effects": ["region"]},
    ],
)
def test_focal_row_is_the_tidy_row(frame, over):
    """The curve's focal row skips the tidy table: the same values, bit for bit, and types."""
    spec = hyp().model("main").model_copy(update=over)
    spec = type(spec).model_validate(spec.model_dump())
    res = fit_model(frame, spec)
    t = res.tidy()
    want = t[t["term"] == spec.focal_term].iloc[0]
    got = _focal_row(res)
    assert list(got) == RESULT_COLUMNS
    for col in RESULT_COLUMNS[:7]:
        assert type(got[col]) is type(want[col]), col
        assert got[col].tobytes() == want[col].tobytes(), col


def test_failures_are_kept_with_their_reason(frame):
    curve = {**CURVE, "dimensions": {**CURVE["dimensions"],
             "controls": {"none": {"controls": []}, "collinear": {"controls": ["const"]}}}}  # fmt: skip
    table, _ = run_curve(frame, hyp(curve=curve))
    failed = table[table["status"] != "ok"]
    assert len(failed) > 0 and failed["estimate"].isna().all()
    s = curve_summary(table, +1, {})
    assert s["specifications"] == len(table) and s["failed"] == len(failed)
    assert s["fitted"] + s["failed"] == s["specifications"]


def test_summary_shares():
    t = pd.DataFrame({"status": ["ok"] * 4 + ["failed: x"], "estimate": [1, 2, -1, 3, None],
                      "significant": [True, False, True, True, False]})  # fmt: skip
    s = curve_summary(t, +1, {})
    assert s["share_expected_sign"] == 0.75
    assert s["share_expected_sign_p05"] == 0.5
    assert s["share_opposite_sign_p05"] == 0.25
    # a degenerate specification is left out of every share
    t["degenerate"] = [False, False, False, True, False]
    s = curve_summary(t, +1, {})
    assert s["fitted"] == 3 and s["degenerate"] == 1
    assert s["share_expected_sign"] == pytest.approx(2 / 3)


def test_leave_one_out(frame):
    h = hyp(leave_one_out=[{"model": "main", "label": "region", "drop_each": "region"},
                           {"model": "main", "label": "outcome", "outcomes": ["y_alt"]}])  # fmt: skip
    out = run_leave_one_out({"f": frame}, h)
    regions = out[out["kind"] == "region"]
    assert sorted(regions["left_out"]) == ["A", "B", "C"]
    for r in regions.itertuples():
        assert r.n_obs == (frame["region"] != r.left_out).sum()
    assert out.loc[out["kind"] == "outcome", "left_out"].tolist() == ["y_alt"]


def test_wild_bootstrap_is_seeded(frame):
    h = hyp(wild_bootstrap={"models": ["lin"], "reps": 999, "seed": 5})
    a = run_wild_bootstrap({"f": frame}, h)
    b = run_wild_bootstrap({"f": frame}, h)
    pd.testing.assert_frame_equal(a, b)
    row = a.iloc[0]
    assert row["term"] == "x" and row["wild_p_value"] < 0.01 and row["n_clusters"] == 24


def _did_panel(effect: float) -> pd.DataFrame:
    """20 countries x 5 cities x 6 years; country "T" treated from 2017 by `effect`."""
    rng = np.random.default_rng(11)
    countries = ["T"] + [f"C{i:02d}" for i in range(19)]
    rows = [(c, f"{c}-{k}", y) for c in countries for k in range(5) for y in range(2014, 2020)]
    d = pd.DataFrame(rows, columns=["country", "city", "year"])
    d["post"] = ((d["country"] == "T") & (d["year"] >= 2017)).astype(float)
    d["y"] = effect * d["post"] + rng.normal(scale=0.3, size=len(d))
    return d


def _did_hyp(**robust):
    raw = {
        "hypothesis": "h9", "title": "t", "frame": "f",
        "models": [{"name": "did", "label": "did", "outcome": "y", "regressors": ["post"],
                    "estimator": "ols", "fixed_effects": ["city", "year"],
                    "vcov": {"type": "cluster", "by": ["country"]}}],
        "robustness": robust,
    }  # fmt: skip
    return validate_spec(raw)


@pytest.mark.parametrize(("effect", "small"), [(2.0, True), (0.0, False)])
def test_randomization_inference_ranks_the_treated_country(effect, small):
    h = _did_hyp(randomization={"model": "did", "treated": "T", "start_year": 2017,
                                "unit": "country", "min_placebos": 19})  # fmt: skip
    table = run_randomization({"f": _did_panel(effect)}, h)
    assert (table["role"] == "placebo").sum() == 19
    p = randomization_p(table)
    assert p["draws"] == 19
    if small:
        assert p["p_robust"] == pytest.approx(1 / 20)  # the smallest attainable
        assert p["rank"] == 1 and "T rank 1 of 20" in p["detail"]
    else:
        assert p["p_robust"] > 0.2
        assert p["rank"] == round(p["p_robust"] * 20)


def test_randomization_placebo_loop_table_and_summary():
    """Each placebo is the real loop's refit: the placebo "treated" country's estimate equals a
    direct DiD of that country against the other controls (treated country left out); ranks
    by |b| are those of the table; the summary's p and rank agree with randomization_p."""
    from analysis.models.estimate import fit_model
    from analysis.models.robustness import randomization_summary

    d = _did_panel(2.0)
    h = _did_hyp(randomization={"model": "did", "treated": "T", "start_year": 2017,
                                "unit": "country", "min_placebos": 19})  # fmt: skip
    table = run_randomization({"f": d}, h)
    assert table["estimate"].is_monotonic_increasing  # published sorted by estimate
    direct = d[d["country"] != "T"].assign(
        post=lambda x: ((x["country"] == "C03") & (x["year"] >= 2017)).astype(float)
    )
    b = fit_model(direct, h.model("did")).tidy().set_index("term").loc["post", "estimate"]
    row = table[table["unit"] == "C03"].iloc[0]
    assert row["estimate"] == pytest.approx(b, abs=1e-10)
    order = table["estimate"].abs().rank(ascending=False, method="min").astype(int)
    assert (table["rank_abs_estimate"].astype(int) == order).all()
    s = randomization_summary(table, h)
    assert s["rank"] == 1 and s["rank_of"] == 20 and s["placebos"] == 19
    assert s["p_robust"] == pytest.approx(randomization_p(table)["p_robust"])
    assert s["placebos_larger"] == 0


def test_randomization_refuses_too_few_placebos():
    h = _did_hyp(randomization={"model": "did", "treated": "T", "start_year": 2017,
                                "unit": "country"})  # default min_placebos = 20  # fmt: skip
    with pytest.raises(PipelineError, match="min_placebos = 20"):
        run_randomization({"f": _did_panel(2.0)}, h)


def test_pairs_bootstrap_is_seeded_and_detects_a_real_slope(frame):
    h = hyp(pairs_bootstrap={"models": ["main"], "reps": 99, "seed": 3})
    a = run_pairs_bootstrap({"f": frame}, h)
    pd.testing.assert_frame_equal(a, run_pairs_bootstrap({"f": frame}, h))
    row = a.iloc[0]
    assert row["method"] == "pairs cluster bootstrap-t" and row["failed"] == 0
    assert row["p_robust"] < 0.05  # x has a true effect of 0.4


@pytest.mark.parametrize(
    "over",
    [
        {},  # no fixed effects, statsmodels
        {"fixed_effects": ["region"], "sample": [{"column": "big", "op": "eq", "value": 1}]},
        {"fixed_effects": ["country"], "estimator": "ols", "outcome": "ly"},  # FE = clusters
    ],
)
def test_pairs_draws_are_the_frame_resamples(frame, over):
    """Draws taken from the model's columns by position (clusters relabelled by code) give
    the fits of the definition: the frame's rows resampled, clusters relabelled "b0", "b1",
    ... (24 clusters, so "b10" sorts before "b2"), bit for bit."""
    from analysis.models.robustness import _PairsDraws

    spec = hyp().model("main").model_copy(update=over)
    spec = type(spec).model_validate(spec.model_dump())
    data = frame.assign(country=frame["country"].where(frame.index % 97 > 0))  # missing keys
    res = fit_model(data, spec)
    draws = _PairsDraws(data, res, "country")
    assert draws.spec.sample == []  # the fit's rows already passed the filters
    ours_rng, rng = np.random.default_rng(11), np.random.default_rng(11)
    for _ in range(12):
        ours = draws.fit(draws.pick(ours_rng))
        theirs = _quiet_fit(_resample(data.loc[res.fit.used], "country", rng), spec)
        assert ours["status"] == theirs["status"] == "ok"
        assert {k: ours[k] for k in RESULT_COLUMNS} == {k: theirs[k] for k in RESULT_COLUMNS}


def _resample(data: pd.DataFrame, cluster: str, rng: np.random.Generator) -> pd.DataFrame:
    """The pairs bootstrap's definition: the frame's rows, whole clusters drawn with
    replacement, the k-th drawn cluster relabelled "b{k}"."""
    codes, uniques = pd.factorize(data[cluster], sort=True)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    picked = rng.integers(0, len(uniques), len(uniques))
    pos = np.concatenate([order[bounds[g] : bounds[g + 1]] for g in picked])
    out = data.iloc[pos].copy()
    out[cluster] = np.repeat(
        [f"b{k}" for k in range(len(picked))], bounds[picked + 1] - bounds[picked]
    )
    return out


def test_pairs_bootstrap_refuses_a_cluster_read_as_a_value(frame):
    h = hyp(pairs_bootstrap={"models": ["main"], "reps": 99, "seed": 3})
    h.model("main").vcov.by[0] = "size"  # a control: relabelling it would change the model
    with pytest.raises(ConfigError, match="reads its cluster column 'size' as a value"):
        run_pairs_bootstrap({"f": frame}, h)


def test_wild_bootstrap_of_a_linear_variant(frame):
    h = hyp(wild_bootstrap={"reps": 199, "seed": 5, "variants": {
        "main_lpm": {"model": "main", "estimator": "ols", "outcome": "ly"}}})  # fmt: skip
    out = run_wild_bootstrap({"f": frame}, h)
    assert out["model"].tolist() == ["main_lpm"] and out["term"].tolist() == ["x"]
    assert out["wild_p_value"].iloc[0] < 0.05
    bad = hyp(wild_bootstrap={"variants": {"v": {"model": "main"}}})  # still Poisson
    with pytest.raises(ConfigError, match=r"variants\.v: must be ols"):
        run_wild_bootstrap({"f": frame}, bad)


def test_blas_switch_sets_and_restores_every_blas() -> None:
    import numpy  # noqa: F401  (loads numpy's OpenBLAS)
    import scipy.linalg  # noqa: F401  (loads scipy's)
    from threadpoolctl import threadpool_info

    from analysis.models.robustness import _BlasThreads

    def counts() -> list[int]:
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    before = counts()
    blas = _BlasThreads()
    assert len(blas.libs) == len(before) >= 1
    try:
        blas.set(single=True)
        assert counts() == [1] * len(before)
    finally:
        blas.set(single=False)
    assert counts() == before
