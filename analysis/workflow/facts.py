"""The manifest, the parse rules' sources and every rule's code inputs, memoised in the plan
cache.

Deriving them imports every source module (pandera schemas, parsers) and scans the import graph
(:mod:`analysis.workflow.code_deps`); :mod:`analysis.workflow.plan_cache` keeps the result
while the package and the config are unchanged, so a start that changed nothing does neither.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.acquire.manifest import ManifestEntry, load_manifest
from analysis.core.atomicfile import write_text_atomic
from analysis.workflow.plan_cache import PlanCache


@dataclass(frozen=True)
class Source:
    """What a parse rule needs of one `SourceSpec`: raw files, output tables (name -> path),
    row audit, parser module and code inputs."""

    name: str
    files: list[str]
    tables: dict[str, str]
    audit: str
    module: str
    code: list[str]


def _sources(results: str) -> dict[str, dict[str, Any]]:
    from analysis.sources import module_of, registry
    from analysis.sources.common.runner import audit_path, output_paths
    from analysis.workflow.code_deps import source_code

    return {
        name: {
            "name": name,
            "files": list(spec.files),
            "tables": {t: str(p) for t, p in output_paths(spec, Path(results)).items()},
            "audit": str(audit_path(spec, Path(results))),
            "module": module_of(spec),
            "code": source_code(spec),
        }
        for name, spec in registry().items()
    }


def sources(plan: PlanCache, results: str) -> dict[str, Source]:
    """Every source of the registry (:func:`analysis.sources.registry`), by name."""
    facts = plan.memo("sources", lambda: _sources(results))
    return {name: Source(**f) for name, f in facts.items()}


def manifest(plan: PlanCache, path: str) -> list[ManifestEntry]:
    """The raw-data manifest's entries (:func:`analysis.acquire.manifest.load_manifest`);
    parsing and checking its ~130 entries strictly took ~30 ms of every start."""
    from dataclasses import asdict

    plan.depend([path])
    entries = plan.memo("manifest", lambda: [asdict(e) for e in load_manifest(path)])
    return [ManifestEntry(**e) for e in entries]


def _assembled() -> list[str]:
    from analysis.panel.assemble import OUTPUT_TABLES

    return list(OUTPUT_TABLES)


def assembled_tables(plan: PlanCache) -> list[str]:
    """The tables the assembly job writes (:data:`analysis.panel.assemble.OUTPUT_TABLES`)."""
    return plan.memo("assembled_tables", _assembled)


def _commands() -> dict[str, list[str]]:
    from analysis.workflow.code_deps import command_code, commands

    return {command: command_code(command) for command in commands()}


def _hypotheses(hypotheses: list[str]) -> dict[str, list[str]]:
    from analysis.workflow.code_deps import hypothesis_code

    return {h: hypothesis_code(h) for h in hypotheses}


STAMPS = Path(".snakemake") / "code_inputs"


class CodeInputs:
    """Rule code inputs: each job's code (:mod:`analysis.workflow.code_deps`, memoised in
    `plan`) as one stamp file instead of its 30-60 modules.

    Snakemake spent about a third of building the DAG (~0.1 s of a no-op rerun) on the
    ~5,000 (job, module) pairs. A stamp (``.snakemake/code_inputs/<kind>-<name>.sha256``, in `sha256sum`
    format: one line per file of the closure) triggers what the files did: its mtime is
    the newest of theirs, so editing or touching any of them makes the stamp newer than the
    job's outputs, and its contents are their digests, so Snakemake's check of recorded input
    checksums (a touched input whose contents did not change reruns nothing) sees exactly
    the changes of contents it saw before. A file joining or leaving the closure changes the
    contents too. Where a stamp cannot be written the files themselves are the inputs.
    """

    def __init__(self, plan: PlanCache, hypotheses: list[str], stamps: Path = STAMPS) -> None:
        self._commands: dict[str, list[str]] = plan.memo("commands", _commands)
        # a copy: the code of a hypothesis named by hand is never stored with the plan
        self._hypotheses: dict[str, list[str]] = dict(
            plan.memo("hypothesis_code", lambda: _hypotheses(hypotheses))
        )
        # as code_deps names them: relative to the working directory
        self._known = {os.path.relpath(p): entry for p, entry in plan.package.items()}
        self._stamps = stamps

    def command_code(self, command: str) -> list[str]:
        """:func:`analysis.workflow.code_deps.command_code`, as a stamp."""
        if command not in self._commands:
            raise KeyError(f"no subcommand {command!r} in analysis/__main__.py")
        return self.stamp(f"command-{command}", self._commands[command])

    def source_code(self, source: Source) -> list[str]:
        """:func:`analysis.workflow.code_deps.source_code` of the source's spec, as a stamp."""
        return self.stamp(f"source-{source.name}", source.code)

    def hypothesis_code(self, hypothesis: str) -> list[str]:
        """:func:`analysis.workflow.code_deps.hypothesis_code`, as a stamp (none if empty)."""
        if hypothesis not in self._hypotheses:
            self._hypotheses[hypothesis] = _hypotheses([hypothesis])[hypothesis]
        return self.stamp(f"hypothesis-{hypothesis}", self._hypotheses[hypothesis])

    def stamp(self, name: str, files: list[str]) -> list[str]:
        """[the stamp of `files`], brought up to date; `files` itself if it cannot be."""
        if not files:
            return []
        lines, newest = [], 0
        for f in files:
            digest, mtime = self._known.get(f) or _read(f)
            lines.append(f"{digest}  {f}\n")
            newest = max(newest, mtime)
        text = "".join(lines)
        path = self._stamps / f"{name}.sha256"
        try:
            st = path.stat()
            same = st.st_mtime_ns == newest and path.read_text(encoding="utf-8") == text
        except OSError:
            same = False
        if not same:
            try:
                _write(path, text, newest)
            except OSError:
                return list(files)
        return [str(path)]


def _read(path: str) -> tuple[str, int]:
    with open(path, "rb") as fh:
        digest = hashlib.sha256(fh.read()).hexdigest()
        return digest, os.fstat(fh.fileno()).st_mtime_ns


def _write(path: Path, text: str, mtime_ns: int) -> None:
    """Contents and mtime in one step (a concurrent start never sees one without the other)."""
    write_text_atomic(path, text, mtime_ns=mtime_ns, mode=0o644)
