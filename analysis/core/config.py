"""Pipeline configuration: load `config/config.yaml` and validate it against its schema.

Validation errors name the offending key as a dotted path (e.g. `raw.download.retries`),
so a typo fails at parse time rather than as a confusing error deep in a rule.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.core import yamlio
from analysis.core.errors import ConfigError

if TYPE_CHECKING:  # imported where validation runs: a cached plan skips it (0.1 s per start)
    import jsonschema

SCHEMAS = Path(__file__).parents[1] / "schemas"


@cache
def config_schema() -> dict[str, Any]:
    return json.loads((SCHEMAS / "config.schema.json").read_text("utf-8"))


def _key_path(error: jsonschema.ValidationError) -> str:
    path = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "additionalProperties":
        # The schema error sits on the parent; name the unexpected key itself.
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        path = ".".join([p for p in [path, ",".join(extra)] if p])
    elif error.validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        path = ".".join([p for p in [path, ",".join(missing)] if p])
    return path or "<top level>"


def _fill_defaults(schema: dict[str, Any], value: dict[str, Any]) -> None:
    for key, sub in schema.get("properties", {}).items():
        if key not in value and "default" in sub:
            value[key] = copy.deepcopy(sub["default"])
        if isinstance(value.get(key), dict):
            _fill_defaults(sub, value[key])


def _resolve(out: dict[str, Any]) -> None:
    """Values that default to another key, and limits between keys (JSON Schema cannot)."""
    universe = out.get("models", {}).get("universe", {})
    floor = out["panel"]["min_city_population"]
    if universe.get("h1_min_population") is None:
        universe["h1_min_population"] = floor
    elif universe["h1_min_population"] < floor:
        raise ConfigError(
            "invalid configuration:\n  models.universe.h1_min_population: "
            f"{universe['h1_min_population']} is below panel.min_city_population ({floor}); "
            "city_year holds every city only from that size up, so a lower floor would keep "
            "smaller cities only where a source names them"
        )
    if out["panel"]["first_year"] > out["panel"]["last_year"]:
        raise ConfigError(
            "invalid configuration:\n  panel.first_year: "
            f"{out['panel']['first_year']} is after panel.last_year ({out['panel']['last_year']})"
        )


def _coerce(schema: dict[str, Any], value: Any) -> Any:
    """Scalars typed by the schema, from strings: `--config 'panel={min_city_population: 5}'`
    reaches us with every nested scalar a string (Snakemake reads nested values with YAML's
    BaseLoader)."""
    if isinstance(value, dict):
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        return {
            k: _coerce(props.get(k, extra if isinstance(extra, dict) else {}), v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_coerce(schema.get("items", {}), v) for v in value]
    if not isinstance(value, str):
        return value
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else types
    for kind, parse in (("integer", int), ("number", float)):
        if kind in types:
            try:
                return parse(value)
            except ValueError:
                pass
    if "boolean" in types and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if "null" in types and value in ("null", "~", ""):
        return None
    return value


_MISSING = object()


def _value_at(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        try:
            doc = doc[part]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return doc


def validate_config(config: dict[str, Any], docs: Sequence[yamlio.YamlDoc] = ()) -> dict[str, Any]:
    """Return a validated copy of `config` with schema defaults filled in.

    `docs` are the parsed files the config came from: an error then also names the file and
    line of the offending key (the last file that sets it, as the last one wins).
    """
    import jsonschema

    schema = config_schema()
    config = _coerce(schema, config)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if errors:
        lines = []
        for e in errors:
            key = _key_path(e)
            where = _where(docs, key, config)
            lines.append(f"  {key}: {e.message}" + (f" ({where})" if where else ""))
        raise ConfigError("invalid configuration:\n" + "\n".join(lines))
    out = copy.deepcopy(config)
    _fill_defaults(schema, out)
    _resolve(out)
    return out


def _where(docs: Sequence[yamlio.YamlDoc], key: str, config: dict[str, Any]) -> str | None:
    """The file and line that set `key`'s value, or that it came from the command line."""
    path = tuple(int(p) if p.isdigit() else p for p in key.split(".") if p != "<top level>")
    value = _value_at(config, path)
    for doc in reversed(docs):
        if not doc.line(path[:1]):
            continue
        if value is _MISSING or _value_at(_coerce(config_schema(), doc.data), path) == value:
            return doc.where(path)
        break
    return "set by --config on the command line" if docs and value is not _MISSING else None


def read_config_files(paths: Sequence[str | Path]) -> list[yamlio.YamlDoc]:
    """Parse config files strictly (syntax errors and duplicate keys with file and line).

    Snakemake reads config files itself, leniently (the last of two equal keys wins, a syntax
    error has no line number); the Snakefile calls this first so the user sees where.
    """
    docs = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist")
        try:
            doc = yamlio.read(path)
        except yamlio.YamlError as exc:
            raise ConfigError(f"config file {exc}") from None
        if doc.data is not None and not isinstance(doc.data, dict):
            raise ConfigError(f"config file {path} must hold a mapping")
        docs.append(doc)
    return docs


def load_config(path: str | Path) -> dict[str, Any]:
    """Read and validate one config file (for commands run by hand; pipeline jobs get the
    configuration Snakemake resolved, see :func:`config_slice`)."""
    (doc,) = read_config_files([path])
    return validate_config(doc.data or {}, [doc])


def config_slice(config: Mapping[str, Any], *keys: str) -> str:
    """The part of the resolved configuration a job needs, as compact sorted JSON.

    `keys` are dotted paths (``"panel"``, ``"models.universe"``). Rules pass it as a param,
    so a job reruns exactly when its slice changes, and the job reads nothing else.
    """
    out: dict[str, Any] = {}
    for key in keys:
        parts = key.split(".")
        value: Any = config
        for part in parts:
            if not isinstance(value, Mapping) or part not in value:
                raise ConfigError(f"config_slice: no key {key!r} in the configuration")
            value = value[part]
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return json.dumps(out, sort_keys=True, separators=(",", ":"))
