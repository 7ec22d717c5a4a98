"""City-diplomacy analysis package: acquisition, harmonization and models.

Every pipeline step is an importable, typed function; Snakemake rules only wire them up.
"""

__version__ = "0.1.0"
