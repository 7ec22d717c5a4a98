# Parsing: one job per source spec (analysis/sources/*.py), writing validated tidy tables
# to results/interim/<source>/<table>.parquet and its row accounting to results/audit/rows/.
from pathlib import Path

from analysis.workflow.code_deps import command_code, source_code
from analysis.core.config import config_slice
from analysis.workflow.jobenv import PYTHON
from analysis.sources.common.runner import audit_path, output_paths
from analysis.sources import module_of, registry

SOURCES = registry()
PARSE_OUTPUTS = sorted(
    str(p)
    for s in SOURCES.values()
    for p in [*output_paths(s, Path(RESULTS)).values(), audit_path(s, Path(RESULTS))]
)


for _name, _spec in SOURCES.items():

    rule:
        name:
            f"parse_{_name}"
        input:
            raw=[f"{RAW}/{f}" for f in _spec.files],
            code=source_code(_spec),
        output:
            tables=[str(p) for p in output_paths(_spec, Path(RESULTS)).values()],
            audit=str(audit_path(_spec, Path(RESULTS))),
        params:
            source=_name,
            module=module_of(_spec),
            python=PYTHON,
            settings=config_slice(config, "raw.dir", "raw.manifest", "results_dir"),
        # Sources the matching job reads (mentions, LAU units) first: matching then runs
        # while the country-level sources, which only assembly needs, are still parsed.
        priority: 10 if {"mentions", "lau_units"} & set(_spec.schemas) else 0
        log:
            f"{RESULTS}/logs/parse/{_name}.log",
        conda:
            "../../envs/analysis.yaml"
        shell:
            "{params.python} -m analysis parse {params.source} --module {params.module} "
            "--settings {params.settings:q} > {log} 2>&1"


rule rows_audit:
    input:
        audits=[
            *(str(audit_path(s, Path(RESULTS))) for s in SOURCES.values()),
            f"{RESULTS}/audit/rows/assemble.csv",
        ],
        code=command_code("combine-audits"),
    output:
        f"{RESULTS}/audit/rows.csv",
    params:
        python=PYTHON,
    log:
        f"{RESULTS}/logs/rows_audit.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "{params.python} -m analysis combine-audits --out {output} {input.audits} > {log} 2>&1"
