"""Numpy helpers of the matcher: the passes work on whole columns, never row by row."""

from __future__ import annotations

from itertools import chain

import numpy as np
import pandas as pd


def isin(values: np.ndarray, allowed) -> np.ndarray:
    """`np.isin` for an object array of strings and a few allowed values: one equality
    pass per value (np.isin sorts object arrays)."""
    out = np.zeros(len(values), dtype=bool)
    for v in allowed:
        out |= values == v
    return out


def text_codes(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Code of each row and the distinct values (object array) of a text column without
    missing values: only distinct strings become Python objects."""
    codes, uniq = pd.factorize(s)
    return codes.astype(np.int64, copy=False), np.asarray(uniq.to_numpy(dtype=object))


def ranges(starts: np.ndarray, stops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate arange(start, stop) for each pair; also return the owner index."""
    lengths = stops - starts
    owner = np.repeat(np.arange(len(starts)), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return starts[owner] + offsets, owner


def group_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Positions where a run of equal values starts in a sorted array."""
    if not len(sorted_keys):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])


def first_of_runs(order: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """The first entry of `order` for each owner (`order` sorted by owner first)."""
    return order[np.r_[True, owner[order][1:] != owner[order][:-1]]]


def tree_pairs(tree, xyz: np.ndarray, chord: float) -> tuple[np.ndarray, np.ndarray]:
    """(point of `tree`, owner): the tree's points within `chord` of each of `xyz`."""
    hits = tree.query_ball_point(xyz, r=chord, return_sorted=False, workers=-1)
    lengths = np.fromiter(map(len, hits), dtype=np.int64, count=len(hits))
    point = np.fromiter(chain.from_iterable(hits), dtype=np.int64, count=int(lengths.sum()))
    return point, np.repeat(np.arange(len(hits)), lengths)
