"""Markdown output shared by the README blocks, the codebook and the coverage report."""

from __future__ import annotations

import pandas as pd


def cell(text: object) -> str:
    """One table cell: whitespace (newlines included) folded, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _format(value: object) -> str:
    if isinstance(value, float):
        if pd.isna(value):
            return ""
        return f"{value:.1%}" if value <= 1 else f"{value:,.0f}"  # shares as percentages
    if isinstance(value, int):
        return f"{value:,}"
    return cell(value)


def table(df: pd.DataFrame) -> str:
    """A Markdown table of `df` (floats <= 1 shown as percentages, integers with separators)."""
    cols = list(df.columns)
    lines = ["| " + " | ".join(map(cell, cols)) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(_format(v) for v in row) + " |")
    return "\n".join(lines) + "\n"
