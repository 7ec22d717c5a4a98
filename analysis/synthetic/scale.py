"""A large two-way panel for the benchmarks (``benchmarks/``), drawn without row loops."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .truths import SCALE_COUNT_INTERCEPT, SCALE_COUNT_SCALE, SCALE_TRUTH
from .world import Planted, check_positive


def scale_panel(
    n_rows: int,
    n_units: int | None = None,
    n_years: int = 20,
    n_clusters: int | None = None,
    seed: int = 0,
) -> Planted:
    """A large two-way panel for benchmarks: vectorised, no Python loop over rows.

    Columns: ``unit``, ``year`` (2000, 2001, ...), ``cluster`` (units nested in clusters), all
    int32; ``x1``, ``x2``, ``y`` float64; ``y_count`` int32. Rows are unit-major, years
    ascending. With `n_units` None the panel is balanced with ``ceil(n_rows / n_years)`` units
    (the last possibly cut short); otherwise `n_rows` distinct unit-years are drawn from the
    `n_units` x `n_years` grid (all of it when it has exactly `n_rows` cells). `n_clusters`
    defaults to ``max(2, n_units // 25)``.

    Unit effects a ~ N(0, 1) and year effects g ~ N(0, 1) are correlated with the regressors
    (x1 = 0.5 a + e1, x2 = 0.3 x1 + 0.5 g + e2), so only two-way FE recovers the slopes:
    ``y`` = 1.0 x1 - 0.5 x2 + a + g + N(0, 1) (:data:`SCALE_TRUTH`) and ``y_count`` ~
    Poisson(exp(0.5 + 0.25 (x1 - 0.5 x2 + a + g))) (mean ~1.9; truth 0.25 and -0.125).
    Memory: 40 bytes a row for the frame, a peak of about 64 bytes a row while drawing
    (10M rows: ~0.4 GB frame, ~0.65 GB peak process RSS).
    """
    check_positive(n_rows=n_rows, n_years=n_years)
    rng = np.random.default_rng(seed)
    if n_units is None:
        n_units = -(-n_rows // n_years)
        unit = np.repeat(np.arange(n_units, dtype=np.int32), n_years)[:n_rows]
        t = np.tile(np.arange(n_years, dtype=np.int32), n_units)[:n_rows]
    else:
        check_positive(n_units=n_units)
        cells = n_units * n_years
        if cells < n_rows:
            raise ValueError(f"n_units * n_years = {cells} < n_rows = {n_rows}")
        if cells == n_rows:
            unit = np.repeat(np.arange(n_units, dtype=np.int32), n_years)
            t = np.tile(np.arange(n_years, dtype=np.int32), n_units)
        else:
            pick = np.sort(rng.choice(cells, size=n_rows, replace=False))
            unit = (pick // n_years).astype(np.int32)
            t = (pick % n_years).astype(np.int32)
            del pick
    if n_units > np.iinfo(np.int32).max:
        raise ValueError("too many units for int32 ids")
    if n_clusters is None:
        n_clusters = max(2, n_units // 25)
    check_positive(n_clusters=n_clusters)
    a = rng.standard_normal(n_units)
    g = rng.standard_normal(n_years)
    cluster = np.take(rng.integers(0, n_clusters, n_units, dtype=np.int32), unit)
    # In-place arithmetic on two row buffers (`lin`, `tmp`) keeps the peak near 64 bytes/row.
    b1, b2 = SCALE_TRUTH["x1"], SCALE_TRUTH["x2"]
    lin = np.take(a, unit)  # the noiseless index a + g + b1 x1 + b2 x2, built up in place
    tmp = np.empty(n_rows)
    x1 = rng.standard_normal(n_rows)
    x1 += np.multiply(lin, 0.5, out=tmp)
    x2 = rng.standard_normal(n_rows)
    lin += np.take(g, t, out=tmp)
    x2 += np.multiply(tmp, 0.5, out=tmp)
    x2 += np.multiply(x1, 0.3, out=tmp)
    lin += np.multiply(x1, b1, out=tmp)
    lin += np.multiply(x2, b2, out=tmp)
    del tmp
    y = rng.standard_normal(n_rows)
    y += lin
    lin *= SCALE_COUNT_SCALE
    lin += SCALE_COUNT_INTERCEPT
    np.exp(lin, out=lin)
    y_count = rng.poisson(lin).astype(np.int32)
    del lin
    t += 2000
    frame = pd.DataFrame(
        {"unit": unit, "year": t, "cluster": cluster, "x1": x1, "x2": x2, "y": y,
         "y_count": y_count},
        copy=False,
    )  # fmt: skip
    truth = dict(SCALE_TRUTH)
    count_truth = {k: SCALE_COUNT_SCALE * v for k, v in SCALE_TRUTH.items()}
    return Planted(frame, truth, "scale_panel", "y", {"y": truth, "y_count": count_truth})
