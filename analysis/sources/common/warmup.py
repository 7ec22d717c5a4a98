"""Build once in the job server what every parse job would otherwise build in its own fork.

The job server (`analysis.workflow.jobserver`) imports the package, then forks one process per
job; a cache filled or a backend registered after the fork is rebuilt by each of the ~65 parse
jobs. Only state that depends on installed packages is built here (never on files of the
checkout, which may change while the server runs), so a fork computes the same as a fresh
interpreter.
"""

from __future__ import annotations

#: Libraries the parsers' readers import on first use (pandas' Excel engines, the country
#: converter); preloaded beside the package.
LIBRARIES = ("openpyxl", "xlrd", "country_converter")


def warm_up() -> None:
    """Register pandera's pandas backends (they import hypothesis: ~0.15 s a job) and build
    the country converter from its packaged table (~0.15 s a job that resolves countries)."""
    import importlib

    import pandas as pd
    import pandera.pandas as pa

    from analysis.resolve.countries import _converter

    for name in LIBRARIES:
        importlib.import_module(name)
    pa.DataFrameSchema({"x": pa.Column(str)}).validate(
        pd.DataFrame({"x": pd.Series([], dtype=str)})
    )
    _converter()
