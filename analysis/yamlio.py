"""One YAML reader for configs, manifests and specs: libyaml's C loader when PyYAML has it.

Snakemake parses the specs while it builds the DAG, so the pure-Python loader (10x slower)
showed up in every dry run and no-op rerun.
"""

from __future__ import annotations

from typing import Any

import yaml

SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """`yaml.safe_load` semantics (safe tags only) with the fastest available loader."""
    return yaml.load(text, Loader=SafeLoader)  # a safe loader (safe tags only)
