"""Pipeline configuration: load `config/config.yaml` and validate it against its schema.

Validation errors name the offending key as a dotted path (e.g. `raw.download.retries`),
so a typo fails at parse time rather than as a confusing error deep in a rule.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from analysis import yamlio
from analysis.errors import ConfigError

SCHEMAS = Path(__file__).parent / "schemas"


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


def validate_config(config: dict[str, Any]) -> dict[str, Any]:
    """Return a validated copy of `config` with schema defaults filled in."""
    schema = config_schema()
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"  {_key_path(e)}: {e.message}" for e in errors]
        raise ConfigError("invalid configuration:\n" + "\n".join(lines))
    out = copy.deepcopy(config)
    _fill_defaults(schema, out)
    return out


def load_config(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    try:
        doc = yamlio.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise ConfigError(f"config file {path} must hold a mapping")
    return validate_config(doc)
