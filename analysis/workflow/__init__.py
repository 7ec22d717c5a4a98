"""Glue between Snakemake and the package: job environment, rule inputs derived from imports, DAG input functions."""
