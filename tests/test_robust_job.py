"""The robustness job's wiring: it reads the frames the fit published instead of building them
again (and builds only those not there); the synthetic control runs on one BLAS thread."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import analysis.hypotheses.robust as robust
from analysis.models.samples import write_parquet


class _Stop(Exception):
    pass


def _frames_seen(monkeypatch, spec_path: Path, frames_dir: Path | None) -> dict:
    """Run `run_robustness` up to its column check and return the frames it got."""
    seen: dict = {}
    built: list[str] = []

    def fake_build(name, *args, **kwargs):
        built.append(name)
        return pd.DataFrame({"built": [1]})

    def stop(hyp, columns):
        seen.update(columns)
        raise _Stop

    monkeypatch.setattr(robust, "build_frame", fake_build)
    monkeypatch.setattr(robust, "check_columns", stop)
    with pytest.raises(_Stop):
        robust.run_robustness(spec_path, Path("unused"), Path("unused"), frames_dir=frames_dir)
    return {"columns": seen, "built": built}


def test_published_frames_are_read_and_missing_ones_built(monkeypatch, tmp_path):
    spec = Path("config/models/h1.yaml")
    from analysis.models.spec import load_spec

    names = load_spec(spec).frames
    assert len(names) >= 2  # one read, the others built
    write_parquet(pd.DataFrame({"city_id": [1, 2], "x": [0.5, 1.5], "sample__m": [True, False]}),
                  tmp_path / f"{names[0]}.parquet")  # fmt: skip
    got = _frames_seen(monkeypatch, spec, tmp_path)
    assert got["columns"][names[0]] == {"city_id", "x"}  # the mask is not a frame column
    assert got["built"] == list(names[1:])
    # without a frames directory every frame is built, as before
    assert _frames_seen(monkeypatch, spec, None)["built"] == list(names)


def test_synthetic_control_runs_on_one_blas_thread(monkeypatch, tmp_path):
    """Its optimizer's last digits would otherwise follow the job's thread count."""
    from threadpoolctl import threadpool_info, threadpool_limits

    import analysis.models.synth_control as sc

    seen: list[set[int]] = []

    def fake_synth(frame, settings):
        seen.append({i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"})
        raise _Stop

    monkeypatch.setattr(sc, "run_synthetic_control", fake_synth)
    for name, fn in {
        "run_curve": lambda *a, **k: (pd.DataFrame(), 1.0),
        "curve_summary": lambda *a, **k: {},
        "run_leave_one_out": lambda *a, **k: pd.DataFrame({"m": []}),
        "run_wild_bootstrap": lambda *a, **k: pd.DataFrame({"m": []}),
        "run_randomization": lambda *a, **k: pd.DataFrame(),
        "run_pairs_bootstrap": lambda *a, **k: pd.DataFrame({"m": []}),
        "robust_p_table": lambda *a, **k: pd.DataFrame({"m": []}),
        "build_frame": lambda *a, **k: pd.DataFrame(),
        "check_columns": lambda *a, **k: None,
        "main_estimate": lambda *a, **k: None,
    }.items():
        monkeypatch.setattr(robust, name, fn)
    with threadpool_limits(limits=2, user_api="blas"), pytest.raises(_Stop):
        robust.run_robustness(Path("config/models/h3.yaml"), tmp_path, tmp_path)
    assert seen == [{1}]


class _Workflow:
    def __init__(self, cores: int | None) -> None:
        self._cores = cores

    @property
    def cores(self) -> int:
        from snakemake.exceptions import WorkflowError

        if self._cores is None:  # as Snakemake does without --cores (`snakemake --report`)
            raise WorkflowError("Workflow requires a total number of cores to be defined")
        return self._cores


@pytest.mark.parametrize(("cores", "want"), [(None, 1), (1, 1), (2, 1), (8, 2), (16, 4)])
def test_robustness_threads_follow_the_cores(cores, want):
    """A curve takes a quarter of the cores (one on 2 cores); without --cores, one."""
    from types import SimpleNamespace

    from analysis.workflow.dag import robustness_threads

    threads = robustness_threads({"h2": True, "h3": False}.__getitem__, _Workflow(cores))
    assert threads(SimpleNamespace(hypothesis="h2")) == want  # h2 declares a curve
    assert threads(SimpleNamespace(hypothesis="h3")) == 1


def test_longest_chains_first_and_every_fit_before_every_check(tmp_path):
    """Priorities from the real specs: a pairs bootstrap's refits raise a hypothesis's fit
    and robustness job (H5's 798 refits above H3's 399 above none), and the lowest fit still
    comes before the highest robustness job (each check waits for its fit's frames)."""
    from types import SimpleNamespace

    from analysis.core.config import load_config
    from analysis.workflow.dag import Hypotheses
    from analysis.workflow.plan_cache import PlanCache
    from tests.conftest import ROOT

    config = load_config(ROOT / "config/config.yaml")
    plan = PlanCache(config, [], path=tmp_path / "plan.json")
    hyps = Hypotheses(plan, str(ROOT / "config/models"), "results/data", config)
    fit, check = hyps.priority(25), hyps.priority(20)
    by = {h: (fit(SimpleNamespace(hypothesis=h)), check(SimpleNamespace(hypothesis=h)))
          for h in config["models"]["hypotheses"]}  # fmt: skip
    assert by["h5"][0] > by["h3"][0] > by["h1"][0] == by["h2"][0] == by["h4"][0] == 25
    assert by["h5"][1] > by["h3"][1] > by["h2"][1] == 20
    assert min(f for f, _ in by.values()) > max(c for _, c in by.values())
