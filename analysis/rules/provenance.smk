# The reviewer's map and the sha256 manifest of results/: made last, from every other output.

from analysis.core.config import config_slice
from analysis.workflow.jobenv import PYTHON


rule reviewer_map:
    input:
        published=PUBLISHED,
        # what each fit's frame builders read (the sources each hypothesis credits)
        frame_reads=expand(rules.fit_models.output.reads, hypothesis=HYPOTHESES),
        code=command_code("reviewer-map"),
    output:
        csv=f"{RESULTS}/reviewer_map.csv",
        md=f"{RESULTS}/reviewer_map.md",
        sums=f"{RESULTS}/SHA256SUMS",
    params:
        python=PYTHON,
        settings=config_slice(
            config, "results_dir", "models.dir", "models.hypotheses", "models.universe"
        ),
    log:
        f"{RESULTS}/logs/reviewer_map.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "{params.python} -m analysis reviewer-map --frame-reads {input.frame_reads} "
        "--settings {params.settings:q} {input.published} > {log} 2>&1"
