"""US party codes and the reference date shared by the mayor sources and the US city table.

Every mayor source (Wikidata terms, the three election files) codes a party as ``D``, ``R``,
``I`` (independent / no party) or ``other``, missing where unknown; this module holds the
codes, their pandera column and the date H4 measures the mayor at, so the parsers and
:mod:`analysis.sources.common.mayor_party` agree without importing each other.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

PARTIES = ["D", "R", "I", "other"]
#: H4's reference date: a month after the US Paris withdrawal announcement (2017-06-01).
MID_2017 = pd.Timestamp("2017-07-01")
PARTY = pa.Column(str, pa.Check.isin(PARTIES), nullable=True)
