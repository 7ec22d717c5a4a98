"""Where the city matching falls short of issue 18's bars, generated from the audit.

Issue 18's bar for every source with coordinates: at least 98% of its city mentions with a
point matched and at least 98% of those matches within 25 km of the point (OpenFlights: 97%,
as airports lie outside the cities they serve), or the docs name, per source, the remaining
cases and why each cannot be matched. `match_gaps_markdown` writes that list (the
`match-gaps` block of docs/matching.md): for each source below a bar, its unmatched city
mentions grouped by the audit's reason (names and distances inside a reason folded, so
rows of one kind count together) and, where the 25-km bar fails, its matches beyond 25 km
by method. The exact rows are in `results/audit/city_unmatched.csv` and `city_matches.csv`.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.markdown import table

BAR = 0.98
BAR_OF = {"openflights": 0.97}  # the airport rule's bar (issue 18)
WITHIN_KM = 25.0
CITY = "city"
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_KM_IN_BRACKETS = re.compile(r"\s*\(\d+(?:\.\d+)? km\)")
_GROUP = re.compile(r"^group of \d+ places$")


def reason_kind(reason: str) -> str:
    """A reason with its row-specific parts folded: quoted names become `<name>`, the
    bracketed distance of a far namesake goes, "group of 4 places" is "group of places"."""
    s = _KM_IN_BRACKETS.sub("", _QUOTED.sub("<name>", str(reason).strip()))
    s = _GROUP.sub("group of places", s)
    return s or "(no reason)"


def shortfalls(summary: pd.DataFrame) -> pd.DataFrame:
    """Sources with coordinates below a bar: source, bar, rate, within, and which failed."""
    s = summary[(summary["source"] != "ALL") & (summary["with_coordinates"] > 0)].copy()
    s["bar"] = s["source"].map(BAR_OF).fillna(BAR)
    s["rate_short"] = s["match_rate_with_coordinates"] < s["bar"]
    s["within_short"] = s["within_25km"] < s["bar"]
    return s[s["rate_short"] | s["within_short"]].reset_index(drop=True)


def unmatched_by_reason(unmatched: pd.DataFrame, source: str) -> pd.DataFrame:
    """The source's unmatched city mentions by reason kind, most frequent first, with the
    three countries that have most of them."""
    u = unmatched[(unmatched["source"] == source) & (unmatched["entity_type"] == CITY)]
    u = u.assign(kind=u["reason"].fillna("").map(reason_kind))
    rows = []
    for kind, g in u.groupby("kind", sort=True):
        top = g["country_iso3"].replace("", "none").value_counts()
        top = top.iloc[np.lexsort((top.index.to_numpy(dtype=str), -top.to_numpy()))][:3]
        countries = ", ".join(f"{c} {n:,}" for c, n in top.items())
        rows.append({"reason": kind, "mentions": len(g), "top countries": countries})
    out = pd.DataFrame(rows, columns=["reason", "mentions", "top countries"])
    return out.sort_values(["mentions", "reason"], ascending=[False, True], ignore_index=True)


def far_by_method(matches: pd.DataFrame, source: str) -> pd.DataFrame:
    """The source's matched city mentions with a point that lie beyond 25 km, by method."""
    m = matches[
        (matches["source"] == source)
        & (matches["entity_type"] == CITY)
        & matches["city_id"].notna()
        & matches["distance_km"].notna()
    ]
    far = m[m["distance_km"] > WITHIN_KM]
    out = far["method"].value_counts().rename_axis("method").reset_index(name="matches")
    return out.sort_values(["matches", "method"], ascending=[False, True], ignore_index=True)


def match_gaps_markdown(audit_dir: Path) -> str:
    """The `match-gaps` block: per source below a bar, the unmatched mentions by reason and
    (where the 25-km bar fails) the far matches by method, from the audit files."""
    summary = pd.read_csv(audit_dir / "city_match_summary.csv")
    gaps = shortfalls(summary)
    if gaps.empty:
        return "Every source with coordinates meets both bars.\n"
    cols = ["source", "mention_id", "entity_type", "city_id", "method", "distance_km"]
    unmatched = pd.read_csv(
        audit_dir / "city_unmatched.csv",
        usecols=["source", "country_iso3", "entity_type", "reason"],
        dtype=str,
        keep_default_na=False,
    )
    matches = pd.read_csv(audit_dir / "city_matches.csv", usecols=cols)
    parts = [
        "Sources with coordinates below a bar (rate with coords or within 25 km under "
        f"{BAR:.0%}; OpenFlights {BAR_OF['openflights']:.0%}), with every unmatched city mention "
        "by the audit's reason (names and distances folded) and, where the 25-km bar fails, "
        "the matches beyond 25 km by method. The rows are in `results/audit/city_unmatched.csv` "
        "(and `city_matches.csv` for the far matches): filter on `source`.\n"
    ]
    for g in gaps.itertuples():
        short = []
        if g.rate_short:
            short.append(f"rate with coords {g.match_rate_with_coordinates:.1%}")
        if g.within_short:
            short.append(f"within 25 km {g.within_25km:.1%}")
        reasons = unmatched_by_reason(unmatched, g.source)
        head = (
            f"\n**{g.source}** ({' and '.join(short)}; bar {g.bar:.0%}): "
            f"{int(reasons['mentions'].sum()):,} unmatched city mentions (with or without "
            "a point)\n\n"
        )
        parts.append(head + table(reasons))
        if g.within_short:
            far = far_by_method(matches, g.source)
            parts.append(
                f"\nMatches beyond 25 km ({int(far['matches'].sum()):,}):\n\n" + table(far)
            )
    return "".join(parts)
