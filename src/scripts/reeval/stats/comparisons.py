"""Paired Wilcoxon tests on (split, seed) pairs with the Holm correction, and the rule for
marking a table entry best: the interface the comparison section still uses.

The article's tests (split means, the corrected resampled t-test, TOST, verdicts) live in
reeval.stats.paired, which is also the home of the Wilcoxon test and of Holm's correction;
this module only wraps them. Note that a (split, seed) pair is not an independent
replicate: seeds of one split share their test set, and random splits overlap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reeval.stats.paired import holm, wilcoxon_signed_rank

__all__ = ["PairedTest", "holm", "paired_tests", "significantly_best", "wilcoxon_paired"]


@dataclass(frozen=True)
class PairedTest:
    model: str
    other: str
    n_pairs: int
    median_difference: float  # of model - other
    p_value: float
    p_holm: float = float("nan")

    def significant(self, alpha: float) -> bool:
        return bool(self.p_holm < alpha)


def wilcoxon_paired(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(two-sided p, median of a - b) of the pairs (a_i, b_i), by `wilcoxon_signed_rank`
    (exact with zeros and ties up to 50 pairs); p = 1 when every difference is zero, NaN
    without pairs."""
    differences = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if differences.size == 0:
        return float("nan"), float("nan")
    return wilcoxon_signed_rank(differences), float(np.median(differences))


def paired_tests(values: dict[str, dict[tuple, float]], reference: str) -> list[PairedTest]:
    """Each model against `reference` on the (split, seed) keys they share, Holm-corrected."""
    tests = []
    for model, by_key in values.items():
        if model == reference:
            continue
        keys = sorted(set(by_key) & set(values[reference]))
        a = np.array([by_key[k] for k in keys])
        b = np.array([values[reference][k] for k in keys])
        p, median = wilcoxon_paired(a, b)
        tests.append(PairedTest(model, reference, len(keys), median, p))
    adjusted = holm([t.p_value for t in tests])
    return [
        PairedTest(t.model, t.other, t.n_pairs, t.median_difference, t.p_value, q)
        for t, q in zip(tests, adjusted, strict=True)
    ]


def significantly_best(
    values: dict[str, dict[tuple, float]], alpha: float, higher_is_better: bool = True
) -> str | None:
    """The model with the best median that beats every other model in paired tests (Holm
    across those comparisons, at `alpha`); None when no model does (the others are ties)."""
    candidates = {m: v for m, v in values.items() if v}
    if len(candidates) < 2:
        return None
    sign = 1 if higher_is_better else -1
    leader = max(candidates, key=lambda m: sign * np.median(list(candidates[m].values())))
    tests = paired_tests(candidates, leader)
    wins = all(t.significant(alpha) and sign * t.median_difference < 0 for t in tests)
    return leader if wins else None
