# The reviewer's map and the sha256 manifest of results/: made last, from every other output.

from analysis.core.config import config_slice
from analysis.workflow.jobenv import PYTHON


# Which sources each hypothesis's frames read (frames rebuilt with recording tables): a job of
# its own, run beside the models instead of at the end inside the reviewer's map.
rule frame_sources:
    input:
        specs=expand(f"{SPEC_DIR}/{{hypothesis}}.yaml", hypothesis=HYPOTHESES),
        tables=HYPS.all_tables(),
        parsed=PARSE_OUTPUTS,
        code=command_code("frame-sources"),
        modules=sorted({f for h in HYPOTHESES for f in hypothesis_code(h)}),
    output:
        f"{RESULTS}/cache/frame_sources.json",
    params:
        python=PYTHON,
        settings=config_slice(
            config, "results_dir", "models.dir", "models.hypotheses", "models.universe"
        ),
    # After the fits, before the robustness jobs: it then runs beside the longest fit instead
    # of after the last robustness job, where the reviewer's map would wait for it.
    priority: 22
    log:
        f"{RESULTS}/logs/frame_sources.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "{params.python} -m analysis frame-sources --out {output} "
        "--settings {params.settings:q} > {log} 2>&1"


rule reviewer_map:
    input:
        published=PUBLISHED,
        frame_sources=rules.frame_sources.output[0],
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
        "{params.python} -m analysis reviewer-map --frame-sources {input.frame_sources} "
        "--settings {params.settings:q} {input.published} > {log} 2>&1"
