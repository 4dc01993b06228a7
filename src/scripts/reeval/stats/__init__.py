"""Statistics: robust summaries across splits and seeds (and, later, paired tests)."""
