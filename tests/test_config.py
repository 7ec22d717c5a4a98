"""Config validation names the offending key."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from analysis.core.config import config_slice, load_config, read_config_files, validate_config
from analysis.core.errors import ConfigError
from tests.conftest import ROOT

BASE = yaml.safe_load((ROOT / "config/config.yaml").read_text())


def test_committed_config_is_valid_and_gets_defaults():
    cfg = validate_config({k: v for k, v in BASE.items()})
    assert cfg["raw"]["download"]["retries"] >= 1
    minimal = copy.deepcopy(BASE)
    del minimal["raw"]["download"]
    assert validate_config(minimal)["raw"]["download"] == {"retries": 3, "timeout_s": 60}


@pytest.mark.parametrize(
    ("mutate", "key"),
    [
        (lambda c: c["raw"].update(mirorr="x"), "raw.mirorr"),
        (lambda c: c["raw"].pop("manifest"), "raw.manifest"),
        (lambda c: c["raw"]["download"].update(retries=0), "raw.download.retries"),
        (lambda c: c["raw"]["download"].update(timeout_s="soon"), "raw.download.timeout_s"),
        (lambda c: c.update(result_dir="x"), "result_dir"),
        (lambda c: c.pop("results_dir"), "results_dir"),
    ],
)
def test_bad_config_names_the_key(mutate, key):
    cfg = copy.deepcopy(BASE)
    mutate(cfg)
    with pytest.raises(ConfigError) as err:
        validate_config(cfg)
    assert f"  {key}:" in str(err.value)


def test_load_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("raw: [unclosed\n")
    with pytest.raises(ConfigError, match=r"bad.yaml, line 2, column 1: "):
        load_config(bad)


def test_duplicate_key_in_config_file_names_line(tmp_path):
    text = (ROOT / "config/config.yaml").read_text()
    text = text.replace("results_dir: results\n", "results_dir: results\nresults_dir: elsewhere\n")
    path = tmp_path / "config.yaml"
    path.write_text(text)
    line = text.splitlines().index("results_dir: elsewhere") + 1
    with pytest.raises(ConfigError, match=rf"config.yaml, line {line}, column 1: duplicate key"):
        load_config(path)


def test_unknown_key_names_file_and_line(tmp_path):
    text = (ROOT / "config/config.yaml").read_text().replace("\nraw:\n", "\nraw:\n  mirorr: x\n")
    path = tmp_path / "config.yaml"
    path.write_text(text)
    line = text.splitlines().index("  mirorr: x") + 1
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "raw.mirorr: Additional properties are not allowed" in str(err.value)
    assert f"({path}, line {line})" in str(err.value)


def test_later_file_is_named_when_it_sets_the_bad_key(tmp_path):
    over = tmp_path / "mine.yaml"
    over.write_text("panel:\n  first_year: 1800\n")
    docs = read_config_files([ROOT / "config/config.yaml", over])
    cfg = copy.deepcopy(BASE)
    cfg["panel"]["first_year"] = 1800
    with pytest.raises(ConfigError, match=rf"panel.first_year: .* \({over}, line 2\)"):
        validate_config(cfg, docs)


def test_universe_floors_resolve_from_the_panel():
    cfg = validate_config(copy.deepcopy(BASE))
    assert cfg["models"]["universe"]["h1_min_population"] == BASE["panel"]["min_city_population"]
    big = copy.deepcopy(BASE)
    big["panel"]["min_city_population"] = 500_000
    assert validate_config(big)["models"]["universe"]["h1_min_population"] == 500_000
    low = copy.deepcopy(BASE)
    low.setdefault("models", {})["universe"] = {"h1_min_population": 1000}
    with pytest.raises(ConfigError, match=r"models\.universe\.h1_min_population: 1000 is below"):
        validate_config(low)


def test_config_slice_is_the_part_a_job_needs():
    cfg = validate_config(copy.deepcopy(BASE))
    out = json.loads(config_slice(cfg, "panel", "models.universe"))
    assert out == {"panel": cfg["panel"], "models": {"universe": cfg["models"]["universe"]}}
    assert config_slice(cfg, "panel") == config_slice(copy.deepcopy(cfg), "panel")  # stable
    with pytest.raises(ConfigError, match=r"no key 'models\.nope'"):
        config_slice(cfg, "models.nope")


def test_command_line_strings_are_typed_and_named():
    # `--config 'panel={min_city_population: 500000}'` reaches the Snakefile with strings inside.
    cfg = copy.deepcopy(BASE)
    cfg["panel"]["min_city_population"] = "500000"
    assert validate_config(cfg)["panel"]["min_city_population"] == 500_000
    cfg["panel"]["min_city_population"] = "lots"
    docs = read_config_files([ROOT / "config/config.yaml"])
    with pytest.raises(ConfigError) as err:
        validate_config(cfg, docs)
    assert "panel.min_city_population: 'lots' is not of type 'integer' (set by --config" in str(
        err.value
    )
