"""Estimation backends: each turns a :class:`analysis.models.design.Design` into a :class:`BackendFit`.

The estimation layer (:mod:`analysis.models.estimate`) picks one, then computes inference the same
way for all of them, so a table never depends on which library fitted a column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass
class BackendFit:
    params: pd.Series  # reported terms only (absorbed or dummy fixed effects excluded)
    cov: pd.DataFrame  # their covariance, small-sample correction already applied
    n_obs: int
    k: int  # parameters counted by the small-sample correction (incl. dummies/absorbed FE)
    link: str  # identity, log, logit or probit: how the linear predictor maps to the mean
    backend: str
    used: pd.Index  # frame rows the backend kept (singleton or separated groups may drop)
    stats: dict[str, float | None] = field(default_factory=dict)
    correction_note: str = ""  # how this backend counts K, in words
    raw: Any = None  # the backend's own result object (not persisted)
    raw_names: dict[str, str] = field(default_factory=dict)  # term -> the backend's name
    converged: bool = True  # False: kept, but flagged degenerate (analysis/models/degenerate.py)
