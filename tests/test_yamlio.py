"""The strict YAML reader: duplicate keys refused, every error located, key lines known."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from analysis.core import yamlio


def test_duplicate_key_names_line_and_first_use():
    text = "raw:\n  dir: a\n  mirror: b\n  dir: c\n"
    with pytest.raises(yamlio.YamlError) as err:
        yamlio.parse(text, "config/config.yaml")
    msg = str(err.value)
    assert msg.startswith("config/config.yaml, line 4, column 3: duplicate key 'dir'")
    assert "first given on line 2" in msg


def test_duplicate_key_in_a_list_item_and_in_flow_style():
    with pytest.raises(yamlio.YamlError, match="m, line 3, column 3: duplicate key 'id'"):
        yamlio.parse("sources:\n- id: a\n  id: b\n", "m")
    with pytest.raises(yamlio.YamlError, match="duplicate key 'a'"):
        yamlio.parse("{a: 1, b: 2, a: 3}")


def test_syntax_error_has_line_and_column():
    with pytest.raises(yamlio.YamlError) as err:
        yamlio.parse("raw:\n  dir: [unclosed\nresults_dir: x\n", "config/config.yaml")
    assert str(err.value).startswith("config/config.yaml, line ")
    assert ", column " in str(err.value)


def test_same_key_in_different_mappings_is_fine():
    doc = yamlio.parse("a: {x: 1}\nb: {x: 2}\nc: [{x: 1}, {x: 2}]\n")
    assert doc.data == {"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 1}, {"x": 2}]}


def test_key_lines_and_where():
    doc = yamlio.parse("raw:\n  dir: a\n  mirror: b\nmodels:\n- name: m\n  x: 1\n", "f.yaml")
    assert doc.line(("raw", "mirror")) == 3
    assert doc.line(("models", 0, "x")) == 6
    assert doc.where(("raw", "nope")) == "f.yaml, line 1"  # deepest key the file has
    assert doc.where(("absent",)) == "f.yaml"


def test_unknown_keys_are_located():
    doc = yamlio.parse("sources: []\nverify: false\n", "data/raw/sources.yaml")
    out = yamlio.unknown_keys(doc, doc.data, ["sources"])
    assert out == ["data/raw/sources.yaml, line 2: unknown key 'verify' (allowed: sources)"]


def test_only_safe_tags():
    with pytest.raises(yamlio.YamlError):
        yamlio.parse("!!python/object/apply:os.system ['true']\n")


keys = st.text(alphabet="abcdefghij_", min_size=1, max_size=6)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet="xyz ", max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=12,
)


@given(st.dictionaries(keys, values, min_size=1, max_size=4))
def test_round_trip_and_every_key_has_a_line(doc):
    text = yaml.safe_dump(doc, sort_keys=False)
    parsed = yamlio.parse(text)
    assert parsed.data == doc

    def paths(node, prefix=()):
        if isinstance(node, dict):
            for k, v in node.items():
                yield (*prefix, k)
                yield from paths(v, (*prefix, k))

    for path in paths(doc):
        assert parsed.lines.get(path), path
