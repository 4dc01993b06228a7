"""Analyses across runs: robust summaries of metrics, comparisons, generated sentences."""
