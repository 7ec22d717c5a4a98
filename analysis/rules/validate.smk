# Checks of derived measures against published figures (a failed check stops the run).


rule validate_gawc2000:
    input:
        mentions=f"{RESULTS}/interim/gawc_2000/mentions.parquet",
        measures=f"{RESULTS}/interim/gawc_2000/city_measures.parquet",
        code=command_code("validate-gawc2000"),
    output:
        f"{RESULTS}/audit/gawc2000_validation.csv",
    params:
        python=PYTHON,
    log:
        f"{RESULTS}/logs/validate_gawc2000.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "{params.python} -m analysis validate-gawc2000 --mentions {input.mentions} "
        "--measures {input.measures} --out {output} > {log} 2>&1"
