"""Acquisition from a temporary mirror: copy, verify, and fail cleanly."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from analysis.acquire.fetch import MIRROR_ENV, acquire, resolve_mirror, verify_file
from analysis.acquire.manifest import parse_manifest
from analysis.core.errors import AcquisitionError, ChecksumError


def entries(raw):
    return parse_manifest({"sources": raw})


def leftovers(raw_dir: Path) -> list[Path]:
    return sorted(p for p in raw_dir.rglob("*") if p.is_file())


def no_network(url, dest, n):  # a downloader that must not be reached
    raise AssertionError(f"unexpected download of {url}")


def test_good_file_copied_and_verified(synthetic_mirror, tmp_path):
    mirror, raw = synthetic_mirror
    raw_dir = tmp_path / "raw"
    for entry in entries(raw):
        rec = acquire(entry, raw_dir, mirror, downloader=no_network)
        assert rec.origin == "mirror" and rec.verified
        assert rec.sha256 == entry.sha256
        assert (raw_dir / entry.file).read_bytes() == (mirror / entry.file).read_bytes()
    # Nothing but the three targets: no temporary files left beside them.
    assert [p.relative_to(raw_dir).as_posix() for p in leftovers(raw_dir)] == sorted(
        e.file for e in entries(raw)
    )


def test_corrupted_mirror_file_fails_and_leaves_nothing(synthetic_mirror, tmp_path):
    mirror, raw = synthetic_mirror
    entry = entries(raw)[0]
    original = (mirror / entry.file).read_bytes()
    (mirror / entry.file).write_bytes(original.replace(b"Bologna", b"Bolognx"))  # same size
    raw_dir = tmp_path / "raw"
    with pytest.raises(ChecksumError) as err:
        acquire(entry, raw_dir, mirror, downloader=no_network)
    msg = str(err.value)
    assert entry.file in msg and entry.sha256 in msg and "sha256 mismatch" in msg
    assert leftovers(raw_dir) == []


def test_truncated_file_fails_on_size(synthetic_mirror, tmp_path):
    mirror, raw = synthetic_mirror
    entry = entries(raw)[0]
    (mirror / entry.file).write_bytes(b"name")
    with pytest.raises(ChecksumError, match=f"expected {entry.bytes} bytes, got 4"):
        acquire(entry, tmp_path / "raw", mirror, downloader=no_network)
    assert leftovers(tmp_path / "raw") == []


def test_corrupted_file_does_not_replace_a_good_one(synthetic_mirror, tmp_path):
    mirror, raw = synthetic_mirror
    entry = entries(raw)[0]
    raw_dir = tmp_path / "raw"
    acquire(entry, raw_dir, mirror)
    good = (raw_dir / entry.file).read_bytes()
    (mirror / entry.file).write_bytes(b"X" * entry.bytes)
    with pytest.raises(ChecksumError):
        acquire(entry, raw_dir, mirror)
    assert (raw_dir / entry.file).read_bytes() == good
    assert len(leftovers(raw_dir)) == 1


def test_missing_file_with_unreachable_url_fails_clearly(synthetic_mirror, tmp_path):
    mirror, raw = synthetic_mirror
    entry = entries(raw)[0]
    (mirror / entry.file).unlink()
    # A real download attempt against a closed local port: fails fast, no retry sleep.
    from analysis.acquire.fetch import download_url

    unreachable = entry.__class__(**{**entry.__dict__, "url": "https://127.0.0.1:9/none.csv"})
    with pytest.raises(AcquisitionError) as err:
        acquire(
            unreachable,
            tmp_path / "raw",
            mirror,
            downloader=lambda u, d, n: download_url(u, d, n, retries=2, timeout=2, backoff=0),
        )
    msg = str(err.value)
    assert entry.file in msg and "not in mirror" in msg and "after 2 attempt(s)" in msg
    assert leftovers(tmp_path / "raw") == []


def test_download_is_verified_too(synthetic_mirror, tmp_path):
    mirror, raw = synthetic_mirror
    entry = entries(raw)[0]

    def wrong_bytes(url, dest, n):
        Path(dest).write_bytes(b"z" * n)

    with pytest.raises(ChecksumError, match="sha256 mismatch"):
        acquire(entry, tmp_path / "raw", None, downloader=wrong_bytes)
    assert leftovers(tmp_path / "raw") == []

    def right_bytes(url, dest, n):
        Path(dest).write_bytes((mirror / entry.file).read_bytes())

    rec = acquire(entry, tmp_path / "raw", None, downloader=right_bytes)
    assert rec.origin == "download" and rec.source == entry.url


def test_verification_cannot_be_skipped():
    # No parameter of acquire() turns verification off, and the manifest refuses such keys.
    params = set(inspect.signature(acquire).parameters)
    assert not {p for p in params if "verify" in p or "check" in p or "skip" in p}


def test_verify_file_names_both_hashes(tmp_path, synthetic_mirror):
    _mirror, raw = synthetic_mirror
    entry = entries(raw)[0]
    other = tmp_path / "other.csv"
    other.write_bytes(b"x" * entry.bytes)
    with pytest.raises(ChecksumError) as err:
        verify_file(other, entry)
    assert entry.sha256 in str(err.value)
    assert len([w for w in str(err.value).split() if len(w.strip(",()")) == 64]) == 2


def test_mirror_resolution_env_overrides_config(tmp_path):
    assert resolve_mirror("../shared/raw", env={}) == Path("../shared/raw")
    assert resolve_mirror("../shared/raw", env={MIRROR_ENV: str(tmp_path)}) == tmp_path
    assert resolve_mirror("../shared/raw", env={MIRROR_ENV: ""}) is None
    assert resolve_mirror(None, env={}) is None
