"""The raw-data manifest (`data/raw/sources.yaml`): loading and validation.

The manifest is the project's record of every third-party input: where it lives under
`data/raw/`, the pinned URL to download it from, and the sha256 it must have. Everything
here is checked before any file is touched, because a bad entry (an absolute path, `..`,
plain http, a malformed hash) would otherwise let acquisition write outside `data/raw/`
or accept an unverified file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlparse

from analysis.core import yamlio
from analysis.core.errors import ManifestError

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
# One safe path component: no separators, no leading dot (so no "." or ".." either).
COMPONENT_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")

REQUIRED_KEYS = ("id", "file", "url", "sha256", "bytes", "license", "citation", "publisher")
OPTIONAL_KEYS = (
    "license_class",
    "rehosted",
    "caveats",
    "description",
    "coverage",
    "unit_of_observation",
    "repo",
    "commit",
    "path",
)
LICENSE_CLASSES = ("open", "non-commercial", "unknown")


@dataclass(frozen=True)
class ManifestEntry:
    """One raw file: its place under `data/raw/`, its pinned URL and its checksum."""

    id: str
    file: str
    url: str
    sha256: str
    bytes: int
    license: str
    citation: str
    publisher: str
    license_class: str = "unknown"
    rehosted: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def topic(self) -> str:
        return PurePosixPath(self.file).parts[0]


def _fail(label: str, problem: str) -> ManifestError:
    return ManifestError(f"manifest entry {label}: {problem}")


def check_relative_path(value: object, label: str) -> str:
    """Return `value` if it is a safe relative POSIX path, else raise naming the entry."""
    if not isinstance(value, str) or not value:
        raise _fail(label, f"'file' must be a non-empty string, got {value!r}")
    if "\\" in value:
        raise _fail(label, f"'file' {value!r} contains a backslash; use '/' separators")
    if value.startswith("/") or re.match(r"^[A-Za-z]:", value):
        raise _fail(label, f"'file' {value!r} is an absolute path; it must be relative")
    parts = value.split("/")
    if ".." in parts:
        raise _fail(label, f"'file' {value!r} contains '..' (path traversal)")
    for part in parts:
        if not COMPONENT_RE.match(part):
            raise _fail(label, f"'file' {value!r} has an unsafe path component {part!r}")
    return value


def check_url(value: object, label: str) -> str:
    if not isinstance(value, str):
        raise _fail(label, f"'url' must be a string, got {value!r}")
    parsed = urlparse(value)
    if parsed.scheme != "https" or not parsed.netloc:
        raise _fail(label, f"'url' {value!r} is not an https URL")
    return value


def check_sha256(value: object, label: str) -> str:
    if not isinstance(value, str) or not SHA256_RE.match(value):
        raise _fail(label, f"'sha256' {value!r} is not 64 lowercase hex digits")
    return value


def parse_entry(raw: object, index: int) -> ManifestEntry:
    """Validate one manifest entry; errors name the entry by id (or position)."""
    if not isinstance(raw, Mapping):
        raise _fail(f"#{index}", f"must be a mapping, got {type(raw).__name__}")
    label = f"{raw.get('id')!r} (#{index})" if "id" in raw else f"#{index}"
    missing = [k for k in REQUIRED_KEYS if k not in raw]
    if missing:
        raise _fail(label, f"missing required key(s): {', '.join(missing)}")
    unknown = sorted(set(raw) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        raise _fail(label, f"unknown key(s): {', '.join(map(str, unknown))}")
    if not isinstance(raw["id"], str) or not ID_RE.match(raw["id"]):
        raise _fail(label, f"'id' {raw['id']!r} must match {ID_RE.pattern}")
    size = raw["bytes"]
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise _fail(label, f"'bytes' must be a positive integer, got {size!r}")
    for key in ("license", "citation", "publisher"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise _fail(label, f"{key!r} must be a non-empty string")
    license_class = raw.get("license_class", "unknown")
    if license_class not in LICENSE_CLASSES:
        raise _fail(label, f"'license_class' {license_class!r} not in {LICENSE_CLASSES}")
    rehosted = raw.get("rehosted", False)
    if not isinstance(rehosted, bool):
        raise _fail(label, f"'rehosted' must be true or false, got {rehosted!r}")
    return ManifestEntry(
        id=raw["id"],
        file=check_relative_path(raw["file"], label),
        url=check_url(raw["url"], label),
        sha256=check_sha256(raw["sha256"], label),
        bytes=size,
        license=raw["license"],
        citation=raw["citation"],
        publisher=raw["publisher"],
        license_class=license_class,
        rehosted=rehosted,
        extra={k: raw[k] for k in OPTIONAL_KEYS if k in raw},
    )


TOP_LEVEL_KEYS = ("sources",)


def parse_manifest(doc: object, located: yamlio.YamlDoc | None = None) -> list[ManifestEntry]:
    """Validate a whole manifest document: every entry, plus unique ids and files.

    With the parsed file (`located`), errors name the line of the entry or key at fault.
    """
    located = located or yamlio.YamlDoc(doc, "manifest")
    if not isinstance(doc, Mapping) or not isinstance(doc.get("sources"), list):
        raise ManifestError(f"{located.source}: manifest must be a mapping with a 'sources' list")
    # An unknown top-level key (say `verify: false`) must not look as if it did something.
    unknown = yamlio.unknown_keys(located, doc, TOP_LEVEL_KEYS)
    if unknown:
        raise ManifestError("; ".join(unknown))
    entries = []
    for i, raw in enumerate(doc["sources"]):
        try:
            entries.append(parse_entry(raw, i))
        except ManifestError as exc:
            bad = (
                [k for k in raw if k not in REQUIRED_KEYS + OPTIONAL_KEYS]
                if isinstance(raw, Mapping)
                else []
            )
            path = ("sources", i, bad[0]) if bad else ("sources", i)
            raise ManifestError(f"{located.where(path)}: {exc}") from None
    _check_unique(entries, "id")
    _check_unique(entries, "file")
    return entries


def _check_unique(entries: Iterable[ManifestEntry], key: str) -> None:
    seen: set[str] = set()
    for entry in entries:
        value = getattr(entry, key)
        if value in seen:
            raise _fail(repr(entry.id), f"duplicate {key} {value!r}")
        seen.add(value)


#: The last manifest parsed, by path and text: the job server parses it once for all its
#: forks (`analysis.sources.common.warmup`), each fork still reads the file and parses a
#: changed text afresh.
_LAST_PARSED: dict[tuple[str, str], tuple[ManifestEntry, ...]] = {}


def load_manifest(path: str | Path) -> list[ManifestEntry]:
    path = Path(path)
    if not path.is_file():
        raise ManifestError(f"manifest {path} does not exist")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ManifestError(f"manifest {path}: cannot read: {exc.strerror or exc}") from exc
    key = (str(path), text)
    if key not in _LAST_PARSED:
        try:
            doc = yamlio.parse(text, str(path))
        except yamlio.YamlError as exc:
            raise ManifestError(f"manifest {exc}") from exc
        entries = tuple(parse_manifest(doc.data, doc))
        _LAST_PARSED.clear()
        _LAST_PARSED[key] = entries
    return list(_LAST_PARSED[key])


def by_file(entries: Iterable[ManifestEntry]) -> dict[str, ManifestEntry]:
    return {e.file: e for e in entries}


def files_by_topic(entries: Iterable[ManifestEntry]) -> dict[str, list[str]]:
    """Manifest files grouped by topic folder, both sorted (one acquisition job per topic)."""
    out: dict[str, list[str]] = {}
    for e in sorted(entries, key=lambda x: x.file):
        out.setdefault(e.topic, []).append(e.file)
    return out
