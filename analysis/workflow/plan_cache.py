"""What the Snakefile derives from the package and the config, kept between Snakemake starts.

Planning needs facts only the package can give: each source's files, tables and parser, every
rule's code inputs (the import graph), each hypothesis's frames, figures and settings, the
validated config and the covariate clash check. Deriving them imports every source and
hypothesis module (pandera, pydantic, the frame builders) and scans the import graph: about
0.7 s of every start, no-op reruns included. They depend only on

- the contents of every file of the package (modules, data files, rule files),
- the config Snakemake resolved (files and ``--config``),
- the files a value read besides those (:meth:`PlanCache.depend`: the model specs and the
  manifest) and the Snakefile, whose memo calls say what each value is,
- the interpreter, its installed packages (the modification time of each ``site-packages``
  directory, which installing or removing a package changes) and the working directory,

so :meth:`PlanCache.memo` stores each value under a SHA-256 of all of these, in
``.snakemake/analysis_plan.json``. The key hashes contents, not sizes and times: a file edited
with its size and mtime restored still changes it (reading and hashing the package's ~2 MB
takes about 10 ms). A value whose inputs changed is computed afresh, and that is where every
error (an invalid config or spec, a clash) is raised: nothing is stored unless the whole
Snakefile was read without one (:meth:`PlanCache.save` is its last step), so an invalid state
is never remembered. Only JSON values are memoised, and a hit returns what a miss returns.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from analysis.core.atomicfile import write_text_atomic

PKG = Path(__file__).resolve().parents[1]
CACHE = Path(".snakemake") / "analysis_plan.json"
FORMAT = 1  # bump when the file's layout changes


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return "missing"


def package_files(pkg: Path = PKG) -> dict[str, tuple[str, int]]:
    """Every file of the package (bytecode caches aside): path -> (SHA-256 of its contents,
    mtime in ns, read after the contents so it is never older than what was hashed)."""
    out = {}
    for root, dirs, files in os.walk(pkg):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            path = os.path.join(root, name)
            with open(path, "rb") as fh:
                digest = hashlib.sha256(fh.read()).hexdigest()
                out[path] = (digest, os.fstat(fh.fileno()).st_mtime_ns)
    return out


def package_digest(files: dict[str, tuple[str, int]], pkg: Path = PKG) -> str:
    """SHA-256 over the relative path and contents digest of every file of the package."""
    h = hashlib.sha256()
    for path, (digest, _) in sorted(files.items()):
        h.update(f"{Path(path).relative_to(pkg).as_posix()}\0{digest}\n".encode())
    return h.hexdigest()


def _site_stamp() -> list[tuple[str, int]]:
    """Each installed-packages directory on the path with its mtime (installing, upgrading or
    removing a distribution adds or removes entries in it)."""
    out = []
    for entry in sys.path:
        if entry and "-packages" in Path(entry).name and os.path.isdir(entry):
            out.append((os.path.realpath(entry), os.stat(entry).st_mtime_ns))
    return out


def plan_key(
    config: Any, files: Iterable[str | Path], package: dict[str, tuple[str, int]], pkg: Path = PKG
) -> str:
    """The key of the memoised values: package contents (`package`, from
    :func:`package_files`), config, interpreter, working dir and the contents of `files`
    (the Snakefile, whose memo calls say what each value is)."""
    head = {
        "files": {str(p): _file_digest(Path(p)) for p in files},
        "format": FORMAT,
        # the environment, however its interpreter was reached (.venv may be a symlink)
        "python": [os.path.realpath(sys.prefix), sys.version],
        "site": _site_stamp(),
        "cwd": os.getcwd(),
        "package": [str(pkg), package_digest(package, pkg)],
        "config": config,
    }
    text = json.dumps(head, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def _as_json(value: Any) -> str:
    """`value` as JSON text; ValueError if reading it back would not give `value`."""
    text = json.dumps(value, sort_keys=True)
    back = json.loads(text)
    if back != value or _types(back) != _types(value):
        raise ValueError("not a JSON value")
    return text


def _types(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(v) for v in value]
    return type(value).__name__


class PlanCache:
    """Memoised planning facts of one Snakefile read (see the module docstring)."""

    def __init__(
        self,
        config: Any,
        files: Iterable[str | Path] = (),
        path: str | Path = CACHE,
        pkg: Path = PKG,
    ) -> None:
        self.path = Path(path)
        self.package = package_files(pkg)  # also what the code stamps are made of
        self.key = plan_key(config, files, self.package, pkg)
        self.values: dict[str, Any] = {}
        self.files: dict[str, str] = {}  # path -> content digest, for depend()
        self.hit = False
        self._storable = True
        stored = self._read()
        if stored is not None:
            self.values, self.files, self.hit = stored["values"], stored["files"], True

    def _read(self) -> dict[str, Any] | None:
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(stored, dict) or stored.get("key") != self.key:
            return None
        files = stored.get("files", {})
        if any(_file_digest(Path(p)) != d for p, d in files.items()):
            return None  # a spec (or another recorded file) changed
        return stored

    def memo(self, name: str, compute: Callable[[], Any]) -> Any:
        """The stored value `name`, or `compute()` (a JSON value that depends only on what
        the key and :meth:`depend` cover) stored on :meth:`save`."""
        if self.hit and name in self.values:
            return json.loads(json.dumps(self.values[name]))  # a copy, as on a miss
        value = compute()
        try:
            text = _as_json(value)
        except (TypeError, ValueError):
            self._storable = False  # used as computed; the cache is not written
            return value
        # what is stored is the value as computed: the caller's copy may change, this cannot
        self.values[name] = json.loads(text)
        self.hit = False
        return json.loads(text)

    def depend(self, paths: Iterable[str | Path]) -> None:
        """Files outside the package that memoised values read (a hit checks their contents).
        On a hit they are the files the stored values were computed from, checked already."""
        if not self.hit:
            self.files |= {str(p): _file_digest(Path(p)) for p in paths}

    def save(self) -> None:
        """Write the values computed in this read (nothing on a hit or if one was not JSON;
        a read-only working directory just keeps no cache)."""
        if self.hit or not self._storable:
            return
        doc = {"key": self.key, "files": self.files, "values": self.values}
        text = json.dumps(doc, sort_keys=True, separators=(",", ":"))
        with contextlib.suppress(OSError):  # a read-only working directory keeps no cache
            write_text_atomic(self.path, text)  # a concurrent start reads old or new
