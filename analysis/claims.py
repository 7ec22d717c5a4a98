"""The claims ledger (``results/claims.md``): one entry per claim of the essay.

Each entry gives the claim in a sentence, the main estimate with its 95% interval, how robust
it is (specification curve, leave-one-out refits, wild bootstrap, or the sign across the
hypothesis's alternative models), a verdict in words and the files behind it. Every number
is read from a file the pipeline writes.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.findings import Estimate, Results, verdict


@dataclass(frozen=True)
class Claim:
    id: str
    hypothesis: str
    text: str
    model: str
    term: str | None
    expected: int  # +1 / -1: the sign the essay predicts
    alternatives: tuple[str, ...] = ()  # models whose focal term tests the same claim
    scale: str = "ratio"  # ratio: exp(b) (count/logit models); linear: b


CLAIMS: tuple[Claim, ...] = (
    Claim("H1a", "h1", "Democracy enables local defiance: cities defy national norm violations "
          "more where the regime is more democratic.", "vdem", None, +1,
          ("vdem", "row", "polity", "fh", "lied", "bmr", "vdem_lpm")),
    Claim("H1b", "h1", "Autocracies harness city diplomacy as an extension of national diplomacy: "
          "the normative share of a city's international ties rises with democracy.",
          "composition", "v2x_polyarchy", +1, ("composition", "composition_ols"), "linear"),
    Claim("H2a", "h2", "Economic centrality drives participation in transnational municipal "
          "networks.", "gawc2020", None, +1,
          ("gawc2020", "gawc2020_nb", "gawc2020_country_fe", "gawc2000", "air_degree",
           "fortune500", "missions", "c40_logit", "gawc2020_ols")),
    Claim("H2b", "h2", "Mainland Chinese cities participate less than their centrality "
          "predicts.", "china", "china_mainland", -1, ("china", "c40_logit_china", "china_ols")),
    Claim("H3a", "h3", "Cities enforce norms their nation abandons: US cities' climate "
          "commitments rose after the 2017 Paris withdrawal announcement, relative to cities in "
          "other high-income democracies.", "did_events", None, +1,
          ("did_events", "did_cdp", "did_cedamia"), "linear"),
    Claim("H3b", "h3", "Substitution: cities adhere to climate networks more when their nation "
          "stays outside the Paris Agreement.", "hz_no_interaction", None, +1,
          ("hz_no_interaction",)),
    Claim("H4a", "h4", "Constituents matter: cities with more Democratic electorates join "
          "climate networks (Climate Mayors, We Are Still In) more.", "cm_logit", None, +1,
          ("cm_logit", "cm_lpm_state_fe", "cm_logit_2012", "cm_logit_2020", "wasi_logit",
           "wasi_lpm_state_fe")),
    Claim("H4b", "h4", "Alignment: the mayor's party matters where constituents agree "
          "(positive mayor × electorate interaction).", "cm_mayor_logit", None, +1,
          ("cm_mayor_logit", "cm_mayor_lpm", "cm_cells_logit", "wasi_mayor_logit")),
    Claim("H5a", "h5", "Economic interests run through city diplomacy: more central cities have "
          "more sister-city ties.", "sc_gawc", None, +1,
          ("sc_gawc", "sc_gawc_nb", "sc_country_fe", "sc_air", "sc_fortune")),
    Claim("H5b", "h5", "Chinese cities favour bilateral ties over network memberships.",
          "ties_stacked", None, +1, ("ties_stacked", "share_china")),
)  # fmt: skip


def _interval(e: Estimate, scale: str) -> str:
    return e.ratio() if scale == "ratio" and e.estimator != "OLS" else e.linear()


def _alternatives(res: Results, claim: Claim) -> tuple[str, int, int]:
    ests = [res.get(m) for m in claim.alternatives if res.has(m)]
    same = sum(math.copysign(1, e.estimate) == claim.expected for e in ests)
    sig = sum(math.copysign(1, e.estimate) == claim.expected and e.significant for e in ests)
    text = f"{same} of {len(ests)} alternative models with the expected sign, {sig} at p < 0.05"
    return text, same, len(ests)


def _read_optional(path: Path) -> pd.DataFrame:
    """A robustness table that may be empty (nothing of that kind declared in the spec)."""
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def _robustness_text(robust_dir: Path, claim: Claim, res: Results) -> str:
    parts = [_alternatives(res, claim)[0]]
    summary_file = robust_dir / "summary.json"
    if summary_file.is_file():
        summary = json.loads(summary_file.read_text("utf-8"))
        curve = summary.get("curve")
        base = curve.get("main_estimate", {}).get("model") if curve else None
        if curve and base == claim.model:
            parts.append(
                f"specification curve: {curve['share_expected_sign']:.0%} of "
                f"{curve['fitted']} specifications with the expected sign, "
                f"{curve['share_expected_sign_p05']:.0%} also at p < 0.05 "
                f"({curve['share_opposite_sign_p05']:.0%} significant the other way)"
            )
        loo = _read_optional(robust_dir / "leave_one_out.csv")
        if loo.empty:
            loo = pd.DataFrame(columns=["kind", "model", "status", "estimate"])
        loo = loo[(loo["model"] == claim.model) & (loo["status"] == "ok")]
        for kind, rows in loo.groupby("kind", sort=True):
            same = (rows["estimate"].apply(lambda v: math.copysign(1, v)) == claim.expected).sum()
            parts.append(
                f"{kind}: estimates {rows['estimate'].min():.3f} to {rows['estimate'].max():.3f}, "
                f"{same} of {len(rows)} with the expected sign"
            )
        wild = _read_optional(robust_dir / "wild_bootstrap.csv")
        if not wild.empty:
            models = set(claim.alternatives) | {claim.model}
            for r in wild[wild["model"].isin(models)].itertuples():
                parts.append(
                    f"wild cluster bootstrap ({r.model}, {r.n_clusters} clusters, {r.reps} "
                    f"{r.weights} draws): p = {r.wild_p_value:.3f} (cluster-robust p = "
                    f"{r.cluster_p_value:.3f})"
                )
    return "; ".join(parts)


def claim_entries(models_root: Path, robust_root: Path, hypotheses: list[str]) -> list[dict]:
    out = []
    for claim in CLAIMS:
        if claim.hypothesis not in hypotheses:
            continue
        res = Results(models_root / claim.hypothesis)
        e = res.get(claim.model, claim.term)
        files = [
            f"results/models/{claim.hypothesis}/coefficients.csv",
            f"results/tables/{claim.hypothesis}.md",
            f"config/models/{claim.hypothesis}.yaml",
        ]
        if (robust_root / claim.hypothesis / "summary.json").is_file():
            files.append(f"results/robustness/{claim.hypothesis}/")
        out.append(
            {
                "id": claim.id,
                "claim": claim.text,
                "estimate": f"{e.model} / {e.term}: {_interval(e, claim.scale)}, {e.p()}, "
                f"N = {e.n_obs:,}, {e.estimator}, {e.vcov_label}",
                "robustness": _robustness_text(robust_root / claim.hypothesis, claim, res),
                "verdict": verdict(e, claim.expected),
                "files": files,
            }
        )
    return out


def claims_markdown(models_root: Path, robust_root: Path, hypotheses: list[str]) -> str:
    lines = [
        "# Claims ledger",
        "",
        "One entry per claim of Leffel's essay (DESIGN §2). Estimates are the main model's focal "
        "coefficient with its 95% interval (exp(b) for count and logit models, b for linear "
        "ones); verdicts: supported (expected sign, p < 0.05), not supported (no significant "
        "association, or significant in the opposite direction). Generated by "
        "`python -m analysis claims`; every number comes from the files listed.",
        "",
    ]
    for c in claim_entries(models_root, robust_root, hypotheses):
        lines += [
            f"## {c['id']}. {c['claim']}",
            "",
            f"- **Estimate:** {c['estimate']}",
            f"- **Robustness:** {c['robustness']}",
            f"- **Verdict:** {c['verdict']}",
            f"- **Files:** {', '.join(f'`{f}`' for f in c['files'])}",
            "",
        ]
    return "\n".join(lines)


def _inline(text: str) -> str:
    """Escape HTML, then render the ledger's inline Markdown: **bold** and `code`."""
    out = html.escape(text)
    out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", out)


def markdown_to_html(md: str) -> str:
    """The ledger's small Markdown subset (headings, paragraphs, bullet lists) as HTML."""
    body, in_list = [], False
    for line in md.splitlines():
        if line.startswith("- "):
            if not in_list:
                body.append("<ul>")
                in_list = True
            body.append(f"<li>{_inline(line[2:])}</li>")
            continue
        if in_list:
            body.append("</ul>")
            in_list = False
        if line.startswith("## "):
            body.append(f"<h2>{_inline(line[3:])}</h2>")
        elif line.startswith("# "):
            body.append(f"<h1>{_inline(line[2:])}</h1>")
        elif line.strip():
            body.append(f"<p>{_inline(line)}</p>")
    if in_list:
        body.append("</ul>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Claims ledger</title></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
