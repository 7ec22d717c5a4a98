"""Stage 3, resolve: country names to ISO codes, city mentions to canonical city ids (GeoNames, LAU), audited."""
