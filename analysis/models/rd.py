"""Sharp regression discontinuity at a zero vote margin: rdrobust + rddensity, tidy results.

Used by H4's close-election design (the Democratic margin of the last mayoral election before
mid-2017 as the running variable), but free of H4: give it an outcome, a running variable and
a cutoff. Inference is rdrobust's robust bias-corrected interval and p-value (Calonico,
Cattaneo and Titiunik 2014) at the MSE-optimal common bandwidth (``mserd``), triangular kernel,
local-linear fit, nearest-neighbour variance; the point estimate is the conventional one. The
manipulation test is rddensity's (Cattaneo, Jansson and Ma 2020) jackknife p-value. Both
libraries are deterministic (no resampling), so the outputs are reproducible byte for byte.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

#: Fewer observations than this on either side within the bandwidth: no estimate is reported
#: (rdrobust's local-linear fit and its bias correction need a handful per side).
MIN_EFFECTIVE_PER_SIDE = 10


@dataclass(frozen=True)
class RDResult:
    outcome: str
    estimate: float  # conventional local-linear jump at the cutoff
    std_error_robust: float
    ci_low_robust: float
    ci_high_robust: float
    p_robust: float
    bandwidth_h: float  # main bandwidth (mserd, common to both sides)
    bandwidth_b: float  # bias-correction bandwidth
    n_left: int
    n_right: int
    n_eff_left: int  # observations within h
    n_eff_right: int
    kernel: str
    bwselect: str
    vce: str
    note: str

    def row(self) -> dict[str, object]:
        return asdict(self)


def _clean(y: pd.Series, x: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    ok = y.notna() & x.notna()
    return y[ok].to_numpy(float), x[ok].to_numpy(float)


def rd_estimate(y: pd.Series, x: pd.Series, outcome: str, cutoff: float = 0.0) -> RDResult:
    """rdrobust's sharp RD of `y` on `x` at `cutoff`; NaN estimates with a note if too thin."""
    yv, xv = _clean(y, x)
    n_left, n_right = int((xv < cutoff).sum()), int((xv >= cutoff).sum())
    empty = dict(
        outcome=outcome, estimate=np.nan, std_error_robust=np.nan, ci_low_robust=np.nan,
        ci_high_robust=np.nan, p_robust=np.nan, bandwidth_h=np.nan, bandwidth_b=np.nan,
        n_left=n_left, n_right=n_right, n_eff_left=0, n_eff_right=0, kernel="triangular",
        bwselect="mserd", vce="nn",
    )  # fmt: skip
    if min(n_left, n_right) < MIN_EFFECTIVE_PER_SIDE or len(np.unique(yv)) < 2:
        return RDResult(**empty, note="too few observations or no outcome variation")
    from rdrobust import rdrobust  # heavy import (plotnine): only when an RD is fitted

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rdrobust warns on mass points; recorded in `note`
        r = rdrobust(yv, xv, c=cutoff, kernel="triangular", bwselect="mserd", vce="nn")
    n_eff = [int(v) for v in r.N_h]
    note = "ok"
    if min(n_eff) < MIN_EFFECTIVE_PER_SIDE:
        note = f"fewer than {MIN_EFFECTIVE_PER_SIDE} observations within the bandwidth on a side"
    return RDResult(
        outcome=outcome,
        estimate=float(r.coef.loc["Conventional"].iloc[0]),
        std_error_robust=float(r.se.loc["Robust"].iloc[0]),
        ci_low_robust=float(r.ci.loc["Robust"].iloc[0]),
        ci_high_robust=float(r.ci.loc["Robust"].iloc[1]),
        p_robust=float(r.pv.loc["Robust"].iloc[0]),
        bandwidth_h=float(r.bws.loc["h", "left"]),
        bandwidth_b=float(r.bws.loc["b", "left"]),
        n_left=n_left,
        n_right=n_right,
        n_eff_left=n_eff[0],
        n_eff_right=n_eff[1],
        kernel="triangular",
        bwselect="mserd",
        vce="nn",
        note=note,
    )


def density_test(x: pd.Series, cutoff: float = 0.0) -> dict[str, float]:
    """rddensity's manipulation test: jackknife p-value, bandwidths and effective N per side."""
    xv = x.dropna().to_numpy(float)
    if min((xv < cutoff).sum(), (xv >= cutoff).sum()) < MIN_EFFECTIVE_PER_SIDE:
        return {"density_p": np.nan, "density_h_left": np.nan, "density_h_right": np.nan,
                "density_n_eff_left": 0, "density_n_eff_right": 0}  # fmt: skip
    from rddensity import rddensity

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        d = rddensity(X=xv, c=cutoff)
    return {
        "density_p": float(d.test["p_jk"]),
        "density_h_left": float(d.h["left"]),
        "density_h_right": float(d.h["right"]),
        "density_n_eff_left": int(d.n["eff_left"]),
        "density_n_eff_right": int(d.n["eff_right"]),
    }


def rd_bins(y: pd.Series, x: pd.Series, outcome: str, n_bins: int = 10, cutoff: float = 0.0):
    """Evenly spaced bins on each side of the cutoff: mean outcome and count per bin (for the
    binned RD plot; bins never straddle the cutoff)."""
    yv, xv = _clean(y, x)
    rows = []
    for side, mask in (("left", xv < cutoff), ("right", xv >= cutoff)):
        if not mask.any():
            continue
        lo, hi = (xv[mask].min(), cutoff) if side == "left" else (cutoff, xv[mask].max())
        edges = np.linspace(lo, hi, n_bins + 1)
        idx = np.clip(np.searchsorted(edges, xv[mask], side="right") - 1, 0, n_bins - 1)
        for b in range(n_bins):
            sel = idx == b
            if sel.any():
                rows.append({
                    "outcome": outcome, "side": side, "x_mid": (edges[b] + edges[b + 1]) / 2,
                    "mean": float(yv[mask][sel].mean()), "n": int(sel.sum()),
                })  # fmt: skip
    return pd.DataFrame(rows, columns=["outcome", "side", "x_mid", "mean", "n"])


def local_linear_fit(y: pd.Series, x: pd.Series, h: float, cutoff: float = 0.0, grid: int = 30):
    """Triangular-kernel local-linear fit on each side within `h` (the plot's fitted lines)."""
    yv, xv = _clean(y, x)
    rows = []
    for side, sign in (("left", -1.0), ("right", 1.0)):
        m = (xv < cutoff) if side == "left" else (xv >= cutoff)
        m &= np.abs(xv - cutoff) <= h
        if m.sum() < 3 or not np.isfinite(h):
            continue
        w = 1 - np.abs(xv[m] - cutoff) / h
        coef = np.polyfit(xv[m] - cutoff, yv[m], 1, w=np.sqrt(w))
        pts = cutoff + sign * np.linspace(0, h, grid)
        rows += [{"side": side, "x": float(p), "fit": float(np.polyval(coef, p - cutoff))}
                 for p in pts]  # fmt: skip
    return pd.DataFrame(rows, columns=["side", "x", "fit"])
