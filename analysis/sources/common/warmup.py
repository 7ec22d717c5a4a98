"""Build once in the job server what every parse job would otherwise build in its own fork.

The job server (`analysis.workflow.jobserver`) imports the package, then forks one process per
job; a cache filled or a backend registered after the fork is rebuilt by each of the ~65 parse
jobs. What is built here depends on installed packages only, or is keyed by the full text of
the checkout's file it came from (the manifest), so a fork computes the same as a fresh
interpreter even when files change while the server runs.
"""

from __future__ import annotations

from pathlib import Path

#: The manifest pipeline jobs verify their raw files against (`raw.manifest` in the config).
DEFAULT_MANIFEST = "data/raw/sources.yaml"

#: Libraries the parsers' readers import on first use (pandas' Excel engines, the country
#: converter); preloaded beside the package.
LIBRARIES = (
    "python_calamine",
    "pandas.io.excel._calamine",
    "openpyxl",
    "xlrd",
    "country_converter",
)


def warm_up(manifest: str | Path = DEFAULT_MANIFEST) -> None:
    """Register pandera's pandas backends (they import hypothesis: ~0.15 s a job), build the
    country converter from its packaged table (~0.15 s a job that resolves countries) and
    parse the manifest (~0.02 s a job; a fork reuses it only while the file's text is the
    same, see `analysis.acquire.manifest.load_manifest`)."""
    import importlib

    import pandas as pd
    import pandera.pandas as pa

    from analysis.acquire.manifest import load_manifest
    from analysis.resolve.countries import _converter

    for name in LIBRARIES:
        importlib.import_module(name)
    pa.DataFrameSchema({"x": pa.Column(str)}).validate(
        pd.DataFrame({"x": pd.Series([], dtype=str)})
    )
    _converter()
    if Path(manifest).is_file():
        load_manifest(manifest)
