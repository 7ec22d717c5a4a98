"""Build once in the job server what every fit and robustness job would build in its fork.

pyfixest hands each data frame to narwhals, whose pandas layer is imported on first use;
pandas reads Parquet through `pyarrow.dataset`, also imported on first use; and the wild
bootstrap's numba kernel (`analysis.models.backends.wild_denominator`) is loaded from numba's
disk cache (or compiled, on a fresh checkout) by the first call in each process. None of it
depends on a job's data, so a fork computes the same as a fresh interpreter.
"""

from __future__ import annotations


def warm_up() -> None:
    import narwhals.stable.v1 as nw
    import pandas as pd
    import pyarrow.dataset  # noqa: F401  (pandas' read_parquet imports it on first use)

    from analysis.models.backends import wild_denominator

    # the conversion pyfixest applies to every frame it is given
    nw.from_native(pd.DataFrame({"x": [1.0]}), eager_or_interchange_only=True).to_pandas()
    wild_denominator.warm_up()
