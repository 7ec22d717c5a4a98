"""One strict YAML reader for configs, manifests and specs.

Strict: a key given twice in one mapping is an error (PyYAML keeps the last one silently), and
every error names the file, line and column. Each document comes with a map from key path to
line, so a validator that refuses a key can say where it stands. libyaml's C parser is used
when PyYAML has it: Snakemake parses the specs while it builds the DAG, and the pure-Python
loader (10x slower) showed up in every dry run and no-op rerun.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from analysis.core.errors import PipelineError

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

KeyPath = tuple[str | int, ...]


class YamlError(PipelineError):
    """A YAML file that cannot be read: syntax, a duplicate key, or a refused key (with line)."""


class StrictLoader(_Base):  # type: ignore[misc, valid-type]
    """Safe tags only; a duplicate key in a mapping raises with the line of its second use."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: the base class reports it
                continue
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first given on line {first})",
                    key_node.start_mark,
                )  # fmt: skip
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, StrictLoader.construct_mapping
)


@dataclass(frozen=True)
class YamlDoc:
    """A parsed document, where it came from, and the line of every mapping key in it."""

    data: Any
    source: str = "<string>"
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line(self, path: Sequence[str | int]) -> int | None:
        """The line of the deepest key of `path` that the document has (None: not in it)."""
        path = tuple(path)
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path)

    def where(self, path: Sequence[str | int]) -> str:
        """`file, line N` of the deepest key of `path` that the document has."""
        line = self.line(path)
        return f"{self.source}, line {line}" if line else self.source


def _key_lines(node: yaml.Node | None, prefix: KeyPath, out: dict[KeyPath, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                path = (*prefix, key_node.value)
                out.setdefault(path, key_node.start_mark.line + 1)
                _key_lines(value_node, path, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out.setdefault((*prefix, i), item.start_mark.line + 1)
            _key_lines(item, (*prefix, i), out)


def _message(exc: yaml.YAMLError, source: str) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    where = f"{source}, line {mark.line + 1}, column {mark.column + 1}" if mark else source
    return f"{where}: {problem}" + (f" ({context})" if context else "")


def parse(text: str, source: str = "<string>") -> YamlDoc:
    """Parse one YAML document strictly; errors name `source`, line and column."""
    loader = StrictLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise YamlError(_message(exc, source)) from exc
    finally:
        loader.dispose()
    lines: dict[KeyPath, int] = {}
    _key_lines(node, (), lines)
    return YamlDoc(data, source, lines)


def read(path: str | Path) -> YamlDoc:
    """Parse a YAML file strictly (see :func:`parse`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise YamlError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return parse(text, str(path))


def safe_load(text: str, source: str = "<string>") -> Any:
    """`yaml.safe_load` semantics, strict about duplicate keys, with located errors."""
    return parse(text, source).data


def unknown_keys(
    doc: YamlDoc, mapping: Any, allowed: Sequence[str], path: KeyPath = ()
) -> list[str]:
    """`file, line N: unknown key 'k' (allowed: ...)` for each key of `mapping` not allowed."""
    if not isinstance(mapping, dict):
        return []
    return [
        f"{doc.where((*path, k))}: unknown key {'.'.join(map(str, (*path, k)))!r} "
        f"(allowed: {', '.join(allowed)})"
        for k in mapping
        if k not in allowed
    ]
