# Acquisition: every manifest entry becomes a verified file under data/raw/.
# One job per topic: a job per file would pay Snakemake's per-job start-up 91 times.

from analysis.code_deps import code_files
from analysis.jobenv import PYTHON
from analysis.manifest import files_by_topic

TOPIC_FILES = files_by_topic(MANIFEST.values())


for _topic, _files in TOPIC_FILES.items():

    rule:
        name:
            f"acquire_{_topic}"
        input:
            code=code_files("acquire.py", "manifest.py", "hashing.py"),
        output:
            raw=[f"{RAW}/{f}" for f in _files],
            record=f"{RESULTS}/audit/acquire/{_topic}.json",
        params:
            # Rerun when a checksum in the manifest changes (params rerun trigger).
            sha256=[MANIFEST[f].sha256 for f in _files],
            topic=_topic,
            python=PYTHON,
        log:
            f"{RESULTS}/logs/acquire/{_topic}.log",
        conda:
            "../../envs/analysis.yaml"
        shell:
            "{params.python} -m analysis acquire --topic {params.topic} "
            "--records {output.record} > {log} 2>&1"


rule acquisition_report:
    input:
        raw=[f"{RAW}/{f}" for f in sorted(MANIFEST)],
        records=expand(f"{RESULTS}/audit/acquire/{{topic}}.json", topic=sorted(TOPIC_FILES)),
    output:
        f"{RESULTS}/audit/raw_files.csv",
    params:
        python=PYTHON,
        manifest=config["raw"]["manifest"],
    log:
        f"{RESULTS}/logs/acquisition_report.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "{params.python} -m analysis acquisition-report --manifest {params.manifest} "
        "--out {output} {input.records} > {log} 2>&1"
