"""Foundations every stage shares: errors, configuration, YAML, hashing, row audits, table output."""
