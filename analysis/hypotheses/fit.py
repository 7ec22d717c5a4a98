"""Fit one hypothesis: spec + frame -> coefficients.csv, fit.json, the figures' data and the
published estimation samples (``frames/<frame>.parquet``, :mod:`analysis.models.samples`).

Outputs are deterministic: rows in spec order, floats written with 12 significant digits,
JSON with a fixed key order, so two runs give byte-identical files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from analysis.core.errors import PipelineError
from analysis.core.tableio import write_csv, write_json
from analysis.hypotheses import module_of
from analysis.hypotheses.frames import build_frame, used_covariates
from analysis.models.estimate import fit_hypothesis
from analysis.models.framedef import frames_built_once
from analysis.models.readtrace import reads_record
from analysis.models.samples import label_samples, write_samples
from analysis.models.spec import check_columns, load_spec


def run_fit(
    spec_path: Path,
    data_dir: Path,
    out_dir: Path,
    covariates: list[dict[str, Any]] | None = None,
    base: Path = Path("."),
    universe: dict[str, Any] | None = None,
    reads_out: Path | None = None,
) -> dict[str, Any]:
    """`reads_out`: where to write the columns each frame's builder read (JSON,
    models.readtrace), from which the reviewer's map credits sources."""
    spec = load_spec(spec_path)
    covariates = used_covariates(spec, covariates or [])
    tables: dict = {}  # each published table read once for all frames
    reads: dict | None = None if reads_out is None else {}
    with frames_built_once():  # a frame that is another's base is built once
        frames = {
            name: build_frame(name, data_dir, covariates, base, universe, tables, reads)
            for name in spec.frames
        }
    if reads_out is not None:
        reads_out.parent.mkdir(parents=True, exist_ok=True)
        write_json(reads_record(reads or {}), reads_out)
    check_columns(spec, {name: set(f.columns) for name, f in frames.items()})
    coefs, summary, results = fit_hypothesis(frames, spec)
    used = {name: r.fit.used for name, r in results.items()}
    label_samples(summary["models"], frames, used)
    summary["spec_file"] = str(spec_path)
    write_csv(coefs, out_dir / "coefficients.csv")
    write_json(summary, out_dir / "fit.json")
    figdir = out_dir / "figdata"
    figdir.mkdir(parents=True, exist_ok=True)
    for old in figdir.glob("*.csv"):
        old.unlink()  # a figure dropped from the registry must not leave stale data behind
    module = module_of(spec.hypothesis)  # a spec without a hypothesis module has no figures
    figdata = {} if module is None else module.figure_data(spec, frames, results)
    for name, df in figdata.items():
        write_csv(df, figdir / f"{name}.csv")
    sizes = write_samples(
        frames,
        {m.name: spec.frame_of(m) for m in spec.models},
        used,
        out_dir / "frames",
    )
    bad = {m: n for m, n in sizes.items() if n != results[m].fit.n_obs}
    if bad:  # the published mask must reproduce N exactly, or a refit would not match
        raise PipelineError(f"{spec.hypothesis}: sample masks disagree with N: {bad}")
    return summary
