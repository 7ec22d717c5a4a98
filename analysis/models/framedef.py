"""The definition of a model frame, shared by the frame registry and the hypothesis modules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class FrameDef:
    tables: tuple[str, ...]  # results/data tables the builder reads
    build: Callable[..., pd.DataFrame]  # build(tables, **{option: value})
    keys: tuple[str, ...]  # unique row key
    description: str
    # Keys of config `models.universe` the builder takes as keyword arguments (population
    # floors): the fit job passes the values Snakemake resolved, so no universe is a constant.
    options: tuple[str, ...] = ()
