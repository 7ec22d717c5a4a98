# Parsing: one job per source spec (analysis/sources/*.py), writing validated tidy tables
# to results/interim/<source>/<table>.parquet and its row accounting to results/audit/rows/.
# Sources come from the plan cache (analysis/workflow/facts.py); `source_code` and
# `command_code` are the Snakefile's (each job's code as one stamp file).
from analysis.core.config import config_slice
from analysis.workflow.facts import sources
from analysis.workflow.jobenv import PYTHON

SOURCES = sources(PLAN, RESULTS)
PARSE_OUTPUTS = sorted(p for s in SOURCES.values() for p in [*s.tables.values(), s.audit])


for _name, _spec in SOURCES.items():

    rule:
        name:
            f"parse_{_name}"
        input:
            raw=[f"{RAW}/{f}" for f in _spec.files],
            code=source_code(_spec),
        output:
            tables=list(_spec.tables.values()),
            audit=_spec.audit,
        params:
            source=_name,
            module=_spec.module,
            python=PYTHON,
            settings=config_slice(config, "raw.dir", "raw.manifest", "results_dir"),
        # Sources the matching job reads (mentions, LAU units) first: matching then runs
        # while the country-level sources, which only assembly needs, are still parsed.
        priority: 10 if {"mentions", "lau_units"} & set(_spec.tables) else 0
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
            *(s.audit for s in SOURCES.values()),
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
