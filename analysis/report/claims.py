"""The claims ledger: ``results/claims.csv`` (one row per claim of the essay) and
``results/claims.md``/``.html`` generated from it.

Each row gives the claim, the main model's focal estimate with its 95% interval (on the
coefficient's scale: log rate or log odds for count and logit models, outcome units for
linear ones), its p-value, a robust p-value and its method, the Holm-adjusted p-value over
the ledger's claims, the minimum detectable effect, whether the fit is degenerate, the
specification curve's shares and the verdict (rules: :mod:`analysis.report.verdicts`).
Every number is read from a file the pipeline writes.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from analysis.models.spec import LINEAR
from analysis.report.results import Results
from analysis.report.verdicts import Evidence, fmt_p, holm, mde, sentence, verdict


@dataclass(frozen=True)
class Claim:
    id: str
    hypothesis: str
    text: str
    model: str
    term: str | None
    expected: int  # +1 / -1: the sign the essay predicts
    alternatives: tuple[str, ...] = ()  # models whose focal term tests the same claim
    robust: str | None = None  # the model (or bootstrap variant) whose robust p is the claim's
    related: tuple[str, ...] = ()  # reported too, but their focal term is another quantity


CLAIMS: tuple[Claim, ...] = (
    Claim("H1a", "h1", "Democracy enables local defiance: cities defy national norm violations "
          "more where the regime is more democratic.", "climate", None, +1,
          ("climate", "row", "polity", "fh", "lied", "bmr", "climate_lpm", "climate_logit",
           "climate_all_countries"),
          "climate_lpm", ("peace", "peace_lpm", "pooled_universe", "cy_climate", "cy_climate_fe",
                          "cy_peace", "rai", "federal", "vdem", "vdem_lpm")),
    Claim("H1b", "h1", "Autocracies harness city diplomacy as an extension of national diplomacy: "
          "the normative share of a city's international ties rises with democracy.",
          "composition_no_europe", "v2x_polyarchy", +1,
          ("composition_no_europe", "composition_no_europe_ols", "composition",
           "composition_ols", "composition_europe"),
          "composition_no_europe_ols"),
    Claim("H2a", "h2", "Economic centrality drives participation in transnational municipal "
          "networks.", "gawc2020", None, +1,
          ("gawc2020", "gawc2020_nb", "gawc2020_country_fe", "gawc2000", "air_degree",
           "fortune500", "missions", "c40_logit", "gawc2020_ols"), "gawc2020_ols"),
    Claim("H2b", "h2", "Mainland Chinese cities participate less than their centrality "
          "predicts.", "china", "china_mainland", -1, ("china", "c40_logit_china", "china_ols"),
          "china_ols"),
    Claim("H3a", "h3", "Cities enforce norms their nation abandons: US cities' climate "
          "commitments rose after the 2017 Paris withdrawal announcement, relative to cities in "
          "other high-income democracies.", "did_events", None, +1,
          ("did_events", "did_cdp", "did_cedamia", "did_events_poisson", "did_events_1617",
           "did_events_to2020"), "did_events",
          ("es_events", "es_cdp", "es_cdp_first", "es_cedamia", "es_events_city",
           "es_events_poisson")),
    Claim("H3b", "h3", "Substitution: cities adhere to climate networks more when their nation "
          "stays outside the Paris Agreement.", "hz_no_interaction", None, +1,
          ("hz_no_interaction",), "hz_no_interaction_lpm",
          ("hz_main", "hz_2016", "hz_reach_any", "hz_lpm_country")),
    Claim("H4a", "h4", "Constituents matter: cities with more Democratic electorates join "
          "climate networks (Climate Mayors, We Are Still In) more.", "cm_logit", None, +1,
          ("cm_logit", "cm_lpm_state_fe", "cm_logit_2012", "cm_logit_2020", "wasi_logit",
           "wasi_lpm_state_fe"), "cm_lpm_state_fe",
          ("nae_ols", "g287_logit", "g287_lpm_state_fe", "detainer_frac")),
    Claim("H4b", "h4", "Alignment: the mayor's party matters where constituents agree "
          "(positive mayor × electorate interaction).", "cm_mayor_logit", None, +1,
          ("cm_mayor_logit", "cm_mayor_lpm", "cm_cells_logit", "wasi_mayor_logit"),
          "cm_mayor_lpm", ("nae_mayor_ols", "detainer_frac_fb", "adopt_logit",
                           "adopt_lpm_state_fe")),
    Claim("H5a", "h5", "Economic interests run through city diplomacy: more central cities have "
          "more sister-city ties.", "sc_gawc", None, +1,
          ("sc_gawc", "sc_gawc_nb", "sc_country_fe", "sc_air", "sc_fortune"), "sc_gawc"),
    Claim("H5b", "h5", "Chinese cities favour bilateral ties over network memberships.",
          "ties_stacked", None, +1, ("ties_stacked", "share_china"), "ties_stacked",
          ("sc_china_main", "net_china", "sc_china")),
)  # fmt: skip

LEDGER_COLUMNS = [
    "claim_id", "hypothesis", "claim", "model", "term", "expected_sign", "estimate", "ci_low",
    "ci_high", "scale", "p_value", "p_robust", "p_robust_method", "p_holm", "mde", "n_obs",
    "n_clusters", "degenerate", "spec_n", "spec_share_expected", "spec_share_sig_expected",
    "spec_share_sig_opposite", "verdict",
    # appended (DESIGN §4's columns come first, unchanged): the randomization-inference rank
    # behind p_robust, and the synthetic control that checks the claim (H3a)
    "p_robust_rank", "p_robust_units", "synth_estimate", "synth_p", "synth_pre_years",
]  # fmt: skip


def _read_optional(path: Path) -> pd.DataFrame:
    """A robustness table that may be absent or empty (nothing of that kind declared)."""
    try:
        return pd.read_csv(path)
    except (FileNotFoundError, pd.errors.EmptyDataError):
        return pd.DataFrame()


def _scale(estimator: str) -> str:
    return "linear" if estimator in LINEAR else "log"


def _alternative_rows(res: Results, models: tuple[str, ...], term: str | None = None) -> list:
    """(model, term, estimate, statistic, p, degenerate, label) of each listed model present."""
    out = []
    for m in models:
        if not res.has(m):
            continue
        e = res.get(m, term if m == models[0] else None)
        c = res.coefs[(res.coefs["model"] == m) & (res.coefs["term"] == e.term)].iloc[0]
        info = res.models[m]
        deg = bool(info.get("degenerate_terms", {}).get(e.term)) or bool(info.get("degenerate"))
        out.append({"model": m, "term": e.term, "estimate": e.estimate,
                    "statistic": float(c["statistic"]), "p_value": e.p_value,
                    "degenerate": deg, "estimator": info["estimator"],
                    "label": info.get("label", m)})  # fmt: skip
    return out


def _shares(signs: np.ndarray, sig: np.ndarray, expected: int) -> dict[str, Any]:
    n = len(signs)
    if n == 0:
        return {"spec_n": 0, "spec_share_expected": None, "spec_share_sig_expected": None,
                "spec_share_sig_opposite": None}  # fmt: skip
    same = signs == expected
    return {
        "spec_n": int(n),
        "spec_share_expected": float(same.mean()),
        "spec_share_sig_expected": float((same & sig).mean()),
        "spec_share_sig_opposite": float((~same & sig).mean()),
    }


def _curve_shares(robust_dir: Path, claim: Claim, alts: list[dict]) -> tuple[dict, str]:
    """The claim's specification-curve shares (non-degenerate fitted specs) and their source:
    the hypothesis's curve when its base is the claim's model, else the listed alternatives."""
    summary_file = robust_dir / "summary.json"
    curve = None
    if summary_file.is_file():
        curve = json.loads(summary_file.read_text("utf-8")).get("curve")
    if curve and curve.get("main_estimate", {}).get("model") == claim.model:
        specs = _read_optional(robust_dir / "specs.csv")
        ok = specs[specs["status"] == "ok"]
        ok = ok[~ok["degenerate"].astype(bool)]
        shares = _shares(np.sign(ok["estimate"].astype(float)).to_numpy(),
                         ok["significant"].astype(bool).to_numpy(), claim.expected)  # fmt: skip
        return shares, f"specification curve ({curve['specifications']} specifications)"
    sound = [a for a in alts if not a["degenerate"]]
    shares = _shares(np.sign([a["estimate"] for a in sound]),
                     np.array([a["p_value"] < 0.05 for a in sound], dtype=bool),
                     claim.expected)  # fmt: skip
    return shares, f"the claim's {len(alts)} listed alternative models (no curve on this model)"


def _robust_p(robust_dir: Path, claim: Claim, res: Results) -> dict[str, Any]:
    name = claim.robust or claim.model
    table = _read_optional(robust_dir / "robust_p.csv")
    if not table.empty:
        rows = table[table["model"] == name]  # one row per model: its focal term
        if name == claim.model and claim.term:
            rows = rows[rows["term"] == claim.term]
        if len(rows):
            r = rows.iloc[0]
            p = float(r["p_robust"]) if pd.notna(r["p_robust"]) else None
            return {"p": p, "method": f"{r['method']} ({name}; {r['detail']})",
                    "estimate": float(r["estimate"])}  # fmt: skip
    return {"p": None, "method": "none declared", "estimate": None}


def _design_checks(robust_dir: Path, claim: Claim) -> dict[str, Any]:
    """The randomization rank and the synthetic control of the claim's model, if any
    (``summary.json`` of the robustness stage)."""
    out: dict[str, Any] = {"p_robust_rank": None, "p_robust_units": None,
                           "synth_estimate": None, "synth_p": None, "synth_pre_years": None,
                           "_synth": None}  # fmt: skip
    summary_file = robust_dir / "summary.json"
    if not summary_file.is_file():
        return out
    summary = json.loads(summary_file.read_text("utf-8"))
    ri = summary.get("randomization")
    if ri and ri.get("model") == (claim.robust or claim.model):
        out["p_robust_rank"], out["p_robust_units"] = ri["rank"], ri["rank_of"]
    sc = summary.get("synthetic_control")
    if sc and sc.get("checks") == claim.model:
        out |= {"synth_estimate": sc["estimate"], "synth_p": sc["p_value"],
                "synth_pre_years": len(sc["pre_years"]), "_synth": sc}  # fmt: skip
    return out


def ledger(models_root: Path, robust_root: Path, hypotheses: list[str]) -> pd.DataFrame:
    """The claims ledger, one row per claim (columns ``LEDGER_COLUMNS``), plus the texts the
    Markdown needs (columns starting with ``_``)."""
    rows = []
    for claim in CLAIMS:
        if claim.hypothesis not in hypotheses:
            continue
        res = Results(models_root / claim.hypothesis)
        e = res.get(claim.model, claim.term)
        info = res.models[claim.model]
        coef = res.coefs[(res.coefs["model"] == claim.model) & (res.coefs["term"] == e.term)]
        se = float(coef.iloc[0]["std_error"])
        degenerate = bool(info.get("degenerate_terms", {}).get(e.term)) or bool(
            info.get("degenerate")
        )
        linear = info["estimator"] in LINEAR
        robust_dir = robust_root / claim.hypothesis
        alts = _alternative_rows(res, claim.alternatives, claim.term)
        related = _alternative_rows(res, claim.related)
        shares, shares_source = _curve_shares(robust_dir, claim, alts)
        rp = _robust_p(robust_dir, claim, res)
        p_robust = rp["p"]
        if rp["estimate"] is not None and np.sign(rp["estimate"]) != np.sign(e.estimate):
            p_robust = None  # the robust variant disagrees on the sign: no robust support
            rp["method"] += "; its estimate has the other sign, so no robust p"
        m, m_dist = mde(se, linear, e.n_clusters)
        used = claim.robust or claim.model
        others = _read_optional(robust_dir / "robust_p.csv")
        if not others.empty:
            mine = {claim.model, *claim.alternatives} - {used}
            others = others[others["model"].isin(mine)]
        checks = _design_checks(robust_dir, claim)
        rows.append({
            **checks,
            "claim_id": claim.id, "hypothesis": claim.hypothesis, "claim": claim.text,
            "model": claim.model, "term": e.term, "expected_sign": claim.expected,
            "estimate": e.estimate, "ci_low": e.ci_low, "ci_high": e.ci_high,
            "scale": _scale(info["estimator"]),
            "p_value": e.p_value,
            "p_robust": p_robust, "p_robust_method": rp["method"], "mde": m,
            "n_obs": e.n_obs, "n_clusters": e.n_clusters, "degenerate": degenerate, **shares,
            "_mde_dist": m_dist, "_shares_source": shares_source, "_alts": alts,
            "_related": related, "_info": info,
            "_other_robust": [
                f"{r['model']} ({r['term']}): {fmt_p(_opt(r['p_robust']))}, {r['method']}, "
                f"{r['detail']}" for r in others.to_dict("records")
            ],
            "_degenerate_reason": info.get("degenerate_terms", {}).get(e.term),
        })  # fmt: skip
    table = pd.DataFrame(rows)
    if table.empty:
        return pd.DataFrame(columns=LEDGER_COLUMNS)
    # a degenerate fit's p-value is no evidence: it enters the Holm family as 1
    table["p_holm"] = holm(table["p_value"].where(~table["degenerate"].astype(bool)).tolist())
    verdicts, sentences = [], []
    for r in table.to_dict("records"):
        ev = evidence(r)
        v = verdict(ev)
        verdicts.append(v)
        sentences.append(sentence(v, ev, mde_text(r["mde"], r["scale"])))
    table["verdict"] = verdicts
    table["_sentence"] = sentences
    return table


def _opt(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def evidence(r: dict[str, Any]) -> Evidence:
    """A ledger row as the verdict rule's input."""
    return Evidence(
        estimate=float(r["estimate"]), p_value=float(r["p_value"]), p_robust=_opt(r["p_robust"]),
        p_holm=float(r["p_holm"]), expected_sign=int(r["expected_sign"]),
        degenerate=bool(r["degenerate"]), spec_n=int(r["spec_n"]),
        spec_share_expected=_opt(r["spec_share_expected"]),
        spec_share_sig_expected=_opt(r["spec_share_sig_expected"]),
        spec_share_sig_opposite=_opt(r["spec_share_sig_opposite"]),
        synth_estimate=_opt(r.get("synth_estimate")),
    )  # fmt: skip


def mde_text(value: float, scale: str) -> str:
    """The MDE in words on the estimate's scale (and as a ratio on the log scale)."""
    if scale == "log":
        return f"|b| = {value:.3f} on the log scale (a ratio of {math.exp(value):.2f})"
    return f"|b| = {value:.3g}"


def write_ledger(table: pd.DataFrame, path: Path) -> None:
    from analysis.core.tableio import write_csv

    out = table[LEDGER_COLUMNS].copy()
    out["degenerate"] = out["degenerate"].map({True: "true", False: "false"})
    write_csv(out, path)


def _b(v: float, scale: str) -> str:
    return f"{v:.3f}" if scale == "log" else f"{v:.3g}"


def _headline(r: Any) -> str:
    b = f"b = {_b(r.estimate, r.scale)} (95% CI {_b(r.ci_low, r.scale)} to {_b(r.ci_high, r.scale)})"
    if r.scale == "log":
        b += (
            f"; ratio {math.exp(r.estimate):.2f} (95% CI {math.exp(r.ci_low):.2f}–"
            f"{math.exp(r.ci_high):.2f})"
        )
    return b


def _alt_text(a: dict) -> str:
    flag = ", degenerate" if a["degenerate"] else ""
    return (
        f"{a['model']} ({a['term']}): {a['estimate']:.3g}, z = {a['statistic']:.2f}, "
        + fmt_p(a["p_value"])
        + flag
    )


def _loo_text(robust_dir: Path, claim_model: str, scale: str) -> list[str]:
    loo = _read_optional(robust_dir / "leave_one_out.csv")
    if loo.empty:
        return []
    loo = loo[(loo["model"] == claim_model) & (loo["status"] == "ok")]
    if "degenerate" in loo:
        loo = loo[~loo["degenerate"].astype(bool)]
    out = []
    for kind, rows in loo.groupby("kind", sort=True):
        est = rows["estimate"].astype(float)
        out.append(
            f"{kind}: b from {_b(est.min(), scale)} to {_b(est.max(), scale)} "
            f"({len(rows)} refits, {(est > 0).sum()} positive)"
        )
    return out


def claims_markdown_from(table: pd.DataFrame, robust_root: Path) -> str:
    lines = [
        "# Claims ledger",
        "",
        "One entry per claim of Leffel's essay (DESIGN §2), generated from "
        "`results/claims.csv` by `python -m analysis claims`. Estimates are the main model's "
        "focal coefficient b with its 95% interval (log scale for count and logit models, "
        "with the ratio exp(b); outcome units for linear ones); robustness ranges are on the "
        "same b scale. Verdicts follow `docs/verdicts.md`: supported / contradicted need the "
        "main, robust and Holm-adjusted p-values below 0.05, a sound fit and a curve that backs "
        "the sign; a significant estimate failing any check is fragile; the rest is "
        "inconclusive, with its minimum detectable effect (80% power, 5% two-sided).",
        "",
        "| Claim | Verdict | b | p | robust p | Holm p | MDE |",
        "|---|---|---|---|---|---|---|",
    ]
    records = [SimpleNamespace(**d) for d in table.to_dict("records")]
    for r in records:
        lines.append(
            f"| {r.claim_id} | {r.verdict} | {_b(r.estimate, r.scale)} | "
            f"{fmt_p(r.p_value, bare=True)} | {fmt_p(_opt(r.p_robust), bare=True)} | "
            f"{fmt_p(r.p_holm, bare=True)} | {_b(r.mde, r.scale)} |"
        )
    lines.append("")
    for r in records:
        d = vars(r)
        info = d["_info"]
        spec = (
            f"{r.spec_n} from {d['_shares_source']}: {r.spec_share_expected:.0%} with the "
            f"expected sign, {r.spec_share_sig_expected:.0%} also at p < 0.05, "
            f"{r.spec_share_sig_opposite:.0%} significant the other way"
            if r.spec_n
            else "none"
        )
        deg = f"yes: {d['_degenerate_reason']}" if r.degenerate else "no"
        lines += [
            f"## {r.claim_id}. {r.claim}",
            "",
            f"- **Estimate:** {r.model} / {r.term}: {_headline(r)}, "
            f"{fmt_p(r.p_value)}, N = {int(r.n_obs):,}, {info['estimator_label']}, "
            f"{info['vcov_label']}",
            f"- **Robust p:** {fmt_p(_opt(r.p_robust))} ({r.p_robust_method}); Holm-adjusted over "
            f"the {len(table)} claims: {fmt_p(r.p_holm)}",
            *_synth_lines(d),
            f"- **Power:** minimum detectable effect {mde_text(r.mde, r.scale)} "
            f"({d['_mde_dist']} quantiles)",
            f"- **Degenerate fit:** {deg}",
            f"- **Specifications:** {spec}",
            "- **Alternatives (all listed):** "
            + ("; ".join(_alt_text(a) for a in d["_alts"]) or "none"),
        ]
        if d["_related"]:
            lines.append(
                "- **Related models (another focal term):** "
                + "; ".join(_alt_text(a) for a in d["_related"])
            )
        if d["_other_robust"]:
            lines.append("- **Other robust p-values:** " + "; ".join(d["_other_robust"]))
        for text in _loo_text(robust_root / r.hypothesis, r.model, r.scale):
            lines.append(f"- **Leave one out:** {text}")
        files = [
            f"results/models/{r.hypothesis}/coefficients.csv",
            f"results/tables/{r.hypothesis}.md",
            f"config/models/{r.hypothesis}.yaml",
            f"results/robustness/{r.hypothesis}/",
        ]
        lines += [
            f"- **Verdict:** {d['_sentence']}",
            f"- **Files:** {', '.join(f'`{f}`' for f in files)}",
            "",
        ]
    return "\n".join(lines)


def _synth_lines(d: dict[str, Any]) -> list[str]:
    sc = d.get("_synth")
    if not sc:
        return []
    return [
        f"- **Synthetic control (a check):** mean post-period gap {sc['estimate']:.3g} "
        f"({sc['outcome']}, {sc['treated']} against {sc['donors']} donor countries; years "
        f"{sc['post_years'][0]}-{sc['post_years'][-1]}), placebo {fmt_p(sc['p_value'])} (rank "
        f"{sc['rank']} of {sc['placebos'] + 1}); {sc['credibility_note']}"
    ]


def claims_markdown(models_root: Path, robust_root: Path, hypotheses: list[str]) -> str:
    return claims_markdown_from(ledger(models_root, robust_root, hypotheses), robust_root)


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
