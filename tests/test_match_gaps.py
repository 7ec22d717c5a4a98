"""The `match-gaps` block of docs/matching.md (analysis/report/match_gaps.py) and the reason
Korean -gun/-gu mentions stay unmatched with (analysis/resolve/stage.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.report.match_gaps import match_gaps_markdown, reason_kind
from analysis.resolve.stage import KOREAN_ADMIN2_REASON, explain_korean_districts

ROOT = Path(__file__).resolve().parents[1]


def _audit(tmp_path: Path, n_far: int = 1) -> Path:
    summary = pd.DataFrame(
        {
            "source": ["good", "short", "openflights", "nopoints", "ALL"],
            "with_coordinates": [100, 100, 100, 0, 300],
            "match_rate_with_coordinates": [0.99, 0.95, 0.975, np.nan, np.nan],
            "within_25km": [0.99, 0.90, 0.99, np.nan, np.nan],
        }
    )
    summary.to_csv(tmp_path / "city_match_summary.csv", index=False)
    reasons = [
        "name matches only beyond 50 km of the coordinates; LAU unit(s) named 'Ravenna' "
        "only beyond reach (279 km)",
        "name matches only beyond 50 km of the coordinates; LAU unit(s) named 'Lugo' "
        "only beyond reach (80 km)",
        "no name match in country",
        "group of 4 places",
    ]
    pd.DataFrame(
        {
            "source": ["short", "short", "short", "short", "good"],
            "country_iso3": ["ITA", "ESP", "ARG", "", "FRA"],
            "entity_type": "city",
            "reason": [*reasons, "no name match in country"],
        }
    ).to_csv(tmp_path / "city_unmatched.csv", index=False)
    pd.DataFrame(
        {
            "source": "short",
            "mention_id": [f"short:{i}" for i in range(3 + n_far)],
            "entity_type": "city",
            "city_id": 1.0,
            "method": ["exact", "exact", "lau"] + ["nearest"] * n_far,
            "distance_km": [1.0, 30.0, 2.0] + [40.0] * n_far,
        }
    ).to_csv(tmp_path / "city_matches.csv", index=False)
    return tmp_path


def test_reason_kind_folds_names_and_distances() -> None:
    a = "name matches only beyond 50 km; LAU unit(s) named 'Ravenna' only beyond reach (279 km)"
    b = "name matches only beyond 50 km; LAU unit(s) named 'Lugo' only beyond reach (80 km)"
    assert reason_kind(a) == reason_kind(b)
    assert "50 km" in reason_kind(a) and "Ravenna" not in reason_kind(a)
    assert reason_kind("group of 12 places") == "group of places"


def test_block_lists_each_short_source_from_the_audit(tmp_path: Path) -> None:
    block = match_gaps_markdown(_audit(tmp_path))
    assert "**short** (rate with coords 95.0% and within 25 km 90.0%; bar 98%)" in block
    assert "**good**" not in block and "**nopoints**" not in block
    assert "**openflights**" not in block  # 97.5% passes the airport bar of 97%
    folded = "LAU unit(s) named <name> only beyond reach | 2 | ESP 1, ITA 1 |"
    assert folded in block
    assert "| group of places | 1 | none 1 |" in block
    assert "Matches beyond 25 km (2):" in block and "| exact | 1 |" in block
    assert "results/audit/city_unmatched.csv" in block
    # regenerated, not typed: another audit gives another block
    assert "Matches beyond 25 km (4):" in match_gaps_markdown(_audit(tmp_path, n_far=3))


def test_docs_block_is_the_generated_one(pipeline_results: Path) -> None:
    audit = pipeline_results / "audit"
    text = (ROOT / "docs" / "matching.md").read_text(encoding="utf-8")
    start, end = "<!-- match-gaps:start -->\n", "<!-- match-gaps:end -->"
    assert start in text and end in text
    block = text.split(start, 1)[1].split(end, 1)[0]
    assert block == match_gaps_markdown(audit), "run `python -m analysis readme --results results`"


def test_korean_counties_and_districts_say_why_they_stay_unmatched() -> None:
    names = ["Okcheon-gun (옥천군), Chungbuk", "Dobong-gu Municipal Government", "광주 북구"]
    names += ["Changwon", "Hadong County", "Okcheon-gun"]
    frame = pd.DataFrame(
        {"raw_name": names, "country_iso3": ["KOR"] * 5 + ["PRK"]},
    )
    arrays = {
        "method": np.array(["unmatched"] * 3 + ["unmatched", "exact", "unmatched"], dtype=object),
        "reason": np.array(["no name match in country"] * 6, dtype=object),
    }
    explain_korean_districts(frame, arrays)
    told = [r.startswith(KOREAN_ADMIN2_REASON) for r in arrays["reason"]]
    assert told == [True, True, True, False, False, False]
    assert arrays["reason"][0].endswith("; no name match in country")
