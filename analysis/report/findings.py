"""Findings in words, generated from the files the pipeline writes (no hand-typed numbers).

Each hypothesis has a function that reads ``results/models/<h>/`` and returns Markdown
sentences: the headline estimate with its 95% interval, sample and N, estimator and
standard errors, and the comparison with the essay's claim and the published anchors of
DESIGN §2. The README's ``findings`` block is spliced from :func:`findings_markdown`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from analysis.report.results import Estimate, Results


def sign_count(res: Results, models: list[str], expected: int) -> tuple[int, int, int]:
    """(models with the expected sign, of those significant at 5%, models present)."""
    ests = [res.get(m) for m in models if res.has(m)]
    same = [e for e in ests if math.copysign(1, e.estimate) == expected]
    return len(same), sum(e.significant for e in same), len(ests)


def verdict(res: Results, claim_id: str) -> str:
    """The claim's verdict word from the ledger (rules: analysis/report/verdicts.py)."""
    return res.verdicts[claim_id]["verdict"]


def why(res: Results, claim_id: str) -> str:
    """The ledger's verdict sentence (with the failed checks, or the MDE when inconclusive)."""
    return f"Verdict {claim_id}: {res.verdicts[claim_id]['sentence']}."


def h2_findings(res: Results) -> list[str]:
    main = res.get("gawc2020")
    fe = res.get("gawc2020_country_fe")
    china = res.get("china", "china_mainland")
    c40 = res.get("c40_logit")
    dem = res.get("gawc2020", "v2x_polyarchy")
    alts = ["gawc2020", "gawc2000", "air_degree", "fortune500", "missions"]
    same, sig, total = sign_count(res, alts, +1)
    out = [
        f"**H2 centrality — {verdict(res, 'H2a')}.** Across {main.n_obs:,} GaWC cities in 2020, "
        f"a one-SD higher log GaWC connectivity goes with {main.ratio()} times as many "
        f"transnational network memberships ({main.estimator}, log population, capital, national "
        f"GDP per capita and democracy held fixed; {main.errors}; {main.p()}). "
        f"Within countries (country fixed effects, N = {fe.n_obs:,}) the ratio is {fe.ratio()}. "
        f"{same} of {total} centrality measures give a positive slope, {sig} of them at p < 0.05 "
        f"(GaWC 2020 and 2000, airline degree, Fortune 500 HQs, foreign missions). A one-SD "
        f"higher connectivity multiplies the odds of C40 membership by {c40.ratio()}. "
        + why(res, "H2a"),
        f"Mainland Chinese cities hold {china.ratio()} times the memberships of comparable "
        f"cities at mean connectivity ({china.p()}): "
        + (
            "below the line, as the essay expects"
            if china.estimate < 0
            else "above the line, against the essay's expectation"
        )
        + f" ({china.errors}: China is one country, so country clusters would "
        "leave its terms a single cluster). " + why(res, "H2b"),
        f"Anchors: the positive slope agrees with Lee (2013; global cityness predicts C40/CCP "
        f"membership in 256 cities) and Acuto & Leffel (2021; the most central cities hold the "
        f"most memberships). Unlike Lee, where democracy was not significant, national "
        f"electoral democracy here has coefficient {dem.linear(2)} on the log rate "
        f"({dem.p()}), in line with Acuto & Leffel's civil-liberties finding.",
    ]
    return out


def _country_list(res: Results, model: str) -> str:
    """'USA 72%, TUR 19%, ...' of the acts in a model's estimation sample."""
    t = res.figdata("country_shares")
    t = t[(t["model"] == model) & (t["acts"] > 0)]
    return ", ".join(f"{r.country_iso3} {r.share_acts:.0%}" for r in t.itertuples()) or "none"


def h1_findings(res: Results) -> list[str]:
    main = res.get("climate")
    alts = ["climate", "row", "polity", "fh", "lied", "bmr"]
    same, sig, total = sign_count(res, alts, +1)
    peace = res.get("peace")
    shares = res.figdata("country_shares")
    clim = shares[shares["model"] == "climate"]
    pc = shares[shares["model"] == "peace"]
    named = res.get("vdem")
    comp = res.get("composition_no_europe", "v2x_polyarchy")
    comp_all = res.get("composition", "v2x_polyarchy")
    comp_eu = res.get("composition_europe", "v2x_polyarchy")
    china = res.get("composition", "china_mainland")
    means = res.figdata("composition_means").set_index("group")
    cn, other = means.loc["Mainland China"], means.loc["Other cities"]
    return [
        f"**H1 regime — {verdict(res, 'H1a')}.** On the urban-centre universe (GHSL centres "
        f"of 100,000+ people, named by a source or not), among {main.n_obs:,} city-years whose "
        f"nation was outside the Paris Agreement in country-years a climate act source covers "
        f"({len(clim)} countries; acts: {_country_list(res, 'climate')}), one SD more "
        f"electoral democracy goes with {main.ratio()} times the rate of climate defiance "
        f"({main.estimator}, year fixed effects; {main.errors}; {main.p()}). {same} of {total} "
        f"regime measures give the essay's positive sign ({sig} at p < 0.05). The peace norm "
        f"({peace.n_obs:,} city-years, {len(pc)} countries; acts: {_country_list(res, 'peace')}) "
        f"is not identified: Peace Messenger designations predate the panel. The previous "
        f"sample of cities named by some source gave {named.ratio()} ({named.p()}), a product "
        f"of that sample. " + why(res, "H1a"),
        f"Composition ('extension of national diplomacy'): outside Europe, where EU programmes "
        f"do not supply the normative ties, the normative share of a city's international ties "
        f"against democracy is {comp.linear(2)} on the log-odds scale ({comp.estimator}, "
        f"N = {comp.n_obs:,}, {comp.p()}): {verdict(res, 'H1b')}. With European cities it is "
        f"{comp_all.linear(2)} ({comp_all.p()}), {comp_eu.linear(2)} with a Europe indicator "
        f"({comp_eu.p()}). Mainland Chinese cities' ties are {cn['mean']:.1%} normative on "
        f"average (N = {int(cn['n']):,}) against {other['mean']:.1%} elsewhere "
        f"(N = {int(other['n']):,}); with democracy held fixed the China indicator is "
        f"{china.linear(2)}. " + why(res, "H1b"),
    ]


def _h3_design(res: Results) -> tuple[dict, dict]:
    """H3's randomization-inference and synthetic-control summaries (robustness stage)."""
    f = res.dir.parent.parent / "robustness" / "h3" / "summary.json"
    summary = json.loads(f.read_text("utf-8")) if f.is_file() else {}
    return summary.get("randomization") or {}, summary.get("synthetic_control") or {}


def h3_findings(res: Results) -> list[str]:
    did = res.get("did_events")
    cdp = res.get("did_cdp")
    ced = res.get("did_cedamia")
    pois = res.get("did_events_poisson")
    y1617 = res.get("did_events_1617")
    to2020 = res.get("did_events_to2020")
    hz = res.get("hz_no_interaction")
    pre = res.figdata("pretrend_test")
    outside = res.figdata("hazard_outside_countries")
    ident = res.figdata("hazard_identifying_countries")
    snap = res.figdata("snapshot_check").set_index(["programme", "member"])
    wasi_in, wasi_out = snap.loc[("we_are_still_in", 1)], snap.loc[("we_are_still_in", 0)]
    ri, sc = _h3_design(res)
    names = ", ".join(
        f"{r.country_iso3} ({r.adhesions} adhesion{'s' if r.adhesions != 1 else ''} in "
        f"{r.city_years} city-years)"
        for r in outside.itertuples()
    )
    testable = pre["p_value"].notna().any()
    pre_text = (
        "The pre-trend test is in `figdata/pretrend_test.csv`."
        if testable
        else "No pre-trend test is possible: every outcome observed for both groups starts in "
        "2016, the reference year, so there are no leads."
    )
    ri_text = (
        f"Randomization inference over placebo countries (each of the {ri['placebos']} control "
        f"countries in turn treated from 2017, the US left out) puts the US estimate at rank "
        f"{ri['rank']} of {ri['rank_of']} by size (p = {ri['p_robust']:.3f}; by |t| rank "
        f"{ri['rank_abs_t']}, p = {ri['p_abs_t']:.3f}): {ri['placebos_larger']} control "
        f"countries show a larger rise, so the US is not at the tail of the distribution. "
        if ri
        else ""
    )
    sc_text = (
        f"A synthetic control of the US series (events per city, pysyncon, {sc['donors']} donor "
        f"countries with {sc['min_cities']}+ cities) gives a mean gap of {sc['estimate']:.3f} "
        f"over {sc['post_years'][0]}-{sc['post_years'][-1]} (in-space placebo p = "
        f"{sc['p_value']:.3f}, rank {sc['rank']} of {sc['placebos'] + 1}); with "
        f"{len(sc['pre_years'])} pre-period year it is a check, not support. "
        if sc
        else ""
    )
    hz_alts, inter_signs = [], []
    for m in ("hz_no_interaction", "hz_main", "hz_2016", "hz_reach_any", "hz_lpm_country"):
        if not res.has(m):
            continue
        e = res.get(m)
        label = res.models[m].get("label", m)
        what = "non-ratification" if e.term == "paris_outside" else "non-ratification × democracy"
        hz_alts.append(f"{label} ({what}) {e.linear(2)}, {e.p()}")
        if e.term != "paris_outside":
            inter_signs.append((e.estimate > 0, e.significant))
    n_ident = ident.groupby("model")["country_iso3"].nunique()
    ident_all = ", ".join(sorted(ident["country_iso3"].unique()))
    by_model = {m: set(g["country_iso3"]) for m, g in ident.groupby("model")}
    extra_2016 = sorted(by_model.get("hz_2016", set()) - by_model.get("hz_main", set()))
    late = (
        f" The from-2016 variant (interaction {res.get('hz_2016').p()}) adds the "
        f"countries that had not yet ratified by the end of 2016 ({', '.join(extra_2016)}), "
        f"many of them democracies: its interaction is identified by ratification timing, not "
        f"by lasting non-ratification."
        if res.has("hz_2016") and extra_2016
        else ""
    )
    return [
        f"**H3 norm — event study {verdict(res, 'H3a')}; hazard {verdict(res, 'H3b')}.** After the "
        f"June 2017 withdrawal announcement, US cities' climate-commitment events per city-year "
        f"(CDP disclosure or a climate-emergency declaration) rose by {did.linear(3)} relative "
        f"to cities in other high-income democracies (pooled difference-in-differences, linear "
        f"panel fixed effects through linearmodels PanelOLS with city and year effects, "
        f"N = {did.n_obs:,} city-years, {did.errors}, CR1; {did.p()}); CDP disclosure alone "
        f"{cdp.linear(3)}, emergency declarations alone {ced.linear(3)}. The Poisson variant "
        f"gives {pois.linear(3)} on the log scale ({pois.p()}); 2016-2017, the one window with "
        f"a single CDP definition, {y1617.linear(3)}; 2016-2020 {to2020.linear(3)}. "
        + ri_text
        + sc_text
        + f"{pre_text} Limitations: one treated country; CDP's series "
        f"changes definition in 2018 and 2021, and selection: {wasi_in['share_cdp_2016']:.0%} "
        f"of the cities that joined We Are Still In had disclosed to CDP in 2016, against "
        f"{wasi_out['share_cdp_2016']:.1%} of the others. " + why(res, "H3a"),
        f"Cross-nationally, a city's yearly odds of a first climate-network adhesion are "
        f"{hz.ratio()} times as high when its nation is outside the Paris Agreement "
        f"(discrete-time logit, N = {hz.n_obs:,} at-risk city-years, {hz.p()}). All specified "
        f"alternatives: {'; '.join(hz_alts)}. The interaction with democracy is positive in "
        f"{sum(pos for pos, _ in inter_signs)} of the {len(inter_signs)} specifications that "
        f"have it ({sum(pos and sig for pos, sig in inter_signs)} at p < 0.05): the "
        f"essay's substitution reading predicts a positive effect of national non-ratification; "
        f"a negative one fits the complementarity found by Andonova, Hale & Roger (2017). The "
        f"effect rests on the few non-ratifiers the adhesion sources reach ({n_ident.min()} to "
        f"{n_ident.max()} countries per model, {ident_all} in all; "
        f"`results/models/h3/figdata/hazard_identifying_countries.csv`); in the main sample "
        f"{names}.{late} " + why(res, "H3b"),
    ]


def h4_findings(res: Results) -> list[str]:
    cm = res.get("cm_logit")
    wasi = res.get("wasi_logit")
    inter = res.get("cm_mayor_logit")
    g287 = res.get("g287_logit")
    bu = res.figdata("bu_comparison").set_index("mayor_party")
    dem, rep = bu.loc["Democratic"], bu.loc["Republican"]
    src = res.figdata("mayor_sources")
    n_known, n_stale = int(src["n_cities"].sum()), int(src["n_stale"].sum())
    return [
        f"**H4 alignment — constituents {verdict(res, 'H4a')}; official × constituent "
        f"interaction {verdict(res, 'H4b')}.** In {cm.n_obs:,} US cities, ten points more Democratic county "
        f"vote (2016) multiply the odds of joining Climate Mayors by {cm.ratio()} and of "
        f"joining We Are Still In by {wasi.ratio()} ({cm.estimator}; {cm.errors}). "
        f"Where the mayor's party is known (N = {inter.n_obs:,} cities with a Democratic or "
        f"Republican mayor on 2017-07-01, from three mayoral-election files and Wikidata), the "
        f"mayor × electorate interaction is {inter.linear(2)} ({inter.p()}): the essay expects "
        f"it positive. Counties with more Democratic votes are less likely to hold a 287(g) "
        f"agreement (odds ratio {g287.ratio()} per ten points, N = {g287.n_obs:,}). "
        + why(res, "H4a")
        + " "
        + why(res, "H4b"),
        f"Boston University Initiative on Cities comparison: cities with Democratic mayors "
        f"belong to {dem['mean_climate_networks']:.1f} climate networks on average "
        f"(N = {int(dem['n_cities'])}), with Republican mayors {rep['mean_climate_networks']:.1f} "
        f"(N = {int(rep['n_cities'])}); BU reported about 4 and fewer than 1 ({dem['definition']}). Limitation: "
        f"{n_stale} of the {n_known} cities with a known mayor's party take it from an election "
        f"before 2013 (flagged stale in us_city): the party in office in 2017 is carried "
        f"forward across at least one election no file lists; without them the interaction "
        f"rests on {res.get('cm_mayor_logit_fresh').n_obs} cities.",
        h4_rd_sentence(res.figdata("rd")),
    ]


def h4_rd_sentence(rd_all: pd.DataFrame) -> str:
    """The close-election RD in words, saying when it has too few close races to inform."""
    rd = rd_all[rd_all["sample"] == "fresh"].set_index("outcome")
    wide = rd_all[rd_all["sample"] == "all_years"].set_index("outcome")
    cm, wasi = rd.loc["member_climate_mayors"], rd.loc["member_we_are_still_in"]
    n = int(cm["n_left"] + cm["n_right"])
    n_wide = int(wide["n_left"].iloc[0] + wide["n_right"].iloc[0])
    thin = min(cm["n_eff_left"], cm["n_eff_right"]) < 50

    def one(r: pd.Series) -> str:
        return (
            f"{r['estimate']:.2f} (robust 95% CI {r['ci_low_robust']:.2f} to "
            f"{r['ci_high_robust']:.2f}, robust p = {r['p_robust']:.2f}; bandwidth "
            f"{100 * r['bandwidth_h']:.1f} points, {int(r['n_eff_left'])} Republican and "
            f"{int(r['n_eff_right'])} Democratic wins within it)"
        )

    return (
        f"Close-election regression discontinuity: among {n} cities whose mayor won a 2013-2016 "
        f"Democrat-vs-Republican race ({int(cm['n_close_10'])} within 10 points, "
        f"{int(cm['n_close_5'])} within 5), a narrow Democratic win changes the probability of "
        f"joining Climate Mayors by {one(cm)} and We Are Still In by {one(wasi)} (rdrobust, "
        f"local-linear, triangular kernel, MSE-optimal bandwidth; rddensity manipulation test "
        f"p = {cm['density_p']:.2f}). Keeping stale records ({n_wide} cities, margins of "
        f"earlier races) the jumps are "
        f"{wide.loc['member_climate_mayors', 'estimate']:.2f} and "
        f"{wide.loc['member_we_are_still_in', 'estimate']:.2f} (robust p = "
        f"{wide.loc['member_climate_mayors', 'p_robust']:.2f} and "
        f"{wide.loc['member_we_are_still_in', 'p_robust']:.2f})."
        + (
            " Too few close elections for a meaningful estimate: the design stays in the "
            "pipeline for when more races are coded."
            if thin
            else ""
        )
    )


def h5_findings(res: Results) -> list[str]:
    sc = res.get("sc_gawc")
    fe = res.get("sc_country_fe")
    stacked = res.get("ties_stacked")
    net = res.get("net_china")
    out = [
        f"**H5 economy — {verdict(res, 'H5a')}.** Across {sc.n_obs:,} GaWC cities, one SD more log "
        f"connectivity goes with {sc.ratio()} times as many sister-city partners "
        f"({sc.estimator}, {sc.errors}; {sc.p()}); within countries {fe.ratio()}. "
        f"Mainland Chinese cities tilt toward bilateral ties: in a stacked model with city "
        f"fixed effects their ratio of sister-city partners to network memberships is "
        f"{stacked.ratio()} times that of other cities, while they hold {net.ratio()} times the "
        f"memberships of comparable cities. Limitation: sister-city ties are undated and only "
        f"as complete as Wikipedia's lists. " + why(res, "H5a") + " " + why(res, "H5b"),
    ]
    if res.has("dy_gawc"):
        out.append(h5_dyad_sentence(res))
    return out


def _mde(res: Results, model: str) -> str:
    power = res.figdata("dyad_power").set_index("model")
    return f"{power.loc[model, 'mde']:.2f}"


def association(e: Estimate) -> str:
    """Sign and conventional significance in words, for results outside the claims ledger."""
    if not e.significant:
        return "no significant association."
    return f"{'positive' if e.estimate > 0 else 'negative'} at p < 0.05."


def h5_dyad_sentence(res: Results) -> str:
    """What the dyadic gravity model says about economic interest (and China's ties)."""
    comp = res.get("dy_gawc")
    trade = res.get("dy_gawc", "log_trade")
    dist = res.get("dy_gawc", "log_dist_km")
    text = (
        f"**H5 dyadic test — economic interest: {association(comp)}** (not a ledger claim yet: "
        f"no robust p for two-way city effects). Over {comp.n_obs:,} pairs "
        f"of GaWC cities (zero pairs included; pairs of a city without any tie drop out with "
        f"its fixed effect), with a fixed effect for each city on both sides, one SD more "
        f"economic complementarity (the product of the two cities' GaWC connectivity) "
        f"multiplies the tie rate by {comp.ratio()} ({comp.estimator}, {comp.errors}; "
        f"{comp.p()}; MDE {_mde(res, 'dy_gawc')} on the log scale) beyond distance "
        f"(elasticity {dist.linear(2)}), contiguity, common language and colonial ties, while "
        f"the two countries' trade adds {trade.ratio()} per log unit ({trade.p()})."
    )
    if res.has("dy_all"):
        a = res.get("dy_all")
        text += (
            f" Among all cities with a tie (case-control logit, {a.n_obs:,} pairs), the odds "
            f"ratio is {a.ratio()} ({a.p()})."
        )
    if res.has("dy_china_slopes"):
        ch = res.get("dy_china_slopes")
        text += (
            f" Ties of mainland Chinese cities with foreign cities follow complementarity "
            f"{'less' if ch.estimate < 0 else 'more'} than others' (interaction {ch.ratio()}, "
            f"{ch.p()})."
        )
    if res.has("dy_china_level"):
        lv = res.get("dy_china_level")
        text += (
            f" Without city fixed effects, a pair with one mainland Chinese city is tied at "
            f"{lv.ratio()} times the gravity baseline ({lv.p()}; MDE {_mde(res, 'dy_china_level')}"
            f" on the log scale), a level that list coverage confounds."
        )
    return text


FINDINGS: dict[str, Callable[[Results], list[str]]] = {
    "h1": h1_findings,
    "h2": h2_findings,
    "h3": h3_findings,
    "h4": h4_findings,
    "h5": h5_findings,
}


def ledger_verdicts(models_root: Path, hypotheses: list[str]) -> dict[str, dict[str, str]]:
    """Claim id -> verdict and sentence, computed by the claims ledger from the same files
    (results/claims.csv is its table; the sentences are not stored there)."""
    from analysis.report.claims import ledger

    table = ledger(models_root, models_root.parent / "robustness", hypotheses)
    return {
        r["claim_id"]: {"verdict": r["verdict"], "sentence": r["_sentence"]}
        for r in table.to_dict("records")
    }


def findings_markdown(models_root: Path, hypotheses: list[str]) -> str:
    lines: list[str] = []
    verdicts = ledger_verdicts(models_root, hypotheses)
    for h in hypotheses:
        fn = FINDINGS.get(h)
        if fn is None:
            continue
        res = Results(models_root / h)
        res.verdicts = verdicts
        for sentence in fn(res):
            lines += [sentence, ""]
    lines.append(
        "_Generated by `python -m analysis readme --results results` from "
        "`results/models/*/coefficients.csv`, `fit.json`, `figdata/` and "
        "`results/robustness/`; verdicts as in `results/claims.csv` (rules: "
        "`docs/verdicts.md`); tables: `results/tables/`._"
    )
    return "\n".join(lines) + "\n"
