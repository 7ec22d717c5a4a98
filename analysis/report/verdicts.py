"""How verdicts are made: one rule for every claim of the ledger (``results/claims.csv``).

Each claim names a main model and its focal term, the sign the essay predicts, a robust
p-value and a specification curve. Its verdict is never stronger than its weakest check:

- **supported**: the main estimate has the expected sign, its p-value, its robust p-value
  and its Holm-adjusted p-value are all below 0.05, the fit is not degenerate, and the
  specification curve backs it;
- **contradicted**: the same, with the opposite sign;
- **fragile**: the main estimate is significant (p < 0.05), but one of the other checks
  fails: the robust or the Holm p-value is 0.05 or more (or missing; the claims ledger
  drops a robust p whose variant has the other sign), the fit is degenerate, or the curve
  does not back it;
- **inconclusive**: the main estimate is not significant. The sentence states the minimum
  detectable effect: the data cannot rule out effects smaller than it.

*The specification curve backs a sign* when (a) at least half of its fitted, non-degenerate
specifications have that sign, and (b) fewer than 10% of them are significant (p < 0.05) with
the other sign. With no curve for a claim, the same rule applies to the claim's listed
alternative models (every model whose focal term tests the same claim). With neither
(``spec_n`` = 0) the curve check is vacuous and the other checks decide.

*Robust p-value* (``p_robust``, method in ``p_robust_method``): a wild cluster bootstrap
(WCR, Webb weights, 9,999 draws) of the claim's linear variant; randomization inference over
placebo countries where one country is treated (H3a, the US); a pairs cluster bootstrap-t of
the main model where no linear variant is meaningful (hazard, stacked and count models).

*Design check* (``synth_estimate``, H3a): the synthetic control of the treated country's
series. It never adds support; an estimate with the other sign is a failed check.

*Holm family*: the ledger's claims (H1a ... H5b) are one family; ``p_holm`` is Holm's
step-down adjustment of their main p-values (``statsmodels.stats.multitest.multipletests``,
``method="holm"``). A claim whose p-value is missing (degenerate fit) enters with p = 1.

*Minimum detectable effect* (``mde``): the effect a two-sided 5% test detects with 80% power,
``(q_0.975 + q_0.80) · SE`` on the estimate's scale (the coefficient b: log rate or log odds
for count and logit models, units of the outcome for linear ones). The quantiles are of the
normal distribution, or of Student's t with G − 1 degrees of freedom for linear models with
G < 50 clusters (``claims.md`` says which); 2.80 · SE with normal quantiles.
The same text, for readers: ``docs/verdicts.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

ALPHA = 0.05
POWER = 0.80
CURVE_MIN_SHARE_SIGN = 0.5  # (a) at least half of the specifications with the main sign
CURVE_MAX_SHARE_OPPOSITE = 0.10  # (b) fewer than 10% significant the other way
FEW_CLUSTERS = 50  # below this many clusters, linear models' MDE uses t(G - 1) quantiles

VERDICTS = ("supported", "contradicted", "fragile", "inconclusive")


@dataclass(frozen=True)
class Evidence:
    """What a verdict reads: the main estimate and every check on it."""

    estimate: float
    p_value: float
    p_robust: float | None
    p_holm: float
    expected_sign: int
    degenerate: bool
    spec_n: int = 0
    spec_share_expected: float | None = None  # share with the expected sign
    spec_share_sig_expected: float | None = None
    spec_share_sig_opposite: float | None = None
    # a design check's estimate (the synthetic control of H3a): it can only weaken a claim
    synth_estimate: float | None = None


def _ok(p: float | None) -> bool:
    return p is not None and not math.isnan(p) and p < ALPHA


def curve_backs(e: Evidence, sign: int) -> bool:
    """Whether the specification curve backs an estimate of `sign` (rule in the docstring)."""
    if e.spec_n == 0 or e.spec_share_expected is None:
        return True
    if sign == e.expected_sign:
        share_sign = e.spec_share_expected
        share_other_sig = e.spec_share_sig_opposite or 0.0
    else:
        share_sign = 1 - e.spec_share_expected
        share_other_sig = e.spec_share_sig_expected or 0.0
    return share_sign >= CURVE_MIN_SHARE_SIGN and share_other_sig < CURVE_MAX_SHARE_OPPOSITE


def failed_checks(e: Evidence) -> list[str]:
    """The checks a significant main estimate fails, in words (empty: it passes all)."""
    sign = 1 if e.estimate > 0 else -1
    out = []
    if e.degenerate:
        out.append("degenerate fit")
    if not _ok(e.p_robust):
        out.append(
            "no robust p-value" if e.p_robust is None or math.isnan(e.p_robust)
            else f"robust p = {fmt_p(e.p_robust, bare=True)}"
        )  # fmt: skip
    if not _ok(e.p_holm):
        out.append(f"Holm-adjusted p = {fmt_p(e.p_holm, bare=True)}")
    if not curve_backs(e, sign):
        out.append("specification curve does not back it")
    synth = e.synth_estimate
    if synth is not None and not math.isnan(synth) and (1 if synth > 0 else -1) != sign:
        out.append("synthetic control has the other sign")
    return out


def verdict(e: Evidence) -> str:
    """supported / contradicted / fragile / inconclusive (rules in the module docstring)."""
    if e.degenerate or not _ok(e.p_value):
        # A degenerate fit's p-value is no evidence: it cannot be significant.
        return "fragile" if e.degenerate and _ok(e.p_value) else "inconclusive"
    if failed_checks(e):
        return "fragile"
    return "supported" if (1 if e.estimate > 0 else -1) == e.expected_sign else "contradicted"


def holm(p_values: list[float]) -> list[float]:
    """Holm step-down adjusted p-values; a missing p-value enters as 1."""
    from statsmodels.stats.multitest import multipletests

    p = np.array([1.0 if v is None or math.isnan(v) else float(v) for v in p_values])
    if len(p) == 0:
        return []
    return [float(v) for v in multipletests(p, alpha=ALPHA, method="holm")[1]]


def mde_multiplier(df: int | None = None) -> float:
    """(q_{1-alpha/2} + q_power): 2.80 for the normal, larger for t with few degrees of freedom."""
    if df is None:
        return float(stats.norm.ppf(1 - ALPHA / 2) + stats.norm.ppf(POWER))
    return float(stats.t.ppf(1 - ALPHA / 2, df) + stats.t.ppf(POWER, df))


def mde(std_error: float, linear: bool, n_clusters: int | None) -> tuple[float, str]:
    """The minimum detectable effect on the estimate's scale and the quantiles used."""
    if linear and n_clusters is not None and n_clusters < FEW_CLUSTERS:
        return mde_multiplier(n_clusters - 1) * std_error, f"t({n_clusters - 1})"
    return mde_multiplier() * std_error, "normal"


def fmt_p(p: float | None, bare: bool = False) -> str:
    """'p < 0.001' or 'p = 0.042' (never 'p = 0.000'); `bare` drops the 'p '."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        text = "= n/a"
    elif p < 0.001:
        text = "< 0.001"
    else:
        text = f"= {p:.3f}"
    return text[2:] if bare and text.startswith("= ") else (text if bare else f"p {text}")


def sentence(verdict_name: str, e: Evidence, mde_text: str) -> str:
    """The verdict in words, with what failed or, when inconclusive, the power statement."""
    if verdict_name == "supported":
        return "supported (expected sign; main, robust and Holm p < 0.05; curve backs it)"
    if verdict_name == "contradicted":
        return "contradicted (opposite sign; main, robust and Holm p < 0.05; curve backs it)"
    if verdict_name == "fragile":
        if e.degenerate:
            return "fragile (the main fit is degenerate: a separation or absorption artefact)"
        side = "expected" if (1 if e.estimate > 0 else -1) == e.expected_sign else "opposite"
        return f"fragile (significant with the {side} sign, but: {'; '.join(failed_checks(e))})"
    return (
        f"inconclusive (main {fmt_p(e.p_value)}); at 80% power the data cannot rule out "
        f"effects smaller than {mde_text}"
    )
