"""Input functions for the model rules (kept out of the .smk files, which hold rules only).

Each factory returns a function of the job's wildcards, as Snakemake's input and params
directives expect.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable
from typing import Any

from analysis.core.errors import ConfigError
from analysis.hypotheses.frames import frame_def, used_covariates
from analysis.models.spec import load_spec


def frame_tables(spec_dir: str, data_dir: str) -> Callable[[Any], list[str]]:
    """The published tables a hypothesis's frames read (an invalid spec fails here, by key)."""

    def tables(wildcards: Any) -> list[str]:
        spec = load_spec(f"{spec_dir}/{wildcards.hypothesis}.yaml")
        names = sorted({t for name in spec.frames for t in frame_def(name).tables})
        return [f"{data_dir}/{t}.parquet" for t in names]

    return tables


def all_frame_tables(spec_dir: str, data_dir: str, hypotheses: list[str]) -> list[str]:
    """The published tables any of the hypotheses' frames read."""
    names = {
        t
        for h in hypotheses
        for name in load_spec(f"{spec_dir}/{h}.yaml").frames
        for t in frame_def(name).tables
    }
    return [f"{data_dir}/{t}.parquet" for t in sorted(names)]


def hypothesis_covariates(
    spec_dir: str, covariates: list[dict[str, Any]]
) -> Callable[[Any], list[dict[str, Any]]]:
    """The declared covariates a hypothesis's spec reads: adding one reruns only its jobs."""

    def used(wildcards: Any) -> list[dict[str, Any]]:
        spec = load_spec(f"{spec_dir}/{wildcards.hypothesis}.yaml")
        return used_covariates(spec, covariates)

    return used


def covariate_files(spec_dir: str, covariates: list[dict[str, Any]]) -> Callable[[Any], list[str]]:
    used = hypothesis_covariates(spec_dir, covariates)
    return lambda wildcards: [c["file"] for c in used(wildcards)]


def fit_settings(spec_dir: str, config: dict[str, Any]) -> Callable[[Any], str]:
    """The configuration slice a fit or robustness job of one hypothesis runs with (JSON).

    Only what its spec reads: the covariate files it uses and the universe floors of its
    frames, so changing either reruns that hypothesis and no other.
    """
    used = hypothesis_covariates(spec_dir, config["covariates"])

    def settings(wildcards: Any) -> str:
        spec = load_spec(f"{spec_dir}/{wildcards.hypothesis}.yaml")
        keys = sorted({k for name in spec.frames for k in frame_def(name).options})
        universe = {k: config["models"]["universe"][k] for k in keys}
        doc = {"covariates": used(wildcards), "models": {"universe": universe}}
        return json.dumps(doc, sort_keys=True, separators=(",", ":"))

    return settings


def _documented(meta: dict[str, Any], table: str, column: str) -> bool:
    scopes = (meta["tables"].get(table, {}).get("columns", {}), meta["shared_columns"])
    return any(
        column == key or (any(ch in key for ch in "*?[") and fnmatch.fnmatchcase(column, key))
        for scope in scopes
        for key in scope
    )


def check_covariate_clashes(spec_dir: str, hypotheses: list[str], config: dict[str, Any]) -> None:
    """Refuse, while the DAG is planned, a covariate column that a frame already has.

    A frame's columns are known only once it is built; the columns of the published tables it
    reads are known now (the codebook documents each, and config names the national columns
    and city measures copied into city_year), which catches a clash before any job runs.
    """
    from analysis.panel.codebook import load_meta

    meta = load_meta()
    copied = set(config["panel"]["country_columns"]) | set(config["panel"]["city_measures"])
    problems = []
    for h in hypotheses:
        spec = load_spec(f"{spec_dir}/{h}.yaml")
        tables = sorted({t for name in spec.frames for t in frame_def(name).tables})
        for i, cov in enumerate(config["covariates"]):
            if cov not in used_covariates(spec, [cov]):
                continue
            for col in cov["columns"]:
                hit = [t for t in tables if _documented(meta, t, col)]
                if col in copied and "city_year" in tables:
                    hit.append("city_year")
                if hit:
                    problems.append(
                        f"  covariates[{i}] ({cov['name']}): column {col!r} is already a column "
                        f"of {', '.join(sorted(set(hit)))}, which {h}'s frames read; rename it"
                    )
    if problems:
        raise ConfigError("covariate name clash:\n" + "\n".join(sorted(set(problems))))


def robustness_threads(spec_dir: str, workflow: Any) -> Callable[[Any], int]:
    """Threads (curve worker processes) of a robustness job: a quarter of the run's cores for
    a hypothesis with a curve, else 1. Only the curve runs in parallel; the bootstraps and
    refits are serial, so on a small machine the robustness jobs of other hypotheses use the
    remaining cores better than a second curve worker would. Without `--cores` (e.g.
    `snakemake --report`, which runs nothing) it is 1."""
    from snakemake.exceptions import WorkflowError

    def threads(w: Any) -> int:
        if not load_spec(f"{spec_dir}/{w.hypothesis}.yaml").robustness.curve:
            return 1
        try:
            cores = workflow.cores
        except WorkflowError:
            return 1
        return max(1, (cores or 1) // 4)

    return threads
