"""Messages a user can act on: plain values, the column of an unknown country, unwritable
outputs in one line before any work, covariate clashes at plan time, raw files checked at use,
and one road for configuration (every pipeline job gets its settings from Snakemake)."""

from __future__ import annotations

import argparse
import copy
import hashlib
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis import __main__ as cli
from analysis.acquire.fetch import acquire_if_needed, check_raw_files
from analysis.acquire.manifest import parse_manifest
from analysis.core.config import validate_config
from analysis.core.errors import ChecksumError, ConfigError, RawInputError, UnknownEntityError
from analysis.core.preflight import UnwritableError, check_writable
from analysis.resolve.countries import resolve_countries
from analysis.sources.common.readers import check_unique
from analysis.workflow.dag import check_covariate_clashes
from tests.conftest import ROOT

CONFIG = validate_config(yaml.safe_load((ROOT / "config/config.yaml").read_text()))


def test_values_print_plainly():
    err = RawInputError("f.csv", "bad", column="n", value=np.int64(1))
    assert str(err) == "f.csv, column 'n', value 1: bad"
    df = pd.DataFrame({"k": np.array([1, 1, 2], dtype="int64"), "v": [1.0, 2.0, 3.0]})
    with pytest.raises(RawInputError) as e:
        check_unique(df, ["k"], "f.csv")
    assert "np." not in str(e.value) and "[(1,)]" in str(e.value)


def test_unknown_country_names_the_column():
    values = pd.Series(["France", "Atlantis"], name="Country Name")
    with pytest.raises(UnknownEntityError) as e:
        resolve_countries(values, source="data/raw/x.csv")
    assert str(e.value).startswith(
        "1 unknown country name(s) in data/raw/x.csv, column 'Country Name': 'Atlantis'"
    )


def test_unwritable_folder_is_one_line(tmp_path):
    blocker = tmp_path / "results"
    blocker.write_text("a file, not a folder")
    with pytest.raises(UnwritableError) as e:
        check_writable([blocker / "models"])
    assert str(e.value) == f"cannot write to {blocker / 'models'}/: Not a directory"
    check_writable([tmp_path / "fresh" / "dir"])  # creatable folders pass
    assert not list((tmp_path / "fresh" / "dir").iterdir())  # and keep no probe


def test_cli_reports_permission_errors_in_one_line(monkeypatch, capsys):
    def denied(args):
        raise PermissionError(13, "Permission denied", "results/models/h2/fit.json")

    monkeypatch.setattr(cli, "_codebook", denied)
    code = cli.main(["codebook", "t.parquet", "--codebook", "c.md", "--datapackage", "d.json"])
    err = capsys.readouterr().err
    assert code == 1
    assert err == "error: cannot write results/models/h2/fit.json: Permission denied\n"


def test_fit_refuses_an_unwritable_output_before_fitting(tmp_path):
    (tmp_path / "out").write_text("not a folder")
    run = subprocess.run(
        [sys.executable, "-m", "analysis", "fit", "--spec", str(ROOT / "config/models/h2.yaml"),
         "--data", str(tmp_path / "no-data"), "--out", str(tmp_path / "out" / "h2"),
         "--settings", '{"covariates": [], "models": {"universe": {}}}'],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [
        f"error: cannot write to {tmp_path / 'out' / 'h2'}/: Not a directory"
    ]


def test_covariate_clash_names_entry_column_and_table():
    cfg = copy.deepcopy(CONFIG)
    cfg["covariates"] = [{"name": "mine", "file": "x.csv", "keys": ["city_id"],
                          "columns": ["log_pop"]}]  # fmt: skip
    with pytest.raises(ConfigError) as e:
        check_covariate_clashes("config/models", ["h2"], cfg)
    assert "covariates[0] (mine): column 'log_pop' is already a column of city_year" in str(e.value)
    cfg["covariates"][0]["columns"] = ["my_new_index"]
    check_covariate_clashes("config/models", ["h2"], cfg)  # a new name is fine


def _entries(tmp_path):
    files = {"a/x.csv": b"id,v\n1,2\n", "a/y.csv": b"id,w\n3,4\n"}
    raw_dir = tmp_path / "raw"
    for rel, data in files.items():
        (raw_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (raw_dir / rel).write_bytes(data)
    manifest = [
        {"id": rel.replace("/", "_").replace(".", "_"), "file": rel,
         "url": f"https://example.org/{rel}", "sha256": hashlib.sha256(d).hexdigest(),
         "bytes": len(d), "license": "CC0", "citation": "c", "publisher": "p"}
        for rel, d in files.items()
    ]  # fmt: skip
    return raw_dir, parse_manifest({"sources": manifest})


def test_check_raw_files_names_each_changed_file_and_both_hashes(tmp_path):
    raw_dir, entries = _entries(tmp_path)
    assert check_raw_files(entries, raw_dir) == 2
    (raw_dir / "a/x.csv").write_bytes(b"id,v\n1,3\n")  # same size
    (raw_dir / "a/y.csv").unlink()  # missing is not an error here: acquisition makes it
    with pytest.raises(ChecksumError) as e:
        check_raw_files(entries, raw_dir)
    new = hashlib.sha256(b"id,v\n1,3\n").hexdigest()
    assert f"{raw_dir / 'a/x.csv'}: sha256 {new}, the manifest says {entries[0].sha256}" in str(
        e.value
    )
    assert "a/y.csv" not in str(e.value)


def _counting_hashes(monkeypatch) -> list[str]:
    from analysis.acquire import fetch

    read: list[str] = []
    real = fetch.sha256_file

    def counted(path):
        read.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(fetch, "sha256_file", counted)
    return read


def test_a_file_unchanged_since_it_was_hashed_is_not_read_again(tmp_path, monkeypatch):
    raw_dir, entries = _entries(tmp_path)
    cache = tmp_path / "state" / "raw_verified.json"
    read = _counting_hashes(monkeypatch)
    assert check_raw_files(entries, raw_dir, None, cache) == 2
    assert sorted(read) == ["x.csv", "y.csv"] and cache.is_file()
    read.clear()
    assert check_raw_files(entries, raw_dir, None, cache) == 2
    assert read == []  # both unchanged: no byte read
    (raw_dir / "a/y.csv").unlink()
    (raw_dir / "a/y.csv").write_bytes(b"id,w\n3,4\n")  # the same bytes, a new file: hashed
    assert check_raw_files(entries, raw_dir, None, cache) == 2
    assert read == ["y.csv"]


def test_an_edit_with_size_and_mtime_restored_is_caught_despite_the_cache(tmp_path):
    import os

    raw_dir, entries = _entries(tmp_path)
    cache = tmp_path / "raw_verified.json"
    check_raw_files(entries, raw_dir, None, cache)
    path = raw_dir / "a/x.csv"
    before = path.stat()
    path.write_bytes(b"id,v\n1,3\n")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # mtime put back
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    with pytest.raises(ChecksumError, match=r"a/x\.csv: sha256"):
        check_raw_files(entries, raw_dir, None, cache)
    with pytest.raises(ChecksumError, match=r"a/x\.csv: sha256"):  # and again: nothing kept
        check_raw_files(entries, raw_dir, None, cache)


def test_an_unreadable_stat_cache_means_hashing_every_file(tmp_path, monkeypatch):
    raw_dir, entries = _entries(tmp_path)
    cache = tmp_path / "raw_verified.json"
    read = _counting_hashes(monkeypatch)
    for text in ("{not json", '{"format": 99, "files": {}}', '["a list"]'):
        cache.write_text(text)
        read.clear()
        assert check_raw_files(entries, raw_dir, None, cache) == 2
        assert sorted(read) == ["x.csv", "y.csv"]


def test_an_unwritable_stat_cache_only_means_no_cache(tmp_path, monkeypatch):
    raw_dir, entries = _entries(tmp_path)
    (tmp_path / "state").write_text("a file where the cache's folder would be")
    cache = tmp_path / "state" / "raw_verified.json"
    read = _counting_hashes(monkeypatch)
    for _ in range(2):  # the check still runs, and hashes every file each time
        assert check_raw_files(entries, raw_dir, None, cache) == 2
    assert sorted(read) == ["x.csv", "x.csv", "y.csv", "y.csv"]
    assert not cache.exists()


def test_present_verified_file_is_kept_untouched(tmp_path):
    raw_dir, entries = _entries(tmp_path)
    before = (raw_dir / "a/x.csv").stat()
    rec, fetched = acquire_if_needed(entries[0], raw_dir, None, {})
    assert not fetched and rec.verified and rec.origin == "present"
    after = (raw_dir / "a/x.csv").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_jobs_get_settings_not_the_config_file():
    """Every rule that runs a command taking configuration passes --settings (one road)."""
    parser_cmds = set()
    for line in Path(cli.__file__).read_text().splitlines():
        if m := re.search(r'sub.add_parser\("([a-z0-9-]+)"', line):
            current = m.group(1)
        if "_config_options(p)" in line:
            parser_cmds.add(current)
    assert {"parse", "assemble", "fit", "robustness", "match", "acquire"} <= parser_cmds
    for smk in (ROOT / "analysis/rules").glob("*.smk"):
        text = smk.read_text()
        for shell in re.findall(r"shell:\s*\n((?:\s+\".*\"\n)+)", text):
            cmd = re.search(r"-m analysis ([a-z0-9-]+)", shell)
            if cmd and cmd.group(1) in parser_cmds:
                assert "--settings {params.settings:q}" in shell, (smk.name, cmd.group(1))


def test_settings_win_over_the_config_file(tmp_path):
    args = argparse.Namespace(settings='{"panel": {"first_year": 2001}}', config="/nonexistent")
    assert cli._cfg(args) == {"panel": {"first_year": 2001}}


def test_rule_inputs_and_params_hold_no_absolute_path():
    """The DAG must not depend on where the checkout sits (moving it must rerun nothing)."""
    # The session's pipeline may be running in the checkout meanwhile (tests/conftest.py):
    # the outputs of its running jobs are marked incomplete, which would fail a dry run.
    run = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--forceall", "-p", "--nocolor",
         "--ignore-incomplete"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    out = run.stdout + run.stderr
    inputs = [line for line in out.splitlines() if line.strip().startswith("input:")]
    assert len(inputs) > 50
    absolute = sorted({p for line in inputs for p in re.findall(r"(?:^|[ ,])(/[^ ,]+)", line)})
    assert absolute == []
    commands = [line for line in out.splitlines() if "-m analysis" in line]
    assert commands and not [c for c in commands if str(ROOT) in c]  # interpreter, settings


def test_a_file_as_acquired_is_not_an_edit_when_the_manifest_moved_on(tmp_path):
    raw_dir, entries = _entries(tmp_path)
    records = tmp_path / "records"
    records.mkdir()
    old = hashlib.sha256(b"id,v\n1,2\n").hexdigest()
    (records / "a.json").write_text(f'[{{"file": "a/x.csv", "sha256": "{old}"}}]')
    moved = [e.__class__(**{**e.__dict__, "sha256": "f" * 64}) if e.file == "a/x.csv" else e
             for e in entries]  # fmt: skip
    assert check_raw_files(moved, raw_dir, records) == 2  # the acquire job will replace it
    (raw_dir / "a/x.csv").write_bytes(b"id,v\n1,3\n")  # now it is an edit
    with pytest.raises(ChecksumError, match=r"a/x\.csv: sha256"):
        check_raw_files(moved, raw_dir, records)
