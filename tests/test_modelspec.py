"""Model specs: valid files load, bad keys fail with the key named, code is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from analysis.core.errors import ConfigError
from analysis.models.spec import check_columns, load_spec, parse_term, validate_spec
from tests.conftest import ROOT

BASE = {
    "hypothesis": "h9",
    "title": "t",
    "frame": "f",
    "defaults": {"estimator": "ols", "vcov": {"type": "hc1"}, "outcome": "y"},
    "models": [{"name": "m1", "label": "one", "regressors": ["x"]}],
}


def spec(**over):
    raw = yaml.safe_load(yaml.safe_dump(BASE))
    for path, value in over.items():
        node = raw
        *head, last = path.split(".")
        for k in head:
            node = node[int(k)] if k.isdigit() else node[k]
        node[last] = value
    return raw


def error_of(raw) -> str:
    with pytest.raises(ConfigError) as e:
        validate_spec(raw, "h9.yaml")
    return str(e.value)


@pytest.mark.parametrize("path", sorted((ROOT / "config/models").glob("*.yaml")))
def test_shipped_specs_are_valid(path: Path):
    s = load_spec(path)
    assert s.hypothesis == path.stem and s.models


def test_defaults_fill_models_and_model_keys_win():
    raw = spec()
    raw["models"].append(
        {"name": "m2", "label": "two", "regressors": ["x"], "estimator": "poisson"}
    )
    s = validate_spec(raw)
    assert [m.estimator for m in s.models] == ["ols", "poisson"]
    assert s.models[0].vcov.type == "hc1"


@pytest.mark.parametrize(
    ("over", "key"),
    [
        ({"models.0.estimator": "tobit"}, "models[0].estimator"),
        ({"models.0.vcov": {"type": "cluster"}}, "models[0].vcov"),
        ({"models.0.vcov": {"type": "cluster", "by": ["a", "b"]}}, "models[0].vcov"),
        ({"models.0.regressors": []}, "models[0].regressors"),
        ({"models.0.small_sample": "huge"}, "models[0].small_sample"),
        ({"models.0.sample": [{"column": "year", "op": "eq"}]}, "models[0].sample[0]"),
        ({"models.0.sample": [{"column": "year", "op": "in", "value": 3}]}, "models[0].sample[0]"),
        ({"models.0.focal": "z"}, "models[0]"),
        ({"models.0.colour": "red"}, "models[0].colour"),
        ({"hypothesis": "H 1"}, "hypothesis"),
        ({"models.0.name": "bad name"}, "models[0].name"),
    ],
)
def test_bad_keys_are_named(over, key):
    assert key in error_of(spec(**over))


def test_duplicate_model_names_refused():
    raw = spec()
    raw["models"].append(dict(raw["models"][0]))
    assert "repeated: ['m1']" in error_of(raw)


@pytest.mark.parametrize(
    "term",
    [
        "__import__('os').system('rm -rf /')",
        "x + y",
        "np.log(x)",
        "exp(x)",
        "log(x, 2)",
        "x**2",
        "I(x*2)",
        "log(log(x))",
        "x;y",
        " x",
    ],
)
def test_code_in_terms_is_refused(term):
    msg = error_of(spec(**{"models.0.regressors": [term]}))
    assert "models[0].regressors" in msg and "is not a column" in msg


def test_terms_parse():
    assert parse_term("log(x):d") == [("log", "x"), (None, "d")]
    assert parse_term("std(a):b:sq(c)") == [("std", "a"), (None, "b"), ("sq", "c")]


@given(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True))
def test_any_identifier_is_a_term(name):
    assert parse_term(name) == [(None, name)]


@given(st.text(min_size=1, max_size=12))
def test_parser_never_accepts_non_identifier_text(text):
    """Whatever is accepted is made only of identifiers, whitelisted calls and ':'."""
    try:
        factors = parse_term(text)
    except ValueError:
        return
    rebuilt = ":".join(f"{fn}({c})" if fn else c for fn, c in factors)
    assert rebuilt == text


def test_unknown_columns_name_the_key():
    s = validate_spec(spec(**{"models.0.controls": ["log(pop)", "capital"]}))
    with pytest.raises(ConfigError) as e:
        check_columns(s, {"f": {"y", "x", "capital"}})
    assert "models[0].controls[0]: column 'pop' is not in frame 'f'" in str(e.value)
    check_columns(s, {"f": {"y", "x", "capital", "pop"}})


def test_file_errors(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_spec(tmp_path / "h1.yaml")
    (tmp_path / "h1.yaml").write_text("models: [\n")
    with pytest.raises(ConfigError, match=r"h1.yaml, line 2, column 1: "):
        load_spec(tmp_path / "h1.yaml")
    (tmp_path / "h3.yaml").write_text(yaml.safe_dump(spec()))
    with pytest.raises(ConfigError, match="must match the file name"):
        load_spec(tmp_path / "h3.yaml")


def test_duplicate_key_in_a_spec_names_file_and_line(tmp_path):
    text = yaml.safe_dump({**spec(), "hypothesis": "h1"}, sort_keys=False)
    text = text.replace("title: t\n", "title: t\ntitle: again\n")
    (tmp_path / "h1.yaml").write_text(text)
    with pytest.raises(ConfigError) as e:
        load_spec(tmp_path / "h1.yaml")
    line = text.splitlines().index("title: again") + 1
    assert f"h1.yaml, line {line}, column 1: duplicate key 'title'" in str(e.value)


def test_unknown_spec_key_names_its_line(tmp_path):
    raw = {**spec(), "hypothesis": "h1"}
    raw["models"][0]["regresors"] = ["x"]
    text = yaml.safe_dump(raw, sort_keys=False)
    (tmp_path / "h1.yaml").write_text(text)
    with pytest.raises(ConfigError) as e:
        load_spec(tmp_path / "h1.yaml")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "regresors" in t)
    assert f"models[0].regresors (line {line}): Extra inputs are not permitted" in str(e.value)
