"""The definition of a model frame, shared by the frame registry and the hypothesis modules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class FrameDef:
    tables: tuple[str, ...]  # results/data tables the builder reads
    build: Callable[[Mapping[str, pd.DataFrame]], pd.DataFrame]
    keys: tuple[str, ...]  # unique row key
    description: str
