# Models: one fit job per hypothesis spec (config/models/<h>.yaml), then its tables and figures.
# Editing one spec file reruns only that hypothesis's jobs.
import os

from analysis.core.config import config_slice
from analysis.workflow.jobenv import PYTHON
from analysis.workflow.dag import Hypotheses, robustness_threads
from analysis.report.figure_plan import design_figure_names_of, figure_names_of

SPEC_DIR = config["models"]["dir"]
HYPOTHESES = config["models"]["hypotheses"]
# Each hypothesis's tables, covariates, settings and checks (plan cache: no hypothesis
# module is imported while the package, config and specs are unchanged).
HYPS = Hypotheses(PLAN, SPEC_DIR, DATA, config)
MODELS = f"{RESULTS}/models"
FIGURE_FILES = [
    f"{RESULTS}/figures/{name}.{ext}"
    for h, names in PLAN.memo("figures", lambda: figure_names_of(HYPOTHESES)).items()
    for name in names
    for ext in ("png", "pdf")
]
ROBUST = f"{RESULTS}/robustness"
ROBUST_HYPOTHESES = [h for h in HYPOTHESES if HYPS[h]["robustness"]]
DESIGN_FIGURES = PLAN.memo(
    "design_figures", lambda: design_figure_names_of(SPEC_DIR, ROBUST_HYPOTHESES)
)
ROBUSTNESS_FILES = [
    f"{RESULTS}/figures/{h}_{kind}.{ext}"
    for h in ROBUST_HYPOTHESES
    for kind in DESIGN_FIGURES[h]
    for ext in ("png", "pdf")
] + [f"{ROBUST}/{h}/summary.json" for h in ROBUST_HYPOTHESES] + [
    f"{RESULTS}/figures/{h}_speccurve.{ext}"
    for h in ROBUST_HYPOTHESES
    if HYPS.has_curve(h)
    for ext in ("png", "pdf")
]
SAMPLE_DIRS = [f"{MODELS}/{h}/frames" for h in HYPOTHESES]
TABLE_FILES = [f"{RESULTS}/tables/{h}.{ext}" for h in HYPOTHESES for ext in ("md", "tex", "html")]
# H1's design tables (act-source coverage, countries of every estimate): rule h1_tables.
if "h1" in HYPOTHESES:
    TABLE_FILES += [
        f"{RESULTS}/tables/h1_{name}.{ext}" for name in ("coverage", "countries") for ext in ("csv", "md")
    ]


wildcard_constraints:
    hypothesis="h[0-9]+",
    figure="[a-z0-9_]+",


rule fit_models:
    input:
        spec=f"{SPEC_DIR}/{{hypothesis}}.yaml",
        tables=HYPS.tables,
        covariates=HYPS.covariate_files,
        code=command_code("fit"),
        module=lambda w: hypothesis_code(w.hypothesis),
    output:
        coefficients=f"{MODELS}/{{hypothesis}}/coefficients.csv",
        fit=f"{MODELS}/{{hypothesis}}/fit.json",
        figdata=directory(f"{MODELS}/{{hypothesis}}/figdata"),
        # Estimation samples: each frame with a sample__<model> mask (analysis/models/samples.py).
        frames=directory(f"{MODELS}/{{hypothesis}}/frames"),
        # The columns each frame's builder read: the reviewer's map credits sources from them.
        reads=f"{RESULTS}/cache/frame_reads/{{hypothesis}}.json",
    params:
        python=PYTHON,
        data=DATA,
        out=lambda w, output: os.path.dirname(output.fit),
        # Covariates and universe floors its spec reads (reruns on change, one road for config).
        settings=HYPS.settings,
    # Before any robustness job: each waits for its fit's frames, and the longest chains
    # (a pairs bootstrap's hundreds of refits: H5, then H3) go first (25 to 29).
    priority: HYPS.priority(25)
    log:
        f"{RESULTS}/logs/fit_{{hypothesis}}.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "{params.python} -m analysis fit --spec {input.spec} --data {params.data} "
        "--out {params.out} --reads {output.reads} --settings {params.settings:q} > {log} 2>&1"


rule model_tables:
    input:
        coefficients=rules.fit_models.output.coefficients,
        fit=rules.fit_models.output.fit,
        code=command_code("render-tables"),
        module=lambda w: hypothesis_code(w.hypothesis),
    output:
        md=f"{RESULTS}/tables/{{hypothesis}}.md",
        tex=f"{RESULTS}/tables/{{hypothesis}}.tex",
        html=report(
            f"{RESULTS}/tables/{{hypothesis}}.html",
            caption="../report/table.rst",
            category="Tables",
        ),
    params:
        python=PYTHON,
        models=lambda w, input: os.path.dirname(input.fit),
        stem=lambda w, output: os.path.splitext(output.md)[0],
    log:
        f"{RESULTS}/logs/tables_{{hypothesis}}.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "{params.python} -m analysis render-tables --models {params.models} "
        "--out-stem {params.stem} > {log} 2>&1"


rule h1_tables:
    input:
        acts=f"{DATA}/acts.parquet",
        city_year=f"{DATA}/city_year.parquet",
        figdata=f"{MODELS}/h1/figdata",
        code=command_code("h1-tables"),
    output:
        coverage_csv=f"{RESULTS}/tables/h1_coverage.csv",
        coverage_md=f"{RESULTS}/tables/h1_coverage.md",
        countries_csv=f"{RESULTS}/tables/h1_countries.csv",
        countries_md=f"{RESULTS}/tables/h1_countries.md",
    params:
        python=PYTHON,
        data=lambda w, input: os.path.dirname(input.acts),
        out_dir=lambda w, output: os.path.dirname(output.coverage_csv),
    log:
        f"{RESULTS}/logs/h1_tables.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "{params.python} -m analysis h1-tables --data {params.data} --figdata {input.figdata} "
        "--out-dir {params.out_dir} > {log} 2>&1"


rule model_figure:
    input:
        coefficients=rules.fit_models.output.coefficients,
        fit=rules.fit_models.output.fit,
        figdata=rules.fit_models.output.figdata,
        code=command_code("render-figures"),
        module=lambda w: hypothesis_code(w.hypothesis),
    output:
        png=report(
            f"{RESULTS}/figures/{{hypothesis}}_{{figure}}.png",
            caption="../report/figure.rst",
            category="Figures",
            subcategory="{hypothesis}",
        ),
        pdf=f"{RESULTS}/figures/{{hypothesis}}_{{figure}}.pdf",
    params:
        python=PYTHON,
        models=lambda w, input: os.path.dirname(input.fit),
        name=lambda w: f"{w.hypothesis}_{w.figure}",
        out_dir=lambda w, output: os.path.dirname(output.png),
    log:
        f"{RESULTS}/logs/figure_{{hypothesis}}_{{figure}}.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "{params.python} -m analysis render-figures --hypothesis {wildcards.hypothesis} "
        "--figure {params.name} --models {params.models} --out-dir {params.out_dir} > {log} 2>&1"


rule robustness:
    input:
        spec=f"{SPEC_DIR}/{{hypothesis}}.yaml",
        tables=HYPS.tables,
        covariates=HYPS.covariate_files,
        code=command_code("robustness"),
        module=lambda w: hypothesis_code(w.hypothesis),
        # The fit's published frames: the checks start from them instead of rebuilding.
        frames=rules.fit_models.output.frames,
    output:
        summary=f"{ROBUST}/{{hypothesis}}/summary.json",
        specs=f"{ROBUST}/{{hypothesis}}/specs.csv",
        loo=f"{ROBUST}/{{hypothesis}}/leave_one_out.csv",
        wild=f"{ROBUST}/{{hypothesis}}/wild_bootstrap.csv",
        randomization=f"{ROBUST}/{{hypothesis}}/randomization.csv",
        robust_p=f"{ROBUST}/{{hypothesis}}/robust_p.csv",
        synth_path=f"{ROBUST}/{{hypothesis}}/synth_path.csv",
        synth_weights=f"{ROBUST}/{{hypothesis}}/synth_weights.csv",
        synth_placebos=f"{ROBUST}/{{hypothesis}}/synth_placebos.csv",
    params:
        python=PYTHON,
        data=DATA,
        out=lambda w, output: os.path.dirname(output.summary),
        settings=HYPS.settings,
    # The specification curve can fit in parallel worker processes; the other checks are
    # serial, so a curve takes a quarter of the cores (one on a 2-core machine).
    threads: robustness_threads(HYPS.has_curve, workflow)
    # Among the pipeline's longest jobs: start them before tables and figures, the longest
    # first (20 to 24, below every fit).
    priority: HYPS.priority(20)
    log:
        f"{RESULTS}/logs/robustness_{{hypothesis}}.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "{params.python} -m analysis robustness --spec {input.spec} --data {params.data} "
        "--out {params.out} --workers {threads} --frames {input.frames} "
        "--settings {params.settings:q} > {log} 2>&1"


# Everything the fit and robustness jobs publish (targets of rule all, so none goes missing).
MODEL_OUTPUTS = expand(rules.fit_models.output, hypothesis=HYPOTHESES) + expand(
    rules.robustness.output, hypothesis=ROBUST_HYPOTHESES
)


ruleorder: spec_curve_figure > model_figure


rule spec_curve_figure:
    input:
        summary=rules.robustness.output.summary,
        specs=rules.robustness.output.specs,
        code=command_code("render-spec-curve"),
        # the curve's sources line is the hypothesis module's SOURCES
        module=lambda w: hypothesis_code(w.hypothesis),
    output:
        png=report(
            f"{RESULTS}/figures/{{hypothesis}}_speccurve.png",
            caption="../report/speccurve.rst",
            category="Robustness",
        ),
        pdf=f"{RESULTS}/figures/{{hypothesis}}_speccurve.pdf",
    params:
        python=PYTHON,
        robustness=lambda w, input: os.path.dirname(input.summary),
        stem=lambda w, output: os.path.splitext(output.png)[0],
    log:
        f"{RESULTS}/logs/speccurve_{{hypothesis}}.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "{params.python} -m analysis render-spec-curve --hypothesis {wildcards.hypothesis} "
        "--robustness {params.robustness} --out-stem {params.stem} > {log} 2>&1"


ruleorder: design_figure > model_figure


# Design-based checks of one treated country: placebo distribution, synthetic-control path.
rule design_figure:
    input:
        summary=rules.robustness.output.summary,
        randomization=rules.robustness.output.randomization,
        synth_path=rules.robustness.output.synth_path,
        synth_weights=rules.robustness.output.synth_weights,
        code=command_code("render-design-figure"),
    output:
        png=report(
            f"{RESULTS}/figures/{{hypothesis}}_{{kind}}.png",
            caption="../report/design.rst",
            category="Robustness",
        ),
        pdf=f"{RESULTS}/figures/{{hypothesis}}_{{kind}}.pdf",
    wildcard_constraints:
        kind="placebo|synth",
    params:
        python=PYTHON,
        robustness=lambda w, input: os.path.dirname(input.summary),
        stem=lambda w, output: os.path.splitext(output.png)[0],
    log:
        f"{RESULTS}/logs/design_figure_{{hypothesis}}_{{kind}}.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "{params.python} -m analysis render-design-figure --hypothesis {wildcards.hypothesis} "
        "--kind {wildcards.kind} --robustness {params.robustness} --out-stem {params.stem} "
        "> {log} 2>&1"


rule claims:
    input:
        fits=[f"{MODELS}/{h}/fit.json" for h in HYPOTHESES],
        coefficients=[f"{MODELS}/{h}/coefficients.csv" for h in HYPOTHESES],
        figdata=[f"{MODELS}/{h}/figdata" for h in HYPOTHESES],
        robustness=[f"{ROBUST}/{h}/summary.json" for h in ROBUST_HYPOTHESES],
        robust_p=[f"{ROBUST}/{h}/robust_p.csv" for h in ROBUST_HYPOTHESES],
        code=command_code("claims"),
        modules=sorted({f for h in HYPOTHESES for f in hypothesis_code(h)}),
    output:
        csv=f"{RESULTS}/claims.csv",
        md=f"{RESULTS}/claims.md",
        html=report(f"{RESULTS}/claims.html", caption="../report/claims.rst", category="Claims"),
    params:
        python=PYTHON,
        models=lambda w, input: os.path.dirname(os.path.dirname(input.fits[0])),
        robust=lambda w, output: os.path.join(os.path.dirname(output.md), "robustness"),
        settings=config_slice(config, "models.hypotheses"),
    log:
        f"{RESULTS}/logs/claims.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "{params.python} -m analysis claims --models {params.models} "
        "--robustness {params.robust} --out {output.md} --csv {output.csv} --html {output.html} "
        "--settings {params.settings:q} > {log} 2>&1"
