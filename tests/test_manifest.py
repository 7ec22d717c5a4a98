"""Manifest validation: bad entries are rejected with a message naming the entry."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from analysis.acquire.manifest import check_relative_path, load_manifest, parse_manifest
from analysis.acquire.manifest_build import entries_from_sources, license_class
from analysis.core.errors import ManifestError
from tests.conftest import MIRROR, ROOT, make_entry

GOOD = make_entry("topic/file.csv", b"x,y\n1,2\n", id="good_entry")


def doc(*entries):
    return {"sources": [copy.deepcopy(e) for e in entries]}


def test_valid_manifest_parses():
    (entry,) = parse_manifest(doc(GOOD))
    assert entry.file == "topic/file.csv"
    assert entry.topic == "topic"
    assert entry.bytes == 8


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("file", "../etc/passwd", "path traversal"),
        ("file", "topic/../../escape.csv", "path traversal"),
        ("file", "/etc/passwd", "absolute path"),
        ("file", "C:/data/file.csv", "absolute path"),
        ("file", "topic\\file.csv", "backslash"),
        ("file", "topic//file.csv", "unsafe path component"),
        ("file", "topic/.hidden", "unsafe path component"),
        ("url", "http://example.org/file.csv", "not an https URL"),
        ("url", "ftp://example.org/file.csv", "not an https URL"),
        ("url", "https:///nohost", "not an https URL"),
        ("sha256", "abc123", "not 64 lowercase hex"),
        ("sha256", "G" * 64, "not 64 lowercase hex"),
        ("sha256", "A" * 64, "not 64 lowercase hex"),
        ("bytes", 0, "positive integer"),
        ("bytes", "12", "positive integer"),
        ("bytes", True, "positive integer"),
        ("id", "Bad Id", "'id'"),
        ("license", "  ", "'license'"),
        ("license_class", "free", "license_class"),
        ("rehosted", "yes", "rehosted"),
    ],
)
def test_bad_entry_rejected_naming_entry(key, value, message):
    bad = dict(GOOD, **{key: value})
    with pytest.raises(ManifestError) as err:
        parse_manifest(doc(bad))
    assert message in str(err.value)
    # The entry is named by its id (the bad id itself when that is what is wrong) and position.
    assert f"{bad['id']!r} (#0)" in str(err.value)


@pytest.mark.parametrize("key", ["sha256", "bytes", "url", "file", "license"])
def test_missing_required_key_rejected(key):
    bad = {k: v for k, v in GOOD.items() if k != key}
    with pytest.raises(ManifestError, match=f"missing required key.*{key}"):
        parse_manifest(doc(bad))


def test_unknown_key_rejected():
    with pytest.raises(ManifestError, match=r"unknown key.*skip_verify"):
        parse_manifest(doc(dict(GOOD, skip_verify=True)))


def test_duplicate_id_and_file_rejected():
    other = make_entry("topic/other.csv", b"1", id="good_entry")
    with pytest.raises(ManifestError, match="duplicate id 'good_entry'"):
        parse_manifest(doc(GOOD, other))
    same_file = dict(GOOD, id="another")
    with pytest.raises(ManifestError, match=r"duplicate file 'topic/file\.csv'"):
        parse_manifest(doc(GOOD, same_file))


def test_not_a_manifest(tmp_path):
    p = tmp_path / "m.yaml"
    p.write_text("- just a list\n")
    with pytest.raises(ManifestError, match="'sources' list"):
        load_manifest(p)
    with pytest.raises(ManifestError, match="does not exist"):
        load_manifest(tmp_path / "missing.yaml")


SAFE = st.from_regex(r"[a-z0-9_][a-z0-9_.-]{0,11}", fullmatch=True)


@given(st.lists(SAFE, min_size=1, max_size=4))
def test_safe_relative_paths_accepted(parts):
    path = "/".join(parts)
    assert check_relative_path(path, "x") == path


@given(st.lists(SAFE, min_size=0, max_size=3), st.lists(SAFE, min_size=0, max_size=3))
def test_any_dotdot_component_rejected(before, after):
    path = "/".join([*before, "..", *after])
    with pytest.raises(ManifestError):
        check_relative_path(path, "x")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CC BY 4.0 (GeoNames)", "open"),
        ("CC BY-NC-SA 4.0 (stated in repo readme)", "non-commercial"),
        ("Non-commercial use only; must cite", "non-commercial"),
        ("unknown (no licence in the repo)", "unknown"),
        ("not stated in repo", "unknown"),
        (
            "repo code Apache-2.0; data: CDP open data terms (no explicit licence in the README)",
            "unknown",
        ),
    ],
)
def test_license_class(text, expected):
    assert license_class(text) == expected


def test_committed_manifest_is_valid_and_safe():
    entries = load_manifest(ROOT / "data/raw/sources.yaml")
    assert len(entries) >= 1
    assert all(e.url.startswith("https://") for e in entries)


@pytest.mark.skipif(not MIRROR.is_dir(), reason="the shared raw-data mirror is not beside the repo")
def test_committed_manifest_covers_every_mirror_file():
    """Every file the mirror describes is in the manifest with the same size and hash."""
    committed = {e.file: e for e in load_manifest(ROOT / "data/raw/sources.yaml")}
    regenerated = {r["file"]: r for r in entries_from_sources(MIRROR)}
    assert set(committed) == set(regenerated)
    for file, row in regenerated.items():
        assert committed[file].sha256 == row["sha256"], file
        assert committed[file].bytes == row["bytes"], file
    # And the mirror's files on disk are the ones described (names and sizes).
    on_disk = {
        str(p.relative_to(MIRROR))
        for p in MIRROR.glob("*/*")
        if p.is_file() and p.name != "SOURCES.yaml"
    }
    assert on_disk == set(committed)


def test_build_manifest_round_trip(tmp_path):
    """The generator reads SOURCES.yaml files and writes a manifest that validates."""
    from analysis.acquire.manifest_build import build_manifest

    mirror = tmp_path / "mirror"
    (mirror / "t1").mkdir(parents=True)
    (mirror / "t1" / "SOURCES.yaml").write_text(
        yaml.safe_dump(
            {
                "files": [
                    {
                        "file": name,
                        "sha256": "a" * 64,
                        "bytes": 10,
                        "raw_url": f"https://example.org/{name}",
                        "license": "unknown",
                        "citation": "c",
                        "original_publisher": "p",
                        "repo": "someone/copy",
                    }
                    for name in ("data.csv", "data.xlsx")
                ]
            }
        )
    )
    out = tmp_path / "sources.yaml"
    assert build_manifest(mirror, out) == 2
    entries = load_manifest(out)
    # Same stem twice: ids are disambiguated by extension and stay unique.
    assert sorted(e.id for e in entries) == ["t1_data_csv", "t1_data_xlsx"]
    assert all(e.rehosted and e.license_class == "unknown" for e in entries)
    assert not Path(out).read_text().count("\t")


def test_unknown_top_level_key_refused_with_line(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(doc(GOOD)) + "verify: false\n")
    line = path.read_text().splitlines().index("verify: false") + 1
    with pytest.raises(ManifestError, match=rf"sources.yaml, line {line}: unknown key 'verify'"):
        load_manifest(path)


def test_duplicate_key_in_manifest_refused_with_line(tmp_path):
    text = yaml.safe_dump(doc(GOOD), sort_keys=False)
    text = text.replace("  bytes: ", "  sha256: " + "0" * 64 + "\n  bytes: ", 1)
    path = tmp_path / "sources.yaml"
    path.write_text(text)
    line = text.splitlines().index("  sha256: " + "0" * 64) + 1
    with pytest.raises(ManifestError, match=rf"line {line}, column 3: duplicate key 'sha256'"):
        load_manifest(path)


def test_bad_entry_names_its_line(tmp_path):
    bad = {**GOOD, "colour": "red"}
    path = tmp_path / "sources.yaml"
    text = yaml.safe_dump(doc(GOOD, {**bad, "id": "second", "file": "t/b.csv"}), sort_keys=False)
    path.write_text(text)
    line = text.splitlines().index("  colour: red") + 1
    with pytest.raises(ManifestError, match=rf"sources.yaml, line {line}: .*unknown key"):
        load_manifest(path)


def test_a_manifest_edited_in_place_is_parsed_afresh(tmp_path):
    """The parsed manifest is reused only for the same text (a job server parses it once for
    its forks): an edit that keeps the size and mtime is still seen."""
    import os

    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(doc(GOOD)))
    stat = path.stat()
    assert load_manifest(path)[0].bytes == 8
    path.write_text(yaml.safe_dump(doc(GOOD)).replace("bytes: 8", "bytes: 9"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    assert load_manifest(path)[0].bytes == 9
    path.write_text(yaml.safe_dump(doc(GOOD)) + "verify: false\n")
    with pytest.raises(ManifestError, match="unknown key 'verify'"):
        load_manifest(path)
