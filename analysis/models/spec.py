"""Model specifications as data: `config/models/<hypothesis>.yaml`, validated before any fit.

A spec names columns of a model frame (:mod:`analysis.hypotheses.frames`) and never carries code: a term
is a column, a whitelisted transform of one (``log(x)``, ``log1p(x)``, ``std(x)``, ``sq(x)``)
or an interaction of those joined by ``:``. Anything else is refused with a message that names
the offending key (``models[2].regressors[0]``). Whether the columns exist is checked against
the frame at fit time (:func:`check_columns`), again naming the key.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from analysis.core import yamlio
from analysis.core.errors import ConfigError

NAME = r"[A-Za-z_][A-Za-z0-9_]*"
TRANSFORMS = ("log", "log1p", "std", "sq")
_FACTOR = re.compile(rf"^(?:(?P<fn>{'|'.join(TRANSFORMS)})\((?P<arg>{NAME})\)|(?P<col>{NAME}))$")

Estimator = Literal["ols", "panel_fe", "logit", "probit", "fractional_logit", "poisson", "negbin"]
Backend = Literal["auto", "statsmodels", "linearmodels", "pyfixest"]
Op = Literal["eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "notna", "isna"]
Scalar = str | int | float | bool

ESTIMATOR_LABELS = {
    "ols": "OLS",
    "panel_fe": "Linear panel fixed effects (linearmodels PanelOLS)",
    "logit": "Logit (MLE)",
    "probit": "Probit (MLE)",
    "fractional_logit": "Fractional logit (Bernoulli QMLE)",
    "poisson": "Poisson (pseudo-MLE)",
    "negbin": "Negative binomial NB2 (MLE)",
}
LINEAR = frozenset({"ols", "panel_fe"})


def parse_term(term: str) -> list[tuple[str | None, str]]:
    """``"log(x):d"`` -> ``[("log", "x"), (None, "d")]``; raises ValueError on anything else."""
    factors = []
    for part in term.split(":"):
        m = _FACTOR.match(part.strip())
        if m is None or part != part.strip():
            raise ValueError(
                f"term {term!r} is not a column, {'/'.join(TRANSFORMS)}(column), "
                "or an interaction of those joined by ':'"
            )
        factors.append((m["fn"], m["arg"]) if m["fn"] else (None, m["col"]))
    return factors


def term_columns(term: str) -> list[str]:
    return [col for _, col in parse_term(term)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
    """One row filter: ``{column: year, op: eq, value: 2020}``."""

    column: Annotated[str, Field(pattern=rf"^{NAME}$")]
    op: Op
    value: Scalar | list[Scalar] | None = None

    @model_validator(mode="after")
    def _value_fits_op(self) -> Condition:
        if self.op in ("notna", "isna"):
            if self.value is not None:
                raise ValueError(f"op {self.op!r} takes no value")
        elif self.op in ("in", "not_in"):
            if not isinstance(self.value, list) or not self.value:
                raise ValueError(f"op {self.op!r} needs a non-empty list value")
        elif self.value is None or isinstance(self.value, list):
            raise ValueError(f"op {self.op!r} needs a single value")
        return self

    def describe(self) -> str:
        words = {"eq": "=", "ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥"}
        if self.op == "notna":
            return f"{self.column} observed"
        if self.op == "isna":
            return f"{self.column} missing"
        if self.op in ("in", "not_in"):
            vals = ", ".join(map(str, self.value))  # type: ignore[arg-type]
            return f"{self.column} {'in' if self.op == 'in' else 'not in'} {{{vals}}}"
        return f"{self.column} {words[self.op]} {self.value}"


class Vcov(_Strict):
    """Standard errors: ``iid``, ``hc1`` (heteroskedasticity-robust), ``cluster`` (one column)
    or ``twoway`` (two columns, Cameron-Gelbach-Miller)."""

    type: Literal["iid", "hc1", "cluster", "twoway"]
    by: list[Annotated[str, Field(pattern=rf"^{NAME}$")]] = []

    @model_validator(mode="after")
    def _by_fits_type(self) -> Vcov:
        need = {"iid": 0, "hc1": 0, "cluster": 1, "twoway": 2}[self.type]
        if len(self.by) != need:
            raise ValueError(f"vcov type {self.type!r} needs {need} column(s) in 'by'")
        return self


class ModelSpec(_Strict):
    name: Annotated[str, Field(pattern=rf"^{NAME}$")]
    label: str
    panel: str = "Main"
    outcome: Annotated[str, Field(pattern=rf"^{NAME}$")]
    regressors: Annotated[list[str], Field(min_length=1)]
    controls: list[str] = []
    fixed_effects: list[Annotated[str, Field(pattern=rf"^{NAME}$")]] = []
    estimator: Estimator
    backend: Backend = "auto"
    vcov: Vcov
    small_sample: Literal["standard", "cluster_only", "none"] = "standard"
    sample: list[Condition] = []
    focal: str | None = None
    sample_label: str = ""
    frame: Annotated[str, Field(pattern=rf"^{NAME}$")] | None = None  # default: the file's

    @field_validator("regressors", "controls")
    @classmethod
    def _terms_parse(cls, terms: list[str]) -> list[str]:
        for t in terms:
            parse_term(t)
        if len(set(terms)) != len(terms):
            raise ValueError("a term is listed twice")
        return terms

    @model_validator(mode="after")
    def _consistent(self) -> ModelSpec:
        if set(self.regressors) & set(self.controls):
            raise ValueError("a term is both a regressor and a control")
        if self.focal is not None and self.focal not in self.regressors:
            raise ValueError(f"focal term {self.focal!r} is not among the regressors")
        if self.estimator == "panel_fe" and len(self.fixed_effects) not in (1, 2):
            raise ValueError("panel_fe needs fixed_effects [entity] or [entity, time]")
        if self.backend == "linearmodels" and self.estimator not in LINEAR:
            raise ValueError("the linearmodels backend fits only ols and panel_fe")
        if self.vcov.type == "twoway" and (
            self.backend == "linearmodels" or self.estimator == "panel_fe"
        ):
            raise ValueError(
                "two-way clustering is computed by the statsmodels or pyfixest backend"
            )
        if self.backend == "pyfixest" and self.estimator not in (
            "ols",
            "poisson",
            "logit",
            "probit",
        ):
            raise ValueError(f"the pyfixest backend does not fit {self.estimator!r}")
        return self

    @property
    def terms(self) -> list[str]:
        return [*self.regressors, *self.controls]

    @property
    def focal_term(self) -> str:
        return self.focal or self.regressors[0]

    def columns(self) -> list[tuple[str, str]]:
        """(key, column) for every column the spec reads, keys as in error messages."""
        out = [("outcome", self.outcome)]
        for field in ("regressors", "controls"):
            for i, t in enumerate(getattr(self, field)):
                out += [(f"{field}[{i}]", c) for c in term_columns(t)]
        out += [(f"fixed_effects[{i}]", c) for i, c in enumerate(self.fixed_effects)]
        out += [(f"vcov.by[{i}]", c) for i, c in enumerate(self.vcov.by)]
        out += [(f"sample[{i}].column", c.column) for i, c in enumerate(self.sample)]
        return out

    def describe_sample(self) -> str:
        parts = [self.sample_label] if self.sample_label else []
        parts += [c.describe() for c in self.sample]
        return "; ".join(parts) or "all rows of the frame"


class CurveSpec(_Strict):
    """A specification curve: every combination of one option per dimension, applied to a
    base model. An option is a partial model (``regressors``, ``controls``, ``fixed_effects``,
    ``estimator``, ``outcome``, ``sample`` ...). The base's own sample is not used: each
    specification's sample is the union of its options' ``sample`` conditions."""

    base: str
    dimensions: Annotated[dict[str, dict[str, dict[str, Any]]], Field(min_length=1)]
    exclude: list[
        dict[str, str]
    ] = []  # combinations to skip, e.g. {estimator: negbin, fe: country}


class LeaveOneOut(_Strict):
    """Refit `model` leaving out each group of `drop_each` (e.g. region), or replacing the
    outcome by each of `outcomes` (e.g. the network count without one network)."""

    model: str
    label: str
    drop_each: Annotated[str, Field(pattern=rf"^{NAME}$")] | None = None
    outcomes: list[Annotated[str, Field(pattern=rf"^{NAME}$")]] = []

    @model_validator(mode="after")
    def _one_kind(self) -> LeaveOneOut:
        if (self.drop_each is None) == (not self.outcomes):
            raise ValueError("give exactly one of drop_each or outcomes")
        return self


class WildBootstrap(_Strict):
    """Wild cluster bootstrap (restricted, WCR) p-values for the focal term of linear models.

    ``variants`` derives a linear twin of a non-linear model for the bootstrap only (not in
    the tables): ``{name: {model: <model>, <key>: <override>, ...}}``, e.g. a linear
    probability version of a hazard logit (``estimator: ols``)."""

    models: list[str] = []
    variants: dict[str, dict[str, Any]] = {}
    reps: Annotated[int, Field(ge=99, le=99999)] = 9999
    seed: int = 20170601
    weights: Literal["rademacher", "webb"] = "webb"


class Randomization(_Strict):
    """Randomization inference for a difference in differences with one treated unit: each
    control unit in turn is "treated" from `start_year` on (the real one left out), and the
    treated unit's estimate is ranked among the placebo estimates (analysis/models/robustness.py)."""

    model: str
    treated: str
    start_year: int
    unit: Annotated[str, Field(pattern=rf"^{NAME}$")] = "country_iso3"
    year: Annotated[str, Field(pattern=rf"^{NAME}$")] = "year"
    city: Annotated[str, Field(pattern=rf"^{NAME}$")] = "city_id"
    # fewer sound placebo estimates than this: the job fails (a rank among few is no test)
    min_placebos: Annotated[int, Field(ge=1)] = 20


class SyntheticControl(_Strict):
    """Synthetic control of the treated unit's yearly series (pysyncon ``Synth``): the series
    is the mean of ``outcome`` over the unit's cities in the sample, the donors the other
    units with at least ``min_cities`` cities; ``checks`` names the model whose claim it
    checks (analysis/models/synth_control.py)."""

    checks: str
    outcome: Annotated[str, Field(pattern=rf"^{NAME}$")]
    treated: str
    start_year: int
    predictors: list[Annotated[str, Field(pattern=rf"^{NAME}$")]] = []
    sample: list[Condition] = []
    min_cities: Annotated[int, Field(ge=1)] = 10
    unit: Annotated[str, Field(pattern=rf"^{NAME}$")] = "country_iso3"
    year: Annotated[str, Field(pattern=rf"^{NAME}$")] = "year"
    city: Annotated[str, Field(pattern=rf"^{NAME}$")] = "city_id"
    placebos: bool = True


class PairsBootstrap(_Strict):
    """Pairs cluster bootstrap-t for non-linear models without a meaningful linear variant:
    clusters resampled with replacement, the model refitted by its own backend each draw."""

    models: Annotated[list[str], Field(min_length=1)]
    reps: Annotated[int, Field(ge=99, le=9999)] = 399
    seed: int = 20170601


class Robustness(_Strict):
    expected_sign: Literal[1, -1] = 1
    curve: CurveSpec | None = None
    leave_one_out: list[LeaveOneOut] = []
    wild_bootstrap: WildBootstrap | None = None
    randomization: Randomization | None = None
    pairs_bootstrap: PairsBootstrap | None = None
    synthetic_control: SyntheticControl | None = None


class HypothesisSpec(_Strict):
    hypothesis: Annotated[str, Field(pattern=r"^h[0-9]+$")]
    title: str
    frame: Annotated[str, Field(pattern=rf"^{NAME}$")]
    note: str = ""
    labels: dict[str, str] = {}
    models: Annotated[list[ModelSpec], Field(min_length=1)]
    robustness: Robustness | None = None

    @model_validator(mode="after")
    def _unique_names(self) -> HypothesisSpec:
        names = [m.name for m in self.models]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"model names must be unique; repeated: {dup}")
        r = self.robustness
        if r is not None:
            refs = [("robustness.curve.base", r.curve.base)] if r.curve else []
            refs += [(f"robustness.leave_one_out[{i}].model", x.model)
                     for i, x in enumerate(r.leave_one_out)]  # fmt: skip
            if r.wild_bootstrap:
                refs += [("robustness.wild_bootstrap.models", m) for m in r.wild_bootstrap.models]
                refs += [(f"robustness.wild_bootstrap.variants.{k}.model", v.get("model", ""))
                         for k, v in r.wild_bootstrap.variants.items()]  # fmt: skip
            if r.randomization:
                refs.append(("robustness.randomization.model", r.randomization.model))
            if r.synthetic_control:
                refs.append(("robustness.synthetic_control.checks", r.synthetic_control.checks))
            if r.pairs_bootstrap:
                refs += [("robustness.pairs_bootstrap.models", m) for m in r.pairs_bootstrap.models]
            bad = [f"{key}: {name!r}" for key, name in refs if name not in names]
            if bad:
                raise ValueError("unknown model(s): " + "; ".join(bad))
            if r.wild_bootstrap:
                for name in r.wild_bootstrap.models:
                    m = self.model(name)
                    # hc1: a heteroskedastic (unclustered) wild bootstrap
                    if m.estimator != "ols" or m.vcov.type not in ("cluster", "hc1"):
                        raise ValueError(
                            f"robustness.wild_bootstrap: model {name!r} must be ols with "
                            "clustered or hc1 errors"
                        )
        return self

    def model(self, name: str) -> ModelSpec:
        for m in self.models:
            if m.name == name:
                return m
        raise KeyError(name)

    def label(self, term: str) -> str:
        return self.labels.get(term, term)

    def frame_of(self, model: ModelSpec) -> str:
        return model.frame or self.frame

    @property
    def frames(self) -> list[str]:
        """Every frame the models read, the file's own first."""
        return list(dict.fromkeys([self.frame, *(m.frame for m in self.models if m.frame)]))


def _merge_defaults(raw: dict[str, Any]) -> dict[str, Any]:
    """Fill each model from the file's ``defaults`` block (a model's own keys win)."""
    raw = dict(raw)
    defaults = raw.pop("defaults", None) or {}
    if not isinstance(defaults, dict):
        raise ConfigError("defaults: must be a mapping of model keys")
    models = raw.get("models")
    if isinstance(models, list):
        raw["models"] = [{**defaults, **m} if isinstance(m, dict) else m for m in models]
    return raw


def _user_path(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """The keys of a pydantic error location, without its internal union/validator tags."""
    return tuple(
        part
        for part in loc
        if isinstance(part, int)
        or not (
            part in ("function-after[_by_fits_type()]",)
            or str(part).startswith(("function-", "str", "int", "float", "bool", "list["))
        )
    )


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in _user_path(loc):
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "<top level>"


def validate_spec(
    raw: Any, source: str = "<spec>", doc: yamlio.YamlDoc | None = None
) -> HypothesisSpec:
    """Validate a spec mapping; with its parsed `doc`, each error names the line of the key."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: a model spec file must be a mapping")
    try:
        return HypothesisSpec.model_validate(_merge_defaults(raw))
    except ValidationError as err:
        lines = []
        for e in err.errors():
            msg = e["msg"].removeprefix("Value error, ")
            line = doc.line(_user_path(e["loc"])) if doc else None
            where = f" (line {line})" if line else ""
            lines.append(f"  {_loc(e['loc'])}{where}: {msg}")
        raise ConfigError(
            f"{source}: invalid model spec:\n" + "\n".join(sorted(set(lines)))
        ) from None


def load_spec(path: str | Path) -> HypothesisSpec:
    """The validated spec in `path` (a fresh copy: callers may derive variants from it)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: model spec file not found")
    stat = path.stat()
    return _load_spec(str(path), stat.st_mtime_ns, stat.st_size).model_copy(deep=True)


# Snakemake's input functions read each spec once per job while building the DAG; keyed on
# mtime and size, so an edited spec is read again.
@functools.lru_cache(maxsize=64)
def _load_spec(name: str, mtime_ns: int, size: int) -> HypothesisSpec:
    path = Path(name)
    try:
        doc = yamlio.read(path)
    except yamlio.YamlError as err:
        raise ConfigError(f"model spec {err}") from None
    spec = validate_spec(doc.data, str(path), doc)
    if spec.hypothesis != path.stem:
        raise ConfigError(f"{path}: hypothesis: {spec.hypothesis!r} must match the file name")
    return spec


def check_columns(spec: HypothesisSpec, columns: dict[str, set[str] | list[str]]) -> None:
    """Every column a model reads must exist in its frame; name each bad key."""
    cols = {name: set(c) for name, c in columns.items()}
    bad = [
        f"  models[{i}].{key}: column {col!r} is not in frame {spec.frame_of(m)!r}"
        for i, m in enumerate(spec.models)
        for key, col in m.columns()
        if col not in cols[spec.frame_of(m)]
    ]
    if bad:
        raise ConfigError(f"{spec.hypothesis}: unknown columns:\n" + "\n".join(bad))
