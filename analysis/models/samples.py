"""Published estimation samples: each model frame with one ``sample__<model>`` column per model.

A reviewer refits any model from ``results/models/<h>/frames/<frame>.parquet`` alone: the
mask marks the rows the estimator actually used, after the spec's filters, missing-value
drops and whatever the backend dropped (separated or singleton fixed-effect groups), so its
row count equals the model's N in ``coefficients.csv``. The files are written with a fixed
column order, no index and one row group, so two runs give identical bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.core.errors import PipelineError
from analysis.core.tableio import read_table

PREFIX = "sample__"
KEYS = ("city_id", "country_iso3", "year")


def sample_mask(frame: pd.DataFrame, used: pd.Index, model: str) -> np.ndarray:
    """Boolean mask of `frame`'s rows whose index labels are in `used` (the backend's rows)."""
    if not frame.index.is_unique:
        raise PipelineError(f"{model}: the frame's row labels are not unique")
    pos = frame.index.get_indexer(used)
    if (pos < 0).any():
        raise PipelineError(f"{model}: {int((pos < 0).sum())} estimation rows are not in the frame")
    mask = np.zeros(len(frame), dtype=bool)
    mask[pos] = True
    return mask


def published_frame(frame: pd.DataFrame, used: Mapping[str, pd.Index]) -> pd.DataFrame:
    """The frame's columns (keys first) plus ``sample__<model>`` for each model in `used`."""
    clash = [c for c in frame.columns if str(c).startswith(PREFIX)]
    if clash:
        raise PipelineError(f"frame columns {clash} clash with the sample-mask prefix")
    keys = [k for k in KEYS if k in frame.columns]
    out = frame[keys + [c for c in frame.columns if c not in keys]].copy()
    for model, rows in used.items():
        out[PREFIX + model] = sample_mask(frame, rows, model)
    return out.reset_index(drop=True)


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Deterministic bytes: no index, one row group, fixed compression (the pandas schema
    metadata is kept so dtypes read back as written; it holds no timestamps)."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd", row_group_size=max(len(df), 1))


def write_samples(
    frames: Mapping[str, pd.DataFrame],
    model_frames: Mapping[str, str],
    used: Mapping[str, pd.Index],
    out_dir: Path,
) -> dict[str, int]:
    """Write one parquet per frame that a model reads; returns each model's sample size.

    `model_frames` maps model -> frame name; `used` model -> index labels the fit kept.
    Stale files of frames no longer read are removed.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    names = sorted(set(model_frames.values()))
    for old in out_dir.glob("*.parquet"):
        if old.stem not in names:
            old.unlink()
    sizes: dict[str, int] = {}
    for name in names:
        models = {m: used[m] for m, f in model_frames.items() if f == name}
        pub = published_frame(frames[name], models)
        write_parquet(pub, out_dir / f"{name}.parquet")
        sizes |= {m: int(pub[PREFIX + m].sum()) for m in models}
    return sizes


def read_sample(path: Path, model: str) -> pd.DataFrame:
    """The estimation rows of `model` from a published frame (for reviewers and tests)."""
    df = read_table(path)
    col = PREFIX + model
    if col not in df.columns:
        raise PipelineError(f"{path}: no column {col!r}")
    return df[df[col]].reset_index(drop=True)


def read_frame(path: Path) -> pd.DataFrame:
    """A published frame without its masks: the frame the fit built, rows in the same order
    (keys first). Robustness jobs start from it instead of building the frame again."""
    df = read_table(path)
    return df.drop(columns=[c for c in df.columns if str(c).startswith(PREFIX)])


def coverage(rows: pd.DataFrame) -> dict[str, int]:
    """What the estimation rows span: first and last year, countries, cities (where present)."""
    out: dict[str, int] = {}
    if "year" in rows.columns and rows["year"].notna().any():
        out["first_year"], out["last_year"] = int(rows["year"].min()), int(rows["year"].max())
    if "country_iso3" in rows.columns:
        out["countries"] = int(rows["country_iso3"].nunique())
    if "city_id" in rows.columns:
        out["cities"] = int(rows["city_id"].nunique())
    return out


def coverage_label(cov: dict[str, int]) -> str:
    """``"years 2017-2021; 1,234 cities in 43 countries"`` from :func:`coverage`."""
    parts = []
    if "first_year" in cov:
        a, b = cov["first_year"], cov["last_year"]
        parts.append(f"year {a}" if a == b else f"years {a}-{b}")
    where = []
    if "cities" in cov:
        where.append(f"{cov['cities']:,} cities")
    if "countries" in cov:
        where.append(f"{cov['countries']:,} countries")
    if where:
        parts.append(" in ".join(where))
    return "; ".join(parts)


def label_samples(
    summaries: list[dict], frames: Mapping[str, pd.DataFrame], used: Mapping[str, pd.Index]
) -> None:
    """Append what each model's estimation rows actually span to its ``sample`` text (so a
    label can never claim years or places the fit did not use) and store the numbers."""
    for m in summaries:
        rows = frames[m["frame"]].loc[used[m["model"]]]
        cov = coverage(rows)
        m["sample_coverage"] = cov
        text = coverage_label(cov)
        if text:
            m["sample"] = f"{m['sample']}; estimation sample: {text}"
