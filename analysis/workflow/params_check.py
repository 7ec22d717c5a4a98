"""Snakemake's params check, without importing pandas at every start.

Snakemake 9 reruns a job whose params differ from those it recorded. To serialise them it picks
pandas' hash when pandas is installed, and picking imports pandas: ~0.3 s of a no-op rerun,
which otherwise imports no pandas. A param can be a pandas object only once pandas is imported,
so asking ``sys.modules`` instead serialises every value exactly as Snakemake does, without
the import.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

_NEEDED = ("_serialize_param", "_serialize_param_pandas", "_serialize_param_builtin")


def _serialiser(self: Any) -> Callable[[Any], object]:
    # Snakemake's own choice, made per value: with pandas loaded its serialiser (which falls
    # back to the builtin one for other values); without, no value can be a pandas object.
    if "pandas" in sys.modules:
        return self._serialize_param_pandas
    return self._serialize_param_builtin


def serialise_params_lazily() -> bool:
    """Patch Snakemake's params serialiser; False (and nothing patched) on a Snakemake whose
    persistence lacks the methods this replaces."""
    from snakemake.persistence import PersistenceBase

    if not all(hasattr(PersistenceBase, name) for name in _NEEDED):
        return False
    PersistenceBase._serialize_param = property(_serialiser)  # type: ignore[method-assign,assignment]
    return True
