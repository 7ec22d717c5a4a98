# The reviewer's map and the sha256 manifest of results/: made last, from every other output.

from analysis.workflow.code_deps import command_code
from analysis.core.config import config_slice
from analysis.workflow.jobenv import PYTHON


rule reviewer_map:
    input:
        published=PUBLISHED,
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
        "{params.python} -m analysis reviewer-map --settings {params.settings:q} "
        "{input.published} > {log} 2>&1"
