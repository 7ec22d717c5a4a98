"""Stage 4, assemble: the harmonized city-year panel, the US city table, country pairs, the codebook."""
