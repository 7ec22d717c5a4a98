"""Model frames: building the named analysis datasets that model specs refer to (``frame:``).

The frames themselves are declared by the hypothesis modules (``FRAMES``, collected by
:func:`analysis.hypotheses.frame_registry`): each builder takes the published tables of
``results/data`` and returns one DataFrame whose columns specs may use. Here is what every
frame shares: reading the tables, the universe options, the duplicate-key check and the merge
of users' own covariate files (config ``covariates``) by key.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.errors import ConfigError, PipelineError, plain
from analysis.core.tableio import read_table
from analysis.hypotheses import frame_registry
from analysis.models.framedef import FrameDef, build_once
from analysis.models.readtrace import traced
from analysis.models.spec import term_columns


def frame_def(name: str) -> FrameDef:
    """The frame called `name`, from whichever hypothesis module declares it."""
    frames = frame_registry()
    if name not in frames:
        raise ConfigError(f"frame: unknown frame {name!r}; known: {sorted(frames)}")
    return frames[name]


def read_tables(data_dir: Path, names: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    return {n: read_table(data_dir / f"{n}.parquet") for n in names}


def merge_covariates(
    frame: pd.DataFrame, covariates: list[dict[str, Any]], base: Path = Path(".")
) -> pd.DataFrame:
    """Merge users' covariate files (config ``covariates``) whose keys the frame has.

    Each entry: ``{name, file, keys: [city_id|country_iso3, (year)], columns: [...]}``. A file
    whose keys are missing from the frame is skipped for that frame (a country-year covariate
    does not apply to a frame without years). Duplicate keys, missing columns and name clashes
    fail with the entry's name.
    """
    out = frame
    for i, cov in enumerate(covariates):
        where = f"covariates[{i}] ({cov['name']})"
        keys, cols = list(cov["keys"]), list(cov["columns"])
        if not set(keys) <= set(out.columns):
            continue
        path = base / cov["file"]
        if not path.is_file():
            raise PipelineError(f"{where}: file {path} not found")
        data = pd.read_csv(path)
        missing = [c for c in keys + cols if c not in data.columns]
        if missing:
            raise PipelineError(f"{where}: {path} lacks column(s) {missing}")
        data = data[keys + cols]
        dup = data.duplicated(keys)
        if dup.any():
            raise PipelineError(f"{where}: {dup.sum()} duplicate key rows in {path}, e.g. "
                                f"{data.loc[dup, keys].iloc[0].tolist()}")  # fmt: skip
        clash = sorted(set(cols) & set(out.columns))
        if clash:
            raise PipelineError(f"{where}: column(s) {clash} already exist in the frame")
        for c in cols:
            if not pd.api.types.is_numeric_dtype(data[c]):
                bad = data.loc[pd.to_numeric(data[c], errors="coerce").isna() & data[c].notna(), c]
                raise PipelineError(
                    f"{where}: column {c!r} has non-numeric value {plain(bad.iloc[0])!r}"
                )
        for k in keys:
            data[k] = data[k].astype(out[k].dtype)
        out = out.merge(data, on=keys, how="left", validate="many_to_one")
    return out


def used_covariates(spec: Any, covariates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The declared covariate files whose columns a hypothesis spec reads (so adding a
    covariate for one hypothesis reruns only that hypothesis)."""
    read = {col for m in spec.models for _, col in m.columns()}
    curve = spec.robustness.curve if spec.robustness else None
    if curve:  # curve options may name covariates too
        for options in curve.dimensions.values():
            for over in options.values():
                for key in ("regressors", "controls"):
                    read |= {c for t in over.get(key, []) for c in term_columns(t)}
    return [c for c in covariates if read & set(c["columns"])]


def build_frame(
    name: str,
    data_dir: Path,
    covariates: list[dict[str, Any]] | None = None,
    base: Path = Path("."),
    universe: Mapping[str, Any] | None = None,
    tables: dict[str, pd.DataFrame] | None = None,
    reads: dict[str, tuple[dict[str, set[str]], list[str]]] | None = None,
) -> pd.DataFrame:
    """Build frame `name` from the published tables; `universe` is config `models.universe`.

    `tables` caches the tables read for earlier frames of the same job (a hypothesis's frames
    read the same few tables); each builder gets shallow copies, so none sees another's
    added columns. With `reads`, the builder's tables record the columns it looks up:
    ``reads[name] = ({table: columns read}, the frame's columns)`` (models.readtrace)."""
    fd = frame_def(name)
    missing = [k for k in fd.options if k not in (universe or {})]
    if missing:
        raise ConfigError(f"frame {name}: needs models.universe.{', '.join(missing)}")
    opts = {k: (universe or {})[k] for k in fd.options}
    cache = {} if tables is None else tables
    cache.update(read_tables(data_dir, tuple(t for t in fd.tables if t not in cache)))
    given = {t: cache[t].copy(deep=False) for t in fd.tables}
    if reads is None:
        frame = build_once(fd.build, given, **opts)
    else:
        frame, read = traced(lambda t: build_once(fd.build, t, **opts), given)
        reads[name] = (read, [str(c) for c in frame.columns])
    dup = frame.duplicated(list(fd.keys))
    if dup.any():
        raise PipelineError(f"frame {name}: {int(dup.sum())} duplicate {list(fd.keys)} rows")
    return merge_covariates(frame, covariates or [], base)
