# City diplomacy: from verified raw data to harmonized panels, models and a report.
# Rules live in analysis/rules/*.smk and only wire up functions from the `analysis` package.
from analysis.config import validate_config
from analysis.jobenv import pin_hash_seed
from analysis.manifest import load_manifest

pin_hash_seed()


configfile: "config/config.yaml"


report: "analysis/report/workflow.rst"


config.update(validate_config(config))
MANIFEST = {e.file: e for e in load_manifest(config["raw"]["manifest"])}
RAW = config["raw"]["dir"]
RESULTS = config["results_dir"]


include: "analysis/rules/acquire.smk"
include: "analysis/rules/parse.smk"
include: "analysis/rules/match.smk"
include: "analysis/rules/assemble.smk"
include: "analysis/rules/validate.smk"
include: "analysis/rules/models.smk"


FINAL = [
    rules.acquisition_report.output,
    rules.rows_audit.output,
    rules.match_cities.output,
    rules.codebook.output,
    rules.validate_gawc2000.output,
    TABLE_FILES,
    SAMPLE_DIRS,
    FIGURE_FILES,
    ROBUSTNESS_FILES,
    rules.claims.output,
]


include: "analysis/rules/provenance.smk"


rule all:
    default_target: True
    input:
        FINAL,
        rules.reviewer_map.output,
