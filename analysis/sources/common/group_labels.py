"""The sorted distinct labels of each group, without a Python call per group.

Why: ``df.groupby(keys)[col].agg(lambda s: sorted(set(s.dropna())))`` builds a Series per
group; for the US governor spells and mayor terms (thousands of small groups) that was most of
the parse. Here the (group, label) pairs are deduplicated and sorted once and cut into lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import pandas as pd


def sorted_labels(df: pd.DataFrame, keys: Sequence[str], column: str) -> pd.Series:
    """Per group of ``keys`` (groupby's defaults: sorted, groups with a missing key left out),
    the sorted list of the distinct non-missing ``column`` values (``[]`` when there are none).

    Equal to ``df.groupby(keys)[column].agg(lambda s: sorted(set(s.dropna())))``, index and
    name included (`tests/test_group_labels.py`).
    """
    grouped = df.groupby(list(keys))[column]
    index = grouped.size().index
    codes = grouped.ngroup().to_numpy()
    values = df[column].to_numpy(dtype=object)
    keep = (codes >= 0) & df[column].notna().to_numpy()
    pairs = pd.DataFrame({"group": codes[keep], "label": pd.Series(values[keep], dtype=object)})
    pairs = pairs.drop_duplicates().sort_values(["group", "label"], kind="mergesort")
    bounds = np.searchsorted(pairs["group"].to_numpy(), np.arange(len(index) + 1))
    labels = pairs["label"].tolist()
    lists = [labels[start:end] for start, end in pairwise(bounds)]
    return pd.Series(lists, index=index, name=column, dtype=object)
