# Assembly: interim tables + city matches -> the harmonized panels, codebook and data package.
import os

from analysis.core.config import config_slice
from analysis.workflow.facts import assembled_tables
from analysis.workflow.jobenv import PYTHON

OUTPUT_TABLES = assembled_tables(PLAN)
INTERIM_TABLES = [p for s in SOURCES.values() for p in s.tables.values()]
DATA = f"{RESULTS}/data"


rule assemble:
    input:
        tables=INTERIM_TABLES,
        joins=rules.match_cities.output.joins,
        cities=rules.match_cities.output.cities,
        gazetteer=rules.gazetteer.output[0],
        code=command_code("assemble"),
    output:
        parquet=[f"{DATA}/{t}.parquet" for t in OUTPUT_TABLES],
        csv=[f"{DATA}/{t}.csv" for t in OUTPUT_TABLES],
        audit=f"{RESULTS}/audit/rows/assemble.csv",
        mayor_conflicts=f"{RESULTS}/audit/mayor_party_conflicts.csv",
    params:
        python=PYTHON,
        settings=config_slice(config, "panel"),
        out_dir=lambda w, output: os.path.dirname(output.parquet[0]),
    priority: 30
    # Nothing else is ready while the panels are assembled: a second thread writes the
    # tables (Parquet and CSV pieces) beside the first.
    threads: 2
    log:
        f"{RESULTS}/logs/assemble.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "{params.python} -m analysis assemble --gazetteer {input.gazetteer} "
        "--joins {input.joins} --cities {input.cities} --out-dir {params.out_dir} --audit {output.audit} "
        "--mayor-conflicts {output.mayor_conflicts} --threads {threads} "
        "--settings {params.settings:q} {input.tables} > {log} 2>&1"


# Country pairs for the dyadic H5 model: a table of its own, so the panels do not wait on it.
rule country_pairs:
    input:
        cepii=f"{RESULTS}/interim/cepii_dist/cepii_pairs.parquet",
        trade=f"{RESULTS}/interim/yotov_trade/trade_flows.parquet",
        code=command_code("country-pairs"),
    output:
        parquet=f"{DATA}/country_pairs.parquet",
        csv=f"{DATA}/country_pairs.csv",
    params:
        python=PYTHON,
        out_dir=lambda w, output: os.path.dirname(output.parquet),
    log:
        f"{RESULTS}/logs/country_pairs.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "{params.python} -m analysis country-pairs --cepii {input.cepii} --trade {input.trade} "
        "--out-dir {params.out_dir} > {log} 2>&1"


rule codebook:
    input:
        tables=[*rules.assemble.output.parquet, rules.country_pairs.output.parquet],
        manifest=config["raw"]["manifest"],
        code=command_code("codebook"),
    output:
        codebook=f"{DATA}/CODEBOOK.md",
        datapackage=f"{DATA}/datapackage.json",
    params:
        python=PYTHON,
    log:
        f"{RESULTS}/logs/codebook.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "{params.python} -m analysis codebook --manifest {input.manifest} "
        "--codebook {output.codebook} --datapackage {output.datapackage} {input.tables} "
        "> {log} 2>&1"
