# City diplomacy: from verified raw data to harmonized panels, models and a report.
# Rules live in analysis/rules/*.smk and only wire up functions from the `analysis` package.
import atexit
import gc

# Snakemake and its plugins have made ~100,000 objects by now that live as
# long as the process; a full garbage collection while the rules were read walked them all and
# cost a no-op rerun ~0.07 s. Frozen (gc.freeze()), collections see only newer objects. Reading
# the rules and building the DAG make few cycles and much of what lives until the end: no
# collection until `onstart` (jobs to run) turns them back on (a no-op rerun ~0.08 s faster).
gc.freeze()
gc.disable()
# At exit, the interpreter's last collection walked every object made since (the DAG, the
# jobs): frozen first, it walks none, and a no-op rerun ends ~0.06 s sooner (0.08-0.15 s of
# teardown fell to 0.04-0.06 s). Objects are still freed as their modules are cleared.
atexit.register(gc.freeze)

from analysis.acquire.fetch import check_raw_files
from analysis.core.config import read_config_files, validate_config
from analysis.workflow.dag import check_covariate_clashes
from analysis.workflow.facts import CodeInputs, manifest
from analysis.workflow.jobenv import pin_hash_seed
from analysis.workflow.params_check import serialise_params_lazily
from analysis.workflow.idle_rounds import skip_idle_rounds
from analysis.workflow.jobserver import JobServer
from analysis.workflow.plan_cache import PlanCache
from analysis.core.preflight import check_writable

pin_hash_seed()
serialise_params_lazily()  # Snakemake's params check imported pandas at every start
skip_idle_rounds()  # rounds without a free core read every ready job's input sizes
# Snakemake reads config files leniently (the last of two equal keys wins, syntax errors have
# no line): read them strictly first, so an error names the file, line and key.
CONFIG_DOCS = read_config_files(["config/config.yaml", *workflow.overwrite_configfiles])


configfile: "config/config.yaml"


report: "analysis/report/workflow.rst"


# What this file and the rule files derive from the package, the config and the model specs
# (validated config, sources, code inputs, hypotheses' facts), kept between starts while all of
# them are unchanged (analysis/workflow/plan_cache.py): a run with nothing to do imports no
# parser or hypothesis module.
PLAN = PlanCache(config, [workflow.main_snakefile])
# The one road for configuration: this resolved config (file + --config/--configfile) reaches
# every job as params; no job reads a config file itself.
config.update(PLAN.memo("config", lambda: validate_config(config, CONFIG_DOCS)))
MANIFEST = {e.file: e for e in manifest(PLAN, config["raw"]["manifest"])}
RAW = config["raw"]["dir"]
RESULTS = config["results_dir"]
check_writable([RESULTS, RAW])
# Verification at use: every raw file present is checked against the manifest on every run
# (hashed again unless its size, mtime, ctime and inode are those it was last hashed with).
check_raw_files(
    MANIFEST.values(), RAW, f"{RESULTS}/audit/acquire", ".snakemake/raw_verified.json"
)
PLAN.depend(f"{config['models']['dir']}/{h}.yaml" for h in config["models"]["hypotheses"])
PLAN.memo(
    "covariate_clashes",
    lambda: check_covariate_clashes(config["models"]["dir"], config["models"]["hypotheses"], config),
)
# Each job's code inputs (the import graph, analysis/workflow/code_deps.py) as one stamp file
CODE = CodeInputs(PLAN, config["models"]["hypotheses"])
command_code, source_code, hypothesis_code = (
    CODE.command_code,
    CODE.source_code,
    CODE.hypothesis_code,
)


# Local runs: one fork server imports the libraries once and runs every job (commands, logs and
# outputs unchanged; analysis/workflow/jobserver.py). Not for cluster executors, whose jobs
# run elsewhere, nor for a handful of jobs that would not repay its start-up.
JOB_SERVER = JobServer(f"{RESULTS}/logs/job_server.log")


onstart:
    gc.freeze()  # the rules and the DAG live until the end: no collection walks them
    gc.enable()
    if config["execution"]["job_server"] and workflow.local_exec and len(workflow.dag) > 3:
        JOB_SERVER.start()


onsuccess:
    JOB_SERVER.stop()


onerror:
    JOB_SERVER.stop()


include: "analysis/rules/acquire.smk"
include: "analysis/rules/parse.smk"
include: "analysis/rules/match.smk"
include: "analysis/rules/assemble.smk"
include: "analysis/rules/validate.smk"
include: "analysis/rules/models.smk"


# Every published output is a target: Snakemake does not rebuild a missing intermediate file
# while the files made from it are up to date, so anything a reviewer may open is listed here.
PUBLISHED = [
    RAW_FILES,
    ACQUIRE_RECORDS,
    rules.acquisition_report.output,
    PARSE_OUTPUTS,
    rules.rows_audit.output,
    rules.gazetteer.output,
    rules.lau_layer.output,
    rules.match_cities.output,
    rules.assemble.output,
    rules.country_pairs.output,
    rules.codebook.output,
    rules.validate_gawc2000.output,
    MODEL_OUTPUTS,
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
        PUBLISHED,
        rules.reviewer_map.output,


# Last: every value above was derived without an error, so the plan cache may keep them.
PLAN.save()
