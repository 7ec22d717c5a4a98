"""Run the robustness checks of one hypothesis and write them: the specification curve,
leave-one-out refits, the wild cluster and pairs bootstraps, randomization inference, the
synthetic control, the robust p-value table and the summary (``results/robustness/<h>/``).

The checks themselves are in :mod:`analysis.models.robustness` and
:mod:`analysis.models.synth_control`; this module builds the hypothesis's frames and wires
the checks to its spec.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.errors import ConfigError
from analysis.core.tableio import write_csv, write_json
from analysis.hypotheses.frames import build_frame, used_covariates
from analysis.models.robustness import (
    curve_summary,
    main_estimate,
    option_label,
    randomization_summary,
    robust_p_table,
    run_curve,
    run_leave_one_out,
    run_pairs_bootstrap,
    run_randomization,
    run_wild_bootstrap,
)
from analysis.models.samples import read_frame
from analysis.models.spec import check_columns, load_spec

log = logging.getLogger(__name__)


def run_robustness(
    spec_path: Path,
    data_dir: Path,
    out_dir: Path,
    covariates: list[dict[str, Any]] | None = None,
    workers: int = 1,
    universe: dict[str, Any] | None = None,
    frames_dir: Path | None = None,
) -> dict[str, Any]:
    """Write ``specs.csv``, ``leave_one_out.csv``, ``wild_bootstrap.csv``,
    ``randomization.csv``, ``robust_p.csv``, ``synth_{path,weights,placebos}.csv`` (empty
    when nothing of that kind is declared) and ``summary.json``."""
    hyp = load_spec(spec_path)
    covariates = used_covariates(hyp, covariates or [])
    if hyp.robustness is None:
        raise ConfigError(f"{spec_path}: no robustness block")
    read: dict[str, pd.DataFrame] = {}  # tables read for the frames built here
    frames = {
        name: read_frame(frames_dir / f"{name}.parquet")
        if frames_dir is not None and (frames_dir / f"{name}.parquet").is_file()
        else build_frame(name, data_dir, covariates, universe=universe, tables=read)
        for name in hyp.frames
    }
    check_columns(hyp, {name: set(f.columns) for name, f in frames.items()})
    summary: dict[str, Any] = {"hypothesis": hyp.hypothesis}
    if hyp.robustness.curve:
        base = hyp.model(hyp.robustness.curve.base)
        table, seconds = run_curve(frames[hyp.frame_of(base)], hyp, workers)
        write_csv(table, out_dir / "specs.csv")
        summary["curve"] = curve_summary(table, hyp.robustness.expected_sign,
                                         main_estimate(frames, hyp))  # fmt: skip
        summary["curve"]["dimensions"] = list(hyp.robustness.curve.dimensions)
        summary["curve"]["option_labels"] = {
            dim: {opt: option_label(dim, opt, over) for opt, over in options.items()}
            for dim, options in hyp.robustness.curve.dimensions.items()
        }
        log.info("%d specifications in %.1f s (%.1f/s)", len(table), seconds, len(table) / seconds)
    else:
        write_csv(pd.DataFrame({"spec": []}), out_dir / "specs.csv")  # no curve declared
    write_csv(run_leave_one_out(frames, hyp), out_dir / "leave_one_out.csv")
    wild = run_wild_bootstrap(frames, hyp)
    write_csv(wild, out_dir / "wild_bootstrap.csv")
    ri = run_randomization(frames, hyp)
    write_csv(ri if not ri.empty else pd.DataFrame({"unit": []}), out_dir / "randomization.csv")
    if not ri.empty:
        summary["randomization"] = randomization_summary(ri, hyp)
    pairs = run_pairs_bootstrap(frames, hyp)
    write_csv(robust_p_table(wild, ri, pairs, hyp), out_dir / "robust_p.csv")
    sc = hyp.robustness.synthetic_control
    tables: dict[str, pd.DataFrame] = {}
    if sc is not None:
        from threadpoolctl import threadpool_limits

        from analysis.models.synth_control import run_synthetic_control  # pysyncon: H3 only

        start = time.perf_counter()
        # One BLAS thread: the donor-weight optimizer's last digits (and near-zero pre-period
        # fits of placebo units) otherwise follow the job's thread count, i.e. the machine.
        with threadpool_limits(limits=1, user_api="blas"):
            summary["synthetic_control"], tables = run_synthetic_control(
                frames[hyp.frame_of(hyp.model(sc.checks))], sc
            )
        log.info("synthetic control and placebos in %.1f s", time.perf_counter() - start)
    for name in ("path", "weights", "placebos"):
        table = tables.get(name, pd.DataFrame({"unit": []}))
        write_csv(table, out_dir / f"synth_{name}.csv")
    write_json(summary, out_dir / "summary.json")
    return summary
