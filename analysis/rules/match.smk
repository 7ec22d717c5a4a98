# Entity resolution: the gazetteer cache, then every mention of every source matched once.

from analysis.core.config import config_slice
from analysis.workflow.jobenv import PYTHON


MENTION_TABLES = [s.tables["mentions"] for s in SOURCES.values() if "mentions" in s.tables]
# The LAU layer behind GeoNames (analysis/sources/lau.py, analysis/resolve/lau.py)
LAU_UNITS = SOURCES["lau"].tables["lau_units"]


rule gazetteer:
    input:
        admin1=f"{RAW}/cities/geonames_admin1_regionInfo.tsv",
        code=command_code("gazetteer"),
    output:
        f"{RESULTS}/cache/gazetteer.parquet",
    params:
        python=PYTHON,
        settings=config_slice(config, "raw.dir", "raw.manifest"),
    # On the critical path (gazetteer -> matching -> assembly -> models) and needs only one
    # raw file: start it first, beside the parse jobs.
    priority: 30
    log:
        f"{RESULTS}/logs/gazetteer.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "{params.python} -m analysis gazetteer --admin1 {input.admin1} --out {output} "
        "--settings {params.settings:q} > {log} 2>&1"


# The LAU units linked to GeoNames places: needs only the gazetteer and one source, so it
# runs beside the other parse jobs instead of inside the matching job.
rule lau_layer:
    input:
        gazetteer=rules.gazetteer.output[0],
        admin1=f"{RAW}/cities/geonames_admin1_regionInfo.tsv",
        lau=LAU_UNITS,
        code=command_code("lau-layer"),
    output:
        f"{RESULTS}/cache/lau_layer.parquet",
    params:
        python=PYTHON,
        settings=config_slice(config, "raw.dir", "raw.manifest"),
    priority: 30
    log:
        f"{RESULTS}/logs/lau_layer.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "{params.python} -m analysis lau-layer --gazetteer {input.gazetteer} "
        "--admin1 {input.admin1} --lau {input.lau} --out {output} "
        "--settings {params.settings:q} > {log} 2>&1"


rule match_cities:
    input:
        gazetteer=rules.gazetteer.output[0],
        admin1=f"{RAW}/cities/geonames_admin1_regionInfo.tsv",
        mentions=MENTION_TABLES,
        lau_layer=rules.lau_layer.output[0],
        code=command_code("match"),
    output:
        matches=f"{RESULTS}/audit/city_matches.csv",
        unmatched=f"{RESULTS}/audit/city_unmatched.csv",
        summary=f"{RESULTS}/audit/city_match_summary.csv",
        joins=f"{RESULTS}/data/mention_cities.parquet",
        cities=f"{RESULTS}/data/cities.parquet",
    params:
        python=PYTHON,
        settings=config_slice(config, "matching", "raw.dir", "raw.manifest"),
    priority: 30
    log:
        f"{RESULTS}/logs/match_cities.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "{params.python} -m analysis match --gazetteer {input.gazetteer} "
        "--admin1 {input.admin1} --out-matches {output.matches} "
        "--out-unmatched {output.unmatched} --out-summary {output.summary} "
        "--out-joins {output.joins} --lau-layer {input.lau_layer} --out-cities {output.cities} "
        "--settings {params.settings:q} {input.mentions} > {log} 2>&1"
