"""The answers of the conclusions section, each one a test's verdict with its interval:
does the multimodal model beat the strongest simple model on each protocol, and how does
it stand out of sample."""

from __future__ import annotations

import math

import polars as pl

from reeval.analysis.comparison import (
    FLIPPED,
    MODEL_LABELS,
    Predictions,
    baseline_families,
    out_of_sample_rows,
)
from reeval.analysis.families import ComparisonSettings, difference_text
from reeval.analysis.protocols import MULTIMODAL, REFERENCE, values_by_model
from reeval.baselines.registry import BASELINES
from reeval.stats.paired import Comparison, Verdict, split_means
from reeval.stats.robust import trimean


def _strongest(values: dict[str, dict[tuple[str, int], float]]) -> str | None:
    """The baseline with the highest R2 trimean over split means."""
    scores = {
        model: float(trimean(list(split_means(v).values())))
        for model, v in values.items()
        if model not in MULTIMODAL and split_means(v)
    }
    return max(scores, key=scores.get) if scores else None


def _against(c: Comparison) -> str:
    """The multimodal model's side of `c` (baseline minus multimodal): verdict, difference
    and corrected interval."""
    verdict = FLIPPED[c.verdict]
    difference = (
        f"the multimodal model minus it is {difference_text(-c.mean_difference, 3)} "
        f"(95\\,\\% CI {difference_text(-c.ci_high, 3)} to {difference_text(-c.ci_low, 3)}; "
        f"$n = {c.n_splits}$ splits)"
    )
    if verdict in (Verdict.BETTER, Verdict.WORSE):
        return f"{verdict} than the strongest baseline, {MODEL_LABELS[c.model]}: {difference}"
    if verdict == Verdict.EQUIVALENT:
        return (
            f"equivalent within $\\pm${difference_text(c.margin, 3)} to the strongest "
            f"baseline, {MODEL_LABELS[c.model]}: {difference}"
        )
    return (
        f"inconclusive ($n = {c.n_splits}$ splits) against the strongest baseline, "
        f"{MODEL_LABELS[c.model]}: {difference}"
    )


def machinery_sentences(
    runs: pl.DataFrame, predictions: Predictions, settings: ComparisonSettings
) -> str:
    """Per repeated protocol, the multimodal model against the strongest baseline there
    (its test from the family of Table tests); then, out of sample, on how many of the test
    sets it is better or worse than any baseline."""
    parts = []
    for protocol, tests in baseline_families(runs, settings):
        strongest = _strongest(values_by_model(runs, protocol, "r2"))
        test = next((t for t in tests if t.model == strongest), None)
        if test is None or not math.isfinite(test.mean_difference):
            continue
        parts.append(f"On {protocol.label} the multimodal model is {_against(test)}.")
    rows = out_of_sample_rows(predictions, list(BASELINES), REFERENCE, settings)
    splits = sorted({r.split for r in rows})
    if splits:
        worse = sorted({r.split for r in rows if FLIPPED[r.verdict] == Verdict.WORSE})
        better_than_all = [
            s
            for s in splits
            if all(FLIPPED[r.verdict] == Verdict.BETTER for r in rows if r.split == s)
        ]
        parts.append(
            f"Out of sample, it is worse than at least one baseline on {len(worse)} of the "
            f"{len(splits)} test sets"
            + (f" ({', '.join(worse)})" if worse else "")
            + f" and better than every baseline on {len(better_than_all)}"
            + (f" ({', '.join(better_than_all)})" if better_than_all else "")
            + " (paired bootstrap of each test set's reactions, Holm)."
        )
    return (" ".join(parts) or "No comparison is available.") + "\n"
