"""The baselines of the comparison: their features, models and registry."""
