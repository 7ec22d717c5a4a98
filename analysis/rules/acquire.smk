# Acquisition: every manifest entry becomes a verified file under data/raw/.
# One job per topic (a job per file would pay an interpreter start 130 times), acquiring file by
# file: the raw files are update() outputs, so Snakemake does not delete them before the job,
# and the job fetches only files that are missing or differ; the others keep bytes and mtime.

from analysis.core.config import config_slice
from analysis.workflow.jobenv import PYTHON
from analysis.acquire.manifest import files_by_topic

TOPIC_FILES = files_by_topic(MANIFEST.values())
RAW_FILES = [f"{RAW}/{f}" for f in sorted(MANIFEST)]
ACQUIRE_RECORDS = [f"{RESULTS}/audit/acquire/{t}.json" for t in sorted(TOPIC_FILES)]


for _topic, _files in TOPIC_FILES.items():

    rule:
        name:
            f"acquire_{_topic}"
        input:
            code=command_code("acquire"),
        output:
            raw=[update(f"{RAW}/{f}") for f in _files],
            record=update(f"{RESULTS}/audit/acquire/{_topic}.json"),
        params:
            # Rerun when a checksum in the manifest changes (params rerun trigger).
            sha256=[MANIFEST[f].sha256 for f in _files],
            topic=_topic,
            python=PYTHON,
            settings=config_slice(config, "raw"),
        log:
            f"{RESULTS}/logs/acquire/{_topic}.log",
        conda:
            "../../envs/analysis.yaml"
        shell:
            "{params.python} -m analysis acquire --topic {params.topic} "
            "--records {output.record} --settings {params.settings:q} > {log} 2>&1"


rule acquisition_report:
    input:
        raw=RAW_FILES,
        records=ACQUIRE_RECORDS,
        code=command_code("acquisition-report"),
    output:
        f"{RESULTS}/audit/raw_files.csv",
    params:
        python=PYTHON,
        settings=config_slice(config, "raw.dir", "raw.manifest"),
    log:
        f"{RESULTS}/logs/acquisition_report.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "{params.python} -m analysis acquisition-report --out {output} "
        "--settings {params.settings:q} {input.records} > {log} 2>&1"
