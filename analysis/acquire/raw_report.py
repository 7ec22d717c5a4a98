"""Audit of the acquisition stage and the README's data-availability table."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from analysis.acquire.manifest import ManifestEntry
from analysis.core.hashing import sha256_file
from analysis.core.markdown import cell

REPORT_COLUMNS = [
    "id",
    "file",
    "bytes",
    "sha256",
    "origin",
    "verified",
    "license_class",
    "rehosted",
]


def acquisition_report(
    entries: Iterable[ManifestEntry], record_paths: Iterable[Path], raw_dir: Path
) -> pd.DataFrame:
    """One row per manifest entry: the file on disk hashed now, and where acquisition got it.

    `bytes` and `sha256` are measured from the file itself, not copied from the records or
    the manifest, so `verified` says what is on disk at the time of the report.
    """
    records = {}
    for p in record_paths:
        for rec in json.loads(Path(p).read_text()):
            records[rec["file"]] = rec
    rows = []
    for e in entries:
        rec = records.get(e.file)
        path = raw_dir / e.file
        size = path.stat().st_size if path.is_file() else None
        digest = sha256_file(path) if size is not None else ""
        rows.append(
            {
                "id": e.id,
                "file": e.file,
                "bytes": size,
                "sha256": digest,
                "origin": rec["origin"] if rec else "",
                "verified": size == e.bytes and digest == e.sha256,
                "license_class": e.license_class,
                "rehosted": e.rehosted,
            }
        )
    return pd.DataFrame(rows, columns=REPORT_COLUMNS).sort_values("file", ignore_index=True)


def data_availability_markdown(entries: Iterable[ManifestEntry]) -> str:
    """The README's data-availability table: one row per raw file, after a count by class."""
    entries = sorted(entries, key=lambda x: x.file)
    classes = Counter(e.license_class for e in entries)
    lines = [
        f"{len(entries)} files: "
        + ", ".join(f"{classes[c]} {c}" for c in ("open", "non-commercial", "unknown"))
        + f" licence; {sum(e.rehosted for e in entries)} pinned to a re-hosted copy.",
        "",
        "| file | publisher | licence | licence class | re-hosted copy | redistributed here | citation |",
        "|---|---|---|---|---|---|---|",
    ]
    for e in entries:
        lines.append(
            f"| `{e.file}` | {cell(e.publisher)} | {cell(e.license)} | "
            f"**{e.license_class}** | {'yes' if e.rehosted else 'no'} | no (downloaded from the pinned URL) | "
            f"{cell(e.citation)} |"
        )
    return "\n".join(lines) + "\n"


START = "<!-- data-availability:start -->"
END = "<!-- data-availability:end -->"


def splice_readme(readme: str, table: str, block: str = "data-availability") -> str:
    """Replace the text between `<!-- block:start -->` and `<!-- block:end -->` with `table`."""
    start, end = f"<!-- {block}:start -->", f"<!-- {block}:end -->"
    head, sep, rest = readme.partition(start)
    _, sep2, tail = rest.partition(end)
    if not sep or not sep2:
        raise ValueError(f"README lacks the markers {start} ... {end}")
    return f"{head}{start}\n{table}{end}{tail}"
