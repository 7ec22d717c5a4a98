"""The JSON record of one benchmark: targets, checks, medians, strict JSON output."""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


@dataclass
class Target:
    value: float
    comparison: str  # "<", "<=", ">=", ">"
    unit: str
    metric: str = "median"  # which observed number the target applies to

    def met(self, observed: float | None) -> bool | None:
        if observed is None or not np.isfinite(observed):
            return None
        ops: dict[str, Callable[[float, float], bool]] = {
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
        }
        return bool(ops[self.comparison](observed, self.value))

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "comparison": self.comparison,
            "unit": self.unit,
            "metric": self.metric,
        }


# Primary target of each benchmark (scale benchmarks add checks: see _scale_result).
TARGETS = {
    "pipeline_cold": Target(90, "<", "s"),
    "pipeline_noop": Target(1.5, "<=", "s"),
    "matching_throughput": Target(50_000, ">=", "mentions/s"),
    "spec_curve_h2": Target(20, ">=", "specs/s"),
    "spec_curve_h1": Target(20, ">=", "specs/s"),
    "scale_ols_1m": Target(1.2, "<=", "ratio", "layer_over_fastest_direct"),
    "scale_ols_10m": Target(30, "<", "s"),
    "scale_poisson_1m": Target(1.2, "<=", "ratio", "layer_over_fastest_direct"),
    "scale_poisson_10m": Target(1.2, "<=", "ratio", "layer_over_fastest_direct"),
}


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


def median_of(values: Sequence[float | None]) -> float | None:
    v = [float(x) for x in values if x is not None and np.isfinite(x)]
    return float(statistics.median(v)) if v else None


def make_result(
    name: str,
    measured: str,
    unit: str,
    values: Sequence[float | None],
    target: Target,
    *,
    quick: bool,
    extra_checks: Sequence[tuple[Target, float | None]] = (),
    peak_memory_mb: float | dict[str, Any] | None = None,
    parameters: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
    primary_observed: float | None = None,
    started: str | None = None,
    load_before: Sequence[float] | None = None,
) -> dict[str, Any]:
    """The JSON record of one benchmark (module docstring)."""
    med = median_of(values)
    primary = med if target.metric == "median" else primary_observed
    checks = [(target, primary), *extra_checks]
    rows = []
    for t, obs in checks:
        rows.append(t.as_dict() | {"observed": obs, "meets": None if quick else t.met(obs)})
    verdicts = [r["meets"] for r in rows]
    meets = None if quick or any(v is None for v in verdicts) else all(verdicts)
    return {
        "name": name,
        "measured": measured,
        "unit": unit,
        "repeats": len(values),
        "values": [None if v is None else round(float(v), 6) for v in values],
        "median": None if med is None else round(med, 6),
        "target": target.as_dict(),
        "meets_target": meets,
        "checks": rows,
        "peak_memory_mb": peak_memory_mb,
        "quick": quick,
        "parameters": parameters or {},
        "details": details or {},
        "date": started or now_iso(),
        "finished": now_iso(),
        "load_average": {
            "before": list(load_before or os.getloadavg()),
            "after": list(os.getloadavg()),
        },
    }


_CHECKOUT = str(Path(__file__).resolve().parents[1])


def _portable(text: str) -> str:
    """The checkout's absolute path -> relative (the files are committed as a record,
    benchmarks/measured, and must not name one machine's folders)."""
    return text.replace(_CHECKOUT + "/", "").replace(_CHECKOUT, ".")


def _finite(o: Any) -> Any:
    """NaN and infinities -> None (strict JSON), and strings made portable, recursively."""
    if isinstance(o, str):
        return _portable(o)
    if isinstance(o, dict):
        return {k: _finite(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_finite(v) for v in o]
    if isinstance(o, (float, np.floating)) and not np.isfinite(o):
        return None
    return o


def write_json(obj: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    text = json.dumps(_finite(obj), indent=2, default=json_default, allow_nan=False)
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(path)


def json_default(o: Any) -> Any:
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.bool_):
        return bool(o)
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serializable: {type(o)}")
