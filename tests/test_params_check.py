"""Snakemake's params serialiser, patched not to import pandas (analysis/workflow/params_check.py),
gives every value the serialisation Snakemake's own gives it."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from snakemake.persistence import PersistenceBase

from analysis.workflow import params_check

# Param values as the rules pass them: config slices (nested dicts, lists), strings, numbers.
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


class _Persistence:
    """Only the serialisers: PersistenceBase's methods on an object without its database."""

    _serialize_param_builtin = PersistenceBase._serialize_param_builtin
    _serialize_param_pandas = PersistenceBase._serialize_param_pandas


@given(VALUES)
def test_the_patched_serialiser_equals_snakemakes(value):
    # pandas is imported in this process: the patch picks Snakemake's pandas serialiser,
    # which for a plain value is the builtin one.
    chosen = params_check._serialiser(_Persistence())
    assert chosen(value) == _Persistence()._serialize_param_pandas(value)
    assert chosen(value) == _Persistence()._serialize_param_builtin(value)


def test_a_pandas_param_keeps_pandas_hash():
    frame = pd.DataFrame({"a": [1, 2]})
    chosen = params_check._serialiser(_Persistence())
    assert chosen(frame) == repr(pd.util.hash_pandas_object(frame).tolist())


def test_the_patch_applies_to_the_pinned_snakemake_and_imports_no_pandas():
    code = (
        "import sys\n"
        "from analysis.workflow.params_check import serialise_params_lazily\n"
        "from snakemake.persistence import PersistenceBase\n"
        "assert serialise_params_lazily()\n"
        "class P:\n"
        "    _serialize_param_builtin = PersistenceBase._serialize_param_builtin\n"
        "    _serialize_param_pandas = PersistenceBase._serialize_param_pandas\n"
        "    _serialize_param = PersistenceBase._serialize_param\n"
        "print(P()._serialize_param({'a': [1, 'b']}), 'pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["{'a':", "[1,", "'b']}", "False"]
