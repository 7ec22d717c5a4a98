"""Run one source parser: check its inputs, validate its tables, write them deterministically."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.acquire.fetch import verify_at_use
from analysis.acquire.manifest import ManifestEntry
from analysis.core.audit import write_audit
from analysis.core.errors import PipelineError, RawInputError, plain
from analysis.sources.common.base import ParsedSource, SourceSpec


class SchemaViolation(PipelineError):
    """A parser produced a table that breaks its schema (names source, table, column)."""


def input_paths(
    spec: SourceSpec, raw_dir: Path, manifest: Mapping[str, ManifestEntry] | None = None
) -> dict[str, Path]:
    """The source's raw files; with the `manifest`, each verified (size, sha256) first.

    Verification at use: a file edited after acquisition (mtime kept or not) stops the parser
    here instead of flowing into the panels.
    """
    paths = {f: raw_dir / f for f in spec.files}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise RawInputError(", ".join(missing), f"missing input file(s) of source {spec.name!r}")
    if manifest is not None:
        verify_at_use(paths, manifest, f"source {spec.name!r}")
    return paths


def validate_table(spec: SourceSpec, table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Validate with the spec's pandera schema; report the first failures in words."""
    try:
        return spec.schemas[table].validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        lines = [
            f"  column {row.column!r}: check {row.check!r} failed for value "
            f"{plain(row.failure_case)!r}"
            for row in cases.head(10).itertuples()
        ]
        more = f"\n  ... and {len(cases) - 10} more" if len(cases) > 10 else ""
        raise SchemaViolation(
            f"source {spec.name!r}, table {table!r} ({', '.join(spec.files)}): "
            f"{len(cases)} schema failure(s):\n" + "\n".join(lines) + more
        ) from exc


def canonical_order(df: pd.DataFrame) -> pd.DataFrame:
    """Sort by every column (stable), so outputs are byte-identical across runs."""
    if df.empty:
        return df.reset_index(drop=True)
    return df.sort_values(list(df.columns), kind="mergesort", na_position="last").reset_index(
        drop=True
    )


def run_source(
    spec: SourceSpec, raw_dir: Path, manifest: Mapping[str, ManifestEntry] | None = None
) -> ParsedSource:
    """Verify the inputs (given the manifest), parse and validate; tables in canonical order."""
    result = spec.parse(input_paths(spec, raw_dir, manifest))
    got, declared = set(result.tables), set(spec.schemas)
    if got != declared:
        raise SchemaViolation(
            f"source {spec.name!r} returned tables {sorted(got)}, declared {sorted(declared)}"
        )
    tables = {
        name: canonical_order(validate_table(spec, name, df)) for name, df in result.tables.items()
    }
    return ParsedSource(tables=tables, audit=result.audit)


def output_paths(spec: SourceSpec, results: Path) -> dict[str, Path]:
    return {t: results / "interim" / spec.name / f"{t}.parquet" for t in spec.tables}


def audit_path(spec: SourceSpec, results: Path) -> Path:
    return results / "audit" / "rows" / f"{spec.name}.csv"


def write_source(spec: SourceSpec, parsed: ParsedSource, results: Path) -> Mapping[str, Path]:
    outputs = output_paths(spec, results)
    for table, path in outputs.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        parsed.tables[table].to_parquet(path, index=False)
    write_audit(parsed.audit, audit_path(spec, results))
    return outputs
