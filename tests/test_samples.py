"""Published estimation samples: the masks mark exactly the rows each fit used, and a plain
statsmodels/pyfixest call on the masked rows reproduces the layer's coefficients."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core.errors import PipelineError
from analysis.models.estimate import fit_hypothesis, fit_model
from analysis.models.samples import (
    PREFIX,
    published_frame,
    read_frame,
    read_sample,
    write_samples,
)
from analysis.models.spec import ModelSpec, validate_spec


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 800
    d = pd.DataFrame(
        {
            "city_id": np.arange(1000, 1000 + n),
            "country_iso3": rng.choice(["AAA", "BBB", "CCC", "DDD", "EEE", "FFF"], n),
            "x": rng.normal(size=n),
            "z": rng.normal(size=n),
            "g": rng.integers(0, 40, n),
            "keep": rng.integers(0, 2, n),
        }
    )
    d["count"] = rng.poisson(np.exp(0.3 + 0.4 * d["x"]))
    d["b"] = (rng.random(n) < 1 / (1 + np.exp(-(0.2 + 0.9 * d["x"])))).astype(float)
    d["y"] = 1 + 0.5 * d["x"] - 0.3 * d["z"] + rng.normal(size=n)
    d.loc[d["g"] == 0, "count"] = 0  # an all-zero FE group: dropped before the Poisson fit
    d.loc[rng.random(n) < 0.05, "z"] = np.nan  # missing values: dropped
    d.loc[d.index[:1], "g"] = 99  # a singleton group: pyfixest drops it in the OLS FE fit
    return d


SPEC = {
    "hypothesis": "h9",
    "title": "t",
    "frame": "toy",
    "defaults": {"controls": ["z"], "vcov": {"type": "cluster", "by": ["country_iso3"]}},
    "models": [
        {"name": "ols_fe", "label": "a", "outcome": "y", "regressors": ["x"],
         "estimator": "ols", "fixed_effects": ["g"], "sample": [
             {"column": "keep", "op": "eq", "value": 1}]},
        {"name": "pois_fe", "label": "b", "outcome": "count", "regressors": ["x"],
         "estimator": "poisson", "fixed_effects": ["g"]},
        {"name": "logit", "label": "c", "outcome": "b", "regressors": ["std(x)"],
         "estimator": "logit"},
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def fitted(frame):
    hyp = validate_spec(SPEC)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        coefs, _summary, results = fit_hypothesis({"toy": frame}, hyp)
    return hyp, coefs, results


@pytest.fixture(scope="module")
def published(fitted, frame, tmp_path_factory):
    hyp, _, results = fitted
    out = tmp_path_factory.mktemp("frames")
    sizes = write_samples(
        {"toy": frame},
        {m.name: hyp.frame_of(m) for m in hyp.models},
        {k: r.fit.used for k, r in results.items()},
        out,
    )
    return out / "toy.parquet", sizes


def test_masks_count_n_including_backend_drops(fitted, published):
    _, _, results = fitted
    path, sizes = published
    df = pd.read_parquet(path)
    assert list(df.columns[:2]) == ["city_id", "country_iso3"]
    for name, r in results.items():
        assert df[PREFIX + name].dtype == bool
        assert sizes[name] == r.fit.n_obs == int(df[PREFIX + name].sum())
    # the all-zero group and the singleton are outside the masks, though their rows are complete
    assert not df.loc[df["g"] == 0, PREFIX + "pois_fe"].any()
    assert not df.loc[df["g"] == 99, PREFIX + "ols_fe"].any()
    assert df.loc[df["g"] == 0, PREFIX + "logit"].any()


def _coef(coefs: pd.DataFrame, model: str, term: str) -> float:
    row = coefs[(coefs["model"] == model) & (coefs["term"] == term)]
    return float(row["estimate"].iloc[0])


def test_plain_refits_match(fitted, published):
    _, coefs, _ = fitted
    path, _ = published
    ols = read_sample(path, "ols_fe")
    r = pf.feols("y ~ x + z | g", ols, vcov={"CRV1": "country_iso3"})
    assert r.coef()["x"] == pytest.approx(_coef(coefs, "ols_fe", "x"), rel=1e-8)
    pois = read_sample(path, "pois_fe")
    r = pf.fepois("count ~ x + z | g", pois, vcov={"CRV1": "country_iso3"})
    assert r.coef()["x"] == pytest.approx(_coef(coefs, "pois_fe", "x"), rel=1e-6)
    lg = read_sample(path, "logit")
    xs = (lg["x"] - lg["x"].mean()) / lg["x"].std(ddof=1)  # std(): the sample's own SD
    X = sm.add_constant(pd.DataFrame({"x": xs, "z": lg["z"]}))
    res = sm.Logit(lg["b"], X).fit(disp=0)
    assert res.params["x"] == pytest.approx(_coef(coefs, "logit", "std(x)"), rel=1e-6)


def test_bytes_are_deterministic(fitted, frame, published, tmp_path):
    hyp, _, results = fitted
    path, _ = published
    write_samples(
        {"toy": frame},
        {m.name: hyp.frame_of(m) for m in hyp.models},
        {k: r.fit.used for k, r in results.items()},
        tmp_path,
    )
    assert (tmp_path / "toy.parquet").read_bytes() == path.read_bytes()


def test_read_frame_gives_back_the_built_frame(frame, published):
    """Robustness jobs start from the published frame: same rows, order, values and dtypes
    as the frame the fit built (keys first), without the masks."""
    path, _ = published
    back = read_frame(path)
    keys = ["city_id", "country_iso3"]
    want = frame[keys + [c for c in frame.columns if c not in keys]]
    pd.testing.assert_frame_equal(back, want, check_exact=True)
    assert not [c for c in back.columns if c.startswith(PREFIX)]


def test_stale_frames_are_removed(tmp_path, frame):
    (tmp_path / "old.parquet").write_bytes(b"x")
    write_samples({"toy": frame}, {"m": "toy"}, {"m": frame.index[:3]}, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["toy.parquet"]


def test_rows_not_in_frame_or_prefix_clash_fail(frame):
    with pytest.raises(PipelineError, match="not in the frame"):
        published_frame(frame, {"m": pd.Index([10**6])})
    with pytest.raises(PipelineError, match="prefix"):
        published_frame(frame.assign(sample__x=True), {})


@settings(max_examples=25, deadline=None)
@given(
    missing=st.lists(st.integers(0, 199), max_size=60),
    cut=st.floats(-1.5, 1.5),
)
def test_mask_is_filter_and_complete_cases(missing, cut):
    """Without backend drops the mask is exactly: filter true and every read column present."""
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"x": rng.normal(size=200), "z": rng.normal(size=200)})
    d["y"] = d["x"] + rng.normal(size=200)
    d.loc[missing, "z"] = np.nan
    s = ModelSpec(name="m", label="m", outcome="y", regressors=["x"], controls=["z"],
                  estimator="ols", vcov={"type": "hc1"},
                  sample=[{"column": "x", "op": "gt", "value": cut}])  # fmt: skip
    expect = (d["x"] > cut) & d["z"].notna()
    if expect.sum() < 5:
        return
    r = fit_model(d, s)
    mask = published_frame(d, {"m": r.fit.used})[PREFIX + "m"]
    assert mask.tolist() == expect.tolist()


def test_sample_labels_come_from_the_estimation_rows(fitted, frame):
    from analysis.models.samples import coverage, coverage_label, label_samples

    rows = pd.DataFrame({"year": [2017, 2021, 2019], "city_id": [1, 1, 2],
                         "country_iso3": ["A", "A", "B"]})  # fmt: skip
    cov = coverage(rows)
    assert cov == {"first_year": 2017, "last_year": 2021, "countries": 2, "cities": 2}
    assert coverage_label(cov) == "years 2017-2021; 2 cities in 2 countries"
    assert coverage_label(coverage(rows.iloc[:1])) == "year 2017; 1 cities in 1 countries"
    _, _, results = fitted
    summaries = [{"model": k, "frame": "toy", "sample": "hand label"} for k in results]
    label_samples(summaries, {"toy": frame}, {k: r.fit.used for k, r in results.items()})
    for m in summaries:
        assert m["sample_coverage"]["cities"] == results[m["model"]].fit.n_obs
        assert m["sample"].startswith("hand label; estimation sample: ")


def test_h1_per_norm_models_use_their_own_opportunity_and_coverage():
    """Each norm's main model counts only that norm's acts, on the universe cities whose
    nation violated that norm, in country-years a source of that norm covers."""
    from analysis.models.spec import load_spec
    from tests.conftest import ROOT

    h1 = load_spec(ROOT / "config" / "models" / "h1.yaml")
    for norm in ("climate", "peace"):
        for name, outcome in ((norm, f"defiance_{norm}"), (f"{norm}_lpm", f"any_defiance_{norm}")):
            m = h1.model(name)
            assert m.outcome == outcome
            assert [(c.column, c.op, c.value) for c in m.sample] == [
                ("ghsl_universe", "eq", 1),
                (f"opportunity_{norm}", "eq", 1),
                (f"covered_{norm}", "eq", 1),
            ]
    m = h1.model("vdem_climate_only")
    assert [(c.column, c.op, c.value) for c in m.sample] == [("opportunity_climate", "eq", 1)]
    loo = h1.robustness.leave_one_out if h1.robustness else []
    assert not [x for x in loo if "norm" in x.label and x.outcomes], "mixed-sample norm LOO"
    assert h1.robustness.curve.base == "climate"
    assert not any(ch.isdigit() for ch in h1.model("vdem").sample_label)
