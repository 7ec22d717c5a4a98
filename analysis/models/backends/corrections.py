"""Small-sample corrections, applied by the layer itself so every backend is scaled alike."""

from __future__ import annotations

from analysis.models.spec import ModelSpec


def scale(spec: ModelSpec, n: int, k: int, n_clusters: list[int]) -> float:
    """Factor that turns an uncorrected (HC0 / CR0) covariance into the spec's corrected one."""
    if spec.small_sample == "none" or spec.vcov.type == "iid":
        return 1.0  # iid uses s² with N−K already
    if spec.vcov.type == "hc1":
        return n / (n - k)
    g = min(n_clusters)  # two-way: the smaller dimension's G, as fixest and pyfixest do
    factor = g / (g - 1)
    if spec.small_sample == "standard":
        factor *= (n - 1) / (n - k)
    return factor


def describe(spec: ModelSpec) -> str:
    kind, small = spec.vcov.type, spec.small_sample
    if kind == "iid":
        return "classical: residual variance with N−K degrees of freedom"
    if kind == "hc1":
        return "HC1: N/(N−K)" if small != "none" else "HC0: none"
    if kind == "twoway":
        factor = {"standard": "G/(G−1)·(N−1)/(N−K)", "cluster_only": "G/(G−1)", "none": "none"}
        return f"two-way CGM V1 + V2 − V12; correction {factor[small]} with G the smaller dimension"
    return {
        "standard": "CR1: G/(G−1)·(N−1)/(N−K)",
        "cluster_only": "G/(G−1) only",
        "none": "CR0: none",
    }[small]
