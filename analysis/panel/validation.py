"""Checks of derived measures against published figures; a failed check stops the pipeline.

GaWC 2000: our connectivity is recomputed from Data Set 11 with the interlocking network
model; the published ranking to compare with is GaWC's own (Taylor, Catalano & Walker 2002,
"Measurement of the world city network", Urban Studies 39(13); Taylor 2004, *World City
Network*, the top-20 of global network connectivity in 2000). The names below are that
published order (facts from the literature, not rows of a raw file).
"""

from __future__ import annotations

import pandas as pd

from analysis.core.errors import PipelineError

PUBLISHED_GNC_2000_TOP20 = (
    "LONDON",
    "NEW YORK",
    "HONG KONG",
    "PARIS",
    "TOKYO",
    "SINGAPORE",
    "CHICAGO",
    "MILAN",
    "LOS ANGELES",
    "TORONTO",
    "MADRID",
    "AMSTERDAM",
    "SYDNEY",
    "FRANKFURT",
    "BRUSSELS",
    "SAO PAULO",
    "SAN FRANCISCO",
    "MEXICO CITY",
    "ZURICH",
    "TAIPEI",
)
MIN_SPEARMAN = 0.9


def gawc2000_check(mentions: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """Our rank of each published top-20 city, and the rank correlation; raise if off."""
    gnc = measures[measures["measure"] == "gawc_gnc_2000"].merge(
        mentions[["mention_id", "raw_name"]], on="mention_id"
    )
    gnc["our_rank"] = gnc["value"].rank(ascending=False, method="min").astype(int)
    ours = gnc.set_index(gnc["raw_name"].str.upper())["our_rank"]
    missing = [c for c in PUBLISHED_GNC_2000_TOP20 if c not in ours.index]
    if missing:
        raise PipelineError(f"GaWC 2000 check: cities absent from Data Set 11: {missing}")
    table = pd.DataFrame(
        {
            "city": PUBLISHED_GNC_2000_TOP20,
            "published_rank": range(1, len(PUBLISHED_GNC_2000_TOP20) + 1),
            "our_rank": [int(ours[c]) for c in PUBLISHED_GNC_2000_TOP20],
        }
    )
    rho = table["published_rank"].corr(table["our_rank"], method="spearman")
    table["spearman_top20"] = round(float(rho), 4)
    if table.loc[:1, "our_rank"].tolist() != [1, 2] or rho < MIN_SPEARMAN:
        raise PipelineError(
            f"GaWC 2000 recomputation disagrees with the published ranking: London/New York "
            f"ranks {table.loc[:1, 'our_rank'].tolist()}, Spearman {rho:.3f} < {MIN_SPEARMAN}"
        )
    return table
