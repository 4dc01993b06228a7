"""Statistics: robust summaries across splits and seeds, and paired comparisons of models
(reeval.stats.paired: corrected resampled t-test, TOST, Wilcoxon, Holm, verdicts)."""
