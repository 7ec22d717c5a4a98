"""Truths of models whose terms standardize columns (``std(x)``)."""

from __future__ import annotations

import re
from collections.abc import Mapping

_STD = re.compile(r"^std\((?P<col>[A-Za-z_][A-Za-z0-9_]*)\)$")


def restandardize(
    truth: Mapping[str, float], scaling: Mapping[str, tuple[float, float]]
) -> dict[str, float]:
    """Truth for a model whose terms standardize some columns, as ``std(x)`` does.

    `scaling` maps ``"std(x)"`` to the estimation sample's (mean, SD) - the format of
    :attr:`analysis.models.design.Design.scaling`, e.g. ``fit_model(...).design.scaling``. Each
    standardized column is substituted as x = mean + SD * std(x) and the planted index
    re-expanded: ``std(x)`` gets b * SD, ``a:std(x)`` gets b_ax * SD and ``a`` gains
    b_ax * mean. Terms that become constants (the intercept) are dropped; keys keep the
    factor order of `truth`.
    """
    sub: dict[str, tuple[float, float]] = {}
    for key, (mean, sd) in scaling.items():
        m = _STD.match(key)
        if m is None:
            raise ValueError(f"scaling key {key!r} is not std(<column>)")
        sub[m["col"]] = (float(mean), float(sd))
    out: dict[str, float] = {}
    for term, b in truth.items():
        # Expand prod(factors) with each standardized factor = mean + sd * std(x).
        parts: list[tuple[list[str], float]] = [([], float(b))]
        for col in term.split(":"):
            if col in sub:
                mean, sd = sub[col]
                parts = [(f, c * mean) for f, c in parts] + [
                    ([*f, f"std({col})"], c * sd) for f, c in parts
                ]
            else:
                parts = [([*f, col], c) for f, c in parts]
        for factors, c in parts:
            if factors:
                name = ":".join(factors)
                out[name] = out.get(name, 0.0) + c
    return out
