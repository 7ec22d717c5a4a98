"""Input functions for the model rules (kept out of the .smk files, which hold rules only).

Each factory returns a function of the job's wildcards, as Snakemake's input and params
directives expect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from analysis.frames import frame_def, used_covariates
from analysis.modelspec import load_spec


def frame_tables(spec_dir: str, data_dir: str) -> Callable[[Any], list[str]]:
    """The published tables a hypothesis's frames read (an invalid spec fails here, by key)."""

    def tables(wildcards: Any) -> list[str]:
        spec = load_spec(f"{spec_dir}/{wildcards.hypothesis}.yaml")
        names = sorted({t for name in spec.frames for t in frame_def(name).tables})
        return [f"{data_dir}/{t}.parquet" for t in names]

    return tables


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
