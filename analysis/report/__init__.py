"""Stage 6, report: tables, figures, the claims ledger and verdicts, findings, the reviewer's map."""
