"""The definition of a model frame, shared by the frame registry and the hypothesis modules;
and the scope in which a job builds each frame once when one frame is the base of another."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

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


_BUILT: ContextVar[dict[Any, pd.DataFrame] | None] = ContextVar("built_frames", default=None)


@contextmanager
def frames_built_once() -> Iterator[None]:
    """Inside this block :func:`build_once` builds each (builder, options) once.

    Some frames start from another: H1's country-years aggregate its city-years, H5's stacked
    ties stack its cities. A fit job builds both, so the base was built twice (H1's city-years
    take about 2 s). Open it over frames built from one set of tables (one job's data
    directory): the key is the builder and its options, not the tables.
    """
    token = _BUILT.set({})
    try:
        yield
    finally:
        _BUILT.reset(token)


def build_once(
    build: Callable[..., pd.DataFrame], tables: Mapping[str, pd.DataFrame], **options: Any
) -> pd.DataFrame:
    """``build(tables, **options)``; inside :func:`frames_built_once`, built the first time
    and a copy of that frame every later time (each caller may add columns to its own)."""
    memo = _BUILT.get()
    if memo is None:
        return build(tables, **options)
    key = (build, tuple(sorted(options.items())))
    if key in memo:
        return memo[key].copy()
    frame = build(tables, **options)
    memo[key] = frame.copy()
    return frame
