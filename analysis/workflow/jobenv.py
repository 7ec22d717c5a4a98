"""The environment every pipeline job runs in: its interpreter and its string-hash seed.

Imported by the Snakefile and the rule files (kept apart from `code_deps`, which says which
files a rule depends on).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# The interpreter every job runs with, passed as a rule param (what `snakemake --lint` asks).
# sys.prefix/bin/python names the same environment however Snakemake was started
# (`snakemake`, `python -m snakemake`, `python3 -m snakemake`); sys.executable does not,
# and a param that changes with the launcher reran the whole DAG.
# Relative to the working directory when the environment lives inside it (the project's .venv),
# so a moved checkout keeps the same param and reruns nothing.
_VENV_PYTHON = Path(sys.prefix) / "bin" / "python"
_PYTHON = _VENV_PYTHON if _VENV_PYTHON.exists() else Path(sys.executable)
PYTHON = os.path.relpath(_PYTHON) if _PYTHON.absolute().is_relative_to(Path.cwd()) else str(_PYTHON)


def pin_hash_seed() -> None:
    """Give every job (they inherit Snakemake's environment) a fixed string-hash seed.

    pyfixest orders internal sets by string hash, and that order moved clustered standard
    errors in the 7th digit from run to run; results must be byte-identical across runs.
    """
    os.environ["PYTHONHASHSEED"] = "0"
