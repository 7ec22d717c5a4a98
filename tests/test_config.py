"""Config validation names the offending key."""

from __future__ import annotations

import copy

import pytest
import yaml

from analysis.config import load_config, validate_config
from analysis.errors import ConfigError
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
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)
