"""The figure files each hypothesis declares, as the rule files list them among the DAG's outputs.

The rule files import this module at every Snakemake start; the helpers it calls import the
hypothesis modules and pandas, so they are imported inside the functions, which the rule files
call through the plan cache: a start that changed nothing loads neither.
"""

from __future__ import annotations


def figure_names_of(hypotheses: list[str]) -> dict[str, list[str]]:
    """Each hypothesis's model figures."""
    from analysis.report.render import figure_names

    return {h: figure_names(h) for h in hypotheses}


def design_figure_names_of(spec_dir: str, hypotheses: list[str]) -> dict[str, list[str]]:
    """Each hypothesis's design figures (placebo, synth), from its spec."""
    from analysis.report.design_figures import design_figure_names

    return {h: design_figure_names(f"{spec_dir}/{h}.yaml") for h in hypotheses}
