"""What the source parsers share, and no parser: the parser contract and standard tables
(`base`), the raw-file readers and converters (`readers`), the parse job's runner (`runner`),
US state and county lookups (`us_geo`), US party codes (`us_party`), the mayor's-party
precedence rule (`mayor_party`) and the centrality computations (`centrality`).

A sub-package, so the source registry (`analysis.sources.registry`) never mistakes a helper
for a parser: parsers are the modules directly in `analysis/sources/`.
"""
