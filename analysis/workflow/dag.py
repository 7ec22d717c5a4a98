"""What the model rules read of each hypothesis, and the checks of specs against the config.

:func:`hypothesis_facts` derives, from a hypothesis's spec and its frames, the tables and
covariate files its jobs read, the config slice they run with and whether it has robustness
checks and a curve. :class:`Hypotheses` serves them to the rules (its methods
are Snakemake input, params and threads functions of the job's wildcards), memoised in the
plan cache (:mod:`analysis.workflow.plan_cache`), so a start that changed nothing imports no
hypothesis module.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable
from typing import Any

from analysis.core.errors import ConfigError
from analysis.workflow.plan_cache import PlanCache


def hypothesis_facts(
    spec_dir: str, data_dir: str, config: dict[str, Any], hypothesis: str
) -> dict[str, Any]:
    """What the rules read of one hypothesis (an invalid spec fails here, by key)."""
    from analysis.hypotheses.frames import frame_def, used_covariates
    from analysis.models.spec import load_spec

    spec = load_spec(f"{spec_dir}/{hypothesis}.yaml")
    pb = spec.robustness.pairs_bootstrap if spec.robustness else None
    frames = [frame_def(name) for name in spec.frames]
    # The declared covariates and universe floors its spec reads: changing one reruns only
    # this hypothesis's jobs (one road for config: they reach the jobs as a param).
    used = used_covariates(spec, config["covariates"])
    keys = sorted({k for f in frames for k in f.options})
    universe = {k: config["models"]["universe"][k] for k in keys}
    settings = {"covariates": used, "models": {"universe": universe}}
    return {
        "tables": [
            f"{data_dir}/{t}.parquet" for t in sorted({t for f in frames for t in f.tables})
        ],
        "covariates": used,
        "settings": json.dumps(settings, sort_keys=True, separators=(",", ":")),
        "robustness": bool(spec.robustness),
        "curve": bool(spec.robustness and spec.robustness.curve),
        # refits of its pairs bootstrap: the robustness job's length, known from the spec
        "refits": pb.reps * len(pb.models) if pb else 0,
    }


class Hypotheses:
    """:func:`hypothesis_facts` of the configured hypotheses, memoised in `plan`; a job of
    another hypothesis (a target named by hand) has its facts derived on the spot."""

    def __init__(
        self, plan: PlanCache, spec_dir: str, data_dir: str, config: dict[str, Any]
    ) -> None:
        self._args = (spec_dir, data_dir, config)
        hypotheses = config["models"]["hypotheses"]
        # a copy: facts of a hypothesis named by hand are never stored with the plan
        self.facts: dict[str, dict[str, Any]] = dict(
            plan.memo(
                "hypotheses", lambda: {h: hypothesis_facts(*self._args, h) for h in hypotheses}
            )
        )

    def __getitem__(self, hypothesis: str) -> dict[str, Any]:
        if hypothesis not in self.facts:
            self.facts[hypothesis] = hypothesis_facts(*self._args, hypothesis)
        return self.facts[hypothesis]

    def tables(self, wildcards: Any) -> list[str]:
        """The published tables the hypothesis's frames read."""
        return self[wildcards.hypothesis]["tables"]

    def covariate_files(self, wildcards: Any) -> list[str]:
        """The declared covariate files its spec reads: adding one reruns only its jobs."""
        return [c["file"] for c in self[wildcards.hypothesis]["covariates"]]

    def settings(self, wildcards: Any) -> str:
        """The configuration slice its fit and robustness jobs run with (JSON): the covariates
        and universe floors its spec reads, so changing either reruns it and no other."""
        return self[wildcards.hypothesis]["settings"]

    def has_curve(self, hypothesis: str) -> bool:
        return self[hypothesis]["curve"]

    def priority(self, base: int) -> Callable[[Any], int]:
        """A fit or robustness job's priority: `base`, plus up to 4 for a pairs bootstrap
        (one per 200 refits), so the longest chains (H5's fit and its 798 refits, H3's 399)
        start first instead of in the order of their input sizes, Snakemake's tie-break."""
        return lambda w: base + min(4, round(self[w.hypothesis]["refits"] / 200))

    def all_tables(self) -> list[str]:
        """The published tables any configured hypothesis's frames read."""
        return sorted({t for f in self.facts.values() for t in f["tables"]})


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
    from analysis.hypotheses.frames import frame_def, used_covariates
    from analysis.models.spec import load_spec
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


def robustness_threads(has_curve: Callable[[str], bool], workflow: Any) -> Callable[[Any], int]:
    """Threads (curve worker processes) of a robustness job: a quarter of the run's cores for
    a hypothesis with a curve, else 1. Only the curve runs in parallel; the bootstraps and
    refits are serial, so on a small machine the robustness jobs of other hypotheses use the
    remaining cores better than a second curve worker would. Without `--cores` (e.g.
    `snakemake --report`, which runs nothing) it is 1."""
    from snakemake.exceptions import WorkflowError

    def threads(w: Any) -> int:
        if not has_curve(w.hypothesis):
            return 1
        try:
            cores = workflow.cores
        except WorkflowError:
            return 1
        return max(1, (cores or 1) // 4)

    return threads
