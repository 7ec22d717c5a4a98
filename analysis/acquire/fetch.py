"""Acquisition: put one verified raw file at `data/raw/<file>`.

Source order: the local mirror (default `../shared/raw`) when it holds the file, else the
pinned URL. Either way the bytes land in a temporary file beside the target, are checked
against the manifest's size and sha256, and only then are renamed into place, so a failed
or interrupted acquisition never leaves a partial or unverified file behind. There is
deliberately no option to skip verification.

A placed file is world-readable. A file already present and verified is left untouched
(:func:`acquire_if_needed`), so re-running a topic's job after one file went missing fetches
that file alone. Acquisition alone is not trusted at use: :func:`check_raw_files` checks every
raw file on every run (hashing any file changed in any way since it was last hashed), and each
parser hashes its own files before reading them.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from analysis.acquire.manifest import ManifestEntry, check_relative_path
from analysis.core.atomicfile import write_text_atomic
from analysis.core.errors import AcquisitionError, ChecksumError, RawInputError
from analysis.core.hashing import sha256_file

MIRROR_ENV = "CITYDIP_RAW_MIRROR"
FILE_MODE = 0o644  # mkstemp creates 0600; raw files are for every user of the checkout

Downloader = Callable[[str, Path, int], None]


@dataclass(frozen=True)
class AcquireRecord:
    """What acquisition did for one file; written to the audit trail."""

    id: str
    file: str
    origin: str  # "mirror" or "download"
    source: str  # mirror path or URL
    bytes: int
    sha256: str
    verified: bool


def resolve_mirror(configured: str | None, env: os._Environ[str] | dict[str, str] | None = None):
    """The mirror directory to use: `$CITYDIP_RAW_MIRROR` wins over config; '' means none."""
    env = os.environ if env is None else env
    value = env.get(MIRROR_ENV, configured)
    if not value:
        return None
    return Path(value)


def verify_file(path: Path, entry: ManifestEntry, origin: str | Path | None = None) -> str:
    """Check size, then sha256; raise ChecksumError naming the file and both values.

    `origin` is what the user should look at (the mirror file or the URL), when `path` is a
    temporary copy of it.
    """
    shown = origin if origin is not None else path
    size = path.stat().st_size
    if size != entry.bytes:
        raise ChecksumError(
            f"{entry.file}: size mismatch: expected {entry.bytes} bytes, got {size} (from {shown})"
        )
    actual = sha256_file(path)
    if actual != entry.sha256:
        raise ChecksumError(
            f"{entry.file}: sha256 mismatch: expected {entry.sha256}, got {actual} (from {shown})"
        )
    return actual


def verify_at_use(
    paths: Mapping[str, Path], manifest: Mapping[str, ManifestEntry], reader: str
) -> None:
    """Check the raw files a job is about to read (`paths`: manifest file -> path) against the
    manifest; raise naming the file. One check for parsers and for jobs reading raw files
    directly (gazetteer, matching)."""
    for rel, path in paths.items():
        if rel not in manifest:
            raise RawInputError(str(path), f"{reader} reads a file the manifest lacks")
        try:
            verify_file(path, manifest[rel])
        except ChecksumError as exc:
            raise RawInputError(
                str(path), f"changed after acquisition ({exc}); delete it to re-acquire it"
            ) from None


STAT_CACHE_FORMAT = 1


def _signature(st: os.stat_result) -> list[int]:
    """What any change to a file's bytes changes: writing sets mtime and ctime, and restoring
    the mtime (``os.utime``) sets ctime again; ctime cannot be set from user space. A new
    file (copied or moved into place) has another inode as well."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


def _read_stat_cache(path: Path | None) -> dict[str, list]:
    if path is None:
        return {}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # absent or unreadable: hash every file, as without a cache
    if not isinstance(doc, dict) or doc.get("format") != STAT_CACHE_FORMAT:
        return {}
    files = doc.get("files")
    return files if isinstance(files, dict) else {}


def _write_stat_cache(path: Path, files: dict[str, list]) -> None:
    text = json.dumps({"format": STAT_CACHE_FORMAT, "files": files}, sort_keys=True)
    with contextlib.suppress(OSError):  # read-only: no cache, every start hashes every file
        write_text_atomic(path, text)


def _problem(
    entry: ManifestEntry, raw_dir: Path, acquired: dict[str, str], known: dict[str, list]
) -> tuple[str | None, list | None]:
    """(what is wrong with the file or None, its stat signature and sha256 to remember or
    None). A missing file is neither."""
    path = raw_dir / entry.file
    try:
        st = path.stat()
    except FileNotFoundError:
        return None, None  # not acquired yet: the acquire job makes it
    sig = _signature(st)
    seen = known.get(entry.file)
    if isinstance(seen, list) and seen[:-1] == sig:
        actual = seen[-1]  # hashed before, unchanged since: the same bytes
        remember: list | None = seen
    else:
        actual = sha256_file(path)
        # replaced while it was read (an acquire job renaming into place): checked, not kept
        remember = [*sig, actual] if _signature(path.stat()) == sig else None
    size = st.st_size
    if size == entry.bytes and actual == entry.sha256:
        return None, remember
    if acquired.get(entry.file) == actual:
        return None, remember  # as acquired, but the manifest moved on: its acquire job replaces it
    if size != entry.bytes:
        return f"{path}: {size} bytes, the manifest says {entry.bytes}", None
    return f"{path}: sha256 {actual}, the manifest says {entry.sha256}", None


def check_raw_files(
    entries: Iterable[ManifestEntry],
    raw_dir: str | Path,
    records_dir: str | Path | None = None,
    stat_cache: str | Path | None = None,
) -> int:
    """Hash every raw file present against the manifest; raise naming each one that differs.

    Runs whenever the pipeline starts: an acquired file edited afterwards, even with its mtime
    restored, must not reach a parser. A file that still has the hash its acquisition
    recorded (`records_dir`, one JSON per topic) while the manifest now says another is not an
    edit: the manifest was regenerated, and the topic's acquire job (its sha256 param changed)
    replaces the file before any parser reads it.

    `stat_cache` (a JSON file) remembers each verified file's hash with its size, mtime,
    ctime, inode and device: a file whose five are unchanged since it was hashed has the same
    bytes (any write, and any reset of the mtime, sets the ctime), so it is not read again.
    Hashing all 132 files (82 MB) took 59-66 ms of every start, no-op reruns included; with
    nothing changed the check takes 8-10 ms. The cache is written only when every file passed. Returns how many files were checked.
    """
    raw_dir = Path(raw_dir)
    entries = list(entries)
    cache = Path(stat_cache) if stat_cache is not None else None
    known = _read_stat_cache(cache)
    acquired: dict[str, str] = {}
    if records_dir is not None:
        for path in sorted(Path(records_dir).glob("*.json")):
            acquired |= {f: r.get("sha256", "") for f, r in read_records(path).items()}
    # hashlib releases the GIL on large buffers: threads hash files in parallel.
    with ThreadPoolExecutor(max_workers=4) as pool:
        checked = list(pool.map(lambda e: _problem(e, raw_dir, acquired, known), entries))
    problems = [p for p, _ in checked if p]
    if problems:
        raise ChecksumError(
            f"{len(problems)} raw file(s) differ from the manifest (changed after acquisition):\n"
            + "\n".join(f"  {p}" for p in problems)
            + "\nDelete them to re-acquire them from the mirror or the pinned URL, or restore them."
        )
    remembered = {e.file: r for e, (_, r) in zip(entries, checked, strict=True) if r is not None}
    if cache is not None and remembered != known:
        _write_stat_cache(cache, remembered)
    return sum((raw_dir / e.file).is_file() for e in entries)


def download_url(
    url: str,
    dest: Path,
    expected_bytes: int,
    *,
    retries: int = 3,
    timeout: float = 60.0,
    backoff: float = 2.0,
) -> None:
    """Stream `url` to `dest` with a progress bar, retrying transient failures."""
    import requests
    from tqdm import tqdm

    last: Exception | None = None
    for attempt in range(1, retries + 1):
        try:
            with requests.get(url, stream=True, timeout=timeout) as resp:
                resp.raise_for_status()
                with (
                    open(dest, "wb") as fh,
                    tqdm(
                        total=expected_bytes,
                        unit="B",
                        unit_scale=True,
                        desc=dest.name,
                        disable=None,
                    ) as bar,
                ):
                    for chunk in resp.iter_content(chunk_size=1 << 16):
                        fh.write(chunk)
                        bar.update(len(chunk))
            return
        except requests.RequestException as exc:
            last = exc
            if attempt < retries:
                time.sleep(backoff * attempt)
    raise AcquisitionError(f"download of {url} failed after {retries} attempt(s): {last}")


def acquire(
    entry: ManifestEntry,
    raw_dir: Path,
    mirror: Path | None,
    *,
    downloader: Downloader | None = None,
    retries: int = 3,
    timeout: float = 60.0,
) -> AcquireRecord:
    """Produce `raw_dir/entry.file`, verified; raise with a clear message otherwise."""
    check_relative_path(entry.file, repr(entry.id))  # defence in depth: never escape raw_dir
    target = raw_dir / entry.file
    target.parent.mkdir(parents=True, exist_ok=True)
    mirrored = mirror / entry.file if mirror is not None else None

    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if mirrored is not None and mirrored.is_file():
            origin, source = "mirror", str(mirrored)
            shutil.copyfile(mirrored, tmp)
        else:
            origin, source = "download", entry.url
            fetch = downloader or (
                lambda url, dest, n: download_url(url, dest, n, retries=retries, timeout=timeout)
            )
            try:
                fetch(entry.url, tmp, entry.bytes)
            except AcquisitionError as exc:
                where = f"not in mirror {mirror}" if mirror is not None else "no mirror set"
                raise AcquisitionError(f"{entry.file}: {where}, and {exc}") from exc
        digest = verify_file(tmp, entry, source)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return AcquireRecord(entry.id, entry.file, origin, source, entry.bytes, digest, True)


def write_records(records: list[AcquireRecord], path: Path) -> None:
    """Write the records as a JSON list, sorted by file, for the acquisition audit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [asdict(r) for r in sorted(records, key=lambda r: r.file)]
    path.write_text(json.dumps(rows, indent=2, sort_keys=True) + "\n")


def read_records(path: Path) -> dict[str, dict]:
    """The records an earlier run wrote (by file), or nothing."""
    try:
        return {r["file"]: r for r in json.loads(path.read_text())}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def acquire_if_needed(
    entry: ManifestEntry,
    raw_dir: Path,
    mirror: Path | None,
    previous: dict[str, dict] | None = None,
    **kwargs: Any,
) -> tuple[AcquireRecord, bool]:
    """Keep `raw_dir/entry.file` untouched when it is there and verified; acquire it otherwise.

    So re-running a topic's acquisition after one file went missing fetches that file alone;
    the others keep their bytes (their earlier record says where they came from). Returns the
    record and whether the file was fetched.
    """
    target = raw_dir / entry.file
    if target.is_file():
        try:
            digest = verify_file(target, entry)
        except ChecksumError:
            pass  # differs from the manifest: replace it below
        else:
            old = (previous or {}).get(entry.file, {})
            origin, source = old.get("origin", "present"), old.get("source", str(target))
            return AcquireRecord(
                entry.id, entry.file, origin, source, entry.bytes, digest, True
            ), False
    return acquire(entry, raw_dir, mirror, **kwargs), True
