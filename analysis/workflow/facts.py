"""The parse rules' sources and every rule's code inputs, memoised in the plan cache.

Deriving them imports every source module (pandera schemas, parsers) and scans the import graph
(:mod:`analysis.workflow.code_deps`); :mod:`analysis.workflow.plan_cache` keeps the result
while the package and the config are unchanged, so a start that changed nothing does neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    from pathlib import Path

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


def _assembled() -> list[str]:
    from analysis.panel.assemble import OUTPUT_TABLES

    return list(OUTPUT_TABLES)


def assembled_tables(plan: PlanCache) -> list[str]:
    """The tables the assembly job writes (:data:`analysis.panel.assemble.OUTPUT_TABLES`)."""
    return plan.memo("assembled_tables", _assembled)


def _commands() -> dict[str, list[str]]:
    from analysis.workflow.code_deps import command_code, commands

    return {command: command_code(command) for command in commands()}


class CodeInputs:
    """Rule code inputs (:mod:`analysis.workflow.code_deps`), memoised in `plan`."""

    def __init__(self, plan: PlanCache) -> None:
        self._commands: dict[str, list[str]] = plan.memo("commands", _commands)

    def command_code(self, command: str) -> list[str]:
        """:func:`analysis.workflow.code_deps.command_code`."""
        if command not in self._commands:
            raise KeyError(f"no subcommand {command!r} in analysis/__main__.py")
        return self._commands[command]

    @staticmethod
    def source_code(source: Source) -> list[str]:
        """:func:`analysis.workflow.code_deps.source_code` of the source's spec."""
        return source.code
