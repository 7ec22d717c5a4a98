"""Developer benchmarks of the pipeline (``python -m benchmarks``): speed and memory of the
pipeline, matching, specification curves and estimation at scale. Not part of the installed
``analysis`` package; see ``benchmarks/README.md``."""
