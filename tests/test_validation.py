"""The GaWC 2000 check against the published ranking passes and fails when it should."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.core.errors import PipelineError
from analysis.panel.validation import PUBLISHED_GNC_2000_TOP20, gawc2000_check


def tables(order):
    n = len(order)
    mentions = pd.DataFrame({"mention_id": [f"g:{c}" for c in order], "raw_name": list(order)})
    measures = pd.DataFrame(
        {
            "mention_id": [f"g:{c}" for c in order],
            "measure": "gawc_gnc_2000",
            "year": 2000,
            "value": [float(n - i) for i in range(n)],  # first = most connected
        }
    )
    return mentions, measures


def test_published_order_passes():
    table = gawc2000_check(*tables([*PUBLISHED_GNC_2000_TOP20, "LAGOS"]))
    assert table["our_rank"].tolist() == list(range(1, 21))
    assert table["spearman_top20"].iloc[0] == 1.0


def test_london_not_first_fails():
    order = list(PUBLISHED_GNC_2000_TOP20)
    order[0], order[2] = order[2], order[0]
    with pytest.raises(PipelineError, match="London/New York ranks"):
        gawc2000_check(*tables(order))


def test_scrambled_order_fails():
    order = [*PUBLISHED_GNC_2000_TOP20[:2], *reversed(PUBLISHED_GNC_2000_TOP20[2:])]
    with pytest.raises(PipelineError, match="Spearman"):
        gawc2000_check(*tables(order))


def test_missing_city_fails():
    with pytest.raises(PipelineError, match="TAIPEI"):
        gawc2000_check(*tables(PUBLISHED_GNC_2000_TOP20[:-1]))
