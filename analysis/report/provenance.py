"""The reviewer's map: every table and figure traced to its rule, code, spec and raw files;
a sha256 manifest of ``results/``; disk figures.

Nothing here is a hand list. Sources: the columns each frame's builder read from the tables
of ``results/data``, as its fit job recorded them (:mod:`analysis.models.readtrace`; or traced
here by rebuilding the frame, :func:`frame_reads`), plus the columns the models
take straight from a table; each such column is looked up in the interim tables of every
source (country-year columns, city measures by name, other table columns), and rows of the
memberships, acts and dyads tables credit the sources named in their ``source`` column. So
``log_gdp_pc`` credits the World Bank (the builder reads ``gdp_pc_usd``) and H1's opportunity
set credits the Paris, nuclear and NATO sources. Code: the import graph (every
``from analysis... import``, also inside functions) from the frame builders, the estimation
layer and the renderer of each output.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from analysis.core.hashing import sha256_file
from analysis.core.tableio import read_table
from analysis.hypotheses import module_file
from analysis.hypotheses.frames import build_frame, frame_def
from analysis.models.framedef import frames_built_once
from analysis.models.spec import HypothesisSpec, load_spec
from analysis.sources import registry
from analysis.workflow import code_deps

PKG = Path(__file__).parents[1]
# Frame columns computed from panel columns in assemble.py (the builders read the result).
DERIVED = {
    "log_gdp_pc": ["gdp_pc_usd"],
    "log_pop": ["wup_pop", "simplemaps_pop", "geonames_pop"],
    "pop": ["wup_pop", "simplemaps_pop", "geonames_pop"],
    "log_city_population": ["population"],
}
# Columns counted from whole standard tables of every source that writes them.
TABLE_PREFIXES = {
    ("n_networks", "member_", "held_", "normative", "economic_ties", "total_ties"): "memberships",
    ("defiance", "any_defiance", "acts_", "adhesion", "climate_events", "cdp_", "cedamia"): "acts",
    ("sister_city", "ties", "bilateral"): "dyads",
}
# Tables whose rows carry their source: a frame reading them credits the sources present.
SOURCED_TABLES = ("memberships", "acts", "dyads")
GENERIC = {"source", "measure", "value", "unit", "mention_id", "raw_name", "lat", "lon", "name"}
KEYS = {"city_id", "year", "country_iso3", "region", "china_mainland", "state", "admin1_code"}
# Code every model output depends on, besides the frame builders: the `python -m analysis`
# commands of the rules that make it (their code inputs, from the import graph).
FIT_COMMAND = "fit"
OUTPUT_COMMANDS = {
    "table": ("render-tables",),
    "figure": ("render-figures",),
    "robustness": ("robustness", "render-spec-curve"),
    "design_figure": ("robustness", "render-design-figure"),
}


def frame_reads(
    name: str,
    data_dir: Path,
    universe: Mapping[str, Any] | None = None,
    cache: dict[str, pd.DataFrame] | None = None,
) -> tuple[dict[str, set[str]], list[str]]:
    """Build frame `name` with recording tables: ({table: columns of it the builder read},
    the frame's columns), the latter to find columns passed through untouched. `universe` is
    config `models.universe` (the builder's population floors). `cache` keeps tables read for
    earlier frames (13 frames read the same few tables)."""
    reads: dict[str, tuple[dict[str, set[str]], list[str]]] = {}
    build_frame(name, data_dir, universe=universe, tables=cache, reads=reads)  # as the fit does
    return reads[name]


def module_imports(path: Path) -> set[Path]:
    """Package files `path` imports (:func:`analysis.workflow.code_deps.module_imports`, resolved
    against this module's `PKG`)."""
    return code_deps.module_imports(path, PKG)


def code_closure(start: Iterable[Path]) -> list[str]:
    """Every package file reachable from `start` through imports (and the data files the
    modules name), as ``analysis/...`` paths: the graph the rules' code inputs come from."""
    return sorted(
        f"analysis/{p.relative_to(PKG).as_posix()}" for p in code_deps.closure(start, PKG)
    )


def frame_code(spec: HypothesisSpec) -> list[Path]:
    """The hypothesis's module (its figure data is computed by the fit) and the modules
    defining the builders of its frames."""
    builders = {Path(inspect.getsourcefile(frame_def(f).build) or "") for f in spec.frames}
    return sorted(builders | {Path(f).resolve() for f in module_file(spec.hypothesis)})


def _interim_index(
    results: Path,
) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, set[str]]]:
    """(column -> sources), (measure -> sources), (standard table -> sources)."""
    columns: dict[str, set[str]] = {}
    measures: dict[str, set[str]] = {}
    tables: dict[str, set[str]] = {}
    for spec in registry().values():
        for table in spec.tables:
            path = results / "interim" / spec.name / f"{table}.parquet"
            if not path.is_file():
                continue
            tables.setdefault(table, set()).add(spec.name)
            if table == "mentions":
                continue  # every source's mentions share one schema: names, not data columns
            for col in pq.read_schema(path).names:
                columns.setdefault(col, set()).add(spec.name)
            if table == "city_measures":
                for m in read_table(path, columns=["measure"])["measure"].unique():
                    measures.setdefault(str(m), set()).add(spec.name)
    return columns, measures, tables


def _strip(col: str) -> str:
    for prefix in ("log1p_", "log_", "std_"):
        if col.startswith(prefix):
            return col[len(prefix) :]
    return col


def column_sources(col: str, index) -> set[str]:
    columns, measures, tables = index
    if col in KEYS:
        return set()
    out: set[str] = set()
    for base in [col, _strip(col)]:
        out |= measures.get(base, set())
        if base in columns and base not in GENERIC:
            out |= columns[base]
    for base in DERIVED.get(col, []):
        out |= measures.get(base, set())
        if base in columns and base not in GENERIC:
            out |= columns[base]
    for prefixes, table in TABLE_PREFIXES.items():
        if col.startswith(prefixes):
            out |= tables.get(table, set())
    return out


def spec_columns(spec: HypothesisSpec) -> set[str]:
    cols = {c for m in spec.models for _, c in m.columns()}
    if spec.robustness and spec.robustness.curve:
        from analysis.models.spec import term_columns

        for options in spec.robustness.curve.dimensions.values():
            for over in options.values():
                for key in ("regressors", "controls"):
                    cols |= {c for t in over.get(key, []) for c in term_columns(t)}
                cols |= {c["column"] for c in over.get("sample", [])}
                if "outcome" in over:
                    cols.add(over["outcome"])
    return cols


def raw_files(sources: Iterable[str]) -> list[str]:
    by_name = registry()
    return sorted({f for s in sources for f in by_name[s].files})


def traced_reads(
    spec: HypothesisSpec,
    data_dir: Path,
    universe: Mapping[str, Any] | None = None,
    cache: dict[str, pd.DataFrame] | None = None,
) -> dict[str, tuple[dict[str, set[str]], list[str]]]:
    """{frame: :func:`frame_reads`} for the hypothesis's frames: what its fit job records
    (``results/cache/frame_reads/<h>.json``), traced again by hand."""
    # A frame that is another's base is built once (models.framedef.build_once), its reads
    # recorded under the first of the two, as in the fit job: the sources are the union over
    # the hypothesis's frames, so they are what building each frame alone gives.
    with frames_built_once():
        return {name: frame_reads(name, data_dir, universe, cache) for name in spec.frames}


def hypothesis_sources(
    spec: HypothesisSpec,
    data_dir: Path,
    index,
    universe: Mapping[str, Any] | None = None,
    cache: dict[str, pd.DataFrame] | None = None,
    recorded: Mapping[str, tuple[dict[str, set[str]], list[str]]] | None = None,
) -> set[str]:
    """Sources whose data the hypothesis's frames read (see the module docstring), from the
    fit's `recorded` reads, or traced here (`cache` as for :func:`frame_reads`)."""
    wanted = spec_columns(spec)
    found: set[str] = set()
    frames = traced_reads(spec, data_dir, universe, cache) if recorded is None else recorded
    for reads, frame_columns in frames.values():
        for table, read in reads.items():
            # Columns the builder passes through untouched are read where a model uses them.
            passed = set(pq.read_schema(data_dir / f"{table}.parquet").names) & wanted
            cols = read | (passed & set(frame_columns))
            if table in SOURCED_TABLES:
                found |= _sources_in(data_dir / f"{table}.parquet")
            elif table == "us_city":  # us_city renames its sources' columns: credit them all
                found |= {n for n in registry() if n.startswith("us_")}
            else:
                found |= {s for c in cols for s in column_sources(c, index)}
    return found


def _sources_in(path: Path) -> set[str]:
    known = set(registry())
    return {str(s) for s in read_table(path, columns=["source"])["source"].unique()} & known


def reviewer_map(
    results: Path,
    spec_dir: Path,
    hypotheses: list[str],
    figures: dict,
    universe: Mapping[str, Any] | None = None,
    recorded: Mapping[str, Mapping[str, tuple[dict[str, set[str]], list[str]]]] | None = None,
) -> pd.DataFrame:
    """One row per output. `recorded`: hypothesis -> the reads its fit job recorded
    (models.readtrace.from_record); hypotheses not in it are traced here."""
    recorded = dict(recorded or {})
    index = _interim_index(results)
    tables: dict[str, pd.DataFrame] = {}
    rows = []
    for h in hypotheses:
        spec = load_spec(spec_dir / f"{h}.yaml")
        sources = sorted(
            hypothesis_sources(spec, results / "data", index, universe, tables, recorded.get(h))
        )
        files = raw_files(sources)
        start = [*frame_code(spec), *code_deps.command_files(FIT_COMMAND)]

        def code(kind: str, start: list[Path] = start) -> str:
            commands = OUTPUT_COMMANDS[kind]
            return ", ".join(
                code_closure([*start, *(f for c in commands for f in code_deps.command_files(c))])
            )

        common = {
            "spec": f"config/models/{h}.yaml",
            "frames": ", ".join(spec.frames),
            "sources": ", ".join(sources),
            "raw_files": "; ".join(files),
            "n_raw_files": len(files),
        }
        rows.append(
            {
                "output": f"results/tables/{h}.{{md,tex,html}}",
                "rule": "fit_models → model_tables",
                "code": code("table"),
                **common,
            }
        )
        rows.append(
            {
                "output": f"results/models/{h}/frames/*.parquet",
                "rule": "fit_models",
                "code": code("table"),
                **common,
            }
        )
        for name in sorted(figures.get(h, {})):
            rows.append(
                {
                    "output": f"results/figures/{name}.{{png,pdf}}",
                    "rule": "fit_models → model_figure",
                    "code": code("figure"),
                    **common,
                }
            )
        if spec.robustness:
            rows.append({"output": f"results/robustness/{h}/*, results/figures/{h}_speccurve.{{png,pdf}}",
                         "rule": "robustness → spec_curve_figure", "code": code("robustness"),
                         **common})  # fmt: skip
            r = spec.robustness
            for kind, on in (("placebo", r.randomization), ("synth", r.synthetic_control)):
                if on:
                    rows.append({"output": f"results/figures/{h}_{kind}.{{png,pdf}}",
                                 "rule": "robustness → design_figure",
                                 "code": code("design_figure"), **common})  # fmt: skip
    return pd.DataFrame(rows)


def sha256_manifest(files: Iterable[str | Path]) -> str:
    """`sha256  path` lines for `files` (sorted, paths as given: relative to the workdir, so
    `sha256sum -c results/SHA256SUMS` runs from the checkout)."""
    lines = []
    for path in sorted({Path(p).as_posix() for p in files}):
        digest = sha256_file(path)
        lines.append(f"{digest}  {path}")
    return "\n".join(lines) + "\n"


def published_files(results: Path, outputs: Iterable[str | Path]) -> list[Path]:
    """The files SHA256SUMS covers: the pipeline outputs under `results/` named by `rule all`
    (directories expanded), plus ``reviewer_map.csv``. Not covered: logs, benchmarks,
    ``report.html`` (``make run`` writes it after the pipeline), ``reviewer_map.md`` (disk
    sizes) and SHA256SUMS itself."""
    out: set[Path] = {results / "reviewer_map.csv"}
    for item in map(Path, outputs):
        if not item.is_relative_to(results) or item.parts[len(results.parts)] == "logs":
            continue
        out |= set(p for p in item.rglob("*") if p.is_file()) if item.is_dir() else {item}
    excluded = {results / n for n in ("report.html", "reviewer_map.md", "SHA256SUMS")}
    return sorted(out - excluded)


def disk_usage(results: Path) -> dict[str, int]:
    """Bytes per top-level folder of results/ (logs excluded: their size varies run to run)."""
    out: dict[str, int] = {}
    for top in sorted(p for p in results.iterdir() if p.is_dir() and p.name != "logs"):
        out[top.name] = sum(f.stat().st_size for f in top.rglob("*") if f.is_file())
    return out


def map_markdown(table: pd.DataFrame, disk: dict[str, int]) -> str:
    """One row per hypothesis: its outputs, rules, code, spec and raw sources."""
    lines = [
        "| spec | outputs | rules | code | sources (raw files) |",
        "|---|---|---|---|---|",
    ]
    for spec, rows in table.groupby("spec", sort=True):
        outputs = "<br>".join(f"`{o}`" for o in rows["output"])
        rules = "<br>".join(dict.fromkeys(rows["rule"]))
        code = sorted({c.strip() for cs in rows["code"] for c in cs.split(", ")})
        r = rows.iloc[0]
        lines.append(f"| `{spec}` | {outputs} | {rules} | `{', '.join(code)}` | "
                     f"{r.sources} ({r.n_raw_files} files) |")  # fmt: skip
    total = sum(disk.values())
    parts = ", ".join(f"`{k}/` {v / 1e6:,.1f} MB" for k, v in disk.items())
    lines += ["", f"Disk: `results/` {total / 1e6:,.1f} MB ({parts})."]
    return "\n".join(lines) + "\n"


def write_provenance(
    results: Path,
    spec_dir: Path,
    hypotheses: list[str],
    figures: dict,
    outputs: Iterable[str | Path] = (),
    universe: Mapping[str, Any] | None = None,
    recorded: Mapping[str, Mapping[str, tuple[dict[str, set[str]], list[str]]]] | None = None,
) -> None:
    """Reviewer's map, then SHA256SUMS over the published `outputs` (see published_files)."""
    table = reviewer_map(results, spec_dir, hypotheses, figures, universe, recorded)
    table.to_csv(results / "reviewer_map.csv", index=False, lineterminator="\n")
    disk = disk_usage(results)
    (results / "reviewer_map.md").write_text(map_markdown(table, disk), "utf-8")
    sums = sha256_manifest(published_files(results, outputs))
    (results / "SHA256SUMS").write_text(sums, "utf-8")
