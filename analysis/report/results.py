"""The tidy results of one hypothesis (``results/models/<h>/``), read once: what the claims
ledger and the findings both start from."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core.errors import PipelineError


@dataclass(frozen=True)
class Estimate:
    model: str
    term: str
    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    n_obs: int
    n_clusters: int | None
    estimator: str
    vcov_label: str
    sample: str

    def ratio(self, digits: int = 2) -> str:
        """exp(b) with its interval: rate ratios (Poisson/NB) and odds ratios (logit)."""
        f = f"{{:.{digits}f}}"
        return (
            f"{f.format(math.exp(self.estimate))} "
            f"(95% CI {f.format(math.exp(self.ci_low))}–{f.format(math.exp(self.ci_high))})"
        )

    def linear(self, digits: int = 3) -> str:
        f = f"{{:.{digits}f}}"
        return (
            f"{f.format(self.estimate)} (95% CI {f.format(self.ci_low)} to "
            f"{f.format(self.ci_high)})"
        )

    @property
    def significant(self) -> bool:
        return self.p_value < 0.05

    @property
    def errors(self) -> str:
        """The standard-error label for use inside a sentence."""
        return self.vcov_label[:1].lower() + self.vcov_label[1:]

    def p(self) -> str:
        return "p < 0.001" if self.p_value < 0.001 else f"p = {self.p_value:.3f}"


class Results:
    """The tidy results of one hypothesis, read once."""

    def __init__(self, models_dir: Path) -> None:
        self.dir = models_dir
        self.coefs = pd.read_csv(models_dir / "coefficients.csv")
        self.fit = json.loads((models_dir / "fit.json").read_text("utf-8"))
        self.models = {m["model"]: m for m in self.fit["models"]}
        self.verdicts: dict[str, dict[str, str]] = {}  # claim id -> verdict, sentence

    def has(self, model: str) -> bool:
        return model in self.models

    def get(self, model: str, term: str | None = None) -> Estimate:
        if model not in self.models:
            raise PipelineError(f"{self.dir}: findings need model {model!r}")
        m = self.models[model]
        term = term or m["focal"]
        row = self.coefs[(self.coefs["model"] == model) & (self.coefs["term"] == term)]
        if len(row) != 1:
            raise PipelineError(f"{self.dir}: no coefficient {term!r} in model {model!r}")
        r = row.iloc[0]
        return Estimate(model, term, float(r.estimate), float(r.ci_low), float(r.ci_high),
                        float(r.p_value), int(r.n_obs), m.get("n_clusters"), m["estimator_label"],
                        m["vcov_label"], m["sample"])  # fmt: skip

    def figdata(self, name: str) -> pd.DataFrame:
        return pd.read_csv(self.dir / "figdata" / f"{name}.csv")
